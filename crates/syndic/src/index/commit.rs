//! One change to an index, in steps: check the new ids, plan the next
//! generation (numbers, groups, removals), relearn the boilerplate from
//! every stored profile, sign the new and the affected documents, write
//! their segment, match them, then write the model, edges and clusters and
//! swap the manifest. Nothing is visible to readers before the manifest's
//! rename.

use super::segment::{self, Segment, StoredDoc};
use super::{
    group_of, hex, write_file, ChangeReport, CompactReport, Edge, FileRef, Index, Kept, Manifest,
    Probe, Signed, State,
};
use crate::corpus::{parse_time, Document, Texts};
use crate::error::{Error, Result};
use crate::text::boilerplate::{group_key, holds_any, Boilerplate, PageRef, Profile};
use ahash::AHashSet;
use rayon::prelude::*;

/// The next generation's manifest and what the change does to numbers.
struct Plan {
    manifest: Manifest,
    generation: u64,
    /// The number of the first new document.
    first_new: u32,
    /// Live documents that stay, by number.
    old: Vec<u32>,
}

/// The relearned boilerplate and the old documents whose bodies it changes.
struct Relearned {
    model: Boilerplate,
    resign: Vec<u32>,
}

impl Index {
    /// Stores `docs` as new documents, removes `removed`, relearns the
    /// boilerplate, signs again what it changed, updates edges and clusters,
    /// and commits a new generation atomically. The ids of `docs` are new
    /// and distinct (callers check with [`Index::already_indexed`]).
    ///
    /// A failed change leaves the index as it was ([`Index::guarded`]).
    pub(super) fn commit(
        &mut self,
        docs: &[Document],
        texts: &Texts,
        removed: &[u32],
    ) -> Result<ChangeReport> {
        self.guarded(|index| index.change(docs, texts, removed))
    }

    /// Rewrites every live document into one new segment, so that removed
    /// documents' records and older segments are reclaimed; numbers,
    /// model, edges, clusters and stories stay as they are. The previous
    /// generation's files are deleted at once (readers that opened it hold
    /// what they read).
    pub fn compact(&mut self) -> Result<CompactReport> {
        let before = (self.segments.len(), self.manifest.removed.len());
        self.guarded(|index| index.rewrite())?;
        Ok(CompactReport {
            documents: self.live.iter().flatten().count(),
            segments_before: before.0,
            removed_reclaimed: before.1,
        })
    }

    fn rewrite(&mut self) -> Result<()> {
        let mut manifest = self.manifest.clone();
        manifest.segments.clear();
        manifest.removed.clear();
        let mut plan = Plan {
            generation: manifest.generation + 1,
            first_new: manifest.next_number,
            old: self.live_numbers(),
            manifest,
        };
        let (stored, _) = self.sign_again(&self.model, &plan.old, false)?;
        drop(self.write_segment(&mut plan, &stored)?);
        drop(stored);
        let (model, edges) = (self.model.clone(), self.edges.clone());
        let (clusters, stories) = (self.clusters.clone(), self.stories.clone());
        let threads = self.threads.clone();
        // Nothing of the previous generation is kept (readers hold what
        // they read).
        let keep_previous = false;
        let levels = (&clusters[..], &stories[..], &threads[..]);
        self.write_generation(plan, &model, &edges, levels, keep_previous)
    }

    /// Runs a change (refused on an index opened read-only); one that
    /// fails before its commit point (a full disk, a text that cannot be
    /// read) removes the files it wrote and leaves `self` at the
    /// generation on disk.
    fn guarded<T>(&mut self, change: impl FnOnce(&mut Index) -> Result<T>) -> Result<T> {
        if self.lock.is_none() {
            return Err(self.refuse("opened read-only".into()));
        }
        let generation = self.manifest.generation + 1;
        let error = match change(self) {
            Ok(done) => return Ok(done),
            Err(error) => error,
        };
        let committed = super::read_manifest(&self.dir).is_ok_and(|m| m.generation == generation);
        if !committed {
            for (prefix, suffix) in super::GENERATION_FILES {
                let name = format!("{prefix}{generation}{suffix}");
                let _ = std::fs::remove_file(self.dir.join(name));
            }
            let _ = std::fs::remove_file(self.dir.join(super::MANIFEST_TMP));
        }
        // Back to the generation on disk (without the lock, refusing
        // further changes, if even that cannot be read).
        let lock = self.lock.take();
        if let Ok(index) = Index::load(&self.dir.clone(), lock, false) {
            *self = index;
        }
        Err(error)
    }

