//! Recoverable oddities found while importing. Each is counted in the import
//! report with examples; none stops the rest of the file from loading.

use super::text::SourceId;
use std::fmt;

#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum WarningKind {
    /// The file ends (or breaks) before the document does; what came before loaded.
    Truncated,
    /// A line or record that could not be read was skipped.
    SkippedRecord,
    /// A span names a parent that is not in the loaded files.
    OrphanParent,
    /// The same (trace id, span id) appeared twice; the first was kept.
    DuplicateSpan,
    /// Parent links form a loop; the loop was cut at this span.
    ParentCycle,
    /// A span ends before it starts; its end was set to its start.
    NegativeDuration,
    /// A child starts before its parent or ends after it.
    ClockSkew,
    /// Bytes that are not UTF-8 were replaced with U+FFFD.
    InvalidUtf8,
    /// A value was not of the expected type or range and was ignored.
    BadValue,
    /// A span had no usable id or trace id and was skipped.
    MissingId,
    /// A span's trace or span id was all zeros (invalid in OpenTelemetry);
    /// it was kept under a made-up id.
    ZeroId,
    /// A JSON string held an escape that is not a character (a lone UTF-16
    /// surrogate such as `\ud800`); it was read as U+FFFD.
    BadEscape,
    /// A file was read as a format but held no spans.
    NoSpans,
    /// Input larger than what can be held: only the first part was read.
    TooLarge,
    /// The file holds only part of each trace (search results).
    Partial,
}

impl WarningKind {
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::Truncated => "truncated input",
            WarningKind::SkippedRecord => "skipped record",
            WarningKind::OrphanParent => "parent not found",
            WarningKind::DuplicateSpan => "duplicate span id",
            WarningKind::ParentCycle => "parent cycle",
            WarningKind::NegativeDuration => "negative duration",
            WarningKind::ClockSkew => "clock skew",
            WarningKind::InvalidUtf8 => "invalid UTF-8",
            WarningKind::BadValue => "unexpected value",
            WarningKind::MissingId => "missing id",
            WarningKind::ZeroId => "all-zero id",
            WarningKind::BadEscape => "invalid escape",
            WarningKind::NoSpans => "no spans",
            WarningKind::TooLarge => "too large",
            WarningKind::Partial => "partial traces",
        }
    }
}

/// Where in a file something happened. Lines and columns are 1-based.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub byte: Option<u64>,
}

impl Location {
    pub fn line(line: u64) -> Location {
        Location {
            line: Some(line),
            ..Location::default()
        }
    }

    pub fn byte(byte: u64) -> Location {
        Location {
            byte: Some(byte),
            ..Location::default()
        }
    }

    /// This location, taken relative to a document that starts at `origin`
    /// (a wrapped document inside a file), as a location in the whole file.
    pub fn within(self, origin: Location) -> Location {
        let on_first_line = self.line.is_none_or(|l| l <= 1);
        Location {
            line: match (self.line, origin.line) {
                (Some(l), Some(o)) => Some(l + o.saturating_sub(1)),
                (l, _) => l,
            },
            column: match (self.column, origin.column) {
                (Some(c), Some(o)) if on_first_line => Some(c + o.saturating_sub(1)),
                (c, _) => c,
            },
            byte: match (self.byte, origin.byte) {
                (Some(b), Some(o)) => Some(b + o),
                (b, _) => b,
            },
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            parts.push(format!("column {column}"));
        }
        if let Some(byte) = self.byte {
            parts.push(format!("byte {byte}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub source: Option<SourceId>,
    pub at: Option<Location>,
    pub message: String,
}

/// How many examples of one kind of warning are kept per source.
pub const EXAMPLES_PER_KIND: usize = 5;

/// Warnings of one kind from one source: a count and the first examples.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WarningGroup {
    pub count: u64,
    pub examples: Vec<(Option<Location>, String)>,
}

/// Counts warnings per (source, kind) and keeps a few examples of each, so a
/// file with a million orphans costs a counter, not a million messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WarningLog {
    groups: std::collections::BTreeMap<(Option<SourceId>, WarningKind), WarningGroup>,
}

impl WarningLog {
    /// Records a warning; `message` is only called while examples are wanted.
    pub fn add(
        &mut self,
        source: Option<SourceId>,
        kind: WarningKind,
        at: Option<Location>,
        message: impl FnOnce() -> String,
    ) {
        let group = self.groups.entry((source, kind)).or_default();
        group.count += 1;
        if group.examples.len() < EXAMPLES_PER_KIND {
            group.examples.push((at, message()));
        }
    }

    pub fn push(&mut self, w: Warning) {
        self.add(w.source, w.kind, w.at, || w.message);
    }

    pub fn total(&self) -> u64 {
        self.groups.values().map(|g| g.count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Groups in a stable order: by source, then kind.
    pub fn groups(&self) -> impl Iterator<Item = (Option<SourceId>, WarningKind, &WarningGroup)> {
        self.groups.iter().map(|((s, k), g)| (*s, *k, g))
    }

    pub fn for_source(
        &self,
        source: SourceId,
    ) -> impl Iterator<Item = (WarningKind, &WarningGroup)> {
        self.groups
            .iter()
            .filter(move |((s, _), _)| *s == Some(source))
            .map(|((_, k), g)| (*k, g))
    }

    pub fn count(&self, kind: WarningKind) -> u64 {
        self.groups
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .map(|(_, g)| g.count)
            .sum()
    }
}
