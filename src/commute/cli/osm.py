"""``commute osm import``: OpenStreetMap roads joined to a network."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commute.cli import options


def run_import(args: argparse.Namespace) -> int:
    """Import an OSM file or place.

    Import drivable roads; report counts and what the largest component dropped.

    Examples
    --------
    commute osm import optics_valley.osm --consolidate-m 15 -o networks/optics_valley
    """
    from commute.errors import InvalidOptionError
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


GROUP = """Import OpenStreetMap roads (osmnx) into a network.

Build a drivable street layer from an OSM XML file (offline) or, online, a place name, and
write a network folder: the base network joined with the streets.

Examples
--------
commute osm import optics_valley.osm -o networks/optics_valley
"""


def register(sub: Any) -> None:
    """Declare ``commute osm import``."""
    q = options.verb(options.group(sub, "osm", GROUP), "import", run_import)
    q.add_argument("file", nargs="?", default=None, help=".osm XML file")
    q.add_argument("--place", default=None, help="a place name to download (needs the internet)")
    q.add_argument("--base", default="wuhan_circle", help="network the streets join (default wuhan_circle)")
    q.add_argument("--max-snap-km", type=float, default=1.0, help="places and stations farther are reported")
    q.add_argument("--consolidate-m", type=float, default=15.0, help="merge intersections closer than this")
    options.add(q, "output", output={"required": True, "help": "new network folder, e.g. networks/optics_valley"})
