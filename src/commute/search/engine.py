"""The travel-time engine: compile a graph into a sparse matrix and search it.

Compiling expands the planner's graph into a search graph in which waiting and transfers
are explicit (a frequency-based transit model):

- every station has a *hub* (in the station, before boarding) and an *exit* node;
- every stop of every service direction has a *route* node;
- boarding (hub -> route) costs half the headway; riding (route -> next route) costs the run
  time plus the dwell at the stop it leaves; alighting to the exit costs nothing, alighting to
  the hub (to transfer) costs the mode's transfer penalty;
- access links enter a station at its hub and leave it from its exit, so a station is never a
  shortcut between two access links;
- interchange links (a change of station within a city, e.g. 武汉 to 汉口) leave one station's
  exit for another's hub; they count in both measures, as a timetable journey includes them.

``door_to_door`` searches from a place node to place nodes. ``station_to_station`` starts on
board at the origin's stations (no first wait, no access) and ends on alighting at the
destination's stations; waits and penalties of transfers are still counted.

Searches use :func:`scipy.sparse.csgraph.dijkstra` (compiled, exact). Unreachable is NaN.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from commute.errors import InvalidOptionError
from commute.model.ids import hop_key, place_node, station_node
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.params import parameters_of
from commute.model.places import Endpoint
from commute.search import choose

#: Edge kinds in the search graph.
KINDS = ("road", "access", "interchange", "board", "ride", "alight", "transfer")


@dataclass(frozen=True)
class Label:
    """What a search-graph edge stands for (to report the legs of a trip)."""

    kind: str
    mode: str
    service: str
    u: str  # graph node it leaves (station for board/ride/alight)
    v: str  # graph node it reaches
    key: str = ""  # the graph edge key (a road link id), where there is one


@dataclass(frozen=True)
class Engine:
    """A compiled search graph for one set of modes and one measure."""

    matrix: sp.csr_matrix = field(repr=False)
    modes: frozenset[Mode]
    measure: Measure
    node_of: dict[str, int] = field(repr=False)  # graph node -> search node (stations: hub)
    exit_of: dict[str, int] = field(repr=False)  # station graph node -> exit search node
    boards_of: dict[str, list[int]] = field(repr=False)  # station graph node -> its route nodes
    names: list[str] = field(repr=False)  # search node -> description
    label_of: dict[tuple[int, int], Label] = field(repr=False)
    fingerprint: str = ""
    edges_u: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    edges_v: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    edges_w: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    labels: tuple[Label, ...] = field(default=(), repr=False)

    def without(self, drop: Callable[[Label], bool]) -> Engine:
        """A patched engine with the edges whose label satisfies ``drop`` removed.

        Parallel edges are kept apart in the engine, so removing the cheapest of two
        parallel links falls back to the other. The graph is not touched; this is how a
        closure is tested without rebuilding anything.
        """
        keep = np.fromiter((not drop(lab) for lab in self.labels), dtype=bool, count=len(self.labels))
        matrix, label_of = _assemble(
            self.edges_u[keep],
            self.edges_v[keep],
            self.edges_w[keep],
            [lab for lab, k in zip(self.labels, keep, strict=True) if k],
            self.n,
        )
        return replace(
            self,
            matrix=matrix,
            label_of=label_of,
            fingerprint=self.fingerprint + "-patched",
            edges_u=self.edges_u[keep],
            edges_v=self.edges_v[keep],
            edges_w=self.edges_w[keep],
            labels=tuple(lab for lab, k in zip(self.labels, keep, strict=True) if k),
        )

    @property
    def n(self) -> int:
        """Number of search nodes."""
        return int(self.matrix.shape[0])


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


_CACHE: OrderedDict[tuple[str, frozenset[Mode], Measure], Engine] = OrderedDict()
_CACHE_SIZE = 16


def compile_graph(
    G: nx.MultiDiGraph,
    modes: Iterable[str | Mode] | str | None = None,
    measure: str | Measure | None = None,
    *,
    fingerprint: str | None = None,
) -> Engine:
    """Compile (or fetch from the cache, keyed by the graph's content) the search graph.

    Parameters
    ----------
    G
        A graph from :func:`commute.model.graph.build_graph` (or a scenario of it).
    modes
        Modes to allow (default: all).
    measure
        ``door_to_door`` (default) or ``station_to_station``.
    fingerprint
        The graph's :func:`graph_fingerprint`, if the caller has it already.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> G = graph_for(year=2021)
    >>> eng = compile_graph(G, "road")
    >>> eng.measure.value, sorted(m.value for m in eng.modes)
    ('door_to_door', ['road'])
    >>> compile_graph(G, "road") is eng  # cached by the graph's content
    True
    """
    mset = parse_modes(modes)
    meas = parse_measure(measure)
    if meas is Measure.STATION_TO_STATION and not (mset & {Mode.RAIL, Mode.AIR, Mode.BUS}):
        raise InvalidOptionError("station_to_station needs rail or air in the modes; add --modes rail.")
    fp = fingerprint or graph_fingerprint(G)
    key = (fp, mset, meas)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    eng = _compile(G, mset, meas, fp)
    _CACHE[key] = eng
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return eng


def _compile(G: nx.MultiDiGraph, modes: frozenset[Mode], measure: Measure, fp: str) -> Engine:
    names: list[str] = []
    node_of: dict[str, int] = {}
    exit_of: dict[str, int] = {}
    allowed = {m.value for m in modes}

    def new(name: str) -> int:
        names.append(name)
        return len(names) - 1

    station_ok = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == "station":
            ok = d.get("mode") in allowed
            station_ok[n] = ok
            if ok:
                node_of[n] = new(n)
                exit_of[n] = new(n + "|exit")
        else:
            node_of[n] = new(n)

    us: list[int] = []
    vs: list[int] = []
    ws: list[float] = []
    labels: list[Label] = []

    def edge(u: int, v: int, w: float, lab: Label) -> None:
        us.append(u)
        vs.append(v)
        ws.append(w)
        labels.append(lab)

    door = measure is Measure.DOOR_TO_DOOR
    for u, v, d in G.edges(data=True):
        kind = d.get("kind")
        if kind == "road":
            if "road" in allowed:
                edge(
                    node_of[u],
                    node_of[v],
                    float(d["minutes"]),
                    Label("road", "road", d.get("name", ""), u, v, str(d.get("link_id", ""))),
                )
        elif kind == "access":
            if not door:
                continue
            u_st = u in station_ok
            v_st = v in station_ok
            if (u_st and not station_ok[u]) or (v_st and not station_ok[v]):
                continue
            a = exit_of[u] if u_st else node_of[u]
            b = node_of[v]  # a station's node_of is its hub
            edge(a, b, float(d["minutes"]), Label("access", "access", "", u, v))

        elif kind == "interchange":  # change of station within a city: exit of one, hub of the other
            if station_ok.get(u) and station_ok.get(v):
                edge(exit_of[u], node_of[v], float(d["minutes"]), Label("interchange", "access", "", u, v))

    params = parameters_of(G)
    boards_of: dict[str, list[int]] = {}
    for sid, svc in G.graph["services"].items():
        if svc["mode"] not in allowed:
            continue
        stops = svc["stops"]
        if not all(station_ok.get(station_node(s), False) for s in stops):
            continue
        wait = svc["headway_min"] / 2.0
        pen = params.transfer_penalty(svc["mode"])
        route = [new(f"{sid}@{i}") for i in range(len(stops))]
        for i, s in enumerate(stops):
            st = station_node(s)
            if i < len(stops) - 1:
                edge(node_of[st], route[i], wait, Label("board", svc["mode"], sid, st, st))
                boards_of.setdefault(st, []).append(route[i])
            if i > 0:
                edge(route[i], exit_of[st], 0.0, Label("alight", svc["mode"], sid, st, st))
                edge(route[i], node_of[st], pen, Label("transfer", svc["mode"], sid, st, st))
        for i in range(len(stops) - 1):
            sa, sb = station_node(stops[i]), station_node(stops[i + 1])
            e = G.get_edge_data(sa, sb, key=hop_key(sid, i + 1))
            if e is None:
                raise InvalidOptionError(f"service {sid} has no hop {stops[i]}->{stops[i + 1]} in the graph.")
            edge(
                route[i],
                route[i + 1],
                float(e["minutes"]) + float(e.get("dwell_min", 0.0)),
                Label("ride", svc["mode"], sid, sa, sb),
            )

    n = len(names)
    u_arr = np.asarray(us, dtype=np.int64)
    v_arr = np.asarray(vs, dtype=np.int64)
    w_arr = np.asarray(ws, dtype=float)
    if len(w_arr) and (not np.all(np.isfinite(w_arr)) or w_arr.min() < 0):
        bad = int(np.argmin(np.where(np.isfinite(w_arr), w_arr, -np.inf)))
        raise InvalidOptionError(f"edge {labels[bad]} has a negative or non-finite time; fix its data.")
    matrix, label_of = _assemble(u_arr, v_arr, w_arr, labels, n)
    return Engine(
        matrix, modes, measure, node_of, exit_of, boards_of, names, label_of, fp, u_arr, v_arr, w_arr, tuple(labels)
    )


def _assemble(
    u_arr: np.ndarray, v_arr: np.ndarray, w_arr: np.ndarray, labels: Sequence[Label], n: int
) -> tuple[sp.csr_matrix, dict[tuple[int, int], Label]]:
    """CSR matrix keeping the cheapest of parallel edges (csr would add them up), and its labels."""
    order = np.lexsort((w_arr, v_arr, u_arr))
    u_s, v_s = u_arr[order], v_arr[order]
    first = np.ones(len(order), dtype=bool)
    if len(order):
        first[1:] = (u_s[1:] != u_s[:-1]) | (v_s[1:] != v_s[:-1])
    keep = order[first]
    matrix = sp.csr_matrix((w_arr[keep], (u_arr[keep], v_arr[keep])), shape=(n, n))
    matrix.sort_indices()
    label_of = {(int(u_arr[i]), int(v_arr[i])): labels[i] for i in keep}
    return matrix, label_of


# ---------------------------------------------------------------------------------------------
# Searches
# ---------------------------------------------------------------------------------------------


def _sources(eng: Engine, origin: Endpoint) -> list[int]:
    """Search nodes a trip from this endpoint starts at."""
    if eng.measure is Measure.DOOR_TO_DOOR:
        node = place_node(origin.place)
        return [eng.node_of[node]] if node in eng.node_of else []
    out: list[int] = []
    for s in origin.stations:
        out.extend(eng.boards_of.get(station_node(s), []))
    return out


def _targets(eng: Engine, dest: Endpoint) -> list[int]:
    """Search nodes a trip to this endpoint may end at."""
    if eng.measure is Measure.DOOR_TO_DOOR:
        node = place_node(dest.place)
        return [eng.node_of[node]] if node in eng.node_of else []
    return [eng.exit_of[station_node(s)] for s in dest.stations if station_node(s) in eng.exit_of]


def search(
    eng: Engine,
    sources: Sequence[int],
    *,
    cutoff: float | None = None,
    predecessors: bool = False,
    method: str = "auto",
) -> tuple[np.ndarray, np.ndarray | None]:
    """One-to-all times from a set of sources (multi-source, the best of them), NaN if unreachable.

    ``method`` picks the search (:mod:`commute.search.choose`); legs (``predecessors``) always
    come from a Dijkstra.
    """
    if not sources:
        dist = np.full(eng.n, np.nan)
        return dist, (np.full(eng.n, -9999, dtype=np.int32) if predecessors else None)
    limit = np.inf if cutoff is None else float(cutoff)
    if not predecessors and method != "dijkstra":
        if choose.resolve(method, eng.matrix, len(sources), cutoff, False) == "hierarchy":
            dist = choose.one_to_all(eng.matrix, np.asarray(sources), limit=limit, method="hierarchy")
            return np.where(np.isinf(dist), np.nan, dist), None
    if predecessors:
        dist, pred, _ = dijkstra(
            eng.matrix, directed=True, indices=list(sources), min_only=True, limit=limit, return_predecessors=True
        )
    else:
        dist = dijkstra(eng.matrix, directed=True, indices=list(sources), min_only=True, limit=limit)
        pred = None
    dist = np.where(np.isinf(dist), np.nan, dist)
    return dist, pred


def times_from(eng: Engine, origin: Endpoint, dests: Sequence[Endpoint], *, cutoff: float | None = None) -> np.ndarray:
    """Minutes from one endpoint to each destination endpoint (NaN if unreachable)."""
    dist, _ = search(eng, _sources(eng, origin), cutoff=cutoff)
    out = np.full(len(dests), np.nan)
    for j, d in enumerate(dests):
        if d.key == origin.key:
            out[j] = 0.0
            continue
        t = [dist[i] for i in _targets(eng, d)]
        t = [x for x in t if not np.isnan(x)]
        if t:
            out[j] = min(t)
    return out


def matrix(
    eng: Engine,
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    *,
    cutoff: float | None = None,
    method: str = "auto",
) -> np.ndarray:
    """Many-to-many minutes (rows: origins, columns: destinations), NaN if unreachable.

    ``method`` picks the search for door-to-door matrices (:mod:`commute.search.choose`).
    """
    if eng.measure is Measure.DOOR_TO_DOOR:
        src = [_sources(eng, o) for o in origins]
        flat = sorted({s for ss in src for s in ss})
        out = np.full((len(origins), len(dests)), np.nan)
        if not flat:
            return out
        limit = np.inf if cutoff is None else float(cutoff)
        tgt = [_targets(eng, x) for x in dests]
        cols = sorted({t[0] for t in tgt if t})
        col_of = {t: j for j, t in enumerate(cols)}
        d = choose.many_to_many(
            eng.matrix, np.asarray(flat), np.asarray(cols, dtype=np.int64), limit=limit, method=method
        )
        d = np.where(np.isinf(d), np.nan, d)
        row_of = {s: i for i, s in enumerate(flat)}
        for i, o in enumerate(origins):
            if not src[i]:
                continue
            r = d[row_of[src[i][0]]]
            for j, x in enumerate(dests):
                if x.key == o.key:
                    out[i, j] = 0.0
                elif tgt[j]:
                    out[i, j] = r[col_of[tgt[j][0]]]
        return out
    return (
        np.vstack([times_from(eng, o, dests, cutoff=cutoff) for o in origins]) if origins else np.zeros((0, len(dests)))
    )


# ---------------------------------------------------------------------------------------------
# Legs of the best trip
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    """One leg of a trip: access, road, wait, ride, transfer or egress."""

    kind: str
    mode: str
    from_node: str
    to_node: str
    minutes: float
    service: str = ""

    def describe(self, G: nx.MultiDiGraph) -> str:
        """A short human-readable description."""
        a = G.nodes[self.from_node].get("name", self.from_node) if self.from_node in G else self.from_node
        b = G.nodes[self.to_node].get("name", self.to_node) if self.to_node in G else self.to_node
        if self.kind == "ride":
            name = G.graph["services"].get(self.service, {}).get("name", self.service)
            return f"{self.mode} {a}→{b} ({name}) {self.minutes:.0f} min"
        if self.kind == "wait":
            return f"wait at {a} {self.minutes:.0f} min"
        if self.kind == "transfer":
            return f"transfer at {a} {self.minutes:.0f} min"
        if self.kind == "road":
            return f"road {a}→{b} via {self.service} {self.minutes:.0f} min"
        return f"{self.kind} {a}→{b} {self.minutes:.0f} min"


def best_trip(eng: Engine, origin: Endpoint, dest: Endpoint) -> tuple[float, list[Leg]]:
    """Minutes and legs of the best trip between two endpoints; (nan, []) if unreachable."""
    return best_trips(eng, origin, [dest])[0]


def best_trips(eng: Engine, origin: Endpoint, dests: Sequence[Endpoint]) -> list[tuple[float, list[Leg]]]:
    """Minutes and legs of the best trips from one endpoint to several (one search)."""
    src = _sources(eng, origin)
    dist, pred = search(eng, src, predecessors=True)
    assert pred is not None
    return [(0.0, []) if origin.key == d.key else _trip_from_tree(eng, src, dist, pred, d) for d in dests]


def _trip_from_tree(
    eng: Engine, src: list[int], dist: np.ndarray, pred: np.ndarray, dest: Endpoint
) -> tuple[float, list[Leg]]:
    tg = [(dist[t], t) for t in _targets(eng, dest) if not np.isnan(dist[t])]
    if not tg:
        return float("nan"), []
    total, t = min(tg)
    path = [t]
    srcset = set(src)
    while path[-1] not in srcset:
        p = int(pred[path[-1]])
        if p < 0:
            break
        path.append(p)
    path.reverse()
    raw: list[tuple[Label, float]] = []
    for a, b in zip(path, path[1:], strict=False):
        raw.append((eng.label_of[(a, b)], float(eng.matrix[a, b])))
    return float(total), _merge_legs(raw)


def _merge_legs(raw: list[tuple[Label, float]]) -> list[Leg]:
    legs: list[Leg] = []
    for lab, w in raw:
        if lab.kind == "alight":
            continue
        if lab.kind == "board":
            legs.append(Leg("wait", lab.mode, lab.u, lab.v, w, lab.service))
            continue
        if lab.kind == "transfer":
            legs.append(Leg("transfer", lab.mode, lab.u, lab.v, w, lab.service))
            continue
        if (
            legs
            and legs[-1].kind == lab.kind
            and ((lab.kind == "ride" and legs[-1].service == lab.service) or lab.kind == "road")
        ):
            last = legs[-1]
            service = last.service
            if lab.kind == "road" and lab.service and lab.service not in service.split(" / "):
                service = f"{service} / {lab.service}" if service else lab.service
            legs[-1] = Leg(last.kind, last.mode, last.from_node, lab.v, last.minutes + w, service)
            continue
        legs.append(Leg(lab.kind, lab.mode, lab.u, lab.v, w, lab.service))
    return legs


def legs_table(G: nx.MultiDiGraph, legs: list[Leg]) -> pd.DataFrame:
    """Legs as a DataFrame with readable names."""
    return pd.DataFrame(
        [
            {
                "kind": leg.kind,
                "mode": leg.mode,
                "from": G.nodes[leg.from_node].get("name", leg.from_node),
                "to": G.nodes[leg.to_node].get("name", leg.to_node),
                "minutes": round(leg.minutes, 1),
                "service": G.graph["services"].get(leg.service, {}).get("name", leg.service)
                if leg.kind != "road"
                else leg.service,
            }
            for leg in legs
        ]
    )


def clear_cache() -> None:
    """Forget compiled engines (and the hierarchies built for them)."""
    _CACHE.clear()
    choose.ch.clear_cache()
