//! Where long text is cut for display: a first screenful (a few thousand
//! bytes or a few dozen lines, whichever ends first), then slices that a
//! view adds one per frame when the user asks for all of it. A browser lays
//! out a multi-megabyte value (one line of base64, a stack dump, a prompt)
//! for seconds; cut like this, no view pays more than a screenful up front.
//!
//! Byte offsets into the text, always on a character boundary.

/// The first screenful ends within this many bytes…
pub const PREVIEW_BYTES: usize = 3_000;
/// …or after this many lines.
pub const PREVIEW_LINES: usize = 40;
/// What each later step adds.
pub const SLICE_BYTES: usize = 256 * 1024;
/// A slice ends at a line break when there is one this close to its end,
/// so lines are not split between slices.
const LINE_LOOKBACK: usize = 16 * 1024;

/// The end of the first screenful of `text` (`text.len()` when it is short).
pub fn preview_end(text: &str) -> usize {
    let limit = floor_boundary(text, PREVIEW_BYTES.min(text.len()));
    let head = &text.as_bytes()[..limit];
    match memchr::memchr_iter(b'\n', head).nth(PREVIEW_LINES - 1) {
        Some(newline) => newline + 1,
        None => limit,
    }
}

/// Whether `text` is cut at all.
pub fn is_long(text: &str) -> bool {
    preview_end(text) < text.len()
}

/// The end of the slice that starts at `from`.
pub fn slice_end(text: &str, from: usize) -> usize {
    let target = from.saturating_add(SLICE_BYTES);
    if target >= text.len() {
        return text.len();
    }
    let end = floor_boundary(text, target);
    let window_start = end.saturating_sub(LINE_LOOKBACK).max(from);
    match memchr::memrchr(b'\n', &text.as_bytes()[window_start..end]) {
        Some(at) => window_start + at + 1,
        None if end > from => end,
        // A slice always moves forward, even by one wide character.
        None => text[from..]
            .chars()
            .next()
            .map_or(text.len(), |c| from + c.len_utf8()),
    }
}

/// The slices of `text` after `from`, up to `shown`: the byte ranges a view
/// renders as separate blocks (so adding one lays out only the new block).
pub fn slices(text: &str, from: usize, shown: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = from;
    while at < shown.min(text.len()) {
        let end = slice_end(text, at);
        out.push(at..end);
        at = end;
    }
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole() {
        assert_eq!(preview_end("hello"), 5);
        assert!(!is_long("hello"));
        assert_eq!(preview_end(""), 0);
    }

    #[test]
    fn one_long_line_is_cut_on_a_character_boundary() {
        let text = "é".repeat(10_000);
        let end = preview_end(&text);
        assert!(end <= PREVIEW_BYTES && text.is_char_boundary(end) && end > 0);
        assert!(is_long(&text));
    }

    #[test]
    fn many_short_lines_stop_after_a_screenful() {
        let text = "line\n".repeat(1000);
        assert_eq!(preview_end(&text), 5 * PREVIEW_LINES);
    }

    #[test]
    fn slices_cover_the_rest_in_order_and_prefer_line_ends() {
        let text = format!(
            "{}\n{}",
            "a".repeat(SLICE_BYTES - 100),
            "b".repeat(3 * SLICE_BYTES)
        );
        let from = preview_end(&text);
        let parts = slices(&text, from, text.len());
        assert_eq!(parts.first().map(|r| r.start), Some(from));
        assert_eq!(parts.last().map(|r| r.end), Some(text.len()));
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
        // The first slice ends at the line break.
        assert_eq!(parts[0].end, SLICE_BYTES - 100 + 1);
        assert!(parts.iter().all(|r| r.len() <= SLICE_BYTES));
    }

    #[test]
    fn a_slice_always_advances() {
        let text = "€".repeat(SLICE_BYTES);
        let mut at = 0;
        let mut steps = 0;
        while at < text.len() {
            let next = slice_end(&text, at);
            assert!(next > at && text.is_char_boundary(next));
            at = next;
            steps += 1;
        }
        assert!(steps >= 3);
    }
}
