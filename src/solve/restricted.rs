//! Large assignment models: the LP relaxation first, then the MIP on the
//! columns the LP points at, with a bound that stays valid for the whole
//! model.
//!
//! HiGHS's MIP stalls on hundreds of thousands of assignment binaries (clique
//! table, presolve), while the LP relaxation of the same model solves, and
//! leaves few assignments split. So:
//!
//! 1. solve the LP relaxation of the whole model; its objective bounds the
//!    MIP (and an infeasible LP proves the MIP infeasible);
//! 2. keep, in every assignment group, the columns the LP uses plus the
//!    `keep_best` with the best reduced cost, and drop the rest;
//! 3. solve the MIP on the kept columns: each of its plans is a plan of the
//!    whole model, since dropped columns are simply 0.
//!
//! The bound reported is valid for the whole model: a plan that uses no
//! dropped column is bounded by the restricted MIP's own bound; one that uses
//! a dropped column j costs at least `z_LP + d_j` (d_j its reduced cost, the
//! column at its lower bound 0 in the optimal LP). So the bound is
//! `max(z_LP, min(restricted bound, z_LP + min dropped d_j))` (minimising).
//! When every dropped column's reduced cost exceeds the restricted plan's
//! distance to the LP bound, the restricted optimum is the full optimum.

use std::ops::Range;
use std::time::Instant;

use serde::Serialize;

use super::lns::{LnsReport, Search};
use super::crash::{group_crash, group_of_columns, group_row_mask, group_rows};
use super::{solve, solve_lp_relaxation_from, LinearModel, SolveError, SolveOptions, SolveResult, SolveStatus, StopReason};

/// What the restricted solve did, for benchmarks and plan.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestrictedReport {
    /// Objective of the LP relaxation of the whole model (the model's sense).
    pub lp_objective: f64,
    pub lp_seconds: f64,
    /// Assignment columns split by the LP (strictly between 0 and 1).
    pub lp_fractional: usize,
    pub columns_kept: usize,
    pub columns_dropped: usize,
    pub mip_seconds: f64,
    /// The restricted MIP's optimum is proven optimal for the whole model.
    pub proven_by_reduced_costs: bool,
    /// Which restriction gave the plan: "split_rows" (only the rows the LP
    /// split), "least_regret" (and the settled rows cheapest to move),
    /// "balanced_regret" (and, in every target's rows, the cheapest to
    /// leave), "neighbours" (and those sharing a local row with them) or
    /// "promising" (every row, among its best columns).
    pub restriction: &'static str,
    /// The neighbourhood search that improved the restricted plan, if any ran.
    pub lns: Option<LnsReport>,
}

/// A row is local when it holds at most 1/this of the assignment columns.
const LOCAL_ROW_FRACTION: usize = 20;

/// The least-regret restriction frees 1/this of the groups, and at least
/// `REGRET_MIN`.
const REGRET_FRACTION: usize = 10;
const REGRET_MIN: usize = 200;

/// The `promising` restriction keeps at least this many columns per group
/// (the LP's own, and the best by reduced cost).
const PROMISING_BEST: usize = 5;

/// The `promising` restriction is tried first when it keeps at most this
/// many columns.
const PROMISING_FIRST_MAX: usize = 20_000;

/// Seconds at most for the search of a first plan with no objective.
const FEASIBILITY_LIMIT: f64 = 15.0;

/// Tolerance under which an LP value counts as 0.
const LP_ZERO: f64 = 1e-6;

