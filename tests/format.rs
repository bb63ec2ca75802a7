//! The formatter: idempotent, faithful to the tree, keeps every comment.

use std::path::{Path, PathBuf};
use terra::diagnostics::FileId;
use terra::syntax::ast::PolicyFile;
use terra::syntax::format::{format, without_spans};
use terra::syntax::parse;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    let path = root().join("tests/format").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_clean(source: &str, what: &str) -> PolicyFile {
    let parsed = parse(source, FileId(0));
    assert!(
        parsed.diagnostics.is_empty(),
        "{what} does not parse: {:?}\n{source}",
        parsed.diagnostics
    );
    parsed.file
}

fn fmt(source: &str) -> String {
    format(&parse_clean(source, "the input"), source)
}

/// Formats `source` and checks every invariant; returns the formatted text.
fn check(source: &str, what: &str) -> String {
    let original = parse_clean(source, what);
    let once = format(&original, source);
    let reparsed = parse_clean(&once, &format!("the formatted {what}"));

    // Faithful: the same tree, comments included, up to spans.
    assert_eq!(
        without_spans(&original),
        without_spans(&reparsed),
        "{what}: formatting changed the tree\n{once}"
    );

    // Idempotent.
    let twice = format(&reparsed, &once);
    assert_eq!(once, twice, "{what}: formatting is not idempotent");

    // Every comment exactly once, in the same order.
    let before: Vec<&str> = original.comments.iter().map(|c| c.text.as_str()).collect();
    let after: Vec<&str> = reparsed.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(before, after, "{what}: comments changed\n{once}");
    for text in &before {
        let wanted = before.iter().filter(|t| *t == text).count();
        let found = once
            .lines()
            .filter(|line| line.trim_start().starts_with(text) || line.ends_with(text))
            .count();
        assert!(found >= wanted, "{what}: comment {text:?} lost\n{once}");
        assert_eq!(
            after.iter().filter(|t| *t == text).count(),
            wanted,
            "{what}: {text:?}"
        );
    }

    // Tidy text: no tabs outside comments and strings, no trailing spaces,
    // no blank-line runs, one final newline.
    for line in once.lines() {
        assert_eq!(
            line,
            line.trim_end(),
            "{what}: trailing white space in {line:?}"
        );
        assert!(!line.starts_with('\t'), "{what}: tab in {line:?}");
    }
    assert!(!once.contains("\n\n\n"), "{what}: blank-line run\n{once}");
    assert!(!once.starts_with('\n'), "{what}: starts with a blank line");
    if !once.is_empty() {
        assert!(
            once.ends_with('\n') && !once.ends_with("\n\n"),
            "{what}: final newline"
        );
    }
    // The layout does not depend on the input's indentation.
    let flush_left: String = source
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let tabbed: String = source.lines().map(|l| format!("\t {l}\n")).collect();
    for (variant, text) in [("flush left", flush_left), ("tab-indented", tabbed)] {
        assert_eq!(fmt(&text), once, "{what}: {variant} formats differently");
    }
    once
}

#[test]
fn design_example() {
    let out = check(&fixture("design.terra"), "design.terra");
    // The example is already laid out the canonical way, almost.
    assert!(out.contains(
        "rule limited_churn:\n  count(a in account where a.owner != none and a.rep != a.owner)\n    <= max_moves * count(a in account where a.owner != none)\n"
    ));
    assert!(out.contains("  skills: set<text> // cell \"healthcare;finance\"\n"));
    assert!(out.contains("  home: geo         // columns home_lat, home_lon\n"));
    assert!(out.contains(
        "  maximize coverage  weight 40%: sum(a.potential for a in account where a.rep != none)\n  minimize imbalance weight 30%:"
    ));
    assert!(out.contains(
        "scenario loose_balance { tolerance = 25% }\nscenario rep_leaves    { without rep where id == \"R017\" }\n"
    ));
    assert!(out.starts_with("// North America, FY27.\npolicy \"na-fy27\"\n\nentity rep"));
}

#[test]
fn every_construct_with_comments() {
    check(&fixture("everything.terra"), "everything.terra");
}

#[test]
fn messy_input() {
    let out = check(&fixture("messy.terra"), "messy.terra");
    insta::assert_snapshot!("messy", out);
}

#[test]
fn trailing_comment_gets_one_space() {
    let out = fmt("entity rep from \"r.csv\" {\n  skills: set<text>  // cell \"a;b\"\n}\n");
    assert_eq!(
        out,
        "entity rep from \"r.csv\" {\n  skills: set<text> // cell \"a;b\"\n}\n"
    );
}

#[test]
fn trailing_comments_of_consecutive_lines_align() {
    let source = "param a = 1 // one\nparam longer = 2 // two\n\nparam c = 3   // three\n";
    let out = check(source, "params");
    assert_eq!(
        out,
        "param a = 1      // one\nparam longer = 2 // two\n\nparam c = 3 // three\n"
    );
}

