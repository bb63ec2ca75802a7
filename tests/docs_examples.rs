//! The examples in `docs/language.md` are checked, so that the language
//! reference cannot drift from the checker.
//!
//! Every fenced code block of the reference carries a tag:
//!
//! - ```` ```terra ```` — must check without any diagnostic;
//! - ```` ```terra-error CODE ```` — must be rejected, and every error it
//!   produces must have exactly the code `CODE`; its first line is the
//!   comment `// error CODE: reason`, since readers do not see the tag;
//! - ```` ```text ````, ```` ```csv ```` — shown only, never checked.
//!
//! A `terra` or `terra-error` block that starts with `policy` (after any
//! comments) is a complete policy and is checked alone. Any other block is
//! checked after [`PRELUDE`], the running example that the reference shows
//! in full in its first section, so that examples can stay a few lines long.
//!
//! A failure names the block by its line in the reference and shows the
//! rendered diagnostics.

use std::path::PathBuf;
use terra::diagnostics::render::{self, HumanStyle};
use terra::diagnostics::{codes, Diagnostic};
use terra::front::{check_text, FrontEnd};

const DOC: &str = "docs/language.md";

/// The declarations every short example may use. The reference shows this
/// text verbatim (see `the_prelude_is_shown_in_the_reference`).
const PRELUDE: &str = r#"policy "examples"

entity rep from "reps.csv" {
  key id: text
  name: text
  region: text
  skills: set<text>
  capacity: hours
  home: geo
}

entity account from "accounts.csv" {
  key id: text
  name: text
  region: text
  industry: text
  status: text
  potential: money
  effort: hours
  site: geo
  owner: rep?
  locked: bool
}

table drive(account, rep): hours from "drive.csv"

assign account to rep {
  exactly one where status == "customer"
  at most one otherwise
}

param tolerance = 15%

let load(r: rep) = sum(a.effort for a in r.accounts)
let book(r: rep) = sum(a.potential for a in r.accounts)
"#;

/// The tags a fenced block may carry.
const CHECKED: &str = "terra";
const REJECTED: &str = "terra-error";
const SHOWN_ONLY: &[&str] = &["text", "csv"];

#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence in the reference.
    line: usize,
    /// The info string after the fence, e.g. `terra-error L0401`.
    info: String,
    text: String,
}

fn reference() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DOC);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The fenced code blocks of a Markdown text, in order. A fence is a line
/// that starts with three or more backticks; the block ends at a line of at
/// least as many backticks and nothing else.
fn fenced_blocks(markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, usize, String, Vec<&str>)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if ticks >= 3 => open = Some((index + 1, ticks, line[ticks..].trim().to_string(), Vec::new())),
            None => {}
            Some((start, fence, info, body)) => {
                if ticks >= *fence && line.trim_end().len() == ticks {
                    let text = body.join("\n") + "\n";
                    blocks.push(Block { line: *start, info: std::mem::take(info), text });
                    open = None;
                } else {
                    body.push(line);
                }
            }
        }
    }
    match open {
        Some((line, ..)) => Err(format!("{DOC}:{line}: this code block is never closed")),
        None => Ok(blocks),
    }
}

/// A complete policy starts with `policy`, after blank lines and comments.
fn is_complete_policy(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .is_some_and(|l| l.starts_with("policy ") || l.starts_with("policy\""))
}

/// Checks a block alone or after the prelude. Blank lines are put in front
/// of the block so that its first line keeps its line number in the
/// reference, and rendered diagnostics point at the reference's own lines.
fn check_block(block: &Block) -> FrontEnd {
    let first_line = block.line + 1;
    if is_complete_policy(&block.text) {
        let padding = "\n".repeat(first_line - 1);
        return check_text(DOC, &format!("{padding}{}", block.text));
    }
    let prelude_lines = PRELUDE.lines().count();
    match (first_line - 1).checked_sub(prelude_lines) {
        Some(blank) => check_text(DOC, &format!("{PRELUDE}{}{}", "\n".repeat(blank), block.text)),
        None => check_text(
            &format!("{DOC} (block at line {}, after the prelude)", block.line),
            &format!("{PRELUDE}\n{}", block.text),
        ),
    }
}

