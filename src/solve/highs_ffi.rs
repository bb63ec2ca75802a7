//! The only module in terra that calls into HiGHS's C API (`highs-sys`).
//!
//! It owns every `unsafe` block of the solver layer and exposes a small safe
//! surface to `solve`:
//! - [`Highs`], one HiGHS instance that holds the process-wide solver lock
//!   from creation to destruction;
//! - [`RowwiseMatrix`] / [`ModelView`], the model as HiGHS wants it, checked
//!   so that HiGHS never reads outside the slices it is given;
//! - a Rust closure as the HiGHS callback, never unwinding into C.
//!
//! Policy (which options to set, how statuses map to terra's results) lives
//! in `solve`; this module only makes the calls sound.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::sync::{Mutex, MutexGuard};

use highs_sys as sys;

pub(super) use sys::HighsInt;

/// Serialises every HiGHS instance in the process, from create to destroy:
/// destroying one instance while another is solving is not safe in HiGHS,
/// and solves are long anyway, so one at a time costs nothing in practice.
static SOLVER_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    /// The explicit `threads` value this thread's HiGHS scheduler was started
    /// with (0: never set explicitly). HiGHS keeps one task scheduler per
    /// calling thread and refuses a later, different thread count on it.
    static SCHEDULER_THREADS: Cell<usize> = const { Cell::new(0) };
}

/// A HiGHS API call that reported `kHighsStatusError`, or a request this
/// wrapper refused to forward.
#[derive(Debug, Clone)]
pub(super) struct FfiError {
    pub call: &'static str,
    pub detail: String,
}

impl fmt::Display for FfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.call, self.detail)
    }
}

fn check(
    call: &'static str,
    status: HighsInt,
    detail: impl FnOnce() -> String,
) -> Result<(), FfiError> {
    if status == sys::kHighsStatusError {
        Err(FfiError {
            call,
            detail: detail(),
        })
    } else {
        Ok(())
    }
}

/// Why `set_threads` refused a thread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ThreadsError {
    /// This thread's scheduler already runs with this many threads.
    Fixed(usize),
    /// HiGHS rejected the value.
    Rejected,
}

/// Outcome of `Highs_run`: warnings are normal (time limit, interrupts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RunStatus {
    Ok,
    Warning,
    Error,
}

/// HiGHS's model status after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ModelStatus {
    NotSet,
    LoadError,
    ModelError,
    PresolveError,
    SolveError,
    PostsolveError,
    ModelEmpty,
    Optimal,
    Infeasible,
    UnboundedOrInfeasible,
    Unbounded,
    ObjectiveBound,
    ObjectiveTarget,
    TimeLimit,
    IterationLimit,
    Unknown,
    /// Node, leaf, stall or improving-solution limit of the MIP solver.
    SolutionLimit,
    /// Interrupted from our callback.
    Interrupt,
    MemoryLimit,
    /// Interrupted by HiGHS itself (a concurrent instance finished first).
    HighsInterrupt,
    Other(HighsInt),
}

impl ModelStatus {
    fn from_raw(raw: HighsInt) -> Self {
        match raw {
            sys::kHighsModelStatusNotset => Self::NotSet,
            sys::kHighsModelStatusLoadError => Self::LoadError,
            sys::kHighsModelStatusModelError => Self::ModelError,
            sys::kHighsModelStatusPresolveError => Self::PresolveError,
            sys::kHighsModelStatusSolveError => Self::SolveError,
            sys::kHighsModelStatusPostsolveError => Self::PostsolveError,
            sys::kHighsModelStatusModelEmpty => Self::ModelEmpty,
            sys::kHighsModelStatusOptimal => Self::Optimal,
            sys::kHighsModelStatusInfeasible => Self::Infeasible,
            sys::kHighsModelStatusUnboundedOrInfeasible => Self::UnboundedOrInfeasible,
            sys::kHighsModelStatusUnbounded => Self::Unbounded,
            sys::kHighsModelStatusObjectiveBound => Self::ObjectiveBound,
            sys::kHighsModelStatusObjectiveTarget => Self::ObjectiveTarget,
            sys::kHighsModelStatusTimeLimit => Self::TimeLimit,
            sys::kHighsModelStatusIterationLimit => Self::IterationLimit,
            sys::kHighsModelStatusUnknown => Self::Unknown,
            sys::kHighsModelStatusSolutionLimit => Self::SolutionLimit,
            sys::kHighsModelStatusInterrupt => Self::Interrupt,
            sys::kHighsModelStatusMemoryLimit => Self::MemoryLimit,
            sys::kHighsModelStatusHighsInterrupt => Self::HighsInterrupt,
            other => Self::Other(other),
        }
    }

