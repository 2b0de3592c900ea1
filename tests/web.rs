//! Components mounted in a real DOM, in headless Chromium
//! (`wasm-bindgen-test-runner` through chromedriver; see tests/run-all.sh).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use spanscope::analysis::trace_table::trace_table;
use spanscope::load::{load, Input, Session};
use spanscope::ui::filter_bar::FilterBar;
use spanscope::ui::trace_list::{TraceList, TraceListProps};
use spanscope::ui::App;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const RAG: &[u8] = include_bytes!("fixtures/otlp-json/dspy-rag.openinference.otlp-http-json.json");

fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn session() -> Rc<Session> {
    Rc::new(load(vec![Input::new("rag.json", RAG.to_vec())]))
}

#[wasm_bindgen_test]
async fn trace_list_renders_one_row_per_trace_earliest_first() {
    let root = mount_point();
    let session = session();
    let table = Rc::new(trace_table(
        &session.store,
        &session.index,
        "",
        Default::default(),
        false,
    ));
    let props = TraceListProps {
        session,
        table,
        sort: Default::default(),
        descending: false,
        on_sort: Callback::noop(),
        selected: None,
        on_select: Callback::noop(),
        compact: false,
    };
    yew::Renderer::<TraceList>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;

    let rows = root.query_selector_all("[data-testid=trace-row]").unwrap();
    assert_eq!(rows.length(), 4);
    let first: Element = rows.get(0).unwrap().unchecked_into();
    let name = first.query_selector(".name").unwrap().unwrap();
    assert_eq!(name.text_content().unwrap(), "RAG.forward");
    // Rows are in start order: each start cell sorts after the previous one.
    let starts: Vec<String> = (0..rows.length())
        .map(|i| {
            let row: Element = rows.get(i).unwrap().unchecked_into();
            row.query_selector(".time")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[wasm_bindgen_test]
async fn app_starts_on_the_drop_zone() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert!(root
        .query_selector("[data-testid=drop-zone]")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector("[data-testid=file-input]")
        .unwrap()
        .is_some());
    assert!(root
        .query_selector("[data-testid=load-summary]")
        .unwrap()
        .is_none());
}

// --- the filter box across re-renders, and key handling ---

#[derive(Properties)]
struct FilterHostProps {
    session: Rc<Session>,
}

impl PartialEq for FilterHostProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
    }
}

