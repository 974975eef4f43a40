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
import atexit
import errno
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from commute.cli.checks import check_args
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


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that every ``finally`` (temporary files) runs."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    A user mistake prints one sentence and returns 2; Ctrl-C (SIGINT) prints one line and
    returns 130, SIGTERM returns 143; in both cases temporary files are removed and no output
    is left half-written.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    main_thread = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        check_args(args)
        guard_outputs(args)
        return int(_run(args))
    except ValidationError as e:
        if len(e.problems) == 1 and not e.omitted:
            sys.stderr.write(f"commute: {e.summary()}\n")
        else:
            sys.stderr.write(f"commute: {e.headline()}\n{e.report()}\n")
        return e.exit_code
    except CommuteError as e:
        sys.stderr.write(f"commute: error: {e}\n")
        return e.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("commute: interrupted; nothing half-written was left.\n")
        return 130
    except Terminated:
        sys.stderr.write("commute: terminated; nothing half-written was left.\n")
        return 143
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT):
            sys.stderr.write(f"commute: error: {e.strerror}: {e.filename or ''}; free space or choose another path.\n")
            return 2
        raise
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def entry(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``commute`` program (and ``python -m commute``): :func:`main`, then :func:`finish`."""
    finish(main(argv))


def finish(code: int) -> NoReturn:
    """End the process with ``code`` as Python's own exit would, without its teardown.

    Like the interpreter's exit: other (non-daemon) threads are waited for, ``atexit``
    handlers run (a Dask cluster's among them), standard output and error are flushed. What it
    leaves out is freeing every module and object one at a time, which with pandas, numpy and a
    network loaded takes 0.3-0.5 s after the answer is printed; every file commute writes is
    closed by then. Only for a process that ends here: tests and notebooks call :func:`main`.
    """
    for t in threading.enumerate():
        if t is not threading.main_thread() and not t.daemon:
            t.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
            pass
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    from commute.search.jit_cache import retry_if_corrupt

    return int(retry_if_corrupt(lambda: args.handler(args)))


#: Options that name files or folders a verb writes, not reads.
_WRITES = ("output", "handler", "format")


def guard_outputs(args: argparse.Namespace) -> None:
    """Refuse ``-o`` when it names one of the command's inputs or lies inside a network folder it reads.

    Every other option whose value (or comma-separated part) is an existing file counts as an
    input; the network folder (``--network``, default the shipped one) is read.
    """
    out = getattr(args, "output", None)
    if not out or not isinstance(out, str):
        return
    from commute.output import refuse_inputs

    inputs: list[str] = []
    for k, v in vars(args).items():
        if k in _WRITES or v is None:
            continue
        for item in v if isinstance(v, list) else [v]:
            if isinstance(item, str):
                inputs.extend(x for x in [item, *item.split(",")] if x and os.path.isfile(x))
    folders = []
    if "network" in vars(args):
        from commute.io.network import resolve_network_path

        try:
            folders.append(resolve_network_path(args.network))
        except CommuteError:
            pass  # the verb reports an unknown network itself
    refuse_inputs(out, inputs, folders)


def __getattr__(name: str) -> Any:
    """``render`` stays importable from here without importing pandas at ``import commute.cli``."""
    if name == "render":
        from commute.cli.render import render

        return render
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
