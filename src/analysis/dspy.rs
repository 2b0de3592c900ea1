//! DSPy's conventions, read in one place: signatures (`context, question ->
//! answer`) from MLflow's `signature` attribute, from the `StringSignature(…)`
//! an adapter call logs, or from the field lists an adapter writes at the
//! top of its system prompt; the `[[ ## field ## ]]` sections of prompts
//! and completions; which wrapper spans belong to one predictor call; and
//! few-shot demos in a prompt.
//!
//! Pure text functions and raw-byte scans; reads the store only to find
//! the bytes.

use crate::model::{AttrValue, SpanIdx, SpanKind, Store, TextRef};
use memchr::memmem;

/// MLflow's DSPy autolog writes a module's signature under this key.
const SIGNATURE_ATTR: &str = "signature";
/// The text an adapter logs its signature as (in `input.value` of
/// `ChatAdapter.__call__`): `StringSignature(context, question -> answer`.
const STRING_SIGNATURE: &[u8] = b"StringSignature(";
const INPUT_FIELDS: &str = "Your input fields are:";
const OUTPUT_FIELDS: &str = "Your output fields are:";
/// Bytes of a prompt searched for the field lists (they open the prompt).
const PROMPT_WINDOW: usize = 16 * 1024;

/// A DSPy signature: input and output field names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
}

impl Signature {
    /// `context, question -> answer`.
    pub fn text(&self) -> String {
        format!("{} -> {}", self.inputs.join(", "), self.outputs.join(", "))
    }

    /// Reads `context, question -> reasoning, answer` (types, as in
    /// `question: str`, are dropped). `None` without `->` or output.
    pub fn parse(text: &str) -> Option<Signature> {
        let (inputs, outputs) = text.split_once("->")?;
        let names = |part: &str| -> Vec<String> {
            part.split(',')
                .map(|f| f.split(':').next().unwrap_or("").trim().to_string())
                .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .collect()
        };
        let sig = Signature {
            inputs: names(inputs),
            outputs: names(outputs),
        };
        (!sig.outputs.is_empty()).then_some(sig)
    }

    /// As the user declared it: ChainOfThought prepends `reasoning` to the
    /// outputs it logs, so a leading `reasoning` among several outputs goes.
    pub fn declared(mut self) -> Signature {
        if self.outputs.len() > 1 && self.outputs[0] == "reasoning" {
            self.outputs.remove(0);
        }
        self
    }
}

/// The signature from the field lists an adapter writes at the top of its
/// system prompt: ``Your input fields are:\n1. `context` (list[str]): …``.
pub fn signature_from_prompt(prompt: &str) -> Option<Signature> {
    let at = prompt.find(INPUT_FIELDS)?;
    let rest = &prompt[at + INPUT_FIELDS.len()..];
    let (inputs, rest) = rest.split_once(OUTPUT_FIELDS)?;
    // The output list ends where the prompt's next paragraph starts.
    let outputs = rest.split("\n\n").next().unwrap_or(rest);
    let outputs = outputs.split("All interactions").next().unwrap_or(outputs);
    let sig = Signature {
        inputs: numbered_fields(inputs),
        outputs: numbered_fields(outputs),
    };
    (!sig.outputs.is_empty()).then_some(sig)
}

/// Field names of lines like ``1. `context` (list[str]): …``.
fn numbered_fields(list: &str) -> Vec<String> {
    list.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let (number, rest) = line.split_once(". `")?;
            if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let name = rest.split('`').next()?;
            Some(name.to_string())
        })
        .collect()
}

/// The signature after a `StringSignature(` in raw (possibly JSON-escaped)
/// bytes: field names, commas, spaces and `->` up to the first other byte.
fn signature_after_marker(bytes: &[u8]) -> Option<Signature> {
    let at = memmem::find(bytes, STRING_SIGNATURE)? + STRING_SIGNATURE.len();
    let tail = &bytes[at..bytes.len().min(at + 1024)];
    let end = tail
        .iter()
        .position(|&c| {
            !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b',' | b' ' | b'-' | b'>'))
        })
        .unwrap_or(tail.len());
    Signature::parse(std::str::from_utf8(&tail[..end]).ok()?)
}

