//! Shingling: a folded body becomes the set of hashes of its word n-grams
//! (default: 5 words) or character n-grams (`--shingle char:N`).
//!
//! Hashing is XXH3-64 with a fixed seed: a specified algorithm, identical on
//! every platform and endianness. A word n-gram's hash is a rolling
//! polynomial over the hashes of its tokens, so each token is hashed once.
//!
//! Output: the stream of 64-bit shingle hashes ([`for_each_shingle`], which
//! MinHash consumes directly), or a sorted, duplicate-free `Vec<u32>` of
//! their keys (a [`ShingleSet`]), the ground truth for exact verification.

use crate::align::token_key;
use crate::text::normalize::ONES;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Word or character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShingleKind {
    /// Word n-grams (tokens of the folded text).
    Word,
    /// Character n-grams.
    Char,
}

/// What a shingle is: `word:5` or `char:7`, for example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShingleSpec {
    /// Word or character shingles.
    pub kind: ShingleKind,
    /// Tokens (or characters) per shingle.
    pub n: usize,
}

impl Default for ShingleSpec {
    fn default() -> Self {
        ShingleSpec {
            kind: ShingleKind::Word,
            n: 5,
        }
    }
}

impl fmt::Display for ShingleSpec {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let kind = match self.kind {
            ShingleKind::Word => "word",
            ShingleKind::Char => "char",
        };
        write!(f, "{kind}:{}", self.n)
    }
}

impl FromStr for ShingleSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, n) = s.split_once(':').unwrap_or((s, ""));
        let kind = match kind {
            "word" => ShingleKind::Word,
            "char" => ShingleKind::Char,
            other => {
                return Err(format!(
                    "unknown shingle kind {other:?} (expected word:N or char:N)"
                ))
            }
        };
        let n = match n {
            "" => ShingleSpec::default().n,
            n => n
                .parse()
                .map_err(|_| format!("bad shingle size {n:?} in {s:?}"))?,
        };
        if !(1..=64).contains(&n) {
            return Err(format!("shingle size must be 1..=64, got {n}"));
        }
        Ok(ShingleSpec { kind, n })
    }
}

