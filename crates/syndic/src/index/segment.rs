//! One immutable segment file of a persistent index: the documents added
//! by one `index build` or `index add`, memory-mapped for reading.
//!
//! ```text
//! "SYNDSEG\0"  u32 header length  header (JSON: version, counts, offsets)
//! records      64 bytes per document (number, group, published, length,
//!              shingle count, body hash, flags, blob offset and length)
//! signatures   num_perm × u32 per document
//! leads        lead_perm × u32 per document
//! tables       per band (whole bands, then lead bands, then one exact
//!              table keyed by the body hash, then one keyed by the body's
//!              opening words when leads are on): u64 count, then (key u64,
//!              record u32, pad u32) sorted by key
//! blobs        per document: id, title hash, zstd text, profile lines, figures
//! checksum     XXH3-64 of everything before it
//! ```
//!
//! All integers are little-endian; every array starts on an 8-byte
//! boundary, so a table can be binary-searched in the mapping directly.

use crate::error::{Error, Result};
use memmap2::Mmap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// Version of the segment file format. Bump on any change.
pub const SEGMENT_FORMAT_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"SYNDSEG\0";
const RECORD: usize = 64;
const ENTRY: usize = 16;

/// A document as stored in a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDoc<'t> {
    /// The document's number in the index (stable across re-signing).
    pub number: u32,
    pub id: String,
    pub group: u32,
    /// Seconds since the epoch.
    pub published: Option<i64>,
    /// Text length in bytes (ranks representatives).
    pub length: u32,
    /// Distinct shingles of the body.
    pub shingles: u32,
    pub body_hash: u128,
    pub short: bool,
    pub title: u64,
    /// The text: borrowed from the caller's texts when a new document is
    /// written (a build does not copy its corpus), owned when read back.
    pub text: Cow<'t, str>,
    /// Boilerplate profile lines (see [`crate::text::boilerplate::Profile`]).
    pub lines: Vec<u8>,
    /// `(context, figure)` pairs.
    pub figures: Vec<(u64, u64)>,
    pub whole: Vec<u32>,
    pub lead: Vec<u32>,
    /// The body's opening ([`crate::align::opening`]), for the opening
    /// table; made when signing, not stored (`None` when read back).
    pub opening: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Header {
    format_version: u32,
    docs: u64,
    num_perm: u32,
    lead_perm: u32,
    /// Rows of each table: whole bands, then lead bands (the exact table last).
    band_rows: Vec<u32>,
    records: u64,
    signatures: u64,
    leads: u64,
    tables: Vec<u64>,
    blobs: u64,
}

impl Header {
    /// Checks that every section lies inside the first `end` bytes, in order.
    fn check_bounds(&self, end: u64) -> std::result::Result<(), String> {
        let sized = |at: u64, count: u64, each: u64| {
            count
                .checked_mul(each)
                .and_then(|b| b.checked_add(at))
                .filter(|&e| e <= end)
        };
        let docs = self.docs;
        sized(self.records, docs, RECORD as u64).ok_or("records out of range")?;
        sized(self.signatures, docs, 4 * self.num_perm as u64).ok_or("signatures out of range")?;
        sized(self.leads, docs, 4 * self.lead_perm as u64).ok_or("leads out of range")?;
        for &t in &self.tables {
            sized(t, 1, 8).ok_or("band table out of range")?;
        }
        (self.blobs <= end)
            .then_some(())
            .ok_or("blobs out of range")?;
        Ok(())
    }
}

