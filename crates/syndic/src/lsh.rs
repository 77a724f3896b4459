//! Banded LSH: a signature of `bands × rows` values is cut into bands; two
//! documents become a *candidate* pair when all rows of at least one band agree.
//! For Jaccard `s`, P(candidate) = 1 − (1 − s^rows)^bands.
//!
//! Parameters: [`LshParams::for_threshold`] picks the largest `rows` (fewest
//! false candidates) whose P(candidate) at the threshold is at least the
//! target recall (default 0.995), using as many bands as fit in `num_perm`.
//!
//! Candidate generation never builds a hash map of buckets and never emits all
//! pairs of a huge bucket: for each band (in parallel) it sorts `(band key,
//! doc)` pairs, then within a run of equal keys pairs every two documents of
//! a bucket of at most `max_bucket`, and in a bigger bucket chains them: each
//! document with the next [`CHAIN`] ones (see [`window`]). Pairs are sorted
//! and de-duplicated, so the output is identical for any thread count.
//!
//! Why a chain: a bucket that big is a flood of near-identical pages (or a
//! degenerate key), where every pair is the same evidence many times over.
//! Clusters are connected components, so a chain of verified links joins
//! them all; pairing each page with hundreds of others made 100,000
//! near-identical pages 127 million candidates (3.5 GB) where the chain
//! makes a few per page. A true pair that meets only in such buckets and
//! far apart in them is still found in the other bands it shares, where
//! buckets are small.
//!
//! Keys live in a [`KeyTable`]: in RAM, or past a byte budget in one
//! temporary file per band, so candidate generation then holds one band's
//! `(key, doc)` pairs at a time. Both give the same pairs. In RAM, the pairs
//! are made document by document: a pair of near-duplicates shares most
//! bands, so listing each band's pairs and then removing repeats would build
//! and sort many times more pairs than there are.

use crate::error::{Error, Result};
use crate::shingle::sort_hashes;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A candidate pair of document indices, `a < b`.
pub type Pair = (u32, u32);

/// In a bucket of more than `max_bucket` documents, each is paired with
/// this many following ones.
pub const CHAIN: usize = 2;

/// The end (exclusive) of the partners of the document at position `p` of
/// a bucket ending at `end` with `len` documents: the rest of the bucket,
/// or in a bucket of more than `max_bucket` the next [`CHAIN`].
pub fn window(p: usize, end: usize, len: usize, max_bucket: usize) -> usize {
    match len > max_bucket {
        true => end.min(p + 1 + CHAIN),
        false => end,
    }
}

/// Banding parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    /// Bands (a candidate needs one band fully equal).
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

impl LshParams {
    /// The banding for `threshold` with `num_perm` values: the largest `rows`
    /// whose recall at the threshold is at least `target_recall`.
    pub fn for_threshold(threshold: f64, num_perm: usize, target_recall: f64) -> Result<LshParams> {
        if !(0.0..=1.0).contains(&threshold) || threshold == 0.0 {
            return Err(Error::Config(format!(
                "threshold must be in (0, 1], got {threshold}"
            )));
        }
        let mut best = LshParams {
            bands: num_perm,
            rows: 1,
        };
        for rows in 1..=num_perm {
            let p = LshParams {
                bands: num_perm / rows,
                rows,
            };
            if p.bands == 0 {
                break;
            }
            if p.p_candidate(threshold) >= target_recall {
                best = p;
            }
        }
        Ok(best)
    }

    /// Checks an explicit `--bands/--rows` choice against the signature length.
    pub fn validate(&self, num_perm: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 || self.bands * self.rows > num_perm {
            return Err(Error::Config(format!(
                "bands × rows must be between 1 and num_perm ({num_perm}), got {} × {}",
                self.bands, self.rows
            )));
        }
        Ok(())
    }

    /// Probability that a pair with Jaccard `s` becomes a candidate.
    pub fn p_candidate(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

/// The band keys of a signature, appended to `out`.
pub fn band_keys(sig: &[u32], params: LshParams, out: &mut Vec<u64>) {
    out.extend((0..params.bands).map(|band| band_key(sig, band, params.rows)));
}

/// One key of a whole signature (equal only for equal signatures).
pub fn band_keys_hash(sig: &[u32]) -> u64 {
    band_key(sig, 0, sig.len()) ^ 0x5349_474e_4154_5552
}

fn band_key(sig: &[u32], band: usize, rows: usize) -> u64 {
    let mut bytes = [0u8; 4 * 64];
    let slice = &sig[band * rows..(band + 1) * rows];
    if rows <= 64 {
        for (chunk, v) in bytes.chunks_exact_mut(4).zip(slice) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&bytes[..rows * 4], band as u64)
    } else {
        let all: Vec<u8> = slice.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&all, band as u64)
    }
}

