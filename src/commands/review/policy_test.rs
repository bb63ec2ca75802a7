//! `terra test`: solves the policy and each of its scenarios, runs every
//! `expect` on every plan, and reports per-rule coverage: which hard rules
//! bind (a row of theirs is tight, or they remove candidate pairs) in at
//! least one run. Output as text, JSON, JUnit XML or GitHub annotations;
//! a failed expectation, or a run without a plan, exits 1.

use super::project::{self, SolverSettings};
use super::scenarios::{solve_all, Run};
use crate::check::ir::ConstraintKind;
use crate::commands::solve::Loaded;
use crate::commands::{emit, exit};
use crate::diagnostics::messages::review as msg;
use crate::diagnostics::render::{self, HumanStyle};
use crate::report::fmt::escape;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
    Github,
}

pub struct TestArgs {
    pub policy: Option<PathBuf>,
    /// Only these scenarios (and the base); all when empty.
    pub scenarios: Vec<String>,
    pub format: TestFormat,
    pub solver: SolverSettings,
    /// Fail when fewer rules than this share bind (0..=1).
    pub min_coverage: Option<f64>,
}

/// One expectation on one run, or a run without a plan (`expectation` None).
struct Case {
    run: String,
    expectation: Option<String>,
    line: usize,
    failure: Option<String>,
    /// The instances a failed expectation fails for.
    violated: Vec<String>,
}

/// At most this many failing instances are named in a message.
const SHOWN_INSTANCES: usize = 5;

