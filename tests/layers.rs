//! Architecture and consistency rules that the compiler cannot check:
//! core modules never name a browser crate, layers keep to their jobs, the
//! README's formats table matches the registry, and the wasm-bindgen CLI
//! that setup.sh installs matches the crate pin.

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Modules that must build without the `web` feature.
const CORE: &[&str] = &[
    "src/model",
    "src/formats",
    "src/index",
    "src/analysis",
    "src/load.rs",
    "src/download.rs",
    "src/display.rs",
    "src/permalink.rs",
    "src/safe_text.rs",
    "src/transfer.rs",
];
const BROWSER_CRATES: &[&str] = &[
    "yew",
    "web_sys",
    "js_sys",
    "wasm_bindgen",
    "wasm_bindgen_futures",
    "gloo",
    "gloo_events",
];

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let Ok(entries) = fs::read_dir(path) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .flat_map(|e| rust_files(&e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

/// Identifiers used in code (comments stripped), for "names crate X" checks.
fn code_identifiers(source: &str) -> Vec<String> {
    source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .flat_map(|code| code.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn offenders(dirs: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&Path::new(ROOT).join(dir)) {
            let text = fs::read_to_string(&file).unwrap_or_default();
            for ident in code_identifiers(&text) {
                if forbidden.contains(&ident.as_str()) {
                    found.push(format!("{} names `{ident}`", file.display()));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Files under `dirs` whose code (comments stripped) mentions a module path.
fn path_offenders(dirs: &[&str], paths: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&Path::new(ROOT).join(dir)) {
            let text = fs::read_to_string(&file).unwrap_or_default();
            for line in text.lines().map(|l| l.split("//").next().unwrap_or("")) {
                for path in paths {
                    if line.contains(path) {
                        found.push(format!("{} uses `{path}`", file.display()));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn core_modules_never_name_a_browser_crate() {
    assert_eq!(offenders(CORE, BROWSER_CRATES), Vec::<String>::new());
}

#[test]
fn layers_keep_to_their_jobs() {
    // formats write through the builder and never build index structures.
    assert_eq!(
        path_offenders(&["src/formats"], &["crate::index", "super::index"]),
        Vec::<String>::new()
    );
    // index and display never parse.
    assert_eq!(
        offenders(&["src/index", "src/display.rs"], &["serde_json", "formats"]),
        Vec::<String>::new()
    );
    // the UI never parses JSON itself (it may list the registry's names).
    assert_eq!(
        offenders(&["src/ui"], &["serde_json"]),
        Vec::<String>::new()
    );
    // the page never parses: files go to the parsing worker (web/worker.rs),
    // so the page's bundle links no parser (it lists formats via `ABOUT`).
    assert_eq!(
        offenders(
            &["src/ui", "src/web/mod.rs"],
            &["REGISTRY", "by_id", "detect", "load_with_progress"]
        ),
        Vec::<String>::new()
    );
    // browser I/O only in web/: the UI does not call web-sys for I/O directly.
    assert_eq!(
        offenders(
            &["src/ui"],
            &["fetch_with_str", "array_buffer", "FileReader"]
        ),
        Vec::<String>::new()
    );
}

#[test]
fn readme_formats_table_matches_the_registry() {
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap_or_default();
    // Only the table in the "Supported formats" section lists format ids.
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Supported formats"))
        .unwrap_or("");
    let mut listed: Vec<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    listed.sort();
    let mut registry: Vec<String> = (spanscope::formats::REGISTRY.iter().map(|f| f.id))
        .chain(spanscope::formats::envelope::ENVELOPES.iter().map(|e| e.id))
        .map(str::to_owned)
        .collect();
    registry.sort();
    assert_eq!(
        listed, registry,
        "README formats and envelopes tables (rows starting \"| `id`\") must list every id"
    );
}

#[test]
fn setup_installs_the_wasm_bindgen_cli_the_crate_pins() {
    let manifest = fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap_or_default();
    let setup = fs::read_to_string(Path::new(ROOT).join("setup.sh")).unwrap_or_default();
    let pinned = manifest
        .lines()
        .find(|l| l.starts_with("wasm-bindgen ="))
        .and_then(|l| l.split("\"=").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap_or("missing pin");
    let installed = setup
        .lines()
        .find_map(|l| l.strip_prefix("WASM_BINDGEN_VERSION="))
        .unwrap_or("missing in setup.sh");
    assert_eq!(pinned, installed);
}

/// End-to-end tests type into text fields as a person does (`keyboard.type`,
/// see `typeInto` in harness.mjs): `fill()` sets the value without the key
/// events, so it passed while the filter box lost focus on every `:`.
#[test]
fn end_to_end_tests_type_instead_of_filling() {
    let dir = Path::new(ROOT).join("tests/e2e");
    let mut found = Vec::new();
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("mjs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.contains(".fill(") && !line.trim_start().starts_with("//") {
                found.push(format!("{}:{}", path.display(), n + 1));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}

/// The balanced expression that opens at `text[open]` (`(` or `{`).
fn balanced(text: &str, open: usize) -> &str {
    let mut depth = 0i32;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return &text[open..=open + i];
        }
    }
    &text[open..]
}

/// Trace text is attacker-controlled: in `src/ui` it never becomes a class
/// name, an id, a tag name or a style. Class lists are string literals or
/// fixed-set functions (`kind_class`, `role_class`), never `format!`ed;
/// geometry is set through the CSSOM (`~style`, the `style` property),
/// because a `style` attribute is blocked by the page's CSP.
#[test]
fn the_ui_never_builds_class_id_tag_or_style_from_text() {
    const MADE: &[&str] = &["format!", "to_string", "to_owned", "String::from", "+ &"];
    let mut found = Vec::new();
    for file in rust_files(&Path::new(ROOT).join("src/ui")) {
        let text = fs::read_to_string(&file).unwrap_or_default();
        let code: String = (text.lines())
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let name = file.display();
        for (at, _) in code.match_indices("style") {
            let mut before = code[..at].chars().rev();
            let (before, before_that) = (before.next(), before.next());
            let after = &code[at + "style".len()..];
            let attribute = after.starts_with('=') && before != Some('~');
            // `{style}` as an attribute, not as the value of `~style={style}`.
            let shorthand =
                before == Some('{') && before_that != Some('=') && after.starts_with('}');
            if attribute || shorthand {
                found.push(format!("{name}: a style attribute (use ~style)"));
            }
        }
        for pattern in ["class={", "classes!("] {
            for (at, _) in code.match_indices(pattern) {
                let expr = balanced(&code, at + pattern.len() - 1);
                if let Some(made) = MADE.iter().find(|m| expr.contains(*m)) {
                    found.push(format!("{name}: a class made with {made}: {expr}"));
                }
                // A variable in the list that was itself made with format!.
                let idents = expr.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                for ident in idents.filter(|i| !i.is_empty()) {
                    if code.contains(&format!("let {ident} = format!(")) {
                        found.push(format!("{name}: class `{ident}` made with format!"));
                    }
                }
            }
        }
        for pattern in [" id={", "<@{"] {
            if code.contains(pattern) {
                found.push(format!("{name}: a computed `{pattern}`"));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}
