"""syndic: find duplicated, syndicated and rewritten news articles.

The Rust engine (the same one the ``syndic`` command runs) from Python:

* ``MinHash`` and ``MinHashLSH`` are shaped like datasketch's, so a
  datasketch or rensa user can switch in minutes.
* ``cluster`` runs the whole pipeline (boilerplate removal, MinHash, LSH,
  exact verification, clusters and stories) on a ``pyarrow.Table``, a pandas
  ``DataFrame`` or an iterable of dicts with the CLI's JSON Lines fields
  (``id``, ``text``, optional ``title``, ``url``, ``source``, ``published``)
  and returns a ``pyarrow.Table`` with the columns of ``clusters.jsonl``.
* ``sign`` gives each document's MinHash signature, as ``syndic sign`` does.

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

__all__ = ["MinHash", "MinHashLSH", "InputError", "cluster", "sign"]

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
