"""syndic.spark in local[2]: documents numbered in input order whatever the
splits, boilerplate learned by shuffles, signatures equal to the
single-machine ones (`syndic.sign`, which equals `syndic sign`), and
clusters and stories equal to `syndic cluster` in every field, from one
file, from 7 files and from Parquet, at several partition counts. Skips
when pyspark or Java is absent."""

import datetime
import html
import json
import os
import random
import re
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
REUTERS = ROOT.parent / "shared" / "corpora" / "reuters21578"


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


# Each Spark run of the pipeline costs 14-20 s in local[2] however small
# its input (about 180 jobs), so CI runs each rule's fixture at one
# partition count and the sample at two; SYNDIC_SPARK_FULL=1 runs every
# fixture at 1 and 3 partitions (and adds the matrix below).
FULL_RUN = bool(os.environ.get("SYNDIC_SPARK_FULL"))


def partition_counts(*ci: int, full: tuple = (1, 3)) -> tuple:
    """The partition counts a fixture's Spark runs use: ``ci`` in CI,
    ``full`` (1 and 3 unless a test gives its own) with SYNDIC_SPARK_FULL."""
    return full if FULL_RUN else ci


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


def cli_clusters(paths, tmp_path, *flags):
    cli = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))
    if not Path(cli).exists():
        pytest.skip("no syndic binary")
    out = tmp_path / "cli-clusters.jsonl"
    paths = paths if isinstance(paths, list) else [paths]
    subprocess.run([cli, "cluster", "-q", *map(str, paths), "-o", str(out), *flags], check=True)
    return records(out)


def assert_clusters_equal(spark, inputs, expected, partitions=None, **settings):
    """Every field of every row, similarities as float32 (bit for bit)."""
    rows = ss.cluster(spark, inputs, partitions=partitions, **settings).orderBy("num").collect()
    spark.catalog.clearCache()  # the run's cached tables, no longer needed
    assert len(rows) == len(expected)
    for r, e in zip(rows, expected):
        got = r.asDict()
        got.pop("num")
        for f in ("similarity", "containment"):
            if got[f] is not None:
                assert np.float32(got[f]) == np.float32(e[f]), (got, e)
                got[f] = e[f]
        assert got == e


def test_clusters_and_stories_equal_the_cli(spark, tmp_path):
    expected = cli_clusters(SAMPLE, tmp_path)
    assert len({e["story"] for e in expected}) < len({e["cluster"] for e in expected}), "stories form"
    for partitions in partition_counts(1, 16, full=(1, 3, 16)):
        assert_clusters_equal(spark, [str(SAMPLE)], expected, partitions=partitions)
    off = cli_clusters(SAMPLE, tmp_path, "--stories", "off")
    assert_clusters_equal(spark, [str(SAMPLE)], off, partitions=3, story={"enabled": False})


def test_a_translation_joins_by_names_as_in_the_cli(spark, tmp_path):
    """A report and its German translation are one story by the names they
    share (candidates by name marks, in two languages only), on Spark as in
    the CLI (tests/library.rs: `a_translation_joins_its_report_by_names_alone`)."""
    path = ROOT / "tests" / "fixtures" / "translation.jsonl"
    config = tmp_path / "few-top-terms.toml"
    config.write_text("[story]\ntop_terms = 4\n")
    expected = cli_clusters(path, tmp_path, "--config", str(config))
    story = {e["id"]: e["story"] for e in expected}
    assert story["report"] == story["translation"]
    assert story["report"] != story["same-names-other-event"]
    for partitions in partition_counts(1):
        assert_clusters_equal(spark, [str(path)], expected, partitions=partitions, story={"top_terms": 4})


def test_a_report_in_another_script_joins_as_in_the_cli(spark, tmp_path):
    """A Chinese report joins the English report of its event by the names it
    writes in Latin letters (candidates by fewer names in two scripts), and
    two pages that share only a site's chrome stay apart, on Spark as in the
    CLI (tests/library.rs: `a_report_in_another_script_joins_by_the_names_in_its_lead`)."""
    path = ROOT / "tests" / "fixtures" / "scripts.jsonl"
    expected = cli_clusters(path, tmp_path)
    story = {e["id"]: e["story"] for e in expected}
    assert story["report"] == story["translation"]
    assert story["storm-zh"] != story["budget-en"]
    for partitions in partition_counts(3):
        assert_clusters_equal(spark, [str(path)], expected, partitions=partitions)


