"""``commute snapshot write|check``: regression snapshots of reach metrics."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commute.cli import options


def run_write(args: argparse.Namespace) -> int:
    """Write snapshots for scenarios (default: the network today).

    Write snapshot CSVs, with the scenario hash and network version in a header.

    Examples
    --------
    commute snapshot write scenarios/package_broken_roads.yaml --targets 123 -o snapshots
    """
    from commute.results.snapshot import write_snapshots

    files = write_snapshots(args.scenarios or None, args.output, targets=args.targets, network=args.network)
    sys.stdout.write(f"wrote {len(files)} file(s) to {args.output}\n")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Recompute and compare; exit 1 on a difference.

    Recompute every snapshot in DIR and list every metric that moved beyond its tolerance,
    with its old and new value. Exit 1 on a difference.

    Examples
    --------
    commute snapshot check snapshots --tolerance minutes=0.5,share=0.01
    """
    from commute.results.snapshot import check_snapshots, parse_tolerances, report

    diffs, notes = check_snapshots(args.dir, tolerances=parse_tolerances(args.tolerance), network=args.network)
    (sys.stderr if diffs else sys.stdout).write(report(diffs, notes))
    return 1 if diffs else 0


GROUP = """Write or check regression snapshots of reach metrics.

Golden files for accessibility: write small sorted CSVs of the target pairs, rule summaries
and population within reach for each scenario; check them later.

Examples
--------
commute snapshot write scenarios/package_broken_roads.yaml -o snapshots
commute snapshot check snapshots
"""


def register(sub: Any) -> None:
    """Declare ``commute snapshot write`` and ``commute snapshot check``."""
    actions = options.group(sub, "snapshot", GROUP)
    q = options.verb(actions, "write", run_write)
    q.add_argument("scenarios", nargs="*", help="scenario files")
    folder = {"default": "snapshots", "help": "folder (default: snapshots)"}
    options.add(q, "targets", "network", "output", output=folder)
    q = options.verb(actions, "check", run_check)
    q.add_argument("dir", nargs="?", default="snapshots", help="snapshot folder (default: snapshots)")
    q.add_argument(
        "--tolerance",
        default=None,
        help="per metric, e.g. minutes=0.5,share=0.01 (defaults: minutes=0.05, share=0.0005, pop=0, gravity=0.5)",
    )
    options.add(q, "network", network="network name or folder (default: the snapshot's)")
