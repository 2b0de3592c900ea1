//! Phoenix REST span listings: `GET /v1/projects/{project}/spans` (Phoenix's
//! own span JSON) and `GET /v1/projects/{project}/spans/otlpv1` (snake_case
//! OTLP spans). Both bodies are one page, `{"data": [Span…], "next_cursor"}`;
//! `phoenix.client`'s `spans.get_spans()` hands back the `data` list alone;
//! spans are streamed into the builder, so a cut file keeps what came first.
//! Phoenix's own span JSON is read in `phoenix_wire.rs`, the OTLP one by
//! the shared OTLP span reader.

use super::json::{self, Records};
use super::otlp_wire::{self, WireSpan};
use super::phoenix_wire::{commit_phoenix_span, PhoenixSpan};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{StoreBuilder, WarningKind};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

pub const PHOENIX_SPANS: Format = Format {
    id: "phoenix-spans",
    name: "Phoenix span listing",
    producers: "Arize Phoenix REST API `GET /v1/projects/{project}/spans`; \
                `phoenix.client` `spans.get_spans()` (the bare list)",
    sniff: sniff_spans,
    parse: parse_spans,
    content: Content::Json,
    spans_at: "data[] (or the bare list)",
};

pub const PHOENIX_OTLPV1: Format = Format {
    id: "phoenix-otlpv1",
    name: "Phoenix OTLP span listing",
    producers: "Arize Phoenix REST API `GET /v1/projects/{project}/spans/otlpv1`",
    sniff: sniff_otlpv1,
    parse: parse_otlpv1,
    content: Content::Json,
    spans_at: "data[]",
};

/// Above OTLP's 60/70: the keys checked here never occur in OTLP requests.
const SCORE: u8 = 80;

/// What both listings share, and what rules out MLflow's look-alike
/// (`{"info": …, "data": {"spans": […]}}` with snake_case span fields).
fn listing(p: &Probe) -> Result<(), &'static str> {
    if json::first_significant(p.head) != Some(b'{') {
        return Err("not a JSON object");
    }
    if !json::contains(p.head, b"\"data\"") {
        return Err("no \"data\" key");
    }
    if json::contains(p.head, b"\"mlflow.spanType\"")
        || json::contains(p.head, b"\"trace_location\"")
    {
        return Err("MLflow trace JSON");
    }
    Ok(())
}

fn with_name_hint(p: &Probe) -> Sniff {
    let hint = p.name.to_ascii_lowercase().contains("phoenix");
    Sniff::Yes(SCORE + if hint { 5 } else { 0 })
}

fn is_spans_shape(head: &[u8]) -> bool {
    json::contains(head, b"\"context\"") && json::contains(head, b"\"span_kind\"")
}

fn sniff_spans(p: &Probe) -> Sniff {
    // `phoenix.client`'s `spans.get_spans()` returns the page's `data`
    // alone: a bare list of the same spans, which users save with json.dump.
    if json::first_significant(p.head) == Some(b'[') {
        if p.has_top_key("context") && p.has_top_key("span_kind") {
            return with_name_hint(p);
        }
        return Sniff::No("a list whose first span has no \"context\" and \"span_kind\"");
    }
    if let Err(why) = listing(p) {
        return Sniff::No(why);
    }
    if !is_spans_shape(p.head) {
        return Sniff::No("no \"context\" and \"span_kind\" keys");
    }
    with_name_hint(p)
}

fn sniff_otlpv1(p: &Probe) -> Sniff {
    if let Err(why) = listing(p) {
        return Sniff::No(why);
    }
    if json::contains(p.head, b"\"resource_spans\"") || json::contains(p.head, b"\"resourceSpans\"")
    {
        return Sniff::No("an OTLP export request");
    }
    // Phoenix writes every AnyValue variant (`"kvlist_value": null, …`) in
    // key order, so a first span whose times lie past the head still shows it.
    let times = json::contains(p.head, b"\"start_time_unix_nano\"")
        || json::contains(p.head, b"\"kvlist_value\"");
    if !(times && json::contains(p.head, b"\"string_value\"")) || is_spans_shape(p.head) {
        return Sniff::No("no snake_case OTLP spans (\"start_time_unix_nano\", \"string_value\")");
    }
    with_name_hint(p)
}

