//! The only code that touches the browser: reading dropped or picked files,
//! fetching bytes, and page-level drag-and-drop listeners.

pub mod worker;

use crate::download::{self, DownloadError, MAX_DOWNLOAD_BYTES};
use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};
use worker::JobInput;

/// Files as loads for the parsing worker, which reads them itself: the
/// page never holds their bytes.
pub fn file_inputs(files: Vec<File>) -> Vec<JobInput> {
    (files.into_iter())
        .map(|file| JobInput {
            name: file.name(),
            data: file.into(),
            note: None,
        })
        .collect()
}

/// A downloaded file: its bytes (a browser buffer, handed to the parsing
/// worker without a copy) and the address they came from after redirects.
pub struct Fetched {
    pub buffer: js_sys::ArrayBuffer,
    pub final_url: String,
}

/// Fetches a URL's bytes, calling `on_progress(received, total)` as they
/// arrive (`total` is the Content-Length, 0 when the server does not say).
/// `abort` stops the request. At most `download::MAX_DOWNLOAD_BYTES`, by
/// Content-Length and as counted; errors say what failed and how to fix it.
pub async fn fetch_buffer(
    url: &str,
    abort: &web_sys::AbortSignal,
    on_progress: impl Fn(u64, u64),
) -> Result<Fetched, DownloadError> {
    let window = web_sys::window().ok_or_else(|| DownloadError::Browser {
        url: url.into(),
        reason: "no window".into(),
    })?;
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(abort));
    let request = window.fetch_with_str_and_init(url, &init);
    // A rejected fetch had no answer at all (network, CORS, or Cancel).
    let response = JsFuture::from(request)
        .await
        .map_err(|_| DownloadError::Network { url: url.into() })?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| DownloadError::Browser {
        url: url.into(),
        reason: "fetch returned no response".into(),
    })?;
    read_response(url, &response, MAX_DOWNLOAD_BYTES, on_progress).await
}

/// Reads an answer's body into one buffer, refusing more than `limit`
/// bytes (by Content-Length before reading, then as counted). On any
/// error the stream is cancelled and every chunk read so far is let go.
pub async fn read_response(
    url: &str,
    response: &web_sys::Response,
    limit: u64,
    on_progress: impl Fn(u64, u64),
) -> Result<Fetched, DownloadError> {
    let final_url = Some(response.url()).filter(|u| !u.is_empty());
    let final_url = final_url.unwrap_or_else(|| url.to_string());
    let declared: Option<u64> = (response.headers().get("content-length").ok().flatten())
        .and_then(|v| v.trim().parse().ok());
    let refused = if !response.ok() {
        Err(DownloadError::Http {
            url: url.into(),
            status: response.status(),
            status_text: response.status_text(),
        })
    } else {
        download::check_declared(url, declared, limit)
    };
    if let Err(refused) = refused {
        // Close the connection: nothing of this body will be read.
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(refused);
    }
    let total = declared.unwrap_or(0);
    let Some(body) = response.body() else {
        let buffer = js_sys::ArrayBuffer::new(0);
        return Ok(Fetched { buffer, final_url });
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let result = read_all(url, &reader, declared, limit, &|received| {
        on_progress(received, total)
    })
    .await;
    if result.is_err() {
        // Stop the transfer; the chunks held went with `read_all`'s frame.
        let _ = reader.cancel();
    }
    result.map(|buffer| Fetched { buffer, final_url })
}

async fn read_all(
    url: &str,
    reader: &web_sys::ReadableStreamDefaultReader,
    declared: Option<u64>,
    limit: u64,
    on_progress: &dyn Fn(u64),
) -> Result<js_sys::ArrayBuffer, DownloadError> {
    let mut sink = Sink::new(url, declared)?;
    let (mut received, mut reported) = (0u64, f64::NEG_INFINITY);
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|_| DownloadError::BrokenOff {
                url: url.into(),
                received,
            })?;
        let done = js_sys::Reflect::get(&step, &"done".into()).ok();
        if done.and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| DownloadError::Browser {
                url: url.into(),
                reason: "the body is not bytes".into(),
            })?;
        received += u64::from(chunk.length());
        download::check_received(url, received, limit)?;
        sink.push(chunk);
        let now = js_sys::Date::now();
        if now - reported >= worker::PROGRESS_INTERVAL_MS {
            reported = now;
            on_progress(received);
        }
    }
    on_progress(received);
    sink.finish(url, received)
}

