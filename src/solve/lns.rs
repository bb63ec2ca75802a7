//! Large-neighbourhood search: improves a plan of a large assignment model
//! by re-solving small MIPs around it.
//!
//! A restricted MIP over a tenth of the rows (`restricted`) can leave HiGHS
//! at its root for a minute: on na-fy27 its cut loop ran 55 s without
//! improving a plan 1.5 % above the LP bound. Small MIPs finish their root
//! in a second or two. So, from a plan, each round:
//!
//! 1. picks a neighbourhood of groups through the local rows (one target's
//!    load, book or capacity): two rounds in three "spread" it, a few
//!    random groups in every local row, so that every target can give and
//!    take; the third grows it from the local rows where the plan departs
//!    most from the LP's answer;
//! 2. fixes every other group to the plan, and lets the neighbourhood's
//!    groups choose among their candidates (the columns the LP uses, the
//!    best by reduced cost, and the plan's own);
//! 3. solves that MIP from the plan, which is a plan of it, and keeps the
//!    result when it is better.
//!
//! Every plan found is a plan of the whole model, and the bound stays the
//! whole model's LP bound, so the gap reported stays honest. The random
//! stream is seeded, and under a node limit each round is limited by nodes
//! and the number of rounds is fixed, so the same inputs give the same plan.

use std::ops::Range;
use std::time::Instant;

use super::restricted::{expand, relative_gap, restrict, Keep};
use super::{solve, LinearModel, SolveError, SolveOptions};
use crate::generate::rng::Rng;

/// A round may take at most this many seconds of wall clock.
const ROUND_SECONDS: f64 = 6.0;
/// Seconds a round leaves before the time limit: HiGHS can overrun its
/// limit where it does not call back (presolve, a restart), and the CLI
/// stops waiting shortly after the limit, losing the plan. Seed 30 of
/// na-fy27 lost its plan that way with no margin.
const LIMIT_MARGIN: f64 = 1.0;
/// Node limit of a round under a node limit.
const ROUND_NODES: u64 = 100;
/// Relative gap at which a round stops.
const ROUND_GAP: f64 = 1e-6;
/// Neighbourhood size in groups: the first, and the bounds the size adapts
/// within (it grows after a round that finished, shrinks after one that
/// was cut short).
const FIRST_SIZE: usize = 1_500;
const MIN_SIZE: usize = 300;
const MAX_SIZE: usize = 6_000;
/// Seeds are drawn among this many local rows, those where the plan
/// departs most from the LP's answer.
const SEED_POOL: usize = 40;
/// Chance that a row a chosen group touches is explored next: low, so that
/// the neighbourhood is mostly the seeds' groups.
const SPREAD: f64 = 0.05;
/// The search stops after this many rounds in a row without improvement,
/// and after `MAX_ROUNDS` in all.
const STALL_ROUNDS: usize = 8;
const MAX_ROUNDS: usize = 40;
/// Under a node limit (no wall clock), at most this many rounds: each round
/// may then run its whole node limit, root included.
const MAX_ROUNDS_UNDER_NODE_LIMIT: usize = 3;

/// What the search did.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct LnsReport {
    pub rounds: usize,
    pub improved: usize,
    pub seconds: f64,
    /// The time limit ended the search.
    pub out_of_time: bool,
}

/// The model's structure, as the search sees it.
pub struct Search<'a> {
    model: &'a LinearModel,
    groups: &'a [Range<usize>],
    /// Each group's candidate columns, besides the plan's own.
    candidates: &'a [Vec<usize>],
    /// The local rows each group's candidates touch, and the groups each
    /// local row touches.
    rows_of_group: Vec<Vec<usize>>,
    groups_of_row: Vec<Vec<usize>>,
}

