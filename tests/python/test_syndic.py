"""The Python package: datasketch-shaped MinHash/MinHashLSH, cluster and
sign over tables and records, equivalence with the CLI, bad input, pickling,
threads. Run after `pip install .` (see .ci/run)."""

import json
import math
import os
import pickle
import random
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

import syndic

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "sample" / "articles.jsonl"
BBC = ROOT.parent / "shared" / "corpora" / "bbc"


def cli():
    """The syndic binary (SYNDIC_BIN, else target/release/syndic)."""
    path = Path(os.environ.get("SYNDIC_BIN", ROOT / "target" / "release" / "syndic"))
    if not path.exists():
        pytest.skip(f"no syndic binary at {path} (build it with cargo build --release)")
    return str(path)


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# --- MinHash -------------------------------------------------------------

def test_minhash_update_batch_equals_updates_and_digest_is_uint32():
    a, b = syndic.MinHash(), syndic.MinHash()
    items = [f"token {i}".encode() for i in range(500)]
    for x in items:
        a.update(x)
    b.update_batch(items)
    assert np.array_equal(a.digest(), b.digest())
    assert a.digest().dtype == np.uint32 and a.digest().shape == (128,)
    assert a.jaccard(b) == 1.0
    c = syndic.MinHash()
    c.update_batch(x.decode() for x in items)  # str is its UTF-8; any iterable
    assert np.array_equal(a.digest(), c.digest())
    with pytest.raises(TypeError):
        c.update(5)


def test_copy_is_independent_and_pickling_keeps_the_state():
    a = syndic.MinHash(num_perm=64, seed=7)
    a.update_batch([b"x", b"y"])
    c = a.copy()
    c.update(b"z")
    assert not np.array_equal(a.digest(), c.digest())
    p = pickle.loads(pickle.dumps(c))
    assert np.array_equal(p.digest(), c.digest())
    p.update(b"w")
    c.update(b"w")
    assert np.array_equal(p.digest(), c.digest())
    assert (p.num_perm, p.seed, p.scheme) == (64, 7, "oph")


def test_different_settings_cannot_be_compared():
    with pytest.raises(ValueError):
        syndic.MinHash(num_perm=64).jaccard(syndic.MinHash(num_perm=128))
    with pytest.raises(ValueError):
        syndic.MinHash(scheme="sha1")


def binomial_tail_ok(agree, k, p, alpha=1e-6):
    """Whether `agree` of `k` lies inside both Binomial(k, p) tails of mass alpha."""
    pmf = [math.comb(k, i) * p**i * (1 - p) ** (k - i) for i in range(k + 1)]
    return sum(pmf[: agree + 1]) > alpha and sum(pmf[agree:]) > alpha


@pytest.mark.parametrize("scheme", ["oph", "classic"])
def test_jaccard_estimates_are_binomial_around_the_truth(scheme):
    rng = random.Random(5)
    k = 128
    errors = []
    for trial in range(200):
        j = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9])
        n = 300
        shared = int(round(2 * n * j / (1 + j)))
        base = [f"{trial}-s{i}".encode() for i in range(shared)]
        a = base + [f"{trial}-a{i}".encode() for i in range(n - shared)]
        b = base + [f"{trial}-b{i}".encode() for i in range(n - shared)]
        truth = shared / (2 * n - shared)
        ma, mb = syndic.MinHash(num_perm=k, seed=trial, scheme=scheme), syndic.MinHash(num_perm=k, seed=trial, scheme=scheme)
        ma.update_batch(a)
        mb.update_batch(b)
        est = ma.jaccard(mb)
        assert binomial_tail_ok(round(est * k), k, truth), (truth, est)
        errors.append((est - truth) / math.sqrt(truth * (1 - truth) / k))
    mean = sum(errors) / len(errors)
    var = sum((e - mean) ** 2 for e in errors) / (len(errors) - 1)
    assert abs(mean) < 0.3 and 0.5 < var < 1.6, (mean, var)


# --- MinHashLSH ----------------------------------------------------------

