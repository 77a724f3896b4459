//! The pipeline: one [`Config`] drives the stages in order, each taking and
//! returning plain data.
//!
//! ```text
//! Document ─fold─▶ folded text ─boilerplate─▶ body ─shingle─▶ ShingleSet
//!    ─exact pre-pass─▶ unique bodies ─sign─▶ Signature ─lsh─▶ Pair
//!    ─verify─▶ Edge ─cluster─▶ DocOutcome (cluster, representative, similarity)
//! ```
//!
//! Bodies that are byte-identical after folding and boilerplate removal are
//! joined by the exact pre-pass and only one of them enters LSH. Bodies too
//! short to shingle (fewer than `min_shingles`) are clustered by exact match
//! only and flagged `short`; they are never dropped.

use crate::cluster::{representatives, Rank, UnionFind};
use crate::corpus::{parse_time, Document};
use crate::error::{Error, Result};
use crate::lsh::{self, LshParams};
use crate::minhash::{MinHashConfig, MinHasher, Signature};
use crate::shingle::{self, ShingleSpec};
use crate::story::{self, StoryConfig, StoryInput, TermCounts, TermVector};
use crate::text::boilerplate::{group_key, Boilerplate, BoilerplateConfig, PageRef};
use crate::text::normalize;
use crate::verify::{self, scores, Edge, Evidence, VerifyRule};
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};
use xxhash_rust::xxh3::xxh3_128;

/// P(candidate) the automatic banding must reach at `near_threshold`.
const NEAR_RECALL: f64 = 0.95;

/// Everything that decides the result of a run. Loadable from TOML
/// (`--config file.toml`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `word:N` or `char:N`.
    pub shingle: ShingleSpec,
    /// Bodies with fewer distinct shingles are matched exactly only.
    pub min_shingles: usize,
    pub minhash: MinHashConfig,
    /// Jaccard threshold of a near-duplicate.
    pub threshold: f64,
    /// Containment threshold (an excerpt inside its full story); > 1 disables.
    pub containment: f64,
    /// Minimum shingles of the smaller document for containment to count.
    pub min_contained: usize,
    /// Lower Jaccard accepted for same-length copies (edited, OCR-noisy);
    /// the banding is chosen for this threshold. Set equal to `threshold` to disable.
    pub near_threshold: f64,
    /// Size ratio (smaller / larger) required by the `near_threshold` rule.
    pub near_size_ratio: f64,
    /// Share of the smaller document's numbers that the other must contain.
    pub numbers: f64,
    /// Length of the lead (first shingles) indexed to find excerpts; 0 disables.
    pub lead_shingles: usize,
    /// Signature length of the lead.
    pub lead_num_perm: usize,
    /// Explicit banding; both or neither. Default: chosen from the threshold.
    pub bands: Option<usize>,
    pub rows: Option<usize>,
    /// P(candidate) at the threshold that the automatic banding must reach.
    pub target_recall: f64,
    /// In an LSH bucket, each document is paired with at most this many others.
    pub max_bucket: usize,
    pub boilerplate: BoilerplateConfig,
    pub story: StoryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            shingle: ShingleSpec::default(),
            min_shingles: 5,
            minhash: MinHashConfig::default(),
            threshold: 0.8,
            containment: 0.8,
            min_contained: 40,
            near_threshold: 0.45,
            near_size_ratio: 0.75,
            numbers: 0.5,
            lead_shingles: 64,
            lead_num_perm: 32,
            bands: None,
            rows: None,
            target_recall: 0.995,
            max_bucket: 256,
            boilerplate: BoilerplateConfig::default(),
            story: StoryConfig::default(),
        }
    }
}

