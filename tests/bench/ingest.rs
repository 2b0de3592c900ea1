//! Native criterion benches of ingest: `load::load` (sniff, parse, store,
//! index, report) of generated lean and LM-heavy OTLP, as one document and
//! as JSON lines (throughput in MiB/s and spans/s), and `Index::build`
//! alone (spans/s).
//!
//! `cargo bench --no-default-features --bench ingest`; input size from
//! `SPANSCOPE_BENCH_MB` (default 100). See README "Benchmarks".

mod generator;
mod workloads;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use generator::{generate, Layout};
use spanscope::index::Index;
use std::time::Duration;
use workloads::{heavy_config, ingest, lean_config, DEFAULT_MB};

fn size_mb() -> usize {
    std::env::var("SPANSCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MB)
}

fn benches(c: &mut Criterion) {
    let mb = size_mb();
    let inputs = [
        ("lean", lean_config(mb)),
        ("heavy", heavy_config(mb)),
        ("lean_jsonl", lean_config(mb).layout(Layout::JsonLines)),
        ("heavy_jsonl", heavy_config(mb).layout(Layout::JsonLines)),
    ];
    let mut load = c.benchmark_group("load");
    load.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    let mut sessions = Vec::new();
    for (label, config) in &inputs {
        let generated = generate(config);
        let name = config.file_name();
        load.throughput(Throughput::ElementsAndBytes {
            elements: generated.spans as u64,
            bytes: generated.bytes.len() as u64,
        });
        load.bench_function(*label, |b| {
            b.iter_batched(
                || generated.bytes.clone(),
                |bytes| ingest(&name, bytes),
                BatchSize::PerIteration,
            )
        });
        if !label.ends_with("jsonl") {
            sessions.push((*label, ingest(&name, generated.bytes)));
        }
    }
    load.finish();

    let mut build = c.benchmark_group("index_build");
    build
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for (label, session) in &sessions {
        // Spans/s only: it reads columns, not the input bytes.
        build.throughput(Throughput::Elements(session.store.span_count() as u64));
        build.bench_function(*label, |b| b.iter(|| Index::build(&session.store)));
    }
    build.finish();
}

criterion_group!(ingest_benches, benches);
criterion_main!(ingest_benches);
