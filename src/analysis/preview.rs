//! What tells one request from another in the trace list: its input and
//! output in a line each (the question and the answer), where a free-text
//! filter hit lies when it is elsewhere, and which files the trace came
//! from.
//!
//! The input is the root span's (OpenInference `input.value`, MLflow
//! `mlflow.spanInputs`, a DSPy request log's `inputs`), else the trace's
//! metadata (MLflow `request_preview`/`mlflow.traceInputs`, Langfuse
//! `langfuse.trace.input`), else the first span's that has one (a DSPy
//! `lm.history` call: its last user message). Outputs likewise. JSON is
//! shortened the way a DSPy user reads a `Prediction`: one field shows as
//! its value, `reasoning` is left out when other fields exist, DSPy's
//! `[[ ## field ## ]]` sections become fields. Computed per row on demand
//! (the list is virtualised), never for every trace.

use super::dspy::prompt_fields;
use super::highlight::{find, Needle};
use crate::index::Index;
use crate::model::{SourceId, Store, TextRef, TraceIdx};
use serde_json::Value;

/// Characters of a preview line.
pub const PREVIEW_CHARS: usize = 160;
/// Payloads larger than this are previewed from their first bytes, unparsed.
const MAX_PARSE_BYTES: usize = 256 * 1024;
/// Context kept before and after a hit in a snippet (little before, so the
/// hit shows even in a narrow row).
const SNIPPET_BEFORE: usize = 20;
const SNIPPET_AFTER: usize = 100;

const INPUT_META: &[&str] = &[
    "request_preview",
    "mlflow.traceInputs",
    "langfuse.trace.input",
];
const OUTPUT_META: &[&str] = &[
    "response_preview",
    "mlflow.traceOutputs",
    "langfuse.trace.output",
];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TracePreview {
    pub input: Option<String>,
    pub output: Option<String>,
    /// A free-text hit shown in context when neither line holds one:
    /// `(where, snippet)`, where is the span name.
    pub hit: Option<(String, String)>,
}

/// The preview lines of one trace; `needles` are the filter's free-text
/// terms (see `Filter::text_terms`).
pub fn trace_preview(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    needles: &[String],
) -> TracePreview {
    if trace.index() >= store.trace_count() {
        return TracePreview::default();
    }
    let root = index.traces.get(trace.index()).and_then(|t| t.root);
    let pick = |of_span: fn(&Store, usize) -> Option<TextRef>, meta: &[&str]| {
        root.and_then(|r| of_span(store, r.index()))
            .map(|t| store.text(t).into_owned())
            .or_else(|| meta_text(store, trace, meta))
            .or_else(|| {
                store
                    .trace_spans(trace)
                    .find_map(|i| of_span(store, i))
                    .map(|t| store.text(t).into_owned())
            })
    };
    let input = pick(|s, i| s.spans.input[i], INPUT_META).map(|t| shorten(&t, Side::Input));
    let output = pick(|s, i| s.spans.output[i], OUTPUT_META).map(|t| shorten(&t, Side::Output));
    let needles: Vec<Needle> = needles.iter().map(|n| Needle::new(n)).collect();
    let shown = |line: &Option<String>| {
        line.as_deref()
            .is_some_and(|l| needles.iter().any(|n| find(l, n).is_some()))
    };
    let hit = if needles.is_empty() || shown(&input) || shown(&output) {
        None
    } else {
        first_hit(store, trace, &needles)
    };
    TracePreview { input, output, hit }
}

fn meta_text(store: &Store, trace: TraceIdx, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| {
        let sym = store.strings.get(key)?;
        store
            .trace_meta(trace)
            .find(|(k, _)| *k == sym)
            .map(|(_, v)| store.attr_text(v).into_owned())
            .filter(|t| !t.trim().is_empty())
    })
}

/// The first span (in start order) whose name, input, output or status
/// message holds a needle: its name and the text around the hit.
fn first_hit(store: &Store, trace: TraceIdx, needles: &[Needle]) -> Option<(String, String)> {
    let s = &store.spans;
    for i in store.trace_spans(trace) {
        let name = store.str(s.name[i]);
        let texts = [s.input[i], s.output[i], s.status_message[i]];
        let found = std::iter::once(name.to_string())
            .chain(
                texts
                    .into_iter()
                    .flatten()
                    .map(|t| store.text(t).into_owned()),
            )
            .find_map(|text| needles.iter().find_map(|n| snippet(&text, n)));
        if let Some(snippet) = found {
            return Some((name.to_string(), snippet));
        }
    }
    None
}

