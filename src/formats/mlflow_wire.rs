//! MLflow span and trace-info wire structs, borrowed from the input, and how
//! one span or one `info` block goes into the builder. Shared by
//! `mlflow-json` (`Trace.to_json()`) and `mlflow-artifact` (`traces.json`).
//!
//! MLflow writes every span attribute value as JSON text inside a JSON string
//! (`"mlflow.spanType": "\"CHAIN\""`, `"temperature": "0.0"`,
//! `"mlflow.spanInputs": "{…}"`). [`put_attr`] decodes each value once and
//! keeps it as a byte range into the file wherever the bytes allow.

use super::json::{attr_from_raw, raw_string, Fields, Int64};
use super::semconv::{Scalar, Semantics};
use super::time::iso8601_nanos;
use crate::model::{
    AttrValue, Location, SpanDraft, StatusCode, StoreBuilder, TextEncoding, TextRef, WarningKind,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize, Default)]
pub struct WireSpan<'a> {
    #[serde(borrow, default)]
    pub trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub parent_span_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// JSON integers above 2^53: read as i64, never through f64.
    #[serde(default)]
    pub start_time_unix_nano: Option<Int64>,
    #[serde(default)]
    pub end_time_unix_nano: Option<Int64>,
    #[serde(borrow, default)]
    pub status: Option<WireStatus<'a>>,
    #[serde(borrow, default)]
    pub events: Option<Vec<WireEvent<'a>>>,
    #[serde(borrow, default)]
    pub attributes: Option<Fields<'a>>,
}

#[derive(Deserialize)]
pub struct WireStatus<'a> {
    #[serde(borrow, default)]
    pub code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub message: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub struct WireEvent<'a> {
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(default)]
    pub time_unix_nano: Option<Int64>,
    /// Plain JSON values here, unlike span attributes.
    #[serde(borrow, default)]
    pub attributes: Option<Fields<'a>>,
}

/// What the `info` block of a trace says that its spans may need.
#[derive(Clone, Debug, Default)]
pub struct TraceContext {
    /// `info.trace_id` (`tr-<hex>`), for spans that lack their own.
    pub trace_id: Option<String>,
    /// `info.request_time`, for spans that lack a start time.
    pub request_nanos: Option<i64>,
}

/// Sends `info` to the trace's metadata: every scalar field as it is,
/// `trace_metadata` and `tags` entries under their own keys, assessments as
/// `assessment.<name>`. Returns what the spans of the trace may need.
pub fn commit_info(b: &mut StoreBuilder, info: &Fields<'_>) -> TraceContext {
    let trace_id = info
        .get("trace_id")
        .or_else(|| info.get("request_id"))
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    let Some(trace_id) = trace_id else {
        b.warn(
            WarningKind::MissingId,
            None,
            "an MLflow trace \"info\" block has no trace_id; its metadata was skipped",
        );
        return TraceContext::default();
    };
    let request_nanos = info
        .get("request_time")
        .and_then(|raw| serde_json::from_str::<Cow<str>>(raw.get()).ok())
        .and_then(|t| iso8601_nanos(&t));
    for (key, raw) in &info.0 {
        match key.as_ref() {
            "trace_id" | "request_id" => {}
            "trace_metadata" | "tags" | "request_metadata" => {
                match serde_json::from_str::<Fields>(raw.get()) {
                    Ok(entries) => {
                        for (k, v) in &entries.0 {
                            let value = meta_value(b, v);
                            b.trace_meta(&trace_id, k, value);
                        }
                    }
                    Err(_) => {
                        let value = attr_from_raw(b, raw);
                        b.trace_meta(&trace_id, key, value);
                    }
                }
            }
            "assessments" => commit_assessments(b, &trace_id, raw),
            _ => commit_nested(b, &trace_id, key, raw, 0),
        }
    }
    TraceContext {
        trace_id: Some(trace_id),
        request_nanos,
    }
}

