//! `terra.toml`, the project file: the default policy, the data folder, the
//! output folder and the solver options, so that `terra solve` with no
//! arguments works anywhere inside a project folder (found like cargo finds
//! Cargo.toml: in the current folder or the nearest parent).

use crate::diagnostics::messages::review as msg;
use crate::diagnostics::{Diagnostic, SourceFile, Sources};
use crate::syntax::ast::Span;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "terra.toml";

/// The policy a command uses outside a project when none is named.
pub const CONVENTIONAL_POLICY: &str = "policy.terra";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    policy: Option<String>,
    data: Option<String>,
    out: Option<String>,
    solver: Option<SolverFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SolverFile {
    time_limit: Option<toml::Spanned<f64>>,
    gap: Option<toml::Spanned<Fraction>>,
    threads: Option<usize>,
    seed: Option<i32>,
    node_limit: Option<u64>,
}

/// `gap = 0.005` or `gap = "0.5%"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Fraction {
    Number(f64),
    Text(String),
}

/// Solver options as a project file or the command line sets them; unset
/// ones fall back (command line, then project, then terra's defaults).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SolverSettings {
    pub time_limit: Option<f64>,
    pub gap: Option<f64>,
    pub threads: Option<usize>,
    pub seed: Option<i32>,
    pub node_limit: Option<u64>,
}

impl SolverSettings {
    /// Each option of `self`, or of `base` where `self` leaves it unset.
    pub fn over(&self, base: &SolverSettings) -> SolverSettings {
        SolverSettings {
            time_limit: self.time_limit.or(base.time_limit),
            gap: self.gap.or(base.gap),
            threads: self.threads.or(base.threads),
            seed: self.seed.or(base.seed),
            node_limit: self.node_limit.or(base.node_limit),
        }
    }

    pub fn options(&self, verbose: bool) -> crate::solve::SolveOptions {
        let defaults = crate::solve::SolveOptions::default();
        crate::solve::SolveOptions {
            time_limit: self.time_limit,
            mip_gap: self.gap.unwrap_or(defaults.mip_gap),
            threads: self.threads.unwrap_or(defaults.threads),
            seed: self.seed.unwrap_or(defaults.seed),
            node_limit: self.node_limit,
            verbose,
            progress: !verbose,
            ..defaults
        }
    }
}

/// A project file, with its paths made relative to the current folder.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The folder of terra.toml, as the user should see it ("" for the
    /// current folder).
    pub root: PathBuf,
    pub policy: Option<PathBuf>,
    pub data: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub solver: SolverSettings,
}

/// What a command works on, after the project file filled the gaps.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub policy: PathBuf,
    /// The project's data folder, when the policy is the project's own.
    pub data_dir: Option<PathBuf>,
    pub out: PathBuf,
    pub project: Option<Project>,
}

impl Resolved {
    /// The command line's solver options over the project's.
    pub fn solver(&self, command_line: &SolverSettings) -> SolverSettings {
        command_line.over(&self.project.as_ref().map(|p| p.solver.clone()).unwrap_or_default())
    }

    /// Where solved plans are cached: `.terra/cache` in the project folder,
    /// or beside the policy outside a project.
    pub fn cache_dir(&self) -> PathBuf {
        let base = match &self.project {
            Some(p) => p.root.clone(),
            None => crate::commands::policy_dir(&self.policy).to_path_buf(),
        };
        base.join(".terra").join("cache")
    }
}

/// Reads `percent or fraction` text such as `1%` or `0.01`.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let (number, factor) = match s.trim().strip_suffix('%') {
        Some(n) => (n, 0.01),
        None => (s, 1.0),
    };
    number.trim().parse::<f64>().map(|v| v * factor).map_err(|_| format!("`{s}` is not a number or a percent"))
}

/// The nearest terra.toml from `start` up; `Ok(None)` when there is none.
pub fn find(start: &Path) -> Result<Option<Project>, (Sources, Vec<Diagnostic>)> {
    for (ups, dir) in start.ancestors().enumerate() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            let root: PathBuf = (0..ups).map(|_| "..").collect();
            return read(&candidate, &root).map(Some);
        }
    }
    Ok(None)
}

