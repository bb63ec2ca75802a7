//! `terra fmt [--check] FILES`: the canonical layout, comments kept.

use super::output::write_atomic;
use super::{emit, exit};
use crate::diagnostics::render::Format;
use std::path::PathBuf;

pub fn run(files: &[PathBuf], check_only: bool) -> i32 {
    let mut unformatted = Vec::new();
    let mut failed = false;
    for path in files {
        let shown = path.to_string_lossy().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {shown}: {e}");
                failed = true;
                continue;
            }
        };
        let mut sources = crate::diagnostics::Sources::new();
        let file = sources.add(crate::diagnostics::SourceFile::new(shown.clone(), text.clone()));
        let parsed = crate::syntax::parse(&text, file);
        if !parsed.diagnostics.is_empty() {
            // Never rewrite a file that does not parse: nothing may be lost.
            emit(&parsed.diagnostics, &sources, Format::Human);
            failed = true;
            continue;
        }
        let formatted = crate::syntax::format::format(&parsed.file, &text);
        if formatted == text {
            continue;
        }
        if check_only {
            crate::outln!("{shown}");
            unformatted.push(shown);
        } else if let Err(e) = write_atomic(path, formatted.as_bytes()) {
            eprintln!("error: cannot write {shown}: {e}");
            failed = true;
        } else {
            crate::outln!("formatted {shown}");
        }
    }
    if failed {
        exit::ERROR
    } else if !unformatted.is_empty() {
        exit::VIOLATED
    } else {
        exit::OK
    }
}