/// Stores a value under `key`, an object as one entry per member with dotted
/// keys (`trace_location.mlflow_experiment.experiment_id`), so no
/// multi-line JSON ends up in a one-line metadata row.
fn commit_nested(b: &mut StoreBuilder, trace_id: &str, key: &str, raw: &RawValue, depth: u32) {
    const MAX_DEPTH: u32 = 3;
    if depth < MAX_DEPTH && raw.get().starts_with('{') {
        if let Ok(fields) = serde_json::from_str::<Fields>(raw.get()) {
            for (k, v) in &fields.0 {
                commit_nested(b, trace_id, &format!("{key}.{k}"), v, depth + 1);
            }
            return;
        }
    }
    let value = attr_from_raw(b, raw);
    b.trace_meta(trace_id, key, value);
}

/// `trace_metadata` values are strings, some of them JSON documents
/// (`mlflow.trace.tokenUsage`, `mlflow.traceInputs`): shown as JSON.
fn meta_value(b: &mut StoreBuilder, raw: &RawValue) -> AttrValue {
    match raw_string(b, raw) {
        Some((text, t)) if text.starts_with(['{', '[']) => AttrValue::Json(t),
        Some((_, t)) => AttrValue::Str(t),
        None => attr_from_raw(b, raw),
    }
}

#[derive(Deserialize)]
struct WireAssessment<'a> {
    #[serde(borrow, default)]
    assessment_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    feedback: Option<WireAssessmentValue<'a>>,
    #[serde(borrow, default)]
    expectation: Option<WireAssessmentValue<'a>>,
}

#[derive(Deserialize)]
struct WireAssessmentValue<'a> {
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

fn commit_assessments(b: &mut StoreBuilder, trace_id: &str, raw: &RawValue) {
    let Ok(list) = serde_json::from_str::<Vec<WireAssessment>>(raw.get()) else {
        let value = attr_from_raw(b, raw);
        b.trace_meta(trace_id, "assessments", value);
        return;
    };
    for assessment in list {
        let value = assessment
            .feedback
            .or(assessment.expectation)
            .and_then(|v| v.value);
        if let (Some(name), Some(value)) = (assessment.assessment_name, value) {
            let value = attr_from_raw(b, value);
            b.trace_meta(trace_id, &format!("assessment.{name}"), value);
        }
    }
}

/// Sends one wire span to the builder.
pub fn commit_span(
    b: &mut StoreBuilder,
    span: WireSpan<'_>,
    trace: &TraceContext,
    at: Option<Location>,
) {
    b.begin_span();
    let mut d = SpanDraft::new();
    let name = span.name.as_deref().unwrap_or("");
    d.trace_id = match span.trace_id {
        Some(id) => id.into_owned(),
        None => trace.trace_id.clone().unwrap_or_default(),
    };
    d.span_id = span.span_id.map(Cow::into_owned).unwrap_or_default();
    d.parent_id = span.parent_span_id.map(Cow::into_owned).unwrap_or_default();
    d.name = b.intern(name);
    d.start_nanos = match (span.start_time_unix_nano, trace.request_nanos) {
        (Some(t), _) => t.0,
        (None, fallback) => {
            b.warn_with(WarningKind::BadValue, at, || {
                format!(
                    "span {name:?} has no start_time_unix_nano; the trace's request_time is used"
                )
            });
            fallback.unwrap_or_default()
        }
    };
    d.end_nanos = span.end_time_unix_nano.map_or(d.start_nanos, |t| t.0);

    let mut sem = Semantics::default();
    for (key, raw) in span.attributes.iter().flat_map(|a| a.0.iter()) {
        put_attr(b, &mut sem, &mut d, key, raw);
    }
    let mut exception_message = None;
    for event in span.events.iter().flatten() {
        let time = event.time_unix_nano.map_or(d.start_nanos, |t| t.0);
        b.event(event.name.as_deref().unwrap_or(""), time);
        for (key, raw) in event.attributes.iter().flat_map(|a| a.0.iter()) {
            let value = attr_from_raw(b, raw);
            if key == "exception.message" && exception_message.is_none() {
                if let AttrValue::Str(t) = value {
                    exception_message = Some(t);
                }
            }
            b.event_attr(key, value);
        }
    }
    if let Some(status) = &span.status {
        apply_status(b, &mut d, status, at);
    }
    // MLflow leaves `status.message` empty and puts the error in the
    // `exception` event; show that as the span's error message.
    if d.status == StatusCode::Error && d.status_message.is_none() {
        d.status_message = exception_message;
    }
    sem.finish(b, &mut d);
    b.commit_span(d, at);
}