/// Solves `model` through the LP relaxation and small MIPs around the LP's
/// solution (see the module comment). `groups` are disjoint column ranges
/// of 0/1 columns, at most one of which is 1 per group (the assignment
/// rows). Falls back to the plain MIP when the LP does not reach optimality.
pub fn solve_restricted(
    model: &LinearModel,
    groups: &[Range<usize>],
    keep_best: usize,
    options: &SolveOptions,
) -> Result<(SolveResult, Option<RestrictedReport>), SolveError> {
    let started = Instant::now();
    let lp_options = SolveOptions { start: None, ..options.clone() };
    // From the crash basis, not the slack basis: about half the simplex
    // iterations on large assignment models (see `crash`).
    let lp = solve_lp_relaxation_from(model, &lp_options, &group_crash(model, groups))?;
    let lp_seconds = started.elapsed().as_secs_f64();
    match lp.status {
        // No LP solution: no MIP solution either.
        SolveStatus::Infeasible => return Ok((SolveResult { nodes: 0, ..lp }, None)),
        SolveStatus::Optimal if !lp.col_dual.is_empty() && lp.objective.is_some() => {}
        // Unbounded, or a limit came first: the plain MIP decides.
        _ => return Ok((solve(model, &remaining(options, started))?, None)),
    }
    let lp_objective = lp.objective.unwrap_or_default();
    // Work in the minimising sense: `sign * objective` is minimised.
    let sign = if model.maximize { -1.0 } else { 1.0 };
    let reduced = |j: usize| sign * lp.col_dual[j];
    let split = |j: usize| lp.col_value[j] > LP_ZERO && lp.col_value[j] < 1.0 - LP_ZERO;
    let lp_fractional = groups.iter().flat_map(|g| g.clone()).filter(|&j| split(j)).count();

    // Each group's columns, best reduced cost first.
    let ranked: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let mut cols: Vec<usize> = g.clone().collect();
            cols.sort_by(|&a, &b| reduced(a).total_cmp(&reduced(b)).then(a.cmp(&b)));
            cols
        })
        .collect();
    // A MIP start's columns stay free, so that the start stays a plan.
    let started_at = |j: usize| options.start.as_ref().is_some_and(|s| s[j] > 0.5);
    let promising_best = |keep: &mut [Keep], cols: &[usize], best: usize| {
        for (rank, &j) in cols.iter().enumerate() {
            let wanted = rank < best || lp.col_value[j] > LP_ZERO || started_at(j);
            keep[j] = if wanted { Keep::Free } else { Keep::Fixed(0.0) };
        }
    };
    let promising = |keep: &mut [Keep], cols: &[usize]| promising_best(keep, cols, keep_best);

    // First: keep the groups the LP settled (one column at 1, or none) as
    // they are, and solve only the split groups: a small MIP.
    let mut settled_keep = vec![Keep::Free; model.num_cols()];
    for cols in &ranked {
        if cols.iter().any(|&j| split(j)) {
            promising(&mut settled_keep, cols);
        } else {
            for &j in cols {
                settled_keep[j] = Keep::Fixed(if lp.col_value[j] >= 1.0 - LP_ZERO { 1.0 } else { 0.0 });
            }
        }
    }
    // Next: also free the settled groups that share a local row (one that
    // holds few of the model's columns, e.g. one target's capacity) with a
    // split column, so that the rounding has room to move.
    let group_of = group_of_columns(model.num_cols(), groups);
    let group_columns: usize = groups.iter().map(|g| g.len()).sum();
    let local_row = |i: usize| model.row_start[i + 1] - model.row_start[i] <= group_columns / LOCAL_ROW_FRACTION;
    let mut is_split_column = vec![false; model.num_cols()];
    for cols in ranked.iter().filter(|cols| cols.iter().any(|&j| split(j))) {
        for &j in cols {
            is_split_column[j] = true;
        }
    }
    let mut near = vec![false; groups.len()];
    for i in (0..model.num_rows()).filter(|&i| local_row(i)) {
        let entries = model.row_start[i]..model.row_start[i + 1];
        if entries.clone().any(|k| is_split_column[model.row_index[k]] && lp.col_value[model.row_index[k]] > LP_ZERO) {
            for k in entries {
                let j = model.row_index[k];
                if group_of[j] != usize::MAX && lp.col_value[j] > LP_ZERO {
                    near[group_of[j]] = true;
                }
            }
        }
    }
    let mut near_keep = settled_keep.clone();
    for (gi, cols) in ranked.iter().enumerate() {
        if near[gi] {
            promising(&mut near_keep, cols);
        }
    }
    // Or: free, besides, the settled groups whose next-best choice is
    // nearly as good (least regret), which gives the rounding room to move
    // where it is cheapest. Half are chosen by their columns alone (moves
    // between targets), half counting "none" too for optional groups (what
    // fills or frees capacity): an optional group moves to none at no cost
    // when the LP leaves it empty, else at the price of its row (its dual).
    let group_row = group_rows(model, groups, &group_of);
    let none_cost = |g: usize| {
        let row = group_row[g].filter(|&i| model.row_lower[i] < 1.0 && !lp.row_dual.is_empty())?;
        let filled: f64 = groups[g].clone().map(|j| lp.col_value[j]).sum();
        Some(if filled <= LP_ZERO { 0.0 } else { (-sign * lp.row_dual[row]).max(0.0) })
    };
    let regret_of = |g: usize, with_none: bool| {
        let none = if with_none { none_cost(g) } else { None };
        let mut rc: Vec<f64> = ranked[g].iter().map(|&j| reduced(j)).chain(none).collect();
        rc.sort_by(f64::total_cmp);
        match rc.len() {
            0 | 1 => f64::INFINITY,
            _ => rc[1] - rc[0],
        }
    };
    let settled_groups: Vec<usize> = (0..groups.len()).filter(|&g| !ranked[g].iter().any(|&j| split(j))).collect();
    let by_regret = |with_none: bool| {
        let mut order: Vec<(f64, usize)> = settled_groups.iter().map(|&g| (regret_of(g, with_none), g)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        order.into_iter().map(|(_, g)| g)
    };
    let free_count = (groups.len() / REGRET_FRACTION).max(REGRET_MIN).min(settled_groups.len());
    // A restriction that frees `settled` groups, at most `free_count`.
    struct Freeing {
        keep: Vec<Keep>,
        freed: Vec<bool>,
        count: usize,
    }
    let freeing = || Freeing { keep: settled_keep.clone(), freed: vec![false; groups.len()], count: 0 };
    let free = |f: &mut Freeing, g: usize| {
        if !f.freed[g] && f.count < free_count {
            f.freed[g] = true;
            f.count += 1;
            promising(&mut f.keep, &ranked[g]);
        }
    };
    // least_regret: the least regret overall, half counting "none".
    let mut regret = freeing();
    for g in by_regret(true).take(free_count / 2).chain(by_regret(false)) {
        free(&mut regret, g);
    }
    // balanced_regret: first, in every local row (a target's capacity,
    // book, load), the groups it holds in the LP that leave it at the least
    // regret, so that every target has room to move, which rounding its
    // balance rows needs; then the least regret overall.
    let mut is_settled = vec![false; groups.len()];
    for &g in &settled_groups {
        is_settled[g] = true;
    }
    let members = |i: usize| {
        let mut gs: Vec<usize> = (model.row_start[i]..model.row_start[i + 1])
            .map(|k| model.row_index[k])
            .filter(|&j| group_of[j] != usize::MAX && lp.col_value[j] > LP_ZERO && is_settled[group_of[j]])
            .map(|j| group_of[j])
            .collect();
        gs.sort_unstable();
        gs.dedup();
        gs
    };
    let holding: Vec<Vec<usize>> = (0..model.num_rows()).filter(|&i| local_row(i)).map(members).filter(|gs| !gs.is_empty()).collect();
    let per_row = (free_count / 2 / holding.len().max(1)).max(1);
    let mut balanced = freeing();
    for gs in &holding {
        let mut by_leaving: Vec<(f64, usize)> = gs.iter().map(|&g| (regret_of(g, true), g)).collect();
        by_leaving.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, g) in by_leaving.iter().take(per_row) {
            free(&mut balanced, g);
        }
    }
    // Then, if that finds no plan: every group free among its promising
    // columns. Here the restricted MIP's bound plus the reduced costs of the
    // dropped columns give a valid bound (module comment).
    let mut promising_keep = vec![Keep::Free; model.num_cols()];
    for cols in &ranked {
        promising_best(&mut promising_keep, cols, keep_best.max(PROMISING_BEST));
    }

    let lp_bound = sign * lp_objective;
    let mut report = RestrictedReport {
        lp_objective,
        lp_seconds,
        lp_fractional,
        columns_kept: 0,
        columns_dropped: 0,
        mip_seconds: 0.0,
        proven_by_reduced_costs: false,
        restriction: "none",
        lns: None,
    };
    let mip_started = Instant::now();
    // Each restriction, and whether to look for a first plan with the
    // objective set aside before solving it: in the wide ones HiGHS's root
    // (cuts, heuristics) takes long before it has any plan.
    let mut order = [
        (&settled_keep, "split_rows", false),
        (&regret.keep, "least_regret", false),
        (&balanced.keep, "balanced_regret", true),
        (&near_keep, "neighbours", true),
        (&promising_keep, "promising", false),
    ];
    // When every row among its promising columns is a small MIP, it goes
    // first: it keeps every row free, so its optimum is the closest to the
    // LP bound, and its bound is valid for the whole model.
    if promising_keep.iter().filter(|&&k| k == Keep::Free).count() <= PROMISING_FIRST_MAX {
        order.rotate_right(1);
    }
    for (keep, restriction, feasibility_first) in order {
        report.restriction = restriction;
        let bound_from_reduced_costs = restriction == "promising";
        let (restricted, kept) = restrict(model, keep);
        report.columns_kept = kept.len();
        report.columns_dropped = model.num_cols() - kept.len();
        let mut mip_options = remaining(options, started);
        // Stop once the plan is within the requested gap of the whole LP's
        // bound: the restricted MIP's own bound cannot improve on that.
        mip_options.known_bound = Some(lp_objective);
        // The start, on the kept columns; dropped only if it uses a fixed one.
        mip_options.start = options.start.as_ref().and_then(|start| {
            let consistent = (0..model.num_cols()).all(|j| match keep[j] {
                Keep::Fixed(v) => (start[j] - v).abs() < 0.5 || !model.col_integer[j],
                Keep::Free => true,
            });
            consistent.then(|| kept.iter().map(|&j| start[j]).collect())
        });
        let mut result = if mip_options.start.is_none() && feasibility_first {
            // Look for a plan close to the LP's answer (the objective counts
            // the assignments that differ from it), then improve it by
            // neighbourhood search: HiGHS's root on the whole restriction
            // with the real objective can take a minute before its first
            // plan, and its plans are far from the LP's. On na-fy27 with
            // seed 28 the plan nearest the LP is 1.5 % above its bound.
            let distance: Vec<f64> = kept
                .iter()
                .map(|&j| match model.col_integer[j] {
                    false => 0.0,
                    true if lp.col_value[j] >= 1.0 - LP_ZERO => -1.0,
                    true if lp.col_value[j] <= LP_ZERO => 1.0,
                    true => 0.0,
                })
                .collect();
            let feasibility = LinearModel { col_cost: distance, offset: 0.0, maximize: false, ..restricted.clone() };
            let mut feasibility_options = mip_options.clone();
            feasibility_options.known_bound = None;
            // Under a work limit, no wall-clock cap: the plan must not
            // depend on the machine.
            if options.node_limit.is_none() {
                feasibility_options.time_limit = Some(mip_options.time_limit.unwrap_or(f64::INFINITY).min(FEASIBILITY_LIMIT));
            }
            let found = solve(&feasibility, &feasibility_options)?;
            if found.stop_reason == StopReason::Infeasible {
                continue;
            }
            // The real objective of the plan found, if any; the bound found
            // is the distance's, so it is dropped.
            let objective = (!found.col_value.is_empty())
                .then(|| restricted.objective_at(&found.col_value));
            SolveResult { objective, dual_bound: None, ..found }
        } else {
            solve(&restricted, &mip_options)?
        };
        report.mip_seconds = mip_started.elapsed().as_secs_f64();
        let Some(objective) = result.objective.filter(|_| !result.col_value.is_empty()) else {
            if result.stop_reason == StopReason::Infeasible {
                continue;
            }
            // A limit came first.
            result.dual_bound = Some(lp_objective);
            return Ok((result, Some(report)));
        };
        result.col_value = expand(model, keep, &kept, &result.col_value);
        let mut objective_min = sign * objective;
        let mut bound = lp_bound;
        if bound_from_reduced_costs {
            let least_dropped = (0..model.num_cols())
                .filter(|&j| keep[j] != Keep::Free)
                .map(reduced)
                .fold(f64::INFINITY, f64::min);
            report.proven_by_reduced_costs = least_dropped >= objective_min - lp_bound;
            if let Some(restricted_bound) = result.dual_bound {
                bound = bound.max((sign * restricted_bound).min(lp_bound + least_dropped));
            }
        }
        let within_gap = |objective_min: f64| relative_gap(objective_min, bound.min(objective_min)).is_some_and(|g| g <= options.mip_gap);
        // Not close enough yet: improve the plan by neighbourhood search.
        if !within_gap(objective_min) && !report.proven_by_reduced_costs {
            let candidates: Vec<Vec<usize>> = ranked
                .iter()
                .map(|cols| cols.iter().enumerate().filter(|&(rank, &j)| rank < keep_best.max(1) || lp.col_value[j] > LP_ZERO).map(|(_, &j)| j).collect())
                .collect();
            let is_group_row = group_row_mask(model.num_rows(), &group_row);
            let search = Search::new(model, groups, &candidates, &group_of, |i| local_row(i) && !is_group_row[i]);
            if search.is_useful() {
                let plan = std::mem::take(&mut result.col_value);
                let (plan, lns) = search.improve(plan, &lp.col_value, bound, options, started)?;
                result.col_value = plan;
                objective_min = sign * model.objective_at(&result.col_value);
                result.objective = Some(sign * objective_min);
                report.lns = Some(lns);
                if !within_gap(objective_min) {
                    result.stop_reason = if lns.out_of_time { StopReason::TimeLimit } else { StopReason::Restricted };
                }
            }
        }
        // A bound can't pass the plan (numerical noise aside).
        let bound = bound.min(objective_min);
        result.dual_bound = Some(sign * bound);
        result.gap = relative_gap(objective_min, bound);
        let within = result.gap.is_some_and(|g| g <= options.mip_gap);
        result.status = if within { SolveStatus::Optimal } else { SolveStatus::Feasible };
        if within {
            result.stop_reason = StopReason::Converged;
        }
        if !within && result.stop_reason == StopReason::Converged {
            // The restricted MIP finished, but the whole model's bound is
            // not close enough to prove the requested gap.
            result.stop_reason = StopReason::Restricted;
        }
        result.seconds = started.elapsed().as_secs_f64();
        return Ok((result, Some(report)));
    }
    // Neither restriction has a plan: the plain MIP decides.
    Ok((solve(model, &remaining(options, started))?, Some(report)))
}