impl Config {
    /// Loads a TOML configuration file.
    pub fn from_toml_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| Error::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// The banding used for this configuration.
    pub fn lsh_params(&self) -> Result<LshParams> {
        let params = match (self.bands, self.rows) {
            (Some(bands), Some(rows)) => LshParams { bands, rows },
            (None, None) => {
                let main = LshParams::for_threshold(
                    self.threshold,
                    self.minhash.num_perm,
                    self.target_recall,
                )?;
                let near = LshParams::for_threshold(
                    self.near_threshold,
                    self.minhash.num_perm,
                    NEAR_RECALL,
                )?;
                if near.rows < main.rows {
                    near
                } else {
                    main
                }
            }
            _ => return Err(Error::Config("give both bands and rows, or neither".into())),
        };
        params.validate(self.minhash.num_perm)?;
        Ok(params)
    }

    fn verify_rule(&self) -> VerifyRule {
        VerifyRule {
            jaccard: self.threshold,
            containment: self.containment,
            min_contained: self.min_contained.max(self.min_shingles),
            near: self.near_threshold.min(self.threshold),
            near_size_ratio: self.near_size_ratio,
            numbers: self.numbers,
        }
    }
}

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

/// What happened in a run, for the stderr summary and `--stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub bytes: u64,
    pub clusters: usize,
    pub stories: usize,
    pub duplicates: usize,
    pub exact_duplicates: usize,
    pub short_documents: usize,
    pub candidates: usize,
    pub edges: usize,
    pub bands: usize,
    pub rows: usize,
    /// P(candidate) at Jaccard 0.5, 0.7, 0.8, 0.9.
    pub p_candidate: Vec<(f64, f64)>,
    pub boilerplate_lines: usize,
    /// Per boilerplate group: (group, documents, bytes folded, bytes removed), largest first.
    pub boilerplate_removed: Vec<BoilerplateGroup>,
    /// Wall time per stage in seconds, in pipeline order.
    pub stage_seconds: Vec<(String, f64)>,
}

/// Boilerplate removed in one group (source, host, or the whole corpus).
#[derive(Debug, Clone, Serialize)]
pub struct BoilerplateGroup {
    pub group: String,
    pub documents: usize,
    pub folded_bytes: u64,
    pub removed_bytes: u64,
}

/// The output of [`run`].
#[derive(Debug, Clone)]
pub struct Outcome {
    pub docs: Vec<DocOutcome>,
    pub edges: Vec<Edge>,
    pub summary: Summary,
}

/// Times the stages and tells an observer when each one ends.
struct Timer<'a> {
    stages: Vec<(String, f64)>,
    last: Instant,
    on_stage: &'a dyn Fn(&str),
}

impl Timer<'_> {
    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        let d: Duration = now - self.last;
        self.stages.push((stage.to_string(), d.as_secs_f64()));
        self.last = now;
        (self.on_stage)(stage);
    }
}

/// The article bodies of a corpus: folded text with the learned boilerplate
/// removed (stages `fold` and `boilerplate`), and what was removed per group.
#[derive(Debug, Clone)]
pub struct Bodies {
    /// One body per document: tokens joined by ' ', units by '\n'.
    pub bodies: Vec<String>,
    pub boilerplate_lines: usize,
    /// Every group (source, host or corpus), in order of first appearance.
    pub per_group: Vec<BoilerplateGroup>,
}

/// Folds every document and removes the boilerplate learned from all of them.
pub fn extract_bodies(docs: &[Document], config: &Config) -> Bodies {
    let mut timer = Timer {
        stages: Vec::new(),
        last: Instant::now(),
        on_stage: &|_| {},
    };
    bodies_timed(docs, config, &mut timer)
}

