//! A plan as the review commands see it: the `plan.json` and `plan.csv`
//! that `terra solve` writes, whether read from a folder, solved here, or
//! taken from the cache. Diffs, scenario tables and tests all read plans
//! through this one type.

use crate::commands::output::write_atomic;
use crate::commands::sha256_hex;
use crate::commands::solve::{self, Failure, Loaded, Provenance};
use crate::diagnostics::messages::review as msg;
use crate::diagnostics::{Diagnostic, SourceFile, Sources};
use crate::solve::SolveOptions;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Plan {
    pub json: Json,
    pub csv: String,
}

/// One objective term of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub name: String,
    pub sense: String,
    pub raw: f64,
    pub contribution: f64,
}

/// One expectation of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub name: String,
    pub passed: bool,
    pub violated: Vec<String>,
}

fn num(v: &Json) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn text(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_string()
}

impl Plan {
    /// Reads `plan.json` and `plan.csv` from a folder written by `terra solve`.
    pub fn read_dir(dir: &Path) -> Result<Plan, (Sources, Vec<Diagnostic>)> {
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new(dir.to_string_lossy(), String::new()));
        let fail = |sources: Sources, what: String| Err((sources, vec![msg::bad_plan_dir(file, &what)]));
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {}: {e}", dir.join(name).display()));
        let (json_text, csv) = match (read("plan.json"), read("plan.csv")) {
            (Ok(j), Ok(c)) => (j, c),
            (Err(e), _) | (_, Err(e)) => return fail(sources, e),
        };
        let json: Json = match serde_json::from_str(&json_text) {
            Ok(j) => j,
            Err(e) => return fail(sources, format!("{} is not JSON: {e}", dir.join("plan.json").display())),
        };
        if !json.get("objective_terms").is_some_and(Json::is_array) || !json.get("kpis").is_some_and(Json::is_array) {
            return fail(sources, format!("{} is not a plan: it lacks `objective_terms` or `kpis`", dir.join("plan.json").display()));
        }
        Ok(Plan { json, csv })
    }

    /// Writes `plan.csv` and `plan.json` into `dir`, atomically.
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<()> {
        write_atomic(&dir.join("plan.csv"), self.csv.as_bytes())?;
        write_atomic(&dir.join("plan.json"), self.json_text().as_bytes())
    }

    pub fn json_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The header of plan.csv: (assigned entity, target entity).
    pub fn entities(&self) -> (String, String) {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(self.csv.as_bytes());
        let header = reader.records().next().and_then(Result::ok);
        let cell = |i: usize| header.as_ref().and_then(|h| h.get(i)).unwrap_or_default().to_string();
        (cell(0), cell(1))
    }

    /// Each assigned row's target ("" for none), sorted by key.
    pub fn assignment(&self) -> std::collections::BTreeMap<String, String> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(self.csv.as_bytes());
        reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| Some((r.get(0)?.to_string(), r.get(1).unwrap_or_default().to_string())))
            .collect()
    }

    pub fn status(&self) -> String {
        text(&self.json["status"])
    }

    pub fn objective(&self) -> f64 {
        num(&self.json["objective"])
    }

    pub fn terms(&self) -> Vec<Term> {
        self.json["objective_terms"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| Term { name: text(&t["name"]), sense: text(&t["sense"]), raw: num(&t["raw"]), contribution: num(&t["contribution"]) })
            .collect()
    }

    /// Per target row (by key, in plan order): its KPIs in plan order. The
    /// key is the one text field of a KPI row; the numbers are the KPIs.
    pub fn kpis(&self) -> Vec<(String, Vec<(String, f64)>)> {
        self.json["kpis"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|row| {
                let row = row.as_object()?;
                let key = row.values().find_map(|v| v.as_str())?.to_string();
                let values = row.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect();
                Some((key, values))
            })
            .collect()
    }

    /// The KPI names, in plan order.
    pub fn kpi_names(&self) -> Vec<String> {
        self.kpis().first().map(|(_, v)| v.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default()
    }

    pub fn expectations(&self) -> Vec<Expectation> {
        self.json["expectations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| Expectation {
                name: text(&e["name"]),
                passed: e["passed"].as_bool() == Some(true),
                violated: e["violated"].as_array().into_iter().flatten().map(text).collect(),
            })
            .collect()
    }

    /// The hard rules that shape this plan: a row of theirs is tight, or
    /// they removed candidate pairs before solving.
    pub fn binding_rules(&self) -> Vec<String> {
        let mut names: Vec<String> = self.json["binding_rules"].as_array().into_iter().flatten().map(|b| text(&b["rule"])).collect();
        if let Some(pruned) = self.json["model"]["pairs_removed_by_rule"].as_object() {
            names.extend(pruned.keys().cloned());
        }
        names.sort();
        names.dedup();
        names
    }
}

