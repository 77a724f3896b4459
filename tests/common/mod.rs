//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the `syndic` binary from the package folder.
pub fn syndic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run syndic")
}

/// Runs the `syndic` binary and asserts that it succeeded (its stderr in
/// the message).
pub fn syndic_ok(args: &[&str]) -> Output {
    let out = syndic(args);
    assert!(
        out.status.success(),
        "syndic {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `syndic cluster INPUT -o OUT --skip-invalid --rejects REJECTS`.
pub fn cluster_skipping(input: &str, out: &str, rejects: &str) -> Output {
    syndic(&[
        "cluster",
        input,
        "-o",
        out,
        "--skip-invalid",
        "--rejects",
        rejects,
    ])
}

/// `dir/name` as a string.
pub fn p(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

/// The `id` of every line of a JSON Lines file, in order.
pub fn ids_in(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A deterministic pseudo-random stream (64-bit LCG, top bits).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// `stories` articles of ~`words` random words, each published by its own
/// site and syndicated to up to three others (with their chrome, some with a
/// paragraph cut): about 2.5 pages per story.
pub fn write_corpus(path: &Path, stories: usize, words: usize) -> u64 {
    write_corpus_seeded(path, stories, words, 42)
}

/// As [`write_corpus`], from another seed (ids carry the seed, so corpora
/// from different seeds can be combined).
pub fn write_corpus_seeded(path: &Path, stories: usize, words: usize, seed: u64) -> u64 {
    let mut rng = Lcg(seed);
    let vocab: Vec<String> = (0..20_000)
        .map(|i| format!("w{}x{}", i, (i * 7919) % 97))
        .collect();
    let sites = [
        "alpha.example",
        "beta.example",
        "gamma.example",
        "delta.example",
    ];
    let chrome = |site: &str| {
        format!(
            "Home | World | Business | Sport — {site}\nSubscribe to the {site} newsletter for the day's top stories\n"
        )
    };
    let mut out = String::new();
    for s in 0..stories {
        let paragraphs: Vec<String> = (0..words / 60)
            .map(|_| {
                let p: Vec<&str> = (0..60)
                    .map(|_| vocab[rng.next(vocab.len())].as_str())
                    .collect();
                p.join(" ") + "."
            })
            .collect();
        let copies = 1 + rng.next(4);
        for c in 0..copies {
            let site = sites[(s + c) % sites.len()];
            let mut body = paragraphs.clone();
            if c == 2 {
                body.pop();
            }
            let text = format!("{}{}\n© {site}", chrome(site), body.join("\n"));
            let record = serde_json::json!({
                "id": format!("{site}/{seed}-{s}"),
                "url": format!("https://{site}/news/{s}"),
                "published": format!("2024-03-{:02}", 1 + (s + c) % 28),
                "text": text,
            });
            writeln!(out, "{record}").unwrap();
        }
    }
    std::fs::write(path, &out).unwrap();
    out.len() as u64
}

/// A flood: `n` copies of the sample's first article, each with `edits`
/// words changed (a token appended to a random word), no source; with
/// `sites`, each page carries a URL on one of that many sites.
pub fn flood(n: usize, edits: usize, sites: usize) -> Vec<syndic::Document> {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/articles.jsonl");
    let first = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let words: Vec<&str> = v["text"].as_str().unwrap().split(' ').collect();
    let mut rng = Lcg(11);
    (0..n)
        .map(|i| {
            let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            for _ in 0..edits {
                let k = rng.next(w.len());
                w[k] = format!("{}x{}", w[k], rng.next(1_000_000));
            }
            let mut d = syndic::Document::new(format!("p{i}"), w.join(" "));
            d.url = (sites > 0).then(|| format!("https://site{}.example/a/{i}", i % sites));
            d
        })
        .collect()
}
