//! One Langfuse read-API observation → one span, and a Langfuse trace's
//! fields → trace metadata. Used by `langfuse_api` for every shape it reads.
//!
//! Observation fields are stored and interpreted under the attribute names
//! the Langfuse SDK writes over OpenTelemetry (`langfuse.observation.type`,
//! `.level`, `.model.name`, `.usage_details`…), through the shared
//! [`Semantics`], so kinds, errors, tokens and costs map exactly as they do
//! for the SDK's OTLP export. Times: ISO 8601; `latency` and
//! `timeToFirstToken` are seconds.

use super::json::{attr_from_raw, raw_string, Float64};
use super::semconv::{Scalar, Semantics};
use super::time::{iso8601_nanos, seconds_nanos};
use crate::model::{AttrValue, SpanDraft, StoreBuilder, TextEncoding, WarningKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

/// An observation as `ObservationsView` (trace endpoint) or the v2
/// observations endpoint writes it; every field may be missing or null.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct WireObservation<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    trace_id: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    start_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    end_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    completion_start_time: Option<&'a RawValue>,
    #[serde(borrow)]
    parent_observation_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    level: Option<&'a RawValue>,
    #[serde(borrow)]
    status_message: Option<&'a RawValue>,
    #[serde(borrow)]
    model: Option<&'a RawValue>,
    #[serde(borrow)]
    model_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow)]
    output: Option<&'a RawValue>,
    #[serde(borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow)]
    usage_details: Option<&'a RawValue>,
    #[serde(borrow)]
    cost_details: Option<&'a RawValue>,
    /// Deprecated `{input, output, total, unit}`; read when `usageDetails` is absent.
    #[serde(borrow)]
    usage: Option<&'a RawValue>,
    calculated_total_cost: Option<Float64>,
    /// v2 observations: USD.
    total_cost: Option<Float64>,
    latency: Option<Float64>,
    time_to_first_token: Option<Float64>,
    #[serde(borrow)]
    prompt_name: Option<&'a RawValue>,
    #[serde(borrow)]
    prompt_version: Option<&'a RawValue>,
    #[serde(borrow)]
    environment: Option<&'a RawValue>,
    // Trace fields repeated on every v2 observation.
    #[serde(borrow)]
    trace_name: Option<&'a RawValue>,
    #[serde(borrow)]
    user_id: Option<&'a RawValue>,
    #[serde(borrow)]
    session_id: Option<&'a RawValue>,
    #[serde(borrow)]
    tags: Option<&'a RawValue>,
    #[serde(borrow)]
    release: Option<&'a RawValue>,
}

/// `null`, `{}` and `[]` carry nothing (Langfuse writes `{}` for the
/// usage and cost of observations that are not generations).
fn is_empty_json(raw: &RawValue) -> bool {
    let text = raw.get();
    text == "null" || {
        let mut chars = text.chars().filter(|c| !c.is_ascii_whitespace());
        matches!(
            (chars.next(), chars.next(), chars.next()),
            (Some('{'), Some('}'), None) | (Some('['), Some(']'), None)
        )
    }
}

/// Lets the shared vocabularies read `key = raw` (JSON objects are given as
/// their text, as the SDK sends them over OTLP) and returns the value to store.
fn see(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    raw: Option<&RawValue>,
) -> Option<AttrValue> {
    let raw = raw.filter(|r| !is_empty_json(r))?;
    if let Some((text, t)) = raw_string(b, raw) {
        sem.see(d, key, Scalar::Str(&text, t));
        return Some(AttrValue::Str(t));
    }
    let value = attr_from_raw(b, raw);
    let scalar = match value {
        AttrValue::Int(i) => Scalar::Int(i),
        AttrValue::Float(f) => Scalar::Float(f),
        AttrValue::Bool(v) => Scalar::Bool(v),
        AttrValue::Str(t) | AttrValue::Json(t) => Scalar::Str(raw.get(), t),
    };
    sem.see(d, key, scalar);
    Some(value)
}

fn see_and_keep(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    key: &str,
    raw: Option<&RawValue>,
) {
    if let Some(value) = see(b, sem, d, key, raw) {
        b.attr(key, value);
    }
}

/// Deprecated usage that counts nothing (every span has `{0, 0, 0}`).
fn counts_tokens(raw: &RawValue) -> bool {
    #[derive(Deserialize)]
    struct Usage {
        input: Option<u64>,
        output: Option<u64>,
        total: Option<u64>,
    }
    serde_json::from_str::<Usage>(raw.get())
        .is_ok_and(|u| u.input.or(u.output).or(u.total).unwrap_or(0) > 0)
}

