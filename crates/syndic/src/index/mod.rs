//! A persistent, incremental index: add articles as they arrive, query one
//! article against everything indexed, and keep clusters current, without
//! recomputing the corpus.
//!
//! Layout of an index folder:
//! * `MANIFEST`: JSON naming the current generation's files with their
//!   checksums, the settings, the site groups, removed document numbers.
//! * `seg-G.syx`: immutable, memory-mapped segments (format in `index/segment.rs`), one
//!   per `build`/`add`/`remove`: records, signatures, sorted band tables.
//! * `model-G.bin`, `edges-G.bin`, `clusters-G.bin`: the boilerplate model,
//!   the verified edges and each document's cluster representative.
//!
//! Atomicity: a writer (one at a time, under an exclusive lock on `LOCK`)
//! writes and syncs the new generation's files, then a new `MANIFEST` to a
//! temporary name, syncs it and renames it over the old one. A crash or kill
//! at any point leaves either the old or the new manifest, each naming only
//! complete files; files of older generations are deleted one generation
//! later. A reader holds what it needs once open (segments mapped, the
//! small files read), so later commits never disturb it. The lock
//! (`index/lock.rs`) names its holder to a writer that has to wait.
//!
//! Determinism: the boilerplate model is relearned from every document's
//! stored profile on each change, and documents whose bodies the new model
//! changes are signed again (from their stored text), so that building in
//! one go and adding the same articles in batches give the same model,
//! signatures, edges and clusters.
//!
//! Verification uses MinHash estimates (the index keeps signatures, not
//! shingle sets): Jaccard from the whole signature, containment from it and
//! the two set sizes, with the same rule as `syndic cluster` (including the
//! figure checks). Optional time window: only documents published within
//! `window_days` of each other are matched.

mod commit;
mod lock;
mod segment;

use lock::LOCK;
pub use lock::{holder as lock_holder, parse_wait, DEFAULT_WAIT as DEFAULT_LOCK_WAIT};

use crate::cluster::{representatives, Rank, UnionFind};
use crate::corpus::{parse_time, Document, Texts};
use crate::error::{Error, Result};
use crate::lsh::{self, LshParams};
use crate::pipeline::stories::StorySource;
use crate::pipeline::{Config, Signer};
use crate::shingle::{self, ShingleSpec, Shingled};
use crate::store::Resources;
use crate::text::boilerplate::{group_key, Boilerplate};
use crate::verify::{Edge, Evidence, Verdict};
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use segment::{Segment, StoredDoc};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

const MANIFEST: &str = "MANIFEST";
/// The next manifest, before its rename over [`MANIFEST`].
const MANIFEST_TMP: &str = "MANIFEST.tmp";
/// Version of the index (its manifest and the files it lists). 2 added the
/// stories file, 3 the threads file; an index of version 1 is read with
/// each cluster as its own story, one of version 2 with each story as its
/// own thread, and either is upgraded by its next change.
const INDEX_FORMAT_VERSION: u32 = 3;
/// Documents per parallel batch in the index's boilerplate and story stages.
const BATCH: usize = 16_384;
/// The oldest version this syndic reads.
const OLDEST_READABLE: u32 = 1;
/// No group: a query whose site the index has never seen.
const NO_GROUP: u32 = u32::MAX;

/// What an index is built with; fixed at `build`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSettings {
    /// Everything that decides matching, fixed at build.
    pub config: Config,
    /// Match only documents published within this many days of each other
    /// (when both have dates).
    pub window_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct FileRef {
    file: String,
    checksum: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format_version: u32,
    generation: u64,
    settings: IndexSettings,
    groups: Vec<String>,
    segments: Vec<FileRef>,
    /// Numbers of removed documents.
    removed: Vec<u32>,
    model: FileRef,
    edges: FileRef,
    clusters: FileRef,
    /// Each number's story representative (version 2 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stories: Option<FileRef>,
    /// Each number's thread representative (version 3 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threads: Option<FileRef>,
    /// Documents ever added (the next number to give).
    next_number: u32,
    /// XXH3 of the manifest written without this field (pretty JSON), so
    /// that a changed byte is found rather than read as another index.
    /// Manifests written before it have none and are read as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
}

impl Manifest {
    /// The manifest's JSON without its checksum field.
    fn unsummed_json(&self) -> Vec<u8> {
        let mut copy = self.clone();
        copy.checksum = None;
        serde_json::to_vec_pretty(&copy).expect("manifest serializes")
    }
}

/// One match of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Id of the matching stored document.
    pub id: String,
    /// Exact Jaccard similarity of the bodies.
    pub similarity: f32,
    /// Exact containment of the smaller body in the larger.
    pub containment: f32,
    /// Id of the representative (earliest) of the match's cluster.
    pub cluster: String,
    /// Id of the representative of the match's story.
    pub story: String,
    /// Id of the representative of the match's thread.
    pub thread: String,
}

/// What a change did to the clusters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangeReport {
    /// Documents added.
    pub added: usize,
    /// Documents given to `add` that the index already held exactly so
    /// (skipped).
    pub unchanged: usize,
    /// Documents removed.
    pub removed: usize,
    /// Older documents signed again because the boilerplate model changed.
    pub resigned: usize,
    /// Clusters (of two or more) made only of new documents: representative and members.
    pub new_clusters: Vec<(String, Vec<String>)>,
    /// Existing clusters that gained documents or merged: representative and
    /// the ids that joined it.
    pub changed_clusters: Vec<(String, Vec<String>)>,
    /// The story of every cluster reported above: (cluster representative,
    /// story representative).
    pub stories: Vec<(String, String)>,
    /// The thread of every cluster reported above: (cluster
    /// representative, thread representative).
    pub threads: Vec<(String, String)>,
}

/// What `compact` did.
#[derive(Debug, Clone, Serialize)]
pub struct CompactReport {
    /// Live documents, now in one segment.
    pub documents: usize,
    /// Segments before.
    pub segments_before: usize,
    /// Removed documents whose records were dropped.
    pub removed_reclaimed: usize,
}

/// Size and contents of an index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    /// Generation of the committed state (one per change).
    pub generation: u64,
    /// Live documents.
    pub documents: usize,
    /// Documents removed so far (their records stay until compaction).
    pub removed: usize,
    /// Segment files.
    pub segments: usize,
    /// Verified edges.
    pub edges: usize,
    /// Clusters of two or more documents.
    pub clusters: usize,
    /// Bytes on disk.
    pub bytes: u64,
    /// Bytes on disk per live document.
    pub bytes_per_document: f64,
    /// The settings fixed at build.
    pub settings: IndexSettings,
    /// With `--verify`: stored documents decoded and found whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents_decoded: Option<usize>,
}

