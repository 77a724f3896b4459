//! Stages `fold` and `boilerplate`: every document's text folded once
//! (normalized, with a hash per line), the boilerplate model learned from
//! all of them, and the [`BodyModel`] that turns a folded text into its
//! article body.
//!
//! Kernels and their data:
//! - [`groups`]: documents -> [`Groups`] (each document's boilerplate group:
//!   source, else URL host, else the corpus).
//! - [`fold`]: texts -> [`FoldedCorpus`] (folded texts with line hashes, and
//!   line profiles; both in stores that may spill). [`Folder`] does the same
//!   for documents as they are read, freeing each text once folded, so that
//!   texts and folded texts are never all held together.
//! - [`learn_boilerplate`]: line profiles -> [`Boilerplate`], the global
//!   model that a distributed run computes once and broadcasts.
//! - [`BodyModel::body_into`]: document number -> body.

use super::{Config, FOLDED_SHARE, LINE_SHARE};
use crate::corpus::{Document, Texts};
use crate::error::Result;
use crate::store::{put_u64s, take_u64s, Blob, Resources, SpillVec};
use crate::text::boilerplate::{group_key, line_hash, Boilerplate, Profile, ProfileLine};
use crate::text::normalize;
use ahash::AHashMap;
use rayon::prelude::*;

/// Each document's boilerplate group.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// The group number of each document.
    pub of_doc: Vec<u32>,
    /// Group names (source, URL host, or "" for the corpus) by number, in
    /// order of first appearance.
    pub names: Vec<String>,
}

/// The boilerplate groups of the documents.
pub fn groups(docs: &[Document]) -> Groups {
    let mut names: Vec<String> = Vec::new();
    let mut ids: AHashMap<&str, u32> = AHashMap::new();
    let of_doc = docs
        .iter()
        .map(|d| {
            let key = group_key(d.source.as_deref(), d.url.as_deref());
            *ids.entry(key).or_insert_with(|| {
                names.push(key.to_string());
                names.len() as u32 - 1
            })
        })
        .collect();
    Groups { of_doc, names }
}

/// A document's folded text and the hash of each of its lines, in order
/// (so that removing boilerplate does not hash them again).
#[derive(Debug, Clone, Default)]
pub(crate) struct Folded {
    pub(crate) text: String,
    pub(crate) hashes: Vec<u64>,
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

/// The output of [`fold`]: every document's folded text and line profile.
pub struct FoldedCorpus {
    folded: SpillVec<Folded>,
    lines: SpillVec<Vec<u8>>,
    titles: Vec<u64>,
    groups: Groups,
}

impl FoldedCorpus {
    /// Document `i`'s line profile, as [`Boilerplate::learn_profiles`] reads it.
    fn profile(&self, i: usize) -> Result<Profile> {
        Ok(Profile {
            group: self.groups.of_doc[i],
            title: self.titles[i],
            lines: self.lines.get(i as u32)?.into_owned(),
        })
    }

    /// The number of documents.
    pub fn len(&self) -> usize {
        self.titles.len()
    }

