//! The question asked when files are dropped (picked or pasted) while
//! others are loaded: add them to the loaded files, so spans of the same
//! trace merge across both, or replace them. Esc or *Cancel* opens nothing.

use crate::web::worker::JobInput;
use std::cell::RefCell;
use web_sys::HtmlElement;
use yew::prelude::*;

/// Files waiting for the answer.
#[derive(Debug)]
pub struct OpenRequest {
    pub names: Vec<String>,
    inputs: RefCell<Option<Vec<JobInput>>>,
}

impl OpenRequest {
    pub fn new(names: Vec<String>, inputs: Vec<JobInput>) -> OpenRequest {
        OpenRequest {
            names,
            inputs: RefCell::new(Some(inputs)),
        }
    }

    /// The inputs, once (a second answer opens nothing).
    pub fn take(&self) -> Option<Vec<JobInput>> {
        self.inputs.borrow_mut().take()
    }

    /// What the progress line says is being opened.
    pub fn what(&self) -> String {
        self.names.join(", ")
    }
}

#[derive(Properties, PartialEq)]
pub struct OpenChoiceProps {
    /// The files dropped.
    pub names: Vec<String>,
    /// The files on screen.
    pub loaded: Vec<String>,
    /// `Some(true)`: add; `Some(false)`: replace; `None`: cancel.
    pub on_answer: Callback<Option<bool>>,
}

#[component]
pub fn OpenChoice(props: &OpenChoiceProps) -> Html {
    let first = use_node_ref();
    {
        // Focus the first answer, so Enter adds and Esc cancels.
        let first = first.clone();
        use_effect_with((), move |_| {
            if let Some(button) = first.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let answer = |choice: Option<bool>| props.on_answer.reform(move |_: MouseEvent| choice);
    let onkeydown = {
        let on_answer = props.on_answer.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_answer.emit(None);
            }
        })
    };
    let list = |names: &[String]| {
        html! { <ul class="file-names">{ for names.iter().map(|n| html! { <li>{ crate::display::label(n) }</li> }) }</ul> }
    };
    html! {
        <div class="overlay" {onkeydown}>
            <div class="overlay-card" role="dialog" aria-modal="true" aria-labelledby="open-choice-title" data-testid="open-choice">
                <h2 id="open-choice-title">{ "Add to the loaded files, or replace them?" }</h2>
                <p class="muted">{ "Opening:" }</p>
                { list(&props.names) }
                <p class="muted">{ "Loaded now:" }</p>
                { list(&props.loaded) }
                <p class="muted">{ "Added files load with the others as one session: spans of the same trace merge." }</p>
                <div class="dialog-actions">
                    <button class="button" ref={first} onclick={answer(Some(true))} data-testid="open-add">{ "Add to loaded files" }</button>
                    <button class="button secondary" onclick={answer(Some(false))} data-testid="open-replace">{ "Replace them" }</button>
                    <button class="small" onclick={answer(None)} data-testid="open-cancel">{ "Cancel" }</button>
                </div>
            </div>
        </div>
    }
}
