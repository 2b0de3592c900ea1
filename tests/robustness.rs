//! Bad input is normal input: truncated files, byte flips, arbitrary bytes,
//! invalid UTF-8, huge strings, deep nesting, parent cycles. Nothing panics,
//! nothing hangs, everything valid still loads, and what was lost is said.
//!
//! The mutation budget is bounded so the suite stays fast. Run it longer with
//! `SPANSCOPE_FUZZ_CASES=20000 cargo test --release --no-default-features --test robustness`.

use proptest::prelude::*;
use spanscope::formats::{self, container};
use spanscope::load::{load, load_with_limit, Input, Session};
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
        // `bad/`: failure inputs; `make/`: the generator; `hostile/`: the
        // hostile corpus (its own end-to-end suite).
        if !path.is_dir() || ["bad", "make", "hostile"].iter().any(|d| path.ends_with(d)) {
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

/// The suites above run over every fixture; this keeps that a table over
/// every format and envelope: each must have at least one fixture.
#[test]
fn every_format_and_envelope_has_a_fixture_here() {
    let mut seen = std::collections::BTreeSet::new();
    for path in fixture_files() {
        let bytes = fs::read(&path).unwrap_or_default();
        for member in container::unwrap("", bytes) {
            if let Ok(d) = formats::detect_document("", &member.bytes) {
                seen.insert(d.format.id);
                if let Some(e) = d.envelope {
                    seen.insert(e.id);
                }
            }
        }
    }
    let all: Vec<&str> = (formats::REGISTRY.iter().map(|f| f.id))
        .chain(formats::envelope::ENVELOPES.iter().map(|e| e.id))
        .filter(|id| *id != "jaeger-ui-trace") // built from a Jaeger fixture in tests/formats.rs
        .collect();
    let missing: Vec<_> = all.into_iter().filter(|id| !seen.contains(id)).collect();
    assert_eq!(missing, Vec::<&str>::new(), "formats without a fixture");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Arbitrary bytes behind the start of an OTLP protobuf request (the
    /// only binary format): the walker and prost refuse them, nothing panics.
    #[test]
    fn arbitrary_protobuf_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut doc = vec![0x0a, (bytes.len().min(127)) as u8];
        doc.extend_from_slice(&bytes);
        let session = load_bytes("arbitrary.pb", doc);
        let s = &session.store.spans;
        prop_assert_eq!(s.parent.len(), session.store.span_count());
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).ok();
    gz.finish().unwrap_or_default()
}

fn otlp_lines(n: usize) -> Vec<u8> {
    otlp_lines_from(0, n)
}

/// `n` one-span requests, one per line, with ids from `first + 1`.
fn otlp_lines_from(first: usize, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in first..first + n {
        let spans = span(&format!("{:016x}", i + 1), "", 1, 2, "");
        out.extend_from_slice(&otlp(&spans.replace(
            "0af7651916cd43dd8448eb211c80319c",
            &format!("{:032x}", i + 1),
        )));
        out.push(b'\n');
    }
    out
}

/// A gzip that expands past the limit: the limit is named (with its
/// constant), everything before it loads, and the cut line is a warning.
#[test]
fn decompression_stops_at_the_limit_names_it_and_keeps_what_came_before() {
    let plain = otlp_lines(4000);
    let limit = (plain.len() / 2) as u64;
    let session = load_with_limit(vec![Input::new("big.jsonl.gz", gzip(&plain))], limit);
    let file = &session.report.files[0];
    assert_eq!(file.error, None);
    let loaded = session.store.span_count();
    assert!(loaded > 1000 && loaded < 4000, "{loaded}");
    let w = &session.report.warnings;
    assert_eq!(w.count(WarningKind::TooLarge), 1);
    let (_, _, group) = w
        .groups()
        .find(|(_, k, _)| *k == WarningKind::TooLarge)
        .unwrap_or_else(|| panic!("no warning"));
    let message = &group.examples[0].1;
    assert!(
        message.contains(&format!("{limit} bytes")) && message.contains("MAX_DECOMPRESSED_BYTES"),
        "{message}"
    );
}

/// One JSON document cut by the limit: the message leads with the limit,
/// not with the parser's "EOF".
#[test]
fn a_document_cut_by_the_limit_says_the_limit_not_eof() {
    let doc = otlp(
        &(1..=3000u64)
            .map(|i| span(&format!("{i:016x}"), "", i, i + 1, ""))
            .collect::<Vec<_>>()
            .join(","),
    );
    // Spans stream in: those before the cut load, with a warning.
    let half = load_with_limit(
        vec![Input::new("big.json.gz", gzip(&doc))],
        doc.len() as u64 / 2,
    );
    assert!(half.store.span_count() > 100);
    assert_eq!(half.report.warnings.count(WarningKind::TooLarge), 1);
    // Cut before the first span: nothing to keep; the error names the limit.
    let none = load_with_limit(vec![Input::new("big.json.gz", gzip(&doc))], 20);
    let error = none.report.files[0].error.clone().unwrap_or_default();
    assert!(error.contains("spanscope's limit for one file"), "{error}");
    assert!(error.find("limit") < error.find("EOF"), "{error}");
}

/// The zip members of one input share the limit; those past it are named.
#[test]
fn zip_members_past_the_limit_are_not_read_and_say_so() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..4 {
            w.start_file(format!("m{i}.jsonl"), opts).ok();
            w.write_all(&otlp_lines_from(i * 200, 200)).ok();
        }
        w.finish().ok();
    }
    let member = otlp_lines(200).len() as u64;
    let session = load_with_limit(vec![Input::new("runs.zip", buf.into_inner())], member * 2);
    let errors: Vec<_> = session
        .report
        .failed()
        .filter_map(|f| f.error.clone())
        .collect();
    assert_eq!(session.store.span_count(), 400);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.contains("not read")), "{errors:?}");
}

