//! `syndic._syndic`: the Python bindings, a thin layer over the `syndic`
//! library. The Python package `syndic` (python/syndic/__init__.py) wraps
//! these in the user-facing API (datasketch-shaped `MinHash` and
//! `MinHashLSH`, `cluster` and `sign` over tables and records).
//!
//! The GIL is released while the library works; errors become Python
//! exceptions: `InputError` (a `ValueError`) for a bad record, with its
//! location and kind, `ValueError` for bad settings, `OSError` for files.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator};
mod pages;
mod spark;

use pages::engine;
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyList};
use syndic::corpus::arrow::{clusters_batches, clusters_schema};
use syndic::lsh::{LshIndex, LshParams};
use syndic::minhash::{estimate_jaccard, MinHashConfig, MinHasher, Scheme, SketchState};
use syndic::{Config, Document, Error, ReadOptions};

/// The columns of `Index.clusters()`: id, cluster, story and thread.
type IndexColumns = (Vec<String>, Vec<String>, Vec<String>, Vec<String>);

/// mimalloc for the engine's allocations, as in the CLI; engine calls run
/// in 4 KiB pages (`pages.rs`). Python's own objects use Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _syndic,
    InputError,
    PyValueError,
    "A bad input record: `location` says where, `kind` what (as in --rejects)."
);

/// A library error as a Python exception.
fn py_err(e: Error) -> PyErr {
    match e {
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn scheme(name: &str) -> PyResult<Scheme> {
    match name {
        "oph" => Ok(Scheme::Oph),
        "classic" => Ok(Scheme::Classic),
        _ => Err(PyValueError::new_err(format!(
            "scheme must be 'oph' or 'classic', not {name:?}"
        ))),
    }
}

fn scheme_name(s: Scheme) -> &'static str {
    match s {
        Scheme::Oph => "oph",
        _ => "classic",
    }
}

/// A MinHash signature built from byte strings (datasketch's ``MinHash``).
///
/// ``MinHash(num_perm=128, seed=1, scheme="oph")``; ``update(b)``,
/// ``update_batch([b, ...])`` (hashes without the GIL), ``jaccard(other)``,
/// ``digest()`` (a numpy ``uint32`` array), ``copy()``; picklable. Items are
/// hashed with seeded XXH3-64, so signatures are the same on every machine.
/// ``scheme="classic"`` uses one hash function per value, as datasketch
/// does; the default ``"oph"`` (one permutation hashing with densification)
/// hashes each item once.
#[pyclass(module = "syndic._syndic", name = "MinHash")]
struct PyMinHash {
    hasher: MinHasher,
    state: SketchState,
}

impl PyMinHash {
    fn config(&self) -> MinHashConfig {
        *self.hasher.config()
    }

    fn signature(&self) -> Vec<u32> {
        self.hasher.resume(self.state.clone()).finish()
    }

    fn add(&mut self, hashes: &[u64]) {
        self.hasher.extend_state(&mut self.state, hashes);
    }
}

/// The hash of one item: the bytes of a `bytes`, or the UTF-8 of a `str`.
fn item_hash(item: &Bound<'_, PyAny>) -> PyResult<u64> {
    if let Ok(b) = item.downcast::<PyBytes>() {
        return Ok(syndic::shingle::hash_bytes(b.as_bytes()));
    }
    if let Ok(s) = item.downcast::<pyo3::types::PyString>() {
        return Ok(syndic::shingle::hash_bytes(s.to_cow()?.as_bytes()));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "MinHash items are bytes or str, not {}",
        item.get_type().name()?
    )))
}

