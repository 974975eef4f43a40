"""``commute check``, ``compare``, ``critical``, ``attribute`` and ``reach``: targets and reach."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from commute.cli import options

_TABLE_FIRST = ("table", "csv", "json")


def scenario_graphs(args: argparse.Namespace, files: Sequence[str]) -> list[tuple[str, Any]]:
    """(label, graph) for each scenario file given, or for the plain network."""
    from commute.model.scenario import graph_for

    if not files:
        G = graph_for(network=args.network, year=args.year)
        return [(str(G.graph["network"]), G)]
    return [(Path(f).stem, graph_for(network=args.network, scenario=f, year=args.year)) for f in files]


def _one_graph(args: argparse.Namespace) -> tuple[str, Any]:
    ((label, G),) = scenario_graphs(args, [args.scenario] if args.scenario else [])
    return label, G


def target_sets(spec: str | None, G: Any) -> list[Any]:
    """The target sets named by ``--targets`` (default: every shipped set), resolved on ``G``."""
    from commute.results.targets import load_targets, resolve_targets

    return [load_targets(p, G=G) for p in resolve_targets(spec)]


def check_runs(args: argparse.Namespace, files: Sequence[str], *, legs: bool = True) -> list[dict[str, Any]]:
    """Check the targets on each scenario: its labels, graph, detail rows and summary."""
    from commute.results.targets import check, summarise

    runs = []
    sets = None
    for label, G in scenario_graphs(args, files):
        sets = sets or target_sets(args.targets, G)
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


_DETAIL_COLUMNS = ["rule", "origin", "destination", "minutes", "limit_min", "passed", "short_by_min", "trip_modes"]


#: Headers of the check table (population weighted by the 2020 census).
_CHECK_HEADERS = {"passing": "pairs passing", "pop_share": "pop. passing", "worst": "worst pairs (time, minutes over)"}


def _check_table(r: dict[str, Any], details: bool, width: int | None) -> list[str]:
    from commute.cli.render import render, rounded
    from commute.cli.textable import table

    s = r["summary"].copy()
    s["passing"] = s["passing"].astype(str) + "/" + s["pairs"].astype(str)
    s["pop_share"] = (100 * s["pop_share_passing"]).map(lambda v: "-" if v != v else f"{v:.0f}%")
    s["result"] = s["all_pass"].map({True: "PASS", False: "FAIL"})
    head = f"== {r['scenario']}: year {r['year']}"
    head += f", scenario hash {r['scenario_hash']}" if r["scenario_hash"] else ""
    head += f", network {r['network_version']}"
    shown = s[["targets", "rule", "result", "passing", "pop_share", "limit_min", "worst"]]
    parts = [head, table(shown, width=width, headers=_CHECK_HEADERS)]
    if details:
        from commute.results.rules.base import MONEY_COLUMNS

        d = r["detail"]
        money = [c for c in MONEY_COLUMNS if c in d.columns and d[c].notna().any()]
        parts.append(render(rounded(d[[*_DETAIL_COLUMNS, *money, "legs"]]), "table", width=width).rstrip())
    return parts


def run_check(args: argparse.Namespace) -> int:
    """Check reach targets on one or more scenarios.

    Check the targets (default: every shipped target file) on each scenario (default: the
    network in its default year). Exit 0 when evaluated; with --strict, exit 3 if any target
    fails.

    Examples
    --------
    commute check scenarios/package_broken_roads.yaml --targets 123 --details
    """
    import pandas as pd

    from commute.cli.render import check_format, dumps, emit_for, records, render, rounded, table_width

    check_format(args.format, _TABLE_FIRST)
    runs = check_runs(args, args.scenarios)
    any_fail = any(not bool(r["summary"]["all_pass"].all()) for r in runs)
    if args.format == "csv":
        detail = pd.concat([r["detail"].assign(scenario_hash=r["scenario_hash"], year=r["year"]) for r in runs])
        text = render(rounded(detail), "csv")
    elif args.format == "json":
        hidden = ("graph", "detail", "summary")
        text = dumps(
            {
                "runs": [
                    {k: v for k, v in r.items() if k not in hidden}
                    | {"summary": records(r["summary"]), "rows": records(r["detail"])}
                    for r in runs
                ]
            }
        )
    else:
        width = table_width(args)
        text = "\n".join(part for r in runs for part in _check_table(r, args.details, width)) + "\n"
    emit_for(args, text)
    return 3 if (args.strict and any_fail) else 0


_COMPARE_HEADERS = {
    "now_pass": "pairs now passing",
    "now_fail": "pairs now failing",
    "pop_newly_within": "population newly within the limit",
}


def run_compare(args: argparse.Namespace) -> int:
    """Compare scenarios against a base.

    Which target pairs flip, how many minutes each gains, and the population newly within
    each limit, for each scenario against the base.

    Examples
    --------
    commute compare scenarios/base_2021.yaml scenarios/package_broken_roads.yaml
    """
    import pandas as pd

    from commute.cli.render import check_format, dumps, emit_for, records, render, rounded, table_width
    from commute.cli.textable import table
    from commute.results.targets import compare, compare_summary

    check_format(args.format, _TABLE_FIRST)
    if getattr(args, "cost", None):
        from commute.cli.cost import compare_fares

        return compare_fares(args)
    runs = check_runs(args, [args.base, *args.others], legs=False)
    base = runs[0]
    cmp = pd.concat([compare(base["detail"], r["detail"], label=r["scenario"]) for r in runs[1:]], ignore_index=True)
    summ = compare_summary(cmp)
    if args.format == "csv":
        text = render(rounded(cmp), "csv")
    elif args.format == "json":
        text = dumps({"base": base["scenario"], "summary": records(summ), "rows": records(cmp)})
    else:
        shown = ["scenario", "targets", "rule", "origin", "destination"]
        flips = cmp[cmp["flip"] != ""][[*shown, "minutes_before", "minutes_after", "gain_min", "flip"]]
        width = table_width(args)
        text = (
            f"base: {base['scenario']} (year {base['year']})\n"
            + table(rounded(summ.drop(columns=["pairs_now_passing"])), width=width, headers=_COMPARE_HEADERS)
            + "\n\npairs that flip:\n"
            + render(rounded(flips), "table", width=width)
        )
    emit_for(args, text)
    return 0


def run_critical(args: argparse.Namespace) -> int:
    """Single closures that break a target.

    Close each road link and each rail service in turn and list those whose closure makes a
    passing target pair fail.

    Examples
    --------
    commute critical --targets 123 --kinds rail --top 10
    """
    from commute.cli.render import check_format, emit_for, render, table_width
    from commute.errors import InvalidOptionError
    from commute.results.attribution import critical_closures

    check_format(args.format)

    label, G = _one_graph(args)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    bad = [k for k in kinds if k not in ("road", "rail")]
    if bad or not kinds:
        raise InvalidOptionError(f"unknown closure kind(s) {', '.join(bad) or '(none)'}; use road, rail or road,rail.")
    df = critical_closures(G, target_sets(args.targets, G), kinds=kinds)
    head = f"critical closures on {label} (year {G.graph['year']}):\n" if args.format == "table" else ""
    shown = df.head(args.top) if args.top else df
    emit_for(args, head + render(shown, args.format, width=table_width(args)))
    return 0


ATTRIBUTE_LEGEND = """
score: pairs_passing = target pairs that pass; pop_passing = 2020 census population of the
  destinations (or places) of passing pairs; minutes_short = minutes over the limit, summed over
  failing pairs (lower is better, so a change that helps has a negative value).
