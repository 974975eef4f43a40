"""One compiled engine per worker, patched for each subset of a sweep's items.

The *union* graph has every item on. For each item ``i`` the graph without it is compiled once,
and each edge of the union's engines learns which items it needs (absent without them), which
items it is removed by (present only without them) and which single item changes its weight.
A subset is then a mask over the union's edges: no graph is built and nothing is recompiled.

This holds when items act on edges independently (the usual case: projects add their own
links and services). :func:`build_model` raises :class:`NotSeparable` where it can see they do
not (two items changing one edge, an item that adds nodes the union lacks, an item removing a
service); :mod:`commute.sweep.evaluate` also compares the patched results with fully built
scenarios on probe subsets and falls back to building every scenario if they differ.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np

from commute.model.modes import Measure
from commute.search import api
from commute.search import engine as E
from commute.search import transit as T
from commute.search.engine_compile import cheapest_csr

EngineKey = tuple[str, Measure, T.Query]


class NotSeparable(Exception):
    """The items do not act on separate edges, so subsets cannot be patched from one engine."""


@dataclass(frozen=True)
class MaskedEngine:
    """The union engine's edges with, per edge, the items it needs, is removed by, or is reweighted by."""

    union: E.Engine
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    labels: tuple[E.Label, ...]
    needs: np.ndarray  # uint64 bit mask of items the edge needs
    removed_by: np.ndarray  # uint64 bit mask of items whose presence removes the edge
    reweighted_by: np.ndarray  # item index whose absence gives weight w_without (-1: none)
    w_without: np.ndarray

    def keep(self, on: int) -> tuple[np.ndarray, np.ndarray]:
        """Which edges a subset (bit mask ``on``) has, and their weights."""
        s = np.uint64(on)
        keep = ((self.needs & ~s) == 0) & ((self.removed_by & s) == 0)
        r = self.reweighted_by
        off = (r >= 0) & (((s >> np.maximum(r, 0).astype(np.uint64)) & np.uint64(1)) == 0)
        return keep, np.where(off, self.w_without, self.w)

    def engine(self, on: int) -> E.Engine:
        """The engine of a subset: the union's nodes, the subset's edges (cheapest of parallel ones)."""
        keep, w = self.keep(on)
        u, v, w = self.u[keep], self.v[keep], w[keep]
        matrix, _ = cheapest_csr(u, v, w, self.union.n)
        labels = tuple(itertools.compress(self.labels, keep))
        return replace(
            self.union,
            matrix=matrix,
            label_of={},  # legs are not described in sweeps
            fingerprint=f"{self.union.fingerprint}-mask{on:x}",
            edges_u=u,
            edges_v=v,
            edges_w=w,
            labels=labels,
        )


@dataclass(frozen=True)
class Model:
    """Masked engines for every (modes, measure) a target set needs, and the union graph."""

    union_graph: nx.MultiDiGraph
    engines: dict[EngineKey, MaskedEngine]
    ride_services: dict[str, np.ndarray]  # service -> indices of its edges in the (rail) engines' mask
    k: int

    def closed_services(self, on: int) -> frozenset[str]:
        """Services of the union graph that a subset does not run (for station coverage)."""
        if not self.engines:
            return frozenset()
        me = next(iter(self.engines.values()))
        keep, _ = me.keep(on)
        return frozenset(s for s, idx in self.ride_services.items() if not keep[idx].all())


def _edge_table(eng: E.Engine) -> dict[tuple[str, str, E.Label, int], float]:
    out: dict[tuple[str, str, E.Label, int], float] = {}
    names = eng.names
    for a, b, w, lab in zip(eng.edges_u, eng.edges_v, eng.edges_w, eng.labels, strict=True):
        key = (names[a], names[b], lab, 0)
        while key in out:  # parallel edges with one label: count them apart
            key = (key[0], key[1], key[2], key[3] + 1)
        out[key] = float(w)
    return out


