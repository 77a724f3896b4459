//! Writers of syndic's outputs. Files are written to a temporary file beside
//! the target and renamed into place when complete, so an interrupted run never
//! leaves a half-written output (an existing file stays as it was). `-` writes
//! to standard output. An output path that is also an input is refused.
//!
//! Several outputs of one run are committed together: each is
//! [finished](Output::finish) (flushed and synced) first, then all are
//! moved into place, so a full disk replaces none of them. A process that
//! is ending on a signal removes its unfinished temporary files with
//! [`remove_unfinished_outputs`].

use super::{Corpus, Document, Location, Reject};
use crate::error::{Error, Result};
use crate::pipeline::DocOutcome;
use ahash::AHashSet;
use rayon::prelude::*;
use serde::Serialize;
use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output being written: to a temporary file until [`Output::commit`].
pub struct Output {
    path: PathBuf,
    sink: Sink,
    /// The temporary file's registration (see [`remove_unfinished_outputs`]).
    _unfinished: Option<Unfinished>,
}

/// An output written and synced, not yet moved into place.
pub struct Finished {
    path: PathBuf,
    tmp: Option<tempfile::NamedTempFile>,
    _unfinished: Option<Unfinished>,
}

/// Temporary files of outputs not yet committed.
static UNFINISHED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary file listed in [`UNFINISHED`] while it lives.
struct Unfinished(PathBuf);

impl Unfinished {
    fn new(path: &Path) -> Unfinished {
        if let Ok(mut list) = UNFINISHED.lock() {
            list.push(path.to_path_buf());
        }
        Unfinished(path.to_path_buf())
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Ok(mut list) = UNFINISHED.lock() {
            list.retain(|p| p != &self.0);
        }
    }
}

/// Removes the temporary files of every output not yet committed. For a
/// signal handler, just before the process ends (destructors, which
/// remove them otherwise, do not run then).
pub fn remove_unfinished_outputs() {
    if let Ok(list) = UNFINISHED.lock() {
        for path in list.iter() {
            let _ = fs::remove_file(path);
        }
    }
}

/// The start of this machine's temporary output names:
/// `.syndic-{host}-`, followed by the writing process's id, `-`, a random
/// part and `.tmp`. The host and process say whose file it is. Read once
/// per process.
fn temp_prefix() -> &'static str {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        let host = fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| fs::read_to_string("/etc/hostname"))
            .unwrap_or_default();
        let host: String = host
            .trim()
            .chars()
            .map(
                |c| match c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    true => c,
                    false => '_',
                },
            )
            .collect();
        format!(".syndic-{host}-")
    })
}

/// The process id in a temporary output name of this machine
/// (`.syndic-{host}-{pid}-{random}.tmp`), if `name` is one.
fn temp_owner(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(".tmp")?;
    let (pid, random) = rest.split_once('-')?;
    let random_ok = !random.is_empty() && random.bytes().all(|b| b.is_ascii_alphanumeric());
    (random_ok && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Removes from `dir` the temporary outputs that syndic runs on this
/// machine left when they were killed (SIGKILL, the OOM killer: no handler
/// runs then): files named as [`temp_prefix`] names them whose process no
/// longer runs. Files of running processes, of other machines (a shared
/// folder) and every other file are left alone; nothing is removed where
/// `/proc` cannot tell which processes run. Errors are ignored: sweeping
/// is a courtesy, never a reason to fail.
fn sweep_ended(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = temp_prefix();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| temp_owner(n, prefix)) else {
            continue;
        };
        let ended = pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists();
        if ended && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<tempfile::NamedTempFile>),
    /// A device or FIFO, written in place.
    InPlace(BufWriter<fs::File>),
}

