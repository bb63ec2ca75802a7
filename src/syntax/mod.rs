//! Syntax: source text to a syntax tree with spans, and back (the formatter).
//! Pure: no file access; the CLI reads files and hands text in.

pub mod ast;
pub mod comments;
pub mod format;
pub mod parser;

pub use parser::{parse, Parsed};
