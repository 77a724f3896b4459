//! The persistent index: batch adds equal a one-shot build, a killed add
//! leaves the previous index intact, queries, removal, the time window and
//! readers during a write.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use syndic::corpus::Texts;
use syndic::index::{Index, IndexSettings};
use syndic::{Config, Corpus, Document, ReadOptions};

fn sample() -> Vec<Document> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/sample/articles.jsonl");
    Corpus::read(&[path], &ReadOptions::default()).unwrap().docs
}

fn settings(window_days: Option<f64>) -> IndexSettings {
    IndexSettings {
        config: Config::default(),
        window_days,
    }
}

/// An index of `docs` in `dir`, with the default settings.
fn build_without_window(dir: &Path, docs: &[Document]) -> Index {
    Index::build(dir, settings(None), docs, &Texts::new(docs))
        .unwrap()
        .0
}

/// Each document's id, cluster and story.
type Clusters = Vec<(String, String, String, String)>;

fn sorted_clusters(index: &Index) -> Clusters {
    let mut c = index.clusters();
    c.sort();
    c
}

#[test]
fn batches_give_the_same_clusters_as_one_build() {
    let docs = sample();
    let dir = tempfile::tempdir().unwrap();
    let (whole, report) = Index::build(
        &dir.path().join("one"),
        settings(None),
        &docs,
        &Texts::new(&docs),
    )
    .unwrap();
    assert_eq!(report.added, docs.len());
    assert_eq!(
        report.new_clusters.len(),
        12,
        "six stories and six rewrites with a copy"
    );

    // The first batch holds too few pages per site for its chrome to count as
    // boilerplate: later batches teach it, and the first pages are signed again.
    let (mut batched, _) = Index::build(
        &dir.path().join("batched"),
        settings(None),
        &docs[..10],
        &Texts::new(&docs[..10]),
    )
    .unwrap();
    let mut resigned = 0;
    for chunk in docs[10..].chunks(15) {
        resigned += batched.add(chunk, &Texts::new(chunk)).unwrap().resigned;
    }
    assert!(
        resigned > 0,
        "the boilerplate model changed between batches"
    );
    assert_eq!(sorted_clusters(&batched), sorted_clusters(&whole));
    let reopened = Index::open(&dir.path().join("batched")).unwrap();
    assert_eq!(sorted_clusters(&reopened), sorted_clusters(&whole));
    assert_eq!(reopened.stats(true).unwrap().documents, docs.len());
}

#[test]
fn add_reports_changes_query_finds_copies_and_remove_forgets() {
    let docs = sample();
    let dir = tempfile::tempdir().unwrap();
    let origin = docs
        .iter()
        .position(|d| d.id == "04-rail-strike-origin-27")
        .unwrap();
    let rest: Vec<Document> = docs
        .iter()
        .filter(|d| !d.id.starts_with("04-rail-strike") || d.id == docs[origin].id)
        .cloned()
        .collect();
    let (mut index, _) =
        Index::build(dir.path(), settings(None), &rest, &Texts::new(&rest)).unwrap();

    // A copy on a site the index has never seen, with its own chrome.
    let mut copy = docs[origin].clone();
    copy.id = "new-site/rail".into();
    copy.source = Some("New Site".into());
    copy.text = format!("New Site | Menu | Login\n{}\nShare this story", copy.text);
    let matches = index.query(&copy, &copy.text).unwrap();
    assert_eq!(matches[0].id, docs[origin].id, "{matches:?}");
    assert!(matches[0].containment > 0.9, "{matches:?}");

    let copies: Vec<Document> = docs
        .iter()
        .filter(|d| d.id.starts_with("04-rail-strike-syndicated"))
        .cloned()
        .collect();
    let report = index.add(&copies, &Texts::new(&copies)).unwrap();
    assert_eq!(report.changed_clusters.len(), 1, "{report:?}");
    assert_eq!(report.changed_clusters[0].0, docs[origin].id);
    assert_eq!(report.changed_clusters[0].1.len(), copies.len());
    // Adding them again (a retry) skips them; an id held with another
    // text, or given twice, is refused.
    let again = index.add(&copies[..1], &Texts::new(&copies[..1])).unwrap();
    assert_eq!((again.unchanged, again.added), (1, 0));
    let mut edited = copies[0].clone();
    edited.text.push_str(" A correction.");
    let edited = [edited];
    assert!(
        index.add(&edited, &Texts::new(&edited)).is_err(),
        "ids are unique"
    );
    let twice = [copies[0].clone(), copies[0].clone()];
    assert!(index.add(&twice, &Texts::new(&twice)).is_err());

    index.remove(&[docs[origin].id.clone()]).unwrap();
    let after = index.query(&copy, &copy.text).unwrap();
    assert!(after.iter().all(|m| m.id != docs[origin].id));
    assert!(!after.is_empty(), "the syndicated copies are still there");
    assert!(
        after.iter().all(|m| m.cluster != docs[origin].id),
        "a new representative was chosen"
    );
    assert!(index.remove(&["no-such-id".into()]).is_err());
}

