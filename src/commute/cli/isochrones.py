"""``commute isochrones``: maps, polygons and HTML maps of nested isochrones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commute.cli import options


def run(args: argparse.Namespace) -> int:
    """Isochrone maps (PNG, SVG, PDF), polygons (GeoJSON, GeoPackage) or HTML maps.

    Nested isochrones from one travel-time surface, door to door. Several --origin or
    --scenario make a batch (one file each, with a progress bar), written as one set: an error or
    an interrupt leaves the old files, never some old and some new; --compare-to draws the area
    gained over a base.

    Examples
    --------
    commute isochrones --origin 武汉 --minutes 60,120,180 -o wuhan.png
    commute isochrones --origin 武汉 --origin 黄石 --scenario scenarios/today_2026.yaml -o maps/{origin}_{scenario}.svg
    """
    from commute.errors import InvalidOptionError
    from commute.model.modes import parse_modes
    from commute.model.scenario import graph_for
    from commute.results.isochrones import IsochroneSettings, isochrones, parse_minutes, parse_origin
    from commute.results.map_files import MapFile, write_isochrone_set
    from commute.results.maps import ALL_FORMATS, check_output

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
    seen: dict[Path, int] = {}
    for i, (_, _, path) in enumerate(planned, 1):
        j = seen.setdefault(path.resolve(), i)
        if j != i:
            raise InvalidOptionError(
                f"maps {j} and {i} would both be written to {path}; use {{origin}} and {{scenario}} in -o."
            )
    files = []
    for o, s, path in planned:  # every map is computed before any file is written
        iso = isochrones(graphs[s], o, bands, modes=args.modes, settings=settings)
        b = isochrones(base, o, bands, modes=args.modes, settings=settings) if base is not None else None
        files.append(MapFile(iso, graphs[s], path, base=b, tiles=args.tiles))

    def progress(i: int, path: Path) -> None:
        if many:
            done = int(30 * i / len(files))
            sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {i}/{len(files)} {path.name}")
            sys.stderr.flush()

    written = write_isochrone_set(files, progress=progress)  # one set: all the maps or none
    if many:
        sys.stderr.write("\n")
        sys.stdout.write(f"wrote {len(written)} file(s)\n")
    else:
        sys.stdout.write(f"wrote {written[0]}\n")
    return 0


def register(sub: Any) -> None:
    """Declare ``commute isochrones``."""
    p = options.verb(sub, "isochrones", run)
    p.add_argument(
        "--origin", action="append", required=True, help="a place name, id or code, or lon,lat; repeat for a batch"
    )
    p.add_argument("--minutes", default="60,120,180", help="band limits, comma-separated (default 60,120,180)")
    options.add(p, "scenario", scenario={"action": "append", "help": "scenario file; repeat for a batch"})
    p.add_argument("--compare-to", default=None, help="base scenario file: map the area gained over it")
    options.add(p, "year", "network", "modes")
    options.add(
        p,
        "output",
        output={
            "required": True,
            "help": "output file (.png .svg .pdf .geojson .gpkg .html), a folder, or a pattern with {origin} "
            "and {scenario}",
        },
    )
    p.add_argument(
        "--tiles",
        default=None,
        help="HTML maps: background tiles, 'osm' or an URL template (default none: the page works offline)",
    )
    p.add_argument("--ext", default=".png", help="extension of files written into a folder (default .png)")
    p.add_argument("--step-km", type=float, default=2.0, help="sampling step along roads (street level: 0.1)")
    p.add_argument("--max-radius-km", type=float, default=15.0, help="cap of the local-travel disks (street: 0.3)")
