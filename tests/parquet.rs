//! Parquet in and out: a Parquet input gives the same clusters as the same
//! records in JSON Lines, byte for byte; `--format parquet` writes the
//! cluster table, signatures and kept rows (with the input's own columns);
//! column types, nulls and damaged files get clear errors. The files here
//! are written with the parquet crate directly (the Python tests write them
//! with pyarrow, an independent writer).
#![cfg(feature = "parquet")]

mod common;

use arrow_array::RecordBatchReader as _;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, FixedSizeListArray, Int64Array, LargeStringArray,
    RecordBatch, StringArray, TimestampMillisecondArray, UInt32Array,
};
use common::{p, syndic};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::fs;
use std::path::Path;
use std::sync::Arc;

const SAMPLE: &str = "corpora/sample/articles.jsonl";

/// Writes `columns` as a Parquet file with row groups of `group` rows.
fn write(path: &str, columns: Vec<(&str, ArrayRef)>, group: usize) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut w =
        ArrowWriter::try_new(fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn read(path: &str) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let a = batch.column_by_name(name).unwrap();
    let a = a.as_any().downcast_ref::<StringArray>().unwrap();
    (0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
        .collect()
}

/// The sample corpus as Parquet (row groups of 20 rows, so several), with
/// an extra column `lang` that syndic does not read.
fn sample_parquet(path: &str) -> Vec<serde_json::Value> {
    let rows: Vec<serde_json::Value> = fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let column = |f: &str| -> ArrayRef {
        Arc::new(StringArray::from(
            rows.iter()
                .map(|r| r[f].as_str().map(String::from))
                .collect::<Vec<_>>(),
        ))
    };
    let lang: ArrayRef = Arc::new(StringArray::from(vec!["en"; rows.len()]));
    write(
        path,
        vec![
            ("lang", lang),
            ("title", column("title")),
            ("id", column("id")),
            ("text", column("text")),
            ("url", column("url")),
            ("source", column("source")),
            ("published", column("published")),
        ],
        20,
    );
    rows
}

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn parquet_input_clusters_exactly_as_its_json_lines() {
    let d = tempfile::tempdir().unwrap();
    let pq = p(d.path(), "sample.parquet");
    sample_parquet(&pq);
    let (a, b) = (p(d.path(), "a.jsonl"), p(d.path(), "b.jsonl"));
    ok(&syndic(&["cluster", "-q", SAMPLE, "-o", &a]));
    ok(&syndic(&["cluster", "-q", &pq, "-o", &b]));
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());

    // Unnamed (recognised by its magic bytes) and from standard input.
    let unnamed = p(d.path(), "sample.bin");
    fs::copy(&pq, &unnamed).unwrap();
    let c = p(d.path(), "c.jsonl");
    ok(&syndic(&["cluster", "-q", &unnamed, "-o", &c]));
    let piped = std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
        .args(["cluster", "-q", "-", "-o", "-"])
        .stdin(fs::File::open(&pq).unwrap())
        .output()
        .unwrap();
    ok(&piped);
    assert_eq!(fs::read(&a).unwrap(), piped.stdout);
    let ids = |path: &str| common::ids_in(path);
    assert_eq!(ids(&c), ids(&a));
}