#[test]
fn an_article_bridging_two_clusters_merges_them_under_the_earliest() {
    let docs = sample();
    let find = |id: &str| docs.iter().find(|d| d.id == id).unwrap().clone();
    let rail = find("04-rail-strike-origin-27");
    let grant = find("05-telescope-grant-origin-36");
    let dir = tempfile::tempdir().unwrap();
    let (mut index, _) =
        Index::build(dir.path(), settings(None), &docs, &Texts::new(&docs)).unwrap();
    let cluster_of = |index: &Index, id: &str| {
        index
            .clusters()
            .into_iter()
            .find(|(d, _, _, _)| d == id)
            .map(|(_, c, _, _)| c)
            .unwrap()
    };
    assert_ne!(cluster_of(&index, &rail.id), cluster_of(&index, &grant.id));
    // A later round-up page that reprints both stories in full.
    let mut roundup = Document::new("roundup-1", format!("{}\n{}", rail.text, grant.text));
    roundup.published = Some("2026-06-11T08:00:00Z".into());
    let roundup = [roundup];
    let report = index.add(&roundup, &Texts::new(&roundup)).unwrap();
    assert_eq!(cluster_of(&index, &rail.id), cluster_of(&index, &grant.id));
    let merged = cluster_of(&index, "roundup-1");
    assert_eq!(merged, cluster_of(&index, &rail.id));
    assert!(
        [&rail.id, &grant.id].contains(&&merged),
        "the representative is the earliest origin, not the round-up: {merged}"
    );
    assert_eq!(report.changed_clusters.len(), 1, "{report:?}");
    assert!(
        report.changed_clusters[0].1.len() > 1,
        "the other cluster joined"
    );
}

#[test]
fn window_keeps_late_copies_apart_and_readers_survive_a_write() {
    let docs = sample();
    let dir = tempfile::tempdir().unwrap();
    let (mut writer, _) = Index::build(
        dir.path(),
        settings(Some(7.0)),
        &docs[..30],
        &Texts::new(&docs[..30]),
    )
    .unwrap();
    let ocr = docs
        .iter()
        .find(|d| d.id == "04-rail-strike-ocr-33")
        .unwrap();
    let reader = Index::open(dir.path()).unwrap();
    let before = reader.query(ocr, &ocr.text).unwrap();
    writer.add(&docs[30..], &Texts::new(&docs[30..])).unwrap();
    // The reader still holds the previous generation's files.
    assert_eq!(reader.query(ocr, &ocr.text).unwrap(), before);
    let now = Index::open(dir.path()).unwrap();
    let matches = now.query(ocr, &ocr.text).unwrap();
    assert!(
        matches.iter().all(|m| m.id == ocr.id),
        "published a month later than the others: {matches:?}"
    );
}

/// A reader opened before two commits still reads its own generation
/// (the second commit deletes that generation's files).
#[test]
fn a_reader_survives_two_commits() {
    let docs = sample();
    let dir = tempfile::tempdir().unwrap();
    let mut writer = build_without_window(dir.path(), &docs[..20]);
    let reader = Index::open(dir.path()).unwrap();
    let (stats, clusters) = (reader.stats(true).unwrap(), reader.clusters());
    let probe = &docs[5];
    let matches = reader.query(probe, &probe.text).unwrap();
    writer
        .add(&docs[20..30], &Texts::new(&docs[20..30]))
        .unwrap();
    writer.add(&docs[30..], &Texts::new(&docs[30..])).unwrap();
    let again = reader.stats(true).unwrap();
    assert_eq!(
        (again.generation, again.documents, again.edges),
        (stats.generation, stats.documents, stats.edges)
    );
    assert_eq!(reader.clusters(), clusters);
    assert_eq!(reader.query(probe, &probe.text).unwrap(), matches);
    assert_eq!(
        Index::open(dir.path())
            .unwrap()
            .stats(false)
            .unwrap()
            .documents,
        docs.len()
    );
}

fn index_command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_syndic"));
    c.arg("index").args(args);
    c
}

