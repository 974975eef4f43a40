"""Reach targets as data: read rule files, check a graph against them, summarise.

A target file is YAML with a list of rules (see ``targets/README.md``)::

    name: "123"
    rules:
      - id: circle_1h
        name: 1 hour from Wuhan to every circle city
        kind: reach
        from: 武汉
        to: circle
        within_min: 60
        measure: station_to_station
        modes: [rail]

Kinds: ``reach`` (every pair within a limit), ``station_coverage`` (every city has a station
served by a service of a class), ``expressway_access`` (every place within N minutes of an
expressway), ``day_trip`` (a return trip with N hours at the destination fits in the day).
Checking gives one tidy row per rule and pair.

This module is the public face of targets; the pieces live in their own modules: each rule
kind in :mod:`commute.results.rules` (its keys, its check), field value checks in
:mod:`commute.results.rules.fields`, loading in :mod:`commute.results.targets_load`, checking
in :mod:`commute.results.targets_check`, summaries and comparison in
:mod:`commute.results.targets_compare`.
"""

from __future__ import annotations

from commute.results.rules import KINDS, REGISTRY, Rule
from commute.results.rules.base import DETAIL_COLUMNS, EngineFor
from commute.results.targets_check import check, check_rule
from commute.results.targets_compare import compare, compare_summary, score, summarise
from commute.results.targets_load import TargetSet, load_targets, resolve_targets, shipped_targets, targets_root

#: Keys each rule kind accepts, and the keys it requires (from the registry of kinds).
RULE_KEYS = {k: set(REGISTRY[k].all_keys) for k in KINDS}
REQUIRED = {k: set(REGISTRY[k].required) for k in KINDS}

__all__ = [
    "DETAIL_COLUMNS",
    "KINDS",
    "REQUIRED",
    "RULE_KEYS",
    "EngineFor",
    "Rule",
    "TargetSet",
    "check",
    "check_rule",
    "compare",
    "compare_summary",
    "load_targets",
    "resolve_targets",
    "score",
    "shipped_targets",
    "summarise",
    "targets_root",
]