/// Writes a segment with `docs` and their band keys (`keys[t][i]`: the key
/// of document `i` in table `t`, `None` when it is not in that table), and
/// returns the file's checksum. The file is synced before returning.
///
/// No part is assembled whole in memory but the records (64 bytes per
/// document): the signatures are written from `docs`, each table is
/// sorted, written and freed in turn, and the texts are compressed and
/// written a chunk at a time. The records, which point into the blobs
/// after them, are written last in the space left for them, and the
/// checksum is then read over the file.
pub fn write(
    path: &Path,
    docs: &[StoredDoc<'_>],
    num_perm: usize,
    lead_perm: usize,
    band_rows: &[u32],
    mut keys: Vec<Vec<Option<u64>>>,
) -> Result<u64> {
    let io = |e| Error::io(path, e);
    let table_len = |t: &[Option<u64>]| 8 + t.iter().flatten().count() * ENTRY;
    // The blobs are last: their length places nothing.
    let lengths: Vec<usize> = [
        docs.len() * RECORD,
        docs.len() * num_perm * 4,
        docs.len() * lead_perm * 4,
    ]
    .into_iter()
    .chain(keys.iter().map(|t| table_len(t)))
    .chain([0])
    .collect();
    let head = Header {
        format_version: SEGMENT_FORMAT_VERSION,
        docs: docs.len() as u64,
        num_perm: num_perm as u32,
        lead_perm: lead_perm as u32,
        band_rows: band_rows.to_vec(),
        records: 0,
        signatures: 0,
        leads: 0,
        tables: vec![0; keys.len()],
        blobs: 0,
    };
    let (header, records_at) = head.laid_out(&lengths);
    // Read as well: the checksum is read over what was written.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(io)?;
    let mut sink = Sink {
        out: BufWriter::with_capacity(1 << 20, &file),
        written: 0,
    };
    sink.put(header.as_slice()).map_err(io)?;
    // The records' space, filled in at the end.
    sink.pad().map_err(io)?;
    debug_assert_eq!(sink.written as u64, records_at);
    for chunk in vec![0u8; docs.len() * RECORD].chunks(1 << 16) {
        sink.put(chunk).map_err(io)?;
    }
    let mut bytes: Vec<u8> = Vec::new();
    for lead in [false, true] {
        sink.pad().map_err(io)?;
        for d in docs {
            let sig = if lead { &d.lead } else { &d.whole };
            bytes.clear();
            bytes.extend(sig.iter().flat_map(|v| v.to_le_bytes()));
            sink.put(&bytes).map_err(io)?;
        }
    }
    for t in keys.iter_mut() {
        sink.pad().map_err(io)?;
        sink.put(&table(&std::mem::take(t))).map_err(io)?;
    }
    sink.pad().map_err(io)?;
    let records = records_and_blobs(path, docs, |bytes| sink.put(bytes))?;
    sink.pad().map_err(io)?;
    let end = sink.written;
    sink.out.flush().map_err(io)?;
    drop(sink);
    file.seek(SeekFrom::Start(records_at)).map_err(io)?;
    file.write_all(&records).map_err(io)?;
    drop(records);
    // SAFETY: the file was created above and is written by this function
    // alone; it is mapped read-only to hash what was written.
    let map = unsafe { Mmap::map(&file) }.map_err(io)?;
    let checksum = xxh3_64(&map[..end]);
    drop(map);
    file.seek(SeekFrom::Start(end as u64)).map_err(io)?;
    file.write_all(&checksum.to_le_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(checksum)
}

/// Where [`write`] writes: the file, counting the bytes written.
struct Sink<'f> {
    out: BufWriter<&'f File>,
    written: usize,
}

impl Sink<'_> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len();
        Ok(())
    }

    /// Zeros up to the next 8-byte boundary.
    fn pad(&mut self) -> std::io::Result<()> {
        let w = self.written;
        self.put(&[0u8; 8][..w.next_multiple_of(8) - w])
    }
}