/// Where a body's chunks go: straight into one buffer of the declared
/// length (no second copy), else kept until the end and joined once.
struct Sink {
    whole: Option<(js_sys::Uint8Array, u32)>,
    chunks: Vec<js_sys::Uint8Array>,
}

impl Sink {
    fn new(url: &str, declared: Option<u64>) -> Result<Sink, DownloadError> {
        let whole = match declared {
            Some(len) if len > 0 => Some((allocate(url, len)?, 0)),
            _ => None,
        };
        Ok(Sink {
            whole,
            chunks: Vec::new(),
        })
    }

    fn push(&mut self, chunk: js_sys::Uint8Array) {
        if let Some((whole, at)) = &mut self.whole {
            if let Some(end) = at
                .checked_add(chunk.length())
                .filter(|&e| e <= whole.length())
            {
                whole.set(&chunk, *at);
                *at = end;
                return;
            }
            // More than the server declared (a compressed transfer): join at the end.
            self.chunks.push(whole.subarray(0, *at));
            self.whole = None;
        }
        self.chunks.push(chunk);
    }

    fn finish(self, url: &str, received: u64) -> Result<js_sys::ArrayBuffer, DownloadError> {
        if let Some((whole, at)) = self.whole {
            return Ok(if at == whole.length() {
                whole.buffer()
            } else {
                whole.slice(0, at).buffer()
            });
        }
        let whole = allocate(url, received)?;
        let mut at = 0u32;
        for chunk in &self.chunks {
            // In bounds: the chunks add up to `received`.
            whole.set(chunk, at);
            at += chunk.length();
        }
        Ok(whole.buffer())
    }
}

/// A zeroed buffer of `len` bytes, or the browser's refusal (a RangeError
/// when it cannot find the memory) as an error instead of a crash.
fn allocate(url: &str, len: u64) -> Result<js_sys::Uint8Array, DownloadError> {
    let refused = |reason: String| DownloadError::OutOfMemory {
        url: url.into(),
        bytes: len,
        reason,
    };
    let len = u32::try_from(len).map_err(|_| refused("over 4 GiB".into()))?;
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"Uint8Array".into())
            .ok()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(|| refused("no Uint8Array".into()))?;
    js_sys::Reflect::construct(&constructor, &js_sys::Array::of1(&len.into()))
        .map_err(|e| refused(js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| refused("not a Uint8Array".into()))
}

/// A thrown JavaScript value as text (`RangeError: Array buffer allocation failed`).
fn js_error_text(error: &wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.to_string()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
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

/// Copies text to the clipboard (best effort: browsers may refuse).
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Copies text to the clipboard and says whether the browser allowed it.
pub async fn copy_text_checked(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.is_ok()
}

/// Listens for an event yew has no attribute for (`compositionend`) on an
/// element, for as long as the returned guard lives.
pub fn listen(
    target: &web_sys::EventTarget,
    event: &'static str,
    f: impl FnMut(&web_sys::Event) + 'static,
) -> EventListener {
    EventListener::new(target, event, f)
}

/// Watches an element's width (CSS pixels of its content box); stops when
/// dropped.
pub struct WidthWatch {
    observer: web_sys::ResizeObserver,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
}

impl Drop for WidthWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Calls `f(width)` now and whenever the element's width changes.
pub fn watch_width(el: &web_sys::Element, f: impl Fn(f64) + 'static) -> Option<WidthWatch> {
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
        move |entries: js_sys::Array| {
            let entry = entries
                .get(0)
                .dyn_into::<web_sys::ResizeObserverEntry>()
                .ok();
            if let Some(entry) = entry {
                f(entry.content_rect().width());
            }
        },
    );
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(el);
    Some(WidthWatch {
        observer,
        _callback: callback,
    })
}

/// Runs `f` once, before the next frame is painted (after this one's
/// layout): for work spread over frames so the page keeps painting.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// Runs `f` once after `millis` milliseconds.
pub fn after(millis: i32, f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), millis);
}

/// The current location hash, with its `#`.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's address without its hash (a link is this plus a view's hash).
pub fn page_address() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((page, _)) => page.to_string(),
        None => href,
    }
}

/// Writes the hash into the address bar: a new history entry when `push`
/// (so Back returns to the previous view), else a replacement.
pub fn set_location_hash(hash: &str, push: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if location_hash() == hash {
        return;
    }
    let target = if hash.is_empty() {
        window.location().pathname().unwrap_or_default()
            + &window.location().search().unwrap_or_default()
    } else {
        hash.to_string()
    };
    if let Ok(history) = window.history() {
        let _ = if push {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target))
        };
    }
}

