//! Traces grouped by the value of a key (trace metadata, a span or resource
//! attribute, the model, the service): per group the trace count, error
//! rate, trace-duration percentiles, tokens and cost — "compiled vs not",
//! "optimizer A vs B", "model X vs Y" side by side.
//!
//! A trace belongs to exactly one group: when a key has several values in a
//! trace (an attribute on many spans), the first span in start order that
//! has it decides. Traces without the key form the "(none)" group.
//! Reads the store and the index; costs come from `tokens`.

use super::latency::Percentiles;
use super::prices::PriceTable;
use super::rate;
use super::tokens::{trace_costs, TokenTotals};
use crate::index::{model_name, scores, Index};
use crate::model::{AttrValue, Store, TraceIdx, NONE};
use std::collections::BTreeMap;

/// What the label of the group without a value reads.
pub const NONE_LABEL: &str = "(none)";

/// What to group by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKey {
    /// Trace-level metadata (MLflow trace metadata and tags, Langfuse trace
    /// fields), by exact key.
    Meta(String),
    /// A span attribute, by exact key.
    SpanAttr(String),
    /// A resource attribute (`service.version`, `deployment.environment.name`).
    Resource(String),
    /// The model of the first LM call, else of the first span naming one,
    /// without its provider route (`openai/gpt-4o-mini` is `gpt-4o-mini`).
    Model,
    /// The provider of the first LM call: its provider attribute, else the
    /// route of its model name.
    Provider,
    /// The service of the first span naming one.
    Service,
    /// A name as a user types it. `model`, `provider` and `service` mean
    /// the variants above; `score.<name>` is a score (Langfuse score or
    /// MLflow assessment, see `index::scores`); any other name is tried as trace metadata, then as a span
    /// attribute, then as Langfuse trace metadata
    /// (`langfuse.trace.metadata.<name>`), then as a resource attribute.
    /// `environment` also tries `deployment.environment.name`,
    /// `deployment.environment` and `langfuse.environment`.
    Any(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `None` for traces without the key (shown as [`NONE_LABEL`]).
    pub value: Option<String>,
    /// Member traces, in the given order.
    pub traces: Vec<TraceIdx>,
    /// Traces with at least one error span.
    pub error_traces: u64,
    /// `error_traces / traces.len()`.
    pub error_rate: f64,
    /// Failed requests (`index::Outcome::Failed`): errors the program did
    /// not recover from.
    pub failed_traces: u64,
    /// `failed_traces / traces.len()`.
    pub failure_rate: f64,
    /// Trace durations (first start to last end).
    pub duration: Percentiles,
    pub tokens: TokenTotals,
}

