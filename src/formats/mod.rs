//! Input formats: one file per format, a registry, content sniffing and
//! containers (gzip, zip).
//!
//! A format is a [`Format`] descriptor: a cheap `sniff` of the content's
//! outline (the file name is only a hint) and a `parse` that writes through
//! the model's [`StoreBuilder`]. Formats never build index structures.
//! Adding a format = one file, one line in [`REGISTRY`], fixtures, a README row.
//!
//! Query APIs and client libraries wrap these documents (`{"result": …}`,
//! `{"trace": …}`): [`envelope`] unwraps them in front of the parsers, and
//! sniffing decides what is inside.

pub mod console;
pub mod container;
pub mod dspy_callback;
pub mod dspy_history;
pub mod dspy_inspect;
pub mod envelope;
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
pub mod otlp_proto;
pub mod otlp_proto_wire;
pub mod otlp_wire;
pub mod outline;
pub mod phoenix;
pub mod phoenix_wire;
pub mod semconv;
pub mod sniff;
pub mod step_log;
pub mod tempo_search;
pub mod time;
pub mod zipkin;

use crate::model::{Location, StoreBuilder};
use std::fmt;

pub use sniff::{detect, detect_document, Detected, Probe, ProbeData, Sniff, SNIFF_BYTES};

/// What a format's bytes are, which decides how a file is prepared before
/// parsing: text is made valid UTF-8, JSON also has lone surrogate escapes
/// replaced, binary content is left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Json,
    Text,
    Binary,
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
    pub content: Content,
    /// Where in the file spans are read from, for the warning on a file
    /// that holds none.
    pub spans_at: &'static str,
}

/// Every format, in tie-break order.
pub const REGISTRY: &[Format] = &[
    otlp::OTLP_PROTOJSON,
    otlp::OTLP_JSON,
    otlp::OTLP_JSONL,
    otlp_proto::OTLP_PROTO,
    zipkin::ZIPKIN_JSON,
    jaeger::JAEGER_JSON,
    console::OTEL_CONSOLE,
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
    tempo_search::TEMPO_SEARCH,
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

    /// This error, found in a document that starts at `origin` of its file
    /// (an envelope's wrapped value), with its location in the whole file.
    pub fn within(self, origin: Location) -> ParseError {
        match self {
            ParseError::Json { at, message } => ParseError::Json {
                at: at.within(origin),
                message,
            },
            shape => shape,
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
