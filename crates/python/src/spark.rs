//! The kernels of a Spark run (`syndic.spark`), over Arrow record batches
//! as `mapInArrow` hands them: each takes a batch (anything with
//! `__arrow_c_stream__`) and returns a `pyarrow.Table`. They call the same
//! library code as the CLI, so that the distributed result equals the
//! single-machine one. 64-bit hashes travel as Spark `long`s (the same
//! bits, read as signed).
//!
//! | kernel | in | out |
//! |---|---|---|
//! | [`Ingest`] | `_file`, `_block` and a JSON line (`value`) or the document columns | documents with `_seq` (row within the file split) or a problem |
//! | [`profiles`] | `num`, `text`, `title`, `url`, `source` | `num`, `group`, `title_hash`, `lines` (profile), `hashes` |
//! | [`story_identities`] | `num`, `title_hash`, `lines`, `recurring` | `num`, `story` |
//! | [`line_verdicts`] | `group`, `line`, `stories` | `group`, `line`, `boilerplate` |
//! | [`Signing`] | `num`, `text`, `url`, `source` | `num`, `body_hash`, `short`, `signature`, `keys`, `lead_keys` |

use crate::{arrow_stream, config, engine, py_err, to_pyarrow};
use ahash::AHashMap;
use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;
use syndic::pipeline::{group_lines, ModelBodies, Signer};
use syndic::text::boilerplate::{group_key, partitioned, Profile};
use syndic::{Document, ReadOptions};

/// All batches of a stream.
fn batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    arrow_stream(data)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> PyResult<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| PyValueError::new_err(format!("the batch has no {name:?} column")))
}

/// A string column's values (nulls as `None`; large strings and views too).
fn strings(batch: &RecordBatch, name: &str) -> PyResult<Vec<Option<String>>> {
    let a = column(batch, name)?;
    let get = |i: usize| -> Option<String> {
        if a.is_null(i) {
            return None;
        }
        Some(match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().value(i).to_string(),
            DataType::LargeUtf8 => a.as_string::<i64>().value(i).to_string(),
            DataType::Utf8View => a.as_string_view().value(i).to_string(),
            _ => return None,
        })
    };
    if !matches!(
        a.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) {
        return Err(PyValueError::new_err(format!(
            "column {name:?} is {}, not a string",
            a.data_type()
        )));
    }
    Ok((0..a.len()).map(get).collect())
}

fn longs(batch: &RecordBatch, name: &str) -> PyResult<Vec<i64>> {
    let a = column(batch, name)?;
    let a = a
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| PyValueError::new_err(format!("column {name:?} is not a long")))?;
    Ok(a.values().to_vec())
}

fn binaries(batch: &RecordBatch, name: &str) -> PyResult<Vec<Vec<u8>>> {
    let a = column(batch, name)?;
    Ok(match a.data_type() {
        DataType::Binary => {
            let a = a.as_binary::<i32>();
            (0..a.len()).map(|i| a.value(i).to_vec()).collect()
        }
        DataType::LargeBinary => {
            let a = a.as_binary::<i64>();
            (0..a.len()).map(|i| a.value(i).to_vec()).collect()
        }
        t => {
            return Err(PyValueError::new_err(format!(
                "column {name:?} is {t}, not binary"
            )))
        }
    })
}

/// A list-of-numbers column (`array<long>`, `array<float>`).
fn primitive_lists<T: arrow_array::ArrowPrimitiveType>(
    a: &dyn Array,
) -> PyResult<Vec<Vec<T::Native>>> {
    let wrong = || {
        PyValueError::new_err(format!(
            "expected a list of {}, not {}",
            T::DATA_TYPE,
            a.data_type()
        ))
    };
    let list = match a.data_type() {
        DataType::List(_) => a.as_list::<i32>(),
        _ => return Err(wrong()),
    };
    (0..list.len())
        .map(|i| {
            if list.is_null(i) {
                return Ok(Vec::new());
            }
            let v = list.value(i);
            Ok(v.as_primitive_opt::<T>()
                .ok_or_else(wrong)?
                .values()
                .to_vec())
        })
        .collect()
}

/// A list-of-strings column (`array<string>`), if the batch has it (null
/// lists and items as `None`).
#[allow(clippy::type_complexity)]
fn string_lists(
    batch: &RecordBatch,
    name: &str,
) -> PyResult<Option<Vec<Option<Vec<Option<String>>>>>> {
    let Some(a) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let list = match a.data_type() {
        DataType::List(_) => a.as_list::<i32>(),
        t => {
            return Err(PyValueError::new_err(format!(
                "column {name:?} is {t}, not a list of strings"
            )))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for i in 0..list.len() {
        if list.is_null(i) {
            out.push(None);
            continue;
        }
        let items = RecordBatch::try_from_iter([("item", list.value(i))])
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        out.push(Some(strings(&items, "item")?));
    }
    Ok(Some(out))
}

/// A list-of-longs column (`array<long>`).
fn long_lists(a: &dyn Array) -> PyResult<Vec<Vec<i64>>> {
    primitive_lists::<Int64Type>(a)
}

fn long_list_builder() -> ListBuilder<Int64Builder> {
    ListBuilder::new(Int64Builder::new())
}

fn long_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Int64, true)))
}

/// A named column: its field (name, type, nullable) and its values.
fn col(
    name: &str,
    data_type: DataType,
    nullable: bool,
    values: impl Array + 'static,
) -> (Field, ArrayRef) {
    (Field::new(name, data_type, nullable), Arc::new(values))
}

/// A table from `(field, column)` pairs, each column beside its name.
fn named_table<'py>(
    py: Python<'py>,
    columns: Vec<(Field, ArrayRef)>,
) -> PyResult<Bound<'py, PyAny>> {
    let (fields, columns) = columns.into_iter().unzip();
    table(py, fields, columns)
}

fn table<'py>(
    py: Python<'py>,
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
) -> PyResult<Bound<'py, PyAny>> {
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    to_pyarrow(py, schema, vec![batch])
}

