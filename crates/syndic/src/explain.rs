//! Explain: why two documents are, or are not, one cluster, story and
//! thread: what `syndic explain` prints, to read a merge or a miss by eye.
//!
//! Input: the documents and their texts, the settings and resources, the
//! run's [`Outcome`] over them (from [`crate::pipeline::run`] with the
//! same settings) and pairs of document indices. Output: one [`Explanation`] per pair, made with the
//! stages' own kernels, never a second implementation:
//! - the run's answer: each document's cluster, story and thread
//!   representatives, and, when the two share a cluster, a shortest path of
//!   the run's verified edges (and identical bodies) that joins them, each
//!   edge with its exact Jaccard and containment;
//! - the pair itself, as verification sees it: the bodies after boilerplate
//!   removal (learned over all the documents, as the run learns it), the
//!   LSH keys they share (whole-body bands, lead bands, the opening), the
//!   exact Jaccard and containment, each set rule's answer, the figures,
//!   and the alignment (aligned share, figure and date substitutions,
//!   foreign figures) with the rule's verdict;
//! - one level up: the TF-IDF cosine of the two clusters' representatives
//!   and how far apart the two were published; then the story stage's own
//!   rules ([`story::judge`]) on their two clusters, and the thread
//!   stage's on their two stories, with the run's vectors, term index and
//!   dates ([`LevelEvidence`]): the terms both index (by word, how many
//!   groups index each, which are rare, which are in both leads), the
//!   verdict and the rule that makes it, the edges by which each of
//!   the two is in its own story or thread, and, for two of one story or
//!   thread that no edge joins, a shortest path of the rules' edges
//!   between them among its members.
//!
//! A pair of one cluster need not be an edge itself: clusters join through
//! chains of copies (an edited copy, then its excerpt), which is what the
//! path shows.

use crate::align::{self, Alignment};
use crate::corpus::{parse_time, Document, Texts};
use crate::error::Result;
use crate::lsh;
use crate::pipeline::stories::{self, StorySource};
use crate::pipeline::{BodyModel, BodySignature, Config, Outcome, Signer};
use crate::shingle::Shingled;
use crate::store::Resources;
use crate::store::SpillVec;
use crate::story::{self, Candidate, EdgeRule, Refusal, StoryVerdict};
use crate::verify::{self, Evidence, SetRules, VerifyRule};
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::VecDeque;

/// One step of a path between two documents of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// From this document (index) ...
    pub from: usize,
    /// ... to this one.
    pub to: usize,
    /// `None`: the two bodies are identical (joined before any edge);
    /// otherwise the edge's exact Jaccard and containment.
    pub scores: Option<(f32, f32)>,
}

/// What verification makes of the pair itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairEvidence {
    /// Each body's length in bytes after boilerplate removal.
    pub body_bytes: (usize, usize),
    /// Each body's distinct shingles.
    pub shingles: (usize, usize),
    /// The bodies are identical.
    pub identical: bool,
    /// Whole-signature LSH bands with equal keys, of how many.
    pub bands: (usize, usize),
    /// Lead-signature bands with equal keys, of how many (none when leads
    /// are off).
    pub lead_bands: Option<(usize, usize)>,
    /// Both have a prose opening, and it is the same.
    pub same_opening: bool,
    /// Exact Jaccard of the shingle sets.
    pub jaccard: f64,
    /// Exact containment of the smaller set in the larger.
    pub containment: f64,
    /// Each set rule's answer.
    pub set_rules: SetRules,
    /// Distinct figures of the smaller list found in the larger, of how
    /// many.
    pub figures_shared: (usize, usize),
    /// Contexts both put a figure in, and in how many the figures differ.
    pub figures_in_context: (usize, usize),
    /// The alignment of the two token sequences (when the alignment rule
    /// is on).
    pub alignment: Option<Alignment>,
    /// Figure substitutions the alignment rule allows for it.
    pub substitution_budget: usize,
    /// The set rules reject the pair and its containment is high enough
    /// for the alignment rule to try it.
    pub alignment_tried: bool,
    /// The alignment rule takes it.
    pub aligned: bool,
}

impl PairEvidence {
    /// Whether verification makes the pair a match (an edge, or a part
    /// match when one is a small part of the other).
    pub fn matches(&self) -> bool {
        self.set_rules.pass() || (self.alignment_tried && self.aligned)
    }
}

/// Why two documents are, or are not, grouped (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The two documents (indices).
    pub a: usize,
    /// The second one.
    pub b: usize,
    /// Each one's cluster, story and thread representative (indices).
    pub groups: [(usize, usize); 3],
    /// When they share a cluster: a shortest path of verified edges and
    /// identical bodies between them.
    pub path: Option<Vec<Step>>,
    /// The pair as verification sees it.
    pub evidence: PairEvidence,
    /// TF-IDF cosine of their clusters' representatives, terms weighed
    /// over clusters (as the story stage weighs them).
    pub story_cosine: f64,
    /// Days between their publication dates, when both parse.
    pub days_apart: Option<f64>,
    /// The story level's `similarity` and `strong_similarity` (a cosine
    /// from which a pair is a close rewrite on its own) and `window_days`,
    /// to read the cosine against.
    pub story_thresholds: (f64, f64, f64),
    /// The story stage's rules on their two clusters, then the thread
    /// stage's on their two stories (`None`: the levels are off).
    pub levels: Option<[LevelEvidence; 2]>,
}

/// One level up, the rules of the story stage ([`story::judge`]) on two
/// groups: their clusters (story level) or their stories (thread level),
/// each read as its representative, with the run's vectors, term index
/// and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelEvidence {
    /// The two groups' representatives (document indices).
    pub reps: (usize, usize),
    /// The pair as candidates are counted ([`Candidate`]: shared indexed
    /// terms, rare ones, rare ones in both leads, names, rare ones that are
    /// uncommon; its `a` and `b` are the groups' indices in the level's
    /// index, not documents).
    pub counts: Candidate,
    /// The counts make them a candidate pair.
    pub candidate: bool,
    /// The terms both index, by word.
    pub terms: Vec<ShownTerm>,
    /// The rules' verdict on the pair (`None`: one group).
    pub judged: Option<story::Judged>,
    /// Each one's edges in its own group at this level (its story, its
    /// thread): the other members (representatives, at most
    /// [`MEMBERS_JUDGED`]) that the rules join it to, and by which rule.
    /// A member joins its star's center, or, a lone center, the story of
    /// its nearest neighbour, or its star merges with another that an
    /// edge links (`merge_similarity`: threads); the best-ranked
    /// representative need be none of these.
    pub edges_in_group: [Vec<(usize, story::Judged)>; 2],
    /// When the two are in one group at this level (one story, one
    /// thread) but no edge joins them: a shortest path of the rules'
    /// edges between them among that group's members (representatives,
    /// the first [`MEMBERS_JUDGED`]), each step `(from, to, verdict)`;
    /// the group holds such a path, since every member joins it by an
    /// edge (to its star's center, a lone center's nearest neighbour, a
    /// linked star). `None` otherwise, or when the path runs through
    /// members past the first [`MEMBERS_JUDGED`], or is not found within
    /// [`PATH_JUDGED`] judged pairs.
    pub path_in_group: Option<Vec<(usize, usize, story::Judged)>>,
    /// Days between the two groups as the stage dates them.
    pub days_apart: Option<f64>,
}

