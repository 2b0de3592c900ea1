//! App state and the one reducer every user action goes through. Pure: no
//! browser types, so it is tested natively. Keyboard keys arrive here as
//! intents (`Move`, `Open`, `Back`), not as key codes.

use crate::analysis::prices::{Price, PriceTable};
use crate::analysis::trace_table::{trace_table, SortKey, TraceTable};
use crate::analysis::tree_rows::tree_rows;
use crate::load::{Session, Stage};
use crate::model::{SpanIdx, TraceIdx};
use crate::permalink::ViewState;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loading {
    /// What is being opened, for the progress line.
    pub what: String,
    pub stage: Stage,
}

/// Tabs of the span detail pane (their names are the `tab=` URL values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetailTab {
    #[default]
    Overview,
    Lm,
    Io,
    Retrieval,
    Attributes,
    Events,
}

impl DetailTab {
    pub const ALL: [DetailTab; 6] = [
        DetailTab::Overview,
        DetailTab::Lm,
        DetailTab::Io,
        DetailTab::Retrieval,
        DetailTab::Attributes,
        DetailTab::Events,
    ];

    pub fn id(self) -> &'static str {
        match self {
            DetailTab::Overview => "overview",
            DetailTab::Lm => "lm",
            DetailTab::Io => "io",
            DetailTab::Retrieval => "retrieval",
            DetailTab::Attributes => "attributes",
            DetailTab::Events => "events",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DetailTab::Overview => "Overview",
            DetailTab::Lm => "LM call",
            DetailTab::Io => "Input / output",
            DetailTab::Retrieval => "Retrieval",
            DetailTab::Attributes => "Attributes",
            DetailTab::Events => "Events",
        }
    }

    pub fn from_id(id: &str) -> Option<DetailTab> {
        DetailTab::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// The main view (its id is the `view=` URL value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MainView {
    #[default]
    Traces,
    Steps,
    LmCalls,
    Report,
}

impl MainView {
    pub const ALL: [MainView; 4] = [
        MainView::Traces,
        MainView::Steps,
        MainView::LmCalls,
        MainView::Report,
    ];

    pub fn id(self) -> &'static str {
        match self {
            MainView::Traces => "traces",
            MainView::Steps => "steps",
            MainView::LmCalls => "lm-calls",
            MainView::Report => "report",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MainView::Traces => "Traces",
            MainView::Steps => "Steps",
            MainView::LmCalls => "LM calls",
            MainView::Report => "Import report",
        }
    }

    pub fn from_id(id: &str) -> Option<MainView> {
        MainView::ALL.into_iter().find(|v| v.id() == id)
    }
}

/// Which list the keyboard moves in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Traces,
    Spans,
}

#[derive(Debug, Default)]
pub struct AppState {
    pub session: Option<Rc<Session>>,
    pub loading: Option<Loading>,
    /// Messages for the error banner, newest last.
    pub errors: Vec<String>,
    pub trace: Option<TraceIdx>,
    pub span: Option<SpanIdx>,
    pub tab: DetailTab,
    pub pane: Pane,
    /// Spans whose subtree is hidden in the tree.
    pub collapsed: BTreeSet<u32>,
    pub show_help: bool,
    /// The `#url=` the session on screen came from, kept in links.
    pub source_url: Option<String>,
    /// The `#url=` being loaded, or one that failed while nothing was on
    /// screen (kept so that reloading retries it); `None` for files.
    pub requested_url: Option<String>,
    /// A view state waiting for its session (a link opened before loading).
    pub pending: Option<ViewState>,
    /// Filter text (the filter language) and the trace list's sort.
    pub filter: String,
    pub view: MainView,
    pub sort: SortKey,
    pub descending: bool,
    /// The trace list for the current session, filter and sort.
    pub table: Rc<TraceTable>,
    /// Model prices for costs the file does not report, with the user's
    /// what-if overrides.
    pub prices: Rc<PriceTable>,
}