/// Documents from the rows of file splits, numbered within their split.
///
/// `Ingest(kind, id_field="id", text_field="text")`: `kind` is `"jsonl"`
/// (rows are lines, in a binary `value` column) or `"arrow"` (rows are
/// documents, columns named as in Parquet inputs). `batch(data)` reads rows
/// with `_arg`, `_file`, `_block` (which input, file and split they come
/// from, in order within a split) and returns, for every row that is not a
/// blank line, `_arg`, `_file`, `_block`, `_seq` (the row's 0-based number
/// within its split, blank lines counted), the document fields and
/// `_problem` / `_message` (null for a good row). An `Ingest` lives for one
/// task, so that `_seq` runs on across the batches of a split.
#[pyclass(module = "syndic._syndic", name = "Ingest")]
pub struct Ingest {
    jsonl: bool,
    opts: ReadOptions,
    /// Rows seen so far per `(file, split)`, with the split's input.
    next: AHashMap<(String, i64), (i64, i64)>,
}

#[pymethods]
impl Ingest {
    #[new]
    #[pyo3(signature = (kind, id_field = "id".to_string(), text_field = "text".to_string()))]
    fn new(kind: &str, id_field: String, text_field: String) -> PyResult<Self> {
        let jsonl = match kind {
            "jsonl" => true,
            "arrow" => false,
            _ => return Err(PyValueError::new_err("kind is 'jsonl' or 'arrow'")),
        };
        Ok(Ingest {
            jsonl,
            opts: ReadOptions {
                id_field,
                text_field,
                ..ReadOptions::default()
            },
            next: AHashMap::new(),
        })
    }

    /// One row per split seen, after the last batch: `_seq` holds the
    /// split's number of rows (blank lines included) and `_problem` is
    /// `"_count"`; everything else is null.
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut splits: Vec<_> = self.next.iter().collect();
        splits.sort();
        let n = splits.len();
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(arrow_array::Int64Array::from_iter_values(
                splits.iter().map(|(_, v)| v.0),
            )),
            Arc::new(arrow_array::StringArray::from_iter_values(
                splits.iter().map(|(k, _)| k.0.as_str()),
            )),
            Arc::new(arrow_array::Int64Array::from_iter_values(
                splits.iter().map(|(k, _)| k.1),
            )),
            Arc::new(arrow_array::Int64Array::from_iter_values(
                splits.iter().map(|(_, v)| v.1),
            )),
        ];
        for _ in 0..6 {
            columns.push(arrow_array::new_null_array(&DataType::Utf8, n));
        }
        columns.push(Arc::new(arrow_array::StringArray::from(vec!["_count"; n])));
        columns.push(arrow_array::new_null_array(&DataType::Utf8, n));
        table(py, ingest_fields(), columns)
    }

    fn batch<'py>(
        &mut self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut args = Int64Builder::new();
        let (mut files, mut seqs, mut blocks) = (
            StringBuilder::new(),
            Int64Builder::new(),
            Int64Builder::new(),
        );
        let mut fields: Vec<StringBuilder> = (0..6).map(|_| StringBuilder::new()).collect();
        let (mut problems, mut messages) = (StringBuilder::new(), StringBuilder::new());
        for batch in batches(data)? {
            let arg = longs(&batch, "_arg")?;
            let file = strings(&batch, "_file")?;
            let block = longs(&batch, "_block")?;
            let rows: Vec<Option<Result<Document, syndic::Problem>>> = if self.jsonl {
                let lines = binaries(&batch, "value")?;
                engine(py, || {
                    lines
                        .iter()
                        .map(|l| {
                            let blank = l.iter().all(u8::is_ascii_whitespace);
                            (!blank).then(|| syndic::corpus::parse_json_line(l, &self.opts))
                        })
                        .collect()
                })
            } else {
                syndic::corpus::arrow::batch_documents(&batch, &self.opts)
                    .map_err(py_err)?
                    .into_iter()
                    .map(Some)
                    .collect()
            };
            for (k, row) in rows.into_iter().enumerate() {
                let f = file[k].clone().unwrap_or_default();
                let counter = self
                    .next
                    .entry((f.clone(), block[k]))
                    .or_insert((arg[k], 0));
                let seq = counter.1;
                counter.1 += 1;
                let Some(row) = row else { continue };
                args.append_value(arg[k]);
                files.append_value(&f);
                blocks.append_value(block[k]);
                seqs.append_value(seq);
                match row {
                    Ok(d) => {
                        fields[0].append_value(&d.id);
                        fields[1].append_value(&d.text);
                        for (b, v) in
                            fields[2..]
                                .iter_mut()
                                .zip([d.title, d.url, d.source, d.published])
                        {
                            b.append_option(v);
                        }
                        problems.append_null();
                        messages.append_null();
                    }
                    Err(p) => {
                        for b in fields.iter_mut() {
                            b.append_null();
                        }
                        problems.append_value(p.kind());
                        messages.append_value(p.to_string());
                    }
                }
            }
        }
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(args.finish()),
            Arc::new(files.finish()),
            Arc::new(blocks.finish()),
            Arc::new(seqs.finish()),
        ];
        columns.extend(fields.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        columns.push(Arc::new(problems.finish()));
        columns.push(Arc::new(messages.finish()));
        table(py, ingest_fields(), columns)
    }
}

/// The columns [`Ingest`] returns.
fn ingest_fields() -> Vec<Field> {
    let mut fields = vec![
        Field::new("_arg", DataType::Int64, false),
        Field::new("_file", DataType::Utf8, false),
        Field::new("_block", DataType::Int64, false),
        Field::new("_seq", DataType::Int64, false),
    ];
    for name in [
        "id",
        "text",
        "title",
        "url",
        "source",
        "published",
        "_problem",
        "_message",
    ] {
        fields.push(Field::new(name, DataType::Utf8, true));
    }
    fields
}

/// The settings (the `syndic.toml` keys as JSON) checked and completed
/// with their defaults, as JSON.
#[pyfunction]
pub fn resolved_config(settings_json: &str) -> PyResult<String> {
    crate::to_json(&config(settings_json)?)
}

