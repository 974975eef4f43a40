"""Shapley values of items from values of subsets: exact on the full lattice, or from sampled orders.

Subsets are bit masks (item ``i`` on when bit ``i`` is set); a value is a vector (one entry per
metric). The exact value of item ``i`` is the weighted mean of its marginal contributions
``v(S + i) - v(S)`` over every ``S`` without ``i`` (weights ``|S|! (k - |S| - 1)! / k!``). The
sampled value is the mean of its marginal contribution along random orders of the items
(each order's contributions add up to ``v(all) - v(none)``), with the standard error of that mean.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence

import numpy as np


def exact(values: Mapping[int, np.ndarray] | np.ndarray, k: int) -> np.ndarray:
    """Exact Shapley values, shape ``(k, metrics)``, from the value of every one of the ``2**k`` subsets.

    Examples
    --------
    >>> v = {0: np.array([0.0]), 1: np.array([1.0]), 2: np.array([2.0]), 3: np.array([5.0])}
    >>> exact(v, 2).ravel().tolist()
    [2.0, 3.0]
    """
    n = 1 << k
    if isinstance(values, np.ndarray):
        table = np.asarray(values, dtype=float).reshape(n, -1)
    else:
        missing = [m for m in range(n) if m not in values]
        if missing:
            raise KeyError(f"{len(missing)} of the {n} subsets have no value (first: mask {missing[0]})")
        table = np.vstack([np.atleast_1d(np.asarray(values[m], dtype=float)) for m in range(n)])
    masks = np.arange(n)
    size = np.array([bin(m).count("1") for m in range(n)])
    w = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)])
    out = np.zeros((k, table.shape[1]))
    for i in range(k):
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        out[i] = (w[size[without]][:, None] * (table[without | bit] - table[without])).sum(axis=0)
    return out


def prefix_masks(order: Sequence[int]) -> list[int]:
    """The masks of every prefix of an order (the empty set first)."""
    out, m = [0], 0
    for i in order:
        m |= 1 << i
        out.append(m)
    return out


def sampled(values: Mapping[int, np.ndarray], orders: Sequence[Sequence[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Permutation-sampled Shapley values and their standard errors, each shape ``(k, metrics)``.

    Every prefix of every order must have a value. With one order the standard error is NaN.
    """
    if not orders:
        raise ValueError("no orders to sample Shapley values from")
    rows = []
    for order in orders:
        masks = prefix_masks(order)
        contrib = np.zeros((k, np.atleast_1d(values[0]).shape[0]))
        for j, i in enumerate(order):
            contrib[i] = np.asarray(values[masks[j + 1]], dtype=float) - np.asarray(values[masks[j]], dtype=float)
        rows.append(contrib)
    arr = np.stack(rows)  # (orders, k, metrics)
    mean = arr.mean(axis=0)
    se = arr.std(axis=0, ddof=1) / math.sqrt(len(orders)) if len(orders) > 1 else np.full_like(mean, np.nan)
    return mean, se


def random_orders(k: int, n: int, seed: int = 0) -> list[tuple[int, ...]]:
    """``n`` random orders of ``k`` items (seeded)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        p = list(range(k))
        rng.shuffle(p)
        out.append(tuple(p))
    return out


def shapley(
    value: Callable[[int], np.ndarray],
    k: int,
    *,
    exact_limit: int = 10,
    samples: int = 30,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Shapley values of ``k`` items for a value function of masks: exact up to ``exact_limit`` items.

    Returns
    -------
    tuple
        ``(values, standard errors, method)``: errors are 0 and method ``exact`` on the full
        lattice; otherwise ``sampled`` from ``samples`` random orders.
    """
    if k <= exact_limit:
        table = {m: value(m) for m in range(1 << k)}
        phi = exact(table, k)
        return phi, np.zeros_like(phi), "exact"
    orders = random_orders(k, samples, seed)
    table = {m: value(m) for order in orders for m in prefix_masks(order)}
    mean, se = sampled(table, orders, k)
    return mean, se, "sampled"
