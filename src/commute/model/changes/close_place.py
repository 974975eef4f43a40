"""``close_place``: every road link at a place's junction and every station in it close."""

from __future__ import annotations

from commute.errors import Problems, UnknownPlaceError
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import close_station
from commute.model.ids import junction_node


@register
class ClosePlace(ChangeType):
    """``- close_place: {place: <name, id or code>}`` (the place keeps its local access)."""

    verb = "close_place"
    form = Form.of("place!:str")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Remove the road edges of the place's junction and close its stations."""
        G = ctx.G
        try:
            ep = ctx.index.resolve(str(ch.args["place"]))
        except UnknownPlaceError as e:
            ch.problem(probs, str(e), "use a place name, id or code", key="place")
            return
        j = junction_node(ep.place)
        if j in G:
            for edges in (G.in_edges(j, keys=True, data=True), G.out_edges(j, keys=True, data=True)):
                G.remove_edges_from([(u, v, k) for u, v, k, d in list(edges) if d.get("kind") == "road"])
        for n, d in list(G.nodes(data=True)):
            if d.get("kind") == "station" and d.get("place") == ep.place:
                close_station(G, n)

    def describe(self, ch: Change, net: Network) -> str:
        """The place closed."""
        return f"Close every road link and station in {ch.args.get('place')}."
