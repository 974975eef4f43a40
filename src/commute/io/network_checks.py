"""Checking a network's tables: every problem with its file and line, raised at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from commute.errors import Problems
from commute.io.network_schema import STATUSES, TABLES
from commute.io.network_trips import validate_trip_tables
from commute.io.network_values import check_values, number
from commute.model.geo import haversine_km

if TYPE_CHECKING:
    from commute.io.network import Network


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def validate_network(net: Network) -> None:
    """Check a network's tables; raise one error listing every problem with file and line.

    Raises
    ------
    ValidationError
        With every unknown reference, duplicate id, missing source, non-positive length or
        speed, bad status or year, service with fewer than two stops, and unconnected place.
    """
    probs = Problems(f"network {net.name}")
    t = net.tables

    def file(name: str) -> str:
        return str(net.folder / f"{name}.csv")

    for name, cols in TABLES.items():
        missing = [c for c in cols if c not in t[name].columns]
        if missing:
            probs.add(file(name), 1, f"missing column(s) {', '.join(missing)}", "add the column to the header")
    probs.raise_if_any()
    values_ok = check_values(net, probs)

    def each(name: str):  # yields (line, row)
        for i, row in enumerate(t[name].to_dict("records")):
            yield i + 2, row

    ids = {
        "places": "place_id",
        "cities": "city_id",
        "stations": "station_id",
        "services": "service_id",
        "road_nodes": "node_id",
        "road_links": "link_id",
        "projects": "project_id",
    }
    known: dict[str, set[str]] = {}
    for name, col in ids.items():
        seen: dict[str, int] = {}
        for line, row in each(name):
            v = row[col]
            if _is_blank(v):
                probs.add(file(name), line, f"empty {col}", f"give every row a {col}")
            elif v in seen:
                probs.add(file(name), line, f"duplicate {col} {v!r} (first on line {seen[v]})", "make ids unique")
            else:
                seen[v] = line
        known[name] = set(seen)

    for name in ("places", "cities", "stations", "services", "road_nodes", "road_links", "upgrades", "projects"):
        for line, row in each(name):
            if _is_blank(row.get("source")):
                probs.add(
                    file(name), line, "row has no source", "name a shared/data file, a report, or 'estimate: how'"
                )

    def ref(name: str, col: str, target: str, *, blank_ok: bool = False) -> None:
        for line, row in each(name):
            v = row[col]
            if _is_blank(v):
                if not blank_ok:
                    probs.add(file(name), line, f"empty {col}", f"give a {target[:-1]} id")
            elif v not in known[target]:
                probs.add(file(name), line, f"unknown {col} {v!r}", f"use an id from {target}.csv")

    ref("places", "city_id", "cities")
    ref("cities", "centre_place", "places")
    ref("stations", "city_id", "cities", blank_ok=True)
    ref("stations", "place_id", "places", blank_ok=True)
    ref("service_stops", "service_id", "services")
    ref("service_stops", "station_id", "stations")
    ref("road_nodes", "place_id", "places", blank_ok=True)
    ref("road_links", "from_node", "road_nodes")
    ref("road_links", "to_node", "road_nodes")

    def positive(name: str, col: str, *, blank_ok: bool = False, skip=None) -> None:
        for line, row in each(name):
            if skip is not None and skip(row):
                continue
            v = row[col]
            if _is_blank(v):
                if not blank_ok:
                    probs.add(file(name), line, f"empty {col}", f"give a positive {col}")
                continue
            try:
                f = float(v)
            except (TypeError, ValueError):
                probs.add(file(name), line, f"{col} {v!r} is not a number", f"give a positive {col}")
                continue
            if not f > 0:
                probs.add(file(name), line, f"{col} is {v}, not positive", f"give a positive {col}")

    positive("road_links", "length_km")
    positive("road_links", "speed_kmh")
    positive("road_links", "lanes")
    positive("services", "headway_min")
    positive("places", "pop_2020")
    positive("service_stops", "km", blank_ok=True)
    # a timetable service's run_min is the median of its trips, for information: 0 is possible
    # (a bus feed's stops a minute apart); its trips are checked in validate_trip_tables
    svc = t["services"]
    timetabled = (
        set(svc.loc[svc["timetable"].astype(str).str.strip().str.lower() == "true", "service_id"])
        if "timetable" in svc.columns
        else set()
    )
    positive("service_stops", "run_min", blank_ok=True, skip=lambda row: row["service_id"] in timetabled)
    positive("service_stops", "speed_kmh", blank_ok=True)

    for name in ("stations", "services", "road_links", "upgrades"):
        for line, row in each(name):
            if row["status"] not in STATUSES:
                probs.add(
                    file(name), line, f"status {row['status']!r} is not one of {', '.join(STATUSES)}", "fix the status"
                )
            y = row["opened"]
            if not _is_blank(y):
                try:
                    yi = float(y)
                    if yi != int(yi) or not 1800 <= yi <= 2100:
                        raise ValueError
                except (TypeError, ValueError):
                    probs.add(
                        file(name), line, f"opened {y!r} is not a year", "give a year such as 2021 or leave empty"
                    )
            elif row["status"] == "open":
                probs.add(file(name), line, "open row without an opening year", "give the year it opened")
            for p in str(row.get("project", "") or "").split(";"):
                if p and p not in known["projects"]:
                    probs.add(file(name), line, f"unknown project {p!r}", "use an id from projects.csv")

    if not values_ok:  # a stop number or coordinate that is not a number: the checks below would compare it
        probs.raise_if_any()
    # stops: each service has >= 2 stops with km and (run or speed) after the first
    stops = t["service_stops"]
    counts = stops.groupby("service_id").size()
    for line, row in each("services"):
        n = int(counts.get(row["service_id"], 0))
        if n < 2:
            probs.add(
                file("services"), line, f"service {row['service_id']!r} has {n} stop(s)", "give at least two stops"
            )
    for line, row in each("service_stops"):
        if (number(row["seq"]) or 1) > 1 and _is_blank(row["run_min"]):
            if _is_blank(row["km"]) or (
                _is_blank(row["speed_kmh"])
                and row["service_id"] in known["services"]
                and _is_blank(_speed_of(t["services"], row["service_id"]))
            ):
                probs.add(
                    file("service_stops"),
                    line,
                    "stop has neither run_min nor km and speed",
                    "give run_min, or km with a speed",
                )

    for line, row in each("upgrades"):
        if row["kind"] == "road_widen":
            for lid in str(row["target"]).split(";"):
                if lid not in known["road_links"]:
                    probs.add(file("upgrades"), line, f"unknown road link {lid!r}", "use a link_id from road_links.csv")
        elif row["kind"] != "rail_speed":
            probs.add(file("upgrades"), line, f"kind {row['kind']!r} is not road_widen or rail_speed", "fix the kind")

    validate_trip_tables(net, probs, known)

    # every place reaches some mode: a junction with a link, or a station within access reach
    linked = set(t["road_links"]["from_node"]) | set(t["road_links"]["to_node"])
    junction_of = {r["place_id"]: r["node_id"] for _, r in each("road_nodes") if not _is_blank(r["place_id"])}
    st = t["stations"]
    acc = net.params.access
    for line, row in each("places"):
        p = row["place_id"]
        if junction_of.get(p) in linked:
            continue
        d = haversine_km(row["lon"], row["lat"], st["lon"].to_numpy(float), st["lat"].to_numpy(float))
        reach = np.array(
            [
                acc.mode(m).same_city_km if c == row["city_id"] else acc.mode(m).other_city_km
                for m, c in zip(st["mode"], st["city_id"], strict=True)
            ]
        )
        if not (d <= reach).any() and p not in set(st["place_id"]):
            probs.add(
                file("places"),
                line,
                f"place {p!r} is not connected to any mode",
                "add a road link to its junction or a station in it",
            )
    probs.raise_if_any()


def _speed_of(services: pd.DataFrame, sid: str) -> Any:
    row = services.loc[services["service_id"] == sid, "speed_kmh"]
    return row.iloc[0] if len(row) else None
