//! Checks on the real corpora in ../shared/corpora. Each test skips (with a
//! message) when the corpora are absent, as on a user's machine.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;
use syndic::corpus::html;
use syndic::text::normalize;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

fn words(text: &str) -> HashSet<String> {
    normalize(text)
        .split([' ', '\n'])
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// HTML text extraction keeps the article: on the 181 pages of the
/// article-extraction benchmark, most words of the gold article body are in
/// the extracted text (chrome that remains is the boilerplate stage's job).
#[test]
fn html_extraction_keeps_article_text() {
    let Some(dir) = shared("article-extraction-benchmark") else {
        return;
    };
    let gold: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap())
            .unwrap();
    let (mut recall_sum, mut precision_sum, mut pages) = (0.0, 0.0, 0);
    for (key, v) in gold.as_object().unwrap() {
        let path = dir.join("html").join(format!("{key}.html.gz"));
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut raw)
            .unwrap();
        let (_, text) = html::extract(&String::from_utf8_lossy(&raw));
        let body = words(v["articleBody"].as_str().unwrap_or(""));
        if body.is_empty() {
            continue;
        }
        let got = words(&text);
        let shared = body.intersection(&got).count() as f64;
        recall_sum += shared / body.len() as f64;
        precision_sum += shared / got.len().max(1) as f64;
        pages += 1;
    }
    let (recall, precision) = (recall_sum / pages as f64, precision_sum / pages as f64);
    eprintln!("html extraction over {pages} pages: body-word recall {recall:.3}, share of extracted words in the body {precision:.3}");
    assert!(pages >= 170);
    assert!(recall >= 0.98, "recall {recall}");
}
