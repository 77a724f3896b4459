//! Boilerplate: site chrome (navigation, "join our Telegram channel" promos,
//! subscribe and cookie lines, related-links footers) removed before shingling.
//!
//! Why: the same wire story on two sites has whole-page shingle Jaccard of only
//! ~0.5 because each site wraps it in its own chrome, while two different short
//! stories from one site look alike through the chrome they share.
//!
//! How: lines are learned per *group* (the `source` field, else the URL host,
//! else the whole corpus). A folded line is boilerplate when it recurs in at
//! least `min_stories` **different stories** of its group. The catch is that a
//! wire story's paragraphs also recur, in every copy of that story. So recurring
//! documents are first merged into stories: two documents containing the line
//! are the same story when they share a title or one of their longest lines
//! (the line under test excluded). A navigation line recurs across many
//! stories; a quoted paragraph recurs across copies of one story and is kept.
//!
//! A flood of copies with no source (thousands of pages of one article, each
//! with a few words changed) would have every page its own story: its own
//! lines are its edited paragraphs, and the article's other paragraphs would
//! then recur across "thousands of stories" and be removed. So each long line
//! also leaves two *anchors* in its profile (its first and its last 64 bytes,
//! each with its figures), and a page that is mostly recurring lines and has
//! an own line whose anchor recurs (an edited copy of a recurring paragraph,
//! with the same figures) is identified by its longest lines of all, as a
//! wire copy is. Templated reports (same words, other figures) keep apart:
//! their anchors differ. Copies whose edits escape the anchors are few, and
//! a line nine tenths of whose pages are one story is not chrome whatever
//! the rest count.
//!
//! Removal keeps the recurring lines of a small report when the rest is
//! nearly nothing ([`SHORT_BODY_TOKENS`], [`SMALL_PAGE_TOKENS`]): a wire's
//! short notices share their date lines with other notices, and are told
//! apart by them.
//!
//! Cost: two hash passes over all lines, a parallel sort of the (line, page)
//! pairs that may recur, and a union-find over the pages of each recurring
//! line whose pages have at least `min_stories` titles (pages with one
//! title are one story, so fewer titles rule the line out without
//! counting). At scale most recurring lines are one story's paragraphs on a
//! site that ran it several times: on 865 MB of many-world pages 1.56
//! million lines recur and 0.16 million are counted.

use crate::error::Result;
use crate::shingle::fmix64;
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::normalize::{folded_lines, normalize};

/// Boilerplate settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoilerplateConfig {
    /// Learn and remove recurring lines (`--boilerplate on|off`).
    pub enabled: bool,
    /// A line is boilerplate when it appears in at least this many different stories of its group.
    pub min_stories: usize,
}

impl Default for BoilerplateConfig {
    fn default() -> Self {
        BoilerplateConfig {
            enabled: true,
            min_stories: 3,
        }
    }
}

/// How many of a document's longest lines identify its story.
const STORY_LINES: usize = 3;
const LINE_SEED: u64 = 0x6c69_6e65;
const ANCHOR_SEED: u64 = 0x616e_6368;
/// Lines of at least this many bytes (paragraphs, not chrome) leave an anchor.
const ANCHOR_MIN: usize = 96;
/// How many bytes at each end of a line its anchors hash.
const ANCHOR_SPAN: usize = 64;
/// Anchors carry this tag in their top 20 bits; profiles list them with
/// length 0 (no line is empty), after the lines.
const ANCHOR_TAG: u64 = 0xa7c49 << 44;
const TAG_MASK: u64 = !0 << 44;

/// Whether a profile hash is in the anchors' range. Such hashes are never
/// learned as boilerplate: an anchor is not a line, and a real line whose
/// hash falls there (one in a million) is kept.
fn is_anchor(hash: u64) -> bool {
    hash & TAG_MASK == ANCHOR_TAG
}

/// A hash of the figures of a line (tokens of digits, `.` and `,` that
/// start with a digit, once any punctuation around them is trimmed), in
/// order. Only the tokens holding a digit are looked at.
fn figures_hash(line: &[u8]) -> u64 {
    let mut h = ANCHOR_SEED;
    let mut at = 0;
    while let Some(k) = line[at..].iter().position(u8::is_ascii_digit) {
        let digit = at + k;
        let start = line[..digit]
            .iter()
            .rposition(|&b| b == b' ')
            .map_or(0, |p| p + 1);
        let end = line[digit..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(line.len(), |p| digit + p);
        let token = &line[start..end];
        let first = token.iter().position(u8::is_ascii_alphanumeric);
        let last = token.iter().rposition(u8::is_ascii_alphanumeric);
        if let (Some(a), Some(b)) = (first, last) {
            let t = &token[a..=b];
            let figure = t
                .iter()
                .all(|&c| c.is_ascii_digit() || c == b'.' || c == b',');
            if t[0].is_ascii_digit() && figure {
                h = fmix64(h ^ xxh3_64_with_seed(t, ANCHOR_SEED));
            }
        }
        at = end;
    }
    h
}

/// The anchors of a long folded line: hashes of its first and of its last
/// [`ANCHOR_SPAN`] bytes, each with its figures (tokens of digits, `.` and
/// `,`, in order). A copy with a word changed has one of the line's anchors
/// (unless it changed both ends); a templated report with other figures has
/// neither.
fn anchors(line: &[u8]) -> Option<[u64; 2]> {
    if line.len() < ANCHOR_MIN {
        return None;
    }
    let figures = figures_hash(line);
    let tag = |h: u64| (fmix64(h ^ figures) & !TAG_MASK) | ANCHOR_TAG;
    let first = xxh3_64_with_seed(&line[..ANCHOR_SPAN], ANCHOR_SEED);
    let last = xxh3_64_with_seed(&line[line.len() - ANCHOR_SPAN..], ANCHOR_SEED + 1);
    Some([tag(first), tag(last)])
}

/// A document as seen by the boilerplate learner.
#[derive(Debug, Clone)]
pub struct PageRef<'a> {
    /// Group index (see [`group_key`]).
    pub group: u32,
    /// The document's text as read (it is folded unit by unit here).
    pub text: Cow<'a, str>,
    /// Its title, if any.
    pub title: Option<&'a str>,
}

