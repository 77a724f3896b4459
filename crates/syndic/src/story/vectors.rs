//! What the story rules read of a document: its term counts (with lead
//! and figure marks), the TF-IDF vector made of them over the corpus and
//! the background of general news, and what a vector tells of its
//! language, script and tables.

use super::*;

/// Sorted `(term hash, count)` pairs of a body's words.
pub type TermCounts = Vec<(u64, u32)>;
/// Sorted `(term hash, weight)` pairs with unit L2 norm.
pub type TermVector = Vec<(u64, f32)>;

/// Words at the start of a body that are its *lead*: the title and the
/// opening sentences, where a report names its event.
pub const LEAD_TOKENS: usize = 80;

/// The hash bit that marks a *lead term*: a term that occurs in the first
/// [`LEAD_TOKENS`] tokens, counted beside the term itself. Lead terms carry
/// no weight in vectors (they do not change cosines); they are indexed
/// beside a top term that is one, so that candidates count the rare terms
/// that both leads hold.
pub const LEAD_BIT: u64 = 1 << 63;

/// The hash bit that marks, beside [`LEAD_BIT`], a *profile term*: one of
/// a vector's [`PROFILE_TERMS`] most widely held words (its language's
/// function words: see [`vector`]), kept with weight zero, which tell
/// whether two documents are in one language ([`cross_language`]).
pub const PROFILE_BIT: u64 = 1 << 62;

/// The two marking bits: a term's own hash has neither.
pub(super) const MARKS: u64 = LEAD_BIT | PROFILE_BIT;

/// Whether a term is *uncommon*: a term of its own ([`is_term`]) that
/// general English news does not commonly use (no word of
/// [`BackgroundNews`]) and no function word: the names and figures of one
/// event (`pontiac`, `nakasone`, `5.63`), where `figures`, `february` or
/// `preliminary` are not ([`StoryConfig::min_uncommon_terms`]). A figure
/// counts: a company's results and its report of them, or a bill auction
/// and its rates, share their figures and little else rare. A year
/// ([`is_year`]) does not: two companies' reports of their 1986 reserves
/// or capital plans share it as they share `february`.
pub fn is_uncommon(term: u64) -> bool {
    is_term(term)
        && BackgroundNews::share(term).is_none()
        && !function_words().contains_key(&term)
        && !is_year(term)
}

/// Whether a term is a year from 1800 to 2099 (by its hash; a price
/// quoted in that range, a cocoa settlement at 1934, is taken for one).
pub fn is_year(term: u64) -> bool {
    static YEARS: std::sync::OnceLock<AHashSet<u64>> = std::sync::OnceLock::new();
    YEARS
        .get_or_init(|| {
            (1800..2100)
                .map(|y: u32| term_hash(y.to_string().as_bytes()))
                .collect()
        })
        .contains(&term)
}

/// The marking bits of a *name mark*: [`PROFILE_BIT`] alone, on a term
/// that at least two and at most `name_posting` clusters hold
/// ([`StoryConfig::min_shared_names`]). Name marks are indexed for
/// candidates beside the top terms ([`vector_and_names`]); vectors hold
/// none.
pub const NAME_MARK: u64 = PROFILE_BIT;

/// A term's own hash, without its marking bits (a lead term's or name
/// mark's word).
pub fn base_term(term: u64) -> u64 {
    term & !MARKS
}

/// Whether a term hash is a name mark's.
pub fn is_name(term: u64) -> bool {
    term & MARKS == NAME_MARK
}

/// Whether a term hash is a lead term's.
pub fn is_lead(term: u64) -> bool {
    term & MARKS == LEAD_BIT
}

/// Whether an entry of a vector is a term of its own (weighted), not a
/// lead or profile mark.
pub fn is_term(term: u64) -> bool {
    term & MARKS == 0
}

/// Common words per document in its language profile.
pub const PROFILE_TERMS: usize = 8;

/// The entry of a document's [`TermCounts`] that holds, as its count, how
/// many of its terms are figures (tokens that start with a digit); it sorts
/// after every term and lead mark, and is no term ([`is_term`]). Its
/// share of the terms tells a table from prose ([`FIGURE_SHARE`]).
pub const FIGURES: u64 = u64::MAX;

/// The entry of a document's [`TermCounts`] that holds, as its count, how
/// many of its terms are bigrams of an unspaced script (Han, kana, Thai);
/// it sorts just before [`FIGURES`] and is no term.
pub const UNSPACED: u64 = u64::MAX - 1;

