//! Arrow and Parquet: documents from columns (Parquet inputs, and the
//! record batches of a pyarrow table handed over by the Python bindings),
//! and syndic's outputs as record batches or Parquet files.
//!
//! Columns are found by name as for CSV: `--id-field` and `--text-field`
//! (default `id`, `text`), then `title`, `url`, `source` and `published`
//! when present. Text comes from a string or binary column (binary is
//! checked to be UTF-8); the other fields may also be integers, floats,
//! dates or timestamps (written as RFC 3339 in UTC). A record's location is
//! its 1-based row in the file. Parquet files are read one row group at a
//! time, decoding only the columns above.

use super::{Corpus, Document, Format, Location, ReadOptions, Record};
use crate::error::{Error, Problem, Result};
use crate::minhash::SignatureHeader;
use crate::pipeline::DocOutcome;
use arrow_array::builder::{BooleanBuilder, Float32Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, BooleanArray, FixedSizeListArray, RecordBatch, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Rows per record batch read from Parquet or written to it, and per row
/// group written (8192 news articles: ~25 MB of text, decoded in parallel
/// with the others when read).
const BATCH_ROWS: usize = 8192;

/// Key of the Parquet key-value metadata holding a signature file's header.
pub const SIGNATURES_KEY: &str = "syndic.signatures";

/// One column of a batch, read as optional text row by row.
enum Column<'a> {
    Absent,
    Text(&'a dyn Array),
    Other(&'a dyn Array, Box<dyn Fn(usize) -> String + 'a>),
}

/// Reads a string (`Utf8`, `LargeUtf8`, `Utf8View`) or binary cell.
fn text_cell(array: &dyn Array, row: usize) -> Result<&str, Problem> {
    let bytes: &[u8] = match array.data_type() {
        DataType::Utf8 => return Ok(array.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => return Ok(array.as_string::<i64>().value(row)),
        DataType::Utf8View => return Ok(array.as_string_view().value(row)),
        DataType::Binary => array.as_binary::<i32>().value(row),
        DataType::LargeBinary => array.as_binary::<i64>().value(row),
        DataType::BinaryView => array.as_binary_view().value(row),
        _ => unreachable!("checked by Column::new"),
    };
    std::str::from_utf8(bytes).map_err(|e| Problem::InvalidUtf8(e.valid_up_to()))
}

fn is_text(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    )
}

/// Seconds since the epoch as RFC 3339 in UTC (`2020-12-11T08:00:00Z`).
fn rfc3339(seconds: i64, nanos: u32) -> String {
    match chrono::DateTime::from_timestamp(seconds, nanos) {
        Some(t) if nanos == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
        None => seconds.to_string(),
    }
}

impl<'a> Column<'a> {
    /// The column called `name`, if the batch has it and syndic can read its type.
    fn new(batch: &'a RecordBatch, name: &str, text_only: bool) -> Result<Column<'a>, String> {
        let Some(array) = batch.column_by_name(name) else {
            return Ok(Column::Absent);
        };
        let array: &'a dyn Array = array.as_ref();
        let t = array.data_type();
        if is_text(t) {
            return Ok(Column::Text(array));
        }
        let unsupported = || {
            let can = match text_only {
                true => "a string or binary column",
                false => "strings, numbers, dates or timestamps",
            };
            Err(format!("column {name:?} is {t}; syndic reads {can} there"))
        };
        if text_only {
            return unsupported();
        }
        macro_rules! display {
            ($ty:ty) => {{
                let a = array.as_primitive::<$ty>();
                Box::new(move |row| a.value(row).to_string())
            }};
        }
        let f: Box<dyn Fn(usize) -> String + 'a> = match t {
            DataType::Int8 => display!(Int8Type),
            DataType::Int16 => display!(Int16Type),
            DataType::Int32 => display!(Int32Type),
            DataType::Int64 => display!(Int64Type),
            DataType::UInt8 => display!(UInt8Type),
            DataType::UInt16 => display!(UInt16Type),
            DataType::UInt32 => display!(UInt32Type),
            DataType::UInt64 => display!(UInt64Type),
            DataType::Float32 => display!(Float32Type),
            DataType::Float64 => display!(Float64Type),
            DataType::Date32 => {
                let a = array.as_primitive::<arrow_array::types::Date32Type>();
                Box::new(move |row| {
                    let days = i64::from(a.value(row));
                    let t = rfc3339(days * 86_400, 0);
                    t.get(..10).unwrap_or(&t).to_string()
                })
            }
            DataType::Timestamp(unit, _) => {
                // Timestamps are instants (UTC); a zone only says how to show them.
                let per_second: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let values = match unit {
                    TimeUnit::Second => array
                        .as_primitive::<arrow_array::types::TimestampSecondType>()
                        .values()
                        .clone(),
                    TimeUnit::Millisecond => array
                        .as_primitive::<arrow_array::types::TimestampMillisecondType>()
                        .values()
                        .clone(),
                    TimeUnit::Microsecond => array
                        .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                        .values()
                        .clone(),
                    TimeUnit::Nanosecond => array
                        .as_primitive::<arrow_array::types::TimestampNanosecondType>()
                        .values()
                        .clone(),
                };
                Box::new(move |row| {
                    let v = values[row];
                    let nanos = v.rem_euclid(per_second) * (1_000_000_000 / per_second);
                    rfc3339(v.div_euclid(per_second), nanos as u32)
                })
            }
            _ => return unsupported(),
        };
        Ok(Column::Other(array, f))
    }

    /// The cell at `row` (`None` when absent or null).
    fn get(&self, row: usize) -> Result<Option<Cow<'a, str>>, Problem> {
        match self {
            Column::Absent => Ok(None),
            Column::Text(a) | Column::Other(a, _) if a.is_null(row) => Ok(None),
            Column::Text(a) => text_cell(*a, row).map(|s| Some(Cow::Borrowed(s))),
            Column::Other(_, f) => Ok(Some(Cow::Owned(f(row)))),
        }
    }

    fn string(&self, row: usize) -> Result<Option<String>, Problem> {
        Ok(self.get(row)?.map(Cow::into_owned))
    }
}

