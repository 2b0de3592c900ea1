//! Tables that can grow without bound (a row per span name, per model, per
//! LM call, per attribute) show their first rows and a *Show more* button,
//! so 100k distinct names cost a page of rows, not 100k.

use crate::display;
use yew::prelude::*;

/// Rows shown at first, and added by each *Show more*.
pub const STEP: usize = 200;

/// How many rows a table shows now.
#[hook]
pub fn use_row_limit() -> UseStateHandle<usize> {
    use_state_eq(|| STEP)
}

/// The line under a capped table: how many rows of how many, and a button
/// for more. Empty when every row is shown.
pub fn more_rows(limit: &UseStateHandle<usize>, total: usize, noun: &str) -> Html {
    if total <= **limit {
        return html! {};
    }
    let onclick = {
        let limit = limit.clone();
        Callback::from(move |_: MouseEvent| limit.set(*limit + STEP))
    };
    html! {
        <div class="more-rows" data-testid="more-rows">
            <span class="muted">{ display::rows_shown(**limit, total, noun) }</span>
            <button class="small" {onclick} data-testid="show-more">{ display::show_more(STEP.min(total - **limit)) }</button>
        </div>
    }
}
