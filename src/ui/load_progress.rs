//! The progress line while files load: what is being opened, how far the
//! parser has got (bytes and spans), a bar, and a Cancel button.

use super::state::Loading;
use crate::display;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LoadProgressProps {
    pub loading: Loading,
    pub on_cancel: Callback<()>,
}

#[component]
pub fn LoadProgress(props: &LoadProgressProps) -> Html {
    let stage = &props.loading.stage;
    let (detail, fraction) = (display::load_stage(stage), stage.fraction());
    let fill = match fraction {
        Some(f) => format!("width:{:.1}%", f * 100.0),
        None => String::new(),
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <div class="progress" data-testid="progress" role="status">
            <span class="progress-what">{ format!("Opening {}", props.loading.what) }</span>
            <span class="progress-track" aria-hidden="true">
                <span class={classes!("progress-fill", fraction.is_none().then_some("indeterminate"))} ~style={fill} />
            </span>
            <span class="progress-detail" data-testid="progress-detail">{ detail }</span>
            <button class="small" onclick={cancel} data-testid="cancel-load">{ "Cancel" }</button>
        </div>
    }
}
