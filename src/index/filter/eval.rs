//! Evaluates an expression over the store, a column at a time: each term
//! becomes a [`SpanSet`], and AND/OR/NOT are word operations on sets.
//!
//! Every evaluation is given the rows that can still matter (`within`): AND
//! runs its cheap terms first and hands the survivors to the costly ones
//! (text scans, attribute lookups), so `status:error refund` scans only the
//! payloads of failing spans. Values are resolved once per evaluation
//! (`model:gpt-4o*` → which interned symbols match), never per span.
//! Reads the store and index only.

use super::fields::{IdColumn, NumColumn, SymColumn, Term, ValueTest};
use super::lexer::Op;
use super::parser::Expr;
use super::pattern::Pattern;
use super::spanset::SpanSet;
use super::text::TextSearch;
use crate::index::{model_name, scores, Index};
use crate::model::ids::Interner;
use crate::model::{AttrValue, SpanIdx, Store, Sym, TraceIdx, NONE};

pub fn eval(expr: &Expr, store: &Store, index: &Index, within: &SpanSet) -> SpanSet {
    let cx = Cx { store, index };
    cx.eval(expr, within)
}

struct Cx<'a> {
    store: &'a Store,
    index: &'a Index,
}

/// Relative cost of a term per candidate row, for ordering AND and OR.
fn cost(expr: &Expr) -> u32 {
    match expr {
        Expr::All => 0,
        Expr::Term(Term::Text(_)) => 100,
        Expr::Term(Term::Attr(..)) => 20,
        Expr::Term(Term::Sym(..) | Term::Id(..) | Term::Meta(..) | Term::Score(..)) => 2,
        Expr::Term(_) => 1,
        Expr::Not(e) => cost(e),
        Expr::InTrace(e) => cost(e) + 2,
        Expr::And(items) | Expr::Or(items) => items.iter().map(cost).sum(),
    }
}

fn ordered(items: &[Expr]) -> Vec<&Expr> {
    let mut sorted: Vec<&Expr> = items.iter().collect();
    sorted.sort_by_key(|e| cost(e));
    sorted
}

