//! Numbers and layouts as plain data, computed from the store and index.
//! Never formats text (that is `display`) and never touches the browser.

pub mod lm_call;
pub mod payload;
pub mod tree_rows;
