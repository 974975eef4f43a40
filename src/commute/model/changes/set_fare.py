"""``set_fare``: another fare for services, train classes or a line (per km, flat, or a distance table)."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.cost_refs import add_rule, cover_of, describe_cover, table_of
from commute.model.cost_rules import FareOverride


@register
class SetFare(ChangeType):
    """``- set_fare: {covers: {services, classes, within}, per_km_cny [, base_cny] | flat_cny | table}``.

    ``table`` lists bands ``{from_km, to_km, base_cny, per_km_cny}`` from 0 km, each starting
    where the previous ends, the last without ``to_km``.
    """

    verb = "set_fare"
    form = Form.of(
        "covers!:covers per_km_cny:money base_cny:money flat_cny:money table:table",
        any_of=["per_km_cny flat_cny table"],
        only_one=["per_km_cny flat_cny table"],
    )

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the fare override to the graph's cost rules."""
        cover = cover_of(ctx, ch, ch.args["covers"], probs)
        if cover is not None:
            add_rule(ctx, "overrides", FareOverride(cover, table_of(ch.args)))

    def describe(self, ch: Change, net: Network) -> str:
        """What is priced and how."""
        a = ch.args
        how = (
            f"{a['flat_cny']} flat" if "flat_cny" in a
            else f"{a['per_km_cny']} per km" if "per_km_cny" in a
            else f"a table of {len(a.get('table') or [])} bands"
        )  # fmt: skip
        return f"Set the fare of {describe_cover(a.get('covers'))} to {how}."
