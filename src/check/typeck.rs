//! Name resolution, types, units and linearity: syntax tree -> typed IR.
//!
//! The checker reports every problem it finds and keeps going: an
//! expression with an error gets the type `Error`, which is compatible with
//! everything, so one mistake gives one message.

use super::ir::*;
use super::schema::*;
use crate::diagnostics::messages::check as msg;
use crate::diagnostics::{Diagnostic, FileId};
use crate::syntax::ast::{self, AggKind, BinaryOp, Cardinality, ExprKind, Item, Sense, Span, UnaryOp};
use std::collections::{HashMap, HashSet};

/// The plural used for the relation from a target to its assigned
/// entities: `account` -> `accounts`, `opportunity` -> `opportunities`.
pub fn plural(name: &str) -> String {
    let consonant_y = name.ends_with('y')
        && !name.ends_with("ay")
        && !name.ends_with("ey")
        && !name.ends_with("oy")
        && !name.ends_with("uy");
    if consonant_y {
        format!("{}ies", &name[..name.len() - 1])
    } else if name.ends_with('s') || name.ends_with('x') || name.ends_with("ch") || name.ends_with("sh") {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

pub fn check(file: &ast::PolicyFile, file_id: FileId, broken_names: &[String]) -> (CheckedPolicy, Vec<Diagnostic>) {
    let mut checker = Checker::new(file, file_id, broken_names);
    checker.run();
    let mut diagnostics = checker.diags;
    crate::diagnostics::sort(&mut diagnostics);
    (checker.out, diagnostics)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LetState {
    Unchecked,
    InProgress,
    Done,
}

struct Checker<'a> {
    ast: &'a ast::PolicyFile,
    file: FileId,
    diags: Vec<Diagnostic>,
    broken: HashSet<String>,
    out: CheckedPolicy,
    params_by_name: HashMap<String, ParamId>,
    tables_by_name: HashMap<String, TableId>,
    let_decls: Vec<&'a ast::LetDecl>,
    lets_by_name: HashMap<String, usize>,
    let_state: Vec<LetState>,
    /// Let bodies, filled lazily in `let_fn` so that order does not matter.
    let_results: Vec<Option<LetFn>>,
    scope: Vec<(String, VarId)>,
    /// The row whose fields bare names refer to, in entity filters.
    implicit_row: Option<(EntityId, VarId)>,
    /// In expectations, which are checked on a plan and never solved,
    /// linearity does not matter.
    linearity_matters: bool,
    /// Fields dropped because their type has an error: their uses stay quiet.
    dropped_fields: HashSet<(EntityId, String)>,
}

impl<'a> Checker<'a> {
    fn new(ast: &'a ast::PolicyFile, file: FileId, broken: &[String]) -> Checker<'a> {
        Checker {
            ast,
            file,
            diags: Vec::new(),
            broken: broken.iter().cloned().collect(),
            out: CheckedPolicy::default(),
            params_by_name: HashMap::new(),
            tables_by_name: HashMap::new(),
            let_decls: Vec::new(),
            lets_by_name: HashMap::new(),
            let_state: Vec::new(),
            let_results: Vec::new(),
            scope: Vec::new(),
            implicit_row: None,
            linearity_matters: true,
            dropped_fields: HashSet::new(),
        }
    }

    fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn new_var(&mut self, name: &str, ty: Type, span: Span) -> VarId {
        self.out.vars.push(VarInfo { name: name.to_string(), ty, span });
        self.out.vars.len() - 1
    }

    fn run(&mut self) {
        self.check_unique_names();
        self.declare_entities();
        self.declare_tables();
        self.declare_assignment();
        self.declare_params();
        self.declare_lets();
        for i in 0..self.let_decls.len() {
            self.let_fn(i, None);
        }
        self.out.lets = self.let_results.iter().flatten().cloned().collect();
        self.check_constraints();
        self.check_objective();
        self.check_scenarios();
    }

    // ------------------------------------------------------------ names

    /// Every declared name is unique within its namespace: values (entities,
    /// tables, params, lets), rule-like names, and scenarios.
    fn check_unique_names(&mut self) {
        let mut values: HashMap<&str, Span> = HashMap::new();
        let mut rules: HashMap<&str, Span> = HashMap::new();
        let mut scenarios: HashMap<&str, Span> = HashMap::new();
        let mut policy_seen: Option<Span> = None;
        let mut objective_seen: Option<Span> = None;
        let mut assign_seen: Option<Span> = None;
        for item in &self.ast.items {
            let (name, space): (&ast::Ident, &mut HashMap<&str, Span>) = match item {
                Item::Entity(d) => (&d.name, &mut values),
                Item::Table(d) => (&d.name, &mut values),
                Item::Param(d) => (&d.name, &mut values),
                Item::Let(d) => (&d.name, &mut values),
                Item::Rule(d) => (&d.name, &mut rules),
                Item::Prefer(d) => (&d.name, &mut rules),
                Item::Expect(d) => (&d.name, &mut rules),
                Item::Scenario(d) => (&d.name, &mut scenarios),
                Item::Policy(d) => {
                    if let Some(first) = policy_seen {
                        self.diags.push(msg::duplicate_singleton(self.file, d.span, first, "policy"));
                    }
                    policy_seen = Some(d.span);
                    continue;
                }
                Item::Objective(d) => {
                    if let Some(first) = objective_seen {
                        self.diags.push(msg::duplicate_singleton(self.file, d.span, first, "objective"));
                    }
                    objective_seen = Some(d.span);
                    for term in &d.terms {
                        if let Some(first) = rules.get(term.name.name.as_str()) {
                            self.diags.push(msg::duplicate_name(self.file, &term.name, *first));
                        } else {
                            rules.insert(&term.name.name, term.name.span);
                        }
                    }
                    continue;
                }
                Item::Assign(d) => {
                    if let Some(first) = assign_seen {
                        self.diags.push(msg::duplicate_singleton(self.file, d.span, first, "assign"));
                    }
                    assign_seen = Some(d.span);
                    continue;
                }
            };
            if let Some(first) = space.get(name.name.as_str()) {
                let d = msg::duplicate_name(self.file, name, *first);
                self.diags.push(d);
            } else {
                space.insert(&name.name, name.span);
            }
        }
    }

    fn declare_entities(&mut self) {
        let decls: Vec<&ast::EntityDecl> = self
            .ast
            .items
            .iter()
            .filter_map(|i| if let Item::Entity(d) = i { Some(d) } else { None })
            .collect();
        // Names first, so that fields may refer to entities declared later.
        let mut seen = HashSet::new();
        for d in &decls {
            if seen.insert(d.name.name.clone()) {
                self.out.schema.entities.push(EntitySchema {
                    name: d.name.name.clone(),
                    file: d.file.value.clone(),
                    file_span: d.file.span,
                    fields: Vec::new(),
                    key: 0,
                    span: d.span,
                });
            }
        }
        for d in decls {
            let Some(id) = self.out.schema.entity(&d.name.name) else { continue };
            if self.out.schema.entities[id].span != d.span {
                continue; // a duplicate, already reported
            }
            let mut fields: Vec<FieldSchema> = Vec::new();
            let mut keys: Vec<Span> = Vec::new();
            for f in &d.fields {
                if let Some(first) = fields.iter().find(|x| x.name == f.name.name) {
                    self.diags.push(msg::duplicate_name(self.file, &f.name, first.span));
                    continue;
                }
                let Some(ty) = self.field_type(&f.ty) else {
                    self.dropped_fields.insert((id, f.name.name.clone()));
                    continue;
                };
                if f.is_key {
                    keys.push(f.span);
                    if ty != FieldType::Text || f.ty.optional {
                        self.diags.push(msg::key_not_text(self.file, f.ty.span));
                    }
                }
                fields.push(FieldSchema {
                    name: f.name.name.clone(),
                    ty,
                    optional: f.ty.optional,
                    is_key: f.is_key,
                    column: f.column.as_ref().map_or_else(|| f.name.name.clone(), |c| c.value.clone()),
                    span: f.span,
                });
            }
            match keys.len() {
                0 => self.diags.push(msg::missing_key(self.file, d.name.span, &d.name.name)),
                1 => {}
                _ => self.diags.push(msg::two_keys(self.file, keys[1], keys[0])),
            }
            let entity = &mut self.out.schema.entities[id];
            entity.key = fields.iter().position(|f| f.is_key).unwrap_or(0);
            entity.fields = fields;
        }
    }

    fn field_type(&mut self, t: &ast::TypeExpr) -> Option<FieldType> {
        let name = t.name.name.as_str();
        let scalar = match name {
            "text" => FieldType::Text,
            "number" => FieldType::Number(Unit::Dimensionless),
            "money" => FieldType::Number(Unit::Money),
            "hours" => FieldType::Number(Unit::Hours),
            "km" => FieldType::Number(Unit::Km),
            "count" => FieldType::Number(Unit::Count),
            "percent" => FieldType::Percent,
            "bool" => FieldType::Bool,
            "geo" => FieldType::Geo,
            _ => match self.out.schema.entity(name) {
                Some(e) => FieldType::Ref(e),
                // An entity whose declaration did not parse: already reported.
                None if self.broken.contains(name) => return None,
                None => {
                    let mut candidates: Vec<&str> = TYPE_NAMES.to_vec();
                    candidates.extend(self.out.schema.entities.iter().map(|e| e.name.as_str()));
                    let suggestion = super::suggest::closest(name, candidates).map(str::to_string);
                    self.diags.push(msg::unknown_type(self.file, &t.name, suggestion));
                    return None;
                }
            },
        };
        if t.is_set {
            if scalar != FieldType::Text {
                self.diags.push(msg::set_of_non_text(self.file, t.span));
                return None;
            }
            return Some(FieldType::TextSet);
        }
        Some(scalar)
    }

    fn declare_tables(&mut self) {
        for item in &self.ast.items {
            let Item::Table(d) = item else { continue };
            if self.tables_by_name.contains_key(&d.name.name) {
                continue;
            }
            let mut keys = Vec::new();
            for k in &d.keys {
                match self.out.schema.entity(&k.name) {
                    Some(e) => keys.push(e),
                    None => {
                        let d2 = self.unknown_entity(k);
                        self.report(d2);
                    }
                }
            }
            let Some(ty) = self.field_type(&d.ty) else { continue };
            if !matches!(ty, FieldType::Number(_) | FieldType::Percent) {
                self.diags.push(msg::table_not_numeric(self.file, d.ty.span));
                continue;
            }
            if keys.len() != d.keys.len() {
                continue;
            }
            self.tables_by_name.insert(d.name.name.clone(), self.out.schema.tables.len());
            self.out.schema.tables.push(TableSchema {
                name: d.name.name.clone(),
                keys,
                ty,
                file: d.file.value.clone(),
                file_span: d.file.span,
                span: d.span,
            });
        }
    }

    fn unknown_entity(&self, name: &ast::Ident) -> Diagnostic {
        let suggestion = super::suggest::closest(
            &name.name,
            self.out.schema.entities.iter().map(|e| e.name.as_str()),
        )
        .map(str::to_string);
        msg::unknown_entity(self.file, name, suggestion)
    }

    fn declare_assignment(&mut self) {
        let Some(d) = self.ast.items.iter().find_map(|i| if let Item::Assign(d) = i { Some(d) } else { None })
        else {
            return;
        };
        let entity = self.out.schema.entity(&d.entity.name);
        let target = self.out.schema.entity(&d.target.name);
        for (found, name) in [(entity, &d.entity), (target, &d.target)] {
            if found.is_none() && !self.broken.contains(&name.name) {
                let diag = self.unknown_entity(name);
                self.report(diag);
            }
        }
        let (Some(entity), Some(target)) = (entity, target) else { return };
        if entity == target {
            self.report(msg::assign_to_itself(self.file, d.span));
            return;
        }
        let decision_name = d.target.name.clone();
        let relation_name = plural(&d.entity.name);
        if let Some(f) = self.out.schema.entities[entity].fields.iter().find(|f| f.name == decision_name) {
            let diag = msg::decision_name_clash(self.file, d.target.span, f.span, &d.entity.name, &decision_name);
            self.report(diag);
        }
        if let Some(f) = self.out.schema.entities[target].fields.iter().find(|f| f.name == relation_name) {
            let diag = msg::decision_name_clash(self.file, d.entity.span, f.span, &d.target.name, &relation_name);
            self.report(diag);
        }
        let row_var = self.new_var(&d.entity.name, Type::Entity(entity), d.entity.span);
        let mut clauses = Vec::new();
        for c in &d.clauses {
            let filter = c.filter.as_ref().map(|f| self.entity_filter(entity, row_var, f));
            clauses.push(AssignClause { cardinality: c.cardinality, filter, span: c.span });
        }
        if clauses.is_empty() {
            clauses.push(AssignClause { cardinality: Cardinality::ExactlyOne, filter: None, span: d.span });
        }
        self.out.assignment =
            Some(Assignment { entity, target, decision_name, relation_name, row_var, clauses, span: d.span });
    }

    /// A condition on one entity's data, with bare names as its fields.
    fn entity_filter(&mut self, entity: EntityId, row_var: VarId, e: &ast::Expr) -> TExpr {
        let saved = self.implicit_row.replace((entity, row_var));
        let t = self.expr(e);
        self.implicit_row = saved;
        self.expect_bool(&t);
        if !t.stage.is_data() && t.ty != Type::Error {
            self.report(msg::filter_not_data(self.file, t.span));
        }
        t
    }

    fn declare_params(&mut self) {
        for item in &self.ast.items {
            let Item::Param(d) = item else { continue };
            let t = self.expr(&d.value);
            let value = match const_value(&t, &self.out.params) {
                Some(v) => v,
                None => {
                    if t.ty != Type::Error {
                        self.report(msg::param_not_constant(self.file, t.span));
                    }
                    // Declared anyway, typed `Error`, so its uses stay quiet.
                    if !self.params_by_name.contains_key(&d.name.name) {
                        self.params_by_name.insert(d.name.name.clone(), self.out.params.len());
                        self.out.params.push(Param { name: d.name.name.clone(), span: d.span, ty: Type::Error, value: Const::None, expr: t });
                    }
                    continue;
                }
            };
            if self.params_by_name.contains_key(&d.name.name) {
                continue;
            }
            self.params_by_name.insert(d.name.name.clone(), self.out.params.len());
            self.out.params.push(Param { name: d.name.name.clone(), span: d.span, ty: t.ty, value, expr: t });
        }
    }

    fn declare_lets(&mut self) {
        for item in &self.ast.items {
            let Item::Let(d) = item else { continue };
            if self.lets_by_name.contains_key(&d.name.name) {
                continue;
            }
            self.lets_by_name.insert(d.name.name.clone(), self.let_decls.len());
            self.let_decls.push(d);
            self.let_state.push(LetState::Unchecked);
            self.let_results.push(None);
        }
    }

    /// Checks a let's body on first use; `None` when it has errors or is
    /// recursive. `use_span` is where it was called from, for cycles.
    fn let_fn(&mut self, index: usize, use_span: Option<Span>) -> Option<LetFn> {
        match self.let_state[index] {
            LetState::Done => return self.let_results[index].clone(),
            LetState::InProgress => {
                let d = self.let_decls[index];
                self.report(msg::recursive_let(self.file, use_span.unwrap_or(d.name.span), &d.name.name));
                return None;
            }
            LetState::Unchecked => {}
        }
        self.let_state[index] = LetState::InProgress;
        let d = self.let_decls[index];
        let saved_scope = std::mem::take(&mut self.scope);
        let saved_row = self.implicit_row.take();
        let mut params = Vec::new();
        let mut ok = true;
        for p in d.params.iter().flatten() {
            let ty = match self.field_type(&p.ty) {
                Some(ft) => value_type(ft),
                None => {
                    ok = false;
                    Type::Error
                }
            };
            let v = self.new_var(&p.name.name, ty, p.name.span);
            self.scope.push((p.name.name.clone(), v));
            params.push(v);
        }
        let body = self.expr(&d.body);
        self.scope = saved_scope;
        self.implicit_row = saved_row;
        self.let_state[index] = LetState::Done;
        let result = (ok && body.ty != Type::Error).then(|| LetFn {
            name: d.name.name.clone(),
            span: d.span,
            params,
            body,
        });
        self.let_results[index] = result.clone();
        result
    }

    // ------------------------------------------------------- constraints

    fn check_constraints(&mut self) {
        for item in &self.ast.items {
            let (name, span, body, kind) = match item {
                Item::Rule(d) => (&d.name, d.span, &d.body, ConstraintKind::Hard),
                Item::Prefer(d) => {
                    let weight = self.weight(&d.weight);
                    (&d.name, d.span, &d.body, ConstraintKind::Soft { weight })
                }
                Item::Expect(d) => (&d.name, d.span, &d.body, ConstraintKind::Expect),
                _ => continue,
            };
            self.linearity_matters = kind != ConstraintKind::Expect;
            let (quantifier, body) = self.body(body);
            self.linearity_matters = true;
            if let (Some(body), Some(quantifier)) = (body, quantifier) {
                self.out.constraints.push(Constraint {
                    name: name.name.clone(),
                    span,
                    name_span: name.span,
                    kind,
                    quantifier,
                    body,
                });
            }
        }
    }

    /// A weight: a constant, non-negative number without unit.
    fn weight(&mut self, e: &ast::Expr) -> f64 {
        let t = self.expr(e);
        if t.ty == Type::Error {
            return 0.0;
        }
        match (t.ty, const_value(&t, &self.out.params)) {
            (Type::Num { unit: Unit::Dimensionless, .. }, Some(Const::Num(w))) if w >= 0.0 => w,
            _ => {
                self.report(msg::bad_weight(self.file, t.span, describe_type(&self.out.schema, t.ty)));
                0.0
            }
        }
    }

    /// Returns (quantifier, body); the outer Option of the quantifier is
    /// `None` when the quantifier has an error.
    fn body(&mut self, b: &ast::Body) -> (Option<Option<Quant>>, Option<TExpr>) {
        let scope_len = self.scope.len();
        let mut quant = Some(None);
        if let Some(q) = &b.quantifier {
            quant = None;
            match self.source(&q.source) {
                Some(TSource::Entity(entity)) => {
                    let var = self.new_var(&q.var.name, Type::Entity(entity), q.var.span);
                    self.scope.push((q.var.name.clone(), var));
                    let filter = q.filter.as_ref().map(|f| self.expr(f));
                    if let Some(f) = &filter {
                        self.expect_bool(f);
                        self.check_filter_stage(f, var);
                    }
                    quant = Some(Some(Quant { var, entity, filter, span: q.span }));
                }
                // A rule's `for` has no row in scope to take `.accounts`
                // from, so `source` has already reported the path.
                Some(TSource::Assigned { .. }) => self.bind_broken(&q.var),
                // Bind the variable anyway, typed `Error`, so that its uses
                // do not each report an unknown name.
                None => self.bind_broken(&q.var),
            }
        }
        let body = self.expr(&b.expr);
        self.scope.truncate(scope_len);
        self.expect_bool(&body);
        if body.ty == Type::Error {
            return (quant, None);
        }
        // A condition that depends on the assignment beyond a lookup of the
        // quantified entity cannot guard a linear row.
        if let Some(Some(q)) = &quant {
            if let Some(f) = &q.filter {
                let body_is_lookup = matches!(body.stage, Stage::Data | Stage::Lookup(_));
                if matches!(f.stage, Stage::Lookup(_)) && !body_is_lookup && self.linearity_matters {
                    self.report(msg::conditional_linear_rule(self.file, f.span, body.span));
                    return (quant, None);
                }
            }
        }
        (quant, Some(body))
    }

    fn bind_broken(&mut self, var: &ast::Ident) {
        let v = self.new_var(&var.name, Type::Error, var.span);
        self.scope.push((var.name.clone(), v));
    }

    fn check_filter_stage(&mut self, f: &TExpr, var: VarId) {
        match f.stage {
            Stage::Data => {}
            Stage::Lookup(v) if v == var => {}
            _ if !self.linearity_matters || f.ty == Type::Error => {}
            _ => self.report(msg::filter_depends_on_sum(self.file, f.span)),
        }
    }

    fn check_objective(&mut self) {
        for item in &self.ast.items {
            let Item::Objective(d) = item else { continue };
            for term in &d.terms {
                let weight = self.weight(&term.weight);
                let expr = self.expr(&term.expr);
                if expr.ty == Type::Error {
                    continue;
                }
                if expr.ty.unit().is_none() {
                    let ty = describe_type(&self.out.schema, expr.ty);
                    self.report(msg::objective_not_number(self.file, expr.span, ty));
                    continue;
                }
                let curvature = expr.stage.curvature();
                let wrong = match term.sense {
                    Sense::Minimize => curvature == Curvature::Concave,
                    Sense::Maximize => curvature == Curvature::Convex,
                };
                if wrong {
                    self.report(msg::objective_not_convex(self.file, expr.span, term.sense == Sense::Minimize));
                    continue;
                }
                self.out.objective.push(ObjectiveTerm {
                    name: term.name.name.clone(),
                    span: term.span,
                    sense: term.sense,
                    weight,
                    expr,
                });
            }
        }
    }

    fn check_scenarios(&mut self) {
        for item in &self.ast.items {
            let Item::Scenario(d) = item else { continue };
            let mut changes = Vec::new();
            for stmt in &d.stmts {
                match stmt {
                    ast::ScenarioStmt::Set { span, param, value } => {
                        let Some(&id) = self.params_by_name.get(&param.name) else {
                            if !self.broken.contains(&param.name) {
                                let suggestion = super::suggest::closest(
                                    &param.name,
                                    self.out.params.iter().map(|p| p.name.as_str()),
                                )
                                .map(str::to_string);
                                self.report(msg::unknown_scenario_param(self.file, param, suggestion));
                            }
                            continue;
                        };
                        let t = self.expr(value);
                        let expected = self.out.params[id].ty;
                        if t.ty != Type::Error && !same_type(t.ty, expected) {
                            let (a, b) =
                                (describe_type(&self.out.schema, expected), describe_type(&self.out.schema, t.ty));
                            self.report(msg::scenario_type_mismatch(self.file, t.span, &param.name, a, b));
                            continue;
                        }
                        match const_value(&t, &self.out.params) {
                            Some(value) => changes.push(ScenarioChange::SetParam { param: id, value, span: *span }),
                            None => self.report(msg::param_not_constant(self.file, t.span)),
                        }
                    }
                    ast::ScenarioStmt::Without { span, entity, filter } => {
                        let Some(e) = self.out.schema.entity(&entity.name) else {
                            let diag = self.unknown_entity(entity);
                            self.report(diag);
                            continue;
                        };
                        let row_var = self.new_var(&entity.name, Type::Entity(e), entity.span);
                        let filter = filter.as_ref().map(|f| self.entity_filter(e, row_var, f));
                        changes.push(ScenarioChange::Without { entity: e, row_var, filter, span: *span });
                    }
                    ast::ScenarioStmt::Scale { span, entity, field, factor } => {
                        let Some(e) = self.out.schema.entity(&entity.name) else {
                            let diag = self.unknown_entity(entity);
                            self.report(diag);
                            continue;
                        };
                        let Some(f) = self.out.schema.entities[e].field(&field.name) else {
                            let diag = self.unknown_field(e, field);
                            self.report(diag);
                            continue;
                        };
                        if !matches!(self.out.schema.entities[e].fields[f].ty, FieldType::Number(_)) {
                            self.report(msg::scale_not_number(self.file, field.span, &field.name));
                            continue;
                        }
                        let t = self.expr(factor);
                        match (t.ty, const_value(&t, &self.out.params)) {
                            (Type::Num { unit: Unit::Dimensionless, .. }, Some(Const::Num(x))) => {
                                changes.push(ScenarioChange::Scale { entity: e, field: f, factor: x, span: *span })
                            }
                            (Type::Error, _) => {}
                            _ => {
                                let ty = describe_type(&self.out.schema, t.ty);
                                self.report(msg::bad_weight(self.file, t.span, ty));
                            }
                        }
                    }
                }
            }
            self.out.scenarios.push(Scenario { name: d.name.name.clone(), span: d.span, changes });
        }
        if let Some(name) =
            self.ast.items.iter().find_map(|i| if let Item::Policy(p) = i { Some(p.name.value.clone()) } else { None })
        {
            self.out.name = Some(name);
        }
    }

    fn unknown_field(&self, entity: EntityId, field: &ast::Ident) -> Diagnostic {
        let schema = &self.out.schema.entities[entity];
        let mut candidates: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        if let Some(a) = &self.out.assignment {
            if a.entity == entity {
                candidates.push(&a.decision_name);
            }
            if a.target == entity {
                candidates.push(&a.relation_name);
            }
        }
        let suggestion = super::suggest::closest(&field.name, candidates.iter().copied()).map(str::to_string);
        let listed: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
        msg::unknown_field(self.file, field, &schema.name, suggestion, &listed)
    }

    fn expect_bool(&mut self, t: &TExpr) {
        if !matches!(t.ty, Type::Bool | Type::Error) {
            let ty = describe_type(&self.out.schema, t.ty);
            self.report(msg::not_a_condition(self.file, t.span, ty));
        }
    }

    // ------------------------------------------------------- expressions

    fn error(&self, span: Span) -> TExpr {
        TExpr { span, ty: Type::Error, stage: Stage::Data, kind: TExprKind::Const(Const::None) }
    }

    fn expr(&mut self, e: &ast::Expr) -> TExpr {
        let span = e.span;
        let data = |ty: Type, kind: TExprKind| TExpr { span, ty, stage: Stage::Data, kind };
        match &e.kind {
            ExprKind::Number { value, .. } => data(Type::num(Unit::Dimensionless), TExprKind::Const(Const::Num(*value))),
            ExprKind::Percent { value, .. } => data(
                Type::Num { unit: Unit::Dimensionless, percent: true },
                TExprKind::Const(Const::Num(*value)),
            ),
            ExprKind::Quantity { value, unit, .. } => {
                let unit = match unit {
                    ast::UnitName::Money => Unit::Money,
                    ast::UnitName::Hours => Unit::Hours,
                    ast::UnitName::Km => Unit::Km,
                    ast::UnitName::Count => Unit::Count,
                };
                data(Type::num(unit), TExprKind::Const(Const::Num(*value)))
            }
            ExprKind::Str(s) => data(Type::Text, TExprKind::Const(Const::Text(s.clone()))),
            ExprKind::Bool(b) => data(Type::Bool, TExprKind::Const(Const::Bool(*b))),
            ExprKind::None => data(Type::None, TExprKind::Const(Const::None)),
            ExprKind::List(items) => {
                let mut texts = Vec::new();
                for item in items {
                    let t = self.expr(item);
                    match (&t.ty, &t.kind) {
                        (Type::Text, TExprKind::Const(Const::Text(s))) => texts.push(s.clone()),
                        (Type::Error, _) => {}
                        _ => self.report(msg::list_not_text(self.file, t.span)),
                    }
                }
                data(Type::TextSet, TExprKind::TextList(texts))
            }
            ExprKind::Paren(inner) => {
                let mut t = self.expr(inner);
                t.span = span;
                t
            }
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field { base, field } => self.field(span, base, field),
            ExprKind::Call { func, args } => self.call(span, func, args),
            ExprKind::Unary { op, operand } => self.unary(span, *op, operand),
            ExprKind::Binary { op, lhs, rhs } => self.binary(span, *op, lhs, rhs),
            ExprKind::Within { value, tolerance, reference } => self.within(span, value, tolerance, reference),
            ExprKind::Aggregate { kind, body, var, source, filter } => {
                self.aggregate(span, *kind, body.as_deref(), var, source, filter.as_deref())
            }
        }
    }

    fn name(&mut self, id: &ast::Ident) -> TExpr {
        let span = id.span;
        if let Some(&(_, v)) = self.scope.iter().rev().find(|(n, _)| *n == id.name) {
            return TExpr { span, ty: self.out.vars[v].ty, stage: Stage::Data, kind: TExprKind::Var(v) };
        }
        if let Some(&p) = self.params_by_name.get(&id.name) {
            return TExpr { span, ty: self.out.params[p].ty, stage: Stage::Data, kind: TExprKind::Param(p) };
        }
        if let Some(&l) = self.lets_by_name.get(&id.name) {
            if self.let_decls[l].params.is_none() {
                return self.apply_let(span, l, Vec::new());
            }
            let d = self.let_decls[l];
            self.report(msg::function_without_arguments(self.file, id, d.params.as_ref().map_or(0, Vec::len)));
            return self.error(span);
        }
        if let Some((entity, row)) = self.implicit_row {
            let base = TExpr { span, ty: Type::Entity(entity), stage: Stage::Data, kind: TExprKind::Var(row) };
            if let Some(t) = self.member(span, base, id, false) {
                return t;
            }
        }
        if self.broken.contains(&id.name) {
            return self.error(span);
        }
        if self.out.schema.entity(&id.name).is_some() {
            self.report(msg::entity_as_value(self.file, id));
            return self.error(span);
        }
        let mut candidates: Vec<String> = self.scope.iter().map(|(n, _)| n.clone()).collect();
        candidates.extend(self.out.params.iter().map(|p| p.name.clone()));
        candidates.extend(self.lets_by_name.keys().cloned());
        if let Some((entity, _)) = self.implicit_row {
            candidates.extend(self.out.schema.entities[entity].fields.iter().map(|f| f.name.clone()));
        }
        candidates.sort();
        let suggestion = super::suggest::closest(&id.name, candidates.iter().map(String::as_str)).map(str::to_string);
        let hint = self.name_hint(&id.name);
        self.report(msg::unknown_name(self.file, id, suggestion, hint));
        self.error(span)
    }

    /// A hint for an unknown bare name that is a field of some entity:
    /// fields are reached through a variable.
    fn name_hint(&self, name: &str) -> Option<String> {
        self.out
            .schema
            .entities
            .iter()
            .find(|e| e.field(name).is_some())
            .map(|e| format!("`{name}` is a field of `{}`; reach it through a variable, e.g. `x.{name}` with `for x in {}`", e.name, e.name))
    }

    fn field(&mut self, span: Span, base: &ast::Expr, field: &ast::Ident) -> TExpr {
        let base_t = self.expr(base);
        if base_t.ty == Type::Error {
            return self.error(span);
        }
        match self.member(span, base_t.clone(), field, true) {
            Some(t) => t,
            None => self.error(span),
        }
    }

    /// `base.name`. With `report` false, returns `None` silently when
    /// there is no such member (used for bare names in entity filters).
    fn member(&mut self, span: Span, base: TExpr, field: &ast::Ident, report: bool) -> Option<TExpr> {
        let Type::Entity(entity) = base.ty else {
            if report {
                let ty = describe_type(&self.out.schema, base.ty);
                self.report(msg::field_of_non_entity(self.file, field, base.span, ty));
            }
            return None;
        };
        let schema = &self.out.schema.entities[entity];
        if let Some(f) = schema.field(&field.name) {
            let ty = value_type(schema.fields[f].ty);
            return Some(TExpr { span, ty, stage: base.stage, kind: TExprKind::Field { base: Box::new(base), entity, field: f } });
        }
        if let Some(a) = &self.out.assignment {
            if a.entity == entity && a.decision_name == field.name {
                let target = a.target;
                let stage = match (base.stage, &base.kind) {
                    (Stage::Data, TExprKind::Var(v)) => Stage::Lookup(*v),
                    (Stage::Data, _) => Stage::Linear(Curvature::Affine),
                    _ => {
                        if self.linearity_matters {
                            self.report(msg::nested_assignment(self.file, span, &field.name));
                            return Some(self.error(span));
                        }
                        Stage::Linear(Curvature::Affine)
                    }
                };
                return Some(TExpr { span, ty: Type::Entity(target), stage, kind: TExprKind::Assigned { base: Box::new(base) } });
            }
            if a.target == entity && a.relation_name == field.name {
                if report {
                    let example = format!("sum(x.FIELD for x in {}.{})", base_text(&base, &self.out.vars), field.name);
                    self.report(msg::relation_as_value(self.file, span, &field.name, &example));
                    return Some(self.error(span));
                }
                return None;
            }
        }
        if report {
            if !self.dropped_fields.contains(&(entity, field.name.clone())) {
                let d = self.unknown_field(entity, field);
                self.report(d);
            }
            return Some(self.error(span));
        }
        None
    }

    fn call(&mut self, span: Span, func: &ast::Ident, args: &[ast::Expr]) -> TExpr {
        let targs: Vec<TExpr> = args.iter().map(|a| self.expr(a)).collect();
        if targs.iter().any(|a| a.ty == Type::Error) {
            return self.error(span);
        }
        if func.name == "distance" {
            if targs.len() != 2 {
                self.report(msg::wrong_arity(self.file, span, "distance", 2, targs.len()));
                return self.error(span);
            }
            for a in &targs {
                if !matches!(a.ty, Type::Geo) {
                    let ty = describe_type(&self.out.schema, a.ty);
                    self.report(msg::argument_type(self.file, a.span, "distance", "a `geo` location".into(), ty));
                    return self.error(span);
                }
            }
            let Some(stage) = self.data_function_stage(span, &targs) else { return self.error(span) };
            return TExpr { span, ty: Type::num(Unit::Km), stage, kind: TExprKind::Builtin { func: Builtin::Distance, args: targs } };
        }
        if let Some(&table) = self.tables_by_name.get(&func.name) {
            let schema = self.out.schema.tables[table].clone();
            if targs.len() != schema.keys.len() {
                self.report(msg::wrong_arity(self.file, span, &func.name, schema.keys.len(), targs.len()));
                return self.error(span);
            }
            for (a, &k) in targs.iter().zip(&schema.keys) {
                if a.ty != Type::Entity(k) {
                    let key = &self.out.schema.entities[k].name;
                    let want = format!("{} `{key}`", article(key));
                    let ty = describe_type(&self.out.schema, a.ty);
                    self.report(msg::argument_type(self.file, a.span, &func.name, want, ty));
                    return self.error(span);
                }
            }
            let Some(stage) = self.data_function_stage(span, &targs) else { return self.error(span) };
            let ty = value_type(schema.ty);
            return TExpr { span, ty, stage, kind: TExprKind::Table { table, args: targs } };
        }
        if let Some(&l) = self.lets_by_name.get(&func.name) {
            return self.apply_let(span, l, targs);
        }
        if self.broken.contains(&func.name) {
            return self.error(span);
        }
        let mut candidates: Vec<&str> = vec!["distance"];
        candidates.extend(self.tables_by_name.keys().map(String::as_str));
        candidates.extend(self.lets_by_name.keys().map(String::as_str));
        candidates.sort();
        let suggestion = super::suggest::closest(&func.name, candidates).map(str::to_string);
        self.report(msg::unknown_function(self.file, func, suggestion));
        self.error(span)
    }

    /// The stage of a data function (distance, a table) of its arguments:
    /// fine as long as at most one assignment is looked up.
    fn data_function_stage(&mut self, span: Span, args: &[TExpr]) -> Option<Stage> {
        let mut stage = Stage::Data;
        for a in args {
            stage = match (stage, a.stage) {
                (s, Stage::Data) => s,
                (Stage::Data, s @ Stage::Lookup(_)) => s,
                (Stage::Lookup(x), Stage::Lookup(y)) if x == y => stage,
                _ => {
                    if !self.linearity_matters {
                        return Some(Stage::Linear(Curvature::Affine));
                    }
                    self.report(msg::nonlinear_function(self.file, span, a.span));
                    return None;
                }
            };
        }
        Some(stage)
    }

    fn apply_let(&mut self, span: Span, index: usize, args: Vec<TExpr>) -> TExpr {
        let Some(f) = self.let_fn(index, Some(span)) else { return self.error(span) };
        if args.len() != f.params.len() {
            self.report(msg::wrong_arity(self.file, span, &f.name, f.params.len(), args.len()));
            return self.error(span);
        }
        for (a, &p) in args.iter().zip(&f.params) {
            let want = self.out.vars[p].ty;
            if !same_type(a.ty, want) {
                let (w, g) = (describe_type(&self.out.schema, want), describe_type(&self.out.schema, a.ty));
                self.report(msg::argument_type(self.file, a.span, &f.name, w, g));
                return self.error(span);
            }
        }
        // The body's stage, seen through the arguments.
        let stage = match f.body.stage {
            Stage::Data => self.data_function_stage(span, &args),
            Stage::Lookup(p) => match f.params.iter().position(|&q| q == p) {
                Some(i) => {
                    let arg = &args[i];
                    let others: Vec<TExpr> =
                        args.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| a.clone()).collect();
                    match (arg.stage, &arg.kind) {
                        (Stage::Data, TExprKind::Var(v)) => {
                            let mut all = others;
                            all.push(TExpr { stage: Stage::Lookup(*v), ..arg.clone() });
                            self.data_function_stage(span, &all)
                        }
                        (Stage::Data, _) if others.iter().all(|o| o.stage.is_data()) => Some(Stage::Linear(Curvature::Affine)),
                        _ => self.linear_args(span, &f, &args),
                    }
                }
                None => Some(f.body.stage),
            },
            Stage::Linear(c) => {
                if args.iter().all(|a| a.stage.is_data()) {
                    Some(Stage::Linear(c))
                } else {
                    self.linear_args(span, &f, &args)
                }
            }
        };
        let Some(stage) = stage else { return self.error(span) };
        TExpr { span, ty: f.body.ty, stage, kind: TExprKind::Call { func: index, args } }
    }

    fn linear_args(&mut self, span: Span, f: &LetFn, args: &[TExpr]) -> Option<Stage> {
        if !self.linearity_matters {
            return Some(Stage::Linear(Curvature::Affine));
        }
        let arg = args.iter().find(|a| !a.stage.is_data()).map_or(span, |a| a.span);
        self.report(msg::linear_argument(self.file, span, arg, &f.name));
        None
    }

    fn unary(&mut self, span: Span, op: UnaryOp, operand: &ast::Expr) -> TExpr {
        let t = self.expr(operand);
        if t.ty == Type::Error {
            return self.error(span);
        }
        match op {
            UnaryOp::Not => {
                self.expect_bool(&t);
                if let Stage::Linear(_) = t.stage {
                    if self.linearity_matters {
                        self.report(msg::not_of_constraint(self.file, span));
                        return self.error(span);
                    }
                }
                TExpr { span, ty: Type::Bool, stage: t.stage, kind: TExprKind::Not(Box::new(t)) }
            }
            UnaryOp::Neg => {
                if t.ty.unit().is_none() {
                    let ty = describe_type(&self.out.schema, t.ty);
                    self.report(msg::not_a_number(self.file, t.span, "`-`", ty));
                    return self.error(span);
                }
                let stage = match t.stage {
                    Stage::Linear(c) => Stage::Linear(c.negate()),
                    s => s,
                };
                TExpr { span, ty: t.ty, stage, kind: TExprKind::Neg(Box::new(t)) }
            }
        }
    }

    fn binary(&mut self, span: Span, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr) -> TExpr {
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        if l.ty == Type::Error || r.ty == Type::Error {
            return self.error(span);
        }
        let make = |ty: Type, stage: Stage, l: TExpr, r: TExpr| TExpr {
            span,
            ty,
            stage,
            kind: TExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) },
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(&l);
                self.expect_bool(&r);
                let stage = match (l.stage, r.stage) {
                    (Stage::Linear(_), _) | (_, Stage::Linear(_)) => {
                        if op == BinaryOp::Or && self.linearity_matters {
                            self.report(msg::or_of_constraints(self.file, span));
                            return self.error(span);
                        }
                        Stage::Linear(Curvature::Affine)
                    }
                    (a, b) => match join_lookup(a, b) {
                        Some(s) => s,
                        None => Stage::Linear(Curvature::Affine),
                    },
                };
                make(Type::Bool, stage, l, r)
            }
            BinaryOp::In => {
                if l.ty != Type::Text || r.ty != Type::TextSet {
                    let (a, b) = (describe_type(&self.out.schema, l.ty), describe_type(&self.out.schema, r.ty));
                    self.report(msg::bad_in(self.file, span, l.span, r.span, a, b));
                    return self.error(span);
                }
                let Some(stage) = self.predicate_stage(span, &l, &r) else { return self.error(span) };
                make(Type::Bool, stage, l, r)
            }
            _ if op.is_comparison() => self.comparison(span, op, l, r),
            BinaryOp::Add | BinaryOp::Sub => {
                let Some(ty) = self.additive_type(span, op, &l, &r) else { return self.error(span) };
                let r_curv = if op == BinaryOp::Sub { r.stage.curvature().negate() } else { r.stage.curvature() };
                let stage = match join_lookup(l.stage, r.stage) {
                    Some(s) => s,
                    None => match l.stage.curvature().add(r_curv) {
                        Some(c) => Stage::Linear(c),
                        None => {
                            if self.linearity_matters {
                                self.report(msg::mixed_curvature(self.file, span));
                                return self.error(span);
                            }
                            Stage::Linear(Curvature::Affine)
                        }
                    },
                };
                make(ty, stage, l, r)
            }
            _ => self.product(span, op, l, r),
        }
    }

    /// Units of `+` and `-`: like units only; counts and plain numbers mix;
    /// a percent never meets a count.
    fn additive_type(&mut self, span: Span, op: BinaryOp, l: &TExpr, r: &TExpr) -> Option<Type> {
        let (Type::Num { unit: lu, percent: lp }, Type::Num { unit: ru, percent: rp }) = (l.ty, r.ty) else {
            let bad = if l.ty.unit().is_none() { l } else { r };
            let ty = describe_type(&self.out.schema, bad.ty);
            self.report(msg::not_a_number(self.file, bad.span, &format!("`{}`", op.symbol()), ty));
            return None;
        };
        if !compatible_units(lu, ru) {
            self.report(msg::unit_mismatch(self.file, span, l.span, lu, r.span, ru, op.symbol()));
            return None;
        }
        if (lp && ru == Unit::Count) || (rp && lu == Unit::Count) {
            let (pct, count) = if lp { (l, r) } else { (r, l) };
            self.report(msg::percent_as_number(self.file, pct.span, count.span));
            return None;
        }
        let unit = if lu == Unit::Dimensionless { ru } else { lu };
        Some(Type::Num { unit, percent: lp && rp })
    }

    fn comparison(&mut self, span: Span, op: BinaryOp, l: TExpr, r: TExpr) -> TExpr {
        let ordered = matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge);
        match (l.ty, r.ty) {
            (Type::Num { .. }, Type::Num { .. }) => {
                if self.additive_type(span, op, &l, &r).is_none() {
                    return self.error(span);
                }
            }
            (a, b) if ordered => {
                let bad = if a.unit().is_none() { &l } else { &r };
                let _ = b;
                let ty = describe_type(&self.out.schema, bad.ty);
                self.report(msg::not_a_number(self.file, bad.span, &format!("`{}`", op.symbol()), ty));
                return self.error(span);
            }
            (Type::None, _) | (_, Type::None) => {}
            (a, b) if !same_type(a, b) => {
                let (ta, tb) = (describe_type(&self.out.schema, a), describe_type(&self.out.schema, b));
                self.report(msg::compare_mismatch(self.file, span, l.span, ta, r.span, tb));
                return self.error(span);
            }
            _ => {}
        }
        let stage = match join_lookup(l.stage, r.stage) {
            Some(s) => s,
            None => {
                // A linear constraint: only on numbers, and convex.
                if l.ty.unit().is_none() && self.linearity_matters {
                    self.report(msg::nonlinear_function(self.file, span, r.span));
                    return self.error(span);
                }
                let diff = l.stage.curvature().add(r.stage.curvature().negate());
                let ok = match op {
                    BinaryOp::Le | BinaryOp::Lt => diff.is_some_and(|c| c != Curvature::Concave),
                    BinaryOp::Ge | BinaryOp::Gt => diff.is_some_and(|c| c != Curvature::Convex),
                    BinaryOp::Eq => diff == Some(Curvature::Affine),
                    _ => false,
                };
                if !ok && self.linearity_matters {
                    if op == BinaryOp::Ne {
                        self.report(msg::not_equal_constraint(self.file, span));
                    } else {
                        self.report(msg::nonconvex_comparison(self.file, span, op.symbol(), l.stage.curvature(), r.stage.curvature()));
                    }
                    return self.error(span);
                }
                Stage::Linear(Curvature::Affine)
            }
        };
        TExpr { span, ty: Type::Bool, stage, kind: TExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) } }
    }

    /// The stage of a condition made of two values that must be data
    /// functions of at most one assignment (`in`).
    fn predicate_stage(&mut self, span: Span, l: &TExpr, r: &TExpr) -> Option<Stage> {
        match join_lookup(l.stage, r.stage) {
            Some(s) => Some(s),
            None if !self.linearity_matters => Some(Stage::Linear(Curvature::Affine)),
            None => {
                self.report(msg::nonlinear_function(self.file, span, r.span));
                None
            }
        }
    }

    fn product(&mut self, span: Span, op: BinaryOp, l: TExpr, r: TExpr) -> TExpr {
        let (Type::Num { unit: lu, percent: lp }, Type::Num { unit: ru, percent: rp }) = (l.ty, r.ty) else {
            let bad = if l.ty.unit().is_none() { &l } else { &r };
            let ty = describe_type(&self.out.schema, bad.ty);
            self.report(msg::not_a_number(self.file, bad.span, &format!("`{}`", op.symbol()), ty));
            return self.error(span);
        };
        let plain = |u: Unit| matches!(u, Unit::Dimensionless | Unit::Count);
        let unit = match op {
            BinaryOp::Mul if plain(lu) => Some(ru),
            BinaryOp::Mul if plain(ru) => Some(lu),
            BinaryOp::Div if lu == ru => Some(Unit::Dimensionless),
            BinaryOp::Div if plain(ru) => Some(lu),
            _ => None,
        };
        let Some(unit) = unit else {
            self.report(msg::compound_unit(self.file, span, l.span, lu, r.span, ru, op == BinaryOp::Mul));
            return self.error(span);
        };
        let unit = if unit == Unit::Count && op == BinaryOp::Div { Unit::Dimensionless } else { unit };
        let ty = Type::Num { unit, percent: lp && rp };
        let stage = match (l.stage, r.stage) {
            (a, b) if join_lookup(a, b).is_some() => join_lookup(a, b).unwrap_or(Stage::Data),
            (Stage::Linear(c), Stage::Data) => {
                match self.signed_curvature(c, &r, op == BinaryOp::Div) {
                    Some(s) => s,
                    None => return self.error(span),
                }
            }
            (Stage::Data, Stage::Linear(c)) if op == BinaryOp::Mul => match self.signed_curvature(c, &l, false) {
                Some(s) => s,
                None => return self.error(span),
            },
            (Stage::Lookup(_), Stage::Data) | (Stage::Data, Stage::Lookup(_)) => Stage::Linear(Curvature::Affine),
            _ if !self.linearity_matters => Stage::Linear(Curvature::Affine),
            (_, s) => {
                if op == BinaryOp::Div && !s.is_data() {
                    self.report(msg::divide_by_decision(self.file, span, r.span));
                } else {
                    self.report(msg::linear_times_linear(self.file, span, l.span, r.span));
                }
                return self.error(span);
            }
        };
        TExpr { span, ty, stage, kind: TExprKind::Binary { op, lhs: Box::new(l), rhs: Box::new(r) } }
    }

    /// Scaling a linear value by data keeps it linear; a max or min keeps
    /// its curvature only when the sign of the factor is known.
    fn signed_curvature(&mut self, c: Curvature, factor: &TExpr, divide: bool) -> Option<Stage> {
        if c == Curvature::Affine {
            return Some(Stage::Linear(c));
        }
        match const_value(factor, &self.out.params) {
            Some(Const::Num(x)) if x > 0.0 => Some(Stage::Linear(c)),
            Some(Const::Num(x)) if x < 0.0 => Some(Stage::Linear(c.negate())),
            Some(Const::Num(_)) if divide => {
                self.report(msg::divide_by_zero(self.file, factor.span));
                None
            }
            _ if !self.linearity_matters => Some(Stage::Linear(Curvature::Affine)),
            _ => {
                self.report(msg::unknown_sign(self.file, factor.span));
                None
            }
        }
    }

    fn within(&mut self, span: Span, value: &ast::Expr, tolerance: &ast::Expr, reference: &ast::Expr) -> TExpr {
        let v = self.expr(value);
        let t = self.expr(tolerance);
        let r = self.expr(reference);
        if [&v, &t, &r].iter().any(|x| x.ty == Type::Error) {
            return self.error(span);
        }
        let (Some(vu), Some(ru)) = (v.ty.unit(), r.ty.unit()) else {
            let bad = if v.ty.unit().is_none() { &v } else { &r };
            let ty = describe_type(&self.out.schema, bad.ty);
            self.report(msg::not_a_number(self.file, bad.span, "`within`", ty));
            return self.error(span);
        };
        if !compatible_units(vu, ru) {
            self.report(msg::unit_mismatch(self.file, span, v.span, vu, r.span, ru, "within"));
            return self.error(span);
        }
        if t.ty.unit() != Some(Unit::Dimensionless) || !t.stage.is_data() {
            let ty = describe_type(&self.out.schema, t.ty);
            self.report(msg::bad_tolerance(self.file, t.span, ty));
            return self.error(span);
        }
        let stage = match join_lookup(v.stage, r.stage) {
            Some(s) => s,
            None => {
                if (v.stage.curvature() != Curvature::Affine || r.stage.curvature() != Curvature::Affine)
                    && self.linearity_matters
                {
                    self.report(msg::nonconvex_comparison(self.file, span, "within", v.stage.curvature(), r.stage.curvature()));
                    return self.error(span);
                }
                Stage::Linear(Curvature::Affine)
            }
        };
        TExpr {
            span,
            ty: Type::Bool,
            stage,
            kind: TExprKind::Within { value: Box::new(v), tolerance: Box::new(t), reference: Box::new(r) },
        }
    }

    /// Resolves what an aggregate or quantifier ranges over.
    fn source(&mut self, s: &ast::Source) -> Option<TSource> {
        let first = s.path.first()?;
        if s.path.len() == 1 {
            if let Some(e) = self.out.schema.entity(&first.name) {
                return Some(TSource::Entity(e));
            }
            if self.broken.contains(&first.name) {
                return None;
            }
            // A name that is something else: a variable, a field, a param.
            let is_value = self.scope.iter().any(|(n, _)| *n == first.name)
                || self.params_by_name.contains_key(&first.name)
                || self.lets_by_name.contains_key(&first.name);
            if is_value {
                self.report(msg::aggregate_over_non_entity(self.file, first, "a value"));
            } else {
                let d = self.unknown_entity(first);
                self.report(d);
            }
            return None;
        }
        // `rep.accounts`: the relation of the entity as a whole, not of one row.
        if let (2, Some(a)) = (s.path.len(), &self.out.assignment) {
            let is_entity = self.out.schema.entity(&first.name) == Some(a.target)
                && !self.scope.iter().any(|(n, _)| *n == first.name);
            if is_entity && s.path[1].name == a.relation_name {
                let entity = self.out.schema.entities[a.entity].name.clone();
                self.report(msg::relation_of_entity(self.file, s.span, &first.name, &a.relation_name, &entity, &a.decision_name));
                return None;
            }
        }
        // `r.accounts`: a path whose last step is the relation.
        let base_ast = path_expr(&s.path[..s.path.len() - 1]);
        let base = self.expr(&base_ast);
        if base.ty == Type::Error {
            return None;
        }
        let last = &s.path[s.path.len() - 1];
        let relation = self.out.assignment.as_ref().filter(|a| Type::Entity(a.target) == base.ty && a.relation_name == last.name);
        if relation.is_none() {
            let what = match base.ty {
                Type::Entity(e) if self.out.schema.entities[e].field(&last.name).is_some() => "a field, not a collection",
                Type::Entity(_) => {
                    let d = self.unknown_field(match base.ty { Type::Entity(e) => e, _ => 0 }, last);
                    self.report(d);
                    return None;
                }
                _ => "a value",
            };
            self.report(msg::aggregate_over_non_entity(self.file, last, what));
            return None;
        }
        if !base.stage.is_data() && self.linearity_matters {
            self.report(msg::nested_assignment(self.file, s.span, &last.name));
            return None;
        }
        Some(TSource::Assigned { target: Box::new(base) })
    }

    fn aggregate(
        &mut self,
        span: Span,
        kind: AggKind,
        body: Option<&ast::Expr>,
        var: &ast::Ident,
        source: &ast::Source,
        filter: Option<&ast::Expr>,
    ) -> TExpr {
        let Some(src) = self.source(source) else { return self.error(span) };
        let entity = match &src {
            TSource::Entity(e) => *e,
            TSource::Assigned { .. } => self.out.assignment.as_ref().map_or(0, |a| a.entity),
        };
        let v = self.new_var(&var.name, Type::Entity(entity), var.span);
        self.scope.push((var.name.clone(), v));
        let f = filter.map(|f| self.expr(f));
        let b = body.map(|b| self.expr(b));
        self.scope.pop();
        if f.as_ref().is_some_and(|f| f.ty == Type::Error) || b.as_ref().is_some_and(|b| b.ty == Type::Error) {
            return self.error(span);
        }
        if let Some(f) = &f {
            self.expect_bool(f);
        }
        let ty = match &b {
            None => Type::num(Unit::Count),
            Some(b) => match b.ty {
                Type::Num { unit, percent } => Type::Num { unit, percent },
                other => {
                    let ty = describe_type(&self.out.schema, other);
                    self.report(msg::not_a_number(self.file, b.span, &format!("`{}`", kind.keyword()), ty));
                    return self.error(span);
                }
            },
        };
        let make = |stage: Stage, f: Option<TExpr>, b: Option<TExpr>, src: TSource| TExpr {
            span,
            ty,
            stage,
            kind: TExprKind::Aggregate { kind, var: v, source: src, filter: f.map(Box::new), body: b.map(Box::new) },
        };
        // Membership: known from the data, or decided by the assignment
        // (through the filter or the source).
        let filter_stage = f.as_ref().map_or(Stage::Data, |f| f.stage);
        let body_stage = b.as_ref().map_or(Stage::Data, |b| b.stage);
        let decided_set = matches!(src, TSource::Assigned { .. }) || filter_stage != Stage::Data;
        let local = |s: Stage| matches!(s, Stage::Data) || s == Stage::Lookup(v);
        if !self.linearity_matters {
            let stage = if decided_set || !body_stage.is_data() { Stage::Linear(Curvature::Affine) } else { Stage::Data };
            return make(stage, f, b, src);
        }
        if !local(filter_stage) && filter_stage != Stage::Data {
            let fs = f.as_ref().map_or(span, |f| f.span);
            self.report(msg::filter_depends_on_sum(self.file, fs));
            return self.error(span);
        }
        if decided_set {
            if !local(body_stage) {
                let bs = b.as_ref().map_or(span, |b| b.span);
                self.report(msg::linear_over_decided_set(self.file, span, bs));
                return self.error(span);
            }
            if matches!(kind, AggKind::Mean | AggKind::Max | AggKind::Min) {
                self.report(msg::extreme_over_decided_set(self.file, span, kind.keyword()));
                return self.error(span);
            }
            return make(Stage::Linear(Curvature::Affine), f, b, src);
        }
        let stage = match (kind, body_stage) {
            (_, Stage::Data) => Stage::Data,
            (AggKind::Sum | AggKind::Count | AggKind::Mean, s) => Stage::Linear(s.curvature()),
            (AggKind::Max, s) if s.curvature() != Curvature::Concave => Stage::Linear(Curvature::Convex),
            (AggKind::Min, s) if s.curvature() != Curvature::Convex => Stage::Linear(Curvature::Concave),
            _ => {
                self.report(msg::mixed_curvature(self.file, span));
                return self.error(span);
            }
        };
        make(stage, f, b, src)
    }
}

