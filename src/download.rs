//! The rules of a `#url=` download, apart from the browser that runs it
//! (`web::fetch_buffer`): which addresses may be fetched, how large a
//! download may grow, what each failure tells the user, and what to say
//! when a server sent the file from somewhere else.
//!
//! A link is written by whoever shared it, so its download is bounded:
//! past [`MAX_DOWNLOAD_BYTES`] (by `Content-Length`, or counted as bytes
//! arrive when the server does not say) it stops, frees what it held and
//! says so, instead of buffering gigabytes until the tab dies.

use crate::display;
use thiserror::Error;

/// The most a `#url=` download may hold in the page: 1536 MiB, the same
/// bound as a decompressed input (`formats::container`), since the parser
/// keeps the whole file in its memory beside the index (a wasm32 heap
/// is at most 4 GiB). Larger files belong on disk, opened as files.
pub const MAX_DOWNLOAD_BYTES: u64 = 1536 * 1024 * 1024;

/// Why a download did not produce a file. Each message names the address
/// and what the user can do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DownloadError {
    /// Not http(s): `javascript:`, `data:`, `file:`, `blob:`…
    #[error("{url}: only http and https addresses are opened; this one was not fetched")]
    NotHttp { url: String },
    /// No answer at all: the only case where CORS may be the cause.
    #[error("{url}: the request failed (offline, blocked, or the server does not allow this page to read it: CORS, Access-Control-Allow-Origin). Download the file and drop it here instead")]
    Network { url: String },
    /// The server answered, but not with the file.
    #[error("{url}: the server answered HTTP {status}{}; check the address", spaced(.status_text))]
    Http {
        url: String,
        status: u16,
        status_text: String,
    },
    /// `Content-Length` (or the bytes received so far) passed the limit.
    #[error("{url}: the file is {}, more than the {} a link may download; save it and open it from disk instead", size_text(*.bytes, *.declared), mebibytes(*.limit))]
    TooLarge {
        url: String,
        /// The declared length, or the limit the bytes received passed.
        bytes: u64,
        limit: u64,
        declared: bool,
    },
    /// The connection ended early.
    #[error("{url}: the download broke off after {}; try again", display::bytes(*.received))]
    BrokenOff { url: String, received: u64 },
    /// The browser could not give the bytes room.
    #[error("{url}: the browser could not hold {} in memory ({reason}); save the file and open it from disk instead", display::bytes(*.bytes))]
    OutOfMemory {
        url: String,
        bytes: u64,
        reason: String,
    },
    /// Anything else the browser reported.
    #[error("{url}: {reason}")]
    Browser { url: String, reason: String },
}

fn spaced(text: &str) -> String {
    if text.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", text.trim())
    }
}

fn size_text(bytes: u64, declared: bool) -> String {
    if declared {
        format!("{} (Content-Length)", display::bytes(bytes))
    } else {
        format!("over {}", mebibytes(bytes))
    }
}

/// Limits are round in MiB (`1536 MiB`); small test limits in bytes.
fn mebibytes(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        display::bytes(bytes)
    }
}

/// The address, when it may be fetched: http(s) only, whatever box or
/// link it came from.
pub fn fetchable(url: &str) -> Result<&str, DownloadError> {
    let url = url.trim();
    if crate::permalink::is_http_url(url) {
        Ok(url)
    } else {
        Err(DownloadError::NotHttp { url: url.into() })
    }
}

/// Refuses a download whose `Content-Length` is over `limit` (the app
/// passes [`MAX_DOWNLOAD_BYTES`]), before any byte of the body is read.
pub fn check_declared(
    url: &str,
    content_length: Option<u64>,
    limit: u64,
) -> Result<(), DownloadError> {
    match content_length {
        Some(bytes) if bytes > limit => Err(DownloadError::TooLarge {
            url: url.into(),
            bytes,
            limit,
            declared: true,
        }),
        _ => Ok(()),
    }
}