impl Cx<'_> {
    fn eval(&self, expr: &Expr, within: &SpanSet) -> SpanSet {
        match expr {
            Expr::All => within.clone(),
            Expr::And(items) => {
                let mut hits = within.clone();
                for item in ordered(items) {
                    if hits.is_empty() {
                        break;
                    }
                    hits = self.eval(item, &hits);
                }
                hits
            }
            Expr::Or(items) => {
                // Each alternative only looks at rows no earlier one matched.
                let mut rest = within.clone();
                let mut hits = SpanSet::empty(within.universe());
                for item in ordered(items) {
                    let found = self.eval(item, &rest);
                    rest.subtract(&found);
                    hits.or_with(&found);
                }
                hits
            }
            Expr::Not(inner) => {
                let mut hits = within.clone();
                hits.subtract(&self.eval(inner, within));
                hits
            }
            Expr::InTrace(inner) => self.in_trace(inner, within),
            Expr::Term(term) => self.term(term, within),
        }
    }

    /// Spans (of `within`) whose trace has a span matching `inner`.
    fn in_trace(&self, inner: &Expr, within: &SpanSet) -> SpanSet {
        let store = self.store;
        let traces = (0..store.trace_count() as u32).map(TraceIdx);
        // Only traces holding a candidate can contribute a result.
        let mut scope = SpanSet::empty(within.universe());
        for t in traces.clone() {
            let rows = store.trace_spans(t);
            if within.any_in(rows.clone()) {
                scope.insert_range(rows);
            }
        }
        let found = self.eval(inner, &scope);
        let mut hits = SpanSet::empty(within.universe());
        for t in traces {
            let rows = store.trace_spans(t);
            if found.any_in(rows.clone()) {
                hits.insert_range(rows);
            }
        }
        hits.and_with(within);
        hits
    }

    fn term(&self, term: &Term, within: &SpanSet) -> SpanSet {
        let s = &self.store.spans;
        match term {
            Term::Status(wanted) => SpanSet::select(within, |i| wanted[s.status[i] as usize]),
            Term::Kind(wanted) => SpanSet::select(within, |i| wanted[s.kind[i] as usize]),
            Term::Lm(wanted) => SpanSet::select(within, |i| s.is_lm_call[i] == *wanted),
            Term::Root => SpanSet::select(within, |i| s.parent[i] == NONE),
            Term::Sym(SymColumn::Model, pattern) => {
                // `model:gpt-4o-mini` also finds `openai/gpt-4o-mini`.
                let hit = symbols_by(&self.store.strings, |m| {
                    pattern.matches(m) || pattern.matches(model_name::bare(m))
                });
                SpanSet::select(within, |i| flag(&hit, s.model[i].0))
            }
            Term::Sym(SymColumn::Provider, pattern) => {
                // The provider attribute, or the route a model name carries.
                let hit = symbols(&self.store.strings, pattern);
                let routed = symbols_by(&self.store.strings, |m| {
                    model_name::split(m).0.is_some_and(|p| pattern.matches(p))
                });
                SpanSet::select(within, |i| {
                    flag(&hit, s.provider[i].0) || flag(&routed, s.model[i].0)
                })
            }
            Term::Sym(column, pattern) => {
                let hit = symbols(&self.store.strings, pattern);
                let column = match column {
                    SymColumn::Name => &s.name,
                    _ => &s.service,
                };
                SpanSet::select(within, |i| flag(&hit, column[i].0))
            }
            Term::Id(IdColumn::Span, pattern) => {
                let hit = symbols(&self.store.ids, pattern);
                SpanSet::select(within, |i| flag(&hit, s.span_id[i].0))
            }
            Term::Id(IdColumn::Trace, pattern) => {
                let hit = symbols(&self.store.ids, pattern);
                let trace_ids = &self.store.traces.trace_id;
                self.by_trace(within, |t| {
                    trace_ids.get(t.index()).is_some_and(|id| flag(&hit, id.0))
                })
            }
            Term::Number(column, op, value) => self.number(*column, *op, *value, within),
            Term::Attr(key, test) => self.attr(key, test, within),
            Term::Meta(key, test) => {
                let Some(key) = self.store.strings.get(key) else {
                    return SpanSet::empty(within.universe());
                };
                let store = self.store;
                self.by_trace(within, |t| {
                    store
                        .trace_meta(t)
                        .any(|(k, v)| k == key && value_test(store, test, v))
                })
            }
            Term::Score(name, test) => self.score(name, test, within),
            Term::Text(needle) => self.text(needle, within),
        }
    }

    /// Spans of traces with a score `name` passing `test`.
    fn score(&self, name: &str, test: &ValueTest, within: &SpanSet) -> SpanSet {
        let store = self.store;
        // Metadata keys that hold this score (`score.x`, `assessment.x`).
        let keys: Vec<Sym> = (0..store.strings.len() as u32)
            .map(Sym)
            .filter(|&k| scores::score_name(store.strings.resolve(k)) == Some(name))
            .collect();
        if keys.is_empty() {
            return SpanSet::empty(within.universe());
        }
        self.by_trace(within, |t| {
            store.trace_meta(t).any(|(k, v)| {
                keys.contains(&k) && {
                    let value = scores::score_value(store, v);
                    match (test, value.as_f64()) {
                        (ValueTest::Compare(op, want), Some(x)) => compare(x, *op, *want),
                        (ValueTest::Compare(..), None) => false,
                        (ValueTest::Matches(pattern, number), x) => {
                            (number.is_some() && x == *number) || pattern.matches(&value.text())
                        }
                    }
                }
            })
        })
    }

    /// Spans with attribute `key` passing `test`. With many candidates, one
    /// pass down the attribute key column (walking span boundaries alongside)
    /// beats visiting each span's attribute range: over the 1M-span bench,
    /// `attr.llm.provider:openai` took 49 ms visiting spans.
    fn attr(&self, key: &str, test: &ValueTest, within: &SpanSet) -> SpanSet {
        let store = self.store;
        let Some(key) = store.strings.get(key) else {
            return SpanSet::empty(within.universe());
        };
        if within.count() < store.span_count() / 8 {
            return SpanSet::select_sparse(within, |i| {
                store
                    .span_attrs(SpanIdx(i as u32))
                    .any(|(k, v)| k == key && value_test(store, test, v))
            });
        }
        let starts = &store.spans.attr_start;
        let mut hits = SpanSet::empty(within.universe());
        let mut span = 0usize;
        for (row, (&k, &value)) in store.attrs.key.iter().zip(&store.attrs.value).enumerate() {
            if k != key {
                continue;
            }
            while starts.get(span + 1).is_some_and(|&end| end as usize <= row) {
                span += 1;
            }
            let idx = SpanIdx(span as u32);
            if within.contains(idx) && !hits.contains(idx) && value_test(store, test, value) {
                hits.insert(span);
            }
        }
        hits
    }

    /// Spans of `within` whose trace passes `test` (tested once per trace).
    fn by_trace(&self, within: &SpanSet, mut test: impl FnMut(TraceIdx) -> bool) -> SpanSet {
        let mut hits = SpanSet::empty(within.universe());
        for t in (0..self.store.trace_count() as u32).map(TraceIdx) {
            let rows = self.store.trace_spans(t);
            if within.any_in(rows.clone()) && test(t) {
                hits.insert_range(rows);
            }
        }
        hits.and_with(within);
        hits
    }

    fn number(&self, column: NumColumn, op: Op, value: f64, within: &SpanSet) -> SpanSet {
        let s = &self.store.spans;
        let cmp = |x: f64| compare(x, op, value);
        match column {
            NumColumn::DurationNanos => {
                SpanSet::select(within, |i| cmp((s.end_nanos[i] - s.start_nanos[i]) as f64))
            }
            NumColumn::SelfNanos => {
                let own = &self.index.self_nanos;
                SpanSet::select(within, |i| own.get(i).is_some_and(|&n| cmp(n as f64)))
            }
            NumColumn::CostUsd => SpanSet::select(within, |i| cmp(s.cost_usd[i])),
            NumColumn::Tokens | NumColumn::InputTokens | NumColumn::OutputTokens => {
                SpanSet::select(within, |i| {
                    let t = &s.tokens[i];
                    let n = match column {
                        NumColumn::InputTokens => t.input,
                        NumColumn::OutputTokens => t.output,
                        _ => t.total.or(match (t.input, t.output) {
                            (None, None) => None,
                            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
                        }),
                    };
                    n.is_some_and(|n| cmp(n as f64))
                })
            }
        }
    }

    fn text(&self, needle: &str, within: &SpanSet) -> SpanSet {
        let store = self.store;
        let search = TextSearch::new(needle);
        let s = &store.spans;
        let names: Vec<bool> = (0..store.strings.len() as u32)
            .map(|k| search.in_str(store.strings.resolve(Sym(k))))
            .collect();
        SpanSet::select_sparse(within, |i| {
            let span = SpanIdx(i as u32);
            let (input, output) = (s.input[i], s.output[i]);
            flag(&names, s.name[i].0)
                || [input, output, s.status_message[i]]
                    .into_iter()
                    .flatten()
                    .any(|t| search.in_ref(store, t))
                || store.span_attrs(span).any(|(_, v)| match v {
                    // `input.value` and its kin are the same bytes as the
                    // input or output: already searched.
                    AttrValue::Str(t) | AttrValue::Json(t) => {
                        Some(t) != input && Some(t) != output && search.in_ref(store, t)
                    }
                    _ => false,
                })
        })
    }
}

