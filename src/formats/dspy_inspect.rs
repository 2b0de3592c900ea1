//! The text `dspy.inspect_history(n, file=f)` prints: per LM call a
//! `[<timestamp>]` line, then `System message:` / `User message:` /
//! `Assistant message:` blocks (few-shot demos alternate user and
//! assistant), then `Response:` and the completion.
//!
//! Each call becomes a trace holding one LLM span whose ids come from the
//! line number of its `[timestamp]` line (the text carries no ids). The
//! input is rebuilt as a JSON `[{"role", "content"}]` array (a copy: the
//! blocks are not JSON in the file); the output is a byte range of the
//! response text. Times follow `lm.history`: local, zone-less, no latency.

use super::dspy_history::{warn_local_time, DURATION_UNKNOWN};
use super::time;
use super::{Content, Format, ParseError, Probe, Sniff};
use crate::model::{
    AttrValue, Location, SpanDraft, SpanKind, StoreBuilder, TextEncoding, WarningKind,
};
use serde::Serialize;

pub const DSPY_INSPECT_HISTORY: Format = Format {
    id: "dspy-inspect-history",
    name: "DSPy inspect_history text",
    producers: "`dspy.inspect_history(n, file=f)` / `lm.inspect_history`",
    sniff,
    parse,
    content: Content::Text,
    spans_at: "\"[timestamp]\" blocks",
};

/// One line of the file: 1-based number, byte range without the line
/// break, and its text.
#[derive(Copy, Clone)]
struct Line<'a> {
    number: u64,
    start: usize,
    end: usize,
    text: &'a str,
}

impl Line<'_> {
    fn blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut start = 0;
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let line_text = raw.strip_suffix('\r').unwrap_or(raw);
            let line = Line {
                number: i as u64 + 1,
                start,
                end: start + line_text.len(),
                text: line_text,
            };
            start += raw.len() + 1;
            line
        })
        .collect()
}

/// The text inside `[…]` if the line is a bracketed timestamp line.
fn bracketed(line: &str) -> Option<&str> {
    line.trim_end()
        .strip_prefix('[')?
        .strip_suffix(']')
        .filter(|inner| !inner.contains(['[', ']']))
}

/// `System message:` → `System`. Roles are printed capitalised.
fn role_marker(line: &str) -> Option<&str> {
    let role = line.trim_end().strip_suffix(" message:")?;
    let ok = !role.is_empty() && role.bytes().all(|c| c.is_ascii_alphabetic());
    ok.then_some(role)
}

/// A call starts at a `[…]` line whose next non-blank line is a role marker
/// (`[Unknown time]` is what DSPy prints when an entry has no timestamp).
fn is_call_start(lines: &[Line], i: usize) -> bool {
    lines.get(i).and_then(|l| bracketed(l.text)).is_some()
        && lines
            .iter()
            .skip(i + 1)
            .find(|l| !l.blank())
            .is_some_and(|l| role_marker(l.text).is_some())
}

fn sniff(p: &Probe) -> Sniff {
    let head = match std::str::from_utf8(p.head) {
        Ok(text) => text,
        // The head may be cut inside a character.
        Err(e) => std::str::from_utf8(p.head.get(..e.valid_up_to()).unwrap_or_default())
            .unwrap_or_default(),
    };
    let lines = split_lines(head);
    let Some(first) = lines.iter().position(|l| !l.blank()) else {
        return Sniff::No("empty text");
    };
    let stamp = bracketed(lines[first].text).and_then(time::iso8601_nanos);
    match stamp {
        Some(_) if is_call_start(&lines, first) => Sniff::Yes(80),
        Some(_) => Sniff::No("a [timestamp] line not followed by \"System message:\""),
        None => Sniff::No("does not start with a [timestamp] line"),
    }
}

#[derive(Serialize)]
struct Message<'a> {
    role: String,
    content: &'a str,
}

