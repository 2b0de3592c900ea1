//! JSON plumbing shared by the JSON formats: borrowed string values kept as
//! byte ranges, numbers that arrive as strings, error locations, JSON lines.

use crate::model::{AttrValue, Location, StoreBuilder, TextEncoding, TextRef};
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A JSON string value as it sits in the file: its decoded text (borrowed
/// when it has no escapes) and the byte range of its raw contents.
pub fn raw_string<'a>(b: &mut StoreBuilder, raw: &'a RawValue) -> Option<(Cow<'a, str>, TextRef)> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let decoded = if memchr::memchr(b'\\', inner.as_bytes()).is_some() {
        Cow::Owned(serde_json::from_str::<String>(text).ok()?)
    } else {
        Cow::Borrowed(inner)
    };
    Some((decoded, b.text(inner, TextEncoding::JsonString)))
}

/// Keeps any JSON value: strings as text ranges, numbers and booleans typed,
/// objects and arrays as raw JSON.
pub fn attr_from_raw(b: &mut StoreBuilder, raw: &RawValue) -> AttrValue {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => match raw_string(b, raw) {
            Some((_, t)) => AttrValue::Str(t),
            None => AttrValue::Json(b.text(text, TextEncoding::JsonValue)),
        },
        Some(b't') => AttrValue::Bool(true),
        Some(b'f') => AttrValue::Bool(false),
        Some(b'-' | b'0'..=b'9') => match text.parse::<i64>() {
            Ok(i) => AttrValue::Int(i),
            Err(_) => text.parse::<f64>().map_or_else(
                |_| AttrValue::Json(b.text(text, TextEncoding::JsonValue)),
                AttrValue::Float,
            ),
        },
        _ => AttrValue::Json(b.text(text, TextEncoding::JsonValue)),
    }
}

/// A 64-bit integer written as a JSON number or a decimal string (OTLP writes
/// int64 fields as strings because they exceed 2^53).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Int64(pub i64);

