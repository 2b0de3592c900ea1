//! The list of loaded traces, earliest first, virtualised: a status icon
//! (failed, recovered, ok), root span name, the request's input → output
//! in a line (filter hits marked, or the hit in context), the source file
//! when several are loaded, start time, duration, span count, LM calls,
//! status and scores. Compact (icon, name, preview and duration) when a
//! trace is open beside it.

use super::marked::marked;
use super::virtual_rows::VirtualRows;
use crate::analysis::preview::{source_label, trace_preview};
use crate::analysis::trace_table::{SortKey, TraceTable};
use crate::display;
use crate::index::scores::{trace_scores, Score};
use crate::index::Outcome;
use crate::load::Session;
use crate::model::TraceIdx;
use std::rc::Rc;
use yew::prelude::*;

/// Two lines: the name, then input → output.
pub const ROW_HEIGHT: u32 = 46;

/// The status glyph of a trace (text, never markup) and its meaning.
pub fn outcome_icon(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Failed => ("✕", "failed"),
        Outcome::Recovered => ("⚠", "errors, recovered"),
        Outcome::Ok => ("✓", "ok"),
    }
}

/// The classes of a trace's outcome: (its row, its status icon), from a
/// fixed set like every class name.
pub fn outcome_classes(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Failed => ("outcome-failed", "failed"),
        Outcome::Recovered => ("outcome-recovered", "recovered"),
        Outcome::Ok => ("outcome-ok", "ok"),
    }
}

/// A score as a small badge: `answer_length_ok 1`.
pub fn score_badge(score: &Score) -> Html {
    let tone = match score.value.passed() {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "neutral",
    };
    let title = match &score.comment {
        Some(c) => format!("score {}: {} ({c})", score.name, score.value.text()),
        None => format!("score {}: {}", score.name, score.value.text()),
    };
    html! {
        <span class={classes!("score-badge", tone)} data-testid="score-badge" {title}>
            <span class="score-name">{ display::label(&score.name) }</span>
            <span class="score-value">{ display::label(&score.value.text()) }</span>
        </span>
    }
}

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

fn row(
    session: &Session,
    needles: &[String],
    trace: TraceIdx,
    selected: bool,
    on_select: &Callback<TraceIdx>,
) -> Html {
    let store = &session.store;
    let t = &session.index.traces[trace.index()];
    let root_name = match t.root {
        Some(root) => store.str(store.spans.name[root.index()]),
        None if t.spans == 0 => "(metadata only: load its spans too)",
        None => "(no root span)",
    };
    let trace_id = store.id(store.traces.trace_id[trace.index()]).to_string();
    let onclick = on_select.reform(move |_: MouseEvent| trace);
    let preview = trace_preview(store, &session.index, trace, needles);
    let source = source_label(store, trace);
    let (icon, meaning) = outcome_icon(t.outcome);
    let status = match t.outcome {
        Outcome::Failed => "failed".to_string(),
        Outcome::Recovered => display::plural(u64::from(t.error_spans), "error", "errors"),
        Outcome::Ok => String::new(),
    };
    let line = match (&preview.input, &preview.output) {
        (Some(i), Some(o)) => Some(format!("{i} → {o}")),
        (Some(i), None) => Some(i.clone()),
        (None, Some(o)) => Some(format!("→ {o}")),
        (None, None) => None,
    };
    let timed = t.duration_nanos() > 0 || t.spans == 0;
    let scores = trace_scores(store, trace);
    html! {
        <div class={classes!("trace-row", selected.then_some("selected"), outcome_classes(t.outcome).0)}
            data-testid="trace-row" data-trace-id={trace_id} data-outcome={t.outcome.as_str()} {onclick}>
            <span class="request">
                <span class="request-line">
                    <span class={classes!("status-icon", outcome_classes(t.outcome).1)} title={meaning} aria-label={meaning} data-testid="status-icon">{ icon }</span>
                    <span class="name" title={display::label(root_name)}>{ display::label(root_name) }</span>
                    if let Some(source) = &source {
                        <span class="source-file" title={display::label(source)} data-testid="source-file">{ display::label(source) }</span>
                    }
                </span>
                if let Some((span, snippet)) = &preview.hit {
                    <span class="preview hit-line" data-testid="row-preview" title={snippet.clone()}>
                        <span class="muted">{ format!("{}: ", display::label(span)) }</span>{ marked(snippet, needles) }
                    </span>
                } else if let Some(line) = &line {
                    <span class="preview" data-testid="row-preview" title={line.clone()}>{ marked(line, needles) }</span>
                }
            </span>
            <span class="time">{ display::timestamp(t.start_nanos) }</span>
            <span class="num" title={(!timed).then_some("not recorded: the file records no timings")}>
                { if timed { display::duration(t.duration_nanos()) } else { "—".to_string() } }
            </span>
            <span class="num">{ t.spans }</span>
            <span class="num">{ t.lm_calls }</span>
            <span class={classes!("outcome", (t.outcome == Outcome::Failed).then_some("has-errors"))} data-testid="trace-status">{ status }</span>
            <span class="scores">{ for scores.iter().map(score_badge) }</span>
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
            Some(&trace) => row(
                &session,
                &table.needles,
                trace,
                selected == Some(trace),
                &on_select,
            ),
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
                { head("Request", SortKey::Name, "name") }
                { head("Start", SortKey::Start, "time") }
                { head("Duration", SortKey::Duration, "num") }
                { head("Spans", SortKey::Spans, "num") }
                { head("LM calls", SortKey::LmCalls, "num") }
                { head("Status", SortKey::Errors, "outcome") }
                <span class="scores-head">{ "Scores" }</span>
            </div>
            if order.is_empty() {
                <p class="muted empty">{ "No trace matches the filter." }</p>
            }
            <VirtualRows row_count={order.len()} row_height={ROW_HEIGHT} {render} {keep_visible} testid="trace-rows" />
        </section>
    }
}
