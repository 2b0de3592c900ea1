//! Reducer tests: which `url=` a link names while a link loads, after it
//! failed or was cancelled, and once a file from disk is opened.

use super::*;
use crate::load::{load, Input};

fn fixture(rel: &str) -> Rc<Session> {
    let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    Rc::new(load(vec![Input::new(
        rel,
        std::fs::read(path).unwrap_or_default(),
    )]))
}

/// A link that failed or was cancelled names nothing once a file is
/// opened: `url=` would otherwise send whoever gets the link elsewhere.
#[test]
fn a_failed_or_cancelled_link_leaves_no_url_behind() {
    let gone = "https://example.org/gone.json";
    let link = ViewState::from_hash(&format!(
        "#url={}&trace=3a2e61939a2af9a02c5d47a80a5cf837",
        gone.replace(':', "%3A").replace('/', "%2F")
    ));
    for cancelled in [false, true] {
        let mut state = Rc::new(AppState::default());
        state = state.reduce(Action::SetSourceUrl(link.url.clone()));
        state = state.reduce(Action::LoadStarted("gone.json".into()));
        state = state.reduce(Action::Navigate(link.clone()));
        assert_eq!(state.view_state().url.as_deref(), Some(gone));
        state = state.reduce(if cancelled {
            Action::LoadCancelled
        } else {
            Action::LoadFailed("HTTP 404".into())
        });
        if !cancelled {
            // Nothing on screen: the link stays, so reloading retries it.
            assert_eq!(state.view_state().url.as_deref(), Some(gone));
        }
        // Then the user opens a file from disk.
        state = state.reduce(Action::SetSourceUrl(None));
        state = state.reduce(Action::LoadStarted("rag.json".into()));
        state = state.reduce(Action::Loaded(fixture(
            "otlp-json/dspy-rag.openinference.otlp-http-json.json",
        )));
        assert_eq!(state.view_state().url, None, "cancelled: {cancelled}");
        assert!(state.session.is_some());
    }
    // A link that fails while another link's session is on screen
    // leaves that session's url.
    let shown = "https://example.org/shown.json";
    let mut state = Rc::new(AppState::default());
    state = state.reduce(Action::SetSourceUrl(Some(shown.into())));
    state = state.reduce(Action::LoadStarted("shown.json".into()));
    state = state.reduce(Action::Loaded(fixture(
        "otlp-json/dspy-rag.openinference.otlp-http-json.json",
    )));
    state = state.reduce(Action::SetSourceUrl(Some(gone.into())));
    state = state.reduce(Action::LoadStarted("gone.json".into()));
    assert_eq!(state.view_state().url.as_deref(), Some(gone));
    state = state.reduce(Action::LoadFailed("HTTP 500".into()));
    assert_eq!(state.view_state().url.as_deref(), Some(shown));
    // Back to a history entry of another source changes no source.
    state = state.reduce(Action::Navigate(link.clone()));
    assert_eq!(state.view_state().url.as_deref(), Some(shown));
}
