//! Evaluation: how well a predicted grouping matches gold labels.
//!
//! Metrics (definitions repeated in the README):
//! * pairwise precision / recall / F1 over all unordered pairs of documents
//!   that share a predicted group / a gold group;
//! * adjusted Rand index (Hubert & Arabie 1985);
//! * B-cubed precision / recall / F1 (Bagga & Baldwin 1998), averaged over documents;
//! * exact-set accuracy: the fraction of gold groups reproduced exactly;
//! * recall per copy kind: for every labeled copy, whether it shares a
//!   predicted group with its gold group's origin (the member of kind `origin`
//!   or `rewrite`).
//!
//! All counts come from the contingency table, so the cost is O(n).

use ahash::AHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// Gold label of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldLabel {
    /// The gold cluster (or story) label.
    pub group: String,
    /// How the document was made (for recall by kind), if labelled.
    pub kind: Option<String>,
}

/// The metrics of one comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metrics {
    /// Labelled documents that have a prediction.
    pub documents: usize,
    /// Of predicted same-cluster pairs, the share that are gold pairs: NaN
    /// (shown as "n/a") when no pair is predicted, not a perfect 1.
    pub pair_precision: f64,
    /// Of gold same-cluster pairs, the share predicted.
    pub pair_recall: f64,
    /// Harmonic mean of pair precision and recall.
    pub pair_f1: f64,
    /// Adjusted Rand index of the two partitions.
    pub adjusted_rand_index: f64,
    /// B-cubed precision (per document, averaged).
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Share of gold clusters predicted exactly.
    pub exact_set_accuracy: f64,
    /// kind → (found, total)
    pub recall_by_kind: BTreeMap<String, (usize, usize)>,
}

fn pairs(n: usize) -> f64 {
    pair_count(n) as f64
}