/// The columns syndic reads, resolved for one batch.
struct Columns<'a> {
    id: Column<'a>,
    text: Column<'a>,
    meta: [Column<'a>; 4],
}

/// The optional metadata columns, in [`Document`] order.
const META: [&str; 4] = ["title", "url", "source", "published"];

impl<'a> Columns<'a> {
    fn new(batch: &'a RecordBatch, opts: &ReadOptions) -> Result<Columns<'a>, String> {
        if batch.column_by_name(&opts.text_field).is_none() {
            return Err(format!(
                "there is no {:?} column (use --text-field)",
                opts.text_field
            ));
        }
        let [title, url, source, published] = META.map(|name| Column::new(batch, name, false));
        Ok(Columns {
            id: Column::new(batch, &opts.id_field, false)?,
            text: Column::new(batch, &opts.text_field, true)?,
            meta: [title?, url?, source?, published?],
        })
    }

    fn document(&self, row: usize, opts: &ReadOptions) -> Result<Document, Problem> {
        let text = self
            .text
            .get(row)?
            .ok_or_else(|| Problem::MissingText(opts.text_field.clone()))?;
        Ok(Document {
            id: self.id.string(row)?.unwrap_or_default(),
            text: text.into_owned(),
            title: self.meta[0].string(row)?,
            url: self.meta[1].string(row)?,
            source: self.meta[2].string(row)?,
            published: self.meta[3].string(row)?,
            location: Location { file: 0, line: 0 },
        })
    }
}

/// One document or problem per row of `batch`, in order (for readers
/// elsewhere, such as a Spark task, that number rows themselves). Ids are
/// empty when the row has none; the text's size is checked. An error when
/// the batch has no text column or a column of a type syndic cannot read.
pub fn batch_documents(
    batch: &RecordBatch,
    opts: &ReadOptions,
) -> Result<Vec<Result<Document, Problem>>> {
    let columns = Columns::new(batch, opts).map_err(Error::Config)?;
    Ok((0..batch.num_rows())
        .map(|row| {
            columns
                .document(row, opts)
                .and_then(|d| super::check_size(d, opts))
        })
        .collect())
}

/// Passes one record per row of `batch` to `sink`, numbered from `first_row + 1`.
fn batch_records(
    batch: &RecordBatch,
    opts: &ReadOptions,
    first_row: u64,
    bad_schema: impl Fn(String) -> Error,
    sink: &mut dyn FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    let columns = Columns::new(batch, opts).map_err(bad_schema)?;
    for row in 0..batch.num_rows() {
        let result = columns.document(row, opts);
        let bytes = result.as_ref().map_or(0, |d| d.id.len() + d.text.len());
        sink(first_row + row as u64 + 1, Record { bytes, result })?;
    }
    Ok(())
}

/// A file read by position (`pread`), so that row groups can be decoded on
/// several threads at once: handles from `File::try_clone`, which the
/// parquet crate's own reader uses, share one offset.
#[derive(Clone)]
struct Positional(Arc<File>);

/// A reader of a [`Positional`] file from an offset.
struct PositionalRead {
    file: Arc<File>,
    at: u64,
}

impl std::io::Read for PositionalRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl parquet::file::reader::Length for Positional {
    fn len(&self) -> u64 {
        self.0.metadata().map_or(0, |m| m.len())
    }
}

impl parquet::file::reader::ChunkReader for Positional {
    type T = PositionalRead;

