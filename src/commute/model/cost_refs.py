"""Form checks and look-ups the money verbs share (``set_fare``, ``set_toll``, ``monthly_pass``, ``discount``).

A verb's ``covers`` is a mapping of ``services`` (service ids, both directions), ``classes``
(train classes such as ``C``, ``D``, ``G``), ``roads`` (road names or their start such as
``G50 沪渝高速``, road classes, link or corridor ids) and ``within`` (places or cities whose
ends every covered ride or link must have). Every reference is checked against the scenario's
graph and every problem recorded with the change's file and line.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from commute.errors import Problems, UnknownPlaceError
from commute.io.fares import FareBand, FareTable
from commute.model.changes.base import Change, Context
from commute.model.cost import costs_of
from commute.model.cost_rules import Cover, road_matches

COVER_KEYS = ("services", "classes", "roads", "within")


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


def cover_of(ctx: Context, ch: Change, cov: dict[str, Any], probs: Problems, key: str = "covers") -> Cover | None:
    """The :class:`Cover` a ``covers`` mapping names, checking every reference against the graph."""
    G = ctx.G
    svcs = G.graph["services"]
    bases = {str(s.get("base_id") or sid) for sid, s in svcs.items()} | set(svcs)
    ok = True
    services = frozenset(str(x) for x in cov.get("services") or ())
    for s in sorted(services - bases):
        ch.problem(probs, f"service {s!r} is not running in this year", "use a service_id from services.csv", key=key)
        ok = False
    classes = frozenset(str(x) for x in cov.get("classes") or ())
    known = {str(s["train_class"]) for s in svcs.values()}
    for c in sorted(classes - known):
        ch.problem(probs, f"train class {c!r} runs no service", f"use one of {', '.join(sorted(known))}", key=key)
        ok = False
    roads = frozenset(str(x) for x in cov.get("roads") or ())
    links = [
        (str(d.get("name", "")), str(d.get("road_class", "")), str(d.get("link_id", k)))
        for _, _, k, d in G.edges(keys=True, data=True)
        if d.get("kind") == "road"
    ]
    for r in sorted(roads):
        if not any(road_matches(r, *lk) for lk in links):
            ch.problem(
                probs, f"road {r!r} matches no road link", "use a road name from road_links.csv, a class or a link id",
                key=key,
            )  # fmt: skip
            ok = False
    within = set()
    for name in cov.get("within") or ():
        try:
            ep = ctx.index.resolve(str(name))
        except UnknownPlaceError as e:
            ch.problem(probs, str(e), "use a place or city name", key=key)
            ok = False
            continue
        within.add(ep.city or ep.key)
    return Cover(services, classes, roads, frozenset(within)) if ok else None


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


def table_of(args: dict[str, Any]) -> FareTable:
    """The fare table ``set_fare`` gives (flat, per km or bands)."""
    if "table" in args:
        bands = []
        for b in args["table"]:
            to = float(b["to_km"]) if b.get("to_km") is not None else math.inf
            bands.append(
                FareBand(float(b.get("from_km", 0)), to, float(b.get("base_cny", 0)), float(b.get("per_km_cny", 0)))
            )
        return FareTable(tuple(bands))
    if "flat_cny" in args:
        return FareTable.flat(float(args["flat_cny"]))
    return FareTable.per_km(float(args["per_km_cny"]), float(args.get("base_cny", 0)))


def add_rule(ctx: Context, field: str, rule: Any) -> None:
    """Append a rule to one of the graph's cost-rule lists (a new :class:`Costs`; the old is kept unchanged)."""
    c = costs_of(ctx.G)
    new: dict[str, Any] = {field: (*getattr(c, field), rule)}
    ctx.G.graph["costs"] = replace(c, **new)


def describe_cover(cov: Any) -> str:
    """A cover in words."""
    if not isinstance(cov, dict):
        return "nothing"
    bits = [f"{k} {', '.join(map(str, cov[k]))}" for k in ("services", "classes", "roads") if cov.get(k)]
    text = "; ".join(bits) or "nothing"
    return text + (f" within {', '.join(map(str, cov['within']))}" if cov.get("within") else "")
