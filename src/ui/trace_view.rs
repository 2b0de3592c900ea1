//! One trace: a header with its totals, then the span tree and the waterfall
//! side by side (one virtualised row per visible span, bars on the trace's
//! time axis). Error spans are marked; LM, retriever and tool spans have
//! their own icon and colour.

use super::virtual_rows::VirtualRows;
use crate::analysis::breakdown::trace_breakdown;
use crate::analysis::critical_path::critical_path;
use crate::analysis::tree_rows::{tree_rows, TreeRow};
use crate::display;
use crate::load::Session;
use crate::model::{SpanIdx, SpanKind, StatusCode, TraceIdx};
use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;
use yew::prelude::*;

pub const ROW_HEIGHT: u32 = 26;

#[derive(Properties)]
pub struct TraceViewProps {
    pub session: Rc<Session>,
    pub trace: TraceIdx,
    pub selected: Option<SpanIdx>,
    pub collapsed: Rc<BTreeSet<u32>>,
    pub on_select: Callback<SpanIdx>,
    pub on_toggle: Callback<SpanIdx>,
}

impl PartialEq for TraceViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.trace == other.trace
            && self.selected == other.selected
            && self.collapsed == other.collapsed
    }
}

/// A glyph per span kind (text, so it is never markup).
pub fn kind_icon(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Llm => "✦",
        SpanKind::Chain => "▸",
        SpanKind::Retriever => "⌕",
        SpanKind::Tool => "⚒",
        SpanKind::Agent => "◎",
        SpanKind::Embedding => "≋",
        SpanKind::Parser => "⇄",
        SpanKind::Evaluator => "✓",
        SpanKind::Unknown => "•",
    }
}

#[component]
pub fn TraceView(props: &TraceViewProps) -> Html {
    let session = props.session.clone();
    let rows = use_memo(
        (
            Rc::as_ptr(&session) as usize,
            props.trace,
            props.collapsed.clone(),
        ),
        move |(_, trace, collapsed)| tree_rows(&session.store, &session.index, *trace, collapsed),
    );
    let session = props.session.clone();
    let critical = use_memo(
        (Rc::as_ptr(&session) as usize, props.trace),
        move |(_, trace)| {
            let path = critical_path(&session.store, &session.index, *trace);
            path.per_span
                .iter()
                .filter(|s| s.on_path_nanos > 0)
                .map(|s| s.span.0)
                .collect::<HashSet<u32>>()
        },
    );
    let session = props.session.clone();
    let breakdown = use_memo(
        (Rc::as_ptr(&session) as usize, props.trace),
        move |(_, trace)| trace_breakdown(&session.store, &session.index, *trace),
    );
    let show_critical = use_state(|| true);
    let store = &props.session.store;
    let Some(t) = props.session.index.traces.get(props.trace.index()) else {
        return html! {};
    };
    let root_name = t
        .root
        .map_or("(no root span)", |r| store.str(store.spans.name[r.index()]));
    let keep_visible = props
        .selected
        .and_then(|s| rows.iter().position(|r| r.span == s));

    let render = {
        let (session, rows) = (props.session.clone(), rows.clone());
        let (selected, on_select, on_toggle) = (
            props.selected,
            props.on_select.clone(),
            props.on_toggle.clone(),
        );
        let critical = if *show_critical {
            Some(critical.clone())
        } else {
            None
        };
        Callback::from(move |i: usize| match rows.get(i) {
            Some(row) => {
                let on_path = critical.as_ref().is_some_and(|c| c.contains(&row.span.0));
                span_row(
                    &session,
                    row,
                    selected == Some(row.span),
                    on_path,
                    &on_select,
                    &on_toggle,
                )
            }
            None => html! {},
        })
    };
    let ticks = (0..=4).map(|q| {
        let label = display::duration(t.duration_nanos() * q / 4);
        let style = format!("left:{}%", q * 25);
        html! { <span class="tick" {style}>{ label }</span> }
    });
    html! {
        <section class="trace-view" data-testid="trace-view">
            <header class="trace-header">
                <h2 title={root_name.to_string()}>{ root_name }</h2>
                <span>{ display::timestamp(t.start_nanos) }</span>
                <span>{ display::duration(t.duration_nanos()) }</span>
                <span>{ display::plural(u64::from(t.spans), "span", "spans") }</span>
                <span>{ display::plural(u64::from(t.lm_calls), "LM call", "LM calls") }</span>
                if t.error_spans > 0 {
                    <span class="has-errors">{ display::plural(u64::from(t.error_spans), "error", "errors") }</span>
                }
                if t.input_tokens + t.output_tokens > 0 {
                    <span>{ display::tokens(t.input_tokens + t.output_tokens) }</span>
                }
                if let Some(cost) = t.cost_usd {
                    <span>{ display::cost_usd(cost) }</span>
                }
            </header>
            <details class="breakdown" open=true data-testid="breakdown">
                <summary>
                    { "Where the time went" }
                    <label class="critical-toggle" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                        <input type="checkbox" checked={*show_critical} onchange={{
                            let show = show_critical.clone();
                            Callback::from(move |_: Event| show.set(!*show))
                        }} />
                        { " highlight critical path" }
                    </label>
                </summary>
                <table class="breakdown-table">
                    { for breakdown.by_name.iter().take(6).map(|row| html! {
                        <tr>
                            <td class="name">{ row.name.clone() }</td>
                            <td class="num">{ display::duration(row.self_nanos) }</td>
                            <td class="share"><span class="share-bar" style={format!("width:{:.1}%", row.share * 100.0)} /></td>
                            <td class="num">{ display::percent(row.share) }</td>
                            <td class="num muted">{ display::plural(row.spans, "span", "spans") }</td>
                        </tr>
                    }) }
                </table>
            </details>
            <div class="span-grid-head">
                <span class="tree-col">{ "Span" }</span>
                <span class="bar-col axis">{ for ticks }</span>
            </div>
            <VirtualRows row_count={rows.len()} row_height={ROW_HEIGHT} {render} {keep_visible} class="span-rows" testid="span-tree" />
        </section>
    }
}

