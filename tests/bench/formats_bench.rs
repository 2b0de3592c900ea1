//! Format-layer timings, printed as `key=value` (never asserted):
//!
//! - `zip_10000_members_*`: loading a zip of 10,000 one-span OTLP files,
//!   and how many buffers the parsing worker hands the page for it (the
//!   page copies each buffer in a task of its own);
//! - `sniff_1mb_first_span_*`: detecting Zipkin, Phoenix and generic trace
//!   JSON whose first span holds a 1 MB string (format found, ms);
//! - `ingest_*_otlp_proto` vs `_otlp_json`: `load::load` of the same
//!   generated spans as OTLP protobuf and as OTLP JSON (MB/s of each
//!   file, spans/s).
//!
//! `cargo run --release --example formats_bench` (env `SPANSCOPE_BENCH_MB`,
//! default 50: size of the JSON; `SPANSCOPE_BENCH_RUNS`, default 3).

mod generator;

use generator::{generate, Config, Shape, Target};
use prost::Message;
use spanscope::formats::otlp_proto_wire as wire;
use spanscope::load::{load, Input};
use spanscope::transfer;
use std::io::Write;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn otlp_one(i: usize) -> Vec<u8> {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc"}}}}]}},"scopeSpans":[{{"spans":[{{"traceId":"{:032x}","spanId":"{:016x}","name":"s","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}}]}}]}}]}}"#,
        i + 1,
        i + 1
    )
    .into_bytes()
}

fn zip_members() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..10_000 {
            w.start_file(format!("m{i}.json"), opts).ok();
            w.write_all(&otlp_one(i)).ok();
        }
        w.finish().ok();
    }
    let zip = buf.into_inner();
    let t = Instant::now();
    let session = load(vec![Input::new("many.zip", zip)]);
    let load_s = t.elapsed().as_secs_f64();
    let spans = session.store.span_count();
    let t = Instant::now();
    let packed = transfer::pack(session)
        .map(|p| p.sources.len())
        .unwrap_or(0);
    println!("zip_10000_members_load_s={load_s:.3}");
    println!("zip_10000_members_spans={spans}");
    println!("zip_10000_members_pack_s={:.3}", t.elapsed().as_secs_f64());
    println!("zip_10000_members_buffers_to_page={packed}");
}

fn sniff_big_first_span() {
    let big = "x".repeat(1 << 20);
    let docs = [
        (
            "zipkin",
            format!(
                r#"[{{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"b7ad6b7169203331","name":"a","tags":{{"input.value":"{big}"}},"timestamp":1700000000000000,"duration":5}}]"#
            ),
        ),
        (
            "phoenix",
            format!(
                r#"{{"data":[{{"name":"a","attributes":{{"input.value":"{big}"}},"context":{{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331"}},"span_kind":"LLM","start_time":"2026-01-01T00:00:00+00:00","end_time":"2026-01-01T00:00:01+00:00","status_code":"OK"}}],"next_cursor":null}}"#
            ),
        ),
        (
            "generic",
            format!(
                r#"{{"name":"{big}","trace_id":"t1","started_at":"2026-01-01T00:00:00Z","spans":[{{"name":"a","latency_ms":3}}],"latency_ms":5}}"#
            ),
        ),
    ];
    for (name, doc) in docs {
        let t = Instant::now();
        let got = spanscope::formats::detect("", doc.as_bytes()).map(|f| f.id);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "sniff_1mb_first_span_{name}={}",
            got.unwrap_or("not-detected")
        );
        println!("sniff_1mb_first_span_{name}_ms={ms:.3}");
    }
}

// --- OTLP JSON → protobuf, for the same spans in both encodings ---------

