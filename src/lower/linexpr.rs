//! Linear forms `Σ coef·x[col] + constant`, and the free variables of an
//! expression (which identify one use of a shared aggregate).

use crate::check::ir::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lin {
    pub terms: Vec<(usize, f64)>,
    pub constant: f64,
}

impl Lin {
    pub fn constant(value: f64) -> Lin {
        Lin { terms: Vec::new(), constant: value }
    }
    pub fn add(&mut self, other: &Lin, factor: f64) {
        self.terms.extend(other.terms.iter().map(|&(c, v)| (c, v * factor)));
        self.constant += other.constant * factor;
    }
    pub fn plus(mut self, other: &Lin, factor: f64) -> Lin {
        self.add(other, factor);
        self
    }
    pub fn scaled(mut self, factor: f64) -> Lin {
        for t in &mut self.terms {
            t.1 *= factor;
        }
        self.constant *= factor;
        self
    }
    /// Sorts by column, merges duplicates and drops zeros.
    pub fn normalize(&mut self) {
        self.terms.sort_by_key(|t| t.0);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(self.terms.len());
        for &(c, v) in &self.terms {
            match merged.last_mut() {
                Some(last) if last.0 == c => last.1 += v,
                _ => merged.push((c, v)),
            }
        }
        merged.retain(|t| t.1 != 0.0);
        self.terms = merged;
    }
}

/// Variables used in `e` but not bound inside it, sorted.
pub fn free_vars(e: &TExpr, lets: &[LetFn]) -> Vec<VarId> {
    let mut used = Vec::new();
    let mut bound = Vec::new();
    walk(e, lets, &mut used, &mut bound);
    used.sort_unstable();
    used.dedup();
    used.retain(|v| !bound.contains(v));
    used
}

fn walk(e: &TExpr, lets: &[LetFn], used: &mut Vec<VarId>, bound: &mut Vec<VarId>) {
    match &e.kind {
        TExprKind::Var(v) => used.push(*v),
        TExprKind::Const(_) | TExprKind::TextList(_) | TExprKind::Param(_) => {}
        TExprKind::Field { base, .. } | TExprKind::Assigned { base } => walk(base, lets, used, bound),
        TExprKind::Table { args, .. } | TExprKind::Builtin { args, .. } => {
            args.iter().for_each(|a| walk(a, lets, used, bound))
        }
        TExprKind::Call { func, args } => {
            args.iter().for_each(|a| walk(a, lets, used, bound));
            // A let's body sees only its parameters, bound by the call.
            if let Some(f) = lets.get(*func) {
                let mut inner_used = Vec::new();
                walk(&f.body, lets, &mut inner_used, bound);
                bound.extend(f.params.iter().copied());
            }
        }
        TExprKind::Not(x) | TExprKind::Neg(x) => walk(x, lets, used, bound),
        TExprKind::Binary { lhs, rhs, .. } => {
            walk(lhs, lets, used, bound);
            walk(rhs, lets, used, bound);
        }
        TExprKind::Within { value, tolerance, reference } => {
            walk(value, lets, used, bound);
            walk(tolerance, lets, used, bound);
            walk(reference, lets, used, bound);
        }
        TExprKind::Aggregate { var, source, filter, body, .. } => {
            bound.push(*var);
            if let TSource::Assigned { target } = source {
                walk(target, lets, used, bound);
            }
            if let Some(f) = filter {
                walk(f, lets, used, bound);
            }
            if let Some(b) = body {
                walk(b, lets, used, bound);
            }
        }
    }
}
