//! End-to-end tests of the `syndic` binary on the sample corpus in corpora/.

mod common;

use common::{p, syndic, syndic_ok};

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

const SAMPLE: &str = "corpora/sample/articles.jsonl";
const LABELS: &str = "corpora/sample/labels.tsv";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn cluster_lines(path: &str) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_input_id_appears_exactly_once() {
    let d = tmp();
    let out = p(d.path(), "c.jsonl");
    syndic_ok(&["cluster", SAMPLE, "-o", &out]);
    let ids = common::ids_in(SAMPLE);
    let lines = cluster_lines(&out);
    let got: Vec<String> = lines
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ids, "one line per input document, in input order");
    let reps: HashMap<&str, bool> = lines
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap(),
                v["representative"].as_bool().unwrap(),
            )
        })
        .collect();
    for v in &lines {
        let c = v["cluster"].as_str().unwrap();
        assert!(reps[c], "cluster id {c} is its representative's id");
        assert_eq!(v["similarity"].is_null(), v["id"] == v["cluster"]);
    }
}

/// Runs `syndic eval` and returns a reader of its Markdown table's values.
fn eval(pred: &str, level: &str) -> impl Fn(&str) -> f64 {
    let args = ["eval", "--labels", LABELS, "--pred", pred, "--level", level];
    let report = String::from_utf8(syndic_ok(&args).stdout).unwrap();
    move |name: &str| -> f64 {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("{name} in {report}"));
        let value = line.split('|').nth(2).unwrap().split_whitespace().next();
        value.unwrap().parse().unwrap()
    }
}

#[test]
fn sample_quality_meets_targets() {
    let d = tmp();
    let out = p(d.path(), "c.jsonl");
    syndic_ok(&["cluster", SAMPLE, "-o", &out]);
    let value = eval(&out, "cluster");
    let report = "cluster level";
    assert!(value("pair precision") >= 0.99, "{report}");
    assert!(value("recall: syndicated") >= 0.99, "{report}");
    assert!(value("recall: edited") >= 0.95, "{report}");
    assert!(value("recall: excerpt") >= 0.90, "{report}");
    assert!(value("recall: ocr") >= 0.90, "{report}");
    let story = eval(&out, "story");
    assert!(story("pair precision") >= 0.95, "story level");
    assert!(story("recall: rewrite") >= 0.80, "story level");
}

#[test]
fn syndication_report_lists_origin_and_copies() {
    let d = tmp();
    let (kept, report) = (p(d.path(), "kept.jsonl"), p(d.path(), "report.jsonl"));
    syndic_ok(&["dedup", SAMPLE, "-o", &kept, "--report", &report, "-q"]);
    let clusters = cluster_lines(&report);
    assert_eq!(
        clusters.len(),
        12,
        "6 stories and 6 rewrites, each with copies"
    );
    for c in &clusters {
        assert_eq!(c["cluster"], c["origin"]["id"]);
        let copies = c["copies"].as_array().unwrap();
        assert!(!copies.is_empty());
        let lags: Vec<i64> = copies
            .iter()
            .map(|x| x["lag_seconds"].as_i64().unwrap())
            .collect();
        assert!(lags.windows(2).all(|w| w[0] <= w[1]), "copies by lag");
        assert!(lags[0] >= 0, "the origin is the earliest");
        assert!(
            c["origin"]["id"].as_str().unwrap().contains("-origin-")
                || c["origin"]["id"].as_str().unwrap().contains("-rewrite-")
        );
    }
}

#[test]
fn output_is_identical_across_thread_counts_and_runs() {
    let d = tmp();
    let runs: Vec<Vec<u8>> = ["1", "2", "2"]
        .iter()
        .enumerate()
        .map(|(i, threads)| {
            let out = p(d.path(), &format!("c{i}.jsonl"));
            syndic_ok(&["cluster", SAMPLE, "-o", &out, "--threads", threads, "-q"]);
            fs::read(&out).unwrap()
        })
        .collect();
    assert_eq!(runs[0], runs[1], "1 vs 2 threads");
    assert_eq!(runs[1], runs[2], "two runs");
}

