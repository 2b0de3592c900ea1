//! The analyses on real fixtures, against numbers computed independently by
//! `tests/analysis_reference.py` (plain Python over the fixture JSON: its
//! own self-time union, a recursive port of Jaeger UI's critical path,
//! nearest-rank percentiles, sums of the `llm.*` attributes). Section letters
//! in the comments refer to that script's output.

use spanscope::analysis::breakdown::trace_breakdown;
use spanscope::analysis::critical_path::critical_path;
use spanscope::analysis::errors::errors;
use spanscope::analysis::group_by::{group_by, GroupKey};
use spanscope::analysis::latency::latency;
use spanscope::analysis::prices::PriceTable;
use spanscope::analysis::tokens::{tokens, CostSource};
use spanscope::load::{load, Input, Session};
use spanscope::model::TraceIdx;
use std::path::Path;

fn open(rels: &[&str]) -> Session {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let inputs = rels
        .iter()
        .map(|rel| Input::new(*rel, std::fs::read(dir.join(rel)).unwrap_or_default()))
        .collect();
    load(inputs)
}

fn trace(session: &Session, id: &str) -> TraceIdx {
    let store = &session.store;
    let t = (0..store.trace_count())
        .find(|&t| store.id(store.traces.trace_id[t]) == id)
        .unwrap_or(usize::MAX);
    TraceIdx(t as u32)
}

fn all(session: &Session) -> Vec<TraceIdx> {
    session.index.by_start.clone()
}

const RAG: &str = "otlp-json/dspy-rag.openinference.otlp-http-json.json";
const REACT: &str = "otlp-json/dspy-react.openinference.otlp-http-json.json";
const MULTIHOP: &str = "otlp-json/dspy-multihop.openinference.otlp-http-json.json";
const ALL: &str = "otlp-jsonl/dspy-all-scenarios.filexporter.jsonl";

#[test]
fn self_time_breakdown_of_a_rag_trace() {
    // Reference A: trace 3a2e…, self time = duration minus the union of children.
    let s = open(&[RAG]);
    let b = trace_breakdown(
        &s.store,
        &s.index,
        trace(&s, "3a2e61939a2af9a02c5d47a80a5cf837"),
    );
    assert_eq!(b.duration_nanos, 113_522_607);
    let rows: Vec<(&str, i64)> = b
        .by_name
        .iter()
        .map(|r| (r.name.as_str(), r.self_nanos))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("LM.__call__", 107_353_605),
            ("Retrieve.forward", 2_630_980),
            ("ChatAdapter.__call__", 1_313_361),
            ("RAG.forward", 787_479),
            ("Predict(StringSignature).forward", 768_384),
            ("ChainOfThought.forward", 334_414),
            ("Predict.forward", 334_384),
        ]
    );
    assert!((b.by_name[0].share - 107_353_605.0 / 113_522_607.0).abs() < 1e-12);
    // One span per name in this trace, and the self times add up to the root.
    assert!(b.by_name.iter().all(|r| r.spans == 1));
    assert_eq!(
        b.by_name.iter().map(|r| r.self_nanos).sum::<i64>(),
        113_522_607
    );
    let steps: Vec<(&str, i64)> = b
        .steps
        .iter()
        .map(|st| (st.name.as_str(), st.duration_nanos))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("Retrieve.forward", 2_630_980),
            ("ChainOfThought.forward", 110_104_148)
        ]
    );
    assert_eq!(b.root_self_nanos, 787_479);
    // Per step unit: the ChainOfThought call's five spans count once, its
    // self time the sum of theirs: 334414 + 334384 + 768384 + 1313361 +
    // 107353605 = 110104148.
    let by_step: Vec<(&str, u64, i64)> = b
        .by_step
        .iter()
        .map(|r| (r.label.as_str(), r.units, r.self_nanos))
        .collect();
    assert_eq!(
        by_step,
        vec![
            (
                "ChainOfThought: context, question -> answer",
                1,
                110_104_148
            ),
            ("Retrieve.forward", 1, 2_630_980),
            ("RAG.forward", 1, 787_479),
        ]
    );
}

