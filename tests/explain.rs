//! `terra explain` is tested by recomputation: every alternative's stated
//! changes and cost must equal what a full, independent evaluation of the
//! moved plan gives, with the scales of a fresh lowering of the policy.

use std::path::{Path, PathBuf};
use std::process::Command;
use terra::check::ir::ConstraintKind;
use terra::commands::explain::{open, OpenPlan};
use terra::eval::{Assignment, Evaluator, PlanEvaluation};
use terra::explain::{account, moves, Scales};

fn terra() -> Command {
    Command::new(env!("CARGO_BIN_EXE_terra"))
}

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter/policy.terra")
}

/// Solves the starter policy into a temporary directory.
fn solved_starter() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = terra().arg("solve").arg(starter()).arg("--out").arg(out.path()).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    out
}

/// Per constraint, the summed violation of a full evaluation.
fn violation_sums(open: &OpenPlan, e: &PlanEvaluation) -> Vec<f64> {
    let mut sums = vec![0.0; open.loaded.policy.constraints.len()];
    for v in &e.violations {
        sums[v.constraint] += v.amount;
    }
    sums
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// Every alternative of every row, against a full evaluation of the moved plan.
fn check_every_alternative(open: &OpenPlan) -> usize {
    let policy = &open.loaded.policy;
    let ctx = open.context();
    // The scales recorded in plan.json are those of a fresh lowering.
    let fresh = Scales::of(&terra::lower::lower(policy, ctx.data, ctx.params.clone()));
    for (a, b) in fresh.terms.iter().zip(&open.scales.terms) {
        assert!(close(a.scale, b.scale), "term scale {} vs {}", a.scale, b.scale);
    }
    let full = |assignment: &Assignment| Evaluator::for_plan(policy, ctx.data, assignment).with_params(ctx.params.clone()).evaluate();
    let base = full(ctx.assignment);
    let base_sums = violation_sums(open, &base);
    let base_objective = fresh.objective(&base.terms, &base_sums);
    let prepared = moves::Prepared::new(policy);
    let evaluator = moves::MoveEvaluator::new(policy, &prepared, ctx.data, ctx.params.clone(), ctx.assignment);
    let mut checked = 0;
    for row in 0..ctx.assignment.target.len() as u32 {
        let x = account::explain(&ctx, &evaluator, row);
        for alt in &x.alternatives {
            let mut moved = ctx.assignment.clone();
            moved.target[row as usize] = alt.target;
            let after = full(&moved);
            let sums = violation_sums(open, &after);
            for (ti, (b, a)) in base.terms.iter().zip(&after.terms).enumerate() {
                assert!(close(alt.effect.term_changes[ti], a - b), "row {row} to {:?}: term {ti} changes by {} not {}", alt.target, a - b, alt.effect.term_changes[ti]);
            }
            for (ci, c) in policy.constraints.iter().enumerate() {
                if c.kind == ConstraintKind::Expect {
                    continue;
                }
                assert!(close(alt.effect.violation_changes[ci], sums[ci] - base_sums[ci]), "row {row} to {:?}: `{}` changes by {} not {}", alt.target, c.name, sums[ci] - base_sums[ci], alt.effect.violation_changes[ci]);
                // The broken instances are exactly the hard instances violated more than before.
                if c.kind == ConstraintKind::Hard {
                    let worse: Vec<(Option<u32>, f64)> = after
                        .violations
                        .iter()
                        .filter(|v| v.constraint == ci)
                        .filter(|v| {
                            let before = base.violations.iter().find(|b| b.constraint == ci && b.row == v.row).map_or(0.0, |b| b.amount);
                            v.amount > before + 1e-6 * v.amount.abs().max(1.0)
                        })
                        .map(|v| (v.row, v.amount))
                        .collect();
                    let stated: Vec<(Option<u32>, f64)> = alt.effect.broken.iter().filter(|b| b.0 == ci).map(|b| (b.1, b.2)).collect();
                    assert_eq!(worse.len(), stated.len(), "row {row} to {:?}: `{}` broken {worse:?}, stated {stated:?}", alt.target, c.name);
                    for (w, s) in worse.iter().zip(&stated) {
                        assert!(w.0 == s.0 && close(w.1, s.1), "{w:?} vs {s:?}");
                    }
                }
            }
            let objective = fresh.objective(&after.terms, &sums);
            assert!(close(alt.cost, objective - base_objective), "row {row} to {:?}: cost {} but eval's objective changes by {}", alt.target, alt.cost, objective - base_objective);
            checked += 1;
        }
        // Sorted by cost.
        assert!(x.alternatives.windows(2).all(|w| w[0].cost <= w[1].cost));
    }
    checked
}

#[test]
fn every_alternative_cost_equals_the_full_evaluation_of_the_moved_plan() {
    let out = solved_starter();
    let open = open(out.path(), None).unwrap_or_else(|_| panic!("the plan opens"));
    assert!(open.loaded.warnings.iter().all(|w| w.code != "R0611"));
    let checked = check_every_alternative(&open);
    assert!(checked >= 40, "only {checked} alternatives checked");
}

#[test]
fn a_plan_that_breaks_rules_is_explained_with_the_same_arithmetic() {
    // The current owners as the plan (prospects unowned), read as a CSV with --policy.
    let dir = tempfile::tempdir().unwrap();
    let accounts = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter/accounts.csv")).unwrap();
    let mut plan = String::from("account,rep\n");
    for line in accounts.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        plan.push_str(&format!("{},{}\n", cells[0], cells[10]));
    }
    let csv = dir.path().join("owners.csv");
    std::fs::write(&csv, plan).unwrap();
    let open = open(&csv, Some(&starter())).unwrap_or_else(|_| panic!("the plan opens"));
    let checked = check_every_alternative(&open);
    assert!(checked >= 40);
}