/// The hashes of a list's items. Bytes items (the common case) are read
/// through borrowed references, without the reference counting of a
/// generic iteration; anything else goes through [`item_hash`].
fn list_hashes(list: &Bound<'_, PyList>) -> PyResult<Vec<u64>> {
    let mut hashes = Vec::with_capacity(list.len());
    for k in 0..list.len() {
        // SAFETY: `k` is in bounds while the GIL is held and the list is
        // not changed (nothing here runs Python code); PyList_GetItem
        // returns a borrowed reference, and a bytes object's buffer lives
        // as long as the object, which the list keeps alive.
        let hash = unsafe {
            let item = pyo3::ffi::PyList_GetItem(list.as_ptr(), k as pyo3::ffi::Py_ssize_t);
            if item.is_null() {
                return Err(PyErr::fetch(list.py()));
            }
            if pyo3::ffi::PyBytes_Check(item) != 0 {
                let data = pyo3::ffi::PyBytes_AsString(item) as *const u8;
                let len = pyo3::ffi::PyBytes_Size(item) as usize;
                syndic::shingle::hash_bytes(std::slice::from_raw_parts(data, len))
            } else {
                item_hash(Bound::from_borrowed_ptr(list.py(), item).as_any())?
            }
        };
        hashes.push(hash);
    }
    Ok(hashes)
}

#[pymethods]
impl PyMinHash {
    #[new]
    #[pyo3(signature = (num_perm = 128, seed = 1, scheme = "oph"))]
    fn new(num_perm: usize, seed: u64, scheme: &str) -> PyResult<Self> {
        let config = MinHashConfig {
            scheme: self::scheme(scheme)?,
            num_perm,
            seed,
        };
        let hasher = MinHasher::new(config).map_err(py_err)?;
        let state = hasher.sketch().into_state();
        Ok(PyMinHash { hasher, state })
    }

    /// Adds one item (bytes, or str as UTF-8).
    fn update(&mut self, item: &Bound<'_, PyAny>) -> PyResult<()> {
        let h = item_hash(item)?;
        self.add(&[h]);
        Ok(())
    }

    /// Adds many items (bytes, or str as UTF-8): each is hashed in place,
    /// without a copy, then streamed into the sketch.
    fn update_batch(&mut self, items: &Bound<'_, PyAny>) -> PyResult<()> {
        let hashes: Vec<u64> = match items.downcast::<PyList>() {
            Ok(list) => list_hashes(list)?,
            Err(_) => items
                .try_iter()?
                .map(|x| item_hash(&x?))
                .collect::<PyResult<_>>()?,
        };
        self.add(&hashes);
        Ok(())
    }

    /// The estimated Jaccard similarity with `other` (same num_perm, seed, scheme).
    fn jaccard(&self, other: &PyMinHash) -> PyResult<f64> {
        if self.config() != other.config() {
            return Err(PyValueError::new_err(
                "cannot compare MinHash objects with different num_perm, seed or scheme",
            ));
        }
        Ok(estimate_jaccard(&self.signature(), &other.signature()))
    }

    /// The signature: `num_perm` values as a numpy `uint32` array.
    fn digest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes: Vec<u8> = self
            .signature()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let np = py.import("numpy")?;
        np.call_method1("frombuffer", (PyBytes::new(py, &bytes), "<u4"))?
            .call_method1("astype", (np.getattr("uint32")?,))
    }

    fn copy(&self) -> PyMinHash {
        PyMinHash {
            hasher: self.hasher.clone(),
            state: self.state.clone(),
        }
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.config().num_perm
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.config().seed
    }

    #[getter]
    fn scheme(&self) -> &'static str {
        scheme_name(self.config().scheme)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(PyObject, PyObject)> {
        let py = slf.py();
        let me = slf.borrow();
        let c = me.config();
        let state = PyBytes::new(py, &me.state.to_bytes());
        let restore = py
            .import("syndic._syndic")?
            .getattr("_minhash_from_state")?;
        let args = (c.num_perm, c.seed, scheme_name(c.scheme), state);
        Ok((
            restore.unbind(),
            args.into_pyobject(py)?.into_any().unbind(),
        ))
    }
}

#[pyfunction]
fn _minhash_from_state(
    num_perm: usize,
    seed: u64,
    scheme: &str,
    state: &[u8],
) -> PyResult<PyMinHash> {
    let mut m = PyMinHash::new(num_perm, seed, scheme)?;
    m.state = SketchState::from_bytes(state, num_perm).map_err(py_err)?;
    Ok(m)
}

