"""Registries of pluggable kinds: one module per kind, found and registered on import.

Scenario verbs (:mod:`commute.model.changes`) and target rule kinds
(:mod:`commute.results.rules`) are both packages of one module per kind; each kind is a class
registered under its name by a decorator, and the package imports all its modules.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def add(registry: dict[str, T], name: str, instance: T, what: str) -> None:
    """Register ``instance`` under ``name`` (a RuntimeError if the name is taken)."""
    if name in registry:
        raise RuntimeError(f"{what} {name!r} is registered twice")
    registry[name] = instance


def import_modules(package: str, path: Iterable[str], support: Iterable[str]) -> None:
    """Import every module of ``package`` except the ``support`` ones (which registers their kinds)."""
    skip = set(support)
    for m in sorted(pkgutil.iter_modules(list(path)), key=lambda m: m.name):
        if m.name not in skip:
            importlib.import_module(f"{package}.{m.name}")


def ordered(registry: dict[str, T], order: Iterable[str]) -> tuple[str, ...]:
    """Registered names: those in ``order`` first, in that order, then the rest as registered."""
    first = tuple(k for k in order if k in registry)
    return first + tuple(k for k in registry if k not in first)
