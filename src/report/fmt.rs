//! Text for the page: escaping, and numbers written the same way on every
//! run (no locale, fixed rounding).

/// Escapes text for element content and attribute values, of HTML and of
/// XML alike (e.g. JUnit reports).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 has no way to write other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    out
}

/// Digits of the integer part grouped by thousands: 1234567 -> "1,234,567".
fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number for tables: thousands grouped, at most `decimals` decimals,
/// trailing zeros dropped. 1234567.5 -> "1,234,567.5".
pub fn number_with(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    let sign = if x < 0.0 && (int != "0" || !frac.is_empty()) { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", group(int))
    } else {
        format!("{sign}{}.{frac}", group(int))
    }
}

/// A number for tables with up to 3 decimals; small magnitudes keep more
/// (objective contributions are fractions).
pub fn number(x: f64) -> String {
    let decimals = if x != 0.0 && x.abs() < 1.0 { 6 } else { 3 };
    number_with(x, decimals)
}

/// A short number for axis ticks: 1500000 -> "1.5M", 2500 -> "2.5k".
pub fn short(x: f64) -> String {
    let a = x.abs();
    let (value, suffix) = if a >= 1e9 {
        (x / 1e9, "G")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    format!("{}{suffix}", number_with(value, 2).replace(',', ""))
}

/// A percentage of a fraction: 0.0123 -> "1.23%".
pub fn percent(x: f64) -> String {
    format!("{}%", number_with(x * 100.0, 3))
}

/// Round tick values covering [low, high]: about `count` of them at a step
/// of 1, 2 or 5 times a power of ten, and at least `min_step` (1 keeps
/// counts whole).
pub fn ticks(low: f64, high: f64, count: usize, min_step: f64) -> Vec<f64> {
    let span = high - low;
    if !(span.is_finite() && span > 0.0) {
        return vec![low];
    }
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    // The round step nearest the raw one, on a log scale.
    let distance = |s: f64| (s / raw).ln().abs();
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).fold(power, |best, s| if distance(s) < distance(best) { s } else { best }).max(min_step);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_trimmed() {
        assert_eq!(number(1234567.5), "1,234,567.5");
        assert_eq!(number(-1000.0), "-1,000");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.4508670), "-0.450867");
        assert_eq!(short(1_740_000.0), "1.74M");
        assert_eq!(short(2500.0), "2500");
        assert_eq!(short(25_000.0), "25k");
        assert_eq!(percent(0.15), "15%");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 1100.0, 5, 0.0), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(ticks(-3.0, 3.0, 4, 0.0), vec![-2.0, 0.0, 2.0]);
        assert_eq!(ticks(5.0, 5.0, 4, 0.0), vec![5.0]);
        assert_eq!(ticks(-1.0, 2.0, 6, 1.0), vec![-1.0, 0.0, 1.0, 2.0]);
    }
}
