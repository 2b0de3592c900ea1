//! The bundled LM price table and the user's what-if overrides, used by
//! `tokens` when a trace file does not report a cost.
//!
//! PRICES CHANGE. The bundled numbers are list prices in USD per million
//! tokens for standard (non-batch) API calls, copied from the providers'
//! public pricing pages (openai.com/api/pricing, anthropic.com/pricing,
//! ai.google.dev/gemini-api/docs/pricing) as of [`BUNDLED_AS_OF`], for the
//! short-prompt tier where a provider has two (Gemini: prompts up to 128k or
//! 200k tokens). They are an estimate, not a bill: the table is small on
//! purpose, [`PriceTable::source`] and [`PriceTable::as_of`] travel with
//! every report, and the user can override any model.
//!
//! Model names are looked up normalised (see [`normalise_model`]). Depends
//! on nothing but std.

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input_per_mtok: f64,
    /// Input tokens read from the provider's prompt cache.
    pub cached_input_per_mtok: f64,
    /// Output tokens, reasoning tokens included.
    pub output_per_mtok: f64,
}

impl Price {
    pub const fn new(input: f64, cached_input: f64, output: f64) -> Price {
        Price {
            input_per_mtok: input,
            cached_input_per_mtok: cached_input,
            output_per_mtok: output,
        }
    }

    /// Cost in USD. `cached` tokens are part of `input` (the OpenAI and
    /// LiteLLM convention, which OpenInference follows), so they are billed
    /// at the cached rate instead of the input rate; reasoning tokens are
    /// part of `output`. Prompt-cache writes are not priced.
    pub fn cost_usd(&self, input: u64, cached: u64, output: u64) -> f64 {
        let cached = cached.min(input);
        let fresh = input - cached;
        (fresh as f64 * self.input_per_mtok
            + cached as f64 * self.cached_input_per_mtok
            + output as f64 * self.output_per_mtok)
            / 1e6
    }
}

/// One row of the table, keyed by a normalised model name.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceEntry {
    pub model: String,
    pub price: Price,
}

/// Where a matching price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceOrigin {
    Bundled,
    Override,
}

/// The date the bundled prices were copied.
pub const BUNDLED_AS_OF: &str = "2025-08";
/// Where the bundled prices were copied from.
pub const BUNDLED_SOURCE: &str = "list prices from openai.com/api/pricing, \
    anthropic.com/pricing and ai.google.dev/gemini-api/docs/pricing \
    (standard tier, short prompts)";

/// (model, input, cached input, output), USD per 1M tokens.
const BUNDLED: &[(&str, f64, f64, f64)] = &[
    ("gpt-4o", 2.50, 1.25, 10.00),
    ("gpt-4o-mini", 0.15, 0.075, 0.60),
    ("gpt-4.1", 2.00, 0.50, 8.00),
    ("gpt-4.1-mini", 0.40, 0.10, 1.60),
    ("gpt-4.1-nano", 0.10, 0.025, 0.40),
    ("o1", 15.00, 7.50, 60.00),
    ("o1-mini", 1.10, 0.55, 4.40),
    ("o3", 2.00, 0.50, 8.00),
    ("o3-mini", 1.10, 0.55, 4.40),
    ("o4-mini", 1.10, 0.275, 4.40),
    ("claude-3-5-sonnet", 3.00, 0.30, 15.00),
    ("claude-3-7-sonnet", 3.00, 0.30, 15.00),
    ("claude-sonnet-4", 3.00, 0.30, 15.00),
    ("claude-sonnet-4-5", 3.00, 0.30, 15.00),
    ("claude-3-haiku", 0.25, 0.03, 1.25),
    ("claude-3-5-haiku", 0.80, 0.08, 4.00),
    ("claude-haiku-4-5", 1.00, 0.10, 5.00),
    ("claude-3-opus", 15.00, 1.50, 75.00),
    ("claude-opus-4", 15.00, 1.50, 75.00),
    ("claude-opus-4-1", 15.00, 1.50, 75.00),
    ("gemini-1.5-flash", 0.075, 0.01875, 0.30),
    ("gemini-1.5-pro", 1.25, 0.3125, 5.00),
    ("gemini-2.0-flash", 0.10, 0.025, 0.40),
    ("gemini-2.0-flash-lite", 0.075, 0.075, 0.30),
    ("gemini-2.5-flash", 0.30, 0.075, 2.50),
    ("gemini-2.5-flash-lite", 0.10, 0.025, 0.40),
    ("gemini-2.5-pro", 1.25, 0.31, 10.00),
];

