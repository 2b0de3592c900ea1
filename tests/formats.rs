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

/// (folder, file-name suffix, expected format id, or `envelope/format`
/// for a wrapped document). First match wins.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("otlp-json", "", "otlp-json"),
    ("otlp-proto", ".pb", "otlp-proto"),
    ("console-exporter", "", "otel-console"),
    ("jaeger-api-v3", "", "jaeger-api-v3/otlp-json"),
    ("tempo-api", ".api-traces.json", "otlp-protojson"),
    (
        "tempo-api",
        ".api-v2-traces.json",
        "tempo-api-v2/otlp-protojson",
    ),
    ("tempo-api", ".api-search.json", "tempo-search"),
    ("otlp-protojson", "", "otlp-protojson"),
    ("otlp-jsonl", "", "otlp-jsonl"),
    ("langfuse-otlp", "", "otlp-protojson"),
    ("zipkin-json", "", "zipkin-json"),
    ("jaeger-json", "", "jaeger-json"),
    ("phoenix-json", ".phoenix-spans.json", "phoenix-spans"),
    (
        "phoenix-json",
        ".phoenix-client-get-spans.json",
        "phoenix-spans",
    ),
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
        // `bad/` holds failure inputs, `make/` the generator; `hostile/` is
        // the hostile corpus, tested end to end.
        if ["bad", "make", "hostile"].contains(&folder.as_str()) {
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
            let got = formats::detect_document(name, &bytes).map(|d| match d.envelope {
                Some(e) => format!("{}/{}", e.id, d.format.id),
                None => d.format.id.to_string(),
            });
            if got.as_deref() != Ok(expected) {
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

/// One DSPy run per scenario, exported every way the generator
/// (`tests/fixtures/make/`) writes it: the same spans must count the same
/// whichever file holds them. Files that hold one trace of the run (a
/// trace-by-id response) count as the first trace.
#[test]
fn every_export_of_one_generated_run_counts_the_same() {
    let runs: [(&str, &[&str], &[&str]); 4] = [
        (
            "rag",
            &[
                "otlp-proto/dspy-rag.otlp-http.pb",
                "console-exporter/dspy-rag.console-span-exporter.txt",
                "phoenix-json/dspy-rag.phoenix-client-get-spans.json",
            ],
            &["jaeger-api-v3/dspy-rag.get-trace.json"],
        ),
        (
            "classify",
            &[
                "otlp-proto/dspy-classify.otlp-http.pb",
                "console-exporter/dspy-classify.console-span-exporter.txt",
                "phoenix-json/dspy-classify.phoenix-client-get-spans.json",
                "jaeger-api-v3/dspy-classify.find-traces.jsonl",
                "zipkin-json/dspy-classify.zipkin-api-traces.json",
            ],
            &[],
        ),
        (
            "multihop",
            &[
                "otlp-proto/dspy-multihop.otlp-http.pb",
                "console-exporter/dspy-multihop.console-span-exporter.txt",
                "phoenix-json/dspy-multihop.phoenix-client-get-spans.json",
                "tempo-api/dspy-multihop.api-v2-traces.json",
            ],
            &[],
        ),
        (
            "react",
            &[
                "otlp-proto/dspy-react.otlp-http.pb",
                "console-exporter/dspy-react.console-span-exporter.txt",
                "phoenix-json/dspy-react.phoenix-client-get-spans.json",
                "tempo-api/dspy-react.api-traces.json",
                "tempo-api/dspy-react.api-v2-traces.json",
            ],
            &[],
        ),
    ];
    for (scenario, whole_run, first_trace) in runs {
        let reference = format!("otlp-json/dspy-{scenario}.otlp-http-json.same-batch-as-pb.json");
        let expected = load_one(&reference);
        assert!(expected.index.totals.spans > 0, "{reference}");
        for rel in whole_run {
            assert_eq!(load_one(rel).index.totals, expected.index.totals, "{rel}");
        }
        let first = expected.index.by_start[0];
        let first_id = expected
            .store
            .id(expected.store.traces.trace_id[first.index()]);
        for rel in first_trace {
            let got = load_one(rel);
            assert_eq!(got.store.trace_count(), 1, "{rel}");
            let id = got.store.id(got.store.traces.trace_id[0]);
            let want = &expected.index.traces[first.index()];
            assert_eq!(
                (id, got.index.totals.spans),
                (first_id, u64::from(want.spans)),
                "{rel}"
            );
        }
    }
}

/// OTLP protobuf bytes and the OTLP JSON the JSON exporter sent for the
/// same batch load as the same session: counts and whole tree dumps.
#[test]
fn otlp_protobuf_and_its_json_give_the_same_tree() {
    for scenario in ["rag", "multihop", "classify", "react"] {
        let proto = load_one(&format!("otlp-proto/dspy-{scenario}.otlp-http.pb"));
        let json = load_one(&format!(
            "otlp-json/dspy-{scenario}.otlp-http-json.same-batch-as-pb.json"
        ));
        assert_eq!(proto.index.totals, json.index.totals, "{scenario}");
        assert_eq!(
            spanscope::display::tree_dump(&proto),
            spanscope::display::tree_dump(&json),
            "{scenario}"
        );
        assert_eq!(proto.report.warnings.total(), 0, "{scenario}");
    }
}

/// Jaeger UI keeps a fetched trace as `{id, state, data: Trace}`. No Jaeger
/// runs here, so the record is built around the Jaeger trace fixture as the
/// UI's store holds it, and must read like the bare trace.
#[test]
fn a_jaeger_ui_trace_object_reads_like_its_trace() {
    let rel = "jaeger-json/public-jaeger-ui_01.json";
    let trace = String::from_utf8(read(rel)).unwrap_or_default();
    assert!(trace.trim_start().starts_with('{'), "{rel} is a bare trace");
    let wrapped = format!("{{\"id\": \"trace-1\", \"state\": \"FETCH_DONE\", \"data\": {trace}}}");
    let detected = formats::detect_document("", wrapped.as_bytes())
        .map(|d| (d.envelope.map(|e| e.id), d.format.id));
    assert_eq!(detected, Ok((Some("jaeger-ui-trace"), "jaeger-json")));
    let session = load(vec![Input::new("ui.json", wrapped.into_bytes())]);
    assert_eq!(session.index.totals, load_one(rel).index.totals);
    assert_eq!(session.report.files[0].envelope, Some("jaeger-ui-trace"));
    let dump = format!(
        "format: jaeger-ui-trace/jaeger-json\n{}",
        spanscope::display::tree_dump(&session)
    );
    insta::assert_snapshot!("jaeger-ui-trace-object", dump);
}

/// Nothing may load as empty without saying why: every fixture, and a
/// valid-but-empty document of every shape, either loads spans (or trace
/// metadata), fails with an error, or carries a warning.
#[test]
fn no_detected_file_loads_zero_spans_without_a_warning() {
    let mut inputs: Vec<(String, Vec<u8>)> = fixtures()
        .into_iter()
        .map(|(rel, _)| {
            let bytes = read(&rel);
            (rel, bytes)
        })
        .collect();
    let specials = [
        ("otlp", r#"{"resourceSpans": []}"#),
        ("otlp-scopes", r#"{"resourceSpans": [{"scopeSpans": [{"spans": []}]}]}"#),
        ("jaeger-v3", r#"{"result": {"resourceSpans": []}}"#),
        ("jaeger-v3-error", "{\"result\": {\"resourceSpans\": []}}\n{\"error\": {\"code\": 5, \"message\": \"not found\"}}\n"),
        ("tempo-v1", r#"{"batches": []}"#),
        ("tempo-v2", r#"{"trace": {"resourceSpans": []}, "status": "COMPLETE"}"#),
        ("tempo-search", r#"{"traces": [], "metrics": {"rootTraceName": 0}}"#),
        ("jaeger", r#"{"data": [{"traceID": "1", "spans": [], "processes": {}, "operationName": "x", "spanID": "1"}]}"#),
        ("zero-ids", r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"","spanId":"","name":"lost"}]}]}]}"#),
    ];
    for (name, doc) in specials {
        let session = load(vec![Input::new(name, doc.as_bytes().to_vec())]);
        let file = &session.report.files[0];
        assert!(
            file.format.is_some() && file.error.is_none(),
            "{name}: {:?}",
            file.error
        );
        inputs.push((name.to_string(), doc.as_bytes().to_vec()));
    }
    let mut silent = Vec::new();
    for (name, bytes) in inputs {
        let session = load(vec![Input::new(name.clone(), bytes)]);
        let file = &session.report.files[0];
        let meta = session.store.traces.meta.len();
        if file.error.is_none()
            && file.format.is_some()
            && session.store.span_count() == 0
            && meta == 0
            && session.report.warnings.total() == 0
        {
            silent.push(name);
        }
    }
    assert_eq!(
        silent,
        Vec::<String>::new(),
        "loaded as empty without a word"
    );
}
