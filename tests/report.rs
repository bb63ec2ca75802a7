//! `terra report` through the binary: the page is self-contained and
//! deterministic, its numbers match the plan recomputed from the CSV files,
//! and bad plan folders give located diagnostics. The browser test is in
//! `report_browser.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn terra(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terra"));
    c.current_dir(cwd).env("NO_COLOR", "1");
    c
}

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter")
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", out.status.code(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// Copies the starter example into `dir/work` and solves it from `dir`
/// (so plan.json records the relative path `work/policy.terra`); the plan
/// is then checked by `terra verify`, the independent evaluation.
fn solve_starter(dir: &Path, out: &str, extra: &[&str]) {
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    for f in ["policy.terra", "reps.csv", "accounts.csv"] {
        std::fs::copy(starter().join(f), work.join(f)).unwrap();
    }
    ok(terra(dir).args(["solve", "work/policy.terra", "--out", out]).args(extra).output().unwrap());
    ok(terra(dir).args(["verify", "work/policy.terra", &format!("{out}/plan.csv")]).output().unwrap());
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

fn group(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_starter_report_is_self_contained_and_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    let run = ok(terra(tmp.path()).args(["report", "out"]).output().unwrap());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.starts_with("wrote out/report.html"), "{stdout}");
    let first = std::fs::read(tmp.path().join("out/report.html")).unwrap();
    ok(terra(tmp.path()).args(["report", "out", "--html", "again.html"]).output().unwrap());
    let second = std::fs::read(tmp.path().join("again.html")).unwrap();
    assert!(first == second, "two reports of the same plan differ");
    let html = String::from_utf8(first).unwrap();
    // Nothing to fetch: no URL, no external script, style, image or font.
    for needle in ["http:", "https:", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(needle), "the page contains `{needle}`");
    }
    for section in ["id=\"map\"", "id=\"balance\"", "id=\"moves\"", "id=\"objective\"", "id=\"rules\"", "Provenance"] {
        assert!(html.contains(section), "no {section}");
    }
    assert!(html.contains("data-chart=\"capacity\" data-bars=\"5\""));
    assert!(html.contains("data-chart=\"balanced_books\" data-bars=\"5\""));
    assert!(html.contains("data-rows=\"40\""), "the map holds one point per account");
}

/// The capacity chart shows each rep's load as recomputed here from the
/// CSV files and plan.csv, against the rep's capacity.
#[test]
fn the_capacity_chart_shows_each_load_recomputed_from_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    ok(terra(tmp.path()).args(["report", "out"]).output().unwrap());
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    let accounts = read_csv(&starter().join("accounts.csv"));
    let reps = read_csv(&starter().join("reps.csv"));
    let plan = read_csv(&tmp.path().join("out/plan.csv"));
    let effort: HashMap<&str, f64> = accounts.iter().map(|a| (a["id"].as_str(), a["effort"].parse().unwrap())).collect();
    let mut load: HashMap<&str, f64> = HashMap::new();
    for row in &plan {
        if !row["rep"].is_empty() {
            *load.entry(row["rep"].as_str()).or_default() += effort[row["account"].as_str()];
        }
    }
    let start = html.find("data-chart=\"capacity\"").unwrap();
    let chart = &html[start..start + html[start..].find("</svg>").unwrap()];
    for rep in &reps {
        let capacity: f64 = rep["capacity"].parse().unwrap();
        let expected = format!("<title>{} {}: {} hours (limit {})</title>", rep["id"], rep["name"], group(load[rep["id"].as_str()] as i64), group(capacity as i64));
        assert!(chart.contains(&expected), "no {expected} in the capacity chart");
    }
}

#[test]
fn json_summary_names_the_file_and_the_charts() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    let run = ok(terra(tmp.path()).args(["report", "out", "--format", "json"]).output().unwrap());
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["html"], "out/report.html");
    let plan = &summary["plans"][0];
    assert_eq!(plan["map_rows"], 40);
    assert_eq!(plan["charts"], serde_json::json!(["capacity", "balanced_books", "accounts per rep"]));
    assert_eq!(plan["warnings"], serde_json::json!([]));
}