#[test]
fn dedup_keeps_representatives_byte_for_byte() {
    let d = tmp();
    let (kept, clusters) = (p(d.path(), "kept.jsonl"), p(d.path(), "c.jsonl"));
    syndic_ok(&["dedup", SAMPLE, "-o", &kept, "--clusters", &clusters, "-q"]);
    let input: Vec<String> = fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let reps: Vec<String> = cluster_lines(&clusters)
        .iter()
        .filter(|v| v["representative"].as_bool().unwrap())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    let kept_lines: Vec<String> = fs::read_to_string(&kept)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(kept_lines.len(), reps.len());
    for line in &kept_lines {
        assert!(
            input.contains(line),
            "kept line is an input line, unchanged"
        );
    }
}

#[test]
fn bad_input_names_file_and_line_and_can_be_skipped() {
    let d = tmp();
    let input = p(d.path(), "in.jsonl");
    fs::write(&input, "{\"id\":\"a\",\"text\":\"one two three four five six\"}\n{\"id\":\"b\",\"text\":\"x\"\n{\"id\":\"a\",\"text\":\"dup\"}\n{\"id\":\"c\"}\n").unwrap();
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&["cluster", &input, "-o", &out]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(err.contains("in.jsonl:2: malformed JSON"), "{err}");
    assert!(!Path::new(&out).exists(), "no output on error");

    let rejects = p(d.path(), "rejects.jsonl");
    let run = common::cluster_skipping(&input, &out, &rejects);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("skipped: 1 records (duplicate_id)"), "{err}");
    let rejected: Vec<u64> = cluster_lines(&rejects)
        .iter()
        .map(|v| v["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, vec![2, 3, 4]);
    assert_eq!(cluster_lines(&out).len(), 1);
}

#[test]
fn refuses_to_overwrite_an_input() {
    let d = tmp();
    let input = p(d.path(), "in.jsonl");
    fs::write(&input, "{\"id\":\"a\",\"text\":\"hello\"}\n").unwrap();
    let out = syndic(&["cluster", &input, "-o", &input]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(&input).unwrap(),
        "{\"id\":\"a\",\"text\":\"hello\"}\n"
    );
}

/// The project's seed article: a copy with other chrome joins it; another story
/// wrapped in the seed's chrome does not. Skips when ../shared is absent.
#[test]
fn seed_article_with_changed_chrome_joins_and_impostor_does_not() {
    let seed_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seed/amn-2020-12-11-iran-militias.txt");
    let Ok(seed) = fs::read_to_string(&seed_path) else {
        eprintln!("skipping: {} not found", seed_path.display());
        return;
    };
    let (chrome, body) = seed.split_at(seed.find("Report: Iran-backed").expect("seed layout"));
    let other_story = fs::read_to_string("corpora/stories/05-telescope-grant.txt").unwrap();
    let other_chrome =
        "Skip to content\nWorld | Middle East | Defense\nSubscribe to our daily briefing\n\n";
    let mut lines = vec![
        serde_json::json!({"id": "seed", "text": seed, "source": "AMN"}),
        serde_json::json!({"id": "copy", "text": format!("{other_chrome}{body}\nShare this article\nComments are closed."), "source": "Other"}),
        serde_json::json!({"id": "impostor", "text": format!("{chrome}{other_story}"), "source": "AMN"}),
    ];
    for story in fs::read_dir("corpora/stories").unwrap() {
        let text = fs::read_to_string(story.unwrap().path()).unwrap();
        let n = lines.len();
        lines.push(serde_json::json!({"id": format!("amn-{n}"), "text": format!("{chrome}{text}"), "source": "AMN"}));
    }
    let d = tmp();
    let input = p(d.path(), "seed.jsonl");
    fs::write(
        &input,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    let out = p(d.path(), "c.jsonl");
    syndic_ok(&["cluster", &input, "-o", &out, "-q"]);
    let cluster: HashMap<String, String> = cluster_lines(&out)
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["cluster"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        cluster["copy"], cluster["seed"],
        "the seed with other chrome joins it"
    );
    assert_ne!(
        cluster["impostor"], cluster["seed"],
        "another story in the seed's chrome stays apart"
    );
}

#[test]
fn eval_pairs_reports_counts_and_threshold_curves() {
    let d = tmp();
    let (out, pairs) = (p(d.path(), "c.jsonl"), p(d.path(), "pairs.csv"));
    syndic_ok(&["cluster", SAMPLE, "-o", &out, "-q"]);
    let labels = fs::read_to_string(LABELS).unwrap();
    let rows: Vec<Vec<&str>> = labels
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let origin = |story: &str| {
        rows.iter()
            .find(|r| r[2] == story && r[3] == "origin")
            .unwrap()[0]
    };
    let copy = rows
        .iter()
        .find(|r| r[3] == "syndicated" && !r[1].contains("rewrite"))
        .unwrap();
    let other = rows
        .iter()
        .find(|r| r[2] != copy[2] && r[3] == "origin")
        .unwrap()[0];
    fs::write(
        &pairs,
        format!(
            "id1,id2,label\n{},{},1\n{},{other},0\n",
            copy[0],
            origin(copy[2]),
            copy[0]
        ),
    )
    .unwrap();
    let report = String::from_utf8(
        syndic_ok(&[
            "eval", "--pairs", &pairs, "--pred", &out, "--corpus", SAMPLE,
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        report.contains("| true / false positives | 1 / 0 |"),
        "{report}"
    );
    assert!(report.contains("| pair precision | 1.0000 |"), "{report}");
    assert!(report.contains("2 labeled pairs scored"), "{report}");
    assert!(
        report.contains("| 0.50 | 1.000 | 1.000 | 1.000 |"),
        "Jaccard separates the two pairs at 0.5: {report}"
    );
}

#[test]
fn sign_writes_versioned_deterministic_signatures() {
    let d = tmp();
    let (a, b) = (p(d.path(), "a.sig"), p(d.path(), "b.sig"));
    syndic_ok(&["sign", SAMPLE, "-o", &a, "-q", "--threads", "1"]);
    syndic_ok(&[
        "sign",
        SAMPLE,
        "-o",
        &b,
        "-q",
        "--threads",
        "2",
        "--num-perm",
        "64",
    ]);
    let (header, records) =
        syndic::minhash::read_signatures(fs::File::open(&a).unwrap(), Path::new(&a)).unwrap();
    assert_eq!(
        header.format_version,
        syndic::minhash::SIGNATURE_FORMAT_VERSION
    );
    assert_eq!(header.count as usize, records.len());
    assert_eq!(
        records.len(),
        fs::read_to_string(SAMPLE).unwrap().lines().count()
    );
    assert!(records.iter().all(|(_, s)| s.len() == 128));
    let (h64, r64) =
        syndic::minhash::read_signatures(fs::File::open(&b).unwrap(), Path::new(&b)).unwrap();
    assert_eq!((h64.minhash.num_perm, r64[0].1.len()), (64, 64));
    let again = p(d.path(), "c.sig");
    syndic_ok(&["sign", SAMPLE, "-o", &again, "-q", "--threads", "2"]);
    assert_eq!(
        fs::read(&a).unwrap(),
        fs::read(&again).unwrap(),
        "identical for 1 and 2 threads"
    );
}

#[test]
fn generate_reads_an_article_folder_beside_its_readme() {
    // The shape of the BBC corpus: a README.TXT beside topic folders of
    // articles, some not valid UTF-8 (a Latin-1 pound sign).
    let d = tmp();
    let src = d.path().join("src");
    fs::create_dir_all(src.join("sport")).unwrap();
    fs::write(
        src.join("README.TXT"),
        "Consists of documents from a news site.\n",
    )
    .unwrap();
    let story = |i: usize| {
        let mut s = format!("Club agrees deal number {i}\n\n");
        for k in 0..12 {
            s.push_str(&format!(
                "The club said on day {k} that talks over story {i} went on late into the night and a fee was agreed.\n\n"
            ));
        }
        s.into_bytes()
    };
    for i in 0..6 {
        let mut bytes = story(i);
        if i == 0 {
            bytes.extend_from_slice(b"The fee was \xa315.8m.\n");
        }
        fs::write(src.join("sport").join(format!("{i:03}.txt")), bytes).unwrap();
    }
    let out = d.path().join("gen");
    let (from, to) = (src.to_string_lossy(), out.to_string_lossy());
    syndic_ok(&["corpora", "generate", "--from", &from, "--out", &to]);
    let text = fs::read_to_string(out.join("articles.jsonl")).unwrap();
    assert!(
        !text.contains("Consists of documents"),
        "README taken as an article"
    );
    let labels = fs::read_to_string(out.join("labels.tsv")).unwrap();
    for i in 0..6 {
        assert!(
            labels.contains(&format!("sport-{i:03}")),
            "article {i} missing:\n{labels}"
        );
    }
}

/// One wire story on two sites' pages: `extract` gives the article without
/// either site's chrome (and decodes the Latin-1 page by its declared
/// charset) with the publication time and address each page's head gives,
/// and `cluster` joins the two pages with the earlier one as the origin,
/// though it comes second.
#[test]
fn html_pages_give_their_article_and_join() {
    let dir = tmp();
    let story = [
        "The caf\u{e9} on Harbour Street will close on Friday after 60 years, its owners said, because the building is to be demolished.",
        "\u{201c}We served three generations of dockers,\u{201d} said Marie Dupr\u{e9}, who has run it since 1994. \u{201c}It is hard to say goodbye.\u{201d}",
        "The city council approved the demolition in March, and a hotel with 200 rooms is planned on the site, according to the planning documents.",
        "Regulars plan a farewell breakfast on Thursday, and the owners will auction the original 1964 espresso machine for a local charity.",
    ];
    let body: String = story.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let courier = format!(
        r#"<html><head><meta charset="utf-8"><title>Harbour caf&eacute; to close | Courier</title>
<meta property="og:url" content="https://courier.example/news/harbour-cafe?ref=home&amp;x=1">
<link rel="canonical" href="https://courier.example/news/harbour-cafe">
<meta name="date" content="2026-03-03">
<meta property="article:published_time" content="2026-03-02T09:10:00+00:00"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="promo">Subscribe now: three months for the price of one, cancel at any time.</div>
<div id="main"><article><h1>Harbour caf&eacute; to close</h1>{body}</article></div>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Storm warning for the coast tonight</a></li></ul></aside>
<footer>&copy; 2026 The Courier</footer></body></html>"#
    );
    let gazette = format!(
        r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>Caf&eacute; closing</title>
<meta property="og:url" content="https://gazette.example/2026/03/02/cafe">
<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "2026-03-02T07:15:00Z"}}</script></head><body>
<div class="header-bar"><ul class="menu"><li><a href="/">Gazette</a></li><li><a href="/sport">Sport</a></li></ul></div>
<div class="content"><div class="story-body">{body}</div>
<div class="related-stories"><a href="/a">Council budget approved, with cuts to libraries</a><a href="/b">New ferry timetable</a></div></div>
<div class="comments">Join the conversation: 14 comments, be the first to reply to this one.</div></body></html>"#
    );
    let (latin1, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&gazette);
    assert!(!unmappable);
    let pages = dir.path().join("pages");
    fs::create_dir(&pages).unwrap();
    fs::write(pages.join("courier.html"), courier).unwrap();
    fs::write(pages.join("gazette.html"), &latin1).unwrap();
    let pages = pages.to_string_lossy().into_owned();
    let text_out = p(dir.path(), "text.jsonl");
    syndic_ok(&["extract", &pages, "-o", &text_out, "-q"]);
    let mut heads = Vec::new();
    for line in fs::read_to_string(&text_out).unwrap().lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["text"], story.join("\n"), "{}", record["id"]);
        heads.push((record["published"].clone(), record["url"].clone()));
    }
    assert_eq!(
        heads,
        [
            (
                "2026-03-02T09:10:00+00:00".into(),
                "https://courier.example/news/harbour-cafe".into()
            ),
            (
                "2026-03-02T07:15:00Z".into(),
                "https://gazette.example/2026/03/02/cafe".into()
            ),
        ]
    );
    let clusters = p(dir.path(), "clusters.jsonl");
    syndic_ok(&["cluster", &pages, "-o", &clusters, "-q"]);
    let lines = cluster_lines(&clusters);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["cluster"], lines[1]["cluster"], "{lines:?}");
    assert_eq!(
        lines[0]["cluster"], "gazette.html",
        "the earlier page is the origin"
    );
}