#[test]
fn json_states_the_cost_of_each_alternative_and_the_rule_that_rules_out_the_others() {
    let out = solved_starter();
    let run = terra().arg("explain").arg(out.path()).args(["--account", "A30", "--all", "--format", "json"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["explain"], "account");
    assert_eq!(doc["key"], "A30");
    let alternatives = doc["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), doc["alternatives_total"].as_u64().unwrap() as usize);
    for alt in alternatives {
        // The cost is the sum of the stated contribution changes.
        let parts: f64 = alt["objective_terms"].as_array().unwrap().iter().chain(alt["preferences"].as_array().unwrap()).map(|t| t["contribution_change"].as_f64().unwrap()).sum();
        assert!(close(parts, alt["cost"].as_f64().unwrap()), "{alt}");
    }
    for r in doc["ruled_out"].as_array().unwrap() {
        assert_eq!(r["rules"][0]["rule"], "same_region", "{r}");
    }
}

#[test]
fn an_unknown_account_is_a_diagnostic_with_a_suggestion() {
    let out = solved_starter();
    let run = terra().arg("explain").arg(out.path()).args(["--account", "A300"]).env("NO_COLOR", "1").output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("R0612") && err.contains("did you mean `A30`?"), "{err}");
}

#[test]
fn a_changed_data_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["policy.terra", "reps.csv", "accounts.csv"] {
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter").join(f), dir.path().join(f)).unwrap();
    }
    let out = dir.path().join("out");
    let run = terra().arg("solve").arg(dir.path().join("policy.terra")).arg("--out").arg(&out).output().unwrap();
    assert!(run.status.success());
    let reps = std::fs::read_to_string(dir.path().join("reps.csv")).unwrap();
    std::fs::write(dir.path().join("reps.csv"), reps.replace(",1100,", ",1101,")).unwrap();
    let run = terra().arg("explain").arg(&out).args(["--account", "A01"]).env("NO_COLOR", "1").output().unwrap();
    assert!(run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("R0611") && err.contains("reps.csv changed since the plan was written"), "{err}");
}