/// Copies an index folder (its files: an index has no subfolders) to a new
/// folder `to`.
fn copy_index(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

fn documents(dir: &Path) -> u64 {
    let out = index_command(&["stats", "--verify", "--index", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "index unreadable: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    stats["documents"].as_u64().unwrap()
}

/// An add stopped at any step of its commit leaves the index as it was, or
/// (once the manifest is renamed) as the add made it; never in between.
/// The add is aborted as a kill would abort it (no unwinding, no cleanup),
/// at each durable step in turn (`SYNDIC_CRASH_AT_STEP`), so every commit
/// point is tried, on any machine, however fast.
#[test]
fn a_killed_add_leaves_the_previous_index() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.jsonl");
    let second = dir.path().join("second.jsonl");
    common::write_corpus(&first, 200, 300);
    common::write_corpus_seeded(&second, 1_500, 600, 9);
    let index = dir.path().join("index");
    let ix = index.to_str().unwrap();
    let status = index_command(&["build", first.to_str().unwrap(), "--index", ix, "--quiet"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let base = documents(&index);
    // What a whole add gives: on a copy of the index.
    let copy = dir.path().join("copy");
    copy_index(&index, &copy);
    let whole = index_command(&["add", second.to_str().unwrap(), "--index"])
        .arg(&copy)
        .arg("-q")
        .output()
        .unwrap();
    assert!(whole.status.success());
    let added = documents(&copy);
    assert!(added > base);
    let mut aborted = 0;
    for step in 1.. {
        assert!(step < 100, "the add never finished");
        let status = index_command(&["add", second.to_str().unwrap(), "--index", ix, "--quiet"])
            .env("SYNDIC_CRASH_AT_STEP", step.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        if status.success() {
            break;
        }
        let n = documents(&index);
        // The last step is after the manifest's rename: the add is there.
        let committed = n != base;
        if committed {
            assert_eq!(n, added, "a partial batch after step {step}");
            // A later add of the same articles is a retried add: no change.
            let again = index_command(&["add", second.to_str().unwrap(), "--index", ix, "-q"])
                .output()
                .unwrap();
            assert!(again.status.success());
            assert_eq!(documents(&index), n);
            break;
        }
        aborted += 1;
    }
    // segment, model, edges, clusters, stories, manifest temporary
    assert!(aborted >= 6, "only {aborted} steps before the commit");
    assert_eq!(documents(&index), added);
    // What the aborted adds left behind is gone after the one that finished.
    let mut names: Vec<String> = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        !names.iter().any(|n| n.ends_with(".tmp")),
        "left over: {names:?}"
    );
}

/// Builds an index of corpora/sample in `dir` with the CLI.
fn build_sample(dir: &std::path::Path, extra: &[&str]) {
    let ix = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "index",
        "build",
        "corpora/sample/articles.jsonl",
        "--index",
        &ix,
        "-q",
    ];
    args.extend_from_slice(extra);
    common::syndic_ok(&args);
}

fn cli_index(sub: &str, dir: &std::path::Path) -> std::process::Output {
    let ix = dir.to_string_lossy().into_owned();
    match sub {
        "query" => common::syndic(&[
            "index",
            "query",
            "corpora/sample/articles.jsonl",
            "--index",
            &ix,
            "-q",
        ]),
        "add" => common::syndic(&["index", "add", "corpora/stories", "--index", &ix, "-q"]),
        "remove" => common::syndic(&[
            "index",
            "remove",
            "--index",
            &ix,
            "04-rail-strike-origin-27",
        ]),
        _ => common::syndic(&["index", sub, "--index", &ix]),
    }
}

#[test]
fn index_memory_limit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    build_sample(&dir.path().join("plain"), &[]);
    build_sample(&dir.path().join("limited"), &["--memory", "1K"]);
    // Without a limit a change keeps what signing made for matching;
    // under one it makes it again from the stored texts: the same files.
    assert_same_files(&dir.path().join("plain"), &dir.path().join("limited"));
    let plain = cli_index("clusters", &dir.path().join("plain"));
    let limited = cli_index("clusters", &dir.path().join("limited"));
    assert_eq!(plain.stdout, limited.stdout);
    let clusters = String::from_utf8(plain.stdout).unwrap();
    let distinct: std::collections::BTreeSet<&str> = clusters
        .lines()
        .map(|l| l.split("\"cluster\":").nth(1).unwrap())
        .collect();
    assert!(
        distinct.len() > 5,
        "the sample has 12 clusters, not {}",
        distinct.len()
    );
    let ix = dir.path().join("plain").to_string_lossy().into_owned();
    let query = |extra: &[&str]| {
        let mut args = vec![
            "index",
            "query",
            "corpora/sample/articles.jsonl",
            "--index",
            &ix,
            "-q",
        ];
        args.extend_from_slice(extra);
        common::syndic(&args).stdout
    };
    let limited = query(&["--memory", "1K"]);
    assert_eq!(query(&[]), limited);
    assert!(String::from_utf8(limited)
        .unwrap()
        .contains("\"similarity\""));
    // add, with and without a limit, to copies of one index
    let add = |name: &str, extra: &[&str]| {
        let ix = dir.path().join(name);
        build_sample(&ix, &[]);
        let ixs = ix.to_string_lossy().into_owned();
        let mut args = vec!["index", "add", "corpora/stories", "--index", &ixs, "-q"];
        args.extend_from_slice(extra);
        let out = common::syndic_ok(&args);
        (out.stdout, cli_index("clusters", &ix).stdout)
    };
    assert_eq!(
        add("add-plain", &[]),
        add("add-limited", &["--memory", "1K"])
    );
    assert_same_files(
        &dir.path().join("add-plain"),
        &dir.path().join("add-limited"),
    );
}

/// Two index folders hold the same files, byte for byte (but the lock).
fn assert_same_files(a: &std::path::Path, b: &std::path::Path) {
    let names = |d: &std::path::Path| -> std::collections::BTreeSet<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "LOCK")
            .collect()
    };
    assert_eq!(names(a), names(b));
    for n in names(a) {
        let same = std::fs::read(a.join(&n)).unwrap() == std::fs::read(b.join(&n)).unwrap();
        assert!(
            same,
            "{n} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Every index subcommand on a damaged file exits 2 with a message naming
/// the file, never panics (exit 101) or answers as if nothing were wrong.
#[test]
fn damaged_index_files_give_clear_errors() {
    type Damage = fn(&std::path::Path);
    let flip = |p: &std::path::Path| {
        let mut b = std::fs::read(p).unwrap();
        let at = b.len() / 2;
        b[at] ^= 0x5a;
        b[at + 7] ^= 0x11;
        std::fs::write(p, b).unwrap();
    };
    let truncate = |p: &std::path::Path| {
        let b = std::fs::read(p).unwrap();
        std::fs::write(p, &b[..b.len() * 2 / 3]).unwrap();
    };
    let damages: Vec<(&str, &str, Damage)> = vec![
        ("seg-", "flipped", flip),
        ("seg-", "truncated", truncate),
        ("edges-", "flipped", flip),
        ("clusters-", "truncated", truncate),
        ("stories-", "flipped", flip),
        ("threads-", "flipped", flip),
        ("model-", "flipped", flip),
        ("MANIFEST", "truncated", truncate),
        ("MANIFEST", "version", |p| {
            let s = std::fs::read_to_string(p).unwrap();
            std::fs::write(
                p,
                s.replace("\"format_version\": 3", "\"format_version\": 9"),
            )
            .unwrap();
        }),
        ("MANIFEST", "outside", |p| {
            let s = std::fs::read_to_string(p).unwrap();
            std::fs::write(
                p,
                s.replace("\"file\": \"seg-1.syx\"", "\"file\": \"../../etc/passwd\""),
            )
            .unwrap();
        }),
        ("MANIFEST", "count", |p| {
            let s = std::fs::read_to_string(p).unwrap();
            std::fs::write(p, s.replace("\"next_number\": 54", "\"next_number\": 3")).unwrap();
        }),
    ];
    for (prefix, how, damage) in damages {
        for sub in ["clusters", "stats", "query", "add", "remove"] {
            let dir = tempfile::tempdir().unwrap();
            build_sample(dir.path(), &[]);
            let file = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    // the current generation's file, not the previous one kept for readers
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    name.starts_with(prefix) && !name.contains("-0.")
                })
                .unwrap();
            let before = std::fs::read(&file).unwrap();
            damage(&file);
            assert_ne!(
                before,
                std::fs::read(&file).unwrap(),
                "{prefix} {how}: not damaged"
            );
            let out = cli_index(sub, dir.path());
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{prefix} {how} {sub}: {err}");
            assert!(
                err.contains("syndic: error:") && !err.contains("panicked"),
                "{prefix} {how} {sub}: {err}"
            );
            if how == "version" {
                assert!(err.contains("rebuild with `syndic index build`"), "{err}");
            }
        }
    }
}

/// Cluster, story and thread ids by document id, from `syndic cluster` or
/// `syndic index clusters` output.
fn cluster_ids(path: &Path) -> std::collections::BTreeMap<String, (String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let field = |k: &str| v[k].as_str().unwrap().to_string();
            (
                field("id"),
                (field("cluster"), field("story"), field("thread")),
            )
        })
        .collect()
}

