//! The web app's parser, run as a Web Worker: loads the files the page
//! sends and sends back the session (see `spanscope::web::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    spanscope::web::worker::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "spanscope-worker runs inside the browser app: build it with `./setup.sh serve` (trunk)."
    );
    std::process::exit(2);
}
