//! `terra explain --account`: the chosen target, then every other target
//! with either the hard rule that rules it out (and the data that does) or
//! what moving the row there would cost, term by term, as `eval` computes
//! it on the moved plan.

use super::moves::{MoveEffect, MoveEvaluator};
use super::{is_pair_rule, quote, show, PlanContext};
use crate::check::ir::{CheckedPolicy, TExpr, TExprKind};
use crate::eval::{Env, Evaluator, Value};
use crate::syntax::ast::{BinaryOp, Cardinality};

pub struct AccountExplanation {
    pub row: u32,
    pub target: Option<u32>,
    /// The `assign` clause that covers the row; `None` when it takes no part.
    pub cardinality: Option<Cardinality>,
    /// Targets a move could go to, cheapest first (ties by key).
    pub alternatives: Vec<Alternative>,
    /// Targets that a pair rule rules out, by key.
    pub ruled_out: Vec<RuledOut>,
}

pub struct Alternative {
    pub target: Option<u32>,
    /// The change of the plan's objective (lower is better).
    pub cost: f64,
    pub effect: MoveEffect,
}

pub struct RuledOut {
    pub target: Option<u32>,
    pub exclusions: Vec<Exclusion>,
}

/// One pair rule that forbids a target, with the values it read.
pub struct Exclusion {
    pub constraint: usize,
    /// (expression as written, its value for this row and target).
    pub readings: Vec<(String, String)>,
}

pub fn explain(ctx: &PlanContext, moves: &MoveEvaluator, row: u32) -> AccountExplanation {
    let policy = ctx.policy;
    let current = ctx.assignment.target.get(row as usize).copied().flatten();
    let Some(a) = &policy.assignment else {
        return AccountExplanation { row, target: current, cardinality: None, alternatives: Vec::new(), ruled_out: Vec::new() };
    };
    let ev = Evaluator::for_plan(policy, ctx.data, ctx.assignment).with_params(ctx.params.clone());
    let mut env = Env::new(policy);
    let cardinality = ev.clause_of(a, &mut env, row).map(|c| c.cardinality);
    let Some(card) = cardinality else {
        return AccountExplanation { row, target: current, cardinality, alternatives: Vec::new(), ruled_out: Vec::new() };
    };
    let mut targets: Vec<Option<u32>> = (0..ev.rows(a.target)).map(Some).collect();
    if card == Cardinality::AtMostOne {
        targets.push(None);
    }
    targets.retain(|t| *t != current);
    let mut open = Vec::new();
    let mut ruled_out = Vec::new();
    for t in targets {
        let exclusions = exclusions(ctx, &ev, &mut env, row, t);
        if exclusions.is_empty() {
            open.push(t);
        } else {
            ruled_out.push(RuledOut { target: t, exclusions });
        }
    }
    let effects = moves.moves(row, &open);
    let mut alternatives: Vec<Alternative> = effects
        .into_iter()
        .map(|effect| Alternative { target: effect.target, cost: ctx.scales.objective(&effect.term_changes, &effect.violation_changes), effect })
        .collect();
    let key = |t: Option<u32>| t.map_or(String::new(), |t| ctx.data.entities[a.target].keys[t as usize].clone());
    alternatives.sort_by(|x, y| x.cost.total_cmp(&y.cost).then_with(|| key(x.target).cmp(&key(y.target))));
    ruled_out.sort_by_key(|r| key(r.target));
    AccountExplanation { row, target: current, cardinality, alternatives, ruled_out }
}

/// The pair rules that forbid `row` having `target`.
pub fn exclusions(ctx: &PlanContext, ev: &Evaluator, env: &mut Env, row: u32, target: Option<u32>) -> Vec<Exclusion> {
    let policy = ctx.policy;
    let mut out = Vec::new();
    for (ci, c) in policy.constraints.iter().enumerate() {
        if !is_pair_rule(policy, c) {
            continue;
        }
        let Some(q) = &c.quantifier else { continue };
        env.bind(q.var, Value::Row(q.entity, row));
        env.hypothesis = Some((row, target));
        if ev.passes(q.filter.as_ref(), env) && ev.eval(&c.body, env) == Value::Bool(false) {
            let readings = operands(policy, &c.body)
                .into_iter()
                .map(|e| (quote(ctx.source, e.span), show::value(ctx.data, &ev.eval(e, env))))
                .collect();
            out.push(Exclusion { constraint: ci, readings });
        }
        env.hypothesis = None;
    }
    out
}