fn f1(p: f64, r: f64) -> f64 {
    if p.is_nan() || r.is_nan() || p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Precision of `tp` right among `predicted`: undefined (NaN, shown as
/// "n/a") when nothing was predicted, not a perfect 1.
fn precision_of(tp: f64, predicted: f64) -> f64 {
    if predicted == 0.0 {
        f64::NAN
    } else {
        tp / predicted
    }
}

/// A metric for a table: four decimals, or "n/a" when undefined.
pub(crate) fn show(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        "n/a".into()
    } else {
        format!("{x:.decimals$}")
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        1.0
    } else {
        a / b
    }
}

/// Compares `predicted` (a group label per document) with `gold`, over the
/// documents present in both, in `ids` order.
pub fn evaluate(
    ids: &[&str],
    predicted: &AHashMap<&str, &str>,
    gold: &AHashMap<&str, GoldLabel>,
) -> Metrics {
    let docs: Vec<(&str, &str, &GoldLabel)> = ids
        .iter()
        .filter_map(|&id| Some((id, *predicted.get(id)?, gold.get(id)?)))
        .collect();
    let n = docs.len();
    let mut cells: AHashMap<(&str, &str), usize> = AHashMap::new();
    let mut pred_sizes: AHashMap<&str, usize> = AHashMap::new();
    let mut gold_sizes: AHashMap<&str, usize> = AHashMap::new();
    for &(_, p, g) in &docs {
        *cells.entry((p, g.group.as_str())).or_default() += 1;
        *pred_sizes.entry(p).or_default() += 1;
        *gold_sizes.entry(g.group.as_str()).or_default() += 1;
    }
    let tp: f64 = cells.values().map(|&c| pairs(c)).sum();
    let pred_pairs: f64 = pred_sizes.values().map(|&c| pairs(c)).sum();
    let gold_pairs: f64 = gold_sizes.values().map(|&c| pairs(c)).sum();
    let (pp, pr) = (precision_of(tp, pred_pairs), ratio(tp, gold_pairs));

    let expected = pred_pairs * gold_pairs / pairs(n).max(1.0);
    let max_index = (pred_pairs + gold_pairs) / 2.0;
    let ari = if max_index == expected {
        1.0
    } else {
        (tp - expected) / (max_index - expected)
    };

    let (mut bp, mut br) = (0.0, 0.0);
    for &(_, p, g) in &docs {
        let c = cells[&(p, g.group.as_str())] as f64;
        bp += c / pred_sizes[p] as f64;
        br += c / gold_sizes[g.group.as_str()] as f64;
    }
    let (bp, br) = if n == 0 {
        (1.0, 1.0)
    } else {
        (bp / n as f64, br / n as f64)
    };

    let exact = gold_sizes
        .iter()
        .filter(|(g, &size)| {
            cells
                .iter()
                .any(|(&(p, cg), &c)| cg == **g && c == size && pred_sizes[p] == size)
        })
        .count();

    // A group's origin: its `origin` member, else its first `rewrite` (a
    // rewrite is the origin of its own near-duplicate cluster).
    let mut origin_of: AHashMap<&str, &str> = AHashMap::new();
    for kind in ["origin", "rewrite"] {
        for &(id, _, g) in docs.iter().filter(|d| d.2.kind.as_deref() == Some(kind)) {
            origin_of.entry(g.group.as_str()).or_insert(id);
        }
    }
    let mut recall_by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for &(id, p, g) in &docs {
        let (Some(kind), Some(&origin)) = (g.kind.as_deref(), origin_of.get(g.group.as_str()))
        else {
            continue;
        };
        if origin == id {
            continue;
        }
        let entry = recall_by_kind.entry(kind.to_string()).or_default();
        entry.1 += 1;
        if predicted.get(origin) == Some(&p) {
            entry.0 += 1;
        }
    }

    Metrics {
        documents: n,
        pair_precision: pp,
        pair_recall: pr,
        pair_f1: f1(pp, pr),
        adjusted_rand_index: ari,
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
        exact_set_accuracy: ratio(exact as f64, gold_sizes.len() as f64),
        recall_by_kind,
    }
}

impl Metrics {
    /// A Markdown table of the metrics.
    pub fn render(&self) -> String {
        let mut s = format!(
            "| metric | value |\n|---|---|\n| documents | {} |\n| pair precision | {} |\n| pair recall | {:.4} |\n| pair F1 | {:.4} |\n| adjusted Rand index | {:.4} |\n| B-cubed precision | {:.4} |\n| B-cubed recall | {:.4} |\n| B-cubed F1 | {:.4} |\n| exact-set accuracy | {:.4} |\n",
            self.documents,
            show(self.pair_precision, 4),
            self.pair_recall,
            self.pair_f1,
            self.adjusted_rand_index,
            self.bcubed_precision,
            self.bcubed_recall,
            self.bcubed_f1,
            self.exact_set_accuracy
        );
        for (kind, &found_of) in &self.recall_by_kind {
            s.push_str(&format!("| recall: {kind} | {} |\n", kind_recall(found_of)));
        }
        s
    }
}

/// A kind's recall for a table: the share, then `(found/total)`.
fn kind_recall((found, total): (usize, usize)) -> String {
    format!("{:.4} ({found}/{total})", ratio(found as f64, total as f64))
}

/// The world of a document id in a corpus of several worlds joined by
/// `scripts/make_worlds.py`, which prefixes every id with its world's
/// folder name and a `/`: the part before the first `/` ("" without one).
pub fn world_of(id: &str) -> &str {
    id.split_once('/').map_or("", |(world, _)| world)
}

/// [`evaluate`] within each world ([`world_of`]) of `ids`, worlds in
/// sorted order. Only pairs of one world count: a many-world corpus
/// repeats the same base articles in every world, and its labels call an
/// article's copies in two worlds two clusters, so scored as one corpus
/// every right join across worlds would count as a false pair.
pub fn evaluate_by_world<'a>(
    ids: &[&'a str],
    predicted: &AHashMap<&str, &str>,
    gold: &AHashMap<&str, GoldLabel>,
) -> Vec<(&'a str, Metrics)> {
    let mut worlds: BTreeMap<&'a str, Vec<&'a str>> = BTreeMap::new();
    for &id in ids {
        worlds.entry(world_of(id)).or_default().push(id);
    }
    worlds
        .into_iter()
        .map(|(world, ids)| (world, evaluate(&ids, predicted, gold)))
        .collect()
}

/// A Markdown table of [`evaluate_by_world`]'s metrics: one row per world,
/// with pair precision, recall and F1 and the recall of each kind.
pub fn render_worlds(worlds: &[(&str, Metrics)]) -> String {
    let kinds: std::collections::BTreeSet<&str> = worlds
        .iter()
        .flat_map(|(_, m)| m.recall_by_kind.keys().map(String::as_str))
        .collect();
    let mut s = String::from("| world | documents | pair precision | pair recall | pair F1 |");
    let mut rule = String::from("|---|---|---|---|---|");
    for kind in &kinds {
        s.push_str(&format!(" recall: {kind} |"));
        rule.push_str("---|");
    }
    s.push('\n');
    s.push_str(&rule);
    s.push('\n');
    for (world, m) in worlds {
        s.push_str(&format!(
            "| {} | {} | {} | {:.4} | {:.4} |",
            if world.is_empty() {
                "(no world)"
            } else {
                world
            },
            m.documents,
            show(m.pair_precision, 4),
            m.pair_recall,
            m.pair_f1
        ));
        for kind in &kinds {
            match m.recall_by_kind.get(*kind) {
                Some(&found_of) => s.push_str(&format!(" {} |", kind_recall(found_of))),
                None => s.push_str(" |"),
            }
        }
        s.push('\n');
    }
    s
}

/// A group that mixes groups of the other side: a predicted group holding
/// pages of several gold groups (a false merge), or a gold group spread
/// over several predicted groups (a miss). See [`group_errors`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MixedGroup {
    /// The group's label (predicted for a merge, gold for a miss).
    pub group: String,
    /// Its labelled and predicted documents.
    pub documents: usize,
    /// Its pairs of documents that are wrongly together (a merge: pairs of
    /// two gold groups) or wrongly apart (a miss: pairs in two predicted
    /// groups).
    pub pairs: u64,
    /// The other side's groups inside it, most documents first (ties by
    /// label): `(label, documents, its first id in input order)`.
    pub parts: Vec<(String, usize, String)>,
}

