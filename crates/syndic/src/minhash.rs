//! MinHash signatures: a fixed-length sketch of a shingle set whose positions
//! agree between two sets with probability equal to their Jaccard similarity.
//!
//! Two schemes:
//! * [`Scheme::Oph`] (default): one-permutation hashing. Each shingle is mixed
//!   once; its top bits pick one of `k` bins and its low 32 bits compete for
//!   that bin's minimum. Empty bins are filled by *optimal densification*
//!   (Shrivastava, ICML 2017): bin `i` copies the value of the first non-empty
//!   bin drawn by a seeded hash of `(i, attempt)`. Cost: O(|set| + k).
//! * [`Scheme::Classic`]: `k` independent multiply-shift hashes
//!   `((a·x + b) mod 2^64) >> 32`, `a` odd. Cost: O(|set| · k).
//!
//! Both are seeded, use only wrapping 64-bit integer arithmetic, and give the
//! same signature on every machine and thread count. Signatures written to disk
//! carry [`SIGNATURE_FORMAT_VERSION`] and the parameters that made them.

use crate::error::{Error, Result};
use crate::shingle::{fmix64, reduce, ShingleSpec};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

/// Version of the on-disk signature format. Bump on any change to hashing.
pub const SIGNATURE_FORMAT_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"SYNDSIG\0";

/// The MinHash scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// One permutation hashing with optimal densification: one hash per shingle.
    Oph,
    /// Classic MinHash: `num_perm` seeded multiply-shift hashes per shingle.
    Classic,
}

/// MinHash parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinHashConfig {
    /// How values are computed.
    pub scheme: Scheme,
    /// Signature length `k` (`--num-perm`).
    pub num_perm: usize,
    /// Seed of the hash functions (signatures are equal on every machine for one seed).
    pub seed: u64,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        MinHashConfig {
            scheme: Scheme::Oph,
            num_perm: 128,
            seed: 1,
        }
    }
}

/// A MinHash signature: `num_perm` 32-bit minima.
pub type Signature = Vec<u32>;

/// Computes signatures for one configuration.
#[derive(Debug, Clone)]
pub struct MinHasher {
    config: MinHashConfig,
    /// Multiply-shift coefficients (a odd, b) for the classic scheme.
    coefficients: Vec<(u64, u64)>,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    fmix64(*state)
}

impl MinHasher {
    /// A hasher for `config`; refuses `num_perm` 0.
    pub fn new(config: MinHashConfig) -> Result<MinHasher> {
        if !(1..=4096).contains(&config.num_perm) {
            return Err(Error::Config(format!(
                "num_perm must be 1..=4096, got {}",
                config.num_perm
            )));
        }
        let mut state = config.seed;
        let coefficients = match config.scheme {
            Scheme::Classic => (0..config.num_perm)
                .map(|_| (splitmix64(&mut state) | 1, splitmix64(&mut state)))
                .collect(),
            Scheme::Oph => Vec::new(),
        };
        Ok(MinHasher {
            config,
            coefficients,
        })
    }

    /// The configuration it was made with.
    pub fn config(&self) -> &MinHashConfig {
        &self.config
    }

    /// The signature of a non-empty shingle set. An empty set gets all
    /// `u32::MAX` (it never matches by chance: callers keep empty sets out of LSH).
    pub fn sign(&self, shingles: &[u64]) -> Signature {
        let mut sketch = self.sketch();
        sketch.extend(shingles);
        sketch.finish()
    }

