//! The page: one self-contained HTML file (styles, script and data inline;
//! no request leaves it), for one plan or two side by side.

use super::chart::{self, DivergingRow};
use super::fmt::{escape, number, percent};
use super::{map, BalanceChart, BarStatus, PlanModel};
use serde_json::Value as Json;
use std::fmt::Write as _;

const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Tables list at most this many rows (moves, differences); the rest are
/// counted.
const MAX_TABLE_ROWS: usize = 1000;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// JSON inside a `<script>` element: `<` escaped so that no text in the
/// data can close the element.
fn script_json(value: &Json) -> String {
    serde_json::to_string(value).unwrap_or_default().replace('<', "\\u003c")
}

fn text(plan: &Json, pointer: &str) -> String {
    match plan.pointer(pointer) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => "–".into(),
        Some(v) => v.to_string(),
    }
}

fn num_at(plan: &Json, pointer: &str) -> String {
    plan.pointer(pointer).and_then(Json::as_f64).map_or("–".into(), number)
}

fn title_of(model: &PlanModel) -> String {
    let name = text(&model.plan, "/policy");
    match model.plan.pointer("/scenario").and_then(Json::as_str) {
        Some(s) => format!("{name}, scenario {s}"),
        None => name,
    }
}

/// The facts of the header, as (label, value) pairs.
fn facts(model: &PlanModel) -> Vec<(&'static str, String)> {
    let plan = &model.plan;
    let gap = plan.pointer("/gap").and_then(Json::as_f64).map_or("–".into(), percent);
    let assigned = model.rows.iter().filter(|r| r.target.is_some()).count();
    let moves = model.rows.iter().filter(|r| r.moved()).count();
    let mut out = vec![
        ("status", text(plan, "/status")),
        ("stopped by", text(plan, "/stopped_by")),
        ("gap", gap),
        ("objective", num_at(plan, "/objective")),
        ("best bound", num_at(plan, "/bound")),
    ];
    if !model.entity.is_empty() {
        out.push(("assigned", format!("{} of {} {}s", number(assigned as f64), number(model.rows.len() as f64), model.entity)));
        out.push(("moves", if model.has_owner { number(moves as f64) } else { "no current owner field".into() }));
    }
    out.push(("model", format!("{} rows × {} columns", num_at(plan, "/model/rows"), num_at(plan, "/model/columns"))));
    out
}

fn provenance_rows(plan: &Json) -> Vec<(String, String)> {
    let mut rows = vec![
        ("policy".to_string(), format!("{} (sha256 {})", text(plan, "/provenance/policy_file"), short_hash(&text(plan, "/provenance/policy_sha256")))),
    ];
    for f in plan.pointer("/provenance/data_files").and_then(Json::as_array).into_iter().flatten() {
        rows.push(("data".into(), format!("{} (sha256 {})", text(f, "/path"), short_hash(&text(f, "/sha256")))));
    }
    let options = plan.pointer("/provenance/solver/options").and_then(Json::as_object).map_or(String::new(), |o| {
        o.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    });
    rows.push(("solver".into(), format!("{}; {options}", text(plan, "/provenance/solver/version"))));
    rows.push(("terra".into(), text(plan, "/provenance/terra_version")));
    rows
}

fn short_hash(h: &str) -> String {
    h.chars().take(12).collect()
}

fn header(model: &PlanModel, out: &mut String) {
    let plan = &model.plan;
    let status = text(plan, "/status");
    let _ = write!(out, "<header>\n<h1>Territory plan: {} <span class=\"badge {}\">{}</span></h1>\n", escape(&title_of(model)), escape(&status), escape(&status));
    let _ = writeln!(out, "<p class=\"sub\">plan folder <code>{}</code></p>", escape(&model.label));
    for w in &model.warnings {
        let _ = writeln!(out, "<div class=\"warning\">{}</div>", escape(w));
    }
    out.push_str("<dl class=\"facts\">\n");
    for (k, v) in facts(model) {
        let _ = writeln!(out, "<div><dt>{k}</dt><dd>{}</dd></div>", escape(&v));
    }
    out.push_str("</dl>\n<details><summary>Provenance</summary>\n<table>\n");
    for (k, v) in provenance_rows(plan) {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", escape(&v));
    }
    out.push_str("</table>\n</details>\n");
    out.push_str("<nav><a href=\"#map\">Map</a><a href=\"#balance\">Balance</a><a href=\"#moves\">Moves</a><a href=\"#objective\">Objective</a><a href=\"#rules\">Rules</a></nav>\n</header>\n");
}

