"""Look-ups and graph edits that several change types share (junctions, links, stations, services)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from commute.errors import Problems, UnknownPlaceError
from commute.model.changes.base import Change
from commute.model.graph import add_service, station_node
from commute.model.ids import hop_key, junction_node, reverse_service, station_of
from commute.model.places import PlaceIndex


def junction(G: nx.MultiDiGraph, index: PlaceIndex, ref: Any, ch: Change, key: str, probs: Problems) -> str | None:
    """The junction node a road end names (a new junction, a junction id or a place)."""
    if isinstance(ref, dict):
        if not all(k in ref for k in ("id", "lon", "lat")):
            ch.problem(probs, f"new junction in {key} needs id, lon and lat", "add them", key=key)
            return None
        node = junction_node(ref["id"])
        if node not in G:
            G.add_node(
                node,
                kind="junction",
                id=ref["id"],
                name=str(ref.get("name", ref["id"])),
                lon=float(ref["lon"]),
                lat=float(ref["lat"]),
                place=None,
            )
        return node
    node = junction_node(ref)
    if node in G:
        return node
    try:
        ep = index.resolve(str(ref))
    except UnknownPlaceError as e:
        ch.problem(probs, str(e), "use a place name, a place id or a junction id", key=key)
        return None
    node = junction_node(ep.place)
    if node not in G:
        ch.problem(probs, f"place {ref!r} has no road junction", "connect another place", key=key)
        return None
    return node


def links(G: nx.MultiDiGraph, ref: Any, ch: Change, probs: Problems) -> list[tuple[str, str, str]]:
    """The road edges a link reference names (link ids, or corridor ids without ``:n``)."""
    ids = [ref] if isinstance(ref, str) else list(ref)
    found = []
    for lid in ids:
        hits = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if d.get("kind") == "road" and (k == lid or (":" not in lid and str(k).startswith(lid + ":")))
        ]
        if not hits:
            ch.problem(
                probs,
                f"road link {lid!r} is not in the network in this year",
                "use a link_id from road_links.csv (or a corridor id) that is open in the scenario's year",
                key="link",
            )
        found.extend(hits)
    return found


def station(G: nx.MultiDiGraph, ref: str) -> str | None:
    """The station node for an id or an exact (unique) name; None if there is none."""
    node = station_node(ref)
    if node in G:
        return node
    hits = [n for n, d in G.nodes(data=True) if d.get("kind") == "station" and d.get("name") == ref]
    return hits[0] if len(hits) == 1 else None


def drop_service(G: nx.MultiDiGraph, sid: str) -> None:
    """Remove one service direction and its hops."""
    svc = G.graph["services"].pop(sid)
    for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
        G.remove_edge(station_node(x), station_node(y), key=hop_key(sid, i + 1))


def station_candidates(G: nx.MultiDiGraph, ref: str, n: int = 3) -> list[str]:
    """Station names close to ``ref`` (``武汉站`` -> ``武汉``), for a "did you mean" hint."""
    import difflib

    names = sorted({str(d.get("name")) for _, d in G.nodes(data=True) if d.get("kind") == "station" and d.get("name")})
    bare = ref.strip().removesuffix("站").removesuffix("火车站")
    exact = [x for x in names if x == bare]
    within = [x for x in names if bare and x != bare and (x.startswith(bare) or bare.startswith(x))]
    close = difflib.get_close_matches(ref, names, n=n, cutoff=0.5)
    out: list[str] = []
    for x in [*exact, *sorted(within, key=len), *close]:
        if x not in out:
            out.append(x)
    return out[:n]


def close_station(G: nx.MultiDiGraph, node: str) -> None:
    """Remove a station; services pass through it without stopping (their hops merge).

    A train keeps its times at every other stop: a merged hop runs as long as the two hops and
    the dwell between them did (passing a closed station saves no time that the model could
    vouch for), and when the first stop closes, the service's departures move to the time the
    trains left the new first stop (after its dwell), so closing a station never makes a trip
    faster. Real timetables keep their trips (retimed at the stops that remain).
    """
    st = station_of(node)
    for sid in [s for s, d in G.graph["services"].items() if st in d["stops"]]:
        svc = G.graph["services"][sid]
        hops = []
        base_run = list(svc.get("base_run") or [])
        for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
            e = G.edges[station_node(x), station_node(y), hop_key(sid, i + 1)]
            base = float(e.get("base_run_min", base_run[i] if i < len(base_run) else e["minutes"]))
            hops.append(
                [x, y, float(e["minutes"]), float(e["dwell_min"]), e.get("length_km"), e.get("speed_kmh"), base]
            )
        drop_service(G, sid)
        merged: list[list[Any]] = []
        shift = 0.0  # minutes from the old first departure to the new first stop's departure
        for k, h in enumerate(hops):
            if merged and merged[-1][1] == st:
                prev = merged[-1]
                prev[1] = h[1]
                prev[2] = prev[2] + h[3] + h[2]
                prev[6] = prev[6] + h[3] + h[6]
                prev[4] = (prev[4] or 0) + (h[4] or 0) or None
            elif k == 0 and h[0] == st:
                shift = h[2] + (hops[1][3] if len(hops) > 1 else 0.0)
                merged.append(list(h))
            else:
                merged.append(list(h))
        merged = [h for h in merged if h[0] != st and h[1] != st]
        if merged:
            merged[0][3] = 0.0
            first, last, deps = svc.get("first_dep_min"), svc.get("last_dep_min"), svc.get("departures")
            if shift and not svc.get("trips"):
                from commute.model.params import parameters_of
                from commute.model.trips import service_window

                start, day = service_window(parameters_of(G))
                hw = float(svc["headway_min"])
                first = (start + hw / 2.0 if first is None else float(first)) + shift
                last = (start + day - hw / 2.0 if last is None else float(last)) + shift
                deps = None if deps is None else [float(d) + shift for d in deps]
            add_service(
                G,
                sid,
                name=svc["name"],
                mode=svc["mode"],
                train_class=svc["train_class"],
                headway_min=svc["headway_min"],
                hops=[tuple(h[:6]) for h in merged],
                project=svc.get("project", ""),
                bidirectional=False,
                first_dep_min=first,
                last_dep_min=last,
                departures=deps,
                trips=None if not svc.get("trips") else [{"stations": list(svc["stops"]), **t} for t in svc["trips"]],
                base_run=[float(h[6]) for h in merged],
            )
            G.graph["services"][sid]["base_id"] = svc["base_id"]
    G.remove_node(node)


def headway(args: dict[str, Any], service_day_min: float) -> float | None:
    """The headway a service change gives (``headway_min``, or the day over ``trains_per_day``)."""
    if "headway_min" in args:
        return float(args["headway_min"])
    if "trains_per_day" in args:
        return float(service_day_min) / float(args["trains_per_day"])
    return None


def directions(G: nx.MultiDiGraph, ch: Change, probs: Problems) -> list[str]:
    """The running directions of the service a change names; a problem if there is none."""
    sid = str(ch.args["service"])
    dirs = [s for s in (sid, reverse_service(sid)) if s in G.graph["services"]]
    if not dirs:
        ch.problem(
            probs,
            f"service {sid!r} is not running in this year",
            "use a service_id from services.csv that is open in the scenario's year",
            key="service",
        )
    return dirs