#[test]
fn critical_path_of_a_react_trace() {
    // Reference B: Jaeger's algorithm, recursive, over trace 2c44…; offsets
    // from the root's start. The agent's steps run one after another, so the
    // whole trace is on the path, in 49 segments.
    let s = open(&[REACT]);
    let t = trace(&s, "2c44d7ba88833482b7e9ee31431bc79c");
    let p = critical_path(&s.store, &s.index, t);
    let start = s.index.traces[t.index()].start_nanos;
    let name = |span: spanscope::model::SpanIdx| s.store.str(s.store.spans.name[span.index()]);
    let segs: Vec<(&str, i64, i64)> = p
        .segments
        .iter()
        .map(|g| (name(g.span), g.start_nanos - start, g.end_nanos - start))
        .collect();
    assert_eq!(segs.len(), 49);
    assert_eq!(
        segs[..7],
        [
            ("ReAct.forward", 0, 5_469_317),
            ("Predict.forward", 5_469_317, 5_713_242),
            ("Predict(StringSignature).forward", 5_713_242, 6_186_135),
            ("ChatAdapter.__call__", 6_186_135, 7_384_261),
            ("LM.__call__", 7_384_261, 7_803_754),
            ("completion", 7_803_754, 60_035_299),
            ("LM.__call__", 60_035_299, 60_352_661),
        ]
    );
    assert_eq!(
        segs[21..24],
        [
            ("Predict.forward", 179_754_962, 179_823_600),
            ("ReAct.forward", 179_823_600, 180_076_722),
            ("calculator.__call__", 180_076_722, 182_530_572),
        ]
    );
    assert_eq!(segs[48], ("ReAct.forward", 364_789_802, 364_906_911));
    assert_eq!(p.idle_nanos, 0);
    let mut per_name: std::collections::BTreeMap<&str, i64> = Default::default();
    for x in &p.per_span {
        *per_name.entry(name(x.span)).or_default() += x.on_path_nanos;
    }
    let mut per_name: Vec<(&str, i64)> = per_name.into_iter().collect();
    per_name.sort_by_key(|x| std::cmp::Reverse(x.1));
    assert_eq!(
        per_name,
        vec![
            ("completion", 316_925_347),
            ("ReAct.forward", 24_356_182),
            ("ChatAdapter.__call__", 9_605_195),
            ("LM.__call__", 3_787_759),
            ("search_wiki.__call__", 3_633_151),
            ("Predict(StringSignature).forward", 2_464_780),
            ("calculator.__call__", 2_453_850),
            ("Predict.forward", 1_292_593),
            ("ChainOfThought.forward", 286_164),
            ("finish.__call__", 101_890),
        ]
    );
    // The single longest stretch: the last LM completion, 262.1–363.3 ms.
    assert_eq!(name(p.per_span[0].span), "completion");
    assert_eq!(p.per_span[0].on_path_nanos, 363_260_188 - 262_135_011);
}

