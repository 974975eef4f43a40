"""GTFS feeds into services with run times and headways.

A GTFS feed (a folder or a zip with ``stops.txt``, ``routes.txt``, ``trips.txt``,
``stop_times.txt`` and ``calendar.txt`` and/or ``calendar_dates.txt``) is read into the same
:class:`~commute.io.timetable.Trip` objects as the 12306 timetable reader, for the trips that run
on a chosen day and leave their first stop inside a time window; the shared aggregator
:func:`~commute.io.timetable.pattern_services` turns them into one service per route and stopping
pattern (headway = window / trips, run times and dwells = medians). ``feed_to_tables`` writes
them as network tables (stations, services, service_stops) that can join a network.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from commute.errors import DataNotFoundError, InvalidOptionError, Problems
from commute.io.timetable import SERVICE_DAY_MIN, StopTime, Trip, pattern_services
from commute.model.geo import haversine_km

REQUIRED = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
#: GTFS route_type -> (commute mode, train class)
ROUTE_TYPES = {
    0: ("rail", "C"),
    1: ("rail", "C"),
    2: ("rail", "D"),
    12: ("rail", "C"),
    3: ("bus", "bus"),
    11: ("bus", "bus"),
    700: ("bus", "bus"),
    100: ("rail", "D"),
    101: ("rail", "G"),
    102: ("rail", "D"),
    106: ("rail", "C"),
    109: ("rail", "C"),
    400: ("rail", "C"),
    900: ("rail", "C"),
}


class Feed:
    """The tables of a GTFS feed (as strings), read from a folder or a zip."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataNotFoundError(f"GTFS feed {self.path} does not exist; give a folder or a .zip.")
        self.tables: dict[str, pd.DataFrame] = {}
        names = self._names()
        missing = [n for n in REQUIRED if n not in names]
        if "calendar.txt" not in names and "calendar_dates.txt" not in names:
            missing.append("calendar.txt or calendar_dates.txt")
        if missing:
            raise InvalidOptionError(f"GTFS feed {self.path} lacks {', '.join(missing)}; it is not a complete feed.")
        for n in names:
            if n.endswith(".txt"):
                self.tables[n[:-4]] = pd.read_csv(
                    io.BytesIO(self._read(n)), dtype=str, keep_default_na=False, encoding="utf-8-sig"
                )

    def _names(self) -> list[str]:
        if self.path.is_dir():
            return sorted(p.name for p in self.path.iterdir())
        with zipfile.ZipFile(self.path) as z:
            return sorted(Path(n).name for n in z.namelist())

    def _read(self, name: str) -> bytes:
        if self.path.is_dir():
            return (self.path / name).read_bytes()
        with zipfile.ZipFile(self.path) as z:
            for n in z.namelist():
                if Path(n).name == name:
                    return z.read(n)
        raise DataNotFoundError(name)

    def services_on(self, day: dt.date) -> set[str]:
        """service_ids running on ``day`` (calendar, then calendar_dates exceptions)."""
        out: set[str] = set()
        ymd = day.strftime("%Y%m%d")
        cal = self.tables.get("calendar")
        if cal is not None and len(cal):
            wd = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day.weekday()]
            ok = (cal[wd] == "1") & (cal["start_date"] <= ymd) & (cal["end_date"] >= ymd)
            out |= set(cal.loc[ok, "service_id"])
        cd = self.tables.get("calendar_dates")
        if cd is not None and len(cd):
            today = cd[cd["date"] == ymd]
            out |= set(today.loc[today["exception_type"] == "1", "service_id"])
            out -= set(today.loc[today["exception_type"] == "2", "service_id"])
        return out


def _minutes(hms: str) -> float:
    h, m, s = (int(x) for x in hms.strip().split(":"))
    return h * 60 + m + s / 60.0


def read_trips(feed: Feed, *, day: dt.date, start_min: float = 0.0, end_min: float = 1440.0) -> list[Trip]:
    """Trips running on ``day`` whose first departure is in ``[start_min, end_min)``."""
    running = feed.services_on(day)
    trips = feed.tables["trips"]
    trips = trips[trips["service_id"].isin(running)]
    routes = feed.tables["routes"].set_index("route_id")
    st = feed.tables["stop_times"]
    st = st[st["trip_id"].isin(set(trips["trip_id"]))].copy()
    probs = Problems(f"GTFS feed {feed.path}")
    for i, r in enumerate(st.itertuples(index=False)):
        if not r.arrival_time or not r.departure_time:
            probs.add(
                str(feed.path / "stop_times.txt"),
                i + 2,
                f"trip {r.trip_id} stop {r.stop_sequence} has no time",
                "give arrival_time and departure_time at every stop (no interpolation is done)",
            )
    probs.raise_if_any()
    st["seq"] = st["stop_sequence"].astype(int)
    st["arr"] = st["arrival_time"].map(_minutes)
    st["dep"] = st["departure_time"].map(_minutes)
    dist = "shape_dist_traveled" in st.columns
    out = []
    route_of = dict(zip(trips["trip_id"], trips["route_id"], strict=True))
    for tid, df in st.sort_values(["trip_id", "seq"]).groupby("trip_id", sort=True):
        first = float(df["dep"].iloc[0])
        if not start_min <= first < end_min:
            continue
        rid = route_of[tid]
        rtype = int(routes.loc[rid, "route_type"]) if rid in routes.index else 3
        _, cls = ROUTE_TYPES.get(rtype, ("bus", "bus"))
        stops = tuple(
            StopTime(
                r.stop_id,
                float(r.shape_dist_traveled) if dist and r.shape_dist_traveled else np.nan,
                float(r.arr),
                float(r.dep),
            )
            for r in df.itertuples(index=False)
        )
        out.append(Trip(str(tid), cls, stops, route=str(rid)))
    return out


