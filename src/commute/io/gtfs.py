"""GTFS feeds: the trips of one service day, with their stop times.

A feed (a folder or a zip with ``stops.txt``, ``routes.txt``, ``trips.txt``, ``stop_times.txt``
and ``calendar.txt`` and/or ``calendar_dates.txt``) is read as text (UTF-8, a byte-order mark
tolerated; a file that is not UTF-8 is read as Latin-1 with a warning naming it).
:func:`day_stop_times` keeps every trip that runs on a date (``calendar.txt`` weekdays and date
range, then ``calendar_dates.txt`` additions and removals) with its stop times, after checking
them; :mod:`commute.io.gtfs_network` writes them as a network (``trips.csv``,
``trip_stops.csv`` and the rest).

Rules, each documented for users in the README:

- times are minutes after midnight of the service day and may pass 24:00 (``25:10:00`` is
  1510); a stop with blank times between two timed stops is interpolated linearly by
  ``shape_dist_traveled`` where the trip gives it, else by stop count; the first and last stop
  must be timed;
- ``pickup_type``/``drop_off_type`` 1 (not available) forbid boarding/alighting; 0, blank, 2
  (phone the agency) and 3 (ask the driver) are treated as allowed;
- ``frequencies.txt``: a trip listed there is a template; it is replaced by one trip per
  departure ``start_time + k * headway_secs`` before ``end_time``, each keeping the template's
  times relative to its first departure. ``exact_times`` 0 (frequency-based service) and 1
  (schedule-based) are expanded the same way: the model needs departure times, and for
  ``exact_times=0`` these are the feed's nominal ones.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from commute.errors import DataNotFoundError, InvalidOptionError, Problems

REQUIRED = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: GTFS basic route types -> commute mode. Trams, cable trams, funiculars, aerial lifts and
#: monorails are urban rail and join ``metro``; trolleybuses are ``bus``.
BASIC_MODES = {
    0: "metro",
    1: "metro",
    2: "rail",
    3: "bus",
    4: "ferry",
    5: "metro",
    6: "metro",
    7: "metro",
    11: "bus",
    12: "metro",
}
#: Extended route types (https://developers.google.com/transit/gtfs/reference/extended-route-types)
#: by hundreds: 1xx railway, 2xx coach, 4xx urban railway, 7xx bus, 8xx trolleybus, 9xx tram,
#: 10xx water, 11xx air, 12xx ferry, 13xx aerial lift, 14xx funicular.
EXTENDED_MODES = {
    1: "rail",
    2: "bus",
    4: "metro",
    7: "bus",
    8: "bus",
    9: "metro",
    10: "ferry",
    11: "air",
    12: "ferry",
    13: "metro",
    14: "metro",
}
#: train class written with each mode (railway 101 high-speed is ``G``; other rail ``C``)
MODE_CLASS = {"rail": "C", "metro": "metro", "bus": "bus", "ferry": "ferry", "air": "air"}


def route_mode(route_type: str) -> tuple[str, str]:
    """Return ``(mode, train_class)`` of a GTFS ``route_type``.

    Raises
    ------
    InvalidOptionError
        A route type outside the basic and extended GTFS lists.

    Examples
    --------
    >>> route_mode("2"), route_mode("0"), route_mode("101")
    (('rail', 'C'), ('metro', 'metro'), ('rail', 'G'))
    """
    try:
        rt = int(str(route_type).strip())
    except ValueError:
        raise InvalidOptionError(f"route_type {route_type!r} is not a GTFS route type number.") from None
    mode = BASIC_MODES.get(rt) if rt < 100 else EXTENDED_MODES.get(rt // 100)
    if mode is None:
        raise InvalidOptionError(f"route_type {rt} is not a GTFS route type commute knows (see io/gtfs.py).")
    return mode, "G" if rt == 101 else MODE_CLASS[mode]


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.warn(
            f"{name} is not UTF-8; it was read as Latin-1 (check names with accents, or re-save the file as UTF-8)",
            UserWarning,
            stacklevel=4,
        )
        return data.decode("latin-1")


class Feed:
    """The tables of a GTFS feed (every column as text), read from a folder or a zip.

    Raises
    ------
    DataNotFoundError
        The path does not exist.
    InvalidOptionError
        A required file is missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataNotFoundError(f"GTFS feed {self.path} does not exist; give a folder or a .zip.")
        files = self._files()
        missing = [n for n in REQUIRED if n not in files]
        if "calendar.txt" not in files and "calendar_dates.txt" not in files:
            missing.append("calendar.txt or calendar_dates.txt")
        if missing:
            raise InvalidOptionError(f"GTFS feed {self.path} lacks {', '.join(missing)}; it is not a complete feed.")
        self.tables: dict[str, pd.DataFrame] = {}
        for name, data in files.items():
            text = _decode(data, str(self.path / name))
            try:
                df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            except (pd.errors.EmptyDataError, pd.errors.ParserError) as e:
                why = "is empty" if isinstance(e, pd.errors.EmptyDataError) else f"is not a CSV table ({e})"
                raise InvalidOptionError(f"GTFS file {self.path / name} {why}; re-export the feed.") from None
            df.columns = [c.strip() for c in df.columns]
            self.tables[name[:-4]] = df.apply(lambda c: c.str.strip())

    def _files(self) -> dict[str, bytes]:
        if self.path.is_dir():
            return {p.name: p.read_bytes() for p in sorted(self.path.glob("*.txt"))}
        try:
            with zipfile.ZipFile(self.path) as z:
                return {Path(n).name: z.read(n) for n in z.namelist() if n.endswith(".txt")}
        except zipfile.BadZipFile:
            raise InvalidOptionError(f"GTFS feed {self.path} is neither a folder nor a zip file.") from None

    def file(self, name: str) -> str:
        """The path of a feed file, for messages."""
        return str(self.path / f"{name}.txt")

    def table(self, name: str) -> pd.DataFrame:
        """A table, or an empty one if the feed has no such file."""
        return self.tables.get(name, pd.DataFrame())

    def services_on(self, day: dt.date) -> set[str]:
        """Return the ``service_id`` s running on ``day`` (calendar, then calendar_dates)."""
        out: set[str] = set()
        ymd = day.strftime("%Y%m%d")
        cal = self.table("calendar")
        if len(cal):
            ok = (cal[WEEKDAYS[day.weekday()]] == "1") & (cal["start_date"] <= ymd) & (cal["end_date"] >= ymd)
            out |= set(cal.loc[ok, "service_id"])
        cd = self.table("calendar_dates")
        if len(cd):
            today = cd[cd["date"] == ymd]
            out |= set(today.loc[today["exception_type"] == "1", "service_id"])
            out -= set(today.loc[today["exception_type"] == "2", "service_id"])
        return out

    def calendar_span(self) -> tuple[str, str]:
        """Return the first and last date (``YYYY-MM-DD``) the calendar files mention."""
        dates: list[str] = []
        cal, cd = self.table("calendar"), self.table("calendar_dates")
        if len(cal):
            dates += [*cal["start_date"], *cal["end_date"]]
        if len(cd):
            dates += list(cd["date"])
        dates = sorted(d for d in dates if len(d) == 8)
        if not dates:
            return "", ""
        return tuple(f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in (dates[0], dates[-1]))  # type: ignore[return-value]


