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
use std::sync::Arc;

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
        });
        self.sources.push((name.to_string(), format, bytes));
        id
    }

    pub fn end_source(&mut self) {
        self.current = None;
    }

    pub fn current_source(&self) -> Option<SourceId> {
        self.current.as_ref().map(|c| c.id)
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
        if let Some(cur) = &self.current {
            if ptr >= cur.base
                && ptr + s.len() <= cur.base + cur.len
                && s.len() <= u32::MAX as usize
            {
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
        self.warnings.add(source, kind, at, || message.into());
    }

    /// Like [`Self::warn`], building the message only if it will be kept.
    pub fn warn_with(
        &mut self,
        kind: WarningKind,
        at: Option<Location>,
        message: impl FnOnce() -> String,
    ) {
        let source = self.current_source();
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

    /// Adds the span. Spans without ids are skipped, and a repeated
    /// (trace id, span id) keeps the first occurrence; both are warnings.
    pub fn commit_span(&mut self, mut draft: SpanDraft, at: Option<Location>) -> bool {
        let trace = canonical_id(&draft.trace_id, IdKind::Trace);
        let span = canonical_id(&draft.span_id, IdKind::Span);
        let (Some(trace), Some(span)) = (trace, span) else {
            let name = self.strings.resolve(draft.name).to_string();
            self.warn(
                WarningKind::MissingId,
                at,
                format!("span {name:?} has no trace id or span id"),
            );
            self.abandon_span();
            return false;
        };
        let trace = self.ids.intern(&trace);
        let span = self.ids.intern(&span);
        let row = self.rows.len() as u32;
        if self.seen.contains_key(&(trace, span)) {
            let msg = format!(
                "span {} of trace {} appears again; the first copy was kept",
                self.ids.resolve(span),
                self.ids.resolve(trace)
            );
            self.warn(WarningKind::DuplicateSpan, at, msg);
            self.abandon_span();
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
            source,
            order: row,
        });
        self.span_mark = (self.attrs.len(), self.events.len());
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
        finish(self)
    }
}

fn finish(mut b: StoreBuilder) -> (Store, WarningLog) {
    // Traces in first-seen order; spans grouped by trace, then by start time.
    let mut trace_of: HashMap<Sym, u32> = HashMap::default();
    let mut trace_ids: Vec<Sym> = Vec::new();
    for row in &b.rows {
        trace_of.entry(row.trace).or_insert_with(|| {
            trace_ids.push(row.trace);
            (trace_ids.len() - 1) as u32
        });
    }
    for (trace, _, _) in &b.trace_meta {
        trace_of.entry(*trace).or_insert_with(|| {
            trace_ids.push(*trace);
            (trace_ids.len() - 1) as u32
        });
    }
    let mut rows = std::mem::take(&mut b.rows);
    rows.sort_by_key(|r| (trace_of[&r.trace], r.draft.start_nanos, r.order));
    let n = rows.len();

    // New row index of each original row, for events.
    let mut new_index = vec![0u32; n];
    for (i, row) in rows.iter().enumerate() {
        new_index[row.order as usize] = i as u32;
    }
    let mut by_id: HashMap<(Sym, Sym), u32> =
        HashMap::with_capacity_and_hasher(n, Default::default());
    for (i, row) in rows.iter().enumerate() {
        by_id.insert((row.trace, row.span), i as u32);
    }

    let mut spans = SpanColumns::default();
    let mut attrs = AttrColumns::default();
    let mut span_start = vec![0u32; trace_ids.len() + 1];
    for row in &rows {
        span_start[trace_of[&row.trace] as usize + 1] += 1;
    }
    for t in 0..trace_ids.len() {
        span_start[t + 1] += span_start[t];
    }
    let mut orphans = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let d = &row.draft;
        spans.trace.push(TraceIdx(trace_of[&row.trace]));
        spans.span_id.push(row.span);
        let parent = if row.parent.is_empty() {
            NONE
        } else {
            match by_id.get(&(row.trace, row.parent)) {
                Some(&p) if p as usize != i => p,
                _ => {
                    orphans.push(i);
                    NONE
                }
            }
        };
        spans.parent.push(parent);
        spans.parent_id.push(row.parent);
        spans.name.push(d.name);
        spans.kind.push(d.kind);
        spans.status.push(d.status);
        spans.status_message.push(d.status_message);
        spans.start_nanos.push(d.start_nanos);
        spans.end_nanos.push(d.end_nanos);
        spans.service.push(d.service);
        spans.model.push(d.model);
        spans.provider.push(d.provider);
        spans.tokens.push(d.tokens);
        spans.cost_usd.push(d.cost_usd.unwrap_or(f64::NAN));
        spans.input.push(d.input);
        spans.output.push(d.output);
        spans.resource.push(d.resource);
        spans.source.push(row.source);
        spans.attr_start.push(attrs.len() as u32);
        for a in row.attrs.0..row.attrs.1 {
            attrs.push(b.attrs.key[a as usize], b.attrs.value[a as usize]);
        }
    }
    spans.attr_start.push(attrs.len() as u32);

    let mut warnings = std::mem::take(&mut b.warnings);
    for &i in &orphans {
        let row = &rows[i];
        warnings.add(Some(row.source), WarningKind::OrphanParent, None, || {
            format!(
                "span {} names parent {}, which is not loaded; shown as a root",
                b.ids.resolve(row.span),
                b.ids.resolve(row.parent)
            )
        });
    }
    cut_cycles(&mut spans, &b.ids, &mut warnings);
    spans.is_lm_call = mark_lm_calls(&spans.kind, &spans.parent);
    note_clock_skew(&spans, &b.ids, &mut warnings);

    // Events, ordered by span then time.
    let mut events: Vec<&EventRow> = b.events.iter().collect();
    events.sort_by_key(|e| {
        (
            new_index.get(e.row as usize).copied().unwrap_or(0),
            e.time_nanos,
        )
    });
    let mut ev = EventColumns::default();
    for e in events {
        let Some(&span) = new_index.get(e.row as usize) else {
            continue;
        };
        ev.span.push(SpanIdx(span));
        ev.name.push(e.name);
        ev.time_nanos.push(e.time_nanos);
        ev.attr_start.push(ev.attrs.len() as u32);
        for a in e.attrs.0..e.attrs.1 {
            ev.attrs.push(
                b.event_attrs.key[a as usize],
                b.event_attrs.value[a as usize],
            );
        }
    }
    ev.attr_start.push(ev.attrs.len() as u32);

    // Trace metadata, grouped by trace in first-seen order of keys.
    let mut meta = std::mem::take(&mut b.trace_meta);
    meta.sort_by_key(|(trace, _, _)| trace_of[trace]);
    let mut traces = TraceColumns {
        trace_id: trace_ids,
        span_start,
        meta_start: Vec::new(),
        meta: AttrColumns::default(),
    };
    let mut m = 0;
    for t in 0..traces.trace_id.len() {
        traces.meta_start.push(traces.meta.len() as u32);
        // The same trace loaded from two files repeats its metadata: keep the first.
        let mut keys = std::collections::HashSet::new();
        while m < meta.len() && trace_of[&meta[m].0] as usize == t {
            if keys.insert(meta[m].1) {
                traces.meta.push(meta[m].1, meta[m].2);
            }
            m += 1;
        }
    }
    traces.meta_start.push(traces.meta.len() as u32);

    let mut sources: Vec<Source> = b
        .sources
        .into_iter()
        .map(|(name, format, bytes)| Source {
            name,
            format,
            bytes: Arc::try_unwrap(bytes).unwrap_or_else(|shared| (*shared).clone()),
        })
        .collect();
    if let Some(arena) = sources.first_mut() {
        arena.bytes = b.arena;
    }
    let store = Store {
        sources,
        strings: b.strings,
        ids: b.ids,
        spans,
        attrs,
        events: ev,
        resource_start: b.resource_start,
        resource_attrs: b.resource_attrs,
        traces,
    };
    (store, warnings)
}

