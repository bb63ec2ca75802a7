//! Data generators: the `na-fy27` territory data set and generalized
//! assignment (GAP) instances, written as CSV files beside a policy.
//!
//! Everything here is deterministic: a seed fixes the output byte for byte,
//! on every platform (see `rng`). Floats are printed with a fixed number of
//! decimals. The generators only write files; they never read any.

pub mod gap;
mod names;
pub mod rng;
mod territory;

use std::path::Path;

pub use territory::LEAVING_REP;

/// What `write_na_fy27` wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct GenSummary {
    pub reps: usize,
    pub customers: usize,
    pub prospects: usize,
    /// Prospects with an open opportunity, and so a current owner.
    pub owned_prospects: usize,
    /// Customers locked to their current owner.
    pub locked: usize,
    pub regions: Vec<RegionSummary>,
    /// File name and size in bytes, in the order written.
    pub files: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegionSummary {
    pub name: String,
    pub reps: usize,
    pub customers: usize,
    pub prospects: usize,
    pub customer_potential: f64,
    pub prospect_potential: f64,
}

/// Writes `reps.csv` and `accounts.csv` for `examples/na-fy27/policy.terra`
/// into `out_dir` (created if missing).
///
/// Scale 1.0 is 150 reps, 8,000 customers and 25,000 prospects; other scales
/// multiply reps and accounts alike (each region keeps at least two reps).
/// The data is feasible for the policy by construction; the example's
/// README gives the argument. `seed` selects one of many such data sets.
pub fn write_na_fy27(out_dir: &Path, scale: f64, seed: u64) -> std::io::Result<GenSummary> {
    territory::write(out_dir, scale, seed)
}

/// `x` with exactly `decimals` digits after the point (no exponent), with
/// `-0` printed as `0`.
pub fn fmt_fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `x` with up to six decimals and no trailing zeros: `36`, `812.8`.
pub fn fmt_num(x: f64) -> String {
    let s = fmt_fixed(x, 6);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
}
