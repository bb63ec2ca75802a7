//! Wording of `terra explain` and of conflicts in infeasible policies
//! (R0610-R0629).

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;

/// One rule instance of a minimal conflict, described in the policy's terms.
pub struct ConflictPart {
    pub span: Span,
    /// e.g. "`capacity` for rep R017: at most 120 hours; the others need 134 hours".
    pub label: String,
}

/// The minimal set of conflicting rule instances, with repairs as help.
/// `parts` is never empty.
/// `instances` counts the rule instances over all parts.
pub fn conflict(file: FileId, parts: &[ConflictPart], instances: usize, background: Option<Span>, repairs: &[String]) -> Diagnostic {
    let (first_span, first_label) = parts.first().map_or((Span::default(), String::new()), |p| (p.span, p.label.clone()));
    let n = instances;
    let message = if n == 1 {
        "the policy cannot be satisfied: one rule instance cannot hold".to_string()
    } else {
        format!("the policy cannot be satisfied: these {n} rule instances contradict each other")
    };
    let mut d = Diagnostic::error("R0610", message, Label::new(file, first_span, first_label));
    for p in parts.iter().skip(1) {
        d = d.with_label(file, p.span, p.label.clone());
    }
    if let Some(span) = background {
        d = d.with_label(file, span, "together with the assignment it must make");
    }
    let help = if repairs.is_empty() {
        "relax one of the labelled rules; dropping any one of them makes the rest satisfiable".to_string()
    } else {
        format!("any one of these repairs removes the conflict:\n{}", repairs.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n"))
    };
    d.with_help(help)
}

/// Adds to a conflict about one stranded row how many others are stranded too.
pub fn more_stranded(d: Diagnostic, others: usize, entity: &str, target: &str) -> Diagnostic {
    if others == 0 {
        return d;
    }
    let help = d.help.clone().unwrap_or_default();
    let s = if others == 1 { "" } else { "s" };
    d.with_help(format!("{help}\n{others} more {entity}{s} have no {target} left either"))
}

/// The plan was made from other files than those now on disk.
pub fn plan_inputs_changed(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::warning("R0611", format!("{what} changed since the plan was written"), Label::new(file, span, "read now"))
        .with_help("explanations use the files as they are now; solve again to explain a plan made from them")
}

/// `--account`, `--rep` or `--rule` names nothing in the plan.
pub fn unknown_subject(file: FileId, span: Span, what: &str, name: &str, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error("R0612", format!("no {what} `{name}`"), Label::new(file, span, format!("the {what}s are declared or loaded here")));
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("name a {what} of the plan")),
    }
}

/// The plan directory lacks what `explain` needs.
pub fn bad_plan_dir(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::error("R0613", what.to_string(), Label::new(file, Span::default(), ""))
        .with_help("pass a directory written by `terra solve` (plan.csv and plan.json), or a plan CSV with `--policy`")
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "R0610",
        title: "conflicting rules",
        explanation: "No plan satisfies every hard rule. terra searched for a minimal set of rule instances that cannot hold together (a deletion filter: it drops one group of instances at a time and keeps it out whenever the rest still cannot be satisfied), and labels each instance of that set with its rule, its entity and its numbers. Dropping any one labelled instance makes the rest satisfiable. The help lists repairs in the rules' own units: how far a limit must move, which locked row to unlock, how wide a tolerance must be. For example, a rep whose capacity is smaller than the effort of the accounts locked to them: raise the capacity, or unlock one of the accounts.",
    },
    CodeInfo {
        code: "R0611",
        title: "plan inputs changed",
        explanation: "`terra explain` reads the policy and data files that `plan.json` names, and compares their SHA-256 with the ones recorded when the plan was written. A difference means the explanation is about today's files, not those the plan was made from. Solve again to explain a fresh plan.",
    },
    CodeInfo {
        code: "R0612",
        title: "unknown explanation subject",
        explanation: "`terra explain --account ID`, `--rep ID` and `--rule NAME` take a key of the assigned entity, a key of the target entity, or the name of a rule or preference of the policy. The name given matches none; the help suggests the closest one.",
    },
    CodeInfo {
        code: "R0613",
        title: "not a plan",
        explanation: "`terra explain` takes a directory written by `terra solve` (with plan.csv and plan.json, whose provenance names the policy), or a plan CSV together with `--policy POLICY`.",
    },
];
