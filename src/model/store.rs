//! The immutable span store: one row per span, columns as plain vectors.
//!
//! Built only by [`crate::model::builder::StoreBuilder`]; read by `index`,
//! `analysis` and the views. Payload text stays in `sources` and is referred
//! to by [`TextRef`]s. Rows are in a deterministic order: traces in first-seen
//! order, spans within a trace by start time.

use super::ids::{Interner, SpanIdx, Sym, TraceIdx};
use super::kind::{SpanKind, StatusCode};
use super::text::{decode, SourceId, TextRef};
use std::borrow::Cow;

/// Sentinel for "no parent" / "no resource" in u32 columns.
pub const NONE: u32 = u32::MAX;

/// One input file after unwrapping containers (a zip member is its own source).
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub format: &'static str,
    pub bytes: Vec<u8>,
}

/// A typed attribute value; strings and nested JSON stay in the source bytes.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AttrValue {
    Str(TextRef),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An array, object or other JSON value kept as raw JSON text.
    Json(TextRef),
}

/// Token counts of one span. `None` means "not reported", not zero.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenCounts {
    pub input: Option<u64>,
    pub output: Option<u64>,
    pub total: Option<u64>,
    pub cached: Option<u64>,
    pub reasoning: Option<u64>,
}

impl TokenCounts {
    pub fn is_empty(&self) -> bool {
        *self == TokenCounts::default()
    }
}

/// Key/value rows; a span, event or resource owns a contiguous range.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AttrColumns {
    pub key: Vec<Sym>,
    pub value: Vec<AttrValue>,
}

impl AttrColumns {
    pub fn push(&mut self, key: Sym, value: AttrValue) {
        self.key.push(key);
        self.value.push(value);
    }

    pub fn len(&self) -> usize {
        self.key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    pub fn truncate(&mut self, len: usize) {
        self.key.truncate(len);
        self.value.truncate(len);
    }

    pub fn heap_bytes(&self) -> usize {
        vec_bytes(&self.key) + vec_bytes(&self.value)
    }
}

/// Bytes a vector's allocation holds: capacity, not length, because that is
/// what the heap (and the wasm memory) really pays.
pub fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// Span events (OTel events, Zipkin annotations, Jaeger logs).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct EventColumns {
    pub span: Vec<SpanIdx>,
    pub name: Vec<Sym>,
    pub time_nanos: Vec<i64>,
    /// `attr_start[i]..attr_start[i + 1]` indexes `attrs`.
    pub attr_start: Vec<u32>,
    pub attrs: AttrColumns,
}

/// Span columns. Every vector has one entry per span.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SpanColumns {
    pub trace: Vec<TraceIdx>,
    /// Canonical wire id (in `Store::ids`).
    pub span_id: Vec<Sym>,
    /// Parent row, or [`NONE`] for roots and orphans.
    pub parent: Vec<u32>,
    /// Parent wire id as written in the file (kept for orphans).
    pub parent_id: Vec<Sym>,
    pub name: Vec<Sym>,
    pub kind: Vec<SpanKind>,
    pub status: Vec<StatusCode>,
    pub status_message: Vec<Option<TextRef>>,
    pub start_nanos: Vec<i64>,
    pub end_nanos: Vec<i64>,
    pub service: Vec<Sym>,
    pub model: Vec<Sym>,
    pub provider: Vec<Sym>,
    pub tokens: Vec<TokenCounts>,
    /// USD, as reported by the file; NaN when absent.
    pub cost_usd: Vec<f64>,
    pub input: Vec<Option<TextRef>>,
    pub output: Vec<Option<TextRef>>,
    /// Resource row, or [`NONE`].
    pub resource: Vec<u32>,
    pub source: Vec<SourceId>,
    /// `attr_start[i]..attr_start[i + 1]` indexes `Store::attrs`.
    pub attr_start: Vec<u32>,
    /// True for an LLM-kind span with no LLM-kind descendant.
    pub is_lm_call: Vec<bool>,
}

/// Trace-level facts: wire id, metadata (MLflow trace info, Langfuse trace
/// attributes, scores), and the span rows of the trace.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TraceColumns {
    pub trace_id: Vec<Sym>,
    /// `span_start[t]..span_start[t + 1]` are the spans of trace `t`.
    pub span_start: Vec<u32>,
    /// `meta_start[t]..meta_start[t + 1]` indexes `meta`.
    pub meta_start: Vec<u32>,
    pub meta: AttrColumns,
}

/// Serialised without `sources` (the files' bytes travel separately, as
/// transferable buffers: see `crate::transfer`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Store {
    #[serde(skip)]
    pub sources: Vec<Source>,
    /// Names, attribute keys, services, models.
    pub strings: Interner,
    /// Canonical wire ids of traces and spans.
    pub ids: Interner,
    pub spans: SpanColumns,
    pub attrs: AttrColumns,
    pub events: EventColumns,
    /// `resource_start[r]..resource_start[r + 1]` indexes `resource_attrs`.
    pub resource_start: Vec<u32>,
    pub resource_attrs: AttrColumns,
    pub traces: TraceColumns,
}

