//! Autocomplete for the filter box: field names for a partial field, and
//! known values (kinds, statuses, the store's models, names, services,
//! attribute keys and values) for `field:partial`.
//!
//! Works on raw, possibly unfinished input and never fails; reads the store.

use super::fields::{self, FIELDS, IS_VALUES};
use crate::model::{AttrValue, SpanKind, Store, Sym};
use std::collections::BTreeMap;
use std::ops::Range;

/// At most this many suggestions are returned.
const LIMIT: usize = 20;
/// Attribute values longer than this are payloads, not values to suggest.
const MAX_VALUE_CHARS: usize = 64;

/// Completions for the word that ends at `cursor` (a byte offset). Each
/// replaces the text in [`suggest_range`]: a field name (as `status:`,
/// `attr.llm.provider:`), or a value, quoted when it needs quotes.
pub fn suggest(store: &Store, input: &str, cursor: usize) -> Vec<String> {
    let range = suggest_range(input, cursor);
    let word = &input[range.clone()];
    match word.find([':', '<', '>', '=']) {
        None => field_names(store, word),
        Some(op) => {
            let field = &word[..op];
            let partial = word[op..].trim_start_matches([':', '<', '>', '=']);
            let prefix = &word[..word.len() - partial.len()];
            let partial = partial.strip_prefix('"').unwrap_or(partial);
            values(store, field, partial)
                .into_iter()
                .map(|v| format!("{prefix}{}", quote(&v)))
                .collect()
        }
    }
}

/// The byte range of the word being completed: back from the cursor to a
/// space, then past leading `(` and `-` and past a `trace:(` prefix (values
/// may hold parentheses, as in `name:Predict(StringSignature).forward`).
pub fn suggest_range(input: &str, cursor: usize) -> Range<usize> {
    let mut end = cursor.min(input.len());
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let before = &input[..end];
    let mut start = before.rfind(char::is_whitespace).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    loop {
        let word = &input[start..end];
        if word.starts_with(['(', '-']) {
            start += 1;
        } else if let Some(at) = word.find(":(") {
            start += at + 2;
        } else {
            return start..end;
        }
    }
}

fn field_names(store: &Store, partial: &str) -> Vec<String> {
    let lower = partial.to_ascii_lowercase();
    let mut out: Vec<String> = FIELDS
        .iter()
        .filter(|f| f.starts_with(&lower))
        .map(|f| {
            if f.ends_with('.') {
                f.to_string()
            } else {
                format!("{f}:")
            }
        })
        .collect();
    for (prefix, keys) in [
        ("attr.", &store.attrs.key),
        ("metadata.", &store.traces.meta.key),
    ] {
        if let Some(rest) = partial.strip_prefix(prefix) {
            out.retain(|f| f != prefix);
            let mut names: Vec<&str> = distinct(keys.iter().copied())
                .into_iter()
                .map(|(k, _)| store.str(k))
                .filter(|k| k.starts_with(rest))
                .collect();
            names.sort_unstable();
            out.extend(names.into_iter().map(|k| format!("{prefix}{k}:")));
        }
    }
    if let Some(rest) = partial.strip_prefix("score.") {
        out.retain(|f| f != "score.");
        let names = crate::index::scores::score_names(store);
        out.extend(
            names
                .into_iter()
                .filter(|n| n.starts_with(rest))
                .map(|n| format!("score.{n}:")),
        );
    }
    out.truncate(LIMIT);
    out
}