/// HiGHS's definition: |objective − bound| / |objective|.
pub(super) fn relative_gap(objective: f64, bound: f64) -> Option<f64> {
    let gap = (objective - bound).abs();
    if gap <= 1e-9 {
        return Some(0.0);
    }
    (objective.abs() > 0.0).then(|| gap / objective.abs())
}

/// The options for what is left of the time limit.
fn remaining(options: &SolveOptions, started: Instant) -> SolveOptions {
    let spent = started.elapsed().as_secs_f64();
    SolveOptions {
        time_limit: options.time_limit.map(|limit| (limit - spent).max(0.0)),
        ..options.clone()
    }
}

/// A column of the restricted model: free as in the whole model, or fixed
/// to a value (and so moved into the row bounds and the objective offset).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Keep {
    Free,
    Fixed(f64),
}

/// The model over the free columns only, and the original index of each.
pub(super) fn restrict(model: &LinearModel, keep: &[Keep]) -> (LinearModel, Vec<usize>) {
    let mut new_index = vec![usize::MAX; model.num_cols()];
    let mut kept = Vec::new();
    let mut out = LinearModel { maximize: model.maximize, offset: model.offset, ..Default::default() };
    for j in 0..model.num_cols() {
        match keep[j] {
            Keep::Free => {
                new_index[j] = kept.len();
                kept.push(j);
                out.add_col(model.col_cost[j], model.col_lower[j], model.col_upper[j], model.col_integer[j]);
            }
            Keep::Fixed(value) => out.offset += model.col_cost[j] * value,
        }
    }
    out.row_start.push(0);
    for i in 0..model.num_rows() {
        let mut fixed_activity = 0.0;
        for k in model.row_start[i]..model.row_start[i + 1] {
            let j = model.row_index[k];
            match keep[j] {
                Keep::Free => {
                    out.row_index.push(new_index[j]);
                    out.row_value.push(model.row_value[k]);
                }
                Keep::Fixed(value) => fixed_activity += model.row_value[k] * value,
            }
        }
        out.row_start.push(out.row_index.len());
        out.row_lower.push(model.row_lower[i] - fixed_activity);
        out.row_upper.push(model.row_upper[i] - fixed_activity);
    }
    (out, kept)
}

