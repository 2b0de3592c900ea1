//! OTLP span wire structs, borrowed from the input, and how one span goes
//! into the builder. Shared by OTLP JSON, OTLP protobuf-JSON, OTLP JSON lines
//! and Phoenix's `/spans/otlpv1` listing.
//!
//! Accepts both spellings the tools write: the spec JSON mapping (hex ids,
//! integer enums, camelCase) and protobuf's printers (base64 ids, enum names,
//! snake_case, every `AnyValue` variant present with `null`s).

use super::json::{raw_string, Float64, Int64};
use super::semconv::{Scalar, Semantics};
use crate::model::{
    AttrValue, Location, SpanDraft, StatusCode, StoreBuilder, Sym, TextEncoding, WarningKind,
};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WireSpan<'a> {
    #[serde(borrow, default, alias = "trace_id")]
    pub trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "span_id")]
    pub span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, alias = "parent_span_id")]
    pub parent_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub kind: Option<&'a RawValue>,
    #[serde(default, alias = "start_time_unix_nano")]
    pub start_time_unix_nano: Option<Int64>,
    #[serde(default, alias = "end_time_unix_nano")]
    pub end_time_unix_nano: Option<Int64>,
    #[serde(borrow, default)]
    pub attributes: Option<Vec<KeyValue<'a>>>,
    #[serde(borrow, default)]
    pub events: Option<Vec<WireEvent<'a>>>,
    #[serde(borrow, default)]
    pub status: Option<WireStatus<'a>>,
}

#[derive(Deserialize)]
pub struct KeyValue<'a> {
    #[serde(borrow)]
    pub key: Cow<'a, str>,
    #[serde(borrow, default)]
    pub value: Option<AnyValue<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireEvent<'a> {
    #[serde(default, alias = "time_unix_nano")]
    pub time_unix_nano: Option<Int64>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub attributes: Option<Vec<KeyValue<'a>>>,
}

#[derive(Deserialize)]
pub struct WireStatus<'a> {
    #[serde(borrow, default)]
    pub code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub message: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
pub struct WireResource<'a> {
    #[serde(borrow, default)]
    pub attributes: Option<Vec<KeyValue<'a>>>,
}

/// One OTLP `AnyValue`: exactly one of its variant keys is set (protobuf's
/// printers may also write the unused ones as `null`).
pub enum AnyValue<'a> {
    Str(&'a RawValue),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `arrayValue`, `kvlistValue`, `bytesValue`: kept as raw JSON.
    Json(&'a RawValue),
    Empty,
}

impl<'de: 'a, 'a> Deserialize<'de> for AnyValue<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an OTLP AnyValue object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<AnyValue<'de>, M::Error> {
                let mut out = AnyValue::Empty;
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "stringValue" | "string_value" => {
                            if let Some(raw) = map.next_value::<Option<&'de RawValue>>()? {
                                out = AnyValue::Str(raw);
                            }
                        }
                        "intValue" | "int_value" => {
                            if let Some(v) = map.next_value::<Option<Int64>>()? {
                                out = AnyValue::Int(v.0);
                            }
                        }
                        "doubleValue" | "double_value" => {
                            if let Some(v) = map.next_value::<Option<Float64>>()? {
                                out = AnyValue::Float(v.0);
                            }
                        }
                        "boolValue" | "bool_value" => {
                            if let Some(v) = map.next_value::<Option<bool>>()? {
                                out = AnyValue::Bool(v);
                            }
                        }
                        "arrayValue" | "array_value" | "kvlistValue" | "kvlist_value"
                        | "bytesValue" | "bytes_value" => {
                            if let Some(raw) = map.next_value::<Option<&'de RawValue>>()? {
                                out = AnyValue::Json(raw);
                            }
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<AnyValue<'de>, E> {
                Ok(AnyValue::Empty)
            }
        }
        d.deserialize_any(V)
    }
}

