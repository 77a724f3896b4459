#!/usr/bin/env python3
"""Compare syndic with MinHash peers on one labeled corpus.

Runs datasketch, rensa and gaoya the way their users do (whole-page word
5-gram shingles, 128 permutations, threshold 0.8, 16 bands x 8 rows; every LSH
candidate pair is a duplicate, joined by union-find, as text-dedup does), runs
`syndic cluster` on the same file, and scores all of them with the same code:
pairwise precision / recall / F1 and per-copy-kind recall against labels.tsv.
On a many-world corpus, give it labels made with `scripts/make_worlds.py
--same-base` (one base article one cluster across worlds), or its pair
precision counts every join across worlds as false.

Not part of `cargo test`. Needs: pip install datasketch rensa gaoya
Usage: scripts/compare_peers.py corpus/articles.jsonl corpus/labels.tsv [--syndic target/release/syndic]
       [--tools gaoya] (peers to run; syndic runs with its defaults and with the peers' banding)
"""
import argparse, collections, json, re, subprocess, tempfile, time, os, platform

WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=5):
    toks = WORD.findall(text.lower())
    return {" ".join(toks[i:i + n]) for i in range(max(0, len(toks) - n + 1))} or {" ".join(toks)}


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.p[max(a, b)] = min(a, b)


def clusters_from_matches(n, matches):
    uf = UnionFind(n)
    for i, js in matches:
        for j in js:
            uf.union(i, j)
    return [uf.find(i) for i in range(n)]


def run_datasketch(texts, args):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(num_perm=args.num_perm, params=(args.bands, args.rows))
    sigs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=args.num_perm)
        m.update_batch([s.encode() for s in shingles(t)])
        sigs.append(m)
        lsh.insert(i, m)
    return [(i, lsh.query(m)) for i, m in enumerate(sigs)]


def run_rensa(texts, args):
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=args.num_perm, num_bands=args.bands)
    sigs = []
    for i, t in enumerate(texts):
        m = RMinHash(num_perm=args.num_perm, seed=42)
        m.update(list(shingles(t)))
        sigs.append(m)
        lsh.insert(i, m)
    return [(i, lsh.query(m)) for i, m in enumerate(sigs)]


def run_gaoya(texts, args):
    from gaoya.minhash import MinHashStringIndex
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=args.threshold, num_bands=args.bands,
                               band_size=args.rows, num_hashes=args.num_perm, analyzer="word",
                               lowercase=True, ngram_range=(5, 5))
    ids = list(range(len(texts)))
    index.par_bulk_insert_docs(ids, texts)
    return list(zip(ids, index.par_bulk_query(texts)))


def score(ids, groups, labels):
    """Pairwise P/R/F1 and per-kind recall (copy shares a group with its gold origin)."""
    gold = {i: labels[i][0] for i in ids if i in labels}
    cells, pred_sizes, gold_sizes = collections.Counter(), collections.Counter(), collections.Counter()
    for i, g in zip(ids, groups):
        if i in gold:
            cells[(g, gold[i])] += 1
            pred_sizes[g] += 1
            gold_sizes[gold[i]] += 1
    pairs = lambda c: c * (c - 1) / 2
    tp = sum(pairs(c) for c in cells.values())
    pp = sum(pairs(c) for c in pred_sizes.values())
    gp = sum(pairs(c) for c in gold_sizes.values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    group_of = dict(zip(ids, groups))
    origin = {}
    for i in ids:
        if i in labels and labels[i][1] in ("origin", "rewrite"):
            origin.setdefault(labels[i][0], i)
    kinds = collections.defaultdict(lambda: [0, 0])
    for i in ids:
        if i not in labels or origin.get(labels[i][0]) in (None, i):
            continue
        k = kinds[labels[i][1]]
        k[1] += 1
        k[0] += group_of[i] == group_of[origin[labels[i][0]]]
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), {k: v[0] / v[1] for k, v in kinds.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("labels")
    ap.add_argument("--syndic", default="target/release/syndic")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--bands", type=int, default=16)
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tools", default="datasketch,rensa,gaoya", help="peers to run, comma-separated")
    args = ap.parse_args()

    docs = [json.loads(l) for l in open(args.corpus, encoding="utf-8") if l.strip()]
    ids = [d["id"] for d in docs]
    texts = [d["text"] for d in docs]
    labels = {}
    with open(args.labels, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            labels[row["id"]] = (row["cluster"], row.get("kind", ""))

    rows = []
    peers = [("datasketch", run_datasketch), ("rensa", run_rensa), ("gaoya", run_gaoya)]
    for name, fn in [p for p in peers if p[0] in args.tools.split(",")]:
        try:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                matches = fn(texts, args)
                times.append(time.perf_counter() - t0)
        except ImportError as e:
            print(f"skipping {name}: {e}")
            continue
        groups = clusters_from_matches(len(texts), matches)
        rows.append((name, sorted(times)[len(times) // 2]) + score(ids, groups, labels))

    # syndic with its defaults, then with the peers' threshold and banding;
    # the runs alternate so that both see the same machine.
    peer_flags = ["--threshold", str(args.threshold), "--bands", str(args.bands), "--rows", str(args.rows)]
    variants = [("syndic (whole command)", []), ("syndic, peers' parameters", peer_flags)]
    with tempfile.TemporaryDirectory() as tmp:
        times = {name: [] for name, _ in variants}
        for _ in range(args.repeat):
            for name, flags in variants:
                out = os.path.join(tmp, f"{len(flags)}.jsonl")
                t0 = time.perf_counter()
                subprocess.run([args.syndic, "cluster", args.corpus, "-o", out, "-q"] + flags, check=True)
                times[name].append(time.perf_counter() - t0)
        for name, flags in variants:
            pred = {}
            for l in open(os.path.join(tmp, f"{len(flags)}.jsonl"), encoding="utf-8"):
                d = json.loads(l)
                pred[d["id"]] = d["cluster"]
            t = sorted(times[name])[len(times[name]) // 2]
            rows.append((name, t) + score(ids, [pred[i] for i in ids], labels))

    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"Corpus: {args.corpus} ({len(docs)} docs, {mb:.1f} MB); {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"peers: word 5-grams, {args.num_perm} perms, {args.bands}x{args.rows} bands; median of {args.repeat} runs\n")
    kinds = sorted({k for r in rows for k in r[5]})
    print("| tool | time (s) | pair P | pair R | pair F1 | " + " | ".join(f"recall {k}" for k in kinds) + " |")
    print("|---|---|---|---|---|" + "---|" * len(kinds))
    for name, t, p, r, f1, per in rows:
        print(f"| {name} | {t:.2f} | {p:.3f} | {r:.3f} | {f1:.3f} | " + " | ".join(f"{per.get(k, 0):.3f}" for k in kinds) + " |")


if __name__ == "__main__":
    main()