/// Starts `syndic cluster` on 3,000 generated documents written to
/// `dir/in.jsonl`, with output `dir/out/clusters.jsonl`, and returns the
/// running process once `opened()` says its output was opened.
fn cluster_until_opened(dir: &Path, opened: impl Fn() -> bool) -> std::process::Child {
    let input = dir.join("in.jsonl");
    common::write_corpus(&input, 3_000, 400);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", input.to_str().unwrap(), "-q", "-o"])
        .arg(dir.join("out/clusters.jsonl"))
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !opened() {
        assert!(started.elapsed().as_secs() < 120, "no output was opened");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child
}

/// A run ended by a signal (Ctrl-C, SIGTERM) removes its unfinished
/// output, which it opened before the work; the old output stays.
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("clusters.jsonl"), "old\n").unwrap();
    let temporary = || {
        std::fs::read_dir(&out)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name() != "clusters.jsonl")
            .count()
    };
    let mut child = cluster_until_opened(dir.path(), || temporary() > 0);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(temporary(), 0);
    assert_eq!(
        std::fs::read_to_string(out.join("clusters.jsonl")).unwrap(),
        "old\n"
    );
}

/// A run killed with SIGKILL (the OOM killer) leaves its temporary output;
/// the next run writing to that folder removes it, and nothing else: not
/// a user's file named like ours, not the file of a process that still
/// runs, not one written from another machine.
#[test]
fn a_killed_runs_temporary_file_is_swept_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let others = [
        ".syndic-notes.tmp".to_string(),
        format!(".syndic-{}-{}-abc123.tmp", host.trim(), std::process::id()),
        ".syndic-elsewhere-1-abc123.tmp".to_string(),
    ];
    for name in &others {
        std::fs::write(out.join(name), "keep\n").unwrap();
    }
    let names = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !others.contains(n))
            .collect();
        v.sort();
        v
    };
    let mut child = cluster_until_opened(dir.path(), || !names().is_empty());
    child.kill().unwrap();
    child.wait().unwrap();
    let left = names();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(".syndic-"), "{left:?}");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "corpora/sample/articles.jsonl", "-q", "-o"])
        .arg(out.join("sample.jsonl"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(names(), vec!["sample.jsonl".to_string()]);
    for name in &others {
        assert_eq!(std::fs::read_to_string(out.join(name)).unwrap(), "keep\n");
    }
}

/// Outputs are opened before the work: a missing folder fails at once
/// (no run summary), and one file given as two outputs is refused.
#[test]
fn outputs_are_checked_before_the_run() {
    for args in [
        &[
            "dedup",
            "corpora/sample/articles.jsonl",
            "-o",
            "/nonexistent/kept.jsonl",
        ][..],
        &[
            "cluster",
            "corpora/sample/articles.jsonl",
            "-o",
            "/nonexistent/c.jsonl",
        ],
        &[
            "dedup",
            "corpora/sample/articles.jsonl",
            "-o",
            "/nonexistent/k.jsonl",
            "--report",
            "/tmp/r.jsonl",
        ],
    ] {
        let out = syndic(args);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains("/nonexistent/"), "{said}");
        assert!(
            !said.contains("documents (") && !said.contains("time:"),
            "{said}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.jsonl").to_string_lossy().into_owned();
    let out = syndic(&[
        "dedup",
        "corpora/sample/articles.jsonl",
        "-o",
        &same,
        "--clusters",
        &same,
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is given as two outputs"));
    assert!(!Path::new(&same).exists());
    // The same file spelled two ways: through `..`, and through a symlink
    // to its folder.
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("link")).unwrap();
    for other in ["sub/../same.jsonl", "link/same.jsonl"] {
        let other = dir.path().join(other).to_string_lossy().into_owned();
        let out = syndic(&[
            "dedup",
            "corpora/sample/articles.jsonl",
            "-o",
            &same,
            "--report",
            &other,
        ]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("is given as two outputs"), "{other}: {said}");
        assert!(!Path::new(&same).exists());
    }
}

/// A reader that stops early (`syndic extract ... -o - | head`) closes
/// the pipe: syndic stops quietly with success, as Unix tools do, where
/// it printed an error (`extract`), or panicked where it used `print!`
/// (`index stats`, `eval`, `bench`). Here the pipe is closed before
/// syndic writes, so its first write fails.
#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    use std::process::{Command, Stdio};
    let dir = tmp();
    let pred = p(dir.path(), "clusters.jsonl");
    syndic_ok(&[
        "cluster",
        "corpora/sample/articles.jsonl",
        "-q",
        "-o",
        &pred,
    ]);
    let labels = "corpora/sample/labels.tsv";
    for args in [
        &["extract", "corpora/sample/articles.jsonl", "-q", "-o", "-"][..],
        &["cluster", "corpora/sample/articles.jsonl", "-q", "-o", "-"][..],
        &["eval", "--labels", labels, "--pred", &pred][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run syndic");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// `eval --per-world` scores each world of a many-world corpus on its own:
/// an article's copies in two worlds (two clusters by the worlds' labels)
/// joined by syndic are no false pair there, while a false join inside a
/// world still is one; the recall of each kind is per world too.
#[test]
fn eval_per_world_scores_pairs_within_each_world() {
    let d = tmp();
    let (labels, pred) = (p(d.path(), "labels.tsv"), p(d.path(), "pred.jsonl"));
    let gold = [
        ("w1/a", "w1/a", "origin"),
        ("w1/a-copy", "w1/a", "syndicated"),
        ("w1/b", "w1/b", "origin"),
        ("w2/a", "w2/a", "origin"),
        ("w2/a-copy", "w2/a", "syndicated"),
    ];
    let mut tsv = String::from("id\tcluster\tstory\tkind\n");
    for (id, cluster, kind) in gold {
        tsv.push_str(&format!("{id}\t{cluster}\t{cluster}\t{kind}\n"));
    }
    fs::write(&labels, tsv).unwrap();
    // Both worlds' copies of `a` in one cluster; `w1/b` wrongly with them.
    let lines: Vec<String> = gold
        .iter()
        .map(|(id, ..)| format!(r#"{{"id":"{id}","cluster":"w1/a","story":"w1/a"}}"#))
        .collect();
    fs::write(&pred, lines.join("\n")).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "--labels", &labels, "--pred", &pred];
        args.extend_from_slice(extra);
        String::from_utf8(syndic_ok(&args).stdout).unwrap()
    };
    let whole = run(&[]);
    assert!(whole.contains("| pair precision | 0.2000 |"), "{whole}");
    let worlds = run(&["--per-world"]);
    assert!(
        worlds.contains("| w1 | 3 | 0.3333 | 1.0000 | 0.5000 | 1.0000 (1/1) |"),
        "{worlds}"
    );
    assert!(
        worlds.contains("| w2 | 2 | 1.0000 | 1.0000 | 1.0000 | 1.0000 (1/1) |"),
        "{worlds}"
    );
    let refused = syndic(&["eval", "--pairs", &labels, "--pred", &pred, "--per-world"]);
    assert!(!refused.status.success(), "--per-world needs --labels");
}

/// `eval --errors N` lists what is wrong to read by eye: with --labels the
/// predicted groups that mix gold groups and the gold groups split apart
/// (worst first, each with its parts and an id of each), with --pairs the
/// false positive and false negative pairs; the metrics stay as they were.
#[test]
fn eval_errors_lists_false_merges_and_misses() {
    let d = tmp();
    let (labels, pred) = (p(d.path(), "labels.tsv"), p(d.path(), "pred.jsonl"));
    let pairs = p(d.path(), "pairs.csv");
    let gold = [
        ("a", "a"),
        ("a-copy", "a"),
        ("b", "b"),
        ("c", "c"),
        ("c-copy", "c"),
    ];
    let mut tsv = String::from("id\tcluster\n");
    for (id, cluster) in gold {
        tsv.push_str(&format!("{id}\t{cluster}\n"));
    }
    fs::write(&labels, tsv).unwrap();
    // `b` wrongly with `a` and its copy; `c-copy` missed.
    let predicted = [
        ("a", "a"),
        ("a-copy", "a"),
        ("b", "a"),
        ("c", "c"),
        ("c-copy", "c-copy"),
    ];
    let lines: Vec<String> = predicted
        .iter()
        .map(|(id, cluster)| format!(r#"{{"id":"{id}","cluster":"{cluster}"}}"#))
        .collect();
    fs::write(&pred, lines.join("\n")).unwrap();
    fs::write(&pairs, "id1,id2,label\na,b,0\nc,c-copy,1\na,a-copy,1\n").unwrap();
    let run = |args: &[&str]| String::from_utf8(syndic_ok(args).stdout).unwrap();
    let plain = run(&["eval", "--labels", &labels, "--pred", &pred]);
    let listed = run(&[
        "eval", "--labels", &labels, "--pred", &pred, "--errors", "5",
    ]);
    assert!(listed.starts_with(&plain), "{listed}");
    assert!(
        listed.contains("| a | 3 | 2 | a (2, a); b (1, b) |"),
        "{listed}"
    );
    assert!(
        listed.contains("| c | 2 | 1 | c (1, c); c-copy (1, c-copy) |"),
        "{listed}"
    );
    let listed = run(&["eval", "--pairs", &pairs, "--pred", &pred, "--errors", "5"]);
    assert!(listed.contains("| a | b |  | a | a |"), "{listed}");
    assert!(
        listed.contains("| c | c-copy |  | c | c-copy |"),
        "{listed}"
    );
    assert!(!listed.contains("| a | a-copy |"), "a right pair: {listed}");
    let refused = syndic(&["eval", "--labels", &labels, "--errors", "5"]);
    assert!(!refused.status.success(), "--errors needs --pred");
}

/// `syndic explain` says why two documents are or are not grouped: the
/// run's groups, the edges that join a cluster, and the pair's evidence;
/// an id that no document has is refused by name.
#[test]
fn explain_tells_why_a_pair_is_or_is_not_grouped() {
    let run = |pair: [&str; 2]| {
        let out = syndic_ok(&["explain", SAMPLE, "-q", "--pair", pair[0], pair[1]]);
        String::from_utf8(out.stdout).unwrap()
    };
    let copy = run(["04-rail-strike-origin-27", "04-rail-strike-syndicated-30"]);
    assert!(
        copy.starts_with("## 04-rail-strike-origin-27 and 04-rail-strike-syndicated-30"),
        "{copy}"
    );
    assert!(
        copy.contains("| cluster | 04-rail-strike-origin-27 | 04-rail-strike-origin-27 | yes |"),
        "{copy}"
    );
    assert!(copy.contains("One cluster through"), "{copy}");
    assert!(copy.contains("| a match by verification | yes |"), "{copy}");
    let apart = run(["04-rail-strike-origin-27", "03-library-hours-origin-18"]);
    assert!(
        apart.contains("| story |") && apart.contains("| no |"),
        "{apart}"
    );
    assert!(!apart.contains("One cluster through"), "{apart}");
    assert!(
        apart.contains("| a match by verification | no |"),
        "{apart}"
    );
    let out = syndic(&[
        "explain",
        SAMPLE,
        "-q",
        "--pair",
        "04-rail-strike-origin-27",
        "nope",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no document has the id \"nope\""),
        "{stderr}"
    );
}
