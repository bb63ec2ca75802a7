//! The canonical layout of a policy (`terra fmt`).
//!
//! [`format`] prints a tree that parsed without errors back as text. It never
//! changes meaning: every token is printed in its original order (parentheses
//! included), only the white space between tokens changes. Formatting is
//! idempotent.
//!
//! Layout:
//! - items start at column 0; the fields of an entity, the clauses of an
//!   `assign`, the terms of an `objective` and the statements of a scenario
//!   are indented two spaces, one per line; an empty block is `{}`;
//! - `rule`, `prefer` and `expect` put their header (`rule NAME:`) on its own
//!   line and the body, indented two spaces, on the next; a quantified body is
//!   `for x in E where F: EXPR` when that fits in [`WIDTH`] columns, else the
//!   expression goes on its own line, indented four;
//! - a scenario with one statement is printed on one line when it fits
//!   (`scenario loose { tolerance = 25% }`), and the names of consecutive
//!   one-line scenarios are padded so that their braces line up; objective
//!   terms pad their names so that the `weight` columns line up;
//! - an expression longer than the line breaks before its top-level `and` /
//!   `or` operators, else before its comparison (`<=`, `in`, `within P of`,
//!   ...); each continuation line is indented two spaces more than the line
//!   it continues, and its parts break again by the same rule. Nothing else
//!   breaks, so a line can stay longer than [`WIDTH`];
//! - at most one blank line between items: a blank line is kept where the
//!   source had one, and one is added between items of different kinds and
//!   around items that take more than one line. Inside blocks, blank lines
//!   from the source are kept (runs collapse to one), never right after `{`
//!   or right before `}`.
//!
//! Comments:
//! - a comment on its own line stays on its own line, before the element it
//!   preceded (item, field, clause, term or statement), at that element's
//!   indentation; comments after the last element of a block stay before its
//!   `}`, comments after the last item stay at the end of the file;
//! - a comment at the end of a line stays at the end of the (last) line of
//!   the element it followed, after one space; the trailing comments of
//!   consecutive one-line elements (no blank line or comment line between
//!   them) are aligned to one column, one space after the longest of those
//!   lines; a comment right after a block's `{` stays there;
//! - in a `rule`, `prefer` or `expect`, a comment at the end of the header
//!   line (`rule capacity: // ...`) stays there; the comments after it, up
//!   to the end of the body (between the header and the body, or inside a
//!   multi-line body expression), go on their own lines just before the
//!   body, indented like it;
//! - any other comment inside an element (inside a multi-line expression of
//!   a `param` or `let`, inside an item's header, ...) moves to its own line
//!   just before that element: before the item at top level, or before the
//!   field, clause, term or statement inside a block;
//! - so comments keep their order.

use super::ast::*;
use serde_json::Value;

/// The line width the layout aims for.
pub const WIDTH: usize = 100;

