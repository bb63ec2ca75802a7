//! Infeasible policies: `terra solve` names a minimal set of conflicting
//! rule instances in one diagnostic, with repairs, and exits 1. Each folder
//! of `tests/infeasible/` is one policy with its data; the expected set is
//! asserted from the JSON diagnostic, and the rendered report is pinned.

use std::path::Path;
use std::process::Command;

/// Solves a fixture; returns (exit code, stderr in human form, JSON diagnostics).
fn solve(name: &str) -> (Option<i32>, String, serde_json::Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/infeasible").join(name);
    let out = tempfile::tempdir().unwrap();
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_terra"))
            .current_dir(&dir)
            .args(["solve", "policy.terra", "--format", format, "--out"])
            .arg(out.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let human = run("human");
    let json = run("json");
    assert!(!out.path().join("plan.csv").exists(), "no plan is written");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&json.stdout)));
    (human.status.code(), String::from_utf8_lossy(&human.stderr).to_string(), doc)
}

/// The conflict diagnostic's labels, as (rule line text, label message).
fn conflict_labels(doc: &serde_json::Value) -> Vec<String> {
    let list = doc["diagnostics"].as_array().expect("a diagnostics list");
    let d = list.iter().find(|d| d["code"] == "R0610").unwrap_or_else(|| panic!("no R0610 in {doc}"));
    d["labels"].as_array().unwrap().iter().map(|l| l["message"].as_str().unwrap().to_string()).collect()
}

fn check(name: &str, expected: &[&str], repairs: &[&str]) {
    let (code, human, doc) = solve(name);
    assert_eq!(code, Some(1), "{human}");
    let labels = conflict_labels(&doc);
    // One label per rule of the set, plus the assignment's.
    assert_eq!(labels.len(), expected.len() + 1, "{labels:#?}");
    for (label, want) in labels.iter().zip(expected) {
        assert!(label.starts_with(want), "label `{label}` should start with `{want}`");
    }
    for r in repairs {
        assert!(human.contains(r), "repair `{r}` missing from\n{human}");
    }
    insta::assert_snapshot!(name, human);
}

#[test]
fn capacity_against_locked_accounts() {
    check(
        "capacity_vs_locked",
        &["`capacity`: rep R1: r.capacity is 120 hours, but the rest needs load(r) to be 134 hours", "`named_accounts_stay`: account A1, account A2 may only have rep R1"],
        &["relax `capacity` for rep R1 by 14 hours", "exempt account A1 from `named_accounts_stay`", "exempt account A2 from `named_accounts_stay`"],
    );
}

#[test]
fn balance_against_region() {
    check(
        "balance_vs_region",
        &["`same_region`: account A1, account A2 may only have rep W1", "`balanced_books`: rep E1"],
        &["exempt account A1 from `same_region`", "widen `tolerance` of `balanced_books` to 95.7% for every rep"],
    );
}

#[test]
fn churn_cap_against_balance() {
    check(
        "churn_vs_balance",
        &["`balanced_books`: rep R2: tolerance is 15%", "`limited_churn`: the whole plan: max_moves * count(a in account where a.owner != none) is 1"],
        &["relax `limited_churn` for the whole plan by 1", "widen `tolerance` of `balanced_books` to 50% for every rep"],
    );
}

#[test]
fn a_required_skill_that_nobody_has() {
    check("skill_nobody_has", &["`mining_needs_specialist`: account A2 may have no rep"], &["exempt account A2 from `mining_needs_specialist`"]);
}

#[test]
fn a_conflict_only_in_whole_numbers() {
    let (_, _, doc) = solve("integer_only");
    let message = doc["diagnostics"][0]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with("(in whole numbers only: the LP relaxation is feasible)"), "{message}");
    check(
        "integer_only",
        &["`capacity`: rep R1, rep R2: r.capacity is 100 hours, but the rest needs load(r) to be 120 hours"],
        &["relax `capacity` for rep R1 by 20 hours", "relax `capacity` for rep R2 by 20 hours"],
    );
}

/// Solves a copy of a fixture with one text replaced in one of its files;
/// returns the exit code.
fn solve_edited(name: &str, file: &str, from: &str, to: &str) -> Option<i32> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/infeasible").join(name);
    let dir = tempfile::tempdir().unwrap();
    for f in ["policy.terra", "reps.csv", "accounts.csv"] {
        let text = std::fs::read_to_string(src.join(f)).unwrap();
        let text = if f == file {
            assert!(text.contains(from), "{f} has no `{from}`");
            text.replacen(from, to, 1)
        } else {
            text
        };
        std::fs::write(dir.path().join(f), text).unwrap();
    }
    let run = Command::new(env!("CARGO_BIN_EXE_terra")).current_dir(dir.path()).args(["solve", "policy.terra", "--out", "out"]).output().unwrap();
    run.status.code()
}

#[test]
fn the_stated_repairs_are_exactly_enough() {
    // Each repair, applied to the data or the policy, makes it solvable
    // (and every plan terra writes has passed eval); a little less does not.
    for (name, file, from, enough, short) in [
        ("capacity_vs_locked", "reps.csv", "R1,West,,120", "R1,West,,134", "R1,West,,133.9"),
        ("integer_only", "reps.csv", "R1,West,,100", "R1,West,,120", "R1,West,,119.9"),
        ("churn_vs_balance", "policy.terra", "param tolerance = 15%", "param tolerance = 50%", "param tolerance = 49.9%"),
        ("balance_vs_region", "policy.terra", "param tolerance = 15%", "param tolerance = 95.7%", "param tolerance = 95.6%"),
        ("skill_nobody_has", "reps.csv", "R2,West,finance", "R2,West,finance;mining", "R2,West,finance;minin"),
    ] {
        assert_eq!(solve_edited(name, file, from, enough), Some(0), "{name}: `{enough}` should suffice");
        assert_eq!(solve_edited(name, file, from, short), Some(1), "{name}: `{short}` should not");
    }
    // Exempting one locked account: unlocking A1 is enough.
    assert_eq!(solve_edited("capacity_vs_locked", "accounts.csv", "R1,true", "R1,false"), Some(0));
}