const TYPE_NAMES: &[&str] = &["text", "number", "money", "hours", "km", "count", "percent", "bool", "geo"];

fn path_expr(path: &[ast::Ident]) -> ast::Expr {
    let mut e = ast::Expr { span: path[0].span, kind: ExprKind::Name(path[0].clone()) };
    for step in &path[1..] {
        e = ast::Expr { span: e.span.to(step.span), kind: ExprKind::Field { base: Box::new(e), field: step.clone() } };
    }
    e
}

fn base_text(base: &TExpr, vars: &[VarInfo]) -> String {
    match &base.kind {
        TExprKind::Var(v) => vars[*v].name.clone(),
        _ => "r".to_string(),
    }
}

/// Two stages that combine without leaving "data of one lookup".
fn join_lookup(a: Stage, b: Stage) -> Option<Stage> {
    match (a, b) {
        (Stage::Data, s @ (Stage::Data | Stage::Lookup(_))) | (s @ Stage::Lookup(_), Stage::Data) => Some(s),
        (Stage::Lookup(x), Stage::Lookup(y)) if x == y => Some(a),
        _ => None,
    }
}

/// Counts and plain numbers mix; other units only with themselves.
fn compatible_units(a: Unit, b: Unit) -> bool {
    let plain = |u: Unit| matches!(u, Unit::Dimensionless | Unit::Count);
    a == b || (plain(a) && plain(b))
}

