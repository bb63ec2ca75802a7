//! Wording of syntax errors (S01xx).

use crate::diagnostics::codes::CodeInfo;
use crate::diagnostics::{Diagnostic, FileId, Label};
use crate::syntax::ast::Span;
use crate::syntax::parser::Expected;


fn expected_text(e: Expected) -> String {
    match e {
        Expected::Colon => "`:`".into(),
        Expected::Equals => "`=`".into(),
        Expected::OpenBrace => "`{`".into(),
        Expected::CloseBrace => "`}`".into(),
        Expected::OpenParen => "`(`".into(),
        Expected::CloseParen => "`)`".into(),
        Expected::Name => "a name".into(),
        Expected::String => "a quoted file name or text".into(),
        Expected::Expression => "a value or expression".into(),
        Expected::Operator => "an operator".into(),
        Expected::Type => "a type such as `text`, `money` or an entity name".into(),
        Expected::Field => "a field such as `name: text`".into(),
        Expected::Declaration => {
            "a declaration (`entity`, `assign`, `param`, `let`, `rule`, `prefer`, `objective`, `expect`, `scenario`)".into()
        }
        Expected::AssignClause => "`exactly one` or `at most one`".into(),
        Expected::ObjectiveTerm => "`maximize` or `minimize`".into(),
        Expected::ScenarioStatement => "a change such as `tolerance = 20%`, `without ...` or `scale ...`".into(),
        Expected::Keyword(k) => format!("`{k}`"),
        Expected::EndOfFile => "the end of the file".into(),
    }
}

fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => "something else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

pub fn unexpected(file: FileId, span: Span, found: &str, expected: &[Expected]) -> Diagnostic {
    // An operator is always possible after a value; mention it only when it
    // is the main thing expected, to keep the message short.
    // An expression subsumes what can start one (a name, text, `(`).
    let has_expression = expected.contains(&Expected::Expression);
    let main: Vec<Expected> = expected
        .iter()
        .copied()
        .filter(|e| expected.len() == 1 || *e != Expected::Operator)
        .filter(|e| {
            !has_expression || !matches!(e, Expected::Name | Expected::String | Expected::OpenParen)
        })
        .collect();
    let wanted: Vec<String> = main.iter().map(|e| expected_text(*e)).collect();
    let wanted = join_alternatives(&wanted);
    Diagnostic::error(
        "S0101",
        format!("expected {wanted}, found {found}"),
        Label::new(file, span, format!("expected {wanted} here")),
    )
    .with_help("check the line against the examples in docs/language.md; `terra explain-code S0101` shows the shape of each declaration")
}

pub fn misspelt_keyword(file: FileId, span: Span, written: &str, keyword: &str) -> Diagnostic {
    Diagnostic::error(
        "S0102",
        format!("unknown keyword `{written}`"),
        Label::new(file, span, format!("did you mean `{keyword}`?")),
    )
    .with_help(format!("write `{keyword}`"))
}

pub fn unclosed_brace(file: FileId, open: Span, found: Span) -> Diagnostic {
    Diagnostic::error("S0103", "this `{` is never closed", Label::new(file, open, "opened here"))
        .with_label(file, found, "expected `}` before this")
        .with_help("add a `}` at the end of the block")
}

pub fn missing_colon(file: FileId, span: Span, found: &str, context: &str) -> Diagnostic {
    let help = match context {
        "rule" => "a rule reads `rule NAME: CONDITION`, and a quantifier `for x in E: ...` also ends with `:`",
        "prefer" => "a preference reads `prefer NAME weight W: CONDITION`",
        "expect" => "an expectation reads `expect NAME: CONDITION`",
        "entity" => "a field reads `NAME: TYPE`, e.g. `capacity: hours`",
        "objective" => "an objective term reads `maximize NAME weight W: EXPRESSION`",
        "table" => "a table reads `table NAME(E1, E2): TYPE from \"file.csv\"`",
        "let" => "a parameter reads `NAME: TYPE`, e.g. `let load(r: rep) = ...`",
        _ => "add `:` here",
    };
    Diagnostic::error(
        "S0104",
        format!("expected `:`, found {found}"),
        Label::new(file, span, "expected `:` before this"),
    )
    .with_help(help)
}

pub fn unterminated_string(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("S0105", "this text is never closed", Label::new(file, span, "the text starts here"))
        .with_help("close the text with `\"` on the same line")
}

pub fn too_many_errors(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::error("S0106", "too many syntax errors; stopped here", Label::new(file, span, "stopped here"))
        .with_help("fix the errors above and run `terra check` again")
}

pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "S0101",
        title: "unexpected text",
        explanation: "The parser found something it did not expect at this point.\n\nEvery declaration starts with a keyword and has a fixed shape:\n\n    entity rep from \"reps.csv\" { key id: text  capacity: hours }\n    assign account to rep { exactly one }\n    param tolerance = 15%\n    let load(r: rep) = sum(a.effort for a in r.accounts)\n    rule capacity: for r in rep: load(r) <= r.capacity\n    prefer keep_owner weight 5: for a in account: a.rep == a.owner\n    objective { maximize coverage weight 1: count(a in account where a.rep != none) }\n\nCompare the line with the shape above; the label shows what was expected.",
    },
    CodeInfo {
        code: "S0102",
        title: "misspelt keyword",
        explanation: "A word stands where a keyword belongs and is close to one.\n\n    rul capacity: ...      // error\n    rule capacity: ...     // fixed\n\nKeywords are lower case: policy, entity, table, assign, param, let, rule, prefer, objective, expect, scenario.",
    },
    CodeInfo {
        code: "S0103",
        title: "unclosed brace",
        explanation: "A block opened with `{` (an entity, assign, objective or scenario) has no closing `}` before the next declaration.\n\n    entity rep from \"reps.csv\" {\n      key id: text\n    // error: the next declaration starts before `}`\n    rule r: ...\n\nAdd the `}` at the end of the block.",
    },
    CodeInfo {
        code: "S0104",
        title: "missing colon",
        explanation: "A `:` separates a name from what it means: a field from its type, a rule name from its condition, a quantifier from its body.\n\n    rule capacity for r in rep: load(r) <= r.capacity     // error\n    rule capacity: for r in rep: load(r) <= r.capacity    // fixed",
    },
    CodeInfo {
        code: "S0105",
        title: "unterminated text",
        explanation: "Text in quotes must close on the same line.\n\n    policy \"na-fy27        // error\n    policy \"na-fy27\"       // fixed",
    },
    CodeInfo {
        code: "S0106",
        title: "too many syntax errors",
        explanation: "terra stops reporting syntax errors after 50 in one file. Fix the first ones; later errors often follow from them.",
    },
];
