"""``monthly_pass``: a monthly pass (月票制) over services, train classes and roads, spread over its trips."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.fares import load_costs
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.cost import costs_of
from commute.model.cost_refs import add_rule, cover_of, describe_cover
from commute.model.cost_rules import Pass


@register
class MonthlyPass(ChangeType):
    """``- monthly_pass: {price, covers: {services, classes, roads, within}, trips_per_month, name}``.

    ``trips_per_month`` defaults to the network's (``costs.yaml``). A journey's covered fares
    and tolls cost ``price / trips_per_month`` together (if that is less than they would cost
    without the pass).
    """

    verb = "monthly_pass"
    form = Form.of("price!:money covers!:covers trips_per_month:trips name:str")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the pass to the graph's cost rules."""
        cover = cover_of(ctx, ch, ch.args["covers"], probs)
        if cover is None:
            return
        trips = float(ch.args.get("trips_per_month", costs_of(ctx.G).trips_per_month))
        name = str(ch.args.get("name", f"pass {ch.args['price']}"))
        add_rule(ctx, "passes", Pass(name, float(ch.args["price"]), trips, cover))

    def describe(self, ch: Change, net: Network) -> str:
        """The price and what it covers."""
        trips = ch.args.get("trips_per_month", load_costs(net.folder).trips_per_month)
        what = describe_cover(ch.args.get("covers"))
        return f"Monthly pass at {ch.args.get('price')} for {what} ({trips} trips a month)."