impl<'a> Search<'a> {
    /// `is_local(i)`: row i links the groups of one target (not a group's own
    /// row, not a whole-model row).
    pub fn new(
        model: &'a LinearModel,
        groups: &'a [Range<usize>],
        candidates: &'a [Vec<usize>],
        group_of: &[usize],
        is_local: impl Fn(usize) -> bool,
    ) -> Self {
        let mut is_candidate = vec![false; model.num_cols()];
        for &j in candidates.iter().flatten() {
            is_candidate[j] = true;
        }
        let mut rows_of_group = vec![Vec::new(); groups.len()];
        let mut groups_of_row = vec![Vec::new(); model.num_rows()];
        for i in (0..model.num_rows()).filter(|&i| is_local(i)) {
            let mut gs: Vec<usize> = (model.row_start[i]..model.row_start[i + 1])
                .map(|k| model.row_index[k])
                .filter(|&j| is_candidate[j] && group_of[j] != usize::MAX)
                .map(|j| group_of[j])
                .collect();
            gs.sort_unstable();
            gs.dedup();
            // A row touching one group only is that group's own business.
            if gs.len() < 2 {
                continue;
            }
            for &g in &gs {
                rows_of_group[g].push(i);
            }
            groups_of_row[i] = gs;
        }
        Search { model, groups, candidates, rows_of_group, groups_of_row }
    }

    /// Whether any neighbourhood can be formed.
    pub fn is_useful(&self) -> bool {
        self.groups_of_row.iter().any(|gs| !gs.is_empty())
    }

    /// A neighbourhood spread over every local row: about the same number of
    /// groups drawn at random in each, so that every target can give and
    /// take (what rebalancing many targets at once needs).
    fn spread(&self, rng: &mut Rng, size: usize, seeds: &[usize]) -> Vec<bool> {
        let mut chosen = vec![false; self.groups.len()];
        let per_row = (size / seeds.len()).max(1);
        for &i in seeds {
            let gs = &self.groups_of_row[i];
            for _ in 0..per_row.min(gs.len()) {
                chosen[gs[(rng.next_u64() % gs.len() as u64) as usize]] = true;
            }
        }
        chosen
    }

    /// Each local row's activity at `x`.
    fn activities(&self, x: &[f64], rows: &[usize]) -> Vec<f64> {
        let m = self.model;
        rows.iter().map(|&i| (m.row_start[i]..m.row_start[i + 1]).map(|k| m.row_value[k] * x[m.row_index[k]]).sum()).collect()
    }

    /// One neighbourhood of about `size` groups: the groups of local rows
    /// drawn at random, rows where the plan departs most from the LP's
    /// answer first (a target loaded far above or below its LP load is
    /// where the plan loses against the bound), then the rows those
    /// groups touch.
    fn neighbourhood(&self, rng: &mut Rng, size: usize, seeds: &[usize], departure: &[f64]) -> Vec<bool> {
        let mut chosen = vec![false; self.groups.len()];
        let mut row_seen = vec![false; self.model.num_rows()];
        let mut count = 0;
        // Seeds by departure, drawn among the most departed.
        let mut order: Vec<usize> = (0..seeds.len()).collect();
        order.sort_by(|&a, &b| departure[b].total_cmp(&departure[a]).then(a.cmp(&b)));
        let mut pool: Vec<usize> = order.iter().take(SEED_POOL).map(|&k| seeds[k]).collect();
        let mut frontier = Vec::new();
        while count < size {
            let Some(i) = pop_random(&mut frontier, rng).or_else(|| pop_random(&mut pool, rng)) else { break };
            if row_seen[i] {
                continue;
            }
            row_seen[i] = true;
            for &g in &self.groups_of_row[i] {
                if chosen[g] {
                    continue;
                }
                chosen[g] = true;
                count += 1;
                for &r in &self.rows_of_group[g] {
                    if !row_seen[r] && rng.uniform() < SPREAD {
                        frontier.push(r);
                    }
                }
            }
        }
        chosen
    }

