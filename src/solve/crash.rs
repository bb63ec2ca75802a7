//! A starting basis for the LP relaxation of an assignment model.
//!
//! From the all-slack basis the dual simplex must pivot one column into
//! every assignment row before anything else: tens of thousands of
//! iterations at terra's scale, each costing more as the model grows. This
//! basis starts with them in place:
//!
//! - in each group, the column with the best cost is basic and the group's
//!   own row is nonbasic (at the bound of `= 1` or `<= 1`); an optional group
//!   whose best cost is not an improvement keeps its row basic instead;
//! - each column outside the groups (totals, means, extremes) is basic and
//!   paired with an equality row that defines it, which is nonbasic;
//! - every other row is basic.
//!
//! With the other rows' duals at 0, each group row's dual is its best cost,
//! so every group column's reduced cost has the optimal sign: the basis is
//! dual feasible except, possibly, for a few columns outside the groups.
//! The dual simplex then only has to repair primal infeasibility in the few
//! side rows (capacities, balances). HiGHS repairs a singular basis itself.

use std::ops::Range;

use super::highs_ffi::BasisStatus;
use super::LinearModel;

/// A basis: one status per column and per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    pub(super) col: Vec<BasisStatus>,
    pub(super) row: Vec<BasisStatus>,
}

/// The crash basis described in the module comment.
pub fn group_crash(model: &LinearModel, groups: &[Range<usize>]) -> Basis {
    let num_col = model.num_cols();
    let num_row = model.num_rows();
    let sign = if model.maximize { -1.0 } else { 1.0 };
    let mut col = vec![BasisStatus::Lower; num_col];
    let mut row = vec![BasisStatus::Basic; num_row];
    let group_of = group_of_columns(num_col, groups);
    let group_row = group_rows(model, groups, &group_of);
    let is_group_row = group_row_mask(num_row, &group_row);
    for (g, range) in groups.iter().enumerate() {
        let Some(i) = group_row[g] else { continue };
        let best = range
            .clone()
            .min_by(|&a, &b| (sign * model.col_cost[a]).total_cmp(&(sign * model.col_cost[b])).then(a.cmp(&b)));
        let Some(best) = best else { continue };
        let must = model.row_lower[i] >= 1.0;
        // An optional group is worth filling only at an improving cost.
        if must || sign * model.col_cost[best] < 0.0 {
            col[best] = BasisStatus::Basic;
            row[i] = if must { BasisStatus::Lower } else { BasisStatus::Upper };
        }
    }
    // Columns outside the groups, paired with defining equality rows; the
    // columns with the fewest candidate rows choose first.
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); num_col];
    for i in (0..num_row).filter(|&i| !is_group_row[i] && model.row_lower[i] == model.row_upper[i]) {
        for k in model.row_start[i]..model.row_start[i + 1] {
            let j = model.row_index[k];
            if group_of[j] == usize::MAX {
                rows_of[j].push(i);
            }
        }
    }
    let mut outside: Vec<usize> = (0..num_col).filter(|&j| group_of[j] == usize::MAX).collect();
    outside.sort_by_key(|&j| (rows_of[j].len(), j));
    let mut row_taken = vec![false; num_row];
    for &j in &outside {
        if let Some(&i) = rows_of[j].iter().find(|&&i| !row_taken[i]) {
            row_taken[i] = true;
            col[j] = BasisStatus::Basic;
            row[i] = BasisStatus::Lower;
        } else {
            col[j] = nonbasic_at(model.col_lower[j], model.col_upper[j]);
        }
    }
    Basis { col, row }
}

/// Each group's own row, if it has one: a row over exactly the group's
/// columns, each with coefficient 1 (`= 1`, or `<= 1` for an optional group).
/// `group_of` maps each column to its group (`usize::MAX`: none).
pub(super) fn group_rows(model: &LinearModel, groups: &[Range<usize>], group_of: &[usize]) -> Vec<Option<usize>> {
    let mut group_row = vec![None; groups.len()];
    for i in 0..model.num_rows() {
        let entries = model.row_start[i]..model.row_start[i + 1];
        let Some(&first) = model.row_index.get(model.row_start[i]) else { continue };
        let g = group_of[first];
        if g == usize::MAX || entries.len() != groups[g].len() || group_row[g].is_some() {
            continue;
        }
        if entries.clone().all(|k| group_of[model.row_index[k]] == g && model.row_value[k] == 1.0) {
            group_row[g] = Some(i);
        }
    }
    group_row
}