#[test]
fn the_generated_territory_is_explained_with_the_same_arithmetic() {
    // na-fy27 at a small scale, with the current owners as the plan: it
    // breaks rules, and its aggregates are large enough to take the
    // incremental paths.
    let dir = tempfile::tempdir().unwrap();
    terra::generate::write_na_fy27(dir.path(), 0.04, 27).unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/na-fy27/policy.terra"), dir.path().join("policy.terra")).unwrap();
    let mut reader = csv::Reader::from_path(dir.path().join("accounts.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let owner = headers.iter().position(|h| h == "owner").unwrap();
    let mut plan = String::from("account,rep\n");
    for r in reader.records() {
        let r = r.unwrap();
        plan.push_str(&format!("{},{}\n", &r[0], &r[owner]));
    }
    std::fs::write(dir.path().join("owners.csv"), plan).unwrap();
    let open = open(&dir.path().join("owners.csv"), Some(&dir.path().join("policy.terra"))).unwrap_or_else(|_| panic!("the plan opens"));
    let checked = check_every_alternative(&open);
    assert!(checked >= 100, "only {checked} alternatives checked");
}

fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

fn explain_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let run = terra().arg("explain").arg(dir).args(args).args(["--format", "json"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

#[test]
fn rep_kpis_limits_and_moves_match_a_recomputation_from_the_csv_files() {
    let out = solved_starter();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter");
    let accounts = read_csv(&data.join("accounts.csv"));
    let reps = read_csv(&data.join("reps.csv"));
    let plan: std::collections::HashMap<String, String> = read_csv(&out.path().join("plan.csv")).into_iter().map(|r| (r["account"].clone(), r["rep"].clone())).collect();
    let num = |s: &str| s.parse::<f64>().unwrap();
    let book_of = |rep: &str| accounts.iter().filter(|a| plan[&a["id"]] == rep).map(|a| num(&a["potential"])).sum::<f64>();
    let mean_book = reps.iter().map(|r| book_of(&r["id"])).sum::<f64>() / reps.len() as f64;
    for rep in &reps {
        let id = rep["id"].as_str();
        let doc = explain_json(out.path(), &["--rep", id, "--all"]);
        let load: f64 = accounts.iter().filter(|a| plan[&a["id"]] == id).map(|a| num(&a["effort"])).sum();
        let kpi = |name: &str| doc["kpis"].as_array().unwrap().iter().find(|k| k["name"] == name).unwrap()["value"].as_f64().unwrap();
        assert!(close(kpi("load"), load) && close(kpi("book"), book_of(id)), "{id}: {doc}");
        let limit = |rule: &str| doc["limits"].as_array().unwrap().iter().find(|l| l["rule"] == rule).unwrap().clone();
        let capacity = limit("capacity");
        assert!(close(capacity["value"]["value"].as_f64().unwrap(), load));
        assert!(close(capacity["slack"].as_f64().unwrap(), num(&rep["capacity"]) - load));
        let balance = limit("balanced_books");
        assert!(close(balance["limit"]["value"].as_f64().unwrap(), mean_book), "{balance}");
        let band = balance["band"].as_array().unwrap();
        assert!(close(band[0].as_f64().unwrap(), 0.85 * mean_book) && close(band[1].as_f64().unwrap(), 1.15 * mean_book));
        // Gains and losses against the owners in accounts.csv.
        let mut gained: Vec<&str> = accounts.iter().filter(|a| plan[&a["id"]] == id && a["owner"] != id).map(|a| a["id"].as_str()).collect();
        let mut lost: Vec<&str> = accounts.iter().filter(|a| a["owner"] == id && plan[&a["id"]] != id).map(|a| a["id"].as_str()).collect();
        gained.sort();
        lost.sort();
        let listed = |side: &str| doc[side].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(listed("gained"), gained);
        assert_eq!(listed("lost"), lost);
        // Undoing a gain costs what --account says moving it back costs.
        for m in doc["gained"].as_array().unwrap() {
            let key = m["key"].as_str().unwrap();
            let account = explain_json(out.path(), &["--account", key, "--all"]);
            let back = account["alternatives"].as_array().unwrap().iter().find(|a| a["target"] == m["from"]);
            match (back, m["undo_cost"].as_f64()) {
                (Some(b), Some(cost)) => assert!(close(b["cost"].as_f64().unwrap(), cost), "{m} vs {b}"),
                (None, None) => {}
                other => panic!("{key}: {other:?}"),
            }
        }
    }
}

#[test]
fn rule_slack_and_price_are_recomputed() {
    let out = solved_starter();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter");
    let accounts = read_csv(&data.join("accounts.csv"));
    let reps = read_csv(&data.join("reps.csv"));
    let plan: std::collections::HashMap<String, String> = read_csv(&out.path().join("plan.csv")).into_iter().map(|r| (r["account"].clone(), r["rep"].clone())).collect();
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("plan.json")).unwrap()).unwrap();
    let doc = explain_json(out.path(), &["--rule", "capacity", "--all"]);
    assert_eq!(doc["instances_total"], 5);
    let mut last = f64::NEG_INFINITY;
    for inst in doc["instances"].as_array().unwrap() {
        let id = inst["instance"].as_str().unwrap().trim_start_matches("rep ");
        let load: f64 = accounts.iter().filter(|a| plan[&a["id"]] == id).map(|a| a["effort"].parse::<f64>().unwrap()).sum();
        let capacity: f64 = reps.iter().find(|r| r["id"] == id).unwrap()["capacity"].parse().unwrap();
        let slack = inst["slack"].as_f64().unwrap();
        assert!(close(slack, capacity - load), "{inst}");
        assert_eq!(inst["binding"].as_bool().unwrap(), slack.abs() < 1e-6);
        assert!(slack >= last, "tightest first");
        last = slack;
    }
    // The price compares the plan with a plan solved without the rule, both
    // evaluated by eval: the plan's side is plan.json's objective, and
    // dropping a rule cannot make the optimum worse.
    let price = &doc["price"];
    assert!(close(price["objective_with"].as_f64().unwrap(), report["objective"].as_f64().unwrap()), "{price}");
    assert!(price["objective_without"].as_f64().unwrap() <= price["objective_with"].as_f64().unwrap() + 1e-4, "{price}");
    assert!(close(price["price"].as_f64().unwrap(), price["objective_with"].as_f64().unwrap() - price["objective_without"].as_f64().unwrap()));
    // A rule on pairs is priced with the plan's own objective too.
    let pair = explain_json(out.path(), &["--rule", "same_region"]);
    assert!(pair["price"]["price"].as_f64().unwrap() >= -1e-4, "{pair}");
    // A preference's price is reported; an expectation has none.
    assert!(explain_json(out.path(), &["--rule", "keep_owner"])["price"].is_object());
    assert!(explain_json(out.path(), &["--rule", "fair_books"])["price"].is_null());
}

#[test]
fn human_explanations_are_pinned() {
    let out = solved_starter();
    for (name, args) in [
        ("account_A30", vec!["--account", "A30"]),
        ("account_A12_all", vec!["--account", "A12", "--all"]),
        ("rep_R02", vec!["--rep", "R02"]),
        ("rule_capacity", vec!["--rule", "capacity"]),
        ("rule_same_region", vec!["--rule", "same_region"]),
    ] {
        let run = terra().arg("explain").arg(out.path()).args(&args).env("NO_COLOR", "1").output().unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&run.stdout));
    }
}

#[test]
fn a_scenario_plan_is_explained_with_the_scenario_data() {
    // `growth` scales every potential by 110%: plan.json names the
    // scenario, and explain re-applies it.
    let out = tempfile::tempdir().unwrap();
    let run = terra().arg("solve").arg(starter()).args(["--scenario", "growth", "--out"]).arg(out.path()).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let open = open(out.path(), None).unwrap_or_else(|_| panic!("the plan opens"));
    assert_eq!(open.scenario.as_deref(), Some("growth"));
    assert!(open.scenario_data.is_some());
    assert!(check_every_alternative(&open) >= 40);
}

#[test]
fn bench_explain_prints_its_timings() {
    let out = solved_starter();
    let run = terra().args(["bench", "explain"]).arg(out.path()).args(["--account", "A07", "--runs", "2"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("2 runs, median: base evaluation") && text.contains("other targets explained"), "{text}");
}
