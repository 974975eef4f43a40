"""Access links: how a station joins the places around it and the road network.

A station is linked to the places of its city within the network's access radius and to its
nearest road junction, by the rule and speeds of :class:`commute.model.params.Parameters`
(``access``). Used when a graph is built and when a scenario adds a station.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from commute.model.geo import haversine_km
from commute.model.params import parameters_of


def add_access_pair(
    G: nx.MultiDiGraph, a: str, b: str, minutes_ab: float, minutes_ba: float, km: float, *, kind: str = "access"
) -> None:
    """Add local links both ways between two nodes (``kind`` access or interchange, mode access)."""
    G.add_edge(a, b, key=kind, kind=kind, mode="access", minutes=float(minutes_ab), length_km=float(km))
    G.add_edge(b, a, key=kind, kind=kind, mode="access", minutes=float(minutes_ba), length_km=float(km))


class AccessContext:
    """Arrays of the places and road junctions of a graph, for connecting many stations fast."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        places = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == "place"]
        self.place_nodes = [n for n, _ in places]
        self.place_ids = [d["id"] for _, d in places]
        self.place_city = np.array([d.get("city") or "" for _, d in places], dtype=object)
        self.place_lon = np.array([d["lon"] for _, d in places], dtype=float)
        self.place_lat = np.array([d["lat"] for _, d in places], dtype=float)
        road_from = {u for u, _, d in G.edges(data=True) if d.get("kind") == "road"}
        juncs = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == "junction" and n in road_from]
        self.junction_nodes = [n for n, _ in juncs]
        self.junction_lon = np.array([d["lon"] for _, d in juncs], dtype=float)
        self.junction_lat = np.array([d["lat"] for _, d in juncs], dtype=float)


def connect_station(G: nx.MultiDiGraph, node: str, ctx: AccessContext | None = None) -> None:
    """Add the access links of one station (to places and the nearest junction) by the network's rule.

    Used when building a graph and when a scenario adds a station.
    """
    ctx = ctx or AccessContext(G)
    acc = parameters_of(G).access
    circ = acc.circuity
    s = G.nodes[node]
    rule = acc.mode(s["mode"])
    entry, exit_ = rule.entry_min, rule.exit_min
    same_km, other_km = rule.same_city_km, rule.other_city_km
    dist = haversine_km(s["lon"], s["lat"], ctx.place_lon, ctx.place_lat)
    same = (ctx.place_city == (s.get("city") or "\0")) & (dist <= same_km)
    near = same | (dist <= other_km)
    for i in np.flatnonzero(near | np.array([pid == s.get("place") for pid in ctx.place_ids], dtype=bool)):
        pn, d = ctx.place_nodes[i], float(dist[i])
        t = acc.minutes(d)
        add_access_pair(G, pn, node, t + entry, t + exit_, d * circ)
    # interchanges: to the other stations serving the same city (a change of station on a trip)
    if s.get("city"):
        max_km = acc.interchange_km
        for n, d in G.nodes(data=True):
            if n == node or d.get("kind") != "station" or d.get("city") != s["city"]:
                continue
            km = float(haversine_km(s["lon"], s["lat"], d["lon"], d["lat"]))
            if km <= max_km:
                t = acc.minutes(km)
                to_entry = acc.mode(d["mode"]).entry_min
                add_access_pair(G, node, n, t + to_entry, t + entry, km * circ, kind="interchange")
    if len(ctx.junction_nodes):
        jd = haversine_km(s["lon"], s["lat"], ctx.junction_lon, ctx.junction_lat)
        k = int(np.argmin(jd))
        if jd[k] <= acc.station_junction_km:
            jn = ctx.junction_nodes[k]
            t = acc.minutes(jd[k])
            add_access_pair(G, jn, node, t + entry, t + exit_, jd[k] * circ)
