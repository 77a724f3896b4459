//! Input and output robustness: every bad-input case, mixed folders of every
//! format, stdin/stdout, interrupted runs, and a fuzz test of the readers.

mod common;

use common::{p, syndic};

use proptest::prelude::*;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use syndic::{Corpus, ReadOptions};

const GOOD: &str = "{\"id\":\"a\",\"text\":\"The harbor bridge will close for six weeks after cracks were found.\"}\n";

/// A bad-input case: file contents, the message expected at `in.jsonl:2`, and
/// the problem kind counted with --skip-invalid.
fn check_case(second_line: &[u8], message: &str, kind: &str) {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "in.jsonl");
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(second_line);
    bytes.extend_from_slice(
        b"\n{\"id\":\"z\",\"text\":\"Last record of the file, which must not be lost.\"}\n",
    );
    fs::write(&input, &bytes).unwrap();
    let out = p(d.path(), "c.jsonl");

    let fail = syndic(&["cluster", &input, "-o", &out]);
    assert_eq!(fail.status.code(), Some(2), "{kind}");
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(
        err.contains(&format!("in.jsonl:2: {message}")),
        "{kind}: {err}"
    );
    assert!(!Path::new(&out).exists());

    let rejects = p(d.path(), "rejects.jsonl");
    let run = common::cluster_skipping(&input, &out, &rejects);
    assert!(
        run.status.success(),
        "{kind}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!("skipped: 1 records ({kind})")),
        "{kind}: {err}"
    );
    let listed = fs::read_to_string(&rejects).unwrap();
    assert!(
        listed.contains("\"line\":2") && listed.contains(kind),
        "{listed}"
    );
    let ids = common::ids_in(&out);
    assert!(
        ids.contains(&"a".to_string()) && ids.contains(&"z".to_string()),
        "{kind}: {ids:?}"
    );
}

#[test]
fn malformed_json_line() {
    check_case(
        b"{\"id\":\"b\",\"text\":",
        "malformed JSON",
        "malformed_json",
    );
}

#[test]
fn invalid_utf8() {
    check_case(
        b"{\"id\":\"b\",\"text\":\"caf\xe9\"}",
        "invalid UTF-8 at byte 21",
        "invalid_utf8",
    );
}

#[test]
fn missing_text_field() {
    check_case(
        b"{\"id\":\"b\",\"body\":\"x\"}",
        "missing text field \"text\"",
        "missing_text",
    );
}

#[test]
fn non_string_text() {
    check_case(
        b"{\"id\":\"b\",\"text\":{\"html\":\"x\"}}",
        "field \"text\" is not a string",
        "not_a_string",
    );
}

#[test]
fn duplicate_id() {
    check_case(
        b"{\"id\":\"a\",\"text\":\"again\"}",
        "duplicate id \"a\"",
        "duplicate_id",
    );
}

#[test]
fn empty_and_tiny_texts_are_kept_and_flagged() {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "in.jsonl");
    fs::write(&input, format!("{GOOD}{{\"id\":\"e1\",\"text\":\"\"}}\n{{\"id\":\"e2\",\"text\":\"  \"}}\n{{\"id\":\"t\",\"text\":\"Breaking.\"}}\n")).unwrap();
    let out = p(d.path(), "c.jsonl");
    assert!(syndic(&["cluster", &input, "-o", &out, "-q"])
        .status
        .success());
    let lines: Vec<serde_json::Value> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for l in &lines[1..] {
        assert_eq!(l["short"], true, "{l}");
    }
    assert_eq!(
        lines[1]["cluster"], lines[2]["cluster"],
        "two empty texts are exact duplicates"
    );
    assert_eq!(lines[3]["cluster"], "t");
}

