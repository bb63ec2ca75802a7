//! Reads a plan CSV (assigned key, target key) back into an assignment,
//! reporting every bad row.

use crate::check::ir::CheckedPolicy;
use crate::data::Dataset;
use crate::diagnostics::messages::run as msg;
use crate::diagnostics::{Diagnostic, FileId, SourceFile, Sources};
use crate::eval::Assignment;
use crate::syntax::ast::Span;

pub fn read(path: &str, text: &str, policy: &CheckedPolicy, data: &Dataset, sources: &mut Sources) -> (Option<Assignment>, Vec<Diagnostic>) {
    let file: FileId = sources.add(SourceFile::new(path, text));
    let mut diags = Vec::new();
    let Some(a) = &policy.assignment else { return (None, diags) };
    let (entities, targets) = (&data.entities[a.entity], &data.entities[a.target]);
    let mut target = vec![None; entities.len()];
    let mut seen = vec![false; entities.len()];
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if i == 0 || content.trim().is_empty() {
            continue; // header
        }
        let span = Span::new(start, start + content.len());
        let cells: Vec<&str> = content.split(',').map(|c| c.trim().trim_matches('"')).collect();
        if cells.len() != 2 {
            diags.push(msg::bad_plan_row(file, span, "a plan row has two cells: key and target", "write `KEY,TARGET` (TARGET empty for none)"));
            continue;
        }
        let Some(row) = entities.row(cells[0]) else {
            diags.push(msg::bad_plan_row(file, span, &format!("unknown key `{}`", cells[0]), "use keys from the data"));
            continue;
        };
        if seen[row as usize] {
            diags.push(msg::bad_plan_row(file, span, &format!("`{}` appears twice", cells[0]), "give each key one row"));
            continue;
        }
        seen[row as usize] = true;
        if cells[1].is_empty() {
            continue;
        }
        match targets.row(cells[1]) {
            Some(t) => target[row as usize] = Some(t),
            None => diags.push(msg::bad_plan_row(file, span, &format!("unknown target `{}`", cells[1]), "use target keys from the data")),
        }
    }
    if diags.is_empty() {
        (Some(Assignment { target }), diags)
    } else {
        (None, diags)
    }
}
