"""``set_toll``: another toll on a road, a list of roads, or every expressway in a set of places (0: free)."""

from __future__ import annotations

from typing import Any

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.cost_refs import add_rule, cover_of
from commute.model.cost_rules import TollOverride


@register
class SetToll(ChangeType):
    """``- set_toll: {roads: [names] | places: [places], per_km_cny, flat_cny}``.

    ``roads`` are road names (or their start), road classes, link or corridor ids; ``places``
    stands for every expressway link with both ends in those places or cities.
    """

    verb = "set_toll"
    form = Form.of(
        "roads:names places:names per_km_cny:money flat_cny:money", any_of=["roads places", "per_km_cny flat_cny"]
    )

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the toll override to the graph's cost rules."""
        a = ch.args
        cov: dict[str, Any] = {"roads": _names(a.get("roads")) or ["expressway"]}
        if a.get("places"):
            cov["within"] = _names(a["places"])
        cover = cover_of(ctx, ch, cov, probs, key="roads" if "roads" in a else "places")
        if cover is not None:
            add_rule(ctx, "toll_overrides", TollOverride(cover, _opt(a, "per_km_cny"), _opt(a, "flat_cny")))

    def describe(self, ch: Change, net: Network) -> str:
        """Which roads and the new toll."""
        a = ch.args
        where = ", ".join(_names(a.get("roads"))) or f"every expressway in {', '.join(_names(a.get('places')))}"
        bits = [f"{a[k]} {k.replace('_cny', '').replace('_', ' ')}" for k in ("per_km_cny", "flat_cny") if k in a]
        return f"Set the toll of {where} to {' and '.join(bits)}."


def _names(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else [str(x) for x in v or ()]


def _opt(a: dict[str, Any], k: str) -> float | None:
    return float(a[k]) if k in a else None