impl TryFrom<String> for ShingleSpec {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<ShingleSpec> for String {
    fn from(s: ShingleSpec) -> String {
        s.to_string()
    }
}

/// A sorted, duplicate-free set of shingle keys ([`set_key`]: the high 32
/// bits of each shingle hash).
///
/// Why 32 bits: two different shingles of a pair of documents share a key
/// with probability |A|·|B| / 2^32 (0.004 shingles for two 4,000-shingle
/// articles, 230 for two million-shingle books: a Jaccard error of 2e-4),
/// while the sets take half the memory and intersect four keys per SIMD
/// compare (see [`crate::verify::intersection`]).
pub type ShingleSet = Vec<u32>;

/// The key of a shingle hash in a [`ShingleSet`]: its high 32 bits (the
/// best-mixed bits of the rolling hash).
#[inline]
pub fn set_key(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// Seed of the token and n-gram hashes; part of the signature format.
pub const SHINGLE_SEED: u64 = 0x5359_4e44_4943_0001;

/// Multiplier of the rolling n-gram hash (odd, so its powers are invertible).
const ROLL: u64 = 0x9e37_79b9_7f4a_7c15;

/// Shingles a folded body (tokens separated by ' ', lines by '\n').
/// Returns an empty set when the body has fewer than `n` tokens (or chars).
pub fn shingle(body: &str, spec: ShingleSpec) -> ShingleSet {
    let mut out = Vec::with_capacity(body.len() / 5);
    for_each_shingle(body, spec, |h| out.push(set_key(h)));
    into_set(out)
}

/// Calls `f` with the hash of every shingle of a folded body, in text order,
/// repeats included. Allocation-free for word shingles: MinHash consumes
/// this stream directly, without building the set.
pub fn for_each_shingle(body: &str, spec: ShingleSpec, mut f: impl FnMut(u64)) {
    match spec.kind {
        ShingleKind::Word => word_shingles(body, spec.n, &mut f, &mut NoScan),
        ShingleKind::Char => char_shingles(body, spec.n, &mut f),
    }
}

/// A body's shingle stream and figures, made in one pass over its tokens by
/// [`shingle_body`]: what both signing and exact verification need.
#[derive(Debug, Clone, Default)]
pub struct Shingled {
    /// Shingle hashes in text order, repeats included.
    pub stream: Vec<u64>,
    /// The body's figures, as [`figures`] gives them.
    pub figures: Vec<(u64, u64)>,
    /// The body's [`opening`], found in the same pass.
    pub opening: Option<u64>,
}

impl Shingled {
    /// The set keys of the stream, in text order, repeats included: what
    /// [`into_set`] turns into the exact set.
    pub fn keys(&self) -> Vec<u32> {
        self.stream.iter().map(|&h| set_key(h)).collect()
    }

    /// The exact shingle set of the stream: sorted and duplicate-free
    /// ([`set_into`] a new vector).
    pub fn set(&self) -> ShingleSet {
        let mut set = Vec::new();
        set_into(&self.stream, &mut set);
        set
    }
}

/// Shingle keys as a set: sorted in place, repeats removed.
pub fn into_set(mut keys: Vec<u32>) -> ShingleSet {
    sort_hashes(&mut keys);
    keys.dedup();
    keys
}

/// Hash values that [`sort_hashes`] buckets by their top bits.
pub trait HashValue: Copy + Ord + Default {
    /// The top `bits` bits (1 to 16).
    fn top(self, bits: u32) -> usize;
}

impl HashValue for u32 {
    #[inline(always)]
    fn top(self, bits: u32) -> usize {
        (self >> (32 - bits)) as usize
    }
}

impl HashValue for u64 {
    #[inline(always)]
    fn top(self, bits: u32) -> usize {
        (self >> (64 - bits)) as usize
    }
}

/// A hash with a payload (an LSH band key and its document), ordered by
/// hash, then payload.
impl HashValue for (u64, u32) {
    #[inline(always)]
    fn top(self, bits: u32) -> usize {
        self.0.top(bits)
    }
}

thread_local! {
    /// Bucket offsets of [`sort_hashes`], reused by each thread.
    static BUCKETS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sorts hash values, which are uniformly distributed: a counting pass on
/// their top bits puts them into buckets (one or two slots per value), in
/// bucket order, and an insertion pass orders the few values that share a
/// bucket (repeated values, such as one band key of a thousand copies, are
/// already in order). 1.6x faster than `sort_unstable` on news shingle sets
/// (measured: 27 vs 43 ms for BBC-generated's 5.7M keys), 1.5x on term
/// hashes, 2x on LSH band keys; values that are not spread out fall back to
/// `sort_unstable`.
pub fn sort_hashes<T: HashValue>(values: &mut [T]) {
    if values.len() < 64 {
        values.sort_unstable();
        return;
    }
    let mut out = Vec::new();
    sorted_into(values.iter().copied(), values.len(), &mut out);
    values.copy_from_slice(&out);
}

/// The `n` hash values of `values` (an iterator walked twice), sorted as
/// [`sort_hashes`] sorts them, into `out` (cleared first).
fn sorted_into<T: HashValue>(values: impl Iterator<Item = T> + Clone, n: usize, out: &mut Vec<T>) {
    out.clear();
    if n < 64 {
        out.extend(values);
        out.sort_unstable();
        return;
    }
    let bits = (usize::BITS - n.leading_zeros()).min(16);
    BUCKETS.with_borrow_mut(|starts| {
        starts.clear();
        starts.resize(1 << bits, 0);
        for v in values.clone() {
            starts[v.top(bits)] += 1;
        }
        let mut sum = 0;
        for c in starts.iter_mut() {
            let size = *c;
            *c = sum;
            sum += size;
        }
        // `starts[b]`: where bucket `b`'s next value goes.
        out.resize(n, T::default());
        for v in values {
            let b = v.top(bits);
            out[starts[b] as usize] = v;
            starts[b] += 1;
        }
        // Values are out of order only within a bucket: an insertion pass
        // costs one step per value and one per inversion. Past 4 inversions
        // per value (not spread out), `sort_unstable` finishes the job.
        let mut moves = 0;
        for i in 1..n {
            let v = out[i];
            let mut j = i;
            while j > 0 && out[j - 1] > v {
                out[j] = out[j - 1];
                j -= 1;
            }
            out[j] = v;
            moves += i - j;
            if moves > 4 * n {
                out.sort_unstable();
                break;
            }
        }
    });
}

/// The exact shingle set of a stream ([`Shingled::set`]) written into
/// `out` (cleared first), which a caller reuses from body to body.
pub fn set_into(stream: &[u64], out: &mut Vec<u32>) {
    sorted_into(stream.iter().map(|&h| set_key(h)), stream.len(), out);
    out.dedup();
}

/// Shingles a folded body and collects its figures into `out` (cleared
/// first). For word shingles both come from one pass over the tokens.
pub fn shingle_body(body: &str, spec: ShingleSpec, out: &mut Shingled) {
    out.stream.clear();
    out.figures.clear();
    let mut scan = (FigureScan::new(&mut out.figures), OpeningScan::default());
    let stream = &mut out.stream;
    match spec.kind {
        ShingleKind::Word => word_shingles(body, spec.n, &mut |h| stream.push(h), &mut scan),
        ShingleKind::Char => {
            char_shingles(body, spec.n, &mut |h| stream.push(h));
            scan_tokens(body, &mut scan);
        }
    }
    let (figures, opening) = scan;
    figures.finish();
    out.opening = opening.found;
}

/// A folded body's opening ([`crate::align::opening`] of its first line of
/// [`crate::align::PROSE_LINE`] tokens or more), read without keying the
/// rest of the body. [`shingle_body`] finds it in the same pass as the
/// shingles.
pub fn opening(body: &str) -> Option<u64> {
    let mut scan = OpeningScan::default();
    scan_tokens(body, &mut scan);
    scan.found
}

/// Finds a body's opening in a pass over its tokens: the keys of each
/// line's first [`crate::align::OPENING_TOKENS`] tokens are kept until a
/// line reaches [`crate::align::PROSE_LINE`] tokens.
#[derive(Default)]
struct OpeningScan {
    /// Tokens of the current line so far.
    line_tokens: usize,
    first: [u32; crate::align::OPENING_TOKENS],
    found: Option<u64>,
}

impl TokenScan for OpeningScan {
    /// Inlined so that, once the opening is found, a token costs one test.
    #[inline(always)]
    fn token(&mut self, b: &[u8], hash: u64, line_end: bool) {
        if self.found.is_none() {
            self.look(b, hash, line_end);
        }
    }
}

impl OpeningScan {
    #[inline(never)]
    fn look(&mut self, b: &[u8], hash: u64, line_end: bool) {
        if let Some(slot) = self.first.get_mut(self.line_tokens) {
            *slot = alignment_key(b, hash, false);
        }
        self.line_tokens += 1;
        if self.line_tokens == crate::align::PROSE_LINE {
            self.found = Some(crate::align::opening_of(&self.first));
        } else if line_end {
            self.line_tokens = 0;
        }
    }
}

/// Both scans, in one pass.
impl<A: TokenScan, B: TokenScan> TokenScan for (A, B) {
    #[inline(always)]
    fn token(&mut self, b: &[u8], hash: u64, line_end: bool) {
        self.0.token(b, hash, line_end);
        self.1.token(b, hash, line_end);
    }
}

/// The token keys of a folded body in text order (what [`crate::align`] reads).
pub fn token_keys(body: &str) -> Vec<u32> {
    let mut out = Vec::with_capacity(body.len() / 6);
    scan_tokens(body, &mut out);
    out
}

/// Collects [`token_keys`].
impl TokenScan for Vec<u32> {
    #[inline]
    fn token(&mut self, b: &[u8], hash: u64, line_end: bool) {
        self.push(alignment_key(b, hash, line_end));
    }
}

/// A token's key for alignment: figures ([`figure_like`]) are marked,
/// and a number word stands for its figure ("five" and "5" are one key),
/// since editors spell figures out and templates differ in them.
#[inline]
fn alignment_key(token: &[u8], hash: u64, line_end: bool) -> u32 {
    match number_word(token) {
        Some(digits) => token_key(token_hash(digits), true, line_end),
        None => {
            let figure = figure_like(token);
            let piece = !figure && token.len() <= 2 && !SHORT_WORDS.contains(&token);
            token_key(hash, figure, line_end) | (u32::from(piece) * crate::align::PIECE_BIT)
        }
    }
}

/// Words of one or two letters that are words, not what OCR leaves of a
/// broken figure ([`crate::align::PIECE_BIT`]).
const SHORT_WORDS: [&[u8]; 33] = [
    b"a", b"i", b"am", b"an", b"as", b"at", b"be", b"bn", b"by", b"co", b"do", b"dr", b"eu", b"go",
    b"he", b"if", b"in", b"is", b"it", b"me", b"mr", b"ms", b"my", b"no", b"of", b"on", b"or",
    b"pc", b"st", b"to", b"uk", b"up", b"we",
];

/// The figure a number word stands for ("one" to "twenty", the tens).
fn number_word(token: &[u8]) -> Option<&'static [u8]> {
    // Every number word starts with one of these letters.
    if !(3..=9).contains(&token.len())
        || !matches!(token[0], b'e' | b'f' | b'n' | b'o' | b's' | b't')
    {
        return None;
    }
    Some(match token {
        b"one" => b"1",
        b"two" => b"2",
        b"three" => b"3",
        b"four" => b"4",
        b"five" => b"5",
        b"six" => b"6",
        b"seven" => b"7",
        b"eight" => b"8",
        b"nine" => b"9",
        b"ten" => b"10",
        b"eleven" => b"11",
        b"twelve" => b"12",
        b"thirteen" => b"13",
        b"fourteen" => b"14",
        b"fifteen" => b"15",
        b"sixteen" => b"16",
        b"seventeen" => b"17",
        b"eighteen" => b"18",
        b"nineteen" => b"19",
        b"twenty" => b"20",
        b"thirty" => b"30",
        b"forty" => b"40",
        b"fifty" => b"50",
        b"sixty" => b"60",
        b"seventy" => b"70",
        b"eighty" => b"80",
        b"ninety" => b"90",
        _ => return None,
    })
}

/// Whether a token reads as a figure for alignment: digits (and `.`)
/// first, then at most letters ("1986", "4.5", "5m", "2.5bn", "3rd"). OCR
/// turns figures into tokens such as "l986" or "19b6", which are misread
/// words, not other figures.
#[inline]
fn figure_like(b: &[u8]) -> bool {
    if !b[0].is_ascii_digit() {
        return false;
    }
    let letters = b
        .iter()
        .position(|c| !(c.is_ascii_digit() || *c == b'.'))
        .unwrap_or(b.len());
    !b[letters..].iter().any(u8::is_ascii_digit)
}

/// Whether a token is a figure: digits and `.`, starting with a digit.
#[inline]
fn is_figure(b: &[u8]) -> bool {
    b[0].is_ascii_digit() && b.iter().all(|&c| c.is_ascii_digit() || c == b'.')
}

/// The figures of a body (tokens of digits and `.`), each keyed by its
/// context (the tokens before and after it): `(context, figure)` sorted and
/// distinct by context. Figures tell a corrected re-filing (one figure changed)
/// from a templated report (same words, other figures in the same places).
pub fn figures(body: &str) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut scan = FigureScan::new(&mut out);
    scan_tokens(body, &mut scan);
    scan.finish();
    out
}

/// Passes every token of a body and its hash to `scan` (for a pass that
/// makes no word shingles; [`word_shingles`] feeds its scan itself).
fn scan_tokens(body: &str, scan: &mut impl TokenScan) {
    let bytes = body.as_bytes();
    token_spans(bytes, |start, end| {
        let line_end = bytes.get(end) == Some(&b'\n');
        scan.token(
            &bytes[start..end],
            token_hash_at(bytes, start, end),
            line_end,
        )
    });
}

/// The hash standing for "no token" before the first or after the last one.
const NO_TOKEN: u64 = fmix64(SHINGLE_SEED);

/// Collects figures from a stream of tokens and their hashes: a figure is
/// written once the token after it (its right context) is seen.
struct FigureScan<'o> {
    out: &'o mut Vec<(u64, u64)>,
    /// The hash of the previous token.
    before: u64,
    /// A figure waiting for its right context: (left context, its hash).
    pending: Option<(u64, u64)>,
}

