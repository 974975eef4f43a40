"""Rows of the journey rule kinds (``reach``, ``day_trip``): one per origin and destination."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from commute.model.places import Endpoint
from commute.results.rules.base import CheckContext, Rule, row
from commute.search import api
from commute.search import engine as E


def skip(rule: Rule, a: Endpoint, b: Endpoint) -> bool:
    """Whether a pair is left out: the same place, or the same city unless the rule keeps those."""
    if a.key == b.key:
        return True
    return bool(rule.spec.get("exclude_same_city", True)) and a.city == b.city


def describe(G: nx.MultiDiGraph, legs: list[E.Leg]) -> tuple[str, str]:
    """The modes of a trip (``"rail+road"``) and its legs in words."""
    modes = sorted({leg.mode for leg in legs if leg.kind in ("ride", "road")})
    return "+".join(modes), "; ".join(leg.describe(G) for leg in legs)


def pair_rows(
    ctx: CheckContext,
    rule: Rule,
    eng: api.AnyEngine,
    origins: list[Endpoint],
    dests: list[Endpoint],
    out: np.ndarray,
    limit: float,
    back: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """One row per kept pair: minutes ``out[i, j]`` (plus ``back[j, i]`` if given) against ``limit``.

    With ``ctx.legs`` each reachable pair also gets the legs of its best outward trip.
    """
    rows = []
    for i, a in enumerate(origins):
        trips = api.best_trips(eng, a, dests) if ctx.legs and len(dests) > 1 else None
        for j, b in enumerate(dests):
            if skip(rule, a, b):
                continue
            t = float(out[i, j]) + (float(back[j, i]) if back is not None else 0.0)
            trip_modes, text = "", ""
            if ctx.legs and not np.isnan(t):
                trip = trips[j] if trips is not None else api.best_trip(eng, a, b)
                trip_modes, text = describe(ctx.G, trip[1])
            rows.append(row(ctx, rule, a, b, t, limit, trip_modes, text))
    return rows
