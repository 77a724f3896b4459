"""syndic on Apache Spark: the Rust kernels do the work inside Spark tasks
(``mapInArrow``), Spark does the reading, shuffles and joins. Works with
pyspark 3.5 and 4.x; no document is collected to the driver (only the
boilerplate model and one row per file split are).

Stages, each a kernel of the ``syndic`` engine (the same code as the CLI):

1. **ingest** (:func:`read`): JSON Lines are read as lines (``spark.read.text``)
   and parsed by the CLI's JSON Lines parser; Parquet by the CLI's column
   reader. Every row carries its file and split (``_metadata``) and its row
   number within the split, so each document gets a global number ``num``
   in input order (inputs in the order given, files sorted by path, rows
   in order), the order the CLI reads them in, whatever the partitioning.
2. **profiles**: each document's folded lines and boilerplate group.
3. **boilerplate** (:func:`boilerplate_model`): a line of a group is
   *recurring* when at least ``min_stories`` pages hold it (a shuffle on
   ``(group, line)``); each page holding one gets a story identity; a
   recurring line is boilerplate when its pages make at least
   ``min_stories`` distinct stories (a second shuffle on the line). The
   model is a list of ``(group, line hash)``, broadcast to the tasks.
4. **sign** (:func:`signatures`): bodies (chrome removed), MinHash
   signatures, LSH band keys, body hashes.

5. **candidates** (:func:`candidates`): first copies of each exact body
   shuffled on ``(band, key)``; each bucket pairs all its members (in a
   bucket of more than ``max_bucket``, each with the next two in input
   order), as the CLI's LSH stage does.
6. **components** (:func:`components`): connected components of the
   candidate pairs by label propagation with pointer jumping (DataFrame
   joins only; no GraphFrames jar).
7. **verify and cluster** (:func:`cluster_frame`): every LSH bucket falls
   inside one candidate component and keeps its input order there, so each
   component clustered alone by the CLI's code under the corpus's model
   gets the candidates, verified edges, representatives and similarities
   of the whole run.
8. **stories** (:func:`stories`): each cluster representative's terms
   (a kernel); document frequencies over the representatives (a shuffle on
   the term) joined back to each one's terms, giving its TF-IDF vector and
   top terms (a kernel); posting lists of the top terms (a shuffle on the
   term) give the pairs that share enough of them (a shuffle on the pair);
   their cosines (a join with the vectors) drop the pairs below
   ``similarity``, which can never be edges; connected components of the
   rest; star grouping of each component alone (a kernel). Star grouping
   only joins edges, so a component grouped alone gets the stories of the
   whole run.
9. **output**: each document's cluster and story representatives by id.

The result equals ``syndic cluster`` (clusters.jsonl) in every field.

Determinism: every kernel is a pure function of its rows and the model
(seeded hashes, no clocks, no randomness), and every order that matters is
by ``num``; a task Spark retries recomputes the same rows, so retries and
partitioning change nothing in the output.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from typing import Any, Iterable, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa

from syndic import _syndic  # absolute: this file also runs as a spark-submit script

__all__ = ["read", "boilerplate_model", "signatures", "sign", "candidates", "components", "stories",
           "cluster_frame", "cluster"]

_INGEST_SCHEMA = (
    "_arg long, _file string, _block long, _seq long, id string, text string, title string, "
    "url string, source string, published string, _problem string, _message string"
)
_DOC_FIELDS = ["id", "text", "title", "url", "source", "published"]
# story::UNSPACED_MARK (u64::MAX) as Spark's signed long: the pseudo-term
# story::top_terms adds for a document written in an unspaced script.
_UNSPACED_MARK = -1
# syndic_python's story_units marks an undated cluster with i64::MIN.
_UNDATED = -(2 ** 63)


def _stream(batch: pa.RecordBatch) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(batch.schema, [batch])


_log = logging.getLogger("syndic.spark")


@contextlib.contextmanager
def _stage(spark, name: str):
    """Spark jobs run inside this block are described as ``syndic: name``
    in Spark's UI, event log and REST API (``/api/v1/.../jobs``); the
    stage's wall time goes to the ``syndic.spark`` logger."""
    sc = spark.sparkContext
    before = sc.getLocalProperty("spark.job.description")
    sc.setJobDescription(f"syndic: {name}")
    start = time.perf_counter()
    _log.info("stage %s started", name)
    try:
        yield
    finally:
        _log.info("stage %s took %.2f s", name, time.perf_counter() - start)
        sc.setJobDescription(before)


def _cut(df, stage: str):
    """``df`` computed now (as stage ``stage``) and stored, its plan cut
    short: a checkpoint in the session's checkpoint folder when one is set
    (``setCheckpointDir``: survives a lost executor, as on a managed
    cluster), else a local checkpoint on the executors. Stage outputs are
    cut so that the plans of later stages stay small (nested cached plans
    would print as a tree of tens of megabytes when Spark describes the
    query)."""
    spark = df.sparkSession
    with _stage(spark, stage):
        if spark.sparkContext.getCheckpointDir():
            return df.checkpoint()
        return df.localCheckpoint()


def _fresh(df):
    """``df`` (a checkpoint) with no size statistics carried over. A
    checkpoint keeps the estimated size of the plan it replaced, and a
    join's estimate is the product of its sides', so over the self-joined
    rounds of :func:`components` the estimates grew to numbers of
    thousands of digits and planning a round took minutes by the eighth.
    Rebuilt from its rows on the JVM side (no Python), it starts afresh.
    (Spark Connect sessions have no JVM handle; they get ``df`` as is.)"""
    from pyspark.sql import DataFrame

    spark = df.sparkSession
    jspark = getattr(spark, "_jsparkSession", None)
    if jspark is None:
        return df
    return DataFrame(jspark.createDataFrame(df._jdf.javaRDD(), df._jdf.schema()), spark)


