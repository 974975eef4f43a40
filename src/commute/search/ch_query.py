"""Compiled queries on a customised contraction hierarchy (numba).

Upward searches need no priority queue: every node an upward search can reach is an ancestor
of its start in the elimination tree, so the labels are settled by walking that path in
increasing rank. A label that a higher node improves through a downward arc is not a shortest
distance and is *stalled*: it is left out of the buckets (a shortest path meets at a node whose
labels are exact from both sides).

- ``many_to_many``: backward searches from the targets fill buckets (node -> target, time),
  forward searches from the sources scan them; both run in parallel.
- ``one_to_all``: PHAST: an upward search, then one sweep down over every node in decreasing
  rank; in parallel over the sources.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

INF = np.inf


@njit(cache=True, nogil=True)
def _relax(dv: float, lo: int, hi: int, arc: Any, w: Any, d: Any) -> None:  # pragma: no cover - compiled
    """Lower ``d`` at the heads of arcs ``lo:hi`` (``arc``, weights ``w``) to ``dv`` plus the weight."""
    if dv == INF:
        return
    for a in range(lo, hi):
        u = arc[a]
        t = dv + w[a]
        if t < d[u]:
            d[u] = t


@njit(cache=True, nogil=True)
def _upward(
    s: int, parent: Any, uptr: Any, uarc: Any, uw: Any, dptr: Any, darc: Any, dw: Any, d: Any, path: Any, ok: Any
) -> int:  # pragma: no cover - compiled
    """Labels on the ancestors of ``s`` (written in ``d``; ``path`` lists them); ``ok``: not stalled."""
    k = 0
    v = s
    while v != -1:
        path[k] = v
        k += 1
        v = parent[v]
    d[s] = 0.0
    for i in range(k):
        v = path[i]
        _relax(d[v], uptr[v], uptr[v + 1], uarc, uw, d)
    for i in range(k):
        v = path[i]
        dv = d[v]
        good = dv < INF
        if good:
            for a in range(dptr[v], dptr[v + 1]):
                if d[darc[a]] + dw[a] < dv:
                    good = False
                    break
        ok[i] = good
    return k


@njit(cache=True, parallel=True)
def many_to_many(
    n: int,
    parent: Any,
    depth: Any,
    fptr: Any,
    farc: Any,
    fwt: Any,
    bptr: Any,
    barc: Any,
    bwt: Any,
    sources: Any,
    targets: Any,
    limit: float,
) -> Any:  # pragma: no cover - compiled
    """Times from every source to every target (ranks), inf where unreachable or beyond ``limit``."""
    ns = sources.shape[0]
    nt = targets.shape[0]
    off = np.zeros(nt + 1, dtype=np.int64)
    for j in range(nt):
        off[j + 1] = off[j] + depth[targets[j]] + 1
    ent_v = np.full(off[nt], -1, dtype=np.int64)
    ent_d = np.empty(off[nt], dtype=np.float64)
    maxk = 0
    for v in range(n):
        if depth[v] + 1 > maxk:
            maxk = depth[v] + 1
    nth = 64
    chunk = (nt + nth - 1) // nth
    for c in prange(nth):
        d = np.full(n, INF)
        path = np.empty(maxk, dtype=np.int64)
        ok = np.empty(maxk, dtype=np.bool_)
        for j in range(c * chunk, min(nt, (c + 1) * chunk)):
            k = _upward(targets[j], parent, bptr, barc, bwt, fptr, farc, fwt, d, path, ok)
            for i in range(k):
                v = path[i]
                if ok[i] and d[v] <= limit:
                    ent_v[off[j] + i] = v
                    ent_d[off[j] + i] = d[v]
                d[v] = INF
    # buckets: entries grouped by node (counting sort)
    cnt = np.zeros(n + 1, dtype=np.int64)
    for j in range(nt):
        for e in range(off[j], off[j + 1]):
            if ent_v[e] >= 0:
                cnt[ent_v[e] + 1] += 1
    bk = np.cumsum(cnt)
    fill = bk[:-1].copy()
    b_t = np.empty(bk[n], dtype=np.int64)
    b_d = np.empty(bk[n], dtype=np.float64)
    for j in range(nt):
        for e in range(off[j], off[j + 1]):
            v = ent_v[e]
            if v >= 0:
                b_t[fill[v]] = j
                b_d[fill[v]] = ent_d[e]
                fill[v] += 1
    out = np.full((ns, nt), INF)
    chunk = (ns + nth - 1) // nth
    for c in prange(nth):
        d = np.full(n, INF)
        path = np.empty(maxk, dtype=np.int64)
        ok = np.empty(maxk, dtype=np.bool_)
        for i in range(c * chunk, min(ns, (c + 1) * chunk)):
            row = out[i]
            k = _upward(sources[i], parent, fptr, farc, fwt, bptr, barc, bwt, d, path, ok)
            for q in range(k):
                v = path[q]
                dv = d[v]
                d[v] = INF
                if not ok[q] or dv > limit:
                    continue
                for e in range(bk[v], bk[v + 1]):
                    t = dv + b_d[e]
                    j = b_t[e]
                    if t < row[j]:
                        row[j] = t
            for j in range(nt):
                if row[j] > limit:
                    row[j] = INF
    return out


@njit(cache=True, nogil=True)
def _phast(
    n: int, starts: Any, fptr: Any, farc: Any, fwt: Any, bptr: Any, barc: Any, bwt: Any, d: Any
) -> None:  # pragma: no cover - compiled
    for v in range(n):
        d[v] = INF
    lo = n
    for s in starts:
        d[s] = 0.0
        if s < lo:
            lo = s
    for v in range(lo, n):  # upward, in increasing rank (a multi-source search is one sweep)
        _relax(d[v], fptr[v], fptr[v + 1], farc, fwt, d)
    for v in range(n - 1, -1, -1):  # downward sweep
        best = d[v]
        for a in range(bptr[v], bptr[v + 1]):
            t = d[barc[a]] + bwt[a]
            if t < best:
                best = t
        d[v] = best


@njit(cache=True, parallel=True)
def one_to_all(
    n: int,
    fptr: Any,
    farc: Any,
    fwt: Any,
    bptr: Any,
    barc: Any,
    bwt: Any,
    starts: Any,
    sptr: Any,
    cols: Any,
    limit: float,
) -> Any:  # pragma: no cover - compiled
    """PHAST from each group of starts (group ``i``: ``starts[sptr[i]:sptr[i+1]]``), read at ``cols``."""
    ng = sptr.shape[0] - 1
    out = np.empty((ng, cols.shape[0]))
    for i in prange(ng):
        d = np.empty(n)
        _phast(n, starts[sptr[i] : sptr[i + 1]], fptr, farc, fwt, bptr, barc, bwt, d)
        for j in range(cols.shape[0]):
            t = d[cols[j]]
            out[i, j] = t if t <= limit else INF
    return out
