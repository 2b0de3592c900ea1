//! The immutable index over a store: per-trace summaries (root, bounds,
//! counts, tokens) and orders the views need. Built once per load.
//!
//! Never parses; reads only the store's columns.

pub mod filter;
pub mod model_name;
pub mod scores;

use crate::load::Counts;
use crate::model::store::vec_bytes;
use crate::model::{SourceId, SpanIdx, StatusCode, Store, TraceIdx, NONE};
use std::collections::HashSet;

/// How a trace (one request of a program) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Outcome {
    /// No span failed.
    #[default]
    Ok,
    /// Some spans failed but the request went on and answered (a retry, a
    /// fallback adapter, a tool error the agent read and worked around).
    Recovered,
    /// The request failed: its root span is an error, or the root has no
    /// status and no output while spans under it failed.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Recovered => "recovered",
            Outcome::Failed => "failed",
        }
    }
}

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
    pub outcome: Outcome,
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
    /// Children of span `i`: `children[child_start[i]..child_start[i + 1]]`,
    /// by start time (spans of a trace are stored in start order).
    pub child_start: Vec<u32>,
    pub children: Vec<SpanIdx>,
    /// Per span: whether its tokens count in totals. Normally the LM calls;
    /// for a trace whose LM calls report no tokens at all (MLflow's DSPy
    /// autolog puts usage only on the root span), its root spans instead.
    pub counts_tokens: Vec<bool>,
    /// Per span: its duration minus the time covered by its children (the
    /// union of their intervals, clipped to the span), never negative.
    pub self_nanos: Vec<i64>,
    /// Trace indices by start time (ties by index).
    pub by_start: Vec<TraceIdx>,
    pub totals: Counts,
    /// Traces whose outcome is [`Outcome::Failed`].
    pub failed_traces: u64,
}

impl Index {
    pub fn build(store: &Store) -> Index {
        let mut traces = Vec::with_capacity(store.trace_count());
        let mut totals = Counts::default();
        let mut failed_traces = 0;
        let s = &store.spans;
        let counts_tokens = token_owners(store);
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
                outcome: Outcome::Ok,
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
                if counts_tokens[i] {
                    summary.input_tokens += s.tokens[i].input.unwrap_or(0);
                    summary.output_tokens += s.tokens[i].output.unwrap_or(0);
                }
                if s.is_lm_call[i] {
                    summary.lm_calls += 1;
                    if !s.cost_usd[i].is_nan() {
                        summary.cost_usd = Some(summary.cost_usd.unwrap_or(0.0) + s.cost_usd[i]);
                    }
                }
            }
            if summary.spans == 0 {
                summary.start_nanos = 0;
                summary.end_nanos = 0;
            }
            summary.outcome = outcome(store, summary.root, summary.error_spans);
            failed_traces += u64::from(summary.outcome == Outcome::Failed);
            totals.spans += u64::from(summary.spans);
            totals.lm_calls += u64::from(summary.lm_calls);
            totals.error_spans += u64::from(summary.error_spans);
            totals.input_tokens += summary.input_tokens;
            totals.output_tokens += summary.output_tokens;
            traces.push(summary);
        }
        // Every distinct trace id counts, also one known only from metadata
        // (a Langfuse scores file): it is listed after the traces with spans.
        totals.traces = traces.len() as u64;
        let mut by_start: Vec<TraceIdx> = traces.iter().map(|t| t.trace).collect();
        by_start.sort_by_key(|t| {
            let summary = &traces[t.index()];
            (summary.spans == 0, summary.start_nanos, t.0)
        });
        let (child_start, children) = adjacency(&s.parent);
        let self_nanos = self_times(store, &child_start, &children);
        Index {
            traces,
            child_start,
            children,
            counts_tokens,
            self_nanos,
            by_start,
            totals,
            failed_traces,
        }
    }

    /// Heap bytes of the index's vectors (see `Store::heap_bytes`).
    pub fn heap_bytes(&self) -> usize {
        // Exhaustive, so a new field must be counted before it compiles.
        let Index {
            traces,
            child_start,
            children,
            counts_tokens,
            self_nanos,
            by_start,
            totals: _,
            failed_traces: _,
        } = self;
        vec_bytes(traces)
            + vec_bytes(child_start)
            + vec_bytes(children)
            + vec_bytes(counts_tokens)
            + vec_bytes(self_nanos)
            + vec_bytes(by_start)
    }

    pub fn children_of(&self, span: SpanIdx) -> &[SpanIdx] {
        let i = span.index();
        &self.children[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }

    /// Roots of a trace (spans without a loaded parent), by start time.
    pub fn roots<'a>(
        &self,
        store: &'a Store,
        trace: TraceIdx,
    ) -> impl Iterator<Item = SpanIdx> + 'a {
        store
            .trace_spans(trace)
            .filter(|&i| store.spans.parent[i] == NONE)
            .map(|i| SpanIdx(i as u32))
    }

    /// The spans of a trace in tree order (depth-first, children by start),
    /// with their depth. Iterative, so deep nesting cannot overflow a stack.
    pub fn tree_order(&self, store: &Store, trace: TraceIdx) -> Vec<(SpanIdx, u32)> {
        let mut out = Vec::with_capacity(store.trace_spans(trace).len());
        let mut stack: Vec<(SpanIdx, u32)> = self.roots(store, trace).map(|r| (r, 0)).collect();
        stack.reverse();
        while let Some((span, depth)) = stack.pop() {
            out.push((span, depth));
            for &child in self.children_of(span).iter().rev() {
                stack.push((child, depth + 1));
            }
        }
        out
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
            }
            if self.counts_tokens[i] {
                counts.input_tokens += s.tokens[i].input.unwrap_or(0);
                counts.output_tokens += s.tokens[i].output.unwrap_or(0);
            }
        }
        counts.traces = traces.len() as u64;
        counts
    }
}