impl<'o> FigureScan<'o> {
    fn new(out: &'o mut Vec<(u64, u64)>) -> FigureScan<'o> {
        FigureScan {
            out,
            before: NO_TOKEN,
            pending: None,
        }
    }

    fn finish(self) {
        if let Some((before, figure)) = self.pending {
            self.out.push((figure_context(before, NO_TOKEN), figure));
        }
        self.out.sort_unstable();
        self.out.dedup_by_key(|f| f.0);
    }
}

fn figure_context(before: u64, after: u64) -> u64 {
    fmix64(before.rotate_left(17) ^ after)
}

/// The first `count` shingles of a body in text order (its *lead*), as a set:
/// an excerpt of a story shares its lead even when it shares little else.
pub fn lead(body: &str, spec: ShingleSpec, count: usize) -> ShingleSet {
    let mut out = Vec::with_capacity(count);
    for_each_shingle(body, spec, |h| {
        if out.len() < count {
            out.push(set_key(h))
        }
    });
    into_set(out)
}

/// The tokens of a folded body (separated by `' '` or `'\n'`; any other
/// ASCII control byte, which folded text never holds, separates too).
pub fn tokens(body: &str) -> impl Iterator<Item = &str> {
    let bytes = body.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let end = next_separator(bytes, at);
            let token = &body[at..end];
            at = end + 1;
            if !token.is_empty() {
                return Some(token);
            }
        }
        None
    })
}