/// The learned boilerplate: (group, line hash) pairs.
#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    lines: AHashSet<(u32, u64)>,
}

/// The group a page's boilerplate is learned in: its source, else its URL
/// host (without `www.`), else the empty string (corpus-wide).
pub fn group_key<'a>(source: Option<&'a str>, url: Option<&'a str>) -> &'a str {
    if let Some(s) = source.filter(|s| !s.trim().is_empty()) {
        return s.trim();
    }
    url.and_then(url_host).unwrap_or("")
}

fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The hash of a folded line, which boilerplate is learned and removed by.
pub fn line_hash(line: &[u8]) -> u64 {
    xxh3_64_with_seed(line, LINE_SEED)
}

/// What boilerplate learning needs of a page: its group, the story hash of
/// its title (0 for none) and its distinct folded lines, encoded as
/// `(hash u64, length u32)` little-endian, longest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The document's boilerplate group.
    pub group: u32,
    /// Hash of its title (0 when it has none).
    pub title: u64,
    /// Its lines, packed (see [`ProfileLine`]).
    pub lines: Vec<u8>,
}

impl Profile {
    /// Folds a page into its profile.
    pub fn of(page: &PageRef) -> Profile {
        Profile::from_folded(page.group, page.title, &normalize(&page.text))
    }

    /// The profile of a page from its folded text (see [`normalize`]).
    pub fn from_folded(group: u32, title: Option<&str>, folded: &str) -> Profile {
        let mut lines = Vec::new();
        for l in folded_lines(folded).filter(|l| !l.is_empty()) {
            ProfileLine::push(l.as_bytes(), line_hash(l.as_bytes()), &mut lines);
        }
        Profile::from_lines(group, title, lines)
    }

    /// The profile of a page from its folded lines (see [`ProfileLine::push`]).
    pub fn from_lines(group: u32, title: Option<&str>, mut lines: Vec<ProfileLine>) -> Profile {
        // Longest first (then by hash, descending); a repeated line once.
        lines.sort_unstable();
        let mut encoded = Vec::with_capacity(lines.len() * 12);
        let mut last = None;
        for line in lines.iter().rev() {
            let (len, h) = ((line.0 >> 64) as u32, line.0 as u64);
            if last.replace(h) != Some(h) {
                encoded.extend_from_slice(&h.to_le_bytes());
                encoded.extend_from_slice(&len.to_le_bytes());
            }
        }
        Profile {
            group,
            title: title_hash(title),
            lines: encoded,
        }
    }
}

/// One folded line of a page, as profiles sort it: its length and hash
/// packed into one integer (sorting those is faster than sorting pairs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProfileLine(u128);

impl ProfileLine {
    /// Appends the profile entries of a non-empty folded line with hash
    /// `hash` ([`line_hash`]): the line, and its anchors if it is long.
    pub fn push(line: &[u8], hash: u64, out: &mut Vec<ProfileLine>) {
        out.push(ProfileLine((line.len() as u128) << 64 | hash as u128));
        for a in anchors(line).into_iter().flatten() {
            out.push(ProfileLine(a as u128));
        }
    }
}

/// Whether a page of `group` with profile lines `profile_lines` (see
/// [`Profile::lines`]) holds one of `lines` (learned boilerplate).
pub fn holds_any(group: u32, profile_lines: &[u8], lines: &AHashSet<(u32, u64)>) -> bool {
    decode_lines(profile_lines).any(|(_, h)| lines.contains(&(group, h)))
}

/// A page's story identity: its longest lines that do not recur in its group
/// (recurring ones may be chrome), or its longest lines of all when every line
/// recurs (a wire copy whose paragraphs recur in the other copies) or when it
/// is an edited copy of recurring paragraphs ([`edits_recurring`]), plus its
/// title.
fn story_hashes(title: u64, lines: &[Line]) -> Vec<u64> {
    let own = |l: &&Line| l.len > 0 && !l.recurs;
    let mut story: Vec<u64> = lines
        .iter()
        .filter(own)
        .take(STORY_LINES)
        .map(|l| l.hash)
        .collect();
    if story.is_empty() || edits_recurring(lines) {
        story = lines
            .iter()
            .filter(|l| l.len > 0)
            .take(STORY_LINES + 1)
            .map(|l| l.hash)
            .collect();
    }
    if title != 0 {
        story.push(title);
    }
    story
}

/// A line of a page's profile, and whether it recurs in the page's group.
#[derive(Debug, Clone, Copy)]
struct Line {
    len: usize,
    hash: u64,
    recurs: bool,
}

/// The lines of a page's profile, each looked up once in `recurring`.
fn lines_of(group: u32, profile_lines: &[u8], recurring: &AHashSet<(u32, u64)>) -> Vec<Line> {
    decode_lines(profile_lines)
        .map(|(len, hash)| Line {
            len,
            hash,
            recurs: recurring.contains(&(group, hash)),
        })
        .collect()
}

/// Whether a page is an edited copy of recurring paragraphs: nearly all
/// of it (seven eighths of its bytes) is lines recurring in its group; or
/// most of it is, and it holds more recurring anchors than its recurring long
/// lines give, so that one of its own lines has an end and the figures of a
/// line recurring in the group (see [`anchors`]).
fn edits_recurring(lines: &[Line]) -> bool {
    let (mut bytes, mut own_bytes, mut long_recurring, mut anchors) = (0, 0, 0, 0);
    for l in lines {
        match l.len {
            0 => anchors += l.recurs as usize,
            len => {
                bytes += len;
                match l.recurs {
                    true => long_recurring += (len >= ANCHOR_MIN) as usize,
                    false => own_bytes += len,
                }
            }
        }
    }
    8 * own_bytes <= bytes || (anchors > 2 * long_recurring && 2 * own_bytes <= bytes)
}

