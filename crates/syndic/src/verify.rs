//! Verification: LSH candidate pairs are scored exactly on their shingle
//! sets (every pair whose documents are not already joined), so MinHash
//! noise can cost recall (bounded by the LSH curve) but never precision.
//!
//! Scores: Jaccard |A∩B| / |A∪B| and containment |A∩B| / min(|A|, |B|).
//! A pair becomes an [`Edge`] when
//! * its Jaccard reaches the threshold (a syndicated or lightly changed copy), or
//! * its containment does and the smaller document is large enough that being
//!   "contained" means something (an excerpt; a 12-word caption is contained
//!   in many stories), or
//! * its Jaccard reaches the lower `near` threshold, the two have similar
//!   lengths (an edited or OCR-noisy copy: each changed word breaks n shingles),
//!   both are long enough for a lower bar to mean something, and at most one figure is *substituted* (a different figure between the
//!   same two words: "crop at 17.30 mln" vs "crop at 16.70 mln"). Edits delete
//!   or insert; templated reports substitute;
//!
//! * (unless `aligned_share` is above 1) most of the shorter text's prose
//!   aligns in order with the longer one, or its lead does and what is
//!   left names no figure of its own
//!   ([`VerifyRule::aligns`], [`crate::align`]): OCR-noisy, edited and
//!   excerpted copies whose shingle sets overlap little; checked in a second
//!   pass, only on rejected pairs whose documents are not yet joined, and
//!   for part matches only as far as [`crate::cluster::attach`] can use
//!   them ([`align_pairs`]),
//!
//! and, in every case, the two agree on their figures: most of the smaller
//! set of figures appears in the larger. That keeps templated reports ("the
//! Fed added 2.5 billion dlrs...", monthly crop estimates) with different
//! figures apart, while a corrected re-filing that changes one figure of many
//! still joins when its text is otherwise the same.
//! A match whose smaller text is less than half of the two together
//! ([`Edge::is_part`]: an excerpt, a truncated copy) is a [`Part`] match,
//! which joins clusters by [`crate::cluster::attach`], not as an edge.
//! Cost: O(|A| + |B|) per pair, in parallel. Pairs are checked in rounds,
//! and a pair whose documents earlier edges already join is skipped
//! ([`ROUND`]): the clusters are those of checking every pair, while a
//! cluster of `n` mutual candidates costs about `n` checks, not `n²/2`.

use crate::align;
use crate::cluster::UnionFind;
use crate::error::Result;
use crate::lsh::Pair;
use crate::shingle::ShingleSet;
use crate::store::{put_u32s, put_u64s, take_u32s, take_u64s, Blob};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A verified near-duplicate pair with its exact scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// The smaller document number.
    pub a: u32,
    /// The larger document number.
    pub b: u32,
    /// Exact Jaccard of their shingle sets.
    pub jaccard: f32,
    /// Exact containment of the smaller set in the larger.
    pub containment: f32,
}

/// A *part* match: the smaller document, the `part`, covers less than half
/// of the two texts' shingles together ([`Edge::is_part`]): an excerpt, a
/// truncated copy, a page that quotes a short report. A part may lie in
/// several texts (the templated first sentence of a report is the lead of
/// every report of the template; a table's header is in every table), so a
/// part match does not join like an edge: each cluster of parts joins the
/// cluster of its best part match only, and never bridges two
/// ([`crate::cluster::attach`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    /// The pair and its exact scores.
    pub edge: Edge,
    /// The smaller document (`edge.a` or `edge.b`).
    pub part: u32,
}

impl Part {
    /// The larger document.
    pub fn whole(&self) -> u32 {
        if self.part == self.edge.a {
            self.edge.b
        } else {
            self.edge.a
        }
    }
}

impl Edge {
    /// Whether the match is a part match ([`Part`]): the smaller set is
    /// less than half of the union, `|S| < |A ∪ B| / 2`, which is Jaccard
    /// under half the containment. A copy of about the same size never is,
    /// however noisy (its Jaccard is at least `c / (2 - c)`); a text more
    /// than twice another's size that contains it always is. Decided on
    /// the stored `f32` scores, so that the index decides as the pipeline.
    pub fn is_part(&self) -> bool {
        2.0 * self.jaccard < self.containment
    }
}

/// What verification says of a candidate pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Not a copy.
    Apart,
    /// A copy of about the same size: the two belong to one cluster.
    Edge(Edge),
    /// A copy of a part ([`Part`]).
    Part(Part),
}

impl Verdict {
    /// The verdict on a match of `pair` with scores `(j, c)` and shingle
    /// set sizes `sizes` ([`Verdict::of`]).
    pub fn matched(pair: Pair, scores: (f64, f64), sizes: (usize, usize)) -> Verdict {
        Verdict::of(edge(pair, scores), sizes)
    }

    /// The verdict on a verified match `e` whose documents have `sizes`
    /// shingles (`e.a`'s first): an edge, or a part match
    /// ([`Edge::is_part`]) whose part is the smaller document.
    pub fn of(e: Edge, (sa, sb): (usize, usize)) -> Verdict {
        match e.is_part() {
            true => Verdict::Part(Part {
                edge: e,
                part: if sa <= sb { e.a } else { e.b },
            }),
            false => Verdict::Edge(e),
        }
    }
}

/// When a candidate pair is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VerifyRule {
    /// Minimum exact Jaccard.
    pub jaccard: f64,
    /// Minimum exact containment (of the smaller set in the larger); > 1 disables.
    pub containment: f64,
    /// The smaller set needs at least this many shingles for containment to count.
    pub min_contained: usize,
    /// Minimum Jaccard of a same-length noisy or edited copy.
    pub near: f64,
    /// Minimum size ratio (smaller / larger set) for the `near` rule.
    pub near_size_ratio: f64,
    /// Minimum share of the smaller number set found in the larger one.
    pub numbers: f64,
    /// Minimum aligned share of the shorter text ([`crate::align`]); > 1 disables.
    pub aligned: f64,
    /// Minimum aligned tokens for the alignment rule.
    pub min_aligned: usize,
}

/// What verification needs of one document.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The shingle set.
    pub shingles: ShingleSet,
    /// Sorted distinct figure hashes.
    pub numbers: Vec<u64>,
    /// `(context, figure)` sorted by context (see [`crate::shingle::figures`]).
    pub figures: Vec<(u64, u64)>,
    /// Token keys in text order, for [`crate::align`]; empty when not
    /// kept (then only the set rules apply).
    pub tokens: Vec<u32>,
}

impl Evidence {
    /// Evidence from shingles and contextual figures.
    pub fn new(shingles: ShingleSet, figures: Vec<(u64, u64)>) -> Evidence {
        let mut numbers: Vec<u64> = figures.iter().map(|f| f.1).collect();
        numbers.sort_unstable();
        numbers.dedup();
        Evidence {
            shingles,
            numbers,
            figures,
            tokens: Vec::new(),
        }
    }

    /// The same evidence with the body's token keys, for alignment.
    pub fn with_tokens(mut self, tokens: Vec<u32>) -> Evidence {
        self.tokens = tokens;
        self
    }
}

/// Figures in the same context that differ between two documents.
pub fn substitutions(a: &[(u64, u64)], b: &[(u64, u64)]) -> usize {
    figures_in_context(a, b).1
}

/// Two documents' `(context, figure)` lists compared: how many contexts
/// both have a figure in, and in how many of those the figures differ.
pub fn figures_in_context(a: &[(u64, u64)], b: &[(u64, u64)]) -> (usize, usize) {
    let (mut shared, mut differ) = (0, 0);
    merge_join(
        a,
        b,
        |f| f.0,
        |x, y| {
            shared += 1;
            differ += usize::from(x.1 != y.1);
        },
    );
    (shared, differ)
}