    fn change(
        &mut self,
        docs: &[Document],
        texts: &Texts,
        removed: &[u32],
    ) -> Result<ChangeReport> {
        let mut plan = self.plan(docs, removed)?;
        let groups = super::group_numbers(&plan.manifest.groups);
        let new_profiles: Vec<Profile> = docs
            .par_iter()
            .enumerate()
            .map(|(k, d)| {
                Ok(Profile::of(&PageRef {
                    group: group_of(&groups, d),
                    text: texts.text(k)?,
                    title: d.title.as_deref(),
                }))
            })
            .collect::<Result<_>>()?;
        let learned = self.relearn(&plan, &new_profiles)?;
        // The evidence signing makes is kept for matching, unless the
        // texts are held under a memory limit (it is about half their size).
        let keep = !texts.limited();
        let (mut stored, mut kept) = self.sign_again(&learned.model, &learned.resign, keep)?;
        let (new, new_kept) = self.sign_new(
            &learned.model,
            docs,
            texts,
            new_profiles,
            plan.first_new,
            keep,
        )?;
        stored.extend(new);
        kept.extend(new_kept);
        let new_segment = self.write_segment(&mut plan, &stored)?;
        drop(stored);

        let (live, segments) = self.next_live(&plan, removed, new_segment);
        let touched: AHashSet<u32> = removed.iter().chain(&learned.resign).copied().collect();
        let mut edges: Vec<Edge> = self
            .edges
            .iter()
            .copied()
            .filter(|e| !touched.contains(&e.a) && !touched.contains(&e.b))
            .collect();
        let state = State::new(
            &segments,
            &live,
            &self.signer,
            &plan.manifest.settings,
            &learned.model,
        )
        .with_kept(&kept);
        // A flood's pages are linked in a chain (see `State::bucket_partners`),
        // so the live pages linked to a removed one are matched again, to
        // close the gap it leaves.
        let gone: AHashSet<u32> = removed.iter().copied().collect();
        let mut bereaved: Vec<u32> = self
            .edges
            .iter()
            .filter_map(|e| match (gone.contains(&e.a), gone.contains(&e.b)) {
                (true, false) => Some(e.b),
                (false, true) => Some(e.a),
                _ => None,
            })
            .filter(|n| !touched.contains(n))
            .collect();
        bereaved.sort_unstable();
        bereaved.dedup();
        let changed: Vec<u32> = learned
            .resign
            .iter()
            .copied()
            .chain(bereaved)
            .chain(plan.first_new..plan.manifest.next_number)
            .collect();
        edges.extend(match_changed(&state, &changed)?);
        edges.sort_unstable_by_key(|e| (e.a, e.b));
        edges.dedup_by_key(|e| (e.a, e.b));
        let clusters = state.clusters(&edges)?;
        let (stories, threads) = state.stories(&clusters)?;
        let counts = (docs.len(), removed.len(), learned.resign.len());
        let levels = (&clusters[..], &stories[..], &threads[..]);
        let report = self.report(&state, levels, plan.first_new, counts);
        drop(segments);
        self.write_generation(plan, &learned.model, &edges, levels, true)?;
        Ok(report)
    }

