"""The schema check shared by every change type: field names, required fields, kinds, ranges.

A field kind names what a value must look like; ``RANGES`` gives the numeric kinds their
bounds. A change type declares ``fields = {name: (required, kind)}`` and gets these checks.
"""

from __future__ import annotations

import math
from typing import Any

from commute.errors import Problems
from commute.model.changes.base import Change
from commute.model.params import ROAD_CLASSES

RANGES: dict[str, tuple[float, float]] = {
    "km": (0.1, 3000.0),
    "road_speed": (5.0, 130.0),
    "lanes": (1, 12),
    "rail_speed": (20.0, 400.0),
    "headway": (1.0, 1440.0),
    "tpd": (0.1, 1000.0),
    "dwell": (0.0, 60.0),
}


def check_fields(verb: str, spec: dict[str, tuple[bool, str]], ch: Change, probs: Problems) -> bool:
    """Check a change's fields against ``spec``; False if its arguments are not a mapping."""
    if not isinstance(ch.args, dict):
        required = ", ".join(k for k, (req, _) in spec.items() if req)
        ch.problem(probs, f"{verb} needs a mapping of fields", f"e.g. - {verb}: {{{required}: ...}}")
        return False
    for k in ch.args:
        if k not in spec:
            ch.problem(probs, f"{verb} has no field {k!r}", f"use {', '.join(spec)}", key=k)
    for k, (req, _kind) in spec.items():
        if req and k not in ch.args:
            ch.problem(probs, f"{verb} lacks required field {k!r}", f"add {k}: ...")
    for k, v in ch.args.items():
        if k in spec:
            _check_value(ch, k, spec[k][1], v, probs)
    return True


def _check_value(ch: Change, k: str, kind: str, v: Any, probs: Problems) -> None:
    if kind in RANGES:
        lo, hi = RANGES[kind]
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            ch.problem(probs, f"{k} {v!r} is not a number", f"give a number from {lo} to {hi}", key=k)
        elif not lo <= v <= hi:
            ch.problem(probs, f"{k} {v} is outside {lo}-{hi}", "check the units (km, km/h, minutes)", key=k)
    elif kind == "str" and (isinstance(v, bool) or not isinstance(v, str | int) or not str(v).strip()):
        ch.problem(probs, f"{k} must be a name or id, not {_show(v)}", f"write {k}: <text>", key=k)
    elif kind == "node" and isinstance(v, dict):
        check_point(ch, k, f"new junction in {k}", v, ("id", "lon", "lat"), probs)
    elif kind == "node" and (isinstance(v, bool) or not isinstance(v, str | int)):
        ch.problem(probs, f"{k} must be a place, a junction id or {{id, lon, lat}}", f"e.g. {k}: 武汉", key=k)
    elif kind == "class" and (not isinstance(v, str) or v not in ROAD_CLASSES):
        ch.problem(probs, f"road class {v!r} is unknown", f"use one of {', '.join(ROAD_CLASSES)}", key=k)
    elif kind == "svc_mode" and (not isinstance(v, str) or v not in ("rail", "air")):
        ch.problem(probs, f"service mode {v!r} is unknown", "use rail or air", key=k)
    elif kind == "bool" and not isinstance(v, bool):
        ch.problem(probs, f"{k} must be true or false", "write true or false", key=k)
    elif kind == "stations" and (not isinstance(v, list) or len(v) < 2):
        ch.problem(probs, "stations must list at least two stations in order", "e.g. stations: [汉口, 孝感东]", key=k)
    elif kind == "stations" and not all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
        ch.problem(probs, "stations must be station ids or names", "e.g. stations: [汉口, 孝感东]", key=k)
    elif kind == "stations" and len({str(x) for x in v}) < len(v):
        ch.problem(probs, "stations lists a station twice", "give each stop once, in order", key=k)
    elif kind in ("runs", "kms"):
        _check_per_hop(ch, k, v, probs)
    elif kind == "links" and not (
        (isinstance(v, str) and v.strip()) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v))
    ):
        ch.problem(probs, "link must be a link id or a list of ids", "e.g. link: g4_junshan_bridge:1", key=k)
    elif kind == "new_stations":
        _check_new_stations(ch, k, v, probs)


def _check_per_hop(ch: Change, k: str, v: Any, probs: Problems) -> None:
    if not isinstance(v, list) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and 0 < x <= 3000 for x in v
    ):
        ch.problem(probs, f"{k} must be a list of positive numbers, one per hop", f"e.g. {k}: [12, 15]", key=k)
    elif isinstance(ch.args.get("stations"), list) and len(v) != len(ch.args["stations"]) - 1:
        ch.problem(
            probs,
            f"{k} has {len(v)} values for {len(ch.args['stations']) - 1} hops",
            "give one value per pair of consecutive stations",
            key=k,
        )


def _check_new_stations(ch: Change, k: str, v: Any, probs: Problems) -> None:
    if not isinstance(v, dict) or not v:
        ch.problem(probs, "new_stations must map ids to {name, lon, lat}", "e.g. new_stations: {rs_x: {...}}", key=k)
        return
    for sid, sv in v.items():
        check_point(ch, k, f"new station {sid!r}", sv, ("name", "lon", "lat"), probs)
        if isinstance(sv, dict):
            for opt in ("city", "place"):
                if opt in sv and (isinstance(sv[opt], bool) or not isinstance(sv[opt], str | int)):
                    ch.problem(
                        probs, f"new station {sid!r}: {opt} must be a place name or id", "e.g. city: 武汉", key=k
                    )
            extra = set(map(str, sv)) - {"name", "lon", "lat", "city", "place"}
            if extra:
                ch.problem(
                    probs,
                    f"new station {sid!r} has unknown field(s) {', '.join(sorted(extra))}",
                    "use name, lon, lat, city, place",
                    key=k,
                )


def check_point(ch: Change, k: str, label: str, v: Any, need: tuple[str, ...], probs: Problems) -> bool:
    """A mapping with ``need`` fields whose ``lon`` and ``lat`` are finite WGS84 degrees."""
    if not isinstance(v, dict) or not all(x in v for x in need):
        ch.problem(probs, f"{label} needs {', '.join(need)}", "add the missing fields", key=k)
        return False
    ok = True
    for axis, lim in (("lon", 180.0), ("lat", 90.0)):
        x = v[axis]
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            ch.problem(probs, f"{label}: {axis} {_show(x)} is not a number", f"give {axis} in degrees", key=k)
            ok = False
        elif not -lim <= x <= lim:
            ch.problem(probs, f"{label}: {axis} {x} is outside -{lim:g}..{lim:g}", "give lon, lat in degrees", key=k)
            ok = False
    return ok


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def require_one_of(ch: Change, keys: tuple[str, ...], probs: Problems) -> None:
    """A change that must give at least one of ``keys`` to do anything."""
    if not any(k in ch.args for k in keys):
        ch.problem(probs, f"{ch.verb} changes nothing", f"give {', '.join(keys[:-1])} or {keys[-1]}")
