//! OTLP protobuf binary: one `ExportTraceServiceRequest` (what OTLP/HTTP
//! protobuf exporters POST, and what Tempo returns for `Accept:
//! application/protobuf`) or `TracesData` — the same bytes on the wire
//! (field 1: repeated `ResourceSpans`).
//!
//! The outer levels (request → `ResourceSpans` → `ScopeSpans`) are walked
//! field by field and each span is decoded on its own with `prost`, so a cut
//! file keeps every span before the cut and no whole-document tree is built.
//! Spans are decoded from a [`Bytes`] that shares the file's buffer: strings
//! come out as slices of it and are stored as byte ranges (plain UTF-8), like
//! the JSON formats' payloads.
//!
//! Protobuf has no magic number; the sniffer walks the first `ResourceSpans`
//! down to its first span and wants every field on the way to be one the
//! schema has, with ids of 16 and 8 bytes.

use super::otlp_proto_wire::{self as wire, Value};
use super::semconv::{Scalar, Semantics};
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, StatusCode, StoreBuilder, Sym, TextEncoding, WarningKind, NONE,
};
use bytes::Bytes;
use prost::Message;
use std::borrow::Cow;
use std::sync::Arc;

pub const OTLP_PROTO: Format = Format {
    id: "otlp-proto",
    name: "OTLP protobuf",
    producers: "OTLP/HTTP protobuf exporters (request bodies), Tempo `GET /api/traces/{id}` \
                with `Accept: application/protobuf`, `TracesData` files",
    sniff,
    parse,
    content: Content::Binary,
    spans_at: "resource_spans[].scope_spans[].spans[]",
};

const LEN: u64 = 2;

/// One field of a message: its number, and its bytes when length-delimited.
struct Field<'a> {
    number: u64,
    value: Option<&'a [u8]>,
}

/// Reads the next field of `buf`; `Err` when the bytes stop being protobuf.
/// (Keys and lengths are both varints: read with prost's public
/// length-delimiter decoder.)
fn next_field<'a>(buf: &mut &'a [u8]) -> Result<Option<Field<'a>>, String> {
    if buf.is_empty() {
        return Ok(None);
    }
    let key = prost::decode_length_delimiter(&mut *buf).map_err(|e| e.to_string())? as u64;
    let (number, wire_type) = (key >> 3, key & 7);
    if number == 0 {
        return Err("field number 0".into());
    }
    let skip = match wire_type {
        0 => {
            prost::decode_length_delimiter(&mut *buf).map_err(|e| e.to_string())?;
            0
        }
        1 => 8,
        5 => 4,
        LEN => {
            let len = prost::decode_length_delimiter(&mut *buf).map_err(|e| e.to_string())?;
            let Some((value, rest)) = buf.split_at_checked(len) else {
                return Err(format!("a field of {len} bytes where {} remain", buf.len()));
            };
            *buf = rest;
            return Ok(Some(Field {
                number,
                value: Some(value),
            }));
        }
        other => return Err(format!("wire type {other}, which OTLP does not use")),
    };
    let Some(rest) = buf.get(skip..) else {
        return Err("the input ends inside a field".into());
    };
    *buf = rest;
    Ok(Some(Field {
        number,
        value: None,
    }))
}

fn sniff(p: &Probe) -> Sniff {
    match first_span_shape(p.all) {
        Ok(true) => Sniff::Yes(85),
        Ok(false) => Sniff::No("protobuf fields, but no OTLP span with 16- and 8-byte ids"),
        Err(why) => Sniff::No(why),
    }
}

/// How many fields the sniffer visits at most (it jumps over values, so
/// this bounds its work whatever the file's size).
const SNIFF_FIELDS: usize = 4096;

/// Walks request → first `ResourceSpans` → its `ScopeSpans` → first span,
/// jumping over values. `Ok(true)`: a span with a 16-byte trace id and an
/// 8-byte span id was reached through fields the schema has.
fn first_span_shape(mut bytes: &[u8]) -> Result<bool, &'static str> {
    if bytes.first() != Some(&0x0a) {
        return Err("does not start with OTLP's resource_spans field");
    }
    let Ok(Some(Field {
        number: 1,
        value: Some(mut resource_spans),
    })) = next_field(&mut bytes)
    else {
        return Err("not an OTLP request: the first field is not resource_spans");
    };
    let mut visited = 0;
    while let Ok(Some(field)) = next_field(&mut resource_spans) {
        visited += 1;
        if visited > SNIFF_FIELDS {
            break;
        }
        match (field.number, field.value) {
            (1 | 3, Some(_)) => {}
            (2 | 1000, Some(mut scope)) => {
                while let Ok(Some(field)) = next_field(&mut scope) {
                    visited += 1;
                    match (field.number, field.value) {
                        (1 | 3, Some(_)) if visited <= SNIFF_FIELDS => {}
                        (2, Some(span)) => return Ok(span_ids_look_right(span)),
                        _ => return Err("a ScopeSpans field OTLP does not have"),
                    }
                }
                return Ok(false);
            }
            _ => return Err("a ResourceSpans field OTLP does not have"),
        }
    }
    Ok(false)
}

