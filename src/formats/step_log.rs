//! Per-request and per-step JSON lines written by a wrapper that times each
//! request of a DSPy program:
//!
//! - requests: `{"trace_id", "timestamp", "inputs", "outputs",
//!   "total_latency_ms"}`, plus `"error"` when the request failed;
//! - steps: the same without inputs/outputs, plus `"steps": [{"step",
//!   "inputs", "outputs", "latency_ms", "error"?}]`.
//!
//! Each line is a trace with one root span named `request` (the log does not
//! name the program). Both files give the root the same span id (the trace
//! id), so loading both merges them into one tree. Steps have no start
//! times: they are laid end to end from the request start and carry
//! `spanscope.start_inferred: true`. One parser reads both shapes; the two
//! ids only tell the user which file they gave.

use super::dspy_history::payload;
use super::json::{self, Float64};
use super::time;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, SpanKind, StatusCode, StoreBuilder, WarningKind,
};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub const DSPY_REQUEST_LOG: Format = Format {
    id: "dspy-request-log",
    name: "DSPy per-request log (JSON lines)",
    producers: "a request wrapper around a DSPy program (one line per request)",
    sniff: sniff_requests,
    parse,
    content: Content::Json,
    spans_at: "one request per line",
};

pub const DSPY_STEP_LOG: Format = Format {
    id: "dspy-step-log",
    name: "DSPy per-step log (JSON lines)",
    producers: "a request wrapper around a DSPy program (one line per request, with its steps)",
    sniff: sniff_steps,
    parse,
    content: Content::Json,
    spans_at: "one request and its \"steps\" per line",
};

/// Marks a step whose start time was worked out from the latencies before it.
const START_INFERRED: &str = "spanscope.start_inferred";

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow)]
    trace_id: Cow<'a, str>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    inputs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    outputs: Option<&'a RawValue>,
    #[serde(default)]
    total_latency_ms: Option<Float64>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
    #[serde(borrow, default)]
    steps: Option<Vec<Step<'a>>>,
}

#[derive(Deserialize)]
struct Step<'a> {
    #[serde(borrow, default)]
    step: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    inputs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    outputs: Option<&'a RawValue>,
    #[serde(default)]
    latency_ms: Option<Float64>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

/// Which keys a step's `inputs` object has (module calls log `args` and
/// `kwargs`, tool calls only `kwargs`).
#[derive(Deserialize)]
struct InputKeys {
    args: Option<IgnoredAny>,
}

/// The first line, whole (a memchr to the newline; it may exceed the head).
fn first_line<'a>(p: &Probe<'a>) -> Option<&'a [u8]> {
    if json::first_significant(p.head) != Some(b'{') {
        return None;
    }
    let first = p.deep.split(|&c| c == b'\n').next()?;
    let ok =
        json::contains(first, b"\"trace_id\"") && json::contains(first, b"\"total_latency_ms\"");
    ok.then_some(first)
}

/// A steps line has per-step `"latency_ms"` keys (the needle with its
/// opening quote does not match `"total_latency_ms"`) or an empty list.
fn has_steps(line: &[u8]) -> bool {
    json::contains(line, b"\"steps\"")
        && (json::contains(line, b"\"latency_ms\"") || json::contains(line, b"\"steps\": []"))
}

fn sniff_requests(p: &Probe) -> Sniff {
    match first_line(p) {
        None => Sniff::No("no \"trace_id\" and \"total_latency_ms\" keys on the first line"),
        Some(line) if has_steps(line) => Sniff::No("has \"steps\": a per-step log"),
        Some(_) => Sniff::Yes(75),
    }
}

fn sniff_steps(p: &Probe) -> Sniff {
    match first_line(p) {
        None => Sniff::No("no \"trace_id\" and \"total_latency_ms\" keys on the first line"),
        Some(line) if has_steps(line) => Sniff::Yes(75),
        Some(_) => Sniff::No("no \"steps\" list: a per-request log"),
    }
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut any = false;
    let mut last_error = None;
    for (number, line) in json::lines(bytes) {
        match serde_json::from_slice::<Request>(line) {
            Ok(request) => {
                commit_request(b, request, number);
                any = true;
            }
            Err(e) => {
                last_error = Some(json::skip_bad_line(b, line, number, &e));
            }
        }
    }
    match (any, last_error) {
        (false, Some(err)) => Err(err),
        _ => Ok(()),
    }
}

/// Error status and message from an `error` value (a string, or anything
/// but `null`).
fn status(b: &mut StoreBuilder, d: &mut SpanDraft, error: Option<&RawValue>) {
    match error {
        Some(raw) => {
            d.status = StatusCode::Error;
            d.status_message = Some(payload(b, raw));
        }
        // The wrapper writes `error` for every failure, so its absence is a success.
        None => d.status = StatusCode::Ok,
    }
}