/// The 64-byte record of every document, returned, and the blobs they
/// point into (id, title hash, zstd text, profile lines, figures), given
/// to `emit` a chunk at a time, in order.
fn records_and_blobs<F>(path: &Path, docs: &[StoredDoc<'_>], mut emit: F) -> Result<Vec<u8>>
where
    F: FnMut(&[u8]) -> std::io::Result<()>,
{
    let mut records: Vec<u8> = Vec::with_capacity(docs.len() * RECORD);
    let mut blobs: Vec<u8> = Vec::new();
    let mut emitted = 0u64;
    // Texts are compressed in parallel, a chunk at a time (so that only a
    // chunk's compressed texts and blobs are held).
    for chunk in docs.chunks(COMPRESS_CHUNK) {
        let texts: Vec<Vec<u8>> = chunk
            .par_iter()
            .map(|d| compress(d.text.as_bytes()).map_err(|e| Error::io(path, e)))
            .collect::<Result<_>>()?;
        blobs.clear();
        for (d, z) in chunk.iter().zip(texts) {
            put_record(&mut records, &mut blobs, emitted, d, &z);
        }
        emit(&blobs).map_err(|e| Error::io(path, e))?;
        emitted += blobs.len() as u64;
    }
    Ok(records)
}

/// Texts compressed at a time when a segment is written.
const COMPRESS_CHUNK: usize = 1024;

/// Appends document `d`'s record and its blob (`z`: its compressed text)
/// to `blobs`, which start `base` bytes into the blobs section.
fn put_record(records: &mut Vec<u8>, blobs: &mut Vec<u8>, base: u64, d: &StoredDoc<'_>, z: &[u8]) {
    let start = blobs.len() as u64;
    let offset = base + start;
    put_bytes(blobs, d.id.as_bytes());
    blobs.extend_from_slice(&d.title.to_le_bytes());
    put_bytes(blobs, z);
    put_bytes(blobs, &d.lines);
    let figs: Vec<u8> = d
        .figures
        .iter()
        .flat_map(|&(c, f)| c.to_le_bytes().into_iter().chain(f.to_le_bytes()))
        .collect();
    put_bytes(blobs, &figs);
    records.extend_from_slice(&d.number.to_le_bytes());
    records.extend_from_slice(&d.group.to_le_bytes());
    records.extend_from_slice(&d.published.unwrap_or(i64::MIN).to_le_bytes());
    records.extend_from_slice(&d.length.to_le_bytes());
    records.extend_from_slice(&d.shingles.to_le_bytes());
    records.extend_from_slice(&d.body_hash.to_le_bytes());
    records.extend_from_slice(&u32::from(d.short).to_le_bytes());
    records.extend_from_slice(&((blobs.len() as u64 - start) as u32).to_le_bytes());
    records.extend_from_slice(&offset.to_le_bytes());
    records.extend_from_slice(&0u64.to_le_bytes());
}

/// The zstd level of stored texts.
const TEXT_LEVEL: i32 = 3;

thread_local! {
    /// Each thread's zstd contexts, made once: making a context costs more
    /// than compressing or decompressing a news article (made per text,
    /// they took 15% of `syndic index build`).
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// A stored text, compressed (one zstd frame, which records its size).
fn compress(text: &[u8]) -> std::io::Result<Vec<u8>> {
    COMPRESSOR.with(|c| match &mut *c.borrow_mut() {
        Some(c) => c.compress(text),
        slot => slot
            .insert(zstd::bulk::Compressor::new(TEXT_LEVEL)?)
            .compress(text),
    })
}

/// A stored text of `len` bytes, decompressed (an error, not a longer
/// text, when its frame holds more).
fn decompress(z: &[u8], len: usize) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|d| match &mut *d.borrow_mut() {
        Some(d) => d.decompress(z, len),
        slot => slot
            .insert(zstd::bulk::Decompressor::new()?)
            .decompress(z, len),
    })
}

/// One band table: its entry count, then (key, record, pad) sorted by key.
fn table(keys: &[Option<u64>]) -> Vec<u8> {
    let mut entries: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.map(|k| (k, i as u32)))
        .collect();
    entries.sort_unstable();
    let mut t = Vec::with_capacity(8 + entries.len() * ENTRY);
    t.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (k, i) in entries {
        t.extend_from_slice(&k.to_le_bytes());
        t.extend_from_slice(&i.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
    }
    t
}

impl Header {
    /// The file's header bytes (magic, length, JSON) with the offsets of
    /// parts of `lengths` (records, signatures, leads, tables..., blobs),
    /// each on an 8-byte boundary. The offsets depend on the header's own
    /// length: it is laid out once with placeholder numbers wide enough,
    /// then filled in.
    /// Also returns where the records start.
    fn laid_out(mut self, lengths: &[usize]) -> (Vec<u8>, u64) {
        let tables = lengths.len() - 4;
        let header_space = {
            self.records = u64::MAX;
            self.signatures = u64::MAX;
            self.leads = u64::MAX;
            self.tables = vec![u64::MAX; tables];
            self.blobs = u64::MAX;
            serde_json::to_vec(&self).expect("header serializes").len()
        };
        let mut at = (12 + header_space).next_multiple_of(8) as u64;
        let mut offsets = lengths.iter().map(|&len| {
            let start = at;
            at = (at + len as u64).next_multiple_of(8);
            start
        });
        self.records = offsets.next().expect("records");
        self.signatures = offsets.next().expect("signatures");
        self.leads = offsets.next().expect("leads");
        self.tables = offsets.by_ref().take(tables).collect();
        self.blobs = offsets.next().expect("blobs");
        let json = serde_json::to_vec(&self).expect("header serializes");
        let mut header = Vec::with_capacity(12 + header_space);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&(header_space as u32).to_le_bytes());
        header.extend_from_slice(&json);
        header.resize(12 + header_space, b' ');
        (header, self.records)
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// A segment opened for reading (memory-mapped).
#[derive(Debug)]
pub struct Segment {
    path: PathBuf,
    map: Mmap,
    head: Header,
}

impl Segment {
    /// Maps a segment and checks its magic, version and size; with `verify`
    /// also its checksum against `checksum` (reads the whole file).
    pub fn open(path: &Path, checksum: u64, verify: bool) -> Result<Segment> {
        let bad = |message: String| Error::Format {
            path: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        // SAFETY: segments are written once, synced, and never modified in
        // place (an index only adds new files and renames its manifest), so
        // the mapping cannot change under us.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
        if map.len() < 20 || &map[..8] != MAGIC {
            return Err(bad("not a syndic index segment".into()));
        }
        let stored = u64::from_le_bytes(map[map.len() - 8..].try_into().expect("8 bytes"));
        if stored != checksum {
            return Err(bad(format!(
                "checksum {stored:016x} does not match the manifest's {checksum:016x}"
            )));
        }
        if verify && xxh3_64(&map[..map.len() - 8]) != stored {
            return Err(Error::corrupt(path, "checksum mismatch"));
        }
        let len = u32::from_le_bytes(map[8..12].try_into().expect("4 bytes")) as usize;
        let head: Header = serde_json::from_slice(
            map.get(12..12 + len)
                .ok_or_else(|| bad("truncated header".into()))?
                .trim_ascii_end(),
        )
        .map_err(|e| bad(format!("bad header: {e}")))?;
        if head.format_version != SEGMENT_FORMAT_VERSION {
            return Err(Error::IncompatibleVersion {
                path: path.to_path_buf(),
                found: head.format_version as u64,
                supported: SEGMENT_FORMAT_VERSION as u64,
                advice: "rebuild with `syndic index build`",
            });
        }
        head.check_bounds((map.len() - 8) as u64)
            .map_err(|m| Error::corrupt(path, m))?;
        Ok(Segment {
            path: path.to_path_buf(),
            map,
            head,
        })
    }

    pub fn len(&self) -> usize {
        self.head.docs as usize
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes"))
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.map[at..at + 8].try_into().expect("8 bytes"))
    }

    fn record(&self, i: usize) -> usize {
        self.head.records as usize + i * RECORD
    }

    /// The number of record `i`.
    pub fn number(&self, i: usize) -> u32 {
        self.u32_at(self.record(i))
    }

    pub fn group(&self, i: usize) -> u32 {
        self.u32_at(self.record(i) + 4)
    }

    pub fn published(&self, i: usize) -> Option<i64> {
        let v = self.u64_at(self.record(i) + 8) as i64;
        (v != i64::MIN).then_some(v)
    }

    pub fn length(&self, i: usize) -> u32 {
        self.u32_at(self.record(i) + 16)
    }

    pub fn shingles(&self, i: usize) -> u32 {
        self.u32_at(self.record(i) + 20)
    }

    pub fn body_hash(&self, i: usize) -> u128 {
        let r = self.record(i);
        u128::from_le_bytes(self.map[r + 24..r + 40].try_into().expect("16 bytes"))
    }

    pub fn short(&self, i: usize) -> bool {
        self.u32_at(self.record(i) + 40) & 1 == 1
    }

    /// The whole-body signature of record `i`.
    pub fn signature(&self, i: usize) -> Vec<u32> {
        let k = self.head.num_perm as usize;
        let at = self.head.signatures as usize + i * k * 4;
        (0..k).map(|j| self.u32_at(at + 4 * j)).collect()
    }

    pub fn lead(&self, i: usize) -> Vec<u32> {
        let k = self.head.lead_perm as usize;
        let at = self.head.leads as usize + i * k * 4;
        (0..k).map(|j| self.u32_at(at + 4 * j)).collect()
    }

    fn blob_parts(&self, i: usize) -> [&[u8]; 5] {
        let r = self.record(i);
        let start = self.head.blobs as usize + self.u64_at(r + 48) as usize;
        let mut at = start;
        let mut next = |fixed: Option<usize>| {
            let len = match fixed {
                Some(l) => l,
                None => {
                    let l = self.u32_at(at) as usize;
                    at += 4;
                    l
                }
            };
            let part = &self.map[at..at + len];
            at += len;
            part
        };
        let id = next(None);
        let title = next(Some(8));
        let text = next(None);
        let lines = next(None);
        let figures = next(None);
        [id, title, text, lines, figures]
    }

    pub fn id(&self, i: usize) -> &str {
        std::str::from_utf8(self.blob_parts(i)[0]).unwrap_or("")
    }

    /// Everything stored about record `i` (decompresses its text).
    pub fn doc(&self, i: usize) -> Result<StoredDoc<'static>> {
        let [id, title, text, lines, _] = self.blob_parts(i);
        let text = decompress(text, self.length(i) as usize).map_err(|e| Error::Format {
            path: self.path.clone(),
            message: format!("record {i}: its text does not decompress ({e})"),
        })?;
        let text = String::from_utf8(text).map_err(|_| Error::Format {
            path: self.path.clone(),
            message: format!("record {i}: text is not UTF-8"),
        })?;
        Ok(StoredDoc {
            number: self.number(i),
            id: String::from_utf8_lossy(id).into_owned(),
            group: self.group(i),
            published: self.published(i),
            length: self.length(i),
            shingles: self.shingles(i),
            body_hash: self.body_hash(i),
            short: self.short(i),
            title: u64::from_le_bytes(title.try_into().expect("8 bytes")),
            text: Cow::Owned(text),
            lines: lines.to_vec(),
            figures: self.figures(i),
            whole: self.signature(i),
            lead: self.lead(i),
            opening: None,
        })
    }

    /// The boilerplate profile lines of record `i`.
    pub fn lines(&self, i: usize) -> &[u8] {
        self.blob_parts(i)[3]
    }

    pub fn title(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.blob_parts(i)[1].try_into().expect("8 bytes"))
    }

    pub fn figures(&self, i: usize) -> Vec<(u64, u64)> {
        self.blob_parts(i)[4]
            .chunks_exact(16)
            .map(|c| {
                (
                    u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
                    u64::from_le_bytes(c[8..].try_into().expect("8 bytes")),
                )
            })
            .collect()
    }

    /// The entries of table `t` whose key is `key`, as positions for
    /// [`Segment::entry`], searched in the mapping from position `from`,
    /// before which every key is under `key` ([`bucket_in`]); none when the
    /// segment has no table `t` (segments written before the opening table
    /// was added end at the exact table). Entries of one key are in record
    /// order, which is number order. A caller looking up keys in ascending
    /// order passes the end of the previous bucket (the lookups of
    /// `syndic index build` are dense: a key every few dozen entries);
    /// others pass 0.
    pub fn bucket(&self, t: usize, key: u64, from: usize) -> std::ops::Range<usize> {
        let Some(&at) = self.head.tables.get(t) else {
            return 0..0;
        };
        let at = at as usize;
        let count = self.u64_at(at) as usize;
        bucket_in(count, |j| self.u64_at(at + 8 + j * ENTRY), key, from, NEAR)
    }

    /// The record of entry `j` of table `t` (a position from
    /// [`Segment::bucket`]).
    pub fn entry(&self, t: usize, j: usize) -> usize {
        let at = self.head.tables[t] as usize;
        self.u32_at(at + 8 + j * ENTRY + 8) as usize
    }
}

