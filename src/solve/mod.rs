//! Solving a [`LinearModel`] with HiGHS.
//!
//! This module owns the solver boundary: it checks the model and options
//! before anything reaches HiGHS, chooses HiGHS's options, enforces the time
//! limit itself (HiGHS's own limit overruns badly on large models), shows
//! the optional progress line, and turns HiGHS's statuses into
//! [`SolveResult`]. All calls into the C library live in `highs_ffi`.
//!
//! Only one HiGHS solve runs at a time in the process; concurrent callers
//! wait for each other.

pub mod crash;
pub mod lns;
pub mod model;
pub mod restricted;

mod highs_ffi;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use highs_ffi::{
    CallbackData, CallbackKind, FfiError, Highs, HighsInt, LayoutError, ModelStatus, ModelView,
    RowwiseMatrix, RunStatus, ThreadsError,
};

pub use model::LinearModel;

/// How to solve. `Default` gives a deterministic, quiet solve with HiGHS's
/// default thread count and a 1e-4 relative gap.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds for the solver run, enforced by terra.
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which HiGHS stops (HiGHS's `mip_rel_gap`).
    pub mip_gap: f64,
    /// HiGHS threads; 0 keeps HiGHS's default. HiGHS fixes the count for
    /// the calling thread at its first solve, so later solves on the same
    /// thread must ask for the same count (or 0).
    pub threads: usize,
    /// HiGHS `random_seed`; the same seed and model give the same answer.
    pub seed: i32,
    /// Branch-and-bound node limit: a deterministic work limit.
    pub node_limit: Option<u64>,
    /// Print HiGHS's own log (to stderr).
    pub verbose: bool,
    /// Show a progress line on stderr when stderr is a terminal.
    pub progress: bool,
    /// A MIP start: one value per column. HiGHS repairs or completes it if
    /// it is not feasible. Ignored for LPs and LP relaxations.
    pub start: Option<Vec<f64>>,
    /// `false` turns off presolve probing, which can take very long on huge
    /// models.
    pub presolve_probing: bool,
    /// A bound on the optimum proven elsewhere (in the model's sense, e.g.
    /// the LP bound of a larger model this one restricts): the MIP stops as
    /// soon as its incumbent is within `mip_gap` of it.
    pub known_bound: Option<f64>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: None,
            mip_gap: 1e-4,
            threads: 0,
            seed: 0,
            node_limit: None,
            verbose: false,
            progress: false,
            start: None,
            presolve_probing: true,
            known_bound: None,
        }
    }
}

/// What is known about the model after the solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Optimal (for a MIP: within the requested gap).
    Optimal,
    /// A feasible solution, not proven optimal (a limit stopped the solve).
    Feasible,
    TimeLimitNoSolution,
    NodeLimitNoSolution,
    Infeasible,
    Unbounded,
}

/// Why the solver stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Converged,
    TimeLimit,
    NodeLimit,
    /// Stopped early for another reason than terra's limits.
    Interrupted,
    /// The LP-first route (`restricted`) solved its restricted model to the
    /// end; the gap left is against the whole model's LP bound.
    Restricted,
    Infeasible,
    Unbounded,
}

/// The outcome of a solve. Objective values are in the model's own sense
/// and include its offset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolveResult {
    pub status: SolveStatus,
    pub stop_reason: StopReason,
    pub objective: Option<f64>,
    /// The proven bound: HiGHS's MIP dual bound, or the objective of an
    /// optimal LP.
    pub dual_bound: Option<f64>,
    /// HiGHS's relative gap, |objective − bound| / |objective|. `None`
    /// without a solution, or when HiGHS cannot define it (objective 0 with
    /// a nonzero bound, or no finite bound).
    pub gap: Option<f64>,
    /// One value per column; empty when there is no solution.
    pub col_value: Vec<f64>,
    /// Row duals of an optimal LP (empty for a MIP). Sign convention of
    /// HiGHS: the change of the objective per unit increase of the row's
    /// active bound.
    pub row_dual: Vec<f64>,
    /// Reduced costs of an optimal LP (empty for a MIP).
    pub col_dual: Vec<f64>,
    /// Branch-and-bound nodes (0 for an LP).
    pub nodes: u64,
    /// Wall-clock seconds of the solver run (model transfer excluded).
    pub seconds: f64,
    /// e.g. "HiGHS 1.16.0".
    pub solver_version: String,
}

