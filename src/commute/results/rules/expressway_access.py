"""``expressway_access``: every place within ``within_min`` minutes of an expressway junction."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from commute.model.ids import place_node
from commute.model.modes import Measure
from commute.results.rules.base import CheckContext, Rule, RuleKind, register, row
from commute.search import engine as E
from commute.search import transit as T


@register
class ExpresswayAccess(RuleKind):
    """Road minutes from each place to the nearest node on an expressway link."""

    kind = "expressway_access"
    keys = frozenset({"places", "within_min"})
    required = frozenset({"id", "places"})

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per place: minutes to the nearest expressway junction against ``within_min``."""
        limit = float(rule.spec.get("within_min", 30))
        eng = ctx.engine_for("road", Measure.DOOR_TO_DOOR, T.Query())
        assert isinstance(eng, E.Engine)
        ends = expressway_nodes(ctx.G, eng)
        rows = []
        for p in ctx.endpoints(rule, "places"):
            dist, _ = E.search(eng, [eng.node_of[place_node(p.place)]], cutoff=limit * 4)
            ts = dist[ends] if len(ends) else np.array([np.nan])
            t = float(np.nanmin(ts)) if np.isfinite(ts).any() else np.nan
            rows.append(row(ctx, rule, p, p, t, limit, "road", "to the nearest expressway junction"))
        return rows


def expressway_nodes(G: nx.MultiDiGraph, eng: E.Engine) -> np.ndarray:
    """Engine indices of the nodes on an expressway link that is open in ``eng``."""
    nodes = {u for u, v, d in G.edges(data=True) if d.get("kind") == "road" and d.get("road_class") == "expressway"}
    idx = sorted(eng.node_of[n] for n in nodes)
    # a junction whose expressway links are all closed in a patched engine is no longer one
    live = {int(u) for u, lab in zip(eng.edges_u, eng.labels, strict=True) if lab.kind == "road"}
    return np.array([i for i in idx if i in live or not len(eng.labels)], dtype=int)
