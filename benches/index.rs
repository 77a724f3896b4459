//! Query latency of a persistent index: builds an index of
//! `SYNDIC_INDEX_DOCS` synthetic articles (default 20,000) in a temporary
//! folder, then times `Index::query` for one article that has copies in it.
//! Run: `SYNDIC_INDEX_DOCS=1000000 cargo bench --bench index`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Instant;
use syndic::corpus::Texts;
use syndic::index::{Index, IndexSettings};
use syndic::{Config, Document};

/// `n` articles of ~250 words from a 50,000-word vocabulary on 20 sites;
/// every tenth is a syndicated copy of the one before it.
fn articles(n: usize) -> Vec<Document> {
    let mut state: u64 = 7;
    let mut next = |m: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % m
    };
    let mut docs: Vec<Document> = Vec::with_capacity(n);
    for i in 0..n {
        let site = i % 20;
        let text = if i % 10 == 9 {
            let prev = &docs[i - 1].text;
            let body = prev.split_once('\n').map_or(prev.as_str(), |(_, b)| b);
            format!("Site {site} | Home | News\n{body}")
        } else {
            let words: Vec<String> = (0..250).map(|_| format!("w{}", next(50_000))).collect();
            format!("Site {site} | Home | News\n{}", words.join(" "))
        };
        let mut d = Document::new(format!("a{i}"), text);
        d.source = Some(format!("site{site}"));
        d.published = Some(format!("2026-01-{:02}", 1 + i % 28));
        docs.push(d);
    }
    docs
}

fn query(c: &mut Criterion) {
    let n: usize = std::env::var("SYNDIC_INDEX_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let docs = articles(n);
    let start = Instant::now();
    let settings = IndexSettings {
        config: Config::default(),
        window_days: None,
    };
    let (index, _) = Index::build(dir.path(), settings, &docs, &Texts::new(&docs)).expect("build");
    let stats = index.stats(false).expect("stats");
    eprintln!(
        "index of {n} articles: built in {:.1} s, {:.0} MB on disk, {:.0} bytes per article",
        start.elapsed().as_secs_f64(),
        stats.bytes as f64 / 1e6,
        stats.bytes_per_document
    );
    drop(index);
    let start = Instant::now();
    let index = Index::open(dir.path()).expect("open");
    eprintln!("opened in {:.3} s", start.elapsed().as_secs_f64());
    let probe = docs[n - 2].clone();
    assert!(!index.query(&probe, &probe.text).unwrap().is_empty());
    c.bench_function(&format!("index query, {n} articles"), |b| {
        b.iter(|| index.query(&probe, &probe.text).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = query
}
criterion_main!(benches);
