//! The story rules: a candidate pair's evidence, the rule that makes it
//! an edge or the reason it is none, and the [`StoryConfig`] methods that
//! apply each rule.

use super::*;

/// A story candidate: clusters `a < b` (indices) share `shared` indexed
/// terms (at least `min_shared_terms`), `rare` of them rare, `lead` of the
/// rare ones in both leads; or `names` names, at least `min_shared_names`
/// (such a pair is judged only if it is in two languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    pub(super) fn candidate_names(&self) -> (usize, usize) {
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
