"""Build the networkx model of a network as it stands in a given year.

The graph is what a planner inspects and edits: places, road junctions and stations as nodes;
road links, access links and the hops of rail and air services as edges. Service metadata
(stops in order, headway, class) lives in ``G.graph["services"]``. Nothing here mutates the
network tables; each call returns a new graph.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.io.network import Network
from commute.model.access import AccessContext, add_access_pair, connect_station
from commute.model.geo import STORAGE_CRS
from commute.model.ids import (  # noqa: F401  (re-exported: node ids are built in commute.model.ids)
    REVERSE_SUFFIX,
    hop_key,
    junction_node,
    place_node,
    reverse_service,
    station_node,
)
from commute.model.real_trips import headway_hours, trip_records, trips_by_service


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def check_year(net: Network, year: int | None) -> int:
    """The year to build for (the network's default if None); an error names the valid range."""
    if year is None:
        return int(net.meta.get("default_year", net.base_year))
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"year {year!r} is not a whole number; give a year such as 2026.") from None
    if not net.base_year <= y <= net.last_year:
        raise InvalidOptionError(
            f"year {y} is outside what network {net.name} describes; use a year from {net.base_year} "
            f"to {net.last_year}."
        )
    return y


def projects_open_by(net: Network, year: int) -> frozenset[str]:
    """Ids of the projects whose (actual or expected) opening year is ``year`` or earlier."""
    proj = net.tables["projects"]
    return frozenset(
        r.project_id for r in proj.itertuples(index=False) if not _blank(r.year) and int(float(r.year)) <= year
    )


