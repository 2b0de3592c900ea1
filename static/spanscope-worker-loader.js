// Starts the parsing worker (src/web/worker.rs). Written by hand instead of
// trunk's loader shim so that a wasm that fails to load is reported to the
// page (which shows it) instead of leaving the load waiting forever.
importScripts('./spanscope-worker.js');
wasm_bindgen({ module_or_path: './spanscope-worker_bg.wasm' }).catch((e) => {
  postMessage({ error: `the parser could not start (${e})` });
  close();
});
