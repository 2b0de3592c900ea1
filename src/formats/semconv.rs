//! The attribute vocabularies of the OTel family, mapped once: OpenInference
//! (`openinference.*`, `llm.*`, `input.value`), OTel GenAI (`gen_ai.*`),
//! Langfuse (`langfuse.*`) and MLflow (`mlflow.*`).
//!
//! Every OTel-family format (OTLP JSON and JSONL, protobuf JSON, Phoenix,
//! Zipkin and Jaeger tags, MLflow attributes) feeds each attribute of a span
//! through [`Semantics::see`] and calls [`Semantics::finish`] once.

use crate::model::{SpanDraft, SpanKind, StatusCode, StoreBuilder, TextRef};

/// An attribute value as a format read it, decoded enough to interpret.
#[derive(Copy, Clone, Debug)]
pub enum Scalar<'a> {
    /// Decoded string value, and where its bytes are kept.
    Str(&'a str, TextRef),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Arrays, objects, bytes: kept as attributes, not interpreted.
    Other,
}

impl<'a> Scalar<'a> {
    fn as_str(&self) -> Option<&'a str> {
        match self {
            Scalar::Str(s, _) => Some(s),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match *self {
            Scalar::Int(i) => u64::try_from(i).ok(),
            Scalar::Float(f) if f >= 0.0 && f.is_finite() => Some(f as u64),
            Scalar::Str(s, _) => s.trim().parse::<u64>().ok(),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match *self {
            Scalar::Int(i) => Some(i as f64),
            Scalar::Float(f) if f.is_finite() => Some(f),
            Scalar::Str(s, _) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        }
    }

    fn text(&self) -> Option<TextRef> {
        match self {
            Scalar::Str(_, t) => Some(*t),
            _ => None,
        }
    }
}

/// What the attributes of one span say, gathered in any order and resolved
/// by priority at the end (OpenInference kind beats MLflow's, which beats
/// Langfuse's, which beats the GenAI operation name).
#[derive(Debug, Default)]
pub struct Semantics {
    kind_openinference: Option<SpanKind>,
    kind_mlflow: Option<SpanKind>,
    kind_langfuse: Option<SpanKind>,
    kind_genai: Option<SpanKind>,
    model_primary: Option<String>,
    model_fallback: Option<String>,
    provider: Option<String>,
    service: Option<String>,
    level_error: bool,
    level_message: Option<TextRef>,
    otel_status: Option<StatusCode>,
    error_tag: Option<Option<TextRef>>,
}

impl Semantics {
    /// Interprets one attribute. Keys this module does not know are ignored
    /// here (the format still stores them as attributes).
    pub fn see(&mut self, d: &mut SpanDraft, key: &str, value: Scalar<'_>) {
        let tokens = &mut d.tokens;
        match key {
            "openinference.span.kind" => {
                self.kind_openinference = value.as_str().map(SpanKind::from_label);
            }
            "mlflow.spanType" => self.kind_mlflow = value.as_str().map(SpanKind::from_label),
            "langfuse.observation.type" => {
                self.kind_langfuse = value.as_str().map(|s| match s {
                    "span" | "event" => SpanKind::Chain,
                    other => SpanKind::from_label(other),
                });
            }
            "gen_ai.operation.name" => self.kind_genai = value.as_str().map(SpanKind::from_label),

            "llm.model_name" | "mlflow.llm.model" | "langfuse.observation.model.name" => {
                self.model_primary = value.as_str().map(str::to_owned);
            }
            // The requested model wins over the one the provider reports.
            "gen_ai.request.model" => self.model_fallback = value.as_str().map(str::to_owned),
            "gen_ai.response.model" if self.model_fallback.is_none() => {
                self.model_fallback = value.as_str().map(str::to_owned);
            }
            "llm.provider" => self.provider = value.as_str().map(str::to_owned),
            "llm.system" | "gen_ai.system" | "gen_ai.provider.name" | "mlflow.llm.provider"
                if self.provider.is_none() =>
            {
                self.provider = value.as_str().map(str::to_owned);
            }
            "service.name" => self.service = value.as_str().map(str::to_owned),

            "llm.token_count.prompt"
            | "gen_ai.usage.input_tokens"
            | "gen_ai.usage.prompt_tokens" => {
                tokens.input = value.as_u64().or(tokens.input);
            }
            "llm.token_count.completion"
            | "gen_ai.usage.output_tokens"
            | "gen_ai.usage.completion_tokens" => {
                tokens.output = value.as_u64().or(tokens.output);
            }
            "llm.token_count.total" | "gen_ai.usage.total_tokens" => {
                tokens.total = value.as_u64().or(tokens.total);
            }
            "llm.token_count.prompt_details.cache_read"
            | "gen_ai.usage.cache_read.input_tokens"
            | "gen_ai.usage.cache_read_input_tokens" => {
                tokens.cached = value.as_u64().or(tokens.cached)
            }
            "llm.token_count.completion_details.reasoning"
            | "gen_ai.usage.reasoning.output_tokens" => {
                tokens.reasoning = value.as_u64().or(tokens.reasoning);
            }
            "llm.cost.total" | "gen_ai.usage.cost" => d.cost_usd = value.as_f64().or(d.cost_usd),
            "langfuse.observation.usage_details" | "mlflow.chat.tokenUsage" => {
                if let Some(json) = value.as_str() {
                    apply_usage_json(json, tokens);
                }
            }
            "langfuse.observation.cost_details" => {
                if let Some(total) = value.as_str().and_then(cost_total_json) {
                    d.cost_usd = Some(total);
                }
            }

            // OpenInference's `input.value` wins; the others fill a gap.
            "input.value" => d.input = value.text().or(d.input),
            "mlflow.spanInputs"
            | "langfuse.observation.input"
            | "gen_ai.prompt"
            | "gen_ai.input.messages"
                if d.input.is_none() =>
            {
                d.input = value.text();
            }
            "output.value" => d.output = value.text().or(d.output),
            "mlflow.spanOutputs"
            | "langfuse.observation.output"
            | "gen_ai.completion"
            | "gen_ai.output.messages"
                if d.output.is_none() =>
            {
                d.output = value.text();
            }

            "langfuse.observation.level" => self.level_error = value.as_str() == Some("ERROR"),
            "langfuse.observation.status_message" => self.level_message = value.text(),
            "otel.status_code" => {
                self.otel_status = value.as_str().and_then(StatusCode::from_label)
            }
            "otel.status_description" if d.status_message.is_none() => {
                d.status_message = value.text();
            }
            // Zipkin's and Jaeger's error marker: `error: true` or `error: "<message>"`.
            "error" => {
                self.error_tag = match value {
                    Scalar::Bool(false) => None,
                    Scalar::Str(s, _) if s.eq_ignore_ascii_case("false") => None,
                    Scalar::Str(s, t) if !s.is_empty() && !s.eq_ignore_ascii_case("true") => {
                        Some(Some(t))
                    }
                    _ => Some(None),
                };
            }
            _ => {}
        }
    }

