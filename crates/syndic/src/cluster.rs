//! Clustering: verified edges are joined with union-find into clusters of
//! near-duplicates, and each cluster gets a representative, which is also its
//! *origin*: the earliest `published` member, then the longest text, then the
//! smallest id. The cluster id is the representative's id, so ids do not depend
//! on input order or thread count.
//!
//! Part matches ([`Part`]: an excerpt, a short truncation, a page quoting
//! a short report, at most half the size of the text it lies in) do not join
//! like edges: each cluster of parts joins at most one other cluster, its
//! best match ([`attach`]), so a part that lies in two texts (a templated
//! first sentence, a table's header) cannot bridge them.

use crate::error::Result;
use crate::verify::{Edge, Part};
use ahash::{AHashMap, AHashSet};
use std::cmp::Reverse;

/// Disjoint sets over `0..n` with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The root of `x`'s set (halving the path on the way).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns whether they were apart.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }

    /// The root of every element.
    pub fn roots(&mut self) -> Vec<u32> {
        (0..self.parent.len() as u32)
            .map(|x| self.find(x))
            .collect()
    }
}

/// What decides which member represents a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rank<'a> {
    /// Publication time in seconds since the epoch; `None` ranks after any time.
    pub published: Option<i64>,
    /// Text length in bytes; longer wins.
    pub length: usize,
    /// The document's id (last tie-break).
    pub id: &'a str,
}

impl Rank<'_> {
    fn key(&self) -> (bool, i64, std::cmp::Reverse<usize>, &str) {
        (
            self.published.is_none(),
            self.published.unwrap_or(0),
            std::cmp::Reverse(self.length),
            self.id,
        )
    }
}

/// For every element, the representative of its group (`groups[i]` is any
/// label shared by the group's members, e.g. a union-find root).
pub fn representatives(groups: &[u32], rank: &[Rank]) -> Vec<u32> {
    let mut best: Vec<u32> = (0..groups.len() as u32).collect();
    for (i, &g) in groups.iter().enumerate() {
        let current = best[g as usize] as usize;
        if rank[i].key() < rank[current].key() {
            best[g as usize] = i as u32;
        }
    }
    groups.iter().map(|&g| best[g as usize]).collect()
}

/// Stage `cluster`: joins the documents of every verified edge (on top of
/// the unions already in `uf`, e.g. identical bodies) and returns each
/// document's cluster representative, the best-ranked member of its
/// component. The result does not depend on the order of the edges.
pub fn cluster(uf: &mut UnionFind, edges: &[Edge], ranks: &[Rank]) -> Vec<u32> {
    for e in edges {
        uf.union(e.a, e.b);
    }
    representatives(&uf.roots(), ranks)
}

/// The order in which [`attach`] prefers part matches (smallest first):
/// the highest containment, then Jaccard, then the smallest whole, then
/// the smallest part number.
pub fn part_key(p: &Part) -> (Reverse<u32>, Reverse<u32>, u32, u32) {
    // Scores are in [0, 1], where the bits of an f32 order as its value.
    (
        Reverse(p.edge.containment.to_bits()),
        Reverse(p.edge.jaccard.to_bits()),
        p.whole(),
        p.part,
    )
}

