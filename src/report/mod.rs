//! The HTML report of a plan: what `terra report` shows, built from a
//! plan folder (plan.json and plan.csv) and the policy and data it was
//! solved from. [`build`] reads everything the page needs into a
//! [`PlanModel`] (no file access here), and [`html`] renders one model, or
//! two side by side.
//!
//! The numbers drawn are the independent evaluation (`eval`) of plan.csv on
//! the data, not the solver's: only what needs the solved model (binding
//! rules, gap, bound) comes from plan.json.

pub mod chart;
pub mod fmt;
pub mod html;
pub mod map;

use crate::check::ir::{CheckedPolicy, Const, ConstraintKind, TExpr, TExprKind};
use crate::check::schema::{FieldType, Unit};
use crate::data::{Column, Dataset};
use crate::eval::{Assignment, Env, Evaluator, Value};
use crate::syntax::ast::{BinaryOp, Cardinality};
use serde_json::Value as Json;

/// Everything the report of one plan shows.
pub struct PlanModel {
    /// The plan folder as given on the command line.
    pub label: String,
    /// plan.json as written by `terra solve`.
    pub plan: Json,
    /// The assigned entity's and the target's names (`account`, `rep`).
    pub entity: String,
    pub target: String,
    pub targets: Vec<TargetInfo>,
    pub rows: Vec<RowInfo>,
    /// The fields shown when an account on the map is hovered or clicked:
    /// names, then per field one value per row.
    pub detail_fields: Vec<String>,
    pub detail_values: Vec<Vec<Json>>,
    pub charts: Vec<BalanceChart>,
    pub rules: Vec<RuleRow>,
    /// Whether the policy names a current owner (one reference from the
    /// assigned entity to the target), so that moves can be counted.
    pub has_owner: bool,
    /// Why there is no map, when there is none.
    pub no_map: Option<String>,
    /// The assigned entity's and the target's geo fields.
    pub geo_fields: (Option<String>, Option<String>),
    /// The `assign` clauses' text for rows that must be assigned and rows
    /// that may be (drawn filled and as rings on the map).
    pub required_clause: Option<String>,
    pub optional_clause: Option<String>,
    /// Problems met while building (inputs changed since solving, ...),
    /// shown in the page's header.
    pub warnings: Vec<String>,
}

pub struct TargetInfo {
    pub key: String,
    /// A readable name (the first text field besides the key), if any.
    pub name: Option<String>,
    pub home: Option<(f64, f64)>,
}

pub struct RowInfo {
    pub key: String,
    pub name: Option<String>,
    pub target: Option<u32>,
    /// The current owner, when the policy has one reference to the target.
    pub owner: Option<u32>,
    /// Under an `exactly one` clause (a customer), else optional.
    pub required: bool,
    pub site: Option<(f64, f64)>,
}

impl RowInfo {
    /// Has an owner and a different target in the plan.
    pub fn moved(&self) -> bool {
        self.owner.is_some() && self.owner != self.target
    }
}

/// One per-target quantity with its limits: a rule such as
/// `for r in rep: load(r) <= r.capacity` or `book(r) within tolerance of
/// mean(...)`, or a plain per-target `let`.
pub struct BalanceChart {
    /// The rule's or the let's name.
    pub name: String,
    /// "rule", "prefer", "expect" or "kpi".
    pub kind: &'static str,
    /// The rule as written, for the caption.
    pub source: String,
    /// What the bars measure, as written (`load(r)`), and its unit.
    pub value_label: String,
    pub unit: &'static str,
    /// What the limits are, as written: the bound (`r.capacity`) or the
    /// reference of a `within` (`mean(book(q) for q in rep)`), if any.
    pub limit_label: Option<String>,
    /// The tolerance of a `within`, as written (`tolerance`).
    pub tolerance_label: Option<String>,
    pub bars: Vec<BalanceBar>,
}

