//! yew components and the app state. Renders what `index` and `analysis`
//! compute and the strings `display` makes; never parses or aggregates.
//! Browser I/O goes through `web`. One public component per file.

mod app;
mod drop_zone;
mod error_banner;
pub mod filter_bar;
mod help;
mod lm_call_pane;
mod lm_calls_view;
mod load_progress;
mod loads;
pub mod long_text;
mod marked;
mod open_button;
mod open_choice;
mod payload_view;
mod price_editor;
mod report_view;
mod row_limit;
mod span_detail;
pub mod state;
mod steps_view;
mod summary_bar;
pub mod trace_list;
mod trace_view;
mod virtual_rows;

pub use app::App;
pub use filter_bar::FilterBar;
pub use trace_list::TraceList;

/// Mounts the app on the page body.
pub fn mount() {
    yew::Renderer::<App>::new().render();
}
