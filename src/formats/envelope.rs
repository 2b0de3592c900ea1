//! Envelopes: the wrappers that query APIs and client libraries put around
//! a trace document (`{"result": …}`, `{"trace": …}`, `{"data": …, "id",
//! "state"}`), one per file or one per line.
//!
//! An envelope is one unwrapping step in front of the existing parsers, never
//! a parser of its own: it finds the wrapped value's byte range in the file,
//! and sniffing decides which format reads it. The wrapped bytes are a slice
//! of the file, so payload text stays byte ranges into it.
//!
//! An envelope applies only when every top-level key the file shows is one
//! the wrapper has, and the wrapped value is detected as a known format
//! (so MLflow's `{"info", "data"}` is not taken for a Jaeger UI object).

use super::json;
use super::outline;
use super::sniff::Probe;
use crate::model::{Location, StoreBuilder, WarningKind};
use std::ops::Range;

/// One wrapper shape (data only, so the page can list envelopes without
/// linking a parser).
#[derive(Debug, Clone, Copy)]
pub struct Envelope {
    /// Stable identifier, printed by `spanscope stats` and listed in the README.
    pub id: &'static str,
    pub name: &'static str,
    /// Which endpoint or client call writes it.
    pub producers: &'static str,
    /// The member that holds the wrapped document (an object).
    pub key: &'static str,
    /// The wrapper's other members (status, error, ids); any other key means
    /// the file is not this envelope.
    pub others: &'static [&'static str],
}

/// Every envelope, in the order they are tried.
pub const ENVELOPES: &[Envelope] = &[
    Envelope {
        id: "jaeger-api-v3",
        name: "Jaeger query API v3 response",
        producers: "Jaeger v2 `GET /api/v3/traces/{trace_id}` and `GET /api/v3/traces?query.…` \
                    (one `{\"result\": TracesData}` per line when the gateway streams chunks)",
        key: "result",
        others: &["error"],
    },
    Envelope {
        id: "tempo-api-v2",
        name: "Tempo trace-by-id v2 response",
        producers: "Grafana Tempo `GET /api/v2/traces/{trace_id}` (`{\"trace\": …, \"status\"}`)",
        key: "trace",
        others: &["status", "message", "metrics"],
    },
    Envelope {
        id: "jaeger-ui-trace",
        name: "Jaeger UI trace object",
        producers: "Jaeger UI's fetched-trace record `{\"id\", \"state\", \"data\": Trace}` \
                    (saved from the UI's store or its tests)",
        key: "data",
        others: &["id", "state", "error"],
    },
];

pub fn by_id(id: &str) -> Option<&'static Envelope> {
    ENVELOPES.iter().find(|e| e.id == id)
}

/// If the probed content is an envelope: which one, and the start of the
/// wrapped value (to the end of the file, or of the first line for JSON
/// lines) for the inner sniff.
pub fn sniff<'b>(probe: &Probe, bytes: &'b [u8]) -> Option<(&'static Envelope, &'b [u8])> {
    if json::first_significant(probe.head) != Some(b'{') || probe.top_keys.is_empty() {
        return None;
    }
    let envelope = ENVELOPES.iter().find(|e| {
        probe.has_top_key(e.key)
            && probe
                .top_keys
                .iter()
                .all(|k| *k == e.key.as_bytes() || e.others.iter().any(|o| o.as_bytes() == *k))
    })?;
    let first = if json::looks_like_jsonl(probe.deep) {
        let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
        &bytes[..end]
    } else {
        bytes
    };
    let start = wrapped_start(first, envelope.key)?;
    Some((envelope, &first[start..]))
}

/// Where the value of `key` starts, if it is an object.
fn wrapped_start(doc: &[u8], key: &str) -> Option<usize> {
    let members = outline::members(doc, |m| m.key == key.as_bytes());
    let member = members.last().filter(|m| m.key == key.as_bytes())?;
    (doc.get(member.value_start) == Some(&b'{')).then_some(member.value_start)
}

/// One wrapped document: its bytes in the file, and where it starts (for
/// warnings and errors, which its parser reports relative to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    pub range: Range<usize>,
    pub origin: Location,
}

