//! A structural outline of a JSON document, for sniffing and for finding
//! the value an envelope wraps.
//!
//! Detection must not depend on how long the first string is: a first span
//! whose prompt holds 1 MB pushes every later key past any fixed byte budget.
//! The outline keeps the document's structure (keys, numbers, short strings,
//! brackets, line breaks) and shortens long strings to a prefix, skipping
//! their bytes with `memchr` (GB/s). Its own size is bounded, so sniffing a
//! huge file reads only as far as the outline's budget of structure.
//!
//! Nothing here allocates per value or builds a tree; it never parses.

/// Strings longer than this are shortened in the outline.
const KEEP_STRING_BYTES: usize = 256;
/// How much of a shortened string is kept (enough for a prefix check).
const KEPT_PREFIX_BYTES: usize = 64;

/// True if the content starts like JSON (after white space and a BOM): an
/// object, or an array of values.
pub fn is_json_like(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rest = bytes.trim_ascii_start();
    match rest.first() {
        Some(b'{') => true,
        Some(b'[') => {
            rest = rest[1..].trim_ascii_start();
            matches!(rest.first(), Some(b'{' | b'[' | b'"' | b']') | None)
        }
        _ => false,
    }
}

/// Where the string that starts at `bytes[open]` (a `"`) ends: the index of
/// its closing quote, or `None` when the input stops inside it.
pub fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let at = i + memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[at] == b'"' {
            return Some(at);
        }
        i = at + 2; // skip the escaped byte (`\"`, `\\`, the `u` of `\uXXXX`)
    }
}