fn rendered(front: &FrontEnd) -> String {
    front
        .diagnostics
        .iter()
        .map(|d| render::human(d, &front.sources, HumanStyle::plain(100)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn codes_of(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

/// Checks one block; `Err` holds the report of what went wrong.
fn verify(block: &Block) -> Result<bool, String> {
    let mut words = block.info.split_whitespace();
    let tag = words.next().unwrap_or("");
    let argument = words.next();
    let at = format!("{DOC}:{}", block.line);
    match (tag, argument) {
        (CHECKED, None) => {
            let front = check_block(block);
            if front.diagnostics.is_empty() {
                Ok(true)
            } else {
                Err(format!(
                    "{at}: this `terra` example should check cleanly, but gives {:?}:\n{}",
                    codes_of(&front.diagnostics),
                    rendered(&front)
                ))
            }
        }
        (REJECTED, Some(code)) if words.next().is_none() => {
            if codes::lookup(code).is_none() {
                return Err(format!("{at}: `{code}` is not a documented diagnostic code"));
            }
            // Readers do not see the tag, so the block says it too.
            let marker = format!("// error {code}");
            if !block.text.lines().next().is_some_and(|l| l.starts_with(&marker)) {
                return Err(format!("{at}: a `terra-error {code}` example starts with `{marker}: reason`"));
            }
            let front = check_block(block);
            let errors: Vec<&Diagnostic> = front.diagnostics.iter().filter(|d| d.is_error()).collect();
            if !errors.is_empty() && errors.iter().all(|d| d.code == code) {
                Ok(true)
            } else {
                Err(format!(
                    "{at}: this example should give {code} and nothing else, but gives {:?}:\n{}",
                    codes_of(&front.diagnostics),
                    rendered(&front)
                ))
            }
        }
        (t, None) if SHOWN_ONLY.contains(&t) => Ok(false),
        _ => Err(format!(
            "{at}: unknown code block tag `{}`; use `terra`, `terra-error CODE`, `text` or `csv`",
            block.info
        )),
    }
}

#[test]
fn every_example_in_the_reference_checks() {
    let blocks = fenced_blocks(&reference()).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for block in &blocks {
        match verify(block) {
            Ok(true) => checked += 1,
            Ok(false) => {}
            Err(report) => failures.push(report),
        }
    }
    assert!(checked > 0, "{DOC} has no checked examples");
    assert!(
        failures.is_empty(),
        "{} of {} checked examples in {DOC} fail:\n\n{}",
        failures.len(),
        checked + failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_prelude_checks_on_its_own() {
    let front = check_text("prelude", PRELUDE);
    assert!(front.diagnostics.is_empty(), "the prelude has diagnostics:\n{}", rendered(&front));
}

#[test]
fn the_prelude_is_shown_in_the_reference() {
    let blocks = fenced_blocks(&reference()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        blocks.iter().any(|b| b.info == CHECKED && b.text == PRELUDE),
        "{DOC} must show the prelude of its examples verbatim in a `terra` block"
    );
}

/// The table of diagnostic codes lists every code with its title, as
/// `| CODE | title |`.
#[test]
fn every_diagnostic_code_is_listed() {
    let doc = reference();
    let missing: Vec<String> = codes::all()
        .into_iter()
        .filter(|c| !doc.contains(&format!("| {} | {} |", c.code, c.title)))
        .map(|c| format!("| {} | {} |", c.code, c.title))
        .collect();
    assert!(missing.is_empty(), "{DOC} lacks these rows in its table of codes:\n{}", missing.join("\n"));
}

#[test]
fn fences_are_read_correctly() {
    let md = "a\n```terra\nrule x: true\n```\n\n````text\n```\ninner\n```\n````\n";
    let blocks = fenced_blocks(md).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[0].line, blocks[0].info.as_str(), blocks[0].text.as_str()), (2, "terra", "rule x: true\n"));
    assert_eq!((blocks[1].line, blocks[1].text.as_str()), (6, "```\ninner\n```\n"));
    assert!(fenced_blocks("```terra\nunclosed\n").is_err());
    assert!(is_complete_policy("// a comment\n\npolicy \"p\"\n"));
    assert!(!is_complete_policy("rule policy_check: true\n"));
}
