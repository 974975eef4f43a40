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

from commute import __version__
from commute.errors import CommuteError, InvalidOptionError, ValidationError
from commute.output import write_text_atomic

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
    from commute.model.scenario import graph_for

    return graph_for(
        network=getattr(args, "network", None),
        scenario=getattr(args, "scenario", None),
        year=getattr(args, "year", None),
    )


# ------------------------------------------------------------------------------------------------
def cmd_matrix(args: argparse.Namespace) -> int:
    """Travel-time matrix between places."""
    from commute.model.modes import parse_measure, parse_modes
    from commute.results.travel import travel_times

    modes = parse_modes(args.modes)
    measure = parse_measure(args.measure)
    if args.format not in ("csv", "table", "json"):
        raise InvalidOptionError(f"unknown format {args.format!r}; use csv, table or json.")
    G = _graph_from_args(args)
    df = travel_times(
        G,
        args.origins,
        args.destinations if args.destinations else args.origins,
        modes=modes,
        measure=measure,
        cutoff=args.cutoff,
    )
    meta = {
        "network": G.graph["network"],
        "network_version": G.graph["network_version"],
        "year": G.graph["year"],
        "scenario": (G.graph.get("scenario") or {}).get("name"),
        "scenario_hash": (G.graph.get("scenario") or {}).get("hash"),
        "modes": sorted(m.value for m in modes),
        "measure": measure.value,
    }
    df["minutes"] = df["minutes"].round(1)
    _emit(render(df, args.format, meta=meta), args.output)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Summary of a network for a year."""
    from commute.results.summary import network_summary

    G = _graph_from_args(args)
    net = G.graph["network_obj"]
    if args.places:
        from commute.results.travel import place_index

        tab = place_index(G).table()[["key", "name", "kind", "city", "pop", "place"]]
        _emit(render(tab, args.format), args.output)
        return 0
    counts, km = network_summary(net, G)
    if args.format == "json":
        text = (
            json.dumps(
                {
                    "network": net.name,
                    "version": net.version,
                    "year": G.graph["year"],
                    "counts": counts,
                    "km": json.loads(km.to_json(orient="records", force_ascii=False)),
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
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
    from commute.model.scenario import load_scenario, validate_file

    failed: list[ValidationError] = []
    for f in args.files:
        try:
            G = validate_file(f, network=args.network)
            sc = load_scenario(f)
            sys.stdout.write(
                f"ok {f}: {len(sc.changes)} change(s), year {G.graph['year']}, hash {G.graph['scenario']['hash']}\n"
            )
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
    from commute.io.network import load_network
    from commute.model.scenario import apply_scenario, describe, load_scenario

    sc = load_scenario(args.file)
    net = load_network(args.network or sc.network)
    G = apply_scenario(net, sc)
    lines = describe(sc, net)
    lines.append(f"Content hash {G.graph['scenario']['hash']} (network version {net.version}).")
    _emit("\n".join(lines) + "\n", None)
    return 0


def _scenario_graphs(args: argparse.Namespace, files: Sequence[str]) -> list[tuple[str, Any]]:
    """(label, graph) for each scenario file given, or for the plain network."""
    from commute.model.scenario import graph_for

    if not files:
        G = graph_for(network=args.network, year=args.year)
        return [(str(G.graph["network"]), G)]
    out = []
    for f in files:
        G = graph_for(network=args.network, scenario=f, year=args.year)
        out.append((Path(f).stem, G))
    return out


def _load_target_sets(spec: str | None, G: Any) -> list[Any]:
    from commute.results.targets import load_targets, resolve_targets

    return [load_targets(p, G=G) for p in resolve_targets(spec)]


def _check_frames(args: argparse.Namespace, files: Sequence[str], *, legs: bool = True) -> list[dict[str, Any]]:
    from commute.results.targets import check, summarise

    runs = []
    sets = None
    for label, G in _scenario_graphs(args, files):
        sets = sets or _load_target_sets(args.targets, G)
        detail = check(G, sets, legs=legs)
        sc = G.graph.get("scenario") or {}
        info = {
            "scenario": label,
            "scenario_hash": sc.get("hash", ""),
            "year": G.graph["year"],
            "network_version": G.graph["network_version"],
        }
        detail.insert(0, "scenario", label)
        runs.append({**info, "graph": G, "detail": detail, "summary": summarise(detail)})
    return runs


def _round(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(3 if "share" in c else 1)
    return out


def cmd_check(args: argparse.Namespace) -> int:
    """Check targets on one or more scenarios."""
    runs = _check_frames(args, args.scenarios)
    any_fail = any(not bool(r["summary"]["all_pass"].all()) for r in runs)
    if args.format == "csv":
        detail = pd.concat([r["detail"].assign(scenario_hash=r["scenario_hash"], year=r["year"]) for r in runs])
        text = render(_round(detail), "csv")
    elif args.format == "json":
        payload = {
            "runs": [
                {k: v for k, v in r.items() if k not in ("graph", "detail", "summary")}
                | {
                    "summary": json.loads(_round(r["summary"]).to_json(orient="records", force_ascii=False)),
                    "rows": json.loads(_round(r["detail"]).to_json(orient="records", force_ascii=False)),
                }
                for r in runs
            ]
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "table":
        parts = []
        for r in runs:
            s = r["summary"].copy()
            s["passing"] = s["passing"].astype(str) + "/" + s["pairs"].astype(str)
            s["pop_share"] = (100 * s["pop_share_passing"]).map(lambda v: f"{v:.0f}%")
            s["result"] = s["all_pass"].map({True: "PASS", False: "FAIL"})
            head = f"== {r['scenario']}: year {r['year']}"
            head += f", scenario hash {r['scenario_hash']}" if r["scenario_hash"] else ""
            head += f", network {r['network_version']}"
            parts.append(head)
            parts.append(
                s[["targets", "rule", "result", "passing", "pop_share", "limit_min", "worst"]].to_string(index=False)
            )
            if args.details:
                d = r["detail"]
                parts.append(
                    render(
                        _round(
                            d[
                                [
                                    "rule",
                                    "origin",
                                    "destination",
                                    "minutes",
                                    "limit_min",
                                    "passed",
                                    "short_by_min",
                                    "trip_modes",
                                    "legs",
                                ]
                            ]
                        ),
                        "table",
                    ).rstrip()
                )
        text = "\n".join(parts) + "\n"
    else:
        raise InvalidOptionError(f"unknown format {args.format!r}; use table, csv or json.")
    _emit(text, args.output)
    return 3 if (args.strict and any_fail) else 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare scenarios against a base."""
    from commute.results.targets import compare, compare_summary

    runs = _check_frames(args, [args.base, *args.others], legs=False)
    base = runs[0]
    cmps = [compare(base["detail"], r["detail"], label=r["scenario"]) for r in runs[1:]]
    cmp = pd.concat(cmps, ignore_index=True)
    summ = compare_summary(cmp)
    if args.format == "csv":
        text = render(_round(cmp), "csv")
    elif args.format == "json":
        text = (
            json.dumps(
                {
                    "base": base["scenario"],
                    "summary": json.loads(_round(summ).to_json(orient="records", force_ascii=False)),
                    "rows": json.loads(_round(cmp).to_json(orient="records", force_ascii=False)),
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    elif args.format == "table":
        flips = cmp[cmp["flip"] != ""][
            [
                "scenario",
                "targets",
                "rule",
                "origin",
                "destination",
                "minutes_before",
                "minutes_after",
                "gain_min",
                "flip",
            ]
        ]
        text = (
            f"base: {base['scenario']} (year {base['year']})\n"
            + summ.drop(columns=["pairs_now_passing"]).pipe(_round).to_string(index=False)
            + "\n\npairs that flip:\n"
            + render(_round(flips), "table")
        )
    else:
        raise InvalidOptionError(f"unknown format {args.format!r}; use table, csv or json.")
    _emit(text, args.output)
    return 0


def cmd_critical(args: argparse.Namespace) -> int:
    """Single closures that break a target."""
    from commute.results.attribution import critical_closures

    ((label, G),) = _scenario_graphs(args, [args.scenario] if args.scenario else [])
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    bad = [k for k in kinds if k not in ("road", "rail")]
    if bad or not kinds:
        raise InvalidOptionError(f"unknown closure kind(s) {', '.join(bad) or '(none)'}; use road, rail or road,rail.")
    df = critical_closures(G, _load_target_sets(args.targets, G), kinds=kinds)
    _emit(
        (f"critical closures on {label} (year {G.graph['year']}):\n" if args.format == "table" else "")
        + render(df.head(args.top) if args.top else df, args.format),
        args.output,
    )
    return 0


def cmd_attribute(args: argparse.Namespace) -> int:
    """Contribution of each change of a scenario to the target scores."""
    from commute.io.network import load_network
    from commute.model.scenario import load_scenario
    from commute.results.attribution import attribute

    sc = load_scenario(args.scenario)
    net = load_network(args.network or sc.network)
    from commute.model.scenario import apply_scenario

    G = apply_scenario(net, sc, year=None if args.year is None else int(args.year))
    df = attribute(net, sc, _load_target_sets(args.targets, G))
    _emit(render(_round(df), args.format), args.output)
    return 0


def cmd_reach(args: argparse.Namespace) -> int:
    """Population within 30/60/90/120/180 minutes and gravity accessibility."""
    from commute.model.modes import parse_modes
    from commute.results.metrics import population_within

    parse_modes(args.modes)
    ((_, G),) = _scenario_graphs(args, [args.scenario] if args.scenario else [])
    try:
        ths = [float(x) for x in args.thresholds.split(",") if x.strip()]
    except ValueError:
        raise InvalidOptionError(f"thresholds {args.thresholds!r} must be minutes separated by commas.") from None
    if not ths or any(t <= 0 for t in ths):
        raise InvalidOptionError("thresholds must be positive minutes, e.g. 30,60,90.")
    df = population_within(
        G, args.origins, thresholds=ths, modes=args.modes, measure=args.measure, half_life_min=args.half_life
    )
    _emit(render(_round(df), args.format), args.output)
    return 0


# ------------------------------------------------------------------------------------------------
def cmd_snapshot_write(args: argparse.Namespace) -> int:
    """Write reach snapshots."""
    from commute.results.snapshot import write_snapshots

    files = write_snapshots(args.scenarios or None, args.output, targets=args.targets, network=args.network)
    sys.stdout.write(f"wrote {len(files)} file(s) to {args.output}\n")
    return 0


def cmd_snapshot_check(args: argparse.Namespace) -> int:
    """Recompute and compare reach snapshots; exit 1 if anything moved."""
    from commute.results.snapshot import check_snapshots, parse_tolerances, report

    diffs, notes = check_snapshots(args.dir, tolerances=parse_tolerances(args.tolerance), network=args.network)
    (sys.stderr if diffs else sys.stdout).write(report(diffs, notes))
    return 1 if diffs else 0


def cmd_isochrones(args: argparse.Namespace) -> int:
    """Isochrone maps and polygons, one file per origin and scenario."""
    from commute.model.modes import parse_modes
    from commute.model.scenario import graph_for
    from commute.results.isochrones import IsochroneSettings, isochrones, parse_minutes, parse_origin
    from commute.results.maps import ALL_FORMATS, check_output, write_isochrones

    bands = parse_minutes(args.minutes)
    parse_modes(args.modes)
    if args.step_km <= 0 or args.max_radius_km <= 0:
        raise InvalidOptionError("--step-km and --max-radius-km must be positive.")
    settings = IsochroneSettings(
        step_km=args.step_km, max_radius_km=args.max_radius_km, min_hole_km2=min(25.0, args.max_radius_km**2)
    )
    origins = args.origin
    scenarios = args.scenario or [None]
    jobs = [(o, s) for s in scenarios for o in origins]
    many = len(jobs) > 1
    out = args.output
    if many and "{origin}" not in out and "{scenario}" not in out and not Path(out).is_dir():
        raise InvalidOptionError(
            f"{len(jobs)} maps need {len(jobs)} files: give -o a folder or a pattern with {{origin}} "
            "and/or {scenario}, e.g. -o maps/{origin}_{scenario}.png."
        )
    ext = args.ext if args.ext.startswith(".") else "." + args.ext
    if ext not in ALL_FORMATS:
        raise InvalidOptionError(f"unknown --ext {args.ext!r}; use one of {', '.join(ALL_FORMATS)}.")
    graphs = {s: graph_for(network=args.network, scenario=s, year=args.year) for s in scenarios}
    base = graph_for(network=args.network, scenario=args.compare_to, year=args.year) if args.compare_to else None
    planned = []
    for o, s in jobs:  # resolve everything and check every path before writing anything
        parse_origin(graphs[s], o)
        label_s = Path(s).stem if s else str(graphs[s].graph["network"])
        label_o = o.replace(",", "_").replace("/", "_")
        if Path(out).is_dir():
            path = Path(out) / f"{label_o}_{label_s}{ext}"
        else:
            path = Path(out.replace("{origin}", label_o).replace("{scenario}", label_s))
        planned.append((o, s, check_output(path)))
    for i, (o, s, path) in enumerate(planned, 1):
        G = graphs[s]
        iso = isochrones(G, o, bands, modes=args.modes, settings=settings)
        b = isochrones(base, o, bands, modes=args.modes, settings=settings) if base is not None else None
        write_isochrones(iso, G, path, base=b)
        if many:
            done = int(30 * i / len(planned))
            sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {i}/{len(planned)} {path.name}")
            sys.stderr.flush()
        else:
            sys.stdout.write(f"wrote {path}\n")
    if many:
        sys.stderr.write("\n")
        sys.stdout.write(f"wrote {len(planned)} file(s)\n")
    return 0


def cmd_osm_import(args: argparse.Namespace) -> int:
    """Import OpenStreetMap roads and join them to a network."""
    from commute.io.osm import merge_road_layer, read_osm_roads

    if args.max_snap_km <= 0:
        raise InvalidOptionError("--max-snap-km must be positive, e.g. 1.")
    out = Path(args.output)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidOptionError(f"output {out} exists and is not an empty folder; choose a new folder.")
    if not out.resolve().parent.is_dir():
        raise InvalidOptionError(f"cannot write {out}: folder {out.resolve().parent} does not exist; create it first.")
    layer, rep = read_osm_roads(args.file, place=args.place, consolidate_m=args.consolidate_m)
    rep = merge_road_layer(args.base, layer, out, max_snap_km=args.max_snap_km, report=rep)
    sys.stdout.write("\n".join(rep.lines()) + f"\nwrote network {out}\n")
    return 0


def cmd_gtfs_import(args: argparse.Namespace) -> int:
    """Import a GTFS feed as network tables."""
    import datetime as dt

    from commute.io.gtfs import Feed, feed_to_tables, parse_hhmm, write_tables

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise InvalidOptionError(f"date {args.date!r} is not YYYY-MM-DD.") from None
    out = Path(args.output)
    if not out.resolve().parent.is_dir():
        raise InvalidOptionError(f"cannot write {out}: folder {out.resolve().parent} does not exist; create it first.")
    tables = feed_to_tables(
        Feed(args.feed), day=day, start_min=parse_hhmm(args.start), end_min=parse_hhmm(args.end), prefix=args.prefix
    )
    write_tables(tables, out)
    s = tables["services"]
    sys.stdout.write(
        f"{len(tables['stations'])} stops and {len(s)} services ({', '.join(sorted(set(s['mode'])))}) "
        f"written to {out}\n"
    )
    return 0


def _output(p: argparse.ArgumentParser, default_format: str, formats: str) -> None:
    p.add_argument("--format", default=default_format, help=formats)
    p.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")


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

    p = sub.add_parser(
        "matrix",
        help="travel times between places (CSV, table or JSON)",
        description="Travel times between places. Unreachable pairs have no minutes.",
    )
    p.add_argument(
        "--origins", required=True, help="comma-separated names, ids, codes or groups (circle, cluster, major)"
    )
    p.add_argument("--destinations", default=None, help="as --origins (default: the origins)")
    _common(p)
    p.add_argument("--modes", default="road,rail,air", help="comma-separated: road, rail, air (default: all)")
    p.add_argument("--measure", default="door_to_door", help="door_to_door (default) or station_to_station")
    p.add_argument("--cutoff", type=float, default=None, help="ignore trips longer than this many minutes")
    _output(p, "csv", "csv (default), table or json")
    p.set_defaults(handler=cmd_matrix)

    p = sub.add_parser(
        "info",
        help="summary of a network for a year",
        description="Counts of places, stations and services and kilometres by mode and status.",
    )
    _common(p)
    p.add_argument("--places", action="store_true", help="list every place and city instead")
    _output(p, "table", "table (default), csv (with --places) or json")
    p.set_defaults(handler=cmd_info)

    fmt_help = "table (default), csv or json"
    p = sub.add_parser(
        "check",
        help="check reach targets on one or more scenarios",
        description="Check the targets (default: every shipped target file) on each scenario "
        "(default: the network in its default year). Exit 0 when evaluated; with "
        "--strict, exit 3 if any target fails.",
    )
    p.add_argument("scenarios", nargs="*", help="scenario YAML files")
    p.add_argument("--targets", default=None, help="target set names or files, comma-separated (default: all shipped)")
    p.add_argument("--network", default=None, help="network name or folder (default: wuhan_circle)")
    p.add_argument("--year", default=None, help="override the scenario's year")
    p.add_argument("--details", action="store_true", help="with table format, also print every pair")
    p.add_argument("--strict", action="store_true", help="exit 3 if any target fails")
    _output(p, "table", fmt_help)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser(
        "compare",
        help="compare scenarios against a base",
        description="Which target pairs flip, how many minutes each gains, and the population "
        "newly within each limit, for each scenario against the base.",
    )
    p.add_argument("base", help="base scenario file")
    p.add_argument("others", nargs="+", help="scenario files to compare with the base")
    p.add_argument("--targets", default=None, help="target set names or files (default: all shipped)")
    p.add_argument("--network", default=None, help="network name or folder")
    p.add_argument("--year", default=None, help="override the scenarios' year")
    _output(p, "table", fmt_help)
    p.set_defaults(handler=cmd_compare)

    p = sub.add_parser(
        "critical",
        help="single closures that break a target",
        description="Close each road link and each rail service in turn and list those whose "
        "closure makes a passing target pair fail.",
    )
    p.add_argument("scenario", nargs="?", default=None, help="scenario file (default: the network)")
    p.add_argument("--targets", default=None, help="target set names or files (default: all shipped)")
    p.add_argument("--kinds", default="road,rail", help="what to close: road, rail (default both)")
    p.add_argument("--network", default=None, help="network name or folder")
    p.add_argument("--year", default=None, help="year (default: the scenario's or the network's)")
    p.add_argument("--top", type=int, default=0, help="show only the N most damaging closures")
    _output(p, "table", fmt_help)
    p.set_defaults(handler=cmd_critical)

    p = sub.add_parser(
        "attribute",
        help="contribution of each change of a scenario to the targets",
        description="Leave-one-out and order-independent (Shapley) contributions of each change "
        "written in a scenario file to pairs passing, population passing and "
        "minutes short.",
    )
    p.add_argument("scenario", help="scenario file")
    p.add_argument("--targets", default=None, help="target set names or files (default: all shipped)")
    p.add_argument("--network", default=None, help="network name or folder")
    p.add_argument("--year", default=None, help="override the scenario's year")
    _output(p, "table", fmt_help)
    p.set_defaults(handler=cmd_attribute)

    p = sub.add_parser(
        "reach",
        help="population within 30/60/90/120/180 min and gravity accessibility",
        description="Cumulative opportunities (2020 population whose centre is reached within "
        "each threshold) and gravity accessibility (decay halving every --half-life "
        "minutes) for each origin.",
    )
    p.add_argument("scenario", nargs="?", default=None, help="scenario file (default: the network)")
    p.add_argument("--origins", default="circle_places", help="origins (default: every circle place)")
    p.add_argument("--thresholds", default="30,60,90,120,180", help="minutes, comma-separated")
    p.add_argument("--modes", default="road,rail", help="modes (default road,rail)")
    p.add_argument("--measure", default="door_to_door", help="door_to_door (default) or station_to_station")
    p.add_argument("--half-life", type=float, default=30.0, help="gravity decay half-life in minutes (default 30)")
    p.add_argument("--network", default=None, help="network name or folder")
    p.add_argument("--year", default=None, help="year (default: the scenario's or the network's)")
    _output(p, "table", fmt_help)
    p.set_defaults(handler=cmd_reach)

    p = sub.add_parser(
        "isochrones",
        help="isochrone maps (PNG, SVG, PDF), polygons (GeoJSON, GeoPackage) or HTML maps",
        description="Nested isochrones from one travel-time surface, door to door. Several --origin or --scenario "
        "make a batch (one file each, with a progress bar); --compare-to draws the area gained over a base.",
    )
    p.add_argument(
        "--origin", action="append", required=True, help="a place name, id or code, or lon,lat; repeat for a batch"
    )
    p.add_argument("--minutes", default="60,120,180", help="band limits, comma-separated (default 60,120,180)")
    p.add_argument("--scenario", action="append", default=None, help="scenario file; repeat for a batch")
    p.add_argument("--compare-to", default=None, help="base scenario file: map the area gained over it")
    p.add_argument("--year", default=None, help="year (default: the scenario's or the network's)")
    p.add_argument("--network", default=None, help="network name or folder")
    p.add_argument("--modes", default="road,rail", help="modes (default road,rail)")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file (.png .svg .pdf .geojson .gpkg .html), a folder, or a pattern with {origin} and {scenario}",
    )
    p.add_argument("--ext", default=".png", help="extension of files written into a folder (default .png)")
    p.add_argument("--step-km", type=float, default=2.0, help="sampling step along roads (street level: 0.1)")
    p.add_argument("--max-radius-km", type=float, default=15.0, help="cap of the local-travel disks (street: 0.3)")
    p.set_defaults(handler=cmd_isochrones)

    p = sub.add_parser(
        "osm",
        help="import OpenStreetMap roads (osmnx) into a network",
        description="Build a drivable street layer from an OSM XML file (offline) or, online, a place name, and "
        "write a network folder: the base network joined with the streets.",
    )
    osub = p.add_subparsers(dest="osm_command", metavar="ACTION")
    q = osub.add_parser(
        "import",
        help="import an OSM file or place",
        description="Import drivable roads; report counts and what the largest component dropped.",
    )
    q.add_argument("file", nargs="?", default=None, help=".osm XML file")
    q.add_argument("--place", default=None, help="a place name to download (needs the internet)")
    q.add_argument("--base", default="wuhan_circle", help="network the streets join (default wuhan_circle)")
    q.add_argument("--max-snap-km", type=float, default=1.0, help="places and stations farther are reported")
    q.add_argument("--consolidate-m", type=float, default=15.0, help="merge intersections closer than this")
    q.add_argument("-o", "--output", required=True, help="new network folder, e.g. networks/optics_valley")
    q.set_defaults(handler=cmd_osm_import)
    p.set_defaults(handler=lambda a, parser=p: (parser.print_help(), 0)[1])

    p = sub.add_parser(
        "gtfs",
        help="import a GTFS feed as services",
        description="Read a GTFS feed into services with run times and headways for a day and window.",
    )
    gsub = p.add_subparsers(dest="gtfs_command", metavar="ACTION")
    q = gsub.add_parser(
        "import",
        help="import a feed (folder or zip) into network tables",
        description="Write stations.csv, services.csv and service_stops.csv in the network schema.",
    )
    q.add_argument("feed", help="GTFS folder or .zip")
    q.add_argument("--date", required=True, help="service day, YYYY-MM-DD")
    q.add_argument("--start", default="06:00", help="window start HH:MM (default 06:00)")
    q.add_argument("--end", default="22:00", help="window end HH:MM (default 22:00)")
    q.add_argument("--prefix", default="gtfs", help="id prefix of the stations and services (default gtfs)")
    q.add_argument("-o", "--output", required=True, help="output folder")
    q.set_defaults(handler=cmd_gtfs_import)
    p.set_defaults(handler=lambda a, parser=p: (parser.print_help(), 0)[1])

    p = sub.add_parser(
        "snapshot",
        help="write or check regression snapshots of reach metrics",
        description="Golden files for accessibility: write small sorted CSVs of the target pairs, rule summaries "
        "and population within reach for each scenario; check them later.",
    )
    ssub = p.add_subparsers(dest="snapshot_command", metavar="ACTION")
    q = ssub.add_parser(
        "write",
        help="write snapshots for scenarios (default: the network today)",
        description="Write snapshot CSVs, with the scenario hash and network version in a header.",
    )
    q.add_argument("scenarios", nargs="*", help="scenario files")
    q.add_argument("--targets", default=None, help="target set names or files (default: all shipped)")
    q.add_argument("--network", default=None, help="network name or folder")
    q.add_argument("-o", "--output", default="snapshots", help="folder (default: snapshots)")
    q.set_defaults(handler=cmd_snapshot_write)
    q = ssub.add_parser(
        "check",
        help="recompute and compare; exit 1 on a difference",
        description="Recompute every snapshot in DIR and list every metric that moved beyond its tolerance, "
        "with its old and new value. Exit 1 on a difference.",
    )
    q.add_argument("dir", nargs="?", default="snapshots", help="snapshot folder (default: snapshots)")
    q.add_argument(
        "--tolerance",
        default=None,
        help="per metric, e.g. minutes=0.5,share=0.01 (defaults: minutes=0.05, share=0.0005, pop=0, gravity=0.5)",
    )
    q.add_argument("--network", default=None, help="network name or folder (default: the snapshot's)")
    q.set_defaults(handler=cmd_snapshot_check)
    p.set_defaults(handler=lambda a, parser=p: (parser.print_help(), 0)[1])

    p = sub.add_parser(
        "scenario",
        help="validate or describe scenario files",
        description="Scenario files: validate them (every problem at once) or describe them.",
    )
    ssub = p.add_subparsers(dest="scenario_command", metavar="ACTION")
    q = ssub.add_parser(
        "validate",
        help="check scenario files; exit 2 if any has a problem",
        description="Check scenario files, listing every problem with file, line and a hint.",
    )
    q.add_argument("files", nargs="+", help="scenario YAML files")
    q.add_argument("--network", default=None, help="network name or folder (default: the scenario's)")
    q.set_defaults(handler=cmd_scenario_validate)
    q = ssub.add_parser(
        "show",
        help="describe what a scenario changes, resolved through extends",
        description="Describe a scenario in words, resolved through `extends`, with its content hash.",
    )
    q.add_argument("file", help="scenario YAML file")
    q.add_argument("--network", default=None, help="network name or folder (default: the scenario's)")
    q.set_defaults(handler=cmd_scenario_show)
    p.set_defaults(handler=lambda a, parser=p: (parser.print_help(), 0)[1])

    for register in _EXTRA_PARSERS:
        register(sub)
    return parser


_EXTRA_PARSERS: list[Callable[[Any], None]] = [__import__("commute.cli.sweep", fromlist=["register"]).register]


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
