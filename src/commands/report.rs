//! `terra report PLAN_DIR`: a self-contained HTML report of a solved plan,
//! or of two side by side (`--compare A B`). Reads plan.json and plan.csv,
//! and reloads the policy and data that plan.json names.

use super::output::write_atomic;
use super::solve::{load, scenario_inputs, Loaded};
use super::{emit, exit};
use crate::diagnostics::messages::report as msg;
use crate::diagnostics::render::Format;
use crate::diagnostics::{Diagnostic, FileId, SourceFile, Sources};
use crate::eval::Evaluator;
use crate::report::{self, PlanModel};
use crate::syntax::ast::Span;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};

pub struct ReportArgs {
    /// One plan folder, or two to compare.
    pub plans: Vec<PathBuf>,
    pub html: Option<PathBuf>,
    /// Overrides the policy path recorded in plan.json.
    pub policy: Option<PathBuf>,
    pub format: Format,
}

/// A failure to build a model: the diagnostics and the files they point into.
type Failed = (Sources, Vec<Diagnostic>);

/// The span of the first occurrence of `"field": VALUE` in a JSON text, for
/// pointing at a field of plan.json.
fn field_span(text: &str, field: &str) -> Span {
    let needle = format!("\"{field}\"");
    match text.find(&needle) {
        Some(start) => {
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            Span::new(start, end.max(start + needle.len()))
        }
        None => Span::default(),
    }
}

fn bad_json(path: &str, text: String, what: &str, span: Span) -> Failed {
    let mut sources = Sources::new();
    let file = sources.add(SourceFile::new(path, text));
    let d = msg::bad_plan_json(file, span, what);
    (sources, vec![d])
}

/// Reads and checks plan.json: the fields the report relies on.
fn read_plan_json(dir: &Path) -> Result<(String, String, Json), Failed> {
    let path = dir.join("plan.json");
    let shown = path.to_string_lossy().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            let mut sources = Sources::new();
            let file = sources.add(SourceFile::new(shown.clone(), String::new()));
            let d = crate::diagnostics::messages::run::io_error(file, Span::default(), &format!("cannot read {shown}: {e}"));
            return Err((sources, vec![d]));
        }
    };
    let plan: Json = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let source = SourceFile::new(shown.as_str(), text.as_str());
            let start = source.line_start(e.line()) + e.column().saturating_sub(1);
            let mut start = start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            return Err(bad_json(&shown, text, &e.to_string(), Span::new(start, start)));
        }
    };
    let required = [("/status", "status"), ("/provenance/policy_file", "policy_file"), ("/objective_terms", "objective_terms")];
    for (pointer, field) in required {
        if plan.pointer(pointer).is_none_or(Json::is_null) {
            let span = field_span(&text, field);
            return Err(bad_json(&shown, text, &format!("it has no `{}`", &pointer[1..]), span));
        }
    }
    Ok((shown, text, plan))
}

/// Everything about one plan folder, read and checked.
struct Opened {
    model: PlanModel,
    sources: Sources,
    warnings: Vec<Diagnostic>,
}

fn open(dir: &Path, policy_override: Option<&Path>) -> Result<Opened, Failed> {
    let (json_path, json_text, plan) = read_plan_json(dir)?;
    let recorded = plan.pointer("/provenance/policy_file").and_then(Json::as_str).unwrap_or_default().to_string();
    let policy_path = policy_override.map_or_else(|| PathBuf::from(&recorded), Path::to_path_buf);
    if policy_override.is_none() && !policy_path.is_file() {
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new(json_path, json_text.as_str()));
        let why = if policy_path.exists() { "it is not a file" } else { "no such file from this folder" };
        let d = msg::policy_not_found(file, field_span(&json_text, "policy_file"), &recorded, why);
        return Err((sources, vec![d]));
    }
    let mut loaded: Loaded = load(&policy_path)?;
    let json_file: FileId = loaded.sources.add(SourceFile::new(json_path, json_text.as_str()));
    let mut warnings = std::mem::take(&mut loaded.warnings);
    warnings.extend(changed_inputs(&loaded, &plan, &json_text, json_file));
    let scenario = plan.pointer("/scenario").and_then(Json::as_str);
    let (params, scenario_data) = match scenario_inputs(&loaded, scenario) {
        Ok(x) => x,
        Err(_) => {
            let known: Vec<&str> = loaded.policy.scenarios.iter().map(|s| s.name.as_str()).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            let d = msg::unknown_scenario(json_file, field_span(&json_text, "scenario"), scenario.unwrap_or_default(), &known);
            return Err((loaded.sources, vec![d]));
        }
    };
    let data = scenario_data.as_ref().unwrap_or(&loaded.data);
    let csv_path = dir.join("plan.csv");
    let csv_text = match std::fs::read_to_string(&csv_path) {
        Ok(t) => t,
        Err(e) => {
            let what = format!("cannot read {}: {e}", csv_path.display());
            let d = crate::diagnostics::messages::run::io_error(json_file, Span::default(), &what);
            return Err((loaded.sources, vec![d]));
        }
    };
    let (assignment, problems) = super::plan_file::read(&csv_path.to_string_lossy(), &csv_text, &loaded.policy, data, &mut loaded.sources);
    let Some(assignment) = assignment else {
        let problems = if problems.is_empty() {
            // A policy without `assign` has nothing in plan.csv to read.
            vec![msg::bad_plan_json(json_file, Span::default(), "the policy has no `assign` block, so there is no plan to report")]
        } else {
            problems
        };
        return Err((loaded.sources, problems));
    };
    // The independent evaluation of plan.csv must give plan.json's terms
    // (unless the inputs changed, which R0652 already says).
    let inputs_changed = warnings.iter().any(|d| d.code == "R0652");
    let evaluation = Evaluator::for_plan(&loaded.policy, data, &assignment).with_params(params.clone()).evaluate();
    for (term, raw) in loaded.policy.objective.iter().zip(&evaluation.terms) {
        let recorded = plan["objective_terms"].as_array().into_iter().flatten().find(|t| t["name"].as_str() == Some(term.name.as_str()));
        let Some(recorded) = recorded.and_then(|t| t["raw"].as_f64()).filter(|_| !inputs_changed) else { continue };
        if (recorded - raw).abs() > 1e-6 * raw.abs().max(1.0) {
            let what = format!("objective term `{}` is {} for plan.csv, {} in plan.json", term.name, super::output::round(*raw), recorded);
            warnings.push(msg::plan_files_disagree(json_file, field_span(&json_text, "objective_terms"), &what));
        }
    }
    let page_warnings: Vec<String> = warnings.iter().filter(|d| d.code.starts_with("R065")).map(|d| format!("{}: {}", d.code, d.message)).collect();
    let policy_text = loaded.sources.get(loaded.file).text.clone();
    let model = report::build(report::PlanInput {
        label: dir.to_string_lossy().to_string(),
        plan,
        policy: &loaded.policy,
        policy_text: &policy_text,
        data,
        params,
        assignment: &assignment,
        warnings: page_warnings,
    });
    Ok(Opened { model, sources: loaded.sources, warnings })
}

