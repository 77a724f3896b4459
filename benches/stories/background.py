#!/usr/bin/env python3
"""Write the story stage's background of general English news.

syndic's story and thread levels weigh words by TF-IDF over the corpus they
are given. In a corpus of a hundred reports, document frequencies cannot
tell a common word from a name: `quarter`, `figures` or `director` held by
four reports are as "rare" as a minister's name. The story stage therefore
adds `story.background_documents` pseudo-documents of general news to the
frequencies (`crates/syndic/src/story/vectors.rs`, `term_idf`): they hold each word
of this table at its share here, every listed function word of 18 languages
at 30 % (or at its share of the corpus, if higher), and no other word.

The table is each word's share of the 2,225 BBC News articles of 2004-05
(`../shared/corpora/bbc`), over the words that at least 0.5 % of them hold
(5,013 words), folded as syndic folds text (NFKC, lower case, apostrophes
dropped) and split into runs of letters and digits; tokens that start with
a digit are left out. Only these statistics are kept, not the articles.

    python3 benches/stories/background.py --bbc ../shared/corpora/bbc \\
        --out crates/syndic/data/background-en.txt
"""

import argparse
import collections
import os
import re
import sys
import unicodedata

MIN_SHARE = 0.005


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bbc", required=True, help="the bbc folder (one folder per section)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    df = collections.Counter()
    n = 0
    for section in sorted(os.listdir(args.bbc)):
        folder = os.path.join(args.bbc, section)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), encoding="latin-1") as f:
                text = unicodedata.normalize("NFKC", f.read()).lower().replace("'", "")
            words = re.findall(r"[^\W_]+", text)
            df.update({w for w in words if len(w) > 1 and not w[0].isdigit()})
            n += 1
    if n == 0:
        sys.exit(f"no articles under {args.bbc}")
    rows = sorted(((w, c) for w, c in df.items() if c >= MIN_SHARE * n), key=lambda x: (-x[1], x[0]))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(f"# word, share of the {n} BBC News articles (2004-05) that hold it;\n")
        f.write(f"# words held by at least {MIN_SHARE:.1%} of them. Made by benches/stories/background.py.\n")
        for w, c in rows:
            f.write(f"{w} {c / n:.4f}\n")
    print(f"{len(rows)} words from {n} articles -> {args.out}")


if __name__ == "__main__":
    main()
