"""Partial re-customisation of a contraction hierarchy after some links change (numba).

:func:`update_basic` redoes the basic customisation bottom-up for the arcs a change reaches,
:func:`update_perfect` the perfect one top-down; both use the same formulas as the full passes
in :mod:`commute.search.ch_build`, so the weights are the same bits as a fresh build's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from commute.search.ch_build import find, perfect_node


@njit(cache=True, nogil=True)
def _perfect_arc(v: int, i: int, ptr: Any, arc: Any, fw_b: Any, bw_b: Any, fw: Any, bw: Any) -> Any:
    # pragma: no cover - compiled; the same formula as perfect_node for one arc
    ui = arc[i]
    f = fw_b[i]
    b = bw_b[i]
    for j in range(ptr[v], ptr[v + 1]):
        if j == i:
            continue
        uj = arc[j]
        # the arc between ui and uj is stored at the lower of the two: its directions swap
        if uj < ui:
            c = find(ptr, arc, uj, ui)
            to_ui, from_ui = fw[c], bw[c]
        else:
            c = find(ptr, arc, ui, uj)
            to_ui, from_ui = bw[c], fw[c]
        s = fw_b[j] + to_ui
        if s < f:
            f = s
        s = from_ui + bw_b[j]
        if s < b:
            b = s
    return f, b


@njit(cache=True, nogil=True)
def _lower_min(
    u: int, c: int, ptr: Any, arc: Any, tptr: Any, tarc: Any, owner: Any, fw_in: Any, bw_in: Any, fw_b: Any, bw_b: Any
) -> Any:  # pragma: no cover - compiled
    """Basic weights of arc ``c`` (at ``u``) from scratch: its input and every lower triangle."""  # fmt: skip
    w = arc[c]
    vf = fw_in[c]
    vb = bw_in[c]
    for t in range(tptr[u], tptr[u + 1]):
        a = tarc[t]  # x -> u
        b = find(ptr, arc, owner[a], w)  # x -> w
        if b >= 0:
            s = bw_b[a] + fw_b[b]
            if s < vf:
                vf = s
            s = bw_b[b] + fw_b[a]
            if s < vb:
                vb = s
    return vf, vb


@njit(cache=True)
def update_basic(
    n: int,
    ptr: Any,
    arc: Any,
    tptr: Any,
    tarc: Any,
    owner: Any,
    fw_in: Any,
    bw_in: Any,
    fw_b: Any,
    bw_b: Any,
    dirty: Any,
) -> Any:  # pragma: no cover - compiled
    """Partial basic customisation after the input arcs marked ``dirty`` changed, bottom-up.

    Going up, an arc that changed updates the arcs it is a lower-triangle side of: a shorter
    triangle lowers them at once; a triangle that got longer and may have been their minimum
    marks them to be recomputed from scratch (when their turn comes, every lower triangle is
    final). Returns which arcs changed. ``fw_b``/``bw_b`` hold the old basic weights on entry.
    """  # fmt: skip
    m = arc.shape[0]
    old_f = fw_b.copy()
    old_b = bw_b.copy()
    changed = np.zeros(m, dtype=np.bool_)
    redo = dirty.copy()
    node = np.zeros(n, dtype=np.bool_)
    for c in range(m):
        if dirty[c]:
            node[owner[c]] = True
    for u in range(n):
        if not node[u]:
            continue
        for c in range(ptr[u], ptr[u + 1]):
            if redo[c]:
                vf, vb = _lower_min(u, c, ptr, arc, tptr, tarc, owner, fw_in, bw_in, fw_b, bw_b)
                fw_b[c] = vf
                bw_b[c] = vb
            if fw_b[c] != old_f[c] or bw_b[c] != old_b[c]:
                changed[c] = True
        for c in range(ptr[u], ptr[u + 1]):  # push the changes up
            if not changed[c]:
                continue
            w = arc[c]
            for d in range(ptr[u], ptr[u + 1]):
                y = arc[d]
                if y == w:
                    continue
                if y < w:  # arc y -> w: y -> u -> w and back
                    e = find(ptr, arc, y, w)
                    nf, nb = bw_b[d] + fw_b[c], bw_b[c] + fw_b[d]
                    of, ob = old_b[d] + old_f[c], old_b[c] + old_f[d]
                else:  # arc w -> y
                    e = find(ptr, arc, w, y)
                    nf, nb = bw_b[c] + fw_b[d], bw_b[d] + fw_b[c]
                    of, ob = old_b[c] + old_f[d], old_b[d] + old_f[c]
                lo = min(y, w)
                if nf < fw_b[e]:
                    fw_b[e] = nf
                    node[lo] = True
                elif nf > of and of == old_f[e]:
                    redo[e] = True
                    node[lo] = True
                if nb < bw_b[e]:
                    bw_b[e] = nb
                    node[lo] = True
                elif nb > ob and ob == old_b[e]:
                    redo[e] = True
                    node[lo] = True
    return changed


@njit(cache=True)
def update_perfect(
    n: int,
    ptr: Any,
    arc: Any,
    tptr: Any,
    tarc: Any,
    owner: Any,
    fw_b: Any,
    bw_b: Any,
    fw: Any,
    bw: Any,
    changed: Any,
) -> int:  # pragma: no cover - compiled
    """Partial perfect customisation after :func:`update_basic`, top-down; returns the arcs redone.

    An arc is redone (the same formula as :func:`perfect`, so the same bits) when an arc of its
    lower end changed in the basic pass, or when the perfect weight of the arc between its two
    ends and a third node above changed.
    """
    m = arc.shape[0]
    redo = np.zeros(m, dtype=np.bool_)
    for c in range(m):
        if changed[c]:  # every arc of its lower end uses its basic weight
            for i in range(ptr[owner[c]], ptr[owner[c] + 1]):
                redo[i] = True
    redone = 0
    old_f = np.empty(n, dtype=np.float64)
    old_b = np.empty(n, dtype=np.float64)
    for v in range(n - 1, -1, -1):
        k = ptr[v + 1] - ptr[v]
        r = 0
        for i in range(ptr[v], ptr[v + 1]):
            if redo[i]:
                r += 1
        if r == 0:
            continue
        redone += r
        for i in range(k):
            old_f[i] = fw[ptr[v] + i]
            old_b[i] = bw[ptr[v] + i]
        if 16 * r > k:  # many arcs: the whole node, every triangle once
            perfect_node(v, ptr, arc, fw_b, bw_b, fw, bw)
        else:
            for i in range(ptr[v], ptr[v + 1]):
                if redo[i]:
                    fw[i], bw[i] = _perfect_arc(v, i, ptr, arc, fw_b, bw_b, fw, bw)
        for i in range(ptr[v], ptr[v + 1]):
            if fw[i] != old_f[i - ptr[v]] or bw[i] != old_b[i - ptr[v]]:
                u = arc[i]
                for t in range(tptr[v], tptr[v + 1]):  # nodes x below with arcs to both v and u
                    a = tarc[t]
                    c2 = find(ptr, arc, owner[a], u)
                    if c2 >= 0:
                        redo[a] = True
                        redo[c2] = True
    return redone
