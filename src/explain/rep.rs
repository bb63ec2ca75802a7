//! `terra explain --rep`: a target's KPIs against the limits of the rules
//! about it, the rows it gained and lost against their current owners (and
//! what undoing each move would cost), and the rules that bind for it.

use super::moves::{MoveEvaluator, Prepared};
use super::{show, sides, PlanContext, Sides};
use crate::check::ir::ConstraintKind;
use crate::eval::{Env, Evaluator, Value};
use serde_json::{json, Value as Json};
use std::fmt::Write as _;

/// One move against the current owner, and what undoing it would take.
struct Move {
    row: u32,
    /// Where the row is in the plan (lost) or was (gained).
    other: Option<u32>,
    undo_cost: Option<f64>,
    undo_breaks: Vec<(usize, Option<u32>, f64)>,
    undo_ruled_out_by: Vec<usize>,
}

pub fn explain(ctx: &PlanContext, target: u32, all: bool, line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> (String, Json) {
    let policy = ctx.policy;
    let Some(a) = &policy.assignment else { return (String::new(), json!({})) };
    let (entity, target_entity) = (&policy.schema.entities[a.entity].name, &policy.schema.entities[a.target].name);
    let keys = &ctx.data.entities[a.entity].keys;
    let target_keys = &ctx.data.entities[a.target].keys;
    let key = &target_keys[target as usize];
    let key_of = |t: Option<u32>| t.map(|t| target_keys[t as usize].clone());
    let round = crate::commands::output::round;
    let ev = Evaluator::for_plan(policy, ctx.data, ctx.assignment).with_params(ctx.params.clone());
    let mut env = Env::new(policy);
    let members: Vec<u32> = (0..ctx.assignment.target.len() as u32).filter(|&e| ctx.assignment.target[e as usize] == Some(target)).collect();
    let mut out = String::new();
    let _ = writeln!(out, "{target_entity} {key} has {} {entity}s.", members.len());
    // KPIs: the policy's one-parameter lets over the target.
    let kpis: Vec<(String, f64)> = ev.kpis().into_iter().map(|(name, values)| (name, values.get(target as usize).copied().unwrap_or(0.0))).collect();
    if !kpis.is_empty() {
        let parts: Vec<String> = kpis.iter().map(|(n, v)| format!("{n} {}", show::number(*v))).collect();
        let _ = writeln!(out, "KPIs: {}", parts.join(", "));
    }
    // Limits: every rule and preference about this target.
    let mut limits = Vec::new();
    for (ci, c) in policy.constraints.iter().enumerate() {
        if c.kind == ConstraintKind::Expect || c.quantifier.as_ref().is_none_or(|q| q.entity != a.target) {
            continue;
        }
        if let Some(s) = sides(&ev, c, &mut env, Some(target), ctx.source) {
            limits.push((ci, s));
        }
    }
    if !limits.is_empty() {
        let _ = writeln!(out, "\nLimits:");
    }
    let unit_of = |ci: usize| super::account::rule_unit(&policy.constraints[ci]);
    for (ci, s) in &limits {
        let c = &policy.constraints[*ci];
        let state = if s.slack < 0.0 && !s.binding() { "BROKEN" } else if s.binding() { "binding" } else { "slack" };
        let _ = writeln!(out, "  {:<20} {}  ({state} {})", c.name, describe(s, unit_of(*ci)), show::quantity(s.slack, unit_of(*ci)));
    }
    // Gains and losses against the current owners.
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    if let Some(owner) = crate::commands::solve::owner_field(policy) {
        let prepared = Prepared::new(policy);
        let moves = MoveEvaluator::new(policy, &prepared, ctx.data, ctx.params.clone(), ctx.assignment);
        for e in 0..ctx.assignment.target.len() as u32 {
            let was = match ev.field(a.entity, owner, e) {
                Value::Row(_, r) => Some(r),
                _ => None,
            };
            let now = ctx.assignment.target[e as usize];
            if was == now || (was != Some(target) && now != Some(target)) {
                continue;
            }
            // Undo: back to the owner (gained), or back here (lost).
            let back = if now == Some(target) { was } else { Some(target) };
            let excluded = super::account::exclusions(ctx, &ev, &mut env, e, back);
            let (undo_cost, undo_breaks) = if excluded.is_empty() {
                let effect = moves.moves(e, &[back]).pop();
                (effect.as_ref().map(|x| ctx.scales.objective(&x.term_changes, &x.violation_changes)), effect.map_or(Vec::new(), |x| x.broken))
            } else {
                (None, Vec::new())
            };
            let m = Move { row: e, other: if now == Some(target) { was } else { now }, undo_cost, undo_breaks, undo_ruled_out_by: excluded.iter().map(|x| x.constraint).collect() };
            if now == Some(target) { gained.push(m) } else { lost.push(m) }
        }
    }
    let instance = |ci: usize, row: Option<u32>| crate::commands::solve::instance_text(policy, ctx.data, &policy.constraints[ci], row);
    let why = |m: &Move| -> String {
        if !m.undo_ruled_out_by.is_empty() {
            let names: Vec<String> = m.undo_ruled_out_by.iter().map(|&ci| format!("`{}`", policy.constraints[ci].name)).collect();
            return format!("undoing it is ruled out by {}", names.join(", "));
        }
        let mut s = m.undo_cost.map_or(String::new(), |c| format!("undoing it would cost {}", show::signed(c)));
        for &(ci, row, amount) in &m.undo_breaks {
            let _ = write!(s, "; would break `{}` for {} by {}", policy.constraints[ci].name, instance(ci, row), show::quantity(amount, unit_of(ci)));
        }
        s
    };
    let move_json = |m: &Move, side: &str| {
        json!({
            "key": keys[m.row as usize],
            side: key_of(m.other),
            "undo_cost": m.undo_cost.map(round),
            "undo_breaks": m.undo_breaks.iter().map(|&(ci, row, amount)| json!({"rule": policy.constraints[ci].name, "line": line(policy.constraints[ci].name_span), "instance": instance(ci, row), "violation": round(amount)})).collect::<Vec<_>>(),
            "undo_ruled_out_by": m.undo_ruled_out_by.iter().map(|&ci| json!(policy.constraints[ci].name)).collect::<Vec<_>>(),
        })
    };
    let limit = if all { usize::MAX } else { crate::commands::explain::TOP };
    for (title, list, side) in [("Gained against the current owners", &gained, "from"), ("Lost against the current owners", &lost, "to")] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", list.len());
        for m in list.iter().take(limit) {
            let other = key_of(m.other).map_or(format!("no {target_entity}"), |k| format!("{target_entity} {k}"));
            let _ = writeln!(out, "  {entity} {:<12} {side} {other}: {}", keys[m.row as usize], why(m));
        }
        if list.len() > limit {
            let _ = writeln!(out, "  ({} more; --all lists them)", list.len() - limit);
        }
    }
    let binding: Vec<&(usize, Sides)> = limits.iter().filter(|(_, s)| s.binding()).collect();
    let names: Vec<String> = binding.iter().map(|(ci, _)| format!("`{}` (line {})", policy.constraints[*ci].name, line(policy.constraints[*ci].name_span))).collect();
    let _ = writeln!(out, "\nBinding rules: {}", if names.is_empty() { "none".to_string() } else { names.join(", ") });
    let doc = json!({
        "format_version": crate::commands::explain::FORMAT_VERSION,
        "explain": "rep",
        "policy": policy.name,
        "entity": target_entity,
        "key": key,
        "assigned": members.len(),
        "kpis": kpis.iter().map(|(n, v)| json!({"name": n, "value": round(*v)})).collect::<Vec<_>>(),
        "limits": limits.iter().map(|(ci, s)| limit_json(policy, *ci, s, line)).collect::<Vec<_>>(),
        "gained_total": gained.len(),
        "gained": gained.iter().take(limit).map(|m| move_json(m, "from")).collect::<Vec<_>>(),
        "lost_total": lost.len(),
        "lost": lost.iter().take(limit).map(|m| move_json(m, "to")).collect::<Vec<_>>(),
        "binding_rules": binding.iter().map(|(ci, _)| json!(policy.constraints[*ci].name)).collect::<Vec<_>>(),
    });
    (out, doc)
}