/// The vector entry (weight zero, last) of a document written mostly in
/// an unspaced script ([`UNSPACED_SHARE`] of its terms): see
/// [`cross_script`].
pub const UNSPACED_MARK: u64 = u64::MAX;

/// The profile of a table ([`FIGURE_SHARE`]): its one profile entry
/// (weight zero), in place of common words ([`is_table`]). It has both
/// marking bits and hash zero, so it sorts before every other profile
/// entry and is no term ([`is_term`]); one profile entry is no full
/// profile, so a table is no prose ([`is_prose`]) and in no other
/// language ([`cross_language`]), as without it.
pub const TABLE_MARK: u64 = MARKS;

/// Share of a document's terms that are unspaced-script bigrams from which
/// it is written in such a script.
pub const UNSPACED_SHARE: f64 = 0.5;

/// Share of a document's terms that are figures from which it is a table
/// (earnings, prices, results), whose most used words ("vs", "mln",
/// "shr", "cts") are a table's, not a language's: it gets no profile, so
/// it is never in another language than prose ([`cross_language`]). On
/// Reuters-21578 earnings and price tables hold 20-37% figures and prose
/// 4-16%; on SemEval-2022 train 1.7% of the texts hold 20% or more. Its
/// profile is [`TABLE_MARK`] alone. A table also holds at least
/// [`TABLE_MIN_FIGURES`] figures.
pub const FIGURE_SHARE: f64 = 0.2;

/// Figures (counted with repeats) a table holds at least, whatever their
/// share: a one-line flash ("United Biscuits pretax profit 125.2 mln stg
/// vs 102.2 mln in 53 wks to Jan 3": three figures among its terms, a
/// day's one digit being no term) is a sentence, and the report that
/// follows it with the results table is one thread with it by their
/// names. The smallest tables of Reuters-21578 that were read (Singapore
/// rubber at one hour: a price pair for each of three months and the
/// hour) hold seven.
pub const TABLE_MIN_FIGURES: u64 = 6;

/// Times a common word occurs in a document to be in its profile: a
/// short page's (a login prompt, a paywall notice) words occur once, and
/// its eight most frequent would be chosen by hash; such a page has no
/// full profile and is judged as any other.
const PROFILE_MIN_COUNT: u32 = 2;

/// A word is *common* (a profile candidate) when at least this share of
/// the documents holds it: function words, in any language with that many
/// documents. A language with fewer has no profile of full length, and
/// its pairs are judged as any other.
const COMMON_SHARE: f64 = 0.02;

/// Profile terms that two documents in one language share at least.
/// Measured on SemEval-2022 train with its language labels, over every
/// pair of its 1,577 documents with a full profile: 0.6% of the pairs in
/// one language share fewer (mostly pages whose text is another language
/// than labelled), and 90% of the pairs in two.
pub(super) const SAME_LANGUAGE_SHARED: usize = 2;

/// A vector's profile entries ([`PROFILE_BIT`]): they sort after every term
/// and lead mark.
pub(super) fn profile_marks(v: &TermVector) -> &[(u64, f32)] {
    let end = v.len() - usize::from(unspaced(v));
    &v[v[..end].partition_point(|&(t, _)| t < MARKS)..end]
}

/// Whether a vector's document is a table ([`FIGURE_SHARE`] of its terms
/// are figures; its profile is [`TABLE_MARK`]).
pub fn is_table(v: &TermVector) -> bool {
    profile_marks(v)
        .first()
        .is_some_and(|&(t, _)| t == TABLE_MARK)
}

/// Whether both vectors' documents are tables ([`is_table`]): the rare
/// terms such a pair shares are its labels, not names
/// ([`StoryConfig::rule_by_terms`]). A table and a report in prose (a
/// company's results and the story on them) share the company's name.
pub fn both_tables(a: &TermVector, b: &TermVector) -> bool {
    is_table(a) && is_table(b)
}

/// Whether two tables' figures (each one's sorted distinct figure hashes)
/// are those of one release: at least [`TABLE_FIGURES_SHARED`] of them,
/// and most of the smaller list's ([`TABLE_FIGURES_SHARE`]). A company's
/// results table and its one-line summary share the summary's figures;
/// one session's price tables of two markets or hours share a few by
/// chance, or the previous settlement.
pub fn tables_share_figures(a: &[u64], b: &[u64]) -> bool {
    let shared = merge_count(a, b);
    shared >= TABLE_FIGURES_SHARED
        && shared as f64 >= TABLE_FIGURES_SHARE * a.len().min(b.len()) as f64
}

