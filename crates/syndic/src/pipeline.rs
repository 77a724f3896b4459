//! The pipeline: one [`Config`] drives the stages in order, each taking and
//! returning plain data.
//!
//! ```text
//! text ─fold─▶ folded text ─boilerplate─▶ Boilerplate (learned from every page's lines)
//! folded text ─sign─▶ body (chrome removed) ─shingle stream─▶ Signature ─▶ band keys
//!      ─exact pre-pass─▶ unique bodies ─lsh─▶ Pair
//!      ─shingle─▶ Evidence (sets + figures, candidates only) ─verify─▶ Edge
//!      ─cluster─▶ representatives ─story─▶ DocOutcome
//! ```
//!
//! The sign stage makes each body's shingle stream and figures in one pass
//! over its tokens, signs the stream, and keeps band keys plus, when the
//! memory limit leaves room for them (about 0.8 bytes per text byte), the
//! stream's set keys and the figures. Exact shingle sets are built afterwards
//! only for the documents that have a candidate pair (and cluster
//! representatives), which is what verification and story grouping read: by
//! sorting the kept keys, or by shingling the body again when they were not
//! kept. Both give the same sets.
//!
//! Bodies that are byte-identical after folding and boilerplate removal are
//! joined by the exact pre-pass and only one of them enters LSH. Bodies too
//! short to shingle (fewer than `min_shingles`) are clustered by exact match
//! only and flagged `short`; they are never dropped.
//!
//! Memory: with [`Resources::memory`] set, texts, folded texts, line hashes, band
//! keys, shingle sets and story vectors each hold a share of the limit in RAM
//! and spill the rest to unlinked temporary files, and documents are
//! processed in batches sized to the limit. What stays in RAM is a fixed
//! state per document (its id and metadata, hashes, cluster bookkeeping).
//! Spilling changes where bytes live, never which bytes: the output is the
//! same with or without a limit.

