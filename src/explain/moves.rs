//! What one move changes: the plan with one assigned row given another
//! target, evaluated incrementally by `eval` instead of from scratch.
//!
//! Two ideas keep a move cheap on a large plan:
//!
//! - every *closed* number that depends on the assignment (a number with
//!   no free variable: `count(a in account where a.rep != a.owner)`,
//!   `mean(book(q) for q in rep)`) is computed once per move and read
//!   from a parameter slot, instead of once per rule instance; a closed
//!   `sum`/`count` over the assigned rows whose terms look only at their
//!   own row changes by the difference of one term;
//! - a rule instance is re-evaluated only when the move can reach it: an
//!   instance about the moved row, an instance about its old or new target
//!   whose condition reads only that target's rows, or every instance when
//!   the condition reads a slot that changed or the whole assignment.
//!
//! Tests compare every result with a full evaluation of the moved plan.

use crate::check::ir::*;
use crate::data::Dataset;
use crate::eval::{Assignment, Env, Evaluator, Value};
use crate::lower::linexpr::free_vars;
use crate::syntax::ast::AggKind;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// A policy whose closed, assignment-dependent numbers are read from
/// parameter slots (params numbered from `first_slot` on).
pub struct Prepared {
    pub policy: CheckedPolicy,
    /// The original expression behind each slot.
    slots: Vec<TExpr>,
    first_slot: usize,
}

impl Prepared {
    pub fn new(policy: &CheckedPolicy) -> Prepared {
        let mut p = policy.clone();
        let first_slot = p.params.len();
        let mut slots = Vec::new();
        let lets = &policy.lets;
        for l in &mut p.lets {
            rewrite(&mut l.body, lets, first_slot, &mut slots);
        }
        for c in &mut p.constraints {
            rewrite(&mut c.body, lets, first_slot, &mut slots);
            if let Some(f) = c.quantifier.as_mut().and_then(|q| q.filter.as_mut()) {
                rewrite(f, lets, first_slot, &mut slots);
            }
        }
        for t in &mut p.objective {
            rewrite(&mut t.expr, lets, first_slot, &mut slots);
        }
        Prepared { policy: p, slots, first_slot }
    }
}

/// Replaces each maximal closed aggregate or call whose value depends on
/// the assignment by a slot; one slot per source span.
fn rewrite(e: &mut TExpr, lets: &[LetFn], first_slot: usize, slots: &mut Vec<TExpr>) {
    let closed = matches!(e.stage, Stage::Linear(_))
        && matches!(e.ty, Type::Num { .. })
        && matches!(e.kind, TExprKind::Aggregate { .. } | TExprKind::Call { .. })
        && free_vars(e, lets).is_empty();
    if closed {
        let k = slots.iter().position(|s| s.span == e.span).unwrap_or_else(|| {
            slots.push(e.clone());
            slots.len() - 1
        });
        *e = TExpr { span: e.span, ty: e.ty, stage: Stage::Data, kind: TExprKind::Param(first_slot + k) };
        return;
    }
    let mut each = |x: &mut TExpr| rewrite(x, lets, first_slot, slots);
    match &mut e.kind {
        TExprKind::Const(_) | TExprKind::TextList(_) | TExprKind::Param(_) | TExprKind::Var(_) => {}
        TExprKind::Field { base, .. } | TExprKind::Assigned { base } => each(base),
        TExprKind::Table { args, .. } | TExprKind::Call { args, .. } | TExprKind::Builtin { args, .. } => args.iter_mut().for_each(each),
        TExprKind::Not(x) | TExprKind::Neg(x) => each(x),
        TExprKind::Binary { lhs, rhs, .. } => {
            each(lhs);
            each(rhs);
        }
        TExprKind::Within { value, tolerance, reference } => {
            each(value);
            each(tolerance);
            each(reference);
        }
        TExprKind::Aggregate { source, filter, body, .. } => {
            if let TSource::Assigned { target } = source {
                each(target);
            }
            if let Some(f) = filter {
                each(f);
            }
            if let Some(b) = body {
                each(b);
            }
        }
    }
}

/// How an expression reads the assignment.
#[derive(Clone, Debug, Default)]
struct Reads {
    /// Variables `v` whose own target is read (`v.rep`).
    own_target: Vec<VarId>,
    /// Variables `v` whose assigned rows are read (`v.accounts`).
    members: Vec<VarId>,
    /// Anything else: other rows' assignments, or targets not given by a variable.
    other: bool,
    slots: Vec<usize>,
}