/// Prices by model, with the user's overrides on top. Overrides are the
/// what-if: they win over the bundled rows and over costs the file reports.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    pub source: String,
    pub as_of: String,
    pub entries: Vec<PriceEntry>,
    pub overrides: Vec<PriceEntry>,
}

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable::bundled()
    }
}

impl PriceTable {
    /// The bundled table, no overrides.
    pub fn bundled() -> PriceTable {
        PriceTable {
            source: BUNDLED_SOURCE.to_owned(),
            as_of: BUNDLED_AS_OF.to_owned(),
            entries: BUNDLED
                .iter()
                .map(|&(model, i, c, o)| PriceEntry {
                    model: model.to_owned(),
                    price: Price::new(i, c, o),
                })
                .collect(),
            overrides: Vec::new(),
        }
    }

    /// Sets (or replaces) the what-if price of a model; the name is
    /// normalised like lookups are.
    pub fn set_override(&mut self, model: &str, price: Price) {
        let model = normalise_model(model);
        self.overrides.retain(|e| e.model != model);
        self.overrides.push(PriceEntry { model, price });
        self.overrides.sort_by(|a, b| a.model.cmp(&b.model));
    }

    pub fn clear_overrides(&mut self) {
        self.overrides.clear();
    }

    /// The price of a model: overrides first, then the bundled rows; each
    /// tried with the name minus its provider prefix, then fully normalised.
    /// Returns the matched key too.
    pub fn lookup(&self, model: &str) -> Option<(&PriceEntry, PriceOrigin)> {
        let short = strip_provider(&model.trim().to_ascii_lowercase()).to_owned();
        let full = normalise_model(model);
        let find = |rows: &'_ [PriceEntry], key: &str| -> Option<usize> {
            rows.iter().position(|e| e.model == key)
        };
        for (rows, origin) in [
            (&self.overrides, PriceOrigin::Override),
            (&self.entries, PriceOrigin::Bundled),
        ] {
            if let Some(i) = find(rows, &short).or_else(|| find(rows, &full)) {
                return rows.get(i).map(|e| (e, origin));
            }
        }
        None
    }
}

