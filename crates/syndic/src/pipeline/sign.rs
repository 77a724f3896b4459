//! Stage `sign`: each body's shingle stream signed with MinHash (the whole
//! body, and its lead for excerpts), band keys made for LSH, and identical
//! bodies joined by an exact pre-pass so that only one of them enters LSH.
//!
//! Kernels and their data:
//! - [`Signer::sign`]: body -> [`BodySignature`] (whole and lead signatures).
//! - [`signatures`]: documents -> one [`Signature`] per document (`syndic sign`).
//! - `sign_stage`: [`BodyModel`] -> `SignStage` (per-document facts, band-key
//!   tables, kept shingle sets, exact-duplicate unions).

use super::evidence::Kept;
use super::fold::BodyModel;
use super::{Config, KEY_SHARE};
use crate::cluster::UnionFind;
use crate::corpus::{Document, Texts};
use crate::error::Result;
use crate::lsh::{self, KeyTable, LshParams};
use crate::minhash::{MinHashConfig, MinHasher, Signature};
use crate::shingle::{self, fmix64, ShingleSpec, Shingled};
use crate::store::Resources;
use ahash::AHashMap;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

/// The MinHash signature of every document's body (fold, boilerplate,
/// shingle, sign), for storing with [`crate::minhash::write_signatures`].
/// Bodies too short to shingle get an all-`u32::MAX` signature.
pub fn signatures(
    docs: &[Document],
    texts: &Texts,
    config: &Config,
    resources: &Resources,
) -> Result<Vec<Signature>> {
    let signer = Signer::new(config)?;
    let model = BodyModel::learn(docs, texts, config, resources)?;
    (0..docs.len())
        .into_par_iter()
        .map_init(String::new, |buf, i| {
            let (body, _) = model.body(i, buf)?;
            let sig = signer.sign(body);
            Ok(match sig.short {
                false => sig.whole,
                true => vec![u32::MAX; config.minhash.num_perm],
            })
        })
        .collect()
}

/// Mixed into opening keys, which share the lead table with band keys.
const OPENING_SEED: u64 = 0x6f70_656e_696e_6701;

/// Signs bodies: streams their shingles into the whole-body signature and
/// the lead signature (for excerpts) in one pass.
#[derive(Debug, Clone)]
pub struct Signer {
    hasher: MinHasher,
    lead: Option<(MinHasher, LshParams)>,
    params: LshParams,
    spec: ShingleSpec,
    min_shingles: usize,
    lead_shingles: usize,
}

/// The signatures of one body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodySignature {
    /// Signature of the whole body.
    pub whole: Signature,
    /// Empty when leads are off (`lead_shingles = 0`).
    pub lead: Signature,
    /// Fewer than `min_shingles` distinct shingles: matched exactly only.
    pub short: bool,
    /// The body's opening ([`crate::align::opening`]), if it has prose.
    pub opening: Option<u64>,
}

impl Signer {
    /// A signer for `config` (its shingles, MinHash, banding and lead settings).
    pub fn new(config: &Config) -> Result<Signer> {
        let lead = match config.lead_shingles {
            0 => None,
            _ => {
                let lead = MinHashConfig {
                    num_perm: config.lead_num_perm,
                    ..config.minhash
                };
                let lead_params =
                    LshParams::for_threshold(0.7, config.lead_num_perm, config.target_recall)?;
                Some((MinHasher::new(lead)?, lead_params))
            }
        };
        Ok(Signer {
            hasher: MinHasher::new(config.minhash)?,
            lead,
            params: config.lsh_params()?,
            spec: config.shingle,
            min_shingles: config.min_shingles,
            lead_shingles: config.lead_shingles,
        })
    }

    /// The lead table's keys of a signature (when leads are on): the bands
    /// of its lead signature, then one key for its opening words, so that
    /// an excerpt of twenty words whose page shares little else with the
    /// article's still meets it. A body without prose gets a key of its
    /// whole lead signature instead (found only by an identical lead).
    pub fn lead_band_keys(&self, sig: &BodySignature, out: &mut Vec<u64>) {
        self.lead_keys(&sig.lead, sig.opening, out)
    }