    /// A model learned elsewhere (lines by group name) in this corpus's
    /// group numbers.
    pub fn given_boilerplate(&self, model: &super::GroupLines) -> Boilerplate {
        let names = self.groups.names.iter().enumerate();
        super::boilerplate_in(model, names.map(|(g, name)| (name.as_str(), g as u32)))
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
    }
}

/// Documents per parallel batch: what fits in the memory limit, given
/// that a document's text, body and shingle set take about four times its
/// text's size while it is processed.
pub fn batch_size(texts: &Texts, resources: &Resources) -> usize {
    let lengths: Vec<usize> = (0..texts.len()).map(|i| texts.text_len(i)).collect();
    batch_for(&lengths, resources)
}

/// [`batch_size`] for texts of these lengths.
pub fn batch_for(lengths: &[usize], resources: &Resources) -> usize {
    let bytes: usize = lengths.iter().sum();
    resources.batch(4 * bytes / lengths.len().max(1))
}

/// Appends the body of a folded text of `group` to `out` (which must be
/// empty), with its line hashes when it kept them.
fn strip(boilerplate: &Boilerplate, group: u32, folded: &Folded, out: &mut String) {
    match folded.hashes.is_empty() {
        true => boilerplate.strip_into(group, &folded.text, out),
        false => boilerplate.strip_hashed_into(group, &folded.text, &folded.hashes, out),
    }
}

/// Folds every document once, in parallel batches of `batch`: its folded
/// text with a hash per line, and its line profile (title hash, lines) for
/// learning the boilerplate.
pub fn fold(
    docs: &[Document],
    texts: &Texts,
    groups: Groups,
    resources: &Resources,
    batch: usize,
) -> Result<FoldedCorpus> {
    let n = docs.len();
    let mut folder = Folder::new(resources);
    for start in (0..n).step_by(batch.max(1)) {
        let made: Vec<FoldedDoc> = (start..(start + batch).min(n))
            .into_par_iter()
            .map(|i| {
                let title = docs[i].title.as_deref();
                Ok(fold_one(&texts.text(i)?, title, folder.keep_hashes))
            })
            .collect::<Result<_>>()?;
        folder.keep(made)?;
    }
    Ok(folder.finish_with(groups)?.0)
}

/// One document folded: its folded text and line hashes, its profile's
/// lines, its title's hash, and its text's length in bytes.
struct FoldedDoc {
    folded: Folded,
    lines: Vec<u8>,
    title: u64,
    length: usize,
}

/// Folds one page; `keep_hashes` keeps its line hashes for stripping (see
/// [`Folder::new`]).
fn fold_one(text: &str, title: Option<&str>, keep_hashes: bool) -> FoldedDoc {
    let (mut lines, mut hashes) = (Vec::new(), Vec::new());
    let folded = normalize::normalize_lines(text, |line| {
        let hash = line_hash(line);
        ProfileLine::push(line, hash, &mut lines);
        if keep_hashes {
            hashes.push(hash);
        }
    });
    // The group is given by `Groups` when the model is learned.
    let p = Profile::from_lines(0, title, lines);
    FoldedDoc {
        folded: Folded {
            text: folded,
            hashes,
        },
        lines: p.lines,
        title: p.title,
        length: text.len(),
    }
}

/// Stage `fold` for documents as they are read: each batch of documents is
/// folded in parallel and its texts freed ([`Folder::fold_and_free`]), so
/// that the raw texts of a corpus are never all in memory beside the folded
/// ones. The result is [`fold`]'s, whatever the batches.
pub struct Folder {
    folded: SpillVec<Folded>,
    keep_hashes: bool,
    lines: SpillVec<Vec<u8>>,
    titles: Vec<u64>,
    lengths: Vec<usize>,
    elapsed: std::time::Duration,
}

impl Folder {
    /// An empty folder whose stores hold their shares of `resources`.
    /// Under a memory limit each folded text keeps its line hashes, so
    /// that a text read back from disk is stripped without hashing its
    /// lines again; in RAM the texts are stripped once, after learning,
    /// and hashing them then is cheaper than holding the hashes through
    /// the learning (a tenth of the folded texts' memory).
    pub fn new(resources: &Resources) -> Folder {
        Folder {
            folded: SpillVec::new(resources, FOLDED_SHARE),
            keep_hashes: resources.memory.is_some(),
            lines: SpillVec::new(resources, LINE_SHARE),
            titles: Vec::new(),
            lengths: Vec::new(),
            elapsed: std::time::Duration::ZERO,
        }
    }

    /// Folds `docs`, the next documents in order, and empties their texts
    /// (titles and the rest stay: groups are read from them at the end).
    pub fn fold_and_free(&mut self, docs: &mut [Document]) -> Result<()> {
        let started = std::time::Instant::now();
        let made: Vec<FoldedDoc> = docs
            .par_iter_mut()
            .map(|d| {
                let folded = fold_one(&d.text, d.title.as_deref(), self.keep_hashes);
                d.text = String::new();
                folded
            })
            .collect();
        self.keep(made)?;
        self.elapsed += started.elapsed();
        Ok(())
    }

    fn keep(&mut self, made: Vec<FoldedDoc>) -> Result<()> {
        for d in made {
            self.folded.push(d.folded)?;
            self.lines.push(d.lines)?;
            self.titles.push(d.title);
            self.lengths.push(d.length);
        }
        Ok(())
    }

    /// The folded corpus of `docs` (the documents folded, in order, whose
    /// sources and URLs give the groups), each text's length in bytes, and
    /// the time spent folding.
    pub fn finish(
        self,
        docs: &[Document],
    ) -> Result<(FoldedCorpus, Vec<usize>, std::time::Duration)> {
        if docs.len() != self.titles.len() {
            return Err(crate::error::Error::Config(format!(
                "{} documents were folded, not {}",
                self.titles.len(),
                docs.len()
            )));
        }
        self.finish_with(groups(docs))
    }

