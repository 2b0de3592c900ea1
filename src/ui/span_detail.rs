//! The span detail pane: tabs for the overview (kind, status, times, self
//! time, service, ids, exception), the LM call, input/output, a searchable
//! attribute table, and events with stack traces. The filter's free-text
//! hits are marked in payloads, messages and attribute values.

use super::lm_call_pane::LmCallPane;
use super::long_text::LongText;
use super::payload_view::{marked_value, value_text, PayloadView};
use super::row_limit::{more_rows, use_row_limit};
use super::state::DetailTab;
use super::trace_view::{kind_class, kind_icon};
use crate::analysis::attr_text::display_text;
use crate::analysis::retrieval::{hops, Hop};
use crate::display;
use crate::load::Session;
use crate::model::{SpanIdx, SpanKind, StatusCode, NONE};
use crate::safe_text::reveal;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct SpanDetailProps {
    pub session: Rc<Session>,
    pub span: SpanIdx,
    pub tab: DetailTab,
    pub on_tab: Callback<DetailTab>,
    /// The filter's free-text terms, marked where they occur.
    #[prop_or_default]
    pub needles: Rc<Vec<String>>,
}

impl PartialEq for SpanDetailProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.span == other.span
            && self.tab == other.tab
            && self.needles == other.needles
    }
}

#[component]
pub fn SpanDetail(props: &SpanDetailProps) -> Html {
    let store = &props.session.store;
    let i = props.span.index();
    let s = &store.spans;
    let kind = s.kind[i];
    let tabs = DetailTab::ALL.iter().map(|&tab| {
        let onclick = props.on_tab.reform(move |_: MouseEvent| tab);
        let selected = tab == props.tab;
        let hidden = (tab == DetailTab::Lm && kind != SpanKind::Llm)
            || (tab == DetailTab::Retrieval && kind != SpanKind::Retriever);
        html! {
            <button class={classes!("tab", selected.then_some("selected"), hidden.then_some("dim"))} role="tab"
                aria-selected={selected.to_string()} data-testid={format!("tab-{}", tab.id())} {onclick}>
                { tab.label() }
            </button>
        }
    });
    let body = match props.tab {
        DetailTab::Overview => overview(&props.session, props.span),
        DetailTab::Lm => {
            html! { <LmCallPane session={props.session.clone()} span={props.span} needles={props.needles.clone()} /> }
        }
        DetailTab::Io => io(&props.session, props.span, &props.needles),
        DetailTab::Retrieval => retrieval(&props.session, props.span),
        DetailTab::Attributes => {
            html! { <AttributeTable session={props.session.clone()} span={props.span} needles={props.needles.clone()} /> }
        }
        DetailTab::Events => {
            html! { <EventList session={props.session.clone()} span={props.span} /> }
        }
    };
    html! {
        <aside class="span-detail" data-testid="span-detail">
            <header class="detail-head">
                <span class={classes!("kind-badge", kind_class(kind))}>{ kind_icon(kind) }{ " " }{ kind.as_str() }</span>
                <h2 title={display::label(store.str(s.name[i]))}>{ display::label(store.str(s.name[i])) }</h2>
                if s.status[i] == StatusCode::Error { <span class="status-error">{ "error" }</span> }
            </header>
            <nav class="tabs" role="tablist">{ for tabs }</nav>
            <div class="detail-body">{ body }</div>
        </aside>
    }
}

/// Exception type, message and stack trace from the span's `exception` event.
fn exception(session: &Session, span: SpanIdx) -> Option<(String, String, String)> {
    let store = &session.store;
    store
        .span_events(span)
        .find(|&e| store.str(store.events.name[e]) == "exception")
        .map(|e| {
            let mut found = (String::new(), String::new(), String::new());
            for (k, v) in store.event_attrs(e) {
                let text = store.attr_text(v).into_owned();
                match store.str(k) {
                    "exception.type" => found.0 = text,
                    "exception.message" => found.1 = text,
                    "exception.stacktrace" => found.2 = text,
                    _ => {}
                }
            }
            found
        })
}

