//! Error spans and error groups: every span with status error, with its
//! exception type, message and stack trace, the step it happened in, and the
//! errors grouped by (type, message) with how many spans and traces each hit.
//!
//! The details come from the span's last `exception` event
//! (`exception.type`, `exception.message`, `exception.stacktrace`, as OTel
//! records them); without one, from the status message read as
//! `"<Class>: <message>"` (what DSPy writes), else the whole status message
//! with no type. Reads only the store and the index.

use super::step_of;
use crate::model::{AttrValue, SpanIdx, StatusCode, Store, TraceIdx, NONE};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorSpan {
    pub span: SpanIdx,
    pub trace: TraceIdx,
    /// The span's own name.
    pub name: String,
    /// The root's direct child that contains the span (see
    /// [`super::step_of`]); `None` when the error span is a root.
    pub step: Option<SpanIdx>,
    pub step_name: Option<String>,
    /// `None` when neither an event nor the status message names a type.
    pub exception_type: Option<String>,
    pub message: String,
    pub stacktrace: Option<String>,
    /// True when the details came from an `exception` event.
    pub from_event: bool,
    /// True when no child of the span has an error: the error was raised
    /// here rather than passed up from a child.
    pub origin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorGroup {
    pub exception_type: Option<String>,
    pub message: String,
    /// Error spans with this type and message (propagated copies included).
    pub spans: u64,
    /// Distinct traces they are in.
    pub traces: u64,
    /// Names of the spans where it was raised (origin spans), sorted.
    pub raised_in: Vec<String>,
    /// The first error span of the group, to jump to.
    pub example: SpanIdx,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorReport {
    /// Traces in the given order, spans in start order.
    pub spans: Vec<ErrorSpan>,
    /// Most traces hit first, then most spans, then type and message.
    pub groups: Vec<ErrorGroup>,
}

/// The error spans of `traces` and their groups.
pub fn errors(store: &Store, index: &crate::index::Index, traces: &[TraceIdx]) -> ErrorReport {
    let s = &store.spans;
    let mut spans = Vec::new();
    for &trace in traces {
        if trace.index() >= store.trace_count() {
            continue;
        }
        for i in store.trace_spans(trace) {
            if s.status[i] == StatusCode::Error {
                spans.push(error_span(store, index, SpanIdx(i as u32)));
            }
        }
    }
    type Key = (Option<String>, String);
    let mut groups: BTreeMap<Key, (u64, BTreeSet<TraceIdx>, BTreeSet<String>, SpanIdx)> =
        BTreeMap::new();
    for e in &spans {
        let g = groups
            .entry((e.exception_type.clone(), e.message.clone()))
            .or_insert_with(|| (0, BTreeSet::new(), BTreeSet::new(), e.span));
        g.0 += 1;
        g.1.insert(e.trace);
        if e.origin {
            g.2.insert(e.name.clone());
        }
    }
    let mut groups: Vec<ErrorGroup> = groups
        .into_iter()
        .map(
            |((exception_type, message), (n, traces, raised_in, example))| ErrorGroup {
                exception_type,
                message,
                spans: n,
                traces: traces.len() as u64,
                raised_in: raised_in.into_iter().collect(),
                example,
            },
        )
        .collect();
    groups.sort_by(|a, b| {
        b.traces
            .cmp(&a.traces)
            .then(b.spans.cmp(&a.spans))
            .then_with(|| a.exception_type.cmp(&b.exception_type))
            .then_with(|| a.message.cmp(&b.message))
    });
    ErrorReport { spans, groups }
}

/// The details of one span (which need not have an error status).
pub fn error_span(store: &Store, index: &crate::index::Index, span: SpanIdx) -> ErrorSpan {
    let s = &store.spans;
    let i = span.index();
    let name = |sp: SpanIdx| store.str(s.name[sp.index()]).to_owned();
    let step = step_of(store, span);
    let origin = index
        .children_of(span)
        .iter()
        .all(|c| s.status[c.index()] != StatusCode::Error);
    let details = details(store, span);
    ErrorSpan {
        span,
        trace: s.trace[i],
        name: name(span),
        step,
        step_name: step.map(name),
        exception_type: details.exception_type,
        message: details.message,
        stacktrace: details.stacktrace,
        from_event: details.from_event,
        origin,
    }
}

/// What a span says about its error, wherever it says it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorDetails {
    pub exception_type: Option<String>,
    pub message: String,
    pub stacktrace: Option<String>,
    pub from_event: bool,
}

/// The exception type, message and stack trace of a span: from its last
/// `exception` event, else (or for what the event lacks) its status
/// message read as `"<Class>: <message>"`.
pub fn details(store: &Store, span: SpanIdx) -> ErrorDetails {
    let s = &store.spans;
    let status_message = s.status_message[span.index()].map(|t| store.text(t).into_owned());
    let mut out = ErrorDetails::default();
    let event = store
        .span_events(span)
        .rev()
        .find(|&e| store.str(store.events.name[e]) == "exception");
    if let Some(e) = event {
        out.from_event = true;
        for (key, value) in store.event_attrs(e) {
            let text = || Some(attr_string(store, value)).filter(|t| !t.is_empty());
            match store.str(key) {
                "exception.type" => out.exception_type = text(),
                "exception.message" => out.message = text().unwrap_or_default(),
                "exception.stacktrace" => out.stacktrace = text(),
                _ => {}
            }
        }
    }
    if out.exception_type.is_none() || out.message.is_empty() {
        if let Some(status) = status_message.as_deref() {
            let (class, message) = split_class(status);
            if out.exception_type.is_none() {
                out.exception_type = class.map(str::to_owned);
            }
            if out.message.is_empty() {
                out.message = message.to_owned();
            }
        }
    }
    out
}

/// Where a failed trace's error started: from the root, follow the failing
/// child (the one with the same type and message as its parent, else the
/// one that ended last: the error that was passed up) down to a span none
/// of whose children failed. `None` when the trace has no error span.
pub fn trace_error(
    store: &Store,
    index: &crate::index::Index,
    trace: TraceIdx,
) -> Option<ErrorSpan> {
    let s = &store.spans;
    let summary = index.traces.get(trace.index())?;
    if summary.error_spans == 0 {
        return None;
    }
    let failed = |span: SpanIdx| s.status[span.index()] == StatusCode::Error;
    // Start at the root when it failed, else at the trace's first error span
    // that has no failing parent (errors under a root that recovered).
    let mut at = match summary.root.filter(|&r| failed(r)) {
        Some(root) => root,
        None => store
            .trace_spans(trace)
            .map(|i| SpanIdx(i as u32))
            .find(|&sp| {
                failed(sp)
                    && !(s.parent[sp.index()] != NONE && failed(SpanIdx(s.parent[sp.index()])))
            })?,
    };
    for _ in 0..store.trace_spans(trace).len() {
        let children: Vec<SpanIdx> = index
            .children_of(at)
            .iter()
            .copied()
            .filter(|&c| failed(c))
            .collect();
        if children.is_empty() {
            break;
        }
        let here = error_span(store, index, at);
        let same = children.iter().copied().find(|&c| {
            let e = error_span(store, index, c);
            e.exception_type == here.exception_type && e.message == here.message
        });
        at = same.unwrap_or_else(|| {
            children
                .iter()
                .copied()
                .max_by_key(|c| (s.end_nanos[c.index()], c.0))
                .unwrap_or(at)
        });
    }
    Some(error_span(store, index, at))
}

fn attr_string(store: &Store, value: AttrValue) -> String {
    store.attr_text(value).into_owned()
}

/// Splits `"<Class>: <message>"`; the class is a dotted identifier
/// (`ValueError`, `litellm.RateLimitError`). Otherwise no class.
pub fn split_class(status: &str) -> (Option<&str>, &str) {
    if let Some((class, message)) = status.split_once(": ") {
        let ident = |part: &str| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        };
        if !class.is_empty() && class.split('.').all(ident) {
            return (Some(class), message);
        }
    }
    (None, status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};

    fn open(rel: &str) -> Session {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        load(vec![Input::new(rel, std::fs::read(path).unwrap())])
    }

    fn trace(s: &Session, id: &str) -> TraceIdx {
        let t = (0..s.store.trace_count())
            .find(|&t| s.store.id(s.store.traces.trace_id[t]) == id)
            .unwrap();
        TraceIdx(t as u32)
    }

    #[test]
    fn the_error_of_a_trace_is_where_it_started() {
        let s = open("otlp-jsonl/dspy-all-scenarios.filexporter.jsonl");
        let name = |e: &ErrorSpan| s.store.str(s.store.spans.name[e.span.index()]).to_string();
        let got = |id: &str| {
            let e = trace_error(&s.store, &s.index, trace(&s, id)).unwrap();
            let step = e.step_name.clone().unwrap_or_default();
            (name(&e), e.exception_type.unwrap_or_default(), step)
        };
        // The HTTP 500: raised by LM.__call__, passed up unchanged to RAG.forward.
        assert_eq!(
            got("18259621bb30ec07ce1d11bd3c0630ab"),
            (
                "LM.__call__".into(),
                "dspy.utils.exceptions.LMServerError".into(),
                "ChainOfThought.forward".into()
            )
        );
        // Unparseable output: ChatAdapter failed, then the JSONAdapter
        // fallback failed with the message the root reports.
        let garbage = trace_error(
            &s.store,
            &s.index,
            trace(&s, "125c36bd85cdab79f3499a88cdaa7b55"),
        )
        .unwrap();
        assert_eq!(name(&garbage), "JSONAdapter.__call__");
        assert!(garbage
            .message
            .starts_with("LM response cannot be serialized to a JSON"));
        // HTTP 429 twice: the retry that ended last is where it came from.
        let limited = trace_error(
            &s.store,
            &s.index,
            trace(&s, "a443cf840309f36e858bc42d1b1d80b7"),
        )
        .unwrap();
        assert_eq!(name(&limited), "completion");
        assert_eq!(
            s.store.spans.start_nanos[limited.span.index()]
                - s.index.traces[limited.trace.index()].start_nanos,
            1_384_839_140 // python: int(startTimeUnixNano) - trace start
        );
        // A ReAct tool error the agent recovered from is still found.
        assert_eq!(
            got("2c44d7ba88833482b7e9ee31431bc79c").0,
            "calculator.__call__"
        );
        // A trace without errors has none.
        assert!(trace_error(
            &s.store,
            &s.index,
            trace(&s, "3a2e61939a2af9a02c5d47a80a5cf837")
        )
        .is_none());
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn status_messages_split_into_class_and_message() {
        assert_eq!(
            split_class("ValueError: unsupported expression: 'x'"),
            (Some("ValueError"), "unsupported expression: 'x'")
        );
        assert_eq!(
            split_class("litellm.RateLimitError: slow down"),
            (Some("litellm.RateLimitError"), "slow down")
        );
        assert_eq!(
            split_class("connection refused: host down"),
            (None, "connection refused: host down")
        );
        assert_eq!(split_class("boom"), (None, "boom"));
        assert_eq!(split_class(": x"), (None, ": x"));
    }
}
