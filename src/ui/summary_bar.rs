//! `N traces · F failed · M spans · K LM calls` for everything loaded.

use crate::display;
use crate::load::Counts;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SummaryBarProps {
    pub counts: Counts,
    /// Failed requests (traces), not error spans.
    pub failed: u64,
}

#[component]
pub fn SummaryBar(props: &SummaryBarProps) -> Html {
    html! {
        <span class="summary" data-testid="load-summary">{ display::summary_line(&props.counts, props.failed) }</span>
    }
}
