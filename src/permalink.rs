//! The URL hash ⇄ view state. Pure functions of `&str`, so every view is a
//! link and back/forward work. The parameter names are a public contract
//! (listed in the README): rename none of them.
//!
//! `#url=https%3A%2F%2F…&trace=<trace id>&span=<span id>&tab=lm&filter=…&view=steps`
//! A view of local files (no `url`) names them, `file=run.json&file=…`, so
//! whoever opens the link is told which files to drop.

/// Parameter names, in the order they are written.
pub const PARAMS: [&str; 7] = ["url", "file", "view", "filter", "trace", "span", "tab"];

/// What the URL hash says about the view. Unknown parameters are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    /// A trace file to fetch on load (http or https).
    pub url: Option<String>,
    /// The names of the local files the view was made from (when there is
    /// no `url`): the page cannot open them itself, it says which to drop.
    pub files: Vec<String>,
    /// Which main view: `traces` (default), `steps`, `lm-calls`, `report`.
    pub view: Option<String>,
    /// Filter text, in the filter language.
    pub filter: Option<String>,
    /// Selected trace, by wire id as shown in the UI.
    pub trace: Option<String>,
    /// Selected span, by wire id.
    pub span: Option<String>,
    /// Span detail tab: `overview`, `lm`, `io`, `retrieval`, `attributes`, `events`.
    pub tab: Option<String>,
}

impl ViewState {
    /// Parses a location hash (with or without the leading `#`).
    pub fn from_hash(hash: &str) -> ViewState {
        let query = hash.strip_prefix('#').unwrap_or(hash);
        let mut state = ViewState::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned()).filter(|v| !v.is_empty());
            match key.as_ref() {
                "url" => state.url = value,
                "file" => state.files.extend(value),
                "view" => state.view = value,
                "filter" => state.filter = value,
                "trace" => state.trace = value,
                "span" => state.span = value,
                "tab" => state.tab = value,
                _ => {}
            }
        }
        state
    }

    /// The hash for this state (`#…`), or an empty string for the default.
    pub fn to_hash(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(url) = &self.url {
            out.append_pair("url", url);
        }
        for file in &self.files {
            out.append_pair("file", file);
        }
        let fields = [&self.view, &self.filter, &self.trace, &self.span, &self.tab];
        for (name, value) in PARAMS[2..].iter().zip(fields) {
            if let Some(value) = value {
                out.append_pair(name, value);
            }
        }
        let query = out.finish();
        if query.is_empty() {
            String::new()
        } else {
            format!("#{query}")
        }
    }

    /// True when `url` may be fetched: only http(s), never `javascript:`,
    /// `data:` or `file:`.
    pub fn fetchable_url(&self) -> Option<&str> {
        self.url.as_deref().filter(|u| is_http_url(u))
    }
}

/// Only http(s) links are fetched or made clickable.
pub fn is_http_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !text.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_parameter() {
        let state = ViewState {
            url: Some("https://example.org/traces/run 1.json?x=1&y=2".into()),
            files: vec!["a b.json".into(), "c&d.jsonl".into()],
            view: Some("steps".into()),
            filter: Some("status:error kind:llm \"refund policy\"".into()),
            trace: Some("3a2e61939a2af9a02c5d47a80a5cf837".into()),
            span: Some("aecb1bca1032d18d".into()),
            tab: Some("lm".into()),
        };
        let hash = state.to_hash();
        assert!(hash.starts_with("#url=https%3A%2F%2Fexample.org"));
        assert_eq!(ViewState::from_hash(&hash), state);
    }

    #[test]
    fn empty_and_unknown_parameters() {
        assert_eq!(ViewState::default().to_hash(), "");
        assert_eq!(ViewState::from_hash("#nope=1&trace="), ViewState::default());
        assert_eq!(
            ViewState::from_hash("trace=ab").trace.as_deref(),
            Some("ab")
        );
    }

    #[test]
    fn only_http_urls_are_fetchable() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "JAVASCRIPT:alert(1)",
        ] {
            let state = ViewState::from_hash(
                &ViewState {
                    url: Some(bad.into()),
                    ..ViewState::default()
                }
                .to_hash(),
            );
            assert_eq!(state.fetchable_url(), None, "{bad}");
        }
        assert!(is_http_url("HTTPS://example.org/a.json"));
    }
}
