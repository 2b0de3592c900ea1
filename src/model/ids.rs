//! Dense indices, interned symbols, and wire-id canonicalisation.
//!
//! Owns how an id read from a file (hex, base64, `tr-…`, UUID, opaque) becomes
//! one canonical string, so the same span exported by two tools merges.
//! Depends on nothing but `base64`.

use base64::Engine;
use foldhash::HashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Serialised as its strings in id order; the lookup map is rebuilt on the
/// way back in.
impl serde::Serialize for Interner {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.strings.iter().map(|s| &**s))
    }
}

impl<'de> serde::Deserialize<'de> for Interner {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let strings = Vec::<Box<str>>::deserialize(deserializer)?;
        Ok(Interner {
            map: OnceLock::new(),
            strings,
        })
    }
}

/// Dense index of a span row in the store.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct SpanIdx(pub u32);

/// Dense index of a trace in the store.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TraceIdx(pub u32);

/// An interned string. `Sym::EMPTY` is the empty string (and "none").
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
pub struct Sym(pub u32);

impl Sym {
    pub const EMPTY: Sym = Sym(0);
    pub fn is_empty(self) -> bool {
        self == Sym::EMPTY
    }
}

impl SpanIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl TraceIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Interns strings; ids are handed out in first-seen order, so a given input
/// always yields the same ids (deterministic output).
#[derive(Debug, Clone)]
pub struct Interner {
    /// string → id. Built on first use after deserialising: the page mostly
    /// resolves ids of a session from the worker and seldom looks one up, and
    /// rebuilding this map was most of the cost of receiving a session.
    map: OnceLock<HashMap<Box<str>, Sym>>,
    strings: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            map: OnceLock::new(),
            strings: Vec::new(),
        };
        interner.intern("");
        interner
    }
}

fn lookup_map(strings: &[Box<str>]) -> HashMap<Box<str>, Sym> {
    let mut map = HashMap::default();
    map.reserve(strings.len());
    for (i, s) in strings.iter().enumerate() {
        map.insert(s.clone(), Sym(i as u32));
    }
    map
}

impl Interner {
    fn map(&self) -> &HashMap<Box<str>, Sym> {
        self.map.get_or_init(|| lookup_map(&self.strings))
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map().get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.into());
        if let Some(map) = self.map.get_mut() {
            map.insert(s.into(), sym);
        }
        sym
    }

    /// Looks a string up without interning it.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map().get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.strings.get(sym.0 as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }

    /// Bytes held by the interned strings (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.strings.iter().map(|s| s.len()).sum::<usize>() * 2
            + self.strings.len() * (size_of::<Box<str>>() * 2 + 8)
    }
}

/// What kind of id is being canonicalised: span ids pad to 16 hex digits,
/// trace ids to 32 (as OpenTelemetry widens 64-bit Jaeger/Zipkin ids).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdKind {
    Trace,
    Span,
}

/// Canonical text of a wire id: lowercase hex when the id is hex, base64 of
/// 8/16 bytes, `tr-`+hex (MLflow) or a UUID; otherwise the id unchanged.
/// Returns `None` for an empty id (which means "no id", e.g. a root's parent).
pub fn canonical_id(raw: &str, kind: IdKind) -> Option<Cow<'_, str>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    // The common case (OTLP, Zipkin, Phoenix): already lowercase hex of the
    // right width. Borrowed, so ingest allocates nothing per id.
    let width = match kind {
        IdKind::Trace => 32,
        IdKind::Span => 16,
    };
    if raw.len() == width
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && raw.bytes().any(|b| b != b'0')
    {
        return Some(Cow::Borrowed(raw));
    }
    let raw = raw.strip_prefix("tr-").unwrap_or(raw);
    if raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        let pad = if raw.len() <= 16 { 16 } else { 32 };
        let mut out = String::with_capacity(pad);
        for _ in raw.len()..pad {
            out.push('0');
        }
        out.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
        if out.bytes().all(|b| b == b'0') {
            return None; // all-zero ids are "invalid" in OTel: no parent
        }
        return Some(Cow::Owned(widen(out, width)));
    }
    if (raw.len() == 24 && raw.ends_with("==")) || (raw.len() == 12 && raw.ends_with('=')) {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(raw) {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            if hex.bytes().all(|b| b == b'0') {
                return None;
            }
            return Some(Cow::Owned(widen(hex, width)));
        }
    }
    if raw.len() == 36 && raw.bytes().filter(|&b| b == b'-').count() == 4 {
        let hex: String = raw.chars().filter(|&c| c != '-').collect();
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(Cow::Owned(hex.to_ascii_lowercase()));
        }
    }
    Some(Cow::Owned(raw.to_string()))
}

/// Pads a 16-digit hex id to 32 digits when a trace id is expected.
fn widen(hex: String, width: usize) -> String {
    if hex.len() < width {
        let mut out = "0".repeat(width - hex.len());
        out.push_str(&hex);
        out
    } else {
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_lowercased_and_padded() {
        assert_eq!(
            canonical_id("5B8EFFF798038103D269B633813FC60C", IdKind::Trace).as_deref(),
            Some("5b8efff798038103d269b633813fc60c")
        );
        assert_eq!(
            canonical_id("2", IdKind::Span).as_deref(),
            Some("0000000000000002")
        );
        assert_eq!(
            canonical_id("a1b2c3d4e5f60718", IdKind::Trace).as_deref(),
            Some("0000000000000000a1b2c3d4e5f60718")
        );
    }

    #[test]
    fn base64_ids_decode_to_the_same_hex() {
        // 16 bytes 67d076d7e51aeaa37ee6018639 8afa99
        assert_eq!(
            canonical_id("Z9B21+Ua6qN+5gGGOYr6mQ==", IdKind::Trace).as_deref(),
            Some("67d076d7e51aeaa37ee60186398afa99")
        );
        assert_eq!(
            canonical_id("AAAAAAAAAAE=", IdKind::Span).as_deref(),
            Some("0000000000000001")
        );
    }

    #[test]
    fn empty_and_zero_ids_mean_none() {
        assert_eq!(canonical_id("", IdKind::Span), None);
        assert_eq!(canonical_id("0000000000000000", IdKind::Span), None);
        assert_eq!(canonical_id("AAAAAAAAAAA=", IdKind::Span), None);
    }

    #[test]
    fn mlflow_and_uuid_forms() {
        assert_eq!(
            canonical_id("tr-59e30f988b827b70789b12fbfbc4587e", IdKind::Trace).as_deref(),
            Some("59e30f988b827b70789b12fbfbc4587e")
        );
        assert_eq!(
            canonical_id("1c2d3e4f-0000-4000-8000-00000000abcd", IdKind::Trace).as_deref(),
            Some("1c2d3e4f00004000800000000000abcd")
        );
        assert_eq!(
            canonical_id("U3BhbjoxMjM=x", IdKind::Span).as_deref(),
            Some("U3BhbjoxMjM=x")
        );
    }

    #[test]
    fn interner_is_first_seen_order() {
        let mut i = Interner::default();
        let a = i.intern("a");
        let b = i.intern("b");
        assert_eq!(i.intern("a"), a);
        assert_eq!((a.0, b.0), (1, 2));
        assert_eq!(i.resolve(b), "b");
        assert_eq!(i.resolve(Sym::EMPTY), "");
    }
}
