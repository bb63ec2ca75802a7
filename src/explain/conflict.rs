//! Why a policy cannot be satisfied: a minimal set of conflicting rule
//! instances, found by a deletion filter, with repairs in the rules' units.
//!
//! The policy is lowered once *without* its pair rules (those that remove
//! candidate pairs), so that every rule instance is a group that can be
//! switched off: a linear rule's instance by freeing its rows, a pair
//! rule's instance (one assigned row) by allowing the pairs it forbids.
//! The assignment itself (`exactly one`, `at most one`) is the background
//! that is always kept.
//!
//! The filter drops a block of groups and keeps it dropped when what is
//! left still has no solution; when the rest becomes feasible, it splits the
//! block and tries the halves, down to single groups, which are then
//! necessary. Feasibility is decided on the LP relaxation when that is
//! already infeasible (cheaper, and the set found is minimal for it), and on
//! the MIP otherwise, which finds conflicts that only integrality causes.

use super::{is_pair_rule, quote, show};
use crate::check::ir::{CheckedPolicy, Const, ConstraintKind, TExprKind};
use crate::data::Dataset;
use crate::diagnostics::messages::explain::{self as msg, ConflictPart};
use crate::diagnostics::{Diagnostic, FileId};
use crate::eval::{Env, Evaluator, Value};
use crate::lower::{Lowered, RowOrigin};
use crate::solve::{LinearModel, SolveOptions, SolveStatus};
use std::time::{Duration, Instant};

/// One instance of a rule that the filter can switch off.
#[derive(Clone, Debug)]
pub struct Group {
    pub constraint: usize,
    /// The quantified row (`None` for an unquantified rule).
    pub row: Option<u32>,
    /// Model rows of a linear rule's instance.
    rows: Vec<usize>,
    /// Candidate columns a pair rule's instance forbids.
    banned: Vec<usize>,
    /// The assignment row a pair rule's instance forces to be assigned
    /// (it forbids `none`).
    forced: Option<usize>,
}

/// A minimal conflict and its repairs.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub groups: Vec<Group>,
    /// Whether the LP relaxation is already infeasible.
    pub linear: bool,
    /// Whether every check of the filter was decided in time; if not, the
    /// set still conflicts but may not be minimal.
    pub minimal: bool,
    /// Ways out: each instance alone where that suffices, else a rule's
    /// instances of the conflict together.
    pub repairs: Vec<Repair>,
}

/// Relaxing some instances of one rule (indices into `Conflict::groups`)
/// makes the whole policy satisfiable.
#[derive(Clone, Debug)]
pub struct Repair {
    pub groups: Vec<usize>,
    /// The repair relaxes every instance of the rule, not only those of the conflict.
    pub whole_rule: bool,
    pub kind: RepairKind,
}

#[derive(Clone, Debug)]
pub enum RepairKind {
    /// Exempt the instances (pair rules' rows).
    Exempt,
    /// Move the instances' limits by `amount` in total, in the rule's
    /// unit. `sides` holds, per instance, the values of its two sides in
    /// the repaired plan; `tolerance` the widest `within` tolerance it needs.
    Relax { amount: f64, sides: Vec<(Option<f64>, Option<f64>)>, tolerance: Option<f64> },
}

struct Search<'a> {
    lowered: Lowered,
    groups: Vec<Group>,
    active: Vec<bool>,
    /// Bounds of every row, as lowered.
    row_bounds: Vec<(f64, f64)>,
    linear: bool,
    /// A check of the filter that the solver did not decide in time.
    undecided: bool,
    options: SolveOptions,
    deadline: Instant,
    /// The most one check may take, so that one slow solve leaves time for the rest.
    per_check: Duration,
    policy: &'a CheckedPolicy,
}

