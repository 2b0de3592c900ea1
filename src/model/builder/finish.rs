//! Finishing a store: rows ordered by trace then start time, parent ids
//! resolved to rows, parent cycles cut, LM calls marked, clock skew noted,
//! events and trace metadata grouped. Runs once, after every source.

use super::*;

pub(super) fn finish(mut b: StoreBuilder) -> (Store, WarningLog) {
    // Traces in first-seen order; spans grouped by trace, then by start time.
    let mut trace_of: HashMap<Sym, u32> = HashMap::default();
    let mut trace_ids: Vec<Sym> = Vec::new();
    for row in &b.rows {
        trace_of.entry(row.trace).or_insert_with(|| {
            trace_ids.push(row.trace);
            (trace_ids.len() - 1) as u32
        });
    }
    for (trace, _, _) in &b.trace_meta {
        trace_of.entry(*trace).or_insert_with(|| {
            trace_ids.push(*trace);
            (trace_ids.len() - 1) as u32
        });
    }
    let mut rows = std::mem::take(&mut b.rows);
    rows.sort_by_key(|r| (trace_of[&r.trace], r.draft.start_nanos, r.order));
    let n = rows.len();

    // New row index of each original row, for events.
    let mut new_index = vec![0u32; n];
    for (i, row) in rows.iter().enumerate() {
        new_index[row.order as usize] = i as u32;
    }
    let mut by_id: HashMap<(Sym, Sym), u32> =
        HashMap::with_capacity_and_hasher(n, Default::default());
    for (i, row) in rows.iter().enumerate() {
        by_id.insert((row.trace, row.span), i as u32);
    }

    let mut spans = SpanColumns::default();
    let mut attrs = AttrColumns::default();
    let mut span_start = vec![0u32; trace_ids.len() + 1];
    for row in &rows {
        span_start[trace_of[&row.trace] as usize + 1] += 1;
    }
    for t in 0..trace_ids.len() {
        span_start[t + 1] += span_start[t];
    }
    let mut orphans = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let d = &row.draft;
        spans.trace.push(TraceIdx(trace_of[&row.trace]));
        spans.span_id.push(row.span);
        let parent = if row.parent.is_empty() {
            NONE
        } else {
            match by_id.get(&(row.trace, row.parent)) {
                Some(&p) if p as usize != i => p,
                _ => {
                    orphans.push(i);
                    NONE
                }
            }
        };
        spans.parent.push(parent);
        spans.parent_id.push(row.parent);
        spans.name.push(d.name);
        spans.kind.push(d.kind);
        spans.status.push(d.status);
        spans.status_message.push(d.status_message);
        spans.start_nanos.push(d.start_nanos);
        spans.end_nanos.push(d.end_nanos);
        spans.service.push(d.service);
        spans.model.push(d.model);
        spans.provider.push(d.provider);
        spans.tokens.push(d.tokens);
        spans.cost_usd.push(d.cost_usd.unwrap_or(f64::NAN));
        spans.input.push(d.input);
        spans.output.push(d.output);
        spans.resource.push(d.resource);
        spans.source.push(row.source);
        spans.attr_start.push(attrs.len() as u32);
        let own = attrs.len();
        for a in row.attrs.0..row.attrs.1 {
            attrs.push(b.attrs.key[a as usize], b.attrs.value[a as usize]);
        }
        // Later copies add only keys the first copy does not have.
        for &(from, to) in &row.more_attrs {
            for a in from..to {
                let key = b.attrs.key[a as usize];
                if !attrs.key[own..].contains(&key) {
                    attrs.push(key, b.attrs.value[a as usize]);
                }
            }
        }
    }
    spans.attr_start.push(attrs.len() as u32);

    let mut warnings = std::mem::take(&mut b.warnings);
    for &i in &orphans {
        let row = &rows[i];
        warnings.add(Some(row.source), WarningKind::OrphanParent, None, || {
            format!(
                "span {} names parent {}, which is not loaded; shown as a root",
                b.ids.resolve(row.span),
                b.ids.resolve(row.parent)
            )
        });
    }
    cut_cycles(&mut spans, &b.ids, &mut warnings);
    spans.is_lm_call = mark_lm_calls(&spans.kind, &spans.parent);
    note_clock_skew(&spans, &b.ids, &mut warnings);

    // Events, ordered by span then time.
    let mut events: Vec<&EventRow> = b.events.iter().collect();
    events.sort_by_key(|e| {
        (
            new_index.get(e.row as usize).copied().unwrap_or(0),
            e.time_nanos,
        )
    });
    let mut ev = EventColumns::default();
    for e in events {
        let Some(&span) = new_index.get(e.row as usize) else {
            continue;
        };
        ev.span.push(SpanIdx(span));
        ev.name.push(e.name);
        ev.time_nanos.push(e.time_nanos);
        ev.attr_start.push(ev.attrs.len() as u32);
        for a in e.attrs.0..e.attrs.1 {
            ev.attrs.push(
                b.event_attrs.key[a as usize],
                b.event_attrs.value[a as usize],
            );
        }
    }
    ev.attr_start.push(ev.attrs.len() as u32);

    // Trace metadata, grouped by trace in first-seen order of keys.
    let mut meta = std::mem::take(&mut b.trace_meta);
    meta.sort_by_key(|(trace, _, _)| trace_of[trace]);
    let mut traces = TraceColumns {
        trace_id: trace_ids,
        span_start,
        meta_start: Vec::new(),
        meta: AttrColumns::default(),
    };
    let mut m = 0;
    for t in 0..traces.trace_id.len() {
        traces.meta_start.push(traces.meta.len() as u32);
        // The same trace loaded from two files repeats its metadata: keep the first.
        let mut keys = std::collections::HashSet::new();
        while m < meta.len() && trace_of[&meta[m].0] as usize == t {
            if keys.insert(meta[m].1) {
                traces.meta.push(meta[m].1, meta[m].2);
            }
            m += 1;
        }
    }
    traces.meta_start.push(traces.meta.len() as u32);

    let mut sources: Vec<Source> = b
        .sources
        .into_iter()
        .map(|(name, format, bytes)| Source {
            name,
            format,
            bytes: Arc::try_unwrap(bytes).unwrap_or_else(|shared| (*shared).clone()),
        })
        .collect();
    if let Some(arena) = sources.first_mut() {
        arena.bytes = b.arena;
    }
    let store = Store {
        sources,
        strings: b.strings,
        ids: b.ids,
        spans,
        attrs,
        events: ev,
        resource_start: b.resource_start,
        resource_attrs: b.resource_attrs,
        traces,
    };
    (store, warnings)
}

