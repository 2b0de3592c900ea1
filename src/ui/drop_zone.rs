//! The landing page: one big drop target (the whole page accepts drops), a
//! file picker, an "open from URL" field and a bundled sample one click away.

use super::open_button::OpenButton;
use crate::formats::ABOUT;
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    pub on_files: Callback<Vec<File>>,
    pub on_sample: Callback<()>,
    /// Opens a trace from an http(s) URL.
    pub on_url: Callback<String>,
    /// The local files a link was made from: the page says to drop them.
    #[prop_or_default]
    pub link_files: Vec<String>,
}

#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let url = use_node_ref();
    let on_sample = props.on_sample.reform(|e: MouseEvent| e.prevent_default());
    let onsubmit = {
        let (url, on_url) = (url.clone(), props.on_url.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = url.cast::<HtmlInputElement>() {
                let value = input.value().trim().to_string();
                if !value.is_empty() {
                    on_url.emit(value);
                }
            }
        })
    };
    let names: Vec<&str> = ABOUT.iter().map(|f| f.name).collect();
    html! {
        <section class="landing" data-testid="drop-zone">
            if !props.link_files.is_empty() {
                <div class="link-files" role="status" data-testid="link-files">
                    <strong>{ "This link shows a view of local files." }</strong>
                    { " Links do not carry files: drop " }
                    { for props.link_files.iter().enumerate().map(|(i, name)| html! {
                        <>{ if i > 0 { ", " } else { "" } }<code>{ crate::display::label(name) }</code></>
                    }) }
                    { " here (or open it) to see it." }
                </div>
            }
            <h1>{ "Drop a trace file anywhere on this page" }</h1>
            <p class="lede">
                { "spanscope reads LM-program traces in your browser. Nothing is uploaded: the file never leaves this page." }
            </p>
            <div class="actions">
                <OpenButton on_files={props.on_files.clone()} />
                <a href="#" class="sample-link" data-testid="sample-link" onclick={on_sample}>
                    { "or try a sample (DSPy multi-hop RAG, OTLP JSON)" }
                </a>
            </div>
            <p class="muted">{ "You can also paste a trace (Ctrl+V) anywhere on the page." }</p>
            <form class="url-form" {onsubmit}>
                <input ref={url} type="url" placeholder="https://…/trace.json" aria-label="Trace URL" data-testid="url-input" />
                <button class="small" type="submit">{ "Open URL" }</button>
            </form>
            <p class="formats">{ "Reads: " }{ names.join(" · ") }{ " — gzip and zip too." }</p>
        </section>
    }
}
