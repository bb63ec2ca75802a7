//! Robustness of the front end: thousands of policies derived from the valid
//! fixtures (and, fewer each, from the error fixtures) by deterministic
//! mutations. For each one, parsing and checking must not panic, every label
//! of every diagnostic must lie inside the text on character boundaries, and
//! every diagnostic must render to a non-empty report.

mod common;

use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;
use terra::diagnostics::render::{self, Format, HumanStyle};
use terra::front::check_text;

/// Random mutants per valid policy, and per error fixture. For a deeper
/// run, `TERRA_FUZZ_SCALE=20` multiplies both.
const MUTANTS_PER_VALID: usize = 1500;
const MUTANTS_PER_FIXTURE: usize = 40;
/// Random mutants per example policy under `examples/`, when there are any.
const MUTANTS_PER_EXAMPLE: usize = 300;

fn scale() -> usize {
    std::env::var("TERRA_FUZZ_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1).max(1)
}
/// Valid policies are also cut at every `TRUNCATION_STEP`-th character.
const TRUNCATION_STEP: usize = 5;

/// SplitMix64: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`; `n` must be positive.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// FNV-1a, so that each seed file gets its own stable stream.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3))
}

/// Words and symbols worth inserting: keywords, operators, punctuation, and
/// a few multi-byte characters to catch spans that split a character.
const INSERTS: &[&str] = &[
    "policy", "entity", "from", "key", "table", "assign", "to", "exactly", "one", "at", "most",
    "otherwise", "where", "param", "let", "rule", "prefer", "weight", "objective", "maximize",
    "minimize", "expect", "scenario", "without", "scale", "by", "for", "in", "within", "of", "and",
    "or", "not", "true", "false", "none", "sum", "count", "mean", "max", "min", "distance", "set",
    "money", "hours", "km", "text", "geo", "rep", "account", "accounts", "load", "r", "a", "==",
    "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", ".", ",", ":", "?", "(", ")", "{",
    "}", "[", "]", "<", ">", "\"", "\\", "//", "\n", "0", "15%", "40 hours", "1_000", "2.5",
    "é", "Δ", "你好", "🚀", "\u{feff}", "\t", "\r\n",
];

/// The byte offsets of character boundaries of `text`, end included.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect()
}

/// Whitespace-separated tokens as byte ranges.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn random_printable(rng: &mut Rng) -> char {
    if rng.below(20) == 0 {
        '\n'
    } else {
        char::from(b' ' + rng.below(95) as u8)
    }
}

/// One random edit of `text`; the result is always valid UTF-8.
fn mutate_once(text: &str, rng: &mut Rng) -> String {
    let cuts = boundaries(text);
    let toks = tokens(text);
    let mut out = text.to_string();
    match rng.below(9) {
        // Replace an ASCII character by a printable one or a newline.
        0 | 1 => {
            let ascii: Vec<usize> = text.char_indices().filter(|(_, c)| c.is_ascii()).map(|(i, _)| i).collect();
            if !ascii.is_empty() {
                let i = *rng.pick(&ascii);
                out.replace_range(i..i + 1, &random_printable(rng).to_string());
            }
        }
        // Delete a character.
        2 => {
            if cuts.len() > 1 {
                let k = rng.below(cuts.len() - 1);
                out.replace_range(cuts[k]..cuts[k + 1], "");
            }
        }
        // Duplicate a character.
        3 => {
            if cuts.len() > 1 {
                let k = rng.below(cuts.len() - 1);
                let c = text[cuts[k]..cuts[k + 1]].to_string();
                out.insert_str(cuts[k], &c);
            }
        }
        // Swap two tokens.
        4 => {
            if toks.len() >= 2 {
                let (mut x, mut y) = (rng.below(toks.len()), rng.below(toks.len()));
                if x > y {
                    std::mem::swap(&mut x, &mut y);
                }
                if x != y {
                    let (a, b) = (toks[x], toks[y]);
                    out = format!(
                        "{}{}{}{}{}",
                        &text[..a.0],
                        &text[b.0..b.1],
                        &text[a.1..b.0],
                        &text[a.0..a.1],
                        &text[b.1..]
                    );
                }
            }
        }
        // Delete a token.
        5 => {
            if !toks.is_empty() {
                let (s, e) = *rng.pick(&toks);
                out.replace_range(s..e, "");
            }
        }
        // Duplicate a token.
        6 => {
            if !toks.is_empty() {
                let (s, e) = *rng.pick(&toks);
                out.insert_str(e, &format!(" {}", &text[s..e]));
            }
        }
        // Insert a keyword, operator or odd character.
        _ => {
            let at = *rng.pick(&cuts);
            let word = *rng.pick(INSERTS);
            let padded = match rng.below(3) {
                0 => word.to_string(),
                1 => format!(" {word}"),
                _ => format!(" {word} "),
            };
            out.insert_str(at, &padded);
        }
    }
    out
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    let edits = 1 + rng.below(3);
    let mut out = text.to_string();
    for _ in 0..edits {
        out = mutate_once(&out, rng);
    }
    out
}

