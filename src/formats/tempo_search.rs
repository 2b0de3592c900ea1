//! Grafana Tempo search results (`GET /api/search`): trace summaries, each
//! with the spans that matched the query (`spanSet`, `spanSets`).
//!
//! A summary names its root (`rootTraceName`, `rootServiceName`,
//! `startTimeUnixNano`, `durationMs`) but not the root's span id, and the
//! matched spans carry no parent links. Each trace becomes its root span
//! with the matched spans under it; a matched span that is the root (same
//! name, same start) stands for it. One warning per file says so; the
//! trace-by-id endpoint has the whole tree.

use super::json::{self, Int64, Records};
use super::otlp_wire::{put_attr, KeyValue};
use super::semconv::Semantics;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{AttrValue, SpanDraft, SpanKind, StoreBuilder, WarningKind};
use serde::Deserialize;
use std::borrow::Cow;

pub const TEMPO_SEARCH: Format = Format {
    id: "tempo-search",
    name: "Tempo search results",
    producers: "Grafana Tempo `GET /api/search` (TraceQL or tag search)",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "traces[] (each root) and traces[].spanSets[].spans[]",
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTrace<'a> {
    #[serde(borrow, rename = "traceID")]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    root_service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    root_trace_name: Option<Cow<'a, str>>,
    start_time_unix_nano: Option<Int64>,
    duration_ms: Option<Int64>,
    #[serde(borrow)]
    span_set: Option<WireSpanSet<'a>>,
    #[serde(borrow)]
    span_sets: Option<Vec<WireSpanSet<'a>>>,
}

#[derive(Deserialize)]
struct WireSpanSet<'a> {
    #[serde(borrow, default)]
    spans: Vec<WireSpan<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSpan<'a> {
    #[serde(borrow, rename = "spanID")]
    span_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    start_time_unix_nano: Option<Int64>,
    duration_nanos: Option<Int64>,
    #[serde(borrow, default)]
    attributes: Vec<KeyValue<'a>>,
}

fn sniff(p: &Probe) -> Sniff {
    if !p.has_top_key("traces") {
        return Sniff::No("no top-level \"traces\" key");
    }
    if !json::contains(p.head, b"\"rootTraceName\"")
        && !json::contains(p.head, b"\"rootServiceName\"")
    {
        return Sniff::No("no \"rootTraceName\" or \"rootServiceName\" keys");
    }
    Sniff::Yes(80)
}

/// The made-up span id of a trace's root when no matched span is the root.
const ROOT_ID: &str = "tempo-search-root";

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut traces = 0u64;
    json::stream_records(bytes, Records::Field("traces"), |trace: WireTrace<'_>| {
        traces += 1;
        commit_trace(b, trace);
    })
    .map_err(|e| ParseError::json(bytes, &e))?;
    if traces > 0 {
        b.warn(
            WarningKind::Partial,
            None,
            "Tempo search results hold only the spans that matched the query, without parent \
             links: each trace shows its root with the matched spans under it. Load the trace \
             by id (GET /api/traces/{id}) for the whole tree",
        );
    }
    Ok(())
}

fn commit_trace(b: &mut StoreBuilder, trace: WireTrace<'_>) {
    let trace_id = trace.trace_id.map(Cow::into_owned).unwrap_or_default();
    let root_name = trace.root_trace_name.unwrap_or_default();
    let start = trace.start_time_unix_nano.unwrap_or_default().0;
    let mut spans: Vec<WireSpan<'_>> = match trace.span_sets {
        Some(sets) if !sets.is_empty() => sets.into_iter().flat_map(|s| s.spans).collect(),
        _ => trace.span_set.map(|s| s.spans).unwrap_or_default(),
    };
    // Span sets may list a span more than once.
    let mut seen = std::collections::HashSet::new();
    spans.retain(|s| seen.insert(s.span_id.clone().unwrap_or_default()));
    let root_at = spans.iter().position(|s| {
        s.start_time_unix_nano.is_some_and(|t| t.0 == start)
            && s.name.as_deref().is_some_and(|n| n == root_name)
    });
    let root_id = match root_at {
        Some(i) => spans[i].span_id.as_deref().unwrap_or(ROOT_ID).to_string(),
        None => ROOT_ID.to_string(),
    };

    b.begin_span();
    let mut root = SpanDraft::new();
    root.trace_id = trace_id.clone();
    root.span_id = root_id.clone();
    root.name = b.intern(&root_name);
    root.service = b.intern(trace.root_service_name.as_deref().unwrap_or(""));
    root.start_nanos = start;
    root.end_nanos = start
        + trace
            .duration_ms
            .unwrap_or_default()
            .0
            .saturating_mul(1_000_000);
    // `durationMs` is rounded down to whole milliseconds: a matched span
    // that ends within that rounding still ends inside its root.
    let last_end = (spans.iter())
        .filter_map(|s| Some(s.start_time_unix_nano?.0 + s.duration_nanos.unwrap_or_default().0))
        .max()
        .unwrap_or(root.end_nanos);
    if last_end > root.end_nanos && last_end - root.end_nanos < 1_000_000 {
        root.end_nanos = last_end;
    }
    root.kind = SpanKind::Unknown;
    let mut sem = Semantics::default();
    if let Some(i) = root_at {
        for kv in &spans[i].attributes {
            put_attr(b, &mut sem, &mut root, kv, |b, k, v| b.attr(k, v));
        }
    }
    sem.finish(b, &mut root);
    b.commit_span(root, None);

    for (i, span) in spans.into_iter().enumerate() {
        if Some(i) == root_at {
            continue;
        }
        b.begin_span();
        let mut d = SpanDraft::new();
        d.trace_id = trace_id.clone();
        d.span_id = span.span_id.map(Cow::into_owned).unwrap_or_default();
        d.parent_id = root_id.clone();
        d.name = b.intern(span.name.as_deref().unwrap_or(""));
        d.start_nanos = span.start_time_unix_nano.unwrap_or_default().0;
        d.end_nanos = d.start_nanos + span.duration_nanos.unwrap_or_default().0;
        let mut sem = Semantics::default();
        for kv in &span.attributes {
            put_attr(b, &mut sem, &mut d, kv, |b, k, v| b.attr(k, v));
        }
        b.attr("tempo.search.matched", AttrValue::Bool(true));
        sem.finish(b, &mut d);
        b.commit_span(d, None);
    }
}

#[cfg(test)]
mod tests {
    use crate::load::{load, Input};

    #[test]
    fn summaries_become_roots_with_their_matched_spans() {
        let doc = br#"{"traces":[{"traceID":"7a1d2dd4deaf177e0acf55b3c490321f","rootServiceName":"svc","rootTraceName":"GET /","startTimeUnixNano":"1000000000","durationMs":6,
          "spanSet":{"spans":[{"spanID":"c9da5e6e5f51bb83","startTimeUnixNano":"1000000000","durationNanos":"6000000","name":"GET /","attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
                              {"spanID":"8c367283c37587f9","startTimeUnixNano":"1000500000","durationNanos":"128512","attributes":[]}],"matched":2}}],"metrics":{}}"#;
        let session = load(vec![Input::new("", doc.to_vec())]);
        assert_eq!(session.report.files[0].format, Some("tempo-search"));
        let s = &session.store;
        assert_eq!(s.span_count(), 2);
        assert_eq!(s.id(s.spans.span_id[0]), "c9da5e6e5f51bb83");
        assert_eq!(s.spans.parent[1], 0);
        assert_eq!(s.spans.end_nanos[0] - s.spans.start_nanos[0], 6_000_000);
    }
}