/// Follows parent links from every span; a span whose chain comes back to a
/// span on the current path has its parent link cut.
fn cut_cycles(spans: &mut SpanColumns, ids: &Interner, warnings: &mut WarningLog) {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = spans.parent.len();
    let mut state = vec![UNSEEN; n];
    let mut path = Vec::new();
    for start in 0..n {
        let mut i = start;
        while state[i] == UNSEEN {
            state[i] = ON_PATH;
            path.push(i);
            let p = spans.parent[i];
            if p == NONE {
                break;
            }
            if state[p as usize] == ON_PATH {
                warnings.add(
                    Some(spans.source[i]),
                    WarningKind::ParentCycle,
                    None,
                    || {
                        format!(
                            "parent links of span {} loop back to it; it is shown as a root",
                            ids.resolve(spans.span_id[i])
                        )
                    },
                );
                spans.parent[i] = NONE;
                break;
            }
            i = p as usize;
        }
        for &j in &path {
            state[j] = DONE;
        }
        path.clear();
    }
}

/// An LM call is an LLM-kind span with no LLM-kind descendant, so wrappers
/// (`Predict.forward` → `LM.__call__` → `completion`) count once.
fn mark_lm_calls(kind: &[SpanKind], parent: &[u32]) -> Vec<bool> {
    let n = kind.len();
    let mut has_llm_below = vec![false; n];
    for i in 0..n {
        if kind[i] != SpanKind::Llm {
            continue;
        }
        // Walk up, marking ancestors; stop where an earlier walk already went.
        let mut p = parent[i];
        let mut steps = 0;
        while p != NONE && steps < n {
            let pi = p as usize;
            if has_llm_below[pi] {
                break;
            }
            has_llm_below[pi] = true;
            p = parent[pi];
            steps += 1;
        }
    }
    (0..n)
        .map(|i| kind[i] == SpanKind::Llm && !has_llm_below[i])
        .collect()
}

