//! Langfuse public read API JSON (FORMATS.md 7b): a trace with its
//! observations (`GET /api/public/traces/{id}`), an array of them, the trace
//! list (`{"data": [trace…]}`, where observations are only ids) and an
//! observations page (`GET /api/public/v2/observations`, `{"data": [obs…]}`).
//!
//! Observations become spans; `parentObservationId` is the tree link. Their
//! fields are fed to the shared vocabularies under the names the Langfuse SDK
//! uses over OpenTelemetry (`langfuse.observation.*`), so the API and the
//! OTLP export of one run read the same. Trace fields and `scores` become
//! trace metadata. Observations are streamed: a cut file keeps what came
//! before the cut.

use super::json::{self, Records};
use super::langfuse_observation::{commit_observation, commit_trace_fields, WireObservation};
use super::langfuse_scores::{commit_score, WireScore};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::StoreBuilder;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

pub const LANGFUSE_API: Format = Format {
    id: "langfuse-api",
    name: "Langfuse API JSON",
    producers: "Langfuse public API: GET /api/public/traces/{id}, /api/public/traces, /api/public/v2/observations",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "the observations of each trace (\"observations\", or \"data\")",
};

fn sniff(p: &Probe) -> Sniff {
    if json::contains(p.head, b"\"resourceSpans\"") {
        return Sniff::No("OTLP request");
    }
    // Specific enough to look for in the whole file: a trace's input may
    // push its observations past the sniffed head.
    if json::contains(p.deep, b"\"parentObservationId\"") {
        return Sniff::Yes(70);
    }
    if json::contains(p.head, b"\"observations\"") {
        return Sniff::Yes(60);
    }
    Sniff::No("no \"observations\" or \"parentObservationId\" key")
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let spans_before = b.span_count();
    let mut traces = 0usize;
    let result = if is_trace_document(bytes) {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        TraceSeed {
            b: &mut *b,
            traces: &mut traces,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
    } else {
        // An observations page: no trace objects, so trace fields come from
        // the observations (once per trace).
        let records = match json::first_significant(bytes) {
            Some(b'[') => Records::Array,
            _ => Records::Field("data"),
        };
        let mut traces_seen = HashSet::new();
        json::stream_records::<WireObservation, _>(bytes, records, |o| {
            commit_observation(b, &o, None, Some(&mut traces_seen));
        })
    };
    match result {
        Err(e) => Err(ParseError::json(bytes, &e)),
        // A list of traces may hold no observation objects, only ids.
        Ok(()) if traces == 0 && b.span_count() == spans_before => Err(ParseError::Shape(
            "no Langfuse trace (with \"id\") or observation (with \"traceId\") found".into(),
        )),
        Ok(()) => Ok(()),
    }
}

/// Trace objects name their `observations` before any observation's
/// `parentObservationId`; an observations page starts with the latter (an
/// input payload further on may well contain the word "observations").
fn is_trace_document(bytes: &[u8]) -> bool {
    let find = |key: &[u8]| memchr::memmem::find(bytes, key);
    match (find(b"\"observations\""), find(b"\"parentObservationId\"")) {
        (Some(observations), Some(parent)) => observations < parent,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// A trace object, an array of them, or `{"data": [...]}` around them.
struct TraceSeed<'b> {
    b: &'b mut StoreBuilder,
    /// Trace objects (with an id) read so far.
    traces: &'b mut usize,
}

impl<'de> DeserializeSeed<'de> for TraceSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TraceSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Langfuse trace object or an array of them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (b, traces) = (self.b, self.traces);
        while seq.next_element_seed(TraceSeed { b, traces })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Trace fields wait here until the id is known; they are written
        // before the observations so that a cut inside those keeps them.
        let mut fields: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
        let mut id: Option<Cow<'de, str>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "id" => id = map.next_value()?,
                "data" => map.next_value_seed(TraceSeed {
                    b: &mut *self.b,
                    traces: &mut *self.traces,
                })?,
                "observations" => {
                    flush(self.b, id.as_deref(), &mut fields);
                    map.next_value_seed(ObjectsSeed {
                        b: &mut *self.b,
                        trace: id.as_deref(),
                        what: What::Observations,
                    })?;
                }
                "scores" => map.next_value_seed(ObjectsSeed {
                    b: &mut *self.b,
                    trace: id.as_deref(),
                    what: What::Scores,
                })?,
                _ => fields.push((key, map.next_value()?)),
            }
        }
        if id.is_some() {
            *self.traces += 1;
        }
        flush(self.b, id.as_deref(), &mut fields);
        Ok(())
    }
}

