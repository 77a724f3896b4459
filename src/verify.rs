//! Verification: every LSH candidate pair is scored exactly on its shingle
//! sets, so MinHash noise can cost recall (bounded by the LSH curve) but never
//! precision.
//!
//! Scores: Jaccard |A∩B| / |A∪B| and containment |A∩B| / min(|A|, |B|).
//! A pair becomes an [`Edge`] when its Jaccard reaches the threshold, or when
//! its containment does and the smaller document is large enough that being
//! "contained" means something (a 12-word caption is contained in many
//! stories). Cost: O(|A| + |B|) per pair, in parallel.

use crate::lsh::Pair;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A verified near-duplicate pair with its exact scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub jaccard: f32,
    pub containment: f32,
}

/// When a candidate pair is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VerifyRule {
    /// Minimum exact Jaccard.
    pub jaccard: f64,
    /// Minimum exact containment (of the smaller set in the larger); > 1 disables.
    pub containment: f64,
    /// The smaller set needs at least this many shingles for containment to count.
    pub min_contained: usize,
}

/// Size of the intersection of two sorted, duplicate-free sets.
pub fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() * 16 < large.len() {
        return small
            .iter()
            .filter(|x| large.binary_search(x).is_ok())
            .count();
    }
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < small.len() && j < large.len() {
        match small[i].cmp(&large[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Exact Jaccard and containment of two sorted sets (0 when either is empty).
pub fn scores(a: &[u64], b: &[u64]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let i = intersection(a, b) as f64;
    let union = (a.len() + b.len()) as f64 - i;
    (i / union, i / a.len().min(b.len()) as f64)
}

impl VerifyRule {
    /// Whether a pair with these sets passes, with its scores.
    pub fn check(&self, a: &[u64], b: &[u64]) -> Option<(f64, f64)> {
        let (j, c) = scores(a, b);
        let contained = c >= self.containment && a.len().min(b.len()) >= self.min_contained;
        (j >= self.jaccard || contained).then_some((j, c))
    }
}

/// Verifies candidate pairs against the shingle sets, in parallel; the output
/// keeps the (sorted) order of `pairs`.
pub fn verify(pairs: &[Pair], sets: &[Vec<u64>], rule: &VerifyRule) -> Vec<Edge> {
    pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            rule.check(&sets[a as usize], &sets[b as usize])
                .map(|(j, c)| Edge {
                    a,
                    b,
                    jaccard: j as f32,
                    containment: c as f32,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_scores() {
        assert_eq!(scores(&[1, 2, 3, 4], &[3, 4, 5, 6]), (2.0 / 6.0, 0.5));
        assert_eq!(scores(&[1, 2], &[1, 2, 3, 4]), (0.5, 1.0));
        assert_eq!(scores(&[], &[1]), (0.0, 0.0));
        let big: Vec<u64> = (0..1000).collect();
        assert_eq!(intersection(&[5, 999, 1000], &big), 2);
    }

    #[test]
    fn containment_needs_a_big_enough_excerpt() {
        let rule = VerifyRule {
            jaccard: 0.8,
            containment: 0.9,
            min_contained: 3,
        };
        let full: Vec<u64> = (0..10).collect();
        assert!(rule.check(&[1, 2, 3], &full).is_some());
        assert!(rule.check(&[1, 2], &full).is_none());
        assert!(rule.check(&[1, 2, 3, 40], &full).is_none());
        let pairs = vec![(0, 1), (0, 2)];
        let sets = vec![full.clone(), full.clone(), vec![50, 51, 52]];
        let edges = verify(&pairs, &sets, &rule);
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b, edges[0].jaccard), (0, 1, 1.0));
    }
}
