"""``add_road``: a new road link between two junctions or places (both directions)."""

from __future__ import annotations

import networkx as nx

from commute.errors import Problems
from commute.io.network import Network
from commute.model.access import add_access_pair
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import junction
from commute.model.geo import haversine_km
from commute.model.ids import junction_of, place_node
from commute.model.params import parameters_of, road_speed


@register
class AddRoad(ChangeType):
    """``- add_road: {from, to, class, lanes, length_km, speed_kmh, id, name}``."""

    verb = "add_road"
    form = Form.of("from!:node to!:node id:str class:class length_km:km speed_kmh:road_speed lanes:lanes name:str")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the link both ways; a new junction of a place gets its access link."""
        G, a = ctx.G, ch.args
        u = junction(G, ctx.index, a["from"], ch, "from", probs)
        v = junction(G, ctx.index, a["to"], ch, "to", probs)
        if u is None or v is None:
            return
        if u == v:
            ch.problem(probs, "add_road joins a junction to itself", "give two different ends", key="to")
            return
        cls = a.get("class", "expressway")
        lanes = int(a.get("lanes", 4))
        circ = ctx.net.params.road_circuity
        km = float(
            a.get("length_km")
            or haversine_km(G.nodes[u]["lon"], G.nodes[u]["lat"], G.nodes[v]["lon"], G.nodes[v]["lat"]) * circ
        )
        speed = float(a.get("speed_kmh") or road_speed(cls, lanes))
        lid = str(a.get("id") or f"new:{junction_of(u)}-{junction_of(v)}")
        taken = any(k == lid for _, _, k in G.edges(keys=True)) or lid in set(ctx.net.tables["road_links"]["link_id"])
        if taken:
            ch.problem(probs, f"road link id {lid!r} already exists", "choose a new id (or leave id out)", key="id")
            return
        name = str(a.get("name") or f"new road {G.nodes[u]['name']}–{G.nodes[v]['name']}")
        attrs = dict(
            kind="road",
            mode="road",
            link_id=lid,
            name=name,
            road_class=cls,
            length_km=km,
            lanes=lanes,
            speed_kmh=speed,
            minutes=60.0 * km / speed,
            project="",
            upgraded_by="scenario",
        )
        for x, y in ((u, v), (v, u)):
            G.add_edge(x, y, key=lid, **attrs)
        for n in (u, v):  # a new junction needs access from its place, if it has one
            pid = G.nodes[n].get("place")
            if pid and not G.has_edge(place_node(pid), n):
                _connect_place_junction(G, pid, n)

    def describe(self, ch: Change, net: Network) -> str:
        """Ends, class, length and lanes."""
        a = ch.args
        bits = [
            a.get("class", "expressway"),
            f"{a['length_km']} km" if "length_km" in a else "length from distance",
            f"{a.get('lanes', 4)} lanes",
        ] + ([f"{a['speed_kmh']} km/h"] if "speed_kmh" in a else [])
        return f"Add a road {a.get('from')} – {a.get('to')} ({', '.join(map(str, bits))})."


def _connect_place_junction(G: nx.MultiDiGraph, pid: str, j: str) -> None:
    p = G.nodes[place_node(pid)]
    acc = parameters_of(G).access
    km = acc.junction_km(p.get("area_km2"))
    m = 60.0 * km / acc.speed_kmh
    add_access_pair(G, place_node(pid), j, m, m, km)
