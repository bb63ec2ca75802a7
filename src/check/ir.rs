//! The typed IR that `check` produces: names resolved to ids, every
//! expression typed with its unit and its stage. `eval` and `lower` are two
//! independent readings of it.

use super::schema::{EntityId, FieldId, Schema, TableId, Unit};
use crate::syntax::ast::{AggKind, BinaryOp, Cardinality, Sense, Span};
use serde::Serialize;

pub type VarId = usize;
pub type ParamId = usize;
pub type LetId = usize;

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Type {
    /// A number in a unit; `percent` marks fractions written as percents,
    /// which must not meet counts or plain numbers by accident.
    Num { unit: Unit, percent: bool },
    Bool,
    Text,
    TextSet,
    Geo,
    Entity(EntityId),
    /// The literal `none`, comparable with anything.
    None,
    /// The type of an expression that already has an error: it is
    /// compatible with everything, so that one mistake gives one message.
    Error,
}

impl Type {
    pub fn num(unit: Unit) -> Type {
        Type::Num { unit, percent: false }
    }
    pub fn unit(self) -> Option<Unit> {
        match self {
            Type::Num { unit, .. } => Some(unit),
            _ => None,
        }
    }
}

/// How a maximum or minimum enters an expression, which decides where a
/// linear model can represent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Curvature {
    Affine,
    /// Contains `max` with a positive sign (or `min` with a negative one).
    Convex,
    /// Contains `min` with a positive sign (or `max` with a negative one).
    Concave,
}

impl Curvature {
    pub fn negate(self) -> Curvature {
        match self {
            Curvature::Affine => Curvature::Affine,
            Curvature::Convex => Curvature::Concave,
            Curvature::Concave => Curvature::Convex,
        }
    }
    /// The curvature of a sum; `None` when a convex and a concave part meet.
    pub fn add(self, other: Curvature) -> Option<Curvature> {
        match (self, other) {
            (Curvature::Affine, c) | (c, Curvature::Affine) => Some(c),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }
}

/// When a value is known: before solving, or only as a function of the
/// assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Stage {
    /// Known from the data alone.
    Data,
    /// A data function of one assigned entity `v` and its assigned target
    /// `v.rep`: evaluated for every candidate target, hence linear.
    Lookup(VarId),
    /// Linear in the assignment, with the curvature of any max/min in it.
    Linear(Curvature),
}

impl Stage {
    pub fn is_data(self) -> bool {
        self == Stage::Data
    }
    pub fn curvature(self) -> Curvature {
        match self {
            Stage::Linear(c) => c,
            _ => Curvature::Affine,
        }
    }
}

/// A value known before solving.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Const {
    Num(f64),
    Text(String),
    Bool(bool),
    None,
}

