//! The library's entry point, called directly: `syndic::run` on documents
//! in memory gives what `syndic cluster` writes for the same corpus.

mod common;

use syndic::{Config, Corpus, ReadOptions};

#[test]
fn run_on_documents_equals_the_cli() {
    let input = "corpora/sample/articles.jsonl";
    let corpus = Corpus::read(&[input.into()], &ReadOptions::default()).unwrap();
    let outcome = syndic::run(&corpus.docs, &Config::default()).unwrap();
    assert_eq!(outcome.docs.len(), 54);
    assert_eq!(outcome.summary.clusters, 12);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.jsonl");
    let cli = common::syndic(&["cluster", input, "-o", &out.to_string_lossy(), "-q"]);
    assert!(cli.status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    for ((line, doc), o) in written.lines().zip(&corpus.docs).zip(&outcome.docs) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], doc.id.as_str());
        let rep = &corpus.docs[o.representative as usize].id;
        let story = &corpus.docs[o.story as usize].id;
        assert_eq!(v["cluster"], rep.as_str(), "{}", doc.id);
        assert_eq!(v["story"], story.as_str(), "{}", doc.id);
        assert_eq!(v["similarity"].as_f64().map(|x| x as f32), o.similarity);
    }
    assert_eq!(outcome.kept().len(), outcome.summary.clusters);
}
