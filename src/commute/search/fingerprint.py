"""A content hash of what the engines read from a graph (the key of their caches)."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np

from commute.model.params import parameters_of


def graph_fingerprint(G: nx.MultiDiGraph) -> str:
    """A hash of everything the engine reads from a graph (nodes, edges and their minutes, services).

    Two graphs with the same nodes, the same edges (ends, key, kind, mode, minutes and dwell
    to 1e-9 minutes), the same services and transfer penalties have the same fingerprint,
    whatever order they were added in.

    Examples
    --------
    >>> a, b = nx.MultiDiGraph(services={}), nx.MultiDiGraph(services={})
    >>> a.add_edge("x", "y", minutes=1.0, kind="road"); a.add_edge("y", "z", minutes=2.0, kind="road")
    0
    0
    >>> b.add_edge("y", "z", minutes=2.0, kind="road"); b.add_edge("x", "y", minutes=1.0, kind="road")
    0
    0
    >>> graph_fingerprint(a) == graph_fingerprint(b)
    True
    >>> b.edges["x", "y", 0]["minutes"] = 1.5
    >>> graph_fingerprint(a) == graph_fingerprint(b)
    False
    """
    h = hashlib.sha256()
    h.update("\n".join(sorted(G.nodes)).encode())
    labels: list[str] = []
    numbers: list[tuple[float, float]] = []
    for u, v, k, d in _edges(G):
        labels.append(f"{u}\t{v}\t{k}\t{d.get('kind', '')}\t{d.get('mode', '')}")
        numbers.append((d.get("minutes", 0.0), d.get("dwell_min", 0.0)))
    order = sorted(range(len(labels)), key=labels.__getitem__)
    h.update("\n".join([labels[i] for i in order]).encode())
    values = np.array(numbers, dtype=np.float64).reshape(-1, 2)[order]
    h.update(np.round(values, 9).tobytes())
    h.update(_services(G))
    h.update(repr(sorted(parameters_of(G).transfer_penalty_min.items())).encode())
    return h.hexdigest()[:16]


def _edges(G: nx.MultiDiGraph) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """``(u, v, key, data)`` of every edge, read through the adjacency (faster than ``G.edges``)."""
    for u, nbrs in G.adj.items():
        for v, keyed in nbrs.items():
            for k, d in keyed.items():
                yield u, v, k, d


def _services(G: nx.MultiDiGraph) -> bytes:
    svc = sorted(
        (
            k,
            round(v["headway_min"], 9),
            tuple(v["stops"]),
            v["mode"],
            (v.get("first_dep_min"), v.get("last_dep_min"), v.get("departures")),
            v.get("trips") or (),
        )
        for k, v in G.graph["services"].items()
    )
    return pickle.dumps(svc, protocol=5)


def schedule_fingerprint(G: nx.MultiDiGraph) -> str:
    """A hash of what a graph's trips are made of, roads and access links left out.

    The station nodes, every other edge (the rides: ends, key, minutes, dwell and recorded run
    time), the services and the parameters: two graphs that differ only in roads (the subsets
    of a sweep of road projects) have the same trips, and the same schedule fingerprint.

    Examples
    --------
    >>> from commute.model.ids import place_node, station_node
    >>> G = nx.MultiDiGraph(services={}, parameters={})
    >>> a, b, p = station_node("a"), station_node("b"), place_node("p")
    >>> G.add_node(a, kind="station"); G.add_node(b, kind="station"); G.add_node(p, kind="place")
    >>> before = schedule_fingerprint(G)
    >>> G.add_edge(p, a, kind="road", minutes=3.0)
    0
    >>> schedule_fingerprint(G) == before
    True
    >>> G.add_edge(a, b, key="s#1", kind="rail", minutes=9.0)
    's#1'
    >>> schedule_fingerprint(G) == before
    False
    """
    h = hashlib.sha256()
    h.update("\n".join(sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "station")).encode())
    rides = [
        (u, v, str(k), d.get("kind", ""), d.get("minutes"), d.get("dwell_min"), d.get("base_run_min"))
        for u, v, k, d in _edges(G)
        if d.get("kind") not in ("road", "access")
    ]
    rides.sort(key=lambda r: r[:3])
    h.update(pickle.dumps(rides, protocol=5))
    h.update(_services(G))
    h.update(repr(G.graph.get("parameters")).encode())
    return h.hexdigest()[:16]