/// Reads one project file; `root` is how its folder is shown.
pub fn read(path: &Path, root: &Path) -> Result<Project, (Sources, Vec<Diagnostic>)> {
    let shown = root.join(FILE_NAME).to_string_lossy().to_string();
    let mut sources = Sources::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let file = sources.add(SourceFile::new(shown.clone(), String::new()));
            let d = crate::diagnostics::messages::run::io_error(file, Span::default(), &format!("cannot read {shown}: {e}"));
            return Err((sources, vec![d]));
        }
    };
    let file = sources.add(SourceFile::new(shown, text.clone()));
    let fail = |sources: Sources, span: Span, what: &str| Err((sources, vec![msg::bad_project_file(file, span, what)]));
    let parsed: ProjectFile = match toml::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            let span = e.span().map_or(Span::default(), |r| Span::new(r.start, r.end));
            return fail(sources, span, e.message().trim());
        }
    };
    let mut solver = SolverSettings::default();
    if let Some(s) = parsed.solver {
        if let Some(limit) = s.time_limit {
            if !(limit.get_ref().is_finite() && *limit.get_ref() > 0.0) {
                let r = limit.span();
                return fail(sources, Span::new(r.start, r.end), "`time_limit` is a positive number of seconds");
            }
            solver.time_limit = Some(*limit.get_ref());
        }
        if let Some(gap) = s.gap {
            let r = gap.span();
            let value = match gap.get_ref() {
                Fraction::Number(v) => Ok(*v),
                Fraction::Text(t) => parse_fraction(t),
            };
            match value {
                Ok(v) if (0.0..=1.0).contains(&v) => solver.gap = Some(v),
                Ok(_) => return fail(sources, Span::new(r.start, r.end), "`gap` is a fraction between 0 and 1, e.g. 0.005 or \"0.5%\""),
                Err(why) => return fail(sources, Span::new(r.start, r.end), &why),
            }
        }
        solver.threads = s.threads;
        solver.seed = s.seed;
        solver.node_limit = s.node_limit;
    }
    Ok(Project {
        root: root.to_path_buf(),
        policy: parsed.policy.map(|p| root.join(p)),
        data: parsed.data.map(|p| root.join(p)),
        out: parsed.out.map(|p| root.join(p)),
        solver,
    })
}

/// The policy, data folder and output folder of a command: the command
/// line first, then the project file, then `default_policy` (or
/// `policy.terra` when it exists) and `out`. The
/// project's data folder applies only to the project's own policy.
/// `resolve`, then the policy and its data loaded; problems (and the
/// data's warnings) are emitted in `format`. `Err` is the exit code.
pub fn resolve_and_load(
    command: &str,
    policy: Option<PathBuf>,
    out: Option<PathBuf>,
    format: crate::diagnostics::render::Format,
) -> Result<(Resolved, crate::commands::solve::Loaded), i32> {
    use crate::commands::{emit, exit};
    let resolved = resolve(command, policy, out, None).map_err(|(sources, d)| {
        emit(&d, &sources, format);
        exit::ERROR
    })?;
    let loaded = crate::commands::solve::load_from(&resolved.policy, resolved.data_dir.as_deref()).map_err(|(sources, d)| {
        emit(&d, &sources, format);
        exit::ERROR
    })?;
    emit(&loaded.warnings, &loaded.sources, format.min_human());
    Ok((resolved, loaded))
}

pub fn resolve(command: &str, policy: Option<PathBuf>, out: Option<PathBuf>, default_policy: Option<&str>) -> Result<Resolved, (Sources, Vec<Diagnostic>)> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let project = find(&cwd)?;
    let from_project = project.as_ref().and_then(|p| p.policy.clone());
    let (policy, data_dir) = match (policy, from_project) {
        (Some(given), project_policy) => {
            let same = project_policy.as_ref().is_some_and(|p| same_file(p, &given));
            let data = if same { project.as_ref().and_then(|p| p.data.clone()) } else { None };
            (given, data)
        }
        (None, Some(p)) => (p, project.as_ref().and_then(|p| p.data.clone())),
        (None, None) => match default_policy {
            Some(d) => (PathBuf::from(d), None),
            None if Path::new(CONVENTIONAL_POLICY).is_file() => (PathBuf::from(CONVENTIONAL_POLICY), None),
            None => {
                let mut sources = Sources::new();
                let file = sources.add(SourceFile::new("command line", String::new()));
                return Err((sources, vec![msg::no_policy(file, command)]));
            }
        },
    };
    let out = out.or_else(|| project.as_ref().and_then(|p| p.out.clone())).unwrap_or_else(|| PathBuf::from("out"));
    Ok(Resolved { policy, data_dir, out, project })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