fn note_clock_skew(spans: &SpanColumns, ids: &Interner, warnings: &mut WarningLog) {
    for i in 0..spans.parent.len() {
        let p = spans.parent[i];
        if p == NONE {
            continue;
        }
        let p = p as usize;
        let early = spans.start_nanos[p] - spans.start_nanos[i];
        let late = spans.end_nanos[i] - spans.end_nanos[p];
        if early > 0 || late > 0 {
            warnings.add(Some(spans.source[i]), WarningKind::ClockSkew, None, || {
                format!(
                    "span {} runs outside its parent {} by {} ns; clocks may differ",
                    ids.resolve(spans.span_id[i]),
                    ids.resolve(spans.span_id[p]),
                    early.max(late)
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(
        b: &mut StoreBuilder,
        trace: &str,
        id: &str,
        parent: &str,
        kind: SpanKind,
        start: i64,
    ) -> bool {
        b.begin_span();
        let mut d = SpanDraft::new();
        d.trace_id = trace.into();
        d.span_id = id.into();
        d.parent_id = parent.into();
        d.kind = kind;
        d.start_nanos = start;
        d.end_nanos = start + 10;
        b.commit_span(d, None)
    }

    #[test]
    fn lm_calls_are_innermost_llm_spans() {
        let mut b = StoreBuilder::new();
        span(&mut b, "t1", "a", "", SpanKind::Chain, 0);
        span(&mut b, "t1", "b", "a", SpanKind::Llm, 1);
        span(&mut b, "t1", "c", "b", SpanKind::Llm, 2);
        span(&mut b, "t1", "d", "a", SpanKind::Llm, 3);
        let (store, _) = b.finish();
        assert_eq!(store.spans.is_lm_call, vec![false, false, true, true]);
    }

    #[test]
    fn duplicates_orphans_and_cycles_are_warnings() {
        let mut b = StoreBuilder::new();
        assert!(span(&mut b, "t1", "a", "", SpanKind::Chain, 0));
        assert!(!span(&mut b, "t1", "a", "", SpanKind::Chain, 0));
        span(&mut b, "t1", "b", "zz", SpanKind::Chain, 1);
        span(&mut b, "t2", "c", "d", SpanKind::Chain, 0);
        span(&mut b, "t2", "d", "c", SpanKind::Chain, 1);
        let (store, warnings) = b.finish();
        assert_eq!(warnings.count(WarningKind::DuplicateSpan), 1);
        assert_eq!(warnings.count(WarningKind::OrphanParent), 1);
        assert_eq!(warnings.count(WarningKind::ParentCycle), 1);
        assert_eq!(store.span_count(), 4);
        assert_eq!(store.trace_count(), 2);
        // The cycle is cut: at least one span of t2 is a root.
        assert!(store.spans.parent[2] == NONE || store.spans.parent[3] == NONE);
    }

    #[test]
    fn text_inside_the_source_is_a_range() {
        let bytes = Arc::new(b"hello world".to_vec());
        let mut b = StoreBuilder::new();
        b.begin_source("f", "test", Arc::clone(&bytes));
        let s = std::str::from_utf8(&bytes[6..]).unwrap_or_default();
        let inside = b.text(s, TextEncoding::Plain);
        let outside = b.text("copied", TextEncoding::Plain);
        b.end_source();
        let (store, _) = b.finish();
        assert_eq!(
            (inside.source, inside.start, inside.len),
            (SourceId(1), 6, 5)
        );
        assert_eq!(outside.source, SourceId(0));
        assert_eq!(store.text(inside), "world");
        assert_eq!(store.text(outside), "copied");
    }
}
