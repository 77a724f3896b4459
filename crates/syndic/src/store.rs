//! Spill storage: the per-document data of a run that may not fit in memory
//! (article texts, shingle sets, band keys) kept in RAM up to a byte budget
//! and in an unlinked temporary file beyond it.
//!
//! A [`BlobStore`] is append-only: [`BlobStore::push`] returns a slot and
//! [`BlobStore::get`] reads it back, from any thread (positioned reads on the
//! file, so the OS page cache, not the process, holds what is hot). With no
//! budget everything stays in RAM; with one, the store moves to disk the first
//! time its RAM part would exceed the budget. Either way the bytes read back
//! are the bytes pushed, so results never depend on the budget.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// Where spilled data goes and how much RAM a run may use.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// Approximate peak memory of a run in bytes (`--memory`); `None` is unbounded.
    pub memory: Option<u64>,
    /// Folder of the temporary spill files (default: the system's).
    pub temp_dir: Option<PathBuf>,
}

impl Resources {
    /// The RAM budget of one of the `parts` stores of a run.
    pub fn budget(&self, parts: u64) -> Option<usize> {
        self.memory.map(|m| (m / parts.max(1)) as usize)
    }

    /// How many items of about `item_bytes` each to process per parallel
    /// batch: 16,384 without a limit; with one, what fits in 1/16 of it
    /// (at least 64).
    pub fn batch(&self, item_bytes: usize) -> usize {
        const MAX: usize = 16_384;
        match self.memory {
            None => MAX,
            Some(m) => ((m as usize / 16) / item_bytes.max(1)).clamp(64, MAX),
        }
    }

    /// A new store with a share of the budget.
    pub fn store(&self, parts: u64) -> BlobStore {
        BlobStore::new(self.budget(parts), self.temp_dir.clone())
    }
}

/// Extends `out` by `lens.iter().sum()` values, touching the new memory
/// from every thread: fresh memory costs a page fault per page on first
/// touch (on a VM, up to 2.4 s per GB when the host has reclaimed it),
/// which a serial `extend` pays on one thread. The tail is first filled
/// with `T::default()` in parallel, then `fill(k, slice)` writes the `k`th
/// slice of `lens[k]` values, in parallel.
pub fn par_fill<T: Copy + Default + Send + Sync>(
    out: &mut Vec<T>,
    lens: &[usize],
    fill: impl Fn(usize, &mut [T]) + Sync,
) {
    use rayon::prelude::*;
    let start = out.len();
    out.par_extend(rayon::iter::repeat_n(T::default(), lens.iter().sum()));
    let mut slices = Vec::with_capacity(lens.len());
    let mut rest = &mut out[start..];
    for &len in lens {
        let (head, tail) = rest.split_at_mut(len);
        slices.push(head);
        rest = tail;
    }
    slices
        .into_par_iter()
        .enumerate()
        .for_each(|(k, dst)| fill(k, dst));
}

/// Appends `parts`, in order, to `out`, from every thread ([`par_fill`]).
pub fn par_append<T: Copy + Default + Send + Sync>(out: &mut Vec<T>, parts: &[Vec<T>]) {
    let lens: Vec<usize> = parts.iter().map(Vec::len).collect();
    par_fill(out, &lens, |k, dst| dst.copy_from_slice(&parts[k]));
}

/// Asks the CPU to bring `v[i]` into the caches (a hint: no effect on
/// results, and none off x86-64 or out of bounds), for loops that touch a
/// large table at random and know their next slots ahead.
#[inline]
pub fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = v.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch reads nothing architecturally and cannot
        // fault; the pointer is to an element of `v` besides.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Peak resident set size of this process (Linux `VmHWM`), if the OS tells.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Splits a quantity such as `2G` or `7d` into its number and its unit
/// (lower-cased); `what` and `example` word the error.
pub(crate) fn split_quantity(
    s: &str,
    what: &str,
    example: &str,
) -> std::result::Result<(f64, String), String> {
    let t = s.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let value: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("bad {what} {s:?} (expected e.g. {example})"))?;
    Ok((value, unit.to_ascii_lowercase()))
}

