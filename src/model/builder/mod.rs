//! The only way to fill a [`Store`]: formats describe spans through this
//! builder, which interns strings, records payload byte ranges, drops
//! duplicates, resolves parents, cuts cycles and marks LM calls.
//!
//! Formats never touch store columns directly and never build index
//! structures; everything they report that is odd becomes a [`Warning`](super::warning::Warning).

use super::ids::{canonical_id, IdKind, Interner, SpanIdx, Sym, TraceIdx};
use super::kind::{SpanKind, StatusCode};
use super::store::{
    AttrColumns, AttrValue, EventColumns, Source, SpanColumns, Store, TokenCounts, TraceColumns,
    NONE,
};
use super::text::{SourceId, TextEncoding, TextRef};
use super::warning::{Location, WarningKind, WarningLog};
use foldhash::HashMap;
use std::borrow::Cow;
use std::sync::Arc;

mod finish;

/// Name of source 0, which holds text that did not come from a file
/// (unescaped copies, values synthesised by a format).
pub const ARENA_SOURCE_NAME: &str = "(decoded text)";

/// Everything a format knows about one span. Ids are wire ids as written in
/// the file (any of hex, base64, `tr-…`, UUID); the builder canonicalises them.
#[derive(Clone, Debug, Default)]
pub struct SpanDraft {
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent_id: String,
    pub name: Sym,
    pub kind: SpanKind,
    pub status: StatusCode,
    pub status_message: Option<TextRef>,
    pub start_nanos: i64,
    pub end_nanos: i64,
    pub service: Sym,
    pub model: Sym,
    pub provider: Sym,
    pub tokens: TokenCounts,
    pub cost_usd: Option<f64>,
    pub input: Option<TextRef>,
    pub output: Option<TextRef>,
    /// Resource row from [`StoreBuilder::end_resource`], or [`NONE`].
    pub resource: u32,
}

impl SpanDraft {
    pub fn new() -> SpanDraft {
        SpanDraft {
            resource: NONE,
            ..SpanDraft::default()
        }
    }
}

#[derive(Debug)]
struct Row {
    trace: Sym,
    span: Sym,
    parent: Sym,
    draft: SpanDraft,
    attrs: (u32, u32),
    /// Attributes of later copies of the same span (rare; an empty Vec
    /// does not allocate).
    more_attrs: Vec<(u32, u32)>,
    source: SourceId,
    order: u32,
}

#[derive(Debug)]
struct EventRow {
    row: u32,
    name: Sym,
    time_nanos: i64,
    attrs: (u32, u32),
}

#[derive(Debug)]
struct Current {
    id: SourceId,
    base: usize,
    len: usize,
    /// Furthest byte of the source a recorded text reached: how far the
    /// parser has read, for progress bars.
    read: usize,
}

/// How far loading has got, for progress bars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// Sources begun so far (the file being read is the last of them).
    pub sources: u32,
    pub spans: u64,
    /// Bytes of the current source read so far, of `source_len`.
    pub source_read: u64,
    pub source_len: u64,
    /// Parsing is over; the store and index are being built.
    pub finishing: bool,
}

impl Progress {
    /// How far through the current source, 0.0–1.0 (for a progress bar).
    pub fn fraction(&self) -> f64 {
        if self.finishing {
            1.0
        } else if self.source_len == 0 {
            0.0
        } else {
            (self.source_read as f64 / self.source_len as f64).clamp(0.0, 1.0)
        }
    }
}

/// Spans between two progress reports: often enough for a smooth bar,
/// rare enough to cost nothing (one branch per span).
const PROGRESS_EVERY: usize = 2048;

