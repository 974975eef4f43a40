"""A GTFS feed's trips of one day as a transit-only network folder (``commute gtfs import``).

The folder follows the trip schema of the network tables (``networks/README.md``):

- ``stations.csv``: every stop a trip of the day serves; ``station_id`` is the GTFS
  ``stop_id``; ``mode`` that of the routes serving it (see :func:`commute.io.gtfs.route_mode`);
- ``services.csv`` / ``service_stops.csv``: one service per route and stopping pattern, with
  ``timetable`` true; its ``headway_min`` (span of first departures over the trip count minus
  one), ``run_min`` and ``dwell_min`` (medians over its trips) are for information only;
- ``trips.csv`` / ``trip_stops.csv``: every trip of the day with its own times and
  ``pickup``/``dropoff``;
- ``transfers.csv``: the ``transfers.txt`` rows (``min_transfer_time`` in minutes; type 1
  timed = 0 min; type 0 recommended without a time and pairs of platforms of one parent station
  = :data:`DEFAULT_TRANSFER_MIN`, marked as an estimate; type 3 forbids a pair). A row whose
  two stations are the same gives the minimum transfer time at that stop;
- ``network.yaml``: ``kind: gtfs``, the feed, date, agencies, time zone and fare currency.

The folder is written to a temporary sibling and renamed into place, so a failed import
leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from commute.errors import InvalidOptionError
from commute.io.gtfs import Feed, day_stop_times, route_mode
from commute.io.gtfs_fares import fare_tables
from commute.model.geo import haversine_km

#: minutes between two platforms of one parent station, where transfers.txt gives none
DEFAULT_TRANSFER_MIN = 3.0


def _services(st: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per route and stop sequence, and each trip's service id."""
    first = st.groupby("trip_id", sort=False).agg(route_id=("route_id", "first"), dep=("dep", "first"))
    first["pattern"] = st.groupby("trip_id", sort=False)["stop_id"].agg(";".join)
    first = first.sort_values(["route_id", "dep"], kind="stable")
    service_of: dict[str, str] = {}
    rows = []
    for route, g in first.groupby("route_id", sort=True):
        for k, (pattern, h) in enumerate(g.groupby("pattern", sort=False)):
            sid = f"{route}:{k + 1}"
            service_of.update(dict.fromkeys(h.index, sid))
            deps = h["dep"].to_numpy()
            rows.append({"service_id": sid, "route_id": route, "pattern": pattern, "trips": len(h),
                         "first_dep_min": float(deps.min()), "last_dep_min": float(deps.max())})  # fmt: skip
    return pd.DataFrame(rows), service_of