#[test]
fn lm_call_latency_across_the_multihop_file() {
    // Reference C: the 8 LM.__call__ durations, sorted:
    // 16311200 57324469 61099385 65249900 83604994 88565743 89584524 92392023
    // nearest rank: p50 → rank 4, p90 → rank ceil(7.2) = 8, p99 → rank 8.
    let s = open(&[MULTIHOP]);
    let r = latency(&s.store, &s.index, &all(&s));
    let lm = r.by_name.iter().find(|row| row.key == "LM.__call__");
    let lm = lm.map(|row| (row.latency, row.error_spans));
    let l = lm.map(|(l, _)| l).unwrap_or_default();
    assert_eq!(
        (
            l.count,
            l.p50_nanos,
            l.p90_nanos,
            l.p99_nanos,
            l.max_nanos,
            l.total_nanos
        ),
        (
            8,
            65_249_900,
            92_392_023,
            92_392_023,
            92_392_023,
            554_132_238
        )
    );
    assert_eq!(lm.map(|(_, e)| e), Some(0));
    // The native engine's LM.__call__ is the LM call, so the model row agrees.
    assert_eq!(r.by_model.len(), 1);
    assert_eq!(r.by_model[0].key, "gpt-4o-mini");
    assert_eq!(r.by_model[0].latency, l);
    // Rows by total time: the root spans come first.
    assert_eq!(r.by_name[0].key, "MultiHop.forward");
    // Slowest step per trace, steps named by predictor signature: trace
    // 3493… (176 ms) the answer step (85.8 ms of 20.0/64.0/85.8), 8509…
    // (267 ms) the first query step (97.2 of 97.2/70.5/91.1), 125c… (162 ms,
    // unparseable output) its only step, a query step (159 ms).
    let query = "ChainOfThought: context, question -> search_query";
    let answer = "ChainOfThought: context, question -> answer";
    let slow: Vec<(&str, u64)> = r
        .slowest_steps
        .iter()
        .map(|x| (x.name.as_str(), x.traces))
        .collect();
    assert_eq!(slow, vec![(query, 2), (answer, 1)]);
    // Per step, each wrapper chain once: 5 query calls (one failed), 2
    // answer calls, 4 retrievals, 3 programs (one failed) — not the failure
    // repeated at ChainOfThought, Predict, Predict(StringSignature) and
    // ChatAdapter level.
    let steps: Vec<(&str, u64, u64)> = r
        .by_step
        .iter()
        .map(|x| (x.key.as_str(), x.latency.count, x.error_spans))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("MultiHop.forward", 3, 1),
            (query, 5, 1),
            (answer, 2, 0),
            ("Retrieve.forward", 4, 0),
        ]
    );
    // Trace durations 161550628, 176222810, 266945789.
    assert_eq!(
        (r.traces.count, r.traces.p50_nanos, r.traces.max_nanos),
        (3, 176_222_810, 266_945_789)
    );
}

#[test]
fn trace_duration_histogram_of_all_scenarios() {
    // Reference H: 19 traces in 1-2-5 log buckets.
    let s = open(&[ALL]);
    let r = latency(&s.store, &s.index, &all(&s));
    let got: Vec<(i64, i64, u64)> = r
        .histogram
        .iter()
        .map(|b| (b.lower_nanos, b.upper_nanos, b.count))
        .collect();
    assert_eq!(
        got,
        vec![
            (10_000_000, 20_000_000, 1),
            (20_000_000, 50_000_000, 2),
            (50_000_000, 100_000_000, 7),
            (100_000_000, 200_000_000, 3),
            (200_000_000, 500_000_000, 3),
            (500_000_000, 1_000_000_000, 0),
            (1_000_000_000, 2_000_000_000, 3),
        ]
    );
}

