//! A payload tree as rows: every node of a [`JsonNode`] in pre-order, with
//! its depth and where its subtree ends, so a view can show the open part of
//! a tree of any size row by row (and only the rows in view, for a big one)
//! instead of building a nested element per node.
//!
//! Containers above [`OPEN_DEPTH`] start open; a view keeps the set of
//! nodes the user toggled.

use super::payload::JsonNode;
use std::collections::BTreeSet;

/// Containers shallower than this start open.
pub const OPEN_DEPTH: u32 = 2;

/// What a row shows.
#[derive(Debug, Clone, PartialEq)]
pub enum RowValue {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    /// `len` children shown, `hidden` more left out by the payload reader.
    Array {
        len: usize,
        hidden: usize,
    },
    Object {
        len: usize,
        hidden: usize,
    },
    /// "… N more" after the children of a cut container.
    More(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonRow {
    pub depth: u32,
    /// The object key or array index, `None` at the top.
    pub key: Option<String>,
    pub value: RowValue,
    /// The index after this row's subtree (`self + 1` for a leaf).
    pub end: u32,
}

impl JsonRow {
    pub fn is_container(&self) -> bool {
        matches!(self.value, RowValue::Array { .. } | RowValue::Object { .. })
    }
}

/// Every node of `root`, in pre-order.
pub fn rows(root: &JsonNode) -> Vec<JsonRow> {
    let mut out = Vec::new();
    push(&mut out, None, root, 0);
    out
}

fn push(out: &mut Vec<JsonRow>, key: Option<String>, node: &JsonNode, depth: u32) {
    let at = out.len();
    let value = match node {
        JsonNode::Null => RowValue::Null,
        JsonNode::Bool(b) => RowValue::Bool(*b),
        JsonNode::Number(n) => RowValue::Number(n.clone()),
        JsonNode::String(s) => RowValue::String(s.clone()),
        JsonNode::Array { items, hidden } => RowValue::Array {
            len: items.len(),
            hidden: *hidden,
        },
        JsonNode::Object { entries, hidden } => RowValue::Object {
            len: entries.len(),
            hidden: *hidden,
        },
    };
    out.push(JsonRow {
        depth,
        key,
        value,
        end: 0,
    });
    let hidden = match node {
        JsonNode::Array { items, hidden } => {
            for (i, item) in items.iter().enumerate() {
                push(out, Some(i.to_string()), item, depth + 1);
            }
            *hidden
        }
        JsonNode::Object { entries, hidden } => {
            for (k, v) in entries {
                push(out, Some(k.clone()), v, depth + 1);
            }
            *hidden
        }
        _ => 0,
    };
    if hidden > 0 {
        out.push(JsonRow {
            depth: depth + 1,
            key: None,
            value: RowValue::More(hidden),
            end: out.len() as u32 + 1,
        });
    }
    out[at].end = out.len() as u32;
}

/// Whether the container at `row` is open, given the rows the user toggled.
pub fn is_open(rows: &[JsonRow], row: u32, toggled: &BTreeSet<u32>) -> bool {
    rows.get(row as usize)
        .is_some_and(|r| r.is_container() && ((r.depth < OPEN_DEPTH) != toggled.contains(&row)))
}

/// The rows to show, in order: closed containers hide their subtree.
pub fn visible(rows: &[JsonRow], toggled: &BTreeSet<u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut at = 0u32;
    while (at as usize) < rows.len() {
        out.push(at);
        let row = &rows[at as usize];
        at = if row.is_container() && !is_open(rows, at, toggled) {
            row.end.max(at + 1)
        } else {
            at + 1
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::payload::{payload, Payload};
    use super::*;

    fn tree(text: &str) -> Vec<JsonRow> {
        match payload(text) {
            Payload::Json(node) => rows(&node),
            Payload::Text(_) => panic!("not JSON"),
        }
    }

    #[test]
    fn rows_are_in_pre_order_with_their_subtree_ends() {
        let r = tree(r#"{"a": [1, 2], "b": {"c": null}}"#);
        let keys: Vec<_> = r
            .iter()
            .map(|r| r.key.clone().unwrap_or_default())
            .collect();
        assert_eq!(keys, ["", "a", "0", "1", "b", "c"]);
        assert_eq!(r[0].end, 6);
        assert_eq!(r[1].end, 4);
        assert_eq!(r[4].end, 6);
        assert_eq!(r[5].depth, 2);
    }

    #[test]
    fn deep_containers_start_closed_and_toggle() {
        let r = tree(r#"{"a": {"b": {"c": 1}}}"#);
        let none = BTreeSet::new();
        // Depth 0 and 1 are open; "b" (depth 2) is closed: "c" is hidden.
        assert_eq!(visible(&r, &none), [0, 1, 2]);
        let opened: BTreeSet<u32> = [2].into();
        assert_eq!(visible(&r, &opened), [0, 1, 2, 3]);
        let closed_top: BTreeSet<u32> = [0].into();
        assert_eq!(visible(&r, &closed_top), [0]);
    }

    #[test]
    fn cut_containers_say_how_many_more() {
        let big = format!(
            "[{}]",
            (0..super::super::payload::MAX_CHILDREN + 3)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let r = tree(&big);
        assert_eq!(r.last().map(|r| r.value.clone()), Some(RowValue::More(3)));
        assert_eq!(r[0].end as usize, r.len());
        assert_eq!(visible(&r, &BTreeSet::new()).len(), r.len());
    }
}