/// Why a solve could not be carried out. Model and option problems are
/// found before HiGHS is called.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveError {
    /// Array lengths or the sparse matrix layout are inconsistent.
    MalformedModel(String),
    /// A number HiGHS cannot take: NaN anywhere, an infinite (or HiGHS-
    /// infinite, ≥ 1e20) cost or coefficient, a lower bound of +∞ or an
    /// upper bound of −∞. `index` is the column or row named in `what`.
    InvalidNumber {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// More rows, columns or nonzeros than HiGHS's 32-bit indices allow.
    TooLarge {
        what: &'static str,
        count: usize,
    },
    InvalidOption(String),
    /// HiGHS fixes its thread count per calling thread at the first solve.
    ThreadsFixed {
        requested: usize,
        fixed: Option<usize>,
    },
    /// A HiGHS API call reported an error.
    Highs(String),
    /// HiGHS ended the run without a usable answer.
    SolverFailed(String),
    InvalidPath(String),
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedModel(detail) => write!(f, "malformed model: {detail}"),
            Self::InvalidNumber { what, index, value } => {
                write!(f, "invalid model: {what} {index} is {value}")
            }
            Self::TooLarge { what, count } => write!(
                f,
                "model too large for HiGHS: {count} {what} (at most {})",
                HighsInt::MAX
            ),
            Self::InvalidOption(detail) => write!(f, "invalid solve option: {detail}"),
            Self::ThreadsFixed {
                requested,
                fixed: Some(fixed),
            } => write!(
                f,
                "cannot solve with {requested} threads: HiGHS already runs with {fixed} threads \
                 on this thread and cannot change its thread count"
            ),
            Self::ThreadsFixed {
                requested,
                fixed: None,
            } => write!(
                f,
                "HiGHS refused {requested} threads: its thread count on this thread was fixed \
                 by an earlier solve"
            ),
            Self::Highs(detail) => write!(f, "HiGHS error: {detail}"),
            Self::SolverFailed(detail) => write!(f, "HiGHS failed: {detail}"),
            Self::InvalidPath(detail) => write!(f, "invalid path: {detail}"),
        }
    }
}

impl std::error::Error for SolveError {}

impl From<FfiError> for SolveError {
    fn from(error: FfiError) -> Self {
        Self::Highs(error.to_string())
    }
}

impl From<LayoutError> for SolveError {
    fn from(error: LayoutError) -> Self {
        match error {
            LayoutError::TooLarge { what, count } => Self::TooLarge { what, count },
            LayoutError::Malformed(detail) => Self::MalformedModel(detail),
        }
    }
}

/// Solves the model as given (a MIP when any column is integer).
pub fn solve(model: &LinearModel, options: &SolveOptions) -> Result<SolveResult, SolveError> {
    run(model, options, false, None)
}

/// Solves the LP relaxation (integrality dropped) and returns its duals and
/// reduced costs.
pub fn solve_lp_relaxation(
    model: &LinearModel,
    options: &SolveOptions,
) -> Result<SolveResult, SolveError> {
    run(model, options, true, None)
}

/// Solves the LP relaxation from a starting basis (see `crash`).
pub fn solve_lp_relaxation_from(
    model: &LinearModel,
    options: &SolveOptions,
    basis: &crash::Basis,
) -> Result<SolveResult, SolveError> {
    run(model, options, true, Some(basis))
}

/// A model's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModelSize {
    pub rows: usize,
    pub columns: usize,
    pub nonzeros: usize,
}

