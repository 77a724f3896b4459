//! Corpus: the [`Document`] type, the readers that turn input files into
//! documents, and the writers of syndic's outputs.
//!
//! Inputs may be files, folders (read recursively) or glob patterns, each in
//! one of the [`Format`]s: JSON Lines, JSON arrays, CSV/TSV with a header,
//! plain text files (one article each) or HTML pages, optionally gzip- or
//! zstd-compressed. Line-oriented formats are streamed, never slurped whole.
//! Every record either becomes a [`Document`] or a [`Reject`] naming
//! `file:line` and what was wrong, so no input is ever lost without a trace.

#[cfg(feature = "parquet")]
pub mod arrow;
mod delimited;
pub mod generate;
pub mod html;
mod input;
mod jsonl;
mod reuters;
pub mod write;

pub use input::{expand, open_input, Format, InputSource};

use crate::error::{Error, Problem, Result};
use crate::store::{BlobStore, Resources};
use ahash::AHashMap;
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One article as read from the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The record's id (the `--id-field`, else `file:line`; a whole-file
    /// document's id is its path relative to the folder given).
    pub id: String,
    /// The article text, exactly as given (normalization happens later).
    pub text: String,
    /// The headline, if given.
    pub title: Option<String>,
    /// The page's URL, if given (its host is the boilerplate group when there is no source).
    pub url: Option<String>,
    /// Publishing site; used to learn per-site boilerplate.
    pub source: Option<String>,
    /// Publication time as given (RFC 3339, `YYYY-MM-DD`, RFC 2822, or epoch seconds).
    pub published: Option<String>,
    /// Where the record came from.
    pub location: Location,
}

impl Document {
    /// A document with only an id and a text; readers fill in the rest, and
    /// [`Corpus::read`] sets the location.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            title: None,
            url: None,
            source: None,
            published: None,
            location: Location { file: 0, line: 0 },
        }
    }
}

/// Where a record is: an index into [`Corpus::files`] and a 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Index of the file in [`Corpus::files`].
    pub file: u32,
    /// 1-based line (or record) number in it.
    pub line: u64,
}

/// A record that could not be read, with the reason. Listed in `--rejects`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// The file the record is in.
    pub file: PathBuf,
    /// Its 1-based line.
    pub line: u64,
    /// What is wrong with it.
    pub problem: Problem,
}

/// One record's outcome from a format reader: its size and the document or
/// the problem.
pub(crate) struct Record {
    pub bytes: usize,
    pub result: Result<Document, Problem>,
}

impl Record {
    /// A record that is only a problem.
    pub fn problem(bytes: usize, problem: Problem) -> Record {
        Record {
            bytes,
            result: Err(problem),
        }
    }
}

/// How to read records.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Field (JSON) or column (CSV/TSV) holding the id.
    pub id_field: String,
    /// Field or column holding the article text.
    pub text_field: String,
    /// Skip and count bad records instead of stopping at the first one.
    pub skip_invalid: bool,
    /// Records whose text is longer than this are rejected (never truncated
    /// silently); checked once for every format, in [`Corpus::read`].
    pub max_doc_bytes: usize,
    /// For plain-text files: the first line is the title.
    pub title_first_line: bool,
    /// Under a memory limit, texts move to a store that spills to disk as they are read
    /// (RAM up to `texts_budget` bytes, then a temporary file).
    pub spill_texts: Option<Resources>,
}

/// Skipped records kept in [`Corpus::rejects`]; the rest are counted.
pub const KEPT_REJECTS: usize = 100_000;

/// Share of the memory limit that texts may hold in RAM.
pub const TEXT_SHARE: u64 = 4;

