"""The ``commute`` command line.

Every verb is a small function that parses its options, calls the library and prints. User
mistakes raise :class:`~commute.errors.CommuteError`, which :func:`main` turns into one sentence
on stderr and a non-zero exit code; nothing is written before a command has succeeded.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .errors import CommuteError, InvalidOptionError, ValidationError
from .output import write_text_atomic

Handler = Callable[[argparse.Namespace], int]
_HANDLERS: dict[str, Handler] = {}


def _fmt_minutes(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}"


def render(df: pd.DataFrame, fmt: str, *, meta: dict[str, Any] | None = None) -> str:
    """A DataFrame as csv, table or json text (NaN: empty in csv, null in json, '-' in table)."""
    if fmt == "csv":
        return df.to_csv(index=False, lineterminator="\n", float_format="%.1f")
    if fmt == "json":
        recs = json.loads(df.to_json(orient="records", force_ascii=False, double_precision=3))
        return json.dumps({**(meta or {}), "rows": recs}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "table":
        if df.empty:
            return "(no rows)\n"
        shown = df.copy()
        for c in shown.columns:
            if pd.api.types.is_float_dtype(shown[c]):
                shown[c] = shown[c].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
        return shown.to_string(index=False) + "\n"
    raise InvalidOptionError(f"unknown format {fmt!r}; use csv, table or json.")


def _emit(text: str, output: str | None) -> None:
    if output:
        write_text_atomic(Path(output), text)
    else:
        sys.stdout.write(text)


def _graph_from_args(args: argparse.Namespace) -> Any:
    from .scenario import graph_for

    return graph_for(network=getattr(args, "network", None), scenario=getattr(args, "scenario", None),
                     year=getattr(args, "year", None))


# ------------------------------------------------------------------------------------------------
def cmd_matrix(args: argparse.Namespace) -> int:
    """Travel-time matrix between places."""
    from .modes import parse_measure, parse_modes
    from .travel import travel_times

    modes = parse_modes(args.modes)
    measure = parse_measure(args.measure)
    if args.format not in ("csv", "table", "json"):
        raise InvalidOptionError(f"unknown format {args.format!r}; use csv, table or json.")
    G = _graph_from_args(args)
    df = travel_times(G, args.origins, args.destinations if args.destinations else args.origins,
                      modes=modes, measure=measure, cutoff=args.cutoff)
    meta = {"network": G.graph["network"], "network_version": G.graph["network_version"],
            "year": G.graph["year"], "scenario": (G.graph.get("scenario") or {}).get("name"),
            "scenario_hash": (G.graph.get("scenario") or {}).get("hash"),
            "modes": sorted(m.value for m in modes), "measure": measure.value}
    df["minutes"] = df["minutes"].round(1)
    _emit(render(df, args.format, meta=meta), args.output)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Summary of a network for a year."""
    from .summary import network_summary

    G = _graph_from_args(args)
    net = G.graph["network_obj"]
    if args.places:
        from .travel import place_index

        tab = place_index(G).table()[["key", "name", "kind", "city", "pop", "place"]]
        _emit(render(tab, args.format), args.output)
        return 0
    counts, km = network_summary(net, G)
    if args.format == "json":
        text = json.dumps({"network": net.name, "version": net.version, "year": G.graph["year"],
                           "counts": counts, "km": json.loads(km.to_json(orient="records", force_ascii=False))},
                          ensure_ascii=False, indent=2) + "\n"
    else:
        lines = [f"network {net.name} (version {net.version}), year {G.graph['year']}"]
        if G.graph.get("scenario"):
            lines.append(f"scenario {G.graph['scenario']['name']} (hash {G.graph['scenario']['hash']})")
        lines += [f"  {k}: {v}" for k, v in counts.items()]
        lines.append("kilometres by mode and status (all rows), and in use in this year:")
        lines.append(km.to_string(index=False))
        text = "\n".join(lines) + "\n"
    _emit(text, args.output)
    return 0


