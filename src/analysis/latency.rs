//! Latency across a set of traces: percentiles per span name and per model,
//! error rates, which step was slowest in each trace, and a log-scale
//! histogram of trace durations.
//!
//! Percentiles are nearest-rank on the sorted values: the p-th percentile of
//! `n` values is the value at 1-based rank `ceil(p / 100 * n)` (rank 1 for
//! p = 0). It is always one of the observed values, never interpolated, so
//! p50 of `[1, 2, 3, 4]` is 2 and p90 of ten values is the 9th.
//!
//! Steps are step units (see `step_units`): a predictor call's wrapper
//! chain counts once, under its label, in `by_step` and `slowest_steps`.
//! Models are grouped by their bare name (`openai/gpt-4o-mini` with
//! `gpt-4o-mini`). Reads only the store and the index.

use super::rate;
use super::step_units::{label, program_steps, trace_units};
use crate::index::{model_name, Index};
use crate::model::{StatusCode, Store, Sym, TraceIdx};
use std::collections::BTreeMap;

/// Nearest-rank percentile of ascending `sorted` values; `None` when empty.
/// `p` is in percent and clamped to 0..=100.
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 100.0) };
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Count, percentiles, maximum and sum of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    pub count: u64,
    pub p50_nanos: i64,
    pub p90_nanos: i64,
    pub p99_nanos: i64,
    pub max_nanos: i64,
    pub total_nanos: i64,
}

impl Percentiles {
    /// Sorts `values` in place and summarises them (all zero when empty).
    pub fn of(values: &mut [i64]) -> Percentiles {
        values.sort_unstable();
        let at = |p| nearest_rank(values, p).unwrap_or(0);
        Percentiles {
            count: values.len() as u64,
            p50_nanos: at(50.0),
            p90_nanos: at(90.0),
            p99_nanos: at(99.0),
            max_nanos: values.last().copied().unwrap_or(0),
            total_nanos: values.iter().sum(),
        }
    }
}

/// Latency of the spans with one name, or of the LM calls of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyRow {
    pub key: String,
    pub latency: Percentiles,
    pub error_spans: u64,
    /// `error_spans / latency.count`.
    pub error_rate: f64,
}

/// How many traces had this step as their longest direct child of the root.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowestStep {
    pub name: String,
    pub traces: u64,
    /// Sum of the winning steps' durations.
    pub total_nanos: i64,
}

/// One histogram bucket: durations in `lower_nanos..upper_nanos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub lower_nanos: i64,
    pub upper_nanos: i64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LatencyReport {
    /// Percentiles of trace durations (first start to last end).
    pub traces: Percentiles,
    /// Every span name, by total time (largest first), ties by name.
    pub by_name: Vec<LatencyRow>,
    /// Every step unit label (`ChainOfThought: context, question ->
    /// answer`, `Retrieve.forward`): the unit's head duration and whether
    /// it failed; same order.
    pub by_step: Vec<LatencyRow>,
    /// LM calls (`is_lm_call`) per bare model name, same order; calls
    /// without a model are under the empty name.
    pub by_model: Vec<LatencyRow>,
    /// The longest of each trace's program steps (`step_units::
    /// program_steps`), by label: most traces first, ties by name; a tie
    /// inside a trace goes to the step that started first.
    pub slowest_steps: Vec<SlowestStep>,
    /// Trace durations; see [`histogram`].
    pub histogram: Vec<Bucket>,
}

/// Latency of the spans of `traces`. Unknown trace indices are skipped.
pub fn latency(store: &Store, index: &Index, traces: &[TraceIdx]) -> LatencyReport {
    let s = &store.spans;
    let mut names: BTreeMap<Sym, (Vec<i64>, u64)> = BTreeMap::new();
    let mut models: BTreeMap<String, (Vec<i64>, u64)> = BTreeMap::new();
    let mut units_by_label: BTreeMap<String, (Vec<i64>, u64)> = BTreeMap::new();
    let mut slowest: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut durations = Vec::with_capacity(traces.len());
    for &trace in traces {
        let Some(summary) = index.traces.get(trace.index()) else {
            continue;
        };
        if summary.spans == 0 {
            continue;
        }
        durations.push(summary.duration_nanos());
        for i in store.trace_spans(trace) {
            let d = (s.end_nanos[i] - s.start_nanos[i]).max(0);
            let error = u64::from(s.status[i] == StatusCode::Error);
            let row = names.entry(s.name[i]).or_default();
            row.0.push(d);
            row.1 += error;
            if s.is_lm_call[i] {
                let model = model_name::bare(store.str(s.model[i])).to_owned();
                let row = models.entry(model).or_default();
                row.0.push(d);
                row.1 += error;
            }
        }
        let units = trace_units(store, index, trace);
        for head in units.heads() {
            let h = head.index();
            let row = units_by_label
                .entry(label(store, &units, head).text)
                .or_default();
            row.0.push((s.end_nanos[h] - s.start_nanos[h]).max(0));
            row.1 += u64::from(s.status[h] == StatusCode::Error);
        }
        // max_by_key keeps the last maximum; iterate reversed so the
        // earliest-starting step wins a tie.
        let steps = program_steps(store, index, &units);
        let longest = steps
            .iter()
            .rev()
            .max_by_key(|st| store.duration_nanos(**st));
        if let Some(&step) = longest {
            let row = slowest.entry(label(store, &units, step).text).or_default();
            row.0 += 1;
            row.1 += store.duration_nanos(step).max(0);
        }
    }
    let mut slowest_steps: Vec<SlowestStep> = slowest
        .into_iter()
        .map(|(name, (traces, total_nanos))| SlowestStep {
            name,
            traces,
            total_nanos,
        })
        .collect();
    slowest_steps.sort_by(|a, b| b.traces.cmp(&a.traces).then(a.name.cmp(&b.name)));
    let histogram = histogram(&durations);
    LatencyReport {
        traces: Percentiles::of(&mut durations),
        by_name: rows(names.into_iter().map(|(k, v)| (store.str(k).to_owned(), v))),
        by_step: rows(units_by_label.into_iter()),
        by_model: rows(models.into_iter()),
        slowest_steps,
        histogram,
    }
}