/// The story hash of a page's title; 0 for none.
fn title_hash(title: Option<&str>) -> u64 {
    match title.map(normalize).filter(|t| !t.is_empty()) {
        Some(t) => line_hash(t.as_bytes()) ^ 0x0074_6974_6c65,
        None => 0,
    }
}

/// The `(length, hash)` lines of a page encoded in pass 1.
fn decode_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, u64)> + '_ {
    bytes.chunks_exact(12).map(|c| {
        let h = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
        let len = u32::from_le_bytes(c[8..].try_into().expect("4 bytes"));
        (len as usize, h)
    })
}

/// A count-min sketch with one row of saturating 8-bit counters: it never
/// undercounts, so every line recurring in `min` pages passes it, and the
/// lines that pass are then counted exactly. Its size only changes speed.
///
/// At scale the counters outgrow the caches and every touch is a miss, so
/// both passes work a page at a time: the slots of its lines first, then a
/// prefetch of each, then the counters (the misses overlap instead of
/// queueing: pass 1 of 865 MB went from 0.31 to 0.11-0.16 s).
struct Sketch {
    counters: Vec<u8>,
    mask: u64,
}

impl Sketch {
    fn new(slots: usize) -> Sketch {
        // Slots are u32: 4 Gi counters is more than any budget gives it.
        let size = slots.clamp(64, 1 << 32).next_power_of_two();
        Sketch {
            counters: vec![0; size],
            mask: size as u64 - 1,
        }
    }

    fn slot(&self, key: (u32, u64)) -> u32 {
        (fmix64(key.1 ^ (key.0 as u64).rotate_left(40)) & self.mask) as u32
    }

    /// The slots of a page's lines, prefetched, into `out`.
    fn slots_into(&self, group: u32, lines: &[u8], out: &mut Vec<u32>) {
        out.clear();
        out.extend(decode_lines(lines).map(|(_, h)| self.slot((group, h))));
        for &s in out.iter() {
            crate::store::prefetch(&self.counters, s as usize);
        }
    }

    /// Counts one line in each slot of `slots`.
    fn add_all(&mut self, slots: &[u32]) {
        const AHEAD: usize = 16;
        for (k, &s) in slots.iter().enumerate() {
            if let Some(&next) = slots.get(k + AHEAD) {
                crate::store::prefetch(&self.counters, next as usize);
            }
            let c = &mut self.counters[s as usize];
            *c = c.saturating_add(1);
        }
    }

    fn count(&self, slot: u32) -> usize {
        self.counters[slot as usize] as usize
    }
}

impl Boilerplate {
    /// Learns the boilerplate lines of `n` pages from their [`Profile`]s
    /// (`profile(i)`, called once per pass; a persistent index keeps them, so
    /// that it learns again as pages are added without folding old ones).
    /// Deterministic. Memory: a sketch of `sketch_bytes` counters (rounded to
    /// a power of two), plus the recurring lines and their pages; profiles
    /// are read `batch` at a time.
    pub fn learn_profiles<F>(
        n: usize,
        profile: F,
        cfg: &BoilerplateConfig,
        sketch_bytes: usize,
        batch: usize,
    ) -> Result<Boilerplate>
    where
        F: Fn(usize) -> Result<Profile> + Sync,
    {
        if !cfg.enabled || n == 0 {
            return Ok(Boilerplate::default());
        }
        let min = cfg.min_stories.max(2);
        let mut sketch = Sketch::new(sketch_bytes);
        let mut entries = 0usize;
        let mut titles: Vec<u64> = Vec::with_capacity(n);
        let mut groups: Vec<u32> = Vec::with_capacity(n);
        for start in (0..n).step_by(batch) {
            // The slots of each page's lines, found in parallel; then counted.
            let batch: Vec<(u32, u64, Vec<u32>)> = (start..(start + batch).min(n))
                .into_par_iter()
                .map(|i| {
                    let p = profile(i)?;
                    let slots = decode_lines(&p.lines).map(|(_, h)| sketch.slot((p.group, h)));
                    Ok((p.group, p.title, slots.collect()))
                })
                .collect::<Result<_>>()?;
            for (group, title, slots) in batch {
                sketch.add_all(&slots);
                entries += slots.len();
                titles.push(title);
                groups.push(group);
            }
        }
        let lines = |i: u32| profile(i as usize).map(|p| p.lines);
        // Pass 2: the pages of each line the sketch lets through, exactly:
        // (line, page) pairs, packed into one integer each (sorting them is
        // 2x faster than sorting tuples) and sorted in parallel (a page lists
        // a line once).
        // At most one entry per line of pass 1: reserved once (memory
        // is touched only as entries are written), not copied as it grows.
        let mut held: Vec<Held> = Vec::with_capacity(entries);
        for start in (0..n).step_by(batch) {
            let keys: Vec<Vec<Held>> = (start..(start + batch).min(n))
                .into_par_iter()
                .map_init(Vec::new, |slots, i| {
                    let (group, lines) = (groups[i], lines(i as u32)?);
                    sketch.slots_into(group, &lines, slots);
                    Ok(decode_lines(&lines)
                        .zip(slots.iter())
                        .filter(|&(_, &s)| sketch.count(s) >= min)
                        .map(|((_, h), _)| Held::new((group, h), i as u32))
                        .collect())
                })
                .collect::<Result<_>>()?;
            crate::store::par_append(&mut held, &keys);
        }
        drop(sketch);
        held.par_sort_unstable();
        // The recurring lines: runs of one line over at least `min` pages.
        let runs: Vec<((u32, u64), &[Held])> = held
            .par_chunk_by(|x, y| x.line() == y.line())
            .filter(|run| run.len() >= min)
            .map(|run| (run[0].line(), run))
            .collect();
        let mut recurring: AHashSet<(u32, u64)> = AHashSet::with_capacity(runs.len());
        recurring.extend(runs.iter().map(|&(line, _)| line));
        // Pass 3: the story identity of every page holding a recurring line
        // (marked, then listed in order).
        let mut holds = vec![false; n];
        for (_, run) in &runs {
            for h in run.iter() {
                holds[h.page() as usize] = true;
            }
        }
        let holding: Vec<u32> = (0..n as u32).filter(|&i| holds[i as usize]).collect();
        drop(holds);
        let mut slot = vec![u32::MAX; n];
        for (k, &i) in holding.iter().enumerate() {
            slot[i as usize] = k as u32;
        }
        let stories: Vec<Vec<u64>> = holding
            .par_iter()
            .map(|&i| {
                let page_lines = lines_of(groups[i as usize], &lines(i)?, &recurring);
                Ok(story_hashes(titles[i as usize], &page_lines))
            })
            .collect::<Result<_>>()?;
        let story_of = |page: u32| stories[slot[page as usize] as usize].as_slice();
        let learned: AHashSet<(u32, u64)> = runs
            .par_iter()
            .map_init(
                <(StoryCount, Vec<u64>)>::default,
                |(count, seen), &(key, run)| {
                    if is_anchor(key.1) || few_titles(run, key.1, &titles, min, seen) {
                        return None;
                    }
                    let stories = count.count_run(key.1, run, &story_of);
                    stories.boilerplate(key.1, min).then_some(key)
                },
            )
            .flatten()
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        Ok(Boilerplate { lines: learned })
    }