def _is_parquet(path: str) -> bool:
    name = path.rstrip("/").lower()
    return name.endswith(".parquet") or name.endswith(".pq") or "*.parquet" in name


def _raw(spark, path: str, arg: int, id_field: str, text_field: str):
    """One input's rows with their file, split and input number."""
    from pyspark.sql import functions as F

    meta = [
        F.lit(arg).cast("long").alias("_arg"),
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
    ]
    if _is_parquet(path):
        df = spark.read.parquet(path)
        wanted = [c for c in [id_field, text_field, "title", "url", "source", "published"] if c in df.columns]
        return "arrow", df.select(*meta, *[F.col(f"`{c}`") for c in wanted])
    df = spark.read.option("lineSep", "\n").text(path)
    return "jsonl", df.select(*meta, F.col("value").cast("binary").alias("value"))


def read(spark, inputs: Sequence[str], id_field: str = "id", text_field: str = "text",
         skip_invalid: bool = False):
    """The documents of ``inputs`` (JSON Lines or Parquet files or globs, any
    Hadoop-compatible path) as a DataFrame of ``num`` (the document's
    position in input order), ``id``, ``text``, ``title``, ``url``,
    ``source``, ``published``, ``_file`` and ``_line``.

    A bad record raises ``ValueError`` naming ``file:line`` (as the CLI
    does), unless ``skip_invalid``: then it is left out, as is a repeated
    id after its first occurrence.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if isinstance(inputs, str):
        inputs = [inputs]
    parts = []
    for arg, path in enumerate(inputs):
        kind, raw = _raw(spark, path, arg, id_field, text_field)

        def ingest(batches: Iterator[pa.RecordBatch], kind=kind) -> Iterator[pa.RecordBatch]:
            reader = _syndic.Ingest(kind, id_field, text_field)
            for b in batches:
                yield from reader.batch(_stream(b)).to_batches()
            yield from reader.counts().to_batches()

        parts.append(raw.mapInArrow(ingest, _INGEST_SCHEMA))
    rows = parts[0]
    for p in parts[1:]:
        rows = rows.unionByName(p)
    rows = rows.persist()

    # One row per split: its number of rows. The bases of each split (rows
    # before it in its file, documents before it in the input order) are
    # computed on the driver from these few rows.
    with _stage(spark, "ingest"):
        counts = rows.filter(F.col("_problem") == "_count").select("_arg", "_file", "_block", "_seq").collect()
    bases, total, line_base = [], 0, {}
    for r in sorted(counts, key=lambda r: (r["_arg"], r["_file"], r["_block"])):
        key = (r["_arg"], r["_file"])
        before = line_base.get(key, 0)
        bases.append((r["_arg"], r["_file"], r["_block"], total, before))
        line_base[key] = before + r["_seq"]
        total += r["_seq"]
    spark_bases = spark.createDataFrame(
        bases, "_arg long, _file string, _block long, _num_base long, _line_base long")
    docs = (rows.filter(F.col("_problem").isNull() | (F.col("_problem") != "_count"))
            .join(F.broadcast(spark_bases), ["_arg", "_file", "_block"])
            .select(
                (F.col("_num_base") + F.col("_seq")).alias("num"),
                (F.col("_line_base") + F.col("_seq") + 1).alias("_line"),
                F.regexp_replace("_file", "^file:(//)?", "").alias("_file"),
                *_DOC_FIELDS, "_problem", "_message"))
    docs = docs.withColumn("id", F.when(F.col("id").isNull() | (F.col("id") == ""),
                                         F.concat_ws(":", "_file", F.col("_line").cast("string")))
                           .otherwise(F.col("id")))
    bad = docs.filter(F.col("_problem").isNotNull())
    if not skip_invalid:
        with _stage(spark, "ingest: checks"):
            first = bad.orderBy("num").limit(1).collect()
        if first:
            r = first[0]
            raise ValueError(f"{r['_file']}:{r['_line']}: {r['_message']} "
                             "(use skip_invalid=True to skip and count such records)")
    docs = docs.filter(F.col("_problem").isNull())
    # A repeated id: the first occurrence (in input order) is kept.
    w = Window.partitionBy("id").orderBy("num")
    docs = docs.withColumn("_nth", F.row_number().over(w))
    if not skip_invalid:
        with _stage(spark, "ingest: checks"):
            dup = docs.filter(F.col("_nth") > 1).orderBy("num").limit(1).collect()
        if dup:
            r = dup[0]
            raise ValueError(f"{r['_file']}:{r['_line']}: duplicate id {r['id']!r} "
                             "(use skip_invalid=True to skip and count such records)")
    return docs.filter(F.col("_nth") == 1).select("num", *_DOC_FIELDS, "_file", "_line")


def _config(settings: dict) -> dict:
    return json.loads(_syndic.resolved_config(json.dumps(settings)))


def boilerplate_model(docs, **settings) -> List[Tuple[str, int]]:
    """The boilerplate lines learned from ``docs`` (a DataFrame from
    :func:`read`): ``(group, line hash)`` pairs, the same model the CLI
    learns from the same documents. Two shuffles: on ``(group, line)`` to
    find recurring lines, and on the line to count their stories."""
    from pyspark.sql import functions as F

    cfg = _config(settings)["boilerplate"]
    if not cfg["enabled"]:
        return []
    least = max(cfg["min_stories"], 2)

    def profiles(batches):
        for b in batches:
            yield from _syndic.profiles(_stream(b)).to_batches()

    prof = (docs.select("num", "text", "title", "url", "source")
            .mapInArrow(profiles, "num long, group string, title_hash long, lines binary, hashes array<long>")
            .persist())
    held = prof.select("group", F.explode("hashes").alias("line"), "num")
    recurring = (held.groupBy("group", "line").count()
                 .filter(F.col("count") >= least).select("group", "line"))
    held_recurring = held.join(recurring, ["group", "line"])
    per_page = held_recurring.groupBy("num").agg(F.collect_list("line").alias("recurring"))

    def stories(batches):
        for b in batches:
            yield from _syndic.story_identities(_stream(b)).to_batches()

    identities = (per_page.join(prof.select("num", "title_hash", "lines"), "num")
                  .mapInArrow(stories, "num long, story array<long>"))
    pages = (held_recurring.join(identities, "num")
             .groupBy("group", "line").agg(F.collect_list("story").alias("stories")))

    def verdicts(batches):
        for b in batches:
            yield from _syndic.line_verdicts(_stream(b), least).to_batches()

    with _stage(docs.sparkSession, "boilerplate"):
        lines = (pages.mapInArrow(verdicts, "group string, line long, boilerplate boolean")
                 .filter("boilerplate").select("group", "line").collect())
    prof.unpersist()
    return sorted((r["group"], r["line"]) for r in lines)


def signatures(docs, model: Optional[List[Tuple[str, int]]] = None, **settings):
    """Each document's body signature and LSH band keys, under the
    boilerplate ``model`` (learned from ``docs`` when not given): ``num``,
    ``body_hash``, ``short``, ``signature`` (uint32 values as longs),
    ``keys``, ``lead_keys``."""
    if model is None:
        model = boilerplate_model(docs, **settings)
    spark = docs.sparkSession
    shared = spark.sparkContext.broadcast(model)
    settings_json = json.dumps(settings)

    def sign_partition(batches):
        signing = _syndic.Signing(settings_json, shared.value)
        for b in batches:
            yield from signing.batch(_stream(b)).to_batches()

    return docs.select("num", "text", "url", "source").mapInArrow(
        sign_partition,
        "num long, body_hash binary, short boolean, signature array<long>, keys array<long>, lead_keys array<long>")


def sign(spark, inputs: Sequence[str], output: Optional[str] = None, id_field: str = "id",
         text_field: str = "text", skip_invalid: bool = False, **settings):
    """What ``syndic sign`` computes, on Spark: a DataFrame of ``num``, ``id``
    and ``signature`` (``num_perm`` uint32 values as longs; all
    ``4294967295`` for a body too short to shingle), one row per document.
    With ``output`` (``.parquet`` or ``.jsonl``), also written there in
    input order."""
    from pyspark.sql import functions as F

    docs = read(spark, inputs, id_field, text_field, skip_invalid).persist()
    out = _signature_table(docs, settings)
    if output:
        _write(out.orderBy("num"), output)
    return out


def _signature_table(docs, settings: dict):
    """``num``, ``id``, ``signature`` as ``syndic sign`` writes them."""
    from pyspark.sql import functions as F

    signed = signatures(docs, **settings)
    num_perm = _config(settings)["minhash"]["num_perm"]
    blank = F.array_repeat(F.lit(4294967295).cast("long"), num_perm)
    return (docs.select("num", "id").join(signed, "num")
            .select("num", "id", F.when(F.col("short"), blank).otherwise(F.col("signature")).alias("signature")))


def _exists(output: str) -> str:
    return f"{output} already exists; syndic never replaces an output it did not create"


def _surely_local(output: str, master: Optional[str]) -> Optional[str]:
    """``output`` as a path of this machine when it surely is one: a
    ``file:`` URI, or a path without a scheme under a ``local`` master
    (elsewhere such a path is on the cluster's default file system, HDFS
    say); else ``None``."""
    if output.startswith("file:"):
        return re.sub(r"^file:(//)?", "", output)
    if master and master.startswith("local") and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", output):
        return output
    return None


def _hadoop_path(spark, text: str):
    """``text`` as a Hadoop ``Path`` and the file system Spark reads it on."""
    path = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(text)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def _refuse_existing(spark, output: str) -> None:
    """Refuses an output path that exists, before any work (Spark would
    refuse it only when writing)."""
    path, fs = _hadoop_path(spark, output)
    if fs.exists(path):
        raise ValueError(_exists(output))


def _write(df, output: str) -> None:
    """Writes a Spark output folder; an existing path is refused (Spark's
    default), never replaced."""
    with _stage(df.sparkSession, "output"):
        if output.endswith(".parquet"):
            df.write.parquet(output)
        else:
            df.write.json(output)


def candidates(signed, **settings):
    """Candidate pairs ``a < b`` (document numbers) from the band keys of
    :func:`signatures`, as the CLI's LSH stage makes them: only the first
    document of each exact body (and no short body) enters; a shuffle on
    ``(band, key)`` gives each bucket its members in input order, and each
    member pairs with every other (in a bucket of more than ``max_bucket``,
    with the next two: a chain). Whole-body and lead
    bands are separate tables. Also returns each document's ``first``
    (the first document with its exact body)."""
    from pyspark.sql import functions as F

    cap = _config(settings)["max_bucket"]
    first = signed.groupBy("body_hash").agg(F.min("num").alias("first"))
    with_first = signed.join(first, "body_hash").select("num", "first", "short", "keys", "lead_keys")
    entrants = with_first.filter((F.col("num") == F.col("first")) & ~F.col("short"))
    tables = []
    for column, offset in (("keys", 0), ("lead_keys", 1 << 20)):
        tables.append(entrants.select("num", F.posexplode(column).alias("band", "key"))
                      .select("num", (F.col("band") + offset).alias("band"), "key"))
    keyed = tables[0].unionByName(tables[1])
    buckets = (keyed.groupBy("band", "key").agg(F.collect_list("num").alias("members"))
               .filter(F.size("members") > 1).select("members"))

    def pairs(batches):
        for b in batches:
            yield from _syndic.bucket_pairs(_stream(b), cap).to_batches()

    return buckets.mapInArrow(pairs, "a long, b long").distinct(), with_first.select("num", "first", "short")


def components(pairs, name: str = "candidates"):
    """Connected components of the candidate graph: ``num``, ``label`` (the
    smallest ``num`` of its component) for every document in a pair. Labels
    spread along the pairs and jump to their own label's label each round
    (rounds grow with the log of the diameter); each round is checkpointed
    so that the plan does not grow.

    The rounds stop as soon as every pair's two ends hold one label: a
    label is always the ``num`` of a document of its component and never
    above the document's own, so the smallest document of a component
    keeps its own ``num``, and labels equal along every pair are then that
    ``num`` throughout the component. (The first round spreads each pair's
    smaller end, every document being its own label before it.)"""
    from pyspark.sql import functions as F

    edges = _fresh(_cut(pairs.select("a", "b"), f"{name}: pairs"))

    def ends(labels):
        """Every pair with its two ends' labels, ``la`` and ``lb``."""
        la = labels.select(F.col("num").alias("a"), F.col("label").alias("la"))
        lb = labels.select(F.col("num").alias("b"), F.col("label").alias("lb"))
        return edges.join(la, "a").join(lb, "b")

    # Each round's pairs with their ends' labels serve twice: the check
    # that ends the rounds, then the next round's spreading. They are
    # kept (`persist`, filled by the check) rather than joined again.
    labelled = None
    while True:
        if labelled is None:
            m = edges.select("a", "b", F.least("a", "b").alias("m"))
        else:
            m = labelled.select("a", "b", F.least("la", "lb").alias("m"))
        spread = m.select(F.col("a").alias("num"), F.col("m").alias("label")).union(
            m.select(F.col("b").alias("num"), F.col("m").alias("label")))
        # A document's own label needs no place here: each of its pairs
        # spreads the smaller of the two ends' labels, at most its own.
        merged = spread.groupBy("num").agg(F.min("label").alias("label"))
        x, y = merged.alias("x"), merged.alias("y")
        labels = _fresh(_cut(x.join(y, F.col("x.label") == F.col("y.num"))
                             .select(F.col("x.num").alias("num"), F.least("x.label", "y.label").alias("label")),
                             f"{name}: components"))
        if labelled is not None:
            labelled.unpersist()
        labelled = ends(labels).persist()
        with _stage(pairs.sparkSession, f"{name}: components"):
            # Counts every row, so the check fills the kept table whole.
            unsettled = labelled.filter(F.col("la") != F.col("lb")).count()
        if unsettled == 0:
            labelled.unpersist()
            if _log.isEnabledFor(logging.INFO):
                with _stage(pairs.sparkSession, f"{name}: component sizes"):
                    sizes = labels.groupBy("label").count()
                    top = sizes.agg(F.max("count"), F.count("*")).first()
                _log.info("%s: %s components, the largest of %s documents", name, top[1], top[0])
            return labels


