"""Compiled shortest-path kernels (numba), with scipy as the fallback.

``many_to_many`` runs one Dijkstra per source (a binary heap with lazy deletion over the CSR
arrays) in parallel over the sources, on every core; it returns only the columns asked for, so
a zone-to-zone matrix never holds a sources x nodes array. Answers are exact and identical to
scipy's (tested). Without numba, :func:`scipy.sparse.csgraph.dijkstra` is used.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

try:  # numba is optional: the kernels are compiled on first use and cached on disk
    import numba
    from numba import njit, prange

    HAVE_NUMBA = os.environ.get("COMMUTE_NO_NUMBA", "") == ""
    from commute.search.jit_cache import configure, healing

    configure()  # the cache lives in a user cache folder commute manages (see jit_cache)
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_NUMBA = False


if HAVE_NUMBA:

    @njit(cache=True, nogil=True)
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

    @njit(cache=True, parallel=True)
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

    _many_healing = healing(_many, _dijkstra)
    _dijkstra_healing = healing(_dijkstra)


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
    sources = np.asarray(sources, dtype=np.int64)
    n = matrix.shape[0]
    tg = np.arange(n, dtype=np.int64) if targets is None else np.asarray(targets, dtype=np.int64)
    if len(sources) == 0:
        return np.zeros((0, len(tg)))
    if (HAVE_NUMBA if use_numba is None else use_numba) and HAVE_NUMBA:
        ip, ix, dt = _arrays(matrix)
        return _many_healing(ip, ix, dt, sources, tg, float(limit), n)
    d = dijkstra(matrix, directed=True, indices=sources, limit=limit)
    d = np.atleast_2d(d)
    return d[:, tg] if targets is not None else d


def one_to_all(
    matrix: sp.csr_matrix, sources: np.ndarray, *, limit: float = np.inf, use_numba: bool | None = None
) -> np.ndarray:
    """Best time from any of ``sources`` to every node (multi-source), inf where unreachable."""
    sources = np.asarray(sources, dtype=np.int64)
    if (HAVE_NUMBA if use_numba is None else use_numba) and HAVE_NUMBA:
        ip, ix, dt = _arrays(matrix)
        dist = np.empty(matrix.shape[0], dtype=np.float64)
        _dijkstra_healing(ip, ix, dt, sources, float(limit), dist)
        return dist
    return np.asarray(dijkstra(matrix, directed=True, indices=sources, min_only=True, limit=limit))


def threads() -> int:
    """Threads the compiled kernels use."""
    return int(numba.get_num_threads()) if HAVE_NUMBA else 1
