//! Story grouping: one level above near-duplicate clusters, rewritten versions
//! of the same event (another outlet's own report: reordered, paraphrased, a
//! different lead, but the same names, figures and quotes) join one *story*.
//!
//! Representation: each cluster's representative becomes an L2-normalized
//! TF-IDF vector over its words, with document frequencies counted over
//! clusters, not pages (a wire story on twenty sites is one use of its words,
//! not twenty), so
//! shared names and quotes weigh much more than shared common words.
//!
//! Candidates: an inverted index over each vector's `top_terms` heaviest
//! terms; two clusters are candidates when they share at least
//! `min_shared_terms` of them (terms held by more than `max_posting` clusters
//! are too common to index).
//!
//! Verification and grouping: a candidate pair is an edge when its cosine
//! reaches `similarity`, they share a verbatim quote (`min_shared_shingles`
//! shingles) unless the cosine is strong, and, when both have dates, they were
//! published within `window_days`, and at most one figure differs between
//! them in the same context (rewrites of one event report the same figures;
//! successive templated reports, such as weekly export sales, do not).
//! Groups are formed by *star clustering*: clusters are visited
//! by decreasing number of edges; an unassigned one becomes a story center and
//! takes every unassigned neighbour. Every member is therefore verified against
//! its story's center, never joined through a chain of neighbours.

use crate::error::Result;
use crate::shingle::SHINGLE_SEED;
use crate::store::Blob;
use crate::text::normalize::is_unspaced_script;
use crate::verify::{intersection, merge_join, substitutions, Evidence};
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Story settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoryConfig {
    /// Group clusters into stories at all.
    pub enabled: bool,
    /// Minimum TF-IDF cosine between a member and its story's center.
    pub similarity: f64,
    /// Heaviest terms per document that are indexed for candidates.
    pub top_terms: usize,
    /// Shared indexed terms needed for a candidate pair.
    pub min_shared_terms: usize,
    /// Terms indexed by more clusters than this are skipped as too common.
    pub max_posting: usize,
    /// Two dated versions more than this many days apart are different stories.
    pub window_days: f64,
    /// Below `strong_similarity`, a pair must share this many shingles (a
    /// verbatim quote of about a dozen words): rewrites quote; follow-ups on
    /// the same topic mostly do not.
    pub min_shared_shingles: usize,
    /// Cosine at which no shared quote is needed.
    pub strong_similarity: f64,
}

impl Default for StoryConfig {
    fn default() -> Self {
        StoryConfig {
            enabled: true,
            similarity: 0.3,
            top_terms: 64,
            min_shared_terms: 3,
            max_posting: 50,
            window_days: 7.0,
            min_shared_shingles: 8,
            strong_similarity: 0.45,
        }
    }
}

/// Figures that may differ between two versions of one story in the same
/// context (a corrected number); successive templated reports differ in more.
const MAX_SUBSTITUTED_FIGURES: usize = 1;

/// Sorted `(term hash, count)` pairs of a body's words.
pub type TermCounts = Vec<(u64, u32)>;
/// Sorted `(term hash, weight)` pairs with unit L2 norm.
pub type TermVector = Vec<(u64, f32)>;

/// Counts the terms of a folded body: its words, except that runs of
/// single-character tokens of unspaced scripts (Han, kana, Thai) count as
/// character bigrams, since one Han character says little about a story.
/// (Word bigrams were measured and dropped: mostly unshared between rewrites,
/// they dilute the cosine.)
pub fn term_counts(body: &str) -> TermCounts {
    let hash = |t: &[u8]| xxh3_64_with_seed(t, SHINGLE_SEED ^ 0x7465_726d);
    // Tokens average about 6 bytes with their separator.
    let mut terms: Vec<u64> = Vec::with_capacity(body.len() / 4);
    let mut prev_cjk: Option<&str> = None;
    for t in crate::shingle::tokens(body) {
        let single_cjk = t.as_bytes()[0] >= 0x80 && {
            let mut chars = t.chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if is_unspaced_script(c))
        };
        if single_cjk {
            if let Some(p) = prev_cjk {
                terms.push(hash(format!("{p}{t}").as_bytes()));
            }
            prev_cjk = Some(t);
        } else {
            prev_cjk = None;
            if t.len() > 1 {
                terms.push(hash(t.as_bytes()));
            }
        }
    }
    crate::shingle::sort_hashes(&mut terms);
    let mut out: TermCounts = Vec::with_capacity(terms.len());
    for t in terms {
        match out.last_mut() {
            Some((last, n)) if *last == t => *n += 1,
            _ => out.push((t, 1)),
        }
    }
    out
}