/// The most members of a group that [`LevelEvidence::edges_in_group`]
/// judges.
pub const MEMBERS_JUDGED: usize = 200;

/// The most pairs that the search for [`LevelEvidence::path_in_group`]
/// judges (each reads the whole term index): a path through a star's
/// center takes about twice the members, one through a linked star a few
/// times that. On raw Reuters-21578, two reports of its largest story (13)
/// are explained, path included, in 1.1 s, as a pair without one is (1.3
/// s, nearly all of it the run's own reading and grouping).
pub const PATH_JUDGED: usize = 2_000;

/// A term that two groups both index ([`story::SharedTerm`]), by word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShownTerm {
    /// The word (`?` when neither body holds it).
    pub word: String,
    /// `term`, `lead` (in both leads) or `name` (a name mark).
    pub kind: &'static str,
    /// How many groups index it at this level.
    pub groups: usize,
    /// Its posting list is used for candidates.
    pub used: bool,
    /// It counts as rare.
    pub rare: bool,
    /// Both are in its burst ([`story::burst_members`]): held by more
    /// than `rare_posting` groups, it is rare in its weeks, and counts as
    /// rare when the two share a rare term as well.
    pub burst: bool,
}

/// Explains each pair of `pairs` (indices into `docs`, whose texts are
/// `texts`) given the run `outcome` over them with `config`. Holds the
/// folded texts (spilled within `resources`' limit, as a run does) and the
/// bodies of the clusters that the pairs share, not every body.
pub fn explain(
    docs: &[Document],
    texts: &Texts,
    config: &Config,
    resources: &Resources,
    outcome: &Outcome,
    pairs: &[(usize, usize)],
) -> Result<Vec<Explanation>> {
    let model = BodyModel::learn(docs, texts, config, resources)?;
    let body = |i: usize| -> Result<String> {
        let mut out = String::new();
        model.body_into(i, &mut out)?;
        Ok(out)
    };
    let signer = Signer::new(config)?;
    let rule = config.verify_rule();
    let rep_of = |x: usize| outcome.docs[x].representative as usize;
    // The story stage's vectors, term index and dates, made as it makes
    // them; no evidence is kept: each representative's is made when read.
    let no_evidence = crate::pipeline::EvidenceStore::new(docs.len(), resources);
    let levels = Levels::new(docs, config, resources, outcome, &model, &no_evidence)?;
    // The clusters that explained pairs share, for paths inside them.
    let shared: AHashSet<usize> = pairs
        .iter()
        .filter(|&&(a, b)| rep_of(a) == rep_of(b))
        .map(|&(a, _)| rep_of(a))
        .collect();
    let members: Vec<usize> = (0..docs.len())
        .filter(|&i| shared.contains(&rep_of(i)))
        .collect();
    let member_bodies: Vec<(usize, String)> = members
        .par_iter()
        .map(|&i| Ok((i, body(i)?)))
        .collect::<Result<_>>()?;
    let graph = EdgeGraph::new(outcome, &member_bodies);
    pairs
        .iter()
        .map(|&(a, b)| {
            let of = |x: usize| {
                let d = &outcome.docs[x];
                (
                    d.representative as usize,
                    d.story as usize,
                    d.thread as usize,
                )
            };
            let ((ca, sa, ta), (cb, sb, tb)) = (of(a), of(b));
            let vector = |rep: usize| levels.vectors.get(levels.cluster(rep) as u32);
            let date = |x: usize| docs[x].published.as_deref().and_then(parse_time);
            Ok(Explanation {
                a,
                b,
                groups: [(ca, cb), (sa, sb), (ta, tb)],
                path: (ca == cb).then(|| graph.path(a, b)).flatten(),
                evidence: pair_evidence(&signer, &rule, &body(a)?, &body(b)?),
                story_cosine: story::cosine(&*vector(ca)?, &*vector(cb)?),
                days_apart: date(a)
                    .zip(date(b))
                    .map(|(x, y)| (x - y).unsigned_abs() as f64 / 86_400.0),
                story_thresholds: (
                    config.story.similarity,
                    config.story.strong_similarity,
                    config.story.window_days,
                ),
                levels: match config.story.enabled {
                    true => Some([
                        levels.story((ca, cb), (sa, sb), &body)?,
                        levels.thread((sa, sb), (ta, tb), &body)?,
                    ]),
                    false => None,
                },
            })
        })
        .collect()
}

/// The story stage's data over the run's clusters, as the stage makes it
/// ([`stories::vectors_and_index`]), and the thread stage's over its
/// stories.
struct Levels<'m> {
    source: stories::PipelineSource<'m>,
    cluster_reps: Vec<u32>,
    vectors: SpillVec<story::TermVector>,
    index: story::TermIndex,
    dates: story::Dates,
    bursts: story::Bursts,
    /// The clusters (indices into `cluster_reps`) that represent stories.
    heads: Vec<u32>,
    head_index: story::TermIndex,
    head_dates: story::Dates,
    head_bursts: story::Bursts,
    /// Each cluster's story representative (a document).
    story_of: Vec<u32>,
    /// Each story's (head's) thread representative (a document).
    thread_of: Vec<u32>,
    story_rules: story::StoryConfig,
    thread_rules: story::StoryConfig,
    spec: crate::shingle::ShingleSpec,
}

/// One level's groups as [`Levels::level`] reads them: group `g` is
/// cluster `groups[g]` (or cluster `g`, at the story level), in the group
/// of this level represented by document `up_of[g]`.
struct Level<'a> {
    groups: Option<&'a [u32]>,
    up_of: &'a [u32],
    index: &'a story::TermIndex,
    dates: &'a story::Dates,
    bursts: &'a story::Bursts,
    rules: &'a story::StoryConfig,
}