    /// The learned `(group, line hash)` pairs, sorted.
    pub fn lines(&self) -> Vec<(u32, u64)> {
        let mut v: Vec<(u32, u64)> = self.lines.iter().copied().collect();
        v.sort_unstable();
        v
    }

    /// A model with exactly these lines (as stored by an index).
    pub fn from_lines(lines: impl IntoIterator<Item = (u32, u64)>) -> Boilerplate {
        Boilerplate {
            lines: lines.into_iter().collect(),
        }
    }

    /// Number of learned boilerplate lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line was learned.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Appends the body of a page to `out` (which must be empty): its folded
    /// lines minus the boilerplate of its group, joined by `\n`.
    /// When every line is boilerplate the whole folded text is kept (a page
    /// is never reduced to nothing by this stage), and so it is when a
    /// small report (a page of at most [`SMALL_PAGE_TOKENS`] that holds a
    /// figure) would keep fewer than [`SHORT_BODY_TOKENS`]: its recurring
    /// lines are its content, not chrome (see [`SHORT_BODY_TOKENS`]).
    pub fn strip_into(&self, group: u32, folded: &str, out: &mut String) {
        let lines = folded_lines(folded).filter(|l| !l.is_empty());
        self.strip_lines(
            group,
            lines.map(|l| (l, line_hash(l.as_bytes()))),
            folded,
            out,
        );
    }

    /// [`Boilerplate::strip_into`] for a folded text whose line hashes are
    /// known (`hashes`, one per line, in order, as [`line_hash`] gives them).
    pub fn strip_hashed_into(&self, group: u32, folded: &str, hashes: &[u64], out: &mut String) {
        let lines = folded_lines(folded).filter(|l| !l.is_empty());
        self.strip_lines(group, lines.zip(hashes.iter().copied()), folded, out);
    }

