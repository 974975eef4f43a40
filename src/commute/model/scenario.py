"""Scenario files: parse, validate (every problem at once, with line numbers), apply.

A scenario is plain YAML::

    name: 武鄂黄黄市域铁路
    network: wuhan_circle        # optional (default network)
    year: 2026                   # optional when it extends a parent
    extends: today.yaml          # optional, relative to this file
    changes:
      - open_project: wuhan_ezhou_huangshi_suburban
      - close_link: {link: g4_junshan_bridge:1}

Changes (see ``scenarios/README.md`` for every field): ``open_project``, ``add_road``,
``widen_road``, ``close_link``, ``close_station``, ``close_place``, ``add_service``,
``change_service``, ``remove_service``. Applying returns a new graph; the network tables
and any graph passed in are never changed. Files are safe-loaded data, never executed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from commute.errors import (
    InvalidOptionError,
    Problems,
    UnknownPlaceError,
)
from commute.io.network import Network, load_network
from commute.io.yamlio import plain as _plain
from commute.io.yamlio import read_yaml
from commute.model.geo import haversine_km
from commute.model.graph import (
    REVERSE_SUFFIX,
    add_access_pair,
    add_service,
    build_graph,
    check_year,
    connect_station,
    projects_open_by,
    station_node,
)
from commute.model.places import PlaceIndex

VERBS = (
    "open_project",
    "add_road",
    "widen_road",
    "close_link",
    "close_station",
    "close_place",
    "add_service",
    "change_service",
    "remove_service",
)
TOP_KEYS = ("name", "description", "network", "year", "extends", "changes")
ROAD_CLASSES = ("expressway", "urban_expressway", "highway", "arterial")
ROAD_SPEED: dict[str, float | dict[int, float]] = {
    "expressway": {4: 90, 6: 100, 8: 110},
    "urban_expressway": 70,
    "highway": 60,
    "arterial": 35,
}
FIELDS: dict[str, dict[str, tuple[bool, str]]] = {
    # field: (required, kind)
    "add_road": {
        "id": (False, "str"),
        "from": (True, "node"),
        "to": (True, "node"),
        "class": (False, "class"),
        "length_km": (False, "km"),
        "speed_kmh": (False, "road_speed"),
        "lanes": (False, "lanes"),
        "name": (False, "str"),
    },
    "widen_road": {
        "link": (True, "links"),
        "lanes": (False, "lanes"),
        "speed_kmh": (False, "road_speed"),
        "class": (False, "class"),
    },
    "close_link": {"link": (True, "links")},
    "close_station": {"station": (True, "str")},
    "close_place": {"place": (True, "str")},
    "add_service": {
        "id": (True, "str"),
        "name": (False, "str"),
        "mode": (False, "svc_mode"),
        "class": (False, "train_class"),
        "speed_kmh": (False, "rail_speed"),
        "headway_min": (False, "headway"),
        "trains_per_day": (False, "tpd"),
        "dwell_min": (False, "dwell"),
        "stations": (True, "stations"),
        "run_min": (False, "runs"),
        "km": (False, "kms"),
        "bidirectional": (False, "bool"),
        "new_stations": (False, "new_stations"),
    },
    "change_service": {
        "service": (True, "str"),
        "headway_min": (False, "headway"),
        "trains_per_day": (False, "tpd"),
        "speed_kmh": (False, "rail_speed"),
    },
    "remove_service": {"service": (True, "str")},
}
RANGES = {
    "km": (0.1, 3000.0),
    "road_speed": (5.0, 130.0),
    "lanes": (1, 12),
    "rail_speed": (20.0, 400.0),
    "headway": (1.0, 1440.0),
    "tpd": (0.1, 1000.0),
    "dwell": (0.0, 60.0),
}


# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One change: its verb, arguments, and where it was written."""

    verb: str
    args: Any
    file: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    form_ok: bool = True

    def to_json(self) -> dict[str, Any]:
        """The change as plain data (for hashing and display)."""
        return {self.verb: _plain(self.args)}


