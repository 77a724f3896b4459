//! Alignment: how much of the shorter of two texts lies, in order, in the
//! longer one, word by word, the way a reprint or an OCR'd copy does.
//!
//! Input: the two bodies as token keys in text order ([`crate::shingle::token_keys`]: one
//! `u32` per word, with a bit telling figures). Output: an [`Alignment`].
//!
//! Method (after passim's anchored alignment of reprinted newspaper text):
//! * **anchors**: word trigrams of the shorter text found in the longer one
//!   (trigrams that occur more than [`MAX_REPEATS`] times in the longer text,
//!   "one of the", are not used);
//! * **chain**: the longest chain of anchors in order in both texts (a
//!   longest increasing subsequence, O(m log m) in the m anchors), so text
//!   moved around or matched by chance does not count twice;
//! * **segments**: consecutive anchors of the chain whose gaps are at most
//!   [`MAX_GAP`] tokens on both sides form a segment; a gap of `g` tokens in
//!   the shorter text against `h` in the longer counts `min(g, h)` tokens as
//!   aligned (substituted words: an OCR error, a spelled-out figure, a
//!   respelled word), and any figure of one gap missing from the other is a
//!   *figure substitution* (a templated report with other figures). A
//!   segment of fewer than [`MIN_SEGMENT`] aligned tokens is chance.
//!
//! The shorter text's aligned share then says whether it is a copy however
//! noisy: OCR errors break one word in ten, which breaks half of all word
//! 5-grams (Jaccard 0.4) but leaves 90% of the words aligned. Cost: linear in
//! the two lengths plus m log m; a few microseconds for a news pair.

use crate::shingle::fmix64;
use std::ops::Range;

/// The low bit of a token key is set for figures (digits first, then at
/// most letters: "1986", "2.5bn"; see `shingle::token_keys`).
pub const FIGURE_BIT: u32 = 1;

/// The next bit is set for the last token of a line.
pub const LINE_END_BIT: u32 = 2;

/// The next bit is set for a token of one or two bytes that is neither a
/// figure nor a common short word ("a", "of", "mr"): what OCR leaves of a
/// figure it breaks ("l" of "l,200", "so" of "so,000").
pub const PIECE_BIT: u32 = 4;

/// The bits of a token key that are flags, not the token's hash.
const FLAGS: u32 = FIGURE_BIT | LINE_END_BIT | PIECE_BIT;

/// The key of a token with hash `hash`: its high bits, [`FIGURE_BIT`]
/// when it is a figure and [`LINE_END_BIT`] when a line ends after it.
#[inline]
pub fn token_key(hash: u64, figure: bool, line_end: bool) -> u32 {
    ((hash >> 32) as u32 & !FLAGS) | u32::from(figure) | u32::from(line_end) << 1
}

/// Lines of at least this many tokens are prose; shorter ones are
/// headlines, bylines, links and other chrome.
pub const PROSE_LINE: usize = 14;

/// Tokens of a body's opening.
pub const OPENING_TOKENS: usize = 8;

/// A body's *opening*: the hash of the first [`OPENING_TOKENS`] tokens of
/// its first prose line ([`PROSE_LINE`] tokens or more), which an excerpt
/// shares with its article however little else of the page it shares.
/// `None` when the body has no prose line.
pub fn opening(tokens: &[u32]) -> Option<u64> {
    let line = lines(tokens).find(|line| line.len() >= PROSE_LINE)?;
    Some(opening_of(&tokens[line.start..line.start + OPENING_TOKENS]))
}

/// The opening hash of a prose line's first [`OPENING_TOKENS`] keys (their
/// flags ignored).
pub fn opening_of(words: &[u32]) -> u64 {
    words.iter().fold(0u64, |h, &k| {
        fmix64(h ^ u64::from(k & !FLAGS)).rotate_left(5)
    })
}

/// The token ranges of the lines of a key sequence (a line ends at a key
/// with [`LINE_END_BIT`], the last one at the end).
fn lines(tokens: &[u32]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    tokens
        .iter()
        .enumerate()
        .filter(|&(i, &k)| k & LINE_END_BIT != 0 || i + 1 == tokens.len())
        .map(move |(i, _)| {
            let line = start..i + 1;
            start = i + 1;
            line
        })
}

/// Trigrams that occur more often than this in the longer text are not anchors.
pub const MAX_REPEATS: usize = 8;

/// The largest gap (in tokens, on either side) inside one segment.
pub const MAX_GAP: usize = 10;

/// Gaps of at most this many tokens on both sides count as substituted
/// words; longer ones (a rephrased clause) only join the segment.
pub const FILL_GAP: usize = 4;

/// Segments with fewer aligned tokens are matches by chance.
pub const MIN_SEGMENT: usize = 6;

/// Tokens per anchor.
const K: usize = 3;

/// Lines shorter than [`PROSE_LINE`] but of at least this many tokens,
/// next to another such line, are *wrapped* lines: a report hard-wrapped
/// at 70 columns ("50,000 tonnes of hard red winter wheat to Sri Lanka.")
/// holds 8 to 13 words a line, where a byline or a date line ("Published
/// March 04, 2026 04:05") holds fewer and stands alone.
pub const WRAPPED_LINE: usize = 8;

/// A line mask that counts every line, for a gap between anchors (at most
/// `MAX_GAP + 2` tokens: the gaps are widened by one token a side).
const EVERY_LINE: &[bool; MAX_GAP + 2] = &[true; MAX_GAP + 2];