#[derive(Debug)]
pub enum Action {
    LoadStarted(String),
    LoadProgress(Stage),
    /// The user stopped the load; the previous session (if any) stays.
    LoadCancelled,
    /// Files were read and parsed. A session in which nothing loaded keeps
    /// the previous one on screen; its errors go to the banner either way.
    Loaded(Rc<Session>),
    LoadFailed(String),
    /// Something to know about the files just loaded (a redirect).
    LoadNote(String),
    DismissErrors,
    SelectTrace(Option<TraceIdx>),
    SelectSpan(Option<SpanIdx>),
    SetTab(DetailTab),
    ToggleCollapsed(SpanIdx),
    /// j/k or arrows: move the selection in the focused list.
    Move(i32),
    /// Enter: from the trace list into its span tree; on an LM span, its LM tab.
    Open,
    /// Esc: close help, or step back from span to trace to list.
    Back,
    ToggleHelp,
    /// The URL hash changed (a link was opened, or back/forward).
    Navigate(ViewState),
    /// A load starts from this `#url=`, or (`None`) from files.
    SetSourceUrl(Option<String>),
    SetFilter(String),
    SetView(MainView),
    /// What-if: price a model (USD per million tokens).
    SetPrice(String, Price),
    ClearPrices,
    /// Opens a span in the trace view (from the LM-call table).
    OpenSpan(TraceIdx, SpanIdx, DetailTab),
    /// Sort by a column; the same column again flips the direction.
    SetSort(SortKey),
}

impl AppState {
    fn clone_fields(&self) -> AppState {
        AppState {
            session: self.session.clone(),
            loading: self.loading.clone(),
            errors: self.errors.clone(),
            trace: self.trace,
            span: self.span,
            tab: self.tab,
            pane: self.pane,
            collapsed: self.collapsed.clone(),
            show_help: self.show_help,
            source_url: self.source_url.clone(),
            requested_url: self.requested_url.clone(),
            pending: self.pending.clone(),
            filter: self.filter.clone(),
            view: self.view,
            sort: self.sort,
            descending: self.descending,
            table: self.table.clone(),
            prices: self.prices.clone(),
        }
    }

    fn recompute_table(&mut self) {
        if let Some(session) = &self.session {
            self.table = Rc::new(trace_table(
                &session.store,
                &session.index,
                &self.filter,
                self.sort,
                self.descending,
            ));
        }
    }

