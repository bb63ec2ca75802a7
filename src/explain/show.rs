//! Values and quantities as people read them in explanations.

use crate::data::Dataset;
use crate::eval::Value;

/// A runtime value as text: texts unquoted, rows by their key.
pub fn value(data: &Dataset, v: &Value) -> String {
    match v {
        Value::Num(x) => number(*x),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => text(data, *t),
        Value::Set(items) => {
            let parts: Vec<String> = items.iter().map(|t| text(data, *t)).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Geo((lat, lon)) => format!("({lat}, {lon})"),
        Value::Row(e, r) => data.entities.get(*e).and_then(|t| t.keys.get(*r as usize)).cloned().unwrap_or_default(),
        Value::None => "none".into(),
        Value::Unknown => "unknown".into(),
    }
}

fn text(data: &Dataset, sym: u32) -> String {
    if (sym as usize) < data.texts.len() {
        format!("\"{}\"", data.texts.resolve(crate::data::Sym(sym)))
    } else {
        "\"(a text no row holds)\"".into()
    }
}

/// A number with at most 6 significant digits and no trailing zeros.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let r = crate::commands::output::round(x);
    let digits = (6 - r.abs().max(1e-12).log10().ceil() as i32).clamp(0, 9) as usize;
    let s = format!("{r:.digits$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// A change with its sign: "+3.5", "-2", "0".
pub fn signed(x: f64) -> String {
    let s = number(x);
    if x > 0.0 && s != "0" { format!("+{s}") } else { s }
}

/// "40 hours", "1200 money", "3": a quantity in a policy unit.
pub fn quantity(x: f64, unit: Option<crate::check::schema::Unit>) -> String {
    use crate::check::schema::Unit;
    match unit {
        Some(Unit::Money) => format!("{} money", number(x)),
        Some(Unit::Hours) => format!("{} hours", number(x)),
        Some(Unit::Km) => format!("{} km", number(x)),
        _ => number(x),
    }
}

/// A fraction as a percent with one decimal: 0.10897 -> "10.9%".
pub fn percent(x: f64) -> String {
    format!("{}%", number((x * 1000.0).round() / 10.0))
}

/// "1 instance", "3 instances".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
