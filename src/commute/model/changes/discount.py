"""``discount``: a share off the fares and tolls of some services and roads (同卡同折)."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.cost_refs import add_rule, cover_of, describe_cover
from commute.model.cost_rules import Discount


@register
class DiscountChange(ChangeType):
    """``- discount: {share: 0.2, covers: {services, classes, roads, within}}`` (0.2 is 20 % off)."""

    verb = "discount"
    form = Form.of("share!:share covers!:covers")

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