def make_sets(rng, n):
    sets = []
    for b in range(n):
        base = [f"{b}-{i}" for i in range(100)]
        sets.append(base)
        sets.append([w if rng.random() > 0.05 else w + "x" for w in base])
        sets.append([w if rng.random() > 0.4 else w + "y" for w in base])
    return sets


def test_lsh_recall_against_brute_force_and_pickling():
    rng = random.Random(11)
    sets = make_sets(rng, 40)
    hashes = []
    for s in sets:
        m = syndic.MinHash()
        m.update_batch([w.encode() for w in s])
        hashes.append(m)
    lsh = syndic.MinHashLSH(threshold=0.7)
    for i, m in enumerate(hashes):
        lsh.insert(f"doc{i}", m)
    want = found = 0
    for i, m in enumerate(hashes):
        got = set(lsh.query(m))
        assert f"doc{i}" in got
        for j, o in enumerate(hashes):
            if i != j and m.jaccard(o) >= 0.7:
                want += 1
                found += f"doc{j}" in got
    assert want > 50 and found >= 0.99 * want, (found, want)
    again = pickle.loads(pickle.dumps(lsh))
    assert len(again) == len(lsh)
    for m in hashes[:30]:
        assert again.query(m) == lsh.query(m)
    lsh.remove("doc0")
    assert "doc0" not in lsh and len(lsh) == len(hashes) - 1
    assert "doc0" not in lsh.query(hashes[0])
    with pytest.raises(KeyError):
        lsh.remove("doc0")
    with pytest.raises(ValueError):
        lsh.insert("doc1", hashes[1])
    with pytest.raises(ValueError):
        syndic.MinHashLSH(bands=3)


# --- cluster and sign ----------------------------------------------------

def cli_clusters(path, tmp_path):
    out = tmp_path / "clusters.jsonl"
    subprocess.run([cli(), "cluster", str(path), "-o", str(out), "-q"], check=True)
    return records(out)


def table_rows(table):
    return table.to_pylist()


def same(py_rows, cli_rows):
    assert len(py_rows) == len(cli_rows)
    for p, c in zip(py_rows, cli_rows):
        assert p["id"] == c["id"] and p["cluster"] == c["cluster"] and p["story"] == c["story"]
        assert p["thread"] == c["thread"]
        assert p["representative"] == c["representative"] and p["short"] == c["short"]
        for f in ("similarity", "containment"):
            if c[f] is None:
                assert p[f] is None
            else:
                assert np.float32(p[f]) == np.float32(c[f]), (p, c)


def test_cluster_equals_the_cli_from_records_pyarrow_and_pandas(tmp_path):
    import pandas as pd
    import pyarrow as pa

    expected = cli_clusters(SAMPLE, tmp_path)
    rows = records(SAMPLE)
    same(table_rows(syndic.cluster(rows)), expected)
    same(table_rows(syndic.cluster(pa.Table.from_pylist(rows))), expected)
    same(table_rows(syndic.cluster(pd.DataFrame(rows))), expected)
    same(table_rows(syndic.cluster(iter(rows), threads=1)), expected)


def test_explain_equals_the_cli_report(tmp_path):
    rows = records(SAMPLE)
    pairs = [("04-rail-strike-origin-27", "04-rail-strike-syndicated-30"),
             ("04-rail-strike-origin-27", "03-library-hours-origin-18")]
    copy, apart = syndic.explain(rows, pairs)
    assert copy["a"] == pairs[0][0] and copy["matches"] is True
    assert copy["cluster"][0] == copy["cluster"][1]
    assert copy["path"][0]["from"] == pairs[0][0] and copy["path"][-1]["to"] == pairs[0][1]
    assert apart["matches"] is False and apart["path"] is None
    assert apart["cluster"][0] != apart["cluster"][1]
    assert 0.0 <= apart["evidence"]["jaccard"] < copy["evidence"]["jaccard"]
    # One level up: one cluster needs no story rule; two stories are
    # judged, and refused for a reason.
    assert copy["story_level"]["judged"] is None
    level = apart["story_level"]
    assert level["representatives"] == apart["cluster"]
    assert level["edge"] is False and "no_edge" in level["judged"]["verdict"]
    assert apart["thread_level"]["representatives"] == apart["story"]
    # The report is the CLI's, pair by pair.
    args = [cli(), "explain", str(SAMPLE), "-q"]
    for a, b in pairs:
        args += ["--pair", a, b]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    assert out == "\n".join(e["report"] for e in (copy, apart))
    with pytest.raises(ValueError, match="no document has the id"):
        syndic.explain(rows, [("04-rail-strike-origin-27", "nope")])