    fn finish_with(
        mut self,
        groups: Groups,
    ) -> Result<(FoldedCorpus, Vec<usize>, std::time::Duration)> {
        self.folded.finish()?;
        self.lines.finish()?;
        let corpus = FoldedCorpus {
            folded: self.folded,
            lines: self.lines,
            titles: self.titles,
            groups,
        };
        Ok((corpus, self.lengths, self.elapsed))
    }
}

/// Learns the boilerplate model from every document's line profile. The
/// result is a plain value: the lines that are chrome in each group.
pub fn learn_boilerplate(
    corpus: &FoldedCorpus,
    config: &Config,
    resources: &Resources,
    batch: usize,
) -> Result<Boilerplate> {
    let n = corpus.len();
    // Counters for ~32 lines per document, within the memory limit.
    let sketch = (n * 32).min(resources.budget(LINE_SHARE).unwrap_or(usize::MAX));
    Boilerplate::learn_profiles(n, |i| corpus.profile(i), &config.boilerplate, sketch, batch)
}

/// How bodies are made: the boilerplate model, each document's group and
/// its folded text.
pub struct BodyModel {
    /// The learned boilerplate.
    pub boilerplate: Boilerplate,
    /// Each document's group.
    pub groups: Groups,
    /// Every document's folded text and line hashes (fold once, strip
    /// later), in RAM up to its share of the memory limit, then on disk;
    /// or, after [`BodyModel::strip_bodies`], its body.
    pub(crate) folded: SpillVec<Folded>,
    /// After [`BodyModel::strip_bodies`]: each folded text's length.
    folded_lens: Option<Vec<usize>>,
    /// Where each document's body is held, when some bodies are shared
    /// ([`BodyModel::share_body`]); empty while none is.
    same_body: Vec<u32>,
    /// Documents per parallel batch (see [`batch_size`]).
    pub batch: usize,
}

impl BodyModel {
    /// The model of a folded corpus under a learned boilerplate.
    pub fn new(corpus: FoldedCorpus, boilerplate: Boilerplate, batch: usize) -> BodyModel {
        BodyModel {
            boilerplate,
            groups: corpus.groups,
            folded: corpus.folded,
            folded_lens: None,
            same_body: Vec::new(),
            batch,
        }
    }

    /// Replaces each folded text held in RAM by its body (the learned
    /// boilerplate removed, once), and drops its line hashes: the bodies
    /// take about a fifth less memory than the folded texts and hashes,
    /// and every later stage reads a body without stripping it again. A
    /// spilling store (under a memory limit) is left as it is.
    pub fn strip_bodies(&mut self) {
        let SpillVec::Ram(folded) = &mut self.folded else {
            return;
        };
        if self.folded_lens.is_some() {
            return;
        }
        let (boilerplate, of_doc) = (&self.boilerplate, &self.groups.of_doc);
        let lens = folded
            .par_iter_mut()
            .enumerate()
            .map_init(String::new, |buf, (i, f)| {
                buf.clear();
                strip(boilerplate, of_doc[i], f, buf);
                let len = f.text.len();
                *f = Folded {
                    text: buf.as_str().into(),
                    hashes: Vec::new(),
                };
                len
            })
            .collect();
        self.folded_lens = Some(lens);
    }

    /// Frees document `i`'s body, which is the same as document `first`'s
    /// (an identical body found by the sign stage): from now on `i`'s body
    /// is read from where `first`'s is. Only bodies held in RAM are freed
    /// (after [`BodyModel::strip_bodies`]); otherwise nothing changes, as
    /// a folded text is stripped by its own page's group.
    pub(crate) fn share_body(&mut self, i: u32, first: u32) {
        if self.folded_lens.is_none() || self.folded.spilled() || i == first {
            return;
        }
        if self.same_body.is_empty() {
            self.same_body = (0..self.folded.len() as u32).collect();
        }
        self.same_body[i as usize] = self.same_body[first as usize];
        self.folded.free(i);
    }

    /// Where document `i`'s body is held (see [`BodyModel::share_body`]).
    fn holder(&self, i: usize) -> u32 {
        self.same_body.get(i).copied().unwrap_or(i as u32)
    }

    /// Frees the folded texts of the documents that `keep` does not keep
    /// (in RAM; see [`SpillVec::free`]): their bodies are not read again.
    /// A body shared with a kept document is kept.
    pub(crate) fn free_texts(&mut self, keep: impl Fn(u32) -> bool) {
        let n = self.folded.len();
        let mut needed = vec![false; n];
        for d in (0..n as u32).filter(|&d| keep(d)) {
            needed[self.holder(d as usize) as usize] = true;
        }
        for d in (0..n as u32).filter(|&d| !needed[d as usize]) {
            self.folded.free(d);
        }
    }