#[test]
fn tokens_and_cost_per_model_for_react() {
    // Reference D: the 8 LiteLLM `completion` spans (the LM calls; their
    // LM.__call__ parents carry no usage): summed llm.token_count.* and
    // llm.cost.total.
    let s = open(&[REACT]);
    let r = tokens(&s.store, &s.index, &all(&s), &PriceTable::bundled());
    assert_eq!(r.by_model.len(), 1);
    let m = &r.by_model[0];
    // Grouped by the bare model; the provider route is kept beside it.
    assert_eq!(m.model, "gpt-4o-mini");
    assert_eq!(m.providers, ["openai"]);
    let t = m.totals.tokens;
    assert_eq!(
        (
            m.totals.lm_calls,
            t.input_tokens,
            t.output_tokens,
            t.cached_tokens,
            t.reasoning_tokens
        ),
        (8, 7328, 711, 1216, 0)
    );
    assert!((m.totals.cost_usd - 0.001_434_6).abs() < 1e-12);
    assert_eq!(m.totals.cost_source, CostSource::File);
    assert_eq!(m.totals.unpriced_calls, 0);
    // Per trace: 2c44… 3792 input tokens, $0.0007632; 2ac0… $0.0006714.
    let t1 = trace(&s, "2c44d7ba88833482b7e9ee31431bc79c");
    let row = r.by_trace.iter().find(|(t, _)| *t == t1).map(|(_, x)| x);
    assert_eq!(row.map(|x| x.tokens.input_tokens), Some(3792));
    assert!(row.is_some_and(|x| (x.cost_usd - 0.000_763_2).abs() < 1e-12));
    assert!((r.total.cost_usd - 0.001_434_6).abs() < 1e-12);

    // What-if with the bundled gpt-4o-mini price as an override reproduces
    // LiteLLM's cost: (7328 − 1216) × 0.15 + 1216 × 0.075 + 711 × 0.60
    // = 1434.6 USD per 1M tokens = $0.0014346.
    let mut prices = PriceTable::bundled();
    let bundled = prices.lookup("gpt-4o-mini").map(|(e, _)| e.price);
    if let Some(price) = bundled {
        prices.set_override("gpt-4o-mini", price);
    }
    let r = tokens(&s.store, &s.index, &all(&s), &prices);
    assert_eq!(r.total.cost_source, CostSource::Override);
    assert!((r.total.cost_usd - 0.001_434_6).abs() < 1e-12);
}

#[test]
fn error_groups_of_dspy_rag() {
    // Reference E: the OTLP dspy-rag export holds one injected failure (HTTP
    // 500 → LMServerError), raised in LM.__call__ and passed up through its
    // five ancestors: one group, 6 spans, 1 trace. Type and message come from
    // the `exception` events.
    let s = open(&[RAG]);
    let r = errors(&s.store, &s.index, &all(&s));
    assert_eq!(r.spans.len(), 6);
    assert_eq!(r.groups.len(), 1);
    let g = &r.groups[0];
    assert_eq!(
        g.exception_type.as_deref(),
        Some("dspy.utils.exceptions.LMServerError")
    );
    assert!(g
        .message
        .starts_with("[openai/gpt-4o-mini] The server had an error while processin"));
    assert_eq!((g.spans, g.traces), (6, 1));
    assert_eq!(g.raised_in, vec!["LM.__call__".to_owned()]);
    let lm = r.spans.iter().find(|e| e.name == "LM.__call__");
    assert!(lm.is_some_and(|e| e.from_event && e.origin));
    assert_eq!(
        lm.and_then(|e| e.step_name.as_deref()),
        Some("ChainOfThought.forward")
    );
    assert!(lm
        .and_then(|e| e.stacktrace.as_deref())
        .is_some_and(|st| st.starts_with("Traceback")));
    let root = r.spans.iter().find(|e| e.name == "RAG.forward");
    assert!(root.is_some_and(|e| e.step.is_none() && !e.origin));
}

#[test]
fn error_groups_across_all_scenarios() {
    // Reference E (all-scenarios): 7 groups, each in one trace, by spans.
    let s = open(&[ALL]);
    let r = errors(&s.store, &s.index, &all(&s));
    let got: Vec<(&str, u64, u64)> = r
        .groups
        .iter()
        .map(|g| (g.exception_type.as_deref().unwrap_or(""), g.spans, g.traces))
        .collect();
    assert_eq!(
        got,
        vec![
            ("dspy.utils.exceptions.LMServerError", 6, 1),
            ("dspy.utils.exceptions.AdapterParseError", 5, 1),
            ("dspy.utils.exceptions.LMRateLimitError", 5, 1),
            ("litellm.exceptions.RateLimitError", 2, 1),
            ("ValueError", 1, 1),
            ("ValueError", 1, 1),
            ("dspy.utils.exceptions.AdapterParseError", 1, 1),
        ]
    );
    assert_eq!(r.spans.len(), 21);
    // The tool that raises: its step is the tool span itself.
    let tool = r.spans.iter().find(|e| e.name == "calculator.__call__");
    assert_eq!(
        tool.and_then(|e| e.step_name.as_deref()),
        Some("calculator.__call__")
    );
}

