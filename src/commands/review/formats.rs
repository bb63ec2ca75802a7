//! `--format json|github` for the commands whose output is a line or two:
//! `explain-code` and `generate`.

use super::{json_text, FORMAT_VERSION};
use crate::commands::exit;
use crate::diagnostics::codes;
use crate::diagnostics::render::Format;
use serde_json::json;
use std::path::Path;

/// `terra explain-code`: JSON, or Markdown for GitHub; text as before.
pub fn explain_code(code: Option<&str>, list: bool, format: Format) -> i32 {
    if format == Format::Human {
        return crate::commands::explain_code(code, list);
    }
    let listing = list || code.is_none();
    if listing {
        let all = codes::all();
        match format {
            Format::Json => {
                let items: Vec<_> = all.iter().map(|c| json!({"code": c.code, "title": c.title})).collect();
                crate::out!("{}", json_text(&json!({"format_version": FORMAT_VERSION, "command": "explain-code", "codes": items})));
            }
            _ => {
                crate::outln!("| code | title |\n|---|---|");
                for c in all {
                    crate::outln!("| {} | {} |", c.code, c.title);
                }
            }
        }
        return exit::OK;
    }
    let code = code.unwrap_or_default();
    let Some(c) = codes::lookup(code) else {
        eprintln!("error: no diagnostic code `{code}`; `terra explain-code --list` lists them");
        return exit::ERROR;
    };
    match format {
        Format::Json => crate::out!(
            "{}",
            json_text(&json!({"format_version": FORMAT_VERSION, "command": "explain-code", "code": c.code, "title": c.title, "explanation": c.explanation}))
        ),
        _ => crate::outln!("### {}: {}\n\n{}", c.code, c.title, c.explanation),
    }
    exit::OK
}

/// The line a `generate` command ends with, once `out` is written.
pub fn wrote(out: &Path, format: Format) {
    match format {
        Format::Human => crate::outln!("wrote {}", out.display()),
        Format::Json => crate::out!("{}", json_text(&json!({"format_version": FORMAT_VERSION, "command": "generate", "wrote": out.to_string_lossy()}))),
        Format::Github => crate::outln!("::notice title=terra generate::wrote {}", out.display().to_string().replace('%', "%25").replace('\n', "%0A")),
    }
}
