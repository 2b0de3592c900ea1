//! DSPy's `lm.history` dumped with `json.dump(history, f, default=str)`: a
//! JSON array with one entry per LM call that returned a reply.
//!
//! The history records no module, parent or trace, so each entry becomes a
//! trace of its own holding one LLM span. Two things the file does not say
//! are made visible instead of invented: timestamps are local time without
//! a zone (read as UTC, one warning per file), and there is no latency
//! (every call lasts 0 ns and carries `spanscope.duration_unknown: true`).

use super::json::{self, raw_string, Float64, Int64, Records};
use super::time;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, SpanKind, StoreBuilder, TextEncoding, TextRef, TokenCounts,
    WarningKind,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub const DSPY_LM_HISTORY: Format = Format {
    id: "dspy-lm-history",
    name: "DSPy lm.history JSON",
    producers: "DSPy `lm.history` written with json.dump(..., default=str)",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "the entries of the top-level array",
};

/// Attribute that marks a span whose length the file does not record.
pub(super) const DURATION_UNKNOWN: &str = "spanscope.duration_unknown";

/// One `lm.history` entry. Payloads stay raw so they become byte ranges.
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, default)]
    messages: Option<&'a RawValue>,
    #[serde(borrow, default)]
    prompt: Option<&'a RawValue>,
    #[serde(borrow, default)]
    outputs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    usage: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cost: Option<&'a RawValue>,
    #[serde(borrow, default)]
    cost_details: Option<&'a RawValue>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    response_model: Option<&'a RawValue>,
    #[serde(borrow, default)]
    model_type: Option<&'a RawValue>,
    #[serde(borrow, default)]
    kwargs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    response: Option<&'a RawValue>,
}

/// LiteLLM / OpenAI usage; the LiteLLM engine writes extra keys as `null`.
#[derive(Deserialize, Default)]
struct Usage {
    prompt_tokens: Option<Int64>,
    completion_tokens: Option<Int64>,
    total_tokens: Option<Int64>,
    prompt_tokens_details: Option<PromptDetails>,
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Deserialize, Default)]
struct PromptDetails {
    cached_tokens: Option<Int64>,
}

#[derive(Deserialize, Default)]
struct CompletionDetails {
    reasoning_tokens: Option<Int64>,
}

fn sniff(p: &Probe) -> Sniff {
    if json::first_significant(p.head) != Some(b'[') {
        return Sniff::No("not a JSON array");
    }
    if !json::contains(p.head, b"\"messages\"") {
        return Sniff::No("no \"messages\" key");
    }
    // A long first prompt can push the later keys past the sniffed head.
    let everywhere = [&b"\"outputs\""[..], b"\"usage\"", b"\"uuid\""];
    if !everywhere.iter().all(|key| json::contains(p.deep, key)) {
        return Sniff::No("no \"outputs\", \"usage\" and \"uuid\" keys");
    }
    Sniff::Yes(75)
}

/// What the parse has seen so far, across entries.
struct State<'a> {
    entries: usize,
    zoneless: bool,
    skipped: usize,
    lines: LineCounter<'a>,
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut state = State {
        entries: 0,
        zoneless: false,
        skipped: 0,
        lines: LineCounter::new(bytes),
    };
    let result = json::stream_records::<Entry, _>(bytes, Records::Array, |entry| {
        commit_entry(b, &mut state, entry)
    });
    if state.zoneless {
        warn_local_time(b, "lm.history");
    }
    result.map_err(|e| ParseError::json(bytes, &e))?;
    if state.entries > 0 && state.skipped == state.entries {
        return Err(ParseError::Shape(
            "no entry has \"messages\", \"outputs\" or \"model\": not an lm.history dump".into(),
        ));
    }
    Ok(())
}

/// The one warning per file about what DSPy's history does not record.
pub(super) fn warn_local_time(b: &mut StoreBuilder, what: &str) {
    b.warn_with(WarningKind::BadValue, None, || {
        format!(
            "{what} timestamps are local time without a time zone; they are shown as if \
             they were UTC. No latency is recorded, so LM calls are shown with zero duration."
        )
    });
}

