"""``widen_road``: more lanes, another class or speed on existing road links."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import links
from commute.model.params import road_speed


@register
class WidenRoad(ChangeType):
    """``- widen_road: {link, lanes, speed_kmh, class}`` (at least one of the last three)."""

    verb = "widen_road"
    form = Form.of("link!:links lanes:lanes speed_kmh:road_speed class:class", any_of=["lanes speed_kmh class"])

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Retime each named link at its new speed (the table's speed for a new class or lanes)."""
        a = ch.args
        edges = links(ctx.G, a.get("link"), ch, probs)
        changed = False
        narrower: list[str] = []
        slower: list[str] = []
        for u, v, k in edges:
            d = ctx.G.edges[u, v, k]
            cls = a.get("class", d["road_class"])
            lanes = int(a.get("lanes", d["lanes"]))
            speed = float(
                a.get("speed_kmh") or (road_speed(cls, lanes) if ("lanes" in a or "class" in a) else d["speed_kmh"])
            )
            if lanes < int(d["lanes"]):
                narrower.append(f"{k} has {int(d['lanes'])}")
            if speed < float(d["speed_kmh"]) - 1e-9:
                slower.append(f"{k} runs at {float(d['speed_kmh']):g} km/h")
            if (cls, lanes, speed) != (d["road_class"], d["lanes"], d["speed_kmh"]):
                changed = True
            d.update(
                road_class=cls,
                lanes=lanes,
                speed_kmh=speed,
                minutes=60.0 * d["length_km"] / speed,
                upgraded_by="scenario",
            )
        if narrower:
            ch.problem(
                probs,
                f"widen_road gives {a['lanes']} lanes, fewer than the road has ({_some(narrower)}); "
                "widening never narrows a road",
                "give more lanes than the link has, or close_link and add_road for a narrower road",
                key="lanes",
            )
        elif slower:
            ch.problem(
                probs,
                f"widen_road would make the road slower ({_some(slower)}); widening never slows a road",
                "give a speed or class at least as fast as the link's",
                key="speed_kmh" if "speed_kmh" in a else "class",
            )
        elif edges and not changed:
            ch.does_nothing(probs, "link", "give more lanes, a higher speed or another class")

    def describe(self, ch: Change, net: Network) -> str:
        """The link and what changes."""
        bits = [f"{k} {ch.args[k]}" for k in ("lanes", "speed_kmh", "class") if k in ch.args]
        return f"Widen/upgrade road {ch.args.get('link')}: {', '.join(bits)}."


def _some(found: list[str]) -> str:
    """The first of the links found, and how many more."""
    return found[0] + (f" and {len(found) - 1} more" if len(found) > 1 else "")
