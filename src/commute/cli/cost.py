"""``commute compare BASE OTHER --cost fare --origins A --destinations B``: who gains from a fare change."""

from __future__ import annotations

import argparse

from commute.cli import options


def add_compare_options(p: argparse.ArgumentParser) -> None:
    """The money options of ``commute compare`` (with ``--cost``, pairs are compared by money, not targets)."""
    options.add(p, "cost", "value_of_time", "depart", "step", "measure")
    p.add_argument("--origins", default=None, help="with --cost: origins (names, ids, codes or groups)")
    p.add_argument("--destinations", default=None, help="with --cost: destinations (default: the origins)")
    p.add_argument("--modes", default="road,rail", help="with --cost: modes, each compared alone (road,rail)")


def compare_fares(args: argparse.Namespace) -> int:
    """Each pair and mode's best journey by --cost in the base and the other scenarios, and who gains."""
    from commute.cli.render import emit_for, render, table_width
    from commute.errors import InvalidOptionError
    from commute.model.cost import money
    from commute.model.scenario import graph_for
    from commute.results.cost_compare import fare_compare
    from commute.results.cost_journeys import check_cost
    from commute.results.travel import endpoints, make_query

    cost = check_cost(args.cost)
    if not args.origins:
        raise InvalidOptionError("compare --cost needs --origins (and --destinations); e.g. --origins 黄石.")
    base = graph_for(network=args.network, scenario=args.base, year=args.year)
    others = [(str(f), graph_for(network=args.network, scenario=f, year=args.year)) for f in args.others]
    o = endpoints(base, args.origins)
    d = endpoints(base, args.destinations or args.origins)
    q = make_query(args.depart, args.step, None, None)
    df = fare_compare(base, others, o, d, modes=args.modes, measure=args.measure, query=q, cost=cost,
                      value_of_time=args.value_of_time)  # fmt: skip
    for c in ("fare_before", "fare_after", "fare_gain"):
        df[c] = [money(x) for x in df[c]]
    meta = {"base": str(args.base), "cost": cost}
    emit_for(args, render(df, args.format or "table", meta=meta, width=table_width(args)))
    return 0
