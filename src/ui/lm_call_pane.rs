//! The LM-call tab: the conversation as chat bubbles by role (system prompt
//! collapsed, few-shot demos labelled), tool calls with their arguments, the
//! completion and its parsed DSPy fields — or, for a failed call, its error
//! — then model, provider, parameters, tokens, cost and latency.
//!
//! A message's role is whatever the file says (`"user visually-hidden"`
//! is a role someone can write), so it picks one of a fixed set of classes
//! and is otherwise shown only as text and in `data-role`.

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
    /// Free-text filter terms to mark.
    #[prop_or_default]
    pub needles: Rc<Vec<String>>,
}

impl PartialEq for LmCallPaneProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
            && self.span == other.span
            && self.needles == other.needles
    }
}

/// The bubble class for a role: system, user, assistant, tool or other.
fn role_class(role: &str) -> &'static str {
    match role.trim().to_ascii_lowercase().as_str() {
        "system" | "developer" => "role-system",
        "user" | "human" => "role-user",
        "assistant" | "ai" | "model" | "bot" => "role-assistant",
        "tool" | "function" | "ipython" => "role-tool",
        _ => "role-other",
    }
}

fn bubble(message: &Message, needles: &Rc<Vec<String>>) -> Html {
    let role = message.role.clone();
    let class = role_class(&role);
    let demo = message.demo.map(|n| {
        let part = if role == "assistant" { "answer" } else { "question" };
        html! { <span class="demo-label" data-testid="demo-label">{ format!("demo {n} · {part}") }</span> }
    });
    let body = html! {
        <>
            <LongText text={Rc::<str>::from(message.content.as_str())} class="bubble-text" needles={needles.clone()} />
            { for message.tool_calls.iter().map(|call| html! {
                <div class="tool-call">
                    <span class="tool-name">{ format!("→ {}", display::label(&call.name)) }</span>
                    if let Some(id) = &call.id { <span class="muted">{ format!(" ({})", display::label(id)) }</span> }
                    <LongText text={Rc::<str>::from(call.arguments.as_str())} />
                </div>
            }) }
        </>
    };
    if class == "role-system" {
        html! {
            <details class="bubble role-system" data-testid="lm-message" data-role={role.clone()}>
                <summary>{ format!("{} · {} chars", display::label(&role), message.content.chars().count()) }</summary>
                { body }
            </details>
        }
    } else {
        html! {
            <div class={classes!("bubble", class, message.demo.is_some().then_some("demo"))} data-testid="lm-message" data-role={role.clone()}>
                <div class="bubble-role">{ display::label(&role) }{ for demo }</div>
                { body }
            </div>
        }
    }
}

#[component]
pub fn LmCallPane(props: &LmCallPaneProps) -> Html {
    let view = lm_call_view(&props.session.store, props.span);
    let t = &view.tokens;
    let needles = &props.needles;
    // A count the file leaves out is not zero.
    let n = |v: Option<u64>| v.map_or(display::NOT_RECORDED.to_string(), |v| v.to_string());
    let timed = view.latency_nanos > 0;
    let facts = [
        (
            "Model",
            if view.model.is_empty() {
                "—".to_string()
            } else {
                display::label(&view.model)
            },
        ),
        (
            "Provider",
            if view.provider.is_empty() {
                "—".to_string()
            } else {
                display::label(&view.provider)
            },
        ),
        (
            "Latency",
            display::duration_if_timed(view.latency_nanos, timed),
        ),
        ("Input tokens", n(t.input)),
        ("Output tokens", n(t.output)),
        ("Cached tokens", n(t.cached)),
        ("Reasoning tokens", n(t.reasoning)),
        ("Total tokens", n(t.total)),
        (
            "Cost",
            view.cost_usd
                .map_or(display::NOT_RECORDED.to_string(), display::cost_usd),
        ),
        (
            "Finish reason",
            view.finish_reason
                .clone()
                .unwrap_or_else(|| display::NOT_RECORDED.to_string()),
        ),
    ];
    html! {
        <div class="lm-call" data-testid="lm-call">
            if let Some(error) = &view.error {
                <div class="error-box" data-testid="lm-error">
                    <strong>{ format!("The call failed: {}", error.exception_type.as_deref().unwrap_or("error")) }</strong>
                    <pre>{ error.message.clone() }</pre>
                </div>
            }
            <dl class="facts" data-testid="lm-facts">
                { for facts.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ super::payload_view::value_text(v) }</dd></> }) }
            </dl>
            <h3>{ "Prompt" }</h3>
            if view.input_messages.is_empty() {
                <p class="muted">{ "No input messages recorded on this span." }</p>
            }
            { for view.input_messages.iter().map(|m| bubble(m, needles)) }
            <h3>{ "Completion" }</h3>
            if view.error.is_some() && view.output_messages.is_empty() {
                <p class="muted">{ "No completion: the call failed (above)." }</p>
            } else if view.output_messages.is_empty() {
                <p class="muted">{ "No output recorded." }</p>
            }
            { for view.output_messages.iter().map(|m| bubble(m, needles)) }
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

#[cfg(test)]
mod tests {
    use super::role_class;

    #[test]
    fn roles_pick_a_fixed_class_whatever_the_file_says() {
        assert_eq!(role_class("user"), "role-user");
        assert_eq!(role_class("Assistant"), "role-assistant");
        assert_eq!(role_class("developer"), "role-system");
        assert_eq!(role_class("tool"), "role-tool");
        for hostile in [
            "user visually-hidden",
            "user overlay",
            "role-user x",
            "",
            "<b>",
        ] {
            assert_eq!(role_class(hostile), "role-other", "{hostile}");
        }
    }
}
