//! OTLP protobuf messages, declared by hand with `prost`'s derive (no
//! `protoc`, no build script): only the fields spanscope reads; prost skips
//! the rest. Field numbers follow `opentelemetry/proto/trace/v1/trace.proto`
//! and `common/v1/common.proto`.
//!
//! String fields are declared as `bytes` (the same wire type), so decoding
//! from a [`Bytes`] that shares the file's buffer yields slices of the file,
//! not copies: payload text stays a byte range into the source.

use bytes::Bytes;

/// `Span`: ids are raw bytes (16 and 8), times ns since the epoch.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Span {
    #[prost(bytes = "bytes", tag = "1")]
    pub trace_id: Bytes,
    #[prost(bytes = "bytes", tag = "2")]
    pub span_id: Bytes,
    #[prost(bytes = "bytes", tag = "4")]
    pub parent_span_id: Bytes,
    #[prost(bytes = "bytes", tag = "5")]
    pub name: Bytes,
    #[prost(int32, tag = "6")]
    pub kind: i32,
    #[prost(fixed64, tag = "7")]
    pub start_time_unix_nano: u64,
    #[prost(fixed64, tag = "8")]
    pub end_time_unix_nano: u64,
    #[prost(message, repeated, tag = "9")]
    pub attributes: Vec<KeyValue>,
    #[prost(message, repeated, tag = "11")]
    pub events: Vec<Event>,
    #[prost(message, optional, tag = "15")]
    pub status: Option<Status>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    #[prost(fixed64, tag = "1")]
    pub time_unix_nano: u64,
    #[prost(bytes = "bytes", tag = "2")]
    pub name: Bytes,
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Status {
    #[prost(bytes = "bytes", tag = "2")]
    pub message: Bytes,
    #[prost(int32, tag = "3")]
    pub code: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Resource {
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyValue {
    #[prost(bytes = "bytes", tag = "1")]
    pub key: Bytes,
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct AnyValue {
    #[prost(oneof = "Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub value: Option<Value>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Value {
    #[prost(bytes = "bytes", tag = "1")]
    StringValue(Bytes),
    #[prost(bool, tag = "2")]
    BoolValue(bool),
    #[prost(int64, tag = "3")]
    IntValue(i64),
    #[prost(double, tag = "4")]
    DoubleValue(f64),
    #[prost(message, tag = "5")]
    ArrayValue(ArrayValue),
    #[prost(message, tag = "6")]
    KvlistValue(KeyValueList),
    #[prost(bytes = "bytes", tag = "7")]
    BytesValue(Bytes),
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ArrayValue {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyValueList {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

/// An `AnyValue` that is not a scalar, as the OTLP JSON mapping writes it
/// (`{"values":[{"stringValue":"a"}]}`), so both encodings show the same.
pub fn json_of(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    use base64::Engine;
    match value {
        Value::StringValue(s) => {
            out.push_str("{\"stringValue\":");
            push_json_string(out, &String::from_utf8_lossy(s));
            out.push('}');
        }
        Value::BoolValue(v) => out.push_str(&format!("{{\"boolValue\":{v}}}")),
        Value::IntValue(v) => out.push_str(&format!("{{\"intValue\":\"{v}\"}}")),
        Value::DoubleValue(v) => out.push_str(&format!("{{\"doubleValue\":{v}}}")),
        Value::BytesValue(b) => {
            out.push_str("{\"bytesValue\":\"");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push_str("\"}");
        }
        Value::ArrayValue(a) => {
            out.push_str("{\"arrayValue\":");
            write_array(out, a);
            out.push('}');
        }
        Value::KvlistValue(kv) => {
            out.push_str("{\"kvlistValue\":");
            write_kvlist(out, kv);
            out.push('}');
        }
    }
}

/// The JSON text of an array value (`{"values":[…]}`).
pub fn write_array(out: &mut String, array: &ArrayValue) {
    out.push_str("{\"values\":[");
    for (i, v) in array.values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match &v.value {
            Some(v) => write_value(out, v),
            None => out.push_str("{}"),
        }
    }
    out.push_str("]}");
}

/// The JSON text of a key-value list (`{"values":[{"key":…,"value":…}]}`).
pub fn write_kvlist(out: &mut String, list: &KeyValueList) {
    out.push_str("{\"values\":[");
    for (i, kv) in list.values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"key\":");
        push_json_string(out, &String::from_utf8_lossy(&kv.key));
        out.push_str(",\"value\":");
        match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
            Some(v) => write_value(out, v),
            None => out.push_str("{}"),
        }
        out.push('}');
    }
    out.push_str("]}");
}

fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into()));
}
