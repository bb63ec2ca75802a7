//! `terra bench`: timings that performance targets are measured by. They
//! print figures; no test asserts a time.

use super::exit;
use crate::diagnostics::render::Format;
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Peak resident memory of this process so far, in MiB (Linux only).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn stats(samples: &mut [f64]) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len().max(1) as f64;
    let mean = samples.iter().sum::<f64>() / n;
    (samples.first().copied().unwrap_or(0.0), samples[samples.len() / 2], mean)
}

/// Parse + check of one policy, `runs` times.
pub fn check(policy: &Path, runs: usize, format: Format) -> i32 {
    let Ok(text) = std::fs::read_to_string(policy) else {
        eprintln!("error: cannot read {}", policy.display());
        return exit::ERROR;
    };
    let shown = policy.to_string_lossy().to_string();
    let mut parse_check = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let front = crate::front::check_text(&shown, &text);
        parse_check.push(started.elapsed().as_secs_f64() * 1000.0);
        if front.policy.is_none() {
            eprintln!("error: {shown} has errors; run `terra check`");
            return exit::ERROR;
        }
    }
    let (min, median, mean) = stats(&mut parse_check);
    match format {
        Format::Human => crate::outln!("bench check {shown}: {} runs, parse+check min {min:.3} ms, median {median:.3} ms, mean {mean:.3} ms", parse_check.len()),
        Format::Github => crate::outln!("| bench check | runs | min ms | median ms | mean ms |\n|---|---:|---:|---:|---:|\n| {shown} | {} | {min:.3} | {median:.3} | {mean:.3} |", parse_check.len()),
        Format::Json => {
            let value = json!({"format_version": super::review::FORMAT_VERSION, "command": "bench check", "policy": shown, "runs": parse_check.len(), "min_ms": min, "median_ms": median, "mean_ms": mean});
            crate::out!("{}", super::review::json_text(&value));
        }
    }
    exit::OK
}

/// The whole pipeline once, with per-stage wall time and peak memory.
/// Seconds allowed to the separate presolve that measures the presolved size.
const PRESOLVE_LIMIT: f64 = 30.0;