/// The filter bar as the app wires it: its text is state above it, and
/// every change recomputes the table it shows (errors, facets, counts).
#[component]
fn FilterHost(props: &FilterHostProps) -> Html {
    let filter = use_state(String::new);
    let session = props.session.clone();
    let table = use_memo((*filter).clone(), move |f| {
        trace_table(&session.store, &session.index, f, Default::default(), false)
    });
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |f: String| filter.set(f))
    };
    html! {
        <FilterBar session={props.session.clone()} {table} filter={AttrValue::from((*filter).clone())} {on_filter} />
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// What a browser does for one typed character: the value changes, the
/// caret moves, an `input` event bubbles.
fn type_char(input: &HtmlInputElement, c: char, composing: bool) {
    let value = format!("{}{c}", input.value());
    input.set_value(&value);
    let end = value.encode_utf16().count() as u32;
    input.set_selection_range(end, end).unwrap();
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    init.set_data(Some(&c.to_string()));
    init.set_input_type("insertText");
    init.set_is_composing(composing);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

fn filter_input(root: &Element) -> HtmlInputElement {
    root.query_selector("[data-testid=filter-input]")
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn text_of(root: &Element, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
}

#[wasm_bindgen_test]
async fn the_filter_input_is_one_element_while_errors_and_suggestions_come_and_go() {
    let root = mount_point();
    yew::Renderer::<FilterHost>::with_root_and_props(
        root.clone(),
        FilterHostProps { session: session() },
    )
    .render();
    yew::scheduler::flush().await;
    let input = filter_input(&root);
    input.focus().unwrap();
    yew::scheduler::flush().await;
    let typed = "status:error kind:llm dur>1ms \"RAG\"";
    let (mut saw_error, mut saw_suggestions) = (false, false);
    for (i, c) in typed.char_indices() {
        type_char(&input, c, false);
        yew::scheduler::flush().await;
        let now = filter_input(&root);
        assert!(
            now.is_same_node(Some(&input)),
            "the input was replaced after {:?}",
            &typed[..=i]
        );
        let active = document().active_element().unwrap();
        assert!(
            active.is_same_node(Some(&input)),
            "focus left the input after {:?}",
            &typed[..=i]
        );
        assert_eq!(now.value(), typed[..i + c.len_utf8()]);
        saw_error |= root
            .query_selector("[data-testid=filter-error]")
            .unwrap()
            .is_some();
        saw_suggestions |= root
            .query_selector("[data-testid=suggestions]")
            .unwrap()
            .is_some();
    }
    assert!(saw_error, "an unfinished filter showed its error");
    assert!(saw_suggestions, "suggestions showed while typing");
    assert!(root
        .query_selector("[data-testid=filter-error]")
        .unwrap()
        .is_none());
    assert_eq!(
        text_of(&root, "[data-testid=filter-count]").as_deref(),
        Some("0 traces · 0 matching spans")
    );
    // Keys faster than renders: nothing typed is written over.
    for c in " OR kind:chain".chars() {
        type_char(&input, c, false);
    }
    yew::scheduler::flush().await;
    assert_eq!(
        filter_input(&root).value(),
        format!("{typed} OR kind:chain")
    );
    assert!(filter_input(&root).is_same_node(Some(&input)));
    assert_ne!(
        text_of(&root, "[data-testid=filter-count]").as_deref(),
        Some("0 traces · 0 matching spans")
    );
}

#[wasm_bindgen_test]
async fn composing_text_is_sent_when_the_composition_ends() {
    let root = mount_point();
    yew::Renderer::<FilterHost>::with_root_and_props(
        root.clone(),
        FilterHostProps { session: session() },
    )
    .render();
    yew::scheduler::flush().await;
    let input = filter_input(&root);
    input.focus().unwrap();
    let all = text_of(&root, "[data-testid=filter-count]");
    for c in "name:検索".chars() {
        type_char(&input, c, true);
        yew::scheduler::flush().await;
    }
    // Nothing filtered mid-composition, and nothing re-rendered the box.
    assert_eq!(text_of(&root, "[data-testid=filter-count]"), all);
    assert_eq!(filter_input(&root).value(), "name:検索");
    let init = web_sys::CompositionEventInit::new();
    init.set_bubbles(true);
    init.set_data("検索");
    let end = web_sys::CompositionEvent::new_with_event_init_dict("compositionend", &init).unwrap();
    input.dispatch_event(&end).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        text_of(&root, "[data-testid=filter-count]").as_deref(),
        Some("0 traces · 0 matching spans")
    );
    assert!(filter_input(&root).is_same_node(Some(&input)));
}

/// Dispatches a key press; true when the page left it to the browser.
fn press(target: &Element, key: &str) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap()
}

#[wasm_bindgen_test]
async fn shortcuts_leave_enter_to_links_buttons_and_fields() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    // The app listens once mounted (its effects have run).
    yew::scheduler::flush().await;
    let q = |s: &str| root.query_selector(s).unwrap().unwrap();
    let link = q("[data-testid=sample-link]");
    assert!(
        press(&link, "Enter"),
        "Enter on the sample link is the link's"
    );
    let button = q("button[aria-label='Keyboard shortcuts']");
    assert!(press(&button, "Enter"), "Enter on a button is the button's");
    assert!(press(&button, " "), "Space on a button is the button's");
    let url = q("[data-testid=url-input]");
    assert!(press(&url, "j"), "typing j into a field is typing");
    assert!(press(&url, "?"), "typing ? into a field is typing");
    // On the page itself, the shortcuts work: `?` opens the help…
    let body: Element = document().body().unwrap().into();
    assert!(!press(&body, "?"), "? on the page is a shortcut");
    yew::scheduler::flush().await;
    assert!(root.query_selector("[data-testid=help]").unwrap().is_some());
    // …whose Close button has focus: Enter is the dialog's, j does nothing.
    let close = document().active_element().unwrap();
    assert_eq!(close.text_content().as_deref(), Some("Close"));
    assert!(press(&close, "Enter"));
    assert!(press(&close, "j"));
    assert!(!press(&close, "Escape"), "Esc closes the dialog");
    yew::scheduler::flush().await;
    assert!(root.query_selector("[data-testid=help]").unwrap().is_none());
    // A key a component already handled is left alone.
    let handled = web_sys::KeyboardEventInit::new();
    handled.set_key("Enter");
    handled.set_bubbles(true);
    handled.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &handled).unwrap();
    event.prevent_default();
    assert!(!body.dispatch_event(&event).unwrap());
}