/// Calls `f(start, end)` for each token of a folded body (its bytes), in
/// order: the inlined form of [`tokens`] for the hot loops.
#[inline(always)]
fn token_spans(bytes: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut at = 0;
    while at < bytes.len() {
        let end = next_separator(bytes, at);
        if end > at {
            f(at, end);
        }
        at = end + 1;
    }
}

/// The position of the first separator at or after `from` (else the
/// length): a byte up to `' '`, i.e. a space or a newline (folded text holds
/// no other control bytes). Tokens are short, so eight bytes are tested at a
/// time in a register: `(w - 0x21..) & !w & 0x80..` flags bytes below 0x21,
/// exactly at the lowest flagged byte (borrows only reach higher ones).
#[inline]
fn next_separator(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let hits = w.wrapping_sub(ONES * 0x21) & !w & (ONES * 0x80);
        if hits != 0 {
            return i + hits.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&b| b <= b' ')
        .map_or(bytes.len(), |p| i + p)
}

/// The hash of any byte string as MinHash input (XXH3-64 with syndic's
/// shingle seed): what the Python `MinHash.update` adds. The same on every
/// machine.
pub fn hash_bytes(b: &[u8]) -> u64 {
    xxh3_64_with_seed(b, SHINGLE_SEED)
}

/// A token's hash. Tokens of up to 8 bytes (most words) are packed into a
/// `u64` (injective: tokens hold no NUL bytes) and mixed by a bijection, so
/// they never collide; longer ones take XXH3.
#[inline]
fn token_hash(b: &[u8]) -> u64 {
    if b.len() <= 8 {
        let mut word = 0u64;
        for (k, &byte) in b.iter().enumerate() {
            word |= (byte as u64) << (8 * k);
        }
        fmix64(word ^ SHINGLE_SEED)
    } else {
        long_token_hash(b)
    }
}