/// Whether a trace failed, recovered from errors, or went fine. The root's
/// own status decides when it has one; a root that says nothing failed when
/// spans under it failed and it returned no output.
fn outcome(store: &Store, root: Option<SpanIdx>, error_spans: u32) -> Outcome {
    if error_spans == 0 {
        return Outcome::Ok;
    }
    let Some(root) = root else {
        return Outcome::Failed;
    };
    let s = &store.spans;
    match s.status[root.index()] {
        StatusCode::Error => Outcome::Failed,
        StatusCode::Ok => Outcome::Recovered,
        StatusCode::Unset if s.output[root.index()].is_some() => Outcome::Recovered,
        StatusCode::Unset => Outcome::Failed,
    }
}

/// Which spans' tokens count: LM calls, unless none of a trace's LM calls
/// reports tokens, in which case the trace's roots (which then carry the
/// rollup) count, so usage is neither lost nor counted twice.
fn token_owners(store: &Store) -> Vec<bool> {
    let s = &store.spans;
    let mut owners = s.is_lm_call.clone();
    for t in 0..store.trace_count() {
        let range = store.trace_spans(TraceIdx(t as u32));
        let lm_reports = range
            .clone()
            .any(|i| s.is_lm_call[i] && !s.tokens[i].is_empty());
        if !lm_reports {
            for i in range {
                owners[i] = s.parent[i] == NONE && !s.tokens[i].is_empty();
            }
        }
    }
    owners
}

/// Self time of every span: children run in parallel or overlap, so the
/// covered time is the union of their intervals, not their sum.
fn self_times(store: &Store, child_start: &[u32], children: &[SpanIdx]) -> Vec<i64> {
    let s = &store.spans;
    let mut out = Vec::with_capacity(store.span_count());
    let mut intervals: Vec<(i64, i64)> = Vec::new();
    for i in 0..store.span_count() {
        let (start, end) = (s.start_nanos[i], s.end_nanos[i]);
        intervals.clear();
        for c in &children[child_start[i] as usize..child_start[i + 1] as usize] {
            let (cs, ce) = (
                s.start_nanos[c.index()].max(start),
                s.end_nanos[c.index()].min(end),
            );
            if ce > cs {
                intervals.push((cs, ce));
            }
        }
        intervals.sort_unstable();
        let (mut covered, mut reach) = (0i64, i64::MIN);
        for &(cs, ce) in &intervals {
            let from = cs.max(reach);
            if ce > from {
                covered += ce - from;
            }
            reach = reach.max(ce);
        }
        out.push((end - start - covered).max(0));
    }
    out
}

/// Compressed adjacency (CSR) from parent links; children keep row order.
fn adjacency(parent: &[u32]) -> (Vec<u32>, Vec<SpanIdx>) {
    let n = parent.len();
    let mut start = vec![0u32; n + 1];
    for &p in parent {
        if p != NONE {
            start[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut children = vec![SpanIdx(0); start[n] as usize];
    for (i, &p) in parent.iter().enumerate() {
        if p != NONE {
            let slot = &mut fill[p as usize];
            children[*slot as usize] = SpanIdx(i as u32);
            *slot += 1;
        }
    }
    (start, children)
}

#[cfg(test)]
mod tests {
    use crate::load::{load, Input};

    /// root 0..100 with children 10..40 and 30..60 (overlapping) and 80..90:
    /// covered = 10..60 (50) + 80..90 (10) = 60, so self = 40.
    #[test]
    fn self_time_subtracts_the_union_of_children() {
        let span = |id: &str, parent: &str, start: u64, end: u64| {
            format!(
                r#"{{"traceId":"01","spanId":"{id}","parentSpanId":"{parent}","name":"s","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"}}"#
            )
        };
        let spans = [
            span("a", "", 0, 100),
            span("b", "a", 10, 40),
            span("c", "a", 30, 60),
            span("d", "a", 80, 90),
        ];
        let doc = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            spans.join(",")
        );
        let session = load(vec![Input::new("t.json", doc.into_bytes())]);
        assert_eq!(session.index.self_nanos, vec![40, 30, 30, 10]);
    }

    /// The memory figure counts what loading adds, never the file itself:
    /// 1 MB of trailing whitespace changes nothing; and the index holds at
    /// least its per-span vectors (child_start has spans + 1 entries).
    #[test]
    fn heap_bytes_count_columns_not_the_input() {
        let doc = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
            {"traceId":"01","spanId":"a","name":"root","startTimeUnixNano":"0","endTimeUnixNano":"9"},
            {"traceId":"01","spanId":"b","parentSpanId":"a","name":"child","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
        let plain = load(vec![Input::new("t.json", doc.as_bytes().to_vec())]);
        let padded = format!("{doc}{}", " ".repeat(1 << 20));
        let padded = load(vec![Input::new("t.json", padded.into_bytes())]);
        assert_eq!(plain.store.span_count(), 2);
        assert_eq!(plain.store.heap_bytes(), padded.store.heap_bytes());
        assert!(plain.store.heap_bytes() < 1 << 20);
        // child_start 3 × u32, children 1 × u32, self_nanos 2 × i64, by_start 1 × u32.
        assert!(plain.index.heap_bytes() >= 3 * 4 + 4 + 2 * 8 + 4);
    }
}