impl PyMinHashLsh {
    /// Stores `signature` under a new handle for `key` (not checked: the
    /// callers make sure it is new).
    fn store(&mut self, py: Python<'_>, key: PyObject, signature: &[u32]) -> PyResult<()> {
        let handle =
            u32::try_from(self.keys.len()).map_err(|_| PyValueError::new_err("index is full"))?;
        self.index.insert(handle, signature).map_err(py_err)?;
        self.handles.bind(py).set_item(&key, handle)?;
        self.keys.push(Some(key));
        Ok(())
    }
}

/// A banded LSH index of MinHash signatures (datasketch's ``MinHashLSH``).
///
/// ``MinHashLSH(threshold=0.8, num_perm=128)`` picks the banding whose
/// probability of finding a pair at ``threshold`` is at least 0.995 (or give
/// ``bands=`` and ``rows=``). ``insert(key, minhash)``, ``query(minhash)``
/// (keys in insertion order), ``remove(key)``, ``key in lsh``, ``len(lsh)``;
/// picklable.
#[pyclass(module = "syndic._syndic", name = "MinHashLSH")]
struct PyMinHashLsh {
    index: LshIndex,
    num_perm: usize,
    threshold: f64,
    /// key -> handle
    handles: Py<PyDict>,
    /// handle -> key (None once removed)
    keys: Vec<Option<PyObject>>,
}

#[pymethods]
impl PyMinHashLsh {
    #[new]
    #[pyo3(signature = (threshold = 0.8, num_perm = 128, bands = None, rows = None))]
    fn new(
        py: Python<'_>,
        threshold: f64,
        num_perm: usize,
        bands: Option<usize>,
        rows: Option<usize>,
    ) -> PyResult<Self> {
        let params = match (bands, rows) {
            (Some(bands), Some(rows)) => LshParams { bands, rows },
            (None, None) => LshParams::for_threshold(threshold, num_perm, 0.995).map_err(py_err)?,
            _ => {
                return Err(PyValueError::new_err(
                    "give both bands and rows, or neither",
                ))
            }
        };
        Ok(PyMinHashLsh {
            index: LshIndex::new(params, num_perm).map_err(py_err)?,
            num_perm,
            threshold,
            handles: PyDict::new(py).unbind(),
            keys: Vec::new(),
        })
    }

    /// Stores `minhash` under `key` (a new, hashable key).
    fn insert(&mut self, py: Python<'_>, key: PyObject, minhash: &PyMinHash) -> PyResult<()> {
        let handles = self.handles.bind(py);
        if handles.contains(&key)? {
            return Err(PyValueError::new_err(format!(
                "key {} is already in the index",
                key.bind(py).repr()?
            )));
        }
        self.store(py, key, &minhash.signature())
    }

    /// The keys whose signature shares a band with `minhash`, in insertion order.
    fn query<'py>(&self, py: Python<'py>, minhash: &PyMinHash) -> PyResult<Bound<'py, PyList>> {
        let sig = minhash.signature();
        let found = py
            .allow_threads(|| self.index.query(&sig))
            .map_err(py_err)?;
        let keys: Vec<&PyObject> = found
            .iter()
            .filter_map(|&h| self.keys[h as usize].as_ref())
            .collect();
        PyList::new(py, keys)
    }

    /// Removes `key`; KeyError if it is not there.
    fn remove(&mut self, py: Python<'_>, key: PyObject) -> PyResult<()> {
        let handles = self.handles.bind(py);
        let Some(handle) = handles.get_item(&key)? else {
            return Err(PyKeyError::new_err(key));
        };
        let handle: u32 = handle.extract()?;
        handles.del_item(&key)?;
        self.index.remove(handle);
        self.keys[handle as usize] = None;
        Ok(())
    }

    fn __contains__(&self, py: Python<'_>, key: PyObject) -> PyResult<bool> {
        self.handles.bind(py).contains(key)
    }

    fn __len__(&self) -> usize {
        self.index.len()
    }

    #[getter]
    fn bands(&self) -> usize {
        self.index.params().bands
    }

    #[getter]
    fn rows(&self) -> usize {
        self.index.params().rows
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(PyObject, PyObject)> {
        let py = slf.py();
        let me = slf.borrow();
        let entries = PyList::empty(py);
        for (h, key) in me.keys.iter().enumerate() {
            if let (Some(key), Some(sig)) = (key, me.index.signature(h as u32)) {
                let bytes: Vec<u8> = sig.iter().flat_map(|v| v.to_le_bytes()).collect();
                entries.append((key.clone_ref(py), PyBytes::new(py, &bytes)))?;
            }
        }
        let p = me.index.params();
        let restore = py.import("syndic._syndic")?.getattr("_lsh_from_state")?;
        let args = (me.threshold, me.num_perm, p.bands, p.rows, entries);
        Ok((
            restore.unbind(),
            args.into_pyobject(py)?.into_any().unbind(),
        ))
    }
}