@dataclass(frozen=True)
class Scenario:
    """A parsed and statically validated scenario, with its parents' changes first."""

    name: str
    path: Path
    network: str | None
    year: int | None
    changes: tuple[Change, ...]
    description: str = ""
    chain: tuple[str, ...] = ()

    def resolved(self) -> list[dict[str, Any]]:
        """The full change list, parents first."""
        return [c.to_json() for c in self.changes]


def load_scenario(path: str | Path, *, _seen: tuple[str, ...] = (), problems: Problems | None = None) -> Scenario:
    """Parse a scenario file (and its parents) and check its form.

    Raises
    ------
    ValidationError
        Listing every problem in the file and its parents, each with file, line and hint.
    DataNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> from commute.io.network import shipped_folder
    >>> sc = load_scenario(shipped_folder("scenarios") / "package_broken_roads.yaml")
    >>> sc.changes[0].verb, sc.changes[0].line
    ('open_project', 9)
    """
    probs = problems if problems is not None else Problems(f"scenario {path}")
    sc = _parse(Path(path), probs, _seen)
    if problems is None or sc is None:
        probs.raise_if_any()
    assert sc is not None
    return sc


def validate_file(path: str | Path, *, network: str | None = None, year: int | None = None) -> nx.MultiDiGraph:
    """Parse, check and apply a scenario file in one pass; every problem is reported together.

    Form problems (types, ranges, unknown verbs) and reference problems (unknown places,
    links, projects; changes that do nothing) are collected in one list; a change whose form
    is broken is not applied, so its references are not checked twice.

    Raises
    ------
    ValidationError
        With every problem of the file and its parents.
    """
    probs = Problems(f"scenario {path}")
    sc = load_scenario(path, problems=probs)
    if network is not None and sc.network is not None and network != sc.network:
        raise InvalidOptionError(f"--network {network} differs from the scenario's network {sc.network}; drop one.")
    net = load_network(network or sc.network)
    return apply_scenario(net, sc, year=year, problems=probs)


def _parse(path: Path, probs: Problems, seen: tuple[str, ...]) -> Scenario | None:
    path = path.resolve()
    f = str(path)
    if f in seen:
        chain = " -> ".join(Path(s).name for s in (*seen, f))
        probs.add(
            f, 0, f"`extends` makes a cycle: {chain}", "make the chain of parents end at a scenario without extends"
        )
        return None
    doc = read_yaml(path, probs, what="scenario")
    if doc is None:
        if not probs:
            probs.add(f, 0, "file is empty", "give at least a name and a list of changes")
        return None
    if not isinstance(doc, dict):
        probs.add(
            f,
            getattr(doc, "line", 1),
            "a scenario must be a mapping (name:, year:, changes:)",
            "start the file with `name: ...`",
        )
        return None
    lines = getattr(doc, "lines", {})
    for k in doc:
        if k not in TOP_KEYS:
            probs.add(f, lines.get(str(k), 0), f"unknown key {k!r}", f"use only {', '.join(TOP_KEYS)}")
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        probs.add(f, lines.get("name", 1), "missing or empty `name`", "give the scenario a name")
    year = doc.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100):
        probs.add(f, lines.get("year", 0), f"year {year!r} is not a year", "give a year such as 2026")
        year = None
    network = doc.get("network")
    if network is not None and not isinstance(network, str):
        probs.add(f, lines.get("network", 0), "`network` must be a name or path", "e.g. network: wuhan_circle")
        network = None
    parent: Scenario | None = None
    if "extends" in doc:
        ext = doc["extends"]
        if not isinstance(ext, str) or not ext.strip():
            probs.add(f, lines.get("extends", 0), "`extends` must be a file name", "e.g. extends: today.yaml")
        else:
            ppath = path.parent / ext
            if not ppath.exists():
                probs.add(
                    f,
                    lines.get("extends", 0),
                    f"parent scenario {ext!r} does not exist",
                    f"give a path relative to {path.parent}",
                )
            else:
                parent = _parse(ppath, probs, (*seen, f))
    changes_doc = doc.get("changes", [])
    changes: list[Change] = []
    if changes_doc is None:
        changes_doc = []
    if not isinstance(changes_doc, list):
        probs.add(
            f, lines.get("changes", 0), "`changes` must be a list", "write each change on a line starting with '- '"
        )
        changes_doc = []
    if not changes_doc and "extends" not in doc and "year" not in doc:
        probs.add(
            f,
            lines.get("changes", 1),
            "scenario has no changes, no year and no parent",
            "add changes, a year, or `extends`",
        )
    item_lines = getattr(changes_doc, "lines", [0] * len(changes_doc))
    for i, item in enumerate(changes_doc):
        ln = item_lines[i] if i < len(item_lines) else 0
        if not isinstance(item, dict) or len(item) != 1:
            probs.add(
                f,
                ln,
                "each change must be a mapping with exactly one verb",
                f"start the change with one of {', '.join(VERBS)}",
            )
            continue
        verb, args = next(iter(item.items()))
        if verb not in VERBS:
            probs.add(f, ln, f"unknown change {verb!r}", f"use one of {', '.join(VERBS)}")
            continue
        ch = Change(verb, args, f, ln, dict(getattr(args, "lines", {}) or {}))
        before = len(probs.items)
        _check_change_form(ch, probs)
        if len(probs.items) > before:
            ch = replace(ch, form_ok=False)
        changes.append(ch)
    if year is None and parent is not None:
        year = parent.year
    if network is None and parent is not None:
        network = parent.network
    if parent is not None and network is not None and parent.network is not None and network != parent.network:
        probs.add(
            f,
            lines.get("network", 0),
            f"network {network!r} differs from the parent's {parent.network!r}",
            "a scenario extends a parent on the same network",
        )
    all_changes = (parent.changes if parent else ()) + tuple(changes)
    return Scenario(
        str(name or path.stem),
        path,
        network,
        year,
        all_changes,
        str(doc.get("description", "") or ""),
        (parent.chain if parent else ()) + (f,),
    )


