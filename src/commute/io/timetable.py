"""Read timetables (stop times) into trips, and trips into frequency-based services.

A *trip* is one train's run: an ordered list of stop times. The two readers here (the
12306-derived stop-times CSV in ``../shared/data/rail`` and, in :mod:`commute.io.gtfs`, GTFS
feeds) both produce :class:`Trip` objects; the aggregators turn trips into services with
run times and trains per day, which is what the network tables store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from commute.errors import DataNotFoundError, InvalidOptionError
from commute.model.params import SERVICE_DAY_MIN  # trains per day to a headway


@dataclass(frozen=True)
class StopTime:
    """One stop of a trip: station, line kilometre (NaN if unknown), minutes after midnight."""

    station: str
    km: float
    arr: float
    dep: float


@dataclass(frozen=True)
class Trip:
    """One train's run over the stations it stops at, in order."""

    trip_id: str
    train_class: str
    stops: tuple[StopTime, ...] = field(default_factory=tuple)
    route: str = ""

    @property
    def stations(self) -> tuple[str, ...]:
        """The stop stations in order."""
        return tuple(s.station for s in self.stops)


# ---------------------------------------------------------------------------------------
# Run-day flags of the 12306-derived timetable
# ---------------------------------------------------------------------------------------

_ITEM = re.compile(r"^(\d{2,6})(?:-(\d{2,6}))?$")


def _expand_date(token: str, prev: dt.date | None) -> dt.date:
    """Expand ``YYMMDD``, ``MMDD`` or ``DD`` using the previous date for missing parts."""
    if len(token) == 6:
        return dt.date(2000 + int(token[:2]), int(token[2:4]), int(token[4:]))
    if prev is None:
        raise ValueError(f"date {token!r} has no year or month to inherit")
    if len(token) == 4:
        return dt.date(prev.year, int(token[:2]), int(token[2:]))
    if len(token) == 2:
        return dt.date(prev.year, prev.month, int(token))
    raise ValueError(f"cannot read date {token!r}")


def _date_spec_contains(spec: str, day: dt.date) -> bool:
    """Whether ``day`` is inside a date list such as ``210120-0203|05-06|09-16``."""
    prev: dt.date | None = None
    for item in spec.split("|"):
        m = _ITEM.match(item)
        if not m:
            raise ValueError(f"cannot read date item {item!r}")
        start = _expand_date(m.group(1), prev)
        end = _expand_date(m.group(2), start) if m.group(2) else start
        prev = end
        if start <= day <= end:
            return True
    return False


def _split_prefix(text: str, alphabet: str) -> tuple[str, str]:
    """Split ``7126210123-0209`` into a prefix over ``alphabet`` and a following date list.

    The date list starts with a 6-digit ``YYMMDD``; the prefix is the shortest that leaves
    either nothing or such a date.
    """
    for i in range(1, len(text) + 1):
        head, rest = text[:i], text[i:]
        if any(c not in alphabet for c in head):
            break
        if not rest:
            return head, ""
        m = re.match(r"^(\d{6})(?!\d)", rest)
        if m:
            try:
                _expand_date(m.group(1), None)
            except ValueError:
                continue
            return head, rest
    raise ValueError(f"cannot read run-day flag part {text!r}")


def runs_on(flag: str | float | None, day: dt.date) -> bool:
    """Whether a train with this run-day flag runs on ``day``.

    The grammar (from the 12306 timetable): empty means every day; a date list
    (``210120-27|0201-13``: 6-digit YYMMDD, later items inherit year and month) means on
    those days; ``!`` before a list means every day except those; ``w`` followed by weekday
    digits (1 = Monday) means on those weekdays, within the date list that may follow;
    ``双`` means even dates within the list; ``b`` followed by a 0/1 pattern means a cycle
    of running (1) and resting (0) days starting on the first day of the list.

    Examples
    --------
    >>> import datetime as dt
    >>> d = dt.date(2021, 1, 20)  # a Wednesday
    >>> runs_on("", d), runs_on("210120-27", d), runs_on("!210211-13", d), runs_on("w5671", d)
    (True, True, True, False)
    """
    if flag is None or (isinstance(flag, float) and np.isnan(flag)):
        return True
    text = str(flag).strip()
    if not text:
        return True
    if text.startswith("!"):
        return not _date_spec_contains(text[1:], day)
    if text.startswith("w"):
        digits, spec = _split_prefix(text[1:], "1234567")
        if day.isoweekday() not in {int(c) for c in digits}:
            return False
        return not spec or _date_spec_contains(spec, day)
    if text.startswith("双"):
        return day.day % 2 == 0 and _date_spec_contains(text[1:], day)
    if text.startswith("b"):
        pattern, spec = _split_prefix(text[1:], "01")
        if not spec or not _date_spec_contains(spec, day):
            return False
        first = _expand_date(spec.split("|")[0].split("-")[0], None)
        return pattern[(day - first).days % len(pattern)] == "1"
    return _date_spec_contains(text, day)


# ---------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------

_TIMETABLE_COLUMNS = ("train", "run_flag", "class", "seq", "station", "km", "arr_min", "dep_min")