/// The file a symlink points to (relative targets are taken from the
/// link's folder), following chains of links.
fn link_target(path: &Path) -> Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&at).map_err(|e| Error::io(&at, e))?;
                at = match at.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(Error::Config(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// Refuses an output that is one of the inputs: the same file (device and
/// inode), or the file standard input is redirected from when an input is `-`.
fn refuse_inputs(path: &Path, inputs: &[PathBuf]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(out) = fs::metadata(path) else {
        return Ok(());
    };
    if !out.file_type().is_file() {
        return Ok(());
    }
    let same = |m: fs::Metadata| m.dev() == out.dev() && m.ino() == out.ino();
    let clash = inputs.iter().any(|i| match i.as_os_str() == "-" {
        true => fs::metadata("/dev/stdin").is_ok_and(same),
        false => fs::metadata(i).is_ok_and(same),
    });
    match clash {
        true => Err(Error::Config(format!(
            "refusing to overwrite input file {} with output",
            path.display()
        ))),
        false => Ok(()),
    }
}

impl Output {
    /// Opens `path` for writing (`-` is stdout). `inputs` are refused as
    /// targets (the same file by device and inode, also when an input is
    /// standard input redirected from it). A symlink is written through: its
    /// target is replaced, the link stays. A path that exists and is not a
    /// regular file (a device such as `/dev/null`, a FIFO) is written in
    /// place, never replaced.
    pub fn create(path: &Path, inputs: &[PathBuf]) -> Result<Output> {
        if path.as_os_str() == "-" {
            return Ok(Output {
                path: path.to_path_buf(),
                sink: Sink::Stdout(BufWriter::new(io::stdout())),
                _unfinished: None,
            });
        }
        refuse_inputs(path, inputs)?;
        let target = match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => link_target(path)?,
            _ => path.to_path_buf(),
        };
        if let Ok(m) = fs::metadata(&target) {
            if !m.file_type().is_file() {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(|e| Error::io(path, e))?;
                return Ok(Output {
                    path: target,
                    sink: Sink::InPlace(BufWriter::new(file)),
                    _unfinished: None,
                });
            }
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        sweep_ended(dir);
        // 0666 less the umask, as any new file gets (tempfile's own default
        // is 0600, which left outputs unreadable to the user's group).
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{}{}-", temp_prefix(), std::process::id()))
            .suffix(".tmp")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, e))?;
        Ok(Output {
            path: target,
            _unfinished: Some(Unfinished::new(tmp.path())),
            sink: Sink::File(BufWriter::with_capacity(1 << 16, tmp)),
        })
    }

    /// Flushes and atomically moves the output into place.
    pub fn commit(self) -> Result<()> {
        self.finish()?.persist()
    }

    /// Flushes and syncs the output; [`Finished::persist`] moves it into
    /// place. Dropping the result instead removes the temporary file.
    pub fn finish(self) -> Result<Finished> {
        let path = self.path;
        let tmp = match self.sink {
            Sink::Stdout(mut w) => w.flush().map(|_| None),
            Sink::InPlace(mut w) => w.flush().map(|_| None),
            Sink::File(w) => w
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|tmp| tmp.as_file().sync_all().map(|_| Some(tmp))),
        }
        .map_err(|e| Error::io(&path, e))?;
        Ok(Finished {
            path,
            tmp,
            _unfinished: self._unfinished,
        })
    }

    /// The path the output goes to (its final name).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Finished {
    /// Moves the output into place (a rename over the old file).
    pub fn persist(self) -> Result<()> {
        match self.tmp {
            None => Ok(()),
            Some(tmp) => tmp
                .persist(&self.path)
                .map(|_| ())
                .map_err(|e| Error::io(&self.path, e.error)),
        }
    }
}

/// Finishes every output, then moves them all into place: an error while
/// finishing (a full disk) replaces none of them.
pub fn commit_together(outputs: Vec<Output>) -> Result<()> {
    let finished: Vec<Finished> = outputs
        .into_iter()
        .map(Output::finish)
        .collect::<Result<_>>()?;
    finished.into_iter().try_for_each(Finished::persist)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
            Sink::InPlace(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
            Sink::InPlace(w) => w.flush(),
        }
    }
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Serialize)]
pub struct ClusterLine<'a> {
    /// The document's id.
    pub id: &'a str,
    /// Id of its cluster's representative.
    pub cluster: &'a str,
    /// Id of its story's representative.
    pub story: &'a str,
    /// Id of its thread's representative.
    pub thread: &'a str,
    /// Whether it represents its cluster (the origin).
    pub representative: bool,
    /// Exact Jaccard to the representative (none for the representative).
    pub similarity: Option<f32>,
    /// Exact containment in the representative.
    pub containment: Option<f32>,
    /// Too short to shingle: matched exactly only.
    pub short: bool,
}

/// Layout of the cluster file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableFormat {
    /// One JSON object per line.
    JsonLines,
    /// Comma-separated, with a header.
    Csv,
    /// Tab-separated, with a header.
    Tsv,
}

/// Writes skipped records as JSON lines: `file`, `line`, `kind` (a stable
/// name) and `problem` (the message).
pub fn write_rejects<W: Write>(out: &mut W, rejects: &[Reject]) -> Result<()> {
    for r in rejects {
        let line = serde_json::json!({
            "file": r.file.display().to_string(),
            "line": r.line,
            "kind": r.problem.kind(),
            "problem": r.problem.to_string(),
        });
        writeln!(out, "{line}").map_err(|e| Error::io("rejects", e))?;
    }
    Ok(())
}