fn commit_request(b: &mut StoreBuilder, r: Request<'_>, number: u64) {
    let at = Some(Location::line(number));
    let start_nanos = match r.timestamp.as_deref().map(|t| (t, time::iso8601_nanos(t))) {
        Some((_, Some(nanos))) => nanos,
        other => {
            let text = other.map_or("none".to_owned(), |(t, _)| format!("{t:?}"));
            b.warn(
                WarningKind::BadValue,
                at,
                format!("line {number}: timestamp {text} is not ISO 8601; shown at time 0"),
            );
            0
        }
    };
    let total_nanos = r
        .total_latency_ms
        .and_then(|ms| time::millis_nanos(ms.0))
        .filter(|n| *n >= 0);
    if total_nanos.is_none() {
        b.warn(
            WarningKind::BadValue,
            at,
            format!("line {number}: no usable total_latency_ms; the request is shown by its steps"),
        );
    }

    let trace_id = r.trace_id.trim();
    let steps = r.steps.unwrap_or_default();
    let latencies: Vec<i64> = steps
        .iter()
        .enumerate()
        .map(|(step_no, step)| step_latency(b, step, step_no, number))
        .collect();
    let steps_nanos = latencies.iter().fold(0i64, |sum, n| sum.saturating_add(*n));
    if let Some(total) = total_nanos.filter(|&t| steps_nanos > t) {
        b.warn_with(WarningKind::BadValue, at, || {
            format!(
                "line {number}: the steps add up to {:.3} ms, more than the request's {:.3} ms; \
                 both are shown as logged",
                steps_nanos as f64 / 1e6,
                total as f64 / 1e6
            )
        });
    }

    // The root goes first so that it precedes a first step with the same start.
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = trace_id.to_owned();
    d.span_id = trace_id.to_owned();
    d.name = b.intern("request");
    d.kind = SpanKind::Chain;
    d.start_nanos = start_nanos;
    d.end_nanos = start_nanos.saturating_add(total_nanos.unwrap_or(steps_nanos));
    d.input = r.inputs.map(|raw| payload(b, raw));
    d.output = r.outputs.map(|raw| payload(b, raw));
    status(b, &mut d, r.error);
    b.commit_span(d, at);

    let mut cursor = start_nanos;
    for (step_no, (step, latency)) in steps.iter().zip(latencies).enumerate() {
        let end_nanos = cursor.saturating_add(latency);
        commit_step(b, trace_id, step_no, step, (cursor, end_nanos), number);
        cursor = end_nanos;
    }
}

/// A step's latency in ns; 0 (with a warning) when it is missing or negative.
fn step_latency(b: &mut StoreBuilder, step: &Step<'_>, step_no: usize, number: u64) -> i64 {
    let latency = step
        .latency_ms
        .and_then(|ms| time::millis_nanos(ms.0))
        .filter(|n| *n >= 0);
    if latency.is_none() {
        let name = step.step.as_deref().unwrap_or("step");
        b.warn(
            WarningKind::BadValue,
            Some(Location::line(number)),
            format!("line {number}: step {step_no} ({name}) has no usable latency_ms; shown as 0"),
        );
    }
    latency.unwrap_or(0)
}

/// Kind of a step from its name and inputs. `retrieve*` is a retriever;
/// a step whose inputs have no `args` was called with keywords only, as
/// ReAct calls its tools (module calls log `{"args", "kwargs"}`); anything
/// else is a module.
fn step_kind(name: &str, inputs: Option<&RawValue>) -> SpanKind {
    if name.to_ascii_lowercase().starts_with("retrieve") {
        return SpanKind::Retriever;
    }
    match inputs.map(|raw| serde_json::from_str::<InputKeys>(raw.get())) {
        Some(Ok(InputKeys { args: None })) => SpanKind::Tool,
        _ => SpanKind::Chain,
    }
}