    /// Improves `plan` (feasible, one value per column) until
    /// `options.time_limit` (counted from `started`) is near, the gap to
    /// `bound_min` (the whole model's bound, minimised) is within
    /// `options.mip_gap`, or the search stalls.
    /// Returns the best plan and what the search did.
    pub fn improve(
        &self,
        mut plan: Vec<f64>,
        lp_values: &[f64],
        bound_min: f64,
        options: &SolveOptions,
        started: Instant,
    ) -> Result<(Vec<f64>, LnsReport), SolveError> {
        let lns_started = Instant::now();
        let sign = if self.model.maximize { -1.0 } else { 1.0 };
        let seeds: Vec<usize> = (0..self.model.num_rows()).filter(|&i| !self.groups_of_row[i].is_empty()).collect();
        let mut report = LnsReport::default();
        if seeds.is_empty() {
            return Ok((plan, report));
        }
        let mut best = sign * self.model.objective_at(&plan);
        let lp_activity = self.activities(lp_values, &seeds);
        let mut rng = Rng::derive(options.seed as u64, "lns");
        // A neighbourhood is at most an eighth of the groups: a round on
        // most of the model is the slow whole-model MIP again.
        let largest = (self.groups.len() / 8).clamp(MIN_SIZE.min(self.groups.len()), MAX_SIZE);
        let mut size = FIRST_SIZE.min(largest);
        let mut stalled = 0;
        let open = |objective: f64| relative_gap(objective, bound_min).is_none_or(|gap| gap > options.mip_gap);
        let max_rounds = if options.node_limit.is_some() && options.time_limit.is_none() { MAX_ROUNDS_UNDER_NODE_LIMIT } else { MAX_ROUNDS };
        while report.rounds < max_rounds && stalled < STALL_ROUNDS && open(best) {
            let left = options.time_limit.map(|limit| limit - started.elapsed().as_secs_f64());
            if left.is_some_and(|left| left < 2.0 * LIMIT_MARGIN) {
                report.out_of_time = true;
                break;
            }
            report.rounds += 1;
            // Two spread rounds, then one by departure: on na-fy27 (seeds
            // 28 to 31) spread rounds brought most of the gains.
            let chosen = if report.rounds % 3 == 0 {
                let departure: Vec<f64> = self
                    .activities(&plan, &seeds)
                    .iter()
                    .zip(&lp_activity)
                    .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
                    .collect();
                self.neighbourhood(&mut rng, size, &seeds, &departure)
            } else {
                self.spread(&mut rng, size, &seeds)
            };
            let keep = self.keep(&plan, &chosen);
            let (restricted, kept) = restrict(self.model, &keep);
            let round_options = SolveOptions {
                // Under a node limit alone, no wall clock: the plan must
                // not depend on the machine.
                time_limit: match (left, options.node_limit) {
                    (Some(left), _) => Some((left - LIMIT_MARGIN).min(ROUND_SECONDS)),
                    (None, Some(_)) => None,
                    (None, None) => Some(ROUND_SECONDS),
                },
                start: Some(kept.iter().map(|&j| plan[j]).collect()),
                known_bound: None,
                // The fixed groups weigh in every relative gap: at the
                // search's gap a round stops at once, proven "close enough"
                // for the plan it started from.
                mip_gap: ROUND_GAP,
                node_limit: options.node_limit.map(|n| n.min(ROUND_NODES)),
                verbose: false,
                progress: false,
                ..options.clone()
            };
            let result = solve(&restricted, &round_options)?;
            let finished = result.stop_reason == super::StopReason::Converged;
            size = if finished { (size * 3 / 2).min(largest) } else { (size * 2 / 3).max(MIN_SIZE).min(largest) };
            let Some(objective) = result.objective.filter(|_| !result.col_value.is_empty()) else {
                stalled += 1;
                continue;
            };
            // Improving by less than a millionth is noise.
            if sign * objective < best - 1e-6 * best.abs().max(1.0) {
                plan = expand(self.model, &keep, &kept, &result.col_value);
                best = sign * self.model.objective_at(&plan);
                report.improved += 1;
                stalled = 0;
            } else {
                stalled += 1;
            }
        }
        report.seconds = lns_started.elapsed().as_secs_f64();
        Ok((plan, report))
    }

