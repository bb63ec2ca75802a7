//! `terra verify POLICY PLAN.csv`: checks an existing assignment against
//! every hard rule, for CI gates and hand-edited plans.

use super::output::round;
use super::solve::load;
use super::{emit, exit};
use crate::check::ir::ConstraintKind;
use crate::diagnostics::messages::run as msg;
use crate::diagnostics::render::Format;
use crate::eval::Evaluator;
use crate::syntax::ast::Cardinality;
use std::path::Path;

pub fn run(policy: &Path, plan: &Path, format: Format) -> i32 {
    let mut loaded = match load(policy) {
        Ok(l) => l,
        Err((sources, d)) => {
            emit(&d, &sources, format);
            return exit::ERROR;
        }
    };
    let text = match std::fs::read_to_string(plan) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", plan.display());
            return exit::ERROR;
        }
    };
    let (assignment, diags) =
        super::plan_file::read(&plan.to_string_lossy(), &text, &loaded.policy, &loaded.data, &mut loaded.sources);
    let Some(assignment) = assignment else {
        emit(&diags, &loaded.sources, format);
        return exit::ERROR;
    };
    let policy = &loaded.policy;
    let data = &loaded.data;
    let mut problems = Vec::new();
    // Rows that must be assigned.
    if let Some(a) = &policy.assignment {
        let ev = Evaluator::for_data(policy, data);
        let mut env = crate::eval::Env::new(policy);
        for (row, t) in assignment.target.iter().enumerate() {
            if t.is_some() {
                continue;
            }
            let clause = ev.clause_of(a, &mut env, row as u32);
            if let Some(c) = clause.filter(|c| c.cardinality == Cardinality::ExactlyOne) {
                let span = c.span;
                problems.push(msg::assignment_broken(loaded.file, span, &policy.schema.entities[a.entity].name, &data.entities[a.entity].keys[row]));
            }
        }
    }
    let evaluation = Evaluator::for_plan(policy, data, &assignment).evaluate();
    for v in &evaluation.violations {
        let c = &policy.constraints[v.constraint];
        if c.kind != ConstraintKind::Hard {
            continue;
        }
        let instance = super::solve::instance_text(policy, data, c, v.row);
        let amount = matches!(c.body.stage, crate::check::ir::Stage::Linear(_)).then(|| format!("{}", round(v.amount)));
        problems.push(msg::rule_violated(loaded.file, &c.name, c.name_span, &instance, amount));
    }
    emit(&problems, &loaded.sources, format);
    if problems.is_empty() {
        if format != Format::Json {
            crate::outln!("{}: every rule holds", plan.display());
        }
        exit::OK
    } else {
        if format == Format::Human {
            eprintln!("{} rule instance(s) broken", problems.len());
        }
        exit::VIOLATED
    }
}