    /// [`Signer::lead_band_keys`] of a lead signature and an opening.
    pub fn lead_keys(&self, lead: &[u32], opening: Option<u64>, out: &mut Vec<u64>) {
        if let Some((_, p)) = &self.lead {
            lsh::band_keys(lead, *p, out);
            out.push(match opening {
                Some(key) => fmix64(key ^ OPENING_SEED),
                None => lsh::band_keys_hash(lead),
            });
        }
    }

    /// Keys per document in the lead table: the lead bands and the opening.
    pub fn lead_table_bands(&self) -> Option<usize> {
        self.lead.as_ref().map(|(_, p)| p.bands + 1)
    }

    /// The banding of whole-body signatures.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The banding of lead signatures, if leads are on.
    pub fn lead_params(&self) -> Option<LshParams> {
        self.lead.as_ref().map(|l| l.1)
    }

    /// Signs one body (folded, boilerplate removed).
    pub fn sign(&self, body: &str) -> BodySignature {
        self.sign_into(body, &mut Shingled::default())
    }

    /// [`Signer::sign`], leaving the body's shingle stream and figures in
    /// `shingled`, from which the caller can build the body's
    /// [`Evidence`](crate::verify::Evidence) without shingling it again.
    pub fn sign_into(&self, body: &str, shingled: &mut Shingled) -> BodySignature {
        shingle::shingle_body(body, self.spec, shingled);
        let shingles = &shingled.stream;
        let mut whole = self.hasher.sketch();
        whole.extend(shingles);
        let lead = self.lead.as_ref().map(|(h, _)| {
            let mut l = h.sketch();
            l.extend(&shingles[..shingles.len().min(self.lead_shingles)]);
            l.finish()
        });
        BodySignature {
            whole: whole.finish(),
            lead: lead.unwrap_or_default(),
            short: !has_distinct(shingles, self.min_shingles),
            opening: shingled.opening,
        }
    }
}

/// Whether `xs` holds at least `limit` distinct values (at least one for a
/// limit of 0), found without building a set.
fn has_distinct(xs: &[u64], limit: usize) -> bool {
    let limit = limit.max(1);
    let mut seen: Vec<u64> = Vec::with_capacity(limit);
    for &x in xs {
        if !seen.contains(&x) {
            seen.push(x);
            if seen.len() >= limit {
                return true;
            }
        }
    }
    false
}

/// What the sign stage keeps of each document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed {
    /// XXH3-128 of the body.
    pub(crate) body_hash: u128,
    /// The first document with the same body (itself if none before).
    pub(crate) first: u32,
    pub(crate) short: bool,
    /// Bytes of the folded text and of the body.
    pub(crate) folded: u32,
    pub(crate) body: u32,
}

/// The band keys of the bodies that enter LSH.
pub(crate) struct BandTables {
    /// Of their whole-body signatures.
    pub(crate) whole: KeyTable,
    /// Of their lead signatures (when leads are on).
    pub(crate) lead: Option<KeyTable>,
}

/// What the sign stage leaves for the later stages.
pub(crate) struct SignStage {
    /// Per document, in input order.
    pub(crate) signed: Vec<Signed>,
    /// Shingle keys and figures kept for verification, by document (empty
    /// when the memory limit leaves no room for them).
    pub(crate) streams: Vec<Option<Kept>>,
    /// Documents joined because their bodies are identical.
    pub(crate) exact: UnionFind,
    pub(crate) exact_duplicates: usize,
}

/// The signature products of one body that enters LSH: its band keys,
/// lead band keys and kept shingle set.
type SignedBody = (Vec<u64>, Vec<u64>, Option<Kept>);

/// What a batch knows of a document before signing: its body's hash and
/// length, and its folded length.
struct Body {
    hash: u128,
    len: usize,
    folded: usize,
}

/// Document `i`'s [`Body`] facts (its body as [`BodyModel::body`] gives
/// it: borrowed, or made in `buf`).
fn body_of(model: &BodyModel, i: usize, buf: &mut String) -> Result<Body> {
    let (body, folded) = model.body(i, buf)?;
    let hash = xxh3_128(body.as_bytes());
    Ok(Body {
        hash,
        len: body.len(),
        folded,
    })
}

