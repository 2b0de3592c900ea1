//! The steps dashboard over the listed traces: latency percentiles per step
//! (a predictor call's wrapper spans count once, named by predictor and
//! signature) and per model, the slowest-step counter, tokens and cost per
//! model ("not recorded" where the files have no usage), and the traces
//! grouped by a key picked from those present (metadata, a score, `model`,
//! `provider`…), side by side.

use super::price_editor::PriceEditor;
use super::row_limit::{more_rows, use_row_limit};
use crate::analysis::group_by::{group_by, GroupKey};
use crate::analysis::group_keys::{group_keys, KeyChoice, KeySource};
use crate::analysis::latency::{latency, LatencyRow};
use crate::analysis::prices::{Price, PriceTable};
use crate::analysis::tokens::tokens;
use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::load::Session;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct StepsViewProps {
    pub session: Rc<Session>,
    pub table: Rc<TraceTable>,
    pub prices: Rc<PriceTable>,
    pub on_price: Callback<(String, Price)>,
    pub on_reset_prices: Callback<()>,
}

impl PartialEq for StepsViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && Rc::ptr_eq(&self.table, &other.table)
            && Rc::ptr_eq(&self.prices, &other.prices)
    }
}

/// Slowest-step chips shown; the rest are in the per-step table.
const SLOWEST_CHIPS: usize = 12;

