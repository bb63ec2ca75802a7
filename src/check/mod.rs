//! The checker: names, types, units and linearity. Turns a syntax tree into
//! the typed IR (`ir`), or into diagnostics. Pure: no file access.

pub mod ir;
pub mod schema;
pub mod suggest;
pub mod typeck;

pub use typeck::check;