/// Sends one observation to the builder. `fallback_trace` is the enclosing
/// trace's id; `traces_seen` (v2 pages only) makes the trace fields that
/// each observation repeats land once per trace.
pub(crate) fn commit_observation(
    b: &mut StoreBuilder,
    o: &WireObservation<'_>,
    fallback_trace: Option<&str>,
    traces_seen: Option<&mut HashSet<String>>,
) {
    let trace = o.trace_id.as_deref().or(fallback_trace).unwrap_or("");
    if let Some(seen) = traces_seen {
        if !trace.is_empty() && seen.insert(trace.to_owned()) {
            let fields = [
                ("name", o.trace_name),
                ("userId", o.user_id),
                ("sessionId", o.session_id),
                ("tags", o.tags),
                ("release", o.release),
            ];
            let fields = fields
                .into_iter()
                .filter_map(|(k, v)| Some((Cow::Borrowed(k), v?)));
            commit_trace_fields(b, trace, fields);
        }
    }

    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = trace.to_owned();
    d.span_id = o.id.as_deref().unwrap_or("").to_owned();
    d.parent_id = o.parent_observation_id.as_deref().unwrap_or("").to_owned();
    d.name = b.intern(o.name.as_deref().unwrap_or(""));
    let start = o.start_time.as_deref().and_then(iso8601_nanos);
    if start.is_none() {
        let id = &d.span_id;
        b.warn(
            WarningKind::BadValue,
            None,
            format!("observation {id} has no readable startTime; placed at the epoch"),
        );
    }
    d.start_nanos = start.unwrap_or(0);
    // An EVENT has no end: zero duration, unless a latency says otherwise.
    let by_latency = o
        .latency
        .and_then(|l| seconds_nanos(l.0))
        .map(|l| d.start_nanos + l);
    d.end_nanos = o
        .end_time
        .as_deref()
        .and_then(iso8601_nanos)
        .or(by_latency)
        .unwrap_or(d.start_nanos);

    let mut sem = Semantics::default();
    if let Some(kind) = o.kind.as_deref() {
        let t = b.text(kind, TextEncoding::Plain);
        sem.see(
            &mut d,
            "langfuse.observation.type",
            Scalar::Str(&kind.to_ascii_lowercase(), t),
        );
        b.attr("langfuse.observation.type", AttrValue::Str(t));
    }
    let s = &mut sem;
    see_and_keep(b, s, &mut d, "langfuse.observation.level", o.level);
    let message = o.status_message;
    see_and_keep(b, s, &mut d, "langfuse.observation.status_message", message);
    see_and_keep(b, s, &mut d, "langfuse.observation.model.name", o.model);
    let params = o.model_parameters;
    see_and_keep(
        b,
        s,
        &mut d,
        "langfuse.observation.model.parameters",
        params,
    );
    see(b, s, &mut d, "langfuse.observation.input", o.input);
    see(b, s, &mut d, "langfuse.observation.output", o.output);
    let usage = match o.usage_details.filter(|u| !is_empty_json(u)) {
        Some(details) => Some(details),
        None => o.usage.filter(|u| counts_tokens(u)),
    };
    see_and_keep(b, s, &mut d, "langfuse.observation.usage_details", usage);
    see_and_keep(
        b,
        s,
        &mut d,
        "langfuse.observation.cost_details",
        o.cost_details,
    );
    if d.cost_usd.is_none() {
        // Zero here means "not priced", as Langfuse writes 0 for spans.
        let cost = [o.calculated_total_cost, o.total_cost];
        d.cost_usd = cost.into_iter().flatten().map(|c| c.0).find(|&c| c > 0.0);
    }
    let first_token = o.completion_start_time;
    see_and_keep(
        b,
        s,
        &mut d,
        "langfuse.observation.completion_start_time",
        first_token,
    );
    if let Some(ttft) = o.time_to_first_token.filter(|t| t.0.is_finite()) {
        b.attr(
            "langfuse.observation.time_to_first_token_seconds",
            AttrValue::Float(ttft.0),
        );
    }
    see_and_keep(
        b,
        s,
        &mut d,
        "langfuse.observation.prompt.name",
        o.prompt_name,
    );
    let version = o.prompt_version;
    see_and_keep(b, s, &mut d, "langfuse.observation.prompt.version", version);
    see_and_keep(b, s, &mut d, "langfuse.environment", o.environment);
    if let Some(metadata) = o.metadata.filter(|m| !is_empty_json(m)) {
        put_object(b, "langfuse.observation.metadata", metadata, |b, k, v| {
            b.attr(k, v)
        });
    }
    sem.finish(b, &mut d);
    b.commit_span(d, None);
}

/// `{"k": v, …}` → `<prefix>.k = v` (keys sorted); any other value → `<prefix> = v`.
fn put_object(
    b: &mut StoreBuilder,
    prefix: &str,
    raw: &RawValue,
    mut put: impl FnMut(&mut StoreBuilder, &str, AttrValue),
) {
    match serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) {
        Ok(entries) => {
            for (key, value) in entries {
                if value.get() != "null" {
                    let value = attr_from_raw(b, value);
                    put(b, &format!("{prefix}.{key}"), value);
                }
            }
        }
        Err(_) => {
            let value = attr_from_raw(b, raw);
            put(b, prefix, value);
        }
    }
}

/// Trace fields of the read API → trace metadata, named as the SDK names
/// them over OTLP (`user.id`, `session.id`, `langfuse.trace.*`). Unknown
/// keys (`projectId`, `createdAt`, `bookmarked`…) are skipped.
pub(crate) fn commit_trace_fields<'a>(
    b: &mut StoreBuilder,
    trace: &str,
    fields: impl Iterator<Item = (Cow<'a, str>, &'a RawValue)>,
) {
    for (key, raw) in fields {
        if is_empty_json(raw) {
            continue;
        }
        let meta_key = match key.as_ref() {
            "name" => "langfuse.trace.name",
            "timestamp" => "langfuse.trace.timestamp",
            "userId" => "user.id",
            "sessionId" => "session.id",
            "tags" => "langfuse.trace.tags",
            "release" => "langfuse.release",
            "version" => "langfuse.version",
            "environment" => "langfuse.environment",
            "public" => "langfuse.trace.public",
            "htmlPath" => "langfuse.trace.html_path",
            "latency" => "langfuse.trace.latency_seconds",
            "totalCost" => "langfuse.trace.total_cost_usd",
            "input" => "langfuse.trace.input",
            "output" => "langfuse.trace.output",
            "metadata" => {
                put_object(b, "langfuse.trace.metadata", raw, |b, k, v| {
                    b.trace_meta(trace, k, v)
                });
                continue;
            }
            _ => continue,
        };
        let value = attr_from_raw(b, raw);
        b.trace_meta(trace, meta_key, value);
    }
}
