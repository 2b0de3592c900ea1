//! The filter language of the search box: `status:error kind:llm dur>2s`,
//! `model:gpt-4o*`, `"refund policy"`, `NOT`, `OR`, parentheses and
//! `trace:(…)`. Parses text into an expression (errors point at a byte range
//! of the input), evaluates it over the store a column at a time, and
//! provides facet counts and autocomplete for the same box.
//!
//! Reads `model` and the [`Index`]; never parses files, never formats numbers
//! for display, and depends on nothing above `index`.
//!
//! ```text
//! lexer.rs   text → tokens with byte ranges
//! parser.rs  tokens → expression tree (precedence NOT > AND > OR)
//! fields.rs  field names, operators, value syntax (durations, globs…)
//! pattern.rs case-insensitive whole-value globs for short strings
//! find.rs    substring search linear in the haystack (globs, free text)
//! text.rs    free-text search in payload bytes (smart case, JSON escapes)
//! spanset.rs bitset of spans
//! eval.rs    expression → SpanSet, column at a time
//! facets.rs  counts per kind/status/model/name/service
//! suggest.rs autocomplete
//! edit.rs    filter text edited by clicks (facets, suggestions); examples
//! ```

mod edit;
mod eval;
mod facets;
mod fields;
mod find;
mod lexer;
mod parser;
mod pattern;
mod spanset;
mod suggest;
mod text;

pub use edit::{complete, with_term, EXAMPLES, FIELD_HELP};
pub use facets::{facets, Facets};
pub use spanset::SpanSet;
pub use suggest::{suggest, suggest_range};

use crate::index::Index;
use crate::model::{SpanIdx, Store, TraceIdx};
use std::ops::Range;

/// Why a filter could not be read, and where: `at` is a byte range of the
/// input (empty at the end when something is missing there).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub message: String,
    pub at: Range<usize>,
}

impl FilterError {
    fn new(message: impl Into<String>, at: Range<usize>) -> FilterError {
        FilterError {
            message: message.into(),
            at,
        }
    }
}

/// A parsed filter. Cheap to keep; evaluate it against any store.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    expr: parser::Expr,
}

impl Filter {
    /// Parses filter text. Empty (or blank) text matches every span.
    pub fn parse(input: &str) -> Result<Filter, FilterError> {
        let tokens = lexer::lex(input)?;
        let expr = parser::parse(input, &tokens)?;
        Ok(Filter { expr })
    }

    /// The filter that matches every span.
    pub fn all() -> Filter {
        Filter {
            expr: parser::Expr::All,
        }
    }

    pub fn is_all(&self) -> bool {
        self.expr == parser::Expr::All
    }

    /// The free-text words and phrases the filter looks for (not those
    /// under `NOT`), for highlighting hits; each once, in filter order.
    pub fn text_terms(&self) -> Vec<String> {
        fn walk(expr: &parser::Expr, out: &mut Vec<String>) {
            match expr {
                parser::Expr::And(items) | parser::Expr::Or(items) => {
                    items.iter().for_each(|e| walk(e, out));
                }
                parser::Expr::InTrace(inner) => walk(inner, out),
                parser::Expr::Term(fields::Term::Text(t)) if !out.contains(t) => {
                    out.push(t.clone());
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The matching spans as a bitset over span rows.
    pub fn matches(&self, store: &Store, index: &Index) -> SpanSet {
        let everything = SpanSet::full(store.span_count());
        if self.is_all() {
            return everything;
        }
        eval::eval(&self.expr, store, index, &everything)
    }

    /// The matching spans in row order (traces in store order, spans of a
    /// trace by start time).
    pub fn matching_spans(&self, store: &Store, index: &Index) -> Vec<SpanIdx> {
        self.matches(store, index).to_vec()
    }

    /// Traces with at least one matching span, by start time (the order of
    /// `Index::by_start`).
    pub fn matching_traces(&self, store: &Store, index: &Index) -> Vec<TraceIdx> {
        let set = self.matches(store, index);
        traces_of(store, index, &set)
    }
}

/// Traces (in `Index::by_start` order) holding at least one span of `set`.
pub fn traces_of(store: &Store, index: &Index, set: &SpanSet) -> Vec<TraceIdx> {
    index
        .by_start
        .iter()
        .copied()
        .filter(|&t| t.index() < store.trace_count() && set.any_in(store.trace_spans(t)))
        .collect()
}