/// The operands a condition compares, as written: the data it decides on.
fn operands<'a>(policy: &CheckedPolicy, e: &'a TExpr) -> Vec<&'a TExpr> {
    let mut out = Vec::new();
    collect_operands(policy, e, &mut out);
    out
}

fn collect_operands<'a>(policy: &CheckedPolicy, e: &'a TExpr, out: &mut Vec<&'a TExpr>) {
    match &e.kind {
        TExprKind::Binary { op: BinaryOp::And | BinaryOp::Or, lhs, rhs } => {
            collect_operands(policy, lhs, out);
            collect_operands(policy, rhs, out);
        }
        TExprKind::Not(x) => collect_operands(policy, x, out),
        TExprKind::Binary { lhs, rhs, .. } => {
            for x in [lhs, rhs] {
                if !matches!(x.kind, TExprKind::Const(_) | TExprKind::TextList(_) | TExprKind::Param(_)) {
                    out.push(x);
                }
            }
        }
        TExprKind::Within { value, reference, .. } => out.extend([&**value, &**reference]),
        _ => out.push(e),
    }
}

/// The unit a rule's violation is measured in (the unit of its sides).
pub fn rule_unit(c: &crate::check::ir::Constraint) -> Option<crate::check::schema::Unit> {
    match &c.body.kind {
        TExprKind::Binary { op, lhs, .. } if op.is_comparison() => lhs.ty.unit(),
        TExprKind::Within { value, .. } => value.ty.unit(),
        _ => None,
    }
}

