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

/// A time on a waterfall axis whose ticks are `step_nanos` apart (a time
/// since the trace's start), with the decimals the step needs so that
/// neighbouring ticks never read the same: `0 ms`, `250 ms`, `1.25 s`,
/// `1.205 s`, `2 m 03.5 s`. Rounded to the step's last significant digit.
pub fn axis_time(nanos: i64, step_nanos: i64) -> String {
    // The largest power of ten dividing the step: the digit that changes.
    let mut resolution: u64 = 1;
    let step = step_nanos.unsigned_abs();
    while step != 0 && resolution <= u64::MAX / 10 && step.is_multiple_of(resolution * 10) {
        resolution *= 10;
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let n = (n / resolution).saturating_add(u64::from(n % resolution >= resolution.div_ceil(2)));
    let n = n.saturating_mul(resolution);
    // A zero takes the unit of the step, so `0 ms` sits next to `200 ms`.
    let magnitude = if n == 0 { step } else { n };
    const MINUTE: u64 = 60_000_000_000;
    const HOUR: u64 = 60 * MINUTE;
    let body = if magnitude < 1_000 {
        format!("{} ns", fixed(n, 1, resolution, 0))
    } else if magnitude < 1_000_000 {
        format!("{} µs", fixed(n, 1_000, resolution, 0))
    } else if magnitude < 1_000_000_000 {
        format!("{} ms", fixed(n, 1_000_000, resolution, 0))
    } else if magnitude < MINUTE {
        format!("{} s", fixed(n, 1_000_000_000, resolution, 0))
    } else if magnitude < HOUR {
        let seconds = fixed(n % MINUTE, 1_000_000_000, resolution, 2);
        format!("{} m {seconds} s", n / MINUTE)
    } else {
        let seconds = fixed(n % MINUTE, 1_000_000_000, resolution, 2);
        format!("{} h {:02} m {seconds} s", n / HOUR, n % HOUR / MINUTE)
    };
    format!("{sign}{body}")
}

/// `n` in units of `unit` (a power of ten) with the decimals that show
/// multiples of `resolution` (a power of ten), the integer part padded with
/// zeros to `width` digits.
fn fixed(n: u64, unit: u64, resolution: u64, width: usize) -> String {
    let whole = n / unit;
    let mut decimals = 0;
    let mut scale = unit;
    while scale > resolution {
        scale /= 10;
        decimals += 1;
    }
    if decimals == 0 {
        format!("{whole:0width$}")
    } else {
        let fraction = n % unit / scale;
        format!("{whole:0width$}.{fraction:0decimals$}")
    }
}

/// The zoom window of a trace, times since its start: `1.20 s – 1.85 s of
/// 3.40 s`, with enough decimals to tell the ends apart (two significant
/// digits of the window's width).
pub fn time_window(start_nanos: i64, end_nanos: i64, trace_nanos: i64) -> String {
    let width = end_nanos.saturating_sub(start_nanos).max(1);
    let mut resolution: i64 = 1;
    while resolution <= width / 100 {
        resolution *= 10;
    }
    format!(
        "{} – {} of {}",
        axis_time(start_nanos, resolution),
        axis_time(end_nanos, resolution),
        duration(trace_nanos)
    )
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

/// The summary bar: `4 traces · 1 failed · 28 spans · 4 LM calls`. Failed
/// requests (traces) are counted, not the error spans an exception leaves
/// at every level it passes.
pub fn summary_line(c: &Counts, failed_traces: u64) -> String {
    format!(
        "{} · {} failed · {} · {}",
        plural(c.traces, "trace", "traces"),
        failed_traces,
        plural(c.spans, "span", "spans"),
        plural(c.lm_calls, "LM call", "LM calls"),
    )
}

/// Counts with error spans, for the normalised dump (snapshots pin it):
/// `4 traces · 28 spans · 4 LM calls · 6 errors`.
pub fn counts_line(c: &Counts) -> String {
    format!(
        "{} · {} · {} · {}",
        plural(c.traces, "trace", "traces"),
        plural(c.spans, "span", "spans"),
        plural(c.lm_calls, "LM call", "LM calls"),
        plural(c.error_spans, "error", "errors"),
    )
}

/// What a view shows where a file records no value: token counts, costs,
/// durations of `lm.history` calls.
pub const NOT_RECORDED: &str = "not recorded";

/// Tokens, or "not recorded" when the file reports no usage.
pub fn tokens_or_not_recorded(n: Option<u64>) -> String {
    n.map_or_else(|| NOT_RECORDED.to_string(), tokens)
}

/// A duration, or "not recorded" for a span the file gives no length
/// (a 0 ns span of a file without timings).
pub fn duration_if_timed(nanos: i64, timed: bool) -> String {
    if timed {
        duration(nanos)
    } else {
        NOT_RECORDED.to_string()
    }
}

/// An exception type as a header shows it: the class without its module
/// (`dspy.utils.exceptions.LMServerError` → `LMServerError`).
pub fn exception_class(exception_type: &str) -> &str {
    exception_type.rsplit('.').next().unwrap_or(exception_type)
}

/// A cost with where it came from when that is not the file:
/// `$0.0012 (price table)`, `$0.0012 (what-if)`.
pub fn cost_with_source(usd: f64, source: crate::analysis::tokens::CostSource) -> String {
    use crate::analysis::tokens::CostSource;
    match source {
        CostSource::PriceTable => format!("{} (price table)", cost_usd(usd)),
        CostSource::Override => format!("{} (what-if)", cost_usd(usd)),
        CostSource::Mixed => format!("{} (file + price table)", cost_usd(usd)),
        _ => cost_usd(usd),
    }
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

/// The progress line of a load stage.
pub fn load_stage(stage: &crate::load::Stage) -> String {
    use crate::load::Stage;
    match stage {
        Stage::Starting => "starting the parser".to_string(),
        Stage::Downloading { received, total } => download_progress(*received, *total),
        Stage::Reading {
            name,
            number,
            files,
        } => read_progress(name, *number, *files),
        Stage::Parsing(progress) => parse_progress(progress),
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
    let _ = writeln!(out, "{}", counts_line(&index.totals));
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

/// Characters of a name, key or value shown where one line is expected (a
/// row, a chip, a header, a table cell): a longer one is cut with `…`, so a
/// runaway or hostile string cannot stall the page's layout. Detail views
/// show the whole value on request.
pub const LABEL_CHARS: usize = 200;

/// A one-line label: the first [`LABEL_CHARS`] characters, `…` when cut,
/// with characters that hide or reorder text shown (`⟨U+202E⟩`, see
/// `safe_text::reveal`): names and keys are where spoofing works.
pub fn label(text: &str) -> String {
    let cut = if text.len() <= LABEL_CHARS {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(ellipsis(text, LABEL_CHARS))
    };
    crate::safe_text::reveal(&cut).into_owned()
}

/// The button under a cut text: `Show all (1.2 MB)`.
pub fn show_all(total_bytes: usize) -> String {
    format!("Show all ({})", bytes(total_bytes as u64))
}

/// While a long text is being revealed: `Showing 2.1 MB of 20 MB…`.
pub fn showing_of(shown_bytes: usize, total_bytes: usize) -> String {
    format!(
        "Showing {} of {}…",
        bytes(shown_bytes as u64),
        bytes(total_bytes as u64)
    )
}

/// Under a capped table: `Showing 200 of 100,001 rows`.
pub fn rows_shown(shown: usize, total: usize, noun: &str) -> String {
    format!(
        "Showing {} of {} {noun}",
        grouped(shown as u64),
        grouped(total as u64)
    )
}

/// `Show 200 more`.
pub fn show_more(n: usize) -> String {
    format!("Show {} more", grouped(n as u64))
}

/// `100,001`: thousands separated.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_and_counts_grouped() {
        assert_eq!(label("short"), "short");
        let long = "A".repeat(1_000_000);
        let cut = label(&long);
        assert_eq!(cut.chars().count(), LABEL_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(grouped(100_001), "100,001");
        assert_eq!(grouped(999), "999");
        assert_eq!(
            rows_shown(200, 100_001, "rows"),
            "Showing 200 of 100,001 rows"
        );
        assert_eq!(show_all(20_000_000), "Show all (20 MB)");
    }

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
        use crate::load::Stage;
        let stage = Stage::Downloading {
            received: 25,
            total: 100,
        };
        assert_eq!(load_stage(&stage), "downloading 25 B of 100 B");
        assert_eq!(stage.fraction(), Some(0.25));
        assert_eq!(Stage::Starting.fraction(), None);
        assert_eq!(load_stage(&Stage::Parsing(p)), "indexing 48213 spans");
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
    fn axis_times_have_the_decimals_their_step_needs() {
        assert_eq!(axis_time(0, 200_000_000), "0 ms");
        assert_eq!(axis_time(800_000_000, 200_000_000), "800 ms");
        assert_eq!(axis_time(1_200_000_000, 200_000_000), "1.2 s");
        assert_eq!(axis_time(1_250_000_000, 250_000_000), "1.25 s");
        assert_eq!(axis_time(1_205_000_000, 5_000_000), "1.205 s");
        assert_eq!(axis_time(990_000, 10_000), "990 µs");
        assert_eq!(axis_time(1_010_000, 10_000), "1.01 ms");
        assert_eq!(axis_time(7, 1), "7 ns");
        assert_eq!(axis_time(1_200_000_001, 1), "1.200000001 s");
        assert_eq!(axis_time(123_500_000_000, 500_000_000), "2 m 03.5 s");
        assert_eq!(axis_time(1_000_000_000_000, 1_000_000_000_000), "16 m 40 s");
        assert_eq!(axis_time(3_723_000_000_000, 1_000_000_000), "1 h 02 m 03 s");
        assert_eq!(axis_time(-250_000_000, 250_000_000), "-250 ms");
        // Off-step times round to the step's last digit.
        assert_eq!(axis_time(1_256_000_000, 10_000_000), "1.26 s");
        // Extremes from a hostile file neither panic nor overflow.
        assert!(axis_time(i64::MIN, i64::MAX).starts_with('-'));
        assert!(axis_time(i64::MAX, 1).ends_with(" s"));
        assert_eq!(axis_time(5, 0), "5 ns");
    }

    #[test]
    fn zoom_windows_read_as_a_range_of_the_trace() {
        assert_eq!(
            time_window(1_200_000_000, 1_850_000_000, 3_400_000_000),
            "1.20 s – 1.85 s of 3.40 s"
        );
        assert_eq!(
            time_window(1_203_456_789, 1_856_543_210, 3_400_000_000),
            "1.20 s – 1.86 s of 3.40 s"
        );
        assert_eq!(time_window(5, 6, 10), "5 ns – 6 ns of 10 ns");
        assert_eq!(
            time_window(87_000_000, 92_500_000, 176_000_000),
            "87.0 ms – 92.5 ms of 176 ms"
        );
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
        assert_eq!(counts_line(&c), "1 trace · 28 spans · 1 LM call · 0 errors");
        assert_eq!(
            summary_line(&c, 0),
            "1 trace · 0 failed · 28 spans · 1 LM call"
        );
    }

    #[test]
    fn missing_values_are_not_recorded() {
        assert_eq!(tokens_or_not_recorded(None), "not recorded");
        assert_eq!(tokens_or_not_recorded(Some(1065)), "1.1k tok");
        assert_eq!(duration_if_timed(0, false), "not recorded");
        assert_eq!(duration_if_timed(1_500_000, true), "1.50 ms");
        assert_eq!(
            exception_class("dspy.utils.exceptions.LMServerError"),
            "LMServerError"
        );
        assert_eq!(exception_class("ValueError"), "ValueError");
    }
}
