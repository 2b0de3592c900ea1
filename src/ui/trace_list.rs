//! The list of loaded traces, earliest first, virtualised: root span name,
//! start time, duration, span count, LM calls, error spans. Compact (name
//! and duration only) when a trace is open beside it.

use super::virtual_rows::VirtualRows;
use crate::display;
use crate::load::Session;
use crate::model::TraceIdx;
use std::rc::Rc;
use yew::prelude::*;

pub const ROW_HEIGHT: u32 = 30;

#[derive(Properties)]
pub struct TraceListProps {
    pub session: Rc<Session>,
    pub selected: Option<TraceIdx>,
    pub on_select: Callback<TraceIdx>,
    #[prop_or_default]
    pub compact: bool,
}

impl PartialEq for TraceListProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.selected == other.selected
            && self.compact == other.compact
    }
}

fn row(session: &Session, trace: TraceIdx, selected: bool, on_select: &Callback<TraceIdx>) -> Html {
    let store = &session.store;
    let t = &session.index.traces[trace.index()];
    let root_name = t.root.map_or("(no root span)", |root| {
        store.str(store.spans.name[root.index()])
    });
    let trace_id = store.id(store.traces.trace_id[trace.index()]).to_string();
    let onclick = on_select.reform(move |_: MouseEvent| trace);
    html! {
        <div class={classes!("trace-row", selected.then_some("selected"))} data-testid="trace-row" data-trace-id={trace_id} {onclick}>
            <span class="name" title={root_name.to_string()}>{ root_name }</span>
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
    let order = &props.session.index.by_start;
    let keep_visible = props
        .selected
        .and_then(|t| order.iter().position(|x| *x == t));
    let render = {
        let (session, selected, on_select) = (
            props.session.clone(),
            props.selected,
            props.on_select.clone(),
        );
        Callback::from(move |i: usize| match session.index.by_start.get(i) {
            Some(&trace) => row(&session, trace, selected == Some(trace), &on_select),
            None => html! {},
        })
    };
    html! {
        <section class={classes!("trace-list", props.compact.then_some("compact"))} data-testid="trace-list">
            <div class="trace-row head">
                <span class="name">{ "Root span" }</span>
                <span class="time">{ "Start (UTC)" }</span>
                <span class="num">{ "Duration" }</span>
                <span class="num">{ "Spans" }</span>
                <span class="num">{ "LM calls" }</span>
                <span class="num">{ "Errors" }</span>
            </div>
            <VirtualRows row_count={order.len()} row_height={ROW_HEIGHT} {render} {keep_visible} testid="trace-rows" />
        </section>
    }
}
