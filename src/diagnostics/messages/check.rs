//! Wording of name, type, unit and linearity errors (N02xx, T03xx, L04xx).
//! Each message is built from what the user wrote: the names, the two units,
//! the factor that depends on the assignment.

use crate::check::ir::Curvature;
use crate::check::schema::Unit;
use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::{Ident, Span};


fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map_or(String::new(), |s| format!("; did you mean `{s}`?"))
}

// ---------------------------------------------------------------- names

pub fn unknown_name(file: FileId, name: &Ident, suggestion: Option<String>, hint: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        "N0201",
        format!("unknown name `{}`", name.name),
        Label::new(file, name.span, format!("not declared{}", did_you_mean(&suggestion))),
    );
    match (suggestion, hint) {
        (Some(s), _) => d.with_help(format!("write `{s}`")),
        (None, Some(h)) => d.with_help(h),
        (None, None) => d.with_help("declare it with `param`, `let`, or bind it with `for x in ...`"),
    }
}

pub fn unknown_field(file: FileId, field: &Ident, entity: &str, suggestion: Option<String>, listed: &[String]) -> Diagnostic {
    let d = Diagnostic::error(
        "N0202",
        format!("`{entity}` has no field `{}`", field.name),
        Label::new(file, field.span, format!("unknown field{}", did_you_mean(&suggestion))),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write `{s}`")),
        None => d.with_help(format!("the fields of `{entity}` are {}", listed.join(", "))),
    }
}

pub fn unknown_function(file: FileId, func: &Ident, suggestion: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        "N0203",
        format!("unknown function `{}`", func.name),
        Label::new(file, func.span, format!("no `let`, table or built-in has this name{}", did_you_mean(&suggestion))),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write `{s}`")),
        None => d.with_help("define it with `let NAME(x: entity) = ...`, or declare a `table`"),
    }
}

pub fn unknown_entity(file: FileId, name: &Ident, suggestion: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        "N0204",
        format!("unknown entity `{}`", name.name),
        Label::new(file, name.span, format!("no entity has this name{}", did_you_mean(&suggestion))),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write `{s}`")),
        None => d.with_help("declare it with `entity NAME from \"file.csv\" { key id: text ... }`"),
    }
}

pub fn unknown_type(file: FileId, name: &Ident, suggestion: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        "N0205",
        format!("unknown type `{}`", name.name),
        Label::new(file, name.span, format!("not a type{}", did_you_mean(&suggestion))),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write `{s}`")),
        None => d.with_help("types are text, number, money, hours, km, count, percent, bool, geo, set<text>, or an entity name"),
    }
}

pub fn unknown_scenario_param(file: FileId, name: &Ident, suggestion: Option<String>) -> Diagnostic {
    let d = Diagnostic::error(
        "N0206",
        format!("scenario changes `{}`, which is not a param", name.name),
        Label::new(file, name.span, format!("no param has this name{}", did_you_mean(&suggestion))),
    );
    match suggestion {
        Some(s) => d.with_help(format!("write `{s}`")),
        None => d.with_help("a scenario can set params declared with `param NAME = VALUE`"),
    }
}

pub fn duplicate_name(file: FileId, name: &Ident, first: Span) -> Diagnostic {
    Diagnostic::error("N0207", format!("`{}` is declared twice", name.name), Label::new(file, name.span, "declared again here"))
        .with_label(file, first, "first declared here")
        .with_help("rename one of them: every name declares one thing")
}

pub fn duplicate_singleton(file: FileId, span: Span, first: Span, what: &str) -> Diagnostic {
    Diagnostic::error("N0208", format!("a policy has one `{what}` block"), Label::new(file, span, "a second one"))
        .with_label(file, first, "the first one")
        .with_help(format!("merge the two `{what}` declarations into one"))
}