def _on_components(settings_json: str, shared, method: str):
    """A ``mapInArrow`` function that hands a whole partition (every row of
    the components hashed to it) to ``Components(...).method``."""

    def run(batches):
        rows = list(batches)
        if not rows:
            return
        comps = _syndic.Components(settings_json, shared.value)
        yield from getattr(comps, method)(pa.Table.from_batches(rows)).to_batches()

    return run


def cluster_frame(docs, model: Optional[List[Tuple[str, int]]] = None, partitions: Optional[int] = None,
                  **settings):
    """Clusters the documents of :func:`read` as ``syndic cluster`` does:
    ``num`` and the columns of ``clusters.jsonl`` (``id``, ``cluster``,
    ``story``, ``thread``, ``representative``, ``similarity``,
    ``containment``, ``short``).

    Every LSH bucket lies inside one component of the candidate graph and
    keeps its input order there, so each component, clustered on its own
    by the CLI's code under the corpus's boilerplate model, gets the
    candidates, verified edges and clusters of the whole run. Documents
    outside every pair and without an exact copy are clusters of one.

    Stories and threads are grouped by :func:`stories_and_threads` (unless
    ``story={"enabled": False}``, as with ``syndic cluster --stories off``:
    then each cluster is its own story and thread).

    The result is lazy; the tables it is made from are cached as it is
    computed. ``spark.catalog.clearCache()`` frees them once the result is
    written or collected."""
    from pyspark.sql import functions as F

    cfg = _config(settings)
    if model is None:
        model = boilerplate_model(docs, **settings)
    spark = docs.sparkSession
    signed = _cut(signatures(docs, model, **settings), "sign")
    pairs, firsts = candidates(signed, **settings)
    labels = components(pairs, "candidates")
    assigned = (firsts.join(labels.select(F.col("num").alias("first"), F.col("label").alias("flabel")),
                            "first", "left")
                .select("num", "short", F.coalesce("flabel", "first").alias("label")))
    sizes = assigned.groupBy("label").agg(F.count("*").alias("size"))
    assigned = assigned.join(sizes, "label").persist()
    shared = spark.sparkContext.broadcast(model)
    settings_json = json.dumps(settings)

    grouped = (assigned.filter(F.col("size") > 1).select("num", "label")
               .join(docs.select("num", *_DOC_FIELDS), "num"))
    parts = partitions or max(spark.sparkContext.defaultParallelism, 1)
    # A representative's row also carries its cluster's pages' dates
    # (`times`; syndic::story::Dates), a page alone none: it is dated by
    # its own.
    clustered = (grouped.repartition(parts, "label").mapInArrow(
        _on_components(settings_json, shared, "batch"),
        "num long, rep long, similarity float, containment float, short boolean, "
        "times array<string>"))
    alone = (assigned.filter(F.col("size") == 1)
             .select("num", F.col("num").alias("rep"), F.lit(None).cast("float").alias("similarity"),
                     F.lit(None).cast("float").alias("containment"), "short",
                     F.lit(None).cast("array<string>").alias("times")))
    outcome = _cut(clustered.unionByName(alone), "verify and cluster")
    if cfg["story"]["enabled"]:
        # A report that nobody copied is as near a cluster as the nearest
        # of its pages: the representatives carry their clusters' dates.
        reps = outcome.filter(F.col("rep") == F.col("num")).select("num", "times")
        story_of, thread_of = stories_and_threads(docs, reps, model, partitions, **settings)
        outcome = (outcome.join(story_of.select(F.col("num").alias("rep"), "story"), "rep")
                   .join(thread_of.select(F.col("num").alias("rep"), "thread"), "rep"))
    else:
        outcome = outcome.withColumn("story", F.col("rep")).withColumn("thread", F.col("rep"))
    ids = docs.select("num", "id")
    rep_ids = docs.select(F.col("num").alias("rep"), F.col("id").alias("cluster"))
    story_ids = docs.select(F.col("num").alias("story"), F.col("id").alias("story_id"))
    thread_ids = docs.select(F.col("num").alias("thread"), F.col("id").alias("thread_id"))
    return (outcome.join(ids, "num").join(rep_ids, "rep").join(story_ids, "story")
            .join(thread_ids, "thread")
            .select("num", "id", "cluster", F.col("story_id").alias("story"),
                    F.col("thread_id").alias("thread"),
                    (F.col("rep") == F.col("num")).alias("representative"),
                    "similarity", "containment", "short"))