#[pyfunction]
fn _lsh_from_state(
    py: Python<'_>,
    threshold: f64,
    num_perm: usize,
    bands: usize,
    rows: usize,
    entries: Vec<(PyObject, Vec<u8>)>,
) -> PyResult<PyMinHashLsh> {
    let mut lsh = PyMinHashLsh::new(py, threshold, num_perm, Some(bands), Some(rows))?;
    for (key, bytes) in entries {
        let sig: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        lsh.store(py, key, &sig)?;
    }
    Ok(lsh)
}

/// The record batches of an Arrow stream: any object with
/// `__arrow_c_stream__` (a `pyarrow.Table` or `RecordBatchReader`, a polars
/// or DuckDB result). The columns are handed over without copying; the
/// Python layer turns pandas frames and dicts into a table first.
fn arrow_stream(data: &Bound<'_, PyAny>) -> PyResult<RecordBatchStreamReader> {
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.downcast::<PyCapsule>()?;
    if capsule.name()? != Some(c"arrow_array_stream") {
        return Err(PyValueError::new_err(
            "__arrow_c_stream__ did not return an arrow_array_stream capsule",
        ));
    }
    let stream = capsule.pointer() as *mut FFI_ArrowArrayStream;
    // SAFETY: the capsule holds a valid FFI_ArrowArrayStream (checked by its
    // name, as the Arrow PyCapsule interface specifies); from_raw moves it
    // out and leaves a released stream behind, which the capsule's
    // destructor then skips.
    unsafe { RecordBatchStreamReader::from_raw(stream) }
        .map_err(|e| PyValueError::new_err(format!("not a readable Arrow stream: {e}")))
}

/// A bad record as `InputError` (location `record N`, its kind); other
/// library errors as `ValueError` or `OSError`.
fn input_err(e: Error) -> PyErr {
    let Error::Input {
        path,
        line,
        problem,
    } = &e
    else {
        return py_err(e);
    };
    let location = format!("{} {line}", path.display());
    Python::with_gil(|py| {
        let err = InputError::new_err(format!("{location}: {problem}"));
        let value = err.value(py);
        let _ = value.setattr("location", location);
        let _ = value.setattr("kind", problem.kind());
        err
    })
}

/// The documents of an Arrow stream (columns `id`, `text`, and `title`,
/// `url`, `source`, `published` when present), read without the GIL on
/// `pool`. A bad row is an `InputError` naming it (`record N`, 1-based); a
/// row without an id gets `record:N`.
fn documents(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    pool: &rayon::ThreadPool,
) -> PyResult<Vec<Document>> {
    let stream = arrow_stream(data)?;
    engine(py, || {
        pool.install(|| {
            syndic::corpus::arrow::documents_from_batches(stream, "record", &ReadOptions::default())
        })
    })
    .map_err(input_err)
}

/// Record batches as a `pyarrow.Table`, through the Arrow C stream
/// interface (no copy).
fn to_pyarrow<'py>(
    py: Python<'py>,
    schema: arrow_schema::SchemaRef,
    batches: Vec<RecordBatch>,
) -> PyResult<Bound<'py, PyAny>> {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    let capsule = PyCapsule::new(py, stream, Some(c"arrow_array_stream".to_owned()))?;
    py.import("pyarrow")?
        .getattr("RecordBatchReader")?
        .call_method1("_import_from_c_capsule", (capsule,))?
        .call_method0("read_all")
}

