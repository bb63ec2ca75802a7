//! Behaviour of `terra::solve` against HiGHS, checked independently of the
//! solver: optima by brute force, feasibility by recomputing A·x, duals by
//! hand.

use terra::solve::{
    solve, solve_lp_relaxation, solver_version, write_mps, LinearModel, SolveError, SolveOptions,
    SolveResult, SolveStatus, StopReason,
};

const TOL: f64 = 1e-6;

/// xorshift64*: a tiny deterministic generator for test instances.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform integer in lo..=hi.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn row_activity(model: &LinearModel, row: usize, x: &[f64]) -> f64 {
    (model.row_start[row]..model.row_start[row + 1])
        .map(|k| model.row_value[k] * x[model.row_index[k]])
        .sum()
}

fn objective_of(model: &LinearModel, x: &[f64]) -> f64 {
    model.offset
        + model
            .col_cost
            .iter()
            .zip(x)
            .map(|(c, v)| c * v)
            .sum::<f64>()
}

fn is_feasible(model: &LinearModel, x: &[f64], tol: f64) -> bool {
    x.len() == model.num_cols()
        && (0..model.num_cols()).all(|j| {
            x[j] >= model.col_lower[j] - tol
                && x[j] <= model.col_upper[j] + tol
                && (!model.col_integer[j] || (x[j] - x[j].round()).abs() <= tol)
        })
        && (0..model.num_rows()).all(|i| {
            let activity = row_activity(model, i, x);
            activity >= model.row_lower[i] - tol && activity <= model.row_upper[i] + tol
        })
}

/// Checks a returned solution against the model and the reported objective.
fn assert_solution_consistent(model: &LinearModel, result: &SolveResult) {
    assert!(
        is_feasible(model, &result.col_value, TOL),
        "solution violates the model: {:?}",
        result.col_value
    );
    let objective = result.objective.expect("a solution has an objective");
    assert!(
        (objective - objective_of(model, &result.col_value)).abs()
            <= 1e-6 * objective.abs().max(1.0),
        "reported objective {objective} differs from c·x + offset {}",
        objective_of(model, &result.col_value)
    );
}

/// Best objective over all 0/1 assignments (every column must be binary).
fn brute_force(model: &LinearModel) -> Option<f64> {
    let n = model.num_cols();
    assert!(n <= 20);
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << n) {
        let x: Vec<f64> = (0..n).map(|j| f64::from((mask >> j) & 1)).collect();
        if is_feasible(model, &x, 1e-9) {
            let value = objective_of(model, &x);
            best = Some(match best {
                None => value,
                Some(b) if model.maximize => b.max(value),
                Some(b) => b.min(value),
            });
        }
    }
    best
}

const VALUES: [f64; 10] = [12.0, 7.0, 11.0, 8.0, 9.0, 6.0, 5.0, 14.0, 3.0, 10.0];
const WEIGHTS: [f64; 10] = [5.0, 3.0, 6.0, 4.0, 5.0, 2.0, 3.0, 8.0, 1.0, 6.0];

/// Knapsack with a cardinality row: max value, weight <= 21, at most 4 items.
fn knapsack_max() -> LinearModel {
    let mut m = LinearModel {
        maximize: true,
        offset: 7.5,
        ..Default::default()
    };
    for v in VALUES {
        m.add_col(v, 0.0, 1.0, true);
    }
    let weights: Vec<(usize, f64)> = WEIGHTS.iter().copied().enumerate().collect();
    m.add_row(f64::NEG_INFINITY, 21.0, &weights);
    let ones: Vec<(usize, f64)> = (0..10).map(|j| (j, 1.0)).collect();
    m.add_row(f64::NEG_INFINITY, 4.0, &ones);
    m
}

/// Covering version: min weight, value >= 33, at least one of items 0..3.
fn cover_min() -> LinearModel {
    let mut m = LinearModel {
        maximize: false,
        offset: -2.0,
        ..Default::default()
    };
    for w in WEIGHTS {
        m.add_col(w, 0.0, 1.0, true);
    }
    let values: Vec<(usize, f64)> = VALUES.iter().copied().enumerate().collect();
    m.add_row(33.0, f64::INFINITY, &values);
    m.add_row(1.0, f64::INFINITY, &[(0, 1.0), (1, 1.0), (2, 1.0)]);
    m
}