/// An open index.
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
    segments: Vec<Segment>,
    /// Number → (segment, record) of each live document.
    live: Vec<Option<(u32, u32)>>,
    model: Boilerplate,
    signer: Signer,
    /// Group (site) name → its number, as in the manifest.
    groups: AHashMap<String, u32>,
    /// Number → number of its cluster's representative.
    clusters: Vec<u32>,
    /// Number → number of its story's representative.
    stories: Vec<u32>,
    /// Number → number of its thread's representative.
    threads: Vec<u32>,
    /// The verified edges, read on open (so that a reader keeps its
    /// generation's edges after later commits delete the file).
    edges: Vec<Edge>,
    lock: Option<File>,
}

/// Parses a time window as days: `7d`, `36h`, `90m`, `600s`, or a plain
/// number of days.
pub fn parse_window(s: &str) -> std::result::Result<f64, String> {
    let (v, unit) = crate::store::split_quantity(s, "window", "7d, 36h")?;
    let days = match unit.as_str() {
        "" | "d" => v,
        "h" => v / 24.0,
        "m" => v / 1440.0,
        "s" => v / 86_400.0,
        _ => return Err(format!("bad window unit in {s:?} (use d, h, m or s)")),
    };
    if days.is_finite() && days > 0.0 {
        Ok(days)
    } else {
        Err(format!("window must be positive, got {s:?}"))
    }
}

/// Group name → number.
fn group_numbers(names: &[String]) -> AHashMap<String, u32> {
    names
        .iter()
        .enumerate()
        .map(|(i, g)| (g.clone(), i as u32))
        .collect()
}

/// The group of a document; [`NO_GROUP`] for a site the index has not seen.
fn group_of(groups: &AHashMap<String, u32>, doc: &Document) -> u32 {
    let key = group_key(doc.source.as_deref(), doc.url.as_deref());
    groups.get(key).copied().unwrap_or(NO_GROUP)
}

fn hex(v: u64) -> String {
    format!("{v:016x}")
}

fn unhex(path: &Path, s: &str) -> Result<u64> {
    u64::from_str_radix(s, 16).map_err(|_| Error::Format {
        path: path.to_path_buf(),
        message: format!("bad checksum {s:?}"),
    })
}

/// Writes a small file with an XXH3 footer; returns its reference.
fn write_file(dir: &Path, name: String, bytes: &[u8]) -> Result<FileRef> {
    let path = dir.join(&name);
    let checksum = xxh3_64(bytes);
    let mut f = File::create(&path).map_err(|e| Error::io(&path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
    f.write_all(&checksum.to_le_bytes())
        .map_err(|e| Error::io(&path, e))?;
    f.sync_all().map_err(|e| Error::io(&path, e))?;
    crash_point();
    Ok(FileRef {
        file: name,
        checksum: hex(checksum),
    })
}

/// The kinds of file an index writes for a generation, as (prefix,
/// suffix): `seg-7.syx`, `edges-7.bin`, ...
const GENERATION_FILES: [(&str, &str); 6] = [
    ("seg-", ".syx"),
    ("model-", ".bin"),
    ("edges-", ".bin"),
    ("clusters-", ".bin"),
    ("stories-", ".bin"),
    ("threads-", ".bin"),
];

/// Whether `name` is one of the files an index writes for a generation
/// ([`GENERATION_FILES`]): only such files are ever removed.
fn generation_file(name: &str) -> bool {
    GENERATION_FILES.iter().any(|(prefix, suffix)| {
        let number = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix));
        number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Reads the manifest: its format version first (so that an index of
/// another version is refused as such, whatever its other fields), then
/// the rest.
fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    if !path.exists() && dir.is_dir() {
        return Err(Error::Index {
            dir: dir.to_path_buf(),
            message: "holds no index (no MANIFEST; create one with `syndic index build`)".into(),
        });
    }
    let bytes = read_limited(&path, 64 << 20)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::corrupt(&path, format!("manifest is not JSON: {e}")))?;
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if (OLDEST_READABLE as u64..=INDEX_FORMAT_VERSION as u64).contains(&v) => {}
        Some(found) => {
            return Err(Error::IncompatibleVersion {
                path,
                found,
                supported: INDEX_FORMAT_VERSION as u64,
                advice: "rebuild with `syndic index build`",
            })
        }
        None => return Err(Error::corrupt(&path, "manifest has no format_version")),
    }
    let manifest: Manifest = serde_json::from_value(value)
        .map_err(|e| Error::corrupt(&path, format!("bad manifest: {e}")))?;
    if let Some(sum) = &manifest.checksum {
        // The sum is of the manifest as written without its last field, the
        // checksum: read off the bytes, so that a manifest written before a
        // setting was added (its defaults now fill it in) still checks out;
        // or, for one whose spacing was changed, of the manifest as read.
        let written = unsummed_bytes(&bytes, sum);
        let matches = |b: &[u8]| *sum == hex(xxh3_64(b));
        if !written.is_some_and(|w| matches(&w)) && !matches(&manifest.unsummed_json()) {
            return Err(Error::corrupt(&path, "checksum mismatch"));
        }
    }
    Ok(manifest)
}

/// A manifest's bytes as they were summed: without the checksum field,
/// which [`Index::write_manifest`] writes last (`None` when the bytes do
/// not end so).
fn unsummed_bytes(bytes: &[u8], sum: &str) -> Option<Vec<u8>> {
    let field = format!(",\n  \"checksum\": \"{sum}\"\n}}");
    let head = bytes.strip_suffix(field.as_bytes())?;
    Some([head, b"\n}"].concat())
}

/// The path of a file the manifest names: a plain name inside the index
/// folder that is a regular file (not a link, FIFO or device).
fn our_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let manifest = dir.join(MANIFEST);
    let plain = !name.is_empty()
        && Path::new(name).components().count() == 1
        && matches!(
            Path::new(name).components().next(),
            Some(std::path::Component::Normal(_))
        );
    if !plain {
        return Err(Error::corrupt(
            &manifest,
            format!("names {name:?}, which is not a file of the index folder"),
        ));
    }
    let path = dir.join(name);
    let meta = fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
    if !meta.file_type().is_file() {
        return Err(Error::corrupt(
            &manifest,
            format!("{name} is not a regular file"),
        ));
    }
    Ok(path)
}

/// Reads a regular file of at most `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.file_type().is_file() {
        return Err(Error::corrupt(path, "not a regular file"));
    }
    if meta.len() > limit {
        return Err(Error::corrupt(
            path,
            format!("{} bytes, over the {limit} expected at most", meta.len()),
        ));
    }
    fs::read(path).map_err(|e| Error::io(path, e))
}

fn read_file(dir: &Path, r: &FileRef) -> Result<Vec<u8>> {
    let path = our_file(dir, &r.file)?;
    let mut bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let expected = unhex(&path, &r.checksum)?;
    let corrupt = || Error::corrupt(&path, "checksum mismatch");
    if bytes.len() < 8 {
        return Err(corrupt());
    }
    let body = bytes.len() - 8;
    let stored = u64::from_le_bytes(bytes[body..].try_into().expect("8 bytes"));
    if stored != expected || xxh3_64(&bytes[..body]) != expected {
        return Err(corrupt());
    }
    bytes.truncate(body);
    Ok(bytes)
}