/// Formats a policy that parsed without errors. `source` is the text it was
/// parsed from (for the comments and the blank lines).
pub fn format(file: &PolicyFile, source: &str) -> String {
    let mut printer = Printer::new(&file.comments, source);
    let mut chunks = printer.collect(
        &file.items,
        Item::span,
        |p, item| p.item(item),
        0,
        usize::MAX,
        true,
    );
    // Every comment is taken by now; this keeps any the rules above missed.
    for text in printer.leftover() {
        chunks.push(Chunk::Comment { text, blank: false });
    }
    let mut lines = Vec::new();
    render(&mut chunks, "", &mut lines);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The tree as JSON without any span, for comparing two parses of the same
/// policy laid out differently. Comments keep their text.
pub fn without_spans(file: &PolicyFile) -> Value {
    let mut value = serde_json::to_value(file).unwrap_or(Value::Null);
    strip_spans(&mut value);
    value
}

fn strip_spans(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

// ------------------------------------------------------------ the chunks

/// One line-level piece of a block (or of the file): a comment on its own
/// line, or an element with the comments attached to it.
enum Chunk {
    Comment { text: String, blank: bool },
    Element(Element),
}

impl Chunk {
    fn blank(&self) -> bool {
        match self {
            Chunk::Comment { blank, .. } => *blank,
            Chunk::Element(e) => e.blank,
        }
    }
    fn set_blank(&mut self) {
        match self {
            Chunk::Comment { blank, .. } => *blank = true,
            Chunk::Element(e) => e.blank = true,
        }
    }
}

struct Element {
    /// A blank line before it (before `pre`, if any).
    blank: bool,
    /// Comments from inside the element, printed on their own lines before it.
    pre: Vec<String>,
    /// The element's lines, indented relative to the element.
    lines: Vec<String>,
    /// The comment at the end of its last line.
    trailing: Option<String>,
    /// Spaces before the trailing comment (set when aligning).
    trail_pad: usize,
    /// What it is, for the blank lines between items of different kinds.
    kind: &'static str,
    /// For a one-line scenario: the byte offset just after its name and the
    /// name's width, for lining up consecutive scenarios.
    name_end: Option<(usize, usize)>,
}

impl Element {
    fn new(kind: &'static str, pre: Vec<String>, lines: Vec<String>) -> Element {
        Element {
            blank: false,
            pre,
            lines,
            trailing: None,
            trail_pad: 1,
            kind,
            name_end: None,
        }
    }
}

fn render(chunks: &mut [Chunk], indent: &str, out: &mut Vec<String>) {
    align_scenario_names(chunks);
    align_trailing_comments(chunks);
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 && chunk.blank() {
            out.push(String::new());
        }
        match chunk {
            Chunk::Comment { text, .. } => out.push(format!("{indent}{text}")),
            Chunk::Element(e) => {
                out.extend(e.pre.iter().map(|c| format!("{indent}{c}")));
                let last = e.lines.len().saturating_sub(1);
                for (j, line) in e.lines.iter().enumerate() {
                    let mut text = if line.is_empty() {
                        String::new()
                    } else {
                        format!("{indent}{line}")
                    };
                    if j == last {
                        if let Some(comment) = &e.trailing {
                            text.push_str(&" ".repeat(e.trail_pad.max(1)));
                            text.push_str(comment);
                        }
                    }
                    out.push(text);
                }
            }
        }
    }
}

/// Runs of consecutive one-line elements, broken by blank lines, comment
/// lines and multi-line elements.
fn runs(chunks: &[Chunk], member: impl Fn(&Element) -> bool) -> Vec<Vec<usize>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        match chunk {
            Chunk::Element(e) if member(e) => {
                if e.blank || !e.pre.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                current.push(i);
            }
            _ => runs.push(std::mem::take(&mut current)),
        }
    }
    runs.push(current);
    runs.retain(|r| !r.is_empty());
    runs
}

fn element_mut(chunks: &mut [Chunk], i: usize) -> Option<&mut Element> {
    match &mut chunks[i] {
        Chunk::Element(e) => Some(e),
        Chunk::Comment { .. } => None,
    }
}

fn align_scenario_names(chunks: &mut [Chunk]) {
    for run in runs(chunks, |e| e.name_end.is_some()) {
        let widest = run
            .iter()
            .filter_map(|&i| element_mut(chunks, i).and_then(|e| e.name_end))
            .map(|(_, w)| w)
            .max()
            .unwrap_or(0);
        for &i in &run {
            if let Some(e) = element_mut(chunks, i) {
                if let Some((at, w)) = e.name_end {
                    e.lines[0].insert_str(at, &" ".repeat(widest - w));
                }
            }
        }
    }
}