fn strip_provider(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The name a model is priced under: lowercased; provider prefixes removed
/// (`openai/gpt-4o-mini`, `openrouter/anthropic/…`, `models/gemini-…` → the
/// part after the last `/`); a Vertex `@version` removed; dots in Claude
/// names written as dashes (`claude-3.5-sonnet` → `claude-3-5-sonnet`); then,
/// repeatedly, a trailing `-latest`, date (`-2024-07-18`, `-20241022`) or
/// three-digit version (`-002`) removed. `gpt-4o-mini-2024-07-18` and
/// `openai/gpt-4o-mini` both become `gpt-4o-mini`.
pub fn normalise_model(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let mut s = strip_provider(&lower);
    if let Some(at) = s.find('@') {
        s = &s[..at];
    }
    let mut out = if s.starts_with("claude") {
        s.replace('.', "-")
    } else {
        s.to_owned()
    };
    loop {
        let before = out.len();
        if let Some(rest) = out.strip_suffix("-latest") {
            out.truncate(rest.len());
        }
        strip_digit_suffix(&mut out, &[4, 2, 2]); // -YYYY-MM-DD
        strip_digit_suffix(&mut out, &[8]); // -YYYYMMDD
        strip_digit_suffix(&mut out, &[3]); // -001
        if out.len() == before {
            return out;
        }
    }
}

/// Removes a suffix of `-`-separated all-digit groups of the given widths.
fn strip_digit_suffix(s: &mut String, widths: &[usize]) {
    let mut end = s.len();
    for &w in widths.iter().rev() {
        let Some(group_start) = end.checked_sub(w) else {
            return;
        };
        let group = s.get(group_start..end).unwrap_or("");
        let dash = group_start.checked_sub(1);
        let dash_ok = dash.and_then(|d| s.get(d..group_start)) == Some("-");
        if !(dash_ok && group.bytes().all(|b| b.is_ascii_digit())) {
            return;
        }
        end = group_start - 1;
    }
    s.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_normalise_to_the_table_key() {
        for (raw, want) in [
            ("gpt-4o-mini", "gpt-4o-mini"),
            ("openai/gpt-4o-mini", "gpt-4o-mini"),
            ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
            ("OpenAI/GPT-4o-2024-08-06", "gpt-4o"),
            ("anthropic/claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
            ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
            (
                "openrouter/anthropic/claude-3.7-sonnet",
                "claude-3-7-sonnet",
            ),
            ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
            ("models/gemini-1.5-pro-002", "gemini-1.5-pro"),
            ("gemini-2.0-flash-001", "gemini-2.0-flash"),
            ("o3-mini-2025-01-31", "o3-mini"),
            ("gpt-4.1", "gpt-4.1"),
            ("my-model-12", "my-model-12"),
            ("", ""),
        ] {
            assert_eq!(normalise_model(raw), want, "{raw}");
        }
    }

    #[test]
    fn every_bundled_key_is_already_normalised() {
        for e in &PriceTable::bundled().entries {
            assert_eq!(normalise_model(&e.model), e.model);
        }
    }

    #[test]
    fn cached_tokens_are_part_of_input() {
        // gpt-4o-mini, 1281 input of which 640 cached, 85 output:
        // (641 × 0.15 + 640 × 0.075 + 85 × 0.60) / 1e6 = 0.00019515.
        let p = Price::new(0.15, 0.075, 0.60);
        assert!((p.cost_usd(1281, 640, 85) - 0.000_195_15).abs() < 1e-12);
        // More cached than input (bad data) is clipped to the input.
        assert!((p.cost_usd(10, 50, 0) - 10.0 * 0.075 / 1e6).abs() < 1e-15);
    }

    #[test]
    fn overrides_win_and_exact_names_beat_normalised_ones() {
        let mut t = PriceTable::bundled();
        assert_eq!(
            t.lookup("openai/gpt-4o-mini-2024-07-18")
                .map(|(e, o)| (e.model.as_str(), o)),
            Some(("gpt-4o-mini", PriceOrigin::Bundled))
        );
        // A row edited in with a dated key beats the family's row.
        t.entries.push(PriceEntry {
            model: "gpt-4o-2024-05-13".to_owned(),
            price: Price::new(5.0, 5.0, 15.0),
        });
        assert_eq!(
            t.lookup("openai/gpt-4o-2024-05-13")
                .map(|(e, _)| e.price.input_per_mtok),
            Some(5.0)
        );
        assert_eq!(
            t.lookup("gpt-4o-2024-08-06")
                .map(|(e, _)| e.price.input_per_mtok),
            Some(2.5)
        );
        // Overrides are keyed normalised: one prices the whole family.
        t.set_override("gpt-4o-mini-2024-07-18", Price::new(1.0, 1.0, 1.0));
        let hit = t.lookup("openai/gpt-4o-mini");
        assert_eq!(
            hit.map(|(e, o)| (e.price.output_per_mtok, o)),
            Some((1.0, PriceOrigin::Override))
        );
        assert_eq!(t.lookup("llama-3-70b"), None);
        t.clear_overrides();
        assert_eq!(
            t.lookup("gpt-4o-mini").map(|(_, o)| o),
            Some(PriceOrigin::Bundled)
        );
    }
}
