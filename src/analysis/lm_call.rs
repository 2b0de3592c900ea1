//! The LM-call view-model: the conversation (messages by role, tool calls),
//! the completion and its parsed DSPy output fields, model, provider,
//! parameters, tokens, cost and latency of one span.
//!
//! Decoded on demand from whichever vocabulary the file used, in this order:
//! OpenInference's flattened `llm.input_messages.<i>.message.*` attributes,
//! then a `{"messages": [...]}` object or a bare message array in the span
//! input (OpenInference `input.value`, MLflow `mlflow.spanInputs`, DSPy
//! `lm.history`), then OTel GenAI `gen_ai.input.messages`. Payloads are small
//! JSON values parsed only when a detail view asks, never whole documents.
//! Few-shot demos in a DSPy prompt are marked as such (see `dspy`); a
//! failed call carries its error.

use crate::model::{AttrValue, SpanIdx, Store, TokenCounts};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ToolCall {
    pub id: Option<String>,
    pub name: String,
    /// Arguments as the model wrote them (usually JSON text).
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// `system`, `user`, `assistant`, `tool`, … as written in the file.
    pub role: String,
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    /// Set on the user/assistant pairs of a DSPy prompt that are few-shot
    /// demos: which demo (1-based).
    pub demo: Option<usize>,
}

/// Why a call failed, for its LM tab.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LmError {
    pub exception_type: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LmCallView {
    pub span: Option<SpanIdx>,
    pub model: String,
    pub provider: String,
    pub input_messages: Vec<Message>,
    pub output_messages: Vec<Message>,
    /// DSPy `[[ ## field ## ]]` sections of the first output message.
    pub parsed_fields: Vec<(String, String)>,
    /// Invocation parameters (temperature, max_tokens, …), sorted by name.
    pub parameters: Vec<(String, String)>,
    pub finish_reason: Option<String>,
    /// Set when the span failed.
    pub error: Option<LmError>,
    pub tokens: TokenCounts,
    pub cost_usd: Option<f64>,
    pub latency_nanos: i64,
}

/// Builds the LM-call view of a span (any span: non-LLM spans simply have
/// no messages).
pub fn lm_call_view(store: &Store, span: SpanIdx) -> LmCallView {
    let i = span.index();
    let s = &store.spans;
    let attrs = attribute_map(store, span);
    let mut view = LmCallView {
        span: Some(span),
        model: store.str(s.model[i]).to_string(),
        provider: store.str(s.provider[i]).to_string(),
        tokens: s.tokens[i],
        cost_usd: Some(s.cost_usd[i]).filter(|c| !c.is_nan()),
        latency_nanos: s.end_nanos[i] - s.start_nanos[i],
        finish_reason: finish_reason(&attrs),
        ..LmCallView::default()
    };
    if s.status[i] == crate::model::StatusCode::Error {
        let e = super::errors::details(store, span);
        view.error = Some(LmError {
            exception_type: e.exception_type,
            message: e.message,
        });
    }
    view.input_messages = flattened_messages(&attrs, "llm.input_messages.");
    if view.input_messages.is_empty() {
        let input = s.input[i].map(|t| store.text(t).into_owned());
        view.input_messages = input.as_deref().map(messages_from_json).unwrap_or_default();
    }
    if view.input_messages.is_empty() {
        if let Some(json) = attrs.get("gen_ai.input.messages") {
            view.input_messages = messages_from_json(json);
        }
    }
    view.output_messages = flattened_messages(&attrs, "llm.output_messages.");
    if view.output_messages.is_empty() {
        let output = s.output[i].map(|t| store.text(t).into_owned());
        view.output_messages = output.as_deref().map(outputs_from_json).unwrap_or_default();
    }
    if view.output_messages.is_empty() {
        if let Some(json) = attrs.get("gen_ai.output.messages") {
            view.output_messages = outputs_from_json(json);
        }
    }
    view.parsed_fields = view
        .output_messages
        .first()
        .map(|m| dspy_fields(&m.content))
        .unwrap_or_default();
    if view.finish_reason.is_none() {
        view.finish_reason = s.output[i].and_then(|t| choice_finish_reason(&store.text(t)));
    }
    mark_demos(&mut view.input_messages);
    view.parameters = parameters(&attrs);
    view
}

