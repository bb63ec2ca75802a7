//! The front end in one call: policy text to a checked policy, or to every
//! syntax and type diagnostic. Shared by the CLI, the tests and the benches.

use crate::check::ir::CheckedPolicy;
use crate::diagnostics::{self, Diagnostic, FileId, SourceFile, Sources};
use crate::syntax::ast::PolicyFile;

pub struct FrontEnd {
    pub sources: Sources,
    pub file: FileId,
    pub ast: PolicyFile,
    /// `None` when there are errors.
    pub policy: Option<CheckedPolicy>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Stack for the front end: parsing and checking recurse on the depth of
/// expressions, and a generated policy may nest thousands deep.
const STACK_BYTES: usize = 256 << 20;

/// Parses and checks `text`, shown to the user as `path`.
pub fn check_text(path: &str, text: &str) -> FrontEnd {
    let (path, text) = (path.to_string(), text.to_string());
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || check_text_here(&path, &text));
    match worker.map(|w| w.join()) {
        Ok(Ok(front)) => front,
        // infallible in practice: the thread can only fail to start under
        // memory exhaustion, and panics inside are bugs that should surface.
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => panic!("cannot start the checker thread: {e}"),
    }
}

fn check_text_here(path: &str, text: &str) -> FrontEnd {
    let mut sources = Sources::new();
    let file = sources.add(SourceFile::new(path, text));
    let parsed = crate::syntax::parse(text, file);
    let (policy, check_diagnostics) = crate::check::check(&parsed.file, file, &parsed.broken_names);
    let mut all = parsed.diagnostics;
    all.extend(check_diagnostics);
    diagnostics::sort(&mut all);
    let ok = !diagnostics::has_errors(&all);
    FrontEnd { sources, file, ast: parsed.file, policy: ok.then_some(policy), diagnostics: all }
}