/// `rep R01, rep R02 and 7 more`.
fn instances_text(instances: &[String]) -> String {
    let shown = instances.iter().take(SHOWN_INSTANCES).cloned().collect::<Vec<_>>().join(", ");
    match instances.len().saturating_sub(SHOWN_INSTANCES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// One hard rule and the runs it binds in.
struct Coverage {
    rule: String,
    line: usize,
    runs: Vec<String>,
}

/// How a run ended: `optimal`, `feasible` (stopped by a limit) or `no plan`.
struct RunStatus {
    name: String,
    status: String,
    stopped_by: Option<String>,
}

impl RunStatus {
    /// `growth optimal`, `base feasible (time_limit)`, `rep_leaves no plan`.
    fn text(&self) -> String {
        match (&self.stopped_by, self.status.as_str()) {
            (Some(why), "feasible") => format!("{} feasible (stopped by {})", self.name, why.replace('_', " ")),
            _ => format!("{} {}", self.name, self.status),
        }
    }
}

struct Report {
    policy: String,
    runs: Vec<RunStatus>,
    cases: Vec<Case>,
    coverage: Vec<Coverage>,
}

impl Report {
    fn failed(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }
    fn covered(&self) -> usize {
        self.coverage.iter().filter(|c| !c.runs.is_empty()).count()
    }
    fn coverage_share(&self) -> f64 {
        if self.coverage.is_empty() {
            1.0
        } else {
            self.covered() as f64 / self.coverage.len() as f64
        }
    }
}

fn build(loaded: &Loaded, runs: &[Run]) -> Report {
    let policy = &loaded.policy;
    let source = loaded.sources.get(loaded.file);
    let line_of = |name: &str| policy.constraints.iter().find(|c| c.name == name).map_or(1, |c| source.line_col(c.span.start).0);
    let mut cases = Vec::new();
    for run in runs {
        match &run.outcome {
            Ok(plan) => {
                for e in plan.expectations() {
                    let failure = (!e.passed).then(|| format!("fails for {}", instances_text(&e.violated)));
                    cases.push(Case { run: run.name().to_string(), line: line_of(&e.name), expectation: Some(e.name), failure, violated: e.violated });
                }
            }
            Err(no) => {
                let why: Vec<String> = no.diagnostics.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
                cases.push(Case { run: run.name().to_string(), expectation: None, line: 1, failure: Some(format!("no plan: {}", why.join("; "))), violated: Vec::new() });
            }
        }
    }
    let coverage = policy
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::Hard)
        .map(|c| Coverage {
            rule: c.name.clone(),
            line: source.line_col(c.span.start).0,
            runs: runs
                .iter()
                .filter(|r| r.outcome.as_ref().is_ok_and(|p| p.binding_rules().contains(&c.name)))
                .map(|r| r.name().to_string())
                .collect(),
        })
        .collect();
    let runs = runs
        .iter()
        .map(|r| match &r.outcome {
            Ok(plan) => RunStatus { name: r.name().to_string(), status: plan.status(), stopped_by: plan.json["stopped_by"].as_str().map(str::to_string) },
            Err(_) => RunStatus { name: r.name().to_string(), status: "no plan".into(), stopped_by: None },
        })
        .collect();
    Report { policy: loaded.policy_path.clone(), runs, cases, coverage }
}

fn case_name(c: &Case) -> String {
    match &c.expectation {
        Some(e) => e.clone(),
        None => "solve".to_string(),
    }
}

fn human(r: &Report) -> String {
    let mut s = String::new();
    let runs: Vec<String> = r.runs.iter().map(RunStatus::text).collect();
    let _ = writeln!(s, "runs: {}\n", runs.join(", "));
    let width = r.cases.iter().map(|c| c.run.len() + case_name(c).len() + 1).max().unwrap_or(0);
    for c in &r.cases {
        let label = format!("{} {}", c.run, case_name(c));
        match &c.failure {
            None => {
                let _ = writeln!(s, "{label:<width$}  ok");
            }
            Some(f) => {
                let _ = writeln!(s, "{label:<width$}  FAILED  {f}");
            }
        }
    }
    let failed = r.failed();
    let _ = writeln!(s, "\n{} passed, {failed} failed", r.cases.len() - failed);
    let _ = writeln!(
        s,
        "coverage: {} of {} rules bind in at least one run ({:.0}%)",
        r.covered(),
        r.coverage.len(),
        r.coverage_share() * 100.0
    );
    let width = r.coverage.iter().map(|c| c.rule.len()).max().unwrap_or(0);
    for c in &r.coverage {
        let runs = if c.runs.is_empty() { "never binds".to_string() } else { c.runs.join(", ") };
        let _ = writeln!(s, "  {:<width$}  {runs}", c.rule);
    }
    s
}

fn to_json(r: &Report) -> Json {
    json!({
        "format_version": super::FORMAT_VERSION,
        "command": "test",
        "policy": r.policy,
        "passed": r.cases.len() - r.failed(),
        "failed": r.failed(),
        "runs": r.runs.iter().map(|x| json!({"name": x.name, "status": x.status, "stopped_by": x.stopped_by})).collect::<Vec<_>>(),
        "cases": r.cases.iter().map(|c| json!({
            "run": c.run,
            "expectation": c.expectation,
            "line": c.line,
            "passed": c.failure.is_none(),
            "failure": c.failure,
        })).collect::<Vec<_>>(),
        "coverage": {
            "covered": r.covered(),
            "rules": r.coverage.len(),
            "share": crate::commands::output::round(r.coverage_share()),
            "per_rule": r.coverage.iter().map(|c| json!({"rule": c.rule, "line": c.line, "binds_in": c.runs})).collect::<Vec<_>>(),
        },
    })
}


/// JUnit XML: one test suite per run, one test case per expectation.
fn junit(r: &Report) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(s, "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\">", escape(&r.policy), r.cases.len(), r.failed());
    let mut runs: Vec<&str> = Vec::new();
    for c in &r.cases {
        if !runs.contains(&c.run.as_str()) {
            runs.push(&c.run);
        }
    }
    for run in runs {
        let cases: Vec<&Case> = r.cases.iter().filter(|c| c.run == run).collect();
        let failures = cases.iter().filter(|c| c.failure.is_some()).count();
        let _ = writeln!(s, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">", escape(run), cases.len());
        for c in cases {
            let name = escape(&case_name(c));
            let class = escape(&format!("{}.{}", r.policy, run));
            match &c.failure {
                None => {
                    let _ = writeln!(s, "    <testcase classname=\"{class}\" name=\"{name}\"/>");
                }
                Some(f) => {
                    let f = escape(f);
                    let _ = writeln!(s, "    <testcase classname=\"{class}\" name=\"{name}\">\n      <failure message=\"{f}\">{f}</failure>\n    </testcase>");
                }
            }
        }
        let _ = writeln!(s, "  </testsuite>");
    }
    s.push_str("</testsuites>\n");
    s
}