def test_explain_shows_the_path_through_a_story_center():
    # Two parts of one event, each an edge to the report that tells both
    # (the star's center) and none to each other: the path joins them.
    at = 1_709_287_200
    texts = [
        "Kestrel Bay harbour authority and the Marlow shipyard agreed on Tuesday to "
        "rebuild the Quayside ferry terminal, said Ingrid Vasquez, who chairs the "
        "Kestrel Bay harbour authority. The Marlow shipyard will start the work in "
        "June with the Tolland dredging company, she said.",
        "Ingrid Vasquez, who chairs the Kestrel Bay harbour authority, said on Tuesday "
        "that the authority would pay for the rebuilding from its reserves and that "
        "the Kestrel Bay council had approved the plan.",
        "The Marlow shipyard and the Tolland dredging company will begin rebuilding "
        "the Quayside ferry terminal in June, the shipyard's managers told its "
        "workers on Tuesday, and hire forty welders.",
    ]
    rows = [{"id": f"h{k}", "text": t, "published": str(at + 600 * k)}
            for k, t in enumerate(texts)]
    (why,) = syndic.explain(rows, [("h1", "h2")])
    level = why["story_level"]
    assert why["story"][0] == why["story"][1] and level["edge"] is False
    steps = [(s["from"], s["to"]) for s in level["path_in_group"]]
    assert steps == [("h1", "h0"), ("h0", "h2")]
    assert all("edge" in s["judged"]["verdict"] for s in level["path_in_group"])
    assert "| joined in their story through | h1 → h0" in why["report"]


@pytest.mark.skipif(not BBC.exists(), reason="../shared/corpora/bbc is absent")
def test_cluster_and_sign_equal_the_cli_on_bbc_generated(tmp_path):
    import pyarrow.json as pj

    gen = tmp_path / "bbcgen"
    subprocess.run([cli(), "corpora", "generate", "--from", str(BBC), "--out", str(gen)], check=True,
                   stderr=subprocess.DEVNULL)
    path = gen / "articles.jsonl"
    same(table_rows(syndic.cluster(pj.read_json(path))), cli_clusters(path, tmp_path))
    assert_sign_equal(path, tmp_path)
    assert_parquet_equals_json_lines(path, tmp_path)


# --- Parquet -------------------------------------------------------------

