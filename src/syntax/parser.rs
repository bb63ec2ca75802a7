//! Source text to [`PolicyFile`], with error recovery.
//!
//! pest stops at the first error. To report every independent error in one
//! run, the parser blanks out the item that failed (keeping byte offsets, so
//! spans stay true) and parses again, until the rest parses. The names that
//! broken items would have declared are returned, so that the checker does
//! not report them as unknown (no cascades).

use super::ast::*;
use super::comments;
use crate::diagnostics::messages::syntax as msg;
use crate::diagnostics::{Diagnostic, FileId};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::OnceLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/terra.pest"]
struct TerraParser;

/// The result of parsing one file: the tree of everything that parsed, the
/// syntax errors, and the names declared by items that did not parse.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub file: PolicyFile,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_names: Vec<String>,
}

/// Words that start a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "policy", "entity", "table", "assign", "param", "let", "rule", "prefer", "objective", "expect",
    "scenario",
];

const MAX_SYNTAX_ERRORS: usize = 50;

pub fn parse(source: &str, file: FileId) -> Parsed {
    let mut text = source.to_string();
    let mut diagnostics = Vec::new();
    let mut broken_names = Vec::new();
    loop {
        match TerraParser::parse(Rule::policy_file, &text) {
            Ok(mut pairs) => {
                let items = match pairs.next() {
                    Some(root) => build_items(root),
                    None => Vec::new(), // infallible: policy_file always yields its root
                };
                let file_ast = PolicyFile { items, comments: comments::collect(source) };
                return Parsed { file: file_ast, diagnostics, broken_names };
            }
            Err(error) => {
                let pos = match error.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
                let expected = match &error.variant {
                    pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
                    pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
                };
                let region = recovery_region(&text, pos);
                diagnostics.push(describe_error(&text, file, pos, &expected, region.0));
                if let Some(name) = declared_name(&text[region.0..region.1]) {
                    broken_names.push(name);
                }
                let blanked = blank(&mut text, region);
                if !blanked || diagnostics.len() >= MAX_SYNTAX_ERRORS {
                    if diagnostics.len() >= MAX_SYNTAX_ERRORS {
                        diagnostics.push(msg::too_many_errors(file, Span::new(pos, pos)));
                    }
                    return Parsed {
                        file: PolicyFile { items: Vec::new(), comments: comments::collect(source) },
                        diagnostics,
                        broken_names,
                    };
                }
            }
        }
    }
}

// ------------------------------------------------------------- recovery

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

