//! The filter fields: what each name means, which operators it takes, and
//! how its value is read (words, globs, durations, counts, costs), with
//! errors that say what was expected.
//!
//! Produces [`Term`]s; never looks at a store (values are resolved against
//! the store's symbols when the filter is evaluated).

use super::lexer::Op;
use super::parser::Expr;
use super::pattern::Pattern;
use super::FilterError;
use crate::model::{SpanKind, StatusCode};
use std::ops::Range;

/// Every field name, in the order suggestions list them.
pub const FIELDS: &[&str] = &[
    "status",
    "kind",
    "model",
    "name",
    "service",
    "provider",
    "dur",
    "duration",
    "self",
    "tokens",
    "input_tokens",
    "output_tokens",
    "cost",
    "lm",
    "is",
    "trace",
    "span",
    "attr.",
    "metadata.",
    "score.",
];

/// Values of `is:`.
pub const IS_VALUES: &[&str] = &["lm", "error", "root"];

#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Status,
    Kind,
    Sym(SymColumn),
    Id(IdColumn),
    Number(NumColumn),
    Lm,
    Is,
    Attr(String),
    Meta(String),
    /// A score of the trace by name (Langfuse score, MLflow assessment).
    Score(String),
}

/// String columns of the store holding interned symbols.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SymColumn {
    Model,
    Name,
    Service,
    Provider,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdColumn {
    Trace,
    Span,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NumColumn {
    DurationNanos,
    SelfNanos,
    Tokens,
    InputTokens,
    OutputTokens,
    CostUsd,
}

/// One predicate over spans.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// Indexed by `StatusCode as usize`.
    Status([bool; 3]),
    /// Indexed by `SpanKind as usize`.
    Kind([bool; 9]),
    Sym(SymColumn, Pattern),
    Id(IdColumn, Pattern),
    /// Durations in nanoseconds, tokens as counts, cost in USD.
    Number(NumColumn, Op, f64),
    Lm(bool),
    Root,
    Attr(String, ValueTest),
    Meta(String, ValueTest),
    /// A trace score (see `index::scores`); booleans compare as 1 and 0.
    Score(String, ValueTest),
    /// Free text in names, payloads and string attributes.
    Text(String),
}

/// How an attribute or metadata value is tested.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueTest {
    /// `:`: the value's text matches (case-insensitive, globs), or, for
    /// numbers and booleans, the value equals the number or word.
    Matches(Pattern, Option<f64>),
    /// `>`, `<`…: numeric values (or strings that read as numbers).
    Compare(Op, f64),
}

impl Field {
    pub fn takes_expression(&self) -> bool {
        *self == Field::Id(IdColumn::Trace)
    }

    pub fn example(&self) -> String {
        match self {
            Field::Status => "status:error".into(),
            Field::Kind => "kind:llm".into(),
            Field::Sym(SymColumn::Model) => "model:gpt-4o*".into(),
            Field::Sym(SymColumn::Name) => "name:retrieve*".into(),
            Field::Sym(SymColumn::Service) => "service:api".into(),
            Field::Sym(SymColumn::Provider) => "provider:openai".into(),
            Field::Id(IdColumn::Trace) => "trace:(status:error) or trace:5b8e*".into(),
            Field::Id(IdColumn::Span) => "span:eee19b7e*".into(),
            Field::Number(NumColumn::DurationNanos) => "dur>2s".into(),
            Field::Number(NumColumn::SelfNanos) => "self>500ms".into(),
            Field::Number(NumColumn::CostUsd) => "cost>0.01".into(),
            Field::Number(_) => "tokens>1000".into(),
            Field::Lm => "lm:true".into(),
            Field::Is => "is:lm".into(),
            Field::Attr(key) => format!("attr.{key}:value"),
            Field::Meta(key) => format!("metadata.{key}:value"),
            Field::Score(key) => format!("score.{key}>0.5"),
        }
    }
}

