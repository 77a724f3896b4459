//! Grouping: publication dates ([`Dates`]), each candidate judged
//! ([`judge`]), star clustering with its rescues and roundups, and the
//! merging of linked stars ([`group_pairs`]).

use super::*;

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
pub(super) fn cut<'a, T>(items: &'a [T], ends: &[u32], k: usize) -> &'a [T] {
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
pub(super) struct Centroid {
    pub(super) sum: Vec<(u64, f64)>,
    norm: f64,
}

impl Centroid {
    /// The centroid of members whose positive weights are `weights`, in
    /// member order: each term's weights are added in that order (a
    /// stable sort), as adding the members one by one would.
    pub(super) fn summed(mut weights: Vec<(u64, f64)>) -> Centroid {
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
    pub(super) fn add(&self, other: &Centroid) -> Centroid {
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

    pub(super) fn cosine(&self, other: &Centroid) -> f64 {
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
pub(super) fn positive_weights(v: &TermVector) -> impl Iterator<Item = (u64, f64)> + '_ {
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
pub(super) fn merge_linked_stars<'v, V>(
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
pub(super) struct StoryEdge {
    pub(super) a: u32,
    pub(super) b: u32,
    pub(super) cos: f64,
    pub(super) follow: Option<f64>,
    pub(super) passage: bool,
    /// An edge across scripts ([`cross_script`]): the names it shares.
    pub(super) across: Option<u32>,
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
pub(super) fn rescue_lone_centers(
    center: Vec<u32>,
    neighbours: &[Vec<(u32, Option<f64>)>],
) -> Vec<u32> {
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
pub(super) fn attach_across_scripts(center: Vec<u32>, across: &[StoryEdge]) -> Vec<u32> {
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