/// The model's size after HiGHS's MIP presolve (probing off, as in the
/// solve), for benchmarks; `None` when presolve does not finish within
/// `options.time_limit`.
pub fn presolved_size(model: &LinearModel, options: &SolveOptions) -> Result<Option<ModelSize>, SolveError> {
    let matrix = checked_matrix(model)?;
    validate_options(options, model.num_cols())?;
    let integrality = integrality_of(model);
    let mut highs = Highs::new()?;
    configure(&mut highs, &SolveOptions { presolve_probing: false, ..options.clone() })?;
    highs.pass_model(&view_of(model, &matrix, integrality.as_deref()))?;
    Ok(highs.presolve()?.map(|(rows, columns, nonzeros)| ModelSize { rows, columns, nonzeros }))
}

/// Writes the model as MPS (for debugging with other tools). The path must
/// end in `.mps`.
pub fn write_mps(model: &LinearModel, path: &Path) -> Result<(), SolveError> {
    let is_mps = path
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("mps"));
    if !is_mps {
        return Err(SolveError::InvalidPath(format!(
            "{} does not end in .mps",
            path.display()
        )));
    }
    let c_path = path_to_cstring(path)?;
    let matrix = checked_matrix(model)?;
    let integrality = integrality_of(model);
    let mut highs = Highs::new()?;
    highs.set_bool_option(c"output_flag", false)?;
    highs.pass_model(&view_of(model, &matrix, integrality.as_deref()))?;
    highs.write_model(&c_path)?;
    Ok(())
}

/// The linked HiGHS version, e.g. "HiGHS 1.16.0".
pub fn solver_version() -> String {
    format!("HiGHS {}", highs_ffi::version())
}

#[cfg(unix)]
fn path_to_cstring(path: &Path) -> Result<std::ffi::CString, SolveError> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| SolveError::InvalidPath(format!("{} contains a NUL byte", path.display())))
}

#[cfg(not(unix))]
fn path_to_cstring(path: &Path) -> Result<std::ffi::CString, SolveError> {
    let text = path.to_str().ok_or_else(|| {
        SolveError::InvalidPath(format!("{} is not valid Unicode", path.display()))
    })?;
    std::ffi::CString::new(text)
        .map_err(|_| SolveError::InvalidPath(format!("{} contains a NUL byte", path.display())))
}

/// HiGHS treats any |cost| at or above this (its `infinite_cost` default) as
/// infinite; a finite cost that large is a modelling error, not intent.
const HIGHS_INFINITE_COST: f64 = 1e20;

/// Checks the model's numbers and layout, and converts its matrix to the
/// solver's index type: the one copy terra makes.
fn checked_matrix(model: &LinearModel) -> Result<RowwiseMatrix, SolveError> {
    validate_model(model)?;
    Ok(RowwiseMatrix::from_usize(&model.row_start, &model.row_index, model.num_rows(), model.num_cols())?)
}

/// `presolve_rule_off` bit of HiGHS's probing rule (kPresolveRuleProbing).
const PRESOLVE_RULE_PROBING: HighsInt = 1 << 15;

/// `simplex_strategy` value of HiGHS's parallel dual simplex (kSimplexStrategyDualTasks).
const SIMPLEX_STRATEGY_DUAL_SIP: HighsInt = 2;

/// How long the progress line waits between redraws of its message.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

