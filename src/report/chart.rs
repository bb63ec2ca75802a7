//! Charts as SVG, generated here rather than by a script in the page: the
//! same plan gives the same bytes, and the page needs no charting library.
//! Every chart has axes with units, and a legend.

use super::fmt::{escape, number, short, ticks};
use super::{BalanceChart, BarStatus, TargetInfo};
use std::fmt::Write as _;

const WIDTH: f64 = 640.0;

/// Beyond this many bars, the axis names no target (hover shows it).
const MAX_LABELLED_BARS: usize = 40;

fn target_label(targets: &[TargetInfo], t: u32) -> String {
    match targets.get(t as usize) {
        Some(TargetInfo { key, name: Some(name), .. }) => format!("{key} {name}"),
        Some(info) => info.key.clone(),
        None => String::new(),
    }
}

/// A legend entry: the CSS class of its swatch and its text.
type LegendItem = (&'static str, String);

fn legend(svg: &mut String, items: &[LegendItem], y: f64) {
    let mut x = 8.0;
    for (class, text) in items {
        let _ = write!(svg, r#"<rect class="swatch {class}" x="{x}" y="{}" width="12" height="12"/>"#, y - 10.0);
        let _ = write!(svg, r#"<text class="legend" x="{}" y="{y}">{}</text>"#, x + 16.0, escape(text));
        x += 28.0 + 6.2 * text.chars().count() as f64;
    }
}

fn value_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    (if lo < 0.0 { lo - pad } else { lo }, hi + pad)
}

fn axis_title(label: &str, unit: &str) -> String {
    if unit.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({unit})")
    }
}

/// Mean and standard deviation, for outliers among values without limits.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// A column per target, largest first, against its limits: a band for a
/// `within`, a tick for a bound; without limits, the mean, and columns
/// more than two standard deviations from it marked as outliers.
pub fn balance(chart: &BalanceChart, targets: &[TargetInfo], target_entity: &str) -> String {
    let n = chart.bars.len();
    let labelled = n <= MAX_LABELLED_BARS;
    let (left, right, top, bottom) = (70.0, 12.0, 34.0, if labelled { 96.0 } else { 40.0 });
    let height = 300.0 + if labelled { 56.0 } else { 0.0 };
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let values: Vec<f64> = chart.bars.iter().map(|b| b.value).collect();
    let (mean, sd) = mean_sd(&values);
    let has_limits = chart.bars.iter().any(|b| b.low.is_some() || b.high.is_some());
    let (lo, hi) = value_range(chart.bars.iter().flat_map(|b| [Some(b.value), b.low, b.high]).flatten());
    let y = |v: f64| top + plot_h * (1.0 - (v - lo) / (hi - lo));
    let mut svg = String::new();
    let title = axis_title(&chart.value_label, chart.unit);
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" data-chart="{}" data-bars="{n}">"#,
        escape(&format!("{title} per {target_entity}")),
        escape(&chart.name)
    );
    // Grid and y axis.
    let min_step = if chart.unit == "count" { 1.0 } else { 0.0 };
    for t in ticks(lo, hi, 5, min_step) {
        let ty = y(t);
        let _ = write!(svg, r#"<line class="grid" x1="{left}" x2="{}" y1="{ty:.1}" y2="{ty:.1}"/>"#, left + plot_w);
        let _ = write!(svg, r#"<text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#, left - 6.0, ty + 4.0, short(t));
    }
    let _ = write!(svg, r#"<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{}"/>"#, top + plot_h);
    let _ = write!(svg, r#"<line class="axis" x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}"/>"#, left + plot_w, y(0.0f64.max(lo)), y(0.0f64.max(lo)));
    let _ = write!(
        svg,
        r#"<text class="axis-title" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        top + plot_h / 2.0,
        escape(&title)
    );
    let x_title = if labelled {
        format!("{target_entity}, sorted by {}", chart.value_label)
    } else {
        format!("{n} {target_entity}s, sorted by {}; hover a column for its {target_entity}", chart.value_label)
    };
    let _ = write!(svg, r#"<text class="axis-title" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, left + plot_w / 2.0, height - 6.0, escape(&x_title));
    let slot = plot_w / n.max(1) as f64;
    let bar_w = (slot * 0.7).max(1.0);
    // Limits behind the columns: one band or tick per slot, so that limits
    // that differ per target (a capacity) show as they are.
    for (i, b) in chart.bars.iter().enumerate() {
        let x0 = left + slot * i as f64;
        match (b.low, b.high) {
            (Some(l), Some(h)) if h > l => {
                let _ = write!(svg, r#"<rect class="band" x="{x0:.2}" y="{:.1}" width="{slot:.2}" height="{:.1}"/>"#, y(h), (y(l) - y(h)).max(0.5));
                let _ = write!(svg, r#"<line class="ref" x1="{x0:.2}" x2="{:.2}" y1="{:.1}" y2="{:.1}"/>"#, x0 + slot, y((l + h) / 2.0), y((l + h) / 2.0));
            }
            (l, h) => {
                for bound in [l, h].into_iter().flatten() {
                    let _ = write!(svg, r#"<line class="limit" x1="{x0:.2}" x2="{:.2}" y1="{:.1}" y2="{:.1}"/>"#, x0 + slot, y(bound), y(bound));
                }
            }
        }
    }
    if !has_limits {
        let _ = write!(svg, r#"<line class="ref" x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}"/>"#, left + plot_w, y(mean), y(mean));
    }
    for (i, b) in chart.bars.iter().enumerate() {
        let class = if has_limits {
            match b.status() {
                BarStatus::Inside => "ok",
                BarStatus::AtLimit => "tight",
                BarStatus::Outside => "out",
            }
        } else if sd > 0.0 && (b.value - mean).abs() > 2.0 * sd {
            "out"
        } else {
            "ok"
        };
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let (y0, y1) = (y(b.value.max(0.0)), y(b.value.min(0.0).max(lo)));
        let who = target_label(targets, b.target);
        let mut tip = format!("{who}: {} {}", number(b.value), chart.unit);
        match (b.low, b.high) {
            (Some(l), Some(h)) if l == h => tip.push_str(&format!(" (must equal {})", number(l))),
            (Some(l), Some(h)) => tip.push_str(&format!(" (allowed {} to {})", number(l), number(h))),
            (None, Some(h)) => tip.push_str(&format!(" (limit {})", number(h))),
            (Some(l), None) => tip.push_str(&format!(" (at least {})", number(l))),
            (None, None) => {}
        }
        let _ = write!(
            svg,
            r#"<rect class="bar {class}" x="{x:.2}" y="{y0:.1}" width="{bar_w:.2}" height="{:.1}"><title>{}</title></rect>"#,
            (y1 - y0).max(0.5),
            escape(tip.trim_end())
        );
        if labelled {
            let key = targets.get(b.target as usize).map_or("", |t| t.key.as_str());
            let (lx, ly) = (x + bar_w / 2.0, top + plot_h + 10.0);
            let _ = write!(svg, r#"<text class="tick" transform="translate({lx:.1} {ly:.1}) rotate(-45)" text-anchor="end">{}</text>"#, escape(key));
        }
    }
    let mut items: Vec<LegendItem> = Vec::new();
    if has_limits {
        items.push(("ok", "within the limit".into()));
        items.push(("tight", "at the limit".into()));
        items.push(("out", "beyond the limit".into()));
        match (&chart.limit_label, &chart.tolerance_label) {
            (Some(r), Some(t)) => {
                items.push(("band", format!("{r} ± {t}")));
            }
            (Some(r), None) => items.push(("limit", r.clone())),
            _ => {}
        }
    } else {
        items.push(("ok", chart.value_label.clone()));
        items.push(("ref", format!("mean {}", number(mean))));
        items.push(("out", "over 2 standard deviations from the mean".into()));
    }
    legend(&mut svg, &items, 16.0);
    svg.push_str("</svg>");
    svg
}

/// One row of a horizontal chart around zero: its label and its
/// segments, each (value, CSS class, hover text), drawn from zero.
pub struct DivergingRow {
    pub label: String,
    pub segments: Vec<(f64, &'static str, String)>,
}

/// Horizontal bars left and right of zero: moves gained and lost per
/// target, or each objective term's contribution. `counts` keeps the
/// axis's ticks whole.
pub fn diverging(rows: &[DivergingRow], x_title: &str, items: &[LegendItem], name: &str, counts: bool) -> String {
    let (left, right, top, row_h) = (190.0, 16.0, 34.0, 18.0);
    let plot_w = WIDTH - left - right;
    let plot_h = row_h * rows.len().max(1) as f64;
    let height = top + plot_h + 44.0;
    let (lo, hi) = value_range(rows.iter().flat_map(|r| r.segments.iter().map(|s| s.0)));
    let lo = if lo < 0.0 { lo } else { 0.0 };
    let x = |v: f64| left + plot_w * (v - lo) / (hi - lo);
    let mut svg = String::new();
    let _ = write!(svg, r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" data-chart="{}" data-bars="{}">"#, escape(x_title), escape(name), rows.len());
    for t in ticks(lo, hi, 6, if counts { 1.0 } else { 0.0 }) {
        let tx = x(t);
        let _ = write!(svg, r#"<line class="grid" x1="{tx:.1}" x2="{tx:.1}" y1="{top}" y2="{}"/>"#, top + plot_h);
        let _ = write!(svg, r#"<text class="tick" x="{tx:.1}" y="{}" text-anchor="middle">{}</text>"#, top + plot_h + 14.0, short(t));
    }
    let _ = write!(svg, r#"<line class="axis" x1="{:.1}" x2="{:.1}" y1="{top}" y2="{}"/>"#, x(0.0), x(0.0), top + plot_h);
    for (i, r) in rows.iter().enumerate() {
        let ry = top + row_h * i as f64;
        let label: String = r.label.chars().take(30).collect();
        let _ = write!(svg, r#"<text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#, left - 6.0, ry + row_h * 0.7, escape(&label));
        for (v, class, tip) in &r.segments {
            let (a, b) = (x(v.min(0.0)), x(v.max(0.0)));
            let _ = write!(
                svg,
                r#"<rect class="bar {class}" x="{a:.2}" y="{:.1}" width="{:.2}" height="{:.1}"><title>{}</title></rect>"#,
                ry + 3.0,
                (b - a).max(0.5),
                row_h - 6.0,
                escape(tip)
            );
        }
    }
    let _ = write!(svg, r#"<text class="axis-title" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, left + plot_w / 2.0, height - 6.0, escape(x_title));
    legend(&mut svg, items, 16.0);
    svg.push_str("</svg>");
    svg
}
