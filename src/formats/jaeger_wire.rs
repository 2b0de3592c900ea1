//! Jaeger JSON wire structs, borrowed from the input, and how one span, its
//! typed tags, logs and process go into the builder.

use super::json::{attr_from_raw, raw_string, Int64};
use super::semconv::{Scalar, Semantics};
use super::time::micros_nanos;
use crate::model::ids::{canonical_id, IdKind};
use crate::model::{AttrValue, SpanDraft, StoreBuilder, Sym, TextEncoding, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSpan<'a> {
    #[serde(borrow, rename = "traceID")]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "spanID")]
    span_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    operation_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    references: Option<&'a RawValue>,
    start_time: Option<Int64>,
    duration: Option<Int64>,
    #[serde(borrow)]
    tags: Option<Vec<Tag<'a>>>,
    #[serde(borrow)]
    logs: Option<Vec<Log<'a>>>,
    #[serde(borrow, rename = "processID")]
    process_id: Option<Cow<'a, str>>,
    /// Inline process (the anonymizer's span arrays have no `processes` map).
    #[serde(borrow)]
    process: Option<&'a RawValue>,
    #[serde(borrow)]
    warnings: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Reference<'a> {
    #[serde(borrow, rename = "refType")]
    ref_type: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "traceID")]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "spanID")]
    span_id: Option<Cow<'a, str>>,
}

/// `{key, type, value}`; `type` is `string`, `bool`, `int64`, `float64` or
/// `binary` (base64). Some writers quote bools and big int64s.
#[derive(Deserialize)]
pub struct Tag<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Log<'a> {
    timestamp: Option<Int64>,
    #[serde(borrow)]
    fields: Option<Vec<Tag<'a>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Process<'a> {
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tags: Option<Vec<Tag<'a>>>,
}

/// A process committed as a resource row.
#[derive(Copy, Clone, Debug)]
pub struct ProcessInfo {
    pub row: u32,
    pub service: Sym,
}

impl ProcessInfo {
    /// The service name and the process tags become one resource, so they
    /// are stored once per process rather than once per span.
    pub fn commit(b: &mut StoreBuilder, process: &Process<'_>) -> ProcessInfo {
        let service = process.service_name.as_deref().unwrap_or("");
        if !service.is_empty() {
            let t = b.text(service, TextEncoding::Plain);
            b.resource_attr("service.name", AttrValue::Str(t));
        }
        for tag in process.tags.iter().flatten() {
            if let Some((value, _)) = tag_value(b, tag) {
                b.resource_attr(&tag.key, value);
            }
        }
        ProcessInfo {
            row: b.end_resource(),
            service: b.intern(service),
        }
    }
}

/// Processes of the trace being read (`processID` → resource), and inline
/// processes already seen (raw JSON text → resource), so that each distinct
/// process is one resource row.
#[derive(Default)]
pub struct Processes {
    pub by_id: HashMap<String, ProcessInfo>,
    inline: HashMap<String, ProcessInfo>,
}

impl Processes {
    fn inline(&mut self, b: &mut StoreBuilder, raw: &RawValue) -> Option<ProcessInfo> {
        if let Some(info) = self.inline.get(raw.get()) {
            return Some(*info);
        }
        let Ok(process) = serde_json::from_str::<Process>(raw.get()) else {
            b.warn(
                WarningKind::BadValue,
                None,
                "a span's inline process is not a {serviceName, tags} object; ignored",
            );
            return None;
        };
        let info = ProcessInfo::commit(b, &process);
        self.inline.insert(raw.get().to_string(), info);
        Some(info)
    }
}

impl WireSpan<'_> {
    pub fn commit(self, b: &mut StoreBuilder, processes: &mut Processes) {
        let name = self.operation_name.as_deref().unwrap_or("");
        let span_id = self.span_id.as_deref().unwrap_or("");
        let process = match (&self.process_id, self.process) {
            (Some(id), _) if processes.by_id.contains_key(id.as_ref()) => {
                processes.by_id.get(id.as_ref()).copied()
            }
            (_, Some(raw)) => processes.inline(b, raw),
            (Some(id), None) => {
                b.warn_with(WarningKind::BadValue, None, || {
                    format!("span {span_id} names process {id:?}, which the trace does not list")
                });
                None
            }
            (None, None) => None,
        };

        b.begin_span();
        let mut d = SpanDraft::new();
        d.trace_id = self.trace_id.as_deref().unwrap_or("").to_string();
        d.span_id = span_id.to_string();
        d.name = b.intern(name);
        if let Some(info) = process {
            d.resource = info.row;
            d.service = info.service;
        }
        d.start_nanos = nanos(b, self.start_time, span_id, "startTime");
        d.end_nanos = d.start_nanos + nanos(b, self.duration, span_id, "duration");
        if let Some(raw) = self.references {
            d.parent_id = parent(b, &d.trace_id, raw, span_id);
        }

        let mut sem = Semantics::default();
        for tag in self.tags.iter().flatten() {
            put_tag(b, &mut sem, &mut d, tag);
        }
        for log in self.logs.iter().flatten() {
            put_log(b, log, span_id, d.start_nanos);
        }
        if let Some(raw) = self.warnings.filter(|r| r.get() != "[]") {
            let t = b.text(raw.get(), TextEncoding::JsonValue);
            b.attr("warnings", AttrValue::Json(t));
        }
        sem.finish(b, &mut d);
        b.commit_span(d, None);
    }
}

