//! Seeded generator of synthetic OTLP JSON shaped like the DSPy exports in
//! `tests/fixtures/otlp-json/` (OpenInference DSPy + LiteLLM instrumentors),
//! at any size, for benchmarks. Same config → same bytes, on every platform
//! (native and wasm32 alike): no clock, no hash-map order, no floats in
//! decisions, its own PRNG.
//!
//! Shared by the criterion benches, the in-browser bench, the native probe
//! and the `gen` example (each declares `mod generator;`, so it never ships in the
//! crate). Depends on nothing but `std`.
//!
//! Shapes: `Lean` (short plain-text attributes, no escapes, ~0.9 KB/span),
//! `Heavy` (DSPy prompts and completions with `\n`, `\"`, nested JSON and
//! non-ASCII text, ~4 KB/span), `Skeleton` (ids, times, kind and LM usage
//! only, ~0.4 KB/span: for structure benchmarks where payload only costs
//! memory). Layouts: one export request (`Document`) or one request per
//! line (`JsonLines`). Programs: RAG, MultiHop, ReAct and `Parallel` (whose
//! children overlap in time); ~5% of spans fail with an `exception` event.
//!
//! Files: this one (configuration, entry point, PRNG, generator state),
//! `programs.rs` (DSPy program trees and their timing), `payload.rs`
//! (attribute values per shape), `writer.rs` (OTLP JSON writing),
//! `vocab.rs` (the words, questions and documents it draws from).
#![allow(dead_code)]

mod payload;
mod programs;
mod vocab;
mod writer;

/// Start of the first trace: the fixtures' clock (2026-11-21).
pub const BASE_NANOS: i64 = 1_795_258_485_267_764_815;
/// Spans per export request, as OpenTelemetry's batch span processor sends.
const BATCH_SPANS: usize = 512;
/// Programs per `Evaluate.__call__` in one-trace mode (a dev set).
const EVAL_PROGRAMS: usize = 100;
/// Threads of one `Evaluate.__call__` (its programs overlap in time).
const EVAL_THREADS: usize = 4;
const MS: i64 = 1_000_000;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Lean,
    Heavy,
    Skeleton,
}

impl Shape {
    pub fn parse(s: &str) -> Option<Shape> {
        match s {
            "lean" => Some(Shape::Lean),
            "heavy" => Some(Shape::Heavy),
            "skeleton" => Some(Shape::Skeleton),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Lean => "lean",
            Shape::Heavy => "heavy",
            Shape::Skeleton => "skeleton",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One `ExportTraceServiceRequest`, one line, Python `json.dumps` spacing
    /// (as the fixtures).
    Document,
    /// One compact request per line (as the OpenTelemetry file exporter).
    JsonLines,
}

/// When to stop: generation ends at the first trace (or, in one-trace mode,
/// program) boundary at or after the target.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Bytes(usize),
    Spans(usize),
}

#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub shape: Shape,
    pub layout: Layout,
    /// All programs in one trace: `MIPROv2.compile` → `Evaluate.__call__` →
    /// programs (an optimizer run), for "expand all" on a huge trace.
    pub one_trace: bool,
    pub target: Target,
}

impl Config {
    pub fn new(shape: Shape, target: Target) -> Config {
        Config {
            seed: 1,
            shape,
            layout: Layout::Document,
            one_trace: false,
            target,
        }
    }

    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    pub fn layout(mut self, layout: Layout) -> Config {
        self.layout = layout;
        self
    }

    pub fn one_trace(mut self) -> Config {
        self.one_trace = true;
        self
    }

    /// A file name the format sniffer agrees with (content decides anyway).
    pub fn file_name(&self) -> String {
        let ext = match self.layout {
            Layout::Document => "json",
            Layout::JsonLines => "jsonl",
        };
        format!("synthetic-{}.otlp.{ext}", self.shape.name())
    }
}

/// The bytes and what they hold (counted while writing, for cross-checks).
#[derive(Clone, Debug)]
pub struct Generated {
    pub bytes: Vec<u8>,
    pub spans: usize,
    pub traces: usize,
    pub error_spans: usize,
    /// Spans whose `openinference.span.kind` is `LLM`.
    pub llm_spans: usize,
}

pub fn generate(config: &Config) -> Generated {
    let mut g = Gen::new(config);
    if config.one_trace {
        g.optimizer_trace(config.target);
    } else {
        while !g.reached(config.target) {
            g.new_trace();
            let start = g.clock;
            let end = g.program(None, start, true);
            g.clock = end + g.between(MS, 40 * MS);
        }
    }
    g.finish()
}

/// SplitMix64: tiny, fast, and identical on every target.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n < 2^32).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn id(&mut self) -> u64 {
        self.next() | 1 // never the all-zero "no id"
    }
}

struct Gen {
    rng: Rng,
    shape: Shape,
    layout: Layout,
    out: Vec<u8>,
    /// Spans of the current batch, per instrumentation scope.
    dspy: Vec<u8>,
    litellm: Vec<u8>,
    batch_spans: usize,
    batches: usize,
    trace_hex: String,
    clock: i64,
    spans: usize,
    traces: usize,
    error_spans: usize,
    llm_spans: usize,
}

impl Gen {
    fn new(config: &Config) -> Gen {
        let capacity = match config.target {
            // One allocation: doubling a 1 GB buffer would need 3 GB at once.
            Target::Bytes(n) => n + n / 8 + (1 << 20),
            Target::Spans(n) => n.saturating_mul(match config.shape {
                Shape::Lean => 1000,
                Shape::Heavy => 4500,
                Shape::Skeleton => 450,
            }),
        };
        let mut out = Vec::with_capacity(capacity);
        if config.layout == Layout::Document {
            out.extend_from_slice(b"{\"resourceSpans\": [");
        }
        Gen {
            // Mixed so that seeds 1, 2, 3 do not start from related states.
            rng: Rng(config.seed.wrapping_mul(0xA076_1D64_78BD_642F) ^ 0x5851_F42D),
            shape: config.shape,
            layout: config.layout,
            out,
            dspy: Vec::with_capacity(4 << 20),
            litellm: Vec::with_capacity(4 << 20),
            batch_spans: 0,
            batches: 0,
            trace_hex: String::new(),
            clock: BASE_NANOS,
            spans: 0,
            traces: 0,
            error_spans: 0,
            llm_spans: 0,
        }
    }

    fn reached(&self, target: Target) -> bool {
        match target {
            Target::Bytes(n) => self.out.len() + self.dspy.len() + self.litellm.len() >= n,
            Target::Spans(n) => self.spans >= n,
        }
    }

    fn finish(mut self) -> Generated {
        self.flush();
        if self.layout == Layout::Document {
            self.out.extend_from_slice(b"]}");
        }
        Generated {
            bytes: self.out,
            spans: self.spans,
            traces: self.traces,
            error_spans: self.error_spans,
            llm_spans: self.llm_spans,
        }
    }

    fn new_trace(&mut self) {
        let (hi, lo) = (self.rng.id(), self.rng.id());
        self.trace_hex = format!("{hi:016x}{lo:016x}");
        self.traces += 1;
    }

    /// Uniform duration in `lo..hi` nanoseconds.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.rng.next() % (hi - lo).max(1) as u64) as i64
    }

    /// LM latency: log-uniform from 150 ms to ~9.6 s (about a third over 2 s).
    fn lm_latency(&mut self) -> i64 {
        let doublings = self.rng.below(6); // 150 ms · 2^0..2^6
        let base = (150 * MS) << doublings;
        self.between(base, base * 2)
    }
}