def feed_to_tables(
    feed: Feed,
    *,
    day: dt.date,
    start_min: float = 360.0,
    end_min: float = 1320.0,
    prefix: str = "gtfs",
    opened: int = 2020,
) -> dict[str, pd.DataFrame]:
    """Network tables (stations, services, service_stops) for the trips of a day and window.

    Each route and stopping pattern becomes a one-directional service whose headway is the
    window's length over its trips; run times and dwells are medians over its trips.
    """
    if end_min <= start_min:
        raise InvalidOptionError("the time window ends before it starts; give --start before --end.")
    trips = read_trips(feed, day=day, start_min=start_min, end_min=end_min)
    if not trips:
        raise InvalidOptionError(
            f"no trip of {feed.path} runs on {day} between {_hhmm(start_min)} and "
            f"{_hhmm(end_min)}; choose another --date or window."
        )
    window = end_min - start_min
    pats = pattern_services(trips, window_min=window)
    stops = feed.tables["stops"].set_index("stop_id")
    routes = feed.tables["routes"].set_index("route_id")
    used = sorted({s for p in pats["pattern"] for s in p.split(";")})
    mode_of_stop: dict[str, str] = {}
    svc_rows, stop_rows = [], []
    for i, r in enumerate(pats.itertuples(index=False)):
        rtype = int(routes.loc[r.route, "route_type"]) if r.route in routes.index else 3
        mode, cls = ROUTE_TYPES.get(rtype, ("bus", "bus"))
        name = (
            routes.loc[r.route].get("route_short_name") or routes.loc[r.route].get("route_long_name") or r.route
            if r.route in routes.index
            else r.route
        )
        sid = f"{prefix}:{r.route}:{i + 1}"
        headway = float(r.headway_min)
        svc_rows.append(
            {
                "service_id": sid,
                "name_zh": str(name),
                "mode": mode,
                "train_class": cls,
                "speed_kmh": "",
                "trains_per_day": round(SERVICE_DAY_MIN / headway, 3),
                "headway_min": round(headway, 3),
                "bidirectional": False,
                "status": "open",
                "opened": opened,
                "project": "",
                "source": f"GTFS {feed.path.name}: {int(r.trips)} trips on {day} between "
                f"{_hhmm(start_min)} and {_hhmm(end_min)}; run times are medians",
            }
        )
        st_ids = r.pattern.split(";")
        runs = [float(x) for x in r.run_min.split(";")] if r.run_min else []
        dwells = [float(x) for x in r.dwell_min.split(";")]
        for j, s in enumerate(st_ids):
            mode_of_stop.setdefault(s, mode)
            km: float | str = ""
            if j:
                a, b = stops.loc[st_ids[j - 1]], stops.loc[s]
                km = round(
                    float(
                        haversine_km(
                            float(a["stop_lon"]), float(a["stop_lat"]), float(b["stop_lon"]), float(b["stop_lat"])
                        )
                    ),
                    3,
                )
            stop_rows.append(
                {
                    "service_id": sid,
                    "seq": j + 1,
                    "station_id": f"{prefix}_{s}",
                    "km": km if j else "",
                    "speed_kmh": "",
                    "run_min": runs[j - 1] if j else "",
                    "dwell_min": dwells[j] if 0 < j < len(st_ids) - 1 else 0,
                    "line": "",
                    "line_km": "",
                }
            )
    st_rows = [
        {
            "station_id": f"{prefix}_{s}",
            "name_zh": stops.loc[s, "stop_name"],
            "mode": mode_of_stop[s],
            "city_id": "",
            "place_id": "",
            "lon": float(stops.loc[s, "stop_lon"]),
            "lat": float(stops.loc[s, "stop_lat"]),
            "status": "open",
            "opened": opened,
            "project": "",
            "source": f"GTFS {feed.path.name} stops.txt",
        }
        for s in used
    ]
    return {
        "stations": pd.DataFrame(st_rows),
        "services": pd.DataFrame(svc_rows),
        "service_stops": pd.DataFrame(stop_rows),
    }


def _hhmm(m: float) -> str:
    return f"{int(m // 60):02d}:{int(m % 60):02d}"


def parse_hhmm(text: str) -> float:
    """Minutes after midnight from ``HH:MM``; an error names the problem."""
    try:
        h, m = text.strip().split(":")
        v = int(h) * 60 + int(m)
    except ValueError:
        raise InvalidOptionError(f"time {text!r} is not HH:MM; give e.g. 07:00.") from None
    if not 0 <= v <= 48 * 60:
        raise InvalidOptionError(f"time {text!r} is outside 00:00-48:00.")
    return float(v)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write the tables as ``<name>.csv`` in a folder (created if missing)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in tables.items():
        p = out / f"{name}.csv"
        df.to_csv(p, index=False, lineterminator="\n")
        paths.append(p)
    return paths
