//! Typed IR + data -> linear model. Every row and column keeps its
//! provenance (the rule or term, and the entity row), so that results and
//! conflicts can be told in the policy's own words.
//!
//! - `assign E to R` gives binaries x[e,r] for the candidate pairs only:
//!   hard rules whose condition is a lookup of the quantified row (e.g.
//!   `a.rep.region == a.region`) remove pairs instead of adding rows.
//! - A lookup f(e, e.rep) expands to Σ_r x[e,r]·f(e,r) (+ the `none` case).
//! - Aggregates that are used more than once with the same free variables
//!   (e.g. `book(r)`, `mean(book(q) for q in rep)`) are formed once, as an
//!   auxiliary column defined by one row (those used once are inlined
//!   again at the end, see `inline`); max/min become auxiliary columns
//!   bounded by every term (the checker allows them only where convex).
//! - Each objective term and each preference is divided by its scale (see
//!   `magnitude`) and multiplied by its weight.

mod inline;
pub mod linexpr;

use crate::check::ir::*;
use crate::data::Dataset;
use crate::eval::{sense_sign, Env, Evaluator, Value};
use crate::solve::LinearModel;
use crate::syntax::ast::{AggKind, BinaryOp, Cardinality};
use linexpr::Lin;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Where a column comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnOrigin {
    /// x[row, target]
    Assign { row: u32, target: u32 },
    /// An auxiliary value (a shared aggregate, a max or a min).
    Aux { what: String },
    /// The violation of one instance of a preference.
    Slack { constraint: usize, row: Option<u32> },
}

/// Where a row comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum RowOrigin {
    /// `exactly one` / `at most one` for one assigned row.
    Assignment { row: u32 },
    /// One instance of a rule or preference.
    Rule { constraint: usize, row: Option<u32> },
    /// The definition of an auxiliary column.
    Definition,
}

/// A pair of assigned row and target that no hard rule excludes.
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    /// Columns of row e are `start[e]..start[e+1]`; they are the first
    /// columns of the model.
    pub start: Vec<usize>,
    pub target: Vec<u32>,
    /// Whether row e must be assigned.
    pub must_assign: Vec<bool>,
    /// Whether row e takes part in the assignment at all.
    pub assignable: Vec<bool>,
}

impl Candidates {
    pub fn of(&self, row: usize) -> std::ops::Range<usize> {
        self.start[row]..self.start[row + 1]
    }
    pub fn len(&self) -> usize {
        self.target.len()
    }
    pub fn is_empty(&self) -> bool {
        self.target.is_empty()
    }
}

/// A row that must be assigned but has no candidate left.
#[derive(Clone, Debug)]
pub struct Stranded {
    pub row: u32,
    /// The hard rules that excluded at least one target, with how many.
    pub excluded_by: Vec<(usize, usize)>,
}

/// An objective term or preference as it enters the objective.
#[derive(Clone, Debug)]
pub struct ScaledTerm {
    pub scale: f64,
    pub weight: f64,
    /// +1 when minimised, -1 when maximised.
    pub sign: f64,
}

pub struct Lowered {
    pub model: LinearModel,
    pub candidates: Candidates,
    pub columns: Vec<ColumnOrigin>,
    pub rows: Vec<RowOrigin>,
    pub terms: Vec<ScaledTerm>,
    /// Per constraint: `Some` for preferences.
    pub soft: Vec<Option<ScaledTerm>>,
    /// The solver minimises `multiplier × (Σ contributions)`, which keeps
    /// objective coefficients near 1.
    pub multiplier: f64,
    /// Pairs removed per hard rule.
    pub pruned: Vec<usize>,
    pub stranded: Vec<Stranded>,
    /// Hard rules about data only that the data breaks: (constraint, row).
    pub data_violations: Vec<(usize, Option<u32>)>,
}

impl Lowered {
    /// The assignment that a column vector encodes.
    pub fn assignment(&self, values: &[f64]) -> crate::eval::Assignment {
        let c = &self.candidates;
        let target = (0..c.must_assign.len())
            .map(|e| c.of(e).find(|&col| values.get(col).is_some_and(|v| *v > 0.5)).map(|col| c.target[col]))
            .collect();
        crate::eval::Assignment { target }
    }
}

