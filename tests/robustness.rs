//! Bad input is normal input: truncated files, byte flips, arbitrary bytes,
//! invalid UTF-8, huge strings, deep nesting, parent cycles. Nothing panics,
//! nothing hangs, everything valid still loads, and what was lost is said.
//!
//! The mutation budget is bounded so the suite stays fast. Run it longer with
//! `SPANSCOPE_FUZZ_CASES=20000 cargo test --release --no-default-features --test robustness`.

use proptest::prelude::*;
use spanscope::load::{load, Input, Session};
use spanscope::model::WarningKind;
use std::fs;
use std::path::{Path, PathBuf};

fn cases(default: u32) -> u32 {
    std::env::var("SPANSCOPE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every real fixture (not the `bad/` inputs), sorted.
fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures");
    let mut files = Vec::new();
    for dir in fs::read_dir(&root).into_iter().flatten().flatten() {
        let path = dir.path();
        if !path.is_dir() || path.ends_with("bad") {
            continue;
        }
        for file in fs::read_dir(&path).into_iter().flatten().flatten() {
            files.push(file.path());
        }
    }
    files.sort();
    files
}

fn load_bytes(name: &str, bytes: Vec<u8>) -> Session {
    load(vec![Input::new(name, bytes)])
}

/// Deterministic xorshift, so every run mutates the same way.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn a_truncated_fixture_keeps_a_prefix_and_says_so() {
    for path in fixture_files() {
        let bytes = fs::read(&path).unwrap_or_default();
        let name = path.display().to_string();
        let full = load_bytes(&name, bytes.clone()).store.span_count();
        for tenth in 1..10 {
            let cut = bytes.len() * tenth / 10;
            let session = load_bytes(&name, bytes[..cut].to_vec());
            let spans = session.store.span_count();
            assert!(
                spans <= full,
                "{name} cut at {cut}: more spans than the whole file"
            );
            let told = session.report.warnings.total() > 0 || session.report.failed().count() > 0;
            // Losing spans silently is the one thing that must never happen.
            assert!(
                spans == full || told,
                "{name} cut at {cut} bytes lost {} spans without a warning or error",
                full - spans
            );
        }
    }
}

#[test]
fn byte_flips_in_every_fixture_never_panic() {
    let per_file = cases(6);
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    for path in fixture_files() {
        let bytes = fs::read(&path).unwrap_or_default();
        for _ in 0..per_file {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(mutated.len());
                if let Some(b) = mutated.get_mut(at) {
                    *b = match rng.below(4) {
                        0 => b'"',
                        1 => b'{',
                        2 => 0xff,
                        _ => rng.next() as u8,
                    };
                }
            }
            let session = load_bytes(&path.display().to_string(), mutated);
            // Whatever loaded is internally consistent.
            let s = &session.store.spans;
            assert_eq!(s.parent.len(), session.store.span_count());
            assert!(s
                .parent
                .iter()
                .all(|&p| p == u32::MAX || (p as usize) < s.parent.len()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let session = load_bytes("arbitrary.bin", bytes);
        for file in session.report.failed() {
            prop_assert!(file.error.as_deref().is_some_and(|e| e.contains("arbitrary.bin")));
        }
    }

    #[test]
    fn json_shaped_garbage_never_panics(
        keys in proptest::collection::vec("(resourceSpans|scopeSpans|spans|traceId|spanId|data|info|steps|trace_id|name|events|attributes)", 1..6),
        depth in 0usize..40,
    ) {
        let mut doc = String::new();
        for key in &keys {
            doc.push_str(&format!("{{\"{key}\": ["));
        }
        doc.push_str(&"[".repeat(depth));
        let session = load_bytes("garbage.json", doc.into_bytes());
        prop_assert!(session.store.span_count() == 0 || session.report.warnings.total() > 0);
    }
}

fn otlp(spans: &str) -> Vec<u8> {
    format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{spans}]}}]}}]}}"#).into_bytes()
}

fn span(id: &str, parent: &str, start: u64, end: u64, extra: &str) -> String {
    format!(
        r#"{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{id}","parentSpanId":"{parent}","name":"s{id}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"{extra}}}"#
    )
}

