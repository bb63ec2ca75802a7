//! `terra explain PLAN --account ID | --rep ID | --rule NAME`: reads a plan
//! written by `terra solve` (its directory, or a plan CSV with `--policy`),
//! re-loads the policy and data it names, and prints the explanation as
//! text or JSON (schema in docs/explain.md).

use super::solve::{load, scenario_inputs, Loaded};
use super::{emit, exit};
use crate::diagnostics::messages::explain as msg;
use crate::diagnostics::render::Format;
use crate::diagnostics::{Diagnostic, SourceFile, Sources};
use crate::eval::Assignment;
use crate::explain::{moves, PlanContext, Scales};
use crate::lower::ScaledTerm;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// The JSON layout of `terra explain --format json`; bumped on any
/// incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// What to explain.
#[derive(Clone, Debug)]
pub enum Subject {
    Account(String),
    Rep(String),
    Rule(String),
}

pub struct ExplainArgs {
    pub plan: PathBuf,
    pub policy: Option<PathBuf>,
    pub subject: Subject,
    pub all: bool,
    pub format: Format,
    pub options: crate::solve::SolveOptions,
}

/// How many alternatives and rows are shown without `--all`.
pub const TOP: usize = 5;

/// A plan re-opened with its policy and data.
pub struct OpenPlan {
    pub loaded: Loaded,
    pub params: Vec<crate::check::ir::Const>,
    /// The data of the plan's scenario, when it changes the data.
    pub scenario_data: Option<crate::data::Dataset>,
    pub scenario: Option<String>,
    pub assignment: Assignment,
    pub scales: Scales,
}

impl OpenPlan {
    pub fn data(&self) -> &crate::data::Dataset {
        self.scenario_data.as_ref().unwrap_or(&self.loaded.data)
    }
    pub fn context(&self) -> PlanContext<'_> {
        PlanContext {
            policy: &self.loaded.policy,
            data: self.data(),
            params: self.params.clone(),
            assignment: &self.assignment,
            scales: &self.scales,
            source: &self.loaded.sources.get(self.loaded.file).text,
        }
    }
}

fn fail(d: Diagnostic, path: &str) -> (Sources, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let file = sources.add(SourceFile::new(path, String::new()));
    let d = Diagnostic { primary: crate::diagnostics::Label { file, ..d.primary }, ..d };
    (sources, vec![d])
}

/// Opens a plan directory (or a plan CSV with `policy`); on failure, the
/// diagnostics to show. Warnings (changed inputs) are in `loaded.warnings`.
pub fn open(plan: &Path, policy: Option<&Path>) -> Result<OpenPlan, (Sources, Vec<Diagnostic>)> {
    let shown = plan.to_string_lossy().to_string();
    let (csv_path, json_path) = if plan.is_dir() {
        (plan.join("plan.csv"), plan.join("plan.json"))
    } else {
        (plan.to_path_buf(), super::policy_dir(plan).join("plan.json"))
    };
    let report: Option<Json> = match std::fs::read_to_string(&json_path) {
        Ok(text) => match serde_json::from_str(&text) {
            Ok(j) => Some(j),
            Err(e) => return Err(fail(msg::bad_plan_dir(crate::diagnostics::FileId(0), &format!("{} is not valid JSON: {e}", json_path.display())), &shown)),
        },
        Err(_) if policy.is_some() && !plan.is_dir() => None,
        Err(e) => return Err(fail(msg::bad_plan_dir(crate::diagnostics::FileId(0), &format!("cannot read {}: {e}", json_path.display())), &shown)),
    };
    let policy_path = match (policy, report.as_ref().and_then(|r| r["provenance"]["policy_file"].as_str())) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => PathBuf::from(p),
        (None, None) => return Err(fail(msg::bad_plan_dir(crate::diagnostics::FileId(0), &format!("{} names no policy; pass --policy", json_path.display())), &shown)),
    };
    let mut loaded = load(&policy_path)?;
    if let Some(r) = &report {
        inputs_changed(&mut loaded, r);
    }
    let scenario = report.as_ref().and_then(|r| r["scenario"].as_str()).map(str::to_string);
    let (params, scenario_data) = match scenario_inputs(&loaded, scenario.as_deref()) {
        Ok(x) => x,
        Err(message) => return Err((loaded.sources, vec![msg::bad_plan_dir(loaded.file, &message)])),
    };
    let text = match std::fs::read_to_string(&csv_path) {
        Ok(t) => t,
        Err(e) => return Err((loaded.sources, vec![msg::bad_plan_dir(loaded.file, &format!("cannot read {}: {e}", csv_path.display()))])),
    };
    let data = scenario_data.as_ref().unwrap_or(&loaded.data);
    let (assignment, diags) = super::plan_file::read(&csv_path.to_string_lossy(), &text, &loaded.policy, data, &mut loaded.sources);
    let Some(assignment) = assignment else { return Err((loaded.sources, diags)) };
    let scales = match report.as_ref().and_then(|r| recorded_scales(&loaded.policy, r)) {
        Some(s) => s,
        None => Scales::of(&crate::lower::lower(&loaded.policy, data, params.clone())),
    };
    Ok(OpenPlan { loaded, params, scenario_data, scenario, assignment, scales })
}