    /// Refuses an id given twice, or already in the index with another
    /// text, date or site; returns the positions in `docs` of the documents
    /// already stored exactly as given (a retried add), which are skipped.
    pub(super) fn already_indexed(&self, docs: &[Document], texts: &Texts) -> Result<Vec<usize>> {
        let by_id = self.id_map();
        let mut seen = AHashSet::new();
        let mut same = Vec::new();
        for (k, d) in docs.iter().enumerate() {
            if !seen.insert(d.id.as_str()) {
                return Err(self.refuse(format!("id {:?} is given twice", d.id)));
            }
            let Some(&n) = by_id.get(d.id.as_str()) else {
                continue;
            };
            let (s, i) = self.live[n as usize].expect("live ids are live");
            let stored = self.segments[s as usize].doc(i as usize)?;
            let unchanged = stored.text == texts.text(k)?
                && stored.published == d.published.as_deref().and_then(parse_time)
                && stored.group == group_of(&self.groups, d);
            if !unchanged {
                return Err(self.refuse(format!(
                    "id {:?} is already in the index with another text, date or site (remove it first)",
                    d.id
                )));
            }
            same.push(k);
        }
        Ok(same)
    }

    /// The next manifest: new groups, numbers for the new documents, removals.
    fn plan(&self, docs: &[Document], removed: &[u32]) -> Result<Plan> {
        let mut manifest = self.manifest.clone();
        let generation = manifest.generation + 1;
        let mut known: AHashSet<String> = manifest.groups.iter().cloned().collect();
        for d in docs {
            let key = group_key(d.source.as_deref(), d.url.as_deref());
            if known.insert(key.to_string()) {
                manifest.groups.push(key.to_string());
            }
        }
        let first_new = manifest.next_number;
        manifest.next_number = first_new
            .checked_add(docs.len() as u32)
            .ok_or_else(|| Error::Config("more than 4 billion documents".into()))?;
        let removed_set: AHashSet<u32> = removed.iter().copied().collect();
        manifest.removed.extend_from_slice(removed);
        manifest.removed.sort_unstable();
        let old: Vec<u32> = self
            .live_numbers()
            .into_iter()
            .filter(|n| !removed_set.contains(n))
            .collect();
        Ok(Plan {
            manifest,
            generation,
            first_new,
            old,
        })
    }

    /// Learns the boilerplate from the profiles of every document that
    /// stays (old, then new) and lists the old documents whose bodies the
    /// change of model touches.
    fn relearn(&self, plan: &Plan, new_profiles: &[Profile]) -> Result<Relearned> {
        let old = &plan.old;
        let profile = |k: usize| -> Result<Profile> {
            match old.get(k) {
                Some(&n) => {
                    let (seg, i) = self.state().at(n);
                    Ok(Profile {
                        group: seg.group(i),
                        title: seg.title(i),
                        lines: seg.lines(i).to_vec(),
                    })
                }
                None => Ok(new_profiles[k - old.len()].clone()),
            }
        };
        let total = old.len() + new_profiles.len();
        let cfg = &plan.manifest.settings.config.boilerplate;
        let model = Boilerplate::learn_profiles(total, profile, cfg, total * 32, super::BATCH)?;
        let before: AHashSet<(u32, u64)> = self.model.lines().into_iter().collect();
        let after: AHashSet<(u32, u64)> = model.lines().into_iter().collect();
        let changed: AHashSet<(u32, u64)> = before.symmetric_difference(&after).copied().collect();
        let resign: Vec<u32> = match changed.is_empty() {
            true => Vec::new(),
            false => old
                .par_iter()
                .copied()
                .filter(|&n| {
                    let (seg, i) = self.state().at(n);
                    holds_any(seg.group(i), seg.lines(i), &changed)
                })
                .collect(),
        };
        Ok(Relearned { model, resign })
    }