/// The text and JSON of an account explanation.
pub fn render(ctx: &PlanContext, x: &AccountExplanation, all: bool, line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> (String, serde_json::Value) {
    use serde_json::json;
    use std::fmt::Write as _;
    let policy = ctx.policy;
    let round = crate::commands::output::round;
    let Some(a) = &policy.assignment else { return (String::new(), json!({})) };
    let (entity, target_entity) = (&policy.schema.entities[a.entity].name, &policy.schema.entities[a.target].name);
    let key = &ctx.data.entities[a.entity].keys[x.row as usize];
    let target_key = |t: Option<u32>| t.map(|t| ctx.data.entities[a.target].keys[t as usize].clone());
    let target_text = |t: Option<u32>| target_key(t).map_or("no ".to_string() + target_entity, |k| format!("{target_entity} {k}"));
    let instance = |ci: usize, row: Option<u32>| crate::commands::solve::instance_text(policy, ctx.data, &policy.constraints[ci], row);
    let mut out = String::new();
    let clause = match x.cardinality {
        Some(Cardinality::ExactlyOne) => "exactly one",
        Some(Cardinality::AtMostOne) => "at most one",
        None => "",
    };
    let _ = writeln!(out, "{entity} {key} is assigned to {}.", target_text(x.target));
    if x.cardinality.is_none() {
        let _ = writeln!(out, "No `assign` clause covers it: it takes no part in the assignment.");
    }
    let shown = if all { x.alternatives.len() } else { x.alternatives.len().min(super::super::commands::explain::TOP) };
    let mut alternatives_json = Vec::new();
    if !x.alternatives.is_empty() {
        let _ = writeln!(out, "\nAlternatives, cheapest first. Cost: the change of the objective (lower is better);");
        let _ = writeln!(out, "then each term or preference that changes: its change, and (in brackets) the objective's.");
    }
    for (i, alt) in x.alternatives.iter().enumerate() {
        let terms: Vec<serde_json::Value> = policy
            .objective
            .iter()
            .enumerate()
            .map(|(ti, t)| {
                let raw = alt.effect.term_changes[ti];
                json!({"name": t.name, "raw_change": round(raw), "contribution_change": round(ctx.scales.term(ti, raw))})
            })
            .collect();
        let prefs: Vec<serde_json::Value> = policy
            .constraints
            .iter()
            .enumerate()
            .filter(|(ci, _)| ctx.scales.soft.get(*ci).is_some_and(Option::is_some))
            .map(|(ci, c)| {
                let raw = alt.effect.violation_changes[ci];
                json!({"name": c.name, "violation_change": round(raw), "contribution_change": round(ctx.scales.preference(ci, raw))})
            })
            .collect();
        let breaks: Vec<serde_json::Value> = alt
            .effect
            .broken
            .iter()
            .map(|&(ci, row, amount)| {
                let c = &policy.constraints[ci];
                json!({"rule": c.name, "line": line(c.name_span), "instance": instance(ci, row), "violation": round(amount), "violation_before": round(0.0f64.max(amount - alt.effect.violation_changes[ci]).min(amount))})
            })
            .collect();
        if i < shown {
            let verdict = if alt.effect.broken.is_empty() { "" } else { "  (breaks a rule)" };
            let _ = writeln!(out, "  {:<24} cost {}{verdict}", target_text(alt.target), show::signed(alt.cost));
            let mut parts = Vec::new();
            for (ti, t) in policy.objective.iter().enumerate() {
                let raw = alt.effect.term_changes[ti];
                if raw.abs() > 1e-12 {
                    parts.push(format!("{} {} ({})", t.name, show::signed(raw), show::signed(ctx.scales.term(ti, raw))));
                }
            }
            for (ci, c) in policy.constraints.iter().enumerate() {
                let raw = alt.effect.violation_changes[ci];
                if ctx.scales.soft.get(ci).is_some_and(Option::is_some) && raw.abs() > 1e-12 {
                    parts.push(format!("{} {} ({})", c.name, show::signed(raw), show::signed(ctx.scales.preference(ci, raw))));
                }
            }
            if !parts.is_empty() {
                let _ = writeln!(out, "      {}", parts.join(", "));
            }
            for &(ci, row, amount) in &alt.effect.broken {
                let c = &policy.constraints[ci];
                let _ = writeln!(out, "      breaks `{}` (line {}) for {} by {}", c.name, line(c.name_span), instance(ci, row), show::quantity(amount, rule_unit(c)));
            }
        }
        if all || i < shown {
            alternatives_json.push(json!({
                "target": target_key(alt.target),
                "cost": round(alt.cost),
                "feasible": alt.effect.broken.is_empty(),
                "objective_terms": terms,
                "preferences": prefs,
                "breaks": breaks,
            }));
        }
    }
    if shown < x.alternatives.len() {
        let _ = writeln!(out, "  ({} of {} alternatives shown; --all lists every one)", shown, x.alternatives.len());
    }
    let ruled_shown = if all { x.ruled_out.len() } else { x.ruled_out.len().min(super::super::commands::explain::TOP) };
    if !x.ruled_out.is_empty() {
        let _ = writeln!(out, "\nRuled out by hard rules:");
    }
    let mut ruled_json = Vec::new();
    for (i, r) in x.ruled_out.iter().enumerate() {
        let rules: Vec<serde_json::Value> = r
            .exclusions
            .iter()
            .map(|e| {
                let c = &policy.constraints[e.constraint];
                json!({"rule": c.name, "line": line(c.name_span), "readings": e.readings.iter().map(|(x, v)| json!({"expression": x, "value": v})).collect::<Vec<_>>()})
            })
            .collect();
        if i < ruled_shown {
            for e in &r.exclusions {
                let c = &policy.constraints[e.constraint];
                let readings: Vec<String> = e.readings.iter().map(|(x, v)| format!("{x} = {v}")).collect();
                let _ = writeln!(out, "  {:<24} `{}` (line {}): {}", target_text(r.target), c.name, line(c.name_span), readings.join(", "));
            }
            ruled_json.push(json!({"target": target_key(r.target), "rules": rules}));
        }
    }
    if ruled_shown < x.ruled_out.len() {
        let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
        for r in &x.ruled_out[ruled_shown..] {
            for e in &r.exclusions {
                *by_rule.entry(policy.constraints[e.constraint].name.as_str()).or_default() += 1;
            }
        }
        let counts: Vec<String> = by_rule.iter().map(|(n, k)| format!("`{n}` {k}")).collect();
        let _ = writeln!(out, "  ({} more ruled out: {}; --all lists them)", x.ruled_out.len() - ruled_shown, counts.join(", "));
    }
    let doc = json!({
        "format_version": crate::commands::explain::FORMAT_VERSION,
        "explain": "account",
        "policy": policy.name,
        "entity": entity,
        "key": key,
        "target_entity": target_entity,
        "assigned": target_key(x.target),
        "clause": if clause.is_empty() { serde_json::Value::Null } else { json!(clause) },
        "alternatives_total": x.alternatives.len(),
        "alternatives": alternatives_json,
        "ruled_out_total": x.ruled_out.len(),
        "ruled_out": ruled_json,
    });
    (out, doc)
}