#[test]
fn langfuse_traces_grouped_by_scenario() {
    // Reference F: the four Langfuse exports loaded together, grouped by
    // `langfuse.trace.metadata.scenario` (JSON-encoded strings, unquoted).
    let files: Vec<String> = ["classify", "multihop", "rag", "react"]
        .iter()
        .map(|n| format!("langfuse-otlp/dspy-{n}.langfuse-otlp.protojson.json"))
        .collect();
    let rels: Vec<&str> = files.iter().map(String::as_str).collect();
    let s = open(&rels);
    let key = GroupKey::Any("scenario".into());
    let g = group_by(&s.store, &s.index, &all(&s), &key, &PriceTable::bundled());
    let got: Vec<(Option<&str>, usize, u64, i64, i64)> = g
        .iter()
        .map(|x| {
            (
                x.value.as_deref(),
                x.traces.len(),
                x.error_traces,
                x.duration.p50_nanos,
                x.duration.p90_nanos,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("classify"), 4, 1, 68_278_021, 5_311_528_761),
            (Some("rag"), 4, 1, 74_019_680, 1_141_975_012),
            (Some("multihop"), 3, 1, 190_260_217, 284_607_438),
            (Some("react"), 2, 2, 319_645_698, 323_144_838),
        ]
    );
    assert_eq!(g[0].error_rate, 0.25);
}

#[test]
fn all_scenarios_grouped_by_model() {
    // Reference G: the model of each trace's first LM call: 13 traces name
    // gpt-4o-mini (the native engine's LM.__call__, no usage), 6 name
    // openai/gpt-4o-mini (LiteLLM completions, llm.cost.total except the 2
    // that hit HTTP 429). The two spellings are one model: one group.
    let s = open(&[ALL]);
    let g = group_by(
        &s.store,
        &s.index,
        &all(&s),
        &GroupKey::Model,
        &PriceTable::bundled(),
    );
    let got: Vec<(Option<&str>, usize, u64, u64)> = g
        .iter()
        .map(|x| {
            (
                x.value.as_deref(),
                x.traces.len(),
                x.tokens.lm_calls,
                x.tokens.unpriced_calls,
            )
        })
        .collect();
    // 18 + 13 calls; 18 + 2 without a cost.
    assert_eq!(got, vec![(Some("gpt-4o-mini"), 19, 31, 20)]);
    assert_eq!(g[0].tokens.cost_source, CostSource::Mixed);
    assert!((g[0].tokens.cost_usd - 0.001_736_4).abs() < 1e-12);
    assert_eq!(
        (
            g[0].tokens.tokens.input_tokens,
            g[0].tokens.tokens.output_tokens
        ),
        (8180, 1001)
    );
    // 5 traces have error spans; 3 failed (the ReAct tool errors were
    // recovered from).
    assert_eq!((g[0].error_traces, g[0].failed_traces), (5, 3));
    // The provider is a key of its own: `openai` on every trace (the native
    // LM.__call__ spans carry llm.provider, completions route openai/…).
    let p = group_by(
        &s.store,
        &s.index,
        &all(&s),
        &GroupKey::Any("provider".into()),
        &PriceTable::bundled(),
    );
    let by_provider: Vec<(Option<&str>, usize)> = p
        .iter()
        .map(|x| (x.value.as_deref(), x.traces.len()))
        .collect();
    assert_eq!(by_provider, vec![(Some("openai"), 19)]);
}
