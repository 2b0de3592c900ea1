//! MLflow traces: `Trace.to_json()` (one `{"info", "data": {"spans"}}`
//! object, or a JSON array of them from `search_traces`) and the `traces.json`
//! artifact of MLflow's file-system store (`{"spans": [...]}`, no `info`).
//!
//! Both go through one streaming reader: spans are committed as they are
//! read, so a file cut short keeps every span before the cut. The `info`
//! block becomes trace metadata; span ids are base64 and `info.trace_id` is
//! `tr-<hex>`, which the builder canonicalises to the same hex.

use super::json::Fields;
use super::json::{contains, first_significant};
use super::mlflow_wire::{commit_info, commit_span, TraceContext, WireSpan};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::StoreBuilder;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub const MLFLOW_JSON: Format = Format {
    id: "mlflow-json",
    name: "MLflow trace JSON",
    producers: "MLflow `Trace.to_json()` and `search_traces` lists (mlflow.dspy.autolog and other MLflow tracing)",
    sniff: sniff_trace_json,
    parse,
    content: Content::Json,
    spans_at: "data.spans[] of each trace",
};

pub const MLFLOW_ARTIFACT: Format = Format {
    id: "mlflow-artifact",
    name: "MLflow traces.json artifact",
    producers: "MLflow file-system tracking store (`traces.json` per trace)",
    sniff: sniff_artifact,
    parse,
    content: Content::Json,
    spans_at: "spans[]",
};

/// Keys only MLflow span attributes have (OTLP and Phoenix listings never
/// do). Searches the whole input: a first span's payloads may fill the head.
fn has_mlflow_span_keys(p: &Probe) -> bool {
    contains(p.deep, b"\"mlflow.spanType\"") || contains(p.deep, b"\"mlflow.traceRequestId\"")
}

fn sniff_trace_json(p: &Probe) -> Sniff {
    if !matches!(first_significant(p.head), Some(b'{' | b'[')) {
        return Sniff::No("not a JSON object or array");
    }
    if !contains(p.head, b"\"info\"") {
        return Sniff::No("no MLflow trace \"info\" block");
    }
    if !contains(p.head, b"\"trace_location\"") && !contains(p.head, b"\"request_time\"") {
        return Sniff::No("\"info\" without MLflow's \"trace_location\" or \"request_time\"");
    }
    let hint = p.name.contains("mlflow");
    Sniff::Yes(if hint { 85 } else { 80 })
}

fn sniff_artifact(p: &Probe) -> Sniff {
    let head = p.head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(p.head);
    let after_brace = head
        .trim_ascii_start()
        .strip_prefix(b"{")
        .map(<[u8]>::trim_ascii_start);
    if !after_brace.is_some_and(|rest| rest.starts_with(b"\"spans\"")) {
        return Sniff::No("does not start with {\"spans\": …}");
    }
    if !has_mlflow_span_keys(p) {
        return Sniff::No("spans without MLflow's \"mlflow.spanType\" attributes");
    }
    let hint = p.name.ends_with("traces.json");
    Sniff::Yes(if hint { 85 } else { 80 })
}

/// Reads a trace, an array of traces, or an artifact's `{"spans": [...]}`.
fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut found = false;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = TraceSeed {
        b,
        found: &mut found,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    result.map_err(|e| ParseError::json(bytes, &e))?;
    if found {
        Ok(())
    } else {
        Err(ParseError::Shape(
            "no MLflow trace in the file: no \"info\", \"data\" or \"spans\" key".into(),
        ))
    }
}