/// The outline of `bytes`, at most about `budget` bytes long.
///
/// Long strings become `"<first 64 bytes>…"` (cut before an escape), runs of
/// white space become one line break (when they hold one) or nothing, and
/// everything else is copied. Stops at the budget or inside an unterminated
/// string.
pub fn outline(bytes: &[u8], budget: usize) -> Vec<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(budget.min(bytes.len()) + 16);
    let mut i = 0;
    while i < bytes.len() && out.len() < budget {
        let c = bytes[i];
        match c {
            b'"' => {
                let Some(end) = string_end(bytes, i) else {
                    let rest = &bytes[i..];
                    out.extend_from_slice(&rest[..rest.len().min(KEPT_PREFIX_BYTES)]);
                    break;
                };
                let inner = &bytes[i + 1..end];
                out.push(b'"');
                if inner.len() <= KEEP_STRING_BYTES {
                    out.extend_from_slice(inner);
                } else {
                    out.extend_from_slice(safe_prefix(inner, KEPT_PREFIX_BYTES));
                    out.extend_from_slice("…".as_bytes());
                }
                out.push(b'"');
                i = end + 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                let run = bytes[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_whitespace())
                    .count();
                if bytes[i..i + run].contains(&b'\n') {
                    out.push(b'\n');
                }
                i += run;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The first `n` bytes of a string's contents, shortened so that no escape
/// sequence is cut in two.
fn safe_prefix(inner: &[u8], n: usize) -> &[u8] {
    let mut cut = n.min(inner.len());
    // Back off to the start of an escape that would straddle the cut.
    let mut j = 0;
    while j < cut {
        if inner[j] == b'\\' {
            let len = if inner.get(j + 1) == Some(&b'u') {
                6
            } else {
                2
            };
            if j + len > cut {
                cut = j;
                break;
            }
            j += len;
        } else {
            j += 1;
        }
    }
    // Never end inside a UTF-8 sequence.
    while cut > 0 && cut < inner.len() && (inner[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    &inner[..cut]
}

/// Where the JSON value that starts at `bytes[start]` ends (exclusive), by
/// bracket counting with strings skipped; `None` if the input stops first.
/// Does not validate: the parser that reads the value does.
pub fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    match first {
        b'"' => string_end(bytes, start).map(|e| e + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => i = string_end(bytes, i)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let len = bytes[start..]
                .iter()
                .take_while(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                .count();
            Some(start + len)
        }
    }
}

/// One member of a JSON object: its key (raw, as written) and where its
/// value starts in the scanned bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub key: &'a [u8],
    pub value_start: usize,
}

/// The members of the object at the start of `bytes` (after white space),
/// in order, until `stop` says enough or the input ends. Values are skipped
/// with [`value_end`], so asking for the members after a huge value costs a
/// scan of it: callers looking for one key stop at it.
pub fn members<'a>(bytes: &'a [u8], mut stop: impl FnMut(&Member<'a>) -> bool) -> Vec<Member<'a>> {
    let mut out = Vec::new();
    let lead = bytes.len() - bytes.trim_ascii_start().len();
    let bom = usize::from(bytes[lead..].starts_with(b"\xEF\xBB\xBF")) * 3;
    let mut i = lead + bom;
    if bytes.get(i) != Some(&b'{') {
        return out;
    }
    i += 1;
    loop {
        i = skip_ws(bytes, i);
        if bytes.get(i) != Some(&b'"') {
            return out;
        }
        let Some(key_end) = string_end(bytes, i) else {
            return out;
        };
        let key = &bytes[i + 1..key_end];
        i = skip_ws(bytes, key_end + 1);
        if bytes.get(i) != Some(&b':') {
            return out;
        }
        let value_start = skip_ws(bytes, i + 1);
        let member = Member { key, value_start };
        out.push(member);
        if stop(&member) {
            return out;
        }
        let Some(end) = value_end(bytes, value_start) else {
            return out;
        };
        i = skip_ws(bytes, end);
        if bytes.get(i) != Some(&b',') {
            return out;
        }
        i += 1;
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// The keys of the first object in an outline: the document's own keys for
/// an object, those of its first element for an array of objects (or of a
/// first inner array's first object: Zipkin's traces), the first line's for
/// JSON lines. Keys are raw (escapes not decoded).
pub fn top_keys(outline: &[u8]) -> Vec<&[u8]> {
    let mut i = skip_ws(outline, 0);
    while outline.get(i) == Some(&b'[') {
        i = skip_ws(outline, i + 1);
    }
    members(&outline[i..], |_| false)
        .into_iter()
        .map(|m| m.key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_shrink_and_structure_stays() {
        let big = "x".repeat(1_000_000);
        let doc =
            format!(r#"[{{"name": "{big}", "traceId": "ab", "timestamp": 1700000000000000}}]"#);
        let o = outline(doc.as_bytes(), 64 * 1024);
        let text = String::from_utf8_lossy(&o);
        assert!(o.len() < 200, "{text}");
        assert!(text.contains(r#""traceId":"ab""#));
        assert!(text.contains(r#""timestamp":1700000000000000"#));
    }

    #[test]
    fn escapes_are_not_cut_and_line_breaks_survive() {
        let s = format!("{}\\u00e9{}", "a".repeat(60), "b".repeat(300));
        let doc = format!("{{\"k\": \"{s}\"}}\n\n{{\"k\": 1}}");
        let o = outline(doc.as_bytes(), 1024);
        let text = String::from_utf8_lossy(&o).into_owned();
        assert!(
            text.starts_with(&format!("{{\"k\":\"{}…\"}}\n{{", "a".repeat(60))),
            "{text}"
        );
    }

    #[test]
    fn value_end_skips_strings_with_brackets() {
        let doc = br#"{"a": "}]\"{", "b": [1, {"c": 2}]} tail"#;
        assert_eq!(value_end(doc, 0), Some(doc.len() - 5));
        assert_eq!(value_end(b"123, 4", 0), Some(3));
        assert_eq!(value_end(b"[1, 2", 0), None);
    }

    #[test]
    fn members_and_top_keys() {
        let doc = br#" {"result": {"resourceSpans": []}, "x": "y"}"#;
        let keys: Vec<_> = members(doc, |_| false).iter().map(|m| m.key).collect();
        assert_eq!(keys, [&b"result"[..], b"x"]);
        let m = members(doc, |m| m.key == b"result");
        assert_eq!(doc[m[0].value_start], b'{');
        assert_eq!(
            top_keys(br#"[[{"traceId": 1, "id": 2}]]"#),
            [&b"traceId"[..], b"id"]
        );
        assert!(is_json_like(b"\n [ {"));
        assert!(!is_json_like(b"[2026-11-21T10:00:00] System message"));
    }
}