/// A file of one representative number per document number, checked
/// against the live documents.
fn read_representatives(
    dir: &Path,
    file: &FileRef,
    live: &[Option<(u32, u32)>],
) -> Result<Vec<u32>> {
    let reps: Vec<u32> = words::<4>(&read_file(dir, file)?)
        .map(u32::from_le_bytes)
        .collect();
    let path = dir.join(&file.file);
    if reps.len() != live.len() {
        return Err(Error::corrupt(
            &path,
            format!("{} entries for {} documents", reps.len(), live.len()),
        ));
    }
    for (n, &c) in reps.iter().enumerate() {
        if live[n].is_some() && live.get(c as usize).is_none_or(Option::is_none) {
            return Err(Error::corrupt(
                &path,
                format!("document {n}'s representative {c} is not in the index"),
            ));
        }
    }
    Ok(reps)
}

/// The edges file, each edge's documents checked against the live ones.
fn read_edges(dir: &Path, file: &FileRef, live: &[Option<(u32, u32)>]) -> Result<Vec<Edge>> {
    let bytes = read_file(dir, file)?;
    let path = dir.join(&file.file);
    if bytes.len() % 16 != 0 {
        return Err(Error::corrupt(&path, "not a whole number of edges"));
    }
    let live = |n: u32| live.get(n as usize).is_some_and(Option::is_some);
    words::<16>(&bytes)
        .map(|w| {
            let e = Edge {
                a: u32::from_le_bytes(w[..4].try_into().expect("4 bytes")),
                b: u32::from_le_bytes(w[4..8].try_into().expect("4 bytes")),
                jaccard: f32::from_le_bytes(w[8..12].try_into().expect("4 bytes")),
                containment: f32::from_le_bytes(w[12..].try_into().expect("4 bytes")),
            };
            match live(e.a) && live(e.b) {
                true => Ok(e),
                false => Err(Error::corrupt(
                    &path,
                    format!("edge ({}, {}) names a document not in the index", e.a, e.b),
                )),
            }
        })
        .collect()
}

fn words<const N: usize>(bytes: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    bytes
        .chunks_exact(N)
        .map(|c| c.try_into().expect("N bytes"))
}