/// Finds a minimal conflict of an infeasible policy; `None` when the
/// policy is feasible after all, or when the search ran out of time.
pub fn find(policy: &CheckedPolicy, data: &Dataset, params: &[Const], options: &SolveOptions, budget: Duration) -> Option<Conflict> {
    let deadline = Instant::now() + budget;
    // Without its rules on pairs, the model has a column for every pair:
    // beyond this size the search could not finish, and would hold memory.
    let a = policy.assignment.as_ref()?;
    let ev = Evaluator::for_data(policy, data).with_params(params.to_vec());
    let mut env = Env::new(policy);
    let assignable = (0..ev.rows(a.entity)).filter(|&e| ev.clause_of(a, &mut env, e).is_some()).count();
    if assignable.saturating_mul(ev.rows(a.target) as usize) > MAX_PAIRS {
        return None;
    }
    // The policy without its pair rules: expectations are not lowered.
    let mut relaxed = policy.clone();
    for c in relaxed.constraints.iter_mut() {
        if is_pair_rule(policy, c) {
            c.kind = ConstraintKind::Expect;
        }
    }
    let lowered = crate::lower::lower(&relaxed, data, params.to_vec());
    let groups = groups(policy, data, params, &lowered);
    let model = &lowered.model;
    let row_bounds = model.row_lower.iter().copied().zip(model.row_upper.iter().copied()).collect();
    let mut options = SolveOptions { progress: false, verbose: false, start: None, node_limit: None, ..options.clone() };
    options.presolve_probing = model.num_cols() <= crate::commands::solve::PROBING_COLUMN_LIMIT;
    let mut s = Search { active: vec![true; groups.len()], groups, lowered, row_bounds, linear: true, undecided: false, options, deadline, per_check: budget / 4, policy };
    // Decide on the LP when it is infeasible already; else on the MIP.
    match s.feasible(true) {
        Some(false) => {}
        Some(true) => {
            s.linear = false;
            if s.feasible(false) != Some(false) {
                return None;
            }
        }
        None => return None,
    }
    let all: Vec<usize> = (0..s.groups.len()).collect();
    s.filter(&all);
    let kept: Vec<usize> = (0..s.groups.len()).filter(|&g| s.active[g]).collect();
    let mut repairs = Vec::new();
    for (k, &g) in kept.iter().enumerate() {
        if let Some(kind) = s.repair(&[g], data, params) {
            repairs.push(Repair { groups: vec![k], whole_rule: false, kind });
        }
    }
    // A rule none of whose instances suffices alone: all of them together.
    let mut rules: Vec<usize> = kept.iter().map(|&g| s.groups[g].constraint).collect();
    rules.dedup();
    for ci in rules {
        let of_rule: Vec<usize> = (0..kept.len()).filter(|&k| s.groups[kept[k]].constraint == ci).collect();
        if of_rule.len() > 1 && !repairs.iter().any(|r| of_rule.contains(&r.groups[0])) {
            let gs: Vec<usize> = of_rule.iter().map(|&k| kept[k]).collect();
            if let Some(kind) = s.repair(&gs, data, params) {
                repairs.push(Repair { groups: of_rule.clone(), whole_rule: false, kind });
                continue;
            }
        }
        // Still none: every instance of the rule (e.g. a tolerance for all reps).
        if !repairs.iter().any(|r| of_rule.contains(&r.groups[0])) {
            let gs: Vec<usize> = (0..s.groups.len()).filter(|&g| s.groups[g].constraint == ci).collect();
            if let Some(kind) = s.repair(&gs, data, params) {
                repairs.push(Repair { groups: of_rule, whole_rule: true, kind });
            }
        }
    }
    Some(Conflict { groups: kept.iter().map(|&g| s.groups[g].clone()).collect(), linear: s.linear, minimal: !s.undecided, repairs })
}

/// The most candidate pairs (before rules on pairs) the search takes on.
pub const MAX_PAIRS: usize = 250_000;