#[cold]
#[inline(never)]
fn long_token_hash(b: &[u8]) -> u64 {
    xxh3_64_with_seed(b, SHINGLE_SEED)
}

/// [`token_hash`] of the token `bytes[start..end]`: a short token is read as
/// one 8-byte load and masked, without a per-byte loop.
#[inline(always)]
fn token_hash_at(bytes: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match bytes.get(start..start + 8) {
        Some(window) if len <= 8 => {
            let word = u64::from_le_bytes(window.try_into().expect("8 bytes"));
            let mask = u64::MAX >> (64 - 8 * len);
            fmix64((word & mask) ^ SHINGLE_SEED)
        }
        _ => token_hash(&bytes[start..end]),
    }
}

/// Word n-grams by a rolling polynomial over token hashes,
/// `Σ t[i+j]·ROLL^(n-1-j)` (mod 2^64), finished by an avalanche mix: each
/// token is hashed once and each n-gram costs three multiplications.
fn word_shingles(body: &str, n: usize, f: &mut impl FnMut(u64), scan: &mut impl TokenScan) {
    let top = ROLL.wrapping_pow(n as u32 - 1);
    let mut ring = [0u64; 64];
    let mut slot = 0usize;
    let mut seen = 0usize;
    let mut rolling = 0u64;
    let bytes = body.as_bytes();
    token_spans(bytes, |start, end| {
        let h = token_hash_at(bytes, start, end);
        scan.token(&bytes[start..end], h, bytes.get(end) == Some(&b'\n'));
        if seen >= n {
            rolling = rolling.wrapping_sub(ring[slot].wrapping_mul(top));
        }
        ring[slot] = h;
        slot += 1;
        if slot == n {
            slot = 0;
        }
        rolling = rolling.wrapping_mul(ROLL).wrapping_add(h);
        seen += 1;
        if seen >= n {
            f(fmix64(rolling ^ SHINGLE_SEED));
        }
    });
}

