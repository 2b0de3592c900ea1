//! The immutable index over a store: per-trace summaries (root, bounds,
//! counts, tokens) and orders the views need. Built once per load.
//!
//! Never parses; reads only the store's columns.

use crate::load::Counts;
use crate::model::{SourceId, SpanIdx, StatusCode, Store, TraceIdx, NONE};
use std::collections::HashSet;

/// One row of the trace list.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummary {
    pub trace: TraceIdx,
    /// The earliest-starting root span (a span with no loaded parent).
    pub root: Option<SpanIdx>,
    pub start_nanos: i64,
    pub end_nanos: i64,
    pub spans: u32,
    pub lm_calls: u32,
    pub error_spans: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// USD summed over LM calls that report a cost; `None` if none does.
    pub cost_usd: Option<f64>,
}

impl TraceSummary {
    pub fn duration_nanos(&self) -> i64 {
        self.end_nanos - self.start_nanos
    }
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    /// One summary per trace, indexed by `TraceIdx`.
    pub traces: Vec<TraceSummary>,
    /// Trace indices by start time (ties by index).
    pub by_start: Vec<TraceIdx>,
    pub totals: Counts,
}

impl Index {
    pub fn build(store: &Store) -> Index {
        let mut traces = Vec::with_capacity(store.trace_count());
        let mut totals = Counts::default();
        let s = &store.spans;
        for t in 0..store.trace_count() {
            let trace = TraceIdx(t as u32);
            let range = store.trace_spans(trace);
            let mut summary = TraceSummary {
                trace,
                root: None,
                start_nanos: i64::MAX,
                end_nanos: i64::MIN,
                spans: range.len() as u32,
                lm_calls: 0,
                error_spans: 0,
                input_tokens: 0,
                output_tokens: 0,
                cost_usd: None,
            };
            for i in range {
                summary.start_nanos = summary.start_nanos.min(s.start_nanos[i]);
                summary.end_nanos = summary.end_nanos.max(s.end_nanos[i]);
                if s.parent[i] == NONE && summary.root.is_none() {
                    // Spans within a trace are ordered by start: the first root is the earliest.
                    summary.root = Some(SpanIdx(i as u32));
                }
                if s.status[i] == StatusCode::Error {
                    summary.error_spans += 1;
                }
                if s.is_lm_call[i] {
                    summary.lm_calls += 1;
                    summary.input_tokens += s.tokens[i].input.unwrap_or(0);
                    summary.output_tokens += s.tokens[i].output.unwrap_or(0);
                    if !s.cost_usd[i].is_nan() {
                        summary.cost_usd = Some(summary.cost_usd.unwrap_or(0.0) + s.cost_usd[i]);
                    }
                }
            }
            if summary.spans == 0 {
                summary.start_nanos = 0;
                summary.end_nanos = 0;
            }
            totals.spans += u64::from(summary.spans);
            totals.lm_calls += u64::from(summary.lm_calls);
            totals.error_spans += u64::from(summary.error_spans);
            totals.input_tokens += summary.input_tokens;
            totals.output_tokens += summary.output_tokens;
            traces.push(summary);
        }
        totals.traces = traces.iter().filter(|t| t.spans > 0).count() as u64;
        let mut by_start: Vec<TraceIdx> = traces
            .iter()
            .filter(|t| t.spans > 0)
            .map(|t| t.trace)
            .collect();
        by_start.sort_by_key(|t| (traces[t.index()].start_nanos, t.0));
        Index {
            traces,
            by_start,
            totals,
        }
    }

    /// Counts for the spans that came from one source file.
    pub fn source_counts(&self, store: &Store, source: SourceId) -> Counts {
        let s = &store.spans;
        let mut counts = Counts::default();
        let mut traces = HashSet::new();
        for i in 0..store.span_count() {
            if s.source[i] != source {
                continue;
            }
            counts.spans += 1;
            traces.insert(s.trace[i]);
            if s.status[i] == StatusCode::Error {
                counts.error_spans += 1;
            }
            if s.is_lm_call[i] {
                counts.lm_calls += 1;
                counts.input_tokens += s.tokens[i].input.unwrap_or(0);
                counts.output_tokens += s.tokens[i].output.unwrap_or(0);
            }
        }
        counts.traces = traces.len() as u64;
        counts
    }
}
