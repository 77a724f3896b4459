"""Wall time and shuffle bytes of each stage of `syndic.spark.cluster`, for
the README's scale table:

    python benches/spark_scale.py /tmp/bbcgen/articles.jsonl [cores] [partitions]

Runs the whole job in local[cores] with Spark's UI on, writing Parquet to a
temporary folder, then reads Spark's REST API: every job carries the
description of the syndic stage that ran it (``syndic: sign``, ...), so
time and shuffle bytes add up per stage. Prints a Markdown table, the
largest connected components (from the ``syndic.spark`` log) and the CLI's
time on the same file for comparison.
"""

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import datetime
from pathlib import Path

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession  # noqa: E402

import syndic.spark as ss  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLI = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))


class Lines(logging.Handler):
    """Keeps the syndic.spark log lines."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def rest(spark, path):
    url = spark.sparkContext.uiWebUrl + "/api/v1/applications/" + spark.sparkContext.applicationId + path
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def when(t):
    return datetime.strptime(t.replace("GMT", ""), "%Y-%m-%dT%H:%M:%S.%f")


def main():
    path = sys.argv[1]
    cores = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    partitions = int(sys.argv[3]) if len(sys.argv) > 3 else 2 * cores
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("syndic scale")
             .config("spark.ui.enabled", "true").config("spark.ui.port", "4050")
             .config("spark.sql.shuffle.partitions", str(partitions))
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    log = Lines()
    logging.getLogger("syndic.spark").addHandler(log)
    stderr = logging.StreamHandler()
    stderr.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("syndic.spark").addHandler(stderr)
    logging.getLogger("syndic.spark").setLevel(logging.INFO)
    size = os.path.getsize(path)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ss.cluster(spark, [path], output=f"{tmp}/out.parquet", partitions=partitions)
        total = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([CLI, "cluster", "-q", path, "-o", f"{tmp}/cli.jsonl", "--threads", str(cores)],
                       check=True)
        cli = time.perf_counter() - start
        docs = sum(1 for _ in open(f"{tmp}/cli.jsonl"))
    time.sleep(1)  # the REST API lags the last job's end
    jobs = rest(spark, "/jobs?status=succeeded")
    stages = {s["stageId"]: s for s in rest(spark, "/stages?status=complete")}
    by = defaultdict(lambda: [0.0, 0, 0, 0])
    for j in jobs:
        name = j.get("description", "?").removeprefix("syndic: ")
        name = re.sub(r": (pairs|components)$", ": components", name)
        row = by[name]
        row[0] += (when(j["completionTime"]) - when(j["submissionTime"])).total_seconds()
        for sid in j["stageIds"]:
            s = stages.get(sid)
            if s:
                row[1] += s.get("shuffleWriteBytes", 0)
                row[2] += s.get("inputBytes", 0)
                row[3] += 1
    print(f"{path}: {docs} documents, {size / 1e6:.1f} MB, local[{cores}], {partitions} partitions")
    print(f"whole job {total:.1f} s (CLI on the same cores: {cli:.2f} s)\n")
    print("| stage | jobs' wall time (s) | shuffle written (MB) | shuffle bytes per document |")
    print("|---|---|---|---|")
    for name, (secs, shuffle, _, _) in by.items():
        print(f"| {name} | {secs:.1f} | {shuffle / 1e6:.1f} | {shuffle / docs:.0f} |")
    all_shuffle = sum(r[1] for r in by.values())
    print(f"| **total** | {sum(r[0] for r in by.values()):.1f} | {all_shuffle / 1e6:.1f} | "
          f"{all_shuffle / docs:.0f} |")
    print()
    for line in log.lines:
        if "largest" in line:
            print(line)
    spark.stop()


if __name__ == "__main__":
    main()