def _clock(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Minutes from ``H:MM:SS`` strings (blank -> NaN) and a mask of malformed ones."""
    parts = text.str.split(":", expand=True)
    blank = text == ""
    if parts.shape[1] != 3:
        bad = ~blank.to_numpy()
        return np.full(len(text), np.nan), bad
    num = parts.apply(pd.to_numeric, errors="coerce")
    minutes = (num[0] * 60 + num[1] + num[2] / 60).to_numpy(float, copy=True)
    bad = (~blank & (num.isna().any(axis=1) | (num[1] >= 60) | (num[2] >= 60) | (num < 0).any(axis=1))).to_numpy()
    minutes[blank.to_numpy() | bad] = np.nan
    return minutes, bad


def _interpolate(t: np.ndarray, dist: np.ndarray) -> np.ndarray:
    known = ~np.isnan(t)
    if known.all():
        return t
    x = dist if not np.isnan(dist).any() and (np.diff(dist) >= 0).all() else np.arange(len(t), dtype=float)
    out = t.copy()
    out[~known] = np.interp(x[~known], x[known], t[known])
    return out


def day_stop_times(feed: Feed, day: dt.date) -> pd.DataFrame:
    """Return the stop times of every trip running on ``day``, checked and frequency-expanded.

    Returns
    -------
    pandas.DataFrame
        One row per stop of a trip, in trip and stop order: ``trip_id`` (``ID@HH:MM:SS`` for a
        trip expanded from ``frequencies.txt``), ``route_id``, ``trip_short_name``, ``seq``
        (1..n), ``stop_id``, ``arr``, ``dep`` (minutes), ``pickup``, ``dropoff`` (bool),
        ``line`` (the stop_times.txt line the row came from).

    Raises
    ------
    InvalidOptionError
        No service runs on ``day`` (the message gives the calendar's span).
    ValidationError
        Every unknown stop, malformed or missing time, one-stop trip and trip going back in
        time, with its file and line.
    """
    running = feed.services_on(day)
    trips = feed.tables["trips"]
    trips = trips[trips["service_id"].isin(running)]
    if trips.empty:
        first, last = feed.calendar_span()
        span = f" (its calendar runs from {first} to {last})" if first else ""
        raise InvalidOptionError(f"no trip of GTFS feed {feed.path} runs on {day}{span}; choose a date it serves.")
    st = feed.tables["stop_times"]
    for col in ("pickup_type", "drop_off_type", "shape_dist_traveled"):
        if col not in st.columns:
            st = st.assign(**{col: ""})
    st = st.assign(line=np.arange(len(st)) + 2)
    st = st[st["trip_id"].isin(set(trips["trip_id"]))]
    probs = Problems(f"GTFS feed {feed.path}")
    f_st = feed.file("stop_times")
    known_stops = set(feed.tables["stops"]["stop_id"])
    for r in st.loc[~st["stop_id"].isin(known_stops), ["line", "trip_id", "stop_id"]].itertuples(index=False):
        probs.add(f_st, r.line, f"trip {r.trip_id} stops at {r.stop_id!r}, not in stops.txt", "fix the stop_id")
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce")
    arr, bad_a = _clock(st["arrival_time"])
    dep, bad_d = _clock(st["departure_time"])
    for r in st.loc[bad_a | bad_d | seq.isna().to_numpy(), ["line", "trip_id"]].itertuples(index=False):
        probs.add(f_st, r.line, f"trip {r.trip_id} has a malformed time or stop_sequence", "write times as HH:MM:SS")
    probs.raise_if_any()
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    st = st.assign(seq_n=seq.to_numpy(int), arr=arr, dep=dep)
    st = st.sort_values(["trip_id", "seq_n"], kind="stable")
    dist = pd.to_numeric(st["shape_dist_traveled"], errors="coerce").to_numpy(float)
    info = trips.set_index("trip_id")
    short = info["trip_short_name"] if "trip_short_name" in info.columns else pd.Series("", index=info.index)
    freq = feed.table("frequencies")
    pieces = []
    bounds = np.flatnonzero(np.r_[True, st["trip_id"].to_numpy()[1:] != st["trip_id"].to_numpy()[:-1], True])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        g = st.iloc[lo:hi]
        tid = g["trip_id"].iloc[0]
        lines = g["line"].to_numpy()
        if hi - lo < 2:
            probs.add(f_st, int(lines[0]), f"trip {tid} has {hi - lo} stop", "a trip needs at least two stops")
            continue
        a, d = g["arr"].to_numpy(copy=True), g["dep"].to_numpy(copy=True)
        if np.isnan(d[0]) or np.isnan(a[-1]):
            probs.add(f_st, int(lines[0]), f"trip {tid} has no time at its first or last stop", "give both times")
            continue
        a, d = _interpolate(a, dist[lo:hi]), _interpolate(d, dist[lo:hi])
        a[0], d[-1] = d[0], a[-1]  # the schema: first arrival = departure, last departure = arrival
        times = np.column_stack([a, d]).ravel()
        back = np.flatnonzero(np.diff(times) < 0)
        if back.size:
            p = int(back[0] // 2) + (1 if back[0] % 2 else 0)
            probs.add(f_st, int(lines[p]), f"trip {tid} goes back in time at stop {g['stop_id'].iloc[p]}",
                      "times must not decrease along a trip")  # fmt: skip
            continue
        piece = pd.DataFrame(
            {
                "trip_id": tid,
                "route_id": info.at[tid, "route_id"],
                "trip_short_name": short.get(tid, ""),
                "seq": np.arange(1, hi - lo + 1),
                "stop_id": g["stop_id"].to_numpy(),
                "arr": a,
                "dep": d,
                "pickup": g["pickup_type"].to_numpy() != "1",
                "dropoff": g["drop_off_type"].to_numpy() != "1",
                "line": lines,
            }
        )
        pieces.extend(_expand_frequencies(piece, freq[freq["trip_id"] == tid] if len(freq) else freq, feed, probs))
    probs.raise_if_any()
    return pd.concat(pieces, ignore_index=True)


def _expand_frequencies(piece: pd.DataFrame, rows: pd.DataFrame, feed: Feed, probs: Problems) -> list[pd.DataFrame]:
    """The trip itself, or one copy per departure of its ``frequencies.txt`` rows."""
    if rows.empty:
        return [piece]
    out = []
    start0 = float(piece["dep"].iloc[0])
    for i, r in rows.iterrows():
        (start, end), bad = _clock(pd.Series([r["start_time"], r["end_time"]]))
        headway = pd.to_numeric(pd.Series([r["headway_secs"]]), errors="coerce").iloc[0] / 60
        if bad.any() or np.isnan([start, end]).any() or not headway > 0:
            probs.add(feed.file("frequencies"), int(i) + 2, f"trip {r['trip_id']} has a bad start, end or headway")
            continue
        k = 0
        while start + k * headway < end - 1e-9:
            t0 = start + k * headway
            c = piece.assign(arr=piece["arr"] - start0 + t0, dep=piece["dep"] - start0 + t0)
            secs = round(t0 * 60)
            c["trip_id"] = f"{piece['trip_id'].iloc[0]}@{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
            out.append(c)
            k += 1
    return out
