//! The hostile corpus (`tests/fixtures/hostile/`, written by
//! `tests/fixtures/make/make_hostile.py`): one crafted trace per format family.
//! Every file is read as its format, loads whole, and keeps its attacks
//! verbatim (so that the end-to-end test, which checks the page renders
//! them inertly, tests something real): roles that would be class lists,
//! names with bidi overrides, long words, huge values.

use spanscope::analysis::lm_call::lm_call_view;
use spanscope::formats;
use spanscope::load::{load, Input, Session};
use spanscope::model::SpanIdx;
use std::path::{Path, PathBuf};

/// File → the format it must be detected as (as in make_hostile.py).
const FILES: &[(&str, &str)] = &[
    ("hostile.otlp.json", "otlp-json"),
    ("hostile.otlp.jsonl", "otlp-jsonl"),
    ("hostile.protojson.json", "otlp-protojson"),
    ("hostile.zipkin.json", "zipkin-json"),
    ("hostile.jaeger.json", "jaeger-json"),
    ("hostile.mlflow-trace.json", "mlflow-json"),
    ("hostile.mlflow-artifact.traces.json", "mlflow-artifact"),
    ("hostile.phoenix-spans.json", "phoenix-spans"),
    ("hostile.phoenix-otlpv1.json", "phoenix-otlpv1"),
    ("hostile.langfuse-api.json", "langfuse-api"),
    ("hostile.langfuse-scores.json", "langfuse-scores"),
    ("hostile.lm-history.json", "dspy-lm-history"),
    ("hostile.inspect-history.txt", "dspy-inspect-history"),
    ("hostile.callback-events.jsonl", "dspy-callback-jsonl"),
    ("hostile.steps.jsonl", "dspy-step-log"),
    ("hostile.generic-trace.json", "generic-trace-json"),
];

/// Formats whose LM messages carry their own role (the rest have fixed
/// role vocabularies or no messages).
const FREE_ROLES: &[&str] = &[
    "otlp-json",
    "otlp-jsonl",
    "otlp-protojson",
    "zipkin-json",
    "jaeger-json",
    "mlflow-json",
    "mlflow-artifact",
    "phoenix-spans",
    "phoenix-otlpv1",
    "langfuse-api",
    "dspy-lm-history",
    "dspy-callback-jsonl",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_default()
}

fn session(name: &str) -> Session {
    load(vec![Input::new(name, read(name))])
}

#[test]
fn every_file_in_the_folder_is_listed() {
    let mut found: Vec<String> = std::fs::read_dir(dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = FILES.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn every_hostile_file_is_read_as_its_format_and_loads_whole() {
    let mut wrong = Vec::new();
    for &(name, format) in FILES {
        let bytes = read(name);
        assert!(!bytes.is_empty(), "{name} is missing: run make_hostile.py");
        for hint in [name, "", "upload.bin"] {
            let got = formats::detect(hint, &bytes).map(|f| f.id);
            if got != Ok(format) {
                wrong.push(format!("{name} named {hint:?}: {got:?}, not {format}"));
            }
        }
        let session = session(name);
        for file in &session.report.files {
            if let Some(error) = &file.error {
                wrong.push(error.clone());
            }
        }
        if session.store.trace_count() != 1 {
            wrong.push(format!("{name}: {} traces", session.store.trace_count()));
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
}

#[test]
fn the_attacks_reach_the_views_verbatim() {
    for &(name, format) in FILES {
        let session = session(name);
        let store = &session.store;
        let names: Vec<&str> = (0..store.span_count())
            .map(|i| store.str(store.spans.name[i]))
            .collect();
        if format != "langfuse-scores" && format != "dspy-inspect-history" {
            assert!(
                names
                    .iter()
                    .any(|n| n.contains('<') || n.contains('\u{202e}')),
                "{name}: span names {names:?}"
            );
        }
        let lm = (0..store.span_count()).find(|&i| store.spans.is_lm_call[i]);
        if FREE_ROLES.contains(&format) {
            let view = lm_call_view(store, SpanIdx(lm.expect("an LM call") as u32));
            let roles: Vec<&str> = view
                .input_messages
                .iter()
                .map(|m| m.role.as_str())
                .collect();
            assert!(
                roles.contains(&"user visually-hidden") && roles.contains(&"user overlay"),
                "{name}: roles {roles:?}"
            );
        }
    }
}
