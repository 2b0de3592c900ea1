//! Text of any length, shown so that no view waits for it: the first
//! screenful, then *Show all (N MB)*, which adds the rest one slice per
//! frame (each slice its own block, so adding one lays out only that one;
//! blocks out of view skip layout). Monospace and wrapped anywhere, so one
//! huge word (base64, `AAAA…`) costs what any text of its length costs.
//! Where the text is cut comes from `analysis::long_text`. The filter's
//! free-text hits are marked in each slice.

use super::marked::marked;
use crate::analysis::long_text::{is_long, preview_end, slice_end};
use crate::display;
use crate::web;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct LongTextProps {
    pub text: Rc<str>,
    #[prop_or_default]
    pub class: Classes,
    /// Free-text filter terms to mark.
    #[prop_or_default]
    pub needles: Rc<Vec<String>>,
}

impl PartialEq for LongTextProps {
    fn eq(&self, other: &Self) -> bool {
        (Rc::ptr_eq(&self.text, &other.text) || self.text == other.text)
            && self.class == other.class
            && self.needles == other.needles
    }
}

/// The slices rendered so far, kept between renders (each an `Rc`, so a
/// render copies no text).
#[derive(Default)]
struct Shown {
    text: Option<Rc<str>>,
    slices: Vec<AttrValue>,
    end: usize,
}

#[component]
pub fn LongText(props: &LongTextProps) -> Html {
    let text = props.text.clone();
    let revealing = use_state_eq(|| false);
    // Bumped to re-render after a slice is added.
    let tick = use_state(|| 0u64);
    let shown = use_mut_ref(Shown::default);
    {
        let mut s = shown.borrow_mut();
        let same = s
            .text
            .as_ref()
            .is_some_and(|t| Rc::ptr_eq(t, &text) || **t == *text);
        if !same {
            let end = preview_end(&text);
            *s = Shown {
                text: Some(text.clone()),
                slices: vec![AttrValue::from(text[..end].to_string())],
                end,
            };
            if *revealing {
                revealing.set(false);
            }
        }
    }
    {
        // While revealing: one more slice per frame.
        let (shown, tick, revealing) = (shown.clone(), tick.clone(), revealing.clone());
        let text = text.clone();
        let key = (*tick, *revealing);
        use_effect_with(key, move |&(_, on)| {
            if on && shown.borrow().end < text.len() {
                web::next_frame(move || {
                    add_slice(&shown, &text);
                    tick.set(*tick + 1);
                });
            }
        });
    }
    if !is_long(&text) {
        return html! { <pre class={classes!("long-text", props.class.clone())}>{ marked(&text, &props.needles) }</pre> };
    }
    let s = shown.borrow();
    let total = text.len();
    let show_all = {
        let revealing = revealing.clone();
        Callback::from(move |_: MouseEvent| revealing.set(true))
    };
    let footer = if s.end >= total {
        html! {}
    } else if *revealing {
        html! { <div class="long-more muted" data-testid="long-text-progress">{ display::showing_of(s.end, total) }</div> }
    } else {
        html! {
            <div class="long-more">
                <button class="small" onclick={show_all} data-testid="show-all">{ display::show_all(total) }</button>
            </div>
        }
    };
    html! {
        <div class={classes!("long-text", "cut", props.class.clone())} data-testid="long-text" data-bytes={total.to_string()}>
            <div class="long-slices">
                { for s.slices.iter().enumerate().map(|(i, slice)| html! {
                    <pre key={i} class={classes!("long-slice", (i > 0).then_some("later"))}>{
                        if props.needles.is_empty() { html! { { slice.clone() } } } else { marked(slice, &props.needles) }
                    }</pre>
                }) }
            </div>
            { footer }
        </div>
    }
}

fn add_slice(shown: &Rc<RefCell<Shown>>, text: &Rc<str>) {
    let mut s = shown.borrow_mut();
    if s.end >= text.len() {
        return;
    }
    let end = slice_end(text, s.end);
    let slice = AttrValue::from(text[s.end..end].to_string());
    s.slices.push(slice);
    s.end = end;
}