/// The documented limit is the real one.
#[test]
fn the_readme_names_the_decompression_limit() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap_or_default();
    let named = format!("{} MiB", container::MAX_DECOMPRESSED_BYTES >> 20);
    assert!(
        readme.contains(&named),
        "README must name the limit: {named}"
    );
}

/// A lone surrogate escape (`\ud800`) costs one character, not every span
/// after it, and the warning says where.
#[test]
fn a_lone_surrogate_loses_one_character_not_the_rest() {
    let spans: Vec<String> = (1..=5u64)
        .map(|i| {
            let name = if i == 2 {
                r#"","name":"bad \ud800 name"#.to_string()
            } else {
                String::new()
            };
            span(
                &format!("{i:016x}"),
                "",
                i,
                i + 1,
                &name
                    .replacen(
                        r#"","name":"#,
                        r#","attributes":[{"key":"k","value":{"stringValue":"#,
                        1,
                    )
                    .replace(" name", r#" name"}}]"#),
            )
        })
        .collect();
    let mut doc = otlp(&spans.join(","));
    // Also in a span name, which serde reads as a string.
    let at = memchr_find(&doc, b"\"s0000000000000003\"");
    doc.splice(at + 2..at + 2, br"\ud800".iter().copied());
    let session = load_bytes("surrogate.json", doc);
    assert_eq!(session.store.span_count(), 5);
    assert_eq!(session.report.warnings.count(WarningKind::BadEscape), 2);
    let (_, _, group) = session
        .report
        .warnings
        .groups()
        .find(|(_, k, _)| *k == WarningKind::BadEscape)
        .unwrap_or_else(|| panic!("no warning"));
    assert!(group.examples[0].0.and_then(|l| l.column).is_some());
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or(0)
}

/// All-zero ids (written by real SDK integrations) keep their span, under
/// a made-up id, with a warning that says the ids were zero, not missing.
#[test]
fn zero_ids_keep_the_span_and_say_the_ids_were_zero() {
    let zero = span("0000000000000000", "", 1, 2, r#","attributes":[{"key":"openinference.span.kind","value":{"stringValue":"LLM"}},{"key":"llm.token_count.prompt","value":{"intValue":"7"}}]"#)
        .replace("0af7651916cd43dd8448eb211c80319c", "00000000000000000000000000000000");
    let session = load_bytes("zero.json", otlp(&zero));
    assert_eq!(session.store.span_count(), 1);
    assert_eq!(session.index.totals.lm_calls, 1);
    assert_eq!(session.index.totals.input_tokens, 7);
    let w = &session.report.warnings;
    assert_eq!(
        (
            w.count(WarningKind::ZeroId),
            w.count(WarningKind::MissingId)
        ),
        (1, 0)
    );
    let (_, _, group) = w
        .groups()
        .find(|(_, k, _)| *k == WarningKind::ZeroId)
        .unwrap_or_else(|| panic!("no warning"));
    assert!(
        group.examples[0].1.contains("all zeros"),
        "{}",
        group.examples[0].1
    );
}

/// A spec OTLP JSON file with a `bytesValue` attribute (base64 by the
/// spec) is spec JSON, not protobuf's printer.
#[test]
fn a_bytes_value_does_not_make_a_file_protojson() {
    let doc = otlp(&span(
        "00000000000000a1",
        "",
        1,
        2,
        r#","attributes":[{"key":"blob","value":{"bytesValue":"AAECAw=="}}]"#,
    ));
    assert_eq!(formats::detect("", &doc).map(|f| f.id), Ok("otlp-json"));
}

/// Globs and phrases built to cost haystack × needle in a window-scanning
/// matcher (`name:*aaaa…b*`, 10k characters, against a 1M-character name:
/// 51 s in the browser) are answered in time linear in the haystack. The
/// bound is generous: a linear scan of these few megabytes takes
/// milliseconds even unoptimised; the quadratic one took minutes.
#[test]
fn hostile_globs_and_phrases_take_linear_time() {
    use spanscope::index::filter::Filter;
    use std::time::{Duration, Instant};
    let a = "a".repeat(1_000_000);
    let q = "q".repeat(1_000_000);
    let extra = format!(
        r#","attributes":[{{"key":"x","value":{{"stringValue":"{a}"}}}},{{"key":"input.value","value":{{"stringValue":"{q}"}}}}]"#
    );
    let doc = span("00000000000000a1", "", 1, 2, &extra).replacen(
        "\"name\":\"s00000000000000a1\"",
        &format!("\"name\":\"{a}\""),
        1,
    );
    let session = load_bytes("hostile.json", otlp(&doc));
    let (store, index) = (&session.store, &session.index);
    let (long_a, long_q) = ("a".repeat(10_000), "q".repeat(10_000));
    for (query, expected) in [
        (format!("name:*{long_a}b*"), 0),
        (format!("name:*{long_a}*"), 1),
        (format!("attr.x:*{long_a}b*"), 0),
        (format!("attr.x:*{}*", long_a.to_uppercase()), 1),
        (format!("{long_q}e"), 0),
        (long_q.clone(), 1),
    ] {
        let filter = Filter::parse(&query).expect("the filter parses");
        let started = Instant::now();
        let found = filter.matching_spans(store, index).len();
        let took = started.elapsed();
        assert_eq!(found, expected, "{}…", &query[..24]);
        assert!(
            took < Duration::from_secs(10),
            "{}… took {took:?}",
            &query[..24]
        );
    }
}
