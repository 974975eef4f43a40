"""``discount``: a share off the fares and tolls of some services and roads (同卡同折)."""

from __future__ import annotations

from typing import ClassVar

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, Fields, register
from commute.model.cost_refs import add_rule, check_covers, cover_of, describe_cover, number
from commute.model.cost_rules import Discount


@register
class DiscountChange(ChangeType):
    """``- discount: {share: 0.2, covers: {services, classes, roads, within}}`` (0.2 is 20 % off)."""

    verb = "discount"
    fields: ClassVar[Fields] = {"share": (True, "share"), "covers": (True, "covers")}

    def check(self, ch: Change, probs: Problems) -> None:
        """A share from 0 to 1 and a cover that names something."""
        number(ch, "share", probs, lo=0.0, hi=1.0)
        check_covers(ch, probs)

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the discount to the graph's cost rules."""
        cover = cover_of(ctx, ch, ch.args["covers"], probs)
        if cover is not None:
            add_rule(ctx, "discounts", Discount(cover, float(ch.args["share"])))

    def describe(self, ch: Change, net: Network) -> str:
        """The share and what it covers."""
        share = ch.args.get("share")
        pct = f"{100 * share:g} %" if isinstance(share, int | float) else str(share)
        return f"Discount of {pct} on {describe_cover(ch.args.get('covers'))}."
