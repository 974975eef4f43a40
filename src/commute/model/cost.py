"""The money of a journey: each leg priced from the network's cost data and the scenario's rules.

- a **ride** costs its fare: the GTFS zone fare on an imported feed, else the fare table of its
  mode, train class and seat class (``fares.csv``, or a ``set_fare`` override) at the ride's
  km (the service's hop lengths; great-circle x the network's rail circuity where a hop has none);
- a **road** leg costs, per link of its path, the car's running cost per km and the toll
  (``tolls.csv`` by road class, a road-name row adding to or replacing it, or ``set_toll``),
  divided by the car's occupancy;
- an **access** leg to or from a station costs the access fare (a local bus); waits are free;
- then discounts and monthly passes apply (:func:`commute.model.cost_rules.apply_rules`).

The **generalized cost** of a journey is ``minutes + fare * 60 / value_of_time`` (value of
time in currency per hour); with an infinite value of time it is the minutes.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import Any

import networkx as nx

from commute.io.fares import DEFAULT_SEAT, Costs, FareTable, load_costs
from commute.model.cost_rules import Item, apply_rules
from commute.model.geo import haversine_km
from commute.model.ids import hop_key, is_station, station_node, station_of
from commute.model.params import parameters_of

_ROADS: weakref.WeakKeyDictionary[nx.MultiDiGraph, nx.DiGraph] = weakref.WeakKeyDictionary()


def costs_of(G: nx.MultiDiGraph) -> Costs:
    """The cost data of a graph: a scenario's (``G.graph["costs"]``) or its network folder's."""
    c = G.graph.get("costs")
    if c is not None:
        return c
    net = G.graph.get("network_obj")
    return load_costs(net.folder) if net is not None else Costs()


def generalized(minutes: float, fare: float, value_of_time: float) -> float:
    """``minutes + fare * 60 / value_of_time``; the minutes when the value of time is infinite.

    >>> generalized(60.0, 30.0, 30.0)
    120.0
    >>> generalized(60.0, 30.0, float("inf"))
    60.0
    """
    if math.isinf(value_of_time):
        return minutes
    return minutes + fare * 60.0 / value_of_time


def money(x: float) -> str:
    """An amount as text with two decimals ("" for NaN), so tables do not round 9.75 to 9.8.

    >>> money(9.75), money(float("nan"))
    ('9.75', '')
    """
    return "" if math.isnan(x) else f"{x:.2f}"


def journey_items(G: nx.MultiDiGraph, legs: Sequence[Any], costs: Costs | None = None) -> list[Item]:
    """The priced items of a journey's legs, after the scenario's discounts and passes."""
    c = costs or costs_of(G)
    raw: list[Item] = []
    for i, leg in enumerate(legs):
        raw += _leg_items(G, c, leg, i)
    return apply_rules(raw, c.discounts, c.passes)


def leg_fares(G: nx.MultiDiGraph, legs: Sequence[Any], costs: Costs | None = None) -> list[float]:
    """Each leg's money (fare, tolls and running cost, after discounts and passes)."""
    out = [0.0] * len(legs)
    for it in journey_items(G, legs, costs):
        out[it.leg] += it.amount
    return out


def journey_fare(G: nx.MultiDiGraph, legs: Sequence[Any], costs: Costs | None = None) -> float:
    """The money of a whole journey (NaN when a ride has no known fare; 0 for an empty journey)."""
    return float(sum(it.amount for it in journey_items(G, legs, costs)))


def _cities(G: nx.MultiDiGraph, *nodes: str) -> frozenset[str]:
    out = set()
    for n in nodes:
        d = G.nodes[n] if n in G else {}
        city = d.get("city")
        if city is None and d.get("place") is not None:
            city = _place_city(G, d["place"])
        if city:
            out.add(str(city))
    return frozenset(out)


def _place_city(G: nx.MultiDiGraph, place: str) -> str | None:
    from commute.model.ids import place_node

    n = place_node(place)
    return G.nodes[n].get("city") if n in G else None


def _leg_items(G: nx.MultiDiGraph, c: Costs, leg: Any, i: int) -> list[Item]:
    if leg.kind == "ride":
        return [_ride_item(G, c, leg, i)]
    if leg.kind == "road":
        return _road_items(G, c, leg, i)
    if leg.kind == "access" and c.access_fare and (is_station(leg.from_node) != is_station(leg.to_node)):
        return [Item(c.access_fare, "access", "access", leg=i, cities=_cities(G, leg.from_node, leg.to_node))]
    return []