/// A test hook for crash safety. With `SYNDIC_CRASH_AT_STEP=n` in the
/// environment, the process aborts (as a kill does: no unwinding, no
/// cleanup) at the n-th durable step of its index writes: a generation file
/// synced, the manifest's temporary synced, the manifest renamed. Steps are
/// counted from 1 over the process, so a test can stop a change at each
/// step in turn (`tests/index.rs`). Unset, it costs one environment read
/// per process.
fn crash_point() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static AT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    static STEPS: AtomicUsize = AtomicUsize::new(0);
    let at = AT.get_or_init(|| {
        std::env::var("SYNDIC_CRASH_AT_STEP")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(at) = *at {
        if STEPS.fetch_add(1, Ordering::SeqCst) + 1 == at {
            std::process::abort();
        }
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

impl Index {
    /// Opens an index for reading (queries, stats). Every file is checked
    /// before use: the manifest's version first, then its fields; each
    /// segment's and small file's XXH3 checksum (the whole index is read
    /// once; a file whose checksum matches is trusted as written); every
    /// document number, representative and edge against the manifest.
    ///
    /// A reader that opens while writers commit may find a file of the
    /// manifest it read already deleted (two commits later); it then
    /// reads the new manifest and tries again.
    pub fn open(dir: &Path) -> Result<Index> {
        let mut attempts = 0;
        loop {
            let generation = read_manifest(dir)?.generation;
            match Index::load(dir, None, true) {
                Err(Error::Io { cause, .. })
                    if cause.kind() == std::io::ErrorKind::NotFound
                        && attempts < 8
                        && read_manifest(dir)?.generation != generation =>
                {
                    attempts += 1;
                }
                result => return result,
            }
        }
    }

    /// Opens an index for writing: takes the exclusive lock (waiting up to
    /// [`DEFAULT_LOCK_WAIT`] for another writer to finish) and verifies
    /// every segment's checksum.
    pub fn open_writer(dir: &Path) -> Result<Index> {
        Index::open_writer_waiting(dir, DEFAULT_LOCK_WAIT)
    }

    /// As [`Index::open_writer`], waiting up to `wait` for the lock (then
    /// failing with the holder's process id).
    pub fn open_writer_waiting(dir: &Path, wait: std::time::Duration) -> Result<Index> {
        read_manifest(dir)?;
        let lock = lock::take(dir, wait)?;
        Index::load(dir, Some(lock), true)
    }

    fn load(dir: &Path, lock: Option<File>, verify: bool) -> Result<Index> {
        let manifest = read_manifest(dir)?;
        let segments: Vec<Segment> = manifest
            .segments
            .iter()
            .map(|r| {
                let p = our_file(dir, &r.file)?;
                Segment::open(&p, unhex(&p, &r.checksum)?, verify)
            })
            .collect::<Result<_>>()?;
        let manifest_path = dir.join(MANIFEST);
        let corrupt = |message: String| Error::corrupt(&manifest_path, message);
        let next = manifest.next_number;
        let mut live: Vec<Option<(u32, u32)>> = vec![None; next as usize];
        for (s, seg) in segments.iter().enumerate() {
            for i in 0..seg.len() {
                let n = seg.number(i);
                let slot = live.get_mut(n as usize).ok_or_else(|| {
                    corrupt(format!(
                        "{} holds document number {n}, past the {next} the manifest counts",
                        manifest.segments[s].file
                    ))
                })?;
                *slot = Some((s as u32, i as u32));
            }
        }
        for &r in &manifest.removed {
            *live
                .get_mut(r as usize)
                .ok_or_else(|| corrupt(format!("removed document number {r} is out of range")))? =
                None;
        }
        let model_bytes = read_file(dir, &manifest.model)?;
        if model_bytes.len() % 12 != 0 {
            return Err(Error::corrupt(
                dir.join(&manifest.model.file),
                "not a whole number of entries",
            ));
        }
        let model = Boilerplate::from_lines(words::<12>(&model_bytes).map(|w| {
            (
                u32::from_le_bytes(w[..4].try_into().expect("4 bytes")),
                u64::from_le_bytes(w[4..].try_into().expect("8 bytes")),
            )
        }));
        let clusters = read_representatives(dir, &manifest.clusters, &live)?;
        let stories = match &manifest.stories {
            Some(file) => read_representatives(dir, file, &live)?,
            None => clusters.clone(),
        };
        let threads = match &manifest.threads {
            Some(file) => read_representatives(dir, file, &live)?,
            None => stories.clone(),
        };
        let signer = Signer::new(&manifest.settings.config)?;
        let groups = group_numbers(&manifest.groups);
        let edges = read_edges(dir, &manifest.edges, &live)?;
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            segments,
            live,
            model,
            signer,
            groups,
            clusters,
            stories,
            threads,
            edges,
            lock,
        })
    }

    /// Creates an index in `dir` (which must not hold one) from `docs`.
    pub fn build(
        dir: &Path,
        settings: IndexSettings,
        docs: &[Document],
        texts: &Texts,
    ) -> Result<(Index, ChangeReport)> {
        Index::build_waiting(dir, settings, docs, texts, DEFAULT_LOCK_WAIT)
    }

    /// As [`Index::build`], waiting up to `wait` for another writer's lock.
    pub fn build_waiting(
        dir: &Path,
        settings: IndexSettings,
        docs: &[Document],
        texts: &Texts,
        wait: std::time::Duration,
    ) -> Result<(Index, ChangeReport)> {
        // Refuse bad settings and ids given twice before writing anything.
        settings.config.validate()?;
        let mut seen = AHashSet::new();
        if let Some(d) = docs.iter().find(|d| !seen.insert(d.id.as_str())) {
            return Err(Error::Index {
                dir: dir.to_path_buf(),
                message: format!("id {:?} is given twice", d.id),
            });
        }
        Signer::new(&settings.config)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // Under the lock, so that of two builds into one folder the second
        // waits and then finds the first's index.
        let lock = lock::take(dir, wait)?;
        if dir.join(MANIFEST).exists() {
            return Err(Error::Index {
                dir: dir.to_path_buf(),
                message: "already holds an index (use `index add`)".into(),
            });
        }
        let foreign = fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .flatten()
            .find(|e| e.file_name() != LOCK);
        if let Some(e) = foreign {
            return Err(Error::Index {
                dir: dir.to_path_buf(),
                message: format!(
                    "is not empty ({} is there) and holds no index: build in a new or empty folder",
                    e.file_name().to_string_lossy()
                ),
            });
        }
        let empty = Manifest {
            format_version: INDEX_FORMAT_VERSION,
            generation: 0,
            settings,
            groups: Vec::new(),
            segments: Vec::new(),
            removed: Vec::new(),
            model: write_file(dir, "model-0.bin".into(), &[])?,
            edges: write_file(dir, "edges-0.bin".into(), &[])?,
            clusters: write_file(dir, "clusters-0.bin".into(), &[])?,
            stories: Some(write_file(dir, "stories-0.bin".into(), &[])?),
            threads: Some(write_file(dir, "threads-0.bin".into(), &[])?),
            next_number: 0,
            checksum: None,
        };
        Index::write_manifest(dir, &empty)?;
        let mut index = Index::load(dir, Some(lock), true)?;
        let report = index.commit(docs, texts, &[])?;
        Ok((index, report))
    }

    /// Adds documents; their texts are read through `texts` (which may
    /// have spilled). A document already in the index exactly as given
    /// (same id, text, date and site: an add retried after it committed)
    /// is skipped and counted as `unchanged`; an id in the index with
    /// anything else is an error, and so is an id given twice.
    pub fn add(&mut self, docs: &[Document], texts: &Texts) -> Result<ChangeReport> {
        let same = self.already_indexed(docs, texts)?;
        if same.is_empty() {
            return self.commit(docs, texts, &[]);
        }
        let unchanged = same.len();
        let mut report = match unchanged == docs.len() {
            true => ChangeReport::default(),
            false => {
                // Only the new documents, with their texts in memory.
                let mut skip = same.into_iter().peekable();
                let mut rest = Vec::with_capacity(docs.len() - unchanged);
                for (k, d) in docs.iter().enumerate() {
                    if skip.next_if_eq(&k).is_none() {
                        let text = texts.text(k)?.into_owned();
                        rest.push(Document { text, ..d.clone() });
                    }
                }
                self.commit(&rest, &Texts::new(&rest), &[])?
            }
        };
        report.unchanged = unchanged;
        Ok(report)
    }

    /// Removes documents by id; unknown ids are an error.
    pub fn remove(&mut self, ids: &[String]) -> Result<ChangeReport> {
        let by_id = self.id_map();
        let mut numbers = Vec::new();
        for id in ids {
            match by_id.get(id.as_str()) {
                Some(&n) => numbers.push(n),
                None => return Err(self.refuse(format!("id {id:?} is not in the index"))),
            }
        }
        self.commit(&[], &Texts::new(&[]), &numbers)
    }

    fn refuse(&self, message: String) -> Error {
        Error::Index {
            dir: self.dir.clone(),
            message,
        }
    }

    fn id_map(&self) -> AHashMap<&str, u32> {
        self.live
            .iter()
            .enumerate()
            .filter_map(|(n, l)| {
                l.map(|(s, i)| (self.segments[s as usize].id(i as usize), n as u32))
            })
            .collect()
    }

    fn live_numbers(&self) -> Vec<u32> {
        (0..self.live.len() as u32)
            .filter(|&n| self.live[n as usize].is_some())
            .collect()
    }

    /// The committed documents, for matching.
    fn state(&self) -> State<'_> {
        State::new(
            &self.segments,
            &self.live,
            &self.signer,
            &self.manifest.settings,
            &self.model,
        )
    }

    /// The band keys of stored documents: whole bands, lead bands, exact.
    fn table_keys(&self, docs: &[StoredDoc<'_>]) -> Vec<Vec<Option<u64>>> {
        let params = self.signer.params();
        let lead = self.signer.lead_params();
        let exact = params.bands + lead.map_or(0, |p| p.bands);
        let tables = exact + 1 + usize::from(lead.is_some());
        let mut keys: Vec<Vec<Option<u64>>> = vec![Vec::with_capacity(docs.len()); tables];
        let mut buf = Vec::new();
        for d in docs {
            buf.clear();
            if !d.short {
                lsh::band_keys(&d.whole, params, &mut buf);
                self.signer.lead_keys(&d.lead, d.opening, &mut buf);
            }
            // Whole and lead bands, the exact table, then the opening
            // (the last lead key), so that older segments' tables keep
            // their numbers.
            for (t, table) in keys.iter_mut().enumerate().take(exact) {
                table.push(buf.get(t).copied());
            }
            keys[exact].push(Some(d.body_hash as u64));
            if lead.is_some() {
                keys[exact + 1].push(buf.get(exact).copied());
            }
        }
        keys
    }

    fn table_rows(&self) -> Vec<u32> {
        let params = self.signer.params();
        let mut rows = vec![params.rows as u32; params.bands];
        if let Some(p) = self.signer.lead_params() {
            rows.extend(std::iter::repeat_n(p.rows as u32, p.bands));
        }
        rows
    }

    /// What a change did: counts `(added, removed, resigned)`, new clusters
    /// and clusters that gained or merged.
    fn report(
        &self,
        state: &State,
        (clusters, stories, threads): (&[u32], &[u32], &[u32]),
        first_new: u32,
        (added, removed, resigned): (usize, usize, usize),
    ) -> ChangeReport {
        let mut members: AHashMap<u32, Vec<u32>> = AHashMap::new();
        for (n, &c) in clusters.iter().enumerate() {
            if c != u32::MAX {
                members.entry(c).or_default().push(n as u32);
            }
        }
        let mut report = ChangeReport {
            added,
            removed,
            resigned,
            ..Default::default()
        };
        let id = |n: u32| {
            let (seg, i) = state.at(n);
            seg.id(i).to_string()
        };
        let mut reps: Vec<u32> = members.keys().copied().collect();
        reps.sort_unstable();
        for rep in reps {
            let m = &members[&rep];
            let old_members: Vec<u32> = m.iter().copied().filter(|&n| n < first_new).collect();
            let joined: Vec<u32> = m
                .iter()
                .copied()
                .filter(|&n| {
                    n >= first_new
                        || self.clusters.get(n as usize)
                            != Some(&self.clusters[old_members[0] as usize])
                })
                .collect();
            let reported = if old_members.is_empty() {
                let new = m.len() > 1;
                if new {
                    report
                        .new_clusters
                        .push((id(rep), m.iter().map(|&n| id(n)).collect()));
                }
                new
            } else if !joined.is_empty() {
                report
                    .changed_clusters
                    .push((id(rep), joined.iter().map(|&n| id(n)).collect()));
                true
            } else {
                false
            };
            if reported {
                report.stories.push((id(rep), id(stories[rep as usize])));
                report.threads.push((id(rep), id(threads[rep as usize])));
            }
        }
        report
    }

    fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
        let tmp = dir.join(MANIFEST_TMP);
        let summed = Manifest {
            checksum: Some(hex(xxh3_64(&manifest.unsummed_json()))),
            ..manifest.clone()
        };
        let json = serde_json::to_vec_pretty(&summed).expect("manifest serializes");
        let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&json).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        crash_point();
        let path = dir.join(MANIFEST);
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        sync_dir(dir)?;
        crash_point();
        Ok(())
    }

    /// Deletes files named by neither the current nor the previous manifest
    /// (leftovers of older generations or of an interrupted writer), and
    /// only files named as an index names them ([`generation_file`]).
    fn cleanup(&self, previous: &Manifest) {
        let names = |m: &Manifest| -> Vec<String> {
            m.segments
                .iter()
                .chain([&m.model, &m.edges, &m.clusters])
                .chain(&m.stories)
                .chain(&m.threads)
                .map(|r| r.file.clone())
                .collect()
        };
        let keep: AHashSet<String> = names(&self.manifest)
            .into_iter()
            .chain(names(previous))
            .collect();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if generation_file(&name) && !keep.contains(&name) {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// Matches of a document against the index, best first.
    /// The stored documents that `doc`, whose text is `text`, matches.
    pub fn query(&self, doc: &Document, text: &str) -> Result<Vec<Match>> {
        let probe = Probe::of_text(
            &self.model,
            &self.signer,
            group_of(&self.groups, doc),
            text,
            doc.published.as_deref().and_then(parse_time),
            self.manifest.settings.config.verify_rule().aligning(),
        );
        let state = self.state();
        let mut out: Vec<Match> = state
            .matches(&probe, None)?
            .into_iter()
            .map(|e| {
                let (seg, i) = state.at(e.b);
                let rep = self.clusters.get(e.b as usize).copied().unwrap_or(e.b);
                let (rs, ri) = state.at(rep);
                let story = self.stories.get(e.b as usize).copied().unwrap_or(rep);
                let (ss, si) = state.at(story);
                let thread = self.threads.get(e.b as usize).copied().unwrap_or(story);
                let (ts, ti) = state.at(thread);
                Match {
                    id: seg.id(i).to_string(),
                    similarity: e.jaccard,
                    containment: e.containment,
                    cluster: rs.id(ri).to_string(),
                    story: ss.id(si).to_string(),
                    thread: ts.id(ti).to_string(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(out)
    }

    /// The settings the index was built with.
    pub fn settings(&self) -> &IndexSettings {
        &self.manifest.settings
    }

    /// Counts, sizes and settings; with `verify`, every file's checksum is checked.
    pub fn stats(&self, verify: bool) -> Result<IndexStats> {
        // Opening checked every checksum; --verify also decodes every
        // stored document (its compressed text and blob parts).
        let decoded = match verify {
            false => None,
            true => {
                let mut n = 0;
                for seg in &self.segments {
                    for i in 0..seg.len() {
                        seg.doc(i)?;
                        n += 1;
                    }
                }
                Some(n)
            }
        };
        let edges = self.edges.len();
        let documents = self.live.iter().flatten().count();
        let mut reps: AHashMap<u32, usize> = AHashMap::new();
        for (n, l) in self.live.iter().enumerate() {
            if l.is_some() {
                *reps.entry(self.clusters[n]).or_insert(0) += 1;
            }
        }
        let mut bytes = 0u64;
        for e in fs::read_dir(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?
            .flatten()
        {
            bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
        Ok(IndexStats {
            generation: self.manifest.generation,
            documents,
            removed: self.manifest.removed.len(),
            segments: self.segments.len(),
            edges,
            clusters: reps.values().filter(|&&n| n > 1).count(),
            bytes,
            bytes_per_document: bytes as f64 / documents.max(1) as f64,
            settings: self.manifest.settings.clone(),
            documents_decoded: decoded,
        })
    }

    /// Every live document's id with the ids of its cluster's, its
    /// story's and its thread's representatives, by document number.
    pub fn clusters(&self) -> Vec<(String, String, String, String)> {
        let state = self.state();
        (0..self.live.len() as u32)
            .filter(|&n| self.live[n as usize].is_some())
            .map(|n| {
                let (seg, i) = state.at(n);
                let (rs, ri) = state.at(self.clusters[n as usize]);
                let (ss, si) = state.at(self.stories[n as usize]);
                let (ts, ti) = state.at(self.threads[n as usize]);
                (
                    seg.id(i).to_string(),
                    rs.id(ri).to_string(),
                    ss.id(si).to_string(),
                    ts.id(ti).to_string(),
                )
            })
            .collect()
    }
}

/// What matching needs of one document (stored or queried).
struct Probe {
    whole: Vec<u32>,
    lead: Vec<u32>,
    short: bool,
    shingles: u32,
    body_hash: u128,
    published: Option<i64>,
    /// The body's opening ([`crate::align::opening`]), for the opening table.
    opening: Option<u64>,
    /// The body's exact shingle set and figures, as `syndic cluster`
    /// verifies them.
    evidence: Evidence,
    /// The body, kept when the probe is made for matching and the
    /// alignment rule is on: its token keys ([`State::tokens`]) are made
    /// from it only for a pair that the set rules reject (most pairs pass
    /// or fail on their sets; making every probe's keys was a tenth of
    /// `syndic index build`). A probe of a document signed in this change
    /// ([`Signed`]) has none: its body is made again from its stored text
    /// (`number`) for such a pair only.
    body: Option<String>,
    /// The stored document's number (none for a query).
    number: Option<u32>,
    tokens: std::sync::OnceLock<Vec<u32>>,
}

/// What signing a document in a change made that matching it needs
/// again: its exact shingle set and figures, and its opening. A change
/// keeps them for its own documents ([`Kept`]), so that matching does not
/// decompress, fold, strip and shingle again texts it has just signed (a
/// fifth of `syndic index build`).
struct Signed {
    evidence: Evidence,
    opening: Option<u64>,
}

/// The [`Signed`] documents of a change, by number.
type Kept = AHashMap<u32, Signed>;

impl Probe {
    /// Folds `text`, removes the boilerplate of `group` and signs the body;
    /// `tokens`: keep its token keys for the alignment rule.
    fn of_text(
        model: &Boilerplate,
        signer: &Signer,
        group: u32,
        text: &str,
        published: Option<i64>,
        tokens: bool,
    ) -> Probe {
        let mut body = String::new();
        model.body_into(group, text, &mut body);
        let mut shingled = Shingled::default();
        let sig = signer.sign_into(&body, &mut shingled);
        let body_hash = xxh3_128(body.as_bytes());
        let figures = std::mem::take(&mut shingled.figures);
        let set = shingled.set();
        Probe {
            whole: sig.whole,
            lead: sig.lead,
            short: sig.short,
            shingles: set.len() as u32,
            body_hash,
            published,
            opening: sig.opening,
            evidence: Evidence::new(set, figures),
            body: tokens.then_some(body),
            number: None,
            tokens: std::sync::OnceLock::new(),
        }
    }

    /// A stored document as a probe: its signatures from the segment, its
    /// exact shingle set (and, with `tokens`, its token keys) from its
    /// stored text under the current model.
    fn stored(
        seg: &Segment,
        i: usize,
        model: &Boilerplate,
        spec: ShingleSpec,
        tokens: bool,
    ) -> Result<Probe> {
        let doc = seg.doc(i)?;
        let mut body = String::new();
        model.body_into(doc.group, &doc.text, &mut body);
        let mut shingled = Shingled::default();
        shingle::shingle_body(&body, spec, &mut shingled);
        Ok(Probe {
            whole: doc.whole,
            lead: doc.lead,
            short: doc.short,
            shingles: doc.shingles,
            body_hash: doc.body_hash,
            published: doc.published,
            opening: shingled.opening,
            evidence: Evidence::new(shingled.set(), doc.figures),
            body: tokens.then_some(body),
            number: Some(doc.number),
            tokens: std::sync::OnceLock::new(),
        })
    }
}

/// Runs of lookups (one key of one table) looked up in order by one task
/// ([`State::candidates_of`]).
const LOOKUP_BLOCK: usize = 4096;

/// A consistent view of segments and live documents for matching.
struct State<'a> {
    segments: &'a [Segment],
    live: &'a [Option<(u32, u32)>],
    signer: &'a Signer,
    settings: &'a IndexSettings,
    /// The boilerplate model that bodies are made with.
    model: &'a Boilerplate,
    /// The evidence of the documents signed in this change, if kept.
    kept: Option<&'a Kept>,
    /// Stored documents that are not live (removed, or older versions):
    /// at most this many entries of a bucket are dead. Counted over every
    /// document, so only when a bucket is over `max_bucket` ([`State::dead`]).
    dead: std::sync::OnceLock<usize>,
}

impl<'a> State<'a> {
    fn new(
        segments: &'a [Segment],
        live: &'a [Option<(u32, u32)>],
        signer: &'a Signer,
        settings: &'a IndexSettings,
        model: &'a Boilerplate,
    ) -> State<'a> {
        State {
            segments,
            live,
            signer,
            settings,
            model,
            kept: None,
            dead: std::sync::OnceLock::new(),
        }
    }

    /// This state, with `kept` the evidence of the change's documents.
    fn with_kept(self, kept: &'a Kept) -> State<'a> {
        State {
            kept: Some(kept),
            ..self
        }
    }

    /// Stored documents that are not live: a bound on a bucket's dead entries.
    fn dead(&self) -> usize {
        *self.dead.get_or_init(|| {
            let stored: usize = self.segments.iter().map(Segment::len).sum();
            stored.saturating_sub(self.live.iter().flatten().count())
        })
    }

    /// Whether the alignment rule is on (matching then needs token keys).
    fn aligning(&self) -> bool {
        self.settings.config.verify_rule().aligning()
    }

    fn at(&self, number: u32) -> (&'a Segment, usize) {
        let (s, i) = self.live[number as usize].expect("live document");
        (&self.segments[s as usize], i as usize)
    }

    /// Verified matches of `probe` among live documents other than `own`,
    /// as edges `(own or u32::MAX, other)` (for stored probes: `(min, max)`).
    fn matches(&self, probe: &Probe, own: Option<u32>) -> Result<Vec<Edge>> {
        let mut edges = Vec::new();
        for n in self.candidates(probe, own) {
            let other = self.probe(n)?;
            edges.extend(self.edge(probe, own, &other, n)?);
        }
        Ok(edges)
    }

    /// The live documents other than `own` that share a band key, the
    /// opening key or the exact body with `probe`, sorted and distinct.
    fn candidates(&self, probe: &Probe, own: Option<u32>) -> Vec<u32> {
        self.candidates_of(&[(probe, own)], |_, _| true)
            .pop()
            .expect("one probe")
    }

    /// [`State::candidates`] of each of `probes` (a probe and its own
    /// number). The probes' keys are looked up table by table in key
    /// order, and a key that several probes share (copies of one article
    /// share most band keys) once: one table's entries stay in the cache
    /// while its keys are looked up, where probe by probe every lookup
    /// went to another table (the lookups' cache misses were 18% of
    /// `syndic index build`).
    ///
    /// Only the candidates `m` of probe `k` for which `keep(k, m)` holds
    /// are listed (a caller that decides each pair once drops half).
    fn candidates_of(
        &self,
        probes: &[(&Probe, Option<u32>)],
        keep: impl Fn(u32, u32) -> bool + Sync,
    ) -> Vec<Vec<u32>> {
        let lookups = self.lookups(probes.len(), |k| probes[k].0);
        let runs: Vec<&[(usize, u64, u32)]> =
            lookups.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)).collect();
        // Runs in blocks, each looked up in key order from the previous
        // bucket of its table in each segment (`Segment::bucket`).
        let mut found: Vec<(u32, u32)> = runs
            .par_chunks(LOOKUP_BLOCK)
            .flat_map_iter(|block| {
                let mut pairs = Vec::new();
                let mut partners = Vec::new();
                // Per segment: the table and the end of the last bucket.
                let mut at = vec![(usize::MAX, 0); self.segments.len()];
                for run in block {
                    let (t, key) = (run[0].0, run[0].1);
                    let ranges: Vec<_> = self
                        .segments
                        .iter()
                        .zip(&mut at)
                        .map(|(seg, at)| {
                            let from = if at.0 == t { at.1 } else { 0 };
                            let r = seg.bucket(t, key, from);
                            *at = (t, r.end);
                            r
                        })
                        .collect();
                    // A bucket that is no flood gives every probe its live
                    // entries (but the probe's own): listed once. So does
                    // a flood to queries (no own number: no chain), which
                    // are not asked whether it is one (that counts dead
                    // entries, once per `State`, and a query makes one).
                    let stored = run.iter().any(|&(_, _, k)| probes[k as usize].1.is_some());
                    let whole = !stored || !self.flooded(&ranges, t);
                    partners.clear();
                    if whole {
                        self.bucket_partners(t, &ranges, None, &mut partners);
                    }
                    for &(_, _, k) in run.iter() {
                        let own = probes[k as usize].1;
                        if !whole {
                            partners.clear();
                            self.bucket_partners(t, &ranges, own, &mut partners);
                        }
                        pairs.extend(
                            partners
                                .iter()
                                .filter(|&&n| Some(n) != own && keep(k, n))
                                .map(|&n| (k, n)),
                        );
                    }
                }
                pairs
            })
            .collect();
        found.par_sort_unstable();
        found.dedup();
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); probes.len()];
        for (k, n) in found {
            out[k as usize].push(n);
        }
        out
    }

    /// The `(table, key, k)` lookups of probes `0..n` (`probe(k)`), each
    /// probe's keys ([`State::keys`]), sorted.
    fn lookups<P: std::borrow::Borrow<Probe>>(
        &self,
        n: usize,
        probe: impl Fn(usize) -> P + Sync,
    ) -> Vec<(usize, u64, u32)> {
        let mut lookups: Vec<(usize, u64, u32)> = (0..n)
            .into_par_iter()
            .flat_map_iter(|k| {
                let mut buf = Vec::new();
                self.keys(probe(k).borrow(), &mut buf);
                buf.into_iter().map(move |(t, key)| (t, key, k as u32))
            })
            .collect();
        lookups.par_sort_unstable();
        lookups
    }

    /// The (table, key) pairs that `probe` is looked up by, as
    /// `Index::table_keys` lays the tables out: its band keys, its lead
    /// keys with the opening after the exact table, and its body hash in
    /// the exact table.
    fn keys(&self, probe: &Probe, out: &mut Vec<(usize, u64)>) {
        let params = self.signer.params();
        let lead = self.signer.lead_params();
        let exact_table = params.bands + lead.map_or(0, |p: LshParams| p.bands);
        if !probe.short {
            let mut buf = Vec::new();
            lsh::band_keys(&probe.whole, params, &mut buf);
            self.signer.lead_keys(&probe.lead, probe.opening, &mut buf);
            out.extend(
                buf.into_iter()
                    .enumerate()
                    .map(|(t, k)| (if t == exact_table { t + 1 } else { t }, k)),
            );
        }
        out.push((exact_table, probe.body_hash as u64));
    }

    /// The live document `n` as a probe for candidates only: its stored
    /// signatures and body hash, no evidence and no opening (which needs
    /// its body).
    fn key_probe(&self, n: u32) -> Probe {
        let (seg, i) = self.at(n);
        Probe {
            whole: seg.signature(i),
            lead: seg.lead(i),
            short: seg.short(i),
            shingles: seg.shingles(i),
            body_hash: seg.body_hash(i),
            published: seg.published(i),
            opening: None,
            evidence: Evidence::default(),
            body: None,
            number: Some(n),
            tokens: std::sync::OnceLock::new(),
        }
    }

    /// The live document `n` as a probe for verification: its evidence as
    /// signing made it in this change ([`Signed`]), or else its stored
    /// text folded, stripped and shingled again.
    fn probe(&self, n: u32) -> Result<Probe> {
        if let Some(signed) = self.kept.and_then(|kept| kept.get(&n)) {
            return Ok(Probe {
                opening: signed.opening,
                evidence: signed.evidence.clone(),
                ..self.key_probe(n)
            });
        }
        let (seg, i) = self.at(n);
        let spec = self.settings.config.shingle;
        Probe::stored(seg, i, self.model, spec, self.aligning())
    }

    /// The body of live document `n` into `out`: its stored text folded
    /// and stripped of the boilerplate.
    fn body_into(&self, n: u32, out: &mut String) -> Result<()> {
        let (seg, i) = self.at(n);
        let doc = seg.doc(i)?;
        out.clear();
        self.model.body_into(doc.group, &doc.text, out);
        Ok(())
    }

    /// The token keys of `probe`'s body for the alignment rule, made on
    /// first use: from its body, or from its stored text when it was made
    /// without one. A text that cannot be read again leaves them unmade
    /// and the error in `failed`.
    fn tokens<'p>(&self, probe: &'p Probe, failed: &mut Option<Error>) -> &'p [u32] {
        if let Some(tokens) = probe.tokens.get() {
            return tokens;
        }
        let made = match (&probe.body, probe.number) {
            (Some(body), _) => Ok(shingle::token_keys(body)),
            (None, Some(n)) => {
                let mut body = String::new();
                self.body_into(n, &mut body)
                    .map(|_| shingle::token_keys(&body))
            }
            (None, None) => Ok(Vec::new()),
        };
        match made {
            Ok(tokens) => probe.tokens.get_or_init(|| tokens),
            Err(e) => {
                failed.get_or_insert(e);
                &[]
            }
        }
    }

    /// The edge between `probe` (number `own`, or a query) and the stored
    /// document `n` (as `other`), if they match. Two stored documents are
    /// decided lower number first, as `syndic cluster` does, so that either
    /// side gives the same answer.
    fn edge(&self, probe: &Probe, own: Option<u32>, other: &Probe, n: u32) -> Result<Option<Edge>> {
        let decided = match own {
            Some(o) if n < o => self.decide(other, probe)?,
            _ => self.decide(probe, other)?,
        };
        let Some((j, c)) = decided else {
            return Ok(None);
        };
        let (a, b) = match own {
            Some(o) => (o.min(n), o.max(n)),
            None => (u32::MAX, n),
        };
        Ok(Some(Edge {
            a,
            b,
            jaccard: j as f32,
            containment: c as f32,
        }))
    }

    /// Appends the live documents (other than `own`) of a bucket of table
    /// `t` (its entries `ranges` in each segment). A stored probe in a
    /// bucket of more than `max_bucket` live entries (a flood; entries of removed documents do not count,
    /// as they would not in a batch run over the live documents) gets the
    /// chain the batch run makes there
    /// ([`lsh::window`]): its [`lsh::CHAIN`] nearest live neighbours on each
    /// side in number order, found by binary search, so that matching does
    /// not read a flood's every page for each of its pages. A query
    /// (`own` none) gets the whole bucket.
    fn bucket_partners(
        &self,
        t: usize,
        ranges: &[std::ops::Range<usize>],
        own: Option<u32>,
        out: &mut Vec<u32>,
    ) {
        let live = |s: usize, j: usize| self.live_number(s, t, j).filter(|&n| Some(n) != own);
        let own = match own {
            Some(o) if self.flooded(ranges, t) => o,
            _ => {
                for (s, r) in ranges.iter().enumerate() {
                    out.extend(r.clone().filter_map(|j| live(s, j)));
                }
                return;
            }
        };
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for (s, r) in ranges.iter().cloned().enumerate() {
            let seg = &self.segments[s];
            // Entries of one key are in number order (see `Segment::bucket`).
            let lo = segment::partition_point(r.clone(), |j| seg.number(seg.entry(t, j)) < own);
            let near = |js: &mut dyn Iterator<Item = usize>| -> Vec<u32> {
                js.filter_map(|j| live(s, j)).take(lsh::CHAIN).collect()
            };
            before.extend(near(&mut (r.start..lo).rev()));
            after.extend(near(&mut (lo..r.end)));
        }
        before.sort_unstable_by(|a, b| b.cmp(a));
        after.sort_unstable();
        out.extend(before.into_iter().take(lsh::CHAIN));
        out.extend(after.into_iter().take(lsh::CHAIN));
    }

    /// The number of entry `j` of table `t` in segment `s`, if that
    /// document is live (and this is its live version).
    fn live_number(&self, s: usize, t: usize, j: usize) -> Option<u32> {
        let seg = &self.segments[s];
        let i = seg.entry(t, j);
        let n = seg.number(i);
        (self.live.get(n as usize) == Some(&Some((s as u32, i as u32)))).then_some(n)
    }

    /// Whether a bucket (its entries `ranges` in each segment of table
    /// `t`) holds more than `max_bucket` live entries. Dead entries are
    /// counted out only when there could be enough of them to matter,
    /// and the count stops once it is past `max_bucket`.
    fn flooded(&self, ranges: &[std::ops::Range<usize>], t: usize) -> bool {
        let max = self.settings.config.max_bucket;
        let size: usize = ranges.iter().map(|r| r.len()).sum();
        if size <= max {
            return false;
        }
        if size.saturating_sub(self.dead()) > max {
            return true;
        }
        let mut live = 0;
        for (s, r) in ranges.iter().enumerate() {
            for j in r.clone() {
                live += usize::from(self.live_number(s, t, j).is_some());
                if live > max {
                    return true;
                }
            }
        }
        false
    }

    /// Whether two documents match, and their exact Jaccard and
    /// containment: the pipeline's rule ([`crate::verify::VerifyRule::check`])
    /// on the same shingle sets and figures, after the index's time window.
    fn decide(&self, x: &Probe, y: &Probe) -> Result<Option<(f64, f64)>> {
        if let (Some(days), Some(s), Some(t)) =
            (self.settings.window_days, x.published, y.published)
        {
            if (s - t).abs() as f64 > days * 86_400.0 {
                return Ok(None);
            }
        }
        if x.body_hash == y.body_hash {
            return Ok(Some((1.0, 1.0)));
        }
        if x.short || y.short {
            return Ok(None);
        }
        let mut failed = None;
        let decided =
            self.settings
                .config
                .verify_rule()
                .check_with(&x.evidence, &y.evidence, || {
                    (self.tokens(x, &mut failed), self.tokens(y, &mut failed))
                });
        match failed {
            Some(e) => Err(e),
            None => Ok(decided),
        }
    }

    /// Each number's rank for choosing representatives, as the pipeline's.
    fn ranks(&self) -> Vec<Rank<'a>> {
        (0..self.live.len())
            .map(|k| match self.live[k] {
                Some((s, i)) => {
                    let seg = &self.segments[s as usize];
                    Rank {
                        published: seg.published(i as usize),
                        length: seg.length(i as usize) as usize,
                        id: seg.id(i as usize),
                    }
                }
                // Removed numbers never win: they rank after every live one.
                None => Rank {
                    published: None,
                    length: 0,
                    id: "\u{10FFFF}",
                },
            })
            .collect()
    }

    /// Each number's cluster representative (u32::MAX for no live
    /// document): the edges joined, then the part matches attached
    /// ([`crate::cluster::attach`]), as the pipeline's cluster stage.
    fn clusters(&self, edges: &[Edge]) -> Result<Vec<u32>> {
        let n = self.live.len();
        let mut uf = UnionFind::new(n);
        let size = |d: u32| {
            let (seg, i) = self.at(d);
            seg.shingles(i) as usize
        };
        let mut joined = Vec::new();
        let mut parts = Vec::new();
        for &e in edges {
            match Verdict::of(e, (size(e.a), size(e.b))) {
                Verdict::Part(p) => parts.push(p),
                _ => {
                    uf.union(e.a, e.b);
                    joined.push(e);
                }
            }
        }
        crate::cluster::attach(&mut uf, &joined, &parts, |d| Ok(size(d)))?;
        let reps = representatives(&uf.roots(), &self.ranks());
        Ok((0..n)
            .map(|k| match self.live[k] {
                Some(_) => reps[k],
                None => u32::MAX,
            })
            .collect())
    }
}

