//! bytes → unwrapped members → detected format → store → index → import
//! report. One pure, synchronous function, so it runs unchanged natively, in
//! tests, on the page and inside a Web Worker.

use crate::formats::envelope::Envelope;
use crate::formats::{self, container, Content, Format, ParseError};
use crate::index::Index;
use crate::model::{Location, Progress, SourceId, Store, StoreBuilder, WarningKind, WarningLog};
use std::sync::Arc;

/// One file as the user gave it.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Input {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Input {
        Input {
            name: name.into(),
            bytes,
        }
    }
}

/// Counts shown for a file, a session, or a filtered set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub traces: u64,
    pub spans: u64,
    pub lm_calls: u64,
    pub error_spans: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// What happened to one file (or one member of an archive).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    pub name: String,
    pub bytes: u64,
    /// Detected format id, if any format recognised the content.
    #[serde(with = "format_id::option")]
    pub format: Option<FormatId>,
    /// The query-API or client-library wrapper the format was found in
    /// (an [`Envelope`] id), if any.
    #[serde(with = "format_id::envelope")]
    pub envelope: Option<FormatId>,
    pub source: Option<SourceId>,
    /// Set when nothing of the file could be loaded.
    pub error: Option<String>,
    /// When no format matched: each format tried and why it refused.
    pub tried: Vec<Refusal>,
    pub counts: Counts,
    /// Traces of this file that failed (see `index::Outcome`).
    pub failed_traces: u64,
    pub warnings: u64,
}

/// Where a load has got, for the progress line (the page fetches and starts
/// the parser; the parsing worker reads and parses).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Stage {
    /// Waiting for the parser to start.
    #[default]
    Starting,
    /// Fetching a `#url=` (`total` 0 when the server did not say).
    Downloading {
        received: u64,
        total: u64,
    },
    /// Reading file `number` (1-based) of `files`.
    Reading {
        name: String,
        number: u32,
        files: u32,
    },
    Parsing(Progress),
}

impl Stage {
    /// How far, 0.0–1.0, when that is known (for a progress bar).
    pub fn fraction(&self) -> Option<f64> {
        match self {
            Stage::Downloading { received, total } if *total >= *received && *total > 0 => {
                Some(*received as f64 / *total as f64)
            }
            Stage::Parsing(progress) => Some(progress.fraction()),
            _ => None,
        }
    }
}

/// A format's id, as in the registry. (An alias, not `&'static str` written
/// out, so serde does not try to borrow it from the input.)
pub type FormatId = &'static str;

/// A format that refused a file, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    #[serde(with = "format_id")]
    pub format: FormatId,
    pub reason: String,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    pub warnings: WarningLog,
}

impl ImportReport {
    pub fn failed(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| f.error.is_some())
    }
}

/// Everything loaded: the store, its index and the import report.
#[derive(Debug, Clone)]
pub struct Session {
    pub store: Store,
    pub index: Index,
    pub report: ImportReport,
}

/// Loads files into one session; spans of the same trace id merge across files.
pub fn load(inputs: Vec<Input>) -> Session {
    load_with_progress(inputs, |_| {})
}

/// [`load`], calling `progress` as each file starts, every few thousand
/// spans, and once parsing is over (for a progress bar in a worker).
pub fn load_with_progress(inputs: Vec<Input>, progress: impl FnMut(Progress) + 'static) -> Session {
    load_inner(inputs, container::MAX_DECOMPRESSED_BYTES, progress)
}

/// [`load`] with another limit on what one input may expand to than
/// [`container::MAX_DECOMPRESSED_BYTES`] (tests of the limit use a small one).
pub fn load_with_limit(inputs: Vec<Input>, decompressed_limit: u64) -> Session {
    load_inner(inputs, decompressed_limit, |_| {})
}

fn load_inner(
    inputs: Vec<Input>,
    decompressed_limit: u64,
    progress: impl FnMut(Progress) + 'static,
) -> Session {
    let mut b = StoreBuilder::new();
    b.on_progress(progress);
    let mut files = Vec::new();
    for input in inputs {
        for member in container::unwrap_with_limit(&input.name, input.bytes, decompressed_limit) {
            files.push(load_member(&mut b, member));
        }
    }
    b.report_progress(true);
    let (store, warnings) = b.finish();
    let index = Index::build(&store);
    let (counts, failed, warning_counts) = per_source(&store, &index, &warnings);
    for file in &mut files {
        if let Some(source) = file.source {
            let i = source.0 as usize;
            file.counts = counts.get(i).copied().unwrap_or_default();
            file.failed_traces = failed.get(i).copied().unwrap_or_default();
            file.warnings = warning_counts.get(i).copied().unwrap_or_default();
        }
    }
    Session {
        store,
        index,
        report: ImportReport { files, warnings },
    }
}

