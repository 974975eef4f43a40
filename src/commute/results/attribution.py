"""Which change closes the gap: contributions of a scenario's changes, and critical closures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from commute.io.network import Network
from commute.model.modes import Measure
from commute.model.scenario import Scenario
from commute.results.targets import TargetSet, check, score
from commute.search import api
from commute.search import engine as E
from commute.search.transit import Query


def own_changes(sc: Scenario) -> list[int]:
    """Indices (into ``sc.changes``) of the changes written in the scenario's own file."""
    me = str(Path(sc.path).resolve())
    return [i for i, c in enumerate(sc.changes) if str(Path(c.file).resolve()) == me]


def attribute(
    net: Network,
    sc: Scenario,
    targets: list[TargetSet],
    *,
    exact_limit: int = 6,
    samples: int = 20,
    seed: int = 0,
    metric: Callable[[pd.DataFrame], dict[str, float]] = score,
) -> pd.DataFrame:
    """Contribution of each of a scenario's own changes to the target scores.

    Leave-one-out: the full scenario's score minus the score without that change. The Shapley
    value (the order-independent average contribution, :mod:`commute.sweep.shapley`) is exact
    over every subset of the changes when there are at most ``exact_limit`` of them, and
    otherwise the mean over ``samples`` random orders with its standard error. Both add up to
    the full scenario's score minus the parent's. Subsets are evaluated as a sweep does: one
    union engine patched per subset, checked against built scenarios first.

    Returns
    -------
    pandas.DataFrame
        One row per change and score: ``change``, ``what``, ``line``, ``score``,
        ``leave_one_out``, ``shapley``, ``shapley_se`` (0 when exact), ``method``
        (``exact`` or ``sampled``), ``total`` (full minus parent).
    """
    from commute.sweep.evaluate import Evaluator
    from commute.sweep.expand import Point
    from commute.sweep.shapley import shapley
    from commute.sweep.spec import Item, Sweep

    own = own_changes(sc)
    n = len(own)
    base = replace(sc, changes=tuple(c for i, c in enumerate(sc.changes) if i not in own))
    items = tuple(Item(_label(sc.changes[i].to_json()), sc.changes[i]) for i in own)
    ev = Evaluator(Sweep(sc.name, Path(sc.path), base, items), net, targets=targets)
    cache: dict[int, dict[str, float]] = {}

    def value(mask: int) -> dict[str, float]:
        if mask not in cache:
            point = Point(tuple(i for i in range(n) if mask >> i & 1))
            model = ev.model(())
            detail = ev.built(point) if model is None else ev.patched(model, point)
            cache[mask] = metric(detail)
        return cache[mask]

    every = (1 << n) - 1
    full, empty = value(every), value(0)
    keys = list(full)
    phi, se, method = shapley(
        lambda m: np.array([value(m)[k] for k in keys]), n, exact_limit=exact_limit, samples=samples, seed=seed
    )
    rows = []
    for j, i in enumerate(own):
        loo = value(every & ~(1 << j))
        ch = sc.changes[i]
        for q, key in enumerate(keys):
            rows.append(
                {
                    "change": j + 1,
                    "what": items[j].name,
                    "line": ch.line,
                    "score": key,
                    "leave_one_out": full[key] - loo[key],
                    "shapley": float(phi[j, q]),
                    "shapley_se": float(se[j, q]),
                    "method": method,
                    "total": full[key] - empty[key],
                }
            )
    return pd.DataFrame(rows)


def _label(change: dict[str, object]) -> str:
    verb, args = next(iter(change.items()))
    if isinstance(args, dict):
        key = args.get("id") or args.get("link") or args.get("service") or args.get("station") or args.get("place")
        return f"{verb} {key}"
    return f"{verb} {args}"


