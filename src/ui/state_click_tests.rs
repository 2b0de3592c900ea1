//! Reducer tests: what a click on a span opens, keys behind the help, and
//! the files a link of local files names.

use super::*;
use crate::load::{load, Input};

fn fixture(rel: &str) -> Rc<Session> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    Rc::new(load(vec![Input::new(
        rel,
        std::fs::read(path).unwrap_or_default(),
    )]))
}

#[test]
fn a_click_on_a_span_opens_what_it_is_about() {
    let mut state = Rc::new(AppState::default()).reduce(Action::Loaded(fixture(
        "otlp-json/dspy-multihop.openinference.otlp-http-json.json",
    )));
    let session = state.session.clone().unwrap();
    let kind_of = |k: crate::model::SpanKind| {
        (0..session.store.span_count())
            .find(|&i| session.store.spans.kind[i] == k)
            .map(|i| SpanIdx(i as u32))
            .unwrap()
    };
    let (llm, retriever, chain) = (
        kind_of(crate::model::SpanKind::Llm),
        kind_of(crate::model::SpanKind::Retriever),
        kind_of(crate::model::SpanKind::Chain),
    );
    state = state.reduce(Action::SelectTrace(Some(
        session.store.spans.trace[llm.index()],
    )));
    state = state.reduce(Action::SelectSpan(Some(chain)));
    state = state.reduce(Action::SetTab(DetailTab::Attributes));
    state = state.reduce(Action::SelectSpan(Some(llm)));
    assert_eq!(state.tab, DetailTab::Lm, "an LM span opens its LM call");
    state = state.reduce(Action::SelectSpan(Some(chain)));
    assert_eq!(
        state.tab,
        DetailTab::Overview,
        "the LM tab does not stay on a chain"
    );
    state = state.reduce(Action::SetTab(DetailTab::Events));
    state = state.reduce(Action::SelectSpan(Some(chain)));
    assert_eq!(state.tab, DetailTab::Events, "another tab stays");
    state = state.reduce(Action::SelectSpan(Some(retriever)));
    assert_eq!(state.tab, DetailTab::Retrieval);
    // Keys behind the help do nothing.
    state = state.reduce(Action::ToggleHelp);
    let before = (state.trace, state.span);
    state = state.reduce(Action::Move(1));
    state = state.reduce(Action::Open);
    assert_eq!((state.trace, state.span), before);
    state = state.reduce(Action::Back);
    assert!(!state.show_help);
}

#[test]
fn a_view_of_local_files_names_them_in_its_link() {
    let state = Rc::new(AppState::default()).reduce(Action::Loaded(fixture(
        "otlp-json/dspy-rag.openinference.otlp-http-json.json",
    )));
    let view = state.view_state();
    assert_eq!(
        view.files,
        ["otlp-json/dspy-rag.openinference.otlp-http-json.json"]
    );
    // A session loaded from a #url= (the link names the load before it starts).
    let fetched = state
        .reduce(Action::SetSourceUrl(Some(
            "https://example.org/a.json".into(),
        )))
        .reduce(Action::LoadStarted("a.json".into()))
        .reduce(Action::Loaded(fixture(
            "otlp-json/dspy-rag.openinference.otlp-http-json.json",
        )));
    assert!(
        fetched.view_state().files.is_empty(),
        "a #url= view needs no file"
    );
}
