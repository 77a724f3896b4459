"""Timings of the Python package against the CLI and against datasketch and
rensa (each skipped when not installed), medians of several runs.

    python benches/python_bench.py /tmp/bbcgen/articles.jsonl

The corpus is a JSON Lines file (BBC-generated: `syndic corpora generate
--from ../shared/corpora/bbc --out /tmp/bbcgen`); the CLI is SYNDIC_BIN or
target/release/syndic.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.json as pj

import syndic

ROOT = Path(__file__).resolve().parents[1]
CLI = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))


def median_time(f, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_pipeline(path, runs):
    """The CLI's pipeline time (the sum of its stage times) and wall time."""
    stages, walls = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([CLI, "cluster", "-q", str(path), "-o", f"{tmp}/c.jsonl",
                            "--stats", f"{tmp}/s.json"], check=True)
            walls.append(time.perf_counter() - start)
            summary = json.load(open(f"{tmp}/s.json"))["summary"]
            stages.append(sum(seconds for _, seconds in summary["stage_seconds"]))
    return statistics.median(stages), statistics.median(walls)


def main():
    path = Path(sys.argv[1])
    runs = int(os.environ.get("RUNS", "7"))
    table = pj.read_json(path)
    pipeline, wall = cli_pipeline(path, runs)
    syndic.cluster(table)  # warm up
    python = median_time(lambda: syndic.cluster(table), runs)
    print(f"CLI pipeline (sum of stages)   {pipeline:.3f} s   (whole command {wall:.3f} s)")
    print(f"syndic.cluster(pyarrow.Table)  {python:.3f} s   ({python / pipeline:.2f}x the CLI pipeline)")

    words = []
    for text in table.column("text").to_pylist():
        words.extend(text.split())
        if len(words) >= 1_000_000:
            break
    words = words[:1_000_000]
    items = [w.encode() for w in words]

    def syndic_oph():
        syndic.MinHash(num_perm=128).update_batch(items)

    rows = [("syndic MinHash.update_batch (bytes)", syndic_oph)]
    try:
        import rensa

        rows.append(("rensa RMinHash.update (str)", lambda: rensa.RMinHash(num_perm=128, seed=1).update(words)))
    except ImportError:
        pass
    try:
        import datasketch

        rows.append(("datasketch MinHash.update_batch (bytes)",
                     lambda: datasketch.MinHash(num_perm=128).update_batch(items)))
    except ImportError:
        pass
    for name, f in rows:
        t = median_time(f, runs)
        print(f"{name:40s} {t:.3f} s for 1M tokens = {1 / t:6.1f} M tokens/s")


if __name__ == "__main__":
    main()
