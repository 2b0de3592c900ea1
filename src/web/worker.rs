//! Parsing off the page's thread. The page starts a dedicated worker (the
//! `spanscope-worker` binary) per load, hands it the files (`File` objects
//! or fetched buffers: no copy on the page), and gets back progress, then
//! the packed session ([`crate::transfer`]), whose buffers move across
//! without a copy. Cancelling terminates the worker.
//!
//! Protocol, page → worker: `{inputs: [{name, data: Blob | ArrayBuffer}]}`.
//! Worker → page: `{msg: Uint8Array}` holding a postcard [`FromWorker`];
//! `Done` also carries `blob: ArrayBuffer` and `sources: [ArrayBuffer]`.
//! The loader script sends `{error: string}` if the wasm cannot start.

use crate::index::Index;
use crate::load::{load_with_progress, Input, Session, Stage};
use crate::transfer;
use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, ErrorEvent, MessageEvent, Worker};

/// The worker's loader script (static/spanscope-worker-loader.js, copied by
/// trunk next to the page; it loads the `spanscope-worker` bin).
const WORKER_SCRIPT: &str = "spanscope-worker-loader.js";

/// Progress reports closer together than this are dropped (except the
/// first of each file and the last), so a fast parse or download does not
/// flood the page.
pub(crate) const PROGRESS_INTERVAL_MS: f64 = 50.0;

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Loaded and listening: the page may send the files.
    Ready,
    /// Reading or parsing.
    Stage(Stage),
    /// Parsed; the packed session travels with this message.
    Done,
    Failed(String),
}

/// One file to load: its name and a `File`/`Blob` or an `ArrayBuffer`,
/// with what the user should know about where it came from (a download
/// that a server redirected to another site).
#[derive(Debug, Clone)]
pub struct JobInput {
    pub name: String,
    pub data: JsValue,
    pub note: Option<String>,
}

impl JobInput {
    pub fn bytes(name: impl Into<String>, bytes: &[u8]) -> JobInput {
        JobInput {
            name: name.into(),
            data: Uint8Array::from(bytes).buffer().into(),
            note: None,
        }
    }
}

/// What a running load reports to the page.
#[derive(Debug)]
pub enum JobEvent {
    Stage(Stage),
    Finished(Result<Rc<Session>, String>),
}

/// A load in a worker. Dropping it cancels the load (terminates the worker).
pub struct LoadJob {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl std::fmt::Debug for LoadJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoadJob")
    }
}