/// Stage `cluster`, part matches: after every edge has joined `joined`, a
/// cluster whose largest member (in shingles, `size(doc)`) is the part of a
/// part match with another cluster joins the cluster of its best part
/// match: the highest containment, then Jaccard, then the smallest whole,
/// then the smallest part number. So a cluster of excerpts joins the
/// article they are excerpts of, while an article's cluster never joins
/// another because one of its smaller members (a truncated copy that ends
/// after a templated first sentence) lies in another text too; and a
/// cluster joins one other cluster at most by its parts (others may join
/// it by theirs). Every choice is made before any is joined, so the result
/// does not depend on the order of `edges` or `parts`. `edges` are the
/// edges joined (every member of a cluster of more than one is an end of
/// one, or an identical copy of one). Returns the chosen matches as edges,
/// in pair order.
pub fn attach<S>(
    joined: &mut UnionFind,
    edges: &[Edge],
    parts: &[Part],
    size: S,
) -> Result<Vec<Edge>>
where
    S: Fn(u32) -> Result<usize>,
{
    // (cluster of the part, its size, the match) of every part match
    // between two clusters.
    let outward: Vec<(u32, usize, &Part)> = parts
        .iter()
        .map(|p| (joined.find(p.part), joined.find(p.whole()), p))
        .filter(|(from, to, _)| from != to)
        .map(|(from, _, p)| Ok((from, size(p.part)?, p)))
        .collect::<Result<_>>()?;
    if outward.is_empty() {
        return Ok(Vec::new());
    }
    // The largest member of every cluster with an outward part; each
    // document's size is read once (from spilled evidence it is decoded).
    let mut largest: AHashMap<u32, usize> = AHashMap::new();
    for &(from, s, _) in &outward {
        let m = largest.entry(from).or_insert(0);
        *m = (*m).max(s);
    }
    let mut members: Vec<u32> = edges
        .iter()
        .flat_map(|e| [e.a, e.b])
        .filter(|&d| largest.contains_key(&joined.find(d)))
        .collect();
    members.sort_unstable();
    members.dedup();
    for d in members {
        let s = size(d)?;
        largest
            .entry(joined.find(d))
            .and_modify(|m| *m = (*m).max(s));
    }
    let eligible: AHashSet<u32> = outward
        .iter()
        .filter(|&&(from, s, _)| s == largest[&from])
        .map(|&(from, _, _)| from)
        .collect();
    let mut best: AHashMap<u32, &Part> = AHashMap::new();
    for &(from, _, p) in outward.iter().filter(|o| eligible.contains(&o.0)) {
        match best.get(&from) {
            Some(b) if part_key(b) <= part_key(p) => {}
            _ => {
                best.insert(from, p);
            }
        }
    }
    let mut chosen: Vec<Edge> = best.into_values().map(|p| p.edge).collect();
    chosen.sort_unstable_by_key(|e| (e.a, e.b));
    for e in &chosen {
        joined.union(e.a, e.b);
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_joins_edges_and_picks_the_best_ranked_member() {
        let rank = |published, id| Rank {
            published,
            length: 10,
            id,
        };
        let ranks = vec![
            rank(Some(30), "a"),
            rank(Some(10), "b"),
            rank(None, "c"),
            rank(Some(5), "d"),
        ];
        let edge = |a, b| Edge {
            a,
            b,
            jaccard: 0.9,
            containment: 0.9,
        };
        let mut uf = UnionFind::new(4);
        let reps = cluster(&mut uf, &[edge(0, 1), edge(1, 2)], &ranks);
        assert_eq!(reps, vec![1, 1, 1, 3]);
        let mut uf = UnionFind::new(4);
        let reversed = cluster(&mut uf, &[edge(1, 2), edge(0, 1)], &ranks);
        assert_eq!(reps, reversed);
    }

    fn part(part: u32, whole: u32, containment: f32) -> Part {
        Part {
            edge: Edge {
                a: part.min(whole),
                b: part.max(whole),
                jaccard: containment / 4.0,
                containment,
            },
            part,
        }
    }

    fn attached(n: usize, edges: &[Edge], parts: &[Part], sizes: &[usize]) -> Vec<u32> {
        let mut uf = UnionFind::new(n);
        for e in edges {
            uf.union(e.a, e.b);
        }
        attach(&mut uf, edges, parts, |d| Ok(sizes[d as usize])).unwrap();
        uf.roots()
    }

    #[test]
    fn a_part_lying_in_two_texts_joins_only_its_best_match() {
        // 0 and 1 are reports of one template; 2 is an excerpt whose
        // lead is the template's first sentence, and more of report 1.
        let sizes = [100, 100, 20];
        let parts = [part(2, 0, 0.6), part(2, 1, 0.9)];
        let roots = attached(3, &[], &parts, &sizes);
        assert_eq!(roots[2], roots[1]);
        assert_ne!(roots[0], roots[1], "no bridge");
        let reversed = [parts[1], parts[0]];
        assert_eq!(attached(3, &[], &reversed, &sizes), roots);
    }

    #[test]
    fn an_articles_cluster_does_not_follow_a_small_members_part_match() {
        // 0 is an article, 1 its truncated copy (joined by an edge) whose
        // first sentence also lies in the other template report 2.
        let edge = Edge {
            a: 0,
            b: 1,
            jaccard: 0.4,
            containment: 0.7,
        };
        let roots = attached(3, &[edge], &[part(1, 2, 0.9)], &[100, 40, 100]);
        assert_eq!(roots[0], roots[1]);
        assert_ne!(roots[1], roots[2]);
    }

    #[test]
    fn a_cluster_of_excerpts_joins_one_article() {
        // Excerpts 2 and 3 of article 0 (joined by an edge); 3 also lies
        // in article 1, less.
        let edge = Edge {
            a: 2,
            b: 3,
            jaccard: 0.8,
            containment: 0.9,
        };
        let parts = [part(2, 0, 0.8), part(3, 1, 0.7), part(3, 0, 0.75)];
        let roots = attached(4, &[edge], &parts, &[100, 100, 20, 30]);
        assert_eq!(roots[2], roots[0]);
        assert_eq!(roots[3], roots[0]);
        assert_ne!(roots[1], roots[0]);
    }

    #[test]
    fn union_find_groups() {
        let mut uf = UnionFind::new(5);
        assert!(uf.union(0, 1));
        assert!(uf.union(3, 1));
        assert!(!uf.union(0, 3));
        let r = uf.roots();
        assert_eq!(r[0], r[3]);
        assert_ne!(r[0], r[2]);
        assert_ne!(r[4], r[2]);
    }

    #[test]
    fn representative_is_earliest_then_longest_then_smallest_id() {
        let rank = vec![
            Rank {
                published: None,
                length: 900,
                id: "a",
            },
            Rank {
                published: Some(20),
                length: 10,
                id: "b",
            },
            Rank {
                published: Some(10),
                length: 10,
                id: "d",
            },
            Rank {
                published: Some(10),
                length: 10,
                id: "c",
            },
            Rank {
                published: None,
                length: 5,
                id: "e",
            },
            Rank {
                published: None,
                length: 5,
                id: "f",
            },
        ];
        let groups = vec![0, 0, 0, 0, 4, 4];
        assert_eq!(representatives(&groups, &rank), vec![3, 3, 3, 3, 4, 4]);
    }
}
