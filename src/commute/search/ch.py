"""Customisable contraction hierarchies for exact many-to-many and one-to-all road searches.

Building a hierarchy has two parts with different lives:

- :func:`prepare` depends only on the *shape* of the graph (which node links to which): a
  nested-dissection node order (METIS, through ``pymetis``), the shortcut arcs that contracting
  the nodes in that order creates, and the elimination tree. It is cached by a hash of the
  graph's structure, so a scenario that changes some links' minutes (a closure is an infinite
  time on the patched engine, a widening a shorter one) does not pay it again.
- :func:`customise` fills in the weights for one set of link minutes (basic and perfect
  customisation, then the witness pruning; see :mod:`commute.search.ch_build`). It is exact for
  any non-negative weights and takes a fraction of the preparation.

Queries (:func:`many_to_many`, :func:`one_to_all`) run in compiled code on every core; see
:mod:`commute.search.ch_query`. The answers equal a plain Dijkstra's (float64 sums of the same
minutes; tests compare them on random graphs, a grid, Sydney, Chicago and an OpenStreetMap
network).

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> m = sp.csr_matrix((np.array([1.0, 2.0, 4.0]), (np.array([0, 1, 0]), np.array([1, 2, 2]))), shape=(3, 3))
>>> h = customise(prepare(m), m)
>>> many_to_many(h, np.array([0]), np.array([2])).tolist()
[[3.0]]
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib.util import find_spec

import numpy as np
import scipy.sparse as sp

#: Whether pymetis is installed (imported only when a hierarchy is built).
HAVE_METIS = find_spec("pymetis") is not None


@dataclass(frozen=True)
class Structure:
    """The metric-independent part: order, shortcut arcs, elimination tree (rank space)."""

    n: int
    rank: np.ndarray = field(repr=False)  # node -> rank
    ptr: np.ndarray = field(repr=False)  # per rank: its upward arcs arc[ptr[v]:ptr[v+1]]
    arc: np.ndarray = field(repr=False)
    parent: np.ndarray = field(repr=False)
    depth: np.ndarray = field(repr=False)
    owner: np.ndarray = field(repr=False)  # arc -> its lower end
    tptr: np.ndarray = field(repr=False)  # per rank: arcs from lower nodes to it
    tarc: np.ndarray = field(repr=False)
    by_height: tuple[np.ndarray, np.ndarray] = field(repr=False)
    by_depth: tuple[np.ndarray, np.ndarray] = field(repr=False)
    where: np.ndarray = field(repr=False)  # input CSR entry -> arc
    side: np.ndarray = field(repr=False)  # 0 up, 1 down, -1 loop
    key: str = ""

    @property
    def arcs(self) -> int:
        """Number of arcs (input links merged with shortcuts)."""
        return int(self.arc.shape[0])


@dataclass(frozen=True)
class Hierarchy:
    """A customised hierarchy: the query arcs (kept after pruning) for one set of weights."""

    structure: Structure = field(repr=False)
    up: tuple[np.ndarray, np.ndarray, np.ndarray] = field(repr=False)  # ptr, head, weight
    down: tuple[np.ndarray, np.ndarray, np.ndarray] = field(repr=False)
    weights_key: str = ""
    # per arc: input, basic and perfect weights, up (lower end to upper) and down
    state: tuple[np.ndarray, ...] = field(default=(), repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self.structure.n


def structure_key(matrix: sp.csr_matrix) -> str:
    """A hash of which node links to which (not of the minutes)."""
    h = hashlib.sha256()
    h.update(np.asarray(matrix.shape, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(matrix.indptr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(matrix.indices, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def weights_key(matrix: sp.csr_matrix) -> str:
    """A hash of the structure and the minutes."""
    h = hashlib.sha256(structure_key(matrix).encode())
    h.update(np.ascontiguousarray(matrix.data, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def _symmetric(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of every link (explicit zero minutes are links too), no loops."""
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
    cols = np.asarray(matrix.indices, dtype=np.int64)
    r = np.concatenate([rows, cols])
    c = np.concatenate([cols, rows])
    keep = r != c
    s = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (r[keep], c[keep])), shape=(n, n))
    s.sum_duplicates()
    s.sort_indices()
    return np.asarray(s.indptr, dtype=np.int64), np.asarray(s.indices, dtype=np.int64)


