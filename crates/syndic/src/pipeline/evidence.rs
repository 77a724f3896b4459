//! Stage `shingle`: the exact shingle sets and figures ([`Evidence`]) of
//! the documents that verification and story grouping read, i.e. those in
//! a candidate pair and the cluster representatives.
//!
//! A set is unpacked from what the sign stage kept ([`Kept`]), or made by
//! shingling the body again when it was not kept (under a tight memory
//! limit); both give the same set.

use super::fold::BodyModel;
use super::EVIDENCE_SHARE;
use crate::error::Result;
use crate::lsh::Pair;
use crate::packed::PackedSet;
use crate::shingle::{self, ShingleSpec, Shingled};
use crate::store::{put_u32s, take_u32s, Blob, Resources, SpillVec};
use crate::verify::{self, Evidence};
use ahash::AHashMap;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::OnceLock;

pub(crate) fn make_evidence(body: &str, spec: ShingleSpec) -> Evidence {
    let mut shingled = Shingled::default();
    shingle::shingle_body(body, spec, &mut shingled);
    Evidence::new(shingled.set(), shingled.figures)
}

fn evidence_of(kept: Kept) -> Evidence {
    let mut set = Vec::with_capacity(kept.keys.len());
    kept.keys.unpack_into(&mut set);
    Evidence::new(set, kept.figures.into_vec())
}

/// What the sign stage keeps of a body for verification: its shingle set,
/// packed ([`PackedSet`], about 3.1 bytes a key instead of 4), and its
/// figures.
pub(crate) struct Kept {
    keys: PackedSet,
    figures: Box<[(u64, u64)]>,
}

impl Kept {
    /// What to keep of `shingled`; `set` is scratch space.
    pub(crate) fn of(shingled: &Shingled, set: &mut Vec<u32>) -> Kept {
        shingle::set_into(&shingled.stream, set);
        Kept {
            keys: PackedSet::pack(set),
            figures: shingled.figures.clone().into_boxed_slice(),
        }
    }
}

/// Shingle sets and figures of the documents that need them, fetched by
/// document index.
pub(crate) struct EvidenceStore {
    slot: Vec<u32>,
    pub(crate) values: SpillVec<Evidence>,
}

impl EvidenceStore {
    pub(crate) fn new(n: usize, resources: &Resources) -> EvidenceStore {
        EvidenceStore {
            slot: vec![u32::MAX; n],
            values: SpillVec::new(resources, EVIDENCE_SHARE),
        }
    }

    /// Makes the evidence of `docs` that is not there yet, in parallel
    /// batches: from a document's shingle set kept by the sign stage
    /// (taken out of `streams` and unpacked), else from its body.
    pub(crate) fn add(
        &mut self,
        docs: &[u32],
        streams: &mut [Option<Kept>],
        model: &BodyModel,
        spec: ShingleSpec,
    ) -> Result<()> {
        let missing: Vec<u32> = docs
            .iter()
            .copied()
            .filter(|&d| self.slot[d as usize] == u32::MAX)
            .collect();
        for chunk in missing.chunks(model.batch) {
            let sources: Vec<(u32, Option<Kept>)> = chunk
                .iter()
                .map(|&d| (d, streams.get_mut(d as usize).and_then(Option::take)))
                .collect();
            let made: Vec<Evidence> = sources
                .into_par_iter()
                .map_init(String::new, |buf, (d, stream)| match stream {
                    Some(s) => Ok(evidence_of(s)),
                    None => Ok(make_evidence(model.body(d as usize, buf)?.0, spec)),
                })
                .collect::<Result<_>>()?;
            for (&d, e) in chunk.iter().zip(made) {
                self.slot[d as usize] = self.values.push(e)?;
            }
        }
        self.values.finish()
    }

    /// Points `doc` at a stored value (tests build stores by hand).
    #[cfg(test)]
    pub(crate) fn set_slot(&mut self, doc: u32, slot: u32) {
        self.slot[doc as usize] = slot;
    }