    fn strip_lines<'a>(
        &self,
        group: u32,
        lines: impl Iterator<Item = (&'a str, u64)>,
        folded: &str,
        out: &mut String,
    ) {
        for (line, hash) in lines {
            if !self.lines.is_empty() && self.lines.contains(&(group, hash)) {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        if out.is_empty() || (out.len() < folded.len() && small_report(folded, out)) {
            out.clear();
            out.push_str(folded);
        }
    }

    /// Folds a page's text and appends its body to `out` (see
    /// [`Boilerplate::strip_into`]); returns the length of the folded text.
    pub fn body_into(&self, group: u32, text: &str, out: &mut String) -> usize {
        let folded = normalize(text);
        self.strip_into(group, &folded, out);
        folded.len()
    }

    /// The body of a page as a new string (see [`Boilerplate::body_into`]).
    pub fn body(&self, group: u32, text: &str) -> String {
        let mut out = String::new();
        self.body_into(group, text, &mut out);
        out
    }
}

/// A body (folded, boilerplate removed) of fewer tokens than this, of a
/// page of at most [`SMALL_PAGE_TOKENS`] that holds a figure (a report:
/// an amount, a date), is too little to tell one report from another: the
/// page keeps its recurring lines. A wire's dividend notices (`qtly div
/// 22 cts vs 22 cts prior`, then `pay april 30` and `record april 10`,
/// lines that recur in other companies' notices) were left the first line
/// alone, and different companies' notices of one amount were exact
/// duplicates: about 26 of the 32 clusters holding such short bodies in
/// Reuters-21578 (whose text field holds no title) joined companies,
/// quarters or market hours that differ (see the README).
pub const SHORT_BODY_TOKENS: usize = 16;

/// The most tokens of a page whose short body keeps its recurring lines
/// ([`SHORT_BODY_TOKENS`]): a scraped page's chrome is longer, and a page
/// of chrome and a few words of its own keeps only those words, so that
/// two briefs of one site are not alike through their chrome (nor are two
/// stubs of a small site's pages without figures).
pub const SMALL_PAGE_TOKENS: usize = 48;

/// Whether `folded` is a small report whose `body` (stripped from it) is
/// short: [`SHORT_BODY_TOKENS`], [`SMALL_PAGE_TOKENS`], and a figure.
fn small_report(folded: &str, body: &str) -> bool {
    fewer_tokens_than(body, SHORT_BODY_TOKENS)
        && fewer_tokens_than(folded, SMALL_PAGE_TOKENS + 1)
        && folded.bytes().any(|b| b.is_ascii_digit())
}

/// Whether folded text `t` has fewer than `n` tokens
/// ([`crate::shingle::tokens`]); reads at most its first `n` tokens.
fn fewer_tokens_than(t: &str, n: usize) -> bool {
    n > 0 && crate::shingle::tokens(t).nth(n - 1).is_none()
}

/// Boilerplate learning split into steps over plain data, for a run whose
/// documents are spread over many machines ([`Boilerplate::learn_profiles`]
/// does the same steps in one process, with the same result):
///
/// 1. every page's [`Profile`] (group, title hash, distinct folded lines);
/// 2. the lines of a group held by at least [`partitioned::min_pages`] pages: the
///    *recurring* lines (a count after a shuffle on `(group, line)`);
/// 3. each page holding a recurring line: its [`partitioned::story_identity`], from its
///    profile and the recurring lines among its own;
/// 4. each recurring line: boilerplate when the pages holding it make at
///    least [`partitioned::min_pages`] distinct stories, no one of them
///    nine tenths of its pages ([`partitioned::is_boilerplate`], after a shuffle of the pages' story identities on
///    the line).
pub mod partitioned {
    use super::*;

    /// The number of pages (step 2) and of stories (step 4) a line needs.
    pub fn min_pages(cfg: &BoilerplateConfig) -> usize {
        cfg.min_stories.max(2)
    }

    /// The line hashes of a profile's lines (see [`Profile::lines`]), longest first.
    pub fn line_hashes(profile_lines: &[u8]) -> Vec<u64> {
        decode_lines(profile_lines).map(|(_, h)| h).collect()
    }

    /// A page's story identity (step 3): `recurring` are the recurring
    /// lines of its group that it holds.
    pub fn story_identity(title: u64, profile_lines: &[u8], recurring: &[u64]) -> Vec<u64> {
        let recurring: AHashSet<(u32, u64)> = recurring.iter().map(|&h| (0, h)).collect();
        story_hashes(title, &lines_of(0, profile_lines, &recurring))
    }

    /// Whether `line` is boilerplate (step 4), given the story identity of
    /// each page holding it: boilerplate when they make at least `min_pages`
    /// distinct stories, no one of them holds nine tenths of the pages, and
    /// the line is not an anchor. The order of the
    /// pages does not matter.
    pub fn is_boilerplate(line: u64, stories: &[Vec<u64>], min_pages: usize) -> bool {
        StoryCount::default()
            .count(line, 0..stories.len() as u32, |p| {
                stories[p as usize].as_slice()
            })
            .boilerplate(line, min_pages)
    }
}

/// Whether the pages of a line's run have fewer than `min` titles: pages
/// with one title are one story (the title is among their story hashes),
/// so they make fewer than `min` stories and the line is not boilerplate.
/// A page without a title (or whose title hash is the line's) may be a
/// story of its own. Most runs at scale are one story's paragraph on a site
/// that ran several copies of it; this rules them out without counting.
fn few_titles(run: &[Held], line: u64, titles: &[u64], min: usize, seen: &mut Vec<u64>) -> bool {
    seen.clear();
    let mut untitled = 0;
    for h in run {
        let t = titles[h.page() as usize];
        if t == 0 || t == line {
            untitled += 1;
        } else if !seen.contains(&t) {
            seen.push(t);
        }
        if seen.len() + untitled >= min {
            return false;
        }
    }
    true
}

/// A line `(group, hash)` held by a page, as one integer ordered by line,
/// then page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Held(u128);

impl Held {
    fn new((group, hash): (u32, u64), page: u32) -> Held {
        Held((group as u128) << 96 | (hash as u128) << 32 | page as u128)
    }

    fn line(self) -> (u32, u64) {
        ((self.0 >> 96) as u32, (self.0 >> 32) as u64)
    }

    fn page(self) -> u32 {
        self.0 as u32
    }
}

/// The stories among the pages holding one line.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stories {
    /// How many pages hold the line.
    pages: usize,
    /// How many distinct stories they make.
    distinct: usize,
    /// How many pages the largest story has.
    largest: usize,
}

impl Stories {
    /// Whether the line is boilerplate: it recurs in at least `min` distinct
    /// stories, and no one story holds nine tenths of its pages (those are
    /// one story's copies, and the few pages outside it copies not
    /// recognised as such, as in a flood of copies with no source). An
    /// anchor is never boilerplate.
    fn boilerplate(&self, line: u64, min: usize) -> bool {
        self.distinct >= min && 10 * self.largest < 9 * self.pages && !is_anchor(line)
    }
}

/// Counts the stories among the pages holding one line: pages sharing a
/// story hash other than the line itself are one story. Its union-find,
/// hash owners and story sizes are reused from line to line.
#[derive(Default)]
struct StoryCount {
    parent: Vec<u32>,
    owner: AHashMap<u64, u32>,
    size: Vec<u32>,
    /// Counts by the hash of their pages.
    memo: AHashMap<u64, Vec<Remembered>>,
    remembered: usize,
}

/// A remembered count: the pages, and their stories.
type Remembered = (Box<[u32]>, Stories);

/// Page sets a [`StoryCount`] remembers before it forgets them all.
const REMEMBERED_RUNS: usize = 1 << 18;

impl StoryCount {
    /// [`StoryCount::count`] of one line's run of `(line, page)` entries
    /// (pages in order). The count depends only on the pages when none of
    /// their story hashes is the line itself, and the lines of one story on
    /// one site all recur on the same pages (its copies), so such counts
    /// are remembered by their pages: a site that ran a story many times
    /// counts its pages once, not once per line.
    fn count_run<'s>(
        &mut self,
        line: u64,
        run: &[Held],
        story_of: &impl Fn(u32) -> &'s [u64],
    ) -> Stories {
        let pages = || run.iter().map(|h| h.page());
        if pages().any(|p| story_of(p).contains(&line)) {
            return self.count(line, pages(), story_of);
        }
        let key = pages().fold(run.len() as u64, |h, p| {
            fmix64(h ^ u64::from(p)).rotate_left(7)
        });
        if let Some(known) = self.memo.get(&key) {
            if let Some(&(_, s)) = known.iter().find(|(ps, _)| ps.iter().copied().eq(pages())) {
                return s;
            }
        }
        let stories = self.count(line, pages(), story_of);
        if self.remembered == REMEMBERED_RUNS {
            self.memo.clear();
            self.remembered = 0;
        }
        self.memo
            .entry(key)
            .or_default()
            .push((pages().collect(), stories));
        self.remembered += 1;
        stories
    }

