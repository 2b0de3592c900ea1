//! The trace model: ids, nanosecond times, spans, LM calls, the columnar
//! store and the builder that fills it.
//!
//! Must not depend on any other spanscope module, nor on a browser crate.

pub mod builder;
pub mod ids;
pub mod kind;
pub mod store;
pub mod text;
pub mod warning;

pub use builder::{Progress, SpanDraft, StoreBuilder};
pub use ids::{SpanIdx, Sym, TraceIdx};
pub use kind::{SpanKind, StatusCode};
pub use store::{AttrValue, Store, TokenCounts, NONE};
pub use text::{SourceId, TextEncoding, TextRef};
pub use warning::{Location, Warning, WarningKind, WarningLog};