leave one out = the full scenario's score minus its score without this change.
shapley = the change's average contribution over every order of adding the changes (sampled: the
  mean over random orders, with its standard error); the values of a score add up to its total,
  the full scenario's score minus the parent's.
"""


def run_attribute(args: argparse.Namespace) -> int:
    """Contribution of each change of a scenario to the targets.

    Leave-one-out and order-independent (Shapley) contributions of each change written in a
    scenario file to pairs passing, population passing and minutes short.

    Examples
    --------
    commute attribute scenarios/package_broken_roads.yaml --targets 123
    """
    from commute.cli.render import check_format, emit_for, render, rounded, table_width
    from commute.io.network import load_network
    from commute.model.scenario import apply_scenario, load_scenario
    from commute.results.attribution import attribute

    check_format(args.format)
    sc = load_scenario(args.scenario)
    net = load_network(args.network or sc.network)
    G = apply_scenario(net, sc, year=None if args.year is None else int(args.year))
    df = attribute(net, sc, target_sets(args.targets, G))
    text = render(rounded(df), args.format, width=table_width(args))
    if args.format == "table":
        text += ATTRIBUTE_LEGEND
    emit_for(args, text)
    return 0


def run_reach(args: argparse.Namespace) -> int:
    """Population within 30/60/90/120/180 min and gravity accessibility.

    Cumulative opportunities (2020 population whose centre is reached within each threshold)
    and gravity accessibility (decay halving every --half-life minutes) for each origin.

    Examples
    --------
    commute reach --origins 武汉,黄石 --thresholds 60,120 --format csv
    """
    from commute.cli.render import check_format, emit_for, render, rounded, table_width
    from commute.errors import InvalidOptionError
    from commute.model.modes import parse_modes
    from commute.results.metrics import population_within

    check_format(args.format)
    parse_modes(args.modes)
    _, G = _one_graph(args)
    try:
        ths = [float(x) for x in args.thresholds.split(",") if x.strip()]
    except ValueError:
        raise InvalidOptionError(f"thresholds {args.thresholds!r} must be minutes separated by commas.") from None
    if not ths or any(t <= 0 for t in ths):
        raise InvalidOptionError("thresholds must be positive minutes, e.g. 30,60,90.")
    df = population_within(
        G, args.origins, thresholds=ths, modes=args.modes, measure=args.measure, half_life_min=args.half_life
    )
    if args.format == "table":  # the unit in the header: persons weighted by the decay
        df = df.rename(columns={"gravity": f"gravity (persons, half-life {args.half_life:g} min)"})
    emit_for(args, render(rounded(df), args.format, width=table_width(args)))
    return 0


def register(sub: Any) -> None:
    """Declare ``commute check``, ``compare``, ``critical``, ``attribute`` and ``reach``."""
    p = options.verb(sub, "check", run_check)
    p.add_argument("scenarios", nargs="*", help="scenario YAML files")
    options.add(p, "targets", "network", "year", year="override the scenario's year")
    p.add_argument("--details", action="store_true", help="with table format, also print every pair")
    p.add_argument("--strict", action="store_true", help="exit 3 if any target fails")
    options.output(p)

    p = options.verb(sub, "compare", run_compare)
    p.add_argument("base", help="base scenario file")
    p.add_argument("others", nargs="+", help="scenario files to compare with the base")
    options.add(p, "targets", "network", "year", year="override the scenarios' year")
    from commute.cli.cost import add_compare_options

    add_compare_options(p)
    options.output(p)

    p = options.verb(sub, "critical", run_critical)
    options.add(p, "scenario_arg", "targets")
    p.add_argument("--kinds", default="road,rail", help="what to close: road, rail (default both)")
    options.add(p, "network", "year")
    p.add_argument("--top", type=int, default=0, help="show only the N most damaging closures")
    options.output(p)

    p = options.verb(sub, "attribute", run_attribute)
    p.add_argument("scenario", help="scenario file")
    options.add(p, "targets", "network", "year", year="override the scenario's year")
    options.output(p)

    p = options.verb(sub, "reach", run_reach)
    every_place = {"required": False, "default": "circle_places", "help": "origins (default: every circle place)"}
    options.add(p, "scenario_arg", "origins", origins=every_place)
    p.add_argument("--thresholds", default="30,60,90,120,180", help="minutes, comma-separated")
    options.add(p, "modes", "measure")
    p.add_argument("--half-life", type=float, default=30.0, help="gravity decay half-life in minutes (default 30)")
    options.add(p, "network", "year")
    options.output(p)
