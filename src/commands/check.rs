//! `terra check`: parse, type-check, and validate the data files.

use super::{emit, exit};
use crate::diagnostics::render::Format;
use crate::diagnostics;
use std::path::Path;

/// The data files are in `data_dir` (default: the policy's folder).
pub fn run(policy_path: &Path, data_dir: Option<&Path>, with_data: bool, format: Format) -> i32 {
    let (shown, text) = match super::read_policy(policy_path) {
        Ok(read) => read,
        Err((sources, d)) => {
            emit(&d, &sources, format);
            return exit::ERROR;
        }
    };
    let front = crate::front::check_text(&shown, &text);
    let mut sources = front.sources;
    let mut all = front.diagnostics;
    if let (Some(policy), true) = (&front.policy, with_data) {
        let (data, data_diagnostics) = crate::data::load(&policy.schema, data_dir.unwrap_or(super::policy_dir(policy_path)), front.file, &mut sources);
        all.extend(data_diagnostics);
        if let Some(data) = data {
            all.extend(crate::data::literals::unseen_texts(policy, &data, front.file));
        }
    }
    emit(&all, &sources, format);
    if diagnostics::has_errors(&all) {
        if format == Format::Human {
            let n = all.iter().filter(|d| d.is_error()).count();
            eprintln!("{shown}: {n} error{}", if n == 1 { "" } else { "s" });
        }
        exit::ERROR
    } else {
        if format == Format::Human {
            crate::outln!("{shown}: ok");
        }
        exit::OK
    }
}
