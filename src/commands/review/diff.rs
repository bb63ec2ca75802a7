//! `terra diff OLD NEW`: what a change does to the plan. OLD and NEW are
//! two plan folders written by `terra solve`, or two git revisions of a
//! policy (`terra diff main HEAD -- policy.terra`), each solved (or taken
//! from the cache). A summary comes first; `--details` lists every move
//! and every KPI change.

use super::plan::{Cache, NoPlan, Plan};
use super::project::{self, SolverSettings};
use super::revision::{self, PolicyAt};
use super::rules::{self, Change, RuleChange};
use super::text::{arrow, num, signed};
use crate::commands::{emit, exit};
use crate::diagnostics::render::Format;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Values that differ by less than this (relative) are the same: plan.json
/// rounds to 9 significant digits.
const SAME: f64 = 1e-9;

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME * a.abs().max(b.abs()).max(1.0) || (a.is_nan() && b.is_nan())
}

#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub key: String,
    /// "" for none.
    pub from: String,
    pub to: String,
}

/// A number on each side; `None` where the side lacks it.
#[derive(Clone, Debug, PartialEq)]
pub struct Delta {
    pub name: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
}

impl Delta {
    pub fn changed(&self) -> bool {
        match (self.old, self.new) {
            (Some(a), Some(b)) => !same(a, b),
            (None, None) => false,
            _ => true,
        }
    }
    fn change(&self) -> Option<f64> {
        Some(self.new? - self.old?)
    }
    fn to_json(&self) -> Json {
        json!({"name": self.name, "old": self.old, "new": self.new, "change": self.change().map(crate::commands::output::round)})
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct KpiChange {
    /// The target row's key (e.g. a rep's id).
    pub target: String,
    pub kpis: Vec<Delta>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationChange {
    pub name: String,
    pub old: Option<bool>,
    pub new: Option<bool>,
}

/// Everything that differs between two plans (and their policies).
#[derive(Clone, Debug)]
pub struct PlanDiff {
    pub old_label: String,
    pub new_label: String,
    /// The policy file and scenario, when two revisions were solved.
    pub policy: Option<String>,
    pub scenario: Option<String>,
    /// (assigned entity, target entity), e.g. ("account", "rep").
    pub entities: (String, String),
    pub status: (String, String),
    pub objective: Delta,
    /// Every objective term on either side, by raw value; `sense` of each.
    pub terms: Vec<(String, Delta)>,
    pub moves: Vec<Move>,
    /// The target rows with a changed KPI; only the changed KPIs.
    pub kpis: Vec<KpiChange>,
    pub targets: usize,
    pub expectations: Vec<ExpectationChange>,
    /// Empty when comparing plan folders.
    pub rules: Vec<RuleChange>,
}

impl PlanDiff {
    pub fn between(old_label: &str, old: &Plan, new_label: &str, new: &Plan, rules: Vec<RuleChange>) -> PlanDiff {
        let (before, after) = (old.assignment(), new.assignment());
        let mut moves = Vec::new();
        for (key, to) in &after {
            let from = before.get(key).cloned().unwrap_or_default();
            if &from != to {
                moves.push(Move { key: key.clone(), from, to: to.clone() });
            }
        }
        for (key, from) in &before {
            if !after.contains_key(key) && !from.is_empty() {
                moves.push(Move { key: key.clone(), from: from.clone(), to: String::new() });
            }
        }
        moves.sort_by(|a, b| a.key.cmp(&b.key));

        let (old_terms, new_terms) = (old.terms(), new.terms());
        let mut terms = Vec::new();
        for t in &new_terms {
            let before = old_terms.iter().find(|o| o.name == t.name).map(|o| o.raw);
            terms.push((t.sense.clone(), Delta { name: t.name.clone(), old: before, new: Some(t.raw) }));
        }
        for t in old_terms.iter().filter(|o| !new_terms.iter().any(|n| n.name == o.name)) {
            terms.push((t.sense.clone(), Delta { name: t.name.clone(), old: Some(t.raw), new: None }));
        }

        let (old_kpis, new_kpis) = (old.kpis(), new.kpis());
        let mut keys: Vec<&String> = old_kpis.iter().chain(&new_kpis).map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        let mut names = new.kpi_names();
        for n in old.kpi_names() {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let lookup = |rows: &[(String, Vec<(String, f64)>)], key: &str, name: &str| {
            rows.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.iter().find(|(n, _)| n == name).map(|(_, x)| *x))
        };
        let mut kpis = Vec::new();
        for key in &keys {
            let changed: Vec<Delta> = names
                .iter()
                .map(|n| Delta { name: n.clone(), old: lookup(&old_kpis, key, n), new: lookup(&new_kpis, key, n) })
                .filter(Delta::changed)
                .collect();
            if !changed.is_empty() {
                kpis.push(KpiChange { target: (*key).clone(), kpis: changed });
            }
        }

        let (old_ex, new_ex) = (old.expectations(), new.expectations());
        let mut expectations: Vec<ExpectationChange> = new_ex
            .iter()
            .map(|e| ExpectationChange { name: e.name.clone(), old: old_ex.iter().find(|o| o.name == e.name).map(|o| o.passed), new: Some(e.passed) })
            .collect();
        expectations.extend(old_ex.iter().filter(|o| !new_ex.iter().any(|n| n.name == o.name)).map(|o| ExpectationChange { name: o.name.clone(), old: Some(o.passed), new: None }));

        let entities = if new.entities().0.is_empty() { old.entities() } else { new.entities() };
        PlanDiff {
            old_label: old_label.to_string(),
            new_label: new_label.to_string(),
            policy: None,
            scenario: None,
            entities,
            status: (old.status(), new.status()),
            objective: Delta { name: "objective".into(), old: Some(old.objective()), new: Some(new.objective()) },
            terms,
            moves,
            kpis,
            targets: keys.len(),
            expectations,
            rules,
        }
    }

    pub fn differs(&self) -> bool {
        !self.rules.is_empty()
            || !self.moves.is_empty()
            || !self.kpis.is_empty()
            || self.status.0 != self.status.1
            || self.objective.changed()
            || self.terms.iter().any(|(_, d)| d.changed())
            || self.expectations.iter().any(|e| e.old != e.new)
    }

    /// An expectation that fails on the new plan and did not fail on the
    /// old one: the change broke it. One that failed before is not the
    /// change's doing; `terra test` reports it.
    pub fn breaks_expectation(&self) -> bool {
        self.expectations.iter().any(|e| e.new == Some(false) && e.old != Some(false))
    }

    pub fn exit_code(&self) -> i32 {
        if self.breaks_expectation() {
            exit::VIOLATED
        } else if self.differs() {
            exit::DIFFERS
        } else {
            exit::OK
        }
    }

    fn verdict(&self) -> &'static str {
        match self.exit_code() {
            exit::VIOLATED => "the new plan breaks an expectation",
            exit::DIFFERS => "the plans differ",
            _ => "no difference",
        }
    }

    /// ` (policy.terra, scenario growth)`, or nothing for plan folders.
    fn context(&self) -> String {
        let parts: Vec<String> = self.policy.iter().cloned().chain(self.scenario.iter().map(|s| format!("scenario {s}"))).collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }

    fn rules_line(&self) -> String {
        let mut parts = Vec::new();
        for change in [Change::Changed, Change::Added, Change::Removed] {
            let names: Vec<String> = self.rules.iter().filter(|r| r.change == change).map(RuleChange::label).collect();
            if !names.is_empty() {
                let word = match change {
                    Change::Changed => "changed",
                    Change::Added => "added",
                    Change::Removed => "removed",
                };
                parts.push(format!("{word} {}", names.join(", ")));
            }
        }
        parts.join("; ")
    }

    fn moves_line(&self) -> String {
        let (entity, target) = &self.entities;
        let n = self.moves.len();
        if n == 1 {
            format!("1 {entity} changes {target}")
        } else {
            format!("{n} {entity}s change {target}")
        }
    }

    fn kpis_line(&self) -> String {
        format!("{} of {} {}s change", self.kpis.len(), self.targets, self.entities.1)
    }

    pub fn human(&self, details: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "terra diff {} → {}{}", self.old_label, self.new_label, self.context());
        if !self.rules.is_empty() {
            let _ = writeln!(s, "  rules      {}", self.rules_line());
        }
        if self.status.0 != self.status.1 {
            let _ = writeln!(s, "  status     {} → {}", self.status.0, self.status.1);
        }
        let _ = writeln!(s, "  moves      {}", self.moves_line());
        let _ = writeln!(s, "  kpis       {}", self.kpis_line());
        let _ = writeln!(s, "  objective  {}", arrow(self.objective.old, self.objective.new));
        for (sense, d) in &self.terms {
            let _ = writeln!(s, "    {sense:<8} {:<16} {}", d.name, arrow(d.old, d.new));
        }
        for e in &self.expectations {
            let verdict = |v: Option<bool>| match v {
                Some(true) => "passed",
                Some(false) => "FAILED",
                None => "-",
            };
            let shown = if e.old == e.new { verdict(e.new).to_string() } else { format!("{} → {}", verdict(e.old), verdict(e.new)) };
            let _ = writeln!(s, "  expect     {:<25} {shown}", e.name);
        }
        if details {
            if !self.rules.is_empty() {
                let _ = writeln!(s, "\nrules:");
                for r in &self.rules {
                    let _ = writeln!(s, "  {:<8} {}", format!("{:?}", r.change).to_lowercase(), r.label());
                }
            }
            if !self.moves.is_empty() {
                let _ = writeln!(s, "\nmoves:");
                for m in &self.moves {
                    let _ = writeln!(s, "  {} {:<12} {} → {}", self.entities.0, m.key, none_dash(&m.from), none_dash(&m.to));
                }
            }
            if !self.kpis.is_empty() {
                let _ = writeln!(s, "\nkpis:");
                for k in &self.kpis {
                    let parts: Vec<String> = k.kpis.iter().map(|d| format!("{} {}", d.name, arrow(d.old, d.new))).collect();
                    let _ = writeln!(s, "  {} {:<12} {}", self.entities.1, k.target, parts.join(", "));
                }
            }
        } else if !self.moves.is_empty() || !self.kpis.is_empty() {
            let _ = writeln!(s, "  (--details lists every move and KPI change)");
        }
        let _ = writeln!(s, "{}", self.verdict());
        s
    }

    /// GitHub-flavoured Markdown, for a pull-request comment or a job summary.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "### terra diff `{}` → `{}`{}\n", self.old_label, self.new_label, self.context());
        let _ = writeln!(s, "**{}**: {}; {}.", capitalise(self.verdict()), self.moves_line(), self.kpis_line());
        if !self.rules.is_empty() {
            let _ = writeln!(s, "\nRules: {}.", self.rules_line());
        }
        let _ = writeln!(s, "\n| | old | new | change |\n|---|---:|---:|---:|");
        let _ = writeln!(s, "| **objective** | {} | {} | {} |", opt(self.objective.old), opt(self.objective.new), self.objective.change().map_or("".into(), signed));
        for (sense, d) in &self.terms {
            let _ = writeln!(s, "| {sense} {} | {} | {} | {} |", d.name, opt(d.old), opt(d.new), d.change().map_or("".into(), signed));
        }
        for e in &self.expectations {
            let v = |x: Option<bool>| match x {
                Some(true) => "passed",
                Some(false) => "**FAILED**",
                None => "-",
            };
            let _ = writeln!(s, "| expect {} | {} | {} | |", e.name, v(e.old), v(e.new));
        }
        if !self.moves.is_empty() {
            let _ = writeln!(s, "\n<details><summary>{}</summary>\n\n| {} | from | to |\n|---|---|---|", self.moves_line(), self.entities.0);
            for m in &self.moves {
                let _ = writeln!(s, "| {} | {} | {} |", m.key, none_dash(&m.from), none_dash(&m.to));
            }
            let _ = writeln!(s, "\n</details>");
        }
        if !self.kpis.is_empty() {
            let _ = writeln!(s, "\n<details><summary>{} {}s with changed KPIs</summary>\n\n| {} | KPI | old | new | change |\n|---|---|---:|---:|---:|", self.kpis.len(), self.entities.1, self.entities.1);
            for k in &self.kpis {
                for d in &k.kpis {
                    let _ = writeln!(s, "| {} | {} | {} | {} | {} |", k.target, d.name, opt(d.old), opt(d.new), d.change().map_or("".into(), signed));
                }
            }
            let _ = writeln!(s, "\n</details>");
        }
        s
    }

