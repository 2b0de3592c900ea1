//! The critical path of one trace: the chain of work that decided when the
//! trace finished, through parallel children, computed as Jaeger UI does.
//!
//! Algorithm (Jaeger's `computeCriticalPath`): start at the root with the
//! point in time at its end. Among the children that end at or before the
//! point, take the one that ended last; the gap between its end and the point
//! is the parent's own time on the path; move the point to the child's end
//! and continue inside the child. A span with no eligible child is on the path
//! from its start to the point; then the point moves to its start and the
//! walk returns to its parent. Children that ended after the point ran in
//! parallel with a later sibling and are skipped.
//!
//! Edge cases, decided here:
//! - Clock skew: a child is clipped to its (clipped) parent; a child wholly
//!   outside its parent is ignored, as Jaeger's `sanitizeOverFlowingChildren`.
//!   An end before its start counts as a zero-length span at the start.
//! - Ties (children ending at the same instant): the earliest-starting one
//!   wins (it is the one the parent waited for longest), then the lower row.
//! - Zero-duration spans can be chosen but add no time; each child is chosen
//!   at most once, so they cannot make the walk loop.
//! - Several roots (orphans whose parent was not exported): all roots are
//!   children of a virtual span covering the whole trace and the walk goes
//!   through them like through parallel children. Time when no chosen root
//!   runs is `idle_nanos`. With one root this is exactly Jaeger's path
//!   (plus, under skew, idle time where children stick out of the root).
//! - Deep trees: the walk keeps its own stack (no recursion).
//!
//! Reads only the store and the index.

use crate::index::Index;
use crate::model::{SpanIdx, Store, TraceIdx};
use std::collections::BTreeMap;

/// A stretch of time during which `span` itself (not a child) was the
/// critical work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathSegment {
    pub span: SpanIdx,
    pub start_nanos: i64,
    pub end_nanos: i64,
}

/// How long one span spends on the critical path (its segments summed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanOnPath {
    pub span: SpanIdx,
    pub on_path_nanos: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriticalPath {
    pub trace: TraceIdx,
    /// In time order, non-empty, adjacent segments of one span merged.
    pub segments: Vec<PathSegment>,
    /// Largest first; ties by span row.
    pub per_span: Vec<SpanOnPath>,
    /// Trace time outside every chosen root: gaps between roots (several
    /// roots), or the ends of a lone root's children that stick out of it
    /// (clock skew). `segments` plus `idle_nanos` cover the whole trace.
    pub idle_nanos: i64,
}

/// A node of the walk: a span, or the virtual parent of all roots.
#[derive(Debug)]
struct Frame {
    span: Option<SpanIdx>,
    start: i64,
    /// Candidate children with clipped bounds, latest end first.
    kids: Vec<(SpanIdx, i64, i64)>,
    cursor: usize,
}

