//! The roofline: the fastest this machine does each *kind* of work a stage
//! does, on the same corpus as `benches/stages.rs` (the sample, or the JSONL
//! file named by `SYNDIC_BENCH_CORPUS`), one thread, throughput in bytes of
//! article text (JSON Lines bytes for the `json` rows). Each kernel does the
//! least its stage must do and nothing else, so a stage's distance from its
//! row is what the stage's own rules cost. The README's roofline table sets
//! the two side by side.
//! Run: `cargo bench --bench roofline`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;
use syndic::minhash::{MinHashConfig, MinHasher};
use syndic::shingle::{for_each_shingle, ShingleSpec};
use syndic::text::normalize;
use syndic::{Corpus, ReadOptions};

mod common;

/// One in each byte of a word: the SWAR tests below scale it.
const ONES: u64 = 0x0101_0101_0101_0101;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A JSON Lines record with only its text read, borrowed when it has no
/// escapes: the least a reader must do to hand a stage its text.
#[derive(Deserialize)]
struct TextOnly<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// Folding's floor: every byte through a 256-entry table into an output
/// buffer (ASCII lower-casing, everything else kept), one pass, no tokens.
const LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    t
};

/// The tokens of a folded text, split at bytes up to `' '`, eight bytes
/// tested at a time (as `syndic::shingle` does): the least any pass over
/// words does.
#[inline(always)]
fn for_each_token(bytes: &[u8], mut f: impl FnMut(&[u8], u64)) {
    let mut at = 0;
    while at < bytes.len() {
        let mut end = at;
        loop {
            match bytes.get(end..end + 8) {
                Some(chunk) => {
                    let w = u64::from_le_bytes(chunk.try_into().unwrap());
                    let hits = w.wrapping_sub(ONES * 0x21) & !w & (ONES * 0x80);
                    if hits != 0 {
                        end += hits.trailing_zeros() as usize / 8;
                        break;
                    }
                    end += 8;
                }
                None => {
                    end += bytes[end..]
                        .iter()
                        .position(|&b| b <= b' ')
                        .unwrap_or(bytes.len() - end);
                    break;
                }
            }
        }
        if end > at {
            // The token's first eight bytes as one masked load when it can.
            let word = match bytes.get(at..at + 8) {
                Some(w) => {
                    let n = (end - at).min(8);
                    u64::from_le_bytes(w.try_into().unwrap()) & (u64::MAX >> (64 - 8 * n))
                }
                None => bytes[at..end]
                    .iter()
                    .rev()
                    .fold(0u64, |h, &b| h << 8 | b as u64),
            };
            f(&bytes[at..end], word);
        }
        at = end + 1;
    }
}

/// Counts token starts (a byte above `' '` after one up to it), eight bytes
/// at a time, without a branch per token: finding words at memory speed.
fn count_tokens(bytes: &[u8]) -> usize {
    let mut prev_sep = 1u64; // the byte before the text counts as a separator
    let mut n = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap());
        // 0x80 in each byte up to ' ' (exact for bytes below 0x80; bytes of
        // multi-byte characters are above it and count as token bytes).
        let sep =
            ((w | (ONES * 0x80)).wrapping_sub(ONES * 0x21) ^ (ONES * 0x80)) & !w & (ONES * 0x80);
        let seps = sep >> 7; // 0x01 per separator byte
        let before = (seps << 8) | prev_sep; // separator flag of the previous byte
        let starts = (!seps & ONES) & before;
        n += starts.count_ones() as usize;
        prev_sep = seps >> 56;
    }
    for &b in chunks.remainder() {
        let sep = u64::from(b <= b' ');
        n += usize::from(sep == 0 && prev_sep == 1);
        prev_sep = sep;
    }
    n
}

