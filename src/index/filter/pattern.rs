//! Value patterns for `field:value`: case-insensitive, whole-value matches,
//! with `*` as a wildcard for any run of characters (`model:gpt-4o*`).
//!
//! Matching is linear in the value whatever the pattern: the text between
//! stars is found leftmost-first (enough for `*`-only globs) with the
//! bounded search of `find.rs`, so a 10k-character glob against a
//! 1M-character name costs a scan, not their product.

use super::find::FoldedFinder;

/// A lowercased value, split at `*` when it is a glob.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// One part for a plain value; for a glob, the text between the stars
    /// (so `a*b` is `["a", "b"]` and `*a` is `["", "a"]`).
    parts: Vec<String>,
    /// The parts between the first and the last, prepared for search.
    middle: Vec<FoldedFinder>,
    ascii: bool,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Pattern {}

impl Pattern {
    /// `glob` false (a quoted value) treats `*` as a plain character.
    pub fn new(value: &str, glob: bool) -> Pattern {
        let lower = value.to_lowercase();
        let ascii = lower.is_ascii();
        let parts: Vec<String> = if glob {
            lower.split('*').map(str::to_owned).collect()
        } else {
            vec![lower]
        };
        let inner = parts.len().saturating_sub(2);
        let middle = (parts.iter().skip(1).take(inner))
            .filter(|p| !p.is_empty())
            .map(|p| FoldedFinder::new(p.as_bytes()))
            .collect();
        Pattern {
            ascii,
            parts,
            middle,
        }
    }

    /// True when the whole of `s` matches, ignoring case.
    pub fn matches(&self, s: &str) -> bool {
        if s.is_ascii() {
            // Without allocating: ASCII case folding is exact here.
            return self.ascii && self.glob_match(s.as_bytes(), true);
        }
        let lower = s.to_lowercase();
        self.glob_match(lower.as_bytes(), false)
    }

    /// `fold`: compare ignoring ASCII case; else `hay` is already lowercase.
    fn glob_match(&self, hay: &[u8], fold: bool) -> bool {
        let eq = |a: &[u8], b: &[u8]| {
            if fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let (Some(first), Some(last)) = (self.parts.first(), self.parts.last()) else {
            return false;
        };
        if self.parts.len() == 1 {
            return eq(hay, first.as_bytes());
        }
        let (first, last) = (first.as_bytes(), last.as_bytes());
        if hay.len() < first.len() + last.len()
            || !eq(&hay[..first.len()], first)
            || !eq(&hay[hay.len() - last.len()..], last)
        {
            return false;
        }
        // Leftmost-first is enough: a later match of a part never helps
        // the parts after it. Each search starts where the last one ended.
        let mut middle = &hay[first.len()..hay.len() - last.len()];
        for part in &self.middle {
            let found = if fold {
                part.find(middle)
            } else {
                part.find_exact(middle)
            };
            match found {
                Some(at) => middle = &middle[at + part.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_match_whole_and_ignore_case() {
        let p = Pattern::new("GPT-4o", true);
        assert!(p.matches("gpt-4o"));
        assert!(!p.matches("gpt-4o-mini"));
        assert!(Pattern::new("Café", true).matches("CAFÉ"));
    }

    #[test]
    fn globs_anchor_both_ends() {
        let p = Pattern::new("gpt-4o*", true);
        assert!(p.matches("GPT-4o-mini") && p.matches("gpt-4o"));
        assert!(!p.matches("openai/gpt-4o"));
        let p = Pattern::new("*/gpt*mini", true);
        assert!(p.matches("openai/gpt-4o-mini"));
        assert!(!p.matches("openai/gpt-4o-mini-2024"));
        assert!(Pattern::new("*", true).matches(""));
        assert!(!Pattern::new("a*a", true).matches("a"));
        // Quoted: the star is a character.
        assert!(!Pattern::new("a*", false).matches("ab"));
        assert!(Pattern::new("a*", false).matches("A*"));
    }

    /// The definition of a `*` glob, by backtracking (exponential, tiny inputs).
    fn reference(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| reference(rest, &s[i..])),
            Some((c, rest)) => s
                .split_first()
                .is_some_and(|(d, tail)| c.eq_ignore_ascii_case(d) && reference(rest, tail)),
        }
    }

    #[test]
    fn leftmost_part_search_agrees_with_the_definition() {
        // Every pattern and value over {a, b, *} up to a few characters.
        let words = |alphabet: &[u8], max: usize| {
            let mut all = vec![Vec::new()];
            let mut last = vec![Vec::new()];
            for _ in 0..max {
                last = (last.iter())
                    .flat_map(|w: &Vec<u8>| {
                        alphabet.iter().map(move |c| [w.clone(), vec![*c]].concat())
                    })
                    .collect();
                all.extend(last.iter().cloned());
            }
            all
        };
        let values = words(b"aB", 6);
        for pattern in words(b"ab*", 5) {
            let text = String::from_utf8(pattern.clone()).unwrap();
            let compiled = Pattern::new(&text, true);
            for value in &values {
                let value_text = String::from_utf8(value.clone()).unwrap();
                assert_eq!(
                    compiled.matches(&value_text),
                    reference(&pattern, value),
                    "{text} vs {value_text}"
                );
            }
        }
    }
}