def _line(ch: Change, key: str) -> int:
    return ch.lines.get(key, ch.line)


def _check_change_form(ch: Change, probs: Problems) -> None:
    """Types and ranges of one change's fields (references are checked when applying)."""
    if ch.verb == "open_project":
        if not isinstance(ch.args, str) or not ch.args:
            probs.add(ch.file, ch.line, "open_project needs a project id", "e.g. - open_project: wutian_expressway")
        return
    if not isinstance(ch.args, dict):
        probs.add(
            ch.file,
            ch.line,
            f"{ch.verb} needs a mapping of fields",
            f"e.g. - {ch.verb}: {{{', '.join(k for k, (req, _) in FIELDS[ch.verb].items() if req)}: ...}}",
        )
        return
    spec = FIELDS[ch.verb]
    for k in ch.args:
        if k not in spec:
            probs.add(ch.file, _line(ch, k), f"{ch.verb} has no field {k!r}", f"use {', '.join(spec)}")
    for k, (req, _kind) in spec.items():
        if req and k not in ch.args:
            probs.add(ch.file, ch.line, f"{ch.verb} lacks required field {k!r}", f"add {k}: ...")
    for k, v in ch.args.items():
        if k not in spec:
            continue
        kind = spec[k][1]
        ln = _line(ch, k)
        if kind in RANGES:
            lo, hi = RANGES[kind]
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                probs.add(ch.file, ln, f"{k} {v!r} is not a number", f"give a number from {lo} to {hi}")
            elif not lo <= v <= hi:
                probs.add(ch.file, ln, f"{k} {v} is outside {lo}-{hi}", "check the units (km, km/h, minutes)")
        elif kind == "class" and v not in ROAD_CLASSES:
            probs.add(ch.file, ln, f"road class {v!r} is unknown", f"use one of {', '.join(ROAD_CLASSES)}")
        elif kind == "svc_mode" and v not in ("rail", "air"):
            probs.add(ch.file, ln, f"service mode {v!r} is unknown", "use rail or air")
        elif kind == "bool" and not isinstance(v, bool):
            probs.add(ch.file, ln, f"{k} must be true or false", "write true or false")
        elif kind == "stations" and (not isinstance(v, list) or len(v) < 2):
            probs.add(ch.file, ln, "stations must list at least two stations in order", "e.g. stations: [汉口, 孝感东]")
        elif kind in ("runs", "kms"):
            if not isinstance(v, list) or not all(isinstance(x, int | float) and x > 0 for x in v):
                probs.add(ch.file, ln, f"{k} must be a list of positive numbers, one per hop", f"e.g. {k}: [12, 15]")
            elif isinstance(ch.args.get("stations"), list) and len(v) != len(ch.args["stations"]) - 1:
                probs.add(
                    ch.file,
                    ln,
                    f"{k} has {len(v)} values for {len(ch.args['stations']) - 1} hops",
                    "give one value per pair of consecutive stations",
                )
        elif kind in ("links",) and not (
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        ):
            probs.add(ch.file, ln, "link must be a link id or a list of ids", "e.g. link: g4_junshan_bridge:1")
        elif kind == "new_stations":
            if not isinstance(v, dict):
                probs.add(
                    ch.file, ln, "new_stations must map ids to {name, lon, lat}", "e.g. new_stations: {rs_x: {...}}"
                )
            else:
                for sid, sv in v.items():
                    if not isinstance(sv, dict) or not all(x in sv for x in ("name", "lon", "lat")):
                        probs.add(ch.file, ln, f"new station {sid!r} needs name, lon and lat", "add the missing fields")
                    elif not (-180 <= float(sv["lon"]) <= 180 and -90 <= float(sv["lat"]) <= 90):
                        probs.add(
                            ch.file,
                            ln,
                            f"new station {sid!r} has coordinates outside WGS84 range",
                            "give lon, lat in degrees",
                        )
    if ch.verb == "widen_road" and not any(k in ch.args for k in ("lanes", "speed_kmh", "class")):
        probs.add(ch.file, ch.line, "widen_road changes nothing", "give lanes, speed_kmh or class")
    if ch.verb == "change_service" and not any(k in ch.args for k in ("headway_min", "trains_per_day", "speed_kmh")):
        probs.add(ch.file, ch.line, "change_service changes nothing", "give headway_min, trains_per_day or speed_kmh")
    if ch.verb == "add_service" and "headway_min" in ch.args and "trains_per_day" in ch.args:
        probs.add(ch.file, ch.line, "add_service gives both headway_min and trains_per_day", "keep one of them")


