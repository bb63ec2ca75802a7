//! "Did you mean": the closest candidate by edit distance.
//!
//! A candidate is suggested when its Levenshtein distance to what was
//! written is at most a third of the written length (rounded up), and never
//! more than 3. Short words thus allow one edit (`rul` -> `rule`), long ones up
//! to three, and unrelated names are not suggested. Ties go to the candidate
//! that comes first, so suggestions are deterministic.

pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

pub fn threshold(written: &str) -> usize {
    written.chars().count().div_ceil(3).min(3)
}

pub fn closest<'a>(written: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = threshold(written);
    let lower = written.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == written {
            continue;
        }
        // Case-only differences count as one edit.
        let distance = if candidate.to_lowercase() == lower { 1 } else { levenshtein(written, candidate) };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("rule", "rule"), 0);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("rul", ["rule", "param"]), Some("rule"));
        assert_eq!(closest("capacty", ["capacity", "region"]), Some("capacity"));
        assert_eq!(closest("xyz", ["capacity", "region"]), None);
        assert_eq!(closest("Region", ["region"]), Some("region"));
        // ties go to the first candidate
        assert_eq!(closest("ab", ["ac", "ad"]), Some("ac"));
    }
}
