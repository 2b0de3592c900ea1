//! The measured work and the figures, shared by the native probe
//! (`examples`-style binary), the in-browser bench and the criterion
//! benches, so native and wasm time exactly the same calls on the same
//! bytes. The clock is passed in: `Instant` natively, `performance.now()`
//! in the browser.
//!
//! Depends on the crate's public API and `generator/` (which the includer
//! must declare as `mod generator`).
#![allow(dead_code)]

use crate::generator::{generate, Config, Shape, Target};
use spanscope::index::filter::Filter;
use spanscope::load::{load, Input, Session};
use spanscope::model::{AttrValue, SpanIdx, Store, TextRef, TraceIdx};

/// Every generated input uses this seed, so all harnesses see equal bytes.
pub const SEED: u64 = 1;
/// Default input size for the ingest figures (the research anchors used 100 MB).
pub const DEFAULT_MB: usize = 100;
/// Span count of the "expand all" / filter trace.
pub const MILLION: usize = 1_000_000;
/// Searched for in every payload byte range; absent from generated text, so
/// each scan reads every byte (the worst case of a search box).
pub const NEEDLE: &[u8] = b"quantum chromodynamics";

/// Milliseconds from an arbitrary origin.
pub type Clock<'a> = &'a dyn Fn() -> f64;

pub fn lean_config(mb: usize) -> Config {
    Config::new(Shape::Lean, Target::Bytes(mb * 1_000_000)).seed(SEED)
}

pub fn heavy_config(mb: usize) -> Config {
    Config::new(Shape::Heavy, Target::Bytes(mb * 1_000_000)).seed(SEED)
}