fn bodies_timed(docs: &[Document], config: &Config, timer: &mut Timer) -> Bodies {
    let mut group_names: Vec<String> = Vec::new();
    let mut group_ids: AHashMap<&str, u32> = AHashMap::new();
    let groups: Vec<u32> = docs
        .iter()
        .map(|d| {
            let key = group_key(d.source.as_deref(), d.url.as_deref());
            *group_ids.entry(key).or_insert_with(|| {
                group_names.push(key.to_string());
                group_names.len() as u32 - 1
            })
        })
        .collect();
    let folded: Vec<(String, Option<String>)> = docs
        .par_iter()
        .map(|d| (normalize(&d.text), d.title.as_deref().map(normalize)))
        .collect();
    timer.lap("fold");

    let pages: Vec<PageRef> = folded
        .iter()
        .zip(&groups)
        .map(|((f, t), &group)| PageRef {
            group,
            folded: f,
            title: t.as_deref(),
        })
        .collect();
    let boilerplate = Boilerplate::learn(&pages, &config.boilerplate);
    let bodies: Vec<String> = pages
        .par_iter()
        .map(|p| boilerplate.strip(p.group, p.folded))
        .collect();
    let mut per_group: Vec<BoilerplateGroup> = group_names
        .iter()
        .map(|g| BoilerplateGroup {
            group: g.clone(),
            documents: 0,
            folded_bytes: 0,
            removed_bytes: 0,
        })
        .collect();
    for ((p, body), &g) in pages.iter().zip(&bodies).zip(&groups) {
        let entry = &mut per_group[g as usize];
        entry.documents += 1;
        entry.folded_bytes += p.folded.len() as u64;
        entry.removed_bytes += (p.folded.len().saturating_sub(body.len())) as u64;
    }
    timer.lap("boilerplate");
    Bodies {
        bodies,
        boilerplate_lines: boilerplate.len(),
        per_group,
    }
}

/// The MinHash signature of every document's body (fold, boilerplate,
/// shingle, sign), for storing with [`crate::minhash::write_signatures`].
/// Bodies too short to shingle get an all-`u32::MAX` signature.
pub fn signatures(docs: &[Document], config: &Config) -> Result<Vec<Signature>> {
    let hasher = MinHasher::new(config.minhash)?;
    let bodies = extract_bodies(docs, config).bodies;
    Ok(bodies
        .par_iter()
        .map(|b| {
            let set = shingle::shingle(b, config.shingle);
            match set.len() < config.min_shingles.max(1) {
                true => vec![u32::MAX; config.minhash.num_perm],
                false => hasher.sign(&set),
            }
        })
        .collect())
}

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
pub fn pair_scores(docs: &[Document], config: &Config, pairs: &[(usize, usize)]) -> Vec<PairScore> {
    let bodies = extract_bodies(docs, config).bodies;
    let terms: Vec<TermCounts> = bodies.par_iter().map(|b| story::term_counts(b)).collect();
    let idf = story::idf(terms.iter());
    let mut needed: Vec<usize> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let prepared: AHashMap<usize, (Vec<u64>, TermVector)> = needed
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
    pairs
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
        .collect()
}

/// Runs the whole pipeline on `docs`. Deterministic for any thread count.
pub fn run(docs: &[Document], config: &Config) -> Result<Outcome> {
    run_with_progress(docs, config, &|_| {})
}

