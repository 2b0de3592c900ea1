//! A loaded session ⇄ bytes, so the parsing worker can hand its result to
//! the page.
//!
//! The store's columns and the import report travel as one postcard blob;
//! each large source's bytes (the files, often hundreds of MB) travel beside
//! it as its own buffer, so the browser can transfer them between threads
//! without a copy. Small sources (the members of a zip of 10,000 traces)
//! share buffers: the page handles each buffer in a task of its own, and
//! 10,000 tasks took longer than the parse. The index is not sent: the page
//! rebuilds it from the store, which is cheaper than decoding it.

use crate::index::Index;
use crate::load::{FormatId, ImportReport, Session};
use crate::model::store::Source;
use crate::model::Store;
use serde::{Deserialize, Serialize};

/// Written first in every blob. A page and a worker from different builds
/// (one of them cached) refuse each other's data instead of misreading it.
const VERSION: &str = concat!("spanscope-session/2/", env!("CARGO_PKG_VERSION"));

/// Sources smaller than this share buffers (copied once into them).
const SHARE_BELOW: usize = 1 << 20;
/// How large a shared buffer may grow.
const SHARED_BUFFER_BYTES: usize = 16 << 20;

/// A session taken apart for sending: `blob` describes everything,
/// `sources` are the buffers that hold the store's sources' bytes (a large
/// source alone, small ones side by side).
#[derive(Debug)]
pub struct Packed {
    pub blob: Vec<u8>,
    pub sources: Vec<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct SourceHeader {
    name: String,
    #[serde(with = "crate::load::format_id")]
    format: FormatId,
    len: u64,
    /// Which buffer holds the bytes, and where in it.
    buffer: u32,
    offset: u64,
    /// The buffer holds only this source (moved, not copied, on the way in).
    alone: bool,
}

/// Takes a session apart; large sources' bytes move out without a copy.
pub fn pack(session: Session) -> Result<Packed, String> {
    let Session {
        mut store,
        index: _,
        report,
    } = session;
    let sources = std::mem::take(&mut store.sources);
    let mut headers = Vec::with_capacity(sources.len());
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    let mut shared: Option<usize> = None;
    for s in sources {
        let len = s.bytes.len();
        let (buffer, offset, alone) = if len >= SHARE_BELOW {
            buffers.push(s.bytes);
            (buffers.len() - 1, 0, true)
        } else {
            let open = shared.filter(|&b| buffers[b].len() + len <= SHARED_BUFFER_BYTES);
            let b = open.unwrap_or_else(|| {
                buffers.push(Vec::with_capacity(SHARED_BUFFER_BYTES.min(len * 64)));
                buffers.len() - 1
            });
            shared = Some(b);
            let offset = buffers[b].len();
            buffers[b].extend_from_slice(&s.bytes);
            (b, offset, false)
        };
        headers.push(SourceHeader {
            name: s.name,
            format: s.format,
            len: len as u64,
            buffer: buffer as u32,
            offset: offset as u64,
            alone,
        });
    }
    let blob = postcard::to_allocvec(&(VERSION, headers, &store, &report))
        .map_err(|e| format!("the loaded session could not be encoded: {e}"))?;
    Ok(Packed {
        blob,
        sources: buffers,
    })
}

/// Puts a session back together and rebuilds its index.
pub fn unpack(blob: &[u8], sources: Vec<Vec<u8>>) -> Result<Session, String> {
    let (store, report) = unpack_store(blob, sources)?;
    let index = Index::build(&store);
    Ok(Session {
        store,
        index,
        report,
    })
}

/// [`unpack`] without building the index (the page does that in a task of
/// its own, to keep each one short).
pub fn unpack_store(blob: &[u8], sources: Vec<Vec<u8>>) -> Result<(Store, ImportReport), String> {
    let broken = |e: postcard::Error| format!("the parsed session arrived damaged ({e})");
    let (version, rest) = postcard::take_from_bytes::<&str>(blob).map_err(broken)?;
    if version != VERSION {
        return Err(format!(
            "the page ({VERSION}) and its parser ({version}) come from different versions; reload the page"
        ));
    }
    let (headers, mut store, report): (Vec<SourceHeader>, Store, ImportReport) =
        postcard::from_bytes(rest).map_err(broken)?;
    let mut buffers = sources;
    let wanted = headers
        .iter()
        .map(|h| h.buffer as usize + 1)
        .max()
        .unwrap_or(0);
    if wanted > buffers.len() {
        return Err(format!(
            "the parsed session arrived with {} of its {wanted} buffers",
            buffers.len()
        ));
    }
    for header in headers {
        let arrived =
            |got: usize| format!("{}: {got} of its {} bytes arrived", header.name, header.len);
        let buffer = &mut buffers[header.buffer as usize];
        let bytes = if header.alone {
            std::mem::take(buffer)
        } else {
            let start = header.offset as usize;
            let end = start + header.len as usize;
            match buffer.get(start..end) {
                Some(slice) => slice.to_vec(),
                None => return Err(arrived(buffer.len().saturating_sub(start))),
            }
        };
        if header.len != bytes.len() as u64 {
            return Err(arrived(bytes.len()));
        }
        store.sources.push(Source {
            name: header.name,
            format: header.format,
            bytes,
        });
    }
    Ok((store, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn fixture(rel: &str) -> Session {
        let bytes = std::fs::read(format!("{FIXTURES}/{rel}")).unwrap();
        load(vec![Input::new(rel, bytes)])
    }

    /// Every fixture file, as paths relative to tests/fixtures.
    fn all_fixtures() -> Vec<String> {
        let mut found = Vec::new();
        for dir in std::fs::read_dir(FIXTURES).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let file = file.unwrap().path();
                let rel = file.strip_prefix(FIXTURES).unwrap();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
        found.sort();
        found
    }

    /// Everything a session holds, in a deterministic text (the interners'
    /// hash maps are checked through lookups instead of their order).
    fn fingerprint(s: &Session) -> String {
        let st = &s.store;
        for interner in [&st.strings, &st.ids] {
            for i in 0..interner.len() as u32 {
                let text = interner.resolve(crate::model::Sym(i));
                assert_eq!(interner.get(text), Some(crate::model::Sym(i)), "{text}");
            }
        }
        let strings: Vec<&str> = (0..st.strings.len() as u32)
            .map(|i| st.strings.resolve(crate::model::Sym(i)))
            .collect();
        let ids: Vec<&str> = (0..st.ids.len() as u32)
            .map(|i| st.ids.resolve(crate::model::Sym(i)))
            .collect();
        let sources: Vec<_> = (st.sources.iter())
            .map(|s| (&s.name, s.format, &s.bytes))
            .collect();
        format!(
            "{}\n{sources:?}\n{strings:?}\n{ids:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            crate::display::tree_dump(s),
            st.spans,
            st.attrs,
            st.events,
            (&st.resource_start, &st.resource_attrs),
            st.traces,
            s.report,
            s.index.totals,
            s.index.traces,
        )
    }

    #[test]
    fn many_small_sources_travel_in_few_buffers() {
        let inputs: Vec<Input> = (0..300)
            .map(|i| {
                let doc = format!(
                    r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{:032x}","spanId":"{:016x}","name":"s","startTimeUnixNano":"1","endTimeUnixNano":"2"}}]}}]}}]}}"#,
                    i + 1,
                    i + 1
                );
                Input::new(format!("m{i}.json"), doc.into_bytes())
            })
            .collect();
        let before = load(inputs);
        let expected = fingerprint(&before);
        let packed = pack(before).unwrap();
        assert_eq!(packed.sources.len(), 1, "300 small files share one buffer");
        let after = unpack(&packed.blob, packed.sources).unwrap();
        assert_eq!(fingerprint(&after), expected);
    }

    #[test]
    fn every_fixture_survives_the_trip() {
        let fixtures = all_fixtures();
        assert!(fixtures.len() > 80, "{}", fixtures.len());
        for rel in fixtures {
            let before = fixture(&rel);
            let expected = fingerprint(&before);
            let packed = pack(before).unwrap();
            let after = unpack(&packed.blob, packed.sources).unwrap();
            let got = fingerprint(&after);
            assert_eq!(got, expected, "{rel}");
        }
    }

    #[test]
    fn damaged_or_foreign_blobs_are_refused_with_a_message() {
        let packed = pack(fixture(
            "otlp-json/dspy-multihop.openinference.otlp-http-json.json",
        ))
        .unwrap();
        let cut = &packed.blob[..packed.blob.len() / 2];
        let err = unpack(cut, packed.sources.clone()).unwrap_err();
        assert!(err.contains("damaged"), "{err}");
        let err = unpack(&packed.blob, Vec::new()).unwrap_err();
        assert!(err.contains("of its"), "{err}");
        let foreign = postcard::to_allocvec(&("spanscope-session/0/0.0.0", 1u8)).unwrap();
        let err = unpack(&foreign, Vec::new()).unwrap_err();
        assert!(err.contains("reload the page"), "{err}");
    }
}
