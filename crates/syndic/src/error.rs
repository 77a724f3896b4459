//! Errors of the library: every one names where it happened (file, line, id)
//! so that a user can find the offending input without guessing.

use std::path::PathBuf;

/// What is wrong with one input record. Kept separate from [`Error`] so that
/// `--skip-invalid` can count problems by kind and list them in a rejects file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A line that is not a JSON object (the parser's message).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// Bytes that are not UTF-8, at this offset in the record.
    #[error("invalid UTF-8 at byte {0} of the record")]
    InvalidUtf8(usize),
    /// A CSV/TSV row the reader cannot split (unbalanced quote, ...).
    #[error("malformed CSV: {0}")]
    MalformedCsv(String),
    /// A Reuters SGML element that does not parse.
    #[error("malformed SGML: {0}")]
    MalformedSgml(String),
    /// The record has no such text field.
    #[error("missing text field {0:?}")]
    MissingText(String),
    /// The field is there but not a string.
    #[error("field {0:?} is not a string")]
    NotAString(String),
    /// An id seen before in the corpus.
    #[error("duplicate id {id:?} (first seen at {first})")]
    DuplicateId {
        /// The id.
        id: String,
        /// Where it was first seen (`file:line`).
        first: String,
    },
    /// A document over the size limit.
    #[error("document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A JSON line or whole file too long to be a document under the size
    /// limit; it was skipped as it was read, never held in memory.
    #[error("record of {size} bytes or more, over the {limit} bytes read for one record (4 x --max-doc-bytes); skipped without being held in memory")]
    RecordTooLong {
        /// Its length in bytes (for a whole file: the bytes read before stopping).
        size: u64,
        /// The most bytes read for one record.
        limit: usize,
    },
    /// The rest of the input cannot be read (truncated compression, ...).
    #[error("unreadable input: {0}")]
    Unreadable(String),
}

impl Problem {
    /// A short stable name for counting problems by kind in run summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::MalformedJson(_) => "malformed_json",
            Problem::InvalidUtf8(_) => "invalid_utf8",
            Problem::MalformedCsv(_) => "malformed_csv",
            Problem::MalformedSgml(_) => "malformed_sgml",
            Problem::MissingText(_) => "missing_text",
            Problem::NotAString(_) => "not_a_string",
            Problem::DuplicateId { .. } => "duplicate_id",
            Problem::TooLarge { .. } | Problem::RecordTooLong { .. } => "too_large",
            Problem::Unreadable(_) => "unreadable",
        }
    }
}

/// Errors returned by the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // The cause is in the message, not the error chain (a field named
    // `source` would be), so that it is printed once.
    /// Reading or writing a file failed.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        cause: std::io::Error,
    },
    /// A bad input record (without `skip_invalid`).
    #[error("{}:{line}: {problem} (use --skip-invalid to skip and count such lines)", path.display())]
    Input {
        /// The input file.
        path: PathBuf,
        /// The record's 1-based line.
        line: u64,
        /// What is wrong with it.
        problem: Problem,
    },
    /// A setting out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A persistent index refused a change or a lookup.
    #[error("index {}: {message}", dir.display())]
    Index {
        /// The index folder.
        dir: PathBuf,
        /// Why.
        message: String,
    },
    /// A file that is not in the expected format (a bad settings file, an
    /// unreadable manifest).
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file syndic wrote that no longer reads back as written: checksum,
    /// size, offset or count out of place.
    #[error("{}: corrupt: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What does not read back.
        message: String,
    },
    /// A file of a format version this syndic does not read.
    #[error("{}: format version {found} is not supported (this syndic reads version {supported}); {advice}", path.display())]
    IncompatibleVersion {
        /// The file.
        path: PathBuf,
        /// The version it has.
        found: u64,
        /// The version this syndic reads.
        supported: u64,
        /// What to do about it.
        advice: &'static str,
    },
}

impl Error {
    /// A [`Error::Corrupt`] error for `path`.
    pub(crate) fn corrupt(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Corrupt {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
