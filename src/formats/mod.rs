//! Input formats: one file per format, a registry, content sniffing and
//! containers (gzip, zip).
//!
//! A format is a [`Format`] descriptor: a cheap `sniff` of the first bytes
//! (the file name is only a hint) and a `parse` that writes through the
//! model's [`StoreBuilder`]. Formats never build index structures.
//! Adding a format = one file, one line in [`REGISTRY`], fixtures, a README row.

pub mod container;
pub mod dspy_callback;
pub mod dspy_history;
pub mod dspy_inspect;
pub mod generic_trace;
pub mod jaeger;
pub mod jaeger_wire;
pub mod json;
pub mod langfuse_api;
pub mod langfuse_observation;
pub mod langfuse_scores;
pub mod mlflow;
pub mod mlflow_wire;
pub mod otlp;
pub mod otlp_wire;
pub mod phoenix;
pub mod phoenix_wire;
pub mod semconv;
pub mod step_log;
pub mod time;
pub mod zipkin;

use crate::model::{Location, StoreBuilder};
use std::fmt;

/// How many leading bytes detection looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;
/// How far the deeper checks of sniffers may look.
pub const SNIFF_DEEP_BYTES: usize = 8 * 1024 * 1024;

/// What a format's sniffer sees.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    /// File name as given by the user (may be empty or misleading).
    pub name: &'a str,
    /// The first [`SNIFF_BYTES`] of the (decompressed) content.
    pub head: &'a [u8],
    /// The first [`SNIFF_DEEP_BYTES`], for checks that look past the head
    /// (a memchr or memmem, never a parse). Bounded: every sniffer runs on
    /// every file, and whole-file scans of a 100 MB input added up.
    pub deep: &'a [u8],
}

/// A sniffer's verdict: a confidence score, or why the format does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    Yes(u8),
    No(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// Stable identifier, printed by `spanscope stats` and listed in the README.
    pub id: &'static str,
    pub name: &'static str,
    /// Which tools write it (shown in the README's formats table).
    pub producers: &'static str,
    pub sniff: fn(&Probe) -> Sniff,
    pub parse: fn(&[u8], &mut StoreBuilder) -> Result<(), ParseError>,
}

/// Every format, in tie-break order.
pub const REGISTRY: &[Format] = &[
    otlp::OTLP_PROTOJSON,
    otlp::OTLP_JSON,
    otlp::OTLP_JSONL,
    zipkin::ZIPKIN_JSON,
    jaeger::JAEGER_JSON,
    phoenix::PHOENIX_SPANS,
    phoenix::PHOENIX_OTLPV1,
    mlflow::MLFLOW_JSON,
    mlflow::MLFLOW_ARTIFACT,
    dspy_history::DSPY_LM_HISTORY,
    dspy_inspect::DSPY_INSPECT_HISTORY,
    dspy_callback::DSPY_CALLBACK_JSONL,
    step_log::DSPY_REQUEST_LOG,
    step_log::DSPY_STEP_LOG,
    langfuse_scores::LANGFUSE_SCORES,
    langfuse_api::LANGFUSE_API,
    generic_trace::GENERIC_TRACE_JSON,
];

pub fn by_id(id: &str) -> Option<&'static Format> {
    REGISTRY.iter().find(|f| f.id == id)
}

/// What is shown about a format, without its code: the page lists formats
/// and reports through this, so its bundle links no parser (the parsing
/// worker's does).
#[derive(Debug, Clone, Copy)]
pub struct About {
    pub id: &'static str,
    pub name: &'static str,
    pub producers: &'static str,
}

/// [`REGISTRY`] without the functions, in the same order (built at compile time).
pub static ABOUT: [About; REGISTRY.len()] = {
    let mut about = [About {
        id: "",
        name: "",
        producers: "",
    }; REGISTRY.len()];
    let mut i = 0;
    while i < REGISTRY.len() {
        let f = &REGISTRY[i];
        about[i] = About {
            id: f.id,
            name: f.name,
            producers: f.producers,
        };
        i += 1;
    }
    about
};

pub fn about(id: &str) -> Option<&'static About> {
    ABOUT.iter().find(|f| f.id == id)
}

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("invalid JSON at {at}: {message}")]
    Json { at: Location, message: String },
    #[error("{0}")]
    Shape(String),
}

impl ParseError {
    pub fn json(bytes: &[u8], err: &serde_json::Error) -> ParseError {
        ParseError::Json {
            at: json::error_location(bytes, err),
            message: err.to_string(),
        }
    }

    pub fn location(&self) -> Option<Location> {
        match self {
            ParseError::Json { at, .. } => Some(*at),
            ParseError::Shape(_) => None,
        }
    }
}

/// No format recognised the content; lists what was tried and why each refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecognised {
    pub tried: Vec<(&'static str, &'static str)>,
}

impl fmt::Display for Unrecognised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a trace file spanscope can read. Expected a trace export: OTLP JSON \
             (\"resourceSpans\"), Zipkin or Jaeger JSON, MLflow, Phoenix or Langfuse JSON, \
             or DSPy's own logs; none of the {} formats matched",
            self.tried.len()
        )
    }
}

impl Unrecognised {
    /// One line per format tried, saying why it refused.
    pub fn details(&self) -> String {
        self.tried
            .iter()
            .map(|(id, why)| format!("{id}: {why}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Picks the format whose sniffer is most confident; ties go to registry order.
pub fn detect(name: &str, bytes: &[u8]) -> Result<&'static Format, Unrecognised> {
    let probe = Probe {
        name,
        head: &bytes[..bytes.len().min(SNIFF_BYTES)],
        deep: &bytes[..bytes.len().min(SNIFF_DEEP_BYTES)],
    };
    let mut best: Option<(&'static Format, u8)> = None;
    let mut tried = Vec::new();
    for format in REGISTRY {
        match (format.sniff)(&probe) {
            Sniff::Yes(score) if best.is_none_or(|(_, s)| score > s) => {
                best = Some((format, score))
            }
            Sniff::Yes(_) => {}
            Sniff::No(why) => tried.push((format.id, why)),
        }
    }
    best.map(|(f, _)| f).ok_or(Unrecognised { tried })
}