    fn get_read(&self, start: u64) -> parquet::errors::Result<PositionalRead> {
        Ok(PositionalRead {
            file: self.0.clone(),
            at: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buf = vec![0; length];
        std::os::unix::fs::FileExt::read_exact_at(&*self.0, &mut buf, start)
            .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))?;
        Ok(buf.into())
    }
}

/// A Parquet file's reader builder (its footer read), or an error naming the file.
fn parquet_builder(file: File, path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::Format {
        path: path.to_path_buf(),
        message: format!("not a readable Parquet file: {e}"),
    })
}

/// Reads the documents of a Parquet file, decoding only the id, text and
/// metadata columns. Row groups are decoded in parallel on the current
/// rayon pool, a window of one per thread at a time (so memory holds a few
/// row groups, not the file), and passed to `sink` in file order.
pub(crate) fn read_parquet(
    file: File,
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(u64, Record) -> Result<()>,
) -> Result<()> {
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
    use rayon::prelude::*;
    let format_error = |message: String| Error::Format {
        path: path.to_path_buf(),
        message,
    };
    let file = Positional(Arc::new(file));
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
        .map_err(|e| format_error(format!("not a readable Parquet file: {e}")))?;
    let wanted = [opts.id_field.as_str(), opts.text_field.as_str()]
        .into_iter()
        .chain(META)
        .collect::<Vec<_>>();
    let roots: Vec<usize> = metadata
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(metadata.metadata().file_metadata().schema_descr(), roots);
    let groups = metadata.metadata().row_groups();
    let mut first_rows = Vec::with_capacity(groups.len());
    let mut rows = 0u64;
    for g in groups {
        first_rows.push(rows);
        rows += g.num_rows().max(0) as u64;
    }
    // The records of one row group, or the row where it stopped being readable.
    let group = |g: usize| -> Result<Vec<(u64, Record)>> {
        let reader =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), metadata.clone())
                .with_projection(mask.clone())
                .with_row_groups(vec![g])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| format_error(e.to_string()))?;
        let mut out = Vec::new();
        let mut row = first_rows[g];
        for batch in reader {
            match batch {
                Ok(batch) => {
                    let mut push = |line, record| {
                        out.push((line, record));
                        Ok(())
                    };
                    batch_records(&batch, opts, row, format_error, &mut push)?;
                    row += batch.num_rows() as u64;
                }
                Err(e) => {
                    // A damaged page: the rest of the file cannot be trusted.
                    let problem = Problem::Unreadable(e.to_string());
                    out.push((row + 1, Record::problem(0, problem)));
                    break;
                }
            }
        }
        Ok(out)
    };
    let window = rayon::current_num_threads().max(1);
    let indices: Vec<usize> = (0..groups.len()).collect();
    for chunk in indices.chunks(window) {
        let decoded: Vec<Vec<(u64, Record)>> =
            chunk.par_iter().map(|&g| group(g)).collect::<Result<_>>()?;
        for records in decoded {
            for (line, record) in records {
                let unreadable = matches!(record.result, Err(Problem::Unreadable(_)));
                sink(line, record)?;
                if unreadable {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// Documents from record batches (a pyarrow table's), read strictly: the
/// first bad row is an [`Error::Input`] whose path is `name` and whose line
/// is the 1-based row. Rows without an id get `name:row`; texts over
/// `max_doc_bytes` and repeated ids are errors, as in [`Corpus::read`].
/// Batches are turned into documents in parallel on the current rayon pool.
pub fn documents_from_batches(
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    name: &str,
    opts: &ReadOptions,
) -> Result<Vec<Document>> {
    use rayon::prelude::*;
    let error = |line: u64, problem: Problem| Error::Input {
        path: name.into(),
        line,
        problem,
    };
    let mut numbered = Vec::new();
    let mut rows = 0u64;
    for batch in batches {
        let batch = batch.map_err(|e| error(rows + 1, Problem::Unreadable(e.to_string())))?;
        let n = batch.num_rows() as u64;
        numbered.push((rows, batch));
        rows += n;
    }
    let records: Vec<Vec<(u64, Record)>> = numbered
        .par_iter()
        .map(|(first, batch)| {
            let mut out = Vec::with_capacity(batch.num_rows());
            let bad_schema = |message: String| Error::Format {
                path: name.into(),
                message,
            };
            batch_records(batch, opts, *first, bad_schema, &mut |line, record| {
                out.push((line, record));
                Ok(())
            })?;
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut docs = Vec::with_capacity(rows as usize);
    let mut seen = ahash::AHashMap::with_capacity(rows as usize);
    for (line, record) in records.into_iter().flatten() {
        let mut doc = record
            .result
            .and_then(|d| super::check_size(d, opts))
            .map_err(|p| error(line, p))?;
        if doc.id.is_empty() {
            doc.id = format!("{name}:{line}");
        }
        doc.location = Location { file: 0, line };
        if let Some(first) = seen.insert(doc.id.clone(), line) {
            let first = format!("{name} {first}");
            return Err(error(line, Problem::DuplicateId { id: doc.id, first }));
        }
        docs.push(doc);
    }
    Ok(docs)
}

/// The columns of `clusters.jsonl`: `id`, `cluster`, `story`, `thread` (strings),
/// `representative` (bool), `similarity`, `containment` (float32, null for
/// representatives) and `short` (bool).
pub fn clusters_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("cluster", DataType::Utf8, false),
        Field::new("story", DataType::Utf8, false),
        Field::new("thread", DataType::Utf8, false),
        Field::new("representative", DataType::Boolean, false),
        Field::new("similarity", DataType::Float32, true),
        Field::new("containment", DataType::Float32, true),
        Field::new("short", DataType::Boolean, false),
    ]))
}

/// The rows `range` of the cluster table (one per document, in input order).
pub fn clusters_batch(
    docs: &[Document],
    outcomes: &[DocOutcome],
    range: std::ops::Range<usize>,
) -> RecordBatch {
    let n = range.len();
    let bytes: usize = docs[range.clone()].iter().map(|d| d.id.len()).sum();
    let strings = || StringBuilder::with_capacity(n, bytes);
    let (mut id, mut cluster) = (strings(), strings());
    let (mut story, mut thread) = (strings(), strings());
    let mut representative = BooleanBuilder::with_capacity(n);
    let mut short = BooleanBuilder::with_capacity(n);
    let mut similarity = Float32Builder::with_capacity(n);
    let mut containment = Float32Builder::with_capacity(n);
    for i in range {
        let o = &outcomes[i];
        id.append_value(&docs[i].id);
        cluster.append_value(&docs[o.representative as usize].id);
        story.append_value(&docs[o.story as usize].id);
        thread.append_value(&docs[o.thread as usize].id);
        representative.append_value(o.representative as usize == i);
        similarity.append_option(o.similarity);
        containment.append_option(o.containment);
        short.append_value(o.short);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(cluster.finish()),
        Arc::new(story.finish()),
        Arc::new(thread.finish()),
        Arc::new(representative.finish()),
        Arc::new(similarity.finish()),
        Arc::new(containment.finish()),
        Arc::new(short.finish()),
    ];
    RecordBatch::try_new(clusters_schema(), columns).expect("columns match the schema")
}

/// The cluster table in batches of at most `BATCH_ROWS` (8,192) rows.
pub fn clusters_batches<'a>(
    docs: &'a [Document],
    outcomes: &'a [DocOutcome],
) -> impl Iterator<Item = RecordBatch> + 'a {
    let n = docs.len().min(outcomes.len());
    (0..n)
        .step_by(BATCH_ROWS)
        .map(move |start| clusters_batch(docs, outcomes, start..(start + BATCH_ROWS).min(n)))
}

