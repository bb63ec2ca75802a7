//! Wording of problems met while running a command (R06xx): infeasible
//! policies, plans that break rules, files that cannot be read or written.

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;


/// `excluded_by`: (rule name, its span, how many targets it excluded).
pub fn no_candidate(file: FileId, entity: &str, key: &str, target: &str, excluded_by: &[(String, Span, usize)]) -> Diagnostic {
    let primary = excluded_by.first().map_or(Span::default(), |e| e.1);
    let mut d = Diagnostic::error(
        "R0601",
        format!("{entity} {key} must have a {target}, but every {target} is ruled out"),
        Label::new(file, primary, format!("rules out {} {target}s for {key}", excluded_by.first().map_or(0, |e| e.2))),
    );
    for (name, span, n) in excluded_by.iter().skip(1) {
        d = d.with_label(file, *span, format!("`{name}` rules out {n} more"));
    }
    d.with_help(format!("relax one of these rules for {key}, or add a {target} that satisfies them"))
}

pub fn data_breaks_rule(file: FileId, rule: &str, span: Span, instance: &str) -> Diagnostic {
    Diagnostic::error("R0602", format!("the data breaks rule `{rule}` for {instance}"), Label::new(file, span, "fails on the data alone"))
        .with_help("this rule does not depend on the assignment; fix the data or the rule")
}

pub fn infeasible(file: FileId, rules: &[(String, Span)]) -> Diagnostic {
    let primary = rules.first().map_or(Span::default(), |r| r.1);
    let mut d = Diagnostic::error("R0603", "the rules cannot all hold at once", Label::new(file, primary, "one of the rules involved"));
    for (_, span) in rules.iter().skip(1) {
        d = d.with_label(file, *span, "involved");
    }
    d.with_help("relax a rule (a param such as a tolerance or a cap), or turn a rule into a `prefer` to find out which instances conflict")
}

pub fn rule_violated(file: FileId, rule: &str, span: Span, instance: &str, amount: Option<String>) -> Diagnostic {
    let detail = amount.map_or(String::new(), |a| format!(" by {a}"));
    Diagnostic::error("R0604", format!("rule `{rule}` is broken for {instance}{detail}"), Label::new(file, span, "this rule"))
        .with_help("change the plan, or the rule")
}

pub fn solver_disagrees(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error("R0605", format!("internal error: the solver's plan fails the independent check: {what}"), Label::new(file, span, "here"))
        .with_help("no plan was written. Please report this with the policy and data; `--write-mps` saves the model")
}

pub fn no_solution(file: FileId, span: Span, why: &str) -> Diagnostic {
    Diagnostic::error("R0606", format!("no plan found: {why}"), Label::new(file, span, "this policy"))
        .with_help("raise `--time-limit`, or loosen the rules")
}

pub fn bad_plan_row(file: FileId, span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::error("R0607", what.to_string(), Label::new(file, span, "here")).with_help(help.to_string())
}

pub fn io_error(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error("R0608", what.to_string(), Label::new(file, span, "")).with_help("check the path and its permissions")
}

pub fn assignment_broken(file: FileId, span: Span, entity: &str, key: &str) -> Diagnostic {
    Diagnostic::error("R0609", format!("{entity} {key} must be assigned, but the plan leaves it out"), Label::new(file, span, "requires exactly one"))
        .with_help("give it a target in the plan")
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "R0601", title: "no eligible target", explanation: "A row that must be assigned (an `exactly one` clause) has no target left once the hard rules about pairs are applied. The labels show which rules ruled targets out and how many. Relax a rule, or add a target that satisfies them." },
    CodeInfo { code: "R0602", title: "data breaks a rule", explanation: "A hard rule that does not depend on the assignment is false on the data itself, e.g. `for r in rep: r.capacity > 0 hours` with a rep of capacity 0. Fix the data or the rule." },
    CodeInfo { code: "R0603", title: "infeasible policy", explanation: "No assignment satisfies every hard rule together. Loosen a param, or turn a rule into a preference (`prefer NAME weight W: ...`) to see which instances conflict." },
    CodeInfo { code: "R0604", title: "rule broken by a plan", explanation: "`terra verify` found an instance of a hard rule that the plan breaks. The message names the rule, the entity and by how much." },
    CodeInfo { code: "R0605", title: "solver and evaluator disagree", explanation: "terra re-checks every solved plan with an independent evaluator. A disagreement is a bug in terra; no plan is written." },
    CodeInfo { code: "R0606", title: "no solution found", explanation: "The solver stopped (time or node limit) before finding any plan. Raise the limit or loosen the rules." },
    CodeInfo { code: "R0607", title: "bad plan file", explanation: "A plan CSV row names an unknown key, repeats a key, or lacks a column. A plan CSV has a header and two columns: the assigned entity's key and the target's key (empty for none)." },
    CodeInfo { code: "R0608", title: "file error", explanation: "A file could not be read or written." },
    CodeInfo { code: "R0609", title: "missing assignment", explanation: "A row under `exactly one` has no target in the plan." },
];