    /// HiGHS's own wording, for error messages.
    pub fn describe(self) -> String {
        match self {
            Self::NotSet => "not set".into(),
            Self::LoadError => "load error".into(),
            Self::ModelError => "model error".into(),
            Self::PresolveError => "presolve error".into(),
            Self::SolveError => "solve error".into(),
            Self::PostsolveError => "postsolve error".into(),
            Self::ModelEmpty => "empty model".into(),
            Self::Optimal => "optimal".into(),
            Self::Infeasible => "infeasible".into(),
            Self::UnboundedOrInfeasible => "primal infeasible or unbounded".into(),
            Self::Unbounded => "unbounded".into(),
            Self::ObjectiveBound => "bound on objective reached".into(),
            Self::ObjectiveTarget => "target for objective reached".into(),
            Self::TimeLimit => "time limit reached".into(),
            Self::IterationLimit => "iteration limit reached".into(),
            Self::Unknown => "unknown".into(),
            Self::SolutionLimit => "solution limit reached".into(),
            Self::Interrupt => "interrupted by user".into(),
            Self::MemoryLimit => "memory limit reached".into(),
            Self::HighsInterrupt => "interrupted by HiGHS".into(),
            Self::Other(raw) => format!("model status {raw}"),
        }
    }
}

/// Why a matrix could not be handed to HiGHS.
#[derive(Debug, Clone)]
pub(super) enum LayoutError {
    /// More entries than HiGHS's 32-bit indices can address.
    TooLarge {
        what: &'static str,
        count: usize,
    },
    Malformed(String),
}

fn to_highs_int(what: &'static str, count: usize) -> Result<HighsInt, LayoutError> {
    HighsInt::try_from(count).map_err(|_| LayoutError::TooLarge { what, count })
}

/// A row-wise sparse matrix in HiGHS's index type. Construction checks
/// every invariant HiGHS relies on when it reads the arrays (monotone starts
/// within the nonzeros, column indices in range), so passing it is sound.
#[derive(Debug)]
pub(super) struct RowwiseMatrix {
    /// Start of each row; HiGHS takes `num_row` starts, the end is `num_nz`.
    start: Vec<HighsInt>,
    index: Vec<HighsInt>,
    num_col: usize,
}