pub fn entity_as_value(file: FileId, name: &Ident) -> Diagnostic {
    Diagnostic::error(
        "N0209",
        format!("`{}` is an entity, not a value", name.name),
        Label::new(file, name.span, "a collection of rows"),
    )
    .with_help(format!(
        "go through its rows: `for x in {0}: ...`, or aggregate: `count(x in {0})`",
        name.name
    ))
}

pub fn recursive_let(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("N0210", format!("`{name}` is defined in terms of itself"), Label::new(file, span, "used inside its own definition"))
        .with_help("a `let` may use other lets, but not itself, directly or through others")
}

pub fn relation_as_value(file: FileId, span: Span, name: &str, example: &str) -> Diagnostic {
    Diagnostic::error("N0211", format!("`{name}` is a collection, not a value"), Label::new(file, span, "the assigned rows"))
        .with_help(format!("aggregate over it, e.g. `{example}`"))
}

pub fn decision_name_clash(file: FileId, span: Span, field: Span, entity: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        "N0212",
        format!("`{entity}.{name}` would mean both a field and the assignment"),
        Label::new(file, span, format!("the assignment creates `{entity}.{name}`")),
    )
    .with_label(file, field, "a field with the same name")
    .with_help("rename the field, e.g. `current_owner`, and map it to its column with `from \"column\"`")
}

// -------------------------------------------------------- types and units

fn unit_text(u: Unit) -> &'static str {
    u.name()
}

fn conversion_hint(a: Unit, b: Unit) -> String {
    match (a, b) {
        (Unit::Hours, Unit::Money) | (Unit::Money, Unit::Hours) => {
            "hours and money measure different things: compare hours with hours (e.g. `load(r) <= r.capacity`) and money with money (e.g. `book(r) <= 2000000 money`)".into()
        }
        (Unit::Km, Unit::Hours) | (Unit::Hours, Unit::Km) => {
            "convert distance to time with a speed param, or compare km with km".into()
        }
        (x, Unit::Dimensionless) | (Unit::Dimensionless, x) => {
            format!("give the plain number a unit, e.g. `40 {}`", unit_text(x))
        }
        _ => "compare and add only values of the same unit".into(),
    }
}

pub fn unit_mismatch(file: FileId, _span: Span, lspan: Span, lu: Unit, rspan: Span, ru: Unit, op: &str) -> Diagnostic {
    Diagnostic::error(
        "T0301",
        format!("`{op}` between {} and {}", unit_text(lu), unit_text(ru)),
        Label::new(file, lspan, format!("this is {}", unit_text(lu))),
    )
    .with_label(file, rspan, format!("this is {}", unit_text(ru)))
    .with_help(conversion_hint(lu, ru))
}

pub fn percent_as_number(file: FileId, pct: Span, count: Span) -> Diagnostic {
    Diagnostic::error("T0302", "a percent is used where a number is meant", Label::new(file, pct, "a percent, i.e. a fraction"))
        .with_label(file, count, "this is a count")
        .with_help("a percent is a fraction (10% is 0.1): to mean 10 % of a count, multiply, e.g. `max_moves * count(a in account)`")
}

pub fn compound_unit(file: FileId, _span: Span, lspan: Span, lu: Unit, rspan: Span, ru: Unit, is_mul: bool) -> Diagnostic {
    let verb = if is_mul { "multiplies" } else { "divides" };
    Diagnostic::error(
        "T0303",
        format!("this {verb} {} by {}", unit_text(lu), unit_text(ru)),
        Label::new(file, lspan, format!("this is {}", unit_text(lu))),
    )
    .with_label(file, rspan, format!("this is {}", unit_text(ru)))
    .with_help("multiply or divide by plain numbers or percents; dividing like units (money / money) gives a plain number")
}

pub fn not_a_number(file: FileId, span: Span, op: &str, ty: String) -> Diagnostic {
    Diagnostic::error("T0304", format!("{op} needs a number, found {ty}"), Label::new(file, span, format!("this is {ty}")))
        .with_help("use a numeric field (money, hours, km, count, number, percent) or an aggregate such as `sum(...)`")
}

