//! Facet counts for a set of spans: how many per kind, status, model, name
//! and service, for the sidebar next to a filtered list. Plain data, sorted
//! deterministically; reads the store only. Models count by their bare name
//! (`openai/gpt-4o-mini` is `gpt-4o-mini`), as the `model:` filter matches.

use crate::index::Index;
use crate::model::{SpanIdx, SpanKind, StatusCode, Store, Sym};

/// Counts per value, each list sorted by count (descending), then value.
/// Spans without a model, name or service are not counted in that list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub status: Vec<(String, u64)>,
    pub model: Vec<(String, u64)>,
    pub name: Vec<(String, u64)>,
    pub service: Vec<(String, u64)>,
}

pub fn facets(store: &Store, _index: &Index, spans: &[SpanIdx]) -> Facets {
    let s = &store.spans;
    let symbols = store.strings.len();
    let mut kinds = [0u64; SpanKind::ALL.len()];
    let mut statuses = [0u64; 3];
    let (mut models, mut names, mut services) = (
        vec![0u64; symbols],
        vec![0u64; symbols],
        vec![0u64; symbols],
    );
    let bump = |counts: &mut Vec<u64>, sym: Option<&Sym>| {
        if let Some(slot) = sym.and_then(|sym| counts.get_mut(sym.0 as usize)) {
            *slot += 1;
        }
    };
    for span in spans {
        let i = span.index();
        if let Some(kind) = s.kind.get(i) {
            kinds[*kind as usize] += 1;
        }
        if let Some(status) = s.status.get(i) {
            statuses[*status as usize] += 1;
        }
        bump(&mut models, s.model.get(i));
        bump(&mut names, s.name.get(i));
        bump(&mut services, s.service.get(i));
    }
    let by_symbol = |counts: Vec<u64>| {
        sorted(
            counts
                .into_iter()
                .enumerate()
                .skip(1) // Sym::EMPTY: no value
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| (store.str(Sym(k as u32)).to_string(), n))
                .collect(),
        )
    };
    Facets {
        kind: sorted(
            SpanKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), kinds[*k as usize]))
                .filter(|(_, n)| *n > 0)
                .collect(),
        ),
        status: sorted(
            [StatusCode::Unset, StatusCode::Ok, StatusCode::Error]
                .iter()
                .map(|c| (c.as_str().to_string(), statuses[*c as usize]))
                .filter(|(_, n)| *n > 0)
                .collect(),
        ),
        model: merged_models(by_symbol(models)),
        name: by_symbol(names),
        service: by_symbol(services),
    }
}

/// Provider-routed and bare spellings of a model count as one value (the
/// bare one), as the `model:` filter matches both.
fn merged_models(counts: Vec<(String, u64)>) -> Vec<(String, u64)> {
    let mut merged: std::collections::BTreeMap<String, u64> = Default::default();
    for (model, n) in counts {
        *merged
            .entry(crate::index::model_name::bare(&model).to_string())
            .or_default() += n;
    }
    sorted(merged.into_iter().collect())
}

fn sorted(mut counts: Vec<(String, u64)>) -> Vec<(String, u64)> {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}
