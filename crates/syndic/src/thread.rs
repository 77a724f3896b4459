//! Thread grouping: one level above stories, the follow-ups of one
//! developing story over days or weeks (an earthquake's damage, the loans
//! and repairs that follow it; a deal's talks, approval and signing) join
//! one *thread*. A story is one event as other outlets report it; a thread
//! is the chain of events that News Story Chains labels, and a user picks
//! the grain (cluster, story, thread) in the output instead of tuning the
//! story rules.
//!
//! Input: the stories, each as its representative's TF-IDF vector
//! ([`crate::story::vector`], under the story stage's document
//! frequencies over clusters), its publication time and its evidence.
//! Output: each story's thread center; the pipeline names the best-ranked
//! story representative of each thread.
//!
//! Method: the story stage's own kernels ([`crate::story::group`]:
//! candidates from shared top terms, edges by the rules of
//! [`StoryConfig`], star grouping) run over the stories with the rules
//! widened as [`ThreadConfig`] says: a longer window, and terms counted
//! as rare up to more postings (a thread's names recur in each of its
//! stories), and star groups that an edge links merge when their
//! centroids agree (`merge_similarity`: a long developing story is more
//! than one star). Every story is in exactly one thread, so the levels nest:
//! cluster within story within thread.

use crate::error::Result;
use crate::shingle::ShingleSpec;
use crate::story::{self, StoryConfig, TermVector};
use crate::verify::Evidence;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Thread settings: how the story rules are widened one level up. The
/// other story settings (top terms, postings, passages, figures, two
/// languages) are the story level's, but for the long-passage rule's
/// window, which is the thread's (`window_days`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThreadConfig {
    /// Group stories into threads at all (otherwise each story is its own
    /// thread).
    pub enabled: bool,
    /// Two dated stories more than this many days apart are in different
    /// threads (measured from each thread's center story).
    pub window_days: f64,
    /// Minimum TF-IDF cosine between a story and its thread's center.
    /// Above the story level's (0.12): terms count as rare up to
    /// `rare_posting` stories here, so "the names of one event" admits
    /// more, and in a corpus of a hundred reports the pairs it joins at
    /// low cosines are other events of one region or sector (Argentina's
    /// output with a South China Sea find, a company's reserves with
    /// Mexico's, a seafarers' strike with Petrobras's cancelled purchase).
    /// 0.17 with the story level's background of general news
    /// (`background_documents`), which raises names' weights: chosen on
    /// three 100-report sets (see docs/results/threads.md).
    pub similarity: f64,
    /// A term is rare when at most this many stories index it.
    pub rare_posting: usize,
    /// Below the story level's `strong_similarity`, shared rare terms ...
    pub min_rare_terms: usize,
    /// ... and shared rare terms in both leads.
    pub min_lead_terms: usize,
    /// ... or this many shared rare terms, one of them in both leads
    /// ([`StoryConfig::many_rare_terms`]; 0: off). A saga's follow-ups
    /// open with their own event (the court's ruling, the auction, a
    /// suit) and name the saga below: in 103 BBC business articles of
    /// 2004-05 the Yukos affair's reports shared 7-12 rare terms at
    /// cosines of 0.25-0.35 but one in both leads, and were nine threads.
    /// 6, twice `min_rare_terms`: thread F1 there 0.298 -> 0.557; on our
    /// trade set run alone 0.706 -> 0.743, inside all of Reuters-21578 the
    /// first energy set 0.531 -> 0.651 and the second 0.753 -> 0.792 at
    /// precision 1.0, the second set run alone 0.810 -> 0.800 (see the
    /// README).
    pub many_rare_terms: usize,
    /// Threads (star groups) that a verified edge between two of their
    /// stories links merge when the cosine of their centroids (the sums
    /// of their stories' vectors) reaches this, their centers within
    /// `window_days` ([`StoryConfig::merge_similarity`]; 0: off). A
    /// developing story told in more reports than one star reaches (each
    /// story one edge from the thread's center) otherwise breaks into
    /// pieces: a trade dispute's 25 reports over 16 days were six threads.
    /// 0.3, the highest that keeps the gain on our third 100-report set,
    /// where the lowest merge it needs scores 0.32; nothing changes on
    /// the energy sets from 0.1 to 0.6 (see docs/results/threads.md).
    pub merge_similarity: f64,
    /// Terms held by more than `rare_posting` stories and at most this
    /// many count as rare for two stories in the term's burst
    /// ([`StoryConfig::bursty_posting`]; 0: off). Inside all of
    /// Reuters-21578 a developing story's names (`ecuador`, `pennzoil`)
    /// are held by 11-50 stories, so its reports shared too few rare
    /// terms: thread recall on our sets rose from 0.20 and 0.29 to 0.42
    /// and 0.60 at precision 1.0 (see docs/results/threads.md).
    pub bursty_posting: usize,
    /// "The names of one event" make a thread edge only when this many of
    /// the shared rare terms are uncommon ([`StoryConfig::min_uncommon_terms`]:
    /// a name or figure, no word common in general news; 0: off). Two
    /// countries' monthly trade figures share rare terms in a 100-report
    /// corpus (`figures`, `preliminary`, `february`) but no name; thread
    /// precision on the trade set rose 0.696 -> 0.719 at the same recall
    /// (see docs/results/threads.md).
    pub min_uncommon_terms: usize,
}