/// Calls `on_match` for every pair of entries with equal keys in two lists
/// sorted by a key that is distinct within each list: the merge step shared
/// by set intersections, figure comparisons and sparse dot products.
pub fn merge_join<T>(a: &[T], b: &[T], key: impl Fn(&T) -> u64, mut on_match: impl FnMut(&T, &T)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                on_match(&a[i], &b[j]);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Substituted figures tolerated by the `near` rule (a page id, a corrected figure).
const MAX_NEAR_SUBSTITUTIONS: usize = 1;

/// An excerpt's alignment starts within this many tokens of both texts' starts.
const LEAD: usize = 40;

/// A copy's aligned tokens fill most of the stretch of the longer text
/// they span; two reports of one story (a rewrite, an update) share
/// sentences in order but each has its own between them.
const SPAN_DENSITY: f64 = 0.65;

/// An excerpt leaves at most this many tokens of prose unaligned (a "read
/// the full story" line, a related headline).
const EXCERPT_REST: usize = 25;

/// A shorter text of at most this many tokens needs [`SHORT_EXTRA`] more
/// of its prose aligned than the configured share, one of
/// [`FULL_TOKENS`] or more the configured share, with a straight ramp
/// between. A short notice is mostly template ("X Inc said its board
/// declared a two-for-one stock split"), so two companies' notices of one
/// template align about as far as a noisy copy of either (0.70-0.73 for
/// three such pairs of Reuters-21578 reports of 30-55 tokens).
pub const SHORT_TOKENS: usize = 50;

/// Where [`SHORT_TOKENS`]' ramp ends.
pub const FULL_TOKENS: usize = 80;

/// The extra aligned share a text of [`SHORT_TOKENS`] needs.
pub const SHORT_EXTRA: f64 = 0.1;

/// The prose share that a shorter text of `tokens` tokens must align for
/// [`VerifyRule::alignment_verdict`]'s "most of its prose", given the
/// configured `share` (see [`SHORT_TOKENS`]).
pub fn needed_share(share: f64, tokens: usize) -> f64 {
    let (short, full) = (SHORT_TOKENS as f64, FULL_TOKENS as f64);
    let ramp = ((full - tokens as f64) / (full - short)).clamp(0.0, 1.0);
    share + SHORT_EXTRA * ramp
}

/// An alignment of at least this many tokens may hold one figure
/// substitution more than one in eight: what OCR does to a long article's
/// figures ("1,44O" for "1,440", "aboutlm" for "about 1m"). Templated
/// reports with other figures differ in most of them.
const LONG_ALIGNED: usize = 80;

/// Numbers needed before the number guard applies.
const MIN_NUMBERS: usize = 4;

/// Shingle containment below which a pair is not aligned: the alignment
/// rule never took one in 41,600 tries over s03, the mix, Reuters-generated
/// and the copy-maker's worlds c12 and c15 (whose OCR copies are
/// tesseract's), while such pairs were a third of the tries on s03. (From
/// 0.1 to 0.2 it took 10 in 17,000.) Outputs stayed byte-identical there
/// and on worlds not looked at (c18, c20, r13, b14, s12, s30, raw
/// Reuters, SemEval); the verify stage took 10-13% less on the mix and
/// s03 (2026-12-04).
pub const ALIGN_MIN_CONTAINMENT: f64 = 0.1;

/// Size of the intersection of two shingle sets (sorted, duplicate-free).
pub fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() * 16 < large.len() {
        return small
            .iter()
            .filter(|x| large.binary_search(x).is_ok())
            .count();
    }
    #[cfg(target_arch = "x86_64")]
    return intersection_sse2(small, large);
    #[cfg(not(target_arch = "x86_64"))]
    return intersection_lock_step(small, large);
}

/// [`intersection`] four keys against four per step (SSE2, which every
/// x86-64 processor has): each key of `a`'s block is compared with `b`'s
/// block in four rotations, and the block whose last key is smaller moves
/// on. 2.5x faster than a scalar merge of 64-bit hashes, 1.6x faster than
/// one of these 32-bit keys (measured on BBC-generated's 43k copy pairs).
#[cfg(target_arch = "x86_64")]
fn intersection_sse2(a: &[u32], b: &[u32]) -> usize {
    use std::arch::x86_64::*;
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i + 4 <= a.len() && j + 4 <= b.len() {
        // SAFETY: SSE2 is part of x86-64; both loads read four in-bounds
        // u32s (checked above), and loadu takes any alignment.
        let found = unsafe {
            let x = _mm_loadu_si128(a.as_ptr().add(i).cast());
            let y = _mm_loadu_si128(b.as_ptr().add(j).cast());
            let y1 = _mm_shuffle_epi32::<0b00_11_10_01>(y);
            let y2 = _mm_shuffle_epi32::<0b01_00_11_10>(y);
            let y3 = _mm_shuffle_epi32::<0b10_01_00_11>(y);
            let eq = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi32(x, y), _mm_cmpeq_epi32(x, y1)),
                _mm_or_si128(_mm_cmpeq_epi32(x, y2), _mm_cmpeq_epi32(x, y3)),
            );
            _mm_movemask_ps(_mm_castsi128_ps(eq))
        };
        n += found.count_ones() as usize;
        let (x, y) = (a[i + 3], b[j + 3]);
        i += 4 * usize::from(x <= y);
        j += 4 * usize::from(y <= x);
    }
    n + merge_count(&a[i..], &b[j..])
}

/// [`intersection`] without SIMD: two halves merged in lock-step (each step
/// of a merge waits for the loads the previous step chose, so two
/// independent merges run in about the time of one: 20-25% faster on news
/// shingle sets). The path on other processors; tested on all.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn intersection_lock_step(small: &[u32], large: &[u32]) -> usize {
    if small.len() < 64 {
        return merge_count(small, large);
    }
    let (a1, a2) = small.split_at(small.len() / 2);
    let (b1, b2) = large.split_at(large.partition_point(|&x| x < a2[0]));
    let (mut i, mut j, mut k, mut l, mut n) = (0, 0, 0, 0, 0);
    while i < a1.len() && j < b1.len() && k < a2.len() && l < b2.len() {
        let (x, y, u, v) = (a1[i], b1[j], a2[k], b2[l]);
        n += usize::from(x == y) + usize::from(u == v);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
        k += usize::from(u <= v);
        l += usize::from(v <= u);
    }
    n + merge_count(&a1[i..], &b1[j..]) + merge_count(&a2[k..], &b2[l..])
}

/// Size of the intersection of two sorted, duplicate-free lists by a merge
/// without branches on the comparison (which is unpredictable).
pub fn merge_count<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Exact Jaccard and containment of two shingle sets (0 when either is empty).
pub fn scores(a: &[u32], b: &[u32]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let i = intersection(a, b) as f64;
    let union = (a.len() + b.len()) as f64 - i;
    (i / union, i / a.len().min(b.len()) as f64)
}

impl VerifyRule {
    /// Whether a pair passes, with its Jaccard and containment (an edge or
    /// a part match: see [`VerifyRule::judge`]).
    pub fn check(&self, a: &Evidence, b: &Evidence) -> Option<(f64, f64)> {
        self.check_with(a, b, || (&a.tokens, &b.tokens))
    }

