"""Target rule kinds, one module per kind (see :mod:`commute.results.rules.base`).

Importing this package registers every kind module in it; adding a kind is adding a module
that defines a :class:`~commute.results.rules.base.RuleKind` subclass decorated with
:func:`~commute.results.rules.base.register` (and, for a new field, its value check in
:mod:`commute.results.rules.fields`).
"""

from __future__ import annotations

from commute.registry import import_modules, ordered
from commute.results.rules.base import REGISTRY, CheckContext, Rule, RuleKind, register

_SUPPORT = {"base", "fields", "pairs"}
# The order of KINDS is the order hints list them in.
_ORDER = ("reach", "station_coverage", "expressway_access", "day_trip", "affordable")

import_modules(__name__, __path__, _SUPPORT)
KINDS: tuple[str, ...] = ordered(REGISTRY, _ORDER)

__all__ = ["KINDS", "REGISTRY", "CheckContext", "Rule", "RuleKind", "register"]