def test_reports_joined_by_a_unique_combination_of_words_as_in_the_cli(spark, tmp_path):
    """Two reports of one harbour fire share only words that many clusters
    hold, but no other cluster holds most of them together: one story by
    their combination (its posting lists joined on Spark before the
    components are grouped), on Spark as in the CLI, and apart with the rule
    off. The rule is isolated on the corpus's own word counts
    (`background_documents = 0`): with the background of general news, the
    two are a close rewrite, also on Spark (tests/library.rs:
    `reports_of_one_day_join_by_a_combination_of_words_no_other_holds`)."""
    path = ROOT / "tests" / "fixtures" / "combination.jsonl"
    own = {"background_documents": 0.0}
    off = {**own, "combination_share": 0.0}
    cases = []
    for name, story, joined in (("default", {}, True), ("own", own, True), ("off", off, False)):
        settings = tmp_path / f"{name}.toml"
        settings.write_text("[story]\n" + "".join(f"{k} = {v}\n" for k, v in story.items()))
        cases.append((story, ("--config", str(settings)), joined))
    for (story, flags, joined), ci in zip(cases, (1, 3, 2)):
        expected = cli_clusters(path, tmp_path, *flags)
        of = {e["id"]: e["story"] for e in expected}
        assert (of["fire-a"] == of["fire-b"]) == joined, story
        for partitions in partition_counts(ci):
            assert_clusters_equal(spark, [str(path)], expected, partitions=partitions, story=story)


def test_a_lone_report_beside_a_late_copy_as_in_the_cli(spark, tmp_path):
    """Another outlet's report, published a month after an article and five
    hours after the article's late OCR-noisy copy, joins the article's story
    (a lone page is dated beside the nearest page of a cluster: each
    representative carries its cluster's dates to the grouping), on Spark as
    in the CLI; copied itself, it stays apart (tests/library.rs:
    `a_lone_report_is_dated_beside_the_nearest_copy_of_a_cluster`)."""
    rows = [json.loads(line) for line in open(SAMPLE, encoding="utf-8")]
    copy = next(r for r in rows if r["id"] == "02-vineyard-frost-r0-syndicated-17")
    rows = [r for r in rows if r is not copy]
    report = next(r for r in rows if r["id"] == "02-vineyard-frost-r0-rewrite-16")
    report["published"] = "2026-05-19T14:00:00Z"
    copy["published"] = "2026-05-19T15:30:00Z"
    for name, docs, joined, ci in (("lone", rows, True, 3), ("copied", rows + [copy], False, 1)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in docs), encoding="utf-8")
        expected = cli_clusters(path, tmp_path)
        story = {e["id"]: e["story"] for e in expected}
        assert (story["02-vineyard-frost-r0-rewrite-16"] == story["02-vineyard-frost-origin-9"]) == joined
        for partitions in partition_counts(ci):
            assert_clusters_equal(spark, [str(path)], expected, partitions=partitions)