    /// [`VerifyRule::check`] with the token keys of `a` and `b` from
    /// `tokens`, called only for a pair that the set rules reject while the
    /// alignment rule is on (so that a caller can make them then).
    pub fn check_with<'t>(
        &self,
        a: &Evidence,
        b: &Evidence,
        tokens: impl FnOnce() -> (&'t [u32], &'t [u32]),
    ) -> Option<(f64, f64)> {
        // The set scores are kept for a pair that only the alignment takes.
        let (scores, passes) = self.score_sets(a, b);
        if passes {
            return Some(scores);
        }
        if !self.may_align(scores.1) {
            return None;
        }
        let (ta, tb) = tokens();
        self.aligns(ta, tb).map(|_| scores)
    }

    /// Whether a pair the set rules reject, with shingle containment `c`,
    /// is tried by the alignment rule: the rule is on and `c` is at least
    /// [`ALIGN_MIN_CONTAINMENT`]. Compared in `f32`, as an [`Edge`] keeps
    /// it, so that every caller draws the line at the same pairs.
    pub fn may_align(&self, c: f64) -> bool {
        self.aligning() && c as f32 >= ALIGN_MIN_CONTAINMENT as f32
    }

    /// A pair's Jaccard and containment, and whether the set rules take it.
    pub fn score_sets(&self, a: &Evidence, b: &Evidence) -> ((f64, f64), bool) {
        let (sa, sb) = (a.shingles.len(), b.shingles.len());
        let (j, c) = scores(&a.shingles, &b.shingles);
        ((j, c), self.accepts(j, c, (sa, sb), a, b))
    }

    /// [`VerifyRule::score_sets`] with each set rule's answer, for a report
    /// of why a pair is or is not a copy ([`SetRules::pass`] is the
    /// verdict; [`VerifyRule::accepts`] decides the same without
    /// evaluating the rules it does not need).
    pub fn set_rules(&self, a: &Evidence, b: &Evidence) -> ((f64, f64), SetRules) {
        let sizes = (a.shingles.len(), b.shingles.len());
        let (j, c) = scores(&a.shingles, &b.shingles);
        let rules = SetRules {
            jaccard: j >= self.jaccard,
            contained: self.contained(c, sizes),
            near: self.near(j, sizes, a, b),
            figures_agree: self.figures_agree(a, b),
        };
        ((j, c), rules)
    }

    /// Whether the alignment rule is on (`aligned` at most 1), so that
    /// evidence needs token sequences.
    pub fn aligning(&self) -> bool {
        self.aligned <= 1.0
    }

    /// Whether the shorter text is a copy by [`crate::align`] (see the
    /// module documentation): most of its prose aligns in order with the
    /// longer text, or a lead of at least `min_aligned` tokens aligns with
    /// the longer text's lead and little other prose is left (an excerpt),
    /// none of which holds a figure that the longer text lacks
    /// ([`align::Alignment::foreign_figures`]: one day's money-market
    /// forecast opens as another day's does, then drains "some 338 mln
    /// stg" where the other drained 483).
    /// "Most" is the configured share for a shorter text of
    /// [`FULL_TOKENS`] tokens or more, and up to [`SHORT_EXTRA`] more for a
    /// shorter one ([`needed_share`]: two companies' short notices of one
    /// template align as far as a noisy copy does).
    /// Either way few figures of its prose may stand where the other has
    /// other figures (one in eight), and no month or weekday where the
    /// other has another ([`align::Alignment::date_substitutions`]: a
    /// weekly table of another week): templated reports stay apart, while
    /// the dates and times on a page's short lines do not count (the
    /// lines of a hard-wrapped report do: [`align::WRAPPED_LINE`]).
    /// Returns the aligned share of the shorter text's prose when it is.
    pub fn aligns(&self, a: &[u32], b: &[u32]) -> Option<f64> {
        if !self.aligning() || a.len().min(b.len()) < self.min_aligned {
            return None;
        }
        self.alignment_verdict(&align::align(a, b))
    }

    /// [`VerifyRule::aligns`]' verdict on an alignment already made: the
    /// aligned share of the shorter text's prose when it is a copy.
    pub fn alignment_verdict(&self, al: &align::Alignment) -> Option<f64> {
        if !self.aligning()
            || al.aligned < self.min_aligned
            || al.date_substitutions > 0
            || al.substitutions > substitution_budget(al)
        {
            return None;
        }
        let most = al.prose_share() >= needed_share(self.aligned, al.short_len)
            && al.aligned as f64 >= SPAN_DENSITY * al.long_span as f64;
        let rest = al.prose - al.prose_aligned;
        let lead = al.first_starts_lines
            && al.first.0 <= LEAD
            && al.first.1 <= LEAD
            && al.first_len >= self.min_aligned
            && al.prose_aligned >= self.min_aligned
            && rest <= al.first_len.min(EXCERPT_REST)
            && al.foreign_figures == 0;
        (most || lead).then(|| al.prose_share())
    }

    /// The verdict on the pair `pair` of documents with evidence `a` and
    /// `b` ([`VerifyRule::check`], then [`Verdict::matched`]).
    pub fn judge(&self, pair: Pair, a: &Evidence, b: &Evidence) -> Verdict {
        match self.check(a, b) {
            Some(s) => Verdict::matched(pair, s, (a.shingles.len(), b.shingles.len())),
            None => Verdict::Apart,
        }
    }

    /// Whether most of the smaller set of figures appears in the larger.
    fn figures_agree(&self, a: &Evidence, b: &Evidence) -> bool {
        let shared = merge_count(&a.numbers, &b.numbers);
        let small = a.numbers.len().min(b.numbers.len());
        small < MIN_NUMBERS || shared as f64 >= self.numbers * small as f64
    }

    /// Whether a pair with Jaccard `j`, containment `c` and shingle-set
    /// sizes `sizes` passes, given the figures in `a` and `b` (their
    /// shingles are not read: `j` and `c` may be estimates).
    pub fn accepts(
        &self,
        j: f64,
        c: f64,
        sizes: (usize, usize),
        a: &Evidence,
        b: &Evidence,
    ) -> bool {
        (j >= self.jaccard || self.contained(c, sizes) || self.near(j, sizes, a, b))
            && self.figures_agree(a, b)
    }

    /// The containment rule: most of the smaller set is in the larger.
    fn contained(&self, c: f64, (sa, sb): (usize, usize)) -> bool {
        c >= self.containment && sa.min(sb) >= self.min_contained
    }

    /// The near rule: a noisy or edited copy of about the same length with
    /// at most [`MAX_NEAR_SUBSTITUTIONS`] figures changed in place.
    fn near(&self, j: f64, (sa, sb): (usize, usize), a: &Evidence, b: &Evidence) -> bool {
        j >= self.near
            && sa.min(sb) >= self.min_contained
            && sa.min(sb) as f64 >= self.near_size_ratio * sa.max(sb) as f64
            && substitutions(&a.figures, &b.figures) <= MAX_NEAR_SUBSTITUTIONS
    }
}

/// The set rules' answers for one pair, for a report of why it is or is
/// not a copy ([`VerifyRule::accepts`] is [`SetRules::pass`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SetRules {
    /// Jaccard reaches `jaccard`.
    pub jaccard: bool,
    /// Containment reaches `containment` (and the smaller set is big enough).
    pub contained: bool,
    /// The near rule holds (`near`, `near_size_ratio`, few figures changed).
    pub near: bool,
    /// Most of the smaller set of figures is in the larger (`numbers`).
    pub figures_agree: bool,
}

impl SetRules {
    /// Whether the set rules take the pair: one of the three, and the figures.
    pub fn pass(&self) -> bool {
        (self.jaccard || self.contained || self.near) && self.figures_agree
    }
}

/// How many of an alignment's figures may stand where the other text has
/// another figure ([`VerifyRule::aligns`]): one in eight, and one more in
/// a long alignment.
pub fn substitution_budget(al: &align::Alignment) -> usize {
    al.figures / 8 + usize::from(al.aligned >= LONG_ALIGNED)
}

/// Candidate pairs are checked in rounds of this many, in pair order. A
/// pair whose documents the edges of earlier rounds (or identical bodies)
/// already join is not checked: its edge could not change the clusters. In
/// a cluster of `n` copies that are each other's candidates, that checks
/// about `n` pairs instead of `n (n - 1) / 2`.
///
/// Within a round, the pairs whose first documents are in one cluster (as
/// the round starts) are one task, and the tasks run in parallel. A task
/// checks its pairs in pair order and skips a pair whose second document's
/// cluster one of its own edges has reached: a document with a candidate in
/// each of thirty copies of its article, one cluster already, is checked
/// once, not thirty times, when the first check joins it. (On the
/// many-world s12 that is 2% fewer set checks and 27% fewer alignments
/// that succeed; the clusters are the same, since a skipped pair's
/// documents end the round joined.) The rounds and the tasks are fixed by
/// the pair order and the clusters, so which pairs are checked does not
/// depend on the thread count.
pub const ROUND: usize = 1024;

/// Verifies candidate pairs (sorted) against each document's evidence (from
/// `evidence(doc)`, with token sequences when the alignment rule is on), on
/// top of the unions already in `joined` (e.g. identical bodies), which it
/// extends with every edge. Returns the edges in pair order: enough edges to
/// join every cluster, not every near-duplicate pair (see [`ROUND`]), the
/// part matches chosen by [`crate::cluster::attach`] among them.
///
/// Two passes: [`verify_sets`] on the pairs, then [`align_pairs`] on the
/// pairs it rejected whose documents are still apart ([`still_apart`]),
/// then the part matches attach. The pipeline runs the same steps with
/// token sequences made for the second pass only.
pub fn verify<'e, E>(
    pairs: &[Pair],
    evidence: E,
    rule: &VerifyRule,
    joined: &mut UnionFind,
) -> Result<Vec<Edge>>
where
    E: Fn(u32) -> Result<Cow<'e, Evidence>> + Sync,
{
    let (mut edges, mut parts, rejected) = verify_sets(pairs, &evidence, rule, joined)?;
    if rule.aligning() {
        let apart = still_apart(rejected, joined);
        let tokens = |_: &[Pair]| Ok(EvidenceTokens(&evidence));
        let aligned = align_pairs(&apart, &parts, &edges, &evidence, tokens, rule, joined)?;
        parts.extend(aligned.parts);
        edges = merge_edges(edges, aligned.edges);
    }
    let size = |d| Ok(evidence(d)?.shingles.len());
    let attached = crate::cluster::attach(joined, &edges, &parts, size)?;
    Ok(merge_edges(edges, attached))
}

/// What [`join_pairs`] found: edges, part matches and rejected pairs, each
/// in pair order. [`join_pairs_with`] lists each rejected pair as its
/// check describes it (`R`).
#[derive(Debug)]
pub struct Joined<R = Pair> {
    /// Verified pairs, joined.
    pub edges: Vec<Edge>,
    /// Part matches ([`Part`]), not joined.
    pub parts: Vec<Part>,
    /// Pairs found apart.
    pub rejected: Vec<R>,
}

