//! The keyboard shortcut overlay (`?`).

use yew::prelude::*;

/// Every shortcut, as shown to the user.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("j / ↓", "next trace or span"),
    ("k / ↑", "previous trace or span"),
    ("PageDown / PageUp", "move 20 rows"),
    (
        "Enter",
        "open the trace's span tree; on an LM span, its LM call",
    ),
    ("Esc", "back: close the span, then the trace"),
    ("/", "focus the filter"),
    ("?", "show or hide this help"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    html! {
        <div class="overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="help">
            <div class="overlay-card">
                <h2>{ "Keyboard shortcuts" }</h2>
                <table class="kv">
                    { for SHORTCUTS.iter().map(|(k, v)| html! { <tr><th><kbd>{ *k }</kbd></th><td>{ *v }</td></tr> }) }
                </table>
                <button class="button" onclick={props.on_close.clone()}>{ "Close" }</button>
            </div>
        </div>
    }
}