impl RowwiseMatrix {
    /// Converts `usize` starts and indices once, checking the layout in the
    /// same pass. `row_start` has `num_row + 1` entries, or none when there
    /// are no rows. Duplicate columns in a row are rejected (HiGHS would).
    pub fn from_usize(
        row_start: &[usize],
        row_index: &[usize],
        num_row: usize,
        num_col: usize,
    ) -> Result<Self, LayoutError> {
        let num_nz = row_index.len();
        to_highs_int("rows", num_row)?;
        to_highs_int("columns", num_col)?;
        to_highs_int("nonzeros", num_nz)?;
        if row_start.is_empty() {
            if num_row != 0 || num_nz != 0 {
                return Err(LayoutError::Malformed(format!(
                    "row_start is empty but the model has {num_row} rows and {num_nz} nonzeros"
                )));
            }
            return Ok(Self {
                start: Vec::new(),
                index: Vec::new(),
                num_col,
            });
        }
        if row_start.len() != num_row + 1 {
            return Err(LayoutError::Malformed(format!(
                "row_start has {} entries, expected {} (rows + 1)",
                row_start.len(),
                num_row + 1
            )));
        }
        if row_start[0] != 0 {
            return Err(LayoutError::Malformed(format!(
                "row_start[0] is {}, expected 0",
                row_start[0]
            )));
        }
        if row_start[num_row] != num_nz {
            return Err(LayoutError::Malformed(format!(
                "row_start ends at {} but there are {num_nz} nonzeros",
                row_start[num_row]
            )));
        }
        let mut start = Vec::with_capacity(num_row);
        let mut index = Vec::with_capacity(num_nz);
        // Last row (+1) that used each column: finds duplicates in one pass.
        let mut last_row: Vec<u32> = vec![0; num_col];
        for row in 0..num_row {
            let (begin, end) = (row_start[row], row_start[row + 1]);
            if begin > end || end > num_nz {
                return Err(LayoutError::Malformed(format!(
                    "row {row} spans nonzeros {begin}..{end}, outside 0..{num_nz} or reversed"
                )));
            }
            // infallible: begin <= num_nz, checked to fit in HighsInt above.
            start.push(begin as HighsInt);
            // Row numbers fit in HighsInt (checked above), hence in u32 + 1.
            let mark = row as u32 + 1;
            for &col in &row_index[begin..end] {
                if col >= num_col {
                    return Err(LayoutError::Malformed(format!(
                        "row {row} refers to column {col}, but there are {num_col} columns"
                    )));
                }
                if last_row[col] == mark {
                    return Err(LayoutError::Malformed(format!(
                        "row {row} refers to column {col} more than once"
                    )));
                }
                last_row[col] = mark;
                // infallible: col < num_col, which fits in HighsInt.
                index.push(col as HighsInt);
            }
        }
        Ok(Self {
            start,
            index,
            num_col,
        })
    }

    pub fn num_row(&self) -> usize {
        self.start.len()
    }

    pub fn num_nz(&self) -> usize {
        self.index.len()
    }
}

/// Where a column or row stands in a simplex basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasisStatus {
    /// Nonbasic at its lower bound.
    Lower,
    Basic,
    /// Nonbasic at its upper bound.
    Upper,
    /// Nonbasic free variable, at 0.
    Zero,
}

impl BasisStatus {
    fn raw(self) -> HighsInt {
        match self {
            Self::Lower => sys::kHighsBasisStatusLower,
            Self::Basic => sys::kHighsBasisStatusBasic,
            Self::Upper => sys::kHighsBasisStatusUpper,
            Self::Zero => sys::kHighsBasisStatusZero,
        }
    }
}

/// Borrowed model data in the layout `Highs_passModel` takes.
pub(super) struct ModelView<'a> {
    pub maximize: bool,
    pub offset: f64,
    pub col_cost: &'a [f64],
    pub col_lower: &'a [f64],
    pub col_upper: &'a [f64],
    pub row_lower: &'a [f64],
    pub row_upper: &'a [f64],
    pub matrix: &'a RowwiseMatrix,
    pub values: &'a [f64],
    /// `None` passes the model as an LP (no integrality at all).
    pub integrality: Option<&'a [HighsInt]>,
}

/// What a callback reports, copied out of HiGHS's struct. Values HiGHS did
/// not fill for this callback type are left as HiGHS's "unset" markers
/// (infinite bounds, negative counts); the reader filters them.
#[derive(Debug, Clone, Copy)]
pub(super) struct CallbackData {
    pub kind: CallbackKind,
    pub mip_primal_bound: f64,
    pub mip_dual_bound: f64,
    pub mip_gap: f64,
    pub mip_node_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallbackKind {
    Logging,
    SimplexInterrupt,
    IpmInterrupt,
    MipInterrupt,
    MipImprovingSolution,
    MipLogging,
    Other,
}

impl CallbackKind {
    fn from_raw(raw: c_int) -> Self {
        match raw {
            sys::kHighsCallbackLogging => Self::Logging,
            sys::kHighsCallbackSimplexInterrupt => Self::SimplexInterrupt,
            sys::kHighsCallbackIpmInterrupt => Self::IpmInterrupt,
            sys::kHighsCallbackMipInterrupt => Self::MipInterrupt,
            sys::kHighsCallbackMipImprovingSolution => Self::MipImprovingSolution,
            sys::kHighsCallbackMipLogging => Self::MipLogging,
            _ => Self::Other,
        }
    }

