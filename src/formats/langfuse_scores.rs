//! Langfuse scores: the bodies the Langfuse SDK POSTs to `/api/public/scores`
//! (FORMATS.md 7a), and the score objects of the public read API.
//!
//! A score is trace metadata, not a span: each one becomes
//! `score.<name>` (+ `score.<name>.comment`, `score.<name>.observation_id`)
//! on its trace through [`StoreBuilder::trace_meta`]. A scores file alone
//! yields traces without spans; loaded with the trace's spans (Langfuse OTLP,
//! `langfuse-api`), the scores land on those traces because `traceId` is the
//! same OTel trace id. Also used by `langfuse_api` for a trace's `scores`.

use super::json::{self, attr_from_raw, raw_string, Records};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{AttrValue, StoreBuilder, WarningKind};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub const LANGFUSE_SCORES: Format = Format {
    id: "langfuse-scores",
    name: "Langfuse scores JSON",
    producers: "Langfuse SDK score requests to /api/public/scores",
    sniff,
    parse,
    content: Content::Json,
    spans_at: "none: scores become trace metadata",
};

fn sniff(p: &Probe) -> Sniff {
    if json::contains(p.head, b"\"resourceSpans\"") {
        return Sniff::No("OTLP request");
    }
    // A read-API trace carries scores too; that file belongs to `langfuse-api`.
    if json::contains(p.deep, b"\"observations\"")
        || json::contains(p.deep, b"\"parentObservationId\"")
    {
        return Sniff::No("Langfuse trace with observations");
    }
    let wrapper = json::contains(p.head, b"\"/api/public/scores\"");
    let score = json::contains(p.head, b"\"dataType\"") && json::contains(p.head, b"\"traceId\"");
    match (wrapper, score) {
        (true, _) => Sniff::Yes(70),
        (false, true) => Sniff::Yes(65),
        _ => Sniff::No("no \"dataType\" and \"traceId\" keys"),
    }
}

/// A score, or a wrapper whose `body` (our `{"path", "body"}` capture, one
/// score or an array) or `data` (the read API's list) holds scores.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireScore<'a> {
    #[serde(borrow, default)]
    pub trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub observation_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub value: Option<&'a RawValue>,
    /// The read API's text form of CATEGORICAL and BOOLEAN values.
    #[serde(borrow, default)]
    pub string_value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub data_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub comment: Option<&'a RawValue>,
    #[serde(borrow, default)]
    body: Option<OneOrMany<WireScore<'a>>>,
    #[serde(borrow, default)]
    data: Option<Vec<WireScore<'a>>>,
}

