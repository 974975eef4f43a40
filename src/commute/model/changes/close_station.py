"""``close_station``: a station closes; trains pass it without stopping."""

from __future__ import annotations

from commute.errors import Problems
from commute.io.network import Network
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import close_station, station, station_candidates


@register
class CloseStation(ChangeType):
    """``- close_station: {station: <id or exact name>}``."""

    verb = "close_station"
    form = Form.of("station!:str")

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Remove the station; the hops of services through it merge."""
        node = station(ctx.G, str(ch.args["station"]))
        if node is None:
            cands = station_candidates(ctx.G, str(ch.args["station"]))
            hint = "use a station id (rs_...) or exact name from stations.csv"
            ch.problem(
                probs,
                f"station {ch.args['station']!r} is not in the network in this year"
                + (f"; did you mean {', '.join(cands)}?" if cands else ""),
                hint,
                key="station",
            )
            return
        close_station(ctx.G, node)

    def describe(self, ch: Change, net: Network) -> str:
        """The station closed."""
        return f"Close station {ch.args.get('station')} (trains pass without stopping)."
