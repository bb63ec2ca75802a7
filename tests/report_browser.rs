//! The starter report in headless Chromium (Debian's `chromium`, which
//! `.ci/setup.sh --browser` installs): the page loads with no console
//! message and no network request, the map draws one mark per account and
//! one home per rep, and the charts are there. A screenshot is saved under
//! the cargo target folder as a test artifact.
//!
//! Without chromium this test fails: a browser check that silently skips
//! would let a broken page through.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| panic!("chromium is not installed; run `.ci/setup.sh --browser` (Debian's `chromium` package) before `cargo test --release`"))
}

/// What one headless run saw.
struct Visit {
    dom: String,
    /// The page's console lines (messages and uncaught errors).
    console: Vec<String>,
    /// URLs the page itself requested (not the browser's own traffic).
    requests: Vec<String>,
}

/// Loads `page` in a fresh profile; `extra` adds e.g. a screenshot.
fn visit(page: &Path, extra: &[String]) -> Visit {
    let profile = tempfile::tempdir().unwrap();
    let net_log = profile.path().join("net-log.json");
    let url = format!("file://{}", page.display());
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .args(extra)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let console = String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect();
    Visit { dom: String::from_utf8_lossy(&out.stdout).into_owned(), console, requests: page_requests(&net_log) }
}

/// The URLs of requests the page started, from Chromium's net log: a
/// request's start event names its initiator, and the browser's own
/// traffic (updates, sign-in) has none ("not an origin").
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).unwrap_or_else(|e| panic!("no net log at {}: {e}", net_log.display()));
    // A log cut short lacks its closing brackets; events are still whole.
    let log: serde_json::Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("a JSON net log");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64().expect("event type URL_REQUEST_START_JOB");
    log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["type"].as_i64() == Some(start_job))
        .filter(|e| e["params"]["initiator"].as_str() != Some("not an origin"))
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .collect()
}

/// The value of `attribute` on the element that has `marker` in its tag.
fn attribute(dom: &str, marker: &str, attribute: &str) -> Option<String> {
    let at = dom.find(marker)?;
    let tag_start = dom[..=at].rfind('<')?;
    let tag = &dom[tag_start..at + dom[at..].find('>')?];
    let needle = format!("{attribute}=\"");
    let from = tag.find(&needle)? + needle.len();
    Some(tag[from..from + tag[from..].find('"')?].to_string())
}

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter")
}

fn terra(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_terra")).args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(out.status.success(), "terra {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

/// The detectors work: a page that requests a URL and logs an error is
/// caught by both. Otherwise the real test could pass by seeing nothing.
#[test]
fn the_checks_catch_a_request_and_a_console_message() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("leaky.html");
    std::fs::write(&page, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/pixel.png\"><script>console.error('broken');</script></body></html>").unwrap();
    let seen = visit(&page, &[]);
    assert_eq!(seen.requests, vec!["http://127.0.0.1:9/pixel.png".to_string()]);
    assert!(seen.console.iter().any(|l| l.contains("broken")), "{:?}", seen.console);
}

/// Solves the starter into `dir/plan`, checks the plan independently with
/// `terra verify`, writes its report, and returns the plan folder.
fn starter_report(dir: &Path) -> PathBuf {
    let out = dir.join("plan");
    let policy = starter().join("policy.terra");
    terra(&["solve", &policy.to_string_lossy(), "--out", &out.to_string_lossy()]);
    terra(&["verify", &policy.to_string_lossy(), &out.join("plan.csv").to_string_lossy()]);
    terra(&["report", &out.to_string_lossy()]);
    out
}

#[test]
fn the_starter_report_opens_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let out = starter_report(dir.path());
    let page = out.join("report.html");

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshot = artifacts.join("report-starter.png");
    let _ = std::fs::remove_file(&screenshot);
    let seen = visit(&page, &[format!("--screenshot={}", screenshot.display()), "--window-size=1280,3000".into()]);

    assert!(seen.console.is_empty(), "console messages:\n{}", seen.console.join("\n"));
    assert!(seen.requests.is_empty(), "network requests: {:?}", seen.requests);
    assert!(seen.dom.contains("data-ready-ms="), "the page's script did not finish");

    // One mark per account with a location, one home per rep, counted
    // from the CSV files.
    let accounts = csv_rows(&starter().join("accounts.csv"));
    let reps = csv_rows(&starter().join("reps.csv"));
    let located = accounts.iter().filter(|a| !a["site_lat"].is_empty()).count();
    assert_eq!(located, 40);
    assert_eq!(attribute(&seen.dom, "class=\"map\"", "data-drawn-rows"), Some(located.to_string()));
    assert_eq!(attribute(&seen.dom, "class=\"map\"", "data-drawn-homes"), Some(reps.len().to_string()));

    // The charts: capacity and balance per rep, moves, the objective.
    for chart in ["capacity", "balanced_books", "accounts per rep", "objective"] {
        let bars = attribute(&seen.dom, &format!("data-chart=\"{chart}\""), "data-bars");
        assert!(bars.is_some(), "no chart `{chart}`");
    }
    assert_eq!(attribute(&seen.dom, "data-chart=\"capacity\"", "data-bars"), Some(reps.len().to_string()));
    assert!(seen.dom.matches("class=\"bar ").count() >= 3 * reps.len(), "chart columns missing");

    let png = std::fs::read(&screenshot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", screenshot.display()));
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "the screenshot is not a full page");
    println!("screenshot: {}", screenshot.display());
}

