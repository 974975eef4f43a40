"""Compiled kernels that build and customise a contraction hierarchy (numba).

The hierarchy is *customisable* (Dibbelt, Strasser and Wagner, "Customizable Contraction
Hierarchies", 2016): the node order depends only on the shape of the graph, the shortcuts are
every fill-in arc of contracting the nodes in that order (the arcs of a chordal supergraph, one
per pair of higher neighbours: no witness search can drop an arc that another metric needs), and
the weights are filled in afterwards by *customisation*:

- basic customisation visits every lower triangle ``{x, u, w}`` (``x`` below both) and
  shortens ``u -> w`` to ``u -> x -> w``; afterwards an arc's weight is the shortest path through
  lower nodes only, exact for any weights;
- perfect customisation visits the intermediate and upper triangles top-down; afterwards every
  arc's weight is the true shortest distance between its ends;
- an arc whose perfect weight is shorter than its basic one is not needed by any query: the
  shortest path between its ends runs through a higher node, over other arcs (an upper or
  intermediate triangle is its *witness*, found exactly rather than by a bounded search), so it
  is left out of the query graph.

Nodes are numbered by rank (0 is contracted first). ``ptr``/``arc`` hold, for every node, its
higher neighbours in increasing rank (the upward arcs); ``fw[a]`` is the time from the lower end
of arc ``a`` to its upper end and ``bw[a]`` the time back. Distances are float64 sums of the
input minutes, never rounded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

INF = np.inf


@njit(cache=True)
def symbolic(n: int, sptr: Any, sidx: Any) -> Any:  # pragma: no cover - compiled
    """Upward arcs of the chordal supergraph and the elimination tree, in rank space.

    ``sptr``/``sidx`` is the symmetric adjacency (both directions of every link) with nodes
    already numbered by rank. The higher neighbours of ``v`` are its own plus those of its
    children in the elimination tree (less ``v``); its parent is the lowest of them.
    """
    parent = np.full(n, -1, dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    mark = np.full(n, -1, dtype=np.int64)
    buf = np.empty(n, dtype=np.int64)
    cap = max(16, 2 * sidx.shape[0])
    arc = np.empty(cap, dtype=np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        k = 0
        mark[v] = v
        for e in range(sptr[v], sptr[v + 1]):
            u = sidx[e]
            if u > v and mark[u] != v:
                mark[u] = v
                buf[k] = u
                k += 1
        c = head[v]
        while c != -1:
            for e in range(ptr[c], ptr[c + 1]):
                u = arc[e]
                if mark[u] != v:
                    mark[u] = v
                    buf[k] = u
                    k += 1
            c = nxt[c]
        row = np.sort(buf[:k])
        if ptr[v] + k > cap:
            while ptr[v] + k > cap:
                cap *= 2
            grown = np.empty(cap, dtype=np.int64)
            grown[: ptr[v]] = arc[: ptr[v]]
            arc = grown
        arc[ptr[v] : ptr[v] + k] = row
        ptr[v + 1] = ptr[v] + k
        if k > 0:
            p = row[0]
            parent[v] = p
            nxt[v] = head[p]
            head[p] = v
    return ptr, arc[: ptr[n]].copy(), parent


@njit(cache=True)
def find(ptr: Any, arc: Any, u: int, w: int) -> int:  # pragma: no cover - compiled
    """Index of the arc ``u -> w`` (``w`` above ``u``) by binary search, -1 if absent."""
    lo = _lower_bound(arc, ptr[u], ptr[u + 1], w)
    if lo < ptr[u + 1] and arc[lo] == w:
        return lo
    return -1


@njit(cache=True, nogil=True)
def _lower_bound(arc: Any, lo: int, hi: int, w: int) -> int:  # pragma: no cover - compiled
    """First index in ``arc[lo:hi]`` (sorted) holding ``w`` or more (``hi`` if none), by binary search."""
    while lo < hi:
        mid = (lo + hi) // 2
        if arc[mid] < w:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def map_edges(ptr: Any, arc: Any, rank: Any, indptr: Any, indices: Any) -> Any:  # pragma: no cover - compiled
    """For every input link (CSR entry): its arc, and 0 if it runs up the order, 1 if down, -1 a loop."""
    n = indptr.shape[0] - 1
    m = indices.shape[0]
    where = np.full(m, -1, dtype=np.int64)
    side = np.full(m, -1, dtype=np.int8)
    for a in range(n):
        ra = rank[a]
        for e in range(indptr[a], indptr[a + 1]):
            rb = rank[indices[e]]
            if ra < rb:
                where[e] = find(ptr, arc, ra, rb)
                side[e] = 0
            elif rb < ra:
                where[e] = find(ptr, arc, rb, ra)
                side[e] = 1
    return where, side


@njit(cache=True)
def input_weights(n_arcs: int, where: Any, side: Any, data: Any) -> Any:  # pragma: no cover - compiled
    """Arc weights before customisation: the cheapest input link along each arc, inf if none."""
    fw = np.full(n_arcs, INF)
    bw = np.full(n_arcs, INF)
    for e in range(data.shape[0]):
        a = where[e]
        if side[e] == 0:
            if data[e] < fw[a]:
                fw[a] = data[e]
        elif side[e] == 1:
            if data[e] < bw[a]:
                bw[a] = data[e]
    return fw, bw


@njit(cache=True)
def levels(n: int, parent: Any) -> Any:  # pragma: no cover - compiled
    """Height (0 at leaves) and depth (0 at roots) of every node in the elimination tree."""
    height = np.zeros(n, dtype=np.int64)
    for v in range(n):
        p = parent[v]
        if p >= 0 and height[v] + 1 > height[p]:
            height[p] = height[v] + 1
    depth = np.zeros(n, dtype=np.int64)
    for v in range(n - 1, -1, -1):
        p = parent[v]
        if p >= 0:
            depth[v] = depth[p] + 1
    return height, depth


@njit(cache=True)
def transpose(n: int, ptr: Any, arc: Any) -> Any:  # pragma: no cover - compiled
    """For every node, the lower nodes that have an arc to it, and the index of that arc."""
    cnt = np.zeros(n + 1, dtype=np.int64)
    for a in range(arc.shape[0]):
        cnt[arc[a] + 1] += 1
    tptr = np.cumsum(cnt)
    fill = tptr[:-1].copy()
    tarc = np.empty(arc.shape[0], dtype=np.int64)
    for x in range(n):
        for a in range(ptr[x], ptr[x + 1]):
            u = arc[a]
            tarc[fill[u]] = a
            fill[u] += 1
    return tptr, tarc


@njit(cache=True, nogil=True)
def _seek(arc: Any, lo: int, hi: int, w: int) -> int:  # pragma: no cover - compiled
    """First index in ``arc[lo:hi]`` (sorted) holding ``w`` or more: a gallop, then a binary search."""
    step = 1
    while lo + step < hi and arc[lo + step] < w:
        lo += step
        step *= 2
    if arc[lo] >= w:
        return lo
    return _lower_bound(arc, lo + 1, min(hi, lo + step + 1), w)


@njit(cache=True, nogil=True)
def _pull(u: int, ptr: Any, arc: Any, tptr: Any, tarc: Any, owner: Any, fw: Any, bw: Any) -> None:  # pragma: no cover
    end = ptr[u + 1]
    for t in range(tptr[u], tptr[u + 1]):
        a = tarc[t]  # arc x -> u
        x = owner[a]
        up = bw[a]  # u -> x
        dn = fw[a]  # x -> u
        if up == INF and dn == INF:
            continue
        c = ptr[u]
        for b in range(a + 1, ptr[x + 1]):  # arcs x -> w with w above u; u -> w exists (chordal)
            c = _seek(arc, c, end, arc[b])
            s1 = up + fw[b]  # u -> x -> w
            if s1 < fw[c]:
                fw[c] = s1
            s2 = bw[b] + dn  # w -> x -> u
            if s2 < bw[c]:
                bw[c] = s2


@njit(cache=True, parallel=True)
def basic(
    ptr: Any, arc: Any, tptr: Any, tarc: Any, owner: Any, groups: Any, gptr: Any, fw: Any, bw: Any, nc: int
) -> None:  # pragma: no cover - compiled
    """Basic customisation, pulled: each node shortens its own arcs through its lower triangles.

    Nodes are processed by height in the elimination tree (``groups``, split by ``gptr``); the
    nodes of one height have disjoint arcs and depend only on lower heights, so large groups run
    in parallel (in ``nc`` chunks).
    """
    for g in range(gptr.shape[0] - 1):
        lo = gptr[g]
        size = gptr[g + 1] - lo
        if size < 64 * nc:
            for gi in range(lo, lo + size):
                _pull(groups[gi], ptr, arc, tptr, tarc, owner, fw, bw)
        else:
            step = (size + nc - 1) // nc
            for c in prange(nc):
                for gi in range(lo + c * step, min(lo + size, lo + (c + 1) * step)):
                    _pull(groups[gi], ptr, arc, tptr, tarc, owner, fw, bw)


@njit(cache=True, nogil=True)
def perfect_node(v: int, ptr: Any, arc: Any, fw_b: Any, bw_b: Any, fw: Any, bw: Any) -> None:  # pragma: no cover
    """Perfect weights of the arcs of ``v``: min(basic(v, u), min over x of basic(v, x) + perfect(x, u)).

    Every triangle of ``v`` once; the arcs above ``v`` must be final.
    """
    end = ptr[v + 1]
    for i in range(ptr[v], end):
        fw[i] = fw_b[i]
        bw[i] = bw_b[i]
    for i in range(ptr[v], end):
        ui = arc[i]
        c = ptr[ui]
        uend = ptr[ui + 1]
        for j in range(i + 1, end):
            c = _seek(arc, c, uend, arc[j])  # ui -> uj
            s = fw_b[j] + bw[c]  # v -> uj -> ui
            if s < fw[i]:
                fw[i] = s
            s = fw[c] + bw_b[j]  # ui -> uj -> v
            if s < bw[i]:
                bw[i] = s
            s = fw_b[i] + fw[c]  # v -> ui -> uj
            if s < fw[j]:
                fw[j] = s
            s = bw[c] + bw_b[i]  # uj -> ui -> v
            if s < bw[j]:
                bw[j] = s


@njit(cache=True, parallel=True)
def perfect(
    ptr: Any, arc: Any, groups: Any, gptr: Any, fw_b: Any, bw_b: Any, fw: Any, bw: Any, nc: int
) -> None:  # pragma: no cover - compiled
    """Perfect customisation top-down (by depth: nodes of one depth in parallel).

    After it, ``fw``/``bw`` are exact distances between the ends of every arc.
    """
    for g in range(gptr.shape[0] - 1):
        lo = gptr[g]
        size = gptr[g + 1] - lo
        if size < 64 * nc:
            for gi in range(lo, lo + size):
                perfect_node(groups[gi], ptr, arc, fw_b, bw_b, fw, bw)
        else:
            step = (size + nc - 1) // nc
            for c in prange(nc):
                for gi in range(lo + c * step, min(lo + size, lo + (c + 1) * step)):
                    perfect_node(groups[gi], ptr, arc, fw_b, bw_b, fw, bw)


@njit(cache=True)
def compact(n: int, ptr: Any, arc: Any, w: Any, keep: Any) -> Any:  # pragma: no cover - compiled
    """The kept arcs as their own CSR (per node: upper end, weight)."""
    qptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        c = 0
        for a in range(ptr[v], ptr[v + 1]):
            if keep[a]:
                c += 1
        qptr[v + 1] = qptr[v] + c
    qarc = np.empty(qptr[n], dtype=np.int64)
    qw = np.empty(qptr[n], dtype=np.float64)
    k = 0
    for v in range(n):
        for a in range(ptr[v], ptr[v + 1]):
            if keep[a]:
                qarc[k] = arc[a]
                qw[k] = w[a]
                k += 1
    return qptr, qarc, qw