/// What else a pass over the tokens collects besides shingles.
trait TokenScan {
    /// A token, its hash, and whether a line ends after it.
    fn token(&mut self, token: &[u8], hash: u64, line_end: bool);
}

/// Nothing.
struct NoScan;

impl TokenScan for NoScan {
    #[inline(always)]
    fn token(&mut self, _: &[u8], _: u64, _: bool) {}
}

impl TokenScan for FigureScan<'_> {
    #[inline]
    fn token(&mut self, b: &[u8], hash: u64, _: bool) {
        if let Some((before, figure)) = self.pending.take() {
            self.out.push((figure_context(before, hash), figure));
        }
        if is_figure(b) {
            self.pending = Some((self.before, hash));
        }
        self.before = hash;
    }
}

fn char_shingles(body: &str, n: usize, f: &mut impl FnMut(u64)) {
    let flat: String = body
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let bounds: Vec<usize> = flat
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(flat.len()))
        .collect();
    for w in bounds.windows(n + 1) {
        f(xxh3_64_with_seed(
            &flat.as_bytes()[w[0]..w[n]],
            SHINGLE_SEED,
        ));
    }
}

/// Maps the top 32 bits of a hash uniformly onto `0..n` (Lemire's fast range).
#[inline]
pub fn reduce(h: u64, n: usize) -> usize {
    (((h >> 32) * n as u64) >> 32) as usize
}

