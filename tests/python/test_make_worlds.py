"""scripts/make_worlds.py: many worlds joined into one corpus, and its labels.

The README's quality rows for the five-world corpora come from labels that
`--same-base` writes, so what it promises is checked here: pages keep their
text with world-prefixed ids, and the labels name one base article the same
in every world (whichever generator made the world), while a cluster of
its own in one world (a rewrite) stays that world's.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_worlds.py"

# A world as `syndic corpora generate` labels it (bases by their own keys:
# bbc/business/082.txt is `business-082`, Reuters NEWID 11442 is `11442`).
GENERATED = [
    ("business-082-origin-0", "business-082", "business-082", "origin"),
    ("business-082-syndicated-1", "business-082", "business-082", "syndicated"),
    ("11442-ocr-2", "11442", "11442", "ocr"),
]
# A world as the copy-maker labels it (`bbc-` and `reuters-` before the
# same keys), with a rewrite in a cluster of its own.
COPIED = [
    ("bbc-business-082", "bbc-business-082", "bbc-business-082", "origin"),
    ("reuters-11442-excerpt", "reuters-11442", "reuters-11442", "excerpt"),
    ("reuters-11442-rewrite-close", "reuters-11442-rewrite-close", "reuters-11442", "rewrite-close"),
]


def world(folder: Path, rows):
    folder.mkdir()
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
        for doc, *_ in rows:
            f.write(json.dumps({"id": doc, "text": f"Text of {doc} \u2014 \u201cquoted\u201d."}) + "\n")
    with open(folder / "labels.tsv", "w", encoding="utf-8") as f:
        f.write("id\tcluster\tstory\tkind\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def joined(tmp_path: Path, *flags):
    world(tmp_path / "g1", GENERATED)
    world(tmp_path / "c2", COPIED)
    out, labels = tmp_path / "mix.jsonl", tmp_path / "mix.tsv"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--labels", str(labels), *flags,
         str(tmp_path / "g1"), str(tmp_path / "c2")],
        check=True, capture_output=True,
    )
    pages = [json.loads(line) for line in open(out, encoding="utf-8")]
    rows = [line.rstrip("\n").split("\t") for line in open(labels, encoding="utf-8")]
    assert rows[0] == ["id", "cluster", "story", "kind"]
    return pages, {r[0]: r[1:] for r in rows[1:]}


def test_pages_keep_their_text_under_world_prefixed_ids(tmp_path):
    pages, _ = joined(tmp_path)
    assert [p["id"] for p in pages] == [f"g1/{r[0]}" for r in GENERATED] + [f"c2/{r[0]}" for r in COPIED]
    assert pages[0]["text"] == "Text of business-082-origin-0 \u2014 \u201cquoted\u201d."


def test_without_same_base_each_world_has_its_own_clusters(tmp_path):
    _, labels = joined(tmp_path)
    assert labels["g1/business-082-origin-0"] == ["g1/business-082", "g1/business-082", "origin"]
    assert labels["c2/bbc-business-082"] == ["c2/bbc-business-082", "c2/bbc-business-082", "origin"]


def test_same_base_names_a_base_alike_in_every_world(tmp_path):
    _, labels = joined(tmp_path, "--same-base")
    # One BBC article and one Reuters report, each one cluster and story
    # across the two worlds.
    assert labels["g1/business-082-syndicated-1"][:2] == ["business-082", "business-082"]
    assert labels["c2/bbc-business-082"][:2] == ["business-082", "business-082"]
    assert labels["g1/11442-ocr-2"][:2] == ["11442", "11442"]
    assert labels["c2/reuters-11442-excerpt"][:2] == ["11442", "11442"]
    # A rewrite stays a cluster of its world, in its base's story.
    assert labels["c2/reuters-11442-rewrite-close"] == [
        "c2/reuters-11442-rewrite-close", "11442", "rewrite-close"]


def test_same_base_needs_labels(tmp_path):
    world(tmp_path / "g1", GENERATED)
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "m.jsonl"), "--same-base",
         str(tmp_path / "g1")],
        capture_output=True, text=True,
    )
    assert run.returncode != 0 and "--same-base needs --labels" in run.stderr