impl Default for ThreadConfig {
    fn default() -> Self {
        ThreadConfig {
            enabled: true,
            window_days: 14.0,
            similarity: 0.17,
            rare_posting: 10,
            min_rare_terms: 3,
            min_lead_terms: 2,
            many_rare_terms: 6,
            merge_similarity: 0.3,
            bursty_posting: 50,
            min_uncommon_terms: 1,
        }
    }
}

impl ThreadConfig {
    /// The story rules widened for threads: `story`'s, with this window
    /// (also the long-passage rule's), cosine, rarity and merging.
    pub fn rules(&self, story: &StoryConfig) -> StoryConfig {
        StoryConfig {
            enabled: self.enabled && story.enabled,
            window_days: self.window_days,
            similarity: self.similarity,
            rare_posting: self.rare_posting,
            min_rare_terms: self.min_rare_terms,
            min_lead_terms: self.min_lead_terms,
            many_rare_terms: self.many_rare_terms,
            merge_similarity: self.merge_similarity,
            bursty_posting: self.bursty_posting,
            min_uncommon_terms: self.min_uncommon_terms,
            passage_window_days: Some(self.window_days),
            // A developing story's reports days apart repeat its
            // background with new figures (see `series_days`).
            series_days: 0.0,
            ..*story
        }
    }
}

/// Groups stories into threads. Story `i` (of `dates.len()`) has
/// publication times `dates.of(i)`, TF-IDF vector `vector(i)` and evidence
/// `evidence(i)`. Returns, for each story, the index of its thread's
/// center. Deterministic: ties go to the lower index.
pub fn group<'v, 'e, V, E>(
    dates: &story::Dates,
    vector: V,
    evidence: E,
    spec: ShingleSpec,
    story: &StoryConfig,
    thread: &ThreadConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    story::group(dates, vector, evidence, spec, &thread.rules(story))
}

