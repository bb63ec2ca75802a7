//! The examples of `docs/ci.md` are run, so that the page cannot drift
//! from the commands:
//!
//! - the ```` ```toml ```` block is the fixture's `terra.toml`;
//! - each ```` ```console ```` block is a list of `$ COMMAND` lines, each
//!   followed by its expected standard output; each command runs in `sh`
//!   with `terra` on the PATH, in the fixture, in the order of the page;
//! - every `terra` command of the ```` ```yaml ```` workflow runs in the
//!   fixture, with the base branch `origin/main`, and must succeed (exit 0,
//!   or 3 for a diff that differs);
//! - each ```` ```json NAME ```` block documents a command's JSON layout:
//!   the command is run and its output must have exactly the documented
//!   keys, at every level (the first element of each list stands for all).
//!
//! The fixture is a git repository with the starter policy on `main` and a
//! branch `tighter` whose `tolerance` is 5% instead of 15%, checked out.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

const DOC: &str = "docs/ci.md";

struct Block {
    line: usize,
    info: String,
    text: String,
}

fn blocks() -> Vec<Block> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC)).expect("docs/ci.md");
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some(Block { line: i + 1, info: info.trim().to_string(), text: String::new() }),
            (Some(_), Some("")) => out.extend(current.take()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "{DOC}: a fence is never closed");
    out
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").current_dir(dir).args(args).output().expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The repository the page's examples run in.
fn fixture(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let starter = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/starter");
    for name in ["policy.terra", "reps.csv", "accounts.csv"] {
        std::fs::copy(starter.join(name), p.join(name)).expect("copy");
    }
    std::fs::write(p.join("terra.toml"), toml).expect("terra.toml");
    std::fs::write(p.join(".gitignore"), "plans/\n").expect(".gitignore");
    git(p, &["init", "-q"]);
    git(p, &["config", "user.name", "terra docs"]);
    git(p, &["config", "user.email", "docs@terra.invalid"]);
    git(p, &["config", "commit.gpgsign", "false"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "starter"]);
    git(p, &["branch", "-M", "main"]);
    git(p, &["update-ref", "refs/remotes/origin/main", "main"]);
    git(p, &["checkout", "-q", "-b", "tighter"]);
    let policy = p.join("policy.terra");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("param tolerance = 15%"));
    std::fs::write(&policy, text.replacen("param tolerance = 15%", "param tolerance = 5% ", 1)).unwrap();
    git(p, &["commit", "-q", "-a", "-m", "tighter books"]);
    dir
}

fn shell(dir: &Path, command: &str) -> (i32, String, String) {
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_terra")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("BASE", "origin/main")
        .output()
        .expect("run sh");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

/// The same keys at every level; values may differ.
fn same_keys(doc: &Json, actual: &Json, at: &str) -> Result<(), String> {
    match (doc, actual) {
        (Json::Object(d), Json::Object(a)) => {
            let (dk, ak): (Vec<&String>, Vec<&String>) = (d.keys().collect(), a.keys().collect());
            if dk != ak {
                return Err(format!("{at}: documented keys {dk:?}, actual {ak:?}"));
            }
            for (k, v) in d {
                same_keys(v, &a[k], &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Json::Array(d), Json::Array(a)) => match (d.first(), a.first()) {
            (Some(x), Some(y)) => same_keys(x, y, &format!("{at}[0]")),
            _ => Ok(()),
        },
        // `null` documents a value that may be missing, e.g. a model.
        (Json::Object(_), Json::Null) | (Json::Null, _) => Ok(()),
        (Json::Object(_), _) | (_, Json::Object(_)) => Err(format!("{at}: documented {doc}, actual {actual}")),
        _ => Ok(()),
    }
}

/// The command that prints each documented JSON layout.
fn json_command(name: &str) -> &'static str {
    match name {
        "diff" => "terra diff main tighter --format json",
        "test" => "terra test --format json",
        "solve-all" => "terra solve --all --format json",
        "fmt" => "terra fmt --check --format json",
        "bench-check" => "terra bench check policy.terra --runs 2 --format json",
        "bench-solve" => "terra bench solve policy.terra --format json 2>/dev/null",
        "explain-code" => "terra explain-code R0632 --format json",
        "generate" => "terra generate na-fy27 --out generated --scale 0.01 --format json",
        other => panic!("{DOC}: no command for the JSON block `{other}`"),
    }
}

#[test]
fn the_examples_in_ci_md_run() {
    let blocks = blocks();
    let toml: Vec<&Block> = blocks.iter().filter(|b| b.info == "toml").collect();
    assert_eq!(toml.len(), 1, "{DOC} shows one terra.toml");
    let repo = fixture(&toml[0].text);
    let p = repo.path();
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in &blocks {
        let kind = block.info.split_whitespace().next().unwrap_or("");
        match kind {
            "console" => {
                let mut commands: Vec<(String, String)> = Vec::new();
                for line in block.text.lines() {
                    match line.strip_prefix("$ ") {
                        Some(c) => commands.push((c.to_string(), String::new())),
                        None => match commands.last_mut() {
                            Some((_, expected)) => {
                                expected.push_str(line);
                                expected.push('\n');
                            }
                            None => failures.push(format!("line {}: output before any `$ ` command", block.line)),
                        },
                    }
                }
                for (command, expected) in commands {
                    let (_, stdout, stderr) = shell(p, &command);
                    ran += 1;
                    if stdout != expected {
                        failures.push(format!("line {}: `{command}` printed\n{stdout}\n(stderr: {stderr})\ninstead of\n{expected}", block.line));
                    }
                }
            }
            "yaml" => {
                for line in block.text.lines() {
                    let line = line.trim().trim_start_matches("run: ");
                    if !line.starts_with("terra ") {
                        continue;
                    }
                    let (code, stdout, stderr) = shell(p, line);
                    ran += 1;
                    if code != 0 && !(code == 3 && line.starts_with("terra diff")) {
                        failures.push(format!("workflow line `{line}` exited {code}\n{stdout}{stderr}"));
                    }
                }
                let md = std::fs::read_to_string(p.join("terra-diff.md")).unwrap_or_default();
                if !md.starts_with("### terra diff `origin/main` → `HEAD`") {
                    failures.push(format!("the workflow's diff wrote\n{md}"));
                }
            }
            "json" => {
                let name = block.info.split_whitespace().nth(1).unwrap_or_else(|| panic!("line {}: ```json needs a command name", block.line));
                let documented: Json = serde_json::from_str(&block.text).unwrap_or_else(|e| panic!("line {}: not JSON: {e}", block.line));
                let (_, stdout, stderr) = shell(p, json_command(name));
                ran += 1;
                match serde_json::from_str::<Json>(&stdout) {
                    Ok(actual) => {
                        if documented["format_version"] != actual["format_version"] {
                            failures.push(format!("line {}: format_version differs", block.line));
                        }
                        if let Err(e) = same_keys(&documented, &actual, name) {
                            failures.push(format!("line {}: {e}", block.line));
                        }
                    }
                    Err(e) => failures.push(format!("line {}: `{}` printed no JSON ({e}): {stdout}{stderr}", block.line, json_command(name))),
                }
            }
            "text" | "toml" => {}
            other => failures.push(format!("line {}: unknown fence `{other}`", block.line)),
        }
    }
    assert!(ran >= 15, "only {ran} examples ran");
    assert!(failures.is_empty(), "{} example(s) of {DOC} fail:\n\n{}", failures.len(), failures.join("\n\n"));
}