def stories(docs, reps, model: List[Tuple[str, int]], partitions: Optional[int] = None, **settings):
    """The story of every cluster representative: ``num``, ``story`` (the
    ``num`` of its story's representative), for the ``num``s in ``reps``
    (one row per cluster), as ``syndic cluster`` groups them. See
    :func:`stories_and_threads`."""
    return stories_and_threads(docs, reps, model, partitions, threads=False, **settings)[0]


def stories_and_threads(docs, reps, model: List[Tuple[str, int]], partitions: Optional[int] = None,
                        threads: bool = True, **settings):
    """The story and the thread of every cluster representative, as
    ``syndic cluster`` groups them: two frames, ``num``, ``story`` and
    ``num``, ``thread`` (the ``num`` of the representative), for the
    ``num``s in ``reps`` (one row per cluster); without ``threads``, the
    second is ``None``. ``reps`` may carry ``times``, the ``published`` of
    every page of each one's cluster (null for a cluster of one page), which
    the story rules read as ``syndic cluster`` does (``syndic::story::Dates``);
    without it, each cluster is taken as its representative alone.

    Steps: terms of each representative's body; document frequencies (a
    shuffle on the term) joined back to each one's terms, giving TF-IDF
    vectors, top terms and name marks; posting lists of those (a shuffle
    on the term) whose pairs, counted with their shared, rare, rare lead
    terms and names (a shuffle on the pair), are the candidates; the cosine of each
    candidate's vectors (a join), since a pair whose cosine and rare terms
    make no edge can be dropped; connected components of the pairs that
    pass; star grouping of each component alone by the CLI's code.
    Star grouping only ever joins edges, so each component's stories are
    those of the whole run. Threads group the stories' representatives the
    same way, with the same vectors (frequencies over every cluster) and
    the thread level's widened rules (``syndic::thread``)."""
    spark = docs.sparkSession
    shared = spark.sparkContext.broadcast(model)
    settings_json = json.dumps(settings)
    rep_docs = _cut(reps.join(docs.select("num", *_DOC_FIELDS), "num"), "story: representatives")
    vectors = _story_vectors(rep_docs, shared, settings_json)
    story_of = _group_stories(rep_docs, vectors, shared, settings_json, partitions, "story")
    if not threads:
        return story_of, None
    from pyspark.sql import functions as F

    # The thread level's story rules (syndic::ThreadConfig::rules), which
    # are off when threads or stories are.
    thread_json = _syndic.thread_settings(settings_json)
    if not json.loads(thread_json)["story"]["enabled"]:
        return story_of, story_of.select("num", F.col("story").alias("thread"))

    heads = story_of.filter(F.col("story") == F.col("num")).select("num")
    # Threads date each story by its representative alone, as the CLI does.
    head_docs = _cut(rep_docs.drop("times").join(heads, "num", "left_semi"), "thread: stories")
    head_vectors = vectors.join(heads, "num", "left_semi")
    thread_of_head = _group_stories(head_docs, head_vectors, shared, thread_json, partitions,
                                    "thread").withColumnRenamed("story", "thread")
    thread_of = (story_of.join(thread_of_head.select(F.col("num").alias("story"), "thread"), "story")
                 .select("num", "thread"))
    return story_of, _cut(thread_of, "thread: grouping")