/// Field name → field; unknown names get the closest known one suggested.
pub fn resolve(name: &str, at: Range<usize>) -> Result<Field, FilterError> {
    if let Some(key) = name.strip_prefix("attr.") {
        return keyed(key, at, Field::Attr, "attr.llm.provider:openai");
    }
    if let Some(key) = name.strip_prefix("metadata.") {
        return keyed(key, at, Field::Meta, "metadata.compiled:true");
    }
    if let Some(key) = name.strip_prefix("score.") {
        return keyed(key, at, Field::Score, "score.answer_length_ok>0.5");
    }
    Ok(match name.to_ascii_lowercase().as_str() {
        "status" => Field::Status,
        "kind" => Field::Kind,
        "model" => Field::Sym(SymColumn::Model),
        "name" => Field::Sym(SymColumn::Name),
        "service" => Field::Sym(SymColumn::Service),
        "provider" => Field::Sym(SymColumn::Provider),
        "dur" | "duration" => Field::Number(NumColumn::DurationNanos),
        "self" => Field::Number(NumColumn::SelfNanos),
        "tokens" => Field::Number(NumColumn::Tokens),
        "input_tokens" => Field::Number(NumColumn::InputTokens),
        "output_tokens" => Field::Number(NumColumn::OutputTokens),
        "cost" => Field::Number(NumColumn::CostUsd),
        "lm" => Field::Lm,
        "is" => Field::Is,
        "trace" => Field::Id(IdColumn::Trace),
        "span" => Field::Id(IdColumn::Span),
        "attr" | "metadata" | "score" => {
            return Err(FilterError::new(
                format!("`{name}` needs a key: {name}.<key>, as in {name}.llm.provider:openai"),
                at,
            ))
        }
        lower => {
            let hint = match closest(lower, FIELDS.iter().copied()) {
                Some(best) => format!("did you mean `{}`?", best.trim_end_matches('.')),
                None => format!("fields are {}", FIELDS.join(", ")),
            };
            return Err(FilterError::new(
                format!(
                    "unknown field `{name}`: {hint} (span attributes are attr.<key>; \
                     to search for text with `:`, put it in quotes)"
                ),
                at,
            ));
        }
    })
}

fn keyed(
    key: &str,
    at: Range<usize>,
    make: fn(String) -> Field,
    example: &str,
) -> Result<Field, FilterError> {
    if key.is_empty() {
        return Err(FilterError::new(
            format!("a key is missing after the dot, as in {example}"),
            at,
        ));
    }
    Ok(make(key.to_string()))
}

/// `trace:(…)` takes only `:`.
pub fn expect_eq(
    field: &Field,
    name: &str,
    op: Op,
    op_at: Range<usize>,
) -> Result<(), FilterError> {
    if op == Op::Eq {
        return Ok(());
    }
    Err(FilterError::new(
        format!(
            "`{}` compares numbers, but `{name}` is not a number: write {}",
            op.as_str(),
            field.example()
        ),
        op_at,
    ))
}

/// A bare word or quoted phrase with no field: free text (`*` around a word
/// is dropped, since free text already matches anywhere inside). The bare
/// word `lm` is the shorthand for LM calls; `"lm"` in quotes is text.
pub fn free_text(word: &str, quoted: bool) -> Expr {
    if !quoted && word.eq_ignore_ascii_case("lm") {
        return Expr::Term(Term::Lm(true));
    }
    let trimmed = word.trim_matches('*');
    if trimmed.is_empty() {
        return Expr::All;
    }
    Expr::Term(Term::Text(trimmed.to_string()))
}

/// `field op value` → term. `quoted` values are never globs.
pub fn term(
    field: &Field,
    name: &str,
    op: Op,
    op_at: Range<usize>,
    value: &str,
    quoted: bool,
    at: Range<usize>,
) -> Result<Term, FilterError> {
    let pattern = || Pattern::new(value, !quoted);
    match field {
        Field::Number(column) => {
            let number = match column {
                NumColumn::DurationNanos | NumColumn::SelfNanos => duration_nanos(value, at)?,
                NumColumn::CostUsd => cost_usd(value, at)?,
                _ => count(value, at)?,
            };
            Ok(Term::Number(*column, op, number))
        }
        Field::Attr(key) | Field::Meta(key) | Field::Score(key) => {
            let test = if op == Op::Eq {
                ValueTest::Matches(pattern(), value.trim().parse::<f64>().ok())
            } else {
                let number = value.trim().parse::<f64>().map_err(|_| {
                    FilterError::new(
                        format!(
                            "`{value}`: `{}` needs a number, like 100 or 0.5",
                            op.as_str()
                        ),
                        at.clone(),
                    )
                })?;
                ValueTest::Compare(op, number)
            };
            Ok(match field {
                Field::Attr(_) => Term::Attr(key.clone(), test),
                Field::Score(_) => Term::Score(key.clone(), test),
                _ => Term::Meta(key.clone(), test),
            })
        }
        _ => {
            expect_eq(field, name, op, op_at)?;
            match field {
                Field::Status => {
                    enumerated(value, &pattern(), at, "status", &["unset", "ok", "error"])
                        .map(|hits| Term::Status([hits[0], hits[1], hits[2]]))
                }
                Field::Kind => {
                    let names = SpanKind::ALL.map(SpanKind::as_str);
                    let hits = enumerated(value, &pattern(), at, "kind", &names)?;
                    let mut kinds = [false; 9];
                    for (k, hit) in SpanKind::ALL.iter().zip(hits) {
                        kinds[*k as usize] = hit;
                    }
                    Ok(Term::Kind(kinds))
                }
                Field::Sym(column) => Ok(Term::Sym(*column, pattern())),
                Field::Id(column) => Ok(Term::Id(*column, pattern())),
                Field::Lm => match boolean(value) {
                    Some(b) => Ok(Term::Lm(b)),
                    None => Err(FilterError::new(
                        format!("`{value}`: lm takes true or false"),
                        at,
                    )),
                },
                _ => match value.to_ascii_lowercase().as_str() {
                    "lm" => Ok(Term::Lm(true)),
                    "error" => Ok(Term::Status([false, false, true])),
                    "root" => Ok(Term::Root),
                    _ => Err(FilterError::new(
                        format!("`{value}`: is takes {}", IS_VALUES.join(", ")),
                        at,
                    )),
                },
            }
        }
    }
}