#[test]
fn fifty_megabyte_document() {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "big.jsonl");
    let mut f = fs::File::create(&input).unwrap();
    let words: String = (0..8_000_000)
        .map(|i| format!("w{} ", i % 100_003))
        .collect::<String>();
    assert!(words.len() > 50_000_000);
    writeln!(f, "{}", serde_json::json!({"id": "big", "text": words})).unwrap();
    writeln!(f, "{}", serde_json::json!({"id": "copy", "text": words})).unwrap();
    write!(f, "{GOOD}").unwrap();
    drop(f);
    let out = p(d.path(), "c.jsonl");
    let run = syndic(&["cluster", &input, "-o", &out, "-q"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().nth(1).unwrap().contains("\"cluster\":\"big\""));
}

#[test]
fn truncated_gzip() {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "in.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "{{\"id\":\"{i}\",\"text\":\"record number {i} of a compressed file with some words\"}}").unwrap();
    }
    let bytes = gz.finish().unwrap();
    fs::write(&input, &bytes[..bytes.len() / 2]).unwrap();
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&["cluster", &input, "-o", &out]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(
        err.contains("in.jsonl.gz:") && err.contains("unreadable input"),
        "{err}"
    );
    let run = syndic(&["cluster", &input, "-o", &out, "--skip-invalid"]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("skipped: 1 records (unreadable)"));
    assert!(
        fs::read_to_string(&out).unwrap().lines().count() > 100,
        "the readable part is kept"
    );
}

/// A folder with every supported format: every record is accounted for.
#[test]
fn mixed_folder_accounts_for_every_input() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("scrape");
    fs::create_dir_all(dir.join("pages")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"id\":\"j1\",\"text\":\"First JSON line article about the harbor bridge.\"}\n{\"text\":\"No id here.\"}\n").unwrap();
    fs::write(dir.join("a.jsonl.gz"), gz.finish().unwrap()).unwrap();
    fs::write(
        dir.join("b.json"),
        "[{\"id\":\"arr1\",\"text\":\"From an array.\"},\n{\"id\":\"arr2\",\"text\":\"Second.\"}]",
    )
    .unwrap();
    fs::write(
        dir.join("c.csv"),
        "id,text,source\ncsv1,\"A CSV article, with a comma\",x.com\ncsv2,Another,y.com\n",
    )
    .unwrap();
    fs::write(
        dir.join("d.tsv.zst"),
        zstd::encode_all(&b"id\ttext\ntsv1\tTab separated\n"[..], 3).unwrap(),
    )
    .unwrap();
    fs::write(
        dir.join("pages/story.txt"),
        "Title line\nBody of a plain text article.",
    )
    .unwrap();
    fs::write(dir.join("pages/page.html"), "<html><head><title>T</title></head><body><nav>Menu</nav><p>HTML article body.</p></body></html>").unwrap();
    fs::write(dir.join("notes.md"), "not an input format").unwrap();
    let out = p(d.path(), "c.csv");
    let run = syndic(&[
        "cluster",
        &dir.to_string_lossy(),
        "-o",
        &out,
        "--format",
        "csv",
        "-q",
        "--title-first-line",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,cluster,story,thread,representative,similarity,containment,short"
    );
    let ids: Vec<String> = lines
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let a = dir.join("a.jsonl.gz").to_string_lossy().into_owned();
    assert_eq!(
        ids,
        vec![
            "j1".to_string(),
            format!("{a}:2"),
            "arr1".into(),
            "arr2".into(),
            "csv1".into(),
            "csv2".into(),
            "tsv1".into(),
            "pages/page.html".into(),
            "pages/story.txt".into()
        ]
    );
}

