//! Retrieved documents, per hop: every retriever span of a trace in start
//! order, with its query and its documents (content, id, score, metadata).
//!
//! Read from OpenInference's flattened `retrieval.documents.<i>.document.*`
//! attributes, else from the span output: a list of documents
//! (`page_content`/`content`/`text`, MLflow and LangChain style), a list of
//! strings, or an object holding one (`passages`, `documents`, `docs`) —
//! DSPy's `Retrieve` returns `{"passages": [...]}`.

use crate::index::Index;
use crate::model::{SpanIdx, SpanKind, Store, TraceIdx};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub content: String,
    pub id: Option<String>,
    pub score: Option<f64>,
    /// Metadata as JSON text, when the file has any.
    pub metadata: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub span: SpanIdx,
    /// The query as the span's input holds it (`query`, first arg, or text).
    pub query: Option<String>,
    pub documents: Vec<Document>,
}

/// Every retriever span of the trace, in start order, as a hop.
pub fn hops(store: &Store, _index: &Index, trace: TraceIdx) -> Vec<Hop> {
    store
        .trace_spans(trace)
        .filter(|&i| store.spans.kind[i] == SpanKind::Retriever)
        .map(|i| hop(store, SpanIdx(i as u32)))
        .collect()
}

pub fn hop(store: &Store, span: SpanIdx) -> Hop {
    let i = span.index();
    let input = store.spans.input[i].map(|t| store.text(t).into_owned());
    Hop {
        span,
        query: input.as_deref().map(query_of),
        documents: documents(store, span),
    }
}

fn query_of(input: &str) -> String {
    match serde_json::from_str::<Value>(input) {
        Ok(Value::Object(map)) => map
            .get("query")
            .or_else(|| map.get("args").and_then(|a| a.get(0)))
            .or_else(|| map.get("kwargs").and_then(|k| k.get("query")))
            .map(text_of)
            .unwrap_or_else(|| input.to_string()),
        Ok(Value::String(s)) => s,
        _ => input.to_string(),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn documents(store: &Store, span: SpanIdx) -> Vec<Document> {
    let mut by_index: BTreeMap<usize, Document> = BTreeMap::new();
    for (key, value) in store.span_attrs(span) {
        let Some(rest) = store.str(key).strip_prefix("retrieval.documents.") else {
            continue;
        };
        let Some((n, field)) = rest.split_once('.') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let text = store.attr_text(value).into_owned();
        let doc = by_index.entry(n).or_default();
        match field {
            "document.content" => doc.content = text,
            "document.id" => doc.id = Some(text),
            "document.score" => doc.score = text.parse().ok(),
            "document.metadata" => doc.metadata = Some(text),
            _ => {}
        }
    }
    if !by_index.is_empty() {
        return by_index.into_values().collect();
    }
    let output = store.spans.output[span.index()].map(|t| store.text(t).into_owned());
    output
        .as_deref()
        .map(documents_from_json)
        .unwrap_or_default()
}

fn documents_from_json(json: &str) -> Vec<Document> {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    let list = match &value {
        Value::Array(items) => Some(items),
        Value::Object(map) => ["passages", "documents", "docs", "results"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_array)),
        _ => None,
    };
    list.map(|items| items.iter().map(document_from_value).collect())
        .unwrap_or_default()
}

fn document_from_value(value: &Value) -> Document {
    let Value::Object(map) = value else {
        return Document {
            content: text_of(value),
            ..Document::default()
        };
    };
    let field = |keys: &[&str]| keys.iter().find_map(|k| map.get(*k));
    Document {
        content: field(&["page_content", "content", "text", "long_text"])
            .map(text_of)
            .unwrap_or_default(),
        id: field(&["id", "doc_id", "pid"]).map(text_of),
        score: field(&["score", "relevance_score"]).and_then(Value::as_f64),
        metadata: map.get("metadata").map(Value::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    fn session(rel: &str) -> crate::load::Session {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        load(vec![Input::new(rel, std::fs::read(path).unwrap())])
    }

    #[test]
    fn openinference_documents_and_query_per_hop() {
        let s = session("otlp-json/dspy-rag.openinference.otlp-http-json.json");
        let trace = s.index.by_start[0];
        let hops = hops(&s.store, &s.index, trace);
        assert_eq!(hops.len(), 1);
        assert_eq!(
            hops[0].query.as_deref(),
            Some("What is the capital of France?")
        );
        assert_eq!(hops[0].documents.len(), 3);
        assert!(hops[0].documents[0]
            .content
            .starts_with("Paris | Paris is the capital"));
    }

    #[test]
    fn mlflow_passages_per_hop_of_a_multihop_run() {
        let s = session("mlflow-json/dspy-multihop.mlflow-trace-single.json");
        let trace = s.index.by_start[0];
        let hops = hops(&s.store, &s.index, trace);
        assert_eq!(hops.len(), 2, "two hops: two Retrieve.forward spans");
        assert_eq!(hops[0].query.as_deref(), Some("retrieved into the then"));
        assert_eq!(hops[0].documents.len(), 2);
        assert!(hops[0].documents[0].content.starts_with("Photosynthesis |"));
    }

    #[test]
    fn document_shapes() {
        let docs = documents_from_json(
            r#"[{"page_content": "a", "metadata": {"source": "x"}, "id": "d1", "score": 0.5}, "b"]"#,
        );
        assert_eq!(docs[0].id.as_deref(), Some("d1"));
        assert_eq!(docs[0].score, Some(0.5));
        assert_eq!(docs[1].content, "b");
    }
}