fn validate_model(model: &LinearModel) -> Result<(), SolveError> {
    let num_col = model.num_cols();
    let num_row = model.num_rows();
    for (what, len, expected) in [
        ("col_lower", model.col_lower.len(), num_col),
        ("col_upper", model.col_upper.len(), num_col),
        ("col_integer", model.col_integer.len(), num_col),
        ("row_upper", model.row_upper.len(), num_row),
        ("row_value", model.row_value.len(), model.row_index.len()),
    ] {
        if len != expected {
            return Err(SolveError::MalformedModel(format!(
                "{what} has {len} entries, expected {expected}"
            )));
        }
    }
    let invalid = |what, index, value| Err(SolveError::InvalidNumber { what, index, value });
    if !model.offset.is_finite() {
        return invalid("objective offset of model", 0, model.offset);
    }
    for (j, &cost) in model.col_cost.iter().enumerate() {
        if !cost.is_finite() || cost.abs() >= HIGHS_INFINITE_COST {
            return invalid("cost of column", j, cost);
        }
    }
    for (j, (&lower, &upper)) in model.col_lower.iter().zip(&model.col_upper).enumerate() {
        if lower.is_nan() || lower == f64::INFINITY {
            return invalid("lower bound of column", j, lower);
        }
        if upper.is_nan() || upper == f64::NEG_INFINITY {
            return invalid("upper bound of column", j, upper);
        }
    }
    for (i, (&lower, &upper)) in model.row_lower.iter().zip(&model.row_upper).enumerate() {
        if lower.is_nan() || lower == f64::INFINITY {
            return invalid("lower bound of row", i, lower);
        }
        if upper.is_nan() || upper == f64::NEG_INFINITY {
            return invalid("upper bound of row", i, upper);
        }
    }
    if let Some(k) = model.row_value.iter().position(|v| !v.is_finite()) {
        // Name the row: find the row whose span holds nonzero k.
        let row = model
            .row_start
            .partition_point(|&s| s <= k)
            .saturating_sub(1);
        return invalid("matrix coefficient in row", row, model.row_value[k]);
    }
    Ok(())
}

fn validate_options(options: &SolveOptions, num_col: usize) -> Result<(), SolveError> {
    if let Some(limit) = options.time_limit {
        if limit.is_nan() || limit < 0.0 {
            return Err(SolveError::InvalidOption(format!(
                "time_limit must be >= 0 seconds, got {limit}"
            )));
        }
    }
    if !options.mip_gap.is_finite() || options.mip_gap < 0.0 {
        return Err(SolveError::InvalidOption(format!(
            "mip_gap must be finite and >= 0, got {}",
            options.mip_gap
        )));
    }
    if options.seed < 0 {
        return Err(SolveError::InvalidOption(format!(
            "seed must be >= 0, got {}",
            options.seed
        )));
    }
    if HighsInt::try_from(options.threads).is_err() {
        return Err(SolveError::InvalidOption(format!(
            "threads = {} is out of range",
            options.threads
        )));
    }
    if let Some(start) = &options.start {
        if start.len() != num_col {
            return Err(SolveError::InvalidOption(format!(
                "start has {} values, the model has {num_col} columns",
                start.len()
            )));
        }
        if let Some(j) = start.iter().position(|v| !v.is_finite()) {
            return Err(SolveError::InvalidNumber {
                what: "start value of column",
                index: j,
                value: start[j],
            });
        }
    }
    Ok(())
}

fn integrality_of(model: &LinearModel) -> Option<Vec<HighsInt>> {
    model.col_integer.iter().any(|&integer| integer).then(|| {
        model
            .col_integer
            .iter()
            .map(|&integer| HighsInt::from(integer))
            .collect()
    })
}

fn view_of<'a>(
    model: &'a LinearModel,
    matrix: &'a RowwiseMatrix,
    integrality: Option<&'a [HighsInt]>,
) -> ModelView<'a> {
    ModelView {
        maximize: model.maximize,
        offset: model.offset,
        col_cost: &model.col_cost,
        col_lower: &model.col_lower,
        col_upper: &model.col_upper,
        row_lower: &model.row_lower,
        row_upper: &model.row_upper,
        matrix,
        values: &model.row_value,
        integrality,
    }
}

