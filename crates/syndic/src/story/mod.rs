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
//! find far more rewrites with fewer false merges: see
//! docs/results/story-level.md.)
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
//!
//! The stage's parts, one file each (every item is re-exported here):
//! - `vectors.rs`: what the rules read of a document: term counts with
//!   lead marks ([`term_counts`]), TF-IDF vectors over the corpus and the
//!   background of general news ([`vector_and_names`], [`BackgroundNews`]),
//!   and what a vector tells of its language, script and tables;
//! - `candidates.rs`: each cluster's [`top_terms`] in an inverted index
//!   ([`TermIndex`]), rare and bursty terms, and the [`Candidate`] pairs;
//! - `rules.rs`: the evidence that makes a candidate an edge
//!   ([`EdgeRule`]) or the reason it is none ([`Refusal`]);
//! - `grouping.rs`: publication dates ([`Dates`]), each candidate judged
//!   ([`judge`]), the stars, and linked stars merged ([`group_pairs`]);
//! - `tests.rs`: the stage's unit tests.

mod candidates;
mod grouping;
mod rules;
mod vectors;

pub use candidates::*;
pub use grouping::*;
pub use rules::*;
pub use vectors::*;

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
    /// announcements of a day (see docs/results/story-level.md).
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
    /// less (see [`unique_combination`] and docs/results/story-level.md).
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
    /// 100-report sets and SemEval-2022 train (see docs/results/threads.md,
    /// "A background of general news").
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
    /// precision there 0.392 -> 0.587 (see docs/results/threads.md, "At
    /// the story level too").
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

#[cfg(test)]
mod tests;