def _story_vectors(rep_docs, shared, settings_json: str):
    """Each representative's TF-IDF vector and top terms (``num``,
    ``terms``, ``weights``, ``top``), frequencies counted over ``rep_docs``."""
    from pyspark.sql import functions as F

    spark = rep_docs.sparkSession

    def terms_partition(batches):
        signing = _syndic.Signing(settings_json, shared.value)
        for b in batches:
            yield from signing.terms(_stream(b)).to_batches()

    terms = (rep_docs.select("num", "text", "url", "source")
             .mapInArrow(terms_partition, "num long, terms array<long>, counts array<long>"))
    held = terms.select("num", F.explode(F.arrays_zip("terms", "counts")).alias("e")).select(
        "num", F.col("e.terms").alias("term"), F.col("e.counts").alias("count")).persist()
    with _stage(spark, "story: terms and vectors"):
        documents = rep_docs.count()
    df = held.groupBy("term").agg(F.count("*").alias("df"))
    joined = (held.join(df, "term")
              .groupBy("num").agg(F.collect_list(F.struct("term", "count", "df")).alias("e"))
              .select("num", F.col("e.term").alias("terms"), F.col("e.count").alias("counts"),
                      F.col("e.df").alias("dfs")))

    def vectors_partition(batches):
        for b in batches:
            yield from _syndic.story_vectors(_stream(b), documents, settings_json).to_batches()

    vectors = _cut(joined.mapInArrow(
        vectors_partition, "num long, terms array<long>, weights array<float>, top array<long>"),
        "story: terms and vectors")
    # The checkpoint holds what later stages read: every representative's
    # terms, one row per term, need not stay cached through the rest of the run.
    held.unpersist()
    return vectors


