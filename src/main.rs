//! The web app's entry point: mounts the yew app, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    spanscope::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("spanscope-web is the browser app: build it with `./setup.sh serve` (trunk).");
    eprintln!("For the command-line tool run `cargo run --release --bin spanscope -- --help`.");
    std::process::exit(2);
}
