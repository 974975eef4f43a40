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

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from commute.errors import InvalidOptionError
from commute.model.ids import is_place, place_node, station_node
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.params import Parameters, parameters_of
from commute.model.places import Endpoint
from commute.model.trips import Trip, graph_trips
from commute.search import choose, raptor
from commute.search.engine import Label, Leg

#: Default window of a door-to-door query: the morning peak, 07:00 to 09:00 at 1-minute steps.
DEFAULT_WINDOW = (420.0, 540.0)
DEFAULT_STEP = 1.0
#: Days a timetable is repeated on (today's and tomorrow's trains; yesterday's are added only
#: for the trips that still run after midnight).
DAYS = (0, 1)
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Query:
    """When a journey leaves and how the times of a window are summarised.

    ``depart`` is None (the default for the measure), a minute of the day, or a
    ``(start, end)`` window (inclusive) scanned every ``step`` minutes.
    """

    depart: float | tuple[float, float] | None = None
    step: float = DEFAULT_STEP
    statistic: str | None = None
    transfer_penalty: float | None = None

    def departures(self, measure: Measure) -> np.ndarray | None:
        """Departure minutes of the window (None: every train's departure, station to station)."""
        dep = self.depart
        if dep is None:
            if measure is Measure.STATION_TO_STATION:
                return None
            dep = DEFAULT_WINDOW
        if isinstance(dep, tuple):
            a, b = float(dep[0]), float(dep[1])
            n = math.floor((b - a) / self.step + 1e-9) + 1
            return a + self.step * np.arange(n, dtype=float)
        return np.array([float(dep)])

    def stat(self, measure: Measure) -> str:
        """The statistic, with the measure's default."""
        if self.statistic:
            return self.statistic
        if self.depart is None:
            return "fastest" if measure is Measure.STATION_TO_STATION else "median"
        return "median" if isinstance(self.depart, tuple) else "fastest"


def parse_clock(text: str) -> float:
    """Minutes after midnight from ``HH:MM`` (hours may exceed 23 for the next day)."""
    t = str(text).strip()
    try:
        h, m = t.split(":")
        hh, mm = int(h), int(m)
    except ValueError:
        raise InvalidOptionError(f"time {t!r} is not HH:MM; give a clock time such as 08:00.") from None
    if hh < 0 or not 0 <= mm < 60 or hh > 47:
        raise InvalidOptionError(f"time {t!r} is out of range; give HH:MM with hours 0-47 and minutes 0-59.")
    return float(60 * hh + mm)


def parse_depart(text: str | None) -> float | tuple[float, float] | None:
    """``HH:MM`` or ``HH:MM-HH:MM`` to minutes; a window that ends before it starts is an error."""
    if text is None or str(text).strip() == "":
        return None
    t = str(text).strip()
    if "-" in t:
        a, b = (parse_clock(x) for x in t.split("-", 1))
        if b < a:
            raise InvalidOptionError(f"window {t!r} ends before it starts; give START-END with END later.")
        return (a, b)
    return parse_clock(t)


def check_statistic(stat: str | None) -> str | None:
    """Validate a statistic name: fastest, median, mean or pNN (0 < NN <= 100)."""
    if stat is None:
        return None
    s = str(stat).strip().lower()
    if s in ("fastest", "median", "mean"):
        return s
    if s.startswith("p"):
        try:
            q = float(s[1:])
        except ValueError:
            q = -1.0
        if 0 <= q <= 100:
            return s
    raise InvalidOptionError(f"unknown statistic {stat!r}; use fastest, median, mean or pNN such as p85.")


def summarise_times(times: np.ndarray, stat: str, axis: int = 0) -> np.ndarray:
    """Reduce journey minutes over departures (``axis``) by a statistic; inf becomes NaN.

    Examples
    --------
    >>> summarise_times(np.array([10.0, 20.0, 30.0, np.inf]), "median").item()
    25.0
    >>> summarise_times(np.array([10.0, np.inf]), "p50").item()
    nan
    """
    x = np.where(np.isnan(times), np.inf, times)
    if stat == "fastest":
        out = np.min(x, axis=axis)
    elif stat == "mean":
        with np.errstate(invalid="ignore"):
            out = np.mean(x, axis=axis)
    elif stat == "median":
        out = _percentile(x, 50.0, axis)
    else:
        out = _percentile(x, float(stat[1:]), axis)
    return np.where(np.isfinite(out), out, np.nan)


