//! Reading single cells, and finding cells in the raw CSV text so that
//! diagnostics can point at them.

use crate::syntax::ast::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    Malformed,
    TooLarge,
}

/// A plain decimal number: optional `-`, digits, optional `.` and digits.
/// `_` may stand between two digits (`1_234.5`).
pub(crate) fn parse_number(cell: &str) -> Result<f64, NumberError> {
    let bytes = cell.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let mut has_underscore = false;
    let digits = |i: &mut usize, has_underscore: &mut bool| -> bool {
        let start = *i;
        while *i < bytes.len() {
            match bytes[*i] {
                b'0'..=b'9' => *i += 1,
                b'_' if *i > start
                    && bytes[*i - 1].is_ascii_digit()
                    && bytes.get(*i + 1).is_some_and(u8::is_ascii_digit) =>
                {
                    *has_underscore = true;
                    *i += 1;
                }
                _ => break,
            }
        }
        *i > start
    };
    if !digits(&mut i, &mut has_underscore) {
        return Err(NumberError::Malformed);
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i, &mut has_underscore) {
            return Err(NumberError::Malformed);
        }
    }
    if i != bytes.len() {
        return Err(NumberError::Malformed);
    }
    let value = if has_underscore { cell.replace('_', "").parse::<f64>() } else { cell.parse::<f64>() };
    match value {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(NumberError::TooLarge),
        Err(_) => Err(NumberError::Malformed),
    }
}

/// A percent cell: `15%` or the fraction `0.15`, both 0.15.
pub(crate) fn parse_percent(cell: &str) -> Result<f64, NumberError> {
    match cell.strip_suffix('%') {
        Some(number) => parse_number(number.trim_end()).map(|v| v / 100.0),
        None => parse_number(cell),
    }
}

pub(crate) fn parse_bool(cell: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "yes", "1"];
    const FALSE: [&str; 3] = ["false", "no", "0"];
    if TRUE.iter().any(|t| cell.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|f| cell.eq_ignore_ascii_case(f)) {
        Some(false)
    } else {
        None
    }
}

/// The parts of a `set<text>` cell: separated by `;`, trimmed, empty parts
/// ignored.
pub(crate) fn set_parts(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The cells of one record in the raw text, as the byte spans of their
/// trimmed contents (quotes included), with the end of the record's text.
pub(crate) struct RawRecord {
    pub cells: Vec<Span>,
    pub unclosed_quote: bool,
}

impl RawRecord {
    /// The span of cell `i`, or the end of the record's first line when the
    /// record has fewer cells.
    pub fn cell(&self, i: usize, text: &str, start: usize) -> Span {
        match self.cells.get(i) {
            Some(&span) => span,
            None => {
                let end = line_span(text, start).end;
                Span::new(end, end)
            }
        }
    }
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Scans the record that starts at byte `start`: cells are separated by `,`;
/// a cell that starts with `"` runs to the matching `"` (`""` is a quote
/// inside) and may span lines.
pub(crate) fn scan_record(text: &str, start: usize) -> RawRecord {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut cells = Vec::new();
    let mut unclosed_quote = false;
    let mut i = start.min(n);
    loop {
        let mut j = i;
        while j < n && is_space(bytes[j]) {
            j += 1;
        }
        let cell_start = j;
        if j < n && bytes[j] == b'"' {
            j += 1;
            loop {
                if j >= n {
                    unclosed_quote = true;
                    break;
                }
                if bytes[j] == b'"' {
                    if bytes.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    j += 1;
                    break;
                }
                j += 1;
            }
        }
        while j < n && !matches!(bytes[j], b',' | b'\n' | b'\r') {
            j += 1;
        }
        let mut end = j;
        while end > cell_start && is_space(bytes[end - 1]) {
            end -= 1;
        }
        cells.push(Span::new(cell_start, end));
        i = j;
        if i < n && bytes[i] == b',' {
            i += 1;
        } else {
            break;
        }
    }
    RawRecord { cells, unclosed_quote }
}

/// The line that contains byte `at`, without its line break.
pub(crate) fn line_span(text: &str, at: usize) -> Span {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let mut end = bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| at + p);
    if end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1234.5"), Ok(1234.5));
        assert_eq!(parse_number("-20"), Ok(-20.0));
        assert_eq!(parse_number("1_234.5"), Ok(1234.5));
        assert_eq!(parse_number("0.000_1"), Ok(0.0001));
        for bad in ["", "-", "1,234", "1__2", "_1", "1_", "1.", ".5", "+1", "1e5", "$5", "1.2.3", "inf", "NaN"] {
            assert_eq!(parse_number(bad), Err(NumberError::Malformed), "{bad}");
        }
        assert_eq!(parse_number(&"9".repeat(400)), Err(NumberError::TooLarge));
        assert_eq!(parse_percent("15%"), Ok(0.15));
        assert_eq!(parse_percent("15 %"), Ok(0.15));
        assert_eq!(parse_percent("0.15"), Ok(0.15));
        assert!(parse_percent("%").is_err());
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("YES"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn scanning() {
        let text = "a,b,c\n x , \"q,\"\"r\" ,\n\"open,\n";
        let r = scan_record(text, 6);
        let cells: Vec<&str> = r.cells.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(cells, ["x", "\"q,\"\"r\"", ""]);
        assert!(!r.unclosed_quote);
        let r = scan_record(text, text.rfind("\"open").unwrap_or(0));
        assert!(r.unclosed_quote);
        assert_eq!(line_span("ab\r\ncd", 1), Span::new(0, 2));
        assert_eq!(line_span("ab\r\ncd", 5), Span::new(4, 6));
    }
}
