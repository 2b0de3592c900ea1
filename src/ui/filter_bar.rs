//! The filter bar above the trace list: the filter language with inline
//! errors that point at the offending text, a suggestion list for field
//! names and values, facet chips with counts (click to add), and a
//! histogram of the listed traces' durations. Below ~900 px the facets and
//! the histogram fold behind a toggle.
//!
//! The input is one element for the bar's whole life: every child of the
//! bar is a fixed node (an optional part is an `if`, never a bare `for`
//! that would shift its siblings), so a re-render never replaces it and
//! typing never loses focus. While an IME composes, nothing is sent; the
//! composed text is sent when it ends.

use crate::analysis::trace_table::TraceTable;
use crate::display;
use crate::index::filter::{complete, suggest, with_term};
use crate::load::Session;
use crate::web;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Suggestions shown at most.
const SHOWN_SUGGESTIONS: usize = 8;

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

/// The caret of the input as a byte offset into its value (the DOM counts
/// UTF-16 units).
fn caret(input: &HtmlInputElement) -> usize {
    let value = input.value();
    let units = input.selection_start().ok().flatten().unwrap_or(0) as usize;
    let mut seen = 0;
    for (at, c) in value.char_indices() {
        if seen >= units {
            return at;
        }
        seen += c.len_utf16();
    }
    value.len()
}

/// Puts the caret at a byte offset of the input's value.
fn set_caret(input: &HtmlInputElement, at: usize) {
    let value = input.value();
    let units: usize = value
        .get(..at.min(value.len()))
        .map_or(0, |head| head.chars().map(char::len_utf16).sum());
    let _ = input.set_selection_range(units as u32, units as u32);
}

