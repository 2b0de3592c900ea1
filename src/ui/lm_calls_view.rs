//! Every LM call in the listed traces: model, latency, tokens, cost (from
//! the file, else from the bundled price table), sortable; a click opens the
//! call in its trace.

use super::row_limit::{more_rows, use_row_limit};
use super::state::DetailTab;
use crate::analysis::prices::PriceTable;
use crate::analysis::tokens::{tokens, CostSource};
use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::load::Session;
use crate::model::{SpanIdx, StatusCode, TraceIdx};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct LmCallsViewProps {
    pub session: Rc<Session>,
    pub table: Rc<TraceTable>,
    pub prices: Rc<PriceTable>,
    pub on_open: Callback<(TraceIdx, SpanIdx, DetailTab)>,
}

impl PartialEq for LmCallsViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && Rc::ptr_eq(&self.table, &other.table)
            && Rc::ptr_eq(&self.prices, &other.prices)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Start,
    Latency,
    Tokens,
    Cost,
}

#[component]
pub fn LmCallsView(props: &LmCallsViewProps) -> Html {
    let sort = use_state(|| Column::Latency);
    let limit = use_row_limit();
    let session = props.session.clone();
    let report = use_memo(
        (
            Rc::as_ptr(&props.table) as usize,
            Rc::as_ptr(&props.prices) as usize,
        ),
        {
            let (table, prices) = (props.table.clone(), props.prices.clone());
            move |_| tokens(&session.store, &session.index, &table.rows, &prices)
        },
    );
    let store = &props.session.store;
    let s = &store.spans;
    let mut calls: Vec<_> = report.calls.iter().collect();
    let latency = |span: SpanIdx| s.end_nanos[span.index()] - s.start_nanos[span.index()];
    match *sort {
        Column::Start => calls.sort_by_key(|c| s.start_nanos[c.span.index()]),
        Column::Latency => calls.sort_by_key(|c| std::cmp::Reverse(latency(c.span))),
        Column::Tokens => {
            calls.sort_by_key(|c| std::cmp::Reverse(c.tokens.input_tokens + c.tokens.output_tokens))
        }
        Column::Cost => calls.sort_by(|a, b| {
            b.cost_usd
                .unwrap_or(0.0)
                .total_cmp(&a.cost_usd.unwrap_or(0.0))
        }),
    }
    let head = |label: &'static str, col: Column| {
        let active = *sort == col;
        let sort = sort.clone();
        let onclick = Callback::from(move |_: MouseEvent| sort.set(col));
        html! { <th><button class="sort" {onclick}>{ label }{ if active { " ↓" } else { "" } }</button></th> }
    };
    let total = calls.len();
    let rows = calls.into_iter().take(*limit).map(|c| {
        let (trace, span) = (c.trace, c.span);
        let onclick = props
            .on_open
            .reform(move |_: MouseEvent| (trace, span, DetailTab::Lm));
        let cost = match (c.cost_usd, c.cost_source) {
            (Some(usd), CostSource::PriceTable) => {
                format!("{} (price table)", display::cost_usd(usd))
            }
            (Some(usd), CostSource::Override) => format!("{} (what-if)", display::cost_usd(usd)),
            (Some(usd), _) => display::cost_usd(usd),
            (None, CostSource::UnknownModel) => "unknown model".to_string(),
            (None, _) => "—".to_string(),
        };
        let error = s.status[span.index()] == StatusCode::Error;
        html! {
            <tr data-testid="lm-call-row" {onclick} class={classes!(error.then_some("error"))}>
                <td>{ display::label(store.str(s.name[span.index()])) }</td>
                <td>{ display::label(&c.model) }</td>
                <td class="time">{ display::timestamp(s.start_nanos[span.index()]) }</td>
                <td class="num">{ display::duration(latency(span)) }</td>
                <td class="num">{ c.tokens.input_tokens }</td>
                <td class="num">{ c.tokens.output_tokens }</td>
                <td class="num">{ cost }</td>
                <td>{ if error { "error" } else { "" } }</td>
            </tr>
        }
    });
    html! {
        <div class="table-view" data-testid="lm-calls">
            <p class="muted">
                { display::plural(report.calls.len() as u64, "LM call", "LM calls") }{ " in the listed traces · " }
                { display::tokens(report.total.tokens.input_tokens + report.total.tokens.output_tokens) }{ " · " }
                { display::cost_usd(report.total.cost_usd) }
                { format!(" · prices: {} ({})", report.price_source, report.price_as_of) }
            </p>
            <table class="data">
                <thead><tr>
                    <th>{ "Span" }</th><th>{ "Model" }</th>{ head("Start", Column::Start) }{ head("Latency", Column::Latency) }
                    { head("Input tok", Column::Tokens) }<th>{ "Output tok" }</th>{ head("Cost", Column::Cost) }<th>{ "Status" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { more_rows(&limit, total, "LM calls") }
        </div>
    }
}