fn first_word(line: &str) -> &str {
    let trimmed = line.trim_start();
    let end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// A line that starts an item: an item keyword first, or any word at column
/// 0 (a misspelt keyword starts an item too).
fn starts_item(line: &str) -> bool {
    let word = first_word(line);
    if word.is_empty() {
        return false;
    }
    ITEM_KEYWORDS.contains(&word)
        || (line.starts_with(word) && word.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// Start offsets of the lines of `text`.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1))
}

/// The byte range to blank out after an error at `pos`: the item holding the
/// error, up to the next item.
fn recovery_region(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let here = line_start(text, pos);
    let line_of = |start: usize| &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let item_starts: Vec<usize> = line_starts(text).filter(|&s| starts_item(line_of(s))).collect();
    // An error right at the keyword of the next item belongs to the item
    // before it (e.g. an unclosed `{`).
    let at_item_keyword = text[pos..].starts_with(first_word(&text[pos..]))
        && ITEM_KEYWORDS.contains(&first_word(&text[pos..]))
        && text[here..pos].trim().is_empty();
    if at_item_keyword {
        if let Some(&start) = item_starts.iter().rev().find(|&&s| s < here) {
            return (start, here);
        }
    }
    let start = item_starts.iter().rev().find(|&&s| s <= pos).copied().unwrap_or(here);
    let end = item_starts.iter().find(|&&s| s > here).copied().unwrap_or(text.len());
    (start, end)
}

/// The name an item declares, e.g. `capacity` in `rule capacity: ...`.
fn declared_name(item_text: &str) -> Option<String> {
    let mut words = item_text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    let keyword = words.next()?;
    if !ITEM_KEYWORDS.contains(&keyword) || keyword == "policy" || keyword == "objective" {
        return None;
    }
    words.next().map(str::to_string)
}

/// Replaces the region by spaces, keeping newlines so that every offset and
/// line number stays true. Returns false when nothing changed.
fn blank(text: &mut String, (start, end): (usize, usize)) -> bool {
    let region = &text[start..end];
    if region.trim().is_empty() {
        return false;
    }
    let replaced: String = region.chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    // Multi-byte characters shrink to one space: pad to keep offsets.
    let padded = format!("{replaced}{}", " ".repeat(region.len() - replaced.len()));
    text.replace_range(start..end, &padded);
    true
}

// ------------------------------------------------------ error wording input

/// What the parser expected, as the user should read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expected {
    Colon,
    Equals,
    OpenBrace,
    CloseBrace,
    OpenParen,
    CloseParen,
    Name,
    String,
    Expression,
    Operator,
    Type,
    Field,
    Declaration,
    AssignClause,
    ObjectiveTerm,
    ScenarioStatement,
    Keyword(&'static str),
    EndOfFile,
}

fn expected_of(rule: Rule) -> Option<Expected> {
    use Expected as E;
    Some(match rule {
        Rule::colon => E::Colon,
        Rule::equals => E::Equals,
        Rule::lbrace => E::OpenBrace,
        Rule::rbrace => E::CloseBrace,
        Rule::lparen => E::OpenParen,
        Rule::rparen => E::CloseParen,
        Rule::ident | Rule::word => E::Name,
        Rule::string => E::String,
        Rule::expr | Rule::operand | Rule::primary | Rule::number | Rule::percent | Rule::quantity
        | Rule::aggregate | Rule::count_agg | Rule::call | Rule::list | Rule::paren | Rule::op_not
        | Rule::op_neg | Rule::kw_true | Rule::kw_false | Rule::kw_none | Rule::agg_kind
        | Rule::kw_sum | Rule::kw_count | Rule::kw_mean | Rule::kw_max | Rule::kw_min
        | Rule::within_amount => E::Expression,
        Rule::op_or | Rule::op_and | Rule::op_eq | Rule::op_ne | Rule::op_le | Rule::op_ge
        | Rule::op_lt | Rule::op_gt | Rule::op_in | Rule::op_within | Rule::op_add | Rule::op_sub
        | Rule::op_mul | Rule::op_div | Rule::op_field => E::Operator,
        Rule::type_expr | Rule::named_type | Rule::set_type => E::Type,
        Rule::field_decl | Rule::key_marker => E::Field,
        Rule::policy_decl | Rule::entity_decl | Rule::table_decl | Rule::assign_decl
        | Rule::param_decl | Rule::let_decl | Rule::rule_decl | Rule::prefer_decl
        | Rule::objective_decl | Rule::expect_decl | Rule::scenario_decl | Rule::kw_policy
        | Rule::kw_entity | Rule::kw_table | Rule::kw_assign | Rule::kw_param | Rule::kw_let
        | Rule::kw_rule | Rule::kw_prefer | Rule::kw_objective | Rule::kw_expect
        | Rule::kw_scenario => E::Declaration,
        Rule::assign_clause | Rule::cardinality | Rule::exactly_one | Rule::at_most_one
        | Rule::kw_exactly | Rule::kw_at => E::AssignClause,
        Rule::objective_term | Rule::sense | Rule::kw_maximize | Rule::kw_minimize => {
            E::ObjectiveTerm
        }
        Rule::without_stmt | Rule::scale_stmt | Rule::set_stmt | Rule::kw_without
        | Rule::kw_scale => E::ScenarioStatement,
        Rule::EOI => E::EndOfFile,
        Rule::kw_from => E::Keyword("from"),
        Rule::kw_to => E::Keyword("to"),
        Rule::kw_one => E::Keyword("one"),
        Rule::kw_most => E::Keyword("most"),
        Rule::kw_where => E::Keyword("where"),
        Rule::kw_weight => E::Keyword("weight"),
        Rule::kw_for => E::Keyword("for"),
        Rule::kw_in => E::Keyword("in"),
        Rule::kw_of => E::Keyword("of"),
        Rule::kw_by => E::Keyword("by"),
        Rule::kw_otherwise => E::Keyword("otherwise"),
        Rule::optional_marker => return None,
        _ => return None,
    })
}

/// The keywords a parse error position could have started with, for
/// "did you mean" on misspelt keywords.
fn expected_keywords(expected: &[Expected]) -> Vec<&'static str> {
    let mut words = Vec::new();
    for e in expected {
        match e {
            Expected::Declaration => words.extend_from_slice(ITEM_KEYWORDS),
            Expected::AssignClause => words.extend_from_slice(&["exactly", "at"]),
            Expected::ObjectiveTerm => words.extend_from_slice(&["maximize", "minimize"]),
            Expected::ScenarioStatement => words.extend_from_slice(&["without", "scale"]),
            Expected::Keyword(k) => words.push(k),
            _ => {}
        }
    }
    words
}

fn describe_error(text: &str, file: FileId, pos: usize, rules: &[Rule], item_start: usize) -> Diagnostic {
    let mut expected: Vec<Expected> = rules.iter().filter_map(|r| expected_of(*r)).collect();
    expected.sort();
    expected.dedup();
    let found = found_token(text, pos);
    let word = first_word(&text[pos.min(text.len())..]);
    let at_word_start = !word.is_empty() && text[pos..].starts_with(word);

    // A word where a keyword was expected, close to one of them.
    if at_word_start {
        let keywords = expected_keywords(&expected);
        if let Some(best) = crate::check::suggest::closest(word, keywords.iter().copied()) {
            return msg::misspelt_keyword(file, Span::new(pos, pos + word.len()), word, best);
        }
    }
    // An unclosed brace: a `}` was expected and the next item (or the end) came.
    if expected.contains(&Expected::CloseBrace)
        && (pos >= text.trim_end().len() || ITEM_KEYWORDS.contains(&word))
    {
        if let Some(open) = text[item_start..pos].find('{') {
            let open = item_start + open;
            return msg::unclosed_brace(file, Span::new(open, open + 1), found.0);
        }
    }
    // After an expression, an operator (or `in`) is always possible.
    let core: Vec<Expected> = expected
        .iter()
        .copied()
        .filter(|e| !matches!(e, Expected::Operator | Expected::Keyword("in")))
        .collect();
    // A `:` with only optional keywords (`where`, `in`) as alternatives.
    if core.contains(&Expected::Colon) && core.iter().all(|e| matches!(e, Expected::Colon | Expected::Keyword(_))) {
        return msg::missing_colon(file, found.0, &found.1, item_context(text, item_start));
    }
    if text[pos..].starts_with('"') && !text[pos + 1..].lines().next().unwrap_or("").contains('"') {
        return msg::unterminated_string(file, Span::new(pos, pos + 1));
    }
    msg::unexpected(file, found.0, &found.1, &expected)
}

/// The span and description of the token at `pos`.
fn found_token(text: &str, pos: usize) -> (Span, String) {
    let rest = &text[pos.min(text.len())..];
    let trimmed = rest.trim_start();
    let pos = pos + (rest.len() - trimmed.len());
    if trimmed.is_empty() {
        return (Span::new(text.len(), text.len()), "the end of the file".to_string());
    }
    let word = first_word(trimmed);
    if !word.is_empty() {
        return (Span::new(pos, pos + word.len()), format!("`{word}`"));
    }
    let c = trimmed.chars().next().unwrap_or(' ');
    (Span::new(pos, pos + c.len_utf8()), format!("`{c}`"))
}

/// The keyword of the item being parsed, e.g. "rule".
fn item_context(text: &str, item_start: usize) -> &str {
    let word = first_word(&text[item_start..]);
    if ITEM_KEYWORDS.contains(&word) {
        word
    } else {
        ""
    }
}

// -------------------------------------------------------------- the tree

/// The span of a node, without the white space and comments that pest
/// lets a node swallow when an optional part after it is absent.
fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    let text = pair.as_str();
    Span::new(s.start(), s.start() + trimmed_len(text))
}