/// Inverse document frequencies `ln(N / df)` over the given documents
/// (callers pass one per near-duplicate cluster).
pub fn idf<'a>(counts: impl ExactSizeIterator<Item = &'a TermCounts>) -> AHashMap<u64, f32> {
    let mut df = DocumentFrequencies::default();
    for c in counts {
        df.add(c);
    }
    df.idf()
}

/// How many documents (cluster representatives) hold each term: the one
/// corpus-wide value the story stage needs. A distributed run sums the
/// partitions' values ([`DocumentFrequencies::merge`]) and broadcasts the
/// total; the result does not depend on how documents were partitioned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFrequencies {
    df: AHashMap<u64, u32>,
    documents: usize,
}

impl DocumentFrequencies {
    /// Counts one more document with these terms.
    pub fn add(&mut self, counts: &TermCounts) {
        for &(t, _) in counts {
            *self.df.entry(t).or_insert(0) += 1;
        }
        self.documents += 1;
    }

    /// Adds another set of documents' frequencies to these.
    pub fn merge(&mut self, other: &DocumentFrequencies) {
        for (&t, &d) in &other.df {
            *self.df.entry(t).or_insert(0) += d;
        }
        self.documents += other.documents;
    }

    /// The number of documents counted.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Inverse document frequencies, `ln(documents / df)`.
    pub fn idf(&self) -> AHashMap<u64, f32> {
        idf_from_df(&self.df, self.documents)
    }
}

/// Inverse document frequencies from document frequencies over `n` documents.
pub fn idf_from_df(df: &AHashMap<u64, u32>, n: usize) -> AHashMap<u64, f32> {
    df.iter().map(|(&t, &d)| (t, idf_value(d, n))).collect()
}

/// The inverse document frequency of a term held by `d` of `n` documents.
fn idf_value(d: u32, n: usize) -> f32 {
    (n.max(1) as f64 / d as f64).ln() as f32
}

/// The TF-IDF vector of one document whose terms' document frequencies
/// (over `n` documents) are given alongside: `df[k]` is that of
/// `counts[k]`. Equal to [`vector`] under [`idf_from_df`] of the whole
/// table, for a distributed run that joins each document's terms with
/// their frequencies instead of holding the table.
pub fn vector_with_df(counts: &TermCounts, df: &[u32], n: usize) -> TermVector {
    let idf: AHashMap<u64, f32> = counts
        .iter()
        .zip(df)
        .map(|(&(t, _), &d)| (t, idf_value(d, n)))
        .collect();
    vector(counts, &idf)
}

/// The TF-IDF vector of one document (sublinear term frequency).
pub fn vector(counts: &TermCounts, idf: &AHashMap<u64, f32>) -> TermVector {
    let mut v: TermVector = counts
        .iter()
        .map(|&(t, n)| {
            (
                t,
                (1.0 + (n as f32).ln()) * idf.get(&t).copied().unwrap_or(0.0),
            )
        })
        .filter(|&(_, w)| w > 0.0)
        .collect();
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    v
}

/// Cosine of two unit vectors.
pub fn cosine(a: &TermVector, b: &TermVector) -> f64 {
    let mut dot = 0.0f64;
    merge_join(a, b, |t| t.0, |x, y| dot += x.1 as f64 * y.1 as f64);
    dot
}