fn apply_status(
    b: &mut StoreBuilder,
    d: &mut SpanDraft,
    status: &WireStatus<'_>,
    at: Option<Location>,
) {
    if let Some(code) = &status.code {
        match StatusCode::from_label(code) {
            Some(code) => d.status = code,
            None => b.warn(
                WarningKind::BadValue,
                at,
                format!("unknown status code {code:?}"),
            ),
        }
    }
    if let Some((text, t)) = status.message.and_then(|m| raw_string(b, m)) {
        if !text.is_empty() {
            d.status_message = Some(t);
        }
    }
}

/// Stores one span attribute, decoded once, and lets the shared vocabularies
/// interpret the decoded value.
pub fn put_attr(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    raw: &RawValue,
) {
    let Some((text, outer)) = raw_string(b, raw) else {
        // A plain JSON value: a writer that skipped MLflow's encoding.
        let value = attr_from_raw(b, raw);
        put_value(b, sem, d, key, value);
        return;
    };
    let inner = text.trim();
    match inner.as_bytes().first() {
        // A JSON string inside the string: `"\"CHAIN\""` → `CHAIN`.
        Some(b'"') => match serde_json::from_str::<String>(inner) {
            Ok(decoded) => {
                let t = inner_string_ref(b, raw, &decoded);
                sem.see(d, key, Scalar::Str(&decoded, t));
                b.attr(key, AttrValue::Str(t));
            }
            Err(_) => plain_text(b, sem, d, key, &text, outer),
        },
        // An object or array: the outer string decodes to its JSON text.
        Some(b'{' | b'[') => {
            sem.see(d, key, Scalar::Str(&text, outer));
            b.attr(key, AttrValue::Json(outer));
        }
        Some(b't') if inner == "true" => put_value(b, sem, d, key, AttrValue::Bool(true)),
        Some(b'f') if inner == "false" => put_value(b, sem, d, key, AttrValue::Bool(false)),
        Some(b'n') if inner == "null" => {
            sem.see(d, key, Scalar::Other);
            b.attr(key, AttrValue::Json(outer));
        }
        Some(b'-' | b'0'..=b'9') => {
            if let Ok(i) = inner.parse::<i64>() {
                put_value(b, sem, d, key, AttrValue::Int(i));
            } else if let Ok(f) = inner.parse::<f64>() {
                put_value(b, sem, d, key, AttrValue::Float(f));
            } else {
                plain_text(b, sem, d, key, &text, outer);
            }
        }
        // Not JSON text (`NaN`, or a writer that stored plain strings).
        _ => plain_text(b, sem, d, key, &text, outer),
    }
}

/// Stores a value that is not text; only numbers and booleans are interpreted.
fn put_value(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    v: AttrValue,
) {
    let scalar = match v {
        AttrValue::Int(i) => Scalar::Int(i),
        AttrValue::Float(f) => Scalar::Float(f),
        AttrValue::Bool(v) => Scalar::Bool(v),
        AttrValue::Str(_) | AttrValue::Json(_) => Scalar::Other,
    };
    sem.see(d, key, scalar);
    b.attr(key, v);
}

fn plain_text(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    text: &str,
    t: TextRef,
) {
    sem.see(d, key, Scalar::Str(text, t));
    b.attr(key, AttrValue::Str(t));
}

/// Where the decoded inner string lives: the file bytes between the escaped
/// quotes (`\"CHAIN\"`) when nothing in between is escaped, else a copy.
fn inner_string_ref(b: &mut StoreBuilder, raw: &RawValue, decoded: &str) -> TextRef {
    let middle = raw
        .get()
        .strip_prefix("\"\\\"")
        .and_then(|s| s.strip_suffix("\\\"\""))
        .filter(|s| !s.contains('\\'));
    match middle {
        Some(m) if m == decoded => b.text(m, TextEncoding::Plain),
        _ => b.owned_text(decoded.as_bytes(), TextEncoding::Plain),
    }
}
