"""syndic: find duplicated, syndicated and rewritten news articles.

The Rust engine (the same one the ``syndic`` command runs) from Python:

* ``MinHash`` and ``MinHashLSH`` are shaped like datasketch's, so a
  datasketch or rensa user can switch in minutes.
* ``cluster`` runs the whole pipeline (boilerplate removal, MinHash, LSH,
  exact verification, clusters and stories) on a ``pyarrow.Table``, a pandas
  ``DataFrame`` or an iterable of dicts with the CLI's JSON Lines fields
  (``id``, ``text``, optional ``title``, ``url``, ``source``, ``published``)
  and returns a ``pyarrow.Table`` with the columns of ``clusters.jsonl``.
* ``dedup`` keeps one document per cluster (its origin), in the input's own
  type and columns; ``sign`` gives each document's MinHash signature, as
  ``syndic sign`` does.
* ``Index`` is the persistent index of ``syndic index``: build, add, query,
  remove, clusters, stats.

Settings are the keys of a ``syndic.toml`` file, as keyword arguments
(``threshold=0.85``, ``minhash={"num_perm": 64}``). The work runs without
the GIL on ``threads`` worker threads (default: all cores).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, List, Optional, Tuple

import numpy as np

from . import _syndic
from ._syndic import InputError

__all__ = ["MinHash", "MinHashLSH", "InputError", "Index", "cluster", "dedup", "explain", "sign"]

_FIELDS = ("id", "text", "title", "url", "source", "published")


MinHash = _syndic.MinHash
MinHashLSH = _syndic.MinHashLSH


def _bad_record(k: int, kind: str, message: str) -> InputError:
    err = InputError(f"record {k}: {message}")
    err.location, err.kind = f"record {k}", kind
    return err


def _from_records(records: Iterable[Any]):
    """A table of the CLI's fields from dicts: ids and metadata as strings
    (``7`` reads as ``"7"``, as in JSON Lines), texts as given."""
    import pyarrow as pa

    cols: dict = {f: [] for f in _FIELDS}
    for k, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise _bad_record(k, "malformed_record", "not a dict")
        text = record.get("text")
        if text is not None and not isinstance(text, str):
            raise _bad_record(k, "not_a_string", 'field "text" is not a string')
        cols["text"].append(text)
        for f in ("id", "title", "url", "source", "published"):
            v = record.get(f)
            cols[f].append(None if v is None else str(v))
    return pa.table({f: pa.array(v, type=pa.string()) for f, v in cols.items()})


def _arrow(data: Any) -> Any:
    """The input as something with ``__arrow_c_stream__``: a pyarrow Table
    or RecordBatchReader (or a polars / DuckDB result) as it is, a pandas
    DataFrame converted by pyarrow, an iterable of dicts field by field."""
    if _is_pandas(data):
        import pyarrow as pa

        names = [f for f in _FIELDS if f in data.columns]
        try:
            return pa.Table.from_pandas(data[names], preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Mixed types in a column: record by record, to name the bad one.
            return _from_records(data[names].to_dict("records"))
    if hasattr(data, "__arrow_c_stream__"):
        return data
    return _from_records(data)


def _is_pandas(data: Any) -> bool:
    return hasattr(data, "columns") and hasattr(data, "iloc")


def _settings(settings: dict) -> str:
    return json.dumps(settings)


def cluster(data: Any, threads: Optional[int] = None, **settings: Any):
    """Clusters documents: one row per input document, in input order.

    Returns a ``pyarrow.Table`` with the columns of ``clusters.jsonl``:
    ``id``, ``cluster`` (the representative's id, the origin), ``story``,
    ``thread``, ``representative``, ``similarity``, ``containment``, ``short``.
    A bad record raises ``InputError`` (a ``ValueError``) with ``location``
    and ``kind``; bad settings raise ``ValueError``.
    """
    return _syndic.cluster_table(_arrow(data), _settings(settings), threads)


def explain(data: Any, pairs: Iterable[Tuple[str, str]], threads: Optional[int] = None,
            **settings: Any) -> List[dict]:
    """Why pairs of documents (given by id) are, or are not, one cluster,
    story and thread, as ``syndic explain`` reports it: one dict per pair
    with ``a``, ``b``, ``cluster``, ``story`` and ``thread`` (each side's
    representative id), ``path`` (within one cluster: the steps of the
    run's edges that join them, each ``from``, ``to``, ``jaccard``,
    ``containment``; ``None`` for identical bodies), ``evidence`` (LSH
    bands, Jaccard, containment, set rules, figures, alignment),
    ``matches``, ``story_cosine``, ``days_apart``, ``story_level`` and
    ``thread_level`` (the story rules on their two clusters, and on their
    two stories: shared ``terms``, each with ``word``, ``kind``, ``groups``,
    ``used``, ``rare`` and ``burst``, ``judged`` with the ``verdict``
    and the rule, ``edge``, each one's ``edges_in_group``, and, for two
    of one group that no edge joins, ``path_in_group``: the steps of
    edges that join them, each ``from``, ``to``, ``judged``; ``None``
    when stories are off) and ``report`` (the Markdown). An id that no
    document has raises ``ValueError``."""
    pairs = [(str(a), str(b)) for a, b in pairs]
    texts = _syndic.explain_pairs(_arrow(data), pairs, _settings(settings), threads)
    return [json.loads(t) for t in texts]


def sign(data: Any, threads: Optional[int] = None, **settings: Any) -> Tuple[List[str], np.ndarray]:
    """Each document's MinHash signature, as ``syndic sign`` writes it:
    the ids and a ``(documents, num_perm)`` numpy ``uint32`` array. A body
    too short to shingle gets all ``2**32 - 1``."""
    ids, num_perm, raw = _syndic.sign_table(_arrow(data), _settings(settings), threads)
    values = np.frombuffer(raw, dtype="<u4").astype(np.uint32)
    return ids, values.reshape(len(ids), num_perm)


def dedup(data: Any, threads: Optional[int] = None, **settings: Any):
    """Keeps one document per cluster (its representative: the origin), in
    input order, as the input's own type: a ``pyarrow.Table`` or pandas
    ``DataFrame`` keeps its columns; another Arrow stream (a
    ``RecordBatchReader``, a polars frame) comes back as a ``pyarrow.Table``;
    records come back as a list of dicts."""
    import pyarrow as pa

    if _is_pandas(data) or isinstance(data, pa.Table):
        pass
    elif hasattr(data, "__arrow_c_stream__"):
        data = pa.RecordBatchReader.from_stream(data).read_all()
    elif not hasattr(data, "__len__"):
        data = list(data)
    keep = cluster(data, threads=threads, **settings).column("representative")
    if isinstance(data, pa.Table):
        return data.filter(keep)
    mask = keep.to_pylist()
    if _is_pandas(data):
        return data[mask]
    return [record for record, k in zip(data, mask) if k]


class Index:
    """The persistent index of ``syndic index`` (same files, same matching
    as ``syndic cluster``: its clusters and stories equal the CLI's).

    ``Index.build(path, data, window=None, threads=None, **settings)``
    creates one; ``Index(path)`` opens one. ``add(data)`` and
    ``remove(ids)`` commit atomically and return the change report
    (``new_clusters``, ``changed_clusters``, ``stories``, counts);
    ``query(data)`` gives each document's matches; ``clusters()`` a
    ``pyarrow.Table`` of ``id``, ``cluster``, ``story``, ``thread``;
    ``stats()`` a dict.
    ``window`` is in days (``7`` for a week).
    """

    def __init__(self, path: Any) -> None:
        self._index = _syndic.Index(str(path))
        self.path = str(path)

    @classmethod
    def build(cls, path: Any, data: Any, window: Optional[float] = None,
              threads: Optional[int] = None, **settings: Any) -> "Index":
        index, report = _syndic.Index.build(str(path), _arrow(data), _settings(settings), window, threads)
        out = cls.__new__(cls)
        out._index, out.path, out.last_report = index, str(path), json.loads(report)
        return out

    def add(self, data: Any, threads: Optional[int] = None) -> dict:
        return json.loads(self._index.add(_arrow(data), threads))

    def remove(self, ids: Iterable[str]) -> dict:
        return json.loads(self._index.remove([str(i) for i in ids]))

    def compact(self) -> dict:
        """Rewrites the live documents into one segment, reclaiming the
        records of removed ones; clusters, stories and matches are unchanged."""
        return json.loads(self._index.compact())

    def query(self, data: Any, threads: Optional[int] = None) -> List[List[dict]]:
        return json.loads(self._index.query(_arrow(data), threads))

    def clusters(self):
        import pyarrow as pa

        ids, clusters, stories, threads = self._index.clusters()
        return pa.table({"id": ids, "cluster": clusters, "story": stories, "thread": threads})

    def stats(self, verify: bool = False) -> dict:
        return json.loads(self._index.stats(verify))
