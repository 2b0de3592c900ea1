//! The filter bar above the trace list: the filter language with inline
//! errors that point at the offending text, suggestions for field names and
//! values, facet chips with counts (click to add), and a histogram of the
//! listed traces' durations.

use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::index::filter::{suggest, suggest_range};
use crate::load::Session;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct FilterBarProps {
    pub session: Rc<Session>,
    pub table: Rc<TraceTable>,
    pub filter: AttrValue,
    pub on_filter: Callback<String>,
}

impl PartialEq for FilterBarProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && Rc::ptr_eq(&self.table, &other.table)
            && self.filter == other.filter
    }
}

/// Adds a `field:value` term, quoting values with spaces.
fn with_term(filter: &str, field: &str, value: &str) -> String {
    let value = if value.contains(char::is_whitespace) || value.is_empty() {
        format!("{value:?}")
    } else {
        value.to_string()
    };
    let term = format!("{field}:{value}");
    if filter.trim().is_empty() {
        term
    } else {
        format!("{} {term}", filter.trim_end())
    }
}

#[component]
pub fn FilterBar(props: &FilterBarProps) -> Html {
    let cursor = use_state(|| 0usize);
    let focused = use_state(|| false);
    let text = props.filter.to_string();
    let oninput = {
        let (on_filter, cursor) = (props.on_filter.clone(), cursor.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                cursor.set(input.selection_start().ok().flatten().unwrap_or(0) as usize);
                on_filter.emit(input.value());
            }
        })
    };
    let onfocus = {
        let focused = focused.clone();
        Callback::from(move |_: FocusEvent| focused.set(true))
    };
    let onblur = {
        let focused = focused.clone();
        Callback::from(move |_: FocusEvent| focused.set(false))
    };
    let at = (*cursor).min(text.len());
    let suggestions = if *focused && text.is_char_boundary(at) {
        suggest(&props.session.store, &text, at)
    } else {
        Vec::new()
    };
    let replace = suggest_range(&text, at);
    let suggestion_chips = suggestions.into_iter().take(8).map(|s| {
        let (on_filter, text, replace) = (props.on_filter.clone(), text.clone(), replace.clone());
        let label = s.clone();
        // mousedown, so the choice lands before the input loses focus.
        let onmousedown = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            let mut next = text.clone();
            if text.is_char_boundary(replace.start)
                && text.is_char_boundary(replace.end.min(text.len()))
            {
                next.replace_range(replace.start..replace.end.min(text.len()), &s);
            }
            on_filter.emit(next);
        });
        html! { <button class="chip suggestion" {onmousedown}>{ label }</button> }
    });
    let error = props.table.error.as_ref().map(|e| {
        let start = e.at.start.min(text.len());
        let end = e.at.end.clamp(start, text.len());
        let (before, bad, after) = if text.is_char_boundary(start) && text.is_char_boundary(end) {
            (&text[..start], &text[start..end], &text[end..])
        } else {
            (text.as_str(), "", "")
        };
        html! {
            <div class="filter-error" data-testid="filter-error">
                <code>{ before }<mark>{ if bad.is_empty() { "␣" } else { bad } }</mark>{ after }</code>
                <span>{ e.message.clone() }</span>
            </div>
        }
    });
    let facet_group = |field: &'static str, values: &[(String, u64)]| {
        let chips = values.iter().take(6).map(|(value, count)| {
            let (on_filter, filter) = (props.on_filter.clone(), text.clone());
            let term_value = value.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_filter.emit(with_term(&filter, field, &term_value)));
            html! {
                <button class="chip" {onclick} data-testid="facet" data-field={field} data-value={value.clone()}>
                    { value.clone() }<span class="count">{ display::compact_count(*count) }</span>
                </button>
            }
        });
        html! { if !values.is_empty() { <div class="facet-group"><span class="facet-label">{ field }</span>{ for chips }</div> } }
    };
    let f = &props.table.facets;
    let max = props
        .table
        .histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(1)
        .max(1);
    let bars = props.table.histogram.iter().map(|b| {
        let style = format!("height:{}%", 8 + 92 * b.count / max);
        let title = format!(
            "{} – {}: {}",
            display::duration(b.lower_nanos),
            display::duration(b.upper_nanos),
            display::plural(b.count, "trace", "traces")
        );
        html! { <span class="hist-bar" {style} {title} /> }
    });
    let clear = {
        let on_filter = props.on_filter.clone();
        Callback::from(move |_: MouseEvent| on_filter.emit(String::new()))
    };
    html! {
        <div class="filter-bar">
            <div class="filter-row">
                <input class="filter-input" type="search" data-testid="filter-input" spellcheck="false"
                    placeholder="Filter: status:error kind:llm dur>2s model:gpt-4o* \"refund policy\"   (press /)"
                    value={text.clone()} {oninput} {onfocus} {onblur} />
                if !text.is_empty() { <button class="small" onclick={clear}>{ "Clear" }</button> }
                <span class="muted filter-count" data-testid="filter-count">
                    { format!("{} · {}", display::plural(props.table.rows.len() as u64, "trace", "traces"), display::plural(props.table.matched_spans, "matching span", "matching spans")) }
                </span>
            </div>
            <div class="suggestions">{ for suggestion_chips }</div>
            { for error }
            <div class="facets">
                { facet_group("status", &f.status) }
                { facet_group("kind", &f.kind) }
                { facet_group("model", &f.model) }
                { facet_group("service", &f.service) }
                { facet_group("name", &f.name) }
            </div>
            if !props.table.histogram.is_empty() {
                <div class="histogram" title="Trace durations (log scale buckets)" data-testid="histogram">{ for bars }</div>
            }
        </div>
    }
}
