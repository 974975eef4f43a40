"""Checking the values of a network's tables and ``network.yaml``: numbers where numbers belong, in range.

Run by :func:`commute.io.network_checks.validate_network` before anything converts a cell:
a coordinate written ``east``, a latitude of ``nan`` or 400, a stop sequence ``first`` or a
negative dwell becomes a problem with its file and line instead of a traceback (or a wrong
answer) further on.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from commute.errors import Problems

if TYPE_CHECKING:
    from commute.io.network import Network


class Range(NamedTuple):
    """What a numeric column accepts: ``low <= v <= high``, whole numbers only if ``integer``."""

    low: float
    high: float
    what: str
    integer: bool = False
    blank_ok: bool = False


_LON = Range(-180, 180, "a longitude in degrees, -180 to 180")
_LAT = Range(-90, 90, "a latitude in degrees, -90 to 90")
_MIN = Range(0, 10_000, "minutes, 0 or more", blank_ok=True)

#: Numeric columns checked here (lengths, speeds, lanes and headways are checked as positive
#: in :mod:`commute.io.network_checks`; opening years there too).
RANGES: dict[str, dict[str, Range]] = {
    "places": {"lon": _LON, "lat": _LAT, "area_km2": Range(0, 1e6, "an area in km², 0 or more", blank_ok=True)},
    "stations": {"lon": _LON, "lat": _LAT},
    "road_nodes": {"lon": _LON, "lat": _LAT},
    "service_stops": {
        "seq": Range(1, 1e6, "a stop number 1, 2, 3, ...", integer=True),
        "km": Range(0, 1e5, "a distance in km, 0 or more", blank_ok=True),
        "run_min": _MIN,
        "dwell_min": _MIN,
        "line_km": Range(-1e5, 1e5, "a line kilometre", blank_ok=True),
    },
    "services": {"trains_per_day": Range(0, 1e5, "a count of trains, 0 or more", integer=True, blank_ok=True)},
    "trip_stops": {"seq": Range(1, 1e6, "a stop number 1, 2, 3, ...", integer=True)},
    "transfers": {"min_transfer_min": _MIN},
}


def number(v: Any) -> float | None:
    """``v`` as a finite float, or None (blank, text, NaN or infinite)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def check_values(net: Network, probs: Problems) -> bool:
    """Add a problem for every numeric cell that is not a number in its range; True if all are fine."""
    before = probs.count
    for name, cols in RANGES.items():
        if name not in net.tables:
            continue
        df = net.tables[name]
        file = str(net.folder / f"{name}.csv")
        for col, r in cols.items():
            if col not in df.columns:
                continue
            for i, v in enumerate(df[col].tolist()):
                if _blank(v) and r.blank_ok:
                    continue
                f = number(v)
                shown = "empty" if _blank(v) else repr(v) if isinstance(v, str) else f"{v:g}"
                if f is None:
                    probs.add(file, i + 2, f"{col} {shown} is not a number", f"give {r.what}")
                elif r.integer and f != int(f):
                    probs.add(file, i + 2, f"{col} {shown} is not a whole number", f"give {r.what}")
                elif not r.low <= f <= r.high:
                    probs.add(file, i + 2, f"{col} {shown} is out of range", f"give {r.what}")
    return probs.count == before


#: Keys of ``network.yaml`` that must be whole years, and keys that must be text.
_YEAR_KEYS = ("base_year", "default_year", "last_year")
_TEXT_KEYS = ("name", "title", "crs", "metric_crs", "kind")
_MAP_KEYS = ("parameters", "derived")


def check_meta(meta: Any, path: Path, probs: Problems) -> dict[str, Any]:
    """The ``network.yaml`` mapping as plain data, with a problem for each key of the wrong type."""
    from commute.io.yamlio import plain

    f = str(path)
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        probs.add(f, getattr(meta, "line", 1), "network.yaml must be a mapping of keys", "write `name: ...` lines")
        return {}
    lines = getattr(meta, "lines", {})
    for k in _YEAR_KEYS:
        if k in meta:
            v = meta[k]
            if isinstance(v, bool) or not isinstance(v, int) or not 1800 <= v <= 2200:
                probs.add(f, lines.get(k, 0), f"{k} {v!r} is not a year", f"give {k} as a year such as 2021")
    for k in _TEXT_KEYS:
        if k in meta and not isinstance(meta[k], str | int):
            probs.add(f, lines.get(k, 0), f"{k} must be text, not {type(meta[k]).__name__}", f"write {k}: <text>")
    for k in _MAP_KEYS:
        if k in meta and meta[k] is not None and not isinstance(meta[k], dict):
            probs.add(f, lines.get(k, 0), f"{k} must be a mapping", f"indent {k}'s entries under `{k}:`")
    by, ly = meta.get("base_year"), meta.get("last_year")
    if isinstance(by, int) and isinstance(ly, int) and by > ly:
        probs.add(f, lines.get("last_year", 0), f"last_year {ly} is before base_year {by}", "swap them")
    return plain(meta)
