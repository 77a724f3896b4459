//! # syndic
//!
//! Finds duplicated, syndicated and re-published news articles in large
//! scraped corpora.
//!
//! ```
//! use syndic::{Config, Document};
//! let wire = "Rail workers will strike for 48 hours later this month over a new rostering system, their union said on Tuesday.";
//! let docs = vec![Document::new("wire", wire), Document::new("copy", format!("Top Stories\n{wire}"))];
//! let outcome = syndic::run(&docs, &Config::default())?;
//! assert_eq!(outcome.docs[0].representative, outcome.docs[1].representative);
//! # Ok::<(), syndic::Error>(())
//! ```
//!
//! ```text
//!  corpus      text                       shingle     minhash     lsh          verify     cluster         story          thread
//!  ───────▶ normalize ─▶ boilerplate ─▶ n-gram    ─▶ signature ─▶ banded    ─▶ exact    ─▶ union-find, ─▶ TF-IDF star ─▶ stories of
//!  JSONL,   NFKC, case,  per-site        hashes      OPH or       candidate    Jaccard /  representative  grouping of    one developing
//!  CSV, …   punctuation  chrome removal  (XXH3)      classic      pairs        containment = origin       rewrites       story
//! ```
//!
//! Each stage is a kernel over plain data, in its own module: [`corpus`]
//! (readers, [`Document`]), [`text::normalize`](mod@text::normalize), [`text::boilerplate`],
//! [`shingle`], [`minhash`] ([`minhash::Signature`]), [`lsh`]
//! ([`lsh::Pair`]), [`verify`] ([`verify::Evidence`] -> [`verify::Edge`]),
//! [`cluster`], [`story`], [`thread`]. [`pipeline`] holds the stage drivers (fold,
//! boilerplate, sign, ...) and [`run`], which calls them in order under one
//! [`Config`] within the memory limit of [`Resources`]. What a stage needs
//! from the whole corpus (document numbers, the boilerplate model,
//! document frequencies) is a value passed in, so that a distributed run
//! can compute it once. Around the pipeline: [`index`] (a persistent,
//! incremental index on disk that matches with the same rule), [`eval`]
//! (metrics), [`explain`] (why two documents are or are not grouped),
//! [`bench`](mod@bench) (timing on sample corpora) and
//! [`corpus::generate`] (labelled corpora).
//!
//! Everything is seeded and deterministic: the same input and configuration
//! give byte-identical output on any machine and with any number of threads.

#![warn(missing_docs)]

pub mod align;
pub mod bench;
pub mod cluster;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod explain;
pub mod index;
pub mod lsh;
pub mod minhash;
mod packed;
pub mod pages;
pub mod pipeline;
pub mod shingle;
mod store;
pub mod story;
pub mod text;
pub mod thread;
pub mod verify;

pub use corpus::{Corpus, Document, ReadOptions};
pub use error::{Error, Problem, Result};
pub use pipeline::{run, Config, DocOutcome, Outcome, Summary};
pub use store::{parse_size, Resources};