/// Parses a size such as `2G`, `512M`, `64k` or `1000000` (bytes).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let (value, unit) = split_quantity(s, "size", "2G, 512M, 64K")?;
    let scale: u64 = match unit.trim_end_matches(['b', 'i']) {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("bad size unit in {s:?} (use K, M, G or T)")),
    };
    if value <= 0.0 || !value.is_finite() {
        return Err(format!("size must be positive, got {s:?}"));
    }
    Ok((value * scale as f64) as u64)
}

/// Append-only blobs, in RAM up to a budget and in a temporary file beyond.
#[derive(Debug)]
pub struct BlobStore {
    /// End offset of each blob (blob `i` spans `ends[i-1]..ends[i]`).
    ends: Vec<u64>,
    ram: Vec<u8>,
    disk: Option<Disk>,
    budget: Option<usize>,
    temp_dir: Option<PathBuf>,
}

#[derive(Debug)]
struct Disk {
    file: File,
    writer: Option<BufWriter<File>>,
    path: PathBuf,
}

impl BlobStore {
    /// A store that spills once it holds more than `budget` bytes.
    pub fn new(budget: Option<usize>, temp_dir: Option<PathBuf>) -> BlobStore {
        BlobStore {
            ends: Vec::new(),
            ram: Vec::new(),
            disk: None,
            budget,
            temp_dir,
        }
    }

    /// Number of blobs.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the store holds no blob.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether the store has moved to disk.
    pub fn spilled(&self) -> bool {
        self.disk.is_some()
    }

    /// Length of the blob in `slot`.
    pub fn blob_len(&self, slot: u32) -> usize {
        let i = slot as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (self.ends[i] - start) as usize
    }

    /// Total bytes stored.
    pub fn bytes(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Appends a blob and returns its slot.
    pub fn push(&mut self, blob: &[u8]) -> Result<u32> {
        let slot = u32::try_from(self.ends.len())
            .map_err(|_| Error::Config("more than 4 billion blobs in one store".into()))?;
        if self.disk.is_none() && self.budget.is_some_and(|b| self.ram.len() + blob.len() > b) {
            self.spill()?;
        }
        match &mut self.disk {
            Some(d) => {
                if d.writer.is_none() {
                    // Appending after a finish(): the cloned handle shares the
                    // file offset, which is at the end.
                    let file = d.file.try_clone().map_err(|e| Error::io(&d.path, e))?;
                    d.writer = Some(BufWriter::with_capacity(1 << 20, file));
                }
                let w = d.writer.as_mut().expect("just opened");
                w.write_all(blob).map_err(|e| Error::io(&d.path, e))?;
            }
            None => self.ram.extend_from_slice(blob),
        }
        self.ends.push(self.bytes() + blob.len() as u64);
        Ok(slot)
    }

    fn spill(&mut self) -> Result<()> {
        let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        let file = tempfile::tempfile_in(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut writer =
            BufWriter::with_capacity(1 << 20, file.try_clone().map_err(|e| Error::io(&dir, e))?);
        writer
            .write_all(&self.ram)
            .map_err(|e| Error::io(&dir, e))?;
        self.ram = Vec::new();
        self.disk = Some(Disk {
            file,
            writer: Some(writer),
            path: dir,
        });
        Ok(())
    }

    /// Flushes pending writes; call after the last push, before reading.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(d) = &mut self.disk {
            if let Some(mut w) = d.writer.take() {
                w.flush().map_err(|e| Error::io(&d.path, e))?;
            }
        }
        Ok(())
    }

