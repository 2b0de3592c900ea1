//! Normalised span kinds and statuses shared by every format.

use std::fmt;

/// What a span does, normalised across OpenInference, OTel GenAI, MLflow,
/// Langfuse and DSPy's own logs.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[repr(u8)]
pub enum SpanKind {
    /// A language-model call (or a wrapper of one).
    Llm,
    /// A program step: a DSPy module, a chain.
    Chain,
    Retriever,
    Tool,
    Agent,
    Embedding,
    /// Formats or parses LM input/output (DSPy adapters, MLflow `PARSER`).
    Parser,
    Evaluator,
    #[default]
    Unknown,
}

impl SpanKind {
    pub const ALL: [SpanKind; 9] = [
        SpanKind::Llm,
        SpanKind::Chain,
        SpanKind::Retriever,
        SpanKind::Tool,
        SpanKind::Agent,
        SpanKind::Embedding,
        SpanKind::Parser,
        SpanKind::Evaluator,
        SpanKind::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Llm => "llm",
            SpanKind::Chain => "chain",
            SpanKind::Retriever => "retriever",
            SpanKind::Tool => "tool",
            SpanKind::Agent => "agent",
            SpanKind::Embedding => "embedding",
            SpanKind::Parser => "parser",
            SpanKind::Evaluator => "evaluator",
            SpanKind::Unknown => "unknown",
        }
    }

    /// Maps the kind vocabularies of the supported tools, case-insensitively:
    /// OpenInference (`LLM`, `CHAIN`, `RERANKER`…), MLflow (`CHAT_MODEL`,
    /// `PARSER`…), Langfuse observation types (`generation`, `span`…).
    pub fn from_label(label: &str) -> SpanKind {
        let upper = label.trim().to_ascii_uppercase();
        match upper.as_str() {
            "LLM" | "CHAT_MODEL" | "GENERATION" | "CHAT" | "COMPLETION" | "TEXT_COMPLETION" => {
                SpanKind::Llm
            }
            "CHAIN" | "SPAN" | "MODULE" | "WORKFLOW" | "TASK" => SpanKind::Chain,
            "RETRIEVER" | "RERANKER" | "RETRIEVAL" => SpanKind::Retriever,
            "TOOL" | "EXECUTE_TOOL" | "FUNCTION" => SpanKind::Tool,
            "AGENT" | "INVOKE_AGENT" | "CREATE_AGENT" => SpanKind::Agent,
            "EMBEDDING" | "EMBEDDINGS" => SpanKind::Embedding,
            "PARSER" => SpanKind::Parser,
            "EVALUATOR" | "GUARDRAIL" => SpanKind::Evaluator,
            _ => SpanKind::Unknown,
        }
    }
}

impl fmt::Display for SpanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Span status, as OpenTelemetry defines it.
#[derive(
    Copy,
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[repr(u8)]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }
    }

    /// Accepts OTLP ints (0/1/2), enum names (`STATUS_CODE_ERROR`) and words
    /// (`ERROR`, `OK`, `UNSET`). `None` for anything else.
    pub fn from_label(label: &str) -> Option<StatusCode> {
        let upper = label.trim().to_ascii_uppercase();
        match upper.trim_start_matches("STATUS_CODE_") {
            "0" | "UNSET" | "" => Some(StatusCode::Unset),
            "1" | "OK" => Some(StatusCode::Ok),
            "2" | "ERROR" => Some(StatusCode::Error),
            _ => None,
        }
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_every_vocabulary() {
        assert_eq!(SpanKind::from_label("LLM"), SpanKind::Llm);
        assert_eq!(SpanKind::from_label("CHAT_MODEL"), SpanKind::Llm);
        assert_eq!(SpanKind::from_label("generation"), SpanKind::Llm);
        assert_eq!(SpanKind::from_label("RERANKER"), SpanKind::Retriever);
        assert_eq!(SpanKind::from_label("whatever"), SpanKind::Unknown);
    }

    #[test]
    fn statuses_from_ints_names_and_words() {
        assert_eq!(StatusCode::from_label("2"), Some(StatusCode::Error));
        assert_eq!(
            StatusCode::from_label("STATUS_CODE_OK"),
            Some(StatusCode::Ok)
        );
        assert_eq!(StatusCode::from_label("unset"), Some(StatusCode::Unset));
        assert_eq!(StatusCode::from_label("7"), None);
    }
}