/// Counts and warning totals of every source in one pass each (a zip of
/// 10,000 members must not cost 10,000 passes over the spans).
fn per_source(
    store: &Store,
    index: &Index,
    warnings: &WarningLog,
) -> (Vec<Counts>, Vec<u64>, Vec<u64>) {
    let n = store.sources.len();
    let mut counts = vec![Counts::default(); n];
    let mut failed = vec![0u64; n];
    let mut last_trace = vec![u32::MAX; n];
    let s = &store.spans;
    for i in 0..store.span_count() {
        let source = s.source[i].0 as usize;
        let Some(c) = counts.get_mut(source) else {
            continue;
        };
        c.spans += 1;
        // Spans are grouped by trace, so a new trace shows as a change.
        if last_trace[source] != s.trace[i].0 {
            last_trace[source] = s.trace[i].0;
            c.traces += 1;
            let outcome = index.traces.get(s.trace[i].index()).map(|t| t.outcome);
            if outcome == Some(crate::index::Outcome::Failed) {
                failed[source] += 1;
            }
        }
        if s.status[i] == crate::model::StatusCode::Error {
            c.error_spans += 1;
        }
        if s.is_lm_call[i] {
            c.lm_calls += 1;
        }
        if index.counts_tokens.get(i).copied().unwrap_or(false) {
            c.input_tokens += s.tokens[i].input.unwrap_or(0);
            c.output_tokens += s.tokens[i].output.unwrap_or(0);
        }
    }
    let mut totals = vec![0u64; n];
    for (source, _, group) in warnings.groups() {
        if let Some(t) = source.and_then(|s| totals.get_mut(s.0 as usize)) {
            *t += group.count;
        }
    }
    (counts, failed, totals)
}

fn load_member(b: &mut StoreBuilder, member: container::Member) -> FileReport {
    let mut report = FileReport {
        name: member.name.clone(),
        bytes: member.bytes.len() as u64,
        format: None,
        envelope: None,
        source: None,
        error: None,
        tried: Vec::new(),
        counts: Counts::default(),
        failed_traces: 0,
        warnings: 0,
    };
    let damage = member.damage;
    if member.bytes.iter().all(|c| c.is_ascii_whitespace()) {
        report.error = Some(match damage {
            Some(damage) => format!("{}: {}", member.name, damage.message),
            None => format!("{}: the file is empty", member.name),
        });
        return report;
    }
    let detected = match formats::detect_document(&member.name, &member.bytes) {
        Ok(d) => d,
        Err(unrecognised) => {
            report.error = Some(match &damage {
                Some(damage) => format!("{}: {}; {unrecognised}", member.name, damage.message),
                None => format!("{}: {unrecognised}", member.name),
            });
            report.tried = (unrecognised.tried.iter())
                .map(|&(format, reason)| Refusal {
                    format,
                    reason: reason.to_string(),
                })
                .collect();
            return report;
        }
    };
    let format = detected.format;
    report.format = Some(format.id);
    report.envelope = detected.envelope.map(|e| e.id);
    let (bytes, repairs) = prepare(member.bytes, format.content);
    let bytes = Arc::new(bytes);
    let source = b.begin_source(&member.name, format.id, Arc::clone(&bytes));
    report.source = Some(source);
    b.report_progress(false);
    if let Some(damage) = &damage {
        let kind = if damage.too_large {
            WarningKind::TooLarge
        } else {
            WarningKind::Truncated
        };
        b.warn(kind, None, damage.message.clone());
    }
    repairs.warn(b);
    let before = b.span_count();
    let meta_before = b.trace_meta_count();
    let warnings_before = b.warning_count_here();
    let result = match detected.envelope {
        None => (format.parse)(&bytes, b),
        Some(envelope) => parse_wrapped(envelope, format, &bytes, b),
    };
    let loaded = b.span_count() - before;
    match result {
        Err(err) if loaded > 0 => {
            let message = format!("{err}; the {loaded} spans before it were loaded");
            b.warn(WarningKind::Truncated, err.location(), message);
        }
        Err(err) => {
            report.error = Some(match &damage {
                // Say what stopped the read first: the parser's "EOF" is
                // only its consequence.
                Some(damage) => format!(
                    "{}: {}; what was read is not a whole {} file ({err})",
                    member.name, damage.message, format.name
                ),
                None => format!("{}: read as {} but {err}", member.name, format.name),
            });
        }
        Ok(()) if loaded == 0 && b.trace_meta_count() == meta_before => {
            let message = if b.warning_count_here() > warnings_before {
                format!(
                    "read as {}, but no span could be loaded: every one was skipped \
                     (see the other warnings)",
                    format.name
                )
            } else {
                format!(
                    "read as {}, but the file holds no spans (they are read from {})",
                    format.name, format.spans_at
                )
            };
            b.warn(WarningKind::NoSpans, None, message);
        }
        Ok(()) => {}
    }
    b.end_source();
    report
}