fn trimmed_len(text: &str) -> usize {
    let mut end = text.trim_end().len();
    loop {
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&text[line_start..end]) {
            Some(c) => end = text[..line_start + c].trim_end().len(),
            None => return end,
        }
    }
}

/// Where a `//` comment starts on a line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn ident(pair: Pair<Rule>) -> Ident {
    Ident { name: pair.as_str().to_string(), span: span_of(&pair) }
}

fn string_lit(pair: Pair<Rule>) -> StringLit {
    let span = span_of(&pair);
    let raw = pair.into_inner().next().map_or("", |p| p.as_str());
    StringLit { value: unescape(raw), span }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The children of a pair that carry meaning: keywords and punctuation,
/// which the grammar names only for error messages, are dropped.
fn meaningful(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::colon | Rule::equals | Rule::lbrace | Rule::rbrace | Rule::lparen | Rule::rparen
        ) && !is_keyword_token(p.as_rule())
    })
}

fn is_keyword_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_policy | Rule::kw_entity | Rule::kw_from | Rule::kw_key | Rule::kw_table
            | Rule::kw_assign | Rule::kw_to | Rule::kw_exactly | Rule::kw_one | Rule::kw_at
            | Rule::kw_most | Rule::kw_otherwise | Rule::kw_where | Rule::kw_param | Rule::kw_let
            | Rule::kw_rule | Rule::kw_prefer | Rule::kw_weight | Rule::kw_objective
            | Rule::kw_expect | Rule::kw_scenario | Rule::kw_without | Rule::kw_scale
            | Rule::kw_by | Rule::kw_for | Rule::kw_in | Rule::kw_within | Rule::kw_of
    )
}