/// The settings of the thread level's grouping, as JSON: the settings
/// whose story rules are the thread level's ([`syndic::Config::thread_level`]),
/// for running the story steps over the stories' representatives.
#[pyfunction]
pub fn thread_settings(settings_json: &str) -> PyResult<String> {
    crate::to_json(&config(settings_json)?.thread_level())
}

/// Each document's boilerplate group and line profile (step 1 of
/// [`partitioned`]): `num`, `group`, `title_hash`, `lines` (the profile's
/// packed lines) and `hashes` (its distinct line hashes).
#[pyfunction]
pub fn profiles<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let (mut nums, mut groups, mut titles) = (
        Int64Builder::new(),
        StringBuilder::new(),
        Int64Builder::new(),
    );
    let (mut lines, mut hashes) = (BinaryBuilder::new(), long_list_builder());
    for batch in batches(data)? {
        let num = longs(&batch, "num")?;
        let text = strings(&batch, "text")?;
        let title = strings(&batch, "title")?;
        let url = strings(&batch, "url")?;
        let source = strings(&batch, "source")?;
        let made: Vec<(String, Profile)> = engine(py, || {
            use rayon::prelude::*;
            (0..num.len())
                .into_par_iter()
                .map(|k| {
                    let group = group_key(source[k].as_deref(), url[k].as_deref()).to_string();
                    let folded =
                        syndic::text::normalize::normalize(text[k].as_deref().unwrap_or(""));
                    (group, Profile::from_folded(0, title[k].as_deref(), &folded))
                })
                .collect()
        });
        for (k, (group, p)) in made.into_iter().enumerate() {
            nums.append_value(num[k]);
            groups.append_value(group);
            titles.append_value(p.title as i64);
            hashes.append_value(
                partitioned::line_hashes(&p.lines)
                    .into_iter()
                    .map(|h| Some(h as i64)),
            );
            lines.append_value(&p.lines);
        }
    }
    named_table(
        py,
        vec![
            col("num", DataType::Int64, false, nums.finish()),
            col("group", DataType::Utf8, false, groups.finish()),
            col("title_hash", DataType::Int64, false, titles.finish()),
            col("lines", DataType::Binary, false, lines.finish()),
            col("hashes", long_list_type(), false, hashes.finish()),
        ],
    )
}

/// The story identity of each page holding a recurring line (step 3):
/// `num`, `story`.
#[pyfunction]
pub fn story_identities<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut nums, mut stories) = (Int64Builder::new(), long_list_builder());
    for batch in batches(data)? {
        let num = longs(&batch, "num")?;
        let title = longs(&batch, "title_hash")?;
        let lines = binaries(&batch, "lines")?;
        let recurring = long_lists(column(&batch, "recurring")?.as_ref())?;
        for k in 0..num.len() {
            let held: Vec<u64> = recurring[k].iter().map(|&h| h as u64).collect();
            let story = partitioned::story_identity(title[k] as u64, &lines[k], &held);
            nums.append_value(num[k]);
            stories.append_value(story.into_iter().map(|h| Some(h as i64)));
        }
    }
    named_table(
        py,
        vec![
            col("num", DataType::Int64, false, nums.finish()),
            col("story", long_list_type(), false, stories.finish()),
        ],
    )
}

/// Whether each recurring line is boilerplate (step 4): its pages' story
/// identities (`stories`, an array of arrays) make at least `min_pages`
/// distinct stories, none holding nine tenths of the pages
/// (`partitioned::is_boilerplate`). Returns `group`, `line`, `boilerplate`.
#[pyfunction]
pub fn line_verdicts<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    min_pages: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut groups, mut lines, mut verdicts) = (
        StringBuilder::new(),
        Int64Builder::new(),
        BooleanBuilder::new(),
    );
    for batch in batches(data)? {
        let group = strings(&batch, "group")?;
        let line = longs(&batch, "line")?;
        let stories = column(&batch, "stories")?;
        let stories = match stories.data_type() {
            DataType::List(_) => stories.as_list::<i32>(),
            t => return Err(PyValueError::new_err(format!("stories is {t}"))),
        };
        for k in 0..line.len() {
            let pages = long_lists(stories.value(k).as_ref())?;
            let pages: Vec<Vec<u64>> = pages
                .into_iter()
                .map(|p| p.into_iter().map(|h| h as u64).collect())
                .collect();
            groups.append_option(group[k].as_deref());
            lines.append_value(line[k]);
            verdicts.append_value(partitioned::is_boilerplate(
                line[k] as u64,
                &pages,
                min_pages,
            ));
        }
    }
    named_table(
        py,
        vec![
            col("group", DataType::Utf8, true, groups.finish()),
            col("line", DataType::Int64, false, lines.finish()),
            col("boilerplate", DataType::Boolean, false, verdicts.finish()),
        ],
    )
}

/// A model as Python passes it (`(group, line hash)`, hashes as longs).
fn model_lines(model: Vec<(String, i64)>) -> syndic::pipeline::GroupLines {
    group_lines(model.into_iter().map(|(g, h)| (g, h as u64)))
}

/// Signs documents under a learned boilerplate model.
///
/// `Signing(settings_json, model)`, where `model` is a list of `(group,
/// line hash)` boilerplate lines; `batch(data)` reads `num`, `text`, `url`,
/// `source` and returns `num`, `body_hash` (16 bytes), `short`,
/// `signature` (uint32 values as longs), `keys` and `lead_keys` (LSH band
/// keys; empty for short bodies).
#[pyclass(module = "syndic._syndic", name = "Signing")]
pub struct Signing {
    signer: Signer,
    /// The model's lines by group name.
    model: syndic::pipeline::GroupLines,
}

#[pymethods]
impl Signing {
    #[new]
    fn new(settings_json: &str, model: Vec<(String, i64)>) -> PyResult<Self> {
        let config = config(settings_json)?;
        let signer = Signer::new(&config).map_err(py_err)?;
        let lines = model_lines(model);
        Ok(Signing {
            signer,
            model: lines,
        })
    }