def node_order(matrix: sp.csr_matrix) -> np.ndarray:
    """Rank of every node: a nested-dissection order (separators last), from METIS."""
    if not HAVE_METIS:  # pragma: no cover - depends on the installation
        raise ImportError("contraction hierarchies need the pymetis package: pip install pymetis")
    n = matrix.shape[0]
    sptr, sidx = _symmetric(matrix)
    if len(sidx) == 0:
        return np.arange(n, dtype=np.int64)
    import pymetis

    _perm, iperm = pymetis.nested_dissection(pymetis.CSRAdjacency(sptr, sidx))
    return np.asarray(iperm, dtype=np.int64)


def _groups(level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(level, kind="stable").astype(np.int64)
    counts = np.bincount(level)
    return order, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def prepare(matrix: sp.csr_matrix, *, rank: np.ndarray | None = None) -> Structure:
    """Order the nodes and build the shortcut arcs (metric-independent; cached by the caller).

    Parameters
    ----------
    matrix
        CSR matrix of link minutes (one entry per link; explicit zeros are links).
    rank
        A node order to use instead of METIS's (node -> rank, a permutation).

    Returns
    -------
    Structure
    """
    from commute.search import ch_build as cb

    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    n = matrix.shape[0]
    rk = node_order(matrix) if rank is None else np.asarray(rank, dtype=np.int64)
    sptr, sidx = _symmetric(matrix)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(sptr))
    relabelled = sp.csr_matrix((np.ones(len(sidx), dtype=np.int8), (rk[rows], rk[sidx])), shape=(n, n))
    relabelled.sort_indices()
    ptr, arc, parent = cb.symbolic(
        n, np.asarray(relabelled.indptr, dtype=np.int64), np.asarray(relabelled.indices, dtype=np.int64)
    )
    height, depth = cb.levels(n, parent)
    tptr, tarc = cb.transpose(n, ptr, arc)
    where, side = cb.map_edges(
        ptr, arc, rk, np.asarray(matrix.indptr, dtype=np.int64), np.asarray(matrix.indices, dtype=np.int64)
    )
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
    return Structure(
        n, rk, ptr, arc, parent, depth, owner, tptr, tarc, _groups(height), _groups(depth), where, side,
        structure_key(matrix),
    )  # fmt: skip


def _threads() -> int:
    from commute.search import kernels

    return max(1, kernels.threads())


def customise(st: Structure, matrix: sp.csr_matrix) -> Hierarchy:
    """Weights for one set of link minutes on a prepared structure (exact, any non-negative minutes).

    ``matrix`` must have the links ``st`` was prepared from (any minutes).
    """
    from commute.search import ch_build as cb

    data = _data(st, matrix)
    fw_in, bw_in = cb.input_weights(st.arcs, st.where, st.side, data)
    fw, bw = fw_in.copy(), bw_in.copy()
    cb.basic(st.ptr, st.arc, st.tptr, st.tarc, st.owner, st.by_height[0], st.by_height[1], fw, bw, _threads())
    fw_b, bw_b = fw.copy(), bw.copy()
    cb.perfect(st.ptr, st.arc, st.by_depth[0], st.by_depth[1], fw_b, bw_b, fw, bw, _threads())
    return _finish(st, matrix, (fw_in, bw_in, fw_b, bw_b, fw, bw))


def recustomise(h: Hierarchy, matrix: sp.csr_matrix) -> Hierarchy:
    """The hierarchy for new minutes on the same links, redoing only what they change (exact).

    Arcs whose input minutes changed are recomputed bottom-up through their lower triangles, and
    so is every arc whose value that changes; then the nodes whose triangles saw a change redo
    their perfect customisation top-down. The answer equals :func:`customise`'s (tested); the
    cost grows with how far the change reaches, not with the graph.
    """
    from commute.search import ch_build as cb
    from commute.search import ch_update as cu

    st = h.structure
    data = _data(st, matrix)
    fw_in, bw_in = cb.input_weights(st.arcs, st.where, st.side, data)
    old_f, old_b, fw_b, bw_b, fw, bw = h.state
    dirty = (fw_in != old_f) | (bw_in != old_b)
    fw_b, bw_b, fw, bw = (x.copy() for x in (fw_b, bw_b, fw, bw))
    changed = cu.update_basic(st.n, st.ptr, st.arc, st.tptr, st.tarc, st.owner, fw_in, bw_in, fw_b, bw_b, dirty)
    cu.update_perfect(st.n, st.ptr, st.arc, st.tptr, st.tarc, st.owner, fw_b, bw_b, fw, bw, changed)
    return _finish(st, matrix, (fw_in, bw_in, fw_b, bw_b, fw, bw))


