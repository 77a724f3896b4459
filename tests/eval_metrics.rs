//! `syndic eval` agrees with an independent, brute-force implementation of
//! pairwise precision/recall/F1 and the adjusted Rand index.

use ahash::AHashMap;
use proptest::prelude::*;
use syndic::eval::{evaluate, group_errors, GoldLabel};

/// Brute force over all pairs: (pair precision, pair recall, ARI).
fn brute_force(pred: &[u8], gold: &[u8]) -> (f64, f64, f64) {
    let n = pred.len();
    let (mut a, mut b, mut c, mut d) = (0.0f64, 0.0, 0.0, 0.0); // same-same, same-diff, diff-same, diff-diff
    for i in 0..n {
        for j in i + 1..n {
            match (pred[i] == pred[j], gold[i] == gold[j]) {
                (true, true) => a += 1.0,
                (true, false) => b += 1.0,
                (false, true) => c += 1.0,
                (false, false) => d += 1.0,
            }
        }
    }
    // Nothing predicted together: precision is undefined (NaN), not 1.
    let precision = if a + b == 0.0 { f64::NAN } else { a / (a + b) };
    let recall = if a + c == 0.0 { 1.0 } else { a / (a + c) };
    // ARI in its pair-counting form (Hubert & Arabie 1985; Steinley 2004).
    let total = a + b + c + d;
    let expected = (a + b) * (a + c) / total;
    let max = ((a + b) + (a + c)) / 2.0;
    let ari = if (max - expected).abs() < 1e-12 {
        1.0
    } else {
        (a - expected) / (max - expected)
    };
    (precision, recall, ari)
}

/// Generated labels as `syndic eval` reads them: ids `d0, d1, ...`, each
/// with predicted group `p{x}` and gold group `g{y}` of its `(x, y)`.
struct Labelled {
    ids: Vec<String>,
    predicted: Vec<String>,
    gold: Vec<String>,
}

impl Labelled {
    fn new(labels: &[(u8, u8)]) -> Labelled {
        Labelled {
            ids: (0..labels.len()).map(|i| format!("d{i}")).collect(),
            predicted: labels.iter().map(|(p, _)| format!("p{p}")).collect(),
            gold: labels.iter().map(|(_, g)| format!("g{g}")).collect(),
        }
    }

    /// The ids, and the predicted and gold maps that `evaluate` takes.
    #[allow(clippy::type_complexity)]
    fn maps(&self) -> (Vec<&str>, AHashMap<&str, &str>, AHashMap<&str, GoldLabel>) {
        let ids: Vec<&str> = self.ids.iter().map(String::as_str).collect();
        let predicted = ids
            .iter()
            .copied()
            .zip(self.predicted.iter().map(String::as_str))
            .collect();
        let gold = ids
            .iter()
            .zip(&self.gold)
            .map(|(&i, g)| {
                (
                    i,
                    GoldLabel {
                        group: g.clone(),
                        kind: None,
                    },
                )
            })
            .collect();
        (ids, predicted, gold)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn eval_matches_brute_force(labels in prop::collection::vec((0u8..6, 0u8..6), 2..60)) {
        let labelled = Labelled::new(&labels);
        let (id_refs, predicted, gold) = labelled.maps();
        let m = evaluate(&id_refs, &predicted, &gold);
        let pred: Vec<u8> = labels.iter().map(|l| l.0).collect();
        let truth: Vec<u8> = labels.iter().map(|l| l.1).collect();
        let (p, r, ari) = brute_force(&pred, &truth);
        prop_assert!(
            (m.pair_precision - p).abs() < 1e-4 || (p.is_nan() && m.pair_precision.is_nan()),
            "precision {} vs {}", m.pair_precision, p
        );
        prop_assert!((m.pair_recall - r).abs() < 1e-4, "recall {} vs {}", m.pair_recall, r);
        prop_assert!((m.adjusted_rand_index - ari).abs() < 1e-4, "ARI {} vs {}", m.adjusted_rand_index, ari);
        let f1 = if p.is_nan() || p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        prop_assert!((m.pair_f1 - f1).abs() < 1e-4);
    }

    /// `eval --errors` lists, by brute force over all pairs: each predicted
    /// group's pairs of two gold groups (a merge) and each gold group's
    /// pairs in two predicted groups (a miss), and nothing else.
    #[test]
    fn errors_match_brute_force(labels in prop::collection::vec((0u8..5, 0u8..5), 2..50)) {
        let labelled = Labelled::new(&labels);
        let (id_refs, predicted, gold) = labelled.maps();
        let e = group_errors(&id_refs, &predicted, &gold);
        let (mut merged, mut missed) = (AHashMap::new(), AHashMap::new());
        for i in 0..labels.len() {
            for j in i + 1..labels.len() {
                let ((pi, gi), (pj, gj)) = (labels[i], labels[j]);
                if pi == pj && gi != gj {
                    *merged.entry(format!("p{pi}")).or_insert(0u64) += 1;
                }
                if gi == gj && pi != pj {
                    *missed.entry(format!("g{gi}")).or_insert(0u64) += 1;
                }
            }
        }
        let listed = |groups: &[syndic::eval::MixedGroup]| -> AHashMap<String, u64> {
            groups.iter().map(|g| (g.group.clone(), g.pairs)).collect()
        };
        prop_assert_eq!(listed(&e.merges), merged);
        prop_assert_eq!(listed(&e.misses), missed);
        for side in [&e.merges, &e.misses] {
            prop_assert!(side.windows(2).all(|w| w[0].pairs >= w[1].pairs), "worst first");
            for g in side.iter() {
                prop_assert!(g.parts.len() > 1);
                prop_assert_eq!(g.parts.iter().map(|p| p.1).sum::<usize>(), g.documents);
            }
        }
    }
}

/// A worked example from Hubert & Arabie's contingency-table formula, computed by hand.
#[test]
fn ari_known_value() {
    // pred: {0,1,2},{3,4,5}; gold: {0,1},{2,3},{4,5}
    let ids = ["a", "b", "c", "d", "e", "f"];
    let predicted: AHashMap<&str, &str> = ids
        .iter()
        .zip(["x", "x", "x", "y", "y", "y"])
        .map(|(i, p)| (*i, p))
        .collect();
    let gold: AHashMap<&str, GoldLabel> = ids
        .iter()
        .zip(["1", "1", "2", "2", "3", "3"])
        .map(|(i, g)| {
            (
                *i,
                GoldLabel {
                    group: g.into(),
                    kind: None,
                },
            )
        })
        .collect();
    let m = evaluate(&ids, &predicted, &gold);
    // index = 2 (pairs ab, ef), expected = 6*3/15 = 1.2, max = (6+3)/2 = 4.5
    let ari = (2.0 - 1.2) / (4.5 - 1.2);
    assert!(
        (m.adjusted_rand_index - ari).abs() < 1e-12,
        "{}",
        m.adjusted_rand_index
    );
}
