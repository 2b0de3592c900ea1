//! Native criterion benches of what the views do after loading: "expand
//! all" (`Index::tree_order`) and a filter scan over a ~1M-span trace, and
//! a `memchr::memmem` search over every payload byte range of the lean and
//! heavy inputs (bytes/s), with a whole-file scan as the ceiling.
//!
//! `cargo bench --no-default-features --bench queries`. See README "Benchmarks".

mod generator;
mod workloads;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use generator::generate;
use memchr::memmem::Finder;
use std::time::Duration;
use workloads::{
    count_containing, filter_error_llm_slower_than_2s, heavy_config, ingest, largest_trace,
    lean_config, million_config, payload_slices, DEFAULT_MB, NEEDLE,
};

fn size_mb() -> usize {
    std::env::var("SPANSCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MB)
}

fn tree_and_filter(c: &mut Criterion) {
    let config = million_config();
    let session = ingest(&config.file_name(), generate(&config).bytes);
    let trace = largest_trace(&session);
    let spans = session.store.trace_spans(trace).len() as u64;
    let mut group = c.benchmark_group("million_spans");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(spans));
    group.bench_function("expand_all_tree_order", |b| {
        b.iter(|| session.index.tree_order(&session.store, trace))
    });
    group.throughput(Throughput::Elements(session.store.span_count() as u64));
    group.bench_function("filter_error_llm_over_2s", |b| {
        let filter = spanscope::index::filter::Filter::parse(workloads::TYPICAL_FILTER)
            .unwrap_or_else(|_| spanscope::index::filter::Filter::all());
        b.iter(|| filter_error_llm_slower_than_2s(&session, &filter))
    });
    group.finish();
}

fn text_search(c: &mut Criterion) {
    let mb = size_mb();
    let sessions: Vec<_> = [lean_config(mb), heavy_config(mb)]
        .iter()
        .map(|config| ingest(&config.file_name(), generate(config).bytes))
        .collect();
    let slices: Vec<&[u8]> = sessions
        .iter()
        .flat_map(|s| payload_slices(&s.store))
        .collect();
    let payload: usize = slices.iter().map(|s| s.len()).sum();
    let finder = Finder::new(NEEDLE);
    let mut group = c.benchmark_group("text_search");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(payload as u64));
    group.bench_function("memmem_payload_ranges", |b| {
        b.iter(|| count_containing(&finder, &slices))
    });
    let whole: Vec<&[u8]> = sessions
        .iter()
        .flat_map(|s| s.store.sources.iter().map(|src| src.bytes.as_slice()))
        .collect();
    let whole_bytes: usize = whole.iter().map(|s| s.len()).sum();
    group.throughput(Throughput::Bytes(whole_bytes as u64));
    group.bench_function("memmem_whole_files", |b| {
        b.iter(|| count_containing(&finder, &whole))
    });
    group.finish();
}

criterion_group!(query_benches, tree_and_filter, text_search);
criterion_main!(query_benches);