fn parse(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), ParseError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            b.warn(
                WarningKind::InvalidUtf8,
                Some(Location::byte(at as u64)),
                format!("the text stops being UTF-8 at byte {at}; the rest was not read"),
            );
            std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or_default()
        }
    };
    let lines = split_lines(text);
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| is_call_start(&lines, i))
        .collect();
    let Some(&first) = starts.first() else {
        return Err(ParseError::Shape(
            "no [timestamp] line followed by a \"System message:\" or \"User message:\" line"
                .into(),
        ));
    };
    if let Some(stray) = lines[..first].iter().find(|l| !l.blank()) {
        b.warn(
            WarningKind::SkippedRecord,
            Some(Location::line(stray.number)),
            format!(
                "text before the first LM call (lines {}–{}) was ignored",
                stray.number,
                lines[first].number - 1
            ),
        );
    }
    let mut zoneless = false;
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let last = k + 1 == starts.len();
        zoneless |= commit_call(b, text, &lines[start..end], last);
    }
    if zoneless {
        warn_local_time(b, "inspect_history");
    }
    Ok(())
}

/// The text of a run of lines without the blank lines around it, as a
/// slice of the file.
fn block<'t>(text: &'t str, lines: &[Line]) -> Option<&'t str> {
    let first = lines.iter().find(|l| !l.blank())?;
    let last = lines.iter().rfind(|l| !l.blank())?;
    text.get(first.start..last.end)
}

/// What a marker line between the blocks of one call says.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Marker<'a> {
    Role(&'a str),
    Response,
    ToolCalls,
}

fn marker<'a>(line: &Line<'a>) -> Option<Marker<'a>> {
    match line.text.trim_end() {
        "Response:" => Some(Marker::Response),
        "Tool calls:" => Some(Marker::ToolCalls),
        other => role_marker(other).map(Marker::Role),
    }
}

/// ` \t (and 2 other completions)`, printed after the first completion.
fn other_completions(line: &str) -> Option<i64> {
    let inner = line.trim().strip_prefix("(and ")?;
    inner.strip_suffix(" other completions)")?.parse().ok()
}

