//! Stage `story`: clusters grouped into stories (reports of the same story
//! by other outlets) by TF-IDF vectors of their representatives' bodies,
//! with document frequencies counted over the representatives; then the
//! stories grouped into threads ([`crate::thread`]) with the same vectors.
//!
//! Kernels and their data:
//! - `story_vectors`: representatives -> TF-IDF vectors (store that may spill).
//! - [`stories`]: cluster representative of each document -> story and
//!   thread representatives of each document ([`Grouped`]), reading bodies
//!   and evidence through a [`StorySource`] (the pipeline's stores, or an
//!   index's segments).

use super::evidence::EvidenceStore;
use super::fold::BodyModel;
use super::{Config, VECTOR_SHARE};
use crate::cluster::{representatives, Rank};
use crate::error::Result;
use crate::shingle::ShingleSpec;
use crate::store::{Resources, SpillVec};
use crate::story::{self, DocumentFrequencies, TermCounts, TermVector};
use crate::thread;
use crate::verify::Evidence;
use rayon::prelude::*;
use std::borrow::Cow;

/// Where the story stage reads a document's body and its evidence.
pub trait StorySource: Sync {
    /// Writes document `d`'s body (folded, boilerplate removed) into `out`.
    fn body_into(&self, d: u32, out: &mut String) -> Result<()>;
    /// Document `d`'s exact shingle set and figures.
    fn evidence(&self, d: u32) -> Result<Cow<'_, Evidence>>;
}

/// The pipeline's source: bodies from the [`BodyModel`], evidence from the
/// shingle stage's store (made on demand for representatives not in it;
/// over an empty store, for every document: `syndic explain`).
pub(crate) struct PipelineSource<'a> {
    pub(crate) model: &'a BodyModel,
    pub(crate) evidence: &'a EvidenceStore,
    pub(crate) spec: ShingleSpec,
}

impl StorySource for PipelineSource<'_> {
    fn body_into(&self, d: u32, out: &mut String) -> Result<()> {
        self.model.body_into(d as usize, out).map(drop)
    }

    fn evidence(&self, d: u32) -> Result<Cow<'_, Evidence>> {
        self.evidence.get_or_make(d, self.model, self.spec)
    }
}

/// What the story stage gives: by cluster representative (other entries
/// are meaningless), its story's and its thread's representatives.
#[derive(Debug, Clone)]
pub struct Grouped {
    /// Each cluster representative's story representative.
    pub stories: Vec<u32>,
    /// Each cluster representative's thread representative (that of its
    /// story's representative).
    pub threads: Vec<u32>,
    /// Whether the story vectors spilled to disk.
    pub spilled: bool,
    /// Seconds spent grouping stories into threads (part of the stage).
    pub thread_seconds: f64,
}

/// Stage `story`: the story and thread representatives of every document,
/// given every document's cluster representative (`reps`, `u32::MAX` for a
/// document that is not there) and rank. Document frequencies are those
/// over every cluster representative: given as `df` (e.g. summed over the
/// partitions of a distributed run with [`document_frequencies`]), or else
/// counted here in the same pass as the terms. Either way the result
/// depends only on which clusters there are. Threads group the stories
/// ([`crate::thread`]) with the same vectors.
pub fn stories(
    reps: &[u32],
    ranks: &[Rank],
    source: &dyn StorySource,
    df: Option<&DocumentFrequencies>,
    config: &Config,
    resources: &Resources,
    batch: usize,
) -> Result<Grouped> {
    let cluster_reps = cluster_representatives(reps);
    if !config.story.enabled {
        let stories = story_of_clusters(reps, ranks, &cluster_reps, None);
        return Ok(Grouped {
            threads: stories.clone(),
            stories,
            spilled: false,
            thread_seconds: 0.0,
        });
    }
    let (vectors, index) = vectors_and_index(&cluster_reps, source, df, config, resources, batch)?;
    group(reps, ranks, &cluster_reps, &vectors, index, source, config)
}