def cmd_scenario_validate(args: argparse.Namespace) -> int:
    """Validate scenario files: every problem of every file, then a non-zero exit if any."""
    from .network import load_network
    from .scenario import apply_scenario, load_scenario

    failed: list[ValidationError] = []
    for f in args.files:
        try:
            sc = load_scenario(f)
            net = load_network(args.network or sc.network)
            G = apply_scenario(net, sc)
            sys.stdout.write(f"ok {f}: {len(sc.changes)} change(s), year {G.graph['year']}, "
                             f"hash {G.graph['scenario']['hash']}\n")
        except ValidationError as e:
            failed.append(e)
            sys.stderr.write(f"commute: {e.headline()}\n{e.report()}\n")
    if failed:
        n = sum(len(e.problems) for e in failed)
        sys.stderr.write(f"commute: {len(failed)} of {len(args.files)} scenario file(s) have {n} problem(s).\n")
        return 2
    return 0


def cmd_scenario_show(args: argparse.Namespace) -> int:
    """Describe what a scenario changes, in words."""
    from .network import load_network
    from .scenario import apply_scenario, describe, load_scenario

    sc = load_scenario(args.file)
    net = load_network(args.network or sc.network)
    G = apply_scenario(net, sc)
    lines = describe(sc, net)
    lines.append(f"Content hash {G.graph['scenario']['hash']} (network version {net.version}).")
    _emit("\n".join(lines) + "\n", None)
    return 0


# ------------------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, *, scenario: bool = True) -> None:
    p.add_argument("--network", default=None, help="network name or folder (default: wuhan_circle)")
    if scenario:
        p.add_argument("--scenario", default=None, help="scenario YAML file (default: none)")
    p.add_argument("--year", default=None, help="year of the network (default: the network's default year)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every verb."""
    parser = argparse.ArgumentParser(
        prog="commute",
        description="Transport accessibility for planners: travel times, scenarios and reach targets.",
    )
    parser.add_argument("--version", action="version", version=f"commute {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("matrix", help="travel times between places (CSV, table or JSON)",
                       description="Travel times between places. Unreachable pairs have no minutes.")
    p.add_argument("--origins", required=True, help="comma-separated names, ids, codes or groups (circle, cluster, major)")
    p.add_argument("--destinations", default=None, help="as --origins (default: the origins)")
    _common(p)
    p.add_argument("--modes", default="road,rail,air", help="comma-separated: road, rail, air (default: all)")
    p.add_argument("--measure", default="door_to_door", help="door_to_door (default) or station_to_station")
    p.add_argument("--cutoff", type=float, default=None, help="ignore trips longer than this many minutes")
    p.add_argument("--format", default="csv", help="csv (default), table or json")
    p.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_matrix)

    p = sub.add_parser("info", help="summary of a network for a year",
                       description="Counts of places, stations and services and kilometres by mode and status.")
    _common(p)
    p.add_argument("--places", action="store_true", help="list every place and city instead")
    p.add_argument("--format", default="table", help="table (default), csv (with --places) or json")
    p.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("scenario", help="validate or describe scenario files",
                       description="Scenario files: validate them (every problem at once) or describe them.")
    ssub = p.add_subparsers(dest="scenario_command", metavar="ACTION")
    q = ssub.add_parser("validate", help="check scenario files; exit 2 if any has a problem",
                        description="Check scenario files, listing every problem with file, line and a hint.")
    q.add_argument("files", nargs="+", help="scenario YAML files")
    q.add_argument("--network", default=None, help="network name or folder (default: the scenario's)")
    q.set_defaults(handler=cmd_scenario_validate)
    q = ssub.add_parser("show", help="describe what a scenario changes, resolved through extends",
                        description="Describe a scenario in words, resolved through `extends`, with its content hash.")
    q.add_argument("file", help="scenario YAML file")
    q.add_argument("--network", default=None, help="network name or folder (default: the scenario's)")
    q.set_defaults(handler=cmd_scenario_show)
    p.set_defaults(handler=lambda a: (p.print_help(), 0)[1])

    for register in _EXTRA_PARSERS:
        register(sub)
    return parser


_EXTRA_PARSERS: list[Callable[[Any], None]] = []


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
