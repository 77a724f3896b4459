//! Opening inputs: expanding folders and globs into files, recognising each
//! file's format, and decompressing gzip or zstd (detected by magic bytes, not
//! by name). `-` is standard input, spooled to a temporary file so that `dedup`
//! can read it a second time to copy records unchanged.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// How the records of a file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// One JSON object per line (`.jsonl`, `.ndjson`, or `.json` not starting with `[`).
    JsonLines,
    /// A JSON array of objects (`.json` starting with `[`).
    JsonArray,
    /// Comma-separated values with a header row (`.csv`).
    Csv,
    /// Tab-separated values with a header row (`.tsv`, `.tab`).
    Tsv,
    /// A whole file is one article (`.txt`).
    Text,
    /// A whole file is one web page (`.html`, `.htm`).
    Html,
    /// Reuters-21578 SGML (`.sgm`): one document per `<REUTERS>` element.
    ReutersSgml,
    /// Apache Parquet (`.parquet`, or magic `PAR1`): one document per row.
    Parquet,
}

impl Format {
    /// The format named by a file name's extension, ignoring `.gz`/`.zst`,
    /// and whether it must be sniffed (`.json` may be lines or an array).
    fn from_name(name: &str) -> Option<(Format, bool)> {
        let name = name.to_ascii_lowercase();
        let base = [".gz", ".zst", ".zstd", ".bz2", ".xz", ".lz4", ".zip"]
            .iter()
            .find_map(|c| name.strip_suffix(c))
            .unwrap_or(&name);
        let ext = base.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "json" => (Format::JsonLines, true),
            "jsonl" | "ndjson" => (Format::JsonLines, false),
            "csv" => (Format::Csv, false),
            "tsv" | "tab" => (Format::Tsv, false),
            "txt" => (Format::Text, false),
            "html" | "htm" => (Format::Html, false),
            "sgm" | "sgml" => (Format::ReutersSgml, false),
            "parquet" | "pq" => (Format::Parquet, false),
            _ => return None,
        })
    }

    /// Tells JSON lines from a JSON array (for `.json`), or guesses an unnamed
    /// format, from the first bytes of the decompressed stream.
    fn sniff(named: Option<(Format, bool)>, head: &[u8]) -> Format {
        let first = head
            .iter()
            .find(|b| !b.is_ascii_whitespace() && **b != 0xef && **b != 0xbb && **b != 0xbf);
        if head.starts_with(PARQUET_MAGIC) {
            return Format::Parquet;
        }
        match (named, first) {
            (Some((_, true)) | None, Some(b'[')) => Format::JsonArray,
            (Some((f, _)), _) => f,
            (None, Some(b'{')) => Format::JsonLines,
            (None, Some(b'<')) => Format::Html,
            (None, _) => Format::Text,
        }
    }
}

/// Compressions syndic does not read, by magic bytes, with the command
/// that undoes them: such a file is an error, never read as text.
const UNREAD_COMPRESSIONS: [(&[u8], &str, &str); 4] = [
    (b"BZh", "bzip2", "bunzip2"),
    (b"\xfd7zXZ\x00", "xz", "unxz"),
    (b"\x04\x22\x4d\x18", "lz4", "unlz4"),
    (b"PK\x03\x04", "zip", "unzip"),
];

/// One input file.
#[derive(Debug)]
pub struct InputSource {
    /// The name to show in messages (`-` for stdin).
    display: PathBuf,
    /// The id of a whole-file document (text, HTML): its path relative to the
    /// folder it was found in, or the path as given.
    pub(crate) file_id: String,
    backing: Backing,
    format: Format,
}

#[derive(Debug)]
enum Backing {
    Path(PathBuf),
    /// A copy of a stream that can be read once only (stdin, a FIFO, a
    /// process substitution), in an unlinked temporary file: nothing is
    /// left behind however the process ends.
    Spooled(File),
}

/// Copies a read-once stream into an unlinked temporary file.
fn spool(mut reader: impl Read, display: &Path) -> Result<File> {
    let mut file = tempfile::tempfile().map_err(|e| Error::io(display, e))?;
    io::copy(&mut reader, &mut file).map_err(|e| Error::io(display, e))?;
    Ok(file)
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands the inputs given by the user: folders (recursively, files of known
/// formats only, sorted), glob patterns (sorted) and `-`.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<InputSource>> {
    let mut out = Vec::new();
    for path in paths {
        let text = path.to_string_lossy();
        if text == "-" {
            out.push(InputSource::stdin()?);
        } else if path.is_dir() {
            let mut files = Vec::new();
            let mut seen_dirs = std::collections::HashSet::new();
            walk(path, &mut files, &mut seen_dirs).map_err(|e| Error::io(path, e))?;
            files.sort();
            // A file reached by two paths (through a symlink) is read once,
            // under the first path in sorted order.
            let mut seen_files = std::collections::HashSet::new();
            files.retain(|f| {
                seen_files.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
            });
            for f in files {
                let rel = f
                    .strip_prefix(path)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .into_owned();
                out.push(InputSource::file(f, rel)?);
            }
        } else if !path.exists() && has_glob(&text) {
            let pattern = glob::glob(&text)
                .map_err(|e| Error::Config(format!("bad pattern {text:?}: {e}")))?;
            let mut files: Vec<PathBuf> = pattern
                .filter_map(|p| p.ok())
                .filter(|p| p.is_file())
                .collect();
            if files.is_empty() {
                return Err(Error::Config(format!("no file matches {text:?}")));
            }
            files.sort();
            for f in files {
                let id = f.to_string_lossy().into_owned();
                out.push(InputSource::file(f, id)?);
            }
        } else {
            out.push(InputSource::file(path.clone(), text.into_owned())?);
        }
    }
    Ok(out)
}

/// The files of known formats under `dir`, following symlinks but entering
/// each folder once (by its canonical path), so that a symlink loop ends.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> io::Result<()> {
    if !seen.insert(std::fs::canonicalize(dir)?) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out, seen)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(Format::from_name)
            .is_some()
        {
            out.push(path);
        }
    }
    Ok(())
}

