//! JSON lines written by a `dspy.utils.callback.BaseCallback` subclass: one
//! `{"event": "<what>_start" | "<what>_end", "call_id", "timestamp", …}`
//! object per callback.
//!
//! The events carry no parent id, so nesting is rebuilt from their order
//! with a stack (DSPy calls callbacks in strict nesting order in a single
//! thread). Each top-level call is a trace whose id is its `call_id`. A span
//! is committed when its end event arrives; ends that do not match the top
//! of the stack close what lies above their start, with a warning.

use super::dspy_history::payload;
use super::json::{self, Float64};
use super::time;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, SpanKind, StatusCode, StoreBuilder, Sym, TextRef, WarningKind,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub const DSPY_CALLBACK_JSONL: Format = Format {
    id: "dspy-callback-jsonl",
    name: "DSPy callback events (JSON lines)",
    producers: "a `dspy.utils.callback.BaseCallback` subclass writing one JSON object per event",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "start/end event lines (\"event\", \"call_id\")",
};

/// Marks a span whose end event never came (or came out of order).
const END_INFERRED: &str = "spanscope.end_inferred";

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    event: Cow<'a, str>,
    #[serde(borrow, default)]
    call_id: Option<Cow<'a, str>>,
    #[serde(default)]
    timestamp: Option<Float64>,
    #[serde(borrow, default)]
    module: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    tool: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    inputs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    outputs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    exception: Option<&'a RawValue>,
}

fn sniff(p: &Probe) -> Sniff {
    if json::first_significant(p.head) != Some(b'{') {
        return Sniff::No("not JSON lines");
    }
    let first = p.deep.split(|&c| c == b'\n').next().unwrap_or_default();
    if !json::contains(first, b"\"call_id\"") || !json::contains(first, b"\"event\"") {
        return Sniff::No("no \"event\" and \"call_id\" keys on the first line");
    }
    let events = [&b"_start\""[..], b"_end\""];
    if !events.iter().any(|e| json::contains(first, e)) {
        return Sniff::No("no \"…_start\" or \"…_end\" event on the first line");
    }
    Sniff::Yes(75)
}

/// A call whose start was seen and whose end was not yet.
struct Open {
    call_id: String,
    trace_id: String,
    parent_id: String,
    name: Sym,
    kind: SpanKind,
    model: Sym,
    provider: Sym,
    start_nanos: i64,
    input: Option<TextRef>,
    line: u64,
}

/// How a closed call ended.
struct Close {
    end_nanos: i64,
    output: Option<TextRef>,
    /// The exception the end event reports, if any.
    error: Option<TextRef>,
    /// False when the end was inferred (no end event of its own).
    reported: bool,
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut stack: Vec<Open> = Vec::new();
    let mut last_nanos = 0i64;
    let mut any = false;
    let mut last_error = None;
    for (number, line) in json::lines(bytes) {
        let event = match serde_json::from_slice::<Event>(line) {
            Ok(event) => event,
            Err(e) => {
                last_error = Some(json::skip_bad_line(b, line, number, &e));
                continue;
            }
        };
        any = true;
        let at = Some(Location::line(number));
        let nanos = match event.timestamp.and_then(|t| time::seconds_nanos(t.0)) {
            Some(nanos) => nanos,
            None => {
                b.warn(
                    WarningKind::BadValue,
                    at,
                    format!("line {number} has no usable timestamp; the previous one is used"),
                );
                last_nanos
            }
        };
        last_nanos = last_nanos.max(nanos);
        if let Some(what) = event.event.strip_suffix("_start") {
            let open = start(b, &stack, what, &event, nanos, number);
            stack.push(open);
        } else if event.event.ends_with("_end") {
            end(b, &mut stack, &event, nanos, number);
        } else {
            b.warn(
                WarningKind::SkippedRecord,
                at,
                format!("line {number}: unknown event {:?} skipped", event.event),
            );
        }
    }
    // Calls still open at the end of the file: shown up to the last time seen.
    while let Some(open) = stack.pop() {
        b.warn(
            WarningKind::Truncated,
            Some(Location::line(open.line)),
            format!(
                "call {} (line {}) has no end event; shown ending at the file's last timestamp",
                open.call_id, open.line
            ),
        );
        commit(b, open, inferred_close(last_nanos));
    }
    match (any, last_error) {
        (false, Some(err)) => Err(err),
        _ => Ok(()),
    }
}

/// Kind of a call from the event prefix (`module`, `lm`, `tool`, and the
/// other `BaseCallback` hooks) and, for modules, the class name.
fn kind_of(what: &str, module: &str) -> SpanKind {
    match what {
        // `Retrieve` reports as a module; it is DSPy's retriever wrapper.
        "module" if module == "Retrieve" => SpanKind::Retriever,
        // ReAct and CodeAct are DSPy's tool-using agent loops: shown as
        // agents so they stand out from plain modules.
        "module" if module == "ReAct" || module == "CodeAct" => SpanKind::Agent,
        "module" => SpanKind::Chain,
        "lm" => SpanKind::Llm,
        "tool" => SpanKind::Tool,
        "adapter_format" | "adapter_parse" => SpanKind::Parser,
        "evaluate" => SpanKind::Evaluator,
        _ => SpanKind::Unknown,
    }
}

