//! OTLP trace exports: one `ExportTraceServiceRequest` as JSON (spec mapping
//! or protobuf's JSON printer), or many as JSON lines. Tempo's trace-by-id
//! JSON (`GET /api/traces/{id}`) is the same with the list named `batches`.
//!
//! Spans are streamed into the builder as they are read, so a file cut short
//! keeps every span before the cut, and no document tree is ever built.

use super::json::{self, lines};
use super::otlp_wire::{commit_resource, commit_span, ResourceInfo, WireResource, WireSpan};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{Location, StoreBuilder};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

pub const OTLP_JSON: Format = Format {
    id: "otlp-json",
    name: "OTLP JSON",
    producers: "OpenTelemetry OTLP/HTTP JSON exporters, OpenInference (Phoenix, DSPy instrumentor), Langtrace",
    sniff: sniff_json,
    parse: parse_document,
    content: Content::Json,
    spans_at: "resourceSpans[].scopeSpans[].spans[]",
};

pub const OTLP_PROTOJSON: Format = Format {
    id: "otlp-protojson",
    name: "OTLP protobuf as JSON",
    producers: "protobuf MessageToJson/MessageToDict of OTLP requests (Phoenix OTel exporter, Langfuse SDK)",
    sniff: sniff_protojson,
    parse: parse_document,
    content: Content::Json,
    spans_at: "resourceSpans[].scopeSpans[].spans[]",
};

pub const OTLP_JSONL: Format = Format {
    id: "otlp-jsonl",
    name: "OTLP JSON lines",
    producers: "OpenTelemetry file exporters (one export request per line)",
    sniff: sniff_jsonl,
    parse: parse_lines,
    content: Content::Json,
    spans_at: "resourceSpans[].scopeSpans[].spans[] of each line",
};

/// The request's list of `ResourceSpans`: the spec's `resourceSpans`,
/// protobuf's field name `resource_spans`, or Tempo's trace-by-id `batches`.
const RESOURCE_SPANS_KEYS: [&str; 3] = ["resourceSpans", "resource_spans", "batches"];

/// A top-level key (of the object, of an array's first request, or of the
/// first line) names the spans: a request wrapped in another object (a
/// Jaeger `{"result": …}`) is an envelope's business, not read as empty.
fn has_resource_spans(p: &Probe) -> bool {
    RESOURCE_SPANS_KEYS.iter().any(|k| p.has_top_key(k))
}

/// Protobuf's JSON printer writes ids in base64 and enums by name; the spec
/// mapping writes hex ids and integer enums. Decided by the first span id
/// (a `bytesValue` attribute is base64 in both).
fn protobuf_markers(head: &[u8]) -> bool {
    if json::contains(head, b"\"SPAN_KIND_") || json::contains(head, b"\"STATUS_CODE_") {
        return true;
    }
    for key in [
        &b"\"spanId\""[..],
        b"\"span_id\"",
        b"\"traceId\"",
        b"\"trace_id\"",
    ] {
        if let Some(id) = string_after(head, key) {
            return !id.iter().all(u8::is_ascii_hexdigit);
        }
    }
    false
}

/// The string value of the first `key` in an outline (`"key":"value"`).
fn string_after<'h>(head: &'h [u8], key: &[u8]) -> Option<&'h [u8]> {
    let at = memchr::memmem::find(head, key)? + key.len();
    let rest = head[at..].trim_ascii_start().strip_prefix(b":")?;
    let rest = rest.trim_ascii_start().strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    Some(&rest[..end])
}

fn sniff_json(p: &Probe) -> Sniff {
    if !has_resource_spans(p) {
        return Sniff::No("no top-level \"resourceSpans\" key");
    }
    if json::looks_like_jsonl(p.deep) {
        return Sniff::No("one request per line: JSON lines");
    }
    Sniff::Yes(60)
}

fn sniff_protojson(p: &Probe) -> Sniff {
    match sniff_json(p) {
        Sniff::Yes(_) if protobuf_markers(p.head) => Sniff::Yes(70),
        Sniff::Yes(_) => Sniff::No("hex ids and integer enums: spec JSON"),
        no => no,
    }
}

fn sniff_jsonl(p: &Probe) -> Sniff {
    if !has_resource_spans(p) {
        return Sniff::No("no top-level \"resourceSpans\" key");
    }
    if !json::looks_like_jsonl(p.deep) {
        return Sniff::No("not one JSON object per line");
    }
    Sniff::Yes(70)
}