/// A run that gave no plan: what to show and the exit code.
pub struct NoPlan {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    pub exit: i32,
}

impl NoPlan {
    pub fn new(sources: Sources, diagnostics: Vec<Diagnostic>, exit: i32) -> NoPlan {
        NoPlan { sources, diagnostics, exit }
    }
}

/// Solves the policy (or one scenario of it) and re-checks the plan with
/// the evaluator, as `terra solve` does; waits for the solver, since a
/// review run solves several times in one process.
pub fn solve_plan(loaded: &Loaded, scenario: Option<&str>, options: &SolveOptions) -> Result<Plan, NoPlan> {
    let (params, scenario_data) = match solve::scenario_inputs(loaded, scenario) {
        Ok(x) => x,
        Err(_) => {
            let known: Vec<String> = loaded.policy.scenarios.iter().map(|s| s.name.clone()).collect();
            let d = msg::unknown_scenario(loaded.file, Default::default(), scenario.unwrap_or_default(), &known);
            return Err(NoPlan::new(loaded.sources.clone(), vec![d], crate::commands::exit::ERROR));
        }
    };
    let data = scenario_data.as_ref().unwrap_or(&loaded.data);
    let mut stages = solve::Stages::default();
    match solve::solve_loaded(loaded, params, data, options, None, &mut stages, solve::LimitMode::Wait) {
        Ok(solved) => {
            let provenance = Provenance { loaded, scenario, options };
            let json = solve::plan_json(&provenance, data, &solved);
            let csv = solve::plan_csv(&loaded.policy, data, &solved.assignment);
            Ok(Plan { json, csv })
        }
        Err(Failure::Infeasible(d)) | Err(Failure::Internal(d)) => Err(NoPlan::new(loaded.sources.clone(), d, crate::commands::exit::VIOLATED)),
        Err(Failure::Error(d)) => Err(NoPlan::new(loaded.sources.clone(), d, crate::commands::exit::ERROR)),
    }
}

/// The cache key of a solve: everything that decides its plan. The data
/// files are listed by path with their SHA-256, sorted by path.
pub fn cache_key(policy_sha256: &str, data: &[(String, String)], scenario: Option<&str>, options: &SolveOptions) -> String {
    let mut data = data.to_vec();
    data.sort();
    let mut text = format!("terra {}\npolicy {policy_sha256}\n", env!("CARGO_PKG_VERSION"));
    for (path, sha) in &data {
        text.push_str(&format!("data {sha} {path}\n"));
    }
    text.push_str(&format!("scenario {}\n", scenario.unwrap_or("")));
    text.push_str(&format!(
        "solver gap={} time_limit={:?} threads={} seed={} node_limit={:?}\n",
        options.mip_gap, options.time_limit, options.threads, options.seed, options.node_limit
    ));
    sha256_hex(text.as_bytes())
}

/// Solved plans by cache key: `DIR/KEY/plan.json` and `plan.csv`.
pub struct Cache {
    pub dir: PathBuf,
}

impl Cache {
    pub fn get(&self, key: &str) -> Option<Plan> {
        Plan::read_dir(&self.dir.join(key)).ok()
    }
    /// Stores a plan; a cache that cannot be written only costs a solve.
    pub fn put(&self, key: &str, plan: &Plan) {
        let _ = plan.write_dir(&self.dir.join(key));
        // The cache is never part of the repository it sits in.
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            let _ = write_atomic(&ignore, b"*\n");
        }
    }
}
