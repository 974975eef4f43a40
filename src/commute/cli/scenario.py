"""``commute scenario validate|show``: check and describe scenario files."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commute.cli import options

_NETWORK_HELP = "network name or folder (default: the scenario's)"


def run_validate(args: argparse.Namespace) -> int:
    """Check scenario files; exit 2 if any has a problem.

    Check scenario files, listing every problem with file, line and a hint.

    Examples
    --------
    commute scenario validate scenarios/package_broken_roads.yaml scenarios/base_2021.yaml
    """
    from commute.errors import CommuteError, ValidationError
    from commute.model.scenario import load_scenario, validate_file

    problems = 0
    failed = 0
    for f in args.files:  # every file is checked, whatever the ones before it hold
        try:
            G = validate_file(f, network=args.network)
            sc = load_scenario(f)
            sys.stdout.write(
                f"ok {f}: {len(sc.changes)} change(s), year {G.graph['year']}, hash {G.graph['scenario']['hash']}\n"
            )
        except ValidationError as e:
            failed += 1
            problems += e.count
            sys.stderr.write(f"commute: {e.headline()}\n{e.report()}\n")
        except CommuteError as e:
            failed += 1
            problems += 1
            sys.stderr.write(f"commute: {f}: {e}\n")
    if failed:
        sys.stderr.write(
            f"commute: {failed} of {len(args.files)} scenario file(s) have {problems:,} problem(s); "
            "fix them and validate again.\n"
        )
        return 2
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Describe what a scenario changes, resolved through extends.

    Describe a scenario in words, resolved through `extends`, with its content hash.

    Examples
    --------
    commute scenario show scenarios/package_broken_roads.yaml
    """
    from commute.cli.render import emit
    from commute.io.network import load_network
    from commute.model.scenario import apply_scenario, describe, load_scenario

    sc = load_scenario(args.file)
    net = load_network(args.network or sc.network)
    G = apply_scenario(net, sc)
    lines = describe(sc, net)
    lines.append(f"Content hash {G.graph['scenario']['hash']} (network version {net.version}).")
    emit("\n".join(lines) + "\n", None)
    return 0


GROUP = """Validate or describe scenario files.

Scenario files: validate them (every problem at once) or describe them.

Examples
--------
commute scenario validate scenarios/*.yaml
"""


def register(sub: Any) -> None:
    """Declare ``commute scenario validate`` and ``commute scenario show``."""
    actions = options.group(sub, "scenario", GROUP)
    q = options.verb(actions, "validate", run_validate)
    q.add_argument("files", nargs="+", help="scenario YAML files")
    options.add(q, "network", network=_NETWORK_HELP)
    q = options.verb(actions, "show", run_show)
    q.add_argument("file", help="scenario YAML file")
    options.add(q, "network", network=_NETWORK_HELP)