/// One request (or a JSON array of requests).
fn parse_document(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = RequestSeed { b, line: None }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    result.map_err(|e| ParseError::json(bytes, &e))
}

/// One request per line; a broken line is skipped with a warning.
fn parse_lines(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let mut any = false;
    let mut last_error = None;
    for (number, line) in lines(bytes) {
        let before = b.span_count();
        let mut de = serde_json::Deserializer::from_slice(line);
        let result = RequestSeed {
            b,
            line: Some(number),
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        any |= b.span_count() > before;
        if let Err(e) = result {
            last_error = Some(json::skip_bad_line(b, line, number, &e));
        }
    }
    match (any, last_error) {
        (false, Some(err)) => Err(err),
        _ => Ok(()),
    }
}

struct RequestSeed<'b> {
    b: &'b mut StoreBuilder,
    line: Option<u64>,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP export request object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (b, line) = (self.b, self.line);
        while seq.next_element_seed(RequestSeed { b, line })?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if RESOURCE_SPANS_KEYS.contains(&key.as_ref()) {
                map.next_value_seed(Each(ResourceSpansSeed {
                    b: self.b,
                    line: self.line,
                }))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Applies a seed to every element of a JSON array.
struct Each<S>(S);

impl<'de, S> DeserializeSeed<'de> for Each<S>
where
    S: ElementSeed<'de>,
{
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S> Visitor<'de> for Each<S>
where
    S: ElementSeed<'de>,
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.0.reborrow())?.is_some() {}
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A seed that can be used once per array element.
trait ElementSeed<'de> {
    type One<'s>: DeserializeSeed<'de, Value = ()>
    where
        Self: 's;
    fn reborrow(&mut self) -> Self::One<'_>;
}

struct ResourceSpansSeed<'b> {
    b: &'b mut StoreBuilder,
    line: Option<u64>,
}

impl<'de> ElementSeed<'de> for ResourceSpansSeed<'_> {
    type One<'s>
        = ResourceSpansSeed<'s>
    where
        Self: 's;
    fn reborrow(&mut self) -> ResourceSpansSeed<'_> {
        ResourceSpansSeed {
            b: self.b,
            line: self.line,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ResourceSpansSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResourceSpansSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ResourceSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Exporters write `resource` before `scopeSpans`; spans read before a
        // late resource simply have no service.
        let mut resource: Option<ResourceInfo> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "resource" => {
                    let wire: Option<WireResource<'de>> = map.next_value()?;
                    resource = Some(commit_resource(self.b, &wire.unwrap_or_default()));
                }
                "scopeSpans" | "scope_spans" | "instrumentationLibrarySpans" => {
                    map.next_value_seed(Each(ScopeSpansSeed {
                        b: self.b,
                        resource: resource.as_ref(),
                        line: self.line,
                    }))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct ScopeSpansSeed<'b> {
    b: &'b mut StoreBuilder,
    resource: Option<&'b ResourceInfo>,
    line: Option<u64>,
}

impl<'de> ElementSeed<'de> for ScopeSpansSeed<'_> {
    type One<'s>
        = ScopeSpansSeed<'s>
    where
        Self: 's;
    fn reborrow(&mut self) -> ScopeSpansSeed<'_> {
        ScopeSpansSeed {
            b: self.b,
            resource: self.resource,
            line: self.line,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ScopeSpansSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ScopeSpansSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ScopeSpans object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "spans" {
                map.next_value_seed(Each(SpanSeed {
                    b: self.b,
                    resource: self.resource,
                    line: self.line,
                }))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct SpanSeed<'b> {
    b: &'b mut StoreBuilder,
    resource: Option<&'b ResourceInfo>,
    line: Option<u64>,
}

impl<'de> ElementSeed<'de> for SpanSeed<'_> {
    type One<'s>
        = SpanSeed<'s>
    where
        Self: 's;
    fn reborrow(&mut self) -> SpanSeed<'_> {
        SpanSeed {
            b: self.b,
            resource: self.resource,
            line: self.line,
        }
    }
}

impl<'de> DeserializeSeed<'de> for SpanSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let span = <WireSpan<'de> as serde::Deserialize>::deserialize(d)?;
        commit_span(self.b, span, self.resource, self.line.map(Location::line));
        Ok(())
    }
}