#[test]
fn stdin_glob_and_stdout() {
    let d = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "-", "-o", "-", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(GOOD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("{\"id\":\"a\",\"cluster\":\"a\""));

    fs::write(d.path().join("x1.jsonl"), GOOD).unwrap();
    fs::write(d.path().join("x2.jsonl"), GOOD.replace("\"a\"", "\"b\"")).unwrap();
    let pattern = p(d.path(), "x*.jsonl");
    let out = syndic(&["cluster", &pattern, "-o", "-", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.lines().nth(1).unwrap().contains("\"cluster\":\"a\""),
        "identical texts cluster: {text}"
    );
    let none = syndic(&["cluster", &p(d.path(), "nothing*.jsonl"), "-o", "-"]);
    assert_eq!(none.status.code(), Some(2));
}

/// Killing a run while it writes never leaves a half-written output: the old
/// file stays, or the complete new one is in place.
#[test]
fn interrupted_run_leaves_output_intact() {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "in.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&input).unwrap());
    let n = 60_000;
    for i in 0..n {
        writeln!(f, "{{\"id\":\"{i}\",\"text\":\"article {i} about topic {} with several more words in it\"}}", i % 977).unwrap();
    }
    drop(f);
    let out = p(d.path(), "c.jsonl");
    fs::write(&out, "previous output\n").unwrap();
    for delay_ms in [50, 150, 400] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syndic"))
            .args(["cluster", &input, "-o", &out, "-q"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let text = fs::read_to_string(&out).unwrap();
        assert!(
            text == "previous output\n" || text.lines().count() == n,
            "partial output after kill at {delay_ms} ms"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Fuzz: arbitrary bytes never crash a reader, and with --skip-invalid every
    /// non-blank line becomes a document or a reject.
    #[test]
    fn readers_account_for_every_line(lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..12),
                                      json in prop::collection::vec("[a-z]{0,3}", 0..6)) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f.jsonl");
        let mut bytes = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let clean: Vec<u8> = l.iter().copied().filter(|&b| b != b'\n').collect();
            bytes.extend_from_slice(&clean);
            bytes.push(b'\n');
            if let Some(j) = json.get(i) {
                bytes.extend_from_slice(format!("{{\"id\":\"{j}\",\"text\":\"{j} x\"}}\n").as_bytes());
            }
        }
        // Bytes that open with a compression magic are read (and rejected
        // whole, with an error) as a compressed file: tested elsewhere.
        prop_assume!(!bytes.starts_with(&[0x1f, 0x8b]) && !bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]));
        fs::write(&path, &bytes).unwrap();
        let opts = ReadOptions { skip_invalid: true, ..ReadOptions::default() };
        let corpus = Corpus::read(&[path], &opts).unwrap();
        let records = bytes.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
        prop_assert_eq!(corpus.docs.len() + corpus.rejects.len(), records);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Fuzz: arbitrary bytes in any format never crash a reader; a failure is
    /// an error value (a CSV without a text column), never a panic.
    #[test]
    fn every_format_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300),
                                             ext in prop::sample::select(vec!["csv", "tsv", "json", "html", "txt"])) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(format!("f.{ext}"));
        let mut content = if ext == "csv" { b"id,text\n".to_vec() } else if ext == "tsv" { b"id\ttext\n".to_vec() } else { Vec::new() };
        content.extend_from_slice(&bytes);
        fs::write(&path, &content).unwrap();
        let opts = ReadOptions { skip_invalid: true, ..ReadOptions::default() };
        let corpus = Corpus::read(&[path], &opts);
        if let Ok(c) = corpus {
            prop_assert!(c.docs.len() + c.rejects.len() <= content.len() + 1);
        }
        let _ = syndic::corpus::html::extract(&String::from_utf8_lossy(&bytes));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A CSV row whose quote never closes, among rows that quote some fields
    /// properly (commas, doubled quotes and line breaks inside), is one
    /// reject at its own line: every other row is read, exactly. In TSV the
    /// same quotes are text and every line is a row.
    #[test]
    fn a_stray_quote_costs_exactly_its_row(texts in prop::collection::vec("[a-z ]{1,12}", 1..30),
                                           quoted in prop::collection::vec(any::<bool>(), 30),
                                           bad in any::<prop::sample::Index>()) {
        let d = tempfile::tempdir().unwrap();
        let bad = bad.index(texts.len());
        let mut csv = String::from("id,text,source\n");
        let mut tsv = String::from("id\ttext\tsource\n");
        for (i, t) in texts.iter().enumerate() {
            let field = if i == bad {
                format!("\"{t}")
            } else if quoted[i] {
                format!("\"{t}, \"\"said\"\"\nnext line\"")
            } else {
                t.clone()
            };
            csv += &format!("r{i},{field},site.example\n");
            tsv += &format!("r{i}\t{}\tsite.example\n", field.replace('\n', " "));
        }
        let opts = ReadOptions { skip_invalid: true, ..ReadOptions::default() };
        let csv_path = d.path().join("f.csv");
        fs::write(&csv_path, &csv).unwrap();
        let corpus = Corpus::read(&[csv_path], &opts).unwrap();
        let ids: Vec<String> = corpus.docs.iter().map(|d| d.id.clone()).collect();
        let expected: Vec<String> = (0..texts.len()).filter(|&i| i != bad).map(|i| format!("r{i}")).collect();
        prop_assert_eq!(ids, expected);
        prop_assert_eq!(corpus.rejects.len(), 1);
        for doc in &corpus.docs {
            prop_assert_eq!(doc.source.as_deref(), Some("site.example"));
        }
        let tsv_path = d.path().join("f.tsv");
        fs::write(&tsv_path, &tsv).unwrap();
        let corpus = Corpus::read(&[tsv_path], &opts).unwrap();
        prop_assert_eq!(corpus.docs.len(), texts.len());
        prop_assert!(corpus.docs[bad].text.starts_with('"'));
    }
}