def _bursts_on(cfg: dict) -> bool:
    """Whether a posting list can hold a burst (``syndic::story::bursty_list``):
    ``bursty_posting`` (within ``max_posting``) is above ``rare_posting``."""
    return min(cfg["bursty_posting"], cfg["max_posting"]) > cfg["rare_posting"]


def _bursts(rep_docs, vectors, lists, settings_json: str, cfg: dict, level: str):
    """The burst of each posting list of ``lists`` that has one (``term``,
    ``burst``: ``syndic::story::burst_members``), when ``_bursts_on``. Each
    cluster's date and whether it is prose come from ``story_units``; the
    dates of every
    cluster are collected to the driver and broadcast (8 bytes a cluster),
    since a window's count reads all of them; only lists that can hold a
    burst (``syndic::story::bursty_list``: more than ``rare_posting``
    members, at most ``bursty_posting``) meet their members' dates (a
    shuffle on the cluster, then on the term)."""
    from pyspark.sql import functions as F

    most = min(cfg["bursty_posting"], cfg["max_posting"])
    spark = rep_docs.sparkSession
    times = ["times"] if "times" in rep_docs.columns else []

    def units_partition(batches):
        for b in batches:
            yield from _syndic.story_units(_stream(b)).to_batches()

    units = _cut(rep_docs.select("num", "published", *times).join(vectors.select("num", "terms"), "num")
                 .mapInArrow(units_partition, "num long, date long, prose boolean"),
                 f"{level}: dates")
    with _stage(spark, f"{level}: dates"):
        dated = sorted(r[0] for r in units.filter(F.col("date") != _UNDATED).select("date").collect())
        clusters = units.count()
    corpus = spark.sparkContext.broadcast((dated, clusters))
    members = (lists.filter((F.size("members") > cfg["rare_posting"]) & (F.size("members") <= most))
               .select("term", F.explode("members").alias("num"))
               .join(units, "num")
               .groupBy("term").agg(F.collect_list(F.struct("num", "date", "prose")).alias("m"))
               .select("term", F.col("m.num").alias("members"), F.col("m.date").alias("dates"),
                       F.col("m.prose").alias("prose")))

    def bursts_partition(batches):
        dates, n = corpus.value
        for b in batches:
            yield from _syndic.story_bursts(_stream(b), settings_json, dates, n).to_batches()

    return members.mapInArrow(bursts_partition, "term long, burst array<long>")