/// The fewest figures two tables share to be one release
/// ([`tables_share_figures`]).
pub const TABLE_FIGURES_SHARED: usize = 2;

/// The share of the smaller table's figures that the other holds for two
/// tables to be one release ([`tables_share_figures`]).
pub const TABLE_FIGURES_SHARE: f64 = 0.5;

/// Whether a vector's document is written mostly in an unspaced script.
pub fn unspaced(v: &TermVector) -> bool {
    v.last().is_some_and(|&(t, _)| t == UNSPACED_MARK)
}

/// Whether two vectors are in two scripts: one written mostly in an
/// unspaced script, the other not. Such a pair shares only the names and
/// figures the first writes in the other's script.
pub fn cross_script(a: &TermVector, b: &TermVector) -> bool {
    unspaced(a) != unspaced(b)
}

/// Share of its distinct terms that a document whose language is not told
/// ([`FunctionWords::of`]) holds as function words of another document's
/// language, from which it is in that language ([`cross_language`]): a
/// price table's few words of prose ("any origin", "and") are its
/// language's. Measured where the language is not told: English price
/// tables in Reuters-generated hold 3.4-12.7% English function words,
/// and the Polish pages of SemEval-2022 train (Polish has no list) 0-2.4%
/// against the English pages they are paired with.
pub const TOLD_BY_SHARE: f64 = 0.03;

/// Function words of the other's language that a document whose language
/// is not told holds at least to be in that language ([`TOLD_BY_SHARE`]).
pub const TOLD_BY_WORDS: usize = 2;

/// Whether two vectors are in two languages: both have a full profile
/// ([`PROFILE_TERMS`] common words) and they share fewer than
/// `SAME_LANGUAGE_SHARED` (2) of them, unless both are told as one
/// language by their function words ([`FunctionWords::of`]), or one is
/// told and the other, too poor in function words to be told, holds the
/// first one's at [`TOLD_BY_SHARE`] of its terms. A profile is a
/// document's most widely held words, and a page that is mostly a table
/// (an earnings report rewritten with a sentence or two of prose, a price
/// table with words between its figures) has its table's words there,
/// not its language's.
pub fn cross_language(a: &TermVector, b: &TermVector) -> bool {
    let (pa, pb) = (profile_marks(a), profile_marks(b));
    if pa.len() < PROFILE_TERMS || pb.len() < PROFILE_TERMS {
        return false;
    }
    let mut shared = 0;
    merge_join(pa, pb, |t| t.0, |_, _| shared += 1);
    if shared >= SAME_LANGUAGE_SHARED {
        return false;
    }
    let language = |v: &TermVector| FunctionWords::of(v.iter().map(|&(t, _)| t));
    let (la, lb) = (language(a), language(b));
    let none = FunctionWords::default();
    match (la == none, lb == none) {
        (false, false) => la != lb,
        (true, true) => true,
        (true, false) => !lb.told_in(a),
        (false, true) => !la.told_in(b),
    }
}

/// Counts the terms of a folded body: its words, except that runs of
/// single-character tokens of unspaced scripts (Han, kana, Thai) count as
/// character bigrams, since one Han character says little about a story;
/// and, marked with [`LEAD_BIT`], the terms of its first [`LEAD_TOKENS`]
/// tokens. (Word bigrams were measured and dropped: mostly unshared between
/// rewrites, they dilute the cosine.)
pub fn term_counts(body: &str) -> TermCounts {
    // Tokens average about 6 bytes with their separator.
    let mut terms: Vec<u64> = Vec::with_capacity(body.len() / 4 + LEAD_TOKENS);
    let mut figures = 0u32;
    let mut unspaced = 0u32;
    each_term(body, |k, term, word| {
        match word {
            Term::Word(t) => figures += u32::from(t.as_bytes()[0].is_ascii_digit()),
            Term::Bigram(..) => unspaced += 1,
        }
        terms.push(term);
        if k < LEAD_TOKENS {
            terms.push(term | LEAD_BIT);
        }
    });
    crate::shingle::sort_hashes(&mut terms);
    // Exactly one entry per distinct term: every representative's counts
    // are held at once, and tokens repeat about twice on average.
    let distinct = terms.chunk_by(|a, b| a == b).count();
    let mut out: TermCounts = Vec::with_capacity(distinct + 1);
    for t in terms {
        match out.last_mut() {
            Some((last, n)) if *last == t => *n += 1,
            _ => out.push((t, 1)),
        }
    }
    if unspaced > 0 {
        out.push((UNSPACED, unspaced));
    }
    if figures > 0 {
        out.push((FIGURES, figures));
    }
    out
}