/// The errors of a grouping against gold labels, group by group: what
/// `syndic eval --errors` lists. The pairs of `merges` add up to the false
/// pairs behind [`Metrics::pair_precision`], those of `misses` to the
/// missed pairs behind [`Metrics::pair_recall`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupErrors {
    /// Predicted groups that hold pages of two or more gold groups, most
    /// false pairs first (ties: more documents, then label).
    pub merges: Vec<MixedGroup>,
    /// Gold groups whose pages are in two or more predicted groups, most
    /// missed pairs first (same ties).
    pub misses: Vec<MixedGroup>,
}

/// Unordered pairs of `n` things.
fn pair_count(n: usize) -> u64 {
    n as u64 * n.saturating_sub(1) as u64 / 2
}

/// [`GroupErrors`] of `predicted` against `gold`, over the documents in
/// both (in `ids` order, which picks each part's example id).
pub fn group_errors(
    ids: &[&str],
    predicted: &AHashMap<&str, &str>,
    gold: &AHashMap<&str, GoldLabel>,
) -> GroupErrors {
    // (predicted, gold) → (documents, first id), in first-seen order.
    let mut cells: AHashMap<(&str, &str), (usize, &str)> = AHashMap::new();
    for &id in ids {
        let (Some(&p), Some(g)) = (predicted.get(id), gold.get(id)) else {
            continue;
        };
        cells.entry((p, g.group.as_str())).or_insert((0, id)).0 += 1;
    }
    // Each side's groups with their parts on the other side.
    let mut by_pred: AHashMap<&str, Vec<(&str, usize, &str)>> = AHashMap::new();
    let mut by_gold: AHashMap<&str, Vec<(&str, usize, &str)>> = AHashMap::new();
    for (&(p, g), &(n, first)) in &cells {
        by_pred.entry(p).or_default().push((g, n, first));
        by_gold.entry(g).or_default().push((p, n, first));
    }
    let mixed = |side: AHashMap<&str, Vec<(&str, usize, &str)>>| {
        let mut out: Vec<MixedGroup> = side
            .into_iter()
            .filter(|(_, parts)| parts.len() > 1)
            .map(|(group, mut parts)| {
                parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                let documents: usize = parts.iter().map(|p| p.1).sum();
                let within: u64 = parts.iter().map(|p| pair_count(p.1)).sum();
                MixedGroup {
                    group: group.to_string(),
                    documents,
                    pairs: pair_count(documents) - within,
                    parts: parts
                        .into_iter()
                        .map(|(label, n, first)| (label.to_string(), n, first.to_string()))
                        .collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (b.pairs, b.documents)
                .cmp(&(a.pairs, a.documents))
                .then_with(|| a.group.cmp(&b.group))
        });
        out
    };
    GroupErrors {
        merges: mixed(by_pred),
        misses: mixed(by_gold),
    }
}

/// An error list's heading (`shown`: which of them the table holds, when
/// not all) and its table's header row.
fn heading(title: &str, shown: Option<String>, columns: &[&str]) -> String {
    let shown = shown.map(|s| format!(" ({s})")).unwrap_or_default();
    format!(
        "\n{title}{shown}\n\n| {} |\n|{}\n",
        columns.join(" | "),
        "---|".repeat(columns.len())
    )
}

/// Parts of a mixed group listed in a table cell; the rest are counted.
const LISTED_PARTS: usize = 8;

/// Markdown tables of the `top` worst false merges and misses of
/// [`group_errors`], each part as `label (documents, an id)`.
pub fn render_group_errors(errors: &GroupErrors, top: usize) -> String {
    let table = |title: &str, what: &str, inside: &str, groups: &[MixedGroup]| {
        let total: u64 = groups.iter().map(|g| g.pairs).sum();
        let mut s = heading(
            &format!("{title}: {} groups, {total} pairs", groups.len()),
            (groups.len() > top).then(|| format!("the {top} with most")),
            &[
                "group",
                "documents",
                what,
                &format!("{inside} (documents, an id)"),
            ],
        );
        for g in groups.iter().take(top) {
            let mut cell: Vec<String> = g
                .parts
                .iter()
                .take(LISTED_PARTS)
                .map(|(label, n, id)| format!("{label} ({n}, {id})"))
                .collect();
            if g.parts.len() > LISTED_PARTS {
                cell.push(format!("and {} more", g.parts.len() - LISTED_PARTS));
            }
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                g.group,
                g.documents,
                g.pairs,
                cell.join("; ")
            ));
        }
        s
    };
    table(
        "False merges (predicted groups holding several gold groups)",
        "false pairs",
        "gold groups inside",
        &errors.merges,
    ) + &table(
        "Misses (gold groups split over several predicted groups)",
        "missed pairs",
        "predicted groups",
        &errors.misses,
    )
}

/// The labelled pairs that a grouping gets wrong, in file order: false
/// positives (labelled different, predicted together) and false negatives
/// (labelled same, predicted apart). Pairs with an unknown id are left
/// out, as [`evaluate_pairs`] leaves them out.
pub fn pair_errors<'a>(
    labels: &'a [PairLabel],
    predicted: &AHashMap<&str, &str>,
) -> (Vec<&'a PairLabel>, Vec<&'a PairLabel>) {
    let (mut false_positives, mut false_negatives) = (Vec::new(), Vec::new());
    for l in labels {
        match (l.same, together(l, predicted)) {
            (false, Some(true)) => false_positives.push(l),
            (true, Some(false)) => false_negatives.push(l),
            _ => {}
        }
    }
    (false_positives, false_negatives)
}

