"""``commute trip``: one journey's itinerary with clock times and train numbers."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from commute.cli import options
from commute.cli.matrix import graph_from_args
from commute.search.defaults import TRIP_DEPART, clock


def run(args: argparse.Namespace) -> int:
    """The itinerary of one journey: mode, train number, from, to, departure and arrival.

    Leaves the origin at --depart (door_to_door) or boards at the origin's stations from
    --depart on (station_to_station) and takes the earliest-arriving journey; over a window,
    the journey that stands for --statistic. Exit 1 when there is no journey.

    Examples
    --------
    commute trip 黄石 拉萨 --depart 08:00 --modes rail,air
    """
    from commute.cli.render import check_format, emit_for, render, table_width
    from commute.model.cost import costs_of, leg_fares, money
    from commute.model.modes import parse_measure, parse_modes
    from commute.results.air_only import too_close
    from commute.results.travel import endpoints, legs_table, make_query
    from commute.search import api

    modes = parse_modes(args.modes)
    measure = parse_measure(args.measure)
    check_format(args.format)
    G = graph_from_args(args)
    q = make_query(args.depart, args.step, args.statistic, args.transfer_penalty)
    (o,) = endpoints(G, args.origin)
    (d,) = endpoints(G, args.destination)
    too_close(G, modes, [o], [d], strict=True)
    eng = api.compile_engine(G, modes, measure, q)
    minutes, raw = api.best_trip(eng, o, d)
    if math.isnan(minutes):
        sys.stderr.write(f"commute: no journey from {args.origin} to {args.destination} by {args.modes}.\n")
        return 1
    legs = legs_table(G, raw)
    fares = leg_fares(G, raw)
    legs["fare"] = [money(f) for f in fares]
    total = float(sum(fares))
    currency = costs_of(G).currency
    shown = legs[["mode", "train", "from", "to", "depart", "arrive", "minutes", "fare", "kind"]]
    head = (
        f"{args.origin} → {args.destination}: {minutes:.0f} min, {total:.2f} {currency} "
        f"({measure.value}, {','.join(sorted(modes))})\n"
    )
    meta = {"origin": args.origin, "destination": args.destination, "minutes": minutes, "fare": total,
            "currency": currency}  # fmt: skip
    text = render(shown, args.format, meta=meta, width=table_width(args))
    emit_for(args, head + text if args.format == "table" else text)
    return 0


def register(sub: Any) -> None:
    """Declare ``commute trip``."""
    p = options.verb(sub, "trip", run)
    p.add_argument("origin", help="place name, id or code")
    p.add_argument("destination", help="place name, id or code")
    all_modes = {"default": "road,rail,air", "help": "comma-separated: road, rail, air (default: all)"}
    options.add(p, "network", "scenario", "year", "modes", "measure", modes=all_modes)
    options.add(
        p,
        "depart",
        "step",
        "statistic",
        "transfer_penalty",
        depart={"default": clock(TRIP_DEPART), "help": f"HH:MM (default {clock(TRIP_DEPART)}) or a window HH:MM-HH:MM"},
    )
    options.output(p)