/// Where [`Corpus::read_handing`] hands documents as they are read.
pub struct Handoff<'a> {
    /// Text bytes per batch handed over.
    pub bytes: usize,
    /// Takes each batch (the next documents in input order).
    pub take: &'a mut dyn FnMut(&mut [Document]) -> Result<()>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_field: "id".into(),
            text_field: "text".into(),
            skip_invalid: false,
            max_doc_bytes: 64 << 20,
            title_first_line: false,
            spill_texts: None,
        }
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Input files in the order read; `Location::file` indexes this.
    pub files: Vec<InputSource>,
    /// Every document read, in input order.
    pub docs: Vec<Document>,
    /// The first [`KEPT_REJECTS`] records skipped with `skip_invalid`, in
    /// input order (every one is counted in [`Corpus::reject_counts`] and
    /// given to the `on_reject` of [`Corpus::read_reporting`], so that
    /// millions of bad records do not fill memory).
    pub rejects: Vec<Reject>,
    /// Skipped records by problem kind.
    reject_kinds: Vec<(&'static str, usize)>,
    /// Total bytes of records read (after decompression).
    pub bytes: u64,
    /// The texts, when read under a memory limit (the documents' own `text`
    /// fields are then empty); see [`Corpus::texts`].
    pub spilled: Option<BlobStore>,
}

/// The texts of a corpus's documents, wherever they are.
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    docs: &'a [Document],
    spilled: Option<&'a BlobStore>,
}

impl<'a> Texts<'a> {
    /// The texts held by the documents themselves.
    pub fn new(docs: &'a [Document]) -> Texts<'a> {
        Texts {
            docs,
            spilled: None,
        }
    }

    /// The text of document `i`.
    pub fn text(&self, i: usize) -> Result<Cow<'a, str>> {
        match self.spilled {
            None => Ok(Cow::Borrowed(&self.docs[i].text)),
            Some(store) => {
                let bytes = store.get(i as u32)?.into_owned();
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .map_err(|_| Error::Config("spilled text is not UTF-8".into()))
            }
        }
    }

    /// The number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// The length in bytes of document `i`'s text.
    pub fn text_len(&self, i: usize) -> usize {
        match self.spilled {
            None => self.docs[i].text.len(),
            Some(store) => store.blob_len(i as u32),
        }
    }

    /// Whether the texts are held under a memory limit (they spill to
    /// disk past their share): a caller then holds nothing more per text
    /// than it must.
    pub fn limited(&self) -> bool {
        self.spilled.is_some()
    }