/// Settings (the `syndic.toml` keys as a JSON object) resolved and checked.
fn config(settings_json: &str) -> PyResult<Config> {
    Config::from_json(settings_json).map_err(py_err)
}

fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        if t == 0 || t > 1024 {
            return Err(PyValueError::new_err("threads must be between 1 and 1024"));
        }
        b = b.num_threads(t);
    }
    b.build().map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Explains pairs of documents of an Arrow stream (by id): one JSON text
/// per pair ([`syndic::explain::Explanation::to_json`]).
#[pyfunction]
#[pyo3(signature = (data, pairs, settings_json, threads = None))]
fn explain_pairs(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    pairs: Vec<(String, String)>,
    settings_json: &str,
    threads: Option<usize>,
) -> PyResult<Vec<String>> {
    let config = config(settings_json)?;
    let pool = pool(threads)?;
    let docs = documents(py, data, &pool)?;
    let pairs = syndic::explain::pair_indices(&docs, &pairs).map_err(PyValueError::new_err)?;
    engine(py, || {
        pool.install(|| {
            let outcome = syndic::run(&docs, &config)?;
            let texts = syndic::corpus::Texts::new(&docs);
            let resources = syndic::Resources::default();
            let explained =
                syndic::explain::explain(&docs, &texts, &config, &resources, &outcome, &pairs)?;
            Ok(explained
                .iter()
                .map(|e| e.to_json(&docs).to_string())
                .collect())
        })
    })
    .map_err(py_err)
}

/// Clusters the documents of an Arrow stream: a `pyarrow.Table` with one
/// row per document, in input order, with the columns of `clusters.jsonl`.
#[pyfunction]
#[pyo3(signature = (data, settings_json, threads = None))]
fn cluster_table<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let config = config(settings_json)?;
    let pool = pool(threads)?;
    let docs = documents(py, data, &pool)?;
    let batches = engine(py, || {
        pool.install(|| {
            let outcome = syndic::run(&docs, &config)?;
            Ok(clusters_batches(&docs, &outcome.docs).collect())
        })
    })
    .map_err(py_err)?;
    to_pyarrow(py, clusters_schema(), batches)
}

#[pyfunction]
#[pyo3(signature = (data, settings_json, threads = None))]
fn sign_table<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    settings_json: &str,
    threads: Option<usize>,
) -> PyResult<(Vec<String>, usize, Bound<'py, PyBytes>)> {
    let config = config(settings_json)?;
    let pool = pool(threads)?;
    let docs = documents(py, data, &pool)?;
    let sigs = engine(py, || {
        pool.install(|| {
            let texts = syndic::corpus::Texts::new(&docs);
            syndic::pipeline::signatures(&docs, &texts, &config, &syndic::Resources::default())
        })
    })
    .map_err(py_err)?;
    let bytes: Vec<u8> = sigs
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let ids = docs.into_iter().map(|d| d.id).collect();
    Ok((ids, config.minhash.num_perm, PyBytes::new(py, &bytes)))
}

/// A persistent index on disk (`syndic index`): every call opens it, so
/// other processes' commits are seen; writes take the index's lock.
#[pyclass(module = "syndic._syndic", name = "Index")]
struct PyIndex {
    path: std::path::PathBuf,
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymethods]
impl PyIndex {
    /// Opens the index at `path` (it must exist: see `build`).
    #[new]
    fn new(path: std::path::PathBuf) -> PyResult<Self> {
        syndic::index::Index::open(&path).map_err(py_err)?;
        Ok(PyIndex { path })
    }

    /// Creates an index at `path` from `data`; returns the change
    /// report as JSON.
    #[staticmethod]
    #[pyo3(signature = (path, data, settings_json, window_days = None, threads = None))]
    fn build(
        py: Python<'_>,
        path: std::path::PathBuf,
        data: &Bound<'_, PyAny>,
        settings_json: &str,
        window_days: Option<f64>,
        threads: Option<usize>,
    ) -> PyResult<(PyIndex, String)> {
        let settings = syndic::index::IndexSettings {
            config: config(settings_json)?,
            window_days,
        };
        let pool = pool(threads)?;
        let docs = documents(py, data, &pool)?;
        let report = engine(py, || {
            pool.install(|| {
                let texts = syndic::corpus::Texts::new(&docs);
                syndic::index::Index::build(&path, settings, &docs, &texts).map(|(_, r)| r)
            })
        })
        .map_err(py_err)?;
        Ok((PyIndex { path }, to_json(&report)?))
    }

