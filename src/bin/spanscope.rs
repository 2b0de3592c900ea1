//! `spanscope` on the command line: check trace files in scripts and CI with
//! the same core the web app uses.
//!
//! ```text
//! spanscope stats [--json] FILE...
//! spanscope formats
//! ```

use spanscope::load::{load, Input, Session};
use spanscope::{display, formats};
use std::process::ExitCode;

const USAGE: &str = "usage:
  spanscope stats [--json] FILE...   counts per file (one JSON object per line with --json)
  spanscope dump FILE...             every trace as an indented span tree
  spanscope formats                  the formats spanscope reads";

#[derive(serde::Serialize)]
struct StatsLine<'a> {
    file: &'a str,
    format: String,
    /// The query-API wrapper the format was found in (`jaeger-api-v3`…), if any.
    envelope: Option<String>,
    traces: u64,
    spans: u64,
    error_spans: u64,
    failed_traces: u64,
    lm_calls: u64,
    input_tokens: u64,
    output_tokens: u64,
    warnings: u64,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("stats") => stats(&args[1..]),
        Some("dump") if args.len() > 1 => dump(&args[1..]),
        Some("formats") => {
            for f in formats::REGISTRY {
                println!("{:<22} {} — {}", f.id, f.name, f.producers);
            }
            println!("\nenvelopes (unwrapped, then read as one of the above):");
            for e in formats::envelope::ENVELOPES {
                println!("{:<22} {} — {}", e.id, e.name, e.producers);
            }
            ExitCode::SUCCESS
        }
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn stats(args: &[String]) -> ExitCode {
    let json = args.iter().any(|a| a == "--json");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("spanscope: cannot read {path}: {e}");
                failed = true;
                continue;
            }
        };
        let session = load(vec![Input::new(path.as_str(), bytes)]);
        for file in session.report.failed() {
            if let Some(error) = &file.error {
                eprintln!("spanscope: {error}");
            }
            for refusal in &file.tried {
                eprintln!("  tried {}: {}", refusal.format, refusal.reason);
            }
        }
        if session.report.files.iter().all(|f| f.error.is_some()) {
            failed = true;
            continue;
        }
        print_stats(path, &session, json);
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn dump(paths: &[String]) -> ExitCode {
    let mut inputs = Vec::new();
    for path in paths {
        match std::fs::read(path) {
            Ok(bytes) => inputs.push(Input::new(path.as_str(), bytes)),
            Err(e) => {
                eprintln!("spanscope: cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let session = load(inputs);
    for file in session.report.failed() {
        if let Some(error) = &file.error {
            eprintln!("spanscope: {error}");
        }
    }
    print!("{}", display::tree_dump(&session));
    if session.report.files.iter().all(|f| f.error.is_some()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_stats(path: &str, session: &Session, json: bool) {
    let mut format_ids: Vec<&str> = session
        .report
        .files
        .iter()
        .filter_map(|f| f.format)
        .collect();
    format_ids.dedup();
    let mut envelope_ids: Vec<&str> = (session.report.files.iter())
        .filter_map(|f| f.envelope)
        .collect();
    envelope_ids.dedup();
    let c = session.index.totals;
    let line = StatsLine {
        file: path,
        format: format_ids.join("+"),
        envelope: (!envelope_ids.is_empty()).then(|| envelope_ids.join("+")),
        traces: c.traces,
        spans: c.spans,
        error_spans: c.error_spans,
        failed_traces: session.index.failed_traces,
        lm_calls: c.lm_calls,
        input_tokens: c.input_tokens,
        output_tokens: c.output_tokens,
        warnings: session.report.warnings.total(),
    };
    if json {
        match serde_json::to_string(&line) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("spanscope: {e}"),
        }
    } else {
        match &line.envelope {
            Some(envelope) => println!("{path} ({} in {envelope})", line.format),
            None => println!("{path} ({})", line.format),
        }
        println!(
            "  {}",
            display::summary_line(&c, session.index.failed_traces)
        );
        println!(
            "  tokens: {} in, {} out · warnings: {}",
            c.input_tokens, c.output_tokens, line.warnings
        );
        for (source, kind, group) in session.report.warnings.groups() {
            let _ = source;
            println!("  warning: {} ×{}", kind.label(), group.count);
            for (at, message) in &group.examples {
                match at {
                    Some(at) => println!("    at {at}: {message}"),
                    None => println!("    {message}"),
                }
            }
        }
    }
}
