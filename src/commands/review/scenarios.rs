//! `terra solve --all`: the policy and each of its scenarios, each solved
//! on its own, written to its own folder (the base plan in the output
//! folder, scenario NAME in `scenarios/NAME/` below it), and compared side
//! by side in one table of objective terms and KPIs.

use super::plan::{solve_plan, NoPlan, Plan};
use super::project::{self, SolverSettings};
use super::text::num;
use crate::commands::solve::Loaded;
use crate::commands::{emit, exit};
use crate::diagnostics::render::Format;
use crate::solve::SolveOptions;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One solve: the base policy (`scenario` None) or one scenario.
pub struct Run {
    pub scenario: Option<String>,
    pub outcome: Result<Plan, NoPlan>,
}

impl Run {
    /// `base` or the scenario's name.
    pub fn name(&self) -> &str {
        self.scenario.as_deref().unwrap_or("base")
    }
}

/// The base policy, then every scenario in policy order (or only those in
/// `only`, when it is not empty), each from scratch.
pub fn solve_all(loaded: &Loaded, only: &[String], options: &SolveOptions) -> Vec<Run> {
    let mut names: Vec<Option<String>> = vec![None];
    names.extend(loaded.policy.scenarios.iter().filter(|s| only.is_empty() || only.contains(&s.name)).map(|s| Some(s.name.clone())));
    names
        .into_iter()
        .map(|scenario| {
            let outcome = solve_plan(loaded, scenario.as_deref(), options);
            Run { scenario, outcome }
        })
        .collect()
}

/// Where a run's plan goes below the output folder.
pub fn run_dir(out: &Path, scenario: Option<&str>) -> PathBuf {
    match scenario {
        None => out.to_path_buf(),
        Some(name) => out.join("scenarios").join(name),
    }
}

/// One row of the side-by-side table: a label and one cell per run.
struct Row {
    label: String,
    cells: Vec<String>,
}

