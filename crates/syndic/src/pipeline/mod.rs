//! The pipeline: one [`Config`] drives the stages in order, each a kernel
//! in its own file taking and returning plain data.
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
//! memory limit leaves room for them (at most about 0.8 bytes per text
//! byte), the stream's set, packed (`crate::packed`), and the figures.
//! Exact shingle sets are unpacked afterwards only for the documents that
//! have a candidate pair (and cluster representatives), which is what
//! verification and story grouping read, or made by shingling the body
//! again when they were not kept. Both give the same sets.
//!
//! | stage | file | in | out |
//! |---|---|---|---|
//! | fold | [`fold`] | texts | [`fold::FoldedCorpus`]: folded texts, line hashes, line profiles |
//! | boilerplate | [`fold`] | line profiles | [`Boilerplate`] (a global model: learn once, broadcast) |
//! | sign | [`sign`] | [`fold::BodyModel`] | signatures, band-key tables, exact-duplicate unions |
//! | lsh | [`crate::lsh`] | band-key tables | candidate [`crate::lsh::Pair`]s |
//! | shingle | `evidence.rs` | candidates | exact shingle sets and figures ([`Evidence`](crate::verify::Evidence)) |
//! | verify | [`crate::verify`] | candidates, evidence, [`crate::verify::VerifyRule`] | [`Edge`]s |
//! | cluster | [`crate::cluster`] | edges, ranks | each document's cluster representative |
//! | story | [`stories`] | cluster representatives (df counted over them) | each document's story representative |
//! | output | `output.rs` | representatives, edges | [`DocOutcome`]s |
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
//! same with or without a limit. No stage after `fold` reads the texts
//! (only their lengths): a caller done with them may free them between
//! [`fold_stage`] and [`run_folded`], or fold them as it reads
//! ([`fold::Folder`], [`fold_stage_from`]), as `syndic cluster` does, so
//! that a corpus's texts and folded texts are never all held together.

mod config;
mod evidence;
pub(crate) use evidence::{make_evidence, EvidenceStore};
pub mod fold;
mod output;
mod score;
pub mod sign;
pub mod stories;
mod summary;

pub use config::Config;
pub use fold::{extract_bodies, Bodies, BodyModel};
pub use output::{DocOutcome, Outcome};
pub use score::{pair_scores, PairScore};
pub use sign::{signatures, BodySignature, Signer};
pub use summary::{BoilerplateGroup, Summary};

use crate::cluster::{self, Rank};
use crate::corpus::{parse_time, Document, Texts};
use crate::error::{Error, Result};
use crate::lsh;
use crate::store::Resources;
use crate::text::boilerplate::Boilerplate;
use crate::verify::{self, Edge};
use std::time::Instant;

/// Shares (1/x) of the memory limit held in RAM by each store before it
/// spills: line profiles, folded texts and their line hashes, band keys,
/// shingle sets, story vectors (texts take [`crate::corpus::TEXT_SHARE`]).
const LINE_SHARE: u64 = 8;
const FOLDED_SHARE: u64 = 4;
const KEY_SHARE: u64 = 8;
const EVIDENCE_SHARE: u64 = 4;
const VECTOR_SHARE: u64 = 8;

/// Times the stages and tells an observer when each one ends.
struct Timer<'a> {
    stages: Vec<(String, f64)>,
    last: Instant,
    on_stage: &'a dyn Fn(&str),
}

impl Timer<'_> {
    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.stages
            .push((stage.to_string(), (now - self.last).as_secs_f64()));
        self.last = now;
        (self.on_stage)(stage);
    }

    /// Ends `stage`, of which the last `inner` seconds were stage `name`'s
    /// (a step the stage driver timed itself): both are recorded.
    fn lap_split(&mut self, stage: &str, name: &str, inner: f64) {
        let now = Instant::now();
        let total = (now - self.last).as_secs_f64();
        let inner = inner.min(total);
        self.stages.push((stage.to_string(), total - inner));
        self.stages.push((name.to_string(), inner));
        self.last = now;
        (self.on_stage)(stage);
        (self.on_stage)(name);
    }
}

