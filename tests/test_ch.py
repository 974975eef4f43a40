"""Contraction hierarchies equal plain Dijkstra exactly (commute.search.ch, choose)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from commute.errors import InvalidOptionError
from commute.io.tntp import read_tntp
from commute.search import ch, choose
from commute.search import engine as E
from commute.search import kernels as K

from .conftest import shared_file

pytestmark = pytest.mark.skipif(not (ch.HAVE_METIS and K.HAVE_NUMBA), reason="needs pymetis and numba")


def _random(seed: int, n: int = 250) -> sp.csr_matrix:
    """Directed links (most one-way), some of zero minutes, a detached part, loops, isolated nodes."""
    rng = np.random.default_rng(seed)
    m = 3 * n
    u, v = rng.integers(0, n - 40, m), rng.integers(0, n - 40, m)
    w = np.round(rng.uniform(0, 10, m), 1) * (rng.random(m) > 0.15)  # ties and zeros
    a = rng.integers(n - 40, n - 10, 60)  # a detached part; the last 10 nodes are isolated
    b = rng.integers(n - 40, n - 10, 60)
    two = rng.random(m) < 0.3  # some links both ways, with a different time back
    u2, v2 = np.r_[u, v[two], a], np.r_[v, u[two], b]
    w2 = np.r_[w, rng.uniform(0, 5, int(two.sum())), rng.uniform(1, 3, 60)]
    M = sp.coo_matrix((w2, (u2, v2)), shape=(n, n)).tocsr()  # duplicates add up: still a valid time
    M.sort_indices()
    return M


def _grid(side: int, seed: int = 1) -> sp.csr_matrix:
    """A street grid: arterials every 5th line, a few streets missing, one-way rows."""
    rng = np.random.default_rng(seed)
    idx = np.arange(side * side).reshape(side, side)
    us, vs, ws = [], [], []
    for a, b, line in ((idx[:, :-1], idx[:, 1:], np.arange(side)[:, None]), (idx[:-1], idx[1:], np.arange(side))):
        line = np.broadcast_to(line, a.shape).ravel()
        a, b = a.ravel(), b.ravel()
        t = rng.uniform(0.2, 0.4, len(a)) * np.where(line % 5 == 0, 1.0, 2.0)
        keep = rng.random(len(a)) > 0.05
        oneway = (line % 7 == 3) & (a < b)
        us += [a[keep], b[keep & ~oneway]]
        vs += [b[keep], a[keep & ~oneway]]
        ws += [t[keep], t[keep & ~oneway]]
    n = side * side
    M = sp.csr_matrix((np.concatenate(ws), (np.concatenate(us), np.concatenate(vs))), shape=(n, n))
    M.sort_indices()
    return M


def _same(got: np.ndarray, ref: np.ndarray) -> None:
    assert np.array_equal(np.isinf(got), np.isinf(ref)), "different unreachable pairs"
    both = np.isfinite(ref)
    assert np.max(np.abs(got[both] - ref[both]), initial=0.0) <= 1e-6


def test_hand_built_shortcut():
    # 0 -> 1 -> 2 is 3 minutes; the direct link 0 -> 2 is 4; nothing goes back
    m = sp.csr_matrix(([1.0, 2.0, 4.0], ([0, 1, 0], [1, 2, 2])), shape=(3, 3))
    h = ch.customise(ch.prepare(m), m)
    out = ch.many_to_many(h, np.arange(3), np.arange(3))
    assert out.tolist() == [[0.0, 1.0, 3.0], [np.inf, 0.0, 2.0], [np.inf, np.inf, 0.0]]
    # whichever node is contracted first, the answer holds
    for rank in ([0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]):
        h = ch.customise(ch.prepare(m, rank=np.array(rank)), m)
        assert ch.many_to_many(h, np.arange(3), np.arange(3)).tolist() == out.tolist()


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_equal_dijkstra(seed):
    M = _random(seed)
    n = M.shape[0]
    h = ch.customise(ch.prepare(M), M)
    ref = K.many_to_many(M, np.arange(n), np.arange(n))
    _same(ch.many_to_many(h, np.arange(n), np.arange(n)), ref)
    _same(ch.one_to_all(h, [np.array([s]) for s in range(0, n, 5)]), ref[::5])
    assert np.isinf(ref).any() and (ref == 0).sum() > n  # unreachable pairs and zero-minute links


def test_zero_minute_cycles():
    # a ring of zero-minute links both ways with positive chords: many equally short paths
    n = 12
    u = np.arange(n)
    rows = np.r_[u, (u + 1) % n, u[::3]]
    cols = np.r_[(u + 1) % n, u, (u[::3] + 5) % n]
    w = np.r_[np.zeros(2 * n), np.ones(4)]
    w[::5] = 2.0
    m = sp.csr_matrix((w, (rows, cols)), shape=(n, n))
    h = ch.customise(ch.prepare(m), m)
    _same(ch.many_to_many(h, np.arange(n), np.arange(n)), K.many_to_many(m, np.arange(n), np.arange(n)))


def test_grid_with_one_way_streets_and_limit():
    M = _grid(40)
    n = M.shape[0]
    rng = np.random.default_rng(3)
    src, dst = rng.choice(n, 60, replace=False), rng.choice(n, 80, replace=False)
    h = ch.customise(ch.prepare(M), M)
    _same(ch.many_to_many(h, src, dst), K.many_to_many(M, src, dst))
    _same(ch.many_to_many(h, src, dst, limit=6.0), K.many_to_many(M, src, dst, limit=6.0))
    # PHAST: one row per group of sources, each the best of its group
    groups = [src[:1], src[1:4], src[4:5]]
    want = np.vstack([dijkstra(M, indices=g, min_only=True) for g in groups])
    _same(ch.one_to_all(h, groups), want)
    _same(ch.one_to_all(h, groups, dst, limit=5.0), np.where(want[:, dst] <= 5.0, want[:, dst], np.inf))


@pytest.mark.parametrize("seed", range(4))
def test_recustomise_equals_fresh_build(seed):
    M = _grid(25, seed) if seed % 2 else _random(seed)
    rng = np.random.default_rng(seed)
    h = ch.customise(ch.prepare(M), M)
    n = M.shape[0]
    for _ in range(4):  # a closure, a widening, a few changes at once, a change back
        M2 = M.copy()
        k = rng.integers(1, 11)
        idx = rng.choice(M.nnz, k, replace=False)
        M2.data[idx] = np.where(rng.random(k) < 0.4, 500.0, M2.data[idx] * rng.uniform(0, 2, k))
        h2 = ch.recustomise(h, M2)
        fresh = ch.customise(h.structure, M2)
        for a, b in zip(h2.state, fresh.state, strict=True):
            assert np.array_equal(a, b)
        _same(ch.many_to_many(h2, np.arange(n), np.arange(n)), K.many_to_many(M2, np.arange(n), np.arange(n)))
        h, M = h2, M2
    with pytest.raises(ValueError, match="links"):
        ch.customise(h.structure, M[:, ::-1].tocsr())


def _tntp(name: str) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    files = {
        "sydney": ("Sydney_Sydney_net.tntp", "Sydney_Sydney_node.tntp"),
        "chicago": ("chicago-regional_ChicagoRegional_net.tntp", "chicago-regional_ChicagoRegional_node.tntp"),
    }
    net, node = (shared_file(f"bench/tntp/{f}") for f in files[name])
    N = read_tntp(net, node)
    M = sp.csr_matrix((N.minutes, (N.src, N.dst)), shape=(N.n, N.n))
    z = np.arange(1, N.zones + 1)
    return M, N.origin_index(z), N.destination_index(z)


@pytest.mark.parametrize("name", ["sydney", "chicago"])
def test_tntp_networks_equal_dijkstra(name):
    M, o, d = _tntp(name)
    h = ch.hierarchy_for(M)
    sample = o[np.linspace(0, len(o) - 1, 40).astype(int)]
    _same(ch.many_to_many(h, sample, d), K.many_to_many(M, sample, d))
    groups = [sample[:1], sample[1:3]]
    _same(ch.one_to_all(h, groups), np.vstack([dijkstra(M, indices=g, min_only=True) for g in groups]))


def test_optics_valley_streets_equal_dijkstra():
    from commute.io.osm import read_osm_roads

    G, _ = read_osm_roads(shared_file("osm/wuhan_optics_valley.osm"))
    nodes = {x: i for i, x in enumerate(G.nodes)}
    rows = [(nodes[u], nodes[v], float(d["minutes"])) for u, v, d in G.edges(data=True)]
    u, v, w = (np.asarray(c) for c in zip(*rows, strict=True))
    n = len(nodes)
    M = sp.coo_matrix((w, (u.astype(int), v.astype(int))), shape=(n, n)).tocsr()  # parallel links add up
    h = ch.customise(ch.prepare(M), M)
    _same(ch.many_to_many(h, np.arange(n), np.arange(n)), K.many_to_many(M, np.arange(n), np.arange(n)))


def test_engine_matrix_on_the_wuhan_graph(g2021):
    """The engine's own search graph (hubs, route nodes, zero-minute alighting): same answers."""
    E.clear_cache()
    eng = E.compile_graph(g2021)
    places = [n for n in g2021 if n.startswith("place:")][:60]
    src = np.asarray([eng.node_of[p] for p in places])
    ref = K.many_to_many(eng.matrix, src, src)
    _same(choose.many_to_many(eng.matrix, src, src, method="hierarchy"), ref)
    dist, _ = E.search(eng, [int(src[0]), int(src[1])], method="hierarchy")
    want, _ = E.search(eng, [int(src[0]), int(src[1])], method="dijkstra")
    assert np.array_equal(np.isnan(dist), np.isnan(want))
    assert np.nanmax(np.abs(dist - want)) <= 1e-9