/// What a variable inside an expression stands for.
#[derive(Clone, Copy)]
enum Bound {
    /// A variable bound outside the expression (or a let parameter given one).
    Outer(VarId),
    /// A row of `v.accounts`: its target is already covered by `members`.
    Member,
    /// A row of a whole entity, or a let parameter given a computed value.
    Opaque,
}

fn reads(e: &TExpr, lets: &[LetFn], first_slot: usize, scope: &mut HashMap<VarId, Bound>, out: &mut Reads) {
    let resolve = |scope: &HashMap<VarId, Bound>, v: VarId| scope.get(&v).copied().unwrap_or(Bound::Outer(v));
    match &e.kind {
        TExprKind::Param(p) if *p >= first_slot => out.slots.push(p - first_slot),
        TExprKind::Const(_) | TExprKind::TextList(_) | TExprKind::Param(_) | TExprKind::Var(_) => {}
        TExprKind::Assigned { base } => {
            match &base.kind {
                TExprKind::Var(v) => match resolve(scope, *v) {
                    Bound::Outer(x) => out.own_target.push(x),
                    Bound::Member => {}
                    Bound::Opaque => out.other = true,
                },
                _ => out.other = true,
            }
            reads(base, lets, first_slot, scope, out);
        }
        TExprKind::Field { base, .. } => reads(base, lets, first_slot, scope, out),
        TExprKind::Table { args, .. } | TExprKind::Builtin { args, .. } => {
            args.iter().for_each(|a| reads(a, lets, first_slot, scope, out))
        }
        TExprKind::Call { func, args } => {
            args.iter().for_each(|a| reads(a, lets, first_slot, scope, out));
            let Some(f) = lets.get(*func) else { return };
            // The let's body sees its parameters only; a recursive let is a
            // checker error (N0210), so this terminates.
            let mut inner: HashMap<VarId, Bound> = HashMap::new();
            for (&p, a) in f.params.iter().zip(args) {
                let b = match &a.kind {
                    TExprKind::Var(v) => resolve(scope, *v),
                    _ => Bound::Opaque,
                };
                inner.insert(p, b);
            }
            reads(&f.body, lets, first_slot, &mut inner, out);
        }
        TExprKind::Not(x) | TExprKind::Neg(x) => reads(x, lets, first_slot, scope, out),
        TExprKind::Binary { lhs, rhs, .. } => {
            reads(lhs, lets, first_slot, scope, out);
            reads(rhs, lets, first_slot, scope, out);
        }
        TExprKind::Within { value, tolerance, reference } => {
            for x in [value, tolerance, reference] {
                reads(x, lets, first_slot, scope, out);
            }
        }
        TExprKind::Aggregate { var, source, filter, body, .. } => {
            let bound = match source {
                TSource::Assigned { target } => {
                    match &target.kind {
                        TExprKind::Var(v) => match resolve(scope, *v) {
                            Bound::Outer(x) => out.members.push(x),
                            _ => out.other = true,
                        },
                        _ => out.other = true,
                    }
                    reads(target, lets, first_slot, scope, out);
                    Bound::Member
                }
                TSource::Entity(_) => Bound::Opaque,
            };
            let saved = scope.insert(*var, bound);
            for x in [filter, body].into_iter().flatten() {
                reads(x, lets, first_slot, scope, out);
            }
            match saved {
                Some(b) => scope.insert(*var, b),
                None => scope.remove(var),
            };
        }
    }
}

fn reads_of(exprs: &[&TExpr], lets: &[LetFn], first_slot: usize) -> Reads {
    let mut out = Reads::default();
    for e in exprs {
        reads(e, lets, first_slot, &mut HashMap::new(), &mut out);
    }
    out.own_target.sort_unstable();
    out.own_target.dedup();
    out.members.sort_unstable();
    out.members.dedup();
    out.slots.sort_unstable();
    out.slots.dedup();
    out
}

/// Which instances of a constraint a move can change.
#[derive(Clone, Debug)]
enum Reach {
    /// Only through slots (or not at all).
    SlotsOnly,
    /// The instance of the moved row.
    MovedRow,
    /// The instances of the moved row's old and new targets.
    Targets,
    /// Every instance.
    All,
}

/// How a slot's value follows a move.
enum SlotKind {
    /// `sum`/`count` over the assigned entity whose terms read only their
    /// own row: the value changes by the difference of the moved row's term.
    Separable { var: VarId },
    /// An aggregate over the target entity whose terms read only their own
    /// target's rows (`mean(book(q) for q in rep)`): the terms of every
    /// target are kept, and a move evaluates again those of its old and
    /// new target only.
    PerTarget { var: VarId, kind: AggKind, terms: Vec<Option<f64>> },
    /// Anything else: evaluated again under the move.
    Whole,
}