def _data(st: Structure, matrix: sp.csr_matrix) -> np.ndarray:
    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    if structure_key(matrix) != st.key:
        raise ValueError("customise: the matrix does not have the links the structure was prepared from")
    return np.ascontiguousarray(matrix.data, dtype=np.float64)


def _finish(st: Structure, matrix: sp.csr_matrix, state: tuple[np.ndarray, ...]) -> Hierarchy:
    from commute.search import ch_build as cb

    _, _, fw_b, bw_b, fw, bw = state
    # an arc is kept where no higher node gives a shorter path (perfect = basic), and reachable
    up = cb.compact(st.n, st.ptr, st.arc, fw, (fw == fw_b) & (fw < np.inf))
    down = cb.compact(st.n, st.ptr, st.arc, bw, (bw == bw_b) & (bw < np.inf))
    return Hierarchy(st, up, down, weights_key(matrix), state)


def many_to_many(h: Hierarchy, sources: np.ndarray, targets: np.ndarray, *, limit: float = np.inf) -> np.ndarray:
    """Minutes from each source node to each target node (inf if unreachable or beyond ``limit``)."""
    from commute.search import ch_query as cq

    st = h.structure
    src = st.rank[np.asarray(sources, dtype=np.int64)]
    tgt = st.rank[np.asarray(targets, dtype=np.int64)]
    if len(src) == 0 or len(tgt) == 0:
        return np.full((len(src), len(tgt)), np.inf)
    return cq.many_to_many(st.n, st.parent, st.depth, *h.up, *h.down, src, tgt, float(limit))


def one_to_all(
    h: Hierarchy, groups: list[np.ndarray], cols: np.ndarray | None = None, *, limit: float = np.inf
) -> np.ndarray:
    """PHAST: for each group of source nodes, the best time from any of them to each node of ``cols``.

    Parameters
    ----------
    h
        A customised hierarchy.
    groups
        One array of source nodes per row of the answer (a multi-source search per row).
    cols
        Nodes to report (default: all, in node order).
    limit
        Times above it are reported as inf.
    """
    from commute.search import ch_query as cq

    st = h.structure
    sizes = np.asarray([len(g) for g in groups], dtype=np.int64)
    sptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    starts = st.rank[np.concatenate([np.asarray(g, dtype=np.int64) for g in groups])] if len(groups) else sptr[:0]
    c = np.arange(st.n, dtype=np.int64) if cols is None else np.asarray(cols, dtype=np.int64)
    return cq.one_to_all(st.n, *h.up, *h.down, starts, sptr, st.rank[c], float(limit))


_STRUCTURES: OrderedDict[str, Structure] = OrderedDict()
_HIERARCHIES: OrderedDict[str, Hierarchy] = OrderedDict()
_CACHE_SIZE = 4


def hierarchy_for(matrix: sp.csr_matrix) -> Hierarchy:
    """The customised hierarchy of ``matrix``, from the caches where possible.

    The hierarchy is looked up by :func:`weights_key`; failing that, a hierarchy on the same
    links (:func:`structure_key`) is re-customised for the new minutes (:func:`recustomise`),
    and only a new set of links pays :func:`prepare`.
    """
    wk = weights_key(matrix)
    if wk in _HIERARCHIES:
        _HIERARCHIES.move_to_end(wk)
        return _HIERARCHIES[wk]
    sk = structure_key(matrix)
    base = next((x for x in reversed(_HIERARCHIES.values()) if x.structure.key == sk), None)
    if base is not None:
        h = recustomise(base, matrix)
    else:
        st = _STRUCTURES.get(sk)
        if st is None:
            st = prepare(matrix)
            _remember(_STRUCTURES, sk, st)
        h = customise(st, matrix)
    _remember(_HIERARCHIES, wk, h)
    return h


def is_prepared(matrix: sp.csr_matrix) -> bool:
    """Whether a structure for this matrix's links is cached (re-customising is then cheap)."""
    return structure_key(matrix) in _STRUCTURES


def _remember(cache: OrderedDict, key: str, value: object) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def clear_cache() -> None:
    """Forget prepared structures and customised hierarchies."""
    _STRUCTURES.clear()
    _HIERARCHIES.clear()