/// The band keys of the documents entering LSH: in RAM, document-major, or,
/// past a byte budget, spilled to one temporary file of `(key, doc)` per
/// band, so that candidate generation holds one band at a time.
#[derive(Debug)]
pub struct KeyTable {
    bands: usize,
    docs: Vec<u32>,
    /// In RAM: each band's keys, by row (one column per band, so that
    /// finding candidates frees each band's keys as it sorts them).
    ram: Vec<Vec<u64>>,
    spill: Option<Vec<BufWriter<File>>>,
}

const SPILL_ENTRY: usize = 12;

/// Bytes per document and band of a table in RAM at its peak: the
/// document, partner end and position that [`KeyTable::candidates`] sorts
/// each key into (each band's keys are freed as they are sorted).
const RAM_ENTRY: usize = 12;

impl KeyTable {
    /// A table for `expected` documents of `bands` keys each; spilled when
    /// they, and what finding candidates in RAM adds, would take more than
    /// `budget` bytes.
    pub fn new(
        bands: usize,
        expected: usize,
        budget: Option<usize>,
        temp_dir: Option<&Path>,
    ) -> Result<KeyTable> {
        let spill = match budget {
            Some(b) if expected * bands * RAM_ENTRY > b => {
                let dir = temp_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
                let files = (0..bands)
                    .map(|_| {
                        tempfile::tempfile_in(&dir).map(|f| BufWriter::with_capacity(1 << 16, f))
                    })
                    .collect::<std::io::Result<Vec<_>>>()
                    .map_err(|e| Error::io(&dir, e))?;
                Some(files)
            }
            _ => None,
        };
        Ok(KeyTable {
            bands,
            docs: Vec::new(),
            ram: match spill {
                None => (0..bands).map(|_| Vec::with_capacity(expected)).collect(),
                Some(_) => Vec::new(),
            },
            spill,
        })
    }

    /// Whether the keys are on disk.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Adds a document's keys (from [`band_keys`]); documents come in
    /// increasing order.
    pub fn push(&mut self, doc: u32, keys: &[u64]) -> Result<()> {
        debug_assert_eq!(keys.len(), self.bands);
        if self.docs.last().is_some_and(|&last| last >= doc) {
            return Err(Error::Config(format!(
                "LSH table: document {doc} pushed after {}",
                self.docs[self.docs.len() - 1]
            )));
        }
        self.docs.push(doc);
        match &mut self.spill {
            None => {
                for (col, &k) in self.ram.iter_mut().zip(keys) {
                    col.push(k);
                }
            }
            Some(files) => {
                for (w, k) in files.iter_mut().zip(keys) {
                    let mut entry = [0u8; SPILL_ENTRY];
                    entry[..8].copy_from_slice(&k.to_le_bytes());
                    entry[8..].copy_from_slice(&doc.to_le_bytes());
                    w.write_all(&entry)
                        .map_err(|e| Error::io(Path::new("band spill"), e))?;
                }
            }
        }
        Ok(())
    }

    /// The `(key, doc)` entries of one band, in the order pushed.
    fn band(&self, band: usize) -> Result<Vec<(u64, u32)>> {
        match &self.spill {
            None => Ok(self
                .docs
                .iter()
                .enumerate()
                .map(|(row, &d)| (self.ram[band][row], d))
                .collect()),
            Some(files) => {
                let io = |e| Error::io(Path::new("band spill"), e);
                let file = files[band].get_ref();
                let mut bytes = vec![0u8; self.docs.len() * SPILL_ENTRY];
                file.read_exact_at(&mut bytes, 0).map_err(io)?;
                Ok(bytes
                    .chunks_exact(SPILL_ENTRY)
                    .map(|e| {
                        let key = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
                        let doc = u32::from_le_bytes(e[8..].try_into().expect("4 bytes"));
                        (key, doc)
                    })
                    .collect())
            }
        }
    }