use crate::cluster::{representatives, Rank, UnionFind};
use crate::corpus::{parse_time, Document, Texts};
use crate::error::{Error, Result};
use crate::lsh::{self, KeyTable, LshParams};
use crate::minhash::{MinHashConfig, MinHasher, Signature};
use crate::shingle::{self, ShingleSet, ShingleSpec, Shingled};
use crate::store::{put_u64s, take_u64s, Blob, Resources, SpillVec};
use crate::story::{self, StoryConfig, TermCounts, TermVector};
use crate::text::boilerplate::{
    group_key, line_hash, Boilerplate, BoilerplateConfig, Profile, ProfileLine,
};
use crate::text::normalize;
use crate::verify::{self, scores, Edge, Evidence, VerifyRule};
use ahash::AHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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

    /// The verification rule these settings describe.
    pub fn verify_rule(&self) -> VerifyRule {
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
    /// Peak resident memory of the process so far (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Whether any store spilled to disk (under `--memory`).
    pub spilled: bool,
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

/// Shares (1/x) of the memory limit held in RAM by each store before it
/// spills: folded texts and their line hashes, band keys,
/// shingle sets, story vectors (texts take [`crate::corpus::TEXT_SHARE`]).
const LINE_SHARE: u64 = 8;
const FOLDED_SHARE: u64 = 4;
const KEY_SHARE: u64 = 8;
const EVIDENCE_SHARE: u64 = 4;
const VECTOR_SHARE: u64 = 8;

/// The boilerplate groups of the documents: an index per document and the
/// group names in order of first appearance.
fn groups(docs: &[Document]) -> (Vec<u32>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut ids: AHashMap<&str, u32> = AHashMap::new();
    let groups = docs
        .iter()
        .map(|d| {
            let key = group_key(d.source.as_deref(), d.url.as_deref());
            *ids.entry(key).or_insert_with(|| {
                names.push(key.to_string());
                names.len() as u32 - 1
            })
        })
        .collect();
    (groups, names)
}

/// How bodies are made: the boilerplate model and each document's group.
struct BodyModel {
    boilerplate: Boilerplate,
    groups: Vec<u32>,
    group_names: Vec<String>,
    /// Every document's folded text and line hashes (fold once, strip
    /// later), in RAM up to its share of the memory limit, then on disk.
    folded: SpillVec<Folded>,
    /// Documents per parallel batch (see [`batch_size`]).
    batch: usize,
}

impl BodyModel {
    /// Folds every document once (keeping the folded texts and their line
    /// profiles in stores that may spill) and learns the boilerplate.
    /// `folded_all()` is called between the two steps (for stage timing).
    fn learn(
        docs: &[Document],
        texts: &Texts,
        config: &Config,
        resources: &Resources,
        folded_all: &mut dyn FnMut(),
    ) -> Result<BodyModel> {
        let (groups, group_names) = groups(docs);
        let n = docs.len();
        let batch = batch_size(texts, n, resources);
        let mut folded: SpillVec<Folded> = SpillVec::new(resources, FOLDED_SHARE);
        let mut lines: SpillVec<Vec<u8>> = SpillVec::new(resources, LINE_SHARE);
        let mut titles: Vec<u64> = Vec::with_capacity(n);
        for start in (0..n).step_by(batch) {
            let made: Vec<(Folded, Profile)> = (start..(start + batch).min(n))
                .into_par_iter()
                .map(|i| {
                    let (mut lines, mut hashes) = (Vec::new(), Vec::new());
                    let text = normalize::normalize_lines(&texts.text(i)?, |line| {
                        let hash = line_hash(line);
                        lines.push(ProfileLine::new(line, hash));
                        hashes.push(hash);
                    });
                    let p = Profile::from_lines(groups[i], docs[i].title.as_deref(), lines);
                    Ok((Folded { text, hashes }, p))
                })
                .collect::<Result<_>>()?;
            for (f, p) in made {
                folded.push(f)?;
                lines.push(p.lines)?;
                titles.push(p.title);
            }
        }
        folded.finish()?;
        lines.finish()?;
        folded_all();
        let profile = |i: usize| {
            Ok(Profile {
                group: groups[i],
                title: titles[i],
                lines: lines.get(i as u32)?.into_owned(),
            })
        };
        // Counters for ~32 lines per document, within the memory limit.
        let sketch = (n * 32).min(resources.budget(LINE_SHARE).unwrap_or(usize::MAX));
        let boilerplate =
            Boilerplate::learn_profiles(n, profile, &config.boilerplate, sketch, batch)?;
        Ok(BodyModel {
            boilerplate,
            groups,
            group_names,
            folded,
            batch,
        })
    }

    /// Writes document `i`'s body into `out` (cleared first) and returns it,
    /// with the length of its whole folded text.
    fn body_into<'b>(&self, i: usize, out: &'b mut String) -> Result<(&'b str, usize)> {
        out.clear();
        let folded = self.folded.get(i as u32)?;
        let group = self.groups[i];
        self.boilerplate
            .strip_hashed_into(group, &folded.text, &folded.hashes, out);
        Ok((out, folded.text.len()))
    }
}

/// A document's folded text and the hash of each of its lines, in order
/// (so that removing boilerplate does not hash them again).
#[derive(Debug, Clone)]
struct Folded {
    text: String,
    hashes: Vec<u64>,
}

impl Blob for Folded {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u64s(out, &self.hashes);
        out.extend_from_slice(self.text.as_bytes());
    }

    fn decode(bytes: &[u8]) -> Folded {
        let (hashes, text) = take_u64s(bytes);
        Folded {
            text: String::from_utf8_lossy(text).into_owned(),
            hashes,
        }
    }
}

/// Documents per parallel batch: what fits in the memory limit, given
/// that a document's text, body and shingle set take about four times its
/// text's size while it is processed.
fn batch_size(texts: &Texts, n: usize, resources: &Resources) -> usize {
    let bytes: usize = (0..n).map(|i| texts.len(i)).sum();
    resources.batch(4 * bytes / n.max(1))
}

/// The article bodies of a corpus: folded text with the learned boilerplate
/// removed (stages `fold` and `boilerplate`), and what was removed per group.
#[derive(Debug, Clone)]
pub struct Bodies {
    /// One body per document: tokens joined by ' ', units by '\n'.
    pub bodies: Vec<String>,
    pub boilerplate_lines: usize,
}

/// Folds every document and removes the boilerplate learned from all of them.
pub fn extract_bodies(docs: &[Document], config: &Config) -> Result<Bodies> {
    let texts = Texts::new(docs);
    let model = BodyModel::learn(docs, &texts, config, &Resources::default(), &mut || {})?;
    let bodies = (0..docs.len())
        .into_par_iter()
        .map_init(String::new, |buf, i| {
            Ok(model.body_into(i, buf)?.0.to_string())
        })
        .collect::<Result<_>>()?;
    Ok(Bodies {
        bodies,
        boilerplate_lines: model.boilerplate.len(),
    })
}

