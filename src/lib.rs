//! # spanscope
//!
//! Opens LM-program trace files (OTLP, OpenInference, MLflow, Langfuse,
//! Jaeger, Zipkin, DSPy's own logs) entirely in the browser.
//!
//! ## Architecture map
//!
//! ```text
//! model/     the trace model: ids, nanosecond times, spans, LM calls,
//!            the columnar store and the builder that fills it
//! formats/   one file per input format + registry, sniffing, containers
//! index/     immutable index over the store: per-trace summaries, span
//!            tree, self time; the filter language (index/filter/)
//! analysis/  plain-data view-models: breakdown, critical path, latency,
//!            tokens/cost, group-by, errors, LM-call view, trace table
//! load.rs    bytes → detected format → store → index → import report
//! download.rs  the rules of a #url= download: schemes, size limit, messages
//! transfer.rs  a loaded session ⇄ bytes (the parsing worker → the page)
//! display.rs every number-to-text conversion the user sees
//! safe_text.rs  untrusted text made honest: hidden characters shown, links checked
//! permalink.rs  URL hash ⇄ view state (the public URL parameters)
//! ui/        yew components, app state (reducer)          [feature "web"]
//! web/       the only code that touches the browser       [feature "web"]
//! bin/       `spanscope` command-line tool on the same core
//! ```
//!
//! ## Layer rules (enforced by `tests/layers.rs` and the compiler)
//!
//! - `model`, `formats`, `index`, `analysis`, `load`, `download`,
//!   `display`, `safe_text` and `permalink` build and test natively
//!   without the `web` feature and never name a browser crate (yew, web-sys,
//!   js-sys, wasm-bindgen, gloo).
//! - `formats` writes only through `model::StoreBuilder`; `index` never parses;
//!   `ui` never parses, aggregates or formats numbers itself: it renders what
//!   `index` computes and strings that `display` makes.
//! - Browser I/O happens only in `web/`.
//!
//! ## Data flow
//!
//! 1. `web` acquires files (drop, file picker, paste, `#url=`, sample) and
//!    hands them to the parsing worker (`web::worker`) without reading them.
//! 2. In the worker, `load::load_with_progress` unwraps gzip/zip, detects
//!    each format, parses into the builder (payload text stays as byte ranges
//!    into the file), finishes the store, builds the index and the import
//!    report; `transfer::pack` sends it to the page, which unpacks it and
//!    rebuilds the index. Natively (CLI, tests) `load::load` does step 2.
//! 3. `ui` renders the index; one reducer holds the app state.

// Unit tests may unwrap: a panic there is a failing test, not a user's crash.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod analysis;
pub mod display;
pub mod download;
pub mod formats;
pub mod index;
pub mod load;
pub mod model;
pub mod permalink;
pub mod safe_text;
pub mod transfer;

#[cfg(feature = "web")]
pub mod ui;
#[cfg(feature = "web")]
pub mod web;
