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

/// Parses and checks `text`, shown to the user as `path`.
pub fn check_text(path: &str, text: &str) -> FrontEnd {
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