    fn batch<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (mut nums, mut hashes, mut shorts) = (
            Int64Builder::new(),
            BinaryBuilder::new(),
            BooleanBuilder::new(),
        );
        let (mut sigs, mut keys, mut leads) = (
            long_list_builder(),
            long_list_builder(),
            long_list_builder(),
        );
        for batch in batches(data)? {
            let num = longs(&batch, "num")?;
            let text = strings(&batch, "text")?;
            let url = strings(&batch, "url")?;
            let source = strings(&batch, "source")?;
            let bodies = ModelBodies::new(
                &self.model,
                (0..num.len()).map(|k| (source[k].as_deref(), url[k].as_deref())),
            );
            let signed: Vec<_> = engine(py, || {
                use rayon::prelude::*;
                (0..num.len())
                    .into_par_iter()
                    .map(|k| {
                        let body = bodies.body(k, text[k].as_deref().unwrap_or(""));
                        let sig = self.signer.sign(&body);
                        let (mut whole, mut lead) = (Vec::new(), Vec::new());
                        if !sig.short {
                            syndic::lsh::band_keys(&sig.whole, self.signer.params(), &mut whole);
                            self.signer.lead_band_keys(&sig, &mut lead);
                        }
                        let hash = xxhash_rust::xxh3::xxh3_128(body.as_bytes());
                        (hash, sig, whole, lead)
                    })
                    .collect()
            });
            for (k, (hash, sig, whole, lead)) in signed.into_iter().enumerate() {
                nums.append_value(num[k]);
                hashes.append_value(hash.to_le_bytes());
                shorts.append_value(sig.short);
                sigs.append_value(sig.whole.iter().map(|&v| Some(i64::from(v))));
                keys.append_value(whole.into_iter().map(|h| Some(h as i64)));
                leads.append_value(lead.into_iter().map(|h| Some(h as i64)));
            }
        }
        named_table(
            py,
            vec![
                col("num", DataType::Int64, false, nums.finish()),
                col("body_hash", DataType::Binary, false, hashes.finish()),
                col("short", DataType::Boolean, false, shorts.finish()),
                col("signature", long_list_type(), false, sigs.finish()),
                col("keys", long_list_type(), false, keys.finish()),
                col("lead_keys", long_list_type(), false, leads.finish()),
            ],
        )
    }

    /// Story step 1: `terms(data)` reads `num`, `text`, `url`, `source`
    /// (cluster representatives) and returns `num`, `terms` and `counts`
    /// (each body's [`syndic::story::term_counts`], sorted by term).
    fn terms<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let mut nums = Int64Builder::new();
        let (mut terms, mut counts) = (long_list_builder(), long_list_builder());
        for batch in batches(data)? {
            let num = longs(&batch, "num")?;
            let text = strings(&batch, "text")?;
            let url = strings(&batch, "url")?;
            let source = strings(&batch, "source")?;
            let bodies = ModelBodies::new(
                &self.model,
                (0..num.len()).map(|k| (source[k].as_deref(), url[k].as_deref())),
            );
            let counted: Vec<syndic::story::TermCounts> = engine(py, || {
                use rayon::prelude::*;
                (0..num.len())
                    .into_par_iter()
                    .map(|k| {
                        syndic::story::term_counts(
                            &bodies.body(k, text[k].as_deref().unwrap_or("")),
                        )
                    })
                    .collect()
            });
            for (k, c) in counted.into_iter().enumerate() {
                nums.append_value(num[k]);
                terms.append_value(c.iter().map(|&(t, _)| Some(t as i64)));
                counts.append_value(c.iter().map(|&(_, n)| Some(i64::from(n))));
            }
        }
        named_table(
            py,
            vec![
                col("num", DataType::Int64, false, nums.finish()),
                col("terms", long_list_type(), false, terms.finish()),
                col("counts", long_list_type(), false, counts.finish()),
            ],
        )
    }
}

/// Story step 2: each representative's TF-IDF vector and top terms, from
/// its terms joined with their document frequencies over the `documents`
/// representatives. Reads `num`, `terms`, `counts`, `dfs` (aligned lists,
/// in any order) and returns `num`, `terms` (sorted), `weights` and `top`
/// (the terms indexed for candidates: top terms and name marks).
#[pyfunction]
pub fn story_vectors<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    documents: usize,
    settings_json: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings_json)?.story;
    let mut nums = Int64Builder::new();
    let (mut terms_out, mut tops) = (long_list_builder(), long_list_builder());
    let mut weights_out = ListBuilder::new(arrow_array::builder::Float32Builder::new());
    for batch in batches(data)? {
        let num = longs(&batch, "num")?;
        let terms = long_lists(column(&batch, "terms")?.as_ref())?;
        let counts = long_lists(column(&batch, "counts")?.as_ref())?;
        let dfs = long_lists(column(&batch, "dfs")?.as_ref())?;
        for k in 0..num.len() {
            let mut rows: Vec<(u64, u32, u32)> = terms[k]
                .iter()
                .zip(&counts[k])
                .zip(&dfs[k])
                .map(|((&t, &c), &d)| (t as u64, c as u32, d as u32))
                .collect();
            rows.sort_unstable();
            let c: syndic::story::TermCounts = rows.iter().map(|&(t, c, _)| (t, c)).collect();
            let d: Vec<u32> = rows.iter().map(|&(_, _, d)| d).collect();
            let (v, names) = syndic::story::vector_and_names_with_df(&c, &d, documents, &cfg);
            let mut top = syndic::story::top_terms(std::borrow::Cow::Borrowed(&v), &cfg);
            top.extend(names);
            nums.append_value(num[k]);
            terms_out.append_value(v.iter().map(|&(t, _)| Some(t as i64)));
            weights_out.append_value(v.iter().map(|&(_, w)| Some(w)));
            tops.append_value(top.into_iter().map(|t| Some(t as i64)));
        }
    }
    named_table(
        py,
        vec![
            col("num", DataType::Int64, false, nums.finish()),
            col("terms", long_list_type(), false, terms_out.finish()),
            col(
                "weights",
                DataType::List(Arc::new(Field::new("item", DataType::Float32, true))),
                false,
                weights_out.finish(),
            ),
            col("top", long_list_type(), false, tops.finish()),
        ],
    )
}