    /// An empty sketch to stream shingles into: repeats do not change a
    /// minimum, so a shingle stream gives the signature of its set.
    pub fn sketch(&self) -> Sketch<'_> {
        let k = self.config.num_perm;
        Sketch {
            hasher: self,
            seed: self.oph_seed(),
            mins: match self.config.scheme {
                Scheme::Oph => vec![EMPTY_BIN; k],
                Scheme::Classic => vec![u32::MAX as u64; k],
            },
            empty: true,
        }
    }

    /// A sketch that goes on from `state` (see [`Sketch::into_state`]), for
    /// callers that keep a signature open between updates.
    pub fn resume(&self, state: SketchState) -> Sketch<'_> {
        Sketch {
            hasher: self,
            seed: self.oph_seed(),
            mins: state.mins,
            empty: state.empty,
        }
    }

    /// Adds shingle hashes to a kept state in place (as [`Sketch::extend`]
    /// does), without allocating.
    pub fn extend_state(&self, state: &mut SketchState, xs: &[u64]) {
        let taken = SketchState {
            mins: std::mem::take(&mut state.mins),
            empty: state.empty,
        };
        let mut sketch = self.resume(taken);
        sketch.extend(xs);
        *state = sketch.into_state();
    }

    fn oph_seed(&self) -> u64 {
        fmix64(self.config.seed ^ 0x6f70_6800)
    }
}

/// A signature being built from a stream of shingles ([`MinHasher::sketch`]).
pub struct Sketch<'a> {
    hasher: &'a MinHasher,
    /// The OPH mixing seed (derived from the configured seed once).
    seed: u64,
    /// Each bin's (OPH) or permutation's (classic) minimum, widened so that
    /// [`EMPTY_BIN`] can mark an OPH bin no shingle fell in without a second
    /// array (one store per shingle).
    mins: Vec<u64>,
    empty: bool,
}

/// A sketch's state without its hasher: what a long-lived, updatable
/// signature (the Python `MinHash`) keeps between updates.
#[derive(Debug, Clone, PartialEq)]
pub struct SketchState {
    mins: Vec<u64>,
    empty: bool,
}

impl SketchState {
    /// The state as bytes (for pickling): a flag, then the minima.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![u8::from(self.empty)];
        for m in &self.mins {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    /// The state [`SketchState::to_bytes`] gave, for signatures of
    /// `num_perm` values.
    pub fn from_bytes(bytes: &[u8], num_perm: usize) -> Result<SketchState> {
        if bytes.len() != 1 + 8 * num_perm || bytes[0] > 1 {
            return Err(Error::Config(format!(
                "a sketch of {num_perm} values takes {} bytes, not {}",
                1 + 8 * num_perm,
                bytes.len()
            )));
        }
        Ok(SketchState {
            empty: bytes[0] == 1,
            mins: bytes[1..]
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        })
    }
}

/// An OPH bin without a shingle: above every 32-bit value.
const EMPTY_BIN: u64 = u64::MAX;

impl Sketch<'_> {
    /// Adds one shingle hash.
    #[inline]
    pub fn add(&mut self, x: u64) {
        self.extend(std::slice::from_ref(&x))
    }

    /// Adds a run of shingle hashes, with the scheme chosen once and the
    /// bins held in locals (three times faster than a call per shingle).
    pub fn extend(&mut self, xs: &[u64]) {
        if xs.is_empty() {
            return;
        }
        self.empty = false;
        let mins = &mut self.mins[..];
        match self.hasher.config.scheme {
            Scheme::Oph => {
                let seed = self.seed;
                let k = mins.len();
                for &x in xs {
                    let h = fmix64(x ^ seed);
                    let bin = reduce(h, k);
                    mins[bin] = mins[bin].min(h as u32 as u64);
                }
            }
            Scheme::Classic => {
                for &x in xs {
                    for (slot, &(a, b)) in mins.iter_mut().zip(&self.hasher.coefficients) {
                        *slot = (*slot).min(a.wrapping_mul(x).wrapping_add(b) >> 32);
                    }
                }
            }
        }
    }

    /// The state to resume from later ([`MinHasher::resume`]).
    pub fn into_state(self) -> SketchState {
        SketchState {
            mins: self.mins,
            empty: self.empty,
        }
    }

    /// The signature of what was added so far, leaving the sketch open.
    pub fn current(&self) -> Signature {
        Sketch {
            hasher: self.hasher,
            seed: self.seed,
            mins: self.mins.clone(),
            empty: self.empty,
        }
        .finish()
    }