#[component]
pub fn FilterBar(props: &FilterBarProps) -> Html {
    let input = use_node_ref();
    let cursor = use_state_eq(|| 0usize);
    // The suggestion list is open while the input has focus, until Esc or
    // a pick closes it; typing opens it again.
    let open = use_state_eq(|| false);
    let highlight = use_state_eq(|| None::<usize>);
    let show_facets = use_state_eq(|| false);
    // Where the caret goes after a suggestion is put in.
    let pending_caret = use_mut_ref(|| None::<usize>);
    let sent = use_mut_ref(Vec::<String>::new);
    let composing = use_mut_ref(|| false);
    let emit = {
        let (sent, on_filter) = (sent.clone(), props.on_filter.clone());
        Callback::from(move |text: String| {
            sent.borrow_mut().push(text.clone());
            on_filter.emit(text);
        })
    };
    {
        let (input, pending_caret) = (input.clone(), pending_caret.clone());
        use_effect(move || {
            if let (Some(at), Some(el)) = (
                pending_caret.borrow_mut().take(),
                input.cast::<HtmlInputElement>(),
            ) {
                let _ = el.focus();
                set_caret(&el, at);
            }
        });
    }
    // The box is the user's while they type: a render never writes back a
    // value older than what is in it (the app's state may catch up a render
    // later) nor touches it while an IME composes. `sent` holds what this
    // bar sent since the app last caught up; a filter that is none of them
    // came from elsewhere (a link, Back) and replaces the text.
    let text = {
        let filter = props.filter.to_string();
        let in_box = input.cast::<HtmlInputElement>().map(|el| el.value());
        let mut sent = sent.borrow_mut();
        let caught_up = sent.last() == Some(&filter);
        match in_box {
            Some(typed) if *composing.borrow() => typed,
            Some(typed) if !caught_up && sent.contains(&filter) => typed,
            _ => {
                sent.clear();
                if caught_up {
                    sent.push(filter.clone());
                }
                filter
            }
        }
    };
    let at = (*cursor).min(text.len());
    let suggestions: Vec<String> = if *open && text.is_char_boundary(at) {
        let word = &text[crate::index::filter::suggest_range(&text, at)];
        suggest(&props.session.store, &text, at)
            .into_iter()
            .filter(|s| s != word)
            .take(SHOWN_SUGGESTIONS)
            .collect()
    } else {
        Vec::new()
    };
    let pick = {
        let (on_filter, open, highlight, pending_caret, text) = (
            emit.clone(),
            open.clone(),
            highlight.clone(),
            pending_caret.clone(),
            text.clone(),
        );
        let cursor = cursor.clone();
        Callback::from(move |suggestion: String| {
            let (next, caret) = complete(&text, at, &suggestion);
            // A field name wants its value next: keep the list open.
            open.set(suggestion.ends_with([':', '.']));
            highlight.set(None);
            cursor.set(caret);
            *pending_caret.borrow_mut() = Some(caret);
            on_filter.emit(next);
        })
    };
    let oninput = {
        let (on_filter, cursor, open, highlight, composing) = (
            emit.clone(),
            cursor.clone(),
            open.clone(),
            highlight.clone(),
            composing.clone(),
        );
        Callback::from(move |e: InputEvent| {
            if e.is_composing() {
                *composing.borrow_mut() = true;
                return; // the IME sends the text when it is done
            }
            *composing.borrow_mut() = false;
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                cursor.set(caret(&el));
                open.set(true);
                highlight.set(None);
                on_filter.emit(el.value());
            }
        })
    };
    {
        // The composed text, once the IME is done (yew has no attribute
        // for compositionend). The callback is the latest one.
        let latest = use_mut_ref(Callback::<String>::noop);
        *latest.borrow_mut() = {
            let (on_filter, cursor, open) = (emit.clone(), cursor.clone(), open.clone());
            let input = input.clone();
            Callback::from(move |value: String| {
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    cursor.set(caret(&el));
                }
                open.set(true);
                on_filter.emit(value);
            })
        };
        let (input, composing) = (input.clone(), composing.clone());
        use_effect_with((), move |_| {
            let guard = input.cast::<HtmlInputElement>().map(|el| {
                let target: web_sys::EventTarget = el.clone().into();
                let started = composing.clone();
                [
                    web::listen(&target, "compositionstart", move |_| {
                        *started.borrow_mut() = true;
                    }),
                    web::listen(&target, "compositionend", move |_| {
                        *composing.borrow_mut() = false;
                        latest.borrow().emit(el.value());
                    }),
                ]
            });
            move || drop(guard)
        });
    }
    // The caret moved without typing (arrows, Home, a click).
    let oncaret = {
        let cursor = cursor.clone();
        move |target: Option<HtmlInputElement>| {
            if let Some(el) = target {
                cursor.set(caret(&el));
            }
        }
    };
    let onkeyup = {
        let oncaret = oncaret.clone();
        Callback::from(move |e: KeyboardEvent| oncaret(e.target_dyn_into::<HtmlInputElement>()))
    };
    let onclick = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            open.set(true);
            oncaret(e.target_dyn_into::<HtmlInputElement>());
        })
    };
    let onkeydown = {
        let (open, highlight, pick, suggestions) = (
            open.clone(),
            highlight.clone(),
            pick.clone(),
            suggestions.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            if e.is_composing() {
                return;
            }
            let n = suggestions.len();
            match e.key().as_str() {
                "ArrowDown" if n > 0 => {
                    e.prevent_default();
                    highlight.set(Some(highlight.map_or(0, |h| (h + 1) % n)));
                }
                "ArrowUp" if n > 0 => {
                    e.prevent_default();
                    highlight.set(Some(highlight.map_or(n - 1, |h| (h + n - 1) % n)));
                }
                "Enter" | "Tab" if n > 0 && highlight.is_some() => {
                    e.prevent_default();
                    if let Some(s) = highlight.and_then(|h| suggestions.get(h)) {
                        pick.emit(s.clone());
                    }
                }
                "Escape" if n > 0 => {
                    // First Esc closes the list; the next one goes back.
                    e.prevent_default();
                    open.set(false);
                    highlight.set(None);
                }
                _ => {}
            }
        })
    };
    let onfocus = {
        let open = open.clone();
        Callback::from(move |_: FocusEvent| open.set(true))
    };
    let onblur = {
        let (open, highlight) = (open.clone(), highlight.clone());
        Callback::from(move |_: FocusEvent| {
            open.set(false);
            highlight.set(None);
        })
    };
    let suggestion_list = (!suggestions.is_empty()).then(|| {
        let items = suggestions.iter().enumerate().map(|(i, s)| {
            let pick = pick.clone();
            let choice = s.clone();
            // mousedown, so the choice lands before the input loses focus.
            let onmousedown = Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                pick.emit(choice.clone());
            });
            let selected = *highlight == Some(i);
            html! {
                <button class={classes!("chip", "suggestion", selected.then_some("highlighted"))} role="option"
                    aria-selected={selected.to_string()} tabindex="-1" {onmousedown} data-testid="suggestion">
                    { display::label(s) }
                </button>
            }
        });
        html! { <div class="suggestions" role="listbox" data-testid="suggestions">{ for items }</div> }
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
            let (on_filter, filter) = (emit.clone(), text.clone());
            let term_value = value.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_filter.emit(with_term(&filter, field, &term_value)));
            html! {
                <button class="chip" {onclick} data-testid="facet" data-field={field} data-value={display::label(value)} title={display::label(value)}>
                    { display::label(value) }<span class="count">{ display::compact_count(*count) }</span>
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
        html! { <span class="hist-bar" ~style={style} {title} /> }
    });
    let clear = {
        let (on_filter, input) = (emit.clone(), input.clone());
        Callback::from(move |_: MouseEvent| {
            on_filter.emit(String::new());
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };
    let toggle_facets = {
        let show = show_facets.clone();
        Callback::from(move |_: MouseEvent| show.set(!*show))
    };
    html! {
        <div class={classes!("filter-bar", show_facets.then_some("show-facets"))}>
            <div class="filter-row">
                <input ref={input} class="filter-input" type="search" data-testid="filter-input" spellcheck="false"
                    autocomplete="off" aria-label="Filter" role="combobox" aria-expanded={(!suggestions.is_empty()).to_string()}
                    placeholder="Filter: status:error kind:llm dur>2s model:gpt-4o* \"refund policy\"   (press /)"
                    value={text.clone()} {oninput} {onkeydown} {onkeyup} {onclick} {onfocus} {onblur} />
                <button class={classes!("small", text.is_empty().then_some("invisible"))} onclick={clear} data-testid="filter-clear"
                    disabled={text.is_empty()}>{ "Clear" }</button>
                <span class="muted filter-count" data-testid="filter-count">
                    { format!("{} · {}", display::plural(props.table.rows.len() as u64, "trace", "traces"), display::plural(props.table.matched_spans, "matching span", "matching spans")) }
                </span>
                <button class="small facets-toggle" onclick={toggle_facets} aria-expanded={show_facets.to_string()} data-testid="facets-toggle">
                    { if *show_facets { "Facets ▴" } else { "Facets ▾" } }
                </button>
            </div>
            if let Some(error) = error { { error } }
            <div class="facets" data-testid="facets">
                { facet_group("status", &f.status) }
                { facet_group("kind", &f.kind) }
                { facet_group("model", &f.model) }
                { facet_group("service", &f.service) }
                { facet_group("name", &f.name) }
            </div>
            if !props.table.histogram.is_empty() {
                <div class="histogram" title="Trace durations (log scale buckets)" data-testid="histogram">{ for bars }</div>
            }
            if let Some(list) = suggestion_list { { list } }
        </div>
    }
}
