//! Components mounted in a real DOM, in headless Chromium
//! (`wasm-bindgen-test-runner` through chromedriver; see tests/run-all.sh).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use spanscope::load::{load, Input, Session};
use spanscope::ui::trace_list::{TraceList, TraceListProps};
use spanscope::ui::App;
use std::rc::Rc;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::Callback;

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
    let table = Rc::new(spanscope::analysis::trace_table::trace_table(
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

use wasm_bindgen::JsCast;
