//! The span JSON of Phoenix's `GET /v1/projects/{project}/spans` listing,
//! borrowed from the input, and how one span goes into the builder. The page
//! around it, sniffing and the `/otlpv1` variant live in `phoenix.rs`.

use super::json::{self, Fields};
use super::semconv::{Scalar, Semantics};
use super::time;
use crate::model::{AttrValue, SpanDraft, StatusCode, StoreBuilder, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize)]
pub struct PhoenixSpan<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    context: Option<SpanContext<'a>>,
    #[serde(borrow, default)]
    span_kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    start_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    end_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    status_message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    attributes: Option<Fields<'a>>,
    #[serde(borrow, default)]
    events: Option<Vec<PhoenixEvent<'a>>>,
}

#[derive(Deserialize, Default)]
struct SpanContext<'a> {
    #[serde(borrow, default)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    span_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PhoenixEvent<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    attributes: Option<Fields<'a>>,
}

/// Stores one attribute as the file types it and lets the shared
/// vocabularies read it. `null` values carry nothing and are dropped.
pub(crate) fn put_attr(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    raw: &RawValue,
) {
    if raw.get() == "null" {
        return;
    }
    if let Some((text, t)) = json::raw_string(b, raw) {
        sem.see(d, key, Scalar::Str(&text, t));
        b.attr(key, AttrValue::Str(t));
        return;
    }
    let value = json::attr_from_raw(b, raw);
    let scalar = match value {
        AttrValue::Int(i) => Scalar::Int(i),
        AttrValue::Float(f) => Scalar::Float(f),
        AttrValue::Bool(v) => Scalar::Bool(v),
        AttrValue::Str(_) | AttrValue::Json(_) => Scalar::Other,
    };
    sem.see(d, key, scalar);
    b.attr(key, value);
}

/// An ISO 8601 time in ns; a time that is there but unreadable is a warning.
fn iso_nanos(b: &mut StoreBuilder, text: Option<&str>, what: &str, record: u64) -> Option<i64> {
    let text = text?;
    let nanos = time::iso8601_nanos(text);
    if nanos.is_none() {
        b.warn_with(WarningKind::BadValue, None, || {
            format!("span {record} of \"data\": {what} {text:?} is not an ISO 8601 time")
        });
    }
    nanos
}

pub fn commit_phoenix_span(b: &mut StoreBuilder, span: PhoenixSpan<'_>, record: u64) {
    b.begin_span();
    let mut d = SpanDraft::new();
    let context = span.context.unwrap_or_default();
    d.trace_id = context.trace_id.map(Cow::into_owned).unwrap_or_default();
    d.span_id = context.span_id.map(Cow::into_owned).unwrap_or_default();
    d.parent_id = span.parent_id.map(Cow::into_owned).unwrap_or_default();
    d.name = b.intern(span.name.as_deref().unwrap_or(""));
    d.start_nanos = iso_nanos(b, span.start_time.as_deref(), "start_time", record).unwrap_or(0);
    d.end_nanos =
        iso_nanos(b, span.end_time.as_deref(), "end_time", record).unwrap_or(d.start_nanos);

    let mut sem = Semantics::default();
    // Phoenix's row id is not the OTel span id; kept so a user can find the
    // span in Phoenix.
    if let Some(raw) = span.id {
        put_attr(b, &mut sem, &mut d, "phoenix.id", raw);
    }
    // Phoenix moves `openinference.span.kind` out of the attributes into
    // `span_kind`; put it back under its OpenInference key, as in OTLP.
    if let Some(raw) = span.span_kind {
        put_attr(b, &mut sem, &mut d, "openinference.span.kind", raw);
    }
    for (key, raw) in span.attributes.unwrap_or_default().0 {
        put_attr(b, &mut sem, &mut d, &key, raw);
    }

    if let Some(code) = span.status_code.as_deref() {
        match StatusCode::from_label(code) {
            Some(status) => d.status = status,
            None => b.warn_with(WarningKind::BadValue, None, || {
                format!("span {record} of \"data\": unknown status_code {code:?}")
            }),
        }
    }
    if let Some((message, t)) = span.status_message.and_then(|m| json::raw_string(b, m)) {
        if !message.is_empty() {
            d.status_message = Some(t);
        }
    }

    for event in span.events.unwrap_or_default() {
        let at = iso_nanos(b, event.timestamp.as_deref(), "event timestamp", record);
        b.event(
            event.name.as_deref().unwrap_or(""),
            at.unwrap_or(d.start_nanos),
        );
        for (key, raw) in event.attributes.unwrap_or_default().0 {
            if raw.get() != "null" {
                let value = json::attr_from_raw(b, raw);
                b.event_attr(&key, value);
            }
        }
    }
    sem.finish(b, &mut d);
    b.commit_span(d, None);
}
