//! Where free-text filter hits lie in a piece of text, for marking them in
//! rows and detail panes. Same rule as the filter's free-text search
//! (smart case): an all-lowercase needle ignores ASCII case, one with a
//! capital matches exactly.

use std::ops::Range;

/// A prepared needle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needle {
    text: String,
    fold: bool,
}

impl Needle {
    pub fn new(text: &str) -> Needle {
        Needle {
            fold: !text.chars().any(char::is_uppercase),
            text: text.to_string(),
        }
    }
}

/// The byte range of the first hit of `needle` in `text`.
pub fn find(text: &str, needle: &Needle) -> Option<Range<usize>> {
    find_from(text, needle, 0)
}

fn find_from(text: &str, needle: &Needle, from: usize) -> Option<Range<usize>> {
    let n = needle.text.len();
    if n == 0 || from > text.len() {
        return None;
    }
    let hay = &text.as_bytes()[from..];
    let at = if needle.fold {
        hay.windows(n)
            .position(|w| w.eq_ignore_ascii_case(needle.text.as_bytes()))
    } else {
        memchr::memmem::find(hay, needle.text.as_bytes())
    }?;
    let start = from + at;
    // A match of ASCII-folded bytes starts and ends on char boundaries
    // whenever the needle does; check anyway rather than slice badly.
    (text.is_char_boundary(start) && text.is_char_boundary(start + n)).then_some(start..start + n)
}

/// `text` cut into pieces, each marked as a hit or not, in order; no hits
/// gives one piece. Overlapping hits of several needles merge.
pub fn segments(text: &str, needles: &[String]) -> Vec<(Range<usize>, bool)> {
    let needles: Vec<Needle> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| Needle::new(n))
        .collect();
    let mut hits: Vec<Range<usize>> = Vec::new();
    for needle in &needles {
        let mut from = 0;
        while let Some(hit) = find_from(text, needle, from) {
            from = hit.end;
            hits.push(hit);
        }
    }
    hits.sort_by_key(|r| (r.start, r.end));
    let mut out = Vec::new();
    let mut at = 0;
    for hit in hits {
        if hit.end <= at {
            continue;
        }
        let start = hit.start.max(at);
        if start > at {
            out.push((at..start, false));
        }
        out.push((start..hit.end, true));
        at = hit.end;
    }
    if at < text.len() || out.is_empty() {
        out.push((at..text.len(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, needles: &[&str]) -> String {
        let needles: Vec<String> = needles.iter().map(|s| s.to_string()).collect();
        segments(text, &needles)
            .into_iter()
            .map(|(r, hit)| {
                if hit {
                    format!("[{}]", &text[r])
                } else {
                    text[r].to_string()
                }
            })
            .collect()
    }

    #[test]
    fn smart_case_hits_are_marked_and_merged() {
        assert_eq!(
            marked("Paris is in France", &["paris"]),
            "[Paris] is in France"
        );
        assert_eq!(
            marked("Paris is in France", &["Paris", "is"]),
            "[Paris] [is] in France"
        );
        assert_eq!(marked("paris Paris", &["Paris"]), "paris [Paris]");
        assert_eq!(marked("aaaa", &["aa"]), "[aa][aa]");
        assert_eq!(marked("abcd", &["abc", "bcd"]), "[abc][d]");
        assert_eq!(marked("café crème", &["crème"]), "café [crème]");
        assert_eq!(marked("nothing", &["x"]), "nothing");
        assert_eq!(marked("", &["x"]), "");
    }
}