/// Warns when the policy or a data file differs from the one the plan was made from.
fn inputs_changed(loaded: &mut Loaded, report: &Json) {
    let provenance = &report["provenance"];
    let mut changed = Vec::new();
    if provenance["policy_sha256"].as_str().is_some_and(|h| h != loaded.policy_sha256) {
        changed.push((Default::default(), format!("the policy {}", loaded.policy_path)));
    }
    for f in provenance["data_files"].as_array().into_iter().flatten() {
        let (Some(path), Some(hash)) = (f["path"].as_str(), f["sha256"].as_str()) else { continue };
        if let Some(now) = loaded.data.files.iter().find(|d| d.path == path) {
            if now.sha256 != hash {
                let span = loaded.policy.schema.entities.iter().find(|e| e.file == path).map_or_else(Default::default, |e| e.file_span);
                changed.push((span, format!("the data file {path}")));
            }
        }
    }
    for (span, what) in changed {
        loaded.warnings.push(msg::plan_inputs_changed(loaded.file, span, &what));
    }
}

/// The scales recorded in plan.json, when it has one for every term and preference.
fn recorded_scales(policy: &crate::check::ir::CheckedPolicy, report: &Json) -> Option<Scales> {
    let terms_json = report["objective_terms"].as_array()?;
    let mut terms = Vec::new();
    for t in &policy.objective {
        let j = terms_json.iter().find(|j| j["name"].as_str() == Some(&t.name))?;
        terms.push(ScaledTerm { scale: j["scale"].as_f64()?, weight: j["weight"].as_f64()?, sign: crate::eval::sense_sign(t.sense) });
    }
    let prefs = report["preferences"].as_array()?;
    let mut soft = Vec::new();
    for c in &policy.constraints {
        soft.push(match c.kind {
            crate::check::ir::ConstraintKind::Soft { weight } => {
                let j = prefs.iter().find(|j| j["name"].as_str() == Some(&c.name))?;
                Some(ScaledTerm { scale: j["scale"].as_f64()?, weight, sign: 1.0 })
            }
            _ => None,
        })
    }
    Some(Scales { terms, soft })
}

pub fn run(args: &ExplainArgs) -> i32 {
    let open = match open(&args.plan, args.policy.as_deref()) {
        Ok(o) => o,
        Err((sources, d)) => {
            emit(&d, &sources, args.format);
            return exit::ERROR;
        }
    };
    emit(&open.loaded.warnings, &open.loaded.sources, args.format.min_human());
    let result = match &args.subject {
        Subject::Account(key) => account(&open, key, args),
        Subject::Rep(key) => rep(&open, key, args),
        Subject::Rule(name) => rule(&open, name, args),
    };
    match result {
        Ok((human, json)) => {
            if args.format == Format::Json {
                let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
                text.push('\n');
                crate::out!("{text}");
            } else {
                crate::out!("{human}");
            }
            exit::OK
        }
        Err(d) => {
            emit(&[d], &open.loaded.sources, args.format);
            exit::ERROR
        }
    }
}

/// The row of `key` in `entity`, or a diagnostic with a suggestion.
fn find_row(open: &OpenPlan, entity: usize, key: &str) -> Result<u32, Diagnostic> {
    let data = open.data();
    let table = &data.entities[entity];
    table.row(key).ok_or_else(|| {
        let schema = &open.loaded.policy.schema.entities[entity];
        let suggestion = crate::check::suggest::closest(key, table.keys.iter().map(String::as_str));
        msg::unknown_subject(open.loaded.file, schema.file_span, &schema.name, key, suggestion)
    })
}