/// For each row, whether it is some group's own row (see `group_rows`).
pub(super) fn group_row_mask(num_row: usize, group_row: &[Option<usize>]) -> Vec<bool> {
    let mut is_group_row = vec![false; num_row];
    for &i in group_row.iter().flatten() {
        is_group_row[i] = true;
    }
    is_group_row
}

/// Each column's group (`usize::MAX`: in none).
pub(super) fn group_of_columns(num_col: usize, groups: &[Range<usize>]) -> Vec<usize> {
    let mut group_of = vec![usize::MAX; num_col];
    for (g, range) in groups.iter().enumerate() {
        for j in range.clone() {
            group_of[j] = g;
        }
    }
    group_of
}

/// The status of a nonbasic column: at a finite bound, else free at 0.
fn nonbasic_at(lower: f64, upper: f64) -> BasisStatus {
    if lower.is_finite() {
        BasisStatus::Lower
    } else if upper.is_finite() {
        BasisStatus::Upper
    } else {
        BasisStatus::Zero
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::{solve_lp_relaxation, solve_lp_relaxation_from, SolveOptions};

    /// Four jobs (two optional), three agents with capacities, a total
    /// column defined by an equality row and a max-load column in the
    /// objective: the crash basis has one basic variable per row, and the
    /// LP from it reaches the same optimum as from the slack basis.
    #[test]
    fn crash_basis_is_square_and_reaches_the_optimum() {
        for maximize in [false, true] {
            let mut m = LinearModel { maximize, ..Default::default() };
            let sign = if maximize { -1.0 } else { 1.0 };
            let cost = [[4.0, 1.0, 3.0], [2.0, 3.0, 1.5], [-5.0, -2.0, -2.5], [1.0, 1.0, 4.0]];
            for row in &cost {
                for &c in row {
                    m.add_col(sign * c, 0.0, 1.0, true);
                }
            }
            let total = m.add_col(0.0, 0.0, f64::INFINITY, false);
            let max_load = m.add_col(sign * 0.5, 0.0, f64::INFINITY, false);
            for job in 0..4 {
                let lower = if job < 2 { 1.0 } else { f64::NEG_INFINITY };
                m.add_row(lower, 1.0, &[(3 * job, 1.0), (3 * job + 1, 1.0), (3 * job + 2, 1.0)]);
            }
            for agent in 0..3 {
                let mut load: Vec<(usize, f64)> = (0..4).map(|job| (3 * job + agent, 1.0 + job as f64 * 0.5)).collect();
                m.add_row(f64::NEG_INFINITY, 2.0, &load);
                load.push((max_load, -1.0));
                m.add_row(f64::NEG_INFINITY, 0.0, &load);
            }
            let mut definition: Vec<(usize, f64)> = (0..12).map(|j| (j, 1.0)).collect();
            definition.push((total, -1.0));
            m.add_row(0.0, 0.0, &definition);
            let groups: Vec<Range<usize>> = (0..4).map(|job| 3 * job..3 * job + 3).collect();

            let basis = group_crash(&m, &groups);
            let basic = basis.col.iter().chain(&basis.row).filter(|&&s| s == BasisStatus::Basic).count();
            assert_eq!(basic, m.num_rows());
            // Each job's cheapest agent, except job 3's (optional, no gain)...
            assert_eq!(basis.col[1], BasisStatus::Basic);
            assert_eq!(basis.col[6], BasisStatus::Basic);
            assert!(basis.col[9..12].iter().all(|&s| s != BasisStatus::Basic));
            assert_eq!(basis.row[3], BasisStatus::Basic);
            // ...and the total paired with its defining row.
            assert_eq!(basis.col[total], BasisStatus::Basic);

            let options = SolveOptions::default();
            let plain = solve_lp_relaxation(&m, &options).unwrap();
            let crashed = solve_lp_relaxation_from(&m, &options, &basis).unwrap();
            let (a, b) = (plain.objective.unwrap(), crashed.objective.unwrap());
            assert!((a - b).abs() < 1e-9, "sense max={maximize}: {a} vs {b}");
        }
    }
}
