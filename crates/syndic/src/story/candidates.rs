//! Candidate pairs: each cluster's top terms in an inverted index
//! ([`TermIndex`]), rare and bursty terms, and the pairs that share
//! enough of them.

use super::*;

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
pub(super) type PairedList<'a> = (u64, &'a [u32], Option<&'a [u32]>);

/// The candidates among `n` clusters: the pairs `(a, b)`, `a < b`, whose
/// counts over the `(term, posting list)` `lists` (each sorted ascending;
/// [`posting_counts`]) make a candidate ([`is_candidate`]), with those
/// counts; sorted. Counted per document `a` in a dense
/// array, in parallel: no list of all co-occurrences is built or sorted.
pub(super) fn shared_term_pairs(
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