# ------------------------------------------------------------------------------------------------
def scenario_hash(sc: Scenario, net: Network, year: int) -> str:
    """Content hash of the resolved change list, the year and the network data."""
    payload = json.dumps(
        {"changes": sc.resolved(), "year": year, "network": net.version}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def apply_scenario(
    net: Network, sc: Scenario, *, year: int | None = None, problems: Problems | None = None
) -> nx.MultiDiGraph:
    """The scenario's graph: the network in the scenario's year, its projects on, its changes applied.

    Every problem (unknown reference, a change that does nothing) is collected with its file
    and line; if there is any, :class:`ValidationError` is raised and nothing is returned.
    """
    y = check_year(net, year if year is not None else sc.year)
    probs = problems if problems is not None else Problems(f"scenario {sc.path}")
    known_projects = set(net.tables["projects"]["project_id"])
    projects = []
    for ch in sc.changes:
        if ch.verb == "open_project" and ch.form_ok:
            if ch.args not in known_projects:
                close = [p for p in known_projects if str(ch.args).split("_")[0] in p][:5]
                probs.add(
                    ch.file,
                    ch.line,
                    f"unknown project {ch.args!r}",
                    f"use an id from projects.csv{' such as ' + ', '.join(sorted(close)) if close else ''}",
                )
            else:
                projects.append(ch.args)
    already = projects_open_by(net, y)
    G = build_graph(net, y, projects=[p for p in projects if p in known_projects])
    for ch in sc.changes:
        if ch.verb == "open_project" and ch.form_ok and ch.args in known_projects and ch.args in already:
            probs.add(
                ch.file,
                ch.line,
                f"project {ch.args!r} is already open in {y}; this change does nothing",
                "remove it or choose an earlier year",
            )
    index = PlaceIndex(net)
    for ch in sc.changes:
        if ch.verb != "open_project" and ch.form_ok:
            _apply_change(G, net, index, ch, probs)
    probs.raise_if_any()
    G.graph["scenario"] = {
        "name": sc.name,
        "file": str(sc.path),
        "hash": scenario_hash(sc, net, y),
        "changes": len(sc.changes),
    }
    return G


def graph_for(
    *, network: str | None = None, scenario: str | Path | None = None, year: int | str | None = None
) -> nx.MultiDiGraph:
    """The graph for a network (default), an optional scenario file, and an optional year.

    Examples
    --------
    >>> from commute.io.network import shipped_folder
    >>> G = graph_for(year=2021)
    >>> G.graph["year"], G.graph.get("scenario")
    (2021, None)
    >>> today = graph_for(scenario=shipped_folder("scenarios") / "today_2026.yaml")
    >>> today.graph["year"], len(today.graph["scenario"]["hash"]) > 0
    (2026, True)
    """
    y = None if year is None else _int_year(year)
    if scenario is None:
        net = load_network(network)
        return build_graph(net, y)
    return validate_file(scenario, network=network, year=y)


def _int_year(year: int | str) -> int:
    try:
        return int(year)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"year {year!r} is not a whole number; give a year such as 2026.") from None