/// One trace of ~1M spans (an optimizer run), skeleton-sized: payload
/// would only cost memory, the tree is what "expand all" walks.
pub fn million_config() -> Config {
    Config::new(Shape::Skeleton, Target::Spans(MILLION))
        .seed(SEED)
        .one_trace()
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median wall time of `runs` calls, after one untimed warm-up (which also
/// grows the wasm memory once). Each call may prepare untimed input first.
pub fn median_ms<I, O>(
    clock: Clock,
    runs: usize,
    mut prepare: impl FnMut() -> I,
    mut work: impl FnMut(I) -> O,
) -> (f64, O) {
    let mut times = Vec::with_capacity(runs);
    let mut last = work(prepare());
    for _ in 0..runs {
        let input = prepare();
        let start = clock();
        let out = work(input);
        times.push(clock() - start);
        last = out; // the previous result drops here, outside the timed region
    }
    (median(&mut times), last)
}

/// Like [`median_ms`] for short work: each sample repeats `work` until at
/// least `min_ms` passed (the browser clock has 0.1 ms steps), and reports
/// the time per call.
pub fn median_ms_repeated<O>(
    clock: Clock,
    runs: usize,
    min_ms: f64,
    mut work: impl FnMut() -> O,
) -> f64 {
    let mut times = Vec::with_capacity(runs);
    std::hint::black_box(work());
    for _ in 0..runs {
        let start = clock();
        let mut calls = 0u32;
        loop {
            std::hint::black_box(work());
            calls += 1;
            if clock() - start >= min_ms {
                break;
            }
        }
        times.push((clock() - start) / f64::from(calls));
    }
    median(&mut times)
}

pub fn ingest(name: &str, bytes: Vec<u8>) -> Session {
    load(vec![Input::new(name, bytes)])
}

/// Ingest of one generated input: median ms, and the last session.
pub fn time_ingest(clock: Clock, runs: usize, name: &str, bytes: &[u8]) -> (f64, Session) {
    median_ms(clock, runs, || bytes.to_vec(), |input| ingest(name, input))
}

/// Store + index heap bytes per span (input bytes excluded).
pub fn index_bytes_per_span(session: &Session) -> f64 {
    let spans = session.store.span_count().max(1) as f64;
    (session.store.heap_bytes() + session.index.heap_bytes()) as f64 / spans
}

/// Every payload byte range of a store: span input/output/status message,
/// attribute, event-attribute, resource and trace-metadata strings and JSON.
pub fn payload_slices(store: &Store) -> Vec<&[u8]> {
    let mut refs: Vec<TextRef> = Vec::new();
    let s = &store.spans;
    refs.extend(
        s.input
            .iter()
            .chain(&s.output)
            .chain(&s.status_message)
            .flatten(),
    );
    let values = store
        .attrs
        .value
        .iter()
        .chain(&store.events.attrs.value)
        .chain(&store.resource_attrs.value)
        .chain(&store.traces.meta.value);
    for value in values {
        if let AttrValue::Str(t) | AttrValue::Json(t) = value {
            refs.push(*t);
        }
    }
    refs.into_iter()
        .map(|t| store.raw(t))
        .filter(|b| !b.is_empty())
        .collect()
}

/// How many ranges contain the needle (what a search box would highlight).
pub fn count_containing(finder: &memchr::memmem::Finder, slices: &[&[u8]]) -> usize {
    slices.iter().filter(|s| finder.find(s).is_some()).count()
}

/// The typical filter of `filter_ms_1m`, through the filter language:
/// error LM spans slower than two seconds. Parsed once; evaluation is timed.
pub const TYPICAL_FILTER: &str = "status:error kind:llm dur>2s";

pub fn filter_error_llm_slower_than_2s(session: &Session, filter: &Filter) -> Vec<SpanIdx> {
    filter.matching_spans(&session.store, &session.index)
}

/// The trace with the most spans.
pub fn largest_trace(session: &Session) -> TraceIdx {
    let traces = &session.index.traces;
    traces
        .iter()
        .max_by_key(|t| (t.spans, std::cmp::Reverse(t.trace.0)))
        .map_or(TraceIdx(0), |t| t.trace)
}

/// The figures both native and wasm produce (the browser adds `JSON.parse`).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub lean_bytes: usize,
    pub lean_spans: usize,
    pub lean_ms: f64,
    pub heavy_bytes: usize,
    pub heavy_spans: usize,
    pub heavy_ms: f64,
    pub index_bytes_per_span_lean: f64,
    pub index_bytes_per_span_heavy: f64,
    pub payload_bytes: usize,
    pub text_search_ms: f64,
    pub million_spans: usize,
    pub million_trace_spans: usize,
    pub million_ingest_ms: f64,
    pub filter_ms: f64,
    pub filter_matches: usize,
    pub expand_all_ms: f64,
    /// The lean session handed from the parsing worker to the page:
    /// encoding there, decoding + rebuilding the index here, blob size.
    pub pack_ms: f64,
    pub unpack_ms: f64,
    pub blob_bytes: usize,
}

impl Figures {
    pub fn ingest_mb_s_lean(&self) -> f64 {
        mb_per_s(self.lean_bytes, self.lean_ms)
    }

    pub fn ingest_mb_s_heavy(&self) -> f64 {
        mb_per_s(self.heavy_bytes, self.heavy_ms)
    }

    pub fn ingest_spans_s_lean(&self) -> f64 {
        self.lean_spans as f64 / (self.lean_ms / 1000.0)
    }

    pub fn text_search_gb_s(&self) -> f64 {
        mb_per_s(self.payload_bytes, self.text_search_ms) / 1000.0
    }
}

pub fn mb_per_s(bytes: usize, ms: f64) -> f64 {
    bytes as f64 / 1e6 / (ms / 1000.0)
}

/// Runs every shared measurement in a memory-frugal order. `with_bytes`
/// sees each generated ingest input (`"lean"`, `"heavy"`) before it is
/// dropped: the browser times `JSON.parse` there. `log` gets progress.
pub fn run_suite(
    clock: Clock,
    mb: usize,
    runs: usize,
    with_bytes: &mut dyn FnMut(&str, &[u8]),
    log: &mut dyn FnMut(String),
) -> Figures {
    let mut f = Figures::default();
    let mut sessions = Vec::new();
    for config in [lean_config(mb), heavy_config(mb)] {
        let t = clock();
        let generated = generate(&config);
        let shape = config.shape.name();
        log(format!(
            "generated {shape}: {} bytes, {} spans, {} traces, {} error spans in {:.0} ms",
            generated.bytes.len(),
            generated.spans,
            generated.traces,
            generated.error_spans,
            clock() - t
        ));
        let (ms, session) = time_ingest(clock, runs, &config.file_name(), &generated.bytes);
        let spans = session.store.span_count();
        log(format!(
            "ingest {shape}: median {ms:.1} ms = {:.0} MB/s, {spans} spans",
            mb_per_s(generated.bytes.len(), ms)
        ));
        if config.shape == Shape::Lean {
            (f.lean_bytes, f.lean_spans, f.lean_ms) = (generated.bytes.len(), spans, ms);
            f.index_bytes_per_span_lean = index_bytes_per_span(&session);
        } else {
            (f.heavy_bytes, f.heavy_spans, f.heavy_ms) = (generated.bytes.len(), spans, ms);
            f.index_bytes_per_span_heavy = index_bytes_per_span(&session);
        }
        with_bytes(shape, &generated.bytes);
        sessions.push(session);
    }

    let finder = memchr::memmem::Finder::new(NEEDLE);
    let slices: Vec<&[u8]> = sessions
        .iter()
        .flat_map(|s| payload_slices(&s.store))
        .collect();
    f.payload_bytes = slices.iter().map(|s| s.len()).sum();
    f.text_search_ms = median_ms_repeated(clock, runs, 50.0, || count_containing(&finder, &slices));
    log(format!(
        "text search: {} ranges, {} bytes, median {:.2} ms",
        slices.len(),
        f.payload_bytes,
        f.text_search_ms
    ));
    drop(slices);
    let mut lean = sessions.swap_remove(0);
    drop(sessions);
    let (mut pack_ms, mut unpack_ms) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = clock();
        let packed = spanscope::transfer::pack(lean).expect("pack");
        pack_ms.push(clock() - t);
        f.blob_bytes = packed.blob.len();
        let t = clock();
        lean = spanscope::transfer::unpack(&packed.blob, packed.sources).expect("unpack");
        unpack_ms.push(clock() - t);
    }
    (f.pack_ms, f.unpack_ms) = (median(&mut pack_ms), median(&mut unpack_ms));
    log(format!(
        "worker hand-off (lean): pack {:.1} ms, unpack + index {:.1} ms, blob {} bytes for {} spans",
        f.pack_ms,
        f.unpack_ms,
        f.blob_bytes,
        lean.store.span_count()
    ));
    drop(lean);

    let t = clock();
    let generated = generate(&million_config());
    log(format!(
        "generated one-trace skeleton: {} bytes, {} spans in {:.0} ms",
        generated.bytes.len(),
        generated.spans,
        clock() - t
    ));
    let t = clock();
    let session = ingest(&million_config().file_name(), generated.bytes);
    f.million_ingest_ms = clock() - t;
    f.million_spans = session.store.span_count();
    let trace = largest_trace(&session);
    f.million_trace_spans = session.store.trace_spans(trace).len();
    let filter = Filter::parse(TYPICAL_FILTER).unwrap_or_else(|_| Filter::all());
    f.filter_matches = filter_error_llm_slower_than_2s(&session, &filter).len();
    f.filter_ms = median_ms_repeated(clock, runs, 50.0, || {
        filter_error_llm_slower_than_2s(&session, &filter)
    });
    f.expand_all_ms = median_ms_repeated(clock, runs, 50.0, || {
        session.index.tree_order(&session.store, trace)
    });
    log(format!(
        "1M: {} spans ({} in the largest trace) ingested once in {:.0} ms; filter {:.2} ms ({} matches); expand all {:.1} ms",
        f.million_spans,
        f.million_trace_spans,
        f.million_ingest_ms,
        f.filter_ms,
        f.filter_matches,
        f.expand_all_ms
    ));
    f
}