impl Drop for LoadJob {
    fn drop(&mut self) {
        // Detach first: no event may reach the closures once they are freed.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn decode(message: &JsValue) -> Result<FromWorker, String> {
    if let Some(error) = get(message, "error").as_string() {
        return Ok(FromWorker::Failed(error)); // from the loader script
    }
    let bytes = get(message, "msg")
        .dyn_into::<Uint8Array>()
        .map_err(|_| "the parser sent a message without a body".to_string())?
        .to_vec();
    postcard::from_bytes(&bytes).map_err(|e| format!("the parser sent an unreadable message ({e})"))
}

fn encode(message: &FromWorker) -> Object {
    let envelope = Object::new();
    // Encoding a plain enum into a Vec cannot fail.
    let bytes = postcard::to_allocvec(message).unwrap_or_default();
    set(&envelope, "msg", &Uint8Array::from(&bytes[..]));
    envelope
}

/// The page side: starts a worker and feeds it `inputs`; `on_event` gets
/// progress and, last, the session or what went wrong.
pub fn start(
    inputs: Vec<JobInput>,
    on_event: impl Fn(JobEvent) + 'static,
) -> Result<LoadJob, String> {
    let worker = Worker::new(WORKER_SCRIPT).map_err(|e| {
        format!(
            "the parser could not be started ({e:?}); open the page over http(s), not from a file"
        )
    })?;
    let on_event = Rc::new(on_event);
    let finished = Rc::new(Cell::new(false));
    let on_message = {
        let (worker, on_event, finished) = (worker.clone(), on_event.clone(), finished.clone());
        let request = Object::new();
        let files = Array::new();
        for input in &inputs {
            let file = Object::new();
            set(&file, "name", &JsValue::from_str(&input.name));
            set(&file, "data", &input.data);
            files.push(&file);
        }
        set(&request, "inputs", &files);
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if finished.get() {
                return;
            }
            let data = event.data();
            let event = match decode(&data) {
                Ok(FromWorker::Ready) => {
                    // Files go by reference (Blob) or move (ArrayBuffer): no copy here.
                    let transfer: Array = (files.iter())
                        .map(|f| get(&f, "data"))
                        .filter(|d| d.is_instance_of::<ArrayBuffer>())
                        .collect();
                    if let Err(e) = worker.post_message_with_transfer(&request, &transfer) {
                        JobEvent::Finished(Err(format!(
                            "the files could not be handed to the parser ({e:?})"
                        )))
                    } else {
                        return;
                    }
                }
                Ok(FromWorker::Stage(stage)) => JobEvent::Stage(stage),
                Ok(FromWorker::Done) => {
                    finished.set(true);
                    let on_event = on_event.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        on_event(JobEvent::Finished(receive(data).await.map(Rc::new)));
                    });
                    return;
                }
                Ok(FromWorker::Failed(message)) => JobEvent::Finished(Err(message)),
                Err(message) => JobEvent::Finished(Err(message)),
            };
            if matches!(event, JobEvent::Finished(_)) {
                finished.set(true);
            }
            on_event(event);
        })
    };
    let on_error = {
        let finished = finished.clone();
        Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            if finished.replace(true) {
                return;
            }
            let what = event.message();
            on_event(JobEvent::Finished(Err(if what.is_empty() {
                "the parser stopped (out of memory, or its files could not be loaded)".into()
            } else {
                format!("the parser stopped: {what}")
            })));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(LoadJob {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Unpacks the `Done` message: copies the buffers into this page's memory,
/// decodes the session and rebuilds its index.
/// Sources are copied in slices of this size, yielding to the browser in
/// between, so a 100 MB file never blocks the page for the whole copy.
const COPY_SLICE: usize = 16 << 20;

async fn receive(data: JsValue) -> Result<Session, String> {
    mark("spanscope:received");
    let blob = Uint8Array::new(&get(&data, "blob")).to_vec();
    let mut sources = Vec::new();
    for buffer in Array::from(&get(&data, "sources")).iter() {
        let array = Uint8Array::new(&buffer);
        let len = array.length() as usize;
        let mut bytes = vec![0; len];
        for start in (0..len).step_by(COPY_SLICE) {
            let end = (start + COPY_SLICE).min(len);
            array
                .subarray(start as u32, end as u32)
                .copy_to(&mut bytes[start..end]);
            next_task().await;
        }
        sources.push(bytes);
    }
    mark("spanscope:copied");
    let (store, report) = transfer::unpack_store(&blob, sources)?;
    mark("spanscope:decoded");
    next_task().await;
    mark("spanscope:indexing");
    let index = Index::build(&store);
    mark("spanscope:indexed");
    // User-timing entries: visible in the browser's performance panel.
    measure(
        "spanscope: copy session in",
        "spanscope:received",
        "spanscope:copied",
    );
    measure(
        "spanscope: decode session",
        "spanscope:copied",
        "spanscope:decoded",
    );
    measure(
        "spanscope: build index",
        "spanscope:indexing",
        "spanscope:indexed",
    );
    Ok(Session {
        store,
        index,
        report,
    })
}

/// Resolves in a later task, letting the browser render and handle input.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn measure(name: &str, from: &str, to: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.measure_with_start_mark_and_end_mark(name, from, to);
    }
}

/// The worker side: the `spanscope-worker` binary's whole job.
pub fn serve() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let scope = scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(message) = run(&scope, &event.data()).await {
                    let _ = scope.post_message(&encode(&FromWorker::Failed(message)));
                }
                // One load per worker: its memory goes back with it.
                scope.close();
            });
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&encode(&FromWorker::Ready));
}

async fn run(scope: &DedicatedWorkerGlobalScope, request: &JsValue) -> Result<(), String> {
    let files = Array::from(&get(request, "inputs"));
    let count = files.length();
    let mut inputs = Vec::with_capacity(count as usize);
    for (i, file) in files.iter().enumerate() {
        let name = get(&file, "name").as_string().unwrap_or_default();
        let reading = Stage::Reading {
            name: name.clone(),
            number: i as u32 + 1,
            files: count,
        };
        let _ = scope.post_message(&encode(&FromWorker::Stage(reading)));
        let data = get(&file, "data");
        let buffer = match data.dyn_into::<Blob>() {
            Ok(blob) => wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
                .await
                .and_then(|b| b.dyn_into::<ArrayBuffer>())
                .map_err(|e| format!("{name}: the browser could not read the file ({e:?})"))?,
            Err(data) => data
                .dyn_into::<ArrayBuffer>()
                .map_err(|_| format!("{name}: neither a file nor bytes"))?,
        };
        inputs.push(Input::new(name, Uint8Array::new(&buffer).to_vec()));
    }
    let progress_scope = scope.clone();
    let mut last = (0u32, f64::NEG_INFINITY);
    let session = load_with_progress(inputs, move |progress| {
        let now = js_sys::Date::now();
        let new_file = progress.sources != last.0;
        if new_file || progress.finishing || now - last.1 >= PROGRESS_INTERVAL_MS {
            last = (progress.sources, now);
            let _ =
                progress_scope.post_message(&encode(&FromWorker::Stage(Stage::Parsing(progress))));
        }
    });
    let packed = transfer::pack(session)?;
    let envelope = encode(&FromWorker::Done);
    let transfer = Array::new();
    let blob = Uint8Array::from(&packed.blob[..]).buffer();
    transfer.push(&blob);
    set(&envelope, "blob", &blob);
    drop(packed.blob);
    let sources = Array::new();
    for bytes in packed.sources {
        let buffer = Uint8Array::from(&bytes[..]).buffer();
        drop(bytes);
        transfer.push(&buffer);
        sources.push(&buffer);
    }
    set(&envelope, "sources", &sources);
    scope
        .post_message_with_transfer(&envelope, &transfer)
        .map_err(|e| format!("the parsed session could not be sent to the page ({e:?})"))
}
