//! Attribute values per shape: what DSPy and LiteLLM record on module,
//! adapter, LM, tool spans and failures.

use super::vocab::{EXCEPTIONS, WORDS, WORDS_INTL};
use super::writer::{json_object, push_json_str, s, Attrs, Val};
use super::{Gen, Shape};

/// What one predictor call is about; its texts are shared by every layer
/// of the call (the real exports repeat them up the module chain).
pub(super) struct Call {
    pub(super) question: &'static str,
    pub(super) docs: Vec<&'static str>,
    /// The output field: `answer`, `search_query`, `next_thought`.
    pub(super) field: &'static str,
    pub(super) reasoning: String,
    pub(super) answer: String,
    /// Heavy shape only: system and user messages, completion text.
    pub(super) system: String,
    pub(super) user: String,
    pub(super) completion: String,
    pub(super) prompt_tokens: i64,
    pub(super) completion_tokens: i64,
}

impl Gen {
    /// (type, message, stack trace) of a failure, sized by shape.
    pub(super) fn exception(&mut self) -> (&'static str, String, Option<String>) {
        let (exc_type, message) = self.rng.pick(EXCEPTIONS);
        match self.shape {
            Shape::Skeleton => (exc_type, message.to_string(), None),
            Shape::Lean => (exc_type, message.to_string(), None),
            Shape::Heavy => {
                let line = 100 + self.rng.below(900);
                let stack = format!(
                    "Traceback (most recent call last):\n  File \"/srv/app/.venv/lib/python3.11/site-packages/dspy/clients/errors.py\", line 116, in error_boundary\n    yield\n  File \"/srv/app/.venv/lib/python3.11/site-packages/litellm/main.py\", line {line}, in completion\n    response = openai_chat_completions.completion(\n  File \"/srv/app/.venv/lib/python3.11/site-packages/litellm/llms/openai/openai.py\", line 909, in completion\n    raise e\n{exc_type}: {message}\n"
                );
                (exc_type, message.to_string(), Some(stack))
            }
        }
    }

