//! Clustering: verified edges are joined with union-find into clusters of
//! near-duplicates, and each cluster gets a representative, which is also its
//! *origin*: the earliest `published` member, then the longest text, then the
//! smallest id. The cluster id is the representative's id, so ids do not depend
//! on input order or thread count.

use crate::verify::Edge;

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
