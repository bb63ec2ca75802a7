//! The syntax tree of a policy. Every node carries the byte span it was
//! parsed from, so that every later stage can point back at the source.
//! The tree records what was written, nothing more: names are unresolved
//! and nothing is typed.

use serde::Serialize;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

/// A `// ...` comment, kept so that the formatter can reproduce it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicyFile {
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Item {
    Policy(PolicyDecl),
    Entity(EntityDecl),
    Table(TableDecl),
    Assign(AssignDecl),
    Param(ParamDecl),
    Let(LetDecl),
    Rule(RuleDecl),
    Prefer(PreferDecl),
    Objective(ObjectiveDecl),
    Expect(ExpectDecl),
    Scenario(ScenarioDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(d) => d.span,
            Item::Entity(d) => d.span,
            Item::Table(d) => d.span,
            Item::Assign(d) => d.span,
            Item::Param(d) => d.span,
            Item::Let(d) => d.span,
            Item::Rule(d) => d.span,
            Item::Prefer(d) => d.span,
            Item::Objective(d) => d.span,
            Item::Expect(d) => d.span,
            Item::Scenario(d) => d.span,
        }
    }
}

/// `policy "na-fy27"`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDecl {
    pub span: Span,
    pub name: StringLit,
}

/// `entity rep from "reps.csv" { ... }`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityDecl {
    pub span: Span,
    pub name: Ident,
    pub file: StringLit,
    pub fields: Vec<FieldDecl>,
}

/// `key id: text`, `owner: rep?`, `name: text from "Account Name"`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDecl {
    pub span: Span,
    pub is_key: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    /// The CSV column, when it is not named like the field.
    pub column: Option<StringLit>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeExpr {
    pub span: Span,
    /// `text`, `money`, an entity name, ...
    pub name: Ident,
    /// `set<text>`
    pub is_set: bool,
    /// `rep?`
    pub optional: bool,
}

/// `table drive(account, rep): hours from "drive.csv"`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableDecl {
    pub span: Span,
    pub name: Ident,
    pub keys: Vec<Ident>,
    pub ty: TypeExpr,
    pub file: StringLit,
}

/// `assign account to rep { exactly one where ...; at most one otherwise }`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssignDecl {
    pub span: Span,
    pub entity: Ident,
    pub target: Ident,
    pub clauses: Vec<AssignClause>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cardinality {
    ExactlyOne,
    AtMostOne,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssignClause {
    pub span: Span,
    pub cardinality: Cardinality,
    /// Bare names in the filter are fields of the entity. No filter means
    /// every entity (or, with `otherwise`, every entity no earlier clause took).
    pub filter: Option<Expr>,
    pub otherwise: bool,
}

/// `param tolerance = 15%`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamDecl {
    pub span: Span,
    pub name: Ident,
    pub value: Expr,
}

/// `let load(r: rep) = sum(...)`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LetDecl {
    pub span: Span,
    pub name: Ident,
    /// `None` when written without parentheses: `let total = ...`.
    pub params: Option<Vec<LetParam>>,
    pub body: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LetParam {
    pub span: Span,
    pub name: Ident,
    pub ty: TypeExpr,
}

/// `rule capacity: for r in rep: load(r) <= r.capacity`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleDecl {
    pub span: Span,
    pub name: Ident,
    pub body: Body,
}

/// `prefer keep_owner weight 5: ...`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreferDecl {
    pub span: Span,
    pub name: Ident,
    pub weight: Expr,
    pub body: Body,
}

/// `expect fair_books: ...`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpectDecl {
    pub span: Span,
    pub name: Ident,
    pub body: Body,
}

/// An optionally quantified condition: `for r in rep where ...: cond`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Body {
    pub span: Span,
    pub quantifier: Option<Quantifier>,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quantifier {
    pub span: Span,
    pub var: Ident,
    pub source: Source,
    pub filter: Option<Expr>,
}

/// What a variable ranges over: an entity (`account`) or a path to a
/// collection (`r.accounts`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub span: Span,
    pub path: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectiveDecl {
    pub span: Span,
    pub terms: Vec<ObjectiveTerm>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Sense {
    Maximize,
    Minimize,
}

/// `maximize coverage weight 40%: expr`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectiveTerm {
    pub span: Span,
    pub sense: Sense,
    pub name: Ident,
    pub weight: Expr,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioDecl {
    pub span: Span,
    pub name: Ident,
    pub stmts: Vec<ScenarioStmt>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ScenarioStmt {
    /// `tolerance = 25%`
    Set { span: Span, param: Ident, value: Expr },
    /// `without rep where id == "R017"`
    Without { span: Span, entity: Ident, filter: Option<Expr> },
    /// `scale account.potential by 110%`
    Scale { span: Span, entity: Ident, field: Ident, factor: Expr },
}

impl ScenarioStmt {
    pub fn span(&self) -> Span {
        match self {
            ScenarioStmt::Set { span, .. }
            | ScenarioStmt::Without { span, .. }
            | ScenarioStmt::Scale { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum UnitName {
    Money,
    Hours,
    Km,
    Count,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AggKind {
    Sum,
    Count,
    Mean,
    Max,
    Min,
}

impl AggKind {
    pub fn keyword(self) -> &'static str {
        match self {
            AggKind::Sum => "sum",
            AggKind::Count => "count",
            AggKind::Mean => "mean",
            AggKind::Max => "max",
            AggKind::Min => "min",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    /// `12`, `2.5`, `250_000`; the text is kept for the formatter.
    Number { value: f64, text: String },
    /// `15%`; `value` is the fraction (0.15).
    Percent { value: f64, text: String },
    /// `40 hours`
    Quantity { value: f64, text: String, unit: UnitName },
    Str(String),
    Bool(bool),
    None,
    Name(Ident),
    /// `a.rep`
    Field { base: Box<Expr>, field: Ident },
    /// `load(r)`, `distance(a.site, r.home)`
    Call { func: Ident, args: Vec<Expr> },
    Unary { op: UnaryOp, operand: Box<Expr> },
    Binary { op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr> },
    /// `x within p of y`
    Within { value: Box<Expr>, tolerance: Box<Expr>, reference: Box<Expr> },
    /// `sum(a.effort for a in r.accounts where ...)`; `count(a in E where ...)`
    /// has no body.
    Aggregate {
        kind: AggKind,
        body: Option<Box<Expr>>,
        var: Ident,
        source: Source,
        filter: Option<Box<Expr>>,
    },
    /// `["East", "West"]`
    List(Vec<Expr>),
    /// Parentheses are kept so that the formatter reproduces them.
    Paren(Box<Expr>),
}