    /// Stored documents `numbers`, signed again from their stored text
    /// under `model`; with `keep`, their evidence too.
    fn sign_again(
        &self,
        model: &Boilerplate,
        numbers: &[u32],
        keep: bool,
    ) -> Result<(Vec<StoredDoc<'static>>, Kept)> {
        numbers
            .par_iter()
            .map(|&n| {
                let (seg, i) = self.state().at(n);
                let d = seg.doc(i)?;
                let meta = (d.group, d.published, d.title);
                Ok(self.sign_stored(model, n, d.text, d.id, meta, d.lines, keep))
            })
            .collect::<Result<Vec<_>>>()
            .map(unzip_kept)
    }

    /// The new documents, signed under the new model.
    fn sign_new<'t>(
        &self,
        model: &Boilerplate,
        docs: &[Document],
        texts: &Texts<'t>,
        profiles: Vec<Profile>,
        first_new: u32,
        keep: bool,
    ) -> Result<(Vec<StoredDoc<'t>>, Kept)> {
        docs.par_iter()
            .zip(profiles)
            .enumerate()
            .map(|(k, (d, p))| {
                let published = d.published.as_deref().and_then(parse_time);
                let number = first_new + k as u32;
                let meta = (p.group, published, p.title);
                let text = texts.text(k)?;
                let id = d.id.clone();
                Ok(self.sign_stored(model, number, text, id, meta, p.lines, keep))
            })
            .collect::<Result<Vec<_>>>()
            .map(unzip_kept)
    }

    /// A document as stored: its signatures, body hash and figures under
    /// `model`, its text (kept as given, not copied) and profile; with
    /// `keep`, also its evidence for matching.
    #[allow(clippy::too_many_arguments)]
    fn sign_stored<'t>(
        &self,
        model: &Boilerplate,
        number: u32,
        text: std::borrow::Cow<'t, str>,
        id: String,
        (group, published, title): (u32, Option<i64>, u64),
        lines: Vec<u8>,
        keep: bool,
    ) -> (StoredDoc<'t>, Option<(u32, Signed)>) {
        let probe = Probe::of_text(model, &self.signer, group, &text, published, false);
        let signed = keep.then(|| {
            let signed = Signed {
                evidence: probe.evidence.clone(),
                opening: probe.opening,
            };
            (number, signed)
        });
        let stored = StoredDoc {
            number,
            id,
            group,
            published,
            length: text.len() as u32,
            shingles: probe.shingles,
            body_hash: probe.body_hash,
            short: probe.short,
            title,
            text,
            lines,
            figures: probe.evidence.figures,
            whole: probe.whole,
            lead: probe.lead,
            opening: probe.opening,
        };
        (stored, signed)
    }

    /// Writes the change's segment and lists it in the plan's manifest.
    fn write_segment(&self, plan: &mut Plan, stored: &[StoredDoc<'_>]) -> Result<Segment> {
        let cfg = &plan.manifest.settings.config;
        let name = format!("seg-{}.syx", plan.generation);
        let path = self.dir.join(&name);
        let lead_perm = match cfg.lead_shingles {
            0 => 0,
            _ => cfg.lead_num_perm,
        };
        let checksum = segment::write(
            &path,
            stored,
            cfg.minhash.num_perm,
            lead_perm,
            &self.table_rows(),
            self.table_keys(stored),
        )?;
        super::crash_point();
        plan.manifest.segments.push(FileRef {
            file: name,
            checksum: hex(checksum),
        });
        Segment::open(&path, checksum, false)
    }

    /// The live map and segments after the change (taking the current
    /// segments out of `self`, which is reloaded at the end of the commit).
    fn next_live(
        &mut self,
        plan: &Plan,
        removed: &[u32],
        new_segment: Segment,
    ) -> (Vec<Option<(u32, u32)>>, Vec<Segment>) {
        let mut live = self.live.clone();
        live.resize(plan.manifest.next_number as usize, None);
        for &n in removed {
            live[n as usize] = None;
        }
        let s = self.segments.len() as u32;
        for i in 0..new_segment.len() {
            live[new_segment.number(i) as usize] = Some((s, i as u32));
        }
        let mut segments = std::mem::take(&mut self.segments);
        segments.push(new_segment);
        (live, segments)
    }

    /// Writes the model, edges and clusters files, then the manifest (the
    /// commit point); removes the files of the generation before the
    /// previous one (and of the previous one unless `keep_previous`) and
    /// reopens the index at the new generation.
    fn write_generation(
        &mut self,
        mut plan: Plan,
        model: &Boilerplate,
        edges: &[Edge],
        (clusters, stories, threads): (&[u32], &[u32], &[u32]),
        keep_previous: bool,
    ) -> Result<()> {
        let generation = plan.generation;
        let mut model_bytes = Vec::new();
        for (g, h) in model.lines() {
            model_bytes.extend_from_slice(&g.to_le_bytes());
            model_bytes.extend_from_slice(&h.to_le_bytes());
        }
        let manifest = &mut plan.manifest;
        manifest.model = write_file(&self.dir, format!("model-{generation}.bin"), &model_bytes)?;
        let mut edge_bytes = Vec::with_capacity(edges.len() * 16);
        for e in edges {
            edge_bytes.extend_from_slice(&e.a.to_le_bytes());
            edge_bytes.extend_from_slice(&e.b.to_le_bytes());
            edge_bytes.extend_from_slice(&e.jaccard.to_le_bytes());
            edge_bytes.extend_from_slice(&e.containment.to_le_bytes());
        }
        manifest.edges = write_file(&self.dir, format!("edges-{generation}.bin"), &edge_bytes)?;
        let bytes =
            |reps: &[u32]| -> Vec<u8> { reps.iter().flat_map(|c| c.to_le_bytes()).collect() };
        manifest.clusters = write_file(
            &self.dir,
            format!("clusters-{generation}.bin"),
            &bytes(clusters),
        )?;
        manifest.stories = Some(write_file(
            &self.dir,
            format!("stories-{generation}.bin"),
            &bytes(stories),
        )?);
        manifest.threads = Some(write_file(
            &self.dir,
            format!("threads-{generation}.bin"),
            &bytes(threads),
        )?);
        manifest.generation = generation;
        manifest.format_version = super::INDEX_FORMAT_VERSION;
        Index::write_manifest(&self.dir, manifest)?;
        let previous = std::mem::replace(&mut self.manifest, plan.manifest);
        let keep = match keep_previous {
            true => previous,
            false => self.manifest.clone(),
        };
        self.cleanup(&keep);
        let lock = self.lock.take();
        let dir = self.dir.clone();
        *self = Index::load(&dir, lock, false)?;
        Ok(())
    }
}

