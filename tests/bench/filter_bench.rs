//! Times the filter language over about a million spans: the DSPy OTLP
//! JSONL fixture (189 spans, 19 traces) replicated 5,300 times, each copy
//! with its durations stretched (×1 to ×40) so `dur>2s` has work to find.
//! Prints numbers; asserts nothing.
//!
//! ```sh
//! cargo run --release --no-default-features --example filter_bench
//! ```
//!
//! The copies' payload ranges all point at the same 686 kB of source bytes,
//! so free-text timings here are for cache-warm bytes (a lower bound).
//!
//! First, hostile patterns: globs and phrases built to make a naive matcher
//! cost haystack × needle (`name:*aaaa…b*`, 10k characters, against a
//! 1M-character name). `SPANSCOPE_BENCH_HOSTILE_ONLY=1` stops after them.

use spanscope::index::filter::{facets, Filter};
use spanscope::index::Index;
use spanscope::load::{load, Input};
use spanscope::model::{Store, TraceIdx, NONE};
use std::path::Path;
use std::time::Instant;

const COPIES: usize = 5_300;

fn main() {
    hostile_patterns();
    if std::env::var_os("SPANSCOPE_BENCH_HOSTILE_ONLY").is_some() {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/otlp-jsonl/dspy-all-scenarios.filexporter.jsonl");
    let bytes = std::fs::read(&path).unwrap_or_default();
    let base = load(vec![Input::new("fixture.jsonl", bytes)]).store;
    let started = Instant::now();
    let store = replicate(&base, COPIES);
    let index = Index::build(&store);
    println!(
        "store: {} spans, {} traces (built in {:.0} ms)",
        store.span_count(),
        store.trace_count(),
        started.elapsed().as_secs_f64() * 1e3
    );
    for query in [
        "status:error kind:llm dur>2s",
        "kind:llm",
        "model:gpt-4o*",
        "dur>2s OR tokens>1000",
        "attr.llm.provider:openai",
        "kind:llm trace:(status:error)",
        "status:error photosynthesis",
        "photosynthesis",
        "Photosynthesis",
    ] {
        let filter = match Filter::parse(query) {
            Ok(f) => f,
            Err(e) => {
                println!("{query}: {e}");
                continue;
            }
        };
        let (ms, spans) = best_of(5, || filter.matching_spans(&store, &index).len());
        let (traces_ms, traces) = best_of(5, || filter.matching_traces(&store, &index).len());
        println!(
            "{query:<32} {ms:>8.2} ms  {spans:>7} spans | traces {traces_ms:>7.2} ms {traces:>6}"
        );
    }
    let all = Filter::all().matching_spans(&store, &index);
    let (ms, _) = best_of(3, || facets(&store, &index, &all).name.len());
    println!("facets over all spans            {ms:>8.2} ms");
    let (ms, _) = best_of(5, || {
        Filter::parse("status:error kind:llm dur>2s trace:(model:gpt-4o*) \"refund policy\"")
            .map_or(0, |f| f.is_all() as usize)
    });
    println!("parse a 5-term filter            {ms:>8.4} ms");
}

/// One span whose name, attribute value and input are 1M characters, then
/// filters whose needle almost matches everywhere.
fn hostile_patterns() {
    let a = "a".repeat(1_000_000);
    let q = "q".repeat(1_000_000);
    let doc = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"0000000000000000000000000000000a","spanId":"000000000000000a","name":"{a}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{{"key":"x","value":{{"stringValue":"{a}"}}}},{{"key":"input.value","value":{{"stringValue":"{q}"}}}}]}}]}}]}}]}}"#
    );
    let session = load(vec![Input::new("hostile.json", doc.into_bytes())]);
    let (store, index) = (&session.store, &session.index);
    let long_a = "a".repeat(10_000);
    let long_q = "q".repeat(10_000);
    for (label, query) in [
        ("name:*a{10k}b*", format!("name:*{long_a}b*")),
        ("name:*a{10k}*b", format!("name:*{long_a}*b")),
        ("attr.x:*a{10k}b*", format!("attr.x:*{long_a}b*")),
        ("free text q{10k}e", format!("{long_q}e")),
        ("free text Q{10k}E", format!("{}E", long_q.to_uppercase())),
    ] {
        let Ok(filter) = Filter::parse(&query) else {
            println!("{label}: did not parse");
            continue;
        };
        let (ms, spans) = best_of(1, || filter.matching_spans(store, index).len());
        println!("hostile {label:<24} {ms:>10.1} ms  {spans} spans (1M-char haystack)");
    }
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = f();
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, out)
}

/// `copies` copies of every trace, row offsets shifted; copy `c` has its
/// span durations multiplied by `1 + c % 40`.
fn replicate(base: &Store, copies: usize) -> Store {
    let mut out = base.clone();
    let (n, t, a) = (
        base.span_count(),
        base.trace_count(),
        base.attrs.len() as u32,
    );
    let b = &base.spans;
    for c in 1..copies {
        let s = &mut out.spans;
        let stretch = 1 + (c % 40) as i64;
        for i in 0..n {
            s.trace.push(TraceIdx(b.trace[i].0 + (c * t) as u32));
            s.span_id.push(b.span_id[i]);
            s.parent.push(if b.parent[i] == NONE {
                NONE
            } else {
                b.parent[i] + (c * n) as u32
            });
            s.parent_id.push(b.parent_id[i]);
            s.name.push(b.name[i]);
            s.kind.push(b.kind[i]);
            s.status.push(b.status[i]);
            s.status_message.push(b.status_message[i]);
            s.start_nanos.push(b.start_nanos[i]);
            s.end_nanos
                .push(b.start_nanos[i] + (b.end_nanos[i] - b.start_nanos[i]) * stretch);
            s.service.push(b.service[i]);
            s.model.push(b.model[i]);
            s.provider.push(b.provider[i]);
            s.tokens.push(b.tokens[i]);
            s.cost_usd.push(b.cost_usd[i]);
            s.input.push(b.input[i]);
            s.output.push(b.output[i]);
            s.resource.push(b.resource[i]);
            s.source.push(b.source[i]);
            s.attr_start
                .insert(s.attr_start.len() - 1, b.attr_start[i] + c as u32 * a);
            s.is_lm_call.push(b.is_lm_call[i]);
        }
        if let Some(last) = s.attr_start.last_mut() {
            *last = (c as u32 + 1) * a;
        }
        for k in 0..base.attrs.len() {
            out.attrs.push(base.attrs.key[k], base.attrs.value[k]);
        }
        let tr = &mut out.traces;
        let m = base.traces.meta.len() as u32;
        for k in 0..t {
            tr.trace_id.push(base.traces.trace_id[k]);
            tr.span_start
                .push(base.traces.span_start[k + 1] + (c * n) as u32);
            tr.meta_start
                .push(base.traces.meta_start[k + 1] + c as u32 * m);
        }
        for k in 0..base.traces.meta.len() {
            tr.meta
                .push(base.traces.meta.key[k], base.traces.meta.value[k]);
        }
    }
    out
}
