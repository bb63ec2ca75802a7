//! `terra explain --rep`.
use super::PlanContext;
pub fn explain(_ctx: &PlanContext, _row: u32, _all: bool, _line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> (String, serde_json::Value) {
    (String::new(), serde_json::json!({}))
}