    /// Only these callback types may set `user_interrupt`; HiGHS asserts
    /// that the others leave it clear.
    pub fn can_interrupt(self) -> bool {
        matches!(
            self,
            Self::SimplexInterrupt | Self::IpmInterrupt | Self::MipInterrupt
        )
    }

    fn raw(self) -> Option<HighsInt> {
        match self {
            Self::Logging => Some(sys::kHighsCallbackLogging),
            Self::SimplexInterrupt => Some(sys::kHighsCallbackSimplexInterrupt),
            Self::IpmInterrupt => Some(sys::kHighsCallbackIpmInterrupt),
            Self::MipInterrupt => Some(sys::kHighsCallbackMipInterrupt),
            Self::MipImprovingSolution => Some(sys::kHighsCallbackMipImprovingSolution),
            Self::MipLogging => Some(sys::kHighsCallbackMipLogging),
            Self::Other => None,
        }
    }
}

/// The closure HiGHS calls back into. `message` is HiGHS's log text (only
/// for `Logging`). Returning `true` from an interrupt callback stops the
/// solve; the return value is ignored for the other kinds. It may be called
/// from HiGHS's worker threads, hence `Send + Sync`.
pub(super) type CallbackHandler = dyn Fn(&CallbackData, Option<&str>) -> bool + Send + Sync;

/// A primal (and, for LPs, dual) solution read back from HiGHS.
#[derive(Debug, Default)]
pub(super) struct Solution {
    pub col_value: Vec<f64>,
    pub col_dual: Vec<f64>,
    pub row_dual: Vec<f64>,
}

/// One HiGHS instance. While it exists, the process-wide solver lock is
/// held, so create..destroy of every instance is serialised.
pub(super) struct Highs {
    ptr: NonNull<c_void>,
    num_col: usize,
    num_row: usize,
    /// Explicit thread count set for this instance, recorded as the
    /// thread's scheduler size once a run has started with it.
    pending_threads: usize,
    /// Kept alive (at a stable address) for as long as HiGHS may call it;
    /// dropped only after `Highs_destroy` in `Drop`.
    handler: Option<Box<Box<CallbackHandler>>>,
    _lock: MutexGuard<'static, ()>,
}

impl Highs {
    /// Waits for any other solve in the process to finish, then creates an
    /// instance.
    pub fn new() -> Result<Self, FfiError> {
        // The lock guards no data, so a panic elsewhere while holding it
        // leaves nothing inconsistent: ignore poisoning.
        let lock = SOLVER_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: Highs_create has no preconditions; a null result is handled.
        let raw = unsafe { sys::Highs_create() };
        let ptr = NonNull::new(raw).ok_or_else(|| FfiError {
            call: "Highs_create",
            detail: "HiGHS returned no instance".into(),
        })?;
        Ok(Self {
            ptr,
            num_col: 0,
            num_row: 0,
            pending_threads: 0,
            handler: None,
            _lock: lock,
        })
    }

    pub fn set_bool_option(&mut self, name: &'static CStr, value: bool) -> Result<(), FfiError> {
        // SAFETY: valid instance, NUL-terminated option name.
        let status = unsafe {
            sys::Highs_setBoolOptionValue(self.ptr.as_ptr(), name.as_ptr(), HighsInt::from(value))
        };
        check("Highs_setBoolOptionValue", status, || {
            format!("option {} = {value}", name.to_string_lossy())
        })
    }

    pub fn set_int_option(&mut self, name: &'static CStr, value: HighsInt) -> Result<(), FfiError> {
        // SAFETY: valid instance, NUL-terminated option name.
        let status =
            unsafe { sys::Highs_setIntOptionValue(self.ptr.as_ptr(), name.as_ptr(), value) };
        check("Highs_setIntOptionValue", status, || {
            format!("option {} = {value}", name.to_string_lossy())
        })
    }

    pub fn set_double_option(&mut self, name: &'static CStr, value: f64) -> Result<(), FfiError> {
        // SAFETY: valid instance, NUL-terminated option name.
        let status =
            unsafe { sys::Highs_setDoubleOptionValue(self.ptr.as_ptr(), name.as_ptr(), value) };
        check("Highs_setDoubleOptionValue", status, || {
            format!("option {} = {value}", name.to_string_lossy())
        })
    }