/// Adds the span of one call (`call[0]` is its `[timestamp]` line); returns
/// whether its timestamp had no zone.
fn commit_call(b: &mut StoreBuilder, text: &str, call: &[Line], last: bool) -> bool {
    let Some(header) = call.first() else {
        return false;
    };
    let at = Some(Location::line(header.number));
    // A marker opens a block: right after the header or after a blank line.
    // Everything after `Response:` (or `Tool calls:`) is the completion.
    let mut markers: Vec<(usize, Marker)> = Vec::new();
    for (i, line) in call.iter().enumerate().skip(1) {
        let Some(m) = marker(line) else {
            continue;
        };
        if i > 1 && !call[i - 1].blank() {
            continue;
        }
        markers.push((i, m));
        if !matches!(m, Marker::Role(_)) {
            break;
        }
    }

    let mut messages = Vec::new();
    for (k, &(i, m)) in markers.iter().enumerate() {
        let Marker::Role(role) = m else {
            break;
        };
        let next = markers.get(k + 1).map_or(call.len(), |&(j, _)| j);
        messages.push(Message {
            role: role.to_ascii_lowercase(),
            content: block(text, &call[i + 1..next]).unwrap_or(""),
        });
    }

    let mut others = None;
    let output = match markers.last() {
        Some(&(i, m)) if !matches!(m, Marker::Role(_)) => {
            let mut body = &call[if m == Marker::Response { i + 1 } else { i }..];
            if let Some(n) = body.iter().rposition(|l| !l.blank()) {
                if let Some(count) = other_completions(body[n].text) {
                    others = Some(count);
                    body = &body[..n];
                }
            }
            block(text, body)
        }
        _ => {
            let kind = if last {
                WarningKind::Truncated
            } else {
                WarningKind::BadValue
            };
            b.warn(
                kind,
                at,
                format!(
                    "the LM call at line {} has no \"Response:\" block",
                    header.number
                ),
            );
            None
        }
    };

    b.begin_span();
    let mut d = SpanDraft::new();
    // The text has no ids; the header's line number is stable for a file.
    let id = format!("inspect-history-line-{}", header.number);
    d.trace_id = id.clone();
    d.span_id = id;
    d.kind = SpanKind::Llm;
    // No model is printed; "lm" matches the "lm <model>" names of the other
    // DSPy logs.
    d.name = b.intern("lm");
    let stamp = bracketed(header.text).unwrap_or("").trim();
    let mut zoneless = false;
    match time::iso8601_nanos(stamp) {
        Some(nanos) => {
            d.start_nanos = nanos;
            zoneless = !time::has_zone(stamp);
        }
        None => b.warn(
            WarningKind::BadValue,
            at,
            format!("[{stamp}] is not an ISO 8601 time; the call is shown at time 0"),
        ),
    }
    d.end_nanos = d.start_nanos;
    b.attr(DURATION_UNKNOWN, AttrValue::Bool(true));
    if let Some(count) = others {
        b.attr("other_completions", AttrValue::Int(count));
    }
    if !messages.is_empty() {
        // The blocks are not JSON in the file, so the array is a copy.
        if let Ok(json) = serde_json::to_string(&messages) {
            d.input = Some(b.owned_text(json.as_bytes(), TextEncoding::JsonValue));
        }
    }
    d.output = output.map(|o| b.text(o, TextEncoding::Plain));
    b.commit_span(d, at);
    zoneless
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ProbeData;
    use crate::load::{load, Input, Session};
    use crate::model::SpanIdx;
    use serde_json::Value;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    const SCENARIOS: [&str; 5] = ["classify", "multihop", "optimize", "rag", "react"];
    const OPTIMIZE: &[u8] = include_bytes!(
        "../../tests/fixtures/dspy-inspect-history/dspy-optimize.inspect-history.txt"
    );

    fn open(bytes: &[u8]) -> Session {
        load(vec![Input::new("", bytes.to_vec())])
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}/{rel}")).unwrap_or_default()
    }

    #[test]
    fn optimize_has_six_calls_with_few_shot_demos() {
        let s = open(OPTIMIZE);
        assert_eq!(s.report.files[0].format, Some("dspy-inspect-history"));
        let t = s.report.files[0].counts;
        assert_eq!((t.traces, t.spans, t.lm_calls, t.error_spans), (6, 6, 6, 0));
        let st = &s.store;
        // `[timestamp]` lines are lines 5, 97, 189, 283, 377 and 471.
        let ids: Vec<&str> = (0..6).map(|i| st.id(st.traces.trace_id[i])).collect();
        assert_eq!(ids[0], "inspect-history-line-5");
        assert_eq!(ids[5], "inspect-history-line-471");
        assert_eq!(st.spans.start_nanos[0], 1_795_258_551_027_327_000);
        assert_eq!(st.duration_nanos(SpanIdx(0)), 0);
        assert_eq!(st.str(st.spans.name[0]), "lm");
        let input = st.spans.input[0].map(|t| st.text(t).into_owned());
        let messages: Vec<Value> =
            serde_json::from_str(&input.unwrap_or_default()).unwrap_or_default();
        let roles: Vec<&str> = messages.iter().filter_map(|m| m["role"].as_str()).collect();
        assert_eq!(
            roles,
            ["system", "user", "assistant", "user", "assistant", "user"]
        );
        // The output is a range of the file, not a copy.
        assert_ne!(st.spans.output[0].map(|t| t.source.0), Some(0));
        assert_eq!(s.report.warnings.count(WarningKind::BadValue), 1);
    }

    /// The inspect-history and lm.history fixtures come from the same runs:
    /// every call's messages and response must match the history entry
    /// (inspect_history prints each content stripped).
    #[test]
    fn every_call_matches_the_lm_history_of_the_same_run() {
        for scenario in SCENARIOS {
            let text = read(&format!(
                "dspy-inspect-history/dspy-{scenario}.inspect-history.txt"
            ));
            let history: Vec<Value> = serde_json::from_slice(&read(&format!(
                "dspy-history/dspy-{scenario}.lm-history.json"
            )))
            .unwrap_or_default();
            let s = open(&text);
            let st = &s.store;
            assert_eq!(st.span_count(), history.len(), "{scenario}");
            for (i, entry) in history.iter().enumerate() {
                let expected: Vec<(String, String)> = entry["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| {
                        let role = m["role"].as_str().unwrap_or("").to_string();
                        (role, m["content"].as_str().unwrap_or("").trim().to_string())
                    })
                    .collect();
                let input = st.spans.input[i].map(|t| st.text(t).into_owned());
                let got: Vec<Value> =
                    serde_json::from_str(&input.unwrap_or_default()).unwrap_or_default();
                let got: Vec<(String, String)> = got
                    .iter()
                    .map(|m| {
                        let role = m["role"].as_str().unwrap_or("").to_string();
                        (role, m["content"].as_str().unwrap_or("").to_string())
                    })
                    .collect();
                assert_eq!(got, expected, "{scenario} call {i}");
                let output = st.spans.output[i].map(|t| st.text(t).into_owned());
                let completion = entry["outputs"][0].as_str().map(|o| o.trim().to_string());
                assert_eq!(output, completion, "{scenario} call {i}");
            }
        }
    }

    #[test]
    fn a_cut_keeps_the_calls_before_it() {
        // Cut inside the third call's system message (line 189 starts it).
        let text = std::str::from_utf8(OPTIMIZE).unwrap_or_default();
        let cut: usize = text.split('\n').take(200).map(|l| l.len() + 1).sum();
        let s = open(&OPTIMIZE[..cut]);
        assert_eq!(s.store.span_count(), 3);
        assert_eq!(s.store.spans.output[2], None);
        let group = s
            .report
            .warnings
            .groups()
            .find(|(_, k, _)| *k == WarningKind::Truncated);
        let at = group.and_then(|(_, _, g)| g.examples[0].0);
        assert_eq!(at.and_then(|at| at.line), Some(189));
    }

    #[test]
    fn garbage_is_an_error_and_odd_headers_warn() {
        let mut b = StoreBuilder::new();
        assert!(parse(b"hello\nworld\n", &mut b).is_err());
        let odd = b"noise\n\n[Unknown time]\n\nUser message:\n\nhi\n\n\nResponse:\n\nyo\n \t (and 2 other completions)\n";
        // Not sniffed as this format (it starts with noise): parse it directly.
        let bytes = std::sync::Arc::new(odd.to_vec());
        let mut b = StoreBuilder::new();
        b.begin_source("odd", "dspy-inspect-history", std::sync::Arc::clone(&bytes));
        assert!(parse(&bytes, &mut b).is_ok());
        b.end_source();
        let (st, warnings) = b.finish();
        assert_eq!(st.span_count(), 1);
        assert_eq!(
            st.spans.output[0]
                .map(|t| st.text(t).into_owned())
                .as_deref(),
            Some("yo")
        );
        assert_eq!(
            st.span_attr(SpanIdx(0), "other_completions"),
            Some(AttrValue::Int(2))
        );
        // "noise" is skipped; "Unknown time" is no time.
        assert_eq!(warnings.count(WarningKind::SkippedRecord), 1);
        assert_eq!(warnings.count(WarningKind::BadValue), 1);
    }

    #[test]
    fn sniff_needs_a_timestamp_then_a_message() {
        let probe = |bytes: &'static [u8]| sniff(&ProbeData::new("", bytes).probe());
        assert_eq!(probe(OPTIMIZE), Sniff::Yes(80));
        assert!(matches!(
            probe(b"\n[2026-11-21T10:55:48]\nhello\n"),
            Sniff::No(_)
        ));
        assert!(matches!(probe(b"[1, 2]\n\nUser message:\n"), Sniff::No(_)));
    }

    #[test]
    fn every_cut_of_a_fixture_parses_without_panic() {
        for cut in (0..OPTIMIZE.len()).step_by(97) {
            let mut b = StoreBuilder::new();
            let _ = parse(&OPTIMIZE[..cut], &mut b);
        }
    }
}