/// For every interned string, whether the pattern matches it.
fn symbols(interner: &Interner, pattern: &Pattern) -> Vec<bool> {
    symbols_by(interner, |s| pattern.matches(s))
}

/// For every interned string, whether `test` holds for it.
fn symbols_by(interner: &Interner, test: impl Fn(&str) -> bool) -> Vec<bool> {
    (0..interner.len() as u32)
        .map(|k| test(interner.resolve(Sym(k))))
        .collect()
}

fn flag(flags: &[bool], sym: u32) -> bool {
    flags.get(sym as usize).copied().unwrap_or(false)
}

fn compare(x: f64, op: Op, value: f64) -> bool {
    match op {
        Op::Eq => x == value,
        Op::Gt => x > value,
        Op::Ge => x >= value,
        Op::Lt => x < value,
        Op::Le => x <= value,
    }
}

fn value_test(store: &Store, test: &ValueTest, value: AttrValue) -> bool {
    match (test, value) {
        (ValueTest::Matches(pattern, _), AttrValue::Str(t) | AttrValue::Json(t)) => {
            pattern.matches(&store.text(t))
        }
        (ValueTest::Matches(pattern, number), AttrValue::Int(n)) => {
            *number == Some(n as f64) || pattern.matches(&n.to_string())
        }
        (ValueTest::Matches(pattern, number), AttrValue::Float(f)) => {
            *number == Some(f) || pattern.matches(&f.to_string())
        }
        (ValueTest::Matches(pattern, _), AttrValue::Bool(b)) => {
            pattern.matches(if b { "true" } else { "false" })
        }
        (ValueTest::Compare(op, v), AttrValue::Int(n)) => compare(n as f64, *op, *v),
        (ValueTest::Compare(op, v), AttrValue::Float(f)) => compare(f, *op, *v),
        (ValueTest::Compare(op, v), AttrValue::Str(t)) => store
            .text(t)
            .trim()
            .parse::<f64>()
            .is_ok_and(|x| compare(x, *op, *v)),
        (ValueTest::Compare(..), _) => false,
    }
}