def feed_to_network(feed: Feed, day: dt.date, *, name: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Return the network tables and ``network.yaml`` content of the trips running on ``day``."""
    st = day_stop_times(feed, day)
    routes = feed.tables["routes"].set_index("route_id")
    stops = feed.tables["stops"].set_index("stop_id")
    src = f"GTFS {feed.path.name}"
    year = day.year
    mode_of_route = {r: route_mode(routes.at[r, "route_type"]) if r in routes.index else ("bus", "bus")
                     for r in st["route_id"].unique()}  # fmt: skip
    svc, service_of = _services(st)
    st = st.assign(service_id=st["trip_id"].map(service_of))
    st["run"] = st["arr"] - st.groupby("trip_id")["dep"].shift()
    st["dwell"] = st["dep"] - st["arr"]
    med = st.groupby(["service_id", "seq"])[["run", "dwell"]].median()
    svc_rows, ss_rows = [], []
    for r in svc.itertuples(index=False):
        mode, cls = mode_of_route[r.route_id]
        route = routes.loc[r.route_id] if r.route_id in routes.index else pd.Series(dtype=str)
        label = route.get("route_short_name") or route.get("route_long_name") or r.route_id
        span = r.last_dep_min - r.first_dep_min
        svc_rows.append({
            "service_id": r.service_id, "name_zh": label, "mode": mode, "train_class": cls, "speed_kmh": "",
            "trains_per_day": r.trips, "headway_min": round(span / (r.trips - 1), 3) if span > 0 else 1440.0,
            "bidirectional": False, "status": "open", "opened": year, "project": "",
            "source": f"{src} routes.txt route {r.route_id}: {r.trips} trips on {day}",
            "first_dep_min": r.first_dep_min, "last_dep_min": r.last_dep_min, "timetable": "true",
        })  # fmt: skip
        ids = r.pattern.split(";")
        for j, s in enumerate(ids):
            km: Any = ""
            if j:
                a, b = stops.loc[ids[j - 1]], stops.loc[s]
                km = round(float(haversine_km(float(a["stop_lon"]), float(a["stop_lat"]),
                                              float(b["stop_lon"]), float(b["stop_lat"]))), 3)  # fmt: skip
            m = med.loc[(r.service_id, j + 1)]
            ss_rows.append({
                "service_id": r.service_id, "seq": j + 1, "station_id": s, "km": km or "", "speed_kmh": "",
                "run_min": round(float(m["run"]), 3) if j else "",
                "dwell_min": round(float(m["dwell"]), 3) if 0 < j < len(ids) - 1 else 0,
                "line": "", "line_km": "",
            })  # fmt: skip
    trips = st.groupby("trip_id", sort=False).first().reset_index()
    trip_rows = pd.DataFrame({
        "trip_id": trips["trip_id"], "service_id": trips["service_id"],
        "train_no": [s or t for s, t in zip(trips["trip_short_name"], trips["trip_id"], strict=True)],
        "train_class": [mode_of_route[r][1] for r in trips["route_id"]],
        "mode": [mode_of_route[r][0] for r in trips["route_id"]],
        "source": [f"{src} trips.txt trip {t.split('@')[0]} (stop_times.txt line {n})"
                   for t, n in zip(trips["trip_id"], trips["line"], strict=True)],
    })  # fmt: skip
    trip_stops = pd.DataFrame({
        "trip_id": st["trip_id"], "seq": st["seq"], "station_id": st["stop_id"],
        "arrival_min": st["arr"].round(4), "departure_min": st["dep"].round(4),
        "pickup": st["pickup"].astype(int), "dropoff": st["dropoff"].astype(int),
    })  # fmt: skip
    used = pd.unique(st["stop_id"])
    mode_of_stop = (
        st.assign(mode=[mode_of_route[r][0] for r in st["route_id"]])
        .groupby("stop_id")["mode"]
        .agg(lambda m: m.value_counts().index[0])
    )
    stations = pd.DataFrame({
        "station_id": used, "name_zh": [stops.at[s, "stop_name"] for s in used],
        "mode": [mode_of_stop[s] for s in used], "city_id": "", "place_id": "",
        "lon": [float(stops.at[s, "stop_lon"]) for s in used],
        "lat": [float(stops.at[s, "stop_lat"]) for s in used],
        "status": "open", "opened": year, "project": "", "source": f"{src} stops.txt",
    })  # fmt: skip
    tables = {
        "stations": stations,
        "services": pd.DataFrame(svc_rows),
        "service_stops": pd.DataFrame(ss_rows),
        "trips": trip_rows,
        "trip_stops": trip_stops,
        "transfers": transfers_table(feed, set(used)),
        **fare_tables(feed, set(used)),
    }
    return tables, _meta(feed, day, name, st)


def transfers_table(feed: Feed, used: set[str]) -> pd.DataFrame:
    """The ``transfers.csv`` rows between ``used`` stops (see the module docstring)."""
    stops = feed.tables["stops"]
    parent = stops["parent_station"] if "parent_station" in stops.columns else pd.Series("", index=stops.index)
    children: dict[str, list[str]] = {}
    for s, p in zip(stops["stop_id"], parent, strict=True):
        if p and s in used:
            children.setdefault(p, []).append(s)
    given: dict[tuple[str, str], tuple[float | None, str]] = {}
    tr = feed.table("transfers")
    for i, r in enumerate(tr.to_dict("records")):
        kind = r.get("transfer_type", "") or "0"
        secs = pd.to_numeric(pd.Series([r.get("min_transfer_time", "")]), errors="coerce").iloc[0]
        if kind == "1":
            minutes: float | None = 0.0
        elif kind == "3":
            minutes = None
        elif kind in ("0", "2"):
            minutes = float(secs) / 60 if secs == secs else DEFAULT_TRANSFER_MIN
        else:
            raise InvalidOptionError(f"{feed.file('transfers')} line {i + 2} has transfer_type {kind!r}, not 0-3.")
        origin = f"GTFS {feed.path.name} transfers.txt line {i + 2}"
        if minutes == DEFAULT_TRANSFER_MIN and not secs == secs:
            origin += f" (estimate: no min_transfer_time; default {DEFAULT_TRANSFER_MIN:g} min)"
        for f in children.get(r["from_stop_id"], [r["from_stop_id"]]):
            for t in children.get(r["to_stop_id"], [r["to_stop_id"]]):
                if f in used and t in used:
                    given[(f, t)] = (minutes, origin)
    for p, kids in sorted(children.items()):
        for f in kids:
            for t in kids:
                if f != t and (f, t) not in given:
                    note = f"estimate: default {DEFAULT_TRANSFER_MIN:g} min between its platforms"
                    given[(f, t)] = (
                        DEFAULT_TRANSFER_MIN,
                        f"GTFS {feed.path.name} stops.txt parent_station {p} ({note})",
                    )
    rows = [{"from_station": f, "to_station": t, "min_transfer_min": round(m, 4), "source": s}
            for (f, t), (m, s) in sorted(given.items()) if m is not None]  # fmt: skip
    return pd.DataFrame(rows, columns=["from_station", "to_station", "min_transfer_min", "source"])


def _meta(feed: Feed, day: dt.date, name: str, st: pd.DataFrame) -> dict[str, Any]:
    agency = feed.table("agency")
    fares = feed.table("fare_attributes")
    info = feed.table("feed_info")
    names = list(agency["agency_name"]) if "agency_name" in agency.columns else []
    return {
        "name": name,
        "title": f"{', '.join(names) or feed.path.name}: GTFS trips of {day}",
        "kind": "gtfs",
        "gtfs": {
            "feed": feed.path.name,
            "date": day.isoformat(),
            "agencies": names,
            "timezone": str(agency["agency_timezone"].iloc[0]) if "agency_timezone" in agency.columns else "",
            "currency": sorted(set(fares["currency_type"]))[0] if "currency_type" in fares.columns else "",
            "feed_version": str(info["feed_version"].iloc[0]) if "feed_version" in info.columns else "",
            "trips": int(st["trip_id"].nunique()),
        },
        "base_year": day.year,
        "default_year": day.year,
        "last_year": day.year,
        "crs": "EPSG:4326",
        "parameters": {"service_day_min": 1440},
    }


def write_network(tables: dict[str, pd.DataFrame], meta: dict[str, Any], out: str | Path) -> Path:
    """Write a network folder atomically (a temporary sibling renamed into place).

    Raises
    ------
    InvalidOptionError
        ``out``'s parent does not exist, or ``out`` exists and is not a GTFS network folder
        (one written by this function is replaced).
    """
    out = Path(out)
    if not out.resolve().parent.is_dir():
        raise InvalidOptionError(f"cannot write {out}: folder {out.resolve().parent} does not exist; create it first.")
    if out.exists():
        from commute.errors import CommuteError
        from commute.io.network import read_meta

        try:
            kind = read_meta(out).get("kind") if (out / "network.yaml").exists() else None
        except CommuteError:  # a broken network.yaml: not one this function wrote
            kind = None
        if kind != "gtfs":
            raise InvalidOptionError(f"{out} exists and is not a GTFS network; remove it or choose another -o.")
    tmp = out.parent / f".{out.name}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        for key, df in tables.items():
            df.to_csv(tmp / f"{key}.csv", index=False, lineterminator="\n")
        (tmp / "network.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def summary(tables: dict[str, pd.DataFrame]) -> str:
    """One line: stops, services, trips and modes written."""
    modes = ", ".join(sorted(set(tables["services"]["mode"])))
    n = tables["trips"].shape[0]
    return (f"{len(tables['stations'])} stops, {len(tables['services'])} services and {n} trips ({modes}), "
            f"{len(tables['transfers'])} transfers")  # fmt: skip