/// The critical path of `trace`. An unknown or empty trace gives an empty path.
pub fn critical_path(store: &Store, index: &Index, trace: TraceIdx) -> CriticalPath {
    let mut out = CriticalPath {
        trace,
        segments: Vec::new(),
        per_span: Vec::new(),
        idle_nanos: 0,
    };
    let Some(summary) = index.traces.get(trace.index()) else {
        return out;
    };
    if summary.spans == 0 {
        return out;
    }
    let (trace_start, trace_end) = (summary.start_nanos, summary.end_nanos);
    let roots: Vec<SpanIdx> = index.roots(store, trace).collect();
    let mut stack = vec![Frame {
        span: None,
        start: trace_start,
        kids: candidates(store, &roots, trace_start, trace_end),
        cursor: 0,
    }];
    let mut backwards: Vec<PathSegment> = Vec::new();
    let mut point = trace_end;
    while let Some(top) = stack.last_mut() {
        while top.kids.get(top.cursor).is_some_and(|k| k.2 > point) {
            top.cursor += 1;
        }
        let (span, from) = match top.kids.get(top.cursor).copied() {
            Some((child, child_start, child_end)) => {
                top.cursor += 1;
                let parent = top.span;
                let (from, to) = (child_end, point);
                point = child_end;
                let kids = candidates(store, index.children_of(child), child_start, child_end);
                stack.push(Frame {
                    span: Some(child),
                    start: child_start,
                    kids,
                    cursor: 0,
                });
                emit(&mut backwards, &mut out.idle_nanos, parent, from, to);
                continue;
            }
            None => (top.span, top.start),
        };
        emit(&mut backwards, &mut out.idle_nanos, span, from, point);
        point = from;
        stack.pop();
    }
    backwards.reverse();
    out.segments = backwards;
    let mut totals: BTreeMap<SpanIdx, i64> = BTreeMap::new();
    for seg in &out.segments {
        *totals.entry(seg.span).or_insert(0) += seg.end_nanos - seg.start_nanos;
    }
    out.per_span = totals
        .into_iter()
        .map(|(span, on_path_nanos)| SpanOnPath {
            span,
            on_path_nanos,
        })
        .collect();
    out.per_span.sort_by(|a, b| {
        b.on_path_nanos
            .cmp(&a.on_path_nanos)
            .then(a.span.cmp(&b.span))
    });
    out
}

/// Children clipped to the parent's `[start, end]`, those wholly outside
/// dropped, latest end first (ties: earliest start, then lowest row).
fn candidates(store: &Store, kids: &[SpanIdx], start: i64, end: i64) -> Vec<(SpanIdx, i64, i64)> {
    let s = &store.spans;
    let mut out: Vec<(SpanIdx, i64, i64)> = kids
        .iter()
        .filter_map(|&k| {
            let raw_start = *s.start_nanos.get(k.index())?;
            let raw_end = s.end_nanos.get(k.index())?.max(&raw_start);
            let (cs, ce) = (raw_start.max(start), (*raw_end).min(end));
            (ce >= cs).then_some((k, cs, ce))
        })
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
    out
}

