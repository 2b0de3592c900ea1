//! Scores of a trace, whichever tool wrote them: Langfuse scores
//! (`score.<name>`, with `score.<name>.comment`), MLflow assessments
//! (`assessment.<name>`), and a plain `score` metadata key (request logs,
//! generic trace JSON). All are trace metadata in the store; this module is
//! the one place that knows those keys, for the trace list, the trace
//! header, the filter (`score.<name>`) and group-by.
//!
//! Reads the store only.

use crate::model::{AttrValue, Store, TraceIdx};

/// One score of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub name: String,
    pub value: ScoreValue,
    /// Langfuse's comment (often why: `LMServerError`).
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScoreValue {
    Number(f64),
    Bool(bool),
    Text(String),
}

impl ScoreValue {
    /// The value as a number for comparisons: booleans are 1 and 0, text
    /// that reads as a number is that number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ScoreValue::Number(n) => Some(*n),
            ScoreValue::Bool(b) => Some(f64::from(u8::from(*b))),
            ScoreValue::Text(t) => t.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        }
    }

    /// The value as a user reads it: `1`, `0.75`, `true`, `positive`.
    pub fn text(&self) -> String {
        match self {
            ScoreValue::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{n:.0}")
                } else {
                    format!("{}", (n * 1e4).round() / 1e4)
                }
            }
            ScoreValue::Bool(b) => b.to_string(),
            ScoreValue::Text(t) => t.clone(),
        }
    }

    /// Whether the score reads as a pass: true, or a number above zero.
    /// `None` for text (a categorical score has no direction: `failed:
    /// true` is no pass).
    pub fn passed(&self) -> Option<bool> {
        match self {
            ScoreValue::Bool(b) => Some(*b),
            ScoreValue::Number(n) => Some(*n > 0.0),
            ScoreValue::Text(_) => None,
        }
    }
}

/// Keys that accompany a Langfuse score rather than being one.
const COMPANIONS: &[&str] = &[".comment", ".observation_id"];

/// The score name a metadata key holds, if it holds one.
pub fn score_name(key: &str) -> Option<&str> {
    if key == "score" {
        return Some("score");
    }
    let name = key
        .strip_prefix("score.")
        .or_else(|| key.strip_prefix("assessment."))?;
    if name.is_empty() || COMPANIONS.iter().any(|c| name.ends_with(c)) {
        return None;
    }
    Some(name)
}

/// The value of a metadata entry as a score value.
pub fn score_value(store: &Store, value: AttrValue) -> ScoreValue {
    match value {
        AttrValue::Int(i) => ScoreValue::Number(i as f64),
        AttrValue::Float(f) => ScoreValue::Number(f),
        AttrValue::Bool(b) => ScoreValue::Bool(b),
        // Formats read JSON scalars into typed values; what stays text (a
        // CATEGORICAL score, an object) is shown as it is.
        AttrValue::Str(t) | AttrValue::Json(t) => ScoreValue::Text(store.text(t).into_owned()),
    }
}

/// The scores of a trace, in the order the files wrote them.
pub fn trace_scores(store: &Store, trace: TraceIdx) -> Vec<Score> {
    if trace.index() >= store.trace_count() {
        return Vec::new();
    }
    let meta: Vec<(&str, AttrValue)> = store
        .trace_meta(trace)
        .map(|(k, v)| (store.str(k), v))
        .collect();
    meta.iter()
        .filter_map(|&(key, value)| {
            let name = score_name(key)?;
            let comment_key = format!("{key}.comment");
            let comment = meta
                .iter()
                .find(|(k, _)| *k == comment_key)
                .map(|&(_, v)| store.attr_text(v).into_owned());
            Some(Score {
                name: name.to_string(),
                value: score_value(store, value),
                comment,
            })
        })
        .collect()
}

/// Every score name in the store, sorted, each once.
pub fn score_names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = (0..store.traces.meta.key.len())
        .map(|i| store.traces.meta.key[i])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|k| score_name(store.str(k)).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input};

    fn open(rels: &[&str]) -> crate::load::Session {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        load(
            rels.iter()
                .map(|r| Input::new(*r, std::fs::read(format!("{dir}{r}")).unwrap()))
                .collect(),
        )
    }

    #[test]
    fn keys_that_hold_scores() {
        assert_eq!(
            score_name("score.answer_length_ok"),
            Some("answer_length_ok")
        );
        assert_eq!(
            score_name("assessment.answer_metric"),
            Some("answer_metric")
        );
        assert_eq!(score_name("score"), Some("score"));
        assert_eq!(score_name("score.failed.comment"), None);
        assert_eq!(score_name("score.failed.observation_id"), None);
        assert_eq!(score_name("scores"), None);
        assert_eq!(score_name("score."), None);
    }

    #[test]
    fn langfuse_scores_land_on_their_otlp_traces() {
        // dspy-rag.langfuse-scores.json: answer_length_ok = 1.0 on three
        // traces, failed = "true" (comment LMServerError) on 1578db11….
        let s = open(&[
            "langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json",
            "langfuse-scores/dspy-rag.langfuse-scores.json",
        ]);
        let store = &s.store;
        assert_eq!(score_names(store), ["answer_length_ok", "failed"]);
        let by_id = |id: &str| {
            let t = (0..store.trace_count())
                .find(|&t| store.id(store.traces.trace_id[t]) == id)
                .unwrap();
            trace_scores(store, TraceIdx(t as u32))
        };
        let ok = by_id("64be99a4fe72d568bd72c292f7d4887d");
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].name, "answer_length_ok");
        assert_eq!(ok[0].value, ScoreValue::Number(1.0));
        assert_eq!(ok[0].value.text(), "1");
        let failed = by_id("1578db11ea83ccd29eb26de4b6d7a88b");
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].value, ScoreValue::Text("true".into()));
        assert_eq!(failed[0].value.passed(), None);
        assert_eq!(failed[0].comment.as_deref(), Some("LMServerError"));
    }

    #[test]
    fn mlflow_assessments_are_scores() {
        // dspy-optimize.mlflow-traces.json: answer_metric true, true, true, false.
        let s = open(&["mlflow-json/dspy-optimize.mlflow-traces.json"]);
        let store = &s.store;
        let values: Vec<ScoreValue> = (0..store.trace_count())
            .flat_map(|t| trace_scores(store, TraceIdx(t as u32)))
            .map(|sc| sc.value)
            .collect();
        let want: Vec<ScoreValue> = [true, true, true, false].map(ScoreValue::Bool).to_vec();
        assert_eq!(values, want);
        assert_eq!(score_names(store), ["answer_metric"]);
    }
}
