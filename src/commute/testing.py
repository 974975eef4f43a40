"""Helpers for planners' own test suites: pin reach metrics like golden files.

In a test::

    from commute.testing import assert_reach_unchanged

    def test_reach_is_pinned():
        assert_reach_unchanged("snapshots/")

Or with the pytest fixture that commute registers (``reach_snapshot``), which also honours
``pytest --commute-update-snapshots`` to rewrite the files instead of checking them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from commute.results.snapshot import check_snapshots, report, write_snapshots


class ReachChanged(AssertionError):
    """Raised when a reach metric moved; the message lists every metric, old and new value."""


def assert_reach_unchanged(
    snapshot_dir: str | Path,
    *,
    tolerances: Mapping[str, float] | None = None,
    network: str | None = None,
) -> None:
    """Recompute the snapshots in ``snapshot_dir``; raise :class:`ReachChanged` if any metric moved."""
    diffs, notes = check_snapshots(snapshot_dir, tolerances=tolerances, network=network)
    if diffs:
        raise ReachChanged(report(diffs, notes))


def update_snapshots(
    snapshot_dir: str | Path,
    scenarios: Iterable[str | Path] | None = None,
    *,
    targets: str | None = None,
    network: str | None = None,
) -> list[Path]:
    """(Re)write snapshot files; with no scenarios, the ones already in the folder are rewritten."""
    from commute.results.snapshot import read_snapshot

    d = Path(snapshot_dir)
    if scenarios is None and d.is_dir():
        metas = [read_snapshot(f)[0] for f in sorted(d.glob("*.targets.csv"))]
        scenarios = [d / m["scenario_file"] for m in metas if m.get("scenario_file")]
        if metas:
            t = metas[0].get("targets")
            targets = targets or (None if t in (None, "all shipped") else t)
    return write_snapshots(scenarios, d, targets=targets, network=network)
