//! The review commands end to end, through the binary: `terra diff` of plan
//! folders and of git revisions, `terra solve --all`, `terra test` and
//! `terra.toml`. Human outputs are pinned by snapshots, JSON outputs by
//! shape checks, and every plan the assertions rely on is re-evaluated
//! here with the evaluator (`eval`), never taken from the solver.

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use terra::check::ir::ConstraintKind;
use terra::eval::Evaluator;

fn terra_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terra"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out: Output = terra_in(dir).args(args).output().expect("run terra");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter")
}

/// A folder holding a copy of the starter policy and its data.
fn starter_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["policy.terra", "reps.csv", "accounts.csv"] {
        std::fs::copy(starter().join(name), dir.path().join(name)).expect("copy starter");
    }
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").current_dir(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A git repository with two commits of the starter policy: the second
/// tightens `tolerance` from 15% to 5%.
fn two_revisions() -> tempfile::TempDir {
    let dir = starter_copy();
    let p = dir.path();
    git(p, &["init", "-q"]);
    git(p, &["config", "user.name", "terra tests"]);
    git(p, &["config", "user.email", "tests@terra.invalid"]);
    git(p, &["config", "commit.gpgsign", "false"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "starter"]);
    git(p, &["branch", "-M", "main"]);
    git(p, &["checkout", "-q", "-b", "tighter"]);
    edit(&p.join("policy.terra"), "param tolerance = 15%", "param tolerance = 5%");
    git(p, &["commit", "-q", "-a", "-m", "tighter books"]);
    dir
}

/// Re-evaluates a written plan with the evaluator: every hard rule holds,
/// and the objective terms, KPIs and expectations in plan.json are the
/// evaluator's. Returns the assignment (key -> target).
fn checked_plan(policy: &Path, scenario: Option<&str>, plan_dir: &Path) -> BTreeMap<String, String> {
    let mut loaded = terra::commands::solve::load(policy).unwrap_or_else(|_| panic!("{} loads", policy.display()));
    let (params, scenario_data) = terra::commands::solve::scenario_inputs(&loaded, scenario).expect("scenario");
    let data = scenario_data.unwrap_or_else(|| loaded.data.clone());
    let csv = std::fs::read_to_string(plan_dir.join("plan.csv")).expect("plan.csv");
    let (assignment, diags) = terra::commands::plan_file::read("plan.csv", &csv, &loaded.policy, &data, &mut loaded.sources);
    assert!(diags.is_empty(), "plan.csv reads back");
    let assignment = assignment.expect("assignment");
    let policy_ir = &loaded.policy;
    let ev = Evaluator::for_plan(policy_ir, &data, &assignment).with_params(params);
    let evaluation = ev.evaluate();
    let hard: Vec<&str> = evaluation
        .violations
        .iter()
        .filter(|v| policy_ir.constraints[v.constraint].kind == ConstraintKind::Hard)
        .map(|v| policy_ir.constraints[v.constraint].name.as_str())
        .collect();
    assert!(hard.is_empty(), "{}: hard rules broken: {hard:?}", plan_dir.display());
    let json: Json = serde_json::from_str(&std::fs::read_to_string(plan_dir.join("plan.json")).expect("plan.json")).expect("JSON");
    for (term, raw) in policy_ir.objective.iter().zip(&evaluation.terms) {
        let reported = json["objective_terms"].as_array().unwrap().iter().find(|t| t["name"] == term.name.as_str()).unwrap();
        let r = reported["raw"].as_f64().unwrap();
        assert!((r - raw).abs() <= 1e-6 * raw.abs().max(1.0), "term {}: plan.json {r}, evaluator {raw}", term.name);
    }
    let a = policy_ir.assignment.as_ref().unwrap();
    let keys = &data.entities[a.target].keys;
    for (name, values) in ev.kpis() {
        for (row, value) in values.iter().enumerate() {
            let reported = json["kpis"].as_array().unwrap().iter().find(|k| k["rep"] == keys[row].as_str()).unwrap();
            let r = reported[&name].as_f64().unwrap();
            assert!((r - value).abs() <= 1e-6 * value.abs().max(1.0), "kpi {name} of {}: plan.json {r}, evaluator {value}", keys[row]);
        }
    }
    for (ci, c) in policy_ir.constraints.iter().enumerate().filter(|(_, c)| c.kind == ConstraintKind::Expect) {
        let passed = !evaluation.violations.iter().any(|v| v.constraint == ci);
        let reported = json["expectations"].as_array().unwrap().iter().find(|e| e["name"] == c.name.as_str()).unwrap();
        assert_eq!(reported["passed"].as_bool(), Some(passed), "expectation {}", c.name);
    }
    let entity_keys = &data.entities[a.entity].keys;
    assignment
        .target
        .iter()
        .enumerate()
        .map(|(e, t)| (entity_keys[e].clone(), t.map_or(String::new(), |t| keys[t as usize].clone())))
        .collect()
}

