//! Untrusted text made honest to read. Trace files are written by whoever
//! made them, and a reviewer must see what is there:
//!
//! - [`reveal`] shows characters that change how text reads without being
//!   seen (bidi overrides and isolates, zero-width spaces and joiners,
//!   Unicode tag characters that smuggle text, control characters) as
//!   `⟨U+202E⟩`, so `evil` + U+202E + `txt.exe` cannot pass for `evilexe.txt`. Views use
//!   it for span names, attribute keys and link text.
//! - [`link`] decides whether a value becomes a link (http or https only,
//!   no user name or password in front of the host) and what it reads: the
//!   address as the browser will request it, ASCII only, with the host in
//!   punycode (`xn--…`), so a look-alike host shows as what it is.
//!
//! Pure functions of `&str`; no browser crate.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that are invisible or reorder the text around them.
fn is_hidden(c: char) -> bool {
    matches!(c,
        // C0 and C1 controls, except tab and line breaks, which show as space.
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Soft hyphen, combining grapheme joiner, Arabic letter mark.
        | '\u{ad}' | '\u{34f}' | '\u{61c}'
        // Hangul fillers and Khmer inherent vowels: blank "letters".
        | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{3164}' | '\u{ffa0}'
        // Mongolian vowel separator; zero-width space, non-joiner, joiner;
        // left-to-right and right-to-left marks.
        | '\u{180e}' | '\u{200b}'..='\u{200f}'
        // Line and paragraph separators; bidi embeddings and overrides.
        | '\u{2028}'..='\u{202e}'
        // Word joiner, invisible operators, bidi isolates, deprecated format controls.
        | '\u{2060}'..='\u{206f}'
        // Zero-width no-break space (byte order mark); interlinear annotations.
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        // Tag characters: invisible copies of ASCII.
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// `text` with every hidden character shown as `⟨U+XXXX⟩`; borrowed (no
/// copy) when there is none, which is nearly always.
pub fn reveal(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_hidden) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_hidden(c) {
            let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// True when `text` holds a character that [`reveal`] would show.
pub fn has_hidden(text: &str) -> bool {
    text.contains(is_hidden)
}

/// A value that may be shown as a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The address to open: the URL as serialized by the URL standard
    /// (ASCII, host in punycode, other non-ASCII percent-encoded).
    pub href: String,
    /// What the link reads: the same address, so what you read is where it goes.
    pub text: String,
    /// The host it opens (punycode), for a tooltip.
    pub host: String,
}

/// A link for `text` when the whole value is an http(s) URL with a host
/// and no credentials; `None` shows it as plain text.
pub fn link(text: &str) -> Option<Link> {
    if !crate::permalink::is_http_url(text) {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    // `https://www.example.com@evil.example/` opens evil.example.
    let credentials = !url.username().is_empty() || url.password().is_some();
    if !matches!(url.scheme(), "http" | "https") || credentials {
        return None;
    }
    let host = url.host_str()?.to_string();
    let href = String::from(url);
    Some(Link {
        text: href.clone(),
        href,
        host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_zero_width_characters_are_shown() {
        assert!(matches!(reveal("RAG.forward"), Cow::Borrowed(_)));
        assert_eq!(reveal("evil\u{202e}txt.exe"), "evil⟨U+202E⟩txt.exe");
        assert_eq!(reveal("api\u{200b}_key"), "api⟨U+200B⟩_key");
        assert_eq!(
            reveal("\u{2067}admin\u{2069}\u{feff}"),
            "⟨U+2067⟩admin⟨U+2069⟩⟨U+FEFF⟩"
        );
        // Tag characters hide ASCII text ("hi") from the reader.
        assert_eq!(reveal("a\u{e0068}\u{e0069}"), "a⟨U+E0068⟩⟨U+E0069⟩");
        assert_eq!(reveal("bell\u{7}"), "bell⟨U+0007⟩");
        // Ordinary non-ASCII text and emoji are left alone.
        assert_eq!(reveal("Köln · 東京 🚀\tx"), "Köln · 東京 🚀\tx");
        assert!(has_hidden("a\u{200d}b") && !has_hidden("ab"));
    }

    #[test]
    fn links_read_as_what_they_open() {
        let plain = link("https://example.org/docs?a=1&b=<b>2</b>").unwrap();
        assert_eq!(plain.host, "example.org");
        assert_eq!(
            plain.href,
            "https://example.org/docs?a=1&b=%3Cb%3E2%3C/b%3E"
        );
        assert_eq!(plain.text, plain.href);
        // A look-alike host (Cyrillic о) shows in punycode.
        let homograph = link("https://g\u{43e}\u{43e}gle.com/login").unwrap();
        assert!(homograph.host.starts_with("xn--"), "{}", homograph.host);
        assert!(homograph.text.is_ascii());
        // A right-to-left override cannot reverse what the path reads.
        let spoof = link("https://evil.example/\u{202e}moc.elgoog.www//:sptth").unwrap();
        assert_eq!(spoof.host, "evil.example");
        assert!(spoof.text.is_ascii() && spoof.text.contains("%E2%80%AE"));
        // Zero-width characters in the host are not a different host.
        assert!(link("https://exa\u{200b}mple.org/").is_none_or(|l| l.text.is_ascii()));
        for refused in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://www.google.com@evil.example/",
            "https://user:pw@example.org/",
            "http://",
            "file:///etc/passwd",
            "https://example.org/a b",
        ] {
            assert_eq!(link(refused), None, "{refused}");
        }
    }
}