    /// Whether the texts are (partly) on disk.
    pub fn spilled(&self) -> bool {
        self.spilled.is_some_and(BlobStore::spilled)
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl Corpus {
    /// Reads every input in order. With `skip_invalid` off, the first bad record
    /// is an error naming its `file:line`.
    pub fn read(paths: &[PathBuf], opts: &ReadOptions) -> Result<Corpus> {
        Corpus::read_with_progress(paths, opts, &mut |_, _| {})
    }

    /// As [`Corpus::read`], calling `progress(bytes read, documents)` as it goes.
    pub fn read_with_progress(
        paths: &[PathBuf],
        opts: &ReadOptions,
        progress: &mut dyn FnMut(u64, usize),
    ) -> Result<Corpus> {
        Corpus::read_reporting(paths, opts, progress, &mut |_| Ok(()))
    }

    /// As [`Corpus::read_with_progress`], giving every skipped record to
    /// `on_reject` as it is found (to write a rejects file of any length).
    pub fn read_reporting(
        paths: &[PathBuf],
        opts: &ReadOptions,
        progress: &mut dyn FnMut(u64, usize),
        on_reject: &mut dyn FnMut(&Reject) -> Result<()>,
    ) -> Result<Corpus> {
        Corpus::read_handing(paths, opts, progress, on_reject, None)
    }

    /// As [`Corpus::read_reporting`], handing the documents to `handoff`
    /// as they are read, in input order, each batch once it holds
    /// [`Handoff::bytes`] of text (and the last at the end). The handoff may
    /// empty their texts (to fold them while reading: the texts of a corpus
    /// are then never all in memory); texts are not spilled
    /// (`spill_texts`) when there is a handoff, since it bounds them.
    pub fn read_handing(
        paths: &[PathBuf],
        opts: &ReadOptions,
        progress: &mut dyn FnMut(u64, usize),
        on_reject: &mut dyn FnMut(&Reject) -> Result<()>,
        mut handoff: Option<Handoff>,
    ) -> Result<Corpus> {
        let sources = expand(paths)?;
        let mut corpus = Corpus::default();
        let mut seen: AHashMap<String, Location> = AHashMap::new();
        let mut spilled = match handoff {
            Some(_) => None,
            None => opts.spill_texts.as_ref().map(|r| r.store(TEXT_SHARE)),
        };
        // Documents handed over so far, and the text bytes read since.
        let (mut handed, mut pending) = (0usize, 0usize);
        for source in sources {
            let file = u32::try_from(corpus.files.len())
                .map_err(|_| Error::Config("too many input files".into()))?;
            corpus.files.push(source);
            let source = &corpus.files[file as usize];
            let display = source.display_path().to_path_buf();
            let mut sink = |line: u64, record: Record| -> Result<()> {
                corpus.bytes += record.bytes as u64;
                let problem = match record.result.and_then(|doc| check_size(doc, opts)) {
                    Ok(mut doc) => {
                        doc.location = Location { file, line };
                        if doc.id.is_empty() {
                            doc.id = format!("{}:{line}", display.display());
                        }
                        match seen.get(&doc.id) {
                            Some(first) => Problem::DuplicateId {
                                id: doc.id,
                                first: format!(
                                    "{}:{}",
                                    corpus_path(&corpus.files, first.file).display(),
                                    first.line
                                ),
                            },
                            None => {
                                seen.insert(doc.id.clone(), doc.location);
                                if let Some(store) = &mut spilled {
                                    store.push(doc.text.as_bytes())?;
                                    doc.text = String::new();
                                }
                                pending += doc.text.len();
                                corpus.docs.push(doc);
                                if let Some(h) = &mut handoff {
                                    if pending >= h.bytes {
                                        (h.take)(&mut corpus.docs[handed..])?;
                                        (handed, pending) = (corpus.docs.len(), 0);
                                    }
                                }
                                progress(corpus.bytes, corpus.docs.len());
                                return Ok(());
                            }
                        }
                    }
                    Err(problem) => problem,
                };
                if !opts.skip_invalid {
                    return Err(Error::Input {
                        path: display.clone(),
                        line,
                        problem,
                    });
                }
                let reject = Reject {
                    file: display.clone(),
                    line,
                    problem,
                };
                on_reject(&reject)?;
                let kind = reject.problem.kind();
                match corpus.reject_kinds.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n += 1,
                    None => corpus.reject_kinds.push((kind, 1)),
                }
                if corpus.rejects.len() < KEPT_REJECTS {
                    corpus.rejects.push(reject);
                }
                Ok(())
            };
            if source.format() == Format::Parquet {
                read_parquet(source, &display, opts, &mut sink)?;
                continue;
            }
            let reader = source.open()?;
            match source.format() {
                Format::JsonLines => jsonl::read_records(reader, opts, &mut sink)?,
                Format::JsonArray => jsonl::read_array(reader, opts, &mut sink)?,
                Format::ReutersSgml => reuters::read_sgml(reader, &mut sink)?,
                Format::Csv => delimited::read_delimited(reader, b',', &display, opts, &mut sink)?,
                Format::Tsv => delimited::read_delimited(reader, b'\t', &display, opts, &mut sink)?,
                Format::Text | Format::Html => {
                    let record = whole_file(reader, source.format(), &source.file_id, opts);
                    sink(1, record)?;
                }
                Format::Parquet => unreachable!("read above"),
            }
        }
        if let Some(h) = &mut handoff {
            if handed < corpus.docs.len() {
                (h.take)(&mut corpus.docs[handed..])?;
            }
        }
        if let Some(mut store) = spilled {
            store.finish()?;
            corpus.spilled = Some(store);
        }
        Ok(corpus)
    }

    /// The documents' texts (in the documents, or spilled).
    pub fn texts(&self) -> Texts<'_> {
        Texts {
            docs: &self.docs,
            spilled: self.spilled.as_ref(),
        }
    }

