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

from collections import OrderedDict
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from commute.errors import InvalidOptionError
from commute.model.ids import place_node, station_node
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.places import Endpoint
from commute.search import choose
from commute.search.engine_compile import Engine, compile_search_graph
from commute.search.fingerprint import graph_fingerprint
from commute.search.legs import KINDS, Label, Leg, legs_table, merge_legs

__all__ = [
    "KINDS",
    "Engine",
    "Label",
    "Leg",
    "best_trip",
    "best_trips",
    "clear_cache",
    "compile_graph",
    "graph_fingerprint",
    "legs_table",
    "matrix",
    "search",
    "times_from",
]


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
    eng = compile_search_graph(G, mset, meas, fp)
    _CACHE[key] = eng
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return eng


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
    return float(total), merge_legs(raw)


def clear_cache() -> None:
    """Forget compiled engines (and the hierarchies built for them)."""
    _CACHE.clear()
    choose.ch.clear_cache()
