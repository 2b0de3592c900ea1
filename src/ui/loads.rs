//! The load in progress: at most one parsing worker runs; starting another
//! load or cancelling stops it. Loads are numbered so that a fetch which
//! finishes after the user moved on starts nothing.

use super::state::{Action, AppState, LoadStage};
use crate::web::worker::{self, JobEvent, JobInput, LoadJob};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use yew::UseReducerDispatcher;

#[derive(Debug, Default)]
pub struct Loads {
    generation: Cell<u64>,
    running: RefCell<Option<LoadJob>>,
}

impl Loads {
    /// Acquires the inputs (reading a fetch to its end), then parses them in
    /// a worker, reporting progress and the result to the reducer.
    pub fn open(
        self: &Rc<Self>,
        dispatch: UseReducerDispatcher<AppState>,
        what: String,
        inputs: impl Future<Output = Result<Vec<JobInput>, String>> + 'static,
    ) {
        let this = self.generation.get() + 1;
        self.generation.set(this);
        self.running.take(); // stops the previous load, if any
        dispatch.dispatch(Action::LoadStarted(what));
        let loads = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let inputs = inputs.await;
            if loads.generation.get() != this {
                return; // cancelled, or another load began, while fetching
            }
            let inputs = match inputs {
                Ok(inputs) => inputs,
                Err(message) => return dispatch.dispatch(Action::LoadFailed(message)),
            };
            let (d, done) = (dispatch.clone(), loads.clone());
            let job = worker::start(inputs, move |event| {
                if done.generation.get() != this {
                    return; // cancelled while the session was on its way
                }
                match event {
                    JobEvent::Reading {
                        name,
                        number,
                        files,
                    } => d.dispatch(Action::LoadProgress(LoadStage::Reading {
                        name,
                        number,
                        files,
                    })),
                    JobEvent::Parsing(progress) => {
                        d.dispatch(Action::LoadProgress(LoadStage::Parsing(progress)))
                    }
                    JobEvent::Finished(result) => {
                        // Free the worker after this handler returns (not inside it).
                        let done = done.clone();
                        wasm_bindgen_futures::spawn_local(async move {
                            if done.generation.get() == this {
                                done.running.take();
                            }
                        });
                        d.dispatch(match result {
                            Ok(session) => Action::Loaded(session),
                            Err(message) => Action::LoadFailed(message),
                        });
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
        self.running.take();
        dispatch.dispatch(Action::LoadCancelled);
    }
}