pub struct BalanceBar {
    pub target: u32,
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl BalanceBar {
    /// Where the value sits against its limits.
    pub fn status(&self) -> BarStatus {
        let tight = |b: f64| (self.value - b).abs() <= 1e-6 * b.abs().max(1.0);
        let (lo, hi) = (self.low.unwrap_or(f64::NEG_INFINITY), self.high.unwrap_or(f64::INFINITY));
        if self.low.is_some_and(tight) || self.high.is_some_and(tight) {
            BarStatus::AtLimit
        } else if self.value < lo || self.value > hi {
            BarStatus::Outside
        } else {
            BarStatus::Inside
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarStatus {
    Inside,
    AtLimit,
    Outside,
}

/// One rule, preference or expectation, and how the plan meets it.
pub struct RuleRow {
    pub name: String,
    pub kind: &'static str,
    pub line: usize,
    /// "binding", "holds", "violated", "passed", "failed".
    pub status: &'static str,
    /// Instances: where it binds or where it is violated.
    pub instances: Vec<String>,
    /// For a comparison over the whole plan: its two sides' values.
    pub sides: Option<(f64, f64)>,
}

/// What [`build`] needs: all read and loaded by the caller.
pub struct PlanInput<'a> {
    pub label: String,
    pub plan: Json,
    pub policy: &'a CheckedPolicy,
    /// The policy's source text, for rule captions.
    pub policy_text: &'a str,
    /// The data the plan was solved on (with the scenario applied).
    pub data: &'a Dataset,
    pub params: Vec<Const>,
    pub assignment: &'a Assignment,
    pub warnings: Vec<String>,
}

fn text_of<'t>(source: &'t str, e: &TExpr) -> &'t str {
    source.get(e.span.start..e.span.end).unwrap_or("")
}

fn unit_name(e: &TExpr) -> &'static str {
    match e.ty.unit() {
        Some(Unit::Dimensionless) | None => "",
        Some(u) => u.name(),
    }
}

fn num(v: Value) -> Option<f64> {
    match v {
        Value::Num(x) if x.is_finite() => Some(x),
        _ => None,
    }
}

/// A readable value of one cell, for the details shown on the map.
fn cell_json(policy: &CheckedPolicy, data: &Dataset, entity: usize, field: usize, row: usize) -> Json {
    let Some(column) = data.entities[entity].columns.get(field) else { return Json::Null };
    match column {
        Column::Text(v) => v.get(row).copied().flatten().map_or(Json::Null, |s| Json::from(data.texts.resolve(s))),
        Column::Number(v) => v.get(row).copied().flatten().map_or(Json::Null, |x| Json::from(crate::commands::output::round(x))),
        Column::Bool(v) => v.get(row).copied().flatten().map_or(Json::Null, Json::from),
        Column::Geo(_) => Json::Null,
        Column::TextSet(v) => v.get(row).map_or(Json::Null, |s| Json::from(s.iter().map(|x| data.texts.resolve(*x)).collect::<Vec<_>>().join("; "))),
        Column::Ref(v) => match (v.get(row).copied().flatten(), &policy.schema.entities[entity].fields[field].ty) {
            (Some(t), FieldType::Ref(te)) => data.entities[*te].keys.get(t as usize).map_or(Json::Null, |k| Json::from(k.as_str())),
            _ => Json::Null,
        },
    }
}

/// The first text field besides the key: a row's readable name.
fn name_field(policy: &CheckedPolicy, entity: usize) -> Option<usize> {
    policy.schema.entities[entity].fields.iter().position(|f| !f.is_key && f.ty == FieldType::Text)
}

fn geo_field(policy: &CheckedPolicy, entity: usize) -> Option<usize> {
    policy.schema.entities[entity].fields.iter().position(|f| f.ty == FieldType::Geo)
}

fn geo_at(data: &Dataset, entity: usize, field: Option<usize>, row: usize) -> Option<(f64, f64)> {
    match data.entities[entity].columns.get(field?)? {
        Column::Geo(v) => v.get(row).copied().flatten(),
        _ => None,
    }
}

fn text_at(data: &Dataset, entity: usize, field: Option<usize>, row: usize) -> Option<String> {
    match data.entities[entity].columns.get(field?)? {
        Column::Text(v) => v.get(row).copied().flatten().map(|s| data.texts.resolve(s).to_string()),
        _ => None,
    }
}