fn overview(session: &Session, span: SpanIdx) -> Html {
    let store = &session.store;
    let s = &store.spans;
    let i = span.index();
    let t0 = session.index.traces[s.trace[i].index()].start_nanos;
    let parent = if s.parent[i] == NONE {
        if s.parent_id[i].is_empty() {
            "— (root)".to_string()
        } else {
            format!("{} (not loaded)", store.id(s.parent_id[i]))
        }
    } else {
        store.id(s.span_id[s.parent[i] as usize]).to_string()
    };
    let mut facts = vec![
        ("Name", reveal(store.str(s.name[i])).into_owned()),
        ("Kind", s.kind[i].as_str().to_string()),
        ("Status", s.status[i].as_str().to_string()),
        (
            "Start",
            format!(
                "{} (+{})",
                display::timestamp(s.start_nanos[i]),
                display::duration(s.start_nanos[i] - t0)
            ),
        ),
        (
            "Duration",
            display::duration(s.end_nanos[i] - s.start_nanos[i]),
        ),
        ("Self time", display::duration(session.index.self_nanos[i])),
        ("Service", reveal(store.str(s.service[i])).into_owned()),
        (
            "Trace id",
            store
                .id(store.traces.trace_id[s.trace[i].index()])
                .to_string(),
        ),
        ("Span id", store.id(s.span_id[i]).to_string()),
        ("Parent", parent),
        (
            "Source file",
            store
                .sources
                .get(s.source[i].0 as usize)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
        ),
    ];
    if !s.model[i].is_empty() {
        facts.push(("Model", reveal(store.str(s.model[i])).into_owned()));
    }
    let exc = exception(session, span);
    let message = s.status_message[i].map(|t| store.text(t).into_owned());
    html! {
        <div class="overview">
            <dl class="facts">{ for facts.into_iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ value_text(&v) }</dd></> }) }</dl>
            if let Some(message) = message {
                <div class="error-box" data-testid="status-message"><strong>{ "Status message" }</strong>{ value_text(&message) }</div>
            }
            if let Some((kind, message, stack)) = exc {
                <div class="error-box" data-testid="exception">
                    <strong>{ format!("{}: {}", display::label(&kind), display::label(&message)) }</strong>
                    if display::label(&message).len() < message.len() { { value_text(&message) } }
                    if !stack.is_empty() { <LongText text={Rc::<str>::from(stack)} class="stack" /> }
                </div>
            }
        </div>
    }
}

fn io(session: &Session, span: SpanIdx, needles: &Rc<Vec<String>>) -> Html {
    let store = &session.store;
    let i = span.index();
    let input = store.spans.input[i].map(|t| store.text(t).into_owned());
    let output = store.spans.output[i].map(|t| store.text(t).into_owned());
    let failed = store.spans.status[i] == StatusCode::Error;
    html! {
        <div class="io">
            if let Some(text) = input { <PayloadView label="Input" text={text} needles={needles.clone()} /> } else { <p class="muted">{ "No input recorded." }</p> }
            if let Some(text) = output {
                <PayloadView label="Output" text={text} needles={needles.clone()} />
            } else if failed {
                <p class="muted">{ "No output: the span failed (see Overview)." }</p>
            } else {
                <p class="muted">{ "No output recorded." }</p>
            }
        </div>
    }
}

/// The documents of every retrieval hop of the span's trace, this span's first.
fn retrieval(session: &Session, span: SpanIdx) -> Html {
    let store = &session.store;
    let trace = store.spans.trace[span.index()];
    let mut all = hops(store, &session.index, trace);
    if all.is_empty() {
        return html! { <p class="muted">{ "No retriever span in this trace." }</p> };
    }
    if let Some(at) = all.iter().position(|h| h.span == span) {
        let this = all.remove(at);
        all.insert(0, this);
    }
    let hop = |(n, h): (usize, &Hop)| {
        let current = h.span == span;
        html! {
            <section class={classes!("hop", current.then_some("current"))} data-testid="retrieval-hop">
                <h4>
                    { if current { "This span".to_string() } else { format!("Hop {}", n + 1) } }
                    { " · " }{ display::label(store.str(store.spans.name[h.span.index()])) }
                    { " · " }{ display::plural(h.documents.len() as u64, "document", "documents") }
                </h4>
                if let Some(query) = &h.query { <p><span class="muted">{ "Query: " }</span>{ value_text(query) }</p> }
                <ol class="documents">
                    { for h.documents.iter().map(|d| html! {
                        <li data-testid="retrieved-document">
                            if d.id.is_some() || d.score.is_some() {
                                <div class="muted">
                                    { d.id.clone().map(|id| format!("id {id}  ")).unwrap_or_default() }
                                    { d.score.map(|s| format!("score {s:.4}")).unwrap_or_default() }
                                </div>
                            }
                            <LongText text={Rc::<str>::from(d.content.as_str())} />
                            if let Some(meta) = &d.metadata { <LongText text={Rc::<str>::from(meta.as_str())} class="muted" /> }
                        </li>
                    }) }
                </ol>
            </section>
        }
    };
    html! { <div class="retrieval">{ for all.iter().enumerate().map(hop) }</div> }
}