/// A random generalized assignment problem: every job to exactly one
/// agent, agent capacities on weighted load, minimise cost.
fn gap_model(agents: usize, jobs: usize, seed: u64) -> LinearModel {
    let mut rng = Rng(seed);
    let mut m = LinearModel::default();
    // weight[a][j]: load of job j on agent a; column a * jobs + j.
    let mut weight: Vec<Vec<f64>> = Vec::with_capacity(agents);
    for _ in 0..agents {
        let row: Vec<f64> = (0..jobs).map(|_| rng.range(5, 25) as f64).collect();
        for &w in &row {
            let cost = 60.0 - w + rng.range(0, 20) as f64;
            m.add_col(cost, 0.0, 1.0, true);
        }
        weight.push(row);
    }
    let col = |a: usize, j: usize| a * jobs + j;
    for j in 0..jobs {
        let entries: Vec<(usize, f64)> = (0..agents).map(|a| (col(a, j), 1.0)).collect();
        m.add_row(1.0, 1.0, &entries);
    }
    for (a, loads) in weight.iter().enumerate() {
        let total: f64 = loads.iter().sum();
        let capacity = (0.9 * total / agents as f64).floor();
        let entries: Vec<(usize, f64)> = loads
            .iter()
            .enumerate()
            .map(|(j, &w)| (col(a, j), w))
            .collect();
        m.add_row(f64::NEG_INFINITY, capacity, &entries);
    }
    m
}

fn exact() -> SolveOptions {
    SolveOptions {
        mip_gap: 0.0,
        ..SolveOptions::default()
    }
}

#[test]
fn knapsack_maximise_matches_brute_force() {
    let model = knapsack_max();
    let best = brute_force(&model).expect("instance is feasible");
    let result = solve(&model, &exact()).expect("solve runs");
    assert_eq!(result.status, SolveStatus::Optimal);
    assert_eq!(result.stop_reason, StopReason::Converged);
    assert!(
        (result.objective.unwrap() - best).abs() < TOL,
        "{:?} vs brute force {best}",
        result.objective
    );
    assert_solution_consistent(&model, &result);
    // A maximisation's proven bound is at least the objective.
    assert!(result.dual_bound.unwrap() >= best - TOL);
    assert!(result.gap.unwrap() <= 1e-9);
    assert!(
        result.row_dual.is_empty() && result.col_dual.is_empty(),
        "no duals for a MIP"
    );
}

#[test]
fn cover_minimise_matches_brute_force() {
    let model = cover_min();
    let best = brute_force(&model).expect("instance is feasible");
    let result = solve(&model, &exact()).expect("solve runs");
    assert_eq!(result.status, SolveStatus::Optimal);
    assert!(
        (result.objective.unwrap() - best).abs() < TOL,
        "{:?} vs brute force {best}",
        result.objective
    );
    assert_solution_consistent(&model, &result);
    assert!(result.dual_bound.unwrap() <= best + TOL);
}

#[test]
fn infeasible_mip_and_lp_are_reported() {
    let mut mip = LinearModel::default();
    mip.add_col(1.0, 0.0, 1.0, true);
    mip.add_col(1.0, 0.0, 1.0, true);
    mip.add_row(3.0, f64::INFINITY, &[(0, 1.0), (1, 1.0)]);
    let result = solve(&mip, &SolveOptions::default()).expect("solve runs");
    assert_eq!(result.status, SolveStatus::Infeasible);
    assert_eq!(result.stop_reason, StopReason::Infeasible);
    assert!(result.col_value.is_empty());
    assert_eq!(result.objective, None);

    // Integrality alone makes this one infeasible: 2x = 1.
    let mut parity = LinearModel::default();
    parity.add_col(1.0, 0.0, 10.0, true);
    parity.add_row(1.0, 1.0, &[(0, 2.0)]);
    assert_eq!(
        solve(&parity, &SolveOptions::default()).unwrap().status,
        SolveStatus::Infeasible
    );
    // ... while its relaxation is feasible at x = 0.5.
    let relaxed = solve_lp_relaxation(&parity, &SolveOptions::default()).unwrap();
    assert_eq!(relaxed.status, SolveStatus::Optimal);
    assert!((relaxed.col_value[0] - 0.5).abs() < TOL);

    let mut lp = LinearModel::default();
    lp.add_col(1.0, 0.0, f64::INFINITY, false);
    lp.add_row(f64::NEG_INFINITY, 1.0, &[(0, 1.0)]);
    lp.add_row(2.0, f64::INFINITY, &[(0, 1.0)]);
    assert_eq!(
        solve(&lp, &SolveOptions::default()).unwrap().status,
        SolveStatus::Infeasible
    );
}