fn parquet_error(e: parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e)
}

/// A Parquet writer for batches of `schema`, zstd-compressed or not (the
/// schema's metadata also goes into the file's key-value metadata, for
/// readers that ignore Arrow's schema, such as Spark).
fn parquet_writer<W: Write + Send>(
    w: W,
    schema: SchemaRef,
    compression: bool,
) -> std::io::Result<ArrowWriter<W>> {
    let props = WriterProperties::builder()
        .set_compression(match compression {
            true => Compression::ZSTD(ZstdLevel::default()),
            false => Compression::UNCOMPRESSED,
        })
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .build();
    let metadata = schema.metadata().clone();
    let mut writer = ArrowWriter::try_new(w, schema, Some(props)).map_err(parquet_error)?;
    for (key, value) in metadata {
        writer.append_key_value_metadata(parquet::file::metadata::KeyValue::new(key, value));
    }
    Ok(writer)
}

/// Writes batches of `schema` as one Parquet file, zstd-compressed or not.
pub fn write_parquet<W: Write + Send>(
    w: W,
    schema: SchemaRef,
    batches: impl IntoIterator<Item = RecordBatch>,
    compression: bool,
) -> std::io::Result<()> {
    let mut writer = parquet_writer(w, schema, compression)?;
    for batch in batches {
        writer.write(&batch).map_err(parquet_error)?;
    }
    writer.close().map_err(parquet_error)?;
    Ok(())
}

