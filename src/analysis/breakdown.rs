//! "Where the time went" in one trace (or summed over a set of traces): self
//! time per span name and the duration of each step (each direct child
//! subtree of the root), as shares of the trace's duration — the table DSPy
//! users print by hand from a step tracer.
//!
//! Self time is `Index::self_nanos` (a span's duration minus the union of its
//! children's intervals), so parallel children are not double-counted and the
//! self times of one root's subtree add up to at most the root's duration.
//! `by_step` sums it per step unit (see `step_units`): a predictor call's
//! wrappers and LM call count once, under the predictor's label.
//! Reads only the store and the index.

use super::step_units::{label, trace_units};
use super::{share, steps};
use crate::index::Index;
use crate::model::{SpanIdx, Store, Sym, TraceIdx};
use std::collections::BTreeMap;

/// Self time of all spans with one name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameSelfTime {
    pub name: String,
    pub spans: u64,
    pub self_nanos: i64,
    /// `self_nanos` / the trace duration (0 for an instant trace).
    pub share: f64,
}

/// Self time of all step units with one label (see `step_units`).
#[derive(Debug, Clone, PartialEq)]
pub struct StepSelfTime {
    /// `ChainOfThought: context, question -> answer`, or a span name.
    pub label: String,
    /// How many units have the label.
    pub units: u64,
    /// The first unit's head span (in start order), to jump to.
    pub first: SpanIdx,
    pub self_nanos: i64,
    /// `self_nanos` / the trace duration (0 for an instant trace).
    pub share: f64,
}

/// One step of a program run: a direct child of the main root with its
/// whole subtree.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTime {
    pub span: SpanIdx,
    pub name: String,
    pub start_nanos: i64,
    pub duration_nanos: i64,
    /// `duration_nanos` / the trace duration.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceBreakdown {
    pub trace: TraceIdx,
    /// First start to last end over all spans of the trace.
    pub duration_nanos: i64,
    /// Sorted by self time, largest first; ties by name.
    pub by_name: Vec<NameSelfTime>,
    /// Self time per step unit label, same order (ties by label). Adds up
    /// to the same total as `by_name`.
    pub by_step: Vec<StepSelfTime>,
    /// The main root's direct children in start order (steps may run in
    /// parallel, so their shares can add up to more than 1). Spans under
    /// other roots (orphans) count in `by_name` but are no step.
    pub steps: Vec<StepTime>,
    /// The main root's own time: its duration minus its children's union.
    pub root_self_nanos: i64,
}

/// The breakdown of one trace. An unknown trace gives an empty breakdown.
pub fn trace_breakdown(store: &Store, index: &Index, trace: TraceIdx) -> TraceBreakdown {
    let duration_nanos = index
        .traces
        .get(trace.index())
        .map_or(0, |t| t.duration_nanos());
    let mut names = BTreeMap::new();
    add_self_times(store, index, trace, &mut names);
    let steps = steps(index, trace)
        .iter()
        .map(|&span| {
            let d = store.duration_nanos(span).max(0);
            StepTime {
                span,
                name: store.str(store.spans.name[span.index()]).to_owned(),
                start_nanos: store.spans.start_nanos[span.index()],
                duration_nanos: d,
                share: share(d, duration_nanos),
            }
        })
        .collect();
    let root_self_nanos = index
        .traces
        .get(trace.index())
        .and_then(|t| t.root)
        .map_or(0, |r| index.self_nanos[r.index()]);
    TraceBreakdown {
        trace,
        duration_nanos,
        by_step: step_rows(store, index, trace, duration_nanos),
        by_name: rows(store, names, duration_nanos),
        steps,
        root_self_nanos,
    }
}

/// Self time per span name summed over a set of traces, as shares of the
/// summed trace durations. Same order as [`TraceBreakdown::by_name`].
pub fn set_breakdown(store: &Store, index: &Index, traces: &[TraceIdx]) -> Vec<NameSelfTime> {
    let mut names = BTreeMap::new();
    let mut total_nanos = 0i64;
    for &trace in traces {
        let Some(summary) = index.traces.get(trace.index()) else {
            continue;
        };
        total_nanos += summary.duration_nanos();
        add_self_times(store, index, trace, &mut names);
    }
    rows(store, names, total_nanos)
}

