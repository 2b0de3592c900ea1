//! Steps as a DSPy developer names them: one *unit* per predictor call or
//! other step, however many wrapper spans the instrumentation wrote for it,
//! labelled by predictor and signature (`generate_query: context, question
//! -> search_query`).
//!
//! A span joins its parent's unit (is a wrapper of the same call) when it is
//! - a `Predict…` span that is its parent's only child (ChainOfThought
//!   wraps one Predict, Predict wraps `Predict(StringSignature)`), or,
//!   when the parent is not the root (the root's children are steps),
//! - an adapter internal (`ChatAdapter.__call__`, `JSONAdapter.format`,
//!   `ChatAdapter.parse`…), or
//! - an LLM span (`LM.__call__`, LiteLLM's `completion`).
//!
//! So OpenInference's `ChainOfThought.forward → Predict.forward →
//! Predict(StringSignature).forward → ChatAdapter.__call__ → LM.__call__ →
//! completion` is one unit, as is MLflow's `ChainOfThought.forward →
//! Predict.forward → {ChatAdapter.format, LM.__call__, ChatAdapter.parse}`;
//! a ReAct loop's Predict calls and tools stay units of their own. A unit's
//! time is its head's duration; its self time is the sum of its members'
//! self times (time in no nested unit); it failed when its head did.
//!
//! The label: the predictor's name when the file has one (step logs name
//! steps `generate_query`), else the module class (`ChainOfThought`), then
//! the signature (see `dspy::signature_of`); without a signature, the
//! head's span name. Reads the store and the index.

use super::dspy::{self, Signature};
use crate::index::Index;
use crate::model::{SpanIdx, SpanKind, Store, TraceIdx, NONE};
use serde_json::Value;

/// The units of one trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceUnits {
    pub trace: TraceIdx,
    /// First span row of the trace.
    first: usize,
    /// Per span of the trace (row - `first`): the head of its unit.
    head: Vec<SpanIdx>,
    /// Members of the unit headed by offset `h`:
    /// `members[member_start[h]..member_start[h + 1]]`, in row order.
    member_start: Vec<u32>,
    members: Vec<SpanIdx>,
}

impl TraceUnits {
    fn new(trace: TraceIdx, first: usize, head: Vec<SpanIdx>) -> TraceUnits {
        let n = head.len();
        let mut member_start = vec![0u32; n + 1];
        for h in &head {
            member_start[h.index() - first + 1] += 1;
        }
        for i in 0..n {
            member_start[i + 1] += member_start[i];
        }
        let mut fill = member_start.clone();
        let mut members = vec![SpanIdx(0); n];
        for (i, h) in head.iter().enumerate() {
            let slot = &mut fill[h.index() - first];
            members[*slot as usize] = SpanIdx((first + i) as u32);
            *slot += 1;
        }
        TraceUnits {
            trace,
            first,
            head,
            member_start,
            members,
        }
    }

    /// The head of the unit a span of this trace belongs to.
    pub fn head_of(&self, span: SpanIdx) -> SpanIdx {
        span.index()
            .checked_sub(self.first)
            .and_then(|i| self.head.get(i))
            .copied()
            .unwrap_or(span)
    }

    pub fn is_head(&self, span: SpanIdx) -> bool {
        self.head_of(span) == span
    }