def build_model(
    graph_without: Callable[[int | None], nx.MultiDiGraph], k: int, engine_keys: Sequence[EngineKey]
) -> Model:
    """Learn from the union graph and the ``k`` graphs without one item how each edge depends on the items.

    Parameters
    ----------
    graph_without
        ``graph_without(None)`` is the union graph (every item on); ``graph_without(i)`` the
        union without item ``i``.
    k
        Number of items (at most 63).
    engine_keys
        The (modes, measure) pairs the targets use. The first one with rail is used to tell
        which services a subset runs.

    Raises
    ------
    NotSeparable
        Where two items change one edge, an item adds search nodes, or an item removes a service.
    """
    if k > 63:
        raise NotSeparable("more than 63 items")
    GU = graph_without(None)
    fp = E.graph_fingerprint(GU)
    unions = {key: _static(GU, key, fp) for key in engine_keys}
    tables = {key: _edge_table(eng) for key, eng in unions.items()}
    extra: dict[EngineKey, dict[tuple[str, str, E.Label, int], tuple[float, int]]] = {key: {} for key in engine_keys}
    needs = {key: dict.fromkeys(t, 0) for key, t in tables.items()}
    rew: dict[EngineKey, dict[tuple[str, str, E.Label, int], tuple[int, float]]] = {key: {} for key in engine_keys}
    for i in range(k):
        Gi = graph_without(i)
        fpi = E.graph_fingerprint(Gi)
        for key in engine_keys:
            eng = _static(Gi, key, fpi)
            ti = _edge_table(eng)
            tu = tables[key]
            for e, w in tu.items():
                if e not in ti:
                    needs[key][e] |= 1 << i
                elif ti[e] != w:
                    if e in rew[key]:
                        raise NotSeparable(f"two items change the time of {e[2]}")
                    rew[key][e] = (i, ti[e])
            for e, w in ti.items():
                if e in tu:
                    continue
                if e[0] not in unions[key].node_of and e[0] not in _names(unions[key]):
                    raise NotSeparable(f"item {i} adds a node the union graph lacks ({e[0]})")
                if e[2].kind in ("board", "ride"):
                    raise NotSeparable(f"item {i} removes service {e[2].service}")
                if e in extra[key]:
                    raise NotSeparable(f"two items remove {e[2]}")
                extra[key][e] = (w, i)
    engines: dict[EngineKey, MaskedEngine] = {}
    for key, eng in unions.items():
        index = {name: j for j, name in enumerate(eng.names)}
        rows = list(tables[key].items())
        ex = list(extra[key].items())
        for e, _ in ex:
            if e[0] not in index or e[1] not in index:
                raise NotSeparable(f"an item adds search nodes ({e[0]} or {e[1]})")
        all_e = [e for e, _ in rows] + [e for e, _ in ex]
        r = rew[key]
        engines[key] = MaskedEngine(
            union=eng,
            u=np.array([index[e[0]] for e in all_e], dtype=np.int64),
            v=np.array([index[e[1]] for e in all_e], dtype=np.int64),
            w=np.array([w for _, w in rows] + [w for _, (w, _) in ex], dtype=float),
            labels=tuple(e[2] for e in all_e),
            needs=np.array([needs[key][e] for e, _ in rows] + [0] * len(ex), dtype=np.uint64),
            removed_by=np.array([0] * len(rows) + [1 << i for _, (_, i) in ex], dtype=np.uint64),
            reweighted_by=np.array([r[e][0] if e in r else -1 for e in all_e], dtype=np.int64),
            w_without=np.array([r[e][1] if e in r else np.nan for e in all_e], dtype=float),
        )
    ride_key = next((key for key in engine_keys if "rail" in key[0]), None)
    ride: dict[str, np.ndarray] = {}
    if ride_key is not None:
        me = engines[ride_key]
        by: dict[str, list[int]] = {}
        for j, lab in enumerate(me.labels):
            if lab.kind == "ride":
                by.setdefault(lab.service, []).append(j)
        ride = {s: np.array(ix, dtype=np.int64) for s, ix in by.items()}
        # closed_services reads the first engine's mask: put the rail one first
        engines = {ride_key: engines[ride_key], **{k2: v2 for k2, v2 in engines.items() if k2 != ride_key}}
    return Model(GU, engines, ride, k)


def _static(G: nx.MultiDiGraph, key: EngineKey, fp: str) -> E.Engine:
    """The engine the target check would use, if it is a static graph engine (patchable)."""
    eng = api.compile_engine(G, key[0], key[1], key[2], fingerprint=fp)
    if not isinstance(eng, E.Engine):
        raise NotSeparable(f"{key[0]} rules use the departure-time engine, which is not patched yet")
    return eng


def _names(eng: E.Engine) -> set[str]:
    return set(eng.names)