struct Lowerer<'a> {
    ev: Evaluator<'a>,
    policy: &'a CheckedPolicy,
    model: LinearModel,
    cand: Candidates,
    /// For each target row, its candidate (row, column) pairs.
    by_target: Vec<Vec<(u32, usize)>>,
    columns: Vec<ColumnOrigin>,
    rows: Vec<RowOrigin>,
    memo: HashMap<(usize, Vec<(u8, u64, u64)>), Lin>,
    free_vars: HashMap<usize, Vec<VarId>>,
    /// Magnitude of each auxiliary column, for scales.
    aux_magnitude: HashMap<usize, f64>,
    cost: Vec<f64>,
    /// Hard rules applied by removing candidates (see `pair_rules`).
    pair_rules: Vec<usize>,
}

/// Aggregates with at least this many terms are formed once as a column.
const SHARE_AT: usize = 8;

pub fn lower(policy: &CheckedPolicy, data: &Dataset, params: Vec<Const>) -> Lowered {
    let ev = Evaluator::for_data(policy, data).with_params(params);
    let mut pruned = vec![0; policy.constraints.len()];
    let (cand, stranded) = candidates(&ev, policy, &mut pruned);
    let mut l = Lowerer {
        ev,
        policy,
        model: LinearModel::default(),
        cand,
        by_target: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        memo: HashMap::new(),
        free_vars: HashMap::new(),
        aux_magnitude: HashMap::new(),
        cost: Vec::new(),
        pair_rules: pair_rules(policy),
    };
    l.assignment_columns();
    let mut data_violations = Vec::new();
    let mut soft = vec![None; policy.constraints.len()];
    for (ci, c) in policy.constraints.iter().enumerate() {
        match c.kind {
            ConstraintKind::Expect => {}
            ConstraintKind::Hard => l.hard(ci, c, &mut data_violations),
            ConstraintKind::Soft { weight } => soft[ci] = Some(l.soft(ci, c, weight)),
        }
    }
    // Scales balance the objective's parts against each other; a lone term
    // needs none, and keeping its costs as written (often whole numbers)
    // lets the solver use the objective's integrality to prune.
    let lone = policy.objective.len() == 1 && soft.iter().all(Option::is_none);
    let terms = l.objective(lone);
    // Scale the whole objective so that coefficients are near 1.
    let multiplier = if lone { 1.0 } else { (l.cand.must_assign.len().max(1)) as f64 };
    for c in l.cost.iter_mut() {
        *c *= multiplier;
    }
    l.model.offset *= multiplier;
    l.model.col_cost = std::mem::take(&mut l.cost);
    l.model.col_cost.resize(l.model.num_cols(), 0.0);
    let mut lowered = Lowered {
        model: l.model,
        candidates: l.cand,
        columns: l.columns,
        rows: l.rows,
        terms,
        soft,
        multiplier,
        pruned,
        stranded,
        data_violations,
    };
    inline::inline_single_use(&mut lowered);
    lowered
}