pub fn not_a_condition(file: FileId, span: Span, ty: String) -> Diagnostic {
    Diagnostic::error("T0305", format!("expected a condition, found {ty}"), Label::new(file, span, "not true or false"))
        .with_help("compare it with something, e.g. `load(r) <= r.capacity`")
}

pub fn compare_mismatch(file: FileId, _span: Span, lspan: Span, a: String, rspan: Span, b: String) -> Diagnostic {
    Diagnostic::error("T0306", format!("cannot compare {a} with {b}"), Label::new(file, lspan, format!("this is {a}")))
        .with_label(file, rspan, format!("this is {b}"))
        .with_help("compare values of the same kind: text with text, a rep with a rep, money with money")
}

pub fn bad_in(file: FileId, _span: Span, lspan: Span, rspan: Span, a: String, b: String) -> Diagnostic {
    Diagnostic::error("T0307", "`in` tests whether a text is in a set of texts", Label::new(file, lspan, format!("this is {a}")))
        .with_label(file, rspan, format!("this is {b}"))
        .with_help("write `\"healthcare\" in r.skills` or `a.region in [\"East\", \"West\"]`")
}

pub fn field_of_non_entity(file: FileId, field: &Ident, base: Span, ty: String) -> Diagnostic {
    Diagnostic::error("T0308", format!("{ty} has no field `{}`", field.name), Label::new(file, field.span, "no fields here"))
        .with_label(file, base, format!("this is {ty}"))
        .with_help("fields belong to entity rows, such as `a.region` for `a` in `account`")
}

pub fn wrong_arity(file: FileId, span: Span, name: &str, expected: usize, got: usize) -> Diagnostic {
    Diagnostic::error(
        "T0309",
        format!("`{name}` takes {expected} argument{}, given {got}", if expected == 1 { "" } else { "s" }),
        Label::new(file, span, "wrong number of arguments"),
    )
    .with_help(format!("call it with {expected} argument{}", if expected == 1 { "" } else { "s" }))
}

pub fn argument_type(file: FileId, span: Span, func: &str, want: String, got: String) -> Diagnostic {
    Diagnostic::error("T0310", format!("`{func}` expects {want} here, found {got}"), Label::new(file, span, format!("this is {got}")))
        .with_help(format!("pass {want}"))
}

pub fn missing_key(file: FileId, span: Span, entity: &str) -> Diagnostic {
    Diagnostic::error("T0311", format!("entity `{entity}` has no key"), Label::new(file, span, "needs a `key` field"))
        .with_help("mark the column that identifies each row: `key id: text`")
}

pub fn two_keys(file: FileId, second: Span, first: Span) -> Diagnostic {
    Diagnostic::error("T0312", "an entity has exactly one key", Label::new(file, second, "a second key"))
        .with_label(file, first, "the first key")
        .with_help("remove `key` from one of the fields")
}

pub fn key_not_text(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0313", "a key must be `text`", Label::new(file, span, "declared here"))
        .with_help("declare the key as `text`; numeric ids such as 1001 load as text too")
}

pub fn set_of_non_text(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0314", "sets hold text only", Label::new(file, span, "not `set<text>`"))
        .with_help("write `set<text>`; the CSV cell holds values separated by `;`")
}

pub fn table_not_numeric(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0315", "a table holds numbers", Label::new(file, span, "not a numeric type"))
        .with_help("give the table a numeric type: number, money, hours, km, count or percent")
}

pub fn bad_weight(file: FileId, span: Span, ty: String) -> Diagnostic {
    Diagnostic::error("T0316", format!("expected a constant plain number or percent, found {ty}"), Label::new(file, span, "must be a constant without unit"))
        .with_help("write a number such as `5` or `40%`, or a param holding one")
}

