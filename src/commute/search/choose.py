"""Which road search answers a query: plain Dijkstra, chain contraction or a hierarchy.

The rule (``method="auto"``; every search function takes ``method=`` to override it):

1. A search with a cutoff (isochrones, catchments): **dijkstra**, which stops at the cutoff,
   whereas a hierarchy sweeps the whole graph.
2. A hierarchy whose links match the graph is cached (same weights, or only the minutes
   changed: then it is re-customised, a fraction of a build): **hierarchy**, for one-to-all
   (a PHAST sweep beats a Dijkstra) and for many-to-many with two or more sources.
3. Small graphs (under ``SMALL_GRAPH`` = 5,000 nodes) or few sources (under ``MANY_SOURCES`` =
   64): **dijkstra** (a hierarchy would not repay its build).
4. Many sources on a large graph: **hierarchy** (needs ``pymetis``); without it, many-to-many
   queries use **contract** (exact chain contraction, then Dijkstra), one-to-all **dijkstra**.

All methods give the same answers (float64 sums of the same minutes; inf where unreachable).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from commute.errors import InvalidOptionError
from commute.search import ch, kernels

#: The methods a caller can ask for.
METHODS = ("auto", "dijkstra", "contract", "hierarchy")
SMALL_GRAPH = 5_000
MANY_SOURCES = 64


def choose(matrix: sp.csr_matrix, n_sources: int, *, cutoff: float | None = None, many: bool = True) -> str:
    """The method the automatic rule picks (see the module docstring).

    Parameters
    ----------
    matrix
        The search graph's CSR matrix.
    n_sources
        Number of searches (rows of the answer).
    cutoff
        The query's cutoff in minutes, if any.
    many
        True for many-to-many (selected targets), False for one-to-all.
    """
    n = matrix.shape[0]
    usable = kernels.HAVE_NUMBA and ch.HAVE_METIS
    if cutoff is not None:
        return "dijkstra"
    if usable and (n_sources >= 2 or not many) and ch.is_prepared(matrix):
        return "hierarchy"
    if n < SMALL_GRAPH or n_sources < MANY_SOURCES:
        return "dijkstra"
    if usable:
        return "hierarchy"
    return "contract" if many else "dijkstra"


def resolve(method: str, matrix: sp.csr_matrix, n_sources: int, cutoff: float | None, many: bool) -> str:
    """The method to use: ``method`` itself, or the automatic choice for ``auto`` (checked)."""
    if method not in METHODS:
        raise InvalidOptionError(f"search method {method!r} is not one of {', '.join(METHODS)}; pick one of them.")
    if method == "auto":
        return choose(matrix, n_sources, cutoff=cutoff, many=many)
    if method == "hierarchy" and not (kernels.HAVE_NUMBA and ch.HAVE_METIS):
        raise InvalidOptionError("the hierarchy search needs numba and pymetis; pip install pymetis numba.")
    return method


def many_to_many(
    matrix: sp.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray | None = None,
    *,
    limit: float = np.inf,
    method: str = "auto",
) -> np.ndarray:
    """Minutes from each source to each target node (inf if unreachable or beyond ``limit``).

    A drop-in for :func:`commute.search.kernels.many_to_many` that picks the search.

    Parameters
    ----------
    matrix
        CSR matrix of link minutes.
    sources, targets
        Node indices (``targets`` None: every node, one-to-all rows).
    limit
        Cutoff in minutes.
    method
        ``auto`` (the rule above), ``dijkstra``, ``contract`` or ``hierarchy``.
    """
    src = np.asarray(sources, dtype=np.int64)
    cut = None if np.isinf(limit) else limit
    if targets is None:
        if resolve(method, matrix, len(src), cut, False) == "hierarchy":
            return ch.one_to_all(ch.hierarchy_for(matrix), [src[i : i + 1] for i in range(len(src))], limit=limit)
        return kernels.many_to_many(matrix, src, limit=limit)
    tgt = np.asarray(targets, dtype=np.int64)
    how = resolve(method, matrix, len(src), cut, True)
    if how == "hierarchy":
        return ch.many_to_many(ch.hierarchy_for(matrix), src, tgt, limit=limit)
    if how == "contract":
        from commute.search.contract import contract

        small, idx = contract(matrix, np.r_[src, tgt])
        return kernels.many_to_many(small, idx[src], idx[tgt], limit=limit)
    return kernels.many_to_many(matrix, src, tgt, limit=limit)


def one_to_all(
    matrix: sp.csr_matrix, sources: np.ndarray, *, limit: float = np.inf, method: str = "auto"
) -> np.ndarray:
    """Best minutes from any of ``sources`` to every node (a multi-source search; inf if unreachable)."""
    src = np.asarray(sources, dtype=np.int64)
    how = resolve(method, matrix, 1, None if np.isinf(limit) else limit, False)
    if how == "hierarchy":
        return ch.one_to_all(ch.hierarchy_for(matrix), [src], limit=limit)[0]
    return kernels.one_to_all(matrix, src, limit=limit)
