//! The benchmark input generator is deterministic, realistic enough to load
//! cleanly, and sized as documented. Benchmarks are only comparable over
//! time if their bytes are: the golden counts below pin the byte stream.

mod generator;

use generator::{generate, Config, Layout, Shape, Target};
use spanscope::load::{load, Input, Session};
use spanscope::model::{SpanIdx, SpanKind, StatusCode};

fn config(shape: Shape, bytes: usize) -> Config {
    Config::new(shape, Target::Bytes(bytes))
}

fn load_generated(config: &Config) -> (generator::Generated, Session) {
    let generated = generate(config);
    let session = load(vec![Input::new(
        config.file_name(),
        generated.bytes.clone(),
    )]);
    (generated, session)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&config(Shape::Heavy, 200_000));
    let b = generate(&config(Shape::Heavy, 200_000));
    let c = generate(&config(Shape::Heavy, 200_000).seed(2));
    assert_eq!(a.bytes, b.bytes);
    assert_ne!(a.bytes, c.bytes);
}

/// Counts independently obtained with python3 over the `gen` example's
/// output (`cargo run --example gen -- lean 300KB /tmp/l.json`, then
/// `json.load` and counting spans, distinct traceIds, status code 2, and
/// `openinference.span.kind == "LLM"`). A change here means every stored
/// benchmark figure was measured on different bytes.
#[test]
fn golden_counts_pin_the_byte_stream() {
    let lean = generate(&config(Shape::Lean, 300_000));
    assert_eq!(
        (
            lean.bytes.len(),
            lean.spans,
            lean.traces,
            lean.error_spans,
            lean.llm_spans
        ),
        GOLDEN_LEAN
    );
    let heavy = generate(&config(Shape::Heavy, 300_000).layout(Layout::JsonLines));
    assert_eq!(
        (
            heavy.bytes.len(),
            heavy.spans,
            heavy.traces,
            heavy.error_spans,
            heavy.llm_spans
        ),
        GOLDEN_HEAVY_JSONL
    );
}

const GOLDEN_LEAN: (usize, usize, usize, usize, usize) = (310_267, 334, 20, 12, 96);
const GOLDEN_HEAVY_JSONL: (usize, usize, usize, usize, usize) = (307_542, 83, 3, 3, 24);

#[test]
fn every_shape_and_layout_loads_cleanly_with_the_counts_written() {
    for shape in [Shape::Lean, Shape::Heavy, Shape::Skeleton] {
        for (layout, format) in [
            (Layout::Document, "otlp-json"),
            (Layout::JsonLines, "otlp-jsonl"),
        ] {
            // 2.5 MB: at least two 512-span requests, so JSON lines has 2+ lines.
            let cfg = config(shape, 2_500_000).layout(layout);
            let (generated, session) = load_generated(&cfg);
            let what = format!("{} {layout:?}", shape.name());
            let file = &session.report.files[0];
            assert_eq!(file.format, Some(format), "{what}");
            assert_eq!(file.error, None, "{what}");
            assert_eq!(
                session.report.warnings.total(),
                0,
                "{what}: {:?}",
                session.report.warnings
            );
            assert_eq!(session.store.span_count(), generated.spans, "{what}");
            assert_eq!(
                session.index.totals.traces as usize, generated.traces,
                "{what}"
            );
            assert_eq!(
                session.index.totals.error_spans as usize, generated.error_spans,
                "{what}"
            );
            let llm = session
                .store
                .spans
                .kind
                .iter()
                .filter(|k| **k == SpanKind::Llm)
                .count();
            assert_eq!(llm, generated.llm_spans, "{what}");
            // Every span of a program run hangs under one root per trace.
            for t in &session.index.traces {
                assert_eq!(
                    session.index.roots(&session.store, t.trace).count(),
                    1,
                    "{what}"
                );
            }
        }
    }
}

#[test]
fn sizes_per_span_are_as_documented() {
    let per_span = |shape| {
        let g = generate(&config(shape, 2_000_000));
        g.bytes.len() / g.spans
    };
    let (lean, heavy, skeleton) = (
        per_span(Shape::Lean),
        per_span(Shape::Heavy),
        per_span(Shape::Skeleton),
    );
    assert!((800..=1000).contains(&lean), "lean {lean} B/span");
    assert!((3600..=4400).contains(&heavy), "heavy {heavy} B/span");
    assert!(
        (300..=500).contains(&skeleton),
        "skeleton {skeleton} B/span"
    );
}

#[test]
fn about_five_percent_of_spans_fail_with_an_exception_event() {
    let (generated, session) = load_generated(&config(Shape::Lean, 2_000_000));
    let rate = generated.error_spans as f64 / generated.spans as f64;
    assert!((0.04..0.06).contains(&rate), "error rate {rate}");
    let store = &session.store;
    let exception = store.strings.get("exception");
    for i in 0..store.span_count() {
        if store.spans.status[i] == StatusCode::Error {
            let events = store.span_events(SpanIdx(i as u32));
            assert_eq!(events.len(), 1);
            assert_eq!(Some(store.events.name[events.start]), exception);
        }
    }
}

#[test]
fn heavy_has_escapes_and_non_ascii_lean_has_neither() {
    let lean = generate(&config(Shape::Lean, 300_000)).bytes;
    assert!(!lean.contains(&b'\\'));
    assert!(lean.is_ascii());
    let heavy = generate(&config(Shape::Heavy, 300_000)).bytes;
    let has = |needle: &[u8]| heavy.windows(needle.len()).any(|w| w == needle);
    assert!(has(br"\n") && has(br#"\""#) && has(br"\\n") && has(br"\\u00"));
    assert!(!heavy.is_ascii());
    // A prompt decodes to text with real newlines and non-ASCII letters.
    let (_, session) = load_generated(&config(Shape::Heavy, 300_000));
    let store = &session.store;
    let content = store.strings.get("llm.input_messages.1.message.content");
    let prompts: Vec<String> = (0..store.attrs.len())
        .filter(|&a| Some(store.attrs.key[a]) == content)
        .map(|a| store.attr_text(store.attrs.value[a]).into_owned())
        .collect();
    assert!(!prompts.is_empty());
    assert!(prompts
        .iter()
        .all(|p| p.starts_with("[[ ## context ## ]]\n")));
    assert!(prompts.iter().any(|p| !p.is_ascii()));
}

#[test]
fn one_trace_mode_nests_programs_under_an_optimizer_with_parallel_children() {
    let cfg = Config::new(Shape::Skeleton, Target::Spans(5_000)).one_trace();
    let (generated, session) = load_generated(&cfg);
    assert_eq!(generated.traces, 1);
    assert!(generated.spans >= 5_000 && generated.spans < 5_100);
    let store = &session.store;
    let root = session.index.traces[0]
        .root
        .map(|r| store.str(store.spans.name[r.index()]));
    assert_eq!(root, Some("MIPROv2.compile"));
    let tree = session
        .index
        .tree_order(store, session.index.traces[0].trace);
    assert_eq!(tree.len(), generated.spans);
    // Some span's children overlap in time (threads in Evaluate / Parallel).
    let overlapping = (0..store.span_count()).any(|i| {
        let kids = session.index.children_of(SpanIdx(i as u32));
        kids.windows(2)
            .any(|w| store.spans.start_nanos[w[1].index()] < store.spans.end_nanos[w[0].index()])
    });
    assert!(overlapping);
}
