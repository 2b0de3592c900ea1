//! The header of an open trace, errors first: how the request ended, the
//! error that ended it (exception type and message, the span that raised
//! it and the step it happened in, to jump to), its scores and tags, and
//! its tokens and cost as the other views count them (trace-level usage
//! included; "not recorded" when the file has none). Also whether the
//! trace has timings at all: DSPy's `lm.history` and `inspect_history`
//! record none.
//!
//! Reads the store and the index; costs come from `tokens`.

use super::attr_text::trace_tags;
use super::errors::trace_error;
use super::prices::PriceTable;
use super::step_units::{label, program_steps, trace_units};
use super::tokens::{trace_costs, CostSource, TokenTotals};
use crate::index::scores::{trace_scores, Score};
use crate::index::{Index, Outcome};
use crate::model::{SpanIdx, Store, TraceIdx, NONE};

/// The error a trace ended with (or, for a trace that recovered, its
/// first error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderError {
    /// Where it was raised: jump here.
    pub span: SpanIdx,
    /// The raising span's name (`LM.__call__`).
    pub raised_in: String,
    /// `dspy.utils.exceptions.LMServerError`, when known.
    pub exception_type: Option<String>,
    pub message: String,
    /// The label of the program step it happened in (`ChainOfThought:
    /// context, question -> answer`), when it is inside one.
    pub step: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceHeader {
    pub outcome: Outcome,
    pub error: Option<HeaderError>,
    /// Error spans in the trace (propagated copies included).
    pub error_spans: u32,
    pub scores: Vec<Score>,
    pub tags: Vec<String>,
    /// LM calls and trace-level usage, as the LM calls view sums them.
    pub tokens: TokenTotals,
    /// False when no span has a duration (the file records no timings).
    pub timed: bool,
}

impl TraceHeader {
    /// Input + output tokens, or `None` when the file records no usage.
    pub fn total_tokens(&self) -> Option<u64> {
        self.tokens
            .tokens_recorded()
            .then(|| self.tokens.tokens.input_tokens + self.tokens.tokens.output_tokens)
    }

    /// The cost and where it came from, or `None` when unknown.
    pub fn cost(&self) -> Option<(f64, CostSource)> {
        self.tokens
            .cost_known()
            .then_some((self.tokens.cost_usd, self.tokens.cost_source))
    }
}

pub fn trace_header(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    prices: &PriceTable,
) -> TraceHeader {
    let summary = index.traces.get(trace.index());
    let mut tokens = TokenTotals::default();
    for call in trace_costs(store, index, trace, prices) {
        tokens.add(&call);
    }
    TraceHeader {
        outcome: summary.map_or(Outcome::Ok, |t| t.outcome),
        error: header_error(store, index, trace),
        error_spans: summary.map_or(0, |t| t.error_spans),
        scores: trace_scores(store, trace),
        tags: trace_tags(store, trace),
        tokens,
        timed: is_timed(store, trace),
    }
}

fn header_error(store: &Store, index: &Index, trace: TraceIdx) -> Option<HeaderError> {
    let e = trace_error(store, index, trace)?;
    let units = trace_units(store, index, trace);
    let steps = program_steps(store, index, &units);
    // Walk up from the raising span's unit to a program step.
    let mut at = units.head_of(e.span);
    let mut step = None;
    for _ in 0..store.trace_spans(trace).len() {
        if steps.contains(&at) {
            step = Some(label(store, &units, at).text);
            break;
        }
        match store.spans.parent.get(at.index()) {
            Some(&p) if p != NONE => at = units.head_of(SpanIdx(p)),
            _ => break,
        }
    }
    Some(HeaderError {
        span: e.span,
        raised_in: e.name,
        exception_type: e.exception_type,
        message: e.message,
        step,
    })
}