/// MurmurHash3's 64-bit finalizer: a bijective avalanche mix.
#[inline]
pub const fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// For tests: a seeded stream of numbers below `m`, the same on every
/// machine.
#[cfg(test)]
pub(crate) fn numbers(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |m| {
        state = fmix64(state + 1);
        state % m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!("word:3".parse::<ShingleSpec>().unwrap().n, 3);
        assert_eq!(
            "char:7".parse::<ShingleSpec>().unwrap().kind,
            ShingleKind::Char
        );
        assert!("word:0".parse::<ShingleSpec>().is_err());
        assert!("bytes:3".parse::<ShingleSpec>().is_err());
        assert_eq!(ShingleSpec::default().to_string(), "word:5");
    }

    #[test]
    fn word_shingles_are_order_sensitive_and_line_blind() {
        let spec = "word:2".parse().unwrap();
        assert_eq!(shingle("a b c", spec).len(), 2);
        assert_eq!(shingle("a b\nc", spec), shingle("a b c", spec));
        assert_ne!(shingle("a b", spec), shingle("b a", spec));
        assert!(shingle("a", spec).is_empty());
    }

    #[test]
    fn numbers_and_lead() {
        let f = figures("in 1987 the 12.5 a1f in 1987 the");
        assert_eq!(f.len(), 2, "same figure in the same context counts once");
        let spec = "word:2".parse().unwrap();
        assert_eq!(lead("a b c d e f", spec, 2), shingle("a b c", spec));
        assert_eq!(lead("a b", spec, 9), shingle("a b", spec));
    }

    #[test]
    fn one_pass_gives_the_stream_and_the_figures() {
        let bodies = [
            "12 tonnes in 1987 the 12.5 a1f in 1987 the price 3.40",
            "7",
            "no figures here at all just words and more words",
            "",
        ];
        for spec in ["word:5", "word:1", "char:4"] {
            let spec: ShingleSpec = spec.parse().unwrap();
            for body in bodies {
                let mut out = Shingled::default();
                shingle_body(body, spec, &mut out);
                let mut stream = Vec::new();
                for_each_shingle(body, spec, |h| stream.push(h));
                assert_eq!(out.stream, stream, "{spec} {body:?}");
                assert_eq!(out.set(), shingle(body, spec), "{spec} {body:?}");
                assert_eq!(out.figures, figures(body), "{spec} {body:?}");
            }
        }
        // The figures of a body, computed directly from its token list.
        for body in bodies {
            let t: Vec<&str> = tokens(body).collect();
            let hash = |i: Option<usize>| {
                i.and_then(|i| t.get(i))
                    .map_or(NO_TOKEN, |s| token_hash(s.as_bytes()))
            };
            let mut direct: Vec<(u64, u64)> = (0..t.len())
                .filter(|&i| t[i].starts_with(|c: char| c.is_ascii_digit()))
                .filter(|&i| t[i].bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                .map(|i| {
                    (
                        figure_context(hash(i.checked_sub(1)), hash(Some(i + 1))),
                        token_hash(t[i].as_bytes()),
                    )
                })
                .collect();
            direct.sort_unstable();
            direct.dedup_by_key(|f| f.0);
            assert_eq!(figures(body), direct, "{body:?}");
        }
        assert_eq!(figures("12 tonnes then 3.40").len(), 2);
    }

    #[test]
    fn char_shingles() {
        let spec = "char:3".parse().unwrap();
        assert_eq!(shingle("abcd", spec).len(), 2);
        assert_eq!(shingle("ab\ncd", spec), shingle("ab cd", spec));
        assert_eq!(shingle("ééé", spec).len(), 1);
        assert!(shingle("ab", spec).is_empty());
    }

    #[test]
    fn rolling_hash_equals_the_polynomial_of_each_window() {
        let body = "a b c d e f g a b c d e";
        for n in [1, 2, 5, 7] {
            let t: Vec<u64> = tokens(body).map(|t| token_hash(t.as_bytes())).collect();
            let direct: Vec<u64> = t
                .windows(n)
                .map(|w| {
                    let p = w
                        .iter()
                        .fold(0u64, |acc, &h| acc.wrapping_mul(ROLL).wrapping_add(h));
                    fmix64(p ^ SHINGLE_SEED)
                })
                .collect();
            let mut rolled = Vec::new();
            for_each_shingle(
                body,
                ShingleSpec {
                    kind: ShingleKind::Word,
                    n,
                },
                |h| rolled.push(h),
            );
            assert_eq!(rolled, direct, "n = {n}");
        }
    }

    proptest::proptest! {
        #[test]
        fn tokens_are_the_pieces_between_separators(body in "[a-zé0-9. \n]{0,60}") {
            let expected: Vec<&str> = body.split([' ', '\n']).filter(|t| !t.is_empty()).collect();
            proptest::prop_assert_eq!(tokens(&body).collect::<Vec<_>>(), expected);
        }

        /// The opening found in the shingling pass is the one of its
        /// definition: the first line of 14 tokens or more, keyed alone.
        /// Lines of 10 to 17 tokens, so that the first prose line is often
        /// one of exactly 14.
        #[test]
        fn the_opening_of_the_shingling_pass_is_the_first_prose_lines(
            lines in proptest::collection::vec(
                proptest::collection::vec("one|2|five|wheat|l|x|in|1.5|é", 10..18),
                0..5,
            )
        ) {
            let body = lines.iter().map(|l| l.join(" ")).collect::<Vec<_>>().join("\n");
            let expected = body
                .split('\n')
                .find(|line| tokens(line).nth(crate::align::PROSE_LINE - 1).is_some())
                .and_then(|line| crate::align::opening(&token_keys(line)));
            for spec in ["word:5", "word:1", "char:4"] {
                let mut out = Shingled::default();
                shingle_body(&body, spec.parse().unwrap(), &mut out);
                proptest::prop_assert_eq!(out.opening, expected);
            }
            proptest::prop_assert_eq!(opening(&body), expected);
        }
    }

    #[test]
    fn hash_sort_orders_like_std() {
        let mut state = 7u64;
        let mut next = move || {
            state = fmix64(state + 1);
            state
        };
        for n in [0, 1, 5, 63, 64, 65, 100, 1000, 5000, 70_000] {
            for random_bits in [32, 12, 3, 0] {
                // Uniform keys, keys in a narrow range (one bucket: the
                // fallback), few distinct keys, all equal.
                let keys: Vec<u32> = (0..n)
                    .map(|_| next().checked_shr(64 - random_bits).unwrap_or(0) as u32)
                    .collect();
                let mut expected = keys.clone();
                expected.sort_unstable();
                let mut got = keys.clone();
                sort_hashes(&mut got);
                assert_eq!(got, expected, "{n} keys of {random_bits} bits");
                let mut wide: Vec<u64> =
                    keys.iter().map(|&k| (k as u64) << 32 | k as u64).collect();
                let expected: Vec<u64> = expected
                    .iter()
                    .map(|&k| (k as u64) << 32 | k as u64)
                    .collect();
                sort_hashes(&mut wide);
                assert_eq!(wide, expected, "{n} wide keys of {random_bits} bits");
            }
        }
    }

    #[test]
    fn a_set_made_in_reused_space_is_the_set() {
        let mut out = vec![9, 9, 9];
        for body in [
            "",
            "one two three",
            &"wheat prices rose on Tuesday as traders bought ".repeat(40),
            &(0..600)
                .map(|i| format!("w{} ", i % 97))
                .collect::<String>(),
        ] {
            let mut shingled = Shingled::default();
            shingle_body(body, ShingleSpec::default(), &mut shingled);
            set_into(&shingled.stream, &mut out);
            assert_eq!(out, into_set(shingled.keys()), "{body:.40}");
        }
    }

    #[test]
    fn loaded_and_packed_token_hashes_agree() {
        let body = "a bb ccccccc dddddddd eeeeeeeee f";
        let bytes = body.as_bytes();
        let mut n = 0;
        token_spans(bytes, |start, end| {
            let t = &bytes[start..end];
            assert_eq!(token_hash_at(bytes, start, end), token_hash(t), "{t:?}");
            n += 1;
        });
        assert_eq!(n, tokens(body).count());
    }

    const PINNED_WORD: u64 = 17093597827571065728;
    const PINNED_CHAR: u64 = 14515043282554926920;

    #[test]
    fn hashes_are_stable_across_machines() {
        // Pinned values: a change here changes every signature ever written.
        for (body, spec, pinned) in [
            ("hello world", "word:2", PINNED_WORD),
            ("hello", "char:5", PINNED_CHAR),
        ] {
            let spec = spec.parse().unwrap();
            let mut stream = Vec::new();
            for_each_shingle(body, spec, |h| stream.push(h));
            assert_eq!(stream, [pinned]);
            assert_eq!(shingle(body, spec), [(pinned >> 32) as u32]);
        }
    }
}