/// What the story stage groups by: each cluster's TF-IDF vector (of the
/// representatives `cluster_reps`, in order) under `df` or, without it,
/// their own document frequencies, and the [`story::TermIndex`] of their
/// top terms and name marks (indexed once for both levels).
pub(crate) fn vectors_and_index(
    cluster_reps: &[u32],
    source: &dyn StorySource,
    df: Option<&DocumentFrequencies>,
    config: &Config,
    resources: &Resources,
    batch: usize,
) -> Result<(SpillVec<TermVector>, story::TermIndex)> {
    // The counts and frequencies are freed before indexing.
    let (vectors, names) = {
        let (counts, counted) = term_counts(cluster_reps, source, resources, batch)?;
        story_vectors(counts, df.unwrap_or(&counted), config, resources, batch)?
    };
    let index = story::TermIndex::new(names.len(), |k| {
        let mut top = story::top_terms(vectors.get(k as u32)?, &config.story);
        top.extend_from_slice(&names[k]);
        Ok(top)
    })?;
    Ok((vectors, index))
}

/// The document frequencies of the terms of `docs` (cluster
/// representatives), read through `source`.
pub fn document_frequencies(
    docs: &[u32],
    source: &dyn StorySource,
    batch: usize,
) -> Result<DocumentFrequencies> {
    Ok(term_counts(docs, source, &Resources::default(), batch)?.1)
}

/// The documents that represent their cluster, in order.
pub(crate) fn cluster_representatives(reps: &[u32]) -> Vec<u32> {
    (0..reps.len() as u32)
        .filter(|&i| reps[i as usize] == i)
        .collect()
}