/// How many changed documents are matched at a time (see [`match_changed`]).
const MATCH_CHUNK: usize = 2048;

/// The verified edges of every changed document (new, signed again, or
/// linked to a removed one). Documents are matched [`MATCH_CHUNK`] at a
/// time, in [`locality_order`]: their candidates are gathered first, and
/// every document involved is made into a probe once. (Making a probe decompresses, folds and
/// shingles a stored text; a flood's pages are candidates of many changed
/// pages, and made again for each, 20,000 near-identical pages took 31 s.)
/// A pair of two changed documents is verified once, from its larger
/// number: candidates are symmetric (the same buckets, and a flood's chain
/// is symmetric in number order).
fn match_changed(state: &State, changed: &[u32]) -> Result<Vec<Edge>> {
    let mut changed = changed.to_vec();
    changed.sort_unstable();
    changed.dedup();
    let is_changed = |n: u32| changed.binary_search(&n).is_ok();
    let ordered = locality_order(state, &changed);
    let mut edges = Vec::new();
    for batch in ordered.chunks(MATCH_CHUNK) {
        let mut chunk: Vec<u32> = batch.to_vec();
        chunk.sort_unstable();
        let chunk = &chunk[..];
        let probes: Vec<Probe> = chunk
            .par_iter()
            .map(|&n| state.probe(n))
            .collect::<Result<_>>()?;
        let asked: Vec<(&Probe, Option<u32>)> = probes
            .iter()
            .zip(chunk)
            .map(|(p, &n)| (p, Some(n)))
            .collect();
        // A pair of two changed documents is decided from its larger number.
        let keep = |k: u32, m: u32| !(m > chunk[k as usize] && is_changed(m));
        let candidates = state.candidates_of(&asked, keep);
        let mut others: Vec<u32> = candidates
            .iter()
            .flatten()
            .copied()
            .filter(|m| chunk.binary_search(m).is_err())
            .collect();
        others.par_sort_unstable();
        others.dedup();
        let other_probes: Vec<Probe> = others
            .par_iter()
            .map(|&n| state.probe(n))
            .collect::<Result<_>>()?;
        let probe_of = |m: u32| match chunk.binary_search(&m) {
            Ok(k) => &probes[k],
            Err(_) => &other_probes[others.binary_search(&m).expect("gathered")],
        };
        let found: Vec<Vec<Edge>> = (0..chunk.len())
            .into_par_iter()
            .map(|k| {
                let (n, probe) = (chunk[k], &probes[k]);
                candidates[k]
                    .iter()
                    .map(|&m| state.edge(probe, Some(n), probe_of(m), m))
                    .filter_map(Result::transpose)
                    .collect::<Result<Vec<Edge>>>()
            })
            .collect::<Result<_>>()?;
        edges.extend(found.into_iter().flatten());
    }
    Ok(edges)
}