    pub(super) fn mime(&self) -> &'static str {
        match self.shape {
            Shape::Heavy => "application/json",
            _ => "text/plain",
        }
    }

    pub(super) fn call(
        &mut self,
        question: &'static str,
        docs: Vec<&'static str>,
        field: &'static str,
    ) -> Call {
        let mut call = Call {
            question,
            docs,
            field,
            reasoning: String::new(),
            answer: String::new(),
            system: String::new(),
            user: String::new(),
            completion: String::new(),
            prompt_tokens: 60 + self.rng.below(2000) as i64,
            completion_tokens: 10 + self.rng.below(400) as i64,
        };
        match self.shape {
            Shape::Skeleton => {}
            Shape::Lean => call.answer = self.words(3, 8, false),
            Shape::Heavy => {
                call.reasoning = self.sentences(9, 18);
                call.answer = self.words(6, 20, true);
                call.system = system_prompt(field);
                call.user = user_prompt(&call.docs, question, field);
                call.completion = format!(
                    "[[ ## reasoning ## ]]\n{}\n\n[[ ## {field} ## ]]\n{}\n\n[[ ## completed ## ]]",
                    call.reasoning, call.answer
                );
            }
        }
        call
    }

    /// `words` random vocabulary words (heavy: some non-ASCII).
    pub(super) fn words(&mut self, min: usize, max: usize, non_ascii: bool) -> String {
        let n = min + self.rng.below(max - min + 1);
        let mut out = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            let pool = if non_ascii && self.rng.below(12) == 0 {
                WORDS_INTL
            } else {
                WORDS
            };
            out.push_str(self.rng.pick(pool));
        }
        out
    }

    pub(super) fn sentences(&mut self, min: usize, max: usize) -> String {
        let n = min + self.rng.below(max - min + 1);
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            let mut sentence = self.words(8, 24, true);
            if let Some(first) = sentence.get(..1) {
                let upper = first.to_ascii_uppercase();
                sentence.replace_range(..1, &upper);
            }
            out.push_str(&sentence);
            out.push('.');
        }
        out
    }

    /// Attributes of a DSPy module span (`RAG.forward`, `Predict.forward`…).
    pub(super) fn module_attrs(&mut self, call: &Call) -> Attrs {
        let mut a: Attrs = Vec::with_capacity(5);
        match self.shape {
            Shape::Skeleton => {}
            Shape::Lean => {
                a.push(("input.value".into(), s(call.question)));
                a.push(("input.mime_type".into(), s("text/plain")));
                a.push(("output.value".into(), s(call.answer.clone())));
                a.push(("output.mime_type".into(), s("text/plain")));
            }
            Shape::Heavy => {
                let mut input = String::from("{\"context\": [");
                for (i, doc) in call.docs.iter().enumerate() {
                    if i > 0 {
                        input.push_str(", ");
                    }
                    push_json_str(&mut input, doc, true);
                }
                input.push_str("], \"question\": ");
                push_json_str(&mut input, call.question, true);
                input.push('}');
                let output =
                    json_object(&[("reasoning", &call.reasoning), (call.field, &call.answer)]);
                a.push(("input.value".into(), s(input)));
                a.push(("input.mime_type".into(), s("application/json")));
                a.push(("output.value".into(), s(output)));
                a.push(("output.mime_type".into(), s("application/json")));
            }
        }
        a.push(("openinference.span.kind".into(), s("CHAIN")));
        a
    }

    pub(super) fn adapter_attrs(&mut self, call: &Call) -> Attrs {
        if self.shape != Shape::Heavy {
            return self.module_attrs(call);
        }
        let mut a = self.module_attrs(call);
        // DSPy logs the adapter's arguments: the LM's repr and the signature.
        let signature = format!(
            "StringSignature(context, question -> reasoning, {field}\n    instructions='Given the fields `context`, `question`, produce the fields `{field}`.'\n    context = Field(annotation=list[str] required=True json_schema_extra={{'__dspy_field_type': 'input', 'prefix': 'Context:', 'desc': '${{context}}'}})\n    question = Field(annotation=str required=True json_schema_extra={{'__dspy_field_type': 'input', 'prefix': 'Question:', 'desc': '${{question}}'}})\n    reasoning = Field(annotation=str required=True json_schema_extra={{'prefix': \"Reasoning: Let's think step by step in order to\", '__dspy_field_type': 'output', 'desc': '${{reasoning}}'}})\n    {field} = Field(annotation=str required=True json_schema_extra={{'__dspy_field_type': 'output', 'prefix': '{field}:', 'desc': '${{{field}}}'}})\n)",
            field = call.field
        );
        let mut input = String::from("{\"lm\": \"<dspy.clients.lm.LM object at 0x7f45a825d6d0>\", \"lm_kwargs\": {}, \"signature\": ");
        push_json_str(&mut input, &signature, true);
        input.push_str(", \"demos\": [], \"inputs\": {\"question\": ");
        push_json_str(&mut input, call.question, true);
        input.push_str("}}");
        if let Some(slot) = a.first_mut() {
            slot.1 = s(input);
        }
        a
    }

    /// `LM.__call__` (DSPy) or `completion` (LiteLLM, with usage and cost).
    pub(super) fn lm_attrs(&mut self, call: &Call, completion: bool) -> Attrs {
        let mut a: Attrs = Vec::with_capacity(20);
        let model = if completion {
            "openai/gpt-4o-mini"
        } else {
            "gpt-4o-mini"
        };
        match self.shape {
            Shape::Skeleton => {
                a.push(("llm.model_name".into(), s(model)));
            }
            Shape::Lean => {
                a.push(("input.value".into(), s(call.question)));
                a.push(("input.mime_type".into(), s("text/plain")));
                a.push(("llm.model_name".into(), s(model)));
                a.push(("llm.provider".into(), s("openai")));
                a.push(("llm.input_messages.0.message.role".into(), s("user")));
                a.push((
                    "llm.input_messages.0.message.content".into(),
                    s(call.question),
                ));
                a.push(("output.value".into(), s(call.answer.clone())));
                a.push(("llm.output_messages.0.message.role".into(), s("assistant")));
                a.push((
                    "llm.output_messages.0.message.content".into(),
                    s(call.answer.clone()),
                ));
            }
            Shape::Heavy => {
                let mut input = String::from(
                    "{\"prompt\": null, \"messages\": [{\"role\": \"system\", \"content\": ",
                );
                push_json_str(&mut input, &call.system, true);
                input.push_str("}, {\"role\": \"user\", \"content\": ");
                push_json_str(&mut input, &call.user, true);
                input.push_str("}], \"kwargs\": {}}");
                a.push(("input.mime_type".into(), s("application/json")));
                a.push(("input.value".into(), s(input)));
                a.push(("llm.model_name".into(), s(model)));
                a.push(("llm.provider".into(), s("openai")));
                a.push((
                    "llm.invocation_parameters".into(),
                    s("{\"temperature\": 0.0, \"max_tokens\": 1000, \"api_base\": \"http://127.0.0.1:8801/v1\"}"),
                ));
                a.push(("llm.input_messages.0.message.role".into(), s("system")));
                a.push((
                    "llm.input_messages.0.message.content".into(),
                    s(call.system.clone()),
                ));
                a.push(("llm.input_messages.1.message.role".into(), s("user")));
                a.push((
                    "llm.input_messages.1.message.content".into(),
                    s(call.user.clone()),
                ));
                let mut output = String::from("[");
                push_json_str(&mut output, &call.completion, true);
                output.push(']');
                a.push(("output.value".into(), s(output)));
                a.push(("output.mime_type".into(), s("application/json")));
                a.push(("llm.output_messages.0.message.role".into(), s("assistant")));
                a.push((
                    "llm.output_messages.0.message.content".into(),
                    s(call.completion.clone()),
                ));
            }
        }
        if completion {
            let (p, c) = (call.prompt_tokens, call.completion_tokens);
            if self.shape != Shape::Skeleton {
                a.push(("llm.finish_reason".into(), s("stop")));
            }
            a.push(("llm.token_count.prompt".into(), Val::Int(p)));
            a.push(("llm.token_count.completion".into(), Val::Int(c)));
            if self.shape != Shape::Skeleton {
                a.push((
                    "llm.token_count.prompt_details.cache_read".into(),
                    Val::Int(0),
                ));
                a.push((
                    "llm.token_count.completion_details.reasoning".into(),
                    Val::Int(0),
                ));
                a.push(("llm.token_count.total".into(), Val::Int(p + c)));
                // gpt-4o-mini list prices: $0.15 / $0.60 per million tokens.
                let cost = (p as f64 * 0.15 + c as f64 * 0.6) / 1e6;
                a.push(("llm.cost.total".into(), Val::Double(cost)));
            }
        }
        a.push(("openinference.span.kind".into(), s("LLM")));
        a
    }

    pub(super) fn tool_attrs(&mut self, question: &'static str) -> Attrs {
        let mut a: Attrs = Vec::new();
        match self.shape {
            Shape::Skeleton => {}
            Shape::Lean => {
                a.push(("input.value".into(), s(question)));
                a.push(("output.value".into(), s(self.words(4, 12, false))));
            }
            Shape::Heavy => {
                let args = json_object(&[("query", question)]);
                let result = self.sentences(2, 5);
                a.push(("input.value".into(), s(args)));
                a.push(("input.mime_type".into(), s("application/json")));
                a.push(("output.value".into(), s(result)));
            }
        }
        a.push(("openinference.span.kind".into(), s("TOOL")));
        a
    }
}

pub(super) fn system_prompt(field: &str) -> String {
    format!(
        "Your input fields are:\n1. `context` (list[str]): \n2. `question` (str):\nYour output fields are:\n1. `reasoning` (str): \n2. `{field}` (str):\nAll interactions will be structured in the following way, with the appropriate values filled in.\n\n[[ ## context ## ]]\n{{context}}\n\n[[ ## question ## ]]\n{{question}}\n\n[[ ## reasoning ## ]]\n{{reasoning}}\n\n[[ ## {field} ## ]]\n{{{field}}}\n\n[[ ## completed ## ]]\nIn adhering to this structure, your objective is: \n        Given the fields `context`, `question`, produce the fields `{field}`."
    )
}

pub(super) fn user_prompt(docs: &[&str], question: &str, field: &str) -> String {
    let mut context = String::from("[");
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            context.push_str(", ");
        }
        push_json_str(&mut context, doc, false);
    }
    context.push(']');
    format!(
        "[[ ## context ## ]]\n{context}\n\n[[ ## question ## ]]\n{question}\n\nRespond with the corresponding output fields, starting with the field `[[ ## reasoning ## ]]`, then `[[ ## {field} ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`."
    )
}
