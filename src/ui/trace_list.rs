//! The list of loaded traces, earliest first: root span name, start time,
//! duration, span count, LM calls and error spans.

use crate::display;
use crate::load::Session;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct TraceListProps {
    pub session: Rc<Session>,
    pub selected: Option<u32>,
    pub on_select: Callback<u32>,
}

impl PartialEq for TraceListProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.selected == other.selected
            && self.on_select == other.on_select
    }
}

#[component]
pub fn TraceList(props: &TraceListProps) -> Html {
    let store = &props.session.store;
    let index = &props.session.index;
    let rows = index.by_start.iter().map(|&trace| {
        let t = &index.traces[trace.index()];
        let root_name = t
            .root
            .map_or("(no root span)", |root| store.str(store.spans.name[root.index()]));
        let trace_id = store.id(store.traces.trace_id[trace.index()]).to_string();
        let selected = props.selected == Some(trace.0);
        let onclick = props.on_select.reform(move |_: MouseEvent| trace.0);
        html! {
            <tr data-testid="trace-row" data-trace-id={trace_id} class={classes!(selected.then_some("selected"))} {onclick}>
                <td class="name" title={root_name.to_string()}>{ root_name }</td>
                <td class="time">{ display::timestamp(t.start_nanos) }</td>
                <td class="num">{ display::duration(t.duration_nanos()) }</td>
                <td class="num">{ t.spans }</td>
                <td class="num">{ t.lm_calls }</td>
                <td class={classes!("num", (t.error_spans > 0).then_some("has-errors"))}>{ t.error_spans }</td>
            </tr>
        }
    });
    html! {
        <table class="trace-list" data-testid="trace-list">
            <thead>
                <tr>
                    <th>{ "Root span" }</th>
                    <th>{ "Start (UTC)" }</th>
                    <th class="num">{ "Duration" }</th>
                    <th class="num">{ "Spans" }</th>
                    <th class="num">{ "LM calls" }</th>
                    <th class="num">{ "Errors" }</th>
                </tr>
            </thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