/// Writes one cluster line per document, in input order: JSON Lines, or CSV /
/// TSV with a header (`similarity` and `containment` empty for representatives).
pub fn write_clusters<W: Write>(
    mut w: W,
    docs: &[Document],
    outcomes: &[DocOutcome],
    format: TableFormat,
) -> io::Result<()> {
    let line = |i: usize| {
        let (d, o) = (&docs[i], &outcomes[i]);
        ClusterLine {
            id: &d.id,
            cluster: &docs[o.representative as usize].id,
            story: &docs[o.story as usize].id,
            thread: &docs[o.thread as usize].id,
            representative: o.representative as usize == i,
            similarity: o.similarity,
            containment: o.containment,
            short: o.short,
        }
    };
    let n = docs.len().min(outcomes.len());
    let delimiter = match format {
        TableFormat::JsonLines => {
            // Blocks of lines are serialized in parallel, written in order.
            let starts: Vec<usize> = (0..n).step_by(4096).collect();
            let blocks: Vec<Vec<u8>> = starts
                .par_iter()
                .map(|&start| {
                    let mut block = Vec::new();
                    for i in start..(start + 4096).min(n) {
                        serde_json::to_writer(&mut block, &line(i))?;
                        block.push(b'\n');
                    }
                    Ok(block)
                })
                .collect::<io::Result<_>>()?;
            for block in blocks {
                w.write_all(&block)?;
            }
            return Ok(());
        }
        TableFormat::Csv => b',',
        TableFormat::Tsv => b'\t',
    };
    let mut table = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(w);
    for i in 0..n {
        table.serialize(line(i))?;
    }
    table.flush()
}

/// A copy in the syndication report.
#[derive(Debug, Serialize)]
struct Copy<'a> {
    id: &'a str,
    source: Option<&'a str>,
    published: Option<&'a str>,
    /// Seconds after the origin, when both have parseable times.
    lag_seconds: Option<i64>,
    similarity: Option<f32>,
    containment: Option<f32>,
}

/// Writes the syndication report: for every cluster with copies, its origin
/// (the earliest-published member) and each copy with source, time lag,
/// similarity and containment. Clusters in order of their origin's input
/// position; copies by lag, then input order.
pub fn write_syndication<W: Write>(
    mut w: W,
    docs: &[Document],
    outcomes: &[DocOutcome],
) -> io::Result<()> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); docs.len()];
    for (i, o) in outcomes.iter().enumerate() {
        if o.representative as usize != i {
            members[o.representative as usize].push(i);
        }
    }
    let time = |i: usize| docs[i].published.as_deref().and_then(super::parse_time);
    for (origin, copies) in members
        .iter_mut()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
    {
        let t0 = time(origin);
        let lag = |i: usize| t0.zip(time(i)).map(|(a, b)| b - a);
        copies.sort_by_key(|&i| (lag(i).is_none(), lag(i), i));
        let d = &docs[origin];
        let line = serde_json::json!({
            "cluster": d.id,
            "story": docs[outcomes[origin].story as usize].id,
            "thread": docs[outcomes[origin].thread as usize].id,
            "origin": {"id": d.id, "source": d.source, "url": d.url, "published": d.published},
            "copies": copies.iter().map(|&i| Copy {
                id: &docs[i].id,
                source: docs[i].source.as_deref(),
                published: docs[i].published.as_deref(),
                lag_seconds: lag(i),
                similarity: outcomes[i].similarity,
                containment: outcomes[i].containment,
            }).collect::<Vec<_>>(),
        });
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

impl Corpus {
    /// Writes the documents at `keep` (indices into `docs`, any order) to `w`
    /// in input order: JSON Lines records byte for byte, records of other
    /// formats as JSON objects with their id, text and metadata.
    pub fn copy_records<W: Write>(&self, keep: &[usize], mut w: W) -> Result<u64> {
        let mut by_file: Vec<Vec<usize>> = vec![Vec::new(); self.files.len()];
        for &k in keep {
            by_file[self.docs[k].location.file as usize].push(k);
        }
        let mut copied = 0;
        for (file, (source, mut kept)) in self.files.iter().zip(by_file).enumerate() {
            if kept.is_empty() {
                continue;
            }
            kept.sort_by_key(|&k| self.docs[k].location);
            if source.format() != super::Format::JsonLines {
                for k in kept {
                    let d = &self.docs[k];
                    let text = self.texts().text(k)?;
                    let record = serde_json::json!({
                        "id": d.id, "text": text, "title": d.title, "url": d.url,
                        "source": d.source, "published": d.published,
                    });
                    writeln!(w, "{record}").map_err(|e| Error::io("output", e))?;
                    copied += 1;
                }
                continue;
            }
            let lines: AHashSet<Location> = kept.iter().map(|&k| self.docs[k].location).collect();
            let mut reader = source.open()?;
            let mut buf = Vec::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                let n = reader
                    .read_until(b'\n', &mut buf)
                    .map_err(|e| Error::io(source.display_path(), e))?;
                if n == 0 {
                    break;
                }
                line += 1;
                if lines.contains(&Location {
                    file: file as u32,
                    line,
                }) {
                    if !buf.ends_with(b"\n") {
                        buf.push(b'\n');
                    }
                    w.write_all(&buf).map_err(|e| Error::io("output", e))?;
                    copied += 1;
                }
            }
        }
        Ok(copied)
    }
}