pub fn param_not_constant(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0317", "a param must be a constant", Label::new(file, span, "depends on data or the assignment"))
        .with_help("write a literal such as `15%`, `40 hours` or `250000 money`; use `let` for values computed from data")
}

pub fn objective_not_number(file: FileId, span: Span, ty: String) -> Diagnostic {
    Diagnostic::error("T0318", format!("an objective term must be a number, found {ty}"), Label::new(file, span, "not a number"))
        .with_help("maximize or minimize a sum, a count, or a max/min of numbers")
}

pub fn scenario_type_mismatch(file: FileId, span: Span, param: &str, expected: String, got: String) -> Diagnostic {
    Diagnostic::error("T0319", format!("`{param}` is {expected}, but the scenario gives {got}"), Label::new(file, span, format!("this is {got}")))
        .with_help(format!("give `{param}` a value of the same kind as its declaration"))
}

pub fn scale_not_number(file: FileId, span: Span, field: &str) -> Diagnostic {
    Diagnostic::error("T0320", format!("`{field}` is not a number, so it cannot be scaled"), Label::new(file, span, "not numeric"))
        .with_help("`scale` applies to numeric fields such as money or hours")
}

pub fn list_not_text(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0321", "a list holds quoted texts", Label::new(file, span, "not a text literal"))
        .with_help("write `[\"East\", \"West\"]`")
}

pub fn aggregate_over_non_entity(file: FileId, name: &Ident, what: &str) -> Diagnostic {
    Diagnostic::error("T0322", format!("`{}` is {what}; `in` needs an entity or an assigned collection", name.name), Label::new(file, name.span, "not something to go through"))
        .with_help("go through an entity, `for a in account`, or through what the assignment gives a target, `for a in r.accounts`")
}

pub fn bad_tolerance(file: FileId, span: Span, ty: String) -> Diagnostic {
    Diagnostic::error("T0323", format!("`within` needs a constant percent, found {ty}"), Label::new(file, span, "the tolerance"))
        .with_help("write `within 15% of ...` or use a param such as `tolerance`")
}

pub fn function_without_arguments(file: FileId, name: &Ident, n: usize) -> Diagnostic {
    Diagnostic::error("T0324", format!("`{}` needs {n} argument{}", name.name, if n == 1 { "" } else { "s" }), Label::new(file, name.span, "called without arguments"))
        .with_help(format!("write `{}(...)`", name.name))
}

pub fn assign_to_itself(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0325", "an entity cannot be assigned to itself", Label::new(file, span, "same entity on both sides"))
        .with_help("assign one entity to another: `assign account to rep { exactly one }`")
}

pub fn filter_not_data(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0326", "this condition must be known from the data", Label::new(file, span, "depends on the assignment"))
        .with_help("conditions of `assign` and `without` select rows by their fields, e.g. `status == \"customer\"`")
}

pub fn divide_by_zero(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("T0327", "division by zero", Label::new(file, span, "this is zero"))
        .with_help("divide by a non-zero constant")
}

pub fn relation_of_entity(file: FileId, span: Span, target: &str, relation: &str, entity: &str, decision: &str) -> Diagnostic {
    Diagnostic::error(
        "T0328",
        format!("`{target}.{relation}` needs one {target}, not the whole entity"),
        Label::new(file, span, format!("`{relation}` belongs to each {target}")),
    )
    .with_help(format!(
        "go through `{entity}` and test the assignment, e.g. `for a in {entity}: a.{decision} ...`, or sum for each {target}: `for r in {target}: sum(... for a in r.{relation})`"
    ))
}

// ------------------------------------------------------------- linearity

pub fn linear_times_linear(file: FileId, _span: Span, lspan: Span, rspan: Span) -> Diagnostic {
    Diagnostic::error("L0401", "this multiplies two values that both depend on the assignment", Label::new(file, lspan, "depends on the assignment"))
        .with_label(file, rspan, "also depends on the assignment")
        .with_help("a linear model can multiply a decision by data only; make one factor data (a field or a param), or compare the two sides instead of multiplying them")
}

