"""One entry to the searches: the road engine for road-only trips, the departure-time engine otherwise.

``compile_engine`` returns a road :class:`~commute.search.engine.Engine` when only roads are
allowed (times do not depend on the departure), and a
:class:`~commute.search.transit.TransitEngine` as soon as a scheduled mode is; ``matrix``,
``best_trip`` and ``best_trips`` answer for either. Compiled engines are kept in a bounded
cache keyed by the graph's content (:func:`~commute.search.engine.graph_fingerprint`), the
modes, the measure and the transfer time; the query's window and statistic are not part of the
key (an engine answers another query without recompiling).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.places import Endpoint
from commute.search import engine as E
from commute.search import itinerary
from commute.search import transit as T

AnyEngine = E.Engine | T.TransitEngine

_CACHE: OrderedDict[tuple[Any, ...], T.TransitEngine] = OrderedDict()
_CACHE_SIZE = 16


def compile_engine(
    G: nx.MultiDiGraph,
    modes: Iterable[str | Mode] | str | None = None,
    measure: str | Measure | None = None,
    query: T.Query | None = None,
    *,
    fingerprint: str | None = None,
) -> AnyEngine:
    """The engine for a graph, modes, measure and query (cached by content)."""
    mset = parse_modes(modes)
    meas = parse_measure(measure)
    q = query or T.Query()
    if meas is Measure.STATION_TO_STATION and not (mset - {Mode.ROAD}):
        raise InvalidOptionError("station_to_station needs rail or air in the modes; add --modes rail.")
    missing = sorted(m.value for m in mset - {Mode.ROAD} if not _has_mode(G, m.value))
    if missing and mset - {Mode.ROAD} <= {Mode(m) for m in missing}:
        raise InvalidOptionError(
            f"this network has no {', '.join(missing)} services; use modes it has ({', '.join(modes_in(G))})."
        )
    fp = fingerprint or E.graph_fingerprint(G)
    if mset <= {Mode.ROAD}:
        return E.compile_graph(G, mset, meas, fingerprint=fp)
    key = (fp, mset, meas, q.transfer_penalty)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key].with_query(q)
    eng = _from_disk(G, mset, meas, q, fp)
    _CACHE[key] = eng
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return eng


def _from_disk(G: nx.MultiDiGraph, mset: frozenset[Mode], meas: Measure, q: T.Query, fp: str) -> T.TransitEngine:
    """The compiled engine from the on-disk object cache (compiled and saved there if absent)."""
    from dataclasses import replace

    from commute.io import object_cache

    key = f"{fp}|{sorted(m.value for m in mset)}|{meas.value}|{q.transfer_penalty}|{G.graph.get('parameters')!r}"
    eng = object_cache.load("engine", key)
    if isinstance(eng, T.TransitEngine):
        return replace(eng, graph=G, query=q, fingerprint=fp, memo={})
    eng = T.compile_transit(G, mset, meas, q, fingerprint=fp)
    object_cache.save("engine", key, replace(eng, graph=None, memo={}))
    return eng


def _has_mode(G: nx.MultiDiGraph, mode: str) -> bool:
    return any(s["mode"] == mode for s in G.graph["services"].values())


def modes_in(G: nx.MultiDiGraph) -> list[str]:
    """The modes a graph can route on: road if it has road links, and every scheduled mode."""
    out = {s["mode"] for s in G.graph["services"].values()}
    if any(d.get("kind") == "road" for _, _, d in G.edges(data=True)):
        out.add("road")
    return sorted(out)


def matrix(eng: AnyEngine, origins: Sequence[Endpoint], dests: Sequence[Endpoint], **kw: Any) -> np.ndarray:
    """Minutes between endpoints (rows origins, columns destinations), NaN if unreachable."""
    if isinstance(eng, T.TransitEngine):
        out = T.matrix(eng, origins, dests)
        cutoff = kw.get("cutoff")
        if cutoff is not None:
            out = np.where(out <= float(cutoff), out, np.nan)
        return out
    return E.matrix(eng, origins, dests, **kw)


def best_trip(eng: AnyEngine, origin: Endpoint, dest: Endpoint) -> tuple[float, list[E.Leg]]:
    """Minutes and legs of the journey that stands for the pair."""
    if isinstance(eng, T.TransitEngine):
        m, legs = itinerary.best_trip(eng, origin, dest)
        return m, list(legs)
    return E.best_trip(eng, origin, dest)


def best_trips(eng: AnyEngine, origin: Endpoint, dests: Sequence[Endpoint]) -> list[tuple[float, list[E.Leg]]]:
    """:func:`best_trip` to several destinations."""
    if isinstance(eng, T.TransitEngine):
        return [(m, list(legs)) for m, legs in itinerary.best_trips(eng, origin, dests)]
    return E.best_trips(eng, origin, dests)


def clear_cache() -> None:
    """Forget compiled engines (road and transit)."""
    _CACHE.clear()
    E.clear_cache()