/// A term as [`each_term`] finds it: a word, or a bigram of two
/// single-character tokens of an unspaced script.
enum Term<'a> {
    Word(&'a str),
    Bigram(&'a str, &'a str),
}

/// Calls `f(k, term hash, term)` for each term of a folded body, `k` the
/// place of its (last) token: words of two or more bytes, and for runs of
/// single-character tokens of unspaced scripts (Han, kana, Thai), their
/// character bigrams ([`term_counts`]).
fn each_term<'a>(body: &'a str, mut f: impl FnMut(usize, u64, Term<'a>)) {
    let mut prev_cjk: Option<&str> = None;
    for (k, t) in crate::shingle::tokens(body).enumerate() {
        let single_cjk = t.as_bytes()[0] >= 0x80 && {
            let mut chars = t.chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if is_unspaced_script(c))
        };
        if single_cjk {
            if let Some(p) = prev_cjk {
                f(
                    k,
                    term_hash(format!("{p}{t}").as_bytes()),
                    Term::Bigram(p, t),
                );
            }
            prev_cjk = Some(t);
        } else {
            prev_cjk = None;
            if t.len() > 1 {
                f(k, term_hash(t.as_bytes()), Term::Word(t));
            }
        }
    }
}

/// The words of a folded body by their term hashes (as [`term_counts`]
/// counts them), to show a term to a reader: `syndic explain` names the
/// terms two reports share.
pub fn term_words(body: &str) -> AHashMap<u64, String> {
    let mut words = AHashMap::new();
    each_term(body, |_, term, word| {
        words.entry(term).or_insert_with(|| match word {
            Term::Word(t) => t.to_string(),
            Term::Bigram(p, t) => format!("{p}{t}"),
        });
    });
    words
}

/// A token's term hash (no marking bit set).
pub(super) fn term_hash(token: &[u8]) -> u64 {
    xxh3_64_with_seed(token, SHINGLE_SEED ^ 0x7465_726d) & !MARKS
}

/// The languages whose function words are never evidence: NLTK's stop-word
/// lists (the `stop-words` crate) of the languages whose lists hold
/// function words only (the longer Chinese, Indonesian, Slovenian and
/// Hinglish lists hold content words too).
pub const FUNCTION_WORD_LANGUAGES: [&str; 18] = [
    "ar", "ca", "da", "de", "el", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru",
    "sv", "tr",
];

/// For each function word of [`FUNCTION_WORD_LANGUAGES`] (its term hash,
/// folded as bodies are), the languages it is one of (bit `k` for the
/// `k`th).
fn function_words() -> &'static AHashMap<u64, u32> {
    static WORDS: std::sync::OnceLock<AHashMap<u64, u32>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: AHashMap<u64, u32> = AHashMap::new();
        for (k, code) in FUNCTION_WORD_LANGUAGES.iter().enumerate() {
            for word in stop_words::lookup(code).unwrap_or_default() {
                let folded = crate::text::normalize::normalize(word);
                for t in crate::shingle::tokens(&folded).filter(|t| t.len() > 1) {
                    *words.entry(term_hash(t.as_bytes())).or_default() |= 1 << k;
                }
            }
        }
        words
    })
}

/// Distinct function words a document must hold for its language to be
/// told ([`FunctionWords::of`]).
pub const MIN_FUNCTION_WORDS: usize = 8;

/// The function words of a document's language: those of the one of
/// [`FUNCTION_WORD_LANGUAGES`] whose function words it holds the most of
/// (at least [`MIN_FUNCTION_WORDS`], ties to the first); none when it holds
/// too few of any (a language without a list, a short page or a table).
/// They are never indexed for candidates ([`top_terms`]): in a language
/// that few documents of a corpus are in, few clusters hold its function
/// words, so they looked like rare names. Eight German pages of eight
/// events (SemEval-2022 train), put into Reuters-21578, made one story of
/// five on four or five shared "rare" words, two to five of them in both
/// leads; French and Russian pages likewise. Only the document's own
/// language counts: another language's function word can be a name or a
/// content word ("war", "die", "mine"). They still weigh in the vectors
/// (cosines) and in the name marks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FunctionWords(u32);