/// µs → ns. A missing value is 0 (an absent duration is an instant); an
/// unusable one is 0 with a warning.
fn nanos(b: &mut StoreBuilder, micros: Option<Int64>, span: &str, field: &str) -> i64 {
    let Some(Int64(micros)) = micros else {
        if field == "startTime" {
            b.warn_with(WarningKind::BadValue, None, || {
                format!("span {span} has no startTime; placed at time 0")
            });
        }
        return 0;
    };
    micros_nanos(micros).unwrap_or_else(|| {
        b.warn_with(WarningKind::BadValue, None, || {
            format!("span {span}: {field} {micros} µs is out of range")
        });
        0
    })
}

/// The parent is the first `CHILD_OF` reference into the span's own trace,
/// else the first `FOLLOWS_FROM` one. References that are not the parent
/// (other traces, extra links) stay visible as the `references` attribute.
fn parent(b: &mut StoreBuilder, trace_id: &str, raw: &RawValue, span: &str) -> String {
    let refs = match serde_json::from_str::<Vec<Reference>>(raw.get()) {
        Ok(refs) => refs,
        Err(e) => {
            b.warn_with(WarningKind::BadValue, None, || {
                format!("span {span}: references are not readable ({e}); shown as a root")
            });
            return String::new();
        }
    };
    let own = canonical_id(trace_id, IdKind::Trace);
    let same_trace = |r: &&Reference| match r.trace_id.as_deref() {
        Some(t) if !t.is_empty() => canonical_id(t, IdKind::Trace) == own,
        _ => true,
    };
    let of_type = |ty: &str| {
        refs.iter()
            .filter(same_trace)
            .find(|r| r.ref_type.as_deref().unwrap_or("CHILD_OF") == ty)
    };
    let chosen = of_type("CHILD_OF").or_else(|| of_type("FOLLOWS_FROM"));
    let parent = chosen
        .and_then(|r| r.span_id.as_deref())
        .unwrap_or("")
        .to_string();
    if refs.len() > usize::from(chosen.is_some()) {
        let t = b.text(raw.get(), TextEncoding::JsonValue);
        b.attr("references", AttrValue::Json(t));
    }
    parent
}

/// Stores one span tag and lets the shared vocabularies interpret it.
fn put_tag(b: &mut StoreBuilder, sem: &mut Semantics, d: &mut SpanDraft, tag: &Tag<'_>) {
    let Some((value, text)) = tag_value(b, tag) else {
        return;
    };
    let scalar = match (&text, value) {
        (Some(text), AttrValue::Str(t)) => Scalar::Str(text, t),
        (_, AttrValue::Int(i)) => Scalar::Int(i),
        (_, AttrValue::Float(f)) => Scalar::Float(f),
        (_, AttrValue::Bool(v)) => Scalar::Bool(v),
        _ => Scalar::Other,
    };
    sem.see(d, &tag.key, scalar);
    b.attr(&tag.key, value);
}

/// A log is an event named by its `event` field (OpenTracing's convention,
/// also how OTLP→Jaeger writes event names), else "log".
fn put_log(b: &mut StoreBuilder, log: &Log<'_>, span: &str, span_start_nanos: i64) {
    let fields = log.fields.as_deref().unwrap_or_default();
    let name_field = fields
        .iter()
        .position(|f| f.key == "event" && f.value.is_some_and(|v| v.get().starts_with('"')));
    let name = name_field
        .and_then(|i| fields.get(i))
        .and_then(|f| f.value)
        .and_then(|raw| raw_string(b, raw))
        .map_or(Cow::Borrowed("log"), |(text, _)| text);
    let time_nanos = match log.timestamp {
        Some(_) => nanos(b, log.timestamp, span, "log timestamp"),
        None => span_start_nanos,
    };
    b.event(&name, time_nanos);
    for (i, field) in fields.iter().enumerate() {
        if Some(i) == name_field {
            continue;
        }
        if let Some((value, _)) = tag_value(b, field) {
            b.event_attr(&field.key, value);
        }
    }
}