def build_graph(
    net: Network,
    year: int | None = None,
    *,
    projects: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """The network as it stands in ``year``, with extra projects switched on.

    Parameters
    ----------
    net
        A loaded network.
    year
        The year (``net.meta['default_year']`` if None). Rows opened by then are in; rows
        with no year (planned, uncertain) only come in through ``projects``.
    projects
        Project ids to switch on whatever their year (what a scenario's ``open_project`` does).

    Returns
    -------
    networkx.MultiDiGraph
        With ``G.graph`` holding ``crs``, ``year``, ``network``, ``network_version``,
        ``parameters``, ``services`` and ``projects_on``.

    Examples
    --------
    >>> from commute.io.network import load_network
    >>> G = build_graph(load_network(), 2021)
    >>> G.graph["year"], G.nodes[place_node("jiangxia")]["name"]
    (2021, '江夏区')
    """
    y = check_year(net, year)
    projects_on = frozenset(projects)
    unknown = projects_on - set(net.tables["projects"]["project_id"])
    if unknown:
        raise InvalidOptionError(f"unknown project(s) {', '.join(sorted(unknown))}; see projects.csv for ids.")
    active_projects = projects_on | projects_open_by(net, y)

    def active(row: Any) -> bool:
        p = str(getattr(row, "project", "") or "")
        if p:
            return all(x in active_projects for x in p.split(";") if x)
        return not _blank(row.opened) and int(float(row.opened)) <= y

    G = nx.MultiDiGraph()
    G.graph.update(
        {
            "crs": STORAGE_CRS,
            "year": y,
            "network": net.name,
            "network_version": net.version,
            "parameters": net.params,
            "projects_on": sorted(active_projects),
            "services": {},
            "scenario": None,
            "model": net.model.to_dict(),
            "network_obj": net,
        }
    )

    places = net.tables["places"]
    for p in places.itertuples(index=False):
        G.add_node(
            place_node(p.place_id),
            kind="place",
            id=p.place_id,
            name=p.name_zh,
            city=p.city_id,
            pop=int(p.pop_2020),
            lon=float(p.lon),
            lat=float(p.lat),
            area_km2=None if _blank(p.area_km2) else float(p.area_km2),
        )

    # roads
    links = net.tables["road_links"]
    active_links = links.loc[np.array([active(r) for r in links.itertuples(index=False)], dtype=bool)].copy()
    used_nodes = set(active_links["from_node"]) | set(active_links["to_node"])
    rn = net.tables["road_nodes"]
    for n in rn.itertuples(index=False):
        G.add_node(
            junction_node(n.node_id),
            kind="junction",
            id=n.node_id,
            name=n.name_zh,
            lon=float(n.lon),
            lat=float(n.lat),
            place=n.place_id or None,
        )
    widen = {}
    for u in net.tables["upgrades"].itertuples(index=False):
        if u.kind == "road_widen" and active(u):
            for lid in str(u.target).split(";"):
                widen[lid] = (int(float(u.lanes)), float(u.speed_kmh), u.project)
    for r in active_links.itertuples(index=False):
        lanes, speed = int(r.lanes), float(r.speed_kmh)
        upgraded_by = ""
        if r.link_id in widen:
            lanes, speed, upgraded_by = widen[r.link_id]
        attrs = dict(
            kind="road",
            mode="road",
            link_id=r.link_id,
            name=r.name_zh,
            road_class=r.road_class,
            length_km=float(r.length_km),
            lanes=lanes,
            speed_kmh=speed,
            minutes=60.0 * float(r.length_km) / speed,
            project=r.project or "",
            upgraded_by=upgraded_by,
        )
        G.add_edge(junction_node(r.from_node), junction_node(r.to_node), key=r.link_id, **attrs)
        if str(getattr(r, "oneway", "")).strip().lower() not in ("true", "1", "yes"):
            G.add_edge(junction_node(r.to_node), junction_node(r.from_node), key=r.link_id, **attrs)

    acc = net.params.access
    # place <-> its junction
    for n in rn.itertuples(index=False):
        if n.place_id and n.node_id in used_nodes:
            p = G.nodes[place_node(n.place_id)]
            km = acc.junction_km(p["area_km2"])
            m = 60.0 * km / acc.speed_kmh
            add_access_pair(G, place_node(n.place_id), junction_node(n.node_id), m, m, km)

    # stations
    stations = net.tables["stations"]
    for s in stations.itertuples(index=False):
        if active(s):
            G.add_node(
                station_node(s.station_id),
                kind="station",
                id=s.station_id,
                name=s.name_zh,
                mode=s.mode,
                city=s.city_id or None,
                place=s.place_id or None,
                lon=float(s.lon),
                lat=float(s.lat),
            )
    _add_services(G, net, active)
    ctx = AccessContext(G)
    for sid in [n for n, d in G.nodes(data=True) if d.get("kind") == "station"]:
        connect_station(G, sid, ctx)
    return G


def _add_services(G: nx.MultiDiGraph, net: Network, active: Any) -> None:
    model = net.model
    services = net.tables["services"]
    stops = net.tables["service_stops"]
    by_service: dict[str, list[Any]] = {}
    for r in stops.sort_values(["service_id", "seq"]).itertuples(index=False):
        by_service.setdefault(r.service_id, []).append(r)
    ups = [u for u in net.tables["upgrades"].itertuples(index=False) if u.kind == "rail_speed" and active(u)]
    real = trips_by_service(net)
    for s in services.itertuples(index=False):
        if not active(s):
            continue
        rows = by_service[s.service_id]
        ids = [r.station_id for r in rows]
        if not all(G.has_node(station_node(x)) for x in ids):
            continue  # a station of this service is not open in this year
        hops, base_run = [], []
        for i in range(1, len(rows)):
            a, b = rows[i - 1], rows[i]
            if _blank(b.run_min):
                v = float(b.speed_kmh) if not _blank(b.speed_kmh) else float(s.speed_kmh)
                run = model.minutes(float(b.km), v, s.train_class)
            else:
                run = float(b.run_min)
            base_run.append(run)
            for u in ups:
                if a.line and a.line == u.line == b.line and not _blank(a.line_km) and not _blank(b.line_km):
                    lo, hi = sorted((float(a.line_km), float(b.line_km)))
                    over = max(0.0, min(hi, float(u.to_km)) - max(lo, float(u.from_km)))
                    if over > 0:
                        coef = model.fit_for(s.train_class).a  # the class's own fit (D for C, K, T, Z)
                        run -= coef * 60.0 * over * (1.0 / float(u.old_speed_kmh) - 1.0 / float(u.speed_kmh))
            dwell = 0.0 if i == 1 else (float(a.dwell_min) if not _blank(a.dwell_min) else model.dwell(s.train_class))
            v_hop = (
                float(b.speed_kmh)
                if not _blank(b.speed_kmh)
                else (float(s.speed_kmh) if not _blank(s.speed_kmh) else None)
            )
            hops.append((a.station_id, b.station_id, run, dwell, float(b.km) if not _blank(b.km) else None, v_hop))
        trips = None
        timetable = str(getattr(s, "timetable", "")).strip().lower() == "true"
        if timetable:
            trips = trip_records(real.get(s.service_id, []))
            first, last = (min(t["dep"][0] for t in trips), max(t["dep"][0] for t in trips)) if trips else (None, None)
        else:
            first, last = headway_hours(s)
        add_service(
            G,
            s.service_id,
            name=s.name_zh,
            mode=s.mode,
            train_class=s.train_class,
            headway_min=float(s.headway_min),
            hops=hops,
            project=s.project or "",
            bidirectional=str(s.bidirectional).lower() == "true",
            first_dep_min=first,
            last_dep_min=last,
            trips=trips,
            base_run=base_run,
        )


def add_service(
    G: nx.MultiDiGraph,
    service_id: str,
    *,
    name: str,
    mode: str,
    train_class: str,
    headway_min: float,
    hops: list[tuple[Any, ...]],
    project: str = "",
    bidirectional: bool = True,
    first_dep_min: float | None = None,
    last_dep_min: float | None = None,
    departures: list[float] | None = None,
    trips: list[dict[str, Any]] | None = None,
    base_run: list[float] | None = None,
) -> None:
    """Add a service (and its reverse, if bidirectional) to the graph, in place.

    ``hops`` are ``(from_station, to_station, run_min, dwell_min_at_from, km[, line_speed_kmh])``;
    stations are table ids. The reverse runs the hops backwards with the same run times and dwells.

    The service record ``G.graph["services"][id]`` also gets ``first_dep_min`` and
    ``last_dep_min`` (None: the network's default, see :func:`commute.model.trips.departures`),
    ``departures`` (explicit
    departure minutes or None), ``trips`` (None for a headway service; else the real trips,
    dicts with ``trip_id, train_no, train_class, source, arr, dep, pickup, dropoff`` aligned
    with ``stops``) and ``base_run`` (the per-hop run minutes the trips were recorded with;
    default: the hops' run minutes; each ride edge carries its hop's as ``base_run_min``).
    Real trips run one way: give them with ``bidirectional=False``.
    """
    if trips is not None and bidirectional:
        raise InvalidOptionError(f"service {service_id}: real trips run one way; add each direction on its own.")
    first = None if first_dep_min is None else float(first_dep_min)
    last = None if last_dep_min is None else float(last_dep_min)
    base = [float(h[2]) for h in hops] if base_run is None else [float(x) for x in base_run]
    hops = [tuple(h) + (None,) * (6 - len(h)) for h in hops]
    directions = [(service_id, hops)]
    if bidirectional:
        rev = []
        n = len(hops)
        for j in range(n - 1, -1, -1):
            a, b, run, _dwell, km, v = hops[j]
            dwell_at_b = 0.0 if j == n - 1 else hops[j + 1][3]
            rev.append((b, a, run, dwell_at_b, km, v))
        directions.append((reverse_service(service_id), rev))
    for sid, hs in directions:
        stops = [hs[0][0]] + [h[1] for h in hs]
        base_here = base if sid == service_id else base[::-1]
        G.graph["services"][sid] = {
            "name": name,
            "mode": mode,
            "train_class": train_class,
            "headway_min": float(headway_min),
            "stops": stops,
            "base_id": service_id,
            "project": project,
            "first_dep_min": first,
            "last_dep_min": last,
            "departures": None if departures is None else [float(x) for x in departures],
            "trips": trips,
            "base_run": base_here,
        }
        for i, (a, b, run, dwell, km, v) in enumerate(hs):
            G.add_edge(
                station_node(a),
                station_node(b),
                key=hop_key(sid, i + 1),
                kind="ride",
                mode=mode,
                service=sid,
                seq=i + 1,
                run_min=float(run),
                dwell_min=float(dwell),
                minutes=float(run),
                base_run_min=base_here[i],
                length_km=km,
                speed_kmh=None if v is None or v != v else float(v),
            )