/// "load(r) = 1032 hours <= r.capacity = 1100 hours".
pub fn describe(s: &Sides, unit: Option<crate::check::schema::Unit>) -> String {
    match s.band {
        Some((lo, hi)) => format!("{} = {} {} {} = {}: between {} and {}", s.lhs.0, show::quantity(s.lhs.1, unit), s.relation, s.rhs.0, show::quantity(s.rhs.1, unit), show::number(lo), show::number(hi)),
        None => format!("{} = {} {} {} = {}", s.lhs.0, show::quantity(s.lhs.1, unit), s.relation, s.rhs.0, show::quantity(s.rhs.1, unit)),
    }
}

pub fn limit_json(policy: &crate::check::ir::CheckedPolicy, ci: usize, s: &Sides, line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> Json {
    let round = crate::commands::output::round;
    let c = &policy.constraints[ci];
    json!({
        "rule": c.name,
        "line": line(c.name_span),
        "kind": match c.kind { ConstraintKind::Hard => "rule", ConstraintKind::Soft { .. } => "preference", ConstraintKind::Expect => "expect" },
        "value": {"expression": s.lhs.0, "value": round(s.lhs.1)},
        "relation": s.relation,
        "limit": {"expression": s.rhs.0, "value": round(s.rhs.1)},
        "band": s.band.map(|(lo, hi)| json!([round(lo), round(hi)])),
        "slack": round(s.slack),
        "binding": s.binding(),
    })
}
