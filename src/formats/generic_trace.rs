//! Generic trace JSON: the `{trace_id, agent_id, name, status, started_at,
//! latency_ms, metadata, error, spans: [...]}` objects that observability
//! SaaS SDKs post (as in Nexus's DSPy guide), one object, an array of them,
//! or one per line. The exact accepted shape is in the README section
//! "Generic trace JSON".
//!
//! A trace becomes a root span and its `spans` its children. There are no
//! span ids in this shape: the root is `root` and the children `span-1`,
//! `span-2`… of their trace. A span without `started_at` is laid out right
//! after the previous one and marked `spanscope.start_inferred`.

use super::json::{self, attr_from_raw, raw_string, Float64, Records};
use super::time::{iso8601_nanos, millis_nanos};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, SpanKind, StatusCode, StoreBuilder, TextEncoding, WarningKind,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const GENERIC_TRACE_JSON: Format = Format {
    id: "generic-trace-json",
    name: "Generic trace JSON",
    producers: "observability SaaS SDKs posting {trace_id, spans: [...]} objects (e.g. Nexus), hand-written logs",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "trace objects (\"trace_id\", \"spans\")",
};

const ROOT_ID: &str = "root";

fn sniff(p: &Probe) -> Sniff {
    let has = |key: &[u8]| json::contains(p.head, key);
    if has(b"\"resourceSpans\"") {
        return Sniff::No("OTLP request");
    }
    // DSPy per-request / per-step logs share `trace_id` and `latency_ms`.
    if has(b"\"total_latency_ms\"") || has(b"\"steps\"") {
        return Sniff::No("per-step log (\"steps\", \"total_latency_ms\")");
    }
    if has(b"\"trace_id\"") && has(b"\"spans\"") && has(b"\"latency_ms\"") {
        Sniff::Yes(60)
    } else {
        Sniff::No("no \"trace_id\", \"spans\" and \"latency_ms\" keys")
    }
}

/// A trace; its `spans` are [`WireSpan`]s.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireTrace<'a> {
    #[serde(borrow)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    agent_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    started_at: Option<Cow<'a, str>>,
    latency_ms: Option<Float64>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
    #[serde(borrow)]
    spans: Option<Vec<WireSpan<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WireSpan<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    started_at: Option<Cow<'a, str>>,
    latency_ms: Option<Float64>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

/// One object, an array of objects, or JSON lines of objects.
fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    if json::looks_like_jsonl(bytes) {
        return parse_lines(bytes, b);
    }
    let mut traces = 0usize;
    let result = json::stream_records::<WireTrace, _>(bytes, Records::ArrayOrOne, |t| {
        traces += usize::from(commit_trace(b, &t, None));
    });
    match result {
        Err(e) => Err(ParseError::json(bytes, &e)),
        Ok(()) if traces == 0 => Err(no_trace()),
        Ok(()) => Ok(()),
    }
}

fn no_trace() -> ParseError {
    ParseError::Shape("no trace object with a \"trace_id\" found".into())
}

/// One trace per line; a line that cannot be read is skipped with a warning.
fn parse_lines(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut traces = 0usize;
    let mut last_error = None;
    for (number, line) in json::lines(bytes) {
        match serde_json::from_slice::<WireTrace>(line) {
            Ok(t) => traces += usize::from(commit_trace(b, &t, Some(Location::line(number)))),
            Err(e) => {
                last_error = Some(json::skip_bad_line(b, line, number, &e));
            }
        }
    }
    match (traces, last_error) {
        (0, Some(err)) => Err(err),
        (0, None) => Err(no_trace()),
        _ => Ok(()),
    }
}

