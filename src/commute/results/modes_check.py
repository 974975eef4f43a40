"""Modes a network has, and a clear error for modes it lacks.

Examples
--------
>>> from commute.model.scenario import graph_for
>>> G = graph_for(year=2026)
>>> sorted(m.value for m in network_modes(G))
['air', 'rail', 'road']
>>> require_modes(G, "road,bus")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
commute.errors.InvalidOptionError: the network wuhan_circle (2026) has no bus services; it has air, rail and road: ...
>>> require_modes(G, "transit")  # every scheduled mode the network has
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from commute.errors import InvalidOptionError
from commute.model.modes import SCHEDULED, Mode, parse_modes


def network_modes(G: nx.MultiDiGraph) -> frozenset[Mode]:
    """The modes with at least one road link or one service in use in ``G``."""
    found = {Mode(s["mode"]) for s in G.graph.get("services", {}).values() if s.get("mode") in set(Mode)}
    if any(d.get("kind") == "road" for _, _, d in G.edges(data=True)):
        found.add(Mode.ROAD)
    return frozenset(found)


def _words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def require_modes(G: nx.MultiDiGraph, modes: str | Iterable[str | Mode] | None) -> None:
    """Raise :class:`InvalidOptionError` when a mode asked for is not in the network.

    ``None`` (every mode) and ``transit`` (every scheduled mode) ask only for what the network
    has, and so does ``road`` beside a mode the network has (a transit-only GTFS network with
    the default ``road,rail``); a scheduled mode named and missing, or no mode at all in the
    network, is an error.
    """
    if modes is None:
        return
    asked = parse_modes(modes)
    have = network_modes(G)
    missing = asked - have
    if asked & have:
        missing -= {Mode.ROAD}  # the default road,rail on a transit-only network (GTFS) is fine
        if SCHEDULED <= asked:  # `transit`: the scheduled modes the network has
            missing -= SCHEDULED
    if not missing:
        return
    label = f"{G.graph.get('network', 'the network')} ({G.graph.get('year', '')})"
    lacking = _words(sorted(m.value for m in missing))
    has = _words(sorted(m.value for m in have)) if have else "no mode at all"
    what = f"{lacking} services" if missing <= SCHEDULED else lacking
    raise InvalidOptionError(f"the network {label} has no {what}; it has {has}: drop {lacking} from --modes.")