/// Records `[from, to)` for `span` (segments arrive latest first), merging
/// with the previous segment of the same span when they touch.
fn emit(
    backwards: &mut Vec<PathSegment>,
    idle: &mut i64,
    span: Option<SpanIdx>,
    from: i64,
    to: i64,
) {
    if to <= from {
        return;
    }
    let Some(span) = span else {
        *idle += to - from;
        return;
    };
    if let Some(last) = backwards.last_mut() {
        if last.span == span && last.start_nanos == to {
            last.start_nanos = from;
            return;
        }
    }
    backwards.push(PathSegment {
        span,
        start_nanos: from,
        end_nanos: to,
    });
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{session, span, Spec};
    use super::*;
    use crate::load::Session;

    fn path(spans: &[Spec<'_>]) -> (Session, CriticalPath) {
        let s = session(spans);
        let trace = s.store.spans.trace[0];
        let p = critical_path(&s.store, &s.index, trace);
        (s, p)
    }

    fn segs(s: &Session, p: &CriticalPath) -> Vec<(String, i64, i64)> {
        p.segments
            .iter()
            .map(|g| {
                let id = s.store.id(s.store.spans.span_id[g.span.index()]);
                (
                    id.trim_start_matches('0').to_owned(),
                    g.start_nanos,
                    g.end_nanos,
                )
            })
            .collect()
    }

    fn seg(id: &str, start: i64, end: i64) -> (String, i64, i64) {
        (id.to_owned(), start, end)
    }

    #[test]
    fn parallel_children_the_last_to_finish_is_on_the_path() {
        // a 0..100 runs b 10..60 and c 10..40 in parallel, then d 70..90.
        // Walking back from 100: d (90), then b ends last before 70, c is
        // hidden behind b.
        let (s, p) = path(&[
            ("a", "", "root", 0, 100),
            ("b", "a", "slow", 10, 60),
            ("c", "a", "fast", 10, 40),
            ("d", "a", "tail", 70, 90),
        ]);
        assert_eq!(
            segs(&s, &p),
            vec![
                seg("a", 0, 10),
                seg("b", 10, 60),
                seg("a", 60, 70),
                seg("d", 70, 90),
                seg("a", 90, 100)
            ]
        );
        let per: Vec<(SpanIdx, i64)> = p
            .per_span
            .iter()
            .map(|x| (x.span, x.on_path_nanos))
            .collect();
        assert_eq!(
            per,
            vec![
                (span(&s, "b"), 50),
                (span(&s, "a"), 30),
                (span(&s, "d"), 20)
            ]
        );
        assert_eq!(p.idle_nanos, 0);
    }

    #[test]
    fn a_child_that_ends_after_its_parent_is_clipped() {
        // b claims 50..150 under a 0..100 (skew): clipped to 50..100; e starts
        // after a ends and is ignored.
        let (s, p) = path(&[
            ("a", "", "root", 0, 100),
            ("b", "a", "skewed", 50, 150),
            ("e", "a", "outside", 120, 130),
        ]);
        assert_eq!(segs(&s, &p), vec![seg("a", 0, 50), seg("b", 50, 100)]);
    }

    #[test]
    fn a_child_that_starts_before_its_lone_root_leaves_idle_time() {
        // b claims 0..50 under a 10..100: clipped to 10..50; the trace starts
        // at 0, so 0..10 is on no span.
        let (s, p) = path(&[("a", "", "root", 10, 100), ("b", "a", "early", 0, 50)]);
        assert_eq!(segs(&s, &p), vec![seg("b", 10, 50), seg("a", 50, 100)]);
        assert_eq!(p.idle_nanos, 10);
    }

    #[test]
    fn zero_duration_spans_add_nothing_and_do_not_loop() {
        let (s, p) = path(&[
            ("a", "", "root", 0, 100),
            ("b", "a", "instant", 50, 50),
            ("c", "a", "instant", 50, 50),
            ("d", "a", "end", 100, 100),
        ]);
        // The instants are visited but contribute no time; a's pieces merge.
        assert_eq!(segs(&s, &p), vec![seg("a", 0, 100)]);
    }

    #[test]
    fn back_to_back_children_are_all_on_the_path() {
        let (s, p) = path(&[
            ("a", "", "root", 0, 30),
            ("b", "a", "one", 0, 10),
            ("c", "a", "two", 10, 20),
            ("d", "a", "three", 20, 30),
        ]);
        assert_eq!(
            segs(&s, &p),
            vec![seg("b", 0, 10), seg("c", 10, 20), seg("d", 20, 30)]
        );
    }

    #[test]
    fn several_roots_walk_through_a_virtual_parent() {
        // Orphans: roots a 0..40 and x 60..100 (x's parent was not exported),
        // and y 50..70 overlapping x. Walking back from 100: x, then a; y ends
        // after x starts, so it is parallel work off the path; 40..60 is idle.
        let (s, p) = path(&[
            ("a", "", "first", 0, 40),
            ("x", "ff", "orphan", 60, 100),
            ("y", "fe", "orphan", 50, 70),
        ]);
        assert_eq!(segs(&s, &p), vec![seg("a", 0, 40), seg("x", 60, 100)]);
        assert_eq!(p.idle_nanos, 20);
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let ids: Vec<String> = (1..=20_000).map(|i| format!("{i:x}")).collect();
        let names: Vec<Spec<'_>> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let parent = if i == 0 { "" } else { ids[i - 1].as_str() };
                (id.as_str(), parent, "n", i as i64, 100_000 - i as i64)
            })
            .collect();
        let (s, p) = path(&names);
        let total: i64 = p.segments.iter().map(|g| g.end_nanos - g.start_nanos).sum();
        assert_eq!(total, 100_000);
        assert_eq!(p.per_span.len(), s.store.span_count());
    }
}
