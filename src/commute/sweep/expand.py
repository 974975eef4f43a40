"""The scenarios a sweep makes: subsets of its items times the points of its grid.

A point is ``(members, grid)``: the indices of the items switched on (sorted) and one value
index per grid dimension. All subsets are listed by size, then lexicographically; with
``sample: N``, N random orders of the items are drawn (seeded) and every prefix of each order
is a point, so permutation-sampled Shapley values can be computed from the results.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from commute.io.network import Network
from commute.model.graph import check_year
from commute.model.scenario import Scenario, scenario_hash
from commute.sweep.shapley import random_orders
from commute.sweep.spec import Sweep


@dataclass(frozen=True, order=True)
class Point:
    """One scenario of a sweep: items on (indices) and grid value indices."""

    members: tuple[int, ...]
    grid: tuple[int, ...] = ()


def orders(sweep: Sweep) -> list[tuple[int, ...]]:
    """The random orders of the items drawn for ``sample: N`` (empty for a full sweep)."""
    if sweep.sample is None:
        return []
    return random_orders(len(sweep.items), sweep.sample, sweep.seed)


def subsets(sweep: Sweep) -> list[tuple[int, ...]]:
    """The member sets of the sweep: every subset, or the prefixes of the sampled orders."""
    k = len(sweep.items)
    if sweep.sample is None:
        return [c for r in range(k + 1) for c in itertools.combinations(range(k), r)]
    seen: set[tuple[int, ...]] = set()
    for perm in orders(sweep):
        for r in range(k + 1):
            seen.add(tuple(sorted(perm[:r])))
    return sorted(seen, key=lambda s: (len(s), s))


def grid_points(sweep: Sweep) -> list[tuple[int, ...]]:
    """Every combination of grid value indices (one empty point without a grid)."""
    return list(itertools.product(*(range(len(g.values)) for g in sweep.grid)))


def points(sweep: Sweep) -> list[Point]:
    """Every point of the sweep, grid point by grid point (so a batch shares one base)."""
    subs = subsets(sweep)
    return [Point(m, g) for g in grid_points(sweep) for m in subs]


def count(sweep: Sweep) -> int:
    """How many scenarios the sweep makes."""
    return len(subsets(sweep)) * len(grid_points(sweep))


def scenario_of(sweep: Sweep, point: Point) -> Scenario:
    """The scenario of a point: the base's changes, the grid's changes, then the items on."""
    grid = tuple(g.change(g.values[j]) for g, j in zip(sweep.grid, point.grid, strict=True))
    items = tuple(sweep.items[i].change for i in point.members)
    name = " + ".join(sweep.items[i].name for i in point.members) or "base"
    return replace(sweep.base, name=name, changes=sweep.base.changes + grid + items)


def point_hash(sweep: Sweep, point: Point, net: Network) -> str:
    """The point's scenario content hash (what the results are keyed by)."""
    return scenario_hash(scenario_of(sweep, point), net, check_year(net, sweep.base.year))


def describe_grid(sweep: Sweep, point: Point) -> dict[str, float]:
    """Grid values of a point by dimension label."""
    return {g.label: g.values[j] for g, j in zip(sweep.grid, point.grid, strict=True)}
