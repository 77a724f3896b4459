//! [`Summary`]: what happened in a run, for the stderr report and `--stats`.

use super::fold::Groups;
use super::sign::Signed;
use serde::Serialize;

/// What happened in a run, for the stderr summary and `--stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Bytes of their texts.
    pub bytes: u64,
    /// Near-duplicate clusters.
    pub clusters: usize,
    /// Stories (groups of clusters).
    pub stories: usize,
    /// Story threads (groups of stories: the `thread` level).
    pub story_threads: usize,
    /// Documents that are not their cluster's representative.
    pub duplicates: usize,
    /// Documents whose body is identical to an earlier one's.
    pub exact_duplicates: usize,
    /// Documents whose `published` value was not understood (they count as
    /// undated).
    pub unparsed_dates: usize,
    /// Documents too short to shingle (matched exactly only).
    pub short_documents: usize,
    /// Candidate pairs from LSH.
    pub candidates: usize,
    /// Verified edges (pairs already joined are not checked).
    pub edges: usize,
    /// LSH bands and rows per band.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
    /// P(candidate) at Jaccard 0.5, 0.7, 0.8, 0.9.
    pub p_candidate: Vec<(f64, f64)>,
    /// Boilerplate lines learned.
    pub boilerplate_lines: usize,
    /// Per boilerplate group: (group, documents, bytes folded, bytes removed), largest first.
    pub boilerplate_removed: Vec<BoilerplateGroup>,
    /// Worker threads the run had.
    pub threads: usize,
    /// Wall time per stage in seconds, in pipeline order.
    pub stage_seconds: Vec<(String, f64)>,
    /// Peak resident memory of the process so far (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
    /// Whether any store spilled to disk (under `--memory`).
    pub spilled: bool,
}

/// Boilerplate removed in one group (source, host, or the whole corpus).
#[derive(Debug, Clone, Serialize)]
pub struct BoilerplateGroup {
    /// The group's name (source, URL host, or "" for the corpus).
    pub group: String,
    /// Its documents.
    pub documents: usize,
    /// Bytes of their folded texts.
    pub folded_bytes: u64,
    /// Bytes removed as boilerplate.
    pub removed_bytes: u64,
}

impl Summary {
    /// A human-readable report for stderr.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "syndic: {} documents ({:.1} MB), {} clusters in {} stories in {} threads, {} duplicates ({} exact), {} too short to shingle",
            self.documents,
            self.bytes as f64 / 1e6,
            self.clusters,
            self.stories,
            self.story_threads,
            self.duplicates,
            self.exact_duplicates,
            self.short_documents
        );
        let p: Vec<String> = self
            .p_candidate
            .iter()
            .map(|(s, p)| format!("P({s})={p:.3}"))
            .collect();
        let _ = writeln!(
            s,
            "lsh: {} bands x {} rows, {}; {} candidate pairs, {} verified edges",
            self.bands,
            self.rows,
            p.join(" "),
            self.candidates,
            self.edges
        );
        if self.boilerplate_lines > 0 {
            let top: Vec<String> = self
                .boilerplate_removed
                .iter()
                .take(5)
                .map(|g| {
                    let name = if g.group.is_empty() {
                        "(corpus)"
                    } else {
                        &g.group
                    };
                    format!(
                        "{name} {:.0}%",
                        100.0 * g.removed_bytes as f64 / g.folded_bytes.max(1) as f64
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "boilerplate: {} lines learned; removed per source: {}{}",
                self.boilerplate_lines,
                top.join(", "),
                if self.boilerplate_removed.len() > 5 {
                    ", ..."
                } else {
                    ""
                }
            );
        }
        if self.unparsed_dates > 0 {
            let _ = writeln!(
                s,
                "dates: {} published values not understood (treated as undated)",
                self.unparsed_dates
            );
        }
        let stages: Vec<String> = self
            .stage_seconds
            .iter()
            .map(|(k, v)| format!("{k} {:.3}s", v))
            .collect();
        let _ = writeln!(s, "time: {} ({} threads)", stages.join(", "), self.threads);
        if let Some(rss) = self.peak_rss_bytes {
            let _ = writeln!(
                s,
                "memory: peak {:.0} MB{}",
                rss as f64 / 1e6,
                if self.spilled {
                    ", spilled to disk"
                } else {
                    ""
                }
            );
        }
        s
    }
}

/// Boilerplate removed per group, groups that lost nothing left out,
/// largest first.
pub(crate) fn boilerplate_groups(groups: &Groups, signed: &[Signed]) -> Vec<BoilerplateGroup> {
    let mut per_group: Vec<BoilerplateGroup> = groups
        .names
        .iter()
        .map(|g| BoilerplateGroup {
            group: g.clone(),
            documents: 0,
            folded_bytes: 0,
            removed_bytes: 0,
        })
        .collect();
    for (s, &g) in signed.iter().zip(&groups.of_doc) {
        let entry = &mut per_group[g as usize];
        entry.documents += 1;
        entry.folded_bytes += s.folded as u64;
        entry.removed_bytes += s.folded.saturating_sub(s.body) as u64;
    }
    per_group.retain(|g| g.removed_bytes > 0);
    per_group.sort_by(|a, b| {
        b.removed_bytes
            .cmp(&a.removed_bytes)
            .then_with(|| a.group.cmp(&b.group))
    });
    per_group
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_is_summed_per_group_largest_first() {
        let groups = Groups {
            of_doc: vec![0, 1, 0, 2],
            names: vec!["Alpha".into(), "Beta".into(), "Gamma".into()],
        };
        let signed = |folded, body| Signed {
            body_hash: 0,
            first: 0,
            short: false,
            folded,
            body,
        };
        let s = [
            signed(100, 60),
            signed(100, 10),
            signed(50, 50),
            signed(80, 80),
        ];
        let g = boilerplate_groups(&groups, &s);
        let rows: Vec<(&str, usize, u64, u64)> = g
            .iter()
            .map(|g| {
                (
                    g.group.as_str(),
                    g.documents,
                    g.folded_bytes,
                    g.removed_bytes,
                )
            })
            .collect();
        assert_eq!(rows, vec![("Beta", 1, 100, 90), ("Alpha", 2, 150, 40)]);
    }
}
