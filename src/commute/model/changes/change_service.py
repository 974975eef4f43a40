"""``change_service``: another headway or line speed for a running service (both directions).

Issue 13 will let it carry explicit ``departures``; that is one more field and branch here.
"""

from __future__ import annotations

import math

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import directions, headway
from commute.model.graph import station_node
from commute.model.ids import hop_key


@register
class ChangeService(ChangeType):
    """``- change_service: {service, headway_min | trains_per_day, speed_kmh}``."""

    verb = "change_service"
    form = Form.of(
        "service!:str headway_min:headway trains_per_day:tpd speed_kmh:rail_speed",
        any_of=["headway_min trains_per_day speed_kmh"],
    )

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Set the headway and retime every hop at the new speed with the runtime model."""
        G, net, a = ctx.G, ctx.net, ch.args
        dirs = directions(G, ch, probs)
        if not dirs:
            return
        changed = False
        for s in dirs:
            svc = G.graph["services"][s] = dict(G.graph["services"][s])
            hw = headway(a, net.params.service_day_min)
            if hw is not None:
                changed |= not math.isclose(hw, svc["headway_min"])
                svc["headway_min"] = hw
            if "speed_kmh" in a:
                for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
                    hop = G.edges[station_node(x), station_node(y), hop_key(s, i + 1)]
                    if hop.get("length_km"):
                        new = net.model.minutes(float(hop["length_km"]), float(a["speed_kmh"]), svc["train_class"])
                        changed |= not math.isclose(new, hop["minutes"])
                        hop.update(run_min=new, minutes=new, speed_kmh=float(a["speed_kmh"]))
        if not changed:
            ch.does_nothing(probs, "service", "give a different headway or speed")

    def describe(self, ch: Change, net: Network) -> str:
        """The service and what changes."""
        bits = [f"{k} {ch.args[k]}" for k in ("headway_min", "trains_per_day", "speed_kmh") if k in ch.args]
        return f"Change service {ch.args.get('service')}: {', '.join(bits)}."
