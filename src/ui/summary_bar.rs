//! `N traces · M spans · K LM calls · E errors` for everything loaded.

use crate::display;
use crate::load::Counts;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SummaryBarProps {
    pub counts: Counts,
}

#[component]
pub fn SummaryBar(props: &SummaryBarProps) -> Html {
    html! {
        <span class="summary" data-testid="load-summary">{ display::summary_line(&props.counts) }</span>
    }
}