impl FunctionWords {
    /// The function words of the language of a document whose distinct
    /// terms are `terms` (marked entries are skipped).
    pub fn of(terms: impl Iterator<Item = u64>) -> FunctionWords {
        let words = function_words();
        let mut held = [0usize; FUNCTION_WORD_LANGUAGES.len()];
        for t in terms.filter(|&t| is_term(t)) {
            if let Some(&langs) = words.get(&t) {
                for (k, n) in held.iter_mut().enumerate() {
                    *n += (langs >> k & 1) as usize;
                }
            }
        }
        let best = (0..held.len()).rev().max_by_key(|&k| held[k]).unwrap_or(0);
        match held[best] >= MIN_FUNCTION_WORDS {
            true => FunctionWords(1 << best),
            false => FunctionWords(0),
        }
    }

    /// Whether a vector whose own language is not told holds enough of
    /// these function words ([`TOLD_BY_WORDS`], [`TOLD_BY_SHARE`] of its
    /// terms) to be in their language.
    fn told_in(self, v: &TermVector) -> bool {
        let (mut held, mut terms) = (0usize, 0usize);
        for &(t, _) in v.iter().filter(|&&(t, _)| is_term(t)) {
            terms += 1;
            held += usize::from(self.holds(t));
        }
        held >= TOLD_BY_WORDS && held as f64 >= TOLD_BY_SHARE * terms as f64
    }

    /// Whether `term` (or its lead mark) is one of these function words.
    pub fn holds(self, term: u64) -> bool {
        self.0 != 0
            && function_words()
                .get(&(term & !MARKS))
                .is_some_and(|&langs| langs & self.0 != 0)
    }
}

/// Inverse document frequencies `ln(N / df)` over the given documents
/// (callers pass one per near-duplicate cluster).
pub fn idf<'a>(counts: impl ExactSizeIterator<Item = &'a TermCounts>) -> AHashMap<u64, f32> {
    let mut df = DocumentFrequencies::default();
    for c in counts {
        df.add(c);
    }
    df.idf()
}

/// How many documents (cluster representatives) hold each term: the one
/// corpus-wide value the story stage needs. A distributed run sums the
/// partitions' values ([`DocumentFrequencies::merge`]) and broadcasts the
/// total; the result does not depend on how documents were partitioned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFrequencies {
    df: AHashMap<u64, u32>,
    documents: usize,
}

impl DocumentFrequencies {
    /// Counts one more document with these terms.
    pub fn add(&mut self, counts: &TermCounts) {
        for &(t, _) in counts.iter().filter(|&&(t, _)| is_term(t)) {
            *self.df.entry(t).or_insert(0) += 1;
        }
        self.documents += 1;
    }

    /// Adds another set of documents' frequencies to these.
    pub fn merge(&mut self, other: &DocumentFrequencies) {
        for (&t, &d) in &other.df {
            *self.df.entry(t).or_insert(0) += d;
        }
        self.documents += other.documents;
    }

    /// The number of documents counted.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Inverse document frequencies, `ln(documents / df)`.
    pub fn idf(&self) -> AHashMap<u64, f32> {
        self.idf_with_background(0.0)
    }

    /// [`DocumentFrequencies::idf`] with `background` documents of general
    /// news added ([`StoryConfig::background_documents`], [`term_idf`]).
    pub fn idf_with_background(&self, background: f64) -> AHashMap<u64, f32> {
        let n = self.documents;
        self.df
            .iter()
            .map(|(&t, &d)| (t, term_idf(t, d, n, background)))
            .collect()
    }
}

/// The inverse document frequency of a term held by `held` of `n`
/// documents and `background` documents of general news together (a
/// name's: by none of the background's).
pub(super) fn idf_value(held: f64, n: usize, background: f64) -> f32 {
    ((n.max(1) as f64 + background) / held).ln() as f32
}

/// The share of general-news documents that hold a function word of
/// [`FUNCTION_WORD_LANGUAGES`] that the background table does not list
/// (its own language's news, not English).
pub const FUNCTION_WORD_SHARE: f64 = 0.3;