/// Few-shot demos: the user/assistant pairs of a DSPy prompt before its
/// last question.
fn mark_demos(messages: &mut [Message]) {
    let roles: Vec<&str> = messages.iter().map(|m| m.role.as_str()).collect();
    let system = messages
        .first()
        .filter(|m| m.role == "system")
        .map(|m| m.content.as_str());
    let demos = super::dspy::demo_numbers(&roles, system);
    for (m, demo) in messages.iter_mut().zip(demos) {
        m.demo = demo;
    }
}

/// OpenInference's `llm.finish_reason`, GenAI's `gen_ai.response.
/// finish_reasons` (a list), or the `finish_reason` of the `Response(…)`
/// repr DSPy's `lm.history` keeps.
fn finish_reason(attrs: &BTreeMap<String, String>) -> Option<String> {
    if let Some(r) = attrs.get("llm.finish_reason") {
        return Some(r.clone());
    }
    if let Some(list) = attrs.get("gen_ai.response.finish_reasons") {
        return match serde_json::from_str::<Value>(list) {
            Ok(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_owned),
            _ => Some(list.clone()),
        };
    }
    let response = attrs.get("response")?;
    let repr = super::pyrepr::parse(response)?;
    repr.value
        .get("finish_reason")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The finish reason of one call without building its whole view (for a
/// table row): the attributes [`lm_call_view`] reads, then the output.
pub fn finish_reason_of(store: &Store, span: SpanIdx) -> Option<String> {
    let attrs: BTreeMap<String, String> = [
        "llm.finish_reason",
        "gen_ai.response.finish_reasons",
        "response",
    ]
    .iter()
    .filter_map(|k| {
        let v = store.span_attr(span, k)?;
        Some((k.to_string(), store.attr_text(v).into_owned()))
    })
    .collect();
    finish_reason(&attrs).or_else(|| {
        let output = store.spans.output.get(span.index()).copied().flatten()?;
        choice_finish_reason(&store.text(output))
    })
}

/// `choices[0].finish_reason` of an OpenAI-shaped response payload.
fn choice_finish_reason(json: &str) -> Option<String> {
    let value: Value = serde_json::from_str(json).ok()?;
    value
        .get("choices")?
        .get(0)?
        .get("finish_reason")?
        .as_str()
        .map(str::to_owned)
}

/// The span's attributes as decoded text, by key (later keys win).
fn attribute_map(store: &Store, span: SpanIdx) -> BTreeMap<String, String> {
    store
        .span_attrs(span)
        .map(|(k, v)| (store.str(k).to_string(), store.attr_text(v).into_owned()))
        .collect()
}

/// OpenInference flattens messages: `<prefix><i>.message.role`,
/// `.message.content`, `.message.contents.<j>.message_content.text`,
/// `.message.tool_calls.<k>.tool_call.function.name|arguments`, `.tool_call.id`.
fn flattened_messages(attrs: &BTreeMap<String, String>, prefix: &str) -> Vec<Message> {
    let mut by_index: BTreeMap<usize, Message> = BTreeMap::new();
    let mut calls: BTreeMap<(usize, usize), ToolCall> = BTreeMap::new();
    for (key, value) in attrs.range(prefix.to_string()..) {
        let Some(rest) = key.strip_prefix(prefix) else {
            break;
        };
        let Some((index, field)) = rest.split_once('.') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let message = by_index.entry(index).or_default();
        match field {
            "message.role" => message.role = value.clone(),
            "message.content" => message.content = value.clone(),
            _ => {
                if let Some(part) = field.strip_prefix("message.contents.") {
                    if part.ends_with("message_content.text") {
                        if !message.content.is_empty() {
                            message.content.push('\n');
                        }
                        message.content.push_str(value);
                    }
                } else if let Some(call) = field.strip_prefix("message.tool_calls.") {
                    let Some((k, what)) = call.split_once('.') else {
                        continue;
                    };
                    let Ok(k) = k.parse::<usize>() else { continue };
                    let tool = calls.entry((index, k)).or_default();
                    match what {
                        "tool_call.function.name" => tool.name = value.clone(),
                        "tool_call.function.arguments" => tool.arguments = value.clone(),
                        "tool_call.id" => tool.id = Some(value.clone()),
                        _ => {}
                    }
                }
            }
        }
    }
    for ((index, _), call) in calls {
        if let Some(message) = by_index.get_mut(&index) {
            message.tool_calls.push(call);
        }
    }
    by_index.into_values().collect()
}

/// `{"messages": [...]}`, `[{"role", "content"}, ...]`, or GenAI's
/// `[{"role", "parts": [{"type": "text", "content"}]}]`.
fn messages_from_json(json: &str) -> Vec<Message> {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    let list = match &value {
        Value::Object(map) => map.get("messages").and_then(Value::as_array),
        Value::Array(items) => Some(items),
        _ => None,
    };
    list.map(|items| items.iter().filter_map(message_from_value).collect())
        .unwrap_or_default()
}

fn message_from_value(value: &Value) -> Option<Message> {
    let map = value.as_object()?;
    let role = map.get("role")?.as_str()?.to_string();
    let content = match map.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => text_parts(parts),
        Some(Value::Null) | None => map
            .get("parts")
            .and_then(Value::as_array)
            .map(|p| text_parts(p))
            .unwrap_or_default(),
        Some(other) => other.to_string(),
    };
    let tool_calls = map
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| calls.iter().filter_map(tool_call_from_value).collect())
        .unwrap_or_default();
    Some(Message {
        role,
        content,
        tool_calls,
        demo: None,
    })
}