#[test]
fn compare_marks_the_accounts_assigned_differently() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "base", &[]);
    ok(terra(tmp.path()).args(["solve", "work/policy.terra", "--out", "loose", "--scenario", "loose_balance"]).output().unwrap());
    ok(terra(tmp.path()).args(["verify", "work/policy.terra", "loose/plan.csv"]).output().unwrap());
    ok(terra(tmp.path()).args(["report", "--compare", "base", "loose"]).output().unwrap());
    let html = std::fs::read_to_string(tmp.path().join("loose/compare.html")).unwrap();
    // The differences, recomputed from the two plan.csv files.
    let a: HashMap<String, String> = read_csv(&tmp.path().join("base/plan.csv")).into_iter().map(|r| (r["account"].clone(), r["rep"].clone())).collect();
    let b = read_csv(&tmp.path().join("loose/plan.csv"));
    let differing = b.iter().filter(|r| a.get(&r["account"]) != Some(&r["rep"])).count();
    assert!(html.contains(&format!("<p>{differing} accounts have a different rep in B than in A.")), "wrong count of differences ({differing})");
    assert!(html.contains("scenario loose_balance"));
    assert_eq!(html.matches("<canvas class=\"map\"").count(), 2, "two maps side by side");
    assert!(html.contains("class=\"diff\""), "differences are highlighted");
    ok(terra(tmp.path()).args(["report", "--compare", "base", "loose", "--html", "again.html"]).output().unwrap());
    assert!(std::fs::read(tmp.path().join("again.html")).unwrap() == html.as_bytes(), "two comparisons differ");
}

#[test]
fn a_policy_without_locations_renders_and_says_why_there_is_no_map() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("reps.csv"), "id,capacity\nR1,10\nR2,10\n").unwrap();
    std::fs::write(work.join("accounts.csv"), "id,effort,owner\nA1,4,R1\nA2,5,R1\nA3,6,R2\n").unwrap();
    let policy = "policy \"flat\"\n\nentity rep from \"reps.csv\" {\n  key id: text\n  capacity: hours\n}\n\nentity account from \"accounts.csv\" {\n  key id: text\n  effort: hours\n  owner: rep?\n}\n\nassign account to rep {\n  exactly one\n}\n\nlet load(r: rep) = sum(a.effort for a in r.accounts)\n\nrule capacity:\n  for r in rep: load(r) <= r.capacity\n\nobjective {\n  minimize moves weight 1: count(a in account where a.rep != a.owner)\n}\n";
    std::fs::write(work.join("policy.terra"), policy).unwrap();
    ok(terra(tmp.path()).args(["solve", "work/policy.terra", "--out", "out"]).output().unwrap());
    ok(terra(tmp.path()).args(["verify", "work/policy.terra", "out/plan.csv"]).output().unwrap());
    ok(terra(tmp.path()).args(["report", "out"]).output().unwrap());
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("No map: `account` has no `geo` field, so there is nothing to place on a map."));
    assert!(!html.contains("<canvas"));
    assert!(html.contains("data-chart=\"capacity\" data-bars=\"2\""));
}

/// Runs a report that must fail or warn, from `dir`, and returns what a
/// person sees: the exit code and stderr.
fn shown(dir: &Path, args: &[&str]) -> String {
    let out = terra(dir).arg("report").args(args).output().unwrap();
    format!("exit {}\n{}", out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_folder_without_a_plan_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let text = shown(tmp.path(), &["empty"]);
    assert!(text.starts_with("exit 2\n") && text.contains("R0608") && text.contains("cannot read empty/plan.json"), "{text}");
}

#[test]
fn a_broken_plan_json_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("out")).unwrap();
    std::fs::write(tmp.path().join("out/plan.json"), "{\n  \"status\": \"optimal\",\n  \"gap\": 0.0,,\n}\n").unwrap();
    insta::assert_snapshot!(shown(tmp.path(), &["out"]));
    std::fs::write(tmp.path().join("out/plan.json"), "{\n  \"status\": \"optimal\",\n  \"objective_terms\": []\n}\n").unwrap();
    insta::assert_snapshot!("plan_json_without_policy", shown(tmp.path(), &["out"]));
}