#[test]
fn parent_cycles_duplicates_orphans_and_negative_durations_are_warnings() {
    let spans = [
        span("00000000000000a1", "00000000000000a3", 10, 20, ""),
        span("00000000000000a2", "00000000000000a1", 11, 19, ""),
        span("00000000000000a3", "00000000000000a2", 12, 18, ""),
        span("00000000000000a3", "", 12, 18, ""),
        span("00000000000000b1", "00000000000000ff", 30, 40, ""),
        span("00000000000000c1", "", 50, 45, ""),
    ]
    .join(",");
    let session = load_bytes("odd.json", otlp(&spans));
    let w = &session.report.warnings;
    assert_eq!(session.store.span_count(), 5);
    assert_eq!(w.count(WarningKind::ParentCycle), 1);
    assert_eq!(w.count(WarningKind::DuplicateSpan), 1);
    assert_eq!(w.count(WarningKind::OrphanParent), 1);
    assert_eq!(w.count(WarningKind::NegativeDuration), 1);
    // Every span is reachable from a root once the cycle is cut.
    let trace = session.index.by_start[0];
    assert_eq!(session.index.tree_order(&session.store, trace).len(), 5);
}

#[test]
fn invalid_utf8_is_replaced_and_everything_loads() {
    let mut bytes = otlp(&span(
        "00000000000000a1",
        "",
        1,
        2,
        r#","attributes":[{"key":"input.value","value":{"stringValue":"caf@"}}]"#,
    ));
    let at = bytes.iter().position(|&b| b == b'@').unwrap_or(0);
    bytes[at] = 0xe9; // Latin-1 é: not UTF-8
    let session = load_bytes("latin1.json", bytes);
    assert_eq!(session.store.span_count(), 1);
    assert_eq!(session.report.warnings.count(WarningKind::InvalidUtf8), 1);
    let input = session.store.spans.input[0].map(|t| session.store.text(t).into_owned());
    assert_eq!(input.as_deref(), Some("caf\u{fffd}"));
}

#[test]
fn a_100_mb_string_loads_as_a_range_without_a_copy() {
    let big = "x".repeat(100 * 1024 * 1024);
    let extra =
        format!(r#","attributes":[{{"key":"output.value","value":{{"stringValue":"{big}"}}}}]"#);
    let session = load_bytes(
        "big.json",
        otlp(&span("00000000000000a1", "", 1, 2, &extra)),
    );
    assert_eq!(session.store.span_count(), 1);
    let output = session.store.spans.output[0];
    assert_eq!(output.map(|t| t.len as usize), Some(big.len()));
    // The arena (source 0) holds no copy of it.
    assert!(session.store.sources[0].bytes.len() < 1024);
}

#[test]
fn deep_nesting_neither_overflows_nor_hangs() {
    // A 50,000-deep parent chain: tree walks are iterative.
    let spans: Vec<String> = (1..=50_000u64)
        .map(|i| {
            span(
                &format!("{i:016x}"),
                &if i == 1 {
                    String::new()
                } else {
                    format!("{:016x}", i - 1)
                },
                i,
                200_000 - i,
                "",
            )
        })
        .collect();
    let session = load_bytes("deep.json", otlp(&spans.join(",")));
    assert_eq!(session.store.span_count(), 50_000);
    let trace = session.index.by_start[0];
    let order = session.index.tree_order(&session.store, trace);
    assert_eq!(order.last().map(|(_, depth)| *depth), Some(49_999));
    // 10,000 nested JSON arrays: the parser refuses them with a message.
    let doc = format!(r#"{{"resourceSpans":{}}}"#, "[".repeat(10_000));
    let session = load_bytes("nested.json", doc.into_bytes());
    assert_eq!(session.store.span_count(), 0);
    assert!(session.report.failed().count() == 1);
}

#[test]
fn containers_unwrap_by_magic_bytes() {
    use std::io::Write;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/otlp-json/dspy-rag.openinference.otlp-http-json.json");
    let plain = fs::read(path).unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).ok();
    let gz = gz.finish().unwrap_or_default();
    let expected = load_bytes("rag.json", plain).index.totals;
    let session = load_bytes("rag.bin", gz.clone());
    assert_eq!(session.index.totals, expected);
    // A truncated gzip keeps what decompressed and says it was damaged.
    let session = load_bytes("rag.json.gz", gz[..gz.len() * 2 / 3].to_vec());
    assert!(session.store.span_count() > 0);
    assert!(session.report.warnings.count(WarningKind::Truncated) >= 1);
}