    /// Frees every document's text (in RAM or spilled), keeping ids and
    /// metadata: for a caller done with the texts (after
    /// [`crate::pipeline::fold_stage`]). [`Corpus::texts`] then reads
    /// empty texts.
    pub fn free_texts(&mut self) {
        self.docs
            .par_iter_mut()
            .for_each(|d| d.text = String::new());
        self.spilled = None;
    }

    /// Frees, after [`crate::pipeline::fold_stage`], everything the later
    /// stages ([`crate::pipeline::run_folded`]) do not read: the texts
    /// ([`Corpus::free_texts`]) and each document's title, URL and source,
    /// which only folding and boilerplate grouping read. Ids, publication
    /// times and locations stay (ranks, outputs and messages read them).
    /// For a caller that writes only cluster assignments: about 150 bytes
    /// per document on Reuters-generated pages, for the rest of the run.
    pub fn free_after_fold(&mut self) {
        self.free_texts();
        self.docs.par_iter_mut().for_each(|d| {
            d.title = None;
            d.url = None;
            d.source = None;
        });
    }

    /// Counts of rejected records by problem kind, sorted by kind.
    pub fn reject_counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts = self.reject_kinds.clone();
        counts.sort();
        counts
    }
}

/// Parses one JSON Lines record (a line without its line break) as the
/// JSON Lines reader does: `--id-field`, `--text-field` and the metadata
/// fields; the id is empty when the record has none. For readers elsewhere
/// (a Spark task reading lines) that must agree with this one.
pub fn parse_json_line(line: &[u8], opts: &ReadOptions) -> Result<Document, Problem> {
    let mut end = line.len();
    while end > 0 && (line[end - 1] == b'\n' || line[end - 1] == b'\r') {
        end -= 1;
    }
    jsonl::parse_line(&line[..end], opts).and_then(|d| check_size(d, opts))
}

/// The most bytes read into memory for one record (a JSON line, a whole
/// page): four times the document size limit (JSON escapes such as
/// `\u00e9` and HTML markup make a record longer than its text). A longer
/// one, such as a decompression bomb, is skipped as it is read.
pub(crate) fn max_record_bytes(opts: &ReadOptions) -> usize {
    opts.max_doc_bytes.saturating_mul(4).saturating_add(1 << 16)
}

/// A document whose text is over `max_doc_bytes` is a problem (never truncated).
pub(crate) fn check_size(doc: Document, opts: &ReadOptions) -> Result<Document, Problem> {
    match doc.text.len() {
        size if size > opts.max_doc_bytes => Err(Problem::TooLarge {
            size,
            limit: opts.max_doc_bytes,
        }),
        _ => Ok(doc),
    }
}