/// The MinHash signature of every document's body (fold, boilerplate,
/// shingle, sign), for storing with [`crate::minhash::write_signatures`].
/// Bodies too short to shingle get an all-`u32::MAX` signature.
pub fn signatures(docs: &[Document], texts: &Texts, config: &Config) -> Result<Vec<Signature>> {
    let signer = Signer::new(config)?;
    let model = BodyModel::learn(docs, texts, config, &Resources::default(), &mut || {})?;
    (0..docs.len())
        .into_par_iter()
        .map_init(String::new, |buf, i| {
            let (body, _) = model.body_into(i, buf)?;
            let sig = signer.sign(body);
            Ok(match sig.short {
                false => sig.whole,
                true => vec![u32::MAX; config.minhash.num_perm],
            })
        })
        .collect()
}

/// Signs bodies: streams their shingles into the whole-body signature and
/// the lead signature (for excerpts) in one pass.
#[derive(Debug, Clone)]
pub struct Signer {
    hasher: MinHasher,
    lead: Option<(MinHasher, LshParams)>,
    params: LshParams,
    spec: ShingleSpec,
    min_shingles: usize,
    lead_shingles: usize,
}

/// The signatures of one body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodySignature {
    pub whole: Signature,
    /// Empty when leads are off (`lead_shingles = 0`).
    pub lead: Signature,
    /// Fewer than `min_shingles` distinct shingles: matched exactly only.
    pub short: bool,
}