/// The conflict of a row that must be assigned and that the rules on
/// pairs leave without any target: a minimal set of those rules' instances
/// for this row, found without a solver.
pub fn stranded(policy: &CheckedPolicy, data: &Dataset, params: &[Const], row: u32) -> Option<Conflict> {
    let a = policy.assignment.as_ref()?;
    let ev = Evaluator::for_data(policy, data).with_params(params.to_vec());
    let mut env = Env::new(policy);
    let exactly_one = ev.clause_of(a, &mut env, row)?.cardinality == crate::syntax::ast::Cardinality::ExactlyOne;
    let targets: Vec<Option<u32>> = (0..ev.rows(a.target)).map(Some).collect();
    // Per pair rule: which targets it forbids, and whether it forbids none.
    let mut rules: Vec<(usize, Vec<bool>, bool)> = Vec::new();
    for (ci, c) in policy.constraints.iter().enumerate() {
        let Some(q) = c.quantifier.as_ref().filter(|_| is_pair_rule(policy, c)) else { continue };
        env.bind(q.var, Value::Row(q.entity, row));
        let mut forbids = |t: Option<u32>| {
            env.hypothesis = Some((row, t));
            let no = ev.passes(q.filter.as_ref(), &mut env) && ev.eval(&c.body, &mut env) == Value::Bool(false);
            env.hypothesis = None;
            no
        };
        let banned: Vec<bool> = targets.iter().map(|&t| forbids(t)).collect();
        let forces = !exactly_one && forbids(None);
        if banned.iter().any(|b| *b) || forces {
            rules.push((ci, banned, forces));
        }
    }
    let still_stranded = |active: &[bool]| {
        let must = exactly_one || rules.iter().zip(active).any(|(r, on)| *on && r.2);
        must && (0..targets.len()).all(|t| rules.iter().zip(active).any(|(r, on)| *on && r.1[t]))
    };
    let mut active = vec![true; rules.len()];
    if !still_stranded(&active) {
        return None;
    }
    for k in 0..rules.len() {
        active[k] = false;
        if !still_stranded(&active) {
            active[k] = true;
        }
    }
    let groups: Vec<Group> = rules
        .iter()
        .zip(&active)
        .filter(|(_, on)| **on)
        .map(|(r, _)| Group { constraint: r.0, row: Some(row), rows: Vec::new(), banned: Vec::new(), forced: None })
        .collect();
    let repairs = (0..groups.len()).map(|k| Repair { groups: vec![k], whole_rule: false, kind: RepairKind::Exempt }).collect();
    Some(Conflict { groups, linear: true, minimal: true, repairs })
}

/// Every instance of every hard rule, grouped; a rule's instances are adjacent.
fn groups(policy: &CheckedPolicy, data: &Dataset, params: &[Const], lowered: &Lowered) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut by_instance: std::collections::BTreeMap<(usize, Option<u32>), Vec<usize>> = Default::default();
    let mut assignment_row = vec![None; lowered.candidates.must_assign.len()];
    for (i, origin) in lowered.rows.iter().enumerate() {
        match origin {
            RowOrigin::Rule { constraint, row } if policy.constraints[*constraint].kind == ConstraintKind::Hard => {
                by_instance.entry((*constraint, *row)).or_default().push(i)
            }
            RowOrigin::Assignment { row } => {
                if let Some(slot) = assignment_row.get_mut(*row as usize) {
                    *slot = Some(i);
                }
            }
            _ => {}
        }
    }
    let ev = Evaluator::for_data(policy, data).with_params(params.to_vec());
    let mut env = Env::new(policy);
    let cand = &lowered.candidates;
    for (ci, c) in policy.constraints.iter().enumerate() {
        if is_pair_rule(policy, c) {
            let Some(q) = &c.quantifier else { continue };
            for e in 0..cand.must_assign.len() {
                if !cand.assignable[e] {
                    continue;
                }
                let row = e as u32;
                env.bind(q.var, Value::Row(q.entity, row));
                let forbids = |env: &mut Env, t: Option<u32>| {
                    env.hypothesis = Some((row, t));
                    let no = ev.passes(q.filter.as_ref(), env) && ev.eval(&c.body, env) == Value::Bool(false);
                    env.hypothesis = None;
                    no
                };
                let banned: Vec<usize> = cand.of(e).filter(|&col| forbids(&mut env, Some(cand.target[col]))).collect();
                let forced = if cand.must_assign[e] || !forbids(&mut env, None) { None } else { assignment_row[e] };
                if !banned.is_empty() || forced.is_some() {
                    out.push(Group { constraint: ci, row: Some(row), rows: Vec::new(), banned, forced });
                }
            }
        } else {
            for ((gc, row), rows) in by_instance.range((ci, None)..=(ci, Some(u32::MAX))) {
                out.push(Group { constraint: *gc, row: *row, rows: rows.clone(), banned: Vec::new(), forced: None });
            }
        }
    }
    out
}