/// A date column's value for an undated cluster ([`story_bursts`]).
pub const UNDATED: i64 = i64::MIN;

/// Story step 3a, for the burst rule ([`syndic::story::burst_members`]):
/// each cluster's date and whether it is prose. Reads `num`, `published`,
/// `times` (optional: the `published` of every page of its cluster, null
/// for a cluster of one page) and `terms` (its vector's, sorted: see
/// [`story_vectors`]); returns `num`, `date` (the earliest of its times,
/// as [`syndic::story::Dates`] reads them; [`UNDATED`] when none parses)
/// and `prose` ([`syndic::story::is_prose`]).
#[pyfunction]
pub fn story_units<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let (mut nums, mut dates, mut prose) = (
        Int64Builder::new(),
        Int64Builder::new(),
        BooleanBuilder::new(),
    );
    for batch in batches(data)? {
        let num = longs(&batch, "num")?;
        let published = strings(&batch, "published")?;
        let times = string_lists(&batch, "times")?;
        let terms = long_lists(column(&batch, "terms")?.as_ref())?;
        for k in 0..num.len() {
            let own = [published[k].clone()];
            let times = match times.as_ref().and_then(|t| t[k].as_deref()) {
                Some(t) => t,
                None => &own[..],
            };
            let date = times
                .iter()
                .filter_map(|t| t.as_deref().and_then(syndic::corpus::parse_time))
                .min();
            let vector: syndic::story::TermVector =
                terms[k].iter().map(|&t| (t as u64, 0.0)).collect();
            nums.append_value(num[k]);
            dates.append_value(date.unwrap_or(UNDATED));
            prose.append_value(syndic::story::is_prose(&vector));
        }
    }
    named_table(
        py,
        vec![
            col("num", DataType::Int64, false, nums.finish()),
            col("date", DataType::Int64, false, dates.finish()),
            col("prose", DataType::Boolean, false, prose.finish()),
        ],
    )
}

/// Story step 3b, for the burst rule: the burst of each posting list
/// ([`syndic::story::burst_members`]; lists that cannot hold one,
/// [`syndic::story::bursty_list`], and lists without one are left out).
/// Reads `term`, `members`, `dates` and `prose` (aligned lists: each
/// member's [`story_units`]); `dates` are the dates of every cluster that
/// [`story_units`] dated and `clusters` how many clusters there are.
/// Returns `term`, `burst` (its members, ascending).
#[pyfunction]
pub fn story_bursts<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
    dates: Vec<i64>,
    clusters: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings_json)?.story;
    let undated = clusters.saturating_sub(dates.len());
    let corpus = syndic::story::BurstCorpus::new(
        dates
            .into_iter()
            .map(Some)
            .chain(std::iter::repeat_n(None, undated)),
    );
    let (mut terms_out, mut bursts) = (Int64Builder::new(), long_list_builder());
    for batch in batches(data)? {
        let terms = longs(&batch, "term")?;
        let members = long_lists(column(&batch, "members")?.as_ref())?;
        let dates = long_lists(column(&batch, "dates")?.as_ref())?;
        let prose = column(&batch, "prose")?;
        let prose = prose
            .as_list_opt::<i32>()
            .ok_or_else(|| PyValueError::new_err("column \"prose\" is not a list of booleans"))?;
        for k in 0..terms.len() {
            let term = terms[k] as u64;
            if !syndic::story::bursty_list(term, members[k].len(), &cfg) {
                continue;
            }
            let flags = prose.value(k);
            let flags = flags.as_boolean_opt().ok_or_else(|| {
                PyValueError::new_err("column \"prose\" is not a list of booleans")
            })?;
            if flags.len() != members[k].len() || dates[k].len() != members[k].len() {
                return Err(PyValueError::new_err(
                    "members, dates and prose differ in length",
                ));
            }
            let listed: Vec<(u32, Option<i64>)> = members[k]
                .iter()
                .zip(&dates[k])
                .map(|(&m, &t)| (m as u32, (t != UNDATED).then_some(t)))
                .collect();
            let place: AHashMap<u32, usize> =
                listed.iter().enumerate().map(|(i, m)| (m.0, i)).collect();
            let burst = syndic::story::burst_members(
                &listed,
                |m| Ok(flags.value(place[&m])),
                &corpus,
                &cfg,
            )
            .map_err(py_err)?;
            if !burst.is_empty() {
                terms_out.append_value(terms[k]);
                bursts.append_value(burst.into_iter().map(|m| Some(i64::from(m))));
            }
        }
    }
    named_table(
        py,
        vec![
            col("term", DataType::Int64, false, terms_out.finish()),
            col("burst", long_list_type(), false, bursts.finish()),
        ],
    )
}

