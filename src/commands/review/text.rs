//! Numbers as the review commands print them.

use crate::commands::output::round;

/// A number rounded to 9 significant digits, integers without a point.
pub fn num(x: f64) -> String {
    let r = round(x);
    if r.is_finite() && r == r.trunc() && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// A change with its sign: `+3`, `-0.5`, `0`.
pub fn signed(x: f64) -> String {
    let r = round(x);
    if r > 0.0 {
        format!("+{}", num(r))
    } else {
        num(r)
    }
}

/// `old → new (+change)`, or `old` alone when they are equal.
pub fn arrow(old: Option<f64>, new: Option<f64>) -> String {
    match (old, new) {
        (Some(a), Some(b)) if round(a) == round(b) => num(b),
        (Some(a), Some(b)) => format!("{} → {} ({})", num(a), num(b), signed(b - a)),
        (Some(a), None) => format!("{} → -", num(a)),
        (None, Some(b)) => format!("- → {}", num(b)),
        (None, None) => "-".into(),
    }
}