fn align_trailing_comments(chunks: &mut [Chunk]) {
    for run in runs(chunks, |e| e.lines.len() == 1) {
        let with_comment: Vec<usize> = run
            .into_iter()
            .filter(|&i| element_mut(chunks, i).is_some_and(|e| e.trailing.is_some()))
            .collect();
        let widest = with_comment
            .iter()
            .filter_map(|&i| element_mut(chunks, i).map(|e| width(&e.lines[0])))
            .max()
            .unwrap_or(0);
        for &i in &with_comment {
            if let Some(e) = element_mut(chunks, i) {
                e.trail_pad = widest - width(&e.lines[0]) + 1;
            }
        }
    }
}

// ------------------------------------------------------------ the printer

struct Printer<'a> {
    source: &'a str,
    /// Comments in source order.
    comments: Vec<&'a Comment>,
    used: Vec<bool>,
}

impl<'a> Printer<'a> {
    fn new(comments: &'a [Comment], source: &'a str) -> Printer<'a> {
        let mut comments: Vec<&Comment> = comments.iter().collect();
        comments.sort_by_key(|c| c.span.start);
        let used = vec![false; comments.len()];
        Printer {
            source,
            comments,
            used,
        }
    }

    /// Takes the comments not yet placed that start in `start..end`.
    fn take_in(&mut self, start: usize, end: usize) -> Vec<&'a Comment> {
        let mut taken = Vec::new();
        for (i, c) in self.comments.iter().enumerate() {
            if !self.used[i] && c.span.start >= start && c.span.start < end {
                self.used[i] = true;
                taken.push(*c);
            }
        }
        taken
    }

    fn take_texts(&mut self, start: usize, end: usize) -> Vec<String> {
        self.take_in(start, end)
            .into_iter()
            .map(|c| c.text.clone())
            .collect()
    }

    /// Takes the comment that follows `after` on the same line, if any.
    fn take_trailing(&mut self, after: usize) -> Option<&'a Comment> {
        let i = (0..self.comments.len()).find(|&i| self.comments[i].span.start >= after)?;
        let comment = self.comments[i];
        let gap = self.source.get(after..comment.span.start)?;
        if self.used[i] || gap.contains('\n') || !gap.trim().is_empty() {
            return None;
        }
        self.used[i] = true;
        Some(comment)
    }

    fn leftover(&mut self) -> Vec<String> {
        self.take_texts(0, usize::MAX)
    }

    /// Whether the source has a blank line between `from` and `to`.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.source
            .get(from..to)
            .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    /// The end of the last token of `span`: a span may run on over the white
    /// space and comments that follow its last token.
    fn real_end(&self, span: Span) -> usize {
        let bytes = self.source.as_bytes();
        let mut end = span.end.min(bytes.len());
        loop {
            while end > span.start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            let inside = self
                .comments
                .iter()
                .find(|c| c.span.start >= span.start && c.span.start < end && end <= c.span.end);
            match inside {
                Some(c) => end = c.span.start,
                None => return end,
            }
        }
    }

    /// The offset of the first `wanted` byte at or after `from`, skipping
    /// comments.
    fn find_byte(&self, from: usize, wanted: u8) -> usize {
        let bytes = self.source.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b if b == wanted => return i,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        from
    }

    /// The chunks of a sequence of elements between `from` and `to`: the
    /// comments before each element, the element, its trailing comment, and
    /// the comments after the last one. With `separate`, a blank line goes
    /// between elements of different kinds and around multi-line elements.
    fn collect<T>(
        &mut self,
        children: &[T],
        span_of: impl Fn(&T) -> Span,
        format: impl Fn(&mut Self, &T) -> Element,
        from: usize,
        to: usize,
        separate: bool,
    ) -> Vec<Chunk> {
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut pos = from;
        let mut previous: Option<usize> = None;
        for child in children {
            let span = span_of(child);
            let first_new = chunks.len();
            for c in self.take_in(pos, span.start) {
                let blank = self.blank_between(pos, c.span.start);
                chunks.push(Chunk::Comment {
                    text: c.text.clone(),
                    blank,
                });
                pos = c.span.end;
            }
            let mut element = format(self, child);
            element.blank = self.blank_between(pos, span.start);
            pos = self.real_end(span);
            if let Some(c) = self.take_trailing(pos) {
                element.trailing = Some(c.text.clone());
                pos = c.span.end;
            }
            let apart = match previous.map(|i| &chunks[i]) {
                Some(Chunk::Element(prev)) if separate => {
                    prev.kind != element.kind || prev.lines.len() > 1 || element.lines.len() > 1
                }
                _ => false,
            };
            if apart {
                match chunks.get_mut(first_new) {
                    Some(chunk) => chunk.set_blank(),
                    None => element.blank = true,
                }
            }
            previous = Some(chunks.len());
            chunks.push(Chunk::Element(element));
        }
        for c in self.take_in(pos, to) {
            let blank = self.blank_between(pos, c.span.start);
            chunks.push(Chunk::Comment {
                text: c.text.clone(),
                blank,
            });
            pos = c.span.end;
        }
        chunks
    }

    /// An element without nested elements: comments inside it move before it.
    fn leaf(&mut self, kind: &'static str, span: Span, lines: Vec<String>) -> Element {
        let end = self.real_end(span);
        let pre = self.take_texts(span.start, end);
        Element::new(kind, pre, lines)
    }

    /// A `header { ... }` item whose children are laid out by `format`.
    #[allow(clippy::too_many_arguments)]
    fn block<T>(
        &mut self,
        kind: &'static str,
        span: Span,
        header: String,
        header_end: usize,
        children: &[T],
        span_of: impl Fn(&T) -> Span,
        format: impl Fn(&mut Self, &T) -> Element,
        one_line: bool,
    ) -> Element {
        let end = self.real_end(span);
        let open = self.find_byte(header_end, b'{');
        let close = end.saturating_sub(1).max(open + 1);
        let pre = self.take_texts(span.start, open);
        let after_brace = self.take_trailing(open + 1);
        let from = after_brace.map_or(open + 1, |c| c.span.end);
        let mut chunks = self.collect(children, span_of, format, from, close, false);
        if after_brace.is_none() {
            let line = match chunks.as_slice() {
                [] => Some(format!("{header} {{}}")),
                [Chunk::Element(only)]
                    if one_line
                        && only.pre.is_empty()
                        && only.trailing.is_none()
                        && only.lines.len() == 1 =>
                {
                    Some(format!("{header} {{ {} }}", only.lines[0]))
                }
                _ => None,
            };
            if let Some(line) = line.filter(|line| width(line) <= WIDTH) {
                let mut element = Element::new(kind, pre, vec![line]);
                if one_line {
                    let name_width = width(header.rsplit(' ').next().unwrap_or(""));
                    element.name_end = Some((header.len(), name_width));
                }
                return element;
            }
        }
        let mut lines = vec![match after_brace {
            Some(c) => format!("{header} {{ {}", c.text),
            None => format!("{header} {{"),
        }];
        render(&mut chunks, "  ", &mut lines);
        lines.push("}".to_string());
        Element::new(kind, pre, lines)
    }

    fn item(&mut self, item: &Item) -> Element {
        match item {
            Item::Entity(d) => {
                let header = format!("entity {} from {}", d.name.name, quote(&d.file.value));
                let fields = &d.fields[..];
                self.block(
                    "entity",
                    d.span,
                    header,
                    d.file.span.end,
                    fields,
                    |f| f.span,
                    Self::field,
                    false,
                )
            }
            Item::Assign(d) => {
                let header = format!("assign {} to {}", d.entity.name, d.target.name);
                let clauses = &d.clauses[..];
                self.block(
                    "assign",
                    d.span,
                    header,
                    d.target.span.end,
                    clauses,
                    |c| c.span,
                    Self::clause,
                    false,
                )
            }
            Item::Objective(d) => {
                let name_width = d
                    .terms
                    .iter()
                    .map(|t| width(&t.name.name))
                    .max()
                    .unwrap_or(0);
                let header_end = d.span.start + "objective".len();
                let term = move |p: &mut Self, t: &ObjectiveTerm| p.term(t, name_width);
                let terms = &d.terms[..];
                self.block(
                    "objective",
                    d.span,
                    "objective".into(),
                    header_end,
                    terms,
                    |t| t.span,
                    term,
                    false,
                )
            }
            Item::Scenario(d) => {
                let header = format!("scenario {}", d.name.name);
                let stmts = &d.stmts[..];
                self.block(
                    "scenario",
                    d.span,
                    header,
                    d.name.span.end,
                    stmts,
                    ScenarioStmt::span,
                    Self::stmt,
                    true,
                )
            }
            Item::Policy(d) => self.leaf(
                "policy",
                d.span,
                vec![format!("policy {}", quote(&d.name.value))],
            ),
            Item::Table(d) => {
                let keys: Vec<&str> = d.keys.iter().map(|k| k.name.as_str()).collect();
                let line = format!(
                    "table {}({}): {} from {}",
                    d.name.name,
                    keys.join(", "),
                    type_text(&d.ty),
                    quote(&d.file.value)
                );
                self.leaf("table", d.span, vec![line])
            }
            Item::Param(d) => {
                let lines = expr_lines(&format!("param {} = ", d.name.name), &d.value, 0, 0);
                self.leaf("param", d.span, lines)
            }
            Item::Let(d) => {
                let params = match &d.params {
                    None => String::new(),
                    Some(params) => {
                        let list: Vec<String> = params
                            .iter()
                            .map(|p| format!("{}: {}", p.name.name, type_text(&p.ty)))
                            .collect();
                        format!("({})", list.join(", "))
                    }
                };
                let lines = expr_lines(&format!("let {}{params} = ", d.name.name), &d.body, 0, 0);
                self.leaf("let", d.span, lines)
            }
            Item::Rule(d) => {
                let header = format!("rule {}:", d.name.name);
                self.with_body("rule", d.span, header, d.name.span.end, &d.body)
            }
            Item::Prefer(d) => {
                let header = format!("prefer {} weight {}:", d.name.name, flat(&d.weight));
                self.with_body("prefer", d.span, header, d.weight.span.end, &d.body)
            }
            Item::Expect(d) => {
                let header = format!("expect {}:", d.name.name);
                self.with_body("expect", d.span, header, d.name.span.end, &d.body)
            }
        }
    }

    /// A rule, prefer or expect: the header, then the body indented. A
    /// comment at the end of the header line stays there; every other comment
    /// after the header (before the body or inside it) goes on its own line
    /// before the body.
    fn with_body(
        &mut self,
        kind: &'static str,
        span: Span,
        mut header: String,
        header_end: usize,
        body: &Body,
    ) -> Element {
        let colon = self.find_byte(header_end, b':');
        if let Some(c) = self.take_trailing(colon + 1) {
            header.push(' ');
            header.push_str(&c.text);
        }
        let mut lines = vec![header];
        let end = self.real_end(span);
        lines.extend(
            self.take_texts(colon + 1, end)
                .into_iter()
                .map(|c| format!("  {c}")),
        );
        lines.extend(body_lines(body));
        self.leaf(kind, span, lines)
    }

    fn field(&mut self, f: &FieldDecl) -> Element {
        let key = if f.is_key { "key " } else { "" };
        let column = f
            .column
            .as_ref()
            .map(|c| format!(" from {}", quote(&c.value)));
        let line = format!(
            "{key}{}: {}{}",
            f.name.name,
            type_text(&f.ty),
            column.unwrap_or_default()
        );
        self.leaf("field", f.span, vec![line])
    }

    fn clause(&mut self, c: &AssignClause) -> Element {
        let cardinality = match c.cardinality {
            Cardinality::ExactlyOne => "exactly one",
            Cardinality::AtMostOne => "at most one",
        };
        let lines = match (&c.filter, c.otherwise) {
            (Some(filter), _) => expr_lines(&format!("{cardinality} where "), filter, 2, 0),
            (None, true) => vec![format!("{cardinality} otherwise")],
            (None, false) => vec![cardinality.to_string()],
        };
        self.leaf("clause", c.span, lines)
    }

    fn term(&mut self, t: &ObjectiveTerm, name_width: usize) -> Element {
        let sense = match t.sense {
            Sense::Maximize => "maximize",
            Sense::Minimize => "minimize",
        };
        let pad = " ".repeat(name_width.saturating_sub(width(&t.name.name)));
        let prefix = format!("{sense} {}{pad} weight {}: ", t.name.name, flat(&t.weight));
        let lines = expr_lines(&prefix, &t.expr, 2, 0);
        self.leaf("term", t.span, lines)
    }

    fn stmt(&mut self, s: &ScenarioStmt) -> Element {
        let lines = match s {
            ScenarioStmt::Set { param, value, .. } => {
                expr_lines(&format!("{} = ", param.name), value, 2, 0)
            }
            ScenarioStmt::Without {
                entity,
                filter: None,
                ..
            } => {
                vec![format!("without {}", entity.name)]
            }
            ScenarioStmt::Without {
                entity,
                filter: Some(filter),
                ..
            } => expr_lines(&format!("without {} where ", entity.name), filter, 2, 0),
            ScenarioStmt::Scale {
                entity,
                field,
                factor,
                ..
            } => expr_lines(
                &format!("scale {}.{} by ", entity.name, field.name),
                factor,
                2,
                0,
            ),
        };
        self.leaf("statement", s.span(), lines)
    }
}

