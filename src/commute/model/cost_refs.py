"""Look-ups the money verbs share (``set_fare``, ``set_toll``, ``monthly_pass``, ``discount``).

A verb's ``covers`` is a mapping of ``services`` (service ids, both directions), ``classes``
(train classes such as ``C``, ``D``, ``G``), ``roads`` (road names or their start such as
``G50 沪渝高速``, road classes, link or corridor ids) and ``within`` (places or cities whose
ends every covered ride or link must have). Every reference is checked against the scenario's
graph and every problem recorded with the change's file and line. The form of these fields
is checked by :mod:`commute.model.changes.form`.
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
