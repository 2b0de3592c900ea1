//! The app shell: header with the summary bar, the error banner, and either
//! the landing drop zone or the loaded traces. Owns the reducer.

use super::drop_zone::DropZone;
use super::error_banner::ErrorBanner;
use super::state::{Action, AppState};
use super::summary_bar::SummaryBar;
use super::trace_list::TraceList;
use crate::load::{load, Input};
use crate::web;
use std::future::Future;
use std::rc::Rc;
use web_sys::File;
use yew::prelude::*;

/// Where the bundled samples are served from (copied by trunk from `static/samples`).
pub const SAMPLE_URL: &str = "samples/dspy-multihop.otlp.json";

/// Reads, parses and hands the result to the reducer.
fn open(
    dispatch: UseReducerDispatcher<AppState>,
    what: String,
    inputs: impl Future<Output = Result<Vec<Input>, String>> + 'static,
) {
    dispatch.dispatch(Action::LoadStarted(what));
    wasm_bindgen_futures::spawn_local(async move {
        match inputs.await {
            Ok(inputs) => dispatch.dispatch(Action::Loaded(Rc::new(load(inputs)))),
            Err(message) => dispatch.dispatch(Action::LoadFailed(message)),
        }
    });
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let hovering = use_state(|| false);

    let open_files = {
        let dispatch = state.dispatcher();
        Callback::from(move |files: Vec<File>| {
            let names: Vec<String> = files.iter().map(File::name).collect();
            open(dispatch.clone(), names.join(", "), web::read_files(files));
        })
    };
    let open_sample = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| {
            let fetch = async {
                let bytes = web::fetch_bytes(SAMPLE_URL).await?;
                Ok(vec![Input::new("dspy-multihop.otlp.json", bytes)])
            };
            open(dispatch.clone(), "sample trace".into(), fetch);
        })
    };
    {
        let hovering = hovering.clone();
        let open_files = open_files.clone();
        use_effect_with((), move |_| {
            let guards = web::listen_for_drops(
                move |over| hovering.set(over),
                move |files| open_files.emit(files),
            );
            move || drop(guards)
        });
    }
    let dismiss = {
        let dispatch = state.dispatcher();
        Callback::from(move |()| dispatch.dispatch(Action::DismissErrors))
    };
    let select = {
        let dispatch = state.dispatcher();
        Callback::from(move |trace: u32| dispatch.dispatch(Action::SelectTrace(Some(trace))))
    };

    html! {
        <div class={classes!("app", hovering.then_some("hovering"))}>
            <header class="topbar">
                <span class="brand">{ "spanscope" }</span>
                if let Some(session) = &state.session {
                    <SummaryBar counts={session.index.totals} />
                }
                <span class="spacer" />
                if state.session.is_some() {
                    <OpenButton on_files={open_files.clone()} />
                }
            </header>
            <ErrorBanner errors={state.errors.clone()} on_dismiss={dismiss} />
            if let Some(loading) = &state.loading {
                <div class="progress" data-testid="progress">{ format!("Opening {}…", loading.what) }</div>
            }
            <main>
                if let Some(session) = &state.session {
                    <TraceList session={session.clone()} selected={state.selected_trace} on_select={select} />
                } else {
                    <DropZone on_files={open_files} on_sample={open_sample} />
                }
            </main>
            if *hovering {
                <div class="drop-overlay" aria-hidden="true">{ "Drop trace files to open them" }</div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OpenButtonProps {
    pub on_files: Callback<Vec<File>>,
}

/// A button that opens the browser's file picker (several files allowed).
#[component]
pub fn OpenButton(props: &OpenButtonProps) -> Html {
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let files = web::files_from_input(&input);
                input.set_value("");
                if !files.is_empty() {
                    on_files.emit(files);
                }
            }
        })
    };
    html! {
        <label class="button">
            { "Open files…" }
            <input type="file" multiple=true class="visually-hidden" data-testid="file-input" {onchange} />
        </label>
    }
}