/// Writes the cluster table as Parquet.
pub fn write_clusters_parquet<W: Write + Send>(
    w: W,
    docs: &[Document],
    outcomes: &[DocOutcome],
) -> std::io::Result<()> {
    write_parquet(w, clusters_schema(), clusters_batches(docs, outcomes), true)
}

/// Writes signatures as Parquet: `id` (string) and `signature` (a
/// fixed-size list of `num_perm` uint32), with the [`SignatureHeader`]
/// (format version, MinHash and shingle settings) as JSON under
/// [`SIGNATURES_KEY`] in the file's metadata.
pub fn write_signatures_parquet<W: Write + Send>(
    w: W,
    header: &SignatureHeader,
    records: &[(&str, &crate::minhash::Signature)],
) -> std::io::Result<()> {
    let width = header.minhash.num_perm as i32;
    let item = Arc::new(Field::new("item", DataType::UInt32, false));
    let json = serde_json::to_string(header).map_err(std::io::Error::other)?;
    let fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new(
            "signature",
            DataType::FixedSizeList(item.clone(), width),
            false,
        ),
    ];
    let metadata = std::collections::HashMap::from([(SIGNATURES_KEY.to_string(), json)]);
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let batches = records.chunks(BATCH_ROWS).map(|chunk| {
        let mut ids = StringBuilder::new();
        let mut values = Vec::with_capacity(chunk.len() * width as usize);
        for (id, sig) in chunk {
            ids.append_value(id);
            values.extend_from_slice(sig);
        }
        let values = Arc::new(UInt32Array::from(values));
        let sigs = FixedSizeListArray::new(item.clone(), width, values, None);
        let columns: Vec<ArrayRef> = vec![Arc::new(ids.finish()), Arc::new(sigs)];
        RecordBatch::try_new(schema.clone(), columns).expect("columns match the schema")
    });
    write_parquet(w, schema.clone(), batches, false)
}

/// The columns of kept records from inputs that are not Parquet: `id`,
/// `text`, and `title`, `url`, `source`, `published` (nullable strings).
fn documents_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
    ];
    fields.extend(META.map(|name| Field::new(name, DataType::Utf8, true)));
    Arc::new(Schema::new(fields))
}

