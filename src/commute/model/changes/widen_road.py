"""``widen_road``: more lanes, another class or speed on existing road links."""

from __future__ import annotations

from typing import ClassVar

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, Fields, register
from commute.model.changes.form import require_one_of
from commute.model.changes.refs import links
from commute.model.params import road_speed


@register
class WidenRoad(ChangeType):
    """``- widen_road: {link, lanes, speed_kmh, class}`` (at least one of the last three)."""

    verb = "widen_road"
    fields: ClassVar[Fields] = {
        "link": (True, "links"),
        "lanes": (False, "lanes"),
        "speed_kmh": (False, "road_speed"),
        "class": (False, "class"),
    }

    def check(self, ch: Change, probs: Problems) -> None:
        """Something must change."""
        require_one_of(ch, ("lanes", "speed_kmh", "class"), probs)

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Retime each named link at its new speed (the table's speed for a new class or lanes)."""
        a = ch.args
        edges = links(ctx.G, a.get("link"), ch, probs)
        changed = False
        for u, v, k in edges:
            d = ctx.G.edges[u, v, k]
            cls = a.get("class", d["road_class"])
            lanes = int(a.get("lanes", d["lanes"]))
            speed = float(
                a.get("speed_kmh") or (road_speed(cls, lanes) if ("lanes" in a or "class" in a) else d["speed_kmh"])
            )
            if (cls, lanes, speed) != (d["road_class"], d["lanes"], d["speed_kmh"]):
                changed = True
            d.update(
                road_class=cls,
                lanes=lanes,
                speed_kmh=speed,
                minutes=60.0 * d["length_km"] / speed,
                upgraded_by="scenario",
            )
        if edges and not changed:
            ch.problem(
                probs,
                "widen_road leaves the link as it was; this change does nothing",
                "give more lanes, a higher speed or another class",
            )

    def describe(self, ch: Change, net: Network) -> str:
        """The link and what changes."""
        bits = [f"{k} {ch.args[k]}" for k in ("lanes", "speed_kmh", "class") if k in ch.args]
        return f"Widen/upgrade road {ch.args.get('link')}: {', '.join(bits)}."