impl<'m> Levels<'m> {
    fn new(
        docs: &[Document],
        config: &Config,
        resources: &Resources,
        outcome: &Outcome,
        model: &'m BodyModel,
        evidence: &'m crate::pipeline::EvidenceStore,
    ) -> Result<Levels<'m>> {
        let source = stories::PipelineSource {
            model,
            evidence,
            spec: config.shingle,
        };
        let reps: Vec<u32> = outcome.docs.iter().map(|d| d.representative).collect();
        let cluster_reps = stories::cluster_representatives(&reps);
        let (vectors, index) =
            stories::vectors_and_index(&cluster_reps, &source, None, config, resources, 1024)?;
        let ranks: Vec<_> = docs.iter().map(crate::pipeline::rank_of).collect();
        let dates = stories::cluster_dates(&reps, &ranks, &cluster_reps);
        let heads: Vec<u32> = (0..cluster_reps.len() as u32)
            .filter(|&k| {
                let r = cluster_reps[k as usize];
                outcome.docs[r as usize].story == r
            })
            .collect();
        let head_index = index.subset(&heads);
        let published: Vec<Option<i64>> = heads
            .iter()
            .map(|&k| ranks[cluster_reps[k as usize] as usize].published)
            .collect();
        let story_of: Vec<u32> = cluster_reps
            .iter()
            .map(|&r| outcome.docs[r as usize].story)
            .collect();
        let thread_of: Vec<u32> = heads
            .iter()
            .map(|&k| outcome.docs[cluster_reps[k as usize] as usize].thread)
            .collect();
        let story_rules = config.story;
        let thread_rules = config.thread.rules(&config.story);
        let bursts = index.bursts(&dates, |k| vectors.get(k as u32), &story_rules)?;
        let head_dates = story::Dates::one_each(&published);
        let head_bursts =
            head_index.bursts(&head_dates, |t| vectors.get(heads[t]), &thread_rules)?;
        Ok(Levels {
            source,
            story_of,
            thread_of,
            head_dates,
            head_bursts,
            bursts,
            heads,
            head_index,
            cluster_reps,
            vectors,
            index,
            dates,
            story_rules,
            thread_rules,
            spec: config.shingle,
        })
    }

    /// The cluster (index into `cluster_reps`) that document `rep`
    /// represents.
    fn cluster(&self, rep: usize) -> usize {
        self.cluster_reps
            .binary_search(&(rep as u32))
            .expect("a cluster representative")
    }

    /// The story level on two clusters (their representatives `clusters`)
    /// of stories represented by `stories`.
    fn story(
        &self,
        clusters: (usize, usize),
        stories: (usize, usize),
        body: &dyn Fn(usize) -> Result<String>,
    ) -> Result<LevelEvidence> {
        let level = Level {
            groups: None,
            up_of: &self.story_of,
            index: &self.index,
            dates: &self.dates,
            bursts: &self.bursts,
            rules: &self.story_rules,
        };
        self.level(clusters, stories, &level, body)
    }

    /// The thread level on two stories (their representatives `stories`)
    /// of threads represented by `threads`.
    fn thread(
        &self,
        stories: (usize, usize),
        threads: (usize, usize),
        body: &dyn Fn(usize) -> Result<String>,
    ) -> Result<LevelEvidence> {
        let level = Level {
            groups: Some(&self.heads),
            up_of: &self.thread_of,
            index: &self.head_index,
            dates: &self.head_dates,
            bursts: &self.head_bursts,
            rules: &self.thread_rules,
        };
        self.level(stories, threads, &level, body)
    }

    /// One level's evidence on groups represented by `reps`, in groups
    /// of this level represented by `ups`.
    fn level(
        &self,
        reps: (usize, usize),
        ups: (usize, usize),
        level: &Level,
        body: &dyn Fn(usize) -> Result<String>,
    ) -> Result<LevelEvidence> {
        let Level {
            up_of,
            index,
            dates,
            bursts,
            rules,
            ..
        } = *level;
        let cluster_of = |g: usize| level.groups.map_or(g, |h| h[g] as usize);
        let rep_of = |g: usize| self.cluster_reps[cluster_of(g)] as usize;
        let group = |rep: usize| {
            let k = self.cluster(rep);
            level.groups.map_or(k, |h| {
                h.binary_search(&(k as u32))
                    .expect("a story representative")
            })
        };
        let members = |up: usize| (0..up_of.len()).filter(move |&g| up_of[g] as usize == up);
        let (ga, gb) = (group(reps.0), group(reps.1));
        let (c, candidate, shared) = index.pair(ga as u32, gb as u32, rules, bursts);
        let mut words = story::term_words(&body(reps.0)?);
        words.extend(story::term_words(&body(reps.1)?));
        let terms = shared
            .iter()
            .map(|t| ShownTerm {
                word: words
                    .get(&story::base_term(t.term))
                    .cloned()
                    .unwrap_or_else(|| "?".to_string()),
                kind: match (story::is_lead(t.term), story::is_name(t.term)) {
                    (true, _) => "lead",
                    (_, true) => "name",
                    _ => "term",
                },
                groups: t.clusters,
                used: t.used,
                rare: t.rare,
                burst: t.burst,
            })
            .collect();
        // A candidate as `index.pair` counts it (its groups in order).
        let judge_candidate = |c: &story::Candidate| -> Result<story::Judged> {
            let (x, y) = (c.a as usize, c.b as usize);
            story::judge(
                c,
                dates.gap(x, y),
                || {
                    Ok((
                        self.vectors.get(cluster_of(x) as u32)?,
                        self.vectors.get(cluster_of(y) as u32)?,
                    ))
                },
                || {
                    Ok((
                        self.source.evidence(rep_of(x) as u32)?,
                        self.source.evidence(rep_of(y) as u32)?,
                    ))
                },
                |va, vb| Ok(index.unique(c, va, vb, rules)),
                self.spec,
                rules,
            )
        };
        let judge =
            |x: usize, y: usize| judge_candidate(&index.pair(x as u32, y as u32, rules, bursts).0);
        let judged = match ga == gb {
            true => None,
            false => Some(judge_candidate(&c)?),
        };
        // Group `g`'s edges to the other members of `up`'s group (groups).
        let edges_of = |g: usize, up: usize| -> Result<Vec<(usize, story::Judged)>> {
            let mut out = Vec::new();
            for m in members(up).filter(|&m| m != g).take(MEMBERS_JUDGED) {
                let judged = judge(g, m)?;
                if judged.verdict.is_edge() {
                    out.push((m, judged));
                }
            }
            Ok(out)
        };
        let edges = [edges_of(ga, ups.0)?, edges_of(gb, ups.1)?];
        // A shortest path of edges between the two in their group, found
        // breadth first, judging each member's pairs as it is reached; the
        // first step's are `ga`'s edges, judged above.
        let joined = judged.is_some_and(|j| j.verdict.is_edge());
        let path_in_group = match ups.0 == ups.1 && ga != gb && !joined {
            false => None,
            true => {
                let inside: Vec<usize> = members(ups.0).take(MEMBERS_JUDGED).collect();
                let mut came: AHashMap<usize, (usize, story::Judged)> = AHashMap::new();
                let mut queue = VecDeque::new();
                for &(y, step) in edges[0].iter().filter(|(y, _)| inside.contains(y)) {
                    came.insert(y, (ga, step));
                    queue.push_back(y);
                }
                let mut judged_pairs = inside.iter().filter(|&&y| y != ga).count();
                let mut found = false;
                'search: while let Some(x) = queue.pop_front() {
                    if x == gb {
                        found = true;
                        break;
                    }
                    for &y in &inside {
                        if y == ga || y == x || came.contains_key(&y) {
                            continue;
                        }
                        judged_pairs += 1;
                        if judged_pairs > PATH_JUDGED {
                            break 'search;
                        }
                        let step = judge(x, y)?;
                        if step.verdict.is_edge() {
                            came.insert(y, (x, step));
                            queue.push_back(y);
                        }
                    }
                }
                found.then(|| {
                    walk_back(&came, ga, gb)
                        .into_iter()
                        .map(|(from, to, step)| (rep_of(from), rep_of(to), step))
                        .collect()
                })
            }
        };
        let [edges_a, edges_b] = edges.map(|list| {
            list.into_iter()
                .map(|(m, judged)| (rep_of(m), judged))
                .collect()
        });
        Ok(LevelEvidence {
            reps,
            counts: c,
            candidate,
            terms,
            judged,
            edges_in_group: [edges_a, edges_b],
            path_in_group,
            days_apart: dates
                .gap(ga, gb)
                .map(|g| g.unsigned_abs() as f64 / 86_400.0),
        })
    }
}

