"""``commute gtfs import``: a GTFS feed as network tables (the work is in :mod:`commute.io.gtfs`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commute.cli import options


def cmd_gtfs_import(args: argparse.Namespace) -> int:
    """Import a feed (folder or zip) into network tables.

    Write stations.csv, services.csv and service_stops.csv in the network schema.

    Examples
    --------
    commute gtfs import feed.zip --date 2024-05-06 --start 07:00 --end 09:00 -o networks/wuhan_metro
    """
    import datetime as dt

    from commute.errors import InvalidOptionError
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


GROUP = """Import a GTFS feed as services.

Read a GTFS feed into services with run times and headways for a day and window.

Examples
--------
commute gtfs import feed.zip --date 2024-05-06 -o networks/wuhan_metro
"""


def register(sub: Any) -> None:
    """Declare ``commute gtfs import``."""
    q = options.verb(options.group(sub, "gtfs", GROUP), "import", cmd_gtfs_import)
    q.add_argument("feed", help="GTFS folder or .zip")
    q.add_argument("--date", required=True, help="service day, YYYY-MM-DD")
    q.add_argument("--start", default="06:00", help="window start HH:MM (default 06:00)")
    q.add_argument("--end", default="22:00", help="window end HH:MM (default 22:00)")
    q.add_argument("--prefix", default="gtfs", help="id prefix of the stations and services (default gtfs)")
    options.add(q, "output", output={"required": True, "help": "output folder"})