# ------------------------------------------------------------------------------------------------
def _junction(G: nx.MultiDiGraph, index: PlaceIndex, ref: Any, ch: Change, key: str, probs: Problems) -> str | None:
    if isinstance(ref, dict):
        if not all(k in ref for k in ("id", "lon", "lat")):
            probs.add(ch.file, _line(ch, key), f"new junction in {key} needs id, lon and lat", "add them")
            return None
        node = f"road:{ref['id']}"
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
    node = f"road:{ref}"
    if node in G:
        return node
    try:
        ep = index.resolve(str(ref))
    except UnknownPlaceError as e:
        probs.add(ch.file, _line(ch, key), str(e), "use a place name, a place id or a junction id")
        return None
    node = f"road:{ep.place}"
    if node not in G:
        probs.add(ch.file, _line(ch, key), f"place {ref!r} has no road junction", "connect another place")
        return None
    return node


def _links(G: nx.MultiDiGraph, ref: Any, ch: Change, probs: Problems) -> list[tuple[str, str, str]]:
    ids = [ref] if isinstance(ref, str) else list(ref)
    found = []
    for lid in ids:
        hits = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if d.get("kind") == "road" and (k == lid or (":" not in lid and str(k).startswith(lid + ":")))
        ]
        if not hits:
            probs.add(
                ch.file,
                _line(ch, "link"),
                f"road link {lid!r} is not in the network in this year",
                "use a link_id from road_links.csv (or a corridor id) that is open in the scenario's year",
            )
        found.extend(hits)
    return found


def _station(G: nx.MultiDiGraph, ref: str) -> str | None:
    node = station_node(ref)
    if node in G:
        return node
    hits = [n for n, d in G.nodes(data=True) if d.get("kind") == "station" and d.get("name") == ref]
    return hits[0] if len(hits) == 1 else None


def _road_speed(cls: str, lanes: int) -> float:
    s = ROAD_SPEED[cls]
    if isinstance(s, dict):
        nearest = min(s, key=lambda k: abs(k - lanes))
        return float(s.get(lanes, s[nearest]))
    return float(s)


