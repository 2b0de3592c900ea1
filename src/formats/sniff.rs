//! Detection: what every sniffer sees ([`Probe`]), and the choice of the
//! format (and envelope) for a file's content.
//!
//! Sniffers see the content's outline ([`super::outline`]) when it starts
//! like JSON, so the document's structure, not a byte budget, decides: a
//! first span holding a 1 MB prompt no longer hides the keys after it.
//! Binary and plain-text sniffers look at the raw first bytes.

use super::envelope::{self, Envelope};
use super::outline;
use super::{Format, Unrecognised, REGISTRY};

/// How many leading bytes of the outline (or of raw content) count as the
/// head, where sniffers look for a format's keys.
pub const SNIFF_BYTES: usize = 64 * 1024;
/// How long the deep outline may grow: checks that look past the head
/// (a memchr or memmem, never a parse). Bounded, because every sniffer runs
/// on every file.
const DEEP_OUTLINE_BYTES: usize = 1024 * 1024;
/// How many raw bytes `deep` covers when the content is not JSON.
const DEEP_RAW_BYTES: usize = 8 * 1024 * 1024;

/// What a format's sniffer sees.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    /// File name as given by the user (may be empty or misleading).
    pub name: &'a str,
    /// The start of the outline of JSON content (long strings shortened,
    /// white space squeezed: see [`super::outline`]), or the first
    /// [`SNIFF_BYTES`] of other content.
    pub head: &'a [u8],
    /// More of the same: the outline up to about 1 MiB, or 8 MiB of raw
    /// content.
    pub deep: &'a [u8],
    /// The first [`SNIFF_BYTES`] of the content exactly as they are (for
    /// binary and plain-text formats).
    pub raw: &'a [u8],
    /// The whole content, for sniffers that jump through a structure
    /// (protobuf's length-delimited fields) without reading every byte.
    pub all: &'a [u8],
    /// Keys of the first object of a JSON document (see
    /// [`outline::top_keys`]), as written, in order.
    pub top_keys: Vec<&'a [u8]>,
}

impl Probe<'_> {
    /// True if the first object of the document has `key` (see `top_keys`).
    pub fn has_top_key(&self, key: &str) -> bool {
        self.top_keys.contains(&key.as_bytes())
    }
}

/// Owns what a [`Probe`] borrows: the outline of one content.
#[derive(Debug)]
pub struct ProbeData<'a> {
    name: &'a str,
    bytes: &'a [u8],
    outline: Option<Vec<u8>>,
}

impl<'a> ProbeData<'a> {
    pub fn new(name: &'a str, bytes: &'a [u8]) -> ProbeData<'a> {
        let outline =
            outline::is_json_like(bytes).then(|| outline::outline(bytes, DEEP_OUTLINE_BYTES));
        ProbeData {
            name,
            bytes,
            outline,
        }
    }

    pub fn probe(&self) -> Probe<'_> {
        let raw = &self.bytes[..self.bytes.len().min(SNIFF_BYTES)];
        match &self.outline {
            Some(o) => Probe {
                name: self.name,
                head: &o[..o.len().min(SNIFF_BYTES)],
                deep: o,
                raw,
                all: self.bytes,
                top_keys: outline::top_keys(&o[..o.len().min(SNIFF_BYTES)]),
            },
            None => Probe {
                name: self.name,
                head: raw,
                deep: &self.bytes[..self.bytes.len().min(DEEP_RAW_BYTES)],
                raw,
                all: self.bytes,
                top_keys: Vec::new(),
            },
        }
    }
}

/// A sniffer's verdict: a confidence score, or why the format does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    Yes(u8),
    No(&'static str),
}

/// The format of a file's content, and the envelope around it if a query
/// API or client library wrapped it.
#[derive(Debug, Clone, Copy)]
pub struct Detected {
    pub format: &'static Format,
    pub envelope: Option<&'static Envelope>,
}

/// Picks the format whose sniffer is most confident; ties go to registry order.
pub fn detect(name: &str, bytes: &[u8]) -> Result<&'static Format, Unrecognised> {
    detect_document(name, bytes).map(|d| d.format)
}

/// Like [`detect`], unwrapping an envelope first when the content is one:
/// its wrapper keys match and the wrapped value is itself a known format.
pub fn detect_document(name: &str, bytes: &[u8]) -> Result<Detected, Unrecognised> {
    let data = ProbeData::new(name, bytes);
    let probe = data.probe();
    if let Some((envelope, inner)) = envelope::sniff(&probe, bytes) {
        let inner_data = ProbeData::new(name, inner);
        if let Ok(format) = best(&inner_data.probe()) {
            return Ok(Detected {
                format,
                envelope: Some(envelope),
            });
        }
    }
    best(&probe).map(|format| Detected {
        format,
        envelope: None,
    })
}

fn best(probe: &Probe) -> Result<&'static Format, Unrecognised> {
    let mut best: Option<(&'static Format, u8)> = None;
    let mut tried = Vec::new();
    for format in REGISTRY {
        match (format.sniff)(probe) {
            Sniff::Yes(score) if best.is_none_or(|(_, s)| score > s) => {
                best = Some((format, score))
            }
            Sniff::Yes(_) => {}
            Sniff::No(why) => tried.push((format.id, why)),
        }
    }
    best.map(|(f, _)| f).ok_or(Unrecognised { tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_first_string_does_not_hide_the_structure() {
        let big = "y".repeat(1 << 20);
        let zipkin = format!(
            r#"[{{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"b7ad6b7169203331","name":"{big}","timestamp":1700000000000000,"duration":5}}]"#
        );
        assert_eq!(
            detect("", zipkin.as_bytes()).map(|f| f.id),
            Ok("zipkin-json")
        );
    }
}