/// Follows parent links from every span; a span whose chain comes back to a
/// span on the current path has its parent link cut.
fn cut_cycles(spans: &mut SpanColumns, ids: &Interner, warnings: &mut WarningLog) {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = spans.parent.len();
    let mut state = vec![UNSEEN; n];
    let mut path = Vec::new();
    for start in 0..n {
        let mut i = start;
        while state[i] == UNSEEN {
            state[i] = ON_PATH;
            path.push(i);
            let p = spans.parent[i];
            if p == NONE {
                break;
            }
            if state[p as usize] == ON_PATH {
                warnings.add(
                    Some(spans.source[i]),
                    WarningKind::ParentCycle,
                    None,
                    || {
                        format!(
                            "parent links of span {} loop back to it; it is shown as a root",
                            ids.resolve(spans.span_id[i])
                        )
                    },
                );
                spans.parent[i] = NONE;
                break;
            }
            i = p as usize;
        }
        for &j in &path {
            state[j] = DONE;
        }
        path.clear();
    }
}

/// An LM call is an LLM-kind span with no LLM-kind descendant, so wrappers
/// (`Predict.forward` → `LM.__call__` → `completion`) count once.
fn mark_lm_calls(kind: &[SpanKind], parent: &[u32]) -> Vec<bool> {
    let n = kind.len();
    let mut has_llm_below = vec![false; n];
    for i in 0..n {
        if kind[i] != SpanKind::Llm {
            continue;
        }
        // Walk up, marking ancestors; stop where an earlier walk already went.
        let mut p = parent[i];
        let mut steps = 0;
        while p != NONE && steps < n {
            let pi = p as usize;
            if has_llm_below[pi] {
                break;
            }
            has_llm_below[pi] = true;
            p = parent[pi];
            steps += 1;
        }
    }
    (0..n)
        .map(|i| kind[i] == SpanKind::Llm && !has_llm_below[i])
        .collect()
}

fn note_clock_skew(spans: &SpanColumns, ids: &Interner, warnings: &mut WarningLog) {
    for i in 0..spans.parent.len() {
        let p = spans.parent[i];
        if p == NONE {
            continue;
        }
        let p = p as usize;
        let early = spans.start_nanos[p] - spans.start_nanos[i];
        let late = spans.end_nanos[i] - spans.end_nanos[p];
        if early > 0 || late > 0 {
            warnings.add(Some(spans.source[i]), WarningKind::ClockSkew, None, || {
                format!(
                    "span {} runs outside its parent {} by {} ns; clocks may differ",
                    ids.resolve(spans.span_id[i]),
                    ids.resolve(spans.span_id[p]),
                    early.max(late)
                )
            });
        }
    }
}