/// A term's weight in a stored term list: a count or a TF-IDF weight.
pub trait Weight: Copy + Send + Sync {
    /// Little-endian bytes.
    fn to_le(self) -> [u8; 4];
    /// From little-endian bytes.
    fn from_le(bytes: [u8; 4]) -> Self;
}

impl Weight for u32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        u32::from_le_bytes(bytes)
    }
}

impl Weight for f32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        f32::from_le_bytes(bytes)
    }
}

/// Term counts and vectors are stored as a length and 12-byte entries.
impl<W: Weight> Blob for Vec<(u64, W)> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        for &(t, w) in self {
            out.extend_from_slice(&t.to_le_bytes());
            out.extend_from_slice(&w.to_le());
        }
    }

    fn decode(bytes: &[u8]) -> Vec<(u64, W)> {
        bytes[8..]
            .chunks_exact(12)
            .map(|c| {
                let t = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
                (t, W::from_le(c[8..].try_into().expect("4 bytes")))
            })
            .collect()
    }
}

/// Groups clusters into stories. Cluster `i` (of `published.len()`) has
/// publication time `published[i]`, TF-IDF vector `vector(i)`, and shingles
/// and figures in `evidence(i)` (fetched on demand: they may be spilled).
/// Returns, for each cluster, the index of its story's center.
/// Deterministic: ties go to the lower index, so callers should pass
/// clusters in a stable order.
///
/// The two steps are public for a distributed run: [`candidate_pairs`]
/// needs every cluster's top terms (a shuffle on the term), while
/// [`group_pairs`] can run on each connected component of the candidate
/// pairs alone (star grouping never crosses a component).
pub fn group<'v, 'e, V, E>(
    published: &[Option<i64>],
    vector: V,
    evidence: E,
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    let n = published.len();
    if !cfg.enabled || n == 0 {
        return Ok((0..n as u32).collect());
    }
    let pairs = candidate_pairs(n, |i| Ok(top_terms(vector(i)?, cfg)), cfg)?;
    group_pairs(published, vector, evidence, &pairs, cfg)
}

/// The terms of `vector` that are indexed for candidates: its
/// `cfg.top_terms` heaviest (ties to the lower term hash), in any order.
pub fn top_terms(vector: Cow<'_, TermVector>, cfg: &StoryConfig) -> Vec<u64> {
    let heaviest = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // A vector read back from a spilled store is already owned: no copy.
    let mut top: Vec<(u64, f32)> = vector.into_owned();
    if top.len() > cfg.top_terms {
        top.select_nth_unstable_by(cfg.top_terms, heaviest);
        top.truncate(cfg.top_terms);
    }
    top.into_iter().map(|(t, _)| t).collect()
}

/// Whether a term's posting list (the clusters whose top terms hold it)
/// is used for candidates: shared, and not too common.
pub fn posting_used(len: usize, cfg: &StoryConfig) -> bool {
    len > 1 && len <= cfg.max_posting
}