def _ride_item(G: nx.MultiDiGraph, c: Costs, leg: Any, i: int) -> Item:
    svc = G.graph["services"][leg.service]
    mode, cls = str(svc["mode"]), str(svc["train_class"])
    base = str(svc.get("base_id") or leg.service)
    cities = _cities(G, leg.from_node, leg.to_node)
    if c.gtfs is not None:
        route = str(leg.service).rsplit(":", 1)[0]
        price = c.gtfs.price(route, station_of(leg.from_node), station_of(leg.to_node))
    else:
        table = fare_table(c, mode, cls, base, leg.service)
        price = table.price(ride_km(G, leg.service, leg.from_node, leg.to_node)) if table else math.nan
    return Item(price, "fare", mode, base, cls, cities=cities, leg=i)


def fare_table(c: Costs, mode: str, cls: str, base: str, sid: str = "") -> FareTable | None:
    """The fare table of a service: the latest ``set_fare`` that covers it, else the network's."""
    probe = Item(0.0, "fare", mode, base, cls)
    for o in reversed(c.overrides):
        if o.cover.matches(probe) or sid in o.cover.services:
            return o.table
    seat = DEFAULT_SEAT.get(mode, "standard")
    for key in ((mode, cls, seat), (mode, "other", seat), (mode, mode, seat)):
        if key in c.fares:
            return c.fares[key]
    return None


def ride_km(G: nx.MultiDiGraph, sid: str, a: str, b: str) -> float:
    """The km of a ride on service ``sid`` from station node ``a`` to ``b`` along its stops."""
    stops = G.graph["services"][sid]["stops"]
    sa, sb = station_of(a), station_of(b)
    i = stops.index(sa)
    j = stops.index(sb, i + 1)
    circuity = parameters_of(G).rail_circuity
    km = 0.0
    for k in range(i, j):
        x, y = station_node(stops[k]), station_node(stops[k + 1])
        e = G.get_edge_data(x, y, hop_key(sid, k + 1)) or {}
        hop = e.get("length_km")
        if hop is None or not math.isfinite(float(hop)):
            nx_, ny_ = G.nodes[x], G.nodes[y]
            hop = float(haversine_km(nx_["lon"], nx_["lat"], ny_["lon"], ny_["lat"])) * circuity
        km += float(hop)
    return km


def road_path(G: nx.MultiDiGraph, a: str, b: str) -> list[dict[str, Any]]:
    """The road links (edge data) of the quickest road path from junction ``a`` to ``b``."""
    R = _ROADS.get(G)
    if R is None:
        R = nx.DiGraph()
        for u, v, k, d in G.edges(keys=True, data=True):
            if d.get("kind") == "road" and (not R.has_edge(u, v) or d["minutes"] < R[u][v]["minutes"]):
                cities = _cities(G, u, v)
                R.add_edge(
                    u, v, minutes=float(d["minutes"]), data={**d, "link_id": d.get("link_id", k), "_cities": cities}
                )
        _ROADS[G] = R
    if a == b or a not in R or b not in R:
        return []
    try:
        path = nx.dijkstra_path(R, a, b, weight="minutes")
    except nx.NetworkXNoPath:
        return []
    return [R[x][y]["data"] for x, y in zip(path, path[1:], strict=False)]


def link_toll(c: Costs, d: dict[str, Any]) -> float:
    """The toll of one road link for a car: class rate, name rows, then ``set_toll`` overrides."""
    name, cls, lid, km = (
        str(d.get("name", "")),
        str(d.get("road_class", "")),
        str(d.get("link_id", "")),
        float(d["length_km"]),
    )
    per_km, flat = 0.0, 0.0
    for t in c.tolls:
        if t.road_class == cls and not t.road_name:
            per_km, flat = t.per_km, t.flat
    for t in c.tolls:
        if t.road_name and name.startswith(t.road_name):
            per_km, flat = t.per_km, t.flat
    probe = Item(1.0, "toll", "road", road=name, road_class=cls, cities=frozenset(d.get("_cities", ())), link=lid)
    for o in c.toll_overrides:
        if o.cover.matches(probe):
            per_km = per_km if o.per_km is None else o.per_km
            flat = flat if o.flat is None else o.flat
    return per_km * km + flat


def _road_items(G: nx.MultiDiGraph, c: Costs, leg: Any, i: int) -> list[Item]:
    out = []
    occ = c.car_occupancy or 1.0
    for d in road_path(G, leg.from_node, leg.to_node):
        km = float(d["length_km"])
        name, cls, lid = str(d.get("name", "")), str(d.get("road_class", "")), str(d.get("link_id", ""))
        cities = frozenset(d["_cities"])
        if c.car_per_km:
            out.append(Item(c.car_per_km * km / occ, "running", "road", road=name, road_class=cls, leg=i, link=lid))
        toll = link_toll(c, d)
        if toll:
            out.append(Item(toll / occ, "toll", "road", road=name, road_class=cls, cities=cities, leg=i, link=lid))
    return out
