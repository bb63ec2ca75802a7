//! Collects `//` comments, which the grammar skips, so that the formatter can
//! keep them. Knows just enough of the lexical syntax to skip strings.

use super::ast::{Comment, Span};

pub fn collect(source: &str) -> Vec<Comment> {
    let bytes = source.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Skip a string literal; an unterminated one ends at the line end.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                let text = source[start..i].trim_end().to_string();
                comments.push(Comment { text, span: Span::new(start, i) });
            }
            _ => i += 1,
        }
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_slashes_inside_strings() {
        let found = collect("policy \"a//b\" // real\n// second\n");
        let texts: Vec<_> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["// real", "// second"]);
    }
}