/// Builds the model of one plan. Without an `assign` block there is
/// nothing to draw per target; the model then holds the header and rules.
pub fn build(input: PlanInput) -> PlanModel {
    let policy = input.policy;
    let data = input.data;
    let ev = Evaluator::for_plan(policy, data, input.assignment).with_params(input.params.clone());
    let mut model = PlanModel {
        label: input.label,
        plan: input.plan,
        entity: String::new(),
        target: String::new(),
        targets: Vec::new(),
        rows: Vec::new(),
        detail_fields: Vec::new(),
        detail_values: Vec::new(),
        charts: Vec::new(),
        rules: Vec::new(),
        has_owner: false,
        no_map: None,
        geo_fields: (None, None),
        required_clause: None,
        optional_clause: None,
        warnings: input.warnings,
    };
    model.rules = rule_rows(policy, input.policy_text, data, &ev, &model.plan);
    let Some(a) = &policy.assignment else {
        model.no_map = Some("the policy has no `assign` block, so no rows are assigned to draw".into());
        return model;
    };
    let (entity_schema, target_schema) = (&policy.schema.entities[a.entity], &policy.schema.entities[a.target]);
    model.entity = entity_schema.name.clone();
    model.target = target_schema.name.clone();
    let (site_field, home_field) = (geo_field(policy, a.entity), geo_field(policy, a.target));
    model.geo_fields = (site_field.map(|f| entity_schema.fields[f].name.clone()), home_field.map(|f| target_schema.fields[f].name.clone()));
    let target_name = name_field(policy, a.target);
    model.targets = (0..data.entities[a.target].len())
        .map(|t| TargetInfo {
            key: data.entities[a.target].keys[t].clone(),
            name: text_at(data, a.target, target_name, t),
            home: geo_at(data, a.target, home_field, t),
        })
        .collect();
    let owner = crate::commands::solve::owner_field(policy);
    model.has_owner = owner.is_some();
    let entity_name = name_field(policy, a.entity);
    let mut env = Env::new(policy);
    let n = data.entities[a.entity].len();
    model.rows = (0..n)
        .map(|row| {
            let clause = ev.clause_of(a, &mut env, row as u32);
            let owner = owner.and_then(|f| match ev.field(a.entity, f, row as u32) {
                Value::Row(_, r) => Some(r),
                _ => None,
            });
            RowInfo {
                key: data.entities[a.entity].keys[row].clone(),
                name: text_at(data, a.entity, entity_name, row),
                target: input.assignment.target.get(row).copied().flatten(),
                owner,
                required: clause.is_some_and(|c| c.cardinality == Cardinality::ExactlyOne),
                site: geo_at(data, a.entity, site_field, row),
            }
        })
        .collect();
    for c in &a.clauses {
        let text = input.policy_text.get(c.span.start..c.span.end).unwrap_or("").trim().to_string();
        let slot = if c.cardinality == Cardinality::ExactlyOne { &mut model.required_clause } else { &mut model.optional_clause };
        if slot.is_none() {
            *slot = Some(text);
        }
    }
    for (f, field) in entity_schema.fields.iter().enumerate() {
        if field.ty == FieldType::Geo {
            continue;
        }
        model.detail_fields.push(field.name.clone());
        model.detail_values.push((0..n).map(|row| cell_json(policy, data, a.entity, f, row)).collect());
    }
    model.no_map = match (site_field, model.rows.iter().any(|r| r.site.is_some())) {
        (None, _) => Some(format!("`{}` has no `geo` field, so there is nothing to place on a map", entity_schema.name)),
        (Some(_), false) => Some(format!("no {} has a location", entity_schema.name)),
        _ => None,
    };
    model.charts = balance_charts(policy, input.policy_text, data, &ev, a.target);
    // The count per target, always: how many rows each target was given.
    let mut counts = vec![0.0; model.targets.len()];
    for t in input.assignment.target.iter().flatten() {
        if let Some(c) = counts.get_mut(*t as usize) {
            *c += 1.0;
        }
    }
    model.charts.push(kpi_chart(format!("{} per {}", a.relation_name, target_schema.name), a.relation_name.clone(), "count", counts));
    model
}

fn kpi_chart(name: String, value_label: String, unit: &'static str, values: Vec<f64>) -> BalanceChart {
    let mut bars: Vec<BalanceBar> = values.into_iter().enumerate().map(|(t, value)| BalanceBar { target: t as u32, value, low: None, high: None }).collect();
    sort_bars(&mut bars);
    BalanceChart { name, kind: "kpi", source: String::new(), value_label, unit, limit_label: None, tolerance_label: None, bars }
}

/// Largest first; ties by target row, so the order is deterministic.
fn sort_bars(bars: &mut [BalanceBar]) {
    bars.sort_by(|x, y| y.value.total_cmp(&x.value).then(x.target.cmp(&y.target)));
}

/// The lets a rule's value side calls: a KPI charted by a rule needs no
/// chart of its own.
fn called_let(e: &TExpr) -> Option<usize> {
    match &e.kind {
        TExprKind::Call { func, .. } => Some(*func),
        _ => None,
    }
}