/// Stops a download once the bytes received pass `limit` (a server that
/// does not say its length, or says less than it sends).
pub fn check_received(url: &str, received: u64, limit: u64) -> Result<(), DownloadError> {
    if received > limit {
        Err(DownloadError::TooLarge {
            url: url.into(),
            bytes: limit,
            limit,
            declared: false,
        })
    } else {
        Ok(())
    }
}

/// What a file fetched from `requested` is called: the last path segment
/// of where it came from (query and fragment dropped), or the whole final
/// address when a redirect took it to another site.
pub fn file_name(requested: &str, final_url: &str) -> String {
    if redirect_note(requested, final_url).is_some() {
        return final_url.to_string();
    }
    let path = final_url.split(['?', '#']).next().unwrap_or(final_url);
    match path.rsplit('/').next() {
        Some(last) if !last.is_empty() => last.to_string(),
        _ => "trace".to_string(),
    }
}

/// A sentence for the user when the server sent the file from another
/// site (scheme, host or port) than the link named; `None` otherwise.
pub fn redirect_note(requested: &str, final_url: &str) -> Option<String> {
    let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
    let (from, to) = (origin(requested)?, origin(final_url)?);
    (from != to).then(|| {
        format!(
            "{requested} redirected to {final_url}: the trace shown came from {}",
            to.ascii_serialization()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_addresses_are_fetched_from_any_box() {
        assert_eq!(
            fetchable(" https://example.org/a.json "),
            Ok("https://example.org/a.json")
        );
        for bad in [
            "data:application/json,{}",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "blob:https://example.org/1",
            "example.org/a.json",
        ] {
            let error = fetchable(bad).unwrap_err();
            assert!(error.to_string().contains("only http and https"), "{bad}");
        }
    }

    #[test]
    fn only_a_network_failure_mentions_cors() {
        let url = "https://example.org/t.json";
        let network = DownloadError::Network { url: url.into() };
        assert!(network.to_string().contains("CORS"));
        for status in [404, 500] {
            let http = DownloadError::Http {
                url: url.into(),
                status,
                status_text: "Not Found".into(),
            };
            let text = http.to_string();
            assert!(text.contains(&format!("HTTP {status} Not Found")), "{text}");
            assert!(
                !text.contains("CORS") && !text.contains("cross-origin"),
                "{text}"
            );
        }
    }

    #[test]
    fn the_size_limit_is_named_and_checked_both_ways() {
        let url = "https://example.org/big.json";
        let max = MAX_DOWNLOAD_BYTES;
        assert_eq!(check_declared(url, None, max), Ok(()));
        assert_eq!(check_declared(url, Some(max), max), Ok(()));
        let declared = check_declared(url, Some(5_000_000_000), max).unwrap_err();
        assert_eq!(
            declared.to_string(),
            "https://example.org/big.json: the file is 5 GB (Content-Length), more than \
             the 1536 MiB a link may download; save it and open it from disk instead"
        );
        assert_eq!(check_received(url, max, max), Ok(()));
        let streamed = check_received(url, max + 1, max).unwrap_err();
        assert!(
            streamed.to_string().contains("the file is over 1536 MiB"),
            "{streamed}"
        );
    }

    #[test]
    fn a_redirect_to_another_site_is_said_and_names_the_file() {
        let from = "https://docs.example.org/run.json";
        assert_eq!(redirect_note(from, from), None);
        assert_eq!(
            redirect_note(from, "https://docs.example.org/v2/run.json"),
            None
        );
        let note = redirect_note(from, "https://cdn.other.example/x/run.json?sig=1").unwrap();
        assert!(
            note.contains("came from https://cdn.other.example"),
            "{note}"
        );
        assert!(redirect_note(from, "http://docs.example.org/run.json").is_some());
        assert_eq!(file_name(from, from), "run.json");
        assert_eq!(
            file_name(from, "https://docs.example.org/a/b.json?x=1#y"),
            "b.json"
        );
        assert_eq!(file_name(from, "https://docs.example.org/"), "trace");
        assert_eq!(
            file_name(from, "https://cdn.other.example/x/run.json"),
            "https://cdn.other.example/x/run.json"
        );
    }
}
