//! The steps dashboard over the listed traces: latency percentiles per span
//! name and per model, the slowest-step counter, tokens and cost per model,
//! and the traces grouped by a metadata key side by side.

use super::price_editor::PriceEditor;
use crate::analysis::group_by::{group_by, GroupKey};
use crate::analysis::latency::{latency, LatencyRow};
use crate::analysis::prices::{Price, PriceTable};
use crate::analysis::tokens::tokens;
use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::load::Session;
use std::rc::Rc;
use web_sys::HtmlInputElement;
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

fn latency_table(title: &str, rows: &[LatencyRow], testid: &'static str) -> Html {
    html! {
        <section>
            <h3>{ title }</h3>
            <table class="data" data-testid={testid}>
                <thead><tr>
                    <th>{ "Name" }</th><th class="num">{ "Count" }</th><th class="num">{ "p50" }</th><th class="num">{ "p90" }</th>
                    <th class="num">{ "p99" }</th><th class="num">{ "Max" }</th><th class="num">{ "Total" }</th><th class="num">{ "Errors" }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>{ r.key.clone() }</td>
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
        </section>
    }
}

#[component]
pub fn StepsView(props: &StepsViewProps) -> Html {
    let key = use_state(|| "environment".to_string());
    let (store, index, traces) = (
        &props.session.store,
        &props.session.index,
        &props.table.rows,
    );
    let prices = &*props.prices;
    let report = latency(store, index, traces);
    let token_report = tokens(store, index, traces, prices);
    let models: Vec<String> = token_report
        .by_model
        .iter()
        .map(|m| m.model.clone())
        .collect();
    let groups = group_by(store, index, traces, &GroupKey::Any((*key).clone()), prices);
    let onchange = {
        let key = key.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                key.set(input.value());
            }
        })
    };
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
                    <p>{ for report.slowest_steps.iter().map(|s| html! {
                        <span class="chip">{ s.name.clone() }<span class="count">{ display::plural(s.traces, "trace", "traces") }</span></span>
                    }) }</p>
                </section>
            }
            { latency_table("Per step (span name)", &report.by_name, "steps-by-name") }
            { latency_table("Per model", &report.by_model, "steps-by-model") }
            <section>
                <h3>{ "Tokens and cost per model" }</h3>
                <table class="data">
                    <thead><tr><th>{ "Model" }</th><th class="num">{ "LM calls" }</th><th class="num">{ "Input" }</th><th class="num">{ "Output" }</th>
                        <th class="num">{ "Cached" }</th><th class="num">{ "Reasoning" }</th><th class="num">{ "Cost" }</th></tr></thead>
                    <tbody>{ for token_report.by_model.iter().map(|m| html! {
                        <tr><td>{ m.model.clone() }</td><td class="num">{ m.totals.lm_calls }</td>
                            <td class="num">{ m.totals.tokens.input_tokens }</td><td class="num">{ m.totals.tokens.output_tokens }</td>
                            <td class="num">{ m.totals.tokens.cached_tokens }</td><td class="num">{ m.totals.tokens.reasoning_tokens }</td>
                            <td class="num">{ display::cost_usd(m.totals.cost_usd) }</td></tr>
                    }) }</tbody>
                </table>
                <p class="muted">{ format!("Cost from the file where present, else from the price table: {} ({}).", token_report.price_source, token_report.price_as_of) }</p>
            </section>
            <PriceEditor {models} prices={props.prices.clone()} on_price={props.on_price.clone()} on_reset={props.on_reset_prices.clone()} />
            <section>
                <h3>
                    { "Group traces by " }
                    <input class="group-key" value={(*key).clone()} {onchange} data-testid="group-key"
                        placeholder="metadata key: compiled, optimizer, environment, model…" />
                </h3>
                <div class="groups" data-testid="groups">
                    { for groups.iter().map(|g| html! {
                        <div class="group-card">
                            <h4>{ g.value.clone().unwrap_or_else(|| "(none)".to_string()) }</h4>
                            <dl class="facts">
                                <dt>{ "Traces" }</dt><dd>{ g.traces.len() }</dd>
                                <dt>{ "Error rate" }</dt><dd>{ display::percent(g.error_rate) }</dd>
                                <dt>{ "p50 / p90 / p99" }</dt><dd>{ format!("{} / {} / {}", display::duration(g.duration.p50_nanos), display::duration(g.duration.p90_nanos), display::duration(g.duration.p99_nanos)) }</dd>
                                <dt>{ "Tokens" }</dt><dd>{ display::tokens(g.tokens.tokens.input_tokens + g.tokens.tokens.output_tokens) }</dd>
                                <dt>{ "Cost" }</dt><dd>{ display::cost_usd(g.tokens.cost_usd) }</dd>
                            </dl>
                        </div>
                    }) }
                </div>
            </section>
        </div>
    }
}
