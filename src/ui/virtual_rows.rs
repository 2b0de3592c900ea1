//! A virtualised list: only the rows in view (plus a small margin) exist in
//! the DOM, so 100k rows scroll like 30. Rows have a fixed height.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Rows rendered above and below the visible window.
const OVERSCAN: usize = 8;

#[derive(Properties, PartialEq)]
pub struct VirtualRowsProps {
    pub row_count: usize,
    /// Row height in CSS pixels (must match the stylesheet).
    pub row_height: u32,
    /// Renders row `i`; the element it returns is positioned by this list.
    pub render: Callback<usize, Html>,
    /// A row to keep in view (the keyboard selection).
    #[prop_or_default]
    pub keep_visible: Option<usize>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub testid: AttrValue,
}

#[component]
pub fn VirtualRows(props: &VirtualRowsProps) -> Html {
    let container = use_node_ref();
    let scroll_top = use_state(|| 0u32);
    let viewport = use_state(|| 800u32);
    let h = props.row_height.max(1);

    let onscroll = {
        let (container, scroll_top, viewport) =
            (container.clone(), scroll_top.clone(), viewport.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = container.cast::<HtmlElement>() {
                scroll_top.set(el.scroll_top().max(0) as u32);
                viewport.set(el.client_height().max(0) as u32);
            }
        })
    };
    {
        // Measure once mounted, and bring the kept row into view when it changes.
        let (container, viewport) = (container.clone(), viewport.clone());
        use_effect_with(props.keep_visible, move |keep| {
            if let Some(el) = container.cast::<HtmlElement>() {
                viewport.set(el.client_height().max(0) as u32);
                if let Some(row) = *keep {
                    let top = row as i32 * h as i32;
                    let (view_top, view_h) = (el.scroll_top(), el.client_height());
                    if top < view_top {
                        el.set_scroll_top(top);
                    } else if top + h as i32 > view_top + view_h {
                        el.set_scroll_top(top + h as i32 - view_h);
                    }
                }
            }
        });
    }

    let first = (*scroll_top / h) as usize;
    let visible = (*viewport / h) as usize + 1;
    let start = first.saturating_sub(OVERSCAN);
    let end = (first + visible + OVERSCAN).min(props.row_count);
    let rows = (start..end).map(|i| {
        let style = format!("top:{}px;height:{}px", i as u32 * h, h);
        html! { <div class="vrow" key={i} ~style={style}>{ props.render.emit(i) }</div> }
    });
    let inner_style = format!("height:{}px", props.row_count as u32 * h);
    // The scroller is absolutely positioned inside a wrapper that takes the
    // room its parent gives it: its content height never feeds back into the
    // layout, so a 100k-row list cannot stretch its pane.
    html! {
        <div class={classes!("vlist-wrap", props.class.clone())}>
            <div class="vlist" ref={container} {onscroll} data-testid={props.testid.clone()}>
                <div class="vlist-inner" ~style={inner_style}>{ for rows }</div>
            </div>
        </div>
    }
}
