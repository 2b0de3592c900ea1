//! Prints how long each analysis takes over a synthetic session (2,000
//! DSPy-shaped traces of 50 spans, 100,000 spans), or over a trace file
//! given as the argument (e.g. one written by `--example gen`). A benchmark
//! that prints numbers, never a timed assertion:
//! `cargo run --release --no-default-features --example analysis_speed [FILE]`.

use spanscope::analysis::{
    breakdown, critical_path, errors, group_by, latency, lm_call, preview, prices::PriceTable,
    step_units, tokens, trace_header,
};
use spanscope::index::scores;
use spanscope::load::{load, Input};
use spanscope::model::SpanIdx;
use std::fmt::Write;
use std::time::Instant;

const TRACES: usize = 2_000;
const STEPS: usize = 7; // each step: a chain span with 6 nested spans

fn synthetic() -> Vec<u8> {
    let mut out = String::new();
    for t in 0..TRACES {
        let mut spans = Vec::new();
        let base = t as i64 * 10_000_000_000;
        let root = format!("{:016x}", t * 1000 + 1);
        spans.push(span(
            t,
            &root,
            "",
            "Program.forward",
            base,
            base + 7_000_000_000,
            "CHAIN",
            false,
        ));
        for s in 0..STEPS {
            let mut parent = root.clone();
            let start = base + s as i64 * 1_000_000_000;
            for depth in 0..7 {
                let id = format!("{:016x}", t * 1000 + 2 + s * 10 + depth);
                let (name, kind) = match depth {
                    0 => ("Predict.forward", "CHAIN"),
                    6 => ("completion", "LLM"),
                    5 => ("LM.__call__", "LLM"),
                    _ => ("ChatAdapter.__call__", "CHAIN"),
                };
                let d = depth as i64 * 1_000_000;
                let error = t % 10 == 0 && s == 3;
                spans.push(span(
                    t,
                    &id,
                    &parent,
                    name,
                    start + d,
                    start + 900_000_000 - d,
                    kind,
                    error,
                ));
                parent = id;
            }
        }
        let _ = writeln!(
            out,
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"deployment.environment.name","value":{{"stringValue":"env{}"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            t % 3,
            spans.join(",")
        );
    }
    out.into_bytes()
}

#[allow(clippy::too_many_arguments)]
fn span(
    t: usize,
    id: &str,
    parent: &str,
    name: &str,
    start: i64,
    end: i64,
    kind: &str,
    error: bool,
) -> String {
    let llm = if kind == "LLM" && name == "completion" {
        r#",{"key":"llm.model_name","value":{"stringValue":"openai/gpt-4o-mini"}},{"key":"llm.token_count.prompt","value":{"intValue":"900"}},{"key":"llm.token_count.completion","value":{"intValue":"120"}}"#
    } else {
        ""
    };
    let status = if error {
        r#","status":{"code":2,"message":"ValueError: boom"}"#
    } else {
        ""
    };
    format!(
        r#"{{"traceId":"{:032x}","spanId":"{id}","parentSpanId":"{parent}","name":"{name}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}","attributes":[{{"key":"openinference.span.kind","value":{{"stringValue":"{kind}"}}}}{llm}]{status}}}"#,
        t + 1
    )
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    println!(
        "{label:<32} {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    out
}

fn main() {
    let (name, bytes) = match std::env::args().nth(1) {
        Some(path) => {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                eprintln!("{path}: {e}");
                std::process::exit(2)
            });
            (path, bytes)
        }
        None => ("synthetic.jsonl".to_string(), synthetic()),
    };
    let session = time("load (parse + index)", || {
        load(vec![Input::new(name, bytes)])
    });
    let (store, index) = (&session.store, &session.index);
    let all = index.by_start.clone();
    let prices = PriceTable::bundled();
    println!("{} traces, {} spans", all.len(), store.span_count());
    time("breakdown, every trace", || {
        all.iter()
            .map(|&t| breakdown::trace_breakdown(store, index, t).by_name.len())
            .sum::<usize>()
    });
    time("breakdown over the set", || {
        breakdown::set_breakdown(store, index, &all)
    });
    time("critical path, every trace", || {
        all.iter()
            .map(|&t| critical_path::critical_path(store, index, t).segments.len())
            .sum::<usize>()
    });
    time("latency", || latency::latency(store, index, &all));
    time("tokens", || tokens::tokens(store, index, &all, &prices));
    let key = group_by::GroupKey::Any("environment".into());
    time("group by environment", || {
        group_by::group_by(store, index, &all, &key, &prices)
    });
    time("errors", || errors::errors(store, index, &all));
    time("trace error (where it started), every trace", || {
        all.iter()
            .filter_map(|&t| errors::trace_error(store, index, t))
            .count()
    });
    time("step units + labels, every trace", || {
        all.iter()
            .map(|&t| {
                let units = step_units::trace_units(store, index, t);
                let heads: Vec<SpanIdx> = units.heads().collect();
                heads
                    .into_iter()
                    .map(|h| step_units::label(store, &units, h).text.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
    });
    let needles = vec!["capital".to_string()];
    time("row previews, every trace", || {
        all.iter()
            .map(|&t| {
                preview::trace_preview(store, index, t, &[])
                    .input
                    .map_or(0, |i| i.len())
            })
            .sum::<usize>()
    });
    time("row previews with a hit, every trace", || {
        all.iter()
            .filter(|&&t| {
                preview::trace_preview(store, index, t, &needles)
                    .hit
                    .is_some()
            })
            .count()
    });
    time("trace header, every trace", || {
        all.iter()
            .map(|&t| {
                trace_header::trace_header(store, index, t, &prices)
                    .scores
                    .len()
            })
            .sum::<usize>()
    });
    time("scores, every trace", || {
        all.iter()
            .map(|&t| scores::trace_scores(store, t).len())
            .sum::<usize>()
    });
    let calls: Vec<SpanIdx> = (0..store.span_count())
        .filter(|&i| store.spans.is_lm_call[i])
        .take(2000)
        .map(|i| SpanIdx(i as u32))
        .collect();
    time("LM-call previews + finish, 2,000 rows", || {
        calls
            .iter()
            .map(|&c| {
                let (p, a) = preview::call_preview(store, c);
                p.map_or(0, |p| p.len())
                    + a.map_or(0, |a| a.len())
                    + lm_call::finish_reason_of(store, c).map_or(0, |f| f.len())
            })
            .sum::<usize>()
    });
    time("session untimed?", || trace_header::session_untimed(store));
}