    /// Folds `docs`, learns their boilerplate and returns the model
    /// (stages `fold` and `boilerplate` at once, for callers that do not
    /// time them).
    pub fn learn(
        docs: &[Document],
        texts: &Texts,
        config: &Config,
        resources: &Resources,
    ) -> Result<BodyModel> {
        let batch = batch_size(texts, resources);
        let folded = fold(docs, texts, groups(docs), resources, batch)?;
        let boilerplate = learn_boilerplate(&folded, config, resources, batch)?;
        Ok(BodyModel::new(folded, boilerplate, batch))
    }

    /// Document `i`'s body, with the length of its whole folded text:
    /// borrowed from the model once its bodies are stripped in memory
    /// ([`BodyModel::strip_bodies`]), else made in `buf`
    /// ([`BodyModel::body_into`]).
    pub fn body<'a>(&'a self, i: usize, buf: &'a mut String) -> Result<(&'a str, usize)> {
        if let (Some(lens), SpillVec::Ram(folded)) = (&self.folded_lens, &self.folded) {
            return Ok((&folded[self.holder(i) as usize].text, lens[i]));
        }
        self.body_into(i, buf)
    }

    /// Writes document `i`'s body into `out` (cleared first) and returns it,
    /// with the length of its whole folded text.
    pub fn body_into<'b>(&self, i: usize, out: &'b mut String) -> Result<(&'b str, usize)> {
        out.clear();
        let folded = self.folded.get(self.holder(i))?;
        if let Some(lens) = &self.folded_lens {
            out.push_str(&folded.text);
            return Ok((out, lens[i]));
        }
        strip(&self.boilerplate, self.groups.of_doc[i], &folded, out);
        Ok((out, folded.text.len()))
    }

    /// Whether the folded texts spilled to disk.
    pub fn spilled(&self) -> bool {
        self.folded.spilled()
    }
}

/// The article bodies of a corpus: folded text with the learned boilerplate
/// removed (stages `fold` and `boilerplate`).
#[derive(Debug, Clone)]
pub struct Bodies {
    /// One body per document: tokens joined by ' ', units by '\n'.
    pub bodies: Vec<String>,
    /// The number of boilerplate lines learned.
    pub boilerplate_lines: usize,
}

