//! Errors of the library: every one names where it happened (file, line, id)
//! so that a user can find the offending input without guessing.

use std::path::PathBuf;

/// What is wrong with one input record. Kept separate from [`Error`] so that
/// `--skip-invalid` can count problems by kind and list them in a rejects file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid UTF-8 at byte {0} of the record")]
    InvalidUtf8(usize),
    #[error("malformed CSV: {0}")]
    MalformedCsv(String),
    #[error("malformed SGML: {0}")]
    MalformedSgml(String),
    #[error("missing text field {0:?}")]
    MissingText(String),
    #[error("field {0:?} is not a string")]
    NotAString(String),
    #[error("duplicate id {id:?} (first seen at {first})")]
    DuplicateId { id: String, first: String },
    #[error("document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
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
            Problem::TooLarge { .. } => "too_large",
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
    #[error("{}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{}:{line}: {problem} (use --skip-invalid to skip and count such lines)", path.display())]
    Input {
        path: PathBuf,
        line: u64,
        problem: Problem,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A persistent index refused a change or a lookup.
    #[error("index {}: {message}", dir.display())]
    Index { dir: PathBuf, message: String },
    /// A file that is not in the expected format (a bad settings file, an
    /// unreadable manifest).
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    /// A file syndic wrote that no longer reads back as written: checksum,
    /// size, offset or count out of place.
    #[error("{}: corrupt: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
    /// A file of a format version this syndic does not read.
    #[error("{}: format version {found} is not supported (this syndic reads version {supported}); {advice}", path.display())]
    IncompatibleVersion {
        path: PathBuf,
        found: u64,
        supported: u64,
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