impl<R> Default for Joined<R> {
    fn default() -> Self {
        Joined {
            edges: Vec::new(),
            parts: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

/// Checks `pairs` in rounds ([`ROUND`]) with `check`, skipping the pairs
/// that `joined` joins (or that an edge of the round's task joins), and
/// joining the documents of every edge (not of
/// part matches, which [`crate::cluster::attach`] decides on once every
/// pair is checked).
pub fn join_pairs<F>(pairs: &[Pair], joined: &mut UnionFind, check: F) -> Result<Joined>
where
    F: Fn(Pair) -> Result<Verdict> + Sync,
{
    join_pairs_with(pairs, joined, |p| Ok((check(p)?, p)))
}

/// [`join_pairs`] with a check that also describes each pair (`R`), kept
/// for the rejected ones: the set pass keeps their scores
/// ([`verify_sets`]), which the alignment pass orders them by.
pub fn join_pairs_with<F, R>(pairs: &[Pair], joined: &mut UnionFind, check: F) -> Result<Joined<R>>
where
    F: Fn(Pair) -> Result<(Verdict, R)> + Sync,
    R: Send,
{
    let mut out = Joined::default();
    for round in pairs.chunks(ROUND) {
        // The round's open pairs, with their documents' clusters as the
        // round starts.
        let open: Vec<(Pair, u32, u32)> = round
            .iter()
            .filter_map(|&(a, b)| {
                let (ra, rb) = (joined.find(a), joined.find(b));
                (ra != rb).then_some(((a, b), ra, rb))
            })
            .collect();
        // One task per cluster of first documents, its pairs in pair order.
        let mut order: Vec<u32> = (0..open.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (open[i as usize].1, i));
        let tasks: Vec<&[u32]> = order
            .chunk_by(|&i, &j| open[i as usize].1 == open[j as usize].1)
            .collect();
        let found: Vec<Vec<(u32, (Verdict, R))>> = tasks
            .par_iter()
            .map(|task| {
                let mut reached = vec![open[task[0] as usize].1];
                let mut verdicts = Vec::with_capacity(task.len());
                for &i in task.iter() {
                    let (pair, _, rb) = open[i as usize];
                    if reached.contains(&rb) {
                        continue;
                    }
                    let checked = check(pair)?;
                    if let Verdict::Edge(_) = checked.0 {
                        reached.push(rb);
                    }
                    verdicts.push((i, checked));
                }
                Ok(verdicts)
            })
            .collect::<Result<_>>()?;
        let mut verdicts: Vec<(u32, (Verdict, R))> = found.into_iter().flatten().collect();
        verdicts.sort_unstable_by_key(|&(i, _)| i);
        for (_, (verdict, about)) in verdicts {
            match verdict {
                Verdict::Edge(e) => {
                    joined.union(e.a, e.b);
                    out.edges.push(e);
                }
                Verdict::Part(p) => out.parts.push(p),
                Verdict::Apart => out.rejected.push(about),
            }
        }
    }
    Ok(out)
}

/// The first pass of verification: the set rules ([`VerifyRule::score_sets`])
/// on the pairs, in rounds ([`join_pairs`]). Returns the edges, the part
/// matches and the rejected pairs, each with its scores (an [`Edge`] that
/// did not pass: [`align_pairs`] orders them by those, without scoring
/// them again).
pub fn verify_sets<'e, E>(
    pairs: &[Pair],
    evidence: E,
    rule: &VerifyRule,
    joined: &mut UnionFind,
) -> Result<(Vec<Edge>, Vec<Part>, Vec<Edge>)>
where
    E: Fn(u32) -> Result<Cow<'e, Evidence>> + Sync,
{
    let found = join_pairs_with(pairs, joined, |(a, b)| {
        let (x, y) = (evidence(a)?, evidence(b)?);
        let sizes = (x.shingles.len(), y.shingles.len());
        let (scores, passes) = rule.score_sets(&x, &y);
        let verdict = match passes {
            true => Verdict::matched((a, b), scores, sizes),
            false => Verdict::Apart,
        };
        Ok((verdict, edge((a, b), scores)))
    })?;
    Ok((found.edges, found.parts, found.rejected))
}

/// The rejected pairs whose documents `joined` does not join: the only ones
/// the alignment rule can change clusters with (it costs about ten times
/// the set rules).
pub fn still_apart(rejected: Vec<Edge>, joined: &mut UnionFind) -> Vec<Edge> {
    rejected
        .into_iter()
        .filter(|e| joined.find(e.a) != joined.find(e.b))
        .collect()
}

/// Token keys of documents ([`crate::shingle::token_keys`]), for the
/// alignment rule.
pub trait Tokens: Sync {
    /// The token keys of `doc`.
    fn tokens(&self, doc: u32) -> Result<Cow<'_, [u32]>>;
}

/// The token keys kept in each document's [`Evidence`].
pub struct EvidenceTokens<E>(pub E);

impl<'e, E> Tokens for EvidenceTokens<E>
where
    E: Fn(u32) -> Result<Cow<'e, Evidence>> + Sync,
{
    fn tokens(&self, doc: u32) -> Result<Cow<'_, [u32]>> {
        Ok(Cow::Owned((self.0)(doc)?.tokens.clone()))
    }
}

/// What [`align_pairs`] found: the edges (joined) and the part matches
/// (not joined) the alignment rule took.
#[derive(Debug, Default)]
pub struct Aligned {
    /// Edges, in pair order.
    pub edges: Vec<Edge>,
    /// Part matches that [`crate::cluster::attach`] may choose.
    pub parts: Vec<Part>,
}

/// The second pass of verification: the pairs of `apart` (rejected by the
/// set rules, with their shingle sets' scores: see [`verify_sets`]) that
/// the alignment rule ([`VerifyRule::aligns`]) takes, with each document's
/// token keys from `make_tokens(pairs)`, which is called for the pairs
/// about to be aligned (so that only their documents' tokens are made).
///
/// Whether an accepted pair would be an edge or a part match depends on its
/// scores alone ([`Verdict::matched`]), so it is known before aligning:
/// * **edge-like pairs** are aligned in rounds, in pair order, as the set
///   rules are ([`join_pairs`]; part-like pairs never join, so leaving them
///   out changes no round), joining `joined`;
/// * **part-like pairs** are aligned only as far as
///   [`crate::cluster::attach`] can use them. Attach takes, for each
///   cluster, its best outward part match (by [`crate::cluster::part_key`])
///   if one of its largest members has an outward part match (the
///   witness). So each cluster's part-like pairs (given the clusters the
///   edges make) are aligned in key order: first its largest members',
///   until the witness; then, if there is one, those before it, until the
///   best (see `Cluster`). `known` part matches (of the set rules) count
///   as found. An excerpt of an article with fifty copies costs one or
///   two alignments, not fifty, and a cluster without a witness costs only
///   its largest members' pairs.
///
/// The part matches returned, with `known`, give attach the same result as
/// every part-like pair that aligns would. `edges` are the edges already
/// joined (which [`crate::cluster::attach`] reads for each cluster's
/// largest member).
#[allow(clippy::too_many_arguments)]
pub fn align_pairs<'e, E, T, M>(
    apart: &[Edge],
    known: &[Part],
    edges: &[Edge],
    evidence: E,
    mut make_tokens: M,
    rule: &VerifyRule,
    joined: &mut UnionFind,
) -> Result<Aligned>
where
    E: Fn(u32) -> Result<Cow<'e, Evidence>> + Sync,
    T: Tokens,
    M: FnMut(&[Pair]) -> Result<T>,
{
    let mut out = Aligned::default();
    if apart.is_empty() {
        return Ok(out);
    }
    // What each pair would be if it aligned; apart if it is not tried
    // ([`VerifyRule::may_align`]: left in place, so that the rounds of
    // `join_pairs` are the same).
    let (matches, sizes): (Vec<Verdict>, Vec<(usize, usize)>) = apart
        .par_iter()
        .map(|&e| {
            let sizes = (evidence(e.a)?.shingles.len(), evidence(e.b)?.shingles.len());
            let tried = rule.may_align(e.containment as f64);
            Ok((
                if tried {
                    Verdict::of(e, sizes)
                } else {
                    Verdict::Apart
                },
                sizes,
            ))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let aligns = |tokens: &T, (a, b): Pair| -> Result<bool> {
        Ok(rule
            .aligns(&tokens.tokens(a)?, &tokens.tokens(b)?)
            .is_some())
    };

    // Edge-like pairs, in the rounds of every pair (a part-like pair is
    // apart here, without aligning).
    let edge_like: ahash::AHashMap<Pair, Edge> = matches
        .iter()
        .filter_map(|m| match m {
            Verdict::Edge(e) => Some(((e.a, e.b), *e)),
            _ => None,
        })
        .collect();
    if !edge_like.is_empty() {
        let pairs: Vec<Pair> = apart.iter().map(|e| (e.a, e.b)).collect();
        // (Made in pair order; the store sorts the documents anyway.)
        let edge_pairs: Vec<Pair> = pairs
            .iter()
            .copied()
            .filter(|p| edge_like.contains_key(p))
            .collect();
        let tokens = make_tokens(&edge_pairs)?;
        let found = join_pairs(&pairs, joined, |p| {
            Ok(match edge_like.get(&p) {
                Some(&e) if aligns(&tokens, p)? => Verdict::Edge(e),
                _ => Verdict::Apart,
            })
        })?;
        out.edges = found.edges;
    }

    // Part-like pairs, cluster by cluster, in attach's key order.
    let mut cands: Vec<Candidate> = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        if let Verdict::Part(p) = m {
            let size = if p.part == p.edge.a {
                sizes[i].0
            } else {
                sizes[i].1
            };
            cands.push(Candidate::new(*p, size, false, joined));
        }
    }
    if cands.is_empty() {
        return Ok(out);
    }
    for p in known {
        let size = evidence(p.part)?.shingles.len();
        cands.push(Candidate::new(*p, size, true, joined));
    }
    cands.retain(|c| c.from != joined.find(c.part.whole()));
    cands.sort_unstable_by_key(|c| (c.from, crate::cluster::part_key(&c.part)));
    // Each cluster's largest member, as attach finds it: the ends of its
    // edges (every member of a joined cluster is one, or an identical copy
    // of one) and its parts.
    let mut clusters: Vec<Cluster> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        match clusters.last_mut() {
            Some(g) if g.from == c.from => {
                g.end = i + 1;
                g.largest = g.largest.max(c.size);
            }
            _ => clusters.push(Cluster::new(c.from, i, c.size)),
        }
    }
    let of_root: ahash::AHashMap<u32, usize> = clusters
        .iter()
        .enumerate()
        .map(|(k, g)| (g.from, k))
        .collect();
    for e in edges.iter().chain(&out.edges) {
        for d in [e.a, e.b] {
            if let Some(&k) = of_root.get(&joined.find(d)) {
                let size = evidence(d)?.shingles.len();
                clusters[k].largest = clusters[k].largest.max(size);
            }
        }
    }

    // In waves: each open cluster's next candidates that its search needs
    // (1, 2, 4, ... of them; see `Cluster`), aligned together.
    let mut taken: Vec<Option<bool>> = cands.iter().map(|c| c.known.then_some(true)).collect();
    let mut wave_size = 1;
    loop {
        let mut wave: Vec<usize> = Vec::new();
        for g in clusters.iter_mut() {
            g.settle(&cands, &taken);
            wave.extend(g.pending(&cands, &taken).take(wave_size));
        }
        if wave.is_empty() {
            break;
        }
        let wave_pairs: Vec<Pair> = wave
            .iter()
            .map(|&i| (cands[i].part.edge.a, cands[i].part.edge.b))
            .collect();
        let tokens = make_tokens(&wave_pairs)?;
        let results: Vec<bool> = wave_pairs
            .par_iter()
            .map(|&p| aligns(&tokens, p))
            .collect::<Result<_>>()?;
        for (&i, t) in wave.iter().zip(results) {
            taken[i] = Some(t);
        }
        wave_size = (wave_size * 2).min(64);
    }
    out.parts = cands
        .iter()
        .zip(&taken)
        .filter(|(c, t)| !c.known && **t == Some(true))
        .map(|(c, _)| c.part)
        .collect();
    out.parts.sort_unstable_by_key(|p| (p.edge.a, p.edge.b));
    Ok(out)
}