#[test]
fn comments_inside_an_expression_move_before_the_item_or_body() {
    let source = "let r = a // one\n  // two\n  <= b\nrule r:\n  a // three\n  <= b\n";
    let out = check(source, "inner comments");
    assert_eq!(
        out,
        "// one\n// two\nlet r = a <= b\n\nrule r:\n  // three\n  a <= b\n"
    );
}

#[test]
fn comments_around_a_rule_header_stay() {
    let source = "rule r: // why\n\n  // how\n  for a in b: // what\n  a.x\n";
    let out = check(source, "rule header comments");
    assert_eq!(
        out,
        "rule r: // why\n  // how\n  // what\n  for a in b: a.x\n"
    );
}

#[test]
fn comments_inside_a_block_element_move_before_it() {
    let source = "assign a to r {\n  exactly one where x // one\n    == 1\n}\n";
    let out = check(source, "inner comments in a block");
    assert_eq!(
        out,
        "assign a to r {\n  // one\n  exactly one where x == 1\n}\n"
    );
}

#[test]
fn expressions_are_spaced() {
    let source = "param p=-(1+2)*x.y/f(a,b , [ \"q\\\"\\\\\\n\\t\" ,2 ])\nlet l=not a and b within 5% of sum( a.e for a in r . accounts where a.x>0 )==count(a in b)\n";
    let out = check(source, "spacing");
    assert_eq!(
        out,
        "param p = -(1 + 2) * x.y / f(a, b, [\"q\\\"\\\\\\n\\t\", 2])\n\nlet l = not a and b within 5% of sum(a.e for a in r.accounts where a.x > 0) == count(a in b)\n"
    );
}

#[test]
fn numbers_keep_their_text() {
    let out = check(
        "param a = 250_000 money\nparam b = 15%\nparam c = 40 hours\nparam d = 1.50\n",
        "numbers",
    );
    assert_eq!(
        out,
        "param a = 250_000 money\nparam b = 15%\nparam c = 40 hours\nparam d = 1.50\n"
    );
}

#[test]
fn long_conditions_break_before_and_or() {
    let source = "rule r: for a in account where a.status == \"customer\": a.rep.region == a.region and \"healthcare\" in a.rep.skills or a.rep == a.owner and drive(a, a.rep) <= 2 hours\n";
    let out = check(source, "long condition");
    assert_eq!(
        out,
        "rule r:\n  for a in account where a.status == \"customer\":\n    a.rep.region == a.region and \"healthcare\" in a.rep.skills\n      or a.rep == a.owner and drive(a, a.rep) <= 2 hours\n"
    );
}

#[test]
fn blank_lines() {
    let source = "param a = 1\n\n\n\nparam b = 2\nparam c = 3\nlet d = 4\nscenario s { a = 2 }\n";
    let out = check(source, "blank lines");
    assert_eq!(
        out,
        "param a = 1\n\nparam b = 2\nparam c = 3\n\nlet d = 4\n\nscenario s { a = 2 }\n"
    );
}

#[test]
fn scenarios() {
    let source = "scenario a{x=1}scenario bb{}scenario c{x=1 y=2}scenario d{ // note\nx=1}";
    let out = check(source, "scenarios");
    assert_eq!(
        out,
        "scenario a  { x = 1 }\nscenario bb {}\n\nscenario c {\n  x = 1\n  y = 2\n}\n\nscenario d { // note\n  x = 1\n}\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(check("", "empty"), "");
    assert_eq!(
        check("\n\n  // just a note\n\n\n// another\n", "comments only"),
        "// just a note\n\n// another\n"
    );
}

fn terra_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            terra_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "terra") {
            found.push(path);
        }
    }
}

#[test]
fn every_policy_in_the_repository() {
    let mut files = Vec::new();
    terra_files(&root().join("examples"), &mut files);
    terra_files(&root().join("tests"), &mut files);
    files.sort();
    let mut checked = 0;
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        if !parse(&source, FileId(0)).diagnostics.is_empty() {
            continue; // a deliberately broken fixture
        }
        let what = path.display().to_string();
        check(&source, &what);
        check(&commented_everywhere(&source), &format!("commented {what}"));
        checked += 1;
    }
    println!("{checked} clean policies of {}", files.len());
    assert!(checked >= 3, "found only {checked} clean policies");
}

/// `source` with a comment at the end of every line and a comment line
/// between every two lines: comments in every position the layout knows.
fn commented_everywhere(source: &str) -> String {
    let mut out = String::new();
    for (i, line) in source.lines().enumerate() {
        out.push_str(&format!("// above {i}\n"));
        if line.contains("//") || line.trim().is_empty() {
            out.push_str(&format!("{line}\n"));
        } else {
            out.push_str(&format!("{line} // end {i}\n"));
        }
    }
    out
}

#[test]
fn comments_in_every_position() {
    for name in ["design.terra", "everything.terra", "messy.terra"] {
        check(
            &commented_everywhere(&fixture(name)),
            &format!("commented {name}"),
        );
    }
}