    pub fn to_json(&self) -> Json {
        json!({
            "format_version": super::FORMAT_VERSION,
            "command": "diff",
            "policy": self.policy,
            "scenario": self.scenario,
            "old": {"label": self.old_label, "status": self.status.0},
            "new": {"label": self.new_label, "status": self.status.1},
            "differs": self.differs(),
            "exit_code": self.exit_code(),
            "entity": self.entities.0,
            "target": self.entities.1,
            "rules": self.rules,
            "moves": self.moves.iter().map(|m| json!({"key": m.key, "from": nullable(&m.from), "to": nullable(&m.to)})).collect::<Vec<_>>(),
            "objective": self.objective.to_json(),
            "objective_terms": self.terms.iter().map(|(sense, d)| {
                let mut v = d.to_json();
                v["sense"] = json!(sense);
                v
            }).collect::<Vec<_>>(),
            "kpis": self.kpis.iter().map(|k| json!({"target": k.target, "changes": k.kpis.iter().map(Delta::to_json).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "targets": self.targets,
            "expectations": self.expectations.iter().map(|e| json!({"name": e.name, "old_passed": e.old, "new_passed": e.new})).collect::<Vec<_>>(),
        })
    }
}

fn nullable(s: &str) -> Json {
    if s.is_empty() {
        Json::Null
    } else {
        json!(s)
    }
}

fn none_dash(s: &str) -> &str {
    if s.is_empty() {
        "(none)"
    } else {
        s
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), num)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

pub struct DiffArgs {
    pub old: String,
    pub new: String,
    pub policy: Option<PathBuf>,
    pub scenario: Option<String>,
    pub details: bool,
    pub format: Format,
    pub solver: SolverSettings,
    pub cache_dir: Option<PathBuf>,
}

/// Plan folders are compared when both sides are folders and no policy is
/// named; a folder without a plan is then reported as such (R0633) rather
/// than read as a git revision.
fn plan_folders(args: &DiffArgs) -> bool {
    let folder = |s: &str| Path::new(s).is_dir() && s != revision::WORKTREE;
    args.policy.is_none() && (folder(&args.old) || folder(&args.new))
}

fn show(diff: &PlanDiff, args: &DiffArgs) {
    match args.format {
        Format::Human => crate::out!("{}", diff.human(args.details)),
        Format::Github => crate::out!("{}", diff.markdown()),
        Format::Json => crate::out!("{}", super::json_text(&diff.to_json())),
    }
}

fn fail(no: NoPlan, format: Format) -> i32 {
    emit(&no.diagnostics, &no.sources, format);
    no.exit
}

pub fn run(args: &DiffArgs) -> i32 {
    if plan_folders(args) {
        let mut plans = Vec::new();
        for dir in [&args.old, &args.new] {
            match Plan::read_dir(Path::new(dir)) {
                Ok(p) => plans.push(p),
                Err((sources, d)) => {
                    emit(&d, &sources, args.format);
                    return exit::ERROR;
                }
            }
        }
        let diff = PlanDiff::between(&args.old, &plans[0], &args.new, &plans[1], Vec::new());
        show(&diff, args);
        return diff.exit_code();
    }
    let resolved = match project::resolve("diff", args.policy.clone(), None, None) {
        Ok(r) => r,
        Err((sources, d)) => {
            emit(&d, &sources, args.format);
            return exit::ERROR;
        }
    };
    let options = resolved.solver(&args.solver).options(false);
    let cache = Cache { dir: args.cache_dir.clone().unwrap_or_else(|| resolved.cache_dir()) };
    let data_dir = resolved.data_dir.clone().unwrap_or_else(|| crate::commands::policy_dir(&resolved.policy).to_path_buf());
    let mut sides: Vec<(PolicyAt, Plan)> = Vec::new();
    for rev in [&args.old, &args.new] {
        let at = match revision::policy_at(rev, &resolved.policy) {
            Ok(at) => at,
            Err(no) => return fail(no, args.format),
        };
        match revision::plan_at(&at, &data_dir, args.scenario.as_deref(), &options, &cache) {
            Ok(plan) => sides.push((at, plan)),
            Err(no) => {
                match args.format {
                    Format::Human => eprintln!("{}: no plan", at.shown),
                    // The pull-request comment says why there is no diff.
                    Format::Github => {
                        crate::outln!("### terra diff `{}` → `{}` ({})\n\n**No plan for `{rev}`.**\n", args.old, args.new, resolved.policy.display());
                        for d in &no.diagnostics {
                            crate::outln!("- {}: {}", d.code, d.message);
                        }
                    }
                    Format::Json => {}
                }
                return fail(no, args.format);
            }
        }
    }
    let rules = rules::diff(&sides[0].0.front.ast, &sides[1].0.front.ast);
    let label = |rev: &str| if rev == revision::WORKTREE { "working tree".to_string() } else { rev.to_string() };
    let mut diff = PlanDiff::between(&label(&args.old), &sides[0].1, &label(&args.new), &sides[1].1, rules);
    diff.policy = Some(resolved.policy.to_string_lossy().to_string());
    diff.scenario = args.scenario.clone();
    show(&diff, args);
    diff.exit_code()
}