/// A swatch for the map's key, as a tiny inline SVG.
fn key_mark(shape: &str) -> String {
    let body = match shape {
        "filled" => r##"<circle cx="7" cy="7" r="5" fill="#4c78a8"/>"##,
        "ring" => r##"<circle cx="7" cy="7" r="5" fill="none" stroke="#4c78a8" stroke-width="1.5"/>"##,
        "home" => r##"<rect x="2" y="2" width="10" height="10" fill="#4c78a8" stroke="#111"/>"##,
        "moved" => r##"<circle cx="7" cy="7" r="4" fill="#4c78a8"/><circle cx="7" cy="7" r="6" fill="none" stroke="#111"/>"##,
        "none" => r##"<circle cx="7" cy="7" r="5" fill="#9aa0a6"/>"##,
        _ => r##"<circle cx="7" cy="7" r="6" fill="#4c78a8" stroke="#111" stroke-width="1.5"/>"##,
    };
    format!(r#"<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{body}</svg>"#)
}

/// The map of one model; `id` makes its elements unique on the page.
fn map_figure(model: &PlanModel, frame: &map::Frame, changed: Option<&[bool]>, id: &str, out: &mut String) {
    let data = map::data(model, frame, changed);
    let drawn = data["x"].as_array().map_or(0, Vec::len);
    let (site, home) = (&model.geo_fields.0, &model.geo_fields.1);
    let _ = writeln!(
        out,
        "<p>{} {}s by their <code>{}</code>, coloured by {}. Hover over an {} or a home for its details, click to keep them below the map; scroll to zoom, drag to pan, double-click to reset.</p>",
        number(drawn as f64),
        escape(&model.entity),
        escape(site.as_deref().unwrap_or("")),
        escape(&model.target),
        escape(&model.entity)
    );
    let unplaced = model.rows.len() - drawn;
    if unplaced > 0 {
        let what = if unplaced == 1 { format!("1 {} has no location and is", model.entity) } else { format!("{} {}s have no location and are", number(unplaced as f64), model.entity) };
        let _ = writeln!(out, "<p class=\"note\">{} not drawn.</p>", escape(&what));
    }
    out.push_str("<div class=\"key\">");
    if let Some(c) = &model.required_clause {
        let _ = write!(out, "<span>{}must be assigned (<code>{}</code>)</span>", key_mark("filled"), escape(c));
    }
    if let Some(c) = &model.optional_clause {
        let _ = write!(out, "<span>{}may be assigned (<code>{}</code>)</span>", key_mark("ring"), escape(c));
    }
    match home {
        Some(h) => {
            let _ = write!(out, "<span>{}{}'s <code>{}</code></span>", key_mark("home"), escape(&model.target), escape(h));
        }
        None => {
            let _ = write!(out, "<span>{}s have no geo field: no homes drawn</span>", escape(&model.target));
        }
    }
    if model.has_owner {
        let _ = write!(out, "<span>{}moved from its current owner</span>", key_mark("moved"));
    }
    let _ = write!(out, "<span>{}not assigned</span>", key_mark("none"));
    if changed.is_some() {
        let _ = write!(out, "<span>{}assigned differently in the other plan</span>", key_mark("changed"));
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<div class=\"map-wrap\"><canvas class=\"map\" id=\"canvas-{id}\" data-map=\"data-{id}\" data-details=\"details-{id}\" data-rows=\"{drawn}\" role=\"img\" aria-label=\"map of {} {}s\"></canvas><div class=\"tooltip\" hidden></div></div>",
        drawn,
        escape(&model.entity)
    );
    let _ = writeln!(out, "<p class=\"note\">{}. North is up.</p>", escape(&frame.description));
    let _ = writeln!(out, "<div class=\"map-details\" id=\"details-{id}\">Click an {} to list its fields here.</div>", escape(&model.entity));
    let _ = writeln!(out, "<script type=\"application/json\" id=\"data-{id}\">{}</script>", script_json(&data));
}

fn target_legend(model: &PlanModel, out: &mut String) {
    let mut counts = vec![0usize; model.targets.len()];
    for t in model.rows.iter().filter_map(|r| r.target) {
        if let Some(c) = counts.get_mut(t as usize) {
            *c += 1;
        }
    }
    out.push_str("<ul class=\"targets\">\n");
    for (t, info) in model.targets.iter().enumerate() {
        let name = info.name.as_deref().map_or(String::new(), |n| format!(" {n}"));
        let _ = writeln!(out, "<li><span class=\"dot\" style=\"background:{}\"></span>{}{} ({})</li>", map::colour(t), escape(&info.key), escape(&name), counts[t]);
    }
    out.push_str("</ul>\n");
}

fn map_section(model: &PlanModel, frame: Option<&map::Frame>, out: &mut String) {
    out.push_str("<section id=\"map\">\n<h2>Map</h2>\n");
    match (&model.no_map, frame) {
        (None, Some(frame)) => {
            map_figure(model, frame, None, "0", out);
            target_legend(model, out);
        }
        (why, _) => {
            let _ = writeln!(out, "<p class=\"note\">No map: {}.</p>", escape(why.as_deref().unwrap_or("no locations")));
        }
    }
    out.push_str("</section>\n");
}

fn chart_summary(c: &BalanceChart, target: &str) -> String {
    let n = c.bars.len();
    if c.kind == "kpi" {
        return format!("{n} {target}s");
    }
    let tight = c.bars.iter().filter(|b| b.status() == BarStatus::AtLimit).count();
    let out = c.bars.iter().filter(|b| b.status() == BarStatus::Outside).count();
    format!("{n} {target}s: {tight} at the limit, {out} beyond it")
}

fn balance_figure(model: &PlanModel, c: &BalanceChart, out: &mut String) {
    let source = if c.source.is_empty() { String::new() } else { format!(" <code>{}</code>", escape(&c.source)) };
    let _ = writeln!(
        out,
        "<figure><figcaption><b>{}</b> ({}){source}<br>{}</figcaption>\n{}\n</figure>",
        escape(&c.name),
        c.kind,
        escape(&chart_summary(c, &model.target)),
        chart::balance(c, &model.targets, &model.target)
    );
}

fn balance_section(model: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"balance\">\n<h2>Balance</h2>\n");
    if model.charts.is_empty() {
        out.push_str("<p class=\"note\">No per-target quantities to chart.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p>One chart per rule over each {t} that compares a number with a limit, and per quantity the policy defines for a {t}. Columns are sorted, largest first; colours mark columns at or beyond their limit.</p>\n<div class=\"grid2\">",
            t = escape(&model.target)
        );
        for c in &model.charts {
            balance_figure(model, c, out);
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn target_text(model: &PlanModel, t: Option<u32>) -> String {
    t.and_then(|t| model.targets.get(t as usize)).map_or("none".into(), |info| match &info.name {
        Some(n) => format!("{} {n}", info.key),
        None => info.key.clone(),
    })
}

fn moves_section(model: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"moves\">\n<h2>Moves against the current owners</h2>\n");
    if !model.has_owner {
        let _ = writeln!(
            out,
            "<p class=\"note\">No moves to show: {} has no single field that refers to a {} (a current owner).</p>\n</section>",
            escape(&model.entity),
            escape(&model.target)
        );
        return;
    }
    let moved: Vec<&super::RowInfo> = model.rows.iter().filter(|r| r.moved()).collect();
    let owned = model.rows.iter().filter(|r| r.owner.is_some()).count();
    let _ = writeln!(out, "<p>{} of {} {}s with an owner change hands.</p>", moved.len(), owned, escape(&model.entity));
    if moved.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    let mut gained = vec![0usize; model.targets.len()];
    let mut lost = vec![0usize; model.targets.len()];
    for r in &moved {
        if let Some(g) = r.target.and_then(|t| gained.get_mut(t as usize)) {
            *g += 1;
        }
        if let Some(l) = r.owner.and_then(|t| lost.get_mut(t as usize)) {
            *l += 1;
        }
    }
    let rows: Vec<DivergingRow> = (0..model.targets.len())
        .filter(|&t| gained[t] + lost[t] > 0)
        .map(|t| {
            let who = target_text(model, Some(t as u32));
            DivergingRow {
                label: who.clone(),
                segments: vec![
                    (gained[t] as f64, "gain", format!("{who} gains {}", gained[t])),
                    (-(lost[t] as f64), "loss", format!("{who} loses {}", lost[t])),
                ],
            }
        })
        .collect();
    let items = [("gain", format!("{}s gained", model.entity)), ("loss", format!("{}s lost", model.entity))];
    out.push_str(&chart::diverging(&rows, &format!("{}s gained (right) and lost (left), count", model.entity), &items, "moves", true));
    out.push_str("\n<div class=\"scroll\"><table>\n");
    let _ = writeln!(out, "<tr><th>{}</th><th>name</th><th>from</th><th>to</th></tr>", escape(&model.entity));
    for r in moved.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.key),
            escape(r.name.as_deref().unwrap_or("")),
            escape(&target_text(model, r.owner)),
            escape(&target_text(model, r.target))
        );
    }
    out.push_str("</table></div>\n");
    if moved.len() > MAX_TABLE_ROWS {
        let _ = writeln!(out, "<p class=\"note\">and {} more.</p>", moved.len() - MAX_TABLE_ROWS);
    }
    out.push_str("</section>\n");
}