#[test]
fn a_plan_whose_policy_is_gone_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    std::fs::rename(tmp.path().join("work"), tmp.path().join("moved")).unwrap();
    insta::assert_snapshot!(shown(tmp.path(), &["out"]));
    // --policy finds it again.
    ok(terra(tmp.path()).args(["report", "out", "--policy", "moved/policy.terra"]).output().unwrap());
}

#[test]
fn changed_data_is_a_warning_in_the_console_and_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    let accounts = tmp.path().join("work/accounts.csv");
    let text = std::fs::read_to_string(&accounts).unwrap().replacen(",420000,", ",430000,", 1);
    std::fs::write(&accounts, text).unwrap();
    let seen = shown(tmp.path(), &["out"]);
    insta::assert_snapshot!(seen);
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("<div class=\"warning\">R0652: the data file accounts.csv changed since this plan was solved</div>"));
}

#[test]
fn a_plan_of_a_removed_scenario_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &["--scenario", "growth"]);
    let policy = tmp.path().join("work/policy.terra");
    let text = std::fs::read_to_string(&policy).unwrap().replace("scenario growth        { scale account.potential by 110% }\n", "");
    std::fs::write(&policy, text).unwrap();
    insta::assert_snapshot!(shown(tmp.path(), &["out"]));
}

#[test]
fn an_edited_plan_csv_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "out", &[]);
    // Leave a covered prospect out: still a valid plan, but not plan.json's.
    let plan = tmp.path().join("out/plan.csv");
    let accounts = read_csv(&starter().join("accounts.csv"));
    let rows = read_csv(&plan);
    let prospect = rows.iter().find(|r| !r["rep"].is_empty() && accounts.iter().any(|a| a["id"] == r["account"] && a["status"] == "prospect")).unwrap();
    let text = std::fs::read_to_string(&plan).unwrap().replace(&format!("{},{}\n", prospect["account"], prospect["rep"]), &format!("{},\n", prospect["account"]));
    std::fs::write(&plan, text).unwrap();
    let seen = shown(tmp.path(), &["out"]);
    assert!(seen.starts_with("exit 0\nR0653") && seen.contains("objective term `coverage` is"), "{seen}");
}

#[test]
fn accounts_without_a_location_are_counted_not_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    solve_starter(tmp.path(), "unused", &[]);
    let work = tmp.path().join("work");
    let policy = std::fs::read_to_string(work.join("policy.terra")).unwrap().replace("site: geo ", "site: geo?");
    std::fs::write(work.join("policy.terra"), policy).unwrap();
    let accounts = std::fs::read_to_string(work.join("accounts.csv")).unwrap();
    let (a40, blank) = (accounts.lines().find(|l| l.starts_with("A40,")).unwrap(), |l: &str| {
        let mut cells: Vec<&str> = l.split(',').collect();
        cells[8] = "";
        cells[9] = "";
        cells.join(",")
    });
    std::fs::write(work.join("accounts.csv"), accounts.replace(a40, &blank(a40))).unwrap();
    ok(terra(tmp.path()).args(["solve", "work/policy.terra", "--out", "out"]).output().unwrap());
    ok(terra(tmp.path()).args(["verify", "work/policy.terra", "out/plan.csv"]).output().unwrap());
    ok(terra(tmp.path()).args(["report", "out"]).output().unwrap());
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("<p class=\"note\">1 account has no location and is not drawn.</p>"));
    assert!(html.contains("data-rows=\"39\""));
}