/// Runs the whole pipeline on `docs`. Deterministic for any thread count.
///
/// ```
/// use syndic::{Config, Document};
/// let story = "The harbour bridge will close for repairs on Monday, the city council said, \
///              and traffic will be diverted through the old town for six weeks.";
/// let docs = vec![
///     Document::new("a", story),
///     Document::new("b", format!("{story} Subscribe to our newsletter.")),
///     Document::new("c", "Frost hit the vineyards of the valley overnight, growers said on Friday."),
/// ];
/// let outcome = syndic::run(&docs, &Config::default())?;
/// // a and b are one cluster; without dates the longer page represents it
/// assert_eq!(outcome.docs[0].representative, 1);
/// assert_eq!(outcome.docs[2].representative, 2); // c stands alone
/// # Ok::<(), syndic::Error>(())
/// ```
pub fn run(docs: &[Document], config: &Config) -> Result<Outcome> {
    run_with(
        docs,
        &Texts::new(docs),
        config,
        &Resources::default(),
        &|_| {},
    )
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
    run_core(docs, texts, config, resources, on_stage, None)
}

/// The boilerplate lines of each group (source, URL host, or `""`), by
/// group name: a model learned elsewhere (by a distributed run, from the
/// whole corpus) and given to [`cluster_with_model`].
pub type GroupLines = ahash::AHashMap<String, Vec<u64>>;

/// A [`GroupLines`] model from `(group name, line hash)` pairs.
pub fn group_lines(pairs: impl IntoIterator<Item = (String, u64)>) -> GroupLines {
    let mut lines = GroupLines::default();
    for (group, line) in pairs {
        lines.entry(group).or_default().push(line);
    }
    lines
}

/// The lines of `model` for the groups named in `groups` (name, number),
/// as a [`Boilerplate`] in those numbers.
pub fn boilerplate_in<'a>(
    model: &GroupLines,
    groups: impl IntoIterator<Item = (&'a str, u32)>,
) -> Boilerplate {
    Boilerplate::from_lines(
        groups
            .into_iter()
            .flat_map(|(name, g)| model.get(name).into_iter().flatten().map(move |&h| (g, h))),
    )
}

/// Bodies of pages under a model learned elsewhere ([`GroupLines`]): each
/// page's group is found from its source or URL, as the pipeline finds it.
/// The Spark kernels make bodies this way, one batch of rows at a time.
pub struct ModelBodies {
    boilerplate: Boilerplate,
    group: Vec<u32>,
}

impl ModelBodies {
    /// The bodies of pages whose `(source, url)` are `pages`, in order.
    pub fn new<'a>(
        model: &GroupLines,
        pages: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> ModelBodies {
        let mut index: ahash::AHashMap<&str, u32> = ahash::AHashMap::new();
        let group: Vec<u32> = pages
            .into_iter()
            .map(|(source, url)| {
                let key = crate::text::boilerplate::group_key(source, url);
                let n = index.len() as u32;
                *index.entry(key).or_insert(n)
            })
            .collect();
        let boilerplate = boilerplate_in(model, index.iter().map(|(name, &g)| (*name, g)));
        ModelBodies { boilerplate, group }
    }

    /// Page `k`'s body (folded, boilerplate removed) from its `text`.
    pub fn body(&self, k: usize, text: &str) -> String {
        self.boilerplate.body(self.group[k], text)
    }
}

/// Publication time and rank of a document, as the pipeline ranks it.
pub fn rank_of(doc: &Document) -> Rank<'_> {
    Rank {
        published: doc.published.as_deref().and_then(parse_time),
        length: doc.text.len(),
        id: &doc.id,
    }
}

/// Clusters `docs` as [`run`] does, but under a boilerplate model learned
/// elsewhere (`model`) and without grouping stories (each document's story
/// is its cluster's representative). A distributed run calls it on each
/// component of the candidate graph, with the model of the whole corpus:
/// every LSH bucket lies inside one component and keeps its order, so the
/// component's candidates, edges and clusters are the whole run's.
pub fn cluster_with_model(
    docs: &[Document],
    config: &Config,
    model: &GroupLines,
) -> Result<Outcome> {
    let mut config = config.clone();
    config.story.enabled = false;
    let texts = Texts::new(docs);
    run_core(
        docs,
        &texts,
        &config,
        &Resources::default(),
        &|_| {},
        Some(model),
    )
}