/// Start and end of each span: its own `started_at`, else right after the
/// previous span (the first: at the trace's start). The flag says "inferred".
fn lay_out(spans: &[WireSpan<'_>], trace_start: i64) -> Vec<(i64, i64, bool)> {
    let mut cursor = trace_start;
    spans
        .iter()
        .map(|s| {
            let given = s.started_at.as_deref().and_then(iso8601_nanos);
            let start = given.unwrap_or(cursor);
            let end = start + duration_nanos(s.latency_ms);
            cursor = end;
            (start, end, given.is_none())
        })
        .collect()
}

fn duration_nanos(latency_ms: Option<Float64>) -> i64 {
    latency_ms.and_then(|l| millis_nanos(l.0)).unwrap_or(0)
}

/// Commits a trace's root span and its children; false if it has no id.
fn commit_trace(b: &mut StoreBuilder, t: &WireTrace<'_>, at: Option<Location>) -> bool {
    let name = t.name.as_deref().unwrap_or("");
    let Some(trace_id) = t.trace_id.as_deref().filter(|id| !id.trim().is_empty()) else {
        b.warn(
            WarningKind::MissingId,
            at,
            format!("trace {name:?} has no trace_id; skipped"),
        );
        return false;
    };
    let spans = t.spans.as_deref().unwrap_or_default();
    let first_span_start = spans
        .iter()
        .find_map(|s| s.started_at.as_deref().and_then(iso8601_nanos));
    let start = t.started_at.as_deref().and_then(iso8601_nanos);
    let start = match start.or(first_span_start) {
        Some(start) => start,
        None => {
            b.warn(
                WarningKind::BadValue,
                at,
                format!("trace {trace_id} has no readable started_at; placed at the epoch"),
            );
            0
        }
    };
    let layout = lay_out(spans, start);
    let service = t
        .agent_id
        .as_deref()
        .map_or(Default::default(), |a| b.intern(a));

    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = trace_id.to_owned();
    d.span_id = ROOT_ID.to_owned();
    d.name = b.intern(name);
    d.kind = if t.agent_id.is_some() {
        SpanKind::Agent
    } else {
        SpanKind::Chain
    };
    d.service = service;
    d.start_nanos = start;
    d.end_nanos = match t.latency_ms {
        Some(_) => start + duration_nanos(t.latency_ms),
        None => layout.iter().map(|l| l.1).fold(start, i64::max),
    };
    set_status(b, &mut d, t.status.as_deref(), t.error);
    if let Some(metadata) = t.metadata {
        put_metadata(b, &mut d, metadata, Some(trace_id));
    }
    b.commit_span(d, at);

    for (i, (s, &(start, end, inferred))) in spans.iter().zip(&layout).enumerate() {
        b.begin_span();
        let mut d = SpanDraft::new();
        d.trace_id = trace_id.to_owned();
        d.span_id = format!("span-{}", i + 1);
        d.parent_id = ROOT_ID.to_owned();
        d.name = b.intern(s.name.as_deref().unwrap_or(""));
        d.service = service;
        (d.start_nanos, d.end_nanos) = (start, end);
        if inferred {
            b.attr("spanscope.start_inferred", AttrValue::Bool(true));
        }
        set_status(b, &mut d, s.status.as_deref(), s.error);
        let hints = s.metadata.map(|m| put_metadata(b, &mut d, m, None));
        d.kind = match hints.unwrap_or_default() {
            Hints { model: true, .. } => SpanKind::Llm,
            Hints { tool: true, .. } => SpanKind::Tool,
            _ => SpanKind::Unknown,
        };
        b.commit_span(d, at);
    }
    true
}

/// `status` words → status; a non-empty `error` always means an error, and
/// its text (a string, an object's `message`, or the JSON) is the message.
fn set_status(
    b: &mut StoreBuilder,
    d: &mut SpanDraft,
    status: Option<&str>,
    error: Option<&RawValue>,
) {
    if let Some(word) = status {
        let t = b.text(word, TextEncoding::Plain);
        b.attr("status", AttrValue::Str(t));
        d.status = match word.trim().to_ascii_lowercase().as_str() {
            "success" | "succeeded" | "ok" | "completed" | "complete" | "done" | "finished" => {
                StatusCode::Ok
            }
            "error" | "errored" | "failed" | "failure" | "fail" | "exception" | "timeout" => {
                StatusCode::Error
            }
            other => StatusCode::from_label(other).unwrap_or(StatusCode::Unset),
        };
    }
    let Some(error) = error else { return };
    match raw_string(b, error) {
        Some((text, t)) if !text.trim().is_empty() => {
            d.status = StatusCode::Error;
            d.status_message = Some(t);
        }
        Some(_) => {}
        None if matches!(error.get(), "null" | "false") => {}
        None => {
            // `{"type": …, "message": …}`: the message is the status message;
            // the whole object stays as the `error` attribute.
            d.status = StatusCode::Error;
            let whole = b.text(error.get(), TextEncoding::JsonValue);
            b.attr("error", AttrValue::Json(whole));
            let message = serde_json::from_str::<ErrorObject>(error.get())
                .ok()
                .and_then(|e| e.message)
                .and_then(|m| raw_string(b, m))
                .filter(|(text, _)| !text.trim().is_empty());
            d.status_message = Some(message.map_or(whole, |(_, t)| t));
        }
    }
}

#[derive(Deserialize)]
struct ErrorObject<'a> {
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

/// What a span's metadata says about its kind.
#[derive(Default, Clone, Copy)]
struct Hints {
    model: bool,
    tool: bool,
}

/// Stores `metadata.<key>` attributes (and trace metadata for the trace's
/// own) and reads `model`, token counts and cost from them.
fn put_metadata(
    b: &mut StoreBuilder,
    d: &mut SpanDraft,
    raw: &RawValue,
    trace: Option<&str>,
) -> Hints {
    let mut hints = Hints::default();
    let Ok(entries) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) else {
        if raw.get() != "null" {
            let value = attr_from_raw(b, raw);
            b.attr("metadata", value);
        }
        return hints;
    };
    for (key, value) in entries {
        if value.get() == "null" {
            continue;
        }
        let full_key = format!("metadata.{key}");
        let stored = attr_from_raw(b, value);
        b.attr(&full_key, stored);
        if let Some(trace) = trace {
            b.trace_meta(trace, &full_key, stored);
        }
        let count = || {
            let n = value.get().trim_matches('"').parse::<f64>().ok();
            n.filter(|n| n.is_finite() && *n >= 0.0).map(|n| n as u64)
        };
        match key.as_str() {
            "model" => {
                if let Some((model, _)) = raw_string(b, value) {
                    d.model = b.intern(&model);
                    hints.model = true;
                }
            }
            "tool_name" => hints.tool = true,
            "input_tokens" | "prompt_tokens" => d.tokens.input = count().or(d.tokens.input),
            "output_tokens" | "completion_tokens" => d.tokens.output = count().or(d.tokens.output),
            "tokens" | "total_tokens" => d.tokens.total = count().or(d.tokens.total),
            "cost" | "cost_usd" => {
                let usd = value.get().trim_matches('"').parse::<f64>().ok();
                d.cost_usd = usd.filter(|c| c.is_finite()).or(d.cost_usd);
            }
            _ => {}
        }
    }
    if let (None, Some(i), Some(o)) = (d.tokens.total, d.tokens.input, d.tokens.output) {
        d.tokens.total = Some(i + o);
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::detect;
    use crate::formats::ProbeData;
    use crate::load::{load, Input, Session};
    use crate::model::TraceIdx;

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap_or_default()
    }

    fn load_fixture(rel: &str) -> Session {
        load(vec![Input::new(rel, fixture(rel))])
    }

    fn spans_named<'s>(s: &'s Session, name: &'s str) -> impl Iterator<Item = usize> + 's {
        (0..s.store.span_count()).filter(move |&i| s.store.str(s.store.spans.name[i]) == name)
    }

    // Expected numbers counted with python3 over the fixture JSON.
    #[test]
    fn single_rag_trace() {
        let s = load_fixture("generic-trace-json/handmade-rag-trace.json");
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans, t.lm_calls), (1, 3, 0, 1));
        assert_eq!((t.input_tokens, t.output_tokens), (812, 96));
        let (store, sp) = (&s.store, &s.store.spans);
        let generate = spans_named(&s, "generate").next().unwrap_or(0);
        assert_eq!(store.str(sp.model[generate]), "openai/gpt-4o");
        assert_eq!(sp.cost_usd[generate], 0.00299);
        assert_eq!(
            store.duration_nanos(crate::model::SpanIdx(generate as u32)),
            1_775_250_000
        );
        let root = sp.parent[generate] as usize;
        assert_eq!(store.id(sp.span_id[root]), "root");
        assert_eq!(sp.kind[root], SpanKind::Agent);
        assert_eq!(store.str(sp.service[root]), "dspy-rag-program");
        assert_eq!(
            store.id(store.traces.trace_id[0]),
            "9b2f7c1e3d4a4e5f8a6b7c8d9e0f1a2b"
        );
        let user = store
            .trace_meta(TraceIdx(0))
            .find(|(k, _)| store.str(*k) == "metadata.user_id");
        assert_eq!(
            user.map(|(_, v)| store.attr_text(v).into_owned())
                .as_deref(),
            Some("user-3")
        );
    }

    #[test]
    fn array_with_inferred_starts_and_errors() {
        let s = load_fixture("generic-trace-json/handmade-traces.json");
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans, t.lm_calls), (2, 9, 2, 4));
        assert_eq!((t.input_tokens, t.output_tokens), (1330, 111));
        let (store, sp) = (&s.store, &s.store.spans);
        // The second multihop span has no started_at: it follows the first (610 ms).
        let retrieve = spans_named(&s, "retrieve").next().unwrap_or(0);
        let root = sp.parent[retrieve] as usize;
        assert_eq!(sp.start_nanos[retrieve] - sp.start_nanos[root], 610_000_000);
        let inferred = store.span_attr(
            crate::model::SpanIdx(retrieve as u32),
            "spanscope.start_inferred",
        );
        assert_eq!(inferred, Some(AttrValue::Bool(true)));
        let tool = spans_named(&s, "lookup_population").next().unwrap_or(0);
        assert_eq!(
            (sp.kind[tool], sp.status[tool]),
            (SpanKind::Tool, StatusCode::Error)
        );
        let message = sp.status_message[tool].map(|m| store.text(m).into_owned());
        assert_eq!(message.as_deref(), Some("HTTP 503 Service Unavailable"));
        let first_query = spans_named(&s, "generate_query").next().unwrap_or(0);
        assert_eq!(sp.tokens[first_query].total, Some(240));
    }

    #[test]
    fn json_lines_and_error_objects() {
        let s = load_fixture("generic-trace-json/handmade-traces.jsonl");
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans, t.lm_calls), (3, 6, 2, 3));
        assert_eq!((t.input_tokens, t.output_tokens), (615, 23));
        let sp = &s.store.spans;
        let failed = (0..sp.status.len()).find(|&i| sp.status[i] == StatusCode::Error);
        let message = failed
            .and_then(|i| sp.status_message[i])
            .map(|m| s.store.text(m).into_owned());
        assert_eq!(message.as_deref(), Some("429 Too Many Requests"));
    }

    #[test]
    fn dspy_step_logs_are_not_generic_traces() {
        for scenario in ["dspy-rag", "dspy-multihop", "dspy-classify", "dspy-react"] {
            for kind in ["steps", "requests"] {
                let name = format!("step-jsonl/{scenario}.{kind}.jsonl");
                let bytes = fixture(&name);
                assert!(!bytes.is_empty(), "{name}");
                let probe = ProbeData::new("", &bytes);
                assert!(matches!(sniff(&probe.probe()), Sniff::No(_)), "{name}");
                let detected = detect(&name, &bytes).map(|f| f.id);
                assert_ne!(detected, Ok("generic-trace-json"), "{name}");
            }
        }
    }

    #[test]
    fn cuts_and_broken_lines_keep_what_came_before() {
        let bytes = fixture("generic-trace-json/handmade-traces.json");
        let second = memchr::memmem::find(&bytes, b"5e6f708192a3b4c5d6e7f80911223344").unwrap_or(0);
        let s = load(vec![Input::new("", bytes[..second + 100].to_vec())]);
        assert_eq!(s.report.files[0].error, None);
        assert_eq!(s.store.span_count(), 6);
        assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1);
        let at = s
            .report
            .warnings
            .groups()
            .find_map(|(_, _, g)| g.examples[0].0);
        assert!(at.is_some_and(|a| a.line.is_some() && a.byte.is_some()));

        let lines = fixture("generic-trace-json/handmade-traces.jsonl");
        let text = String::from_utf8_lossy(&lines).replacen("\"agent_id\"", "\"agent_id\" ::", 2);
        let mut b = StoreBuilder::new();
        assert_eq!(parse(text.as_bytes(), &mut b), Ok(()));
        let (store, warnings) = b.finish();
        assert_eq!(store.span_count(), 2);
        assert_eq!(warnings.count(WarningKind::SkippedRecord), 2);
        let lines: Vec<_> = warnings
            .groups()
            .flat_map(|(_, _, g)| g.examples.iter().map(|(at, _)| at.and_then(|a| a.line)))
            .collect();
        assert_eq!(lines, [Some(1), Some(2)]);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        let docs: [&[u8]; 6] = [
            b"nonsense",
            b"{\"a\": 1}",
            b"[]",
            b"[1]",
            b"{\"trace_id\": 5, \"spans\": []}",
            b"{\"trace_id\": \"t\", \"spans\": 3}",
        ];
        for doc in docs {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
    }
}
