//! `terra explain --rule`.
use super::PlanContext;
pub fn explain(_ctx: &PlanContext, _ci: usize, _o: &crate::solve::SolveOptions, _all: bool, _line: &dyn Fn(crate::syntax::ast::Span) -> usize) -> (String, serde_json::Value) {
    (String::new(), serde_json::json!({}))
}