fn run(
    model: &LinearModel,
    options: &SolveOptions,
    relax: bool,
    basis: Option<&crash::Basis>,
) -> Result<SolveResult, SolveError> {
    let matrix = checked_matrix(model)?;
    validate_options(options, model.num_cols())?;
    if model.num_cols() == 0 {
        // HiGHS has no real solve to do (it reports "empty model"); answer
        // directly: every row's activity is 0.
        return Ok(solve_without_columns(model, relax));
    }
    let integrality = if relax { None } else { integrality_of(model) };
    let is_mip = integrality.is_some();

    let mut highs = Highs::new()?;
    configure(&mut highs, options)?;
    // The callback goes in before the model so that a verbose log includes
    // HiGHS's model statistics and its verdict on the MIP start.
    let monitor = Arc::new(Monitor::new(options, model.maximize));
    let handler_monitor = Arc::clone(&monitor);
    highs.set_callback(
        Box::new(move |data, message| handler_monitor.on_callback(data, message)),
        &[
            CallbackKind::Logging,
            CallbackKind::SimplexInterrupt,
            CallbackKind::IpmInterrupt,
            CallbackKind::MipInterrupt,
            CallbackKind::MipImprovingSolution,
            CallbackKind::MipLogging,
        ],
    )?;
    highs.pass_model(&view_of(model, &matrix, integrality.as_deref()))?;
    if !is_mip {
        // HiGHS's parallel dual simplex (SIP) takes the same pivots as the
        // serial one, so the same basis and answer, in about 70 % of the
        // time on large assignment LPs (full-size na-fy27: 22 s, not 30 s).
        highs.set_int_option(c"simplex_strategy", SIMPLEX_STRATEGY_DUAL_SIP)?;
    }
    if let Some(basis) = basis.filter(|_| !is_mip) {
        highs.set_basis(&basis.col, &basis.row)?;
    }
    if is_mip {
        if let Some(start) = &options.start {
            highs.set_solution(start)?;
        }
    }

    // The time limit and `seconds` cover the solver run only.
    monitor.start_clock();
    let outcome = run_and_classify(&mut highs, options, &monitor, is_mip);
    monitor.finish();
    Ok(collect_result(
        &highs,
        outcome?,
        is_mip,
        monitor.run_elapsed(),
    ))
}

fn configure(highs: &mut Highs, options: &SolveOptions) -> Result<(), SolveError> {
    highs.set_bool_option(c"output_flag", options.verbose)?;
    // HiGHS's console log goes to stdout, which belongs to terra's output;
    // verbose logging is forwarded to stderr by the callback instead.
    highs.set_bool_option(c"log_to_console", false)?;
    highs.set_int_option(c"random_seed", options.seed)?;
    if options.threads != 0 {
        highs
            .set_threads(options.threads)
            .map_err(|error| SolveError::ThreadsFixed {
                requested: options.threads,
                fixed: match error {
                    ThreadsError::Fixed(fixed) => Some(fixed),
                    ThreadsError::Rejected => None,
                },
            })?;
    }
    // Parallel branch and bound changes the search path between runs;
    // keep it off unless several threads were asked for.
    let parallel = if options.threads > 1 {
        c"choose"
    } else {
        c"off"
    };
    highs.set_string_option(c"parallel", parallel)?;
    if let Some(limit) = options.time_limit {
        // HiGHS's own limit as a backstop; terra's callback is the real one.
        highs.set_double_option(c"time_limit", limit)?;
    }
    highs.set_double_option(c"mip_rel_gap", options.mip_gap)?;
    if let Some(nodes) = options.node_limit {
        // HiGHS's maximum int means "no limit", so stay one below it.
        let nodes = HighsInt::try_from(nodes)
            .unwrap_or(HighsInt::MAX)
            .min(HighsInt::MAX - 1);
        highs.set_int_option(c"mip_max_nodes", nodes)?;
    }
    if !options.presolve_probing {
        highs.set_int_option(c"presolve_rule_off", PRESOLVE_RULE_PROBING)?;
    }
    Ok(())
}

/// Status and stop reason decided from what HiGHS reports.
struct Classified {
    status: SolveStatus,
    stop_reason: StopReason,
    /// The instance was re-solved with another objective: its values and
    /// bounds say nothing about the model's own objective.
    objective_replaced: bool,
}

