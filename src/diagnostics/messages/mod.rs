//! All user-facing wording of diagnostics, one file per stage. Each file
//! holds one small constructor per problem and the table of its codes.
//!
//! Code ranges: S01xx syntax, N02xx names, T03xx types and units,
//! L04xx linearity, D05xx data, R06xx runs (solve, verify, I/O).

pub mod check;
pub mod data;
pub mod explain;
pub mod report;
pub mod review;
pub mod run;
pub mod syntax;