def _group_stories(rep_docs, vectors, shared, settings_json: str, partitions: Optional[int],
                   level: str):
    """Star grouping of ``rep_docs`` by their ``vectors`` under the story
    rules of ``settings_json``: ``num``, ``story`` (its group's
    representative)."""
    from pyspark.sql import functions as F

    spark = rep_docs.sparkSession
    cfg = _config(json.loads(settings_json))["story"]
    tops = vectors.select("num", F.explode("top").alias("term"))
    # story::top_terms marks a representative written in an unspaced script
    # with story::UNSPACED_MARK (u64::MAX, -1 here), which is no term.
    # Few documents are (none, in most corpora): a broadcast set, so that
    # marking the candidate pairs shuffles nothing.
    unspaced = F.broadcast(vectors.filter(F.array_contains("top", F.lit(_UNSPACED_MARK)))
                           .select("num"))
    lists = (tops.filter(F.col("term") != _UNSPACED_MARK)
             .groupBy("term").agg(F.collect_list("num").alias("members")))
    # story::posting_used: shared, not too common, and a lead term's (the
    # lead bit makes it negative) only when rare.
    used = ((F.size("members") > 1) & (F.size("members") <= cfg["max_posting"])
            & ((F.col("term") >= 0) | (F.size("members") <= cfg["rare_posting"])))
    if _bursts_on(cfg):
        # Read three times below: stored once.
        lists = _cut(lists, f"{level}: posting lists")
    postings = lists.filter(used)
    pair_lists = postings
    if _bursts_on(cfg):
        # A list that is not used still pairs the members of its burst.
        bursts = _bursts(rep_docs, vectors, lists, settings_json, cfg, level)
        pair_lists = _cut(lists.join(bursts, "term", "left")
                          .filter(used | F.col("burst").isNotNull()), f"{level}: bursts")

    def pairs_partition(batches):
        for b in batches:
            yield from _syndic.story_pairs(_stream(b), settings_json).to_batches()

    # story::is_candidate: enough shared top terms, or enough names (in
    # two scripts, min_names_across_scripts of them).
    counts = ("shared", "rare", "lead", "names", "uncommon")
    one = cfg["min_shared_names"]
    two = (cfg["min_names_across_scripts"] or one) if one > 0 else 0
    scripts = F.coalesce("ua", F.lit(False)) != F.coalesce("ub", F.lit(False))
    least = F.when(scripts, F.lit(two)).otherwise(F.lit(one))
    by_names = (least > 0) & (F.col("names") >= least)
    # story::rare_with_bursts: terms rare in a burst that holds both count
    # only for a pair that shares a rare term (`rare` is folded last: the
    # other two read the pair's own).
    in_burst = ("burst_rare", "burst_lead", "burst_uncommon")
    summed = (pair_lists.mapInArrow(pairs_partition,
                                    "a long, b long, shared long, rare long, lead long, names long, "
                                    "burst_rare long, burst_lead long, uncommon long, burst_uncommon long")
              .groupBy("a", "b").agg(*(F.sum(c).alias(c) for c in (*counts, *in_burst))))
    for c in ("lead", "uncommon", "rare"):
        summed = summed.withColumn(c, F.when(F.col("rare") > 0, F.col(c) + F.col(f"burst_{c}"))
                                   .otherwise(F.col(c)))
    pairs = _cut(summed
                 .join(unspaced.select(F.col("num").alias("a"), F.lit(True).alias("ua")), "a", "left")
                 .join(unspaced.select(F.col("num").alias("b"), F.lit(True).alias("ub")), "b", "left")
                 .filter((F.col("shared") >= cfg["min_shared_terms"]) | by_names)
                 .select("a", "b", *counts), f"{level}: candidates")
    # A pair whose cosine and rare terms make no edge can be dropped: only
    # the others join components (the candidate graph alone is one giant
    # component on news, where topics share terms).
    def close_partition(batches):
        for b in batches:
            yield from _syndic.story_close(_stream(b), settings_json).to_batches()

    va = vectors.select(F.col("num").alias("a"), F.col("terms").alias("ta"), F.col("weights").alias("wa"))
    vb = vectors.select(F.col("num").alias("b"), F.col("terms").alias("tb"), F.col("weights").alias("wb"))
    close = _cut(pairs.join(va, "a").join(vb, "b")
                 .mapInArrow(close_partition,
                             "a long, b long, " + ", ".join(f"{c} long" for c in counts) + ", ask long"),
                 f"{level}: cosines")
    labels = components(close.select("a", "b"), level)

    # story::StoryConfig::asks_combination: a pair of one day in one
    # language at a high cosine may be an edge by a combination of its
    # shared terms that no other cluster holds (story::unique_combination).
    # story_close marks those that may ask (`ask`, dates unknown there);
    # their shared top terms meet the posting lists here (a shuffle on the
    # term).
    def unique_partition(batches):
        for b in batches:
            yield from _syndic.story_unique(_stream(b), settings_json).to_batches()

    if cfg["combination_share"] > 0:
        ask = close.filter(F.col("ask") == 1).select("a", "b")
        shared_tops = (ask.join(tops.select(F.col("num").alias("a"), "term"), "a")
                       .join(tops.select(F.col("num").alias("b"), "term"), ["b", "term"]))
        with_lists = (shared_tops.join(postings, "term", "left")
                      .withColumn("members", F.coalesce("members", F.array().cast("array<long>"))))
        unique = (with_lists.groupBy("a", "b")
                  .agg(F.collect_list(F.struct("term", "members")).alias("s"))
                  .select("a", "b", F.col("s.term").alias("terms"), F.col("s.members").alias("members"))
                  .mapInArrow(unique_partition, "a long, b long")
                  .withColumn("unique", F.lit(1).cast("long")))
        close = close.join(unique, ["a", "b"], "left").fillna(0, ["unique"])
    else:
        close = close.withColumn("unique", F.lit(0).cast("long"))
    pair_facts = (*counts, "unique")
    partners = (close.groupBy(F.col("a").alias("num"))
                .agg(F.collect_list(F.struct("b", *pair_facts)).alias("p"))
                .select("num", F.col("p.b").alias("partners"),
                        *(F.col(f"p.{c}").alias(f"partner_{c}") for c in pair_facts)))
    grouped = (labels.join(rep_docs, "num").join(vectors.select("num", "terms", "weights"), "num")
               .join(partners, "num", "left"))
    for c in ("partners", *(f"partner_{c}" for c in pair_facts)):
        grouped = grouped.withColumn(c, F.coalesce(c, F.array().cast("array<long>")))

    parts = partitions or max(spark.sparkContext.defaultParallelism, 1)
    grouped_stories = grouped.repartition(parts, "label").mapInArrow(
        _on_components(settings_json, shared, "stories"), "num long, story long")
    alone = rep_docs.select("num").join(labels, "num", "left_anti").select(
        "num", F.col("num").alias("story"))
    return _cut(grouped_stories.unionByName(alone), f"{level}: grouping")


def cluster(spark, inputs: Sequence[str], output: Optional[str] = None, id_field: str = "id",
            text_field: str = "text", skip_invalid: bool = False, partitions: Optional[int] = None,
            **settings):
    """``syndic cluster`` on Spark: the documents of ``inputs`` (JSON Lines or
    Parquet, local or any Hadoop-compatible path or glob) clustered by
    :func:`cluster_frame`; with ``output`` (a folder: Parquet when it ends in
    ``.parquet``, else JSON Lines) written there in input order."""
    docs = read(spark, inputs, id_field, text_field, skip_invalid)
    if partitions:
        docs = docs.repartition(partitions)
    out = cluster_frame(_cut(docs, "ingest"), partitions=partitions, **settings)
    if output:
        _write(out.orderBy("num").drop("num"), output)
    return out


def _session(master: Optional[str], app: str, conf: Sequence[Tuple[str, str]] = ()):
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    for key, value in conf:
        builder = builder.config(key, value)
    return builder.getOrCreate()