/// Signed documents and, for those whose evidence was kept, that
/// evidence by number.
fn unzip_kept<'t>(
    signed: Vec<(StoredDoc<'t>, Option<(u32, Signed)>)>,
) -> (Vec<StoredDoc<'t>>, Kept) {
    let mut kept = Kept::default();
    let stored = signed
        .into_iter()
        .map(|(doc, signed)| {
            kept.extend(signed);
            doc
        })
        .collect();
    (stored, kept)
}

/// Changed documents ordered at a time ([`locality_order`]), bounding the
/// keys held.
const ORDER_CHUNK: usize = 65536;

/// `changed` (sorted) in an order that keeps each document beside its
/// candidates: by connected component of "shares a band key, the lead
/// key or the body hash" among them (read from their stored signatures),
/// components in order of their first member, and within one by first
/// band key (a component bigger than a chunk is then cut between groups
/// of copies). Copies of one article are spread over an input (one world
/// after another): taken in number order, each chunk of [`match_changed`]
/// made probes of most of their other copies again. The order changes no
/// edge: each pair is decided by its numbers.
fn locality_order(state: &State, changed: &[u32]) -> Vec<u32> {
    let mut order = Vec::with_capacity(changed.len());
    for part in changed.chunks(ORDER_CHUNK) {
        let keys = state.lookups(part.len(), |k| state.key_probe(part[k]));
        // Each document's key in the first table it has one in.
        let mut first_key = vec![u64::MAX; part.len()];
        for &(_, key, k) in keys.iter().rev() {
            first_key[k as usize] = key;
        }
        let mut uf = crate::cluster::UnionFind::new(part.len());
        for w in keys.windows(2) {
            if (w[0].0, w[0].1) == (w[1].0, w[1].1) {
                uf.union(w[0].2, w[1].2);
            }
        }
        drop(keys);
        // Each component under its first member (a union-find's roots
        // depend on the order of unions; a component's first member does
        // not).
        let mut first = vec![u32::MAX; part.len()];
        for k in 0..part.len() as u32 {
            let r = uf.find(k) as usize;
            first[r] = first[r].min(k);
        }
        let mut keyed: Vec<(u32, u64, u32)> = (0..part.len() as u32)
            .map(|k| {
                (
                    first[uf.find(k) as usize],
                    first_key[k as usize],
                    part[k as usize],
                )
            })
            .collect();
        keyed.sort_unstable();
        order.extend(keyed.into_iter().map(|(_, _, n)| n));
    }
    order
}