impl Search<'_> {
    /// The model with the active groups applied and the objective dropped.
    fn model(&self) -> LinearModel {
        let mut m = self.lowered.model.clone();
        m.col_cost.iter_mut().for_each(|c| *c = 0.0);
        m.offset = 0.0;
        for (g, group) in self.groups.iter().enumerate() {
            for &i in &group.rows {
                let (lo, hi) = if self.active[g] { self.row_bounds[i] } else { (f64::NEG_INFINITY, f64::INFINITY) };
                m.row_lower[i] = lo;
                m.row_upper[i] = hi;
            }
            if self.active[g] {
                for &col in &group.banned {
                    m.col_upper[col] = 0.0;
                }
                if let Some(i) = group.forced {
                    m.row_lower[i] = 1.0;
                }
            }
        }
        m
    }

    /// `Some(feasible)`, or `None` when the solver could not decide in time.
    fn feasible(&self, linear: bool) -> Option<bool> {
        let left = self.deadline.checked_duration_since(Instant::now())?.min(self.per_check);
        let options = SolveOptions { time_limit: Some(left.as_secs_f64()), ..self.options.clone() };
        let m = self.model();
        let result = if linear { crate::solve::solve_lp_relaxation(&m, &options) } else { crate::solve::solve(&m, &options) };
        match result.ok()?.status {
            SolveStatus::Infeasible => Some(false),
            SolveStatus::Optimal | SolveStatus::Feasible | SolveStatus::Unbounded => Some(true),
            _ => None,
        }
    }

    /// Drops what can be dropped of `block` while the rest stays infeasible.
    fn filter(&mut self, block: &[usize]) {
        if block.is_empty() {
            return;
        }
        for &g in block {
            self.active[g] = false;
        }
        match self.feasible(self.linear) {
            Some(false) => return,
            Some(true) => {}
            None => self.undecided = true,
        }
        for &g in block {
            self.active[g] = true;
        }
        if block.len() == 1 {
            return; // necessary (or undecided in time: kept, to stay a conflict)
        }
        // Rule by rule first, then halves of one rule's instances.
        let first = self.groups[block[0]].constraint;
        let at = block.iter().position(|&g| self.groups[g].constraint != first).unwrap_or(block.len() / 2);
        let (a, b) = block.split_at(at.clamp(1, block.len() - 1));
        self.filter(a);
        self.filter(b);
    }

    /// What relaxing the groups `gs` (of one rule) takes, every other group kept.
    fn repair(&mut self, gs: &[usize], data: &Dataset, params: &[Const]) -> Option<RepairKind> {
        let saved = std::mem::replace(&mut self.active, vec![true; self.groups.len()]);
        let result = self.repair_with_all_others(gs, data, params);
        self.active = saved;
        result
    }

    fn repair_with_all_others(&mut self, gs: &[usize], data: &Dataset, params: &[Const]) -> Option<RepairKind> {
        let groups: Vec<Group> = gs.iter().map(|&g| self.groups[g].clone()).collect();
        if groups.iter().all(|g| g.rows.is_empty()) {
            for &g in gs {
                self.active[g] = false;
            }
            return (self.feasible(false) == Some(true)).then_some(RepairKind::Exempt);
        }
        // One slack per row of the instances, in the rule's own units.
        let base = self.model();
        let mut m = LinearModel { maximize: false, offset: 0.0, ..Default::default() };
        for j in 0..base.num_cols() {
            m.add_col(0.0, base.col_lower[j], base.col_upper[j], base.col_integer[j]);
        }
        let mut slack_of: std::collections::HashMap<usize, usize> = Default::default();
        for g in &groups {
            for &i in &g.rows {
                slack_of.insert(i, m.add_col(1.0, 0.0, f64::INFINITY, false));
            }
        }
        for i in 0..base.num_rows() {
            let mut entries: Vec<(usize, f64)> = (base.row_start[i]..base.row_start[i + 1]).map(|k| (base.row_index[k], base.row_value[k])).collect();
            if let Some(&s) = slack_of.get(&i) {
                // A `<=` row gives way upwards, a `>=` row downwards.
                entries.push((s, if base.row_upper[i].is_finite() { -1.0 } else { 1.0 }));
            }
            m.add_row(base.row_lower[i], base.row_upper[i], &entries);
        }
        let left = self.deadline.checked_duration_since(Instant::now())?.min(self.per_check);
        let options = SolveOptions { time_limit: Some(left.as_secs_f64()), ..self.options.clone() };
        let result = crate::solve::solve(&m, &options).ok()?;
        if !matches!(result.status, SolveStatus::Optimal | SolveStatus::Feasible) {
            return None;
        }
        let amount: f64 = slack_of.values().map(|&s| result.col_value.get(s).copied().unwrap_or(0.0)).sum();
        // The two sides of each instance in the repaired plan, by eval.
        let assignment = self.lowered.assignment(&result.col_value);
        let policy = self.policy;
        let ev = Evaluator::for_plan(policy, data, &assignment).with_params(params.to_vec());
        let mut env = Env::new(policy);
        let num = |v: Value| if let Value::Num(x) = v { Some(x) } else { None };
        let mut sides = Vec::new();
        let mut tolerance: Option<f64> = None;
        for g in &groups {
            let c = &policy.constraints[g.constraint];
            if let (Some(q), Some(r)) = (&c.quantifier, g.row) {
                env.bind(q.var, Value::Row(q.entity, r));
            }
            match &c.body.kind {
                TExprKind::Binary { op, lhs, rhs } if op.is_comparison() => sides.push((num(ev.eval(lhs, &mut env)), num(ev.eval(rhs, &mut env)))),
                TExprKind::Within { value, reference, .. } => {
                    let (v, r) = (num(ev.eval(value, &mut env)), num(ev.eval(reference, &mut env)));
                    if let (Some(v), Some(r)) = (v, r) {
                        if r != 0.0 {
                            tolerance = Some(tolerance.unwrap_or(0.0).max((v - r).abs() / r.abs()));
                        }
                    }
                    sides.push((v, r));
                }
                _ => sides.push((None, None)),
            }
        }
        Some(RepairKind::Relax { amount, sides, tolerance })
    }
}