/// Pairs of ids as pairs of indices into `docs` (an id given twice names
/// its first document), or the message naming an id no document has.
pub fn pair_indices(
    docs: &[Document],
    pairs: &[(String, String)],
) -> std::result::Result<Vec<(usize, usize)>, String> {
    let mut at: AHashMap<&str, usize> = AHashMap::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        at.entry(d.id.as_str()).or_insert(i);
    }
    let index = |id: &String| {
        at.get(id.as_str())
            .copied()
            .ok_or_else(|| format!("no document has the id {id:?}"))
    };
    pairs
        .iter()
        .map(|(a, b)| Ok((index(a)?, index(b)?)))
        .collect()
}

/// Verification's view of two bodies (folded, boilerplate removed).
pub fn pair_evidence(signer: &Signer, rule: &VerifyRule, a: &str, b: &str) -> PairEvidence {
    let ((sig_a, ev_a), (sig_b, ev_b)) = (signed(signer, a), signed(signer, b));
    let equal_keys = |x: &[u64], y: &[u64]| x.iter().zip(y).filter(|(p, q)| p == q).count();
    let keys = |sig: &[u32], params| {
        let mut out = Vec::new();
        lsh::band_keys(sig, params, &mut out);
        out
    };
    let params = signer.params();
    let bands = (
        equal_keys(&keys(&sig_a.whole, params), &keys(&sig_b.whole, params)),
        params.bands,
    );
    let lead_bands = signer.lead_params().map(|p| {
        (
            equal_keys(&keys(&sig_a.lead, p), &keys(&sig_b.lead, p)),
            p.bands,
        )
    });
    let ((j, c), set_rules) = rule.set_rules(&ev_a, &ev_b);
    let alignment = rule.aligning().then(|| {
        let keys = crate::shingle::token_keys;
        align::align(&keys(a), &keys(b))
    });
    PairEvidence {
        body_bytes: (a.len(), b.len()),
        shingles: (ev_a.shingles.len(), ev_b.shingles.len()),
        identical: a == b,
        bands,
        lead_bands,
        same_opening: sig_a.opening.is_some() && sig_a.opening == sig_b.opening,
        jaccard: j,
        containment: c,
        set_rules,
        figures_shared: (
            verify::merge_count(&ev_a.numbers, &ev_b.numbers),
            ev_a.numbers.len().min(ev_b.numbers.len()),
        ),
        figures_in_context: verify::figures_in_context(&ev_a.figures, &ev_b.figures),
        substitution_budget: alignment.as_ref().map_or(0, verify::substitution_budget),
        aligned: alignment
            .as_ref()
            .is_some_and(|al| rule.alignment_verdict(al).is_some()),
        alignment,
        alignment_tried: !set_rules.pass() && rule.may_align(c),
    }
}

/// A neighbour in an [`EdgeGraph`]: the document and the edge's Jaccard and
/// containment (`None`: identical bodies).
type Link = (usize, Option<(f32, f32)>);

/// A body's signatures and its evidence (shingle set and figures), as the
/// sign stage makes them.
fn signed(signer: &Signer, body: &str) -> (BodySignature, Evidence) {
    let mut shingled = Shingled::default();
    let sig = signer.sign_into(body, &mut shingled);
    let figures = std::mem::take(&mut shingled.figures);
    (sig, Evidence::new(shingled.set(), figures))
}

/// The run's verified edges and identical bodies, as a graph over the
/// documents, for paths within a cluster.
struct EdgeGraph {
    next: AHashMap<usize, Vec<Link>>,
}

impl EdgeGraph {
    /// The run's edges, and identical bodies among `bodies` (documents of
    /// the clusters explained, with their bodies).
    fn new(outcome: &Outcome, bodies: &[(usize, String)]) -> EdgeGraph {
        let mut next: AHashMap<usize, Vec<Link>> = AHashMap::new();
        let mut link = |x: usize, y: usize, s: Option<(f32, f32)>| {
            next.entry(x).or_default().push((y, s));
            next.entry(y).or_default().push((x, s));
        };
        for e in &outcome.edges {
            link(e.a as usize, e.b as usize, Some((e.jaccard, e.containment)));
        }
        // Identical bodies of one cluster: each to the first of its body.
        let mut first: AHashMap<(u32, &str), usize> = AHashMap::new();
        for (i, body) in bodies {
            let (i, key) = (*i, (outcome.docs[*i].representative, body.as_str()));
            match first.get(&key) {
                Some(&f) => link(f, i, None),
                None => {
                    first.insert(key, i);
                }
            }
        }
        EdgeGraph { next }
    }

