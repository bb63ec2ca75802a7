//! Every fixture policy in `tests/check/` is parsed and checked. A fixture
//! declares the diagnostics it must produce with expectation comments: a
//! line `// error: T0301` (several codes may follow, separated by spaces)
//! expects those codes on the next line that is neither a comment nor blank,
//! at the line of each diagnostic's primary label. The set of (line, code)
//! pairs must match exactly, and the rendered reports are pinned with one
//! snapshot per fixture: the numbered source, then every report.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use terra::diagnostics::render::{self, Format, HumanStyle};
use terra::front::{check_text, FrontEnd};

const FIXTURES: &str = "tests/check";


fn fixture_name(path: &Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 file name").to_string()
}

/// The (line, code) pairs that the `// error:` comments of `text` declare.
fn expected_codes(text: &str) -> Result<BTreeSet<(usize, String)>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut expected = BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(codes) = line.trim_start().strip_prefix("// error:") else { continue };
        let target = lines[i + 1..]
            .iter()
            .position(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with("//")
            })
            .map(|offset| i + 1 + offset + 1)
            .ok_or_else(|| format!("line {}: `// error:` with no code line after it", i + 1))?;
        let codes: Vec<&str> = codes.split_whitespace().collect();
        if codes.is_empty() {
            return Err(format!("line {}: `// error:` names no code", i + 1));
        }
        for code in codes {
            expected.insert((target, code.to_string()));
        }
    }
    Ok(expected)
}

/// The (line, code) pairs of what the front end reported.
fn actual_codes(front: &FrontEnd) -> BTreeSet<(usize, String)> {
    let source = front.sources.get(front.file);
    front
        .diagnostics
        .iter()
        .map(|d| (source.line_col(d.primary.span.start).0, d.code.to_string()))
        .collect()
}

/// The snapshot of one fixture: its numbered source, a separator, and every
/// diagnostic as a person sees it.
fn report(text: &str, front: &FrontEnd) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let _ = writeln!(out, "{:>3} | {line}", i + 1);
    }
    let _ = writeln!(out, "{}", "=".repeat(80));
    let rendered: Vec<String> = front
        .diagnostics
        .iter()
        .map(|d| render::human(d, &front.sources, HumanStyle::plain(80)))
        .collect();
    out.push_str(&rendered.join("\n"));
    out
}

fn describe(set: &BTreeSet<(usize, String)>) -> String {
    if set.is_empty() {
        return "nothing".into();
    }
    set.iter().map(|(line, code)| format!("{code} at line {line}")).collect::<Vec<_>>().join(", ")
}

#[test]
fn fixtures_report_exactly_the_expected_diagnostics() {
    let files = common::terra_files(Path::new(FIXTURES));
    assert!(files.len() >= 40, "expected the fixture set, found {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = fixture_name(path);
        let text = std::fs::read_to_string(path).expect("a readable fixture");
        let front = check_text(&format!("{name}.terra"), &text);
        match expected_codes(&text) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(expected) => {
                if expected.is_empty() {
                    failures.push(format!("{name}: declares no `// error:` expectation"));
                }
                let actual = actual_codes(&front);
                if actual != expected {
                    let missing: BTreeSet<_> = expected.difference(&actual).cloned().collect();
                    let extra: BTreeSet<_> = actual.difference(&expected).cloned().collect();
                    failures.push(format!(
                        "{name}: missing {}; unexpected {}\n{}",
                        describe(&missing),
                        describe(&extra),
                        render::render_all(&front.diagnostics, &front.sources, Format::Human, HumanStyle::plain(80))
                    ));
                }
            }
        }
        insta::assert_snapshot!(name.as_str(), report(&text, &front));
    }
    assert!(failures.is_empty(), "{} fixture(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn valid_policies_check_clean() {
    let mut files = common::terra_files(&Path::new(FIXTURES).join("valid"));
    if Path::new("examples").is_dir() {
        let mut dirs = vec![PathBuf::from("examples")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a readable directory") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "terra") {
                    files.push(path);
                }
            }
        }
    }
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a readable policy");
        let front = check_text(&path.to_string_lossy(), &text);
        assert!(
            front.diagnostics.is_empty() && front.policy.is_some(),
            "{} should check clean:\n{}",
            path.display(),
            render::render_all(&front.diagnostics, &front.sources, Format::Human, HumanStyle::plain(80))
        );
    }
}

/// The machine-readable renderings of a file with several problems.
#[test]
fn json_and_github_renderings() {
    let name = "several_check_errors";
    let text = std::fs::read_to_string(Path::new(FIXTURES).join(format!("{name}.terra"))).expect("the fixture");
    let front = check_text(&format!("{name}.terra"), &text);
    assert!(front.diagnostics.len() >= 3, "the fixture should report several problems");
    let style = HumanStyle::plain(80);
    insta::assert_snapshot!(
        "several_check_errors_json",
        render::render_all(&front.diagnostics, &front.sources, Format::Json, style)
    );
    insta::assert_snapshot!(
        "several_check_errors_github",
        render::render_all(&front.diagnostics, &front.sources, Format::Github, style)
    );
}
