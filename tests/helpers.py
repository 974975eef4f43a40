"""Small graphs built by hand, whose answers are known."""

from __future__ import annotations

import networkx as nx
import numpy as np

from commute.model.graph import add_service
from commute.model.places import Endpoint


def empty_graph(transfer_penalty: float = 10.0) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph.update(
        services={},
        parameters={"transfer_penalty_min": {"rail": transfer_penalty, "air": 45}},
        crs="EPSG:4326",
        year=2021,
        network="test",
    )
    return G


def add_place(G, pid, lon=114.0, lat=30.0):
    G.add_node(f"place:{pid}", kind="place", id=pid, name=pid, city=pid, pop=1000, lon=lon, lat=lat, area_km2=10.0)


def add_station(G, sid, mode="rail", lon=114.0, lat=30.0):
    G.add_node(f"station:{sid}", kind="station", id=sid, name=sid, mode=mode, city=None, place=None, lon=lon, lat=lat)


def access(G, place, station, t_in, t_out=None):
    G.add_edge(f"place:{place}", f"station:{station}", key="access", kind="access", mode="access", minutes=t_in)
    G.add_edge(
        f"station:{station}",
        f"place:{place}",
        key="access",
        kind="access",
        mode="access",
        minutes=t_in if t_out is None else t_out,
    )


def road(G, a, b, minutes, key=None, both=True):
    key = key or f"{a}-{b}"
    for u, v in ((a, b), (b, a)) if both else ((a, b),):
        G.add_edge(
            u,
            v,
            key=key,
            kind="road",
            mode="road",
            link_id=key,
            name=key,
            minutes=float(minutes),
            length_km=float(minutes),
            speed_kmh=60.0,
            lanes=4,
            road_class="expressway",
        )


def service(G, sid, stops, runs, headway, dwells=None, mode="rail", both=False):
    dwells = dwells or [0.0] * len(runs)
    hops = [(stops[i], stops[i + 1], runs[i], dwells[i], 10.0) for i in range(len(runs))]
    add_service(G, sid, name=sid, mode=mode, train_class="G", headway_min=headway, hops=hops, bidirectional=both)


def ep(key, stations=()):
    return Endpoint(key, key, "place", key, key, tuple(stations), 1000)


def random_road_graph(seed: int, n: int = 40, m: int = 120) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    G = empty_graph()
    for i in range(n):
        G.add_node(f"road:{i}", kind="junction", id=str(i), name=str(i), lon=0.0, lat=0.0)
    for _ in range(m):
        a, b = rng.integers(0, n, 2)
        if a != b:
            G.add_edge(
                f"road:{a}",
                f"road:{b}",
                key=f"k{rng.integers(1e9)}",
                kind="road",
                mode="road",
                minutes=float(rng.uniform(1, 30)),
                name="r",
            )
    return G