pub fn nonconvex_comparison(file: FileId, span: Span, op: &str, l: Curvature, r: Curvature) -> Diagnostic {
    let _ = (l, r);
    Diagnostic::error("L0402", format!("this `{op}` puts a max or min where a linear model cannot hold it"), Label::new(file, span, "the solver would have to choose which term"))
        .with_help("`max(...) <= c` and `min(...) >= c` are fine (every term must satisfy them); `max(...) >= c`, `min(...) <= c` and equalities with max/min would need a choice of which term, which is not linear. Bound every term instead, e.g. `for r in rep: load(r) >= c`")
}

pub fn or_of_constraints(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0403", "`or` between conditions on sums is not linear", Label::new(file, span, "either-or on the assignment"))
        .with_help("split it into two rules, or make one side a condition on the account and its rep only (e.g. `a.rep.region == a.region or a.locked`)")
}

pub fn not_equal_constraint(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0404", "`!=` on a sum over the assignment is not linear", Label::new(file, span, "excludes one value"))
        .with_help("state a bound instead: `<=` or `>=`")
}

pub fn filter_depends_on_sum(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0405", "this condition depends on the whole assignment", Label::new(file, span, "not a condition on one row"))
        .with_help("a `where` may test the row and its own assigned rep (`a.rep.region == \"West\"`), not sums or other rows' assignments")
}

pub fn extreme_over_decided_set(file: FileId, span: Span, kw: &str) -> Diagnostic {
    Diagnostic::error("L0406", format!("`{kw}` over rows chosen by the assignment is not linear"), Label::new(file, span, "the set depends on the assignment"))
        .with_help(match kw {
            "mean" => "a mean over assigned rows divides two sums; compare `sum(...)` with the bound times `count(...)` instead",
            _ => "bound each row instead: `for a in account: a.effort <= ...`, or take the max over a fixed entity",
        })
}

pub fn linear_over_decided_set(file: FileId, span: Span, body: Span) -> Diagnostic {
    let _ = span;
    Diagnostic::error("L0407", "this sums a value that depends on the assignment over rows chosen by the assignment", Label::new(file, body, "depends on the assignment beyond this row"))
        .with_help("inside `for a in r.accounts` use data of `a` and `r` only")
}

pub fn conditional_linear_rule(file: FileId, filter: Span, body: Span) -> Diagnostic {
    Diagnostic::error("L0408", "a rule on sums cannot be switched on by the assignment", Label::new(file, filter, "depends on the assignment"))
        .with_label(file, body, "a condition on sums")
        .with_help("make the `where` a condition on data only, or move the condition into the sums")
}

pub fn unknown_sign(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0409", "a max or min is scaled by a value whose sign is not known", Label::new(file, span, "sign not known before solving"))
        .with_help("scale by a constant or a param, whose sign is known")
}

pub fn divide_by_decision(file: FileId, _span: Span, rspan: Span) -> Diagnostic {
    Diagnostic::error("L0410", "this divides by a value that depends on the assignment", Label::new(file, rspan, "depends on the assignment"))
        .with_help("multiply the other side instead: `book(r) <= 2 * x` rather than `book(r) / x <= 2`")
}

pub fn nonlinear_function(file: FileId, span: Span, arg: Span) -> Diagnostic {
    let _ = span;
    Diagnostic::error("L0411", "this combines the assignments of two different rows", Label::new(file, arg, "depends on another row's assignment or on a sum"))
        .with_help("conditions and functions may look at one row and its own assigned rep; compare sums with `<=` or `>=` instead")
}

pub fn linear_argument(file: FileId, span: Span, arg: Span, name: &str) -> Diagnostic {
    let _ = span;
    Diagnostic::error("L0412", format!("`{name}` sums over the assignment, so its argument must be data"), Label::new(file, arg, "depends on the assignment"))
        .with_help(format!("call `{name}` for each rep: `for r in rep: ... {name}(r) ...`"))
}