/// The pipeline; the boilerplate is learned from `docs` unless `given`.
fn run_core(
    docs: &[Document],
    texts: &Texts,
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
    given: Option<&GroupLines>,
) -> Result<Outcome> {
    let folded = fold_stage(docs, texts, config, resources, on_stage)?;
    run_after_fold(docs, folded, config, resources, on_stage, given)
}

/// The output of stage `fold` ([`fold_stage`]) and all the later stages
/// need of the texts (their lengths, whether they were spilled): a caller
/// that will not need the texts again may free them before
/// [`run_folded`] runs the rest. `syndic cluster` does (it never writes
/// texts back), which lowers its peak memory by the size of the texts.
pub struct FoldStage {
    folded: fold::FoldedCorpus,
    lengths: Vec<usize>,
    texts_spilled: bool,
    batch: usize,
    stages: Vec<(String, f64)>,
    last: Instant,
}

/// What a run refuses before any stage: settings out of range, or more
/// documents than the stages number.
fn check_run(docs: &[Document], config: &Config) -> Result<()> {
    config.validate()?;
    u32::try_from(docs.len()).map_err(|_| Error::Config("more than 4 billion documents".into()))?;
    Ok(())
}

/// Stage `fold` of [`run_with`]; [`run_folded`] runs the rest:
/// `run_folded(docs, fold_stage(docs, texts, ..)?, ..)` is `run_with`.
pub fn fold_stage(
    docs: &[Document],
    texts: &Texts,
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
) -> Result<FoldStage> {
    check_run(docs, config)?;
    let mut timer = Timer {
        stages: Vec::new(),
        last: Instant::now(),
        on_stage,
    };
    let lengths: Vec<usize> = (0..texts.len()).map(|i| texts.text_len(i)).collect();
    let batch = fold::batch_for(&lengths, resources);
    let folded = fold::fold(docs, texts, fold::groups(docs), resources, batch)?;
    timer.lap("fold");
    Ok(FoldStage {
        folded,
        lengths,
        texts_spilled: texts.spilled(),
        batch,
        stages: timer.stages,
        last: timer.last,
    })
}

/// Stage `fold` done while reading ([`fold::Folder`]): the same
/// [`FoldStage`] as [`fold_stage`] on the documents as read, whose texts
/// the folder freed. `docs` still hold their sources and URLs (the
/// boilerplate groups). The stage's time is the time spent folding.
pub fn fold_stage_from(
    folder: fold::Folder,
    docs: &[Document],
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
) -> Result<FoldStage> {
    check_run(docs, config)?;
    let (folded, lengths, elapsed) = folder.finish(docs)?;
    on_stage("fold");
    Ok(FoldStage {
        folded,
        batch: fold::batch_for(&lengths, resources),
        lengths,
        texts_spilled: false,
        stages: vec![("fold".to_string(), elapsed.as_secs_f64())],
        last: Instant::now(),
    })
}

/// The stages after `fold` (see [`FoldStage`]), on the same `docs`, whose
/// texts may be gone by now.
pub fn run_folded(
    docs: &[Document],
    fold: FoldStage,
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
) -> Result<Outcome> {
    run_after_fold(docs, fold, config, resources, on_stage, None)
}

