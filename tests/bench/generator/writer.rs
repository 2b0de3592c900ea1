//! Writes spans as OTLP JSON into per-scope batch buffers and closes each
//! batch as one `resourceSpans` entry (or one JSON line).

use super::vocab::SERVICES;
use super::{Gen, Layout, BATCH_SPANS};
use std::borrow::Cow;

#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum Scope {
    Dspy,
    Litellm,
}

pub(super) enum Val {
    Str(Cow<'static, str>),
    Int(i64),
    Double(f64),
}

pub(super) type Attrs = Vec<(Cow<'static, str>, Val)>;

pub(super) fn s(v: impl Into<Cow<'static, str>>) -> Val {
    Val::Str(v.into())
}

/// One span's head; attributes come separately.
pub(super) struct Head {
    pub(super) id: u64,
    pub(super) parent: Option<u64>,
    pub(super) name: &'static str,
    pub(super) kind: &'static str,
    pub(super) scope: Scope,
    pub(super) start: i64,
    pub(super) end: i64,
}

impl Gen {
    pub(super) fn punct(&self) -> (&'static str, &'static str) {
        match self.layout {
            Layout::Document => (", ", ": "),
            Layout::JsonLines => (",", ":"),
        }
    }

    /// Writes one span into the current batch; ~5% fail with an exception.
    pub(super) fn emit(&mut self, h: Head, attrs: Attrs) {
        let failed = self.rng.below(20) == 0;
        let error = failed.then(|| self.exception());
        let (sep, colon) = self.punct();
        let trace_hex = std::mem::take(&mut self.trace_hex);
        let buf = match h.scope {
            Scope::Dspy => &mut self.dspy,
            Scope::Litellm => &mut self.litellm,
        };
        if !buf.is_empty() {
            put(buf, sep);
        }
        put(buf, "{");
        key(buf, "traceId", colon);
        put(buf, "\"");
        put(buf, &trace_hex);
        put(buf, "\"");
        put(buf, sep);
        key(buf, "spanId", colon);
        put_hex(buf, h.id);
        if let Some(parent) = h.parent {
            put(buf, sep);
            key(buf, "parentSpanId", colon);
            put_hex(buf, parent);
        }
        put(buf, sep);
        key(buf, "flags", colon);
        put(buf, "256");
        put(buf, sep);
        key(buf, "name", colon);
        put_quoted(buf, h.name);
        put(buf, sep);
        key(buf, "kind", colon);
        put(buf, "1");
        put(buf, sep);
        key(buf, "startTimeUnixNano", colon);
        put_quoted(buf, &h.start.to_string());
        put(buf, sep);
        key(buf, "endTimeUnixNano", colon);
        put_quoted(buf, &h.end.to_string());
        put(buf, sep);
        key(buf, "attributes", colon);
        write_attrs(buf, &attrs, sep, colon);
        if let Some((exc_type, message, stack)) = &error {
            let at = h.end - (h.end - h.start) / 50;
            put(buf, sep);
            key(buf, "events", colon);
            put(buf, "[{");
            key(buf, "timeUnixNano", colon);
            put_quoted(buf, &at.to_string());
            put(buf, sep);
            key(buf, "name", colon);
            put_quoted(buf, "exception");
            put(buf, sep);
            key(buf, "attributes", colon);
            let mut ev: Attrs = vec![
                ("exception.type".into(), s(*exc_type)),
                ("exception.message".into(), s(message.clone())),
            ];
            if let Some(stack) = stack {
                ev.push(("exception.stacktrace".into(), s(stack.clone())));
            }
            write_attrs(buf, &ev, sep, colon);
            put(buf, "}]");
        }
        put(buf, sep);
        key(buf, "status", colon);
        match &error {
            None => {
                put(buf, "{");
                key(buf, "code", colon);
                put(buf, "1}");
            }
            Some((exc_type, message, _)) => {
                put(buf, "{");
                key(buf, "message", colon);
                let short = exc_type.rsplit('.').next().unwrap_or(exc_type);
                put_json_bytes(buf, &format!("{short}: {message}"));
                put(buf, sep);
                key(buf, "code", colon);
                put(buf, "2}");
            }
        }
        put(buf, "}");
        self.trace_hex = trace_hex;
        self.spans += 1;
        self.error_spans += usize::from(error.is_some());
        self.llm_spans += usize::from(h.kind == "LLM");
        self.batch_spans += 1;
        if self.batch_spans >= BATCH_SPANS {
            self.flush();
        }
    }

    /// Closes the current batch as one `resourceSpans` entry (or one line).
    pub(super) fn flush(&mut self) {
        if self.batch_spans == 0 {
            return;
        }
        let (sep, colon) = self.punct();
        let out = &mut self.out;
        match self.layout {
            Layout::Document if self.batches > 0 => put(out, sep),
            Layout::Document => {}
            Layout::JsonLines => {
                put(out, "{");
                key(out, "resourceSpans", colon);
                put(out, "[");
            }
        }
        let service = SERVICES[self.batches % SERVICES.len()];
        put(out, "{");
        key(out, "resource", colon);
        put(out, "{");
        key(out, "attributes", colon);
        let resource: Attrs = vec![
            ("telemetry.sdk.language".into(), s("python")),
            ("telemetry.sdk.name".into(), s("opentelemetry")),
            ("telemetry.sdk.version".into(), s("1.45.2")),
            ("service.name".into(), s(service)),
            ("service.version".into(), s("1.4.0")),
            ("deployment.environment.name".into(), s("bench")),
        ];
        write_attrs(out, &resource, sep, colon);
        put(out, "}");
        put(out, sep);
        key(out, "scopeSpans", colon);
        put(out, "[");
        let scopes = [
            ("openinference.instrumentation.dspy", "0.1.48", &self.dspy),
            (
                "openinference.instrumentation.litellm",
                "0.1.51",
                &self.litellm,
            ),
        ];
        let mut first = true;
        for (name, version, spans) in scopes {
            if spans.is_empty() {
                continue;
            }
            if !first {
                put(out, sep);
            }
            first = false;
            put(out, "{");
            key(out, "scope", colon);
            put(out, "{");
            key(out, "name", colon);
            put_quoted(out, name);
            put(out, sep);
            key(out, "version", colon);
            put_quoted(out, version);
            put(out, "}");
            put(out, sep);
            key(out, "spans", colon);
            put(out, "[");
            out.extend_from_slice(spans);
            put(out, "]}");
        }
        put(out, "]}");
        if self.layout == Layout::JsonLines {
            put(out, "]}\n");
        }
        self.dspy.clear();
        self.litellm.clear();
        self.batch_spans = 0;
        self.batches += 1;
    }
}

pub(super) fn head(
    id: u64,
    parent: Option<u64>,
    name: &'static str,
    kind: &'static str,
    start: i64,
    end: i64,
) -> Head {
    Head {
        id,
        parent,
        name,
        kind,
        scope: Scope::Dspy,
        start,
        end,
    }
}

pub(super) fn put(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(s.as_bytes());
}

pub(super) fn key(buf: &mut Vec<u8>, name: &str, colon: &str) {
    put(buf, "\"");
    put(buf, name);
    put(buf, "\"");
    put(buf, colon);
}

/// A string known to need no escaping.
pub(super) fn put_quoted(buf: &mut Vec<u8>, s: &str) {
    put(buf, "\"");
    put(buf, s);
    put(buf, "\"");
}

pub(super) fn put_hex(buf: &mut Vec<u8>, v: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    for shift in (0..16).rev() {
        buf.push(HEX[(v >> (shift * 4)) as usize & 15]);
    }
    buf.push(b'"');
}

/// A JSON string literal; non-ASCII stays raw UTF-8 (as Go/JS exporters).
pub(super) fn put_json_bytes(buf: &mut Vec<u8>, s: &str) {
    let mut text = String::with_capacity(s.len() + 8);
    push_json_str(&mut text, s, false);
    put(buf, &text);
}

/// Appends `s` as a JSON string literal. `ascii_only` escapes non-ASCII as
/// `\uXXXX` (Python's `json.dumps` default, used for nested JSON payloads).
pub(super) fn push_json_str(out: &mut String, s: &str, ascii_only: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii_only && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `{"k": "v", …}` with Python spacing and ASCII escapes.
pub(super) fn json_object(fields: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_json_str(&mut out, k, true);
        out.push_str(": ");
        push_json_str(&mut out, v, true);
    }
    out.push('}');
    out
}

pub(super) fn write_attrs(buf: &mut Vec<u8>, attrs: &Attrs, sep: &str, colon: &str) {
    put(buf, "[");
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            put(buf, sep);
        }
        put(buf, "{");
        key(buf, "key", colon);
        put_quoted(buf, k);
        put(buf, sep);
        key(buf, "value", colon);
        put(buf, "{");
        match v {
            Val::Str(text) => {
                key(buf, "stringValue", colon);
                put_json_bytes(buf, text);
            }
            Val::Int(n) => {
                key(buf, "intValue", colon);
                put_quoted(buf, &n.to_string());
            }
            Val::Double(x) => {
                key(buf, "doubleValue", colon);
                put(buf, &format!("{x:?}"));
            }
        }
        put(buf, "}}");
    }
    put(buf, "]");
}
