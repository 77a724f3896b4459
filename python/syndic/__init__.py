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

__all__ = ["MinHash", "MinHashLSH", "InputError", "Index", "cluster", "dedup", "sign"]

_FIELDS = ("id", "text", "title", "url", "source", "published")


MinHash = _syndic.MinHash
MinHashLSH = _syndic.MinHashLSH


def _columns(data: Any) -> dict:
    """The input's fields as lists (missing fields as None)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional for records
        pa = None
    if pa is not None and isinstance(data, pa.Table):
        names = set(data.column_names)
        n = data.num_rows
        return {f: data.column(f).to_pylist() if f in names else [None] * n for f in _FIELDS}
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas
        names = set(data.columns)
        n = len(data)
        out = {}
        for f in _FIELDS:
            if f in names:
                col = data[f].tolist()
                out[f] = [None if (v is None or (isinstance(v, float) and v != v)) else v for v in col]
            else:
                out[f] = [None] * n
        return out
    out = {f: [] for f in _FIELDS}
    for k, record in enumerate(data):
        if not isinstance(record, dict):
            err = InputError(f"record {k + 1}: not a dict")
            err.location, err.kind = f"record {k + 1}", "malformed_record"
            raise err
        for f in _FIELDS:
            out[f].append(record.get(f))
    return out


def _as_str(values: List[Any]) -> List[Optional[str]]:
    return [None if v is None else str(v) for v in values]


def _prepare(data: Any) -> dict:
    c = _columns(data)
    return {
        "ids": _as_str(c["id"]),
        "texts": c["text"],
        "titles": _as_str(c["title"]),
        "urls": _as_str(c["url"]),
        "sources": _as_str(c["source"]),
        "published": _as_str(c["published"]),
    }


def _settings(settings: dict) -> str:
    return json.dumps(settings)


def cluster(data: Any, threads: Optional[int] = None, **settings: Any):
    """Clusters documents: one row per input document, in input order.

    Returns a ``pyarrow.Table`` with the columns of ``clusters.jsonl``:
    ``id``, ``cluster`` (the representative's id, the origin), ``story``,
    ``representative``, ``similarity``, ``containment``, ``short``.
    A bad record raises ``InputError`` (a ``ValueError``) with ``location``
    and ``kind``; bad settings raise ``ValueError``.
    """
    import pyarrow as pa

    cols = _syndic.cluster_columns(_prepare(data), _settings(settings), threads)
    names = ["id", "cluster", "story", "representative", "similarity", "containment", "short"]
    types = [pa.string(), pa.string(), pa.string(), pa.bool_(), pa.float32(), pa.float32(), pa.bool_()]
    return pa.table({n: pa.array(c, type=t) for n, c, t in zip(names, cols, types)})


def sign(data: Any, threads: Optional[int] = None, **settings: Any) -> Tuple[List[str], np.ndarray]:
    """Each document's MinHash signature, as ``syndic sign`` writes it:
    the ids and a ``(documents, num_perm)`` numpy ``uint32`` array. A body
    too short to shingle gets all ``2**32 - 1``."""
    ids, num_perm, raw = _syndic.sign_columns(_prepare(data), _settings(settings), threads)
    values = np.frombuffer(raw, dtype="<u4").astype(np.uint32)
    return ids, values.reshape(len(ids), num_perm)


def dedup(data: Any, threads: Optional[int] = None, **settings: Any):
    """Keeps one document per cluster (its representative: the origin), in
    input order, as the input's own type: a ``pyarrow.Table`` or pandas
    ``DataFrame`` keeps its columns; records come back as a list of dicts."""
    if not hasattr(data, "__len__"):
        data = list(data)
    keep = cluster(data, threads=threads, **settings).column("representative")
    try:
        import pyarrow as pa

        if isinstance(data, pa.Table):
            return data.filter(keep)
    except ImportError:  # pragma: no cover
        pass
    mask = keep.to_pylist()
    if hasattr(data, "columns") and hasattr(data, "iloc"):  # pandas
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
    ``pyarrow.Table`` of ``id``, ``cluster``, ``story``; ``stats()`` a dict.
    ``window`` is in days (``7`` for a week).
    """

    def __init__(self, path: Any) -> None:
        self._index = _syndic.Index(str(path))
        self.path = str(path)

    @classmethod
    def build(cls, path: Any, data: Any, window: Optional[float] = None,
              threads: Optional[int] = None, **settings: Any) -> "Index":
        index, report = _syndic.Index.build(str(path), _prepare(data), _settings(settings), window, threads)
        out = cls.__new__(cls)
        out._index, out.path, out.last_report = index, str(path), json.loads(report)
        return out

    def add(self, data: Any, threads: Optional[int] = None) -> dict:
        return json.loads(self._index.add(_prepare(data), threads))

    def remove(self, ids: Iterable[str]) -> dict:
        return json.loads(self._index.remove([str(i) for i in ids]))

    def query(self, data: Any, threads: Optional[int] = None) -> List[List[dict]]:
        return json.loads(self._index.query(_prepare(data), threads))

    def clusters(self):
        import pyarrow as pa

        ids, clusters, stories = self._index.clusters()
        return pa.table({"id": ids, "cluster": clusters, "story": stories})

    def stats(self, verify: bool = False) -> dict:
        return json.loads(self._index.stats(verify))
