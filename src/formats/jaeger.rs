//! Jaeger UI / query-API JSON: `{"data": [Trace…]}` responses, a bare Trace
//! object (`{traceID, spans, processes}`), or a bare array of spans that each
//! carry their own `process`.
//!
//! Times are µs integers, tags are typed (`string`, `bool`, `int64`,
//! `float64`, `binary`), logs become span events, and each process becomes
//! one resource (service name + process tags). Tags go through
//! [`Semantics`](super::semconv::Semantics), so OpenTelemetry GenAI tags give models, tokens and kinds.
//! Spans of a trace are buffered until its `processes` have been read (they
//! may follow the spans); a file cut short still keeps the spans before the cut.

use super::jaeger_wire::{Process, ProcessInfo, Processes, WireSpan};
use super::json;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{AttrValue, StoreBuilder, TextEncoding};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

pub const JAEGER_JSON: Format = Format {
    id: "jaeger-json",
    name: "Jaeger JSON",
    producers: "Jaeger UI downloads and query API (`/api/traces`), Jaeger anonymizer",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "the \"spans\" of each trace (data[].spans[])",
};

/// Jaeger spells `traceID` and `spanID` with a capital `ID` (OTLP and
/// Zipkin write `traceId`) and names spans `operationName`.
fn sniff(p: &Probe) -> Sniff {
    if !matches!(json::first_significant(p.head), Some(b'{' | b'[')) {
        return Sniff::No("not a JSON object or array");
    }
    if !json::contains(p.head, b"\"traceID\"") || !json::contains(p.head, b"\"spanID\"") {
        return Sniff::No("no \"traceID\" and \"spanID\" keys");
    }
    if !json::contains(p.head, b"\"operationName\"") {
        return Sniff::No("no \"operationName\" key");
    }
    let hint = if p.name.to_ascii_lowercase().contains("jaeger") {
        5
    } else {
        0
    };
    Sniff::Yes(65 + hint)
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = Document { b }.deserialize(&mut de).and_then(|()| de.end());
    result.map_err(|e| ParseError::json(bytes, &e))
}

/// Any of the three outer shapes, or one Trace inside `data`.
struct Document<'b> {
    b: &'b mut StoreBuilder,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Jaeger trace, a {\"data\": [...]} response or an array of spans")
    }

    /// A bare array of spans, each with an inline `process`.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut processes = Processes::default();
        while let Some(span) = seq.next_element::<WireSpan<'de>>()? {
            span.commit(self.b, &mut processes);
        }
        Ok(())
    }

    /// A query response (`data`) or one Trace (`spans`, `processes`).
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut spans: Vec<WireSpan<'de>> = Vec::new();
        let mut processes = Processes::default();
        let mut trace_id: Option<Cow<'de, str>> = None;
        let mut warnings = None;
        let result = read_trace(
            &mut map,
            self.b,
            &mut spans,
            &mut processes,
            &mut trace_id,
            &mut warnings,
        );
        // Commit what was read even when the document breaks off.
        for span in spans {
            span.commit(self.b, &mut processes);
        }
        if let (Some(trace), Some(raw)) = (trace_id, warnings) {
            let t = self.b.text(raw.get(), TextEncoding::JsonValue);
            self.b.trace_meta(&trace, "warnings", AttrValue::Json(t));
        }
        result
    }
}

fn read_trace<'de, A: MapAccess<'de>>(
    map: &mut A,
    b: &mut StoreBuilder,
    spans: &mut Vec<WireSpan<'de>>,
    processes: &mut Processes,
    trace_id: &mut Option<Cow<'de, str>>,
    warnings: &mut Option<&'de RawValue>,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        match key.as_ref() {
            "data" => map.next_value_seed(Traces { b: &mut *b })?,
            "spans" => map.next_value_seed(Collect(spans))?,
            "processes" => {
                let wire: Option<HashMap<Cow<'de, str>, Process<'de>>> = map.next_value()?;
                // Sorted so resource rows come out in the same order every time.
                let mut wire: Vec<_> = wire.unwrap_or_default().into_iter().collect();
                wire.sort_by(|a, b| a.0.cmp(&b.0));
                for (id, process) in wire {
                    let info = ProcessInfo::commit(b, &process);
                    processes.by_id.insert(id.into_owned(), info);
                }
            }
            "traceID" => *trace_id = map.next_value()?,
            "warnings" => {
                let raw: Option<&'de RawValue> = map.next_value()?;
                *warnings = raw.filter(|r| r.get() != "null" && r.get() != "[]");
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(())
}

/// The `data` array of a query response: each element is one Trace.
struct Traces<'b> {
    b: &'b mut StoreBuilder,
}

impl<'de> DeserializeSeed<'de> for Traces<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Traces<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Jaeger traces")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Document { b: &mut *self.b })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Pushes each span of a `spans` array into a buffer the caller owns, so the
/// spans read before an error are not lost with it.
struct Collect<'s, 'de>(&'s mut Vec<WireSpan<'de>>);

