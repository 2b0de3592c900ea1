//! The trace list as the user asked for it: traces with at least one span
//! matching the filter, sorted by a column, with facet counts over the
//! matching spans and a histogram of the listed traces' durations.

use super::latency::{histogram, Bucket};
use crate::index::filter::{facets, Facets, Filter, FilterError};
use crate::index::Index;
use crate::model::{SpanIdx, Store, TraceIdx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Start,
    Name,
    Duration,
    Spans,
    LmCalls,
    Errors,
    Tokens,
    Cost,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceTable {
    pub rows: Vec<TraceIdx>,
    /// How many spans matched the filter (all spans for an empty filter).
    pub matched_spans: u64,
    /// Set when the filter text does not parse; rows then list every trace.
    pub error: Option<FilterError>,
    pub facets: Facets,
    /// Durations of the listed traces.
    pub histogram: Vec<Bucket>,
    /// The filter's free-text terms, for highlighting hits in rows and in
    /// the detail pane.
    pub needles: Vec<String>,
}

pub fn trace_table(
    store: &Store,
    index: &Index,
    filter: &str,
    sort: SortKey,
    descending: bool,
) -> TraceTable {
    let (parsed, error) = match Filter::parse(filter) {
        Ok(f) => (f, None),
        Err(e) => (Filter::all(), Some(e)),
    };
    let set = parsed.matches(store, index);
    let spans: Vec<SpanIdx> = set.to_vec();
    let mut rows = if parsed.is_all() {
        index.by_start.clone()
    } else {
        crate::index::filter::traces_of(store, index, &set)
    };
    sort_rows(store, index, &mut rows, sort, descending);
    let durations: Vec<i64> = rows
        .iter()
        .map(|t| index.traces[t.index()].duration_nanos())
        .collect();
    TraceTable {
        needles: parsed.text_terms(),
        matched_spans: spans.len() as u64,
        facets: facets(store, index, &spans),
        histogram: histogram(&durations),
        rows,
        error,
    }
}

/// Stable sort by the column, ties in start order.
fn sort_rows(store: &Store, index: &Index, rows: &mut [TraceIdx], sort: SortKey, descending: bool) {
    let t = |x: &TraceIdx| &index.traces[x.index()];
    let name = |x: &TraceIdx| {
        t(x).root
            .map_or("", |r| store.str(store.spans.name[r.index()]))
    };
    rows.sort_by(|a, b| {
        let order = match sort {
            SortKey::Start => t(a).start_nanos.cmp(&t(b).start_nanos),
            SortKey::Name => name(a).cmp(name(b)),
            SortKey::Duration => t(a).duration_nanos().cmp(&t(b).duration_nanos()),
            SortKey::Spans => t(a).spans.cmp(&t(b).spans),
            SortKey::LmCalls => t(a).lm_calls.cmp(&t(b).lm_calls),
            // Failed first (descending), then recovered, then by error spans.
            SortKey::Errors => {
                (t(a).outcome, t(a).error_spans).cmp(&(t(b).outcome, t(b).error_spans))
            }
            SortKey::Tokens => (t(a).input_tokens + t(a).output_tokens)
                .cmp(&(t(b).input_tokens + t(b).output_tokens)),
            SortKey::Cost => t(a)
                .cost_usd
                .unwrap_or(0.0)
                .total_cmp(&t(b).cost_usd.unwrap_or(0.0)),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(t(a).start_nanos.cmp(&t(b).start_nanos))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    fn jsonl() -> crate::load::Session {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/otlp-jsonl/dspy-all-scenarios.filexporter.jsonl"
        );
        load(vec![Input::new("all.jsonl", std::fs::read(path).unwrap())])
    }

    #[test]
    fn filter_sort_facets_and_errors() {
        let s = jsonl();
        let all = trace_table(&s.store, &s.index, "", SortKey::Start, false);
        assert_eq!((all.rows.len(), all.matched_spans), (19, 189));
        // 21 error spans in 19 traces of the JSONL fixture (see its snapshot).
        let errors = trace_table(&s.store, &s.index, "status:error", SortKey::Duration, true);
        assert_eq!(errors.matched_spans, 21);
        assert!(errors
            .rows
            .iter()
            .all(|t| s.index.traces[t.index()].error_spans > 0));
        let durations: Vec<i64> = errors
            .rows
            .iter()
            .map(|t| s.index.traces[t.index()].duration_nanos())
            .collect();
        assert!(
            durations.windows(2).all(|w| w[0] >= w[1]),
            "sorted by duration, longest first"
        );
        assert_eq!(errors.facets.status, vec![("error".to_string(), 21)]);
        assert_eq!(
            errors.histogram.iter().map(|b| b.count).sum::<u64>(),
            errors.rows.len() as u64
        );
        let bad = trace_table(&s.store, &s.index, "dur>2x", SortKey::Start, false);
        assert!(bad.error.is_some());
        assert_eq!(bad.rows.len(), 19);
    }
}