def critical_closures(
    G: nx.MultiDiGraph,
    targets: list[TargetSet],
    *,
    kinds: tuple[str, ...] = ("road", "rail"),
) -> pd.DataFrame:
    """Single closures that make a passing target pair fail.

    Each road link (both directions) and each rail service (both directions) is closed in
    turn by patching the compiled engines (the graph is not copied or changed); the targets
    are re-checked, and every pair that passed before and fails after is listed against the
    closure. Rail services are tried only where they carry the journey that stands for a
    passing pair (its fastest journey, or the one nearest its window statistic): closing a
    service no such journey uses cannot break a ``fastest`` rule, so this is exact for those
    and, for window statistics, a documented shortcut (the timetable has over a thousand
    stopping patterns).

    Returns
    -------
    pandas.DataFrame
        ``closure, kind, name, rules_broken, pairs_broken, pop_affected, examples``, sorted
        with the most damaging closures first; closures that break nothing are left out.
    """
    fp = E.graph_fingerprint(G)
    base = check(G, targets, legs=False)
    keys = ["targets", "rule", "origin_id", "destination_id"]
    passing = base[base["passed"].astype(bool)].set_index(keys)
    candidates: list[tuple[str, str, str, Callable[[E.Label], bool], frozenset[str]]] = []
    if "road" in kinds:
        names: dict[str, str] = {}
        for _, _, k, d in G.edges(keys=True, data=True):
            if d.get("kind") == "road":
                names.setdefault(str(k), d.get("name", ""))
        for k in sorted(names):
            candidates.append((k, "road", names[k], _link_is(k), frozenset()))
    if "rail" in kinds:
        used = _services_used(G, targets, passing)
        by_base: dict[str, list[str]] = {}
        for sid, s in G.graph["services"].items():
            if s["mode"] == "rail" and sid in used:
                by_base.setdefault(s["base_id"], []).append(sid)
        for b in sorted(by_base):
            sids = frozenset(by_base[b])
            name = G.graph["services"][by_base[b][0]]["name"]
            candidates.append((b, "rail", name, _service_in(sids), sids))
    rows = []
    for cid, kind, name, drop, closed in candidates:
        patched: dict[tuple[str, Measure, Query], api.AnyEngine] = {}

        def engine_for(modes: str, measure: Measure, query: Query, drop=drop, patched=patched) -> api.AnyEngine:
            if (modes, measure, query) not in patched:
                eng = api.compile_engine(G, modes, measure, query, fingerprint=fp)
                patched[(modes, measure, query)] = eng.without(drop)
            return patched[(modes, measure, query)]

        after = check(G, targets, legs=False, engine_for=engine_for, closed_services=closed).set_index(keys)
        broken = passing.index[~after.loc[passing.index, "passed"].astype(bool).to_numpy()]
        if len(broken):
            b = passing.loc[broken]
            rows.append(
                {
                    "closure": cid,
                    "kind": kind,
                    "name": name,
                    "rules_broken": ", ".join(sorted({f"{t}:{r}" for t, r, _, _ in broken})),
                    "pairs_broken": len(broken),
                    "pop_affected": int(b["pop"].sum()),
                    "examples": "; ".join(f"{r.origin}→{r.destination}" for r in b.head(3).itertuples()),
                }
            )
    out = pd.DataFrame(
        rows, columns=["closure", "kind", "name", "rules_broken", "pairs_broken", "pop_affected", "examples"]
    )
    return out.sort_values(["pairs_broken", "pop_affected", "closure"], ascending=[False, False, True]).reset_index(
        drop=True
    )


def _services_used(G: nx.MultiDiGraph, targets: list[TargetSet], passing: pd.DataFrame) -> set[str]:
    """Services ridden by the journeys that stand for the passing pairs of reach and day-trip rules."""
    from commute.results.travel import endpoints

    keys = set(passing.index)
    used: set[str] = set()
    for ts in targets:
        for rule in ts.rules:
            if rule.kind not in ("reach", "day_trip"):
                continue
            eng = api.compile_engine(G, rule.modes, rule.measure, rule.query)
            dests = endpoints(G, _names(rule.spec["to"]))
            for o in endpoints(G, _names(rule.spec["from"])):
                mine = [d for d in dests if (ts.name, rule.id, o.key, d.key) in keys]
                for _, legs in api.best_trips(eng, o, mine) if mine else []:
                    used.update(leg.service for leg in legs if leg.kind == "ride")
                if rule.kind == "day_trip":
                    for d in mine:
                        for _, legs in api.best_trips(eng, d, [o]):
                            used.update(leg.service for leg in legs if leg.kind == "ride")
    return used


def _names(v: object) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, list) else str(v)


def _link_is(link_id: str) -> Callable[[E.Label], bool]:
    def drop(lab: E.Label) -> bool:
        return lab.kind == "road" and lab.key == link_id

    return drop


def _service_in(sids: frozenset[str]) -> Callable[[E.Label], bool]:
    def drop(lab: E.Label) -> bool:
        return lab.service in sids

    return drop
