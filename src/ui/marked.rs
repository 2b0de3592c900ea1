//! Text with the filter's free-text hits marked (`<mark>`), as text nodes
//! only: trace content is untrusted. Where the hits are comes from
//! `analysis::highlight`.

use crate::analysis::highlight::segments;
use yew::prelude::*;

/// `text` with every hit of `needles` in a `<mark>`.
pub fn marked(text: &str, needles: &[String]) -> Html {
    if needles.is_empty() {
        return html! { { text.to_string() } };
    }
    html! {
        { for segments(text, needles).into_iter().map(|(range, hit)| {
            let piece = text.get(range).unwrap_or_default().to_string();
            if hit {
                html! { <mark class="hit" data-testid="hit">{ piece }</mark> }
            } else {
                html! { { piece } }
            }
        }) }
    }
}