/// `syndic cluster input -o out --max-doc-bytes max --skip-invalid --stats
/// stats`, which must succeed: its stderr and peak RSS.
fn skipping_run(input: &str, out: &str, max: &str, stats: &str) -> (String, Option<u64>) {
    let run = syndic(&[
        "cluster",
        input,
        "-o",
        out,
        "--max-doc-bytes",
        max,
        "--skip-invalid",
        "--stats",
        stats,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    let s: serde_json::Value = serde_json::from_str(&fs::read_to_string(stats).unwrap()).unwrap();
    (stderr, s["summary"]["peak_rss_bytes"].as_u64())
}

/// A gzip file of `head`, `times` copies of `chunk`, then `tail`.
fn write_bomb(path: &Path, head: &[u8], chunk: &[u8], times: usize, tail: &[u8]) {
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(head).unwrap();
    for _ in 0..times {
        gz.write_all(chunk).unwrap();
    }
    gz.write_all(tail).unwrap();
    gz.finish().unwrap();
}

/// A gzip-compressed JSON array whose one element inflates to 200 MB is
/// refused at the limit as it is read: a clear error naming the file, and
/// with --skip-invalid one `too_large` reject after the elements before it.
#[test]
fn a_json_array_bomb_is_refused_as_it_is_read() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bomb.json.gz");
    let head = b"[{\"id\":\"first\",\"text\":\"A normal article before the bomb.\"},\n{\"id\":\"bomb\",\"text\":\"";
    write_bomb(&path, head, &[b'a'; 1 << 20], 200, b"\"}]");
    let file = path.to_string_lossy().into_owned();
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&["cluster", &file, "--max-doc-bytes", "1M", "-o", &out]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(err.contains("bomb.json.gz:2:"), "{err}");
    let opts = ReadOptions {
        skip_invalid: true,
        max_doc_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let corpus = Corpus::read(&[path], &opts).unwrap();
    assert_eq!(corpus.docs.len(), 1);
    assert_eq!(corpus.rejects.len(), 1);
    assert_eq!(corpus.rejects[0].problem.kind(), "too_large");
}

/// An output that is a FIFO (like `/dev/null` or any device, not a regular
/// file) is written in place; it is never replaced by a renamed file.
#[test]
fn special_file_outputs_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("out.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = syndic(&[
        "cluster",
        "corpora/sample/articles.jsonl",
        "-o",
        &p(d.path(), "out.fifo"),
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(reader.join().unwrap().lines().count(), 54);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    let leftovers: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left beside it");
}

/// A symlinked output is written through: the link stays a link.
#[test]
fn symlinked_outputs_are_written_through() {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir(d.path().join("real")).unwrap();
    fs::write(d.path().join("real/clusters.jsonl"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/clusters.jsonl", d.path().join("link.jsonl")).unwrap();
    let out = syndic(&[
        "cluster",
        "corpora/sample/articles.jsonl",
        "-o",
        &p(d.path(), "link.jsonl"),
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(fs::symlink_metadata(d.path().join("link.jsonl"))
        .unwrap()
        .file_type()
        .is_symlink());
    let written = fs::read_to_string(d.path().join("real/clusters.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 54);
}

/// `syndic cluster - -o in.jsonl < in.jsonl` is refused: the output is the
/// file standard input comes from. The file is left as it was.
#[test]
fn an_output_that_is_redirected_stdin_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.jsonl");
    fs::copy("corpora/sample/articles.jsonl", &input).unwrap();
    let before = fs::read(&input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "-", "-o", &input.to_string_lossy(), "-q"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite input"));
    assert_eq!(fs::read(&input).unwrap(), before);
    // a hard link to an input is the same file too
    fs::hard_link(&input, d.path().join("alias.jsonl")).unwrap();
    let out = syndic(&[
        "cluster",
        &input.to_string_lossy(),
        "-o",
        &p(d.path(), "alias.jsonl"),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(&input).unwrap(), before);
}

/// A UTF-8 byte order mark at the start of a file (also compressed) is not
/// part of the first record or the header.
#[test]
fn a_byte_order_mark_does_not_spoil_the_first_record() {
    let d = tempfile::tempdir().unwrap();
    let bom = b"\xef\xbb\xbf";
    let mut jsonl = bom.to_vec();
    jsonl.extend_from_slice(
        b"{\"id\":\"a\",\"text\":\"first record\"}\n{\"id\":\"b\",\"text\":\"second\"}\n",
    );
    fs::write(d.path().join("a.jsonl"), &jsonl).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&jsonl).unwrap();
    fs::write(d.path().join("g.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let mut csv = bom.to_vec();
    csv.extend_from_slice(b"id,text\nc,a csv row\n");
    fs::write(d.path().join("c.csv"), &csv).unwrap();
    for (name, ids) in [
        ("a.jsonl", vec!["a", "b"]),
        ("g.jsonl.gz", vec!["a", "b"]),
        ("c.csv", vec!["c"]),
    ] {
        let corpus = Corpus::read(&[d.path().join(name)], &ReadOptions::default()).unwrap();
        let got: Vec<&str> = corpus.docs.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(got, ids, "{name}");
    }
}

/// Outputs get the permissions of any new file (0666 less the umask), not
/// the temporary file's 0600.
#[test]
fn outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("clusters.jsonl");
    let script = format!(
        "umask 022 && exec {} cluster corpora/sample/articles.jsonl -o {} -q",
        env!("CARGO_BIN_EXE_syndic"),
        out.display()
    );
    let run = Command::new("sh")
        .args(["-c", &script])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

/// A named pipe (or `<(cat f)`) is read whole: sniffing its format does not
/// consume its first bytes.
#[test]
fn named_pipe_inputs_lose_nothing() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("in.jsonl");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let data = fs::read("corpora/sample/articles.jsonl").unwrap();
            fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .unwrap()
                .write_all(&data)
                .unwrap();
        })
    };
    let out = syndic(&[
        "cluster",
        &fifo.to_string_lossy(),
        "-o",
        &p(d.path(), "out.jsonl"),
        "-q",
    ]);
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(d.path().join("out.jsonl"))
            .unwrap()
            .lines()
            .count(),
        54
    );
}

/// Reading stdin leaves no copy of it in the temporary folder.
#[test]
fn stdin_leaves_nothing_behind() {
    let d = tempfile::tempdir().unwrap();
    let tmp = d.path().join("tmp");
    fs::create_dir(&tmp).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "-", "-o", &p(d.path(), "out.jsonl"), "-q"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TMPDIR", &tmp)
        .stdin(fs::File::open("corpora/sample/articles.jsonl").unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0);
    assert_eq!(
        fs::read_to_string(d.path().join("out.jsonl"))
            .unwrap()
            .lines()
            .count(),
        54
    );
}

/// A bzip2, xz, lz4 or zip file (by its bytes; in a folder, by its name too)
/// stops the run with what to do, instead of being skipped or read as text.
#[test]
fn unread_compressions_are_named_not_skipped() {
    let d = tempfile::tempdir().unwrap();
    let folder = d.path().join("dump");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("a.jsonl"), GOOD).unwrap();
    fs::write(folder.join("b.jsonl.bz2"), b"BZh91AY&SY\x00\x01").unwrap();
    let out = p(d.path(), "c.jsonl");
    let run = syndic(&["cluster", &folder.to_string_lossy(), "-o", &out]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("b.jsonl.bz2: compressed with bzip2, which syndic does not read: decompress it first (bunzip2)"),
        "{err}"
    );
    for (name, bytes) in [
        ("x.jsonl.xz", &b"\xfd7zXZ\x00\x00\x04"[..]),
        ("unnamed", &b"PK\x03\x04rest"[..]),
    ] {
        let path = p(d.path(), name);
        fs::write(&path, bytes).unwrap();
        let run = syndic(&["cluster", &path, "-o", &out, "--skip-invalid"]);
        assert_eq!(run.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("which syndic does not read"),
            "{name}"
        );
    }
    assert!(!Path::new(&out).exists());
}

/// A folder with symlink loops (to itself, to its parent) and a second link
/// to one file: the walk ends and every file is read once, under its first
/// path in sorted order.
#[test]
fn symlink_loops_end_and_files_are_read_once() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("news");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("a.jsonl"), GOOD).unwrap();
    fs::write(
        root.join("sub/b.jsonl"),
        "{\"id\":\"b\",\"text\":\"Another story entirely, about a vineyard frost.\"}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(".", root.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("../a.jsonl", root.join("sub/z-again.jsonl")).unwrap();
    let corpus = Corpus::read(&[root], &ReadOptions::default()).unwrap();
    let got: Vec<&str> = corpus.docs.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(got, vec!["a", "b"]);
}

/// Integer ids longer than an f64 holds keep their digits: two of them
/// are two documents, not a duplicate id.
#[test]
fn big_integer_ids_keep_their_digits() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("ids.jsonl");
    fs::write(
        &path,
        "{\"id\":12345678901234567890123,\"text\":\"one story\"}\n{\"id\":12345678901234567890124,\"text\":\"another\"}\n",
    )
    .unwrap();
    let corpus = Corpus::read(&[path], &ReadOptions::default()).unwrap();
    let got: Vec<&str> = corpus.docs.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        got,
        vec!["12345678901234567890123", "12345678901234567890124"]
    );
}

/// Decompression bombs: a gzip'd JSON line and a gzip'd page of 256 MB
/// each (kilobytes on disk) stop the run at their `file:line` without being
/// held in memory; with --skip-invalid the other records are kept and the
/// bombs counted as too large.
#[test]
fn decompression_bombs_are_skipped_as_they_are_read() {
    let d = tempfile::tempdir().unwrap();
    let bomb = |prefix: &[u8], suffix: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(prefix).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..256 {
            gz.write_all(&chunk).unwrap();
        }
        gz.write_all(suffix).unwrap();
        gz.finish().unwrap()
    };
    let mut jsonl = bomb(
        b"{\"id\":\"ok\",\"text\":\"a fine story about the harbour bridge\"}\n{\"id\":\"x\",\"text\":\"",
        b"\"}\n",
    );
    let mut tail = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    tail.write_all(b"{\"id\":\"ok2\",\"text\":\"another fine story\"}\n")
        .unwrap();
    jsonl.extend(tail.finish().unwrap()); // a second gzip member
    fs::write(d.path().join("bomb.jsonl.gz"), &jsonl).unwrap();
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&[
        "cluster",
        &p(d.path(), "bomb.jsonl.gz"),
        "-o",
        &out,
        "--max-doc-bytes",
        "1M",
    ]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(err.contains("bomb.jsonl.gz:2: record of"), "{err}");

    let pages = d.path().join("pages");
    fs::create_dir(&pages).unwrap();
    fs::write(
        pages.join("big.html.gz"),
        bomb(b"<html><body><p>", b"</p></body></html>"),
    )
    .unwrap();
    fs::write(
        pages.join("fine.txt"),
        "A small page about the vineyard frost.",
    )
    .unwrap();
    let stats = p(d.path(), "stats.json");
    for (input, kept) in [
        (p(d.path(), "bomb.jsonl.gz"), 2),
        (pages.to_string_lossy().into_owned(), 1),
    ] {
        let (stderr, peak) = skipping_run(&input, &out, "1M", &stats);
        assert!(stderr.contains("(too_large)"), "{input}");
        assert_eq!(
            fs::read_to_string(&out).unwrap().lines().count(),
            kept,
            "{input}"
        );
        if let Some(peak) = peak {
            assert!(peak < 100 << 20, "peak RSS {peak} reading {input}");
        }
    }
}