fn flush(b: &mut StoreBuilder, id: Option<&str>, fields: &mut Vec<(Cow<'_, str>, &RawValue)>) {
    if let Some(id) = id {
        commit_trace_fields(b, id, fields.drain(..));
    }
}

#[derive(Copy, Clone)]
enum What {
    Observations,
    Scores,
}

/// The `observations` or `scores` array of a trace. The list endpoint gives
/// ids (strings) instead of objects: those are skipped.
struct ObjectsSeed<'b, 't> {
    b: &'b mut StoreBuilder,
    trace: Option<&'t str>,
    what: What,
}

impl<'de> DeserializeSeed<'de> for ObjectsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjectsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects or ids")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.what {
            What::Observations => {
                while let Some(item) = seq.next_element::<ObjectOrId<WireObservation>>()? {
                    if let ObjectOrId::Object(o) = item {
                        commit_observation(self.b, &o, self.trace, None);
                    }
                }
            }
            What::Scores => {
                while let Some(item) = seq.next_element::<ObjectOrId<WireScore>>()? {
                    if let ObjectOrId::Object(s) = item {
                        commit_score(self.b, &s, self.trace);
                    }
                }
            }
        }
        Ok(())
    }
}

/// An array element: an object, or an id (any other value), which is skipped.
enum ObjectOrId<T> {
    Object(T),
    Id,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOrId<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ObjectOrId<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or an id")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ObjectOrId::Object)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(ObjectOrId::Id)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(ObjectOrId::Id)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(ObjectOrId::Id)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(ObjectOrId::Id)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};
    use crate::model::{SpanIdx, StatusCode, TraceIdx, WarningKind};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap_or_default()
    }

    fn span(s: &Session, name: &str) -> usize {
        let found = (0..s.store.span_count()).find(|&i| s.store.str(s.store.spans.name[i]) == name);
        found.unwrap_or_else(|| panic!("no span {name}"))
    }

    fn meta(s: &Session, trace: TraceIdx, key: &str) -> Vec<String> {
        let store = &s.store;
        let values = store
            .trace_meta(trace)
            .filter(|(k, _)| store.str(*k) == key);
        values
            .map(|(_, v)| store.attr_text(v).into_owned())
            .collect()
    }

    // Expected numbers counted with python3 over the fixture JSON.
    #[test]
    fn handmade_trace_with_observations() {
        let name = "langfuse-api/handmade-trace.json";
        let s = load(vec![Input::new(name, fixture(name))]);
        assert_eq!(s.report.files[0].format, Some("langfuse-api"));
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans, t.lm_calls), (1, 6, 1, 1));
        assert_eq!((t.input_tokens, t.output_tokens), (412, 58));
        let (store, sp) = (&s.store, &s.store.spans);
        let lm = span(&s, "LM.__call__");
        assert_eq!(store.str(sp.model[lm]), "gpt-4o-mini");
        assert_eq!(sp.tokens[lm].cached, Some(128));
        assert_eq!(sp.cost_usd[lm], 0.0000966);
        assert_eq!(
            store.id(sp.span_id[sp.parent[lm] as usize]),
            "a1b2c3d4e5f60004"
        );
        let tool = span(&s, "search_wikipedia");
        assert_eq!(sp.status[tool], StatusCode::Error);
        let message = sp.status_message[tool].map(|m| store.text(m).into_owned());
        assert_eq!(
            message.as_deref(),
            Some("TimeoutError: search took longer than 0.5 s")
        );
        let event = span(&s, "answer_checked");
        assert_eq!(store.duration_nanos(SpanIdx(event as u32)), 0);
        // WARNING keeps the span's status; its message stays an attribute.
        assert_eq!(sp.status[event], StatusCode::Unset);
        let root = span(&s, "rag.forward");
        assert_eq!(store.duration_nanos(SpanIdx(root as u32)), 2_500_000_000);
        let trace = TraceIdx(0);
        assert_eq!(meta(&s, trace, "user.id"), ["user-7"]);
        assert_eq!(meta(&s, trace, "langfuse.trace.latency_seconds"), ["2.5"]);
        assert_eq!(meta(&s, trace, "langfuse.trace.metadata.scenario"), ["rag"]);
        assert_eq!(meta(&s, trace, "score.tool_failed"), ["true"]);
        assert_eq!(meta(&s, trace, "score.answer_length_ok"), ["0"]);
    }

    #[test]
    fn v2_observations_page_with_uuid_ids() {
        let name = "langfuse-api/handmade-observations-v2.json";
        let s = load(vec![Input::new(name, fixture(name))]);
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.error_spans, t.lm_calls), (2, 8, 1, 2));
        assert_eq!((t.input_tokens, t.output_tokens), (530, 41));
        let (store, sp) = (&s.store, &s.store.spans);
        let step = span(&s, "react_step_1");
        let parent = sp.parent[step] as usize;
        assert_eq!(
            store.id(sp.span_id[parent]),
            "c56a418065aa42eca9455fd21dec0538"
        );
        assert_eq!(
            store.id(store.traces.trace_id[sp.trace[step].0 as usize]),
            "7c9e6679742540de944be07fc1f90ae7"
        );
        let failed = span(&s, "react_step_2");
        let message = sp.status_message[failed].map(|m| store.text(m).into_owned());
        assert_eq!(
            message.as_deref(),
            Some("RateLimitError: 429 Too Many Requests")
        );
        // Trace fields repeated on every observation land once per trace.
        assert_eq!(
            meta(&s, sp.trace[step], "langfuse.trace.name"),
            ["react_agent"]
        );
        let embed = span(&s, "embed_ticket");
        assert_eq!(meta(&s, sp.trace[embed], "session.id"), ["s-ticket-77"]);
    }

    #[test]
    fn trace_lists_and_arrays() {
        let list = br#"{"data": [{"id": "0af7651916cd43dd8448eb211c80319c", "userId": "u1",
            "observations": ["b7ad6b7169203331"], "scores": ["s1"], "latency": 1.5}],
            "meta": {"page": 1, "limit": 50, "totalItems": 1, "totalPages": 1}}"#;
        let s = load(vec![Input::new("", list.to_vec())]);
        assert_eq!(s.report.files[0].format, Some("langfuse-api"));
        assert_eq!(s.report.files[0].error, None);
        assert_eq!((s.store.trace_count(), s.store.span_count()), (1, 0));
        assert_eq!(meta(&s, TraceIdx(0), "user.id"), ["u1"]);
        let array = br#"[{"id": "t1", "observations": [{"id": "a", "type": "SPAN",
            "startTime": "2026-11-21T10:00:00Z"}]}, {"id": "t2", "observations": [{"id": "b",
            "traceId": "t2", "type": "GENERATION", "name": "gen", "startTime": "2026-11-21T10:00:01Z",
            "endTime": "2026-11-21T10:00:02Z", "usage": {"input": 3, "output": 4, "total": 7, "unit": "TOKENS"},
            "calculatedTotalCost": 0.5}]}]"#;
        let s = load(vec![Input::new("", array.to_vec())]);
        let t = s.report.files[0].counts;
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.input_tokens),
            (2, 2, 1, 3)
        );
        assert_eq!(s.store.spans.cost_usd[span(&s, "gen")], 0.5);
    }

    #[test]
    fn an_observations_page_whose_input_says_observations() {
        let page = br#"{"data": [{"id": "a", "traceId": "t1", "parentObservationId": null,
            "type": "AGENT", "name": "agent", "startTime": "2026-11-21T10:00:00Z",
            "input": {"observations": ["saw a cat"]}}], "meta": {}}"#;
        let s = load(vec![Input::new("", page.to_vec())]);
        assert_eq!(s.store.span_count(), 1);
        assert_eq!(s.store.str(s.store.spans.name[0]), "agent");
    }

    #[test]
    fn a_cut_keeps_the_observations_before_it() {
        let name = "langfuse-api/handmade-trace.json";
        let bytes = fixture(name);
        let fourth = memchr::memmem::find(&bytes, b"\"a1b2c3d4e5f60004\"").unwrap_or(0);
        let s = load(vec![Input::new(name, bytes[..fourth + 40].to_vec())]);
        assert_eq!(s.report.files[0].error, None);
        assert_eq!(s.store.span_count(), 3);
        assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1);
        // Trace fields before the observations were written before the cut.
        assert_eq!(meta(&s, TraceIdx(0), "user.id"), ["user-7"]);
        let page = fixture("langfuse-api/handmade-observations-v2.json");
        let s = load(vec![Input::new("", page[..page.len() / 2].to_vec())]);
        assert!(s.store.span_count() > 0 && s.store.span_count() < 8);
        assert_eq!(s.report.warnings.count(WarningKind::Truncated), 1);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        let docs: [&[u8]; 6] = [
            b"garbage",
            b"{\"observations\": 5}",
            b"{\"observations\": []}",
            b"[1, 2]",
            b"{\"data\": [{\"id\": \"no-trace-id\"}]}",
            b"{\"id\": \"t\", \"observations\": [{\"id\": \"a\", \"startTime\": {}}]}",
        ];
        for doc in docs {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
    }
}
