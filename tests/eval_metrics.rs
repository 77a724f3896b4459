//! `syndic eval` agrees with an independent, brute-force implementation of
//! pairwise precision/recall/F1 and the adjusted Rand index.

use ahash::AHashMap;
use proptest::prelude::*;
use syndic::eval::{evaluate, GoldLabel};

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn eval_matches_brute_force(labels in prop::collection::vec((0u8..6, 0u8..6), 2..60)) {
        let ids: Vec<String> = (0..labels.len()).map(|i| format!("d{i}")).collect();
        let pred_labels: Vec<String> = labels.iter().map(|(p, _)| format!("p{p}")).collect();
        let predicted: AHashMap<&str, &str> = ids.iter().zip(&pred_labels).map(|(i, p)| (i.as_str(), p.as_str())).collect();
        let gold: AHashMap<&str, GoldLabel> = ids
            .iter()
            .zip(&labels)
            .map(|(i, (_, g))| (i.as_str(), GoldLabel { group: format!("g{g}"), kind: None }))
            .collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
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