def assert_parquet_equals_json_lines(path, tmp_path):
    """X.parquet (written by pyarrow, several row groups) against X.jsonl:
    the CLI's clusters.jsonl byte for byte, `syndic.cluster` on the table
    field for field, and the CLI's `--format parquet` outputs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = records(path)
    parquet = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=max(len(rows) // 5, 1))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    subprocess.run([cli(), "cluster", str(path), "-o", str(a), "-q"], check=True)
    subprocess.run([cli(), "cluster", str(parquet), "-o", str(b), "-q"], check=True)
    assert a.read_bytes() == b.read_bytes()
    expected = records(a)
    same(table_rows(syndic.cluster(pq.read_table(parquet))), expected)
    same(table_rows(syndic.cluster(pq.read_table(parquet).to_reader(max_chunksize=7))), expected)

    c = tmp_path / "c.parquet"
    subprocess.run([cli(), "cluster", str(parquet), "-o", str(c), "-q", "--format", "parquet"], check=True)
    same(pq.read_table(c).to_pylist(), expected)

    s = tmp_path / "s.parquet"
    subprocess.run([cli(), "sign", str(parquet), "-o", str(s), "-q", "--format", "parquet"], check=True)
    sig = pq.read_table(s)
    ids, values = syndic.sign(rows)
    assert sig.column("id").to_pylist() == ids
    assert np.array_equal(np.array(sig.column("signature").to_pylist(), dtype=np.uint32), values)
    header = json.loads(pq.read_metadata(s).metadata[b"syndic.signatures"])
    assert header["minhash"]["num_perm"] == values.shape[1] and header["format_version"] >= 2

    k = tmp_path / "k.parquet"
    subprocess.run([cli(), "dedup", str(parquet), "-o", str(k), "-q", "--format", "parquet"], check=True)
    kept = pq.read_table(k)
    assert kept.schema.equals(pq.read_schema(parquet))
    assert kept.column("id").to_pylist() == [r["id"] for r in expected if r["representative"]]


def test_parquet_equals_json_lines(tmp_path):
    assert_parquet_equals_json_lines(SAMPLE, tmp_path)


def test_arrow_inputs_typed_columns_and_bad_rows():
    import pyarrow as pa

    text = "The harbour bridge will close for six weeks after engineers found cracks in its supports."
    table = pa.table({
        "id": pa.array([7, 8], pa.int64()),
        "text": pa.array([text, text], pa.large_string()),
        "published": pa.array([1_607_673_600_000, 1_607_673_700_000], pa.timestamp("ms", tz="UTC")),
    })
    out = syndic.cluster(table)
    assert out.column("id").to_pylist() == ["7", "8"]
    assert out.column("cluster").to_pylist() == ["7", "7"]
    bad = pa.table({"id": ["a", "b"], "text": [text, None]})
    with pytest.raises(syndic.InputError) as e:
        syndic.cluster(bad.to_reader())
    assert (e.value.location, e.value.kind) == ("record 2", "missing_text")
    with pytest.raises(ValueError, match="no \"text\" column"):
        syndic.cluster(pa.table({"id": ["a"], "body": [text]}))
    with pytest.raises(ValueError, match="column \"text\" is Int64"):
        syndic.cluster(pa.table({"text": [1]}))


def read_signature_file(path):
    data = Path(path).read_bytes()
    end = data.index(b"\n")
    start = data.index(b"{")
    header = json.loads(data[start:end])
    k = header["minhash"]["num_perm"]
    at, out = end + 1, {}
    for _ in range(header["count"]):
        (n,) = struct.unpack_from("<I", data, at)
        at += 4
        key = data[at:at + n].decode()
        at += n
        out[key] = np.frombuffer(data, dtype="<u4", count=k, offset=at).astype(np.uint32)
        at += 4 * k
    return out


def assert_sign_equal(path, tmp_path, **settings):
    out = tmp_path / "sigs.bin"
    flags = []
    if "minhash" in settings:
        flags = ["--num-perm", str(settings["minhash"]["num_perm"])]
    subprocess.run([cli(), "sign", str(path), "-o", str(out), "-q", *flags], check=True)
    expected = read_signature_file(out)
    ids, sigs = syndic.sign(records(path), **settings)
    assert ids == list(expected)
    for i, key in enumerate(ids):
        assert np.array_equal(sigs[i], expected[key]), key


def test_sign_equals_the_cli(tmp_path):
    assert_sign_equal(SAMPLE, tmp_path)
    assert_sign_equal(SAMPLE, tmp_path, minhash={"num_perm": 64})


def test_bad_input_raises_with_location_and_kind():
    good = {"id": "a", "text": "some text here"}
    cases = [
        ([good, {"id": "b"}], "record 2", "missing_text"),
        ([good, {"id": "b", "text": 5}], "record 2", "not_a_string"),
        ([good, dict(good)], "record 2", "duplicate_id"),
        ([good, "not a dict"], "record 2", "malformed_record"),
    ]
    for data, location, kind in cases:
        with pytest.raises(syndic.InputError) as e:
            syndic.cluster(data)
        assert isinstance(e.value, ValueError)
        assert (e.value.location, e.value.kind) == (location, kind), str(e.value)
        assert location in str(e.value)


def test_settings_are_the_toml_keys_and_are_checked():
    rows = records(SAMPLE)
    strict = syndic.cluster(
        rows, threshold=0.99, near_threshold=0.99, containment=2.0, aligned_share=2.0
    )
    default = syndic.cluster(rows)
    reps = lambda t: sum(t.column("representative").to_pylist())
    assert reps(strict) > reps(default)
    with pytest.raises(ValueError, match="unknown field"):
        syndic.cluster(rows, treshold=0.9)
    with pytest.raises(ValueError, match="threshold"):
        syndic.cluster(rows, threshold=1.5)
    with pytest.raises(ValueError):
        syndic.cluster(rows, threads=0)


def test_threads_do_not_change_the_result():
    rows = records(SAMPLE)
    assert syndic.cluster(rows, threads=1).equals(syndic.cluster(rows, threads=2))


def _thp_enabled():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("THP_enabled:"):
                    return line.split()[1]
    except OSError:
        pass
    return None


def test_engine_calls_run_in_small_pages_and_restore_the_process_setting():
    """Transparent huge pages are off while an engine call runs (they cost
    the VMs syndic runs on several times more per byte) and as they were
    when it returns: the user's process is left as it was."""
    import threading

    before = _thp_enabled()
    if before != "1" or "MIMALLOC_ALLOW_THP" in os.environ:
        pytest.skip("needs Linux 6.0+ with huge pages allowed for this process")
    rows = [
        dict(r, id=f"{r['id']}-{k}", text=f"{r['text']} copy {k}")
        for k in range(60)
        for r in records(SAMPLE)
    ]
    seen = set()
    call = threading.Thread(target=syndic.cluster, args=(rows,))
    call.start()
    while call.is_alive():
        seen.add(_thp_enabled())
    call.join()
    assert "0" in seen, f"THP_enabled seen during the call: {seen}"
    assert _thp_enabled() == before


