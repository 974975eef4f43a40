"""Target rule kinds, one module per kind (see :mod:`commute.results.rules.base`).

Importing this package registers every kind module in it; adding a kind is adding a module
that defines a :class:`~commute.results.rules.base.RuleKind` subclass decorated with
:func:`~commute.results.rules.base.register` (and, for a new field, its value check in
:mod:`commute.results.rules.fields`).
"""

from __future__ import annotations

import importlib
import pkgutil

from commute.results.rules.base import REGISTRY, CheckContext, Rule, RuleKind, register

_SUPPORT = {"base", "fields", "pairs"}
# The order of KINDS is the order hints list them in.
_ORDER = ("reach", "station_coverage", "expressway_access", "day_trip")

for _m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _m.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_m.name}")

KINDS: tuple[str, ...] = tuple(k for k in _ORDER if k in REGISTRY) + tuple(k for k in REGISTRY if k not in _ORDER)

__all__ = ["KINDS", "REGISTRY", "CheckContext", "Rule", "RuleKind", "register"]