def layouts(rows, tmp_path):
    """The same documents as one JSON Lines file, as 7 files (in the order
    of their sorted names) and as Parquet with several row groups: each
    with the list of paths the CLI reads them from."""
    one = tmp_path / "one.jsonl"
    with open(one, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    parts = tmp_path / "parts"
    parts.mkdir()
    for k in range(7):
        with open(parts / f"part-{k}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows[k::7])
    parquet = tmp_path / "all.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=max(len(rows) // 6, 1))
    seven = sorted(parts.glob("part-*.jsonl"))
    return {"one file": ([str(one)], [one]), "7 files": ([str(parts / "part-*.jsonl")], seven),
            "parquet": ([str(parquet)], [parquet])}


def generated(name, tmp_path):
    """Generated corpus `name` (bbc or reuters) from ../shared/corpora."""
    cli = os.environ.get("SYNDIC_BIN", str(ROOT / "target" / "release" / "syndic"))
    source = {"bbc": [str(BBC)], "reuters": sorted(map(str, REUTERS.glob("reut2-*.sgm")))}[name]
    if not source or not Path(source[0]).exists():
        pytest.skip(f"../shared/corpora for {name} is absent")
    if not Path(cli).exists():
        pytest.skip("no syndic binary")
    gen = tmp_path / f"{name}gen"
    from_args = [a for s in source for a in ("--from", s)]
    subprocess.run([cli, "corpora", "generate", *from_args, "--out", str(gen)], check=True,
                   stderr=subprocess.DEVNULL)
    return gen / "articles.jsonl"


# The whole matrix of the Spark issue: corpora x layouts x partitions. Long
# (tens of minutes in local[2]), so it runs when SYNDIC_SPARK_FULL is set;
# CI runs the sample and BBC-generated tests above and below.
FULL = [(corpus, layout, p) for corpus in ("sample", "bbc", "reuters")
        for layout, p in (("one file", 1), ("one file", 3), ("one file", 16), ("7 files", 3),
                          ("parquet", 16))]


@pytest.mark.skipif(not FULL_RUN, reason="set SYNDIC_SPARK_FULL=1 (long)")
@pytest.mark.parametrize("corpus,layout,partitions", FULL)
def test_full_matrix_equals_the_cli(spark, tmp_path, corpus, layout, partitions):
    path = SAMPLE if corpus == "sample" else generated(corpus, tmp_path)
    inputs, cli_paths = layouts(records(path), tmp_path)[layout]
    expected = cli_clusters(cli_paths, tmp_path)
    assert_clusters_equal(spark, inputs, expected, partitions=partitions)


def test_components_are_those_of_union_find(spark):
    """Label propagation with pointer jumping labels every document of a
    pair with the smallest ``num`` of its component: on a path of 64
    documents numbered at random (several rounds), a star, and random
    pairs among 300 documents, against union-find."""
    rng = random.Random(20261207)
    nums = rng.sample(range(10_000), 400)
    pairs = [(nums[i], nums[i + 1]) for i in range(63)]
    pairs += [(nums[64], nums[k]) for k in range(65, 100)]
    pairs += [tuple(rng.sample(nums[100:], 2)) for _ in range(200)]
    parent = {n: n for p in pairs for n in p}

    def root(n):
        while parent[n] != n:
            n = parent[n]
        return n

    for a, b in pairs:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    expected = {n: root(n) for n in parent}
    assert len(set(expected.values())) > 3
    df = spark.createDataFrame(pairs, "a long, b long").repartition(3)
    got = {r["num"]: r["label"] for r in ss.components(df, "test").collect()}
    assert got == expected


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


def reuters_reports(tmp_path, name, wanted=None, files="reut2-*.sgm"):
    """Reuters-21578 reports as JSON Lines (id, title, body and date of
    each): those of the files matching `files`, or only the ids in
    `wanted`."""
    files = sorted(REUTERS.glob(files))
    if not files:
        pytest.skip("../shared/corpora/reuters21578 is absent")
    rows = []
    for f in files:
        for m in re.finditer(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>',
                             f.read_text(encoding="latin-1"), re.S):
            if wanted is not None and m.group(1) not in wanted:
                continue

            def part(tag, report=m.group(2)):
                found = re.search(f"<{tag}>(.*?)</{tag}>", report, re.S)
                return html.unescape(found.group(1)).strip() if found else ""

            when = datetime.datetime.strptime(part("DATE").split(".")[0], "%d-%b-%Y %H:%M:%S")
            rows.append({"id": m.group(1), "title": part("TITLE"), "text": part("BODY"),
                         "published": when.isoformat() + "Z"})
    assert wanted is None or len(rows) == len(wanted)
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def trade_reports(tmp_path):
    """The 100 Reuters-21578 `trade` reports of our third thread set
    (benches/stories/reuters-trade-threads.tsv)."""
    labels = ROOT / "benches" / "stories" / "reuters-trade-threads.tsv"
    wanted = {line.split("\t")[0] for line in labels.read_text(encoding="utf-8").splitlines()[1:]}
    return reuters_reports(tmp_path, "trade", wanted)


def test_a_long_developing_story_merges_its_threads_as_in_the_cli(spark, tmp_path):
    """The U.S.-Japan chip dispute of March-April 1987 (25 of our trade set's
    reports) is more than one star reaches at the thread level; its star
    groups, linked by edges between their stories, merge by their centroids
    (`thread.merge_similarity`), on Spark as in the CLI, and stand apart with
    the merging off (tests/real_corpora.rs: `energy_threads_run_alone`)."""
    path = trade_reports(tmp_path)
    off = tmp_path / "off.toml"
    off.write_text("[thread]\nmerge_similarity = 0.0\n")
    merged = cli_clusters(path, tmp_path)
    apart = cli_clusters(path, tmp_path, "--config", str(off))
    assert len({e["thread"] for e in merged}) < len({e["thread"] for e in apart})
    for partitions in partition_counts(1):
        assert_clusters_equal(spark, [str(path)], merged, partitions=partitions)
    assert_clusters_equal(spark, [str(path)], apart, partitions=3, thread={"merge_similarity": 0.0})


def test_a_saga_in_a_larger_corpus_joins_by_its_bursty_names_as_in_the_cli(spark, tmp_path):
    """In Reuters-21578's first 3,000 reports (February 26 - March 6, 1987),
    the TWA-USAir-Piedmont takeover fight's names are held by more stories
    than the thread level's `rare_posting`, so its reports shared too few
    rare terms; inside its days those names are rare (`thread.bursty_posting`,
    `syndic::story::burst_members`), and its threads join, on Spark as in
    the CLI (dates, prose and each list's burst counted by the same
    kernels), and stay apart with the rule off."""
    path = reuters_reports(tmp_path, "reuters-3000", files="reut2-00[0-2].sgm")
    off = tmp_path / "off.toml"
    off.write_text("[thread]\nbursty_posting = 0\n")
    joined = cli_clusters(path, tmp_path)
    apart = cli_clusters(path, tmp_path, "--config", str(off))
    saga = ["1735", "1996", "2546", "2917", "2948"]  # TWA's bid, USAir's rejection, the suits
    thread = {e["id"]: e["thread"] for e in joined}
    assert len({thread[i] for i in saga}) == 1
    thread_off = {e["id"]: e["thread"] for e in apart}
    assert len({thread_off[i] for i in saga}) > 1
    assert_clusters_equal(spark, [str(path)], joined, partitions=3)
    if FULL_RUN:  # without bursts, as the story level always runs (its default)
        assert_clusters_equal(spark, [str(path)], apart, partitions=2, thread={"bursty_posting": 0})


def test_one_sessions_price_tables_as_in_the_cli(spark, tmp_path):
    """Reuters-21578's reports of April 3-8, 1987 hold many market tables.
    Hong Kong's exchange rates at noon and at 15:00 share their labels
    (currency codes) in both leads but few of their figures: two tables, so
    "the names of one event" does not make them one story
    (`syndic::story::tables_share_figures`, read by the CLI's grouping from
    the documents' figures), on Spark as in the CLI
    (tests/real_corpora.rs: `one_sessions_price_tables_are_no_story`)."""
    path = reuters_reports(tmp_path, "reuters-april", files="reut2-01[34].sgm")
    expected = cli_clusters(path, tmp_path)
    story = {e["id"]: e["story"] for e in expected}
    assert story["13293"] != story["13344"]
    assert_clusters_equal(spark, [str(path)], expected, partitions=3)


def test_bbc_generated_at_two_partition_sizes(spark, tmp_path):
    path = generated("bbc", tmp_path)
    rows = records(path)
    for size in (128 << 20, 4 << 20):
        split_bytes(spark, size)
        assert_signatures_equal(spark, [str(path)], rows)
    split_bytes(spark, 128 << 20)
    expected = cli_clusters(path, tmp_path)
    for partitions in partition_counts(5, full=(2, 5)):
        assert_clusters_equal(spark, [str(path)], expected, partitions=partitions)


def test_module_command_writes_the_cli_rows(tmp_path):
    """`python -m syndic.spark cluster` in its own process: a JSON Lines
    folder whose rows, in order, are the CLI's; an existing output is
    refused, not replaced. With --checkpoint-dir the stage outputs are
    reliable checkpoints there."""
    expected = cli_clusters(SAMPLE, tmp_path)
    out = tmp_path / "spark-clusters.jsonl"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    # The module fits the shuffle partitions to 54 pages (Spark's default is 200).
    base = [sys.executable, "-m", "syndic.spark", "cluster", str(SAMPLE), "--master", "local[2]",
            "--conf", "spark.ui.enabled=false"]
    checkpoints = tmp_path / "checkpoints"
    run = subprocess.run([*base, "-o", str(out), "--checkpoint-dir", str(checkpoints)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "spark.sql.shuffle.partitions=4 for this input's size" in run.stderr
    assert any(checkpoints.rglob("part-*")), "stage outputs were checkpointed reliably"
    rows = [json.loads(line) for part in sorted(out.glob("part-*")) for line in open(part)]
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert rows == [{k: v for k, v in e.items() if v is not None} for e in expected]
    again = subprocess.run([*base, "-o", str(out)], env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_an_existing_output_is_refused_before_spark_starts_when_surely_local(tmp_path, monkeypatch):
    """A local output that exists is refused at once (no JVM start-up); a
    path without a scheme is surely local only under a local master."""
    assert ss._surely_local("file:///data/out", None) == "/data/out"
    assert ss._surely_local("file:out", "yarn") == "out"
    assert ss._surely_local("out", "local[2]") == "out"
    assert ss._surely_local("out", "yarn") is None
    assert ss._surely_local("out", None) is None
    assert ss._surely_local("hdfs://namenode/out", "local[2]") is None
    existing = tmp_path / "clusters.jsonl"
    existing.mkdir()
    monkeypatch.setattr(ss, "_session", lambda *a: pytest.fail("Spark was started"))
    assert ss.main(["cluster", str(SAMPLE), "-o", str(existing), "--master", "local[2]"]) == 2
    assert ss.main(["sign", str(SAMPLE), "-o", f"file://{existing}"]) == 2
    assert list(existing.iterdir()) == []


def test_conf_takes_key_value_settings():
    assert ss._setting("spark.sql.shuffle.partitions=4") == ("spark.sql.shuffle.partitions", "4")
    assert ss._setting("spark.driver.extraJavaOptions=-Da=b") == ("spark.driver.extraJavaOptions", "-Da=b")
    with pytest.raises(SystemExit):
        ss.main(["cluster", str(SAMPLE), "-o", "out", "--conf", "spark.sql.shuffle.partitions"])


def test_shuffle_partitions_fit_the_input(spark, tmp_path):
    """One shuffle partition per 16 MiB of input, at least two per core,
    never more than Spark's 200; a setting given anywhere is kept."""
    mib = 1 << 20
    assert ss._fitted_partitions(100_000, 2) == 4
    assert ss._fitted_partitions(0, 0) == 2
    assert ss._fitted_partitions(211 * mib, 2) == 14
    assert ss._fitted_partitions(211 * mib, 16) == 32
    assert ss._fitted_partitions(10 << 30, 2) == 200
    assert ss._input_bytes(spark, [str(SAMPLE)]) == SAMPLE.stat().st_size
    assert ss._input_bytes(spark, [str(SAMPLE.parent / "*.jsonl")]) == sum(
        p.stat().st_size for p in SAMPLE.parent.glob("*.jsonl"))
    assert ss._input_bytes(spark, [str(tmp_path / "none-*.jsonl")]) is None
    # The fixture's session sets it (to 3): kept, whether given by --conf or not.
    assert ss._size_shuffles(spark, [str(SAMPLE)], []) is None
    assert ss._size_shuffles(spark, [str(SAMPLE)], [("spark.sql.shuffle.partitions", "7")]) is None
    assert spark.conf.get("spark.sql.shuffle.partitions") == "3"


def test_unset_shuffle_partitions_are_fitted_and_a_bad_glob_left_to_read(monkeypatch):
    """A session where nobody set them gets the fitted number; an input
    Hadoop cannot glob leaves Spark's default (``read`` then names it)."""

    class Conf(dict):
        def contains(self, key):
            return key in self

        def set(self, key, value):
            self[key] = value

    class Context:
        defaultParallelism = 2

        def getConf(self):
            return Conf()

    class Session:
        sparkContext = Context()
        conf = Conf()

    session = Session()
    monkeypatch.setattr(ss, "_input_bytes", lambda spark, inputs: 100_000)
    assert ss._size_shuffles(session, ["news.jsonl"], []) == 4
    assert session.conf == {"spark.sql.shuffle.partitions": "4"}

    def unglobbable(spark, inputs):
        raise RuntimeError("java.net.URISyntaxException")

    session.conf.clear()
    monkeypatch.setattr(ss, "_input_bytes", unglobbable)
    assert ss._size_shuffles(session, ["news{.jsonl"], []) is None
    assert session.conf == {}
    monkeypatch.setattr(ss, "_input_bytes", lambda spark, inputs: 300 << 30)
    assert ss._size_shuffles(session, ["big/*.jsonl"], []) is None, "never above Spark's 200"
    assert session.conf == {}


def test_an_existing_output_on_the_default_file_system_is_refused(spark, tmp_path):
    """Elsewhere the output is looked up on Spark's file system, before any work."""
    existing = tmp_path / "clusters.parquet"
    existing.mkdir()
    with pytest.raises(ValueError, match="already exists"):
        ss._refuse_existing(spark, str(existing))
    ss._refuse_existing(spark, str(tmp_path / "new.parquet"))
