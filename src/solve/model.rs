//! The solver-neutral linear model that `lower` produces and `solve` consumes.
//! It knows nothing of policies: provenance of rows and columns is kept by
//! `lower`, indexed like the rows and columns here.

/// A mixed-integer linear model: minimise or maximise `cost·x + offset`
/// subject to `row_lower <= A x <= row_upper`, `col_lower <= x <= col_upper`.
#[derive(Clone, Debug, Default)]
pub struct LinearModel {
    pub maximize: bool,
    pub offset: f64,
    pub col_cost: Vec<f64>,
    pub col_lower: Vec<f64>,
    pub col_upper: Vec<f64>,
    pub col_integer: Vec<bool>,
    pub row_lower: Vec<f64>,
    pub row_upper: Vec<f64>,
    /// Row-wise sparse matrix: row i holds entries `row_start[i]..row_start[i+1]`.
    /// `row_start` has `num_rows() + 1` entries.
    pub row_start: Vec<usize>,
    pub row_index: Vec<usize>,
    pub row_value: Vec<f64>,
}

impl LinearModel {
    pub fn num_cols(&self) -> usize {
        self.col_cost.len()
    }
    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }
    pub fn num_nonzeros(&self) -> usize {
        self.row_value.len()
    }
    /// The objective at `x` (one value per column), offset included, in the
    /// model's own sense.
    pub fn objective_at(&self, x: &[f64]) -> f64 {
        self.offset + self.col_cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }
    /// Adds a column and returns its index.
    pub fn add_col(&mut self, cost: f64, lower: f64, upper: f64, integer: bool) -> usize {
        self.col_cost.push(cost);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.col_integer.push(integer);
        self.col_cost.len() - 1
    }
    /// Adds a row `lower <= Σ value·x[index] <= upper` and returns its index.
    pub fn add_row(&mut self, lower: f64, upper: f64, entries: &[(usize, f64)]) -> usize {
        if self.row_start.is_empty() {
            self.row_start.push(0);
        }
        for &(col, value) in entries {
            self.row_index.push(col);
            self.row_value.push(value);
        }
        self.row_start.push(self.row_index.len());
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.row_lower.len() - 1
    }
}