/// Markdown tables of the first `top` false positive and false negative
/// pairs of [`pair_errors`], with their languages (when labelled) and the
/// predicted group of each side.
pub fn render_pair_errors(
    (false_positives, false_negatives): (&[&PairLabel], &[&PairLabel]),
    predicted: &AHashMap<&str, &str>,
    top: usize,
) -> String {
    let table = |title: &str, pairs: &[&PairLabel]| {
        let mut s = heading(
            &format!("{title}: {}", pairs.len()),
            (pairs.len() > top).then(|| format!("the first {top}, in file order")),
            &["id1", "id2", "languages", "group of id1", "group of id2"],
        );
        for l in pairs.iter().take(top) {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                l.a,
                l.b,
                l.languages.as_deref().unwrap_or(""),
                predicted.get(l.a.as_str()).copied().unwrap_or(""),
                predicted.get(l.b.as_str()).copied().unwrap_or("")
            ));
        }
        s
    };
    table(
        "False positives (labelled different, predicted together)",
        false_positives,
    ) + &table(
        "False negatives (labelled same, predicted apart)",
        false_negatives,
    )
}

/// Scores every labelled pair whose two ids are in `docs` with syndic's
/// similarities (Jaccard, containment, cosine) and returns precision/recall
/// curves over thresholds 0.05 to 0.95, rendered as Markdown, with the
/// number of pairs scored.
pub fn pair_label_curves(
    labels: &[PairLabel],
    docs: &[crate::corpus::Document],
    config: &crate::pipeline::Config,
) -> crate::error::Result<(usize, String)> {
    let index: AHashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let known: Vec<(bool, (usize, usize))> = labels
        .iter()
        .filter_map(|l| {
            Some((
                l.same,
                (*index.get(l.a.as_str())?, *index.get(l.b.as_str())?),
            ))
        })
        .collect();
    let pairs: Vec<(usize, usize)> = known.iter().map(|k| k.1).collect();
    let scores = crate::pipeline::pair_scores(docs, config, &pairs)?;
    let thresholds: Vec<f64> = (1..20).map(|i| i as f64 * 0.05).collect();
    let curve = |f: fn(&crate::pipeline::PairScore) -> f64| {
        let scored: Vec<(f64, bool)> = known
            .iter()
            .zip(&scores)
            .map(|(k, s)| (f(s), k.0))
            .collect();
        pr_curve(&scored, &thresholds)
    };
    let rendered = render_curves(&[
        ("Jaccard", curve(|s| s.jaccard)),
        ("containment", curve(|s| s.containment)),
        ("cosine", curve(|s| s.cosine)),
    ]);
    Ok((known.len(), rendered))
}

