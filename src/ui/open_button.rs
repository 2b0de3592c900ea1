//! A button that opens the browser's file picker (several files allowed).

use crate::web;
use web_sys::File;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OpenButtonProps {
    pub on_files: Callback<Vec<File>>,
}

#[component]
pub fn OpenButton(props: &OpenButtonProps) -> Html {
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                let files = web::files_from_input(&input);
                input.set_value("");
                if !files.is_empty() {
                    on_files.emit(files);
                }
            }
        })
    };
    html! {
        <label class="button">
            { "Open files…" }
            <input type="file" multiple=true class="visually-hidden" data-testid="file-input" {onchange} />
        </label>
    }
}
