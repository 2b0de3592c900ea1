//! What OpenTelemetry Python's `ConsoleSpanExporter` prints: one
//! pretty-printed JSON object per span (`ReadableSpan.to_json()`), written
//! one after another — not an array, not JSON lines. Users redirect it to a
//! file (`ConsoleSpanExporter(out=f)`) or save a terminal's output.
//!
//! Ids are `0x`-prefixed hex in `context`; times ISO 8601 (µs, `Z`);
//! attributes typed JSON values; each span repeats its resource. Spans are
//! read one object at a time, so a cut or broken object loses only itself:
//! reading resumes at the next object that starts a line.

use super::json::{self, Fields};
use super::phoenix_wire::put_attr;
use super::semconv::Semantics;
use super::{time, Content, Format, ParseError, Probe, Sniff};
use crate::model::{AttrValue, SpanDraft, StatusCode, StoreBuilder, TextEncoding, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub const OTEL_CONSOLE: Format = Format {
    id: "otel-console",
    name: "OpenTelemetry console exporter output",
    producers: "OpenTelemetry Python `ConsoleSpanExporter` (span.to_json() per span, concatenated)",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "the span objects printed one after another",
};

#[derive(Deserialize)]
struct ConsoleSpan<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    context: Option<Context<'a>>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    start_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    end_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
    #[serde(borrow, default)]
    attributes: Option<Fields<'a>>,
    #[serde(borrow, default)]
    events: Option<Vec<Event<'a>>>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Context<'a> {
    #[serde(borrow, default)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    span_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow, default)]
    status_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    attributes: Option<Fields<'a>>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(borrow, default)]
    attributes: Option<Fields<'a>>,
}

fn sniff(p: &Probe) -> Sniff {
    if json::first_significant(p.head) != Some(b'{') {
        return Sniff::No("not a JSON object");
    }
    if !p.has_top_key("context") || !p.has_top_key("start_time") {
        return Sniff::No("no \"context\" and \"start_time\" keys");
    }
    if !json::contains(p.head, b"\"SpanKind.") && !json::contains(p.head, b"\"trace_id\":\"0x") {
        return Sniff::No("no \"SpanKind.…\" kind or 0x-prefixed ids");
    }
    Sniff::Yes(80)
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut resources = ResourceRows::default();
    let mut from = 0usize;
    let mut read_any = false;
    let mut record = 0u64;
    let mut last_error = None;
    while from < bytes.len() {
        let mut stream =
            serde_json::Deserializer::from_slice(&bytes[from..]).into_iter::<ConsoleSpan>();
        let mut failed_at = None;
        for item in stream.by_ref() {
            match item {
                Ok(span) => {
                    record += 1;
                    read_any = true;
                    commit(b, span, &mut resources, record);
                }
                Err(e) => {
                    failed_at = Some(e);
                    break;
                }
            }
        }
        let Some(err) = failed_at else {
            break;
        };
        let at = from + stream.byte_offset();
        let location = json::location_of(bytes, at);
        // Resume at the next object that starts a line.
        let next = memchr::memmem::find(&bytes[at..], b"\n{").map(|i| at + i + 1);
        let kind = if json::is_eof(&err) || next.is_none() {
            WarningKind::Truncated
        } else {
            WarningKind::SkippedRecord
        };
        b.warn(
            kind,
            Some(location),
            format!("span object after span {record} skipped: {err}"),
        );
        last_error =
            Some(ParseError::json(&bytes[from..], &err).within(json::location_of(bytes, from)));
        match next {
            Some(next) => from = next,
            None => break,
        }
    }
    match (read_any, last_error) {
        (false, Some(err)) => Err(err),
        _ => Ok(()),
    }
}

/// One resource row per distinct resource text (every span repeats it).
#[derive(Default)]
struct ResourceRows {
    last: Option<(String, u32, crate::model::Sym)>,
}

fn strip_0x(id: Option<Cow<'_, str>>) -> String {
    let id = id.unwrap_or_default();
    let id = id.trim();
    id.strip_prefix("0x").unwrap_or(id).to_string()
}

fn commit(b: &mut StoreBuilder, span: ConsoleSpan<'_>, resources: &mut ResourceRows, record: u64) {
    let (row, service) = match span.resource {
        Some(raw) => resource_row(b, raw, resources),
        None => (crate::model::NONE, crate::model::Sym::EMPTY),
    };
    b.begin_span();
    let mut d = SpanDraft::new();
    let context = span.context.unwrap_or_default();
    d.trace_id = strip_0x(context.trace_id);
    d.span_id = strip_0x(context.span_id);
    d.parent_id = strip_0x(span.parent_id);
    d.name = b.intern(span.name.as_deref().unwrap_or(""));
    d.start_nanos = iso(b, span.start_time.as_deref(), record).unwrap_or(0);
    d.end_nanos = iso(b, span.end_time.as_deref(), record).unwrap_or(d.start_nanos);
    d.resource = row;
    d.service = service;
    let mut sem = Semantics::default();
    for (key, raw) in span.attributes.unwrap_or_default().0 {
        put_attr(b, &mut sem, &mut d, &key, raw);
    }
    if let Some(kind) = span.kind.as_deref().and_then(kind_label) {
        let t = b.owned_text(kind.as_bytes(), TextEncoding::Plain);
        b.attr("span.kind", AttrValue::Str(t));
    }
    if let Some(status) = span.status {
        if let Some(code) = status.status_code.as_deref() {
            match StatusCode::from_label(code) {
                Some(code) => d.status = code,
                None => b.warn_with(WarningKind::BadValue, None, || {
                    format!("span {record}: unknown status_code {code:?}")
                }),
            }
        }
        if let Some((text, t)) = status.description.and_then(|m| json::raw_string(b, m)) {
            if !text.is_empty() {
                d.status_message = Some(t);
            }
        }
    }
    for event in span.events.unwrap_or_default() {
        let at = iso(b, event.timestamp.as_deref(), record);
        b.event(
            event.name.as_deref().unwrap_or(""),
            at.unwrap_or(d.start_nanos),
        );
        for (key, raw) in event.attributes.unwrap_or_default().0 {
            if raw.get() != "null" {
                let value = json::attr_from_raw(b, raw);
                b.event_attr(&key, value);
            }
        }
    }
    sem.finish(b, &mut d);
    b.commit_span(d, None);
}

fn resource_row(
    b: &mut StoreBuilder,
    raw: &RawValue,
    rows: &mut ResourceRows,
) -> (u32, crate::model::Sym) {
    if let Some((text, row, service)) = &rows.last {
        if text == raw.get() {
            return (*row, *service);
        }
    }
    let resource: Option<Resource> = serde_json::from_str(raw.get()).ok();
    let mut service = crate::model::Sym::EMPTY;
    for (key, value) in resource.and_then(|r| r.attributes).unwrap_or_default().0 {
        let v = json::attr_from_raw(b, value);
        if key == "service.name" {
            if let Some((name, _)) = json::raw_string(b, value) {
                service = b.intern(&name);
            }
        }
        b.resource_attr(&key, v);
    }
    let row = b.end_resource();
    rows.last = Some((raw.get().to_string(), row, service));
    (row, service)
}

fn iso(b: &mut StoreBuilder, text: Option<&str>, record: u64) -> Option<i64> {
    let text = text?;
    let nanos = time::iso8601_nanos(text);
    if nanos.is_none() {
        b.warn_with(WarningKind::BadValue, None, || {
            format!("span {record}: {text:?} is not an ISO 8601 time")
        });
    }
    nanos
}

/// `SpanKind.SERVER` → `server`; internal (the usual case) is not stored.
fn kind_label(kind: &str) -> Option<&'static str> {
    match kind.trim_start_matches("SpanKind.") {
        "SERVER" => Some("server"),
        "CLIENT" => Some("client"),
        "PRODUCER" => Some("producer"),
        "CONSUMER" => Some("consumer"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::load::{load, Input};
    use crate::model::WarningKind;

    const SPAN: &str = r#"{
    "name": "LM.__call__",
    "context": {
        "trace_id": "0x0b6967abab682079102ca389e919430f",
        "span_id": "0xa1c50e11aaa05d08",
        "trace_state": "[]"
    },
    "kind": "SpanKind.INTERNAL",
    "parent_id": null,
    "start_time": "2026-11-29T03:33:28.953735Z",
    "end_time": "2026-11-29T03:33:29.953860Z",
    "status": {
        "status_code": "ERROR",
        "description": "boom"
    },
    "attributes": {
        "openinference.span.kind": "LLM",
        "llm.token_count.prompt": 12
    },
    "events": [],
    "links": [],
    "resource": {
        "attributes": {
            "service.name": "svc"
        },
        "schema_url": ""
    }
}
"#;

    #[test]
    fn concatenated_objects_and_a_broken_one_in_between() {
        let second = SPAN.replace("a1c50e11aaa05d08", "a1c50e11aaa05d09");
        let broken = "{\n    \"name\": \"x\",\n    \"context\": {\n";
        let doc = format!("{SPAN}{broken}{second}");
        let session = load(vec![Input::new("", doc.into_bytes())]);
        assert_eq!(session.report.files[0].format, Some("otel-console"));
        let s = &session.store;
        assert_eq!(s.span_count(), 2);
        assert_eq!(s.id(s.spans.span_id[0]), "a1c50e11aaa05d08");
        assert_eq!(s.str(s.spans.service[0]), "svc");
        assert_eq!(s.spans.tokens[0].input, Some(12));
        assert_eq!(s.spans.end_nanos[0] - s.spans.start_nanos[0], 1_000_125_000);
        assert_eq!(session.report.warnings.count(WarningKind::SkippedRecord), 1);
    }
}