/// The page around the spans. Read in a second pass over the document
/// (nothing is built; `data` is skipped) because the record stream skips
/// every field but `data`, and Phoenix writes `next_cursor` after it.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(default)]
    data: Option<IgnoredAny>,
    /// A string while more pages follow; any other non-null value is
    /// treated the same, since the page cannot say it is the last.
    #[serde(borrow, default)]
    next_cursor: Option<&'a RawValue>,
}

/// Streams the `data` array of a listing to `commit`, then checks the page.
fn parse_listing<'de, T, F>(
    bytes: &'de [u8],
    b: &mut StoreBuilder,
    commit: F,
) -> Result<(), ParseError>
where
    T: Deserialize<'de>,
    F: FnMut(&mut StoreBuilder, T),
{
    if json::first_significant(bytes) != Some(b'{') {
        return Err(ParseError::Shape(
            "expected a Phoenix span listing: an object with a \"data\" array".into(),
        ));
    }
    let mut commit = commit;
    json::stream_records(bytes, Records::Field("data"), |record: T| commit(b, record))
        .map_err(|e| ParseError::json(bytes, &e))?;
    let page = serde_json::from_slice::<Page>(bytes).ok();
    let Some(page) = page.filter(|page| page.data.is_some()) else {
        return Err(ParseError::Shape(
            "expected a Phoenix span listing: the object has no \"data\" array".into(),
        ));
    };
    if let Some(cursor) = page.next_cursor {
        b.warn_with(WarningKind::Truncated, None, || {
            format!(
                "this file is one page of a longer Phoenix listing (next_cursor {}): \
                 more spans exist on the server; fetch pages until next_cursor is null",
                cursor.get()
            )
        });
    }
    Ok(())
}

fn parse_otlpv1(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    parse_listing(bytes, b, |b, span: WireSpan<'_>| {
        otlp_wire::commit_span(b, span, None, None)
    })
}