impl Signer {
    pub fn new(config: &Config) -> Result<Signer> {
        let lead = match config.lead_shingles {
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
        Ok(Signer {
            hasher: MinHasher::new(config.minhash)?,
            lead,
            params: config.lsh_params()?,
            spec: config.shingle,
            min_shingles: config.min_shingles,
            lead_shingles: config.lead_shingles,
        })
    }

    /// The banding of whole-body signatures.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The banding of lead signatures, if leads are on.
    pub fn lead_params(&self) -> Option<LshParams> {
        self.lead.as_ref().map(|l| l.1)
    }

    pub fn sign(&self, body: &str) -> BodySignature {
        self.sign_into(body, &mut Shingled::default())
    }

    /// [`Signer::sign`], leaving the body's shingle stream and figures in
    /// `shingled`, from which the caller can build the body's
    /// [`Evidence`] without shingling it again.
    pub fn sign_into(&self, body: &str, shingled: &mut Shingled) -> BodySignature {
        shingle::shingle_body(body, self.spec, shingled);
        let shingles = &shingled.stream;
        let mut whole = self.hasher.sketch();
        whole.extend(shingles);
        let lead = self.lead.as_ref().map(|(h, _)| {
            let mut l = h.sketch();
            l.extend(&shingles[..shingles.len().min(self.lead_shingles)]);
            l.finish()
        });
        BodySignature {
            whole: whole.finish(),
            lead: lead.unwrap_or_default(),
            short: !has_distinct(shingles, self.min_shingles),
        }
    }
}

/// Whether `xs` holds at least `limit` distinct values (at least one for a
/// limit of 0), found without building a set.
fn has_distinct(xs: &[u64], limit: usize) -> bool {
    let limit = limit.max(1);
    let mut seen: Vec<u64> = Vec::with_capacity(limit);
    for &x in xs {
        if !seen.contains(&x) {
            seen.push(x);
            if seen.len() >= limit {
                return true;
            }
        }
    }
    false
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
pub fn pair_scores(
    docs: &[Document],
    config: &Config,
    pairs: &[(usize, usize)],
) -> Result<Vec<PairScore>> {
    let bodies = extract_bodies(docs, config)?.bodies;
    let terms: Vec<TermCounts> = bodies.par_iter().map(|b| story::term_counts(b)).collect();
    let idf = story::idf(terms.iter());
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

/// Runs the whole pipeline on `docs`. Deterministic for any thread count.
pub fn run(docs: &[Document], config: &Config) -> Result<Outcome> {
    run_with(
        docs,
        &Texts::new(docs),
        config,
        &Resources::default(),
        &|_| {},
    )
}

/// What the sign stage keeps of each document.
#[derive(Debug, Clone, Copy)]
struct Signed {
    body_hash: u128,
    /// The first document with the same body (itself if none before).
    first: u32,
    short: bool,
    folded: u32,
    body: u32,
}

fn make_evidence(body: &str, spec: ShingleSpec) -> Evidence {
    let mut shingled = Shingled::default();
    shingle::shingle_body(body, spec, &mut shingled);
    Evidence::new(shingled.set(), shingled.figures)
}

fn evidence_of(unsorted: Unsorted) -> Evidence {
    Evidence::new(shingle::into_set(unsorted.keys), unsorted.figures)
}

/// What the sign stage keeps of a body for verification: its shingle keys
/// in text order (sorted into a set only if the body becomes a candidate)
/// and its figures.
struct Unsorted {
    keys: Vec<u32>,
    figures: Vec<(u64, u64)>,
}

impl Unsorted {
    fn of(shingled: &Shingled) -> Unsorted {
        Unsorted {
            keys: shingled.keys(),
            figures: shingled.figures.clone(),
        }
    }
}

/// Shingle sets and figures of the documents that need them, fetched by
/// document index.
struct EvidenceStore {
    slot: Vec<u32>,
    values: SpillVec<Evidence>,
}

impl EvidenceStore {
    fn new(n: usize, resources: &Resources) -> EvidenceStore {
        EvidenceStore {
            slot: vec![u32::MAX; n],
            values: SpillVec::new(resources, EVIDENCE_SHARE),
        }
    }

    /// Makes the evidence of `docs` that is not there yet, in parallel
    /// batches: from a document's shingle stream kept by the sign stage
    /// (taken out of `streams` and sorted in place), else from its body.
    fn add(
        &mut self,
        docs: &[u32],
        streams: &mut [Option<Unsorted>],
        model: &BodyModel,
        spec: ShingleSpec,
    ) -> Result<()> {
        let missing: Vec<u32> = docs
            .iter()
            .copied()
            .filter(|&d| self.slot[d as usize] == u32::MAX)
            .collect();
        for chunk in missing.chunks(model.batch) {
            let sources: Vec<(u32, Option<Unsorted>)> = chunk
                .iter()
                .map(|&d| (d, streams.get_mut(d as usize).and_then(Option::take)))
                .collect();
            let made: Vec<Evidence> = sources
                .into_par_iter()
                .map_init(String::new, |buf, (d, stream)| match stream {
                    Some(s) => Ok(evidence_of(s)),
                    None => Ok(make_evidence(model.body_into(d as usize, buf)?.0, spec)),
                })
                .collect::<Result<_>>()?;
            for (&d, e) in chunk.iter().zip(made) {
                self.slot[d as usize] = self.values.push(e)?;
            }
        }
        self.values.finish()
    }

    fn get(&self, doc: u32) -> Result<Cow<'_, Evidence>> {
        self.values.get(self.slot[doc as usize])
    }

    /// The stored evidence of `doc`, or evidence made now and not kept (for
    /// the few story candidates without a near-duplicate candidate).
    fn get_or_make(
        &self,
        doc: u32,
        model: &BodyModel,
        spec: ShingleSpec,
    ) -> Result<Cow<'_, Evidence>> {
        match self.slot[doc as usize] {
            u32::MAX => {
                let mut buf = String::new();
                let (body, _) = model.body_into(doc as usize, &mut buf)?;
                Ok(Cow::Owned(make_evidence(body, spec)))
            }
            _ => self.get(doc),
        }
    }
}

/// As [`run`], for texts that may be spilled, within `resources`, calling
/// `on_stage(name)` as each stage finishes.
pub fn run_with(
    docs: &[Document],
    texts: &Texts,
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
) -> Result<Outcome> {
    let signer = Signer::new(config)?;
    let params = signer.params();
    let mut timer = Timer {
        stages: Vec::new(),
        last: Instant::now(),
        on_stage,
    };
    let n = docs.len();
    u32::try_from(n).map_err(|_| Error::Config("more than 4 billion documents".into()))?;

    // fold + boilerplate
    let model = BodyModel::learn(docs, texts, config, resources, &mut || timer.lap("fold"))?;
    timer.lap("boilerplate");

    // sign: strip the folded text, stream the shingles into the signatures;
    // the exact pre-pass keeps identical bodies out of LSH.
    let temp_dir = resources.temp_dir.as_deref();
    let key_budget = resources.budget(KEY_SHARE);
    let mut table = KeyTable::new(params.bands, n, key_budget, temp_dir)?;
    let mut lead_table = match signer.lead_params() {
        Some(p) => Some(KeyTable::new(p.bands, n, key_budget, temp_dir)?),
        None => None,
    };
    let mut signed: Vec<Signed> = Vec::with_capacity(n);
    let mut uf = UnionFind::new(n);
    let mut first_with: AHashMap<u128, u32> = AHashMap::with_capacity(n);
    let mut exact_duplicates = 0;
    let batch = model.batch;
    // Shingle keys kept for verification (instead of shingling the
    // candidates' bodies again) when they fit: ~0.8 bytes per text byte.
    let text_bytes: usize = (0..n).map(|i| texts.len(i)).sum();
    let keep_streams = resources
        .budget(EVIDENCE_SHARE)
        .is_none_or(|b| text_bytes / 5 * 4 <= b);
    let mut streams: Vec<Option<Unsorted>> = Vec::new();
    for start in (0..n).step_by(batch) {
        type SignedDoc = (Signed, Vec<u64>, Vec<u64>, Option<Unsorted>);
        let signed_batch: Vec<SignedDoc> = (start..(start + batch).min(n))
            .into_par_iter()
            .map_init(
                || (String::new(), Shingled::default()),
                |(buf, shingled), i| {
                    let (body, folded) = model.body_into(i, buf)?;
                    let sig = signer.sign_into(body, shingled);
                    let short = sig.short;
                    let mut keys = Vec::new();
                    let mut lead_keys = Vec::new();
                    if !short {
                        lsh::band_keys(&sig.whole, params, &mut keys);
                        if let Some(p) = signer.lead_params() {
                            lsh::band_keys(&sig.lead, p, &mut lead_keys);
                        }
                    }
                    let s = Signed {
                        body_hash: xxh3_128(body.as_bytes()),
                        first: i as u32,
                        short,
                        folded: folded as u32,
                        body: body.len() as u32,
                    };
                    let keep = (keep_streams && !short).then(|| Unsorted::of(shingled));
                    Ok((s, keys, lead_keys, keep))
                },
            )
            .collect::<Result<_>>()?;
        for (mut s, keys, lead_keys, shingled) in signed_batch {
            let i = signed.len() as u32;
            let mut stream = None;
            match first_with.get(&s.body_hash) {
                Some(&j) => {
                    uf.union(j, i);
                    s.first = j;
                    exact_duplicates += 1;
                }
                None => {
                    first_with.insert(s.body_hash, i);
                    if !s.short {
                        table.push(i, &keys)?;
                        if let Some(t) = &mut lead_table {
                            t.push(i, &lead_keys)?;
                        }
                        stream = shingled;
                    }
                }
            }
            if keep_streams {
                streams.push(stream);
            }
            signed.push(s);
        }
    }
    drop(first_with);
    timer.lap("sign");

    let mut spilled = texts.spilled() || model.folded.spilled() || table.spilled();
    // lsh
    let mut pairs = table.candidates(config.max_bucket)?;
    if let Some(t) = lead_table {
        pairs = lsh::merge_pairs(pairs, t.candidates(config.max_bucket)?);
    }
    timer.lap("lsh");

    // shingle sets of the candidates only
    let mut evidence = EvidenceStore::new(n, resources);
    let mut in_pairs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    in_pairs.par_sort_unstable();
    in_pairs.dedup();
    evidence.add(&in_pairs, &mut streams, &model, config.shingle)?;
    drop(in_pairs);
    drop(streams);
    timer.lap("shingle");

    // verify
    let edges = verify::verify(&pairs, |d| evidence.get(d), &config.verify_rule())?;
    timer.lap("verify");

    // cluster
    for e in &edges {
        uf.union(e.a, e.b);
    }
    let roots = uf.roots();
    let ranks: Vec<Rank> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| Rank {
            published: d.published.as_deref().and_then(parse_time),
            length: texts.len(i),
            id: &d.id,
        })
        .collect();
    let reps = representatives(&roots, &ranks);
    timer.lap("cluster");