impl InputSource {
    fn file(path: PathBuf, file_id: String) -> Result<InputSource> {
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(Format::from_name);
        // A FIFO or device can be read once: it is copied first, so that
        // sniffing its format does not consume its first bytes.
        let read_once = std::fs::metadata(&path).is_ok_and(|m| !m.file_type().is_file());
        let backing = match read_once {
            true => {
                let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
                Backing::Spooled(spool(f, &path)?)
            }
            false => Backing::Path(path.clone()),
        };
        let mut source = InputSource {
            display: path,
            file_id,
            backing,
            format: Format::JsonLines,
        };
        source.format = Format::sniff(
            named,
            source
                .open()?
                .fill_buf()
                .map_err(|e| Error::io(&source.display, e))?,
        );
        Ok(source)
    }

    fn stdin() -> Result<InputSource> {
        let spooled = spool(io::stdin().lock(), Path::new("-"))?;
        let mut source = InputSource {
            display: PathBuf::from("-"),
            file_id: "-".into(),
            backing: Backing::Spooled(spooled),
            format: Format::JsonLines,
        };
        source.format = Format::sniff(
            None,
            source.open()?.fill_buf().map_err(|e| Error::io("-", e))?,
        );
        Ok(source)
    }

    /// The path as given (or `-` for stdin), for messages and for refusing to overwrite inputs.
    pub fn display_path(&self) -> &Path {
        &self.display
    }

    /// The format the file was recognised as.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Opens the (decompressed) byte stream from the start.
    pub fn open(&self) -> Result<Box<dyn BufRead + Send>> {
        open_input(self.raw_file()?).map_err(|e| Error::io(&self.display, e))
    }

    /// The file itself (not decompressed), from the start: for formats
    /// read by seeking, such as Parquet.
    pub(crate) fn raw_file(&self) -> Result<File> {
        let io = |e| Error::io(&self.display, e);
        match &self.backing {
            Backing::Path(p) => File::open(p).map_err(io),
            Backing::Spooled(f) => {
                // A second handle on the same open file: reads run one at a time.
                let mut f = f.try_clone().map_err(io)?;
                f.rewind().map_err(io)?;
                Ok(f)
            }
        }
    }
}

/// Wraps a reader in the right decompressor, chosen by its first bytes,
/// and drops a UTF-8 byte order mark at the start of the text (editors on
/// Windows write one; it would otherwise spoil the first record or header).
pub fn open_input<R: Read + Send + 'static>(inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(1 << 16, inner);
    let head = buffered.fill_buf()?;
    if let Some((_, name, undo)) = UNREAD_COMPRESSIONS
        .iter()
        .find(|(magic, _, _)| head.starts_with(magic))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("compressed with {name}, which syndic does not read: decompress it first ({undo}), or recompress with gzip or zstd"),
        ));
    }
    let mut text: Box<dyn BufRead + Send> = if head.starts_with(&GZIP_MAGIC) {
        let gz = flate2::bufread::MultiGzDecoder::new(buffered);
        Box::new(BufReader::with_capacity(1 << 16, gz))
    } else if head.starts_with(&ZSTD_MAGIC) {
        let zs = zstd::stream::read::Decoder::with_buffer(buffered)?;
        Box::new(BufReader::with_capacity(1 << 16, zs))
    } else {
        Box::new(buffered)
    };
    if text.fill_buf()?.starts_with(UTF8_BOM) {
        text.consume(UTF8_BOM.len());
    }
    Ok(text)
}

/// The UTF-8 byte order mark.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names_and_first_bytes() {
        assert_eq!(
            Format::from_name("a.jsonl.gz"),
            Some((Format::JsonLines, false))
        );
        assert_eq!(Format::from_name("A.CSV.zst"), Some((Format::Csv, false)));
        assert_eq!(Format::from_name("page.htm"), Some((Format::Html, false)));
        assert_eq!(Format::from_name("notes"), None);
        let json = Format::from_name("a.json");
        assert_eq!(Format::sniff(json, b"  [{\"id\":1}]"), Format::JsonArray);
        assert_eq!(Format::sniff(json, b"{\"id\":1}"), Format::JsonLines);
        assert_eq!(
            Format::sniff(Format::from_name("a.jsonl"), b"[1]"),
            Format::JsonLines
        );
        assert_eq!(Format::sniff(Format::from_name("a.csv"), b"["), Format::Csv);
        assert_eq!(Format::sniff(None, b"{\"a\":1}"), Format::JsonLines);
        assert_eq!(Format::sniff(None, b"<!doctype html>"), Format::Html);
        assert_eq!(Format::sniff(None, b"Plain words"), Format::Text);
        assert_eq!(Format::sniff(None, b"PAR1\x15\x04"), Format::Parquet);
        assert_eq!(
            Format::from_name("part-0001.parquet"),
            Some((Format::Parquet, false))
        );
    }
}
