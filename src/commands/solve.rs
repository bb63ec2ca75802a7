//! `terra solve`: policy + data -> checked, lowered, solved, re-checked by
//! `eval`, and written as `plan.csv` and `plan.json`.

use super::output::{round, write_atomic};
use super::{emit, exit, sha256_hex};
use crate::check::ir::{CheckedPolicy, Const, ConstraintKind, ScenarioChange};
use crate::check::schema::FieldType;
use crate::data::{Column, Dataset};
use crate::diagnostics::messages::run as msg;
use crate::diagnostics::render::Format;
use crate::diagnostics::{Diagnostic, FileId, Sources};
use crate::eval::{Assignment, Env, Evaluator, PlanEvaluation, Value};
use crate::lower::{Lowered, RowOrigin};
use crate::solve::restricted::RestrictedReport;
use crate::solve::{LinearModel, SolveOptions, SolveResult, SolveStatus};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Above this many columns, presolve probing is off (see `solve_loaded`).
pub const PROBING_COLUMN_LIMIT: usize = 50_000;

/// A policy with its data, checked and loaded.
pub struct Loaded {
    pub sources: Sources,
    pub file: FileId,
    pub policy: CheckedPolicy,
    pub data: Dataset,
    pub policy_path: String,
    pub policy_sha256: String,
    /// Seconds spent in (parse+check, load).
    pub timings: Vec<(&'static str, f64)>,
    /// Warnings about the policy and its data (e.g. a text that never occurs).
    pub warnings: Vec<Diagnostic>,
}

/// Reads, parses, checks and loads; on failure, the diagnostics to show.
pub fn load(policy_path: &Path) -> Result<Loaded, (Sources, Vec<Diagnostic>)> {
    load_from(policy_path, None)
}

/// `load` with the data files in `data_dir` (default: the policy's folder).
pub fn load_from(policy_path: &Path, data_dir: Option<&Path>) -> Result<Loaded, (Sources, Vec<Diagnostic>)> {
    let (shown, text) = super::read_policy(policy_path)?;
    load_text(&shown, &text, data_dir.unwrap_or(super::policy_dir(policy_path)))
}

/// `load` of a policy text already read (e.g. at a git revision), with its
/// data files relative to `data_dir`.
pub fn load_text(shown: &str, text: &str, data_dir: &Path) -> Result<Loaded, (Sources, Vec<Diagnostic>)> {
    let (shown, text) = (shown.to_string(), text.to_string());
    let started = Instant::now();
    let front = crate::front::check_text(&shown, &text);
    let check_seconds = started.elapsed().as_secs_f64();
    let Some(policy) = front.policy else { return Err((front.sources, front.diagnostics)) };
    let mut sources = front.sources;
    let started = Instant::now();
    let (data, mut diagnostics) = crate::data::load(&policy.schema, data_dir, front.file, &mut sources);
    let load_seconds = started.elapsed().as_secs_f64();
    diagnostics.extend(front.diagnostics);
    let Some(data) = data else { return Err((sources, diagnostics)) };
    diagnostics.extend(crate::data::literals::unseen_texts(&policy, &data, front.file));
    Ok(Loaded {
        warnings: diagnostics,
        sources,
        file: front.file,
        policy,
        data,
        policy_path: shown,
        policy_sha256: sha256_hex(text.as_bytes()),
        timings: vec![("parse+check", check_seconds), ("load", load_seconds)],
    })
}

/// Applies a scenario: its param values, and its scaled fields.
pub fn scenario_inputs(loaded: &Loaded, scenario: Option<&str>) -> Result<(Vec<Const>, Option<Dataset>), String> {
    let mut params: Vec<Const> = loaded.policy.params.iter().map(|p| p.value.clone()).collect();
    let Some(name) = scenario else { return Ok((params, None)) };
    let Some(s) = loaded.policy.scenarios.iter().find(|s| s.name == name) else {
        let known: Vec<&str> = loaded.policy.scenarios.iter().map(|s| s.name.as_str()).collect();
        return Err(format!("no scenario `{name}`; the policy has: {}", known.join(", ")));
    };
    let mut data = None::<Dataset>;
    for change in &s.changes {
        match change {
            ScenarioChange::SetParam { param, value, .. } => params[*param] = value.clone(),
            ScenarioChange::Scale { entity, field, factor, .. } => {
                let d = data.get_or_insert_with(|| loaded.data.clone());
                if let Column::Number(values) = &mut d.entities[*entity].columns[*field] {
                    for v in values.iter_mut().flatten() {
                        *v *= factor;
                    }
                }
            }
            ScenarioChange::Without { entity, row_var, filter, .. } => {
                let d = data.get_or_insert_with(|| loaded.data.clone());
                let keep: Vec<bool> = {
                    let ev = Evaluator::for_data(&loaded.policy, d);
                    let mut env = Env::new(&loaded.policy);
                    (0..d.entities[*entity].len() as u32)
                        .map(|row| {
                            env.bind(*row_var, Value::Row(*entity, row));
                            // Removed where the filter holds; no filter removes all.
                            filter.is_some() && !ev.passes(filter.as_ref(), &mut env)
                        })
                        .collect()
                };
                *d = crate::data::filter::without_rows(&loaded.policy.schema, d, *entity, &keep);
            }
        }
    }
    Ok((params, data))
}

/// The outcome of a solve that passed the independent check.
pub struct Solved {
    pub lowered: Lowered,
    pub result: SolveResult,
    /// How the LP-first route went, when the model was large enough for it.
    pub restricted: Option<RestrictedReport>,
    pub assignment: Assignment,
    pub evaluation: PlanEvaluation,
}

pub enum Failure {
    /// Exit code 1: infeasible or no plan; diagnostics say why.
    Infeasible(Vec<Diagnostic>),
    /// Exit code 1: the evaluator rejects the solver's plan (a bug).
    Internal(Vec<Diagnostic>),
    /// Exit code 2.
    Error(Vec<Diagnostic>),
}

fn key_of(data: &Dataset, entity: usize, row: Option<u32>) -> String {
    row.and_then(|r| data.entities[entity].keys.get(r as usize).cloned()).unwrap_or_default()
}

/// "account A17", or "the whole plan" for an unquantified rule.
pub fn instance_text(policy: &CheckedPolicy, data: &Dataset, c: &crate::check::ir::Constraint, row: Option<u32>) -> String {
    match (&c.quantifier, row) {
        (Some(q), Some(r)) => format!("{} {}", policy.schema.entities[q.entity].name, key_of(data, q.entity, Some(r))),
        _ => "the whole plan".into(),
    }
}

/// The objective as `eval` computes it, in the solver's normalised units.
pub fn evaluated_total(lowered: &Lowered, evaluation: &PlanEvaluation) -> f64 {
    let mut total = 0.0;
    for (t, raw) in lowered.terms.iter().zip(&evaluation.terms) {
        total += t.sign * t.weight * raw / t.scale;
    }
    for (ci, soft) in lowered.soft.iter().enumerate() {
        if let Some(s) = soft {
            let raw: f64 = evaluation.violations.iter().filter(|v| v.constraint == ci).map(|v| v.amount).sum();
            total += s.weight * raw / s.scale;
        }
    }
    total
}

/// Stage wall times, kept also when a later stage fails; with `live`, each
/// is printed on stderr as it completes (for benchmarks of long solves).
#[derive(Clone, Debug, Default)]
pub struct Stages {
    pub list: Vec<(&'static str, f64)>,
    pub live: bool,
}

impl Stages {
    pub fn push(&mut self, name: &'static str, seconds: f64) {
        if self.live {
            // Peak memory so far: the stage that raised it is the last one
            // whose figure grew.
            let rss = super::bench::peak_rss_mib().map_or(String::new(), |m| format!("   peak RSS {m:>6.0} MiB"));
            eprintln!("  {name:<12} {seconds:>9.3} s{rss}");
        }
        self.list.push((name, seconds));
    }
}

/// How `--time-limit` is kept when HiGHS does not return in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitMode {
    /// Wait for HiGHS, however late (library use: nothing is abandoned).
    Wait,
    /// Solve on a worker thread and stop waiting shortly after the limit.
    /// Some of HiGHS's work never returns to the interrupt callback, so
    /// this is what makes the limit hold; the abandoned solve keeps running
    /// until the process ends, which the CLI does right after reporting.
    Abandon,
}

/// Waiting past the limit: HiGHS usually stops within this margin on its own.
fn deadline_of(limit: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(limit * 1.02 + 0.25)
}

fn solve_with_deadline(model: LinearModel, groups: Vec<std::ops::Range<usize>>, options: &SolveOptions, limit: f64) -> (Option<ModelOutcome>, Option<LinearModel>) {
    let model = std::sync::Arc::new(model);
    let (tx, rx) = std::sync::mpsc::channel();
    let (worker_model, worker_options) = (std::sync::Arc::clone(&model), options.clone());
    let worker_groups = groups.clone();
    let spawned = std::thread::Builder::new().name("highs".into()).spawn(move || {
        let _ = tx.send(solve_model(&worker_model, &worker_groups, &worker_options));
    });
    let Ok(handle) = spawned else {
        let result = solve_model(&model, &groups, options);
        return (Some(result), std::sync::Arc::into_inner(model));
    };
    match rx.recv_timeout(deadline_of(limit)) {
        Ok(result) => {
            let _ = handle.join();
            (Some(result), std::sync::Arc::into_inner(model))
        }
        Err(_) => (None, None),
    }
}

/// Above this many candidate pairs the MIP is solved through its LP
/// relaxation (`solve::restricted`): HiGHS stalls on the plain MIP there.
pub const RESTRICT_ABOVE: usize = 10_000;
/// Columns kept per assigned row beyond those the LP uses, by reduced cost.
const KEEP_BEST: usize = 3;

type ModelOutcome = Result<(SolveResult, Option<RestrictedReport>), crate::solve::SolveError>;

/// Solves the lowered model: directly when small, through the LP when large.
fn solve_model(model: &LinearModel, groups: &[std::ops::Range<usize>], options: &SolveOptions) -> ModelOutcome {
    let pairs: usize = groups.iter().map(|g| g.len()).sum();
    if pairs > RESTRICT_ABOVE {
        crate::solve::restricted::solve_restricted(model, groups, KEEP_BEST, options)
    } else {
        crate::solve::solve(model, options).map(|r| (r, None))
    }
}

/// Lowers, solves and re-checks, recording each stage's wall time.
pub fn solve_loaded(
    loaded: &Loaded,
    params: Vec<Const>,
    data: &Dataset,
    options: &SolveOptions,
    write_mps: Option<&Path>,
    timings: &mut Stages,
    limit_mode: LimitMode,
) -> Result<Solved, Failure> {
    let policy = &loaded.policy;
    let file = loaded.file;
    let started = Instant::now();
    let mut lowered = crate::lower::lower(policy, data, params.clone());
    timings.push("lower", started.elapsed().as_secs_f64());
    if timings.live {
        let m = &lowered.model;
        eprintln!("  model        {} candidate pairs, {} rows, {} columns, {} nonzeros", lowered.candidates.len(), m.num_rows(), m.num_cols(), m.num_nonzeros());
    }
    if let Some(path) = write_mps {
        if let Err(e) = crate::solve::write_mps(&lowered.model, path) {
            return Err(Failure::Error(vec![msg::io_error(file, Default::default(), &format!("cannot write {}: {e}", path.display()))]));
        }
    }
    // Problems visible before solving.
    let mut early = Vec::new();
    if let Some(a) = &policy.assignment {
        for s in lowered.stranded.iter().take(20) {
            let excluded: Vec<(String, crate::syntax::ast::Span, usize)> = s
                .excluded_by
                .iter()
                .map(|&(ci, n)| (policy.constraints[ci].name.clone(), policy.constraints[ci].name_span, n))
                .collect();
            let entity = &policy.schema.entities[a.entity].name;
            let target = &policy.schema.entities[a.target].name;
            early.push(msg::no_candidate(file, entity, &key_of(data, a.entity, Some(s.row)), target, &excluded));
        }
    }
    for &(ci, row) in lowered.data_violations.iter().take(20) {
        let c = &policy.constraints[ci];
        early.push(msg::data_breaks_rule(file, &c.name, c.name_span, &instance_text(policy, data, c, row)));
    }
    if !early.is_empty() {
        // A row with no candidate left: name the minimal set of rules behind it.
        if let (Some(s), true) = (lowered.stranded.first(), lowered.data_violations.is_empty()) {
            if let Some(c) = crate::explain::conflict::stranded(policy, data, &params, s.row) {
                let source = &loaded.sources.get(file).text;
                let d = crate::explain::conflict::diagnostic(policy, data, &params, file, source, &c);
                let (entity, target) = policy.assignment.as_ref().map_or(("row", "target"), |a| (&policy.schema.entities[a.entity].name, &policy.schema.entities[a.target].name));
                let d = crate::diagnostics::messages::explain::more_stranded(d, lowered.stranded.len() - 1, entity, target);
                return Err(Failure::Infeasible(vec![d]));
            }
        }
        return Err(Failure::Infeasible(early));
    }
    // Presolve probing stalls on large assignment models (its clique table
    // grows with the candidate pairs) and cannot be interrupted; switch it
    // off above this many columns.
    let mut options = options.clone();
    if lowered.model.num_cols() > PROBING_COLUMN_LIMIT {
        options.presolve_probing = false;
    }
    let started = Instant::now();
    // Whole-policy messages point at the assignment they are about.
    let policy_span = policy.assignment.as_ref().map_or_else(Default::default, |a| a.span);
    let groups: Vec<std::ops::Range<usize>> = (0..lowered.candidates.must_assign.len()).map(|e| lowered.candidates.of(e)).collect();
    if options.start.is_none() {
        options.start = owners_start(policy, data, &lowered);
    }
    let outcome = match (limit_mode, options.time_limit) {
        (LimitMode::Abandon, Some(limit)) => {
            let (outcome, model) = solve_with_deadline(std::mem::take(&mut lowered.model), groups, &options, limit);
            if let Some(model) = model {
                lowered.model = model;
            }
            outcome
        }
        _ => Some(solve_model(&lowered.model, &groups, &options)),
    };
    timings.push("solve", started.elapsed().as_secs_f64());
    let (result, restricted) = match outcome {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(Failure::Internal(vec![msg::solver_disagrees(file, Default::default(), &e.to_string())])),
        None => {
            let why = "the time limit came first (the solver did not return in time and was stopped)";
            return Err(Failure::Infeasible(vec![msg::no_solution(file, policy_span, why)]));
        }
    };
    match result.status {
        SolveStatus::Infeasible => {
            if let Some(d) = conflict_diagnostic(loaded, data, &params, &options) {
                return Err(Failure::Infeasible(vec![d]));
            }
            let rules: Vec<(String, crate::syntax::ast::Span)> = policy
                .constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::Hard)
                .map(|c| (c.name.clone(), c.name_span))
                .collect();
            return Err(Failure::Infeasible(vec![msg::infeasible(file, &rules)]));
        }
        SolveStatus::TimeLimitNoSolution => return Err(Failure::Infeasible(vec![msg::no_solution(file, policy_span, "the time limit came first")])),
        SolveStatus::NodeLimitNoSolution => return Err(Failure::Infeasible(vec![msg::no_solution(file, policy_span, "the node limit came first")])),
        SolveStatus::Unbounded => return Err(Failure::Internal(vec![msg::solver_disagrees(file, policy_span, "the model is unbounded")])),
        SolveStatus::Optimal | SolveStatus::Feasible => {}
    }
    let assignment = lowered.assignment(&result.col_value);
    let started = Instant::now();
    let evaluation = Evaluator::for_plan(policy, data, &assignment).with_params(params).evaluate();
    timings.push("verify", started.elapsed().as_secs_f64());
    // The independent check: no hard rule broken, same objective.
    let mut problems = Vec::new();
    for v in evaluation.violations.iter().filter(|v| policy.constraints[v.constraint].kind == ConstraintKind::Hard).take(20) {
        let c = &policy.constraints[v.constraint];
        let what = format!("rule `{}` is broken for {} (by {})", c.name, instance_text(policy, data, c, v.row), round(v.amount));
        problems.push(msg::solver_disagrees(file, c.name_span, &what));
    }
    let total = evaluated_total(&lowered, &evaluation);
    let solver_total = result.objective.unwrap_or(f64::NAN) / lowered.multiplier;
    if !((total - solver_total).abs() <= 1e-6 * total.abs().max(1.0)) {
        let what = format!("objective {solver_total} from the solver, {total} from the evaluator");
        problems.push(msg::solver_disagrees(file, policy_span, &what));
    }
    if !problems.is_empty() {
        return Err(Failure::Internal(problems));
    }
    Ok(Solved { lowered, result, restricted, assignment, evaluation })
}