/// Which of `names` a value (or glob) picks; none is an error naming them all.
fn enumerated(
    value: &str,
    pattern: &Pattern,
    at: Range<usize>,
    field: &str,
    names: &[&str],
) -> Result<Vec<bool>, FilterError> {
    let mut hits: Vec<bool> = names.iter().map(|n| pattern.matches(n)).collect();
    if field == "status" && !hits.iter().any(|&h| h) {
        // Also accept what files write: 2, STATUS_CODE_ERROR.
        if let Some(code) = StatusCode::from_label(value) {
            hits[code as usize] = true;
        }
    }
    if hits.iter().any(|&h| h) {
        return Ok(hits);
    }
    let hint = match closest(&value.to_ascii_lowercase(), names.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? "),
        None => String::new(),
    };
    Err(FilterError::new(
        format!(
            "unknown {field} `{value}`: {hint}{field} is one of {}",
            names.join(", ")
        ),
        at,
    ))
}

fn boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// `2s`, `500ms`, `1.5m`, `300us`, `300µs`, `10ns`, `1h` → nanoseconds.
pub fn duration_nanos(value: &str, at: Range<usize>) -> Result<f64, FilterError> {
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let scale = match unit.to_ascii_lowercase().as_str() {
        "ns" => Some(1.0),
        "us" | "µs" | "μs" => Some(1e3),
        "ms" => Some(1e6),
        "s" => Some(1e9),
        "m" | "min" => Some(60e9),
        "h" => Some(3600e9),
        "" if number.parse::<f64>() == Ok(0.0) => Some(0.0),
        _ => None,
    };
    match (number.parse::<f64>(), scale) {
        (Ok(n), Some(scale)) if n.is_finite() => Ok((n * scale).round()),
        (Ok(_), None) if unit.is_empty() => Err(FilterError::new(
            format!(
                "`{value}`: add a unit, like {value}s or {value}ms (units: ns, us, ms, s, m, h)"
            ),
            at,
        )),
        _ => Err(FilterError::new(
            format!("`{value}`: expected a duration like 2s, 500ms (units: ns, us, ms, s, m, h)"),
            at,
        )),
    }
}

/// `1000`, `1.5k`, `2M` → a count.
pub fn count(value: &str, at: Range<usize>) -> Result<f64, FilterError> {
    let (number, scale) = match value.chars().last() {
        Some('k' | 'K') => (&value[..value.len() - 1], 1e3),
        Some('M') => (&value[..value.len() - 1], 1e6),
        _ => (value, 1.0),
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n * scale),
        _ => Err(FilterError::new(
            format!("`{value}`: expected a count like 1000 or 1.5k"),
            at,
        )),
    }
}

/// `0.01`, `$0.01` → USD.
pub fn cost_usd(value: &str, at: Range<usize>) -> Result<f64, FilterError> {
    match value.strip_prefix('$').unwrap_or(value).parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(FilterError::new(
            format!("`{value}`: expected a cost in US dollars like 0.01"),
            at,
        )),
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be
/// a plausible typo (at most a third of the word's length, at least 1).
pub fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(word, c.trim_end_matches('.')), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // `row` holds the previous row until overwritten; `diagonal` is its entry j.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let substitute = diagonal + usize::from(ca != *cb);
            row[j + 1] = substitute.min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}