# --- dedup and Index -----------------------------------------------------

def test_dedup_keeps_the_cli_representatives_in_the_input_type(tmp_path):
    import pandas as pd
    import pyarrow as pa

    rows = records(SAMPLE)
    kept_ids = [r["id"] for r in cli_clusters(SAMPLE, tmp_path) if r["representative"]]
    assert [r["id"] for r in syndic.dedup(rows)] == kept_ids
    table = syndic.dedup(pa.Table.from_pylist(rows))
    assert table.column("id").to_pylist() == kept_ids and "title" in table.column_names
    assert syndic.dedup(pd.DataFrame(rows))["id"].tolist() == kept_ids
    assert [r["id"] for r in syndic.dedup(iter(rows))] == kept_ids


def test_index_equals_cluster_and_reports_changes(tmp_path):
    rows = records(SAMPLE)
    first, rest = rows[:30], rows[30:]
    ix = syndic.Index.build(tmp_path / "ix", first)
    report = ix.add(rest)
    assert report["added"] == len(rest)
    assert report["new_clusters"] or report["changed_clusters"]
    clusters = ix.clusters().to_pylist()
    levels = ("cluster", "story", "thread")
    expected = {r["id"]: tuple(r[k] for k in levels) for r in table_rows(syndic.cluster(rows))}
    assert {c["id"]: tuple(c[k] for k in levels) for c in clusters} == expected
    matches = syndic.Index(tmp_path / "ix").query(rows[:3])
    assert len(matches) == 3 and all(m and m[0]["similarity"] == 1.0 for m in matches)
    assert all("thread" in m[0] for m in matches)
    assert ix.stats(verify=True)["documents"] == len(rows)
    removed = ix.remove([rows[0]["id"]])
    assert removed["removed"] == 1 and ix.stats()["documents"] == len(rows) - 1
    compacted = ix.compact()
    assert compacted["removed_reclaimed"] == 1 and compacted["documents"] == len(rows) - 1
    assert ix.stats()["segments"] == 1 and ix.stats()["removed"] == 0
    # An add retried after it committed skips what the index holds as given;
    # an id held with another text is refused.
    assert ix.add(rows[1:3])["unchanged"] == 2
    with pytest.raises(ValueError, match="another text"):
        ix.add([dict(rows[1], text=rows[1]["text"] + " Corrected.")])
    with pytest.raises(OSError):
        syndic.Index(tmp_path / "missing")