/// Groups the clusters by their representatives' TF-IDF vectors into
/// stories, then the stories (their representatives, with the same
/// vectors) into threads ([`thread::group`]).
fn group(
    reps: &[u32],
    ranks: &[Rank],
    cluster_reps: &[u32],
    vectors: &SpillVec<TermVector>,
    index: story::TermIndex,
    source: &dyn StorySource,
    config: &Config,
) -> Result<Grouped> {
    let published: Vec<Option<i64>> = cluster_reps
        .iter()
        .map(|&r| ranks[r as usize].published)
        .collect();
    let centers = story::group_indexed(
        &cluster_dates(reps, ranks, cluster_reps),
        |k| vectors.get(k as u32),
        |k| source.evidence(cluster_reps[k]),
        &index,
        config.shingle,
        &config.story,
    )?;
    let stories = story_of_clusters(reps, ranks, cluster_reps, Some(&centers));
    // The stories, by cluster index: the clusters that represent theirs.
    let heads: Vec<u32> = (0..cluster_reps.len() as u32)
        .filter(|&k| {
            let r = cluster_reps[k as usize];
            stories[r as usize] == r
        })
        .collect();
    let started = std::time::Instant::now();
    let head_index = index.subset(&heads);
    drop(index);
    let thread_centers = thread::group_indexed(
        &story::Dates::one_each(
            &heads
                .iter()
                .map(|&k| published[k as usize])
                .collect::<Vec<_>>(),
        ),
        |t| vectors.get(heads[t]),
        |t| source.evidence(cluster_reps[heads[t] as usize]),
        &head_index,
        config.shingle,
        &config.story,
        &config.thread,
    )?;
    let head_reps: Vec<u32> = heads.iter().map(|&k| cluster_reps[k as usize]).collect();
    let thread_of_head = story_of_clusters(reps, ranks, &head_reps, Some(&thread_centers));
    let threads = stories
        .iter()
        .map(|&s| thread_of_head[s as usize])
        .collect();
    Ok(Grouped {
        stories,
        threads,
        spilled: vectors.spilled(),
        thread_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The dates of the clusters whose representatives are `cluster_reps`
/// (ascending), from every page's: `reps[d]` is page `d`'s representative
/// (`u32::MAX`: not there).
pub(crate) fn cluster_dates(reps: &[u32], ranks: &[Rank], cluster_reps: &[u32]) -> story::Dates {
    story::Dates::of_pages(
        cluster_reps.len(),
        reps.iter().zip(ranks).filter_map(|(&r, rank)| {
            let k = cluster_reps.binary_search(&r).ok()?;
            Some((k as u32, rank.published))
        }),
    )
}

/// Each cluster representative's story representative: the best-ranked
/// representative of its group (`centers[k]`: the group of cluster `k`;
/// none: every cluster its own story).
fn story_of_clusters(
    reps: &[u32],
    ranks: &[Rank],
    cluster_reps: &[u32],
    centers: Option<&[u32]>,
) -> Vec<u32> {
    let mut center_of_doc: Vec<u32> = (0..reps.len() as u32).collect();
    if let Some(centers) = centers {
        for (k, &r) in cluster_reps.iter().enumerate() {
            center_of_doc[r as usize] = cluster_reps[centers[k] as usize];
        }
    }
    representatives(&center_of_doc, ranks)
}

/// The term counts of each document of `docs` (kept in a store that may
/// spill), and their document frequencies, in one pass.
fn term_counts(
    docs: &[u32],
    source: &dyn StorySource,
    resources: &Resources,
    batch: usize,
) -> Result<(SpillVec<TermCounts>, DocumentFrequencies)> {
    let mut counts: SpillVec<TermCounts> = SpillVec::new(resources, VECTOR_SHARE);
    let mut df = DocumentFrequencies::default();
    for chunk in docs.chunks(batch.max(1)) {
        let made: Vec<TermCounts> = chunk
            .par_iter()
            .map_init(String::new, |buf, &r| {
                source.body_into(r, buf)?;
                Ok(story::term_counts(buf))
            })
            .collect::<Result<_>>()?;
        for c in made {
            df.add(&c);
            counts.push(c)?;
        }
    }
    counts.finish()?;
    Ok((counts, df))
}

/// The TF-IDF vector of each counted document under `df`, and its name
/// marks (made with its vector, where the frequencies are:
/// [`story::vector_and_names`]), which are indexed for candidates beside
/// its top terms. The counts are consumed: each document's are freed as
/// its vector is made, so the two are not all held at once (they are the
/// story stage's largest data).
fn story_vectors(
    mut counts: SpillVec<TermCounts>,
    df: &DocumentFrequencies,
    config: &Config,
    resources: &Resources,
    batch: usize,
) -> Result<(SpillVec<TermVector>, Vec<Vec<u64>>)> {
    let idf = df.idf_with_background(config.story.background_documents);
    let names = config.story.name_range(df.documents());
    let mut vectors = SpillVec::new(resources, VECTOR_SHARE);
    let mut marks: Vec<Vec<u64>> = Vec::with_capacity(counts.len());
    let ids: Vec<u32> = (0..counts.len() as u32).collect();
    for chunk in ids.chunks(batch.max(1)) {
        let taken: Vec<TermCounts> = chunk
            .iter()
            .map(|&k| counts.take(k))
            .collect::<Result<_>>()?;
        let made: Vec<(TermVector, Vec<u64>)> = taken
            .into_par_iter()
            .map(|c| story::vector_and_names(&c, &idf, names))
            .collect();
        for (v, m) in made {
            vectors.push(v)?;
            marks.push(m);
        }
    }
    vectors.finish()?;
    Ok((vectors, marks))
}

/// The story stage split into steps over plain data, for a run whose
/// cluster representatives are spread over many machines (`syndic.spark`);
/// the steps give the stories of [`stories`]:
///
/// 1. each representative's [`story::term_counts`] of its body
///    ([`super::ModelBodies`]);
/// 2. each term's document frequency over the representatives (a shuffle
///    on the term), joined back to the representative's terms:
///    [`story::vector_and_names_with_df`] and [`story::top_terms`];
/// 3. posting lists of the top terms and name marks (a shuffle on the
///    term) that are [`story::posting_used`], their pairs counted
///    ([`story::posting_counts`], a shuffle on the pair): candidates are
///    the pairs whose counts are [`story::is_candidate`];
/// 4. connected components of the candidates (those whose cosine is
///    below `similarity` can be dropped first: they are never edges);
///    for those that may be judged by their combination of terms
///    ([`story::StoryConfig::asks_combination`]), whether it is unique:
///    [`story::unique_combination`] of the terms both top terms hold,
///    joined to their posting lists (a shuffle on the term);
/// 5. `component_stories` on each component: star grouping only joins
///    edges, so a component grouped alone gets the whole run's stories.
pub mod partitioned {
    use super::*;
    use crate::cluster::Rank;
    use crate::corpus::{parse_time, Document};
    use crate::pipeline::{rank_of, GroupLines, ModelBodies};

    /// The stories of one connected component of story candidates: `docs`
    /// are its cluster representatives in input order, `vectors` their
    /// TF-IDF vectors under the whole run's frequencies, `pairs` the
    /// candidates among them (indices into `docs`, sorted; any set that
    /// holds every edge, e.g. the candidates whose cosine reaches
    /// `similarity`, gives the same stories), and `unique` the pairs (sorted) among
    /// them whose shared terms are a unique combination (step 4; any set
    /// that holds every such pair the grouping asks about), and `pages`,
    /// when given, the `published` value of every page of each one's
    /// cluster (the story rules read a cluster's dates from all its pages:
    /// [`story::Dates`]; without them, each representative's own). Returns,
    /// for each, the index of its story's representative (the best-ranked
    /// member of its star).
    pub fn component_stories(
        docs: &[Document],
        vectors: &[TermVector],
        pairs: &[story::Candidate],
        unique: &[(u32, u32)],
        pages: Option<&[Vec<Option<String>>]>,
        config: &Config,
        model: &GroupLines,
    ) -> Result<Vec<u32>> {
        let bodies = ModelBodies::new(
            model,
            docs.iter().map(|d| (d.source.as_deref(), d.url.as_deref())),
        );
        let evidence: Vec<Evidence> = docs
            .par_iter()
            .enumerate()
            .map(|(k, d)| super::super::make_evidence(&bodies.body(k, &d.text), config.shingle))
            .collect();
        let ranks: Vec<Rank> = docs.iter().map(rank_of).collect();
        let dates = match pages {
            Some(pages) => story::Dates::of_pages(
                docs.len(),
                pages.iter().enumerate().flat_map(|(k, times)| {
                    times
                        .iter()
                        .map(move |t| (k as u32, t.as_deref().and_then(parse_time)))
                }),
            ),
            None => story::Dates::one_each(&ranks.iter().map(|r| r.published).collect::<Vec<_>>()),
        };
        let centers = story::group_pairs(
            &dates,
            |k| Ok(Cow::Borrowed(&vectors[k])),
            |k| Ok(Cow::Borrowed(&evidence[k])),
            pairs,
            |c: &story::Candidate, _: &TermVector, _: &TermVector| {
                Ok(unique.binary_search(&(c.a, c.b)).is_ok())
            },
            config.shingle,
            &config.story,
        )?;
        Ok(crate::cluster::representatives(&centers, &ranks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::make_evidence;
    use crate::text::normalize::normalize;

    /// Bodies given directly; evidence made from them.
    struct Bodies(Vec<String>);

    impl StorySource for Bodies {
        fn body_into(&self, d: u32, out: &mut String) -> Result<()> {
            out.clear();
            out.push_str(&self.0[d as usize]);
            Ok(())
        }

        fn evidence(&self, d: u32) -> Result<Cow<'_, Evidence>> {
            let body = &self.0[d as usize];
            Ok(Cow::Owned(make_evidence(body, ShingleSpec::default())))
        }
    }

    fn rank(id: &str) -> Rank<'_> {
        Rank {
            published: Some(1_700_000_000),
            length: 100,
            id,
        }
    }

    /// Six reports and another outlet's rewrite of each (the corpora/stories
    /// files), and a copy of the first report (a cluster member, not a
    /// representative).
    fn stories_of(config: &Config) -> Vec<u32> {
        let texts = [
            include_str!("../../../../corpora/stories/01-harbor-bridge.txt"),
            include_str!("../../../../corpora/stories/02-vineyard-frost.txt"),
            include_str!("../../../../corpora/stories/03-library-hours.txt"),
            include_str!("../../../../corpora/stories/04-rail-strike.txt"),
            include_str!("../../../../corpora/stories/05-telescope-grant.txt"),
            include_str!("../../../../corpora/stories/06-flood-defences.txt"),
            include_str!("../../../../corpora/stories/01-harbor-bridge.rewrite.txt"),
            include_str!("../../../../corpora/stories/02-vineyard-frost.rewrite.txt"),
            include_str!("../../../../corpora/stories/03-library-hours.rewrite.txt"),
            include_str!("../../../../corpora/stories/04-rail-strike.rewrite.txt"),
            include_str!("../../../../corpora/stories/05-telescope-grant.rewrite.txt"),
            include_str!("../../../../corpora/stories/06-flood-defences.rewrite.txt"),
            include_str!("../../../../corpora/stories/01-harbor-bridge.txt"),
        ];
        let source = Bodies(texts.iter().map(|t| normalize(t)).collect());
        let mut reps: Vec<u32> = (0..12).collect();
        reps.push(0);
        let ids: Vec<String> = (0..13).map(|k| format!("{k:02}")).collect();
        let ranks: Vec<Rank> = ids.iter().map(|id| rank(id)).collect();
        let grouped = stories(
            &reps,
            &ranks,
            &source,
            None,
            config,
            &Resources::default(),
            5,
        )
        .unwrap();
        assert!(!grouped.spilled);
        // Threads nest stories: one story, one thread.
        for a in 0..13 {
            for b in 0..13 {
                if grouped.stories[a] == grouped.stories[b] {
                    assert_eq!(grouped.threads[a], grouped.threads[b], "{a} {b}");
                }
            }
        }
        grouped.stories
    }

    #[test]
    fn rewrites_join_their_story_and_other_reports_do_not() {
        let s = stories_of(&Config::default());
        // indexed by cluster representative; the best-ranked names the story
        assert_eq!(&s[..6], &[0, 1, 2, 3, 4, 5]);
        assert_eq!(&s[6..12], &[0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn frequencies_summed_over_partitions_give_the_same_stories() {
        let texts = story::sample_stories();
        let n = texts.len() as u32;
        let source = Bodies(texts);
        let reps: Vec<u32> = (0..n).collect();
        let ids: Vec<String> = (0..n).map(|k| format!("{k:02}")).collect();
        let ranks: Vec<Rank> = ids.iter().map(|id| rank(id)).collect();
        let config = Config::default();
        let r = Resources::default();
        let whole = stories(&reps, &ranks, &source, None, &config, &r, 4).unwrap();
        let mut df = document_frequencies(&reps[..5], &source, 2).unwrap();
        df.merge(&document_frequencies(&reps[5..], &source, 3).unwrap());
        assert_eq!(df, document_frequencies(&reps, &source, 7).unwrap());
        let given = stories(&reps, &ranks, &source, Some(&df), &config, &r, 4).unwrap();
        assert_eq!(whole.stories, given.stories);
        assert_eq!(whole.threads, given.threads);
        assert!(
            whole
                .stories
                .iter()
                .enumerate()
                .any(|(k, &s)| s != k as u32),
            "some rewrite joined"
        );
    }

    #[test]
    fn stories_off_keeps_every_cluster_apart() {
        let mut config = Config::default();
        config.story.enabled = false;
        let s = stories_of(&config);
        assert_eq!(&s[..12], &(0..12).collect::<Vec<u32>>()[..]);
    }
}