fn account(open: &OpenPlan, key: &str, args: &ExplainArgs) -> Result<(String, Json), Diagnostic> {
    let policy = &open.loaded.policy;
    let Some(a) = &policy.assignment else {
        return Err(msg::bad_plan_dir(open.loaded.file, "the policy has no `assign` declaration"));
    };
    let row = find_row(open, a.entity, key)?;
    let ctx = open.context();
    let prepared = moves::Prepared::new(policy);
    let evaluator = moves::MoveEvaluator::new(policy, &prepared, ctx.data, ctx.params.clone(), ctx.assignment);
    let explanation = crate::explain::account::explain(&ctx, &evaluator, row);
    let sources = &open.loaded.sources;
    let file = sources.get(open.loaded.file);
    Ok(crate::explain::account::render(&ctx, &explanation, args.all, &|span| file.line_col(span.start).0))
}

fn rep(open: &OpenPlan, key: &str, args: &ExplainArgs) -> Result<(String, Json), Diagnostic> {
    let policy = &open.loaded.policy;
    let Some(a) = &policy.assignment else {
        return Err(msg::bad_plan_dir(open.loaded.file, "the policy has no `assign` declaration"));
    };
    let row = find_row(open, a.target, key)?;
    let ctx = open.context();
    let file = open.loaded.sources.get(open.loaded.file);
    Ok(crate::explain::rep::explain(&ctx, row, args.all, &|span| file.line_col(span.start).0))
}

fn rule(open: &OpenPlan, name: &str, args: &ExplainArgs) -> Result<(String, Json), Diagnostic> {
    let policy = &open.loaded.policy;
    let Some(ci) = policy.constraints.iter().position(|c| c.name == name) else {
        let suggestion = crate::check::suggest::closest(name, policy.constraints.iter().map(|c| c.name.as_str()));
        let span = policy.constraints.first().map_or_else(Default::default, |c| c.name_span);
        return Err(msg::unknown_subject(open.loaded.file, span, "rule", name, suggestion));
    };
    let ctx = open.context();
    let file = open.loaded.sources.get(open.loaded.file);
    Ok(crate::explain::rule::explain(&ctx, ci, &args.options, args.all, &|span| file.line_col(span.start).0))
}

/// `terra bench explain`: load once, then explain one account `runs` times.
pub fn bench(plan: &Path, policy: Option<&Path>, key: &str, runs: usize, format: Format) -> i32 {
    use std::time::Instant;
    let started = Instant::now();
    let open = match open(plan, policy) {
        Ok(o) => o,
        Err((sources, d)) => {
            emit(&d, &sources, format);
            return exit::ERROR;
        }
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let policy = &open.loaded.policy;
    let Some(a) = &policy.assignment else {
        eprintln!("error: the policy has no `assign` declaration");
        return exit::ERROR;
    };
    let row = match find_row(&open, a.entity, key) {
        Ok(r) => r,
        Err(d) => {
            emit(&[d], &open.loaded.sources, format);
            return exit::ERROR;
        }
    };
    let ctx = open.context();
    let mut samples = Vec::new();
    let mut alternatives = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let prepared = moves::Prepared::new(policy);
        let evaluator = moves::MoveEvaluator::new(policy, &prepared, ctx.data, ctx.params.clone(), ctx.assignment);
        let base = started.elapsed().as_secs_f64();
        let x = crate::explain::account::explain(&ctx, &evaluator, row);
        alternatives = x.alternatives.len() + x.ruled_out.len();
        samples.push((base, started.elapsed().as_secs_f64()));
    }
    samples.sort_by(|x, y| x.1.total_cmp(&y.1));
    let (base, total) = samples[samples.len() / 2];
    if format == Format::Json {
        let value = serde_json::json!({
            "format_version": super::review::FORMAT_VERSION,
            "command": "bench explain",
            "plan": plan.to_string_lossy(),
            "account": key,
            "runs": samples.len(),
            "load_seconds": load_seconds,
            "median_base_seconds": base,
            "median_total_seconds": total,
            "targets_explained": alternatives,
        });
        crate::outln!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        return exit::OK;
    }
    crate::outln!("bench explain {} --account {key}", plan.display());
    crate::outln!("  load plan, policy and data   {load_seconds:>9.3} s");
    crate::outln!("  {} runs, median: base evaluation {base:.3} s, explanation {:.3} s, total {total:.3} s", samples.len(), total - base);
    crate::outln!("  {alternatives} other targets explained");
    exit::OK
}