fn roofline(c: &mut Criterion) {
    let path = common::corpus_path();
    let raw = std::fs::read(&path).expect("bench corpus");
    let corpus = Corpus::read(&[path], &ReadOptions::default()).expect("bench corpus");
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let folded: Vec<String> = texts.iter().map(|t| normalize(t)).collect();
    let streams: Vec<Vec<u64>> = folded
        .iter()
        .map(|f| {
            let mut s = Vec::new();
            for_each_shingle(f, ShingleSpec::default(), |h| s.push(h));
            s
        })
        .collect();
    let keys: Vec<Vec<u32>> = streams
        .iter()
        .map(|s| s.iter().map(|&h| (h >> 32) as u32).collect())
        .collect();

    // The two token kernels must agree on what a token is.
    for f in &folded {
        let mut n = 0;
        for_each_token(f.as_bytes(), |_, _| n += 1);
        assert_eq!(count_tokens(f.as_bytes()), n, "token count of {f:?}");
    }

    let mut g = c.benchmark_group("roofline");
    g.throughput(Throughput::Bytes(raw.len() as u64));
    // Reading: splitting the file into lines, then the cheapest serde_json
    // parse that still checks every byte, then one that yields the text.
    g.bench_function("json/lines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', &raw).count())
    });
    g.bench_function("json/skip", |b| {
        b.iter(|| {
            raw.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice::<IgnoredAny>(l).is_ok() as usize)
                .sum::<usize>()
        })
    });
    g.bench_function("json/text", |b| {
        b.iter(|| {
            raw.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice::<TextOnly>(l).map_or(0, |r| r.text.len()))
                .sum::<usize>()
        })
    });

    g.throughput(Throughput::Bytes(bytes));
    let mut out: Vec<u8> = Vec::with_capacity(texts.iter().map(|t| t.len()).max().unwrap_or(0));
    // Memory: copying every text once (what any pass that writes a new
    // text costs at least).
    g.bench_function("copy", |b| {
        b.iter(|| {
            let mut n = 0;
            for t in &texts {
                out.clear();
                out.extend_from_slice(t.as_bytes());
                n += black_box(&out).len();
            }
            n
        })
    });
    g.bench_function("fold/table", |b| {
        b.iter(|| {
            let mut n = 0;
            for t in &texts {
                out.clear();
                out.extend(t.bytes().map(|c| LOWER[c as usize]));
                n += black_box(&out).len();
            }
            n
        })
    });
    g.bench_function("utf8/chars", |b| {
        b.iter(|| texts.iter().map(|t| t.chars().count()).sum::<usize>())
    });
    // Words: splitting folded texts into tokens; then one multiply-mix per
    // token and one per 5-gram (what the shingle stream must do at least).
    g.bench_function("tokens/count", |b| {
        b.iter(|| {
            folded
                .iter()
                .map(|f| count_tokens(f.as_bytes()))
                .sum::<usize>()
        })
    });
    g.bench_function("tokens/split", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for f in &folded {
                for_each_token(f.as_bytes(), |_, _| n += 1);
            }
            n
        })
    });
    // One multiply per token and a rolling 5-gram (two multiplies): the
    // least a word-shingle stream costs once tokens are found.
    g.bench_function("tokens/hash+5gram", |b| {
        const ROLL: u64 = 0x9e37_79b9_7f4a_7c15;
        let top = ROLL.wrapping_pow(4);
        b.iter(|| {
            let mut acc = 0u64;
            for f in &folded {
                let mut ring = [0u64; 8];
                let mut k = 0usize;
                let mut rolling = 0u64;
                for_each_token(f.as_bytes(), |_, w| {
                    let h = w.wrapping_mul(ROLL);
                    rolling = rolling
                        .wrapping_sub(ring[k.wrapping_sub(5) & 7].wrapping_mul(top))
                        .wrapping_mul(ROLL)
                        .wrapping_add(h);
                    ring[k & 7] = h;
                    k += 1;
                    acc = acc.wrapping_add(rolling);
                });
            }
            acc
        })
    });
    g.bench_function("xxh3/bulk", |b| {
        b.iter(|| {
            folded
                .iter()
                .map(|f| xxhash_rust::xxh3::xxh3_64(f.as_bytes()))
                .fold(0u64, u64::wrapping_add)
        })
    });
    // Signing: one bin update per shingle (OPH); the stage bench
    // `stages/sign/Oph` is this kernel itself.
    let hasher = MinHasher::new(MinHashConfig::default()).unwrap();
    g.bench_function("sign/oph", |b| {
        b.iter(|| streams.iter().map(|s| hasher.sign(s)).collect::<Vec<_>>())
    });
    // Sets: sorting each body's 32-bit shingle keys (what making a set
    // costs at least), and counting terms in a hash map (story vectors).
    g.bench_function("sort/u32", |b| {
        b.iter(|| {
            let mut n = 0;
            for k in &keys {
                let mut v = k.clone();
                v.sort_unstable();
                n += black_box(&v).len();
            }
            n
        })
    });
    // Banding: sorting 42 64-bit keys per document (the default banding
    // of 128 values), which is what finding equal band keys costs at least.
    let band_keys: Vec<u64> = (0..keys.len() as u64 * 42)
        .map(syndic::shingle::fmix64)
        .collect();
    g.bench_function("sort/band-keys", |b| {
        b.iter(|| {
            let mut v = band_keys.clone();
            v.sort_unstable();
            v[v.len() / 2]
        })
    });
    g.bench_function("hashmap/count", |b| {
        b.iter(|| {
            let mut n = 0;
            for f in &folded {
                let mut m: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
                for_each_token(f.as_bytes(), |_, w| *m.entry(w).or_insert(0) += 1);
                n += m.len();
            }
            n
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = roofline
}
criterion_main!(benches);
