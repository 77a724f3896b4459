//! Correctness of the estimators: MinHash vs exact Jaccard, LSH vs brute force.

use proptest::prelude::*;
use syndic::corpus::generate::Rng;
use syndic::lsh::{candidates, LshParams};
use syndic::minhash::{estimate_jaccard, MinHashConfig, MinHasher, Scheme};
use syndic::shingle::fmix64;
use syndic::verify::scores;

/// Two sets with `shared` common elements and `only_a` / `only_b` private ones.
fn pair_of_sets(seed: u64, shared: usize, only_a: usize, only_b: usize) -> (Vec<u64>, Vec<u64>) {
    let h = |i: usize| fmix64(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i as u64);
    let mut a: Vec<u64> = (0..shared + only_a).map(h).collect();
    let mut b: Vec<u64> = (0..shared)
        .chain(shared + only_a..shared + only_a + only_b)
        .map(h)
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The estimate lies within 4 standard errors sqrt(J(1-J)/k) of the exact
    /// Jaccard (plus one position of slack for J near 0 or 1).
    #[test]
    fn minhash_estimate_within_four_standard_errors(
        seed in any::<u64>(),
        shared in 0usize..400,
        only_a in 0usize..400,
        only_b in 0usize..400,
        classic in any::<bool>(),
    ) {
        prop_assume!(shared + only_a > 0 && shared + only_b > 0);
        let (a, b) = pair_of_sets(seed, shared, only_a, only_b);
        let k = 128;
        let scheme = if classic { Scheme::Classic } else { Scheme::Oph };
        let h = MinHasher::new(MinHashConfig { scheme, num_perm: k, seed }).unwrap();
        let exact = scores(&a, &b).0;
        let est = estimate_jaccard(&h.sign(&a), &h.sign(&b));
        let se = (exact * (1.0 - exact) / k as f64).sqrt();
        prop_assert!((est - exact).abs() <= 4.0 * se + 1.0 / k as f64,
            "{scheme:?}: estimate {est} vs exact {exact} (se {se})");
    }
}

/// On a generated corpus with planted near-duplicates at many similarities,
/// LSH finds (almost) every pair above the threshold that brute force finds,
/// and its recall agrees with the banding's P(candidate).
#[test]
fn lsh_recall_matches_brute_force() {
    let mut rng = Rng::new(11);
    let mut sets: Vec<Vec<u64>> = Vec::new();
    for base in 0..150u64 {
        let original: Vec<u64> = (0..200).map(|i| fmix64(base << 20 | i)).collect();
        sets.push(original.clone());
        for copy in 0..3u64 {
            let keep = 0.75 + 0.25 * rng.below(100) as f64 / 100.0;
            let mut s: Vec<u64> = original
                .iter()
                .copied()
                .filter(|_| rng.chance(keep))
                .collect();
            let extra = ((1.0 - keep) * 200.0) as u64;
            s.extend((0..extra).map(|i| fmix64(base << 40 | copy << 30 | i | 1 << 19)));
            s.sort_unstable();
            s.dedup();
            sets.push(s);
        }
    }
    let threshold = 0.8;
    let h = MinHasher::new(MinHashConfig::default()).unwrap();
    let sigs: Vec<Vec<u32>> = sets.iter().map(|s| h.sign(s)).collect();
    let params = LshParams::for_threshold(threshold, 128, 0.995).unwrap();
    let members: Vec<u32> = (0..sets.len() as u32).collect();
    let found: std::collections::HashSet<(u32, u32)> = candidates(&sigs, &members, params, 256)
        .into_iter()
        .collect();
    let mut truth = 0;
    let mut hit = 0;
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            if scores(&sets[i], &sets[j]).0 >= threshold {
                truth += 1;
                hit += usize::from(found.contains(&(i as u32, j as u32)));
            }
        }
    }
    assert!(
        truth > 50,
        "the generated set must contain near-duplicates ({truth})"
    );
    let recall = hit as f64 / truth as f64;
    assert!(
        recall >= 0.98,
        "LSH recall {recall} ({hit}/{truth}) with {params:?}"
    );
}

/// Signatures do not depend on the thread that computes them.
#[test]
fn signatures_identical_across_threads() {
    let sets: Vec<Vec<u64>> = (0..64)
        .map(|i| (0..100).map(|j| fmix64(i * 1000 + j)).collect())
        .collect();
    let h = MinHasher::new(MinHashConfig::default()).unwrap();
    let serial: Vec<Vec<u32>> = sets.iter().map(|s| h.sign(s)).collect();
    let threaded: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = sets.iter().map(|s| scope.spawn(|| h.sign(s))).collect();
        handles.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(serial, threaded);
}