/// Stores one attribute and lets the shared vocabularies interpret it.
pub fn put_attr(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    kv: &KeyValue<'_>,
    store: impl Fn(&mut StoreBuilder, &str, AttrValue),
) {
    let key = kv.key.as_ref();
    let (value, scalar_text) = match &kv.value {
        Some(AnyValue::Str(raw)) => match raw_string(b, raw) {
            Some((text, t)) => (AttrValue::Str(t), Some((text, t))),
            None => return,
        },
        Some(AnyValue::Int(i)) => (AttrValue::Int(*i), None),
        Some(AnyValue::Float(f)) => (AttrValue::Float(*f), None),
        Some(AnyValue::Bool(v)) => (AttrValue::Bool(*v), None),
        Some(AnyValue::Json(raw)) => (
            AttrValue::Json(b.text(raw.get(), TextEncoding::JsonValue)),
            None,
        ),
        Some(AnyValue::Empty) | None => return,
    };
    let scalar = match (&scalar_text, value) {
        (Some((text, t)), _) => Scalar::Str(text, *t),
        (None, AttrValue::Int(i)) => Scalar::Int(i),
        (None, AttrValue::Float(f)) => Scalar::Float(f),
        (None, AttrValue::Bool(v)) => Scalar::Bool(v),
        _ => Scalar::Other,
    };
    sem.see(d, key, scalar);
    store(b, key, value);
}

/// Resource attributes that apply to every span of a `ResourceSpans` block.
#[derive(Clone, Debug)]
pub struct ResourceInfo {
    pub row: u32,
    pub service: Sym,
}

pub fn commit_resource(b: &mut StoreBuilder, resource: &WireResource<'_>) -> ResourceInfo {
    let mut service = Sym::EMPTY;
    for kv in resource.attributes.iter().flatten() {
        let mut sem = Semantics::default();
        let mut scratch = SpanDraft::new();
        put_attr(b, &mut sem, &mut scratch, kv, |b, k, v| {
            b.resource_attr(k, v)
        });
        if kv.key == "service.name" {
            sem.finish(b, &mut scratch);
            service = scratch.service;
        }
    }
    ResourceInfo {
        row: b.end_resource(),
        service,
    }
}

/// Sends one wire span to the builder.
pub fn commit_span(
    b: &mut StoreBuilder,
    span: WireSpan<'_>,
    resource: Option<&ResourceInfo>,
    at: Option<Location>,
) {
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = span.trace_id.map(Cow::into_owned).unwrap_or_default();
    d.span_id = span.span_id.map(Cow::into_owned).unwrap_or_default();
    d.parent_id = span.parent_span_id.map(Cow::into_owned).unwrap_or_default();
    d.name = b.intern(span.name.as_deref().unwrap_or(""));
    d.start_nanos = span.start_time_unix_nano.unwrap_or_default().0;
    d.end_nanos = span.end_time_unix_nano.map_or(d.start_nanos, |t| t.0);
    if let Some(res) = resource {
        d.resource = res.row;
        d.service = res.service;
    }
    let mut sem = Semantics::default();
    for kv in span.attributes.iter().flatten() {
        put_attr(b, &mut sem, &mut d, kv, |b, k, v| b.attr(k, v));
    }
    if let Some(kind) = span.kind.and_then(otel_kind_label) {
        let t = b.owned_text(kind.as_bytes(), TextEncoding::Plain);
        b.attr("span.kind", AttrValue::Str(t));
    }
    if let Some(status) = &span.status {
        if let Some(code) = status.code {
            let label = code.get().trim_matches('"');
            match StatusCode::from_label(label) {
                Some(code) => d.status = code,
                None => b.warn(
                    WarningKind::BadValue,
                    at,
                    format!("unknown status code {label}"),
                ),
            }
        }
        if let Some(message) = status.message.and_then(|m| raw_string(b, m)) {
            if !message.0.is_empty() {
                d.status_message = Some(message.1);
            }
        }
    }
    for event in span.events.iter().flatten() {
        let name = event.name.as_deref().unwrap_or("");
        b.event(name, event.time_unix_nano.unwrap_or_default().0);
        let mut ignored = SpanDraft::new();
        let mut ignored_sem = Semantics::default();
        for kv in event.attributes.iter().flatten() {
            put_attr(b, &mut ignored_sem, &mut ignored, kv, |b, k, v| {
                b.event_attr(k, v)
            });
        }
    }
    sem.finish(b, &mut d);
    b.commit_span(d, at);
}

/// OTel span kind as a word, or `None` for internal/unspecified (the usual case).
fn otel_kind_label(raw: &RawValue) -> Option<&'static str> {
    match raw.get().trim_matches('"') {
        "2" | "SPAN_KIND_SERVER" => Some("server"),
        "3" | "SPAN_KIND_CLIENT" => Some("client"),
        "4" | "SPAN_KIND_PRODUCER" => Some("producer"),
        "5" | "SPAN_KIND_CONSUMER" => Some("consumer"),
        _ => None,
    }
}