/// (name, kind, raw, scale, weight, contribution) of each objective term
/// and preference, as plan.json records them.
fn objective_rows(plan: &Json) -> Vec<(String, String, f64, f64, f64, f64)> {
    let f = |v: &Json, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let mut rows: Vec<(String, String, f64, f64, f64, f64)> = plan["objective_terms"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (text(t, "/name"), text(t, "/sense"), f(t, "raw"), f(t, "scale"), f(t, "weight"), f(t, "contribution")))
        .collect();
    for p in plan["preferences"].as_array().into_iter().flatten() {
        rows.push((text(p, "/name"), "prefer".into(), f(p, "raw"), f(p, "scale"), f(p, "weight"), f(p, "contribution")));
    }
    rows
}

fn objective_section(model: &PlanModel, out: &mut String) {
    let plan = &model.plan;
    out.push_str("<section id=\"objective\">\n<h2>Objective</h2>\n");
    out.push_str("<p>Each term's raw value is divided by its scale and multiplied by its weight; the contributions add up to the objective, which is minimised (a maximised term contributes with a minus sign, so lower is better throughout).</p>\n");
    let rows = objective_rows(plan);
    if rows.is_empty() {
        out.push_str("<p class=\"note\">The policy has no objective and no preferences: any plan that meets the rules is as good.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<tr><th>term</th><th>sense</th><th class=\"num\">raw value</th><th class=\"num\">scale</th><th class=\"num\">weight</th><th class=\"num\">contribution</th></tr>\n");
    for (name, sense, raw, scale, weight, contribution) in &rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            escape(sense),
            number(*raw),
            number(*scale),
            number(*weight),
            number(*contribution)
        );
    }
    let _ = writeln!(out, "<tr><th colspan=\"5\">objective</th><th class=\"num\">{}</th></tr>\n</table>", num_at(plan, "/objective"));
    let bars: Vec<DivergingRow> = rows
        .iter()
        .map(|(name, _, _, _, _, c)| DivergingRow {
            label: name.clone(),
            segments: vec![(*c, if *c <= 0.0 { "gain" } else { "loss" }, format!("{name}: {}", number(*c)))],
        })
        .collect();
    let items = [("gain", "lowers the objective (good)".to_string()), ("loss", "raises it (a cost)".to_string())];
    out.push_str(&chart::diverging(&bars, "contribution to the objective (weighted, scaled; no unit)", &items, "objective", false));
    out.push_str("\n</section>\n");
}

