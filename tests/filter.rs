//! The filter language against real fixtures, with counts checked by hand.
//!
//! Expected numbers come from a short python3 script over the fixture JSON
//! (decoded with `json.loads`), e.g. for the JSONL fixture:
//!
//! ```python
//! spans = [s for line in open(F) for rs in json.loads(line)["resourceSpans"]
//!          for ss in rs["scopeSpans"] for s in ss["spans"]]
//! sum(1 for s in spans if s.get("status", {}).get("code") == 2)   # 21
//! ```
//!
//! Free-text counts search the span name, every string attribute and the
//! status message, lowercasing the haystack for an all-lowercase needle.

use proptest::prelude::*;
use spanscope::index::filter::{facets, suggest, Filter};
use spanscope::load::{load, Input, Session};
use spanscope::model::{AttrValue, SpanDraft, SpanKind, StoreBuilder};
use std::path::Path;
use std::sync::Arc;

const JSONL: &str = "otlp-jsonl/dspy-all-scenarios.filexporter.jsonl";

fn fixture(rel: &str) -> Session {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    let bytes = std::fs::read(path).unwrap_or_default();
    load(vec![Input::new(rel, bytes)])
}

fn count(session: &Session, filter: &str) -> usize {
    match Filter::parse(filter) {
        Ok(f) => f.matching_spans(&session.store, &session.index).len(),
        Err(e) => panic!("{filter:?} did not parse: {e} at {:?}", e.at),
    }
}

