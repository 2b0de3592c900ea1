//! Model names as files write them, split into a provider and the model:
//! LiteLLM (and so DSPy) routes `openai/gpt-4o-mini`, while the OpenAI
//! instrumentation beside it records `gpt-4o-mini` with the provider in
//! another attribute. Grouping by model merges the two spellings; the
//! provider stays a field of its own.
//!
//! Only a known provider prefix is split off, so an organisation in a model
//! id (`meta-llama/Llama-3-70b`) stays part of the model.

/// LiteLLM's provider route names (its `provider_list`), lowercase.
const PROVIDERS: &[&str] = &[
    "ai21",
    "aleph_alpha",
    "anthropic",
    "anyscale",
    "azure",
    "azure_ai",
    "azure_text",
    "baseten",
    "bedrock",
    "cerebras",
    "clarifai",
    "cloudflare",
    "codestral",
    "cohere",
    "cohere_chat",
    "dashscope",
    "databricks",
    "deepinfra",
    "deepseek",
    "fireworks_ai",
    "friendliai",
    "gemini",
    "github",
    "groq",
    "hosted_vllm",
    "huggingface",
    "litellm_proxy",
    "lm_studio",
    "mistral",
    "moonshot",
    "nlp_cloud",
    "nvidia_nim",
    "ollama",
    "ollama_chat",
    "openai",
    "openrouter",
    "palm",
    "perplexity",
    "petals",
    "replicate",
    "sagemaker",
    "sambanova",
    "text-completion-openai",
    "together_ai",
    "vertex_ai",
    "vllm",
    "voyage",
    "watsonx",
    "xai",
];

/// `(provider, model)`: `openai/gpt-4o-mini` → `(Some("openai"),
/// "gpt-4o-mini")`; `gpt-4o-mini` → `(None, "gpt-4o-mini")`;
/// `meta-llama/Llama-3-70b` → `(None, "meta-llama/Llama-3-70b")`.
pub fn split(model: &str) -> (Option<&str>, &str) {
    if let Some((prefix, rest)) = model.split_once('/') {
        if !rest.is_empty() && PROVIDERS.iter().any(|p| prefix.eq_ignore_ascii_case(p)) {
            return (Some(prefix), rest);
        }
    }
    (None, model)
}

/// The model without a provider route: the key models are grouped by.
pub fn bare(model: &str) -> &str {
    split(model).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_routes_are_split_off_organisations_are_not() {
        assert_eq!(split("openai/gpt-4o-mini"), (Some("openai"), "gpt-4o-mini"));
        assert_eq!(split("gpt-4o-mini"), (None, "gpt-4o-mini"));
        assert_eq!(
            split("openrouter/anthropic/claude-3.5-sonnet"),
            (Some("openrouter"), "anthropic/claude-3.5-sonnet")
        );
        assert_eq!(
            split("meta-llama/Llama-3-70b"),
            (None, "meta-llama/Llama-3-70b")
        );
        assert_eq!(split("openai/"), (None, "openai/"));
        assert_eq!(bare("OpenAI/gpt-4o"), "gpt-4o");
    }
}
