"""The real trips of a network's tables, as the graph's service records carry them.

:func:`trips_by_service` reads ``trips.csv`` and ``trip_stops.csv`` once per loaded network
(cached); :func:`trip_records` turns them into the fresh dicts a service record holds
(``G.graph["services"][sid]["trips"]``, see COORDINATION.md and
:func:`commute.model.graph.add_service`).
"""

from __future__ import annotations

import math
from typing import Any

from commute.io.network import Network

TripRow = tuple[str, str, str, str, tuple[float, ...], tuple[float, ...], tuple[bool, ...], tuple[bool, ...]]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def trips_by_service(net: Network) -> dict[str, list[TripRow]]:
    """Per service id, its real trips as ``(trip_id, train_no, class, source, arr, dep, pickup, dropoff)``."""
    key = id(net)
    if key in _CACHE and _CACHE[key][0] is net:
        return _CACHE[key][1]
    out: dict[str, list[TripRow]] = {}
    trips, stops = net.tables.get("trips"), net.tables.get("trip_stops")
    if trips is not None and stops is not None and len(trips):
        st = stops.sort_values(["trip_id", "seq"])
        by_trip: dict[str, list[Any]] = {}
        for tid, arr, dep, pu, do in zip(
            st["trip_id"], st["arrival_min"], st["departure_min"], st["pickup"], st["dropoff"], strict=True
        ):
            by_trip.setdefault(tid, []).append((float(arr), float(dep), _flag(pu), _flag(do)))
        for r in trips.itertuples(index=False):
            rows = by_trip.get(r.trip_id, [])
            out.setdefault(r.service_id, []).append(
                (
                    r.trip_id,
                    r.train_no,
                    r.train_class,
                    r.source,
                    tuple(x[0] for x in rows),
                    tuple(x[1] for x in rows),
                    tuple(x[2] for x in rows),
                    tuple(x[3] for x in rows),
                )
            )
        for v in out.values():
            v.sort(key=lambda x: (x[5][0], x[0]))
    _CACHE.clear()
    _CACHE[key] = (net, out)
    return out


_CACHE: dict[int, tuple[Network, dict[str, list[TripRow]]]] = {}


def _flag(v: Any) -> bool:
    return _blank(v) or str(v).strip() not in ("0", "0.0")


def headway_hours(s: Any) -> tuple[float | None, float | None]:
    """A headway service's first and last departure from services.csv (None: the network default)."""
    first: Any = getattr(s, "first_dep_min", None)
    last: Any = getattr(s, "last_dep_min", None)
    return (None if _blank(first) else float(first), None if _blank(last) else float(last))


def trip_records(rows: list[TripRow]) -> list[dict[str, Any]]:
    """Fresh trip dicts (``trip_id, train_no, train_class, source, arr, dep, pickup, dropoff``)."""
    return [
        {
            "trip_id": t[0],
            "train_no": t[1],
            "train_class": t[2],
            "source": t[3],
            "arr": list(t[4]),
            "dep": list(t[5]),
            "pickup": list(t[6]),
            "dropoff": list(t[7]),
        }
        for t in rows
    ]
