"""``commute gtfs import``: the trips of one day of a GTFS feed as a network (work in :mod:`commute.io.gtfs`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commute.cli import options


def cmd_gtfs_import(args: argparse.Namespace) -> int:
    """Import the trips of one day of a GTFS feed as a transit-only network folder.

    Write every trip running on --date with its stop times (trips.csv, trip_stops.csv), its
    stops, services (route and stopping pattern), transfers and network.yaml.

    Examples
    --------
    commute gtfs import ../shared/data/gtfs/caltrain_2017-07-24 --date 2017-07-24 -o networks/caltrain
    """
    import datetime as dt

    from commute.errors import InvalidOptionError
    from commute.io.gtfs import Feed
    from commute.io.gtfs_network import feed_to_network, summary, write_network

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise InvalidOptionError(f"date {args.date!r} is not YYYY-MM-DD.") from None
    out = Path(args.output)
    tables, meta = feed_to_network(Feed(args.feed), day, name=out.name)
    write_network(tables, meta, out)
    sys.stdout.write(f"{summary(tables)} of {day} written to {out}\n")
    return 0


GROUP = """Import a GTFS feed as trips.

Read the trips of one day of a GTFS feed into a transit-only network folder.

Examples
--------
commute gtfs import feed.zip --date 2024-05-06 -o networks/wuhan_metro
"""


def register(sub: Any) -> None:
    """Declare ``commute gtfs import``."""
    q = options.verb(options.group(sub, "gtfs", GROUP), "import", cmd_gtfs_import)
    q.add_argument("feed", help="GTFS folder or .zip")
    q.add_argument("--date", required=True, help="service day, YYYY-MM-DD")
    options.add(q, "output", output={"required": True, "help": "new network folder, e.g. networks/caltrain"})