/// Entries after a lookup's starting point searched by galloping from it
/// before the rest of the table ([`bucket_in`]): 64 KiB of the mapping.
const NEAR: usize = 4096;

/// The positions of the `count` sorted keys (`key_at(j)`) that equal
/// `key`, when every key before `from` is under it: from 0 by
/// interpolation ([`first_at_least`]); from further on, within `near`
/// positions of `from` by galloping from it ([`gallop`], a few nearby
/// probes), else by interpolation over the rest; then the bucket's end by
/// galloping (most buckets hold a few entries). On `syndic index build`
/// of the 211 MB mix, looking up from the previous bucket took candidate
/// gathering from 2.0 to 1.6 s. (Going through the `near` check from 0
/// too made `index query` 25% slower, unexplained: it probed no more.)
fn bucket_in(
    count: usize,
    key_at: impl Fn(usize) -> u64,
    key: u64,
    from: usize,
    near: usize,
) -> std::ops::Range<usize> {
    let from = from.min(count);
    let far = from + near;
    let lo = if from == 0 {
        first_at_least(count, &key_at, key)
    } else if far < count && key_at(far) < key {
        far + 1 + first_at_least(count - far - 1, |j| key_at(far + 1 + j), key)
    } else {
        gallop(from, (far + 1).min(count), |j| key_at(j) < key)
    };
    lo..gallop(lo, count, |j| key_at(j) <= key)
}