impl Store {
    /// Heap bytes of everything the store adds to the input: columns,
    /// interners and the decoded-text arena (source 0). The input files'
    /// bytes (sources 1..) are not counted: they are the file itself. For
    /// memory reports and the `index_bytes_per_span` benchmark figure.
    pub fn heap_bytes(&self) -> usize {
        // Exhaustive destructuring: a new column fails to compile until it
        // is counted here, so the figure cannot silently go stale.
        let SpanColumns {
            trace,
            span_id,
            parent,
            parent_id,
            name,
            kind,
            status,
            status_message,
            start_nanos,
            end_nanos,
            service,
            model,
            provider,
            tokens,
            cost_usd,
            input,
            output,
            resource,
            source,
            attr_start,
            is_lm_call,
        } = &self.spans;
        let spans = vec_bytes(trace)
            + vec_bytes(span_id)
            + vec_bytes(parent)
            + vec_bytes(parent_id)
            + vec_bytes(name)
            + vec_bytes(kind)
            + vec_bytes(status)
            + vec_bytes(status_message)
            + vec_bytes(start_nanos)
            + vec_bytes(end_nanos)
            + vec_bytes(service)
            + vec_bytes(model)
            + vec_bytes(provider)
            + vec_bytes(tokens)
            + vec_bytes(cost_usd)
            + vec_bytes(input)
            + vec_bytes(output)
            + vec_bytes(resource)
            + vec_bytes(source)
            + vec_bytes(attr_start)
            + vec_bytes(is_lm_call);
        let EventColumns {
            span,
            name,
            time_nanos,
            attr_start,
            attrs,
        } = &self.events;
        let events = vec_bytes(span)
            + vec_bytes(name)
            + vec_bytes(time_nanos)
            + vec_bytes(attr_start)
            + attrs.heap_bytes();
        let TraceColumns {
            trace_id,
            span_start,
            meta_start,
            meta,
        } = &self.traces;
        let traces =
            vec_bytes(trace_id) + vec_bytes(span_start) + vec_bytes(meta_start) + meta.heap_bytes();
        let sources = vec_bytes(&self.sources)
            + self
                .sources
                .iter()
                .map(|s| s.name.capacity())
                .sum::<usize>()
            + self
                .sources
                .first()
                .map_or(0, |arena| arena.bytes.capacity());
        spans
            + events
            + traces
            + sources
            + self.strings.heap_bytes()
            + self.ids.heap_bytes()
            + self.attrs.heap_bytes()
            + vec_bytes(&self.resource_start)
            + self.resource_attrs.heap_bytes()
    }

    pub fn span_count(&self) -> usize {
        self.spans.trace.len()
    }

    pub fn trace_count(&self) -> usize {
        self.traces.trace_id.len()
    }

    pub fn str(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    pub fn id(&self, sym: Sym) -> &str {
        self.ids.resolve(sym)
    }

    /// Decoded text of a reference; empty if the reference is out of range.
    pub fn text(&self, text: TextRef) -> Cow<'_, str> {
        let bytes = self
            .sources
            .get(text.source.0 as usize)
            .and_then(|s| s.bytes.get(text.range()))
            .unwrap_or_default();
        decode(bytes, text.encoding)
    }

    /// Raw (undecoded) bytes of a reference, for full-text scans.
    pub fn raw(&self, text: TextRef) -> &[u8] {
        self.sources
            .get(text.source.0 as usize)
            .and_then(|s| s.bytes.get(text.range()))
            .unwrap_or_default()
    }

    pub fn trace_spans(&self, trace: TraceIdx) -> std::ops::Range<usize> {
        let t = trace.index();
        self.traces.span_start[t] as usize..self.traces.span_start[t + 1] as usize
    }

    pub fn span_attrs(&self, span: SpanIdx) -> impl Iterator<Item = (Sym, AttrValue)> + '_ {
        let i = span.index();
        let range = self.spans.attr_start[i] as usize..self.spans.attr_start[i + 1] as usize;
        range.map(move |a| (self.attrs.key[a], self.attrs.value[a]))
    }

    /// Looks up one attribute of a span by key.
    pub fn span_attr(&self, span: SpanIdx, key: &str) -> Option<AttrValue> {
        let key = self.strings.get(key)?;
        self.span_attrs(span)
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// Rows of `events` that belong to a span (events are sorted by span).
    pub fn span_events(&self, span: SpanIdx) -> std::ops::Range<usize> {
        let ev = &self.events.span;
        ev.partition_point(|s| *s < span)..ev.partition_point(|s| *s <= span)
    }

    /// Attributes of event row `e`.
    pub fn event_attrs(&self, e: usize) -> impl Iterator<Item = (Sym, AttrValue)> + '_ {
        let a = &self.events;
        (a.attr_start[e] as usize..a.attr_start[e + 1] as usize)
            .map(move |k| (a.attrs.key[k], a.attrs.value[k]))
    }

    pub fn trace_meta(&self, trace: TraceIdx) -> impl Iterator<Item = (Sym, AttrValue)> + '_ {
        let t = trace.index();
        let range = self.traces.meta_start[t] as usize..self.traces.meta_start[t + 1] as usize;
        range.map(move |a| (self.traces.meta.key[a], self.traces.meta.value[a]))
    }

    pub fn duration_nanos(&self, span: SpanIdx) -> i64 {
        let i = span.index();
        self.spans.end_nanos[i] - self.spans.start_nanos[i]
    }

    /// The value of an attribute as display text.
    pub fn attr_text(&self, value: AttrValue) -> Cow<'_, str> {
        match value {
            AttrValue::Str(t) | AttrValue::Json(t) => self.text(t),
            AttrValue::Int(i) => Cow::Owned(i.to_string()),
            AttrValue::Float(f) => Cow::Owned(f.to_string()),
            AttrValue::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        }
    }
}