fn run_after_fold(
    docs: &[Document],
    fold: FoldStage,
    config: &Config,
    resources: &Resources,
    on_stage: &dyn Fn(&str),
    given: Option<&GroupLines>,
) -> Result<Outcome> {
    let FoldStage {
        folded,
        lengths,
        texts_spilled,
        batch,
        stages,
        last,
    } = fold;
    if lengths.len() != docs.len() {
        return Err(Error::Config(format!(
            "the fold stage saw {} documents, not {}",
            lengths.len(),
            docs.len()
        )));
    }
    let signer = Signer::new(config)?;
    let mut timer = Timer {
        stages,
        last,
        on_stage,
    };
    let boilerplate = match given {
        None => fold::learn_boilerplate(&folded, config, resources, batch)?,
        Some(model) => folded.given_boilerplate(model),
    };
    let mut model = BodyModel::new(folded, boilerplate, batch);
    timer.lap("boilerplate");

    model.strip_bodies();
    let keep_streams = room_for_streams(&lengths, resources);
    let (mut signed, tables) = sign::sign_stage(&mut model, &signer, keep_streams, resources)?;
    timer.lap("sign");

    let spilled = texts_spilled || model.spilled() || tables.whole.spilled();
    let pairs = candidates(tables, config.max_bucket)?;
    timer.lap("lsh");

    let mut evidence = evidence::shingle_candidates(
        &pairs,
        &mut signed.streams,
        &model,
        config.shingle,
        resources,
    )?;
    signed.streams = Vec::new();
    timer.lap("shingle");

    let rule = config.verify_rule();
    // Verification extends the identical bodies' unions with every edge
    // (skipping pairs already joined) and part matches attach clusters
    // (`cluster::attach`), so `joined` ends as the clusters; the cluster
    // stage then picks each one's representative.
    let joined = &mut signed.exact;
    let (set_edges, mut parts, rejected) =
        verify::verify_sets(&pairs, |d| evidence.get(d), &rule, joined)?;
    let edges = if rule.aligning() {
        // The alignment rule reads token sequences, made now for the
        // documents of the pairs it may still join.
        let apart = verify::still_apart(rejected, joined);
        let aligned = verify::align_pairs(
            &apart,
            &parts,
            &set_edges,
            |d| evidence.get(d),
            |pairs| evidence::TokenStore::of_pairs(pairs, &model, resources),
            &rule,
            joined,
        )?;
        parts.extend(aligned.parts);
        verify::merge_edges(set_edges, aligned.edges)
    } else {
        set_edges
    };
    let size = |d| Ok(evidence.get(d)?.shingles.len());
    let attached = cluster::attach(joined, &edges, &parts, size)?;
    let edges = verify::merge_edges(edges, attached);
    timer.lap("verify");

    let ranks = ranks(docs, &lengths);
    let unparsed_dates = docs
        .iter()
        .zip(&ranks)
        .filter(|(d, r)| d.published.is_some() && r.published.is_none())
        .count();
    // (Its unions of the edges find them joined already.)
    let reps = cluster::cluster(&mut signed.exact, &edges, &ranks);
    // The story stage reads only the cluster representatives' bodies and
    // evidence: the others' are freed once their similarities to their
    // representatives are scored (output work, timed with the clusters).
    let similarities = output::similarities(&reps, &signed.signed, &edges, &evidence)?;
    let is_rep = |d: u32| reps[d as usize] == d;
    evidence.free(is_rep);
    model.free_texts(is_rep);
    timer.lap("cluster");

    let source = stories::PipelineSource {
        model: &model,
        evidence: &evidence,
        spec: config.shingle,
    };
    let grouped = stories::stories(&reps, &ranks, &source, None, config, resources, batch)?;
    timer.lap_split("story", "thread", grouped.thread_seconds);

    let docs_out = output::outcomes(&reps, &grouped, &signed.signed, &similarities);
    timer.lap("output");

    let facts = RunFacts {
        lengths: &lengths,
        model: &model.boilerplate,
        groups: &model.groups,
        signed: &signed,
        candidates: pairs.len(),
        unparsed_dates,
        edges: &edges,
        spilled: spilled || grouped.spilled || evidence.values.spilled(),
    };
    let summary = summarize(&docs_out, config, facts, timer.stages)?;
    Ok(Outcome {
        docs: docs_out,
        edges,
        summary,
    })
}

/// Whether the sign stage may keep every body's shingle set for
/// verification (at most about 0.8 bytes per text byte) within the memory
/// limit.
fn room_for_streams(lengths: &[usize], resources: &Resources) -> bool {
    let text_bytes: usize = lengths.iter().sum();
    resources
        .budget(EVIDENCE_SHARE)
        .is_none_or(|b| text_bytes / 5 * 4 <= b)
}

