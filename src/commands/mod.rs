//! What each CLI command does, with all of its file access. `main.rs` only
//! parses arguments and calls in here.

/// `println!` that ignores a closed stdout (e.g. piped into `head`)
/// instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod bench;
pub mod bench_gap;
pub mod check;
pub mod explain;
pub mod fmt;
pub mod output;
pub mod plan_file;
pub mod report;
pub mod review;
pub mod solve;
pub mod verify;

use crate::diagnostics::render::{self, Format, HumanStyle};
use crate::diagnostics::{Diagnostic, Sources};

/// Exit codes, documented in `terra --help`.
pub mod exit {
    pub const OK: i32 = 0;
    /// A rule or expectation is violated, or the policy is infeasible.
    pub const VIOLATED: i32 = 1;
    /// A syntax, type, data or usage error.
    pub const ERROR: i32 = 2;
    /// `diff`: the two sides differ.
    pub const DIFFERS: i32 = 3;
}

/// Prints diagnostics on stderr (human, github) or stdout (json).
pub fn emit(diagnostics: &[Diagnostic], sources: &Sources, format: Format) {
    if diagnostics.is_empty() && format != Format::Json {
        return;
    }
    let text = render::render_all(diagnostics, sources, format, HumanStyle::for_terminal());
    match format {
        Format::Json => crate::out!("{text}"),
        _ => eprint!("{text}"),
    }
}

/// Reads a policy file; on failure, a diagnostic about the file.
pub fn read_policy(path: &std::path::Path) -> Result<(String, String), (Sources, Vec<Diagnostic>)> {
    let shown = path.to_string_lossy().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((shown, text)),
        Err(e) => {
            let mut sources = Sources::new();
            let file = sources.add(crate::diagnostics::SourceFile::new(shown.clone(), String::new()));
            let d = crate::diagnostics::messages::run::io_error(file, Default::default(), &format!("cannot read {shown}: {e}"));
            Err((sources, vec![d]))
        }
    }
}

/// The folder a policy's data paths are relative to.
pub fn policy_dir(path: &std::path::Path) -> &std::path::Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `terra explain-code`: the long explanation of a diagnostic code.
pub fn explain_code(code: Option<&str>, list: bool) -> i32 {
    use crate::diagnostics::codes;
    if list || code.is_none() {
        for c in codes::all() {
            crate::outln!("{}  {}", c.code, c.title);
        }
        return exit::OK;
    }
    let code = code.unwrap_or_default();
    match codes::lookup(code) {
        Some(c) => {
            crate::outln!("{}: {}\n\n{}", c.code, c.title, c.explanation);
            exit::OK
        }
        None => {
            eprintln!("error: no diagnostic code `{code}`; `terra explain-code --list` lists them");
            exit::ERROR
        }
    }
}

/// `terra generate gap`: one OR-Library problem as a policy.
pub fn generate_gap(file: &std::path::Path, problem: usize, maximize: bool, out: &std::path::Path, format: Format) -> i32 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return exit::ERROR;
        }
    };
    let instances = match crate::generate::gap::parse_orlib(&text) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return exit::ERROR;
        }
    };
    let Some(inst) = problem.checked_sub(1).and_then(|k| instances.get(k)) else {
        eprintln!("error: {} has {} problems; --problem takes 1 to {}", file.display(), instances.len(), instances.len());
        return exit::ERROR;
    };
    let stem = file.file_stem().map_or("gap".into(), |s| s.to_string_lossy().to_string());
    match crate::generate::gap::write_policy(inst, maximize, &format!("{stem}-{problem}"), out) {
        Ok(()) => {
            review::formats::wrote(out, format);
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            exit::ERROR
        }
    }
}