    pub fn set_string_option(
        &mut self,
        name: &'static CStr,
        value: &'static CStr,
    ) -> Result<(), FfiError> {
        // SAFETY: valid instance, NUL-terminated name and value.
        let status = unsafe {
            sys::Highs_setStringOptionValue(self.ptr.as_ptr(), name.as_ptr(), value.as_ptr())
        };
        check("Highs_setStringOptionValue", status, || {
            format!(
                "option {} = {}",
                name.to_string_lossy(),
                value.to_string_lossy()
            )
        })
    }

    /// Sets HiGHS's `threads` option. HiGHS fixes the thread count of the
    /// calling thread's scheduler at the first run; a different explicit
    /// count later on the same thread is refused here, with the count it was
    /// fixed to, rather than by an error deep inside the run.
    pub fn set_threads(&mut self, threads: usize) -> Result<(), ThreadsError> {
        let fixed = SCHEDULER_THREADS.with(Cell::get);
        if fixed != 0 && fixed != threads {
            return Err(ThreadsError::Fixed(fixed));
        }
        let value = HighsInt::try_from(threads).map_err(|_| ThreadsError::Rejected)?;
        self.set_int_option(c"threads", value)
            .map_err(|_| ThreadsError::Rejected)?;
        self.pending_threads = threads;
        Ok(())
    }

    pub fn pass_model(&mut self, model: &ModelView<'_>) -> Result<(), FfiError> {
        let num_col = model.col_cost.len();
        let num_row = model.matrix.num_row();
        let num_nz = model.matrix.num_nz();
        let mismatch = |what: &str, len: usize, expected: usize| FfiError {
            call: "Highs_passModel",
            detail: format!("{what} has {len} entries, expected {expected}"),
        };
        // Everything HiGHS reads is sized by these counts: check them all.
        for (what, len) in [
            ("col_lower", model.col_lower.len()),
            ("col_upper", model.col_upper.len()),
        ] {
            if len != num_col {
                return Err(mismatch(what, len, num_col));
            }
        }
        for (what, len) in [
            ("row_lower", model.row_lower.len()),
            ("row_upper", model.row_upper.len()),
        ] {
            if len != num_row {
                return Err(mismatch(what, len, num_row));
            }
        }
        if model.matrix.num_col != num_col {
            return Err(mismatch("matrix columns", model.matrix.num_col, num_col));
        }
        if model.values.len() != num_nz {
            return Err(mismatch("matrix values", model.values.len(), num_nz));
        }
        if let Some(integrality) = model.integrality {
            if integrality.len() != num_col {
                return Err(mismatch("integrality", integrality.len(), num_col));
            }
        }
        let too_large = |what: &'static str, count: usize| FfiError {
            call: "Highs_passModel",
            detail: format!("{count} {what} exceed HiGHS's index range"),
        };
        let hi_col = HighsInt::try_from(num_col).map_err(|_| too_large("columns", num_col))?;
        let hi_row = HighsInt::try_from(num_row).map_err(|_| too_large("rows", num_row))?;
        let hi_nz = HighsInt::try_from(num_nz).map_err(|_| too_large("nonzeros", num_nz))?;
        let sense = if model.maximize {
            sys::kHighsObjSenseMaximize
        } else {
            sys::kHighsObjSenseMinimize
        };
        let integrality = model.integrality.map_or(ptr::null(), <[HighsInt]>::as_ptr);
        // SAFETY: valid instance; every array has exactly the length HiGHS
        // reads for the counts passed (checked above); matrix starts and
        // indices are in range by construction of RowwiseMatrix; there is
        // no Hessian (q_num_nz = 0, null arrays). HiGHS copies all data.
        let status = unsafe {
            sys::Highs_passModel(
                self.ptr.as_ptr(),
                hi_col,
                hi_row,
                hi_nz,
                0,
                sys::kHighsMatrixFormatRowwise,
                sys::kHighsHessianFormatTriangular,
                sense,
                model.offset,
                model.col_cost.as_ptr(),
                model.col_lower.as_ptr(),
                model.col_upper.as_ptr(),
                model.row_lower.as_ptr(),
                model.row_upper.as_ptr(),
                model.matrix.start.as_ptr(),
                model.matrix.index.as_ptr(),
                model.values.as_ptr(),
                ptr::null(),
                ptr::null(),
                ptr::null(),
                integrality,
            )
        };
        check("Highs_passModel", status, || {
            "HiGHS rejected the model (run verbose for its reason)".into()
        })?;
        self.num_col = num_col;
        self.num_row = num_row;
        Ok(())
    }