    /// The view state to mirror into the URL hash.
    pub fn view_state(&self) -> ViewState {
        let session = self.session.as_deref();
        let trace = self
            .trace
            .zip(session)
            .map(|(t, s)| s.store.id(s.store.traces.trace_id[t.index()]).to_string());
        let span = self
            .span
            .zip(session)
            .map(|(sp, s)| s.store.id(s.store.spans.span_id[sp.index()]).to_string());
        // While a link loads, and after it failed with nothing on screen,
        // the link names it; otherwise the session on screen names its source.
        let url = (self.requested_url.clone())
            .filter(|_| self.loading.is_some() || self.session.is_none())
            .or_else(|| self.source_url.clone());
        // A view of local files names them: the link cannot open them.
        let files = match (&url, session) {
            (None, Some(s)) => s
                .report
                .files
                .iter()
                .filter(|f| f.error.is_none())
                .map(|f| f.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        ViewState {
            url,
            files,
            filter: Some(self.filter.clone()).filter(|f| !f.trim().is_empty()),
            view: Some(self.view.id().to_string()).filter(|_| self.view != MainView::Traces),
            trace,
            tab: span
                .as_ref()
                .filter(|_| self.tab != DetailTab::Overview)
                .map(|_| self.tab.id().to_string()),
            span,
        }
    }

    fn apply_view(&mut self, view: &ViewState) {
        let Some(session) = self.session.clone() else {
            self.pending = Some(view.clone());
            return;
        };
        let store = &session.store;
        self.trace = view.trace.as_deref().and_then(|id| {
            let sym = store.ids.get(id)?;
            store
                .traces
                .trace_id
                .iter()
                .position(|t| *t == sym)
                .map(|t| TraceIdx(t as u32))
        });
        self.span = match (self.trace, view.span.as_deref()) {
            (Some(trace), Some(id)) => store.ids.get(id).and_then(|sym| {
                store
                    .trace_spans(trace)
                    .find(|&i| store.spans.span_id[i] == sym)
                    .map(|i| SpanIdx(i as u32))
            }),
            _ => None,
        };
        self.tab = view
            .tab
            .as_deref()
            .and_then(DetailTab::from_id)
            .unwrap_or_default();
        self.pane = if self.span.is_some() {
            Pane::Spans
        } else {
            Pane::Traces
        };
        let filter = view.filter.clone().unwrap_or_default();
        if filter != self.filter || self.table.rows.is_empty() {
            self.filter = filter;
            self.recompute_table();
        }
    }

    /// The tab that shows what a span is about: an LM span's call, a
    /// retriever's documents; `None` for other kinds.
    fn about(&self, span: SpanIdx) -> Option<DetailTab> {
        let session = self.session.as_ref()?;
        match session.store.spans.kind.get(span.index())? {
            crate::model::SpanKind::Llm => Some(DetailTab::Lm),
            crate::model::SpanKind::Retriever => Some(DetailTab::Retrieval),
            _ => None,
        }
    }

    /// The tab after a click on a span: as Enter, what the span is about;
    /// for other spans the tab stays, unless it is about another kind.
    fn tab_for_click(&self, span: SpanIdx) -> DetailTab {
        match self.about(span) {
            Some(tab) => tab,
            None if matches!(self.tab, DetailTab::Lm | DetailTab::Retrieval) => DetailTab::Overview,
            None => self.tab,
        }
    }

    /// A load ended without a new session: a link that failed while a
    /// session is on screen no longer names anything.
    fn load_ended_empty(&mut self) {
        if self.session.is_some() {
            self.requested_url = None;
        }
    }

    fn move_selection(&mut self, delta: i32) {
        let Some(session) = self.session.clone() else {
            return;
        };
        match (self.pane, self.trace) {
            (Pane::Spans, Some(trace)) => {
                let rows = tree_rows(&session.store, &session.index, trace, &self.collapsed);
                let at = self
                    .span
                    .and_then(|s| rows.iter().position(|r| r.span == s));
                let next = step(at, delta, rows.len());
                self.span = next.map(|i| rows[i].span);
            }
            _ => {
                let order = &self.table.rows;
                let at = self.trace.and_then(|t| order.iter().position(|x| *x == t));
                if let Some(next) = step(at, delta, order.len()) {
                    self.trace = order.get(next).copied();
                    self.span = None;
                    self.collapsed.clear();
                }
            }
        }
    }
}

/// Moves an optional position by `delta` within `0..len`, clamping; from
/// nothing, a move selects the first row.
fn step(at: Option<usize>, delta: i32, len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    Some(match at {
        None => 0,
        Some(i) => (i as i64 + i64::from(delta)).clamp(0, len as i64 - 1) as usize,
    })
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = self.clone_fields();
        match action {
            Action::LoadStarted(what) => {
                next.loading = Some(Loading {
                    what,
                    stage: Stage::Starting,
                });
                next.errors.clear();
            }
            Action::LoadProgress(stage) => {
                if let Some(loading) = &mut next.loading {
                    loading.stage = stage;
                }
            }
            Action::LoadCancelled => {
                next.loading = None;
                next.requested_url = None;
            }
            Action::Loaded(session) => {
                next.loading = None;
                next.errors = session
                    .report
                    .failed()
                    .filter_map(|f| f.error.clone())
                    .collect();
                if session.store.span_count() > 0 || session.store.trace_count() > 0 {
                    next.session = Some(session);
                    next.source_url = next.requested_url.take();
                    next.trace = None;
                    next.span = None;
                    next.collapsed.clear();
                    next.pane = Pane::Traces;
                    // Files without timings or trees (`lm.history`) are a
                    // list of LM calls: open them as one.
                    let untimed = next
                        .session
                        .as_ref()
                        .is_some_and(|s| crate::analysis::trace_header::session_untimed(&s.store));
                    if untimed {
                        next.view = MainView::LmCalls;
                    }
                    next.recompute_table();
                    // A link's view applies to the session that link loaded.
                    if let Some(view) = next.pending.take() {
                        if view.url.is_none() || view.url == next.source_url {
                            next.apply_view(&view);
                        }
                    }
                } else {
                    next.load_ended_empty();
                }
            }
            Action::LoadFailed(message) => {
                next.loading = None;
                next.errors.push(message);
                next.load_ended_empty();
            }
            Action::LoadNote(note) => next.errors.push(note),
            Action::DismissErrors => next.errors.clear(),
            Action::SelectTrace(trace) => {
                if next.trace != trace {
                    next.span = None;
                    next.collapsed.clear();
                }
                next.trace = trace;
                next.pane = Pane::Traces;
            }
            Action::SelectSpan(span) => {
                next.span = span;
                next.pane = Pane::Spans;
                if let Some(span) = span {
                    next.tab = next.tab_for_click(span);
                }
            }
            Action::SetTab(tab) => next.tab = tab,
            Action::ToggleCollapsed(span) => {
                if !next.collapsed.remove(&span.0) {
                    next.collapsed.insert(span.0);
                }
            }
            // Keys behind the help overlay do nothing.
            Action::Move(_) | Action::Open if next.show_help => {}
            Action::Move(delta) => next.move_selection(delta),
            Action::Open => match (next.pane, next.trace, next.span) {
                (Pane::Traces, Some(trace), _) => {
                    next.pane = Pane::Spans;
                    if let Some(session) = &next.session {
                        next.span = session.index.roots(&session.store, trace).next();
                    }
                }
                (Pane::Spans, _, Some(span)) => {
                    // Enter opens what the span is about: its LM call, its documents.
                    next.tab = next.about(span).unwrap_or(DetailTab::Overview);
                }
                _ => next.move_selection(0),
            },
            Action::Back => {
                if next.show_help {
                    next.show_help = false;
                } else if next.span.is_some() {
                    next.span = None;
                    next.pane = Pane::Traces;
                } else {
                    next.trace = None;
                }
            }
            Action::ToggleHelp => next.show_help = !next.show_help,
            Action::Navigate(view) => next.apply_view(&view),
            Action::SetSourceUrl(url) => {
                // A view waiting for another link's file will never come.
                if next
                    .pending
                    .as_ref()
                    .is_some_and(|p| p.url.is_some() && p.url != url)
                {
                    next.pending = None;
                }
                next.requested_url = url;
            }
            Action::SetView(view) => next.view = view,
            Action::SetPrice(model, price) => {
                let mut prices = (*next.prices).clone();
                prices.set_override(&model, price);
                next.prices = Rc::new(prices);
            }
            Action::ClearPrices => {
                let mut prices = (*next.prices).clone();
                prices.clear_overrides();
                next.prices = Rc::new(prices);
            }
            Action::OpenSpan(trace, span, tab) => {
                if next.trace != Some(trace) {
                    next.collapsed.clear();
                }
                next.view = MainView::Traces;
                next.trace = Some(trace);
                next.span = Some(span);
                next.tab = tab;
                next.pane = Pane::Spans;
            }
            Action::SetFilter(filter) => {
                next.filter = filter;
                next.recompute_table();
            }
            Action::SetSort(key) => {
                next.descending = if next.sort == key {
                    !next.descending
                } else {
                    key != SortKey::Start && key != SortKey::Name
                };
                next.sort = key;
                next.recompute_table();
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    fn session(name: &str, bytes: &[u8]) -> Rc<Session> {
        Rc::new(load(vec![Input::new(name, bytes.to_vec())]))
    }

    fn fixture(rel: &str) -> Rc<Session> {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        session(rel, &std::fs::read(path).unwrap_or_default())
    }

    #[test]
    fn progress_updates_the_load_and_cancel_keeps_the_session() {
        let good = fixture("otlp-json/dspy-rag.openinference.otlp-http-json.json");
        let state = Rc::new(AppState::default()).reduce(Action::Loaded(good.clone()));
        let state = state.reduce(Action::LoadStarted("big.json".into()));
        let parsing = Stage::Parsing(crate::model::Progress {
            spans: 4096,
            ..Default::default()
        });
        let state = state.reduce(Action::LoadProgress(parsing.clone()));
        assert_eq!(state.loading.as_ref().map(|l| &l.stage), Some(&parsing));
        let state = state.reduce(Action::LoadCancelled);
        assert!(state.loading.is_none());
        assert!(state.errors.is_empty());
        assert!(state.session.as_ref().is_some_and(|s| Rc::ptr_eq(s, &good)));
        // A late report after the cancel starts nothing.
        let state = state.reduce(Action::LoadProgress(parsing));
        assert!(state.loading.is_none());
    }

    #[test]
    fn a_failed_file_keeps_the_previous_session() {
        let state = Rc::new(AppState::default());
        let state = state.reduce(Action::LoadStarted("good.json".into()));
        assert!(state.loading.is_some());
        let good = fixture("otlp-json/dspy-rag.openinference.otlp-http-json.json");
        let state = state.reduce(Action::Loaded(good.clone()));
        assert!(state.loading.is_none());
        let state = state.reduce(Action::Loaded(session("notes.txt", b"hello")));
        assert!(state.session.as_ref().is_some_and(|s| Rc::ptr_eq(s, &good)));
        assert_eq!(state.errors.len(), 1);
        assert!(state.errors[0].contains("notes.txt"));
        let state = state.reduce(Action::DismissErrors);
        assert!(state.errors.is_empty());
    }

    #[test]
    fn keyboard_reaches_an_lm_call() {
        let mut state = Rc::new(AppState::default());
        state = state.reduce(Action::Loaded(fixture(
            "otlp-json/dspy-classify.openinference.otlp-http-json.json",
        )));
        state = state.reduce(Action::Move(1)); // j: first trace
        assert_eq!(
            state.trace,
            state.session.as_ref().map(|s| s.index.by_start[0])
        );
        state = state.reduce(Action::Open); // Enter: into its span tree, root selected
        assert_eq!(state.pane, Pane::Spans);
        for _ in 0..5 {
            state = state.reduce(Action::Move(1)); // down to the innermost span
        }
        state = state.reduce(Action::Open); // Enter on an LLM span: the LM tab
        assert_eq!(state.tab, DetailTab::Lm);
        let session = state.session.clone().unwrap();
        let span = state.span.map(|s| {
            session
                .store
                .str(session.store.spans.name[s.index()])
                .to_string()
        });
        assert_eq!(span.as_deref(), Some("completion"));
        state = state.reduce(Action::Back);
        state = state.reduce(Action::Back);
        assert_eq!((state.span, state.trace), (None, None));
    }

    #[test]
    fn files_without_timings_open_in_the_lm_calls_view() {
        let state = Rc::new(AppState::default()).reduce(Action::Loaded(fixture(
            "dspy-history/dspy-rag.lm-history.json",
        )));
        assert_eq!(state.view, MainView::LmCalls);
        let state = state.reduce(Action::Loaded(fixture(
            "dspy-inspect-history/dspy-rag.inspect-history.txt",
        )));
        assert_eq!(state.view, MainView::LmCalls);
        let timed = Rc::new(AppState::default()).reduce(Action::Loaded(fixture(
            "otlp-json/dspy-rag.openinference.otlp-http-json.json",
        )));
        assert_eq!(timed.view, MainView::Traces);
    }

    #[test]
    fn view_state_round_trips_through_the_hash() {
        let mut state = Rc::new(AppState::default());
        state = state.reduce(Action::Loaded(fixture(
            "otlp-json/dspy-rag.openinference.otlp-http-json.json",
        )));
        state = state.reduce(Action::Move(1));
        state = state.reduce(Action::Open);
        state = state.reduce(Action::Move(1));
        state = state.reduce(Action::SetTab(DetailTab::Attributes));
        let view = state.view_state();
        assert!(view.span.is_some() && view.trace.is_some());
        assert_eq!(view.tab.as_deref(), Some("attributes"));
        let fresh = Rc::new(AppState::default())
            .reduce(Action::Navigate(ViewState::from_hash(&view.to_hash())));
        assert!(
            fresh.pending.is_some(),
            "a link opened before loading waits for the session"
        );
        let fresh = fresh.reduce(Action::Loaded(state.session.clone().unwrap()));
        assert_eq!(
            (fresh.trace, fresh.span, fresh.tab),
            (state.trace, state.span, state.tab)
        );
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::load::{load, Input};

    #[test]
    fn filtering_and_sorting_drive_the_list_and_the_keys() {
        let path = format!(
            "{}/tests/fixtures/otlp-jsonl/dspy-all-scenarios.filexporter.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let session = Rc::new(load(vec![Input::new(
            "all.jsonl",
            std::fs::read(path).unwrap(),
        )]));
        let mut state = Rc::new(AppState::default()).reduce(Action::Loaded(session.clone()));
        assert_eq!(state.table.rows.len(), 19);
        state = state.reduce(Action::SetFilter("status:error".into()));
        let failing = state.table.rows.clone();
        assert!(failing.len() < 19 && !failing.is_empty());
        state = state.reduce(Action::SetSort(SortKey::Duration));
        assert!(state.descending, "durations sort longest first");
        state = state.reduce(Action::Move(1));
        assert_eq!(state.trace, state.table.rows.first().copied());
        assert_eq!(state.view_state().filter.as_deref(), Some("status:error"));
    }
}

#[cfg(test)]
mod price_tests {
    use super::*;

    #[test]
    fn what_if_prices_are_set_and_reset() {
        let state = Rc::new(AppState::default());
        assert!(state.prices.overrides.is_empty());
        let state = state.reduce(Action::SetPrice(
            "openai/gpt-4o-mini".into(),
            Price::new(1.0, 0.5, 4.0),
        ));
        assert_eq!(state.prices.overrides.len(), 1);
        assert_eq!(
            state
                .prices
                .lookup("gpt-4o-mini")
                .map(|(e, _)| e.price.output_per_mtok),
            Some(4.0)
        );
        let state = state.reduce(Action::ClearPrices);
        assert!(state.prices.overrides.is_empty());
    }
}

#[cfg(test)]
#[path = "state_click_tests.rs"]
mod click_tests;

#[cfg(test)]
#[path = "state_link_tests.rs"]
mod link_tests;
