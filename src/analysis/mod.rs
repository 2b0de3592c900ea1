//! Analyses over a loaded session: where the time went, the critical path,
//! latency percentiles, tokens and cost, groups of traces, error groups.
//!
//! Every analysis is a pure function of `&Store`, `&Index` and, for the
//! analyses over many traces, a set of traces (`&[TraceIdx]`, "the filtered
//! traces": the filter language decides which, these functions never filter).
//! Results are plain data with `pub` fields: numbers in nanoseconds, tokens
//! and US dollars, rows in a documented deterministic order (never hash-map
//! order). Rows keyed by a name carry the name as a `String`; rows about one
//! span carry its `SpanIdx` (the view resolves names through the store).
//!
//! Must not depend on `ui`, `web`, `formats` or `load`, nor on a browser
//! crate, and never formats numbers as text (that is `display`'s job).

pub mod attr_text;
pub mod breakdown;
pub mod critical_path;
pub mod dspy;
pub mod errors;
pub mod group_by;
pub mod group_keys;
pub mod highlight;
pub mod json_rows;
pub mod latency;
pub mod lm_call;
pub mod long_text;
pub mod payload;
pub mod preview;
pub mod prices;
pub mod pyrepr;
pub mod retrieval;
pub mod step_units;
pub mod tokens;
pub mod trace_header;
pub mod trace_table;
pub mod tree_rows;
pub mod waterfall;

use crate::index::Index;
use crate::model::{SpanIdx, Store, NONE};

/// The step a span belongs to: the direct child of its root that contains it
/// (the span itself when it is such a child). `None` for a root.
///
/// Every root counts, so a span under an orphan root gets a step of that
/// root. The walk is bounded by the number of spans of the trace, so a parent
/// cycle (the builder cuts them, but data is data) cannot loop.
pub fn step_of(store: &Store, span: SpanIdx) -> Option<SpanIdx> {
    let parents = &store.spans.parent;
    let limit = store
        .spans
        .trace
        .get(span.index())
        .map_or(0, |&t| store.trace_spans(t).len());
    let mut current = span;
    for _ in 0..limit {
        let parent = *parents.get(current.index())?;
        if parent == NONE {
            return None; // `span` is a root
        }
        if parents.get(parent as usize).copied() == Some(NONE) {
            return Some(current);
        }
        current = SpanIdx(parent);
    }
    None
}

/// The direct children of a trace's main root (the earliest root), by start
/// time: the "steps" of a program run. Empty for an empty trace.
pub fn steps(index: &Index, trace: crate::model::TraceIdx) -> &[SpanIdx] {
    index
        .traces
        .get(trace.index())
        .and_then(|t| t.root)
        .map_or(&[], |root| index.children_of(root))
}

/// `part / whole`, or 0 when `whole` is zero (an empty or instant trace).
pub(crate) fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// `part / whole` for counts, or 0 when `whole` is zero.
pub(crate) fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Synthetic OTLP documents for edge cases the real fixtures lack.

    use crate::load::{load, Input, Session};

    /// One span: (id, parent id or "", name, start ns, end ns).
    pub type Spec<'a> = (&'a str, &'a str, &'a str, i64, i64);

    /// A session of one trace (id `01`) built from span specs, via the real
    /// OTLP JSON loader.
    pub fn session(spans: &[Spec<'_>]) -> Session {
        let rows: Vec<String> = spans
            .iter()
            .map(|(id, parent, name, start, end)| {
                format!(
                    r#"{{"traceId":"01","spanId":"{id}","parentSpanId":"{parent}","name":"{name}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"}}"#
                )
            })
            .collect();
        let doc = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            rows.join(",")
        );
        load(vec![Input::new("t.json", doc.into_bytes())])
    }

    /// The row of the span whose wire id is `id` (ids are padded hex).
    pub fn span(session: &Session, id: &str) -> crate::model::SpanIdx {
        let store = &session.store;
        let wanted = format!("{id:0>16}");
        let row = (0..store.span_count())
            .find(|&i| store.id(store.spans.span_id[i]) == wanted)
            .unwrap_or(usize::MAX);
        crate::model::SpanIdx(row as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{session, span};
    use super::*;

    #[test]
    fn step_is_the_child_of_the_root_on_the_way_up() {
        let s = session(&[
            ("a", "", "root", 0, 100),
            ("b", "a", "step", 10, 50),
            ("c", "b", "inner", 20, 30),
            ("d", "c", "leaf", 21, 22),
        ]);
        let store = &s.store;
        assert_eq!(step_of(store, span(&s, "a")), None);
        assert_eq!(step_of(store, span(&s, "b")), Some(span(&s, "b")));
        assert_eq!(step_of(store, span(&s, "d")), Some(span(&s, "b")));
        let trace = store.spans.trace[0];
        assert_eq!(steps(&s.index, trace), &[span(&s, "b")]);
    }
}