thread_local! {
    /// Set while an input is checked under `catch_unwind`.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic happened, and its backtrace.
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records the panics of checked inputs
/// quietly (they are reported with their input) and leaves every other
/// panic to the usual hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let usual = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                return usual(info);
            }
            let place = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
            let trace = Backtrace::force_capture().to_string();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some((place, trace)));
        }));
    });
}

/// What went wrong with one input, or `None` when all is well.
fn problem(text: &str) -> Option<String> {
    problem_and_codes(text).err()
}

/// The codes reported for one input, or what went wrong with it.
fn problem_and_codes(text: &str) -> Result<Vec<&'static str>, String> {
    install_panic_hook();
    CATCHING.with(|c| c.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let front = check_text("fuzz.terra", text);
        let mut problems = Vec::new();
        for d in &front.diagnostics {
            for label in std::iter::once(&d.primary).chain(&d.secondary) {
                let s = label.span;
                let inside = s.start <= s.end && s.end <= text.len();
                if !inside || !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
                    problems.push(format!("{}: label {:?} at {}..{} (text is {} bytes)", d.code, label.message, s.start, s.end, text.len()));
                }
            }
            if problems.is_empty() {
                let human = render::human(d, &front.sources, HumanStyle::plain(80));
                if human.trim().is_empty() {
                    problems.push(format!("{}: empty human report", d.code));
                }
            }
        }
        if problems.is_empty() {
            let style = HumanStyle::plain(80);
            let json = render::render_all(&front.diagnostics, &front.sources, Format::Json, style);
            let github = render::render_all(&front.diagnostics, &front.sources, Format::Github, style);
            if json.trim().is_empty() || github.lines().count() != front.diagnostics.len() {
                problems.push("machine rendering does not match the diagnostics".into());
            }
        }
        (problems, front.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>())
    }));
    CATCHING.with(|c| c.set(false));
    match outcome {
        Ok((problems, codes)) if problems.is_empty() => Ok(codes),
        Ok((problems, _)) => Err(problems.join("; ")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            let place = LAST_PANIC.with(|p| p.borrow().as_ref().map(|(place, _)| place.clone())).unwrap_or_default();
            Err(format!("panic: {message}{place}"))
        }
    }
}

/// The backtrace of the last panic caught on this thread.
fn last_backtrace() -> String {
    LAST_PANIC.with(|p| p.borrow().as_ref().map(|(_, trace)| trace.clone())).unwrap_or_default()
}

/// Shrinks a failing input while it keeps failing, by dropping ever
/// shorter runs of characters, so that the report shows a small example.
fn shrink(text: &str) -> String {
    let fails = |t: &str| problem(t).is_some();
    let mut best = text.to_string();
    let mut chunk = best.len() / 2;
    while chunk >= 1 {
        let mut progress = true;
        while progress {
            progress = false;
            let cuts = boundaries(&best);
            let mut k = 0;
            while k < cuts.len() - 1 {
                let end = cuts[(k + chunk).min(cuts.len() - 1)];
                let candidate = format!("{}{}", &best[..cuts[k]], &best[end..]);
                if candidate.len() < best.len() && fails(&candidate) {
                    best = candidate;
                    progress = true;
                    break;
                }
                k += chunk;
            }
        }
        chunk /= 2;
    }
    best
}


