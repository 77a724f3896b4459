//! Stage `output`: each document's outcome (its cluster and story
//! representatives, its similarity to the cluster representative).

use super::evidence::EvidenceStore;
use super::sign::Signed;
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
}

/// The output of [`super::run`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One outcome per input document, in input order.
    pub docs: Vec<DocOutcome>,
    /// The verified edges (pairs of documents that are near-duplicates), sorted.
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

/// Every document's outcome, from its cluster representative (`reps`),
/// its story representative (`story_reps`, by cluster representative),
/// the sign stage's facts and the verified edges.
pub(crate) fn outcomes(
    reps: &[u32],
    story_reps: &[u32],
    signed: &[Signed],
    edges: &[Edge],
    evidence: &EvidenceStore,
) -> Result<Vec<DocOutcome>> {
    (0..reps.len())
        .into_par_iter()
        .map(|i| {
            let r = reps[i] as usize;
            let (similarity, containment) = if r == i {
                (None, None)
            } else if signed[i].body_hash == signed[r].body_hash {
                (Some(1.0), Some(1.0))
            } else {
                // Scored already when the two are a verified pair (edges
                // keep the sorted order of the candidate pairs).
                let (a, b) = (signed[i].first, signed[r].first);
                match edges.binary_search_by_key(&(a.min(b), a.max(b)), |e| (e.a, e.b)) {
                    Ok(k) => (Some(edges[k].jaccard), Some(edges[k].containment)),
                    Err(_) => {
                        let (j, c) = scores(&evidence.get(a)?.shingles, &evidence.get(b)?.shingles);
                        (Some(j as f32), Some(c as f32))
                    }
                }
            };
            Ok(DocOutcome {
                representative: r as u32,
                similarity,
                containment,
                short: signed[i].short,
                story: story_reps[r],
            })
        })
        .collect()
}
