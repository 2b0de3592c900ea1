//! Every number-to-text conversion the user sees: durations, timestamps,
//! counts, tokens, cost. Views call these; they never format numbers.

use crate::load::Counts;

/// `842 ns`, `12.3 µs`, `4.56 ms`, `123 ms`, `1.23 s`, `2 m 03 s`, `1 h 02 m`.
pub fn duration(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let body = if n < 1_000 {
        format!("{n} ns")
    } else if n < 1_000_000 {
        format!("{} µs", three_digits(n as f64 / 1e3))
    } else if n < 1_000_000_000 {
        format!("{} ms", three_digits(n as f64 / 1e6))
    } else if n < 60_000_000_000 {
        format!("{} s", three_digits(n as f64 / 1e9))
    } else if n < 3_600_000_000_000 {
        let s = n / 1_000_000_000;
        format!("{} m {:02} s", s / 60, s % 60)
    } else {
        let m = n / 60_000_000_000;
        format!("{} h {:02} m", m / 60, m % 60)
    };
    format!("{sign}{body}")
}

/// Three significant digits: 1.23, 12.3, 123.
fn three_digits(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// UTC wall-clock time with milliseconds: `2026-11-21 10:48:30.289`.
pub fn timestamp(nanos: i64) -> String {
    let t = chrono::DateTime::from_timestamp_nanos(nanos);
    t.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

/// `999`, `12.4k`, `1.2M`.
pub fn compact_count(n: u64) -> String {
    if n < 1_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{}k", trim_zero(n as f64 / 1e3))
    } else if n < 1_000_000_000 {
        format!("{}M", trim_zero(n as f64 / 1e6))
    } else {
        format!("{}G", trim_zero(n as f64 / 1e9))
    }
}

fn trim_zero(v: f64) -> String {
    let s = if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    };
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// `12.4k tok`.
pub fn tokens(n: u64) -> String {
    format!("{} tok", compact_count(n))
}

/// US dollars with enough precision for LM prices: `$0.0031`, `$1.25`.
pub fn cost_usd(usd: f64) -> String {
    if usd == 0.0 {
        "$0".to_string()
    } else if usd.abs() < 0.01 {
        format!("${usd:.4}")
    } else {
        format!("${usd:.2}")
    }
}

/// `1 trace`, `3 traces`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A share (0.0–1.0, e.g. an analysis' `share` or `error_rate`) as a
/// percentage with one decimal: `94.6%`, `0%`, `<0.1%` for tiny non-zero
/// shares, so they never read as nothing.
pub fn percent(share: f64) -> String {
    if !share.is_finite() {
        return "–".to_string();
    }
    let pct = share * 100.0;
    if pct == 0.0 {
        "0%".to_string()
    } else if pct.abs() < 0.05 {
        "<0.1%".to_string()
    } else {
        let s = format!("{pct:.1}");
        format!("{}%", s.strip_suffix(".0").unwrap_or(&s))
    }
}

/// The summary bar: `4 traces · 28 spans · 4 LM calls · 6 errors`.
pub fn summary_line(c: &Counts) -> String {
    format!(
        "{} · {} · {} · {}",
        plural(c.traces, "trace", "traces"),
        plural(c.spans, "span", "spans"),
        plural(c.lm_calls, "LM call", "LM calls"),
        plural(c.error_spans, "error", "errors"),
    )
}

/// `1.2 MB`, `512 B`.
pub fn bytes(n: u64) -> String {
    if n < 1_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{} kB", trim_zero(n as f64 / 1e3))
    } else if n < 1_000_000_000 {
        format!("{} MB", trim_zero(n as f64 / 1e6))
    } else {
        format!("{} GB", trim_zero(n as f64 / 1e9))
    }
}

/// The progress line while a file is parsed:
/// `45.2 MB of 100 MB · 48213 spans`, then `indexing 108745 spans` at the end.
pub fn parse_progress(p: &crate::model::Progress) -> String {
    let spans = plural(p.spans, "span", "spans");
    if p.finishing {
        format!("indexing {spans}")
    } else if p.source_len > 0 {
        format!(
            "{} of {} · {spans}",
            bytes(p.source_read),
            bytes(p.source_len)
        )
    } else {
        spans
    }
}

/// `downloading 4.2 MB of 100 MB`, or `downloading 4.2 MB` when the size
/// is unknown (or was the compressed size).
pub fn download_progress(received: u64, total: u64) -> String {
    if total >= received && total > 0 {
        format!("downloading {} of {}", bytes(received), bytes(total))
    } else {
        format!("downloading {}", bytes(received))
    }
}

/// `reading trace.json`, or `reading b.json (2 of 3)`.
pub fn read_progress(name: &str, number: u32, files: u32) -> String {
    if files > 1 {
        format!("reading {name} ({number} of {files})")
    } else {
        format!("reading {name}")
    }
}