/// Candidate pairs `(a, b)`, `a < b`, sorted, of `n` clusters given each
/// one's [`top_terms`]: the pairs that share at least
/// `cfg.min_shared_terms` terms whose posting lists are [`posting_used`].
pub fn candidate_pairs<T>(n: usize, top: T, cfg: &StoryConfig) -> Result<Vec<(u32, u32)>>
where
    T: Fn(usize) -> Result<Vec<u64>> + Sync,
{
    // The inverted index of the top terms: (term, cluster) entries, sorted
    // in parallel; a run of one term is its posting list.
    let tops: Vec<Vec<u128>> = (0..n)
        .into_par_iter()
        .map(|i| {
            Ok(top(i)?
                .into_iter()
                .map(|t| (t as u128) << 32 | i as u128)
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut entries: Vec<u128> = tops.concat();
    drop(tops);
    entries.par_sort_unstable();
    let lists: Vec<Vec<u32>> = entries
        .chunk_by(|x, y| x >> 32 == y >> 32)
        .filter(|run| posting_used(run.len(), cfg))
        .map(|run| run.iter().map(|&e| e as u32).collect())
        .collect();
    drop(entries);
    Ok(shared_term_pairs(n, &lists, cfg.min_shared_terms))
}

/// Star grouping of clusters over the candidate `pairs` (`a < b`): a pair
/// is an edge when it passes the window, cosine, figure and quote tests
/// (see the module docs); clusters are then visited by decreasing number
/// of edges (ties to the lower index) and each unassigned one becomes a
/// center that takes its unassigned neighbours. Returns each cluster's
/// center. On a subset of clusters closed under `pairs` (a connected
/// component of them), the result is the whole run's, restricted.
pub fn group_pairs<'v, 'e, V, E>(
    published: &[Option<i64>],
    vector: V,
    evidence: E,
    pairs: &[(u32, u32)],
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    let n = published.len();
    let window = cfg.window_days * 86_400.0;
    let edges: Vec<Option<(u32, u32)>> = pairs
        .par_iter()
        .map(|&(a, b)| {
            let (a_, b_) = (a as usize, b as usize);
            let in_window = match (published[a_], published[b_]) {
                (Some(s), Some(t)) => ((s - t).abs() as f64) <= window,
                _ => true,
            };
            if !in_window {
                return Ok(None);
            }
            let cos = cosine(vector(a_)?.as_ref(), vector(b_)?.as_ref());
            if cos < cfg.similarity {
                return Ok(None);
            }
            let (x, y) = (evidence(a_)?, evidence(b_)?);
            let edge = substitutions(&x.figures, &y.figures) <= MAX_SUBSTITUTED_FIGURES
                && (cos >= cfg.strong_similarity
                    || intersection(&x.shingles, &y.shingles) >= cfg.min_shared_shingles);
            Ok(edge.then_some((a, b)))
        })
        .collect::<Result<_>>()?;
    let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (a, b) in edges.into_iter().flatten() {
        neighbours[a as usize].push(b);
        neighbours[b as usize].push(a);
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(neighbours[i as usize].len()), i));
    let mut center: Vec<Option<u32>> = vec![None; n];
    for c in order {
        if center[c as usize].is_some() {
            continue;
        }
        center[c as usize] = Some(c);
        for &m in &neighbours[c as usize] {
            if center[m as usize].is_none() {
                center[m as usize] = Some(c);
            }
        }
    }
    Ok(center
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.unwrap_or(i as u32))
        .collect())
}

/// The pairs `(a, b)`, `a < b`, that appear together in at least `min`
/// of the posting `lists` (each sorted ascending), sorted. Counted per
/// document `a` in a dense array, in parallel: no list of all co-occurrences
/// is built or sorted.
fn shared_term_pairs(n: usize, lists: &[Vec<u32>], min: usize) -> Vec<(u32, u32)> {
    let mut lists_of: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    for (l, list) in lists.iter().enumerate() {
        for (at, &d) in list.iter().enumerate() {
            lists_of[d as usize].push((l as u32, at as u32));
        }
    }
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u32; n], Vec::new()),
            |(count, touched), a| {
                for &(l, at) in &lists_of[a] {
                    for &b in &lists[l as usize][at as usize + 1..] {
                        if count[b as usize] == 0 {
                            touched.push(b);
                        }
                        count[b as usize] += 1;
                    }
                }
                let mut out: Vec<(u32, u32)> = Vec::new();
                for b in touched.drain(..) {
                    if count[b as usize] as usize >= min {
                        out.push((a as u32, b));
                    }
                    count[b as usize] = 0;
                }
                out.sort_unstable();
                out
            },
        )
        .flatten_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups items without shingles or figures.
    fn group_plain(v: &[TermVector], published: &[Option<i64>], cfg: &StoryConfig) -> Vec<u32> {
        let none = Evidence::default();
        group(
            published,
            |i| Ok(Cow::Borrowed(&v[i])),
            |_| Ok(Cow::Borrowed(&none)),
            cfg,
        )
        .unwrap()
    }

    fn vectors(texts: &[&str]) -> Vec<TermVector> {
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(t)).collect();
        let idf = idf(counts.iter());
        counts.iter().map(|c| vector(c, &idf)).collect()
    }

    /// The steps a distributed run takes (frequencies joined per term,
    /// global candidate pairs, star grouping per connected component of
    /// them, on local indices) give the centers of [`group`].
    #[test]
    fn grouping_per_component_of_candidates_equals_group() {
        // Forty texts over a small vocabulary: overlapping topics, so that
        // candidates form several components of different sizes.
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let texts: Vec<String> = (0..40)
            .map(|i| {
                let topic = i % 7;
                (0..60)
                    .map(|_| format!("w{}", topic * 10 + next(14)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let published: Vec<Option<i64>> =
            (0..40).map(|i| (i % 3 != 0).then_some(i * 3600)).collect();
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            top_terms: 8,
            max_posting: 12,
            ..StoryConfig::default()
        };
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(t)).collect();
        let v: Vec<TermVector> = {
            let idf = idf(counts.iter());
            counts.iter().map(|c| vector(c, &idf)).collect()
        };
        let none = Evidence::default();
        let whole = group(
            &published,
            |i| Ok(Cow::Borrowed(&v[i])),
            |_| Ok(Cow::Borrowed(&none)),
            &cfg,
        )
        .unwrap();
        assert!(
            whole.iter().enumerate().any(|(i, &c)| c as usize != i),
            "some stories form"
        );

        // Frequencies as a shuffle on the term gives them, joined back.
        let mut df: AHashMap<u64, u32> = AHashMap::new();
        for c in &counts {
            for &(t, _) in c {
                *df.entry(t).or_insert(0) += 1;
            }
        }
        let joined: Vec<TermVector> = counts
            .iter()
            .map(|c| {
                vector_with_df(
                    c,
                    &c.iter().map(|(t, _)| df[t]).collect::<Vec<_>>(),
                    counts.len(),
                )
            })
            .collect();
        assert_eq!(joined, v, "bit for bit");
        let pairs =
            candidate_pairs(40, |i| Ok(top_terms(Cow::Borrowed(&joined[i]), &cfg)), &cfg).unwrap();
        // Components of the pairs (naive union-find), each grouped alone.
        let mut root: Vec<usize> = (0..40).collect();
        fn find(root: &mut [usize], x: usize) -> usize {
            let r = root[x];
            if r == x {
                x
            } else {
                let r = find(root, r);
                root[x] = r;
                r
            }
        }
        for &(a, b) in &pairs {
            let (x, y) = (find(&mut root, a as usize), find(&mut root, b as usize));
            root[x.max(y)] = x.min(y);
        }
        let mut centers: Vec<u32> = (0..40).collect();
        let mut sizes = Vec::new();
        for r in 0..40 {
            let members: Vec<usize> = (0..40).filter(|&i| find(&mut root, i) == r).collect();
            if members.len() < 2 {
                continue;
            }
            sizes.push(members.len());
            let local = |g: u32| members.iter().position(|&m| m == g as usize).unwrap() as u32;
            let local_pairs: Vec<(u32, u32)> = pairs
                .iter()
                .filter(|(a, _)| members.contains(&(*a as usize)))
                .map(|&(a, b)| (local(a), local(b)))
                .collect();
            let pubs: Vec<Option<i64>> = members.iter().map(|&m| published[m]).collect();
            let got = group_pairs(
                &pubs,
                |k| Ok(Cow::Borrowed(&joined[members[k]])),
                |_| Ok(Cow::Borrowed(&none)),
                &local_pairs,
                &cfg,
            )
            .unwrap();
            for (k, c) in got.into_iter().enumerate() {
                centers[members[k]] = members[c as usize] as u32;
            }
        }
        assert!(sizes.len() > 1, "several components: {sizes:?}");
        assert_eq!(centers, whole);
    }

    #[test]
    fn shared_term_pairs_are_the_pairs_in_enough_lists() {
        let lists: Vec<Vec<u32>> = vec![
            vec![0, 1, 2],
            vec![0, 1],
            vec![1, 2, 5],
            vec![0, 1, 5],
            vec![2, 5],
            vec![3],
        ];
        for min in 1..=4 {
            let mut direct: Vec<(u32, u32)> = Vec::new();
            for a in 0..6u32 {
                for b in a + 1..6 {
                    let shared = lists
                        .iter()
                        .filter(|l| l.contains(&a) && l.contains(&b))
                        .count();
                    if shared >= min {
                        direct.push((a, b));
                    }
                }
            }
            assert_eq!(shared_term_pairs(6, &lists, min), direct, "min {min}");
        }
    }

    #[test]
    fn templated_reports_with_other_figures_stay_apart() {
        static WEEK1: [(u64, u64); 2] = [(1, 19), (2, 240)];
        static WEEK2: [(u64, u64); 2] = [(1, 12), (2, 100)];
        static CORRECTED: [(u64, u64); 2] = [(1, 19), (2, 250)];
        let v = vectors(&[
            "no grain shipments ussr week usda",
            "no grain shipments ussr week usda",
            "unrelated text about something else",
        ]);
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        let run = |figures: [&[(u64, u64)]; 3]| {
            let evidence: Vec<Evidence> = figures
                .iter()
                .map(|f| Evidence::new(Vec::new(), f.to_vec()))
                .collect();
            group(
                &[None; 3],
                |i| Ok(Cow::Borrowed(&v[i])),
                |i| Ok(Cow::Borrowed(&evidence[i])),
                &cfg,
            )
            .unwrap()
        };
        assert_eq!(run([&WEEK1, &WEEK2, &[]]), vec![0, 1, 2]);
        assert_eq!(run([&WEEK1, &CORRECTED, &[]]), vec![0, 0, 2]);
    }

    #[test]
    fn han_text_counts_character_bigrams() {
        assert_eq!(term_counts("新 冠 疫 苗 test").len(), 4);
        assert_eq!(
            term_counts("a bb bb").len(),
            1,
            "one-letter words are not terms"
        );
    }

    #[test]
    fn vectors_are_unit_and_cosine_is_symmetric() {
        let v = vectors(&[
            "marta velloso said the bridge",
            "the bridge closed said velloso",
            "grapes froze in corvale",
        ]);
        let norm: f32 = v[0].iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!((cosine(&v[0], &v[1]) - cosine(&v[1], &v[0])).abs() < 1e-12);
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
    }

    #[test]
    fn star_grouping_does_not_chain() {
        // a~b and b~c but not a~c: b is the center (most edges) and takes both;
        // with a fourth item d~c only, d stays alone or with c's center.
        let v = vectors(&[
            "alpha beta gamma delta epsilon zeta eta",
            "alpha beta gamma delta theta iota kappa lambda",
            "theta iota kappa lambda mu nu xi",
            "mu nu xi omicron pi rho sigma",
            "unrelated words here entirely different",
        ]);
        let cfg = StoryConfig {
            similarity: 0.2,
            strong_similarity: 0.2,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        let centers = group_plain(&v, &[None; 5], &cfg);
        for (i, &c) in centers.iter().enumerate() {
            if c as usize != i {
                assert!(
                    cosine(&v[i], &v[c as usize]) >= 0.2,
                    "member {i} verified against center {c}"
                );
            }
        }
        assert_eq!(centers[4], 4);
    }

    #[test]
    fn window_keeps_distant_dates_apart() {
        let v = vectors(&[
            "rail strike union vote holm",
            "rail strike union vote holm",
            "other text entirely",
        ]);
        let day = 86_400;
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        assert_eq!(
            group_plain(&v, &[Some(0), Some(30 * day), None], &cfg),
            vec![0, 1, 2]
        );
    }
}