# Spark's default number of shuffle partitions, which the module lowers
# for a small input when no one has set it (it never sets more).
_SHUFFLE_DEFAULT = 200
# Input bytes per shuffle partition when the module sizes them: the text
# crosses a shuffle about four times (README, "On Apache Spark"), and
# adaptive execution merges partitions that come out small, so erring
# high costs little. (A compressed input counts its compressed bytes.)
_BYTES_PER_SHUFFLE_PARTITION = 16 << 20
_SHUFFLE_KEY = "spark.sql.shuffle.partitions"


def _fitted_partitions(input_bytes: int, parallelism: int) -> int:
    """Shuffle partitions for ``input_bytes`` of input on ``parallelism``
    cores: one per 16 MiB, at least two per core, at most Spark's 200."""
    wanted = max(2 * max(parallelism, 1), -(-input_bytes // _BYTES_PER_SHUFFLE_PARTITION))
    return min(wanted, _SHUFFLE_DEFAULT)


def _input_bytes(spark, inputs: Sequence[str]) -> Optional[int]:
    """The bytes of ``inputs`` (files, folders or globs) on Spark's file
    systems; ``None`` when a pattern matches nothing (``read`` says so)."""
    total = 0
    for pattern in inputs:
        path, fs = _hadoop_path(spark, pattern)
        found = fs.globStatus(path)
        if not found:
            return None
        total += sum(fs.getContentSummary(st.getPath()).getLength() for st in found)
    return total


def _size_shuffles(spark, inputs: Sequence[str], given: Sequence[Tuple[str, str]]) -> Optional[int]:
    """Lowers ``spark.sql.shuffle.partitions`` to fit the input
    (``_fitted_partitions``) unless it was set (``--conf``, spark-submit,
    ``spark-defaults.conf``); the number set, if any. Spark's 200 cost
    the sample corpus's run about a fifth of its time in ``local[2]``
    (README, "On Apache Spark")."""
    if any(k == _SHUFFLE_KEY for k, _ in given) or spark.sparkContext.getConf().contains(_SHUFFLE_KEY):
        return None
    try:
        size = _input_bytes(spark, inputs)
    except Exception:  # a path Hadoop cannot glob: ``read`` reports it
        size = None
    if size is None:
        return None
    n = _fitted_partitions(size, spark.sparkContext.defaultParallelism)
    if n >= _SHUFFLE_DEFAULT:
        return None
    spark.conf.set(_SHUFFLE_KEY, str(n))
    return n


def _setting(text: str) -> Tuple[str, str]:
    """``KEY=VALUE`` of ``--conf``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m syndic.spark {sign,cluster} INPUT... -o OUTPUT [--master local[2]]
    [--conf KEY=VALUE]... [--partitions N] [--id-field F] [--text-field F] [--skip-invalid]
    [--config syndic.json] [--checkpoint-dir DIR] [--stories on|off]``:
    OUTPUT is a folder Spark writes, Parquet when it ends in ``.parquet``,
    else JSON Lines; it must not exist."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m syndic.spark")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("sign", "MinHash signatures of every document, as `syndic sign`"),
                       ("cluster", "clusters.jsonl columns for every document, as `syndic cluster`")):
        p = sub.add_parser(name, help=text)
        p.add_argument("inputs", nargs="+")
        p.add_argument("-o", "--output", required=True)
        p.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
        p.add_argument("--conf", type=_setting, action="append", default=[], metavar="KEY=VALUE",
                       help="a Spark setting, as spark-submit's --conf (repeatable); unless one is "
                            "given, spark.sql.shuffle.partitions is fitted to the input's size "
                            "(one per 16 MiB, at least two per core, at most 200)")
        p.add_argument("--partitions", type=int, help="repartition the documents into N partitions")
        p.add_argument("--id-field", default="id")
        p.add_argument("--text-field", default="text")
        p.add_argument("--skip-invalid", action="store_true")
        p.add_argument("--config", help="settings as a JSON object (the syndic.toml keys)")
        p.add_argument("--checkpoint-dir",
                       help="reliable checkpoints of stage outputs here (HDFS, S3, ...): a lost executor "
                            "is then recomputed instead of failing the job")
        if name == "cluster":
            p.add_argument("--stories", choices=["on", "off"], default="on",
                           help="group clusters into stories (as `syndic cluster --stories`)")
    args = parser.parse_args(argv)
    settings = json.loads(open(args.config).read()) if args.config else {}
    if getattr(args, "stories", "on") == "off":
        settings.setdefault("story", {})["enabled"] = False
    # An output on this machine that exists is refused before Spark starts
    # (seconds of JVM start-up); other file systems are asked once it has.
    local = _surely_local(args.output, args.master)
    if local is not None and os.path.lexists(local):
        print(f"syndic.spark: {_exists(args.output)}", file=sys.stderr)
        return 2
    spark = _session(args.master, "syndic " + args.command, args.conf)
    if args.checkpoint_dir:
        spark.sparkContext.setCheckpointDir(args.checkpoint_dir)
    try:
        _refuse_existing(spark, args.output)
        sized = _size_shuffles(spark, args.inputs, args.conf)
        if sized is not None:
            print(f"syndic.spark: {_SHUFFLE_KEY}={sized} for this input's size "
                  f"(set it with --conf to choose)", file=sys.stderr)
        docs = read(spark, args.inputs, args.id_field, args.text_field, args.skip_invalid)
        if args.partitions:
            docs = docs.repartition(args.partitions)
        docs = _cut(docs, "ingest")
        if args.command == "sign":
            out = _signature_table(docs, settings)
        else:
            out = cluster_frame(docs, partitions=args.partitions, **settings)
        _write(out.orderBy("num").drop("num"), args.output)
    except ValueError as e:
        print(f"syndic.spark: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