fn build_items(root: Pair<Rule>) -> Vec<Item> {
    root.into_inner().filter(|p| p.as_rule() != Rule::EOI).filter_map(build_item).collect()
}

fn build_item(pair: Pair<Rule>) -> Option<Item> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut parts = meaningful(pair);
    let mut next = move || parts.next();
    Some(match rule {
        Rule::policy_decl => Item::Policy(PolicyDecl { span, name: string_lit(next()?) }),
        Rule::entity_decl => {
            let name = ident(next()?);
            let file = string_lit(next()?);
            let mut fields = Vec::new();
            while let Some(p) = next() {
                fields.push(build_field(p)?);
            }
            Item::Entity(EntityDecl { span, name, file, fields })
        }
        Rule::table_decl => {
            let name = ident(next()?);
            let mut keys = Vec::new();
            let mut ty = None;
            let mut file = None;
            while let Some(p) = next() {
                match p.as_rule() {
                    Rule::ident => keys.push(ident(p)),
                    Rule::type_expr => ty = Some(build_type(p)?),
                    Rule::string => file = Some(string_lit(p)),
                    _ => {}
                }
            }
            Item::Table(TableDecl { span, name, keys, ty: ty?, file: file? })
        }
        Rule::assign_decl => {
            let entity = ident(next()?);
            let target = ident(next()?);
            let mut clauses = Vec::new();
            while let Some(p) = next() {
                clauses.push(build_clause(p)?);
            }
            Item::Assign(AssignDecl { span, entity, target, clauses })
        }
        Rule::param_decl => {
            let name = ident(next()?);
            Item::Param(ParamDecl { span, name, value: build_expr(next()?) })
        }
        Rule::let_decl => {
            let name = ident(next()?);
            let mut params = None;
            let mut body = None;
            while let Some(p) = next() {
                match p.as_rule() {
                    Rule::let_params => {
                        let list = meaningful(p)
                            .map(|lp| {
                                let lp_span = span_of(&lp);
                                let mut it = meaningful(lp);
                                let name = ident(it.next()?);
                                let ty = build_type(it.next()?)?;
                                Some(LetParam { span: lp_span, name, ty })
                            })
                            .collect::<Option<Vec<_>>>()?;
                        params = Some(list);
                    }
                    Rule::expr => body = Some(build_expr(p)),
                    _ => {}
                }
            }
            Item::Let(LetDecl { span, name, params, body: body? })
        }
        Rule::rule_decl => {
            let name = ident(next()?);
            Item::Rule(RuleDecl { span, name, body: build_body(next()?)? })
        }
        Rule::prefer_decl => {
            let name = ident(next()?);
            let weight = build_expr(next()?);
            Item::Prefer(PreferDecl { span, name, weight, body: build_body(next()?)? })
        }
        Rule::expect_decl => {
            let name = ident(next()?);
            Item::Expect(ExpectDecl { span, name, body: build_body(next()?)? })
        }
        Rule::objective_decl => {
            let mut terms = Vec::new();
            while let Some(p) = next() {
                let term_span = span_of(&p);
                let mut it = meaningful(p);
                let sense = match it.next()?.into_inner().next()?.as_rule() {
                    Rule::kw_maximize => Sense::Maximize,
                    _ => Sense::Minimize,
                };
                let name = ident(it.next()?);
                let weight = build_expr(it.next()?);
                let expr = build_expr(it.next()?);
                terms.push(ObjectiveTerm { span: term_span, sense, name, weight, expr });
            }
            Item::Objective(ObjectiveDecl { span, terms })
        }
        Rule::scenario_decl => {
            let name = ident(next()?);
            let mut stmts = Vec::new();
            while let Some(p) = next() {
                stmts.push(build_scenario_stmt(p)?);
            }
            Item::Scenario(ScenarioDecl { span, name, stmts })
        }
        _ => return None,
    })
}