/// As [`run`], calling `on_stage(name)` as each stage finishes.
pub fn run_with_progress(
    docs: &[Document],
    config: &Config,
    on_stage: &dyn Fn(&str),
) -> Result<Outcome> {
    let params = config.lsh_params()?;
    let hasher = MinHasher::new(config.minhash)?;
    let lead_hasher = match config.lead_shingles {
        0 => None,
        _ => {
            let lead = MinHashConfig {
                num_perm: config.lead_num_perm,
                ..config.minhash
            };
            let lead_params =
                LshParams::for_threshold(0.7, config.lead_num_perm, config.target_recall)?;
            Some((MinHasher::new(lead)?, lead_params))
        }
    };
    let mut timer = Timer {
        stages: Vec::new(),
        last: Instant::now(),
        on_stage,
    };
    let n = docs.len();
    u32::try_from(n).map_err(|_| Error::Config("more than 4 billion documents".into()))?;

    let Bodies {
        bodies,
        boilerplate_lines,
        mut per_group,
    } = bodies_timed(docs, config, &mut timer);

    // shingle
    let evidence: Vec<Evidence> = bodies
        .par_iter()
        .map(|b| Evidence::new(shingle::shingle(b, config.shingle), shingle::figures(b)))
        .collect();
    let short: Vec<bool> = evidence
        .iter()
        .map(|e| e.shingles.len() < config.min_shingles.max(1))
        .collect();
    timer.lap("shingle");

    // exact pre-pass
    let body_hashes: Vec<u128> = bodies.par_iter().map(|b| xxh3_128(b.as_bytes())).collect();
    let mut uf = UnionFind::new(n);
    let mut first_with: AHashMap<u128, u32> = AHashMap::with_capacity(n);
    let mut unique: Vec<u32> = Vec::new();
    let mut exact_duplicates = 0;
    for (i, &h) in body_hashes.iter().enumerate() {
        match first_with.get(&h) {
            Some(&j) => {
                uf.union(j, i as u32);
                exact_duplicates += 1;
            }
            None => {
                first_with.insert(h, i as u32);
                if !short[i] {
                    unique.push(i as u32);
                }
            }
        }
    }
    timer.lap("exact");

    // sign: the whole body, and its lead (to find excerpts)
    let mut signatures: Vec<Signature> = vec![Vec::new(); n];
    let mut leads: Vec<Signature> = vec![Vec::new(); n];
    let signed: Vec<(u32, Signature, Signature)> = unique
        .par_iter()
        .map(|&i| {
            let whole = hasher.sign(&evidence[i as usize].shingles);
            let lead = match &lead_hasher {
                Some((h, _)) => h.sign(&shingle::lead(
                    &bodies[i as usize],
                    config.shingle,
                    config.lead_shingles,
                )),
                None => Vec::new(),
            };
            (i, whole, lead)
        })
        .collect();
    for (i, whole, lead) in signed {
        signatures[i as usize] = whole;
        leads[i as usize] = lead;
    }
    timer.lap("sign");

    // lsh
    let mut pairs = lsh::candidates(&signatures, &unique, params, config.max_bucket);
    if let Some((_, lead_params)) = &lead_hasher {
        pairs.extend(lsh::candidates(
            &leads,
            &unique,
            *lead_params,
            config.max_bucket,
        ));
        pairs.par_sort_unstable();
        pairs.dedup();
    }
    drop(signatures);
    drop(leads);
    timer.lap("lsh");

    // verify
    let edges = verify::verify(&pairs, &evidence, &config.verify_rule());
    timer.lap("verify");

    // cluster
    for e in &edges {
        uf.union(e.a, e.b);
    }
    let roots = uf.roots();
    let ranks: Vec<Rank> = docs
        .iter()
        .map(|d| Rank {
            published: d.published.as_deref().and_then(parse_time),
            length: d.text.len(),
            id: &d.id,
        })
        .collect();
    let reps = representatives(&roots, &ranks);
    timer.lap("cluster");

    // story
    let cluster_reps: Vec<u32> = (0..n as u32).filter(|&i| reps[i as usize] == i).collect();
    // Only representatives are compared, and document frequencies are counted
    // over clusters, so only their terms are needed.
    let terms: Vec<TermCounts> = match config.story.enabled {
        true => cluster_reps
            .par_iter()
            .map(|&r| story::term_counts(&bodies[r as usize]))
            .collect(),
        false => vec![Vec::new(); cluster_reps.len()],
    };
    drop(bodies);
    let idf = story::idf(terms.iter());
    let vectors: Vec<TermVector> = terms.par_iter().map(|t| story::vector(t, &idf)).collect();
    drop(terms);
    let inputs: Vec<StoryInput> = cluster_reps
        .iter()
        .zip(&vectors)
        .map(|(&r, vector)| StoryInput {
            vector,
            shingles: &evidence[r as usize].shingles,
            figures: &evidence[r as usize].figures,
            published: ranks[r as usize].published,
        })
        .collect();
    let centers = story::group(&inputs, &config.story);
    let center_of_doc: Vec<u32> = {
        let mut by_rep: Vec<u32> = (0..n as u32).collect();
        for (k, &r) in cluster_reps.iter().enumerate() {
            by_rep[r as usize] = cluster_reps[centers[k] as usize];
        }
        by_rep
    };
    let story_reps = representatives(&center_of_doc, &ranks);
    let outcomes: Vec<DocOutcome> = (0..n)
        .into_par_iter()
        .map(|i| {
            let r = reps[i] as usize;
            let (similarity, containment) = if r == i {
                (None, None)
            } else if body_hashes[i] == body_hashes[r] {
                (Some(1.0), Some(1.0))
            } else {
                let (j, c) = scores(&evidence[i].shingles, &evidence[r].shingles);
                (Some(j as f32), Some(c as f32))
            };
            DocOutcome {
                representative: r as u32,
                similarity,
                containment,
                short: short[i],
                story: story_reps[r],
            }
        })
        .collect();
    let stories = (0..n)
        .filter(|&i| story_reps[i] as usize == i && reps[i] as usize == i)
        .count();
    timer.lap("story");

    let clusters = outcomes
        .iter()
        .enumerate()
        .filter(|(i, o)| o.representative as usize == *i)
        .count();
    per_group.retain(|g| g.removed_bytes > 0);
    per_group.sort_by(|a, b| {
        b.removed_bytes
            .cmp(&a.removed_bytes)
            .then_with(|| a.group.cmp(&b.group))
    });
    let summary = Summary {
        documents: n,
        bytes: docs.iter().map(|d| d.text.len() as u64).sum(),
        clusters,
        stories,
        duplicates: n - clusters,
        exact_duplicates,
        short_documents: short.iter().filter(|&&s| s).count(),
        candidates: pairs.len(),
        edges: edges.len(),
        bands: params.bands,
        rows: params.rows,
        p_candidate: [0.5, 0.7, 0.8, 0.9]
            .iter()
            .map(|&s| (s, params.p_candidate(s)))
            .collect(),
        boilerplate_lines,
        boilerplate_removed: per_group,
        stage_seconds: timer.stages,
    };
    Ok(Outcome {
        docs: outcomes,
        edges,
        summary,
    })
}

