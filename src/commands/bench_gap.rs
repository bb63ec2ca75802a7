//! `terra bench gap`: the generalized assignment benchmarks.
//!
//! - Every OR-Library instance in a folder (gapN.txt with KNOWN.txt), both
//!   senses: terra's objective against the known optimum, terra's time for
//!   the whole pipeline (parse, check, load, lower, solve, verify) against
//!   HiGHS on the same MIP built directly, so that the language's overhead
//!   is a ratio measured in one run.
//! - Generated Martello–Toth type D instances up to 80 × 1,600: terra's
//!   objective against the LP bound, within a time limit.

use super::exit;
use super::solve::{load, solve_loaded, LimitMode};
use crate::generate::gap::{direct_model, generate_type_d, parse_known, parse_orlib, write_policy, GapInstance};
use crate::solve::{solve, solve_lp_relaxation, SolveOptions};
use crate::diagnostics::render::Format;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The type D sizes (agents, jobs) of the benchmark, by default.
pub const TYPE_D_SIZES: [(usize, usize); 4] = [(10, 100), (20, 200), (40, 400), (80, 1600)];

pub struct GapBenchArgs<'a> {
    /// Folder with gap1.txt … gap12.txt and KNOWN.txt.
    pub orlib: Option<&'a Path>,
    /// Timed runs per instance; the fastest counts.
    pub runs: usize,
    /// Seeds of the generated type D instances (one instance per size and seed).
    pub type_d_seeds: u64,
    /// Time limit of each type D solve, in seconds.
    pub type_d_time_limit: f64,
    /// (agents, jobs) of the type D instances.
    pub type_d_sizes: Vec<(usize, usize)>,
    pub threads: usize,
    /// Human (and GitHub) print tables as they go; JSON prints one document
    /// at the end.
    pub format: Format,
}

pub fn run(args: &GapBenchArgs) -> i32 {
    let scratch = Scratch::new();
    let mut failed = false;
    let mut report = json!({"format_version": super::review::FORMAT_VERSION, "command": "bench gap"});
    if let Some(dir) = args.orlib {
        match orlib(dir, args, &scratch) {
            Ok(summary) => {
                failed |= summary["reached"] != summary["instances"];
                report["orlib"] = summary;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::ERROR;
            }
        }
    }
    if args.type_d_seeds > 0 {
        match type_d(args, &scratch) {
            Ok(rows) => report["type_d"] = rows,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::ERROR;
            }
        }
    }
    if args.format == Format::Json {
        crate::outln!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    }
    if failed {
        exit::VIOLATED
    } else {
        exit::OK
    }
}

