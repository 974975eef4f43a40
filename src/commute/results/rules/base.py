"""The protocol every target rule kind follows, the rule record and the registry of kinds.

A rule kind (``reach``, ``station_coverage``, ...) declares its keys and its required keys,
and checks a graph against a rule of its kind, giving one tidy row per pair (columns
:data:`DETAIL_COLUMNS`). Each kind lives in its own module of :mod:`commute.results.rules`,
decorated with :func:`register`; adding a kind is adding a file. The values of the fields
are checked by name in :mod:`commute.results.rules.fields`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import networkx as nx
import numpy as np
import pandas as pd

from commute.model.modes import Measure, parse_measure
from commute.model.places import Endpoint
from commute.registry import add
from commute.results.travel import endpoints
from commute.search import api
from commute.search import transit as T

REGISTRY: dict[str, RuleKind] = {}
#: Keys every rule kind accepts.
COMMON_KEYS = frozenset({"id", "name", "kind", "note"})
DETAIL_COLUMNS = [
    "targets",
    "rule",
    "rule_name",
    "origin",
    "destination",
    "origin_id",
    "destination_id",
    "measure",
    "modes",
    "minutes",
    "limit_min",
    "passed",
    "short_by_min",
    "trip_modes",
    "legs",
    "pop",
]
#: Columns a rule that bounds money adds (``affordable``); absent from the other rules' rows.
MONEY_COLUMNS = ["fare_cny", "max_fare_cny", "generalized_min", "max_generalized_min"]
EngineFor = Callable[[str, Measure, T.Query], api.AnyEngine]


@dataclass(frozen=True)
class Rule:
    """One target rule."""

    id: str
    name: str
    kind: str
    spec: dict[str, Any]
    file: str = ""
    line: int = 0

    @property
    def measure(self) -> Measure:
        """The rule's measure (door_to_door unless it says)."""
        return parse_measure(self.spec.get("measure", "door_to_door"))

    @property
    def modes(self) -> str:
        """The rule's modes as a comma-separated string (all modes unless it says)."""
        m = self.spec.get("modes", ["road", "rail", "air"])
        return ",".join(m) if isinstance(m, list) else str(m)

    @property
    def query(self) -> T.Query:
        """When the rule's journeys leave and how a window is summarised (defaults by measure)."""
        return T.Query(
            T.parse_depart(self.spec.get("depart")),
            float(self.spec.get("step", T.DEFAULT_STEP)),
            T.check_statistic(self.spec.get("statistic")),
        )


@dataclass(frozen=True)
class CheckContext:
    """What a rule is checked against: the graph, engines, and how the rows are labelled."""

    G: nx.MultiDiGraph
    engine_for: EngineFor
    legs: bool = True
    targets: str = ""
    closed_services: frozenset[str] = frozenset()

    def endpoints(self, rule: Rule, key: str) -> list[Endpoint]:
        """The places, cities or groups a rule names under ``key``."""
        return endpoints(self.G, names(rule.spec[key]))


class RuleKind:
    """Base class of a rule kind: its keys, required keys, and its check.

    Subclasses set ``kind``, ``keys`` (beyond :data:`COMMON_KEYS`), ``required`` and
    ``journeys`` (rows carry the rule's measure and modes), and override :meth:`check`.
    """

    kind: ClassVar[str]
    keys: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[frozenset[str]] = frozenset({"id"})
    journeys: ClassVar[bool] = False

    @property
    def all_keys(self) -> frozenset[str]:
        """Every key a rule of this kind may have."""
        return COMMON_KEYS | self.keys

    def check(self, ctx: CheckContext, rule: Rule) -> list[dict[str, Any]]:
        """One row per pair of ``rule`` on ``ctx.G`` (see :func:`row`)."""
        raise NotImplementedError


def register(cls: type[RuleKind]) -> type[RuleKind]:
    """Class decorator: add a rule kind to :data:`REGISTRY` under its name."""
    add(REGISTRY, cls.kind, cls(), "target rule kind")
    return cls


def names(v: Any) -> str:
    """A rule's list of names (or one name) as the comma-separated text place look-ups take."""
    return ",".join(str(x) for x in v) if isinstance(v, list) else str(v)


def row(
    ctx: CheckContext,
    rule: Rule,
    a: Endpoint,
    b: Endpoint,
    t: float,
    limit: float,
    trip_modes: str,
    legs: str,
) -> dict[str, Any]:
    """A detail row: minutes ``t`` against ``limit`` (NaN minutes fail)."""
    reachable = not np.isnan(t)
    journeys = REGISTRY[rule.kind].journeys
    return {
        "targets": ctx.targets,
        "rule": rule.id,
        "rule_name": rule.name,
        "origin": a.name,
        "destination": b.name,
        "origin_id": a.key,
        "destination_id": b.key,
        "measure": rule.spec.get("measure", "door_to_door") if journeys else rule.kind,
        "modes": rule.modes if journeys else "",
        "minutes": t,
        "limit_min": limit,
        "passed": bool(reachable and t <= limit + 1e-9),
        "short_by_min": float(max(0.0, t - limit)) if reachable else np.nan,
        "trip_modes": trip_modes,
        "legs": legs,
        "pop": int(b.pop),
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Detail rows as a frame with the columns :data:`DETAIL_COLUMNS`."""
    money = [c for c in MONEY_COLUMNS if any(c in r for r in rows)]  # only where a rule bounds money
    return pd.DataFrame(rows, columns=DETAIL_COLUMNS + money)
