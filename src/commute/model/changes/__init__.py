"""Scenario change types, one module per verb (see :mod:`commute.model.changes.base`).

Importing this package registers every verb module in it; adding a verb is adding a module
that defines a :class:`~commute.model.changes.base.ChangeType` subclass decorated with
:func:`~commute.model.changes.base.register`.
"""

from __future__ import annotations

from commute.model.changes.base import REGISTRY, Change, ChangeType, Context, register
from commute.registry import import_modules, ordered

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
    "set_fare",
    "set_toll",
    "monthly_pass",
    "discount",
)

import_modules(__name__, __path__, _SUPPORT)
VERBS: tuple[str, ...] = ordered(REGISTRY, _ORDER)

__all__ = ["REGISTRY", "VERBS", "Change", "ChangeType", "Context", "register"]
