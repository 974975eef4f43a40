"""``affordable``: every pair from ``from`` to ``to`` by a journey within a time and a money bound.

A pair passes when one candidate journey of the rule's modes and window (see
:mod:`commute.results.cost_journeys`) takes at most ``within_min`` minutes, costs at most
``max_fare_cny`` and has a generalized cost of at most ``max_generalized_min`` (each bound
optional, at least one given). Its row reports that journey (or, if none passes, the one of
least generalized cost) with its fare.
"""

from __future__ import annotations

import math
from typing import Any

from commute.model.cost import costs_of, generalized
from commute.model.modes import parse_modes
from commute.results.cost_journeys import Journey, candidates
from commute.results.rules.base import CheckContext, Rule, RuleKind, register, row
from commute.results.rules.pairs import describe, skip


@register
class Affordable(RuleKind):
    """Minutes and fare of each pair's journeys against time, fare and generalized-cost limits."""

    kind = "affordable"
    keys = frozenset(
        {"from", "to", "within_min", "max_fare_cny", "max_generalized_min", "value_of_time", "measure", "modes",
         "depart", "step", "exclude_same_city"}
    )  # fmt: skip
    required = frozenset({"id", "from", "to"})
    journeys = True

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per pair: the first journey meeting every bound, with its fare."""
        s = rule.spec
        vot = float(s.get("value_of_time", costs_of(ctx.G).value_of_time))
        lim_t = float(s.get("within_min", math.inf))
        lim_f = float(s.get("max_fare_cny", math.inf))
        lim_g = float(s.get("max_generalized_min", math.inf))
        rows = []
        for a in ctx.endpoints(rule, "from"):
            for b in ctx.endpoints(rule, "to"):
                if skip(rule, a, b):
                    continue
                js: list[Journey] = []
                for m in sorted(parse_modes(rule.modes), key=lambda x: x.value):
                    js += candidates(ctx.G, a, b, m, rule.measure, rule.query)

                def ok(j: Journey) -> bool:
                    g = generalized(j.minutes, j.fare, vot)
                    return j.minutes <= lim_t + 1e-9 and j.fare <= lim_f + 1e-9 and g <= lim_g + 1e-9

                good = [j for j in js if ok(j)]
                pick = min(good or js, key=lambda j: (generalized(j.minutes, j.fare, vot), j.minutes), default=None)
                t = math.nan if pick is None else pick.minutes
                trip_modes, text = ("", "") if pick is None or not ctx.legs else describe(ctx.G, list(pick.legs))
                r = row(ctx, rule, a, b, t, lim_t, trip_modes, text)
                r["passed"] = bool(good)
                r["fare_cny"] = math.nan if pick is None else pick.fare
                r["max_fare_cny"] = lim_f
                r["generalized_min"] = math.nan if pick is None else generalized(pick.minutes, pick.fare, vot)
                r["max_generalized_min"] = lim_g
                rows.append(r)
        return rows
