//! `--memory`: a corpus several times larger than the limit completes with
//! the same clusters as an unconstrained run, and without holding the
//! corpus in RAM.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// A deterministic pseudo-random stream (64-bit LCG, top bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
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
fn write_corpus(path: &Path, stories: usize, words: usize) -> u64 {
    let mut rng = Lcg(42);
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
                "id": format!("{site}/{s}"),
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

fn run(input: &Path, output: &Path, stats: &Path, extra: &[&str]) -> serde_json::Value {
    let status = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("cluster")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--stats")
        .arg(stats)
        .arg("--quiet")
        .args(extra)
        .status()
        .expect("run syndic");
    assert!(status.success());
    serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap()
}

#[test]
fn memory_limited_run_gives_the_same_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    let bytes = write_corpus(&input, 1_600, 1_200);
    let limit: u64 = 8 << 20;
    assert!(bytes > 3 * limit, "corpus of {bytes} bytes");

    let free = run(
        &input,
        &dir.path().join("free.jsonl"),
        &dir.path().join("free.json"),
        &[],
    );
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let bounded = run(
        &input,
        &dir.path().join("bounded.jsonl"),
        &dir.path().join("bounded.json"),
        &["--memory", "8M", "--temp-dir", spill.to_str().unwrap()],
    );
    let free_out = std::fs::read(dir.path().join("free.jsonl")).unwrap();
    let bounded_out = std::fs::read(dir.path().join("bounded.jsonl")).unwrap();
    assert!(free_out == bounded_out, "clusters differ under --memory");
    assert_eq!(free["summary"]["spilled"], false);
    assert_eq!(bounded["summary"]["spilled"], true);
    let clusters = bounded["summary"]["clusters"].as_u64().unwrap();
    assert_eq!(clusters, 1_600, "one cluster per story");
    assert_eq!(
        std::fs::read_dir(&spill).unwrap().count(),
        0,
        "spill files are unlinked"
    );
    if let (Some(f), Some(b)) = (
        free["summary"]["peak_rss_bytes"].as_u64(),
        bounded["summary"]["peak_rss_bytes"].as_u64(),
    ) {
        assert!(
            b < bytes,
            "peak RSS {b} under --memory holds the corpus ({bytes} bytes)"
        );
        assert!(
            b < f,
            "peak RSS {b} under --memory is not below the free run's {f}"
        );
    }
}
