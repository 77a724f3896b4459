//! Stage `output`: each document's outcome (its cluster and story
//! representatives, its similarity to the cluster representative).

use super::evidence::EvidenceStore;
use super::sign::Signed;
use super::stories::Grouped;
use super::Summary;
use crate::error::Result;
use crate::verify::{scores, Edge};
use rayon::prelude::*;
use serde::Serialize;

/// The result for one input document, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocOutcome {
    /// Index (into the input documents) of the cluster's representative.
    pub representative: u32,
    /// Exact Jaccard to the representative; `None` for the representative itself.
    pub similarity: Option<f32>,
    /// Exact containment (shared shingles / smaller set) in the representative.
    pub containment: Option<f32>,
    /// Too short to shingle: clustered by exact match only.
    pub short: bool,
    /// Index of the story's representative: the earliest-ranked cluster
    /// representative among the clusters grouped into this story.
    pub story: u32,
    /// Index of the thread's representative: the earliest-ranked story
    /// representative among the stories grouped into this thread
    /// ([`crate::thread`]).
    pub thread: u32,
}

/// The output of [`super::run`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One outcome per input document, in input order.
    pub docs: Vec<DocOutcome>,
    /// The verified edges (pairs of documents that are near-duplicates),
    /// sorted: enough to join every cluster, not every near-duplicate pair
    /// (a pair already joined is not checked, see [`crate::verify::ROUND`]).
    pub edges: Vec<Edge>,
    /// What happened in the run.
    pub summary: Summary,
}

impl Outcome {
    /// The documents that represent their cluster (what `syndic dedup`
    /// keeps), in input order.
    pub fn kept(&self) -> Vec<usize> {
        (0..self.docs.len())
            .filter(|&i| self.docs[i].representative as usize == i)
            .collect()
    }

    /// The number of clusters.
    pub fn clusters(&self) -> usize {
        self.kept().len()
    }
}

/// Each document's exact similarity and containment to its cluster
/// representative (none for a representative), from the verified edges or
/// else its evidence: the part of [`outcomes`] that reads evidence, so that
/// it can be freed before the story stage.
pub(crate) fn similarities(
    reps: &[u32],
    signed: &[Signed],
    edges: &[Edge],
    evidence: &EvidenceStore,
) -> Result<Vec<Option<(f32, f32)>>> {
    (0..reps.len())
        .into_par_iter()
        .map(|i| {
            let r = reps[i] as usize;
            Ok(if r == i {
                None
            } else if signed[i].body_hash == signed[r].body_hash {
                Some((1.0, 1.0))
            } else {
                // Scored already when the two are a verified pair (edges
                // keep the sorted order of the candidate pairs).
                let (a, b) = (signed[i].first, signed[r].first);
                match edges.binary_search_by_key(&(a.min(b), a.max(b)), |e| (e.a, e.b)) {
                    Ok(k) => Some((edges[k].jaccard, edges[k].containment)),
                    Err(_) => {
                        let (j, c) = scores(&evidence.get(a)?.shingles, &evidence.get(b)?.shingles);
                        Some((j as f32, c as f32))
                    }
                }
            })
        })
        .collect()
}

/// Every document's outcome, from its cluster representative (`reps`),
/// its story and thread representatives (`grouped`, by cluster
/// representative), the sign stage's facts and its [`similarities`].
pub(crate) fn outcomes(
    reps: &[u32],
    grouped: &Grouped,
    signed: &[Signed],
    similarities: &[Option<(f32, f32)>],
) -> Vec<DocOutcome> {
    (0..reps.len())
        .into_par_iter()
        .map(|i| {
            let r = reps[i] as usize;
            DocOutcome {
                representative: r as u32,
                similarity: similarities[i].map(|s| s.0),
                containment: similarities[i].map(|s| s.1),
                short: signed[i].short,
                story: grouped.stories[r],
                thread: grouped.threads[r],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Resources;

    fn signed(body_hash: u128, first: u32) -> Signed {
        Signed {
            body_hash,
            first,
            short: false,
            folded: 10,
            body: 8,
        }
    }

    #[test]
    fn outcomes_take_scores_from_edges_and_exact_copies_score_one() {
        // 0 represents 1 (an exact copy), 2 (a verified edge) and 3 (joined
        // through 2: scored from the sets).
        let reps = [0, 0, 0, 0, 4];
        let grouped = Grouped {
            stories: vec![0, 0, 0, 0, 0],
            threads: vec![0, 0, 0, 0, 0],
            spilled: false,
            thread_seconds: 0.0,
        };
        let signed = [
            signed(7, 0),
            signed(7, 0),
            signed(8, 2),
            signed(9, 3),
            signed(10, 4),
        ];
        let edges = [
            Edge {
                a: 0,
                b: 2,
                jaccard: 0.9,
                containment: 0.95,
            },
            Edge {
                a: 2,
                b: 3,
                jaccard: 0.85,
                containment: 0.9,
            },
        ];
        let mut store = EvidenceStore::new(5, &Resources::default());
        let set = |v: &[u32]| crate::verify::Evidence::new(v.to_vec(), Vec::new());
        store.values.push(set(&[1, 2, 3, 4])).unwrap();
        store.values.push(set(&[1, 2, 3, 5])).unwrap();
        store.values.finish().unwrap();
        store.set_slot(0, 0);
        store.set_slot(3, 1);
        let sims = similarities(&reps, &signed, &edges, &store).unwrap();
        let out = outcomes(&reps, &grouped, &signed, &sims);
        assert_eq!(out[0].similarity, None);
        assert_eq!(
            (out[1].similarity, out[1].containment),
            (Some(1.0), Some(1.0))
        );
        assert_eq!(
            (out[2].similarity, out[2].containment),
            (Some(0.9), Some(0.95))
        );
        assert_eq!(out[3].similarity, Some(0.6), "3 of 5 shingles shared");
        assert_eq!(out[4].representative, 4);
        assert_eq!(
            out[4].story, 0,
            "a document's story is its representative's"
        );
    }
}