    /// Runs HiGHS's presolve alone (no solve); `Ok(Some(size))` is the
    /// reduced model's rows, columns and nonzeros, `Ok(None)` when presolve
    /// stopped at a limit.
    pub fn presolve(&mut self) -> Result<Option<(usize, usize, usize)>, FfiError> {
        // SAFETY: valid instance.
        let status = unsafe { sys::Highs_presolve(self.ptr.as_ptr()) };
        check("Highs_presolve", status, || "HiGHS presolve failed".into())?;
        if matches!(self.model_status(), ModelStatus::TimeLimit | ModelStatus::Interrupt) {
            return Ok(None);
        }
        // SAFETY: valid instance; read-only queries.
        let (rows, cols, nonzeros) = unsafe {
            (
                sys::Highs_getPresolvedNumRow(self.ptr.as_ptr()),
                sys::Highs_getPresolvedNumCol(self.ptr.as_ptr()),
                sys::Highs_getPresolvedNumNz(self.ptr.as_ptr()),
            )
        };
        let size = |n: HighsInt| usize::try_from(n).unwrap_or(0);
        Ok(Some((size(rows), size(cols), size(nonzeros))))
    }

    /// Gives HiGHS a starting basis for the next LP solve: one status per
    /// column and per row. HiGHS checks it (the count of basic variables)
    /// and repairs a singular one itself.
    pub fn set_basis(&mut self, col_status: &[BasisStatus], row_status: &[BasisStatus]) -> Result<(), FfiError> {
        if col_status.len() != self.num_col || row_status.len() != self.num_row {
            return Err(FfiError {
                call: "Highs_setBasis",
                detail: format!(
                    "basis has {} column and {} row statuses, model has {} columns and {} rows",
                    col_status.len(),
                    row_status.len(),
                    self.num_col,
                    self.num_row
                ),
            });
        }
        let cols: Vec<HighsInt> = col_status.iter().map(|s| s.raw()).collect();
        let rows: Vec<HighsInt> = row_status.iter().map(|s| s.raw()).collect();
        // SAFETY: valid instance; HiGHS reads num_col and num_row statuses
        // (lengths checked).
        let status = unsafe { sys::Highs_setBasis(self.ptr.as_ptr(), cols.as_ptr(), rows.as_ptr()) };
        check("Highs_setBasis", status, || "HiGHS rejected the basis".into())
    }

    /// Gives HiGHS a full primal starting point (a MIP start).
    pub fn set_solution(&mut self, col_value: &[f64]) -> Result<(), FfiError> {
        if col_value.len() != self.num_col {
            return Err(FfiError {
                call: "Highs_setSolution",
                detail: format!(
                    "start has {} values, model has {} columns",
                    col_value.len(),
                    self.num_col
                ),
            });
        }
        // SAFETY: valid instance; HiGHS reads num_col values from col_value
        // (length checked) and nothing from the null arrays.
        let status = unsafe {
            sys::Highs_setSolution(
                self.ptr.as_ptr(),
                col_value.as_ptr(),
                ptr::null(),
                ptr::null(),
                ptr::null(),
            )
        };
        check("Highs_setSolution", status, || {
            "HiGHS rejected the start".into()
        })
    }