/// The full-size example (33,000 accounts): the page paints within 2 s of
/// navigation. The plan is the current owners, written here (a full solve
/// is not what this measures), with plan.json's hashes of the real files.
#[test]
fn a_report_of_33000_accounts_paints_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("na-fy27");
    terra(&["generate", "na-fy27", "--out", &data.to_string_lossy()]);
    let policy = data.join("policy.terra");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/na-fy27/policy.terra"), &policy).unwrap();
    let accounts = csv_rows(&data.join("accounts.csv"));
    assert_eq!(accounts.len(), 33_000);
    let plan_dir = dir.path().join("owners");
    std::fs::create_dir_all(&plan_dir).unwrap();
    let mut csv = String::from("account,rep\n");
    for a in &accounts {
        csv.push_str(&format!("{},{}\n", a["id"], a["owner"]));
    }
    std::fs::write(plan_dir.join("plan.csv"), csv).unwrap();
    let sha = |p: &Path| terra::commands::sha256_hex(&std::fs::read(p).unwrap());
    let plan = serde_json::json!({
        "format_version": 1,
        "policy": "na-fy27",
        "scenario": null,
        "provenance": {
            "terra_version": env!("CARGO_PKG_VERSION"),
            "policy_file": policy.to_string_lossy(),
            "policy_sha256": sha(&policy),
            "data_files": [
                {"path": "reps.csv", "sha256": sha(&data.join("reps.csv"))},
                {"path": "accounts.csv", "sha256": sha(&data.join("accounts.csv"))},
            ],
            "solver": {"name": "none", "version": "the current owners", "options": {}},
        },
        "status": "feasible",
        "objective_terms": [],
        "binding_rules": [],
    });
    std::fs::write(plan_dir.join("plan.json"), serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    terra(&["report", &plan_dir.to_string_lossy()]);

    let seen = visit(&plan_dir.join("report.html"), &["--window-size=1366,900".into()]);
    assert!(seen.console.is_empty(), "console messages:\n{}", seen.console.join("\n"));
    assert!(seen.requests.is_empty(), "network requests: {:?}", seen.requests);
    assert_eq!(attribute(&seen.dom, "class=\"map\"", "data-drawn-rows"), Some("33000".into()));
    let painted: u64 = attribute(&seen.dom, "<body", "data-painted-ms").expect("the page painted").parse().unwrap();
    println!("33,000 accounts: painted {painted} ms after navigation");
    assert!(painted < 2000, "the page took {painted} ms to paint");
}

/// Decodes the entities that `--dump-dom` writes in attribute values.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