    /// A shortest path from `a` to `b` (breadth first; neighbours in edge
    /// order, so the same path every run), or `None`.
    fn path(&self, a: usize, b: usize) -> Option<Vec<Step>> {
        let mut came: AHashMap<usize, Link> = AHashMap::new();
        let mut queue = VecDeque::from([a]);
        while let Some(x) = queue.pop_front() {
            if x == b {
                let steps = walk_back(&came, a, b).into_iter();
                return Some(
                    steps
                        .map(|(from, to, scores)| Step { from, to, scores })
                        .collect(),
                );
            }
            for &(y, s) in self.next.get(&x).map_or(&[][..], Vec::as_slice) {
                if y != a && !came.contains_key(&y) {
                    came.insert(y, (x, s));
                    queue.push_back(y);
                }
            }
        }
        None
    }
}

/// The steps from `a` to `b` of a breadth-first search that reached each
/// node `to` from `came[to] = (from, label)` (`b` reached, `a` the start).
fn walk_back<L: Copy>(
    came: &AHashMap<usize, (usize, L)>,
    a: usize,
    b: usize,
) -> Vec<(usize, usize, L)> {
    let mut steps = Vec::new();
    let mut at = b;
    while at != a {
        let (from, label) = came[&at];
        steps.push((from, at, label));
        at = from;
    }
    steps.reverse();
    steps
}

/// A yes or no for a report.
fn yes(x: bool) -> &'static str {
    if x {
        "yes"
    } else {
        "no"
    }
}

impl Explanation {
    /// The explanation as JSON, documents named by their ids, with its
    /// Markdown [`Explanation::render`] under `report` (what Python's
    /// `syndic.explain` returns).
    pub fn to_json(&self, docs: &[Document]) -> serde_json::Value {
        let id = |i: usize| docs[i].id.clone();
        let level = |(x, y): (usize, usize)| serde_json::json!([id(x), id(y)]);
        let path = self.path.as_ref().map(|steps| {
            steps
                .iter()
                .map(|st| {
                    serde_json::json!({
                        "from": id(st.from),
                        "to": id(st.to),
                        "jaccard": st.scores.map(|x| x.0),
                        "containment": st.scores.map(|x| x.1),
                    })
                })
                .collect::<Vec<_>>()
        });
        serde_json::json!({
            "a": id(self.a),
            "b": id(self.b),
            "cluster": level(self.groups[0]),
            "story": level(self.groups[1]),
            "thread": level(self.groups[2]),
            "path": path,
            "evidence": self.evidence,
            "matches": self.evidence.matches(),
            "story_cosine": self.story_cosine,
            "days_apart": self.days_apart,
            "story_level": self.levels.as_ref().map(|l| l[0].to_json(docs)),
            "thread_level": self.levels.as_ref().map(|l| l[1].to_json(docs)),
            "report": self.render(docs),
        })
    }

    /// The explanation as Markdown, naming documents by their ids.
    pub fn render(&self, docs: &[Document]) -> String {
        let id = |i: usize| docs[i].id.as_str();
        let (a, b) = (id(self.a), id(self.b));
        let e = &self.evidence;
        let mut s =
            format!("## {a} and {b}\n\n| level | {a} | {b} | together |\n|---|---|---|---|\n");
        for (level, (x, y)) in ["cluster", "story", "thread"].iter().zip(self.groups) {
            s.push_str(&format!(
                "| {level} | {} | {} | {} |\n",
                id(x),
                id(y),
                yes(x == y)
            ));
        }
        match &self.path {
            Some(steps) if steps.is_empty() => {}
            Some(steps) => {
                s.push_str(&format!(
                    "\nOne cluster through {} step{}:\n\n| from | to | how |\n|---|---|---|\n",
                    steps.len(),
                    if steps.len() == 1 { "" } else { "s" }
                ));
                for st in steps {
                    let how = match st.scores {
                        None => "identical bodies".to_string(),
                        Some((j, c)) => format!("edge: Jaccard {j:.3}, containment {c:.3}"),
                    };
                    s.push_str(&format!("| {} | {} | {how} |\n", id(st.from), id(st.to)));
                }
            }
            None if self.groups[0].0 == self.groups[0].1 => {
                s.push_str("\nOne cluster, but no path of the run's edges joins them.\n");
            }
            None => {}
        }
        let lead = e
            .lead_bands
            .map_or("off".to_string(), |(k, n)| format!("{k} of {n}"));
        s.push_str(&format!(
            "\nThe two as verification sees them:\n\n| measure | value |\n|---|---|\n\
             | body after boilerplate (bytes) | {} / {} |\n\
             | distinct shingles | {} / {} |\n\
             | identical bodies | {} |\n\
             | LSH bands with equal keys | {} of {} |\n\
             | lead bands with equal keys | {lead} |\n\
             | same opening | {} |\n\
             | Jaccard | {:.4} |\n\
             | containment of the smaller | {:.4} |\n\
             | set rules: Jaccard / containment / near | {} / {} / {} |\n\
             | figures: of the smaller list's, in the larger | {} of {} ({}) |\n\
             | figures in the same context, differing | {} of {} |\n",
            e.body_bytes.0,
            e.body_bytes.1,
            e.shingles.0,
            e.shingles.1,
            yes(e.identical),
            e.bands.0,
            e.bands.1,
            yes(e.same_opening),
            e.jaccard,
            e.containment,
            yes(e.set_rules.jaccard),
            yes(e.set_rules.contained),
            yes(e.set_rules.near),
            e.figures_shared.0,
            e.figures_shared.1,
            match e.set_rules.figures_agree {
                true => "agree",
                false => "disagree",
            },
            e.figures_in_context.1,
            e.figures_in_context.0,
        ));
        if let Some(al) = &e.alignment {
            s.push_str(&format!(
                "| alignment: aligned tokens of the shorter | {} of {} ({:.3}) |\n\
                 | alignment: aligned prose share | {:.3} ({} of {} prose tokens) |\n\
                 | alignment: figure substitutions (allowed) | {} ({}) |\n\
                 | alignment: date substitutions | {} |\n\
                 | alignment: foreign figures | {} |\n\
                 | alignment rule: tried / takes it | {} / {} |\n",
                al.aligned,
                al.short_len,
                al.share(),
                al.prose_share(),
                al.prose_aligned,
                al.prose,
                al.substitutions,
                e.substitution_budget,
                al.date_substitutions,
                al.foreign_figures,
                yes(e.alignment_tried),
                yes(e.aligned),
            ));
        }
        let days = self
            .days_apart
            .map_or("unknown".to_string(), |d| format!("{d:.1}"));
        let cosine = match self.groups[0].0 == self.groups[0].1 {
            true => "(one cluster)".to_string(),
            false => format!("{:.3}", self.story_cosine),
        };
        s.push_str(&format!(
            "| a match by verification | {} |\n\
             | cosine of their clusters' representatives (TF-IDF) | {cosine} |\n\
             | story settings: similarity / strong_similarity / window_days | {} / {} / {} |\n\
             | days apart | {days} |\n",
            yes(e.matches()),
            self.story_thresholds.0,
            self.story_thresholds.1,
            self.story_thresholds.2,
        ));
        if let Some([story_level, thread_level]) = &self.levels {
            for (level, (name, group, up)) in [
                (story_level, ("Story", "cluster", "story")),
                (thread_level, ("Thread", "story", "thread")),
            ] {
                s.push_str(&level.render(docs, name, group, up));
            }
        }
        s
    }
}

