//! A set of spans as a bitset over span rows: one bit per span, so AND, OR
//! and NOT of whole columns are word operations, and a million spans take
//! 125 kB. Depends only on the model's `SpanIdx`.

use crate::model::SpanIdx;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanSet {
    words: Vec<u64>,
    len: usize,
}

impl SpanSet {
    pub fn empty(len: usize) -> SpanSet {
        SpanSet {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> SpanSet {
        let mut set = SpanSet {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        set.clear_tail();
        set
    }

    /// The set of rows where `test` holds, computed only inside the words
    /// where `within` has members (whole 64-row blocks are skipped).
    pub fn select(within: &SpanSet, mut test: impl FnMut(usize) -> bool) -> SpanSet {
        let mut out = SpanSet::empty(within.len);
        for (w, (&mask, slot)) in within.words.iter().zip(&mut out.words).enumerate() {
            if mask == 0 {
                continue;
            }
            let base = w * 64;
            let mut bits = 0u64;
            // Every row of the block is tested (cheap and branch-free for
            // column tests); the mask then keeps the candidates.
            for b in 0..64.min(within.len - base) {
                bits |= u64::from(test(base + b)) << b;
            }
            *slot = bits & mask;
        }
        out
    }

    /// Like [`Self::select`] but calls `test` only on members of `within`:
    /// for tests too costly to run on every row (text scans).
    pub fn select_sparse(within: &SpanSet, mut test: impl FnMut(usize) -> bool) -> SpanSet {
        let mut out = SpanSet::empty(within.len);
        for i in within.iter_rows() {
            if test(i) {
                out.insert(i);
            }
        }
        out
    }

    /// Number of rows the set ranges over (members or not).
    pub fn universe(&self) -> usize {
        self.len
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub fn contains(&self, span: SpanIdx) -> bool {
        let i = span.index();
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    pub fn insert(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }

    /// Adds every row in `rows` (clipped to the universe).
    pub fn insert_range(&mut self, rows: Range<usize>) {
        let end = rows.end.min(self.len);
        let mut i = rows.start;
        while i < end {
            if i.is_multiple_of(64) && i + 64 <= end {
                self.words[i / 64] = u64::MAX;
                i += 64;
            } else {
                self.insert(i);
                i += 1;
            }
        }
    }

    /// True if any row in `rows` is a member.
    pub fn any_in(&self, rows: Range<usize>) -> bool {
        let end = rows.end.min(self.len);
        let mut i = rows.start;
        while i < end {
            let word = self.words[i / 64];
            if i.is_multiple_of(64) && i + 64 <= end {
                if word != 0 {
                    return true;
                }
                i += 64;
            } else {
                if word & (1u64 << (i % 64)) != 0 {
                    return true;
                }
                i += 1;
            }
        }
        false
    }

    pub fn and_with(&mut self, other: &SpanSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= *b;
        }
    }

    pub fn or_with(&mut self, other: &SpanSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }

    /// Removes the members of `other`.
    pub fn subtract(&mut self, other: &SpanSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !*b;
        }
    }

    /// Members in row order.
    pub fn iter(&self) -> impl Iterator<Item = SpanIdx> + '_ {
        self.iter_rows().map(|i| SpanIdx(i as u32))
    }

    fn iter_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + b)
            })
        })
    }

    pub fn to_vec(&self) -> Vec<SpanIdx> {
        let mut out = Vec::with_capacity(self.count());
        out.extend(self.iter());
        out
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_operations() {
        let mut s = SpanSet::empty(200);
        s.insert_range(3..140);
        assert_eq!(s.count(), 137);
        assert!(s.any_in(139..150) && !s.any_in(140..200));
        let full = SpanSet::full(200);
        assert_eq!(full.count(), 200);
        let mut rest = full.clone();
        rest.subtract(&s);
        assert_eq!(rest.count(), 63);
        let even = SpanSet::select(&full, |i| i % 2 == 0);
        assert_eq!(even.count(), 100);
        let mut both = even.clone();
        both.and_with(&s);
        assert_eq!(both.iter().next(), Some(SpanIdx(4)));
        assert_eq!(
            SpanSet::select_sparse(&s, |i| i == 7).to_vec(),
            [SpanIdx(7)]
        );
    }
}
