//! Substring search in time linear in the haystack, whatever the needle.
//! The filter's globs and free text meet names and payloads written by
//! whoever made the file: `name:*aaaa…b*` (10k characters) against a
//! megabyte of `a` costs haystack × needle in a window scan (51 s in the
//! browser), so every search here is bounded.
//!
//! Exact needles go to `memchr::memmem` (linear in the worst case). ASCII
//! case-insensitive needles first take the fast road (`memchr2` on the
//! needle's rarest byte in either case, then a compare at each candidate);
//! once those compares have cost a couple of haystack lengths, the rest of
//! the haystack is lowercased in blocks and searched with `memmem`, so the
//! worst case stays linear and the usual case keeps its speed.
//!
//! Depends on nothing else in spanscope.

use memchr::memmem;

/// Bytes lowercased at a time on the linear road (blocks overlap by the
/// needle's length, so every start position is tried once).
const BLOCK: usize = 64 * 1024;

/// A needle prepared for ASCII case-insensitive search (or exact search
/// when it has no ASCII letter, where case cannot matter).
#[derive(Clone, Debug)]
pub struct FoldedFinder {
    /// The needle, ASCII-lowercased.
    needle: Vec<u8>,
    finder: memmem::Finder<'static>,
    /// Where the rarest byte sits in the needle, and that byte in both cases.
    rare_at: usize,
    rare: (u8, u8),
    has_letter: bool,
}

impl FoldedFinder {
    pub fn new(needle: &[u8]) -> FoldedFinder {
        let needle = needle.to_ascii_lowercase();
        let rare_at = (0..needle.len())
            .min_by_key(|&i| byte_rank(needle[i]))
            .unwrap_or(0);
        let rare = needle.get(rare_at).copied().unwrap_or(0);
        FoldedFinder {
            finder: memmem::Finder::new(&needle).into_owned(),
            has_letter: needle.iter().any(u8::is_ascii_alphabetic),
            rare: (rare, rare.to_ascii_uppercase()),
            rare_at,
            needle,
        }
    }

    /// The lowercased needle.
    pub fn needle(&self) -> &[u8] {
        &self.needle
    }

    /// The first position where the needle occurs in `hay`, ignoring ASCII case.
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        if !self.has_letter {
            return self.finder.find(hay);
        }
        let n = self.needle.len();
        if n == 0 {
            return Some(0);
        }
        if hay.len() < n {
            return None;
        }
        // Compare work allowed before switching roads: enough that ordinary
        // text never switches, little enough that the total stays linear.
        let mut budget = hay.len().saturating_mul(2).saturating_add(4096);
        // The rare byte can only sit at rare_at..=hay.len() - n + rare_at.
        let (mut from, end) = (self.rare_at, hay.len() - n + self.rare_at + 1);
        while from < end {
            let found = memchr::memchr2(self.rare.0, self.rare.1, &hay[from..end])?;
            let start = from + found - self.rare_at;
            if hay[start..start + n].eq_ignore_ascii_case(&self.needle) {
                return Some(start);
            }
            if budget < n {
                return self.find_in_blocks(hay, start + 1);
            }
            budget -= n;
            from += found + 1;
        }
        None
    }

    /// The first match at or after `from`: the haystack lowercased a block
    /// at a time and searched exactly. Each byte is lowercased about once.
    fn find_in_blocks(&self, hay: &[u8], from: usize) -> Option<usize> {
        let n = self.needle.len();
        let step = BLOCK.max(4 * n);
        let mut block = Vec::with_capacity(step + n);
        let mut start = from;
        while start + n <= hay.len() {
            // Starts start..start + step, each with its n bytes.
            let end = (start + step + n - 1).min(hay.len());
            block.clear();
            block.extend(hay[start..end].iter().map(u8::to_ascii_lowercase));
            if let Some(at) = self.finder.find(&block) {
                return Some(start + at);
            }
            start += step;
        }
        None
    }

    /// The first position of the needle in a haystack that is already
    /// lowercase (exact bytes).
    pub fn find_exact(&self, hay: &[u8]) -> Option<usize> {
        self.finder.find(hay)
    }
}

/// How common a byte is in English prose and JSON (higher = more common);
/// the needle's least common byte makes the fewest false candidates.
fn byte_rank(b: u8) -> u8 {
    match b.to_ascii_lowercase() {
        b' ' => 255,
        b'e' => 250,
        b't' => 245,
        b'a' => 240,
        b'o' => 235,
        b'i' => 230,
        b'n' => 228,
        b's' => 225,
        b'r' => 220,
        b'h' => 215,
        b'l' => 210,
        b'd' => 205,
        b'c' => 200,
        b'u' => 195,
        b'm' => 190,
        b'"' => 188,
        b'\\' => 186,
        b'f' => 185,
        b'p' => 180,
        b'g' => 175,
        b'w' => 170,
        b'y' => 165,
        b'b' => 160,
        b',' | b'.' | b':' => 158,
        b'v' => 150,
        b'k' => 140,
        b'0'..=b'9' => 130,
        b'x' => 100,
        b'j' => 90,
        b'q' => 80,
        b'z' => 70,
        _ => 50,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition, for comparison.
    fn naive(hay: &[u8], needle: &[u8]) -> Option<usize> {
        if needle.is_empty() {
            return Some(0);
        }
        hay.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    }

    #[test]
    fn agrees_with_the_definition_on_both_roads() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"Our REFUND Policy", b"refund policy"),
            (b"abc", b"abcd"),
            (b"xxxxxxxyZ", b"xyz"),
            (b"", b"a"),
            (b"abc", b""),
            (b"12-34", b"2-3"),
        ];
        for (hay, needle) in cases {
            assert_eq!(FoldedFinder::new(needle).find(hay), naive(hay, needle));
        }
        // Enough failed candidates to take the block road, with the match
        // past a block boundary and straddling one.
        let needle = [vec![b'q'; 300], vec![b'E']].concat();
        for at in [0, 70_000, BLOCK - 150, 2 * BLOCK - 1, 200_000] {
            let mut hay = vec![b'Q'; 200_301];
            hay[at + 300] = b'e';
            assert_eq!(
                FoldedFinder::new(&needle).find(&hay),
                naive(&hay, &needle),
                "match at {at}"
            );
        }
        let hay = vec![b'q'; 300_000];
        assert_eq!(FoldedFinder::new(&needle).find(&hay), None);
    }
}
