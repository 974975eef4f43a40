from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from commute.io.tntp import read_tntp
from commute.search import kernels as K
from commute.search.contract import contract

from .conftest import shared_file


def _random(seed: int, n: int = 300, m: int = 900) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.1, 10, m)
    keep = u != v
    # chains: add paths of degree-2 nodes so that contraction has work to do
    m2 = sp.coo_matrix((w[keep], (u[keep], v[keep])), shape=(n, n)).tocsr()
    m2.sum_duplicates()
    return m2


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert np.array_equal(np.isinf(a), np.isinf(b))
    assert np.allclose(np.where(np.isinf(a), 0, a), np.where(np.isinf(b), 0, b), atol=1e-9, rtol=0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("limit", [np.inf, 8.0])
def test_kernel_equals_scipy(seed, limit):
    M = _random(seed)
    src = np.arange(0, 300, 7)
    ref = dijkstra(M, indices=src, limit=limit)
    _same(K.many_to_many(M, src, limit=limit, use_numba=True), ref)
    _same(K.many_to_many(M, src, limit=limit, use_numba=False), ref)
    multi = K.one_to_all(M, src[:3], limit=limit, use_numba=True)
    _same(multi, dijkstra(M, indices=src[:3], limit=limit, min_only=True))


@pytest.mark.parametrize("seed", range(6))
def test_contraction_keeps_distances(seed):
    rng = np.random.default_rng(seed)
    n = 400
    # a grid-like road graph with long two-way and one-way chains
    rows, cols, vals = [], [], []
    for i in range(n - 1):
        w = float(rng.uniform(0.5, 3))
        rows.append(i)
        cols.append(i + 1)
        vals.append(w)
        if rng.random() < 0.8:
            rows.append(i + 1)
            cols.append(i)
            vals.append(w)
    for _ in range(60):
        a, b = rng.integers(0, n, 2)
        if a != b:
            rows.append(int(a))
            cols.append(int(b))
            vals.append(float(rng.uniform(1, 20)))
    M = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    M.sum_duplicates()
    keep = rng.choice(n, 30, replace=False)
    C, idx = contract(M, keep)
    assert C.shape[0] < n
    full = dijkstra(M, indices=keep)[:, keep]
    small = dijkstra(C, indices=idx[keep])[:, idx[keep]]
    _same(small, full)


def test_sydney_sample_agrees():
    net = shared_file("bench/tntp/Sydney_Sydney_net.tntp")
    N = read_tntp(net)
    M = sp.csr_matrix((N.minutes, (N.src, N.dst)), shape=(N.n, N.n))
    o = N.origin_index(np.arange(1, 41))
    d = N.destination_index(np.arange(1, N.zones + 1))
    C, idx = contract(M, np.r_[N.origin_index(np.arange(1, N.zones + 1)), d])
    got = K.many_to_many(C, idx[o], idx[d])
    _same(got, dijkstra(M, indices=o)[:, d])
