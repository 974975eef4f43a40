"""Options shared by the verbs, declared once, and the helpers that make a verb's parser.

A verb module calls :func:`verb` (under ``commute`` or under a :func:`group`) to get its parser,
then :func:`add` for the shared options it takes, by name, and ``p.add_argument`` only for
options of its own. This module imports nothing but :mod:`argparse` and the query defaults
(:mod:`commute.search.defaults`, which imports nothing), so ``commute --help`` stays fast.

Examples
--------
>>> import argparse
>>> sub = argparse.ArgumentParser(prog="commute").add_subparsers()
>>> def demo(args):
...     '''Say hello.'''
...     return 0
>>> p = verb(sub, "demo", demo)
>>> add(p, "network", "year")
>>> p.parse_args(["--year", "2021"]).year
'2021'
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Callable
from typing import Any

from commute.search.defaults import DEFAULT_STEP, DEFAULT_WINDOW, clock

Handler = Callable[[argparse.Namespace], int]

#: Every shared option: flags and ``add_argument`` keywords. ``help`` may be overridden per verb.
SHARED: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "network": (("--network",), {"default": None, "help": "network name or folder (default: wuhan_circle)"}),
    "scenario": (("--scenario",), {"default": None, "help": "scenario YAML file (default: none)"}),
    "year": (("--year",), {"default": None, "help": "year (default: the scenario's or the network's default year)"}),
    "modes": (("--modes",), {"default": "road,rail", "help": "comma-separated: road, rail, air (default road,rail)"}),
    "measure": (
        ("--measure",),
        {"default": "door_to_door", "help": "door_to_door (default) or station_to_station"},
    ),
    "targets": (
        ("--targets",),
        {"default": None, "help": "target set names or files, comma-separated (default: all shipped)"},
    ),
    "origins": (
        ("--origins",),
        {"required": True, "help": "comma-separated names, ids, codes or groups (circle, cluster, major)"},
    ),
    "scenario_arg": (("scenario",), {"nargs": "?", "default": None, "help": "scenario file (default: the network)"}),
    "output": (("-o", "--output"), {"default": None, "help": "write to this file instead of stdout"}),
    "depart": (
        ("--depart",),
        {
            "default": None,
            "help": "HH:MM or HH:MM-HH:MM (a window). Default: station_to_station, every train's departure "
            "of the day (the fastest is what a timetable quotes); door_to_door, "
            f"{clock(DEFAULT_WINDOW[0])}-{clock(DEFAULT_WINDOW[1])}",
        },
    ),
    "step": (
        ("--step",),
        {"type": float, "default": DEFAULT_STEP, "help": f"minutes between departures of a window ({DEFAULT_STEP:g})"},
    ),
    "statistic": (
        ("--statistic",),
        {
            "default": None,
            "help": "fastest, median, mean or pNN over the window (default: fastest station_to_station, "
            "median door_to_door over a window, fastest at one departure time)",
        },
    ),
    "cost": (
        ("--cost",),
        {
            "default": None,
            "help": "minutes, fare or generalized: each mode's best journey by that cost, with its fare "
            "and currency (default: minutes only, no fares)",
        },
    ),
    "value_of_time": (
        ("--value-of-time",),
        {"type": float, "default": None, "help": "CNY per hour for --cost generalized (default: the network's)"},
    ),
    "transfer_penalty": (
        ("--transfer-penalty",),
        {"type": float, "default": None, "help": "minutes to change trains at a station (default: the network's)"},
    ),
}

FORMATS = "table (default), csv or json"


def add(p: argparse.ArgumentParser, *names: str, **overrides: dict[str, Any] | str) -> None:
    """Add the shared options ``names`` to ``p``.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The verb's parser.
    *names : str
        Keys of :data:`SHARED`, in the order they appear in ``--help``.
    **overrides : dict or str
        Per option, either a help text or a dict of ``add_argument`` keywords that replace the
        shared ones (for example ``year="override the scenario's year"``).
    """
    for name in names:
        flags, kwargs = SHARED[name]
        extra = overrides.get(name, {})
        kwargs = {**kwargs, **({"help": extra} if isinstance(extra, str) else extra)}
        p.add_argument(*flags, **kwargs)


def output(p: argparse.ArgumentParser, default_format: str = "table", formats: str = FORMATS) -> None:
    """Add ``--format``, ``-o/--output`` (stdout by default), ``--wide`` and ``--encoding``.

    The format is checked by the verb, not by argparse, so a wrong one is a one-sentence
    :class:`~commute.errors.InvalidOptionError` like every other user mistake.
    """
    p.add_argument("--format", default=default_format, help=formats)
    add(p, "output")
    p.add_argument("--wide", action="store_true", help="tables: every cell on one line (default: fit 100 columns)")
    p.add_argument(
        "--encoding",
        default=None,
        help="encoding of the file written with -o (default utf-8-sig for csv, with a byte-order mark; utf-8 else)",
    )


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps the description to the terminal but prints the example as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("example:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def help_parts(doc: str) -> tuple[str, str, str]:
    r"""Split a handler's docstring into the verb's one-line help, description and example.

    The summary line is the help (as a phrase), the paragraphs after it the description
    (default: the summary), and the lines of its ``Examples`` section the example.

    Examples
    --------
    >>> help_parts("Travel times.\n\nUnreachable pairs have no minutes.\n\nExamples\n--------\ncommute matrix")
    ('travel times', 'Unreachable pairs have no minutes.', 'commute matrix')
    """
    head, _, example = inspect.cleandoc(doc).partition("\nExamples\n--------\n")
    summary, _, description = head.strip().partition("\n\n")
    phrase = summary.strip().rstrip(".")
    if phrase[1:2].islower():
        phrase = phrase[0].lower() + phrase[1:]
    return phrase, description.strip() or summary.strip(), example.strip()


def _parser(sub: Any, name: str, doc: str) -> argparse.ArgumentParser:
    help, description, example = help_parts(doc)
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="example:\n  " + example.replace("\n", "\n  ") if example else None,
        formatter_class=_HelpFormatter,
    )
    return p


def verb(sub: Any, name: str, handler: Handler, doc: str | None = None) -> argparse.ArgumentParser:
    """A verb's parser under ``sub`` that runs ``handler``, its help taken from the handler's docstring.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subparsers of ``commute`` or of a :func:`group`.
    name : str
        The verb as typed.
    handler : callable
        ``handler(args) -> exit code``; it imports what it needs when it runs. Its docstring
        gives the verb's help, description and example (see :func:`help_parts`).
    doc : str, optional
        A docstring to use instead of the handler's.

    Returns
    -------
    argparse.ArgumentParser
        The verb's parser, to which the verb adds its options.
    """
    p = _parser(sub, name, doc or handler.__doc__ or name)
    p.set_defaults(handler=handler)
    return p


def group(sub: Any, name: str, doc: str) -> Any:
    """A verb with actions (``commute snapshot write``); returns the actions' subparsers.

    ``doc`` is written like a handler's docstring (see :func:`help_parts`); ``commute NAME``
    alone prints the group's help and exits 0.
    """
    p = _parser(sub, name, doc)

    def print_help(args: argparse.Namespace) -> int:
        p.print_help()
        return 0

    p.set_defaults(handler=print_help)
    return p.add_subparsers(dest=f"{name}_command", metavar="ACTION")
