//! Wording of problems met while writing an HTML report (R065x): a plan
//! folder that cannot be read, a policy that cannot be found, inputs that
//! changed since the plan was solved.

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;

pub fn bad_plan_json(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error("R0650", format!("this is not a plan.json that terra can read: {what}"), Label::new(file, span, "here"))
        .with_help("point at a folder written by `terra solve --out DIR`, or solve again to rewrite it")
}

pub fn policy_not_found(file: FileId, span: Span, policy: &str, why: &str) -> Diagnostic {
    Diagnostic::error("R0651", format!("cannot read the policy `{policy}` that this plan was solved from: {why}"), Label::new(file, span, "named here"))
        .with_help("run the report from the folder `terra solve` ran in, or name the policy with `--policy FILE`")
}

pub fn input_changed(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::warning("R0652", format!("{what} changed since this plan was solved"), Label::new(file, span, "the plan was solved with this version"))
        .with_help("the report shows the current files; solve again for a plan of the current inputs")
}

pub fn plan_files_disagree(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::warning("R0653", format!("plan.csv and plan.json disagree: {what}"), Label::new(file, span, "plan.json says otherwise"))
        .with_help("the report shows plan.csv as evaluated now; solve again to rewrite both files together")
}

pub fn unknown_scenario(file: FileId, span: Span, scenario: &str, known: &str) -> Diagnostic {
    Diagnostic::error("R0654", format!("the plan was solved for scenario `{scenario}`, which the policy no longer has"), Label::new(file, span, "named here"))
        .with_help(format!("the policy's scenarios: {known}"))
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "R0650", title: "unreadable plan.json", explanation: "`terra report` reads the plan.json that `terra solve --out DIR` writes. The file is missing, is not JSON, or lacks a field the report needs (`status`, `provenance.policy_file`, ...). Point at a folder written by `terra solve`, or solve again." },
    CodeInfo { code: "R0651", title: "plan's policy not found", explanation: "A report draws the map and the balance charts from the policy and data the plan was solved from; plan.json names the policy file as `terra solve` was given it, relative to the folder it ran in. Run `terra report` from that folder, or give the policy with `--policy FILE`." },
    CodeInfo { code: "R0652", title: "inputs changed since solving", explanation: "A warning: the policy or a data file no longer has the SHA-256 recorded in plan.json's provenance. The report still renders, from the current files, and says so in its header; solve again for a plan of the current inputs." },
    CodeInfo { code: "R0653", title: "plan.csv and plan.json disagree", explanation: "A warning: the report re-evaluates plan.csv independently, and an objective term's value differs from the one plan.json records, e.g. because plan.csv was edited by hand. The report shows the values of plan.csv as evaluated now." },
    CodeInfo { code: "R0654", title: "plan's scenario not found", explanation: "plan.json says the plan was solved for a scenario that the policy no longer declares, so the report cannot rebuild the scenario's data. Restore the scenario or solve again." },
];