/// Runs HiGHS and classifies the outcome.
fn run_and_classify(
    highs: &mut Highs,
    options: &SolveOptions,
    monitor: &Monitor,
    is_mip: bool,
) -> Result<Classified, SolveError> {
    let run_status = highs.run();
    let model_status = highs.model_status();
    if run_status == RunStatus::Error && model_status == ModelStatus::NotSet {
        // HiGHS stopped before solving; with an explicit thread count the
        // usual cause is a scheduler already fixed to another count.
        if options.threads != 0 {
            return Err(SolveError::ThreadsFixed {
                requested: options.threads,
                fixed: None,
            });
        }
        return Err(SolveError::SolverFailed(
            "HiGHS could not start the solve".into(),
        ));
    }
    let limit_reason = |monitor: &Monitor| {
        if monitor.timed_out() {
            StopReason::TimeLimit
        } else {
            StopReason::Interrupted
        }
    };
    let classified = match model_status {
        ModelStatus::Optimal | ModelStatus::ModelEmpty => {
            (SolveStatus::Optimal, StopReason::Converged)
        }
        ModelStatus::Infeasible => (SolveStatus::Infeasible, StopReason::Infeasible),
        ModelStatus::Unbounded => (SolveStatus::Unbounded, StopReason::Unbounded),
        ModelStatus::UnboundedOrInfeasible => {
            let (status, stop_reason) = disambiguate(highs, options, monitor)?;
            return Ok(Classified {
                status,
                stop_reason,
                objective_replaced: true,
            });
        }
        ModelStatus::TimeLimit => limited(
            highs,
            StopReason::TimeLimit,
            SolveStatus::TimeLimitNoSolution,
        ),
        ModelStatus::SolutionLimit => limited(
            highs,
            StopReason::NodeLimit,
            SolveStatus::NodeLimitNoSolution,
        ),
        ModelStatus::Interrupt | ModelStatus::HighsInterrupt => limited(
            highs,
            limit_reason(monitor),
            SolveStatus::TimeLimitNoSolution,
        ),
        ModelStatus::IterationLimit
        | ModelStatus::ObjectiveBound
        | ModelStatus::ObjectiveTarget
        | ModelStatus::Unknown
            if highs.has_feasible_primal() =>
        {
            (SolveStatus::Feasible, StopReason::Interrupted)
        }
        other => {
            let kind = if is_mip { "MIP" } else { "LP" };
            return Err(SolveError::SolverFailed(format!(
                "{kind} solve ended with status: {}",
                other.describe()
            )));
        }
    };
    Ok(Classified {
        status: classified.0,
        stop_reason: classified.1,
        objective_replaced: false,
    })
}

fn limited(
    highs: &Highs,
    reason: StopReason,
    without_solution: SolveStatus,
) -> (SolveStatus, StopReason) {
    if highs.has_feasible_primal() {
        (SolveStatus::Feasible, reason)
    } else {
        (without_solution, reason)
    }
}

/// HiGHS (typically its presolve) proved "infeasible or unbounded" without
/// saying which. Re-solve with a zero objective: a feasible point then means
/// unbounded, none means infeasible. The time limit keeps counting.
fn disambiguate(
    highs: &mut Highs,
    options: &SolveOptions,
    monitor: &Monitor,
) -> Result<(SolveStatus, StopReason), SolveError> {
    highs.zero_costs()?;
    if let Some(limit) = options.time_limit {
        let remaining = (limit - monitor.run_elapsed().as_secs_f64()).max(0.0);
        highs.set_double_option(c"time_limit", remaining)?;
    }
    highs.run();
    match highs.model_status() {
        ModelStatus::Infeasible => Ok((SolveStatus::Infeasible, StopReason::Infeasible)),
        ModelStatus::Optimal => Ok((SolveStatus::Unbounded, StopReason::Unbounded)),
        _ if highs.has_feasible_primal() => Ok((SolveStatus::Unbounded, StopReason::Unbounded)),
        ModelStatus::TimeLimit | ModelStatus::Interrupt => {
            Ok((SolveStatus::TimeLimitNoSolution, StopReason::TimeLimit))
        }
        other => Err(SolveError::SolverFailed(format!(
            "model is infeasible or unbounded; deciding which ended with status: {}",
            other.describe()
        ))),
    }
}

