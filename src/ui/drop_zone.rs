//! The landing page: one big drop target (the whole page accepts drops), a
//! file picker and a bundled sample one click away.

use super::app::OpenButton;
use crate::formats::REGISTRY;
use web_sys::File;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    pub on_files: Callback<Vec<File>>,
    pub on_sample: Callback<()>,
}

#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let on_sample = props.on_sample.reform(|e: MouseEvent| e.prevent_default());
    html! {
        <section class="landing" data-testid="drop-zone">
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
            <p class="formats">
                { "Reads: " }
                { REGISTRY.iter().map(|f| f.name).collect::<Vec<_>>().join(" · ") }
                { " — gzip and zip too." }
            </p>
        </section>
    }
}