def read_stop_times_csv(path: str | Path, *, day: dt.date | None = None) -> list[Trip]:
    """Read a stop-times CSV (one row per train stop) into trips.

    Parameters
    ----------
    path
        CSV with columns ``train, run_flag, class, seq, station, km, arr_min, dep_min``, as
        in ``../shared/data/rail/timetable_beijing_guangzhou_hsr_2021-01-20.csv``.
    day
        Keep only trains that run on this day (by their run-day flag); all trains if None.

    Returns
    -------
    list of Trip
        Trips in file order. Times that go backwards (a run past midnight) get 1440 added.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidOptionError
        If a column is missing.
    """
    path = Path(path)
    if not path.exists():
        raise DataNotFoundError(f"timetable {path} does not exist; check the path.")
    df = pd.read_csv(path, dtype={"train": str, "run_flag": str, "class": str, "station": str})
    missing = [c for c in _TIMETABLE_COLUMNS if c not in df.columns]
    if missing:
        raise InvalidOptionError(
            f"timetable {path} lacks column(s) {', '.join(missing)}; expected {', '.join(_TIMETABLE_COLUMNS)}."
        )
    trips: list[Trip] = []
    for train, rows in df.sort_values(["train", "seq"]).groupby("train", sort=False):
        flag = rows["run_flag"].iloc[0]
        if day is not None and not runs_on(flag, day):
            continue
        stops: list[StopTime] = []
        offset = 0.0
        last = -np.inf
        for r in rows.itertuples(index=False):
            arr, dep = float(r.arr_min) + offset, float(r.dep_min) + offset
            if arr < last:
                offset += 1440.0
                arr, dep = arr + 1440.0, dep + 1440.0
            if dep < arr:
                dep += 1440.0
                offset += 1440.0
            stops.append(StopTime(str(r.station), float(r.km), arr, dep))
            last = dep
        trips.append(Trip(str(train), str(rows["class"].iloc[0]).split()[0], tuple(stops)))
    # keep file order of first appearance
    order = {t: i for i, t in enumerate(dict.fromkeys(df["train"].astype(str)))}
    trips.sort(key=lambda t: order[t.trip_id])
    return trips


# ---------------------------------------------------------------------------------------
# Aggregation into services
# ---------------------------------------------------------------------------------------


def segments(trips: Iterable[Trip]) -> pd.DataFrame:
    """Consecutive stop pairs of every trip: the observations a run-time model is fitted on.

    Returns
    -------
    pandas.DataFrame
        Columns ``trip_id, train_class, from_station, to_station, from_km, to_km, km,
        run_min`` (departure at the first stop to arrival at the next), and
        ``dwell_min`` of the first stop (NaN at a trip's origin).
    """
    rows = []
    for t in trips:
        for i in range(len(t.stops) - 1):
            a, b = t.stops[i], t.stops[i + 1]
            dwell = a.dep - a.arr if i > 0 else np.nan
            rows.append(
                (t.trip_id, t.train_class, a.station, b.station, a.km, b.km, abs(b.km - a.km), b.arr - a.dep, dwell)
            )
    return pd.DataFrame(
        rows,
        columns=[
            "trip_id",
            "train_class",
            "from_station",
            "to_station",
            "from_km",
            "to_km",
            "km",
            "run_min",
            "dwell_min",
        ],
    )


def stop_pair_services(trips: Iterable[Trip], *, service_day_min: float = SERVICE_DAY_MIN) -> pd.DataFrame:
    """Aggregate trips into one service per ordered station pair (the 'common lines' view).

    For every ordered pair (A, B) with A before B on at least one trip, count the trips
    that stop at both, take the median time from departure at A to arrival at B (which
    includes the stops between), and turn the count into a headway over the service day.
    A traveller from A to B may take any of these trains, so their combined frequency is
    what sets the wait.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_station, to_station, trains_per_day, run_min`` (median),
        ``run_min_fastest``, ``km`` (line km between the two), ``headway_min``,
        ``classes`` (the train classes, e.g. ``D;G``). Sorted by stations.
    """
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    kms: dict[tuple[str, str], float] = {}
    classes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in trips:
        for i, a in enumerate(t.stops):
            for b in t.stops[i + 1 :]:
                key = (a.station, b.station)
                times[key].append(b.arr - a.dep)
                kms[key] = abs(b.km - a.km)
                classes[key].add(t.train_class)
    rows = []
    for (sa, sb), ts in sorted(times.items()):
        n = len(ts)
        rows.append(
            (
                sa,
                sb,
                n,
                float(np.median(ts)),
                float(min(ts)),
                kms[(sa, sb)],
                service_day_min / n,
                ";".join(sorted(classes[(sa, sb)])),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "from_station",
            "to_station",
            "trains_per_day",
            "run_min",
            "run_min_fastest",
            "km",
            "headway_min",
            "classes",
        ],
    )


def pattern_services(trips: Iterable[Trip], *, window_min: float = SERVICE_DAY_MIN) -> pd.DataFrame:
    """Aggregate trips into one service per stopping pattern (same stations in order).

    Trips of different routes are kept apart even when they stop alike.

    Returns
    -------
    pandas.DataFrame
        One row per route and pattern: ``route``, ``pattern`` (stations joined by ``;``), ``trips``,
        ``headway_min`` (window over trips), and ``run_min`` (median minutes between
        consecutive stops, joined by ``;``) and ``dwell_min`` likewise.
    """
    groups: dict[tuple[str, tuple[str, ...]], list[Trip]] = defaultdict(list)
    for t in trips:
        groups[(t.route, t.stations)].append(t)
    rows = []
    for (route, stations), ts in sorted(groups.items()):
        runs = np.array([[s2.arr - s1.dep for s1, s2 in zip(t.stops, t.stops[1:], strict=False)] for t in ts])
        dwells = np.array([[s.dep - s.arr for s in t.stops] for t in ts])
        rows.append(
            (
                route,
                ";".join(stations),
                len(ts),
                window_min / len(ts),
                ";".join(f"{v:g}" for v in np.median(runs, axis=0)) if len(stations) > 1 else "",
                ";".join(f"{v:g}" for v in np.median(dwells, axis=0)),
            )
        )
    return pd.DataFrame(rows, columns=["route", "pattern", "trips", "headway_min", "run_min", "dwell_min"])
