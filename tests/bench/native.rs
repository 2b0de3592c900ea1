//! Native figures on exactly the inputs the browser bench generates, for
//! `wasm_vs_native`: `tests/bench/run.sh` runs this first and hands
//! `native_ingest_mb_s_lean` / `_heavy` to the wasm build.
//!
//! `cargo run --release --example bench_native` prints `native_*=value`
//! lines last. Env: `SPANSCOPE_BENCH_MB` (default 100), `SPANSCOPE_BENCH_RUNS`
//! (default 5).

mod generator;
mod workloads;

use std::time::Instant;
use workloads::{run_suite, DEFAULT_MB};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let mb = env_usize("SPANSCOPE_BENCH_MB", DEFAULT_MB);
    let runs = env_usize("SPANSCOPE_BENCH_RUNS", 5).max(1);
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
    let f = run_suite(&clock, mb, runs, &mut |_, _| {}, &mut |line| {
        eprintln!("{line}")
    });
    let figures = [
        ("native_ingest_mb_s_lean", f.ingest_mb_s_lean()),
        ("native_ingest_mb_s_heavy", f.ingest_mb_s_heavy()),
        ("native_ingest_spans_s_lean", f.ingest_spans_s_lean()),
        ("native_index_bytes_per_span", f.index_bytes_per_span_lean),
        (
            "native_index_bytes_per_span_heavy",
            f.index_bytes_per_span_heavy,
        ),
        ("native_filter_ms_1m", f.filter_ms),
        ("native_text_search_gb_s", f.text_search_gb_s()),
        ("native_expand_all_ms_1m", f.expand_all_ms),
        ("native_handoff_pack_ms_lean", f.pack_ms),
        ("native_handoff_unpack_ms_lean", f.unpack_ms),
        ("native_handoff_blob_mb_lean", f.blob_bytes as f64 / 1e6),
    ];
    for (key, value) in figures {
        println!("{key}={value:.3}");
    }
}