fn instances_text(instances: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = instances.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if instances.len() > SHOWN {
        let _ = write!(s, " and {} more", instances.len() - SHOWN);
    }
    s
}

fn rules_section(model: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n");
    out.push_str("<p><b>binding</b>: the rule is tight at the plan (the solver could not go further); <b>holds</b>: it holds with room to spare; <b>violated</b>: a preference the plan does not meet, at a cost in the objective; expectations are checked, not solved for.</p>\n");
    out.push_str("<table>\n<tr><th>kind</th><th>name</th><th class=\"num\">line</th><th>status</th><th>where</th></tr>\n");
    for r in &model.rules {
        let mut detail = instances_text(&r.instances);
        if let Some((value, limit)) = r.sides {
            let sides = format!("value {} against {}", number(value), number(limit));
            detail = if detail.is_empty() { sides } else { format!("{sides}; {detail}") };
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td></tr>",
            r.kind,
            escape(&r.name),
            r.line,
            r.status,
            r.status,
            escape(&detail)
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn footer(out: &mut String, labels: &[&str]) {
    let _ = writeln!(out, "<footer>Written by terra {} from {}.</footer>", env!("CARGO_PKG_VERSION"), escape(&labels.join(" and ")));
}

/// The report of one plan.
pub fn single(model: &PlanModel) -> String {
    let mut body = String::new();
    header(model, &mut body);
    let frame = map::frame(&map::points(model));
    map_section(model, frame.as_ref(), &mut body);
    balance_section(model, &mut body);
    moves_section(model, &mut body);
    objective_section(model, &mut body);
    rules_section(model, &mut body);
    footer(&mut body, &[&model.label]);
    page(&format!("terra report: {}", title_of(model)), &body)
}

/// A table row of two values, marked when they differ.
fn pair_row(out: &mut String, label: &str, a: &str, b: &str) {
    let class = if a != b { " class=\"diff\"" } else { "" };
    let _ = writeln!(out, "<tr><th>{}</th><td{class}>{}</td><td{class}>{}</td></tr>", escape(label), escape(a), escape(b));
}

/// For each row of `b`, whether its target differs from the row with the
/// same key in `a` (rows only in `b` count as different).
fn changed_rows(a: &PlanModel, b: &PlanModel) -> Vec<bool> {
    let in_a: std::collections::HashMap<&str, Option<&str>> =
        a.rows.iter().map(|r| (r.key.as_str(), r.target.and_then(|t| a.targets.get(t as usize)).map(|t| t.key.as_str()))).collect();
    b.rows
        .iter()
        .map(|r| {
            let target = r.target.and_then(|t| b.targets.get(t as usize)).map(|t| t.key.as_str());
            in_a.get(r.key.as_str()) != Some(&target)
        })
        .collect()
}

/// Two plans side by side, differences marked.
pub fn compare(a: &PlanModel, b: &PlanModel) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<header>\n<h1>Territory plans compared: {} and {}</h1>", escape(&title_of(a)), escape(&title_of(b)));
    let _ = writeln!(body, "<p class=\"sub\">A: <code>{}</code> · B: <code>{}</code>. Highlighted cells differ.</p>", escape(&a.label), escape(&b.label));
    for (side, m) in [("A", a), ("B", b)] {
        for w in &m.warnings {
            let _ = writeln!(body, "<div class=\"warning\">{side}: {}</div>", escape(w));
        }
    }
    body.push_str("<table>\n<tr><th></th><th>A</th><th>B</th></tr>\n");
    pair_row(&mut body, "policy", &title_of(a), &title_of(b));
    let (fa, fb) = (facts(a), facts(b));
    for ((label, va), (_, vb)) in fa.iter().zip(&fb) {
        pair_row(&mut body, label, va, vb);
    }
    let (pa, pb) = (provenance_rows(&a.plan), provenance_rows(&b.plan));
    for i in 0..pa.len().max(pb.len()) {
        let label = pa.get(i).or(pb.get(i)).map_or("", |r| r.0.as_str());
        pair_row(&mut body, label, pa.get(i).map_or("", |r| r.1.as_str()), pb.get(i).map_or("", |r| r.1.as_str()));
    }
    body.push_str("</table>\n<nav><a href=\"#map\">Maps</a><a href=\"#differences\">Differences</a><a href=\"#objective\">Objective</a><a href=\"#balance\">Balance</a><a href=\"#rules\">Rules</a></nav>\n</header>\n");

    let changed_b = changed_rows(a, b);
    let changed_a = changed_rows(b, a);
    body.push_str("<section id=\"map\">\n<h2>Maps</h2>\n");
    let mut points = map::points(a);
    points.extend(map::points(b));
    match (map::frame(&points), &a.no_map, &b.no_map) {
        (Some(frame), None, None) => {
            body.push_str("<div class=\"grid2\">\n");
            for (side, m, changed) in [("a", a, &changed_a), ("b", b, &changed_b)] {
                let _ = writeln!(body, "<div>\n<h3>{}: {}</h3>", side.to_uppercase(), escape(&m.label));
                map_figure(m, &frame, Some(changed), side, &mut body);
                body.push_str("</div>\n");
            }
            body.push_str("</div>\n");
            target_legend(b, &mut body);
        }
        (_, why_a, why_b) => {
            let why = why_a.as_deref().or(why_b.as_deref()).unwrap_or("no locations");
            let _ = writeln!(body, "<p class=\"note\">No maps: {}.</p>", escape(why));
        }
    }
    body.push_str("</section>\n");

    differences_section(a, b, &changed_b, &mut body);
    objective_compare(a, b, &mut body);
    balance_compare(a, b, &mut body);
    rules_compare(a, b, &mut body);
    footer(&mut body, &[&a.label, &b.label]);
    page(&format!("terra report: {} and {}", title_of(a), title_of(b)), &body)
}

fn differences_section(a: &PlanModel, b: &PlanModel, changed_b: &[bool], out: &mut String) {
    out.push_str("<section id=\"differences\">\n<h2>Assigned differently</h2>\n");
    let rows: Vec<usize> = (0..b.rows.len()).filter(|&i| changed_b.get(i).copied().unwrap_or(false)).collect();
    let index_a: std::collections::HashMap<&str, usize> = a.rows.iter().enumerate().map(|(i, r)| (r.key.as_str(), i)).collect();
    let keys_b: std::collections::HashSet<&str> = b.rows.iter().map(|r| r.key.as_str()).collect();
    let only_a = a.rows.iter().filter(|r| !keys_b.contains(r.key.as_str())).count();
    let _ = writeln!(out, "<p>{} {}s have a different {} in B than in A.{}</p>", rows.len(), escape(&b.entity), escape(&b.target), if only_a > 0 { format!(" {only_a} are only in A.") } else { String::new() });
    if !rows.is_empty() {
        out.push_str("<div class=\"scroll\"><table>\n");
        let _ = writeln!(out, "<tr><th>{}</th><th>name</th><th>A</th><th>B</th></tr>", escape(&b.entity));
        for &i in rows.iter().take(MAX_TABLE_ROWS) {
            let r = &b.rows[i];
            let in_a = index_a.get(r.key.as_str()).map_or("not in A".to_string(), |&j| target_text(a, a.rows[j].target));
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"diff\">{}</td></tr>",
                escape(&r.key),
                escape(r.name.as_deref().unwrap_or("")),
                escape(&in_a),
                escape(&target_text(b, r.target))
            );
        }
        out.push_str("</table></div>\n");
        if rows.len() > MAX_TABLE_ROWS {
            let _ = writeln!(out, "<p class=\"note\">and {} more.</p>", rows.len() - MAX_TABLE_ROWS);
        }
    }
    out.push_str("</section>\n");
}

fn objective_compare(a: &PlanModel, b: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"objective\">\n<h2>Objective</h2>\n<table>\n");
    out.push_str("<tr><th>term</th><th class=\"num\">raw A</th><th class=\"num\">raw B</th><th class=\"num\">contribution A</th><th class=\"num\">contribution B</th><th class=\"num\">B − A</th></tr>\n");
    let (ra, rb) = (objective_rows(&a.plan), objective_rows(&b.plan));
    let mut names: Vec<&String> = ra.iter().map(|r| &r.0).collect();
    for r in &rb {
        if !names.contains(&&r.0) {
            names.push(&r.0);
        }
    }
    for name in names {
        let x = ra.iter().find(|r| &r.0 == name);
        let y = rb.iter().find(|r| &r.0 == name);
        let cell = |v: Option<f64>| v.map_or("–".to_string(), number);
        let (raw_a, raw_b) = (x.map(|r| r.2), y.map(|r| r.2));
        let (ca, cb) = (x.map(|r| r.5), y.map(|r| r.5));
        let delta = ca.zip(cb).map(|(p, q)| q - p);
        let class = if cell(ca) != cell(cb) || cell(raw_a) != cell(raw_b) { " diff" } else { "" };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num{class}\">{}</td><td class=\"num{class}\">{}</td><td class=\"num{class}\">{}</td><td class=\"num{class}\">{}</td><td class=\"num{class}\">{}</td></tr>",
            escape(name),
            cell(raw_a),
            cell(raw_b),
            cell(ca),
            cell(cb),
            cell(delta)
        );
    }
    let (oa, ob) = (num_at(&a.plan, "/objective"), num_at(&b.plan, "/objective"));
    let class = if oa != ob { " diff" } else { "" };
    let _ = writeln!(out, "<tr><th colspan=\"3\">objective</th><th class=\"num{class}\">{oa}</th><th class=\"num{class}\">{ob}</th><th></th></tr>\n</table>\n</section>");
}