impl LevelEvidence {
    /// The level as JSON, naming documents by their ids.
    pub fn to_json(&self, docs: &[Document]) -> serde_json::Value {
        let id = |i: usize| docs[i].id.clone();
        let edges = self.edges_in_group.each_ref().map(|list| {
            list.iter()
                .map(|(m, judged)| serde_json::json!({"representative": id(*m), "judged": judged}))
                .collect::<Vec<_>>()
        });
        serde_json::json!({
            "representatives": [id(self.reps.0), id(self.reps.1)],
            "shared_terms": self.counts.shared,
            "rare_terms": self.counts.rare,
            "rare_lead_terms": self.counts.lead,
            "names": self.counts.names,
            "uncommon_rare_terms": self.counts.uncommon,
            "candidate": self.candidate,
            "terms": self.terms,
            "judged": self.judged,
            "edge": self.judged.map(|j| j.verdict.is_edge()),
            "edges_in_group": edges,
            "path_in_group": self.path_in_group.as_ref().map(|steps| {
                steps
                    .iter()
                    .map(|(from, to, judged)| {
                        serde_json::json!({"from": id(*from), "to": id(*to), "judged": judged})
                    })
                    .collect::<Vec<_>>()
            }),
            "days_apart": self.days_apart,
        })
    }

    /// The level as Markdown: `name` ("Story"), the groups judged
    /// (`group`: "cluster") and the groups they are in (`up`: "story").
    fn render(&self, docs: &[Document], name: &str, group: &str, up: &str) -> String {
        let id = |i: usize| docs[i].id.as_str();
        let (a, b) = (id(self.reps.0), id(self.reps.1));
        let groups = match group {
            "story" => "stories".to_string(),
            _ => format!("{group}s"),
        };
        let Some(j) = &self.judged else {
            return format!("\n{name} level: one {group} ({a}).\n");
        };
        let mut s = format!(
            "\n{name} level, the rules on their {groups} (representatives {a} and {b}):\n\n\
             | measure | value |\n|---|---|\n\
             | shared indexed terms / rare / rare in both leads / names | {} / {} / {} / {} |\n\
             | rare terms that are uncommon (names and figures, not words of general news or years) | {} |\n\
             | a candidate pair | {} |\n\
             | days apart, as the stage dates them | {} |\n\
             | cosine | {} |\n",
            self.counts.shared,
            self.counts.rare,
            self.counts.lead,
            self.counts.names,
            self.counts.uncommon,
            yes(self.candidate),
            self.days_apart
                .map_or("unknown".to_string(), |d| format!("{d:.1}")),
            j.cosine.map_or("-".to_string(), |c| format!("{c:.3}")),
        );
        if let Some((same, differ)) = j.figures_in_context {
            s.push_str(&format!(
                "| figures in the same context, differing | {differ} of {same} |\n"
            ));
        }
        if let Some((shared, smaller)) = j.shared_shingles {
            s.push_str(&format!(
                "| shingles shared, of the smaller one's | {shared} of {smaller} |\n"
            ));
        }
        s.push_str(&format!("| verdict | {} |\n", verdict_text(j.verdict)));
        for (rep, edges) in [self.reps.0, self.reps.1].iter().zip(&self.edges_in_group) {
            let list: Vec<String> = edges
                .iter()
                .map(|(m, judged)| format!("{} ({})", id(*m), verdict_text(judged.verdict)))
                .collect();
            s.push_str(&format!(
                "| {}'s edges in its {up} | {} |\n",
                id(*rep),
                match list.is_empty() {
                    true => "none".to_string(),
                    false => list.join("; "),
                }
            ));
        }
        if let Some(steps) = &self.path_in_group {
            let mut line = id(self.reps.0).to_string();
            for (_, to, judged) in steps {
                line.push_str(&format!(
                    " → {} ({})",
                    id(*to),
                    verdict_text(judged.verdict)
                ));
            }
            s.push_str(&format!("| joined in their {up} through | {line} |\n"));
        }
        // Name marks count only in two languages or scripts: not shown.
        let shown = |kind: &str| -> Vec<String> {
            self.terms
                .iter()
                .filter(|t| (t.used || t.burst) && t.kind == kind)
                .map(|t| {
                    let burst = if t.burst { " in its burst" } else { "" };
                    match t.rare {
                        true => format!("**{}** {}{burst}", t.word, t.groups),
                        false => format!("{} {}{burst}", t.word, t.groups),
                    }
                })
                .collect()
        };
        let (terms, leads) = (shown("term"), shown("lead"));
        if !terms.is_empty() {
            let burst = match self.terms.iter().any(|t| t.burst) {
                true => "; \"in its burst\": rare in its weeks, see `bursty_posting`",
                false => "",
            };
            s.push_str(&format!(
                "\nShared top terms, each with how many {groups} index it (rare in bold{burst}): {}.\n",
                terms.join(", ")
            ));
        }
        if !leads.is_empty() {
            s.push_str(&format!("In both leads: {}.\n", leads.join(", ")));
        }
        s
    }
}

