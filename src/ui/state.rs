//! App state and the one reducer every user action goes through. Pure: no
//! browser types, so it is tested natively.

use crate::load::Session;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loading {
    /// What is being opened, for the progress line.
    pub what: String,
}

#[derive(Debug, Default)]
pub struct AppState {
    pub session: Option<Rc<Session>>,
    pub loading: Option<Loading>,
    /// Messages for the error banner, newest last.
    pub errors: Vec<String>,
    pub selected_trace: Option<u32>,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        let same_session = match (&self.session, &other.session) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_session
            && self.loading == other.loading
            && self.errors == other.errors
            && self.selected_trace == other.selected_trace
    }
}

#[derive(Debug)]
pub enum Action {
    LoadStarted(String),
    /// Files were read and parsed. A session in which nothing loaded keeps
    /// the previous one on screen; its errors go to the banner either way.
    Loaded(Rc<Session>),
    LoadFailed(String),
    DismissErrors,
    SelectTrace(Option<u32>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = AppState {
            session: self.session.clone(),
            loading: self.loading.clone(),
            errors: self.errors.clone(),
            selected_trace: self.selected_trace,
        };
        match action {
            Action::LoadStarted(what) => {
                next.loading = Some(Loading { what });
                next.errors.clear();
            }
            Action::Loaded(session) => {
                next.loading = None;
                next.errors = session
                    .report
                    .failed()
                    .filter_map(|f| f.error.clone())
                    .collect();
                if session.store.span_count() > 0 {
                    next.session = Some(session);
                    next.selected_trace = None;
                }
            }
            Action::LoadFailed(message) => {
                next.loading = None;
                next.errors.push(message);
            }
            Action::DismissErrors => next.errors.clear(),
            Action::SelectTrace(trace) => next.selected_trace = trace,
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

    const ONE_SPAN: &[u8] = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;

    #[test]
    fn a_failed_file_keeps_the_previous_session() {
        let state = Rc::new(AppState::default());
        let state = state.reduce(Action::LoadStarted("good.json".into()));
        assert!(state.loading.is_some());
        let good = session("good.json", ONE_SPAN);
        let state = state.reduce(Action::Loaded(good.clone()));
        assert!(state.loading.is_none());
        let state = state.reduce(Action::Loaded(session("notes.txt", b"hello")));
        assert!(state.session.as_ref().is_some_and(|s| Rc::ptr_eq(s, &good)));
        assert_eq!(state.errors.len(), 1);
        assert!(state.errors[0].contains("notes.txt"));
        let state = state.reduce(Action::DismissErrors);
        assert!(state.errors.is_empty());
    }
}
