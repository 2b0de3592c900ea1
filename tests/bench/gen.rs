//! Writes a generated benchmark input to a file:
//!
//! ```text
//! cargo run --release --example gen -- SHAPE SIZE OUT [--jsonl] [--one-trace] [--seed N]
//!   SHAPE  lean | heavy | skeleton
//!   SIZE   bytes (100MB, 512KB, 1GB: powers of 1000) or spans (1000000spans)
//! ```
//!
//! Same arguments → same bytes (see `generator/mod.rs`).

mod generator;

use generator::{generate, Config, Layout, Shape, Target};
use std::process::ExitCode;

const USAGE: &str = "usage: gen SHAPE SIZE OUT [--jsonl] [--one-trace] [--seed N]\n  SHAPE lean|heavy|skeleton; SIZE 100MB, 512KB, 1GB or 1000000spans";

fn parse_size(text: &str) -> Option<Target> {
    let lower = text.to_ascii_lowercase();
    if let Some(n) = lower.strip_suffix("spans") {
        return n.parse().ok().map(Target::Spans);
    }
    let (digits, unit) = match lower.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => lower.split_at(at),
        None => (lower.as_str(), ""),
    };
    let scale = match unit {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return None,
    };
    digits
        .parse::<usize>()
        .ok()
        .map(|n| Target::Bytes(n * scale))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(shape), Some(size), Some(out)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Some(shape), Some(target)) = (Shape::parse(shape), parse_size(size)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let mut config = Config::new(shape, target);
    let mut rest = args[3..].iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--jsonl" => config = config.layout(Layout::JsonLines),
            "--one-trace" => config = config.one_trace(),
            "--seed" => match rest.next().and_then(|n| n.parse().ok()) {
                Some(seed) => config = config.seed(seed),
                None => {
                    eprintln!("--seed needs a number\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let generated = generate(&config);
    if let Err(err) = std::fs::write(out, &generated.bytes) {
        eprintln!("cannot write {out}: {err}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{out}: {} bytes, {} spans ({} bytes/span), {} traces, {} error spans, {} LLM spans",
        generated.bytes.len(),
        generated.spans,
        generated.bytes.len() / generated.spans.max(1),
        generated.traces,
        generated.error_spans,
        generated.llm_spans
    );
    ExitCode::SUCCESS
}
