//! Tokens and cost per LM call, per trace and per model: input, output,
//! cached-input and reasoning tokens kept apart, and a cost for every call
//! with the place it came from (the file, the bundled price table, the
//! user's what-if override, or nothing).
//!
//! Only LM calls count (`is_lm_call`: an LLM span with no LLM descendant), so
//! a DSPy `LM.__call__` wrapping a LiteLLM `completion` is counted once.
//! When a trace's LM calls report no usage but its root does (MLflow's DSPy
//! autolog), the root's usage counts once as the trace's *trace-level*
//! usage, as in the index's trace summaries, so the trace header, the LM
//! calls view, the steps view and group cards show the same numbers.
//! Token counts the file does not report add 0 to sums, and totals say
//! whether any usage was reported at all, so a view can say "not
//! recorded" instead of `0 tok`. Models are grouped by their bare name
//! (`openai/gpt-4o-mini` with `gpt-4o-mini`). Reads the store and the
//! index; prices come from [`super::prices`].

use super::prices::{PriceOrigin, PriceTable};
use crate::index::{model_name, Index};
use crate::model::{SpanIdx, Store, TraceIdx};
use std::collections::BTreeMap;

/// Where the cost of a call (or of a group of calls) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CostSource {
    /// The trace file reported it (`llm.cost.total`, Langfuse cost details…).
    File,
    /// Computed from the bundled price table.
    PriceTable,
    /// Computed from a price the user set (wins over the file: what-if).
    Override,
    /// Tokens are known but the model is not in the table: no cost.
    UnknownModel,
    /// Neither a cost nor token counts were reported: no cost.
    NoUsage,
    /// A group whose calls got their costs from different places.
    Mixed,
}

impl CostSource {
    /// True when a cost in USD is known (for `Mixed`, for some calls).
    pub fn is_priced(self) -> bool {
        matches!(
            self,
            CostSource::File | CostSource::PriceTable | CostSource::Override | CostSource::Mixed
        )
    }
}

/// Token counts; missing counts are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tokens {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Part of `input_tokens` served from the prompt cache.
    pub cached_tokens: u64,
    /// Part of `output_tokens` spent reasoning.
    pub reasoning_tokens: u64,
}

impl Tokens {
    fn add(&mut self, o: &Tokens) {
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cached_tokens += o.cached_tokens;
        self.reasoning_tokens += o.reasoning_tokens;
    }
}

/// One LM call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallCost {
    pub span: SpanIdx,
    pub trace: TraceIdx,
    /// As the file writes it (`openai/gpt-4o-mini`); empty if unknown.
    pub model: String,
    /// The price-table key used, when a price was looked up and found.
    pub price_model: Option<String>,
    pub tokens: Tokens,
    /// False when the file reported no token count at all for the call.
    pub usage_reported: bool,
    pub cost_usd: Option<f64>,
    pub cost_source: CostSource,
    /// The trace's usage recorded on its root, not on an LM call (`span` is
    /// the root; `model` that of the trace's LM calls).
    pub trace_level: bool,
}

/// Sums over a group of LM calls.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenTotals {
    /// LM calls (trace-level usage entries are not calls).
    pub lm_calls: u64,
    /// Entries (calls or trace-level usage) that reported token counts.
    pub usage_reported: u64,
    pub tokens: Tokens,
    /// Sum over the calls with a known cost.
    pub cost_usd: f64,
    /// Calls whose cost is unknown (not in `cost_usd`).
    pub unpriced_calls: u64,
    /// The calls' common source, `Mixed` if they differ, `NoUsage` if none.
    pub cost_source: CostSource,
}

impl Default for TokenTotals {
    fn default() -> Self {
        TokenTotals {
            lm_calls: 0,
            usage_reported: 0,
            tokens: Tokens::default(),
            cost_usd: 0.0,
            unpriced_calls: 0,
            cost_source: CostSource::NoUsage,
        }
    }
}

impl TokenTotals {
    pub fn add(&mut self, call: &CallCost) {
        let first = self.lm_calls + self.usage_reported == 0;
        self.cost_source = if first || self.cost_source == call.cost_source {
            call.cost_source
        } else {
            CostSource::Mixed
        };
        self.lm_calls += u64::from(!call.trace_level);
        self.usage_reported += u64::from(call.usage_reported);
        self.tokens.add(&call.tokens);
        match call.cost_usd {
            Some(c) => self.cost_usd += c,
            None => self.unpriced_calls += u64::from(!call.trace_level),
        }
    }