fn text_parts(parts: &[Value]) -> String {
    parts
        .iter()
        .filter_map(|p| match p {
            Value::String(s) => Some(s.clone()),
            Value::Object(m) => m
                .get("text")
                .or_else(|| m.get("content"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn tool_call_from_value(value: &Value) -> Option<ToolCall> {
    let map = value.as_object()?;
    let function = map
        .get("function")
        .and_then(Value::as_object)
        .unwrap_or(map);
    let arguments = match function.get("arguments") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Some(ToolCall {
        id: map.get("id").and_then(Value::as_str).map(str::to_owned),
        name: function
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        arguments,
    })
}

/// Completions: a message list, a list of completion strings (DSPy, MLflow),
/// an OpenAI response (`choices[].message`), or plain text.
fn outputs_from_json(json: &str) -> Vec<Message> {
    let assistant = |content: String| Message {
        role: "assistant".to_string(),
        content,
        tool_calls: Vec::new(),
        demo: None,
    };
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(assistant(s.clone())),
                other => message_from_value(other),
            })
            .collect(),
        Ok(Value::Object(map)) => {
            if let Some(choices) = map.get("choices").and_then(Value::as_array) {
                choices
                    .iter()
                    .filter_map(|c| c.get("message").and_then(message_from_value))
                    .collect()
            } else {
                messages_from_json(json)
            }
        }
        Ok(Value::String(s)) => vec![assistant(s)],
        Ok(_) => Vec::new(),
        Err(_) if !json.trim().is_empty() => vec![assistant(json.to_string())],
        Err(_) => Vec::new(),
    }
}

/// DSPy's adapters write each output field as `[[ ## name ## ]]` followed by
/// its value; `completed` closes the reply.
pub fn dspy_fields(completion: &str) -> Vec<(String, String)> {
    super::dspy::prompt_fields(completion)
}

/// Invocation parameters from OpenInference's JSON, MLflow's or Langfuse's
/// attributes; nested values shown as JSON text.
fn parameters(attrs: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out = BTreeMap::new();
    for key in [
        "llm.invocation_parameters",
        "modelParameters",
        "kwargs",
        "gen_ai.request.parameters",
    ] {
        if let Some(Ok(Value::Object(map))) =
            attrs.get(key).map(|j| serde_json::from_str::<Value>(j))
        {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(k, text);
            }
        }
    }
    for (key, name) in [
        ("temperature", "temperature"),
        ("max_tokens", "max_tokens"),
        ("gen_ai.request.temperature", "temperature"),
        ("gen_ai.request.max_tokens", "max_tokens"),
        ("gen_ai.request.top_p", "top_p"),
    ] {
        if let Some(v) = attrs.get(key) {
            out.entry(name.to_string()).or_insert_with(|| v.clone());
        }
    }
    out.into_iter().collect()
}

/// True if the span has anything the LM-call view can show.
pub fn has_lm_content(store: &Store, span: SpanIdx) -> bool {
    store.spans.kind[span.index()] == crate::model::SpanKind::Llm
        || store.span_attrs(span).any(|(k, v)| {
            matches!(v, AttrValue::Str(_) | AttrValue::Json(_))
                && store.str(k).starts_with("llm.input_messages.")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    fn react() -> crate::load::Session {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/otlp-json/dspy-react.openinference.otlp-http-json.json"
        );
        load(vec![Input::new(
            "react.json",
            std::fs::read(path).unwrap_or_default(),
        )])
    }

    #[test]
    fn openinference_completion_span_shows_the_conversation() {
        let session = react();
        let store = &session.store;
        let span = (0..store.span_count())
            .map(|i| SpanIdx(i as u32))
            .find(|&s| store.str(store.spans.name[s.index()]) == "completion")
            .unwrap_or(SpanIdx(0));
        let view = lm_call_view(store, span);
        assert_eq!(view.model, "openai/gpt-4o-mini");
        assert_eq!(view.provider, "openai");
        let roles: Vec<&str> = view
            .input_messages
            .iter()
            .map(|m| m.role.as_str())
            .collect();
        assert_eq!(roles, ["system", "user"]);
        assert!(view.input_messages[0]
            .content
            .starts_with("Your input fields are:"));
        assert_eq!(view.output_messages.len(), 1);
        let field_names: Vec<&str> = view.parsed_fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            field_names,
            ["next_thought", "next_tool_name", "next_tool_args"]
        );
        assert_eq!(view.finish_reason.as_deref(), Some("stop"));
        assert!(view.parameters.iter().any(|(k, _)| k == "num_retries"));
        assert_eq!(
            (view.tokens.input, view.tokens.output),
            (Some(736), Some(143))
        );
    }

    fn open(rel: &str) -> crate::load::Session {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        load(vec![Input::new(
            rel,
            std::fs::read(path).unwrap_or_default(),
        )])
    }

    #[test]
    fn bootstrap_demos_are_labelled_and_history_has_finish_reasons() {
        // dspy-optimize.lm-history.json: every call is system, two demo
        // pairs, the question; its `response` repr says finish_reason='stop'.
        let s = open("dspy-history/dspy-optimize.lm-history.json");
        let view = lm_call_view(&s.store, SpanIdx(0));
        let demos: Vec<Option<usize>> = view.input_messages.iter().map(|m| m.demo).collect();
        assert_eq!(demos, [None, Some(1), Some(1), Some(2), Some(2), None]);
        assert_eq!(view.finish_reason.as_deref(), Some("stop"));
        assert_eq!(view.error, None);
        // Without demos nothing is marked.
        let rag = open("dspy-history/dspy-rag.lm-history.json");
        let plain = lm_call_view(&rag.store, SpanIdx(0));
        assert!(plain.input_messages.iter().all(|m| m.demo.is_none()));
    }

    #[test]
    fn a_failed_call_says_why() {
        // all-scenarios: the LM.__call__ of trace 18259621… got HTTP 500.
        let s = open("otlp-jsonl/dspy-all-scenarios.filexporter.jsonl");
        let store = &s.store;
        let span = (0..store.span_count())
            .find(|&i| {
                store.spans.is_lm_call[i]
                    && store.spans.status[i] == crate::model::StatusCode::Error
                    && store.id(store.traces.trace_id[store.spans.trace[i].index()])
                        == "18259621bb30ec07ce1d11bd3c0630ab"
            })
            .map(|i| SpanIdx(i as u32))
            .unwrap();
        let view = lm_call_view(store, span);
        assert!(view.output_messages.is_empty());
        let error = view.error.unwrap_or_default();
        assert_eq!(
            error.exception_type.as_deref(),
            Some("dspy.utils.exceptions.LMServerError")
        );
        assert!(error
            .message
            .starts_with("[openai/gpt-4o-mini] The server had an error"));
    }

    #[test]
    fn message_arrays_completion_lists_and_tool_calls() {
        let input = r#"{"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "function": {"name": "search", "arguments": "{\"q\": 1}"}}]}]}"#;
        let messages = messages_from_json(input);
        assert_eq!(messages[0].content, "hi");
        assert_eq!(messages[1].tool_calls[0].name, "search");
        assert_eq!(messages[1].tool_calls[0].id.as_deref(), Some("c1"));
        let outputs =
            outputs_from_json(r#"["[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"]"#);
        assert_eq!(
            dspy_fields(&outputs[0].content),
            vec![("answer".to_string(), "Paris".to_string())]
        );
        assert_eq!(outputs_from_json("plain text")[0].content, "plain text");
    }
}