// ------------------------------------------------------------ the pieces

/// The body of a rule, prefer or expect, indented under its header.
fn body_lines(body: &Body) -> Vec<String> {
    let mut lines = Vec::new();
    match &body.quantifier {
        Some(q) => {
            let filter = q.filter.as_ref().map(|f| format!(" where {}", flat(f)));
            let head = format!(
                "  for {} in {}{}:",
                q.var.name,
                source_text(&q.source),
                filter.unwrap_or_default()
            );
            let one_line = format!("{head} {}", flat(&body.expr));
            if width(&one_line) <= WIDTH {
                lines.push(one_line);
            } else {
                lines.push(head);
                lines.extend(expr_lines("    ", &body.expr, 0, 4));
            }
        }
        None => lines.extend(expr_lines("  ", &body.expr, 0, 2)),
    }
    lines
}

/// `prefix` followed by `e`, broken over several lines when too long. The
/// line is indented `indent` (included in `prefix`) within an element
/// indented `base`.
fn expr_lines(prefix: &str, e: &Expr, base: usize, indent: usize) -> Vec<String> {
    let mut lines = layout(e, base, indent, width(prefix));
    lines[0].insert_str(0, prefix);
    lines
}

/// Lays out `e` starting at column `col` of a line indented `indent`, in an
/// element indented `base`. Returns the rest of the first line, then whole
/// continuation lines (indented relative to the element).
fn layout(e: &Expr, base: usize, indent: usize, col: usize) -> Vec<String> {
    let text = flat(e);
    if base + col + width(&text) <= WIDTH {
        return vec![text];
    }
    match &e.kind {
        ExprKind::Binary {
            op: op @ (BinaryOp::Or | BinaryOp::And),
            ..
        } => {
            let operands = chain(e, *op);
            let mut lines = layout(operands[0], base, indent, col);
            for operand in &operands[1..] {
                continue_with(&mut lines, op.symbol(), operand, base, indent);
            }
            lines
        }
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() || *op == BinaryOp::In => {
            let mut lines = layout(lhs, base, indent, col);
            continue_with(&mut lines, op.symbol(), rhs, base, indent);
            lines
        }
        ExprKind::Within {
            value,
            tolerance,
            reference,
        } => {
            let mut lines = layout(value, base, indent, col);
            let op = format!("within {} of", flat(tolerance));
            continue_with(&mut lines, &op, reference, base, indent);
            lines
        }
        _ => vec![text],
    }
}

