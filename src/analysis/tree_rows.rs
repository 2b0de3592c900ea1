//! The rows of a trace's span tree as shown: tree order with collapsed
//! subtrees hidden, each row with its depth and where its waterfall bar lies
//! on the trace's time axis (`analysis::waterfall` maps it into the window).

use crate::index::Index;
use crate::model::{SpanIdx, Store, TraceIdx};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreeRow {
    pub span: SpanIdx,
    pub depth: u32,
    pub child_count: u32,
    pub collapsed: bool,
    /// The span's start and end in nanoseconds since the trace's start, for
    /// the zoomable waterfall (`analysis::waterfall::bar`).
    pub start_since_trace_nanos: i64,
    pub end_since_trace_nanos: i64,
}

/// Visible rows of `trace`: depth-first, children by start time, skipping
/// the descendants of spans in `collapsed`.
pub fn tree_rows(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    collapsed: &BTreeSet<u32>,
) -> Vec<TreeRow> {
    let Some(summary) = index.traces.get(trace.index()) else {
        return Vec::new();
    };
    let t0 = summary.start_nanos;
    let s = &store.spans;
    let mut rows = Vec::new();
    let mut stack: Vec<(SpanIdx, u32)> = index.roots(store, trace).map(|r| (r, 0)).collect();
    stack.reverse();
    while let Some((span, depth)) = stack.pop() {
        let i = span.index();
        let children = index.children_of(span);
        let is_collapsed = collapsed.contains(&span.0);
        rows.push(TreeRow {
            span,
            depth,
            child_count: children.len() as u32,
            collapsed: is_collapsed,
            start_since_trace_nanos: s.start_nanos[i].saturating_sub(t0),
            end_since_trace_nanos: s.end_nanos[i].saturating_sub(t0),
        });
        if !is_collapsed {
            for &child in children.iter().rev() {
                stack.push((child, depth + 1));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    #[test]
    fn collapsing_hides_descendants_and_bars_fit_the_trace() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/otlp-json/dspy-classify.openinference.otlp-http-json.json"
        );
        let session = load(vec![Input::new(
            "c.json",
            std::fs::read(path).unwrap_or_default(),
        )]);
        let trace = session.index.by_start[0];
        let all = tree_rows(&session.store, &session.index, trace, &BTreeSet::new());
        // Each classifier trace is one chain of 6 spans (see the snapshot).
        assert_eq!(
            all.iter().map(|r| r.depth).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5]
        );
        let duration = session.index.traces[trace.index()].duration_nanos();
        assert_eq!(
            (all[0].start_since_trace_nanos, all[0].end_since_trace_nanos),
            (0, duration)
        );
        assert!(all
            .iter()
            .all(|r| 0 <= r.start_since_trace_nanos && r.end_since_trace_nanos <= duration));
        let collapsed: BTreeSet<u32> = [all[2].span.0].into();
        let rows = tree_rows(&session.store, &session.index, trace, &collapsed);
        assert_eq!(rows.len(), 3);
        assert!(rows[2].collapsed);
        assert_eq!(rows[2].child_count, 1);
    }
}