/// One object or an array of them.
struct OneOrMany<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or an array of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(OneOrMany(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| OneOrMany(vec![t]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Reads a bare array of scores, a single score, an array of `{"path",
/// "body"}` records, or `{"data": [score…]}`. Records before a cut are kept.
fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut scores = 0usize;
    let result = json::stream_records::<WireScore, _>(bytes, Records::ArrayOrOne, |record| {
        scores += commit_record(b, &record, None);
    });
    match result {
        // Scores add no spans, so load.rs would call any error fatal: say
        // here that what came before the cut was kept.
        Err(e) if scores > 0 => {
            let at = json::error_location(bytes, &e);
            b.warn(
                WarningKind::Truncated,
                Some(at),
                format!("{e}; the {scores} scores before it were loaded"),
            );
            Ok(())
        }
        Err(e) => Err(ParseError::json(bytes, &e)),
        Ok(()) if scores == 0 => Err(ParseError::Shape(
            "no Langfuse score (an object with \"traceId\" and \"name\") found".into(),
        )),
        Ok(()) => Ok(()),
    }
}

/// Commits a score record and the scores it wraps; returns how many landed.
fn commit_record(b: &mut StoreBuilder, record: &WireScore<'_>, trace: Option<&str>) -> usize {
    let mut n = 0;
    if record.name.is_some() || record.trace_id.is_some() {
        n += usize::from(commit_score(b, record, trace));
    }
    for inner in record.body.iter().flat_map(|body| &body.0) {
        n += commit_record(b, inner, trace);
    }
    for inner in record.data.iter().flatten() {
        n += commit_record(b, inner, trace);
    }
    n
}

/// Puts one score on its trace (`traceId`, else `fallback_trace`).
pub(crate) fn commit_score(
    b: &mut StoreBuilder,
    score: &WireScore<'_>,
    fallback_trace: Option<&str>,
) -> bool {
    let name = score.name.as_deref().unwrap_or("");
    let Some(trace) = score.trace_id.as_deref().or(fallback_trace) else {
        b.warn(
            WarningKind::MissingId,
            None,
            format!("score {name:?} has no traceId; skipped"),
        );
        return false;
    };
    if name.is_empty() {
        b.warn(
            WarningKind::BadValue,
            None,
            format!("a score of trace {trace} has no name; skipped"),
        );
        return false;
    }
    let Some(value) = score_value(b, score) else {
        b.warn(
            WarningKind::BadValue,
            None,
            format!("score {name:?} of trace {trace} has no value; skipped"),
        );
        return false;
    };
    let key = format!("score.{name}");
    b.trace_meta(trace, &key, value);
    if let Some((text, t)) = score.comment.and_then(|c| raw_string(b, c)) {
        if !text.is_empty() {
            b.trace_meta(trace, &format!("{key}.comment"), AttrValue::Str(t));
        }
    }
    if let Some(observation) = score.observation_id.as_deref().filter(|o| !o.is_empty()) {
        let t = b.text(observation, crate::model::TextEncoding::Plain);
        b.trace_meta(trace, &format!("{key}.observation_id"), AttrValue::Str(t));
    }
    true
}

/// The data type is carried by the value's type: NUMERIC → number,
/// CATEGORICAL → text, BOOLEAN → bool (sent as 1/0, read back as "True").
fn score_value(b: &mut StoreBuilder, score: &WireScore<'_>) -> Option<AttrValue> {
    let value = score.value.filter(|r| r.get() != "null");
    let text = score.string_value.filter(|r| r.get() != "null");
    let data_type = score
        .data_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_uppercase();
    match data_type.as_str() {
        "BOOLEAN" => {
            let truth = match value.map(|v| v.get().trim_matches('"')) {
                Some(v) => Some(v == "1" || v == "1.0" || v.eq_ignore_ascii_case("true")),
                None => text.map(|t| t.get().trim_matches('"').eq_ignore_ascii_case("true")),
            };
            truth.map(AttrValue::Bool)
        }
        "CATEGORICAL" => text.or(value).map(|raw| attr_from_raw(b, raw)),
        _ => value.or(text).map(|raw| attr_from_raw(b, raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};
    use crate::model::{Store, TraceIdx};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap_or_default()
    }

    fn meta(store: &Store, trace: TraceIdx, key: &str) -> Option<String> {
        store
            .trace_meta(trace)
            .find(|(k, _)| store.str(*k) == key)
            .map(|(_, v)| store.attr_text(v).into_owned())
    }

    fn trace_of(store: &Store, id: &str) -> Option<TraceIdx> {
        (0..store.trace_count() as u32)
            .map(TraceIdx)
            .find(|&t| store.id(store.traces.trace_id[t.0 as usize]) == id)
    }

    #[test]
    fn rag_scores_alone_are_traces_without_spans() {
        let name = "langfuse-scores/dspy-rag.langfuse-scores.json";
        let s = load(vec![Input::new(name, fixture(name))]);
        assert_eq!(s.report.files[0].format, Some("langfuse-scores"));
        assert_eq!(s.report.files[0].error, None);
        // 4 scores on 4 distinct traces (checked with python3 over the file).
        assert_eq!((s.store.trace_count(), s.store.span_count()), (4, 0));
        let t = trace_of(&s.store, "1578db11ea83ccd29eb26de4b6d7a88b");
        let t = t.expect("the failed trace");
        assert_eq!(meta(&s.store, t, "score.failed").as_deref(), Some("true"));
        assert_eq!(
            meta(&s.store, t, "score.failed.comment").as_deref(),
            Some("LMServerError")
        );
        let t = trace_of(&s.store, "64be99a4fe72d568bd72c292f7d4887d");
        let v = t.and_then(|t| s.store.trace_meta(t).next()).map(|(_, v)| v);
        assert_eq!(v, Some(AttrValue::Float(1.0)));
    }

    #[test]
    fn scores_land_on_the_langfuse_otlp_traces_of_the_same_run() {
        let otlp = "langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json";
        let scores = "langfuse-scores/dspy-rag.langfuse-scores.json";
        let s = load(vec![
            Input::new(otlp, fixture(otlp)),
            Input::new(scores, fixture(scores)),
        ]);
        let formats: Vec<_> = s.report.files.iter().map(|f| f.format).collect();
        assert_eq!(
            formats,
            vec![Some("otlp-protojson"), Some("langfuse-scores")]
        );
        // The scores name no new trace: all 4 are traces of the OTLP file.
        let spans_only = load(vec![Input::new(otlp, fixture(otlp))]);
        assert_eq!(s.store.trace_count(), spans_only.store.trace_count());
        let t = trace_of(&s.store, "1578db11ea83ccd29eb26de4b6d7a88b").expect("trace");
        assert!(!s.store.trace_spans(t).is_empty());
        assert_eq!(meta(&s.store, t, "score.failed").as_deref(), Some("true"));
        let t = trace_of(&s.store, "ecf789388b6f6db859c2c64a126cb70e").expect("trace");
        assert!(!s.store.trace_spans(t).is_empty());
        assert_eq!(
            meta(&s.store, t, "score.answer_length_ok").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn bare_arrays_single_scores_and_api_values() {
        let doc = br#"[{"traceId": "0af7651916cd43dd8448eb211c80319c", "name": "ok",
            "value": 1, "dataType": "BOOLEAN"},
            {"traceId": "0af7651916cd43dd8448eb211c80319c", "name": "tone",
            "value": null, "stringValue": "polite", "dataType": "CATEGORICAL",
            "observationId": "b7ad6b7169203331"}]"#;
        let s = load(vec![Input::new("", doc.to_vec())]);
        assert_eq!(s.report.files[0].format, Some("langfuse-scores"));
        let t = TraceIdx(0);
        assert_eq!(meta(&s.store, t, "score.ok").as_deref(), Some("true"));
        assert_eq!(meta(&s.store, t, "score.tone").as_deref(), Some("polite"));
        assert_eq!(
            meta(&s.store, t, "score.tone.observation_id").as_deref(),
            Some("b7ad6b7169203331")
        );
        let one = br#"{"traceId": "0af7651916cd43dd8448eb211c80319c", "name": "n",
            "value": 0.25, "dataType": "NUMERIC"}"#;
        let s = load(vec![Input::new("", one.to_vec())]);
        assert_eq!(
            meta(&s.store, TraceIdx(0), "score.n").as_deref(),
            Some("0.25")
        );
    }

    #[test]
    fn a_cut_keeps_the_scores_before_it() {
        let name = "langfuse-scores/dspy-classify.langfuse-scores.json";
        let bytes = fixture(name);
        // Cut inside the second wrapper: the first wrapper's 3 scores stay.
        let cut = bytes.len() * 3 / 4;
        let mut b = StoreBuilder::new();
        assert_eq!(parse(&bytes[..cut], &mut b), Ok(()));
        let (store, warnings) = b.finish();
        assert_eq!(store.trace_count(), 3);
        assert_eq!(warnings.count(WarningKind::Truncated), 1);
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        for doc in [
            &b"\x00\x01garbage"[..],
            b"[1, 2]",
            b"{\"a\": 1}",
            b"[]",
            b"{\"data\": 3}",
        ] {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }
}