/// The signature of a predictor call whose spans are `members` (its
/// wrapper chain), from the first source that has one: MLflow's
/// `signature` attribute, an adapter's `StringSignature(…)`, the adapter's
/// field lists in the prompt of an LM span.
pub fn signature_of(store: &Store, members: &[SpanIdx]) -> Option<Signature> {
    let s = &store.spans;
    let attr = store.strings.get(SIGNATURE_ATTR);
    let from_attr = attr.and_then(|key| {
        members.iter().find_map(|&m| {
            store.span_attrs(m).find_map(|(k, v)| match v {
                AttrValue::Str(t) if k == key => Signature::parse(&store.text(t)),
                _ => None,
            })
        })
    });
    from_attr
        .or_else(|| {
            members
                .iter()
                .filter_map(|&m| s.input[m.index()])
                .find_map(|t| signature_after_marker(store.raw(t)))
        })
        .or_else(|| {
            members
                .iter()
                .filter(|m| s.kind[m.index()] == SpanKind::Llm)
                .filter_map(|&m| s.input[m.index()])
                .find_map(|t| signature_from_prompt(&prompt_head(store, t)))
        })
}

/// The decoded start of a prompt payload (where the field lists are).
fn prompt_head(store: &Store, text: TextRef) -> String {
    let raw = store.raw(text);
    if memmem::find(
        &raw[..raw.len().min(PROMPT_WINDOW)],
        INPUT_FIELDS.as_bytes(),
    )
    .is_none()
    {
        return String::new();
    }
    let mut head = text;
    head.len = head.len.min(PROMPT_WINDOW as u32);
    // A cut inside an escape decodes lossily, which is fine for a search.
    let decoded = store.text(head).into_owned();
    if text.encoding == crate::model::TextEncoding::JsonValue {
        // A whole JSON document (`{"messages": [...]}`) keeps its escapes;
        // the field lists are read line by line.
        decoded.replace("\\n", "\n")
    } else {
        decoded
    }
}

/// The `[[ ## name ## ]]` sections of DSPy-formatted text, in order, as
/// (name, value). A marker counts at the start of a line only (the user
/// message also names markers inside its closing instruction, which is
/// cut off); the closing `completed` marker is left out.
pub fn prompt_fields(text: &str) -> Vec<(String, String)> {
    const OPEN: &str = "[[ ## ";
    const CLOSE: &str = " ## ]]";
    const INSTRUCTION: &str = "Respond with the corresponding output fields";
    let starts: Vec<usize> = text
        .match_indices(OPEN)
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || text[..at].ends_with('\n'))
        .collect();
    let mut fields = Vec::new();
    for (k, &at) in starts.iter().enumerate() {
        let after = &text[at + OPEN.len()..];
        let Some(close) = after.find(CLOSE) else {
            break;
        };
        let name = after[..close].trim();
        if name.is_empty() || name.contains('\n') {
            continue;
        }
        let body_start = at + OPEN.len() + close + CLOSE.len();
        let body_end = starts
            .get(k + 1)
            .copied()
            .unwrap_or(text.len())
            .max(body_start);
        let body = &text[body_start..body_end];
        let body = body.split(INSTRUCTION).next().unwrap_or(body);
        if name != "completed" {
            fields.push((name.to_string(), body.trim().to_string()));
        }
    }
    fields
}

/// Whether a system prompt was written by a DSPy adapter.
pub fn is_adapter_prompt(system: &str) -> bool {
    system.contains(INPUT_FIELDS) || system.contains(OUTPUT_FIELDS)
}

/// Few-shot demos in a DSPy prompt: after the adapter's system prompt, the
/// user/assistant pairs before the final user message are demos (DSPy's
/// ChatAdapter writes each demo as such a pair). Returns, per message, the
/// demo number (1-based) it belongs to, or `None`.
pub fn demo_numbers(roles: &[&str], system: Option<&str>) -> Vec<Option<usize>> {
    let mut out = vec![None; roles.len()];
    if !system.is_some_and(is_adapter_prompt) {
        return out;
    }
    let Some(last_user) = roles.iter().rposition(|r| *r == "user") else {
        return out;
    };
    let first = usize::from(roles.first() == Some(&"system"));
    let (mut i, mut demo) = (first, 0);
    while i + 1 < last_user && roles[i] == "user" && roles[i + 1] == "assistant" {
        demo += 1;
        out[i] = Some(demo);
        out[i + 1] = Some(demo);
        i += 2;
    }
    out
}