    /// The blob in `slot`.
    pub fn get(&self, slot: u32) -> Result<Cow<'_, [u8]>> {
        let i = slot as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        match &self.disk {
            None => Ok(Cow::Borrowed(&self.ram[start as usize..end as usize])),
            Some(d) => {
                debug_assert!(d.writer.is_none(), "finish() before get()");
                let mut buf = vec![0u8; (end - start) as usize];
                d.file
                    .read_exact_at(&mut buf, start)
                    .map_err(|e| Error::io(&d.path, e))?;
                Ok(Cow::Owned(buf))
            }
        }
    }
}

/// A value that a [`SpillVec`] can store as bytes.
pub trait Blob: Clone {
    /// Appends the value's bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// The value whose [`Blob::encode`] gave `bytes`.
    fn decode(bytes: &[u8]) -> Self;
}

/// Bytes are stored as they are.
impl Blob for Vec<u8> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode(bytes: &[u8]) -> Self {
        bytes.to_vec()
    }
}

/// Strings are stored as their UTF-8 bytes.
impl Blob for String {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
    fn decode(bytes: &[u8]) -> Self {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// A vector of values that lives in RAM without a memory limit, and in a
/// [`BlobStore`] (RAM up to its budget, then disk) with one.
#[derive(Debug)]
pub enum SpillVec<T> {
    /// All values in RAM.
    Ram(Vec<T>),
    /// Encoded values in a store that may spill.
    Spill(BlobStore),
}

impl<T: Blob> SpillVec<T> {
    /// A vector taking one of `parts` shares of the memory budget.
    pub fn new(resources: &Resources, parts: u64) -> SpillVec<T> {
        match resources.memory {
            None => SpillVec::Ram(Vec::new()),
            Some(_) => SpillVec::Spill(resources.store(parts)),
        }
    }

    /// Appends a value; returns its position.
    pub fn push(&mut self, value: T) -> Result<u32> {
        match self {
            SpillVec::Ram(v) => {
                v.push(value);
                Ok(v.len() as u32 - 1)
            }
            SpillVec::Spill(s) => {
                let mut buf = Vec::new();
                value.encode(&mut buf);
                s.push(&buf)
            }
        }
    }

    /// Whether part of it is on disk.
    pub fn spilled(&self) -> bool {
        matches!(self, SpillVec::Spill(s) if s.spilled())
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            SpillVec::Ram(v) => v.len(),
            SpillVec::Spill(s) => s.len(),
        }
    }

    /// Call after the last push, before reading.
    pub fn finish(&mut self) -> Result<()> {
        match self {
            SpillVec::Ram(_) => Ok(()),
            SpillVec::Spill(s) => s.finish(),
        }
    }

    /// The value at position `i`.
    pub fn get(&self, i: u32) -> Result<Cow<'_, T>> {
        match self {
            SpillVec::Ram(v) => Ok(Cow::Borrowed(&v[i as usize])),
            SpillVec::Spill(s) => Ok(Cow::Owned(T::decode(&s.get(i)?))),
        }
    }

    /// Frees the value at position `i` in RAM (its place keeps an empty
    /// value, which a later [`SpillVec::get`] returns); a spilling store
    /// keeps it, within its budget.
    pub fn free(&mut self, i: u32)
    where
        T: Default,
    {
        if let SpillVec::Ram(v) = self {
            v[i as usize] = T::default();
        }
    }

    /// The value at position `i`, moved out: in RAM its place keeps an
    /// empty value and its memory is freed once the caller drops it (a
    /// consumer that turns each value into another holds one of the two
    /// at a time, not both); on disk, a decoded copy.
    pub fn take(&mut self, i: u32) -> Result<T>
    where
        T: Default,
    {
        match self {
            SpillVec::Ram(v) => Ok(std::mem::take(&mut v[i as usize])),
            SpillVec::Spill(s) => Ok(T::decode(&s.get(i)?)),
        }
    }
}

