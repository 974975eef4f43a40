"""Compiling a graph into the frequency-model search graph (:class:`Engine`).

The search graph, its hubs, exits, route nodes and costs are described in
:mod:`commute.search.engine`, which caches and searches what this module builds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import scipy.sparse as sp

from commute.errors import InvalidOptionError
from commute.model.ids import hop_key, station_node
from commute.model.modes import Measure, Mode
from commute.model.params import parameters_of
from commute.search.legs import Label


@dataclass(frozen=True)
class Engine:
    """A compiled search graph for one set of modes and one measure."""

    matrix: sp.csr_matrix = field(repr=False)
    modes: frozenset[Mode]
    measure: Measure
    node_of: dict[str, int] = field(repr=False)  # graph node -> search node (stations: hub)
    exit_of: dict[str, int] = field(repr=False)  # station graph node -> exit search node
    boards_of: dict[str, list[int]] = field(repr=False)  # station graph node -> its route nodes
    names: list[str] = field(repr=False)  # search node -> description
    label_of: dict[tuple[int, int], Label] = field(repr=False)
    fingerprint: str = ""
    edges_u: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    edges_v: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    edges_w: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    labels: tuple[Label, ...] = field(default=(), repr=False)

    def without(self, drop: Callable[[Label], bool]) -> Engine:
        """A patched engine with the edges whose label satisfies ``drop`` removed.

        Parallel edges are kept apart in the engine, so removing the cheapest of two
        parallel links falls back to the other. The graph is not touched; this is how a
        closure is tested without rebuilding anything.
        """
        keep = np.fromiter((not drop(lab) for lab in self.labels), dtype=bool, count=len(self.labels))
        matrix, label_of = assemble(
            self.edges_u[keep],
            self.edges_v[keep],
            self.edges_w[keep],
            [lab for lab, k in zip(self.labels, keep, strict=True) if k],
            self.n,
        )
        return replace(
            self,
            matrix=matrix,
            label_of=label_of,
            fingerprint=self.fingerprint + "-patched",
            edges_u=self.edges_u[keep],
            edges_v=self.edges_v[keep],
            edges_w=self.edges_w[keep],
            labels=tuple(lab for lab, k in zip(self.labels, keep, strict=True) if k),
        )

    @property
    def n(self) -> int:
        """Number of search nodes."""
        return int(self.matrix.shape[0])


def compile_search_graph(G: nx.MultiDiGraph, modes: frozenset[Mode], measure: Measure, fp: str) -> Engine:
    """The frequency-model search graph of ``G`` for ``modes`` and ``measure`` (uncached)."""
    names: list[str] = []
    node_of: dict[str, int] = {}
    exit_of: dict[str, int] = {}
    allowed = {m.value for m in modes}

    def new(name: str) -> int:
        names.append(name)
        return len(names) - 1

    station_ok = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == "station":
            ok = d.get("mode") in allowed
            station_ok[n] = ok
            if ok:
                node_of[n] = new(n)
                exit_of[n] = new(n + "|exit")
        else:
            node_of[n] = new(n)

    us: list[int] = []
    vs: list[int] = []
    ws: list[float] = []
    labels: list[Label] = []

    def edge(u: int, v: int, w: float, lab: Label) -> None:
        us.append(u)
        vs.append(v)
        ws.append(w)
        labels.append(lab)

    door = measure is Measure.DOOR_TO_DOOR
    for u, v, d in G.edges(data=True):
        kind = d.get("kind")
        if kind == "road":
            if "road" in allowed:
                edge(
                    node_of[u],
                    node_of[v],
                    float(d["minutes"]),
                    Label("road", "road", d.get("name", ""), u, v, str(d.get("link_id", ""))),
                )
        elif kind == "access":
            if not door:
                continue
            u_st = u in station_ok
            v_st = v in station_ok
            if (u_st and not station_ok[u]) or (v_st and not station_ok[v]):
                continue
            a = exit_of[u] if u_st else node_of[u]
            b = node_of[v]  # a station's node_of is its hub
            edge(a, b, float(d["minutes"]), Label("access", "access", "", u, v))

        elif kind == "interchange":  # change of station within a city: exit of one, hub of the other
            if station_ok.get(u) and station_ok.get(v):
                edge(exit_of[u], node_of[v], float(d["minutes"]), Label("interchange", "access", "", u, v))

    params = parameters_of(G)
    boards_of: dict[str, list[int]] = {}
    for sid, svc in G.graph["services"].items():
        if svc["mode"] not in allowed:
            continue
        stops = svc["stops"]
        if not all(station_ok.get(station_node(s), False) for s in stops):
            continue
        wait = svc["headway_min"] / 2.0
        pen = params.transfer_penalty(svc["mode"])
        route = [new(f"{sid}@{i}") for i in range(len(stops))]
        for i, s in enumerate(stops):
            st = station_node(s)
            if i < len(stops) - 1:
                edge(node_of[st], route[i], wait, Label("board", svc["mode"], sid, st, st))
                boards_of.setdefault(st, []).append(route[i])
            if i > 0:
                edge(route[i], exit_of[st], 0.0, Label("alight", svc["mode"], sid, st, st))
                edge(route[i], node_of[st], pen, Label("transfer", svc["mode"], sid, st, st))
        for i in range(len(stops) - 1):
            sa, sb = station_node(stops[i]), station_node(stops[i + 1])
            e = G.get_edge_data(sa, sb, key=hop_key(sid, i + 1))
            if e is None:
                raise InvalidOptionError(f"service {sid} has no hop {stops[i]}->{stops[i + 1]} in the graph.")
            edge(
                route[i],
                route[i + 1],
                float(e["minutes"]) + float(e.get("dwell_min", 0.0)),
                Label("ride", svc["mode"], sid, sa, sb),
            )

    n = len(names)
    u_arr = np.asarray(us, dtype=np.int64)
    v_arr = np.asarray(vs, dtype=np.int64)
    w_arr = np.asarray(ws, dtype=float)
    if len(w_arr) and (not np.all(np.isfinite(w_arr)) or w_arr.min() < 0):
        bad = int(np.argmin(np.where(np.isfinite(w_arr), w_arr, -np.inf)))
        raise InvalidOptionError(f"edge {labels[bad]} has a negative or non-finite time; fix its data.")
    matrix, label_of = assemble(u_arr, v_arr, w_arr, labels, n)
    return Engine(
        matrix, modes, measure, node_of, exit_of, boards_of, names, label_of, fp, u_arr, v_arr, w_arr, tuple(labels)
    )


def assemble(
    u_arr: np.ndarray, v_arr: np.ndarray, w_arr: np.ndarray, labels: Sequence[Label], n: int
) -> tuple[sp.csr_matrix, dict[tuple[int, int], Label]]:
    """CSR matrix keeping the cheapest of parallel edges (csr would add them up), and its labels."""
    matrix, keep = cheapest_csr(u_arr, v_arr, w_arr, n)
    label_of = {(int(u_arr[i]), int(v_arr[i])): labels[i] for i in keep}
    return matrix, label_of


def cheapest_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """An ``n`` x ``n`` CSR matrix of the cheapest of each set of parallel edges, and their indices."""
    order = np.lexsort((w, v, u))
    us, vs = u[order], v[order]
    first = np.ones(len(order), dtype=bool)
    if len(order):
        first[1:] = (us[1:] != us[:-1]) | (vs[1:] != vs[:-1])
    keep = order[first]
    matrix = sp.csr_matrix((w[keep], (u[keep], v[keep])), shape=(n, n))
    matrix.sort_indices()
    return matrix, keep