/// Any number of bad records: all counted, all listed in --rejects (written
/// as they are found), while the corpus keeps only the first
/// `KEPT_REJECTS` in memory.
#[test]
fn rejects_are_streamed_not_kept() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bad.jsonl");
    let bad = syndic::corpus::KEPT_REJECTS + 25_000;
    let mut text = String::from("{\"id\":\"a\",\"text\":\"a good article\"}\n");
    for i in 0..bad {
        text.push_str(&format!("not json {i}\n"));
    }
    fs::write(&path, text).unwrap();
    let opts = ReadOptions {
        skip_invalid: true,
        ..ReadOptions::default()
    };
    let mut seen = 0;
    let corpus = Corpus::read_reporting(
        std::slice::from_ref(&path),
        &opts,
        &mut |_, _| {},
        &mut |_| {
            seen += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(seen, bad);
    assert_eq!(corpus.rejects.len(), syndic::corpus::KEPT_REJECTS);
    assert_eq!(corpus.reject_counts(), vec![("malformed_json", bad)]);
    let rejects = p(d.path(), "rejects.jsonl");
    let out = syndic(&[
        "cluster",
        &path.to_string_lossy(),
        "--skip-invalid",
        "--rejects",
        &rejects,
        "-o",
        &p(d.path(), "c.jsonl"),
    ]);
    assert!(out.status.success());
    let listed = fs::read_to_string(&rejects).unwrap();
    assert_eq!(listed.lines().count(), bad);
    let last = listed.lines().last().unwrap();
    assert!(last.contains(&format!("\"line\":{}", bad + 1)), "{last}");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("skipped: {bad} records (malformed_json)")));
}

/// A CSV quote opened and never closed over 64 MB of 100-byte lines (a
/// gzip bomb at the record limit of `--max-doc-bytes 16M`): the lines are
/// held once, in megabyte chunks, and not copied into a field as well,
/// then read again. Peak 119 MB here; the old reader (one allocation per
/// line, plus the parser's copy) took 199 MB. A 1 GB such field under
/// `--memory 1G` went from 915 to 341 MB. The rows after it are all read.
#[test]
fn a_csv_quote_bomb_holds_its_lines_once() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("bomb.csv.gz");
    let head = b"id,text\n1,A normal article before the bomb.\n2,\"";
    let line = [vec![b'a'; 99], vec![b'\n']].concat();
    let tail = b"3,A normal article after the bomb.\n";
    write_bomb(&path, head, &line, (64 << 20) / 100, tail);
    let file = path.to_string_lossy().into_owned();
    let (out, stats) = (p(d.path(), "c.jsonl"), p(d.path(), "stats.json"));
    let (_, peak) = skipping_run(&file, &out, "16M", &stats);
    assert_eq!(common::ids_in(&out), ["1", "3"]);
    if let Some(peak) = peak {
        assert!(peak < 160 << 20, "peak RSS {} MB", peak >> 20);
    }
}