fn span_ids_look_right(mut span: &[u8]) -> bool {
    let (mut trace, mut id) = (false, false);
    while let Ok(Some(field)) = next_field(&mut span) {
        match (field.number, field.value.map(<[u8]>::len)) {
            (1, Some(16)) => trace = true,
            (2, Some(8)) => id = true,
            (1 | 2, _) => return false,
            _ => {}
        }
        if trace && id {
            return true;
        }
    }
    false
}

/// The file's bytes as a [`Bytes`] sharing the source's buffer (no copy),
/// when `bytes` is the current source.
fn shared(bytes: &[u8], b: &StoreBuilder) -> Bytes {
    struct Shared(Arc<Vec<u8>>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    if let Some(source) = b.current_bytes() {
        let base = source.as_ptr() as usize;
        let start = bytes.as_ptr() as usize;
        if start >= base && start + bytes.len() <= base + source.len() {
            let offset = start - base;
            return Bytes::from_owner(Shared(source)).slice(offset..offset + bytes.len());
        }
    }
    Bytes::copy_from_slice(bytes)
}

/// Walks the levels above spans over `bytes`; each span is decoded from the
/// matching slice of `whole` (the same bytes, shared).
struct Walk<'w> {
    whole: &'w Bytes,
    base: usize,
}

impl Walk<'_> {
    fn at(&self, rest: &[u8]) -> Location {
        Location::byte((rest.as_ptr() as usize - self.base) as u64)
    }
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let whole = shared(bytes, b);
    let walk = Walk {
        whole: &whole,
        base: whole.as_ptr() as usize,
    };
    let mut request: &[u8] = &whole;
    loop {
        let before = walk.at(request);
        match next_field(&mut request) {
            Ok(None) => return Ok(()),
            Ok(Some(Field {
                number: 1,
                value: Some(rs),
            })) => resource_spans(b, rs, &walk)?,
            Ok(Some(_)) => {}
            Err(why) => return Err(cut(before, &why)),
        }
    }
}

fn cut(at: Location, why: &str) -> ParseError {
    ParseError::Shape(format!(
        "the protobuf breaks at byte {}: {why}",
        at.byte.unwrap_or(0)
    ))
}

fn resource_spans(b: &mut StoreBuilder, rs: &[u8], walk: &Walk) -> Result<(), ParseError> {
    // The resource first (writers put it first; this also covers one that
    // comes after its spans).
    let mut resource = (NONE, Sym::EMPTY);
    let mut fields = rs;
    while let Ok(Some(field)) = next_field(&mut fields) {
        if let (1, Some(value)) = (field.number, field.value) {
            match wire::Resource::decode(walk.whole.slice_ref(value)) {
                Ok(r) => resource = commit_resource(b, &r),
                Err(e) => return Err(cut(walk.at(value), &e.to_string())),
            }
        }
    }
    let mut fields = rs;
    loop {
        let before = walk.at(fields);
        match next_field(&mut fields) {
            Ok(None) => return Ok(()),
            Ok(Some(Field {
                number: 2 | 1000,
                value: Some(scope),
            })) => scope_spans(b, scope, resource, walk)?,
            Ok(Some(_)) => {}
            Err(why) => return Err(cut(before, &why)),
        }
    }
}

fn scope_spans(
    b: &mut StoreBuilder,
    scope: &[u8],
    resource: (u32, Sym),
    walk: &Walk,
) -> Result<(), ParseError> {
    let mut fields = scope;
    loop {
        let before = walk.at(fields);
        match next_field(&mut fields) {
            Ok(None) => return Ok(()),
            Ok(Some(Field {
                number: 2,
                value: Some(span),
            })) => {
                let location = walk.at(span);
                match wire::Span::decode(walk.whole.slice_ref(span)) {
                    Ok(span) => commit_span(b, span, resource, location),
                    Err(e) => b.warn(
                        WarningKind::SkippedRecord,
                        Some(location),
                        format!("a span that is not valid protobuf was skipped: {e}"),
                    ),
                }
            }
            Ok(Some(_)) => {}
            Err(why) => return Err(cut(before, &why)),
        }
    }
}