fn latency_table(
    title: &str,
    rows: &[LatencyRow],
    testid: &'static str,
    limit: &UseStateHandle<usize>,
) -> Html {
    html! {
        <section>
            <h3>{ title }</h3>
            <table class="data" data-testid={testid}>
                <thead><tr>
                    <th>{ "Name" }</th><th class="num">{ "Count" }</th><th class="num">{ "p50" }</th><th class="num">{ "p90" }</th>
                    <th class="num">{ "p99" }</th><th class="num">{ "Max" }</th><th class="num">{ "Total" }</th><th class="num">{ "Errors" }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().take(**limit).map(|r| html! {
                        <tr>
                            <td title={display::label(&r.key)}>{ display::label(&r.key) }</td>
                            <td class="num">{ r.latency.count }</td>
                            <td class="num">{ display::duration(r.latency.p50_nanos) }</td>
                            <td class="num">{ display::duration(r.latency.p90_nanos) }</td>
                            <td class="num">{ display::duration(r.latency.p99_nanos) }</td>
                            <td class="num">{ display::duration(r.latency.max_nanos) }</td>
                            <td class="num">{ display::duration(r.latency.total_nanos) }</td>
                            <td class={classes!("num", (r.error_spans > 0).then_some("has-errors"))}>{ display::percent(r.error_rate) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            { more_rows(limit, rows.len(), "rows") }
        </section>
    }
}

/// A group-by key in the picker: `compiled — metadata · 2 values · 12 traces`.
fn key_option(choice: &KeyChoice) -> String {
    let source = match choice.source {
        KeySource::Model => "LM calls",
        KeySource::Provider => "LM calls",
        KeySource::Score => "scores",
        KeySource::Service => "spans",
        KeySource::Metadata => "trace metadata",
        KeySource::Resource => "resource",
        KeySource::SpanAttribute => "root span attribute",
    };
    format!(
        "{} — {} · {} · {}",
        display::label(&choice.name),
        source,
        display::plural(choice.values, "value", "values"),
        display::plural(choice.traces, "trace", "traces")
    )
}

#[component]
pub fn StepsView(props: &StepsViewProps) -> Html {
    // The key picked in the group-by picker (the first offered until then).
    let picked = use_state(|| None::<GroupKey>);
    let (name_limit, model_limit, token_limit) =
        (use_row_limit(), use_row_limit(), use_row_limit());
    let at = (
        Rc::as_ptr(&props.table) as usize,
        Rc::as_ptr(&props.prices) as usize,
    );
    // Computed when the listed traces or the prices change, not per render.
    let report = use_memo(at.0, {
        let (session, table) = (props.session.clone(), props.table.clone());
        move |_| latency(&session.store, &session.index, &table.rows)
    });
    let token_report = use_memo(at, {
        let (session, table, prices) = (
            props.session.clone(),
            props.table.clone(),
            props.prices.clone(),
        );
        move |_| tokens(&session.store, &session.index, &table.rows, &prices)
    });
    let choices = use_memo(at.0, {
        let (session, table) = (props.session.clone(), props.table.clone());
        move |_| group_keys(&session.store, &session.index, &table.rows)
    });
    let key = (*picked)
        .clone()
        .filter(|k| choices.iter().any(|c| &c.key == k))
        .or_else(|| choices.first().map(|c| c.key.clone()))
        .unwrap_or_else(|| GroupKey::Any("environment".into()));
    let groups = use_memo((at, key.clone()), {
        let (session, table, prices) = (
            props.session.clone(),
            props.table.clone(),
            props.prices.clone(),
        );
        move |(_, key)| group_by(&session.store, &session.index, &table.rows, key, &prices)
    });
    let models: Vec<String> = token_report
        .by_model
        .iter()
        .map(|m| m.model.clone())
        .collect();
    let onchange = {
        let (picked, choices) = (picked.clone(), choices.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                let chosen = select
                    .value()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| choices.get(i));
                picked.set(chosen.map(|c| c.key.clone()));
            }
        })
    };
    let options = choices.iter().enumerate().map(|(i, c)| {
        html! { <option value={i.to_string()} selected={c.key == key}>{ key_option(c) }</option> }
    });
    html! {
        <div class="table-view steps" data-testid="steps">
            <p class="muted">
                { format!("{} · trace duration p50 {} · p90 {} · p99 {}",
                    display::plural(report.traces.count, "trace", "traces"),
                    display::duration(report.traces.p50_nanos), display::duration(report.traces.p90_nanos),
                    display::duration(report.traces.p99_nanos)) }
            </p>
            if !report.slowest_steps.is_empty() {
                <section>
                    <h3>{ "Slowest step per trace" }</h3>
                    <p>
                        { for report.slowest_steps.iter().take(SLOWEST_CHIPS).map(|s| html! {
                            <span class="chip">{ display::label(&s.name) }<span class="count">{ display::plural(s.traces, "trace", "traces") }</span></span>
                        }) }
                        if report.slowest_steps.len() > SLOWEST_CHIPS {
                            <span class="muted">{ format!(" and {} more (see the table below)", display::plural((report.slowest_steps.len() - SLOWEST_CHIPS) as u64, "step", "steps")) }</span>
                        }
                    </p>
                </section>
            }
            { latency_table("Per step (wrapper spans of one call count once)", &report.by_step, "steps-by-step", &name_limit) }
            { latency_table("Per model", &report.by_model, "steps-by-model", &model_limit) }
            <section>
                <h3>{ "Tokens and cost per model" }</h3>
                <table class="data">
                    <thead><tr><th>{ "Model" }</th><th class="num">{ "LM calls" }</th><th class="num">{ "Input" }</th><th class="num">{ "Output" }</th>
                        <th class="num">{ "Cached" }</th><th class="num">{ "Reasoning" }</th><th class="num">{ "Cost" }</th></tr></thead>
                    <tbody>{ for token_report.by_model.iter().take(*token_limit).map(|m| {
                        let recorded = m.totals.tokens_recorded();
                        let n = |v: u64| if recorded { v.to_string() } else { display::NOT_RECORDED.to_string() };
                        html! {
                        <tr data-testid="model-tokens-row"><td>{ display::label(&m.model) }
                                if !m.providers.is_empty() { <span class="muted">{ format!(" ({})", display::label(&m.providers.join(", "))) }</span> }</td>
                            <td class="num">{ m.totals.lm_calls }</td>
                            <td class="num">{ n(m.totals.tokens.input_tokens) }</td><td class="num">{ n(m.totals.tokens.output_tokens) }</td>
                            <td class="num">{ n(m.totals.tokens.cached_tokens) }</td><td class="num">{ n(m.totals.tokens.reasoning_tokens) }</td>
                            <td class="num">{ if m.totals.cost_known() { display::cost_usd(m.totals.cost_usd) } else { display::NOT_RECORDED.to_string() } }</td></tr>
                    } }) }</tbody>
                </table>
                { more_rows(&token_limit, token_report.by_model.len(), "models") }
                <p class="muted">{ format!("Cost from the file where present, else from the price table: {} ({}).", token_report.price_source, token_report.price_as_of) }</p>
            </section>
            <PriceEditor {models} prices={props.prices.clone()} on_price={props.on_price.clone()} on_reset={props.on_reset_prices.clone()} />
            <section>
                <h3>
                    <label for="group-key">{ "Group traces by " }</label>
                    if choices.is_empty() {
                        <span class="muted">{ "(no metadata, resource or root-span key in the listed traces)" }</span>
                    } else {
                        <select id="group-key" class="group-key" {onchange} data-testid="group-key">{ for options }</select>
                    }
                </h3>
                <div class="groups" data-testid="groups">
                    { for groups.iter().take(60).map(|g| html! {
                        <div class="group-card" data-testid="group-card">
                            <h4>{ g.value.as_deref().map(display::label).unwrap_or_else(|| "(none)".to_string()) }</h4>
                            <dl class="facts">
                                <dt>{ "Traces" }</dt><dd>{ g.traces.len() }</dd>
                                <dt>{ "Failed" }</dt><dd>{ format!("{} ({})", g.failed_traces, display::percent(g.failure_rate)) }</dd>
                                <dt>{ "p50 / p90 / p99" }</dt><dd>{ format!("{} / {} / {}", display::duration(g.duration.p50_nanos), display::duration(g.duration.p90_nanos), display::duration(g.duration.p99_nanos)) }</dd>
                                <dt>{ "Tokens" }</dt><dd>{ display::tokens_or_not_recorded(g.tokens.tokens_recorded().then_some(g.tokens.tokens.input_tokens + g.tokens.tokens.output_tokens)) }</dd>
                                <dt>{ "Cost" }</dt><dd>{ if g.tokens.cost_known() { display::cost_usd(g.tokens.cost_usd) } else { display::NOT_RECORDED.to_string() } }</dd>
                            </dl>
                        </div>
                    }) }
                </div>
            </section>
        </div>
    }
}
