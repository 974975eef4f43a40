"""Travel-time queries by place name: matrices, single trips with their legs, and surfaces.

These are the functions a notebook or the command line calls; they resolve names through the
graph's place index and run the compiled engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd

from commute.errors import InvalidOptionError
from commute.io.network import Network
from commute.model.access import add_access_pair
from commute.model.geo import haversine_km
from commute.model.ids import place_node, station_node
from commute.model.modes import Measure, Mode
from commute.model.params import parameters_of
from commute.model.places import Endpoint, PlaceIndex
from commute.results.air_only import too_close
from commute.results.modes_check import require_modes
from commute.search import api
from commute.search import engine as E
from commute.search import transit as T


@dataclass(frozen=True)
class _ByContent:
    """A network as a cache key: its folder and content version (the object itself not compared)."""

    folder: str
    version: str
    net: Network = field(compare=False, hash=False)


#: Place indexes of the last few networks (by content; an index is read-only once built).
@lru_cache(maxsize=8)
def _index_by_content(key: _ByContent) -> PlaceIndex:
    return PlaceIndex(key.net)


def _index_for(net: Network) -> PlaceIndex:
    return _index_by_content(_ByContent(str(net.folder), net.version, net))


def place_index(G: nx.MultiDiGraph) -> PlaceIndex:
    """The place index of the network a graph was built from, with the stations a scenario added."""
    net = G.graph.get("network_obj")
    if net is None:
        raise InvalidOptionError("this graph has no network attached; build it with commute.build_graph.")
    added = G.graph.get("added_stations")
    if not added:
        return _index_for(net)
    key = tuple(sorted((sid, d["place"], d["city"]) for sid, d in added.items() if G.has_node(station_node(sid))))
    return _with_stations(_ByContent(str(net.folder), net.version, net), key)


@lru_cache(maxsize=32)
def _with_stations(key: _ByContent, added: tuple[tuple[str, str, str], ...]) -> PlaceIndex:
    """A copy of the index whose places and cities also use the stations a scenario added.

    A new station joins its place and city; a place of that city that had no station of its
    own (and so used the city's) gets it too, as the index's rule for such places says.
    """
    import copy
    from dataclasses import replace

    base = _index_for(key.net)
    own = {p for r in key.net.tables["stations"].itertuples(index=False) if (p := r.place_id)}
    idx = copy.copy(base)
    idx.endpoints = dict(base.endpoints)
    for sid, place, city in added:
        for k, ep in idx.endpoints.items():
            joins = (k[0] == "city" and ep.city == city) or (
                k[0] == "place" and (ep.place == place or (ep.city == city and ep.place not in own))
            )
            if joins and sid not in ep.stations:
                idx.endpoints[k] = replace(ep, stations=tuple(sorted((*ep.stations, sid))))
    return idx


def endpoints(G: nx.MultiDiGraph, items: str | Iterable[str] | Iterable[Endpoint]) -> list[Endpoint]:
    """Resolve names, ids, codes or group names (``circle``, ``cluster``, ``major``) to endpoints."""
    if isinstance(items, Endpoint):
        return [items]
    lst = list(items) if not isinstance(items, str) else [items]
    if lst and all(isinstance(x, Endpoint) for x in lst):
        return lst  # type: ignore[return-value]
    idx = place_index(G)
    return idx.resolve_many(",".join(str(x) for x in lst))


def travel_times(
    G: nx.MultiDiGraph,
    origins: str | Iterable[str],
    destinations: str | Iterable[str],
    *,
    modes: str | Iterable[str | Mode] | None = None,
    measure: str | Measure | None = None,
    cutoff: float | None = None,
    depart: str | float | tuple[float, float] | None = None,
    step: float = T.DEFAULT_STEP,
    statistic: str | None = None,
    transfer_penalty: float | None = None,
) -> pd.DataFrame:
    """Minutes between every origin and destination (tidy: one row per pair).

    Parameters
    ----------
    G
        A graph for a year or scenario.
    origins, destinations
        Names, ids, codes or group names; comma-separated strings or lists.
    modes
        ``"road,rail"`` etc. (default all).
    measure
        ``door_to_door`` (default) or ``station_to_station``.
    cutoff
        Stop searching beyond this many minutes (farther pairs are NaN).
    depart
        ``"HH:MM"``, ``"HH:MM-HH:MM"`` (a window), minutes after midnight or a ``(start, end)``
        pair. Default: station to station, every departure of the day; door to door, 07:00–09:00.
    step
        Minutes between the departures of a window (default 1).
    statistic
        ``fastest``, ``median``, ``mean`` or ``pNN`` over the window (default: fastest station
        to station, median door to door over a window, fastest at a single departure time).
    transfer_penalty
        Minutes needed to change trains at a station (default: the network's, per mode).

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, minutes, origin_id, destination_id``; NaN where unreachable.

    Examples
    --------
    >>> import commute
    >>> G = commute.build_graph(commute.load_network(), 2021)
    >>> df = travel_times(G, "武汉", "黄石", modes="rail", measure="station_to_station")
    >>> list(df.columns)[:3]
    ['origin', 'destination', 'minutes']
    """
    require_modes(G, modes)
    eng = api.compile_engine(G, modes, measure, make_query(depart, step, statistic, transfer_penalty))
    o = endpoints(G, origins)
    d = endpoints(G, destinations)
    close = too_close(G, modes, o, d, strict=True)
    m = np.where(close, np.nan, api.matrix(eng, o, d, cutoff=cutoff))
    rows = [(a.name, b.name, m[i, j], a.key, b.key) for i, a in enumerate(o) for j, b in enumerate(d)]
    return pd.DataFrame(rows, columns=["origin", "destination", "minutes", "origin_id", "destination_id"])


def trip(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    modes: str | Iterable[str | Mode] | None = None,
    measure: str | Measure | None = None,
    depart: str | float | tuple[float, float] | None = None,
    step: float = T.DEFAULT_STEP,
    statistic: str | None = None,
    transfer_penalty: float | None = None,
) -> tuple[float, pd.DataFrame]:
    """Minutes and legs (a DataFrame with clock times and train numbers) of a journey.

    With ``depart`` a clock time, the earliest-arriving journey leaving then; over a window,
    the journey that stands for the statistic (see :func:`travel_times`).

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> minutes, legs = trip(graph_for(year=2021), "黄石", "长沙", modes="road,rail")
    >>> legs.columns.tolist()
    ['kind', 'mode', 'train', 'from', 'to', 'depart', 'arrive', 'minutes', 'service']
    >>> bool(abs(legs["minutes"].sum() - minutes) < 0.05 * len(legs))  # legs add up (each rounded to 0.1)
    True
    """
    require_modes(G, modes)
    eng = api.compile_engine(G, modes, measure, make_query(depart, step, statistic, transfer_penalty))
    (o,) = endpoints(G, origin)
    (d,) = endpoints(G, destination)
    too_close(G, modes, [o], [d], strict=True)
    minutes, legs = api.best_trip(eng, o, d)
    return minutes, legs_table(G, legs)


def make_query(
    depart: str | float | tuple[float, float] | None = None,
    step: float = T.DEFAULT_STEP,
    statistic: str | None = None,
    transfer_penalty: float | None = None,
) -> T.Query:
    """A validated :class:`~commute.search.transit.Query` from user values."""
    dep = T.parse_depart(depart) if isinstance(depart, str) else depart
    if not (isinstance(step, int | float) and step > 0 and np.isfinite(step)):
        raise InvalidOptionError(f"step {step!r} is not a positive number of minutes; give e.g. --step 1.")
    if transfer_penalty is not None and not (transfer_penalty >= 0 and np.isfinite(transfer_penalty)):
        raise InvalidOptionError(f"transfer penalty {transfer_penalty!r} must be zero or more minutes.")
    return T.Query(dep, float(step), T.check_statistic(statistic), transfer_penalty)


def legs_table(G: nx.MultiDiGraph, legs: list[E.Leg]) -> pd.DataFrame:
    """Legs as a table: kind, mode, train, from, to, depart, arrive (clock), minutes, service."""
    tab = E.legs_table(G, legs)
    tab.insert(2, "train", [getattr(leg, "train", "") for leg in legs])
    tab.insert(5, "depart", [_clock(getattr(leg, "depart", np.nan)) for leg in legs])
    tab.insert(6, "arrive", [_clock(getattr(leg, "arrive", np.nan)) for leg in legs])
    return tab


def _clock(m: float) -> str:
    return "" if m is None or np.isnan(m) else T.clock(m)


def parse_origin(G: nx.MultiDiGraph, text: str) -> tuple[nx.MultiDiGraph, Endpoint]:
    """An origin from a place name (or id, code) or a point ``lon,lat``.

    A point becomes a temporary place joined by access links to the nearest road junction and
    to the stations within reach, on a copy of the graph.
    """
    t = str(text).strip()
    parts = t.replace("，", ",").split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            lon = lat = None  # type: ignore[assignment]
        if lon is not None and lat is not None:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InvalidOptionError(f"origin {t!r} is outside WGS84 lon,lat ranges; give lon,lat in degrees.")
            return _with_point(G, lon, lat)
    found = endpoints(G, t)
    if len(found) != 1:
        raise InvalidOptionError(
            f"origin {t!r} names {len(found)} places; give one place (repeat --origin for a batch of maps)."
        )
    (ep,) = found
    return G, ep


def _with_point(G: nx.MultiDiGraph, lon: float, lat: float) -> tuple[nx.MultiDiGraph, Endpoint]:
    H = G.copy()
    H.graph["services"] = dict(G.graph["services"])
    pid = f"point_{lon:.5f}_{lat:.5f}"
    node = place_node(pid)
    H.add_node(
        node, kind="place", id=pid, name=f"{lon:.4f},{lat:.4f}", city=None, pop=0, lon=lon, lat=lat, area_km2=None
    )
    acc = parameters_of(G).access
    circ = acc.circuity
    juncs = [(n, d) for n, d in H.nodes(data=True) if d.get("kind") == "junction" and H.out_degree(n) > 0]
    if not juncs:
        raise InvalidOptionError("the network has no road junction to start a point origin from.")
    d = haversine_km(lon, lat, np.array([x["lon"] for _, x in juncs]), np.array([x["lat"] for _, x in juncs]))
    i = int(np.argmin(d))
    if d[i] > 50:
        raise InvalidOptionError(
            f"point {lon},{lat} is {d[i]:.0f} km from the nearest junction of the network; pick a point inside it."
        )
    m = acc.minutes(d[i])
    add_access_pair(H, node, juncs[i][0], m, m, d[i] * circ)
    # stations within reach: reuse the station rule by re-connecting stations to the new place
    for n, dd in list(H.nodes(data=True)):
        if dd.get("kind") == "station":
            rule = acc.mode(dd["mode"])
            ds = float(haversine_km(lon, lat, dd["lon"], dd["lat"]))
            if ds <= rule.other_city_km:
                t = acc.minutes(ds)
                add_access_pair(H, node, n, t + rule.entry_min, t + rule.exit_min, ds * circ)
    ep = Endpoint(pid, f"{lon:.4f},{lat:.4f}", "place", pid, "", (), 0)
    return H, ep


def surface(
    G: nx.MultiDiGraph,
    origin: str | Endpoint,
    *,
    modes: str | Iterable[str | Mode] | None = None,
    measure: str | Measure | None = None,
    cutoff: float | None = None,
    query: T.Query | None = None,
) -> pd.DataFrame:
    """Minutes from one origin to every graph node reached (places, junctions, stations).

    With a scheduled mode, each node's time is the query's statistic over its departures
    (default: the median over 07:00–09:00).

    Returns
    -------
    pandas.DataFrame
        ``node, kind, name, lon, lat, minutes`` for every place, junction and station; a
        station's time is its arrival (exit) time. NaN where not reached within ``cutoff``.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> s = surface(graph_for(year=2021), "武汉", modes="road", cutoff=60)
    >>> float(s.loc[s["name"] == "江汉区", "minutes"].iloc[0])  # Wuhan's centre
    0.0
    >>> bool((s["minutes"].dropna() <= 60).all())
    True
    """
    if isinstance(origin, Endpoint):
        o = origin
    else:
        G, o = parse_origin(G, origin)
    eng = api.compile_engine(G, modes, measure, query)
    if isinstance(eng, T.TransitEngine):
        from commute.search.surface import node_times

        times = node_times(eng, o)
        lim = np.inf if cutoff is None else float(cutoff)
        rows = [
            (n, d.get("kind"), d.get("name", n), d.get("lon"), d.get("lat"), _within(times.get(n, np.nan), lim))
            for n, d in G.nodes(data=True)
        ]
        return pd.DataFrame(rows, columns=["node", "kind", "name", "lon", "lat", "minutes"])
    dist, _ = E.search(eng, E._sources(eng, o), cutoff=cutoff)
    rows = []
    for n, d in G.nodes(data=True):
        kind = d.get("kind")
        if kind == "station":
            i = eng.exit_of.get(n)
        else:
            i = eng.node_of.get(n)
        t = float(dist[i]) if i is not None else np.nan
        if kind == "place" and d.get("id") == o.place and eng.measure is Measure.DOOR_TO_DOOR:
            t = 0.0
        rows.append((n, kind, d.get("name", n), d.get("lon"), d.get("lat"), t))
    return pd.DataFrame(rows, columns=["node", "kind", "name", "lon", "lat", "minutes"])


def _within(t: float, limit: float) -> float:
    return t if t <= limit else float("nan")