def _apply_change(G: nx.MultiDiGraph, net: Network, index: PlaceIndex, ch: Change, probs: Problems) -> None:
    if not isinstance(ch.args, dict):
        return
    a = ch.args
    if ch.verb == "add_road":
        u = _junction(G, index, a["from"], ch, "from", probs)
        v = _junction(G, index, a["to"], ch, "to", probs)
        if u is None or v is None:
            return
        if u == v:
            probs.add(ch.file, _line(ch, "to"), "add_road joins a junction to itself", "give two different ends")
            return
        cls = a.get("class", "expressway")
        lanes = int(a.get("lanes", 4))
        circ = float(net.meta.get("derived", {}).get("road_circuity", 1.25))
        km = float(
            a.get("length_km")
            or haversine_km(G.nodes[u]["lon"], G.nodes[u]["lat"], G.nodes[v]["lon"], G.nodes[v]["lat"]) * circ
        )
        speed = float(a.get("speed_kmh") or _road_speed(cls, lanes))
        lid = str(a.get("id") or f"new:{u[5:]}-{v[5:]}")
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
            if pid and not G.has_edge(f"place:{pid}", n):
                _connect_place_junction(G, pid, n)
    elif ch.verb in ("widen_road", "close_link"):
        edges = _links(G, a.get("link"), ch, probs)
        if ch.verb == "close_link":
            G.remove_edges_from(edges)
            return
        changed = False
        for u, v, k in edges:
            d = G.edges[u, v, k]
            cls = a.get("class", d["road_class"])
            lanes = int(a.get("lanes", d["lanes"]))
            speed = float(
                a.get("speed_kmh") or (_road_speed(cls, lanes) if ("lanes" in a or "class" in a) else d["speed_kmh"])
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
            probs.add(
                ch.file,
                ch.line,
                "widen_road leaves the link as it was; this change does nothing",
                "give more lanes, a higher speed or another class",
            )
    elif ch.verb == "close_station":
        node = _station(G, str(a["station"]))
        if node is None:
            probs.add(
                ch.file,
                _line(ch, "station"),
                f"station {a['station']!r} is not in the network in this year",
                "use a station id (rs_...) or exact name from stations.csv",
            )
            return
        _close_station(G, node)
    elif ch.verb == "close_place":
        try:
            ep = index.resolve(str(a["place"]))
        except UnknownPlaceError as e:
            probs.add(ch.file, _line(ch, "place"), str(e), "use a place name, id or code")
            return
        j = f"road:{ep.place}"
        if j in G:
            G.remove_edges_from(
                [(u, v, k) for u, v, k, d in G.in_edges(j, keys=True, data=True) if d.get("kind") == "road"]
            )
            G.remove_edges_from(
                [(u, v, k) for u, v, k, d in G.out_edges(j, keys=True, data=True) if d.get("kind") == "road"]
            )
        for n, d in list(G.nodes(data=True)):
            if d.get("kind") == "station" and d.get("place") == ep.place:
                _close_station(G, n)
    elif ch.verb == "add_service":
        _add_service_change(G, net, ch, probs)
    elif ch.verb in ("change_service", "remove_service"):
        sid = str(a["service"])
        dirs = [s for s in (sid, sid + REVERSE_SUFFIX) if s in G.graph["services"]]
        if not dirs:
            probs.add(
                ch.file,
                _line(ch, "service"),
                f"service {sid!r} is not running in this year",
                "use a service_id from services.csv that is open in the scenario's year",
            )
            return
        if ch.verb == "remove_service":
            for s in dirs:
                _drop_service(G, s)
            return
        changed = False
        for s in dirs:
            svc = G.graph["services"][s] = dict(G.graph["services"][s])
            if "headway_min" in a or "trains_per_day" in a:
                hw = (
                    float(a["headway_min"])
                    if "headway_min" in a
                    else float(net.parameters.get("service_day_min", 1080)) / float(a["trains_per_day"])
                )
                changed |= not math.isclose(hw, svc["headway_min"])
                svc["headway_min"] = hw
            if "speed_kmh" in a:
                for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
                    hop = G.edges[station_node(x), station_node(y), f"{s}#{i + 1}"]
                    if hop.get("length_km"):
                        new = net.model.minutes(float(hop["length_km"]), float(a["speed_kmh"]), svc["train_class"])
                        changed |= not math.isclose(new, hop["minutes"])
                        hop.update(run_min=new, minutes=new, speed_kmh=float(a["speed_kmh"]))
        if not changed:
            probs.add(
                ch.file,
                ch.line,
                "change_service leaves the service as it was; this change does nothing",
                "give a different headway or speed",
            )


def _connect_place_junction(G: nx.MultiDiGraph, pid: str, j: str) -> None:
    p = G.nodes[f"place:{pid}"]
    acc = G.graph["parameters"].get("access", {})
    km = max(
        float(acc.get("min_junction_km", 2.0)),
        float(acc.get("junction_km_factor", 0.5)) * math.sqrt((p.get("area_km2") or 0.0) / math.pi),
    )
    m = 60.0 * km / float(acc.get("speed_kmh", 30))
    add_access_pair(G, f"place:{pid}", j, m, m, km)


def _drop_service(G: nx.MultiDiGraph, sid: str) -> None:
    svc = G.graph["services"].pop(sid)
    for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
        G.remove_edge(station_node(x), station_node(y), key=f"{sid}#{i + 1}")


def _close_station(G: nx.MultiDiGraph, node: str) -> None:
    """Remove a station; services pass through it without stopping (their hops merge)."""
    st = node[len("station:") :]
    for sid in [s for s, d in G.graph["services"].items() if st in d["stops"]]:
        svc = G.graph["services"][sid]
        hops = []
        for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
            e = G.edges[station_node(x), station_node(y), f"{sid}#{i + 1}"]
            hops.append([x, y, e["run_min"], e["dwell_min"], e.get("length_km"), e.get("speed_kmh")])
        _drop_service(G, sid)
        merged: list[list[Any]] = []
        for h in hops:
            if merged and merged[-1][1] == st:
                prev = merged[-1]
                prev[1] = h[1]
                prev[2] = prev[2] + h[3] + h[2]
                prev[4] = (prev[4] or 0) + (h[4] or 0) or None
            else:
                merged.append(list(h))
        merged = [h for h in merged if h[0] != st and h[1] != st]
        if merged:
            merged[0][3] = 0.0
            add_service(
                G,
                sid,
                name=svc["name"],
                mode=svc["mode"],
                train_class=svc["train_class"],
                headway_min=svc["headway_min"],
                hops=[tuple(h) for h in merged],
                project=svc.get("project", ""),
                bidirectional=False,
            )
            G.graph["services"][sid]["base_id"] = svc["base_id"]
    G.remove_node(node)


def _add_service_change(G: nx.MultiDiGraph, net: Network, ch: Change, probs: Problems) -> None:
    a = ch.args
    sid = str(a["id"])
    if sid in G.graph["services"]:
        probs.add(ch.file, _line(ch, "id"), f"service id {sid!r} already exists", "choose a new id")
        return
    mode = a.get("mode", "rail")
    for nid, s in (a.get("new_stations") or {}).items():
        node = station_node(str(nid))
        if node in G:
            probs.add(
                ch.file, _line(ch, "new_stations"), f"station {nid!r} already exists", "use it in stations instead"
            )
            continue
        G.add_node(
            node,
            kind="station",
            id=str(nid),
            name=str(s["name"]),
            mode=mode,
            city=s.get("city"),
            place=s.get("place"),
            lon=float(s["lon"]),
            lat=float(s["lat"]),
        )
        connect_station(G, node)
    nodes: list[str | None] = []
    for ref in a["stations"]:
        found = _station(G, str(ref))
        if found is None:
            probs.add(
                ch.file,
                _line(ch, "stations"),
                f"station {ref!r} is not in the network in this year",
                "use a station id or exact name from stations.csv, or define it under new_stations",
            )
        elif G.nodes[found]["mode"] != mode:
            probs.add(
                ch.file,
                _line(ch, "stations"),
                f"station {ref!r} is a {G.nodes[found]['mode']} station",
                f"a {mode} service stops at {mode} stations",
            )
        nodes.append(found)
    stations = [n for n in nodes if n is not None]
    if len(stations) < len(nodes):
        return
    cls = str(a.get("class", "G" if mode == "rail" else "air"))
    speed = a.get("speed_kmh")
    runs = a.get("run_min")
    if runs is None and speed is None and mode == "rail":
        probs.add(ch.file, ch.line, "add_service needs speed_kmh or run_min", "give the design speed or the run times")
        return
    try:
        net.model.fit_for(cls) if runs is None else None
    except InvalidOptionError as e:
        probs.add(ch.file, _line(ch, "class"), str(e), "use G, D or C")
        return
    circ = float(net.meta.get("derived", {}).get("rail_circuity", 1.2))
    hops = []
    for i, (x, y) in enumerate(zip(stations, stations[1:], strict=False)):
        km = (
            float(a["km"][i])
            if a.get("km")
            else float(haversine_km(G.nodes[x]["lon"], G.nodes[x]["lat"], G.nodes[y]["lon"], G.nodes[y]["lat"])) * circ
        )
        run = float(runs[i]) if runs else net.model.minutes(km, float(speed), cls)
        dwell = 0.0 if i == 0 else float(a.get("dwell_min", net.model.dwell(cls)))
        hops.append((x[len("station:") :], y[len("station:") :], run, dwell, km, float(speed) if speed else None))
    if "headway_min" in a:
        hw = float(a["headway_min"])
    elif "trains_per_day" in a:
        hw = float(net.parameters.get("service_day_min", 1080)) / float(a["trains_per_day"])
    else:
        probs.add(ch.file, ch.line, "add_service needs headway_min or trains_per_day", "e.g. headway_min: 15")
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


# ------------------------------------------------------------------------------------------------
def describe(sc: Scenario, net: Network) -> list[str]:
    """The scenario in sentences a planner reads (resolved through `extends`)."""
    proj = net.tables["projects"].set_index("project_id")
    out = [f"Scenario {sc.name}: network {sc.network or net.name}, year {sc.year or net.meta.get('default_year')}."]
    if len(sc.chain) > 1:
        out.append("Extends: " + " -> ".join(Path(p).name for p in sc.chain[:-1]) + ".")
    if sc.description:
        out.append(sc.description.strip())
    if not sc.changes:
        out.append("No changes: the network as it stands in that year.")
    for i, ch in enumerate(sc.changes, 1):
        a = ch.args
        src = f"({Path(ch.file).name}:{ch.line})"
        if ch.verb == "open_project":
            if a in proj.index:
                r = proj.loc[a]
                elems = str(r["elements"]).replace(";", ", ")
                out.append(f"{i}. Open project {r['name_zh']} ({a}, {r['status']}): switches on {elems}. {src}")
            else:
                out.append(f"{i}. Open project {a} (unknown). {src}")
        elif ch.verb == "add_road":
            bits = [
                a.get("class", "expressway"),
                f"{a['length_km']} km" if "length_km" in a else "length from distance",
                f"{a.get('lanes', 4)} lanes",
            ] + ([f"{a['speed_kmh']} km/h"] if "speed_kmh" in a else [])
            out.append(f"{i}. Add a road {a.get('from')} – {a.get('to')} ({', '.join(map(str, bits))}). {src}")
        elif ch.verb == "widen_road":
            bits = [f"{k} {a[k]}" for k in ("lanes", "speed_kmh", "class") if k in a]
            out.append(f"{i}. Widen/upgrade road {a.get('link')}: {', '.join(bits)}. {src}")
        elif ch.verb == "close_link":
            out.append(f"{i}. Close road link(s) {a.get('link')}. {src}")
        elif ch.verb == "close_station":
            out.append(f"{i}. Close station {a.get('station')} (trains pass without stopping). {src}")
        elif ch.verb == "close_place":
            out.append(f"{i}. Close every road link and station in {a.get('place')}. {src}")
        elif ch.verb == "add_service":
            freq = f"every {a['headway_min']} min" if "headway_min" in a else f"{a.get('trains_per_day')} trains a day"
            spd = f"{a['speed_kmh']} km/h" if "speed_kmh" in a else "given run times"
            both = "both directions" if a.get("bidirectional", True) else "one direction"
            out.append(
                f"{i}. Add {a.get('mode', 'rail')} service {a.get('name', a.get('id'))}: "
                f"{' – '.join(map(str, a.get('stations', [])))}, {spd}, {freq}, {both}. {src}"
            )
        elif ch.verb == "change_service":
            bits = [f"{k} {a[k]}" for k in ("headway_min", "trains_per_day", "speed_kmh") if k in a]
            out.append(f"{i}. Change service {a.get('service')}: {', '.join(bits)}. {src}")
        elif ch.verb == "remove_service":
            out.append(f"{i}. Remove service {a.get('service')}. {src}")
    return out


def copy_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A deep copy of a graph that keeps the (immutable) network object shared."""
    net = G.graph.get("network_obj")
    H = copy.deepcopy(nx.MultiDiGraph(G, **{k: v for k, v in G.graph.items() if k != "network_obj"}))
    H.graph["network_obj"] = net
    return H