fn balance_compare(a: &PlanModel, b: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"balance\">\n<h2>Balance</h2>\n<p>Each chart of A beside the same chart of B.</p>\n");
    for ca in &a.charts {
        let Some(cb) = b.charts.iter().find(|c| c.name == ca.name) else { continue };
        let _ = writeln!(out, "<h3>{}</h3>\n<div class=\"grid2\">", escape(&ca.name));
        balance_figure(a, ca, out);
        balance_figure(b, cb, out);
        out.push_str("</div>\n");
        // Per target, the value in A and B.
        let value = |m: &PlanModel, c: &BalanceChart, key: &str| -> Option<f64> {
            c.bars.iter().find(|bar| m.targets.get(bar.target as usize).is_some_and(|t| t.key == key)).map(|bar| bar.value)
        };
        let mut keys: Vec<&str> = a.targets.iter().map(|t| t.key.as_str()).collect();
        keys.extend(b.targets.iter().map(|t| t.key.as_str()).filter(|k| !a.targets.iter().any(|t| t.key == *k)));
        let differing: Vec<(&str, Option<f64>, Option<f64>)> =
            keys.iter().map(|k| (*k, value(a, ca, k), value(b, cb, k))).filter(|(_, x, y)| x.map(number) != y.map(number)).collect();
        if differing.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">The same for every {}.</p>", escape(&b.target));
            continue;
        }
        let _ = writeln!(out, "<details><summary>{} {}s differ</summary><div class=\"scroll\"><table>", differing.len(), escape(&b.target));
        let _ = writeln!(out, "<tr><th>{}</th><th class=\"num\">A</th><th class=\"num\">B</th><th class=\"num\">B − A</th></tr>", escape(&b.target));
        for (k, x, y) in differing {
            let cell = |v: Option<f64>| v.map_or("–".to_string(), number);
            let _ = writeln!(out, "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num diff\">{}</td></tr>", escape(k), cell(x), cell(y), cell(x.zip(y).map(|(p, q)| q - p)));
        }
        out.push_str("</table></div></details>\n");
    }
    out.push_str("</section>\n");
}

fn rules_compare(a: &PlanModel, b: &PlanModel, out: &mut String) {
    out.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n<table>\n<tr><th>kind</th><th>name</th><th>A</th><th>B</th></tr>\n");
    let mut names: Vec<(&str, &str)> = a.rules.iter().map(|r| (r.kind, r.name.as_str())).collect();
    names.extend(b.rules.iter().filter(|r| !a.rules.iter().any(|x| x.name == r.name)).map(|r| (r.kind, r.name.as_str())));
    for (kind, name) in names {
        let describe = |m: &PlanModel| {
            m.rules.iter().find(|r| r.name == name).map_or("–".to_string(), |r| {
                let n = r.instances.len();
                if n == 0 { r.status.to_string() } else { format!("{} ({n})", r.status) }
            })
        };
        let (x, y) = (describe(a), describe(b));
        let class = if x != y { " class=\"diff\"" } else { "" };
        let _ = writeln!(out, "<tr><td>{kind}</td><td>{}</td><td{class}>{}</td><td{class}>{}</td></tr>", escape(name), escape(&x), escape(&y));
    }
    out.push_str("</table>\n</section>\n");
}