fn build_field(pair: Pair<Rule>) -> Option<FieldDecl> {
    let span = span_of(&pair);
    let mut is_key = false;
    let mut name = None;
    let mut ty = None;
    let mut column = None;
    for p in meaningful(pair) {
        match p.as_rule() {
            Rule::key_marker => is_key = true,
            Rule::ident => name = Some(ident(p)),
            Rule::type_expr => ty = Some(build_type(p)?),
            Rule::column_map => column = Some(string_lit(meaningful(p).next()?)),
            _ => {}
        }
    }
    Some(FieldDecl { span, is_key, name: name?, ty: ty?, column })
}

fn build_type(pair: Pair<Rule>) -> Option<TypeExpr> {
    let span = span_of(&pair);
    let mut name = None;
    let mut is_set = false;
    let mut optional = false;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::named_type => name = Some(ident(p)),
            Rule::set_type => {
                is_set = true;
                name = Some(ident(p.into_inner().next()?));
            }
            Rule::optional_marker => optional = true,
            _ => {}
        }
    }
    Some(TypeExpr { span, name: name?, is_set, optional })
}

fn build_clause(pair: Pair<Rule>) -> Option<AssignClause> {
    let span = span_of(&pair);
    let mut cardinality = Cardinality::ExactlyOne;
    let mut filter = None;
    let mut otherwise = false;
    for p in meaningful(pair) {
        match p.as_rule() {
            Rule::cardinality => {
                if p.into_inner().next()?.as_rule() == Rule::at_most_one {
                    cardinality = Cardinality::AtMostOne;
                }
            }
            Rule::otherwise => otherwise = true,
            Rule::expr => filter = Some(build_expr(p)),
            _ => {}
        }
    }
    Some(AssignClause { span, cardinality, filter, otherwise })
}

fn build_body(pair: Pair<Rule>) -> Option<Body> {
    let span = span_of(&pair);
    let mut quantifier = None;
    let mut expr = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::quantifier => {
                let q_span = span_of(&p);
                let mut it = meaningful(p);
                let var = ident(it.next()?);
                let source = build_source(it.next()?);
                let filter = it.next().map(build_expr);
                quantifier = Some(Quantifier { span: q_span, var, source, filter });
            }
            Rule::expr => expr = Some(build_expr(p)),
            _ => {}
        }
    }
    Some(Body { span, quantifier, expr: expr? })
}

fn build_source(pair: Pair<Rule>) -> Source {
    let span = span_of(&pair);
    Source { span, path: pair.into_inner().map(ident).collect() }
}

fn build_scenario_stmt(pair: Pair<Rule>) -> Option<ScenarioStmt> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut it = meaningful(pair);
    Some(match rule {
        Rule::set_stmt => {
            let param = ident(it.next()?);
            ScenarioStmt::Set { span, param, value: build_expr(it.next()?) }
        }
        Rule::without_stmt => {
            let entity = ident(it.next()?);
            ScenarioStmt::Without { span, entity, filter: it.next().map(build_expr) }
        }
        Rule::scale_stmt => {
            let entity = ident(it.next()?);
            let field = ident(it.next()?);
            ScenarioStmt::Scale { span, entity, field, factor: build_expr(it.next()?) }
        }
        _ => return None,
    })
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        // Lowest precedence first.
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_within, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
            .op(Op::postfix(Rule::op_field))
    })
}

fn build_expr(pair: Pair<Rule>) -> Expr {
    pratt_expr(pair.into_inner())
}