#[test]
fn format_parquet_writes_clusters_signatures_and_kept_rows() {
    let d = tempfile::tempdir().unwrap();
    let pq = p(d.path(), "sample.parquet");
    let rows = sample_parquet(&pq);
    let jsonl = p(d.path(), "c.jsonl");
    ok(&syndic(&["cluster", "-q", SAMPLE, "-o", &jsonl]));
    let lines: Vec<serde_json::Value> = fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    let table = p(d.path(), "c.parquet");
    ok(&syndic(&[
        "cluster", "-q", &pq, "-o", &table, "--format", "parquet",
    ]));
    let t = read(&table);
    assert_eq!(t.num_rows(), lines.len());
    for name in ["id", "cluster", "story"] {
        let want: Vec<Option<String>> = lines
            .iter()
            .map(|l| l[name].as_str().map(String::from))
            .collect();
        assert_eq!(strings(&t, name), want, "{name}");
    }
    let reps = t.column_by_name("representative").unwrap();
    let reps = reps.as_any().downcast_ref::<BooleanArray>().unwrap();
    let kept: Vec<String> = lines
        .iter()
        .filter(|l| l["representative"] == true)
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reps.true_count(), kept.len());

    // dedup: the kept rows whole, with the input's schema (`lang` too).
    let out = p(d.path(), "kept.parquet");
    let clusters = p(d.path(), "kept-clusters.parquet");
    ok(&syndic(&[
        "dedup",
        "-q",
        &pq,
        "-o",
        &out,
        "--format",
        "parquet",
        "--clusters",
        &clusters,
    ]));
    let k = read(&out);
    assert_eq!(
        k.schema()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>(),
        ["lang", "title", "id", "text", "url", "source", "published"]
    );
    let kept_ids: Vec<String> = strings(&k, "id").into_iter().flatten().collect();
    assert_eq!(kept_ids, kept);
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    for (id, text) in strings(&k, "id").iter().zip(strings(&k, "text")) {
        assert_eq!(
            by_id(id.as_deref().unwrap())["text"].as_str(),
            text.as_deref()
        );
    }
    assert_eq!(read(&clusters).num_rows(), rows.len());

    // From JSON Lines, kept records get syndic's own columns.
    let out2 = p(d.path(), "kept2.parquet");
    ok(&syndic(&[
        "dedup", "-q", SAMPLE, "-o", &out2, "--format", "parquet",
    ]));
    let k2 = read(&out2);
    assert_eq!(
        strings(&k2, "id").into_iter().flatten().collect::<Vec<_>>(),
        kept
    );
    assert_eq!(k2.num_columns(), 6);

    // Mixing Parquet with other formats cannot keep one schema: refused.
    let mixed = syndic(&[
        "dedup",
        "-q",
        SAMPLE,
        &pq,
        "-o",
        &p(d.path(), "m.parquet"),
        "--format",
        "parquet",
        "--skip-invalid",
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr)
        .contains("sample.parquet differ; write JSON Lines instead"));

    // Signatures: the same values as the binary file, with the settings.
    let (bin, sig) = (p(d.path(), "s.bin"), p(d.path(), "s.parquet"));
    ok(&syndic(&["sign", "-q", SAMPLE, "-o", &bin]));
    ok(&syndic(&[
        "sign", "-q", &pq, "-o", &sig, "--format", "parquet",
    ]));
    let (header, records) =
        syndic::minhash::read_signatures(fs::File::open(&bin).unwrap(), Path::new(&bin)).unwrap();
    let s = read(&sig);
    // The settings, as a plain key-value pair of the file (what Spark sees).
    let file = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&sig).unwrap()).unwrap();
    let kv = file
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let kv = kv.iter().find(|kv| kv.key == "syndic.signatures").unwrap();
    let meta: syndic::minhash::SignatureHeader =
        serde_json::from_str(kv.value.as_deref().unwrap()).unwrap();
    assert_eq!(meta, header);
    let values = s.column_by_name("signature").unwrap();
    let values = values
        .as_any()
        .downcast_ref::<FixedSizeListArray>()
        .unwrap();
    assert_eq!(
        strings(&s, "id").into_iter().flatten().collect::<Vec<_>>(),
        records.iter().map(|r| r.0.clone()).collect::<Vec<_>>()
    );
    for (i, (_, want)) in records.iter().enumerate() {
        let got = values.value(i);
        let got = got.as_any().downcast_ref::<UInt32Array>().unwrap();
        assert_eq!(got.values().to_vec(), *want);
    }
}