    // story
    let cluster_reps: Vec<u32> = (0..n as u32).filter(|&i| reps[i as usize] == i).collect();
    let centers = match config.story.enabled {
        true => {
            let vectors = story_vectors(&cluster_reps, &model, resources)?;
            spilled |= vectors.spilled();
            let published: Vec<Option<i64>> = cluster_reps
                .iter()
                .map(|&r| ranks[r as usize].published)
                .collect();
            story::group(
                &published,
                |k| vectors.get(k as u32),
                |k| evidence.get_or_make(cluster_reps[k], &model, config.shingle),
                &config.story,
            )?
        }
        false => (0..cluster_reps.len() as u32).collect(),
    };
    let center_of_doc: Vec<u32> = {
        let mut by_rep: Vec<u32> = (0..n as u32).collect();
        for (k, &r) in cluster_reps.iter().enumerate() {
            by_rep[r as usize] = cluster_reps[centers[k] as usize];
        }
        by_rep
    };
    let story_reps = representatives(&center_of_doc, &ranks);
    timer.lap("story");

    let outcomes: Vec<DocOutcome> = (0..n)
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
        .collect::<Result<_>>()?;
    let stories = (0..n)
        .filter(|&i| story_reps[i] as usize == i && reps[i] as usize == i)
        .count();
    timer.lap("output");