pub fn not_of_constraint(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0413", "`not` of a condition on sums is not linear", Label::new(file, span, "negated bound"))
        .with_help("reverse the comparison instead: `not (x <= y)` is `x > y`")
}

pub fn mixed_curvature(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("L0414", "this mixes a maximum and a minimum the wrong way round", Label::new(file, span, "a maximum and a minimum pull the wrong way"))
        .with_help("`max(...) - min(...)` is fine to minimize; `max(...) + min(...)` or `max(...) - max(...)` has no linear form")
}

pub fn nested_assignment(file: FileId, span: Span, name: &str) -> Diagnostic {
    Diagnostic::error("L0415", format!("`{name}` is taken from a value that itself depends on the assignment"), Label::new(file, span, "two levels of assignment"))
        .with_help("look up the assignment of a row directly, e.g. `a.rep`, not through another assigned value")
}

pub fn objective_not_convex(file: FileId, span: Span, minimize: bool) -> Diagnostic {
    let (verb, wrong, example) = if minimize {
        ("minimize", "a minimum", "minimize the largest load: `minimize peak weight 1: max(load(r) for r in rep)`")
    } else {
        ("maximize", "a maximum", "maximize the smallest book: `maximize floor weight 1: min(book(r) for r in rep)`")
    };
    Diagnostic::error("L0416", format!("cannot {verb} {wrong}"), Label::new(file, span, "the solver cannot pick which term in this direction"))
        .with_help(format!("{example}; or turn the term around"))
}

macro_rules! code {
    ($code:literal, $title:literal, $text:literal) => {
        CodeInfo { code: $code, title: $title, explanation: $text }
    };
}