    fn count<'s>(
        &mut self,
        line: u64,
        pages: impl ExactSizeIterator<Item = u32>,
        story_of: impl Fn(u32) -> &'s [u64],
    ) -> Stories {
        fn find(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                p[x as usize] = p[p[x as usize] as usize];
                x = p[x as usize];
            }
            x
        }
        let parent = &mut self.parent;
        parent.clear();
        parent.extend(0..pages.len() as u32);
        // Clearing a hash map writes all of its capacity: after a long run,
        // a short one gets a map of its own size instead.
        let want = pages.len() * (STORY_LINES + 2);
        if self.owner.capacity() > 4 * want.max(64) {
            self.owner = AHashMap::with_capacity(want);
        } else {
            self.owner.clear();
        }
        let mut stories = 0usize;
        for (i, page) in (0..).zip(pages) {
            let mut joined = false;
            for &h in story_of(page).iter().filter(|&&h| h != line) {
                match self.owner.get(&h) {
                    Some(&j) => {
                        let (a, b) = (find(parent, i), find(parent, j));
                        if a != b {
                            parent[a as usize] = b;
                            if joined {
                                stories -= 1;
                            }
                        }
                        joined = true;
                    }
                    None => {
                        self.owner.insert(h, i);
                    }
                }
            }
            if !joined {
                stories += 1;
            }
        }
        let n = parent.len();
        self.size.clear();
        self.size.resize(n, 0);
        let mut largest = 0;
        for i in 0..n as u32 {
            let root = find(parent, i) as usize;
            self.size[root] += 1;
            largest = largest.max(self.size[root]);
        }
        Stories {
            pages: n,
            distinct: stories,
            largest: largest as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::numbers;

    #[test]
    fn remembered_story_counts_are_the_counts() {
        // Pages 0..40, each with a few story hashes drawn from a small
        // pool (so pages share stories); lines run over page sets that
        // repeat, and some lines are among their pages' story hashes.
        let mut rand = numbers(3);
        let stories: Vec<Vec<u64>> = (0..40)
            .map(|_| (0..1 + rand(4)).map(|_| 100 + rand(30)).collect())
            .collect();
        let story_of = |p: u32| stories[p as usize].as_slice();
        let sets: Vec<Vec<u32>> = (0..12)
            .map(|_| {
                let mut v: Vec<u32> = (0..3 + rand(8)).map(|_| rand(40) as u32).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let (mut remembering, mut plain) = (StoryCount::default(), StoryCount::default());
        let mut remembered = 0;
        for k in 0..400u64 {
            let pages = &sets[rand(sets.len() as u64) as usize];
            // Lines 100..130 are story hashes; others are not.
            let line = if k % 3 == 0 { 100 + rand(30) } else { 1000 + k };
            let run: Vec<Held> = pages.iter().map(|&p| Held::new((0, line), p)).collect();
            let before = remembering.remembered;
            let got = remembering.count_run(line, &run, &story_of);
            remembered += usize::from(remembering.remembered == before);
            assert_eq!(
                got,
                plain.count(line, pages.iter().copied(), story_of),
                "{k}"
            );
        }
        assert!(remembered > 200, "{remembered} counts taken from memory");
    }

    #[test]
    fn few_titles_never_rules_out_enough_stories() {
        // Pages with titles from a small pool (0 for none, and one title
        // equal to a line), whose story hashes are a few lines plus the
        // title as story_hashes makes them; runs over random page sets.
        let mut rand = numbers(7);
        let titles: Vec<u64> = (0..60)
            .map(|_| [0, 500, 501, 502, 503, 104][rand(6) as usize])
            .collect();
        let stories: Vec<Vec<u64>> = (0..60)
            .map(|p| {
                let mut s: Vec<u64> = (0..rand(3)).map(|_| 100 + rand(12)).collect();
                s.extend((titles[p] != 0).then_some(titles[p]));
                s
            })
            .collect();
        let story_of = |p: u32| stories[p as usize].as_slice();
        let (mut count, mut seen) = (StoryCount::default(), Vec::new());
        let (mut ruled_out, mut counted) = (0, 0);
        for k in 0..2000u64 {
            let mut pages: Vec<u32> = (0..2 + rand(7)).map(|_| rand(60) as u32).collect();
            pages.sort_unstable();
            pages.dedup();
            let line = if k % 4 == 0 { 100 + rand(12) } else { 104 };
            let run: Vec<Held> = pages.iter().map(|&p| Held::new((0, line), p)).collect();
            for min in [2, 3, 4] {
                let stories = count.count(line, pages.iter().copied(), story_of);
                if few_titles(&run, line, &titles, min, &mut seen) {
                    ruled_out += 1;
                    assert!(stories.distinct < min, "{k} {min}: {stories:?} {pages:?}");
                } else {
                    counted += 1;
                }
            }
        }
        assert!(ruled_out > 1000 && counted > 1000, "{ruled_out} {counted}");
    }

    fn learn(texts: &[(u32, String)], cfg: &BoilerplateConfig) -> Boilerplate {
        let profile = |i: usize| {
            Ok(Profile::of(&PageRef {
                group: texts[i].0,
                text: Cow::Borrowed(&texts[i].1),
                title: None,
            }))
        };
        // A tiny sketch (all lines collide) must learn the same as a big one.
        let small = Boilerplate::learn_profiles(texts.len(), profile, cfg, 64, 2).unwrap();
        let big = Boilerplate::learn_profiles(texts.len(), profile, cfg, 1 << 20, 3).unwrap();
        assert_eq!(small.lines(), big.lines());
        big
    }

    fn story(i: usize) -> String {
        format!(
            "story number {i} begins here with a long paragraph about topic {i} and its many details\n\
             a second paragraph {i} follows with quotes from officials about event {i}"
        )
    }

    #[test]
    fn removes_site_chrome_keeps_bodies() {
        let chrome = "navigation\njoin our telegram channel for news";
        let texts: Vec<(u32, String)> = (0..5)
            .map(|i| (0, format!("{chrome}\n{}", story(i))))
            .collect();
        let bp = learn(&texts, &BoilerplateConfig::default());
        assert_eq!(bp.len(), 2);
        assert_eq!(bp.body(0, &texts[3].1), story(3));
        assert_eq!(
            bp.body(1, &texts[3].1),
            texts[3].1,
            "other groups are untouched"
        );
    }

    #[test]
    fn keeps_paragraphs_shared_by_copies_of_one_story() {
        // One wire story on five sites with the same chrome-free body, plus two
        // other stories: the wire paragraphs recur in 5 documents but 1 story.
        let mut texts: Vec<(u32, String)> = (0..5).map(|_| (0, story(99))).collect();
        texts.push((0, story(1)));
        texts.push((0, story(2)));
        let bp = learn(&texts, &BoilerplateConfig::default());
        assert!(bp.is_empty());
    }

    /// Paragraphs of at least [`ANCHOR_MIN`] bytes for the flood tests.
    fn paragraph(k: usize) -> String {
        let n = ["one", "two", "three", "four", "five"][k];
        format!(
            "paragraph {n} of the flooded article tells in many plain words what \
             the council decided on the bridge {}and why the vote was close, \
             as the clerk of paragraph {n} wrote",
            "and what comes next ".repeat(k + 1)
        )
    }

    /// Forty copies of one article with no source, each with one word
    /// changed in one paragraph, beside eight other stories under the same
    /// menu: the article's paragraphs are kept (its copies are one story,
    /// recognised by the anchors of their edited paragraphs), the menu is
    /// learned.
    #[test]
    fn edited_copies_of_one_article_keep_their_paragraphs() {
        let mut texts: Vec<(u32, String)> = (0..40)
            .map(|c| {
                let paragraphs: Vec<String> = (0..5)
                    .map(|k| match k == c % 5 {
                        true => paragraph(k).replacen("plain", &format!("plainx{c}"), 1),
                        false => paragraph(k),
                    })
                    .collect();
                (0, format!("menu\n{}", paragraphs.join("\n")))
            })
            .collect();
        texts.extend((0..8).map(|i| (0, format!("menu\n{}", story(i)))));
        let bp = learn(&texts, &BoilerplateConfig::default());
        assert_eq!(bp.lines(), vec![(0, line_hash(b"menu"))]);
    }

    /// Templated reports (the same paragraphs, another figure in one line)
    /// are stories of their own: their template is learned. Their figure
    /// lines share an opening but not their figures, so no anchor recurs.
    #[test]
    fn templated_reports_with_other_figures_stay_apart() {
        let template = "the federal reserve said it was adding reserves to the banking \
                        system through customer repurchase agreements today";
        let texts: Vec<(u32, String)> = (0..10)
            .map(|i| {
                let figure = format!(
                    "the federal reserve added {}.{i} billion dlrs of temporary reserves \
                     to the banking system in its customer repurchase operation",
                    i + 1
                );
                (
                    0,
                    format!("{template}\n{figure}\nfed funds traded at six pct"),
                )
            })
            .collect();
        let bp = learn(&texts, &BoilerplateConfig::default());
        assert_eq!(bp.len(), 2);
        assert!(bp
            .body(0, &texts[4].1)
            .starts_with("the federal reserve added 5.4"));
    }

    #[test]
    fn disabled_learns_nothing() {
        let texts: Vec<(u32, String)> =
            (0..5).map(|i| (0, format!("menu\n{}", story(i)))).collect();
        let cfg = BoilerplateConfig {
            enabled: false,
            ..Default::default()
        };
        assert!(learn(&texts, &cfg).is_empty());
    }

    /// Short notices whose date lines recur in other notices (a wire's
    /// dividend notices): a notice keeps those lines, so two companies'
    /// notices of one amount differ by their dates; the lines are still
    /// learned, and a long page loses them.
    #[test]
    fn a_small_report_keeps_its_recurring_lines_when_its_body_would_be_short() {
        let notice = |amount: &str, pay: &str, record: &str| {
            format!(
                "qtly div {amount} cts vs {amount} cts prior\npay {pay}\nrecord {record}\nreuter"
            )
        };
        let mut texts: Vec<(u32, String)> = ["22", "15", "30", "8", "41"]
            .iter()
            .map(|a| (0, notice(a, "may one", "april 10")))
            .collect();
        texts.push((0, notice("22", "april 10", "march 30")));
        texts.push((0, format!("{}\npay may one\nrecord april 10", story(0))));
        let bp = learn(&texts, &BoilerplateConfig::default());
        for line in ["pay may one", "record april 10", "reuter"] {
            let learned = bp.lines().contains(&(0, line_hash(line.as_bytes())));
            assert!(learned, "{line}: {:?}", bp.lines());
        }
        let (first, other) = (bp.body(0, &texts[0].1), bp.body(0, &texts[5].1));
        assert_eq!(first, normalize(&texts[0].1));
        assert_ne!(first, other, "one amount, other dates");
        // A long page loses the recurring lines.
        assert_eq!(bp.body(0, &texts[6].1), normalize(&story(0)));
    }

    /// Pages of `menu`, a story and `footer` (stories 0 to 5), then one of
    /// `menu`, `own` and `footer`: the number of lines learned, and the
    /// last page's body.
    fn chrome_around(menu: &str, own: &str, footer: &str) -> (usize, String) {
        let page = |own: &str| format!("{menu}\n{own}\n{footer}");
        let texts: Vec<(u32, String)> = (0..6)
            .map(|i| (0, page(&story(i))))
            .chain([(0, page(own))])
            .collect();
        let bp = learn(&texts, &BoilerplateConfig::default());
        (bp.len(), bp.body(0, &texts[6].1))
    }

    /// A small page of chrome and a stub of its own, without figures, keeps
    /// the stub: two stubs of one site are not alike through their chrome.
    #[test]
    fn a_small_page_of_chrome_keeps_only_its_stub() {
        let (learned, body) = chrome_around(
            "alpha home news sport",
            "breaking news",
            "subscribe to the alpha daily newsletter",
        );
        assert_eq!(learned, 2);
        assert_eq!(body, "breaking news");
    }

    /// A scraped page of chrome (more than [`SMALL_PAGE_TOKENS`] in all) and
    /// a brief of its own keeps only the brief: two briefs of one site are
    /// not alike through their chrome.
    #[test]
    fn a_page_of_chrome_and_a_brief_keeps_the_brief() {
        let menu = "home news sport business culture weather video podcasts \
                    newsletters subscribe sign in search the archive contact us \
                    local politics world opinion obituaries puzzles travel";
        let footer = "about us careers advertise with us privacy policy cookie settings \
                      terms of use accessibility help centre all rights reserved";
        let (learned, body) = chrome_around(menu, "the ferry sailed late on monday", footer);
        assert_eq!(learned, 2);
        assert_eq!(body, "the ferry sailed late on monday");
    }

    #[test]
    fn token_counts_stop_early_and_count_lines() {
        assert!(fewer_tokens_than("", 1) && !fewer_tokens_than("", 0));
        assert!(!fewer_tokens_than("a", 1) && fewer_tokens_than("a", 2));
        assert!(fewer_tokens_than("a b\nc", 4) && !fewer_tokens_than("a b\nc", 3));
        let long = "word ".repeat(10_000);
        assert!(!fewer_tokens_than(long.trim_end(), SMALL_PAGE_TOKENS + 1));
    }

    #[test]
    fn all_boilerplate_page_keeps_its_text() {
        let texts: Vec<(u32, String)> =
            (0..5).map(|i| (0, format!("menu\n{}", story(i)))).collect();
        let bp = learn(&texts, &BoilerplateConfig::default());
        assert_eq!(bp.body(0, "Menu"), "menu");
    }

    /// The steps of [`partitioned`], run as a distributed job would (counts
    /// by line, identities per page, a verdict per line), learn the same
    /// model as [`Boilerplate::learn_profiles`]: chrome on two sites, a
    /// wire story copied to both (its paragraphs recur, in one story), and
    /// titled pages.
    #[test]
    fn partitioned_steps_learn_the_same_model() {
        let mut pages: Vec<(u32, String, Option<String>)> = Vec::new();
        for i in 0..12u32 {
            let site = i % 2;
            let chrome = ["alpha home | news | sport", "beta front page"][site as usize];
            let body = if i % 4 == 0 {
                story(99)
            } else {
                story(i as usize)
            };
            let title = (i % 3 == 0).then(|| format!("Title {}", i % 6));
            pages.push((
                site,
                format!("{chrome}\n{body}\nsubscribe to site {site}"),
                title,
            ));
        }
        let profiles: Vec<Profile> = pages
            .iter()
            .map(|(g, text, title)| {
                Profile::of(&PageRef {
                    group: *g,
                    text: Cow::Borrowed(text),
                    title: title.as_deref(),
                })
            })
            .collect();
        let cfg = BoilerplateConfig::default();
        let whole =
            Boilerplate::learn_profiles(pages.len(), |i| Ok(profiles[i].clone()), &cfg, 1 << 12, 5)
                .unwrap();
        assert!(!whole.is_empty());

        let least = partitioned::min_pages(&cfg);
        let mut held: AHashMap<(u32, u64), Vec<usize>> = AHashMap::new();
        for (i, p) in profiles.iter().enumerate() {
            for h in partitioned::line_hashes(&p.lines) {
                held.entry((p.group, h)).or_default().push(i);
            }
        }
        held.retain(|_, pages| pages.len() >= least);
        let identity = |i: usize| {
            let p = &profiles[i];
            let mine: Vec<u64> = partitioned::line_hashes(&p.lines)
                .into_iter()
                .filter(|h| held.contains_key(&(p.group, *h)))
                .collect();
            partitioned::story_identity(p.title, &p.lines, &mine)
        };
        let mut learned: Vec<(u32, u64)> = held
            .iter()
            .filter(|((_, line), pages)| {
                // Pages in reverse: the verdict does not depend on their order.
                let stories: Vec<Vec<u64>> = pages.iter().rev().map(|&i| identity(i)).collect();
                partitioned::is_boilerplate(*line, &stories, least)
            })
            .map(|(k, _)| *k)
            .collect();
        learned.sort_unstable();
        assert_eq!(learned, whole.lines());
    }

    #[test]
    fn group_keys() {
        assert_eq!(group_key(Some("AMN"), Some("https://x.com/a")), "AMN");
        assert_eq!(group_key(None, Some("https://www.x.com:8080/a?b")), "x.com");
        assert_eq!(group_key(Some(" "), Some("x.org/path")), "x.org");
        assert_eq!(group_key(None, None), "");
    }
}
