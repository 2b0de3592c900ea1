//! The keys traces can be grouped by, as found in the data: the model, its
//! provider, the service, every score (`score.<name>`: Langfuse scores and
//! MLflow assessments, see `index::scores`), every other trace-metadata key, every resource attribute and every
//! short-valued attribute of the root spans — each with how many of the
//! traces have it and how many distinct values it takes. The group-by
//! picker offers these instead of asking the user to guess a key.
//!
//! Keys whose values are long (payloads) or mostly different (ids, times,
//! questions) are left out: grouping by them gives a group per trace.

use super::group_by::{trace_value, GroupKey};
use crate::index::{scores, Index};
use crate::model::{AttrValue, Store, TraceIdx, NONE};
use std::collections::{BTreeMap, BTreeSet};

/// Values longer than this are payloads, not groups.
const MAX_VALUE_BYTES: u32 = 80;
/// A key with more distinct values than this is not a grouping.
pub const MAX_VALUES: usize = 50;

/// Where a key was found (its group-by variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeySource {
    Model,
    Provider,
    Score,
    Service,
    Metadata,
    Resource,
    SpanAttribute,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyChoice {
    pub key: GroupKey,
    /// The key as the user reads it (`model`, `compiled`, `service.version`).
    pub name: String,
    pub source: KeySource,
    /// Traces (of those given) that have the key.
    pub traces: u64,
    /// Distinct values among them.
    pub values: u64,
}

/// The keys present in `traces`: keys with two or more values first, then
/// by how many traces have them, then by source and name.
pub fn group_keys(store: &Store, index: &Index, traces: &[TraceIdx]) -> Vec<KeyChoice> {
    // (source, name) → (traces with it, distinct values up to MAX_VALUES + 1);
    // a key that ever holds a long value is a payload (`None` values).
    let mut seen: BTreeMap<(KeySource, String), (u64, BTreeSet<String>, bool)> = BTreeMap::new();
    let mut note = |source: KeySource, name: &str, value: Option<String>| {
        let entry = seen.entry((source, name.to_string())).or_default();
        entry.0 += 1;
        match value {
            Some(v) if entry.1.len() <= MAX_VALUES => {
                entry.1.insert(v);
            }
            Some(_) => {}
            None => entry.2 = true,
        }
    };
    for &trace in traces {
        if trace.index() >= store.trace_count() {
            continue;
        }
        for (key, source, name) in [
            (GroupKey::Model, KeySource::Model, "model"),
            (GroupKey::Provider, KeySource::Provider, "provider"),
            (GroupKey::Service, KeySource::Service, "service"),
        ] {
            if let Some(v) = trace_value(store, trace, &key) {
                note(source, name, Some(v));
            }
        }
        for score in scores::trace_scores(store, trace) {
            note(
                KeySource::Score,
                &format!("score.{}", score.name),
                Some(score.value.text()),
            );
        }
        let mut once = BTreeSet::new();
        for (k, v) in store.trace_meta(trace) {
            // Scores are offered by name above, their comments not at all.
            let key = store.str(k);
            if key.starts_with("score.") || key.starts_with("assessment.") || key == "score" {
                continue;
            }
            if once.insert((KeySource::Metadata, k)) {
                note(KeySource::Metadata, key, short_text(store, v));
            }
        }
        let Some(root) = index.traces.get(trace.index()).and_then(|t| t.root) else {
            continue;
        };
        for (k, v) in store.span_attrs(root) {
            if once.insert((KeySource::SpanAttribute, k)) {
                note(KeySource::SpanAttribute, store.str(k), short_text(store, v));
            }
        }
        let r = store
            .spans
            .resource
            .get(root.index())
            .copied()
            .unwrap_or(NONE);
        if r != NONE {
            let from = store.resource_start.get(r as usize).copied().unwrap_or(0) as usize;
            let to = store
                .resource_start
                .get(r as usize + 1)
                .copied()
                .unwrap_or(0) as usize;
            for a in from..to {
                let (Some(&k), Some(&v)) = (
                    store.resource_attrs.key.get(a),
                    store.resource_attrs.value.get(a),
                ) else {
                    continue;
                };
                if once.insert((KeySource::Resource, k)) {
                    note(KeySource::Resource, store.str(k), short_text(store, v));
                }
            }
        }
    }
    let mut out: Vec<KeyChoice> = seen
        .into_iter()
        .filter(|(_, (count, values, long))| {
            let distinct = values.len();
            !long &&
            // Mostly distinct over many traces: an id, a time, a question.
            distinct <= MAX_VALUES && !(*count > 10 && distinct as u64 * 2 > *count)
        })
        .map(|((source, name), (count, values, _))| KeyChoice {
            key: match source {
                KeySource::Model => GroupKey::Model,
                KeySource::Provider => GroupKey::Provider,
                KeySource::Score => GroupKey::Any(name.clone()),
                KeySource::Service => GroupKey::Service,
                KeySource::Metadata => GroupKey::Meta(name.clone()),
                KeySource::Resource => GroupKey::Resource(name.clone()),
                KeySource::SpanAttribute => GroupKey::SpanAttr(name.clone()),
            },
            name,
            source,
            traces: count,
            values: values.len() as u64,
        })
        .collect();
    out.sort_by(|a, b| {
        (a.values < 2, std::cmp::Reverse(a.traces), a.source, &a.name).cmp(&(
            b.values < 2,
            std::cmp::Reverse(b.traces),
            b.source,
            &b.name,
        ))
    });
    out
}