/// One matcher: an index built from a corpus holds the same clusters,
/// stories and threads as `syndic cluster` on it (same representatives,
/// same members).
fn index_agrees_with_cluster(input: &str) {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let out = dir.path().join("clusters.jsonl");
    common::syndic_ok(&["cluster", input, "-o", &out.to_string_lossy(), "-q"]);
    let ixs = ix.to_string_lossy().into_owned();
    common::syndic_ok(&["index", "build", input, "--index", &ixs, "-q"]);
    std::fs::write(
        dir.path().join("ix.jsonl"),
        cli_index("clusters", &ix).stdout,
    )
    .unwrap();
    let from_index = cluster_ids(&dir.path().join("ix.jsonl"));
    let from_cluster = cluster_ids(&out);
    assert_eq!(from_index.len(), from_cluster.len());
    let differ: Vec<_> = from_cluster
        .iter()
        .filter(|(id, c)| from_index.get(*id) != Some(c))
        .take(5)
        .collect();
    assert!(
        differ.is_empty(),
        "{input}: index and cluster disagree on {differ:?}"
    );
}

#[test]
fn index_clusters_equal_cluster_on_the_sample() {
    index_agrees_with_cluster("corpora/sample/articles.jsonl");
}

/// Copies of a page's body (on another site), next to their first page
/// and thousands of pages after it, land in its cluster: in an index as in
/// `syndic cluster`, and in `syndic cluster` under a memory limit too, where
/// the copies are signed in other batches than their first pages.
#[test]
fn copies_near_and_far_join_their_first_page_in_index_and_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pages.jsonl");
    // Distinct articles of pseudo-random words (no two alike).
    let mut rng = common::Lcg(7);
    let mut word = || format!("w{}", rng.next(60_000));
    let articles: Vec<String> = (0..4_120)
        .map(|_| (0..60).map(|_| word()).collect::<Vec<_>>().join(" "))
        .collect();
    let mut lines: Vec<String> = articles
        .iter()
        .enumerate()
        .map(|(k, text)| {
            serde_json::json!({"id": format!("a{k}"), "source": "alpha", "text": text}).to_string()
        })
        .collect();
    // Copies on another site, at the end: of the first pages and of pages
    // about 4,100 pages later; and one right after its first page.
    for k in [0usize, 1, 4_094, 4_095, 4_096, 4_100] {
        let copy =
            serde_json::json!({"id": format!("copy{k}"), "source": "beta", "text": articles[k]});
        lines.push(copy.to_string());
    }
    lines.insert(
        3,
        serde_json::json!({"id": "copy2", "source": "beta", "text": articles[2]}).to_string(),
    );
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    index_agrees_with_cluster(&input.to_string_lossy());
    // `syndic cluster`'s clusters, written to `name` with `extra` flags.
    let clusters = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let (input, out_arg) = (input.to_string_lossy(), out.to_string_lossy());
        let mut args = vec!["cluster", &input, "-o", &out_arg, "-q"];
        args.extend_from_slice(extra);
        common::syndic_ok(&args);
        cluster_ids(&out)
    };
    // And the copies are in their first pages' clusters.
    let ids = clusters("c.jsonl", &[]);
    for k in [0usize, 1, 2, 4_094, 4_095, 4_096, 4_100] {
        assert_eq!(
            ids[&format!("copy{k}")].0,
            ids[&format!("a{k}")].0,
            "copy of page {k}"
        );
    }
    assert_ne!(ids["a1"].0, ids["a2"].0);
    // Under a memory limit `syndic cluster` signs in batches of a few
    // thousand pages (16,384 without), so copies and their first pages
    // fall in different batches: the same clusters.
    assert_eq!(clusters("limited.jsonl", &["--memory", "64M"]), ids);
}