/// Folds every document and removes the boilerplate learned from all of them.
pub fn extract_bodies(docs: &[Document], config: &Config) -> Result<Bodies> {
    let texts = Texts::new(docs);
    let model = BodyModel::learn(docs, &texts, config, &Resources::default())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testdata::{corpus, page, STORIES};

    #[test]
    fn groups_are_source_then_host_then_corpus_in_order_of_appearance() {
        let mut docs = vec![
            Document::new("x", "t"),
            Document::new("y", "t"),
            Document::new("z", "t"),
        ];
        docs[0].source = Some("Alpha".into());
        docs[1].url = Some("https://news.example.org/a/1".into());
        let g = groups(&docs);
        assert_eq!(g.of_doc, vec![0, 1, 2]);
        assert_eq!(g.names[0], "Alpha");
        assert!(g.names[1].contains("news.example.org"), "{:?}", g.names);
        assert_eq!(g.names[2], "");
    }

    /// Every body of the test corpus, with `resources`.
    fn bodies(resources: &Resources) -> (Vec<String>, usize) {
        let docs = corpus();
        let texts = Texts::new(&docs);
        let model = BodyModel::learn(&docs, &texts, &Config::default(), resources).unwrap();
        let bodies = (0..docs.len())
            .map(|i| {
                model
                    .body_into(i, &mut String::new())
                    .unwrap()
                    .0
                    .to_string()
            })
            .collect();
        (bodies, model.boilerplate.len())
    }

    /// Folding while reading, in batches of any size, freeing the texts,
    /// gives what folding the read corpus gives, on the same documents.
    #[test]
    fn folding_in_batches_as_read_equals_folding_after() {
        let docs = corpus();
        let texts = Texts::new(&docs);
        let resources = Resources::default();
        let whole = fold(&docs, &texts, groups(&docs), &resources, 4).unwrap();
        for batch in [1, 2, 3, docs.len()] {
            let mut read = docs.clone();
            let mut folder = Folder::new(&resources);
            for chunk in read.chunks_mut(batch) {
                folder.fold_and_free(chunk).unwrap();
            }
            assert!(read.iter().all(|d| d.text.is_empty()), "texts freed");
            let (folded, lengths, _) = folder.finish(&read).unwrap();
            let want: Vec<usize> = docs.iter().map(|d| d.text.len()).collect();
            assert_eq!(lengths, want);
            assert_eq!(folded.groups.of_doc, whole.groups.of_doc);
            assert_eq!(folded.titles, whole.titles);
            for i in 0..docs.len() {
                let (a, b) = (
                    folded.folded.get(i as u32).unwrap(),
                    whole.folded.get(i as u32).unwrap(),
                );
                assert_eq!((&a.text, &a.hashes), (&b.text, &b.hashes), "{batch}: {i}");
                assert_eq!(folded.profile(i).unwrap(), whole.profile(i).unwrap());
            }
        }
    }

    #[test]
    fn site_chrome_is_learned_and_removed_and_the_story_kept() {
        let (bodies, learned) = bodies(&Resources::default());
        assert_eq!(learned, 2, "Alpha's navigation and footer lines");
        for (k, story) in STORIES.iter().enumerate() {
            assert!(!bodies[k].contains("subscribe"), "{}", bodies[k]);
            assert!(
                bodies[k].contains(&normalize::normalize(story)),
                "{}",
                bodies[k]
            );
        }
        // Beta has one page: its chrome cannot be told from its story.
        assert!(bodies[4].contains("subscribe"));
    }

    #[test]
    fn stripped_bodies_are_the_bodies_and_free_what_is_not_kept() {
        let docs = corpus();
        let texts = Texts::new(&docs);
        let r = Resources::default();
        let mut model = BodyModel::learn(&docs, &texts, &Config::default(), &r).unwrap();
        // Each body by `body_into`, checked against `body`.
        let read = |m: &BodyModel| -> Vec<(String, usize)> {
            (0..docs.len())
                .map(|i| {
                    let mut buf = String::new();
                    let (body, len) = m.body_into(i, &mut buf).unwrap();
                    let mut other = String::new();
                    assert_eq!(m.body(i, &mut other).unwrap(), (body, len));
                    (body.to_string(), len)
                })
                .collect()
        };
        // The length of document 2's body from `body`, and whether it was
        // made in the buffer.
        let made = |m: &BodyModel| {
            let mut buf = String::new();
            let len = m.body(2, &mut buf).unwrap().0.len();
            (len, !buf.is_empty())
        };
        let before = read(&model);
        assert!(
            before.iter().any(|(b, len)| b.len() < *len),
            "chrome removed"
        );
        assert_eq!(made(&model), (before[2].0.len(), true));
        model.strip_bodies();
        model.strip_bodies();
        assert_eq!(read(&model), before);
        assert_eq!(
            made(&model),
            (before[2].0.len(), false),
            "a stripped body is borrowed"
        );
        let SpillVec::Ram(held) = &model.folded else {
            panic!("in RAM")
        };
        assert!(held.iter().all(|f| f.hashes.is_empty()));
        model.free_texts(|d| d == 1);
        let after = read(&model);
        assert_eq!(after[1], before[1]);
        assert_eq!(after[0].0, "", "freed");
    }

    #[test]
    fn shared_bodies_read_as_their_own_and_are_kept_for_their_sharers() {
        // Story 1 on Alpha twice: the same body under two documents.
        let mut docs = corpus();
        docs.push(page("a1-again", "Alpha", STORIES[1]));
        let last = docs.len() - 1;
        let texts = Texts::new(&docs);
        let r = Resources::default();
        let mut model = BodyModel::learn(&docs, &texts, &Config::default(), &r).unwrap();
        model.strip_bodies();
        let read = |m: &BodyModel, i: usize| {
            let mut buf = String::new();
            let (body, len) = m.body_into(i, &mut buf).unwrap();
            (body.to_string(), len)
        };
        let before: Vec<(String, usize)> = (0..docs.len()).map(|i| read(&model, i)).collect();
        let first = (0..last).find(|&i| before[i].0 == before[last].0).unwrap();
        model.share_body(last as u32, first as u32);
        let SpillVec::Ram(held) = &model.folded else {
            panic!("in RAM")
        };
        assert!(held[last].text.is_empty(), "its own copy is freed");
        assert_eq!(read(&model, last), before[last]);
        // Kept alone, the sharer keeps the body it reads through.
        model.free_texts(|d| d as usize == last);
        assert_eq!(read(&model, last), before[last]);
        assert_eq!(read(&model, (first + 1) % last).0, "", "freed");
    }

    #[test]
    fn spilled_stores_give_the_same_bodies() {
        let tight = Resources {
            memory: Some(1),
            temp_dir: None,
        };
        assert_eq!(bodies(&Resources::default()), bodies(&tight));
    }
}