/// The text around the first hit of a needle, on one line, with `…` where
/// it was cut.
fn snippet(text: &str, needle: &Needle) -> Option<String> {
    let at = find(text, needle)?;
    let start = floor_char(text, at.start.saturating_sub(SNIPPET_BEFORE));
    let end = ceil_char(text, (at.end + SNIPPET_AFTER).min(text.len()));
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&one_line(&text[start..end]));
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

/// One line of at most [`PREVIEW_CHARS`] characters saying what a payload
/// holds.
fn shorten(text: &str, side: Side) -> String {
    let readable = if text.len() <= MAX_PARSE_BYTES {
        serde_json::from_str::<Value>(text.trim())
            .ok()
            .map(|v| readable(&v, side))
    } else {
        None
    };
    truncate(
        &one_line(readable.as_deref().unwrap_or(text)),
        PREVIEW_CHARS,
    )
}

/// A JSON payload as a person reads it.
fn readable(value: &Value, side: Side) -> String {
    match value {
        Value::String(s) => {
            // JSON in a string (OpenInference), or DSPy-formatted text.
            if let Ok(inner @ (Value::Object(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(s.trim())
            {
                return readable(&inner, side);
            }
            let fields = prompt_fields(s);
            if fields.is_empty() {
                s.clone()
            } else {
                fields_line(
                    fields
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                )
            }
        }
        Value::Array(items) => {
            if let Some(message) = last_user_message(items) {
                return readable(&Value::String(message), side);
            }
            match items.first() {
                // A completion list: the first completion.
                Some(first @ Value::String(_)) if side == Side::Output => readable(first, side),
                _ => compact_json(value),
            }
        }
        Value::Object(map) => {
            if let Some(Value::Array(messages)) = map.get("messages") {
                if let Some(message) = last_user_message(messages) {
                    return readable(&Value::String(message), side);
                }
            }
            // A callback's `{"args": [...], "kwargs": {...}}`.
            if let (Some(Value::Object(kwargs)), Some(Value::Array(args))) =
                (map.get("kwargs"), map.get("args"))
            {
                if args.is_empty() && !kwargs.is_empty() {
                    return fields_line(
                        kwargs.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    );
                }
            }
            fields_line(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => compact_json(other),
    }
}

/// `value` for one field; `k: v · k: v` for several; `reasoning` (and
/// `rationale`) dropped when other fields exist.
fn fields_line(all: Vec<(String, Value)>) -> String {
    let kept: Vec<&(String, Value)> = all
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "reasoning" | "rationale"))
        .collect();
    let mut kept = if kept.is_empty() {
        all.iter().collect()
    } else {
        kept
    };
    // Short fields first: the question before the passages it came with.
    kept.sort_by_key(|(_, v)| match v {
        Value::String(s) => s.len(),
        other => compact_json(other).len(),
    });
    let value = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => compact_json(other),
    };
    match kept.as_slice() {
        // One field holding fields (ReAct's `{"input_args": {...}}`): those.
        [(_, Value::Object(inner))] => {
            fields_line(inner.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        [(_, v)] => value(v),
        many => many
            .iter()
            .map(|(k, v)| format!("{k}: {}", value(v)))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

fn last_user_message(items: &[Value]) -> Option<String> {
    items.iter().rev().find_map(|m| {
        let m = m.as_object()?;
        if m.get("role")?.as_str()? != "user" {
            return None;
        }
        match m.get("content")? {
            Value::String(s) => Some(s.clone()),
            Value::Array(parts) => Some(
                parts
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        }
    })
}

fn compact_json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Whitespace runs (newlines included) become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// One LM call's prompt and answer in a line each (the last user message,
/// DSPy fields shortened; the first completion), for the LM-calls table.
pub fn call_preview(
    store: &Store,
    span: crate::model::SpanIdx,
) -> (Option<String>, Option<String>) {
    let s = &store.spans;
    let i = span.index();
    let text = |t: Option<TextRef>| t.map(|t| store.text(t).into_owned());
    (
        text(s.input.get(i).copied().flatten()).map(|t| shorten(&t, Side::Input)),
        text(s.output.get(i).copied().flatten()).map(|t| shorten(&t, Side::Output)),
    )
}

/// The files a trace's spans came from, in span order, each once.
pub fn trace_sources(store: &Store, trace: TraceIdx) -> Vec<SourceId> {
    let mut out: Vec<SourceId> = Vec::new();
    if trace.index() >= store.trace_count() {
        return out;
    }
    for i in store.trace_spans(trace) {
        let source = store.spans.source[i];
        if !out.contains(&source) {
            out.push(source);
        }
    }
    out
}

/// The file names of a trace for its row, when more than one file is
/// loaded: `rag.json`, or `rag.json + 1` for a trace merged from two.
pub fn source_label(store: &Store, trace: TraceIdx) -> Option<String> {
    // Source 0 is the arena of decoded text, not a file.
    if store.sources.len() <= 2 {
        return None;
    }
    let sources = trace_sources(store, trace);
    let first = sources.first()?;
    let name = store.sources.get(first.0 as usize)?.name.clone();
    Some(match sources.len() {
        1 => name,
        n => format!("{name} + {}", n - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};

    fn open(rels: &[&str]) -> Session {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        load(
            rels.iter()
                .map(|r| Input::new(*r, std::fs::read(format!("{dir}{r}")).unwrap()))
                .collect(),
        )
    }

    fn first(s: &Session, needles: &[&str]) -> TracePreview {
        let needles: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
        trace_preview(&s.store, &s.index, s.index.by_start[0], &needles)
    }

    #[test]
    fn openinference_root_question_and_answer() {
        // Trace 3493df07…: input.value {"question": "Which moon of the largest
        // planet is bigger than Mercury?"}; output.value holds reasoning and
        // answer "Then first the short approach the question that is context citing."
        let s = open(&["otlp-json/dspy-multihop.openinference.otlp-http-json.json"]);
        let p = first(&s, &[]);
        assert_eq!(
            p.input.as_deref(),
            Some("Which moon of the largest planet is bigger than Mercury?")
        );
        assert_eq!(
            p.output.as_deref(),
            Some("Then first the short approach the question that is context citing.")
        );
        assert_eq!(p.hit, None);
    }

    #[test]
    fn lm_history_previews_the_dspy_user_fields() {
        // The first call's user message: [[ ## context ## ]] […] [[ ## question ## ]]
        // What is the capital of France?; completion: reasoning + answer
        // "Short citing passage details it first each noisy answer."
        let s = open(&["dspy-history/dspy-rag.lm-history.json"]);
        let p = first(&s, &[]);
        let input = p.input.unwrap_or_default();
        assert!(
            input.starts_with("question: What is the capital of France? · context: [\"Paris"),
            "{input}"
        );
        assert_eq!(
            p.output.as_deref(),
            Some("Short citing passage details it first each noisy answer.")
        );
    }

    #[test]
    fn a_hit_outside_the_lines_is_shown_in_context() {
        // "photosynthesis" is only in retrieved passages of the first trace.
        let s = open(&["otlp-json/dspy-multihop.openinference.otlp-http-json.json"]);
        let p = first(&s, &["photosynthesis"]);
        let (span, snippet) = p.hit.unwrap_or_default();
        assert_eq!(span, "ChainOfThought.forward");
        assert!(snippet.contains("Photosynthesis"), "{snippet}");
        // ReAct wraps its inputs: {"input_args": {"question": …}}.
        let react = open(&["otlp-json/dspy-react.openinference.otlp-http-json.json"]);
        let input = first(&react, &[]).input.unwrap_or_default();
        assert!(input.starts_with("What is 17 * 23"), "{input}");
        // A needle already in the question needs no snippet.
        assert_eq!(first(&s, &["mercury"]).hit, None);
    }

    #[test]
    fn lm_call_rows_preview_prompt_and_answer() {
        let s = open(&["dspy-history/dspy-optimize.lm-history.json"]);
        let (prompt, answer) = call_preview(&s.store, crate::model::SpanIdx(0));
        // The last user message (after two demos), question first.
        let prompt = prompt.unwrap_or_default();
        assert!(prompt.starts_with("question: "), "{prompt}");
        assert!(answer.is_some_and(|a| !a.contains("[[ ##")));
    }

    #[test]
    fn request_logs_and_sources() {
        let s = open(&[
            "step-jsonl/dspy-rag.requests.jsonl",
            "otlp-json/dspy-rag.openinference.otlp-http-json.json",
        ]);
        let t = s.index.by_start[0];
        let p = trace_preview(&s.store, &s.index, t, &[]);
        assert!(p.input.is_some() && p.output.is_some());
        assert!(source_label(&s.store, t).is_some());
        let one = open(&["step-jsonl/dspy-rag.requests.jsonl"]);
        assert_eq!(source_label(&one.store, one.index.by_start[0]), None);
        // {"question": "What is the capital of France?"} → the question.
        let p = first(&one, &[]);
        assert_eq!(p.input.as_deref(), Some("What is the capital of France?"));
        assert_eq!(
            p.output.as_deref(),
            Some("Short citing passage details it first each noisy answer.")
        );
    }
}