fn same_type(a: Type, b: Type) -> bool {
    match (a, b) {
        (Type::Error, _) | (_, Type::Error) => true,
        (Type::Num { unit: x, .. }, Type::Num { unit: y, .. }) => compatible_units(x, y),
        _ => a == b,
    }
}

pub fn value_type(ft: FieldType) -> Type {
    match ft {
        FieldType::Text => Type::Text,
        FieldType::Number(u) => Type::num(u),
        FieldType::Percent => Type::Num { unit: Unit::Dimensionless, percent: true },
        FieldType::Bool => Type::Bool,
        FieldType::Geo => Type::Geo,
        FieldType::TextSet => Type::TextSet,
        FieldType::Ref(e) => Type::Entity(e),
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

/// The type as a user reads it: "money", "a `rep`", "text".
pub fn describe_type(schema: &Schema, ty: Type) -> String {
    match ty {
        Type::Num { percent: true, .. } => "a percent".into(),
        Type::Num { unit: Unit::Dimensionless, .. } => "a plain number".into(),
        Type::Num { unit, .. } => unit.name().into(),
        Type::Bool => "a condition (true or false)".into(),
        Type::Text => "text".into(),
        Type::TextSet => "a set of texts".into(),
        Type::Geo => "a location".into(),
        Type::Entity(e) => {
            let name = schema.entities.get(e).map_or("?", |e| e.name.as_str());
            format!("{} `{name}`", article(name))
        }
        Type::None => "`none`".into(),
        Type::Error => "an invalid value".into(),
    }
}

/// The value of an expression made of literals and params only.
pub fn const_value(e: &TExpr, params: &[Param]) -> Option<Const> {
    Some(match &e.kind {
        TExprKind::Const(c) => c.clone(),
        TExprKind::Param(p) => params.get(*p)?.value.clone(),
        TExprKind::Neg(x) => match const_value(x, params)? {
            Const::Num(v) => Const::Num(-v),
            _ => return None,
        },
        TExprKind::Not(x) => match const_value(x, params)? {
            Const::Bool(b) => Const::Bool(!b),
            _ => return None,
        },
        TExprKind::Binary { op, lhs, rhs } => {
            let (Const::Num(a), Const::Num(b)) = (const_value(lhs, params)?, const_value(rhs, params)?) else {
                return None;
            };
            match op {
                BinaryOp::Add => Const::Num(a + b),
                BinaryOp::Sub => Const::Num(a - b),
                BinaryOp::Mul => Const::Num(a * b),
                BinaryOp::Div if b != 0.0 => Const::Num(a / b),
                _ => return None,
            }
        }
        _ => return None,
    })
}