/// A part-like pair of [`align_pairs`], between two clusters.
struct Candidate {
    part: Part,
    /// The cluster of the part.
    from: u32,
    /// The part's shingles.
    size: usize,
    /// A part match of the set rules (taken without aligning).
    known: bool,
}

impl Candidate {
    fn new(part: Part, size: usize, known: bool, joined: &mut UnionFind) -> Candidate {
        Candidate {
            from: joined.find(part.part),
            part,
            size,
            known,
        }
    }
}

/// A cluster's candidates in [`align_pairs`] (`cands[start..end]`, in key
/// order) and what is found of them. Attach uses a cluster's part matches
/// only if one of its largest members has one (the *witness*), and then
/// only its best, which comes no later than the witness in key order. So
/// the largest members' candidates are aligned first, until the witness;
/// then the candidates before it, until the best. A cluster without a
/// witness costs no more alignments.
struct Cluster {
    from: u32,
    start: usize,
    end: usize,
    largest: usize,
    /// The first candidate not yet settled in the search for the witness.
    next: usize,
    /// The witness, once found.
    witness: Option<usize>,
    /// The first candidate not yet settled in the search for the best.
    best_next: usize,
    done: bool,
}

impl Cluster {
    fn new(from: u32, start: usize, size: usize) -> Cluster {
        Cluster {
            from,
            start,
            end: start + 1,
            largest: size,
            next: start,
            witness: None,
            best_next: start,
            done: false,
        }
    }

    /// The candidates whose outcome the search needs next, in order (as
    /// many as are pending, not only the first).
    fn pending<'t>(
        &self,
        cands: &'t [Candidate],
        taken: &'t [Option<bool>],
    ) -> impl Iterator<Item = usize> + 't {
        let (from, to, largest_only) = match (self.done, self.witness) {
            (true, _) => (0, 0, false),
            (false, None) => (self.next, self.end, true),
            (false, Some(w)) => (self.best_next, w, false),
        };
        let largest = self.largest;
        (from..to)
            .filter(move |&i| taken[i].is_none() && (!largest_only || cands[i].size == largest))
    }

    /// Walks the candidates in key order as far as their outcomes are known.
    fn settle(&mut self, cands: &[Candidate], taken: &[Option<bool>]) {
        if self.witness.is_none() && !self.done {
            while self.next < self.end {
                if cands[self.next].size == self.largest {
                    match taken[self.next] {
                        None => return,
                        Some(true) => break,
                        Some(false) => {}
                    }
                }
                self.next += 1;
            }
            if self.next == self.end {
                // No largest member has a part match: attach uses none.
                self.done = true;
                return;
            }
            self.witness = Some(self.next);
            self.best_next = self.start;
        }
        if let (Some(w), false) = (self.witness, self.done) {
            while self.best_next < w {
                match taken[self.best_next] {
                    None => return,
                    Some(true) => break,
                    Some(false) => self.best_next += 1,
                }
            }
            self.done = true;
        }
    }
}

/// Two lists of edges, each in pair order, as one in pair order.
pub fn merge_edges(mut edges: Vec<Edge>, more: Vec<Edge>) -> Vec<Edge> {
    if !more.is_empty() {
        edges.extend(more);
        edges.sort_unstable_by_key(|e| (e.a, e.b));
    }
    edges
}

fn edge((a, b): Pair, (j, c): (f64, f64)) -> Edge {
    Edge {
        a,
        b,
        jaccard: j as f32,
        containment: c as f32,
    }
}