fn text(bytes: &Bytes) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Lowercase hex of an id (the builder's canonical form, so it is
/// borrowed there, not re-encoded).
fn hex(id: &Bytes) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(id.len() * 2);
    for &b in id.iter() {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn commit_resource(b: &mut StoreBuilder, resource: &wire::Resource) -> (u32, Sym) {
    let mut service = Sym::EMPTY;
    for kv in &resource.attributes {
        let mut sem = Semantics::default();
        let mut scratch = SpanDraft::new();
        put_attr(b, &mut sem, &mut scratch, kv, |b, k, v| {
            b.resource_attr(k, v)
        });
        if kv.key.as_ref() == b"service.name" {
            sem.finish(b, &mut scratch);
            service = scratch.service;
        }
    }
    (b.end_resource(), service)
}

/// Stores one attribute (strings as ranges into the file) and lets the
/// shared vocabularies read it.
fn put_attr(
    b: &mut StoreBuilder,
    sem: &mut Semantics,
    d: &mut SpanDraft,
    kv: &wire::KeyValue,
    store: impl Fn(&mut StoreBuilder, &str, AttrValue),
) {
    let key = text(&kv.key);
    let Some(value) = kv.value.as_ref().and_then(|v| v.value.as_ref()) else {
        return;
    };
    let (stored, decoded) = match value {
        Value::StringValue(s) => {
            let t = b.text_bytes(s, TextEncoding::Plain);
            (AttrValue::Str(t), Some((text(s), t)))
        }
        Value::BoolValue(v) => (AttrValue::Bool(*v), None),
        Value::IntValue(v) => (AttrValue::Int(*v), None),
        Value::DoubleValue(v) => (AttrValue::Float(*v), None),
        other => {
            let json = wire::json_of(other);
            (
                AttrValue::Json(b.owned_text(json.as_bytes(), TextEncoding::JsonValue)),
                None,
            )
        }
    };
    let scalar = match (&decoded, stored) {
        (Some((s, t)), _) => Scalar::Str(s, *t),
        (None, AttrValue::Int(i)) => Scalar::Int(i),
        (None, AttrValue::Float(f)) => Scalar::Float(f),
        (None, AttrValue::Bool(v)) => Scalar::Bool(v),
        _ => Scalar::Other,
    };
    sem.see(d, &key, scalar);
    store(b, &key, stored);
}

fn commit_span(b: &mut StoreBuilder, span: wire::Span, resource: (u32, Sym), at: Location) {
    b.begin_span();
    let mut d = SpanDraft::new();
    d.trace_id = hex(&span.trace_id);
    d.span_id = hex(&span.span_id);
    d.parent_id = hex(&span.parent_span_id);
    d.name = b.intern(&text(&span.name));
    d.start_nanos = i64::try_from(span.start_time_unix_nano).unwrap_or(i64::MAX);
    d.end_nanos = i64::try_from(span.end_time_unix_nano).unwrap_or(i64::MAX);
    (d.resource, d.service) = resource;
    let mut sem = Semantics::default();
    for kv in &span.attributes {
        put_attr(b, &mut sem, &mut d, kv, |b, k, v| b.attr(k, v));
    }
    let kind = match span.kind {
        2 => Some("server"),
        3 => Some("client"),
        4 => Some("producer"),
        5 => Some("consumer"),
        _ => None,
    };
    if let Some(kind) = kind {
        let t = b.owned_text(kind.as_bytes(), TextEncoding::Plain);
        b.attr("span.kind", AttrValue::Str(t));
    }
    if let Some(status) = &span.status {
        match StatusCode::from_label(&status.code.to_string()) {
            Some(code) => d.status = code,
            None => b.warn(
                WarningKind::BadValue,
                Some(at),
                format!("unknown status code {}", status.code),
            ),
        }
        if !status.message.is_empty() {
            d.status_message = Some(b.text_bytes(&status.message, TextEncoding::Plain));
        }
    }
    for event in &span.events {
        let time = i64::try_from(event.time_unix_nano).unwrap_or(i64::MAX);
        b.event(&text(&event.name), time);
        let mut ignored = SpanDraft::new();
        let mut ignored_sem = Semantics::default();
        for kv in &event.attributes {
            put_attr(b, &mut ignored_sem, &mut ignored, kv, |b, k, v| {
                b.event_attr(k, v)
            });
        }
    }
    sem.finish(b, &mut d);
    b.commit_span(d, Some(at));
}
