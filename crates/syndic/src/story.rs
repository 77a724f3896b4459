//! Story grouping: one level above near-duplicate clusters, rewritten versions
//! of the same event (another outlet's own report: reordered, paraphrased, a
//! different lead, but the same names, figures and quotes) join one *story*.
//!
//! Representation: each cluster's representative becomes an L2-normalized
//! TF-IDF vector over its words, with document frequencies counted over
//! clusters, not pages (a wire story on twenty sites is one use of its words,
//! not twenty), so
//! shared names and quotes weigh much more than shared common words.
//!
//! Candidates: an inverted index over each vector's `top_terms` heaviest
//! terms; two clusters are candidates when they share at least
//! `min_shared_terms` of them (terms held by more than `max_posting` clusters
//! are too common to index). A shared term indexed by at most `rare_posting`
//! clusters is *rare*: a name or detail of one event rather than a topic.
//!
//! Verification and grouping: a candidate pair is an edge when both are
//! undated or published within `window_days` (as far apart as their
//! earliest pages, or, for a cluster of one page, as the other cluster's
//! nearest page: [`Dates`]), at most one figure differs
//! between them in the same context (rewrites of one event report the same
//! figures; successive templated reports, such as weekly export sales, do
//! not), their cosine reaches `similarity`, and one of three kinds of
//! evidence holds:
//! - the cosine reaches `strong_similarity` (a close rewrite);
//! - they share `min_rare_terms` rare terms, `min_lead_terms` of them in
//!   both leads (the first [`LEAD_TOKENS`] tokens: title and opening).
//!   Another outlet's own report of one event names the event's people,
//!   places and details, and names them first; two reports on one topic (two
//!   companies' quarterly outlooks, one saga's successive events) share the
//!   topic's common words, and even when they share a name, their openings
//!   tell other events; optionally (`same_day_similarity`, off by
//!   default), on one day (both dated within `quote_window_days`, or
//!   either undated) and in one language, the `min_lead_terms` rare terms
//!   in both leads suffice, without the third (two outlets' reports of a
//!   big event, whose other names many clusters hold);
//! - the cosine reaches `quote_similarity` and they share passages: a long
//!   one (`min_shared_shingles`) when both are dated within
//!   `quote_window_days` (same-day reports of a big event, whose names are
//!   in many clusters and so not rare, that repeat one statement), or, on
//!   any dates, `min_shared_share` of the smaller one's shingles (a noisy
//!   or edited copy that its cluster missed);
//! - the cosine reaches `quote_similarity`, they are of one day and one
//!   language, and their shared indexed terms are a combination that no
//!   other cluster holds ([`unique_combination`], `combination_share`):
//!   in a large corpus, two outlets' reports of a factory fire share words
//!   (`factory`, `fire`, `trapped`) that tens of clusters each hold, so
//!   none is rare, but no third cluster holds most of them together.
//!
//! A pair in two languages ([`cross_language`]: the words that the most
//! documents hold, its function words, differ, and the function words of
//! one language do not tell both) shares only names, figures
//! and loanwords, so its cosine is about half a rewrite's: below
//! `similarity`, it is an edge from `cross_language_similarity` when it
//! shares one rare term more than `min_rare_terms`, `min_lead_terms` of
//! them in both leads.
//!
//! A pair in two scripts ([`cross_script`]: a page in Chinese, Japanese
//! or Thai, whose terms are character bigrams, and one in a spaced
//! script) shares only the names and figures the first writes in the
//! other's letters, and its cosine is near zero. It is an edge when it
//! shares `min_names_across_scripts` names and a term in both leads, and
//! such an edge only brings a cluster left alone by the stars into a story
//! ([`StoryConfig::min_names_across_scripts`]).
//!
//! (A shared quote of 8 shingles at cosine 0.3, on any dates, was the only
//! evidence below 0.45 before; measured on SemEval-2022 train, our own
//! labelled Reuters-21578 pairs and the generated corpora, the rules above
//! find far more rewrites with fewer false merges: see the README.)
//!
//! Groups are formed by *star clustering*: clusters are visited
//! by decreasing number of edges; an unassigned one becomes a story center and
//! takes every unassigned neighbour. Every member is therefore verified against
//! its story's center, never joined through a chain of neighbours. One step
//! is taken past that: a center left alone (every neighbour was taken by
//! an earlier star) joins the story of its nearest neighbour (highest
//! cosine) among those whose edge names one event (shared rare terms in
//! both leads). Without it, a report whose only matches are members of one
//! story stays out of it because the star's center was another report;
//! with it, a story's reach is at most two verified edges from its center,
//! and only for such a report, which no other report followed.
//!
//! With `merge_similarity` (off for stories, on for threads), stars that an
//! edge links then merge when their centroids agree
//! (`merge_linked_stars`, in [`group_pairs`]): a developing story told in more reports than
//! one star reaches is not left in pieces.
//!
//! Before the stars, a *roundup* (a digest such as an evening's commodity
//! highlights) keeps only its nearest edge by shared passages: it shares a
//! long passage with two reports that are not one story (low cosine, no
//! passage of their own in common), and as a center it would join them.

use crate::error::Result;
use crate::shingle::{ShingleKind, ShingleSpec, SHINGLE_SEED};
use crate::store::Blob;
use crate::text::normalize::is_unspaced_script;
use crate::verify::{figures_in_context, intersection, merge_count, merge_join, Evidence};
use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeSet, BinaryHeap};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Story settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoryConfig {
    /// Group clusters into stories at all.
    pub enabled: bool,
    /// Minimum TF-IDF cosine between a member and its story's center.
    pub similarity: f64,
    /// Heaviest terms per document that are indexed for candidates.
    pub top_terms: usize,
    /// Shared indexed terms needed for a candidate pair.
    pub min_shared_terms: usize,
    /// Terms indexed by more clusters than this are skipped as too common.
    pub max_posting: usize,
    /// Two dated versions more than this many days apart are different
    /// stories. Reports of one event come within a day or two of it; past
    /// three days, Reuters-21578's pairs that the other rules join are, read
    /// by eye, a saga's next step or the next templated report (23 of 25
    /// sampled: a bid and its deadline a week later, a suit and its
    /// verdict, a minister's resignation and successor).
    pub window_days: f64,
    /// Cosine at which no other evidence is needed (a close rewrite).
    pub strong_similarity: f64,
    /// Two versions published within this many days of each other that
    /// share a long verbatim passage (`min_shared_shingles`) at cosine
    /// `quote_similarity` are one story (same-day reports of one event that
    /// repeat a statement; the names they share are not rare when the
    /// event is big). Undated versions never take this path. Also what
    /// "of one day" means to the other rules ([`StoryConfig::one_day`]).
    pub quote_window_days: f64,
    /// The long-passage window, when it is not `quote_window_days`: the
    /// thread level sets its `window_days` here
    /// ([`crate::thread::ThreadConfig::rules`]), since the steps of one
    /// developing story days apart repeat its background paragraphs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage_window_days: Option<f64>,
    /// Shared shingles that make a long verbatim passage: word shingles, or
    /// six times as many character shingles (about six characters a word).
    pub min_shared_shingles: usize,
    /// Cosine at which a shared passage counts.
    pub quote_similarity: f64,
    /// On any dates, shared shingles that cover this share of the smaller
    /// version's are one story (a noisy or edited copy that its cluster
    /// missed; a saga's reports share a paragraph of background at most).
    pub min_shared_share: f64,
    /// A term is *rare* when at most this many clusters index it (hold it
    /// among their top terms): a name or detail of one event, not a topic.
    pub rare_posting: usize,
    /// Below `strong_similarity`, a pair must share this many rare terms ...
    pub min_rare_terms: usize,
    /// ... and this many rare terms in both leads (the title and the
    /// opening sentences, where a report names its event).
    pub min_lead_terms: usize,
    /// ... or, sharing at least this many rare terms, one in both leads
    /// (0: off). Off at the story level; the thread level sets it
    /// ([`crate::thread::ThreadConfig::many_rare_terms`]): a saga's
    /// follow-ups open with their own event and repeat its names below.
    pub many_rare_terms: usize,
    /// The lowest cosine of a pair in two languages ([`cross_language`]:
    /// their most widely held words differ). Two languages share only
    /// names, figures and loanwords, so a translation's cosine is about
    /// half a rewrite's (SemEval-2022 train: 0.06 to 0.12 for most
    /// same-event pairs in two Latin-script languages). Below `similarity`
    /// such a pair must name one event with one rare term more than
    /// `min_rare_terms` (and `min_lead_terms` in both leads): with only
    /// three, read by eye on SemEval train, 8 of 28 such edges were posts
    /// of one forum thread, one model's two photo sets, two clubs'
    /// transfer news or one site's chrome; with four, none of 13. Set it
    /// to `similarity` or above to judge such pairs as any other.
    pub cross_language_similarity: f64,
    /// The lowest cosine at which two reports of one day (both dated
    /// within `quote_window_days`, or either undated) in one language are
    /// one story by `min_lead_terms` rare terms in both leads alone, not
    /// `min_rare_terms`: reports of a big event name it first, but most of
    /// its names are in many clusters, so not rare. Off by default (1.0:
    /// any cosine that reaches it is a close rewrite anyway). At 0.2, on
    /// SemEval-2022 train (all languages) F1 rises 0.730 -> 0.740 and on
    /// our own Reuters-21578 pairs 0.743 -> 0.778, but read by eye on raw
    /// Reuters-21578, only about half of the 125 stories it grows are one
    /// event: it also joins one day's templated price reports (cattle
    /// markets, rubber and gold calls) and one company's unrelated
    /// announcements of a day (see the README).
    pub same_day_similarity: f64,
    /// A pair in two languages ([`cross_language`]) is one story from
    /// `cross_language_similarity` when it shares this many *names*: words
    /// held by at least two and at most `name_posting` clusters, whatever
    /// their weight (0: off). Two languages share names, figures and
    /// loanwords and little else; a report's own common words, rare in a
    /// corpus of many languages, outweigh its names, so the names of two
    /// translations are often not among both top terms (on SemEval-2022
    /// train, 44 of the 82 same-story pairs in two languages shared too
    /// few top terms to be candidates). Names are candidates of their own
    /// for such pairs, and only for them.
    pub min_shared_names: usize,
    /// At most this many clusters hold a name (see `min_shared_names`).
    pub name_posting: usize,
    /// A pair in two scripts ([`cross_script`]: a report in Chinese,
    /// Japanese or Thai and one in a spaced script) shares nothing but
    /// the names and figures the first writes in the other's script, so
    /// its cosine says nothing; it is an edge when it shares this many
    /// names and at least one term in both leads (chrome's "follow us on
    /// Facebook, Twitter" is no lead) (0: off). Such an edge only brings a
    /// report that is alone in its story into another's
    /// ([`group_pairs`]). On SemEval-2022 train (counted over the CSV's
    /// articles), none of the 28 Chinese-English pairs labelled different
    /// shares a name in Latin letters, and 14 of the 22 labelled one story
    /// share two or more; 7 of those share one in both leads too.
    pub min_names_across_scripts: usize,
    /// A pair of one day (both dated within `quote_window_days`, or either
    /// undated) in one language, at cosine `quote_similarity` or more,
    /// whose indexed terms are each held by too many clusters to be rare,
    /// still names one event when it shares at least
    /// [`COMBINATION_TERMS`] indexed terms, `min_lead_terms` of them in
    /// both leads, and no other cluster indexes this share of those terms
    /// (at least [`COMBINATION_HELD`] of them): the combination picks out
    /// the two, where each word alone (`fire`, `trapped`, `collapsed`)
    /// is held by many clusters in a large corpus (0: off). A single
    /// word's rarity falls as a corpus grows; a combination's falls far
    /// less (see [`unique_combination`] and the README).
    pub combination_share: f64,
    /// Pseudo-documents of general English news added to the document
    /// frequencies ([`BackgroundNews`]; 0: off). In a corpus of a hundred
    /// reports, frequencies cannot tell a common word from a name:
    /// `quarter`, `figures` or `director`, held by four reports, count as
    /// rare as a minister's name, and two reports of other events that
    /// share them are "the names of one event". The background holds each
    /// word at its share of general news (and a language's function words
    /// at 30 %, or their share of the corpus if higher), and no name or
    /// topic word, so in a small corpus common words weigh less and the
    /// corpus's own names and topic words more; among thousands of
    /// clusters the corpus's own counts decide. 300, measured on our three
    /// 100-report sets and SemEval-2022 train (see the README).
    pub background_documents: f64,
    /// Star groups that a verified edge links (a member of one and a
    /// member of the other) merge when their centroids reach this cosine
    /// and their centers are within `window_days` (`merge_linked_stars`,
    /// in [`group_pairs`]; 0: off). Off at the story level, where a saga's
    /// steps are other events; the thread level sets it
    /// ([`crate::thread::ThreadConfig::merge_similarity`]).
    pub merge_similarity: f64,
    /// A term held by more than `rare_posting` clusters and at most this
    /// many still counts as rare for two clusters in its *burst*
    /// ([`burst_members`]: most of its clusters fall in one window of
    /// `window_days`, where it is held by few of the clusters dated there
    /// and far more often than in the whole corpus), when the two also
    /// share a rare term. A developing story's names recur in more of a
    /// large corpus's clusters than `rare_posting` (an earthquake's
    /// country, a takeover's target), but inside its weeks they are
    /// rare. Off at the story level (0); the thread level sets it
    /// ([`crate::thread::ThreadConfig::bursty_posting`]). In a corpus of
    /// 100 clusters or fewer no term can qualify ([`BURST_WINDOW_SHARE`]).
    pub bursty_posting: usize,
    /// "The names of one event" make an edge by themselves
    /// ([`StoryConfig::names_one_event_by_name`]) when at least this many
    /// of the shared rare terms are *uncommon* ([`is_uncommon`]): a name
    /// or a figure, no word that general English news commonly uses (not
    /// in [`BackgroundNews`]). Two reports of other events of one genre
    /// share rare terms too, in a small corpus: two countries' monthly
    /// trade figures share `figures`, `preliminary`, `february` and
    /// `january`, which four of a hundred reports hold; an event's reports
    /// share a name (`pontiac`, `nakasone`) or its figures. 1 at both
    /// levels ([`crate::thread::ThreadConfig::min_uncommon_terms`]; 0:
    /// off). At the story level it moves no labelled pair of our real sets
    /// and splits three unlabelled SemEval groups, each rightly (a TV
    /// channel's New Year audience and a city's New Year party); in 103
    /// undated BBC business articles it splits one genre's reports of other
    /// events (two interest-rate rises months apart; South Korea's budget
    /// and the dollar's fall on `south`, `korea`, `ministry`): story
    /// precision there 0.392 -> 0.587 (see the README).
    pub min_uncommon_terms: usize,
    /// Two versions dated more than this many days apart that share a
    /// passage (`min_shared_shingles`) but few of their figures (each
    /// holds [`SERIES_MIN_FIGURES`] or more, and fewer than one in
    /// [`SERIES_SHARED_FIGURES`] of the smaller list's are the other's)
    /// are reports of a series, no story, whatever else they share
    /// ([`StoryConfig::series`], [`Refusal::Series`]): Argentina's grain
    /// board adjusts its export prices every few days in the same words,
    /// each report quoting the last one's prices "in brackets", and those
    /// shared words and prices were "the names of one event" (0: off). A
    /// report of the same event on a later day quotes its figures again.
    /// Off at the thread level, where a developing story's later reports
    /// repeat its background with new figures (on raw Reuters-21578, a
    /// first version on at that level split a rubber pact's reactions a
    /// week on and a forged-bond affair's next find).
    pub series_days: f64,
}

impl Default for StoryConfig {
    fn default() -> Self {
        StoryConfig {
            enabled: true,
            similarity: 0.12,
            top_terms: 64,
            min_shared_terms: 3,
            max_posting: 50,
            window_days: 3.0,
            strong_similarity: 0.6,
            quote_window_days: 0.5,
            passage_window_days: None,
            min_shared_shingles: 15,
            quote_similarity: 0.3,
            min_shared_share: 0.2,
            rare_posting: 5,
            min_rare_terms: 3,
            min_lead_terms: 2,
            many_rare_terms: 0,
            cross_language_similarity: 0.06,
            same_day_similarity: 1.0,
            min_shared_names: 4,
            name_posting: 20,
            min_names_across_scripts: 2,
            combination_share: 0.34,
            background_documents: 300.0,
            merge_similarity: 0.0,
            bursty_posting: 0,
            min_uncommon_terms: 1,
            series_days: 1.0,
        }
    }
}

/// Whether two publication times `gap` seconds apart are within `days`
/// of each other (one day, the passage window).
fn within_days(gap: i64, days: f64) -> bool {
    gap.unsigned_abs() as f64 <= days * 86_400.0
}

/// A story candidate: clusters `a < b` (indices) share `shared` indexed
/// terms (at least `min_shared_terms`), `rare` of them rare, `lead` of the
/// rare ones in both leads; or `names` names, at least `min_shared_names`
/// (such a pair is judged only if it is in two languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    /// The lower cluster index.
    pub a: u32,
    /// The higher cluster index.
    pub b: u32,
    /// Shared indexed terms (the top terms of both).
    pub shared: u32,
    /// Shared indexed terms that are rare (`rare_posting`).
    pub rare: u32,
    /// Shared rare terms in both leads.
    pub lead: u32,
    /// Shared names (see [`StoryConfig::min_shared_names`]).
    pub names: u32,
    /// Shared rare terms that are uncommon ([`is_uncommon`]).
    pub uncommon: u32,
}

/// The evidence that makes a story edge (see the module docs), in the
/// order the rules are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeRule {
    /// In two languages, `min_shared_names` names from
    /// `cross_language_similarity`.
    NamesAcrossLanguages,
    /// In two languages below `similarity`: one rare term more than
    /// `min_rare_terms`, from `cross_language_similarity`.
    RareTermsAcrossLanguages,
    /// In two scripts: `min_names_across_scripts` names and a lead term.
    NamesAcrossScripts,
    /// The cosine reaches `strong_similarity`.
    CloseRewrite,
    /// `min_rare_terms` rare terms, `min_lead_terms` of them in both leads
    /// (or `many_rare_terms`, one in both leads), `min_uncommon_terms` of
    /// them uncommon.
    NamesOneEvent,
    /// Of one day: `min_lead_terms` rare terms in both leads, from
    /// `same_day_similarity`.
    NamesOneDaysEvent,
    /// From `quote_similarity`: a long passage in common on one day, or
    /// `min_shared_share` of the smaller one's shingles.
    Passages,
    /// From `quote_similarity`, of one day: shared terms that no other
    /// cluster holds together ([`unique_combination`]).
    Combination,
}

/// Why a story candidate is no edge, by the first rule that rules it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Dated further apart than `window_days`.
    OutsideWindow,
    /// Fewer than `min_shared_terms` shared indexed terms (a candidate by
    /// names alone, in one language).
    FewSharedTerms,
    /// The cosine is below `similarity`.
    BelowSimilarity,
    /// In two scripts without the names that join such a pair.
    AcrossScripts,
    /// More figures differ in the same context than a report of one event
    /// allows, or, on another day, its one figure in the same context
    /// ([`StoryConfig::figures_agree`]).
    FiguresDiffer,
    /// Rare terms enough to name one event ([`StoryConfig::names_one_event`]),
    /// but fewer of them uncommon than `min_uncommon_terms` (no name or
    /// figure among them: [`StoryConfig::names_one_event_by_name`]), and
    /// no other evidence holds.
    NoUncommonTerms,
    /// Both are tables ([`is_table`]): their shared rare terms (contract
    /// months, column heads, the units of one market's quotes) are the
    /// labels of a table, not the names of one event, unless they share
    /// their figures ([`tables_share_figures`]); and no other evidence
    /// holds.
    Tables,
    /// Dated more than `series_days` apart, sharing a passage but few of
    /// their figures: another day's report of a series
    /// ([`StoryConfig::series`]).
    Series,
    /// None of the evidence holds.
    NoEvidence,
}

/// A story candidate's verdict: an edge and the evidence that makes it,
/// or none and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryVerdict {
    /// An edge, by this rule.
    Edge(EdgeRule),
    /// No edge, for this reason.
    NoEdge(Refusal),
}

impl StoryVerdict {
    /// Whether it is an edge.
    pub fn is_edge(self) -> bool {
        matches!(self, StoryVerdict::Edge(_))
    }
}

/// One story candidate judged ([`judge`]): the verdict and what it was
/// read from, as far as the rules got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judged {
    /// The verdict.
    pub verdict: StoryVerdict,
    /// The TF-IDF cosine (not computed past the window).
    pub cosine: Option<f64>,
    /// Judged as a pair in two scripts ([`cross_script`]).
    pub across_scripts: bool,
    /// Figures both put in the same context, and how many of those differ
    /// (read when the terms do not rule the pair out).
    pub figures_in_context: Option<(usize, usize)>,
    /// Shared shingles, and the smaller one's (read with the figures).
    pub shared_shingles: Option<(usize, usize)>,
    /// Two tables that share too few of their figures
    /// ([`tables_share_figures`]): their shared rare terms are labels, not
    /// names (read with the figures).
    pub labels: bool,
}

impl StoryConfig {
    /// Whether candidate `c`, at cosine `cos`, is an edge by its cosine and
    /// rare terms (`Some`), or only if it also shares passages
    /// ([`StoryConfig::shares_passages`]; `None`: the caller checks). A
    /// pair in two languages (`cross_language`) below `similarity` is an
    /// edge only from `cross_language_similarity` and by its rare terms;
    /// from that cosine, `min_shared_names` names also make it one
    /// ([`StoryConfig::names_across_languages`]). A candidate by names
    /// alone in one language is no edge. A
    /// pair of `one_day` ([`StoryConfig::one_day`]; a caller that does not
    /// know the dates passes `true` and gets an answer that rules out no
    /// edge) in one language needs fewer rare terms from
    /// `same_day_similarity` ([`StoryConfig::names_one_days_event`]). For
    /// a pair of `tables` (both are: [`is_table`]) those rules answer
    /// `None`: their rare terms may be their labels (one session's price
    /// tables of other markets or hours share their contract months), so
    /// the caller asks for their figures too ([`tables_share_figures`]:
    /// see [`judge`]).
    pub fn edge_by_terms(
        &self,
        c: &Candidate,
        cos: f64,
        cross_language: bool,
        one_day: bool,
        tables: bool,
    ) -> Option<bool> {
        self.rule_by_terms(c, cos, cross_language, one_day, tables)
            .map(|v| v.is_edge())
    }

