"""Money across scenarios and places: who gains from a fare change, affordability, share of income."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx
import pandas as pd

from commute.model.cost import costs_of
from commute.model.modes import Mode, parse_measure, parse_modes
from commute.model.places import Endpoint
from commute.results.cost_journeys import candidates, cheapest_within, cost_matrix


def fare_compare(
    base: nx.MultiDiGraph,
    others: Sequence[tuple[str, nx.MultiDiGraph]],
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    **kw: Any,
) -> pd.DataFrame:
    """Each pair and mode's best journey (by ``kw['cost']``) in the base and in each other scenario.

    Returns
    -------
    pandas.DataFrame
        ``scenario, origin, destination, mode, fare_before, fare_after, fare_gain,
        minutes_before, minutes_after, generalized_gain_min, origin_pop, gains``: ``gains`` is
        True where the journey got cheaper (or faster at the same fare); ``origin_pop`` is the
        origin's 2020 population, the people who gain.
    """
    b = cost_matrix(base, origins, dests, **kw)
    pop = {o.key: o.pop for o in origins}
    out = []
    for label, G in others:
        a = cost_matrix(G, origins, dests, **kw)
        m = b.merge(a, on=["origin_id", "destination_id", "mode"], suffixes=("_before", "_after"))
        out.append(pd.DataFrame({
            "scenario": label, "origin": m["origin_before"], "destination": m["destination_before"],
            "mode": m["mode"], "fare_before": m["fare_before"], "fare_after": m["fare_after"],
            "fare_gain": m["fare_before"] - m["fare_after"],
            "minutes_before": m["minutes_before"], "minutes_after": m["minutes_after"],
            "generalized_gain_min": m["generalized_min_before"] - m["generalized_min_after"],
            "origin_pop": m["origin_id"].map(pop),
        }))  # fmt: skip
    df = pd.concat(out, ignore_index=True)
    df["gains"] = df["generalized_gain_min"] > 1e-9
    return df


def affordable_population(
    G: nx.MultiDiGraph,
    origin: Endpoint,
    dests: Sequence[Endpoint],
    *,
    minutes: float,
    fare: float,
    modes: str | Iterable[str | Mode] | None = None,
    measure: Any = None,
    query: Any = None,
) -> int:
    """Population of the destinations reachable within ``minutes`` for at most ``fare`` (any listed mode)."""
    meas = parse_measure(measure)
    total = 0
    for d in dests:
        if d.key == origin.key:
            total += d.pop
            continue
        for m in sorted(parse_modes(modes), key=lambda x: x.value):
            j = cheapest_within(candidates(G, origin, d, m, meas, query), minutes)
            if j is not None and j.fare <= fare:
                total += d.pop
                break
    return total


def income_share(G: nx.MultiDiGraph, fare_per_trip: float, city: str, trips: float | None = None) -> float:
    """The share of a month's income (``costs.yaml``, an estimate) that ``trips`` journeys cost (NaN if unknown).

    >>> from commute.model.scenario import graph_for
    >>> round(income_share(graph_for(year=2026), 10.0, "huangshi"), 3)  # 44 x 10 / 3500
    0.126
    """
    c = costs_of(G)
    inc = c.income.get(city)
    n = c.trips_per_month if trips is None else trips
    return math.nan if not inc else fare_per_trip * n / inc
