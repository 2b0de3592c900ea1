//! DSPy program trees (RAG, MultiHop, ReAct, Parallel, an optimizer run)
//! and their timing; spans are emitted children first, in export order.

use super::payload::Call;
use super::vocab::{DOCS_ALL, DOCS_ASCII, QUESTIONS};
use super::writer::{head, json_object, s, Attrs, Scope};
use super::{Gen, Shape, Target, EVAL_PROGRAMS, EVAL_THREADS, MS};

impl Gen {
    /// One top-level DSPy program run; returns its end time.
    pub(super) fn program(&mut self, parent: Option<u64>, start: i64, allow_parallel: bool) -> i64 {
        match self.rng.below(100) {
            0..55 => self.rag(parent, start),
            55..75 => self.multihop(parent, start),
            75..90 => self.react(parent, start),
            _ if allow_parallel => self.parallel(parent, start),
            _ => self.rag(parent, start),
        }
    }

    /// `RAG.forward` → `Retrieve.forward`, `ChainOfThought…` (8 spans).
    pub(super) fn rag(&mut self, parent: Option<u64>, start: i64) -> i64 {
        let id = self.rng.id();
        let question = self.rng.pick(QUESTIONS);
        let mut t = start + self.between(MS / 10, MS);
        let (docs, end) = self.retrieve(id, t, question, 3);
        t = end + self.between(MS / 10, MS / 2);
        let call = self.call(question, docs, "answer");
        t = self.predictor(id, t, &call, true);
        let end = t + self.between(MS / 20, MS / 2);
        let attrs = self.module_attrs(&call);
        self.emit(head(id, parent, "RAG.forward", "CHAIN", start, end), attrs);
        end
    }

    /// `MultiHop.forward` → 2 × (query, retrieve) → answer (21 spans).
    pub(super) fn multihop(&mut self, parent: Option<u64>, start: i64) -> i64 {
        let id = self.rng.id();
        let question = self.rng.pick(QUESTIONS);
        let mut t = start + self.between(MS / 10, MS);
        let mut context = Vec::new();
        for _ in 0..2 {
            let call = self.call(question, context.clone(), "search_query");
            t = self.predictor(id, t, &call, true) + self.between(MS / 20, MS / 2);
            let (docs, end) = self.retrieve(id, t, question, 2);
            context.extend(docs);
            t = end + self.between(MS / 20, MS / 2);
        }
        let call = self.call(question, context, "answer");
        t = self.predictor(id, t, &call, true);
        let end = t + self.between(MS / 20, MS / 2);
        let attrs = self.module_attrs(&call);
        self.emit(
            head(id, parent, "MultiHop.forward", "CHAIN", start, end),
            attrs,
        );
        end
    }

    /// `ReAct.forward` → n × (think, tool) → finish → extract.
    pub(super) fn react(&mut self, parent: Option<u64>, start: i64) -> i64 {
        let id = self.rng.id();
        let question = self.rng.pick(QUESTIONS);
        let mut t = start + self.between(MS / 10, MS);
        let steps = 2 + self.rng.below(3);
        for step in 0..=steps {
            let call = self.call(question, Vec::new(), "next_thought");
            t = self.predictor(id, t, &call, false) + self.between(MS / 20, MS / 2);
            let tool = if step == steps {
                "finish.__call__"
            } else {
                self.rng
                    .pick(&["search_wiki.__call__", "calculator.__call__"])
            };
            let tool_id = self.rng.id();
            let end = t + self.between(MS / 5, 30 * MS);
            let attrs = self.tool_attrs(question);
            self.emit(head(tool_id, Some(id), tool, "TOOL", t, end), attrs);
            t = end + self.between(MS / 20, MS / 2);
        }
        let call = self.call(question, Vec::new(), "answer");
        t = self.predictor(id, t, &call, true);
        let end = t + self.between(MS / 20, MS / 2);
        let attrs = self.module_attrs(&call);
        self.emit(
            head(id, parent, "ReAct.forward", "CHAIN", start, end),
            attrs,
        );
        end
    }

    /// `Parallel.forward` → 2–4 `RAG.forward` on threads: overlapping children.
    pub(super) fn parallel(&mut self, parent: Option<u64>, start: i64) -> i64 {
        let id = self.rng.id();
        let n = 2 + self.rng.below(3);
        let mut end = start;
        for k in 0..n {
            let child_start = start + MS / 5 + k as i64 * self.between(MS / 10, MS / 2);
            end = end.max(self.rag(Some(id), child_start));
        }
        end += self.between(MS / 20, MS / 2);
        let attrs = match self.shape {
            Shape::Skeleton => vec![("openinference.span.kind".into(), s("CHAIN"))],
            _ => vec![
                ("input.value".into(), s(format!("{n} examples"))),
                ("input.mime_type".into(), s("text/plain")),
                ("openinference.span.kind".into(), s("CHAIN")),
            ],
        };
        self.emit(
            head(id, parent, "Parallel.forward", "CHAIN", start, end),
            attrs,
        );
        end
    }

