//! A payload shown as a collapsible JSON tree, or as plain text, with a
//! copy button. Everything is rendered as text nodes: trace content is
//! untrusted. Only http(s) strings become links.
//!
//! The tree is rendered from its rows (`analysis::json_rows`): a small one
//! whole, a big one virtualised (only the rows in view exist, one line
//! each; a click on a cut string shows it whole below the tree). Long text
//! and long strings show a screenful first (`LongText`). The filter's
//! free-text hits are marked in text and string values.

use super::long_text::LongText;
use super::marked::marked;
use super::virtual_rows::VirtualRows;
use crate::analysis::json_rows::{is_open, rows, visible, JsonRow, RowValue};
use crate::analysis::long_text::is_long;
use crate::analysis::payload::{payload, pretty, Payload};
use crate::display;
use crate::safe_text::link;
use crate::web;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Above this many open rows, the tree is virtualised.
const VIRTUAL_ROWS: usize = 300;
/// Row height of a virtualised tree (CSS px; matches the stylesheet).
const ROW_HEIGHT: u32 = 20;
/// Indentation steps with a class of their own (deeper rows share the last).
const DEPTHS: u32 = 16;
/// The indent classes, spelled out: class names are never computed.
const DEPTH_CLASSES: [&str; DEPTHS as usize + 1] = [
    "depth-0", "depth-1", "depth-2", "depth-3", "depth-4", "depth-5", "depth-6", "depth-7",
    "depth-8", "depth-9", "depth-10", "depth-11", "depth-12", "depth-13", "depth-14", "depth-15",
    "depth-16",
];

#[derive(Properties, PartialEq)]
pub struct PayloadViewProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub label: AttrValue,
    /// Free-text filter terms to mark.
    #[prop_or_default]
    pub needles: Rc<Vec<String>>,
}

/// A payload read once: tree rows, or text.
enum Parsed {
    Tree(Rc<Vec<JsonRow>>),
    Text(Rc<str>),
}

#[component]
pub fn PayloadView(props: &PayloadViewProps) -> Html {
    let parsed = use_memo(props.text.clone(), |text| match payload(text) {
        Payload::Json(node) => Parsed::Tree(Rc::new(rows(&node))),
        Payload::Text(text) => Parsed::Text(Rc::from(text)),
    });
    let copy = {
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| web::copy_text(&pretty(&text)))
    };
    html! {
        <div class="payload">
            <div class="payload-head">
                <span class="payload-label">{ props.label.clone() }</span>
                <button class="small" onclick={copy}>{ "Copy" }</button>
            </div>
            {
                match &*parsed {
                    Parsed::Tree(rows) => html! { <JsonTree rows={rows.clone()} needles={props.needles.clone()} /> },
                    Parsed::Text(text) => html! { <LongText text={text.clone()} class="payload-text" needles={props.needles.clone()} /> },
                }
            }
        </div>
    }
}

/// Text, or a safe link when the whole value is an http(s) URL: it reads
/// as the address it opens (host in punycode, see `safe_text::link`).
pub fn text_or_link(text: &str) -> Html {
    match link(text) {
        Some(link) => html! {
            <a href={link.href} target="_blank" rel="noopener noreferrer" title={format!("Opens {}", link.host)}>{ display::label(&link.text) }</a>
        },
        None => html! { { text.to_string() } },
    }
}

/// A value of any length: short ones as text (or a link), long ones cut.
pub fn value_text(text: &str) -> Html {
    marked_value(text, &Rc::default())
}

/// [`value_text`] with the filter's free-text hits marked.
pub fn marked_value(text: &str, needles: &Rc<Vec<String>>) -> Html {
    if is_long(text) {
        html! { <LongText text={Rc::<str>::from(text)} needles={needles.clone()} /> }
    } else if needles.is_empty() {
        text_or_link(text)
    } else {
        marked(text, needles)
    }
}

#[derive(Properties)]
struct JsonTreeProps {
    rows: Rc<Vec<JsonRow>>,
    #[prop_or_default]
    needles: Rc<Vec<String>>,
}

impl PartialEq for JsonTreeProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.rows, &other.rows) && self.needles == other.needles
    }
}

