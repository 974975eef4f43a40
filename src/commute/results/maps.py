"""Maps of isochrones worth putting in a report, and writers for every output format.

A static map (matplotlib, drawn in EPSG:32650) has county boundaries from the census polygons,
the bands in a sequential palette, the rail lines and stations, the origin, the circle and
cluster cities labelled in Chinese, a legend in minutes, a scale bar, a north arrow, a title
naming the origin, scenario and year, and the data credit. A difference map shows the area
each band gains in a scenario over its base. Output by extension: PNG, SVG or PDF (maps);
GeoJSON or GeoPackage (polygons, for QGIS); HTML (an interactive folium map).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.model.geo import METRIC_CRS
from commute.model.ids import place_node, station_node
from commute.output import check_writable, write_atomic

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
    """An output path with a known extension in a writable folder, or a clear error."""
    p = Path(path)
    if p.suffix.lower() not in ALL_FORMATS:
        raise InvalidOptionError(f"output {p} has an unknown extension; use one of {', '.join(ALL_FORMATS)}.")
    check_writable(p)
    return p


def _boundaries(G: nx.MultiDiGraph) -> Any:
    import geopandas as gpd

    net = G.graph.get("network_obj")
    path = Path(net.folder) / "boundaries.geojson" if net is not None else None
    if path is None or not path.exists():
        return None
    return gpd.read_file(path).to_crs(METRIC_CRS)


def _rail_lines(G: nx.MultiDiGraph) -> list[tuple[list[tuple[float, float]], bool]]:
    """Rail segments to draw (lon, lat pairs), with whether they are high-speed.

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
        lines.append(([(G.nodes[a]["lon"], G.nodes[a]["lat"]), (G.nodes[b]["lon"], G.nodes[b]["lat"])], hs))
    return lines


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    for v in (10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if v * 1000 >= target:
            return v * 1000.0
    return 1_000_000.0


def plot_isochrones(
    iso: Any,
    G: nx.MultiDiGraph,
    *,
    base: Any | None = None,
    title: str | None = None,
    cmap: str = "YlGnBu",
    figsize: tuple[float, float] = (9.0, 9.5),
) -> Any:
    """Draw an isochrone map (or, with ``base``, the difference map) and return the figure.

    Parameters
    ----------
    iso
        Output of :func:`commute.results.isochrones.isochrones`.
    G
        The graph the isochrones were computed on (for rail lines, stations and boundaries).
    base
        Isochrones of the same origin and bands on the base network: draws the area gained in
        each band, with the base bands as outlines.
    title
        The map's title (default: origin, bands, scenario and year).
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrow, Patch, Rectangle
    from pyproj import Transformer

    from commute.results.isochrones import bands_to_rings, gained

    font = _font()
    fwd = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    iso_m = iso.to_crs(METRIC_CRS)
    rings = bands_to_rings(iso).to_crs(METRIC_CRS)
    n = len(iso)
    colours = [colormaps[cmap](x) for x in np.linspace(0.85, 0.3, n)]

    fig, ax = plt.subplots(figsize=figsize)
    outer = iso_m.geometry.iloc[-1]
    if base is not None:
        outer = outer.union(base.to_crs(METRIC_CRS).geometry.iloc[-1])
    if outer.is_empty:
        minx, miny, maxx, maxy = fwd.transform(113.0, 29.5) + fwd.transform(116.0, 31.5)
    else:
        minx, miny, maxx, maxy = outer.bounds
    pad = 0.08 * max(maxx - minx, maxy - miny, 50_000)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad

    bnd = _boundaries(G)
    if bnd is not None:
        view = bnd.cx[minx:maxx, miny:maxy]
        view.plot(ax=ax, facecolor="#f4f2ee", edgecolor="#b9b4aa", linewidth=0.35, zorder=1)
        prov = view.dissolve(by="province") if len(view) else view
        if len(prov):
            prov.boundary.plot(ax=ax, color="#8a8478", linewidth=0.8, zorder=1.5)

    handles: list[Any] = []
    if base is None:
        for i in range(n - 1, -1, -1):
            g = rings.iloc[[i]]
            g.plot(ax=ax, color=colours[i], alpha=0.75, linewidth=0, zorder=2)
        lo = 0.0
        for i, t in enumerate(iso["minutes"]):
            handles.append(Patch(facecolor=colours[i], alpha=0.75, label=f"{lo:g}–{t:g} min"))
            lo = t
    else:
        b = base.to_crs(METRIC_CRS)
        gain = gained(base, iso).to_crs(METRIC_CRS)
        for i in range(n - 1, -1, -1):
            gain.iloc[[i]].plot(ax=ax, color=colours[i], alpha=0.85, linewidth=0, zorder=2)
            b.iloc[[i]].boundary.plot(ax=ax, color="#555555", linewidth=0.8, linestyle="--", zorder=2.5)
        for i, t in enumerate(iso["minutes"]):
            km2 = gain["gained_km2"].iloc[i]
            handles.append(Patch(facecolor=colours[i], alpha=0.85, label=f"gained within {t:g} min ({km2:,.0f} km²)"))
        handles.append(Line2D([], [], color="#555555", linestyle="--", label="base bands"))

    roads = {}
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "road" and d.get("road_class") in ("expressway", "urban_expressway"):
            roads[tuple(sorted((u, v)))] = d
    for u, v in roads:
        x, y = fwd.transform([G.nodes[u]["lon"], G.nodes[v]["lon"]], [G.nodes[u]["lat"], G.nodes[v]["lat"]])
        ax.plot(x, y, color="#7f7f7f", linewidth=0.6, alpha=0.7, zorder=2.8)
    handles.append(Line2D([], [], color="#7f7f7f", linewidth=0.6, label="expressway (junction to junction)"))
    for pts, hs in _rail_lines(G):
        arr = np.asarray(pts, dtype=float)
        x, y = fwd.transform(arr[:, 0], arr[:, 1])
        ax.plot(x, y, color="#b2182b" if hs else "#6b6b6b", linewidth=1.3 if hs else 0.8, zorder=3, alpha=0.9)
    handles.append(Line2D([], [], color="#b2182b", linewidth=1.3, label="high-speed / intercity rail"))
    st = [(d["lon"], d["lat"]) for _, d in G.nodes(data=True) if d.get("kind") == "station" and d.get("mode") == "rail"]
    if st:
        sarr = np.asarray(st, dtype=float)
        sx, sy = fwd.transform(sarr[:, 0], sarr[:, 1])
        ax.scatter(sx, sy, s=7, color="white", edgecolor="#b2182b", linewidth=0.6, zorder=4)
    handles.append(Line2D([], [], marker="o", color="white", markeredgecolor="#b2182b", linestyle="", label="station"))

    net = G.graph.get("network_obj")
    if net is not None:
        cities = net.tables["cities"]
        places = net.tables["places"].set_index("place_id")
        for c in cities.itertuples(index=False):
            if "circle" not in c.groups and "cluster" not in c.groups:
                continue
            p = places.loc[c.centre_place]
            cx, cy = fwd.transform(p["lon"], p["lat"])
            if minx < cx < maxx and miny < cy < maxy:
                ax.scatter([cx], [cy], s=10, color="#222222", zorder=5)
                ax.annotate(
                    c.name_zh.rstrip("市"),
                    (cx, cy),
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontsize=8,
                    fontproperties=font,
                    zorder=6,
                    color="#222222",
                )

    origin = iso["origin"].iloc[0]
    onode = [d for _, d in G.nodes(data=True) if d.get("kind") == "place" and d.get("name") == origin]
    if not onode and net is not None:
        from commute.results.travel import endpoints

        try:
            (ep,) = endpoints(G, origin)
            onode = [G.nodes[place_node(ep.place)]]
        except Exception:
            onode = []
    if not onode and "," in origin:
        lon, lat = (float(v) for v in origin.split(","))
        onode = [{"lon": lon, "lat": lat}]
    if onode:
        ox, oy = fwd.transform(onode[0]["lon"], onode[0]["lat"])
        ax.scatter([ox], [oy], marker="*", s=260, color="#d7301f", edgecolor="white", linewidth=1.0, zorder=7)
        handles.append(Line2D([], [], marker="*", color="#d7301f", markersize=12, linestyle="", label="origin"))

    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    # scale bar
    span = maxx - minx
    L = _nice_length(span)
    x0, y0 = minx + 0.04 * span, miny + 0.04 * (maxy - miny)
    h = 0.008 * (maxy - miny)
    ax.add_patch(Rectangle((x0, y0), L / 2, h, facecolor="black", zorder=8))
    ax.add_patch(Rectangle((x0 + L / 2, y0), L / 2, h, facecolor="white", edgecolor="black", linewidth=0.6, zorder=8))
    ax.text(x0, y0 + 1.8 * h, "0", fontsize=7, ha="center", zorder=8)
    ax.text(x0 + L, y0 + 1.8 * h, f"{L / 1000:g} km", fontsize=7, ha="center", zorder=8)
    # north arrow (the map is in UTM 50N, where grid north is within about 2 degrees of true north)
    ax_x, ax_y = maxx - 0.06 * span, maxy - 0.14 * (maxy - miny)
    ax.add_patch(
        FancyArrow(
            ax_x,
            ax_y,
            0,
            0.07 * (maxy - miny),
            width=0.012 * span,
            head_width=0.03 * span,
            head_length=0.03 * (maxy - miny),
            length_includes_head=True,
            color="black",
            zorder=8,
        )
    )
    ax.text(ax_x, ax_y + 0.085 * (maxy - miny), "N", ha="center", fontsize=11, fontweight="bold", zorder=8)

    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9, prop=_legend_font(font))
    scen = iso["scenario"].iloc[0] or G.graph.get("network", "")
    year = iso["year"].iloc[0]
    bands = ", ".join(f"{t:g}" for t in iso["minutes"])
    kind = "area gained" if base is not None else "reach"
    ax.set_title(
        title or f"{origin}: {kind} within {bands} min ({iso['modes'].iloc[0]}, door to door)\n{scen}, {year}",
        fontproperties=font,
        fontsize=12,
    )
    fig.text(0.01, 0.01, CREDIT, fontsize=6.5, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def _legend_font(font: Any) -> Any:
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=font.get_file(), size=8) if font.get_file() else None


def write_isochrones(
    iso: Any, G: nx.MultiDiGraph, path: str | Path, *, base: Any | None = None, title: str | None = None
) -> Path:
    """Write a map (PNG, SVG, PDF), polygons (GeoJSON, GeoPackage) or an HTML map, atomically."""
    p = check_output(path)
    ext = p.suffix.lower()
    if ext in MAP_FORMATS:
        import matplotlib.pyplot as plt

        fig = plot_isochrones(iso, G, base=base, title=title)

        def save(tmp: Path) -> None:
            fig.savefig(tmp, dpi=150, format=ext[1:], metadata=None if ext != ".png" else {"Software": "commute"})

        try:
            write_atomic(p, save)
        finally:
            plt.close(fig)
    elif ext in POLYGON_FORMATS:
        from commute.results.isochrones import gained

        out = iso if base is None else gained(base, iso).assign(origin=iso["origin"].iloc[0])
        if ext == ".gpkg":
            write_atomic(p, lambda tmp: out.to_file(tmp, driver="GPKG", layer="isochrones"))
        else:
            write_atomic(p, lambda tmp: out.to_file(tmp, driver="GeoJSON"))
    else:
        text = html_map(iso, base=base)

        def write_html(tmp: Path) -> None:
            tmp.write_text(text, encoding="utf-8")

        write_atomic(p, write_html)
    return p


def html_map(iso: Any, *, base: Any | None = None) -> str:
    """An interactive map (folium/Leaflet) of the bands, as HTML text."""
    try:
        import folium
    except ImportError:
        raise InvalidOptionError("HTML maps need folium; install it with: pip install 'commute[maps]'.") from None
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from commute.results.isochrones import bands_to_rings, gained

    layer = bands_to_rings(iso) if base is None else gained(base, iso)
    c = iso.geometry.iloc[-1].centroid if not iso.geometry.iloc[-1].is_empty else None
    m = folium.Map(location=[c.y, c.x] if c is not None else [30.6, 114.3], zoom_start=7, tiles="OpenStreetMap")
    colours = [to_hex(colormaps["YlGnBu"](x)) for x in np.linspace(0.85, 0.3, len(iso))]
    for i in range(len(layer) - 1, -1, -1):
        row = layer.iloc[[i]]
        label = f"≤ {iso['minutes'].iloc[i]:g} min" + (" (gained)" if base is not None else "")
        folium.GeoJson(
            row.__geo_interface__,
            name=label,
            tooltip=label,
            style_function=lambda _f, col=colours[i]: {
                "fillColor": col,
                "color": col,
                "weight": 0.5,
                "fillOpacity": 0.55,
            },
        ).add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()
