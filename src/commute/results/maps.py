"""Maps of isochrones worth putting in a report, and writers for every output format.

A static map (matplotlib, drawn in EPSG:32650) has county boundaries from the census polygons,
the bands in a sequential palette, the rail lines and stations, the origin, the circle and
cluster cities labelled in Chinese (placed so that no two labels collide, the origin always
named: :mod:`commute.results.maps_labels`; layers and their styles: :mod:`commute.results.maps_layers`),
a legend in minutes, a scale bar, a north arrow, a title
naming the origin, scenario and year, and the data credit. A difference map shows the area
each band gains in a scenario over its base. Output by extension: PNG, SVG or PDF (maps);
GeoJSON or GeoPackage (polygons, for QGIS); HTML (an interactive Leaflet map that
works offline, :mod:`commute.results.webmap`).
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.model.geo import METRIC_CRS
from commute.model.ids import place_node
from commute.output import check_writable

MAP_FORMATS = (".png", ".svg", ".pdf")
POLYGON_FORMATS = (".geojson", ".json", ".gpkg")
HTML_FORMATS = (".html",)
ALL_FORMATS = MAP_FORMATS + POLYGON_FORMATS + HTML_FORMATS
CREDIT = (
    "Data: 2020 census (leiii/census, MIT); stations © OpenStreetMap contributors (ODbL); "
    "travel times: commute model (estimates where marked)."
)


@cache
def cjk_font_path() -> str | None:
    """Path of a Chinese font (Noto Sans CJK SC from the mplfonts package), or None."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        p = Path(base) / "fonts" / "NotoSansCJKsc-Regular.otf"
        if p.exists():
            return str(p)
    return None


def _font() -> Any:
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:
        return font_manager.FontProperties()
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def check_output(path: str | Path) -> Path:
    """An output path with a known extension whose folder exists or can be made, or a clear error."""
    p = Path(path)
    if p.suffix.lower() not in ALL_FORMATS:
        raise InvalidOptionError(f"output {p} has an unknown extension; use one of {', '.join(ALL_FORMATS)}.")
    check_creatable(p)
    return p


def check_creatable(p: Path) -> None:
    """Raise unless ``p`` can be written once its missing folders are made (nothing is made here)."""
    parent = p.resolve().parent
    if parent.is_dir():
        check_writable(p)
        return
    up = parent
    while not up.exists():
        up = up.parent
    if not up.is_dir():
        raise InvalidOptionError(f"cannot write {p}: {up} is a file, not a folder; choose another path.")
    if not os.access(up, os.W_OK):
        raise InvalidOptionError(f"cannot write {p}: folder {up} is not writable; choose another path.")


def make_folder(p: Path) -> None:
    """Create the folders of ``p`` that are missing."""
    p.resolve().parent.mkdir(parents=True, exist_ok=True)


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    for v in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if v * 1000 >= target:
            return v * 1000.0
    return 1_000_000.0


#: Strong colours of the area gained within each band (darkest for the shortest band).
GAIN_COLOURS = ("#b30000", "#e34a33", "#fc8d59", "#fdbb84", "#fdd49e")
#: Outline styles of the base bands on a gain map, one per band.
BASE_STYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (1, 3)))


def origin_label(G: nx.MultiDiGraph, origin: str) -> tuple[str, float, float] | None:
    """The origin's name as a map shows it and its lon, lat (a point gets its county's name)."""
    from commute.results.maps_layers import point_name

    parts = origin.replace("，", ",").split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
            return point_name(G, lon, lat), lon, lat
        except ValueError:
            pass
    for _, d in G.nodes(data=True):
        if d.get("kind") == "place" and d.get("name") == origin:
            return origin, d["lon"], d["lat"]
    from commute.results.travel import endpoints

    try:
        (ep,) = endpoints(G, origin)
    except Exception:
        return None
    d = G.nodes[place_node(ep.place)]
    return origin, d["lon"], d["lat"]