/// Appends `op operand` as a continuation line, two spaces deeper than
/// `indent`.
fn continue_with(lines: &mut Vec<String>, op: &str, operand: &Expr, base: usize, indent: usize) {
    let deeper = indent + 2;
    let lead = format!("{}{op} ", " ".repeat(deeper));
    let mut rest = layout(operand, base, deeper, width(&lead));
    rest[0].insert_str(0, &lead);
    lines.extend(rest);
}

/// The operands of a left-nested chain of `op`: `a and b and c`.
fn chain(e: &Expr, op: BinaryOp) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
            let mut operands = chain(lhs, op);
            operands.push(rhs);
            operands
        }
        _ => vec![e],
    }
}

/// An expression on one line.
pub fn flat(e: &Expr) -> String {
    let mut out = String::new();
    write_flat(e, &mut out);
    out
}

fn write_list(items: &[Expr], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_flat(item, out);
    }
}

fn write_flat(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Number { text, .. } => out.push_str(text),
        ExprKind::Percent { text, .. } => {
            out.push_str(text);
            out.push('%');
        }
        ExprKind::Quantity { text, unit, .. } => {
            out.push_str(text);
            out.push(' ');
            out.push_str(match unit {
                UnitName::Money => "money",
                UnitName::Hours => "hours",
                UnitName::Km => "km",
                UnitName::Count => "count",
            });
        }
        ExprKind::Str(value) => out.push_str(&quote(value)),
        ExprKind::Bool(true) => out.push_str("true"),
        ExprKind::Bool(false) => out.push_str("false"),
        ExprKind::None => out.push_str("none"),
        ExprKind::Name(name) => out.push_str(&name.name),
        ExprKind::Field { base, field } => {
            write_flat(base, out);
            out.push('.');
            out.push_str(&field.name);
        }
        ExprKind::Call { func, args } => {
            out.push_str(&func.name);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::Unary { op, operand } => {
            out.push_str(match op {
                UnaryOp::Not => "not ",
                UnaryOp::Neg => "-",
            });
            write_flat(operand, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            write_flat(lhs, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_flat(rhs, out);
        }
        ExprKind::Within {
            value,
            tolerance,
            reference,
        } => {
            write_flat(value, out);
            out.push_str(" within ");
            write_flat(tolerance, out);
            out.push_str(" of ");
            write_flat(reference, out);
        }
        ExprKind::Aggregate {
            kind,
            body,
            var,
            source,
            filter,
        } => {
            out.push_str(kind.keyword());
            out.push('(');
            if let Some(body) = body {
                write_flat(body, out);
                out.push_str(" for ");
            }
            out.push_str(&var.name);
            out.push_str(" in ");
            out.push_str(&source_text(source));
            if let Some(filter) = filter {
                out.push_str(" where ");
                write_flat(filter, out);
            }
            out.push(')');
        }
        ExprKind::List(items) => {
            out.push('[');
            write_list(items, out);
            out.push(']');
        }
        ExprKind::Paren(inner) => {
            out.push('(');
            write_flat(inner, out);
            out.push(')');
        }
    }
}

fn source_text(source: &Source) -> String {
    let parts: Vec<&str> = source.path.iter().map(|p| p.name.as_str()).collect();
    parts.join(".")
}

fn type_text(ty: &TypeExpr) -> String {
    let name = if ty.is_set {
        format!("set<{}>", ty.name.name)
    } else {
        ty.name.name.clone()
    };
    if ty.optional {
        format!("{name}?")
    } else {
        name
    }
}

/// A string literal with `"`, `\`, newline and tab escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn width(text: &str) -> usize {
    text.chars().count()
}
