//! Every LM call in the listed traces: model and provider, latency, the
//! prompt and answer in a line each, tokens, cost (from the file, else from
//! the bundled price table), finish reason, sortable; a click opens the call
//! in its trace. Counts a file does not record read "not recorded", and a
//! file without timings (DSPy `lm.history`) has no latency column.

use super::row_limit::{more_rows, use_row_limit};
use super::state::DetailTab;
use crate::analysis::lm_call::finish_reason_of;
use crate::analysis::preview::call_preview;
use crate::analysis::prices::PriceTable;
use crate::analysis::tokens::{tokens, CostSource};
use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::index::model_name;
use crate::load::Session;
use crate::model::{SpanIdx, StatusCode, TraceIdx};
use std::cell::RefCell;
use std::collections::HashMap;
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

/// What a row shows of a call's payloads.
struct CallText {
    prompt: Option<String>,
    answer: Option<String>,
    finish: String,
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
    // Prompt/answer previews and finish reasons, computed once per call
    // and session (re-sorting or re-filtering reuses them).
    let previews = use_memo(Rc::as_ptr(&props.session) as usize, |_| {
        RefCell::new(HashMap::<u32, Rc<CallText>>::new())
    });
    let store = &props.session.store;
    let s = &store.spans;
    let call_text = |span: SpanIdx| -> Rc<CallText> {
        previews
            .borrow_mut()
            .entry(span.0)
            .or_insert_with(|| {
                let (prompt, answer) = call_preview(store, span);
                Rc::new(CallText {
                    prompt,
                    answer,
                    finish: finish_reason_of(store, span).unwrap_or_default(),
                })
            })
            .clone()
    };
    let mut calls: Vec<_> = report.calls.iter().collect();
    let timed = calls
        .iter()
        .any(|c| s.end_nanos[c.span.index()] > s.start_nanos[c.span.index()]);
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
        let text = call_text(span);
        let (prompt, answer) = (&text.prompt, &text.answer);
        let (provider, model) = model_name::split(&c.model);
        let provider = provider
            .map(str::to_owned)
            .or_else(|| Some(store.str(s.provider[span.index()]).to_owned()).filter(|p| !p.is_empty()));
        let count = |n: u64| {
            if c.usage_reported {
                html! { { n } }
            } else {
                html! { <span class="muted" title={display::NOT_RECORDED}>{ "—" }</span> }
            }
        };
        html! {
            <tr data-testid="lm-call-row" {onclick} class={classes!(error.then_some("error"))}>
                <td>{ display::label(store.str(s.name[span.index()])) }</td>
                <td>{ display::label(model) }if let Some(p) = provider { <div class="muted small">{ display::label(&p) }</div> }</td>
                <td class="time">{ display::timestamp(s.start_nanos[span.index()]) }</td>
                if timed { <td class="num">{ display::duration(latency(span)) }</td> }
                <td class="call-preview">
                    if let Some(p) = prompt { <div class="preview" title={p.clone()} data-testid="call-prompt">{ p.clone() }</div> }
                    if let Some(a) = answer { <div class="preview answer" title={a.clone()} data-testid="call-answer">{ format!("→ {a}") }</div> }
                </td>
                <td class="num">{ count(c.tokens.input_tokens) }</td>
                <td class="num">{ count(c.tokens.output_tokens) }</td>
                <td class="num">{ cost }</td>
                <td>{ text.finish.clone() }</td>
                <td>{ if error { "error" } else { "" } }</td>
            </tr>
        }
    });
    let sum = &report.total;
    let tokens_text = if sum.tokens_recorded() {
        display::tokens(sum.tokens.input_tokens + sum.tokens.output_tokens)
    } else {
        format!("tokens {}", display::NOT_RECORDED)
    };
    let cost_text = if sum.cost_known() {
        display::cost_usd(sum.cost_usd)
    } else {
        format!("cost {}", display::NOT_RECORDED)
    };
    html! {
        <div class="table-view" data-testid="lm-calls">
            <p class="muted" data-testid="lm-calls-summary">
                { display::plural(report.calls.len() as u64, "LM call", "LM calls") }{ " in the listed traces · " }
                { tokens_text }{ " · " }{ cost_text }
                if !report.trace_usage.is_empty() {
                    { format!(" · usage recorded per trace, not per call, in {}", display::plural(report.trace_usage.len() as u64, "trace", "traces")) }
                }
                if !timed { { " · the file records no timings" } }
                { format!(" · prices: {} ({})", report.price_source, report.price_as_of) }
            </p>
            <table class="data">
                <thead><tr>
                    <th>{ "Span" }</th><th>{ "Model" }</th>{ head("Start", Column::Start) }
                    if timed { { head("Latency", Column::Latency) } }
                    <th>{ "Prompt → answer" }</th>
                    { head("Input tok", Column::Tokens) }<th>{ "Output tok" }</th>{ head("Cost", Column::Cost) }<th>{ "Finish" }</th><th>{ "Status" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { more_rows(&limit, total, "LM calls") }
        </div>
    }
}