/// Story step 3c: the pairs of each posting list of top terms (rows
/// `term`, `members` and optionally `burst`, from [`story_bursts`]) that
/// is used ([`syndic::story::posting_used`]; others are skipped unless
/// they have a burst), with what the list adds to each pair's counts
/// ([`syndic::story::list_counts`]).
/// Returns `a`, `b` (`a < b`), `shared`, `rare`, `lead`, `names`,
/// `burst_rare`, `burst_lead`, `uncommon`, `burst_uncommon`; summed per
/// pair, with the burst counts folded in by
/// [`syndic::story::rare_with_bursts`], the pairs whose
/// counts make a candidate ([`syndic::story::is_candidate`]) are the
/// CLI's candidates.
#[pyfunction]
pub fn story_pairs<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings_json)?.story;
    let mut cols: [Int64Builder; 10] = std::array::from_fn(|_| Int64Builder::new());
    for batch in batches(data)? {
        let terms = longs(&batch, "term")?;
        let lists = long_lists(column(&batch, "members")?.as_ref())?;
        let bursts = match batch.column_by_name("burst") {
            Some(b) => Some(long_lists(b.as_ref())?),
            None => None,
        };
        for (k, (&term, mut members)) in terms.iter().zip(lists).enumerate() {
            let (term, len) = (term as u64, members.len());
            let burst: Vec<u32> = match &bursts {
                Some(b) => b[k].iter().map(|&m| m as u32).collect(),
                None => Vec::new(),
            };
            if !syndic::story::posting_used(term, len, &cfg) && burst.is_empty() {
                continue;
            }
            members.sort_unstable();
            // What the list adds to a pair outside its burst, and inside:
            // made once per list, as the CLI's candidates make it.
            let adds = [false, true]
                .map(|both| syndic::story::list_counts(term, len, both, &cfg).map(i64::from));
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let both = burst.binary_search(&(a as u32)).is_ok()
                        && burst.binary_search(&(b as u32)).is_ok();
                    let counts = adds[usize::from(both)];
                    if counts == [0; 8] {
                        continue;
                    }
                    let ab = [a, b];
                    for (c, &v) in cols.iter_mut().zip(ab.iter().chain(&counts)) {
                        c.append_value(v);
                    }
                }
            }
        }
    }
    let [a, b, shared, rare, lead, names, burst_rare, burst_lead, uncommon, burst_uncommon] =
        cols.map(|mut c| c.finish());
    named_table(
        py,
        vec![
            col("a", DataType::Int64, false, a),
            col("b", DataType::Int64, false, b),
            col("shared", DataType::Int64, false, shared),
            col("rare", DataType::Int64, false, rare),
            col("lead", DataType::Int64, false, lead),
            col("names", DataType::Int64, false, names),
            col("burst_rare", DataType::Int64, false, burst_rare),
            col("burst_lead", DataType::Int64, false, burst_lead),
            col("uncommon", DataType::Int64, false, uncommon),
            col("burst_uncommon", DataType::Int64, false, burst_uncommon),
        ],
    )
}

/// Story step 3d: the candidates that can be edges, by the cosine of their
/// TF-IDF vectors (as [`syndic::story::cosine`] computes it in the CLI)
/// and their rare terms, languages and scripts
/// ([`syndic::story::StoryConfig::edge_by_vectors`], as if of one day:
/// those it does not rule out; figures, dates and shared passages are
/// checked in the grouping). Reads `a`, `b`, `shared`, `rare`, `lead`,
/// `names`, `uncommon`, `ta`, `wa`, `tb`, `wb` (each side's terms and
/// weights) and returns `a`, `b`, `shared`, `rare`, `lead`, `names`,
/// `uncommon` of those: only they
/// need to reach the per-component grouping; and `ask`, 1 when the
/// grouping may ask whether the pair's terms are a unique combination
/// ([`syndic::story::StoryConfig::asks_combination`], as if of one day):
/// only those pairs need [`story_unique`].
#[pyfunction]
pub fn story_close<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings_json)?.story;
    let mut cols: [Int64Builder; 7] = std::array::from_fn(|_| Int64Builder::new());
    let mut ask = Int64Builder::new();
    let vector = |terms: &[i64], weights: &[f32]| -> syndic::story::TermVector {
        terms
            .iter()
            .zip(weights)
            .map(|(&t, &w)| (t as u64, w))
            .collect()
    };
    for batch in batches(data)? {
        let counts = COUNTS
            .iter()
            .map(|name| longs(&batch, name))
            .collect::<PyResult<Vec<_>>>()?;
        let (ta, tb) = (
            long_lists(column(&batch, "ta")?.as_ref())?,
            long_lists(column(&batch, "tb")?.as_ref())?,
        );
        let float_lists = |name: &str| -> PyResult<Vec<Vec<f32>>> {
            primitive_lists::<arrow_array::types::Float32Type>(column(&batch, name)?.as_ref())
        };
        let (wa, wb) = (float_lists("wa")?, float_lists("wb")?);
        for k in 0..batch.num_rows() {
            let row: [i64; 7] = std::array::from_fn(|c| counts[c][k]);
            let c = candidate(row);
            let (va, vb) = (vector(&ta[k], &wa[k]), vector(&tb[k], &wb[k]));
            // Dates are checked in the grouping: here any pair may be of one day.
            let (cos, scripts, verdict) = cfg.edge_by_vectors(&c, &va, &vb, true);
            if verdict != Some(false) {
                for (col, v) in cols.iter_mut().zip(row) {
                    col.append_value(v);
                }
                let asks = !scripts && cfg.asks_combination(&c, cos, (&va, &vb), true);
                ask.append_value(asks.into());
            }
        }
    }
    let mut columns: Vec<_> = COUNTS
        .into_iter()
        .zip(cols.map(|mut c| c.finish()))
        .map(|(name, values)| col(name, DataType::Int64, false, values))
        .collect();
    columns.push(col("ask", DataType::Int64, false, ask.finish()));
    named_table(py, columns)
}