def _percentile(x: np.ndarray, q: float, axis: int) -> np.ndarray:
    big = np.where(np.isinf(x), 1e12, x)
    out = np.percentile(big, q, axis=axis)
    return np.where(out >= 1e11, np.inf, out)


@dataclass(frozen=True)
class TimedLeg(Leg):
    """A leg with clock times (minutes after midnight) and, for a ride, the train number."""

    depart: float = float("nan")
    arrive: float = float("nan")
    train: str = ""

    def describe(self, G: nx.MultiDiGraph) -> str:
        """A short human-readable description with clock times."""
        text = super().describe(G)
        if self.kind == "ride" and self.train:
            text = text.replace(f"{self.mode} ", f"{self.mode} {self.train} ", 1)
        if not math.isnan(self.depart):
            text += f" {clock(self.depart)}–{clock(self.arrive)}"
        return text


def clock(minutes: float) -> str:
    """``HH:MM`` of minutes after midnight (``+1`` for the next day, ``-1`` for the day before).

    Examples
    --------
    >>> clock(1505.0), clock(-30.0)
    ('01:05+1', '23:30-1')
    """
    m = round(minutes)
    day, rest = divmod(m, 1440)
    s = f"{rest // 60:02d}:{rest % 60:02d}"
    return s if day == 0 else f"{s}{day:+d}"


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
    trips = tuple(
        t for t in graph_trips(G, frozenset(scheduled)) if all(station_node(s) in stop_set for s in t.stations)
    )
    return _finish(G, mset, meas, q, edges, node_of, in_of, out_of, tuple(stations), trips, fingerprint)


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
    fingerprint: str,
) -> TransitEngine:
    access = _access_matrix(edges, len(node_of) + len(in_of) + len(out_of))
    stop_of = {s: i for i, s in enumerate(stations)}
    specs = [
        raptor.TripSpec(
            np.array([stop_of[station_node(s)] for s in t.stations], dtype=np.int64),
            np.asarray(t.arr, dtype=float),
            np.asarray(t.dep, dtype=float),
            np.asarray(t.pickup, dtype=bool),
            np.asarray(t.dropoff, dtype=bool),
            k,
        )
        for k, t in enumerate(trips)
    ]
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
    tt = raptor.build_timetable(
        specs + yesterday, len(stations), transfers=footpaths, min_transfer=min_transfer, repeat_days=DAYS
    )
    return TransitEngine(
        modes, measure, query, access, node_of, in_of, out_of, stations, trips, tt, edges, G, fingerprint
    )


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


def arrivals(eng: TransitEngine, origins: Sequence[Endpoint], departures: np.ndarray) -> np.ndarray:
    """Earliest arrival by vehicle at every stop: ``[origin, departure, stop]`` (inf if none)."""
    offsets = _source_offsets(eng, origins)
    pairs = []
    for row in offsets:
        s = np.flatnonzero(np.isfinite(row))
        pairs.append((s.astype(np.int64), row[s]))
    return raptor.profile_many(eng.timetable, pairs, np.asarray(departures, dtype=float), max_rounds=MAX_ROUNDS)


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
        arr = arrivals(eng, origins, deps)  # [o, t, s]
        for i in range(len(origins)):
            best = _min_plus(arr[i], eg) - deps[:, None]  # [t, d]
            road = np.where(cols >= 0, full[i, np.maximum(cols, 0)], np.inf)
            out.append(np.minimum(best, road[None, :]))
        return out
    stop_of = eng.stop_of
    tgt = [[stop_of[station_node(s)] for s in d.stations if station_node(s) in stop_of] for d in dests]
    for o in origins:
        d_o = deps if deps is not None else _origin_departures(eng, o)
        if len(d_o) == 0:
            out.append(np.full((1, len(dests)), np.inf))
            continue
        arr = arrivals(eng, [o], d_o)[0]  # [t, s]
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