def _extent(outer: Any, fwd: Any) -> tuple[float, float, float, float]:
    if outer.is_empty:
        return fwd.transform(113.0, 29.5) + fwd.transform(116.0, 31.5)
    minx, miny, maxx, maxy = outer.bounds
    span = max(maxx - minx, maxy - miny)
    pad = 0.04 * span + 500
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w, h = maxx - minx + 2 * pad, maxy - miny + 2 * pad
    w, h = max(w, 0.6 * h), max(h, 0.6 * w)  # not a sliver
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def plot_isochrones(
    iso: Any,
    G: nx.MultiDiGraph,
    *,
    base: Any | None = None,
    title: str | None = None,
    cmap: str = "YlGnBu",
    width_in: float = 9.0,
) -> Any:
    """Draw an isochrone map (or, with ``base``, the difference map) and return the figure.

    Parameters
    ----------
    iso
        Output of :func:`commute.results.isochrones.isochrones`.
    G
        The graph the isochrones were computed on (for rail lines, stations and boundaries).
    base
        Isochrones of the same origin and bands on the base network: draws the area gained
        within each band in strong reds (outlined, so a small gain shows) over the base bands
        in pale blues, each base band's edge in its own line style.
    title
        The map's title (default: origin, bands, scenario and year).
    width_in
        Width of the figure in inches; its height follows the map's extent.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from pyproj import Transformer

    from commute.results.isochrones import bands_to_rings, gained
    from commute.results.maps_labels import Label, place_labels
    from commute.results.maps_layers import boundaries, draw_boundaries, draw_rail, draw_roads

    font = _font()
    fwd = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    rings = bands_to_rings(iso).to_crs(METRIC_CRS)
    n = len(iso)
    colours = [colormaps[cmap](x) for x in np.linspace(0.85, 0.3, n)]
    outer = iso.to_crs(METRIC_CRS).geometry.iloc[-1]
    if base is not None:
        outer = outer.union(base.to_crs(METRIC_CRS).geometry.iloc[-1])
    minx, miny, maxx, maxy = _extent(outer, fwd)
    span = maxx - minx
    fig, ax = plt.subplots(figsize=(width_in, min(14.0, max(4.0, width_in * (maxy - miny) / span)) + 0.9))

    draw_boundaries(ax, boundaries(G), (minx, miny, maxx, maxy))
    handles: list[Any] = []
    if base is None:
        for i in range(n - 1, -1, -1):
            rings.iloc[[i]].plot(ax=ax, color=colours[i], alpha=0.75, linewidth=0, zorder=2)
        lo = 0.0
        for i, t in enumerate(iso["minutes"]):
            handles.append(Patch(facecolor=colours[i], alpha=0.75, label=f"{lo:g}–{t:g} min"))
            lo = t
    else:
        b = base.to_crs(METRIC_CRS)
        brings = bands_to_rings(base).to_crs(METRIC_CRS)
        pale = [colormaps["Blues"](x) for x in np.linspace(0.45, 0.15, n)]
        gain = gained(base, iso).to_crs(METRIC_CRS)
        for i in range(n - 1, -1, -1):
            brings.iloc[[i]].plot(ax=ax, color=pale[i], alpha=0.8, linewidth=0, zorder=2)
            b.iloc[[i]].boundary.plot(ax=ax, color="#3b5b7a", linewidth=0.9, linestyle=BASE_STYLES[i % 5], zorder=2.5)
        for i in range(n - 1, -1, -1):
            c = GAIN_COLOURS[min(i, 4)]
            gain.iloc[[i]].plot(ax=ax, facecolor=c, edgecolor=c, linewidth=1.6, alpha=0.95, zorder=3.5)
        _mark_small(ax, gain, (maxx - minx) * (maxy - miny))
        lo = 0.0
        for i, t in enumerate(iso["minutes"]):
            handles.append(Patch(facecolor=pale[i], label=f"base: {lo:g}–{t:g} min"))
            lo = t
        for i, t in enumerate(iso["minutes"]):
            km2 = gain["gained_km2"].iloc[i]
            c = GAIN_COLOURS[min(i, 4)]
            handles.append(Patch(facecolor=c, edgecolor=c, label=f"gained within {t:g} min ({km2:,.0f} km²)"))
        for i, t in enumerate(base["minutes"]):
            handles.append(Line2D([], [], color="#3b5b7a", linestyle=BASE_STYLES[i % 5], label=f"base {t:g}-min edge"))
    view = (minx, miny, maxx, maxy)
    handles += draw_roads(ax, G, fwd, street=span < 60_000, view=view)
    handles += draw_rail(ax, G, fwd, view=view)

    origin = str(iso["origin"].iloc[0])
    found = origin_label(G, origin)
    labels: list[Label] = []
    if found is not None:
        name, olon, olat = found
        ox, oy = fwd.transform(olon, olat)
        ax.scatter([ox], [oy], marker="*", s=150, color="#d7301f", edgecolor="white", linewidth=0.8, zorder=8)
        handles.append(Line2D([], [], marker="*", color="#d7301f", markersize=10, linestyle="", label="origin"))
        short = name.split(" (")[0] if span < 60_000 else name
        labels.append(Label(ox, oy, short, required=True, bold=True, size=10, marker_pt=6))
    labels += _city_labels(ax, G, fwd, (minx, miny, maxx, maxy), origin)

    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    blocked = _furniture(ax, minx, miny, maxx, maxy, avoid=[(lab.x, lab.y) for lab in labels])
    leg = ax.legend(handles=handles, loc="upper left", fontsize=7.5, framealpha=0.92, prop=_legend_font(font))
    leg.set_zorder(10)
    scen = iso["scenario"].iloc[0] or G.graph.get("network", "")
    year = iso["year"].iloc[0]
    bands = ", ".join(f"{t:g}" for t in iso["minutes"])
    kind = "area gained" if base is not None else "reach"
    shown = found[0] if found is not None else origin
    ax.set_title(
        title or f"{shown}: {kind} within {bands} min ({iso['modes'].iloc[0]}, door to door)\n{scen}, {year}",
        fontproperties=font,
        fontsize=12,
    )
    fig.tight_layout()
    fig.text(0.01, 0.003, CREDIT, fontsize=6.5, color="#555555", va="bottom")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    blocked = [a.get_window_extent(renderer) for a in blocked] + [leg.get_window_extent(renderer)]
    fig._commute_labels = place_labels(ax, labels, font=font, blocked=blocked)  # type: ignore[attr-defined]
    return fig


def _mark_small(ax: Any, gain: Any, view_m2: float) -> None:
    """Ring every gained patch of 1 km² or more too small to see (under 0.05 % of the view)."""
    for i, geom in enumerate(gain.geometry):
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            if not part.is_empty and 1e6 <= part.area < 5e-4 * view_m2:  # slivers under 1 km² are noise
                p = part.representative_point()
                c = GAIN_COLOURS[min(i, 4)]
                ax.scatter([p.x], [p.y], s=90, facecolor="none", edgecolor=c, linewidth=1.6, zorder=7)


def _city_labels(
    ax: Any, G: nx.MultiDiGraph, fwd: Any, box: tuple[float, float, float, float], origin: str
) -> list[Any]:
    """Circle and cluster city centres in view (dot and label), larger cities first."""
    from commute.results.maps_labels import Label

    net = G.graph.get("network_obj")
    if net is None:
        return []
    minx, miny, maxx, maxy = box
    cities = net.tables["cities"]
    places = net.tables["places"].set_index("place_id")
    pop = places.groupby("city_id")["pop_2020"].sum()
    out = []
    for c in cities.itertuples(index=False):
        if "circle" not in c.groups and "cluster" not in c.groups:
            continue
        p = places.loc[c.centre_place]
        cx, cy = fwd.transform(p["lon"], p["lat"])
        if not (minx < cx < maxx and miny < cy < maxy):
            continue
        name = c.name_zh.rstrip("市")
        if origin in (c.name_zh, name):
            continue  # the origin's own label names it
        out.append((float(pop.get(c.city_id, 0)), Label(cx, cy, name)))
    out.sort(key=lambda t: -t[0])
    if out:
        ax.scatter([lab.x for _, lab in out], [lab.y for _, lab in out], s=12, color="#222222", zorder=5)
    return [lab for _, lab in out]


_HALO = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0}


def _count_in(points: Any, box: tuple[float, float, float, float]) -> int:
    x0, y0, x1, y1 = box
    return sum(1 for x, y in points if x0 <= x <= x1 and y0 <= y <= y1)


def _furniture(ax: Any, minx: float, miny: float, maxx: float, maxy: float, avoid: Any = ()) -> list[Any]:
    """Scale bar and north arrow, each in the free corner that covers fewest ``avoid`` points.

    ``avoid`` holds the map's dots (city centres, the origin) as ``(x, y)``. The scale bar
    goes bottom left or bottom right, the north arrow top right, bottom right or bottom left
    (the legend holds the top left), never in the scale bar's corner; among equals, the first
    (bottom left, top right). Returns their artists (kept free of labels).
    """
    from matplotlib.patches import FancyArrow, Rectangle

    span, tall = maxx - minx, maxy - miny
    pts = list(avoid)
    L = _nice_length(span)
    h = 0.008 * tall
    y0 = miny + 0.04 * tall
    bar = {
        "left": minx + 0.04 * span,
        "right": maxx - 0.04 * span - L,
    }
    side = min(bar, key=lambda k: _count_in(pts, (bar[k] - 0.03 * span, miny, bar[k] + L + 0.03 * span, y0 + 4 * h)))
    x0 = bar[side]
    arts = [
        ax.add_patch(Rectangle((x0, y0), L / 2, h, facecolor="black", zorder=8)),
        ax.add_patch(
            Rectangle((x0 + L / 2, y0), L / 2, h, facecolor="white", edgecolor="black", linewidth=0.6, zorder=8)
        ),
        ax.text(x0, y0 + 1.8 * h, "0", fontsize=7, ha="center", zorder=8, bbox=_HALO),
        ax.text(x0 + L, y0 + 1.8 * h, f"{L / 1000:g} km", fontsize=7, ha="center", zorder=8, bbox=_HALO),
    ]
    # north arrow (the map is in UTM 50N, where grid north is within about 2 degrees of true north)
    corners = {"top right": (maxx - 0.06 * span, maxy - 0.14 * tall)}
    if side == "left":
        corners["bottom right"] = (maxx - 0.06 * span, miny + 0.05 * tall)
    else:
        corners["bottom left"] = (minx + 0.06 * span, miny + 0.05 * tall)

    def covered(at: tuple[float, float]) -> int:
        x, y = at
        return _count_in(pts, (x - 0.04 * span, y - 0.01 * tall, x + 0.04 * span, y + 0.11 * tall))

    ax_x, ax_y = corners[min(corners, key=lambda k: covered(corners[k]))]
    arts.append(
        ax.add_patch(
            FancyArrow(
                ax_x,
                ax_y,
                0,
                0.07 * tall,
                width=0.012 * span,
                head_width=0.03 * span,
                head_length=0.03 * tall,
                length_includes_head=True,
                color="black",
                zorder=8,
            )
        )
    )
    arts.append(ax.text(ax_x, ax_y + 0.085 * tall, "N", ha="center", fontsize=11, fontweight="bold", zorder=8))
    return arts


def _legend_font(font: Any) -> Any:
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=font.get_file(), size=8) if font.get_file() else None


def write_isochrones(iso: Any, G: nx.MultiDiGraph, path: str | Path, **options: Any) -> Path:
    """Write one map or polygon file atomically: :func:`commute.results.map_files.write_isochrones`."""
    from commute.results.map_files import write_isochrones as write

    return write(iso, G, path, **options)
