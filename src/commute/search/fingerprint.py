"""A content hash of what the engines read from a graph (the key of their caches)."""

from __future__ import annotations

import hashlib
import pickle

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
    for u, nbrs in G.adj.items():
        for v, keyed in nbrs.items():
            for k, d in keyed.items():
                labels.append(f"{u}\t{v}\t{k}\t{d.get('kind', '')}\t{d.get('mode', '')}")
                numbers.append((d.get("minutes", 0.0), d.get("dwell_min", 0.0)))
    order = sorted(range(len(labels)), key=labels.__getitem__)
    h.update("\n".join([labels[i] for i in order]).encode())
    values = np.array(numbers, dtype=np.float64).reshape(-1, 2)[order]
    h.update(np.round(values, 9).tobytes())
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
    h.update(pickle.dumps(svc, protocol=5))
    h.update(repr(sorted(parameters_of(G).transfer_penalty_min.items())).encode())
    return h.hexdigest()[:16]