/// The wrapped documents of an envelope file, in order: one for a single
/// response, one per line for JSON lines. Lines without the wrapped value
/// are warnings (an `error` member says what the server reported).
pub fn unwrap(envelope: &Envelope, bytes: &[u8], b: &mut StoreBuilder) -> Vec<Wrapped> {
    if !json::looks_like_jsonl(bytes) {
        let Some(start) = wrapped_start(bytes, envelope.key) else {
            return Vec::new();
        };
        // A file cut inside the value: hand over what there is; the parser
        // says where it breaks.
        let end = outline::value_end(bytes, start).unwrap_or(bytes.len());
        return vec![Wrapped {
            range: start..end,
            origin: origin_of(bytes, start),
        }];
    }
    let mut out = Vec::new();
    let mut line_start = 0usize;
    for (number, line) in bytes.split(|&c| c == b'\n').enumerate() {
        let number = number as u64 + 1;
        let offset = line_start;
        line_start += line.len() + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match wrapped_start(line, envelope.key) {
            Some(start) => {
                let end = outline::value_end(line, start).unwrap_or(line.len());
                out.push(Wrapped {
                    range: offset + start..offset + end,
                    origin: Location {
                        line: Some(number),
                        column: Some(start as u64 + 1),
                        byte: Some((offset + start) as u64),
                    },
                });
            }
            None => warn_unwrapped(b, envelope, line, number, offset),
        }
    }
    out
}

fn warn_unwrapped(b: &mut StoreBuilder, envelope: &Envelope, line: &[u8], number: u64, at: usize) {
    let error = outline::members(line, |m| m.key == b"error")
        .into_iter()
        .find(|m| m.key == b"error")
        .and_then(|m| {
            let end = outline::value_end(line, m.value_start)?;
            Some(String::from_utf8_lossy(&line[m.value_start..end]).into_owned())
        });
    let location = Location {
        line: Some(number),
        column: None,
        byte: Some(at as u64),
    };
    let message = match error {
        Some(error) => format!(
            "line {number}: the server reported an error instead of spans: {}",
            shorten(&error, 300)
        ),
        None => format!(
            "line {number} skipped: no \"{}\" object in this {} line",
            envelope.key, envelope.name
        ),
    };
    b.warn(WarningKind::SkippedRecord, Some(location), message);
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The location of byte `at` of `bytes`, for a document starting there.
fn origin_of(bytes: &[u8], at: usize) -> Location {
    let before = &bytes[..at];
    let lines = memchr::memchr_iter(b'\n', before).count() as u64;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |nl| nl + 1);
    Location {
        line: Some(1 + lines),
        column: Some((at - line_start) as u64 + 1),
        byte: Some(at as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::detect_document;

    const OTLP: &str = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;

    fn detected(doc: &str) -> Option<(&'static str, &'static str)> {
        detect_document("", doc.as_bytes())
            .ok()
            .map(|d| (d.envelope.map_or("", |e| e.id), d.format.id))
    }

    #[test]
    fn wrappers_are_detected_from_content() {
        assert_eq!(
            detected(&format!(r#"{{"result": {OTLP}}}"#)),
            Some(("jaeger-api-v3", "otlp-json"))
        );
        assert_eq!(
            detected(&format!("{{\"result\":{OTLP}}}\n{{\"result\":{OTLP}}}\n")),
            Some(("jaeger-api-v3", "otlp-json"))
        );
        assert_eq!(
            detected(&format!(r#"{{"trace": {OTLP}, "status": "complete"}}"#)),
            Some(("tempo-api-v2", "otlp-json"))
        );
        assert_eq!(detected(OTLP), Some(("", "otlp-json")));
        // Another key beside the wrapped value: not this envelope.
        assert_eq!(detected(&format!(r#"{{"result": {OTLP}, "x": 1}}"#)), None);
    }

    #[test]
    fn unwrap_finds_each_document_and_reports_errors() {
        let doc = format!(
            "{{\"result\":{OTLP}}}\n{{\"error\":{{\"code\":5,\"message\":\"trace not found\"}}}}\n"
        );
        let mut b = StoreBuilder::new();
        let found = unwrap(&ENVELOPES[0], doc.as_bytes(), &mut b);
        assert_eq!(found.len(), 1);
        assert_eq!(&doc[found[0].range.clone()], OTLP);
        assert_eq!(found[0].origin.column, Some(11));
        let (_, warnings) = b.finish();
        assert_eq!(warnings.count(WarningKind::SkippedRecord), 1);
        let (_, _, group) = warnings.groups().next().expect("a warning");
        assert!(group.examples[0].1.contains("trace not found"));
    }
}