impl Corpus {
    /// Writes the documents at `keep` (indices into `docs`) as Parquet, in
    /// input order. Rows of Parquet inputs are copied whole, with the
    /// input's own schema (every input must then be Parquet with the same
    /// columns); documents of other formats become `id`, `text`, `title`,
    /// `url`, `source`, `published`.
    pub fn copy_records_parquet<W: Write + Send>(&self, keep: &[usize], w: W) -> Result<u64> {
        let schema = self.parquet_copy_schema()?;
        let output = |e: std::io::Error| Error::io("output", e);
        let mut keep = keep.to_vec();
        keep.sort_by_key(|&k| self.docs[k].location);
        let Some(schema) = schema else {
            let mut writer = parquet_writer(w, documents_schema(), true).map_err(output)?;
            for chunk in keep.chunks(BATCH_ROWS) {
                let batch = self.documents_batch(chunk)?;
                writer.write(&batch).map_err(|e| output(parquet_error(e)))?;
            }
            writer.close().map_err(|e| output(parquet_error(e)))?;
            return Ok(keep.len() as u64);
        };
        let mut writer = parquet_writer(w, schema, true).map_err(output)?;
        let mut next = keep.iter().map(|&k| self.docs[k].location).peekable();
        for (file, source) in self.files.iter().enumerate() {
            if next.peek().is_none_or(|l| l.file as usize != file) {
                continue;
            }
            let path = source.display_path();
            let reader = parquet_builder(source.raw_file()?, path)?
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| Error::Format {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
            let mut rows = 0u64;
            for batch in reader {
                let batch = batch.map_err(|e| Error::Format {
                    path: path.to_path_buf(),
                    message: format!("cannot read it again to copy rows: {e}"),
                })?;
                let end = rows + batch.num_rows() as u64;
                let mut mask = vec![false; batch.num_rows()];
                while let Some(l) = next.next_if(|l| l.file as usize == file && l.line <= end) {
                    mask[(l.line - rows - 1) as usize] = true;
                }
                rows = end;
                if mask.iter().any(|&m| m) {
                    let kept = arrow_select::filter::filter_record_batch(
                        &batch,
                        &BooleanArray::from(mask),
                    )
                    .map_err(|e| output(std::io::Error::other(e)))?;
                    writer.write(&kept).map_err(|e| output(parquet_error(e)))?;
                }
            }
        }
        writer.close().map_err(|e| output(parquet_error(e)))?;
        Ok(keep.len() as u64)
    }

    /// Documents `rows` in syndic's own columns ([`documents_schema`]).
    fn documents_batch(&self, rows: &[usize]) -> Result<RecordBatch> {
        let mut columns: Vec<StringBuilder> = (0..6).map(|_| StringBuilder::new()).collect();
        for &k in rows {
            let d = &self.docs[k];
            columns[0].append_value(&d.id);
            columns[1].append_value(self.texts().text(k)?);
            for (c, v) in columns[2..]
                .iter_mut()
                .zip([&d.title, &d.url, &d.source, &d.published])
            {
                c.append_option(v.as_deref());
            }
        }
        let arrays = columns
            .iter_mut()
            .map(|c| Arc::new(c.finish()) as ArrayRef)
            .collect();
        Ok(RecordBatch::try_new(documents_schema(), arrays).expect("columns match the schema"))
    }

    /// The schema [`Corpus::copy_records_parquet`] writes: the inputs' own
    /// when they are all Parquet with the same columns, `None` (syndic's
    /// columns) when none is; an error when they differ.
    pub fn parquet_copy_schema(&self) -> Result<Option<SchemaRef>> {
        let mut schemas = Vec::with_capacity(self.files.len());
        for source in &self.files {
            schemas.push(match source.format() {
                Format::Parquet => Some(
                    parquet_builder(source.raw_file()?, source.display_path())?
                        .schema()
                        .clone(),
                ),
                _ => None,
            });
        }
        let fields = |s: &Option<SchemaRef>| s.as_ref().map(|s| s.fields().clone());
        match schemas.iter().position(|s| fields(s) != fields(&schemas[0])) {
            None => Ok(schemas.into_iter().next().flatten()),
            Some(k) => Err(Error::Config(format!(
                "dedup --format parquet keeps each row with its input's columns, so the inputs must all be Parquet with the same columns (or none Parquet), but {} and {} differ; write JSON Lines instead (--format jsonl)",
                self.files[0].display_path().display(),
                self.files[k].display_path().display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_dates_read_as_rfc3339() {
        assert_eq!(rfc3339(1_607_673_600, 0), "2020-12-11T08:00:00Z");
        assert_eq!(
            rfc3339(1_607_673_600, 500_000_000),
            "2020-12-11T08:00:00.500Z"
        );
        let ts = arrow_array::TimestampMillisecondArray::from(vec![1_607_673_600_250i64, -1]);
        let batch = RecordBatch::try_from_iter([
            (
                "text",
                Arc::new(arrow_array::StringArray::from(vec!["a", "b"])) as ArrayRef,
            ),
            ("published", Arc::new(ts) as ArrayRef),
            (
                "id",
                Arc::new(arrow_array::Int64Array::from(vec![7, 8])) as ArrayRef,
            ),
        ])
        .unwrap();
        let docs = documents_from_batches([Ok(batch)], "t", &ReadOptions::default()).unwrap();
        assert_eq!(
            docs[0].published.as_deref(),
            Some("2020-12-11T08:00:00.250Z")
        );
        assert_eq!(
            docs[1].published.as_deref(),
            Some("1969-12-31T23:59:59.999Z")
        );
        assert_eq!((docs[0].id.as_str(), docs[1].id.as_str()), ("7", "8"));
    }
}