/// An aggregate of known terms (`None`: filtered out or unknown), as `eval` forms it.
fn aggregate_of(kind: AggKind, terms: &[Option<f64>]) -> Value {
    let known = terms.iter().flatten();
    match kind {
        AggKind::Sum | AggKind::Count => Value::Num(known.sum()),
        AggKind::Mean => {
            let (n, total) = known.fold((0usize, 0.0), |(n, t), x| (n + 1, t + x));
            if n > 0 { Value::Num(total / n as f64) } else { Value::None }
        }
        AggKind::Max => known.copied().reduce(f64::max).map_or(Value::None, Value::Num),
        AggKind::Min => known.copied().reduce(f64::min).map_or(Value::None, Value::Num),
    }
}

/// One term of an aggregate for the row bound to `var`: `None` when the
/// filter excludes it or its value is unknown; 1 for `count`.
fn aggregate_term(ev: &Evaluator, var: VarId, entity: usize, row: u32, filter: Option<&TExpr>, body: Option<&TExpr>, env: &mut Env) -> Option<f64> {
    let saved = env.bind(var, Value::Row(entity, row));
    let term = if !ev.passes(filter, env) {
        None
    } else {
        match body {
            None => Some(1.0),
            Some(b) => match ev.eval(b, env) {
                Value::Num(x) => Some(x),
                _ => None,
            },
        }
    };
    env.bind(var, saved);
    term
}

/// The change a move makes, as `eval` computes it.
#[derive(Clone, Debug, PartialEq)]
pub struct MoveEffect {
    pub target: Option<u32>,
    /// Per objective term: the change of its raw value.
    pub term_changes: Vec<f64>,
    /// Per constraint: the change of its summed violation (0 for expectations).
    pub violation_changes: Vec<f64>,
    /// Instances of hard rules broken after the move, more than before:
    /// (constraint, quantified row, violation after the move).
    pub broken: Vec<(usize, Option<u32>, f64)>,
}

/// A plan ready for moves: base values of every slot, constraint instance
/// and objective term.
pub struct MoveEvaluator<'a> {
    original: &'a CheckedPolicy,
    prepared: &'a Prepared,
    data: &'a Dataset,
    params: Vec<Const>,
    assignment: &'a Assignment,
    slot_kinds: Vec<SlotKind>,
    base_slots: Vec<Value>,
    reach: Vec<Reach>,
    constraint_slots: Vec<Vec<usize>>,
    /// Per constraint: violation of each instance that is violated.
    base_violations: Vec<BTreeMap<Option<u32>, f64>>,
    base_terms: Vec<f64>,
}

fn slot_const(v: &Value) -> Const {
    match v {
        Value::Num(x) => Const::Num(*x),
        Value::Bool(b) => Const::Bool(*b),
        _ => Const::None,
    }
}