/// Story step 4b: of candidate pairs (`a`, `b`) with the terms both top
/// terms hold (`terms`) and, aligned, each one's posting list (`members`;
/// empty when it is not [`syndic::story::posting_used`]), those whose
/// terms are a combination no other cluster holds
/// ([`syndic::story::unique_combination`], as the CLI's grouping asks).
/// Returns `a`, `b` of those.
#[pyfunction]
pub fn story_unique<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = config(settings_json)?.story;
    let (mut a_out, mut b_out) = (Int64Builder::new(), Int64Builder::new());
    for batch in batches(data)? {
        let (a, b) = (longs(&batch, "a")?, longs(&batch, "b")?);
        let terms = long_lists(column(&batch, "terms")?.as_ref())?;
        let members = column(&batch, "members")?;
        let members = members
            .as_any()
            .downcast_ref::<arrow_array::ListArray>()
            .ok_or_else(|| PyValueError::new_err("members: expected a list of lists"))?;
        for k in 0..a.len() {
            let lists = long_lists(members.value(k).as_ref())?;
            let lists: Vec<Vec<u32>> = lists
                .into_iter()
                .map(|l| l.into_iter().map(|x| x as u32).collect())
                .collect();
            let mut shared: Vec<(u64, Option<&[u32]>)> = terms[k]
                .iter()
                .zip(&lists)
                .map(|(&t, l)| (t as u64, (!l.is_empty()).then_some(l.as_slice())))
                .collect();
            shared.sort_unstable_by_key(|&(t, _)| t);
            if syndic::story::unique_combination(&shared, a[k] as u32, b[k] as u32, &cfg) {
                a_out.append_value(a[k]);
                b_out.append_value(b[k]);
            }
        }
    }
    named_table(
        py,
        vec![
            col("a", DataType::Int64, false, a_out.finish()),
            col("b", DataType::Int64, false, b_out.finish()),
        ],
    )
}

/// The columns of a story candidate, in [`candidate`]'s order.
const COUNTS: [&str; 7] = ["a", "b", "shared", "rare", "lead", "names", "uncommon"];

/// A story candidate from Spark's columns ([`COUNTS`]; the pair's indices
/// are not read by the edge test: the `num`s are kept).
fn candidate([a, b, shared, rare, lead, names, uncommon]: [i64; 7]) -> syndic::story::Candidate {
    let count = |v: i64| v.clamp(0, u32::MAX as i64) as u32;
    syndic::story::Candidate {
        a: a as u32,
        b: b as u32,
        shared: count(shared),
        rare: count(rare),
        lead: count(lead),
        names: count(names),
        uncommon: count(uncommon),
    }
}

/// Candidate pairs of LSH buckets: each row's `members` (the documents
/// with one band key, as sorted `num`s) pair each member with the following
/// ones in its [`syndic::lsh::window`] (all of a bucket of at most
/// `max_bucket`, else the next [`syndic::lsh::CHAIN`]), as the CLI's LSH
/// stage does. Returns `a`, `b` (`a < b`).
#[pyfunction]
pub fn bucket_pairs<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    max_bucket: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut a_col, mut b_col) = (Int64Builder::new(), Int64Builder::new());
    let cap = max_bucket.max(1);
    for batch in batches(data)? {
        for mut members in long_lists(column(&batch, "members")?.as_ref())? {
            members.sort_unstable();
            for (i, &a) in members.iter().enumerate() {
                let end = syndic::lsh::window(i, members.len(), members.len(), cap);
                for &b in &members[i + 1..end] {
                    a_col.append_value(a);
                    b_col.append_value(b);
                }
            }
        }
    }
    named_table(
        py,
        vec![
            col("a", DataType::Int64, false, a_col.finish()),
            col("b", DataType::Int64, false, b_col.finish()),
        ],
    )
}

/// Rows of whole components, grouped by `label` (in label order), each
/// group in `num` order: `(num, document, batch, row)`.
type ComponentRows = Vec<Vec<(i64, Document, usize, usize)>>;

fn component_rows(batches: &[RecordBatch]) -> PyResult<ComponentRows> {
    let mut groups: std::collections::BTreeMap<i64, Vec<(i64, Document, usize, usize)>> =
        Default::default();
    for (b, batch) in batches.iter().enumerate() {
        let label = longs(batch, "label")?;
        let num = longs(batch, "num")?;
        let docs = syndic::corpus::arrow::batch_documents(batch, &ReadOptions::default())
            .map_err(py_err)?;
        for (k, doc) in docs.into_iter().enumerate() {
            let doc = doc.map_err(|p| PyValueError::new_err(p.to_string()))?;
            groups
                .entry(label[k])
                .or_default()
                .push((num[k], doc, b, k));
        }
    }
    Ok(groups
        .into_values()
        .map(|mut g| {
            g.sort_by_key(|r| r.0);
            g
        })
        .collect())
}

/// Works on whole connected components under the corpus's boilerplate
/// model, in parallel over the components (all rows of a `label` in one
/// call; columns `label`, `num` and the document columns `id`, `text`,
/// `title`, `url`, `source`, `published`).
///
/// `Components(settings_json, model)`:
/// - `batch(data)` clusters components of LSH candidates
///   ([`syndic::pipeline::cluster_with_model`]) and returns `num`, `rep`
///   (the `num` of its cluster's representative), `similarity`,
///   `containment` (null for representatives), `short` and `times` (on a
///   representative's row, the `published` of every page of its cluster;
///   null on the others).
/// - `stories(data)` groups components of story candidates
///   ([`syndic::pipeline::stories::partitioned::component_stories`]); rows
///   also carry `terms`, `weights` (the TF-IDF vector), `partners` (the
///   `num`s of its candidates after it) and, aligned with them,
///   `partner_shared`, `partner_rare`, `partner_lead`, `partner_names`
///   and `partner_uncommon`
///   (the candidates' counts: [`syndic::story::Candidate`]) and
///   `partner_unique` (1 when [`story_unique`] found the pair's combination
///   of terms unique, else 0), and optionally `times` (the `published` of
///   every page of its cluster, as `batch` returns it; null for a cluster
///   of one page: [`syndic::story::Dates`]). Returns
///   `num`, `story` (the `num` of its story's representative).
#[pyclass(module = "syndic._syndic", name = "Components")]
pub struct Components {
    config: syndic::Config,
    model: syndic::pipeline::GroupLines,
}

#[pymethods]
impl Components {
    #[new]
    fn new(settings_json: &str, model: Vec<(String, i64)>) -> PyResult<Self> {
        let lines = model_lines(model);
        Ok(Components {
            config: config(settings_json)?,
            model: lines,
        })
    }