    /// Resolves the gathered facts into the draft.
    pub fn finish(self, b: &mut StoreBuilder, d: &mut SpanDraft) {
        if let Some(kind) = self
            .kind_openinference
            .or(self.kind_mlflow)
            .or(self.kind_langfuse)
            .or(self.kind_genai)
        {
            if d.kind == SpanKind::Unknown {
                d.kind = kind;
            }
        }
        if let Some(model) = self.model_primary.or(self.model_fallback) {
            d.model = b.intern(&model);
            if d.kind == SpanKind::Unknown {
                d.kind = SpanKind::Llm;
            }
        }
        if let Some(provider) = self.provider {
            d.provider = b.intern(&provider);
        }
        if let Some(service) = self.service {
            if d.service.is_empty() {
                d.service = b.intern(&service);
            }
        }
        if let Some(status) = self.otel_status {
            d.status = status;
        }
        if self.level_error {
            d.status = StatusCode::Error;
            if d.status_message.is_none() {
                d.status_message = self.level_message;
            }
        }
        if let Some(message) = self.error_tag {
            d.status = StatusCode::Error;
            if d.status_message.is_none() {
                d.status_message = message;
            }
        }
        if d.tokens.total.is_none() {
            if let (Some(i), Some(o)) = (d.tokens.input, d.tokens.output) {
                d.tokens.total = Some(i + o);
            }
        }
    }
}

/// Reads `{"input": n, "output": n, "total": n, "cache_read"…}` (Langfuse) or
/// `{"input_tokens", "output_tokens", "total_tokens"}` (MLflow).
fn apply_usage_json(json: &str, tokens: &mut crate::model::TokenCounts) {
    let Ok(map) =
        serde_json::from_str::<std::collections::BTreeMap<String, serde_json::Value>>(json)
    else {
        return;
    };
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| map.get(*k).and_then(serde_json::Value::as_u64))
    };
    tokens.input = get(&["input", "input_tokens", "prompt_tokens"]).or(tokens.input);
    tokens.output = get(&["output", "output_tokens", "completion_tokens"]).or(tokens.output);
    tokens.total = get(&["total", "total_tokens"]).or(tokens.total);
    tokens.cached = get(&[
        "cache_read",
        "input_cached_tokens",
        "cache_read_input_tokens",
        "cached_tokens",
    ])
    .or(tokens.cached);
    tokens.reasoning =
        get(&["reasoning", "output_reasoning_tokens", "reasoning_tokens"]).or(tokens.reasoning);
}

fn cost_total_json(json: &str) -> Option<f64> {
    let map = serde_json::from_str::<std::collections::BTreeMap<String, f64>>(json).ok()?;
    map.get("total")
        .copied()
        .or_else(|| Some(map.values().sum()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SourceId, TextEncoding};

    fn t() -> TextRef {
        TextRef {
            source: SourceId(0),
            encoding: TextEncoding::Plain,
            start: 0,
            len: 0,
        }
    }

    #[test]
    fn openinference_kind_beats_langfuse_type() {
        let mut b = StoreBuilder::new();
        let mut d = SpanDraft::new();
        let mut s = Semantics::default();
        s.see(
            &mut d,
            "langfuse.observation.type",
            Scalar::Str("span", t()),
        );
        s.see(&mut d, "openinference.span.kind", Scalar::Str("LLM", t()));
        s.see(&mut d, "llm.token_count.prompt", Scalar::Int(283));
        s.see(&mut d, "llm.token_count.completion", Scalar::Str("17", t()));
        s.finish(&mut b, &mut d);
        assert_eq!(d.kind, SpanKind::Llm);
        assert_eq!(
            (d.tokens.input, d.tokens.output, d.tokens.total),
            (Some(283), Some(17), Some(300))
        );
    }

    #[test]
    fn langfuse_level_error_and_usage_json() {
        let mut b = StoreBuilder::new();
        let mut d = SpanDraft::new();
        let mut s = Semantics::default();
        s.see(
            &mut d,
            "langfuse.observation.level",
            Scalar::Str("ERROR", t()),
        );
        s.see(
            &mut d,
            "langfuse.observation.usage_details",
            Scalar::Str(r#"{"input": 10, "output": 5, "cache_read": 2}"#, t()),
        );
        s.finish(&mut b, &mut d);
        assert_eq!(d.status, StatusCode::Error);
        assert_eq!(
            (d.tokens.input, d.tokens.cached, d.tokens.total),
            (Some(10), Some(2), Some(15))
        );
    }
}
