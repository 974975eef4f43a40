"""A content hash of what the engines read from a graph (the key of their caches)."""

from __future__ import annotations

import hashlib

import networkx as nx

from commute.model.params import parameters_of


def graph_fingerprint(G: nx.MultiDiGraph) -> str:
    """A hash of everything the engine reads from a graph (nodes, edges and their minutes, services)."""
    h = hashlib.sha256()
    for n in sorted(G.nodes):
        h.update(n.encode())
    rows = sorted(
        (
            u,
            v,
            str(k),
            round(float(d.get("minutes", 0.0)), 9),
            d.get("kind", ""),
            d.get("mode", ""),
            round(float(d.get("dwell_min", 0.0)), 9),
        )
        for u, v, k, d in G.edges(keys=True, data=True)
    )
    h.update(repr(rows).encode())
    svc = sorted(
        (
            k,
            round(v["headway_min"], 9),
            tuple(v["stops"]),
            v["mode"],
            repr((v.get("first_dep_min"), v.get("last_dep_min"), v.get("departures"))),
            hashlib.sha256(repr(v.get("trips")).encode()).hexdigest() if v.get("trips") else "",
        )
        for k, v in G.graph["services"].items()
    )
    h.update(repr(svc).encode())
    h.update(repr(sorted(parameters_of(G).transfer_penalty_min.items())).encode())
    return h.hexdigest()[:16]