#[derive(Properties)]
struct EventListProps {
    session: Rc<Session>,
    span: SpanIdx,
}

impl PartialEq for EventListProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.span == other.span
    }
}

#[component]
fn EventList(props: &EventListProps) -> Html {
    let limit = use_row_limit();
    let store = &props.session.store;
    let rows = store.span_events(props.span);
    if rows.is_empty() {
        return html! { <p class="muted">{ "No events." }</p> };
    }
    let total = rows.len();
    let t0 = store.spans.start_nanos[props.span.index()];
    html! {
        <>
            <ol class="events" data-testid="events">
                { for rows.take(*limit).map(|e| html! {
                    <li>
                        <strong>{ display::label(store.str(store.events.name[e])) }</strong>
                        <span class="muted">{ format!(" +{}", display::duration(store.events.time_nanos[e] - t0)) }</span>
                        <table class="kv">
                            { for store.event_attrs(e).map(|(k, v)| html! {
                                <tr><th>{ key_text(store.str(k)) }</th><td><LongText text={Rc::<str>::from(store.attr_text(v))} /></td></tr>
                            }) }
                        </table>
                    </li>
                }) }
            </ol>
            { more_rows(&limit, total, "events") }
        </>
    }
}

#[derive(Properties)]
pub struct AttributeTableProps {
    pub session: Rc<Session>,
    pub span: SpanIdx,
    #[prop_or_default]
    pub needles: Rc<Vec<String>>,
}

impl PartialEq for AttributeTableProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.span == other.span
            && self.needles == other.needles
    }
}

/// A key of any length: one line, cut; a cut one can be shown whole.
fn key_text(key: &str) -> Html {
    if display::label(key).len() < key.len() {
        html! {
            <details class="long-key">
                <summary>{ display::label(key) }</summary>
                <LongText text={Rc::<str>::from(key)} />
            </details>
        }
    } else {
        html! { { reveal(key).into_owned() } }
    }
}

/// All attributes of a span (and its resource), filtered by a search box.
#[component]
pub fn AttributeTable(props: &AttributeTableProps) -> Html {
    let query = use_state(String::new);
    let limit = use_row_limit();
    // Decoded once per span, not on every keystroke in the search box.
    let all = use_memo((Rc::as_ptr(&props.session) as usize, props.span), {
        let session = props.session.clone();
        move |&(_, span)| {
            let store = &session.store;
            store
                .span_attrs(span)
                .map(|(k, v)| {
                    (
                        Rc::<str>::from(store.str(k)),
                        Rc::<str>::from(display_text(store, v)),
                    )
                })
                .collect::<Vec<_>>()
        }
    });
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                query.set(input.value());
            }
        })
    };
    let needle = query.to_lowercase();
    let rows: Vec<&(Rc<str>, Rc<str>)> = all
        .iter()
        .filter(|(k, v)| {
            needle.is_empty() || contains_any_case(k, &needle) || contains_any_case(v, &needle)
        })
        .collect();
    html! {
        <div class="attributes">
            <input class="search" type="search" placeholder="Search attributes" aria-label="Search attributes"
                value={(*query).clone()} {oninput} data-testid="attribute-search" />
            <table class="kv" data-testid="attributes">
                { for rows.iter().take(*limit).map(|(k, v)| html! {
                    <tr><th>{ key_text(k) }</th><td class="attr-value">{ marked_value(v, &props.needles) }</td></tr>
                }) }
            </table>
            { more_rows(&limit, rows.len(), "attributes") }
        </div>
    }
}

/// `haystack` contains the lowercase `needle`, ignoring case.
fn contains_any_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let n = needle.as_bytes();
        return n.is_empty()
            || haystack
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(needle)
}
