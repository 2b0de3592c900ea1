//! Payloads (inputs, outputs, attribute values) prepared for display: JSON
//! text becomes a tree of nodes (with the JSON-in-a-string that OpenInference
//! and MLflow write decoded one level), a Python repr (DSPy callbacks'
//! `Prediction(…)`) read into fields, anything else stays text. Parsed only
//! when a detail view asks; very large payloads are shown as text.

use serde_json::Value;

/// Payloads above this size are shown as (truncated) text, not as a tree.
pub const MAX_TREE_BYTES: usize = 4 * 1024 * 1024;
/// Children shown per object/array before "… N more".
pub const MAX_CHILDREN: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub enum JsonNode {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array {
        items: Vec<JsonNode>,
        hidden: usize,
    },
    Object {
        entries: Vec<(String, JsonNode)>,
        hidden: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Json(JsonNode),
    Text(String),
}

/// Reads payload text: JSON objects and arrays become trees; a JSON string
/// that itself holds JSON is decoded once more.
pub fn payload(text: &str) -> Payload {
    let trimmed = text.trim_start();
    if text.len() <= MAX_TREE_BYTES
        && (trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with('"'))
    {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            if let Value::String(inner) = &value {
                return payload(inner);
            }
            return Payload::Json(node(value));
        }
    }
    if text.len() <= MAX_TREE_BYTES {
        // A Python repr (DSPy callbacks' `Prediction(…)`): its fields, under
        // the class name when there is one.
        if let Some(repr) = super::pyrepr::parse(text) {
            let tree = node(repr.value);
            return Payload::Json(match repr.class {
                Some(class) => JsonNode::Object {
                    entries: vec![(class, tree)],
                    hidden: 0,
                },
                None => tree,
            });
        }
    }
    Payload::Text(text.to_string())
}

fn node(value: Value) -> JsonNode {
    match value {
        Value::Null => JsonNode::Null,
        Value::Bool(b) => JsonNode::Bool(b),
        Value::Number(n) => JsonNode::Number(n.to_string()),
        Value::String(s) => JsonNode::String(s),
        Value::Array(items) => {
            let hidden = items.len().saturating_sub(MAX_CHILDREN);
            JsonNode::Array {
                items: items.into_iter().take(MAX_CHILDREN).map(node).collect(),
                hidden,
            }
        }
        Value::Object(map) => {
            let hidden = map.len().saturating_sub(MAX_CHILDREN);
            JsonNode::Object {
                entries: map
                    .into_iter()
                    .take(MAX_CHILDREN)
                    .map(|(k, v)| (k, node(v)))
                    .collect(),
                hidden,
            }
        }
    }
}

/// Pretty JSON for the copy button (the payload as the user would paste it).
pub fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_string_is_decoded_once() {
        let text = r#""{\"query\": \"capital of France\"}""#;
        let Payload::Json(JsonNode::Object { entries, .. }) = payload(text) else {
            panic!("expected an object");
        };
        assert_eq!(entries[0].0, "query");
    }

    #[test]
    fn a_callback_prediction_repr_is_a_tree_under_its_class() {
        let text = "\"Prediction(\\n    answer='Paris'\\n)\"";
        let Payload::Json(JsonNode::Object { entries, .. }) = payload(text) else {
            panic!("expected an object");
        };
        assert_eq!(entries[0].0, "Prediction");
        assert_eq!(
            entries[0].1,
            JsonNode::Object {
                entries: vec![("answer".into(), JsonNode::String("Paris".into()))],
                hidden: 0
            }
        );
    }

    #[test]
    fn text_stays_text() {
        assert_eq!(
            payload("[[ ## answer ## ]]"),
            Payload::Text("[[ ## answer ## ]]".into())
        );
        assert_eq!(payload("plain"), Payload::Text("plain".into()));
    }
}