    /// Candidate pairs: documents sharing a key in some band. Each returned
    /// pair is `(a, b)` with `a < b`, sorted and unique. Spilled tables are
    /// read one band at a time.
    pub fn candidates(mut self, max_bucket: usize) -> Result<Vec<Pair>> {
        let max_bucket = max_bucket.max(1);
        if let Some(files) = &mut self.spill {
            for w in files.iter_mut() {
                w.flush()
                    .map_err(|e| Error::io(Path::new("band spill"), e))?;
            }
            // Band pairs wait in `pending` until they outnumber the pairs
            // found so far: each pair is sorted a few times, not once per
            // band (the same pair comes from many bands).
            let (mut pairs, mut pending): (Vec<Pair>, Vec<Pair>) = (Vec::new(), Vec::new());
            for band in 0..self.bands {
                pending.extend(bucket_pairs(self.band(band)?, max_bucket));
                if pending.len() > pairs.len().max(1 << 16) {
                    pairs = merge_pairs(pairs, sort_pairs(std::mem::take(&mut pending)));
                }
            }
            return Ok(merge_pairs(pairs, sort_pairs(pending)));
        }
        Ok(self.partners(max_bucket))
    }

    /// [`KeyTable::candidates`] of a table in RAM. The bands are taken
    /// [`BANDS_AT_ONCE`] at a time. Each band's entries are sorted once (in
    /// parallel), keeping for every row its position and for every position
    /// the end of its partners (its [`window`]); then each document, in
    /// parallel, marks the partners it has in any of these bands in a dense
    /// array, and lists them in order; the lists of the groups of bands are
    /// merged. Measured on BBC-generated (42 + 16 bands): 885k + 499k band
    /// pairs for 44k distinct candidates.
    fn partners(self, max_bucket: usize) -> Vec<Pair> {
        let mut columns = self.ram;
        let mut pairs = Vec::new();
        while !columns.is_empty() {
            let group: Vec<Vec<u64>> = columns.drain(..BANDS_AT_ONCE.min(columns.len())).collect();
            pairs = merge_pairs(pairs, band_partners(&self.docs, group, max_bucket));
        }
        pairs
    }
}

/// Bands whose sorted entries [`KeyTable::candidates`] holds at once in RAM:
/// 12 bytes per document and band while their partners are listed (and
/// 8 per band for the bands not yet sorted), not 12 for every band.
const BANDS_AT_ONCE: usize = 12;

/// The candidate pairs of some bands' key columns (see
/// [`KeyTable::partners`]): sorted, without repeats.
fn band_partners(docs: &[u32], columns: Vec<Vec<u64>>, max_bucket: usize) -> Vec<Pair> {
    /// One band: documents in key order, the end of each one's partners,
    /// and each row's position.
    struct Sorted {
        docs: Vec<u32>,
        ends: Vec<u32>,
        at: Vec<u32>,
    }
    let rows = docs.len();
    let bands: Vec<Sorted> = columns
        .into_par_iter()
        .map(|col| {
            let mut keys: Vec<(u64, u32)> = (0u32..).zip(col).map(|(row, k)| (k, row)).collect();
            // Rows follow document order, so sorting by row sorts by document.
            sort_hashes(&mut keys);
            let mut sorted = Sorted {
                docs: keys.iter().map(|&(_, row)| docs[row as usize]).collect(),
                ends: vec![0; rows],
                at: vec![0; rows],
            };
            let mut start = 0;
            for bucket in keys.chunk_by(|x, y| x.0 == y.0) {
                let end = start + bucket.len();
                for (p, &(_, row)) in (start..).zip(bucket) {
                    sorted.ends[p] = window(p, end, bucket.len(), max_bucket) as u32;
                    sorted.at[row as usize] = p as u32;
                }
                start = end;
            }
            sorted
        })
        .collect();
    let n = docs.last().map_or(0, |&d| d as usize + 1);
    (0..rows)
        .into_par_iter()
        .map_init(
            || (vec![false; n], Vec::new()),
            |(marked, partners), row| {
                for band in &bands {
                    let p = band.at[row] as usize;
                    for &b in &band.docs[p + 1..band.ends[p] as usize] {
                        if !marked[b as usize] {
                            marked[b as usize] = true;
                            partners.push(b);
                        }
                    }
                }
                partners.sort_unstable();
                let a = docs[row];
                partners
                    .drain(..)
                    .map(|b| {
                        marked[b as usize] = false;
                        (a, b)
                    })
                    .collect::<Vec<Pair>>()
            },
        )
        .flatten_iter()
        .collect()
}