/// The first of `count` sorted keys (`key_at(j)`) that is at least `key`,
/// by interpolation search: band keys are hashes, spread evenly over the
/// 64-bit range, so each probe's guess lands near the key: about five
/// probes of the mapping in a table of 200,000 entries rather than a
/// binary search's eighteen, each a cache miss or a page touched (they
/// were 18% of `syndic index build`). Keys spread otherwise (a damaged
/// file) only make it slower: after eight probes it bisects, and every
/// probe narrows the range, so the answer is a binary search's.
pub(super) fn first_at_least(count: usize, key_at: impl Fn(usize) -> u64, key: u64) -> usize {
    // The answer is in lo..=hi; keys before lo are under `below`, keys
    // from hi on are at least `above`, and below <= key <= above.
    let (mut lo, mut hi) = (0, count);
    let (mut below, mut above) = (0u64, u64::MAX);
    for _ in 0..8 {
        if hi - lo <= 16 {
            break;
        }
        let share = (key - below) as u128 * (hi - lo) as u128 / ((above - below) as u128 + 1);
        let guess = lo + (share as usize).min(hi - lo - 1);
        let k = key_at(guess);
        if k < key {
            (lo, below) = (guess + 1, k);
        } else {
            (hi, above) = (guess, k);
        }
    }
    partition_point(lo..hi, |j| key_at(j) < key)
}

