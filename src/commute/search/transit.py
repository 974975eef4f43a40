"""The departure-time engine: trips with clock times joined to the road search.

A :class:`TransitEngine` compiles a graph into

- an *access graph* (CSR): places, road junctions and, for every station, an *in* node (ready
  to board: the access link's time includes entering the station) and an *out* node (just
  alighted: the egress link's time includes leaving it). Road links are in it when ``road`` is
  among the modes; access links always are. A station is never a shortcut between two access
  links, because *in* has no way out and *out* no way in;
- a *timetable* for :mod:`commute.search.raptor`: every trip of every service of the allowed
  modes (:func:`commute.model.trips.graph_trips`), repeated on the day before and after so
  that journeys run overnight; a transfer at a station costs the mode's transfer time
  (``transfer_penalty_min``); changes of station are footpaths: the graph's interchange links
  (both measures) and, door to door, the access graph's best way from one station's *out* to
  another's *in* (through a place or by road) when it is shorter than
  ``transfer_by_road_max_min`` (default 90).

A query (:class:`Query`) has a departure time or a window with a step and a statistic:
``door_to_door`` leaves the origin's centroid at each departure time (waiting counts); its
time is the best of driving (if ``road`` is allowed) and access + transit + egress.
``station_to_station`` is ready at the origin's stations at each departure time and ends on
arriving at the destination's; without a window its departure times are every departure of
a train from the origin's stations during the day, so ``fastest`` is what a timetable quotes.
Over a window, each pair's times are summarised by ``fastest``, ``median``, ``mean`` or ``pNN``
(NumPy's linear percentile); a departure with no journey counts as infinitely long, and a pair
whose summary is infinite is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from commute.model.ids import is_place, place_node, station_node
from commute.model.modes import Measure
from commute.model.places import Endpoint
from commute.search import choose, raptor
from commute.search.query import (
    DEFAULT_STEP,
    DEFAULT_WINDOW,
    Query,
    TimedLeg,
    check_statistic,
    clock,
    parse_clock,
    parse_depart,
    summarise_times,
)
from commute.search.transit_compile import DAYS, MAX_ROUNDS, TransitEngine, compile_transit

__all__ = [
    "DAYS",
    "DEFAULT_STEP",
    "DEFAULT_WINDOW",
    "MAX_ROUNDS",
    "Query",
    "TimedLeg",
    "TransitEngine",
    "arrivals",
    "check_statistic",
    "clock",
    "compile_transit",
    "distinct_journeys",
    "journey_times",
    "matrix",
    "parse_clock",
    "parse_depart",
    "summarise_times",
]


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


def _access_rows(eng: TransitEngine, origins: Sequence[Endpoint]) -> tuple[np.ndarray, np.ndarray]:
    """Road-only minutes origin -> every access node, and origin -> every station's in node."""
    nodes = [eng.node_of.get(place_node(o.place), -1) for o in origins]
    todo = sorted({x for x in nodes if x >= 0 and ("row", x) not in eng.memo})
    if todo:
        for x, row in zip(todo, choose.many_to_many(eng.access, np.array(todo, dtype=np.int64)), strict=True):
            eng.memo[("row", x)] = row
    n = eng.access.shape[0]
    none = np.full(n, np.inf)
    full = np.vstack([eng.memo[("row", x)] if x >= 0 else none for x in nodes]) if nodes else np.zeros((0, n))
    ins = np.array([eng.in_of[s] for s in eng.stations], dtype=np.int64)
    acc = full[:, ins] if len(ins) else np.zeros((len(origins), 0))
    return full, _at_stops(eng, origins, acc)


def _at_stops(eng: TransitEngine, ends: Sequence[Endpoint], rows: np.ndarray) -> np.ndarray:
    """Rows for stop endpoints (``stop:ID``): zero minutes at the stop itself, no road."""
    stop_of = eng.stop_of
    for i, e in enumerate(ends):
        if e.kind == "stop":
            rows[i] = np.inf
            for s in e.stations:
                if station_node(s) in stop_of:
                    rows[i, stop_of[station_node(s)]] = 0.0
    return rows


def _egress_all(eng: TransitEngine) -> tuple[dict[int, int], np.ndarray]:
    """Minutes from every station's out node to every place (column of each place's access node)."""
    if "egress" not in eng.memo:
        places = sorted(i for n, i in eng.node_of.items() if is_place(n))
        outs = np.array([eng.out_of[s] for s in eng.stations], dtype=np.int64)
        eg = np.full((len(outs), len(places)), np.inf)
        if len(outs) and places:
            eg = choose.many_to_many(eng.access, outs, np.array(places, dtype=np.int64))
        eng.memo["egress"] = ({p: j for j, p in enumerate(places)}, eg)
    return eng.memo["egress"]


def _egress_cols(eng: TransitEngine, dests: Sequence[Endpoint]) -> tuple[np.ndarray, np.ndarray]:
    """Access-graph node of each destination place, and minutes from every station's out node to it."""
    col_of, eg = _egress_all(eng)
    cols = np.array([eng.node_of.get(place_node(d.place), -1) for d in dests], dtype=np.int64)
    out = np.full((len(eng.stations), len(dests)), np.inf)
    for j, c in enumerate(cols):
        if c in col_of:
            out[:, j] = eg[:, col_of[int(c)]]
    return cols, _at_stops(eng, dests, out.T.copy()).T