    /// Replaces every objective coefficient by zero (turns the model into a
    /// feasibility problem).
    pub fn zero_costs(&mut self) -> Result<(), FfiError> {
        if self.num_col == 0 {
            return Ok(());
        }
        let zeros = vec![0.0; self.num_col];
        // infallible: num_col was accepted by pass_model, so it fits.
        let last = (self.num_col - 1) as HighsInt;
        // SAFETY: valid instance; HiGHS reads last + 1 = num_col costs.
        let status =
            unsafe { sys::Highs_changeColsCostByRange(self.ptr.as_ptr(), 0, last, zeros.as_ptr()) };
        check("Highs_changeColsCostByRange", status, || {
            "could not clear the objective".into()
        })
    }

    /// Installs `handler` as the HiGHS callback and starts the given
    /// callback types.
    pub fn set_callback(
        &mut self,
        handler: Box<CallbackHandler>,
        kinds: &[CallbackKind],
    ) -> Result<(), FfiError> {
        // Double box: the outer box gives a thin, stable pointer for C.
        let boxed: Box<Box<CallbackHandler>> = Box::new(handler);
        let data = &*boxed as *const Box<CallbackHandler> as *mut c_void;
        // SAFETY: valid instance; `data` points into `boxed`, which is kept
        // in `self.handler` until after Highs_destroy, so it outlives every
        // call HiGHS can make.
        let status = unsafe { sys::Highs_setCallback(self.ptr.as_ptr(), Some(trampoline), data) };
        self.handler = Some(boxed);
        check("Highs_setCallback", status, || {
            "could not install the callback".into()
        })?;
        for kind in kinds {
            if let Some(raw) = kind.raw() {
                // SAFETY: valid instance, callback type from HiGHS's constants.
                let status = unsafe { sys::Highs_startCallback(self.ptr.as_ptr(), raw) };
                check("Highs_startCallback", status, || {
                    format!("callback {kind:?}")
                })?;
            }
        }
        Ok(())
    }

    pub fn run(&mut self) -> RunStatus {
        // SAFETY: valid instance; any installed callback data is alive (see
        // set_callback).
        let status = unsafe { sys::Highs_run(self.ptr.as_ptr()) };
        let status = match status {
            sys::kHighsStatusOk => RunStatus::Ok,
            sys::kHighsStatusWarning => RunStatus::Warning,
            _ => RunStatus::Error,
        };
        // A run that got as far as a model status has started the scheduler
        // with the requested thread count.
        let started = status != RunStatus::Error || self.model_status() != ModelStatus::NotSet;
        if started && self.pending_threads != 0 {
            let threads = self.pending_threads;
            SCHEDULER_THREADS.with(|cell| cell.set(threads));
        }
        status
    }

    pub fn model_status(&self) -> ModelStatus {
        // SAFETY: valid instance.
        ModelStatus::from_raw(unsafe { sys::Highs_getModelStatus(self.ptr.as_ptr()) })
    }

    pub fn double_info(&self, name: &'static CStr) -> Option<f64> {
        let mut value = 0.0;
        // SAFETY: valid instance, NUL-terminated name, valid out pointer.
        let status =
            unsafe { sys::Highs_getDoubleInfoValue(self.ptr.as_ptr(), name.as_ptr(), &mut value) };
        (status == sys::kHighsStatusOk).then_some(value)
    }

    pub fn int_info(&self, name: &'static CStr) -> Option<HighsInt> {
        let mut value: HighsInt = 0;
        // SAFETY: valid instance, NUL-terminated name, valid out pointer.
        let status =
            unsafe { sys::Highs_getIntInfoValue(self.ptr.as_ptr(), name.as_ptr(), &mut value) };
        (status == sys::kHighsStatusOk).then_some(value)
    }

    pub fn int64_info(&self, name: &'static CStr) -> Option<i64> {
        let mut value: i64 = 0;
        // SAFETY: valid instance, NUL-terminated name, valid out pointer.
        let status =
            unsafe { sys::Highs_getInt64InfoValue(self.ptr.as_ptr(), name.as_ptr(), &mut value) };
        (status == sys::kHighsStatusOk).then_some(value)
    }

    /// Whether HiGHS holds primal values at all (feasible or not).
    pub fn has_primal_values(&self) -> bool {
        self.int_info(c"primal_solution_status")
            .is_some_and(|s| s != sys::kHighsSolutionStatusNone)
    }