    /// The signature; OPH bins left empty are densified.
    pub fn finish(self) -> Signature {
        let Sketch {
            hasher: _,
            seed,
            mins,
            empty,
        } = self;
        let filled = |i: usize| mins[i] != EMPTY_BIN;
        let k = mins.len();
        if empty || (0..k).all(filled) {
            return mins.iter().map(|&m| m as u32).collect();
        }
        (0..k)
            .map(|i| {
                if filled(i) {
                    return mins[i] as u32;
                }
                let mut attempt: u64 = 0;
                loop {
                    let r = fmix64(
                        seed ^ ((i as u64) << 32) ^ attempt.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                    );
                    let j = reduce(r, k);
                    if filled(j) {
                        break mins[j] as u32;
                    }
                    attempt += 1;
                }
            })
            .collect()
    }
}

/// Fraction of agreeing positions: the MinHash estimate of Jaccard similarity.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

/// Header of a signature file: everything needed to know whether two
/// signature files are comparable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureHeader {
    /// Version of the signature file format.
    pub format_version: u32,
    /// The MinHash settings the signatures were made with.
    pub minhash: MinHashConfig,
    /// The shingles they were made of.
    pub shingle: ShingleSpec,
    /// Signatures in the file.
    pub count: u64,
}

/// Writes `(id, signature)` records in syndic's binary signature format:
/// magic, a JSON header line, then per record a little-endian u32 id length,
/// the id bytes and `num_perm` little-endian u32 values.
pub fn write_signatures<W: Write>(
    mut w: W,
    minhash: MinHashConfig,
    shingle: ShingleSpec,
    records: &[(&str, &Signature)],
) -> std::io::Result<()> {
    let header = SignatureHeader {
        format_version: SIGNATURE_FORMAT_VERSION,
        minhash,
        shingle,
        count: records.len() as u64,
    };
    w.write_all(MAGIC)?;
    serde_json::to_writer(&mut w, &header)?;
    w.write_all(b"\n")?;
    for (id, sig) in records {
        w.write_all(&(id.len() as u32).to_le_bytes())?;
        w.write_all(id.as_bytes())?;
        for v in sig.iter() {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    w.flush()
}

/// Reads a signature file written by [`write_signatures`], checking its version.
pub fn read_signatures<R: Read>(
    r: R,
    path: &Path,
) -> Result<(SignatureHeader, Vec<(String, Signature)>)> {
    let bad = |message: String| Error::Format {
        path: path.to_path_buf(),
        message,
    };
    let mut r = std::io::BufReader::new(r);
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic).map_err(|e| Error::io(path, e))?;
    if &magic != MAGIC {
        return Err(bad("not a syndic signature file".into()));
    }
    let mut line = Vec::new();
    std::io::BufRead::read_until(&mut r, b'\n', &mut line).map_err(|e| Error::io(path, e))?;
    let header: SignatureHeader =
        serde_json::from_slice(&line).map_err(|e| bad(format!("bad header: {e}")))?;
    if header.format_version != SIGNATURE_FORMAT_VERSION {
        return Err(bad(format!(
            "signature format version {} is not supported (this syndic reads version {SIGNATURE_FORMAT_VERSION})",
            header.format_version
        )));
    }
    let k = header.minhash.num_perm;
    let mut records = Vec::with_capacity(header.count.min(1 << 20) as usize);
    let mut word = [0u8; 4];
    for n in 0..header.count {
        let truncated = |e| bad(format!("truncated at record {n}: {e}"));
        r.read_exact(&mut word).map_err(truncated)?;
        let mut id = vec![0u8; u32::from_le_bytes(word) as usize];
        r.read_exact(&mut id).map_err(truncated)?;
        let id = String::from_utf8(id).map_err(|_| bad(format!("record {n}: id is not UTF-8")))?;
        let mut sig = Vec::with_capacity(k);
        for _ in 0..k {
            r.read_exact(&mut word).map_err(truncated)?;
            sig.push(u32::from_le_bytes(word));
        }
        records.push((id, sig));
    }
    Ok((header, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(scheme: Scheme) -> MinHasher {
        MinHasher::new(MinHashConfig {
            scheme,
            ..MinHashConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn a_resumed_sketch_equals_one_pass() {
        let set: Vec<u64> = (0..300).map(fmix64).collect();
        for scheme in [Scheme::Oph, Scheme::Classic] {
            let h = hasher(scheme);
            let mut state = h.sketch().into_state();
            for (k, chunk) in set.chunks(7).enumerate() {
                if k % 2 == 0 {
                    h.extend_state(&mut state, chunk);
                } else {
                    let mut s = h.resume(state);
                    s.extend(chunk);
                    assert_eq!(s.current().len(), 128);
                    state = s.into_state();
                }
            }
            let bytes = state.to_bytes();
            assert_eq!(SketchState::from_bytes(&bytes, 128).unwrap(), state);
            assert!(SketchState::from_bytes(&bytes[1..], 128).is_err());
            assert_eq!(h.resume(state).finish(), h.sign(&set));
        }
    }

    #[test]
    fn identical_sets_identical_signatures() {
        let set: Vec<u64> = (0..50).map(fmix64).collect();
        for scheme in [Scheme::Oph, Scheme::Classic] {
            let h = hasher(scheme);
            assert_eq!(h.sign(&set), h.sign(&set));
            assert_eq!(estimate_jaccard(&h.sign(&set), &h.sign(&set)), 1.0);
        }
    }

    #[test]
    fn densification_fills_every_bin_from_tiny_sets() {
        let sig = hasher(Scheme::Oph).sign(&[42, 43]);
        assert!(sig.iter().all(|&v| v != u32::MAX));
        let distinct: std::collections::BTreeSet<_> = sig.iter().collect();
        assert!(distinct.len() <= 2);
    }

    #[test]
    fn signatures_are_pinned() {
        // Changing these values breaks every stored signature: bump
        // SIGNATURE_FORMAT_VERSION if you must.
        let set: Vec<u64> = (1..=20).collect();
        assert_eq!(&hasher(Scheme::Oph).sign(&set)[..4], &PINNED_OPH);
        assert_eq!(&hasher(Scheme::Classic).sign(&set)[..4], &PINNED_CLASSIC);
    }
    const PINNED_OPH: [u32; 4] = [216681458, 2810097338, 2810097338, 2368116869];
    const PINNED_CLASSIC: [u32; 4] = [338144144, 19678757, 268404811, 111460284];

    #[test]
    fn signature_file_roundtrip_and_version_check() {
        let h = hasher(Scheme::Oph);
        let s1 = h.sign(&[1, 2, 3]);
        let s2 = h.sign(&[4, 5]);
        let mut buf = Vec::new();
        write_signatures(
            &mut buf,
            *h.config(),
            ShingleSpec::default(),
            &[("a", &s1), ("b", &s2)],
        )
        .unwrap();
        let (header, recs) = read_signatures(&buf[..], Path::new("x.sig")).unwrap();
        assert_eq!(header.count, 2);
        assert_eq!(recs, vec![("a".to_string(), s1), ("b".to_string(), s2)]);

        let text = String::from_utf8_lossy(&buf).replace(
            &format!("\"format_version\":{SIGNATURE_FORMAT_VERSION}"),
            "\"format_version\":9",
        );
        let err = read_signatures(text.as_bytes(), Path::new("x.sig")).unwrap_err();
        assert!(
            err.to_string().contains("version 9 is not supported"),
            "{err}"
        );
        let err = read_signatures(&buf[..buf.len() - 3], Path::new("x.sig")).unwrap_err();
        assert!(err.to_string().contains("truncated at record 1"), "{err}");
    }
}