/// Parses each document an envelope wraps with the detected format. One
/// broken document of several is a warning; when all are broken, the last
/// error fails the file.
fn parse_wrapped(
    envelope: &Envelope,
    format: &Format,
    bytes: &[u8],
    b: &mut StoreBuilder,
) -> Result<(), ParseError> {
    let documents = formats::envelope::unwrap(envelope, bytes, b);
    let mut last_error = None;
    let mut any = false;
    for doc in &documents {
        b.set_origin(Some(doc.origin));
        let Some(inner) = bytes.get(doc.range.clone()) else {
            continue;
        };
        let result = (format.parse)(inner, b);
        b.set_origin(None);
        match result {
            Ok(()) => any = true,
            Err(err) => {
                let err = err.within(doc.origin);
                if documents.len() > 1 {
                    b.warn(WarningKind::SkippedRecord, err.location(), err.to_string());
                }
                last_error = Some(err);
            }
        }
    }
    match (any, last_error) {
        (false, Some(err)) => Err(err),
        _ => Ok(()),
    }
}

/// A file's bytes made ready for its format's parser, and what was changed.
fn prepare(bytes: Vec<u8>, content: Content) -> (Vec<u8>, Repairs) {
    let mut repairs = Repairs::default();
    if content == Content::Binary {
        return (bytes, repairs);
    }
    let (mut bytes, bad_utf8_at) = to_valid_utf8(bytes);
    repairs.bad_utf8_at = bad_utf8_at;
    if content == Content::Json {
        repairs.surrogates = formats::json::replace_lone_surrogates(&mut bytes);
    }
    (bytes, repairs)
}

/// What [`prepare`] changed, reported once the file's source has begun.
#[derive(Default)]
struct Repairs {
    bad_utf8_at: Option<usize>,
    surrogates: formats::json::Surrogates,
}

impl Repairs {
    fn warn(&self, b: &mut StoreBuilder) {
        if let Some(at) = self.bad_utf8_at {
            b.warn(
                WarningKind::InvalidUtf8,
                Some(Location::byte(at as u64)),
                format!("bytes that are not UTF-8 (first at byte {at}) were replaced with U+FFFD"),
            );
        }
        for (at, escape) in &self.surrogates.examples {
            b.warn(
                WarningKind::BadEscape,
                Some(*at),
                format!(
                    "{escape} is half of a UTF-16 surrogate pair, not a character; \
                     read as U+FFFD and everything else kept"
                ),
            );
        }
        for _ in self.surrogates.examples.len() as u64..self.surrogates.count {
            b.warn_with(WarningKind::BadEscape, None, String::new);
        }
    }
}

/// Replaces invalid UTF-8 (so every later step can treat text as `str`),
/// returning the offset of the first bad byte.
fn to_valid_utf8(bytes: Vec<u8>) -> (Vec<u8>, Option<usize>) {
    match std::str::from_utf8(&bytes) {
        Ok(_) => (bytes, None),
        Err(e) => {
            let at = e.valid_up_to();
            (
                String::from_utf8_lossy(&bytes).into_owned().into_bytes(),
                Some(at),
            )
        }
    }
}

/// Format ids are the registry's `&'static str`s; serialised (to cross from
/// the parsing worker to the page) as text and looked up on the way back.
pub(crate) mod format_id {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(id)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<super::FormatId, D::Error> {
        let id = <std::borrow::Cow<str>>::deserialize(d)?;
        if id.is_empty() {
            return Ok(""); // the store's arena of decoded text has no format
        }
        crate::formats::about(&id)
            .map(|f| f.id)
            .ok_or_else(|| D::Error::custom(format!("unknown format id {id:?}")))
    }

    /// Envelope ids, looked up among the envelopes.
    pub mod envelope {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            id: &Option<&'static str>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            super::option::serialize(id, s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<&'static str>, D::Error> {
            let Some(id) = Option::<std::borrow::Cow<str>>::deserialize(d)? else {
                return Ok(None);
            };
            crate::formats::envelope::by_id(&id)
                .map(|e| Some(e.id))
                .ok_or_else(|| D::Error::custom(format!("unknown envelope id {id:?}")))
        }
    }

    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(
            id: &Option<&'static str>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match id {
                Some(id) => s.serialize_some(id),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<&'static str>, D::Error> {
            #[derive(Deserialize)]
            struct Id(#[serde(with = "super")] super::super::FormatId);
            Ok(Option::<Id>::deserialize(d)?.map(|Id(id)| id))
        }
    }
}