/// Reads a gold label file (TSV `id cluster [story] [kind]`) at both
/// levels: `(id, cluster label, story label)` per document.
pub fn read_gold(
    path: &std::path::Path,
) -> crate::error::Result<Vec<(String, GoldLabel, GoldLabel)>> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::error::Error::io(path, e))?;
    let parse = |level| {
        parse_labels(&text, level).map_err(|message| crate::error::Error::Format {
            path: path.to_path_buf(),
            message,
        })
    };
    let clusters = parse(Level::Cluster)?;
    let stories = parse(Level::Story)?;
    Ok(clusters
        .into_iter()
        .zip(stories)
        .map(|((id, c), (_, s))| (id, c, s))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(
        labels: &[(&'static str, &'static str, &'static str)],
    ) -> AHashMap<&'static str, GoldLabel> {
        labels
            .iter()
            .map(|&(id, g, k)| {
                (
                    id,
                    GoldLabel {
                        group: g.into(),
                        kind: Some(k.into()),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn worlds_are_scored_apart_and_ids_without_one_form_their_own() {
        assert_eq!(world_of("c12r/reuters-17/excerpt"), "c12r");
        assert_eq!(world_of("reuters-17"), "");
        // Every page its own gold cluster.
        let ids = ["b/x", "a/x", "a/y", "plain"];
        let g = gold(&ids.map(|id| (id, id, "origin")));
        let pred: AHashMap<&str, &str> = ids.iter().map(|&id| (id, "one")).collect();
        let worlds = evaluate_by_world(&ids, &pred, &g);
        let names: Vec<&str> = worlds.iter().map(|(w, _)| *w).collect();
        assert_eq!(names, ["", "a", "b"], "sorted, one entry per world");
        let sizes: Vec<usize> = worlds.iter().map(|(_, m)| m.documents).collect();
        assert_eq!(sizes, [1, 2, 1]);
        assert_eq!(worlds[1].1.pair_precision, 0.0, "a/x and a/y: a false pair");
        let table = render_worlds(&worlds);
        assert!(table.contains("| (no world) | 1 |"), "{table}");
    }

    #[test]
    fn errors_name_the_mixed_groups_worst_first() {
        let ids = ["a", "b", "c", "d", "e", "f"];
        // Gold: {a b c} {d e} {f}; predicted: {a b d} {c} {e f}.
        let g = gold(&[
            ("a", "1", "origin"),
            ("b", "1", "syndicated"),
            ("c", "1", "excerpt"),
            ("d", "2", "origin"),
            ("e", "2", "ocr"),
            ("f", "3", "origin"),
        ]);
        let pred: AHashMap<&str, &str> = [
            ("a", "x"),
            ("b", "x"),
            ("c", "y"),
            ("d", "x"),
            ("e", "z"),
            ("f", "z"),
        ]
        .into_iter()
        .collect();
        let e = group_errors(&ids, &pred, &g);
        let part = |l: &str, n: usize, id: &str| (l.to_string(), n, id.to_string());
        assert_eq!(e.merges.len(), 2);
        assert_eq!((e.merges[0].group.as_str(), e.merges[0].pairs), ("x", 2));
        assert_eq!(e.merges[0].parts, [part("1", 2, "a"), part("2", 1, "d")]);
        assert_eq!((e.merges[1].group.as_str(), e.merges[1].pairs), ("z", 1));
        assert_eq!(e.misses.len(), 2, "gold 3 is whole");
        assert_eq!((e.misses[0].group.as_str(), e.misses[0].pairs), ("1", 2));
        assert_eq!(e.misses[0].parts, [part("x", 2, "a"), part("y", 1, "c")]);
        // The listed pairs are the metrics' false and missed pairs.
        let m = evaluate(&ids, &pred, &g);
        assert_eq!(m.pair_precision, 1.0 / 4.0, "3 of 4 predicted pairs false");
        assert_eq!(m.pair_recall, 1.0 / 4.0, "3 of 4 gold pairs missed");
        let table = render_group_errors(&e, 1);
        assert!(
            table.contains("False merges (predicted groups holding several gold groups): 2 groups, 3 pairs (the 1 with most)"),
            "{table}"
        );
        assert!(
            table.contains("| x | 3 | 2 | 1 (2, a); 2 (1, d) |"),
            "{table}"
        );
        assert!(!table.contains("| z |"), "only the worst one: {table}");
        assert!(
            table.contains("| 1 | 3 | 2 | x (2, a); y (1, c) |"),
            "{table}"
        );

        let labels = parse_pair_labels(
            "id1,id2,label\na,b,1\nc,d,0\na,d,0\na,c,1\nq,a,1\n",
            0.5,
            0.5,
        )
        .unwrap();
        let (fp, fneg) = pair_errors(&labels, &pred);
        let ab = |l: &[&PairLabel]| -> Vec<(String, String)> {
            l.iter().map(|l| (l.a.clone(), l.b.clone())).collect()
        };
        assert_eq!(ab(&fp), [("a".to_string(), "d".to_string())]);
        assert_eq!(
            ab(&fneg),
            [("a".to_string(), "c".to_string())],
            "q is unknown"
        );
        let table = render_pair_errors((&fp, &fneg), &pred, 5);
        assert!(table.contains("| a | d |  | x | x |"), "{table}");
        assert!(table.contains("| a | c |  | x | y |"), "{table}");
    }

    #[test]
    fn perfect_and_imperfect_predictions() {
        let ids = ["a", "b", "c", "d"];
        let g = gold(&[
            ("a", "1", "origin"),
            ("b", "1", "syndicated"),
            ("c", "2", "origin"),
            ("d", "2", "ocr"),
        ]);
        let perfect: AHashMap<&str, &str> = [("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")]
            .into_iter()
            .collect();
        let m = evaluate(&ids, &perfect, &g);
        assert_eq!(
            (
                m.pair_f1,
                m.adjusted_rand_index,
                m.bcubed_f1,
                m.exact_set_accuracy
            ),
            (1.0, 1.0, 1.0, 1.0)
        );
        assert_eq!(m.recall_by_kind["ocr"], (1, 1));

        let merged: AHashMap<&str, &str> = ids.iter().map(|&i| (i, "x")).collect();
        let m = evaluate(&ids, &merged, &g);
        assert_eq!(m.pair_precision, 2.0 / 6.0);
        assert_eq!(m.pair_recall, 1.0);
        assert_eq!(m.exact_set_accuracy, 0.0);
        assert!((m.bcubed_precision - 0.5).abs() < 1e-12);

        let split: AHashMap<&str, &str> = [("a", "1"), ("b", "2"), ("c", "3"), ("d", "3")]
            .into_iter()
            .collect();
        let m = evaluate(&ids, &split, &g);
        assert_eq!((m.pair_precision, m.pair_recall), (1.0, 0.5));
        assert_eq!(m.recall_by_kind["syndicated"], (0, 1));

        // Every page alone: no pair predicted, so precision is undefined,
        // not perfect; B-cubed precision (per page) is still 1.
        let alone: AHashMap<&str, &str> = ids.iter().map(|&i| (i, i)).collect();
        let m = evaluate(&ids, &alone, &g);
        assert!(m.pair_precision.is_nan());
        assert_eq!(
            (m.pair_recall, m.pair_f1, m.bcubed_precision),
            (0.0, 0.0, 1.0)
        );
        assert!(
            m.render().contains("| pair precision | n/a |"),
            "{}",
            m.render()
        );
    }
}

/// Which grouping to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Near-duplicate clusters.
    Cluster,
    /// Stories (groups of clusters).
    Story,
    /// Threads (groups of stories).
    Thread,
}

/// Parses gold labels: TSV with a header naming `id`, `cluster` and optionally
/// `story`, `thread` and `kind` columns. At story level a missing story falls
/// back to the cluster; at thread level a missing thread to the story, then
/// the cluster.
pub fn parse_labels(text: &str, level: Level) -> Result<Vec<(String, GoldLabel)>, String> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or("empty labels file")?;
    let cols: Vec<&str> = header.split('\t').collect();
    let col = |name: &str| cols.iter().position(|c| c.trim() == name);
    let id_col = col("id").ok_or("labels header has no `id` column")?;
    let cluster_col = col("cluster").ok_or("labels header has no `cluster` column")?;
    let (story_col, kind_col) = (col("story"), col("kind"));
    let thread_col = col("thread").or(story_col);
    let mut out = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| {
            f.get(c)
                .map(|s| s.trim())
                .ok_or(format!("line {}: missing column {}", n + 1, c + 1))
        };
        let group = match (level, story_col, thread_col) {
            (Level::Story, Some(c), _) | (Level::Thread, _, Some(c)) => get(c)?,
            _ => get(cluster_col)?,
        };
        let kind = kind_col
            .and_then(|c| f.get(c))
            .map(|k| k.trim().to_string());
        out.push((
            get(id_col)?.to_string(),
            GoldLabel {
                group: group.to_string(),
                kind,
            },
        ));
    }
    Ok(out)
}

/// Parses `clusters.jsonl` into `(id, group)` at the requested level.
pub fn parse_predictions(text: &str, level: Level) -> Result<Vec<(String, String)>, String> {
    let field = match level {
        Level::Cluster => "cluster",
        Level::Story => "story",
        Level::Thread => "thread",
    };
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let id = s("id").ok_or(format!("line {}: no id", n + 1))?;
        let group = s(field).ok_or(format!("line {}: no {field:?} field", n + 1))?;
        out.push((id, group));
    }
    Ok(out)
}

/// A labeled pair of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PairLabel {
    /// Id of the first article.
    pub a: String,
    /// Id of the second article.
    pub b: String,
    /// Same group (duplicate / same story) or not.
    pub same: bool,
    /// The pair's languages, when the file gives them (SemEval's `lang1`
    /// and `lang2`): `de` for two German articles, `de-en` across.
    pub languages: Option<String>,
}

/// Parses pair labels from CSV: either `id1,id2,label` (label ≥ 0.5 means
/// same), or a SemEval-2022 task 8 file (`pair_id` = `ID1_ID2`, `Overall` from
/// 1 = same story to 4 = unrelated): same when `Overall ≤ same_max`, different
/// when `Overall ≥ different_min`, pairs in between left out.
pub fn parse_pair_labels(
    text: &str,
    same_max: f64,
    different_min: f64,
) -> Result<Vec<PairLabel>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n);
    let mut out = Vec::new();
    for (n, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| format!("record {}: {e}", n + 1))?;
        let field = |c: usize| {
            row.get(c)
                .map(str::trim)
                .ok_or(format!("record {}: missing column {}", n + 1, c + 1))
        };
        let number = |c: usize| {
            field(c)?
                .parse::<f64>()
                .map_err(|e| format!("record {}: {e}", n + 1))
        };
        let (a, b, same) = match (
            col("pair_id"),
            col("Overall"),
            col("id1"),
            col("id2"),
            col("label"),
        ) {
            (Some(p), Some(o), ..) => {
                let (a, b) = field(p)?
                    .split_once('_')
                    .ok_or(format!("record {}: pair_id is not ID1_ID2", n + 1))?;
                let overall = number(o)?;
                let same = if overall <= same_max {
                    true
                } else if overall >= different_min {
                    false
                } else {
                    continue;
                };
                (a.to_string(), b.to_string(), same)
            }
            (_, _, Some(i), Some(j), Some(l)) => (
                field(i)?.to_string(),
                field(j)?.to_string(),
                number(l)? >= 0.5,
            ),
            _ => return Err("the header needs id1,id2,label or pair_id,Overall".into()),
        };
        let languages = match (col("lang1"), col("lang2")) {
            (Some(x), Some(y)) => {
                let (x, y) = (field(x)?, field(y)?);
                Some(if x == y {
                    x.to_string()
                } else {
                    format!("{x}-{y}")
                })
            }
            _ => None,
        };
        out.push(PairLabel {
            a,
            b,
            same,
            languages,
        });
    }
    Ok(out)
}