impl Blob for Evidence {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u32s(out, &self.shingles);
        let flat: Vec<u64> = self.figures.iter().flat_map(|&(c, f)| [c, f]).collect();
        put_u64s(out, &flat);
        put_u32s(out, &self.tokens);
    }

    fn decode(bytes: &[u8]) -> Evidence {
        let (shingles, rest) = take_u32s(bytes);
        let (flat, rest) = take_u64s(rest);
        let (tokens, _) = take_u32s(rest);
        Evidence::new(
            shingles,
            flat.chunks_exact(2).map(|p| (p[0], p[1])).collect(),
        )
        .with_tokens(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: VerifyRule = VerifyRule {
        jaccard: 0.8,
        containment: 0.9,
        min_contained: 3,
        // (also the minimum size for the near rule)
        near: 0.5,
        near_size_ratio: 0.8,
        numbers: 0.5,
        aligned: 2.0,
        min_aligned: 20,
    };

    /// [`RULE`] with the alignment rule on (70% of prose, leads of 20).
    const ALIGNING: VerifyRule = VerifyRule {
        aligned: 0.7,
        min_aligned: 20,
        ..RULE
    };

    use crate::align::tests::fold as tokens;

    /// Evidence whose figure `x` stands in context `x % 100`.
    fn ev(shingles: &[u32], numbers: &[u64]) -> Evidence {
        let mut figures: Vec<(u64, u64)> = numbers.iter().map(|&x| (x % 100, x)).collect();
        figures.sort_unstable();
        Evidence::new(shingles.to_vec(), figures)
    }

    #[test]
    fn intersections_count_shared_values() {
        let mut state = 1u64;
        let mut set = |n: usize, modulus: u64| {
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    state = crate::shingle::fmix64(state + 1);
                    (state % modulus) as u32
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut cases = vec![
            (10, 20),
            (100, 150),
            (500, 600),
            (2000, 3000),
            (300, 100_000),
            (0, 10),
        ];
        // Every length mod 4 on either side, dense and sparse overlaps.
        cases.extend((1..40).map(|n| (n, 2 * n as u64 + 1)));
        cases.extend((60..70).map(|n| (n, 1 << 32)));
        for (n, m) in cases {
            let (a, b) = (set(n, m), set(n * 3 / 2 + n % 3, m));
            let direct = a.iter().filter(|x| b.contains(x)).count();
            for (x, y) in [(&a, &b), (&b, &a), (&a, &a)] {
                let direct = if x == y { x.len() } else { direct };
                assert_eq!(intersection(x, y), direct, "{n} {m}");
                assert_eq!(intersection_lock_step(x, y), direct, "{n} {m}");
                #[cfg(target_arch = "x86_64")]
                assert_eq!(intersection_sse2(x, y), direct, "{n} {m}");
                assert_eq!(merge_count(x, y), direct, "{n} {m}");
            }
        }
    }

    #[test]
    fn exact_scores() {
        assert_eq!(scores(&[1, 2, 3, 4], &[3, 4, 5, 6]), (2.0 / 6.0, 0.5));
        assert_eq!(scores(&[1, 2], &[1, 2, 3, 4]), (0.5, 1.0));
        assert_eq!(scores(&[], &[1]), (0.0, 0.0));
        let big: Vec<u32> = (0..1000).collect();
        assert_eq!(intersection(&[5, 999, 1000], &big), 2);
    }

    #[test]
    fn containment_needs_a_big_enough_excerpt() {
        let full = ev(&(0..10).collect::<Vec<_>>(), &[]);
        assert!(RULE.check(&ev(&[1, 2, 3], &[]), &full).is_some());
        assert!(RULE.check(&ev(&[1, 2], &[]), &full).is_none());
        assert!(RULE.check(&ev(&[1, 2, 3, 40], &[]), &full).is_none());
        let pairs = vec![(0, 1), (0, 2)];
        let sets = [full.clone(), full.clone(), ev(&[50, 51, 52], &[])];
        let edges = verify(
            &pairs,
            |d| Ok(Cow::Borrowed(&sets[d as usize])),
            &RULE,
            &mut UnionFind::new(sets.len()),
        )
        .unwrap();
        assert_eq!(edges.len(), 1);
        assert_eq!((edges[0].a, edges[0].b, edges[0].jaccard), (0, 1, 1.0));
    }

    #[test]
    fn a_part_of_two_reports_joins_one_and_never_both() {
        // Reports 0 and 1 open with the same templated sentence (shingles
        // 0..20) and go on apart; 2 is a truncated copy that ends after it
        // (and a line of its own), 3 a copy of report 0.
        let opening: Vec<u32> = (0..20).collect();
        let with = |rest: std::ops::Range<u32>| {
            let mut v = opening.clone();
            v.extend(rest);
            ev(&v, &[])
        };
        let docs = [
            with(100..180),
            with(200..290),
            with(300..301),
            with(100..180),
        ];
        let get = |d: u32| Ok(Cow::Borrowed(&docs[d as usize]));
        let pairs: Vec<Pair> = vec![(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)];
        let mut joined = UnionFind::new(4);
        let edges = verify(&pairs, get, &RULE, &mut joined).unwrap();
        assert_eq!(joined.find(0), joined.find(3), "the copy");
        assert_ne!(joined.find(0), joined.find(1), "no bridge: {edges:?}");
        // Equal containment in both: the higher Jaccard, with the shorter
        // report 0.
        assert_eq!(joined.find(2), joined.find(0));
        let pair_list: Vec<Pair> = edges.iter().map(|e| (e.a, e.b)).collect();
        assert_eq!(pair_list, vec![(0, 2), (0, 3)]);
    }

    /// The alignment rule is tried only from a shingle containment of
    /// [`ALIGN_MIN_CONTAINMENT`]: two texts whose tokens align in full
    /// but whose sets share 9 of 100 shingles stay apart, and with 10
    /// they join.
    #[test]
    fn pairs_under_the_containment_floor_are_not_aligned() {
        let rule = VerifyRule {
            aligned: 0.7,
            ..RULE
        };
        let text =
            "Valero Energy Corp said Valero Natural Gas Partners was making an initial public \
            offering of units, and that a subsidiary will own a stake in the partnership. The \
            offering is being managed by Shearson Lehman Brothers, Goldman Sachs and Company, \
            and Dean Witter Reynolds, and the proceeds will buy pipeline assets.";
        let tokens = tokens(text);
        assert!(tokens.len() >= rule.min_aligned);
        let pair = |shared: u32| {
            let a = Evidence::new((0..100).collect(), vec![]).with_tokens(tokens.clone());
            let b = Evidence::new((100 - shared..200 - shared).collect(), vec![]);
            rule.check(&a, &b.with_tokens(tokens.clone()))
        };
        assert_eq!(pair(9), None, "containment 0.09");
        let (j, c) = pair(10).expect("containment 0.10: aligned");
        assert!((c - 0.1).abs() < 1e-9 && j < rule.jaccard, "{j} {c}");
        assert!(rule.may_align(c) && !rule.may_align(0.09));
    }

    #[test]
    fn a_long_alignment_tolerates_one_figure_that_ocr_broke() {
        let rule = ALIGNING;
        let offering = "Valero Energy Corp said Valero Natural Gas Partners was making an initial public \
            offering of 9.5 mln units at 22.75 dlrs a unit, and that a subsidiary will own a 49 pct stake. \
            The offering is being managed by Shearson Lehman Brothers, Goldman Sachs and Company, \
            E.F. Hutton and Company and Dean Witter Reynolds. Valero Natural Gas was formed to buy Valero \
            Energy's natural gas pipeline and liquid assets, and it will use the proceeds from the offering \
            and a 550 mln dlr private placement of first mortgage notes for the purchase of those assets.";
        let scanned = offering.replace("550", "55O");
        assert!(tokens(offering).len() >= LONG_ALIGNED);
        assert!(
            rule.aligns(&tokens(offering), &tokens(&scanned)).is_some(),
            "one broken figure in a long copy"
        );
        let fed = "The Federal Reserve entered the government securities market to supply temporary \
            reserves via 2.5 billion dlrs of customer repurchase agreements, a spokesman said, with \
            federal funds trading at 6-3/16 pct when the Fed began its temporary and indirect supply.";
        let other_day = fed.replace("2.5 billion", "1.5 billion");
        assert!(tokens(fed).len() < LONG_ALIGNED);
        assert!(
            rule.aligns(&tokens(fed), &tokens(&other_day)).is_none(),
            "a short templated report with another figure"
        );
        let twice = scanned.replace("49 pct", "51 pct");
        assert!(
            rule.aligns(&tokens(offering), &tokens(&twice)).is_none(),
            "two figures substituted in a text with few figures"
        );
    }

    #[test]
    fn a_table_of_another_date_is_not_a_copy() {
        let rule = ALIGNING;
        let table = |through: &str| {
            format!(
                "NATIONAL AVERAGE PRICES FOR FARMER-OWNED RESERVE\nThe U.S. Agriculture Department \
                 reported the farmer-owned reserve national five-day average price through {through} \
                 as follows (Dlrs/Bu-Sorghum Cwt) -\nWheat 2.63 2.40 IV 4.65\nV 4.65\nVI 4.45\n\
                 Corn 1.38 1.92 IV 3.15 3.15\nV 3.25\nOats 1.68 0.99 V 1.65\nBarley 1.61 1.56 IV 2.55 \
                 2.55\nV 2.65\nSorghum 2.44 3.25 IV 5.36 5.36\nV 5.54"
            )
        };
        assert!(rule
            .aligns(&tokens(&table("April 7")), &tokens(&table("April 7")))
            .is_some());
        assert!(
            rule.aligns(&tokens(&table("April 7")), &tokens(&table("February 7")))
                .is_none(),
            "the table of another month"
        );
        // OCR's "Apri1" is no other month.
        assert!(rule
            .aligns(&tokens(&table("April 7")), &tokens(&table("Apri1 7")))
            .is_some());
    }

    #[test]
    fn an_excerpt_holds_no_figure_of_its_own() {
        let rule = ALIGNING;
        let lead = "U.K. MONEY MARKET SHORTAGE FORECAST AT 300 MLN STG\n\
            The Bank of England said it forecast a liquidity shortage of around 300 mln stg in the \
            market today, the third day running that it expected to add funds.";
        let report = format!(
            "{lead}\nAmong the main factors, the Bank said bills maturing in official hands and the \
             treasury bill take-up would drain 483 mln stg from the system, while a rise in the note \
             circulation would take out 100 mln stg.\nPartially offsetting these, exchequer \
             transactions would add around 355 mln stg, the Bank added in its morning statement."
        );
        let excerpt = format!(
            "{lead}\nRead the full report at the Northern Ledger, which follows the money market \
             every morning before trading opens."
        );
        assert!(
            rule.aligns(&tokens(&report), &tokens(&excerpt)).is_some(),
            "an excerpt: the lead, then a line of the site's own"
        );
        // Another day's forecast of the same size: the same opening, then
        // that day's own figures.
        let other_day = format!(
            "{lead}\nBills maturing in official hands and the take-up of treasury bills will drain \
             some 338 mln stg, while bankers' balances take out 25 mln."
        );
        let al = crate::align::align(&tokens(&report), &tokens(&other_day));
        assert_eq!(al.foreign_figures, 2, "{al:?}");
        assert!(
            rule.aligns(&tokens(&report), &tokens(&other_day)).is_none(),
            "figures the report lacks: another day's report"
        );
        // Its figures anywhere in the longer text are not foreign.
        let same_day = other_day.replace("338", "355").replace("25 mln", "100 mln");
        assert!(rule.aligns(&tokens(&report), &tokens(&same_day)).is_some());
    }

    #[test]
    fn alignment_rule_takes_noisy_copies_and_leaves_templates_and_quotes() {
        use crate::shingle::{shingle_body, token_keys, Shingled};
        let evidence = |text: &str| {
            let body = crate::text::normalize::normalize(text);
            let mut s = Shingled::default();
            shingle_body(&body, crate::shingle::ShingleSpec::default(), &mut s);
            Evidence::new(s.set(), s.figures.clone()).with_tokens(token_keys(&body))
        };
        let story = "The central bank raised its main interest rate by a quarter point to 4.5 percent on Thursday, \
            citing stubborn inflation in services and a labour market that has barely cooled since the spring. \
            Economists had expected the move after figures last week showed prices rising 3.2 percent a year, \
            and the bank said further increases could not be ruled out if wage growth stayed strong into the autumn.";
        // One word in five garbled, as OCR garbles them: word 5-grams break.
        let noisy: String = story
            .split(' ')
            .enumerate()
            .map(|(i, w)| {
                if i % 5 == 2 {
                    w.replace('e', "c").replace('a', "o").replace('i', "l")
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let rule = ALIGNING;
        let (a, b) = (evidence(story), evidence(&noisy));
        let both = scores(&a.shingles, &b.shingles);
        assert!(both.0 < 0.4, "J {}: the set rules alone miss it", both.0);
        assert!(RULE.check(&a, &b).is_none());
        // Taken by the alignment, with the sets' scores.
        assert_eq!(rule.check(&a, &b), Some(both));
        assert!(RULE.aligns(&a.tokens, &b.tokens).is_none(), "off above 1");
        let template = story.replace("4.5", "4.75").replace("3.2", "3.4");
        assert!(
            rule.aligns(&a.tokens, &evidence(&template).tokens)
                .is_none(),
            "other figures in the same places"
        );
        let quoting = format!(
            "Storms closed schools across the north on Monday and left thousands of homes without power. \
             Engineers worked through the night to restore lines while councils opened halls for families. \
             {} said a report, as forecasters warned of more wind and rain before the weekend across the region.",
            story.split(' ').take(16).collect::<Vec<_>>().join(" ")
        );
        assert!(
            rule.aligns(&a.tokens, &evidence(&quoting).tokens).is_none(),
            "a shared quotation"
        );

        // Two passes: the noisy copy aligns with the story; its pair with
        // the story's exact copy (joined to the story by the set rules, so
        // in the same task of the alignment round) is skipped once that
        // edge reaches it, and once a union joins it, alignment is not
        // run. The components are those of checking every pair.
        let docs = [a.clone(), a.clone(), b.clone()];
        let get = |d: u32| Ok(Cow::Borrowed(&docs[d as usize]));
        let pairs = [(0, 1), (0, 2), (1, 2)];
        let mut joined = UnionFind::new(3);
        let edges = verify(&pairs, get, &rule, &mut joined).unwrap();
        assert!(pairs
            .iter()
            .all(|&(x, y)| rule.check(&docs[x as usize], &docs[y as usize]).is_some()));
        let listed: Vec<Pair> = edges.iter().map(|e| (e.a, e.b)).collect();
        assert_eq!(listed, [(0, 1), (0, 2)]);
        assert_eq!(joined.roots(), [joined.find(0); 3]);
        let mut joined = UnionFind::new(3);
        joined.union(0, 2);
        let edges = verify(&pairs, get, &rule, &mut joined).unwrap();
        assert_eq!(edges.len(), 1, "only the set rules' edge: {edges:?}");
        let mut apart = UnionFind::new(3);
        assert_eq!(verify(&pairs, get, &RULE, &mut apart).unwrap().len(), 1);
        assert_ne!(apart.find(0), apart.find(2), "the rule off leaves it apart");
    }

    #[test]
    fn rounds_skip_pairs_already_joined_and_keep_the_components() {
        // Every pair of 3 rounds' worth of copies, plus strangers: all
        // copies join, through fewer checks than pairs, and the pairs
        // checked do not depend on the thread count.
        let n = 100u32;
        let copy = ev(&(0..10).collect::<Vec<_>>(), &[]);
        let stranger = |k: u32| ev(&(100 * k..100 * k + 10).collect::<Vec<_>>(), &[]);
        let docs: Vec<Evidence> = (0..n)
            .map(|d| {
                if d % 10 == 9 {
                    stranger(d + 1)
                } else {
                    copy.clone()
                }
            })
            .collect();
        let pairs: Vec<Pair> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        assert!(pairs.len() > ROUND);
        let checked = std::sync::atomic::AtomicUsize::new(0);
        let run = |threads: usize| {
            checked.store(0, std::sync::atomic::Ordering::Relaxed);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut uf = UnionFind::new(n as usize);
            let Joined {
                edges,
                parts,
                rejected,
            } = pool
                .install(|| {
                    join_pairs(&pairs, &mut uf, |(a, b)| {
                        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        Ok(RULE.judge((a, b), &docs[a as usize], &docs[b as usize]))
                    })
                })
                .unwrap();
            assert!(parts.is_empty(), "copies of one size");
            let count = checked.load(std::sync::atomic::Ordering::Relaxed);
            (edges, rejected, uf.roots(), count)
        };
        let (edges, rejected, roots, count) = run(1);
        assert_eq!(
            run(3),
            (edges.clone(), rejected.clone(), roots.clone(), count)
        );
        for d in 0..n {
            assert_eq!(roots[d as usize] == roots[0], d % 10 != 9, "doc {d}");
        }
        assert!(count < pairs.len(), "{count} checks");
        assert_eq!(count, edges.len() + rejected.len());
        // Skipped pairs are ones that joined documents already joined.
        for &(a, b) in &pairs {
            let listed = edges.iter().any(|e| (e.a, e.b) == (a, b)) || rejected.contains(&(a, b));
            assert!(listed || roots[a as usize] == roots[b as usize]);
        }
    }

    #[test]
    fn a_round_checks_a_document_once_per_cluster_its_task_reaches() {
        // Documents 1..=30 are one cluster already; 0 and 31 are further
        // copies, 32 a stranger, and every pair of them with the cluster
        // falls in one round. 0's pairs are one task: the first joins it
        // and the other 29 are skipped. The pairs (a, 31) and (a, 32) have
        // their first documents in the cluster, so they are one task too:
        // 31 is checked once, the stranger every time (it never joins).
        let copy = ev(&(0..10).collect::<Vec<_>>(), &[]);
        let stranger = ev(&(100..110).collect::<Vec<_>>(), &[]);
        let n = 33u32;
        let docs: Vec<Evidence> = (0..n)
            .map(|d| {
                if d == 32 {
                    stranger.clone()
                } else {
                    copy.clone()
                }
            })
            .collect();
        let mut pairs: Vec<Pair> = (1..=30).flat_map(|d| [(0, d), (d, 31), (d, 32)]).collect();
        pairs.sort_unstable();
        assert!(pairs.len() <= ROUND);
        let run = |threads: usize| {
            let checked = std::sync::atomic::AtomicUsize::new(0);
            let mut uf = UnionFind::new(n as usize);
            for d in 2..=30 {
                uf.union(1, d);
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let found = pool
                .install(|| {
                    join_pairs(&pairs, &mut uf, |(a, b)| {
                        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        Ok(RULE.judge((a, b), &docs[a as usize], &docs[b as usize]))
                    })
                })
                .unwrap();
            let edges: Vec<Pair> = found.edges.iter().map(|e| (e.a, e.b)).collect();
            let count = checked.load(std::sync::atomic::Ordering::Relaxed);
            (edges, found.rejected, uf.roots(), count)
        };
        let (edges, rejected, roots, count) = run(1);
        assert_eq!(
            run(2),
            (edges.clone(), rejected.clone(), roots.clone(), count)
        );
        assert_eq!(edges, [(0, 1), (1, 31)]);
        assert_eq!(rejected, (1..=30).map(|d| (d, 32)).collect::<Vec<_>>());
        assert_eq!(count, 32);
        assert!((0..32).all(|d| roots[d] == roots[0]) && roots[32] == 32);
    }

    /// Token keys, shingles and evidence of a made-up page.
    fn page(tokens: Vec<u32>) -> Evidence {
        let mut shingles: Vec<u32> = tokens
            .windows(5)
            .map(|w| {
                let h = w.iter().fold(0u64, |h, &k| {
                    crate::shingle::fmix64(h ^ u64::from(k & !7)).rotate_left(7)
                });
                h as u32
            })
            .collect();
        shingles.sort_unstable();
        shingles.dedup();
        Evidence::new(shingles, Vec::new()).with_tokens(tokens)
    }

    #[test]
    fn aligning_part_matches_lazily_attaches_as_aligning_all() {
        // Articles (two pairs of them open with the same templated lead),
        // each with noisy copies (edge-like: similar sizes, few shared
        // 5-grams) and excerpts (part-like), clean and noisy, as if three
        // sites ran each. Every pair is a candidate.
        let mut state = 7u64;
        let mut rand = move || {
            state = crate::shingle::fmix64(state.wrapping_add(0x9e37_79b9));
            state
        };
        let word = |x: u64| (x as u32) & !7;
        let with_lines = |mut t: Vec<u32>| {
            for (i, k) in t.iter_mut().enumerate() {
                if i % 16 == 15 {
                    *k |= align::LINE_END_BIT;
                }
            }
            t
        };
        let mut articles: Vec<Vec<u32>> = Vec::new();
        for k in 0..10 {
            let len = 120 + (rand() % 180) as usize;
            let mut a: Vec<u32> = (0..len).map(|_| word(rand())).collect();
            if k % 5 == 1 {
                // The previous article's templated lead.
                let lead = articles[k - 1][..48].to_vec();
                a[..48].copy_from_slice(&lead);
            }
            articles.push(a);
        }
        // (the article of the last case below)
        let article: Vec<u32> = (0..200).map(|_| word(rand())).collect();
        let mut longer = article[..84].to_vec();
        longer.extend((0..6).map(|_| word(rand())));
        let mut noisy = |a: &[u32], every: u64| -> Vec<u32> {
            a.iter()
                .map(|&k| if rand() % every == 0 { word(rand()) } else { k })
                .collect()
        };
        let mut docs: Vec<Evidence> = Vec::new();
        for a in &articles {
            let cut = a.len() * 2 / 5;
            for _site in 0..3 {
                docs.push(page(with_lines(noisy(a, 6))));
                docs.push(page(with_lines(noisy(&a[..cut], 12))));
            }
            docs.push(page(with_lines(a.clone())));
            docs.push(page(with_lines(a[..48].to_vec())));
        }
        // A cluster whose smaller member has the better part match: two
        // truncated copies of one article (a copy of each other), the
        // larger with a few words of its own, and a noisy copy of the whole.
        let whole = noisy(&article, 6);
        let first = docs.len() as u32;
        docs.push(page(with_lines(whole)));
        docs.push(page(with_lines(longer)));
        docs.push(page(with_lines(article[..80].to_vec())));
        let n = docs.len() as u32;
        let pairs: Vec<Pair> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        assert!(pairs.len() > 2 * ROUND);
        let rule = VerifyRule {
            aligned: 0.7,
            ..RULE
        };
        let get = |d: u32| Ok(Cow::Borrowed(&docs[d as usize]));
        let size = |d: u32| Ok(docs[d as usize].shingles.len());

        // Every rejected pair aligned, then attached.
        let mut all = UnionFind::new(n as usize);
        let (edges, mut parts, rejected) = verify_sets(&pairs, get, &rule, &mut all).unwrap();
        let apart: Vec<Pair> = still_apart(rejected, &mut all)
            .iter()
            .map(|e| (e.a, e.b))
            .collect();
        let every = join_pairs(&apart, &mut all, |(a, b)| {
            let (x, y) = (&docs[a as usize], &docs[b as usize]);
            let scores = scores(&x.shingles, &y.shingles);
            if !rule.may_align(scores.1) {
                return Ok(Verdict::Apart);
            }
            Ok(match rule.aligns(&x.tokens, &y.tokens) {
                None => Verdict::Apart,
                Some(_) => Verdict::matched((a, b), scores, (x.shingles.len(), y.shingles.len())),
            })
        })
        .unwrap();
        let aligned_parts = every.parts.len();
        assert!(
            aligned_parts > 50 && !every.edges.is_empty(),
            "{aligned_parts}"
        );
        parts.extend(every.parts.iter().copied());
        let edges = merge_edges(edges, every.edges);
        let attached = crate::cluster::attach(&mut all, &edges, &parts, size).unwrap();
        assert!(
            attached
                .iter()
                .any(|e| every.parts.iter().any(|p| p.edge == *e)),
            "an excerpt attaches by alignment"
        );
        let expected = merge_edges(edges, attached);
        let (whole, longer, shorter) = (first, first + 1, first + 2);
        assert!(
            expected.contains(
                &every
                    .parts
                    .iter()
                    .find(|p| p.part == shorter && p.whole() == whole)
                    .unwrap()
                    .edge
            ) && every
                .parts
                .iter()
                .any(|p| p.part == longer && p.whole() == whole),
            "the smaller truncated copy's match is the best of its cluster"
        );

        // Lazily, counting the pairs aligned.
        let mut lazy = UnionFind::new(n as usize);
        let (edges, parts, rejected) = verify_sets(&pairs, get, &rule, &mut lazy).unwrap();
        let apart = still_apart(rejected, &mut lazy);
        let mut asked = 0;
        let found = align_pairs(
            &apart,
            &parts,
            &edges,
            get,
            |p: &[Pair]| {
                asked += p.len();
                Ok(EvidenceTokens(get))
            },
            &rule,
            &mut lazy,
        )
        .unwrap();
        let mut all_parts = parts.clone();
        all_parts.extend(found.parts);
        let edges = merge_edges(edges, found.edges);
        let attached = crate::cluster::attach(&mut lazy, &edges, &all_parts, size).unwrap();
        assert_eq!(merge_edges(edges, attached), expected);
        assert_eq!(lazy.roots(), all.roots());
        assert!(
            asked < apart.len(),
            "{asked} of {} pairs aligned",
            apart.len()
        );
        // verify() runs the same passes.
        let mut once = UnionFind::new(n as usize);
        assert_eq!(verify(&pairs, get, &rule, &mut once).unwrap(), expected);
        assert_eq!(once.roots(), all.roots());
    }

    #[test]
    fn a_part_match_is_a_smaller_set_under_half_the_union() {
        // Every pair of set sizes up to 60 and every overlap: a match is a
        // part match exactly when the smaller set is less than half of the
        // union, so never between sets of one size, always for a contained
        // set of less than half the other's size.
        for sa in 1..=60usize {
            for sb in sa..=60 {
                for i in 1..=sa {
                    let union = sa + sb - i;
                    let e = edge((0, 1), (i as f64 / union as f64, i as f64 / sa as f64));
                    assert_eq!(e.is_part(), 2 * sa < union, "{sa} {sb} {i}");
                    if sa == sb {
                        assert!(!e.is_part(), "one size");
                    }
                    if i == sa && 2 * sa < sb {
                        assert!(e.is_part(), "{sa} in {sb}");
                    }
                    let v = Verdict::matched(
                        (0, 1),
                        (e.jaccard as f64, e.containment as f64),
                        (sb, sa),
                    );
                    match v {
                        Verdict::Part(p) => assert_eq!((p.part, p.whole()), (1, 0)),
                        _ => assert!(!e.is_part()),
                    }
                }
            }
        }
    }

    #[test]
    fn near_rule_needs_similar_sizes_and_the_same_figures() {
        let base: Vec<u32> = (0..10).collect();
        let shifted: Vec<u32> = (3..13).collect();
        let a = ev(&base, &[1, 2, 3, 4]);
        assert!(
            RULE.check(&a, &ev(&shifted, &[1, 2, 3, 4])).is_some(),
            "J = 7/13, equal sizes"
        );
        assert!(
            RULE.check(&a, &ev(&base, &[1, 5, 6, 7])).is_none(),
            "same words, other figures"
        );
        assert!(
            RULE.check(&a, &ev(&base, &[1, 2, 3, 9])).is_some(),
            "one figure of the same text changed"
        );
        assert!(
            RULE.check(&a, &ev(&shifted, &[1, 2, 3])).is_some(),
            "an edit may delete a figure"
        );
        assert!(
            RULE.check(&a, &ev(&shifted, &[1, 2, 3, 104])).is_some(),
            "one figure corrected"
        );
        assert!(
            RULE.check(&a, &ev(&shifted, &[1, 2, 103, 104])).is_none(),
            "a template with other figures"
        );
        assert!(
            RULE.check(&a, &ev(&(3..20).collect::<Vec<_>>(), &[]))
                .is_none(),
            "sizes differ"
        );
        assert!(
            RULE.check(&ev(&[1, 2], &[]), &ev(&[1, 3], &[])).is_none(),
            "too small for the near rule"
        );
    }

    #[test]
    fn short_texts_need_more_of_themselves_aligned() {
        assert_eq!(needed_share(0.7, 10), 0.7 + SHORT_EXTRA);
        assert_eq!(needed_share(0.7, SHORT_TOKENS), 0.7 + SHORT_EXTRA);
        assert!((needed_share(0.7, 65) - (0.7 + SHORT_EXTRA / 2.0)).abs() < 1e-12);
        assert_eq!(needed_share(0.7, FULL_TOKENS), 0.7);
        assert_eq!(needed_share(0.7, 5_000), 0.7);
        // Never less as texts get shorter.
        let shares: Vec<f64> = (0..200).map(|n| needed_share(0.7, n)).collect();
        assert!(shares.windows(2).all(|w| w[0] >= w[1]));
    }
}