#[test]
fn index_clusters_equal_cluster_on_bbc_generated() {
    let bbc = Path::new("../shared/corpora/bbc");
    if !bbc.exists() {
        eprintln!("skipped: ../shared/corpora/bbc is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bbcgen");
    common::syndic_ok(&[
        "corpora",
        "generate",
        "--from",
        &bbc.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]);
    index_agrees_with_cluster(&out.join("articles.jsonl").to_string_lossy());
}

/// An index written by format version 1 (tests/fixtures/index-v1, built
/// from the first 16 pages of corpora/sample, before stories were stored)
/// still opens and reads the same clusters, each cluster its own story and
/// thread; readers never write to it.
#[test]
fn format_v1_fixture_opens_and_reads_the_same() {
    fixture_opens_and_reads_the_same("index-v1");
}

/// Likewise an index of version 2 (tests/fixtures/index-v2, the same 16
/// pages, with stories but before threads were stored): the same clusters
/// and stories, each story its own thread.
#[test]
fn format_v2_fixture_opens_and_reads_the_same() {
    fixture_opens_and_reads_the_same("index-v2");
}

fn fixture_opens_and_reads_the_same(name: &str) {
    let fixture = Path::new("tests/fixtures").join(name);
    let fixture = fixture.as_path();
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixture)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    let out = cli_index("clusters", fixture);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read(format!("tests/fixtures/{name}.clusters.jsonl")).unwrap();
    assert_eq!(out.stdout, expected);
    let stats = cli_index("stats", fixture);
    assert!(stats.status.success());
    assert!(String::from_utf8_lossy(&stats.stdout).contains("\"documents\": 16"));
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{path} changed");
    }
    assert!(!fixture.join("LOCK").exists());
}

/// The next change to a version-1 or version-2 index writes version 3,
/// with stories and threads.
#[test]
fn a_change_upgrades_a_v1_or_v2_index() {
    for name in ["index-v1", "index-v2"] {
        let dir = tempfile::tempdir().unwrap();
        let ix = dir.path().join("ix");
        copy_index(&Path::new("tests/fixtures").join(name), &ix);
        let out = cli_index("add", &ix);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = std::fs::read_to_string(ix.join("MANIFEST")).unwrap();
        assert!(manifest.contains("\"format_version\": 3"), "{manifest}");
        assert!(manifest.contains("stories-"), "{manifest}");
        assert!(manifest.contains("threads-"), "{manifest}");
        let clusters = String::from_utf8(cli_index("clusters", &ix).stdout).unwrap();
        assert_eq!(clusters.lines().count(), 16 + 12, "{name}");
        assert!(clusters
            .lines()
            .all(|l| l.contains("\"story\"") && l.contains("\"thread\"")));
    }
}

