//! A policy at a git revision: its text and its data files read with
//! `git show REV:./PATH` in their folder, solved once per content hash.
//! The revision `.` is the working tree, so that uncommitted edits can be
//! compared with a commit.

use super::plan::{cache_key, Cache, NoPlan, Plan};
use crate::commands::exit;
use crate::commands::sha256_hex;
use crate::diagnostics::messages::review as msg;
use crate::diagnostics::{SourceFile, Sources};
use crate::front::FrontEnd;
use crate::solve::SolveOptions;
use std::path::{Component, Path};
use std::process::Command;

/// The working tree, as a revision.
pub const WORKTREE: &str = ".";

/// A policy read at one revision.
pub struct PolicyAt {
    pub rev: String,
    /// How the policy is shown, e.g. `main:policy.terra`.
    pub shown: String,
    pub text: String,
    pub front: FrontEnd,
}

/// The bytes of `path` (relative to `dir`) at `rev`.
fn read_at(dir: &Path, rev: &str, path: &str) -> Result<Vec<u8>, (String, String)> {
    if rev == WORKTREE {
        return std::fs::read(dir.join(path)).map_err(|e| (format!("cannot read {}", dir.join(path).display()), e.to_string()));
    }
    let spec = format!("{rev}:./{path}");
    let output = Command::new("git").arg("-C").arg(dir).args(["show", "--no-textconv", &spec]).output();
    match output {
        Ok(o) if o.status.success() => Ok(o.stdout),
        Ok(o) => Err((format!("`git show {spec}` failed"), String::from_utf8_lossy(&o.stderr).to_string())),
        Err(e) => Err(("cannot run git".into(), e.to_string())),
    }
}

/// A data path that stays inside its folder.
fn is_local(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Reads and checks the policy at `rev`.
pub fn policy_at(rev: &str, policy: &Path) -> Result<PolicyAt, NoPlan> {
    let dir = crate::commands::policy_dir(policy);
    let name = policy.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let shown = if rev == WORKTREE { policy.to_string_lossy().to_string() } else { format!("{rev}:{}", policy.to_string_lossy()) };
    let bytes = read_at(dir, rev, &name).map_err(|(what, why)| {
        let mut sources = Sources::new();
        let file = sources.add(SourceFile::new(shown.clone(), String::new()));
        NoPlan::new(sources, vec![msg::git_failed(file, &what, &why)], exit::ERROR)
    })?;
    let text = String::from_utf8_lossy(&bytes).to_string();
    let front = crate::front::check_text(&shown, &text);
    Ok(PolicyAt { rev: rev.to_string(), shown, text, front })
}

/// The plan of `at` (or of one of its scenarios): from the cache when the
/// same policy, data, scenario and solver options were solved before;
/// otherwise the files are written to a scratch folder in the cache,
/// loaded, solved and re-checked like `terra solve`, and the plan cached.
pub fn plan_at(at: &PolicyAt, data_dir: &Path, scenario: Option<&str>, options: &SolveOptions, cache: &Cache) -> Result<Plan, NoPlan> {
    let Some(policy) = &at.front.policy else {
        return Err(NoPlan::new(at.front.sources.clone(), at.front.diagnostics.clone(), exit::ERROR));
    };
    let wanted: Vec<(&str, crate::syntax::ast::Span)> = policy
        .schema
        .entities
        .iter()
        .map(|e| (e.file.as_str(), e.file_span))
        .chain(policy.schema.tables.iter().map(|t| (t.file.as_str(), t.file_span)))
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (path, span) in wanted {
        if !is_local(path) {
            return Err(NoPlan::new(at.front.sources.clone(), vec![msg::unsafe_data_path(at.front.file, span, path)], exit::ERROR));
        }
        if files.iter().any(|(p, _)| p == path) {
            continue;
        }
        match read_at(data_dir, &at.rev, path) {
            Ok(bytes) => files.push((path.to_string(), bytes)),
            Err((what, why)) => return Err(NoPlan::new(at.front.sources.clone(), vec![msg::git_failed(at.front.file, &what, &why)], exit::ERROR)),
        }
    }
    let hashes: Vec<(String, String)> = files.iter().map(|(p, b)| (p.clone(), sha256_hex(b))).collect();
    let key = cache_key(&sha256_hex(at.text.as_bytes()), &hashes, scenario, options);
    if let Some(plan) = cache.get(&key) {
        return Ok(plan);
    }
    let scratch = cache.dir.join(format!("scratch-{key}-{}", std::process::id()));
    let result = solve_in(at, &scratch, &files, scenario, options);
    let _ = std::fs::remove_dir_all(&scratch);
    let plan = result?;
    cache.put(&key, &plan);
    Ok(plan)
}

fn solve_in(at: &PolicyAt, scratch: &Path, files: &[(String, Vec<u8>)], scenario: Option<&str>, options: &SolveOptions) -> Result<Plan, NoPlan> {
    for (path, bytes) in files {
        let target = scratch.join(path);
        let written = target.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| std::fs::write(&target, bytes));
        if let Err(e) = written {
            let mut sources = Sources::new();
            let file = sources.add(SourceFile::new(at.shown.clone(), String::new()));
            let d = crate::diagnostics::messages::run::io_error(file, Default::default(), &format!("cannot write {}: {e}", target.display()));
            return Err(NoPlan::new(sources, vec![d], exit::ERROR));
        }
    }
    let loaded = crate::commands::solve::load_text(&at.shown, &at.text, scratch).map_err(|(s, d)| NoPlan::new(s, d, exit::ERROR))?;
    super::plan::solve_plan(&loaded, scenario, options)
}