#[cfg(feature = "parquet")]
fn read_parquet(
    source: &InputSource,
    display: &Path,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    arrow::read_parquet(source.raw_file()?, display, opts, sink)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(
    _: &InputSource,
    display: &Path,
    _: &ReadOptions,
    _: &mut dyn FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    Err(Error::Format {
        path: display.to_path_buf(),
        message: "a Parquet file, but this syndic was built without the `parquet` feature".into(),
    })
}

fn corpus_path(files: &[InputSource], file: u32) -> &Path {
    files[file as usize].display_path()
}

/// A whole file as one document: plain text (strict UTF-8) or an HTML page
/// (decoded leniently, as browsers do, then reduced to its visible text,
/// with the publication time and URL its markup gives).
fn whole_file(
    mut reader: Box<dyn std::io::BufRead + Send>,
    format: Format,
    id: &str,
    opts: &ReadOptions,
) -> Record {
    let mut bytes = Vec::new();
    let cap = max_record_bytes(opts);
    if let Err(e) = (&mut reader).take(cap as u64 + 1).read_to_end(&mut bytes) {
        return Record::problem(bytes.len(), Problem::Unreadable(e.to_string()));
    }
    if bytes.len() > cap {
        // Not read further: a page this large (or a decompression bomb)
        // would only fill memory.
        let size = bytes.len() as u64;
        return Record::problem(bytes.len(), Problem::RecordTooLong { size, limit: cap });
    }
    let size = bytes.len();
    let result = (|| match format {
        Format::Html => {
            let page = html::extract(&html::decode(&bytes));
            Ok(Document {
                title: page.title,
                url: page.url,
                published: page.published,
                ..Document::new(id, page.text)
            })
        }
        _ => {
            let text = String::from_utf8(bytes)
                .map_err(|e| Problem::InvalidUtf8(e.utf8_error().valid_up_to()))?;
            let title = opts
                .title_first_line
                .then(|| text.lines().next().map(|l| l.trim().to_string()))
                .flatten()
                .filter(|t| !t.is_empty());
            Ok(Document {
                title,
                ..Document::new(id, text)
            })
        }
    })();
    Record {
        bytes: size,
        result,
    }
}

/// Seconds since the epoch of a publication time as news feeds write it:
/// RFC 3339 (also without seconds, or with a space, fractional seconds and
/// `+0100`-style offsets), `... UTC`/`GMT`, `YYYY-MM-DD[ HH:MM[:SS]]`,
/// `YYYY/MM/DD[ HH:MM[:SS]]`, `March 2, 2026`, `2 March 2026`, RFC 2822, or
/// epoch seconds; epoch milliseconds, microseconds and nanoseconds are told
/// apart by their size. Times outside the years 1800-2200 are taken as
/// unparsed (`None`), so a bad value cannot make a copy the origin of
/// everything.
pub fn parse_time(s: &str) -> Option<i64> {
    let t = parse_any_time(s.trim())?;
    // 1800-01-01 .. 2200-01-01
    (-5_364_662_400..=7_258_118_400).contains(&t).then_some(t)
}

fn parse_any_time(s: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    let zoned = match s.strip_suffix(" UTC").or_else(|| s.strip_suffix(" GMT")) {
        Some(rest) => format!("{rest}+0000"),
        None => match s.strip_suffix('Z') {
            Some(rest) => format!("{rest}+0000"),
            None => s.to_string(),
        },
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%d %H:%M%#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(&zoned, fmt) {
            return Some(t.timestamp());
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    for fmt in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp());
    }
    let n = s.parse::<i64>().ok()?;
    // Epoch seconds until the year 5138; past that, finer units.
    Some(match n.unsigned_abs() {
        0..100_000_000_000 => n,
        100_000_000_000..100_000_000_000_000 => n / 1_000,
        100_000_000_000_000..100_000_000_000_000_000 => n / 1_000_000,
        _ => n / 1_000_000_000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_times_as_feeds_write_them() {
        let t = 1_607_673_600; // 2020-12-11T08:00:00Z
        for s in [
            "2020-12-11T08:00:00Z",
            "2020-12-11T08:00Z",
            "2020-12-11 08:00:00 UTC",
            "2020-12-11T09:00:00.000+0100",
            "2020-12-11 09:00:00+01:00",
            "2020/12/11 08:00",
            "2020-12-11 08:00",
            "Fri, 11 Dec 2020 08:00:00 +0000",
            "1607673600",
            "1607673600000",
            "1607673600000000",
        ] {
            assert_eq!(parse_time(s), Some(t), "{s}");
        }
        let day = 1_607_644_800; // 2020-12-11
        for s in [
            "2020-12-11",
            "December 11, 2020",
            "Dec 11, 2020",
            "11 December 2020",
            "2020/12/11",
        ] {
            assert_eq!(parse_time(s), Some(day), "{s}");
        }
        for s in [
            "-9223372036854775808",
            "99999-01-01",
            "yesterday",
            "",
            "3000-01-01",
        ] {
            assert_eq!(parse_time(s), None, "{s}");
        }
    }

    /// A handoff sees every document once, in input order, across files,
    /// in batches of about its bytes; what it does to the texts stays; and
    /// texts are not spilled when there is one.
    #[test]
    fn a_handoff_takes_every_document_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let line = |k: usize| format!("{{\"id\":\"d{k}\",\"text\":\"text number {k}\"}}\n");
        std::fs::write(&a, (0..5).map(line).collect::<String>()).unwrap();
        std::fs::write(&b, (5..12).map(line).collect::<String>()).unwrap();
        let opts = ReadOptions {
            spill_texts: Some(Resources {
                memory: Some(1),
                temp_dir: None,
            }),
            ..ReadOptions::default()
        };
        for bytes in [1, 40, 1 << 20] {
            let mut seen: Vec<(String, String)> = Vec::new();
            let mut batches = 0;
            let mut take = |docs: &mut [Document]| {
                batches += 1;
                for d in docs {
                    seen.push((d.id.clone(), std::mem::take(&mut d.text)));
                }
                Ok(())
            };
            let handoff = Handoff {
                bytes,
                take: &mut take,
            };
            let corpus = Corpus::read_handing(
                &[a.clone(), b.clone()],
                &opts,
                &mut |_, _| {},
                &mut |_| Ok(()),
                Some(handoff),
            )
            .unwrap();
            let want: Vec<(String, String)> = (0..12)
                .map(|k| (format!("d{k}"), format!("text number {k}")))
                .collect();
            assert_eq!(seen, want, "{bytes}");
            assert!(corpus.docs.iter().all(|d| d.text.is_empty()));
            assert!(!corpus.texts().spilled());
            match bytes {
                1 => assert_eq!(batches, 12, "one per document"),
                40 => assert!(batches > 2 && batches < 12, "{batches}"),
                _ => assert_eq!(batches, 1),
            }
        }
    }

    #[test]
    fn oversized_records_are_rejected_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\":\"x\",\"text\":\"0123456789\"}\n{\"id\":\"y\",\"text\":\"ok\"}\n",
        )
        .unwrap();
        let txt = dir.path().join("b.txt");
        std::fs::write(&txt, "0123456789").unwrap();
        let opts = ReadOptions {
            max_doc_bytes: 5,
            skip_invalid: true,
            ..ReadOptions::default()
        };
        let corpus = Corpus::read(&[jsonl.clone(), txt], &opts).unwrap();
        assert_eq!(corpus.docs.len(), 1);
        let kinds: Vec<(u64, &str)> = corpus
            .rejects
            .iter()
            .map(|r| (r.line, r.problem.kind()))
            .collect();
        assert_eq!(kinds, vec![(1, "too_large"), (1, "too_large")]);
        let strict = ReadOptions {
            max_doc_bytes: 5,
            ..ReadOptions::default()
        };
        let err = Corpus::read(&[jsonl], &strict).unwrap_err().to_string();
        assert!(
            err.contains("a.jsonl:1: document is 10 bytes, over the limit of 5 bytes"),
            "{err}"
        );
    }

    #[test]
    fn parses_common_time_formats() {
        let t = 1_607_673_600; // 2020-12-11T08:00:00Z
        assert_eq!(parse_time("2020-12-11T08:00:00Z"), Some(t));
        assert_eq!(parse_time("2020-12-11T10:00:00+02:00"), Some(t));
        assert_eq!(parse_time("2020-12-11 08:00:00"), Some(t));
        assert_eq!(parse_time("Fri, 11 Dec 2020 08:00:00 +0000"), Some(t));
        assert_eq!(parse_time("2020-12-11"), Some(t - 8 * 3600));
        assert_eq!(parse_time("1607673600"), Some(t));
        assert_eq!(parse_time("yesterday"), None);
    }
}