fn collect_result(
    highs: &Highs,
    classified: Classified,
    is_mip: bool,
    elapsed: Duration,
) -> SolveResult {
    let Classified {
        status,
        stop_reason,
        objective_replaced,
    } = classified;
    let finite = |value: Option<f64>| value.filter(|v| v.is_finite() && !objective_replaced);
    let has_solution = !objective_replaced
        && match status {
            // An optimal answer may carry tiny tolerance violations that make
            // HiGHS call the point "infeasible"; it is still the answer.
            SolveStatus::Optimal => highs.has_primal_values(),
            SolveStatus::Feasible => highs.has_feasible_primal(),
            _ => false,
        };
    let solution = if has_solution { highs.solution() } else { None };
    let objective = if solution.is_some() {
        finite(highs.double_info(c"objective_function_value"))
    } else {
        None
    };
    let (dual_bound, gap, nodes) = if is_mip {
        let bound = match status {
            SolveStatus::Infeasible | SolveStatus::Unbounded => None,
            _ => finite(highs.double_info(c"mip_dual_bound")),
        };
        let gap = if objective.is_some() {
            finite(highs.double_info(c"mip_gap"))
        } else {
            None
        };
        let nodes = highs
            .int64_info(c"mip_node_count")
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        (bound, gap, nodes)
    } else if status == SolveStatus::Optimal {
        (objective, objective.map(|_| 0.0), 0)
    } else {
        (None, None, 0)
    };
    let (col_value, row_dual, col_dual) = match solution {
        Some(solution) => {
            let duals = !is_mip && status == SolveStatus::Optimal && highs.has_feasible_dual();
            if duals {
                (solution.col_value, solution.row_dual, solution.col_dual)
            } else {
                (solution.col_value, Vec::new(), Vec::new())
            }
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    SolveResult {
        status,
        stop_reason,
        objective,
        dual_bound,
        gap,
        col_value,
        row_dual,
        col_dual,
        nodes,
        seconds: elapsed.as_secs_f64(),
        solver_version: solver_version(),
    }
}

/// A model without columns: feasible exactly when every row admits 0.
fn solve_without_columns(model: &LinearModel, relax: bool) -> SolveResult {
    let feasible = model
        .row_lower
        .iter()
        .zip(&model.row_upper)
        .all(|(&lower, &upper)| lower <= 0.0 && 0.0 <= upper);
    let is_lp = relax || !model.col_integer.iter().any(|&integer| integer);
    let (status, stop_reason) = if feasible {
        (SolveStatus::Optimal, StopReason::Converged)
    } else {
        (SolveStatus::Infeasible, StopReason::Infeasible)
    };
    let objective = feasible.then_some(model.offset);
    SolveResult {
        status,
        stop_reason,
        objective,
        dual_bound: objective,
        gap: objective.map(|_| 0.0),
        col_value: Vec::new(),
        row_dual: if feasible && is_lp {
            vec![0.0; model.num_rows()]
        } else {
            Vec::new()
        },
        col_dual: Vec::new(),
        nodes: 0,
        seconds: 0.0,
        solver_version: solver_version(),
    }
}

/// State shared with the HiGHS callback: the clock for terra's time limit,
/// verbose log forwarding and the progress line.
struct Monitor {
    created: Instant,
    /// Nanoseconds after `created` at which the solver run started; read
    /// lock-free on every interrupt check.
    run_offset_nanos: AtomicU64,
    limit: Option<Duration>,
    timed_out: AtomicBool,
    verbose: bool,
    progress: Option<ProgressBar>,
    /// When the progress message was last redrawn (callbacks come far more
    /// often than a person can read).
    last_draw: Mutex<Option<Instant>>,
    /// (bound, relative gap, maximise): stop once the incumbent is within
    /// the gap of this bound.
    known_bound: Option<(f64, f64, bool)>,
}

impl Monitor {
    fn new(options: &SolveOptions, maximize: bool) -> Self {
        let progress = (options.progress && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} solving {elapsed_precise} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self {
            // Durations beyond what `Duration` holds are no limit at all.
            limit: options
                .time_limit
                .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok()),
            created: Instant::now(),
            run_offset_nanos: AtomicU64::new(0),
            timed_out: AtomicBool::new(false),
            verbose: options.verbose,
            progress,
            last_draw: Mutex::new(None),
            known_bound: options.known_bound.map(|b| (b, options.mip_gap, maximize)),
        }
    }

    /// Whether the incumbent is within the gap of the known bound.
    fn close_to_known_bound(&self, data: &CallbackData) -> bool {
        let Some((bound, gap, maximize)) = self.known_bound else { return false };
        let incumbent = data.mip_primal_bound;
        if !incumbent.is_finite() || incumbent.abs() >= 1e20 {
            return false;
        }
        let distance = if maximize { bound - incumbent } else { incumbent - bound };
        distance <= gap * incumbent.abs()
    }

    /// Marks the start of the solver run: the time limit counts from here.
    fn start_clock(&self) {
        let offset = u64::try_from(self.created.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.run_offset_nanos.store(offset, Ordering::Relaxed);
    }

    fn run_elapsed(&self) -> Duration {
        let offset = Duration::from_nanos(self.run_offset_nanos.load(Ordering::Relaxed));
        self.created.elapsed().saturating_sub(offset)
    }

    fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed)
    }

    /// The callback body; returns whether HiGHS should stop. Must not panic
    /// (the FFI layer also catches panics, as a second line of defence).
    fn on_callback(&self, data: &CallbackData, message: Option<&str>) -> bool {
        match data.kind {
            CallbackKind::Logging => {
                if self.verbose {
                    if let Some(text) = message {
                        self.log(text);
                    }
                }
                false
            }
            CallbackKind::SimplexInterrupt | CallbackKind::IpmInterrupt => self.check_time(),
            CallbackKind::MipInterrupt => {
                self.show(data, false);
                self.check_time() || self.close_to_known_bound(data)
            }
            CallbackKind::MipImprovingSolution => {
                self.show(data, true);
                false
            }
            CallbackKind::MipLogging => {
                self.show(data, false);
                false
            }
            CallbackKind::Other => false,
        }
    }

    fn check_time(&self) -> bool {
        match self.limit {
            Some(limit) if self.run_elapsed() >= limit => {
                self.timed_out.store(true, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    fn log(&self, text: &str) {
        let write = || {
            // A closed stderr must not abort the solve.
            let _ = std::io::stderr().write_all(text.as_bytes());
        };
        match &self.progress {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn show(&self, data: &CallbackData, force: bool) {
        let Some(bar) = &self.progress else { return };
        // Skip rather than wait if another thread is drawing.
        let Ok(mut last) = self.last_draw.try_lock() else {
            return;
        };
        let now = Instant::now();
        if !force && last.is_some_and(|at| now.duration_since(at) < PROGRESS_INTERVAL) {
            return;
        }
        *last = Some(now);
        let number = |value: f64| {
            if !value.is_finite() {
                "–".to_string()
            } else if value.abs() >= 1e7 {
                format!("{value:.4e}")
            } else {
                format!("{value:.2}")
            }
        };
        let gap = if data.mip_gap.is_finite() && data.mip_gap >= 0.0 {
            format!("{:.2}%", data.mip_gap * 100.0)
        } else {
            "–".to_string()
        };
        let nodes = if data.mip_node_count >= 0 {
            data.mip_node_count.to_string()
        } else {
            "–".to_string()
        };
        bar.set_message(format!(
            "incumbent {}  bound {}  gap {}  nodes {}",
            number(data.mip_primal_bound),
            number(data.mip_dual_bound),
            gap,
            nodes
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Monitor {
    /// Clears the progress line on every path, errors included.
    fn drop(&mut self) {
        self.finish();
    }
}
