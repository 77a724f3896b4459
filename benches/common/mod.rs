//! What the criterion benches share.

use std::path::PathBuf;

/// The bench corpus: the JSONL file named by `SYNDIC_BENCH_CORPUS`, else
/// the sample corpus in corpora/.
pub fn corpus_path() -> PathBuf {
    match std::env::var_os("SYNDIC_BENCH_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/articles.jsonl"),
    }
}