/// The policies under `examples/`, sorted.
fn example_policies() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from("examples")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "terra") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The mutants of one seed policy.
fn mutants(text: &str, count: usize, truncate: bool) -> Vec<String> {
    let mut rng = Rng::new(hash(text));
    let mut out: Vec<String> = (0..count).map(|_| mutate(text, &mut rng)).collect();
    if truncate {
        let cuts = boundaries(text);
        out.extend(cuts.iter().step_by(TRUNCATION_STEP).map(|&c| text[..c].to_string()));
    }
    out
}

#[test]
fn mutated_policies_never_panic_and_keep_spans_in_bounds() {
    let valid = common::terra_files(Path::new("tests/check/valid"));
    let fixtures = common::terra_files(Path::new("tests/check"));
    assert!(!valid.is_empty() && !fixtures.is_empty());
    let mut inputs = Vec::new();
    for path in &valid {
        let text = std::fs::read_to_string(path).expect("a readable policy");
        inputs.extend(mutants(&text, MUTANTS_PER_VALID * scale(), true));
    }
    for path in &fixtures {
        let text = std::fs::read_to_string(path).expect("a readable fixture");
        inputs.extend(mutants(&text, MUTANTS_PER_FIXTURE * scale(), false));
    }
    for path in example_policies() {
        let text = std::fs::read_to_string(&path).expect("a readable example");
        inputs.extend(mutants(&text, MUTANTS_PER_EXAMPLE * scale(), false));
    }
    assert!(inputs.len() >= 5000, "only {} mutants", inputs.len());

    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let results: Vec<(Vec<(String, String)>, BTreeMap<&'static str, usize>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let inputs = &inputs;
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    let mut codes: BTreeMap<&'static str, usize> = BTreeMap::new();
                    for text in inputs.iter().skip(w).step_by(workers) {
                        match problem_and_codes(text) {
                            Ok(found) => {
                                let distinct: BTreeSet<&'static str> = found.into_iter().collect();
                                for code in distinct {
                                    *codes.entry(code).or_default() += 1;
                                }
                            }
                            Err(p) => failures.push((p, text.clone())),
                        }
                    }
                    (failures, codes)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a worker")).collect()
    });
    let mut failures = Vec::new();
    let mut codes: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (f, c) in results {
        failures.extend(f);
        for (code, n) in c {
            *codes.entry(code).or_default() += n;
        }
    }
    // Shown with `--nocapture`: how many mutants reached each diagnostic.
    println!("{} mutants; mutants per code: {codes:?}", inputs.len());
    // The smallest input for each distinct problem.
    let mut examples: Vec<(String, String)> = Vec::new();
    for (problem_text, input) in failures.iter() {
        let key = problem_text.split(" at ").next().unwrap_or(problem_text).to_string();
        let key = if problem_text.starts_with("panic") { problem_text.clone() } else { key };
        match examples.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) if existing.1.len() > input.len() => existing.1 = input.clone(),
            Some(_) => {}
            None => examples.push((key, input.clone())),
        }
    }
    let report: Vec<String> = examples
        .iter()
        .take(5)
        .map(|(_, input)| {
            let small = shrink(input);
            let what = problem(&small).unwrap_or_default();
            let trace = if what.starts_with("panic") { last_backtrace() } else { String::new() };
            format!("{what}\ninput: {small:?}\n{trace}")
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} mutants failed; examples:\n\n{}",
        failures.len(),
        inputs.len(),
        report.join("\n\n")
    );
}

/// Nesting and chains of a depth that a generated policy might reach are
/// handled without running out of stack (tests run on a 2 MiB stack).
#[test]
fn moderately_deep_expressions_are_fine() {
    let depth = 200;
    let cases = [
        format!("param x = {}1{}\n", "(".repeat(depth), ")".repeat(depth)),
        format!("param x = {}1\n", "- ".repeat(depth)),
        format!("param x = {}true\n", "not ".repeat(depth)),
        format!("param x = 1{}\n", " + 1".repeat(5 * depth)),
        format!("param x = a{}\n", ".b".repeat(depth)),
        format!("param x = {}\n", "[".repeat(depth)),
    ];
    for text in &cases {
        assert_eq!(problem(text), None, "input of {} bytes", text.len());
    }
}