#[test]
fn unbounded_mip_and_lp_are_reported() {
    // max x + y  s.t.  x - y <= 3: the ray (1, 1) is unbounded.
    let mut lp = LinearModel {
        maximize: true,
        ..Default::default()
    };
    lp.add_col(1.0, 0.0, f64::INFINITY, false);
    lp.add_col(1.0, 0.0, f64::INFINITY, false);
    lp.add_row(f64::NEG_INFINITY, 3.0, &[(0, 1.0), (1, -1.0)]);
    assert_eq!(
        solve(&lp, &SolveOptions::default()).unwrap().status,
        SolveStatus::Unbounded
    );

    let mut mip = lp.clone();
    mip.col_integer = vec![true, true];
    let result = solve(&mip, &SolveOptions::default()).unwrap();
    assert_eq!(result.status, SolveStatus::Unbounded);
    assert_eq!(result.stop_reason, StopReason::Unbounded);
}

/// min 2x + 3y + 5z  s.t.  x + y + z >= 3.5,  x + 3y + z >= 5.5,  x, y, z >= 0.
/// By hand: optimum x = 2.5, y = 1, z = 0, objective 8; the duals solve
/// u + v = 2, u + 3v = 3, so u = 1.5, v = 0.5; reduced costs are
/// 2 - 2 = 0, 3 - 3 = 0 and 5 - (u + v) = 3.
fn small_lp(integer: bool) -> LinearModel {
    let mut m = LinearModel::default();
    m.add_col(2.0, 0.0, f64::INFINITY, integer);
    m.add_col(3.0, 0.0, f64::INFINITY, integer);
    m.add_col(5.0, 0.0, f64::INFINITY, integer);
    m.add_row(3.5, f64::INFINITY, &[(0, 1.0), (1, 1.0), (2, 1.0)]);
    m.add_row(5.5, f64::INFINITY, &[(0, 1.0), (1, 3.0), (2, 1.0)]);
    m
}

fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < TOL, "{actual:?} vs {expected:?}");
    }
}

#[test]
fn lp_relaxation_returns_hand_computed_duals() {
    let model = small_lp(true);
    let relaxed = solve_lp_relaxation(&model, &SolveOptions::default()).expect("solve runs");
    assert_eq!(relaxed.status, SolveStatus::Optimal);
    assert!((relaxed.objective.unwrap() - 8.0).abs() < TOL);
    assert_eq!(relaxed.dual_bound, relaxed.objective);
    assert_close(&relaxed.col_value, &[2.5, 1.0, 0.0]);
    assert_close(&relaxed.row_dual, &[1.5, 0.5]);
    assert_close(&relaxed.col_dual, &[0.0, 0.0, 3.0]);
    assert_eq!(relaxed.nodes, 0);

    // The MIP itself: (3, 1, 0) at 9, no duals.
    let mip = solve(&model, &exact()).unwrap();
    assert_eq!(mip.status, SolveStatus::Optimal);
    assert!((mip.objective.unwrap() - 9.0).abs() < TOL);
    assert!(mip.row_dual.is_empty());

    // A pure LP through `solve` gives the same duals.
    let lp = solve(&small_lp(false), &SolveOptions::default()).unwrap();
    assert_close(&lp.row_dual, &[1.5, 0.5]);
}

#[test]
fn maximisation_duals_are_objective_sensitivities() {
    // The same LP as a maximisation of the negated costs: objective −8, and
    // raising a row's bound by one changes the objective by −u.
    let mut model = small_lp(false);
    model.maximize = true;
    for cost in &mut model.col_cost {
        *cost = -*cost;
    }
    let result = solve_lp_relaxation(&model, &SolveOptions::default()).unwrap();
    assert!((result.objective.unwrap() + 8.0).abs() < TOL);
    assert_close(&result.row_dual, &[-1.5, -0.5]);
    assert_close(&result.col_dual, &[0.0, 0.0, -3.0]);

    // Check the sensitivity claim directly.
    let mut shifted = model.clone();
    shifted.row_lower[0] += 0.1;
    let moved = solve_lp_relaxation(&shifted, &SolveOptions::default()).unwrap();
    let slope = (moved.objective.unwrap() - result.objective.unwrap()) / 0.1;
    assert!((slope - result.row_dual[0]).abs() < 1e-6, "slope {slope}");
}

