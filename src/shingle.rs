//! Shingling: a folded body becomes the set of hashes of its word n-grams
//! (default: 5 words) or character n-grams (`--shingle char:N`).
//!
//! Hashing is XXH3-64 with a fixed seed: a specified algorithm, identical on
//! every platform and endianness. A word n-gram's hash combines the hashes of
//! its tokens with an order-sensitive mix, so each token is hashed once.
//!
//! Output: a sorted, duplicate-free `Vec<u64>` (a [`ShingleSet`]) that is both
//! the input of MinHash and the ground truth for exact verification.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Word or character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShingleKind {
    Word,
    Char,
}

/// What a shingle is: `word:5` or `char:7`, for example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShingleSpec {
    pub kind: ShingleKind,
    pub n: usize,
}

impl Default for ShingleSpec {
    fn default() -> Self {
        ShingleSpec {
            kind: ShingleKind::Word,
            n: 5,
        }
    }
}

impl fmt::Display for ShingleSpec {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let kind = match self.kind {
            ShingleKind::Word => "word",
            ShingleKind::Char => "char",
        };
        write!(f, "{kind}:{}", self.n)
    }
}

impl FromStr for ShingleSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, n) = s.split_once(':').unwrap_or((s, ""));
        let kind = match kind {
            "word" => ShingleKind::Word,
            "char" => ShingleKind::Char,
            other => {
                return Err(format!(
                    "unknown shingle kind {other:?} (expected word:N or char:N)"
                ))
            }
        };
        let n = match n {
            "" => ShingleSpec::default().n,
            n => n
                .parse()
                .map_err(|_| format!("bad shingle size {n:?} in {s:?}"))?,
        };
        if !(1..=64).contains(&n) {
            return Err(format!("shingle size must be 1..=64, got {n}"));
        }
        Ok(ShingleSpec { kind, n })
    }
}

impl TryFrom<String> for ShingleSpec {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ShingleSpec> for String {
    fn from(s: ShingleSpec) -> String {
        s.to_string()
    }
}

/// A sorted, duplicate-free set of shingle hashes.
pub type ShingleSet = Vec<u64>;

/// Seed of the token and n-gram hashes; part of the signature format.
pub const SHINGLE_SEED: u64 = 0x5359_4e44_4943_0001;

/// Shingles a folded body (tokens separated by ' ', lines by '\n').
/// Returns an empty set when the body has fewer than `n` tokens (or chars).
pub fn shingle(body: &str, spec: ShingleSpec) -> ShingleSet {
    let mut out = match spec.kind {
        ShingleKind::Word => word_shingles(body, spec.n),
        ShingleKind::Char => char_shingles(body, spec.n),
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The figures of a body (tokens of digits and `.`), each keyed by its
/// context (the tokens before and after it): `(context, figure)` sorted and
/// distinct by context. Figures tell a corrected re-filing (one figure changed)
/// from a templated report (same words, other figures in the same places).
pub fn figures(body: &str) -> Vec<(u64, u64)> {
    let tokens: Vec<&str> = body.split([' ', '\n']).filter(|t| !t.is_empty()).collect();
    let is_figure = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_digit())
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    let mut out: Vec<(u64, u64)> = (0..tokens.len())
        .filter(|&i| is_figure(tokens[i]))
        .map(|i| {
            let before = if i > 0 { tokens[i - 1] } else { "" };
            let after = tokens.get(i + 1).copied().unwrap_or("");
            let context = fmix64(
                xxh3_64_with_seed(before.as_bytes(), SHINGLE_SEED).rotate_left(17)
                    ^ xxh3_64_with_seed(after.as_bytes(), SHINGLE_SEED),
            );
            (
                context,
                xxh3_64_with_seed(tokens[i].as_bytes(), SHINGLE_SEED),
            )
        })
        .collect();
    out.sort_unstable();
    out.dedup_by_key(|f| f.0);
    out
}

/// The first `count` shingles of a body in text order (its *lead*), as a set:
/// an excerpt of a story shares its lead even when it shares little else.
pub fn lead(body: &str, spec: ShingleSpec, count: usize) -> ShingleSet {
    let mut out = match spec.kind {
        ShingleKind::Word => {
            let tokens: Vec<u64> = token_hashes_iter(body).take(count + spec.n - 1).collect();
            tokens.windows(spec.n).map(combine).collect()
        }
        ShingleKind::Char => {
            let mut v = char_shingles(body, spec.n);
            v.truncate(count);
            v
        }
    };
    out.sort_unstable();
    out.dedup();
    out
}

fn token_hashes_iter(body: &str) -> impl Iterator<Item = u64> + '_ {
    body.split([' ', '\n'])
        .filter(|t| !t.is_empty())
        .map(|t| xxh3_64_with_seed(t.as_bytes(), SHINGLE_SEED))
}

/// The token hashes of a folded body, in order.
pub fn token_hashes(body: &str) -> Vec<u64> {
    token_hashes_iter(body).collect()
}

fn word_shingles(body: &str, n: usize) -> Vec<u64> {
    let tokens = token_hashes(body);
    tokens.windows(n).map(combine).collect()
}

/// Order-sensitive combination of token hashes into one n-gram hash.
fn combine(window: &[u64]) -> u64 {
    let mut x = SHINGLE_SEED;
    for &h in window {
        x = fmix64(x.rotate_left(27) ^ h);
    }
    x
}

fn char_shingles(body: &str, n: usize) -> Vec<u64> {
    let flat: String = body
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let bounds: Vec<usize> = flat
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(flat.len()))
        .collect();
    if bounds.len() <= n {
        return Vec::new();
    }
    bounds
        .windows(n + 1)
        .map(|w| xxh3_64_with_seed(&flat.as_bytes()[w[0]..w[n]], SHINGLE_SEED))
        .collect()
}

