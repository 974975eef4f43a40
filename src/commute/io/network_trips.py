"""Validation of a network's real-timetable tables: ``trips``, ``trip_stops``, ``transfers``.

Called by :func:`commute.io.network.validate_network`; adds every problem (file, line, the
train) to the shared :class:`~commute.errors.Problems` collector, which raises once at the end.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from commute.errors import Problems


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _num(v: Any) -> float | None:
    if _blank(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def validate_trip_tables(net: Any, probs: Problems, known: dict[str, set[str]]) -> None:
    """Check trips, trip_stops, transfers and the services' time columns of ``net``.

    Problems: a trip of an unknown service, a trip stop of an unknown trip or station, times
    going backwards inside a trip, a negative dwell, a trip with one stop, a trip whose
    stations differ from its service's stops, a timetable service without trips, first/last
    departures that are not minutes, a transfer between unknown stations or with a negative time.
    """
    t = net.tables

    def file(name: str) -> str:
        return str(net.folder / f"{name}.csv")

    services = t["services"]
    for col in ("first_dep_min", "last_dep_min"):
        if col not in services.columns:
            continue
        for i, v in enumerate(services[col].tolist()):
            if not _blank(v) and (_num(v) is None or not 0 <= float(v) <= 2880):
                probs.add(
                    file("services"),
                    i + 2,
                    f"{col} {v!r} is not minutes after midnight",
                    "give 0-2880 or leave empty for the network's service hours",
                )

    if "trips" not in t and "trip_stops" not in t:
        _check_transfers(net, probs, known, file)
        if "timetable" in services.columns:
            for i, (sid, v) in enumerate(zip(services["service_id"], services["timetable"], strict=True)):
                if str(v).strip().lower() == "true":
                    probs.add(
                        file("services"), i + 2, f"timetable service {sid!r} has no trips", "add trips.csv or set false"
                    )
        return
    for name in ("trips", "trip_stops"):
        if name not in t:
            probs.add(file(name), 0, f"{name}.csv is missing but the other trip table is there", "give both tables")
            return
    from commute.io.network import OPTIONAL_TABLES

    for name in ("trips", "trip_stops"):
        missing = [c for c in OPTIONAL_TABLES[name] if c not in t[name].columns]
        if missing:
            probs.add(file(name), 1, f"missing column(s) {', '.join(missing)}", "add the column to the header")
            return

    trips = t["trips"]
    train_of: dict[str, str] = {}
    service_of: dict[str, str] = {}
    for i, r in enumerate(trips.to_dict("records")):
        line, tid = i + 2, r["trip_id"]
        train = r["train_no"] if not _blank(r["train_no"]) else tid
        if _blank(tid):
            probs.add(file("trips"), line, f"train {train}: empty trip_id", "give every trip an id")
            continue
        if tid in train_of:
            probs.add(file("trips"), line, f"train {train}: duplicate trip_id {tid!r}", "make trip ids unique")
            continue
        train_of[tid] = str(train)
        service_of[tid] = r["service_id"]
        if r["service_id"] not in known["services"]:
            probs.add(
                file("trips"),
                line,
                f"train {train}: unknown service_id {r['service_id']!r}",
                "use an id from services.csv",
            )
        if _blank(r.get("source")):
            probs.add(file("trips"), line, f"train {train}: row has no source", "name the timetable it came from")

    pattern: dict[str, list[str]] = defaultdict(list)
    for r in t["service_stops"].sort_values(["service_id", "seq"]).itertuples(index=False):
        pattern[r.service_id].append(r.station_id)

    stops = t["trip_stops"].reset_index(drop=True)
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for i, r in enumerate(stops.to_dict("records")):
        rows[r["trip_id"]].append((i + 2, r))
    ts = file("trip_stops")
    for tid, items in rows.items():
        if tid not in train_of:
            probs.add(ts, items[0][0], f"trip {tid!r} is not in trips.csv", "add the trip or remove its stops")
            continue
        train = train_of[tid]
        items.sort(key=lambda x: float(x[1]["seq"]) if _num(x[1]["seq"]) is not None else 0.0)
        last = -np.inf
        bad = False
        for line, r in items:
            where = f"train {train} (trip {tid}), stop {r['seq']}"
            if r["station_id"] not in known["stations"]:
                probs.add(ts, line, f"{where}: unknown station {r['station_id']!r}", "use an id from stations.csv")
                bad = True  # then the pattern check would only repeat it
            arr, dep = _num(r["arrival_min"]), _num(r["departure_min"])
            if arr is None or dep is None:
                probs.add(ts, line, f"{where}: arrival_min or departure_min is not a number", "give minutes")
                bad = True
                continue
            if dep < arr:
                probs.add(
                    ts, line, f"{where}: negative dwell (departs {dep:g} before it arrives {arr:g})", "fix the times"
                )
            if arr < last:
                probs.add(
                    ts,
                    line,
                    f"{where}: times go backwards (arrives {arr:g} before the previous departure {last:g})",
                    "fix the times; after midnight they continue above 1440",
                )
            last = max(last, dep)
            for col in ("pickup", "dropoff"):
                v = r.get(col)
                if not _blank(v) and str(v).strip() not in ("0", "1", "0.0", "1.0"):
                    probs.add(ts, line, f"{where}: {col} {v!r} is not 0 or 1", "give 1, 0 or leave empty")
        if len(items) < 2:
            probs.add(ts, items[0][0], f"train {train} (trip {tid}) has one stop", "give at least two stops")
            continue
        seqs = [_num(r["seq"]) for _, r in items]
        if seqs != [float(k) for k in range(1, len(items) + 1)]:
            probs.add(ts, items[0][0], f"train {train} (trip {tid}): seq is not 1..{len(items)}", "number stops 1..n")
            bad = True
        sid = service_of[tid]
        if not bad and sid in pattern and [r["station_id"] for _, r in items] != pattern[sid]:
            probs.add(
                ts,
                items[0][0],
                f"train {train} (trip {tid}): its stops do not match the stops of service {sid!r}",
                "put the trip on the service with its stopping pattern",
            )
    for tid in train_of:
        if tid not in rows:
            probs.add(
                file("trips"), 0, f"train {train_of[tid]} (trip {tid}) has no stops in trip_stops.csv", "add them"
            )
    if "timetable" in services.columns:
        with_trips = set(service_of.values())
        for i, (sid, v) in enumerate(zip(services["service_id"], services["timetable"], strict=True)):
            if str(v).strip().lower() == "true" and sid not in with_trips:
                probs.add(file("services"), i + 2, f"timetable service {sid!r} has no trips", "add trips or set false")
    _check_transfers(net, probs, known, file)


def _check_transfers(net: Any, probs: Problems, known: dict[str, set[str]], file: Any) -> None:
    tr: pd.DataFrame | None = net.tables.get("transfers")
    if tr is None:
        return
    for i, r in enumerate(tr.to_dict("records")):
        for col in ("from_station", "to_station"):
            if r.get(col) not in known["stations"]:
                probs.add(file("transfers"), i + 2, f"unknown {col} {r.get(col)!r}", "use an id from stations.csv")
        m = _num(r.get("min_transfer_min"))
        if m is None or m < 0:
            probs.add(
                file("transfers"),
                i + 2,
                f"min_transfer_min {r.get('min_transfer_min')!r} is not a non-negative number",
                "give minutes",
            )
        if _blank(r.get("source")):
            probs.add(file("transfers"), i + 2, "row has no source", "name where the transfer time comes from")
