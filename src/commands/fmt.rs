//! `terra fmt [--check] FILES`: the canonical layout, comments kept.

use super::output::write_atomic;
use super::{emit, exit};
use crate::diagnostics::render::Format;
use std::path::PathBuf;

/// Prints in `format`: JSON lists each file with its state; GitHub marks
/// each unformatted file with an error annotation.
pub fn run(files: &[PathBuf], check_only: bool, format: Format) -> i32 {
    let mut states: Vec<(String, &'static str)> = Vec::new();
    let mut unformatted = Vec::new();
    let mut failed = false;
    for path in files {
        let shown = path.to_string_lossy().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {shown}: {e}");
                failed = true;
                states.push((shown, "error"));
                continue;
            }
        };
        let mut sources = crate::diagnostics::Sources::new();
        let file = sources.add(crate::diagnostics::SourceFile::new(shown.clone(), text.clone()));
        let parsed = crate::syntax::parse(&text, file);
        if !parsed.diagnostics.is_empty() {
            // Never rewrite a file that does not parse: nothing may be lost.
            emit(&parsed.diagnostics, &sources, format.min_human());
            failed = true;
            states.push((shown, "error"));
            continue;
        }
        let formatted = crate::syntax::format::format(&parsed.file, &text);
        if formatted == text {
            states.push((shown, "unchanged"));
            continue;
        }
        if check_only {
            match format {
                Format::Human => crate::outln!("{shown}"),
                Format::Github => crate::outln!(
                    "::error file={},line=1,title=terra fmt::not formatted; run `terra fmt {}`",
                    shown.replace('%', "%25").replace(':', "%3A").replace(',', "%2C"),
                    shown.replace('%', "%25").replace('\n', "%0A")
                ),
                Format::Json => {}
            }
            states.push((shown.clone(), "unformatted"));
            unformatted.push(shown);
        } else if let Err(e) = write_atomic(path, formatted.as_bytes()) {
            eprintln!("error: cannot write {shown}: {e}");
            failed = true;
            states.push((shown, "error"));
        } else {
            if format != Format::Json {
                crate::outln!("formatted {shown}");
            }
            states.push((shown, "formatted"));
        }
    }
    if format == Format::Json {
        let files: Vec<serde_json::Value> = states.iter().map(|(path, state)| serde_json::json!({"path": path, "state": state})).collect();
        let value = serde_json::json!({"format_version": super::review::FORMAT_VERSION, "command": "fmt", "check": check_only, "files": files});
        crate::out!("{}", super::review::json_text(&value));
    }
    if failed {
        exit::ERROR
    } else if !unformatted.is_empty() {
        exit::VIOLATED
    } else {
        exit::OK
    }
}
