"""Trips with clock times, from the service records of a graph.

Every scheduled service of a graph (``G.graph["services"]``) runs as trips:

- a service with a real timetable (``record["trips"]``: trains of the 2021 national timetable,
  the Beijing–Guangzhou line, a GTFS feed) runs those trips. Where a hop's run time differs
  from the one the trips were recorded with (the ride edge's ``base_run_min``: an upgrade since,
  or a scenario's ``change_service``), every later stop of every trip is shifted by the
  difference. A stop removed from the service (``close_station``) is dropped from its trips
  and the other stops keep their own times, so closing a station never makes a train faster;
- a service given by a headway (modelled lines, planned projects, flights, a scenario's
  ``add_service``) runs from its first to its last departure at its headway, or at the explicit
  ``departures`` a scenario gives. Blank first and last departures default to the middle of the
  first and last headway of the service day (``service_start_min`` + headway / 2 and
  ``service_start_min + service_day_min`` - headway / 2), so that n trains a day are spread
  evenly and the mean wait over the day is half the headway, as in the frequency model.

Times are minutes after midnight of the service day and may exceed 1,440.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from commute.errors import InvalidOptionError
from commute.model.ids import hop_key, station_node
from commute.model.params import Parameters, parameters_of


@dataclass(frozen=True)
class Trip:
    """One run of a service: its stations in order with arrival and departure minutes."""

    trip_id: str
    service: str
    train_no: str
    train_class: str
    mode: str
    source: str
    stations: tuple[str, ...]
    arr: tuple[float, ...]
    dep: tuple[float, ...]
    pickup: tuple[bool, ...]
    dropoff: tuple[bool, ...]


def service_window(params: Parameters | Mapping[str, Any]) -> tuple[float, float]:
    """The service day's start (minutes after midnight) and length from network parameters."""
    p = params if isinstance(params, Parameters) else Parameters.from_mapping(params)
    return p.service_start_min, p.service_day_min


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def departures(record: Mapping[str, Any], params: Parameters | Mapping[str, Any]) -> list[float]:
    """Departure minutes from the first stop of a headway service.

    Examples
    --------
    >>> departures({"headway_min": 360.0}, {"service_start_min": 360, "service_day_min": 1080})
    [540.0, 900.0, 1260.0]
    >>> departures({"headway_min": 60.0, "first_dep_min": 420, "last_dep_min": 540}, {})
    [420.0, 480.0, 540.0]
    """
    explicit = record.get("departures")
    if explicit:
        return sorted(float(x) for x in explicit)
    h = float(record["headway_min"])
    if not h > 0 or not math.isfinite(h):
        raise InvalidOptionError(
            f"service {record.get('name', '?')} has headway {h}; give a positive number of minutes."
        )
    start, day = service_window(params)
    first = start + h / 2.0 if _blank(record.get("first_dep_min")) else float(record["first_dep_min"])
    last = start + day - h / 2.0 if _blank(record.get("last_dep_min")) else float(record["last_dep_min"])
    n = math.floor((last - first) / h + 1e-9) + 1
    return [first + k * h for k in range(max(n, 0))]


def _hops(G: nx.MultiDiGraph, sid: str, stops: list[str]) -> list[dict[str, Any]]:
    out = []
    for i in range(len(stops) - 1):
        e = G.get_edge_data(station_node(stops[i]), station_node(stops[i + 1]), key=hop_key(sid, i + 1))
        if e is None:
            raise InvalidOptionError(f"service {sid} has no hop {stops[i]}->{stops[i + 1]} in the graph.")
        out.append(e)
    return out


def service_trips(G: nx.MultiDiGraph, sid: str) -> list[Trip]:
    """The trips of one service direction as it stands in the graph ``G``."""
    rec = G.graph["services"][sid]
    stops = list(rec["stops"])
    hops = _hops(G, sid, stops)
    mode, cls = str(rec["mode"]), str(rec.get("train_class", ""))
    if rec.get("trips"):
        return [_retimed(sid, rec, t, stops, hops, mode, cls) for t in rec["trips"] if _covers(t, stops)]
    trips = []
    run = [float(h["minutes"]) for h in hops]
    dwell = [0.0] + [float(h.get("dwell_min", 0.0) or 0.0) for h in hops[1:]]
    for k, d0 in enumerate(departures(rec, parameters_of(G))):
        arr, dep = [d0], [d0]
        for i, r in enumerate(run):
            a = dep[-1] + r
            arr.append(a)
            dep.append(a + (dwell[i + 1] if i + 1 < len(run) else 0.0))
        ones = (True,) * len(stops)
        trips.append(
            Trip(f"{sid}@{k + 1}", sid, "", cls, mode, "headway", tuple(stops), tuple(arr), tuple(dep), ones, ones)
        )
    return trips


def _covers(t: Mapping[str, Any], stops: list[str]) -> bool:
    have = set(t.get("stations") or stops)
    return sum(s in have for s in stops) >= 2


def _retimed(
    sid: str,
    rec: Mapping[str, Any],
    t: Mapping[str, Any],
    stops: list[str],
    hops: list[dict[str, Any]],
    mode: str,
    cls: str,
) -> Trip:
    own = list(t.get("stations") or stops)
    pos = {s: i for i, s in enumerate(own)}
    idx = [pos[s] for s in stops if s in pos]
    kept = [s for s in stops if s in pos]
    # cumulative shift from hops whose run time changed since the trips were recorded
    shift_at: dict[str, float] = {stops[0]: 0.0}
    acc = 0.0
    for i, h in enumerate(hops):
        base = h.get("base_run_min")
        if base is not None and not _blank(base):
            acc += float(h["minutes"]) - float(base)
        shift_at[stops[i + 1]] = acc
    arr = [float(t["arr"][j]) + shift_at[s] for j, s in zip(idx, kept, strict=True)]
    dep = [float(t["dep"][j]) + shift_at[s] for j, s in zip(idx, kept, strict=True)]
    n = len(kept)
    arr[0] = dep[0]
    dep[-1] = arr[-1]
    pick = t.get("pickup")
    drop = t.get("dropoff")
    return Trip(
        str(t.get("trip_id", "")),
        sid,
        str(t.get("train_no", "")),
        str(t.get("train_class") or cls),
        mode,
        str(t.get("source", "")),
        tuple(kept),
        tuple(arr),
        tuple(dep),
        tuple(bool(pick[j]) for j in idx) if pick is not None else (True,) * n,
        tuple(bool(drop[j]) for j in idx) if drop is not None else (True,) * n,
    )


def graph_trips(G: nx.MultiDiGraph, modes: frozenset[str] | None = None) -> Iterator[Trip]:
    """Every trip of every service of the graph (of the given modes, by their string values)."""
    for sid, rec in G.graph["services"].items():
        if modes is not None and rec["mode"] not in modes:
            continue
        if not all(G.has_node(station_node(s)) for s in rec["stops"]):
            continue
        yield from service_trips(G, sid)