/// A MIP start from the current owners: each row with a current owner that
/// is still a candidate starts with it; the solver completes the rest.
fn owners_start(policy: &CheckedPolicy, data: &Dataset, lowered: &Lowered) -> Option<Vec<f64>> {
    let a = policy.assignment.as_ref()?;
    let owner = owner_field(policy)?;
    let ev = Evaluator::for_data(policy, data);
    let c = &lowered.candidates;
    let mut start = vec![0.0; lowered.model.num_cols()];
    for e in 0..c.must_assign.len() {
        if let Value::Row(_, r) = ev.field(a.entity, owner, e as u32) {
            if let Some(col) = c.of(e).find(|&col| c.target[col] == r) {
                start[col] = 1.0;
            }
        }
    }
    Some(start)
}

/// The minimal conflict of an infeasible policy as one diagnostic (see
/// `explain::conflict`); `None` when the search does not finish in time.
fn conflict_diagnostic(loaded: &Loaded, data: &Dataset, params: &[Const], options: &SolveOptions) -> Option<Diagnostic> {
    let budget = std::time::Duration::from_secs_f64(options.time_limit.unwrap_or(60.0).max(1.0));
    let conflict = crate::explain::conflict::find(&loaded.policy, data, params, options, budget)?;
    let source = &loaded.sources.get(loaded.file).text;
    Some(crate::explain::conflict::diagnostic(&loaded.policy, data, params, loaded.file, source, &conflict))
}

