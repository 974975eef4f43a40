"""The form every change type shares: a declarative schema and the checks it runs.

A verb declares its :class:`Form` with :meth:`Form.of`: its fields as ``"name:kind"`` words
(``name!:kind`` for a required one) and the groups of fields that go together. A field kind
names what a value must look like; ``RANGES`` and ``AMOUNTS`` give the numeric kinds their
bounds. Every problem is recorded at once, each at its field's line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from commute.errors import Problems
from commute.model.params import ROAD_CLASSES

if TYPE_CHECKING:
    from commute.model.changes.base import Change

Fields = dict[str, tuple[bool, str]]

RANGES: dict[str, tuple[float, float]] = {
    "km": (0.1, 3000.0),
    "road_speed": (5.0, 130.0),
    "lanes": (1, 12),
    "rail_speed": (20.0, 400.0),
    "headway": (1.0, 1440.0),
    "tpd": (0.1, 1000.0),
    "dwell": (0.0, 60.0),
}
#: Amounts of the money verbs: a price, a share off, the trips a pass is spread over.
AMOUNTS: dict[str, tuple[float, float]] = {"money": (0.0, math.inf), "share": (0.0, 1.0), "trips": (1.0, 200.0)}
#: Kinds checked by their own rule below (``train_class`` is checked against the runtime model later).
KINDS = frozenset(RANGES) | frozenset(AMOUNTS) | {
    "str", "node", "class", "svc_mode", "bool", "stations", "runs", "kms", "links", "new_stations",
    "covers", "table", "names", "train_class",
}  # fmt: skip
COVER_KEYS = ("services", "classes", "roads", "within")


@dataclass(frozen=True)
class Form:
    """A verb's schema: ``fields`` (``{name: (required, kind)}``) and the groups that go together.

    Each ``any_of`` group needs one of its fields at least (else the change does nothing);
    each ``only_one`` group allows one of its fields at the most.
    """

    fields: Fields = field(default_factory=dict)
    any_of: tuple[tuple[str, ...], ...] = ()
    only_one: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, spec: str = "", *, any_of: Sequence[str] = (), only_one: Sequence[str] = ()) -> Form:
        """A form from ``"name:kind"`` words (``name!:kind`` is required) and groups of names.

        Raises
        ------
        ValueError
            If a kind is unknown or a group names a field the form lacks (a bug in a verb).

        Example
        -------
        >>> f = Form.of("service!:str headway_min:headway speed_kmh:rail_speed", any_of=["headway_min speed_kmh"])
        >>> f.fields["service"], f.any_of
        ((True, 'str'), (('headway_min', 'speed_kmh'),))
        """
        fields: Fields = {}
        for word in spec.split():
            name, _, kind = word.partition(":")
            if kind not in KINDS:
                raise ValueError(f"field {name!r}: kind {kind!r} is unknown; use one of {', '.join(sorted(KINDS))}")
            fields[name.rstrip("!")] = (name.endswith("!"), kind)
        groups = tuple(tuple(g.split()) for g in any_of), tuple(tuple(g.split()) for g in only_one)
        unknown = sorted({k for g in groups for keys in g for k in keys} - set(fields))
        if unknown:
            raise ValueError(f"a group names {', '.join(unknown)}, not a field of the form")
        return cls(fields, *groups)

    def check(self, verb: str, ch: Change, probs: Problems) -> bool:
        """Check a change against the form; False if its arguments are not a mapping."""
        if not check_fields(verb, self.fields, ch, probs):
            return False
        for keys in self.any_of:
            if not any(k in ch.args for k in keys):
                ch.problem(probs, f"{verb} changes nothing", f"give {', '.join(keys[:-1])} or {keys[-1]}")
        for keys in self.only_one:
            given = [k for k in keys if k in ch.args]
            if len(given) > 1:
                both = "both " if len(given) == 2 else ""
                ch.problem(probs, f"{verb} gives {both}{' and '.join(given)}", f"keep one of {', '.join(keys)}")
        return True


def check_fields(verb: str, spec: Fields, ch: Change, probs: Problems) -> bool:
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
    elif kind in AMOUNTS:
        number(ch, k, probs, lo=AMOUNTS[kind][0], hi=AMOUNTS[kind][1])
    elif kind == "covers":
        check_covers(ch, probs, k)
    elif kind == "table":
        check_table(ch, probs, k)
    elif kind == "names" and v is not None and not (isinstance(v, str) or (isinstance(v, list) and v)):
        ch.problem(probs, f"{ch.verb} {k} must be a name or a list of names", f"e.g. {k}: [a, b]", key=k)


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


def number(ch: Change, key: str, probs: Problems, *, lo: float = 0.0, hi: float = math.inf) -> bool:
    """Whether field ``key`` (if given) is a number from ``lo`` to ``hi``; a problem otherwise."""
    if key not in ch.args:
        return True
    v = ch.args[key]
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
        ch.problem(probs, f"{ch.verb} {key} {v!r} is not a number", f"give a number from {lo:g} to {hi:g}", key=key)
        return False
    if not lo <= v <= hi:
        what = "negative" if v < 0 else f"outside {lo:g}-{hi:g}"
        hint = "give zero or more" if math.isinf(hi) and lo == 0 else f"give a number from {lo:g} to {hi:g}"
        ch.problem(probs, f"{ch.verb} {key} {v} is {what}", hint, key=key)
        return False
    return True


def check_covers(ch: Change, probs: Problems, key: str = "covers") -> None:
    """The form of a ``covers`` mapping: known keys, lists of names, not empty."""
    cov = ch.args.get(key)
    if not isinstance(cov, dict):
        ch.problem(probs, f"{ch.verb} {key} must be a mapping", "e.g. covers: {services: [wuhuang_intercity]}", key=key)
        return
    for k, v in cov.items():
        if k not in COVER_KEYS:
            ch.problem(probs, f"{ch.verb} {key} has no field {k!r}", f"use {', '.join(COVER_KEYS)}", key=key)
        elif not (isinstance(v, list) and all(isinstance(x, str | int) for x in v)):
            ch.problem(probs, f"{ch.verb} {key}.{k} must be a list of names", f"e.g. {k}: [a, b]", key=key)
    if not any(cov.get(k) for k in ("services", "classes", "roads")):
        ch.problem(
            probs, f"{ch.verb} covers nothing", "list services, classes or roads under covers", key=key
        )  # fmt: skip


def check_table(ch: Change, probs: Problems, key: str = "table") -> None:
    """A fare table: bands ``{from_km, to_km, base_cny, per_km_cny}`` from 0 km without gaps, the last open."""
    t = ch.args.get(key)
    if t is None:
        return
    bad = not isinstance(t, list) or not t or not all(isinstance(b, dict) and "from_km" in b for b in t)
    if bad:
        hint = "e.g. table: [{from_km: 0, to_km: 50, base_cny: 5}, {from_km: 50, per_km_cny: 0.3}]"
        ch.problem(probs, f"{ch.verb} {key} must list bands", hint, key=key)
        return
    prev = 0.0
    for i, b in enumerate(t):
        vals = [b.get(k, d) for k, d in (("from_km", 0), ("to_km", None), ("base_cny", 0), ("per_km_cny", 0))]
        if any(v is not None and (not isinstance(v, int | float) or v < 0) for v in vals):
            msg = f"{ch.verb} {key} band {i + 1} has a negative or non-numeric value"
            ch.problem(probs, msg, "use numbers of zero or more", key=key)
            return
        if float(vals[0]) != prev:
            what = "a gap" if float(vals[0]) > prev else "an overlap"
            ch.problem(probs, f"{ch.verb} {key} has {what} at {prev} km (band {i + 1} starts at {vals[0]} km)",
                       "make each band start where the previous one ends, the first at 0", key=key)  # fmt: skip
            return
        last = i == len(t) - 1
        if vals[1] is None and not last:
            msg = f"{ch.verb} {key} band {i + 1} has no to_km"
            ch.problem(probs, msg, "give to_km (only the last band is open)", key=key)
            return
        if vals[1] is not None:
            if last:
                ch.problem(probs, f"{ch.verb} {key} ends at {vals[1]} km", "leave the last band's to_km out", key=key)
                return
            if float(vals[1]) <= prev:
                ch.problem(probs, f"{ch.verb} {key} band {i + 1} is empty", "make to_km > from_km", key=key)
                return
            prev = float(vals[1])
