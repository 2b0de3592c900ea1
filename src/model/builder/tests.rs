//! Tests of the builder: LM calls, duplicates, orphans, cycles, copies, text ranges.
use super::*;

fn span(
    b: &mut StoreBuilder,
    trace: &str,
    id: &str,
    parent: &str,
    kind: SpanKind,
    start: i64,
) -> bool {
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = trace.into();
    d.span_id = id.into();
    d.parent_id = parent.into();
    d.kind = kind;
    d.start_nanos = start;
    d.end_nanos = start + 10;
    b.commit_span(d, None)
}

#[test]
fn lm_calls_are_innermost_llm_spans() {
    let mut b = StoreBuilder::new();
    span(&mut b, "t1", "a", "", SpanKind::Chain, 0);
    span(&mut b, "t1", "b", "a", SpanKind::Llm, 1);
    span(&mut b, "t1", "c", "b", SpanKind::Llm, 2);
    span(&mut b, "t1", "d", "a", SpanKind::Llm, 3);
    let (store, _) = b.finish();
    assert_eq!(store.spans.is_lm_call, vec![false, false, true, true]);
}

#[test]
fn duplicates_orphans_and_cycles_are_warnings() {
    let mut b = StoreBuilder::new();
    assert!(span(&mut b, "t1", "a", "", SpanKind::Chain, 0));
    assert!(!span(&mut b, "t1", "a", "", SpanKind::Chain, 0));
    span(&mut b, "t1", "b", "zz", SpanKind::Chain, 1);
    span(&mut b, "t2", "c", "d", SpanKind::Chain, 0);
    span(&mut b, "t2", "d", "c", SpanKind::Chain, 1);
    let (store, warnings) = b.finish();
    assert_eq!(warnings.count(WarningKind::DuplicateSpan), 1);
    assert_eq!(warnings.count(WarningKind::OrphanParent), 1);
    assert_eq!(warnings.count(WarningKind::ParentCycle), 1);
    assert_eq!(store.span_count(), 4);
    assert_eq!(store.trace_count(), 2);
    // The cycle is cut: at least one span of t2 is a root.
    assert!(store.spans.parent[2] == NONE || store.spans.parent[3] == NONE);
}

#[test]
fn a_repeated_span_is_merged_into_its_first_copy() {
    let mut b = StoreBuilder::new();
    // A nameless, instantaneous, attribute-carrying first half…
    b.begin_span();
    b.attr("shared", AttrValue::Bool(true));
    let mut first = SpanDraft::new();
    (first.trace_id, first.span_id) = ("t1".into(), "a".into());
    (first.start_nanos, first.end_nanos) = (5, 5);
    b.commit_span(first, None);
    // …and a named, timed, failing second half with an event.
    b.begin_span();
    b.attr("shared", AttrValue::Bool(false));
    b.attr("http.method", AttrValue::Int(1));
    b.event("exception", 7);
    let mut second = SpanDraft::new();
    (second.trace_id, second.span_id) = ("t1".into(), "a".into());
    second.name = b.intern("GET /auth");
    (second.start_nanos, second.end_nanos) = (2, 9);
    second.status = StatusCode::Error;
    assert!(!b.commit_span(second, None));
    let (store, warnings) = b.finish();
    assert_eq!(store.span_count(), 1);
    assert_eq!(warnings.count(WarningKind::DuplicateSpan), 1);
    assert_eq!(store.str(store.spans.name[0]), "GET /auth");
    assert_eq!(
        (store.spans.start_nanos[0], store.spans.end_nanos[0]),
        (2, 9)
    );
    assert_eq!(store.spans.status[0], StatusCode::Error);
    let keys: Vec<&str> = store
        .span_attrs(SpanIdx(0))
        .map(|(k, _)| store.str(k))
        .collect();
    assert_eq!(
        keys,
        ["shared", "http.method"],
        "first copy's values win, no key twice"
    );
    assert_eq!(store.span_events(SpanIdx(0)).len(), 1);
}

#[test]
fn text_inside_the_source_is_a_range() {
    let bytes = Arc::new(b"hello world".to_vec());
    let mut b = StoreBuilder::new();
    b.begin_source("f", "test", Arc::clone(&bytes));
    let s = std::str::from_utf8(&bytes[6..]).unwrap_or_default();
    let inside = b.text(s, TextEncoding::Plain);
    let outside = b.text("copied", TextEncoding::Plain);
    b.end_source();
    let (store, _) = b.finish();
    assert_eq!(
        (inside.source, inside.start, inside.len),
        (SourceId(1), 6, 5)
    );
    assert_eq!(outside.source, SourceId(0));
    assert_eq!(store.text(inside), "world");
    assert_eq!(store.text(outside), "copied");
}
