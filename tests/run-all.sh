#!/usr/bin/env bash
# Every test layer, fastest first. Run through `./setup.sh test`, which
# installs the tools first; CI (.ci/run) runs exactly that.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${SPANSCOPE_TOOLS:-$HOME/.cache/spanscope/tools}/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never

started=$SECONDS
step() {
  local what=$1 t=$SECONDS
  shift
  printf '\n=== %s\n' "$what"
  "$@"
  printf '=== %s: ok (%d s)\n' "$what" $((SECONDS - t))
}

step "rustfmt" cargo fmt --all --check
step "clippy, native, with the web UI" cargo clippy --all-targets --locked -- -D warnings
step "clippy, native, core only" cargo clippy --all-targets --locked --no-default-features -- -D warnings
step "clippy, wasm32" cargo clippy --target wasm32-unknown-unknown --lib --bins --tests --locked -- -D warnings

step "native tests, core only (no web feature)" cargo test --locked --no-default-features
step "native tests, with the web UI" cargo test --locked

step "browser unit tests (wasm-bindgen-test in headless Chromium)" env \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver.json" \
  cargo test --locked --target wasm32-unknown-unknown --test web

step "release bundle (trunk)" trunk build --release --locked
for wasm in dist/*.wasm; do
  raw=$(wc -c <"$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf 'wasm size: %s raw, %s gzipped (%s)\n' "$raw" "$gz" "$(basename "$wasm")"
done

step "command-line tool (release)" cargo build --release --locked --no-default-features --bin spanscope
step "end-to-end (release bundle, static server, headless Chromium)" node --test tests/e2e/

printf '\nall test layers passed in %d s\n' $((SECONDS - started))
