"""``reach``: every pair from ``from`` to ``to`` within ``within_min`` minutes."""

from __future__ import annotations

from typing import Any

from commute.results.rules.base import CheckContext, Rule, RuleKind, register
from commute.results.rules.pairs import pair_rows
from commute.search import api


@register
class Reach(RuleKind):
    """Minutes of the best journey of each pair (over the rule's departure window) against a limit."""

    kind = "reach"
    keys = frozenset(
        {"from", "to", "within_min", "measure", "modes", "depart", "step", "statistic", "exclude_same_city"}
    )
    required = frozenset({"id", "from", "to", "within_min"})
    journeys = True

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per pair: the matrix minutes against ``within_min``."""
        eng = ctx.engine_for(rule.modes, rule.measure, rule.query)
        origins, dests = ctx.endpoints(rule, "from"), ctx.endpoints(rule, "to")
        out = api.matrix(eng, origins, dests)
        return pair_rows(ctx, rule, eng, origins, dests, out, float(rule.spec["within_min"]))