impl<'de> serde::Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a decimal string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int64, E> {
                Ok(Int64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int64, E> {
                i64::try_from(v)
                    .map(Int64)
                    .map_err(|_| E::custom("integer exceeds 2^63"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int64, E> {
                Ok(Int64(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int64, E> {
                v.trim()
                    .parse::<i64>()
                    .map(Int64)
                    .map_err(|_| E::custom(format!("{v:?} is not an integer")))
            }
        }
        d.deserialize_any(V)
    }
}

/// A float written as a JSON number or a string (protobuf JSON writes
/// `"NaN"`, `"Infinity"`).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Float64(pub f64);

impl<'de> serde::Deserialize<'de> for Float64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Float64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Float64, E> {
                Ok(Float64(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Float64, E> {
                Ok(Float64(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Float64, E> {
                Ok(Float64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Float64, E> {
                Ok(Float64(v.trim().parse::<f64>().unwrap_or(f64::NAN)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Where a serde_json error happened, with the byte offset worked out from
/// its line and column.
pub fn error_location(bytes: &[u8], err: &serde_json::Error) -> Location {
    let (line, column) = (err.line() as u64, err.column() as u64);
    if line == 0 {
        return Location::default();
    }
    let mut offset = 0usize;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[offset..]) {
            Some(nl) => offset += nl + 1,
            None => break,
        }
    }
    Location {
        line: Some(line),
        column: Some(column),
        byte: Some((offset as u64 + column.saturating_sub(1)).min(bytes.len() as u64)),
    }
}

/// True when a serde_json error means "the input stopped early".
pub fn is_eof(err: &serde_json::Error) -> bool {
    err.classify() == serde_json::error::Category::Eof
}

/// Iterates the non-blank lines of a JSON-lines file with 1-based numbers.
pub fn lines(bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    bytes
        .split(|&c| c == b'\n')
        .enumerate()
        .map(|(i, line)| (i as u64 + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| line.iter().any(|c| !c.is_ascii_whitespace()))
}

/// The first byte that is not JSON white space (and not a UTF-8 BOM).
pub fn first_significant(head: &[u8]) -> Option<u8> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.iter().copied().find(|c| !c.is_ascii_whitespace())
}

/// True if `needle` occurs in `head` (a cheap sniff for a key).
pub fn contains(head: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(head, needle).is_some()
}

/// True if the content looks like JSON lines: the first line ends with `}`
/// and the next non-blank line starts with `{`. Pretty-printed JSON never
/// has that shape (a comma or indentation sits between its objects), and
/// compact JSON has no raw newline inside a value. Give it the probe's deep
/// window (a memchr to the first newline), because a first line may exceed
/// the sniffed head.
pub fn looks_like_jsonl(all: &[u8]) -> bool {
    let Some(nl) = memchr::memchr(b'\n', all) else {
        return false;
    };
    let first = all[..nl].trim_ascii();
    let rest = all[nl + 1..].trim_ascii_start();
    first.first() == Some(&b'{') && first.last() == Some(&b'}') && rest.first() == Some(&b'{')
}

/// A JSON-lines record that does not parse: warns (truncated at the end of
/// the file, skipped otherwise) with its line and column, and returns the
/// error so the format can fail the file when no line at all was readable.
pub fn skip_bad_line(
    b: &mut StoreBuilder,
    line: &[u8],
    number: u64,
    err: &serde_json::Error,
) -> super::ParseError {
    let mut at = error_location(line, err);
    at.line = Some(number);
    let kind = if is_eof(err) {
        crate::model::WarningKind::Truncated
    } else {
        crate::model::WarningKind::SkippedRecord
    };
    b.warn(kind, Some(at), format!("line {number} skipped: {err}"));
    super::ParseError::Json {
        at,
        message: err.to_string(),
    }
}

/// The members of a JSON object in file order, values left raw (so strings
/// stay byte ranges and numbers keep their type): Zipkin tags, Phoenix and
/// MLflow attribute objects, OTel event attributes.
#[derive(Default)]
pub struct Fields<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<Fields<'de>, M::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Fields<'a> {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// Lone UTF-16 surrogate escapes found (and replaced) in a JSON file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Surrogates {
    pub count: u64,
    /// The first few: where, and the escape as written.
    pub examples: Vec<(Location, String)>,
}

/// Replaces every `\uD800`–`\uDFFF` escape that is not half of a proper
/// pair with `\uFFFD`, in place (same length, so every byte range stays
/// valid). serde_json refuses such strings, and one of them used to end the
/// whole document there; now only the one character is lost.
pub fn replace_lone_surrogates(bytes: &mut [u8]) -> Surrogates {
    let mut found = Surrogates::default();
    let finder = memchr::memmem::Finder::new(b"\\u");
    let mut from = 0;
    while let Some(p) = finder.find(&bytes[from..]) {
        let at = from + p;
        from = at + 2;
        // An escaped backslash followed by `u` is text, not an escape.
        let backslashes = bytes[..at]
            .iter()
            .rev()
            .take_while(|&&c| c == b'\\')
            .count();
        if backslashes % 2 == 1 {
            continue;
        }
        let Some(unit) = hex_unit(bytes, at + 2) else {
            continue;
        };
        from = at + 6;
        let lone = match unit {
            0xD800..=0xDBFF => {
                let pair = bytes.get(at + 6..at + 8) == Some(b"\\u")
                    && hex_unit(bytes, at + 8).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                if pair {
                    from = at + 12;
                }
                !pair
            }
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            found.count += 1;
            if found.examples.len() < crate::model::warning::EXAMPLES_PER_KIND {
                let escape = String::from_utf8_lossy(&bytes[at..at + 6]).into_owned();
                found.examples.push((location_of(bytes, at), escape));
            }
            bytes[at + 2..at + 6].copy_from_slice(b"fffd");
        }
    }
    found
}

fn hex_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let hex = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    u16::from_str_radix(hex, 16).ok()
}

/// Line, column and byte of an offset (for the few warnings that need one).
pub fn location_of(bytes: &[u8], at: usize) -> Location {
    let before = &bytes[..at.min(bytes.len())];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |nl| nl + 1);
    Location {
        line: Some(memchr::memchr_iter(b'\n', before).count() as u64 + 1),
        column: Some((at - line_start) as u64 + 1),
        byte: Some(at as u64),
    }
}

#[cfg(test)]
mod surrogate_tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let mut doc = br#"["a\ud800b", "\ud83d\ude00", "\\ud800", "\udc00"]"#.to_vec();
        let found = replace_lone_surrogates(&mut doc);
        assert_eq!(found.count, 2);
        assert_eq!(found.examples[0].0.column, Some(4));
        let parsed: Vec<String> = serde_json::from_slice(&doc).unwrap_or_default();
        assert_eq!(parsed, ["a\u{fffd}b", "😀", "\\ud800", "\u{fffd}"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_location_counts_bytes() {
        let doc = b"{\n  \"a\": [1,\n  2,";
        let err = serde_json::from_slice::<serde_json::Value>(doc).err();
        let at = err.map(|e| error_location(doc, &e)).unwrap_or_default();
        assert_eq!(at.line, Some(3));
        assert_eq!(at.byte, Some(16)); // the last byte read before the end
    }

    #[test]
    fn jsonl_sniff_needs_two_complete_lines() {
        assert!(looks_like_jsonl(b"{\"a\":1}\n{\"a\":2}\n"));
        assert!(!looks_like_jsonl(b"{\n\"a\": 1\n}\n"));
        assert!(!looks_like_jsonl(b"{\"a\":1}\n"));
        assert!(!looks_like_jsonl(b"[{\"a\":1},\n{\"a\":2}]"));
    }

    #[test]
    fn int64_accepts_strings_and_numbers() {
        let v: Vec<Int64> =
            serde_json::from_str(r#"["1795258485268208192", 12, -3]"#).unwrap_or_default();
        assert_eq!(
            v,
            vec![Int64(1_795_258_485_268_208_192), Int64(12), Int64(-3)]
        );
    }
}

/// Where the records of a JSON document are.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Records {
    /// `[record, …]`
    Array,
    /// `[record, …]` or a single `record`.
    ArrayOrOne,
    /// `{"<field>": [record, …], …}` (other fields are skipped).
    Field(&'static str),
    /// A record, `[record, …]`, or arrays of those (`[[record, …], …]`:
    /// Zipkin's list of traces).
    Nested,
}

/// Streams the records of a document to `each`, one at a time, without
/// building the whole document: a file cut short has handed over every
/// record before the cut when the error comes back.
pub fn stream_records<'de, T, F>(
    bytes: &'de [u8],
    records: Records,
    each: F,
) -> Result<(), serde_json::Error>
where
    T: serde::Deserialize<'de>,
    F: FnMut(T),
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut stream = RecordStream {
        records,
        each,
        marker: std::marker::PhantomData,
    };
    de::DeserializeSeed::deserialize(&mut stream, &mut de)?;
    de.end()
}

struct RecordStream<T, F> {
    records: Records,
    each: F,
    marker: std::marker::PhantomData<fn() -> T>,
}

impl<'de, T, F> de::DeserializeSeed<'de> for &mut RecordStream<T, F>
where
    T: serde::Deserialize<'de>,
    F: FnMut(T),
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T, F> Visitor<'de> for &mut RecordStream<T, F>
where
    T: serde::Deserialize<'de>,
    F: FnMut(T),
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.records {
            Records::Array => f.write_str("a JSON array of records"),
            Records::ArrayOrOne => f.write_str("a record or an array of records"),
            Records::Nested => f.write_str("a record, or arrays of records"),
            Records::Field(name) => write!(f, "an object with a {name:?} array"),
        }
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.records == Records::Nested {
            while seq.next_element_seed(&mut *self)?.is_some() {}
            return Ok(());
        }
        while let Some(record) = seq.next_element::<T>()? {
            (self.each)(record);
        }
        Ok(())
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match self.records {
            Records::ArrayOrOne | Records::Nested => {
                let record = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
                (self.each)(record);
                Ok(())
            }
            Records::Field(name) => {
                let inner = &mut *self;
                let saved = inner.records;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == name {
                        inner.records = Records::Array;
                        let result = map.next_value_seed(&mut *inner);
                        inner.records = saved;
                        result?;
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                Ok(())
            }
            Records::Array => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct R {
        n: u32,
    }

    fn collect(doc: &str, records: Records) -> (Vec<u32>, bool) {
        let mut got = Vec::new();
        let ok = stream_records::<R, _>(doc.as_bytes(), records, |r| got.push(r.n)).is_ok();
        (got, ok)
    }

    #[test]
    fn arrays_single_records_and_fields() {
        assert_eq!(
            collect(r#"[{"n":1},{"n":2}]"#, Records::Array),
            (vec![1, 2], true)
        );
        assert_eq!(collect(r#"{"n":3}"#, Records::ArrayOrOne), (vec![3], true));
        assert_eq!(
            collect(r#"[{"n":4}]"#, Records::ArrayOrOne),
            (vec![4], true)
        );
        assert_eq!(
            collect(r#"{"x":1,"data":[{"n":5}],"y":[]}"#, Records::Field("data")),
            (vec![5], true)
        );
        assert_eq!(collect(r#"{"n":3}"#, Records::Array), (vec![], false));
        assert_eq!(
            collect(r#"[[{"n":1},{"n":2}],[{"n":3}]]"#, Records::Nested),
            (vec![1, 2, 3], true)
        );
        assert_eq!(collect(r#"{"n":7}"#, Records::Nested), (vec![7], true));
    }

    #[test]
    fn a_cut_keeps_the_records_before_it() {
        assert_eq!(
            collect(r#"[{"n":1},{"n":2},{"n"#, Records::Array),
            (vec![1, 2], false)
        );
    }
}
