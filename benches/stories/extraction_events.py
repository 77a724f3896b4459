#!/usr/bin/env python3
"""Scores syndic's stories and threads on the article-extraction benchmark's
181 real pages against our by-eye event labels
(`extraction-benchmark-events.txt`, which says how they were made).

    syndic cluster ../shared/corpora/article-extraction-benchmark/html -o aeb.jsonl
    python3 benches/stories/extraction_events.py aeb.jsonl [--list]

Prints pair precision, recall and F1 per level, ambiguous pairs left out;
`--list` also prints each false and missed pair. Real pages, not made with
syndic's ideas, but our labels: a check on small crawls of one week, where
"rare" terms are only rare in the crawl."""

import collections
import itertools
import json
import sys
from pathlib import Path

LABELS = Path(__file__).with_name("extraction-benchmark-events.txt")


def labelled_pairs(path=LABELS):
    same, ambiguous = set(), set()
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        kind, ids = parts[0], sorted(parts[1:])
        if kind not in ("same", "amb"):
            sys.exit(f"{path}: unknown kind {kind!r}")
        (same if kind == "same" else ambiguous).update(itertools.combinations(ids, 2))
    return same, ambiguous - same


def predicted_pairs(rows, level):
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r[level]].append(r["id"][:8])
    return {p for g in groups.values() for p in itertools.combinations(sorted(g), 2)}


def main():
    args = [a for a in sys.argv[1:] if a != "--list"]
    if len(args) != 1:
        sys.exit(__doc__)
    rows = [json.loads(line) for line in open(args[0], encoding="utf-8")]
    same, ambiguous = labelled_pairs()
    for level in ("story", "thread"):
        pred = predicted_pairs(rows, level)
        tp, fp, fn = len(pred & same), len(pred - same - ambiguous), len(same - pred)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{level}: {len(pred)} pairs predicted ({len(pred & ambiguous)} ambiguous), "
              f"{tp} true, {fp} false, {fn} missed: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
        if "--list" in sys.argv:
            for a, b in sorted(pred - same - ambiguous):
                print(f"  false {a} {b}")
            for a, b in sorted(same - pred):
                print(f"  missed {a} {b}")


if __name__ == "__main__":
    main()
