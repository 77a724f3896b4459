//! Stage `score`: syndic's similarities for arbitrary labelled pairs, to
//! choose thresholds against pair labels (`syndic eval --pairs --corpus`).

use super::fold::extract_bodies;
use super::Config;
use crate::corpus::Document;
use crate::error::Result;
use crate::shingle::{self, ShingleSet};
use crate::story::{self, TermCounts, TermVector};
use crate::verify::scores;
use ahash::AHashMap;
use rayon::prelude::*;
use serde::Serialize;

/// syndic's scores for one pair of documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairScore {
    /// Exact Jaccard of the shingle sets (after boilerplate removal).
    pub jaccard: f64,
    /// Exact containment of the smaller shingle set in the larger.
    pub containment: f64,
    /// Cosine of the story-level TF-IDF vectors (IDF over all documents).
    pub cosine: f64,
}

/// Scores arbitrary pairs of documents (indices into `docs`) the way the
/// pipeline would, to choose thresholds against pair labels.
pub fn pair_scores(
    docs: &[Document],
    config: &Config,
    pairs: &[(usize, usize)],
) -> Result<Vec<PairScore>> {
    let bodies = extract_bodies(docs, config)?.bodies;
    let terms: Vec<TermCounts> = bodies.par_iter().map(|b| story::term_counts(b)).collect();
    let mut df = story::DocumentFrequencies::default();
    terms.iter().for_each(|t| df.add(t));
    let idf = df.idf_with_background(config.story.background_documents);
    let mut needed: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let prepared: AHashMap<usize, (ShingleSet, TermVector)> = needed
        .par_iter()
        .map(|&i| {
            (
                i,
                (
                    shingle::shingle(&bodies[i], config.shingle),
                    story::vector(&terms[i], &idf),
                ),
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    Ok(pairs
        .par_iter()
        .map(|(a, b)| {
            let (sa, va) = &prepared[a];
            let (sb, vb) = &prepared[b];
            let (jaccard, containment) = scores(sa, sb);
            PairScore {
                jaccard,
                containment,
                cosine: story::cosine(va, vb),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testdata::corpus;

    #[test]
    fn a_copy_is_contained_and_other_stories_score_low() {
        let docs = corpus();
        let s = pair_scores(&docs, &Config::default(), &[(0, 4), (0, 1)]).unwrap();
        // page 4 is story 0 on another site; its own chrome is not learned
        // (one page), so it is contained, not equal
        assert!(s[0].containment > 0.99 && s[0].jaccard > 0.6, "{:?}", s[0]);
        assert!(s[0].cosine > 0.6, "{:?}", s[0]);
        assert!(s[1].jaccard < 0.05 && s[1].cosine < 0.3, "{:?}", s[1]);
    }
}
