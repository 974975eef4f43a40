"""``commute matrix``: travel times between places."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from commute.cli import options


def graph_from_args(args: argparse.Namespace) -> Any:
    """The graph for ``--network``, ``--scenario`` and ``--year`` (each optional)."""
    from commute.model.scenario import graph_for

    return graph_for(
        network=getattr(args, "network", None),
        scenario=getattr(args, "scenario", None),
        year=getattr(args, "year", None),
    )


def run(args: argparse.Namespace) -> int:
    """Travel times between places (CSV, table or JSON).

    Travel times between places, on real departures: rail, air and bus run as trips with clock
    times, waiting is real waiting. Unreachable pairs have no minutes.

    Examples
    --------
    commute matrix --origins 武汉 --destinations 黄石,长沙 --modes rail --depart 07:00-09:00 --statistic p85
    """
    from commute.cli.render import check_format, emit_for, render, table_width
    from commute.model.modes import parse_measure, parse_modes
    from commute.results.travel import travel_times

    modes = parse_modes(args.modes)
    measure = parse_measure(args.measure)
    check_format(args.format)
    G = graph_from_args(args)
    if getattr(args, "cost", None) is not None:
        return _with_cost(args, G, modes, measure)
    df = travel_times(
        G,
        args.origins,
        args.destinations if args.destinations else args.origins,
        modes=modes,
        measure=measure,
        cutoff=args.cutoff,
        depart=args.depart,
        step=args.step,
        statistic=args.statistic,
        transfer_penalty=args.transfer_penalty,
    )
    if measure.value == "station_to_station":  # a 0 between different places is by rule: say so
        from commute.results.shared_stations import note
        from commute.results.travel import endpoints

        dests = args.destinations if args.destinations else args.origins
        zero = {(str(r.origin_id), str(r.destination_id)) for r in df.itertuples() if r.minutes == 0}
        text = note(endpoints(G, args.origins), endpoints(G, dests), zero) if zero else ""
        if text:
            sys.stderr.write(f"commute: {text.replace(chr(10), ' ')}\n")
    meta = {
        "network": G.graph["network"],
        "network_version": G.graph["network_version"],
        "year": G.graph["year"],
        "scenario": (G.graph.get("scenario") or {}).get("name"),
        "scenario_hash": (G.graph.get("scenario") or {}).get("hash"),
        "modes": sorted(m.value for m in modes),
        "measure": measure.value,
        "depart": args.depart,
        "statistic": args.statistic,
    }
    df["minutes"] = df["minutes"].round(1)
    emit_for(args, render(df, args.format, meta=meta, width=table_width(args)))
    return 0


def _with_cost(args: argparse.Namespace, G: Any, modes: Any, measure: Any) -> int:
    """``--cost``: one row per pair and mode, that mode's best journey by the cost, with its fare."""
    from commute.cli.render import emit_for, render, table_width
    from commute.model.cost import money
    from commute.results.air_only import too_close
    from commute.results.cost_journeys import check_cost, cost_matrix
    from commute.results.travel import endpoints, make_query

    cost = check_cost(args.cost)
    o = endpoints(G, args.origins)
    d = endpoints(G, args.destinations if args.destinations else args.origins)
    too_close(G, modes, o, d, strict=True)
    q = make_query(args.depart, args.step, args.statistic, args.transfer_penalty)
    df = cost_matrix(G, o, d, modes=modes, measure=measure, query=q, cost=cost, value_of_time=args.value_of_time)
    for c in ("minutes", "generalized_min"):
        df[c] = df[c].round(1)
    df["fare"] = [money(f) for f in df["fare"]]
    meta = {"network": G.graph["network"], "year": G.graph["year"], "cost": cost,
            "scenario": (G.graph.get("scenario") or {}).get("name"), "measure": measure.value}  # fmt: skip
    emit_for(args, render(df, args.format, meta=meta, width=table_width(args)))
    return 0


def register(sub: Any) -> None:
    """Declare ``commute matrix``."""
    p = options.verb(sub, "matrix", run)
    options.add(p, "origins")
    p.add_argument("--destinations", default=None, help="as --origins (default: the origins)")
    all_modes = {"default": "road,rail,air", "help": "comma-separated: road, rail, air (default: all)"}
    options.add(p, "network", "scenario", "year", "modes", "measure", modes=all_modes)
    options.add(p, "depart", "step", "statistic", "transfer_penalty", "cost", "value_of_time")
    p.add_argument("--cutoff", type=float, default=None, help="ignore trips longer than this many minutes")
    options.output(p, "csv", "csv (default), table or json")
