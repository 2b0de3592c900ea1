//! Every real fixture in tests/fixtures: detected as the right format with
//! and without its file name, loaded without a file-level error, and pinned
//! by a snapshot of its normalised dump (`display::tree_dump`).
//!
//! Accept changed snapshots after review with
//! `INSTA_UPDATE=always cargo test --test formats` (or `cargo insta review`).

use spanscope::formats;
use spanscope::load::{load, Input, Session};
use std::fs;
use std::path::{Path, PathBuf};

/// (folder, file-name suffix, expected format id). First match wins.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("otlp-json", "", "otlp-json"),
    ("otlp-protojson", "", "otlp-protojson"),
    ("otlp-jsonl", "", "otlp-jsonl"),
    ("langfuse-otlp", "", "otlp-protojson"),
    ("zipkin-json", "", "zipkin-json"),
    ("jaeger-json", "", "jaeger-json"),
    ("phoenix-json", ".phoenix-spans.json", "phoenix-spans"),
    ("phoenix-json", ".phoenix-otlpv1.json", "phoenix-otlpv1"),
    ("mlflow-json", "", "mlflow-json"),
    ("mlflow-artifacts", ".traces.json", "mlflow-artifact"),
    ("dspy-history", "", "dspy-lm-history"),
    ("dspy-inspect-history", "", "dspy-inspect-history"),
    ("dspy-callback-jsonl", "", "dspy-callback-jsonl"),
    ("step-jsonl", ".requests.jsonl", "dspy-request-log"),
    ("step-jsonl", ".steps.jsonl", "dspy-step-log"),
    ("langfuse-scores", "", "langfuse-scores"),
    ("langfuse-api", "", "langfuse-api"),
    ("generic-trace-json", "", "generic-trace-json"),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Every fixture file that has an expectation, sorted, as (relative path, format id).
fn fixtures() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for &(folder, suffix, format) in EXPECTED {
        let Ok(entries) = fs::read_dir(fixtures_dir().join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{folder}/{name}");
            if name.ends_with(suffix) && !out.iter().any(|(r, _)| *r == rel) {
                out.push((rel, format));
            }
        }
    }
    out.sort();
    out
}

fn read(rel: &str) -> Vec<u8> {
    fs::read(fixtures_dir().join(rel)).unwrap_or_default()
}

fn load_one(rel: &str) -> Session {
    load(vec![Input::new(rel, read(rel))])
}

#[test]
fn every_fixture_folder_has_an_expectation() {
    let mut missing = Vec::new();
    for entry in fs::read_dir(fixtures_dir()).into_iter().flatten().flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().into_owned();
        if folder == "bad" {
            continue;
        }
        for file in fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            let rel = format!("{folder}/{}", file.file_name().to_string_lossy());
            if !fixtures().iter().any(|(r, _)| *r == rel) {
                missing.push(rel);
            }
        }
    }
    missing.sort();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "fixtures no test expects a format for"
    );
}

#[test]
fn every_fixture_is_detected_with_and_without_its_name() {
    let mut wrong = Vec::new();
    for (rel, expected) in fixtures() {
        let bytes = read(&rel);
        for name in [rel.as_str(), "", "upload.bin"] {
            let got = formats::detect(name, &bytes).map(|f| f.id);
            if got != Ok(expected) {
                wrong.push(format!(
                    "{rel} named {name:?}: expected {expected}, got {got:?}"
                ));
            }
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
}

#[test]
fn every_fixture_loads_without_a_file_error() {
    let mut failures = Vec::new();
    for (rel, _) in fixtures() {
        let session = load_one(&rel);
        for file in &session.report.files {
            if let Some(error) = &file.error {
                failures.push(error.clone());
            }
        }
        if session.store.trace_count() == 0 {
            failures.push(format!("{rel}: no traces"));
        }
    }
    assert_eq!(failures, Vec::<String>::new());
}

#[test]
fn every_fixture_matches_its_snapshot() {
    for (rel, format) in fixtures() {
        let session = load_one(&rel);
        let mut dump = format!("format: {format}\n");
        for (_, kind, group) in session.report.warnings.groups() {
            dump.push_str(&format!("warning: {} ×{}\n", kind.label(), group.count));
        }
        dump.push_str(&spanscope::display::tree_dump(&session));
        let name = rel.replace('/', "__");
        insta::assert_snapshot!(name, dump);
    }
}

/// The same DSPy runs, exported by five tools (OTLP JSON, protobuf JSON via
/// Phoenix's exporter, Zipkin, and Phoenix's two REST listings), count the same.
#[test]
fn the_same_run_exported_by_different_tools_counts_the_same() {
    for scenario in ["classify", "multihop", "optimize", "rag", "react"] {
        let exports = [
            format!("otlp-json/dspy-{scenario}.openinference.otlp-http-json.json"),
            format!("otlp-protojson/dspy-{scenario}.openinference.protojson.json"),
            format!("zipkin-json/dspy-{scenario}.zipkin-otel-exporter.json"),
            format!("phoenix-json/dspy-{scenario}.phoenix-spans.json"),
            format!("phoenix-json/dspy-{scenario}.phoenix-otlpv1.json"),
        ];
        let counts: Vec<_> = exports
            .iter()
            .map(|rel| (rel, load_one(rel).index.totals))
            .collect();
        for (rel, c) in &counts[1..] {
            assert_eq!(*c, counts[0].1, "{rel} vs {}", counts[0].0);
        }
        assert!(counts[0].1.spans > 0);
    }
    // Loading two exports of one run together merges them: same ids, no new spans.
    let both = load(vec![
        Input::new(
            "a.json",
            read("otlp-json/dspy-rag.openinference.otlp-http-json.json"),
        ),
        Input::new(
            "b.json",
            read("zipkin-json/dspy-rag.zipkin-otel-exporter.json"),
        ),
    ]);
    assert_eq!(
        both.index.totals,
        load_one("otlp-json/dspy-rag.openinference.otlp-http-json.json")
            .index
            .totals
    );
}