    fn batch<'py>(&self, py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let groups = component_rows(&batches(data)?)?;
        let results = engine(py, || {
            use rayon::prelude::*;
            groups
                .par_iter()
                .map(|g| {
                    let docs: Vec<Document> = g.iter().map(|r| r.1.clone()).collect();
                    syndic::pipeline::cluster_with_model(&docs, &self.config, &self.model)
                })
                .collect::<syndic::Result<Vec<_>>>()
        })
        .map_err(py_err)?;
        let (mut nums, mut reps) = (Int64Builder::new(), Int64Builder::new());
        let (mut sims, mut conts) = (
            arrow_array::builder::Float32Builder::new(),
            arrow_array::builder::Float32Builder::new(),
        );
        let mut shorts = BooleanBuilder::new();
        // A representative's row carries the `published` of every page of
        // its cluster (the story rules' dates: syndic::story::Dates).
        let mut times = ListBuilder::new(StringBuilder::new());
        for (g, outcome) in groups.iter().zip(results) {
            let mut members: Vec<Vec<Option<&str>>> = vec![Vec::new(); g.len()];
            for (row, o) in g.iter().zip(&outcome.docs) {
                members[o.representative as usize].push(row.1.published.as_deref());
            }
            for (k, (row, o)) in g.iter().zip(&outcome.docs).enumerate() {
                nums.append_value(row.0);
                reps.append_value(g[o.representative as usize].0);
                sims.append_option(o.similarity);
                conts.append_option(o.containment);
                shorts.append_value(o.short);
                match o.representative as usize == k {
                    true => {
                        for t in &members[k] {
                            times.values().append_option(*t);
                        }
                        times.append(true);
                    }
                    false => times.append_null(),
                }
            }
        }
        named_table(
            py,
            vec![
                col("num", DataType::Int64, false, nums.finish()),
                col("rep", DataType::Int64, false, reps.finish()),
                col("similarity", DataType::Float32, true, sims.finish()),
                col("containment", DataType::Float32, true, conts.finish()),
                col("short", DataType::Boolean, false, shorts.finish()),
                col(
                    "times",
                    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                    true,
                    times.finish(),
                ),
            ],
        )
    }

    fn stories<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batches = batches(data)?;
        let groups = component_rows(&batches)?;
        // Each component's vectors and candidates (local indices).
        type Vectors = Vec<syndic::story::TermVector>;
        // ... and the pairs among them with a unique combination of terms.
        // ... and the `published` of every page of each one's cluster, when
        // the rows carry them (`times`).
        type Component = (
            Vectors,
            Vec<syndic::story::Candidate>,
            Vec<(u32, u32)>,
            Option<Vec<Vec<Option<String>>>>,
        );
        let mut inputs: Vec<Component> = Vec::new();
        let columns: Vec<_> = batches
            .iter()
            .map(|b| {
                Ok((
                    long_lists(column(b, "terms")?.as_ref())?,
                    primitive_lists::<arrow_array::types::Float32Type>(
                        column(b, "weights")?.as_ref(),
                    )?,
                    long_lists(column(b, "partners")?.as_ref())?,
                    [
                        "partner_shared",
                        "partner_rare",
                        "partner_lead",
                        "partner_names",
                        "partner_uncommon",
                        "partner_unique",
                    ]
                    .map(|name| long_lists(column(b, name)?.as_ref()))
                    .into_iter()
                    .collect::<PyResult<Vec<_>>>()?,
                    string_lists(b, "times")?,
                ))
            })
            .collect::<PyResult<_>>()?;
        for g in &groups {
            let local: AHashMap<i64, u32> =
                g.iter().enumerate().map(|(k, r)| (r.0, k as u32)).collect();
            let mut vectors = Vec::with_capacity(g.len());
            let (mut pairs, mut unique) = (Vec::new(), Vec::new());
            for (k, &(_, _, b, row)) in g.iter().enumerate() {
                let (terms, weights, partners, counts, _) = &columns[b];
                vectors.push(
                    terms[row]
                        .iter()
                        .zip(&weights[row])
                        .map(|(&t, &w)| (t as u64, w))
                        .collect(),
                );
                for (j, p) in partners[row].iter().enumerate() {
                    let other = *local.get(p).ok_or_else(|| {
                        PyValueError::new_err(format!("partner {p} is not in the component"))
                    })?;
                    let [shared, rare, lead, names, uncommon, one] =
                        [0, 1, 2, 3, 4, 5].map(|c| counts[c][row][j]);
                    if one != 0 {
                        unique.push((k as u32, other));
                    }
                    pairs.push(candidate([
                        k as i64,
                        other as i64,
                        shared,
                        rare,
                        lead,
                        names,
                        uncommon,
                    ]));
                }
            }
            pairs.sort_unstable();
            unique.sort_unstable();
            // With a `times` column, a row without times (a cluster of one
            // page) is dated by its own page.
            let times = g
                .iter()
                .map(|(_, doc, b, row)| {
                    let times = columns[*b].4.as_ref()?;
                    Some(
                        times[*row]
                            .clone()
                            .unwrap_or_else(|| vec![doc.published.clone()]),
                    )
                })
                .collect::<Option<Vec<_>>>();
            inputs.push((vectors, pairs, unique, times));
        }
        let results = engine(py, || {
            use rayon::prelude::*;
            groups
                .par_iter()
                .zip(&inputs)
                .map(|(g, (vectors, pairs, unique, times))| {
                    let docs: Vec<Document> = g.iter().map(|r| r.1.clone()).collect();
                    syndic::pipeline::stories::partitioned::component_stories(
                        &docs,
                        vectors,
                        pairs,
                        unique,
                        times.as_deref(),
                        &self.config,
                        &self.model,
                    )
                })
                .collect::<syndic::Result<Vec<_>>>()
        })
        .map_err(py_err)?;
        let (mut nums, mut stories) = (Int64Builder::new(), Int64Builder::new());
        for (g, story) in groups.iter().zip(results) {
            for (row, s) in g.iter().zip(story) {
                nums.append_value(row.0);
                stories.append_value(g[s as usize].0);
            }
        }
        named_table(
            py,
            vec![
                col("num", DataType::Int64, false, nums.finish()),
                col("story", DataType::Int64, false, stories.finish()),
            ],
        )
    }
}