/// Adds one step over `(start, end)` ns, a child of the request's root.
fn commit_step(
    b: &mut StoreBuilder,
    trace_id: &str,
    step_no: usize,
    step: &Step<'_>,
    (start_nanos, end_nanos): (i64, i64),
    number: u64,
) {
    let name = step.step.as_deref().unwrap_or("step");
    b.begin_span();
    b.attr(START_INFERRED, AttrValue::Bool(true));
    let mut d = SpanDraft::new();
    d.trace_id = trace_id.to_owned();
    d.span_id = format!("{trace_id}-step-{step_no}");
    d.parent_id = trace_id.to_owned();
    d.name = b.intern(name);
    d.kind = step_kind(name, step.inputs);
    d.start_nanos = start_nanos;
    d.end_nanos = end_nanos;
    d.input = step.inputs.map(|raw| payload(b, raw));
    d.output = step.outputs.map(|raw| payload(b, raw));
    status(b, &mut d, step.error);
    b.commit_span(d, Some(Location::line(number)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};
    use crate::model::{SpanIdx, NONE};

    const REACT_STEPS: &[u8] =
        include_bytes!("../../tests/fixtures/step-jsonl/dspy-react.steps.jsonl");
    const RAG_REQUESTS: &[u8] =
        include_bytes!("../../tests/fixtures/step-jsonl/dspy-rag.requests.jsonl");
    const RAG_STEPS: &[u8] = include_bytes!("../../tests/fixtures/step-jsonl/dspy-rag.steps.jsonl");

    fn open(inputs: &[&[u8]]) -> Session {
        load(inputs.iter().map(|b| Input::new("", b.to_vec())).collect())
    }

    #[test]
    fn react_steps_are_laid_end_to_end() {
        let s = open(&[REACT_STEPS]);
        assert_eq!(s.report.files[0].format, Some("dspy-step-log"));
        let t = s.report.files[0].counts;
        // 2 requests × (root + 7 steps); one failing calculator step each.
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.error_spans),
            (2, 16, 0, 2)
        );
        let st = &s.store;
        let kinds = |k: SpanKind| st.spans.kind.iter().filter(|x| **x == k).count();
        // search_wiki, calculator and finish were called with kwargs only.
        assert_eq!(kinds(SpanKind::Tool), 6);
        assert_eq!(kinds(SpanKind::Chain), 10); // 2 roots + react ×3 + extract, twice
                                                // Root: 2026-11-21T10:55:50.188216+00:00, 363.837 ms.
        assert_eq!(st.spans.start_nanos[0], 1_795_258_550_188_216_000);
        assert_eq!(st.duration_nanos(SpanIdx(0)), 363_837_000);
        assert_eq!(st.str(st.spans.name[0]), "request");
        // Second step (search_wiki) starts after react's 50.608 ms.
        assert_eq!(st.str(st.spans.name[2]), "search_wiki");
        assert_eq!(st.spans.parent[2], 0);
        assert_eq!(
            st.spans.start_nanos[2] - st.spans.start_nanos[0],
            50_608_000
        );
        assert_eq!(
            st.span_attr(SpanIdx(2), START_INFERRED),
            Some(AttrValue::Bool(true))
        );
        let message = st.spans.status_message[4].map(|m| st.text(m).into_owned());
        assert_eq!(
            message.as_deref(),
            Some("ValueError: unsupported expression: 'context answer details'")
        );
        assert_eq!(s.report.warnings.total(), 0);
    }

    #[test]
    fn requests_are_single_spans_and_merge_with_their_steps() {
        let s = open(&[RAG_REQUESTS]);
        assert_eq!(s.report.files[0].format, Some("dspy-request-log"));
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans), (4, 4, 1));
        let st = &s.store;
        assert_eq!(st.spans.status[3], StatusCode::Error);
        assert_eq!(st.spans.parent[3], NONE);
        assert!(st.spans.output[3].is_none());
        // Both files of a run: the roots have the same ids, so 4 traces of
        // root + steps; each second copy of a root is reported.
        let both = open(&[RAG_REQUESTS, RAG_STEPS]);
        assert_eq!((both.store.trace_count(), both.store.span_count()), (4, 12));
        assert_eq!(both.report.warnings.count(WarningKind::DuplicateSpan), 4);
        assert!(both.store.spans.input[0].is_some());
    }

    #[test]
    fn steps_longer_than_the_request_are_kept() {
        let log = br#"{"trace_id": "ab", "timestamp": "2026-01-01T00:00:00+00:00", "steps": [{"step": "retrieve", "inputs": {"args": [], "kwargs": {}}, "outputs": null, "latency_ms": 7}], "total_latency_ms": 5}
"#;
        let s = open(&[log]);
        assert_eq!(s.report.files[0].format, Some("dspy-step-log"));
        let st = &s.store;
        assert_eq!(st.span_count(), 2);
        assert_eq!(st.spans.kind[1], SpanKind::Retriever);
        assert_eq!(st.duration_nanos(SpanIdx(1)), 7_000_000);
        assert_eq!(s.report.warnings.count(WarningKind::BadValue), 1);
    }

    #[test]
    fn a_cut_keeps_the_lines_before_it() {
        let cut = &RAG_STEPS[..RAG_STEPS.len() - 100];
        let s = open(&[cut]);
        assert_eq!(s.store.span_count(), 3 * 3);
        let group = s
            .report
            .warnings
            .groups()
            .find(|(_, k, _)| *k == WarningKind::Truncated);
        let at = group.and_then(|(_, _, g)| g.examples[0].0);
        assert_eq!(at.and_then(|at| at.line), Some(4));
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        let mut b = StoreBuilder::new();
        assert!(parse(b"garbage\n", &mut b).is_err());
        assert!(parse(b"{\"total_latency_ms\": 3}\n", &mut b).is_err());
        assert!(parse(b"[1]\n", &mut b).is_err());
        assert_eq!(b.span_count(), 0);
    }

    #[test]
    fn every_cut_of_a_fixture_parses_without_panic() {
        for cut in (0..REACT_STEPS.len()).step_by(97) {
            let mut b = StoreBuilder::new();
            let _ = parse(&REACT_STEPS[..cut], &mut b);
        }
    }
}