/// How the shorter of two token sequences aligns with the longer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Alignment {
    /// Tokens in the shorter sequence.
    pub short_len: usize,
    /// Tokens of the shorter sequence aligned with the longer one.
    pub aligned: usize,
    /// Where the first segment starts: (in the shorter, in the longer).
    pub first: (usize, usize),
    /// Aligned tokens of the first segment.
    pub first_len: usize,
    /// Whether the first segment starts a line in both texts (where an
    /// excerpt starts: at a paragraph's first word, not in mid-sentence).
    pub first_starts_lines: bool,
    /// Tokens of the longer sequence from the first segment's start to the
    /// last one's end: where the shorter text lies in it.
    pub long_span: usize,
    /// Figures of the shorter sequence inside segments, in prose lines
    /// and aligned wrapped lines ([`WRAPPED_LINE`]).
    pub figures: usize,
    /// Figures that stand where the other text has another figure, in
    /// prose lines and aligned wrapped lines.
    pub substitutions: usize,
    /// Tokens of the shorter sequence in prose lines ([`PROSE_LINE`]).
    pub prose: usize,
    /// Of those, the aligned ones.
    pub prose_aligned: usize,
    /// Figures of the shorter sequence's unaligned prose that the longer
    /// sequence nowhere holds: what a report of another day says in its
    /// own words ("will drain some 338 mln stg"), where an excerpt's
    /// unaligned rest is a "read more" line or a related headline.
    pub foreign_figures: usize,
    /// Date words ([`date_word`]: a month or a day of the week) that stand
    /// where the other text has another: "the week ended March 26" against
    /// "April 2", a table "through April 7" against "February 25". OCR
    /// does not turn one month into another and a copy keeps its dates,
    /// so this is another report of a series.
    pub date_substitutions: usize,
}

impl Alignment {
    /// The aligned share of the shorter sequence (0 when it is empty).
    pub fn share(&self) -> f64 {
        match self.short_len {
            0 => 0.0,
            n => self.aligned as f64 / n as f64,
        }
    }

    /// The aligned share of the shorter text's prose lines (of all of it
    /// when it has none): a copy's prose aligns, while chrome left on the
    /// page (related headlines, bylines, "read more" links) need not.
    pub fn prose_share(&self) -> f64 {
        match self.prose {
            0 => self.share(),
            n => self.prose_aligned as f64 / n as f64,
        }
    }
}

