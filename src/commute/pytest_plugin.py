"""pytest plugin: the ``reach_snapshot`` fixture and ``--commute-update-snapshots``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: Any) -> None:
    """Add ``--commute-update-snapshots``."""
    group = parser.getgroup("commute")
    group.addoption(
        "--commute-update-snapshots",
        action="store_true",
        default=False,
        help="rewrite commute reach snapshots instead of checking them",
    )


@pytest.fixture
def reach_snapshot(request: Any) -> Callable[..., None]:
    """Check (or, with --commute-update-snapshots, rewrite) a folder of reach snapshots.

    Example
    -------
    def test_network_reach(reach_snapshot):
        reach_snapshot("snapshots/")
    """
    from .testing import assert_reach_unchanged, update_snapshots

    update = bool(request.config.getoption("--commute-update-snapshots"))

    def run(snapshot_dir: str | Path, *, tolerances: Mapping[str, float] | None = None, **kw: Any) -> None:
        if update:
            update_snapshots(snapshot_dir, **kw)
        else:
            assert_reach_unchanged(snapshot_dir, tolerances=tolerances)

    return run
