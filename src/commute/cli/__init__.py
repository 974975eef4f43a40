"""The ``commute`` command line.

Each verb (or family of verbs) is a module of this package with a ``register(sub)`` function
that declares its parser with the shared options of :mod:`commute.cli.options`, and handlers
that import the library only when they run: parsing and ``--help`` import nothing heavy. User
mistakes raise :class:`~commute.errors.CommuteError`, which :func:`main` turns into one sentence
on stderr and a non-zero exit code; nothing is written before a command has succeeded.

To add a verb, write ``commute/cli/<verb>.py`` with ``register(sub)`` and add its name to
:data:`VERBS`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from commute.errors import CommuteError, ValidationError

#: The verb modules of :mod:`commute.cli`, in the order ``commute --help`` lists them.
VERBS: tuple[str, ...] = (
    "matrix",
    "trip",
    "info",
    "targets",  # check, compare, critical, attribute, reach
    "isochrones",
    "osm",
    "gtfs",
    "snapshot",
    "scenario",
    "sweep",  # show, run, summary
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb.

    Examples
    --------
    >>> args = build_parser().parse_args(["matrix", "--origins", "武汉", "--modes", "rail"])
    >>> args.command, args.origins, args.modes, args.format
    ('matrix', '武汉', 'rail', 'csv')
    """
    from commute import __version__

    parser = argparse.ArgumentParser(
        prog="commute",
        description="Transport accessibility for planners: travel times, scenarios and reach targets.",
        epilog="Run `commute COMMAND --help` for a command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"commute {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in VERBS:
        importlib.import_module(f"commute.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args))
    except ValidationError as e:
        if len(e.problems) == 1:
            sys.stderr.write(f"commute: {e.summary()}\n")
        else:
            sys.stderr.write(f"commute: {e.headline()}\n{e.report()}\n")
        return e.exit_code
    except CommuteError as e:
        sys.stderr.write(f"commute: error: {e}\n")
        return e.exit_code
    except BrokenPipeError:
        return 0


def __getattr__(name: str) -> Any:
    """``render`` stays importable from here without importing pandas at ``import commute.cli``."""
    if name == "render":
        from commute.cli.render import render

        return render
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