#[test]
fn field_terms_on_the_jsonl_fixture() {
    let s = fixture(JSONL);
    assert_eq!(s.store.span_count(), 189);
    assert_eq!(count(&s, ""), 189);
    assert_eq!(count(&s, "status:error"), 21);
    assert_eq!(count(&s, "STATUS:Error"), 21);
    // A space after the colon is forgiven.
    assert_eq!(count(&s, "status: error"), 21);
    assert_eq!(count(&s, "kind:llm"), 43);
    // 13 spans name openai/gpt-4o-mini, 30 name gpt-4o-mini: globs anchor,
    // and a model matches with or without its provider route.
    assert_eq!(count(&s, "model:openai/*"), 13);
    assert_eq!(count(&s, "model:gpt-4o*"), 43);
    assert_eq!(count(&s, "model:gpt-4o-mini"), 43);
    assert_eq!(count(&s, "model:openai/gpt-4o-mini"), 13);
    assert_eq!(count(&s, "model:*gpt-4o-mini"), 43);
    // 30 spans carry llm.provider openai; the 13 completions route openai/.
    assert_eq!(count(&s, "provider:openai"), 43);
    assert_eq!(count(&s, "name:*forward"), 110);
    assert_eq!(count(&s, "name:Predict(StringSignature).forward"), 29);
    assert_eq!(count(&s, r#"name:"predict(stringsignature).forward""#), 29);
    assert_eq!(count(&s, "service:dspy-qa-service"), 189);
    assert_eq!(count(&s, "dur>100ms"), 42);
    assert_eq!(count(&s, "dur<=5ms"), 18);
    assert_eq!(count(&s, "duration:>0.1s"), 42);
    assert_eq!(count(&s, "attr.llm.provider:openai"), 43);
    assert_eq!(count(&s, "provider:OpenAI"), 43);
    assert_eq!(count(&s, "attr.llm.provider:*"), 43);
    // Few candidates: each span's attributes are visited instead of the column.
    assert_eq!(count(&s, "status:error attr.llm.provider:openai"), 4);
    assert_eq!(count(&s, "attr.no.such.key:*"), 0);
    // LM calls: llm spans with no llm span below them.
    assert_eq!(count(&s, "lm:true"), 31);
    assert_eq!(count(&s, "is:lm"), 31);
    assert_eq!(count(&s, "lm:false"), 189 - 31);
    // Only the 11 LiteLLM `completion` spans carry tokens and cost.
    assert_eq!(count(&s, "tokens>1000"), 2);
    assert_eq!(count(&s, "tokens>=0"), 11);
    assert_eq!(count(&s, "cost>0"), 11);
    assert_eq!(count(&s, "cost>$0"), 11);
    assert_eq!(count(&s, "attr.llm.token_count.total>1000"), 2);
}

#[test]
fn boolean_structure_on_the_jsonl_fixture() {
    let s = fixture(JSONL);
    assert_eq!(count(&s, "NOT status:error"), 168);
    assert_eq!(count(&s, "-status:error"), 168);
    assert_eq!(count(&s, "kind:llm OR kind:retriever"), 57);
    assert_eq!(count(&s, "kind:llm or kind:retriever"), 57);
    assert_eq!(count(&s, "(kind:llm OR kind:tool) status:error"), 6);
    assert_eq!(count(&s, "(kind:llm OR kind:tool) AND status:error"), 6);
    // Without parentheses AND binds tighter: llm OR (tool AND error).
    let tool_errors = count(&s, "kind:tool status:error");
    assert_eq!(
        count(&s, "kind:llm OR kind:tool status:error"),
        43 + tool_errors
    );
    assert_eq!(count(&s, "lm status:error"), 3);
    // `"lm"` quoted is text (LM.__call__ names, prompts), not the shorthand.
    assert!(count(&s, "\"lm\" status:error") > 3);
    assert_eq!(count(&s, "is:lm status:error"), 3);
    assert_eq!(count(&s, "NOT NOT kind:llm"), 43);
}

#[test]
fn trace_scoping_on_the_jsonl_fixture() {
    let s = fixture(JSONL);
    // 5 of the 19 traces have an error span; 22 llm spans sit in them.
    assert_eq!(count(&s, "kind:llm trace:(status:error)"), 22);
    assert_eq!(count(&s, "kind:llm -trace:(status:error)"), 21);
    let traces = Filter::parse("trace:(status:error)")
        .map(|f| f.matching_traces(&s.store, &s.index))
        .unwrap_or_default();
    assert_eq!(traces.len(), 5);
    // Sorted like the trace list.
    let order: Vec<_> = s
        .index
        .by_start
        .iter()
        .copied()
        .filter(|t| traces.contains(t))
        .collect();
    assert_eq!(traces, order);
    assert_eq!(
        Filter::all().matching_traces(&s.store, &s.index),
        s.index.by_start
    );
    // trace:<id> matches by id, case-insensitively and with globs.
    let first = s.store.id(s.store.traces.trace_id[0]).to_uppercase();
    let spans_of_first = s.store.trace_spans(spanscope::model::TraceIdx(0)).len();
    assert_eq!(count(&s, &format!("trace:{first}")), spans_of_first);
    assert_eq!(
        count(&s, &format!("trace:{}*", &first[..8])),
        spans_of_first
    );
}

#[test]
fn free_text_on_the_jsonl_fixture() {
    let s = fixture(JSONL);
    // Smart case: lowercase folds ASCII case, a capital letter is exact.
    assert_eq!(count(&s, "photosynthesis"), 51);
    assert_eq!(count(&s, "Photosynthesis"), 47);
    assert_eq!(count(&s, "valueerror"), 26);
    assert_eq!(count(&s, "ValueError"), 26);
    assert_eq!(count(&s, "Paris"), 72);
    assert_eq!(count(&s, "Paris AND NOT kind:retriever"), 64);
    assert_eq!(count(&s, r#""capital of France""#), 7);
    // Quotes inside a JSON-string payload are stored escaped (`\"`).
    assert_eq!(
        count(&s, r#""\"query\": \"What is the capital of France?\"""#),
        1
    );
    assert_eq!(count(&s, "zzqqxxnotthere"), 0);
}

#[test]
fn other_fixture_counts() {
    let s = fixture("otlp-json/dspy-react.openinference.otlp-http-json.json");
    // From the snapshot: 2 traces, 50 spans, 2 errors (the calculator tool).
    assert_eq!(count(&s, "status:error"), 2);
    assert_eq!(count(&s, "status:error kind:tool name:calculator*"), 2);
    assert_eq!(count(&s, "kind:tool"), 6);
    // The message is also in later prompts (the ReAct trajectory).
    assert_eq!(count(&s, "\"unsupported expression\""), 26);
    let s = fixture("otlp-json/public-opentelemetry-proto-example-trace.json");
    assert_eq!(count(&s, "attr.my.span.attr:\"some value\""), 1);
    assert_eq!(count(&s, "attr.my.span.attr:some*"), 1);
    assert_eq!(count(&s, "\"I'm a server\""), 1);
    assert_eq!(count(&s, "dur=1s"), 1);
    assert_eq!(count(&s, "service:my.service kind:unknown"), 1);
}

/// A store with trace metadata, built through the StoreBuilder.
fn metadata_store() -> Session {
    let bytes = Arc::new(b"compiled program one two".to_vec());
    let mut b = StoreBuilder::new();
    b.begin_source("meta.json", "test", Arc::clone(&bytes));
    for (trace, span, kind) in [
        ("t1", "a", SpanKind::Chain),
        ("t1", "b", SpanKind::Llm),
        ("t2", "c", SpanKind::Llm),
    ] {
        b.begin_span();
        let mut d = SpanDraft::new();
        d.trace_id = trace.into();
        d.span_id = span.into();
        d.kind = kind;
        d.end_nanos = 5;
        b.commit_span(d, None);
    }
    b.trace_meta("t1", "compiled", AttrValue::Bool(true));
    b.trace_meta("t2", "compiled", AttrValue::Bool(false));
    let note = b.text("program one", spanscope::model::TextEncoding::Plain);
    b.trace_meta("t1", "program", AttrValue::Str(note));
    b.trace_meta("t2", "score", AttrValue::Float(0.75));
    b.end_source();
    let (store, _) = b.finish();
    let index = spanscope::index::Index::build(&store);
    Session {
        store,
        index,
        report: Default::default(),
    }
}

#[test]
fn metadata_terms_match_every_span_of_the_trace() {
    let s = metadata_store();
    assert_eq!(count(&s, "metadata.compiled:true"), 2);
    assert_eq!(count(&s, "metadata.compiled:false"), 1);
    assert_eq!(count(&s, "metadata.compiled:true kind:llm"), 1);
    assert_eq!(count(&s, "metadata.program:\"PROGRAM ONE\""), 2);
    assert_eq!(count(&s, "metadata.program:prog*"), 2);
    assert_eq!(count(&s, "metadata.score>0.5"), 1);
    assert_eq!(count(&s, "metadata.score:0.75"), 1);
    assert_eq!(count(&s, "metadata.score<0.5"), 0);
    assert_eq!(count(&s, "metadata.missing:*"), 0);
    // `score` metadata is a score too.
    assert_eq!(count(&s, "score.score>0.5"), 1);
    assert_eq!(count(&s, "score.score<0.5"), 0);
}

#[test]
fn scores_filter_traces_by_name_and_value() {
    // dspy-rag.langfuse-scores.json on its Langfuse OTLP export (4 traces
    // of 8 spans): answer_length_ok = 1.0 on three, failed = "true" on one.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let s = load(
        [
            "langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json",
            "langfuse-scores/dspy-rag.langfuse-scores.json",
        ]
        .iter()
        .map(|r| Input::new(*r, std::fs::read(dir.join(r)).unwrap_or_default()))
        .collect(),
    );
    assert_eq!(count(&s, "score.answer_length_ok>0.5"), 24);
    assert_eq!(count(&s, "score.answer_length_ok:1"), 24);
    assert_eq!(count(&s, "score.answer_length_ok<1"), 0);
    assert_eq!(count(&s, "score.failed:true"), 8);
    assert_eq!(count(&s, "-score.failed:true"), 24);
    assert_eq!(count(&s, "score.nope>0"), 0);
    // MLflow assessments: answer_metric true ×3, false ×1; booleans
    // compare as 1 and 0.
    let m = fixture("mlflow-json/dspy-optimize.mlflow-traces.json");
    let traces = |f: &str| {
        Filter::parse(f)
            .map(|f| f.matching_traces(&m.store, &m.index).len())
            .unwrap_or(usize::MAX)
    };
    assert_eq!(traces("score.answer_metric:true"), 3);
    assert_eq!(traces("score.answer_metric<1"), 1);
    assert_eq!(traces("score.answer_metric>=0"), 4);
}

#[test]
fn free_text_terms_for_highlighting() {
    let terms = |f: &str| Filter::parse(f).map(|f| f.text_terms()).unwrap_or_default();
    assert_eq!(
        terms(r#"status:error paris ("refund policy" OR x) -hidden trace:(deep)"#),
        ["paris", "refund policy", "x", "deep"]
    );
    assert!(terms("kind:llm").is_empty());
}

#[test]
fn self_time_from_the_index() {
    // root 0..100 with children 10..40, 30..60, 80..90: self times 40, 30, 30, 10.
    let span = |id: &str, parent: &str, start: u64, end: u64| {
        format!(
            r#"{{"traceId":"01","spanId":"{id}","parentSpanId":"{parent}","name":"s","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"}}"#
        )
    };
    let spans = [
        span("a", "", 0, 100),
        span("b", "a", 10, 40),
        span("c", "a", 30, 60),
        span("d", "a", 80, 90),
    ];
    let doc = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    );
    let s = load(vec![Input::new("t.json", doc.into_bytes())]);
    assert_eq!(count(&s, "self>=30ns"), 3);
    assert_eq!(count(&s, "self>30ns"), 1);
    assert_eq!(count(&s, "dur>30ns"), 1);
    assert_eq!(count(&s, "is:root"), 1);
}

#[test]
fn facets_count_and_sort() {
    let s = fixture(JSONL);
    let spans = Filter::parse("status:error")
        .map(|f| f.matching_spans(&s.store, &s.index))
        .unwrap_or_default();
    let f = facets(&s.store, &s.index, &spans);
    let total: u64 = f.status.iter().map(|(_, n)| n).sum();
    assert_eq!(f.status, vec![("error".to_string(), 21)]);
    assert_eq!(total, 21);
    assert_eq!(f.service, vec![("dspy-qa-service".to_string(), 21)]);
    let all = facets(
        &s.store,
        &s.index,
        &Filter::all().matching_spans(&s.store, &s.index),
    );
    let kinds: Vec<(&str, u64)> = all.kind.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(
        kinds,
        [("chain", 126), ("llm", 43), ("retriever", 14), ("tool", 6)]
    );
    // openai/gpt-4o-mini (13) and gpt-4o-mini (30) are one model.
    assert_eq!(all.model, vec![("gpt-4o-mini".to_string(), 43)]);

    assert_eq!(all.name.first(), Some(&("LM.__call__".to_string(), 30)));
}

#[test]
fn suggestions_complete_fields_and_values() {
    let s = fixture(JSONL);
    assert_eq!(suggest(&s.store, "sta", 3), ["status:"]);
    assert_eq!(suggest(&s.store, "kind:llm mo", 11), ["model:"]);
    assert_eq!(suggest(&s.store, "status:er", 9), ["status:error"]);
    // Prefix matches first, then values that contain the text.
    assert_eq!(
        suggest(&s.store, "status:e", 8),
        ["status:error", "status:unset"]
    );
    assert_eq!(
        suggest(&s.store, "kind:r", 6),
        ["kind:retriever", "kind:evaluator", "kind:parser"]
    );
    assert_eq!(
        suggest(&s.store, "model:", 6),
        ["model:gpt-4o-mini", "model:openai/gpt-4o-mini"]
    );
    // Prefix matches first, then substring matches.
    assert_eq!(
        suggest(&s.store, "model:open", 10),
        ["model:openai/gpt-4o-mini"]
    );
    assert_eq!(
        suggest(&s.store, "(name:Predict(", 14),
        ["name:\"Predict(StringSignature).forward\""]
    );
    assert_eq!(
        suggest(&s.store, "attr.llm.prov", 13),
        ["attr.llm.provider:"]
    );
    assert_eq!(
        suggest(&s.store, "attr.llm.provider:o", 19),
        ["attr.llm.provider:openai"]
    );
    assert_eq!(suggest(&s.store, "trace:(stat", 11), ["status:"]);
    assert_eq!(suggest(&s.store, "-(kind:too", 10), ["kind:tool"]);
    assert!(suggest(&s.store, "nosuchfield:x", 13).is_empty());
    // A cursor past the end or inside a character never panics.
    assert!(suggest(&s.store, "é", 1).len() <= 20);
    assert!(suggest(&s.store, "x", 99).is_empty());
}

#[test]
fn errors_name_the_problem_and_where() {
    let cases: &[(&str, &str, std::ops::Range<usize>)] = &[
        ("stauts:error", "did you mean `status`?", 0..6),
        (
            "kind:llm dur>2x",
            "`2x`: expected a duration like 2s, 500ms",
            13..15,
        ),
        ("dur>2", "add a unit", 4..5),
        ("(kind:llm", "never closed", 0..1),
        ("kind:llm)", "no matching `(`", 8..9),
        ("status>3", "`>` compares numbers", 6..7),
        ("kind:llmm", "did you mean `llm`?", 5..9),
        ("status:", "needs a value", 0..7),
        ("kind:llm AND", "`AND` needs a term after it", 9..12),
        ("OR kind:llm", "`OR` needs a term before it", 0..2),
        ("()", "empty parentheses", 0..2),
        ("name:\"abc", "never closed", 5..6),
        ("tokens>lots", "expected a count", 7..11),
        ("cost>cheap", "expected a cost", 5..10),
        ("name:(a)", "only trace:(…)", 5..6),
        ("attr:x", "needs a key", 0..4),
        ("is:big", "is takes lm, error, root", 3..6),
    ];
    for (input, message, at) in cases {
        match Filter::parse(input) {
            Ok(_) => panic!("{input:?} parsed"),
            Err(e) => {
                assert!(
                    e.message.contains(message),
                    "{input:?}: {:?} lacks {message:?}",
                    e.message
                );
                assert_eq!(&e.at, at, "{input:?}: {}", e.message);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text either parses or fails with a range inside the input.
    #[test]
    fn parse_never_panics(input in "\\PC{0,40}") {
        if let Err(e) = Filter::parse(&input) {
            prop_assert!(e.at.start <= e.at.end && e.at.end <= input.len());
            prop_assert!(input.is_char_boundary(e.at.start) && input.is_char_boundary(e.at.end));
        }
    }

    /// Filter-shaped text (the characters that matter to the grammar) parses
    /// or errors cleanly, and whatever parses evaluates without panicking.
    #[test]
    fn filter_shaped_text_never_panics(
        input in "([a-z]{1,6}|[:<>=()\"*.\\- ]|status|kind|dur|attr\\.x|trace|AND|OR|NOT|2s|llm){0,12}"
    ) {
        match Filter::parse(&input) {
            Ok(f) => {
                let s = metadata_store();
                let n = f.matching_spans(&s.store, &s.index).len();
                prop_assert!(n <= s.store.span_count());
            }
            Err(e) => prop_assert!(e.at.start <= e.at.end && e.at.end <= input.len()),
        }
    }

    /// Autocomplete takes any text and any cursor.
    #[test]
    fn suggest_never_panics(input in "\\PC{0,30}", cursor in 0usize..40) {
        let s = metadata_store();
        prop_assert!(suggest(&s.store, &input, cursor).len() <= 20);
    }
}

/// The README's filter examples are the list the help overlay shows
/// (`filter::EXAMPLES`), word for word; each parses. (`daily.test.mjs`
/// types each one into the page and checks what it finds.)
#[test]
fn readme_filter_examples_are_the_help_examples() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap_or_default();
    let section = readme
        .split("## Filter language")
        .nth(1)
        .and_then(|s| s.split("```text").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap_or_default();
    let readme_examples: Vec<(String, String)> = section
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (filter, what) = l.split_once("  ").unwrap_or((l, ""));
            (filter.trim().to_string(), what.trim().to_string())
        })
        .collect();
    let help: Vec<(String, String)> = spanscope::index::filter::EXAMPLES
        .iter()
        .map(|(f, w)| (f.to_string(), w.to_string()))
        .collect();
    assert_eq!(
        readme_examples, help,
        "README filter examples = help examples"
    );
    for (example, _) in &help {
        assert!(Filter::parse(example).is_ok(), "{example}");
    }
}