    /// One trace: `MIPROv2.compile` → `Evaluate.__call__` (100 programs on 4
    /// threads each) until the target is reached.
    pub(super) fn optimizer_trace(&mut self, target: Target) {
        self.new_trace();
        let root = self.rng.id();
        let start = self.clock;
        let mut t = start + self.between(MS, 5 * MS);
        while !self.reached(target) {
            let eval = self.rng.id();
            let eval_start = t;
            let mut lanes = [eval_start + MS / 2; EVAL_THREADS];
            let mut done = 0;
            while done < EVAL_PROGRAMS && !self.reached(target) {
                let lane = (0..EVAL_THREADS).min_by_key(|&l| lanes[l]).unwrap_or(0);
                lanes[lane] = self.program(Some(eval), lanes[lane], false) + MS / 10;
                done += 1;
            }
            let eval_end = lanes.iter().copied().max().unwrap_or(eval_start) + MS / 2;
            let attrs = vec![
                ("input.value".into(), s(format!("{done} examples"))),
                ("openinference.span.kind".into(), s("EVALUATOR")),
            ];
            self.emit(
                head(
                    eval,
                    Some(root),
                    "Evaluate.__call__",
                    "CHAIN",
                    eval_start,
                    eval_end,
                ),
                attrs,
            );
            t = eval_end + self.between(MS, 20 * MS);
        }
        let attrs = vec![("openinference.span.kind".into(), s("CHAIN"))];
        self.emit(
            head(root, None, "MIPROv2.compile", "CHAIN", start, t),
            attrs,
        );
        self.clock = t;
    }

    /// `Retrieve.forward`; returns the documents and the end time.
    pub(super) fn retrieve(
        &mut self,
        parent: u64,
        start: i64,
        query: &'static str,
        k: usize,
    ) -> (Vec<&'static str>, i64) {
        let id = self.rng.id();
        let pool = if self.shape == Shape::Heavy {
            DOCS_ALL
        } else {
            DOCS_ASCII
        };
        let docs: Vec<&'static str> = (0..k).map(|_| self.rng.pick(pool)).collect();
        let end = start + self.between(MS, 8 * MS);
        let mut attrs: Attrs = Vec::new();
        if self.shape != Shape::Skeleton {
            let input = match self.shape {
                Shape::Heavy => json_object(&[("query", query)]),
                _ => query.to_string(),
            };
            attrs.push(("input.value".into(), s(input)));
            attrs.push(("input.mime_type".into(), s(self.mime())));
            let shown = if self.shape == Shape::Heavy {
                k
            } else {
                k.min(2)
            };
            for (i, doc) in docs.iter().take(shown).enumerate() {
                let key = format!("retrieval.documents.{i}.document.content");
                attrs.push((key.into(), s(*doc)));
            }
        }
        attrs.push(("openinference.span.kind".into(), s("RETRIEVER")));
        self.emit(
            head(
                id,
                Some(parent),
                "Retrieve.forward",
                "RETRIEVER",
                start,
                end,
            ),
            attrs,
        );
        (docs, end)
    }

    /// `ChainOfThought.forward` (if `cot`) → `Predict.forward` →
    /// `Predict(StringSignature).forward` → `ChatAdapter.__call__` →
    /// `LM.__call__` → `completion`, emitted children first (export order).
    pub(super) fn predictor(&mut self, parent: u64, start: i64, call: &Call, cot: bool) -> i64 {
        let first = usize::from(!cot);
        self.layer(first, parent, start, call)
    }

    pub(super) fn layer(&mut self, level: usize, parent: u64, start: i64, call: &Call) -> i64 {
        const LAYERS: [(&str, &str); 6] = [
            ("ChainOfThought.forward", "CHAIN"),
            ("Predict.forward", "CHAIN"),
            ("Predict(StringSignature).forward", "CHAIN"),
            ("ChatAdapter.__call__", "CHAIN"),
            ("LM.__call__", "LLM"),
            ("completion", "LLM"),
        ];
        let id = self.rng.id();
        let inner_start = start + self.between(MS / 20, MS);
        let inner_end = if level + 1 < LAYERS.len() {
            self.layer(level + 1, id, inner_start, call)
        } else {
            inner_start + self.lm_latency()
        };
        let end = inner_end + self.between(MS / 50, MS / 2);
        let (name, kind) = LAYERS[level];
        let (attrs, scope) = match level {
            0..=2 => (self.module_attrs(call), Scope::Dspy),
            3 => (self.adapter_attrs(call), Scope::Dspy),
            4 => (self.lm_attrs(call, false), Scope::Dspy),
            _ => (self.lm_attrs(call, true), Scope::Litellm),
        };
        let mut h = head(id, Some(parent), name, kind, start, end);
        h.scope = scope;
        self.emit(h, attrs);
        end
    }
}
