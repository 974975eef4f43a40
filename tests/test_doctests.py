"""The docstring examples of every module of the installed package (networkx style).

They run on the package as installed (not on the source tree), so the suite checks what a user
imports whether commute is installed editable or not.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import commute

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(commute.__path__, prefix="commute.")
    if not m.name.endswith("__main__")  # running them would run the command line
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(mod, optionflags=flags, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (see the output above)"


def test_the_examples_are_found():
    attempted = sum(
        doctest.testmod(importlib.import_module(n), optionflags=doctest.ELLIPSIS, verbose=False, report=False).attempted
        for n in ("commute.model.modes", "commute.search.query", "commute.model.trips")
    )
    assert attempted >= 5
