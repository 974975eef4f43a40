"""``day_trip``: a return trip with ``stay_hours`` at the destination fits between day start and end."""

from __future__ import annotations

from typing import Any

from commute.results.rules.base import CheckContext, Rule, RuleKind, register
from commute.results.rules.pairs import pair_rows
from commute.search import engine as E
from commute.search import transit as T
from commute.search.daytrip import day_trip


@register
class DayTrip(RuleKind):
    """Out and back travel minutes of each pair against the day left after the stay."""

    kind = "day_trip"
    keys = frozenset({"from", "to", "stay_hours", "day_start", "day_end", "measure", "modes", "exclude_same_city"})
    required = frozenset({"id", "from", "to"})
    journeys = True

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per pair: the day's travel minutes (out and back) against the time left."""
        eng = ctx.engine_for(rule.modes, rule.measure, rule.query)
        origins, dests = ctx.endpoints(rule, "from"), ctx.endpoints(rule, "to")
        start, stay = float(rule.spec.get("day_start", 6)) * 60.0, float(rule.spec.get("stay_hours", 8)) * 60.0
        limit = float(rule.spec.get("day_end", 22)) * 60.0 - start - stay
        if isinstance(eng, T.TransitEngine):
            out = day_trip(eng, origins, dests, day_start=start, stay_min=stay)
            return pair_rows(ctx, rule, eng, origins, dests, out, limit)
        # by road only the time does not depend on the hour
        back, out = E.matrix(eng, dests, origins), E.matrix(eng, origins, dests)
        return pair_rows(ctx, rule, eng, origins, dests, out, limit, back)
