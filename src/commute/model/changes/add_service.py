"""``add_service``: a new rail or air service (a stopping pattern at a headway), new stations allowed.

Issue 13 will let service verbs carry explicit ``departures``; that is one more field here.
"""

from __future__ import annotations

from typing import Any

from commute.errors import InvalidOptionError, Problems, UnknownPlaceError
from commute.io.network import Network
from commute.model.access import connect_station
from commute.model.changes.base import Change, ChangeType, Context, register
from commute.model.changes.form import Form
from commute.model.changes.refs import headway, station
from commute.model.geo import haversine_km
from commute.model.graph import add_service, station_node
from commute.model.ids import station_of


@register
class AddService(ChangeType):
    """``- add_service: {id, stations, speed_kmh | run_min, headway_min | trains_per_day, ...}``."""

    verb = "add_service"
    form = Form.of(
        "id!:str stations!:stations name:str mode:svc_mode class:train_class speed_kmh:rail_speed headway_min:headway"
        " trains_per_day:tpd dwell_min:dwell run_min:runs km:kms bidirectional:bool new_stations:new_stations",
        only_one=["headway_min trains_per_day"],
    )

    def apply(self, ctx: Context, ch: Change, probs: Problems) -> None:
        """Add the new stations, then the service's hops (both directions unless told otherwise)."""
        G, net, a = ctx.G, ctx.net, ch.args
        sid = str(a["id"])
        if sid in G.graph["services"]:
            ch.problem(probs, f"service id {sid!r} already exists", "choose a new id", key="id")
            return
        mode = a.get("mode", "rail")
        self._add_stations(ctx, ch, mode, probs)
        stations = self._stops(ctx, ch, mode, probs)
        if stations is None:
            return
        cls = str(a.get("class", "G" if mode == "rail" else "air"))
        speed = a.get("speed_kmh")
        runs = a.get("run_min")
        if runs is None and speed is None and mode == "rail":
            ch.problem(probs, "add_service needs speed_kmh or run_min", "give the design speed or the run times")
            return
        try:
            net.model.fit_for(cls) if runs is None else None
        except InvalidOptionError as e:
            ch.problem(probs, str(e), "use G, D or C", key="class")
            return
        circ = net.params.rail_circuity
        hops = []
        for i, (x, y) in enumerate(zip(stations, stations[1:], strict=False)):
            p, q = G.nodes[x], G.nodes[y]
            km = (
                float(a["km"][i]) if a.get("km") else float(haversine_km(p["lon"], p["lat"], q["lon"], q["lat"])) * circ
            )
            run = float(runs[i]) if runs else net.model.minutes(km, float(speed), cls)
            dwell = 0.0 if i == 0 else float(a.get("dwell_min", net.model.dwell(cls)))
            hops.append((station_of(x), station_of(y), run, dwell, km, float(speed) if speed else None))
        hw = headway(a, net.params.service_day_min)
        if hw is None:
            ch.problem(probs, "add_service needs headway_min or trains_per_day", "e.g. headway_min: 15")
            return
        add_service(
            G,
            sid,
            name=str(a.get("name", sid)),
            mode=mode,
            train_class=cls,
            headway_min=hw,
            hops=hops,
            project="",
            bidirectional=bool(a.get("bidirectional", True)),
        )

    def _add_stations(self, ctx: Context, ch: Change, mode: str, probs: Problems) -> None:
        for nid, s in (ch.args.get("new_stations") or {}).items():
            node = station_node(str(nid))
            if node in ctx.G or str(nid) in set(ctx.net.tables["stations"]["station_id"]):
                ch.problem(probs, f"station {nid!r} already exists", "use it in stations instead", key="new_stations")
                continue
            where = _home(ctx, ch, str(nid), s, probs)
            if where is None:
                continue
            ctx.G.add_node(
                node,
                kind="station",
                id=str(nid),
                name=str(s["name"]),
                mode=mode,
                city=where[1],
                place=where[0],
                lon=float(s["lon"]),
                lat=float(s["lat"]),
            )
            connect_station(ctx.G, node)
            ctx.G.graph.setdefault("added_stations", {})[str(nid)] = {"place": where[0], "city": where[1]}

    def _stops(self, ctx: Context, ch: Change, mode: str, probs: Problems) -> list[str] | None:
        nodes: list[str | None] = []
        for ref in ch.args["stations"]:
            found = station(ctx.G, str(ref))
            if found is None:
                ch.problem(
                    probs,
                    f"station {ref!r} is not in the network in this year",
                    "use a station id or exact name from stations.csv, or define it under new_stations",
                    key="stations",
                )
            elif ctx.G.nodes[found]["mode"] != mode:
                ch.problem(
                    probs,
                    f"station {ref!r} is a {ctx.G.nodes[found]['mode']} station",
                    f"a {mode} service stops at {mode} stations",
                    key="stations",
                )
            nodes.append(found)
        stations = [n for n in nodes if n is not None]
        return stations if len(stations) == len(nodes) else None

    def describe(self, ch: Change, net: Network) -> str:
        """Mode, name, stops, speed, frequency and directions."""
        a = ch.args
        freq = f"every {a['headway_min']} min" if "headway_min" in a else f"{a.get('trains_per_day')} trains a day"
        spd = f"{a['speed_kmh']} km/h" if "speed_kmh" in a else "given run times"
        both = "both directions" if a.get("bidirectional", True) else "one direction"
        return (
            f"Add {a.get('mode', 'rail')} service {a.get('name', a.get('id'))}: "
            f"{' – '.join(map(str, a.get('stations', [])))}, {spd}, {freq}, {both}."
        )


def _home(ctx: Context, ch: Change, nid: str, s: dict[str, Any], probs: Problems) -> tuple[str, str] | None:
    """The place and city a new station joins: those given (checked), else the nearest place's."""
    places = ctx.net.tables["places"]
    chosen = None
    for key in ("place", "city"):
        if key not in s:
            continue
        try:
            ep = ctx.index.resolve(str(s[key]))
        except UnknownPlaceError as e:
            ch.problem(
                probs, f"new station {nid!r}: {e}", f"give the {key} as a name or id of the network", "new_stations"
            )
            return None
        if key == "city" and chosen is not None and ep.city != chosen[1]:
            ch.problem(probs, f"new station {nid!r}: place is not in city {s['city']!r}", "drop one", "new_stations")
            return None
        if chosen is None:
            chosen = (ep.place, ep.city) if key == "place" else None
        if key == "city" and chosen is None:
            inside = places[places["city_id"] == ep.city]
            chosen = (_nearest(inside, s), ep.city)
    if chosen is None:
        pid = _nearest(places, s)
        chosen = (pid, str(places.loc[places["place_id"] == pid, "city_id"].iloc[0]))
    return chosen


def _nearest(places: Any, s: dict[str, Any]) -> str:
    d = haversine_km(float(s["lon"]), float(s["lat"]), places["lon"].to_numpy(float), places["lat"].to_numpy(float))
    return str(places["place_id"].iloc[int(d.argmin())])