/// The restricted model's column values, spread back over the whole
/// model's columns.
pub(super) fn expand(model: &LinearModel, keep: &[Keep], kept: &[usize], values: &[f64]) -> Vec<f64> {
    let mut full: Vec<f64> = keep.iter().map(|k| if let Keep::Fixed(v) = k { *v } else { 0.0 }).collect();
    debug_assert_eq!(full.len(), model.num_cols());
    for (value, &j) in values.iter().zip(kept) {
        full[j] = *value;
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3-job, 2-agent assignment with capacity: the restricted solve must
    /// reach the plain MIP's optimum, with a valid bound.
    #[test]
    fn restricted_matches_plain_mip() {
        let mut m = LinearModel::default();
        let cost = [[4.0, 1.0], [2.0, 3.0], [5.0, 2.0]];
        for row in &cost {
            for &c in row {
                m.add_col(c, 0.0, 1.0, true);
            }
        }
        for job in 0..3 {
            m.add_row(1.0, 1.0, &[(2 * job, 1.0), (2 * job + 1, 1.0)]);
        }
        // Agent 1 takes at most one job.
        m.add_row(f64::NEG_INFINITY, 1.0, &[(1, 1.0), (3, 1.0), (5, 1.0)]);
        let groups = [0..2, 2..4, 4..6];
        let options = SolveOptions { mip_gap: 0.0, ..Default::default() };
        let plain = solve(&m, &options).unwrap();
        for keep_best in 0..3 {
            let (r, report) = solve_restricted(&m, &groups, keep_best, &options).unwrap();
            assert!(report.is_some());
            let bound = r.dual_bound.unwrap();
            assert!(bound <= plain.objective.unwrap() + 1e-9, "bound {bound} passes the optimum");
            assert!(r.objective.unwrap() >= plain.objective.unwrap() - 1e-9);
            if keep_best >= 1 {
                assert_eq!(r.objective, plain.objective);
            }
        }
    }
}