/// Adds `(spans, self nanos)` per name sym for the spans of one trace.
fn add_self_times(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    names: &mut BTreeMap<Sym, (u64, i64)>,
) {
    if trace.index() >= store.trace_count() {
        return;
    }
    for i in store.trace_spans(trace) {
        let row = names.entry(store.spans.name[i]).or_insert((0, 0));
        row.0 += 1;
        row.1 += index.self_nanos.get(i).copied().unwrap_or(0);
    }
}

fn step_rows(store: &Store, index: &Index, trace: TraceIdx, whole: i64) -> Vec<StepSelfTime> {
    if trace.index() >= store.trace_count() {
        return Vec::new();
    }
    let units = trace_units(store, index, trace);
    let mut by_label: BTreeMap<String, StepSelfTime> = BTreeMap::new();
    for head in units.heads() {
        let text = label(store, &units, head).text;
        let own = units.self_nanos(index, head);
        let row = by_label.entry(text.clone()).or_insert(StepSelfTime {
            label: text,
            units: 0,
            first: head,
            self_nanos: 0,
            share: 0.0,
        });
        row.units += 1;
        row.self_nanos += own;
    }
    let mut out: Vec<StepSelfTime> = by_label
        .into_values()
        .map(|r| StepSelfTime {
            share: share(r.self_nanos, whole),
            ..r
        })
        .collect();
    out.sort_by(|a, b| b.self_nanos.cmp(&a.self_nanos).then(a.label.cmp(&b.label)));
    out
}

fn rows(store: &Store, names: BTreeMap<Sym, (u64, i64)>, whole: i64) -> Vec<NameSelfTime> {
    let mut out: Vec<NameSelfTime> = names
        .into_iter()
        .map(|(sym, (spans, self_nanos))| NameSelfTime {
            name: store.str(sym).to_owned(),
            spans,
            self_nanos,
            share: share(self_nanos, whole),
        })
        .collect();
    out.sort_by(|a, b| b.self_nanos.cmp(&a.self_nanos).then(a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{session, span};
    use super::*;

    #[test]
    fn self_time_rows_sort_by_time_then_name_and_steps_by_start() {
        // root 0..100; step b 10..40 (with child c 15..35), step d 50..90.
        // self: a = 100 - 30 - 40 = 30, b = 30 - 20 = 10, c = 20, d = 40.
        let s = session(&[
            ("a", "", "root", 0, 100),
            ("b", "a", "work", 10, 40),
            ("c", "b", "leaf", 15, 35),
            ("d", "a", "work", 50, 90),
        ]);
        let trace = s.store.spans.trace[0];
        let b = trace_breakdown(&s.store, &s.index, trace);
        assert_eq!(b.duration_nanos, 100);
        let got: Vec<(&str, u64, i64)> = b
            .by_name
            .iter()
            .map(|r| (r.name.as_str(), r.spans, r.self_nanos))
            .collect();
        assert_eq!(got, vec![("work", 2, 50), ("root", 1, 30), ("leaf", 1, 20)]);
        assert_eq!(b.by_name[0].share, 0.5);
        let steps: Vec<(SpanIdx, i64, f64)> = b
            .steps
            .iter()
            .map(|st| (st.span, st.duration_nanos, st.share))
            .collect();
        assert_eq!(
            steps,
            vec![(span(&s, "b"), 30, 0.3), (span(&s, "d"), 40, 0.4)]
        );
        assert_eq!(b.root_self_nanos, 30);
    }

    #[test]
    fn ties_sort_by_name_and_an_instant_trace_has_zero_shares() {
        let s = session(&[("a", "", "z", 5, 5), ("b", "a", "y", 5, 5)]);
        let trace = s.store.spans.trace[0];
        let b = trace_breakdown(&s.store, &s.index, trace);
        let names: Vec<&str> = b.by_name.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["y", "z"]);
        assert!(b.by_name.iter().all(|r| r.share == 0.0));
    }
}
