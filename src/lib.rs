//! terra: territory planning as policy as code.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `syntax` (text -> tree) -> `check` (tree -> typed IR) -> `data` (CSV ->
//! dataset) -> `lower` (IR + data -> linear model) -> `solve` (HiGHS) ->
//! `eval` (independent re-check of a plan) -> `plan` (outputs).
//! `diagnostics` holds every user-facing message. The CLI in `main.rs` does
//! all file IO.

pub mod check;
pub mod diagnostics;
pub mod syntax;
pub mod front;
pub mod data;
pub mod eval;
pub mod explain;
pub mod lower;
pub mod solve;
pub mod commands;
pub mod generate;
pub mod report;
