"""syndic.spark in local[2]: documents numbered in input order whatever the
splits, boilerplate learned by shuffles, and signatures equal to the
single-machine ones (`syndic.sign`, which equals `syndic sign`), from one
file, from 7 files and from Parquet, at several partition sizes. Skips when
pyspark or Java is absent."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java for Spark", allow_module_level=True)

import pyarrow as pa
import pyarrow.parquet as pq

import syndic
import syndic.spark as ss

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "articles.jsonl"
BBC = ROOT.parent / "shared" / "corpora" / "bbc"


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("syndic-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "3")
               .config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_bytes(spark, n):
    """Makes Spark cut files into splits of about n bytes (many partitions)."""
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(n))
    spark.conf.set("spark.sql.files.openCostInBytes", str(n))


def assert_signatures_equal(spark, inputs, expected_rows):
    ids, sigs = syndic.sign(expected_rows)
    rows = ss.sign(spark, inputs).orderBy("num").collect()
    assert [r["id"] for r in rows] == ids
    got = np.array([r["signature"] for r in rows], dtype=np.uint64)
    assert np.array_equal(got.astype(np.uint32), sigs)
    assert (got <= 0xFFFFFFFF).all()


def test_sample_from_one_file_seven_files_and_parquet(spark, tmp_path):
    rows = records(SAMPLE)
    for size in (1 << 30, 8 << 10):  # one split; ~5 splits of the file
        split_bytes(spark, size)
        assert_signatures_equal(spark, [str(SAMPLE)], rows)
    # 7 files (the names sort in input order), read through a glob.
    parts = tmp_path / "parts"
    parts.mkdir()
    for k in range(7):
        chunk = rows[k::7]
        with open(parts / f"part-{k}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in chunk)
    seven = [r for k in range(7) for r in rows[k::7]]
    assert_signatures_equal(spark, [str(parts / "part-*.jsonl")], seven)
    # Parquet with several row groups.
    parquet = tmp_path / "sample.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=10)
    split_bytes(spark, 4 << 10)
    assert_signatures_equal(spark, [str(parquet)], rows)
    split_bytes(spark, 128 << 20)


def cli_clusters(path, tmp_path, *flags):
    cli = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))
    if not Path(cli).exists():
        pytest.skip("no syndic binary")
    out = tmp_path / "cli-clusters.jsonl"
    subprocess.run([cli, "cluster", "-q", str(path), "-o", str(out), *flags], check=True)
    return records(out)


def assert_clusters_equal(spark, inputs, expected, partitions=None):
    """Every field of every row, similarities as float32 (bit for bit)."""
    rows = ss.cluster(spark, inputs, partitions=partitions, story={"enabled": False}).orderBy("num").collect()
    assert len(rows) == len(expected)
    for r, e in zip(rows, expected):
        got = r.asDict()
        got.pop("num")
        for f in ("similarity", "containment"):
            if got[f] is not None:
                assert np.float32(got[f]) == np.float32(e[f]), (got, e)
                got[f] = e[f]
        assert got == e


def test_clusters_equal_the_cli_with_stories_off(spark, tmp_path):
    expected = cli_clusters(SAMPLE, tmp_path, "--stories", "off")
    assert_clusters_equal(spark, [str(SAMPLE)], expected, partitions=1)
    assert_clusters_equal(spark, [str(SAMPLE)], expected, partitions=3)
    with pytest.raises(ValueError, match="story grouping does not run on Spark yet"):
        ss.cluster(spark, [str(SAMPLE)])


def test_bad_lines_name_file_and_line(spark, tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "a", "text": "A few words of a story about the harbour bridge."})
    path.write_text(good + "\n\n{\"id\": \"b\", \"text\": 5}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:3: field \"text\" is not a string"):
        ss.read(spark, [str(path)])
    docs = ss.read(spark, [str(path)], skip_invalid=True).collect()
    assert [d["id"] for d in docs] == ["a"]
    dup = tmp_path / "dup.jsonl"
    dup.write_text(good + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"dup.jsonl:2: duplicate id 'a'"):
        ss.read(spark, [str(dup)])


@pytest.mark.skipif(not BBC.exists(), reason="../shared/corpora/bbc is absent")
def test_bbc_generated_at_two_partition_sizes(spark, tmp_path):
    cli = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))
    if not Path(cli).exists():
        pytest.skip("no syndic binary")
    gen = tmp_path / "bbcgen"
    subprocess.run([cli, "corpora", "generate", "--from", str(BBC), "--out", str(gen)], check=True,
                   stderr=subprocess.DEVNULL)
    path = gen / "articles.jsonl"
    rows = records(path)
    for size in (128 << 20, 4 << 20):
        split_bytes(spark, size)
        assert_signatures_equal(spark, [str(path)], rows)
    split_bytes(spark, 128 << 20)
    expected = cli_clusters(path, tmp_path, "--stories", "off")
    assert_clusters_equal(spark, [str(path)], expected, partitions=2)
    assert_clusters_equal(spark, [str(path)], expected, partitions=5)


def test_module_command_writes_the_cli_rows(tmp_path):
    """`python -m syndic.spark cluster` in its own process: a JSON Lines
    folder whose rows, in order, are the CLI's; an existing output is
    refused, not replaced; stories on is refused with exit 2."""
    expected = cli_clusters(SAMPLE, tmp_path, "--stories", "off")
    out = tmp_path / "spark-clusters.jsonl"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    base = [sys.executable, "-m", "syndic.spark", "cluster", str(SAMPLE), "--master", "local[2]"]
    run = subprocess.run([*base, "-o", str(out), "--stories", "off"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [json.loads(line) for part in sorted(out.glob("part-*")) for line in open(part)]
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert [r["cluster"] for r in rows] == [e["cluster"] for e in expected]
    again = subprocess.run([*base, "-o", str(out), "--stories", "off"], env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "already exists" in again.stderr
    refused = subprocess.run([*base, "-o", str(tmp_path / "x.jsonl")], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "story grouping does not run on Spark yet" in refused.stderr
