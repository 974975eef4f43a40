"""The layers under the isochrones of a static map, each in its own legible style.

- county boundaries: thin light grey; province boundaries: a darker dash-dot line;
- expressways: orange with a dark casing (a road atlas's look), drawn junction to junction
  (the network's alignments are estimates);
- rail: high-speed and intercity lines in the railway-map style (dark line with white dashes),
  conventional lines thin dark grey, stations as white dots, drawn along the stations'
  sequence of each service (a through train's long hop is not drawn over the line its stopping
  trains trace);
- streets (street-level maps, a view under 60 km across): every road link in view, thin grey,
  wider for faster roads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from commute.model.geo import METRIC_CRS
from commute.model.ids import station_node

EXPRESSWAY: dict[str, Any] = {"color": "#f5a04a", "casing": "#8c4a0a", "width": 1.0}
RAIL_HS: dict[str, Any] = {"color": "#3a3a3a", "dash": "white", "width": 1.7}
RAIL_OTHER: dict[str, Any] = {"color": "#6b6b6b", "width": 0.9}
COUNTY: dict[str, Any] = {"edge": "#cfc9bd", "face": "#f6f4ef", "width": 0.3}
PROVINCE: dict[str, Any] = {"color": "#6f6a60", "width": 0.9, "style": (0, (6, 2, 1, 2))}
STREET_VIEW_M = 60_000  # a view narrower than this draws every street


def boundaries(G: nx.MultiDiGraph) -> Any:
    """The census polygons shipped with the network (metric CRS), or None."""
    import geopandas as gpd

    net = G.graph.get("network_obj")
    path = Path(net.folder) / "boundaries.geojson" if net is not None else None
    if path is None or not path.exists():
        return None
    return gpd.read_file(path).to_crs(METRIC_CRS)


def draw_boundaries(ax: Any, bnd: Any, box: tuple[float, float, float, float]) -> None:
    """County polygons and province lines inside ``box`` (minx, miny, maxx, maxy)."""
    if bnd is None:
        return
    minx, miny, maxx, maxy = box
    view = bnd.cx[minx:maxx, miny:maxy]
    if not len(view):
        return
    view.plot(ax=ax, facecolor=COUNTY["face"], edgecolor=COUNTY["edge"], linewidth=COUNTY["width"], zorder=1)
    prov = view.dissolve(by="province")
    prov.boundary.plot(
        ax=ax, color=PROVINCE["color"], linewidth=PROVINCE["width"], linestyle=PROVINCE["style"], zorder=1.5
    )


def _xy(G: nx.MultiDiGraph, fwd: Any, nodes: list[str]) -> tuple[Any, Any]:
    return fwd.transform([G.nodes[n]["lon"] for n in nodes], [G.nodes[n]["lat"] for n in nodes])


def crosses(x: Any, y: Any, view: tuple[float, float, float, float] | None) -> bool:
    """Whether the line through points ``x, y`` (one point: that point) shows in ``view`` (None: any view).

    >>> crosses([0, 10], [0, 0], (2, -1, 3, 1)), crosses([0, 1], [0, 0], (2, -1, 3, 1))
    (True, False)
    >>> crosses([0, 10], [0, 10], (6, 0, 10, 3))  # its bounding box meets the view, the line does not
    False
    """
    if view is None:
        return True
    from shapely.geometry import LineString, Point, box

    pts = list(zip(x, y, strict=True))
    shape = Point(pts[0]) if len(pts) == 1 else LineString(pts)
    return bool(shape.intersects(box(*view)))


def draw_roads(
    ax: Any, G: nx.MultiDiGraph, fwd: Any, *, street: bool, view: tuple[float, float, float, float] | None = None
) -> list[Any]:
    """Expressways (and, at street level, every street); returns legend handles for what shows in ``view``."""
    import matplotlib.patheffects as pe
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "road" and "lon" in G.nodes[u] and "lon" in G.nodes[v]:
            seen.setdefault((min(u, v), max(u, v)), d)
    if street:
        shown = False
        for (u, v), d in seen.items():
            fast = float(d.get("speed_kmh", d.get("speed_kph", 30)) or 30)
            x, y = _xy(G, fwd, [u, v])
            ax.plot(x, y, color="#9a9a9a", linewidth=0.4 + fast / 100, solid_capstyle="round", zorder=2.7)
            shown = shown or crosses(x, y, view)
        if shown:
            handles.append(Line2D([], [], color="#9a9a9a", linewidth=0.8, label="streets (OpenStreetMap)"))
    casing = [pe.Stroke(linewidth=EXPRESSWAY["width"] + 0.8, foreground=EXPRESSWAY["casing"]), pe.Normal()]
    express = False
    for (u, v), d in seen.items():
        if d.get("road_class") in ("expressway", "urban_expressway"):
            x, y = _xy(G, fwd, [u, v])
            ax.plot(x, y, color=EXPRESSWAY["color"], linewidth=EXPRESSWAY["width"], path_effects=casing, zorder=2.8)
            express = express or crosses(x, y, view)
    if express:
        handles.append(
            Line2D(
                [],
                [],
                color=EXPRESSWAY["color"],
                linewidth=EXPRESSWAY["width"],
                path_effects=casing,
                label="expressway (junction to junction)",
            )
        )
    return handles


def rail_lines(G: nx.MultiDiGraph) -> list[tuple[list[str], bool]]:
    """Rail segments to draw (station node pairs along each service's sequence), with high-speed flags.

    Every pair of consecutive stops of a rail service is a candidate; a pair is drawn unless
    shorter segments already drawn join its two stations within 1.2 times its length, so a
    through train's long hop (武汉 to 长沙南 without stops) is not drawn as a chord over the
    line that its stopping trains already trace.
    """
    from commute.model.geo import haversine_km

    pairs: dict[tuple[str, str], bool] = {}
    for svc in G.graph["services"].values():
        if svc["mode"] != "rail":
            continue
        hs = svc["train_class"] in ("G", "D", "C")
        stops: list[str] = [station_node(s) for s in svc["stops"]]
        for a, b in zip(stops, stops[1:], strict=False):
            if a in G and b in G and a != b:
                key = (min(a, b), max(a, b))
                pairs[key] = pairs.get(key, False) or hs

    def km(a: str, b: str) -> float:
        na, nb = G.nodes[a], G.nodes[b]
        return float(haversine_km(na["lon"], na["lat"], nb["lon"], nb["lat"]))

    drawn = nx.Graph()
    lines = []
    for (a, b), hs in sorted(pairs.items(), key=lambda kv: km(*kv[0])):
        d = km(a, b)
        if a in drawn and b in drawn:
            near = nx.single_source_dijkstra_path_length(drawn, a, cutoff=1.2 * d, weight="km")
            if b in near:
                continue
        drawn.add_edge(a, b, km=d)
        lines.append(([a, b], hs))
    return lines


View = tuple[float, float, float, float]


def draw_rail(ax: Any, G: nx.MultiDiGraph, fwd: Any, view: View | None = None) -> list[Any]:
    """Rail lines and stations; returns legend handles for what shows in ``view``."""
    import matplotlib.patheffects as pe
    from matplotlib.lines import Line2D

    under = [pe.Stroke(linewidth=RAIL_HS["width"], foreground=RAIL_HS["color"])]
    shown = {True: False, False: False}
    for nodes, hs in rail_lines(G):
        x, y = _xy(G, fwd, nodes)
        if hs:  # a dark line with white dashes inside it, as railway maps draw main lines
            ax.plot(x, y, color=RAIL_HS["color"], linewidth=RAIL_HS["width"], solid_capstyle="butt", zorder=3)
            ax.plot(x, y, color=RAIL_HS["dash"], linewidth=RAIL_HS["width"] / 2.6, linestyle=(0, (3, 3)), zorder=3.1)
        else:
            ax.plot(x, y, color=RAIL_OTHER["color"], linewidth=RAIL_OTHER["width"], zorder=3)
        shown[hs] = shown[hs] or crosses(x, y, view)
    handles = []
    if shown[True]:
        handles.append(
            Line2D(
                [],
                [],
                color=RAIL_HS["dash"],
                linewidth=RAIL_HS["width"] / 2.6,
                linestyle=(0, (3, 3)),
                path_effects=[*under, pe.Normal()],
                label="high-speed / intercity rail",
            )
        )
    if shown[False]:
        other = Line2D([], [], color=RAIL_OTHER["color"], linewidth=RAIL_OTHER["width"], label="conventional rail")
        handles.append(other)
    st = [(d["lon"], d["lat"]) for _, d in G.nodes(data=True) if d.get("kind") == "station" and d.get("mode") == "rail"]
    if st:
        sarr = np.asarray(st, dtype=float)
        sx, sy = fwd.transform(sarr[:, 0], sarr[:, 1])
        ax.scatter(sx, sy, s=9, color="white", edgecolor="#2b2b2b", linewidth=0.7, zorder=4)
        x0, y0, x1, y1 = view if view is not None else (-np.inf, -np.inf, np.inf, np.inf)
        if ((sx >= x0) & (sx <= x1) & (sy >= y0) & (sy <= y1)).any():
            handles.append(
                Line2D([], [], marker="o", color="white", markeredgecolor="#2b2b2b", linestyle="", label="station")
            )
    return handles


def point_name(G: nx.MultiDiGraph, lon: float, lat: float) -> str:
    """A readable name for a point: the county it lies in (census polygons) and its coordinates.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> point_name(graph_for(year=2026), 114.52, 30.485)
    '江夏区 (114.520°E, 30.485°N)'
    """
    import shapely

    coords = f"{lon:.3f}°E, {lat:.3f}°N"
    bnd = boundaries(G)
    if bnd is not None:
        from pyproj import Transformer

        x, y = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True).transform(lon, lat)
        hit = bnd[bnd.geometry.covers(shapely.Point(x, y))]
        if len(hit):
            return f"{hit['name'].iloc[0]} ({coords})"
    return coords