#[derive(Clone, Debug, Serialize)]
pub struct TExpr {
    pub span: Span,
    pub ty: Type,
    pub stage: Stage,
    pub kind: TExprKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Builtin {
    /// Great-circle distance in km between two `geo` values.
    Distance,
}

/// What an aggregate or quantifier ranges over.
#[derive(Clone, Debug, Serialize)]
pub enum TSource {
    /// Every row of an entity.
    Entity(EntityId),
    /// The assigned entities whose target is the value of `target`
    /// (`r.accounts`): membership depends on the assignment.
    Assigned { target: Box<TExpr> },
}

#[derive(Clone, Debug, Serialize)]
pub enum TExprKind {
    Const(Const),
    /// A list of texts, `["East", "West"]`.
    TextList(Vec<String>),
    Param(ParamId),
    Var(VarId),
    /// A data field of an entity row.
    Field { base: Box<TExpr>, entity: EntityId, field: FieldId },
    /// The target assigned to an assigned-entity row (`a.rep`).
    Assigned { base: Box<TExpr> },
    Table { table: TableId, args: Vec<TExpr> },
    Call { func: LetId, args: Vec<TExpr> },
    Builtin { func: Builtin, args: Vec<TExpr> },
    Not(Box<TExpr>),
    Neg(Box<TExpr>),
    Binary { op: BinaryOp, lhs: Box<TExpr>, rhs: Box<TExpr> },
    /// `value within tolerance of reference`: |value - reference| <= tolerance * reference.
    Within { value: Box<TExpr>, tolerance: Box<TExpr>, reference: Box<TExpr> },
    Aggregate {
        kind: AggKind,
        var: VarId,
        source: TSource,
        filter: Option<Box<TExpr>>,
        /// `None` for `count`.
        body: Option<Box<TExpr>>,
    },
}

/// A bound variable: quantifier, aggregate, let parameter, or the implicit
/// row of an entity filter.
#[derive(Clone, Debug, Serialize)]
pub struct VarInfo {
    pub name: String,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub span: Span,
    pub ty: Type,
    pub value: Const,
    pub expr: TExpr,
}

#[derive(Clone, Debug, Serialize)]
pub struct LetFn {
    pub name: String,
    pub span: Span,
    pub params: Vec<VarId>,
    pub body: TExpr,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssignClause {
    pub cardinality: Cardinality,
    /// Over the implicit row `row_var`; `None` matches every row not taken
    /// by an earlier clause.
    pub filter: Option<TExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Assignment {
    pub entity: EntityId,
    pub target: EntityId,
    /// `rep` in `a.rep`.
    pub decision_name: String,
    /// `accounts` in `r.accounts`.
    pub relation_name: String,
    pub row_var: VarId,
    pub clauses: Vec<AssignClause>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct Quant {
    pub var: VarId,
    pub entity: EntityId,
    pub filter: Option<TExpr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum ConstraintKind {
    Hard,
    /// A preference: each violated instance costs `weight` (per unit of
    /// violation for inequalities).
    Soft { weight: f64 },
    /// Checked on the plan only, never given to the solver.
    Expect,
}

/// A rule, preference or expectation.
#[derive(Clone, Debug, Serialize)]
pub struct Constraint {
    pub name: String,
    pub span: Span,
    pub name_span: Span,
    pub kind: ConstraintKind,
    pub quantifier: Option<Quant>,
    pub body: TExpr,
}

#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveTerm {
    pub name: String,
    pub span: Span,
    pub sense: Sense,
    pub weight: f64,
    pub expr: TExpr,
}

#[derive(Clone, Debug, Serialize)]
pub enum ScenarioChange {
    SetParam { param: ParamId, value: Const, span: Span },
    Without { entity: EntityId, row_var: VarId, filter: Option<TExpr>, span: Span },
    Scale { entity: EntityId, field: FieldId, factor: f64, span: Span },
}

#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    pub name: String,
    pub span: Span,
    pub changes: Vec<ScenarioChange>,
}

/// A policy that passed every check.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckedPolicy {
    pub name: Option<String>,
    pub schema: Schema,
    pub assignment: Option<Assignment>,
    pub vars: Vec<VarInfo>,
    pub params: Vec<Param>,
    pub lets: Vec<LetFn>,
    pub constraints: Vec<Constraint>,
    pub objective: Vec<ObjectiveTerm>,
    pub scenarios: Vec<Scenario>,
}

impl TExpr {
    /// Visits this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a TExpr)) {
        visit(self);
        match &self.kind {
            TExprKind::Const(_) | TExprKind::TextList(_) | TExprKind::Param(_) | TExprKind::Var(_) => {}
            TExprKind::Field { base, .. } | TExprKind::Assigned { base } => base.walk(visit),
            TExprKind::Table { args, .. } | TExprKind::Call { args, .. } | TExprKind::Builtin { args, .. } => {
                args.iter().for_each(|a| a.walk(visit))
            }
            TExprKind::Not(x) | TExprKind::Neg(x) => x.walk(visit),
            TExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(visit);
                rhs.walk(visit);
            }
            TExprKind::Within { value, tolerance, reference } => {
                value.walk(visit);
                tolerance.walk(visit);
                reference.walk(visit);
            }
            TExprKind::Aggregate { source, filter, body, .. } => {
                if let TSource::Assigned { target } = source {
                    target.walk(visit);
                }
                if let Some(f) = filter {
                    f.walk(visit);
                }
                if let Some(b) = body {
                    b.walk(visit);
                }
            }
        }
    }
}

impl CheckedPolicy {
    /// Every top-level expression of the policy.
    pub fn expressions(&self) -> Vec<&TExpr> {
        let mut out: Vec<&TExpr> = Vec::new();
        out.extend(self.params.iter().map(|p| &p.expr));
        out.extend(self.lets.iter().map(|l| &l.body));
        if let Some(a) = &self.assignment {
            out.extend(a.clauses.iter().filter_map(|c| c.filter.as_ref()));
        }
        for c in &self.constraints {
            out.push(&c.body);
            if let Some(f) = c.quantifier.as_ref().and_then(|q| q.filter.as_ref()) {
                out.push(f);
            }
        }
        out.extend(self.objective.iter().map(|t| &t.expr));
        for s in &self.scenarios {
            for change in &s.changes {
                if let ScenarioChange::Without { filter: Some(f), .. } = change {
                    out.push(f);
                }
            }
        }
        out
    }
}