/// An index never deletes a file it did not write: a user's file in a
/// folder given to `index build` stops the build, and one put into an
/// index folder survives every later change.
#[test]
fn user_files_are_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("clusters-2026-03-01.jsonl");
    std::fs::write(&mine, "precious\n").unwrap();
    let ix = dir.path().to_string_lossy().into_owned();
    let out = common::syndic(&["index", "build", "corpora/stories", "--index", &ix, "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "precious\n");

    let sub = dir.path().join("ix");
    build_sample(&sub, &[]);
    let theirs = [
        "clusters-2026-03-01.jsonl",
        "seg-notes.txt",
        "edges-1.bin.bak",
    ];
    for name in theirs {
        std::fs::write(sub.join(name), "keep me\n").unwrap();
    }
    assert!(cli_index("add", &sub).status.success());
    assert!(cli_index("remove", &sub).status.success());
    assert!(cli_index("clusters", &sub).status.success());
    for name in theirs {
        assert_eq!(
            std::fs::read_to_string(sub.join(name)).unwrap(),
            "keep me\n",
            "{name}"
        );
    }
}

/// Two builds into one new folder at once: one builds, the other waits for
/// the lock, finds the index and fails; the index holds the first's documents.
#[test]
fn concurrent_builds_do_not_lose_documents() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix").to_string_lossy().into_owned();
    let start = |input: &str| {
        Command::new(env!("CARGO_BIN_EXE_syndic"))
            .args(["index", "build", input, "--index", &ix, "-q"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = start("corpora/sample/articles.jsonl");
    let b = start("corpora/stories");
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(
        [a.status.success(), b.status.success()]
            .iter()
            .filter(|&&ok| ok)
            .count(),
        1,
        "exactly one build succeeds: {} / {}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let docs = if a.status.success() { 54 } else { 12 };
    let stats = String::from_utf8(cli_index("stats", Path::new(&ix)).stdout).unwrap();
    assert!(stats.contains(&format!("\"documents\": {docs}")), "{stats}");
}

/// An add whose report cannot be written says that it committed, and
/// running it again skips what the index already holds; an id in the
/// index with another text is still refused.
#[test]
fn a_retried_add_skips_what_it_committed() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    build_sample(&ix, &[]);
    let ixs = ix.to_string_lossy().into_owned();
    let add = |input: &str| {
        index_command(&["add", input, "--index", &ixs])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let full = index_command(&["add", "corpora/stories", "--index", &ixs])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{said}");
    assert!(said.contains("the change is committed (12 added"), "{said}");
    assert_eq!(documents(&ix), 54 + 12);
    let again = add("corpora/stories");
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{said}");
    assert!(
        said.contains("12 documents were already in the index"),
        "{said}"
    );
    assert_eq!(documents(&ix), 54 + 12);
    let edited = dir.path().join("edited.jsonl");
    let line = serde_json::json!({"id": "01-harbor-bridge.txt", "text": "Another text entirely."});
    std::fs::write(&edited, format!("{line}\n")).unwrap();
    let refused = add(edited.to_str().unwrap());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(
        said.contains("already in the index with another text"),
        "{said}"
    );
}

/// A writer that is stopped while it holds the lock is named, with what
/// to do, and the next writer gives up after `--wait`.
#[test]
fn a_stopped_writer_is_named_and_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    build_sample(&ix, &[]);
    let big = dir.path().join("big.jsonl");
    common::write_corpus(&big, 3_000, 400);
    let ixs = ix.to_string_lossy().into_owned();
    let mut writer = index_command(&["add", big.to_str().unwrap(), "--index", &ixs, "-q"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = writer.id().to_string();
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(ix.join("LOCK"))
        .unwrap_or_default()
        .contains(&format!("\"pid\":{pid},"))
    {
        assert!(started.elapsed().as_secs() < 120, "the writer never locked");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let signal = |sig: &str| {
        assert!(Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success())
    };
    signal("-STOP");
    let waited = std::time::Instant::now();
    let blocked = index_command(&["add", "corpora/stories", "--index", &ixs, "--wait", "1s"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    signal("-CONT");
    let said = String::from_utf8_lossy(&blocked.stderr);
    assert_eq!(blocked.status.code(), Some(2), "{said}");
    assert!(waited.elapsed() >= std::time::Duration::from_secs(1));
    for part in [
        format!("locked by process {pid} (since "),
        format!("which is stopped: resume it (kill -CONT {pid})"),
        "use --wait".to_string(),
    ] {
        assert!(said.contains(&part), "{part} in {said}");
    }
    assert!(writer.wait().unwrap().success());
    let added = std::fs::read_to_string(&big).unwrap().lines().count() as u64;
    assert_eq!(documents(&ix), 54 + added);
}

/// A 3 MB tmpfs at a new folder, unmounted when dropped; `None` where
/// this process may not mount (not root).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

/// On a full disk an `index add` fails, removes its partial files and
/// leaves the index as it was; `dedup` replaces none of its outputs and
/// leaves no temporary file.
#[test]
fn a_full_disk_replaces_nothing_and_leaves_nothing() {
    let Some(disk) = SmallDisk::mount() else {
        eprintln!("skipped: cannot mount a small tmpfs here");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let big = work.path().join("big.jsonl");
    common::write_corpus(&big, 2_000, 400);
    let ix = disk.0.path().join("ix");
    build_sample(&ix, &[]);
    let files = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = files(&ix);
    let out = index_command(&[
        "add",
        big.to_str().unwrap(),
        "--index",
        ix.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("No space left on device"), "{said}");
    assert_eq!(files(&ix), before, "the failed add left files");
    assert_eq!(documents(&ix), 54);

    let disk = disk.0.path();
    for name in ["kept.jsonl", "clusters.jsonl", "report.jsonl"] {
        std::fs::write(disk.join(name), "old\n").unwrap();
    }
    let path = |name: &str| disk.join(name).to_string_lossy().into_owned();
    let out = common::syndic(&[
        "dedup",
        big.to_str().unwrap(),
        "-o",
        &path("kept.jsonl"),
        "--clusters",
        &path("clusters.jsonl"),
        "--report",
        &path("report.jsonl"),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    for name in ["kept.jsonl", "clusters.jsonl", "report.jsonl"] {
        assert_eq!(std::fs::read_to_string(disk.join(name)).unwrap(), "old\n");
    }
    assert_eq!(
        files(disk),
        ["clusters.jsonl", "ix", "kept.jsonl", "report.jsonl"]
    );
}

/// A reference index of the sample (in a folder kept for the whole test
/// run) with its clusters, for the damage property below.
fn reference_index() -> &'static (tempfile::TempDir, Clusters) {
    static REFERENCE: std::sync::OnceLock<(tempfile::TempDir, Clusters)> =
        std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        let docs = sample();
        let dir = tempfile::tempdir().unwrap();
        let mut index = build_without_window(dir.path(), &docs[..40]);
        index.add(&docs[40..], &Texts::new(&docs[40..])).unwrap();
        index.remove(&[docs[3].id.clone()]).unwrap();
        let clusters = sorted_clusters(&index);
        (dir, clusters)
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Any byte of any file an index reads (segments, the small files, the
    /// manifest), changed, gives an error on open or, where the change
    /// means nothing (JSON whitespace), the same index: never a panic,
    /// never a different answer.
    #[test]
    fn a_changed_byte_is_an_error_or_changes_nothing(
        pick in 0usize..1000, at in 0.0f64..1.0, xor in 1u8..=255
    ) {
        let (reference, clusters) = reference_index();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("ix");
        copy_index(reference.path(), &copy);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&copy)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "LOCK")
            .collect();
        names.sort();
        let file = &names[pick % names.len()];
        let mut bytes = std::fs::read(file).unwrap();
        let offset = ((bytes.len() as f64 * at) as usize).min(bytes.len() - 1);
        bytes[offset] ^= xor;
        std::fs::write(file, &bytes).unwrap();
        if let Ok(index) = Index::open(&copy) {
            proptest::prop_assert_eq!(&sorted_clusters(&index), clusters, "{:?} at {}", file, offset);
            let stats = index.stats(true).unwrap();
            proptest::prop_assert_eq!(stats.documents, clusters.len());
        }
    }
}

/// Every byte of the manifest, changed (a digit to another digit with
/// `^ 1`, a letter's case with `^ 0x20`), gives an error on open or the
/// same index: the manifest carries its own checksum.
#[test]
fn every_manifest_byte_is_checked() {
    let (reference, clusters) = reference_index();
    let manifest = std::fs::read(reference.path().join("MANIFEST")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("ix");
    copy_index(reference.path(), &copy);
    let mut wrong = Vec::new();
    for offset in 0..manifest.len() {
        for xor in [0x01, 0x20] {
            let mut bytes = manifest.clone();
            bytes[offset] ^= xor;
            std::fs::write(copy.join("MANIFEST"), &bytes).unwrap();
            if let Ok(index) = Index::open(&copy) {
                if sorted_clusters(&index) != *clusters {
                    wrong.push(offset);
                }
            }
        }
    }
    assert!(wrong.is_empty(), "read as another index: offsets {wrong:?}");
}

/// Compaction reclaims what removal left, changes no answer, and later
/// changes agree with an index never compacted.
#[test]
fn compact_reclaims_removed_documents_and_changes_no_answer() {
    let docs = sample();
    let gone: Vec<String> = docs[..10].iter().map(|d| d.id.clone()).collect();
    let grown = |dir: &Path| {
        let mut index = build_without_window(dir, &docs[..30]);
        index
            .add(&docs[30..45], &Texts::new(&docs[30..45]))
            .unwrap();
        index.remove(&gone).unwrap();
        index
    };
    let dir = tempfile::tempdir().unwrap();
    let mut index = grown(dir.path());
    let before = index.stats(true).unwrap();
    let clusters = sorted_clusters(&index);
    let ask = |index: &Index| -> Vec<_> {
        docs[35..]
            .iter()
            .map(|d| index.query(d, &d.text).unwrap())
            .collect()
    };
    let answers = ask(&index);
    let report = index.compact().unwrap();
    assert_eq!(
        (
            report.removed_reclaimed,
            report.segments_before,
            report.documents
        ),
        (10, before.segments, before.documents)
    );
    let after = index.stats(true).unwrap();
    assert_eq!(
        (after.segments, after.removed, after.documents),
        (1, 0, before.documents)
    );
    assert!(
        after.bytes < before.bytes,
        "{} -> {}",
        before.bytes,
        after.bytes
    );
    assert_eq!(sorted_clusters(&index), clusters);
    let reopened = Index::open(dir.path()).unwrap();
    assert_eq!(sorted_clusters(&reopened), clusters);
    assert_eq!(ask(&reopened), answers);

    let other_dir = tempfile::tempdir().unwrap();
    let mut other = grown(other_dir.path());
    index.add(&docs[45..], &Texts::new(&docs[45..])).unwrap();
    other.add(&docs[45..], &Texts::new(&docs[45..])).unwrap();
    assert_eq!(sorted_clusters(&index), sorted_clusters(&other));
    assert_eq!(ask(&index), ask(&other));
}

/// A bucket over `max_bucket` is a flood only by its live pages. Ten
/// identical pages over buckets of six are chained (17 edges, not 45);
/// after four are removed, the pages matched again pair in full (9 edges
/// before this rule, 15 now), as a new index over the six live pages does,
/// rather than chained because the removed pages' entries (kept until
/// compaction) still fill every bucket.
#[test]
fn removed_pages_do_not_make_a_flood() {
    let docs = common::flood(10, 0, 0);
    let small = IndexSettings {
        config: Config {
            max_bucket: 6,
            ..Config::default()
        },
        window_days: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let (mut index, _) =
        Index::build(dir.path(), small.clone(), &docs, &Texts::new(&docs)).unwrap();
    let chained = index.stats(false).unwrap().edges;
    assert!(
        chained < 45,
        "ten pages over a bucket of six are chained: {chained} edges"
    );
    let gone: Vec<String> = ["p1", "p2", "p3", "p4"].map(String::from).to_vec();
    index.remove(&gone).unwrap();
    let kept: Vec<Document> = docs
        .iter()
        .filter(|d| !gone.contains(&d.id))
        .cloned()
        .collect();
    let other_dir = tempfile::tempdir().unwrap();
    let (fresh, _) = Index::build(other_dir.path(), small, &kept, &Texts::new(&kept)).unwrap();
    assert_eq!(
        fresh.stats(false).unwrap().edges,
        15,
        "six pages, every pair"
    );
    assert_eq!(index.stats(false).unwrap().edges, 15);
    assert_eq!(sorted_clusters(&index), sorted_clusters(&fresh));
}

/// 700 identical pages: each shares every bucket with all the others, so
/// matching chains them (each with its nearest two on each side) instead
/// of storing every pair (244,650 edges before). Removing three adjacent
/// pages matches their neighbours again, which closes the gap: the rest
/// stay one cluster.
#[test]
fn a_flood_is_chained_and_stays_whole_when_pages_go() {
    let docs = common::flood(700, 0, 0);
    let dir = tempfile::tempdir().unwrap();
    let mut index = build_without_window(dir.path(), &docs);
    let stats = index.stats(false).unwrap();
    assert_eq!(stats.clusters, 1);
    assert!(stats.edges <= 4 * docs.len(), "{} edges", stats.edges);
    let gone: Vec<String> = ["p300", "p301", "p302"].map(String::from).to_vec();
    index.remove(&gone).unwrap();
    let clusters = index.clusters();
    assert_eq!(clusters.len(), 697);
    let distinct: std::collections::BTreeSet<&String> = clusters.iter().map(|c| &c.1).collect();
    assert_eq!(distinct.len(), 1, "{distinct:?}");
    // A query still finds every copy.
    let probe = syndic::Document::new("q", docs[0].text.clone());
    assert_eq!(index.query(&probe, &probe.text).unwrap().len(), 697);
}
