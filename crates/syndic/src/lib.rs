//! # syndic
//!
//! Finds duplicated, syndicated and re-published news articles in large
//! scraped corpora.
//!
//! ```text
//!  corpus      text                       shingle     minhash     lsh          verify     cluster         story
//!  ───────▶ normalize ─▶ boilerplate ─▶ n-gram    ─▶ signature ─▶ banded    ─▶ exact    ─▶ union-find, ─▶ TF-IDF star
//!  JSONL,   NFKC, case,  per-site        hashes      OPH or       candidate    Jaccard /  representative  grouping of
//!  CSV, …   punctuation  chrome removal  (XXH3)      classic      pairs        containment = origin       rewrites
//! ```
//!
//! Each stage is one module and passes plain data to the next:
//! [`corpus::Document`] → folded body → shingle stream →
//! [`minhash::Signature`] → band keys → [`lsh::Pair`] →
//! [`verify::Evidence`] (shingle sets of candidates) → [`verify::Edge`] →
//! cluster representatives → [`story`] centers → [`pipeline::DocOutcome`].
//! No stage imports a later one; [`pipeline`] composes them under one
//! [`pipeline::Config`], within the memory limit kept by [`store`] (stores
//! that spill to disk). Around the pipeline: [`index`] (a persistent,
//! incremental index on disk), [`eval`] (metrics), [`bench`] (timing on
//! sample corpora) and [`corpus::generate`] (labeled corpora).
//!
//! Everything is seeded and deterministic: the same input and configuration
//! give byte-identical output on any machine and with any number of threads.

pub mod bench;
pub mod cluster;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod index;
pub mod lsh;
pub mod minhash;
pub mod pipeline;
pub mod shingle;
pub mod store;
pub mod story;
pub mod text;
pub mod verify;

pub use corpus::{Corpus, Document, ReadOptions};
pub use error::{Error, Problem, Result};
pub use pipeline::{run, Config, DocOutcome, Outcome, Summary};