/// GitHub workflow commands: an error annotation per failure, a warning per
/// rule that never binds, and a notice with the totals.
fn github(r: &Report, loaded: &Loaded) -> String {
    let mut failures = Vec::new();
    for c in r.cases.iter().filter(|c| c.failure.is_some()) {
        let span = loaded.policy.constraints.iter().find(|k| Some(&k.name) == c.expectation.as_ref()).map_or_else(Default::default, |k| k.name_span);
        let d = match &c.expectation {
            Some(name) => msg::expectation_failed(loaded.file, span, name, &format!("run {}", c.run), &c.violated),
            None => crate::diagnostics::messages::run::no_solution(loaded.file, span, &format!("{} ({})", c.failure.clone().unwrap_or_default(), c.run)),
        };
        failures.push(d);
    }
    let mut s = render::render_all(&failures, &loaded.sources, render::Format::Github, HumanStyle::plain(100));
    for c in r.coverage.iter().filter(|c| c.runs.is_empty()) {
        let file = r.policy.replace('%', "%25").replace(':', "%3A").replace(',', "%2C");
        let _ = writeln!(s, "::warning file={file},line={},title=rule never binds::rule `{}` binds in no run of terra test", c.line, c.rule);
    }
    let _ = writeln!(
        s,
        "::notice title=terra test::{} passed, {} failed; {} of {} rules bind",
        r.cases.len() - r.failed(),
        r.failed(),
        r.covered(),
        r.coverage.len()
    );
    s
}

pub fn run(args: &TestArgs) -> i32 {
    let diag_format = match args.format {
        TestFormat::Json => render::Format::Json,
        TestFormat::Github => render::Format::Github,
        _ => render::Format::Human,
    };
    let (resolved, loaded) = match project::resolve_and_load("test", args.policy.clone(), None, diag_format) {
        Ok(both) => both,
        Err(code) => return code,
    };
    for name in &args.scenarios {
        if !loaded.policy.scenarios.iter().any(|s| &s.name == name) {
            let known: Vec<String> = loaded.policy.scenarios.iter().map(|s| s.name.clone()).collect();
            emit(&[msg::unknown_scenario(loaded.file, Default::default(), name, &known)], &loaded.sources, diag_format);
            return exit::ERROR;
        }
    }
    let options = resolved.solver(&args.solver).options(false);
    let runs = solve_all(&loaded, &args.scenarios, &options);
    let report = build(&loaded, &runs);
    let text = match args.format {
        TestFormat::Human => human(&report),
        TestFormat::Json => super::json_text(&to_json(&report)),
        TestFormat::Junit => junit(&report),
        TestFormat::Github => github(&report, &loaded),
    };
    crate::out!("{text}");
    let below = args.min_coverage.is_some_and(|m| report.coverage_share() + 1e-12 < m);
    if below && args.format == TestFormat::Human {
        eprintln!("coverage {:.0}% is below --min-coverage {:.0}%", report.coverage_share() * 100.0, args.min_coverage.unwrap_or(0.0) * 100.0);
    }
    if report.failed() > 0 || below {
        exit::VIOLATED
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_covers_markup_and_control_characters() {
        assert_eq!(escape(r#"a<b>&"c"'d'"#), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
        assert_eq!(escape("tab\tline\nbell\u{7}"), "tab\tline\nbell\u{FFFD}");
    }

    #[test]
    fn junit_escapes_names_and_messages() {
        let report = Report {
            policy: "p&q.terra".into(),
            runs: Vec::new(),
            cases: vec![Case { run: "base".into(), expectation: Some("e".into()), line: 1, failure: Some("fails for rep <R1>".into()), violated: vec!["rep <R1>".into()] }],
            coverage: Vec::new(),
        };
        let xml = junit(&report);
        assert!(xml.contains(r#"<testsuites name="p&amp;q.terra" tests="1" failures="1">"#), "{xml}");
        assert!(xml.contains(r#"<failure message="fails for rep &lt;R1&gt;">fails for rep &lt;R1&gt;</failure>"#), "{xml}");
    }

    #[test]
    fn long_instance_lists_are_cut() {
        let many: Vec<String> = (1..=8).map(|i| format!("rep R{i}")).collect();
        assert_eq!(instances_text(&many), "rep R1, rep R2, rep R3, rep R4, rep R5 and 3 more");
    }
}