/// A story verdict in words.
fn verdict_text(v: StoryVerdict) -> String {
    match v {
        StoryVerdict::Edge(rule) => format!(
            "edge: {}",
            match rule {
                EdgeRule::NamesAcrossLanguages => "names across languages",
                EdgeRule::RareTermsAcrossLanguages => "rare terms across languages",
                EdgeRule::NamesAcrossScripts => "names across scripts",
                EdgeRule::CloseRewrite => "a close rewrite",
                EdgeRule::NamesOneEvent => "the names of one event",
                EdgeRule::NamesOneDaysEvent => "one day's event",
                EdgeRule::Passages => "shared passages",
                EdgeRule::Combination => "a combination no other group holds",
            }
        ),
        StoryVerdict::NoEdge(why) => format!(
            "no edge: {}",
            match why {
                Refusal::OutsideWindow => "dated further apart than window_days",
                Refusal::FewSharedTerms => "fewer shared indexed terms than min_shared_terms",
                Refusal::BelowSimilarity => "cosine below similarity",
                Refusal::AcrossScripts => "two scripts, without the names that join them",
                Refusal::FiguresDiffer => "figures differ in the same context",
                Refusal::NoUncommonTerms => {
                    "rare terms enough for one event, but no name or figure among them \
                     (fewer uncommon terms than min_uncommon_terms)"
                }
                Refusal::Tables => {
                    "two tables sharing too few of their figures: their shared rare \
                     terms are labels (contract months, column heads), not names"
                }
                Refusal::Series => {
                    "another day's report of a series: dated more than series_days \
                     apart, sharing a passage but few of their figures"
                }
                Refusal::NoEvidence => "no rule's evidence holds",
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pipeline's test corpus, its run at default settings and its
    /// bodies.
    fn sample() -> (Vec<Document>, Config, Outcome, Vec<String>) {
        let docs = crate::pipeline::testdata::corpus();
        let config = Config::default();
        let outcome = crate::pipeline::run(&docs, &config).unwrap();
        let bodies = crate::pipeline::extract_bodies(&docs, &config)
            .unwrap()
            .bodies;
        (docs, config, outcome, bodies)
    }

    #[test]
    fn a_copy_is_explained_by_its_edge_and_other_stories_by_their_scores() {
        let (docs, config, outcome, _) = sample();
        // Page 4 is story 0 on another site; page 1 another story.
        let texts = Texts::new(&docs);
        let resources = Resources::default();
        let ex = explain(
            &docs,
            &texts,
            &config,
            &resources,
            &outcome,
            &[(0, 4), (0, 1)],
        )
        .unwrap();
        let copy = &ex[0];
        assert_eq!(copy.groups[0].0, copy.groups[0].1, "one cluster");
        let path = copy.path.as_ref().expect("a path in one cluster");
        assert_eq!(path.first().map(|s| s.from), Some(0));
        assert_eq!(path.last().map(|s| s.to), Some(4));
        assert!(copy.evidence.matches(), "{:?}", copy.evidence);
        assert!(copy.evidence.bands.0 > 0, "{:?}", copy.evidence);
        let other = &ex[1];
        assert_ne!(other.groups[0].0, other.groups[0].1);
        assert_eq!(other.path, None);
        assert!(!other.evidence.matches(), "{:?}", other.evidence);
        assert!(other.evidence.jaccard < 0.05, "{:?}", other.evidence);
        assert!(copy.story_cosine > other.story_cosine);
        let text = copy.render(&docs);
        assert!(text.contains("| cluster |"), "{text}");
        assert!(text.contains("| a match by verification | yes |"), "{text}");
        assert!(other
            .render(&docs)
            .contains("| a match by verification | no |"));
        let json = copy.to_json(&docs);
        assert_eq!(json["a"], docs[0].id.as_str());
        assert_eq!(json["cluster"][0], json["cluster"][1]);
        assert_eq!(json["matches"], true);
        assert_eq!(json["path"][0]["from"], docs[0].id.as_str());
        assert_eq!(json["report"], copy.render(&docs));
    }

    /// What the report calls a match is what verification decides, for
    /// every pair of the corpus (the report recomputes the rules' parts).
    #[test]
    fn the_verdict_is_verifications() {
        let (docs, config, _, bodies) = sample();
        let (signer, rule) = (Signer::new(&config).unwrap(), config.verify_rule());
        let evidence = |body: &str| {
            signed(&signer, body)
                .1
                .with_tokens(crate::shingle::token_keys(body))
        };
        let (mut matched, mut apart) = (0, 0);
        for a in 0..docs.len() {
            for b in a + 1..docs.len() {
                let e = pair_evidence(&signer, &rule, &bodies[a], &bodies[b]);
                let decided = rule.check(&evidence(&bodies[a]), &evidence(&bodies[b]));
                assert_eq!(e.matches(), decided.is_some(), "{a} {b}: {e:?}");
                match decided {
                    Some((j, c)) => {
                        assert_eq!((e.jaccard, e.containment), (j, c));
                        matched += 1;
                    }
                    None => apart += 1,
                }
            }
        }
        assert!(matched > 0 && apart > 0, "{matched} {apart}");
    }

    /// One level up, explain judges with the run's own vectors, index,
    /// dates and each level's rules: six reports and a rewrite of each
    /// (in file-name order, each rewrite just before its report), three
    /// rewrites a day later (one story) and three five days later (past
    /// the story window, within the thread's). Every cluster in a
    /// story of two or more has an edge in it, and every story in a
    /// thread of two or more; the terms shown are the reports' words.
    #[test]
    fn story_levels_are_judged_as_the_run_groups_them() {
        const DAY: i64 = 86_400;
        let day = |k: usize| match (k % 2, k) {
            (1, _) => 0,
            (_, 0..6) => DAY,
            _ => 5 * DAY,
        };
        let docs: Vec<Document> = story::sample_stories()
            .into_iter()
            .enumerate()
            .map(|(k, text)| {
                let mut d = Document::new(format!("s{k:02}"), text);
                let at = 1_709_287_200 + day(k) + 600 * k as i64;
                d.published = Some(at.to_string());
                d
            })
            .collect();
        let config = Config::default();
        let outcome = crate::pipeline::run(&docs, &config).unwrap();
        let n = docs.len();
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let texts = Texts::new(&docs);
        let ex = explain(
            &docs,
            &texts,
            &config,
            &Resources::default(),
            &outcome,
            &pairs,
        )
        .unwrap();
        let reps = |e: &Explanation, level: usize| [e.groups[level].0, e.groups[level].1];
        // Pairs of one story, and of one thread, that a path joins.
        let mut paths = [0; 2];
        for e in &ex {
            let levels = e.levels.as_ref().expect("stories are on");
            for (l, level) in levels.iter().enumerate() {
                assert_eq!(level.reps, e.groups[l]);
                let Some(judged) = level.judged else {
                    assert_eq!(e.groups[l].0, e.groups[l].1);
                    continue;
                };
                assert!(
                    judged.cosine.is_some()
                        || judged.verdict == StoryVerdict::NoEdge(Refusal::OutsideWindow)
                );
                // A group alone in the group above has no edge in it.
                for (k, edges) in level.edges_in_group.iter().enumerate() {
                    let (rep, up) = (reps(e, l)[k], reps(e, l + 1)[k]);
                    let field = |d: usize| {
                        let o = &outcome.docs[d];
                        [o.representative, o.story, o.thread][l] as usize
                    };
                    let up_of =
                        |d: usize| [outcome.docs[d].story, outcome.docs[d].thread][l] as usize;
                    let alone = (0..n).all(|d| up_of(d) != up || field(d) == rep);
                    assert_eq!(edges.is_empty(), alone, "level {l}: {rep} in {up}");
                }
                for t in level.terms.iter().filter(|t| t.used) {
                    assert_ne!(t.word, "?", "{t:?}");
                }
                // Two of one group that no edge joins: a path of edges.
                let ups = e.groups[l + 1];
                let joined = judged.verdict.is_edge();
                match &level.path_in_group {
                    Some(steps) => {
                        assert!(ups.0 == ups.1 && !joined, "level {l}: {e:?}");
                        assert!(steps.len() >= 2, "{steps:?}");
                        assert_eq!(steps[0].0, level.reps.0);
                        assert_eq!(steps[steps.len() - 1].1, level.reps.1);
                        for w in steps.windows(2) {
                            assert_eq!(w[0].1, w[1].0);
                        }
                        assert!(steps.iter().all(|s| s.2.verdict.is_edge()));
                        paths[l] += 1;
                    }
                    None => assert!(ups.0 != ups.1 || joined, "level {l}: {e:?}"),
                }
            }
            if e.a % 2 == 0 && e.b == e.a + 1 {
                let [story_level, thread_level] = levels;
                let verdict = story_level.judged.map(|j| j.verdict);
                if e.a < 6 {
                    assert!(
                        verdict.is_some_and(|v| v.is_edge()),
                        "{} {}: {verdict:?}",
                        e.a,
                        e.b
                    );
                    assert_eq!(e.groups[1].0, e.groups[1].1, "one story");
                } else {
                    let window = StoryVerdict::NoEdge(Refusal::OutsideWindow);
                    assert_eq!(verdict, Some(window), "{} {}", e.a, e.b);
                    assert_eq!(e.groups[2].0, e.groups[2].1, "one thread");
                    let judged = thread_level.judged.expect("two stories");
                    assert!(judged.verdict.is_edge(), "{} {}: {judged:?}", e.a, e.b);
                }
                let text = e.render(&docs);
                assert!(text.contains("Story level, the rules"), "{text}");
                let json = e.to_json(&docs);
                assert_eq!(json["story_level"]["edge"], verdict.unwrap().is_edge());
            }
        }
        // The sample's stories and threads are stars of two or three
        // whose members are edges to one another too: no path is needed.
        assert_eq!(paths, [0, 0]);
    }

    /// Two reports of one story that no edge joins (each tells another
    /// part of the event) are joined through the report that tells both,
    /// the star's center: the report shows that path, step by step.
    #[test]
    fn a_story_joined_through_its_center_shows_the_path() {
        let center = "Kestrel Bay harbour authority and the Marlow shipyard agreed on \
                      Tuesday to rebuild the Quayside ferry terminal, said Ingrid Vasquez, \
                      who chairs the Kestrel Bay harbour authority. The Marlow shipyard will \
                      start the work in June with the Tolland dredging company, she said.";
        let one_part = "Ingrid Vasquez, who chairs the Kestrel Bay harbour authority, said \
                        on Tuesday that the authority would pay for the rebuilding from its \
                        reserves and that the Kestrel Bay council had approved the plan.";
        let other_part = "The Marlow shipyard and the Tolland dredging company will begin \
                          rebuilding the Quayside ferry terminal in June, the shipyard's \
                          managers told its workers on Tuesday, and hire forty welders.";
        let docs: Vec<Document> = [center, one_part, other_part]
            .into_iter()
            .enumerate()
            .map(|(k, text)| {
                let mut d = Document::new(format!("h{k}"), text);
                d.published = Some((1_709_287_200 + 600 * k as i64).to_string());
                d
            })
            .collect();
        let config = Config::default();
        let outcome = crate::pipeline::run(&docs, &config).unwrap();
        let story: Vec<u32> = outcome.docs.iter().map(|d| d.story).collect();
        assert!(story.iter().all(|&s| s == story[0]), "one story: {story:?}");
        let texts = Texts::new(&docs);
        let resources = Resources::default();
        let ex = explain(&docs, &texts, &config, &resources, &outcome, &[(1, 2)]).unwrap();
        let story_level = &ex[0].levels.as_ref().expect("stories are on")[0];
        let judged = story_level.judged.expect("two clusters");
        assert!(!judged.verdict.is_edge(), "{judged:?}");
        let steps = story_level.path_in_group.as_ref().expect("a path");
        let hops: Vec<(usize, usize)> = steps.iter().map(|s| (s.0, s.1)).collect();
        assert_eq!(hops, [(1, 0), (0, 2)]);
        let text = ex[0].render(&docs);
        assert!(
            text.contains("| joined in their story through | h1 → h0 (edge: "),
            "{text}"
        );
        let json = ex[0].to_json(&docs);
        assert_eq!(json["story_level"]["path_in_group"][1]["to"], "h2");
    }

    #[test]
    fn paths_follow_edges_and_identical_bodies() {
        let (docs, _, outcome, bodies) = sample();
        let graph = EdgeGraph::new(
            &outcome,
            &bodies.iter().cloned().enumerate().collect::<Vec<_>>(),
        );
        // Every pair of one cluster is joined by a path whose steps are
        // edges of the run or identical bodies, within the cluster.
        for a in 0..docs.len() {
            for b in a + 1..docs.len() {
                let same = outcome.docs[a].representative == outcome.docs[b].representative;
                let path = graph.path(a, b);
                assert_eq!(path.is_some(), same, "{a} {b}");
                for st in path.unwrap_or_default() {
                    let rep = outcome.docs[a].representative;
                    assert_eq!(outcome.docs[st.to].representative, rep);
                    match st.scores {
                        None => assert_eq!(bodies[st.from], bodies[st.to]),
                        Some(_) => assert!(outcome.edges.iter().any(|e| {
                            (e.a as usize, e.b as usize) == (st.from.min(st.to), st.from.max(st.to))
                        })),
                    }
                }
            }
        }
    }
}
