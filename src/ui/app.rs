//! The app shell: header (summary, theme, link, help, open), error banner,
//! and either the landing drop zone or the three panes a Jaeger or Langfuse
//! user knows: trace list, trace view (tree + waterfall), span detail.
//! Owns the reducer; wires keys, the URL hash and file drops to actions.

use super::drop_zone::DropZone;
use super::error_banner::ErrorBanner;
use super::filter_bar::FilterBar;
use super::help::Help;
use super::lm_calls_view::LmCallsView;
use super::load_progress::LoadProgress;
use super::loads::{Loads, Report};
use super::open_button::OpenButton;
use super::open_choice::{OpenChoice, OpenRequest};
use super::report_view::ReportView;
use super::span_detail::SpanDetail;
use super::state::{Action, AppState, DetailTab, MainView};
use super::steps_view::StepsView;
use super::summary_bar::SummaryBar;
use super::trace_list::TraceList;
use super::trace_view::TraceView;
use crate::analysis::trace_table::SortKey;
use crate::download;
use crate::load::{Session, Stage};
use crate::model::{SpanIdx, TraceIdx};
use crate::permalink::ViewState;
use crate::web;
use crate::web::worker::JobInput;
use crate::web::KeyTarget;
use std::rc::Rc;
use web_sys::File;
use yew::prelude::*;

/// Where the bundled sample is served from (copied by trunk from `static/samples`).
pub const SAMPLE_URL: &str = "samples/dspy-multihop.otlp.json";

/// Fetches a `#url=` trace (or one typed into the landing page's box):
/// http(s) only; failures say what happened and how to fix it.
fn open_url(loads: &Rc<Loads>, dispatch: UseReducerDispatcher<AppState>, url: String) {
    let url = match download::fetchable(&url) {
        Ok(url) => url.to_string(),
        Err(refused) => return dispatch.dispatch(Action::LoadFailed(refused.to_string())),
    };
    dispatch.dispatch(Action::SetSourceUrl(Some(url.clone())));
    loads.open(dispatch, url.clone(), |acquire| async move {
        let fetched = web::fetch_buffer(&url, &acquire.abort, downloading(acquire.report))
            .await
            .map_err(|e| e.to_string())?;
        Ok(vec![JobInput {
            name: download::file_name(&url, &fetched.final_url),
            note: download::redirect_note(&url, &fetched.final_url),
            data: fetched.buffer.into(),
        }])
    });
}

/// Download progress for the progress line.
fn downloading(report: Report) -> impl Fn(u64, u64) {
    move |received, total| report(Stage::Downloading { received, total })
}

/// Maps a key press to an action; `None` leaves the key to the browser.
/// Shortcuts never take a key from what it went to: a text field keeps its
/// keys, a link or button its Enter and Space, a dialog all but Escape.
fn key_action(key: &web::KeyPress) -> Option<Action> {
    if key.modifier {
        return None;
    }
    let activates = matches!(key.key.as_str(), "Enter" | " ");
    match key.target {
        KeyTarget::TextField | KeyTarget::Dialog => {
            return (key.key == "Escape").then_some(Action::Back)
        }
        KeyTarget::Control if activates => return None,
        KeyTarget::Control | KeyTarget::Page => {}
    }
    Some(match key.key.as_str() {
        "j" | "ArrowDown" => Action::Move(1),
        "k" | "ArrowUp" => Action::Move(-1),
        "PageDown" => Action::Move(20),
        "PageUp" => Action::Move(-20),
        "Enter" => Action::Open,
        "Escape" => Action::Back,
        "?" => Action::ToggleHelp,
        _ => return None,
    })
}

/// What the *Copy link* button says after a click.
fn copy_note(copied: bool, files: &[String]) -> String {
    match (copied, files) {
        (false, _) => "Could not copy: copy the address bar instead.".to_string(),
        (true, []) => "Link copied.".to_string(),
        (true, files) => format!(
            "Link copied. It shows this view once {} is dropped on the page (local files are not in links).",
            files.join(", ")
        ),
    }
}

