//! Payload text kept as byte ranges into the source bytes.
//!
//! Prompts, completions, inputs and attribute values are not copied out of
//! the file while parsing: a [`TextRef`] records where they are and how they
//! are encoded, and [`TextRef`] is decoded only when a view asks for it.

use std::borrow::Cow;

/// Index of a source (one decoded input file) in the store.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct SourceId(pub u16);

/// How the bytes of a [`TextRef`] encode their text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub enum TextEncoding {
    /// Plain UTF-8 text (a text file, or text already unescaped).
    Plain,
    /// The inside of a JSON string literal: may hold `\n`, `\"`, `\uXXXX`.
    JsonString,
    /// A whole JSON value (object, array, number): shown as JSON.
    JsonValue,
}

/// A span of bytes in one source, with its encoding. 12 bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TextRef {
    pub source: SourceId,
    pub encoding: TextEncoding,
    pub start: u32,
    pub len: u32,
}

impl TextRef {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Decodes the bytes of a text reference. Invalid UTF-8 is replaced (U+FFFD)
/// rather than refused: a damaged prompt is still worth showing.
pub fn decode(bytes: &[u8], encoding: TextEncoding) -> Cow<'_, str> {
    match encoding {
        TextEncoding::Plain | TextEncoding::JsonValue => String::from_utf8_lossy(bytes),
        TextEncoding::JsonString => {
            if memchr::memchr(b'\\', bytes).is_none() {
                return String::from_utf8_lossy(bytes);
            }
            unescape_json(bytes)
                .map(Cow::Owned)
                .unwrap_or_else(|| String::from_utf8_lossy(bytes))
        }
    }
}

/// Unescapes the inside of a JSON string literal; `None` if it is malformed.
fn unescape_json(bytes: &[u8]) -> Option<String> {
    let mut quoted = Vec::with_capacity(bytes.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(bytes);
    quoted.push(b'"');
    match serde_json::from_slice::<String>(&quoted) {
        Ok(s) => Some(s),
        Err(_) => {
            // Invalid UTF-8 inside an escaped string: replace it, then retry.
            let lossy = String::from_utf8_lossy(&quoted);
            serde_json::from_str::<String>(&lossy).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_unescape_lazily() {
        assert_eq!(decode(br"plain", TextEncoding::JsonString), "plain");
        assert_eq!(
            decode(br#"a\nb \"q\" \u00e9"#, TextEncoding::JsonString),
            "a\nb \"q\" é"
        );
        assert_eq!(
            decode(br"bad \x escape", TextEncoding::JsonString),
            r"bad \x escape"
        );
        assert_eq!(decode(b"caf\xff", TextEncoding::Plain), "caf\u{fffd}");
    }
}