/// Whether any span of the trace lasts longer than 0 ns.
pub fn is_timed(store: &Store, trace: TraceIdx) -> bool {
    if trace.index() >= store.trace_count() {
        return false;
    }
    let s = &store.spans;
    store
        .trace_spans(trace)
        .any(|i| s.end_nanos[i] > s.start_nanos[i])
}

/// Whether the whole session lacks timings: it has spans and none of them
/// lasts longer than 0 ns (DSPy `lm.history`, `inspect_history`). Such a
/// session opens in the LM-calls view.
pub fn session_untimed(store: &Store) -> bool {
    let s = &store.spans;
    store.span_count() > 0 && s.start_nanos.iter().zip(&s.end_nanos).all(|(a, b)| b <= a)
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

    fn by_id(s: &Session, id: &str) -> TraceIdx {
        let t = (0..s.store.trace_count())
            .find(|&t| s.store.id(s.store.traces.trace_id[t]) == id)
            .unwrap();
        TraceIdx(t as u32)
    }

    #[test]
    fn a_failed_request_names_its_error_and_step() {
        let s = open(&["otlp-jsonl/dspy-all-scenarios.filexporter.jsonl"]);
        let prices = PriceTable::bundled();
        let h = trace_header(
            &s.store,
            &s.index,
            by_id(&s, "18259621bb30ec07ce1d11bd3c0630ab"),
            &prices,
        );
        assert_eq!(h.outcome, Outcome::Failed);
        let e = h.error.clone().unwrap();
        assert_eq!(e.raised_in, "LM.__call__");
        assert_eq!(
            e.exception_type.as_deref(),
            Some("dspy.utils.exceptions.LMServerError")
        );
        assert_eq!(
            e.step.as_deref(),
            Some("ChainOfThought: context, question -> answer")
        );
        // 6 error spans: RAG.forward down to LM.__call__.
        assert_eq!(h.error_spans, 6);
        // The native engine's LM.__call__ reports no usage: not recorded.
        assert_eq!(h.total_tokens(), None);
        assert!(h.timed);
        // A ReAct tool error the agent worked around: recovered.
        let react = trace_header(
            &s.store,
            &s.index,
            by_id(&s, "2c44d7ba88833482b7e9ee31431bc79c"),
            &prices,
        );
        assert_eq!(react.outcome, Outcome::Recovered);
        assert_eq!(
            react.error.clone().map(|e| e.step),
            Some(Some("calculator.__call__".to_string()))
        );
        // 736+143 + 944+56 + 1281+85 + 831+120 tokens over the 4 completions.
        assert_eq!(react.total_tokens(), Some(4196));
    }

    #[test]
    fn scores_tags_and_trace_level_usage() {
        let s = open(&[
            "langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json",
            "langfuse-scores/dspy-rag.langfuse-scores.json",
        ]);
        let h = trace_header(
            &s.store,
            &s.index,
            by_id(&s, "1578db11ea83ccd29eb26de4b6d7a88b"),
            &PriceTable::bundled(),
        );
        assert_eq!(h.outcome, Outcome::Failed);
        assert_eq!(h.scores.len(), 1);
        assert_eq!(h.scores[0].name, "failed");
        assert_eq!(h.tags, ["dspy", "rag", "dev"]);
        let m = open(&["mlflow-json/dspy-multihop.mlflow-trace-single.json"]);
        let h = trace_header(&m.store, &m.index, TraceIdx(0), &PriceTable::bundled());
        assert_eq!(h.total_tokens(), Some(797 + 268));
        assert_eq!(h.outcome, Outcome::Ok);
        assert!(h.error.is_none());
    }

    #[test]
    fn lm_history_has_no_timings() {
        let s = open(&["dspy-history/dspy-rag.lm-history.json"]);
        assert!(session_untimed(&s.store));
        assert!(!is_timed(&s.store, TraceIdx(0)));
        let t = open(&["otlp-json/dspy-rag.openinference.otlp-http-json.json"]);
        assert!(!session_untimed(&t.store));
    }
}