    /// [`StoryConfig::edge_by_terms`], saying which rule decides: the
    /// evidence that makes the edge, or why there is none (`None`: only
    /// if it also shares passages).
    pub fn rule_by_terms(
        &self,
        c: &Candidate,
        cos: f64,
        cross_language: bool,
        one_day: bool,
        tables: bool,
    ) -> Option<StoryVerdict> {
        use StoryVerdict::{Edge, NoEdge};
        if cross_language && self.names_across_languages(c, cos) {
            return Some(Edge(EdgeRule::NamesAcrossLanguages));
        }
        if (c.shared as usize) < self.min_shared_terms {
            return Some(NoEdge(Refusal::FewSharedTerms));
        }
        if cos < self.similarity {
            let names = cross_language
                && cos >= self.cross_language_similarity
                && self.names_one_event(c)
                && c.rare as usize > self.min_rare_terms;
            return Some(match names {
                true => Edge(EdgeRule::RareTermsAcrossLanguages),
                false => NoEdge(Refusal::BelowSimilarity),
            });
        }
        if cos >= self.strong_similarity {
            return Some(Edge(EdgeRule::CloseRewrite));
        }
        if let Some(rule) = self.names_rule(c, cos, cross_language, one_day) {
            // Tables' names count only with their figures: the caller checks.
            return (!tables).then_some(Edge(rule));
        }
        (cos < self.quote_similarity).then_some(NoEdge(self.refusal_without_evidence(c, tables)))
    }

    /// The rule by which candidate `c`'s rare terms name one event, at
    /// cosine `cos` (from `similarity`, below `strong_similarity`), if one
    /// does: [`EdgeRule::NamesOneEvent`]
    /// ([`StoryConfig::names_one_event_by_name`]) or, of `one_day` in one
    /// language, [`EdgeRule::NamesOneDaysEvent`]. For a pair of tables
    /// ([`both_tables`]) the rule holds only if they share their figures
    /// ([`tables_share_figures`]).
    pub fn names_rule(
        &self,
        c: &Candidate,
        cos: f64,
        cross_language: bool,
        one_day: bool,
    ) -> Option<EdgeRule> {
        if self.names_one_event_by_name(c) {
            Some(EdgeRule::NamesOneEvent)
        } else if one_day && !cross_language && self.names_one_days_event(c, cos) {
            Some(EdgeRule::NamesOneDaysEvent)
        } else {
            None
        }
    }

    /// Why candidate `c`, a pair of `tables` or not ([`is_table`]), is no
    /// edge when none of the evidence holds: when its rare terms would
    /// name one event, [`Refusal::Tables`] for tables and
    /// [`Refusal::NoUncommonTerms`] for others (no name among them);
    /// [`Refusal::NoEvidence`] otherwise.
    pub fn refusal_without_evidence(&self, c: &Candidate, tables: bool) -> Refusal {
        match (self.names_one_event(c), tables) {
            (true, true) => Refusal::Tables,
            (true, false) => Refusal::NoUncommonTerms,
            (false, _) => Refusal::NoEvidence,
        }
    }

    /// Whether candidate `c`, of vectors `a` and `b` in two scripts
    /// ([`cross_script`]), names one event: `min_names_across_scripts`
    /// names, and a term in both leads.
    pub fn names_across_scripts(&self, c: &Candidate, a: &TermVector, b: &TermVector) -> bool {
        self.min_names_across_scripts > 0 && c.names as usize >= self.min_names_across_scripts && {
            let mut lead = 0;
            merge_join(a, b, |t| t.0, |x, _| lead += usize::from(is_lead(x.0)));
            lead >= 1
        }
    }

    /// The cosine of candidate `c`'s vectors `a` and `b`, whether they are
    /// judged as a pair in two scripts ([`cross_script`], when
    /// `min_names_across_scripts` is on), and whether it is an edge by its
    /// terms: [`StoryConfig::names_across_scripts`] in two scripts,
    /// [`StoryConfig::edge_by_terms`] otherwise (`None`: only if it also
    /// shares passages).
    pub fn edge_by_vectors(
        &self,
        c: &Candidate,
        a: &TermVector,
        b: &TermVector,
        one_day: bool,
    ) -> (f64, bool, Option<bool>) {
        let (cos, scripts, rule) = self.rule_by_vectors(c, a, b, one_day);
        (cos, scripts, rule.map(|v| v.is_edge()))
    }

    /// [`StoryConfig::edge_by_vectors`], saying which rule decides
    /// ([`StoryConfig::rule_by_terms`]).
    pub fn rule_by_vectors(
        &self,
        c: &Candidate,
        a: &TermVector,
        b: &TermVector,
        one_day: bool,
    ) -> (f64, bool, Option<StoryVerdict>) {
        let cos = cosine(a, b);
        if self.min_names_across_scripts > 0 && cross_script(a, b) {
            let verdict = match self.names_across_scripts(c, a, b) {
                true => StoryVerdict::Edge(EdgeRule::NamesAcrossScripts),
                false => StoryVerdict::NoEdge(Refusal::AcrossScripts),
            };
            return (cos, true, Some(verdict));
        }
        let (cross, tables) = (cross_language(a, b), both_tables(a, b));
        (
            cos,
            false,
            self.rule_by_terms(c, cos, cross, one_day, tables),
        )
    }

    /// The fewest names that make a candidate by names alone
    /// ([`is_candidate`]) in one script and in two (0: none).
    fn candidate_names(&self) -> (usize, usize) {
        match (self.min_shared_names, self.min_names_across_scripts) {
            (0, _) => (0, 0),
            (one, 0) => (one, one),
            (one, two) => (one, two),
        }
    }

    /// Whether a candidate in two languages at cosine `cos` shares the
    /// names of one event: `min_shared_names` (when on) from
    /// `cross_language_similarity`.
    pub fn names_across_languages(&self, c: &Candidate, cos: f64) -> bool {
        self.min_shared_names > 0
            && c.names as usize >= self.min_shared_names
            && cos >= self.cross_language_similarity
    }

    /// The inverse document frequencies of a name over `n` documents: held
    /// by at least two and at most `name_posting` of them; `None` when
    /// names are off (`min_shared_names` 0) or `name_posting` is below two.
    pub fn name_range(&self, n: usize) -> Option<(f32, f32)> {
        let on = self.min_shared_names > 0 && self.name_posting >= 2;
        let b = self.background_documents;
        on.then(|| {
            (
                idf_value(self.name_posting as f64, n, b),
                idf_value(2.0, n, b),
            )
        })
    }

    /// Whether two versions published `gap` seconds apart (`None`: either
    /// undated) are reports of one day: within `quote_window_days`, or
    /// undated (nothing tells a saga's steps apart then).
    pub fn one_day(&self, gap: Option<i64>) -> bool {
        gap.is_none_or(|g| within_days(g, self.quote_window_days))
    }

    /// Whether candidate `c`, at cosine `cos`, reports of one day, names
    /// one event: from `same_day_similarity`, `min_lead_terms` rare terms
    /// in both leads (and so as many rare terms), not `min_rare_terms`.
    pub fn names_one_days_event(&self, c: &Candidate, cos: f64) -> bool {
        cos >= self.same_day_similarity
            && c.rare as usize >= self.min_lead_terms
            && c.lead as usize >= self.min_lead_terms
    }

    /// Whether `c`'s two reports, of one day or not
    /// ([`StoryConfig::one_day`]), agree on their figures (`figures` of
    /// each, by context): at most one figure in the same context differs
    /// (a corrected number), or two when the reports name one event
    /// ([`StoryConfig::names_one_event`]) and another figure in the same
    /// context agrees (a follow-up with an updated toll or count).
    /// Templated reports differ in every figure they share in context. On
    /// another day a pair whose one figure in the same context differs
    /// agrees only if it names one event: a correction comes the same day,
    /// and the next day's money-market report or a bid raised again
    /// differs in the one figure it shares.
    pub fn figures_agree(
        &self,
        c: &Candidate,
        a: &[(u64, u64)],
        b: &[(u64, u64)],
        one_day: bool,
    ) -> bool {
        let (same_context, substituted) = figures_in_context(a, b);
        let corrected = one_day || substituted < same_context || self.names_one_event(c);
        substituted == 0
            || (substituted <= MAX_SUBSTITUTED_FIGURES && corrected)
            || (substituted == MAX_SUBSTITUTED_FIGURES + 1
                && substituted < same_context
                && self.names_one_event(c))
    }

    /// Whether candidate `c` shares the rare terms, in both leads, that
    /// name one event (`min_rare_terms`, `min_lead_terms`; or
    /// `many_rare_terms`, one in both leads): the evidence that templated
    /// reports (same words, other figures) and one session's price tables
    /// lack.
    pub fn names_one_event(&self, c: &Candidate) -> bool {
        let (rare, lead) = (c.rare as usize, c.lead as usize);
        let many = self.many_rare_terms > 0 && rare >= self.many_rare_terms && lead >= 1;
        rare >= self.min_rare_terms && (lead >= self.min_lead_terms || many)
    }

    /// Whether the names of one event ([`StoryConfig::names_one_event`])
    /// make candidate `c` an edge by themselves ([`EdgeRule::NamesOneEvent`]):
    /// when `min_uncommon_terms` of its rare terms are uncommon
    /// ([`is_uncommon`]), so that one genre's reports of other events
    /// (two countries' monthly figures), which share rare terms but no
    /// name, are no edge.
    pub fn names_one_event_by_name(&self, c: &Candidate) -> bool {
        self.names_one_event(c) && c.uncommon as usize >= self.min_uncommon_terms
    }

    /// Whether candidate `c` of vectors `a` and `b`, at cosine `cos`, of
    /// one day or not ([`StoryConfig::one_day`]), is judged by its
    /// combination of terms ([`unique_combination`]) when no other
    /// evidence makes it an edge (`combination_share`): in one language
    /// ([`cross_language`], told last, as few pairs get that far).
    pub fn asks_combination(
        &self,
        c: &Candidate,
        cos: f64,
        (a, b): (&TermVector, &TermVector),
        one_day: bool,
    ) -> bool {
        self.combination_share > 0.0
            && one_day
            && cos >= self.quote_similarity
            && c.shared as usize >= COMBINATION_TERMS
            && !cross_language(a, b)
    }

    /// How many of `shared` terms another cluster must index to hold a
    /// pair's combination ([`unique_combination`]).
    pub fn combination_held(&self, shared: usize) -> usize {
        COMBINATION_HELD.max((self.combination_share * shared as f64).ceil() as usize)
    }

    /// Whether two versions published `gap` seconds apart (`None`: either
    /// undated), with `shared` shingles of `spec` in common of `smaller` in
    /// the smaller version, share enough passages to be one story: a long
    /// one within the passage window (`passage_window_days`, else
    /// `quote_window_days`: the same day), or a share of the text on any
    /// dates.
    pub fn shares_passages(
        &self,
        gap: Option<i64>,
        shared: usize,
        smaller: usize,
        spec: ShingleSpec,
    ) -> bool {
        let window = self.passage_window_days.unwrap_or(self.quote_window_days);
        // Undated versions never take the long-passage path.
        let close = gap.is_some_and(|g| within_days(g, window));
        (close && shared >= self.quote_shingles(spec))
            || (shared > 0 && shared as f64 >= self.min_shared_share * smaller as f64)
    }

    /// Shared shingles of `spec` that make a long verbatim passage.
    pub fn quote_shingles(&self, spec: ShingleSpec) -> usize {
        match spec.kind {
            ShingleKind::Word => self.min_shared_shingles,
            ShingleKind::Char => self.min_shared_shingles * 6,
        }
    }

    /// Whether two versions dated `gap` seconds apart, sharing `shared`
    /// shingles of `spec`, with the distinct figures `a` and `b`, are
    /// reports of a series (`series_days`): more than `series_days`
    /// apart, a passage in common, and few of their figures
    /// ([`SERIES_MIN_FIGURES`] each at least, fewer than one in
    /// [`SERIES_SHARED_FIGURES`] of the smaller list's shared). Undated
    /// versions are never.
    pub fn series(
        &self,
        gap: Option<i64>,
        shared: usize,
        spec: ShingleSpec,
        (a, b): (&[u64], &[u64]),
    ) -> bool {
        self.series_days > 0.0
            && gap.is_some_and(|g| !within_days(g, self.series_days))
            && shared >= self.quote_shingles(spec)
            && a.len().min(b.len()) >= SERIES_MIN_FIGURES
            && merge_count(a, b) * SERIES_SHARED_FIGURES < a.len().min(b.len())
    }
}

/// Distinct figures each report of a series holds at least
/// ([`StoryConfig::series`]): a report with fewer says too little in
/// figures to tell another day's from its own.
pub const SERIES_MIN_FIGURES: usize = 3;

/// Reports of a series share fewer than one in this many of the smaller
/// one's distinct figures ([`StoryConfig::series`]).
pub const SERIES_SHARED_FIGURES: usize = 4;

/// The fewest shared indexed terms that make a combination
/// ([`StoryConfig::combination_share`]).
pub const COMBINATION_TERMS: usize = 4;

/// The fewest of a pair's shared terms that another cluster indexes to
/// hold its combination ([`StoryConfig::combination_held`]).
pub const COMBINATION_HELD: usize = 3;

/// Whether clusters `a` and `b` share a combination of terms that names
/// one event ([`StoryConfig::combination_share`]): `shared` are the
/// indexed terms both hold among their top terms, with each one's posting
/// list (the clusters indexing it) when it is used for candidates
/// ([`posting_used`]; `None` otherwise), and lead terms (`t | LEAD_BIT`,
/// no list) for those of them in both leads. The used terms must be at
/// least [`COMBINATION_TERMS`], `min_lead_terms` of them in both leads,
/// and no cluster but `a` and `b` may be in
/// [`StoryConfig::combination_held`] of their lists. Two reports of one
/// event by two outlets share its ordinary words (`factory`, `fire`,
/// `trapped`, `Delhi`), which tens of clusters each hold in a large
/// corpus, but no other cluster holds most of them together; two reports
/// of one topic share them with the topic's other reports.
pub fn unique_combination(
    shared: &[(u64, Option<&[u32]>)],
    a: u32,
    b: u32,
    cfg: &StoryConfig,
) -> bool {
    let lists: Vec<(u64, &[u32])> = shared
        .iter()
        .filter_map(|&(t, list)| list.filter(|_| is_term(t)).map(|l| (t, l)))
        .collect();
    if cfg.combination_share <= 0.0 || lists.len() < COMBINATION_TERMS {
        return false;
    }
    let led = lists
        .iter()
        .filter(|(t, _)| shared.iter().any(|&(u, _)| u == t | LEAD_BIT))
        .count();
    if led < cfg.min_lead_terms {
        return false;
    }
    let held = cfg.combination_held(lists.len());
    let mut counts: AHashMap<u32, usize> = AHashMap::new();
    for (_, list) in &lists {
        for &c in list.iter().filter(|&&c| c != a && c != b) {
            *counts.entry(c).or_default() += 1;
        }
    }
    counts.values().all(|&n| n < held)
}

/// Figures that may differ between two versions of one story in the same
/// context (a corrected number); successive templated reports differ in more.
const MAX_SUBSTITUTED_FIGURES: usize = 1;

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
const MARKS: u64 = LEAD_BIT | PROFILE_BIT;

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
const SAME_LANGUAGE_SHARED: usize = 2;

/// A vector's profile entries ([`PROFILE_BIT`]): they sort after every term
/// and lead mark.
fn profile_marks(v: &TermVector) -> &[(u64, f32)] {
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
fn term_hash(token: &[u8]) -> u64 {
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
fn idf_value(held: f64, n: usize, background: f64) -> f32 {
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
            let text = include_str!("../data/background-en.txt");
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

/// When each cluster was published, as the story rules read it: the
/// distinct publication times (seconds since the epoch) of its dated
/// pages, sorted, all in one array cut by the clusters' ends (8 bytes per
/// distinct time), and whether it is a lone page.
///
/// Two clusters are as far apart in time as their representatives, the
/// earliest page of each ([`Dates::gap`]), unless one of them is a lone
/// page: a report that nobody copied is as near a cluster as the nearest
/// of its pages. Another outlet writes its own report beside the copy it
/// read, which can be days after the cluster's earliest page: a wire
/// story run again later, or an article whose copies in several
/// collections carry each collection's own dates. Two clusters of copies
/// keep their earliest pages' distance, so that a cluster whose pages run
/// over weeks does not bring every saga step of those weeks into reach.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dates {
    ends: Vec<u32>,
    times: Vec<i64>,
    lone: Vec<bool>,
}

impl Dates {
    /// One page per cluster: cluster `k` published at `published[k]`.
    pub fn one_each(published: &[Option<i64>]) -> Dates {
        Dates::of_pages(
            published.len(),
            published.iter().enumerate().map(|(k, &t)| (k as u32, t)),
        )
    }

    /// The dates of `n` clusters from their pages: `(cluster, published)`
    /// for each page, in any order.
    pub fn of_pages(n: usize, pages: impl IntoIterator<Item = (u32, Option<i64>)>) -> Dates {
        let mut count = vec![0u32; n];
        let mut dated: Vec<(u32, i64)> = pages
            .into_iter()
            .filter_map(|(k, t)| {
                count[k as usize] += 1;
                t.map(|t| (k, t))
            })
            .collect();
        dated.sort_unstable();
        dated.dedup();
        let mut ends = Vec::with_capacity(n);
        let mut at = 0;
        for k in 0..n as u32 {
            at += dated[at..].partition_point(|&(c, _)| c == k);
            ends.push(at as u32);
        }
        Dates {
            ends,
            times: dated.into_iter().map(|(_, t)| t).collect(),
            lone: count.into_iter().map(|c| c == 1).collect(),
        }
    }

    /// Clusters.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no clusters.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cluster `k`'s times, sorted (empty when no page of it is dated).
    pub fn of(&self, k: usize) -> &[i64] {
        cut(&self.times, &self.ends, k)
    }

    /// Seconds between clusters `a` and `b` (see [`Dates`]); `None` when
    /// either has no dated page.
    pub fn gap(&self, a: usize, b: usize) -> Option<i64> {
        let (x, y) = (self.of(a), self.of(b));
        let (&x0, &y0) = (x.first()?, y.first()?);
        let apart = |s: i64, t: i64| s.abs_diff(t).min(i64::MAX as u64) as i64;
        if !self.lone[a] && !self.lone[b] {
            return Some(apart(x0, y0));
        }
        // The nearest of two sorted lists, one of them one time long.
        let (t, list) = if self.lone[a] { (x0, y) } else { (y0, x) };
        let at = list.partition_point(|&u| u < t);
        list[at.saturating_sub(1)..list.len().min(at + 1)]
            .iter()
            .map(|&u| apart(t, u))
            .min()
    }
}

/// The `k`th of the runs that `ends` cuts `items` into (each run ends
/// where the next starts).
fn cut<'a, T>(items: &'a [T], ends: &[u32], k: usize) -> &'a [T] {
    let start = k.checked_sub(1).map_or(0, |j| ends[j] as usize);
    &items[start..ends[k] as usize]
}

/// Groups clusters into stories. Cluster `i` (of `dates.len()`) has
/// publication times `dates.of(i)` ([`Dates`]), TF-IDF vector `vector(i)`, and shingles
/// (of `spec`) and figures in `evidence(i)` (fetched on demand: they may be
/// spilled). Returns, for each cluster, the index of its story's center.
/// Deterministic: ties go to the lower index, so callers should pass
/// clusters in a stable order.
///
/// Candidates come from the vectors' [`top_terms`] only: name marks
/// ([`StoryConfig::min_shared_names`]) need the document frequencies,
/// which the pipeline has when it makes the vectors
/// ([`vector_and_names`], then [`group_indexed`] over their
/// [`TermIndex`]).
///
/// The two steps are public for a distributed run: [`candidate_pairs`]
/// needs every cluster's top terms (a shuffle on the term), while
/// [`group_pairs`] can run on each connected component of the candidate
/// pairs alone (star grouping never crosses a component).
pub fn group<'v, 'e, V, E>(
    dates: &Dates,
    vector: V,
    evidence: E,
    spec: ShingleSpec,
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    let index = match cfg.enabled {
        true => TermIndex::new(dates.len(), |i| Ok(top_terms(vector(i)?, cfg)))?,
        false => TermIndex::default(),
    };
    group_indexed(dates, vector, evidence, &index, spec, cfg)
}

/// [`group`] over the clusters' [`TermIndex`], made by the caller: the
/// story and thread levels group nearly the same clusters with the same
/// top terms, so the pipeline indexes them once and gives the thread level
/// the index of its subset ([`TermIndex::subset`]).
pub fn group_indexed<'v, 'e, V, E>(
    dates: &Dates,
    vector: V,
    evidence: E,
    index: &TermIndex,
    spec: ShingleSpec,
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    let n = dates.len();
    if !cfg.enabled || n == 0 {
        return Ok((0..n as u32).collect());
    }
    let bursts = index.bursts(dates, &vector, cfg)?;
    let pairs = index.candidate_pairs(n, cfg, &bursts);
    let unique = |c: &Candidate, a: &TermVector, b: &TermVector| Ok(index.unique(c, a, b, cfg));
    group_pairs(dates, vector, evidence, &pairs, unique, spec, cfg)
}

