//! Wording of problems met while reviewing policies (R0630–R0649): the
//! project file `terra.toml`, git revisions, plan directories and policy
//! tests.

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;

pub fn bad_project_file(file: FileId, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error("R0630", format!("terra.toml: {what}"), Label::new(file, span, "here"))
        .with_help("the keys are `policy`, `data`, `out` and a `[solver]` table with `time_limit`, `gap`, `threads`, `seed`, `node_limit`; see docs/ci.md")
}

pub fn no_policy(file: FileId, command: &str) -> Diagnostic {
    Diagnostic::error("R0631", format!("`terra {command}` was given no policy; no terra.toml names one, and there is no policy.terra here"), Label::new(file, Span::default(), ""))
        .with_help("name the policy file, or run inside a project folder whose terra.toml has `policy = \"policy.terra\"`")
}

pub fn git_failed(file: FileId, what: &str, stderr: &str) -> Diagnostic {
    let detail = stderr.trim();
    let message = if detail.is_empty() { what.to_string() } else { format!("{what}: {detail}") };
    Diagnostic::error("R0632", message, Label::new(file, Span::default(), ""))
        .with_help("check that the revision exists (`git log --oneline`) and that the file is committed at it (`git show REV:PATH`)")
}

pub fn bad_plan_dir(file: FileId, what: &str) -> Diagnostic {
    Diagnostic::error("R0633", what.to_string(), Label::new(file, Span::default(), ""))
        .with_help("a plan directory holds plan.csv and plan.json as `terra solve --out DIR` writes them")
}

pub fn unknown_scenario(file: FileId, span: Span, name: &str, known: &[String]) -> Diagnostic {
    let list = if known.is_empty() { "the policy has no scenarios".to_string() } else { format!("the policy has: {}", known.join(", ")) };
    Diagnostic::error("R0634", format!("no scenario `{name}`"), Label::new(file, span, "in this policy"))
        .with_help(format!("{list}; `--all` runs every one"))
}

pub fn expectation_failed(file: FileId, span: Span, name: &str, run: &str, instances: &[String]) -> Diagnostic {
    let shown: Vec<&str> = instances.iter().take(5).map(String::as_str).collect(); // the rest are counted
    let more = instances.len().saturating_sub(shown.len());
    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
    Diagnostic::error("R0635", format!("expectation `{name}` fails in {run}, for {}{tail}", shown.join(", ")), Label::new(file, span, "this expectation"))
        .with_help("change the policy so that its plans keep the expectation, or change the expectation")
}

pub fn unsafe_data_path(file: FileId, span: Span, path: &str) -> Diagnostic {
    Diagnostic::error("R0636", format!("`{path}` leaves the policy's folder, so it cannot be read at a git revision"), Label::new(file, span, "this data file"))
        .with_help("keep data files in the policy's folder or below it, or diff two plan directories instead")
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo { code: "R0630", title: "bad project file", explanation: "terra.toml, the project file, is not valid TOML or has a key terra does not know or a value of the wrong kind. The project file names the default policy (`policy`), the data folder (`data`), the output folder (`out`) and the solver options (`[solver]`: `time_limit`, `gap`, `threads`, `seed`, `node_limit`). Paths are relative to the folder of terra.toml.\n\nExample:\n  policy = \"policy.terra\"\n  out = \"plans\"\n  [solver]\n  gap = \"0.5%\"" },
    CodeInfo { code: "R0631", title: "no policy given", explanation: "A command that needs a policy was given none, no terra.toml in the current folder or above it names one, and the current folder has no policy.terra. Name the policy on the command line (`terra solve policy.terra`), or add `policy = \"policy.terra\"` to the project's terra.toml." },
    CodeInfo { code: "R0632", title: "git revision cannot be read", explanation: "`terra diff OLD NEW -- POLICY` reads the policy and its data files at each revision with `git show REV:PATH`. git failed: the revision is unknown, the file was not committed at it, or the folder is not in a git repository. `git show REV:./policy.terra` run in the policy's folder shows the same error." },
    CodeInfo { code: "R0633", title: "bad plan directory", explanation: "`terra diff OLD NEW` with two folders compares two plans written by `terra solve --out DIR`. A folder lacks plan.csv or plan.json, or they cannot be read as plans. Solve again to write them." },
    CodeInfo { code: "R0634", title: "unknown scenario", explanation: "`--scenario NAME` names no scenario of the policy. The help lists the scenarios it has; `--all` runs every one." },
    CodeInfo { code: "R0635", title: "expectation failed", explanation: "`terra test` solved the policy (and each scenario) and an `expect` does not hold on the plan. The message names the run (base or scenario) and the instances that fail. An expectation is a check on the plan, not an instruction to the solver: change a rule, a param or the expectation.\n\nExample:\n  expect fair_books: max(book(r) for r in rep) <= 1.3 * min(book(r) for r in rep)" },
    CodeInfo { code: "R0636", title: "data file outside the policy folder", explanation: "To read a policy at a git revision, terra reads its data files at that revision too, relative to the policy's folder. A data path that is absolute or goes up with `..` cannot be read that way. Keep the data beside the policy, or compare two plan folders written by `terra solve`." },
];