pub fn solve(policy: &Path, options: &crate::solve::SolveOptions, format: Format) -> i32 {
    let total = Instant::now();
    let loaded = match super::solve::load(policy) {
        Ok(l) => l,
        Err((sources, d)) => {
            super::emit(&d, &sources, crate::diagnostics::render::Format::Human);
            return exit::ERROR;
        }
    };
    let rss_loaded = peak_rss_mib();
    let params = loaded.policy.params.iter().map(|p| p.value.clone()).collect();
    eprintln!("bench solve {} (stages as they complete)", policy.display());
    let mut timings = super::solve::Stages { list: Vec::new(), live: true };
    for &(name, s) in &loaded.timings {
        timings.push(name, s);
    }
    if let Some(rss) = rss_loaded {
        eprintln!("  peak RSS     {rss:.0} MiB after load");
    }
    let result = super::solve::solve_loaded(&loaded, params, &loaded.data, options, None, &mut timings, super::solve::LimitMode::Abandon);
    // The write stage: the plan written as `terra solve` writes it, into a
    // scratch folder removed afterwards.
    if let Ok(solved) = &result {
        let scratch = std::env::temp_dir().join(format!("terra-bench-{}", std::process::id()));
        let provenance = super::solve::Provenance { loaded: &loaded, scenario: None, options };
        let started = Instant::now();
        let written = std::fs::create_dir_all(&scratch).map_err(|e| e.to_string()).and_then(|()| super::solve::write_plan(&provenance, &loaded.data, solved, &scratch));
        let seconds = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&scratch);
        match written {
            Ok(_) => timings.push("write", seconds),
            Err(message) => eprintln!("warning: the write stage failed: {message}"),
        }
    }
    // Before the separate presolve below, which is not part of the pipeline.
    let rss_solved = peak_rss_mib();
    let total_seconds = total.elapsed().as_secs_f64();
    let status = match &result {
        Ok(solved) => format!("{:?}", solved.result.status),
        Err(_) => "no plan".to_string(),
    };
    // Pairs before pruning: every assignable row with every target.
    let unpruned = loaded.policy.assignment.as_ref().zip(result.as_ref().ok()).map(|(a, solved)| {
        let rows = solved.lowered.candidates.assignable.iter().filter(|&&x| x).count();
        rows * loaded.data.entities[a.target].len()
    });
    // HiGHS's presolve of the whole model, measured apart (not a stage: the
    // LP-first route presolves only the small restricted models).
    let presolved = result.as_ref().ok().and_then(|solved| {
        let presolve_options = crate::solve::SolveOptions { time_limit: Some(PRESOLVE_LIMIT), ..options.clone() };
        crate::solve::presolved_size(&solved.lowered.model, &presolve_options).ok().flatten()
    });
    if format != Format::Human {
        let model = result.as_ref().ok().map(|solved| {
            let m = &solved.lowered.model;
            json!({"assigned_rows": solved.lowered.candidates.must_assign.len(), "pairs_before_pruning": unpruned, "candidate_pairs": solved.lowered.candidates.len(), "rows": m.num_rows(), "columns": m.num_cols(), "nonzeros": m.num_nonzeros(), "presolved": presolved, "lp_first": solved.restricted})
        });
        let gap = result.as_ref().ok().and_then(|s| s.result.gap);
        let value = json!({
            "format_version": super::review::FORMAT_VERSION,
            "command": "bench solve",
            "policy": policy.to_string_lossy(),
            "stages": timings.list.iter().map(|(n, s)| json!({"name": n, "seconds": s})).collect::<Vec<_>>(),
            "model": model,
            "status": status,
            "gap": gap,
            "total_seconds": total_seconds,
            "peak_rss_mib": rss_solved,
        });
        if format == Format::Json {
            crate::out!("{}", super::review::json_text(&value));
        } else {
            crate::outln!("| bench solve {} | seconds |\n|---|---:|", policy.display());
            for (name, s) in &timings.list {
                crate::outln!("| {name} | {s:.3} |");
            }
            crate::outln!("| total | {total_seconds:.3} |\n\nstatus: {status}");
        }
        return exit::OK;
    }
    crate::outln!("bench solve {}", policy.display());
    for (name, s) in &timings.list {
        crate::outln!("  {name:<12} {:>9.3} s", s);
    }
    match result {
        Ok(solved) => {
            let m = &solved.lowered.model;
            let pairs: usize = solved.lowered.candidates.must_assign.len();
            crate::outln!("  model        {} assigned rows, {} candidate pairs, {} rows, {} columns, {} nonzeros", pairs, solved.lowered.candidates.len(), m.num_rows(), m.num_cols(), m.num_nonzeros());
            if let Some(unpruned) = unpruned {
                crate::outln!("  pruning      {unpruned} pairs before, {} after", solved.lowered.candidates.len());
            }
            match presolved {
                Some(p) => crate::outln!("  presolved    {} rows, {} columns, {} nonzeros (HiGHS presolve of the whole model)", p.rows, p.columns, p.nonzeros),
                None => crate::outln!("  presolved    - (HiGHS presolve did not finish within {PRESOLVE_LIMIT} s)"),
            }
            if let Some(r) = &solved.restricted {
                crate::outln!(
                    "  LP first     LP {:.3} s ({} pairs split); MIP {:.3} s on {} of {} columns ({}){}",
                    r.lp_seconds,
                    r.lp_fractional,
                    r.mip_seconds,
                    r.columns_kept,
                    r.columns_kept + r.columns_dropped,
                    r.restriction,
                    if r.proven_by_reduced_costs { ", optimal by reduced costs" } else { "" }
                );
                if let Some(l) = &r.lns {
                    crate::outln!("  search       {} rounds, {} improved the plan, {:.3} s", l.rounds, l.improved, l.seconds);
                }
            }
            crate::outln!("  status       {:?}, stopped by {:?}, gap {}", solved.result.status, solved.result.stop_reason, solved.result.gap.map_or("-".into(), |g| format!("{:.4}%", g * 100.0)));
        }
        Err(_) => crate::outln!("  status       no plan (infeasible, no solution within the limit, or rejected)"),
    }
    crate::outln!("  total        {total_seconds:>9.3} s");
    if let (Some(a), Some(b)) = (rss_loaded, rss_solved) {
        crate::outln!("  peak RSS     {a:.0} MiB after load, {b:.0} MiB at the end");
    }
    exit::OK
}