/// Agreement of a grouping with pair labels.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairMetrics {
    /// Labelled same pairs with both ids predicted.
    pub same_pairs: usize,
    /// Labelled different pairs with both ids predicted.
    pub different_pairs: usize,
    /// Same pairs predicted together.
    pub true_positives: usize,
    /// Different pairs predicted together.
    pub false_positives: usize,
    /// Same pairs predicted apart.
    pub false_negatives: usize,
    /// Precision over the labelled pairs.
    pub precision: f64,
    /// Recall over the labelled pairs.
    pub recall: f64,
    /// F1 over the labelled pairs.
    pub f1: f64,
    /// Labeled pairs with a document missing from the predictions.
    pub unknown: usize,
    /// True positives, false positives and false negatives per language
    /// pair ([`PairLabel::languages`]), most labelled pairs first; empty
    /// when the labels give no languages.
    pub by_languages: Vec<(String, [usize; 3])>,
}

/// Whether a labelled pair's two documents are predicted in one group
/// (`None` when either has no prediction).
fn together(l: &PairLabel, predicted: &AHashMap<&str, &str>) -> Option<bool> {
    Some(predicted.get(l.a.as_str())? == predicted.get(l.b.as_str())?)
}

/// Counts labeled pairs predicted in the same group.
pub fn evaluate_pairs(labels: &[PairLabel], predicted: &AHashMap<&str, &str>) -> PairMetrics {
    let (mut same, mut different, mut unknown) = (0, 0, 0);
    // [true positives, false positives, false negatives]: in all, and per
    // language pair with its number of labelled pairs.
    let mut counts = [0usize; 3];
    let mut by: std::collections::BTreeMap<&str, ([usize; 3], usize)> = Default::default();
    for l in labels {
        let Some(together) = together(l, predicted) else {
            unknown += 1;
            continue;
        };
        let outcome = match (l.same, together) {
            (true, true) => Some(0),
            (false, true) => Some(1),
            (true, false) => Some(2),
            (false, false) => None,
        };
        if let Some(k) = outcome {
            counts[k] += 1;
        }
        if let Some(lang) = &l.languages {
            let entry = by.entry(lang.as_str()).or_default();
            entry.1 += 1;
            if let Some(k) = outcome {
                entry.0[k] += 1;
            }
        }
        if l.same {
            same += 1;
        } else {
            different += 1;
        }
    }
    let [tp, fp, fn_] = counts;
    let precision = precision_of(tp as f64, (tp + fp) as f64);
    let recall = ratio(tp as f64, (tp + fn_) as f64);
    let mut by_languages: Vec<(&str, ([usize; 3], usize))> = by.into_iter().collect();
    by_languages.sort_by_key(|&(lang, (_, n))| (std::cmp::Reverse(n), lang));
    PairMetrics {
        by_languages: by_languages
            .into_iter()
            .map(|(lang, (counts, _))| (lang.to_string(), counts))
            .collect(),
        same_pairs: same,
        different_pairs: different,
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        precision,
        recall,
        f1: f1(precision, recall),
        unknown,
    }
}

