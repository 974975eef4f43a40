"""Journeys with money: candidates per mode, their Pareto set on (minutes, fare), the best by a cost.

The two-criteria search is a documented simpler method than McRAPTOR: for each mode, the
candidates are the earliest-arriving journeys of every departure of the window (one per
distinct arrival, leaving as late as possible), plus the road journey; each is priced by
:mod:`commute.model.cost`, and the Pareto set keeps those no other candidate beats on both
minutes and fare. "The cheapest journey within 60 minutes" and "the fastest journey under
30 yuan" are answered on that set (:func:`cheapest_within`, :func:`fastest_under`). A journey
that is never the earliest arrival from any departure (a slower, cheaper train leaving before
a faster one) is not a candidate: the limit of the method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from commute.errors import InvalidOptionError
from commute.io.fares import Costs
from commute.model.cost import costs_of, generalized, journey_fare
from commute.model.modes import Measure, Mode, parse_measure, parse_modes
from commute.model.places import Endpoint
from commute.search import api

COSTS = ("minutes", "fare", "generalized")


@dataclass(frozen=True)
class Journey:
    """One priced journey: minutes, money, departure (minutes after midnight; NaN by road), legs."""

    minutes: float
    fare: float
    depart: float
    mode: str
    legs: tuple[Any, ...] = ()

    def cost(self, kind: str, value_of_time: float) -> float:
        """Its minutes, fare or generalized cost."""
        if kind == "minutes":
            return self.minutes
        if kind == "fare":
            return self.fare
        return generalized(self.minutes, self.fare, value_of_time)


def check_cost(kind: str) -> str:
    """A valid cost name (an :class:`InvalidOptionError` naming the choices otherwise)."""
    if kind not in COSTS:
        raise InvalidOptionError(f"cost {kind!r} is unknown; use minutes, fare or generalized.")
    return kind


def pareto(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point dominates (<= on both, < on one); one of equal points.

    >>> pareto([(60, 20), (50, 30), (70, 25), (60, 20)])
    [1, 0]
    """
    order = sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1]))
    out: list[int] = []
    best = math.inf
    for i in order:
        t, f = points[i]
        if math.isnan(t) or math.isnan(f):
            continue
        if f < best:
            out.append(i)
            best = f
    return out


def pareto_set(journeys: Sequence[Journey]) -> list[Journey]:
    """The journeys no other one beats on both minutes and fare, fastest first."""
    return [journeys[i] for i in pareto([(j.minutes, j.fare) for j in journeys])]


def best(journeys: Iterable[Journey], kind: str, value_of_time: float) -> Journey | None:
    """The journey of least cost (ties: fewer minutes, then less money); None if there is none."""
    ok = [j for j in journeys if math.isfinite(j.minutes) and not math.isnan(j.fare)]
    return min(ok, key=lambda j: (j.cost(kind, value_of_time), j.minutes, j.fare), default=None)


def cheapest_within(journeys: Iterable[Journey], minutes: float) -> Journey | None:
    """The cheapest journey taking at most ``minutes`` (the fastest of equal fares)."""
    return min((j for j in journeys if j.minutes <= minutes), key=lambda j: (j.fare, j.minutes), default=None)


def fastest_under(journeys: Iterable[Journey], fare: float) -> Journey | None:
    """The fastest journey costing at most ``fare`` (the cheapest of equal times)."""
    return min((j for j in journeys if j.fare <= fare), key=lambda j: (j.minutes, j.fare), default=None)


def reprice(G: nx.MultiDiGraph, journeys: Iterable[Journey], costs: Costs) -> list[Journey]:
    """The same journeys priced with other cost data (a scenario's fares on the same trips)."""
    return [replace(j, fare=journey_fare(G, j.legs, costs)) for j in journeys]


def candidates(
    G: nx.MultiDiGraph, origin: Endpoint, dest: Endpoint, mode: Mode, measure: Measure, query: Any
) -> list[Journey]:
    """The priced candidate journeys of one mode between two endpoints (see the module doc)."""
    from commute.search import itinerary
    from commute.search import transit as T

    costs = costs_of(G)
    eng = api.compile_engine(G, {mode}, measure, query)
    if not isinstance(eng, T.TransitEngine):
        minutes, road = api.best_trip(eng, origin, dest)
        if not math.isfinite(minutes):
            return []
        return [Journey(float(minutes), journey_fare(G, road, costs), math.nan, mode.value, tuple(road))]
    deps = eng.query.departures(eng.measure)
    if deps is None:
        deps = T._origin_departures(eng, origin)
    times = T.journey_times(eng, [origin], [dest], deps)[0][:, 0] if len(deps) else np.array([])
    latest: dict[float, float] = {}
    for t0, m in zip(deps, times, strict=True):
        if np.isfinite(m):
            arr = round(float(t0 + m), 6)
            latest[arr] = max(latest.get(arr, -math.inf), float(t0))
    out = []
    for t0 in sorted(latest.values()):
        legs: list[Any] = list(itinerary.legs_at(eng, origin, dest, t0))
        if not legs:
            continue
        if measure is Measure.STATION_TO_STATION:
            while legs and legs[0].kind == "wait":
                legs = legs[1:]
        if not legs:
            continue
        minutes = float(sum(leg.minutes for leg in legs))
        out.append(Journey(minutes, journey_fare(G, legs, costs), float(legs[0].depart), mode.value, tuple(legs)))
    return out


def cost_matrix(
    G: nx.MultiDiGraph,
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    *,
    modes: str | Iterable[str | Mode] | None = None,
    measure: str | Measure | None = None,
    query: Any = None,
    cost: str = "minutes",
    value_of_time: float | None = None,
) -> pd.DataFrame:
    """Each mode's best journey (by ``cost``) for every pair: minutes, fare, currency, generalized.

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, minutes, fare, currency, mode, generalized_min, depart,
        origin_id, destination_id``, one row per pair and mode; NaN where the mode has no
        journey.
    """
    from commute.search.query import clock

    check_cost(cost)
    costs = costs_of(G)
    vot = costs.value_of_time if value_of_time is None else float(value_of_time)
    if not vot > 0:
        raise InvalidOptionError(f"value of time {vot!r} must be more than 0 per hour; give e.g. --value-of-time 30.")
    meas = parse_measure(measure)
    ms = sorted(parse_modes(modes), key=lambda m: m.value)
    if meas is Measure.STATION_TO_STATION:
        ms = [m for m in ms if m is not Mode.ROAD]
    have = set(api.modes_in(G))
    ms = [m for m in ms if m.value in have]
    if not ms:
        raise InvalidOptionError(f"this network has none of these modes; use modes it has ({', '.join(sorted(have))}).")
    rows = []
    for o in origins:
        for d in dests:
            for m in ms:
                j = None if o.key == d.key else best(candidates(G, o, d, m, meas, query), cost, vot)
                if o.key == d.key:
                    j = Journey(0.0, 0.0, math.nan, m.value)
                t = math.nan if j is None else j.minutes
                f = math.nan if j is None else j.fare
                g = math.nan if j is None else generalized(t, f, vot)
                dep = "" if j is None or math.isnan(j.depart) else clock(j.depart)
                rows.append((o.name, d.name, t, f, costs.currency, m.value, g, dep, o.key, d.key))
    cols = ["origin", "destination", "minutes", "fare", "currency", "mode", "generalized_min", "depart"]
    return pd.DataFrame(rows, columns=[*cols, "origin_id", "destination_id"])