    /// Whether any call (or trace) reported token counts: when not, the
    /// token sums are "not recorded", not zero.
    pub fn tokens_recorded(&self) -> bool {
        self.usage_reported > 0
    }

    /// Whether any cost is known (from the file, a price or a what-if).
    pub fn cost_known(&self) -> bool {
        self.cost_source.is_priced()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelTokens {
    /// The bare model name (`gpt-4o-mini` for `openai/gpt-4o-mini` too);
    /// calls without a model are under "".
    pub model: String,
    /// Provider routes the files wrote before the model (`openai`), sorted.
    pub providers: Vec<String>,
    pub price_model: Option<String>,
    pub totals: TokenTotals,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenReport {
    /// Every LM call: traces in the given order, calls in start order.
    pub calls: Vec<CallCost>,
    /// Trace-level usage of traces whose LM calls report none (see the
    /// module docs), in the given order. Counted in every total.
    pub trace_usage: Vec<CallCost>,
    /// One row per given trace (known ones), in the given order.
    pub by_trace: Vec<(TraceIdx, TokenTotals)>,
    /// Costliest first, then most tokens (input + output), then name.
    pub by_model: Vec<ModelTokens>,
    pub total: TokenTotals,
    /// The price table's `source` and `as_of`, to show next to computed costs.
    pub price_source: String,
    pub price_as_of: String,
}

/// The cost of one LM call: an override price if the user set one (and
/// tokens are known), else the file's cost, else the bundled price.
pub fn call_cost(store: &Store, span: SpanIdx, prices: &PriceTable) -> CallCost {
    let model = store
        .spans
        .model
        .get(span.index())
        .map_or("", |&m| store.str(m))
        .to_owned();
    cost_of(store, span, model, prices)
}

/// [`call_cost`] of a span's usage, priced as `model`.
fn cost_of(store: &Store, span: SpanIdx, model: String, prices: &PriceTable) -> CallCost {
    let s = &store.spans;
    let i = span.index();
    let counts = s.tokens.get(i).copied().unwrap_or_default();
    let tokens = Tokens {
        input_tokens: counts.input.unwrap_or(0),
        output_tokens: counts.output.unwrap_or(0),
        cached_tokens: counts.cached.unwrap_or(0),
        reasoning_tokens: counts.reasoning.unwrap_or(0),
    };
    let usage_reported = counts.input.is_some() || counts.output.is_some();
    let file_cost = s.cost_usd.get(i).copied().filter(|c| c.is_finite());
    let found = prices.lookup(&model);
    let price_model = found.map(|(e, _)| e.model.clone());
    let computed = |e: &super::prices::PriceEntry| {
        e.price.cost_usd(
            tokens.input_tokens,
            tokens.cached_tokens,
            tokens.output_tokens,
        )
    };
    let (cost_usd, cost_source) = match (found, file_cost) {
        (Some((e, PriceOrigin::Override)), _) if usage_reported => {
            (Some(computed(e)), CostSource::Override)
        }
        (_, Some(c)) => (Some(c), CostSource::File),
        _ if !usage_reported => (None, CostSource::NoUsage),
        (Some((e, _)), None) => (Some(computed(e)), CostSource::PriceTable),
        (None, None) => (None, CostSource::UnknownModel),
    };
    CallCost {
        span,
        trace: s.trace.get(i).copied().unwrap_or(TraceIdx(u32::MAX)),
        model,
        price_model: if cost_source == CostSource::File {
            None
        } else {
            price_model
        },
        tokens,
        usage_reported,
        cost_usd,
        cost_source,
        trace_level: false,
    }
}

/// The LM calls of one trace, in start order.
pub fn trace_calls(store: &Store, trace: TraceIdx, prices: &PriceTable) -> Vec<CallCost> {
    if trace.index() >= store.trace_count() {
        return Vec::new();
    }
    store
        .trace_spans(trace)
        .filter(|&i| store.spans.is_lm_call[i])
        .map(|i| call_cost(store, SpanIdx(i as u32), prices))
        .collect()
}

/// The trace-level usage of a trace whose LM calls report none: the spans
/// (roots) the index counts tokens on instead, priced as the model of the
/// trace's first LM call.
pub fn trace_level_usage(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    calls: &[CallCost],
    prices: &PriceTable,
) -> Vec<CallCost> {
    if trace.index() >= store.trace_count() {
        return Vec::new();
    }
    let model = calls
        .iter()
        .map(|c| c.model.as_str())
        .find(|m| !m.is_empty())
        .unwrap_or("");
    store
        .trace_spans(trace)
        .filter(|&i| index.counts_tokens.get(i) == Some(&true) && !store.spans.is_lm_call[i])
        .map(|i| CallCost {
            trace_level: true,
            ..cost_of(store, SpanIdx(i as u32), model.to_owned(), prices)
        })
        .collect()
}

/// Everything a trace's tokens and cost are made of: its LM calls, then its
/// trace-level usage (if any).
pub fn trace_costs(
    store: &Store,
    index: &Index,
    trace: TraceIdx,
    prices: &PriceTable,
) -> Vec<CallCost> {
    let mut calls = trace_calls(store, trace, prices);
    let usage = trace_level_usage(store, index, trace, &calls, prices);
    calls.extend(usage);
    calls
}

/// Tokens and cost of the LM calls in `traces`.
pub fn tokens(
    store: &Store,
    index: &Index,
    traces: &[TraceIdx],
    prices: &PriceTable,
) -> TokenReport {
    let mut calls = Vec::new();
    let mut trace_usage = Vec::new();
    let mut by_trace = Vec::with_capacity(traces.len());
    let mut models: BTreeMap<String, ModelTokens> = BTreeMap::new();
    let mut total = TokenTotals::default();
    for &trace in traces {
        if index.traces.get(trace.index()).is_none() {
            continue;
        }
        let mut totals = TokenTotals::default();
        for call in trace_costs(store, index, trace, prices) {
            totals.add(&call);
            total.add(&call);
            let (provider, bare) = model_name::split(&call.model);
            let row = models
                .entry(bare.to_owned())
                .or_insert_with(|| ModelTokens {
                    model: bare.to_owned(),
                    providers: Vec::new(),
                    price_model: None,
                    totals: TokenTotals::default(),
                });
            row.totals.add(&call);
            if let Some(p) = provider {
                if !row.providers.iter().any(|x| x == p) {
                    row.providers.push(p.to_owned());
                    row.providers.sort();
                }
            }
            if row.price_model.is_none() {
                row.price_model.clone_from(&call.price_model);
            }
            if call.trace_level {
                trace_usage.push(call);
            } else {
                calls.push(call);
            }
        }
        by_trace.push((trace, totals));
    }
    let mut by_model: Vec<ModelTokens> = models.into_values().collect();
    by_model.sort_by(|a, b| {
        let tokens = |m: &ModelTokens| m.totals.tokens.input_tokens + m.totals.tokens.output_tokens;
        b.totals
            .cost_usd
            .total_cmp(&a.totals.cost_usd)
            .then(tokens(b).cmp(&tokens(a)))
            .then(a.model.cmp(&b.model))
    });
    TokenReport {
        calls,
        trace_usage,
        by_trace,
        by_model,
        total,
        price_source: prices.source.clone(),
        price_as_of: prices.as_of.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::prices::Price;
    use super::*;
    use crate::load::{load, Input};

    /// One LM call per span spec: (model, input, output, cached, cost or "").
    fn doc(calls: &[(&str, u64, u64, u64, &str)]) -> crate::load::Session {
        let spans: Vec<String> = calls
            .iter()
            .enumerate()
            .map(|(k, (model, input, output, cached, cost))| {
                let mut attrs = vec![
                    r#"{"key":"openinference.span.kind","value":{"stringValue":"LLM"}}"#.to_owned(),
                    format!(r#"{{"key":"llm.model_name","value":{{"stringValue":"{model}"}}}}"#),
                ];
                if *input > 0 {
                    attrs.push(format!(r#"{{"key":"llm.token_count.prompt","value":{{"intValue":"{input}"}}}}"#));
                    attrs.push(format!(r#"{{"key":"llm.token_count.completion","value":{{"intValue":"{output}"}}}}"#));
                    attrs.push(format!(r#"{{"key":"llm.token_count.prompt_details.cache_read","value":{{"intValue":"{cached}"}}}}"#));
                }
                if !cost.is_empty() {
                    attrs.push(format!(r#"{{"key":"llm.cost.total","value":{{"doubleValue":{cost}}}}}"#));
                }
                format!(
                    r#"{{"traceId":"01","spanId":"{:x}","name":"c","startTimeUnixNano":"{k}","endTimeUnixNano":"{}","attributes":[{}]}}"#,
                    k + 1,
                    k + 1,
                    attrs.join(",")
                )
            })
            .collect();
        let doc = format!(
            r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            spans.join(",")
        );
        load(vec![Input::new("t.json", doc.into_bytes())])
    }

    fn fixture(rel: &str) -> crate::load::Session {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        load(vec![Input::new(rel, std::fs::read(path).unwrap())])
    }

    #[test]
    fn mlflow_trace_level_usage_counts_once_everywhere() {
        // dspy-multihop.mlflow-trace-single.json: the root carries
        // mlflow.chat.tokenUsage 797/268; its 3 LM.__call__ spans none.
        let s = fixture("mlflow-json/dspy-multihop.mlflow-trace-single.json");
        let r = tokens(&s.store, &s.index, &[TraceIdx(0)], &PriceTable::bundled());
        assert_eq!(r.calls.len(), 3);
        assert!(r.calls.iter().all(|c| !c.usage_reported));
        assert_eq!(r.trace_usage.len(), 1);
        let t = r.total.tokens;
        assert_eq!((t.input_tokens, t.output_tokens), (797, 268));
        // Same as the trace summary the header shows.
        let summary = &s.index.traces[0];
        assert_eq!((summary.input_tokens, summary.output_tokens), (797, 268));
        assert_eq!((r.total.lm_calls, r.total.usage_reported), (3, 1));
        // Priced as the LM calls' model: 797 × 0.15 + 268 × 0.60 per 1M.
        assert_eq!(r.by_model.len(), 1);
        assert_eq!(r.by_model[0].model, "gpt-4o-mini");
        assert_eq!(r.by_model[0].providers, ["openai"]);
        let cost = r.total.cost_usd;
        assert!(
            (cost - (797.0 * 0.15 + 268.0 * 0.60) / 1e6).abs() < 1e-12,
            "{cost}"
        );
        assert!(r.total.tokens_recorded());
    }

    #[test]
    fn no_usage_is_not_zero_and_spellings_merge() {
        // The all-scenarios JSONL: 18 native LM.__call__ (gpt-4o-mini, no
        // usage) and 13 LiteLLM completions (openai/gpt-4o-mini), 11 with
        // usage (the 2 that hit HTTP 429 have none).
        let s = fixture("otlp-jsonl/dspy-all-scenarios.filexporter.jsonl");
        let all = s.index.by_start.clone();
        let r = tokens(&s.store, &s.index, &all, &PriceTable::bundled());
        assert_eq!(r.by_model.len(), 1);
        assert_eq!(r.by_model[0].model, "gpt-4o-mini");
        assert_eq!(r.by_model[0].totals.lm_calls, 31);
        assert_eq!(r.by_model[0].totals.usage_reported, 11);
        let native: Vec<TraceIdx> = r
            .by_trace
            .iter()
            .filter(|(_, t)| t.lm_calls > 0 && !t.tokens_recorded())
            .map(|(t, _)| *t)
            .collect();
        // The 13 native-engine traces, and the one whose completions both hit 429.
        assert_eq!(native.len(), 14);
    }

    #[test]
    fn each_call_says_where_its_cost_came_from() {
        let s = doc(&[
            ("openai/gpt-4o-mini", 1000, 100, 0, "0.5"),
            ("gpt-4o-mini-2024-07-18", 1000, 100, 400, ""),
            ("llama-3-70b", 1000, 100, 0, ""),
            ("gpt-4o", 0, 0, 0, ""),
        ]);
        let mut prices = PriceTable::bundled();
        let traces = [TraceIdx(0)];
        let r = tokens(&s.store, &s.index, &traces, &prices);
        let got: Vec<(CostSource, Option<f64>)> = r
            .calls
            .iter()
            .map(|c| (c.cost_source, c.cost_usd))
            .collect();
        // (600 × 0.15 + 400 × 0.075 + 100 × 0.60) / 1e6 = 0.00018
        assert_eq!(got[0], (CostSource::File, Some(0.5)));
        assert_eq!(got[1].0, CostSource::PriceTable);
        assert!((got[1].1.unwrap_or(0.0) - 0.000_18).abs() < 1e-12);
        assert_eq!(got[2], (CostSource::UnknownModel, None));
        assert_eq!(got[3], (CostSource::NoUsage, None));
        assert_eq!(r.total.cost_source, CostSource::Mixed);
        assert_eq!(r.total.unpriced_calls, 2);
        assert_eq!(r.total.tokens.cached_tokens, 400);

        // What-if: an override replaces even the file's cost.
        prices.set_override("gpt-4o-mini", Price::new(1.0, 1.0, 1.0));
        let r = tokens(&s.store, &s.index, &traces, &prices);
        assert_eq!(r.calls[0].cost_source, CostSource::Override);
        assert!((r.calls[0].cost_usd.unwrap_or(0.0) - 0.0011).abs() < 1e-12);
        assert_eq!(r.calls[0].price_model.as_deref(), Some("gpt-4o-mini"));
    }
}
