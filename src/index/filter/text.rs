//! Free-text search over payload bytes, in place: the needle is prepared
//! once and every span's input, output and string attributes are scanned
//! where they lie in the source bytes, never copied or decoded.
//!
//! Smart case, as ripgrep does it: an all-lowercase needle matches ASCII
//! letters in either case; a needle with an uppercase letter matches exactly.
//!
//! Payloads stored as JSON string contents (`TextEncoding::JsonString`) and
//! raw JSON values keep their escapes (`\n`, `\"`, `\\`, `\uXXXX`), so the
//! needle is escaped the same way for them: `say "hi"` is searched as
//! `say \"hi\"`. What this cannot see: text that a writer escaped as
//! `\uXXXX` (non-ASCII written by `ensure_ascii` JSON encoders), and text
//! inside a JSON string that itself holds JSON (OpenInference's
//! `input.value`), whose quotes are escaped twice (`\\\"`).
//!
//! Choice of algorithm, measured on the 686 kB DSPy OTLP JSONL fixture
//! repeated to 20 MB and cut into 1.5 kB ranges (like span payloads), release
//! build: for case-insensitive needles, `memchr2` on the needle's rarest
//! byte (both cases) then a case-insensitive compare ran at 3.6–16 GB/s
//! ("capital" 3.6, "refund policy" 4.9, "the" 11.3, "gpt-4o-mini" 16.2),
//! against 0.7–7.3 GB/s for the `aho-corasick` crate with
//! `ascii_case_insensitive` (0.7, 2.0, 7.3, 4.6 on the same needles), so
//! that crate is not a dependency. Exact needles use `memchr::memmem`
//! (15–30 GB/s). Both stay linear in the haystack on needles built to
//! defeat the candidate scan (`find.rs`).

use super::find::FoldedFinder;
use crate::model::{Store, TextEncoding, TextRef};
use memchr::memmem;

/// A prepared needle, for plain text and for JSON-escaped text.
#[derive(Debug)]
pub struct TextSearch {
    plain: Matcher,
    /// Set when escaping for JSON changes the needle.
    json: Option<Matcher>,
}

impl TextSearch {
    pub fn new(needle: &str) -> TextSearch {
        let fold = !needle.chars().any(char::is_uppercase);
        let escaped = json_escape(needle);
        TextSearch {
            json: (escaped != needle).then(|| Matcher::new(escaped.as_bytes(), fold)),
            plain: Matcher::new(needle.as_bytes(), fold),
        }
    }

    /// Searches decoded text (span names, interned strings).
    pub fn in_str(&self, text: &str) -> bool {
        self.plain.is_match(text.as_bytes())
    }

    /// Searches the bytes of a text reference as they are in the source.
    pub fn in_ref(&self, store: &Store, text: TextRef) -> bool {
        let bytes = store.raw(text);
        match (&self.json, text.encoding) {
            (Some(json), TextEncoding::JsonString | TextEncoding::JsonValue) => {
                json.is_match(bytes)
            }
            _ => self.plain.is_match(bytes),
        }
    }
}

#[derive(Debug)]
enum Matcher {
    Exact(Box<memmem::Finder<'static>>),
    /// ASCII case-insensitive, in linear time (see `find.rs`).
    Folded(Box<FoldedFinder>),
}

impl Matcher {
    fn new(needle: &[u8], fold: bool) -> Matcher {
        let has_letter = needle.iter().any(u8::is_ascii_alphabetic);
        if !fold || !has_letter {
            return Matcher::Exact(Box::new(memmem::Finder::new(needle).into_owned()));
        }
        Matcher::Folded(Box::new(FoldedFinder::new(needle)))
    }

    fn is_match(&self, hay: &[u8]) -> bool {
        match self {
            Matcher::Exact(finder) => finder.find(hay).is_some(),
            Matcher::Folded(finder) => finder.find(hay).is_some(),
        }
    }
}

/// The needle as a JSON string literal's contents would spell it.
fn json_escape(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len());
    for c in needle.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_case() {
        let lower = TextSearch::new("refund policy");
        assert!(lower.in_str("Our REFUND Policy is"));
        assert!(!lower.in_str("refund-policy"));
        let upper = TextSearch::new("Refund");
        assert!(upper.in_str("a Refund"));
        assert!(!upper.in_str("a refund"));
        // The match may sit at either end of the haystack.
        assert!(TextSearch::new("ab").in_str("AB"));
        assert!(TextSearch::new("xyz").in_str("abcxyZ"));
        assert!(!TextSearch::new("abcd").in_str("abc"));
    }

    #[test]
    fn json_ranges_are_searched_with_escapes() {
        let s = TextSearch::new(r#"say "hi""#);
        assert!(s.in_str(r#"they say "hi""#));
        assert_eq!(
            s.json.as_ref().map(|m| m.is_match(br#"they say \"hi\""#)),
            Some(true)
        );
        assert_eq!(json_escape("a\\b\n\u{1}"), "a\\\\b\\n\\u0001");
    }
}