#[test]
fn mip_start_is_accepted_under_a_zero_node_limit() {
    let model = gap_model(4, 40, 7);
    // A feasible start built greedily: each job to its lightest agent that
    // still has room (asserted feasible below, independently of HiGHS).
    let (agents, jobs) = (4, 40);
    let weight = |a: usize, j: usize| model.row_value[model.row_start[jobs + a] + j];
    let mut remaining: Vec<f64> = (0..agents).map(|a| model.row_upper[jobs + a]).collect();
    let mut start = vec![0.0; agents * jobs];
    for j in 0..jobs {
        let a = (0..agents)
            .filter(|&a| weight(a, j) <= remaining[a])
            .min_by(|&p, &q| weight(p, j).total_cmp(&weight(q, j)))
            .expect("some agent has room");
        remaining[a] -= weight(a, j);
        start[a * jobs + j] = 1.0;
    }
    assert!(
        is_feasible(&model, &start, 1e-9),
        "greedy start must be feasible"
    );
    let start_objective = objective_of(&model, &start);

    let options = SolveOptions {
        node_limit: Some(0),
        start: Some(start),
        ..SolveOptions::default()
    };
    let result = solve(&model, &options).expect("solve runs");
    assert!(
        matches!(result.status, SolveStatus::Feasible | SolveStatus::Optimal),
        "status {:?}",
        result.status
    );
    if result.status == SolveStatus::Feasible {
        assert_eq!(result.stop_reason, StopReason::NodeLimit);
        // Stopped before the root LP, there is no finite bound yet, hence
        // no gap; with a bound, a gap.
        assert_eq!(result.gap.is_some(), result.dual_bound.is_some());
    }
    assert!(
        result.objective.unwrap() <= start_objective + TOL,
        "{:?} vs start {start_objective}",
        result.objective
    );
    assert_solution_consistent(&model, &result);

    // A start of the wrong length is refused before HiGHS sees it.
    let bad = SolveOptions {
        start: Some(vec![0.0; 3]),
        ..SolveOptions::default()
    };
    assert!(matches!(
        solve(&model, &bad),
        Err(SolveError::InvalidOption(_))
    ));
}

#[test]
fn node_limit_without_start_reports_node_limit() {
    let model = gap_model(6, 50, 11);
    let options = SolveOptions {
        node_limit: Some(1),
        ..SolveOptions::default()
    };
    let result = solve(&model, &options).expect("solve runs");
    match result.status {
        SolveStatus::Feasible => {
            assert_eq!(result.stop_reason, StopReason::NodeLimit);
            assert_solution_consistent(&model, &result);
        }
        SolveStatus::NodeLimitNoSolution => {
            assert_eq!(result.stop_reason, StopReason::NodeLimit);
            assert!(result.col_value.is_empty());
        }
        SolveStatus::Optimal => assert_solution_consistent(&model, &result),
        other => panic!("unexpected status {other:?}"),
    }
}

#[test]
fn time_limit_is_enforced() {
    let model = gap_model(20, 400, 2024);
    let options = SolveOptions {
        time_limit: Some(1.0),
        mip_gap: 0.0,
        ..SolveOptions::default()
    };
    let result = solve(&model, &options).expect("solve runs");
    // `seconds` is terra's wall clock around the solver run; the call as a
    // whole may also wait for other tests' solves (one solve at a time).
    assert!(result.seconds < 2.0, "solver ran {} s", result.seconds);
    assert!(
        matches!(
            result.stop_reason,
            StopReason::TimeLimit | StopReason::Converged
        ),
        "stop reason {:?}",
        result.stop_reason
    );
    match result.status {
        SolveStatus::Feasible | SolveStatus::Optimal => assert_solution_consistent(&model, &result),
        SolveStatus::TimeLimitNoSolution => assert!(result.col_value.is_empty()),
        other => panic!("unexpected status {other:?}"),
    }
}