pub const CODES: &[CodeInfo] = &[
    code!("N0201", "unknown name", "A name is used that nothing declares.\n\n    param tolerance = 15%\n    rule r: for x in rep: book(x) within tolerence of 100 money   // error\n\nNames come from `param`, `let`, and variables bound by `for x in ...`. Fix the spelling or declare the name."),
    code!("N0202", "unknown field", "An entity row has no field of this name.\n\n    for r in rep: r.capcity >= 10 hours    // error\n    for r in rep: r.capacity >= 10 hours   // fixed\n\nThe assignment adds one member to each side: `a.rep` on the assigned entity and `r.accounts` on the target."),
    code!("N0203", "unknown function", "A call names no `let`, table, or built-in (`distance`).\n\n    let load(r: rep) = sum(a.effort for a in r.accounts)\n    rule cap: for r in rep: lod(r) <= r.capacity   // error"),
    code!("N0204", "unknown entity", "An entity name is used that no `entity` declares.\n\n    assign account to reps { exactly one }   // error: the entity is `rep`"),
    code!("N0205", "unknown type", "A field type is not one of text, number, money, hours, km, count, percent, bool, geo, set<text>, or an entity name.\n\n    capacity: hour    // error\n    capacity: hours   // fixed"),
    code!("N0206", "unknown scenario target", "A scenario sets a param that does not exist.\n\n    param tolerance = 15%\n    scenario loose { tolerence = 25% }   // error"),
    code!("N0207", "duplicate name", "Two declarations share a name. Entities, tables, params and lets share one namespace; rules, preferences, expectations and objective terms share another, because reports name them."),
    code!("N0208", "duplicate block", "A policy has at most one `policy`, one `assign` and one `objective` declaration. Merge them."),
    code!("N0209", "entity used as a value", "An entity name stands for all of its rows. Go through them with `for x in rep`, or aggregate: `count(x in rep)`."),
    code!("N0210", "recursive let", "A `let` uses itself, directly or through other lets. Lets are formulas, not loops."),
    code!("N0211", "collection used as a value", "`r.accounts` is the set of accounts assigned to `r`; use it inside an aggregate: `sum(a.effort for a in r.accounts)`."),
    code!("N0212", "assignment name clash", "`assign account to rep` gives every account a member `rep` and every rep a member `accounts`. A field of the same name would be ambiguous; rename it and map its column:\n\n    current_owner: rep? from \"rep\""),
    code!("T0301", "unit mismatch", "Only values of the same unit can be added, subtracted or compared. Money, hours and km are distinct; count and plain numbers mix.\n\n    rule r: for x in rep: load(x) <= 100000 money   // error: hours vs money\n    rule r: for x in rep: load(x) <= 40 hours       // fixed"),
    code!("T0302", "percent used as a number", "A percent is a fraction: `10%` is 0.1. Comparing it with a count almost always means \"10 % of the count\":\n\n    count(a in account where a.rep != a.owner) <= max_moves                           // error\n    count(a in account where a.rep != a.owner) <= max_moves * count(a in account)      // fixed"),
    code!("T0303", "compound unit", "terra has no compound units such as money per hour. Multiply and divide by plain numbers or percents; money / money is a plain number."),
    code!("T0304", "not a number", "Arithmetic, ordering and aggregates like `sum` need numbers.\n\n    sum(a.name for a in account)        // error: text\n    sum(a.potential for a in account)   // fixed"),
    code!("T0305", "not a condition", "Rules, preferences, expectations and `where` need something true or false.\n\n    rule r: for x in rep: load(x)                 // error\n    rule r: for x in rep: load(x) <= x.capacity   // fixed"),
    code!("T0306", "incomparable values", "`==` and `!=` compare values of the same kind: text with text, a rep with a rep, numbers of the same unit."),
    code!("T0307", "bad `in`", "`in` tests whether a text belongs to a set of texts: `\"healthcare\" in a.rep.skills`, `a.region in [\"East\", \"West\"]`."),
    code!("T0308", "field of a non-entity", "Only entity rows have fields. `a.potential.value` is an error: `a.potential` is money."),
    code!("T0309", "wrong number of arguments", "A call gives a different number of arguments than the `let`, table or built-in takes.\n\n    table drive(account, rep): hours from \"drive.csv\"\n    drive(a)           // error\n    drive(a, a.rep)    // fixed"),
    code!("T0310", "wrong argument type", "An argument has the wrong type: a table keyed by (account, rep) takes an account and a rep, in that order."),
    code!("T0311", "missing key", "Every entity has one `key` field that identifies its rows: `key id: text`."),
    code!("T0312", "two keys", "An entity has exactly one key. Composite keys are not supported; add a combined id column."),
    code!("T0313", "key not text", "Keys are text, even when they look like numbers: `key id: text`."),
    code!("T0314", "set of non-text", "Sets hold text values only: `skills: set<text>`, with the cell `healthcare;finance`."),
    code!("T0315", "non-numeric table", "A per-pair table holds numbers: `table drive(account, rep): hours from \"drive.csv\"`."),
    code!("T0316", "bad weight or factor", "Weights and scale factors are constant plain numbers or percents: `weight 5`, `weight 40%`, `scale account.potential by 110%`."),
    code!("T0317", "param not constant", "A param is a constant: `param tolerance = 15%`. Values computed from data belong in a `let`."),
    code!("T0318", "objective not a number", "An objective term maximizes or minimizes a number: a sum, a count, a max or a min."),
    code!("T0319", "scenario value of the wrong kind", "A scenario must give a param a value of the kind it was declared with: `tolerance = 25%` for a percent param."),
    code!("T0320", "scaling a non-number", "`scale E.field by F` applies to numeric fields only."),
    code!("T0321", "list of non-texts", "Lists hold text literals: `[\"East\", \"West\"]`."),
    code!("T0322", "aggregate over a non-entity", "`for x in ...` and aggregates go through an entity (`account`) or an assigned collection (`r.accounts`), not through a field or a number.\n\n    sum(c for c in r.capacity)            // error\n    sum(a.effort for a in r.accounts)     // fixed"),
    code!("T0323", "bad tolerance", "`x within P of y` needs a constant percent P: `within 15% of`, or a param holding one."),
    code!("T0324", "function without arguments", "A `let` with parameters must be called with arguments: `load(r)`, not `load`."),
    code!("T0325", "assignment to itself", "`assign` links two different entities: `assign account to rep { exactly one }`."),
    code!("T0326", "condition must be data", "The conditions of `assign` clauses and scenario `without` select rows by their data, before anything is assigned."),
    code!("T0327", "division by zero", "A constant divisor is zero."),
    code!("T0328", "collection of the whole entity", "`r.accounts` is the set of accounts assigned to one rep `r`; `rep.accounts` names no set. To constrain assigned rows, go through the entity and test the assignment (`for a in account: a.rep.region == a.region`); to sum per rep, bind the rep first (`for r in rep: sum(a.effort for a in r.accounts) <= r.capacity`)."),
    code!("L0401", "product of two decisions", "terra compiles to a linear model: a value that depends on the assignment may be multiplied by data, never by another such value.\n\n    rule r: for x in rep: load(x) * count(a in x.accounts) <= 100 hours   // error\n    rule r: for x in rep: load(x) <= 0.5 * x.capacity                     // linear"),
    code!("L0402", "max or min on the wrong side", "A maximum can be bounded from above (`max(load(r) for r in rep) <= 40 hours`: every term must be below) and minimized; a minimum can be bounded from below and maximized. The other directions need a choice of which term, which has no linear form. Bound every term with a `for` instead."),
    code!("L0403", "`or` of linear conditions", "\"Either the sum is small or the other sum is\" is an either-or choice, not linear. Split the rule, or use data-only conditions."),
    code!("L0404", "`!=` on a sum", "A linear model states bounds; excluding one value is not a bound. Use `<=` or `>=`."),
    code!("L0405", "condition depends on the whole assignment", "A `where` may look at the row and its own assigned rep (`a.rep.region`), not at sums over the assignment or at other rows' assignments."),
    code!("L0406", "mean, max or min over assigned rows", "Which rows `r.accounts` holds depends on the assignment, so their mean is a ratio of two sums, and their max needs a choice. Bound each row, or compare `sum(...)` with the bound times `count(...)`."),
    code!("L0407", "decision inside an assigned collection", "Inside `for a in r.accounts` the body may use data of `a` and `r`, not other sums over the assignment."),
    code!("L0408", "rule switched by the assignment", "`for a in account where a.rep == ...: load(...) <= ...` would switch a sum constraint on and off by the assignment. Make the `where` data only."),
    code!("L0409", "unknown sign", "Scaling a max by a data value of unknown sign could turn it into a min. Scale by a constant or a param."),
    code!("L0410", "division by a decision", "Dividing by a value that depends on the assignment is not linear. Multiply the other side instead."),
    code!("L0411", "two assignments combined", "A condition or function may combine a row with its own assigned rep (`distance(a.site, a.rep.home)`), not the assignments of two rows or a sum."),
    code!("L0412", "decision passed to a summing let", "A `let` that sums over the assignment, like `load(r)`, must be called with a data row: `for r in rep: load(r) <= r.capacity`, not `load(a.rep)`."),
    code!("L0413", "`not` of a linear condition", "Negate by reversing the comparison: `not (x <= y)` becomes `x > y`."),
    code!("L0414", "mixed max and min", "`max(...) - min(...)` is convex and can be minimized; `max(...) + min(...)` is neither convex nor concave and has no linear form."),
    code!("L0415", "assignment of an assigned value", "`a.rep` is the assignment of `a`; a further assignment through it has no linear form."),
    code!("L0416", "objective in the wrong direction", "Minimize a maximum (the largest load) or maximize a minimum (the smallest book); the reverse needs a choice of which term."),
];