#[component]
fn JsonTree(props: &JsonTreeProps) -> Html {
    let toggled = use_state(BTreeSet::<u32>::new);
    // A cut string picked in a virtualised tree, shown whole below it.
    let picked = use_state(|| None::<u32>);
    let rows = props.rows.clone();
    let needles = props.needles.clone();
    let shown = Rc::new(visible(&rows, &toggled));
    let on_toggle = {
        let toggled = toggled.clone();
        Callback::from(move |row: u32| {
            let mut next = (*toggled).clone();
            if !next.remove(&row) {
                next.insert(row);
            }
            toggled.set(next);
        })
    };
    let on_pick = {
        let picked = picked.clone();
        Callback::from(move |row: u32| picked.set(Some(row)))
    };
    if shown.len() <= VIRTUAL_ROWS {
        return html! {
            <div class="json-tree" data-testid="json-tree">
                { for shown.iter().map(|&i| json_row(&rows, i, &toggled, &on_toggle, None, &needles)) }
            </div>
        };
    }
    let render = {
        let (rows, shown, toggled) = (rows.clone(), shown.clone(), toggled.clone());
        let needles = needles.clone();
        Callback::from(move |n: usize| match shown.get(n) {
            Some(&i) => json_row(&rows, i, &toggled, &on_toggle, Some(&on_pick), &needles),
            None => html! {},
        })
    };
    let picked_text = (*picked).and_then(|i| match rows.get(i as usize).map(|r| &r.value) {
        Some(RowValue::String(s)) => Some((i, Rc::<str>::from(s.as_str()))),
        _ => None,
    });
    html! {
        <div class="json-tree virtual" data-testid="json-tree" data-rows={shown.len().to_string()}>
            <div class="json-scroll">
                <VirtualRows row_count={shown.len()} row_height={ROW_HEIGHT} {render} testid="json-rows" />
            </div>
            if let Some((i, text)) = picked_text {
                <div class="json-picked" data-testid="json-picked">
                    <div class="muted">{ format!("{}:", rows.get(i as usize).and_then(|r| r.key.clone()).map(|k| display::label(&k)).unwrap_or_default()) }</div>
                    <LongText {text} needles={needles.clone()} />
                </div>
            }
        </div>
    }
}

fn key_label(row: &JsonRow) -> Html {
    match &row.key {
        Some(k) => html! { <span class="json-key">{ format!("{}: ", display::label(k)) }</span> },
        None => html! {},
    }
}

/// One row of the tree. In a virtualised tree (`on_pick` set) strings are
/// one line; a cut one can be picked to show whole.
fn json_row(
    rows: &[JsonRow],
    i: u32,
    toggled: &BTreeSet<u32>,
    on_toggle: &Callback<u32>,
    on_pick: Option<&Callback<u32>>,
    needles: &Rc<Vec<String>>,
) -> Html {
    let Some(row) = rows.get(i as usize) else {
        return html! {};
    };
    let depth = DEPTH_CLASSES[row.depth.min(DEPTHS) as usize];
    let value = match &row.value {
        RowValue::Null => html! { <span class="json-null">{ "null" }</span> },
        RowValue::Bool(b) => html! { <span class="json-bool">{ b.to_string() }</span> },
        RowValue::Number(n) => html! { <span class="json-num">{ display::label(n) }</span> },
        RowValue::String(s) => match on_pick {
            None => html! { <span class="json-str">{ marked_value(s, needles) }</span> },
            Some(pick) if display::label(s).len() < s.len() => {
                let onclick = pick.reform(move |_: MouseEvent| i);
                html! {
                    <button class="json-str cut" {onclick} title="Show the whole value below the tree">
                        { display::label(s) }<span class="muted">{ format!(" ({})", display::bytes(s.len() as u64)) }</span>
                    </button>
                }
            }
            Some(_) => html! { <span class="json-str">{ marked_value(s, needles) }</span> },
        },
        RowValue::Array { len, hidden } | RowValue::Object { len, hidden } => {
            let open = is_open(rows, i, toggled);
            let onclick = on_toggle.reform(move |_: MouseEvent| i);
            let (l, r) = if matches!(row.value, RowValue::Array { .. }) {
                ('[', ']')
            } else {
                ('{', '}')
            };
            return html! {
                <div class={classes!("json-row", "json-branch", depth)}>
                    <button class="json-toggle" {onclick} aria-expanded={open.to_string()}>
                        <span class="json-twisty">{ if open { "▾" } else { "▸" } }</span>
                        { key_label(row) }
                        <span class="json-count">{ format!("{l}{}{r}", len + hidden) }</span>
                    </button>
                </div>
            };
        }
        RowValue::More(n) => {
            return html! { <div class={classes!("json-row", "json-more", depth)}>{ format!("… {n} more") }</div> };
        }
    };
    html! { <div class={classes!("json-row", "json-leaf", depth)}>{ key_label(row) }{ value }</div> }
}
