#!/usr/bin/env python3
"""Score syndic's HTML article extraction as the article-extraction benchmark
scores it (scrapinghub/article-extraction-benchmark, evaluate.py): token
4-gram shingles, each page's matched/extra/missing counts as shares of their
sum, precision and recall averaged over pages, F1 of the two means.

Two layouts of gold data:

  --benchmark DIR   the benchmark's folder: ground-truth.json and html/KEY.html.gz
  --pages DIR       html/NAME.html and txt/NAME.txt (as in newspaper4k's tests)

    python3 scripts/extraction_eval.py --benchmark ../shared/corpora/article-extraction-benchmark
    python3 scripts/extraction_eval.py --pages /tmp/newspaper4k/tests/data --worst 5

Runs `syndic extract` (SYNDIC_BIN, else target/release/syndic) on the pages.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    tokens = TOKEN.findall(text or "")
    grams = [tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return Counter(g for g in grams if g)


def page_scores(gold, got):
    g, p = shingles(gold), shingles(got)
    tp = sum(min(g[k], p[k]) for k in g)
    fp = sum(max(0, p[k] - g[k]) for k in p)
    fn = sum(max(0, g[k] - p[k]) for k in g)
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    precision = 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))
    recall = 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))
    return precision, recall, tp + fp > 0, tp + fn > 0


def extract(paths, binary):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "extracted.jsonl"
        subprocess.run([binary, "extract", *map(str, paths), "-o", str(out), "--quiet"], check=True)
        return [json.loads(line) for line in out.open(encoding="utf-8")]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    layout = ap.add_mutually_exclusive_group(required=True)
    layout.add_argument("--benchmark", type=Path)
    layout.add_argument("--pages", type=Path)
    ap.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest F1")
    args = ap.parse_args()
    binary = os.environ.get("SYNDIC_BIN", "target/release/syndic")

    if args.benchmark:
        truth = json.loads((args.benchmark / "ground-truth.json").read_text(encoding="utf-8"))
        pages = {key: (args.benchmark / "html" / f"{key}.html.gz", v["articleBody"]) for key, v in truth.items()}
    else:
        pages = {}
        for html in sorted((args.pages / "html").glob("*.htm*")):
            txt = args.pages / "txt" / (html.stem + ".txt")
            if txt.exists():
                pages[html.stem] = (html, txt.read_text(encoding="utf-8"))
    if not pages:
        sys.exit("no pages with gold text found")

    keys = list(pages)
    got = extract([pages[k][0] for k in keys], binary)
    if len(got) != len(keys):
        sys.exit(f"syndic extract gave {len(got)} documents for {len(keys)} pages")
    precisions, recalls, rows = [], [], []
    for key, record in zip(keys, got):
        p, r, has_p, has_r = page_scores(pages[key][1], record["text"])
        if has_p:
            precisions.append(p)
        if has_r:
            recalls.append(r)
        rows.append((2 * p * r / (p + r) if p + r else 0.0, p, r, key))
    precision = sum(precisions) / max(1, len(precisions))
    recall = sum(recalls) / max(1, len(recalls))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{len(keys)} pages: F1 {f1:.3f}  precision {precision:.3f}  recall {recall:.3f}")
    for f, p, r, key in sorted(rows)[: args.worst]:
        print(f"  {key}: F1 {f:.3f} P {p:.3f} R {r:.3f}")


if __name__ == "__main__":
    main()
