//! What each CLI command does, with all of its file access. `main.rs` only
//! parses arguments and calls in here.

pub mod bench;
pub mod check;
pub mod fmt;
pub mod output;
pub mod plan_file;
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
        Format::Json => print!("{text}"),
        _ => eprint!("{text}"),
    }
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
            println!("{}  {}", c.code, c.title);
        }
        return exit::OK;
    }
    let code = code.unwrap_or_default();
    match codes::lookup(code) {
        Some(c) => {
            println!("{}: {}\n\n{}", c.code, c.title, c.explanation);
            exit::OK
        }
        None => {
            eprintln!("error: no diagnostic code `{code}`; `terra explain-code --list` lists them");
            exit::ERROR
        }
    }
}
