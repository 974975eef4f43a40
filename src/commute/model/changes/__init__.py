"""Scenario change types, one module per verb (see :mod:`commute.model.changes.base`).

Importing this package registers every verb module in it; adding a verb is adding a module
that defines a :class:`~commute.model.changes.base.ChangeType` subclass decorated with
:func:`~commute.model.changes.base.register`.
"""

from __future__ import annotations

import importlib
import pkgutil

from commute.model.changes.base import REGISTRY, Change, ChangeType, Context, register

_SUPPORT = {"base", "form", "refs"}
# The order of VERBS is the order the docs and hints list them in.
_ORDER = (
    "open_project",
    "add_road",
    "widen_road",
    "close_link",
    "close_station",
    "close_place",
    "add_service",
    "change_service",
    "remove_service",
)

for _m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _m.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_m.name}")

VERBS: tuple[str, ...] = tuple(v for v in _ORDER if v in REGISTRY) + tuple(v for v in REGISTRY if v not in _ORDER)

__all__ = ["REGISTRY", "VERBS", "Change", "ChangeType", "Context", "register"]