/// Maps the top 32 bits of a hash uniformly onto `0..n` (Lemire's fast range).
#[inline]
pub fn reduce(h: u64, n: usize) -> usize {
    (((h >> 32) * n as u64) >> 32) as usize
}

/// MurmurHash3's 64-bit finalizer: a bijective avalanche mix.
#[inline]
pub fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!("word:3".parse::<ShingleSpec>().unwrap().n, 3);
        assert_eq!(
            "char:7".parse::<ShingleSpec>().unwrap().kind,
            ShingleKind::Char
        );
        assert!("word:0".parse::<ShingleSpec>().is_err());
        assert!("bytes:3".parse::<ShingleSpec>().is_err());
        assert_eq!(ShingleSpec::default().to_string(), "word:5");
    }

    #[test]
    fn word_shingles_are_order_sensitive_and_line_blind() {
        let spec = "word:2".parse().unwrap();
        assert_eq!(shingle("a b c", spec).len(), 2);
        assert_eq!(shingle("a b\nc", spec), shingle("a b c", spec));
        assert_ne!(shingle("a b", spec), shingle("b a", spec));
        assert!(shingle("a", spec).is_empty());
    }

    #[test]
    fn numbers_and_lead() {
        let f = figures("in 1987 the 12.5 a1f in 1987 the");
        assert_eq!(f.len(), 2, "same figure in the same context counts once");
        let spec = "word:2".parse().unwrap();
        assert_eq!(lead("a b c d e f", spec, 2), shingle("a b c", spec));
        assert_eq!(lead("a b", spec, 9), shingle("a b", spec));
    }

    #[test]
    fn char_shingles() {
        let spec = "char:3".parse().unwrap();
        assert_eq!(shingle("abcd", spec).len(), 2);
        assert_eq!(shingle("ab\ncd", spec), shingle("ab cd", spec));
        assert_eq!(shingle("ééé", spec).len(), 1);
        assert!(shingle("ab", spec).is_empty());
    }

    const PINNED_WORD: u64 = 10574717673986478361;
    const PINNED_CHAR: u64 = 14515043282554926920;

    #[test]
    fn hashes_are_stable_across_machines() {
        // Pinned values: a change here changes every signature ever written.
        assert_eq!(
            shingle("hello world", "word:2".parse().unwrap()),
            vec![PINNED_WORD]
        );
        assert_eq!(
            shingle("hello", "char:5".parse().unwrap()),
            vec![PINNED_CHAR]
        );
    }
}
