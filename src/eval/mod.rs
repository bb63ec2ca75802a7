//! Evaluates the typed IR on concrete data and a concrete plan: rules,
//! preferences, expectations, objective terms and KPIs. It never looks at
//! the linear model: it is the independent reading that every solved plan
//! must pass before it is written.
//!
//! Unknown values follow the language reference: a field reached through
//! `none` is unknown; `==`/`!=` treat `none` as a value; a rule whose
//! condition is unknown holds; a filter whose condition is unknown excludes;
//! aggregates skip unknown terms.

pub mod value;

use crate::check::ir::*;
use crate::check::schema::EntityId;
use crate::data::{Column, Dataset};
use crate::syntax::ast::{AggKind, BinaryOp, Sense};
use std::collections::HashMap;
pub use value::Value;

/// Which target each assigned row has: `None` for unassigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub target: Vec<Option<u32>>,
}

/// Relative tolerance for comparing values computed from a solver's plan.
pub const TOLERANCE: f64 = 1e-6;

pub struct Evaluator<'a> {
    pub policy: &'a CheckedPolicy,
    pub data: &'a Dataset,
    /// Param values (a scenario may override them).
    pub params: Vec<Const>,
    texts: HashMap<String, u32>,
    assignment: Option<&'a Assignment>,
    /// Assigned rows of each target row, in row order.
    members: Vec<Vec<u32>>,
}

/// The variable bindings of one evaluation, plus an optional hypothetical
/// assignment of one row (used to evaluate a lookup for each candidate).
#[derive(Clone, Debug)]
pub struct Env {
    values: Vec<Value>,
    pub hypothesis: Option<(u32, Option<u32>)>,
}

impl Env {
    pub fn new(policy: &CheckedPolicy) -> Env {
        Env { values: vec![Value::None; policy.vars.len()], hypothesis: None }
    }
    pub fn bind(&mut self, var: VarId, value: Value) -> Value {
        std::mem::replace(&mut self.values[var], value)
    }
    pub fn get(&self, var: VarId) -> &Value {
        &self.values[var]
    }
}

