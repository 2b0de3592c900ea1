//! The load in progress: at most one parsing worker runs; starting another
//! load or cancelling stops it. Loads are numbered, so a fetch or a worker
//! that reports after the user moved on changes nothing.

use super::state::{Action, AppState};
use crate::load::Stage;
use crate::web::worker::{self, JobEvent, JobInput, LoadJob};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use yew::UseReducerDispatcher;

/// Reports a stage of the current load (ignored once it is stale).
pub type Report = Rc<dyn Fn(Stage)>;

/// What acquiring a load's inputs gets: a progress reporter, and a signal
/// that aborts its downloads when the load is cancelled or replaced.
pub struct Acquire {
    pub report: Report,
    pub abort: web_sys::AbortSignal,
}

#[derive(Debug, Default)]
pub struct Loads {
    generation: Cell<u64>,
    running: RefCell<Option<LoadJob>>,
    downloads: RefCell<Option<web_sys::AbortController>>,
}

impl Loads {
    /// Acquires the inputs (`acquire` may report download progress), then
    /// parses them in a worker, reporting progress and the result to the
    /// reducer.
    pub fn open<F>(
        self: &Rc<Self>,
        dispatch: UseReducerDispatcher<AppState>,
        what: String,
        acquire: impl FnOnce(Acquire) -> F,
    ) where
        F: Future<Output = Result<Vec<JobInput>, String>> + 'static,
    {
        let this = self.generation.get() + 1;
        self.generation.set(this);
        self.stop(); // the previous load, if any
        let Ok(downloads) = web_sys::AbortController::new() else {
            let message = "this browser cannot start a download (no AbortController)";
            return dispatch.dispatch(Action::LoadFailed(message.into()));
        };
        let abort = downloads.signal();
        *self.downloads.borrow_mut() = Some(downloads);
        dispatch.dispatch(Action::LoadStarted(what));
        let current = {
            let loads = self.clone();
            move || loads.generation.get() == this
        };
        let report: Report = {
            let (current, dispatch) = (current.clone(), dispatch.clone());
            Rc::new(move |stage| {
                if current() {
                    dispatch.dispatch(Action::LoadProgress(stage));
                }
            })
        };
        let inputs = acquire(Acquire {
            report: report.clone(),
            abort,
        });
        let loads = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let inputs = inputs.await;
            if !current() {
                return; // cancelled, or another load began, while fetching
            }
            let inputs = match inputs {
                Ok(inputs) => inputs,
                Err(message) => return dispatch.dispatch(Action::LoadFailed(message)),
            };
            let (free, finish) = (loads.clone(), dispatch.clone());
            let notes: Vec<String> = inputs.iter().filter_map(|i| i.note.clone()).collect();
            let job = worker::start(inputs, move |event| match event {
                JobEvent::Stage(stage) => report(stage),
                JobEvent::Finished(result) => {
                    if !current() {
                        return; // cancelled while the session was on its way
                    }
                    // Free the worker after this handler returns (not inside it).
                    let free = free.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if free.generation.get() == this {
                            free.running.take();
                        }
                    });
                    finish.dispatch(match result {
                        Ok(session) => Action::Loaded(session),
                        Err(message) => Action::LoadFailed(message),
                    });
                    // Where the files came from, after what they hold.
                    for note in &notes {
                        finish.dispatch(Action::LoadNote(note.clone()));
                    }
                }
            });
            match job {
                Ok(job) => *loads.running.borrow_mut() = Some(job),
                Err(message) => dispatch.dispatch(Action::LoadFailed(message)),
            }
        });
    }

    /// Stops the load in progress; what was on screen stays.
    pub fn cancel(&self, dispatch: &UseReducerDispatcher<AppState>) {
        self.generation.set(self.generation.get() + 1);
        self.stop();
        dispatch.dispatch(Action::LoadCancelled);
    }

    /// Aborts downloads and terminates the worker of the current load.
    fn stop(&self) {
        if let Some(downloads) = self.downloads.take() {
            downloads.abort();
        }
        self.running.take();
    }
}