/// Renders a conflict as one diagnostic: a label on every rule involved
/// (with its entities and numbers) and the repairs as help.
pub fn diagnostic(policy: &CheckedPolicy, data: &Dataset, params: &[Const], file: FileId, source: &str, conflict: &Conflict) -> Diagnostic {
    let ev = Evaluator::for_data(policy, data).with_params(params.to_vec());
    let mut env = Env::new(policy);
    let instance = |g: &Group| crate::commands::solve::instance_text(policy, data, &policy.constraints[g.constraint], g.row);
    let target = policy.assignment.as_ref().map_or("target".to_string(), |a| policy.schema.entities[a.target].name.clone());
    // What a repair of this group alone says about it.
    let alone = |k: usize| conflict.repairs.iter().find(|r| r.groups == [k] && !r.whole_rule).map(|r| &r.kind);
    let mut by_rule: std::collections::BTreeMap<usize, Vec<(String, String)>> = Default::default();
    for (k, group) in conflict.groups.iter().enumerate() {
        let c = &policy.constraints[group.constraint];
        let unit = super::account::rule_unit(c);
        let who = instance(group);
        let mut text = String::new();
        if let (Some(q), Some(r)) = (&c.quantifier, group.row) {
            env.bind(q.var, Value::Row(q.entity, r));
        }
        let number = |env: &mut Env, e: &crate::check::ir::TExpr| if let Value::Num(x) = ev.eval(e, env) { Some(x) } else { None };
        match &c.body.kind {
            _ if group.rows.is_empty() => {
                // What the pair rule leaves this row.
                let allowed: Vec<String> = match (&policy.assignment, group.row) {
                    (Some(a), Some(r)) => (0..ev.rows(a.target))
                        .filter(|&t| {
                            env.hypothesis = Some((r, Some(t)));
                            let ok = ev.eval(&c.body, &mut env) != Value::Bool(false);
                            env.hypothesis = None;
                            ok
                        })
                        .map(|t| data.entities[a.target].keys[t as usize].clone())
                        .collect(),
                    _ => Vec::new(),
                };
                text.push_str(&match allowed.len() {
                    0 => format!("may have no {target}"),
                    1..=3 => format!("may only have {target} {}", allowed.join(", ")),
                    n => format!("may only have {n} {target}s"),
                });
            }
            TExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
                if let Some(limit) = number(&mut env, rhs) {
                    text.push_str(&format!("{} is {}", quote(source, rhs.span), show::quantity(limit, unit)));
                }
                if let Some(RepairKind::Relax { sides, .. }) = alone(k) {
                    if let Some((Some(l), _)) = sides.first() {
                        text.push_str(&format!(", but the rest needs {} to be {}", quote(source, lhs.span), show::quantity(*l, unit)));
                    }
                }
            }
            TExprKind::Within { tolerance, .. } => {
                if let Some(t) = number(&mut env, tolerance) {
                    text.push_str(&format!("{} is {}%", quote(source, tolerance.span), show::number(t * 100.0)));
                }
                if let Some(RepairKind::Relax { tolerance: Some(t), .. }) = alone(k) {
                    text.push_str(&format!(", but the rest needs {}%", show::number(t * 100.0)));
                }
            }
            _ => {}
        }
        by_rule.entry(group.constraint).or_default().push((who, text));
    }
    let parts: Vec<ConflictPart> = by_rule
        .into_iter()
        .map(|(ci, instances)| {
            let c = &policy.constraints[ci];
            ConflictPart { span: c.name_span, label: format!("`{}`: {}", c.name, summarize(&instances)) }
        })
        .collect();
    let mut repairs = Vec::new();
    for r in &conflict.repairs {
        let Some(first) = r.groups.first().and_then(|&k| conflict.groups.get(k)) else { continue };
        let c = &policy.constraints[first.constraint];
        let who: Vec<String> = r.groups.iter().filter_map(|&k| conflict.groups.get(k)).map(instance).collect();
        let who = match (&c.quantifier, r.whole_rule) {
            (Some(q), true) => format!("every {}", policy.schema.entities[q.entity].name),
            _ if who.len() > SHOWN => format!("{} and {} more", who[..SHOWN].join(", "), who.len() - SHOWN),
            _ => who.join(" and "),
        };
        repairs.push(match (&r.kind, &c.body.kind) {
            (RepairKind::Exempt, _) => format!("exempt {who} from `{}`", c.name),
            (RepairKind::Relax { tolerance: Some(t), .. }, TExprKind::Within { tolerance, .. }) => {
                // Rounded up to a tenth of a percent, so that it suffices.
                let needed = (t * 1000.0).ceil() / 10.0;
                format!("widen `{}` of `{}` to {}% for {who}", quote(source, tolerance.span), c.name, show::number(needed))
            }
            (RepairKind::Relax { amount, .. }, _) => {
                let total = if r.groups.len() > 1 || r.whole_rule { " in total" } else { "" };
                format!("relax `{}` for {who} by {}{total}", c.name, show::quantity(*amount, super::account::rule_unit(c)))
            }
        });
    }
    let background = policy.assignment.as_ref().map(|a| a.span);
    let mut d = msg::conflict(file, &parts, conflict.groups.len(), background, &repairs);
    if !conflict.linear {
        d.message.push_str(" (in whole numbers only: the LP relaxation is feasible)");
    }
    if !conflict.minimal {
        d.message.push_str(" (the search ran out of time: some of them may not be needed)");
    }
    d
}

/// Instances named in one label or repair before "and N more".
const SHOWN: usize = 4;

/// "account A1, account A2 may only have rep R1; rep R2: r.capacity is
/// 120 hours": instances with the same detail share it, few are named.
fn summarize(instances: &[(String, String)]) -> String {
    let mut details: Vec<(&str, Vec<&str>)> = Vec::new();
    for (who, detail) in instances {
        match details.iter_mut().find(|(d, _)| *d == detail.as_str()) {
            Some((_, whos)) => whos.push(who),
            None => details.push((detail, vec![who])),
        }
    }
    let shown: Vec<String> = details
        .iter()
        .take(SHOWN)
        .map(|(detail, whos)| {
            let names = if whos.len() > SHOWN { format!("{} and {} more", whos[..SHOWN].join(", "), whos.len() - SHOWN) } else { whos.join(", ") };
            let sep = if detail.starts_with("may ") { " " } else { ": " };
            if detail.is_empty() { names } else { format!("{names}{sep}{detail}") }
        })
        .collect();
    let rest: usize = details.iter().skip(SHOWN).map(|(_, w)| w.len()).sum();
    if rest > 0 {
        format!("{}; and {rest} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}
