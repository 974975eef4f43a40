"""``commute info``: a network summary, or its places."""

from __future__ import annotations

import argparse
from typing import Any

from commute.cli import options
from commute.cli.matrix import graph_from_args


def run(args: argparse.Namespace) -> int:
    """Summary of a network for a year.

    Counts of places, stations and services and kilometres by mode and status.

    Examples
    --------
    commute info --year 2021
    commute info --places --format csv -o places.csv
    """
    from commute.cli.render import dumps, emit_for, render, table_width
    from commute.results.summary import network_summary

    G = graph_from_args(args)
    net = G.graph["network_obj"]
    if args.places:
        from commute.results.travel import place_index

        tab = place_index(G).table()[["key", "name", "kind", "city", "pop", "place"]]
        emit_for(args, render(tab, args.format, width=table_width(args)))
        return 0
    counts, km = network_summary(net, G)
    if args.format == "json":
        import json

        km_rows = json.loads(km.to_json(orient="records", force_ascii=False))
        payload = {"network": net.name, "version": net.version, "year": G.graph["year"], "counts": counts}
        text = dumps(payload | {"km": km_rows})
    else:
        lines = [f"network {net.name} (version {net.version}), year {G.graph['year']}"]
        if G.graph.get("scenario"):
            lines.append(f"scenario {G.graph['scenario']['name']} (hash {G.graph['scenario']['hash']})")
        lines += [f"  {k}: {v}" for k, v in counts.items()]
        lines.append("kilometres by mode and status (all rows), and in use in this year:")
        lines.append(km.to_string(index=False))
        text = "\n".join(lines) + "\n"
    emit_for(args, text)
    return 0


def register(sub: Any) -> None:
    """Declare ``commute info``."""
    p = options.verb(sub, "info", run)
    options.add(p, "network", "scenario", "year")
    p.add_argument("--places", action="store_true", help="list every place and city instead")
    options.output(p, "table", "table (default), csv (with --places) or json")