/// R0652 for the policy and each data file whose hash is not the one the
/// plan was solved with.
fn changed_inputs(loaded: &Loaded, plan: &Json, json_text: &str, json_file: FileId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if plan.pointer("/provenance/policy_sha256").and_then(Json::as_str) != Some(loaded.policy_sha256.as_str()) {
        let what = format!("the policy {}", loaded.policy_path);
        out.push(msg::input_changed(json_file, field_span(json_text, "policy_sha256"), &what));
    }
    let recorded = plan.pointer("/provenance/data_files").and_then(Json::as_array).cloned().unwrap_or_default();
    for f in &loaded.data.files {
        let was = recorded.iter().find(|r| r["path"].as_str() == Some(f.path.as_str())).and_then(|r| r["sha256"].as_str());
        if was != Some(f.sha256.as_str()) {
            // Point at this file's entry when plan.json lists it.
            let span = json_text.find(&format!("\"{}\"", f.path)).map_or_else(|| field_span(json_text, "data_files"), |s| Span::new(s, s + f.path.len() + 2));
            out.push(msg::input_changed(json_file, span, &format!("the data file {}", f.path)));
        }
    }
    out
}

pub fn run(args: &ReportArgs) -> i32 {
    let mut opened = Vec::new();
    for dir in &args.plans {
        match open(dir, args.policy.as_deref()) {
            Ok(o) => opened.push(o),
            Err((sources, diagnostics)) => {
                emit(&diagnostics, &sources, args.format);
                return exit::ERROR;
            }
        }
    }
    if args.format != Format::Json {
        for o in &opened {
            emit(&o.warnings, &o.sources, args.format);
        }
    }
    let (page, default_name) = match opened.as_slice() {
        [one] => (report::html::single(&one.model), "report.html"),
        [a, b] => (report::html::compare(&a.model, &b.model), "compare.html"),
        _ => {
            eprintln!("error: give one plan folder, or two with --compare");
            return exit::ERROR;
        }
    };
    let target = args.html.clone().unwrap_or_else(|| args.plans.last().map_or_else(PathBuf::new, |d| d.join(default_name)));
    if let Err(e) = write_atomic(&target, page.as_bytes()) {
        eprintln!("error: cannot write {}: {e}", target.display());
        return exit::ERROR;
    }
    let summary = json!({
        "html": target.to_string_lossy(),
        "bytes": page.len(),
        "plans": opened.iter().map(|o| json!({
            "plan": o.model.label,
            "status": o.model.plan["status"],
            "map_rows": if o.model.no_map.is_none() { o.model.rows.iter().filter(|r| r.site.is_some()).count() } else { 0 },
            "no_map": o.model.no_map,
            "charts": o.model.charts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            "moves": o.model.rows.iter().filter(|r| r.moved()).count(),
            "warnings": o.warnings.iter().map(|d| json!({"code": d.code, "message": d.message})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    if args.format == Format::Json {
        crate::outln!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    } else {
        crate::outln!("wrote {} ({} kB)", target.display(), page.len().div_ceil(1024));
        for o in &opened {
            let m = &o.model;
            let map = match &m.no_map {
                None => format!("map of {} {}s", m.rows.iter().filter(|r| r.site.is_some()).count(), m.entity),
                Some(why) => format!("no map ({why})"),
            };
            crate::outln!("  {}: {}, {map}, {} charts, {} moves", m.label, m.plan["status"].as_str().unwrap_or(""), m.charts.len(), m.rows.iter().filter(|r| r.moved()).count());
        }
    }
    exit::OK
}
