//! The rule diff: the named declarations of two versions of a policy,
//! compared by their syntax trees (so layout and comments do not count).

use crate::syntax::ast::{Item, PolicyFile};
use crate::syntax::format::without_spans;
use serde::Serialize;
use serde_json::Value as Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// `rule`, `prefer`, `expect`, `param`, `let`, `objective`, `scenario`,
    /// `entity`, `table`, `assign` or `policy`.
    pub kind: &'static str,
    pub name: String,
    pub change: Change,
}

/// Each named declaration as (kind, name, span-free tree). An objective
/// contributes one entry per term, so that a changed weight names its term.
fn declarations(file: &PolicyFile) -> Vec<(&'static str, String, Json)> {
    let tree = |item: &Item| without_spans(&PolicyFile { items: vec![item.clone()], comments: Vec::new() });
    let mut out = Vec::new();
    for item in &file.items {
        let (kind, name) = match item {
            Item::Policy(_) => ("policy", String::new()),
            Item::Entity(d) => ("entity", d.name.name.clone()),
            Item::Table(d) => ("table", d.name.name.clone()),
            Item::Assign(_) => ("assign", String::new()),
            Item::Param(d) => ("param", d.name.name.clone()),
            Item::Let(d) => ("let", d.name.name.clone()),
            Item::Rule(d) => ("rule", d.name.name.clone()),
            Item::Prefer(d) => ("prefer", d.name.name.clone()),
            Item::Expect(d) => ("expect", d.name.name.clone()),
            Item::Scenario(d) => ("scenario", d.name.name.clone()),
            Item::Objective(d) => {
                for term in &d.terms {
                    let mut t = serde_json::to_value(term).unwrap_or(Json::Null);
                    strip(&mut t);
                    out.push(("objective", term.name.name.clone(), t));
                }
                continue;
            }
        };
        out.push((kind, name, tree(item)));
    }
    out
}

fn strip(v: &mut Json) {
    match v {
        Json::Object(m) => {
            m.remove("span");
            m.values_mut().for_each(strip);
        }
        Json::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// Order of kinds in a report: what a reviewer reads first.
fn kind_rank(kind: &str) -> usize {
    ["rule", "prefer", "objective", "expect", "param", "let", "scenario", "assign", "entity", "table", "policy"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

/// Added, removed and changed declarations, by kind then name.
pub fn diff(old: &PolicyFile, new: &PolicyFile) -> Vec<RuleChange> {
    let (old, new) = (declarations(old), declarations(new));
    let mut changes = Vec::new();
    for (kind, name, tree) in &new {
        match old.iter().find(|(k, n, _)| k == kind && n == name) {
            None => changes.push(RuleChange { kind, name: name.clone(), change: Change::Added }),
            Some((_, _, before)) if before != tree => changes.push(RuleChange { kind, name: name.clone(), change: Change::Changed }),
            Some(_) => {}
        }
    }
    for (kind, name, _) in &old {
        if !new.iter().any(|(k, n, _)| k == kind && n == name) {
            changes.push(RuleChange { kind, name: name.clone(), change: Change::Removed });
        }
    }
    changes.sort_by(|a, b| (kind_rank(a.kind), &a.name, a.change).cmp(&(kind_rank(b.kind), &b.name, b.change)));
    changes
}

impl RuleChange {
    /// `rule capacity`, `policy`.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.kind.to_string()
        } else {
            format!("{} {}", self.kind, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::FileId;

    fn changes(old: &str, new: &str) -> Vec<String> {
        let (a, b) = (crate::syntax::parse(old, FileId(0)), crate::syntax::parse(new, FileId(0)));
        diff(&a.file, &b.file).iter().map(|c| format!("{:?} {}", c.change, c.label())).collect()
    }

    const BASE: &str = "param cap = 10\nrule small: count(a in account) <= cap\nobjective {\n  maximize reach weight 1: count(a in account)\n  minimize cost weight 2: count(a in account)\n}\n";

    #[test]
    fn layout_and_comments_are_no_change() {
        let relaid = "// caps\nparam cap = 10\nrule small:\n  count(a in account)   <= cap // the cap\nobjective { maximize reach weight 1: count(a in account)\n minimize cost weight 2: count(a in account) }\n";
        assert!(changes(BASE, relaid).is_empty());
    }

    #[test]
    fn changes_are_named_by_kind_and_name() {
        let new = "param cap = 12\nexpect few: count(a in account) <= 5\nobjective {\n  maximize reach weight 3: count(a in account)\n}\n";
        assert_eq!(
            changes(BASE, new),
            ["Removed rule small", "Removed objective cost", "Changed objective reach", "Added expect few", "Changed param cap"]
        );
    }
}