/// Clicking an account lists its fields and its rep, and hovering shows
/// them: a probe script, added to a copy of the page, clicks across the map
/// until an account's details appear, then hovers there; the fields shown
/// are checked against the CSV files and plan.csv.
#[test]
fn clicking_an_account_shows_its_fields_and_rep() {
    let dir = tempfile::tempdir().unwrap();
    let out = starter_report(dir.path());
    let probe = r#"<script>
(function () {
  var canvas = document.querySelector("canvas.map");
  var box = canvas.getBoundingClientRect();
  var details = document.getElementById(canvas.getAttribute("data-details"));
  var tooltip = canvas.parentNode.querySelector(".tooltip");
  var pairs = [];
  for (var y = 0; y < box.height && !pairs.length; y += 2) {
    for (var x = 0; x < box.width && !pairs.length; x += 2) {
      var at = { clientX: box.left + x, clientY: box.top + y, bubbles: true };
      canvas.dispatchEvent(new MouseEvent("click", at));
      var rows = details.querySelectorAll("tr");
      if (!rows.length || rows[rows.length - 1].textContent === "home") continue;
      rows.forEach(function (tr) { pairs.push(tr.children[0].textContent + "=" + tr.children[1].textContent); });
      canvas.dispatchEvent(new MouseEvent("mousemove", at));
    }
  }
  document.body.setAttribute("data-clicked", pairs.join("|"));
  document.body.setAttribute("data-tooltip", tooltip.hidden ? "" : tooltip.textContent);
})();
</script>
</body>"#;
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let probed = dir.path().join("probed.html");
    std::fs::write(&probed, html.replacen("</body>", probe, 1)).unwrap();
    let seen = visit(&probed, &["--window-size=1280,1600".into()]);
    assert!(seen.console.is_empty(), "console messages:\n{}", seen.console.join("\n"));

    let clicked = unescape(&attribute(&seen.dom, "<body", "data-clicked").expect("the probe ran"));
    let fields: HashMap<&str, &str> = clicked.split('|').filter_map(|p| p.split_once('=')).collect();
    let id = fields.get("id").unwrap_or_else(|| panic!("no account's details after clicking the map: {clicked:?}"));
    let accounts = csv_rows(&starter().join("accounts.csv"));
    let account = accounts.iter().find(|a| a["id"] == *id).expect("a known account");
    assert_eq!(fields["name"], account["Account Name"]);
    assert_eq!(fields["status"], account["status"]);
    let plan = csv_rows(&out.join("plan.csv"));
    let rep = &plan.iter().find(|r| r["account"] == *id).expect("in plan.csv")["rep"];
    let reps = csv_rows(&starter().join("reps.csv"));
    let expected = reps.iter().find(|r| &r["id"] == rep).map_or("none".to_string(), |r| format!("{} {}", r["id"], r["name"]));
    assert_eq!(fields["rep in this plan"], expected);
    let tooltip = unescape(&attribute(&seen.dom, "<body", "data-tooltip").unwrap_or_default());
    assert!(tooltip.starts_with(&format!("rep in this plan: {expected}")), "hover shows {tooltip:?}");
}

#[test]
fn the_comparison_opens_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let policy = starter().join("policy.terra");
    let (base, loose) = (dir.path().join("base"), dir.path().join("loose"));
    terra(&["solve", &policy.to_string_lossy(), "--out", &base.to_string_lossy()]);
    terra(&["solve", &policy.to_string_lossy(), "--out", &loose.to_string_lossy(), "--scenario", "loose_balance"]);
    for plan in [&base, &loose] {
        terra(&["verify", &policy.to_string_lossy(), &plan.join("plan.csv").to_string_lossy()]);
    }
    terra(&["report", "--compare", &base.to_string_lossy(), &loose.to_string_lossy()]);
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-compare.png");
    let seen = visit(&loose.join("compare.html"), &[format!("--screenshot={}", screenshot.display()), "--window-size=1280,3000".into()]);
    assert!(seen.console.is_empty(), "console messages:\n{}", seen.console.join("\n"));
    assert!(seen.requests.is_empty(), "network requests: {:?}", seen.requests);
    for side in ["a", "b"] {
        let marker = format!("id=\"canvas-{side}\"");
        assert_eq!(attribute(&seen.dom, &marker, "data-drawn-rows"), Some("40".into()), "map {side}");
        assert_eq!(attribute(&seen.dom, &marker, "data-drawn-homes"), Some("5".into()), "map {side}");
    }
    assert_eq!(seen.dom.matches("data-chart=\"capacity\"").count(), 2, "the capacity charts side by side");
}
