"""``station_coverage``: every city has a station served by a service of a class on a fast line."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from commute.model.ids import hop_key, station_node
from commute.results.rules.base import CheckContext, Rule, RuleKind, register, row


@register
class StationCoverage(RuleKind):
    """A city passes when one of its stations is served (no minutes; ``legs`` names the stations)."""

    kind = "station_coverage"
    keys = frozenset({"cities", "classes", "min_speed_kmh"})
    required = frozenset({"id", "cities"})

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per city: passed when a station of it is served."""
        classes = set(rule.spec.get("classes", ["G", "D", "C"]))
        vmin = float(rule.spec.get("min_speed_kmh", 200))
        served = served_stations(ctx.G, classes, vmin, ctx.closed_services)
        rows = []
        for c in ctx.endpoints(rule, "cities"):
            hits = [s for s in c.stations if s in served]
            ok = bool(hits)
            names = ", ".join(sorted(ctx.G.nodes[station_node(s)]["name"] for s in hits))
            r = row(ctx, rule, c, c, np.nan, np.nan, "rail" if ok else "", names)
            rows.append({**r, "passed": ok, "short_by_min": np.nan})
        return rows


def served_stations(
    G: nx.MultiDiGraph, classes: set[str], vmin: float, closed: frozenset[str] = frozenset()
) -> set[str]:
    """Stations served by a rail service of one of ``classes`` on a line of at least ``vmin`` km/h.

    A hop with no recorded line speed (run times given by hand) counts by its class alone.
    """
    out: set[str] = set()
    for sid, svc in G.graph["services"].items():
        if svc["mode"] != "rail" or svc["train_class"] not in classes or sid in closed:
            continue
        for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
            v = G.edges[station_node(x), station_node(y), hop_key(sid, i + 1)].get("speed_kmh")
            if v is None or v >= vmin:
                out.update((x, y))
    return out