/// Receives [`Progress`] while a builder fills.
pub struct ProgressHook(Box<dyn FnMut(Progress)>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

#[derive(Debug)]
pub struct StoreBuilder {
    strings: Interner,
    ids: Interner,
    sources: Vec<(String, &'static str, Arc<Vec<u8>>)>,
    arena: Vec<u8>,
    current: Option<Current>,
    rows: Vec<Row>,
    attrs: AttrColumns,
    events: Vec<EventRow>,
    event_attrs: AttrColumns,
    resource_start: Vec<u32>,
    resource_attrs: AttrColumns,
    trace_meta: Vec<(Sym, Sym, AttrValue)>,
    seen: HashMap<(Sym, Sym), u32>,
    span_mark: (usize, usize),
    warnings: WarningLog,
    progress: Option<ProgressHook>,
    /// Where the document being parsed starts in its file (a wrapped
    /// document), so warnings name places in the file.
    origin: Option<Location>,
}

impl Default for StoreBuilder {
    fn default() -> Self {
        StoreBuilder::new()
    }
}

impl StoreBuilder {
    pub fn new() -> StoreBuilder {
        StoreBuilder {
            strings: Interner::default(),
            ids: Interner::default(),
            sources: vec![(ARENA_SOURCE_NAME.to_string(), "", Arc::new(Vec::new()))],
            arena: Vec::new(),
            current: None,
            rows: Vec::new(),
            attrs: AttrColumns::default(),
            events: Vec::new(),
            event_attrs: AttrColumns::default(),
            resource_start: vec![0],
            resource_attrs: AttrColumns::default(),
            trace_meta: Vec::new(),
            seen: HashMap::default(),
            span_mark: (0, 0),
            warnings: WarningLog::default(),
            progress: None,
            origin: None,
        }
    }

    /// Starts a source: text slices that point into `bytes` are recorded as
    /// ranges instead of copies. At most 65,535 sources per session.
    pub fn begin_source(
        &mut self,
        name: &str,
        format: &'static str,
        bytes: Arc<Vec<u8>>,
    ) -> SourceId {
        let id = SourceId(self.sources.len().min(u16::MAX as usize) as u16);
        self.current = Some(Current {
            id,
            base: bytes.as_ptr() as usize,
            len: bytes.len(),
            read: 0,
        });
        self.sources.push((name.to_string(), format, bytes));
        id
    }

    pub fn end_source(&mut self) {
        self.current = None;
        self.origin = None;
    }

    /// The document parsed next starts at `origin` in the current file
    /// (`None`: at its start). Locations of later warnings are shifted.
    pub fn set_origin(&mut self, origin: Option<Location>) {
        self.origin = origin;
    }

    /// The bytes of the current source (formats that decode in place, such
    /// as protobuf, share them instead of copying).
    pub fn current_bytes(&self) -> Option<Arc<Vec<u8>>> {
        let current = self.current.as_ref()?;
        self.sources
            .get(current.id.0 as usize)
            .map(|(_, _, bytes)| Arc::clone(bytes))
    }

    pub fn current_source(&self) -> Option<SourceId> {
        self.current.as_ref().map(|c| c.id)
    }

    /// Calls `hook` every few thousand spans, and on [`Self::report_progress`].
    pub fn on_progress(&mut self, hook: impl FnMut(Progress) + 'static) {
        self.progress = Some(ProgressHook(Box::new(hook)));
    }

    pub fn progress(&self) -> Progress {
        let (read, len) = self.current.as_ref().map_or((0, 0), |c| (c.read, c.len));
        Progress {
            sources: (self.sources.len() - 1) as u32,
            spans: self.rows.len() as u64,
            source_read: read as u64,
            source_len: len as u64,
            finishing: false,
        }
    }

    /// Sends the current progress to the hook, if there is one.
    pub fn report_progress(&mut self, finishing: bool) {
        let now = Progress {
            finishing,
            ..self.progress()
        };
        if let Some(ProgressHook(hook)) = &mut self.progress {
            hook(now);
        }
    }

    pub fn span_count(&self) -> usize {
        self.rows.len()
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    /// Records text: a range when `s` lies inside the current source, else a
    /// copy in the arena.
    pub fn text(&mut self, s: &str, encoding: TextEncoding) -> TextRef {
        self.text_bytes(s.as_bytes(), encoding)
    }

    pub fn text_bytes(&mut self, s: &[u8], encoding: TextEncoding) -> TextRef {
        let ptr = s.as_ptr() as usize;
        if let Some(cur) = &mut self.current {
            if ptr >= cur.base
                && ptr + s.len() <= cur.base + cur.len
                && s.len() <= u32::MAX as usize
            {
                cur.read = cur.read.max(ptr + s.len() - cur.base);
                return TextRef {
                    source: cur.id,
                    encoding,
                    start: (ptr - cur.base) as u32,
                    len: s.len() as u32,
                };
            }
        }
        self.owned_text(s, encoding)
    }

    /// Copies text into the arena (for text a format had to build itself).
    pub fn owned_text(&mut self, s: &[u8], encoding: TextEncoding) -> TextRef {
        let start = self.arena.len();
        self.arena.extend_from_slice(s);
        TextRef {
            source: SourceId(0),
            encoding,
            start: start.min(u32::MAX as usize) as u32,
            len: s.len().min(u32::MAX as usize) as u32,
        }
    }

    pub fn warn(&mut self, kind: WarningKind, at: Option<Location>, message: impl Into<String>) {
        let source = self.current_source();
        let at = self.in_file(at);
        self.warnings.add(source, kind, at, || message.into());
    }

    fn in_file(&self, at: Option<Location>) -> Option<Location> {
        match (at, self.origin) {
            (Some(at), Some(origin)) => Some(at.within(origin)),
            (None, Some(origin)) => Some(origin),
            (at, None) => at,
        }
    }

    /// Warnings recorded so far for the current source.
    pub fn warning_count_here(&self) -> u64 {
        match self.current_source() {
            Some(source) => self.warnings.for_source(source).map(|(_, g)| g.count).sum(),
            None => 0,
        }
    }

    /// Trace metadata entries recorded so far (formats such as score files
    /// load metadata and no spans).
    pub fn trace_meta_count(&self) -> usize {
        self.trace_meta.len()
    }

    /// Like [`Self::warn`], building the message only if it will be kept.
    pub fn warn_with(
        &mut self,
        kind: WarningKind,
        at: Option<Location>,
        message: impl FnOnce() -> String,
    ) {
        let source = self.current_source();
        let at = self.in_file(at);
        self.warnings.add(source, kind, at, message);
    }

    // --- resources -------------------------------------------------------

    pub fn resource_attr(&mut self, key: &str, value: AttrValue) {
        let key = self.strings.intern(key);
        self.resource_attrs.push(key, value);
    }

    /// Closes the resource whose attributes were added since the last call.
    pub fn end_resource(&mut self) -> u32 {
        self.resource_start.push(self.resource_attrs.len() as u32);
        (self.resource_start.len() - 2) as u32
    }

    // --- spans -----------------------------------------------------------

    /// Marks the start of a span's attributes and events.
    pub fn begin_span(&mut self) {
        self.span_mark = (self.attrs.len(), self.events.len());
    }

    pub fn attr(&mut self, key: &str, value: AttrValue) {
        let key = self.strings.intern(key);
        self.attrs.push(key, value);
    }

    pub fn event(&mut self, name: &str, time_nanos: i64) {
        let name = self.strings.intern(name);
        let at = self.event_attrs.len() as u32;
        self.events.push(EventRow {
            row: self.rows.len() as u32,
            name,
            time_nanos,
            attrs: (at, at),
        });
    }

    /// Adds an attribute to the last event of the current span.
    pub fn event_attr(&mut self, key: &str, value: AttrValue) {
        let key = self.strings.intern(key);
        self.event_attrs.push(key, value);
        if let Some(ev) = self.events.last_mut() {
            ev.attrs.1 = self.event_attrs.len() as u32;
        }
    }

    /// Drops the attributes and events recorded since [`Self::begin_span`].
    pub fn abandon_span(&mut self) {
        self.attrs.truncate(self.span_mark.0);
        self.events.truncate(self.span_mark.1);
    }

    /// Adds the span. Spans without ids are skipped (a warning). A repeated
    /// (trace id, span id) is merged into the first copy (a warning): Zipkin
    /// writes a shared client/server span twice, one half often nameless and
    /// instantaneous, and the error flag may sit on either half.
    pub fn commit_span(&mut self, mut draft: SpanDraft, at: Option<Location>) -> bool {
        let trace = canonical_id(&draft.trace_id, IdKind::Trace);
        let span = canonical_id(&draft.span_id, IdKind::Span);
        let (trace, span) = match (trace, span) {
            (Some(t), Some(s)) => (t, s),
            (trace, span) => {
                // Present but all zeros: invalid in OpenTelemetry, yet written
                // by real SDK integrations. Keep the span (with its LM call
                // and tokens) under a made-up id, and say so.
                let zero_trace = trace.is_none() && !draft.trace_id.trim().is_empty();
                let zero_span = span.is_none() && !draft.span_id.trim().is_empty();
                let name = self.strings.resolve(draft.name).to_string();
                if (trace.is_none() && !zero_trace) || (span.is_none() && !zero_span) {
                    let missing =
                        match (trace.is_none() && !zero_trace, span.is_none() && !zero_span) {
                            (true, true) => "no trace id and no span id",
                            (true, false) => "no trace id",
                            _ => "no span id",
                        };
                    self.warn(
                        WarningKind::MissingId,
                        at,
                        format!("span {name:?} has {missing}; skipped"),
                    );
                    self.abandon_span();
                    return false;
                }
                let source = self.current_source().unwrap_or_default().0;
                let trace = trace.unwrap_or_else(|| Cow::Owned(format!("zero-trace-{source}")));
                let span = span.unwrap_or_else(|| {
                    Cow::Owned(format!("zero-span-{source}-{}", self.rows.len() + 1))
                });
                let which = match (zero_trace, zero_span) {
                    (true, true) => "trace id and span id are",
                    (true, false) => "trace id is",
                    _ => "span id is",
                };
                self.warn(
                    WarningKind::ZeroId,
                    at,
                    format!(
                        "span {name:?}: its {which} all zeros (invalid in OpenTelemetry); \
                         kept as span {span} of trace {trace}"
                    ),
                );
                (trace, span)
            }
        };
        let trace = self.ids.intern(&trace);
        let span = self.ids.intern(&span);
        let row = self.rows.len() as u32;
        if let Some(&first) = self.seen.get(&(trace, span)) {
            let msg = format!(
                "span {} of trace {} appears twice; the copies were merged",
                self.ids.resolve(span),
                self.ids.resolve(trace)
            );
            self.warn(WarningKind::DuplicateSpan, at, msg);
            let parent = canonical_id(&draft.parent_id, IdKind::Span)
                .map_or(Sym::EMPTY, |p| self.ids.intern(&p));
            let attrs = (self.span_mark.0 as u32, self.attrs.len() as u32);
            // Events of this copy belong to the first copy's row.
            for event in &mut self.events[self.span_mark.1..] {
                event.row = first;
            }
            if let Some(row) = self.rows.get_mut(first as usize) {
                merge_copy(row, draft, parent, attrs);
            }
            self.span_mark = (self.attrs.len(), self.events.len());
            return false;
        }
        self.seen.insert((trace, span), row);
        let parent = canonical_id(&draft.parent_id, IdKind::Span)
            .map_or(Sym::EMPTY, |p| self.ids.intern(&p));
        if draft.end_nanos < draft.start_nanos {
            let msg = format!(
                "span {} ends {} ns before it starts; shown with zero duration",
                self.ids.resolve(span),
                draft.start_nanos - draft.end_nanos
            );
            self.warn(WarningKind::NegativeDuration, at, msg);
            draft.end_nanos = draft.start_nanos;
        }
        let source = self.current_source().unwrap_or_default();
        self.rows.push(Row {
            trace,
            span,
            parent,
            draft,
            attrs: (self.span_mark.0 as u32, self.attrs.len() as u32),
            more_attrs: Vec::new(),
            source,
            order: row,
        });
        self.span_mark = (self.attrs.len(), self.events.len());
        if self.rows.len().is_multiple_of(PROGRESS_EVERY) && self.progress.is_some() {
            self.report_progress(false);
        }
        true
    }

    /// Attaches a key/value to a trace (MLflow trace info, Langfuse scores…).
    pub fn trace_meta(&mut self, trace_id: &str, key: &str, value: AttrValue) {
        let Some(trace) = canonical_id(trace_id, IdKind::Trace) else {
            return;
        };
        let trace = self.ids.intern(&trace);
        let key = self.strings.intern(key);
        self.trace_meta.push((trace, key, value));
    }

    /// Orders rows, resolves parents, cuts cycles and marks LM calls.
    pub fn finish(self) -> (Store, WarningLog) {
        finish::finish(self)
    }
}

/// Fills what the first copy of a span lacks from a later copy: name,
/// parent, times (when the first is instantaneous), kind, service, model,
/// tokens, cost, payloads; an error on either copy marks the span.
fn merge_copy(row: &mut Row, d: SpanDraft, parent: Sym, attrs: (u32, u32)) {
    let r = &mut row.draft;
    if r.name.is_empty() {
        r.name = d.name;
    }
    if row.parent.is_empty() {
        row.parent = parent;
    }
    if r.end_nanos == r.start_nanos && d.end_nanos > d.start_nanos {
        r.start_nanos = d.start_nanos;
        r.end_nanos = d.end_nanos;
    }
    if r.kind == SpanKind::Unknown {
        r.kind = d.kind;
    }
    if d.status == StatusCode::Error || r.status == StatusCode::Unset {
        r.status = r.status.max(d.status);
    }
    r.status_message = r.status_message.or(d.status_message);
    for (mine, theirs) in [
        (&mut r.service, d.service),
        (&mut r.model, d.model),
        (&mut r.provider, d.provider),
    ] {
        if mine.is_empty() {
            *mine = theirs;
        }
    }
    if r.tokens.is_empty() {
        r.tokens = d.tokens;
    }
    r.cost_usd = r.cost_usd.or(d.cost_usd);
    r.input = r.input.or(d.input);
    r.output = r.output.or(d.output);
    if r.resource == NONE {
        r.resource = d.resource;
    }
    if attrs.1 > attrs.0 {
        row.more_attrs.push(attrs);
    }
}

#[cfg(test)]
mod tests;
