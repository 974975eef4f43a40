"""``set_toll``: another toll on a road, a list of roads, or every expressway in a set of places (0: free)."""

from __future__ import annotations

from typing import Any, ClassVar

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, Fields, register
from commute.model.changes.form import require_one_of
from commute.model.cost_refs import add_rule, cover_of, number
from commute.model.cost_rules import TollOverride


@register
class SetToll(ChangeType):
    """``- set_toll: {roads: [names] | places: [places], per_km_cny, flat_cny}``.

    ``roads`` are road names (or their start), road classes, link or corridor ids; ``places``
    stands for every expressway link with both ends in those places or cities.
    """

    verb = "set_toll"
    fields: ClassVar[Fields] = {
        "roads": (False, "names"),
        "places": (False, "names"),
        "per_km_cny": (False, "money"),
        "flat_cny": (False, "money"),
    }

    def check(self, ch: Change, probs: Problems) -> None:
        """Roads or places, a toll of zero or more."""
        require_one_of(ch, ("roads", "places"), probs)
        require_one_of(ch, ("per_km_cny", "flat_cny"), probs)
        for k in ("roads", "places"):
            v = ch.args.get(k)
            if v is not None and not (isinstance(v, str) or (isinstance(v, list) and v)):
                ch.problem(probs, f"set_toll {k} must be a name or a list of names", f"e.g. {k}: [a, b]", key=k)
        number(ch, "per_km_cny", probs)
        number(ch, "flat_cny", probs)

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
