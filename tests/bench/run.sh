#!/usr/bin/env bash
# Every benchmark, on generated inputs (tests/bench/generator/, seed 1).
# Run through `./setup.sh bench` (installs the tools first) or `.ci/bench`.
# CI does not run it: timings on a shared 2-core machine are not gates.
#
#   1. native criterion benches   cargo bench --bench ingest --bench queries
#   2. native probe               the browser bench's figures, natively
#   3. browser bench              release wasm in headless Chromium
#   4. browser bench, +simd128    the same with RUSTFLAGS=-C target-feature=+simd128
#                                 (not the shipping build; reported for comparison)
#   5. the app in Chromium        trunk release bundle: pick a 100 MB file → first
#                                 rows; open and scroll a 100k-span trace (long tasks)
#
# Env: SPANSCOPE_BENCH_MB (input size, default 100), SPANSCOPE_BENCH_RUNS
# (median of N, default 5), SPANSCOPE_BENCH_SKIP (comma list of
# criterion,native,browser,simd128,ui). Results: target/bench/*.txt; the last
# lines printed are the default browser build's key=value figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="${SPANSCOPE_TOOLS:-$HOME/.cache/spanscope/tools}/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
export SPANSCOPE_BENCH_MB="${SPANSCOPE_BENCH_MB:-100}"
export SPANSCOPE_BENCH_RUNS="${SPANSCOPE_BENCH_RUNS:-5}"
skip="${SPANSCOPE_BENCH_SKIP:-}"
out=target/bench
mkdir -p "$out"
rm -f "$out"/*.txt # a skipped step must not show an old result

skipped() { [[ ",$skip," == *",$1,"* ]]; }
step() { printf '\n=== %s (load average: %s)\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
figures() { grep -E '^[a-z0-9_]+=[-0-9.naNinf]+$' "$1" || true; }

printf 'machine: %s cores, %s; %s\n' "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(rustc --version)"
printf 'inputs: %s MB lean and heavy OTLP, 1M-span trace; median of %s runs\n' \
  "$SPANSCOPE_BENCH_MB" "$SPANSCOPE_BENCH_RUNS"

if ! skipped criterion; then
  step "native criterion benches (throughput lines: thrpt)"
  cargo bench --locked --no-default-features --bench ingest --bench queries 2>&1 | tee "$out/criterion.txt"
fi

native_lean="" native_heavy=""
if ! skipped native; then
  step "native probe (same inputs and calls as the browser bench)"
  cargo run --release --locked --no-default-features --example bench_native | tee "$out/native.txt"
  native_lean=$(sed -n 's/^native_ingest_mb_s_lean=//p' "$out/native.txt")
  native_heavy=$(sed -n 's/^native_ingest_mb_s_heavy=//p' "$out/native.txt")
fi

browser() { # label, extra env...
  local label=$1
  shift
  env "$@" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver.json" \
    WASM_BINDGEN_TEST_TIMEOUT=1800 \
    SPANSCOPE_NATIVE_INGEST_MB_S_LEAN="$native_lean" \
    SPANSCOPE_NATIVE_INGEST_MB_S_HEAVY="$native_heavy" \
    cargo test --release --locked --target wasm32-unknown-unknown --test browser_bench \
    -- --nocapture 2>&1 | tee "$out/browser-$label.txt"
}

if ! skipped simd128; then
  step "browser bench, release wasm with +simd128 (own target dir; not the shipping build)"
  browser simd128 RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/bench-simd128
fi
if ! skipped browser; then
  step "browser bench, release wasm (shipping build flags)"
  browser default
fi

if ! skipped ui; then
  step "the app in headless Chromium (release bundle): large file, long trace"
  cargo run --release --locked --no-default-features --example gen -- lean "${SPANSCOPE_BENCH_MB}MB" "$out/lean.json"
  cargo run --release --locked --no-default-features --example gen -- lean 100000spans "$out/one-trace.json" --one-trace
  trunk build --release --locked
  node tests/bench/ui_perf.mjs "$out/lean.json" "$out/one-trace.json" | tee "$out/ui.txt"
fi

step "summary"
for f in "$out/native.txt" "$out/browser-simd128.txt"; do
  [ -f "$f" ] || continue
  printf -- '--- %s\n' "$f"
  if [[ $f == *simd128* ]]; then figures "$f" | sed 's/^/simd128_/'; else figures "$f"; fi
done
if [ -f "$out/ui.txt" ]; then
  printf -- '--- %s (the app)\n' "$out/ui.txt"
  figures "$out/ui.txt"
fi
if [ -f "$out/browser-default.txt" ]; then
  printf -- '--- %s (default build)\n' "$out/browser-default.txt"
  figures "$out/browser-default.txt"
fi
