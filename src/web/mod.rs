//! The only code that touches the browser: reading dropped or picked files,
//! fetching bytes, and page-level drag-and-drop listeners.

pub mod worker;

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
        })
        .collect()
}

/// Fetches a URL's bytes (kept as a browser buffer, handed to the parsing
/// worker without a copy), calling `on_progress(received, total)` as they
/// arrive (`total` is the Content-Length, 0 when the server does not say).
/// `abort` stops the request. Errors say what failed and how to fix it.
pub async fn fetch_buffer(
    url: &str,
    abort: &web_sys::AbortSignal,
    on_progress: impl Fn(u64, u64),
) -> Result<js_sys::ArrayBuffer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(abort));
    let request = window.fetch_with_str_and_init(url, &init);
    let response = JsFuture::from(request).await.map_err(|_| {
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
    let total: u64 = (response.headers().get("content-length").ok().flatten())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let Some(body) = response.body() else {
        return Ok(js_sys::ArrayBuffer::new(0));
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let chunks = js_sys::Array::new();
    let (mut received, mut reported) = (0u64, f64::NEG_INFINITY);
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(|_| {
            format!("{url}: the download broke off after {received} bytes; try again")
        })?;
        let done = js_sys::Reflect::get(&step, &"done".into()).ok();
        if done.and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| format!("{url}: the body is not bytes"))?;
        received += u64::from(chunk.length());
        chunks.push(&chunk);
        let now = js_sys::Date::now();
        if now - reported >= worker::PROGRESS_INTERVAL_MS {
            reported = now;
            on_progress(received, total);
        }
    }
    on_progress(received, total);
    let whole = js_sys::Uint8Array::new_with_length(received.min(u64::from(u32::MAX)) as u32);
    let mut at = 0;
    for chunk in chunks.iter() {
        let chunk = js_sys::Uint8Array::from(chunk);
        whole.set(&chunk, at);
        at += chunk.length();
    }
    Ok(whole.buffer())
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

/// The page's full address (for the "copy link" button).
pub fn location_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
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