/// The terms of `vector` that are indexed for candidates: its
/// `cfg.top_terms` heaviest (ties to the lower term hash) less its
/// language's function words ([`FunctionWords`]), and the lead term of
/// each of them that occurs in the lead, in any order; and, for a document
/// written in an unspaced script ([`unspaced`]), [`UNSPACED_MARK`], whose
/// posting list tells the index which clusters are ([`is_candidate`]). (Its
/// name marks, made with its vector ([`vector_and_names`]), are indexed
/// too.)
pub fn top_terms(vector: Cow<'_, TermVector>, cfg: &StoryConfig) -> Vec<u64> {
    let heaviest = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // A vector read back from a spilled store is already owned: no copy.
    let mut top: Vec<(u64, f32)> = vector.into_owned();
    let lead: Vec<u64> = top
        .iter()
        .filter(|&&(t, _)| is_lead(t))
        .map(|&(t, _)| t)
        .collect();
    let function = FunctionWords::of(top.iter().map(|&(t, _)| t));
    let script = unspaced(&top);
    top.retain(|&(t, _)| is_term(t));
    if top.len() > cfg.top_terms {
        top.select_nth_unstable_by(cfg.top_terms, heaviest);
        top.truncate(cfg.top_terms);
    }
    // The language's function words are left out after the choice, so
    // that they do not give their places to other terms: a page in a
    // language that many clusters are in indexes what it did without
    // the rule (its function words, held by too many clusters, were
    // never used for candidates).
    let mut out: Vec<u64> = top
        .into_iter()
        .map(|(t, _)| t)
        .filter(|&t| !function.holds(t))
        .collect();
    let led: Vec<u64> = out
        .iter()
        .map(|&t| t | LEAD_BIT)
        .filter(|t| lead.binary_search(t).is_ok())
        .collect();
    out.extend(led);
    if script {
        out.push(UNSPACED_MARK);
    }
    out
}

/// Whether a term's posting list (the clusters whose top terms hold it)
/// is used for candidates: shared, and not too common; a lead term's only
/// when it is rare (it counts for nothing else: [`posting_counts`]).
pub fn posting_used(term: u64, len: usize, cfg: &StoryConfig) -> bool {
    term != UNSPACED_MARK
        && len > 1
        && len <= cfg.max_posting
        && (!is_lead(term) || posting_rare(len, cfg))
}

/// Whether a used posting list of this length is a rare term's.
pub fn posting_rare(len: usize, cfg: &StoryConfig) -> bool {
    len <= cfg.rare_posting
}

/// What a used posting list ([`posting_used`]) of `term`, `len` clusters
/// long, adds to the count of each pair of its members: `(shared, rare,
/// lead, names)`. A lead term's list counts only as a lead term, a name
/// mark's only as a name.
pub fn posting_counts(term: u64, len: usize, cfg: &StoryConfig) -> (u32, u32, u32, u32) {
    if is_lead(term) {
        (0, 0, 1, 0)
    } else if is_name(term) {
        (0, 0, 0, 1)
    } else {
        (1, posting_rare(len, cfg) as u32, 0, 0)
    }
}

/// Whether pair counts ([`posting_counts`], summed) of two clusters, in
/// two scripts or not (`scripts`: see [`cross_script`]), make a
/// candidate: `min_shared_terms` shared terms, or (when names are on)
/// `min_shared_names` names, `min_names_across_scripts` in two scripts.
pub fn is_candidate(shared: u32, names: u32, scripts: bool, cfg: &StoryConfig) -> bool {
    let (one, two) = cfg.candidate_names();
    let least = if scripts { two } else { one };
    shared as usize >= cfg.min_shared_terms || (least > 0 && names as usize >= least)
}

/// A burst ([`burst_members`]) holds at least this share of its term's
/// clusters in one window: a developing story's name, not a topic's word
/// that comes back every week.
pub const BURST_SHARE: f64 = 0.5;

/// ... and the term is held by at most this share of the clusters dated in
/// that window: rare among the news of those weeks. Since a burst's term
/// is held by more than `rare_posting` (10 at the thread level) clusters,
/// half of them in the window, a window needs more than 100 clusters for
/// any term to qualify: a corpus of a hundred reports is judged as before.
pub const BURST_WINDOW_SHARE: f64 = 0.05;

/// ... and its clusters in the window span at least this many days (UTC):
/// a developing story, not one day's market reports or a templated
/// series of one day.
pub const BURST_DAYS: usize = 3;

/// ... and the term's share of the window's clusters is at least this many
/// times its share of the whole corpus: the window is where the term
/// comes from, not a busy stretch of the corpus (Reuters-21578 dates 1,531
/// reports on April 7, 1987, its densest day).
pub const BURST_LIFT: f64 = 2.0;

/// Every cluster's date, as the burst rule counts the clusters of a window
/// ([`burst_members`]): each cluster's earliest time ([`Dates::of`]),
/// sorted, and how many clusters there are (dated or not).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BurstCorpus {
    sorted: Vec<i64>,
    clusters: usize,
}

impl BurstCorpus {
    /// The corpus of clusters dated `dates` (`None`: undated), in any
    /// order.
    pub fn new(dates: impl IntoIterator<Item = Option<i64>>) -> BurstCorpus {
        let mut clusters = 0;
        let mut sorted: Vec<i64> = dates
            .into_iter()
            .inspect(|_| clusters += 1)
            .flatten()
            .collect();
        sorted.sort_unstable();
        BurstCorpus { sorted, clusters }
    }

    /// The corpus of the clusters of `dates`, each dated by its earliest
    /// time.
    pub fn of_dates(dates: &Dates) -> BurstCorpus {
        BurstCorpus::new((0..dates.len()).map(|k| dates.of(k).first().copied()))
    }

    /// Clusters dated from `start` to `start + reach` (seconds, both
    /// included).
    fn within(&self, start: i64, reach: i64) -> usize {
        let end = start.saturating_add(reach);
        self.sorted.partition_point(|&t| t <= end) - self.sorted.partition_point(|&t| t < start)
    }
}

/// Whether a posting list of `term`, `len` clusters long, can hold a
/// burst ([`burst_members`]): a term's or a lead term's (no name mark)
/// that is not rare, up to `bursty_posting` (and `max_posting`) clusters.
/// A lead term's list is used for candidates only when rare
/// ([`posting_used`]), so a bursty one is used only for its burst.
pub fn bursty_list(term: u64, len: usize, cfg: &StoryConfig) -> bool {
    (is_term(term) || is_lead(term))
        && len > cfg.rare_posting
        && len <= cfg.bursty_posting.min(cfg.max_posting)
}

/// What a posting list of `term`, `len` clusters long, adds to the counts
/// of a pair of its members, `burst` when both are in its burst
/// ([`burst_members`]): `[shared, rare, lead, names]`, its
/// [`posting_counts`] when it is used ([`posting_used`]), then `[terms,
/// leads]` rare in the burst, which count as rare only where the pair
/// shares a rare term ([`rare_with_bursts`]), then `[uncommon, uncommon
/// in the burst]`: the rare terms of each kind that are uncommon
/// ([`is_uncommon`]). The CLI's candidates
/// ([`TermIndex::candidate_pairs`]), one pair's counts ([`TermIndex::pair`])
/// and a distributed run's pair rows sum these.
pub fn list_counts(term: u64, len: usize, burst: bool, cfg: &StoryConfig) -> [u32; 8] {
    let (shared, rare, lead, names) = match posting_used(term, len, cfg) {
        true => posting_counts(term, len, cfg),
        false => (0, 0, 0, 0),
    };
    let (burst_rare, burst_lead) = match (burst, is_lead(term)) {
        (false, _) => (0, 0),
        (true, false) => (1, 0),
        (true, true) => (0, 1),
    };
    // Its table lookups only for a term that counts as rare.
    let uncommon = u32::from((rare, burst_rare) != (0, 0) && is_uncommon(term));
    [
        shared,
        rare,
        lead,
        names,
        burst_rare,
        burst_lead,
        rare * uncommon,
        burst_rare * uncommon,
    ]
}

/// The clusters of a term's posting list that are in its *burst*,
/// ascending, or none. `members` are the list's clusters with their dates
/// (each cluster's earliest; `None`: undated) and `prose(k)` tells whether
/// cluster `k` is prose ([`is_prose`]); `corpus` dates every cluster. The
/// burst is the densest window of `cfg.window_days` among the members'
/// dates (the earliest of equally dense ones), when it holds at least
/// [`BURST_SHARE`] of the list, at most [`BURST_WINDOW_SHARE`] of the
/// clusters dated in the window, at least [`BURST_LIFT`] times the term's
/// share of the corpus, on at least [`BURST_DAYS`] days; its members are
/// the prose clusters of the window (two at least). For two members of a
/// burst the term counts as rare when they share a rare term as well
/// ([`TermIndex::candidate_pairs`]).
pub fn burst_members(
    members: &[(u32, Option<i64>)],
    mut prose: impl FnMut(u32) -> Result<bool>,
    corpus: &BurstCorpus,
    cfg: &StoryConfig,
) -> Result<Vec<u32>> {
    let mut dated: Vec<(i64, u32)> = members
        .iter()
        .filter_map(|&(k, t)| t.map(|t| (t, k)))
        .collect();
    dated.sort_unstable();
    // As `within_days` reads a window: a gap of at most `reach` seconds.
    let reach = (cfg.window_days * 86_400.0).floor() as i64;
    let (mut best, mut from, mut end) = (0, 0, 0);
    for i in 0..dated.len() {
        while end < dated.len() && dated[end].0 - dated[i].0 <= reach {
            end += 1;
        }
        if end - i > best {
            (best, from) = (end - i, i);
        }
    }
    let window = &dated[from..from + best];
    let Some(&(start, _)) = window.first() else {
        return Ok(Vec::new());
    };
    let (held, len) = (corpus.within(start, reach), members.len());
    let mut days: Vec<i64> = window.iter().map(|&(t, _)| t.div_euclid(86_400)).collect();
    days.dedup();
    let bursts = (best as f64) >= BURST_SHARE * len as f64
        && (best as f64) <= BURST_WINDOW_SHARE * held as f64
        && best as f64 / held as f64 >= BURST_LIFT * len as f64 / corpus.clusters.max(1) as f64
        && days.len() >= BURST_DAYS;
    if !bursts {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(best);
    for &(_, k) in window {
        if prose(k)? {
            out.push(k);
        }
    }
    out.sort_unstable();
    if out.len() < 2 {
        out.clear();
    }
    Ok(out)
}

/// Whether a vector's document is prose in a language: it has a full
/// profile ([`PROFILE_TERMS`] common words), where a table has none
/// ([`FIGURE_SHARE`]) and a page too short to tell has fewer.
pub fn is_prose(v: &TermVector) -> bool {
    profile_marks(v).len() >= PROFILE_TERMS
}

/// The bursts of a [`TermIndex`]'s posting lists ([`burst_members`]):
/// each bursty term with the clusters of its burst, ascending by term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bursts {
    terms: Vec<(u64, Vec<u32>)>,
}

impl Bursts {
    /// The burst of `term`, if it has one.
    pub fn of(&self, term: u64) -> Option<&[u32]> {
        let k = self.terms.binary_search_by_key(&term, |e| e.0).ok()?;
        Some(&self.terms[k].1)
    }

    /// Bursty terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether no term has a burst.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Whether clusters `a` and `b` are both in `burst` (ascending).
fn both_in(burst: Option<&[u32]>, a: u32, b: u32) -> bool {
    burst.is_some_and(|m| m.binary_search(&a).is_ok() && m.binary_search(&b).is_ok())
}

/// The rare terms, rare lead terms and uncommon rare terms a candidate
/// counts, `[rare, lead, uncommon]`, given those it shares and the terms,
/// lead terms and uncommon terms rare in a burst that holds both
/// (`burst`; [`list_counts`]): those count only when it shares a rare
/// term at all.
pub fn rare_with_bursts([rare, lead, uncommon]: [u32; 3], burst: [u32; 3]) -> [u32; 3] {
    match rare {
        0 => [0, lead, uncommon],
        _ => [rare + burst[0], lead + burst[1], uncommon + burst[2]],
    }
}

/// Candidate pairs, sorted, of `n` clusters given each one's
/// [`top_terms`]: the pairs that share at least `cfg.min_shared_terms`
/// terms whose posting lists are [`posting_used`], with how many of those
/// are [`posting_rare`].
pub fn candidate_pairs<T>(n: usize, top: T, cfg: &StoryConfig) -> Result<Vec<Candidate>>
where
    T: Fn(usize) -> Result<Vec<u64>> + Sync,
{
    Ok(TermIndex::new(n, top)?.candidate_pairs(n, cfg, &Bursts::default()))
}

/// A term that two clusters both index ([`TermIndex::pair`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SharedTerm {
    /// Its hash: a term's, a lead term's ([`is_lead`]) or a name mark's
    /// ([`is_name`]).
    pub term: u64,
    /// How many clusters index it.
    pub clusters: usize,
    /// Its posting list is used for candidates ([`posting_used`]).
    pub used: bool,
    /// It counts as rare ([`posting_rare`]): a rare term, a rare term in
    /// both leads, or a term rare in a burst that holds both
    /// ([`burst_members`]) of a pair that shares a rare term.
    pub rare: bool,
    /// Both clusters are in the term's burst ([`burst_members`]).
    pub burst: bool,
}

/// The inverted index of clusters' [`top_terms`]: each term (ascending)
/// with its posting list (the clusters whose top terms hold it,
/// ascending), stored as one array of clusters cut by the terms' ends: 4
/// bytes per entry, where the sorted `term << 32 | cluster` entries it is
/// made from take 16 (the pipeline holds it through the story level, for
/// the thread level).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermIndex {
    terms: Vec<u64>,
    /// Where each term's list ends in `clusters`.
    ends: Vec<u32>,
    clusters: Vec<u32>,
}

impl TermIndex {
    /// The index of `n` clusters whose top terms are `top(i)`.
    pub fn new<T>(n: usize, top: T) -> Result<TermIndex>
    where
        T: Fn(usize) -> Result<Vec<u64>> + Sync,
    {
        let tops: Vec<Vec<u128>> = (0..n)
            .into_par_iter()
            .map(|i| {
                Ok(top(i)?
                    .into_iter()
                    .map(|t| (t as u128) << 32 | i as u128)
                    .collect())
            })
            .collect::<Result<_>>()?;
        let mut entries: Vec<u128> = tops.concat();
        drop(tops);
        entries.par_sort_unstable();
        let mut index = TermIndex {
            terms: Vec::new(),
            ends: Vec::new(),
            clusters: Vec::with_capacity(entries.len()),
        };
        for run in entries.chunk_by(|x, y| x >> 32 == y >> 32) {
            index.clusters.extend(run.iter().map(|&e| e as u32));
            index.terms.push((run[0] >> 32) as u64);
            index.ends.push(index.clusters.len() as u32);
        }
        Ok(index)
    }

    /// The terms both of two clusters' [`top_terms`] hold, ascending, each
    /// with its posting list when that is used for candidates
    /// ([`posting_used`]): what [`unique_combination`] reads.
    pub fn shared_lists(
        &self,
        a: &[u64],
        b: &[u64],
        cfg: &StoryConfig,
    ) -> Vec<(u64, Option<&[u32]>)> {
        let sorted = |x: &[u64]| {
            let mut x = x.to_vec();
            x.sort_unstable();
            x
        };
        let (a, b) = (sorted(a), sorted(b));
        let mut out = Vec::new();
        merge_join(
            &a,
            &b,
            |&t| t,
            |&t, _| {
                let list = self.terms.binary_search(&t).ok().map(|k| self.list(k));
                out.push((t, list.filter(|l| posting_used(t, l.len(), cfg))));
            },
        );
        out
    }

    /// Clusters `a` and `b` as [`TermIndex::candidate_pairs`] counts them
    /// (`a < b` or not, the candidate names the lower one first), whether
    /// that makes them a candidate ([`is_candidate`]), and every term both
    /// index ([`SharedTerm`]). Reads every posting list: for one pair at a
    /// time (`syndic explain`), not for grouping.
    pub fn pair(
        &self,
        a: u32,
        b: u32,
        cfg: &StoryConfig,
        bursts: &Bursts,
    ) -> (Candidate, bool, Vec<SharedTerm>) {
        let (a, b) = (a.min(b), a.max(b));
        let mut c = Candidate {
            a,
            b,
            shared: 0,
            rare: 0,
            lead: 0,
            names: 0,
            uncommon: 0,
        };
        let (mut terms, mut script, mut bursty) = (Vec::new(), (false, false), [0; 3]);
        for (term, list) in self.lists() {
            let (in_a, in_b) = (
                list.binary_search(&a).is_ok(),
                list.binary_search(&b).is_ok(),
            );
            if term == UNSPACED_MARK {
                script = (in_a, in_b);
            }
            if !(in_a && in_b) || term == UNSPACED_MARK {
                continue;
            }
            let burst = both_in(bursts.of(term), a, b);
            let [shared, rare, lead, names, burst_rare, burst_lead, uncommon, burst_uncommon] =
                list_counts(term, list.len(), burst, cfg);
            (c.shared, c.rare, c.lead, c.names, c.uncommon) = (
                c.shared + shared,
                c.rare + rare,
                c.lead + lead,
                c.names + names,
                c.uncommon + uncommon,
            );
            bursty = [
                bursty[0] + burst_rare,
                bursty[1] + burst_lead,
                bursty[2] + burst_uncommon,
            ];
            let used = posting_used(term, list.len(), cfg);
            terms.push(SharedTerm {
                term,
                clusters: list.len(),
                used,
                rare: rare + lead > 0,
                burst,
            });
        }
        if c.rare > 0 {
            for t in terms.iter_mut().filter(|t| t.burst) {
                t.rare = true;
            }
        }
        [c.rare, c.lead, c.uncommon] = rare_with_bursts([c.rare, c.lead, c.uncommon], bursty);
        let candidate = is_candidate(c.shared, c.names, script.0 != script.1, cfg);
        (c, candidate, terms)
    }

    /// [`unique_combination`] of candidate `c`, whose clusters' vectors
    /// are `a` and `b`, over this index.
    pub fn unique(&self, c: &Candidate, a: &TermVector, b: &TermVector, cfg: &StoryConfig) -> bool {
        let (ta, tb) = (
            top_terms(Cow::Borrowed(a), cfg),
            top_terms(Cow::Borrowed(b), cfg),
        );
        unique_combination(&self.shared_lists(&ta, &tb, cfg), c.a, c.b, cfg)
    }

    /// Each term with its posting list.
    fn lists(&self) -> impl Iterator<Item = (u64, &[u32])> + '_ {
        self.terms
            .iter()
            .enumerate()
            .map(|(k, &t)| (t, self.list(k)))
    }

    /// The posting list of the `k`th term.
    fn list(&self, k: usize) -> &[u32] {
        cut(&self.clusters, &self.ends, k)
    }

    /// The index of the clusters `keep` (ascending, each below the number
    /// indexed), numbered by their place in `keep`: what [`TermIndex::new`]
    /// gives on those clusters alone (each list keeps its order, since the
    /// numbering is increasing; a term none of them holds goes).
    pub fn subset(&self, keep: &[u32]) -> TermIndex {
        debug_assert!(keep.windows(2).all(|w| w[0] < w[1]));
        let len = keep.last().map_or(0, |&k| k as usize + 1);
        let mut place = vec![u32::MAX; len];
        for (p, &k) in (0u32..).zip(keep) {
            place[k as usize] = p;
        }
        let mut out = TermIndex {
            terms: Vec::new(),
            ends: Vec::new(),
            clusters: Vec::new(),
        };
        for (term, list) in self.lists() {
            let before = out.clusters.len();
            out.clusters.extend(
                list.iter()
                    .filter_map(|&k| place.get(k as usize).copied())
                    .filter(|&p| p != u32::MAX),
            );
            if out.clusters.len() > before {
                out.terms.push(term);
                out.ends.push(out.clusters.len() as u32);
            }
        }
        out
    }

    /// The bursts of this index's posting lists ([`burst_members`]) over
    /// clusters dated `dates`, whose vectors are `vector(k)` (read only for
    /// the members of a burst's window, to tell prose); none when
    /// `cfg.bursty_posting` is not above `cfg.rare_posting`.
    pub fn bursts<'v, V>(&self, dates: &Dates, vector: V, cfg: &StoryConfig) -> Result<Bursts>
    where
        V: Fn(usize) -> Result<Cow<'v, TermVector>>,
    {
        let mut out = Bursts::default();
        if cfg.bursty_posting <= cfg.rare_posting {
            return Ok(out);
        }
        let corpus = BurstCorpus::of_dates(dates);
        let mut prose: AHashMap<u32, bool> = AHashMap::new();
        for (term, list) in self.lists() {
            if !bursty_list(term, list.len(), cfg) {
                continue;
            }
            let members: Vec<(u32, Option<i64>)> = list
                .iter()
                .map(|&k| (k, dates.of(k as usize).first().copied()))
                .collect();
            let burst = burst_members(
                &members,
                |k| match prose.get(&k) {
                    Some(&p) => Ok(p),
                    None => {
                        let p = is_prose(&*vector(k as usize)?);
                        prose.insert(k, p);
                        Ok(p)
                    }
                },
                &corpus,
                cfg,
            )?;
            if !burst.is_empty() {
                out.terms.push((term, burst));
            }
        }
        Ok(out)
    }

    /// [`candidate_pairs`] of the `n` clusters indexed, with the terms rare
    /// in `bursts` ([`TermIndex::bursts`]) counted as rare where
    /// [`rare_with_bursts`] says.
    pub fn candidate_pairs(&self, n: usize, cfg: &StoryConfig, bursts: &Bursts) -> Vec<Candidate> {
        let lists: Vec<PairedList> = self
            .lists()
            .map(|(term, list)| (term, list, bursts.of(term)))
            .filter(|&(term, list, burst)| burst.is_some() || posting_used(term, list.len(), cfg))
            .collect();
        // The clusters written in an unspaced script (see [`top_terms`]).
        let mut script = vec![false; n];
        let unspaced = self.lists().find(|&(term, _)| term == UNSPACED_MARK);
        for &k in unspaced.map_or(&[][..], |(_, list)| list) {
            script[k as usize] = true;
        }
        shared_term_pairs(n, &lists, &script, cfg)
    }
}