impl<'a> Evaluator<'a> {
    /// An evaluator of data only: `a.rep` is known only under a hypothesis.
    pub fn for_data(policy: &'a CheckedPolicy, data: &'a Dataset) -> Evaluator<'a> {
        let mut texts = HashMap::new();
        for (sym, text) in data.texts.iter() {
            texts.insert(text.to_string(), sym.0);
        }
        Evaluator {
            policy,
            data,
            params: policy.params.iter().map(|p| p.value.clone()).collect(),
            texts,
            assignment: None,
            members: Vec::new(),
        }
    }

    pub fn for_plan(policy: &'a CheckedPolicy, data: &'a Dataset, assignment: &'a Assignment) -> Evaluator<'a> {
        let mut e = Evaluator::for_data(policy, data);
        if let Some(a) = &policy.assignment {
            let mut members = vec![Vec::new(); data.entity(a.target).len()];
            for (row, t) in assignment.target.iter().enumerate() {
                if let Some(t) = t {
                    if let Some(m) = members.get_mut(*t as usize) {
                        m.push(row as u32);
                    }
                }
            }
            e.members = members;
        }
        e.assignment = Some(assignment);
        e
    }

    pub fn with_params(mut self, params: Vec<Const>) -> Self {
        self.params = params;
        self
    }

    fn text(&self, s: &str) -> Value {
        // A literal that never occurs in the data equals no cell.
        Value::Text(self.texts.get(s).copied().unwrap_or(u32::MAX - (s.len() as u32 % 1024)))
    }

    pub fn rows(&self, entity: EntityId) -> u32 {
        self.data.entity(entity).len() as u32
    }

    /// Evaluates an expression; `Value::None` is "none or unknown".
    pub fn eval(&self, e: &TExpr, env: &mut Env) -> Value {
        match &e.kind {
            TExprKind::Const(c) => self.constant(c),
            TExprKind::TextList(items) => {
                let mut syms: Vec<u32> = items.iter().filter_map(|s| self.texts.get(s).copied()).collect();
                syms.sort_unstable();
                Value::Set(syms)
            }
            TExprKind::Param(p) => self.constant(&self.params[*p]),
            TExprKind::Var(v) => env.get(*v).clone(),
            // A field reached through `none` is unknown.
            TExprKind::Field { base, entity, field } => match self.eval(base, env) {
                Value::Row(_, row) => self.field(*entity, *field, row),
                _ => Value::Unknown,
            },
            TExprKind::Assigned { base } => match self.eval(base, env) {
                Value::Row(_, row) => self.assigned(row, env),
                _ => Value::Unknown,
            },
            TExprKind::Table { table, args } => {
                let mut keys = Vec::with_capacity(args.len());
                for a in args {
                    match self.eval(a, env) {
                        Value::Row(_, r) => keys.push(r),
                        _ => return Value::Unknown,
                    }
                }
                self.data.table(*table).get(&keys).map_or(Value::None, Value::Num)
            }
            TExprKind::Call { func, args } => {
                let Some(f) = self.policy.lets.get(*func) else { return Value::None };
                let values: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect();
                let saved: Vec<Value> = f.params.iter().zip(values).map(|(&p, v)| env.bind(p, v)).collect();
                let result = self.eval(&f.body, env);
                for (&p, v) in f.params.iter().zip(saved) {
                    env.bind(p, v);
                }
                result
            }
            TExprKind::Builtin { func: Builtin::Distance, args } => {
                match (self.eval(&args[0], env), self.eval(&args[1], env)) {
                    (Value::Geo(a), Value::Geo(b)) => Value::Num(value::haversine_km(a, b)),
                    _ => Value::Unknown,
                }
            }
            TExprKind::Not(x) => match self.eval(x, env) {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Unknown,
            },
            TExprKind::Neg(x) => match self.eval(x, env) {
                Value::Num(v) => Value::Num(-v),
                _ => Value::Unknown,
            },
            TExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, env),
            TExprKind::Within { value, tolerance, reference } => {
                match (self.eval(value, env), self.eval(tolerance, env), self.eval(reference, env)) {
                    (Value::Num(v), Value::Num(t), Value::Num(r)) => Value::Bool(value::le((v - r).abs(), t * r)),
                    _ => Value::Unknown,
                }
            }
            TExprKind::Aggregate { kind, var, source, filter, body } => {
                self.aggregate(*kind, *var, source, filter.as_deref(), body.as_deref(), env)
            }
        }
    }

    fn constant(&self, c: &Const) -> Value {
        match c {
            Const::Num(v) => Value::Num(*v),
            Const::Text(s) => self.text(s),
            Const::Bool(b) => Value::Bool(*b),
            Const::None => Value::None,
        }
    }

    pub fn field(&self, entity: EntityId, field: usize, row: u32) -> Value {
        let r = row as usize;
        match &self.data.entity(entity).columns[field] {
            Column::Text(v) => v.get(r).copied().flatten().map_or(Value::None, |s| Value::Text(s.0)),
            Column::Number(v) => v.get(r).copied().flatten().map_or(Value::None, Value::Num),
            Column::Bool(v) => v.get(r).copied().flatten().map_or(Value::None, Value::Bool),
            Column::Geo(v) => v.get(r).copied().flatten().map_or(Value::None, Value::Geo),
            Column::TextSet(v) => v.get(r).map_or(Value::None, |s| Value::Set(s.iter().map(|x| x.0).collect())),
            Column::Ref(v) => match (v.get(r).copied().flatten(), &self.policy.schema.entities[entity].fields[field].ty) {
                (Some(target), crate::check::schema::FieldType::Ref(te)) => Value::Row(*te, target),
                _ => Value::None,
            },
        }
    }

    fn assigned(&self, row: u32, env: &Env) -> Value {
        let Some(a) = &self.policy.assignment else { return Value::None };
        let target = match env.hypothesis {
            Some((r, t)) if r == row => t,
            _ => self.assignment.and_then(|p| p.target.get(row as usize).copied().flatten()),
        };
        target.map_or(Value::None, |t| Value::Row(a.target, t))
    }

    fn binary(&self, op: BinaryOp, lhs: &TExpr, rhs: &TExpr, env: &mut Env) -> Value {
        let l = self.eval(lhs, env);
        // Three-valued logic: false and x is false, true or x is true.
        match (op, &l) {
            (BinaryOp::And, Value::Bool(false)) => return Value::Bool(false),
            (BinaryOp::Or, Value::Bool(true)) => return Value::Bool(true),
            _ => {}
        }
        let r = self.eval(rhs, env);
        value::binary(op, &l, &r)
    }

    fn aggregate(
        &self,
        kind: AggKind,
        var: VarId,
        source: &TSource,
        filter: Option<&TExpr>,
        body: Option<&TExpr>,
        env: &mut Env,
    ) -> Value {
        let (entity, rows): (EntityId, Vec<u32>) = match source {
            TSource::Entity(e) => (*e, (0..self.rows(*e)).collect()),
            TSource::Assigned { target } => {
                let Some(a) = &self.policy.assignment else { return Value::None };
                match self.eval(target, env) {
                    Value::Row(_, t) => (a.entity, self.members_of(t, env)),
                    _ => (a.entity, Vec::new()),
                }
            }
        };
        let saved = env.bind(var, Value::None);
        let mut sum = 0.0;
        let mut n = 0usize;
        let mut best: Option<f64> = None;
        for row in rows {
            env.bind(var, Value::Row(entity, row));
            if !self.passes(filter, env) {
                continue;
            }
            let x = match body {
                None => 1.0,
                Some(b) => match self.eval(b, env) {
                    Value::Num(x) => x,
                    _ => continue,
                },
            };
            sum += x;
            n += 1;
            best = Some(match (kind, best) {
                (AggKind::Max, Some(b)) => b.max(x),
                (AggKind::Min, Some(b)) => b.min(x),
                _ => x,
            });
        }
        env.bind(var, saved);
        match kind {
            AggKind::Sum | AggKind::Count => Value::Num(sum),
            AggKind::Mean if n > 0 => Value::Num(sum / n as f64),
            AggKind::Max | AggKind::Min => best.map_or(Value::None, Value::Num),
            AggKind::Mean => Value::None,
        }
    }

    /// The rows assigned to target row `t`, honouring a hypothesis.
    fn members_of(&self, t: u32, env: &Env) -> Vec<u32> {
        let mut rows = self.members.get(t as usize).cloned().unwrap_or_default();
        if let Some((row, target)) = env.hypothesis {
            rows.retain(|&r| r != row);
            if target == Some(t) {
                let pos = rows.partition_point(|&r| r < row);
                rows.insert(pos, row);
            }
        }
        rows
    }

    /// Whether a filter lets a row through: no filter, or a condition that
    /// is true (a filter about an unknown value excludes).
    pub fn passes(&self, filter: Option<&TExpr>, env: &mut Env) -> bool {
        filter.is_none_or(|f| self.eval(f, env) == Value::Bool(true))
    }

    /// The `assign` clause that covers a row: the first whose condition
    /// holds; `None` when the row takes no part in the assignment.
    pub fn clause_of<'p>(&self, a: &'p crate::check::ir::Assignment, env: &mut Env, row: u32) -> Option<&'p crate::check::ir::AssignClause> {
        env.bind(a.row_var, Value::Row(a.entity, row));
        a.clauses.iter().find(|c| self.passes(c.filter.as_ref(), env))
    }

    /// Rows of the quantifier of a constraint (all when unquantified: one
    /// instance with nothing bound).
    pub fn instances(&self, c: &Constraint, env: &mut Env) -> Vec<Option<u32>> {
        let Some(q) = &c.quantifier else { return vec![None] };
        let mut rows = Vec::new();
        for row in 0..self.rows(q.entity) {
            env.bind(q.var, Value::Row(q.entity, row));
            if self.passes(q.filter.as_ref(), env) {
                rows.push(Some(row));
            }
        }
        rows
    }

    /// How much one instance of a condition is violated: 0 when it holds
    /// (or is unknown); for a comparison of numbers, by how much; else 1.
    pub fn violation(&self, body: &TExpr, env: &mut Env) -> f64 {
        match &body.kind {
            TExprKind::Binary { op: BinaryOp::And, lhs, rhs } if matches!(body.stage, Stage::Linear(_)) => {
                self.violation(lhs, env) + self.violation(rhs, env)
            }
            TExprKind::Binary { op, lhs, rhs } if op.is_comparison() && matches!(body.stage, Stage::Linear(_)) => {
                match (self.eval(lhs, env), self.eval(rhs, env)) {
                    (Value::Num(l), Value::Num(r)) => value::excess(*op, l, r),
                    _ => 0.0,
                }
            }
            TExprKind::Within { value, tolerance, reference } if matches!(body.stage, Stage::Linear(_)) => {
                match (self.eval(value, env), self.eval(tolerance, env), self.eval(reference, env)) {
                    (Value::Num(v), Value::Num(t), Value::Num(r)) => {
                        let excess = (v - r).abs() - t * r;
                        if value::le((v - r).abs(), t * r) { 0.0 } else { excess }
                    }
                    _ => 0.0,
                }
            }
            _ => match self.eval(body, env) {
                Value::Bool(false) => 1.0,
                _ => 0.0,
            },
        }
    }

    /// The numeric value of an objective term (unknown counts as 0).
    pub fn number(&self, e: &TExpr, env: &mut Env) -> f64 {
        match self.eval(e, env) {
            Value::Num(x) => x,
            _ => 0.0,
        }
    }
}