/// The index as the story stage reads it: bodies from the stored texts
/// under the current model, evidence made from them.
struct IndexStories<'s, 'a> {
    state: &'s State<'a>,
}

impl StorySource for IndexStories<'_, '_> {
    fn body_into(&self, d: u32, out: &mut String) -> Result<()> {
        self.state.body_into(d, out)
    }

    fn evidence(&self, d: u32) -> Result<std::borrow::Cow<'_, Evidence>> {
        if let Some(signed) = self.state.kept.and_then(|kept| kept.get(&d)) {
            return Ok(std::borrow::Cow::Borrowed(&signed.evidence));
        }
        let (seg, i) = self.state.at(d);
        let spec = self.state.settings.config.shingle;
        Ok(std::borrow::Cow::Owned(
            Probe::stored(seg, i, self.state.model, spec, false)?.evidence,
        ))
    }
}

impl State<'_> {
    /// Each number's story and thread representatives, from each number's
    /// cluster representative (u32::MAX for no live document), by the
    /// pipeline's story stage.
    fn stories(&self, clusters: &[u32]) -> Result<(Vec<u32>, Vec<u32>)> {
        let source = IndexStories { state: self };
        let config = &self.settings.config;
        let grouped = crate::pipeline::stories::stories(
            clusters,
            &self.ranks(),
            &source,
            None,
            config,
            &Resources::default(),
            BATCH,
        )?;
        // The stage gives each cluster representative its story's and
        // thread's.
        let by_number = |of: &[u32]| -> Vec<u32> {
            (0..clusters.len())
                .map(|k| match self.live[k] {
                    Some(_) => of[clusters[k] as usize],
                    None => u32::MAX,
                })
                .collect()
        };
        Ok((by_number(&grouped.stories), by_number(&grouped.threads)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generation_files_are_ours() {
        for ours in [
            "seg-12.syx",
            "edges-0.bin",
            "model-3.bin",
            "clusters-44.bin",
            "stories-1.bin",
            "threads-2.bin",
        ] {
            assert!(generation_file(ours), "{ours}");
        }
        for theirs in [
            "clusters-2026-03-01.jsonl",
            "seg-notes.txt",
            "seg-.syx",
            "edges-1.bin.bak",
            "MANIFEST",
            "LOCK",
            "model-x.bin",
        ] {
            assert!(!generation_file(theirs), "{theirs}");
        }
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("7d"), Ok(7.0));
        assert_eq!(parse_window("36h"), Ok(1.5));
        assert_eq!(parse_window("2"), Ok(2.0));
        assert!(parse_window("0d").is_err());
        assert!(parse_window("7w").is_err());
        assert!(parse_window("soon").is_err());
    }
}