fn span_row(
    session: &Session,
    row: &TreeRow,
    selected: bool,
    on_path: bool,
    on_select: &Callback<SpanIdx>,
    on_toggle: &Callback<SpanIdx>,
) -> Html {
    let store = &session.store;
    let i = row.span.index();
    let s = &store.spans;
    let kind = s.kind[i];
    let is_error = s.status[i] == StatusCode::Error;
    let name = store.str(s.name[i]).to_string();
    let span = row.span;
    let onclick = on_select.reform(move |_: MouseEvent| span);
    let toggle = on_toggle.reform(move |e: MouseEvent| {
        e.stop_propagation();
        span
    });
    let indent = format!("padding-left:{}px", 6 + row.depth * 14);
    let bar = format!(
        "left:{:.4}%;width:max({:.4}%, 2px)",
        row.offset * 100.0,
        row.width * 100.0
    );
    // The duration label goes after the bar, or before it when the bar ends
    // near the right edge, or inside it when the bar fills the row.
    let end = row.offset + row.width;
    let (label_style, label_class) = if end <= 0.85 {
        (format!("left:calc({:.4}% + 4px)", end * 100.0), "after")
    } else if row.offset >= 0.15 {
        (
            format!("right:calc({:.4}% + 4px)", (1.0 - row.offset) * 100.0),
            "before",
        )
    } else {
        (
            format!("right:calc({:.4}% + 4px)", (1.0 - end) * 100.0),
            "inside",
        )
    };
    let classes = classes!(
        "span-row",
        format!("kind-{kind}"),
        selected.then_some("selected"),
        is_error.then_some("error"),
        s.is_lm_call[i].then_some("lm-call"),
        on_path.then_some("critical")
    );
    html! {
        <div class={classes} data-testid="span-row" data-span-id={store.id(s.span_id[i]).to_string()} data-kind={kind.as_str()} {onclick}>
            <span class="tree-col" style={indent} title={name.clone()}>
                if row.child_count > 0 {
                    <button class="twisty" onclick={toggle} aria-label={if row.collapsed { "Expand" } else { "Collapse" }}>
                        { if row.collapsed { "▸" } else { "▾" } }
                    </button>
                } else {
                    <span class="twisty-space" />
                }
                <span class="kind-icon" title={kind.as_str()}>{ kind_icon(kind) }</span>
                <span class="span-name">{ name }</span>
                if is_error {
                    <span class="error-mark" title="error">{ "!" }</span>
                }
                if row.collapsed {
                    <span class="hidden-count">{ format!("+{}", row.child_count) }</span>
                }
            </span>
            <span class="bar-col">
                <span class="bar" style={bar} />
                <span class={classes!("bar-label", label_class)} style={label_style}>{ display::duration(s.end_nanos[i] - s.start_nanos[i]) }</span>
            </span>
        </div>
    }
}
