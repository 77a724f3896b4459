//! Criterion benches per pipeline stage, on the sample corpus in corpora/
//! or on the JSONL file named by `SYNDIC_BENCH_CORPUS`; the `read` group
//! also reads `SYNDIC_BENCH_PARQUET` when set.
//! Run: `cargo bench --bench stages`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::PathBuf;
use syndic::cluster::{representatives, Rank, UnionFind};
use syndic::lsh::{candidates, LshParams};
use syndic::minhash::{MinHashConfig, MinHasher, Scheme};
use syndic::pipeline::Signer;
use syndic::shingle::{figures, for_each_shingle, shingle, ShingleSpec, Shingled};
use syndic::text::normalize;
use syndic::verify::{verify, Evidence, VerifyRule};
use syndic::{Config, Corpus, ReadOptions};

mod common;

/// The allocator the `syndic` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn sample() -> Corpus {
    Corpus::read(&[common::corpus_path()], &ReadOptions::default()).expect("bench corpus")
}

/// A body's exact shingle set and figures, as verification reads them.
fn evidence_of(body: &str) -> Evidence {
    Evidence::new(shingle(body, ShingleSpec::default()), figures(body))
}

/// Each document's rank for choosing representatives: no date, its length.
fn ranks(docs: &[syndic::Document]) -> Vec<Rank<'_>> {
    docs.iter()
        .map(|d| Rank {
            published: None,
            length: d.text.len(),
            id: &d.id,
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let corpus = sample();
    let bytes: u64 = corpus.docs.iter().map(|d| d.text.len() as u64).sum();
    let folded: Vec<String> = corpus.docs.iter().map(|d| normalize(&d.text)).collect();
    // Each body's shingle hashes in text order (what MinHash signs).
    let streams: Vec<Vec<u64>> = folded
        .iter()
        .map(|f| {
            let mut stream = Vec::new();
            for_each_shingle(f, ShingleSpec::default(), |h| stream.push(h));
            stream
        })
        .collect();

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes));
    // The signature stage on one thread, as the pipeline's signer runs it:
    // fold, word 5-grams (with figures) into OPH-128 plus the lead signature.
    let signer = Signer::new(&Config::default()).unwrap();
    // The same work split in two: folding alone, then word 5-grams and
    // signatures of the folded texts.
    g.bench_function("fold", |b| {
        b.iter(|| {
            corpus
                .docs
                .iter()
                .map(|d| normalize(&d.text).len())
                .sum::<usize>()
        })
    });
    g.bench_function("shingle+sign", |b| {
        let mut shingled = Shingled::default();
        b.iter(|| {
            folded
                .iter()
                .map(|f| signer.sign_into(f, &mut shingled).whole)
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("fold+shingle+sign", |b| {
        let mut shingled = Shingled::default();
        b.iter(|| {
            corpus
                .docs
                .iter()
                .map(|d| signer.sign_into(&normalize(&d.text), &mut shingled).whole)
                .collect::<Vec<_>>()
        })
    });
    for scheme in [Scheme::Oph, Scheme::Classic] {
        let h = MinHasher::new(MinHashConfig {
            scheme,
            ..MinHashConfig::default()
        })
        .unwrap();
        g.bench_function(format!("sign/{scheme:?}"), |b| {
            b.iter(|| streams.iter().map(|s| h.sign(s)).collect::<Vec<_>>())
        });
    }
    let h = MinHasher::new(MinHashConfig::default()).unwrap();
    let sigs: Vec<Vec<u32>> = streams.iter().map(|s| h.sign(s)).collect();
    let members: Vec<u32> = (0..sigs.len() as u32).collect();
    let params = LshParams::for_threshold(0.45, 128, 0.95).unwrap();
    g.bench_function("lsh", |b| {
        b.iter(|| candidates(&sigs, &members, params, 256))
    });
    let pairs = candidates(&sigs, &members, params, 256);
    let evidence: Vec<Evidence> = folded.iter().map(|f| evidence_of(f)).collect();
    let rule = VerifyRule {
        aligned: 2.0,
        min_aligned: 20,
        jaccard: 0.8,
        containment: 0.9,
        min_contained: 40,
        near: 0.45,
        near_size_ratio: 0.75,
        numbers: 0.5,
    };
    let get = |d: u32| Ok(std::borrow::Cow::Borrowed(&evidence[d as usize]));
    let singletons = UnionFind::new(evidence.len());
    g.bench_function("verify", |b| {
        b.iter(|| verify(&pairs, get, &rule, &mut singletons.clone()).unwrap())
    });
    // The same pairs with the alignment rule on (token sequences kept).
    let aligned_evidence: Vec<Evidence> = folded
        .iter()
        .zip(&evidence)
        .map(|(f, e)| e.clone().with_tokens(syndic::shingle::token_keys(f)))
        .collect();
    let aligned_rule = VerifyRule {
        aligned: 0.7,
        ..rule
    };
    let get_aligned = |d: u32| Ok(std::borrow::Cow::Borrowed(&aligned_evidence[d as usize]));
    g.bench_function("verify/aligned", |b| {
        b.iter(|| verify(&pairs, get_aligned, &aligned_rule, &mut singletons.clone()).unwrap())
    });
    let edges = verify(&pairs, get, &rule, &mut singletons.clone()).unwrap();
    let ranks = ranks(&corpus.docs);
    g.bench_function("cluster", |b| {
        b.iter(|| {
            let mut uf = UnionFind::new(corpus.docs.len());
            for e in &edges {
                uf.union(e.a, e.b);
            }
            representatives(&uf.roots(), &ranks)
        })
    });
    g.bench_function("end_to_end", |b| {
        b.iter(|| syndic::run(&corpus.docs, &Config::default()).unwrap())
    });
    g.finish();
}

/// Reading the same corpus from JSON Lines and from Parquet (zstd, as
/// `--format parquet` writes it), into documents.
#[cfg(feature = "parquet")]
fn reading(c: &mut Criterion) {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use std::sync::Arc;
    let corpus = sample();
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("corpus.jsonl");
    let parquet = dir.path().join("corpus.parquet");
    let mut lines = String::new();
    for d in &corpus.docs {
        let record = serde_json::json!({"id": d.id, "text": d.text, "title": d.title,
            "url": d.url, "source": d.source, "published": d.published});
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    std::fs::write(&jsonl, &lines).unwrap();
    let column = |f: fn(&syndic::Document) -> Option<&str>| -> ArrayRef {
        Arc::new(corpus.docs.iter().map(f).collect::<StringArray>())
    };
    let batch = RecordBatch::try_from_iter([
        ("id", column(|d| Some(&d.id))),
        ("text", column(|d| Some(&d.text))),
        ("title", column(|d| d.title.as_deref())),
        ("url", column(|d| d.url.as_deref())),
        ("source", column(|d| d.source.as_deref())),
        ("published", column(|d| d.published.as_deref())),
    ])
    .unwrap();
    let file = std::fs::File::create(&parquet).unwrap();
    syndic::corpus::arrow::write_parquet(file, batch.schema(), [batch], true).unwrap();

    let mut g = c.benchmark_group("read");
    g.throughput(Throughput::Bytes(lines.len() as u64));
    // Another Parquet file of the same corpus (`SYNDIC_BENCH_PARQUET`, e.g.
    // written by pyarrow with other row groups or codecs).
    let other = std::env::var_os("SYNDIC_BENCH_PARQUET").map(PathBuf::from);
    let mut inputs = vec![("jsonl", &jsonl), ("parquet", &parquet)];
    if let Some(path) = &other {
        inputs.push(("parquet-given", path));
    }
    for (name, path) in inputs {
        g.bench_function(name, |b| {
            b.iter(|| Corpus::read(std::slice::from_ref(path), &ReadOptions::default()).unwrap())
        });
    }
    g.finish();
}

#[cfg(not(feature = "parquet"))]
fn reading(_: &mut Criterion) {}

/// Folding one 3.2 MB line that alternates ASCII words with non-ASCII
/// runs (curly quotes, accented and Cyrillic words): linear in the line's
/// length (it used to refill the rest of the line after every run).
fn long_lines(c: &mut Criterion) {
    let line: String = (0..120_000)
        .map(|k| ["plain words ", "café “quoted” ", "Жизнь ", "x—y "][k % 4])
        .collect::<String>()
        .repeat(3);
    let mut g = c.benchmark_group("fold");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.sample_size(10);
    g.bench_function("one-long-mixed-line", |b| b.iter(|| normalize(&line)));
    g.finish();
}

/// The boilerplate stage (profiles, learning, stripping) and the story
/// stage on their own, on the bench corpus: pages grouped by source or
/// URL host as the pipeline groups them, each page its own cluster for the
/// story stage (its cost grows with the number of clusters).
fn boilerplate_and_story(c: &mut Criterion) {
    use std::borrow::Cow;
    use syndic::pipeline::stories::{stories, StorySource};
    use syndic::text::boilerplate::{Boilerplate, PageRef, Profile};

    let corpus = sample();
    let docs = &corpus.docs;
    let bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    let groups = syndic::pipeline::fold::groups(docs).of_doc;
    let profile = |i: usize| {
        Profile::of(&PageRef {
            group: groups[i],
            text: Cow::Borrowed(&docs[i].text),
            title: docs[i].title.as_deref(),
        })
    };
    let config = Config::default();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("boilerplate/profiles", |b| {
        b.iter(|| (0..docs.len()).map(profile).collect::<Vec<_>>())
    });
    let profiles: Vec<Profile> = (0..docs.len()).map(profile).collect();
    let learn = || {
        let get = |i: usize| Ok(profiles[i].clone());
        Boilerplate::learn_profiles(docs.len(), get, &config.boilerplate, 1 << 24, 16_384).unwrap()
    };
    g.bench_function("boilerplate/learn", |b| b.iter(learn));
    let model = learn();
    g.bench_function("boilerplate/strip", |b| {
        b.iter(|| {
            let mut body = String::new();
            let mut total = 0;
            for (d, &group) in docs.iter().zip(&groups) {
                body.clear();
                model.body_into(group, &d.text, &mut body);
                total += body.len();
            }
            total
        })
    });

    struct Bodies {
        bodies: Vec<String>,
        evidence: Vec<Evidence>,
    }
    impl StorySource for Bodies {
        fn body_into(&self, d: u32, out: &mut String) -> syndic::Result<()> {
            out.clear();
            out.push_str(&self.bodies[d as usize]);
            Ok(())
        }
        fn evidence(&self, d: u32) -> syndic::Result<Cow<'_, Evidence>> {
            Ok(Cow::Borrowed(&self.evidence[d as usize]))
        }
    }
    let bodies: Vec<String> = docs
        .iter()
        .zip(&groups)
        .map(|(d, &group)| model.body(group, &d.text))
        .collect();
    let evidence = bodies.iter().map(|b| evidence_of(b)).collect();
    let source = Bodies { bodies, evidence };
    let reps: Vec<u32> = (0..docs.len() as u32).collect();
    let ranks = ranks(docs);
    let resources = syndic::Resources::default();
    g.bench_function("story", |b| {
        b.iter(|| stories(&reps, &ranks, &source, None, &config, &resources, 16_384).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages, boilerplate_and_story, reading, long_lines);
criterion_main!(benches);