/// Groups `traces` by `key`: most traces first, then by value, the
/// "(none)" group after the valued ones with as many traces.
pub fn group_by(
    store: &Store,
    index: &Index,
    traces: &[TraceIdx],
    key: &GroupKey,
    prices: &PriceTable,
) -> Vec<Group> {
    let mut groups: BTreeMap<Option<String>, (Vec<TraceIdx>, Vec<i64>)> = BTreeMap::new();
    for &trace in traces {
        let Some(summary) = index.traces.get(trace.index()) else {
            continue;
        };
        let entry = groups.entry(trace_value(store, trace, key)).or_default();
        entry.0.push(trace);
        entry.1.push(summary.duration_nanos());
    }
    let mut out: Vec<Group> = groups
        .into_iter()
        .map(|(value, (members, mut durations))| {
            let error_traces = members
                .iter()
                .filter(|t| {
                    index
                        .traces
                        .get(t.index())
                        .is_some_and(|x| x.error_spans > 0)
                })
                .count() as u64;
            let failed_traces = members
                .iter()
                .filter(|t| {
                    index
                        .traces
                        .get(t.index())
                        .is_some_and(|x| x.outcome == crate::index::Outcome::Failed)
                })
                .count() as u64;
            let mut tokens = TokenTotals::default();
            for &t in &members {
                for call in trace_costs(store, index, t, prices) {
                    tokens.add(&call);
                }
            }
            Group {
                value,
                error_traces,
                error_rate: rate(error_traces, members.len() as u64),
                failed_traces,
                failure_rate: rate(failed_traces, members.len() as u64),
                duration: Percentiles::of(&mut durations),
                traces: members,
                tokens,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.traces
            .len()
            .cmp(&a.traces.len())
            .then_with(|| match (&a.value, &b.value) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
    out
}

/// The value of `key` in one trace, as text; `None` when the trace lacks it.
pub fn trace_value(store: &Store, trace: TraceIdx, key: &GroupKey) -> Option<String> {
    if trace.index() >= store.trace_count() {
        return None;
    }
    match key {
        GroupKey::Meta(k) => meta(store, trace, k),
        GroupKey::SpanAttr(k) => span_attr(store, trace, k),
        GroupKey::Resource(k) => resource(store, trace, k),
        GroupKey::Model => model(store, trace).map(|m| model_name::bare(&m).to_owned()),
        GroupKey::Provider => provider(store, trace),
        GroupKey::Service => {
            let s = &store.spans;
            store
                .trace_spans(trace)
                .find(|&i| !s.service[i].is_empty())
                .map(|i| store.str(s.service[i]).to_owned())
        }
        GroupKey::Any(name) => match name.as_str() {
            "model" => trace_value(store, trace, &GroupKey::Model),
            "provider" => trace_value(store, trace, &GroupKey::Provider),
            _ if name.starts_with("score.") => {
                let wanted = &name["score.".len()..];
                scores::trace_scores(store, trace)
                    .into_iter()
                    .find(|s| s.name == wanted)
                    .map(|s| s.value.text())
            }
            "service" => trace_value(store, trace, &GroupKey::Service),
            _ => meta(store, trace, name)
                .or_else(|| span_attr(store, trace, name))
                .or_else(|| span_attr(store, trace, &format!("langfuse.trace.metadata.{name}")))
                .or_else(|| resource(store, trace, name))
                .or_else(|| {
                    let aliases: &[&str] = match name.as_str() {
                        "environment" => &[
                            "deployment.environment.name",
                            "deployment.environment",
                            "langfuse.environment",
                        ],
                        _ => &[],
                    };
                    aliases.iter().find_map(|k| {
                        resource(store, trace, k).or_else(|| span_attr(store, trace, k))
                    })
                }),
        },
    }
}

/// Attribute text; a JSON string literal (Langfuse writes metadata values
/// JSON-encoded, so `rag` arrives as `"rag"`) is unquoted.
fn text(store: &Store, value: AttrValue) -> String {
    let raw = store.attr_text(value);
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(&raw) {
            return inner;
        }
    }
    raw.into_owned()
}

fn meta(store: &Store, trace: TraceIdx, key: &str) -> Option<String> {
    let sym = store.strings.get(key)?;
    store
        .trace_meta(trace)
        .find(|(k, _)| *k == sym)
        .map(|(_, v)| text(store, v))
}

fn span_attr(store: &Store, trace: TraceIdx, key: &str) -> Option<String> {
    let sym = store.strings.get(key)?;
    store.trace_spans(trace).find_map(|i| {
        store
            .span_attrs(crate::model::SpanIdx(i as u32))
            .find(|(k, _)| *k == sym)
            .map(|(_, v)| text(store, v))
    })
}

fn resource(store: &Store, trace: TraceIdx, key: &str) -> Option<String> {
    let sym = store.strings.get(key)?;
    store.trace_spans(trace).find_map(|i| {
        let r = *store.spans.resource.get(i)?;
        if r == NONE {
            return None;
        }
        let from = *store.resource_start.get(r as usize)? as usize;
        let to = *store.resource_start.get(r as usize + 1)? as usize;
        (from..to)
            .find(|&a| store.resource_attrs.key.get(a) == Some(&sym))
            .and_then(|a| store.resource_attrs.value.get(a))
            .map(|&v| text(store, v))
    })
}

fn provider(store: &Store, trace: TraceIdx) -> Option<String> {
    let s = &store.spans;
    let mut spans = store.trace_spans(trace);
    let lm = spans
        .clone()
        .find(|&i| s.is_lm_call[i])
        .or_else(|| spans.find(|&i| !s.model[i].is_empty()))?;
    if !s.provider[lm].is_empty() {
        return Some(store.str(s.provider[lm]).to_owned());
    }
    model_name::split(store.str(s.model[lm]))
        .0
        .map(str::to_owned)
}

fn model(store: &Store, trace: TraceIdx) -> Option<String> {
    let s = &store.spans;
    let mut spans = store.trace_spans(trace);
    spans
        .clone()
        .find(|&i| s.is_lm_call[i] && !s.model[i].is_empty())
        .or_else(|| spans.find(|&i| !s.model[i].is_empty()))
        .map(|i| store.str(s.model[i]).to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::session;
    use super::*;

    #[test]
    fn missing_keys_form_the_none_group_and_ties_sort_by_value() {
        let s = session(&[("a", "", "root", 0, 10)]);
        let trace = s.store.spans.trace[0];
        let prices = PriceTable::bundled();
        let g = group_by(
            &s.store,
            &s.index,
            &[trace],
            &GroupKey::Any("compiled".into()),
            &prices,
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].value, None);
        assert_eq!(g[0].duration.p50_nanos, 10);
        assert_eq!(g[0].error_rate, 0.0);
    }
}
