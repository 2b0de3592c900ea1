//! A payload shown as a collapsible JSON tree (native `<details>`), or as
//! plain text, with a copy button. Everything is rendered as text nodes:
//! trace content is untrusted. Only http(s) strings become links.

use crate::analysis::payload::{payload, pretty, JsonNode, Payload};
use crate::permalink::is_http_url;
use crate::web;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PayloadViewProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub label: AttrValue,
}

#[component]
pub fn PayloadView(props: &PayloadViewProps) -> Html {
    let parsed = use_memo(props.text.clone(), |text| payload(text));
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
                    Payload::Json(node) => html! { <div class="json-tree">{ json_node(None, node, 0) }</div> },
                    Payload::Text(text) => html! { <pre class="payload-text">{ text.clone() }</pre> },
                }
            }
        </div>
    }
}

/// Text, or a safe link when the whole value is an http(s) URL.
pub fn text_or_link(text: &str) -> Html {
    if is_http_url(text) {
        html! { <a href={text.to_string()} target="_blank" rel="noopener noreferrer">{ text.to_string() }</a> }
    } else {
        html! { { text.to_string() } }
    }
}

fn key_label(key: Option<&str>) -> Html {
    match key {
        Some(k) => html! { <span class="json-key">{ format!("{k}: ") }</span> },
        None => html! {},
    }
}

fn json_node(key: Option<&str>, node: &JsonNode, depth: usize) -> Html {
    match node {
        JsonNode::Null => {
            html! { <div class="json-leaf">{ key_label(key) }<span class="json-null">{ "null" }</span></div> }
        }
        JsonNode::Bool(b) => {
            html! { <div class="json-leaf">{ key_label(key) }<span class="json-bool">{ b.to_string() }</span></div> }
        }
        JsonNode::Number(n) => {
            html! { <div class="json-leaf">{ key_label(key) }<span class="json-num">{ n.clone() }</span></div> }
        }
        JsonNode::String(s) => html! {
            <div class="json-leaf">{ key_label(key) }<span class="json-str">{ text_or_link(s) }</span></div>
        },
        JsonNode::Array { items, hidden } => {
            let summary = format!("[{}]", items.len() + hidden);
            html! {
                <details class="json-branch" open={depth < 2}>
                    <summary>{ key_label(key) }<span class="json-count">{ summary }</span></summary>
                    { for items.iter().enumerate().map(|(i, n)| json_node(Some(&i.to_string()), n, depth + 1)) }
                    if *hidden > 0 { <div class="json-more">{ format!("… {hidden} more") }</div> }
                </details>
            }
        }
        JsonNode::Object { entries, hidden } => {
            let summary = format!("{{{}}}", entries.len() + hidden);
            html! {
                <details class="json-branch" open={depth < 2}>
                    <summary>{ key_label(key) }<span class="json-count">{ summary }</span></summary>
                    { for entries.iter().map(|(k, n)| json_node(Some(k), n, depth + 1)) }
                    if *hidden > 0 { <div class="json-more">{ format!("… {hidden} more") }</div> }
                </details>
            }
        }
    }
}