/// The inverse document frequency of term `t`, held by `d` of `n`
/// documents, with `background` documents of general news added
/// ([`StoryConfig::background_documents`]): they hold the term at its
/// share of [`BackgroundNews`], a function word that it does not list at
/// [`FUNCTION_WORD_SHARE`] or its share of the corpus if higher, and any
/// other term (a name, a topic's own word) not at all.
pub fn term_idf(t: u64, d: u32, n: usize, background: f64) -> f32 {
    if background <= 0.0 {
        return idf_value(d as f64, n, 0.0);
    }
    let share = match BackgroundNews::share(t) {
        Some(share) => share,
        None if function_words().contains_key(&t) => {
            FUNCTION_WORD_SHARE.max(d as f64 / n.max(1) as f64)
        }
        None => 0.0,
    };
    idf_value(d as f64 + background * share, n, background)
}

/// General English news as the story stage's background
/// ([`StoryConfig::background_documents`]): each word's share of the
/// 2,225 BBC News articles of 2004-05 that hold it, for the 5,013 words
/// that at least 0.5 % hold (`data/background-en.txt`, written by
/// `benches/stories/background.py`), by term hash.
pub struct BackgroundNews;

impl BackgroundNews {
    /// The share of general news that holds term `t` (its hash), if listed.
    pub fn share(t: u64) -> Option<f64> {
        static TABLE: std::sync::OnceLock<AHashMap<u64, f64>> = std::sync::OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let mut table = AHashMap::new();
            let text = include_str!("../../data/background-en.txt");
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let Some((word, share)) = line.split_once(' ') else {
                    continue;
                };
                let share: f64 = share.parse().unwrap_or(0.0);
                let folded = crate::text::normalize::normalize(word);
                for t in crate::shingle::tokens(&folded).filter(|t| t.len() > 1) {
                    table.insert(term_hash(t.as_bytes()), share);
                }
            }
            table
        });
        table.get(&t).copied()
    }
}

/// The TF-IDF vector of one document whose terms' document frequencies
/// (over `n` documents) are given alongside: `df[k]` is that of
/// `counts[k]`. Equal to [`vector`] under [`DocumentFrequencies::idf`] of the whole
/// table, for a distributed run that joins each document's terms with
/// their frequencies instead of holding the table.
pub fn vector_with_df(counts: &TermCounts, df: &[u32], n: usize) -> TermVector {
    vector(counts, &idf_with_df(counts, df, n, 0.0))
}

/// The inverse document frequencies of `counts`' terms, whose document
/// frequencies over `n` documents are `df` (aligned).
fn idf_with_df(counts: &TermCounts, df: &[u32], n: usize, background: f64) -> AHashMap<u64, f32> {
    counts
        .iter()
        .zip(df)
        .map(|(&(t, _), &d)| (t, term_idf(t, d, n, background)))
        .collect()
}

/// [`vector_and_names`] of a document whose terms' document frequencies
/// over `n` documents are `df` (aligned with `counts`, as
/// [`vector_with_df`]), its names as `cfg` says ([`StoryConfig::name_range`]).
pub fn vector_and_names_with_df(
    counts: &TermCounts,
    df: &[u32],
    n: usize,
    cfg: &StoryConfig,
) -> (TermVector, Vec<u64>) {
    let idf = idf_with_df(counts, df, n, cfg.background_documents);
    vector_and_names(counts, &idf, cfg.name_range(n))
}

/// The TF-IDF vector of one document (sublinear term frequency); its lead
/// terms ([`is_lead`]) are kept with weight zero, outside the norm, and so
/// are, last, its profile terms ([`PROFILE_BIT`]): the [`PROFILE_TERMS`]
/// words it uses `PROFILE_MIN_COUNT` (2) times or more that the most
/// documents hold (at least `COMMON_SHARE` (2%) of them; ties to the lower
/// hash). The most widely held words of a corpus are its languages'
/// function words; a document's own frequent words are not (in a few
/// hundred police reports, "police" and "officials" are held by many).
pub fn vector(counts: &TermCounts, idf: &AHashMap<u64, f32>) -> TermVector {
    vector_and_names(counts, idf, None).0
}

