"""Air alone between nearby places is not a journey: the rule, and the error that says so.

With ``--modes air`` the only way between two places is to fly, so two places a short drive
apart are "connected" only by flying away and back (武汉→黄石 by 武汉→深圳→鄂州花湖, 428 min at 08:00).
The rule: an air-only journey needs the places' centres at least
:attr:`~commute.model.params.Parameters.air_only_min_km` apart (300 km by default, set in
``network.yaml`` under ``parameters:``); a closer pair has no air journey (NaN, like any pair
without a journey), and when no pair asked for is far enough apart the query is an error that
says so and how to fix it. A place and itself keeps its answer. Mixed modes are not affected.

Examples
--------
>>> from commute.model.scenario import graph_for
>>> from commute.results.travel import endpoints
>>> G = graph_for(year=2026)
>>> too_close(G, "air", endpoints(G, "武汉"), endpoints(G, "黄石,北京")).tolist()
[[True, False]]
>>> too_close(G, "air", endpoints(G, "武汉"), endpoints(G, "黄石"), strict=True)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
commute.errors.InvalidOptionError: 武汉市 and 黄石市 are 88 km apart, closer than the 300 km ...: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.model.geo import haversine_km
from commute.model.ids import place_node
from commute.model.modes import Mode, parse_modes
from commute.model.params import parameters_of
from commute.model.places import Endpoint


def _lonlat(G: nx.MultiDiGraph, eps: Sequence[Endpoint]) -> tuple[np.ndarray, np.ndarray]:
    nodes = [G.nodes.get(place_node(e.place), {}) for e in eps]
    return (np.array([n.get("lon", np.nan) for n in nodes], dtype=float),
            np.array([n.get("lat", np.nan) for n in nodes], dtype=float))  # fmt: skip


def too_close(
    G: nx.MultiDiGraph,
    modes: str | Iterable[str | Mode] | None,
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    *,
    strict: bool = False,
) -> np.ndarray:
    """``[origin, destination]`` True where air alone is asked for and the pair is too close to fly.

    With ``strict``, raise :class:`InvalidOptionError` when every pair of different places is too
    close (the query can have no answer); all False unless the modes are air alone.
    """
    out = np.zeros((len(origins), len(dests)), dtype=bool)
    if modes is None or parse_modes(modes) != {Mode.AIR} or not len(out.flat):
        return out
    limit = parameters_of(G).air_only_min_km
    (ox, oy), (dx, dy) = _lonlat(G, origins), _lonlat(G, dests)
    km = haversine_km(ox[:, None], oy[:, None], dx[None, :], dy[None, :])
    same = np.array([[a.place == b.place for b in dests] for a in origins], dtype=bool)
    out = (np.asarray(km) < limit) & ~same
    if strict and out.any() and (out | same).all():
        i, j = map(int, np.argwhere(out)[0])
        pair = f"{origins[i].name} and {dests[j].name} are {float(km[i, j]):.0f} km apart"
        if out.sum() > 1:
            pair = f"every pair asked for is closer than {limit:.0f} km ({pair})"
        raise InvalidOptionError(
            f"{pair}, closer than the {limit:.0f} km an air-only journey needs; no air journey connects them:"
            " add road or rail to --modes."
        )
    return out
