//! Edits of filter text made by clicks rather than keys: adding a
//! `field:value` term from a facet chip, and putting a chosen suggestion in
//! place of the word being completed. Also the examples the help overlay
//! shows (the README's filter section lists the same ones; a test keeps
//! them equal).
//!
//! Pure string functions over possibly unfinished input; never fails.

use super::suggest_range;

/// Filter examples with what they find, as the help overlay and the
/// README's "Filter language" section show them.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "status:error kind:llm dur>2s",
        "failing LM spans slower than 2 s",
    ),
    (
        "model:gpt-4o* OR model:claude*",
        "globs match the whole value, any case",
    ),
    (
        "kind:llm trace:(status:error)",
        "LM spans in traces that have an error",
    ),
    (
        "\"refund policy\" -kind:retriever",
        "free text, minus retriever spans",
    ),
    (
        "name:Predict(StringSignature).forward",
        "values may hold balanced parentheses",
    ),
    (
        "attr.llm.provider:openai tokens>1.5k",
        "span attributes; counts take k and M",
    ),
    (
        "metadata.compiled:true",
        "trace metadata (every span of the trace)",
    ),
    ("is:lm cost>0.01", "LM calls costing more than a cent"),
];

/// The fields of the language with the values they take, for the help.
pub const FIELD_HELP: &[(&str, &str)] = &[
    ("status", "error, ok, unset"),
    (
        "kind",
        "llm, chain, retriever, tool, agent, embedding, parser, evaluator, unknown",
    ),
    (
        "model, name, service, provider",
        "text or glob (*), any case",
    ),
    (
        "dur, self",
        "duration or self time: 300us, 500ms, 2s, 1.5m, with > < >= <=",
    ),
    (
        "tokens, input_tokens, output_tokens",
        "counts: 1000, 1.5k, 2M",
    ),
    ("cost", "US dollars: 0.01 or $0.01"),
    (
        "is",
        "lm, error, root (lm:false for the spans that are not LM calls)",
    ),
    (
        "trace, span",
        "ids (globs allowed); trace:(expr) keeps whole traces",
    ),
    (
        "attr.<key>, metadata.<key>",
        "span attribute, trace metadata: text, glob, number, true/false",
    ),
    (
        "score.<name>",
        "a trace's score (Langfuse score, MLflow assessment): score.answer_metric<1",
    ),
    (
        "\"phrase\", word",
        "free text in names, inputs, outputs, attributes",
    ),
    (
        "NOT, -, AND, OR, ( )",
        "precedence NOT > AND > OR; a space means AND",
    ),
];

/// `filter` with the term `field:value` added (quoted when the value needs
/// it). A term already in the filter is not added twice.
pub fn with_term(filter: &str, field: &str, value: &str) -> String {
    let needs_quotes = value.is_empty()
        || value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '\\'));
    let value = if needs_quotes {
        format!("{value:?}")
    } else {
        value.to_string()
    };
    let term = format!("{field}:{value}");
    if filter.split_whitespace().any(|t| t == term) {
        return filter.to_string();
    }
    if filter.trim().is_empty() {
        term
    } else {
        format!("{} {term}", filter.trim_end())
    }
}

/// `text` with `suggestion` in place of the word being completed at
/// `cursor` (a byte offset), and the caret's byte offset after it. A field
/// name (ending in `:` or `.`) leaves the caret right after it, ready for a
/// value; a completed value gets a space after it when none follows.
pub fn complete(text: &str, cursor: usize, suggestion: &str) -> (String, usize) {
    let range = suggest_range(text, cursor);
    let mut end = range.end;
    // The rest of the word after the caret is part of what is replaced.
    while let Some(c) = text[end..].chars().next() {
        if c.is_whitespace() {
            break;
        }
        end += c.len_utf8();
    }
    let mut next = String::with_capacity(text.len() + suggestion.len() + 1);
    next.push_str(&text[..range.start]);
    next.push_str(suggestion);
    let mut caret = next.len();
    let field_only = suggestion.ends_with([':', '.', '>', '<', '=']);
    let rest = &text[end..];
    if !field_only && !rest.starts_with(char::is_whitespace) {
        next.push(' ');
        caret += 1;
    }
    next.push_str(rest);
    (next, caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_terms_are_added_once_and_quoted_when_needed() {
        assert_eq!(with_term("", "status", "error"), "status:error");
        assert_eq!(
            with_term("kind:llm ", "status", "error"),
            "kind:llm status:error"
        );
        assert_eq!(with_term("status:error", "status", "error"), "status:error");
        assert_eq!(
            with_term("", "name", "Predict forward"),
            "name:\"Predict forward\""
        );
        assert_eq!(with_term("", "name", "a\"b"), "name:\"a\\\"b\"");
    }

    #[test]
    fn a_suggestion_replaces_the_word_at_the_caret() {
        assert_eq!(complete("sta", 3, "status:"), ("status:".into(), 7));
        assert_eq!(
            complete("kind:llm sta", 12, "status:"),
            ("kind:llm status:".into(), 16)
        );
        assert_eq!(
            complete("status:e", 8, "status:error"),
            ("status:error ".into(), 13)
        );
        // In the middle: the rest of the word goes, what follows stays.
        assert_eq!(
            complete("stat kind:llm", 2, "status:"),
            ("status: kind:llm".into(), 7)
        );
        assert_eq!(
            complete("-kind:l", 7, "kind:llm"),
            ("-kind:llm ".into(), 10)
        );
    }

    #[test]
    fn every_example_parses() {
        for (example, _) in EXAMPLES {
            assert!(
                super::super::Filter::parse(example).is_ok(),
                "{example} does not parse"
            );
        }
    }
}