/// One chart per constraint over the target entity whose condition compares
/// a number with limits, then one per KPI `let` that no such chart shows.
fn balance_charts(policy: &CheckedPolicy, text: &str, data: &Dataset, ev: &Evaluator, target: usize) -> Vec<BalanceChart> {
    let mut charts = Vec::new();
    let mut charted_lets = Vec::new();
    for c in &policy.constraints {
        let Some(q) = c.quantifier.as_ref().filter(|q| q.entity == target) else { continue };
        // (value, low, high) for one bound target row.
        type Sides<'e> = (&'e TExpr, Option<&'e TExpr>, Option<&'e TExpr>, Option<&'e TExpr>);
        let sides: Sides = match &c.body.kind {
            TExprKind::Binary { op: BinaryOp::Le | BinaryOp::Lt, lhs, rhs } => (lhs, None, Some(rhs), None),
            TExprKind::Binary { op: BinaryOp::Ge | BinaryOp::Gt, lhs, rhs } => (lhs, Some(rhs), None, None),
            TExprKind::Binary { op: BinaryOp::Eq, lhs, rhs } if lhs.ty.unit().is_some() => (lhs, Some(rhs), Some(rhs), None),
            TExprKind::Within { value, tolerance, reference } => (value, Some(reference), Some(reference), Some(tolerance)),
            _ => continue,
        };
        let (value, low, high, tolerance) = sides;
        if value.ty.unit().is_none() {
            continue;
        }
        let mut env = Env::new(policy);
        let mut bars = Vec::new();
        for row in ev.instances(c, &mut env).into_iter().flatten() {
            env.bind(q.var, Value::Row(q.entity, row));
            let Some(v) = num(ev.eval(value, &mut env)) else { continue };
            let mut low_value = low.and_then(|e| num(ev.eval(e, &mut env)));
            let mut high_value = high.and_then(|e| num(ev.eval(e, &mut env)));
            if let Some(t) = tolerance.and_then(|e| num(ev.eval(e, &mut env))) {
                // |v - r| <= t * r
                low_value = low_value.map(|r| r - t * r);
                high_value = high_value.map(|r| r + t * r);
            }
            bars.push(BalanceBar { target: row, value: v, low: low_value, high: high_value });
        }
        sort_bars(&mut bars);
        charted_lets.extend(called_let(value));
        charts.push(BalanceChart {
            name: c.name.clone(),
            kind: kind_name(c.kind),
            source: text_of(text, &c.body).to_string(),
            value_label: text_of(text, value).to_string(),
            unit: unit_name(value),
            limit_label: low.or(high).map(|e| text_of(text, e).to_string()),
            tolerance_label: tolerance.map(|e| text_of(text, e).to_string()),
            bars,
        });
    }
    for (let_id, f) in policy.lets.iter().enumerate() {
        if charted_lets.contains(&let_id) || f.params.len() != 1 || policy.vars[f.params[0]].ty != crate::check::ir::Type::Entity(target) {
            continue;
        }
        if f.body.ty.unit().is_none() {
            continue;
        }
        let mut env = Env::new(policy);
        let values = (0..data.entities[target].len() as u32)
            .map(|t| {
                env.bind(f.params[0], Value::Row(target, t));
                ev.number(&f.body, &mut env)
            })
            .collect();
        let param = &policy.vars[f.params[0]].name;
        charts.push(kpi_chart(f.name.clone(), format!("{}({param})", f.name), unit_name(&f.body), values));
    }
    charts
}

fn kind_name(kind: ConstraintKind) -> &'static str {
    match kind {
        ConstraintKind::Hard => "rule",
        ConstraintKind::Soft { .. } => "prefer",
        ConstraintKind::Expect => "expect",
    }
}

/// Every constraint, with how the plan meets it: violations as evaluated
/// now; binding instances as plan.json records them (they need the model).
fn rule_rows(policy: &CheckedPolicy, text: &str, data: &Dataset, ev: &Evaluator, plan: &Json) -> Vec<RuleRow> {
    let evaluation = ev.evaluate();
    let line_of = |offset: usize| text.get(..offset).map_or(0, |t| t.matches('\n').count() + 1);
    policy
        .constraints
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut violated: Vec<String> = evaluation
                .violations
                .iter()
                .filter(|v| v.constraint == ci)
                .map(|v| crate::commands::solve::instance_text(policy, data, c, v.row))
                .collect();
            violated.sort();
            let binding: Vec<String> = plan["binding_rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|b| b["rule"].as_str() == Some(c.name.as_str()))
                .flat_map(|b| b["instances"].as_array().into_iter().flatten().filter_map(|i| i.as_str().map(str::to_string)))
                .collect();
            let (status, instances) = match c.kind {
                ConstraintKind::Expect if violated.is_empty() => ("passed", Vec::new()),
                ConstraintKind::Expect => ("failed", violated),
                _ if !violated.is_empty() => ("violated", violated),
                _ if !binding.is_empty() => ("binding", binding),
                _ => ("holds", Vec::new()),
            };
            let sides = match (&c.quantifier, &c.body.kind) {
                (None, TExprKind::Binary { op, lhs, rhs }) if op.is_comparison() && lhs.ty.unit().is_some() => {
                    let mut env = Env::new(policy);
                    num(ev.eval(lhs, &mut env)).zip(num(ev.eval(rhs, &mut env)))
                }
                _ => None,
            };
            RuleRow { name: c.name.clone(), kind: kind_name(c.kind), line: line_of(c.span.start), status, instances, sides }
        })
        .collect()
}