fn rows(groups: impl Iterator<Item = (String, (Vec<i64>, u64))>) -> Vec<LatencyRow> {
    let mut out: Vec<LatencyRow> = groups
        .map(|(key, (mut values, error_spans))| {
            let latency = Percentiles::of(&mut values);
            LatencyRow {
                key,
                latency,
                error_spans,
                error_rate: rate(error_spans, latency.count),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.latency
            .total_nanos
            .cmp(&a.latency.total_nanos)
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Bucket bounds: 0, 1, 2, 5, 10, 20, 50, 100, … ns (1-2-5 steps per decade),
/// up to the largest that fits an `i64`.
fn bound(i: usize) -> i64 {
    if i == 0 {
        return 0;
    }
    let step = [1i64, 2, 5][(i - 1) % 3];
    let decade = u32::try_from((i - 1) / 3).unwrap_or(u32::MAX);
    10i64
        .checked_pow(decade)
        .and_then(|d| d.checked_mul(step))
        .unwrap_or(i64::MAX)
}

/// A log-scale histogram: buckets `[bound(k), bound(k + 1))` with bounds
/// 0, 1, 2, 5, 10, 20, 50 … ns, from the bucket holding the smallest value to
/// the one holding the largest (empty buckets in between are kept, so the
/// bars line up on a log axis). Negative values count in the first bucket.
/// No values, no buckets.
pub fn histogram(values: &[i64]) -> Vec<Bucket> {
    let bucket_of = |v: i64| {
        let mut k = 0;
        while bound(k + 1) <= v && bound(k + 1) < i64::MAX {
            k += 1;
        }
        k
    };
    let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else {
        return Vec::new();
    };
    let (first, last) = (bucket_of(lo), bucket_of(hi));
    let mut out: Vec<Bucket> = (first..=last)
        .map(|k| Bucket {
            lower_nanos: bound(k),
            upper_nanos: bound(k + 1),
            count: 0,
        })
        .collect();
    for &v in values {
        if let Some(b) = out.get_mut(bucket_of(v) - first) {
            b.count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_small_hand_made_arrays() {
        // n = 4: p50 → rank ceil(2) = 2; p90 → ceil(3.6) = 4; p25 → rank 1.
        let v = [10, 20, 30, 40];
        assert_eq!(nearest_rank(&v, 50.0), Some(20));
        assert_eq!(nearest_rank(&v, 90.0), Some(40));
        assert_eq!(nearest_rank(&v, 25.0), Some(10));
        assert_eq!(nearest_rank(&v, 0.0), Some(10));
        assert_eq!(nearest_rank(&v, 100.0), Some(40));
        // n = 10: p90 → rank 9; p99 → ceil(9.9) = 10; p50 → rank 5.
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 90.0), Some(9));
        assert_eq!(nearest_rank(&v, 99.0), Some(10));
        assert_eq!(nearest_rank(&v, 50.0), Some(5));
        // n = 1 and n = 0.
        assert_eq!(nearest_rank(&[7], 99.0), Some(7));
        assert_eq!(nearest_rank(&[], 50.0), None);
        // n = 3: p50 → rank ceil(1.5) = 2.
        assert_eq!(nearest_rank(&[1, 3, 5], 50.0), Some(3));
    }

    #[test]
    fn percentiles_sort_first() {
        let mut v = vec![30, 10, 20];
        let p = Percentiles::of(&mut v);
        assert_eq!(
            (
                p.count,
                p.p50_nanos,
                p.p90_nanos,
                p.max_nanos,
                p.total_nanos
            ),
            (3, 20, 30, 30, 60)
        );
        assert_eq!(Percentiles::of(&mut []), Percentiles::default());
    }

    #[test]
    fn histogram_buckets_are_1_2_5_per_decade() {
        // 3 → [2,5); 7 → [5,10); 12 and 19 → [10,20); 0 → [0,1) and the
        // empty buckets [1,2) between are kept.
        let h = histogram(&[3, 7, 12, 19, 0]);
        let got: Vec<(i64, i64, u64)> = h
            .iter()
            .map(|b| (b.lower_nanos, b.upper_nanos, b.count))
            .collect();
        assert_eq!(
            got,
            vec![(0, 1, 1), (1, 2, 0), (2, 5, 1), (5, 10, 1), (10, 20, 2)]
        );
        assert_eq!(histogram(&[]), Vec::new());
        // One huge value: a single bucket, bounds within i64.
        let h = histogram(&[i64::MAX]);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].count, 1);
    }
}