#[wasm_bindgen_test]
fn key_targets_are_classified_by_what_they_are() {
    use spanscope::web::{key_target, KeyTarget};
    let root = mount_point();
    root.set_inner_html(
        r#"<a href="x" id="a"><span id="in-a">x</span></a><button id="b">b</button>
        <input id="t"><input type="checkbox" id="c"><textarea id="ta"></textarea>
        <div id="d">d</div><div role="dialog"><p id="p">p</p><input id="di"></div>"#,
    );
    let el = |id: &str| document().get_element_by_id(id).unwrap();
    assert_eq!(key_target(&el("a")), KeyTarget::Control);
    assert_eq!(key_target(&el("in-a")), KeyTarget::Control);
    assert_eq!(key_target(&el("b")), KeyTarget::Control);
    assert_eq!(key_target(&el("c")), KeyTarget::Control);
    assert_eq!(key_target(&el("t")), KeyTarget::TextField);
    assert_eq!(key_target(&el("ta")), KeyTarget::TextField);
    assert_eq!(key_target(&el("d")), KeyTarget::Page);
    assert_eq!(key_target(&el("p")), KeyTarget::Dialog);
    assert_eq!(key_target(&el("di")), KeyTarget::TextField);
}

/// An answer whose body streams `len` bytes, with the given headers.
fn answer(len: usize, headers: &[(&str, &str)]) -> web_sys::Response {
    let bytes = js_sys::Uint8Array::from(&vec![b'x'; len][..]);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&bytes)).unwrap();
    let init = web_sys::ResponseInit::new();
    let list = web_sys::Headers::new().unwrap();
    for (name, value) in headers {
        list.set(name, value).unwrap();
    }
    init.set_headers(&list);
    web_sys::Response::new_with_opt_readable_stream_and_init(Some(&blob.stream()), &init).unwrap()
}

/// A `#url=` download is bounded: by Content-Length before reading, and
/// by counting when the server does not say (or says less than it sends).
#[wasm_bindgen_test]
async fn downloads_stop_at_the_limit_and_say_so() {
    use spanscope::download::DownloadError;
    use spanscope::web::read_response;
    let url = "https://example.org/t.json";
    let ignore = |_, _| {};
    let read = |len, headers: &'static [(&'static str, &'static str)], limit| async move {
        read_response(url, &answer(len, headers), limit, ignore).await
    };
    let whole = read(300_000, &[], 1 << 20).await.unwrap();
    assert_eq!(whole.buffer.byte_length(), 300_000);
    let declared = read(10, &[("content-length", "5000000000")], 1 << 20).await;
    assert!(matches!(
        declared,
        Err(DownloadError::TooLarge {
            declared: true,
            bytes: 5_000_000_000,
            ..
        })
    ));
    let streamed = read(300_000, &[], 100_000).await;
    let error = streamed.err().unwrap();
    assert!(matches!(
        error,
        DownloadError::TooLarge {
            declared: false,
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .contains("more than the 100 kB a link may download"),
        "{error}"
    );
    // A server that declares less than it sends (a compressed transfer)
    // still arrives whole.
    let more = read(300_000, &[("content-length", "1000")], 1 << 20)
        .await
        .unwrap();
    assert_eq!(more.buffer.byte_length(), 300_000);
}
