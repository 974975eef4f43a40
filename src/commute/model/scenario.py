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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx

from commute.errors import DataNotFoundError, InvalidOptionError, Problems
from commute.io.network import Network, load_network
from commute.io.yamlio import check_keys, read_yaml
from commute.model.changes import REGISTRY, VERBS, Change, Context
from commute.model.graph import build_graph, check_year, projects_open_by
from commute.model.params import ROAD_CLASSES, ROAD_SPEED
from commute.model.places import PlaceIndex

__all__ = [
    "ROAD_CLASSES",
    "ROAD_SPEED",
    "TOP_KEYS",
    "VERBS",
    "Change",
    "Scenario",
    "apply_scenario",
    "copy_graph",
    "describe",
    "graph_for",
    "load_scenario",
    "scenario_hash",
    "validate_file",
]

TOP_KEYS = ("name", "description", "network", "year", "extends", "changes")


# ------------------------------------------------------------------------------------------------
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
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        """The line a top-level key was written on (0 if unknown)."""
        return dict(self.lines).get(key, 0)

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
    from commute.model.shipped import resolve_scenario

    path = resolve_scenario(path) if not _seen else Path(path)  # a shipped scenario by name, from anywhere
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
    f = str(sc.path)
    try:
        net = load_network(network or sc.network)
    except (DataNotFoundError, InvalidOptionError) as e:  # the network's own problems keep their files
        if network is not None:
            raise
        probs.add(f, sc.line_of("network"), str(e).rstrip("."), "give a shipped network name or a network folder")
        probs.raise_if_any()
        raise
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
    name = check_keys(f, doc, TOP_KEYS, probs, name_of="scenario")
    year = doc.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        probs.add(f, lines.get("year", 0), f"year {year!r} is not a year", "give a whole year such as 2026")
        year = None  # a whole number outside the network's years is reported with the network's range
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
        before = probs.count
        REGISTRY[verb].check_form(ch, probs)
        if probs.count > before:
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
        tuple((str(k), int(v)) for k, v in lines.items()),
    )


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
    probs = problems if problems is not None else Problems(f"scenario {sc.path}")
    try:
        y = check_year(net, year if year is not None else sc.year)
    except InvalidOptionError as e:
        if year is not None:
            raise
        probs.add(str(sc.path), sc.line_of("year"), str(e).rstrip("."), "")
        y = check_year(net, None)  # check the changes in the network's default year, report together
    ready = [ch for ch in sc.changes if ch.form_ok]
    ctx = Context(
        nx.MultiDiGraph(),
        net,
        PlaceIndex(net),
        y,
        known_projects=frozenset(net.tables["projects"]["project_id"]),
        already_open=projects_open_by(net, y),
    )
    projects = [p for ch in ready for p in REGISTRY[ch.verb].projects(ch, ctx, probs)]
    G = ctx.G = build_graph(net, y, projects=projects)
    for ch in ready:
        REGISTRY[ch.verb].apply(ctx, ch, probs)
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
        return _base_graph(load_network(network), y)
    return validate_file(scenario, network=network, year=y)


def _base_graph(net: Network, year: int | None) -> nx.MultiDiGraph:
    """``build_graph(net, year)``, read from the on-disk object cache when it was built before."""
    from commute.io import object_cache

    key = f"{net.version}|{year}"
    G = object_cache.load("graph", key)
    if not isinstance(G, nx.MultiDiGraph):
        G = build_graph(net, year)
        G.graph.pop("network_obj")
        object_cache.save("graph", key, G)
    G.graph["network_obj"] = net
    return G


def _int_year(year: int | str) -> int:
    try:
        return int(year)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"year {year!r} is not a whole number; give a year such as 2026.") from None


# ------------------------------------------------------------------------------------------------
def describe(sc: Scenario, net: Network) -> list[str]:
    """The scenario in sentences a planner reads (resolved through `extends`)."""
    out = [f"Scenario {sc.name}: network {sc.network or net.name}, year {sc.year or net.meta.get('default_year')}."]
    if len(sc.chain) > 1:
        out.append("Extends: " + " -> ".join(Path(p).name for p in sc.chain[:-1]) + ".")
    if sc.description:
        out.append(sc.description.strip())
    if not sc.changes:
        out.append("No changes: the network as it stands in that year.")
    for i, ch in enumerate(sc.changes, 1):
        out.append(f"{i}. {REGISTRY[ch.verb].describe(ch, net)} ({Path(ch.file).name}:{ch.line})")
    return out


def copy_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A deep copy of a graph that keeps the (immutable) network object shared."""
    net = G.graph.get("network_obj")
    H = copy.deepcopy(nx.MultiDiGraph(G, **{k: v for k, v in G.graph.items() if k != "network_obj"}))
    H.graph["network_obj"] = net
    return H