fn parse_spans(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut record = 0u64;
    if json::first_significant(bytes) == Some(b'[') {
        return json::stream_records(bytes, Records::Array, |span: PhoenixSpan<'_>| {
            record += 1;
            commit_phoenix_span(b, span, record);
        })
        .map_err(|e| ParseError::json(bytes, &e));
    }
    parse_listing(bytes, b, |b, span: PhoenixSpan<'_>| {
        record += 1;
        commit_phoenix_span(b, span, record);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ProbeData;
    use crate::load::{load, Counts, Input, Session};
    use crate::model::{SpanKind, StatusCode, NONE};

    fn fixture(rel: &str) -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        std::fs::read(dir.join(rel)).unwrap_or_default()
    }

    fn session(name: &str, bytes: Vec<u8>) -> Session {
        load(vec![Input::new(name, bytes)])
    }

    fn counts(traces: u64, spans: u64, errors: u64, lm: u64, tokens: (u64, u64)) -> Counts {
        Counts {
            traces,
            spans,
            lm_calls: lm,
            error_spans: errors,
            input_tokens: tokens.0,
            output_tokens: tokens.1,
        }
    }

    /// Counted with a python script over each of the three files of a run
    /// (LM call = LLM span without an LLM descendant); all three agree.
    fn scenarios() -> [(&'static str, Counts, f64); 5] {
        [
            (
                "dspy-classify",
                counts(4, 25, 7, 5, (852, 290)),
                0.000_301_8,
            ),
            ("dspy-multihop", counts(3, 44, 6, 8, (0, 0)), 0.0),
            ("dspy-optimize", counts(6, 42, 0, 6, (0, 0)), 0.0),
            ("dspy-rag", counts(4, 28, 6, 4, (0, 0)), 0.0),
            ("dspy-react", counts(2, 50, 2, 8, (7328, 711)), 0.001_434_6),
        ]
    }

    #[test]
    fn both_listings_count_the_same_as_the_otlp_requests_phoenix_was_fed() {
        for (run, expected, cost_usd) in scenarios() {
            for (rel, id) in [
                (
                    format!("phoenix-json/{run}.phoenix-spans.json"),
                    "phoenix-spans",
                ),
                (
                    format!("phoenix-json/{run}.phoenix-otlpv1.json"),
                    "phoenix-otlpv1",
                ),
                (
                    format!("otlp-protojson/{run}.openinference.protojson.json"),
                    "otlp-protojson",
                ),
            ] {
                let s = session(&rel, fixture(&rel));
                assert_eq!(s.report.files[0].format, Some(id), "{rel}");
                // The file's counts; with one file loaded they are the session totals.
                assert_eq!(s.report.files[0].counts, expected, "{rel}");
                assert_eq!(s.report.warnings.total(), 0, "{rel}");
                let spans = &s.store.spans;
                let cost: f64 = (0..s.store.span_count())
                    .filter(|&i| spans.is_lm_call[i] && !spans.cost_usd[i].is_nan())
                    .map(|i| spans.cost_usd[i])
                    .sum();
                assert!((cost - cost_usd).abs() < 1e-12, "{rel}: cost {cost}");
            }
        }
    }

    fn span_by_id(s: &Session, span_id: &str) -> usize {
        let ids = &s.store.spans.span_id;
        (0..ids.len())
            .find(|&i| s.store.id(ids[i]) == span_id)
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn spans_keep_ids_links_models_errors_times_and_events() {
        let rel = "phoenix-json/dspy-rag.phoenix-spans.json";
        let s = session(rel, fixture(rel));
        let (store, spans) = (&s.store, &s.store.spans);
        let lm = span_by_id(&s, "596d92b78dfb1735");
        let parent = spans.parent[lm] as usize;
        assert_eq!(store.id(spans.span_id[parent]), "77e63e0e3df398b0");
        assert_eq!(store.str(spans.name[parent]), "ChatAdapter.__call__");
        assert_eq!(store.str(spans.model[lm]), "gpt-4o-mini");
        assert_eq!(
            (spans.kind[lm], spans.is_lm_call[lm]),
            (SpanKind::Llm, true)
        );
        assert_eq!(spans.status[lm], StatusCode::Error);
        let message = spans.status_message[lm].map(|t| store.text(t).into_owned());
        assert_eq!(
            message.as_deref(),
            Some("LMServerError: [openai/gpt-4o-mini] The server had an error while processing your request.")
        );
        assert_eq!(
            (spans.start_nanos[lm], spans.end_nanos[lm]),
            (1_795_258_485_501_060_000, 1_795_258_486_633_016_000)
        );
        let events = store.span_events(crate::model::SpanIdx(lm as u32));
        assert_eq!(events.len(), 1);
        assert_eq!(store.str(store.events.name[events.start]), "exception");
        assert_eq!(
            store.events.time_nanos[events.start],
            1_795_258_486_632_963_000
        );

        // Phoenix's own id is an attribute, never the span id.
        let root = span_by_id(&s, "3dc10c0acfa0be03");
        assert_eq!(spans.parent[root], NONE);
        let id = store.span_attr(crate::model::SpanIdx(root as u32), "phoenix.id");
        assert_eq!(
            id.map(|v| store.attr_text(v).into_owned()).as_deref(),
            Some("U3BhbjoxMzk=")
        );
    }

    #[test]
    fn typed_token_counts_and_cost_in_both_listings() {
        for rel in [
            "phoenix-json/dspy-react.phoenix-spans.json",
            "phoenix-json/dspy-react.phoenix-otlpv1.json",
        ] {
            let s = session(rel, fixture(rel));
            let (store, spans) = (&s.store, &s.store.spans);
            let i = span_by_id(&s, "761ab0f8fa9ff72a");
            assert_eq!(store.str(spans.name[i]), "completion", "{rel}");
            assert_eq!(store.str(spans.model[i]), "openai/gpt-4o-mini", "{rel}");
            assert_eq!(
                store.id(spans.span_id[spans.parent[i] as usize]),
                "972efdb8dc93ba79"
            );
            let t = spans.tokens[i];
            assert_eq!(
                (t.input, t.output, t.total),
                (Some(741), Some(105), Some(846))
            );
            assert!((spans.cost_usd[i] - 0.000_174_15).abs() < 1e-12, "{rel}");
            assert!(spans.is_lm_call[i], "{rel}");
        }
    }

    #[test]
    fn a_next_cursor_warns_that_the_server_has_more() {
        for rel in [
            "phoenix-json/dspy-rag.phoenix-spans.json",
            "phoenix-json/dspy-rag.phoenix-otlpv1.json",
        ] {
            let text = String::from_utf8(fixture(rel)).unwrap_or_default();
            let paged = text.replace("\"next_cursor\":null", "\"next_cursor\":\"U3BhbjoxMTA=\"");
            assert_ne!(paged, text);
            let s = session(rel, paged.into_bytes());
            assert_eq!(s.report.files[0].counts.spans, 28, "{rel}");
            assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1, "{rel}");
            let messages: Vec<&str> = s
                .report
                .warnings
                .groups()
                .flat_map(|(_, _, g)| &g.examples)
                .map(|(_, m)| m.as_str())
                .collect();
            assert!(
                messages[0].contains("more spans exist on the server"),
                "{messages:?}"
            );
        }
    }

    #[test]
    fn a_cut_file_keeps_the_spans_before_the_cut() {
        // Complete records in the first half, counted with python's raw_decode.
        for (rel, before_cut) in [
            ("phoenix-json/dspy-rag.phoenix-spans.json", 5),
            ("phoenix-json/dspy-rag.phoenix-otlpv1.json", 9),
        ] {
            let mut bytes = fixture(rel);
            bytes.truncate(bytes.len() / 2);
            let s = session(rel, bytes);
            assert_eq!(s.report.files[0].error, None, "{rel}");
            assert_eq!(s.report.files[0].counts.spans, before_cut, "{rel}");
            assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1, "{rel}");
            let at = s
                .report
                .warnings
                .groups()
                .flat_map(|(_, _, g)| &g.examples)
                .find_map(|(at, _)| *at);
            assert!(at.is_some_and(|at| at.byte.is_some()), "{rel}: {at:?}");
        }
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        for parse in [parse_spans, parse_otlpv1] {
            for doc in [
                &b"garbage"[..],
                b"[1, 2]",
                b"{\"x\": 1}",
                b"{\"data\": [1]}",
                b"{\"data\": {\"spans\": []}}",
                b"{\"data\": [{\"name\": 3}]}",
            ] {
                let mut b = StoreBuilder::new();
                let text = String::from_utf8_lossy(doc);
                assert!(parse(doc, &mut b).is_err(), "{text}");
            }
            let mut b = StoreBuilder::new();
            assert!(parse(b"{\"data\": [], \"next_cursor\": null}", &mut b).is_ok());
            assert_eq!(b.span_count(), 0);
        }
    }

    #[test]
    fn odd_values_are_warnings_not_failures() {
        let doc = br#"{"data": [{"context": {"trace_id": "ab", "span_id": "cd"},
            "start_time": "yesterday", "status_code": "MAYBE", "attributes": {"k": null},
            "events": [{"name": "e", "timestamp": 5, "attributes": null}]}]}"#;
        let mut b = StoreBuilder::new();
        let result = parse_spans(doc, &mut b);
        // A number where an ISO time belongs does not fit the wire struct.
        assert!(result.is_err());
        let doc = br#"{"data": [{"context": {"trace_id": "ab", "span_id": "cd"},
            "start_time": "yesterday", "status_code": "MAYBE", "attributes": {"k": null}}]}"#;
        let mut b = StoreBuilder::new();
        assert!(parse_spans(doc, &mut b).is_ok());
        let (store, warnings) = b.finish();
        assert_eq!(store.span_count(), 1);
        assert_eq!(warnings.count(WarningKind::BadValue), 2);
    }

    #[test]
    fn mlflow_and_otlp_files_are_not_phoenix_listings() {
        for rel in [
            "mlflow-json/dspy-rag.mlflow-traces.json",
            "mlflow-json/dspy-rag.mlflow-trace-single.json",
            "otlp-protojson/dspy-rag.openinference.protojson.json",
        ] {
            let bytes = fixture(rel);
            let probe = ProbeData::new("phoenix.json", &bytes);
            let probe = probe.probe();
            assert!(matches!(sniff_spans(&probe), Sniff::No(_)), "{rel}");
            assert!(matches!(sniff_otlpv1(&probe), Sniff::No(_)), "{rel}");
        }
    }

    #[test]
    fn an_otlpv1_page_with_a_huge_first_value_is_still_recognised() {
        let value = "x".repeat(crate::formats::SNIFF_BYTES);
        let doc = format!(
            r#"{{"data":[{{"attributes":[{{"key":"input.value","value":{{"array_value":null,"kvlist_value":null,"string_value":"{value}"}}}}],"start_time_unix_nano":1}}],"next_cursor":null}}"#
        );
        let bytes = doc.as_bytes();
        let probe = ProbeData::new("", bytes);
        let probe = probe.probe();
        assert_eq!(sniff_otlpv1(&probe), Sniff::Yes(SCORE));
        assert!(matches!(sniff_spans(&probe), Sniff::No(_)));
    }
}