/// Signs document `i`'s body and makes its band keys; `short` when it has
/// too few shingles (then it has no keys).
fn sign_one(
    model: &BodyModel,
    signer: &Signer,
    keep_streams: bool,
    i: usize,
    (buf, shingled, set): &mut (String, Shingled, Vec<u32>),
) -> Result<(bool, SignedBody)> {
    let (body, _) = model.body(i, buf)?;
    let sig = signer.sign_into(body, shingled);
    let short = sig.short;
    let mut keys = Vec::new();
    let mut lead_keys = Vec::new();
    if !short {
        lsh::band_keys(&sig.whole, signer.params(), &mut keys);
        signer.lead_band_keys(&sig, &mut lead_keys);
    }
    let keep = (keep_streams && !short).then(|| Kept::of(shingled, set));
    Ok((short, (keys, lead_keys, keep)))
}

/// Signs every body in parallel batches and files the results in input
/// order: a body identical to an earlier one is joined to it and is not
/// signed (it stays out of LSH; at scale most pages of a many-site corpus
/// are such copies), every other long-enough body's band keys go into the
/// tables. `keep_streams` keeps the shingle sets for verification.
///
/// Each batch hashes its bodies in parallel, finds the copies of earlier
/// bodies in input order, then makes the first bodies again (holding a
/// batch's bodies would cost more memory than removing boilerplate twice
/// costs time) and signs them in parallel; so what is signed and filed
/// does not depend on the batches.
pub(crate) fn sign_stage(
    model: &mut BodyModel,
    signer: &Signer,
    keep_streams: bool,
    resources: &Resources,
) -> Result<(SignStage, BandTables)> {
    let n = model.groups.of_doc.len();
    let temp_dir = resources.temp_dir.as_deref();
    let key_budget = resources.budget(KEY_SHARE);
    let mut tables = BandTables {
        whole: KeyTable::new(signer.params().bands, n, key_budget, temp_dir)?,
        lead: match signer.lead_table_bands() {
            Some(bands) => Some(KeyTable::new(bands, n, key_budget, temp_dir)?),
            None => None,
        },
    };
    let mut out = SignStage {
        signed: Vec::with_capacity(n),
        streams: Vec::new(),
        exact: UnionFind::new(n),
        exact_duplicates: 0,
    };
    let mut first_with: AHashMap<u128, u32> = AHashMap::with_capacity(n);
    let batch = model.batch.max(1);
    for start in (0..n).step_by(batch) {
        let end = (start + batch).min(n);
        let bodies: Vec<Body> = (start..end)
            .into_par_iter()
            .map_init(String::new, |buf, i| body_of(&*model, i, buf))
            .collect::<Result<_>>()?;
        // The first document of each body, in input order.
        let firsts: Vec<u32> = (start as u32..)
            .zip(&bodies)
            .map(|(i, b)| *first_with.entry(b.hash).or_insert(i))
            .collect();
        let signed_bodies: Vec<Option<(bool, SignedBody)>> = (start..end)
            .into_par_iter()
            .zip(firsts.par_iter())
            .map_init(
                || (String::new(), Shingled::default(), Vec::new()),
                |bufs, (i, &first)| {
                    (first as usize == i)
                        .then(|| sign_one(&*model, signer, keep_streams, i, bufs))
                        .transpose()
                },
            )
            .collect::<Result<_>>()?;
        let filed = bodies.into_iter().zip(firsts).zip(signed_bodies);
        for ((b, j), signed) in filed {
            let i = out.signed.len() as u32;
            let (short, stream) = match signed {
                None => {
                    out.exact.union(j, i);
                    out.exact_duplicates += 1;
                    // No stage reads its body but through `first`'s.
                    model.share_body(i, j);
                    (out.signed[j as usize].short, None)
                }
                Some((true, _)) => (true, None),
                Some((false, (keys, lead_keys, kept))) => {
                    tables.whole.push(i, &keys)?;
                    if let Some(t) = &mut tables.lead {
                        t.push(i, &lead_keys)?;
                    }
                    (false, kept)
                }
            };
            let s = Signed {
                body_hash: b.hash,
                first: j,
                short,
                folded: b.folded as u32,
                body: b.len as u32,
            };
            if keep_streams {
                out.streams.push(stream);
            }
            out.signed.push(s);
        }
    }
    Ok((out, tables))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testdata::{corpus, page, STORIES};

    fn signed(docs: &[Document], keep: bool) -> (SignStage, BandTables) {
        let config = Config::default();
        let texts = Texts::new(docs);
        let mut model = BodyModel::learn(docs, &texts, &config, &Resources::default()).unwrap();
        let signer = Signer::new(&config).unwrap();
        sign_stage(&mut model, &signer, keep, &Resources::default()).unwrap()
    }

    #[test]
    fn identical_bodies_are_joined_and_short_ones_flagged() {
        let mut docs = corpus();
        // a second page of story 1 on Alpha: same body after the chrome goes
        docs.push(page("a1-again", "Alpha", STORIES[1]));
        docs.push(page("short", "Alpha", "Breaking news."));
        let (mut s, tables) = signed(&docs, true);
        assert_eq!(s.exact_duplicates, 1);
        assert_eq!(
            s.signed[5].first, 1,
            "joined to the first page with its body"
        );
        assert_eq!(s.exact.find(5), s.exact.find(1));
        assert!(s.signed[6].short && !s.signed[0].short);
        assert!(
            s.streams[5].is_none() && s.streams[6].is_none(),
            "only first, long bodies keep keys"
        );
        assert!(s.streams[0].is_some());
        let pairs = tables.whole.candidates(256).unwrap();
        assert!(pairs
            .iter()
            .all(|&(a, b)| a != 5 && b != 5 && a != 6 && b != 6));
    }

    #[test]
    fn copies_are_found_whatever_the_batches() {
        let mut docs = corpus();
        // Copies of a long and of a short body, one next to its first page
        // (same batch of two) and one far from it.
        docs.push(page("a1-again", "Alpha", STORIES[1]));
        docs.push(page("short", "Alpha", "Breaking news."));
        docs.push(page("short-again", "Alpha", "Breaking news."));
        docs.push(page("a3-again", "Alpha", STORIES[3]));
        let config = Config::default();
        let texts = Texts::new(&docs);
        let signer = Signer::new(&config).unwrap();
        let run = |batch: usize| {
            let mut model =
                BodyModel::learn(&docs, &texts, &config, &Resources::default()).unwrap();
            model.batch = batch;
            let (mut s, t) = sign_stage(&mut model, &signer, true, &Resources::default()).unwrap();
            let facts: Vec<(u32, bool, u32, u32, u32, bool)> = (0..docs.len() as u32)
                .map(|i| {
                    let x = &s.signed[i as usize];
                    let kept = s.streams[i as usize].is_some();
                    (x.first, x.short, x.folded, x.body, s.exact.find(i), kept)
                })
                .collect();
            (facts, s.exact_duplicates, t.whole.candidates(256).unwrap())
        };
        let all = run(docs.len());
        assert_eq!(all.1, 3);
        let first: Vec<u32> = all.0.iter().map(|f| f.0).collect();
        assert_eq!(first, [0, 1, 2, 3, 4, 1, 6, 6, 3]);
        assert!(all.0[6].1 && all.0[7].1, "a short body's copy is short");
        assert!(
            !all.0[5].5 && !all.0[7].5 && !all.0[8].5,
            "copies keep no set"
        );
        for batch in [1, 2, 3] {
            assert_eq!(run(batch), all, "batches of {batch}");
        }
    }

    #[test]
    fn kept_keys_do_not_change_what_is_signed() {
        let docs = corpus();
        let (with, t1) = signed(&docs, true);
        let (without, t2) = signed(&docs, false);
        assert!(without.streams.is_empty());
        let facts = |s: &SignStage| -> Vec<(u128, u32, bool, u32, u32)> {
            s.signed
                .iter()
                .map(|x| (x.body_hash, x.first, x.short, x.folded, x.body))
                .collect()
        };
        assert_eq!(facts(&with), facts(&without));
        assert_eq!(
            t1.whole.candidates(256).unwrap(),
            t2.whole.candidates(256).unwrap()
        );
    }

    #[test]
    fn signatures_are_deterministic_and_short_bodies_get_max_values() {
        let mut docs = corpus();
        docs.push(Document::new("short", "Too short."));
        let config = Config::default();
        let texts = Texts::new(&docs);
        let a = signatures(&docs, &texts, &config, &Resources::default()).unwrap();
        let b = signatures(&docs, &texts, &config, &Resources::default()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[5], vec![u32::MAX; config.minhash.num_perm]);
        assert_eq!(a[0].len(), config.minhash.num_perm);
        assert_ne!(a[0], a[1]);
    }
}
