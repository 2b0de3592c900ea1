//! The help overlay (`?`): keyboard shortcuts and the filter language (its
//! fields and the README's examples).

use crate::index::filter::{EXAMPLES, FIELD_HELP};
use web_sys::HtmlElement;
use yew::prelude::*;

/// Every shortcut, as shown to the user.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("j / ↓", "next trace or span"),
    ("k / ↑", "previous trace or span"),
    ("PageDown / PageUp", "move 20 rows"),
    (
        "Enter",
        "open the trace's span tree; on an LM span, its LM call; on a retriever, its documents",
    ),
    ("Esc", "back: close the span, then the trace"),
    ("/", "focus the filter"),
    ("↓ ↑ Enter Tab", "in the filter: pick a suggestion"),
    ("?", "show or hide this help"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = use_node_ref();
    {
        // Focus moves into the dialog: Enter closes it, Esc too.
        let close = close.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    html! {
        <div class="overlay">
            <div class="overlay-card help" role="dialog" aria-modal="true" aria-label="Help" data-testid="help">
                <h2>{ "Keyboard shortcuts" }</h2>
                <table class="kv">
                    { for SHORTCUTS.iter().map(|(k, v)| html! { <tr><th><kbd>{ *k }</kbd></th><td>{ *v }</td></tr> }) }
                </table>
                <h2>{ "Filter" }</h2>
                <p class="muted">{ "Filters spans, and lists the traces that hold them. Terms side by side must all match." }</p>
                <table class="kv" data-testid="help-filter-examples">
                    { for EXAMPLES.iter().map(|(k, v)| html! { <tr><th><code>{ *k }</code></th><td>{ *v }</td></tr> }) }
                </table>
                <h3>{ "Fields" }</h3>
                <table class="kv" data-testid="help-filter-fields">
                    { for FIELD_HELP.iter().map(|(k, v)| html! { <tr><th><code>{ *k }</code></th><td>{ *v }</td></tr> }) }
                </table>
                <button class="button" ref={close} onclick={props.on_close.clone()}>{ "Close" }</button>
            </div>
        </div>
    }
}