/// The current owner: the assigned entity's one reference to the target.
pub fn owner_field(policy: &CheckedPolicy) -> Option<usize> {
    let a = policy.assignment.as_ref()?;
    let refs: Vec<usize> = policy.schema.entities[a.entity]
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.ty == FieldType::Ref(a.target))
        .map(|(i, _)| i)
        .collect();
    (refs.len() == 1).then(|| refs[0])
}

/// `plan.csv`: one line per assigned row, sorted by key.
pub fn plan_csv(policy: &CheckedPolicy, data: &Dataset, assignment: &Assignment) -> String {
    let Some(a) = &policy.assignment else { return String::new() };
    let (en, tn) = (&policy.schema.entities[a.entity].name, &policy.schema.entities[a.target].name);
    let mut rows: Vec<(String, String)> = assignment
        .target
        .iter()
        .enumerate()
        .map(|(e, t)| (key_of(data, a.entity, Some(e as u32)), key_of(data, a.target, *t)))
        .collect();
    rows.sort();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([en, tn]);
    for (k, t) in rows {
        let _ = w.write_record([k, t]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

pub struct Provenance<'a> {
    pub loaded: &'a Loaded,
    pub scenario: Option<&'a str>,
    pub options: &'a SolveOptions,
}

/// `plan.json`: everything about the plan, deterministic for the same inputs.
pub fn plan_json(p: &Provenance, data: &Dataset, solved: &Solved) -> Json {
    let loaded = p.loaded;
    let policy = &loaded.policy;
    let ev = Evaluator::for_plan(policy, data, &solved.assignment);
    let status = match solved.result.status {
        SolveStatus::Optimal => "optimal",
        _ => "feasible",
    };
    let stopped_by = serde_json::to_value(solved.result.stop_reason).unwrap_or(Json::Null);
    let terms: Vec<Json> = policy
        .objective
        .iter()
        .zip(&solved.lowered.terms)
        .zip(&solved.evaluation.terms)
        .map(|((t, s), raw)| {
            json!({
                "name": t.name,
                "sense": if s.sign > 0.0 { "minimize" } else { "maximize" },
                "raw": round(*raw),
                "scale": round(s.scale),
                "weight": round(s.weight),
                "contribution": round(s.sign * s.weight * raw / s.scale),
            })
        })
        .collect();
    let mut preferences = Vec::new();
    let mut expectations = Vec::new();
    for (ci, c) in policy.constraints.iter().enumerate() {
        let violated: Vec<&crate::eval::Violation> = solved.evaluation.violations.iter().filter(|v| v.constraint == ci).collect();
        let instances: Vec<String> = violated.iter().map(|v| instance_text(policy, data, c, v.row)).collect();
        let amount: f64 = violated.iter().map(|v| v.amount).sum();
        match (c.kind, &solved.lowered.soft[ci]) {
            (ConstraintKind::Soft { weight }, Some(s)) => preferences.push(json!({
                "name": c.name,
                "weight": round(weight),
                "violations": violated.len(),
                "raw": round(amount),
                "scale": round(s.scale),
                "contribution": round(weight * amount / s.scale),
                "violated": instances,
            })),
            (ConstraintKind::Expect, _) => expectations.push(json!({
                "name": c.name,
                "passed": violated.is_empty(),
                "violated": instances,
            })),
            _ => {}
        }
    }
    let a = policy.assignment.as_ref();
    let mut kpis = Vec::new();
    let mut moves = Vec::new();
    if let Some(a) = a {
        let lets = ev.kpis();
        let n_targets = data.entities[a.target].len();
        let mut counts = vec![0usize; n_targets];
        for t in solved.assignment.target.iter().flatten() {
            counts[*t as usize] += 1;
        }
        let mut order: Vec<usize> = (0..n_targets).collect();
        order.sort_by(|x, y| data.entities[a.target].keys[*x].cmp(&data.entities[a.target].keys[*y]));
        for t in order {
            let mut k = serde_json::Map::new();
            k.insert(policy.schema.entities[a.target].name.clone(), json!(data.entities[a.target].keys[t]));
            k.insert(a.relation_name.clone(), json!(counts[t]));
            for (name, values) in &lets {
                k.insert(name.clone(), json!(round(values[t])));
            }
            kpis.push(Json::Object(k));
        }
        if let Some(owner) = owner_field(policy) {
            for (e, t) in solved.assignment.target.iter().enumerate() {
                let was = match ev.field(a.entity, owner, e as u32) {
                    Value::Row(_, r) => Some(r),
                    _ => None,
                };
                if was.is_some() && was != *t {
                    moves.push((key_of(data, a.entity, Some(e as u32)), key_of(data, a.target, was), key_of(data, a.target, *t)));
                }
            }
            moves.sort();
        }
    }
    // Rules whose rows are tight at the plan.
    let values = &solved.result.col_value;
    let model = &solved.lowered.model;
    let mut binding: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (i, origin) in solved.lowered.rows.iter().enumerate() {
        let RowOrigin::Rule { constraint, row } = origin else { continue };
        if policy.constraints[*constraint].kind != ConstraintKind::Hard {
            continue;
        }
        let activity: f64 = (model.row_start[i]..model.row_start[i + 1]).map(|k| model.row_value[k] * values[model.row_index[k]]).sum();
        let tight = |b: f64| b.is_finite() && (activity - b).abs() <= 1e-6 * b.abs().max(1.0);
        if tight(model.row_lower[i]) || tight(model.row_upper[i]) {
            binding.entry(*constraint).or_default().push(instance_text(policy, data, &policy.constraints[*constraint], *row));
        }
    }
    let binding: Vec<Json> = binding
        .into_iter()
        .map(|(ci, mut inst)| {
            inst.sort();
            inst.dedup();
            let c = &policy.constraints[ci];
            let (line, _) = loaded.sources.get(loaded.file).line_col(c.span.start);
            json!({"rule": c.name, "line": line, "instances": inst})
        })
        .collect();
    let pruned: serde_json::Map<String, Json> = policy
        .constraints
        .iter()
        .zip(&solved.lowered.pruned)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (c.name.clone(), json!(n)))
        .collect();
    let total: f64 = evaluated_total(&solved.lowered, &solved.evaluation);
    json!({
        "format_version": 1,
        "policy": policy.name,
        "scenario": p.scenario,
        "provenance": {
            "terra_version": env!("CARGO_PKG_VERSION"),
            "policy_file": loaded.policy_path,
            "policy_sha256": loaded.policy_sha256,
            "data_files": loaded.data.files.iter().map(|f| json!({"path": f.path, "sha256": f.sha256})).collect::<Vec<_>>(),
            "solver": {
                "name": "HiGHS",
                "version": solved.result.solver_version,
                "options": {
                    "time_limit": p.options.time_limit,
                    "mip_gap": p.options.mip_gap,
                    "threads": p.options.threads,
                    "seed": p.options.seed,
                    "node_limit": p.options.node_limit,
                },
            },
        },
        "status": status,
        "stopped_by": stopped_by,
        "gap": solved.result.gap.map(round),
        "objective": round(total),
        "bound": solved.result.dual_bound.map(|b| round(b / solved.lowered.multiplier)),
        "objective_terms": terms,
        "preferences": preferences,
        "expectations": expectations,
        "kpis": kpis,
        "binding_rules": binding,
        "moves": moves.iter().map(|(k, f, t)| json!({"key": k, "from": f, "to": t})).collect::<Vec<_>>(),
        "model": {
            "rows": model.num_rows(),
            "columns": model.num_cols(),
            "nonzeros": model.num_nonzeros(),
            "candidate_pairs": solved.lowered.candidates.len(),
            "pairs_removed_by_rule": pruned,
            "route": match &solved.restricted {
                None => json!({"method": "mip"}),
                Some(r) => json!({
                    "method": "lp_then_restricted_mip",
                    "lp_bound": round(r.lp_objective / solved.lowered.multiplier),
                    "lp_split_pairs": r.lp_fractional,
                    "columns_kept": r.columns_kept,
                    "columns_dropped": r.columns_dropped,
                    "proven_by_reduced_costs": r.proven_by_reduced_costs,
                    "restriction": r.restriction,
                    "search_rounds": r.lns.map_or(0, |l| l.rounds),
                    "search_improvements": r.lns.map_or(0, |l| l.improved),
                }),
            },
        },
    })
}

pub struct SolveArgs {
    pub policy: PathBuf,
    pub out: PathBuf,
    pub scenario: Option<String>,
    pub options: SolveOptions,
    pub format: Format,
    pub write_mps: Option<PathBuf>,
    /// Where the data files are (default: the policy's folder).
    pub data_dir: Option<PathBuf>,
}

pub fn run(args: &SolveArgs) -> i32 {
    let total_start = Instant::now();
    let loaded = match load_from(&args.policy, args.data_dir.as_deref()) {
        Ok(l) => l,
        Err((sources, diagnostics)) => {
            emit(&diagnostics, &sources, args.format);
            return exit::ERROR;
        }
    };
    emit(&loaded.warnings, &loaded.sources, args.format.min_human());
    let (params, scenario_data) = match scenario_inputs(&loaded, args.scenario.as_deref()) {
        Ok(x) => x,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::ERROR;
        }
    };
    let data = scenario_data.as_ref().unwrap_or(&loaded.data);
    let mut timings = Stages { list: loaded.timings.clone(), live: false };
    let solved = match solve_loaded(&loaded, params, data, &args.options, args.write_mps.as_deref(), &mut timings, LimitMode::Abandon) {
        Ok(s) => s,
        Err(Failure::Infeasible(d)) | Err(Failure::Internal(d)) => {
            emit(&d, &loaded.sources, args.format);
            return exit::VIOLATED;
        }
        Err(Failure::Error(d)) => {
            emit(&d, &loaded.sources, args.format);
            return exit::ERROR;
        }
    };
    let provenance = Provenance { loaded: &loaded, scenario: args.scenario.as_deref(), options: &args.options };
    let started = Instant::now();
    let (report, json_text) = match write_plan(&provenance, data, &solved, &args.out) {
        Ok(written) => written,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::ERROR;
        }
    };
    let (csv_path, json_path) = (args.out.join("plan.csv"), args.out.join("plan.json"));
    let write_seconds = started.elapsed().as_secs_f64();
    if args.format == Format::Json {
        crate::out!("{json_text}");
    } else {
        print_summary(&report, &csv_path, &json_path);
        timings.push("write", write_seconds);
        let parts: Vec<String> = timings.list.iter().map(|(n, s)| format!("{n} {s:.2}s")).collect();
        crate::outln!("time: {} (total {:.2}s)", parts.join(", "), total_start.elapsed().as_secs_f64());
    }
    exit::OK
}

