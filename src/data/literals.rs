//! Texts that the policy compares with a field but that no row holds:
//! almost always a typo (`"Helthcare"`), reported as a warning.

use crate::check::ir::{CheckedPolicy, Const, TExpr, TExprKind};
use crate::check::schema::{EntityId, FieldId};
use crate::data::{Column, Dataset};
use crate::diagnostics::messages::data as msg;
use crate::diagnostics::{Diagnostic, FileId};
use crate::syntax::ast::BinaryOp;
use std::collections::BTreeSet;

/// (entity, field) when `e` reads a text or text-set field.
fn text_field(e: &TExpr) -> Option<(EntityId, FieldId)> {
    match &e.kind {
        TExprKind::Field { entity, field, .. } => Some((*entity, *field)),
        _ => None,
    }
}

fn texts(e: &TExpr) -> Vec<&str> {
    match &e.kind {
        TExprKind::Const(Const::Text(s)) => vec![s.as_str()],
        TExprKind::TextList(items) => items.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

pub fn unseen_texts(policy: &CheckedPolicy, data: &Dataset, file: FileId) -> Vec<Diagnostic> {
    let mut found: BTreeSet<(usize, usize, String, EntityId, FieldId)> = BTreeSet::new();
    for root in policy.expressions() {
        root.walk(&mut |e| {
            let TExprKind::Binary { op, lhs, rhs } = &e.kind else { return };
            let pairs: Vec<(&TExpr, &TExpr)> = match op {
                BinaryOp::Eq | BinaryOp::Ne => vec![(lhs, rhs), (rhs, lhs)],
                BinaryOp::In => vec![(rhs, lhs)],
                _ => Vec::new(),
            };
            for (field_side, text_side) in pairs {
                let Some((entity, field)) = text_field(field_side) else { continue };
                for t in texts(text_side) {
                    found.insert((text_side.span.start, text_side.span.end, t.to_string(), entity, field));
                }
            }
        });
    }
    let mut out = Vec::new();
    for (start, end, text, entity, field) in found {
        let column = &data.entities[entity].columns[field];
        let values: BTreeSet<&str> = match column {
            Column::Text(v) => v.iter().flatten().map(|s| data.texts.resolve(*s)).collect(),
            Column::TextSet(v) => v.iter().flatten().map(|s| data.texts.resolve(*s)).collect(),
            _ => continue,
        };
        if values.contains(text.as_str()) || values.is_empty() {
            continue;
        }
        let suggestion = crate::check::suggest::closest(&text, values.iter().copied());
        let schema = &policy.schema.entities[entity];
        out.push(msg::unseen_text(
            file,
            crate::syntax::ast::Span::new(start, end),
            &text,
            &schema.name,
            &schema.fields[field].name,
            suggestion,
            &schema.file,
        ));
    }
    out
}