/// A value short enough to be a group's name, as text.
fn short_text(store: &Store, value: AttrValue) -> Option<String> {
    match value {
        AttrValue::Str(t) | AttrValue::Json(t) if t.len > MAX_VALUE_BYTES => None,
        _ => {
            let raw = store.attr_text(value);
            // Langfuse writes metadata values JSON-encoded: "rag" for rag.
            if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
                if let Ok(inner) = serde_json::from_str::<String>(&raw) {
                    return Some(inner);
                }
            }
            Some(raw.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    #[test]
    fn keys_of_a_real_export_with_their_coverage() {
        let path = format!(
            "{}/tests/fixtures/otlp-jsonl/dspy-all-scenarios.filexporter.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let s = load(vec![Input::new("all.jsonl", std::fs::read(path).unwrap())]);
        let traces = s.index.by_start.clone();
        let keys = group_keys(&s.store, &s.index, &traces);
        assert!(!keys.is_empty());
        // Sorted: keys with several values before single-valued ones.
        let first_single = keys.iter().position(|k| k.values < 2).unwrap_or(keys.len());
        assert!(keys[first_single..].iter().all(|k| k.values < 2));
        assert!(keys[..first_single].iter().all(|k| k.values >= 2));
        // The model is there, with its traces; no payload keys.
        let model = keys.iter().find(|k| k.key == GroupKey::Model).unwrap();
        assert!(model.traces > 0);
        assert!(keys
            .iter()
            .all(|k| k.name != "input.value" && k.name != "output.value"));
        // Every offered key groups the traces into at most MAX_VALUES + 1 groups.
        let prices = crate::analysis::prices::PriceTable::bundled();
        for k in &keys {
            let groups =
                crate::analysis::group_by::group_by(&s.store, &s.index, &traces, &k.key, &prices);
            assert!(groups.len() <= MAX_VALUES + 1, "{}", k.name);
            let valued = groups.iter().filter(|g| g.value.is_some()).count() as u64;
            assert_eq!(valued, k.values, "{}", k.name);
        }
    }

    #[test]
    fn scores_and_the_provider_are_keys() {
        // dspy-optimize.mlflow-traces.json: 6 traces, 4 with an assessment
        // answer_metric (true ×3, false ×1); LM calls route openai/….
        let path = format!(
            "{}/tests/fixtures/mlflow-json/dspy-optimize.mlflow-traces.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let s = load(vec![Input::new("m.json", std::fs::read(path).unwrap())]);
        let traces = s.index.by_start.clone();
        let keys = group_keys(&s.store, &s.index, &traces);
        let score = keys
            .iter()
            .find(|k| k.name == "score.answer_metric")
            .unwrap();
        assert_eq!(
            (score.source, score.traces, score.values),
            (KeySource::Score, 4, 2)
        );
        assert!(keys.iter().all(|k| !k.name.starts_with("assessment.")));
        let provider = keys.iter().find(|k| k.key == GroupKey::Provider).unwrap();
        assert_eq!(provider.values, 1);
        let prices = crate::analysis::prices::PriceTable::bundled();
        let groups =
            crate::analysis::group_by::group_by(&s.store, &s.index, &traces, &score.key, &prices);
        let got: Vec<(Option<&str>, usize)> = groups
            .iter()
            .map(|g| (g.value.as_deref(), g.traces.len()))
            .collect();
        assert_eq!(got, vec![(Some("true"), 3), (None, 2), (Some("false"), 1)]);
    }
}