/// A normalised text dump of a session: per trace, the span tree with
/// kind, status, duration, model, tokens and cost. Stable across runs; used
/// by snapshot tests and `spanscope dump`.
pub fn tree_dump(session: &crate::load::Session) -> String {
    use std::fmt::Write;
    let store = &session.store;
    let index = &session.index;
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary_line(&index.totals));
    for &trace in &index.by_start {
        let t = &index.traces[trace.index()];
        let _ = writeln!(
            out,
            "trace {} · {} · {}",
            store.id(store.traces.trace_id[trace.index()]),
            duration(t.duration_nanos()),
            plural(u64::from(t.spans), "span", "spans"),
        );
        for (key, value) in store.trace_meta(trace) {
            let text = store.attr_text(value);
            let _ = writeln!(out, "  meta {} = {}", store.str(key), ellipsis(&text, 60));
        }
        for (span, depth) in index.tree_order(store, trace) {
            let i = span.index();
            let s = &store.spans;
            let mut line = format!(
                "{:indent$}- {} [{}",
                "",
                store.str(s.name[i]),
                s.kind[i],
                indent = 2 + 2 * depth as usize
            );
            if s.is_lm_call[i] {
                line.push_str(" lm-call");
            }
            let _ = write!(
                line,
                "] {} +{}",
                s.status[i],
                duration(s.start_nanos[i] - t.start_nanos)
            );
            let _ = write!(line, " {}", duration(s.end_nanos[i] - s.start_nanos[i]));
            if !s.model[i].is_empty() {
                let _ = write!(line, " model={}", store.str(s.model[i]));
            }
            let tk = &s.tokens[i];
            if !tk.is_empty() {
                let n = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
                let _ = write!(
                    line,
                    " tokens={}/{}/{} cached={} reasoning={}",
                    n(tk.input),
                    n(tk.output),
                    n(tk.total),
                    n(tk.cached),
                    n(tk.reasoning)
                );
            }
            if !s.cost_usd[i].is_nan() {
                let _ = write!(line, " cost=${:.6}", s.cost_usd[i]);
            }
            if let Some(message) = s.status_message[i] {
                let _ = write!(line, " error={:?}", ellipsis(&store.text(message), 60));
            }
            let attrs = (s.attr_start[i + 1] - s.attr_start[i]) as usize;
            let _ = write!(line, " attrs={attrs}");
            let events = store.span_events(span);
            if !events.is_empty() {
                let names: Vec<&str> = events.map(|e| store.str(store.events.name[e])).collect();
                let _ = write!(line, " events={}", names.join(","));
            }
            if let Some(input) = s.input[i] {
                let _ = write!(line, " in={:?}", ellipsis(&store.text(input), 40));
            }
            if let Some(output) = s.output[i] {
                let _ = write!(line, " out={:?}", ellipsis(&store.text(output), 40));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// The first `max` characters, with `…` when cut.
pub fn ellipsis(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.945_678), "94.6%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.000_2), "<0.1%");
        assert_eq!(percent(f64::NAN), "–");
    }

    #[test]
    fn load_progress_reads_as_bytes_and_spans() {
        let mut p = crate::model::Progress {
            sources: 1,
            spans: 48_213,
            source_read: 45_200_000,
            source_len: 100_000_000,
            finishing: false,
        };
        assert_eq!(parse_progress(&p), "45.2 MB of 100 MB · 48213 spans");
        assert_eq!(p.fraction(), 0.452);
        p.finishing = true;
        assert_eq!(parse_progress(&p), "indexing 48213 spans");
        assert_eq!(p.fraction(), 1.0);
        let empty = crate::model::Progress::default();
        assert_eq!(parse_progress(&empty), "0 spans");
        assert_eq!(empty.fraction(), 0.0);
        assert_eq!(read_progress("a.json", 1, 1), "reading a.json");
        assert_eq!(
            download_progress(4_200_000, 100_000_000),
            "downloading 4.2 MB of 100 MB"
        );
        assert_eq!(download_progress(4_200_000, 0), "downloading 4.2 MB");
        assert_eq!(download_progress(4_200_000, 1_000), "downloading 4.2 MB");
        assert_eq!(read_progress("b.json", 2, 3), "reading b.json (2 of 3)");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration(842), "842 ns");
        assert_eq!(duration(12_345), "12.3 µs");
        assert_eq!(duration(4_560_000), "4.56 ms");
        assert_eq!(duration(123_400_000), "123 ms");
        assert_eq!(duration(1_234_000_000), "1.23 s");
        assert_eq!(duration(123_000_000_000), "2 m 03 s");
        assert_eq!(duration(3_720_000_000_000), "1 h 02 m");
        assert_eq!(duration(-5), "-5 ns");
    }

    #[test]
    fn timestamps_are_utc_with_millis() {
        assert_eq!(
            timestamp(1_795_258_485_268_208_192),
            "2026-11-21 10:54:45.268"
        );
    }

    #[test]
    fn counts_tokens_cost() {
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(12_400), "12.4k");
        assert_eq!(compact_count(1_000), "1k");
        assert_eq!(tokens(852), "852 tok");
        assert_eq!(cost_usd(0.00312), "$0.0031");
        assert_eq!(cost_usd(1.254), "$1.25");
        assert_eq!(bytes(81_088), "81.1 kB");
    }

    #[test]
    fn summary_line_pluralises() {
        let c = Counts {
            traces: 1,
            spans: 28,
            lm_calls: 1,
            error_spans: 0,
            ..Counts::default()
        };
        assert_eq!(
            summary_line(&c),
            "1 trace · 28 spans · 1 LM call · 0 errors"
        );
    }
}