fn pratt_expr(pairs: Pairs<Rule>) -> Expr {
    pratt()
        .map_primary(build_primary)
        .map_prefix(|op, operand| {
            let span = span_of(&op).to(operand.span);
            let op = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
            Expr { span, kind: ExprKind::Unary { op, operand: Box::new(operand) } }
        })
        .map_postfix(|base, op| {
            let span = base.span.to(span_of(&op));
            let field = op.into_inner().next().map(ident).unwrap_or(Ident {
                name: String::new(),
                span,
            });
            Expr { span, kind: ExprKind::Field { base: Box::new(base), field } }
        })
        .map_infix(|lhs, op, rhs| {
            let span = lhs.span.to(rhs.span);
            let op_rule = op.as_rule();
            if op_rule == Rule::op_within {
                let amount = op
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::within_amount)
                    .map(|p| pratt_expr(p.into_inner()))
                    .unwrap_or(Expr { span, kind: ExprKind::None });
                return Expr {
                    span,
                    kind: ExprKind::Within {
                        value: Box::new(lhs),
                        tolerance: Box::new(amount),
                        reference: Box::new(rhs),
                    },
                };
            }
            let op = match op_rule {
                Rule::op_or => BinaryOp::Or,
                Rule::op_and => BinaryOp::And,
                Rule::op_eq => BinaryOp::Eq,
                Rule::op_ne => BinaryOp::Ne,
                Rule::op_lt => BinaryOp::Lt,
                Rule::op_le => BinaryOp::Le,
                Rule::op_gt => BinaryOp::Gt,
                Rule::op_ge => BinaryOp::Ge,
                Rule::op_in => BinaryOp::In,
                Rule::op_add => BinaryOp::Add,
                Rule::op_sub => BinaryOp::Sub,
                Rule::op_mul => BinaryOp::Mul,
                _ => BinaryOp::Div,
            };
            Expr { span, kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) } }
        })
        .parse(pairs)
}

fn parse_number(text: &str) -> f64 {
    text.replace('_', "").parse().unwrap_or(f64::NAN)
}

fn build_primary(pair: Pair<Rule>) -> Expr {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::number => {
            let text = pair.as_str().to_string();
            ExprKind::Number { value: parse_number(&text), text }
        }
        Rule::percent => {
            let text = pair.as_str().trim_end_matches('%').to_string();
            ExprKind::Percent { value: parse_number(&text) / 100.0, text }
        }
        Rule::quantity => {
            let mut it = pair.into_inner();
            let text = it.next().map_or(String::new(), |p| p.as_str().to_string());
            let unit = match it.next().map_or("", |p| p.as_str()) {
                "money" => UnitName::Money,
                "hours" => UnitName::Hours,
                "km" => UnitName::Km,
                _ => UnitName::Count,
            };
            ExprKind::Quantity { value: parse_number(&text), text, unit }
        }
        Rule::string => ExprKind::Str(string_lit(pair).value),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_none => ExprKind::None,
        Rule::ident => ExprKind::Name(ident(pair)),
        Rule::paren => match meaningful(pair).next() {
            Some(inner) => ExprKind::Paren(Box::new(build_expr(inner))),
            None => ExprKind::None,
        },
        Rule::list => ExprKind::List(pair.into_inner().map(build_expr).collect()),
        Rule::call => {
            let mut it = meaningful(pair);
            let func = it.next().map(ident).unwrap_or(Ident { name: String::new(), span });
            ExprKind::Call { func, args: it.map(build_expr).collect() }
        }
        Rule::aggregate | Rule::count_agg => build_aggregate(pair),
        _ => ExprKind::None,
    };
    Expr { span, kind }
}

fn build_aggregate(pair: Pair<Rule>) -> ExprKind {
    let is_count = pair.as_rule() == Rule::count_agg;
    let mut kind = AggKind::Count;
    let mut body = None;
    let mut var = None;
    let mut source = None;
    let mut filter = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::agg_kind => {
                kind = match p.into_inner().next().map(|k| k.as_rule()) {
                    Some(Rule::kw_sum) => AggKind::Sum,
                    Some(Rule::kw_mean) => AggKind::Mean,
                    Some(Rule::kw_max) => AggKind::Max,
                    _ => AggKind::Min,
                }
            }
            Rule::expr if !is_count && body.is_none() && var.is_none() => {
                body = Some(Box::new(build_expr(p)))
            }
            Rule::expr => filter = Some(Box::new(build_expr(p))),
            Rule::ident => var = Some(ident(p)),
            Rule::source => source = Some(build_source(p)),
            _ => {}
        }
    }
    let span = Span::default();
    ExprKind::Aggregate {
        kind,
        body,
        var: var.unwrap_or(Ident { name: String::new(), span }),
        source: source.unwrap_or(Source { span, path: Vec::new() }),
        filter,
    }
}
