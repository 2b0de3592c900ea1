//! What-if prices: the price per million tokens of each model in the listed
//! LM calls, from the bundled table (its source and date shown) or set here.
//! A price set here wins over the table and over costs the file reports.

use super::row_limit::{more_rows, use_row_limit};
use crate::analysis::prices::{Price, PriceOrigin, PriceTable};
use crate::display;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PriceEditorProps {
    /// Models as the file names them.
    pub models: Vec<String>,
    pub prices: Rc<PriceTable>,
    pub on_price: Callback<(String, Price)>,
    pub on_reset: Callback<()>,
}

#[component]
pub fn PriceEditor(props: &PriceEditorProps) -> Html {
    let limit = use_row_limit();
    let rows = props.models.iter().take(*limit).map(|model| {
        let found = props.prices.lookup(model);
        let price = found.map(|(e, _)| e.price);
        let origin = match found.map(|(_, o)| o) {
            Some(PriceOrigin::Override) => "what-if",
            Some(_) => "price table",
            None => "not in the table",
        };
        let field = |label: &'static str, value: Option<f64>, set: fn(&mut Price, f64)| {
            let (model, on_price) = (model.clone(), props.on_price.clone());
            let base = price.unwrap_or(Price::new(0.0, 0.0, 0.0));
            let onchange = Callback::from(move |e: Event| {
                let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
                if let Ok(v) = input.value().trim().parse::<f64>() {
                    if v.is_finite() && v >= 0.0 {
                        let mut next = base;
                        set(&mut next, v);
                        on_price.emit((model.clone(), next));
                    }
                }
            });
            html! {
                <td class="num">
                    <input class="price" type="number" min="0" step="0.01" aria-label={label}
                        value={value.map(|v| v.to_string()).unwrap_or_default()} {onchange} />
                </td>
            }
        };
        html! {
            <tr data-testid="price-row" data-model={display::label(model)}>
                <td>{ display::label(model) }</td>
                { field("input USD per 1M tokens", price.map(|p| p.input_per_mtok), |p, v| p.input_per_mtok = v) }
                { field("cached input USD per 1M tokens", price.map(|p| p.cached_input_per_mtok), |p, v| p.cached_input_per_mtok = v) }
                { field("output USD per 1M tokens", price.map(|p| p.output_per_mtok), |p, v| p.output_per_mtok = v) }
                <td class="muted">{ origin }</td>
            </tr>
        }
    });
    let reset = props.on_reset.reform(|_: MouseEvent| ());
    html! {
        <section class="price-editor" data-testid="prices">
            <h3>{ "Prices (USD per 1M tokens) — edit for a what-if" }</h3>
            <table class="data">
                <thead><tr><th>{ "Model" }</th><th class="num">{ "Input" }</th><th class="num">{ "Cached input" }</th>
                    <th class="num">{ "Output" }</th><th>{ "From" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { more_rows(&limit, props.models.len(), "models") }
            <p class="muted">
                { format!("Bundled table: {} ({}). ", props.prices.source, props.prices.as_of) }
                { display::plural(props.prices.overrides.len() as u64, "what-if price", "what-if prices") }{ " set. " }
                if !props.prices.overrides.is_empty() { <button class="small" onclick={reset}>{ "Reset" }</button> }
            </p>
        </section>
    }
}
