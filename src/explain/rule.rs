//! `terra explain --rule`: whether a rule binds, its slack per instance,
//! and its price: the change of the objective when the policy is solved
//! again without it (both plans evaluated by `eval`, with the plan's own
//! scales), and for linear rows the dual values of the LP with the plan's
//! integers fixed.

use super::rep::{describe, limit_json};
use super::{is_pair_rule, show, sides, PlanContext, Sides};
use crate::check::ir::{CheckedPolicy, ConstraintKind};
use crate::eval::{Assignment, Env, Evaluator};
use crate::lower::{ColumnOrigin, RowOrigin};
use crate::solve::{SolveOptions, SolveStatus};
use serde_json::{json, Value as Json};
use std::fmt::Write as _;

/// Objective terms and summed violations of a plan, by `eval`.
struct Evaluated {
    terms: Vec<f64>,
    violations: Vec<f64>,
    hard_broken: usize,
}

fn evaluate(ctx: &PlanContext, policy: &CheckedPolicy, assignment: &Assignment) -> Evaluated {
    let e = Evaluator::for_plan(policy, ctx.data, assignment).with_params(ctx.params.clone()).evaluate();
    let mut violations = vec![0.0; policy.constraints.len()];
    for v in &e.violations {
        violations[v.constraint] += v.amount;
    }
    let hard_broken = e.violations.iter().filter(|v| policy.constraints[v.constraint].kind == ConstraintKind::Hard).count();
    Evaluated { terms: e.terms, violations, hard_broken }
}

/// The plan solved again without rule `ci`, evaluated on the original policy.
fn without(ctx: &PlanContext, ci: usize, options: &SolveOptions) -> Result<Evaluated, String> {
    let mut relaxed = ctx.policy.clone();
    relaxed.constraints[ci].kind = ConstraintKind::Expect; // expectations are not lowered
    // Scales follow the candidate pairs, which a rule on pairs prunes: weigh
    // each term so that weight / scale is the plan's, and the solve without
    // the rule optimises the plan's own objective.
    let first = crate::lower::lower(&relaxed, ctx.data, ctx.params.clone());
    for (t, (now, plan)) in relaxed.objective.iter_mut().zip(first.terms.iter().zip(&ctx.scales.terms)) {
        t.weight *= now.scale / plan.scale;
    }
    for (c, (now, plan)) in relaxed.constraints.iter_mut().zip(first.soft.iter().zip(&ctx.scales.soft)) {
        if let (ConstraintKind::Soft { weight }, Some(now), Some(plan)) = (&mut c.kind, now, plan) {
            *weight *= now.scale / plan.scale;
        }
    }
    let lowered = crate::lower::lower(&relaxed, ctx.data, ctx.params.clone());
    if !lowered.stranded.is_empty() || !lowered.data_violations.is_empty() {
        return Err("the policy without it cannot be satisfied either".into());
    }
    let mut options = SolveOptions { progress: false, verbose: false, ..options.clone() };
    options.presolve_probing = lowered.model.num_cols() <= crate::commands::solve::PROBING_COLUMN_LIMIT;
    let result = crate::solve::solve(&lowered.model, &options).map_err(|e| e.to_string())?;
    match result.status {
        SolveStatus::Optimal | SolveStatus::Feasible => {}
        SolveStatus::Infeasible => return Err("the policy without it cannot be satisfied either".into()),
        _ => return Err("no plan without it within the limits; raise --time-limit".into()),
    }
    let assignment = lowered.assignment(&result.col_value);
    let e = evaluate(ctx, &relaxed, &assignment);
    if e.hard_broken > 0 {
        return Err("internal error: the plan without it breaks another rule".into());
    }
    // Violations of the rule itself do not count: it is gone.
    Ok(Evaluated { violations: evaluate(ctx, ctx.policy, &assignment).violations, ..e })
}

/// Row duals of the rule's instances in the LP with the plan's assignment
/// fixed, in the objective's units; `None` when that LP has no solution.
fn duals(ctx: &PlanContext, ci: usize, options: &SolveOptions) -> Option<Vec<(Option<u32>, f64)>> {
    let mut lowered = crate::lower::lower(ctx.policy, ctx.data, ctx.params.clone());
    for (j, origin) in lowered.columns.iter().enumerate() {
        if let ColumnOrigin::Assign { row, target } = origin {
            let v = if ctx.assignment.target.get(*row as usize).copied().flatten() == Some(*target) { 1.0 } else { 0.0 };
            lowered.model.col_lower[j] = v;
            lowered.model.col_upper[j] = v;
        }
    }
    let options = SolveOptions { progress: false, verbose: false, start: None, ..options.clone() };
    let result = crate::solve::solve_lp_relaxation(&lowered.model, &options).ok()?;
    if result.status != SolveStatus::Optimal {
        return None;
    }
    let mut per_instance: std::collections::BTreeMap<Option<u32>, f64> = Default::default();
    for (i, origin) in lowered.rows.iter().enumerate() {
        if let RowOrigin::Rule { constraint, row } = origin {
            if *constraint == ci {
                *per_instance.entry(*row).or_default() += result.row_dual.get(i).copied().unwrap_or(0.0) / lowered.multiplier;
            }
        }
    }
    Some(per_instance.into_iter().collect())
}

