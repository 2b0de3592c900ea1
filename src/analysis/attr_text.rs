//! Attribute values as a person reads them. OTLP arrays and key/value
//! lists arrive in protobuf's JSON mapping (`{"values": [{"stringValue":
//! "dspy"}, …]}` for Langfuse's `langfuse.trace.tags`): they are shown as
//! plain JSON (`["dspy", "rag", "dev"]`). Also the trace's Langfuse tags,
//! for the trace header.
//!
//! Reads the store only; values are converted when a view asks.

use crate::model::{AttrValue, Store, TraceIdx};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Where Langfuse keeps a trace's tags (span attribute in its OTLP export,
/// trace field in its API).
const TAGS: &str = "langfuse.trace.tags";

/// An attribute value as display text: protobuf-JSON arrays and key/value
/// lists become plain JSON, everything else is its text.
pub fn display_text(store: &Store, value: AttrValue) -> Cow<'_, str> {
    let text = store.attr_text(value);
    if let AttrValue::Json(_) = value {
        if let Some(plain) = plain_json(&text) {
            return Cow::Owned(plain);
        }
    }
    text
}

/// `{"values": [AnyValue…]}` (an OTLP array or key/value list) or a single
/// AnyValue object as plain JSON text; `None` for anything else.
pub fn plain_json(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') || !trimmed.contains("Value") && !trimmed.contains("values") {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let plain = list(&value).or_else(|| any_value(&value))?;
    serde_json::to_string(&plain).ok()
}

/// An OTLP `ArrayValue` or `KeyValueList` body: `{"values": [...]}`.
fn list(value: &Value) -> Option<Value> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let items = map.get("values")?.as_array()?;
    let is_kv = |v: &Value| v.get("key").is_some();
    if !items.is_empty() && items.iter().all(is_kv) {
        let mut out = Map::new();
        for item in items {
            let key = item.get("key")?.as_str()?.to_string();
            let v = item.get("value").map_or(Some(Value::Null), any_value)?;
            out.insert(key, v);
        }
        Some(Value::Object(out))
    } else {
        items
            .iter()
            .map(any_value)
            .collect::<Option<Vec<Value>>>()
            .map(Value::Array)
    }
}

/// One OTLP `AnyValue` object (camelCase or snake_case keys).
fn any_value(value: &Value) -> Option<Value> {
    let map = value.as_object()?;
    if map.is_empty() {
        return Some(Value::Null);
    }
    let (key, inner) = map.iter().next().filter(|_| map.len() == 1)?;
    Some(match key.as_str() {
        "stringValue" | "string_value" | "bytesValue" | "bytes_value" => inner.clone(),
        "boolValue" | "bool_value" => inner.clone(),
        "intValue" | "int_value" => match inner {
            Value::String(s) => s.parse::<i64>().map_or(inner.clone(), Value::from),
            other => other.clone(),
        },
        "doubleValue" | "double_value" => inner.clone(),
        "arrayValue" | "array_value" | "kvlistValue" | "kvlist_value" => list(inner)?,
        _ => return None,
    })
}

/// The trace's tags (Langfuse), from its metadata or any span, in order.
pub fn trace_tags(store: &Store, trace: TraceIdx) -> Vec<String> {
    if trace.index() >= store.trace_count() {
        return Vec::new();
    }
    let Some(key) = store.strings.get(TAGS) else {
        return Vec::new();
    };
    let from_meta = store
        .trace_meta(trace)
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v);
    let value = from_meta.or_else(|| {
        store.trace_spans(trace).find_map(|i| {
            store
                .span_attrs(crate::model::SpanIdx(i as u32))
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v)
        })
    });
    let Some(value) = value else {
        return Vec::new();
    };
    let text = display_text(store, value);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => vec![text.into_owned()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    #[test]
    fn protobuf_json_lists_become_plain_json() {
        assert_eq!(
            plain_json(
                r#"{"values": [{"stringValue": "dspy"}, {"intValue": "3"}, {"boolValue": true}]}"#
            )
            .as_deref(),
            Some(r#"["dspy",3,true]"#)
        );
        assert_eq!(
            plain_json(r#"{"values": [{"key": "a", "value": {"arrayValue": {"values": [{"doubleValue": 0.5}]}}}]}"#)
                .as_deref(),
            Some(r#"{"a":[0.5]}"#)
        );
        assert_eq!(plain_json(r#"{"values": 3}"#), None);
        assert_eq!(plain_json(r#"{"question": "x"}"#), None);
        assert_eq!(plain_json("[1, 2]"), None);
    }

    #[test]
    fn langfuse_tags_from_the_otlp_export_and_the_api() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let open = |rel: &str| {
            load(vec![Input::new(
                rel,
                std::fs::read(format!("{dir}{rel}")).unwrap(),
            )])
        };
        let otlp = open("langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json");
        assert_eq!(trace_tags(&otlp.store, TraceIdx(0)), ["dspy", "rag", "dev"]);
        let api = open("langfuse-api/handmade-trace.json");
        assert_eq!(trace_tags(&api.store, TraceIdx(0)), ["dspy", "rag"]);
        let none = open("otlp-json/dspy-rag.openinference.otlp-http-json.json");
        assert!(trace_tags(&none.store, TraceIdx(0)).is_empty());
    }
}