/// Known values of a field that start with (first) or contain `partial`.
fn values(store: &Store, field: &str, partial: &str) -> Vec<String> {
    let Ok(field) = fields::resolve(field, 0..0) else {
        return Vec::new();
    };
    let s = &store.spans;
    let fixed = |names: &[&str]| names.iter().map(|n| (n.to_string(), 0)).collect();
    let counted: Vec<(String, u64)> = match field {
        fields::Field::Status => fixed(&["error", "ok", "unset"]),
        fields::Field::Kind => fixed(&SpanKind::ALL.map(SpanKind::as_str)),
        fields::Field::Lm => fixed(&["true", "false"]),
        fields::Field::Is => fixed(IS_VALUES),
        fields::Field::Sym(column) => {
            let column = match column {
                fields::SymColumn::Model => &s.model,
                fields::SymColumn::Name => &s.name,
                fields::SymColumn::Service => &s.service,
                fields::SymColumn::Provider => &s.provider,
            };
            named(store, distinct(column.iter().copied()))
        }
        fields::Field::Attr(key) => attr_values(store, &key, &store.attrs.key, &store.attrs.value),
        fields::Field::Meta(key) => {
            let meta = &store.traces.meta;
            attr_values(store, &key, &meta.key, &meta.value)
        }
        fields::Field::Score(name) => score_values(store, &name),
        fields::Field::Number(fields::NumColumn::DurationNanos | fields::NumColumn::SelfNanos) => {
            fixed(&["100ms", "1s", "10s"])
        }
        fields::Field::Number(fields::NumColumn::CostUsd) => fixed(&["0.001", "0.01"]),
        fields::Field::Number(_) => fixed(&["100", "1000", "10k"]),
        fields::Field::Id(_) => Vec::new(),
    };
    rank(counted, partial)
}

/// Prefix matches first, then other substring matches; within each, the
/// most frequent first, then alphabetical.
fn rank(mut counted: Vec<(String, u64)>, partial: &str) -> Vec<String> {
    let lower = partial.to_lowercase();
    counted.retain(|(v, _)| v.to_lowercase().contains(&lower));
    counted.sort_by(|a, b| {
        let prefix = |v: &str| !v.to_lowercase().starts_with(&lower);
        (prefix(&a.0), std::cmp::Reverse(a.1), &a.0).cmp(&(
            prefix(&b.0),
            std::cmp::Reverse(b.1),
            &b.0,
        ))
    });
    counted.into_iter().take(LIMIT).map(|(v, _)| v).collect()
}

/// Non-empty symbols with how often they occur.
fn distinct(syms: impl Iterator<Item = Sym>) -> Vec<(Sym, u64)> {
    let mut counts: BTreeMap<Sym, u64> = BTreeMap::new();
    for sym in syms.filter(|s| !s.is_empty()) {
        *counts.entry(sym).or_default() += 1;
    }
    counts.into_iter().collect()
}

fn named(store: &Store, syms: Vec<(Sym, u64)>) -> Vec<(String, u64)> {
    syms.into_iter()
        .map(|(k, n)| (store.str(k).to_string(), n))
        .collect()
}

/// Short values seen under one key (long ones are payloads).
fn attr_values(store: &Store, key: &str, keys: &[Sym], values: &[AttrValue]) -> Vec<(String, u64)> {
    let Some(key) = store.strings.get(key) else {
        return Vec::new();
    };
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (_, value) in keys.iter().zip(values).filter(|(k, _)| **k == key) {
        if let AttrValue::Str(t) | AttrValue::Json(t) = value {
            if t.len as usize > MAX_VALUE_CHARS * 4 {
                continue;
            }
        }
        let text = store.attr_text(*value);
        if !text.is_empty() && text.chars().count() <= MAX_VALUE_CHARS {
            *counts.entry(text.into_owned()).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// Values seen for one score name.
fn score_values(store: &Store, name: &str) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for t in 0..store.trace_count() {
        for score in crate::index::scores::trace_scores(store, crate::model::TraceIdx(t as u32)) {
            if score.name == name {
                *counts.entry(score.value.text()).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

/// A value as it must be typed: quoted when it holds a space, quote,
/// parenthesis or star (a star outside quotes would be a wildcard).
fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '*' | '\\'));
    if plain {
        return value.to_string();
    }
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}