def arrivals(
    eng: TransitEngine,
    origins: Sequence[Endpoint],
    departures: np.ndarray,
    egress: np.ndarray | None = None,
    road: np.ndarray | None = None,
) -> np.ndarray:
    """Earliest arrival by vehicle at every stop: ``[origin, departure, stop]`` (inf if none).

    With ``egress`` (``[stop, destination]`` minutes) and ``road`` (``[origin, destination]``
    minutes without transit), the search prunes by target: the arrivals are exact only through
    those egress times (see :func:`commute.search.raptor.profile_many`).
    """
    offsets = _source_offsets(eng, origins)
    pairs = []
    for row in offsets:
        s = np.flatnonzero(np.isfinite(row))
        pairs.append((s.astype(np.int64), row[s]))
    targets = None
    if egress is not None:
        rd = np.full((len(origins), egress.shape[1]), np.inf) if road is None else road
        targets = raptor.egress_targets(egress, rd)
    return raptor.profile_many(
        eng.timetable, pairs, np.asarray(departures, dtype=float), max_rounds=MAX_ROUNDS, targets=targets
    )


def _source_offsets(eng: TransitEngine, origins: Sequence[Endpoint]) -> np.ndarray:
    n_st = len(eng.stations)
    if eng.measure is Measure.DOOR_TO_DOOR:
        return _access_rows(eng, origins)[1]
    off = np.full((len(origins), n_st), np.inf)
    stop_of = eng.stop_of
    for i, o in enumerate(origins):
        for s in o.stations:
            j = stop_of.get(station_node(s))
            if j is not None:
                off[i, j] = 0.0
    return off


def journey_times(
    eng: TransitEngine,
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    departures: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Journey minutes ``[departure, destination]`` for each origin (inf where none).

    The departures are ``departures`` if given, else the query's (station to station without
    a window: every departure from the origin's stations during the day).
    """
    deps = eng.query.departures(eng.measure) if departures is None else np.asarray(departures, dtype=float)
    out: list[np.ndarray] = []
    if eng.measure is Measure.DOOR_TO_DOOR:
        assert deps is not None
        full, _ = _access_rows(eng, origins)
        cols, eg = _egress_cols(eng, dests)
        road = np.where(cols[None, :] >= 0, full[:, np.maximum(cols, 0)], np.inf)  # [o, d]
        arr = arrivals(eng, origins, deps, eg, road)  # [o, t, s]
        for i in range(len(origins)):
            best = _min_plus(arr[i], eg) - deps[:, None]  # [t, d]
            out.append(np.minimum(best, road[i][None, :]))
        return out
    stop_of = eng.stop_of
    tgt = [[stop_of[station_node(s)] for s in d.stations if station_node(s) in stop_of] for d in dests]
    for o in origins:
        d_o = deps if deps is not None else _origin_departures(eng, o)
        if len(d_o) == 0:
            out.append(np.full((1, len(dests)), np.inf))
            continue
        at = np.full((len(eng.stations), len(dests)), np.inf)
        for j, t in enumerate(tgt):
            at[t, j] = 0.0
        arr = arrivals(eng, [o], d_o, at)[0]  # [t, s]
        m = np.full((len(d_o), len(dests)), np.inf)
        for j, t in enumerate(tgt):
            if t:
                m[:, j] = arr[:, t].min(axis=1) - d_o
        out.append(m)
    return out


def _min_plus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[t, d] = min_s a[t, s] + b[s, d]`` in chunks (bounded memory)."""
    n_t, n_d = a.shape[0], b.shape[1]
    out = np.full((n_t, n_d), np.inf)
    reach = np.isfinite(b).any(axis=1)
    a, b = a[:, reach], b[reach]
    for lo in range(0, n_t, 64):
        blk = a[lo : lo + 64, :, None] + b[None, :, :]
        out[lo : lo + 64] = blk.min(axis=1) if blk.shape[1] else np.inf
    return out


def _origin_departures(eng: TransitEngine, o: Endpoint) -> np.ndarray:
    """Every departure of a trip from the origin's stations during the day (0:00 to 24:00)."""
    if ("deps",) not in eng.memo:
        by_stop: dict[str, set[float]] = {}
        for t in eng.trips:
            for k, s in enumerate(t.stations[:-1]):
                if t.pickup[k] and 0.0 <= t.dep[k] < 1440.0:
                    by_stop.setdefault(s, set()).add(t.dep[k])
        eng.memo[("deps",)] = by_stop
    by_stop = eng.memo[("deps",)]
    deps: set[float] = set()
    for s in o.stations:
        deps |= by_stop.get(s, set())
    return np.array(sorted(deps), dtype=float)


def matrix(eng: TransitEngine, origins: Sequence[Endpoint], dests: Sequence[Endpoint]) -> np.ndarray:
    """Each pair's statistic over the query's departures (rows origins, columns destinations)."""
    stat = eng.query.stat(eng.measure)
    out = np.full((len(origins), len(dests)), np.nan)
    for i, m in enumerate(journey_times(eng, origins, dests)):
        out[i] = summarise_times(m, stat, axis=0)
        for j, d in enumerate(dests):
            if d.key == origins[i].key:
                out[i, j] = 0.0
    return out


def distinct_journeys(eng: TransitEngine, origins: Sequence[Endpoint], dests: Sequence[Endpoint]) -> np.ndarray:
    """Number of distinct journeys (distinct arrival times) each pair has over the window."""
    deps = eng.query.departures(eng.measure)
    out = np.zeros((len(origins), len(dests)), dtype=np.int64)
    for i, m in enumerate(journey_times(eng, origins, dests)):
        d_i = deps if deps is not None else _origin_departures(eng, origins[i])
        if d_i is None or len(d_i) != m.shape[0]:
            d_i = np.zeros(m.shape[0])
        arr = m + d_i[:, None]
        for j in range(m.shape[1]):
            col = arr[:, j]
            out[i, j] = len(np.unique(np.round(col[np.isfinite(col)], 6)))
    return out