/// Writes `plan.csv` and `plan.json` into `out`, each atomically; returns
/// the plan's JSON as a value and as the text written.
pub fn write_plan(provenance: &Provenance, data: &Dataset, solved: &Solved, out: &Path) -> Result<(Json, String), String> {
    let report = plan_json(provenance, data, solved);
    let csv = plan_csv(&provenance.loaded.policy, data, &solved.assignment);
    let mut json_text = serde_json::to_string_pretty(&report).unwrap_or_default();
    json_text.push('\n');
    for (name, bytes) in [("plan.csv", csv.as_bytes()), ("plan.json", json_text.as_bytes())] {
        let path = out.join(name);
        write_atomic(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok((report, json_text))
}

fn print_summary(report: &Json, csv_path: &Path, json_path: &Path) {
    let name = report["policy"].as_str().unwrap_or("policy");
    let gap = report["gap"].as_f64().map_or(String::new(), |g| format!(", gap {:.3}%", g * 100.0));
    crate::outln!("{name}: {}{gap}", report["status"].as_str().unwrap_or(""));
    let m = &report["model"];
    crate::outln!("model: {} candidate pairs, {} rows, {} columns, {} nonzeros", m["candidate_pairs"], m["rows"], m["columns"], m["nonzeros"]);
    crate::outln!("objective {}:", report["objective"]);
    for t in report["objective_terms"].as_array().into_iter().flatten() {
        crate::outln!(
            "  {:<8} {:<16} raw {:>14}  scale {:>14}  weight {:>6}  contribution {:>10}",
            t["sense"].as_str().unwrap_or(""),
            t["name"].as_str().unwrap_or(""),
            t["raw"],
            t["scale"],
            t["weight"],
            t["contribution"]
        );
    }
    for p in report["preferences"].as_array().into_iter().flatten() {
        crate::outln!("  prefer   {:<16} violated {} times, contribution {}", p["name"].as_str().unwrap_or(""), p["violations"], p["contribution"]);
    }
    for e in report["expectations"].as_array().into_iter().flatten() {
        let verdict = if e["passed"].as_bool() == Some(true) { "passed".to_string() } else { format!("FAILED for {}", e["violated"]) };
        crate::outln!("expect {}: {verdict}", e["name"].as_str().unwrap_or(""));
    }
    crate::outln!("moves against current owners: {}", report["moves"].as_array().map_or(0, Vec::len));
    crate::outln!("wrote {} and {}", csv_path.display(), json_path.display());
}