/// Judges story candidate `c`, its clusters published `gap` seconds
/// apart (`None`: either undated): the window, then the rules on their
/// vectors ([`StoryConfig::rule_by_vectors`]), the figures
/// ([`StoryConfig::figures_agree`]) and shared passages
/// ([`StoryConfig::shares_passages`]), then, when
/// [`StoryConfig::asks_combination`], `unique(a's vector, b's vector)`.
/// The vectors and the evidence are read only when a rule needs them.
/// [`group_pairs`] makes its edges with it, and `syndic explain` shows it.
pub fn judge<'v, 'e, V, E, U>(
    c: &Candidate,
    gap: Option<i64>,
    vectors: V,
    evidence: E,
    unique: U,
    spec: ShingleSpec,
    cfg: &StoryConfig,
) -> Result<Judged>
where
    V: FnOnce() -> Result<(Cow<'v, TermVector>, Cow<'v, TermVector>)>,
    E: FnOnce() -> Result<(Cow<'e, Evidence>, Cow<'e, Evidence>)>,
    U: FnOnce(&TermVector, &TermVector) -> Result<bool>,
{
    let mut judged = Judged {
        verdict: StoryVerdict::NoEdge(Refusal::OutsideWindow),
        cosine: None,
        across_scripts: false,
        figures_in_context: None,
        shared_shingles: None,
        labels: false,
    };
    if gap.is_some_and(|g| g.unsigned_abs() as f64 > cfg.window_days * 86_400.0) {
        return Ok(judged);
    }
    let (va, vb) = vectors()?;
    let (cos, scripts, by_terms) = cfg.rule_by_vectors(c, &va, &vb, cfg.one_day(gap));
    judged.cosine = Some(cos);
    judged.across_scripts = scripts;
    if let Some(verdict @ StoryVerdict::NoEdge(_)) = by_terms {
        judged.verdict = verdict;
        return Ok(judged);
    }
    let (x, y) = evidence()?;
    judged.figures_in_context = Some(figures_in_context(&x.figures, &y.figures));
    let tables = both_tables(&va, &vb);
    judged.labels = tables && !tables_share_figures(&x.numbers, &y.numbers);
    if !cfg.figures_agree(c, &x.figures, &y.figures, cfg.one_day(gap)) {
        judged.verdict = StoryVerdict::NoEdge(Refusal::FiguresDiffer);
        return Ok(judged);
    }
    let shared = intersection(&x.shingles, &y.shingles);
    let smaller = x.shingles.len().min(y.shingles.len());
    judged.shared_shingles = Some((shared, smaller));
    if cfg.series(gap, shared, spec, (&x.numbers, &y.numbers)) {
        judged.verdict = StoryVerdict::NoEdge(Refusal::Series);
        return Ok(judged);
    }
    judged.verdict = match by_terms {
        Some(verdict) => verdict,
        None if cfg.shares_passages(gap, shared, smaller, spec) => {
            StoryVerdict::Edge(EdgeRule::Passages)
        }
        None => {
            // Only for two tables with their figures can the names hold
            // here (for others `rule_by_terms` answered already).
            let names = (tables && !judged.labels)
                .then(|| cfg.names_rule(c, cos, cross_language(&va, &vb), cfg.one_day(gap)));
            match names.flatten() {
                Some(rule) => StoryVerdict::Edge(rule),
                None => StoryVerdict::NoEdge(cfg.refusal_without_evidence(c, tables)),
            }
        }
    };
    if !judged.verdict.is_edge()
        && !scripts
        && cfg.asks_combination(c, cos, (&va, &vb), cfg.one_day(gap))
        && unique(&va, &vb)?
    {
        judged.verdict = StoryVerdict::Edge(EdgeRule::Combination);
    }
    Ok(judged)
}

/// Star grouping of clusters over the `candidates` (sorted): a pair is an
/// edge when it passes the window (`dates`: [`Dates::gap`]), the figures
/// test and
/// [`StoryConfig::edge_by_terms`] or, failing that,
/// [`StoryConfig::shares_passages`], or, when
/// [`StoryConfig::asks_combination`], `unique(candidate, a's vector, b's
/// vector)` says its shared terms are a combination no other cluster holds
/// ([`unique_combination`]; the caller holds the posting lists: see
/// [`group_indexed`]) (see the module docs); clusters are
/// then visited by decreasing number of edges (ties to the lower index)
/// and each unassigned one becomes a center that takes its unassigned
/// neighbours; a center that took none joins its nearest neighbour's story
/// (`rescue_lone_centers`). Returns each cluster's center. On a
/// subset of clusters closed under the candidates (a connected component
/// of them), the result is the whole run's, restricted.
pub fn group_pairs<'v, 'e, V, E, U>(
    dates: &Dates,
    vector: V,
    evidence: E,
    candidates: &[Candidate],
    unique: U,
    spec: ShingleSpec,
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
    U: Fn(&Candidate, &TermVector, &TermVector) -> Result<bool> + Sync,
{
    let n = dates.len();
    let edges: Vec<Option<StoryEdge>> = candidates
        .par_iter()
        .map(|c| {
            let (a, b) = (c.a as usize, c.b as usize);
            let judged = judge(
                c,
                dates.gap(a, b),
                || Ok((vector(a)?, vector(b)?)),
                || Ok((evidence(a)?, evidence(b)?)),
                |va, vb| unique(c, va, vb),
                spec,
                cfg,
            )?;
            if !judged.verdict.is_edge() {
                return Ok(None);
            }
            let cos = judged.cosine.unwrap_or_default();
            let shared = judged.shared_shingles.map_or(0, |(s, _)| s);
            // A lone center may follow only an edge that names one event
            // (a table's labels name none).
            let follow = (cfg.names_one_event(c) && !judged.labels).then_some(cos);
            Ok(Some(StoryEdge {
                a: c.a,
                b: c.b,
                cos,
                follow,
                passage: shared >= cfg.quote_shingles(spec) && cos < cfg.strong_similarity,
                across: judged.across_scripts.then_some(c.names),
            }))
        })
        .collect::<Result<_>>()?;
    // Edges across scripts only attach clusters left alone (below).
    let (across, edges): (Vec<StoryEdge>, Vec<StoryEdge>) = edges
        .into_iter()
        .flatten()
        .partition(|e| e.across.is_some());
    // Two reports that are not one story: a low cosine and no long
    // passage in common.
    let load = |x: usize| Ok((vector(x)?, evidence(x)?));
    let unrelated = |(vx, ex): &(Cow<TermVector>, Cow<Evidence>),
                     (vy, ey): &(Cow<TermVector>, Cow<Evidence>)| {
        cosine(vx, vy) < cfg.similarity
            && intersection(&ex.shingles, &ey.shingles) < cfg.quote_shingles(spec)
    };
    let roundups = roundups(n, &edges, load, unrelated)?;
    // A roundup keeps its nearest passage edge (highest cosine, ties to
    // the lower other cluster) and no other.
    let mut nearest: Vec<Option<(f64, u32)>> = vec![None; n];
    for e in edges.iter().filter(|e| e.passage) {
        for (x, y) in [(e.a, e.b), (e.b, e.a)] {
            let best = &mut nearest[x as usize];
            if roundups[x as usize] && best.is_none_or(|(c, o)| e.cos > c || (e.cos == c && y < o))
            {
                *best = Some((e.cos, y));
            }
        }
    }
    let kept =
        |x: u32, y: u32| !roundups[x as usize] || nearest[x as usize].is_some_and(|(_, o)| o == y);
    let mut neighbours: Vec<Vec<(u32, Option<f64>)>> = vec![Vec::new(); n];
    for e in edges {
        if e.passage && !(kept(e.a, e.b) && kept(e.b, e.a)) {
            continue;
        }
        neighbours[e.a as usize].push((e.b, e.follow));
        neighbours[e.b as usize].push((e.a, e.follow));
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(neighbours[i as usize].len()), i));
    let mut center: Vec<u32> = vec![u32::MAX; n];
    for c in order {
        if center[c as usize] != u32::MAX {
            continue;
        }
        center[c as usize] = c;
        for &(m, _) in &neighbours[c as usize] {
            if center[m as usize] == u32::MAX {
                center[m as usize] = c;
            }
        }
    }
    let center = rescue_lone_centers(center, &neighbours);
    let center = merge_linked_stars(center, &neighbours, &vector, dates, cfg)?;
    Ok(attach_across_scripts(center, &across))
}

/// A group's centroid: the sum of its members' TF-IDF vectors (positive
/// weights only, sorted by term) and that sum's norm.
struct Centroid {
    sum: Vec<(u64, f64)>,
    norm: f64,
}

impl Centroid {
    /// The centroid of members whose positive weights are `weights`, in
    /// member order: each term's weights are added in that order (a
    /// stable sort), as adding the members one by one would.
    fn summed(mut weights: Vec<(u64, f64)>) -> Centroid {
        weights.sort_by_key(|x| x.0);
        let mut sum: Vec<(u64, f64)> = Vec::with_capacity(weights.len());
        for (t, w) in weights {
            match sum.last_mut() {
                Some(last) if last.0 == t => last.1 += w,
                _ => sum.push((t, w)),
            }
        }
        Centroid::from_sorted(sum)
    }

    fn from_sorted(sum: Vec<(u64, f64)>) -> Centroid {
        let norm = sum.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
        Centroid { sum, norm }
    }

    /// The centroid of the two groups together.
    fn add(&self, other: &Centroid) -> Centroid {
        let (a, b) = (&self.sum, &other.sum);
        let mut sum = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    sum.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    sum.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    sum.push((a[i].0, a[i].1 + b[j].1));
                    i += 1;
                    j += 1;
                }
            }
        }
        sum.extend_from_slice(&a[i..]);
        sum.extend_from_slice(&b[j..]);
        Centroid::from_sorted(sum)
    }

    fn cosine(&self, other: &Centroid) -> f64 {
        let mut dot = 0.0;
        merge_join(&self.sum, &other.sum, |x| x.0, |x, y| dot += x.1 * y.1);
        match self.norm * other.norm {
            n if n > 0.0 => dot / n,
            _ => 0.0,
        }
    }
}

/// A vector's positive weights (its terms; not its lead and profile
/// marks), as `f64`.
fn positive_weights(v: &TermVector) -> impl Iterator<Item = (u64, f64)> + '_ {
    v.iter()
        .filter(|x| x.1 > 0.0)
        .map(|&(t, w)| (t, f64::from(w)))
}

/// Merges star groups (`center`: each cluster's group center) that a
/// verified edge links when their centroids are alike (`merge_similarity`;
/// 0: off), best first: the linked pair of groups whose centers are within
/// `window_days` and whose centroids ([`Centroid`]: the sums of their
/// members' vectors) have the highest cosine merges, if it reaches
/// `merge_similarity` (ties to the lower centers); the merged group is
/// scored again against every group it is now linked to; and so on until
/// no linked pair reaches it. A heap of scored pairs, rescored lazily, so
/// the cost is about `E log E` for `E` links, however many groups one
/// absorbs.
///
/// Star grouping never chains: each member is one edge from its center. So
/// a developing story told in more reports than one star reaches breaks
/// into pieces (the U.S.-Japan chip dispute of March-April 1987, 25
/// Reuters reports, was six threads). Its pieces are linked by edges
/// between their members, and their centroids share the dispute's names;
/// two sagas of one region or sector that a stray edge links share far
/// fewer, and a centroid weighs the whole group, not the one pair. Returns
/// the new centers: a merged pair's lower center (the pipeline names each
/// group by its best-ranked member anyway).
fn merge_linked_stars<'v, V>(
    mut center: Vec<u32>,
    neighbours: &[Vec<(u32, Option<f64>)>],
    vector: &V,
    dates: &Dates,
    cfg: &StoryConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
{
    if cfg.merge_similarity <= 0.0 {
        return Ok(center);
    }
    // The groups each group is linked to by an edge between members.
    let mut links: AHashMap<u32, BTreeSet<u32>> = AHashMap::new();
    for (i, list) in neighbours.iter().enumerate() {
        for &(m, _) in list {
            let (a, b) = (center[i], center[m as usize]);
            if a != b {
                links.entry(a).or_default().insert(b);
                links.entry(b).or_default().insert(a);
            }
        }
    }
    if links.is_empty() {
        return Ok(center);
    }
    // The centroids of the linked groups: their members' positive
    // weights, gathered in cluster order, summed once.
    let mut weights: AHashMap<u32, Vec<(u64, f64)>> =
        links.keys().map(|&g| (g, Vec::new())).collect();
    for (i, &c) in center.iter().enumerate() {
        if let Some(group) = weights.get_mut(&c) {
            let v = vector(i)?;
            group.extend(positive_weights(&v));
        }
    }
    let mut centroids: AHashMap<u32, Centroid> = weights
        .into_iter()
        .map(|(g, w)| (g, Centroid::summed(w)))
        .collect();
    let window = cfg.window_days * 86_400.0;
    let within = |a: u32, b: u32| {
        let gap = dates.gap(a as usize, b as usize);
        gap.is_none_or(|g| g.unsigned_abs() as f64 <= window)
    };
    // Each group's version: a scored pair is stale once either side has
    // merged since.
    let mut version: AHashMap<u32, u32> = AHashMap::new();
    let mut heap: BinaryHeap<LinkedPair> = BinaryHeap::new();
    let score = |centroids: &AHashMap<u32, Centroid>, a: u32, b: u32| {
        let (a, b) = (a.min(b), a.max(b));
        let cos = centroids[&a].cosine(&centroids[&b]);
        (within(a, b) && cos >= cfg.merge_similarity).then_some((cos, a, b))
    };
    for (&a, linked) in &links {
        for &b in linked.range(a + 1..) {
            if let Some((cos, a, b)) = score(&centroids, a, b) {
                heap.push(LinkedPair {
                    cos,
                    a,
                    b,
                    versions: (0, 0),
                });
            }
        }
    }
    // Each merged group's group: the lower center of the pair.
    let mut into: AHashMap<u32, u32> = AHashMap::new();
    let current = |version: &AHashMap<u32, u32>, g: u32| version.get(&g).copied().unwrap_or(0);
    while let Some(p) = heap.pop() {
        let live = |g: u32| !into.contains_key(&g);
        let versions = (current(&version, p.a), current(&version, p.b));
        if !(live(p.a) && live(p.b)) || versions != p.versions {
            continue;
        }
        let (a, b) = (p.a, p.b);
        let both = centroids[&a].add(&centroids[&b]);
        centroids.insert(a, both);
        centroids.remove(&b);
        into.insert(b, a);
        *version.entry(a).or_default() += 1;
        let of_b = links.remove(&b).unwrap_or_default();
        for &c in of_b.iter().filter(|&&c| c != a) {
            let of_c = links.get_mut(&c).expect("links are symmetric");
            of_c.remove(&b);
            of_c.insert(a);
        }
        let of_a = links.get_mut(&a).expect("a linked group");
        of_a.remove(&b);
        of_a.extend(of_b.into_iter().filter(|&c| c != a));
        for &c in &links[&a] {
            if let Some((cos, x, y)) = score(&centroids, a, c) {
                let versions = (current(&version, x), current(&version, y));
                heap.push(LinkedPair {
                    cos,
                    a: x,
                    b: y,
                    versions,
                });
            }
        }
    }
    for c in center.iter_mut() {
        while let Some(&a) = into.get(c) {
            *c = a;
        }
    }
    Ok(center)
}

/// A scored pair of linked groups (`a < b`) in [`merge_linked_stars`]'s
/// heap: the highest cosine first, ties to the lower groups; `versions`,
/// the two groups' versions when it was scored.
struct LinkedPair {
    cos: f64,
    a: u32,
    b: u32,
    versions: (u32, u32),
}

impl Ord for LinkedPair {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.cos
            .total_cmp(&other.cos)
            .then_with(|| (other.a, other.b).cmp(&(self.a, self.b)))
            .then_with(|| self.versions.cmp(&other.versions))
    }
}