fn trigram(t: &[u32]) -> u64 {
    let (a, b, c) = (t[0] & !FLAGS, t[1] & !FLAGS, t[2] & !FLAGS);
    fmix64(
        (a as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add((b as u64) << 32 | c as u64),
    )
}

/// Aligns two token-key sequences (see the module documentation).
pub fn align(a: &[u32], b: &[u32]) -> Alignment {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Alignment {
        short_len: s.len(),
        ..Alignment::default()
    };
    if s.len() < K {
        return out;
    }
    let anchors = anchors(s, l);
    let chain = longest_chain(&anchors);
    let Lines {
        prose,
        has_prose_line,
        wrapped,
    } = Lines::of(s);
    let (prose_long, _) = prose_mask(l.len(), lines(l));
    let mut marked = vec![false; s.len()];
    // Figure substitutions in short lines: (a substituted figure's token,
    // how many), counted if its line is a wrapped line of prose.
    let mut short_line_substitutions: Vec<(usize, usize)> = Vec::new();
    // Walk the chain, segment by segment.
    let mut seg = Segment::default();
    let mut prev: Option<(usize, usize)> = None;
    for &(i, j) in &chain {
        let (i, j) = (i as usize, j as usize);
        if let Some((pi, pj)) = prev {
            let (end_i, end_j) = (pi + K, pj + K);
            let gap_s = i.saturating_sub(end_i);
            let gap_l = j.saturating_sub(end_j);
            if gap_s > MAX_GAP || gap_l > MAX_GAP {
                seg.close((s, l, &prose, &prose_long), &mut out, &mut marked);
                seg = Segment::start(s, &prose, i, j);
            } else {
                // Tokens of this anchor not already covered by the last one.
                let fresh = (i + K) - end_i.max(i);
                let filled = if gap_s.max(gap_l) <= FILL_GAP {
                    gap_s.min(gap_l)
                } else {
                    0
                };
                seg.aligned += filled + fresh;
                if filled > 0 {
                    seg.spans.push((end_i, end_i + filled));
                }
                seg.spans.push((end_i.max(i), i + K));
                seg.figures += count_figures(&s[end_i..i + K], &prose[end_i..i + K]);
                // The gaps, widened by the aligned token on each side: a
                // figure written in pieces on one side only ("six pct"
                // against "6-3/16 pct") leaves one gap empty, but a figure
                // stands beside it.
                let (gap, gap_l) = (
                    end_i.min(i).saturating_sub(1)..(i + 1).min(s.len()),
                    end_j.min(j).saturating_sub(1)..(j + 1).min(l.len()),
                );
                seg.date_substitutions += dates_swapped(
                    (&s[gap.clone()], &prose[gap.clone()]),
                    (&l[gap_l.clone()], &prose_long[gap_l.clone()]),
                );
                let in_prose = substituted(
                    (&s[gap.clone()], &prose[gap.clone()]),
                    (&l[gap_l.clone()], &prose_long[gap_l.clone()]),
                    true,
                );
                seg.substitutions += in_prose;
                if has_prose_line {
                    // Figures of short lines too, kept aside until the
                    // lines are known to be wrapped prose (below). The
                    // gaps hold at most `MAX_GAP + 2` tokens.
                    let other = &l[gap_l.clone()];
                    let at = gap
                        .clone()
                        .find(|&t| !prose[t] && s[t] & FIGURE_BIT != 0 && !holds(other, s[t]));
                    if let Some(at) = at {
                        let more = substituted(
                            (&s[gap.clone()], &EVERY_LINE[..gap.len()]),
                            (other, &EVERY_LINE[..gap_l.len()]),
                            true,
                        );
                        short_line_substitutions.push((at, more.saturating_sub(in_prose)));
                    }
                }
                seg.end = i + K;
                seg.end_long = j + K;
            }
        } else {
            seg = Segment::start(s, &prose, i, j);
        }
        prev = Some((i, j));
    }
    seg.close((s, l, &prose, &prose_long), &mut out, &mut marked);
    count_wrapped_lines(s, &wrapped, &marked, &short_line_substitutions, &mut out);
    // Without a line of prose (a table, hard-wrapped text), every token
    // counts as prose, page furniture's figures (an article id) too.
    let mut unaligned_figures: Vec<u32> = Vec::new();
    for (i, &m) in marked.iter().enumerate() {
        if prose[i] {
            out.prose += 1;
            out.prose_aligned += usize::from(m);
            if has_prose_line && !m && s[i] & FIGURE_BIT != 0 {
                unaligned_figures.push(s[i] & !LINE_END_BIT);
            }
        }
    }
    if !unaligned_figures.is_empty() {
        let mut long_figures: Vec<u32> = l
            .iter()
            .filter(|&&k| k & FIGURE_BIT != 0)
            .map(|&k| k & !LINE_END_BIT)
            .collect();
        long_figures.sort_unstable();
        out.foreign_figures = unaligned_figures
            .iter()
            .filter(|k| long_figures.binary_search(k).is_err())
            .count();
    }
    out
}

/// Counts the figures and figure substitutions of a text's wrapped lines
/// ([`WRAPPED_LINE`]) that mostly align as prose: a report hard-wrapped
/// at 70 columns has one long line (its dateline joined to the opening)
/// and the rest short, so its figures would otherwise go uncounted, and
/// two export bonuses of one template ("50,000 tonnes ... to Sri Lanka"
/// against "18,000 tonnes ... to Algeria") would align as copies. A line
/// of page furniture (a byline, a date line) is short and stands alone,
/// or does not align.
fn count_wrapped_lines(
    s: &[u32],
    wrapped: &[Range<usize>],
    marked: &[bool],
    substitutions: &[(usize, usize)],
    out: &mut Alignment,
) {
    for line in wrapped {
        let aligned = marked[line.clone()].iter().filter(|&&m| m).count();
        if 2 * aligned < line.len() {
            continue;
        }
        out.figures += line
            .clone()
            .filter(|&t| marked[t] && s[t] & FIGURE_BIT != 0)
            .count();
        out.substitutions += substitutions
            .iter()
            .filter(|(at, _)| line.contains(at))
            .map(|&(_, n)| n)
            .sum::<usize>();
    }
}

/// A token sequence's lines, as the alignment counts them.
struct Lines {
    /// Whether each token is in a prose line ([`PROSE_LINE`] tokens or
    /// more); every token when no line is that long.
    prose: Vec<bool>,
    /// Whether some line is.
    has_prose_line: bool,
    /// The wrapped lines ([`WRAPPED_LINE`]) beside another such line,
    /// when some line is prose (without one, every line counts as prose).
    wrapped: Vec<Range<usize>>,
}

/// Whether each of `len` tokens is in a prose line ([`PROSE_LINE`] tokens
/// or more) of `lines`; every token when no line is that long. Also
/// whether some line is.
fn prose_mask(len: usize, lines: impl Iterator<Item = Range<usize>>) -> (Vec<bool>, bool) {
    let mut prose = vec![false; len];
    for line in lines.filter(|line| line.len() >= PROSE_LINE) {
        prose[line].fill(true);
    }
    let has_line = prose.contains(&true);
    if !has_line {
        // Hard-wrapped text (a wire story at 70 columns) has no long
        // lines: all of it is prose.
        prose.fill(true);
    }
    (prose, has_line)
}

impl Lines {
    /// The lines of the shorter text, whose wrapped lines count too (the
    /// longer text needs its [`prose_mask`] only).
    fn of(s: &[u32]) -> Lines {
        let all: Vec<Range<usize>> = lines(s).collect();
        let (prose, has_prose_line) = prose_mask(s.len(), all.iter().cloned());
        if !has_prose_line {
            return Lines {
                prose,
                has_prose_line,
                wrapped: Vec::new(),
            };
        }
        let is_wrapped = |k: usize| {
            all.get(k)
                .is_some_and(|line| (WRAPPED_LINE..PROSE_LINE).contains(&line.len()))
        };
        let wrapped = (0..all.len())
            .filter(|&k| is_wrapped(k) && (is_wrapped(k + 1) || k > 0 && is_wrapped(k - 1)))
            .map(|k| all[k].clone())
            .collect();
        Lines {
            prose,
            has_prose_line,
            wrapped,
        }
    }
}

/// A run of anchors with small gaps, being built.
#[derive(Default)]
struct Segment {
    start: (usize, usize),
    end: usize,
    /// Where it ends in the longer sequence.
    end_long: usize,
    aligned: usize,
    figures: usize,
    substitutions: usize,
    /// Counted only between anchors, never at the edges, where a
    /// rewrite's next sentence and the original's may name other months.
    date_substitutions: usize,
    /// Aligned token ranges of the shorter text.
    spans: Vec<(usize, usize)>,
}

impl Segment {
    fn start(s: &[u32], prose: &[bool], i: usize, j: usize) -> Segment {
        Segment {
            start: (i, j),
            end: i + K,
            end_long: j + K,
            aligned: K,
            figures: count_figures(&s[i..i + K], &prose[i..i + K]),
            substitutions: 0,
            date_substitutions: 0,
            spans: vec![(i, i + K)],
        }
    }

    /// Adds a segment that is not chance to `out`. The few tokens just
    /// before and after it count as a gap too: a figure that differs at
    /// the edge of an aligned run ("trading at 6-3/16 pct" against
    /// "6-1/4 pct", where "pct" ends the text) is a substitution as well.
    fn close(
        &self,
        (s, l, prose, prose_long): (&[u32], &[u32], &[bool], &[bool]),
        out: &mut Alignment,
        marked: &mut [bool],
    ) {
        if self.aligned < MIN_SEGMENT {
            return;
        }
        let (i, j) = self.start;
        let before = (i.saturating_sub(FILL_GAP)..i, j.saturating_sub(FILL_GAP)..j);
        let (ei, ej) = (self.end, self.end_long);
        let after = (
            ei..(ei + FILL_GAP).min(s.len()),
            ej..(ej + FILL_GAP).min(l.len()),
        );
        let window = |(x, y): (Range<usize>, Range<usize>)| {
            substituted(
                (&s[x.clone()], &prose[x]),
                (&l[y.clone()], &prose_long[y]),
                false,
            )
        };
        let edges = window(before) + window(after);
        for &(from, to) in &self.spans {
            marked[from..to].fill(true);
        }
        if out.aligned == 0 {
            out.first = self.start;
            out.first_len = self.aligned;
            let line_start = |t: &[u32], at: usize| at == 0 || t[at - 1] & LINE_END_BIT != 0;
            out.first_starts_lines = line_start(s, i) && line_start(l, j);
        }
        out.long_span = self.end_long - out.first.1;
        out.aligned += self.aligned;
        out.figures += self.figures;
        out.substitutions += self.substitutions + edges;
        out.date_substitutions += self.date_substitutions;
    }
}

/// Whether two token keys are one token (a line's end aside).
fn same_token(a: u32, b: u32) -> bool {
    (a ^ b) & !LINE_END_BIT == 0
}

/// Whether `y` holds the token `k` anywhere.
fn holds(y: &[u32], k: u32) -> bool {
    y.iter().any(|&o| same_token(k, o))
}

/// Date words of prose ([`date_word`]) standing where the other side has
/// other date words: those of `x` whose date `y` lacks or those of `y`
/// whose date `x` lacks, whichever are fewer (both sides must hold one of
/// their own). Date words on short lines ("Published April 7") are page
/// furniture. (The day's figure beside a month is left to the figure
/// rule: OCR misreads digits, and counting "April 6" against "April 1"
/// as another date lost 19 to 30 of the copy-maker's 1,600 OCR copies.)
fn dates_swapped((x, px): (&[u32], &[bool]), (y, py): (&[u32], &[bool])) -> usize {
    let only = |(a, pa): (&[u32], &[bool]), (b, pb): (&[u32], &[bool])| {
        let in_b = |d: u8| {
            b.iter()
                .zip(pb)
                .any(|(&o, &p)| p && date_word(o) == Some(d))
        };
        a.iter()
            .zip(pa)
            .filter(|&(&k, &p)| p && date_word(k).is_some_and(|d| !in_b(d)))
            .count()
    };
    only((x, px), (y, py)).min(only((y, py), (x, px)))
}

/// The date words: English months (but "may", also a verb) and days of
/// the week, in order.
pub const DATE_WORDS: [&str; 18] = [
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Date words this long or longer are also known misread by OCR.
pub const OCR_DATE_MIN: usize = 5;

/// The date a token key names ([`DATE_WORDS`], by index), if any: the word
/// itself, or, for words of [`OCR_DATE_MIN`] letters or more, the word
/// with one character misread (`apri1`, `augusl`, `rnarch`, `decernber`:
/// any one letter replaced by another letter or a digit, or an `m` read
/// as `rn`), since OCR damages a date it does not change. So an OCR copy
/// of one week's table ("through Apri1 8") is still another week than
/// "February 25", while "Apri1" against "April" is one date. Told by key,
/// so token keys carry no new flag and every stored key and opening stays
/// as it was.
pub fn date_word(key: u32) -> Option<u8> {
    static DATES: std::sync::OnceLock<ahash::AHashMap<u32, u8>> = std::sync::OnceLock::new();
    let dates = DATES.get_or_init(|| {
        let key_of = |word: &str| crate::shingle::token_keys(word)[0] & !LINE_END_BIT;
        let mut misread: ahash::AHashMap<u32, u8> = ahash::AHashMap::new();
        for (d, word) in DATE_WORDS.iter().enumerate() {
            if word.len() < OCR_DATE_MIN {
                continue;
            }
            let bytes = word.as_bytes();
            let mut variants: Vec<String> = Vec::new();
            for i in 0..bytes.len() {
                // A digit first would make the token a figure.
                for c in b"abcdefghijklmnopqrstuvwxyz0123456789"
                    .iter()
                    .copied()
                    .filter(|&c| c != bytes[i] && (i > 0 || c.is_ascii_alphabetic()))
                {
                    let mut v = bytes.to_vec();
                    v[i] = c;
                    variants.push(String::from_utf8(v).expect("ASCII"));
                }
                if bytes[i] == b'm' {
                    variants.push(format!("{}rn{}", &word[..i], &word[i + 1..]));
                }
            }
            for v in variants {
                // A misreading of two date words ("munday": monday or
                // sunday) names neither.
                let e = misread.entry(key_of(&v)).or_insert(d as u8);
                if *e != d as u8 {
                    *e = u8::MAX;
                }
            }
        }
        misread.retain(|_, d| *d != u8::MAX);
        // The words themselves last: a misreading of one that is another
        // date word is that word.
        for (d, word) in DATE_WORDS.iter().enumerate() {
            misread.insert(key_of(word), d as u8);
        }
        misread
    });
    dates.get(&(key & !LINE_END_BIT)).copied()
}

/// Figures among tokens `t` that stand in prose lines (figures in short
/// lines are dates, times and page furniture, not what a report says).
fn count_figures(t: &[u32], prose: &[bool]) -> usize {
    t.iter()
        .zip(prose)
        .filter(|&(&k, &p)| p && k & FIGURE_BIT != 0)
        .count()
}

/// Figures that stand where the other text has other ones: prose figures
/// of the shorter text's gap `gs` missing from the longer text's gap `gl`,
/// and the other way round.
///
/// Inside an alignment (`between`, the gap between two anchors, widened by
/// the aligned token on each side) where both sides hold figures, every
/// figure missing from the other side counts ("6-3/16 pct" against "six
/// pct" differs by one), unless one side has a piece of a word
/// ([`PIECE_BIT`]) beside a figure that the other lacks: then OCR broke a
/// figure ("1,200" read as "l,200", "50,000" as "so,000"), while "U.S."
/// is two pieces that stand beside words. A figure read as a word ("l986")
/// is no figure, so it is never a substitution.
///
/// At a segment's edges, where the texts may simply part, only figures
/// that both sides have of their own count.
fn substituted((gs, ps): (&[u32], &[bool]), (gl, pl): (&[u32], &[bool]), between: bool) -> usize {
    let figure = |k: u32| k & FIGURE_BIT != 0;
    let only = |x: &[u32], px: &[bool], y: &[u32]| {
        x.iter()
            .zip(px)
            .filter(|&(&k, &p)| p && figure(k) && !holds(y, k))
            .count()
    };
    let (s, l) = (only(gs, ps, gl), only(gl, pl, gs));
    if !between {
        return s.min(l);
    }
    let figures = |x: &[u32]| x.iter().any(|&k| figure(k));
    // A piece of a word beside a figure, missing from the other side.
    let pieces = |x: &[u32], y: &[u32]| {
        (0..x.len()).any(|i| {
            let beside = |j: Option<usize>| j.and_then(|j| x.get(j)).is_some_and(|&k| figure(k));
            x[i] & PIECE_BIT != 0
                && !holds(y, x[i])
                && (beside(i.checked_sub(1)) || beside(Some(i + 1)))
        })
    };
    match figures(gs) && figures(gl) && !pieces(gs, gl) && !pieces(gl, gs) {
        true => s.max(l),
        false => 0,
    }
}

/// Every `(i, j)` where the trigram at `i` in `s` equals the one at `j` in
/// `l`, sorted by `i`, then by `j` descending (for [`longest_chain`]).
fn anchors(s: &[u32], l: &[u32]) -> Vec<(u32, u32)> {
    TRIGRAMS.with(|t| t.borrow_mut().anchors(s, l))
}

thread_local! {
    /// Each thread's trigram table, reused from pair to pair.
    static TRIGRAMS: std::cell::RefCell<Trigrams> = std::cell::RefCell::default();
}

/// The trigrams of a longer text and where they occur: an open-addressing
/// table keyed by the trigram hash (already mixed, so its low bits are the
/// slot), whose slots count as empty unless stamped in the current round,
/// and a chain of positions through `next`. Kept per thread, it costs no
/// allocation or clearing per pair, where a hash map built per pair did
/// both and hashed each key again.
#[derive(Default)]
struct Trigrams {
    keys: Vec<u64>,
    /// `(first position, occurrences)` of each slot's trigram.
    vals: Vec<(u32, u32)>,
    stamps: Vec<u32>,
    round: u32,
    mask: usize,
    next: Vec<u32>,
}

impl Trigrams {
    /// Empties the table for `n` trigrams.
    fn reset(&mut self, n: usize) {
        let slots = (2 * n).next_power_of_two().max(16);
        if self.keys.len() < slots {
            self.keys = vec![0; slots];
            self.vals = vec![(u32::MAX, 0); slots];
            self.stamps = vec![0; slots];
            self.round = 0;
        }
        if self.round == u32::MAX {
            self.stamps.fill(0);
            self.round = 0;
        }
        self.round += 1;
        self.mask = slots - 1;
        self.next.clear();
        self.next.resize(n, u32::MAX);
    }

    /// The slot of `key`: its own, or the empty one where it would go.
    fn slot(&self, key: u64) -> usize {
        let mut i = key as usize & self.mask;
        while self.stamps[i] == self.round && self.keys[i] != key {
            i = (i + 1) & self.mask;
        }
        i
    }

    fn anchors(&mut self, s: &[u32], l: &[u32]) -> Vec<(u32, u32)> {
        // Positions of each trigram of `l`, as chains through `next`.
        let n = l.len() + 1 - K.min(l.len() + 1);
        self.reset(n);
        for j in (0..n).rev() {
            let key = trigram(&l[j..j + K]);
            let i = self.slot(key);
            if self.stamps[i] != self.round {
                (self.stamps[i], self.keys[i], self.vals[i]) = (self.round, key, (u32::MAX, 0));
            }
            let (first, count) = self.vals[i];
            self.next[j] = first;
            self.vals[i] = (j as u32, count + 1);
        }
        let mut out = Vec::new();
        for i in 0..=s.len() - K {
            let slot = self.slot(trigram(&s[i..i + K]));
            if self.stamps[slot] != self.round {
                continue;
            }
            let (first, count) = self.vals[slot];
            if count as usize > MAX_REPEATS {
                continue;
            }
            let at = out.len();
            let mut j = first;
            while j != u32::MAX {
                out.push((i as u32, j));
                j = self.next[j as usize];
            }
            out[at..].reverse();
        }
        out
    }
}

/// The longest chain of anchors increasing in both coordinates, given
/// anchors sorted by `i` and, for equal `i`, by `j` descending (so one
/// position of the shorter text is used once).
fn longest_chain(anchors: &[(u32, u32)]) -> Vec<(u32, u32)> {
    // tails[k]: index of the anchor ending the best chain of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut parent = vec![usize::MAX; anchors.len()];
    for (x, &(_, j)) in anchors.iter().enumerate() {
        let k = tails.partition_point(|&t| anchors[t].1 < j);
        if k > 0 {
            parent[x] = tails[k - 1];
        }
        if k == tails.len() {
            tails.push(x);
        } else {
            tails[k] = x;
        }
    }
    let mut chain = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        chain.push(anchors[at]);
        at = parent[at];
    }
    chain.reverse();
    chain
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::shingle::token_keys;
    use crate::text::normalize::normalize;

    /// The alignment keys of a text, normalized as the pipeline does (the
    /// verify tests use it too).
    pub(crate) fn fold(text: &str) -> Vec<u32> {
        token_keys(&normalize(text))
    }

    /// The anchors as a hash map of the longer text's trigrams gives them,
    /// and how many of the shorter text's trigrams repeat too often.
    fn anchors_by_map(s: &[u32], l: &[u32]) -> (Vec<(u32, u32)>, usize) {
        let mut at: ahash::AHashMap<u64, Vec<u32>> = ahash::AHashMap::new();
        for j in 0..(l.len() + 1).saturating_sub(K) {
            at.entry(trigram(&l[j..j + K])).or_default().push(j as u32);
        }
        let (mut out, mut repeated) = (Vec::new(), 0);
        for i in 0..=s.len() - K {
            match at.get(&trigram(&s[i..i + K])) {
                Some(js) if js.len() > MAX_REPEATS => repeated += 1,
                Some(js) => out.extend(js.iter().rev().map(|&j| (i as u32, j))),
                None => {}
            }
        }
        (out, repeated)
    }

    #[test]
    fn the_reused_trigram_table_finds_the_anchors_a_map_finds() {
        // Texts over a vocabulary of 3 words (trigrams repeat, some more
        // than MAX_REPEATS times), long and short in turn, so that the
        // table is reused at other sizes with stale slots in it.
        let mut rand = crate::shingle::numbers(11);
        let (mut found, mut repeated) = (0, 0);
        for k in 0..300 {
            let most = if k % 2 == 0 { 400 } else { 20 };
            let mut text =
                |n: u64| -> Vec<u32> { (0..n).map(|_| (rand(3) as u32 + 1) << 3).collect() };
            let (ls, ll) = (3 + k % most, 3 + (k * 7) % most);
            let (a, b) = (text(ls), text(ll));
            let (s, l) = if a.len() <= b.len() {
                (&a, &b)
            } else {
                (&b, &a)
            };
            let (want, over) = anchors_by_map(s, l);
            assert_eq!(anchors(s, l), want, "{k}");
            (found, repeated) = (found + want.len(), repeated + over);
        }
        assert!(found > 1000 && repeated > 100, "{found} {repeated}");
    }

    /// Token keys of a text: words hashed, figures marked.
    fn keys(text: &str) -> Vec<u32> {
        text.split_whitespace()
            .map(|w| {
                let figure = w.bytes().all(|c| c.is_ascii_digit() || c == b'.');
                token_key(
                    crate::shingle::hash_bytes(w.as_bytes()),
                    figure,
                    w.ends_with(','),
                )
            })
            .collect()
    }

    const STORY: &str = "the central bank raised its main interest rate by a quarter point to 4.5 percent on thursday \
        citing stubborn inflation in services and a labour market that has barely cooled since the spring \
        economists had expected the move after figures last week showed prices rising 3.2 percent a year";

    #[test]
    fn a_copy_aligns_whole_and_a_stranger_not_at_all() {
        let a = align(&keys(STORY), &keys(STORY));
        assert_eq!(a.aligned, a.short_len);
        assert_eq!((a.first, a.substitutions), ((0, 0), 0));
        assert_eq!(a.figures, 2);
        let other =
            "a storm closed schools across the north of the country on monday and left thousands \
            of homes without power as engineers worked through the night to restore lines";
        assert_eq!(align(&keys(STORY), &keys(other)).aligned, 0);
    }

    #[test]
    fn noisy_words_are_aligned_through_their_gaps() {
        // One word in eight garbled, the way OCR garbles them.
        let noisy = STORY
            .split(' ')
            .enumerate()
            .map(|(i, w)| {
                if i % 8 == 4 {
                    format!("{w}x")
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let a = align(&keys(STORY), &keys(&noisy));
        assert_eq!(a.aligned, a.short_len, "{a:?}");
    }

    #[test]
    fn an_excerpt_aligns_at_the_lead_and_a_quote_covers_little() {
        let lead: Vec<&str> = STORY.split(' ').take(24).collect();
        let excerpt = format!("{} read the full story at the courier", lead.join(" "));
        let a = align(&keys(STORY), &keys(&excerpt));
        assert_eq!((a.aligned, a.first), (24, (0, 0)));
        let quoting = format!(
            "in other news a storm closed schools across the north of the country and {} said the report \
             while thousands of homes were left without power as engineers worked through the night \
             to restore lines and councils opened halls for families who could not stay at home",
            lead[8..20].join(" ")
        );
        let q = align(&keys(STORY), &keys(&quoting));
        assert_eq!(q.aligned, 12);
        assert!(q.share() < 0.3);
    }

    #[test]
    fn other_figures_in_the_same_places_are_substitutions() {
        let template = STORY.replace("4.5", "4.75").replace("3.2", "3.4");
        let a = align(&keys(STORY), &keys(&template));
        assert_eq!(a.substitutions, 2, "{a:?}");
        let spelled = STORY.replace("4.5 percent", "4.5 per cent");
        assert_eq!(align(&keys(STORY), &keys(&spelled)).substitutions, 0);
    }

    #[test]
    fn a_wire_template_with_another_rate_is_a_substitution() {
        // Reuters-21578 #522 and #1125, hard-wrapped at 70 columns (so every
        // line counts as prose), which differ only in the Fed funds rate.
        let a = "The Federal Reserve entered the U.S.\nGovernment securities market to arrange 1.5 billion dlrs of\ncustomer repurchase agreements, a Fed spokesman said.\n    Dealers said Federal funds were trading at 6-3/16 pct when\nthe Fed began its temporary and indirect supply of reserves to\nthe banking system.\n";
        let b = a.replace("6-3/16", "6-1/4");
        let al = align(&fold(a), &fold(&b));
        assert_eq!(
            (al.aligned, al.prose, al.substitutions),
            (al.short_len, al.short_len, 1),
            "{al:?}"
        );
        assert!(al.figures >= 2, "{al:?}");
        // #7207 of the same series spells its rate "six pct": "six" is the
        // figure 6, and "3/16" stands beside it on one side only.
        let six = a.replace("6-3/16", "six");
        let al = align(&fold(&six), &fold(a));
        assert_eq!(al.substitutions, 1, "{al:?}");
        // A figure in a clause one side dropped is not a substitution.
        let dropped = a.replace(" 1.5 billion dlrs of\ncustomer", "\ncustomer");
        assert_eq!(align(&fold(&dropped), &fold(a)).substitutions, 0);
        // OCR breaking a figure into a word and a figure is not another
        // figure ("1.5" read as "l.5", "6-3/16" as "6-3/l6"), nor is a
        // figure read as a word.
        for ocr in ["l.5 billion", "1.5 bil1ion"] {
            let noisy = a.replace("1.5 billion", ocr);
            assert_eq!(align(&fold(&noisy), &fold(a)).substitutions, 0, "{ocr}");
        }
        let noisy = a.replace("6-3/16", "6-3/l6");
        assert_eq!(align(&fold(&noisy), &fold(a)).substitutions, 0);
        // Another figure with another word around it still counts.
        let other = a.replace("trading at 6-3/16", "trading near 6-1/4");
        assert_eq!(align(&fold(&other), &fold(a)).substitutions, 1);
    }

    #[test]
    fn figures_of_wrapped_lines_count_and_a_date_line_does_not() {
        // Reuters-21578 #13094 and #13097: two export bonuses of one
        // template, hard-wrapped, whose first line (the dateline joined to
        // the opening) is the only prose line. Their figures stand in the
        // wrapped lines.
        let sri_lanka = "WASHINGTON, March 30 - The U.S. Agriculture Department said it has accepted a bid for an export bonus to cover the sale of\n\
            50,000 tonnes of hard red winter wheat to Sri Lanka.\n\
            A bonus of 37.44 dlrs per tonne was awarded to Continental\n\
            Grain Co on the shipment scheduled for April 8-16, Melvin Sims,\n\
            USDA general sales manager said.\n\
            An additional 10,000 tonnes of wheat are still available to\n\
            Sri Lanka under the export enhancement program, Sims said.\n";
        let algeria = "WASHINGTON, March 30 - The U.S. Agriculture Department said it has accepted a bid for an export bonus to cover the sale of\n\
            18,000 tonnes of U.S. durum wheat to Algeria.\n\
            A bonus of 43.25 dlrs per tonne was awarded to Cam USA Inc\n\
            on the shipment scheduled for June 20-30, Melvin Sims, USDA\n\
            general sales manager, said.\n\
            An additional 228,000 tonnes of durum wheat are available\n\
            to Algeria under the department's export enhancement program,\n\
            Sims said.\n";
        let al = align(&fold(sri_lanka), &fold(algeria));
        assert!(al.substitutions >= 3 && al.figures >= 3, "{al:?}");
        // A copy with one figure changed in a wrapped line: one
        // substitution among its figures.
        let corrected = sri_lanka.replace("37.44", "37.45");
        let al = align(&fold(sri_lanka), &fold(&corrected));
        assert_eq!(al.substitutions, 1, "{al:?}");
        assert!(al.figures >= 6, "{al:?}");
        // Two pages of one article whose date lines differ: a date line is
        // short and stands alone, so its figures are page furniture.
        let page = |date: &str| {
            format!(
                "Santy worm makes unwelcome visit\nBy Staff writer\nPublished {date}\n\
                Thousands of website bulletin boards have been defaced by a virus that used Google to spread across the net.\n\
                The Santy worm first appeared on 20 December and within 24 hours had successfully hit more than 40,000 websites.\n"
            )
        };
        let (a, b) = (page("March 04, 2026 04:05"), page("March 03, 2026 09:31"));
        let al = align(&fold(&a), &fold(&b));
        assert_eq!(al.substitutions, 0, "{al:?}");
    }

    #[test]
    fn prose_lines_and_openings() {
        let page = "breaking other news\nthe title of the story\n\
            the head of a philippine panel charged with recovering illegal wealth said funds remain\n\
            read the full story at the courier";
        let lead = "the title of the story\nthe head of a philippine panel charged with recovering illegal wealth \
            accumulated by the former president said on monday that funds remain hidden abroad";
        let (p, l) = (fold(page), fold(lead));
        assert_eq!(opening(&p), opening(&l), "the same first prose words");
        assert_ne!(
            opening(&p),
            opening(&token_keys(
                "a different first prose line of more than fourteen words in all here now"
            ))
        );
        assert_eq!(opening(&token_keys("short\nlines\nonly")), None);
        let al = align(&p, &l);
        // Prose of the page: its 14-word line, of which the first eleven
        // words align; the rest of the page is chrome.
        assert_eq!((al.prose, al.prose_aligned), (14, 11), "{al:?}");
        assert!(al.share() < 0.6 && al.prose_share() > 0.75, "{al:?}");
    }

    #[test]
    fn moved_text_counts_once() {
        let words: Vec<&str> = STORY.split(' ').collect();
        let (x, y) = words.split_at(20);
        let swapped = format!("{} {}", y.join(" "), x.join(" "));
        let a = align(&keys(STORY), &keys(&swapped));
        assert_eq!(a.aligned, y.len(), "the longer half, in order");
        assert_eq!(align(&[], &keys(STORY)).aligned, 0);
        assert_eq!(
            align(&keys("a b"), &keys("a b")).aligned,
            0,
            "shorter than an anchor"
        );
    }

    #[test]
    fn foreign_figures_are_unaligned_prose_figures_the_longer_text_lacks() {
        let story = "the ministry said on tuesday that exports rose 12 pct in march from a year \
            earlier to 4,250 mln dlrs while imports fell six pct to 3,100 mln dlrs leaving a surplus";
        let own = format!("{story}\nanalysts polled on monday had expected a surplus nearer 900 mln dlrs than 1,150 mln, dealers said");
        let long = format!(
            "{story}\nthe surplus was the largest since 1985 and 1,150 mln dlrs above february's, when oil imports had jumped after the cold"
        );
        let al = align(&fold(&long), &fold(&own));
        // 900 is in neither place in the longer text; 1,150 is in it.
        assert_eq!(al.foreign_figures, 1, "{al:?}");
        // A table or hard-wrapped text (no line of prose): none counted,
        // since page furniture ("Article ID 6882") counts as prose there.
        let short_lines = |t: &str| {
            t.split(' ')
                .collect::<Vec<_>>()
                .chunks(8)
                .map(|c| c.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let al = align(&fold(&short_lines(&long)), &fold(&short_lines(&own)));
        assert_eq!(al.foreign_figures, 0, "{al:?}");
    }

    #[test]
    fn another_month_in_the_same_place_is_a_date_substitution() {
        let week = |ended: &str| {
            format!(
                "Published {ended}, 1987\nsugar imports subject to the u.s. sugar import quota during the \
                 week ended {ended} totaled 25,192 short tons versus 29,043 tons the previous week, \
                 the agriculture department said in its weekly report on the quota year"
            )
        };
        let subs = |a: &str, b: &str| align(&fold(a), &fold(b)).date_substitutions;
        assert_eq!(subs(&week("march 6"), &week("march 6")), 0);
        assert_eq!(
            subs(&week("march 6"), &week("january 6")),
            1,
            "another month"
        );
        assert_eq!(subs(&week("friday"), &week("monday")), 1, "another weekday");
        // OCR's damage to a month is no other month, and the day beside
        // it is the figure rule's.
        assert_eq!(subs(&week("march 6"), &week("rnarch 6")), 0);
        assert_eq!(subs(&week("april 8"), &week("apri1 8")), 0);
        assert_eq!(subs(&week("march 6"), &week("march 8")), 0);
        // ... but a misread month is still its month, not another one:
        // an OCR copy of one week's table against another week's.
        assert_eq!(subs(&week("february 25"), &week("apri1 8")), 1);
        assert_eq!(subs(&week("rnarch 6"), &week("january 6")), 1);
        assert_eq!(subs(&week("friday"), &week("rnonday")), 1);
        assert_eq!(
            date_word(fold("decernber")[0]),
            date_word(fold("december")[0])
        );
        assert_eq!(date_word(fold("july")[0]), Some(5));
        assert_eq!(
            date_word(fold("ju1y")[0]),
            None,
            "short words only as written"
        );
        // On a short line ("Published ..."), a date is page furniture.
        let line = |when: &str| format!("Published {when}\n{}", week("march 6"));
        assert_eq!(subs(&line("april 7"), &line("april 8 june")), 0);
        assert!(date_word(fold("december")[0]).is_some() && date_word(fold("may")[0]).is_none());
    }

    /// Texts of lines of 1 to 16 words (so prose lines, wrapped lines and
    /// short ones), words drawn from a few that repeat, figures among them.
    fn lines_of_words() -> impl proptest::strategy::Strategy<Value = String> {
        let word = "the|wheat|bonus|tonnes|of|to|april|june|1.5|50,000|18|l|so|said|sri|lanka";
        proptest::collection::vec(proptest::collection::vec(word, 1..17), 0..12).prop_map(|lines| {
            lines
                .iter()
                .map(|l| l.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Any two texts align without a panic and within their counts,
        /// and a text is its own copy: nothing substituted or foreign.
        #[test]
        fn alignments_stay_within_their_counts(
            a in lines_of_words(),
            other in lines_of_words(),
            edits in proptest::collection::vec((0..200usize, "1.5|7|wheat|june|x"), 0..8),
            edited in proptest::bool::ANY,
        ) {
            // The second text: another, or the first with a few words
            // replaced (a copy with figures and words changed in place).
            let b = match edited {
                false => other,
                true => {
                    let mut lines: Vec<Vec<&str>> =
                        a.split('\n').map(|l| l.split(' ').collect()).collect();
                    let n: usize = lines.iter().map(Vec::len).sum();
                    for (at, word) in &edits {
                        let mut at = at % n.max(1);
                        for line in lines.iter_mut() {
                            if at < line.len() {
                                line[at] = word;
                                break;
                            }
                            at -= line.len();
                        }
                    }
                    lines.iter().map(|l| l.join(" ")).collect::<Vec<_>>().join("\n")
                }
            };
            let (ka, kb) = (fold(&a), fold(&b));
            for al in [align(&ka, &kb), align(&kb, &ka)] {
                proptest::prop_assert!(al.aligned <= al.short_len, "{al:?}");
                proptest::prop_assert!(al.prose_aligned <= al.prose && al.prose <= al.short_len, "{al:?}");
                proptest::prop_assert!(al.first_len <= al.aligned, "{al:?}");
                proptest::prop_assert!(al.foreign_figures <= al.prose - al.prose_aligned, "{al:?}");
            }
            let itself = align(&ka, &ka);
            proptest::prop_assert_eq!(
                (itself.substitutions, itself.date_substitutions, itself.foreign_figures),
                (0, 0, 0),
                "{:?}", itself
            );
        }
    }
}