impl<'de> DeserializeSeed<'de> for Collect<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Collect<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Jaeger spans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(span) = seq.next_element::<WireSpan<'de>>()? {
            self.0.push(span);
        }
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ProbeData;
    use crate::load::{load, Counts, Input, Session};
    use crate::model::{SpanIdx, SpanKind, WarningKind, NONE};

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/jaeger-json/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap_or_default()
    }

    fn open(name: &str) -> Session {
        load(vec![Input::new(name, fixture(name))])
    }

    fn counts(s: &Session) -> Counts {
        s.report.files.first().map(|f| f.counts).unwrap_or_default()
    }

    fn span(s: &Session, id: &str) -> usize {
        (0..s.store.span_count())
            .find(|&i| s.store.id(s.store.spans.span_id[i]) == id)
            .unwrap_or(usize::MAX)
    }

    /// Hand-checked with a Python script over the fixture: 5 `chat` spans
    /// (4 × 1840/260 on model-a, 1 × 920/140 on model-b), one `error: true`.
    #[test]
    fn genai_sample_maps_models_tokens_and_kinds() {
        let s = open("public-jaeger-ui-genaiTestTrace.json");
        let want = Counts {
            traces: 1,
            spans: 57,
            lm_calls: 5,
            error_spans: 1,
            input_tokens: 8280,
            output_tokens: 1180,
        };
        assert_eq!(counts(&s), want);
        let kinds = |k| s.store.spans.kind.iter().filter(|&&x| x == k).count();
        assert_eq!(
            (
                kinds(SpanKind::Agent),
                kinds(SpanKind::Tool),
                kinds(SpanKind::Retriever)
            ),
            (2, 7, 3)
        );
        let chat = span(&s, "0000000000000036");
        assert_eq!(s.store.str(s.store.spans.model[chat]), "model-b");
        assert_eq!(s.store.str(s.store.spans.service[chat]), "summarizer-agent");
        assert_eq!(s.store.spans.tokens[chat].cached, Some(460));
        assert_eq!(
            s.store.spans.parent[chat] as usize,
            span(&s, "0000000000000035")
        );
        let input = s.store.spans.input[chat].map(|t| s.store.text(t).into_owned());
        assert!(input.is_some_and(|t| t.starts_with(r#"[{"role":"user","parts""#)));
        let failed = span(&s, "0000000000000011");
        assert_eq!(s.store.str(s.store.spans.name[failed]), "GET /api/v1/pods");
        assert_eq!(
            s.store.spans.status[failed],
            crate::model::StatusCode::Error
        );
    }

    #[test]
    fn bare_trace_references_logs_and_warnings() {
        let s = open("public-jaeger-ui_01.json");
        // Two spans share id 2; the first is kept.
        assert_eq!(s.store.span_count(), 4);
        assert_eq!(s.report.warnings.count(WarningKind::DuplicateSpan), 1);
        // The first CHILD_OF points into another trace; the second is the parent.
        let reference_test = span(&s, "0000000000000004");
        assert_eq!(
            s.store.spans.parent[reference_test] as usize,
            span(&s, "0000000000000002")
        );
        let root = SpanIdx(span(&s, "0000000000000002") as u32);
        let events: Vec<&str> = s
            .store
            .span_events(root)
            .map(|e| s.store.str(s.store.events.name[e]))
            .collect();
        assert_eq!(events, vec!["some-event", "log"]);
        assert_eq!(
            s.store.str(s.store.spans.service[root.0 as usize]),
            "service-x"
        );
        let meta: Vec<_> = s.store.trace_meta(crate::model::TraceIdx(0)).collect();
        assert_eq!(meta.len(), 1);
    }

    #[test]
    fn query_responses_and_inline_processes() {
        let s = open("public-jaeger-ui-otlp2jaeger-multi-out.json");
        assert_eq!(counts(&s).spans, 4);
        let main = span(&s, "eff3153be6b1fb93");
        assert_eq!(s.store.spans.parent[main], NONE);
        // One process → one resource row holding its tags.
        let row = s.store.spans.resource[main] as usize;
        assert!(s.store.spans.resource.iter().all(|&r| r as usize == row));
        let tags = s.store.resource_start[row + 1] - s.store.resource_start[row];
        assert_eq!(tags, 4); // service.name + 3 telemetry.sdk.* tags

        let s = open("public-jaeger-anonymizer-trace_success.json");
        assert_eq!(counts(&s).error_spans, 1); // `error` typed bool, written "true"
        let child = span(&s, "7bd66f09ba90ea3d");
        assert_eq!(
            s.store.str(s.store.spans.service[child]),
            "3c220036602f839e"
        );
        assert_eq!(s.report.warnings.count(WarningKind::OrphanParent), 1);

        let s = open("public-jaeger-query-otlp2jaeger-out.json");
        assert_eq!(counts(&s).spans, 1);
    }

    #[test]
    fn a_cut_trace_keeps_the_spans_before_the_cut() {
        let bytes = fixture("public-jaeger-ui-genaiTestTrace.json");
        let cut = &bytes[..bytes.len() / 2];
        let mut b = StoreBuilder::new();
        let err = parse(cut, &mut b).err();
        assert!(err.as_ref().and_then(ParseError::location).is_some());
        assert!(
            b.span_count() > 10 && b.span_count() < 57,
            "{}",
            b.span_count()
        );
        let s = load(vec![Input::new("cut.json", cut.to_vec())]);
        assert_eq!(s.report.files[0].error, None);
        assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        for doc in [
            &b"garbage"[..],
            b"{\"data\": 5}",
            b"[1]",
            b"{\"spans\": {}}",
        ] {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
        let mut b = StoreBuilder::new();
        assert!(parse(br#"{"spans": [{"spanID": "1"}]}"#, &mut b).is_ok());
        let (store, warnings) = b.finish();
        assert_eq!(store.span_count(), 0);
        assert_eq!(warnings.count(WarningKind::MissingId), 1);
    }

    #[test]
    fn sniff_wants_jaeger_capitalisation() {
        let probe = |head: &'static [u8]| sniff(&ProbeData::new("trace.json", head).probe());
        let jaeger =
            br#"{"data": [{"traceID": "1", "spans": [{"spanID": "2", "operationName": "x"}]}]}"#;
        assert_eq!(probe(jaeger), Sniff::Yes(65));
        let zipkin = br#"[{"traceId": "1", "id": "2", "name": "x", "timestamp": 1}]"#;
        assert!(matches!(probe(zipkin), Sniff::No(_)));
    }
}