    /// Frees the evidence of the documents that `keep` does not keep (in
    /// RAM; see [`SpillVec::free`]): it is not read again.
    pub(crate) fn free(&mut self, keep: impl Fn(u32) -> bool) {
        for d in 0..self.slot.len() as u32 {
            let slot = self.slot[d as usize];
            if slot != u32::MAX && !keep(d) {
                self.values.free(slot);
            }
        }
    }

    pub(crate) fn get(&self, doc: u32) -> Result<Cow<'_, Evidence>> {
        self.values.get(self.slot[doc as usize])
    }

    /// The stored evidence of `doc`, or evidence made now and not kept (for
    /// the few story candidates without a near-duplicate candidate).
    pub(crate) fn get_or_make(
        &self,
        doc: u32,
        model: &BodyModel,
        spec: ShingleSpec,
    ) -> Result<Cow<'_, Evidence>> {
        match self.slot[doc as usize] {
            u32::MAX => {
                let mut buf = String::new();
                let (body, _) = model.body(doc as usize, &mut buf)?;
                Ok(Cow::Owned(make_evidence(body, spec)))
            }
            _ => self.get(doc),
        }
    }
}

/// The evidence of every document in a candidate pair, built from the kept
/// shingle sets in `streams` (taken out) or from the bodies.
pub(crate) fn shingle_candidates(
    pairs: &[Pair],
    streams: &mut [Option<Kept>],
    model: &BodyModel,
    spec: ShingleSpec,
    resources: &Resources,
) -> Result<EvidenceStore> {
    let n = model.groups.of_doc.len();
    let mut evidence = EvidenceStore::new(n, resources);
    let mut in_pairs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    in_pairs.par_sort_unstable();
    in_pairs.dedup();
    evidence.add(&in_pairs, streams, model, spec)?;
    Ok(evidence)
}

/// A body's token keys ([`shingle::token_keys`]), stored for alignment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens(pub(crate) Vec<u32>);

impl Blob for Tokens {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32s(out, &self.0);
    }

    fn decode(bytes: &[u8]) -> Tokens {
        Tokens(take_u32s(bytes).0)
    }
}

/// The token keys of the documents in `pairs` (the pairs left for the
/// alignment rule), made from their bodies.
///
/// Without a memory limit they are made on first use: the rounds of the
/// alignment pass skip the pairs whose documents earlier edges joined, so
/// about half of the documents in `pairs` are never aligned (the mix:
/// 17,010 of 31,700; s12: 43,666 of 93,000), and their keys are neither
/// made nor held. Under a limit they are made up front, in parallel
/// batches, and spilled to disk like the evidence. Both give the same keys.
pub(crate) struct TokenStore<'m> {
    /// Each document's slot.
    slot: AHashMap<u32, u32>,
    made: Made<'m>,
}

enum Made<'m> {
    /// Made up front, in a store that may spill.
    Stored(SpillVec<Tokens>),
    /// Made on first use from the bodies of `model`.
    Lazy {
        model: &'m BodyModel,
        keys: Vec<OnceLock<Box<[u32]>>>,
    },
}

impl<'m> TokenStore<'m> {
    pub(crate) fn of_pairs(
        pairs: &[Pair],
        model: &'m BodyModel,
        resources: &Resources,
    ) -> Result<TokenStore<'m>> {
        let mut docs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        docs.par_sort_unstable();
        docs.dedup();
        let slot: AHashMap<u32, u32> = (0..).zip(&docs).map(|(k, &d)| (d, k)).collect();
        if resources.memory.is_none() {
            let keys = (0..docs.len()).map(|_| OnceLock::new()).collect();
            let made = Made::Lazy { model, keys };
            return Ok(TokenStore { slot, made });
        }
        let mut values = SpillVec::new(resources, EVIDENCE_SHARE);
        for chunk in docs.chunks(model.batch) {
            let made: Vec<Tokens> = chunk
                .par_iter()
                .map_init(String::new, |buf, &d| Ok(Tokens(tokens_of(model, d, buf)?)))
                .collect::<Result<_>>()?;
            for t in made {
                values.push(t)?;
            }
        }
        values.finish()?;
        let made = Made::Stored(values);
        Ok(TokenStore { slot, made })
    }
}