impl Summary {
    /// A human-readable report for stderr.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "syndic: {} documents ({:.1} MB), {} clusters in {} stories, {} duplicates ({} exact), {} too short to shingle",
            self.documents,
            self.bytes as f64 / 1e6,
            self.clusters,
            self.stories,
            self.duplicates,
            self.exact_duplicates,
            self.short_documents
        );
        let p: Vec<String> = self
            .p_candidate
            .iter()
            .map(|(s, p)| format!("P({s})={p:.3}"))
            .collect();
        let _ = writeln!(
            s,
            "lsh: {} bands x {} rows, {}; {} candidate pairs, {} verified edges",
            self.bands,
            self.rows,
            p.join(" "),
            self.candidates,
            self.edges
        );
        if self.boilerplate_lines > 0 {
            let top: Vec<String> = self
                .boilerplate_removed
                .iter()
                .take(5)
                .map(|g| {
                    let name = if g.group.is_empty() {
                        "(corpus)"
                    } else {
                        &g.group
                    };
                    format!(
                        "{name} {:.0}%",
                        100.0 * g.removed_bytes as f64 / g.folded_bytes.max(1) as f64
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "boilerplate: {} lines learned; removed per source: {}{}",
                self.boilerplate_lines,
                top.join(", "),
                if self.boilerplate_removed.len() > 5 {
                    ", ..."
                } else {
                    ""
                }
            );
        }
        let stages: Vec<String> = self
            .stage_seconds
            .iter()
            .map(|(k, v)| format!("{k} {:.3}s", v))
            .collect();
        let _ = writeln!(s, "time: {}", stages.join(", "));
        s
    }
}