/// Little-endian encoding of `u32` lists for blobs.
pub fn put_u32s(out: &mut Vec<u8>, values: &[u32]) {
    out.extend_from_slice(&(values.len() as u64).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads a list written by [`put_u32s`] from the front of `bytes`,
/// returning it and the rest.
pub fn take_u32s(bytes: &[u8]) -> (Vec<u32>, &[u8]) {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let values = bytes[8..8 + 4 * n]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    (values, &bytes[8 + 4 * n..])
}

/// Little-endian encoding of `u64` lists for blobs.
pub fn put_u64s(out: &mut Vec<u8>, values: &[u64]) {
    out.extend_from_slice(&(values.len() as u64).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads a list written by [`put_u64s`] from the front of `bytes`,
/// returning it and the rest.
pub fn take_u64s(bytes: &[u8]) -> (Vec<u64>, &[u8]) {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    let n = word(&bytes[..8]) as usize;
    let values = bytes[8..8 + 8 * n].chunks_exact(8).map(word).collect();
    (values, &bytes[8 + 8 * n..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_append_appends_the_parts_in_order() {
        let parts: Vec<Vec<u64>> = (0..300u64)
            .map(|k| (0..(k * 7919) % 13).map(|j| k << 8 | j).collect())
            .collect();
        let mut out = vec![9u64, 8];
        par_append(&mut out, &parts);
        let mut want = vec![9u64, 8];
        want.extend(parts.iter().flatten());
        assert_eq!(out, want);
        par_append(&mut out, &[]);
        assert_eq!(out, want);
    }

    #[test]
    fn spills_past_the_budget_and_reads_back_the_same_bytes() {
        for budget in [None, Some(0), Some(10), Some(1 << 20)] {
            let mut s = BlobStore::new(budget, None);
            let blobs: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; i as usize * 3]).collect();
            for b in &blobs {
                s.push(b).unwrap();
            }
            s.finish().unwrap();
            assert_eq!(s.spilled(), matches!(budget, Some(b) if b < 3675));
            for (i, b) in blobs.iter().enumerate() {
                assert_eq!(&*s.get(i as u32).unwrap(), &b[..]);
            }
            // More pushes after reading.
            s.push(b"tail").unwrap();
            s.finish().unwrap();
            assert_eq!(&*s.get(50).unwrap(), b"tail");
            assert_eq!(&*s.get(49).unwrap(), &blobs[49][..]);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("3X").is_err());
    }

    impl Blob for Vec<u64> {
        fn encode(&self, out: &mut Vec<u8>) {
            put_u64s(out, self)
        }
        fn decode(bytes: &[u8]) -> Self {
            take_u64s(bytes).0
        }
    }

    #[test]
    fn spill_vectors_hold_the_same_values() {
        let values: Vec<Vec<u64>> = (0..100).map(|i| (0..i).collect()).collect();
        for memory in [None, Some(1), Some(1 << 30)] {
            let r = Resources {
                memory,
                temp_dir: None,
            };
            let mut v: SpillVec<Vec<u64>> = SpillVec::new(&r, 1);
            for x in &values {
                v.push(x.clone()).unwrap();
            }
            v.finish().unwrap();
            for (i, x) in values.iter().enumerate() {
                assert_eq!(&*v.get(i as u32).unwrap(), x);
            }
            // Taking moves each value out whole; in RAM its slot is emptied.
            for (i, x) in values.iter().enumerate() {
                assert_eq!(&v.take(i as u32).unwrap(), x);
                let left = v.get(i as u32).unwrap();
                assert_eq!(left.is_empty(), memory.is_none() || x.is_empty());
            }
        }
    }

    #[test]
    fn integer_lists_roundtrip() {
        let mut buf = Vec::new();
        put_u64s(&mut buf, &[1, u64::MAX]);
        put_u64s(&mut buf, &[]);
        put_u32s(&mut buf, &[7, u32::MAX]);
        let (a, rest) = take_u64s(&buf);
        let (b, rest) = take_u64s(rest);
        let (c, rest) = take_u32s(rest);
        assert_eq!(c, [7, u32::MAX]);
        assert_eq!((a, b, rest.len()), (vec![1, u64::MAX], vec![], 0));
    }
}