/// One violated instance of a rule, preference or expectation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Violation {
    pub constraint: usize,
    /// The quantified row, if the constraint has a quantifier.
    pub row: Option<u32>,
    pub amount: f64,
}

/// Everything `eval` says about a plan.
#[derive(Clone, Debug, Default)]
pub struct PlanEvaluation {
    pub violations: Vec<Violation>,
    /// Per constraint: number of instances checked.
    pub instances: Vec<usize>,
    /// Per objective term: raw value.
    pub terms: Vec<f64>,
}

impl Evaluator<'_> {
    /// Evaluates every constraint and objective term on the plan.
    pub fn evaluate(&self) -> PlanEvaluation {
        use rayon::prelude::*;
        let per_constraint: Vec<(Vec<Violation>, usize)> = self
            .policy
            .constraints
            .par_iter()
            .enumerate()
            .map(|(ci, c)| {
                let mut env = Env::new(self.policy);
                let rows = self.instances(c, &mut env);
                let mut found = Vec::new();
                for row in &rows {
                    if let (Some(q), Some(r)) = (&c.quantifier, row) {
                        env.bind(q.var, Value::Row(q.entity, *r));
                    }
                    let amount = self.violation(&c.body, &mut env);
                    if amount > 0.0 {
                        found.push(Violation { constraint: ci, row: *row, amount });
                    }
                }
                (found, rows.len())
            })
            .collect();
        let mut out = PlanEvaluation::default();
        for (v, n) in per_constraint {
            out.violations.extend(v);
            out.instances.push(n);
        }
        let mut env = Env::new(self.policy);
        out.terms = self.policy.objective.iter().map(|t| self.number(&t.expr, &mut env)).collect();
        out
    }

    /// Per target row, the value of every one-parameter `let` over the
    /// target entity (the policy's own KPIs, such as `load` and `book`).
    pub fn kpis(&self) -> Vec<(String, Vec<f64>)> {
        let Some(a) = &self.policy.assignment else { return Vec::new() };
        let mut out = Vec::new();
        for f in &self.policy.lets {
            if f.params.len() != 1 || self.policy.vars[f.params[0]].ty != Type::Entity(a.target) {
                continue;
            }
            if f.body.ty.unit().is_none() {
                continue;
            }
            let mut env = Env::new(self.policy);
            let values = (0..self.rows(a.target))
                .map(|t| {
                    env.bind(f.params[0], Value::Row(a.target, t));
                    self.number(&f.body, &mut env)
                })
                .collect();
            out.push((f.name.clone(), values));
        }
        out
    }
}

/// The sign with which a term enters a minimisation.
pub fn sense_sign(sense: Sense) -> f64 {
    match sense {
        Sense::Minimize => 1.0,
        Sense::Maximize => -1.0,
    }
}
