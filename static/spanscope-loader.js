// Starts the page's wasm (src/main.rs). trunk's default loader is an inline
// <script>, which the page's Content-Security-Policy (script-src 'self')
// forbids; Trunk.toml's pattern_script loads this file instead and writes
// the bundle's hashed file names into its tag.
const tag = document.querySelector('script[data-spanscope-js][data-spanscope-wasm]');
const { default: init } = await import(tag.dataset.spanscopeJs);
await init({ module_or_path: tag.dataset.spanscopeWasm });