/// [`group`] over the stories' [`story::TermIndex`] (their top terms are
/// the same at both levels: see [`story::group_indexed`]).
pub fn group_indexed<'v, 'e, V, E>(
    dates: &story::Dates,
    vector: V,
    evidence: E,
    index: &story::TermIndex,
    spec: ShingleSpec,
    story: &StoryConfig,
    thread: &ThreadConfig,
) -> Result<Vec<u32>>
where
    V: Fn(usize) -> Result<Cow<'v, TermVector>> + Sync,
    E: Fn(usize) -> Result<Cow<'e, Evidence>> + Sync,
{
    let rules = thread.rules(story);
    story::group_indexed(dates, vector, evidence, index, spec, &rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story::{idf, term_counts, vector};
    use crate::text::normalize::normalize;

    const DAY: i64 = 86_400;

    /// A developing story (a bridge's cracks, its closure, the repair
    /// contract), told by reports days apart that name its place, council
    /// and engineer but tell other events; an unrelated report; and the
    /// same names a month later.
    const REPORTS: [(&str, i64); 5] = [
        (
            "Engineers find cracks in the Kestrel Viaduct at Marlow. Inspectors \
             from Thornbury Consulting found cracks in two piers of the Kestrel \
             Viaduct on Monday, Marlow council said. Chief engineer Dana Okafor \
             said traffic would be limited to one lane while the piers are studied.",
            0,
        ),
        (
            "Kestrel Viaduct closed to all traffic, Marlow council says. The \
             council shut the Kestrel Viaduct on Saturday after Thornbury \
             Consulting measured the cracks widening overnight. Dana Okafor said \
             buses would be diverted through the old town until further notice.",
            5,
        ),
        (
            "Marlow council awards Kestrel Viaduct repair contract. A contract to \
             rebuild two piers of the Kestrel Viaduct went to Hallam Civil for 14 \
             million, Marlow council said. Dana Okafor of Thornbury Consulting \
             expects the viaduct to reopen in the spring.",
            11,
        ),
        (
            "Frost damages the vineyards of the Arden valley. Growers in the Arden \
             valley lost much of their early buds to a hard frost overnight, the \
             growers' association said, and asked the ministry for emergency aid.",
            6,
        ),
        (
            "Kestrel Viaduct reopens at Marlow after repairs. The Kestrel Viaduct \
             reopened on Friday, Marlow council said, after Hallam Civil rebuilt \
             two piers. Dana Okafor of Thornbury Consulting said the cracks were \
             caused by water in the foundations.",
            40,
        ),
    ];

    fn run(thread: &ThreadConfig, story: &StoryConfig) -> (Vec<u32>, Vec<u32>) {
        // Other reports of the corpus, months later, so that the names of
        // the reports above are rare and common words are not.
        let others = story::sample_stories();
        let later = vec![Some(300 * DAY); others.len()];
        let texts = REPORTS.iter().map(|&(t, _)| normalize(t)).chain(others);
        let counts: Vec<_> = texts.map(|t| term_counts(&t)).collect();
        let idf = idf(counts.iter());
        let vectors: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        let published: Vec<Option<i64>> = REPORTS
            .iter()
            .map(|&(_, d)| Some(d * DAY))
            .chain(later)
            .collect();
        let published = story::Dates::one_each(&published);
        let none = Evidence::default();
        let spec = ShingleSpec::default();
        let stories = story::group(
            &published,
            |i| Ok(Cow::Borrowed(&vectors[i])),
            |_| Ok(Cow::Borrowed(&none)),
            spec,
            story,
        )
        .unwrap();
        let threads = group(
            &published,
            |i| Ok(Cow::Borrowed(&vectors[i])),
            |_| Ok(Cow::Borrowed(&none)),
            spec,
            story,
            thread,
        )
        .unwrap();
        (stories, threads)
    }

    #[test]
    fn follow_ups_days_apart_are_one_thread_but_not_one_story() {
        let (stories, threads) = run(&ThreadConfig::default(), &StoryConfig::default());
        // Days apart and telling other events: three stories.
        assert_ne!(stories[0], stories[1]);
        assert_ne!(stories[1], stories[2]);
        // One thread, which neither the unrelated report nor the same
        // names a month later join.
        assert_eq!(threads[0], threads[1]);
        assert_eq!(threads[1], threads[2]);
        assert_ne!(threads[3], threads[0]);
        assert_ne!(threads[4], threads[0]);
    }

    /// Two steps of one sale five days apart (the deal, then a strike
    /// over it), each with a lead of its own, repeat the seller's
    /// background paragraph. Days apart, they are two stories; the long
    /// passage makes them one thread.
    #[test]
    fn a_background_paragraph_days_apart_joins_a_thread() {
        const BACKGROUND: &str = " Harwick Mills, founded in 1887 by the Brannock \
            family, has closed four of its eleven plants since the market for \
            newsprint collapsed, and its chief executive Ilse Marwick has promised \
            investors a leaner group built around packaging and labels.";
        let deal = "Harwick Mills agrees to sell paper division. Harwick Mills said on \
            Monday that it had agreed to sell its paper division to Olsen Pulp for an \
            undisclosed sum, ending a review that began last autumn. The division \
            employs about nine hundred people at three plants and made a loss last \
            year. Analysts said the price was likely below book value, and the shares \
            rose in early trading as investors welcomed the exit. The company said \
            the proceeds would go to paying down debt and to its growing packaging \
            arm, which it sees as the core of the group.";
        let strike = "Tarrow workers vote to strike over job guarantees. Unions at the \
            Tarrow plant voted on Saturday to strike over job guarantees, putting at \
            risk a deal announced earlier in the week. Their leaders said members \
            wanted written promises on pensions and shifts before any transfer of \
            ownership, and talks with management broke down late on Friday night. A \
            spokeswoman said the company remained committed to the sale and hoped \
            that talks would resume next week with a mediator from the county.";
        let others = story::sample_stories();
        let texts: Vec<String> = [deal, strike]
            .iter()
            .map(|t| normalize(&format!("{t}{BACKGROUND}")))
            .chain(others)
            .collect();
        let spec = ShingleSpec::default();
        let evidence: Vec<Evidence> = texts
            .iter()
            .map(|t| crate::pipeline::make_evidence(t, spec))
            .collect();
        let counts: Vec<_> = texts.iter().map(|t| term_counts(t)).collect();
        let idf = idf(counts.iter());
        let vectors: Vec<TermVector> = counts.iter().map(|c| vector(c, &idf)).collect();
        // Short texts: passages decide from a lower cosine, and the share
        // of the text that joins on any dates is raised above theirs, so
        // that only the long passage can join them.
        let story = StoryConfig {
            quote_similarity: 0.25,
            min_shared_share: 0.5,
            ..StoryConfig::default()
        };
        let cos = story::cosine(&vectors[0], &vectors[1]);
        assert!(
            story.quote_similarity <= cos && cos < story.strong_similarity,
            "{cos}"
        );
        let shared = crate::verify::intersection(&evidence[0].shingles, &evidence[1].shingles);
        let smaller = evidence[0].shingles.len().min(evidence[1].shingles.len());
        assert!(
            shared >= story.quote_shingles(spec),
            "a long passage: {shared}"
        );
        assert!(
            (shared as f64) < story.min_shared_share * smaller as f64,
            "under the share: {shared} of {smaller}"
        );
        let mut published = vec![Some(0), Some(5 * DAY)];
        published.resize(texts.len(), Some(300 * DAY));
        let published = story::Dates::one_each(&published);
        let levels = |thread: &ThreadConfig| {
            let vector = |i: usize| Ok(Cow::Borrowed(&vectors[i]));
            let evidence = |i: usize| Ok(Cow::Borrowed(&evidence[i]));
            let stories = story::group(&published, vector, evidence, spec, &story).unwrap();
            let threads = group(&published, vector, evidence, spec, &story, thread).unwrap();
            (stories[0] == stories[1], threads[0] == threads[1])
        };
        assert_eq!(levels(&ThreadConfig::default()), (false, true));
        let short = ThreadConfig {
            window_days: 4.0,
            ..ThreadConfig::default()
        };
        assert_eq!(levels(&short), (false, false), "past the thread's window");
    }

    #[test]
    fn the_window_and_the_switches_bound_threads() {
        // The window counts from the thread's center (the 5th day's report,
        // with the most edges): 4 days keeps every follow-up apart.
        let days = ThreadConfig {
            window_days: 4.0,
            ..ThreadConfig::default()
        };
        let (_, threads) = run(&days, &StoryConfig::default());
        assert_ne!(threads[0], threads[1], "5 days is past a 4-day window");
        assert_ne!(threads[1], threads[2], "6 days is past a 4-day window");
        let month = ThreadConfig {
            window_days: 60.0,
            ..ThreadConfig::default()
        };
        let (_, threads) = run(&month, &StoryConfig::default());
        assert_eq!(threads[4], threads[2], "the reopening within 60 days");
        let off = ThreadConfig {
            enabled: false,
            ..ThreadConfig::default()
        };
        let (_, threads) = run(&off, &StoryConfig::default());
        assert_eq!(threads, (0..threads.len() as u32).collect::<Vec<_>>());
        let no_stories = StoryConfig {
            enabled: false,
            ..StoryConfig::default()
        };
        assert!(!ThreadConfig::default().rules(&no_stories).enabled);
    }

    #[test]
    fn rules_widen_only_the_thread_settings() {
        let story = StoryConfig::default();
        let thread = ThreadConfig::default();
        let rules = thread.rules(&story);
        assert_eq!(rules.window_days, thread.window_days);
        assert_eq!(rules.rare_posting, thread.rare_posting);
        assert_eq!(rules.top_terms, story.top_terms);
        assert_eq!(rules.max_posting, story.max_posting);
        assert_eq!(rules.strong_similarity, story.strong_similarity);
        assert_eq!(story.merge_similarity, 0.0, "off for stories");
        assert_eq!(rules.merge_similarity, thread.merge_similarity);
    }
}