/// A tag's value typed by its `type`, plus its decoded text when it is a
/// string (for [`Semantics`]). Binary values stay base64 text.
fn tag_value<'t>(b: &mut StoreBuilder, tag: &Tag<'t>) -> Option<(AttrValue, Option<Cow<'t, str>>)> {
    let raw = tag.value?;
    let ty = tag.ty.as_deref().unwrap_or("string");
    // Bools and int64s may be quoted (`"true"`, `"9223372036854775222"`).
    let bare = raw.get().trim_matches('"');
    let typed = match ty.to_ascii_lowercase().as_str() {
        "bool" => match bare {
            "true" => Some(AttrValue::Bool(true)),
            "false" => Some(AttrValue::Bool(false)),
            _ => None,
        },
        "int64" => bare.parse::<i64>().ok().map(AttrValue::Int),
        "float64" => bare.parse::<f64>().ok().map(AttrValue::Float),
        "binary" => raw_string(b, raw).map(|(_, t)| AttrValue::Str(t)),
        _ => {
            return Some(match raw_string(b, raw) {
                Some((text, t)) => (AttrValue::Str(t), Some(text)),
                None => (attr_from_raw(b, raw), None),
            })
        }
    };
    if typed.is_none() {
        b.warn_with(WarningKind::BadValue, None, || {
            format!(
                "tag {:?} says type {ty} but holds {}; kept as written",
                tag.key,
                raw.get()
            )
        });
    }
    Some((typed.unwrap_or_else(|| attr_from_raw(b, raw)), None))
}

#[cfg(test)]
mod tests {
    use crate::model::{AttrValue, SpanIdx, StatusCode, StoreBuilder, WarningKind};

    fn load_doc(doc: &str) -> (crate::model::Store, crate::model::WarningLog) {
        let mut b = StoreBuilder::new();
        let parsed = (super::super::jaeger::JAEGER_JSON.parse)(doc.as_bytes(), &mut b);
        assert!(parsed.is_ok(), "{parsed:?}");
        b.finish()
    }

    #[test]
    fn tags_are_typed_by_their_type_field() {
        let (store, _) = load_doc(
            r#"{"traceID": "1", "spans": [{"traceID": "1", "spanID": "2",
            "operationName": "op", "startTime": 10, "duration": 5, "tags": [
              {"key": "peer.ipv4", "type": "int64", "value": 23456},
              {"key": "javascript_limit", "type": "int64", "value": "9223372036854775222"},
              {"key": "temperature", "type": "float64", "value": 72.5},
              {"key": "error", "type": "bool", "value": "true"},
              {"key": "blob", "type": "binary", "value": "AAAwOQ=="},
              {"key": "gen_ai.usage.input_tokens", "type": "int64", "value": 7}]}]}"#,
        );
        let span = SpanIdx(0);
        assert_eq!(
            store.span_attr(span, "peer.ipv4"),
            Some(AttrValue::Int(23456))
        );
        assert_eq!(
            store.span_attr(span, "javascript_limit"),
            Some(AttrValue::Int(9_223_372_036_854_775_222))
        );
        assert_eq!(
            store.span_attr(span, "temperature"),
            Some(AttrValue::Float(72.5))
        );
        assert_eq!(store.span_attr(span, "error"), Some(AttrValue::Bool(true)));
        let blob = store
            .span_attr(span, "blob")
            .map(|v| store.attr_text(v).into_owned());
        assert_eq!(blob.as_deref(), Some("AAAwOQ=="));
        assert_eq!(store.spans.status[0], StatusCode::Error);
        assert_eq!(store.spans.tokens[0].input, Some(7));
        assert_eq!(
            (store.spans.start_nanos[0], store.spans.end_nanos[0]),
            (10_000, 15_000)
        );
    }

    #[test]
    fn follows_from_is_the_parent_only_without_child_of() {
        let (store, warnings) = load_doc(
            r#"[{"traceID": "1", "spanID": "a", "operationName": "root", "startTime": 1},
                {"traceID": "1", "spanID": "b", "operationName": "next", "startTime": 2,
                 "references": [{"refType": "FOLLOWS_FROM", "traceID": "1", "spanID": "a"}]},
                {"traceID": "1", "spanID": "c", "operationName": "x", "startTime": 3,
                 "references": [{"refType": "CHILD_OF", "traceID": "9", "spanID": "b"}]}]"#,
        );
        assert_eq!(
            store.spans.parent,
            vec![crate::model::NONE, 0, crate::model::NONE]
        );
        // The cross-trace reference is kept as an attribute, not followed.
        assert!(store.span_attr(SpanIdx(2), "references").is_some());
        assert_eq!(warnings.count(WarningKind::OrphanParent), 0);
    }

    #[test]
    fn a_span_naming_an_unknown_process_is_kept_with_a_warning() {
        let (store, warnings) = load_doc(
            r#"{"traceID": "1", "processes": {"p1": {"serviceName": "svc", "tags": []}},
                "spans": [{"traceID": "1", "spanID": "2", "operationName": "op",
                           "startTime": 1, "processID": "p7"}]}"#,
        );
        assert_eq!(store.span_count(), 1);
        assert_eq!(warnings.count(WarningKind::BadValue), 1);
        assert!(store.spans.service[0].is_empty());
    }
}
