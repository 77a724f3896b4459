//! Writers of syndic's outputs. Files are written to a temporary file beside
//! the target and renamed into place when complete, so an interrupted run never
//! leaves a half-written output (an existing file stays as it was). `-` writes
//! to standard output. An output path that is also an input is refused.

use super::{Corpus, Document, Location};
use crate::error::{Error, Result};
use crate::pipeline::DocOutcome;
use ahash::AHashSet;
use serde::Serialize;
use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output being written: to a temporary file until [`Output::commit`].
pub struct Output {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<tempfile::NamedTempFile>),
}

impl Output {
    /// Opens `path` for writing (`-` is stdout). `inputs` are refused as targets.
    pub fn create(path: &Path, inputs: &[PathBuf]) -> Result<Output> {
        if path.as_os_str() == "-" {
            return Ok(Output {
                path: path.to_path_buf(),
                sink: Sink::Stdout(BufWriter::new(io::stdout())),
            });
        }
        if let Ok(target) = fs::canonicalize(path) {
            if inputs
                .iter()
                .any(|i| fs::canonicalize(i).is_ok_and(|i| i == target))
            {
                return Err(Error::Config(format!(
                    "refusing to overwrite input file {} with output",
                    path.display()
                )));
            }
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".syndic-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, e))?;
        Ok(Output {
            path: path.to_path_buf(),
            sink: Sink::File(BufWriter::with_capacity(1 << 16, tmp)),
        })
    }

    /// Flushes and atomically moves the output into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        match self.sink {
            Sink::Stdout(mut w) => w.flush().map_err(|e| Error::io(&path, e)),
            Sink::File(w) => {
                let tmp = w
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
                tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
                Ok(())
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
        }
    }
}

/// One line of `clusters.jsonl`.
#[derive(Debug, Serialize)]
pub struct ClusterLine<'a> {
    pub id: &'a str,
    pub cluster: &'a str,
    pub representative: bool,
    pub similarity: Option<f32>,
    pub short: bool,
}

/// Writes one cluster line per document, in input order.
pub fn write_clusters<W: Write>(
    mut w: W,
    docs: &[Document],
    outcomes: &[DocOutcome],
) -> io::Result<()> {
    for (i, (d, o)) in docs.iter().zip(outcomes).enumerate() {
        let line = ClusterLine {
            id: &d.id,
            cluster: &docs[o.representative as usize].id,
            representative: o.representative as usize == i,
            similarity: o.similarity,
            short: o.short,
        };
        serde_json::to_writer(&mut w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

impl Corpus {
    /// Copies the input records at `keep` to `w`, byte for byte, in input order.
    pub fn copy_records<W: Write>(&self, keep: &AHashSet<Location>, mut w: W) -> Result<u64> {
        let mut copied = 0;
        for (file, source) in self.files.iter().enumerate() {
            if !keep.iter().any(|l| l.file as usize == file) {
                continue;
            }
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
                if keep.contains(&Location {
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