impl PartialOrd for LinkedPair {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for LinkedPair {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for LinkedPair {}

/// A verified story edge between clusters `a < b`: `follow` is its cosine
/// when it names one event ([`StoryConfig::names_one_event`]); `passage`
/// when the two share a long verbatim passage
/// ([`StoryConfig::quote_shingles`]) but are no close rewrite of each
/// other (cosine below `strong_similarity`).
struct StoryEdge {
    a: u32,
    b: u32,
    cos: f64,
    follow: Option<f64>,
    passage: bool,
    /// An edge across scripts ([`cross_script`]): the names it shares.
    across: Option<u32>,
}

/// Of a cluster's passage neighbours, how many (the lowest indices)
/// [`roundups`] compares pairwise: a cap on the work at a hub.
const ROUNDUP_PARTS: usize = 64;

/// Which clusters are *roundups*: a news digest ("commodity highlights",
/// a morning briefing) that shares a long passage with each of two
/// reports that are not one story: their cosine is below `similarity`
/// and they share no long passage themselves (an article and another
/// that quotes it are no such pair: a copy of the first shares the
/// quoted passage with both).
/// It keeps only its nearest passage edge: as a star's center it would
/// join the unrelated reports it sums up (Castro's sugar harvest and
/// Yeutter's trade warning, through one evening's commodity highlights),
/// and it can be one story with at most one of two unrelated reports
/// (an article, its truncated copy and another article that quotes it:
/// the copy is nearer). Reports of one event that quote one article are
/// no witnesses: they share its names, and so each other's words.
/// `load(x)` reads what `unrelated` compares of cluster `x`, once per
/// cluster a roundup check reaches, and `unrelated` tells two such
/// reports. Depends only on each cluster's own edges and their ends, so a
/// connected component grouped alone gets the same answer.
fn roundups<T, L, U>(n: usize, edges: &[StoryEdge], load: L, unrelated: U) -> Result<Vec<bool>>
where
    L: Fn(usize) -> Result<T> + Sync,
    U: Fn(&T, &T) -> bool + Sync,
{
    let mut parts: Vec<Vec<u32>> = vec![Vec::new(); n];
    for e in edges.iter().filter(|e| e.passage) {
        parts[e.a as usize].push(e.b);
        parts[e.b as usize].push(e.a);
    }
    parts
        .par_iter_mut()
        .map(|parts| {
            if parts.len() < 2 {
                return Ok(false);
            }
            parts.sort_unstable();
            parts.truncate(ROUNDUP_PARTS);
            let loaded: Vec<T> = parts
                .iter()
                .map(|&p| load(p as usize))
                .collect::<Result<_>>()?;
            Ok((0..loaded.len()).any(|i| loaded[i + 1..].iter().any(|y| unrelated(&loaded[i], y))))
        })
        .collect()
}

/// A star center that took no member (each of its neighbours was taken by
/// an earlier star) joins the story of its nearest neighbour among those
/// whose edge names one event (`neighbours[i]`: `(j, Some(cosine))`; an
/// edge by cosine or passages alone is `None`, since the step is not
/// verified against the story's center, and such edges join same-day
/// price tables and templated reports): highest cosine, ties to the lower
/// index. Such a neighbour is never itself a lone center (it would have
/// taken this one), so every choice is read off the stars as they stand
/// and the result does not depend on any order.
fn rescue_lone_centers(center: Vec<u32>, neighbours: &[Vec<(u32, Option<f64>)>]) -> Vec<u32> {
    let mut followed = vec![false; center.len()];
    for (i, &c) in center.iter().enumerate() {
        if c != i as u32 {
            followed[c as usize] = true;
        }
    }
    (0..center.len())
        .map(|i| {
            if center[i] != i as u32 || followed[i] {
                return center[i];
            }
            neighbours[i]
                .iter()
                .filter_map(|&(j, cos)| Some((j, cos?)))
                .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
                .map_or(center[i], |(m, _)| center[m as usize])
        })
        .collect()
}

/// A cluster alone in its story after the stars joins, by its edges
/// across scripts ([`cross_script`]), the story of its best such
/// neighbour (most shared names, ties to the lower index): at once when
/// that neighbour is in a story of two or more, with it when each is the
/// other's best and both are alone (in the lower one's story), and
/// otherwise wherever that neighbour goes by one of those two steps. A
/// report in one script shares with one in another only the names and
/// figures it writes in the other's script: such an edge is evidence for
/// a report with no story of its own, never a reason to break up or
/// reorder stories made within a script. Reads only each cluster's edges
/// and their ends' stars, so a connected component gets the same answer
/// grouped alone.
fn attach_across_scripts(center: Vec<u32>, across: &[StoryEdge]) -> Vec<u32> {
    let n = center.len();
    if across.is_empty() {
        return center;
    }
    let mut size = vec![0u32; n];
    for &c in &center {
        size[c as usize] += 1;
    }
    let alone = |i: usize| size[center[i] as usize] == 1;
    // Each alone cluster's best neighbour across scripts.
    let mut best: Vec<Option<(u32, u32)>> = vec![None; n];
    for e in across {
        let names = e.across.unwrap_or(0);
        for (x, y) in [(e.a, e.b), (e.b, e.a)] {
            let b = &mut best[x as usize];
            if alone(x as usize) && b.is_none_or(|(m, o)| names > m || (names == m && y < o)) {
                *b = Some((names, y));
            }
        }
    }
    let best: Vec<Option<u32>> = best.into_iter().map(|b| b.map(|(_, y)| y)).collect();
    let direct: Vec<Option<u32>> = (0..n)
        .map(|i| match best[i] {
            Some(j) if !alone(j as usize) => Some(center[j as usize]),
            Some(j) if best[j as usize] == Some(i as u32) => Some(j.min(i as u32)),
            _ => None,
        })
        .collect();
    (0..n)
        .map(|i| {
            direct[i]
                .or_else(|| best[i].and_then(|j| direct[j as usize]))
                .unwrap_or(center[i])
        })
        .collect()
}

/// The bits of each of [`list_counts`]' counts of a pair in the one word
/// that [`shared_term_pairs`] sums them in: 14 for a count of top terms
/// (at most `top_terms`, which [`crate::pipeline::Config::validate`] caps
/// at [`MAX_TOP_TERMS`]) and 24 for names, which a cluster marks among
/// all its words.
const COUNT_BITS: [u32; 8] = [14, 14, 14, 24, 14, 14, 14, 14];

/// Where each count of [`COUNT_BITS`] starts in the word.
const COUNT_AT: [u32; 8] = {
    let mut at = [0; 8];
    let mut k = 1;
    while k < 8 {
        at[k] = at[k - 1] + COUNT_BITS[k - 1];
        k += 1;
    }
    assert!(at[7] + COUNT_BITS[7] <= 128);
    at
};

/// The most top terms a cluster may index (`StoryConfig::top_terms`): a
/// pair's counts of them are summed in 14 bits each.
pub const MAX_TOP_TERMS: usize = (1 << 14) - 1;

/// A posting list whose pairs are counted ([`shared_term_pairs`]): its
/// term, its clusters and its burst ([`burst_members`]), if any.
type PairedList<'a> = (u64, &'a [u32], Option<&'a [u32]>);

/// The candidates among `n` clusters: the pairs `(a, b)`, `a < b`, whose
/// counts over the `(term, posting list)` `lists` (each sorted ascending;
/// [`posting_counts`]) make a candidate ([`is_candidate`]), with those
/// counts; sorted. Counted per document `a` in a dense
/// array, in parallel: no list of all co-occurrences is built or sorted.
fn shared_term_pairs(
    n: usize,
    lists: &[PairedList],
    script: &[bool],
    cfg: &StoryConfig,
) -> Vec<Candidate> {
    let mut lists_of: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    for (l, (_, list, _)) in lists.iter().enumerate() {
        for (at, &d) in list.iter().enumerate() {
            lists_of[d as usize].push((l as u32, at as u32));
        }
    }
    // The eight counts of `list_counts` in one word, per list: for two
    // members outside its burst, and for two inside.
    let field = |c: u128, k: usize| (c >> COUNT_AT[k]) as u32 & ((1 << COUNT_BITS[k]) - 1);
    let packed = |counts: [u32; 8]| {
        (0..)
            .zip(counts)
            .fold(0u128, |w, (k, c)| w | (c as u128) << COUNT_AT[k])
    };
    let adds: Vec<[u128; 2]> = lists
        .iter()
        .map(|&(term, list, _)| {
            [false, true].map(|b| packed(list_counts(term, list.len(), b, cfg)))
        })
        .collect();
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u128; n], Vec::new()),
            |(count, touched), a| {
                for &(l, at) in &lists_of[a] {
                    let (_, list, burst) = lists[l as usize];
                    let [apart, together] = adds[l as usize];
                    // Only the members of a burst add to each other's last counts.
                    let burst = burst.filter(|m| m.binary_search(&(a as u32)).is_ok());
                    for &b in &list[at as usize + 1..] {
                        let add = match burst.is_some_and(|m| m.binary_search(&b).is_ok()) {
                            true => together,
                            false => apart,
                        };
                        if add == 0 {
                            continue;
                        }
                        if count[b as usize] == 0 {
                            touched.push(b);
                        }
                        count[b as usize] += add;
                    }
                }
                let mut out: Vec<Candidate> = Vec::new();
                for b in touched.drain(..) {
                    let c = count[b as usize];
                    let (shared, names) = (field(c, 0), field(c, 3));
                    let scripts = script[a] != script[b as usize];
                    if is_candidate(shared, names, scripts, cfg) {
                        let burst = [field(c, 4), field(c, 5), field(c, 7)];
                        let [rare, lead, uncommon] =
                            rare_with_bursts([field(c, 1), field(c, 2), field(c, 6)], burst);
                        out.push(Candidate {
                            a: a as u32,
                            b,
                            shared,
                            rare,
                            lead,
                            names,
                            uncommon,
                        });
                    }
                    count[b as usize] = 0;
                }
                out.sort_unstable();
                out
            },
        )
        .flatten_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;

    /// Groups items without shingles or figures.
    fn group_plain(v: &[TermVector], published: &[Option<i64>], cfg: &StoryConfig) -> Vec<u32> {
        let none = Evidence::default();
        group(
            &Dates::one_each(published),
            |i| Ok(Cow::Borrowed(&v[i])),
            |_| Ok(Cow::Borrowed(&none)),
            ShingleSpec::default(),
            cfg,
        )
        .unwrap()
    }

    const DAY: i64 = 86_400;

    /// The thread level's burst settings.
    fn burst_cfg() -> StoryConfig {
        StoryConfig {
            rare_posting: 10,
            bursty_posting: 50,
            window_days: 14.0,
            ..StoryConfig::default()
        }
    }

    /// `n` clusters, one every `60 / n` days from day 0 (60 days).
    fn spread(n: usize) -> BurstCorpus {
        BurstCorpus::new((0..n).map(|k| Some(k as i64 * 60 * DAY / n as i64)))
    }

    /// A term held by twelve clusters: eight on days 10-20 (a developing
    /// story's weeks) and four scattered over the next weeks.
    fn held_on(days: &[i64]) -> Vec<(u32, Option<i64>)> {
        (0u32..)
            .zip(days)
            .map(|(k, &d)| (k, Some(d * DAY + 3600)))
            .collect()
    }

    const STORY_DAYS: [i64; 12] = [10, 10, 11, 12, 13, 15, 16, 20, 40, 45, 50, 55];

    #[test]
    fn a_term_is_rare_only_in_its_burst() {
        let cfg = burst_cfg();
        let corpus = spread(1200);
        let all_prose = |_| Ok(true);
        let burst = |members: &[(u32, Option<i64>)], corpus: &BurstCorpus| {
            burst_members(members, all_prose, corpus, &cfg).unwrap()
        };
        let members = held_on(&STORY_DAYS);
        assert_eq!(burst(&members, &corpus), (0..8).collect::<Vec<u32>>());
        // A table (no prose) in the window is left out.
        let no_table = burst_members(&members, |k| Ok(k != 3), &corpus, &cfg).unwrap();
        assert_eq!(no_table, [0, 1, 2, 4, 5, 6, 7]);
        // Fewer than half of its clusters in one window: a topic's word.
        let topic = held_on(&[10, 12, 14, 16, 20, 30, 33, 36, 40, 45, 50, 55]);
        assert!(burst(&topic, &corpus).is_empty());
        // Undated clusters count among its clusters, not in the window.
        let mut undated = held_on(&STORY_DAYS[..8]);
        undated.extend((8..17).map(|k| (k, None)));
        assert!(burst(&undated, &corpus).is_empty());
        // Its window on two days only: one day's series, not a story.
        let two_days = held_on(&[10, 10, 10, 11, 11, 11, 11, 11, 40, 45, 50, 55]);
        assert!(burst(&two_days, &corpus).is_empty());
        // A corpus of 100 clusters: eight are more than 5 % of any window.
        assert!(burst(&members, &spread(100)).is_empty());
        // A busy stretch (1,000 of the 1,200 clusters on days 10-24): the
        // term is no more frequent in its window than in the corpus.
        let busy = BurstCorpus::new(
            (0..1000)
                .map(|k| Some(10 * DAY + k * 14 * DAY / 1000))
                .chain((0..200).map(|k| Some(30 * DAY + k * DAY / 10))),
        );
        assert!(burst(&members, &busy).is_empty());
        // Past `bursty_posting`, or not past `rare_posting`: no burst list.
        assert!(bursty_list(7, 12, &cfg) && !bursty_list(7, 51, &cfg) && !bursty_list(7, 10, &cfg));
        assert!(bursty_list(7 | LEAD_BIT, 12, &cfg) && !bursty_list(7 | NAME_MARK, 12, &cfg));
    }

    /// A candidate whose rare terms name one event (three rare terms, two
    /// in both leads, of four shared), `uncommon` of them uncommon.
    fn names_of_one_event(uncommon: u32) -> Candidate {
        Candidate {
            a: 0,
            b: 1,
            shared: 4,
            rare: 3,
            lead: 2,
            names: 0,
            uncommon,
        }
    }

    /// At the thread level many shared rare terms name one event with one
    /// of them in both leads (a saga's follow-up opens with its own
    /// event); with fewer, or none in both leads, or at the story level,
    /// two are needed in both leads.
    #[test]
    fn many_rare_terms_name_one_event_with_one_in_both_leads() {
        let story = StoryConfig::default();
        let thread = crate::thread::ThreadConfig::default().rules(&story);
        assert_eq!((story.many_rare_terms, thread.many_rare_terms), (0, 6));
        let rule =
            |c: &Candidate, cfg: &StoryConfig| cfg.rule_by_terms(c, 0.25, false, false, false);
        let named = Some(StoryVerdict::Edge(EdgeRule::NamesOneEvent));
        let saga = Candidate {
            shared: 9,
            rare: 6,
            lead: 1,
            ..names_of_one_event(1)
        };
        assert!(thread.names_one_event(&saga) && !story.names_one_event(&saga));
        assert_eq!(rule(&saga, &thread), named);
        assert_ne!(rule(&saga, &story), named);
        for fewer in [Candidate { rare: 5, ..saga }, Candidate { lead: 0, ..saga }] {
            assert!(!thread.names_one_event(&fewer), "{fewer:?}");
            assert_ne!(rule(&fewer, &thread), named, "{fewer:?}");
        }
        // Still a name among them.
        let words = Candidate {
            uncommon: 0,
            ..saga
        };
        assert_eq!(
            rule(&words, &thread),
            Some(StoryVerdict::NoEdge(Refusal::NoUncommonTerms))
        );
        let off = StoryConfig {
            many_rare_terms: 0,
            ..thread
        };
        assert!(!off.names_one_event(&saga));
    }

    /// Two reports that name one event by their rare terms and share a
    /// passage are no story when dated more than `series_days` apart with
    /// few figures in common (another day's report of a series); within a
    /// day, undated, with half their figures in common or with the rule
    /// off they are one. The thread level turns the rule off.
    #[test]
    fn reports_of_a_series_on_other_days_are_no_story() {
        // Two reports in prose at cosine 0.18 that name one event by their
        // rare terms, sharing a 20-shingle passage.
        let cfg = StoryConfig::default();
        let c = names_of_one_event(2);
        let (va, vb): (TermVector, TermVector) =
            (vec![(1, 0.6), (2, 0.8)], vec![(1, 0.3), (3, 0.954)]);
        let evidence = |from: u32, figures: &[u64]| {
            Evidence::new(
                (from..from + 30).collect(),
                figures.iter().map(|&x| (x, x)).collect(),
            )
        };
        let own: Vec<u64> = (100..110).collect();
        let other_day: Vec<u64> = (200..209).chain([100]).collect();
        let half: Vec<u64> = (105..115).collect();
        const DAY: i64 = 86_400;
        let judged = |gap: Option<i64>, fb: &[u64], cfg: &StoryConfig| {
            judge(
                &c,
                gap,
                || Ok((Cow::Borrowed(&va), Cow::Borrowed(&vb))),
                || Ok((Cow::Owned(evidence(0, &own)), Cow::Owned(evidence(10, fb)))),
                |_, _| Ok(false),
                ShingleSpec::default(),
                cfg,
            )
            .unwrap()
            .verdict
        };
        let series = StoryVerdict::NoEdge(Refusal::Series);
        let names = StoryVerdict::Edge(EdgeRule::NamesOneEvent);
        // Two days apart, one figure of ten in common: another day's report.
        assert_eq!(judged(Some(2 * DAY), &other_day, &cfg), series);
        assert!(cfg.series(
            Some(-2 * DAY),
            20,
            ShingleSpec::default(),
            (&own, &other_day)
        ));
        // Within a day, undated, or sharing half their figures: one event.
        assert_eq!(judged(Some(DAY / 2), &other_day, &cfg), names);
        assert_eq!(judged(None, &other_day, &cfg), names);
        assert_eq!(judged(Some(2 * DAY), &half, &cfg), names);
        // No passage, or too few figures to tell: the rule does not ask.
        assert!(!cfg.series(
            Some(2 * DAY),
            14,
            ShingleSpec::default(),
            (&own, &other_day)
        ));
        assert!(!cfg.series(Some(2 * DAY), 20, ShingleSpec::default(), (&own, &[1, 2])));
        // Off (0), and off at the thread level.
        let off = StoryConfig {
            series_days: 0.0,
            ..cfg
        };
        assert_eq!(judged(Some(2 * DAY), &other_day, &off), names);
        assert_eq!(
            crate::thread::ThreadConfig::default()
                .rules(&cfg)
                .series_days,
            0.0
        );
    }

    /// A table's vector carries [`TABLE_MARK`] as its profile, prose's and
    /// a one-line flash's do not; two tables' names count only with most
    /// of the smaller's figures in common, and without them the refusal
    /// says why.
    #[test]
    fn two_tables_are_joined_by_their_figures_not_their_labels() {
        let words = |text: &str| term_counts(&crate::text::normalize::normalize(text));
        let table =
            words("CBT SILVER CLSG 7-APR APR7 6700 6720 6750 MAY7 6730 6750 6780 JUN7 6780 6790");
        let prose = words(
            "The silver price rose on the news that the mine would close, and the \
             traders said that the market would stay firm for the rest of the week.",
        );
        let idf: AHashMap<u64, f32> = table.iter().chain(&prose).map(|&(t, _)| (t, 1.0)).collect();
        let (vt, vp) = (vector(&table, &idf), vector(&prose, &idf));
        assert!(is_table(&vt) && !is_table(&vp));
        assert!(both_tables(&vt, &vt) && !both_tables(&vt, &vp));
        assert!(!is_prose(&vt) && !cross_language(&vt, &vp));
        // The mark is no term and weighs nothing.
        assert!(!is_term(TABLE_MARK));
        assert_eq!(
            vt.iter().find(|e| e.0 == TABLE_MARK).map(|e| e.1),
            Some(0.0)
        );

        // Figures: two at least, and half of the smaller list's.
        assert!(tables_share_figures(&[1, 2, 3], &[1, 2, 9, 10, 11]));
        assert!(!tables_share_figures(&[1, 5, 6, 7, 8], &[1, 2, 9, 10, 11]));
        assert!(!tables_share_figures(&[1], &[1, 2]));

        // A one-line flash of three figures is no table, whatever their
        // share; the same line with four more is.
        let flash =
            words("United Biscuits pretax profit 125.2 mln stg vs 102.2 mln in 53 wks to Jan 3");
        let longer = words(
            "United Biscuits pretax profit 125.2 mln stg vs 102.2 mln, tax 42.5 mln vs 31.1 \
             mln, shr 20.3 vs 19.1 in 53 wks to Jan 3",
        );
        let idf: AHashMap<u64, f32> = flash
            .iter()
            .chain(&longer)
            .map(|&(t, _)| (t, 1.0))
            .collect();
        assert!(!is_table(&vector(&flash, &idf)));
        assert!(is_table(&vector(&longer, &idf)));

        // The names rule: for tables the caller decides (with the figures).
        let cfg = StoryConfig::default();
        let c = names_of_one_event(2);
        let edge = Some(StoryVerdict::Edge(EdgeRule::NamesOneEvent));
        assert_eq!(cfg.rule_by_terms(&c, 0.2, false, false, false), edge);
        assert_eq!(cfg.rule_by_terms(&c, 0.2, false, false, true), None);
        assert_eq!(
            cfg.names_rule(&c, 0.2, false, false),
            Some(EdgeRule::NamesOneEvent)
        );
        assert_eq!(cfg.refusal_without_evidence(&c, true), Refusal::Tables);
        assert_eq!(
            cfg.refusal_without_evidence(&c, false),
            Refusal::NoUncommonTerms
        );
        let few = Candidate {
            rare: 1,
            lead: 0,
            ..c
        };
        assert_eq!(
            cfg.refusal_without_evidence(&few, true),
            Refusal::NoEvidence
        );

        // Judged: two tables at cosine 0.18 are one story by their names
        // only with their figures; without them the refusal says why, and
        // the edge's labels are marked (a lone center does not follow it).
        let table_vector = |w: [(u64, f32); 2]| -> TermVector {
            let mut v = w.to_vec();
            v.push((TABLE_MARK, 0.0));
            v
        };
        let (ta, tb) = (
            table_vector([(1, 0.6), (2, 0.8)]),
            table_vector([(1, 0.3), (3, 0.954)]),
        );
        // No shingle in common: no passage decides.
        let figures = |k: u32, f: &[u64]| {
            Evidence::new(vec![k, k + 1, k + 2], f.iter().map(|&x| (x, x)).collect())
        };
        let judged = |fa: &[u64], fb: &[u64]| {
            judge(
                &c,
                Some(0),
                || Ok((Cow::Borrowed(&ta), Cow::Borrowed(&tb))),
                || Ok((Cow::Owned(figures(1, fa)), Cow::Owned(figures(10, fb)))),
                |_, _| Ok(false),
                ShingleSpec::default(),
                &cfg,
            )
            .unwrap()
        };
        let labels = judged(&[10, 11, 12], &[20, 21, 22]);
        assert_eq!(labels.verdict, StoryVerdict::NoEdge(Refusal::Tables));
        assert!(labels.labels);
        let release = judged(&[10, 11, 12], &[10, 11, 30]);
        assert_eq!(release.verdict, StoryVerdict::Edge(EdgeRule::NamesOneEvent));
        assert!(!release.labels);
    }

    /// Names and figures are uncommon and words of general news are not;
    /// each posting list counts its uncommon rare terms, in its burst too;
    /// the names of one event make an edge only with one of them, when
    /// `min_uncommon_terms` is on.
    #[test]
    fn the_names_of_one_event_need_an_uncommon_word() {
        let term = |w: &str| term_hash(w.as_bytes());
        // Names and figures are uncommon; words general news uses and
        // function words are not.
        for w in ["nakasone", "pontiac", "ecuadors", "yeutter", "594", "5.63"] {
            assert!(is_uncommon(term(w)), "{w}");
        }
        for w in ["february", "figures", "preliminary", "statistics", "walk"] {
            assert!(!is_uncommon(term(w)), "{w}");
        }
        assert!(!is_uncommon(term("the")) && !is_uncommon(term("und")));
        // A year names a period, not an event; other four-digit figures
        // are figures.
        for y in ["1800", "1986", "2026", "2099"] {
            assert!(is_year(term(y)) && !is_uncommon(term(y)), "{y}");
        }
        for f in ["1799", "2100", "19860", "198"] {
            assert!(!is_year(term(f)) && is_uncommon(term(f)), "{f}");
        }
        // A mark is no term of its own.
        assert!(!is_uncommon(term("nakasone") | LEAD_BIT));
        assert!(!is_uncommon(term("nakasone") | NAME_MARK));

        // A list's counts, [shared, rare, lead, names, burst rare, burst
        // lead, uncommon, burst uncommon]: a rare uncommon term counts as
        // uncommon, in its burst too; a rare common word does not.
        let cfg = StoryConfig::default();
        let counts = |w: &str, burst: bool| list_counts(term(w), 2, burst, &cfg);
        assert_eq!(counts("yeutter", false), [1, 1, 0, 0, 0, 0, 1, 0]);
        assert_eq!(counts("yeutter", true), [1, 1, 0, 0, 1, 0, 1, 1]);
        assert_eq!(counts("figures", false), [1, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(counts("statistics", true), [1, 1, 0, 0, 1, 0, 0, 0]);
        // Folded with bursts only beside a rare term.
        assert_eq!(rare_with_bursts([0, 1, 0], [2, 1, 2]), [0, 1, 0]);
        assert_eq!(rare_with_bursts([1, 1, 0], [2, 1, 2]), [3, 2, 2]);

        // The edge rule: three rare terms, two in both leads, and one of
        // them uncommon.
        let c = names_of_one_event(0);
        let rule =
            |c: &Candidate, cfg: &StoryConfig| cfg.rule_by_terms(c, 0.2, false, false, false);
        // As both levels set it.
        assert_eq!(cfg.min_uncommon_terms, 1);
        let named = Some(StoryVerdict::Edge(EdgeRule::NamesOneEvent));
        assert_eq!(
            rule(&c, &cfg),
            Some(StoryVerdict::NoEdge(Refusal::NoUncommonTerms))
        );
        assert_eq!(rule(&Candidate { uncommon: 1, ..c }, &cfg), named);
        // Too few rare terms to name one event: no evidence at all.
        assert_eq!(
            rule(&Candidate { rare: 1, ..c }, &cfg),
            Some(StoryVerdict::NoEdge(Refusal::NoEvidence))
        );
        let off = StoryConfig {
            min_uncommon_terms: 0,
            ..cfg
        };
        assert_eq!(rule(&c, &off), named);
    }

    /// Candidates count a term rare in a burst that holds both only when
    /// they share a truly rare term; a lead term's list, unused when not
    /// rare, counts for its burst; `TermIndex::pair` counts as the
    /// candidates do.
    #[test]
    fn a_bursty_term_counts_as_rare_beside_a_rare_one() {
        let cfg = burst_cfg();
        let n = 1200;
        let (story, rare, other, common) = (1u64 << 40, 2u64 << 40, 3u64 << 40, 4u64 << 40);
        let days: Vec<Option<i64>> = (0..n)
            .map(|k| match k {
                0..=11 => Some(STORY_DAYS[k] * DAY + 3600),
                _ => Some(k as i64 * 60 * DAY / n as i64),
            })
            .collect();
        let dates = Dates::one_each(&days);
        let top = |k: usize| -> Result<Vec<u64>> {
            let mut t = vec![10_000 + k as u64];
            if k < 12 {
                t.extend([story, story | LEAD_BIT]);
            }
            if k < 2 {
                t.push(rare);
            }
            if k < 3 {
                t.push(other);
            }
            if k < 40 {
                t.push(common);
            }
            Ok(t)
        };
        let index = TermIndex::new(n, top).unwrap();
        let profile: TermVector = (0..PROFILE_TERMS as u64)
            .map(|j| (MARKS | j, 0.0))
            .collect();
        let bursts = index
            .bursts(&dates, |_| Ok(Cow::Borrowed(&profile)), &cfg)
            .unwrap();
        assert_eq!(bursts.of(story), Some(&(0..8).collect::<Vec<u32>>()[..]));
        assert_eq!(bursts.len(), 2, "the term and its lead term");
        let got = |bursts: &Bursts| {
            let pairs = index.candidate_pairs(n, &cfg, bursts);
            for c in &pairs {
                assert_eq!(index.pair(c.a, c.b, &cfg, bursts).0, *c);
            }
            pairs
                .into_iter()
                .map(|c| (c.a, c.b, c.rare, c.lead))
                .collect::<Vec<_>>()
        };
        // 0-1 share `rare` and `other` (rare), `common` (held by 40, in no
        // burst) and the story's term and lead term; 0-2 and 1-2 share
        // `other`; 2-3 and 0-8 share no rare term: not rare for them.
        assert_eq!(got(&bursts), [(0, 1, 3, 1), (0, 2, 2, 1), (1, 2, 2, 1)]);
        assert_eq!(
            got(&Bursts::default()),
            [(0, 1, 2, 0), (0, 2, 1, 0), (1, 2, 1, 0)]
        );
        // A table is in no burst.
        let table: TermVector = vec![(5, 1.0)];
        let none = index
            .bursts(
                &dates,
                |k| Ok(Cow::Borrowed(if k % 2 == 0 { &table } else { &profile })),
                &cfg,
            )
            .unwrap();
        assert_eq!(none.of(story), Some(&[1, 3, 5, 7][..]));
        let off = StoryConfig {
            bursty_posting: 0,
            ..cfg
        };
        assert!(index
            .bursts(&dates, |_| Ok(Cow::Borrowed(&profile)), &off)
            .unwrap()
            .is_empty());
    }

    fn vectors(texts: &[&str]) -> Vec<TermVector> {
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(t)).collect();
        let idf = idf(counts.iter());
        counts.iter().map(|c| vector(c, &idf)).collect()
    }

    #[test]
    fn reports_of_one_event_may_differ_in_two_figures_if_another_agrees() {
        let cfg = StoryConfig::default();
        let names = Candidate {
            a: 0,
            b: 1,
            shared: 8,
            rare: 5,
            lead: 3,
            names: 0,
            uncommon: 5,
        };
        let topic = Candidate { lead: 0, ..names };
        // (context, figure): four figures in the same contexts.
        let toll = [(1, 10), (2, 20), (3, 30), (4, 40)];
        let agree = |c: &Candidate, other: &[(u64, u64)]| cfg.figures_agree(c, &toll, other, false);
        let one = [(1, 11), (2, 20), (3, 30), (4, 40)];
        let two = [(1, 11), (2, 21), (3, 30), (4, 40)];
        let three = [(1, 11), (2, 21), (3, 31), (4, 40)];
        assert!(
            agree(&names, &one) && agree(&topic, &one),
            "a corrected figure"
        );
        assert!(agree(&names, &two), "a follow-up of one event");
        assert!(!agree(&topic, &two), "a templated report");
        assert!(!agree(&names, &three));
        // Two figures in the same contexts, both different: a template.
        let pair = [(1, 10), (2, 20), (9, 90)];
        assert!(!agree(&names, &[(1, 11), (2, 21), (8, 80)]));
        assert!(cfg.figures_agree(&names, &pair, &[(1, 10), (2, 21), (8, 80)], false));
    }

    /// A corrected number comes the same day: on another day, a pair whose
    /// one figure in the same context differs (the next day's
    /// money-market shortage, a bid raised again) is two reports unless it
    /// names one event. Through the grouping: two such reports at cosine
    /// 0.75 (a close rewrite) are one story six hours apart, two a day
    /// apart, and one a day apart when a second figure agrees.
    #[test]
    fn another_days_report_differs_in_its_one_figure() {
        let cfg = StoryConfig::default();
        let topic = Candidate {
            a: 0,
            b: 1,
            shared: 8,
            rare: 0,
            lead: 0,
            names: 0,
            uncommon: 0,
        };
        let names = Candidate {
            rare: 5,
            lead: 3,
            uncommon: 5,
            ..topic
        };
        let shortage = [(1, 12)];
        let next_day = [(1, 8)];
        let agree =
            |c: &Candidate, b: &[(u64, u64)], one_day| cfg.figures_agree(c, &shortage, b, one_day);
        assert!(agree(&topic, &next_day, true), "a corrected number");
        assert!(!agree(&topic, &next_day, false), "the next day's report");
        assert!(agree(&names, &next_day, false), "a follow-up of one event");
        assert!(agree(&topic, &shortage, false), "the same figure");
        assert!(agree(&topic, &[], false), "no figure in the same context");
        let two = [(1, 12), (2, 20)];
        assert!(
            cfg.figures_agree(&topic, &two, &[(1, 8), (2, 20)], false),
            "another figure agrees"
        );

        let v: Vec<TermVector> = vec![
            vec![(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5)],
            vec![(1, 0.5), (2, 0.5), (3, 0.5), (5, 0.5)],
        ];
        assert!(cosine(&v[0], &v[1]) >= cfg.strong_similarity);
        let stories = |published: &[Option<i64>], figures: [&[(u64, u64)]; 2]| {
            let evidence = figures.map(|f| Evidence {
                figures: f.to_vec(),
                ..Evidence::default()
            });
            group_pairs(
                &Dates::one_each(published),
                |i| Ok(Cow::Borrowed(&v[i])),
                |i| Ok(Cow::Owned(evidence[i].clone())),
                &[topic],
                |_: &Candidate, _: &TermVector, _: &TermVector| Ok(false),
                ShingleSpec::default(),
                &cfg,
            )
            .unwrap()
        };
        const DAY: i64 = 86_400;
        let hours = [Some(0), Some(6 * 3600)];
        let a_day = [Some(0), Some(DAY)];
        assert_eq!(stories(&hours, [&shortage, &next_day]), [0, 0]);
        assert_eq!(stories(&a_day, [&shortage, &next_day]), [0, 1]);
        assert_eq!(stories(&a_day, [&two, &[(1, 8), (2, 20)]]), [0, 0]);
    }

    /// The thread level reads the story level's index restricted to its
    /// clusters: that must be the index, and give the candidates, of those
    /// clusters indexed alone.
    #[test]
    fn a_subset_of_the_index_is_the_index_of_the_subset() {
        let mut state = 3u64;
        let mut next = |m: u64| {
            state = crate::shingle::fmix64(state + 1);
            state % m
        };
        // Top terms over a small vocabulary (so that posting lists are
        // shared), with lead terms; 300 clusters.
        let tops: Vec<Vec<u64>> = (0..300)
            .map(|_| {
                let mut t: Vec<u64> = (0..12).map(|_| 1 + next(400)).collect();
                t.sort_unstable();
                t.dedup();
                let led: Vec<u64> = t.iter().take(3).map(|&x| x | LEAD_BIT).collect();
                t.extend(led);
                t
            })
            .collect();
        let cfg = StoryConfig {
            max_posting: 30,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        let index = TermIndex::new(tops.len(), |i| Ok(tops[i].clone())).unwrap();
        for keep_one_in in [1, 2, 3, 7] {
            let keep: Vec<u32> = (0..300u32)
                .filter(|&k| next(keep_one_in) == 0 || k == 299)
                .collect();
            let alone = TermIndex::new(keep.len(), |i| Ok(tops[keep[i] as usize].clone())).unwrap();
            let sub = index.subset(&keep);
            assert_eq!(sub, alone, "one in {keep_one_in}");
            let pairs = sub.candidate_pairs(keep.len(), &cfg, &Bursts::default());
            assert!(!pairs.is_empty());
            assert_eq!(
                pairs,
                alone.candidate_pairs(keep.len(), &cfg, &Bursts::default())
            );
        }
        assert_eq!(
            index.subset(&[]),
            TermIndex::new(0, |_| Ok(vec![])).unwrap()
        );
    }

    /// The steps a distributed run takes (frequencies joined per term,
    /// global candidate pairs, star grouping per connected component of
    /// them, on local indices) give the centers of [`group`].
    #[test]
    fn grouping_per_component_of_candidates_equals_group() {
        // Forty texts over a small vocabulary: overlapping topics, so that
        // candidates form several components of different sizes.
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let texts: Vec<String> = (0..40)
            .map(|i| {
                let topic = i % 7;
                (0..60)
                    .map(|_| format!("w{}", topic * 10 + next(14)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let published: Vec<Option<i64>> =
            (0..40).map(|i| (i % 3 != 0).then_some(i * 3600)).collect();
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            top_terms: 8,
            max_posting: 12,
            ..StoryConfig::default()
        };
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(t)).collect();
        let v: Vec<TermVector> = {
            let idf = idf(counts.iter());
            counts.iter().map(|c| vector(c, &idf)).collect()
        };
        let none = Evidence::default();
        let whole = group(
            &Dates::one_each(&published),
            |i| Ok(Cow::Borrowed(&v[i])),
            |_| Ok(Cow::Borrowed(&none)),
            ShingleSpec::default(),
            &cfg,
        )
        .unwrap();
        assert!(
            whole.iter().enumerate().any(|(i, &c)| c as usize != i),
            "some stories form"
        );

        // Frequencies as a shuffle on the term gives them, joined back.
        let mut df: AHashMap<u64, u32> = AHashMap::new();
        for c in &counts {
            for &(t, _) in c {
                *df.entry(t).or_insert(0) += 1;
            }
        }
        let joined: Vec<TermVector> = counts
            .iter()
            .map(|c| {
                vector_with_df(
                    c,
                    &c.iter().map(|(t, _)| df[t]).collect::<Vec<_>>(),
                    counts.len(),
                )
            })
            .collect();
        assert_eq!(joined, v, "bit for bit");
        let index = TermIndex::new(40, |i| Ok(top_terms(Cow::Borrowed(&joined[i]), &cfg))).unwrap();
        let pairs = index.candidate_pairs(40, &cfg, &Bursts::default());
        // Components of the pairs (naive union-find), each grouped alone.
        let mut root: Vec<usize> = (0..40).collect();
        fn find(root: &mut [usize], x: usize) -> usize {
            let r = root[x];
            if r == x {
                x
            } else {
                let r = find(root, r);
                root[x] = r;
                r
            }
        }
        for c in &pairs {
            let (x, y) = (find(&mut root, c.a as usize), find(&mut root, c.b as usize));
            root[x.max(y)] = x.min(y);
        }
        let mut centers: Vec<u32> = (0..40).collect();
        let mut sizes = Vec::new();
        for r in 0..40 {
            let members: Vec<usize> = (0..40).filter(|&i| find(&mut root, i) == r).collect();
            if members.len() < 2 {
                continue;
            }
            sizes.push(members.len());
            let local = |g: u32| members.iter().position(|&m| m == g as usize).unwrap() as u32;
            let local_pairs: Vec<Candidate> = pairs
                .iter()
                .filter(|c| members.contains(&(c.a as usize)))
                .map(|c| Candidate {
                    a: local(c.a),
                    b: local(c.b),
                    ..*c
                })
                .collect();
            let pubs: Vec<Option<i64>> = members.iter().map(|&m| published[m]).collect();
            // Combinations are judged on the whole run's posting lists, as
            // Spark joins them before grouping components.
            let unique = |c: &Candidate, a: &TermVector, b: &TermVector| {
                let (ta, tb) = (
                    top_terms(Cow::Borrowed(a), &cfg),
                    top_terms(Cow::Borrowed(b), &cfg),
                );
                let shared = index.shared_lists(&ta, &tb, &cfg);
                let (ga, gb) = (members[c.a as usize], members[c.b as usize]);
                Ok(unique_combination(&shared, ga as u32, gb as u32, &cfg))
            };
            let got = group_pairs(
                &Dates::one_each(&pubs),
                |k| Ok(Cow::Borrowed(&joined[members[k]])),
                |_| Ok(Cow::Borrowed(&none)),
                &local_pairs,
                unique,
                ShingleSpec::default(),
                &cfg,
            )
            .unwrap();
            for (k, c) in got.into_iter().enumerate() {
                centers[members[k]] = members[c as usize] as u32;
            }
        }
        assert!(sizes.len() > 1, "several components: {sizes:?}");
        assert_eq!(centers, whole);
    }

    #[test]
    fn shared_term_pairs_are_the_pairs_in_enough_lists() {
        // Terms 10..: plain; 20..: lead terms; 30..: name marks; and a
        // word of general news (rare here, not uncommon).
        let lists: Vec<(u64, Vec<u32>)> = vec![
            (10, vec![0, 1, 2]),
            (11, vec![0, 1]),
            (term_hash(b"february"), vec![0, 1, 5]),
            (12, vec![1, 2, 5]),
            (13, vec![0, 1, 5]),
            (14, vec![2, 5]),
            (15, vec![3]),
            (20 | LEAD_BIT, vec![0, 1]),
            (21 | LEAD_BIT, vec![0, 1, 2]),
            (30 | NAME_MARK, vec![3, 4]),
            (31 | NAME_MARK, vec![3, 4, 5]),
            (32 | NAME_MARK, vec![0, 3, 4]),
            (33 | NAME_MARK, vec![0, 1]),
        ];
        // Cluster 3 is written in another script: its pairs need one name.
        let script = [false, false, false, true, false, false];
        for (rare_posting, min_names) in [(2, 0), (3, 2), (2, 3)] {
            for min in 1..=4 {
                let cfg = StoryConfig {
                    min_shared_terms: min,
                    rare_posting,
                    min_shared_names: min_names,
                    min_names_across_scripts: 1,
                    ..StoryConfig::default()
                };
                let mut direct: Vec<Candidate> = Vec::new();
                for a in 0..6u32 {
                    for b in a + 1..6 {
                        let both = |kind: fn(u64) -> bool| -> Vec<usize> {
                            lists
                                .iter()
                                .filter(|(t, l)| kind(*t) && l.contains(&a) && l.contains(&b))
                                .map(|(_, l)| l.len())
                                .collect()
                        };
                        let (shared, led, names) = (both(is_term), both(is_lead), both(is_name));
                        let rare = |lens: &[usize]| {
                            lens.iter().filter(|&&n| n <= rare_posting).count() as u32
                        };
                        let uncommon = both(is_uncommon);
                        let least = match script[a as usize] != script[b as usize] {
                            true if min_names > 0 => 1,
                            _ => min_names,
                        };
                        if shared.len() >= min || (least > 0 && names.len() >= least) {
                            direct.push(Candidate {
                                a,
                                b,
                                shared: shared.len() as u32,
                                rare: rare(&shared),
                                lead: rare(&led),
                                names: names.len() as u32,
                                uncommon: rare(&uncommon),
                            });
                        }
                    }
                }
                // As `candidate_pairs` passes them: the used lists.
                let used: Vec<PairedList> = lists
                    .iter()
                    .filter(|(t, l)| posting_used(*t, l.len(), &cfg))
                    .map(|(t, l)| (*t, l.as_slice(), None))
                    .collect();
                assert_eq!(
                    shared_term_pairs(6, &used, &script, &cfg),
                    direct,
                    "min {min}, rare {rare_posting}, names {min_names}"
                );
            }
        }
    }

    #[test]
    fn templated_reports_with_other_figures_stay_apart() {
        static WEEK1: [(u64, u64); 2] = [(1, 19), (2, 240)];
        static WEEK2: [(u64, u64); 2] = [(1, 12), (2, 100)];
        static CORRECTED: [(u64, u64); 2] = [(1, 19), (2, 250)];
        let v = vectors(&[
            "no grain shipments ussr week usda",
            "no grain shipments ussr week usda",
            "unrelated text about something else",
        ]);
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        let run = |figures: [&[(u64, u64)]; 3]| {
            let evidence: Vec<Evidence> = figures
                .iter()
                .map(|f| Evidence::new(Vec::new(), f.to_vec()))
                .collect();
            group(
                &Dates::one_each(&[None; 3]),
                |i| Ok(Cow::Borrowed(&v[i])),
                |i| Ok(Cow::Borrowed(&evidence[i])),
                ShingleSpec::default(),
                &cfg,
            )
            .unwrap()
        };
        assert_eq!(run([&WEEK1, &WEEK2, &[]]), vec![0, 1, 2]);
        assert_eq!(run([&WEEK1, &CORRECTED, &[]]), vec![0, 0, 2]);
    }

    #[test]
    fn han_text_counts_character_bigrams() {
        let body = |t: &str| {
            term_counts(t)
                .into_iter()
                .filter(|&(t, _)| is_term(t))
                .count()
        };
        assert_eq!(body("新 冠 疫 苗 test"), 4);
        let counts = term_counts("新 冠 疫 苗 test");
        assert!(counts.contains(&(UNSPACED, 3)), "three bigrams");
        assert_eq!(body("a bb bb"), 1, "one-letter words are not terms");
    }

    /// A lone page is as near a cluster as the cluster's nearest page;
    /// two clusters of copies, as their earliest pages; undated pages
    /// count as pages but have no time.
    #[test]
    fn dates_measure_a_lone_page_from_the_nearest_copy() {
        const DAY: i64 = 86_400;
        let pages = [
            (0, Some(40 * DAY)), // a cluster of three: days 0, 10 and 40
            (0, Some(0)),
            (0, Some(10 * DAY)),
            (1, Some(12 * DAY)), // lone
            (2, Some(41 * DAY)), // two copies: days 41 and 50
            (2, Some(50 * DAY)),
            (3, None),          // lone, undated
            (4, Some(9 * DAY)), // one dated page and one undated: not lone
            (4, None),
            (5, Some(39 * DAY)), // lone
        ];
        let dates = Dates::of_pages(6, pages);
        assert_eq!(dates.len(), 6);
        assert_eq!(dates.of(0), &[0, 10 * DAY, 40 * DAY]);
        assert_eq!(dates.gap(1, 0), Some(2 * DAY), "lone: the nearest copy");
        assert_eq!(dates.gap(0, 1), Some(2 * DAY), "either order");
        assert_eq!(dates.gap(5, 0), Some(DAY), "lone, after the last copy");
        assert_eq!(
            dates.gap(0, 2),
            Some(41 * DAY),
            "two clusters: the earliest pages"
        );
        assert_eq!(dates.gap(4, 0), Some(9 * DAY), "an undated page is a page");
        assert_eq!(dates.gap(1, 4), Some(3 * DAY));
        assert_eq!(dates.gap(3, 0), None, "undated");
        assert_eq!(dates.gap(1, 5), Some(27 * DAY), "two lone pages");
        assert_eq!(Dates::one_each(&[Some(5), None]).gap(0, 1), None);
        assert_eq!(Dates::one_each(&[Some(5), Some(-7)]).gap(0, 1), Some(12));
    }

    /// Through the grouping, the one-day rule reads the pair's dates: two
    /// reports at cosine 0.25 with two rare names in both leads are one
    /// story on one day or undated, two a day apart, and two by default.
    #[test]
    fn the_one_day_rule_reads_the_dates() {
        let v: Vec<TermVector> = vec![
            vec![(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5)],
            vec![(1, 0.5), (5, 0.5), (6, 0.5), (7, 0.5)],
        ];
        let pair = [Candidate {
            a: 0,
            b: 1,
            shared: 3,
            rare: 2,
            lead: 2,
            names: 0,
            uncommon: 2,
        }];
        assert!((cosine(&v[0], &v[1]) - 0.25).abs() < 1e-9);
        let none = Evidence::default();
        let stories = |published: &[Option<i64>], cfg: &StoryConfig| {
            group_pairs(
                &Dates::one_each(published),
                |i| Ok(Cow::Borrowed(&v[i])),
                |_| Ok(Cow::Borrowed(&none)),
                &pair,
                |_: &Candidate, _: &TermVector, _: &TermVector| Ok(false),
                ShingleSpec::default(),
                cfg,
            )
            .unwrap()
        };
        let on = StoryConfig {
            same_day_similarity: 0.2,
            ..StoryConfig::default()
        };
        let hours_apart = [Some(0), Some(6 * 3600)];
        assert_eq!(stories(&hours_apart, &on), [0, 0]);
        assert_eq!(stories(&[None, Some(0)], &on), [0, 0], "undated");
        assert_eq!(
            stories(&[Some(0), Some(86_400)], &on),
            [0, 1],
            "a day apart"
        );
        assert_eq!(stories(&hours_apart, &StoryConfig::default()), [0, 1]);
    }

    #[test]
    fn evidence_paths_of_an_edge() {
        let cfg = StoryConfig {
            same_day_similarity: 0.2,
            ..StoryConfig::default()
        };
        let c = |rare, lead| Candidate {
            a: 0,
            b: 1,
            shared: 3,
            rare,
            lead,
            names: 0,
            uncommon: rare,
        };
        // Each case: rare terms, lead terms, cosine, the answer, and why;
        // judged as a pair in two languages or not, of one day or not.
        type Case = (u32, u32, f64, Option<bool>, &'static str);
        let judge = |cases: &[Case], cross: bool, one_day: bool| {
            for &(rare, lead, cos, want, why) in cases {
                let got = cfg.edge_by_terms(&c(rare, lead), cos, cross, one_day, false);
                assert_eq!(got, want, "{why}");
            }
        };
        judge(
            &[
                (9, 9, 0.11, Some(false), "below similarity"),
                (0, 0, 0.61, Some(true), "close rewrite"),
                (3, 2, 0.13, Some(true), "rare lead terms"),
                (3, 1, 0.2, Some(false), "not in both leads"),
                (3, 1, 0.35, None, "passages decide"),
                (2, 2, 0.21, Some(false), "two lead names, days apart"),
            ],
            false,
            false,
        );
        // Reports of one day: two rare terms in both leads, from
        // `same_day_similarity`, in one language.
        judge(
            &[
                (2, 2, 0.21, Some(true), "two lead names, one day"),
                (2, 2, 0.19, Some(false), "below the one-day cosine"),
                (2, 1, 0.21, Some(false), "one lead name"),
                (3, 1, 0.35, None, "passages still decide"),
            ],
            false,
            true,
        );
        assert!(cfg.one_day(None) && cfg.one_day(Some(-43_200)));
        assert!(!cfg.one_day(Some(43_201)));
        // Off by default.
        let off = StoryConfig::default();
        assert_eq!(
            off.edge_by_terms(&c(2, 2), 0.25, false, true, false),
            Some(false)
        );
        // Two languages: from `cross_language_similarity`, by names only.
        judge(
            &[
                (4, 2, 0.07, Some(true), "names, two languages"),
                (4, 2, 0.05, Some(false), "below the two-language floor"),
                (4, 1, 0.07, Some(false), "names not in both leads"),
                (3, 2, 0.11, Some(false), "too few names"),
                (0, 0, 0.61, Some(true), "close rewrite"),
                (2, 2, 0.21, Some(false), "one-day rule: one language"),
            ],
            true,
            true,
        );
        assert_eq!(
            cfg.edge_by_terms(&c(4, 2), 0.07, false, true, false),
            Some(false)
        );
        // Names shared across two languages, whatever the top terms; a
        // candidate by names alone in one language is no edge, even at a
        // cosine where shared passages would decide.
        let named = |shared, names| Candidate {
            shared,
            names,
            ..c(0, 0)
        };
        let min = cfg.min_shared_names as u32;
        // (shared top terms, names, cosine, two languages, the answer)
        let cases = [
            (0, min, 0.07, true, Some(true)),
            (0, min, 0.05, true, Some(false)),
            (0, min - 1, 0.07, true, Some(false)),
            (3, min, 0.11, true, Some(true)),
            (0, min, 0.35, false, Some(false)),
            (3, min, 0.35, false, None),
        ];
        for (shared, names, cos, cross, want) in cases {
            let got = cfg.edge_by_terms(&named(shared, names), cos, cross, true, false);
            assert_eq!(
                got, want,
                "{shared} terms, {names} names, cosine {cos}, cross {cross}"
            );
        }
        let no_names = StoryConfig {
            min_shared_names: 0,
            ..cfg
        };
        assert_eq!(
            no_names.edge_by_terms(&named(0, 9), 0.3, true, true, false),
            Some(false)
        );
        let (word, char5) = (ShingleSpec::default(), "char:5".parse().unwrap());
        let hour = Some(3600);
        // A long passage counts on the same day only, and in words.
        assert!(cfg.shares_passages(hour, 15, 400, word));
        assert!(!cfg.shares_passages(hour, 14, 400, word));
        assert!(!cfg.shares_passages(Some(3 * 86_400), 15, 400, word));
        assert!(!cfg.shares_passages(None, 15, 400, word), "undated");
        assert!(!cfg.shares_passages(hour, 15, 4000, char5));
        assert!(cfg.shares_passages(hour, 90, 4000, char5));
        // A share of the smaller text counts on any dates.
        assert!(cfg.shares_passages(None, 80, 400, word));
        assert!(cfg.shares_passages(Some(30 * 86_400), 80, 400, word));
        assert!(!cfg.shares_passages(None, 0, 0, word));
    }

    #[test]
    fn name_marks_are_the_terms_of_two_to_name_posting_documents() {
        let texts = [
            "alpha beta gamma delta",
            "alpha beta gamma",
            "alpha beta",
            "alpha epsilon",
        ];
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(t)).collect();
        let idf = idf(counts.iter());
        let plain = |t: &str| term_counts(t)[0].0;
        let marks = |k: usize, posting: usize| -> Vec<u64> {
            let cfg = StoryConfig {
                name_posting: posting,
                // The frequencies above have no background of general news.
                background_documents: 0.0,
                ..StoryConfig::default()
            };
            let (v, m) = vector_and_names(&counts[k], &idf, cfg.name_range(texts.len()));
            assert_eq!(v, vector(&counts[k], &idf), "the vector is the same");
            assert!(m.iter().all(|&t| is_name(t) && !is_term(t) && !is_lead(t)));
            assert!(m.windows(2).all(|w| w[0] < w[1]));
            m.into_iter().map(|t| t & !NAME_MARK).collect()
        };
        // Held by 4, 3, 2 and 1 documents: with a posting of 3, gamma
        // (2) and beta (3) are names; alpha (4) and delta (1) are not.
        let mut want = vec![plain("beta"), plain("gamma")];
        want.sort_unstable();
        assert_eq!(marks(0, 3), want);
        assert_eq!(marks(0, 2), vec![plain("gamma")]);
        assert!(marks(0, 1).is_empty(), "no name below two documents");
        assert!(marks(3, 3).is_empty());
        assert!(vector_and_names(&counts[0], &idf, None).1.is_empty());
        // From the frequencies alongside, as a distributed run joins them.
        let df: Vec<u32> = counts[0]
            .iter()
            .map(|&(t, _)| {
                counts
                    .iter()
                    .filter(|c| c.iter().any(|&(u, _)| u == t))
                    .count() as u32
            })
            .collect();
        let cfg = StoryConfig {
            name_posting: 3,
            background_documents: 0.0,
            ..StoryConfig::default()
        };
        let joined = vector_and_names_with_df(&counts[0], &df, texts.len(), &cfg);
        assert_eq!(
            joined,
            vector_and_names(&counts[0], &idf, cfg.name_range(texts.len()))
        );
        // With the background of general news, as the pipeline's table.
        let with = StoryConfig {
            background_documents: 300.0,
            ..cfg
        };
        let mut table = DocumentFrequencies::default();
        counts.iter().for_each(|c| table.add(c));
        let idf = table.idf_with_background(300.0);
        assert_eq!(
            vector_and_names_with_df(&counts[0], &df, texts.len(), &with),
            vector_and_names(&counts[0], &idf, with.name_range(texts.len()))
        );
        // No names when the rule is off.
        let off = StoryConfig {
            min_shared_names: 0,
            ..cfg
        };
        assert_eq!(off.name_range(texts.len()), None);
    }

    #[test]
    fn lead_terms_are_the_opening_terms_and_weigh_nothing() {
        let words: Vec<String> = (0..LEAD_TOKENS + 20).map(|k| format!("w{k}")).collect();
        let counts = term_counts(&words.join(" "));
        let lead = counts.iter().filter(|&&(t, _)| is_lead(t)).count();
        assert_eq!(lead, LEAD_TOKENS);
        assert_eq!(counts.len(), LEAD_TOKENS * 2 + 20);
        // Every lead term is an opening term's hash with the lead bit.
        let plain: Vec<u64> = counts
            .iter()
            .map(|&(t, _)| t)
            .filter(|&t| !is_lead(t))
            .collect();
        for &(t, _) in counts.iter().filter(|&&(t, _)| is_lead(t)) {
            assert!(plain.contains(&(t & !LEAD_BIT)));
        }
        let idf = idf([counts.clone(), term_counts("other words")].iter());
        let v = vector(&counts, &idf);
        let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(v
            .iter()
            .filter(|&&(t, _)| is_lead(t))
            .all(|&(_, w)| w == 0.0));
        // Top terms carry the lead term of each top term in the lead.
        let cfg = StoryConfig {
            top_terms: 10,
            ..StoryConfig::default()
        };
        let top = top_terms(Cow::Borrowed(&v), &cfg);
        let (led, tops): (Vec<u64>, Vec<u64>) = top.iter().partition(|&&t| is_lead(t));
        assert_eq!(tops.len(), 10);
        for t in led {
            assert!(tops.contains(&(t & !LEAD_BIT)));
        }
    }

    /// Two outlets' reports of one event name its details in their
    /// openings; two reports of one saga share its names and background,
    /// but their openings tell other events. At a cosine below
    /// `strong_similarity`, only the first pair joins.
    /// One outlet's report of one event (a board rejects a bid), in the
    /// story tests: other reports and its translation are set beside it.
    const KESTREL_REJECTS: &str = "Kestrel Foods rejects Brannock offer. The board of \
        Kestrel Foods on Tuesday unanimously rejected the 4.1 billion bid from Brannock \
        Holdings, calling it opportunistic and saying it undervalued the company and its \
        prospects. Chairwoman Ilse Marwick told shareholders in a letter that the \
        directors had considered the proposal carefully with their advisers and \
        concluded that it was not in the interests of investors, who would be better \
        served by the current strategy of store openings and cost cuts over the next \
        three years.";

    #[test]
    fn rare_lead_terms_join_reports_of_one_event_not_of_one_saga() {
        // Past the lead: the saga's background, which wire reports repeat.
        let background = "Kestrel Foods has been the subject of a takeover battle with \
            Brannock Holdings for months, and its shares have risen sharply since \
            the start of the year. The grocer runs four hundred stores across the \
            north and employs some thirty thousand people, according to its annual \
            report. Analysts at Dunmore Securities have said that any deal would face \
            scrutiny from competition regulators in Vellmark.";
        // Ordinary business news, so that its common words are not rare, as
        // in a corpus of thousands of reports.
        let filler = "The company said on Monday that its board had approved the plan and \
            that directors expected shareholders to back it at the annual meeting, where \
            investors will also vote on the new chairman. The stock closed higher after \
            the statement, and analysts said the offer for the unit was fair, according \
            to a letter sent to the court and the fund that holds the shares. Sales rose \
            in most of the regions over the year by a wide margin, with gains from stores \
            in the south which were not expected to last.";
        let mut texts: Vec<String> = vec![
            // One event, two outlets: different words, the same details.
            format!("{KESTREL_REJECTS} {background}"),
            format!(
                "Kestrel turns down Brannock bid. Directors at grocer Kestrel Foods \
                turned down on Tuesday a takeover approach worth 4.1 billion from Brannock \
                Holdings, with chairwoman Ilse Marwick writing that the bid was \
                opportunistic. Brannock, which owns a rival chain, said it was \
                disappointed and was considering its options, including going directly to \
                shareholders with a tender offer, people familiar with the matter said. \
                Shares in the grocer closed slightly lower after the statement was issued \
                late in the afternoon."
            ),
            // The same saga, another event: a lawsuit, weeks later.
            format!(
                "Pension fund sues over poison pill. A public pension fund filed suit in \
                chancery court on Thursday seeking to void a shareholder rights plan that \
                was adopted last month, arguing that the defence unfairly entrenches the \
                board and deprives investors of a chance to weigh any premium. The fund, \
                which holds about one percent of the stock, asked the judge for an \
                expedited hearing before the annual meeting in June, according to the \
                complaint, which names all eleven directors as defendants in the case. \
                {background}"
            ),
        ];
        texts.extend((0..8).map(|k| format!("{filler} Item{k} word{k}")));
        let n = texts.len();
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        let cfg = StoryConfig {
            min_shared_terms: 1,
            ..StoryConfig::default()
        };
        let pairs =
            candidate_pairs(n, |i| Ok(top_terms(Cow::Borrowed(&v[i]), &cfg)), &cfg).unwrap();
        let of = |a, b| *pairs.iter().find(|c| (c.a, c.b) == (a, b)).unwrap();
        assert!(of(0, 1).lead >= 2, "{:?}", of(0, 1));
        assert!(of(0, 2).rare >= 2 && of(0, 2).lead < 2, "{:?}", of(0, 2));
        assert!(cosine(&v[0], &v[1]) < cfg.strong_similarity);
        let none = Evidence::default();
        let centers = group(
            &Dates::one_each(&vec![None; n]),
            |i| Ok(Cow::Borrowed(&v[i])),
            |_| Ok(Cow::Borrowed(&none)),
            ShingleSpec::default(),
            &cfg,
        )
        .unwrap();
        assert_eq!(centers[0], centers[1]);
        assert_ne!(centers[2], centers[0]);
    }

    /// An English report `k` of its own subject (words no other report
    /// holds) in English's function words.
    fn english_report(k: usize) -> String {
        (0..6)
            .map(|j| {
                format!(
                    "The w{k}x{j} said that the w{k}y{j} was in the w{k}z{j}, and it \
                    was to the w{k}v{j} of the w{k}u{j} that it said this."
                )
            })
            .collect()
    }

    /// The six figures of the `k`th earnings table of the tests below.
    fn table_figures(k: usize) -> [usize; 6] {
        [11, 23, 145, 167, 1890, 1720].map(|x| x + k)
    }

    /// An earnings table's most used words ("shr", "vs", "mln") are no
    /// language's: a page whose terms are a fifth or more figures has no
    /// profile, so it is never in another language than a prose report.
    #[test]
    fn a_table_is_in_no_language() {
        let table = |k: usize| {
            let [a, b, c, d, e, f] = table_figures(k);
            format!(
                "CO{k} 4TH QTR NET Shr {a} cts vs {b} cts Net {c} mln dlrs vs {d} mln dlrs \
                Revs {e} mln dlrs vs {f} mln dlrs Year Shr {b} cts vs {a} cts Net {d} mln \
                vs {c} mln"
            )
        };
        let mut texts: Vec<String> = (0..6).map(english_report).collect();
        texts.extend((0..4).map(table));
        let mut counts: Vec<TermCounts> =
            texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let (&(last, figures), terms) = counts[6].split_last().unwrap();
        assert_eq!(last, FIGURES);
        let all: u32 = terms.iter().filter(|e| is_term(e.0)).map(|e| e.1).sum();
        assert!(
            figures as f64 >= FIGURE_SHARE * all as f64,
            "{figures} of {all}"
        );
        assert!(
            counts[0].iter().all(|e| e.0 != FIGURES),
            "prose holds no figures"
        );
        let vectors = |counts: &[TermCounts]| {
            let idf = idf(counts.iter());
            counts.iter().map(|c| vector(c, &idf)).collect::<Vec<_>>()
        };
        let v = vectors(&counts);
        assert!(!cross_language(&v[0], &v[6]), "a table is no language");
        assert!(!cross_language(&v[6], &v[7]));
        // Without its count of figures, the table reads as another language.
        counts.iter_mut().for_each(|c| c.retain(|e| e.0 != FIGURES));
        let v = vectors(&counts);
        assert!(cross_language(&v[0], &v[6]));
    }

    /// A table rewritten with a few sentences of prose is prose by its
    /// share of figures, and its most widely held words (its profile) are
    /// still the table's: by profiles alone it reads as another language
    /// than an English report. Its English function words tell it is not.
    #[test]
    fn a_table_with_some_prose_is_in_its_prose_language() {
        let table = |k: usize| {
            let [a, b, c, d, e, f] = table_figures(k);
            format!(
                "CO{k} 4TH QTR NET Shr profit {a} cts vs profit {b} cts, and Net profit \
                {c} mln vs loss {d} mln, and Revs {e} mln vs {f} mln, and Year Shr \
                profit {b} cts vs loss {a} cts, and Net profit {d} mln vs loss {c} \
                mln, and Revs {f} mln vs {e} mln"
            )
        };
        let prose = " Analysts had expected more from its new owners. Why this was so \
            is not yet known, but they say an answer should come by Friday when \
            we will hear from them about what each of those plans would do for our \
            town.";
        let mut texts: Vec<String> = (0..6).map(english_report).collect();
        texts.extend((0..12).map(table));
        texts.push(format!("{}{prose}", table(20)));
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        let prosed = &v[18];
        let (pa, pb) = (profile_marks(&v[0]), profile_marks(prosed));
        assert_eq!((pa.len(), pb.len()), (PROFILE_TERMS, PROFILE_TERMS));
        let mut shared = 0;
        merge_join(pa, pb, |t| t.0, |_, _| shared += 1);
        assert!(shared < SAME_LANGUAGE_SHARED, "the profiles differ");
        assert!(!cross_language(&v[0], prosed), "both English");
        assert!(!cross_language(prosed, &v[0]));
    }

    /// The background of general news ([`StoryConfig::background_documents`],
    /// [`term_idf`]): in a corpus of a hundred reports, a common word and a
    /// name that four reports hold weigh alike without it; with it, the
    /// common word weighs less and the name more. Among a hundred thousand
    /// reports it changes little, and a language's function words that the
    /// (English) table does not list are not made to look rare.
    #[test]
    fn the_background_tells_common_words_from_names() {
        let hash = |w: &str| term_counts(w)[0].0;
        let (quarter, marwick, und) = (hash("quarter"), hash("marwick"), hash("und"));
        assert!(BackgroundNews::share(quarter).is_some_and(|s| s > 0.05));
        assert!(BackgroundNews::share(hash("the")).is_some_and(|s| s > 0.99));
        assert_eq!(BackgroundNews::share(marwick), None);
        assert_eq!(BackgroundNews::share(und), None);
        let b = StoryConfig::default().background_documents;
        assert!(b > 0.0);
        // Off: the corpus's own frequencies, whatever the word.
        assert_eq!(
            term_idf(quarter, 4, 100, 0.0),
            term_idf(marwick, 4, 100, 0.0)
        );
        assert_eq!(term_idf(quarter, 4, 100, 0.0), idf_value(4.0, 100, 0.0));
        // A hundred reports: the common word sinks, the name rises.
        let (common, name, alone) = (
            term_idf(quarter, 4, 100, b),
            term_idf(marwick, 4, 100, b),
            term_idf(marwick, 4, 100, 0.0),
        );
        assert!(common < alone && alone < name, "{common} {alone} {name}");
        assert!(name - common > 1.5, "{common} {name}");
        // A hundred thousand reports: the corpus decides.
        let share = BackgroundNews::share(quarter).unwrap();
        let d = (share * 100_000.0) as u32;
        let (with, without) = (
            term_idf(quarter, d, 100_000, b),
            term_idf(quarter, d, 100_000, 0.0),
        );
        assert!((with - without).abs() < 0.01, "{with} {without}");
        // German function words in a small German corpus stay common.
        let (with, without) = (term_idf(und, 95, 100, b), term_idf(und, 95, 100, 0.0));
        assert!((with - without).abs() < 0.01, "{with} {without}");
        let with = term_idf(und, 10, 100, b);
        assert!(
            with < term_idf(und, 10, 100, 0.0),
            "held by a tenth here: {with}"
        );
        // The pipeline's frequencies take it from the settings.
        let mut df = DocumentFrequencies::default();
        for text in ["quarter marwick", "quarter", "marwick", "other words"] {
            df.add(&term_counts(text));
        }
        let idf = df.idf_with_background(b);
        assert!(idf[&quarter] < idf[&marwick]);
        assert_eq!(df.idf()[&quarter], df.idf()[&marwick]);
    }

    /// A price table with words between its figures is prose by its share
    /// of figures; its profile is the table's words, and it holds too few
    /// function words of any language for its own to be told. It holds
    /// English's at more than [`TOLD_BY_SHARE`] of its terms, so it is in
    /// an English report's language. A report in a language without a
    /// list (Polish) holds as few of them, among many more terms.
    #[test]
    fn a_price_table_is_in_the_language_of_its_few_words() {
        let table = |k: usize| {
            let [a, b, c, d, e, f] = table_figures(k);
            format!(
                "LONDON OILS{k} SOYOIL Dutch fob guilders per tonne May {a} paid Aug \
                {b} slrs CRUDE any origin ex-tank dlrs per tonne Jun {c} paids Jul {d} \
                slrs PALMOIL crude cif dlrs per tonne May {e} paid and RBD olein dlrs \
                per tonne Jun {f} paids for Rotterdam slrs"
            )
        };
        let polish = |k: usize| {
            (0..12)
                .map(|j| {
                    format!(
                        "W{k}a{j} powiedział, że w{k}b{j} nie jest na w{k}c{j}, a to się \
                        w{k}d{j} do w{k}e{j} nie stało, jak w{k}f{j} przez w{k}g{j}. "
                    )
                })
                .collect::<String>()
        };
        let mut texts: Vec<String> = (0..6).map(english_report).collect();
        texts.extend((0..6).map(table));
        texts.extend((0..3).map(polish));
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        let (report, table, polish) = (&v[0], &v[6], &v[12]);
        let language = |v: &TermVector| FunctionWords::of(v.iter().map(|e| e.0));
        assert_ne!(language(report), FunctionWords::default());
        assert_eq!(language(table), FunctionWords::default());
        assert_eq!(language(polish), FunctionWords::default());
        for other in [table, polish] {
            let (pa, pb) = (profile_marks(report), profile_marks(other));
            assert_eq!((pa.len(), pb.len()), (PROFILE_TERMS, PROFILE_TERMS));
            let mut shared = 0;
            merge_join(pa, pb, |t| t.0, |_, _| shared += 1);
            assert!(shared < SAME_LANGUAGE_SHARED, "the profiles differ");
        }
        let en = language(report);
        let held = |v: &TermVector| v.iter().filter(|e| is_term(e.0) && en.holds(e.0)).count();
        assert!(
            held(polish) >= TOLD_BY_WORDS,
            "\"to\" and \"do\" are English too"
        );
        assert!(!cross_language(report, table), "both English");
        assert!(!cross_language(table, report));
        assert!(cross_language(report, polish));
        assert!(cross_language(polish, report));
        assert!(cross_language(table, polish), "neither is told");
    }

    /// Pages in a language that few documents of a corpus are in share
    /// that language's function words, which few clusters hold: they are
    /// not rare names, and five German pages of five events among thirty
    /// English ones stay five stories. Another language's function words
    /// are not set aside ("die" in an English page).
    #[test]
    fn a_minority_languages_function_words_are_no_evidence() {
        const FUNCTION: [&str; 16] = [
            "der", "dass", "und", "nicht", "auch", "mit", "auf", "für", "ist", "von", "eine",
            "sich", "den", "die", "hat", "in",
        ];
        let german = |k: usize| {
            (0..8)
                .map(|j| {
                    let f = |m: usize| FUNCTION[(3 * j + m) % FUNCTION.len()];
                    let w = |m: usize| format!("w{k}q{j}r{m}");
                    format!(
                        "{} {} {} {} {} {} {} {} {} {} {}. ",
                        w(0),
                        f(0),
                        w(1),
                        w(2),
                        f(1),
                        w(3),
                        w(4),
                        f(2),
                        w(5),
                        f(3),
                        w(6)
                    )
                })
                .collect::<String>()
        };
        let mut texts: Vec<String> = (0..30).map(english_report).collect();
        texts.extend((0..5).map(german));
        let n = texts.len();
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        let cfg = StoryConfig::default();
        let stories = group_plain(&v, &vec![None; n], &cfg);
        for (k, &story) in stories.iter().enumerate().skip(30) {
            assert_eq!(story, k as u32, "German page {k} is its own story");
        }
        // The German pages do share function words that only they hold,
        // in both leads: all they lacked to be one story.
        let hash = |w: &str| term_counts(w)[0].0;
        let shared = ["der", "dass", "und", "nicht", "auch", "mit"].map(hash);
        for t in shared {
            assert!((30..n).all(|k| v[k].iter().any(|e| e.0 == t)));
            assert!((0..30).all(|k| v[k].iter().all(|e| e.0 != t)));
        }
        let cos = cosine(&v[30], &v[31]);
        assert!(
            cfg.similarity <= cos && cos < cfg.strong_similarity,
            "{cos}"
        );
        let (de, en) = (
            FunctionWords::of(v[30].iter().map(|e| e.0)),
            FunctionWords::of(v[0].iter().map(|e| e.0)),
        );
        assert!(de.holds(hash("und")) && de.holds(hash("und") | LEAD_BIT));
        assert!(!de.holds(hash("the")) && en.holds(hash("the")));
        assert!(!en.holds(hash("die")), "German, not English");
        assert_eq!(
            FunctionWords::of(v[30].iter().take(3).map(|e| e.0)),
            FunctionWords::default()
        );
    }

    /// A report and its translation share names and figures, not words:
    /// their cosine is under `similarity`, and they join one story only as
    /// a pair in two languages (their most widely held words differ) that
    /// names one event with a rare term more than `min_rare_terms`.
    #[test]
    fn a_translation_joins_its_report_by_names() {
        let english = format!(
            "{KESTREL_REJECTS} Brannock said it was disappointed and that it was \
            considering the options."
        );
        let german = "Kestrel Foods lehnt Angebot von Brannock ab. Der Vorstand von Kestrel \
            Foods hat am Dienstag das Angebot von Brannock Holdings über 4,1 Milliarden \
            einstimmig abgelehnt und es als opportunistisch bezeichnet. Die \
            Vorsitzende Ilse Marwick schrieb den Aktionären in einem Brief, dass die \
            Direktoren den Vorschlag mit ihren Beratern sorgfältig geprüft hätten und \
            dass er nicht im Interesse der Anleger sei. Die Anleger seien mit der \
            Strategie der Eröffnung neuer Filialen und der Senkung der Kosten in den \
            nächsten drei Jahren besser bedient. Brannock teilte mit, das Unternehmen \
            sei enttäuscht und prüfe die Optionen.";
        // Other reports in each language: their own subjects, the
        // language's function words.
        let other_de = |k: usize| {
            (0..6)
                .map(|j| {
                    format!(
                        "Der w{k}x{j} sagte, dass die w{k}y{j} in den w{k}z{j} sei, und \
                        dass der w{k}v{j} mit der w{k}u{j} und den w{k}t{j} sei."
                    )
                })
                .collect::<String>()
        };
        let mut texts = vec![english, german.to_string()];
        texts.extend((0..6).map(english_report));
        texts.extend((0..6).map(other_de));
        let n = texts.len();
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        assert!(cross_language(&v[0], &v[1]));
        assert!(cross_language(&v[1], &v[2]), "two other reports");
        assert!(!cross_language(&v[0], &v[2]), "two English texts");
        assert!(!cross_language(&v[1], &v[8]), "two German texts");
        // A page too short for a profile is judged as any other.
        let short = vector(&term_counts("Kestrel Brannock Marwick"), &idf);
        assert!(!cross_language(&v[0], &short));
        // In fourteen texts, names weigh more than in thousands: the pair's
        // cosine (0.13) is under a `similarity` of 0.2 here.
        let cfg = StoryConfig {
            similarity: 0.2,
            ..StoryConfig::default()
        };
        assert!(
            cosine(&v[0], &v[1]) < cfg.similarity,
            "{}",
            cosine(&v[0], &v[1])
        );
        let run = |cfg: &StoryConfig| group_plain(&v, &vec![None; n], cfg);
        assert_eq!(run(&cfg)[0], run(&cfg)[1]);
        let off = StoryConfig {
            cross_language_similarity: cfg.similarity,
            ..cfg
        };
        assert_ne!(run(&off)[0], run(&off)[1]);
        // One shared name more than `min_rare_terms` is needed: with
        // `min_rare_terms` at the pair's count of names, apart.
        let pairs =
            candidate_pairs(n, |i| Ok(top_terms(Cow::Borrowed(&v[i]), &cfg)), &cfg).unwrap();
        let pair = pairs.iter().find(|c| (c.a, c.b) == (0, 1)).unwrap();
        assert!(pair.rare > 3 && pair.lead >= 2, "{pair:?}");
        let more = StoryConfig {
            min_rare_terms: pair.rare as usize,
            ..cfg
        };
        assert_ne!(run(&more)[0], run(&more)[1]);
        let enough = StoryConfig {
            min_rare_terms: pair.rare as usize - 1,
            ..cfg
        };
        assert_eq!(run(&enough)[0], run(&enough)[1]);
    }

    #[test]
    fn vectors_are_unit_and_cosine_is_symmetric() {
        let v = vectors(&[
            "marta velloso said the bridge",
            "the bridge closed said velloso",
            "grapes froze in corvale",
        ]);
        let norm: f32 = v[0].iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!((cosine(&v[0], &v[1]) - cosine(&v[1], &v[0])).abs() < 1e-12);
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
    }

    #[test]
    fn a_roundup_joins_at_most_one_of_the_reports_it_sums_up() {
        // Cluster 0 is an evening's highlights: a passage of report 1 (a
        // sugar harvest) and one of report 2 (a trade warning), which
        // share nothing. Each pair is an edge by its passage alone (cosine
        // between `quote_similarity` and `strong_similarity`, no rare
        // terms), so star grouping with 0 as the center would put all
        // three in one story.
        let unit = |terms: &[u64]| -> TermVector {
            let w = 1.0 / (terms.len() as f32).sqrt();
            terms.iter().map(|&t| (t, w)).collect()
        };
        let v = [
            unit(&[1, 2, 3, 4, 5, 6, 7, 8]),
            unit(&[1, 2, 3, 4, 20, 21, 22, 23]),
            unit(&[5, 6, 7, 30, 31, 32, 33, 34, 35]),
        ];
        assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]));
        assert!(cosine(&v[0], &v[2]) >= 0.3 && cosine(&v[1], &v[2]) == 0.0);
        // Shingle sets as `[from, to)` runs of shingle keys.
        let set = |runs: &[(u32, u32)]| -> Evidence {
            Evidence::new(runs.iter().flat_map(|&(a, b)| a..b).collect(), Vec::new())
        };
        let pair = |a, b| Candidate {
            a,
            b,
            shared: 3,
            rare: 0,
            lead: 0,
            names: 0,
            uncommon: 0,
        };
        let stories = |evidence: &[Evidence]| {
            group_pairs(
                &Dates::one_each(&[None; 3]),
                |i| Ok(Cow::Borrowed(&v[i])),
                |i| Ok(Cow::Borrowed(&evidence[i])),
                &[pair(0, 1), pair(0, 2)],
                |_: &Candidate, _: &TermVector, _: &TermVector| Ok(false),
                ShingleSpec::default(),
                &StoryConfig::default(),
            )
            .unwrap()
        };
        let highlights = set(&[(0, 60)]);
        let (sugar, trade) = (set(&[(0, 30), (200, 260)]), set(&[(30, 60), (300, 360)]));
        // The roundup keeps its nearer report; the other is its own story.
        assert_eq!(
            stories(&[highlights.clone(), sugar, trade.clone()]),
            vec![0, 0, 2]
        );
        // Two reports that share a passage themselves (an article and
        // another that quotes it) are no sign of a roundup: the text that
        // holds passages of both is one story with both.
        let quoting = set(&[(0, 30), (200, 260), (300, 320)]);
        assert_eq!(stories(&[highlights, quoting, trade]), vec![0, 0, 0]);
    }

    #[test]
    fn a_combination_is_unique_when_no_other_cluster_holds_its_share() {
        let cfg = StoryConfig::default();
        // Terms 1..=6 held by clusters 0 and 1 and by others; 1 and 2 are
        // in both leads.
        let lists: Vec<Vec<u32>> = vec![
            vec![0, 1, 2, 3],
            vec![0, 1, 2, 4],
            vec![0, 1, 3, 5],
            vec![0, 1, 4, 5],
            vec![0, 1, 6, 7],
            vec![0, 1, 6, 8],
        ];
        let shared = |lists: &[Vec<u32>], leads: &[u64]| -> Vec<(u64, Option<Vec<u32>>)> {
            let mut v: Vec<(u64, Option<Vec<u32>>)> = lists
                .iter()
                .enumerate()
                .map(|(k, l)| (k as u64 + 1, Some(l.clone())))
                .collect();
            v.extend(leads.iter().map(|&t| (t | LEAD_BIT, None)));
            v.sort_unstable_by_key(|e| e.0);
            v
        };
        let unique = |v: &[(u64, Option<Vec<u32>>)], cfg: &StoryConfig| {
            let v: Vec<(u64, Option<&[u32]>)> = v.iter().map(|(t, l)| (*t, l.as_deref())).collect();
            unique_combination(&v, 0, 1, cfg)
        };
        // Six terms: another cluster must hold three; each holds two.
        assert_eq!(cfg.combination_held(6), 3);
        assert!(unique(&shared(&lists, &[1, 2]), &cfg));
        // One lead term in both leads is too few.
        assert!(!unique(&shared(&lists, &[1]), &cfg));
        // Cluster 2 holding a third term holds the combination.
        let mut held = lists.clone();
        held[4].push(2);
        assert!(!unique(&shared(&held, &[1, 2]), &cfg));
        // Fewer than COMBINATION_TERMS used terms: no combination; a term
        // whose list is not used (or a name mark) does not count.
        let mut few = shared(&lists[..3], &[1, 2]);
        assert!(!unique(&few, &cfg));
        few.push((40 | NAME_MARK, Some(vec![0, 1])));
        few.push((41, None));
        assert!(!unique(&few, &cfg));
        // Off.
        let off = StoryConfig {
            combination_share: 0.0,
            ..cfg
        };
        assert!(!unique(&shared(&lists, &[1, 2]), &off));
        // The share: twelve terms ask for five of them.
        assert_eq!(cfg.combination_held(12), 5);
    }

    #[test]
    fn star_grouping_does_not_chain() {
        // A chain a~b~c~d~e (no other pair at 0.2): b is the first center
        // (most edges, lower index) and takes a and c; d is then a center
        // that takes e. Nothing joins through two of its own neighbours.
        let v = vectors(&[
            "alpha beta gamma delta epsilon zeta eta",
            "alpha beta gamma delta theta iota kappa lambda",
            "theta iota kappa lambda mu nu xi",
            "mu nu xi omicron pi rho sigma",
            "omicron pi rho sigma tau upsilon phi",
            "unrelated words here entirely different",
        ]);
        let cfg = StoryConfig {
            similarity: 0.2,
            strong_similarity: 0.2,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        for (i, j) in [(0, 2), (1, 3), (2, 4), (0, 5)] {
            assert!(cosine(&v[i], &v[j]) < 0.2, "{i} and {j} are no edge");
        }
        for i in 0..4 {
            assert!(cosine(&v[i], &v[i + 1]) >= 0.2, "{i} and {} are", i + 1);
        }
        assert_eq!(group_plain(&v, &[None; 6], &cfg), vec![1, 1, 1, 3, 3, 5]);
    }

    #[test]
    fn a_report_alone_joins_by_its_edges_across_scripts() {
        let across = |a: u32, b: u32, names: u32| StoryEdge {
            a,
            b,
            cos: 0.0,
            follow: None,
            passage: false,
            across: Some(names),
        };
        // Stories {0, 1} and {6, 7}; 2, 3, 4, 5 and 8 alone.
        let center = vec![0, 0, 2, 3, 4, 5, 6, 6, 8];
        let edges = [
            // 2 has two neighbours in stories: the one with more names.
            across(1, 2, 2),
            across(2, 7, 3),
            // 3 and 4 are each other's best: the lower one's story.
            across(3, 4, 2),
            // 5's best is 2, alone, which goes to 7's story: 5 follows.
            across(2, 5, 2),
            // 8 joins the story of the member it shares more names with;
            // members never move.
            across(0, 8, 1),
            across(6, 8, 2),
        ];
        assert_eq!(
            attach_across_scripts(center.clone(), &edges),
            vec![0, 0, 6, 3, 3, 6, 6, 6, 6]
        );
        assert_eq!(attach_across_scripts(center.clone(), &[]), center);
    }

    #[test]
    fn a_text_in_an_unspaced_script_is_marked_and_keeps_its_profile() {
        let zh = "航运公司 Kestrel Marine 首席执行官表示，港务局周二批准了该公司在北码头建设两个集装箱泊位的计划，这两个泊位将于三月开工，预计两年内完工，新泊位将使港口可停靠的船只数量增加一倍。";
        let mut texts: Vec<String> = (0..4).map(english_report).collect();
        texts.push(zh.to_string());
        texts.push(zh.replace("北码头", "南码头").replace("三月", "五月"));
        let counts: Vec<TermCounts> = texts.iter().map(|t| term_counts(&normalize(t))).collect();
        assert!(counts[4].iter().any(|e| e.0 == UNSPACED));
        assert!(counts[0].iter().all(|e| e.0 != UNSPACED));
        let idf = idf(counts.iter());
        let v: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        assert!(unspaced(&v[4]) && !unspaced(&v[0]));
        assert!(cross_script(&v[0], &v[4]) && !cross_script(&v[4], &v[5]));
        assert!(!cross_script(&v[0], &v[1]));
        // The mark is no profile term and no indexed term.
        assert!(profile_marks(&v[4]).iter().all(|e| e.0 != UNSPACED_MARK));
        assert_eq!(
            cosine(&v[4], &v[5]),
            cosine(
                &v[4][..v[4].len() - 1].to_vec(),
                &v[5][..v[5].len() - 1].to_vec()
            )
        );
        let top = top_terms(Cow::Borrowed(&v[4]), &StoryConfig::default());
        assert_eq!(top.last(), Some(&UNSPACED_MARK));
        assert!(!posting_used(UNSPACED_MARK, 2, &StoryConfig::default()));
        assert!(top_terms(Cow::Borrowed(&v[0]), &StoryConfig::default())
            .iter()
            .all(|&t| t != UNSPACED_MARK));
    }

    #[test]
    fn a_report_left_alone_by_the_stars_follows_its_nearest_match() {
        // x~m1, x~m2, m1~s, m2~t, each pair sharing 3 or 4 rare words in
        // both leads: x (index 0) and m1 tie on edges, x is the center and
        // takes m1 and m2; s and t are then centers whose only neighbour is
        // taken. Each joins its neighbour's story, x's, one verified edge
        // from a member. Without that step the SemEval pair (m1, s) would
        // be split because x came first.
        let v = vectors(&[
            "harbour bridge closed repairs engineers cables council",
            "harbour bridge closed mayor traffic detour ferries",
            "bridge repairs engineers cables inspection steel rust",
            "mayor traffic detour ferries commuters queues buses",
            "cables inspection steel rust welders contract tender",
            "unrelated words here entirely different",
        ]);
        let names = StoryConfig {
            similarity: 0.2,
            ..StoryConfig::default()
        };
        let edge = |i: usize, j: usize| cosine(&v[i], &v[j]) >= 0.2;
        assert!(edge(0, 1) && edge(0, 2) && edge(1, 3) && edge(2, 4));
        assert!(!edge(1, 2) && !edge(0, 3) && !edge(0, 4) && !edge(3, 4));
        assert!(v.iter().flatten().all(|&(_, w)| w < 0.6));
        assert_eq!(group_plain(&v, &[None; 6], &names), vec![0, 0, 0, 0, 0, 5]);
        // The same edges by cosine alone (no rare-term evidence counted):
        // the stars stand as they are.
        let cosine_only = StoryConfig {
            strong_similarity: 0.2,
            min_rare_terms: 99,
            ..names
        };
        assert_eq!(
            group_plain(&v, &[None; 6], &cosine_only),
            vec![0, 0, 0, 3, 4, 5]
        );
        // A lone center with neighbours in two stars follows the nearer.
        // An edge by cosine alone (`None`) is never followed.
        // A center that took members stays, however near another story.
        let neighbours = vec![
            vec![(1, Some(0.9))],
            vec![],
            vec![(0, Some(0.3)), (1, Some(0.5))],
            vec![(0, Some(0.4)), (1, Some(0.4))],
            vec![(0, Some(0.2)), (1, None)],
            vec![(1, None)],
            vec![(0, Some(0.9))],
            vec![(1, Some(0.9))],
        ];
        assert_eq!(
            rescue_lone_centers(vec![0, 1, 2, 3, 4, 5, 0, 1], &neighbours),
            vec![0, 1, 1, 0, 0, 5, 0, 1]
        );
    }

    #[test]
    fn linked_stars_merge_when_their_centroids_agree() {
        // Four stars: A (0, 1) and B (2, 3) tell one saga, D (6, 7) its
        // next step, C (4, 5) another story. Edges 1-3, 3-6 and 3-5 link
        // them, member to member.
        let v: Vec<TermVector> = vec![
            vec![(1, 0.8), (2, 0.6)],
            vec![(1, 0.6), (3, 0.8)],
            vec![(1, 0.6), (2, 0.8)],
            vec![(3, 0.6), (4, 0.8)],
            vec![(7, 0.8), (8, 0.6)],
            vec![(4, 0.3), (7, 0.954)],
            vec![(3, 0.8), (4, 0.6)],
            vec![(2, 0.6), (4, 0.8)],
        ];
        let mut neighbours: Vec<Vec<(u32, Option<f64>)>> = vec![Vec::new(); 8];
        for (a, b) in [(0, 1), (2, 3), (4, 5), (6, 7), (1, 3), (3, 6), (3, 5)] {
            neighbours[a as usize].push((b, None));
            neighbours[b as usize].push((a, None));
        }
        let stars = vec![0, 0, 2, 2, 4, 4, 6, 6];
        let day = 86_400;
        let run = |times: &[Option<i64>], cfg: &StoryConfig| {
            let vector = |i: usize| Ok(Cow::Borrowed(&v[i]));
            let dates = Dates::one_each(times);
            merge_linked_stars(stars.clone(), &neighbours, &vector, &dates, cfg).unwrap()
        };
        let on = StoryConfig {
            merge_similarity: 0.3,
            window_days: 14.0,
            ..StoryConfig::default()
        };
        let same_day = [Some(0); 8];
        // The best pair merges first, then the third piece joins the
        // merged group; the other story's centroid stays apart (cosine
        // 0.09).
        assert_eq!(run(&same_day, &on), vec![0, 0, 0, 0, 4, 4, 0, 0]);
        let of = |i: usize| Centroid::summed(positive_weights(&v[i]).collect());
        let (a, b, c) = (of(0).add(&of(1)), of(2).add(&of(3)), of(4).add(&of(5)));
        let together = |i: usize, j: usize| {
            Centroid::summed(
                positive_weights(&v[i])
                    .chain(positive_weights(&v[j]))
                    .collect(),
            )
        };
        assert_eq!(
            a.sum,
            together(0, 1).sum,
            "adding groups is summing members"
        );
        assert!(a.cosine(&b) > 0.7 && b.cosine(&c) < 0.1);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-12);
        // Off (the story level's default), the stars stand.
        let off = StoryConfig::default();
        assert_eq!(off.merge_similarity, 0.0);
        assert_eq!(run(&same_day, &off), stars);
        // Above the pieces' centroid cosine, nothing merges.
        let high = StoryConfig {
            merge_similarity: 0.99,
            ..on
        };
        assert_eq!(run(&same_day, &high), stars);
        // A piece whose center is past the window stays out.
        let mut late = same_day;
        late[6] = Some(30 * day);
        late[7] = Some(30 * day);
        assert_eq!(run(&late, &on), vec![0, 0, 0, 0, 4, 4, 6, 6]);
        // Stars that no edge links never merge, however alike.
        let apart = vec![Vec::new(); 8];
        let vector = |i: usize| Ok(Cow::Borrowed(&v[i]));
        let dates = Dates::one_each(&same_day);
        let kept = merge_linked_stars(stars.clone(), &apart, &vector, &dates, &on).unwrap();
        assert_eq!(kept, stars);
    }

    #[test]
    fn a_group_absorbs_every_linked_group_alike() {
        // A hub star (0, 1) and 300 one-report stars, each linked to the
        // hub's member 1, the first 200 alike (they share its two terms),
        // the last 100 about something else each; every other one is also
        // linked to the next. Best first, the hub and the 200 alike merge,
        // whatever the order the links were found in; the others stay.
        let n = 302;
        let mut v: Vec<TermVector> = vec![vec![(1, 0.6), (2, 0.8)], vec![(1, 0.8), (2, 0.6)]];
        for k in 0..300u64 {
            v.push(match k < 200 {
                true => vec![(1, 0.7), (2, 0.7), (1000 + k, 0.1)],
                false => vec![(1000 + k, 1.0)],
            });
        }
        let mut neighbours: Vec<Vec<(u32, Option<f64>)>> = vec![Vec::new(); n];
        let mut link = |a: u32, b: u32| {
            neighbours[a as usize].push((b, None));
            neighbours[b as usize].push((a, None));
        };
        link(0, 1);
        for k in 2..n as u32 {
            link(1, k);
            if k % 2 == 0 && k + 1 < n as u32 {
                link(k, k + 1);
            }
        }
        let mut stars: Vec<u32> = (0..n as u32).collect();
        stars[1] = 0;
        let cfg = StoryConfig {
            merge_similarity: 0.3,
            window_days: 14.0,
            ..StoryConfig::default()
        };
        let vector = |i: usize| Ok(Cow::Borrowed(&v[i]));
        let dates = Dates::one_each(&vec![Some(0); n]);
        let merged = merge_linked_stars(stars, &neighbours, &vector, &dates, &cfg).unwrap();
        assert!(merged[..202].iter().all(|&c| c == 0), "{:?}", &merged[..10]);
        assert!((202..n).all(|i| merged[i] == i as u32));
    }

    #[test]
    fn window_keeps_distant_dates_apart() {
        let v = vectors(&[
            "rail strike union vote holm",
            "rail strike union vote holm",
            "other text entirely",
        ]);
        let day = 86_400;
        let cfg = StoryConfig {
            strong_similarity: 0.0,
            min_shared_terms: 2,
            ..StoryConfig::default()
        };
        assert_eq!(
            group_plain(&v, &[Some(0), Some(30 * day), None], &cfg),
            vec![0, 1, 2]
        );
        // The default window: two days apart is one story, four is not.
        assert_eq!(
            group_plain(&v, &[Some(0), Some(2 * day), None], &cfg),
            vec![0, 0, 2]
        );
        assert_eq!(
            group_plain(&v, &[Some(0), Some(4 * day), None], &cfg),
            vec![0, 1, 2]
        );
    }
}