fn start(
    b: &mut StoreBuilder,
    stack: &[Open],
    what: &str,
    event: &Event,
    nanos: i64,
    number: u64,
) -> Open {
    let call_id = match event.call_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_owned(),
        // An id no end event can name: the call closes at its parent's end.
        _ => format!("callback-line-{number}"),
    };
    let module = event.module.as_deref().unwrap_or("");
    let model = event.model.as_deref().unwrap_or("");
    let name = match what {
        "module" if !module.is_empty() => module.to_owned(),
        "lm" if !model.is_empty() => format!("lm {model}"),
        "tool" => event.tool.as_deref().unwrap_or("tool").to_owned(),
        other => other.to_owned(),
    };
    let (trace_id, parent_id) = match stack.last() {
        Some(parent) => (parent.trace_id.clone(), parent.call_id.clone()),
        None => (call_id.clone(), String::new()),
    };
    Open {
        trace_id,
        parent_id,
        call_id,
        name: b.intern(&name),
        kind: kind_of(what, module),
        model: b.intern(model),
        provider: b.intern(model.split_once('/').map_or("", |(p, _)| p)),
        start_nanos: nanos,
        input: event.inputs.map(|raw| payload(b, raw)),
        line: number,
    }
}

fn end(b: &mut StoreBuilder, stack: &mut Vec<Open>, event: &Event, nanos: i64, number: u64) {
    let call_id = event.call_id.as_deref().unwrap_or("").trim();
    let Some(depth) = stack.iter().rposition(|open| open.call_id == call_id) else {
        b.warn(
            WarningKind::SkippedRecord,
            Some(Location::line(number)),
            format!("line {number}: end of call {call_id:?}, which was not started; skipped"),
        );
        return;
    };
    while stack.len() > depth + 1 {
        let Some(open) = stack.pop() else { break };
        b.warn(
            WarningKind::BadValue,
            Some(Location::line(open.line)),
            format!(
                "call {} (line {}) had not ended when its caller ended at line {number}; \
                 closed there",
                open.call_id, open.line
            ),
        );
        commit(b, open, inferred_close(nanos));
    }
    let Some(open) = stack.pop() else { return };
    let error = event.exception.map(|raw| payload(b, raw));
    let close = Close {
        end_nanos: nanos,
        output: event.outputs.map(|raw| payload(b, raw)),
        error,
        reported: true,
    };
    commit(b, open, close);
}

fn inferred_close(end_nanos: i64) -> Close {
    Close {
        end_nanos,
        output: None,
        error: None,
        reported: false,
    }
}