/// The first position from `lo` (to `end`) where `before` turns false
/// (true, then false, from `lo` on), by exponential search from `lo`: steps
/// of 1, 2, 4, ..., then a binary search of the last step, so that an
/// answer `d` positions on costs about `2 log d` probes, near `lo`.
pub(super) fn gallop(lo: usize, end: usize, before: impl Fn(usize) -> bool) -> usize {
    let mut step = 1;
    while lo + step - 1 < end && before(lo + step - 1) {
        step *= 2;
    }
    partition_point(lo + step / 2..(lo + step - 1).min(end), before)
}

/// The first position in `range` where `before` turns false (it must be
/// true, then false, over the range), by binary search: `slice::partition_point`
/// over positions of a mapped file.
pub(super) fn partition_point(
    range: std::ops::Range<usize>,
    before: impl Fn(usize) -> bool,
) -> usize {
    let (mut lo, mut hi) = (range.start, range.end);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Sorted keys: spread evenly (hashes, as band keys are), bunched in a
    /// narrow range with repeats (what a damaged file could hold), or both.
    fn sorted_keys() -> impl Strategy<Value = Vec<u64>> {
        prop_oneof![
            prop::collection::vec(any::<u64>(), 0..3000),
            prop::collection::vec(0u64..40, 0..3000),
            prop::collection::vec(
                prop_oneof![any::<u64>(), Just(7u64), Just(u64::MAX)],
                0..3000
            ),
        ]
        .prop_map(|mut keys| {
            keys.sort_unstable();
            keys
        })
    }

    proptest! {
        #[test]
        fn searches_agree_with_a_binary_search(keys in sorted_keys(), probe in any::<u64>(), pick in any::<prop::sample::Index>()) {
            // A key of the table as often as any key.
            let key = match keys.is_empty() {
                true => probe,
                false if probe % 2 == 0 => keys[pick.index(keys.len())],
                false => probe,
            };
            let n = keys.len();
            let lower = keys.partition_point(|&k| k < key);
            let upper = keys.partition_point(|&k| k <= key);
            prop_assert_eq!(first_at_least(n, |j| keys[j], key), lower);
            prop_assert_eq!(gallop(lower, n, |j| keys[j] <= key), upper);
            for from in [0, lower / 2, lower] {
                prop_assert_eq!(gallop(from, n, |j| keys[j] < key), lower);
                for near in [0, 1, 16, NEAR] {
                    prop_assert_eq!(bucket_in(n, |j| keys[j], key, from, near), lower..upper);
                }
            }
        }
    }

    /// A segment of more documents than one compression chunk, written
    /// part by part, opens with its checksum checked and gives back every
    /// document, signature and table entry as written.
    #[test]
    fn a_segment_reads_back_what_was_written() {
        let n = 2 * COMPRESS_CHUNK + 37;
        let docs: Vec<StoredDoc<'static>> = (0..n)
            .map(|i| {
                let k = i as u64;
                StoredDoc {
                    number: 3 * i as u32 + 1,
                    id: format!("doc-{i}"),
                    group: (i % 7) as u32,
                    published: (i % 5 != 0).then(|| 1_700_000_000 + i as i64),
                    length: 0,
                    shingles: (i % 300) as u32,
                    body_hash: u128::from(crate::shingle::fmix64(k)) << 64 | u128::from(k),
                    short: i % 11 == 0,
                    title: crate::shingle::fmix64(k + 1),
                    text: Cow::Owned(
                        format!("The story of doc {i}, told {} times. ", i % 13).repeat(1 + i % 9),
                    ),
                    lines: vec![(i % 251) as u8; i % 17],
                    figures: (0..i % 4)
                        .map(|j| (k + j as u64, k * 10 + j as u64))
                        .collect(),
                    whole: (0..8).map(|j| (i * 8 + j) as u32).collect(),
                    lead: (0..4).map(|j| (i * 4 + j) as u32 ^ 0xdead).collect(),
                    opening: None,
                }
            })
            .map(|mut d| {
                d.length = d.text.len() as u32;
                d
            })
            .collect();
        // Two band tables and the exact one; short documents are in the exact one only.
        let keys: Vec<Vec<Option<u64>>> = (0..3)
            .map(|t| {
                docs.iter()
                    .enumerate()
                    .map(|(i, d)| match (t, d.short) {
                        (2, _) => Some(d.body_hash as u64),
                        (_, true) => None,
                        _ => Some(crate::shingle::fmix64((i as u64) / 3 + t as u64)),
                    })
                    .collect()
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg-1.syx");
        let checksum = write(&path, &docs, 8, 4, &[4, 4], keys.clone()).unwrap();
        let seg = Segment::open(&path, checksum, true).unwrap();
        assert_eq!(seg.len(), n);
        for (i, d) in docs.iter().enumerate() {
            assert_eq!(&seg.doc(i).unwrap(), d, "document {i}");
        }
        for (t, table) in keys.iter().enumerate() {
            for (i, key) in table.iter().enumerate() {
                let found: Vec<usize> = seg
                    .bucket(t, key.unwrap_or(0), 0)
                    .map(|j| seg.entry(t, j))
                    .collect();
                assert_eq!(found.contains(&i), key.is_some(), "table {t}, document {i}");
            }
        }
        assert!(Segment::open(&path, checksum ^ 1, true).is_err());
    }

    #[test]
    fn hashed_keys_are_found_in_a_few_probes() {
        // 200,000 hashes, as a band table holds: a binary search probes
        // 18 entries a lookup; interpolation about a third of that.
        let mut keys: Vec<u64> = (0..200_000u64).map(crate::shingle::fmix64).collect();
        keys.sort_unstable();
        let probes = std::cell::Cell::new(0usize);
        let lookups = 1000u64;
        for q in 0..lookups {
            let key = crate::shingle::fmix64(q * 7919 + 1);
            let at = first_at_least(
                keys.len(),
                |j| {
                    probes.set(probes.get() + 1);
                    keys[j]
                },
                key,
            );
            assert_eq!(at, keys.partition_point(|&k| k < key));
        }
        let mean = probes.get() as f64 / lookups as f64;
        assert!(mean < 9.0, "{mean} probes a lookup");
    }

    #[test]
    fn searches_of_the_ends() {
        let keys = [0u64, 0, 5, u64::MAX, u64::MAX];
        for (key, lower) in [(0, 0), (1, 2), (5, 2), (6, 3), (u64::MAX, 3)] {
            assert_eq!(first_at_least(keys.len(), |j| keys[j], key), lower, "{key}");
        }
        assert_eq!(first_at_least(0, |_| unreachable!(), 9), 0);
        assert_eq!(gallop(3, 5, |j| keys[j] >= 5), 5);
        assert_eq!(gallop(0, 5, |j| keys[j] == 0), 2);
        assert_eq!(gallop(5, 5, |_| unreachable!()), 5);
    }
}