impl PairMetrics {
    /// A Markdown table of the metrics.
    pub fn render(&self) -> String {
        format!(
            "| metric | value |\n|---|---|\n| labeled same / different pairs | {} / {} |\n| pairs with an unknown id | {} |\n| true / false positives | {} / {} |\n| false negatives | {} |\n| pair precision | {} |\n| pair recall | {:.4} |\n| pair F1 | {:.4} |\n",
            self.same_pairs,
            self.different_pairs,
            self.unknown,
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            show(self.precision, 4),
            self.recall,
            self.f1
        ) + &self.render_languages()
    }

    /// Per language pair, a second Markdown table (empty without languages).
    fn render_languages(&self) -> String {
        if self.by_languages.is_empty() {
            return String::new();
        }
        let mut s = String::from(
            "\n| languages | true / false positives | false negatives | precision | recall |\n|---|---|---|---|---|\n",
        );
        for (lang, [tp, fp, fn_]) in &self.by_languages {
            let precision = precision_of(*tp as f64, (tp + fp) as f64);
            s.push_str(&format!(
                "| {lang} | {tp} / {fp} | {fn_} | {} | {} |\n",
                show(precision, 3),
                show(*tp as f64 / (tp + fn_) as f64, 3)
            ));
        }
        s
    }
}

#[cfg(test)]
mod pair_tests {
    use super::*;

    #[test]
    fn each_level_reads_its_column_or_the_one_below() {
        let groups = |text: &str, level| -> Vec<String> {
            let labels = parse_labels(text, level).unwrap();
            labels.into_iter().map(|(_, g)| g.group).collect()
        };
        let full = "id\tcluster\tstory\tthread\na\tc1\ts1\tt1\nb\tc2\ts2\tt1\n";
        assert_eq!(groups(full, Level::Cluster), ["c1", "c2"]);
        assert_eq!(groups(full, Level::Story), ["s1", "s2"]);
        assert_eq!(groups(full, Level::Thread), ["t1", "t1"]);
        let no_thread = "id\tcluster\tstory\na\tc1\ts1\nb\tc2\ts2\n";
        assert_eq!(groups(no_thread, Level::Thread), ["s1", "s2"]);
        let clusters_only = "id\tcluster\na\tc1\nb\tc2\n";
        assert_eq!(groups(clusters_only, Level::Thread), ["c1", "c2"]);
        let pred = "{\"id\":\"a\",\"cluster\":\"a\",\"story\":\"a\",\"thread\":\"b\"}\n";
        assert_eq!(
            parse_predictions(pred, Level::Thread).unwrap(),
            [("a".to_string(), "b".to_string())]
        );
    }

    #[test]
    fn pair_labels_in_both_layouts() {
        let semeval =
            parse_pair_labels("pair_id,Overall\n1_2,1.0\n3_4,2.5\n5_6,4\n", 1.5, 3.5).unwrap();
        assert_eq!(semeval.len(), 2);
        assert!(semeval[0].same && !semeval[1].same);
        let plain = parse_pair_labels("id1,id2,label\na,b,1\na,c,0\n", 1.5, 3.5).unwrap();
        assert_eq!(
            plain[1],
            PairLabel {
                a: "a".into(),
                b: "c".into(),
                same: false,
                languages: None,
            }
        );
        assert!(parse_pair_labels("x,y\n1,2\n", 1.5, 3.5).is_err());
    }

