//! Explanations of a plan in the policy's own terms: why a row has its
//! target and what each other target would cost (`account`), a target's
//! KPIs, moves and binding rules (`rep`), what a rule costs (`rule`), and
//! the minimal conflicting rules of an infeasible policy (`conflict`).
//!
//! Every number here comes from `eval` (or, for conflicts and rule prices,
//! from solves whose plans `eval` re-checks); nothing trusts the solver's
//! own objective. This module does no file IO: `commands::explain` reads
//! the plan and writes the output.

pub mod account;
pub mod conflict;
pub mod moves;
pub mod rep;
pub mod rule;
pub mod show;

use crate::check::ir::{CheckedPolicy, Const, Constraint, ConstraintKind, Stage};
use crate::data::Dataset;
use crate::eval::Assignment;
use crate::lower::ScaledTerm;

/// A plan with everything needed to explain it.
pub struct PlanContext<'a> {
    pub policy: &'a CheckedPolicy,
    pub data: &'a Dataset,
    pub params: Vec<Const>,
    pub assignment: &'a Assignment,
    pub scales: &'a Scales,
    /// The policy's source text, for quoting expressions.
    pub source: &'a str,
}

/// How each objective term and preference enters the plan's objective:
/// the scales the plan was solved with.
#[derive(Clone, Debug)]
pub struct Scales {
    pub terms: Vec<ScaledTerm>,
    /// Per constraint: `Some` for preferences.
    pub soft: Vec<Option<ScaledTerm>>,
}

impl Scales {
    pub fn of(lowered: &crate::lower::Lowered) -> Scales {
        Scales { terms: lowered.terms.clone(), soft: lowered.soft.clone() }
    }

    /// One term's contribution to the objective for a raw value.
    pub fn term(&self, term: usize, raw: f64) -> f64 {
        self.terms.get(term).map_or(0.0, |t| t.sign * t.weight * raw / t.scale)
    }

    /// A preference's contribution for a summed violation.
    pub fn preference(&self, constraint: usize, raw: f64) -> f64 {
        self.soft.get(constraint).and_then(|s| s.as_ref()).map_or(0.0, |s| s.weight * raw / s.scale)
    }

    /// The objective (lower is better) of raw term values and summed
    /// violations per constraint.
    pub fn objective(&self, terms: &[f64], violations: &[f64]) -> f64 {
        let t: f64 = terms.iter().enumerate().map(|(i, raw)| self.term(i, *raw)).sum();
        let p: f64 = violations.iter().enumerate().map(|(ci, raw)| self.preference(ci, *raw)).sum();
        t + p
    }
}

/// Hard rules that remove candidate pairs instead of adding rows: their
/// condition is a lookup of the quantified assigned row
/// (`for a in account: a.rep.region == a.region`).
pub fn is_pair_rule(policy: &CheckedPolicy, c: &Constraint) -> bool {
    let Some(a) = &policy.assignment else { return false };
    c.kind == ConstraintKind::Hard && c.quantifier.as_ref().is_some_and(|q| q.entity == a.entity && c.body.stage == Stage::Lookup(q.var))
}

/// The text of a span of the policy.
pub fn quote(source: &str, span: crate::syntax::ast::Span) -> String {
    let text = source.get(span.start..span.end).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The two sides of one instance of a linear rule, and how far it is from
/// its limit.
#[derive(Clone, Debug)]
pub struct Sides {
    /// The value side, as written and evaluated.
    pub lhs: (String, f64),
    /// The limit side (for `within`, the reference).
    pub rhs: (String, f64),
    /// `<=`, `>=`, `==`, or `within T of` for a tolerance.
    pub relation: String,
    /// For `within`: the band [reference·(1−T), reference·(1+T)].
    pub band: Option<(f64, f64)>,
    /// Distance to the limit: positive inside, 0 at it (binding), negative when broken.
    pub slack: f64,
}

impl Sides {
    /// At its limit, up to eval's tolerance.
    pub fn binding(&self) -> bool {
        self.slack.abs() <= crate::eval::TOLERANCE * self.lhs.1.abs().max(self.rhs.1.abs()).max(1.0)
    }
}

/// The sides of one instance of a rule whose condition compares numbers;
/// `None` for other conditions or when a side is unknown.
pub fn sides(ev: &crate::eval::Evaluator, c: &Constraint, env: &mut crate::eval::Env, row: Option<u32>, source: &str) -> Option<Sides> {
    use crate::check::ir::TExprKind;
    use crate::eval::Value;
    if let (Some(q), Some(r)) = (&c.quantifier, row) {
        env.bind(q.var, Value::Row(q.entity, r));
        if !ev.passes(q.filter.as_ref(), env) {
            return None;
        }
    }
    let num = |env: &mut crate::eval::Env, e: &crate::check::ir::TExpr| if let Value::Num(x) = ev.eval(e, env) { Some(x) } else { None };
    match &c.body.kind {
        TExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
            let (l, r) = (num(env, lhs)?, num(env, rhs)?);
            let slack = match op {
                crate::syntax::ast::BinaryOp::Le | crate::syntax::ast::BinaryOp::Lt => r - l,
                crate::syntax::ast::BinaryOp::Ge | crate::syntax::ast::BinaryOp::Gt => l - r,
                _ => -(l - r).abs(),
            };
            Some(Sides { lhs: (quote(source, lhs.span), l), rhs: (quote(source, rhs.span), r), relation: op.symbol().into(), band: None, slack })
        }
        TExprKind::Within { value, tolerance, reference } => {
            let (v, t, r) = (num(env, value)?, num(env, tolerance)?, num(env, reference)?);
            let (lo, hi) = (r - t * r, r + t * r);
            Some(Sides {
                lhs: (quote(source, value.span), v),
                rhs: (quote(source, reference.span), r),
                relation: format!("within {} of", quote(source, tolerance.span)),
                band: Some((lo, hi)),
                slack: (v - lo).min(hi - v),
            })
        }
        _ => None,
    }
}
