//! The LM-call tab: the conversation as chat bubbles by role (system prompt
//! collapsed), tool calls with their arguments, the completion and its parsed
//! DSPy fields, then model, provider, parameters, tokens, cost and latency.

use super::long_text::LongText;
use crate::analysis::lm_call::{lm_call_view, Message};
use crate::display;
use crate::load::Session;
use crate::model::SpanIdx;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct LmCallPaneProps {
    pub session: Rc<Session>,
    pub span: SpanIdx,
}

impl PartialEq for LmCallPaneProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session) && self.span == other.span
    }
}

fn bubble(message: &Message) -> Html {
    let role = message.role.clone();
    let body = html! {
        <>
            <LongText text={Rc::<str>::from(message.content.as_str())} class="bubble-text" />
            { for message.tool_calls.iter().map(|call| html! {
                <div class="tool-call">
                    <span class="tool-name">{ format!("→ {}", display::label(&call.name)) }</span>
                    if let Some(id) = &call.id { <span class="muted">{ format!(" ({})", display::label(id)) }</span> }
                    <LongText text={Rc::<str>::from(call.arguments.as_str())} />
                </div>
            }) }
        </>
    };
    if role == "system" {
        html! {
            <details class="bubble role-system" data-testid="lm-message" data-role={role.clone()}>
                <summary>{ format!("system · {} chars", message.content.chars().count()) }</summary>
                { body }
            </details>
        }
    } else {
        html! {
            <div class={classes!("bubble", format!("role-{role}"))} data-testid="lm-message" data-role={role.clone()}>
                <div class="bubble-role">{ display::label(&role) }</div>
                { body }
            </div>
        }
    }
}

#[component]
pub fn LmCallPane(props: &LmCallPaneProps) -> Html {
    let view = lm_call_view(&props.session.store, props.span);
    let t = &view.tokens;
    let n = |v: Option<u64>| v.map_or("—".to_string(), |v| v.to_string());
    let facts = [
        (
            "Model",
            if view.model.is_empty() {
                "—".to_string()
            } else {
                view.model.clone()
            },
        ),
        (
            "Provider",
            if view.provider.is_empty() {
                "—".to_string()
            } else {
                view.provider.clone()
            },
        ),
        ("Latency", display::duration(view.latency_nanos)),
        ("Input tokens", n(t.input)),
        ("Output tokens", n(t.output)),
        ("Cached tokens", n(t.cached)),
        ("Reasoning tokens", n(t.reasoning)),
        ("Total tokens", n(t.total)),
        (
            "Cost",
            view.cost_usd.map_or("—".to_string(), display::cost_usd),
        ),
        (
            "Finish reason",
            view.finish_reason
                .clone()
                .unwrap_or_else(|| "—".to_string()),
        ),
    ];
    html! {
        <div class="lm-call" data-testid="lm-call">
            <dl class="facts" data-testid="lm-facts">
                { for facts.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ super::payload_view::value_text(v) }</dd></> }) }
            </dl>
            <h3>{ "Prompt" }</h3>
            if view.input_messages.is_empty() {
                <p class="muted">{ "No input messages recorded on this span." }</p>
            }
            { for view.input_messages.iter().map(bubble) }
            <h3>{ "Completion" }</h3>
            if view.output_messages.is_empty() {
                <p class="muted">{ "No output recorded (the call may have failed)." }</p>
            }
            { for view.output_messages.iter().map(bubble) }
            if !view.parsed_fields.is_empty() {
                <h3>{ "Parsed output fields" }</h3>
                <table class="kv" data-testid="parsed-fields">
                    { for view.parsed_fields.iter().map(|(k, v)| html! { <tr><th>{ display::label(k) }</th><td><LongText text={Rc::<str>::from(v.as_str())} /></td></tr> }) }
                </table>
            }
            if !view.parameters.is_empty() {
                <h3>{ "Parameters" }</h3>
                <table class="kv">
                    { for view.parameters.iter().map(|(k, v)| html! { <tr><th>{ display::label(k) }</th><td>{ super::payload_view::value_text(v) }</td></tr> }) }
                </table>
            }
        </div>
    }
}