    #[test]
    fn pair_metrics() {
        let labels =
            parse_pair_labels("id1,id2,label\na,b,1\na,c,0\nc,d,1\nx,a,1\n", 1.5, 3.5).unwrap();
        let pred: AHashMap<&str, &str> = [("a", "1"), ("b", "1"), ("c", "1"), ("d", "2")]
            .into_iter()
            .collect();
        let m = evaluate_pairs(&labels, &pred);
        assert_eq!(
            (
                m.true_positives,
                m.false_positives,
                m.false_negatives,
                m.unknown
            ),
            (1, 1, 1, 1)
        );
        assert_eq!((m.precision, m.recall), (0.5, 0.5));
        // Nothing predicted same: precision is undefined, not perfect.
        let apart: AHashMap<&str, &str> = ["a", "b", "c", "d"].iter().map(|&i| (i, i)).collect();
        let m = evaluate_pairs(&labels, &apart);
        assert!(m.precision.is_nan() && m.f1 == 0.0);
        assert!(m.render().contains("| pair precision | n/a |"));
        assert!(m.by_languages.is_empty() && !m.render().contains("| languages |"));
    }

    #[test]
    fn semeval_pairs_are_counted_per_language_pair() {
        let labels = parse_pair_labels(
            "pair_id,lang1,lang2,Overall\n1_2,de,de,1\n3_4,de,en,1\n5_6,de,de,4\n7_8,de,en,1\n",
            1.5,
            3.5,
        )
        .unwrap();
        assert_eq!(labels[1].languages.as_deref(), Some("de-en"));
        let pred: AHashMap<&str, &str> = [
            ("1", "a"),
            ("2", "a"),
            ("3", "b"),
            ("4", "c"),
            ("5", "d"),
            ("6", "d"),
            ("7", "e"),
            ("8", "e"),
        ]
        .into_iter()
        .collect();
        let m = evaluate_pairs(&labels, &pred);
        assert_eq!(
            m.by_languages,
            vec![
                ("de".to_string(), [1, 1, 0]),
                ("de-en".to_string(), [1, 0, 1])
            ]
        );
        let table = m.render();
        assert!(
            table.contains("| de | 1 / 1 | 0 | 0.500 | 1.000 |"),
            "{table}"
        );
        assert!(
            table.contains("| de-en | 1 / 0 | 1 | 1.000 | 0.500 |"),
            "{table}"
        );
    }
}

/// One point of a precision/recall curve: pairs scoring at least `threshold`
/// are predicted "same".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Score threshold (a pair above it is predicted same).
    pub threshold: f64,
    /// Precision at this threshold.
    pub precision: f64,
    /// Recall at this threshold.
    pub recall: f64,
    /// F1 at this threshold.
    pub f1: f64,
}

/// Precision and recall of `score ≥ t` for each threshold `t`, over labeled
/// `(score, same)` pairs.
pub fn pr_curve(scored: &[(f64, bool)], thresholds: &[f64]) -> Vec<CurvePoint> {
    let positives = scored.iter().filter(|s| s.1).count() as f64;
    thresholds
        .iter()
        .map(|&t| {
            let tp = scored.iter().filter(|&&(s, same)| same && s >= t).count() as f64;
            let predicted = scored.iter().filter(|&&(s, _)| s >= t).count() as f64;
            let (precision, recall) = (precision_of(tp, predicted), ratio(tp, positives));
            CurvePoint {
                threshold: t,
                precision,
                recall,
                f1: f1(precision, recall),
            }
        })
        .collect()
}

/// Renders named curves side by side as a Markdown table.
pub fn render_curves(curves: &[(&str, Vec<CurvePoint>)]) -> String {
    let mut s = String::from("| threshold |");
    for (name, _) in curves {
        s.push_str(&format!(" {name} P | {name} R | {name} F1 |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---|---|---|".repeat(curves.len()));
    s.push('\n');
    let rows = curves.first().map_or(0, |c| c.1.len());
    for i in 0..rows {
        s.push_str(&format!("| {:.2} |", curves[0].1[i].threshold));
        for (_, c) in curves {
            s.push_str(&format!(
                " {} | {:.3} | {:.3} |",
                show(c[i].precision, 3),
                c[i].recall,
                c[i].f1
            ));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod curve_tests {
    use super::*;

    #[test]
    fn curve_counts_scores_at_or_above_threshold() {
        let scored = [(0.9, true), (0.6, true), (0.6, false), (0.1, false)];
        let c = pr_curve(&scored, &[0.0, 0.5, 0.95]);
        assert_eq!((c[0].precision, c[0].recall), (0.5, 1.0));
        assert_eq!((c[1].precision, c[1].recall), (2.0 / 3.0, 1.0));
        // Nothing scores 0.95: precision undefined, shown as such.
        assert!(c[2].precision.is_nan() && (c[2].recall, c[2].f1) == (0.0, 0.0));
        let table = render_curves(&[("J", c)]);
        assert!(table.contains("| 0.50 | 0.667 | 1.000 | 0.800 |"));
        assert!(table.contains("| 0.95 | n/a | 0.000 | 0.000 |"), "{table}");
    }
}