    /// Unit heads in start order.
    pub fn heads(&self) -> impl Iterator<Item = SpanIdx> + '_ {
        self.head
            .iter()
            .enumerate()
            .filter(|(i, h)| h.index() == self.first + i)
            .map(|(_, &h)| h)
    }

    /// The spans of the unit headed by `head`, in row (start) order; empty
    /// when `head` heads no unit of this trace.
    pub fn members(&self, head: SpanIdx) -> &[SpanIdx] {
        let Some(h) = head.index().checked_sub(self.first) else {
            return &[];
        };
        match (self.member_start.get(h), self.member_start.get(h + 1)) {
            (Some(&a), Some(&b)) => &self.members[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Self time of a unit: its members' self times.
    pub fn self_nanos(&self, index: &Index, head: SpanIdx) -> i64 {
        self.members(head)
            .iter()
            .map(|m| index.self_nanos.get(m.index()).copied().unwrap_or(0))
            .sum()
    }
}

/// Splits a trace into units. Parents are visited before children (tree
/// order), so a chain of any length joins its outermost span.
pub fn trace_units(store: &Store, index: &Index, trace: TraceIdx) -> TraceUnits {
    if trace.index() >= store.trace_count() {
        return TraceUnits::new(trace, 0, Vec::new());
    }
    let range = store.trace_spans(trace);
    let first = range.start;
    let mut head: Vec<SpanIdx> = range.clone().map(|i| SpanIdx(i as u32)).collect();
    let s = &store.spans;
    for (span, _) in index.tree_order(store, trace) {
        let i = span.index();
        let parent = s.parent[i];
        if parent == NONE {
            continue;
        }
        let name = store.str(s.name[i]);
        let only_child = index.children_of(SpanIdx(parent)).len() == 1;
        // The root's children start units (they are the program's steps),
        // except the Predict a root ChainOfThought wraps.
        let under_root = s.parent[parent as usize] == NONE;
        let joins = (dspy::is_predict(name) && only_child)
            || (!under_root && (dspy::is_adapter_internal(name) || s.kind[i] == SpanKind::Llm));
        if joins {
            if let Some(&h) = head.get(parent as usize - first) {
                head[i - first] = h;
            }
        }
    }
    TraceUnits::new(trace, first, head)
}

/// The steps of a program run: the units right under the program's unit.
/// The program is the root, or the one child a wrapper root hands off to
/// (Langfuse's `rag-request → RAG.forward`); a program that is one
/// predictor (a bare ChainOfThought) is its own single step.
pub fn program_steps(store: &Store, index: &Index, units: &TraceUnits) -> Vec<SpanIdx> {
    let Some(mut program) = index.traces.get(units.trace.index()).and_then(|t| t.root) else {
        return Vec::new();
    };
    let child_units = |head: SpanIdx| -> Vec<SpanIdx> {
        units
            .members(head)
            .iter()
            .flat_map(|&m| index.children_of(m).iter().copied())
            .filter(|&c| units.is_head(c))
            .collect()
    };
    for _ in 0..store.trace_spans(units.trace).len() {
        let children = child_units(program);
        match children.as_slice() {
            [] => return vec![program],
            [only] if units.members(program).len() == 1 => program = *only,
            _ => {
                let mut steps = children;
                steps.sort_by_key(|s| (store.spans.start_nanos[s.index()], s.0));
                return steps;
            }
        }
    }
    vec![program]
}

/// What a unit is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLabel {
    /// `generate_query: context, question -> search_query`, or the head's
    /// span name when no signature is known.
    pub text: String,
    pub signature: Option<Signature>,
}

/// The label of the unit headed by `head`.
pub fn label(store: &Store, units: &TraceUnits, head: SpanIdx) -> StepLabel {
    let s = &store.spans;
    let name = store.str(s.name[head.index()]);
    let members = units.members(head);
    let signature = dspy::signature_of(store, members)
        .or_else(|| keyword_call_signature(store, head))
        .map(Signature::declared);
    let who = if dspy::is_predictor_name(name) {
        name
    } else {
        dspy::module_class(name)
    };
    let text = match &signature {
        Some(sig) if !who.is_empty() => format!("{who}: {}", sig.text()),
        _ => name.to_string(),
    };
    StepLabel { text, signature }
}

/// A step log's predictor step: called with keywords only (`{"args": [],
/// "kwargs": {"question": …}}`) and returning fields: its signature is
/// the keyword names and the returned field names.
fn keyword_call_signature(store: &Store, head: SpanIdx) -> Option<Signature> {
    let s = &store.spans;
    let i = head.index();
    if s.kind[i] != SpanKind::Chain || !dspy::is_predictor_name(store.str(s.name[i])) {
        return None;
    }
    let parse =
        |t: Option<crate::model::TextRef>| serde_json::from_str::<Value>(&store.text(t?)).ok();
    let input = parse(s.input[i])?;
    let args_empty = input.get("args")?.as_array()?.is_empty();
    let kwargs = input.get("kwargs")?.as_object()?;
    let output = parse(s.output[i])?;
    let outputs = output.as_object()?;
    if !args_empty || kwargs.is_empty() || outputs.is_empty() {
        return None;
    }
    Some(Signature {
        inputs: kwargs.keys().cloned().collect(),
        outputs: outputs.keys().cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load, Input, Session};

    fn open(rel: &str) -> Session {
        let path = format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        load(vec![Input::new(rel, std::fs::read(path).unwrap())])
    }

    fn step_labels(s: &Session, t: usize) -> Vec<String> {
        let units = trace_units(&s.store, &s.index, s.index.by_start[t]);
        program_steps(&s.store, &s.index, &units)
            .into_iter()
            .map(|h| label(&s.store, &units, h).text)
            .collect()
    }

    #[test]
    fn openinference_multihop_steps_are_predictors_and_retrievals() {
        // MultiHop.forward → ChainOfThought ×3 (each a 5-span wrapper chain)
        // and Retrieve ×2; the signatures come from ChatAdapter's input.
        let s = open("otlp-json/dspy-multihop.openinference.otlp-http-json.json");
        let q = "ChainOfThought: context, question -> search_query";
        let a = "ChainOfThought: context, question -> answer";
        assert_eq!(
            step_labels(&s, 0),
            [q, "Retrieve.forward", q, "Retrieve.forward", a]
        );
        // 18 spans, 6 units: the root, 3 predictor calls, 2 retrievals.
        let units = trace_units(&s.store, &s.index, s.index.by_start[0]);
        assert_eq!(units.heads().count(), 6);
    }

    #[test]
    fn mlflow_chains_with_format_and_parse_are_one_unit() {
        // ChainOfThought.forward carries `signature`; Predict.forward [llm]
        // holds ChatAdapter.format, LM.__call__, ChatAdapter.parse.
        let s = open("mlflow-json/dspy-multihop.mlflow-trace-single.json");
        let units = trace_units(&s.store, &s.index, s.index.by_start[0]);
        assert_eq!(units.heads().count(), 6);
        let q = "ChainOfThought: context, question -> search_query";
        assert_eq!(
            step_labels(&s, 0),
            [
                q,
                "Retrieve.forward",
                q,
                "Retrieve.forward",
                "ChainOfThought: context, question -> answer"
            ]
        );
    }

    #[test]
    fn step_logs_name_predictors() {
        // dspy-multihop.steps.jsonl: generate_query(context, question) →
        // {reasoning, search_query}; retrieve(args) → passages.
        let s = open("step-jsonl/dspy-multihop.steps.jsonl");
        let labels = step_labels(&s, 0);
        assert_eq!(
            labels[0],
            "generate_query: context, question -> search_query"
        );
        assert_eq!(labels[1], "retrieve");
    }

    #[test]
    fn callback_modules_are_named_by_the_prompt_field_lists() {
        // DSPy callback events: MultiHop → ChainOfThought → Predict → lm; the
        // signature comes from the adapter's field lists in the LM prompt.
        let s = open("dspy-callback-jsonl/dspy-multihop.callback-events.jsonl");
        let q = "ChainOfThought: context, question -> search_query";
        assert_eq!(
            step_labels(&s, 0),
            [
                q,
                "Retrieve",
                q,
                "Retrieve",
                "ChainOfThought: context, question -> answer"
            ]
        );
    }

    #[test]
    fn a_bare_predictor_program_is_its_own_step() {
        // MLflow classify: the root is ChainOfThought.forward.
        let s = open("mlflow-json/dspy-classify.mlflow-trace-single.json");
        let labels = step_labels(&s, 0);
        assert_eq!(labels.len(), 1);
        assert!(labels[0].starts_with("ChainOfThought: "), "{labels:?}");
    }

    #[test]
    fn a_wrapper_root_hands_off_to_its_program() {
        // Langfuse: rag-request → RAG.forward → Retrieve, ChainOfThought.
        let s = open("langfuse-otlp/dspy-rag.langfuse-otlp.protojson.json");
        assert_eq!(
            step_labels(&s, 0),
            [
                "Retrieve.forward",
                "ChainOfThought: context, question -> answer"
            ]
        );
    }
}