    /// Whether HiGHS holds a primal solution it considers feasible.
    pub fn has_feasible_primal(&self) -> bool {
        self.int_info(c"primal_solution_status") == Some(sys::kHighsSolutionStatusFeasible)
    }

    /// Whether HiGHS holds a dual solution it considers feasible.
    pub fn has_feasible_dual(&self) -> bool {
        self.int_info(c"dual_solution_status") == Some(sys::kHighsSolutionStatusFeasible)
    }

    /// The current solution, or `None` when HiGHS has no primal values.
    pub fn solution(&self) -> Option<Solution> {
        let mut col_value = vec![0.0; self.num_col];
        let mut col_dual = vec![0.0; self.num_col];
        let mut row_value = vec![0.0; self.num_row];
        let mut row_dual = vec![0.0; self.num_row];
        // SAFETY: valid instance; HiGHS writes at most num_col / num_row
        // values (the sizes of the passed model) into each buffer.
        let status = unsafe {
            sys::Highs_getSolution(
                self.ptr.as_ptr(),
                col_value.as_mut_ptr(),
                col_dual.as_mut_ptr(),
                row_value.as_mut_ptr(),
                row_dual.as_mut_ptr(),
            )
        };
        (status != sys::kHighsStatusError).then_some(Solution {
            col_value,
            col_dual,
            row_dual,
        })
    }

    /// Writes the passed model; the format follows the file extension.
    pub fn write_model(&mut self, path: &CStr) -> Result<(), FfiError> {
        // SAFETY: valid instance, NUL-terminated path.
        let status = unsafe { sys::Highs_writeModel(self.ptr.as_ptr(), path.as_ptr()) };
        check("Highs_writeModel", status, || {
            format!("could not write {}", path.to_string_lossy())
        })
    }
}

impl Drop for Highs {
    fn drop(&mut self) {
        // SAFETY: the pointer came from Highs_create and is destroyed once.
        // The callback data (`self.handler`) and the lock are dropped after
        // this, as fields, so HiGHS never sees a dangling callback pointer
        // and destruction happens under the lock.
        unsafe { sys::Highs_destroy(self.ptr.as_ptr()) };
    }
}

/// The C entry point HiGHS calls; forwards to the Rust closure and never
/// lets a panic cross into C.
unsafe extern "C" fn trampoline(
    callback_type: c_int,
    message: *const c_char,
    data_out: *const sys::HighsCallbackDataOut,
    data_in: *mut sys::HighsCallbackDataIn,
    user_data: *mut c_void,
) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if user_data.is_null() || data_out.is_null() {
            return;
        }
        // SAFETY: user_data is the pointer set in set_callback, alive until
        // the instance is destroyed; HiGHS passes a valid data_out for the
        // duration of the call.
        let handler = unsafe { &*(user_data as *const Box<CallbackHandler>) };
        let out = unsafe { &*data_out };
        let kind = CallbackKind::from_raw(callback_type);
        let data = CallbackData {
            kind,
            mip_primal_bound: out.mip_primal_bound,
            mip_dual_bound: out.mip_dual_bound,
            mip_gap: out.mip_gap,
            mip_node_count: out.mip_node_count,
        };
        let text = if kind == CallbackKind::Logging && !message.is_null() {
            // SAFETY: HiGHS passes a NUL-terminated message for the call.
            Some(unsafe { CStr::from_ptr(message) }.to_string_lossy())
        } else {
            None
        };
        let interrupt = handler(&data, text.as_deref());
        if interrupt && kind.can_interrupt() && !data_in.is_null() {
            // SAFETY: HiGHS passes a writable data_in for the call.
            unsafe { (*data_in).user_interrupt = 1 };
        }
    }));
}

/// HiGHS's version as "major.minor.patch".
pub(super) fn version() -> String {
    // SAFETY: Highs_version returns a pointer to a static NUL-terminated
    // string (or null, handled).
    let raw = unsafe { sys::Highs_version() };
    if raw.is_null() {
        return "unknown".into();
    }
    // SAFETY: non-null static C string.
    let text = unsafe { CStr::from_ptr(raw) }.to_string_lossy();
    text.trim_start_matches('v').to_string()
}