/// One trace object (`info`, `data.spans`, or bare `spans`), or an array of them.
struct TraceSeed<'b> {
    b: &'b mut StoreBuilder,
    /// Set once any trace key is seen, to tell an empty trace from a wrong file.
    found: &'b mut bool,
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
        f.write_str("an MLflow trace object or an array of them")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(TraceSeed {
                b: &mut *self.b,
                found: &mut *self.found,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // `to_json()` writes `info` before `data`; spans read before a late
        // `info` just miss its fallbacks (trace id, start time).
        let mut trace = TraceContext::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "info" => {
                    *self.found = true;
                    let info: Fields<'de> = map.next_value()?;
                    trace = commit_info(self.b, &info);
                }
                "data" => {
                    *self.found = true;
                    map.next_value_seed(DataSeed {
                        b: &mut *self.b,
                        trace: &trace,
                    })?;
                }
                "spans" => {
                    *self.found = true;
                    map.next_value_seed(SpansSeed {
                        b: &mut *self.b,
                        trace: &trace,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `data`: `{"spans": [...]}` (other keys, if any, are skipped).
struct DataSeed<'b> {
    b: &'b mut StoreBuilder,
    trace: &'b TraceContext,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an MLflow trace data object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "spans" {
                map.next_value_seed(SpansSeed {
                    b: &mut *self.b,
                    trace: self.trace,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The spans array: each span is committed as soon as it is read.
struct SpansSeed<'b> {
    b: &'b mut StoreBuilder,
    trace: &'b TraceContext,
}

impl<'de> DeserializeSeed<'de> for SpansSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SpansSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of MLflow spans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(span) = seq.next_element::<WireSpan<'de>>()? {
            commit_span(self.b, span, self.trace, None);
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
    use crate::load::{load, Input, Session};
    use crate::model::{AttrValue, SourceId, SpanKind, StatusCode, WarningKind};

    fn fixture(rel: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap_or_default()
    }

    fn open(name: &str, bytes: Vec<u8>) -> Session {
        load(vec![Input::new(name, bytes)])
    }

    /// Row of the span with canonical (hex) id `hex`.
    fn row(s: &Session, hex: &str) -> usize {
        let sym = s.store.ids.get(hex);
        let found = s.store.spans.span_id.iter().position(|&x| Some(x) == sym);
        found.unwrap_or(usize::MAX)
    }

    fn attr(s: &Session, i: usize, key: &str) -> Option<AttrValue> {
        s.store.span_attr(crate::model::SpanIdx(i as u32), key)
    }

    fn attr_text(s: &Session, i: usize, key: &str) -> String {
        attr(s, i, key).map_or(String::new(), |v| s.store.attr_text(v).into_owned())
    }

    fn meta(s: &Session, trace_hex: &str, key: &str) -> Option<String> {
        let id = s.store.ids.get(trace_hex)?;
        let t = s.store.traces.trace_id.iter().position(|&x| x == id)?;
        let key = s.store.strings.get(key)?;
        s.store
            .trace_meta(crate::model::TraceIdx(t as u32))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| s.store.attr_text(v).into_owned())
    }

    // Expected numbers below were computed with a short python3 script over
    // the fixtures (json.load + base64 → hex), not with this parser.

    #[test]
    fn trace_list_counts_errors_and_lm_calls() {
        let s = open(
            "dspy-classify.mlflow-traces.json",
            fixture("mlflow-json/dspy-classify.mlflow-traces.json"),
        );
        let t = &s.report.files[0].counts;
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.error_spans),
            (4, 19, 4, 3)
        );
        assert_eq!(s.report.files[0].format, Some("mlflow-json"));
        assert_eq!(s.report.warnings.total(), 0);
        // Trace state ERROR is metadata; the span errors come from span status.
        let failed = "679c834f64e4f7412c1610c6403b709a";
        assert_eq!(meta(&s, failed, "state").as_deref(), Some("ERROR"));
        let lm = row(&s, "5fbaa6b68cd63a0e");
        assert_eq!(s.store.spans.status[lm], StatusCode::Error);
        let message = s.store.spans.status_message[lm].map(|t| s.store.text(t));
        assert!(message.is_some_and(|m| m.starts_with("[gpt-4o-mini] litellm.RateLimitError")));
        let events = s.store.span_events(crate::model::SpanIdx(lm as u32));
        assert_eq!(events.len(), 1);
        let ev = events.start;
        assert_eq!(s.store.str(s.store.events.name[ev]), "exception");
        let types: Vec<String> = s
            .store
            .event_attrs(ev)
            .filter(|(k, _)| s.store.str(*k) == "exception.type")
            .map(|(_, v)| s.store.attr_text(v).into_owned())
            .collect();
        assert_eq!(types, vec!["LMRateLimitError".to_string()]);
    }

    #[test]
    fn rolled_up_usage_stays_on_the_root_and_matches_the_trace_total() {
        let s = open(
            "dspy-classify.mlflow-traces.json",
            fixture("mlflow-json/dspy-classify.mlflow-traces.json"),
        );
        // (trace, root span, input, output, total) = info.trace_metadata
        // ["mlflow.trace.tokenUsage"]; the failed trace has none.
        let expected = [
            ("69b649a72d7d90d395ae3d4279379363", 283, 139, 422),
            ("02c8b2b06cfd2b1e401e0ef94a9aece1", 286, 108, 394),
            ("fef384bab63c1172492e261465331dde", 283, 43, 326),
        ];
        for (trace, input, output, total) in expected {
            let Some(t) = s
                .store
                .ids
                .get(trace)
                .and_then(|id| s.store.traces.trace_id.iter().position(|&x| x == id))
            else {
                panic!("trace {trace} missing");
            };
            let sp = &s.store.spans;
            let root = (0..s.store.span_count())
                .find(|&i| sp.trace[i].0 as usize == t && sp.parent[i] == crate::model::NONE);
            let tokens = root.map(|r| s.store.spans.tokens[r]);
            let got = tokens.map(|k| (k.input, k.output, k.total));
            assert_eq!(got, Some((Some(input), Some(output), Some(total))));
        }
        // DSPy autolog writes usage only on the root span: no LM call has any.
        for i in 0..s.store.span_count() {
            if s.store.spans.is_lm_call[i] {
                assert!(s.store.spans.tokens[i].is_empty());
            }
        }
    }

    #[test]
    fn ids_times_kinds_models_and_decoded_attributes() {
        let name = "dspy-classify.mlflow-trace-single.json";
        let s = open(name, fixture(&format!("mlflow-json/{name}")));
        let sp = &s.store.spans;
        assert_eq!(s.store.trace_count(), 1);
        assert_eq!(
            s.store.id(s.store.traces.trace_id[0]),
            "69b649a72d7d90d395ae3d4279379363"
        );
        let (root, predict, lm) = (
            row(&s, "71a5385d2af5b2ef"),
            row(&s, "8e8d3f0e31aabb01"),
            row(&s, "9aed292c0236dcb1"),
        );
        assert_eq!(sp.parent[lm] as usize, predict);
        assert_eq!(sp.parent[predict] as usize, root);
        assert_eq!(sp.start_nanos[root], 1_795_258_509_669_136_571);
        assert_eq!(sp.end_nanos[root], 1_795_258_515_259_358_576);
        assert_eq!(
            (sp.kind[root], sp.kind[predict], sp.kind[lm]),
            (SpanKind::Chain, SpanKind::Llm, SpanKind::Llm)
        );
        assert_eq!(sp.kind[row(&s, "c9712b209d82993b")], SpanKind::Parser);
        assert!(sp.is_lm_call[lm] && !sp.is_lm_call[predict]);
        assert_eq!(s.store.str(sp.model[lm]), "openai/gpt-4o-mini");
        assert_eq!(s.store.str(sp.provider[lm]), "openai");
        // Every value was JSON text inside a string; each is decoded once.
        assert_eq!(attr(&s, lm, "temperature"), Some(AttrValue::Float(0.0)));
        assert_eq!(attr(&s, lm, "max_tokens"), Some(AttrValue::Int(1000)));
        assert_eq!(attr(&s, lm, "cache"), Some(AttrValue::Bool(false)));
        assert_eq!(attr_text(&s, lm, "mlflow.spanType"), "CHAT_MODEL");
        assert_eq!(attr_text(&s, lm, "model"), "openai/gpt-4o-mini");
        // A clean inner string is a range of the file, not a copy.
        let Some(AttrValue::Str(model)) = attr(&s, lm, "model") else {
            panic!("model is not a string attribute");
        };
        assert_eq!(model.source, SourceId(1));
        let input = sp.input[lm].map(|t| s.store.text(t).into_owned());
        assert!(input.is_some_and(|t| t.starts_with(r#"{"messages": [{"role": "system""#)));
        assert_eq!(
            meta(&s, "69b649a72d7d90d395ae3d4279379363", "mlflow.traceName").as_deref(),
            Some("ChainOfThought.forward")
        );
        assert_eq!(
            meta(
                &s,
                "69b649a72d7d90d395ae3d4279379363",
                "execution_duration_ms"
            )
            .as_deref(),
            Some("5590")
        );
    }

    #[test]
    fn artifact_spans_without_info() {
        let name = "dspy-react.tr-1c68ec8d5265bba50f25255a8a480f98.traces.json";
        let s = open(name, fixture(&format!("mlflow-artifacts/{name}")));
        let t = &s.report.files[0].counts;
        assert_eq!(
            (t.traces, t.spans, t.lm_calls, t.error_spans),
            (1, 20, 4, 1)
        );
        assert_eq!(s.report.files[0].format, Some("mlflow-artifact"));
        assert_eq!(s.store.traces.meta.len(), 0);
        let tool = row(&s, "276b0e83918cae41");
        assert_eq!(s.store.spans.kind[tool], SpanKind::Tool);
        assert_eq!(s.store.spans.status[tool], StatusCode::Error);
        let message = s.store.spans.status_message[tool].map(|t| s.store.text(t));
        assert_eq!(
            message.as_deref(),
            Some("unsupported expression: 'context answer details'")
        );
        assert!(matches!(attr(&s, tool, "args"), Some(AttrValue::Json(_))));
        assert_eq!(
            attr_text(&s, tool, "args"),
            r#"{"expression": {"type": "string"}}"#
        );
        assert_eq!(
            attr_text(&s, tool, "description"),
            "Evaluate an arithmetic expression such as '3 * (4 + 5)'."
        );
    }

    #[test]
    fn a_cut_file_keeps_the_spans_before_the_cut() {
        let mut bytes = fixture("mlflow-json/dspy-multihop.mlflow-traces.json");
        // Byte 56926 is the 30th `"span_id"` key (line 742): 18 spans of the
        // first trace and 11 of the second come before it.
        bytes.truncate(56926);
        let s = open("cut.json", bytes);
        assert_eq!(s.report.files[0].error, None);
        let counts = &s.report.files[0].counts;
        assert_eq!((counts.traces, counts.spans), (2, 29));
        let cut: Vec<_> = s
            .report
            .warnings
            .groups()
            .filter(|(_, kind, _)| *kind == WarningKind::Truncated)
            .flat_map(|(_, _, g)| g.examples.clone())
            .collect();
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].0.and_then(|at| at.line), Some(742));
    }

    #[test]
    fn garbage_and_wrong_shapes_are_errors() {
        for doc in [
            &b"\x00\x01 not json"[..],
            b"{\"foo\": 1}",
            b"[1, 2]",
            b"{\"spans\": 5}",
            b"{\"info\": 5}",
            b"{\"data\": {\"spans\": [{\"span_id\": 7}]}}",
        ] {
            let mut b = StoreBuilder::new();
            assert!(
                parse(doc, &mut b).is_err(),
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
        // A span without ids is skipped with a warning, not an error.
        let mut b = StoreBuilder::new();
        assert!(parse(br#"{"spans": [{"name": "x"}]}"#, &mut b).is_ok());
        let (store, warnings) = b.finish();
        assert_eq!(store.span_count(), 0);
        assert_eq!(warnings.count(WarningKind::MissingId), 1);
    }

    #[test]
    fn escaped_values_non_json_values_and_missing_times() {
        let doc = br#"{"info": {"trace_id": "tr-0af7651916cd43dd8448eb211c80319c",
            "request_time": "2026-11-21T10:48:30.289Z", "state": "OK"},
          "data": {"spans": [{"span_id": "AAAAAAAAAAE=", "name": "s",
            "attributes": {"a": "\"l1\\nl2 caf\\u00e9\"", "b": "NaN", "c": 5,
                           "mlflow.spanType": "\"TOOL\""}}]}}"#;
        let s = open("x.json", doc.to_vec());
        assert_eq!(s.store.span_count(), 1);
        assert_eq!(s.store.spans.start_nanos[0], 1_795_258_110_289_000_000);
        assert_eq!(s.report.warnings.count(WarningKind::BadValue), 1);
        assert_eq!(s.store.spans.kind[0], SpanKind::Tool);
        assert_eq!(attr_text(&s, 0, "a"), "l1\nl2 café");
        assert_eq!(attr_text(&s, 0, "b"), "NaN");
        assert_eq!(attr(&s, 0, "c"), Some(AttrValue::Int(5)));
    }

    #[test]
    fn sniffers_tell_mlflow_from_otlp_and_phoenix() {
        let sniff = |format: &Format, rel: &str| {
            let bytes = fixture(rel);
            let probe = ProbeData::new("", &bytes);
            matches!((format.sniff)(&probe.probe()), Sniff::Yes(_))
        };
        let trace = "mlflow-json/dspy-react.mlflow-trace-single.json";
        let list = "mlflow-json/dspy-rag.mlflow-traces.json";
        let artifact = "mlflow-artifacts/dspy-rag.tr-59e30f988b827b70789b12fbfbc4587e.traces.json";
        assert!(sniff(&MLFLOW_JSON, trace) && sniff(&MLFLOW_JSON, list));
        assert!(!sniff(&MLFLOW_JSON, artifact) && sniff(&MLFLOW_ARTIFACT, artifact));
        assert!(!sniff(&MLFLOW_ARTIFACT, trace) && !sniff(&MLFLOW_ARTIFACT, list));
        for other in [
            "phoenix-json/dspy-rag.phoenix-otlpv1.json",
            "phoenix-json/dspy-rag.phoenix-spans.json",
            "otlp-protojson/dspy-rag.openinference.protojson.json",
        ] {
            assert!(!fixture(other).is_empty(), "{other} missing");
            assert!(
                !sniff(&MLFLOW_JSON, other) && !sniff(&MLFLOW_ARTIFACT, other),
                "{other}"
            );
        }
    }
}