#[test]
fn parquet_column_types_nulls_and_bad_rows() {
    let d = tempfile::tempdir().unwrap();
    let input = p(d.path(), "typed.parquet");
    let text = "The harbor bridge will close for six weeks after engineers found cracks in two of its steel supports.";
    write(
        &input,
        vec![
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(7), Some(8), None, Some(10)])) as ArrayRef,
            ),
            (
                "text",
                Arc::new(LargeStringArray::from(vec![
                    Some(text),
                    None,
                    Some(text),
                    Some("short"),
                ])),
            ),
            (
                "published",
                Arc::new(
                    TimestampMillisecondArray::from(vec![
                        1_607_673_600_000,
                        0,
                        1_607_673_700_000,
                        0,
                    ])
                    .with_timezone("UTC"),
                ),
            ),
        ],
        2,
    );
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&["cluster", &input, "-o", &out]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(
        err.contains("typed.parquet:2: missing text field \"text\""),
        "{err}"
    );

    let rejects = p(d.path(), "rejects.jsonl");
    ok(&common::cluster_skipping(&input, &out, &rejects));
    let ids = common::ids_in(&out);
    assert_eq!(ids, ["7", &format!("{input}:3"), "10"]);
    assert!(fs::read_to_string(&rejects).unwrap().contains("\"line\":2"));
    let report = p(d.path(), "r.jsonl");
    ok(&syndic(&[
        "dedup",
        "-q",
        &input,
        "-o",
        &p(d.path(), "k.jsonl"),
        "--skip-invalid",
        "--report",
        &report,
    ]));
    let report = fs::read_to_string(&report).unwrap();
    assert!(
        report.contains("\"published\":\"2020-12-11T08:00:00Z\"")
            && report.contains("\"lag_seconds\":100"),
        "{report}"
    );

    // Binary text is read as UTF-8, and bytes that are not are a bad row.
    let binary = p(d.path(), "binary.parquet");
    write(
        &binary,
        vec![
            (
                "id",
                Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
            ),
            (
                "text",
                Arc::new(BinaryArray::from(vec![text.as_bytes(), b"caf\xe9"])),
            ),
        ],
        10,
    );
    let fail = syndic(&["cluster", &binary, "-o", &out]);
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(
        err.contains("binary.parquet:2: invalid UTF-8 at byte 3"),
        "{err}"
    );
}

#[test]
fn parquet_schema_errors_and_damaged_files_are_clear() {
    let d = tempfile::tempdir().unwrap();
    let body = p(d.path(), "body.parquet");
    write(
        &body,
        vec![
            ("doc", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            (
                "body",
                Arc::new(StringArray::from(vec!["Some words of an article body."])),
            ),
        ],
        10,
    );
    let out = p(d.path(), "c.jsonl");
    let fail = syndic(&["cluster", &body, "-o", &out]);
    assert_eq!(fail.status.code(), Some(2));
    let err = String::from_utf8_lossy(&fail.stderr);
    assert!(
        err.contains("body.parquet: there is no \"text\" column (use --text-field)"),
        "{err}"
    );
    ok(&syndic(&[
        "cluster",
        "-q",
        &body,
        "-o",
        &out,
        "--text-field",
        "body",
        "--id-field",
        "doc",
    ]));
    assert_eq!(common::ids_in(&out), ["a"]);

    let numbers = p(d.path(), "numbers.parquet");
    write(
        &numbers,
        vec![("text", Arc::new(Int64Array::from(vec![1])) as ArrayRef)],
        10,
    );
    let err = syndic(&["cluster", &numbers, "-o", &out]);
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(
        err.contains("column \"text\" is Int64; syndic reads a string or binary column there"),
        "{err}"
    );

    // Cut short, or only the magic: an error naming the file, never a panic.
    let whole = p(d.path(), "sample.parquet");
    sample_parquet(&whole);
    let bytes = fs::read(&whole).unwrap();
    for (name, cut) in [
        ("cut.parquet", &bytes[..bytes.len() / 2]),
        ("magic.parquet", &b"PAR1PAR1"[..]),
        ("tail.parquet", &bytes[bytes.len() - 100..]),
    ] {
        let path = p(d.path(), name);
        fs::write(&path, cut).unwrap();
        let run = syndic(&["cluster", &path, "-o", &out, "--skip-invalid"]);
        assert_eq!(run.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains(&format!("{name}: not a readable Parquet file"))
                && !err.contains("panicked"),
            "{name}: {err}"
        );
    }
}