fn commit(b: &mut StoreBuilder, open: Open, close: Close) {
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = open.trace_id;
    d.span_id = open.call_id;
    d.parent_id = open.parent_id;
    d.name = open.name;
    d.kind = open.kind;
    d.model = open.model;
    d.provider = open.provider;
    d.start_nanos = open.start_nanos;
    d.end_nanos = close.end_nanos;
    d.input = open.input;
    d.output = close.output;
    // The end event says whether the call raised: `exception` null is a success.
    d.status = match (close.reported, close.error) {
        (_, Some(message)) => {
            d.status_message = Some(message);
            StatusCode::Error
        }
        (true, None) => StatusCode::Ok,
        (false, None) => StatusCode::Unset,
    };
    if !close.reported {
        b.attr(END_INFERRED, AttrValue::Bool(true));
    }
    b.commit_span(d, Some(Location::line(open.line)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};
    use crate::model::{SpanIdx, NONE};

    const REACT: &[u8] =
        include_bytes!("../../tests/fixtures/dspy-callback-jsonl/dspy-react.callback-events.jsonl");
    const RAG: &[u8] =
        include_bytes!("../../tests/fixtures/dspy-callback-jsonl/dspy-rag.callback-events.jsonl");

    fn open(bytes: &[u8]) -> Session {
        load(vec![Input::new("", bytes.to_vec())])
    }

    fn find(s: &Session, call_id: &str) -> usize {
        let st = &s.store;
        (0..st.span_count())
            .find(|&i| st.id(st.spans.span_id[i]) == call_id)
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn react_nesting_is_rebuilt_from_event_order() {
        let s = open(REACT);
        assert_eq!(s.report.files[0].format, Some("dspy-callback-jsonl"));
        let t = s.report.files[0].counts;
        // 52 lines = 26 start/end pairs; two ReAct runs; 8 lm_start lines;
        // the two `calculator` tool_end lines carry an exception.
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.error_spans),
            (2, 26, 8, 2)
        );
        let st = &s.store;
        let root = find(&s, "40440ed75c0a440c8c3dccfce85d691a");
        assert_eq!(st.spans.kind[root], SpanKind::Agent);
        assert_eq!(st.spans.parent[root], NONE);
        assert_eq!(
            st.id(st.traces.trace_id[st.spans.trace[root].0 as usize]),
            st.id(st.spans.span_id[root])
        );
        // Line 3: lm_start b03452… inside Predict 4b0f06… (line 2).
        let lm = find(&s, "b03452e80db44b0394db433ba79fc4ef");
        let predict = find(&s, "4b0f06f60f844c509273cac71660c62e");
        assert_eq!(st.spans.parent[lm], predict as u32);
        assert_eq!(st.spans.parent[predict], root as u32);
        assert_eq!(st.str(st.spans.name[lm]), "lm openai/gpt-4o-mini");
        assert_eq!(st.str(st.spans.provider[lm]), "openai");
        // 1795258550.2398713 - 1795258550.197036 s, each rounded to the
        // nearest f64 as Python's json.loads also reads them.
        assert_eq!(st.duration_nanos(SpanIdx(lm as u32)), 42_835_200);
        let calc = find(&s, "224a8407ff7948bc9ab8cdf7f951543f");
        assert_eq!(st.spans.kind[calc], SpanKind::Tool);
        assert_eq!(st.spans.status[calc], StatusCode::Error);
        let message = st.spans.status_message[calc].map(|m| st.text(m).into_owned());
        assert_eq!(
            message.as_deref(),
            Some("unsupported expression: 'context answer details'")
        );
        assert_eq!(s.report.warnings.total(), 0);
    }

    #[test]
    fn retrieve_is_a_retriever_and_errors_reach_every_ancestor() {
        let s = open(RAG);
        let t = s.report.files[0].counts;
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.error_spans),
            (4, 20, 4, 4)
        );
        let kinds = &s.store.spans.kind;
        assert_eq!(
            kinds.iter().filter(|k| **k == SpanKind::Retriever).count(),
            4
        );
        assert_eq!(kinds.iter().filter(|k| **k == SpanKind::Chain).count(), 12);
    }

    #[test]
    fn a_cut_closes_open_calls_at_the_last_timestamp() {
        // Keep lines 1..=9 and half of line 10 of the react log.
        let text = std::str::from_utf8(REACT).unwrap_or_default();
        let nine: usize = text.split('\n').take(9).map(|l| l.len() + 1).sum();
        let s = open(&REACT[..nine + 60]);
        // Complete: Predict, lm, search_wiki; forced: Predict 27b160…, lm b31cbd…, ReAct.
        assert_eq!(s.store.span_count(), 6);
        let w = &s.report.warnings;
        assert_eq!(w.count(WarningKind::Truncated), 4); // line 10 + 3 open calls
        let st = &s.store;
        let root = find(&s, "40440ed75c0a440c8c3dccfce85d691a");
        // Line 9's timestamp, 1795258550.2496085 s, is the last one seen.
        assert_eq!(st.spans.end_nanos[root], 1_795_258_550_249_608_448);
        assert_eq!(
            st.span_attr(SpanIdx(root as u32), END_INFERRED),
            Some(AttrValue::Bool(true))
        );
    }

    #[test]
    fn out_of_order_ends_and_bad_lines_warn() {
        let log =
            br#"{"event": "module_start", "call_id": "call-a", "timestamp": 1.0, "module": "M"}
{"event": "tool_start", "call_id": "call-b", "timestamp": 2.0, "tool": "t"}
this is not json
{"event": "module_end", "call_id": "call-z", "timestamp": 2.5, "outputs": null, "exception": null}
{"event": "module_end", "call_id": "call-a", "timestamp": 3.0, "outputs": "x", "exception": null}
"#;
        let s = open(log);
        let st = &s.store;
        assert_eq!(st.span_count(), 2);
        let w = &s.report.warnings;
        assert_eq!(w.count(WarningKind::SkippedRecord), 2); // line 3, unknown end
        assert_eq!(w.count(WarningKind::BadValue), 1); // call-b closed by call-a's end
        let tool = find(&s, "call-b");
        assert_eq!(st.spans.end_nanos[tool], 3_000_000_000);
        assert_eq!(st.spans.status[tool], StatusCode::Unset);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        let mut b = StoreBuilder::new();
        assert!(parse(b"garbage\nmore garbage\n", &mut b).is_err());
        assert!(parse(b"[1, 2]\n", &mut b).is_err());
        assert!(parse(b"{\"call_id\": \"x\"}\n", &mut b).is_err());
        assert_eq!(b.span_count(), 0);
    }

    #[test]
    fn every_cut_of_a_fixture_parses_without_panic() {
        for cut in (0..REACT.len()).step_by(97) {
            let mut b = StoreBuilder::new();
            let _ = parse(&REACT[..cut], &mut b);
        }
    }
}