/// The union of two lists of pairs, each sorted and without repeats.
pub fn merge_pairs(a: Vec<Pair>, b: Vec<Pair>) -> Vec<Pair> {
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() { b } else { a };
    }
    // Pieces of `a` with the part of `b` that sorts among them (a pair in
    // both lists falls in one piece), merged in parallel: counted first,
    // then written into their places in the output.
    const PIECE: usize = 1 << 16;
    let starts: Vec<usize> = (0..a.len()).step_by(PIECE).collect();
    let pieces: Vec<(&[Pair], &[Pair])> = (0..starts.len())
        .map(|k| {
            let (s, e) = (starts[k], starts.get(k + 1).copied().unwrap_or(a.len()));
            let lo = if k == 0 {
                0
            } else {
                b.partition_point(|x| *x < a[s])
            };
            let hi = match e == a.len() {
                true => b.len(),
                false => b.partition_point(|x| *x < a[e]),
            };
            (&a[s..e], &b[lo..hi])
        })
        .collect();
    let lens: Vec<usize> = pieces
        .par_iter()
        .map(|(x, y)| {
            let mut n = 0;
            merge_into(x, y, |_| n += 1);
            n
        })
        .collect();
    let mut out: Vec<Pair> = Vec::new();
    crate::store::par_fill(&mut out, &lens, |k, dst| {
        let (x, y) = pieces[k];
        let mut at = 0;
        merge_into(x, y, |p| {
            dst[at] = p;
            at += 1;
        });
    });
    out
}