/// Stage `lsh`: candidate pairs from the whole-body and the lead band-key
/// tables (which it consumes).
fn candidates(tables: sign::BandTables, max_bucket: usize) -> Result<Vec<lsh::Pair>> {
    let mut pairs = tables.whole.candidates(max_bucket)?;
    if let Some(t) = tables.lead {
        pairs = lsh::merge_pairs(pairs, t.candidates(max_bucket)?);
    }
    Ok(pairs)
}

/// Each document's rank for choosing representatives: earliest published,
/// then longest text, then smallest id.
fn ranks<'a>(docs: &'a [Document], lengths: &[usize]) -> Vec<Rank<'a>> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| Rank {
            // The text may be spilled or freed (empty here): its length is kept.
            length: lengths[i],
            ..rank_of(d)
        })
        .collect()
}

/// What the summary is made from, besides the outcomes.
struct RunFacts<'a> {
    lengths: &'a [usize],
    model: &'a Boilerplate,
    groups: &'a fold::Groups,
    signed: &'a sign::SignStage,
    candidates: usize,
    unparsed_dates: usize,
    edges: &'a [Edge],
    spilled: bool,
}

fn summarize(
    docs: &[DocOutcome],
    config: &Config,
    facts: RunFacts,
    stage_seconds: Vec<(String, f64)>,
) -> Result<Summary> {
    let n = docs.len();
    let params = config.lsh_params()?;
    let is_rep = |i: usize| docs[i].representative as usize == i;
    let clusters = (0..n).filter(|&i| is_rep(i)).count();
    let signed = &facts.signed.signed;
    Ok(Summary {
        documents: n,
        bytes: facts.lengths.iter().map(|&l| l as u64).sum(),
        clusters,
        stories: (0..n)
            .filter(|&i| docs[i].story as usize == i && is_rep(i))
            .count(),
        story_threads: (0..n)
            .filter(|&i| docs[i].thread as usize == i && is_rep(i))
            .count(),
        duplicates: n - clusters,
        exact_duplicates: facts.signed.exact_duplicates,
        unparsed_dates: facts.unparsed_dates,
        short_documents: signed.iter().filter(|s| s.short).count(),
        candidates: facts.candidates,
        edges: facts.edges.len(),
        bands: params.bands,
        rows: params.rows,
        p_candidate: [0.5, 0.7, 0.8, 0.9]
            .iter()
            .map(|&s| (s, params.p_candidate(s)))
            .collect(),
        boilerplate_lines: facts.model.len(),
        boilerplate_removed: summary::boilerplate_groups(facts.groups, signed),
        threads: rayon::current_num_threads(),
        stage_seconds,
        peak_rss_bytes: crate::store::peak_rss(),
        spilled: facts.spilled,
    })
}

/// Small corpora shared by the kernels' unit tests.
#[cfg(test)]
pub(crate) mod testdata {
    use crate::corpus::Document;

    /// Four different stories, each a few sentences long.
    pub(crate) const STORIES: [&str; 4] = [
        "The harbour bridge will close for repairs on Monday, the city council said, and traffic will be diverted through the old town for six weeks while engineers replace two cracked steel girders.",
        "Frost hit the vineyards of the valley overnight, growers said on Friday, and early estimates put the loss at a third of this year's grape harvest across the northern slopes.",
        "Rail workers voted to hold a 48-hour strike later this month in a dispute over a new rostering system, their union said, after talks with the operator broke down on Tuesday.",
        "The city library will open on Sundays from next month after the council found money for four more staff, the head librarian told a meeting of residents on Wednesday evening.",
    ];

    /// A page of `site`: its navigation line, the story, its footer line.
    pub(crate) fn page(id: &str, site: &str, story: &str) -> Document {
        let mut d = Document::new(
            id,
            format!(
                "{site} home | news | sport\n{story}\nSubscribe to the {site} daily newsletter."
            ),
        );
        d.source = Some(site.to_string());
        d
    }

    /// Every story on site A, and story 0 again on site B (a syndicated copy).
    pub(crate) fn corpus() -> Vec<Document> {
        let mut docs: Vec<Document> = STORIES
            .iter()
            .enumerate()
            .map(|(k, s)| page(&format!("a{k}"), "Alpha", s))
            .collect();
        docs.push(page("b0", "Beta", STORIES[0]));
        docs
    }
}