/// Document `d`'s token keys, from its body ([`BodyModel::body`]:
/// borrowed, or made in `buf`).
fn tokens_of(model: &BodyModel, d: u32, buf: &mut String) -> Result<Vec<u32>> {
    Ok(shingle::token_keys(model.body(d as usize, buf)?.0))
}

impl verify::Tokens for TokenStore<'_> {
    /// The token keys of `doc` (one of the documents it was made for).
    fn tokens(&self, doc: u32) -> Result<Cow<'_, [u32]>> {
        let slot = self.slot[&doc];
        Ok(match &self.made {
            Made::Stored(values) => match values.get(slot)? {
                Cow::Borrowed(t) => Cow::Borrowed(&t.0),
                Cow::Owned(t) => Cow::Owned(t.0),
            },
            Made::Lazy { model, keys } => {
                let cell = &keys[slot as usize];
                if let Some(t) = cell.get() {
                    return Ok(Cow::Borrowed(t));
                }
                // (Two threads may make one document's keys at once; they
                // are the same, and one of them is kept.)
                let made = tokens_of(model, doc, &mut String::new())?;
                Cow::Borrowed(cell.get_or_init(|| made.into_boxed_slice()))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Texts;
    use crate::pipeline::sign::{sign_stage, Signer};
    use crate::pipeline::testdata::corpus;
    use crate::pipeline::Config;

    #[test]
    fn tokens_made_on_use_equal_tokens_stored() {
        use crate::verify::Tokens as _;
        let docs = corpus();
        let config = Config::default();
        let r = Resources::default();
        let model = BodyModel::learn(&docs, &Texts::new(&docs), &config, &r).unwrap();
        let pairs: Vec<Pair> = vec![(0, 4), (1, 2), (2, 4)];
        let lazy = TokenStore::of_pairs(&pairs, &model, &r).unwrap();
        // A limit so small that every stored key spills to disk.
        let limited = Resources {
            memory: Some(1),
            ..Resources::default()
        };
        let stored = TokenStore::of_pairs(&pairs, &model, &limited).unwrap();
        assert!(matches!(lazy.made, Made::Lazy { .. }));
        assert!(matches!(stored.made, Made::Stored(_)));
        for d in [4, 0, 2, 1, 4] {
            let mut buf = String::new();
            let want = shingle::token_keys(model.body_into(d as usize, &mut buf).unwrap().0);
            assert!(want.len() > 20);
            assert_eq!(*lazy.tokens(d).unwrap(), *want, "made on use, doc {d}");
            assert_eq!(*stored.tokens(d).unwrap(), *want, "stored, doc {d}");
        }
    }

    #[test]
    fn sets_from_kept_keys_equal_sets_from_bodies() {
        let docs = corpus();
        let config = Config::default();
        let r = Resources::default();
        let mut model = BodyModel::learn(&docs, &Texts::new(&docs), &config, &r).unwrap();
        let signer = Signer::new(&config).unwrap();
        let pairs: Vec<Pair> = vec![(0, 4), (1, 2)];
        let mut evidence = |keep: bool| {
            let (mut s, _) = sign_stage(&mut model, &signer, keep, &r).unwrap();
            let store =
                shingle_candidates(&pairs, &mut s.streams, &model, config.shingle, &r).unwrap();
            [0u32, 1, 2, 4].map(|d| {
                let e = store.get(d).unwrap();
                (e.shingles.clone(), e.figures.clone())
            })
        };
        let kept = evidence(true);
        assert_eq!(kept, evidence(false));
        assert!(kept.iter().all(|e| e.0.len() > 20));
        // a syndicated copy on another site: same sentences, same figures
        assert_eq!(kept[0].1, kept[3].1);
    }
}
