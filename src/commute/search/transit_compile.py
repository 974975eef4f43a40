"""Compiling a graph into a :class:`TransitEngine`: the access graph, the timetable, footpaths.

See :mod:`commute.search.transit` for the model; this module builds it once per graph, modes,
measure and query, and :meth:`TransitEngine.without` patches it without recompiling.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from commute.errors import InvalidOptionError
from commute.model.ids import station_node
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.params import Parameters, parameters_of
from commute.model.trips import Trip, graph_trips
from commute.search import choose, raptor
from commute.search.fingerprint import schedule_fingerprint
from commute.search.legs import Label
from commute.search.query import Query

#: Days a timetable is repeated on (today's and tomorrow's trains; yesterday's are added only
#: for the trips that still run after midnight).
DAYS = (0, 1)
MAX_ROUNDS = 8


@dataclass(frozen=True)
class TransitEngine:
    """A compiled departure-time engine for one set of modes, one measure and one query."""

    modes: frozenset[Mode]
    measure: Measure
    query: Query
    access: sp.csr_matrix = field(repr=False)  # the access graph
    node_of: dict[str, int] = field(repr=False)  # graph node (not a station) -> access node
    in_of: dict[str, int] = field(repr=False)  # station node -> its in node
    out_of: dict[str, int] = field(repr=False)  # station node -> its out node
    stations: tuple[str, ...] = field(repr=False)  # stop index -> station graph node
    trips: tuple[Trip, ...] = field(repr=False)
    timetable: Any = field(repr=False)
    road_edges: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Label, ...]] = field(repr=False)
    graph: nx.MultiDiGraph = field(repr=False)
    fingerprint: str = ""
    #: Results that depend only on the compiled engine (access rows, egress, departures per
    #: stop), filled on first use; bounded by the graph's size, dropped with the engine.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def stop_of(self) -> dict[str, int]:
        """Station graph node -> stop index."""
        return {s: i for i, s in enumerate(self.stations)}

    def without(self, drop: Callable[[Label], bool]) -> TransitEngine:
        """A patched engine without the road links and services whose label satisfies ``drop``.

        Nothing is recompiled: dropped trips leave the timetable's routes, and a dropped road
        link rebuilds only the access graph and the footpaths it carries.
        """
        from commute.search.patch import with_footpaths, without_trips

        u, v, w, labels = self.road_edges
        keep = np.fromiter((not drop(lab) for lab in labels), dtype=bool, count=len(labels))
        gone = [
            k
            for k, t in enumerate(self.trips)
            if drop(Label("ride", t.mode, t.service, station_node(t.stations[0]), station_node(t.stations[-1])))
        ]
        if keep.all() and not gone:
            return self
        tt = without_trips(self.timetable, gone)
        access, edges = self.access, self.road_edges
        if not keep.all():
            edges = (u[keep], v[keep], w[keep], tuple(lab for lab, k in zip(labels, keep, strict=True) if k))
            access = _access_matrix(edges, self.access.shape[0])
            params = parameters_of(self.graph)
            tt = with_footpaths(
                tt, _footpaths(self.graph, access, self.in_of, self.out_of, self.stations, self.measure, params)
            )
        return replace(
            self, access=access, road_edges=edges, timetable=tt, fingerprint=self.fingerprint + "-patched", memo={}
        )

    def with_query(self, query: Query) -> TransitEngine:
        """The same engine answering another query (nothing is recompiled)."""
        return replace(self, query=query)


# ---------------------------------------------------------------------------------------------
# Compile
# ---------------------------------------------------------------------------------------------


def compile_transit(
    G: nx.MultiDiGraph,
    modes: Iterable[str | Mode] | str | None = None,
    measure: str | Measure | None = None,
    query: Query | None = None,
    *,
    fingerprint: str = "",
) -> TransitEngine:
    """Compile ``G`` for a departure-time query (see the module docstring)."""
    mset = parse_modes(modes)
    meas = parse_measure(measure)
    q = query or Query()
    allowed = {m.value for m in mset}
    node_of: dict[str, int] = {}
    in_of: dict[str, int] = {}
    out_of: dict[str, int] = {}
    n = 0
    stations = []
    for node, d in G.nodes(data=True):
        if d.get("kind") == "station":
            if d.get("mode") in allowed:
                in_of[node], out_of[node] = n, n + 1
                n += 2
                stations.append(node)
        else:
            node_of[node] = n
            n += 1
    us, vs, ws, labels = [], [], [], []
    for a, b, k, d in G.edges(keys=True, data=True):
        kind = d.get("kind")
        if kind == "road" and "road" in allowed:
            ia, ib = node_of[a], node_of[b]
            lab = Label("road", "road", d.get("name", ""), a, b, str(d.get("link_id", k)))
        elif kind == "access":
            ia = out_of.get(a, node_of.get(a, -1))
            ib = in_of.get(b, node_of.get(b, -1))
            if ia < 0 or ib < 0 or (a in out_of and b in in_of):
                continue
            lab = Label("access", "access", "", a, b)
        else:
            continue
        us.append(ia)
        vs.append(ib)
        ws.append(float(d["minutes"]))
        labels.append(lab)
    edges = (np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64), np.asarray(ws, dtype=float), tuple(labels))
    if len(edges[2]) and (not np.all(np.isfinite(edges[2])) or edges[2].min() < 0):
        raise InvalidOptionError("a road or access link has a negative or non-finite time; fix its data.")
    scheduled = {m for m in allowed if m != "road"}
    stop_set = set(stations)
    memo = (_schedule_of(G, fingerprint), frozenset(scheduled), tuple(stations))
    if memo in _TRIPS:
        trips, specs = _TRIPS[memo]
    else:
        trips = tuple(
            t for t in graph_trips(G, frozenset(scheduled)) if all(station_node(s) in stop_set for s in t.stations)
        )
        specs = _specs(trips, stations)
        _TRIPS[memo] = (trips, specs)
        while len(_TRIPS) > _TIMETABLES_KEPT:
            _TRIPS.pop(next(iter(_TRIPS)))
    return _finish(G, mset, meas, q, edges, node_of, in_of, out_of, tuple(stations), trips, specs, fingerprint)


#: Schedule fingerprints of lately compiled graphs, by graph fingerprint and parameters (the
#: rules of a target set compile several engines of one graph).
_SCHEDULES: dict[str, str] = {}


def _schedule_of(G: nx.MultiDiGraph, fingerprint: str) -> str:
    if not fingerprint:
        return schedule_fingerprint(G)
    key = f"{fingerprint}|{G.graph.get('parameters')!r}"
    if key not in _SCHEDULES:
        _SCHEDULES[key] = schedule_fingerprint(G)
        while len(_SCHEDULES) > 64:
            _SCHEDULES.pop(next(iter(_SCHEDULES)))
    return _SCHEDULES[key]


def _specs(trips: tuple[Trip, ...], stations: list[str]) -> tuple[raptor.TripSpec, ...]:
    """The trips as the timetable builder takes them (stops as indices into ``stations``)."""
    stop_of = {s: i for i, s in enumerate(stations)}
    return tuple(
        raptor.TripSpec(
            np.array([stop_of[station_node(s)] for s in t.stations], dtype=np.int64),
            np.asarray(t.arr, dtype=float),
            np.asarray(t.dep, dtype=float),
            np.asarray(t.pickup, dtype=bool),
            np.asarray(t.dropoff, dtype=bool),
            k,
        )
        for k, t in enumerate(trips)
    )


def _finish(
    G: nx.MultiDiGraph,
    modes: frozenset[Mode],
    measure: Measure,
    query: Query,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Label, ...]],
    node_of: dict[str, int],
    in_of: dict[str, int],
    out_of: dict[str, int],
    stations: tuple[str, ...],
    trips: tuple[Trip, ...],
    specs: tuple[raptor.TripSpec, ...],
    fingerprint: str,
) -> TransitEngine:
    access = _access_matrix(edges, len(node_of) + len(in_of) + len(out_of))
    params = parameters_of(G)
    min_transfer = np.array(
        [
            float(query.transfer_penalty)
            if query.transfer_penalty is not None
            else params.transfer_penalty(G.nodes[s].get("mode", "rail"))
            for s in stations
        ],
        dtype=float,
    )
    footpaths = _footpaths(G, access, in_of, out_of, stations, measure, params)
    # yesterday's copy of a trip matters only while it still runs after midnight
    yesterday = [
        raptor.TripSpec(s.stops, s.arr - 1440.0, s.dep - 1440.0, s.pickup, s.dropoff, s.key)
        for s in specs
        if s.arr[-1] > 1440.0
    ]
    tt = _timetable([*specs, *yesterday], len(stations), footpaths, min_transfer)
    return TransitEngine(
        modes, measure, query, access, node_of, in_of, out_of, stations, trips, tt, edges, G, fingerprint
    )


#: Timetables built lately, by content: scenarios that change only roads (a sweep, an attribution)
#: rebuild the same timetable for every subset. Small, as a timetable of the circle is large.
_TIMETABLES: OrderedDict[bytes, raptor.Timetable] = OrderedDict()
_TIMETABLES_KEPT = 4
#: The trips (and their timetable specs) of lately compiled graphs, by schedule fingerprint (the
#: content trips are made of: roads left out), scheduled modes and station order.
_TRIPS: dict[tuple[str, frozenset[str], tuple[str, ...]], tuple[tuple[Trip, ...], tuple[raptor.TripSpec, ...]]] = {}


def _timetable(
    specs: list[raptor.TripSpec], n_stops: int, footpaths: list[tuple[int, int, float]], min_transfer: np.ndarray
) -> raptor.Timetable:
    """:func:`raptor.build_timetable` of these trips, reused when the same content was built lately."""
    h = hashlib.blake2b(digest_size=20)
    h.update(np.array([n_stops, len(specs), *DAYS], dtype=np.int64).tobytes())
    for sp_ in specs:
        h.update(np.array([len(sp_.stops), sp_.key], dtype=np.int64).tobytes())
        for a in (sp_.stops, sp_.arr, sp_.dep, sp_.pickup, sp_.dropoff):
            h.update(a.tobytes())
    h.update(np.asarray(footpaths, dtype=float).tobytes())
    h.update(min_transfer.tobytes())
    key = h.digest()
    if key in _TIMETABLES:
        _TIMETABLES.move_to_end(key)
        return _TIMETABLES[key]
    tt = raptor.build_timetable(specs, n_stops, transfers=footpaths, min_transfer=min_transfer, repeat_days=DAYS)
    _TIMETABLES[key] = tt
    while len(_TIMETABLES) > _TIMETABLES_KEPT:
        _TIMETABLES.popitem(last=False)
    return tt


def _access_matrix(edges: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Label, ...]], n: int) -> sp.csr_matrix:
    """CSR of the access graph, keeping the cheapest of parallel links."""
    u, v, w, _ = edges
    order = np.lexsort((w, v, u))
    first = np.ones(len(order), dtype=bool)
    if len(order):
        first[1:] = (u[order][1:] != u[order][:-1]) | (v[order][1:] != v[order][:-1])
    keep = order[first]
    access = sp.csr_matrix((w[keep], (u[keep], v[keep])), shape=(n, n))
    access.sort_indices()
    return access


def _footpaths(
    G: nx.MultiDiGraph,
    access: sp.csr_matrix,
    in_of: dict[str, int],
    out_of: dict[str, int],
    stations: tuple[str, ...],
    measure: Measure,
    params: Parameters,
) -> list[tuple[int, int, float]]:
    stop_of = {s: i for i, s in enumerate(stations)}
    best: dict[tuple[int, int], float] = {}
    for a, b, d in G.edges(data=True):
        if d.get("kind") == "interchange" and a in stop_of and b in stop_of:
            key = (stop_of[a], stop_of[b])
            best[key] = min(best.get(key, math.inf), float(d["minutes"]))
    if measure is Measure.DOOR_TO_DOOR and stations:
        limit = params.transfer_by_road_max_min
        src = np.array([out_of[s] for s in stations], dtype=np.int64)
        tgt = np.array([in_of[s] for s in stations], dtype=np.int64)
        d = choose.many_to_many(access, src, tgt, limit=limit)
        for i, j in zip(*np.nonzero(np.isfinite(d)), strict=True):
            if i != j:
                key = (int(i), int(j))
                best[key] = min(best.get(key, math.inf), float(d[i, j]))
    return [(a, b, m) for (a, b), m in sorted(best.items())]
