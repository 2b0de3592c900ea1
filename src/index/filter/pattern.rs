//! Value patterns for `field:value`: case-insensitive, whole-value matches,
//! with `*` as a wildcard for any run of characters (`model:gpt-4o*`).
//!
//! Used for short strings (interned names, ids, attribute values), where
//! simple window scans are the cheapest thing; long payload text goes
//! through `text.rs` instead. Depends on nothing else in spanscope.

/// A lowercased value, split at `*` when it is a glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// One part for a plain value; for a glob, the text between the stars
    /// (so `a*b` is `["a", "b"]` and `*a` is `["", "a"]`).
    parts: Vec<String>,
    ascii: bool,
}

impl Pattern {
    /// `glob` false (a quoted value) treats `*` as a plain character.
    pub fn new(value: &str, glob: bool) -> Pattern {
        let lower = value.to_lowercase();
        let ascii = lower.is_ascii();
        let parts = if glob {
            lower.split('*').map(str::to_owned).collect()
        } else {
            vec![lower]
        };
        Pattern { ascii, parts }
    }

    /// True when the whole of `s` matches, ignoring case.
    pub fn matches(&self, s: &str) -> bool {
        if s.is_ascii() {
            // Fast path without allocating: ASCII case folding is exact here.
            return self.ascii
                && glob_match(&self.parts, s.as_bytes(), <[u8]>::eq_ignore_ascii_case);
        }
        let lower = s.to_lowercase();
        glob_match(&self.parts, lower.as_bytes(), |a, b| a == b)
    }
}

fn glob_match(parts: &[String], hay: &[u8], eq: fn(&[u8], &[u8]) -> bool) -> bool {
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.len() == 1 {
        return eq(hay, first.as_bytes());
    }
    let (first, last) = (first.as_bytes(), last.as_bytes());
    if hay.len() < first.len() + last.len()
        || !eq(&hay[..first.len()], first)
        || !eq(&hay[hay.len() - last.len()..], last)
    {
        return false;
    }
    let mut middle = &hay[first.len()..hay.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        let part = part.as_bytes();
        if part.is_empty() {
            continue;
        }
        match middle.windows(part.len()).position(|w| eq(w, part)) {
            Some(at) => middle = &middle[at + part.len()..],
            None => return false,
        }
    }
    true
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
}