    /// Adds documents atomically; returns the change report as JSON.
    #[pyo3(signature = (data, threads = None))]
    fn add(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<String> {
        let pool = pool(threads)?;
        let docs = documents(py, data, &pool)?;
        let report = engine(py, || {
            pool.install(|| {
                let mut index = syndic::index::Index::open_writer(&self.path)?;
                index.add(&docs, &syndic::corpus::Texts::new(&docs))
            })
        })
        .map_err(py_err)?;
        to_json(&report)
    }

    /// Removes documents by id; returns the change report as JSON.
    fn remove(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<String> {
        let report = engine(py, || {
            syndic::index::Index::open_writer(&self.path)?.remove(&ids)
        })
        .map_err(py_err)?;
        to_json(&report)
    }

    /// Rewrites the live documents into one segment, reclaiming removed
    /// ones; returns what it did as JSON.
    fn compact(&self, py: Python<'_>) -> PyResult<String> {
        let report = engine(py, || {
            syndic::index::Index::open_writer(&self.path)?.compact()
        })
        .map_err(py_err)?;
        to_json(&report)
    }

    /// Each document's matches, as JSON (a list of lists of matches).
    #[pyo3(signature = (data, threads = None))]
    fn query(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<String> {
        use rayon::prelude::*;
        let pool = pool(threads)?;
        let docs = documents(py, data, &pool)?;
        let matches = engine(py, || {
            let index = syndic::index::Index::open(&self.path)?;
            pool.install(|| {
                docs.par_iter()
                    .map(|d| index.query(d, &d.text))
                    .collect::<syndic::Result<Vec<_>>>()
            })
        })
        .map_err(py_err)?;
        to_json(&matches)
    }

    /// Every document's id, cluster, story and thread (representatives' ids).
    fn clusters(&self, py: Python<'_>) -> PyResult<IndexColumns> {
        let rows = engine(py, || {
            syndic::index::Index::open(&self.path).map(|i| i.clusters())
        })
        .map_err(py_err)?;
        let mut out: IndexColumns = Default::default();
        for (id, cluster, story, thread) in rows {
            out.0.push(id);
            out.1.push(cluster);
            out.2.push(story);
            out.3.push(thread);
        }
        Ok(out)
    }

    /// Sizes, counts and settings as JSON (`verify` also decodes every text).
    #[pyo3(signature = (verify = false))]
    fn stats(&self, py: Python<'_>, verify: bool) -> PyResult<String> {
        let stats =
            engine(py, || syndic::index::Index::open(&self.path)?.stats(verify)).map_err(py_err)?;
        to_json(&stats)
    }
}

#[pymodule]
fn _syndic(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMinHash>()?;
    m.add_class::<PyMinHashLsh>()?;
    m.add_class::<PyIndex>()?;
    m.add_function(wrap_pyfunction!(_minhash_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_lsh_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_table, m)?)?;
    m.add_function(wrap_pyfunction!(explain_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(sign_table, m)?)?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add_class::<spark::Ingest>()?;
    m.add_class::<spark::Signing>()?;
    m.add_function(wrap_pyfunction!(spark::profiles, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_identities, m)?)?;
    m.add_function(wrap_pyfunction!(spark::line_verdicts, m)?)?;
    m.add_function(wrap_pyfunction!(spark::resolved_config, m)?)?;
    m.add_function(wrap_pyfunction!(spark::thread_settings, m)?)?;
    m.add_function(wrap_pyfunction!(spark::bucket_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_units, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_bursts, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_close, m)?)?;
    m.add_function(wrap_pyfunction!(spark::story_unique, m)?)?;
    m.add_class::<spark::Components>()?;
    Ok(())
}
