//! Banded LSH: a signature of `bands × rows` values is cut into bands; two
//! documents become a *candidate* pair when all rows of at least one band agree.
//! For Jaccard `s`, P(candidate) = 1 − (1 − s^rows)^bands.
//!
//! Parameters: [`LshParams::for_threshold`] picks the largest `rows` (fewest
//! false candidates) whose P(candidate) at the threshold is at least the
//! target recall (default 0.995), using as many bands as fit in `num_perm`.
//!
//! Candidate generation never builds a hash map of buckets and never emits all
//! pairs of a huge bucket: for each band (in parallel) it sorts `(band key,
//! doc)` pairs, then within a run of equal keys pairs each document with at
//! most `max_bucket` following ones. Pairs are sorted and de-duplicated, so the
//! output is identical for any thread count.

use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A candidate pair of document indices, `a < b`.
pub type Pair = (u32, u32);

/// Banding parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    pub bands: usize,
    pub rows: usize,
}

impl LshParams {
    /// The banding for `threshold` with `num_perm` values: the largest `rows`
    /// whose recall at the threshold is at least `target_recall`.
    pub fn for_threshold(threshold: f64, num_perm: usize, target_recall: f64) -> Result<LshParams> {
        if !(0.0..=1.0).contains(&threshold) || threshold == 0.0 {
            return Err(Error::Config(format!(
                "threshold must be in (0, 1], got {threshold}"
            )));
        }
        let mut best = LshParams {
            bands: num_perm,
            rows: 1,
        };
        for rows in 1..=num_perm {
            let p = LshParams {
                bands: num_perm / rows,
                rows,
            };
            if p.bands == 0 {
                break;
            }
            if p.p_candidate(threshold) >= target_recall {
                best = p;
            }
        }
        Ok(best)
    }

    /// Checks an explicit `--bands/--rows` choice against the signature length.
    pub fn validate(&self, num_perm: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 || self.bands * self.rows > num_perm {
            return Err(Error::Config(format!(
                "bands × rows must be between 1 and num_perm ({num_perm}), got {} × {}",
                self.bands, self.rows
            )));
        }
        Ok(())
    }

    /// Probability that a pair with Jaccard `s` becomes a candidate.
    pub fn p_candidate(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

/// Generates candidate pairs among `members` (indices into `signatures`).
/// Each returned pair is `(a, b)` with `a < b`, sorted and unique.
pub fn candidates(
    signatures: &[Vec<u32>],
    members: &[u32],
    params: LshParams,
    max_bucket: usize,
) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = (0..params.bands)
        .into_par_iter()
        .flat_map_iter(|band| band_pairs(signatures, members, params, band, max_bucket.max(1)))
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

fn band_key(sig: &[u32], band: usize, rows: usize) -> u64 {
    let mut bytes = [0u8; 4 * 64];
    let slice = &sig[band * rows..(band + 1) * rows];
    if rows <= 64 {
        for (chunk, v) in bytes.chunks_exact_mut(4).zip(slice) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&bytes[..rows * 4], band as u64)
    } else {
        let all: Vec<u8> = slice.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&all, band as u64)
    }
}

fn band_pairs(
    signatures: &[Vec<u32>],
    members: &[u32],
    params: LshParams,
    band: usize,
    max_bucket: usize,
) -> Vec<Pair> {
    let mut keys: Vec<(u64, u32)> = members
        .iter()
        .map(|&d| (band_key(&signatures[d as usize], band, params.rows), d))
        .collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let mut end = start + 1;
        while end < keys.len() && keys[end].0 == keys[start].0 {
            end += 1;
        }
        let bucket = &keys[start..end];
        for (i, &(_, a)) in bucket.iter().enumerate() {
            for &(_, b) in bucket.iter().skip(i + 1).take(max_bucket) {
                out.push((a.min(b), a.max(b)));
            }
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_meet_target_recall() {
        let p = LshParams::for_threshold(0.8, 128, 0.995).unwrap();
        assert!(p.bands * p.rows <= 128);
        assert!(p.p_candidate(0.8) >= 0.995);
        let finer = LshParams {
            bands: 128 / (p.rows + 1),
            rows: p.rows + 1,
        };
        assert!(finer.p_candidate(0.8) < 0.995, "rows is maximal");
        assert!(
            p.p_candidate(0.3) < 0.1,
            "{p:?} lets too much noise through"
        );
        assert!(LshParams::for_threshold(0.0, 128, 0.99).is_err());
    }

    #[test]
    fn validates_overrides() {
        assert!(LshParams { bands: 16, rows: 8 }.validate(128).is_ok());
        assert!(LshParams { bands: 17, rows: 8 }.validate(128).is_err());
        assert!(LshParams { bands: 0, rows: 8 }.validate(128).is_err());
    }

    #[test]
    fn equal_bands_make_candidates_and_big_buckets_are_capped() {
        let sigs: Vec<Vec<u32>> = (0..10)
            .map(|i| {
                if i < 6 {
                    vec![1, 2, 3, 4]
                } else {
                    vec![i, i, i, i]
                }
            })
            .collect();
        let members: Vec<u32> = (0..10).collect();
        let p = LshParams { bands: 2, rows: 2 };
        assert_eq!(candidates(&sigs, &members, p, 100).len(), 15);
        let capped = candidates(&sigs, &members, p, 1);
        assert_eq!(capped, vec![(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]);
        assert!(candidates(&sigs, &[6, 7, 8], p, 100).is_empty());
    }
}