/// A folder for the generated policies, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        Scratch(std::env::temp_dir().join(format!("terra-bench-gap-{}", std::process::id())))
    }
    fn dir(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What terra made of one instance.
struct TerraRun {
    seconds: f64,
    objective: f64,
    gap: Option<f64>,
    /// The restriction that gave the plan, on the LP-first route.
    route: &'static str,
}

/// The whole pipeline on a policy folder written from the instance; the
/// objective is eval's, not the solver's.
fn terra_run(inst: &GapInstance, maximize: bool, name: &str, options: &SolveOptions, scratch: &Scratch) -> Result<TerraRun, String> {
    let dir = scratch.dir(name);
    write_policy(inst, maximize, name, &dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let started = Instant::now();
    let loaded = load(&dir.join("policy.terra")).map_err(|_| format!("{name}: the generated policy does not load"))?;
    let params = loaded.policy.params.iter().map(|p| p.value.clone()).collect();
    let mode = if options.time_limit.is_some() { LimitMode::Abandon } else { LimitMode::Wait };
    let solved = solve_loaded(&loaded, params, &loaded.data, options, None, &mut Default::default(), mode)
        .map_err(|_| format!("{name}: no plan"))?;
    let seconds = started.elapsed().as_secs_f64();
    let objective = solved.evaluation.terms.first().copied().unwrap_or(f64::NAN);
    let route = solved.restricted.as_ref().map_or("mip", |r| r.restriction);
    Ok(TerraRun { seconds, objective, gap: solved.result.gap, route })
}

fn orlib(dir: &Path, args: &GapBenchArgs, scratch: &Scratch) -> Result<Json, String> {
    let human = args.format != Format::Json;
    let mut rows = Vec::new();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {}: {e}", dir.join(name).display()));
    let known = parse_known(&read("KNOWN.txt")?).map_err(|e| format!("KNOWN.txt: {e}"))?;
    let options = SolveOptions { mip_gap: 0.0, threads: args.threads, ..Default::default() };
    if human {
        crate::outln!("OR-Library GAP, both senses; times are the fastest of {} runs", args.runs.max(1));
        crate::outln!("{:<10} {:<4} {:>8} {:>8} {:>6} {:>10} {:>10} {:>7}", "instance", "", "known", "terra", "", "terra s", "HiGHS s", "ratio");
    }
    let (mut terra_total, mut direct_total, mut reached, mut count) = (0.0, 0.0, 0, 0);
    let mut files: Vec<&str> = known.iter().map(|k| k.file.as_str()).collect();
    files.dedup();
    for file in files {
        let instances = parse_orlib(&read(&format!("{file}.txt"))?).map_err(|e| format!("{file}.txt: {e}"))?;
        for k in known.iter().filter(|k| k.file == file) {
            let inst = instances.get(k.problem - 1).ok_or_else(|| format!("{file}.txt has no problem {}", k.problem))?;
            let name = format!("{file}-{}-{}", k.problem, if k.maximize { "max" } else { "min" });
            let mut terra_best: Option<TerraRun> = None;
            let mut direct_best = f64::INFINITY;
            for _ in 0..args.runs.max(1) {
                let run = terra_run(inst, k.maximize, &name, &options, scratch)?;
                if terra_best.as_ref().is_none_or(|b| run.seconds < b.seconds) {
                    terra_best = Some(run);
                }
                let started = Instant::now();
                let model = direct_model(inst, k.maximize);
                solve(&model, &options).map_err(|e| format!("{name}: {e}"))?;
                direct_best = direct_best.min(started.elapsed().as_secs_f64());
            }
            let Some(terra) = terra_best else { continue };
            let hit = terra.objective == k.optimum;
            reached += usize::from(hit);
            count += 1;
            terra_total += terra.seconds;
            direct_total += direct_best;
            rows.push(json!({
                "instance": format!("{file}:{}", k.problem),
                "sense": if k.maximize { "max" } else { "min" },
                "known": k.optimum,
                "terra": terra.objective,
                "reached": hit,
                "terra_seconds": terra.seconds,
                "highs_seconds": direct_best,
            }));
            if !human {
                continue;
            }
            crate::outln!(
                "{:<10} {:<4} {:>8} {:>8} {:>6} {:>10.4} {:>10.4} {:>7.2}",
                format!("{file}:{}", k.problem),
                if k.maximize { "max" } else { "min" },
                k.optimum,
                terra.objective,
                if hit { "ok" } else { "MISSED" },
                terra.seconds,
                direct_best,
                terra.seconds / direct_best
            );
        }
    }
    if human {
        crate::outln!("known optima reached: {reached} of {count}");
        crate::outln!("total time: terra {terra_total:.3} s, HiGHS direct {direct_total:.3} s, overhead ratio {:.3}", terra_total / direct_total);
    }
    Ok(json!({
        "instances": count,
        "reached": reached,
        "terra_seconds": terra_total,
        "highs_seconds": direct_total,
        "overhead_ratio": terra_total / direct_total,
        "runs": rows,
    }))
}

fn type_d(args: &GapBenchArgs, scratch: &Scratch) -> Result<Json, String> {
    let human = args.format != Format::Json;
    let mut rows = Vec::new();
    if human {
        crate::outln!("type D (Martello–Toth), minimising; gap against the LP bound; limit {} s", args.type_d_time_limit);
        crate::outln!("{:<14} {:>5} {:>12} {:>12} {:>9} {:>9} {:>10}  route", "size", "seed", "terra", "LP bound", "gap", "proven", "seconds");
    }
    let options = SolveOptions { mip_gap: 1e-4, threads: args.threads, time_limit: Some(args.type_d_time_limit), ..Default::default() };
    for &(m, n) in &args.type_d_sizes {
        for seed in 1..=args.type_d_seeds {
            let inst = generate_type_d(m, n, seed);
            let name = format!("d-{m}x{n}-{seed}");
            let lp = solve_lp_relaxation(&direct_model(&inst, false), &SolveOptions { threads: args.threads, ..Default::default() })
                .map_err(|e| format!("{name}: {e}"))?;
            let bound = lp.objective.unwrap_or(f64::NAN);
            let outcome = terra_run(&inst, false, &name, &options, scratch);
            rows.push(match &outcome {
                Ok(run) => json!({"agents": m, "jobs": n, "seed": seed, "terra": run.objective, "lp_bound": bound, "gap_to_lp": (run.objective - bound) / bound.abs(), "proven_gap": run.gap, "seconds": run.seconds, "route": run.route}),
                Err(e) => json!({"agents": m, "jobs": n, "seed": seed, "error": e}),
            });
            if !human {
                continue;
            }
            match outcome {
                Ok(run) => crate::outln!(
                    "{:<14} {:>5} {:>12} {:>12.2} {:>8.3}% {:>8} {:>10.2}  {}",
                    format!("{m} x {n}"),
                    seed,
                    run.objective,
                    bound,
                    (run.objective - bound) / bound.abs() * 100.0,
                    run.gap.map_or("-".to_string(), |g| format!("{:.3}%", g * 100.0)),
                    run.seconds,
                    run.route
                ),
                Err(e) => crate::outln!("{:<14} {:>5} {e}", format!("{m} x {n}"), seed),
            }
        }
    }
    Ok(Json::Array(rows))
}

/// Parses `80x1600`: agents × jobs.
pub fn parse_size(text: &str) -> Result<(usize, usize), String> {
    let (m, n) = text.split_once(['x', 'X']).ok_or_else(|| format!("`{text}` is not AGENTSxJOBS, e.g. 80x1600"))?;
    let number = |t: &str| t.trim().parse::<usize>().ok().filter(|v| *v > 0).ok_or_else(|| format!("`{text}` is not AGENTSxJOBS, e.g. 80x1600"));
    Ok((number(m)?, number(n)?))
}
