#!/usr/bin/env bash
# spanscope set-up: installs what is missing, then runs one task.
#
#   ./setup.sh serve   build the app and serve it on http://127.0.0.1:8080
#   ./setup.sh test    run every test (what CI runs)
#   ./setup.sh bench   run the benchmarks
#   ./setup.sh tools   only install the tools
#
# Every tool is checked first and skipped when the right version is present,
# so a warm machine pays nothing. Nothing here downloads from outside the
# package registries (crates.io, npm, Debian apt): trunk runs with
# `offline = true` and uses the wasm-bindgen and wasm-opt installed here.
set -euo pipefail

cd "$(dirname "$0")"

TRUNK_VERSION=0.21.14
# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml (a test checks it).
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
TOOLS_DIR="${SPANSCOPE_TOOLS:-$HOME/.cache/spanscope/tools}"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
timed() {
  local what=$1 start=$SECONDS
  shift
  "$@"
  log "$what took $((SECONDS - start)) s"
}

has_version() { # command, expected substring of `command --version`
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

install_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return
  timed "rustup target add wasm32-unknown-unknown" rustup target add wasm32-unknown-unknown
}

install_trunk() {
  has_version trunk "trunk $TRUNK_VERSION" && return
  log "building trunk $TRUNK_VERSION from crates.io (10-25 min on 2 cores, once)"
  timed "trunk install" cargo install trunk --version "$TRUNK_VERSION" --locked
}

install_wasm_bindgen() {
  has_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION" &&
    has_version wasm-bindgen-test-runner "$WASM_BINDGEN_VERSION" && return
  log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (6-13 min, once)"
  # Without --locked: its lockfile pins a webpki-roots version crates.io no longer serves.
  timed "wasm-bindgen-cli install" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
}

install_wasm_opt() {
  # Debian's binaryen (108) rejects the bulk-memory opcodes rustc 1.95 emits.
  export PATH="$TOOLS_DIR/node_modules/.bin:$PATH"
  has_version wasm-opt "version $BINARYEN_VERSION" && return
  mkdir -p "$TOOLS_DIR"
  timed "binaryen install" npm install --no-audit --no-fund --silent --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
}

install_chromium() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  timed "chromium install" sh -c "$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null"
}

install_e2e_driver() {
  [ -d tests/e2e/node_modules/playwright-core ] && return
  timed "playwright-core install" npm ci --no-audit --no-fund --silent --prefix tests/e2e
}

install_all() {
  install_wasm_target
  install_wasm_opt
  install_chromium
  install_e2e_driver
  install_wasm_bindgen
  install_trunk
}

case "${1:-}" in
  tools) install_all ;;
  serve)
    install_all
    log "building and serving on http://127.0.0.1:8080 (Ctrl-C to stop)"
    exec trunk serve --release --address 127.0.0.1 --port 8080
    ;;
  test)
    install_all
    exec bash tests/run-all.sh
    ;;
  bench)
    install_all
    exec bash tests/bench/run.sh
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