/// The moves between two assignments, computed here from the CSVs.
fn moves(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<(String, String, String)> {
    new.iter().filter(|(k, t)| old.get(*k) != Some(*t)).map(|(k, t)| (k.clone(), old.get(k).cloned().unwrap_or_default(), t.clone())).collect()
}

/// Checks that `value` has the shape of `spec`: an object spec lists the
/// keys that must be there (extra keys are fine), an array spec of one
/// element describes every element, and a string spec names the JSON types
/// allowed, separated by `|` (`number`, `string`, `bool`, `null`, `any`),
/// or with a leading `=` the exact text.
fn assert_shape(value: &Json, spec: &Json, at: &str) {
    match spec {
        Json::Object(fields) => {
            let obj = value.as_object().unwrap_or_else(|| panic!("{at}: expected an object, got {value}"));
            for (k, s) in fields {
                let v = obj.get(k).unwrap_or_else(|| panic!("{at}: missing key `{k}`"));
                assert_shape(v, s, &format!("{at}.{k}"));
            }
        }
        Json::Array(items) => {
            let arr = value.as_array().unwrap_or_else(|| panic!("{at}: expected an array, got {value}"));
            if let Some(s) = items.first() {
                for (i, v) in arr.iter().enumerate() {
                    assert_shape(v, s, &format!("{at}[{i}]"));
                }
            }
        }
        Json::String(exact) if exact.starts_with('=') => assert_eq!(value.as_str(), Some(&exact[1..]), "{at}"),
        Json::String(types) => {
            let ok = types.split('|').any(|t| match t {
                "number" => value.is_number(),
                "string" => value.is_string(),
                "bool" => value.is_boolean(),
                "null" => value.is_null(),
                "any" => true,
                _ => panic!("bad spec type {t}"),
            });
            assert!(ok, "{at}: {value} is not {types}");
        }
        other => assert_eq!(value, other, "{at}"),
    }
}

/// The JSON layouts, as docs/ci.md documents them.
pub fn diff_shape() -> Json {
    serde_json::json!({
        "format_version": 1,
        "command": "=diff",
        "policy": "string|null",
        "scenario": "string|null",
        "old": {"label": "string", "status": "string"},
        "new": {"label": "string", "status": "string"},
        "differs": "bool",
        "exit_code": "number",
        "entity": "string",
        "target": "string",
        "rules": [{"kind": "string", "name": "string", "change": "string"}],
        "moves": [{"key": "string", "from": "string|null", "to": "string|null"}],
        "objective": {"name": "string", "old": "number|null", "new": "number|null", "change": "number|null"},
        "objective_terms": [{"name": "string", "sense": "string", "old": "number|null", "new": "number|null", "change": "number|null"}],
        "kpis": [{"target": "string", "changes": [{"name": "string", "old": "number|null", "new": "number|null", "change": "number|null"}]}],
        "targets": "number",
        "expectations": [{"name": "string", "old_passed": "bool|null", "new_passed": "bool|null"}],
    })
}

fn test_shape() -> Json {
    serde_json::json!({
        "format_version": 1,
        "command": "=test",
        "policy": "string",
        "passed": "number",
        "failed": "number",
        "runs": [{"name": "string", "status": "string", "stopped_by": "string|null"}],
        "cases": [{"run": "string", "expectation": "string|null", "line": "number", "passed": "bool", "failure": "string|null"}],
        "coverage": {"covered": "number", "rules": "number", "share": "number", "per_rule": [{"rule": "string", "line": "number", "binds_in": ["string"]}]},
    })
}

fn all_shape() -> Json {
    serde_json::json!({
        "format_version": 1,
        "command": "=solve --all",
        "policy": "string",
        "runs": [{"name": "string", "scenario": "string|null", "dir": "string|null", "status": "string", "error": "any"}],
    })
}

#[test]
fn diff_of_two_plan_folders() {
    let dir = starter_copy();
    let p = dir.path();
    let (code, _, err) = run(p, &["solve", "policy.terra", "--out", "before"]);
    assert_eq!(code, 0, "{err}");
    let old = checked_plan(&p.join("policy.terra"), None, &p.join("before"));
    edit(&p.join("policy.terra"), "param tolerance = 15%", "param tolerance = 5%");
    let (code, _, err) = run(p, &["solve", "policy.terra", "--out", "after"]);
    assert_eq!(code, 0, "{err}");
    let new = checked_plan(&p.join("policy.terra"), None, &p.join("after"));
    let expected = moves(&old, &new);
    assert!(!expected.is_empty(), "a 5% tolerance moves accounts");

    let (code, summary, _) = run(p, &["diff", "before", "after"]);
    assert_eq!(code, 3, "plans differ: exit 3\n{summary}");
    insta::assert_snapshot!("diff_plan_folders", summary);
    let (code, details, _) = run(p, &["diff", "before", "after", "--details"]);
    assert_eq!(code, 3);
    insta::assert_snapshot!("diff_plan_folders_details", details);

    let (code, text, _) = run(p, &["diff", "before", "after", "--format", "json"]);
    assert_eq!(code, 3);
    let json: Json = serde_json::from_str(&text).expect("JSON");
    assert_shape(&json, &diff_shape(), "diff");
    let reported = reported_moves(&json);
    assert_eq!(reported, expected, "the moves are those between the two plan.csv files");
    // Each move changes the `accounts` KPI of both reps by one.
    for (_, from, to) in &expected {
        for (rep, sign) in [(from, -1.0), (to, 1.0)] {
            let k = json["kpis"].as_array().unwrap().iter().find(|k| k["target"] == rep.as_str()).expect("changed rep listed");
            let accounts = k["changes"].as_array().unwrap().iter().find(|c| c["name"] == "accounts").expect("accounts changed");
            let net: f64 = expected.iter().map(|(_, f, t)| if t == rep { 1.0 } else if f == rep { -1.0 } else { 0.0 }).sum();
            assert_eq!(accounts["change"].as_f64(), Some(net), "rep {rep} ({sign})");
        }
    }

    let (code, same, _) = run(p, &["diff", "before", "before"]);
    assert_eq!(code, 0, "a plan equals itself\n{same}");
    assert!(same.ends_with("no difference\n"));

    let (code, md, _) = run(p, &["diff", "before", "after", "--format", "github"]);
    assert_eq!(code, 3);
    insta::assert_snapshot!("diff_plan_folders_github", md);
}

#[test]
fn diff_of_a_missing_plan_folder_is_an_error() {
    let dir = starter_copy();
    let p = dir.path();
    std::fs::create_dir(p.join("empty")).unwrap();
    std::fs::write(p.join("empty").join("plan.json"), "{}").unwrap();
    let (code, _, err) = run(p, &["diff", "empty", "empty"]);
    assert_eq!(code, 2);
    assert!(err.contains("R0633"), "{err}");
    let (code, _, err) = run(p, &["diff", "no-such-folder", "empty"]);
    assert_eq!(code, 2);
    assert!(err.contains("R0633") && err.contains("no-such-folder"), "{err}");
}

#[test]
fn diff_of_two_git_revisions_end_to_end() {
    let repo = two_revisions();
    let p = repo.path();
    let (code, summary, err) = run(p, &["diff", "main", "tighter", "--", "policy.terra"]);
    assert_eq!(code, 3, "{summary}{err}");
    insta::assert_snapshot!("diff_git_revisions", summary);
    assert!(summary.contains("rules      changed param tolerance"), "{summary}");

    // Both sides are cached by content hash; the second run reads them.
    let cache = p.join(".terra/cache");
    let cached: Vec<PathBuf> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(cached.len(), 2, "one cached plan per revision");
    for dir in &cached {
        assert!(dir.join("plan.json").is_file() && dir.join("plan.csv").is_file());
    }
    git(p, &["checkout", "-q", "main"]);
    let (code, again, _) = run(p, &["diff", "main", "tighter", "--details", "--", "policy.terra"]);
    assert_eq!(code, 3);
    assert!(again.starts_with(&summary[..summary.find("  (--details").unwrap_or(0)]), "same summary from the cache");
    insta::assert_snapshot!("diff_git_revisions_details", again);
    let names: Vec<PathBuf> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(names.len(), 2, "nothing new was solved");
    assert!(std::fs::read_to_string(cache.join(".gitignore")).unwrap().starts_with('*'));
    let status = Command::new("git").current_dir(p).args(["status", "--porcelain"]).output().unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).trim().is_empty(), "the cache stays out of git");

    // The working tree is the revision `.`; here it is main.
    let (code, _, _) = run(p, &["diff", "main", ".", "--", "policy.terra"]);
    assert_eq!(code, 0, "main equals the working tree");

    // The diff's moves are those between plans solved and re-checked here.
    let main_plan = tempfile::tempdir().unwrap();
    let (code, _, err) = run(p, &["solve", "policy.terra", "--out", main_plan.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let old = checked_plan(&p.join("policy.terra"), None, main_plan.path());
    git(p, &["checkout", "-q", "tighter"]);
    let tight_plan = tempfile::tempdir().unwrap();
    let (code, _, err) = run(p, &["solve", "policy.terra", "--out", tight_plan.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let new = checked_plan(&p.join("policy.terra"), None, tight_plan.path());
    let (_, text, _) = run(p, &["diff", "main", "tighter", "--format", "json", "--", "policy.terra"]);
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_shape(&json, &diff_shape(), "diff");
    let reported = reported_moves(&json);
    assert_eq!(reported, moves(&old, &new));
    assert_eq!(json["rules"], serde_json::json!([{"kind": "param", "name": "tolerance", "change": "changed"}]));
}

#[test]
fn diff_exit_codes_for_infeasible_and_unknown_revisions() {
    let repo = two_revisions();
    let p = repo.path();
    // A capacity no plan can keep: the new side has no plan, exit 1.
    edit(&p.join("policy.terra"), "for r in rep: load(r) <= r.capacity", "for r in rep: load(r) <= 0.1 * r.capacity");
    git(p, &["commit", "-q", "-a", "-m", "impossible"]);
    let (code, _, err) = run(p, &["diff", "main", "HEAD", "--", "policy.terra"]);
    assert_eq!(code, 1, "infeasible: exit 1\n{err}");
    assert!(err.contains("R0610"), "the conflict is named: {err}");
    let (code, md, _) = run(p, &["diff", "main", "HEAD", "--format", "github", "--", "policy.terra"]);
    assert_eq!(code, 1);
    assert!(md.starts_with("### terra diff `main` → `HEAD` (policy.terra)\n\n**No plan for `HEAD`.**\n\n- R06"), "{md}");

    let (code, _, err) = run(p, &["diff", "main", "no-such-branch", "--", "policy.terra"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("R0632"), "{err}");

    // A rule that only changes layout and comments is no rule change.
    git(p, &["checkout", "-q", "main"]);
    edit(&p.join("policy.terra"), "rule capacity:\n  for r in rep:", "// the same rule, laid out differently\nrule capacity: for r in rep:");
    let (code, out, _) = run(p, &["diff", "main", ".", "--", "policy.terra"]);
    assert_eq!(code, 0, "{out}");

    // An expectation that the change adds and the new plan fails: exit 1.
    std::fs::write(p.join("policy.terra"), std::fs::read_to_string(p.join("policy.terra")).unwrap() + "\nexpect tiny_books: for r in rep: book(r) <= 1000 money\n").unwrap();
    let (code, out, _) = run(p, &["diff", "main", ".", "--", "policy.terra"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("added expect tiny_books"), "{out}");
    assert!(out.ends_with("the new plan breaks an expectation\n"), "{out}");

    // Once it fails on both sides, it is not the change's doing: exit 3.
    git(p, &["commit", "-q", "-a", "-m", "tiny books"]);
    edit(&p.join("policy.terra"), "param tolerance = 15%", "param tolerance = 5% ");
    let (code, out, _) = run(p, &["diff", "main", ".", "--", "policy.terra"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  expect     tiny_books                FAILED\n"), "{out}");
}

#[test]
fn solve_all_writes_every_scenario_and_compares_them() {
    let dir = starter_copy();
    let p = dir.path();
    let (code, table, err) = run(p, &["solve", "policy.terra", "--all", "--out", "plans"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("solve_all_table", table);
    let base = checked_plan(&p.join("policy.terra"), None, &p.join("plans"));
    assert!(!base.is_empty());
    for scenario in ["loose_balance", "growth"] {
        checked_plan(&p.join("policy.terra"), Some(scenario), &p.join("plans/scenarios").join(scenario));
    }
    // growth scales potential by 110%: the evaluator's coverage is 1.1 times.
    let coverage = |dir: &str| -> f64 {
        let json: Json = serde_json::from_str(&std::fs::read_to_string(p.join(dir).join("plan.json")).unwrap()).unwrap();
        json["objective_terms"].as_array().unwrap().iter().find(|t| t["name"] == "coverage").unwrap()["raw"].as_f64().unwrap()
    };
    assert!((coverage("plans/scenarios/growth") - 1.1 * coverage("plans")).abs() < 1e-3);

    let (code, text, _) = run(p, &["solve", "policy.terra", "--all", "--out", "plans2", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_shape(&json, &all_shape(), "solve --all");
    assert_eq!(json["runs"].as_array().unwrap().len(), 3);
    for d in ["plan.csv", "plan.json"] {
        assert_eq!(std::fs::read(p.join("plans").join(d)).unwrap(), std::fs::read(p.join("plans2").join(d)).unwrap(), "deterministic {d}");
    }

    // A scenario without a plan: its column says so, the others are written, exit 1.
    std::fs::write(p.join("policy.terra"), std::fs::read_to_string(p.join("policy.terra")).unwrap() + "\nscenario squeeze { scale rep.capacity by 0.1 }\n").unwrap();
    let (code, table, err) = run(p, &["solve", "policy.terra", "--all", "--out", "plans3"]);
    assert_eq!(code, 1, "{table}{err}");
    assert!(err.contains("squeeze: no plan"), "{err}");
    insta::assert_snapshot!("solve_all_table_no_plan", table);
    assert!(p.join("plans3/scenarios/growth/plan.json").is_file() && !p.join("plans3/scenarios/squeeze").exists());
    let (code, text, _) = run(p, &["solve", "policy.terra", "--all", "--out", "plans4", "--format", "json"]);
    assert_eq!(code, 1);
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_shape(&json, &all_shape(), "solve --all");
    let squeeze = &json["runs"][3];
    assert_eq!(squeeze["status"], "no plan");
    assert_shape(&squeeze["error"], &serde_json::json!([{"code": "string", "message": "string"}]), "error");
}

#[test]
fn terra_test_runs_every_expectation_on_every_run() {
    let dir = starter_copy();
    let p = dir.path();
    let (code, text, err) = run(p, &["test", "policy.terra"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("test_human", text);
    let (code, text, _) = run(p, &["test", "policy.terra", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_shape(&json, &test_shape(), "test");
    assert_eq!(json["cases"].as_array().unwrap().len(), 3, "fair_books on base, loose_balance and growth");

    // Coverage names the rules whose rows are tight in a plan the
    // evaluator accepts: check capacity's claim on the base plan directly.
    let out = tempfile::tempdir().unwrap();
    let (code, _, _) = run(p, &["solve", "policy.terra", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    checked_plan(&p.join("policy.terra"), None, out.path());
    let plan: Json = serde_json::from_str(&std::fs::read_to_string(out.path().join("plan.json")).unwrap()).unwrap();
    let capacity = json["coverage"]["per_rule"].as_array().unwrap().iter().find(|r| r["rule"] == "capacity").unwrap();
    let tight = plan["kpis"].as_array().unwrap().iter().any(|k| {
        let reps = std::fs::read_to_string(p.join("reps.csv")).unwrap();
        let line = reps.lines().find(|l| l.starts_with(k["rep"].as_str().unwrap())).unwrap().to_string();
        let header: Vec<&str> = reps.lines().next().unwrap().split(',').collect();
        let cap: f64 = line.split(',').nth(header.iter().position(|h| *h == "capacity").unwrap()).unwrap().parse().unwrap();
        (k["load"].as_f64().unwrap() - cap).abs() < 1e-6
    });
    assert_eq!(capacity["binds_in"].as_array().unwrap().iter().any(|r| r == "base"), tight, "capacity binds in base iff a load equals a capacity");

    // A failing expectation: exit 1, in every format.
    std::fs::write(p.join("policy.terra"), std::fs::read_to_string(p.join("policy.terra")).unwrap() + "\nexpect tiny_books: for r in rep: book(r) <= 1000 money\n").unwrap();
    let (code, text, _) = run(p, &["test", "policy.terra", "--scenario", "growth"]);
    assert_eq!(code, 1, "{text}");
    insta::assert_snapshot!("test_human_failing", text);
    let (code, xml, _) = run(p, &["test", "policy.terra", "--scenario", "growth", "--format", "junit"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_junit_failing", xml);
    let (code, gh, _) = run(p, &["test", "policy.terra", "--scenario", "growth", "--format", "github"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_github_failing", gh);
    let (code, _, err) = run(p, &["test", "policy.terra", "--scenario", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("R0634"), "{err}");
    let (code, _, _) = run(p, &["test", "policy.terra", "--scenario", "growth", "--min-coverage", "100%"]);
    assert_eq!(code, 1);
}

#[test]
fn terra_toml_makes_solve_work_without_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::create_dir_all(p.join("policies/deep")).unwrap();
    std::fs::copy(starter().join("policy.terra"), p.join("policies/starter.terra")).unwrap();
    for f in ["reps.csv", "accounts.csv"] {
        std::fs::copy(starter().join(f), p.join("data").join(f)).unwrap();
    }
    std::fs::write(p.join("terra.toml"), "policy = \"policies/starter.terra\"\ndata = \"data\"\nout = \"plans\"\n\n[solver]\ngap = \"0.5%\"\nseed = 3\n").unwrap();
    let (code, out, err) = run(&p.join("policies/deep"), &["solve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(p.join("plans/plan.csv").is_file(), "written to the project's out folder");
    let json: Json = serde_json::from_str(&std::fs::read_to_string(p.join("plans/plan.json")).unwrap()).unwrap();
    assert_eq!(json["provenance"]["solver"]["options"]["mip_gap"].as_f64(), Some(0.005));
    assert_eq!(json["provenance"]["solver"]["options"]["seed"].as_i64(), Some(3));
    let (code, _, _) = run(p, &["solve", "--seed", "4", "--out", "other"]);
    assert_eq!(code, 0);
    let json: Json = serde_json::from_str(&std::fs::read_to_string(p.join("other/plan.json")).unwrap()).unwrap();
    assert_eq!(json["provenance"]["solver"]["options"]["seed"].as_i64(), Some(4), "the command line wins");
    let (code, out, _) = run(p, &["check"]);
    assert_eq!(code, 0, "{out}");
    let (code, _, _) = run(p, &["test"]);
    assert_eq!(code, 0);

    std::fs::write(p.join("terra.toml"), "policy = \"policies/starter.terra\"\n\n[solver]\ngap = \"lots\"\n").unwrap();
    let (code, _, err) = run(&p.join("data"), &["solve"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("toml_bad_gap", err);
    std::fs::write(p.join("terra.toml"), "policy = \"policies/starter.terra\"\ntimelimit = 5\n").unwrap();
    let (code, _, err) = run(p, &["solve"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("toml_unknown_key", err);

    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = run(empty.path(), &["solve"]);
    assert_eq!(code, 2);
    assert!(err.contains("R0631"), "{err}");

    // Outside a project, a policy.terra in the current folder is the default.
    let plain = starter_copy();
    let (code, _, err) = run(plain.path(), &["solve"]);
    assert_eq!(code, 0, "{err}");
    checked_plan(&plain.path().join("policy.terra"), None, &plain.path().join("out"));
}

#[test]
fn every_command_has_json_and_github_output() {
    let dir = starter_copy();
    let p = dir.path();
    let json_of = |args: &[&str]| -> Json {
        let (code, text, err) = run(p, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{text}"))
    };
    assert_shape(
        &json_of(&["fmt", "--check", "policy.terra", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=fmt", "check": "bool", "files": [{"path": "string", "state": "string"}]}),
        "fmt",
    );
    assert_shape(
        &json_of(&["bench", "check", "policy.terra", "--runs", "2", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=bench check", "policy": "string", "runs": "number", "min_ms": "number", "median_ms": "number", "mean_ms": "number"}),
        "bench check",
    );
    assert_shape(
        &json_of(&["bench", "solve", "policy.terra", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=bench solve", "policy": "string", "stages": [{"name": "string", "seconds": "number"}], "model": {"rows": "number", "columns": "number"}, "status": "string", "total_seconds": "number"}),
        "bench solve",
    );
    assert_shape(
        &json_of(&["explain-code", "R0632", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=explain-code", "code": "=R0632", "title": "string", "explanation": "string"}),
        "explain-code",
    );
    assert_shape(
        &json_of(&["explain-code", "--list", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=explain-code", "codes": [{"code": "string", "title": "string"}]}),
        "explain-code --list",
    );
    assert_shape(
        &json_of(&["generate", "na-fy27", "--out", "generated", "--scale", "0.01", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "command": "=generate", "wrote": "=generated"}),
        "generate",
    );
    assert_shape(
        &json_of(&["check", "policy.terra", "--format", "json"]),
        &serde_json::json!({"format_version": 1, "errors": 0, "diagnostics": []}),
        "check",
    );

    // An unformatted policy: fmt --check exits 1 and annotates it.
    edit(&p.join("policy.terra"), "rule capacity:\n  for r in rep:", "rule capacity:     for r in rep:");
    let (code, text, _) = run(p, &["fmt", "--check", "policy.terra", "--format", "github"]);
    assert_eq!(code, 1);
    assert_eq!(text, "::error file=policy.terra,line=1,title=terra fmt::not formatted; run `terra fmt policy.terra`\n");
    let (code, text, _) = run(p, &["fmt", "--check", "policy.terra", "--format", "json"]);
    assert_eq!(code, 1);
    let json: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(json["files"][0]["state"], "unformatted");
}

#[test]
fn diff_reads_the_data_files_at_each_revision_from_a_subfolder() {
    let repo = tempfile::tempdir().unwrap();
    let p = repo.path();
    let sub = p.join("policies/west");
    std::fs::create_dir_all(&sub).unwrap();
    for name in ["policy.terra", "reps.csv", "accounts.csv"] {
        std::fs::copy(starter().join(name), sub.join(name)).unwrap();
    }
    git(p, &["init", "-q"]);
    git(p, &["config", "user.name", "terra tests"]);
    git(p, &["config", "user.email", "tests@terra.invalid"]);
    git(p, &["config", "commit.gpgsign", "false"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "starter"]);
    // Only the data changes, in the working tree: every account's effort grows by 10%.
    let accounts = std::fs::read_to_string(sub.join("accounts.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(accounts.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let effort = headers.iter().position(|h| h == "effort").unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let row: Vec<String> = record.iter().enumerate().map(|(i, c)| if i == effort { format!("{}", (c.parse::<f64>().unwrap() * 1.1).round()) } else { c.to_string() }).collect();
        writer.write_record(&row).unwrap();
    }
    std::fs::write(sub.join("accounts.csv"), writer.into_inner().unwrap()).unwrap();

    let (code, text, err) = run(p, &["diff", "HEAD", ".", "--format", "json", "--", "policies/west/policy.terra"]);
    let json: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}{err}"));
    assert_shape(&json, &diff_shape(), "diff");
    assert_eq!(json["rules"], serde_json::json!([]), "the policy is the same");
    assert_eq!(code, 3, "the data differ, so the plans do");
    // More effort: the loads the diff reports for the new side are those of
    // the plan solved and re-checked here.
    let loads: Vec<&Json> = json["kpis"].as_array().unwrap().iter().flat_map(|k| k["changes"].as_array().unwrap().iter().filter(|c| c["name"] == "load")).collect();
    assert!(!loads.is_empty(), "{text}");
    let new_plan = tempfile::tempdir().unwrap();
    let (code, _, err) = run(p, &["solve", "policies/west/policy.terra", "--out", new_plan.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    checked_plan(&sub.join("policy.terra"), None, new_plan.path());
    let solved: Json = serde_json::from_str(&std::fs::read_to_string(new_plan.path().join("plan.json")).unwrap()).unwrap();
    for k in json["kpis"].as_array().unwrap() {
        let rep = k["target"].as_str().unwrap();
        let now = solved["kpis"].as_array().unwrap().iter().find(|r| r["rep"] == rep).unwrap();
        for c in k["changes"].as_array().unwrap() {
            assert_eq!(c["new"].as_f64(), now[c["name"].as_str().unwrap()].as_f64(), "rep {rep} {}", c["name"]);
        }
    }
}

/// The moves a diff's JSON reports, as (account, from, to).
fn reported_moves(json: &Json) -> Vec<(String, String, String)> {
    json["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["key"].as_str().unwrap().to_string(), m["from"].as_str().unwrap_or("").to_string(), m["to"].as_str().unwrap_or("").to_string()))
        .collect()
}