/// [`vector`] and the document's name marks ([`NAME_MARK`]): one for each
/// term whose inverse document frequency is within `names`
/// ([`StoryConfig::name_range`]), ascending, found in the same pass. They are indexed
/// beside its [`top_terms`] ([`TermIndex`]), whatever the terms' weights.
pub fn vector_and_names(
    counts: &TermCounts,
    idf: &AHashMap<u64, f32>,
    names: Option<(f32, f32)>,
) -> (TermVector, Vec<u64>) {
    let (lo, hi) = names.unwrap_or((f32::INFINITY, f32::NEG_INFINITY));
    let mut marks: Vec<u64> = Vec::new();
    // The idf of a word held by `COMMON_SHARE` of the documents.
    let common_idf = (1.0 / COMMON_SHARE).ln() as f32;
    // Profile candidates: (idf, term).
    let mut common: Vec<(f32, u64)> = Vec::new();
    // At most one entry per term, allocated once: every representative's
    // vector is held at once.
    let mut v: TermVector = Vec::with_capacity(counts.len() + PROFILE_TERMS);
    // Terms that are figures, and all terms, for [`FIGURE_SHARE`].
    let (mut figures, mut terms, mut unspaced) = (0u64, 0u64, 0u64);
    for &(t, n) in counts {
        if t == FIGURES {
            figures = u64::from(n);
            continue;
        }
        if t == UNSPACED {
            unspaced = u64::from(n);
            continue;
        }
        if is_lead(t) {
            v.push((t, 0.0));
            continue;
        }
        terms += u64::from(n);
        let Some(&i) = idf.get(&t) else { continue };
        if lo <= i && i <= hi {
            marks.push(t | NAME_MARK);
        }
        if n >= PROFILE_MIN_COUNT && i <= common_idf {
            common.push((i, t));
        }
        let w = (1.0 + (n as f32).ln()) * i;
        if w > 0.0 {
            v.push((t, w));
        }
    }
    let table = figures >= TABLE_MIN_FIGURES && figures as f64 >= FIGURE_SHARE * terms as f64;
    let mut profile: Vec<u64> = if table {
        // A table: no common words, its mark (see [`FIGURE_SHARE`]).
        vec![TABLE_MARK]
    } else {
        common.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        common.truncate(PROFILE_TERMS);
        common.into_iter().map(|(_, t)| t | MARKS).collect()
    };
    profile.sort_unstable();
    let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    // Profile marks sort after every term and lead mark.
    v.extend(profile.into_iter().map(|t| (t, 0.0)));
    if unspaced > 0 && unspaced as f64 >= UNSPACED_SHARE * terms as f64 {
        v.push((UNSPACED_MARK, 0.0));
    }
    (v, marks)
}

/// Cosine of two unit vectors.
pub fn cosine(a: &TermVector, b: &TermVector) -> f64 {
    let mut dot = 0.0f64;
    merge_join(a, b, |t| t.0, |x, y| dot += x.1 as f64 * y.1 as f64);
    dot
}

/// A term's weight in a stored term list: a count or a TF-IDF weight.
pub trait Weight: Copy + Send + Sync {
    /// Little-endian bytes.
    fn to_le(self) -> [u8; 4];
    /// From little-endian bytes.
    fn from_le(bytes: [u8; 4]) -> Self;
}

impl Weight for u32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        u32::from_le_bytes(bytes)
    }
}

impl Weight for f32 {
    fn to_le(self) -> [u8; 4] {
        self.to_le_bytes()
    }
    fn from_le(bytes: [u8; 4]) -> Self {
        f32::from_le_bytes(bytes)
    }
}

/// Term counts and vectors are stored as a length and 12-byte entries.
impl<W: Weight> Blob for Vec<(u64, W)> {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        for &(t, w) in self {
            out.extend_from_slice(&t.to_le_bytes());
            out.extend_from_slice(&w.to_le());
        }
    }

    fn decode(bytes: &[u8]) -> Vec<(u64, W)> {
        bytes[8..]
            .chunks_exact(12)
            .map(|c| {
                let t = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
                (t, W::from_le(c[8..].try_into().expect("4 bytes")))
            })
            .collect()
    }
}

/// For tests: the texts of `corpora/stories` (six reports and another
/// outlet's rewrite of each), folded, in file-name order.
#[cfg(test)]
pub(crate) fn sample_stories() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpora/stories");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|p| crate::text::normalize::normalize(&std::fs::read_to_string(p).unwrap()))
        .collect()
}
