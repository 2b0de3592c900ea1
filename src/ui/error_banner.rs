//! Errors the user must see (a file that is not a trace, a failed fetch),
//! each naming the file and what was expected. Dismissable; the page stays usable.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    pub errors: Vec<String>,
    pub on_dismiss: Callback<()>,
}

#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    if props.errors.is_empty() {
        return html! {};
    }
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="error-banner" role="alert" data-testid="error-banner">
            <ul>
                { for props.errors.iter().map(|e| html! { <li>{ e }</li> }) }
            </ul>
            <button class="dismiss" onclick={dismiss} aria-label="Dismiss">{ "×" }</button>
        </div>
    }
}
