#!/usr/bin/env python3
"""A thread-labelled set from another outlet: BBC business news, 2004-05.

The three thread sets of `energy_threads.py` are Reuters-21578 wire copy of
1987, and the thread settings were chosen on them. This set is of another
outlet, era and style, made as News Story Chains is made (about a hundred
energy-news articles, every pair labelled by whether the two follow one
developing story): every article of the BBC News corpus's `business`
folder that names oil, crude, OPEC, Yukos, Gazprom, petrol or gas (103 of
510; `re.search(r"\\b(oil|crude|opec|yukos|gazprom|petrol|gas)\\b", text,
re.I)`), labelled by us from each one's title and opening, and, where the
call was close, its text, before syndic was run on them (2026-12-06):
`bbc-energy-threads.tsv` (`business/NNN`, thread or `-`, title).

Seven threads, 39 articles, 218 same-thread pairs, 210 of them the Yukos
affair's 21 reports (the auction of Yuganskneftegas and its buyers, the
bankruptcy case in Houston, the suits that followed, Khodorkovsky and his
partners, one comment piece). The others: Cairn Energy's Rajasthan
drilling (a find, a setback, a gas find; each report refers to the last),
the cold weather that took US crude above $50 (two reports of one day),
the dollar's slide and the eurozone's and G20's reactions in November
2004, and three articles that the corpus holds twice. Left apart: the
other daily oil-price reports (each its own day's market), the US trade
gap's monthly figures, successive interest-rate decisions, each country's
data releases, and separate deals of one country (Venezuela's with
Argentina and with China; India's with Russia and with Iran).

The corpus has no dates, so every rule that asks a window or a day sees an
undated pair; and the story stage's background of general news
(`crates/syndic/data/background-en.txt`) was counted over this same BBC
corpus, so its words' weights here are in-sample (`yukos`, held by 1 % of
the corpus, is a listed word).

    python3 benches/stories/bbc_threads.py --bbc ../shared/corpora/bbc --out /tmp/bbc-threads
    syndic cluster /tmp/bbc-threads/articles.jsonl -o /tmp/bbc-threads/clusters.jsonl
    syndic eval --pairs /tmp/bbc-threads/pairs.csv --pred /tmp/bbc-threads/clusters.jsonl --level thread
"""

import argparse
import json
import os
import sys

from energy_threads import write_pairs

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = os.path.join(HERE, "bbc-energy-threads.tsv")


def read_labels(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:2] != ["id", "thread"]:
            sys.exit(f"{path}: expected a header starting id<TAB>thread")
        for n, line in enumerate(f, start=2):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2 or "/" not in fields[0]:
                sys.exit(f"{path}:{n}: expected FOLDER/NNN<TAB>thread")
            rows.append((fields[0], fields[1]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bbc", required=True, help="the bbc folder (one folder per section)")
    ap.add_argument("--out", required=True, help="folder for articles.jsonl and pairs.csv")
    ap.add_argument("--labels", default=LABELS,
                    help="the labelled set (default: bbc-energy-threads.tsv beside this script)")
    args = ap.parse_args()
    rows = read_labels(args.labels)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "articles.jsonl"), "w", encoding="utf-8") as f:
        for id_, _ in rows:
            path = os.path.join(args.bbc, id_ + ".txt")
            if not os.path.isfile(path):
                sys.exit(f"{path}: not found (is --bbc the bbc folder?)")
            with open(path, encoding="latin-1") as a:
                title, _, body = a.read().partition("\n")
            f.write(json.dumps({"id": id_, "title": title.strip(), "text": body.strip()}) + "\n")
    write_pairs(rows, args.out)


if __name__ == "__main__":
    main()
