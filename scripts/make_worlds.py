#!/usr/bin/env python3
"""Concatenate generated corpora ("worlds") into one many-world corpus.

Each argument is a folder holding an `articles.jsonl` (from `syndic corpora
generate` or `benches/copies/copymaker.py`). Every record's id is prefixed
with its folder's name, so the worlds' ids stay distinct:

    syndic corpora generate --from ../shared/corpora/bbc --out w/b11 --seed 11
    python3 benches/copies/copymaker.py --bbc ../shared/corpora/bbc \\
        --reuters ../shared/corpora/reuters21578 --out w/c11 --tesseract 0 --seed 11
    syndic corpora generate --from '../shared/corpora/reuters21578/reut2-*.sgm' \\
        --out w/r11 --seed 11
    python3 scripts/make_worlds.py --out s03.jsonl w/b11 w/c11 w/r11

With `--labels FILE`, the worlds' `labels.tsv` are joined too, with ids,
clusters and stories prefixed by world. They call the same article in two
worlds two clusters: a many-world corpus repeats the same base articles in
every world, so it measures speed and memory, not quality (which is measured
per world); the labels only let scripts that need them run.
"""

import argparse
import json
import os
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="the JSON Lines file to write")
    ap.add_argument("--labels", help="also join the worlds' labels.tsv into this file")
    ap.add_argument("worlds", nargs="+", help="folders with an articles.jsonl, in order")
    args = ap.parse_args()
    if args.labels:
        with open(args.labels, "w", encoding="utf-8") as out:
            out.write("id\tcluster\tstory\tkind\n")
            for world in args.worlds:
                name = os.path.basename(os.path.normpath(world))
                with open(os.path.join(world, "labels.tsv"), encoding="utf-8") as f:
                    next(f, None)
                    for line in f:
                        cols = line.rstrip("\n").split("\t")
                        if len(cols) < 4:
                            continue
                        cols[:3] = [f"{name}/{c}" for c in cols[:3]]
                        out.write("\t".join(cols) + "\n")
    pages = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for world in args.worlds:
            name = os.path.basename(os.path.normpath(world))
            path = os.path.join(world, "articles.jsonl")
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError as e:
                        print(f"{path}:{n}: not JSON: {e}", file=sys.stderr)
                        return 1
                    rec["id"] = f"{name}/{rec['id']}"
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    pages += 1
    print(f"{pages} pages from {len(args.worlds)} worlds -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