/// Calls `f(hash)` when the user goes back/forward or edits the hash.
pub fn listen_for_navigation(f: impl Fn(String) + 'static) -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let f = std::rc::Rc::new(f);
    let g = f.clone();
    vec![
        EventListener::new(&window, "popstate", move |_| f(location_hash())),
        EventListener::new(&window, "hashchange", move |_| g(location_hash())),
    ]
}

/// What a key press went to. Global shortcuts act only on the page itself:
/// a text field keeps its keys, a link or button keeps Enter and Space, a
/// dialog keeps everything but Escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTarget {
    /// The page (body, a row, the waterfall).
    Page,
    /// Something typed into: an input, a text area, a select, editable text.
    TextField,
    /// Something Enter or Space activates: a link, a button, a summary…
    Control,
    /// Anything inside a dialog.
    Dialog,
}

/// A key press and what it went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPress {
    pub key: String,
    pub target: KeyTarget,
    pub modifier: bool,
}

/// Elements Enter or Space activate.
const CONTROLS: &str = "a[href], button, summary, label, [role=button], [role=link], [role=tab], [role=option], [role=checkbox], [role=menuitem]";
/// Input types that are pressed, not typed into.
const PRESSED_INPUTS: &[&str] = &[
    "button", "submit", "reset", "checkbox", "radio", "file", "color", "image",
];

/// Classifies the element a key event went to.
pub fn key_target(el: &web_sys::Element) -> KeyTarget {
    let tag = el.tag_name();
    let typed = match tag.as_str() {
        "INPUT" => {
            let kind = el
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            !PRESSED_INPUTS.contains(&kind.as_str())
        }
        "TEXTAREA" | "SELECT" => true,
        _ => el
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|h| h.is_content_editable()),
    };
    if typed {
        return KeyTarget::TextField;
    }
    if el
        .closest("[role=dialog], [role=alertdialog], dialog")
        .ok()
        .flatten()
        .is_some()
    {
        return KeyTarget::Dialog;
    }
    let control = tag == "INPUT" || el.closest(CONTROLS).ok().flatten().is_some();
    if control {
        KeyTarget::Control
    } else {
        KeyTarget::Page
    }
}

/// Calls `f` for every key press on the page that no element handled
/// first (a component that uses a key calls `preventDefault`); when `f`
/// returns true the browser's default action is prevented.
pub fn listen_for_keys(f: impl Fn(KeyPress) -> bool + 'static) -> EventListener {
    let document = web_sys::window().and_then(|w| w.document());
    let target: web_sys::EventTarget = match document {
        Some(d) => d.into(),
        None => web_sys::EventTarget::new()
            .unwrap_or_else(|_| wasm_bindgen::JsValue::NULL.unchecked_into()),
    };
    EventListener::new_with_options(
        &target,
        "keydown",
        EventListenerOptions::enable_prevent_default(),
        move |e| {
            let Some(event) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                return;
            };
            if event.default_prevented() || event.is_composing() {
                return;
            }
            let target = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map_or(KeyTarget::Page, |el| key_target(&el));
            let press = KeyPress {
                key: event.key(),
                target,
                modifier: event.ctrl_key() || event.meta_key() || event.alt_key(),
            };
            if f(press) {
                event.prevent_default();
            }
        },
    )
}

/// Focuses the first element matching a CSS selector.
pub fn focus(selector: &str) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Marks the page as listening (`<html data-spanscope="ready">`): drops,
/// pastes and keys now reach the app. For tests and embedding pages.
pub fn announce_ready() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("data-spanscope", "ready");
    }
}

/// Sets the colour theme on the document (`light`, `dark`, or the system's).
pub fn set_theme(theme: Option<&str>) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = match theme {
            Some(t) => root.set_attribute("data-theme", t),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// Calls `f(text)` when the user pastes text on the page outside a text
/// field (a trace copied from a terminal or an API response).
pub fn listen_for_paste(f: impl Fn(String) + 'static) -> Option<EventListener> {
    let document = web_sys::window().and_then(|w| w.document())?;
    Some(EventListener::new(&document, "paste", move |e| {
        let Some(event) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
            return;
        };
        let in_field = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"));
        if in_field {
            return;
        }
        let text = event
            .clipboard_data()
            .and_then(|d| d.get_data("text").ok())
            .unwrap_or_default();
        if !text.trim().is_empty() {
            f(text);
        }
    }))
}
