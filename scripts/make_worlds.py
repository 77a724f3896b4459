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
every world, so scored as one corpus every right join across worlds counts
as a false pair (`syndic eval --per-world` scores each world on its own).

With `--same-base` as well, the labels name clusters and stories by base
article instead, across worlds: every copy of one base article, in any
world, is one cluster and one story, which is what a page-level labelling
of the whole corpus says (the shape of issue #19's held-out benchmark:
independent syndications of the same bases). A cluster of its own in one
world (a rewrite, whose text each world makes anew) keeps its world's
prefix, in its base's story. The two generators name a base differently,
so a leading `bbc-` or `reuters-` (the copy-maker's) is dropped: its
`bbc-business-082` and `reuters-11442` are `syndic corpora generate`'s
`business-082` (bbc/business/082.txt) and `11442` (NEWID 11442).
"""

import argparse
import json
import os
import sys

# The copy-maker's prefixes of base articles' names.
SOURCE_PREFIXES = ("bbc-", "reuters-")


def base_name(story: str) -> str:
    """A base article's name as both generators agree on it."""
    for prefix in SOURCE_PREFIXES:
        if story.startswith(prefix):
            return story[len(prefix):]
    return story


def joined_labels(world: str, cols: list[str], same_base: bool) -> list[str]:
    """One row of a world's labels.tsv (id, cluster, story, kind, ...) as the
    many-world corpus labels it (see the module documentation)."""
    doc, cluster, story = cols[:3]
    if not same_base:
        return [f"{world}/{doc}", f"{world}/{cluster}", f"{world}/{story}"] + cols[3:]
    base = base_name(story)
    cluster = base if cluster == story else f"{world}/{cluster}"
    return [f"{world}/{doc}", cluster, base] + cols[3:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="the JSON Lines file to write")
    ap.add_argument("--labels", help="also join the worlds' labels.tsv into this file")
    ap.add_argument(
        "--same-base",
        action="store_true",
        help="with --labels: one base article is one cluster and story across worlds",
    )
    ap.add_argument("worlds", nargs="+", help="folders with an articles.jsonl, in order")
    args = ap.parse_args()
    if args.same_base and not args.labels:
        ap.error("--same-base needs --labels")
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
                        row = joined_labels(name, cols, args.same_base)
                        out.write("\t".join(row) + "\n")
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