pub fn explain(ctx: &PlanContext, ci: usize, options: &SolveOptions, all: bool, line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> (String, Json) {
    let policy = ctx.policy;
    let c = &policy.constraints[ci];
    let round = crate::commands::output::round;
    let limit = if all { usize::MAX } else { crate::commands::explain::TOP };
    let instance = |row: Option<u32>| crate::commands::solve::instance_text(policy, ctx.data, c, row);
    let unit = super::account::rule_unit(c);
    let pair = is_pair_rule(policy, c);
    let kind = match c.kind {
        ConstraintKind::Hard if pair => "a hard rule on pairs".to_string(),
        ConstraintKind::Hard => "a hard rule".to_string(),
        ConstraintKind::Soft { weight } => format!("a preference of weight {}", show::number(weight)),
        ConstraintKind::Expect => "an expectation".to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "`{}` (line {}) is {kind}.", c.name, line(c.name_span));
    // Instances, tightest first.
    let ev = Evaluator::for_plan(policy, ctx.data, ctx.assignment).with_params(ctx.params.clone());
    let mut env = Env::new(policy);
    let rows = ev.instances(c, &mut env);
    let mut measured: Vec<(Option<u32>, Sides)> = rows.iter().filter_map(|&r| sides(&ev, c, &mut env, r, ctx.source).map(|s| (r, s))).collect();
    measured.sort_by(|a, b| a.1.slack.total_cmp(&b.1.slack).then(a.0.cmp(&b.0)));
    let violated = rows
        .iter()
        .filter(|&&r| {
            if let (Some(q), Some(row)) = (&c.quantifier, r) {
                env.bind(q.var, crate::eval::Value::Row(q.entity, row));
            }
            ev.violation(&c.body, &mut env) > 0.0
        })
        .count();
    let binding = measured.iter().filter(|(_, s)| s.binding()).count();
    let _ = writeln!(out, "{}; {} binding, {} violated in this plan.", show::count(rows.len(), "instance"), binding, violated);
    if pair {
        let _ = writeln!(out, "It removes candidate pairs before solving: every plan keeps it.");
    }
    for (r, s) in measured.iter().take(limit) {
        let _ = writeln!(out, "  {:<24} {}  (slack {})", instance(*r), describe(s, unit), show::quantity(s.slack, unit));
    }
    if measured.len() > limit {
        let _ = writeln!(out, "  ({} more; --all lists them)", measured.len() - limit);
    }
    // The price: solve again without the rule.
    let mut price_json = Json::Null;
    if c.kind != ConstraintKind::Expect {
        let base = evaluate(ctx, policy, ctx.assignment);
        match without(ctx, ci, options) {
            Ok(w) => {
                let with_objective = ctx.scales.objective(&base.terms, &base.violations);
                let without_objective = ctx.scales.objective(&w.terms, &w.violations);
                let price = with_objective - without_objective;
                let _ = writeln!(out, "\nPrice: without it, the objective would change by {} (from {} to {}).", show::signed(-price), show::number(with_objective), show::number(without_objective));
                let mut terms = Vec::new();
                for (ti, t) in policy.objective.iter().enumerate() {
                    let (a, b) = (base.terms[ti], w.terms[ti]);
                    // Positive: the rule makes this term worse by that share.
                    let gain = crate::eval::sense_sign(t.sense) * (a - b);
                    let share = if a.abs() > 0.0 { Some(gain / a.abs()) } else { None };
                    if let Some(s) = share.filter(|s| s.abs() > 1e-9) {
                        let what = if s > 0.0 { format!("costs {} of {}", show::percent(s), t.name) } else { format!("improves {} by {}", t.name, show::percent(-s)) };
                        let _ = writeln!(out, "  it {what} ({} with it, {} without)", show::number(a), show::number(b));
                    }
                    terms.push(json!({"name": t.name, "raw_with": round(a), "raw_without": round(b), "cost_share": share.map(round)}));
                }
                price_json = json!({"objective_with": round(with_objective), "objective_without": round(without_objective), "price": round(price), "objective_terms": terms});
            }
            Err(why) => {
                let _ = writeln!(out, "\nPrice: not known: {why}.");
                price_json = json!({"error": why});
            }
        }
    }
    // Duals of its rows with the plan's assignment fixed.
    let mut duals_json = Json::Null;
    if c.kind == ConstraintKind::Hard && !pair {
        match duals(ctx, ci, options) {
            Some(d) => {
                let nonzero: Vec<&(Option<u32>, f64)> = d.iter().filter(|(_, v)| v.abs() > 1e-12).collect();
                let _ = writeln!(out, "\nDuals with the plan's assignment fixed: {} of {} instances nonzero.", nonzero.len(), d.len());
                for (r, v) in nonzero.iter().take(limit) {
                    let _ = writeln!(out, "  {:<24} {} per {} of its limit", instance(*r), show::signed(*v), unit.map_or("unit", |u| u.name()));
                }
                duals_json = json!(d.iter().filter(|(_, v)| all || v.abs() > 1e-12).map(|(r, v)| json!({"instance": instance(*r), "dual": round(*v)})).collect::<Vec<_>>());
            }
            None => {
                let _ = writeln!(out, "\nDuals: the LP with the plan's assignment fixed has no solution (the plan breaks a rule).");
            }
        }
    }
    let doc = json!({
        "format_version": crate::commands::explain::FORMAT_VERSION,
        "explain": "rule",
        "policy": policy.name,
        "rule": c.name,
        "line": line(c.name_span),
        "kind": match c.kind { ConstraintKind::Hard => "rule", ConstraintKind::Soft { .. } => "preference", ConstraintKind::Expect => "expect" },
        "removes_pairs": pair,
        "instances_total": rows.len(),
        "binding_total": binding,
        "violated_total": violated,
        "instances": measured.iter().take(limit).map(|(r, s)| {
            let mut j = limit_json(policy, ci, s, line);
            j["instance"] = json!(instance(*r));
            j
        }).collect::<Vec<_>>(),
        "price": price_json,
        "duals": duals_json,
    });
    (out, doc)
}
