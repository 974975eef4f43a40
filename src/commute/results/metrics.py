"""Reach metrics beside targets: cumulative opportunities and gravity accessibility.

``population_within``: for each origin place, the 2020 population of the places whose centre
it reaches within each threshold (30, 60, 90, 120, 180 minutes by default), counting the
origin itself. The places are the county-level units of the circle and the whole cities
outside it.

``gravity``: ``A_i = sum_j P_j * exp(-ln(2) * t_ij / half_life)``: the population reachable,
each place weighted by a decay that halves every ``half_life`` minutes (default 30, a
commuting-scale decay; documented in the README).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from commute.results.travel import endpoints, place_index
from commute.search import api
from commute.search.transit import Query

THRESHOLDS = (30, 60, 90, 120, 180)


def _all_places(G: nx.MultiDiGraph) -> list:
    return place_index(G).all_places()


def population_within(
    G: nx.MultiDiGraph,
    origins: str | Iterable[str] = "circle_places",
    *,
    thresholds: Iterable[float] = THRESHOLDS,
    modes: str | None = "road,rail",
    measure: str = "door_to_door",
    half_life_min: float = 30.0,
    query: Query | None = None,
) -> pd.DataFrame:
    """Population reachable within each threshold, and gravity accessibility, per origin.

    Returns
    -------
    pandas.DataFrame
        ``origin, origin_id, pop, pop_within_<T>`` for each threshold, and ``gravity``.
        Times by rail are the query's statistic (default: the median over 07:00–09:00).

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> df = population_within(graph_for(year=2021), "武汉,黄石", thresholds=(60, 120))
    >>> df.columns.tolist()
    ['origin', 'origin_id', 'pop', 'pop_within_60', 'pop_within_120', 'gravity']
    >>> bool((df["pop_within_60"] <= df["pop_within_120"]).all())  # more time, more people
    True
    """
    o = endpoints(G, origins)
    dests = _all_places(G)
    eng = api.compile_engine(G, modes, measure, query)
    m = api.matrix(eng, o, dests)
    pops = np.array([d.pop for d in dests], dtype=float)
    ths = list(thresholds)
    rows = []
    for i, a in enumerate(o):
        t = m[i]
        row = {"origin": a.name, "origin_id": a.key, "pop": a.pop}
        for th in ths:
            row[f"pop_within_{int(th)}"] = int(pops[np.nan_to_num(t, nan=np.inf) <= th].sum())
        w = np.exp(-np.log(2) * np.nan_to_num(t, nan=np.inf) / half_life_min)
        row["gravity"] = float((pops * w).sum())
        rows.append(row)
    return pd.DataFrame(rows)