/// Hard rules whose condition is a lookup of the quantified assigned row.
fn pair_rules(policy: &CheckedPolicy) -> Vec<usize> {
    let Some(a) = &policy.assignment else { return Vec::new() };
    policy
        .constraints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ConstraintKind::Hard)
        .filter(|(_, c)| {
            c.quantifier.as_ref().is_some_and(|q| q.entity == a.entity && c.body.stage == Stage::Lookup(q.var))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether a pair rule forbids `row` having `target`: its filter holds and
/// its condition is false (unknown conditions hold).
fn forbids(ev: &Evaluator, c: &Constraint, env: &mut Env, row: u32, target: Option<u32>) -> bool {
    env.hypothesis = Some((row, target));
    let q = c.quantifier.as_ref().expect("pair rules are quantified"); // infallible: see pair_rules
    let applies = ev.passes(q.filter.as_ref(), env);
    let result = applies && ev.eval(&c.body, env) == Value::Bool(false);
    env.hypothesis = None;
    result
}


fn candidates(ev: &Evaluator, policy: &CheckedPolicy, pruned: &mut [usize]) -> (Candidates, Vec<Stranded>) {
    let Some(a) = &policy.assignment else { return (Candidates { start: vec![0], ..Default::default() }, Vec::new()) };
    let rules = pair_rules(policy);
    let n_rows = ev.rows(a.entity);
    let n_targets = ev.rows(a.target);
    struct RowCandidates {
        targets: Vec<u32>,
        must: bool,
        assignable: bool,
        excluded: Vec<(usize, usize)>,
    }
    let per_row: Vec<RowCandidates> = (0..n_rows)
        .into_par_iter()
        .map_init(
            || Env::new(policy),
            |env, row| {
                let Some(card) = ev.clause_of(a, env, row).map(|c| c.cardinality) else {
                    return RowCandidates { targets: Vec::new(), must: false, assignable: false, excluded: Vec::new() };
                };
                let mut excluded = vec![0usize; rules.len()];
                let mut targets = Vec::new();
                for t in 0..n_targets {
                    let mut ok = true;
                    for (k, &ci) in rules.iter().enumerate() {
                        let c = &policy.constraints[ci];
                        let q = c.quantifier.as_ref().expect("pair rules are quantified"); // infallible
                        env.bind(q.var, Value::Row(q.entity, row));
                        if forbids(ev, c, env, row, Some(t)) {
                            excluded[k] += 1;
                            ok = false;
                            break;
                        }
                    }
                    if ok {
                        targets.push(t);
                    }
                }
                let mut must = card == Cardinality::ExactlyOne;
                if !must {
                    // A rule that forbids `none` forces an assignment.
                    must = rules.iter().any(|&ci| {
                        let c = &policy.constraints[ci];
                        let q = c.quantifier.as_ref().expect("pair rules are quantified"); // infallible
                        env.bind(q.var, Value::Row(q.entity, row));
                        forbids(ev, c, env, row, None)
                    });
                }
                let excluded = rules.iter().zip(excluded).filter(|(_, n)| *n > 0).map(|(&ci, n)| (ci, n)).collect();
                RowCandidates { targets, must, assignable: true, excluded }
            },
        )
        .collect();
    let mut cand = Candidates::default();
    let mut stranded = Vec::new();
    cand.start.push(0);
    for (row, rc) in per_row.into_iter().enumerate() {
        for &(ci, n) in &rc.excluded {
            pruned[ci] += n;
        }
        if rc.must && rc.targets.is_empty() {
            stranded.push(Stranded { row: row as u32, excluded_by: rc.excluded });
        }
        cand.target.extend(rc.targets);
        cand.start.push(cand.target.len());
        cand.must_assign.push(rc.must);
        cand.assignable.push(rc.assignable);
    }
    (cand, stranded)
}

impl<'a> Lowerer<'a> {
    fn add_col(&mut self, lower: f64, upper: f64, integer: bool, origin: ColumnOrigin) -> usize {
        self.columns.push(origin);
        self.cost.push(0.0);
        self.model.add_col(0.0, lower, upper, integer)
    }

    fn add_row(&mut self, lower: f64, upper: f64, lin: &Lin, origin: RowOrigin) {
        // The row holds the terms; the constant moves to the bounds.
        self.model.add_row(lower - lin.constant, upper - lin.constant, &lin.terms);
        self.rows.push(origin);
    }

    fn assignment_columns(&mut self) {
        let Some(a) = &self.policy.assignment else { return };
        let n_targets = self.ev.rows(a.target) as usize;
        self.by_target = vec![Vec::new(); n_targets];
        for e in 0..self.cand.must_assign.len() {
            for col in self.cand.of(e) {
                let t = self.cand.target[col];
                let c = self.add_col(0.0, 1.0, true, ColumnOrigin::Assign { row: e as u32, target: t });
                debug_assert_eq!(c, col);
                self.by_target[t as usize].push((e as u32, col));
            }
        }
        for e in 0..self.cand.must_assign.len() {
            if !self.cand.assignable[e] {
                continue;
            }
            let lin = Lin { terms: self.cand.of(e).map(|c| (c, 1.0)).collect(), constant: 0.0 };
            let lower = if self.cand.must_assign[e] { 1.0 } else { 0.0 };
            self.add_row(lower, 1.0, &lin, RowOrigin::Assignment { row: e as u32 });
        }
    }

    /// Expands a lookup of row `row`: Σ_t x[row,t]·f(t) + (1 − Σ_t x)·f(none).
    /// Unknown values count as 0, as aggregates skip them.
    fn expand(&self, row: u32, env: &mut Env, f: &mut dyn FnMut(&Evaluator, &mut Env) -> f64) -> Lin {
        let saved = env.hypothesis;
        let mut lin = Lin::default();
        let e = row as usize;
        let none_value = if self.cand.must_assign[e] {
            0.0
        } else {
            env.hypothesis = Some((row, None));
            f(&self.ev, env)
        };
        lin.constant = none_value;
        for col in self.cand.of(e) {
            env.hypothesis = Some((row, Some(self.cand.target[col])));
            let v = f(&self.ev, env) - none_value;
            if v != 0.0 {
                lin.terms.push((col, v));
            }
        }
        env.hypothesis = saved;
        lin
    }

    /// The linear form of a numeric expression; `None` when it is unknown.
    fn lin(&mut self, e: &TExpr, env: &mut Env) -> Option<Lin> {
        match e.stage {
            Stage::Data => match self.ev.eval(e, env) {
                Value::Num(x) => Some(Lin::constant(x)),
                _ => None,
            },
            Stage::Lookup(v) => {
                let Value::Row(_, row) = env.get(v).clone() else { return None };
                Some(self.expand(row, env, &mut |ev, env| ev.number(e, env)))
            }
            Stage::Linear(_) => self.linear(e, env),
        }
    }

    fn linear(&mut self, e: &TExpr, env: &mut Env) -> Option<Lin> {
        match &e.kind {
            TExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add => Some(self.lin(lhs, env)?.plus(&self.lin(rhs, env)?, 1.0)),
                BinaryOp::Sub => Some(self.lin(lhs, env)?.plus(&self.lin(rhs, env)?, -1.0)),
                BinaryOp::Mul if rhs.stage.is_data() => {
                    let k = self.data_number(rhs, env)?;
                    Some(self.lin(lhs, env)?.scaled(k))
                }
                BinaryOp::Mul => {
                    let k = self.data_number(lhs, env)?;
                    Some(self.lin(rhs, env)?.scaled(k))
                }
                BinaryOp::Div => {
                    let k = self.data_number(rhs, env)?;
                    (k != 0.0).then_some(())?;
                    Some(self.lin(lhs, env)?.scaled(1.0 / k))
                }
                _ => None,
            },
            TExprKind::Neg(x) => Some(self.lin(x, env)?.scaled(-1.0)),
            TExprKind::Call { func, args } => {
                let f = &self.policy.lets[*func];
                let values: Vec<Value> = args.iter().map(|a| self.ev.eval(a, env)).collect();
                let saved: Vec<Value> = f.params.iter().zip(values).map(|(&p, v)| env.bind(p, v)).collect();
                let result = self.lin(&f.body, env);
                for (&p, v) in f.params.iter().zip(saved) {
                    env.bind(p, v);
                }
                result
            }
            TExprKind::Aggregate { kind, var, source, filter, body } => {
                let key = (e as *const TExpr as usize, self.key_values(e, env));
                if let Some(found) = self.memo.get(&key) {
                    return Some(found.clone());
                }
                let lin = match kind {
                    AggKind::Max | AggKind::Min => self.extreme(*kind, *var, source, filter.as_deref(), body.as_deref()?, env),
                    _ => {
                        let sum = self.sum(*var, source, filter.as_deref(), body.as_deref(), env)?;
                        if *kind == AggKind::Mean {
                            let n = self.count_data(*var, source, filter.as_deref(), env);
                            (n > 0.0).then_some(())?;
                            sum.scaled(1.0 / n)
                        } else {
                            sum
                        }
                    }
                };
                let shared = if lin.terms.len() >= SHARE_AT && !matches!(kind, AggKind::Max | AggKind::Min) {
                    self.define_aux(&lin, format!("aggregate at {}..{}", e.span.start, e.span.end))
                } else {
                    lin
                };
                self.memo.insert(key, shared.clone());
                Some(shared)
            }
            _ => None,
        }
    }

    fn data_number(&self, e: &TExpr, env: &mut Env) -> Option<f64> {
        match self.ev.eval(e, env) {
            Value::Num(x) => Some(x),
            _ => None,
        }
    }

    /// The values of the free variables of `e`, which identify one use.
    fn key_values(&mut self, e: &TExpr, env: &Env) -> Vec<(u8, u64, u64)> {
        let id = e as *const TExpr as usize;
        let vars = self.free_vars.entry(id).or_insert_with(|| linexpr::free_vars(e, &self.policy.lets)).clone();
        vars.iter().map(|&v| env.get(v).key()).collect::<Vec<_>>()
    }

    /// A column `y` with the row `y = lin`.
    fn define_aux(&mut self, lin: &Lin, what: String) -> Lin {
        let y = self.add_col(f64::NEG_INFINITY, f64::INFINITY, false, ColumnOrigin::Aux { what });
        let magnitude = self.magnitude(lin);
        self.aux_magnitude.insert(y, magnitude);
        let mut row = lin.clone();
        row.terms.push((y, -1.0));
        row.constant = 0.0;
        let mut def = Lin { terms: row.terms, constant: 0.0 };
        def.normalize();
        self.add_row(-lin.constant, -lin.constant, &def, RowOrigin::Definition);
        Lin { terms: vec![(y, 1.0)], constant: 0.0 }
    }

    fn rows_of(&self, source: &TSource, env: &mut Env) -> Option<(crate::check::schema::EntityId, Vec<u32>, Option<u32>)> {
        match source {
            TSource::Entity(ent) => Some((*ent, (0..self.ev.rows(*ent)).collect(), None)),
            TSource::Assigned { target } => {
                let a = self.policy.assignment.as_ref()?;
                let Value::Row(_, t) = self.ev.eval(target, env) else { return None };
                let rows = self.by_target.get(t as usize)?.iter().map(|(r, _)| *r).collect();
                Some((a.entity, rows, Some(t)))
            }
        }
    }

    fn sum(&mut self, var: VarId, source: &TSource, filter: Option<&TExpr>, body: Option<&TExpr>, env: &mut Env) -> Option<Lin> {
        let (entity, rows, fixed_target) = self.rows_of(source, env)?;
        let saved = env.bind(var, Value::None);
        let mut total = Lin::default();
        let lookup = |s: Option<Stage>| s == Some(Stage::Lookup(var));
        let pairwise = lookup(filter.map(|f| f.stage)) || lookup(body.map(|b| b.stage)) || fixed_target.is_some();
        // For `r.accounts`, the candidate column of each row, in row order.
        let target_cols: Vec<usize> = match fixed_target {
            Some(t) => self.by_target[t as usize].iter().map(|&(_, c)| c).collect(),
            None => Vec::new(),
        };
        for (i, row) in rows.into_iter().enumerate() {
            env.bind(var, Value::Row(entity, row));
            if let Some(t) = fixed_target {
                // Σ over rows assigned to t: x[row,t]·[F]·B, with row.rep = t.
                let col = target_cols[i];
                env.hypothesis = Some((row, Some(t)));
                let v = if self.ev.passes(filter, env) {
                    body.map_or(1.0, |b| self.ev.number(b, env))
                } else {
                    0.0
                };
                env.hypothesis = None;
                if v != 0.0 {
                    total.terms.push((col, v));
                }
            } else if pairwise {
                let part = self.expand(row, env, &mut |ev, env| {
                    if ev.passes(filter, env) {
                        body.map_or(1.0, |b| ev.number(b, env))
                    } else {
                        0.0
                    }
                });
                total.add(&part, 1.0);
            } else {
                if !self.ev.passes(filter, env) {
                    continue;
                }
                match body {
                    None => total.constant += 1.0,
                    Some(b) => {
                        if let Some(part) = self.lin(b, env) {
                            total.add(&part, 1.0);
                        }
                    }
                }
            }
        }
        env.bind(var, saved);
        total.normalize();
        Some(total)
    }

    fn count_data(&self, var: VarId, source: &TSource, filter: Option<&TExpr>, env: &mut Env) -> f64 {
        let TSource::Entity(entity) = source else { return 0.0 };
        let saved = env.bind(var, Value::None);
        let mut n = 0.0;
        for row in 0..self.ev.rows(*entity) {
            env.bind(var, Value::Row(*entity, row));
            if self.ev.passes(filter, env) {
                n += 1.0;
            }
        }
        env.bind(var, saved);
        n
    }

    /// max/min over a data-defined set: a column bounded by every term.
    fn extreme(&mut self, kind: AggKind, var: VarId, source: &TSource, filter: Option<&TExpr>, body: &TExpr, env: &mut Env) -> Lin {
        let z = self.add_col(f64::NEG_INFINITY, f64::INFINITY, false, ColumnOrigin::Aux { what: format!("{} at {}", kind.keyword(), body.span.start) });
        let TSource::Entity(entity) = source else { return Lin::constant(0.0) };
        let saved = env.bind(var, Value::None);
        let mut magnitudes = Vec::new();
        for row in 0..self.ev.rows(*entity) {
            env.bind(var, Value::Row(*entity, row));
            if !self.ev.passes(filter, env) {
                continue;
            }
            let Some(part) = self.lin(body, env) else { continue };
            magnitudes.push(self.magnitude(&part));
            // max: z >= part  <=>  part - z <= 0 ; min: part - z >= 0
            let mut row_lin = part.clone();
            row_lin.terms.push((z, -1.0));
            row_lin.normalize();
            let (lo, hi) = if kind == AggKind::Max { (f64::NEG_INFINITY, 0.0) } else { (0.0, f64::INFINITY) };
            self.add_row(lo, hi, &row_lin, RowOrigin::Definition);
        }
        env.bind(var, saved);
        let mean = if magnitudes.is_empty() { 0.0 } else { magnitudes.iter().sum::<f64>() / magnitudes.len() as f64 };
        self.aux_magnitude.insert(z, mean);
        Lin { terms: vec![(z, 1.0)], constant: 0.0 }
    }

    /// The size a linear form can reach: for each assigned row, its largest
    /// coefficient; for an auxiliary column, the size of what defines it.
    fn magnitude(&self, lin: &Lin) -> f64 {
        // Ordered, so that the floating-point sum is the same on every run.
        let mut per_row: BTreeMap<u32, f64> = BTreeMap::new();
        let mut total = 0.0;
        for &(col, coef) in &lin.terms {
            match &self.columns[col] {
                ColumnOrigin::Assign { row, .. } => {
                    let m = per_row.entry(*row).or_insert(0.0);
                    *m = m.max(coef.abs());
                }
                _ => total += coef.abs() * self.aux_magnitude.get(&col).copied().unwrap_or(1.0),
            }
        }
        total + per_row.values().sum::<f64>()
    }

    fn bind_instance(c: &Constraint, env: &mut Env, row: Option<u32>) {
        if let (Some(q), Some(r)) = (&c.quantifier, row) {
            env.bind(q.var, Value::Row(q.entity, r));
        }
    }

    fn hard(&mut self, ci: usize, c: &Constraint, data_violations: &mut Vec<(usize, Option<u32>)>) {
        if self.pair_rules.contains(&ci) {
            return; // applied by removing candidates
        }
        let mut env = Env::new(self.policy);
        for row in self.ev.instances(c, &mut env) {
            Self::bind_instance(c, &mut env, row);
            match c.body.stage {
                Stage::Data | Stage::Lookup(_) => {
                    if self.ev.eval(&c.body, &mut env) == Value::Bool(false) {
                        data_violations.push((ci, row));
                    }
                }
                Stage::Linear(_) => {
                    for (lin, lo, hi) in self.conditions(&c.body, &mut env) {
                        self.add_row(lo, hi, &lin, RowOrigin::Rule { constraint: ci, row });
                    }
                }
            }
        }
    }

    /// A linear condition as rows `lo <= lin <= hi`.
    fn conditions(&mut self, body: &TExpr, env: &mut Env) -> Vec<(Lin, f64, f64)> {
        match &body.kind {
            TExprKind::Binary { op: BinaryOp::And, lhs, rhs } => {
                let mut out = self.conditions(lhs, env);
                out.extend(self.conditions(rhs, env));
                out
            }
            TExprKind::Binary { op, lhs, rhs } => {
                let (Some(l), Some(r)) = (self.lin(lhs, env), self.lin(rhs, env)) else { return Vec::new() };
                let mut d = l.plus(&r, -1.0);
                d.normalize();
                let (lo, hi) = match op {
                    BinaryOp::Le | BinaryOp::Lt => (f64::NEG_INFINITY, 0.0),
                    BinaryOp::Ge | BinaryOp::Gt => (0.0, f64::INFINITY),
                    _ => (0.0, 0.0),
                };
                vec![(d, lo, hi)]
            }
            TExprKind::Within { value, tolerance, reference } => {
                let (Some(v), Some(t), Some(r)) = (self.lin(value, env), self.data_number(tolerance, env), self.lin(reference, env)) else {
                    return Vec::new();
                };
                let mut upper = v.clone().plus(&r, -(1.0 + t));
                upper.normalize();
                let mut lower = v.plus(&r, -(1.0 - t));
                lower.normalize();
                vec![(upper, f64::NEG_INFINITY, 0.0), (lower, 0.0, f64::INFINITY)]
            }
            _ => Vec::new(),
        }
    }

    fn soft(&mut self, ci: usize, c: &Constraint, weight: f64) -> ScaledTerm {
        let mut env = Env::new(self.policy);
        let mut penalty = Lin::default();
        let mut scale = 0.0;
        for row in self.ev.instances(c, &mut env) {
            Self::bind_instance(c, &mut env, row);
            match c.body.stage {
                Stage::Lookup(v) => {
                    let Value::Row(_, r) = env.get(v).clone() else { continue };
                    let body = &c.body;
                    let part = self.expand(r, &mut env, &mut |ev, env| if ev.eval(body, env) == Value::Bool(false) { 1.0 } else { 0.0 });
                    penalty.add(&part, 1.0);
                    scale += 1.0;
                }
                Stage::Data => {
                    if self.ev.eval(&c.body, &mut env) == Value::Bool(false) {
                        penalty.constant += 1.0;
                    }
                    scale += 1.0;
                }
                Stage::Linear(_) => {
                    for (lin, lo, hi) in self.conditions(&c.body, &mut env) {
                        scale += self.magnitude(&lin).max(1.0);
                        // lo - s <= lin <= hi + s, s >= 0: one slack per side that is bounded.
                        let s = self.add_col(0.0, f64::INFINITY, false, ColumnOrigin::Slack { constraint: ci, row });
                        let mut with_slack = lin.clone();
                        if hi.is_finite() {
                            with_slack.terms.push((s, -1.0));
                            self.add_row(f64::NEG_INFINITY, hi, &with_slack, RowOrigin::Rule { constraint: ci, row });
                        }
                        if lo.is_finite() {
                            let mut w = lin.clone();
                            w.terms.push((s, 1.0));
                            self.add_row(lo, f64::INFINITY, &w, RowOrigin::Rule { constraint: ci, row });
                        }
                        penalty.terms.push((s, 1.0));
                    }
                }
            }
        }
        let scale = if scale > 0.0 { scale } else { 1.0 };
        self.add_cost(&penalty, weight / scale);
        ScaledTerm { scale, weight, sign: 1.0 }
    }

    fn add_cost(&mut self, lin: &Lin, factor: f64) {
        for &(col, coef) in &lin.terms {
            self.cost[col] += coef * factor;
        }
        self.model.offset += lin.constant * factor;
    }

    fn objective(&mut self, lone: bool) -> Vec<ScaledTerm> {
        let mut out = Vec::new();
        for term in &self.policy.objective {
            let mut env = Env::new(self.policy);
            let lin = self.lin(&term.expr, &mut env).unwrap_or_default();
            let magnitude = self.magnitude(&lin);
            let scale = if magnitude > 0.0 && !lone { magnitude } else { 1.0 };
            let sign = sense_sign(term.sense);
            self.add_cost(&lin, sign * term.weight / scale);
            out.push(ScaledTerm { scale, weight: term.weight, sign });
        }
        out
    }
}
