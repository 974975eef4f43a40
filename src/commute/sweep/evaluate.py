"""Evaluate a batch of a sweep's scenarios into tidy metric rows.

Each worker keeps one :class:`Evaluator` per sweep (built on first use): the network, the
target sets and, per grid point, a :class:`~commute.sweep.masked.Model` whose union engine is
patched for each subset. Results always go through the public target check
(:func:`commute.results.targets.check`), so the sweep follows whatever engine ``check`` uses.
Before a model is trusted, its results on probe subsets (the base, the full set and a few
random ones) are compared with scenarios built from scratch; if any differs, or the items are
not separable, every scenario of that grid point is built from scratch instead.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from commute.io import object_cache
from commute.io.network import Network
from commute.model.modes import Measure, Mode, parse_modes
from commute.model.scenario import apply_scenario
from commute.results.targets import TargetSet, check, load_targets, resolve_targets
from commute.search import engine as E
from commute.search import transit as T
from commute.sweep.expand import Point, point_hash, scenario_of
from commute.sweep.masked import Model, NotSeparable, build_model
from commute.sweep.spec import Sweep

log = logging.getLogger(__name__)

ROW_COLUMNS = ["scenario", "members", "n_members", "mask", "grid", "targets", "rule", "metric", "value", "method"]
#: The ``targets`` and ``rule`` of the rows that total every rule.
ALL = "*"


def metric_rows(detail: pd.DataFrame, metrics: tuple[str, ...]) -> list[tuple[str, str, str, float]]:
    """``(targets, rule, metric, value)`` per rule and for all rules together (``*``, ``*``).

    Metrics: ``pairs_passing``, ``pop_passing`` (population of the passing pairs' destinations),
    ``minutes_short`` (sum over reachable failing pairs), ``all_pass`` (1 if every pair passes);
    the total row has ``rules_met`` (rules with every pair passing) instead of ``all_pass``.
    """
    passed = detail["passed"].to_numpy(dtype=bool)
    pop = detail["pop"].to_numpy(dtype=float)
    short = np.nan_to_num(detail["short_by_min"].to_numpy(dtype=float), nan=0.0)
    keys = list(zip(detail["targets"].astype(str), detail["rule"].astype(str), strict=True))
    codes, uniq = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    n = len(uniq)
    pairs = np.bincount(codes, weights=passed.astype(float), minlength=n)
    pops = np.bincount(codes, weights=pop * passed, minlength=n)
    shorts = np.bincount(codes, weights=short, minlength=n)
    sizes = np.bincount(codes, minlength=n)
    ok = (pairs == sizes).astype(float)
    per = {"pairs_passing": pairs, "pop_passing": pops, "minutes_short": shorts, "all_pass": ok}
    out = [(str(ts), str(rule), m, float(per[m][j])) for j, (ts, rule) in enumerate(uniq) for m in metrics]
    total = {"pairs_passing": "pairs_passing", "pop_passing": "pop_passing", "minutes_short": "minutes_short"}
    for m in metrics:
        name = total.get(m, "rules_met")
        out.append((ALL, ALL, name, float(per[m].sum())))
    return out


def engine_keys(targets: list[TargetSet]) -> list[tuple[str, Measure, T.Query]]:
    """The (modes, measure, query) triples the rules of the targets compile engines for."""
    keys: dict[tuple[frozenset[Any], Measure, T.Query], tuple[str, Measure, T.Query]] = {}
    for ts in targets:
        for r in ts.rules:
            if r.kind in ("reach", "day_trip"):
                keys.setdefault((parse_modes(r.modes), r.measure, r.query), (r.modes, r.measure, r.query))
            elif r.kind == "expressway_access":
                q = T.Query()
                keys.setdefault((parse_modes("road"), Measure.DOOR_TO_DOOR, q), ("road", Measure.DOOR_TO_DOOR, q))
    return list(keys.values())


@dataclass
class Evaluator:
    """Evaluates points of one sweep on one network (one per worker process)."""

    sweep: Sweep
    net: Network
    fast: bool = True
    probes: int = 2
    targets: list[TargetSet] = field(default_factory=list)
    models: dict[tuple[int, ...], Model | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.targets:
            G = apply_scenario(self.net, scenario_of(self.sweep, Point((), tuple(0 for _ in self.sweep.grid))))
            self.targets = [load_targets(p, G=G) for p in resolve_targets(",".join(self.sweep.targets))]

    def built(self, point: Point) -> pd.DataFrame:
        """Target detail of a point, its scenario built from scratch (its engines not kept on disk)."""
        with object_cache.not_kept():
            G = apply_scenario(self.net, scenario_of(self.sweep, point))
            return check(G, self.targets, legs=False)

    def patched(self, model: Model, point: Point) -> pd.DataFrame:
        """Target detail of a point from the grid point's masked union engine."""
        on = sum(1 << i for i in point.members)
        by_key = {(parse_modes(m), meas, q): me for (m, meas, q), me in model.engines.items()}
        made: dict[tuple[frozenset[Any], Measure, T.Query], E.Engine] = {}

        def engine_for(modes: str, measure: Measure, query: T.Query) -> E.Engine:
            key = (parse_modes(modes), measure, query)
            if key not in made:
                made[key] = by_key[key].engine(on)
            return made[key]

        return check(
            model.union_graph,
            self.targets,
            legs=False,
            engine_for=engine_for,
            closed_services=model.closed_services(on),
        )

    def model(self, grid: tuple[int, ...]) -> Model | None:
        """The grid point's masked model, checked on probe subsets (None: build every scenario)."""
        if grid in self.models:
            return self.models[grid]
        k = len(self.sweep.items)
        model: Model | None = None
        keys = engine_keys(self.targets)
        if self.fast and k and not all(parse_modes(key[0]) <= {Mode.ROAD} for key in keys):
            log.info("sweep %s: transit rules use the departure-time engine; building every scenario", self.sweep.name)
        elif self.fast and k:
            every = tuple(range(k))

            def graph_without(i: int | None) -> Any:
                members = every if i is None else tuple(j for j in every if j != i)
                return apply_scenario(self.net, scenario_of(self.sweep, Point(members, grid)))

            try:
                model = build_model(graph_without, k, keys)
            except NotSeparable as e:
                log.warning("sweep %s: building every scenario (%s)", self.sweep.name, e)
            if model is not None and not self._probe(model, grid):
                log.warning(
                    "sweep %s: patched engines differ from built scenarios; building every one", self.sweep.name
                )
                model = None
        self.models[grid] = model
        return model

    def _probe(self, model: Model, grid: tuple[int, ...]) -> bool:
        k = len(self.sweep.items)
        rng = random.Random(hash(grid) & 0xFFFF)
        subsets = {(), tuple(range(k))}
        for _ in range(self.probes):
            subsets.add(tuple(sorted(rng.sample(range(k), rng.randint(1, k)))))
        for s in sorted(subsets):
            a = metric_rows(self.built(Point(s, grid)), self.sweep.metrics)
            b = metric_rows(self.patched(model, Point(s, grid)), self.sweep.metrics)
            if len(a) != len(b) or any(x[:3] != y[:3] or not np.isclose(x[3], y[3]) for x, y in zip(a, b, strict=True)):
                return False
        return True

    def rows(self, point: Point) -> list[dict[str, Any]]:
        """The metric rows of one point."""
        model = self.model(point.grid)
        detail = self.built(point) if model is None else self.patched(model, point)
        h = point_hash(self.sweep, point, self.net)
        members = ";".join(self.sweep.items[i].name for i in point.members)
        grid = json.dumps({g.label: g.values[j] for g, j in zip(self.sweep.grid, point.grid, strict=True)})
        mask = sum(1 << i for i in point.members)
        method = "built" if model is None else "patched"
        return [
            {
                "scenario": h,
                "members": members,
                "n_members": len(point.members),
                "mask": mask,
                "grid": grid,
                "targets": ts,
                "rule": rule,
                "metric": m,
                "value": v,
                "method": method,
            }
            for ts, rule, m, v in metric_rows(detail, self.sweep.metrics)
        ]

    def batch(self, points: list[Point]) -> pd.DataFrame:
        """The metric rows of a batch of points (one table)."""
        rows = [r for p in points for r in self.rows(p)]
        return pd.DataFrame(rows, columns=ROW_COLUMNS)


_EVALUATORS: dict[str, Evaluator] = {}


def evaluate_batch(sweep: Sweep, net: Network, points: list[Point], fast: bool = True) -> pd.DataFrame:
    """Rows of a batch, with this process's evaluator for the sweep (built once per process)."""
    key = f"{sweep.digest()}-{net.version}-{fast}"
    if key not in _EVALUATORS:
        _EVALUATORS.clear()
        _EVALUATORS[key] = Evaluator(sweep, net, fast=fast)
    return _EVALUATORS[key].batch(points)