impl<'a> MoveEvaluator<'a> {
    pub fn new(original: &'a CheckedPolicy, prepared: &'a Prepared, data: &'a Dataset, params: Vec<Const>, assignment: &'a Assignment) -> MoveEvaluator<'a> {
        let policy = &prepared.policy;
        let first = prepared.first_slot;
        let assigned_entity = original.assignment.as_ref().map(|a| a.entity);
        let target_entity = original.assignment.as_ref().map(|a| a.target);
        let slot_kinds = prepared
            .slots
            .iter()
            .map(|s| match &s.kind {
                TExprKind::Aggregate { kind: AggKind::Sum | AggKind::Count, var, source: TSource::Entity(ent), filter, body }
                    if Some(*ent) == assigned_entity =>
                {
                    let parts: Vec<&TExpr> = [filter.as_deref(), body.as_deref()].into_iter().flatten().collect();
                    let r = reads_of(&parts, &original.lets, usize::MAX);
                    let own = r.own_target.iter().all(|v| v == var);
                    if own && r.members.is_empty() && !r.other {
                        SlotKind::Separable { var: *var }
                    } else {
                        SlotKind::Whole
                    }
                }
                TExprKind::Aggregate { kind, var, source: TSource::Entity(ent), filter, body } if Some(*ent) == target_entity => {
                    let parts: Vec<&TExpr> = [filter.as_deref(), body.as_deref()].into_iter().flatten().collect();
                    let r = reads_of(&parts, &original.lets, usize::MAX);
                    if r.own_target.is_empty() && !r.other && r.members.iter().all(|v| v == var) {
                        let ev = Evaluator::for_plan(original, data, assignment).with_params(params.clone());
                        let mut env = Env::new(original);
                        let terms = (0..ev.rows(*ent)).map(|t| aggregate_term(&ev, *var, *ent, t, filter.as_deref(), body.as_deref(), &mut env)).collect();
                        SlotKind::PerTarget { var: *var, kind: *kind, terms }
                    } else {
                        SlotKind::Whole
                    }
                }
                _ => SlotKind::Whole,
            })
            .collect();
        let mut reach = Vec::new();
        let mut constraint_slots = Vec::new();
        for c in &policy.constraints {
            let mut parts = vec![&c.body];
            if let Some(f) = c.quantifier.as_ref().and_then(|q| q.filter.as_ref()) {
                parts.push(f);
            }
            let r = reads_of(&parts, &policy.lets, first);
            let q = c.quantifier.as_ref();
            let only = |vars: &[VarId]| vars.iter().all(|v| q.is_some_and(|q| q.var == *v));
            let reaches = if r.own_target.is_empty() && r.members.is_empty() && !r.other {
                Reach::SlotsOnly
            } else if r.other || !only(&r.own_target) || !only(&r.members) || q.is_none() {
                Reach::All
            } else if r.members.is_empty() && q.map(|q| q.entity) == assigned_entity {
                Reach::MovedRow
            } else if r.own_target.is_empty() && q.map(|q| q.entity) == target_entity {
                Reach::Targets
            } else {
                Reach::All
            };
            reach.push(reaches);
            constraint_slots.push(r.slots);
        }
        let mut me = MoveEvaluator {
            original,
            prepared,
            data,
            params,
            assignment,
            slot_kinds,
            base_slots: Vec::new(),
            reach,
            constraint_slots,
            base_violations: Vec::new(),
            base_terms: Vec::new(),
        };
        let slot_ev = Evaluator::for_plan(original, data, assignment).with_params(me.params.clone());
        let mut env = Env::new(original);
        me.base_slots = prepared.slots.iter().map(|s| slot_ev.eval(s, &mut env)).collect();
        let ev = me.evaluator();
        let per_constraint: Vec<BTreeMap<Option<u32>, f64>> = policy
            .constraints
            .par_iter()
            .map(|c| {
                let mut out = BTreeMap::new();
                if c.kind == ConstraintKind::Expect {
                    return out;
                }
                let mut env = Env::new(policy);
                for row in ev.instances(c, &mut env) {
                    let amount = instance_violation(&ev, c, &mut env, row);
                    if amount > 0.0 {
                        out.insert(row, amount);
                    }
                }
                out
            })
            .collect();
        me.base_violations = per_constraint;
        let mut env = Env::new(policy);
        me.base_terms = policy.objective.iter().map(|t| ev.number(&t.expr, &mut env)).collect();
        me
    }

    /// An evaluator of the prepared policy on the base plan, slots at their base values.
    fn evaluator(&self) -> Evaluator<'a> {
        let mut params = self.params.clone();
        params.extend(self.base_slots.iter().map(slot_const));
        Evaluator::for_plan(&self.prepared.policy, self.data, self.assignment).with_params(params)
    }

    /// The sum of violations of a constraint on the base plan.
    pub fn base_violation(&self, constraint: usize) -> f64 {
        self.base_violations.get(constraint).map_or(0.0, |m| m.values().sum())
    }

    /// The violation of one instance on the base plan.
    pub fn base_instance(&self, constraint: usize, row: Option<u32>) -> f64 {
        self.base_violations.get(constraint).and_then(|m| m.get(&row)).copied().unwrap_or(0.0)
    }

    pub fn base_terms(&self) -> &[f64] {
        &self.base_terms
    }

    /// The effects of giving `row` each of `targets`, in that order.
    pub fn moves(&self, row: u32, targets: &[Option<u32>]) -> Vec<MoveEffect> {
        // One pair of evaluators per chunk: building one indexes every text.
        let chunk = targets.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
        let per_chunk: Vec<Vec<MoveEffect>> = targets
            .par_chunks(chunk)
            .map(|part| {
                let slot_ev = Evaluator::for_plan(self.original, self.data, self.assignment).with_params(self.params.clone());
                let mut ev = self.evaluator();
                part.iter().map(|&t| self.effect(&slot_ev, &mut ev, row, t)).collect()
            })
            .collect();
        per_chunk.into_iter().flatten().collect()
    }

    fn effect(&self, slot_ev: &Evaluator, ev: &mut Evaluator, row: u32, target: Option<u32>) -> MoveEffect {
        let policy = &self.prepared.policy;
        let old = self.assignment.target.get(row as usize).copied().flatten();
        let assigned_entity = self.original.assignment.as_ref().map_or(0, |a| a.entity);
        // Slots under the move.
        let mut slot_env = Env::new(self.original);
        let mut changed = vec![false; self.base_slots.len()];
        for (k, (expr, kind)) in self.prepared.slots.iter().zip(&self.slot_kinds).enumerate() {
            let value = match kind {
                SlotKind::Separable { var } => {
                    let TExprKind::Aggregate { filter, body, .. } = &expr.kind else { continue };
                    let (filter, body) = (filter.as_deref(), body.as_deref());
                    let before = aggregate_term(slot_ev, *var, assigned_entity, row, filter, body, &mut slot_env).unwrap_or(0.0);
                    slot_env.hypothesis = Some((row, target));
                    let after = aggregate_term(slot_ev, *var, assigned_entity, row, filter, body, &mut slot_env).unwrap_or(0.0);
                    slot_env.hypothesis = None;
                    match &self.base_slots[k] {
                        Value::Num(b) => Value::Num(b + after - before),
                        other => other.clone(),
                    }
                }
                SlotKind::PerTarget { var, kind, terms } => {
                    let TExprKind::Aggregate { filter, body, .. } = &expr.kind else { continue };
                    let target_entity = self.original.assignment.as_ref().map_or(0, |a| a.target);
                    let mut terms = terms.clone();
                    slot_env.hypothesis = Some((row, target));
                    for t in [old, target].into_iter().flatten() {
                        if let Some(slot) = terms.get_mut(t as usize) {
                            *slot = aggregate_term(slot_ev, *var, target_entity, t, filter.as_deref(), body.as_deref(), &mut slot_env);
                        }
                    }
                    slot_env.hypothesis = None;
                    aggregate_of(*kind, &terms)
                }
                SlotKind::Whole => {
                    slot_env.hypothesis = Some((row, target));
                    let v = slot_ev.eval(expr, &mut slot_env);
                    slot_env.hypothesis = None;
                    v
                }
            };
            changed[k] = value != self.base_slots[k];
            ev.params[self.prepared.first_slot + k] = slot_const(&value);
        }
        let mut env = Env::new(policy);
        env.hypothesis = Some((row, target));
        let mut violation_changes = vec![0.0; policy.constraints.len()];
        let mut broken = Vec::new();
        for (ci, c) in policy.constraints.iter().enumerate() {
            if c.kind == ConstraintKind::Expect {
                continue;
            }
            let slot_changed = self.constraint_slots[ci].iter().any(|&k| changed[k]);
            let instances: Vec<Option<u32>> = match (&self.reach[ci], slot_changed) {
                (Reach::All, _) | (_, true) => {
                    // Every instance of the moved plan, and every instance violated before.
                    let mut rows = ev.instances(c, &mut env);
                    rows.extend(self.base_violations[ci].keys().copied());
                    rows.sort_unstable();
                    rows.dedup();
                    rows
                }
                (Reach::SlotsOnly, false) => Vec::new(),
                (Reach::MovedRow, false) => vec![Some(row)],
                (Reach::Targets, false) => {
                    let mut rows: Vec<Option<u32>> = [old, target].into_iter().flatten().map(Some).collect();
                    rows.sort_unstable();
                    rows.dedup();
                    rows
                }
            };
            for inst in instances {
                let after = instance_violation(ev, c, &mut env, inst);
                let before = self.base_instance(ci, inst);
                violation_changes[ci] += after - before;
                if c.kind == ConstraintKind::Hard && after > before + crate::eval::TOLERANCE * after.abs().max(1.0) {
                    broken.push((ci, inst, after));
                }
            }
        }
        let term_changes = policy.objective.iter().zip(&self.base_terms).map(|(t, base)| ev.number(&t.expr, &mut env) - base).collect();
        for k in 0..self.base_slots.len() {
            ev.params[self.prepared.first_slot + k] = slot_const(&self.base_slots[k]);
        }
        MoveEffect { target, term_changes, violation_changes, broken }
    }
}

/// The violation of one instance, 0 when its quantifier's filter excludes it.
fn instance_violation(ev: &Evaluator, c: &Constraint, env: &mut Env, row: Option<u32>) -> f64 {
    if let (Some(q), Some(r)) = (&c.quantifier, row) {
        env.bind(q.var, Value::Row(q.entity, r));
        if !ev.passes(q.filter.as_ref(), env) {
            return 0.0;
        }
    }
    ev.violation(&c.body, env)
}
