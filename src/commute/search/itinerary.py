"""The legs of one journey of the departure-time engine, with clock times and train numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse.csgraph import dijkstra

from commute.model.ids import place_node, station_node
from commute.model.modes import Measure
from commute.model.places import Endpoint
from commute.search import raptor
from commute.search.legs import Label
from commute.search.transit import (
    MAX_ROUNDS,
    TimedLeg,
    TransitEngine,
    _access_rows,
    _egress_cols,
    _origin_departures,
    journey_times,
    summarise_times,
)


def _choose(eng: TransitEngine, deps: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """The departure whose journey stands for the statistic of times ``m``, and that statistic.

    ``fastest``: the departure of the shortest journey; otherwise the departure whose journey
    time is nearest the statistic (the earliest of ties). ``(nan, nan)`` if there is none.
    """
    if len(deps) != len(m):
        return math.nan, math.nan
    value = float(summarise_times(m, eng.query.stat(eng.measure)))
    if math.isnan(value):
        return math.nan, math.nan
    k = int(np.argmin(np.where(np.isfinite(m), np.abs(m - value), np.inf)))
    return float(deps[k]), value


def best_trips(eng: TransitEngine, origin: Endpoint, dests: Sequence[Endpoint]) -> list[tuple[float, list[TimedLeg]]]:
    """Minutes (each pair's statistic) and the legs of the journey that stands for it."""
    deps = eng.query.departures(eng.measure)
    if deps is None:
        deps = _origin_departures(eng, origin)
    times = journey_times(eng, [origin], dests)[0]
    out: list[tuple[float, list[TimedLeg]]] = []
    for j, d in enumerate(dests):
        if origin.key == d.key:
            out.append((0.0, []))
            continue
        t0, value = _choose(eng, deps, times[:, j])
        out.append((math.nan, []) if math.isnan(t0) else (value, legs_at(eng, origin, d, t0)))
    return out


def best_trip(eng: TransitEngine, origin: Endpoint, dest: Endpoint) -> tuple[float, list[TimedLeg]]:
    """:func:`best_trips` to one destination."""
    return best_trips(eng, origin, [dest])[0]


def legs_at(eng: TransitEngine, origin: Endpoint, dest: Endpoint, t0: float) -> list[TimedLeg]:
    """The legs of the earliest-arriving journey leaving at ``t0`` (empty if there is none)."""
    stop_of = eng.stop_of
    n_st = len(eng.stations)
    door = eng.measure is Measure.DOOR_TO_DOOR
    if door:
        full, acc = _access_rows(eng, [origin])
        cols, eg = _egress_cols(eng, [dest])
        road = full[0, cols[0]] if cols[0] >= 0 else math.inf
        offsets = acc[0]
        egress = eg[:, 0]
    else:
        road = math.inf
        offsets = np.full(n_st, np.inf)
        for s in origin.stations:
            if station_node(s) in stop_of:
                offsets[stop_of[station_node(s)]] = 0.0
        egress = np.full(n_st, np.inf)
        for s in dest.stations:
            if station_node(s) in stop_of:
                egress[stop_of[station_node(s)]] = 0.0
    src = np.flatnonzero(np.isfinite(offsets))
    arr, state = raptor.earliest_arrival(
        eng.timetable, src, t0 + offsets[src], max_rounds=MAX_ROUNDS, return_state=True
    )
    total = arr + egress
    k = int(np.argmin(total)) if n_st else -1
    transit = float(total[k]) - t0 if n_st and np.isfinite(total[k]) else math.inf
    if door and road <= transit:
        if not math.isfinite(road):
            return []
        return _road_legs(eng, place_node(origin.place), place_node(dest.place), t0)
    if not math.isfinite(transit):
        return []
    rides = raptor.journey(eng.timetable, state, k)
    legs: list[TimedLeg] = []
    first = rides[0].from_stop
    if door and origin.kind != "stop":
        legs += _road_legs(eng, place_node(origin.place), eng.stations[first], t0, into_station=True)
    ready = t0 + float(offsets[first])
    for r in rides:
        a, b = eng.stations[r.from_stop], eng.stations[r.to_stop]
        if r.kind == "ride":
            trip = eng.trips[r.trip_key]
            if r.dep > ready + 1e-9:
                kind = "wait" if not legs or legs[-1].kind in ("access", "road") else "transfer"
                legs.append(TimedLeg(kind, trip.mode, a, a, r.dep - ready, trip.service, ready, r.dep))
            legs.append(TimedLeg("ride", trip.mode, a, b, r.arr - r.dep, trip.service, r.dep, r.arr, trip.train_no))
            ready = r.arr
        else:
            legs.append(TimedLeg("interchange", "access", a, b, r.arr - r.dep, "", r.dep, r.arr))
            ready = r.arr
    last = eng.stations[rides[-1].to_stop]
    if door and dest.kind != "stop":
        legs += _road_legs(eng, last, place_node(dest.place), ready, from_station=True)
    return legs


def _road_legs(
    eng: TransitEngine, a: str, b: str, t0: float, *, into_station: bool = False, from_station: bool = False
) -> list[TimedLeg]:
    """Access and road legs of the best access-graph path from ``a`` to ``b`` (merged by kind)."""
    src = eng.out_of[a] if from_station else eng.node_of[a]
    dst = eng.in_of[b] if into_station else eng.node_of[b]
    dist, pred = dijkstra(eng.access, directed=True, indices=src, return_predecessors=True)
    if not np.isfinite(dist[dst]):
        return []
    path = [dst]
    while path[-1] != src:
        path.append(int(pred[path[-1]]))
    path.reverse()
    label_of = _labels(eng)
    legs: list[TimedLeg] = []
    t = t0
    for x, y in zip(path, path[1:], strict=False):
        lab = label_of[(x, y)]
        w = float(eng.access[x, y])
        if legs and legs[-1].kind == lab.kind:
            last = legs[-1]
            svc = last.service
            if lab.kind == "road" and lab.service and lab.service not in svc.split(" / "):
                svc = f"{svc} / {lab.service}" if svc else lab.service
            legs[-1] = TimedLeg(last.kind, last.mode, last.from_node, lab.v, last.minutes + w, svc, last.depart, t + w)
        else:
            legs.append(TimedLeg(lab.kind, lab.mode, lab.u, lab.v, w, lab.service, t, t + w))
        t += w
    return legs


def _labels(eng: TransitEngine) -> dict[tuple[int, int], Label]:
    if "labels" in eng.memo:
        return eng.memo["labels"]
    u, v, w, labels = eng.road_edges
    out: dict[tuple[int, int], Label] = {}
    best: dict[tuple[int, int], float] = {}
    for i in range(len(labels)):
        key = (int(u[i]), int(v[i]))
        if w[i] < best.get(key, math.inf):
            best[key] = float(w[i])
            out[key] = labels[i]
    eng.memo["labels"] = out
    return out