    spilled |= evidence.values.spilled();
    let clusters = outcomes
        .iter()
        .enumerate()
        .filter(|(i, o)| o.representative as usize == *i)
        .count();
    let mut per_group: Vec<BoilerplateGroup> = model
        .group_names
        .iter()
        .map(|g| BoilerplateGroup {
            group: g.clone(),
            documents: 0,
            folded_bytes: 0,
            removed_bytes: 0,
        })
        .collect();
    for (s, &g) in signed.iter().zip(&model.groups) {
        let entry = &mut per_group[g as usize];
        entry.documents += 1;
        entry.folded_bytes += s.folded as u64;
        entry.removed_bytes += s.folded.saturating_sub(s.body) as u64;
    }
    per_group.retain(|g| g.removed_bytes > 0);
    per_group.sort_by(|a, b| {
        b.removed_bytes
            .cmp(&a.removed_bytes)
            .then_with(|| a.group.cmp(&b.group))
    });
    let summary = Summary {
        documents: n,
        bytes: (0..n).map(|i| texts.len(i) as u64).sum(),
        clusters,
        stories,
        duplicates: n - clusters,
        exact_duplicates,
        short_documents: signed.iter().filter(|s| s.short).count(),
        candidates: pairs.len(),
        edges: edges.len(),
        bands: params.bands,
        rows: params.rows,
        p_candidate: [0.5, 0.7, 0.8, 0.9]
            .iter()
            .map(|&s| (s, params.p_candidate(s)))
            .collect(),
        boilerplate_lines: model.boilerplate.len(),
        boilerplate_removed: per_group,
        stage_seconds: timer.stages,
        peak_rss_bytes: crate::store::peak_rss(),
        spilled,
    };
    Ok(Outcome {
        docs: outcomes,
        edges,
        summary,
    })
}

/// The TF-IDF vector of each cluster representative, with document
/// frequencies counted over the representatives: one pass makes the term
/// counts (kept in a store that may spill) and the frequencies, a second
/// turns the counts into vectors.
fn story_vectors(
    reps: &[u32],
    model: &BodyModel,
    resources: &Resources,
) -> Result<SpillVec<TermVector>> {
    let mut counts: SpillVec<TermCounts> = SpillVec::new(resources, VECTOR_SHARE);
    let mut df: AHashMap<u64, u32> = AHashMap::new();
    for chunk in reps.chunks(model.batch) {
        let made: Vec<TermCounts> = chunk
            .par_iter()
            .map_init(String::new, |buf, &r| {
                Ok(story::term_counts(model.body_into(r as usize, buf)?.0))
            })
            .collect::<Result<_>>()?;
        for c in made {
            for &(t, _) in &c {
                *df.entry(t).or_insert(0) += 1;
            }
            counts.push(c)?;
        }
    }
    counts.finish()?;
    let idf = story::idf_from_df(&df, reps.len());
    drop(df);
    let mut vectors = SpillVec::new(resources, VECTOR_SHARE);
    let ids: Vec<u32> = (0..reps.len() as u32).collect();
    for chunk in ids.chunks(model.batch) {
        let made: Vec<TermVector> = chunk
            .par_iter()
            .map(|&k| Ok(story::vector(counts.get(k)?.as_ref(), &idf)))
            .collect::<Result<_>>()?;
        for v in made {
            vectors.push(v)?;
        }
    }
    vectors.finish()?;
    Ok(vectors)
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
        if let Some(rss) = self.peak_rss_bytes {
            let _ = writeln!(
                s,
                "memory: peak {:.0} MB{}",
                rss as f64 / 1e6,
                if self.spilled {
                    ", spilled to disk"
                } else {
                    ""
                }
            );
        }
        s
    }
}