/// Span names DSPy gives the internals of one predictor call: its adapter
/// (`ChatAdapter.__call__`, `JSONAdapter.format`, `ChatAdapter.parse`…).
pub fn is_adapter_internal(name: &str) -> bool {
    let Some((class, method)) = name.rsplit_once('.') else {
        return false;
    };
    class.ends_with("Adapter")
        && matches!(
            method,
            "__call__" | "acall" | "format" | "aformat" | "parse" | "aparse"
        )
}

/// `Predict.forward`, `Predict(StringSignature).forward`, `Predict.__call__`:
/// the predictor a module such as ChainOfThought wraps.
pub fn is_predict(name: &str) -> bool {
    name.strip_prefix("Predict")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('('))
}

/// The class of a `Class.method` span name (`ChainOfThought.forward` →
/// `ChainOfThought`, `Predict(StringSignature).forward` → `Predict`).
pub fn module_class(name: &str) -> &str {
    let end = name.find(['.', '(']).unwrap_or(name.len());
    &name[..end]
}

/// A step named by the program (`generate_query`, as step logs write it):
/// a lowercase identifier, not a `Class.method`.
pub fn is_predictor_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_from_text_markers_and_prompts() {
        let sig = Signature::parse("context, question -> reasoning, search_query");
        assert_eq!(
            sig.clone().map(|s| s.text()).as_deref(),
            Some("context, question -> reasoning, search_query")
        );
        assert_eq!(
            sig.map(|s| s.declared().text()).as_deref(),
            Some("context, question -> search_query")
        );
        assert_eq!(
            Signature::parse("question: str -> answer: str")
                .map(|s| s.text())
                .as_deref(),
            Some("question -> answer")
        );
        assert_eq!(Signature::parse("no arrow"), None);
        let escaped = br#"{\"signature\": \"StringSignature(context, question -> reasoning, answer\\n    instructions="#;
        assert_eq!(
            signature_after_marker(escaped).map(|s| s.text()).as_deref(),
            Some("context, question -> reasoning, answer")
        );
        let prompt = "Your input fields are:\n1. `context` (list[str]): \n2. `question` (str):\n\
            Your output fields are:\n1. `reasoning` (str): \n2. `answer` (str):\n\
            All interactions will be structured in the following way";
        assert_eq!(
            signature_from_prompt(prompt).map(|s| s.text()).as_deref(),
            Some("context, question -> reasoning, answer")
        );
    }

    #[test]
    fn fields_start_at_line_starts() {
        let user = "[[ ## context ## ]]\n[]\n\n[[ ## question ## ]]\nWhy?\n\n\
            Respond with the corresponding output fields, starting with the field \
            `[[ ## answer ## ]]`, and then ending with the marker for `[[ ## completed ## ]]`.";
        assert_eq!(
            prompt_fields(user),
            vec![
                ("context".to_string(), "[]".to_string()),
                ("question".to_string(), "Why?".to_string())
            ]
        );
        let reply = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]";
        assert_eq!(
            prompt_fields(reply),
            vec![("answer".to_string(), "Paris".to_string())]
        );
    }

    #[test]
    fn wrapper_names_and_predictor_names() {
        assert!(is_adapter_internal("ChatAdapter.__call__"));
        assert!(is_adapter_internal("JSONAdapter.parse"));
        assert!(!is_adapter_internal("Retrieve.forward"));
        assert!(is_predict("Predict(StringSignature).forward"));
        assert!(is_predict("Predict.forward"));
        assert!(is_predict("Predict")); // DSPy callbacks name modules by class
        assert!(!is_predict("PredictX.forward"));
        assert_eq!(module_class("Predict(StringSignature).forward"), "Predict");
        assert_eq!(module_class("ChainOfThought.forward"), "ChainOfThought");
        assert!(is_predictor_name("generate_query"));
        assert!(!is_predictor_name("MultiHop.forward"));
        assert!(!is_predictor_name("LM.__call__"));
    }

    #[test]
    fn demos_are_the_pairs_before_the_last_question() {
        let system = Some("Your input fields are:\n1. `q`");
        let roles = ["system", "user", "assistant", "user", "assistant", "user"];
        assert_eq!(
            demo_numbers(&roles, system),
            vec![None, Some(1), Some(1), Some(2), Some(2), None]
        );
        // No adapter prompt, no demos: a chat history is not a demo list.
        assert_eq!(
            demo_numbers(&roles, Some("You are helpful.")),
            vec![None; 6]
        );
        assert_eq!(demo_numbers(&["system", "user"], system), vec![None, None]);
    }
}