/// Calls `emit` with every pair of two sorted, repeat-free lists, in order,
/// once.
fn merge_into(a: &[Pair], b: &[Pair], mut emit: impl FnMut(Pair)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                emit(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                emit(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                emit(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    a[i..].iter().chain(&b[j..]).for_each(|&p| emit(p));
}

/// Generates candidate pairs among `members` (indices into `signatures`), in RAM.
pub fn candidates(
    signatures: &[Vec<u32>],
    members: &[u32],
    params: LshParams,
    max_bucket: usize,
) -> Vec<Pair> {
    let mut table = KeyTable::new(params.bands, members.len(), None, None).expect("RAM table");
    let mut keys = Vec::with_capacity(params.bands);
    let mut members = members.to_vec();
    members.sort_unstable();
    members.dedup();
    for d in members {
        keys.clear();
        band_keys(&signatures[d as usize], params, &mut keys);
        table.push(d, &keys).expect("RAM table");
    }
    table.candidates(max_bucket).expect("RAM table")
}

/// Sorts pairs `(a, b)` and removes repeats, in time linear in their number
/// (the same pair comes from many bands): a counting sort by `a`, then each
/// `a`'s few partners sorted and de-duplicated in parallel.
pub fn sort_pairs(pairs: Vec<Pair>) -> Vec<Pair> {
    let Some(n) = pairs.iter().map(|p| p.0 as usize + 1).max() else {
        return pairs;
    };
    let mut start = vec![0usize; n + 1];
    for &(a, _) in &pairs {
        start[a as usize + 1] += 1;
    }
    for a in 0..n {
        start[a + 1] += start[a];
    }
    let mut partners = vec![0u32; pairs.len()];
    let mut fill = start.clone();
    for &(a, b) in &pairs {
        partners[fill[a as usize]] = b;
        fill[a as usize] += 1;
    }
    drop(pairs);
    let mut lists: Vec<&mut [u32]> = Vec::with_capacity(n);
    let mut rest = &mut partners[..];
    for a in 0..n {
        let (list, tail) = rest.split_at_mut(start[a + 1] - start[a]);
        lists.push(list);
        rest = tail;
    }
    lists
        .into_par_iter()
        .enumerate()
        .flat_map_iter(|(a, list)| {
            list.sort_unstable();
            let mut last = None;
            list.iter()
                .filter(move |&&b| last.replace(b) != Some(b))
                .map(move |&b| (a as u32, b))
                .collect::<Vec<Pair>>()
        })
        .collect()
}

/// Pairs within runs of equal keys, each document with the following ones
/// in its [`window`].
fn bucket_pairs(mut keys: Vec<(u64, u32)>, max_bucket: usize) -> Vec<Pair> {
    sort_hashes(&mut keys);
    let mut out = Vec::new();
    for bucket in keys.chunk_by(|x, y| x.0 == y.0) {
        for (i, &(_, a)) in bucket.iter().enumerate() {
            let end = window(i, bucket.len(), bucket.len(), max_bucket);
            for &(_, b) in &bucket[i + 1..end] {
                out.push((a.min(b), a.max(b)));
            }
        }
    }
    out
}

/// A banded LSH index that grows and shrinks one signature at a time (the
/// Python `MinHashLSH`): each band maps its key to the handles whose
/// signature has it. A query returns every stored handle that shares a band
/// with the signature, so recall at Jaccard `s` is
/// [`LshParams::p_candidate`]`(s)`.
#[derive(Debug, Clone)]
pub struct LshIndex {
    params: LshParams,
    num_perm: usize,
    bands: Vec<ahash::AHashMap<u64, Vec<u32>>>,
    signatures: ahash::AHashMap<u32, Vec<u32>>,
}

impl LshIndex {
    /// An empty index for signatures of `num_perm` values.
    pub fn new(params: LshParams, num_perm: usize) -> Result<LshIndex> {
        params.validate(num_perm)?;
        Ok(LshIndex {
            params,
            num_perm,
            bands: vec![ahash::AHashMap::new(); params.bands],
            signatures: ahash::AHashMap::new(),
        })
    }

    /// The banding.
    pub fn params(&self) -> LshParams {
        self.params
    }

    fn check(&self, signature: &[u32]) -> Result<()> {
        match signature.len() == self.num_perm {
            true => Ok(()),
            false => Err(Error::Config(format!(
                "signature has {} values, the index takes {}",
                signature.len(),
                self.num_perm
            ))),
        }
    }

    /// Stores `signature` under `handle` (which must be new).
    pub fn insert(&mut self, handle: u32, signature: &[u32]) -> Result<()> {
        self.check(signature)?;
        if self.signatures.contains_key(&handle) {
            return Err(Error::Config(format!(
                "handle {handle} is already in the index"
            )));
        }
        for (band, table) in self.bands.iter_mut().enumerate() {
            let key = band_key(signature, band, self.params.rows);
            table.entry(key).or_default().push(handle);
        }
        self.signatures.insert(handle, signature.to_vec());
        Ok(())
    }

    /// Removes `handle`; returns whether it was there.
    pub fn remove(&mut self, handle: u32) -> bool {
        let Some(signature) = self.signatures.remove(&handle) else {
            return false;
        };
        for (band, table) in self.bands.iter_mut().enumerate() {
            let key = band_key(&signature, band, self.params.rows);
            if let Some(handles) = table.get_mut(&key) {
                handles.retain(|&h| h != handle);
                if handles.is_empty() {
                    table.remove(&key);
                }
            }
        }
        true
    }

    /// The handles sharing at least one band with `signature`, ascending.
    pub fn query(&self, signature: &[u32]) -> Result<Vec<u32>> {
        self.check(signature)?;
        let mut found: Vec<u32> = Vec::new();
        for (band, table) in self.bands.iter().enumerate() {
            if let Some(h) = table.get(&band_key(signature, band, self.params.rows)) {
                found.extend_from_slice(h);
            }
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// The signature stored under `handle`.
    pub fn signature(&self, handle: u32) -> Option<&[u32]> {
        self.signatures.get(&handle).map(Vec::as_slice)
    }

    /// The number of stored signatures.
    pub fn len(&self) -> usize {
        self.signatures.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.signatures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dynamic_index_finds_what_brute_force_finds_above_the_threshold() {
        use crate::minhash::{estimate_jaccard, MinHashConfig, MinHasher};
        let hasher = MinHasher::new(MinHashConfig::default()).unwrap();
        // 60 base sets and, for each, copies at Jaccard ~0.9 and ~0.5
        let mut sigs = Vec::new();
        for b in 0..60u64 {
            let base: Vec<u64> = (0..200).map(|i| b * 1_000_000 + i).collect();
            let near: Vec<u64> = base
                .iter()
                .map(|&x| if x % 20 == 0 { x + 500_000 } else { x })
                .collect();
            let far: Vec<u64> = base
                .iter()
                .map(|&x| if x % 3 == 0 { x + 500_000 } else { x })
                .collect();
            sigs.extend([hasher.sign(&base), hasher.sign(&near), hasher.sign(&far)]);
        }
        let params = LshParams::for_threshold(0.8, 128, 0.995).unwrap();
        let mut index = LshIndex::new(params, 128).unwrap();
        for (h, s) in sigs.iter().enumerate() {
            index.insert(h as u32, s).unwrap();
        }
        let (mut want, mut got) = (0, 0);
        for (a, sa) in sigs.iter().enumerate() {
            let found = index.query(sa).unwrap();
            assert!(found.contains(&(a as u32)));
            for (b, sb) in sigs.iter().enumerate() {
                if a != b && estimate_jaccard(sa, sb) >= 0.8 {
                    want += 1;
                    got += usize::from(found.contains(&(b as u32)));
                }
            }
        }
        assert!(
            want >= 100 && got as f64 >= 0.99 * want as f64,
            "{got}/{want}"
        );
        assert!(index.remove(1) && !index.remove(1));
        assert!(!index.query(&sigs[0]).unwrap().contains(&1));
        assert_eq!(index.len(), sigs.len() - 1);
        assert!(index.insert(0, &sigs[0]).is_err(), "handles are unique");
        assert!(index.query(&sigs[0][..64]).is_err(), "wrong length");
    }

    #[test]
    fn parameters_meet_target_recall() {
        let p = LshParams::for_threshold(0.8, 128, 0.995).unwrap();
        assert!(p.bands * p.rows <= 128);
        assert!(p.p_candidate(0.8) >= 0.995);
        let finer = LshParams {
            bands: 128 / (p.rows + 1),
            rows: p.rows + 1,
        };
        assert!(finer.p_candidate(0.8) < 0.995, "rows is maximal");
        assert!(
            p.p_candidate(0.3) < 0.1,
            "{p:?} lets too much noise through"
        );
        assert!(LshParams::for_threshold(0.0, 128, 0.99).is_err());
    }

    #[test]
    fn validates_overrides() {
        assert!(LshParams { bands: 16, rows: 8 }.validate(128).is_ok());
        assert!(LshParams { bands: 17, rows: 8 }.validate(128).is_err());
        assert!(LshParams { bands: 0, rows: 8 }.validate(128).is_err());
    }

    #[test]
    fn equal_bands_make_candidates_and_big_buckets_are_capped() {
        let sigs: Vec<Vec<u32>> = (0..10)
            .map(|i| {
                if i < 6 {
                    vec![1, 2, 3, 4]
                } else {
                    vec![i, i, i, i]
                }
            })
            .collect();
        let members: Vec<u32> = (0..10).collect();
        let p = LshParams { bands: 2, rows: 2 };
        assert_eq!(candidates(&sigs, &members, p, 100).len(), 15);
        assert_eq!(candidates(&sigs, &members, p, 6).len(), 15);
        // A bucket of more than `max_bucket` is chained.
        let chained = candidates(&sigs, &members, p, 5);
        assert_eq!(CHAIN, 2);
        assert_eq!(
            chained,
            vec![
                (0, 1),
                (0, 2),
                (1, 2),
                (1, 3),
                (2, 3),
                (2, 4),
                (3, 4),
                (3, 5),
                (4, 5)
            ]
        );
        assert!(candidates(&sigs, &[6, 7, 8], p, 100).is_empty());
    }

    #[test]
    fn sorted_pairs_are_sorted_and_distinct() {
        let mut rng = 7u64;
        let pairs: Vec<Pair> = (0..5000)
            .map(|_| {
                rng = crate::shingle::fmix64(rng + 1);
                let a = (rng % 300) as u32;
                (a, a + 1 + (rng >> 40) as u32 % 50)
            })
            .collect();
        let mut expected = pairs.clone();
        expected.sort_unstable();
        expected.dedup();
        assert!(expected.len() < pairs.len(), "the sample has repeats");
        assert_eq!(sort_pairs(pairs), expected);
        assert!(sort_pairs(Vec::new()).is_empty());
    }

    #[test]
    fn pairs_made_by_document_are_the_pairs_made_by_band() {
        let mut rng = 3u64;
        let mut next = move |m: u64| {
            rng = crate::shingle::fmix64(rng + 1);
            (rng % m) as u32
        };
        // Few distinct values: big buckets, many repeated pairs; documents
        // numbered with gaps; more bands than are sorted at once.
        let sigs: Vec<Vec<u32>> = (0..600)
            .map(|_| (0..2 * (BANDS_AT_ONCE + 3)).map(|_| next(9)).collect())
            .collect();
        let docs: Vec<u32> = (0..600).map(|i| 3 * i + 1).collect();
        let p = LshParams {
            bands: BANDS_AT_ONCE + 3,
            rows: 2,
        };
        for max_bucket in [1, 3, 1000] {
            let mut t = KeyTable::new(p.bands, docs.len(), None, None).unwrap();
            let mut keys = Vec::new();
            for (s, &d) in sigs.iter().zip(&docs) {
                keys.clear();
                band_keys(s, p, &mut keys);
                t.push(d, &keys).unwrap();
            }
            let by_band: Vec<Pair> = (0..p.bands)
                .flat_map(|b| bucket_pairs(t.band(b).unwrap(), max_bucket))
                .collect();
            let expected = sort_pairs(by_band);
            assert!(expected.len() > 100, "{max_bucket}: {}", expected.len());
            assert_eq!(t.candidates(max_bucket).unwrap(), expected, "{max_bucket}");
        }
        let mut t = KeyTable::new(1, 2, None, None).unwrap();
        t.push(5, &[1]).unwrap();
        assert!(
            t.push(5, &[1]).is_err(),
            "documents come in increasing order"
        );
    }

    #[test]
    fn merged_pairs_are_the_sorted_union() {
        let a = vec![(0, 1), (0, 4), (2, 3)];
        let b = vec![(0, 2), (0, 4), (5, 6)];
        assert_eq!(
            merge_pairs(a.clone(), b),
            vec![(0, 1), (0, 2), (0, 4), (2, 3), (5, 6)]
        );
        assert_eq!(merge_pairs(a.clone(), Vec::new()), a);
        assert_eq!(merge_pairs(Vec::new(), a.clone()), a);
        // Long lists, merged in pieces: the sorted union, as a set.
        let mut rng = 5u64;
        let mut list = |n: usize| {
            let mut v: Vec<Pair> = (0..n)
                .map(|_| {
                    rng = crate::shingle::fmix64(rng + 1);
                    ((rng % 3000) as u32, (rng >> 32) as u32 % 400)
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let (a, b) = (list(300_000), list(200_000));
        let mut want: Vec<Pair> = a.iter().chain(&b).copied().collect();
        want.sort_unstable();
        want.dedup();
        assert!(want.len() < a.len() + b.len(), "some pairs in both");
        assert_eq!(merge_pairs(a, b), want);
    }

    /// A key table of `sigs` under `p`, spilled past `budget` bytes.
    fn key_table(sigs: &[Vec<u32>], p: LshParams, budget: Option<usize>) -> KeyTable {
        let mut t = KeyTable::new(p.bands, sigs.len(), budget, None).unwrap();
        let mut keys = Vec::new();
        for (d, s) in sigs.iter().enumerate() {
            keys.clear();
            band_keys(s, p, &mut keys);
            t.push(d as u32, &keys).unwrap();
        }
        t
    }

    #[test]
    fn spilled_tables_give_the_same_pairs() {
        let sigs: Vec<Vec<u32>> = (0..200u32).map(|i| vec![i % 7, i % 5, i % 3, 1]).collect();
        let p = LshParams { bands: 2, rows: 2 };
        let spilled = key_table(&sigs, p, Some(100));
        assert!(spilled.spilled());
        assert_eq!(
            spilled.candidates(4).unwrap(),
            key_table(&sigs, p, None).candidates(4).unwrap()
        );
        // Enough band pairs that the spilled path merges them in steps.
        let sigs: Vec<Vec<u32>> = (0..4000u32)
            .map(|i| (1..=16).map(|k| (i * k + i / 7) % 400).collect())
            .collect();
        let p = LshParams { bands: 16, rows: 1 };
        let in_ram = key_table(&sigs, p, None).candidates(16).unwrap();
        assert!(in_ram.len() > 3 << 16, "{}", in_ram.len());
        assert_eq!(
            key_table(&sigs, p, Some(100)).candidates(16).unwrap(),
            in_ram
        );
    }
}