    /// Groups outside the neighbourhood keep the plan's values; those in it
    /// are free among their candidates and the plan's own column; columns
    /// outside the groups are free.
    fn keep(&self, plan: &[f64], chosen: &[bool]) -> Vec<Keep> {
        let mut keep = vec![Keep::Free; self.model.num_cols()];
        for (g, range) in self.groups.iter().enumerate() {
            for j in range.clone() {
                keep[j] = Keep::Fixed(plan[j].round());
            }
            if chosen[g] {
                for &j in &self.candidates[g] {
                    keep[j] = Keep::Free;
                }
                for j in range.clone().filter(|&j| plan[j] > 0.5) {
                    keep[j] = Keep::Free;
                }
            }
        }
        keep
    }
}

/// Removes and returns a random element (order does not matter).
fn pop_random(items: &mut Vec<usize>, rng: &mut Rng) -> Option<usize> {
    if items.is_empty() {
        return None;
    }
    let k = (rng.next_u64() % items.len() as u64) as usize;
    Some(items.swap_remove(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve jobs, three agents with capacities, and a poor starting plan:
    /// the search improves it, keeps every row (checked on the model, not
    /// trusted from the solver), and gives the same plan twice.
    #[test]
    fn search_improves_a_plan_and_keeps_every_row() {
        let (jobs, agents) = (12, 3);
        let mut m = LinearModel::default();
        for job in 0..jobs {
            for agent in 0..agents {
                m.add_col(((job * 7 + agent * 5) % 11) as f64 + 1.0, 0.0, 1.0, true);
            }
        }
        for job in 0..jobs {
            let entries: Vec<(usize, f64)> = (0..agents).map(|a| (job * agents + a, 1.0)).collect();
            m.add_row(1.0, 1.0, &entries);
        }
        for agent in 0..agents {
            let entries: Vec<(usize, f64)> = (0..jobs).map(|job| (job * agents + agent, 1.0 + (job % 3) as f64)).collect();
            m.add_row(f64::NEG_INFINITY, 10.0, &entries);
        }
        let groups: Vec<Range<usize>> = (0..jobs).map(|job| job * agents..(job + 1) * agents).collect();
        let candidates: Vec<Vec<usize>> = groups.iter().map(|g| g.clone().collect()).collect();
        let group_of = super::super::crash::group_of_columns(m.num_cols(), &groups);
        let search = Search::new(&m, &groups, &candidates, &group_of, |i| i >= jobs);
        assert!(search.is_useful());
        // Start: jobs round-robin over the agents (feasible: loads 8 each).
        let mut start = vec![0.0; m.num_cols()];
        for job in 0..jobs {
            start[job * agents + job % agents] = 1.0;
        }
        let cost = |x: &[f64]| m.col_cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>();
        let options = SolveOptions { node_limit: Some(100), threads: 1, mip_gap: 0.0, ..Default::default() };
        let run = || search.improve(start.clone(), &start, 0.0, &options, Instant::now()).unwrap();
        let (plan, report) = run();
        assert!(report.rounds > 0);
        assert!(cost(&plan) < cost(&start), "{} not below {}", cost(&plan), cost(&start));
        for i in 0..m.num_rows() {
            let activity: f64 = (m.row_start[i]..m.row_start[i + 1]).map(|k| m.row_value[k] * plan[m.row_index[k]]).sum();
            assert!(activity >= m.row_lower[i] - 1e-9 && activity <= m.row_upper[i] + 1e-9, "row {i}: {activity}");
        }
        assert!(plan.iter().all(|&v| v.abs() < 1e-9 || (v - 1.0).abs() < 1e-9));
        assert_eq!(run().0, plan, "same inputs, same plan");
    }
}