#[derive(Clone, PartialEq, prost::Message)]
struct TracesData {
    #[prost(message, repeated, tag = "1")]
    resource_spans: Vec<ResourceSpans>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ResourceSpans {
    #[prost(message, optional, tag = "1")]
    resource: Option<wire::Resource>,
    #[prost(message, repeated, tag = "2")]
    scope_spans: Vec<ScopeSpans>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ScopeSpans {
    #[prost(message, repeated, tag = "2")]
    spans: Vec<wire::Span>,
}

fn hex_bytes(v: &serde_json::Value) -> bytes::Bytes {
    let s = v.as_str().unwrap_or("");
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect::<Vec<u8>>()
        .into()
}

fn text(v: &serde_json::Value) -> bytes::Bytes {
    bytes::Bytes::copy_from_slice(v.as_str().unwrap_or("").as_bytes())
}

fn int(v: &serde_json::Value) -> u64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or(v.as_u64())
        .unwrap_or(0)
}

fn attrs(v: &serde_json::Value) -> Vec<wire::KeyValue> {
    let mut out = Vec::new();
    for kv in v.as_array().into_iter().flatten() {
        let value = &kv["value"];
        let value = if let Some(s) = value.get("stringValue") {
            wire::Value::StringValue(text(s))
        } else if let Some(i) = value.get("intValue") {
            wire::Value::IntValue(int(i) as i64)
        } else if let Some(f) = value.get("doubleValue") {
            wire::Value::DoubleValue(f.as_f64().unwrap_or(0.0))
        } else if let Some(b) = value.get("boolValue") {
            wire::Value::BoolValue(b.as_bool().unwrap_or(false))
        } else {
            continue;
        };
        out.push(wire::KeyValue {
            key: text(&kv["key"]),
            value: Some(wire::AnyValue { value: Some(value) }),
        });
    }
    out
}

fn to_proto(json: &[u8]) -> Vec<u8> {
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap_or_default();
    let mut data = TracesData::default();
    for rs in doc["resourceSpans"].as_array().into_iter().flatten() {
        let mut out = ResourceSpans {
            resource: Some(wire::Resource {
                attributes: attrs(&rs["resource"]["attributes"]),
            }),
            scope_spans: Vec::new(),
        };
        for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
            let mut scope = ScopeSpans::default();
            for s in ss["spans"].as_array().into_iter().flatten() {
                scope.spans.push(wire::Span {
                    trace_id: hex_bytes(&s["traceId"]),
                    span_id: hex_bytes(&s["spanId"]),
                    parent_span_id: hex_bytes(&s["parentSpanId"]),
                    name: text(&s["name"]),
                    kind: s["kind"].as_i64().unwrap_or(1) as i32,
                    start_time_unix_nano: int(&s["startTimeUnixNano"]),
                    end_time_unix_nano: int(&s["endTimeUnixNano"]),
                    attributes: attrs(&s["attributes"]),
                    events: (s["events"].as_array().into_iter().flatten())
                        .map(|e| wire::Event {
                            time_unix_nano: int(&e["timeUnixNano"]),
                            name: text(&e["name"]),
                            attributes: attrs(&e["attributes"]),
                        })
                        .collect(),
                    status: Some(wire::Status {
                        message: text(&s["status"]["message"]),
                        code: s["status"]["code"].as_i64().unwrap_or(0) as i32,
                    }),
                });
            }
            out.scope_spans.push(scope);
        }
        data.resource_spans.push(out);
    }
    data.encode_to_vec()
}

fn proto_vs_json() {
    let mb = env_usize("SPANSCOPE_BENCH_MB", 50);
    let runs = env_usize("SPANSCOPE_BENCH_RUNS", 3).max(1);
    let json = generate(&Config::new(Shape::Lean, Target::Bytes(mb * 1_000_000))).bytes;
    let proto = to_proto(&json);
    for (name, file, bytes) in [
        ("otlp_json", "a.json", &json),
        ("otlp_proto", "a.pb", &proto),
    ] {
        let mut secs = Vec::new();
        let mut spans = 0;
        for _ in 0..runs {
            let input = vec![Input::new(file, bytes.clone())];
            let t = Instant::now();
            let session = load(input);
            secs.push(t.elapsed().as_secs_f64());
            spans = session.store.span_count();
            assert_eq!(session.report.files[0].error, None);
        }
        let s = median(secs);
        println!("ingest_file_mb_{name}={:.1}", bytes.len() as f64 / 1e6);
        println!("ingest_mb_s_{name}={:.1}", bytes.len() as f64 / 1e6 / s);
        println!("ingest_spans_s_{name}={:.0}", spans as f64 / s);
    }
}

fn main() {
    zip_members();
    sniff_big_first_span();
    proto_vs_json();
}