#[test]
fn zero_time_limit_stops_at_once() {
    let model = gap_model(20, 400, 99);
    let options = SolveOptions {
        time_limit: Some(0.0),
        ..SolveOptions::default()
    };
    let result = solve(&model, &options).expect("solve runs");
    assert_eq!(result.stop_reason, StopReason::TimeLimit);
    assert!(result.seconds < 1.0, "solver ran {} s", result.seconds);
}

#[test]
fn node_limited_solves_are_deterministic() {
    let model = gap_model(5, 40, 5);
    let options = SolveOptions {
        node_limit: Some(20),
        seed: 3,
        ..SolveOptions::default()
    };
    let first = solve(&model, &options).expect("solve runs");
    let second = solve(&model, &options).expect("solve runs");
    assert!(!first.col_value.is_empty(), "status {:?}", first.status);
    assert_eq!(first.col_value, second.col_value);
    assert_eq!(first.objective, second.objective);
    assert_eq!(first.nodes, second.nodes);
}

#[test]
fn concurrent_solves_are_serialised_safely() {
    let handles: Vec<_> = (0..6)
        .map(|i| {
            std::thread::spawn(move || {
                let model = if i % 2 == 0 {
                    knapsack_max()
                } else {
                    gap_model(4, 30, i)
                };
                let options = SolveOptions {
                    node_limit: Some(50),
                    ..SolveOptions::default()
                };
                let result = solve(&model, &options).expect("solve runs");
                assert!(!result.col_value.is_empty(), "status {:?}", result.status);
                assert_solution_consistent(&model, &result);
                if i % 2 == 0 {
                    assert!(
                        (result.objective.unwrap() - brute_force(&model).unwrap()).abs() < 1e-3
                    );
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("solver thread did not panic");
    }
}

#[test]
fn thread_count_is_fixed_per_calling_thread() {
    // HiGHS keeps one scheduler per calling thread: its thread count is set
    // by the first solve on that thread and cannot change afterwards.
    let model = cover_min();
    let best = brute_force(&model).unwrap();
    std::thread::spawn(move || {
        let two = SolveOptions {
            threads: 2,
            mip_gap: 0.0,
            ..SolveOptions::default()
        };
        let result = solve(&model, &two).expect("first explicit count is accepted");
        assert!((result.objective.unwrap() - best).abs() < TOL);
        assert!(solve(&model, &two).is_ok(), "the same count again is fine");
        let default = SolveOptions {
            threads: 0,
            ..SolveOptions::default()
        };
        assert!(
            solve(&model, &default).is_ok(),
            "0 keeps whatever the thread has"
        );
        let three = SolveOptions {
            threads: 3,
            ..SolveOptions::default()
        };
        match solve(&model, &three) {
            Err(SolveError::ThreadsFixed {
                requested: 3,
                fixed: Some(2),
            }) => {}
            other => panic!("expected ThreadsFixed, got {other:?}"),
        }
    })
    .join()
    .expect("first thread");
    // Another calling thread has its own scheduler.
    std::thread::spawn(|| {
        let three = SolveOptions {
            threads: 3,
            ..SolveOptions::default()
        };
        assert!(solve(&cover_min(), &three).is_ok());
    })
    .join()
    .expect("second thread");
}

#[test]
fn bad_numbers_are_errors_not_garbage() {
    let mut nan_cost = knapsack_max();
    nan_cost.col_cost[3] = f64::NAN;
    assert!(matches!(
        solve(&nan_cost, &SolveOptions::default()),
        Err(SolveError::InvalidNumber { index: 3, .. })
    ));

    let mut inf_coefficient = knapsack_max();
    inf_coefficient.row_value[12] = f64::INFINITY;
    let error = solve(&inf_coefficient, &SolveOptions::default()).unwrap_err();
    assert!(
        matches!(error, SolveError::InvalidNumber { index: 1, .. }),
        "{error}"
    );

    let mut nan_bound = knapsack_max();
    nan_bound.row_upper[0] = f64::NAN;
    assert!(matches!(
        solve(&nan_bound, &SolveOptions::default()),
        Err(SolveError::InvalidNumber { .. })
    ));

    let mut huge_cost = knapsack_max();
    huge_cost.col_cost[0] = 1e25;
    assert!(matches!(
        solve(&huge_cost, &SolveOptions::default()),
        Err(SolveError::InvalidNumber { .. })
    ));

    let bad_gap = SolveOptions {
        mip_gap: f64::NAN,
        ..SolveOptions::default()
    };
    assert!(matches!(
        solve(&knapsack_max(), &bad_gap),
        Err(SolveError::InvalidOption(_))
    ));
    let bad_time = SolveOptions {
        time_limit: Some(-1.0),
        ..SolveOptions::default()
    };
    assert!(matches!(
        solve(&knapsack_max(), &bad_time),
        Err(SolveError::InvalidOption(_))
    ));
}

#[test]
fn malformed_models_are_errors() {
    let mut out_of_range = knapsack_max();
    out_of_range.row_index[0] = 99;
    assert!(matches!(
        solve(&out_of_range, &SolveOptions::default()),
        Err(SolveError::MalformedModel(_))
    ));

    let mut duplicate = knapsack_max();
    duplicate.row_index[1] = duplicate.row_index[0];
    assert!(matches!(
        solve(&duplicate, &SolveOptions::default()),
        Err(SolveError::MalformedModel(_))
    ));

    let mut short_starts = knapsack_max();
    short_starts.row_start.pop();
    assert!(matches!(
        solve(&short_starts, &SolveOptions::default()),
        Err(SolveError::MalformedModel(_))
    ));

    let mut reversed = knapsack_max();
    reversed.row_start[1] = 25;
    assert!(matches!(
        solve(&reversed, &SolveOptions::default()),
        Err(SolveError::MalformedModel(_))
    ));

    let mut short_bounds = knapsack_max();
    short_bounds.col_upper.pop();
    let error = solve(&short_bounds, &SolveOptions::default()).unwrap_err();
    assert!(matches!(error, SolveError::MalformedModel(_)));
    assert!(error.to_string().contains("col_upper"), "{error}");
}

#[test]
fn infinite_bounds_mean_free() {
    // min t  s.t.  t >= |x + 3|, x free: the optimum x = -3 needs the
    // infinite lower bound to be taken as "no bound".
    let mut m = LinearModel::default();
    let x = m.add_col(0.0, f64::NEG_INFINITY, f64::INFINITY, false);
    let t = m.add_col(1.0, 0.0, f64::INFINITY, false);
    m.add_row(f64::NEG_INFINITY, -3.0, &[(x, 1.0), (t, -1.0)]);
    m.add_row(f64::NEG_INFINITY, 3.0, &[(x, -1.0), (t, -1.0)]);
    let result = solve(&m, &SolveOptions::default()).unwrap();
    assert_eq!(result.status, SolveStatus::Optimal);
    assert!(result.objective.unwrap().abs() < TOL);
    assert!((result.col_value[x] + 3.0).abs() < TOL);
}

#[test]
fn model_without_columns() {
    let mut feasible = LinearModel {
        offset: 4.0,
        ..Default::default()
    };
    feasible.add_row(-1.0, 1.0, &[]);
    let result = solve(&feasible, &SolveOptions::default()).unwrap();
    assert_eq!(result.status, SolveStatus::Optimal);
    assert_eq!(result.objective, Some(4.0));

    let mut infeasible = LinearModel::default();
    infeasible.add_row(1.0, 2.0, &[]);
    assert_eq!(
        solve(&infeasible, &SolveOptions::default()).unwrap().status,
        SolveStatus::Infeasible
    );
}

#[test]
fn write_mps_writes_the_model() {
    let dir = std::env::temp_dir().join(format!("terra-solve-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("knapsack.mps");
    write_mps(&knapsack_max(), &path).expect("write succeeds");
    let text = std::fs::read_to_string(&path).unwrap();
    for section in ["ROWS", "COLUMNS", "RHS", "BOUNDS"] {
        assert!(text.contains(section), "missing {section} in:\n{text}");
    }
    assert!(
        text.contains("MARKER"),
        "integer columns are marked:\n{text}"
    );
    assert!(matches!(
        write_mps(&knapsack_max(), &dir.join("model.txt")),
        Err(SolveError::InvalidPath(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_names_highs() {
    let version = solver_version();
    assert!(version.starts_with("HiGHS 1."), "{version}");
    assert_eq!(
        solve(&knapsack_max(), &SolveOptions::default())
            .unwrap()
            .solver_version,
        version
    );
}