fn commit_entry(b: &mut StoreBuilder, state: &mut State, entry: Entry<'_>) {
    let entry_no = state.entries;
    state.entries += 1;
    let anchor = [entry.messages, entry.outputs, entry.usage]
        .into_iter()
        .flatten()
        .next();
    let at = anchor.map(|raw| state.lines.locate(raw.get()));
    if entry.messages.is_none() && entry.outputs.is_none() && entry.model.is_none() {
        state.skipped += 1;
        b.warn(
            WarningKind::SkippedRecord,
            at,
            format!("entry {entry_no} has no messages, outputs or model; skipped"),
        );
        return;
    }

    b.begin_span();
    let mut d = SpanDraft::new();
    // Without a uuid the entry's position is the only stable identity.
    let id = match entry.uuid.as_deref().map(str::trim) {
        Some(uuid) if !uuid.is_empty() => uuid.to_owned(),
        _ => format!("lm-history-entry-{entry_no}"),
    };
    d.trace_id = id.clone();
    d.span_id = id;
    d.kind = SpanKind::Llm;
    let model = entry.model.as_deref().unwrap_or("").trim();
    // "lm <model>", as the callback log names its LM spans, so the two DSPy
    // logs of one run read alike.
    d.name = b.intern(&if model.is_empty() {
        "lm".to_owned()
    } else {
        format!("lm {model}")
    });
    d.model = b.intern(model);
    if let Some((provider, _)) = model.split_once('/') {
        d.provider = b.intern(provider);
    }

    match entry
        .timestamp
        .as_deref()
        .map(|t| (t, time::iso8601_nanos(t)))
    {
        Some((text, Some(nanos))) => {
            d.start_nanos = nanos;
            state.zoneless |= !time::has_zone(text);
        }
        Some((text, None)) => b.warn(
            WarningKind::BadValue,
            at,
            format!("entry {entry_no}: timestamp {text:?} is not ISO 8601; shown at time 0"),
        ),
        None => b.warn(
            WarningKind::BadValue,
            at,
            format!("entry {entry_no} has no timestamp; shown at time 0"),
        ),
    }
    d.end_nanos = d.start_nanos;
    b.attr(DURATION_UNKNOWN, AttrValue::Bool(true));

    if let Some(raw) = entry.usage {
        match serde_json::from_str::<Usage>(raw.get()) {
            Ok(usage) => d.tokens = tokens(&usage),
            Err(e) => b.warn(
                WarningKind::BadValue,
                at,
                format!("entry {entry_no}: usage not understood ({e}); tokens left out"),
            ),
        }
    }
    d.cost_usd = entry
        .cost
        .and_then(|raw| serde_json::from_str::<Float64>(raw.get()).ok())
        .map(|c| c.0)
        .filter(|c| c.is_finite());

    d.input = match entry.messages {
        Some(raw) => Some(b.text(raw.get(), TextEncoding::JsonValue)),
        // Completion-style calls have a `prompt` string and no messages.
        None => entry.prompt.map(|raw| payload(b, raw)),
    };
    d.output = entry
        .outputs
        .map(|raw| b.text(raw.get(), TextEncoding::JsonValue));

    for (key, value) in [
        ("response_model", entry.response_model),
        ("model_type", entry.model_type),
        ("kwargs", entry.kwargs),
        ("response", entry.response),
        ("cost_details", entry.cost_details),
    ] {
        if let Some(raw) = value {
            let value = json::attr_from_raw(b, raw);
            b.attr(key, value);
        }
    }
    if entry.messages.is_some() {
        if let Some(raw) = entry.prompt {
            let value = json::attr_from_raw(b, raw);
            b.attr("prompt", value);
        }
    }
    b.commit_span(d, at);
}

/// A JSON payload as a byte range: strings as their text, anything else as JSON.
pub(super) fn payload(b: &mut StoreBuilder, raw: &RawValue) -> TextRef {
    match raw_string(b, raw) {
        Some((_, text)) => text,
        None => b.text(raw.get(), TextEncoding::JsonValue),
    }
}

fn tokens(u: &Usage) -> TokenCounts {
    let count = |v: Option<Int64>| v.and_then(|Int64(n)| u64::try_from(n).ok());
    TokenCounts {
        input: count(u.prompt_tokens),
        output: count(u.completion_tokens),
        total: count(u.total_tokens),
        cached: count(
            u.prompt_tokens_details
                .as_ref()
                .and_then(|p| p.cached_tokens),
        ),
        reasoning: count(
            u.completion_tokens_details
                .as_ref()
                .and_then(|c| c.reasoning_tokens),
        ),
    }
}