/// `3 files`.
fn display_files(n: usize) -> String {
    crate::display::plural(n as u64, "file", "files")
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let loads = use_memo((), |_| Rc::new(Loads::default()));
    let loads: Rc<Loads> = (*loads).clone();
    let hovering = use_state(|| false);
    let theme = use_state(|| 0u8);

    // The session on screen, for listeners set up once (drops, pastes).
    let current: Rc<std::cell::RefCell<Option<Rc<Session>>>> = use_mut_ref(|| None);
    *current.borrow_mut() = state.session.clone();
    // Files dropped while others are loaded: add to them, or replace them?
    let asking = use_state(|| None::<Rc<OpenRequest>>);
    let start_load = {
        let (dispatch, loads) = (state.dispatcher(), loads.clone());
        Callback::from(move |(what, inputs): (String, Vec<JobInput>)| {
            dispatch.dispatch(Action::SetSourceUrl(None));
            loads.open(dispatch.clone(), what, |_| async { Ok(inputs) });
        })
    };
    let request_open = {
        let (current, asking, start_load) = (current.clone(), asking.clone(), start_load.clone());
        Callback::from(move |request: OpenRequest| {
            if current.borrow().is_some() {
                asking.set(Some(Rc::new(request)));
            } else if let Some(inputs) = request.take() {
                start_load.emit((request.what(), inputs));
            }
        })
    };
    let open_files = {
        let request_open = request_open.clone();
        Callback::from(move |files: Vec<File>| {
            let names: Vec<String> = files.iter().map(File::name).collect();
            request_open.emit(OpenRequest::new(names, web::file_inputs(files)));
        })
    };
    let answer_open = {
        let (asking, current, start_load) = (asking.clone(), current.clone(), start_load.clone());
        Callback::from(move |add: Option<bool>| {
            let request = (*asking).clone();
            asking.set(None);
            let (Some(request), Some(add)) = (request, add) else {
                return;
            };
            let Some(mut inputs) = request.take() else {
                return;
            };
            let mut what = request.what();
            if add {
                if let Some(session) = current.borrow().as_ref() {
                    let loaded = &session.store.sources;
                    let mut all: Vec<JobInput> = loaded
                        .iter()
                        .map(|f| JobInput::bytes(f.name.clone(), &f.bytes))
                        .collect();
                    all.append(&mut inputs);
                    inputs = all;
                    what = format!("{what} with {} loaded", display_files(loaded.len()));
                }
            }
            start_load.emit((what, inputs));
        })
    };
    let open_sample = {
        let (dispatch, loads) = (state.dispatcher(), loads.clone());
        Callback::from(move |()| {
            dispatch.dispatch(Action::SetSourceUrl(None));
            loads.open(
                dispatch.clone(),
                "sample trace".into(),
                |acquire| async move {
                    let fetched =
                        web::fetch_buffer(SAMPLE_URL, &acquire.abort, downloading(acquire.report))
                            .await
                            .map_err(|e| e.to_string())?;
                    Ok(vec![JobInput {
                        name: "dspy-multihop.otlp.json".into(),
                        data: fetched.buffer.into(),
                        note: None,
                    }])
                },
            );
        })
    };
    let open_link = {
        let (dispatch, loads) = (state.dispatcher(), loads.clone());
        Callback::from(move |url: String| open_url(&loads, dispatch.clone(), url))
    };
    let cancel_load = {
        let (dispatch, loads) = (state.dispatcher(), loads.clone());
        Callback::from(move |()| loads.cancel(&dispatch))
    };
    {
        // Page-level listeners: drops, keys, back/forward; and a link's #url=.
        let (hovering, open_files, dispatch, loads, request_open) = (
            hovering.clone(),
            open_files.clone(),
            state.dispatcher(),
            loads.clone(),
            request_open.clone(),
        );
        use_effect_with((), move |_| {
            let drops = web::listen_for_drops(
                move |over| hovering.set(over),
                move |files| open_files.emit(files),
            );
            let keys_dispatch = dispatch.clone();
            let keys = web::listen_for_keys(move |key| {
                let on_page = matches!(key.target, KeyTarget::Page | KeyTarget::Control);
                if key.key == "/" && on_page && !key.modifier {
                    web::focus("[data-testid=filter-input]");
                    return true;
                }
                match key_action(&key) {
                    Some(action) => {
                        keys_dispatch.dispatch(action);
                        true
                    }
                    None => false,
                }
            });
            let paste = web::listen_for_paste(move |text| {
                let input = JobInput::bytes("pasted text", text.as_bytes());
                request_open.emit(OpenRequest::new(vec!["pasted text".into()], vec![input]));
            });
            let nav_dispatch = dispatch.clone();
            let navigation = web::listen_for_navigation(move |hash| {
                nav_dispatch.dispatch(Action::Navigate(ViewState::from_hash(&hash)))
            });
            let initial = ViewState::from_hash(&web::location_hash());
            if let Some(url) = &initial.url {
                open_url(&loads, dispatch.clone(), url.clone());
            }
            dispatch.dispatch(Action::Navigate(initial));
            web::announce_ready();
            move || drop((drops, keys, navigation, paste))
        });
    }
    {
        // Mirror the view into the URL: a new history entry per navigation.
        let hash = state.view_state().to_hash();
        use_effect_with(hash, move |hash| web::set_location_hash(hash, true));
    }
    {
        let theme = *theme;
        use_effect_with(theme, move |t| {
            web::set_theme([None, Some("dark"), Some("light")][*t as usize % 3])
        });
    }

    let d = state.dispatcher();
    let dismiss = Callback::from(move |()| d.dispatch(Action::DismissErrors));
    let d = state.dispatcher();
    let select_trace = Callback::from(move |t: TraceIdx| d.dispatch(Action::SelectTrace(Some(t))));
    let d = state.dispatcher();
    let select_span = Callback::from(move |s: SpanIdx| d.dispatch(Action::SelectSpan(Some(s))));
    let d = state.dispatcher();
    let close_trace = Callback::from(move |_: MouseEvent| d.dispatch(Action::SelectTrace(None)));
    let d = state.dispatcher();
    let close_span = Callback::from(move |_: MouseEvent| d.dispatch(Action::SelectSpan(None)));
    let d = state.dispatcher();
    let toggle = Callback::from(move |s: SpanIdx| d.dispatch(Action::ToggleCollapsed(s)));
    let d = state.dispatcher();
    let set_tab = Callback::from(move |t: DetailTab| d.dispatch(Action::SetTab(t)));
    let d = state.dispatcher();
    let set_filter = Callback::from(move |f: String| d.dispatch(Action::SetFilter(f)));
    let d = state.dispatcher();
    let set_sort = Callback::from(move |k: SortKey| d.dispatch(Action::SetSort(k)));
    let d = state.dispatcher();
    let open_span = Callback::from(move |(t, s, tab): (TraceIdx, SpanIdx, DetailTab)| {
        d.dispatch(Action::OpenSpan(t, s, tab))
    });
    let view_tabs = MainView::ALL.iter().map(|&view| {
        let d = state.dispatcher();
        let onclick = Callback::from(move |_: MouseEvent| d.dispatch(Action::SetView(view)));
        let selected = state.view == view;
        html! {
            <button class={classes!("view-tab", selected.then_some("selected"))} {onclick} data-testid={format!("view-{}", view.id())}>
                { view.label() }
            </button>
        }
    });
    let d = state.dispatcher();
    let set_price = Callback::from(move |(m, p): (String, crate::analysis::prices::Price)| {
        d.dispatch(Action::SetPrice(m, p))
    });
    let d = state.dispatcher();
    let reset_prices = Callback::from(move |()| d.dispatch(Action::ClearPrices));
    let d = state.dispatcher();
    let toggle_help = Callback::from(move |_: MouseEvent| d.dispatch(Action::ToggleHelp));
    let cycle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(theme.wrapping_add(1) % 3))
    };
    // The link of what is on screen (not the address bar, which Back may
    // have moved to another session's view).
    let link = web::page_address() + &state.view_state().to_hash();
    let copied = use_state(|| None::<bool>);
    let copy_link = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let (copied, link) = (copied.clone(), link.clone());
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(web::copy_text_checked(&link).await));
                web::after(4000, move || copied.set(None));
            });
        })
    };
    let link_files = state.view_state().files;
    let theme_label = ["Theme: system", "Theme: dark", "Theme: light"][*theme as usize % 3];
    let collapsed = Rc::new(state.collapsed.clone());

    html! {
        <div class={classes!("app", hovering.then_some("hovering"))}>
            <header class="topbar">
                <span class="brand">{ "spanscope" }</span>
                if let Some(session) = &state.session {
                    <SummaryBar counts={session.index.totals} failed={session.index.failed_traces} />
                }
                <span class="spacer" />
                <button class="small" onclick={cycle_theme} data-testid="theme-toggle">{ theme_label }</button>
                if state.session.is_some() {
                    <button class="small" onclick={copy_link} data-testid="copy-link">
                        { match *copied { Some(true) => "Link copied ✓", Some(false) => "Copy failed", None => "Copy link" } }
                    </button>
                }
                if let Some(ok) = *copied {
                    <span class={classes!("copy-note", (!ok).then_some("failed"))} role="status" data-testid="copy-note">{ copy_note(ok, &link_files) }</span>
                }
                <button class="small" onclick={toggle_help.clone()} aria-label="Keyboard shortcuts">{ "?" }</button>
                if state.session.is_some() {
                    <OpenButton on_files={open_files.clone()} />
                }
            </header>
            <ErrorBanner errors={state.errors.clone()} on_dismiss={dismiss} />
            if let Some(loading) = &state.loading {
                <LoadProgress loading={loading.clone()} on_cancel={cancel_load} />
            }
            <main>
                if let Some(session) = &state.session {
                    <FilterBar session={session.clone()} table={state.table.clone()} filter={state.filter.clone()} on_filter={set_filter} />
                    <nav class="view-tabs">
                        <span class="view-tab-list">{ for view_tabs }</span>
                        if state.trace.is_some() && state.view == MainView::Traces {
                            <span class="narrow-only" data-testid="narrow-nav">
                                <button class="small" onclick={close_trace} data-testid="back-to-traces">{ "← All traces" }</button>
                                if state.span.is_some() {
                                    <button class="small" onclick={close_span} data-testid="close-span">{ "Close span ×" }</button>
                                }
                            </span>
                        }
                    </nav>
                    {
                        match state.view {
                            MainView::Traces => html! {
                                <div class={classes!("panes", state.trace.is_some().then_some("with-trace"), state.span.is_some().then_some("with-span"))}>
                                    <TraceList session={session.clone()} table={state.table.clone()} selected={state.trace} on_select={select_trace}
                                        sort={state.sort} descending={state.descending} on_sort={set_sort} compact={state.trace.is_some()} />
                                    if let Some(trace) = state.trace {
                                        <TraceView session={session.clone()} {trace} selected={state.span} collapsed={collapsed} on_select={select_span} on_toggle={toggle}
                                            prices={state.prices.clone()} />
                                    }
                                    if let Some(span) = state.span {
                                        <SpanDetail session={session.clone()} {span} tab={state.tab} on_tab={set_tab}
                                            needles={Rc::new(state.table.needles.clone())} />
                                    }
                                </div>
                            },
                            MainView::Steps => html! {
                                <StepsView session={session.clone()} table={state.table.clone()} prices={state.prices.clone()}
                                    on_price={set_price} on_reset_prices={reset_prices} />
                            },
                            MainView::LmCalls => html! {
                                <LmCallsView session={session.clone()} table={state.table.clone()} prices={state.prices.clone()} on_open={open_span} />
                            },
                            MainView::Report => html! { <ReportView session={session.clone()} /> },
                        }
                    }
                } else {
                    <DropZone on_files={open_files} on_sample={open_sample} on_url={open_link}
                        link_files={state.pending.as_ref().filter(|p| p.url.is_none()).map(|p| p.files.clone()).unwrap_or_default()} />
                }
            </main>
            if let (Some(request), Some(session)) = (&*asking, &state.session) {
                <OpenChoice names={request.names.clone()} loaded={session.store.sources.iter().map(|f| f.name.clone()).collect::<Vec<_>>()}
                    on_answer={answer_open} />
            }
            if state.show_help {
                <Help on_close={toggle_help} />
            }
            if *hovering {
                <div class="drop-overlay" aria-hidden="true">{ "Drop trace files to open them" }</div>
            }
        </div>
    }
}