/// min, mean and max of one KPI over the target rows.
fn kpi_stats(plan: &Plan, name: &str) -> Option<(f64, f64, f64)> {
    let values: Vec<f64> = plan.kpis().iter().filter_map(|(_, v)| v.iter().find(|(n, _)| n == name).map(|(_, x)| *x)).collect();
    if values.is_empty() {
        return None;
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((min, values.iter().sum::<f64>() / values.len() as f64, max))
}

fn table(runs: &[Run]) -> Vec<Row> {
    let plans: Vec<Option<&Plan>> = runs.iter().map(|r| r.outcome.as_ref().ok()).collect();
    let first = plans.iter().flatten().next();
    let cell = |f: &dyn Fn(&Plan) -> String| plans.iter().map(|p| p.map_or("-".to_string(), f)).collect::<Vec<_>>();
    let mut rows = vec![
        Row { label: "status".into(), cells: plans.iter().map(|p| p.map_or("no plan".to_string(), Plan::status)).collect() },
        Row { label: "objective".into(), cells: cell(&|p| num(p.objective())) },
    ];
    for t in first.map(|p| p.terms()).unwrap_or_default() {
        let name = t.name.clone();
        rows.push(Row {
            label: format!("{} {}", t.sense, t.name),
            cells: cell(&|p| p.terms().iter().find(|x| x.name == name).map_or("-".into(), |x| num(x.raw))),
        });
    }
    rows.push(Row { label: "moves".into(), cells: cell(&|p| p.json["moves"].as_array().map_or(0, Vec::len).to_string()) });
    let target = first.map(|p| p.entities().1).unwrap_or_default();
    for k in first.map(|p| p.kpi_names()).unwrap_or_default() {
        for (which, pick) in [("min", 0usize), ("max", 2)] {
            let name = k.clone();
            rows.push(Row {
                label: format!("{k} per {target}, {which}"),
                cells: cell(&|p| kpi_stats(p, &name).map_or("-".into(), |s| num([s.0, s.1, s.2][pick]))),
            });
        }
    }
    for e in first.map(|p| p.expectations()).unwrap_or_default() {
        let name = e.name.clone();
        rows.push(Row {
            label: format!("expect {}", e.name),
            cells: cell(&|p| p.expectations().iter().find(|x| x.name == name).map_or("-".into(), |x| if x.passed { "passed".into() } else { "FAILED".into() })),
        });
    }
    rows
}

/// The table as aligned text columns.
pub fn human_table(runs: &[Run]) -> String {
    let rows = table(runs);
    let label_width = rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| rows.iter().map(|row| row.cells[i].chars().count()).chain([r.name().chars().count()]).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    let _ = write!(s, "{:<label_width$}", "");
    for (r, w) in runs.iter().zip(&widths) {
        let _ = write!(s, "  {:>w$}", r.name());
    }
    s.push('\n');
    for row in &rows {
        let _ = write!(s, "{:<label_width$}", row.label);
        for (c, w) in row.cells.iter().zip(&widths) {
            let _ = write!(s, "  {c:>w$}");
        }
        s.push('\n');
    }
    s
}

/// The table in GitHub-flavoured Markdown.
pub fn markdown_table(runs: &[Run]) -> String {
    let mut s = String::from("|");
    for r in runs {
        let _ = write!(s, " | {}", r.name());
    }
    s.push_str(" |\n|---|");
    s.push_str(&"---:|".repeat(runs.len()));
    s.push('\n');
    for row in table(runs) {
        let _ = writeln!(s, "| {} | {} |", row.label, row.cells.join(" | "));
    }
    s
}

/// One run as JSON: its summary, or why it has no plan.
pub fn run_json(run: &Run, dir: Option<&Path>) -> Json {
    match &run.outcome {
        Ok(p) => json!({
            "name": run.name(),
            "scenario": run.scenario,
            "dir": dir.map(|d| d.to_string_lossy().to_string()),
            "status": p.status(),
            "objective": p.objective(),
            "objective_terms": p.terms().iter().map(|t| json!({"name": t.name, "sense": t.sense, "raw": t.raw, "contribution": t.contribution})).collect::<Vec<_>>(),
            "kpis": p.kpi_names().iter().filter_map(|k| {
                let (min, mean, max) = kpi_stats(p, k)?;
                Some(json!({"name": k, "min": min, "mean": crate::commands::output::round(mean), "max": max}))
            }).collect::<Vec<_>>(),
            "moves": p.json["moves"].as_array().map_or(0, Vec::len),
            "expectations": p.expectations().iter().map(|e| json!({"name": e.name, "passed": e.passed})).collect::<Vec<_>>(),
            "error": Json::Null,
        }),
        Err(no) => json!({
            "name": run.name(),
            "scenario": run.scenario,
            "dir": Json::Null,
            "status": "no plan",
            "error": no.diagnostics.iter().map(|d| json!({"code": d.code, "message": d.message})).collect::<Vec<_>>(),
        }),
    }
}

/// `terra solve --all`.
pub fn run(policy: Option<PathBuf>, out: Option<PathBuf>, solver: &SolverSettings, verbose: bool, format: Format) -> i32 {
    let (resolved, loaded) = match project::resolve_and_load("solve", policy, out, format) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let options = resolved.solver(solver).options(verbose);
    let runs = solve_all(&loaded, &[], &options);
    let mut code = exit::OK;
    let mut dirs = Vec::new();
    for run in &runs {
        match &run.outcome {
            Ok(plan) => {
                let dir = run_dir(&resolved.out, run.scenario.as_deref());
                if let Err(e) = plan.write_dir(&dir) {
                    eprintln!("error: cannot write {}: {e}", dir.display());
                    return exit::ERROR;
                }
                dirs.push(Some(dir));
            }
            Err(no) => {
                if format == Format::Human {
                    eprintln!("{}: no plan", run.name());
                }
                emit(&no.diagnostics, &no.sources, format.min_human());
                code = code.max(no.exit);
                dirs.push(None);
            }
        }
    }
    match format {
        Format::Human => {
            crate::out!("{}", human_table(&runs));
            for (run, dir) in runs.iter().zip(&dirs) {
                if let Some(d) = dir {
                    crate::outln!("wrote {} to {}", run.name(), d.display());
                }
            }
        }
        Format::Github => crate::out!("{}", markdown_table(&runs)),
        Format::Json => {
            let value = json!({
                "format_version": super::FORMAT_VERSION,
                "command": "solve --all",
                "policy": resolved.policy.to_string_lossy(),
                "runs": runs.iter().zip(&dirs).map(|(r, d)| run_json(r, d.as_deref())).collect::<Vec<_>>(),
            });
            crate::out!("{}", super::json_text(&value));
        }
    }
    code
}
