//! Inlining of auxiliary columns that are used once.
//!
//! Lowering forms every large aggregate as an auxiliary column `y` with a
//! defining row `Σ t·x − y = b`, because it cannot know yet whether the
//! aggregate will be used again (`book(r)` in a rule and in a mean). One
//! used in a single other row and not in the objective only adds a row and
//! a column for the solver to remove; this pass substitutes it back into
//! that row, so a policy costs the solver no more than the same model
//! written by hand.

use super::{ColumnOrigin, Lowered, RowOrigin};
use crate::solve::LinearModel;
use std::collections::BTreeMap;

/// Substitutes every auxiliary column with one defining equality row and
/// either exactly one other row (and no cost) or no other row (its cost
/// then moves to the columns it sums, e.g. an objective term).
pub fn inline_single_use(lowered: &mut Lowered) {
    let model = &lowered.model;
    let mut rows_of: Vec<Vec<(usize, f64)>> = vec![Vec::new(); model.num_cols()];
    for i in 0..model.num_rows() {
        for k in model.row_start[i]..model.row_start[i + 1] {
            rows_of[model.row_index[k]].push((i, model.row_value[k]));
        }
    }
    // Row-wise entries, edited in place below.
    let mut rows: Vec<BTreeMap<usize, f64>> = (0..model.num_rows())
        .map(|i| (model.row_start[i]..model.row_start[i + 1]).map(|k| (model.row_index[k], model.row_value[k])).collect())
        .collect();
    let mut lower = model.row_lower.clone();
    let mut upper = model.row_upper.clone();
    let mut drop_row = vec![false; model.num_rows()];
    let mut drop_col = vec![false; model.num_cols()];
    let mut cost = model.col_cost.clone();
    let mut offset = model.offset;
    for (col, origin) in lowered.columns.iter().enumerate() {
        if !matches!(origin, ColumnOrigin::Aux { .. }) {
            continue;
        }
        let is_definition = |&(i, coef): &(usize, f64)| {
            lowered.rows[i] == RowOrigin::Definition && coef == -1.0 && lower[i] == upper[i] && !drop_row[i]
        };
        let Some(&(def, _)) = rows_of[col].iter().find(|e| is_definition(e)) else { continue };
        if rows_of[col].len() == 1 {
            // Only in the objective: c·y = c·Σ t·x − c·b.
            let c = cost[col];
            for (&j, &t) in rows[def].iter().filter(|(&j, _)| j != col) {
                cost[j] += c * t;
                rows_of[j].retain(|(i, _)| *i != def);
            }
            offset -= c * lower[def];
            drop_row[def] = true;
            drop_col[col] = true;
            continue;
        }
        if cost[col] != 0.0 || rows_of[col].len() != 2 {
            continue;
        }
        let Some(&(user, factor)) = rows_of[col].iter().find(|&&(i, _)| i != def) else { continue };
        if drop_row[user] {
            continue;
        }
        // y = Σ t·x − b; in the user row, factor·y becomes factor·Σ t·x and
        // the bounds move by factor·b.
        let shift = factor * lower[def];
        let definition: Vec<(usize, f64)> = rows[def].iter().filter(|(&j, _)| j != col).map(|(&j, &t)| (j, t)).collect();
        let user_row = &mut rows[user];
        user_row.remove(&col);
        for (j, t) in definition {
            let entry = user_row.entry(j).or_insert(0.0);
            *entry += factor * t;
            // Keep the column lists true for later substitutions.
            if let Some(e) = rows_of[j].iter_mut().find(|(i, _)| *i == user) {
                e.1 = *entry;
            } else {
                rows_of[j].push((user, *entry));
            }
            rows_of[j].retain(|(i, _)| *i != def);
        }
        user_row.retain(|_, v| *v != 0.0);
        lower[user] += shift;
        upper[user] += shift;
        drop_row[def] = true;
        drop_col[col] = true;
    }
    if !drop_col.iter().any(|d| *d) {
        return;
    }
    let mut new_index = vec![usize::MAX; model.num_cols()];
    let mut out = LinearModel { maximize: model.maximize, offset, ..Default::default() };
    let mut columns = Vec::new();
    for j in (0..model.num_cols()).filter(|&j| !drop_col[j]) {
        new_index[j] = out.add_col(cost[j], model.col_lower[j], model.col_upper[j], model.col_integer[j]);
        columns.push(lowered.columns[j].clone());
    }
    let mut row_origins = Vec::new();
    for i in (0..model.num_rows()).filter(|&i| !drop_row[i]) {
        let entries: Vec<(usize, f64)> = rows[i].iter().map(|(&j, &v)| (new_index[j], v)).collect();
        out.add_row(lower[i], upper[i], &entries);
        row_origins.push(lowered.rows[i].clone());
    }
    if out.row_start.is_empty() {
        out.row_start.push(0);
    }
    lowered.model = out;
    lowered.columns = columns;
    lowered.rows = row_origins;
}
