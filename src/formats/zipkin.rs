//! Zipkin v2 JSON: the span array POSTed to `/api/v2/spans`, as written by
//! the OpenTelemetry Zipkin JSON exporter and by Zipkin's own tools; also
//! what Zipkin's API returns: a trace's span array, an array of traces
//! (`GET /api/v2/traces`), or one span object.
//!
//! Times are µs integers, tags are string → string (numbers stringified),
//! annotations become span events. The OpenTelemetry exporter copies the
//! resource and scope into every span's tags and writes the status as
//! `otel.status_code` plus an `error` tag; both go through [`Semantics`].
//! Spans are streamed, so a file cut short keeps every span before the cut.

use super::json::{self, attr_from_raw, raw_string, Fields, Int64, Records};
use super::semconv::{Scalar, Semantics};
use super::time::micros_nanos;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{AttrValue, SpanDraft, StoreBuilder, TextEncoding, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub const ZIPKIN_JSON: Format = Format {
    id: "zipkin-json",
    name: "Zipkin v2 JSON",
    producers:
        "OpenTelemetry Zipkin JSON exporter, Zipkin (API, UI downloads), Brave, py_zipkin, Envoy",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "the span objects (an array, an array of traces, or one span)",
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSpan<'a> {
    #[serde(borrow)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    /// `null` or absent for internal spans.
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    timestamp: Option<Int64>,
    duration: Option<Int64>,
    #[serde(borrow)]
    local_endpoint: Option<Endpoint<'a>>,
    #[serde(borrow)]
    remote_endpoint: Option<&'a RawValue>,
    #[serde(borrow)]
    tags: Option<Fields<'a>>,
    #[serde(borrow)]
    annotations: Option<Vec<Annotation<'a>>>,
    shared: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint<'a> {
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    ipv4: Option<&'a RawValue>,
    ipv6: Option<&'a RawValue>,
    port: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Annotation<'a> {
    timestamp: Option<Int64>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

/// A span array (`POST /api/v2/spans`, `GET /api/v2/trace/{id}`), an
/// array of such arrays (`GET /api/v2/traces`) or one span object, whose
/// first span has `traceId`, `id` and a µs `timestamp`. OTLP nests spans
/// under `resourceSpans` and says `spanId`; Jaeger says `traceID`.
fn sniff(p: &Probe) -> Sniff {
    match json::first_significant(p.head) {
        Some(b'[') => {}
        Some(b'{') if p.has_top_key("traceId") && p.has_top_key("id") => {}
        _ => return Sniff::No("not a Zipkin span, span array or array of traces"),
    }
    if !p.has_top_key("traceId") || !p.has_top_key("id") {
        return Sniff::No("no \"traceId\" and \"id\" keys");
    }
    if json::contains(p.head, b"\"resourceSpans\"") || json::contains(p.head, b"\"spanId\"") {
        return Sniff::No("OTLP keys (\"resourceSpans\", \"spanId\")");
    }
    if !micros_after(p.head, b"\"timestamp\"") {
        return Sniff::No("no \"timestamp\" in epoch microseconds");
    }
    let hint = if p.name.to_ascii_lowercase().contains("zipkin") {
        5
    } else {
        0
    };
    Sniff::Yes(65 + hint)
}

/// True if the first `key` in `head` is followed by a 16-digit integer
/// (µs since the epoch between 2001 and 2286).
fn micros_after(head: &[u8], key: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(head, key) else {
        return false;
    };
    let rest = &head[at + key.len()..];
    let rest = rest.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    let digits = rest
        .trim_ascii_start()
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    digits == 16
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    json::stream_records(bytes, Records::Nested, |span: WireSpan<'_>| {
        commit_span(b, span);
    })
    .map_err(|e| ParseError::json(bytes, &e))
}

fn commit_span(b: &mut StoreBuilder, span: WireSpan<'_>) {
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = span.trace_id.map(Cow::into_owned).unwrap_or_default();
    // A `shared: true` server span reuses its client's id, so one file can
    // hold the same id twice; the builder merges the two copies and warns.
    d.span_id = span.id.map(Cow::into_owned).unwrap_or_default();
    d.parent_id = span.parent_id.map(Cow::into_owned).unwrap_or_default();
    let name = span.name.as_deref().unwrap_or("");
    d.name = b.intern(name);

    let first_annotation = span.annotations.iter().flatten().find_map(|a| a.timestamp);
    let start_micros = span.timestamp.or(first_annotation);
    d.start_nanos = nanos(b, start_micros.unwrap_or_default(), name);
    if start_micros.is_none() {
        b.warn(
            WarningKind::BadValue,
            None,
            format!("Zipkin span {name:?} has no timestamp; placed at time 0"),
        );
    }
    // A span without a duration is a half reported alone: shown as an instant.
    d.end_nanos = d.start_nanos + nanos(b, span.duration.unwrap_or_default(), name);

    if let Some(local) = &span.local_endpoint {
        if let Some(service) = &local.service_name {
            d.service = b.intern(service);
        }
        if local.ipv4.is_some() || local.ipv6.is_some() || local.port.is_some() {
            endpoint_attr(b, "localEndpoint", local);
        }
    }
    if let Some(remote) = span.remote_endpoint {
        let t = b.text(remote.get(), TextEncoding::JsonValue);
        b.attr("remoteEndpoint", AttrValue::Json(t));
    }
    if let Some(kind) = span.kind.as_deref() {
        let t = b.owned_text(kind.to_ascii_lowercase().as_bytes(), TextEncoding::Plain);
        b.attr("span.kind", AttrValue::Str(t));
    }
    if span.shared == Some(true) {
        b.attr("shared", AttrValue::Bool(true));
    }

    let mut sem = Semantics::default();
    for (key, raw) in span.tags.iter().flat_map(|t| &t.0) {
        put_value(b, &mut sem, &mut d, key, raw, StoreBuilder::attr);
    }
    for annotation in span.annotations.iter().flatten() {
        let time = nanos(b, annotation.timestamp.unwrap_or_default(), name);
        put_annotation(b, annotation, time);
    }
    sem.finish(b, &mut d);
    b.commit_span(d, None);
}

/// µs → ns; a value too large for ns becomes 0 with a warning.
fn nanos(b: &mut StoreBuilder, micros: Int64, span: &str) -> i64 {
    micros_nanos(micros.0).unwrap_or_else(|| {
        b.warn(
            WarningKind::BadValue,
            None,
            format!("Zipkin span {span:?}: {} µs is out of range", micros.0),
        );
        0
    })
}

fn endpoint_attr(b: &mut StoreBuilder, key: &str, endpoint: &Endpoint<'_>) {
    let parts: Vec<String> = [endpoint.ipv4, endpoint.ipv6, endpoint.port]
        .iter()
        .flatten()
        .map(|raw| raw.get().trim_matches('"').to_string())
        .collect();
    let t = b.owned_text(parts.join(" ").as_bytes(), TextEncoding::Plain);
    b.attr(key, AttrValue::Str(t));
}

/// Stores one tag (or event attribute) and lets the shared vocabularies
/// interpret it. Zipkin values are strings; other JSON values are kept typed.
fn put_value(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    raw: &RawValue,
    store: fn(&mut StoreBuilder, &str, AttrValue),
) {
    if let Some((text, t)) = raw_string(b, raw) {
        sem.see(d, key, Scalar::Str(&text, t));
        store(b, key, AttrValue::Str(t));
        return;
    }
    let value = attr_from_raw(b, raw);
    let scalar = match value {
        AttrValue::Int(i) => Scalar::Int(i),
        AttrValue::Float(f) => Scalar::Float(f),
        AttrValue::Bool(v) => Scalar::Bool(v),
        AttrValue::Str(_) | AttrValue::Json(_) => Scalar::Other,
    };
    sem.see(d, key, scalar);
    store(b, key, value);
}

/// An annotation is an event. The OpenTelemetry exporter writes each span
/// event as the JSON text `{"<event name>": {<attributes>}}`; any other
/// value is the event's name.
fn put_annotation(b: &mut StoreBuilder, annotation: &Annotation<'_>, time_nanos: i64) {
    let Some((value, _)) = annotation.value.and_then(|raw| raw_string(b, raw)) else {
        b.event("", time_nanos);
        return;
    };
    match otel_event(&value) {
        Some((name, attrs)) => {
            b.event(&name, time_nanos);
            let mut ignored_sem = Semantics::default();
            let mut ignored = SpanDraft::new();
            for (key, raw) in &attrs.0 {
                put_value(b, &mut ignored_sem, &mut ignored, key, raw, |b, k, v| {
                    b.event_attr(k, v)
                });
            }
        }
        None => b.event(&value, time_nanos),
    }
}

/// Splits `{"name": {attributes}}` into its name and attributes.
fn otel_event(value: &str) -> Option<(Cow<'_, str>, Fields<'_>)> {
    if !value.trim_start().starts_with('{') {
        return None;
    }
    let Fields(outer) = serde_json::from_str::<Fields>(value).ok()?;
    let [(name, inner)] = <[_; 1]>::try_from(outer).ok()?;
    let attrs = serde_json::from_str::<Fields>(inner.get()).ok()?;
    Some((name, attrs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ProbeData;
    use crate::load::{load, Counts, Input, Session};
    use crate::model::{SpanIdx, WarningKind};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap_or_default()
    }

    fn open(rel: &str) -> Session {
        load(vec![Input::new(rel, fixture(rel))])
    }

    fn counts(s: &Session) -> Counts {
        s.report.files.first().map(|f| f.counts).unwrap_or_default()
    }

    fn span_by_id(s: &Session, id: &str) -> Option<SpanIdx> {
        (0..s.store.span_count())
            .find(|&i| s.store.id(s.store.spans.span_id[i]) == id)
            .map(|i| SpanIdx(i as u32))
    }

    fn n(traces: u64, spans: u64, errors: u64, lm: u64, input: u64, output: u64) -> Counts {
        Counts {
            traces,
            spans,
            lm_calls: lm,
            error_spans: errors,
            input_tokens: input,
            output_tokens: output,
        }
    }

    /// The `dspy-*` Zipkin files and the `otlp-json` files are the same runs
    /// exported twice (same trace and span ids), so every count agrees.
    /// Expected numbers counted with a Python script over the fixtures.
    #[test]
    fn dspy_exports_count_the_same_as_their_otlp_twins() {
        let expected = [
            ("rag", n(4, 28, 6, 4, 0, 0)),
            ("multihop", n(3, 44, 6, 8, 0, 0)),
            ("classify", n(4, 25, 7, 5, 852, 290)),
            ("react", n(2, 50, 2, 8, 7328, 711)),
            ("optimize", n(6, 42, 0, 6, 0, 0)),
        ];
        for (scenario, want) in expected {
            let zipkin = open(&format!(
                "zipkin-json/dspy-{scenario}.zipkin-otel-exporter.json"
            ));
            let otlp = open(&format!(
                "otlp-json/dspy-{scenario}.openinference.otlp-http-json.json"
            ));
            assert_eq!(zipkin.report.files[0].format, Some("zipkin-json"));
            assert_eq!(counts(&zipkin), want, "{scenario}");
            assert_eq!(counts(&otlp), want, "{scenario} (otlp-json)");
            assert_eq!(zipkin.report.warnings.count(WarningKind::DuplicateSpan), 0);
        }
    }

    #[test]
    fn links_models_errors_and_exception_events() {
        let s = open("zipkin-json/dspy-rag.zipkin-otel-exporter.json");
        let retrieve = span_by_id(&s, "aecb1bca1032d18d").map(|r| r.0 as usize);
        let parent = span_by_id(&s, "d497eaf6f2feab7d").map(|p| p.0);
        assert_eq!(retrieve.map(|i| s.store.spans.parent[i]), parent);
        let lm = span_by_id(&s, "be847cec1a7a3ec1").map_or(0, |r| r.0 as usize);
        assert_eq!(s.store.str(s.store.spans.model[lm]), "gpt-4o-mini");
        assert_eq!(s.store.str(s.store.spans.service[lm]), "dspy-qa-service");

        let s = open("zipkin-json/dspy-classify.zipkin-otel-exporter.json");
        let failed = span_by_id(&s, "45fe945b22605a68").unwrap_or(SpanIdx(0));
        let i = failed.0 as usize;
        assert_eq!(s.store.spans.status[i], crate::model::StatusCode::Error);
        assert_eq!(s.store.str(s.store.spans.model[i]), "openai/gpt-4o-mini");
        let message = s.store.spans.status_message[i].map(|t| s.store.text(t));
        assert!(message.is_some_and(|m| m.starts_with("RateLimitError: litellm.RateLimitError")));
        // The annotation `{"exception": {...}}` is an event named "exception".
        let events = s.store.span_events(failed);
        assert_eq!(events.len(), 1);
        let e = events.start;
        assert_eq!(s.store.str(s.store.events.name[e]), "exception");
        let attrs: Vec<(String, String)> = s
            .store
            .event_attrs(e)
            .map(|(k, v)| {
                (
                    s.store.str(k).to_string(),
                    s.store.attr_text(v).into_owned(),
                )
            })
            .collect();
        assert_eq!(attrs.len(), 4);
        assert!(attrs.contains(&(
            "exception.type".to_string(),
            "litellm.exceptions.RateLimitError".to_string()
        )));
        assert_eq!(s.store.events.name.len(), 7);
    }

    /// py_zipkin's traces (tests/fixtures/make/make_zipkin.py): a client
    /// span and the server half that shares its id, producer and consumer
    /// spans, 64-bit trace ids, plain-text annotations, `error` tags.
    #[test]
    fn py_zipkin_shared_spans_messaging_and_plain_annotations() {
        let s = open("zipkin-json/py-zipkin-checkout-error.json");
        // 7 records: the shared client/server id is merged into one span,
        // failing because either half has an `error` tag (the db span too).
        assert_eq!(counts(&s), n(1, 6, 2, 0, 0, 0));
        assert_eq!(s.report.warnings.count(WarningKind::DuplicateSpan), 1);
        let ok = open("zipkin-json/py-zipkin-checkout.json");
        assert_eq!(counts(&ok), n(1, 6, 0, 0, 0, 0));
        let mut names: Vec<&str> = (s.store.events.name.iter())
            .map(|&e| s.store.str(e))
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                "message sent",
                "py_zipkin.logging_end",
                "py_zipkin.logging_end"
            ]
        );
        // 16-hex trace ids are widened to 32 like OpenTelemetry does.
        assert_eq!(
            s.store.id(s.store.traces.trace_id[0]),
            "00000000000000001600a35a099950d8"
        );
        let kinds: Vec<String> = (0..s.store.span_count())
            .filter_map(|i| {
                s.store
                    .span_attrs(SpanIdx(i as u32))
                    .find(|(k, _)| s.store.str(*k) == "span.kind")
                    .map(|(_, v)| s.store.attr_text(v).into_owned())
            })
            .collect();
        // The client half merges into the server half written before it.
        for kind in ["server", "producer"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
    }

    #[test]
    fn a_cut_file_keeps_the_spans_before_the_cut() {
        let bytes = fixture("zipkin-json/dspy-rag.zipkin-otel-exporter.json");
        let cut = &bytes[..bytes.len() / 2];
        let mut b = StoreBuilder::new();
        let err = parse(cut, &mut b).err();
        assert!(err.as_ref().and_then(ParseError::location).is_some());
        assert!(
            b.span_count() > 5 && b.span_count() < 28,
            "{}",
            b.span_count()
        );

        let s = load(vec![Input::new("cut.json", cut.to_vec())]);
        assert_eq!(s.report.files[0].error, None);
        assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        for doc in [
            &b"garbage"[..],
            b"{\"traceId\": 1}",
            b"[1, 2]",
            b"[{\"tags\": 3}]",
        ] {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
        // A span without ids is skipped with a warning, not an error.
        let mut b = StoreBuilder::new();
        assert!(parse(b"[{\"name\": \"x\", \"timestamp\": 1}]", &mut b).is_ok());
        let (store, warnings) = b.finish();
        assert_eq!(store.span_count(), 0);
        assert_eq!(warnings.count(WarningKind::MissingId), 1);
    }

    #[test]
    fn sniff_needs_an_array_with_microsecond_timestamps() {
        let probe = |head: &'static [u8]| sniff(&ProbeData::new("", head).probe());
        let zipkin = br#"[{"traceId": "ab", "id": "cd", "timestamp": 1795258485268208}]"#;
        assert_eq!(probe(zipkin), Sniff::Yes(65));
        let iso = br#"[{"traceId": "ab", "id": "cd", "timestamp": "2026-11-21T10:48:30Z"}]"#;
        assert!(matches!(probe(iso), Sniff::No(_)));
        let jaeger = br#"[{"traceID": "ab", "spanID": "cd", "startTime": 1795258485268208}]"#;
        assert!(matches!(probe(jaeger), Sniff::No(_)));
        let otlp = br#"{"resourceSpans": [{"traceId": "ab", "spanId": "cd"}]}"#;
        assert!(matches!(probe(otlp), Sniff::No(_)));
    }
}
