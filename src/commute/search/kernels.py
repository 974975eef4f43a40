"""Shortest-path kernels: numba-compiled Dijkstra, and scipy's where a compile would not pay.

``many_to_many`` runs one Dijkstra per source (a binary heap with lazy deletion over the CSR
arrays) in parallel over the sources, on every core; it returns only the columns asked for, so
a zone-to-zone matrix never holds a sources x nodes array. Answers are exact and identical to
scipy's (tested). :func:`scipy.sparse.csgraph.dijkstra` answers instead without numba, and
also while the compiled kernel is not yet in numba's cache and scipy's full rows stay below
:data:`SCIPY_MAX_CELLS`, so a small query on a fresh installation pays no compile (numba is not
even imported).
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from commute.search import jit_cache

HAVE_NUMBA = os.environ.get("COMMUTE_NO_NUMBA", "") == "" and find_spec("numba") is not None

#: Above this many cells of scipy's sources x nodes answer (80 MB of float64), the compiled
#: kernel is used (and compiled if it is not cached), as it keeps only the targets' columns.
SCIPY_MAX_CELLS = 10_000_000

#: numba's ``prange`` once :func:`_compiled` ran.
prange = range


def _dijkstra(
    indptr: Any, indices: Any, data: Any, sources: Any, limit: float, dist: Any
) -> None:  # pragma: no cover - compiled
    n = dist.shape[0]
    for i in range(n):
        dist[i] = np.inf
    cap = data.shape[0] + sources.shape[0] + 1
    hk = np.empty(cap, dtype=np.float64)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for s in sources:
        dist[s] = 0.0
        # push (0, s)
        j = size
        size += 1
        hk[j] = 0.0
        hv[j] = s
    while size > 0:
        d = hk[0]
        u = hv[0]
        # pop
        size -= 1
        if size > 0:
            k = hk[size]
            v = hv[size]
            j = 0
            while True:
                c = 2 * j + 1
                if c >= size:
                    break
                if c + 1 < size and hk[c + 1] < hk[c]:
                    c += 1
                if hk[c] < k:
                    hk[j] = hk[c]
                    hv[j] = hv[c]
                    j = c
                else:
                    break
            hk[j] = k
            hv[j] = v
        if d > dist[u]:
            continue
        if d > limit:
            break
        for e in range(indptr[u], indptr[u + 1]):
            w = indices[e]
            nd = d + data[e]
            if nd < dist[w]:
                dist[w] = nd
                # push (nd, w)
                j = size
                size += 1
                while j > 0:
                    p = (j - 1) // 2
                    if hk[p] > nd:
                        hk[j] = hk[p]
                        hv[j] = hv[p]
                        j = p
                    else:
                        break
                hk[j] = nd
                hv[j] = w
    for i in range(n):
        if dist[i] > limit:
            dist[i] = np.inf


def _many(
    indptr: Any, indices: Any, data: Any, sources: Any, targets: Any, limit: float, n: int
) -> Any:  # pragma: no cover - compiled
    out = np.empty((sources.shape[0], targets.shape[0]), dtype=np.float64)
    for i in prange(sources.shape[0]):
        dist = np.empty(n, dtype=np.float64)
        src = sources[i : i + 1]
        _dijkstra(indptr, indices, data, src, limit, dist)
        for j in range(targets.shape[0]):
            out[i, j] = dist[targets[j]]
    return out


_COMPILED: dict[str, Any] = {}
#: The kernels as written (plain functions), whatever :func:`_compiled` puts in their place.
_PLAIN: dict[str, Any] = {"_many": _many, "_dijkstra": _dijkstra}


def _compiled() -> dict[str, Any]:
    """The numba kernels (loaded from numba's cache, or compiled and cached there), healing."""
    if not _COMPILED:
        import numba

        jit_cache.configure()
        g = globals()
        g["prange"] = numba.prange
        py_dijkstra, py_many = g["_dijkstra"], g["_many"]
        g["_dijkstra"] = numba.njit(cache=True, nogil=True)(py_dijkstra)
        many = numba.njit(cache=True, parallel=True)(py_many)
        _COMPILED["many"] = jit_cache.healing(many, g["_dijkstra"])
        _COMPILED["dijkstra"] = jit_cache.healing(g["_dijkstra"])
    return _COMPILED


def _use_numba(use_numba: bool | None, name: str, cells: int) -> bool:
    if use_numba is not None:
        return use_numba and HAVE_NUMBA
    if not HAVE_NUMBA:
        return False
    return bool(_COMPILED) or cells > SCIPY_MAX_CELLS or jit_cache.is_cached(_PLAIN[name])


def _arrays(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.ascontiguousarray(matrix.indptr, dtype=np.int64),
        np.ascontiguousarray(matrix.indices, dtype=np.int64),
        np.ascontiguousarray(matrix.data, dtype=np.float64),
    )


def many_to_many(
    matrix: sp.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray | None = None,
    *,
    limit: float = np.inf,
    use_numba: bool | None = None,
) -> np.ndarray:
    """Minutes from each source to each target (inf where unreachable or beyond ``limit``)."""
    sources = np.ascontiguousarray(sources, dtype=np.int64)  # one compiled layout (see _arrays)
    n = matrix.shape[0]
    tg = np.arange(n, dtype=np.int64) if targets is None else np.ascontiguousarray(targets, dtype=np.int64)
    if len(sources) == 0:
        return np.zeros((0, len(tg)))
    if _use_numba(use_numba, "_many", len(sources) * n):
        ip, ix, dt = _arrays(matrix)
        return _compiled()["many"](ip, ix, dt, sources, tg, float(limit), n)
    d = dijkstra(matrix, directed=True, indices=sources, limit=limit)
    d = np.atleast_2d(d)
    return d[:, tg] if targets is not None else d


def one_to_all(
    matrix: sp.csr_matrix, sources: np.ndarray, *, limit: float = np.inf, use_numba: bool | None = None
) -> np.ndarray:
    """Best time from any of ``sources`` to every node (multi-source), inf where unreachable."""
    sources = np.ascontiguousarray(sources, dtype=np.int64)
    if _use_numba(use_numba, "_dijkstra", matrix.shape[0]):
        ip, ix, dt = _arrays(matrix)
        dist = np.empty(matrix.shape[0], dtype=np.float64)
        _compiled()["dijkstra"](ip, ix, dt, sources, float(limit), dist)
        return dist
    return np.asarray(dijkstra(matrix, directed=True, indices=sources, min_only=True, limit=limit))


def threads() -> int:
    """Threads the compiled kernels use."""
    if not HAVE_NUMBA:
        return 1
    import numba

    return int(numba.get_num_threads())