/// Turns slices of the file into locations, walking forward only (records
/// arrive in file order), so the file is scanned for newlines once.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    fn locate(&mut self, inside: &str) -> Location {
        let at = (inside.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        if at > self.bytes.len() {
            return Location::default();
        }
        if at < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        let skipped = self.bytes.get(self.offset..at).unwrap_or_default();
        self.line += memchr::memchr_iter(b'\n', skipped).count() as u64;
        self.offset = at;
        Location {
            line: Some(self.line),
            column: None,
            byte: Some(at as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ProbeData;
    use crate::load::{load, Input, Session};
    use crate::model::{SpanIdx, StatusCode};

    const RAG: &[u8] = include_bytes!("../../tests/fixtures/dspy-history/dspy-rag.lm-history.json");
    const REACT: &[u8] =
        include_bytes!("../../tests/fixtures/dspy-history/dspy-react.lm-history.json");

    fn open(bytes: &[u8]) -> Session {
        load(vec![Input::new("", bytes.to_vec())])
    }

    fn parse_alone(bytes: &[u8]) -> Result<usize, ParseError> {
        let mut b = StoreBuilder::new();
        parse(bytes, &mut b)?;
        Ok(b.span_count())
    }

    #[test]
    fn rag_history_is_three_lm_calls() {
        let s = open(RAG);
        assert_eq!(s.report.files[0].format, Some("dspy-lm-history"));
        let t = s.report.files[0].counts;
        // Checked with python over the fixture: 3 entries, 275+285+281 prompt
        // and 50+134+112 completion tokens.
        assert_eq!((t.traces, t.spans, t.lm_calls, t.error_spans), (3, 3, 3, 0));
        assert_eq!((t.input_tokens, t.output_tokens), (841, 296));
        let st = &s.store;
        let first = SpanIdx(0);
        assert_eq!(
            st.id(st.spans.span_id[0]),
            "0594695cbf884ac39628e2e8f445e7c3"
        );
        assert_eq!(
            st.id(st.traces.trace_id[0]),
            "0594695cbf884ac39628e2e8f445e7c3"
        );
        assert_eq!(st.str(st.spans.name[0]), "lm openai/gpt-4o-mini");
        assert_eq!(st.str(st.spans.model[0]), "openai/gpt-4o-mini");
        assert_eq!(st.str(st.spans.provider[0]), "openai");
        assert_eq!(st.spans.cost_usd[0], 7.125e-05);
        assert_eq!(st.spans.status[0], StatusCode::Unset);
        // 2026-11-21T10:55:40.541293 read as UTC; no latency.
        assert_eq!(st.spans.start_nanos[0], 1_795_258_540_541_293_000);
        assert_eq!(st.duration_nanos(first), 0);
        let tokens = st.spans.tokens[0];
        assert_eq!(
            (tokens.total, tokens.cached, tokens.reasoning),
            (Some(325), Some(0), Some(0))
        );
        let input = st.spans.input[0].map(|t| st.text(t).into_owned());
        let messages: Vec<serde_json::Value> =
            serde_json::from_str(&input.unwrap_or_default()).unwrap_or_default();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[1]["role"], "user");
        let output = st.spans.output[0].map(|t| st.text(t).into_owned());
        assert!(output.is_some_and(|o| o.trim_start().starts_with("[\n")));
        let response = st
            .span_attr(first, "response")
            .map(|v| st.attr_text(v).into_owned());
        assert!(response.is_some_and(|r| r.starts_with("Response(\n    text='[[ ## reasoning")));
        let model = st
            .span_attr(first, "response_model")
            .map(|v| st.attr_text(v).into_owned());
        assert_eq!(model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
        assert_eq!(
            st.span_attr(first, DURATION_UNKNOWN),
            Some(AttrValue::Bool(true))
        );
        // One warning for the whole file about local time and latency.
        assert_eq!(s.report.warnings.count(WarningKind::BadValue), 1);
        assert_eq!(s.report.warnings.total(), 1);
    }

    #[test]
    fn react_history_has_cached_tokens_and_nulls() {
        // LiteLLM usage with null detail keys; calls 3 and 7 report 576 cached.
        let s = open(REACT);
        let t = s.report.files[0].counts;
        assert_eq!(
            (t.traces, t.lm_calls, t.input_tokens, t.output_tokens),
            (8, 8, 7161, 693)
        );
        let cached: u64 = s.store.spans.tokens.iter().filter_map(|k| k.cached).sum();
        assert_eq!(cached, 1152);
    }

    #[test]
    fn a_cut_keeps_the_entries_before_it() {
        // The third entry starts at byte 6,749; 9/10 of the file is inside it.
        let cut = &RAG[..RAG.len() * 9 / 10];
        let s = open(cut);
        assert_eq!(s.store.span_count(), 2);
        let truncated = s
            .report
            .warnings
            .groups()
            .find(|(_, k, _)| *k == WarningKind::Truncated);
        let at = truncated.and_then(|(_, _, g)| g.examples[0].0);
        assert!(at.is_some_and(|at| at.line.is_some()));
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        assert!(parse_alone(b"not json at all").is_err());
        assert!(parse_alone(b"{\"messages\": []}").is_err());
        assert!(parse_alone(b"[1, 2]").is_err());
        assert!(matches!(
            parse_alone(b"[{\"x\": 1}]"),
            Err(ParseError::Shape(_))
        ));
    }

    #[test]
    fn entries_without_uuid_get_a_stable_id() {
        let doc = br#"[{"messages": [], "outputs": ["hi"], "model": "m", "usage": {"prompt_tokens": null},
            "timestamp": "2026-01-01T00:00:00", "cost": null, "uuid": null}]"#;
        let s = open(doc);
        assert_eq!(s.store.id(s.store.spans.span_id[0]), "lm-history-entry-0");
        assert!(s.store.spans.cost_usd[0].is_nan());
        assert_eq!(s.store.spans.tokens[0].input, None);
    }

    #[test]
    fn sniffs_only_history_arrays() {
        let probe = |bytes: &'static [u8]| sniff(&ProbeData::new("", bytes).probe());
        assert_eq!(probe(RAG), Sniff::Yes(75));
        assert!(matches!(probe(b"{\"resourceSpans\": []}"), Sniff::No(_)));
        assert!(matches!(probe(b"[{\"messages\": []}]"), Sniff::No(_)));
    }

    #[test]
    fn every_cut_of_a_fixture_parses_without_panic() {
        for cut in (0..REACT.len()).step_by(97) {
            let mut b = StoreBuilder::new();
            let _ = parse(&REACT[..cut], &mut b);
        }
    }
}
