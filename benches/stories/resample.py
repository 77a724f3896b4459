"""How far a pair score on SemEval train says anything about a test sample.

Resamples the labelled pairs of a SemEval-2022 task 8 CSV (same: Overall at
most 1.5, different: at least 3.5, as `syndic eval --pairs` counts them),
with replacement, to the size of a test sample, and scores syndic's story
assignments on each resample: the spread of pair F1 that the sample's size
alone gives, if the test pairs were drawn like these. Thresholds were chosen
on train, so the train score is in-sample and the spread is a lower bound
of the uncertainty, not a forecast.

    syndic cluster training_set.csv -o out.jsonl
    python benches/stories/resample.py training_set.csv out.jsonl --same 253 --different 530 --f1 0.72
"""

from __future__ import annotations

import argparse
import csv
import json
import random


def labelled_pairs(path, stories):
    csv.field_size_limit(1 << 30)
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            overall = float(row["Overall"])
            if 1.5 < overall < 3.5:
                continue
            a, b = row["pair_id"].split("_")
            if a in stories and b in stories:
                out.append((overall <= 1.5, stories[a] == stories[b]))
    return out


def score(pairs):
    tp = sum(1 for same, joined in pairs if same and joined)
    fp = sum(1 for same, joined in pairs if not same and joined)
    fn = sum(1 for same, joined in pairs if same and not joined)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", help="SemEval-2022 task 8 CSV (pair_id, Overall)")
    ap.add_argument("pred", help="syndic cluster output (JSON Lines with id and story)")
    ap.add_argument("--same", type=int, required=True, help="same-story pairs in the test sample")
    ap.add_argument("--different", type=int, required=True, help="different pairs in the test sample")
    ap.add_argument("--f1", type=float, default=0.0, help="target pair F1")
    ap.add_argument("--precision", type=float, default=0.0, help="target pair precision")
    ap.add_argument("--resamples", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(args.pred) as f:
        stories = {d["id"]: d["story"] for d in map(json.loads, f)}
    pairs = labelled_pairs(args.pairs, stories)
    same = [p for p in pairs if p[0]]
    different = [p for p in pairs if not p[0]]
    if not same or not different:
        raise SystemExit("resample.py: no same or no different pairs among the predictions")
    p, r, f1 = score(pairs)
    print(f"all {len(same)} same / {len(different)} different pairs: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    rng = random.Random(args.seed)
    f1s, met = [], 0
    for _ in range(args.resamples):
        sample = rng.choices(same, k=args.same) + rng.choices(different, k=args.different)
        p, r, f1 = score(sample)
        f1s.append(f1)
        met += f1 >= args.f1 and p >= args.precision
    f1s.sort()
    at = lambda q: f1s[min(len(f1s) - 1, int(q * len(f1s)))]
    print(f"{args.resamples} resamples of {args.same} same / {args.different} different: "
          f"F1 median {at(0.5):.3f}, 95% [{at(0.025):.3f}, {at(0.975):.3f}]; "
          f"F1 >= {args.f1} at P >= {args.precision} in {met / args.resamples:.0%}")


if __name__ == "__main__":
    main()
