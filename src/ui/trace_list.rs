//! The list of loaded traces, earliest first, virtualised: root span name,
//! start time, duration, span count, LM calls, error spans. Compact (name
//! and duration only) when a trace is open beside it.

use super::virtual_rows::VirtualRows;
use crate::analysis::trace_table::{SortKey, TraceTable};
use crate::display;
use crate::load::Session;
use crate::model::TraceIdx;
use std::rc::Rc;
use yew::prelude::*;

pub const ROW_HEIGHT: u32 = 30;

#[derive(Properties)]
pub struct TraceListProps {
    pub session: Rc<Session>,
    /// The listed traces (filtered and sorted).
    pub table: Rc<TraceTable>,
    pub selected: Option<TraceIdx>,
    pub on_select: Callback<TraceIdx>,
    #[prop_or_default]
    pub sort: SortKey,
    #[prop_or_default]
    pub descending: bool,
    #[prop_or_default]
    pub on_sort: Callback<SortKey>,
    #[prop_or_default]
    pub compact: bool,
}

impl PartialEq for TraceListProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && Rc::ptr_eq(&self.table, &other.table)
            && self.selected == other.selected
            && self.compact == other.compact
            && (self.sort, self.descending) == (other.sort, other.descending)
    }
}

fn row(session: &Session, trace: TraceIdx, selected: bool, on_select: &Callback<TraceIdx>) -> Html {
    let store = &session.store;
    let t = &session.index.traces[trace.index()];
    let root_name = match t.root {
        Some(root) => store.str(store.spans.name[root.index()]),
        None if t.spans == 0 => "(metadata only: load its spans too)",
        None => "(no root span)",
    };
    let trace_id = store.id(store.traces.trace_id[trace.index()]).to_string();
    let onclick = on_select.reform(move |_: MouseEvent| trace);
    html! {
        <div class={classes!("trace-row", selected.then_some("selected"))} data-testid="trace-row" data-trace-id={trace_id} {onclick}>
            <span class="name" title={display::label(root_name)}>{ display::label(root_name) }</span>
            <span class="time">{ display::timestamp(t.start_nanos) }</span>
            <span class="num">{ display::duration(t.duration_nanos()) }</span>
            <span class="num">{ t.spans }</span>
            <span class="num">{ t.lm_calls }</span>
            <span class={classes!("num", (t.error_spans > 0).then_some("has-errors"))}>{ t.error_spans }</span>
        </div>
    }
}

#[component]
pub fn TraceList(props: &TraceListProps) -> Html {
    let order = &props.table.rows;
    let keep_visible = props
        .selected
        .and_then(|t| order.iter().position(|x| *x == t));
    let render = {
        let (session, table, selected, on_select) = (
            props.session.clone(),
            props.table.clone(),
            props.selected,
            props.on_select.clone(),
        );
        Callback::from(move |i: usize| match table.rows.get(i) {
            Some(&trace) => row(&session, trace, selected == Some(trace), &on_select),
            None => html! {},
        })
    };
    let head = |label: &'static str, key: SortKey, class: &'static str| {
        let onclick = props.on_sort.reform(move |_: MouseEvent| key);
        let arrow = if props.sort == key {
            if props.descending {
                " ↓"
            } else {
                " ↑"
            }
        } else {
            ""
        };
        html! {
            <button class={classes!("sort", class)} {onclick} data-testid={format!("sort-{label}").to_lowercase().replace(' ', "-")}>
                { label }{ arrow }
            </button>
        }
    };
    html! {
        <section class={classes!("trace-list", props.compact.then_some("compact"))} data-testid="trace-list">
            <div class="trace-row head">
                { head("Root span", SortKey::Name, "name") }
                { head("Start", SortKey::Start, "time") }
                { head("Duration", SortKey::Duration, "num") }
                { head("Spans", SortKey::Spans, "num") }
                { head("LM calls", SortKey::LmCalls, "num") }
                { head("Errors", SortKey::Errors, "num") }
            </div>
            if order.is_empty() {
                <p class="muted empty">{ "No trace matches the filter." }</p>
            }
            <VirtualRows row_count={order.len()} row_height={ROW_HEIGHT} {render} {keep_visible} testid="trace-rows" />
        </section>
    }
}