def test_the_rule():
    small = _grid(10)
    big = _grid(75)
    ch.clear_cache()
    assert choose.choose(small, 500) == "dijkstra"  # small graph
    assert choose.choose(big, 10) == "dijkstra"  # few sources
    assert choose.choose(big, 500) == "hierarchy"
    assert choose.choose(big, 500, cutoff=30.0) == "dijkstra"  # bounded searches stop early
    ch.hierarchy_for(big)
    assert choose.choose(big, 2) == "hierarchy"  # cached: re-use it
    changed = big.copy()
    changed.data[:10] *= 3
    assert choose.choose(changed, 2) == "hierarchy"  # same links, new minutes: re-customise
    rows = np.arange(0, 5000, 700)
    want = dijkstra(big, indices=rows)
    for how in ("dijkstra", "hierarchy"):  # targets None: one-to-all rows (PHAST for the hierarchy)
        _same(choose.many_to_many(big, rows, method=how), want)
    with pytest.raises(InvalidOptionError, match="one of"):
        choose.many_to_many(small, np.array([0]), np.array([1]), method="astar")
    for how in choose.METHODS:
        _same(
            choose.many_to_many(big, np.arange(0, 5000, 70), np.arange(3, 5000, 50), method=how),
            dijkstra(big, indices=np.arange(0, 5000, 70))[:, np.arange(3, 5000, 50)],
        )
