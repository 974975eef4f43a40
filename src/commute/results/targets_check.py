"""Check a graph against target rules: each rule's kind gives its rows."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from commute.model.modes import Measure
from commute.results.rules import REGISTRY, CheckContext, Rule
from commute.results.rules.base import DETAIL_COLUMNS, EngineFor, frame
from commute.results.targets_load import TargetSet, load_targets, resolve_targets
from commute.search import api
from commute.search import engine as E
from commute.search import transit as T


def default_engines(G: nx.MultiDiGraph) -> EngineFor:
    """``engine_for(modes, measure, query)`` that compiles ``G`` (the graph fingerprinted once)."""
    fp = E.graph_fingerprint(G)

    def engine_for(modes: str, measure: Measure, query: T.Query) -> api.AnyEngine:
        return api.compile_engine(G, modes, measure, query, fingerprint=fp)

    return engine_for


def check_rule(
    G: nx.MultiDiGraph,
    rule: Rule,
    *,
    legs: bool = True,
    targets: str = "",
    engine_for: EngineFor | None = None,
    closed_services: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """One tidy row per pair of a rule (see :data:`~commute.results.rules.base.DETAIL_COLUMNS`).

    ``engine_for(modes, measure, query)`` supplies compiled engines (default: compile ``G``);
    ``closed_services`` are service directions to treat as absent for station coverage.
    """
    ctx = CheckContext(G, engine_for or default_engines(G), legs, targets, closed_services)
    return frame(REGISTRY[rule.kind].check(ctx, rule))


def check(
    G: nx.MultiDiGraph,
    targets: str | list[TargetSet] | None = None,
    *,
    legs: bool = True,
    engine_for: EngineFor | None = None,
    closed_services: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Check a graph against target files: one tidy row per rule and pair.

    Parameters
    ----------
    G
        The graph of a year or scenario.
    targets
        Shipped names or paths (comma-separated), loaded target sets, or None for every shipped file.
    legs
        Describe the legs of the best trip of each pair (slower).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~commute.results.rules.base.DETAIL_COLUMNS`; NaN minutes where unreachable (which fails).

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> detail = check(graph_for(year=2021), "123", legs=False)
    >>> row = detail.iloc[0]
    >>> row["rule"], bool(row["passed"]) == bool(row["minutes"] <= row["limit_min"])
    ('circle_1h', True)
    """
    sets = targets if isinstance(targets, list) else [load_targets(p, G=G) for p in resolve_targets(targets)]
    engine_for = engine_for or default_engines(G)
    frames = [
        check_rule(G, r, legs=legs, targets=ts.name, engine_for=engine_for, closed_services=closed_services)
        for ts in sets
        for r in ts.rules
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DETAIL_COLUMNS)
    return df
