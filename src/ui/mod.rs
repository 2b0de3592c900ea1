//! yew components and the app state. Renders what `index` computes and the
//! strings `display` makes; never parses or aggregates. Browser I/O goes
//! through `web`.

mod app;
mod drop_zone;
mod error_banner;
pub mod state;
mod summary_bar;
pub mod trace_list;

pub use app::App;
pub use trace_list::TraceList;

/// Mounts the app on the page body.
pub fn mount() {
    yew::Renderer::<App>::new().render();
}
