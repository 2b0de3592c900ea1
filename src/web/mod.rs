//! The only code that touches the browser: reading dropped or picked files,
//! fetching bytes, and page-level drag-and-drop listeners.

use crate::load::Input;
use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

/// Reads files into memory, in the order given.
pub async fn read_files(files: Vec<File>) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::with_capacity(files.len());
    for file in files {
        let name = file.name();
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|e| format!("{name}: the browser could not read the file ({e:?})"))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        inputs.push(Input::new(name, bytes));
    }
    Ok(inputs)
}

/// Fetches a URL's bytes; errors say what failed and how to fix it.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|_| {
        format!("{url}: the request failed (offline, blocked, or the server does not allow cross-origin reads: CORS)")
    })?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "fetch returned no response")?;
    if !response.ok() {
        return Err(format!(
            "{url}: the server answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let promise = response
        .array_buffer()
        .map_err(|_| format!("{url}: the body cannot be read"))?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|_| format!("{url}: the body could not be read to the end"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn file_list(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The files picked in an `<input type=file>`.
pub fn files_from_input(input: &HtmlInputElement) -> Vec<File> {
    file_list(input.files())
}

/// Listens for files dragged anywhere over the page. `on_hover(true)` while
/// files are over the page, `on_drop(files)` when they are dropped. The
/// listeners live as long as the returned guard.
pub fn listen_for_drops(
    on_hover: impl Fn(bool) + 'static,
    on_drop: impl Fn(Vec<File>) + 'static,
) -> Vec<EventListener> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let active = EventListenerOptions::enable_prevent_default();
    let on_hover = std::rc::Rc::new(on_hover);
    let hover_in = on_hover.clone();
    let hover_out = on_hover.clone();
    vec![
        EventListener::new_with_options(&document, "dragover", active, move |e| {
            e.prevent_default();
            hover_in(true);
        }),
        EventListener::new_with_options(&document, "dragleave", active, move |e| {
            // Leaving to outside the window has no related target.
            let leaving = e
                .dyn_ref::<DragEvent>()
                .is_some_and(|d| d.related_target().is_none());
            if leaving {
                hover_out(false);
            }
        }),
        EventListener::new_with_options(&document, "drop", active, move |e| {
            e.prevent_default();
            on_hover(false);
            let files = e
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer)
                .map(|dt| file_list(dt.files()))
                .unwrap_or_default();
            if !files.is_empty() {
                on_drop(files);
            }
        }),
    ]
}
