"""An interactive isochrone map in one HTML file that works offline.

Leaflet 1.9.4 (BSD-2-Clause, ``static/leaflet/LICENSE``) is vendored under
``commute/results/static/leaflet`` and inlined into the file, so the map opens without a
network: the bands (or the area gained over a base), the county boundaries around them, the
expressways and rail lines, the origin marker and the circle and cluster city names, a legend,
a title and a scale. Background tiles are an option (``tiles="osm"`` or an URL template),
off by default, because they need the internet.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

STATIC = Path(__file__).resolve().parent / "static" / "leaflet"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@cache
def _leaflet() -> tuple[str, str]:
    return (STATIC / "leaflet.js").read_text(encoding="utf-8"), (STATIC / "leaflet.css").read_text(encoding="utf-8")


def _safe(obj: Any) -> str:
    """JSON for a <script> block (no ``</`` that would end it)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _lines(G: nx.MultiDiGraph) -> dict[str, list[list[list[float]]]]:
    from commute.results.maps_layers import rail_lines

    def ll(n: str) -> list[float]:
        return [round(G.nodes[n]["lat"], 5), round(G.nodes[n]["lon"], 5)]

    express = set()
    for u, v, d in G.edges(data=True):
        if d.get("kind") == "road" and d.get("road_class") in ("expressway", "urban_expressway"):
            express.add((min(u, v), max(u, v)))
    rail = rail_lines(G)
    return {
        "expressway": [[ll(u), ll(v)] for u, v in sorted(express)],
        "rail_hs": [[ll(n) for n in nodes] for nodes, hs in rail if hs],
        "rail": [[ll(n) for n in nodes] for nodes, hs in rail if not hs],
    }


def _context(G: nx.MultiDiGraph, bounds: tuple[float, float, float, float]) -> tuple[Any, list[dict[str, Any]]]:
    """County polygons (simplified, WGS84) and city labels inside ``bounds`` (lon/lat)."""
    from commute.results.maps_layers import boundaries

    minx, miny, maxx, maxy = bounds
    polys = None
    bnd = boundaries(G)
    if bnd is not None:
        view = bnd.to_crs("EPSG:4326").cx[minx:maxx, miny:maxy][["name", "province", "geometry"]]
        view = view.assign(geometry=view.geometry.simplify(0.01, preserve_topology=True))
        polys = json.loads(view.to_json(drop_id=True))
    labels = []
    net = G.graph.get("network_obj")
    if net is not None:
        places = net.tables["places"].set_index("place_id")
        for c in net.tables["cities"].itertuples(index=False):
            if "circle" in c.groups or "cluster" in c.groups:
                p = places.loc[c.centre_place]
                if minx <= p["lon"] <= maxx and miny <= p["lat"] <= maxy:
                    labels.append({"name": c.name_zh.rstrip("市"), "lat": float(p["lat"]), "lon": float(p["lon"])})
    return polys, labels


def html_map(
    iso: Any,
    *,
    G: nx.MultiDiGraph | None = None,
    base: Any | None = None,
    tiles: str | None = None,
    title: str | None = None,
) -> str:
    """The isochrones as a self-contained interactive HTML page (Leaflet inlined).

    Parameters
    ----------
    iso
        Output of :func:`commute.results.isochrones.isochrones`.
    G
        The graph (for the origin, boundaries, lines and city names); without it, bands only.
    base
        Base isochrones: the page shows the area gained within each band.
    tiles
        None (default, offline), ``"osm"`` for OpenStreetMap tiles, or an URL template.
    title
        The page's title (default: origin, bands, scenario and year).
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from commute.results.isochrones import bands_to_rings, gained
    from commute.results.maps import GAIN_COLOURS, origin_label
    from commute.results.web_font import FAMILY, font_face

    n = len(iso)
    if base is None:
        layer = bands_to_rings(iso)
        colours = [to_hex(colormaps["YlGnBu"](x)) for x in np.linspace(0.85, 0.3, n)]
        lo, names = 0.0, []
        for t in iso["minutes"]:
            names.append(f"{lo:g}–{t:g} min")
            lo = t
    else:
        layer = gained(base, iso)
        colours = [GAIN_COLOURS[min(i, 4)] for i in range(n)]
        names = [
            f"gained within {t:g} min ({a:,.0f} km²)" for t, a in zip(iso["minutes"], layer["gained_km2"], strict=True)
        ]
    bands = [
        {"name": names[i], "colour": colours[i], "geojson": json.loads(layer.iloc[[i]].to_json(drop_id=True))}
        for i in range(n - 1, -1, -1)
    ]
    outer = iso.geometry.iloc[-1]
    if base is not None:
        outer = outer.union(base.geometry.iloc[-1])
    b = outer.bounds if not outer.is_empty else (113.0, 29.5, 116.0, 31.5)
    origin = str(iso["origin"].iloc[0])
    data: dict[str, Any] = {"bands": bands, "bounds": [[b[1], b[0]], [b[3], b[2]]], "tiles": None}
    if tiles:
        data["tiles"] = {"url": OSM_TILES if tiles == "osm" else tiles, "attribution": "© OpenStreetMap contributors"}
    shown = origin
    if G is not None:
        found = origin_label(G, origin)
        if found is not None:
            shown = found[0]
            data["origin"] = {"name": shown, "lat": found[2], "lon": found[1]}
        polys, labels = _context(G, b)
        if "origin" in data:  # the origin's tag names its city already: no second label under it
            o = data["origin"]
            same = {shown, shown.rstrip("市"), shown.split(" (")[0]}
            labels = [p for p in labels if p["name"] not in same and (p["lat"], p["lon"]) != (o["lat"], o["lon"])]
        data |= {"boundaries": polys, "labels": labels, "lines": _lines(G)}
    kind = "area gained" if base is not None else "reach"
    mins = ", ".join(f"{t:g}" for t in iso["minutes"])
    scen = iso["scenario"].iloc[0] or (G.graph.get("network", "") if G is not None else "")
    heading = (
        title
        or f"{shown}: {kind} within {mins} min ({iso['modes'].iloc[0]}, door to door) · {scen}, {iso['year'].iloc[0]}"
    )
    js, css = _leaflet()
    shown_text = heading + "".join(p["name"] for p in data.get("labels", [])) + json.dumps(bands, ensure_ascii=False)
    css = font_face(shown_text) + "\n" + css  # the names' own font: no empty boxes without a Chinese font
    return PAGE.format(title=_esc(heading), family=FAMILY, css=css, leaflet=js, data=_safe(data), script=SCRIPT)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SCRIPT = r"""
const D = JSON.parse(document.getElementById('commute-data').textContent);
const map = L.map('map', {zoomSnap: 0.25});
map.fitBounds(D.bounds, {padding: [10, 10]});
if (D.tiles) { L.tileLayer(D.tiles.url, {attribution: D.tiles.attribution, maxZoom: 18}).addTo(map); }
if (D.boundaries) {
  L.geoJSON(D.boundaries, {style: {color: '#b9b4aa', weight: 0.6, fillColor: '#f4f2ee', fillOpacity: D.tiles ? 0 : 1},
    onEachFeature: (f, l) => l.bindTooltip(f.properties.name, {sticky: true})}).addTo(map);
}
for (const b of D.bands) {
  L.geoJSON(b.geojson, {style: {color: b.colour, weight: 1, fillColor: b.colour, fillOpacity: 0.6}})
    .bindTooltip(b.name, {sticky: true}).addTo(map);
}
const legendRows = D.bands.slice().reverse().map(b => [b.name, `<i style="background:${b.colour}"></i>`]);
if (D.lines) {
  for (const seg of D.lines.expressway) L.polyline(seg, {color: '#f5a04a', weight: 2}).addTo(map);
  for (const seg of D.lines.rail) L.polyline(seg, {color: '#6b6b6b', weight: 1}).addTo(map);
  for (const seg of D.lines.rail_hs) {
    L.polyline(seg, {color: '#3a3a3a', weight: 3}).addTo(map);
    L.polyline(seg, {color: '#ffffff', weight: 1, dashArray: '4 4'}).addTo(map);
  }
  legendRows.push(['expressway', '<b class="ln" style="border-color:#f5a04a"></b>']);
  legendRows.push(['high-speed / intercity rail',
    '<b class="ln" style="border-color:#3a3a3a;border-style:dashed"></b>']);
  legendRows.push(['conventional rail', '<b class="ln" style="border-color:#6b6b6b;border-width:1px"></b>']);
}
for (const p of (D.labels || [])) {
  L.circleMarker([p.lat, p.lon], {radius: 3, color: '#222', weight: 1, fillColor: '#222', fillOpacity: 1})
    .bindTooltip(p.name, {permanent: true, direction: 'right', className: 'commute-label'}).addTo(map);
}
if (D.origin) {
  L.circleMarker([D.origin.lat, D.origin.lon],
    {radius: 7, color: '#fff', weight: 2, fillColor: '#d7301f', fillOpacity: 1})
    .bindTooltip(D.origin.name, {permanent: true, direction: 'top', offset: [0, -8], className: 'commute-origin'})
    .addTo(map);
  legendRows.push(['origin', '<i class="dot"></i>']);
}
const legend = L.control({position: 'bottomright'});
legend.onAdd = () => {
  const div = L.DomUtil.create('div', 'commute-legend');
  div.id = 'commute-legend';
  div.innerHTML = '<strong>Legend</strong><br>' + legendRows.map(r => r[1] + ' ' + r[0]).join('<br>');
  return div;
};
legend.addTo(map);
L.control.scale({imperial: false}).addTo(map);
document.body.dataset.rendered = 'yes';
"""

PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
<style>
html, body {{ height: 100%; margin: 0; }}
html, body, .leaflet-container {{ font-family: "{family}", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
#title {{ position: absolute; top: 0; left: 0; right: 0; height: 34px; line-height: 34px; padding: 0 12px;
  font-size: 15px; background: #fff; border-bottom: 1px solid #ccc; z-index: 1000; }}
#map {{ position: absolute; top: 35px; bottom: 0; left: 0; right: 0; background: #dfe8ee; }}
.commute-legend {{ background: rgba(255,255,255,0.92); padding: 6px 9px; font-size: 12px; line-height: 18px;
  border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,0.3); }}
.commute-legend i {{ display: inline-block; width: 14px; height: 12px; vertical-align: middle; opacity: 0.8; }}
.commute-legend i.dot {{ width: 10px; height: 10px; border-radius: 50%; background: #d7301f; border: 2px solid #fff; }}
.commute-legend b.ln {{ display: inline-block; width: 16px; border-top: 3px solid; vertical-align: middle; }}
.commute-label {{ background: none; border: none; box-shadow: none; font-size: 12px; padding: 0 2px;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }}
.commute-label::before {{ display: none; }}
.commute-origin {{ font-weight: bold; font-size: 13px; }}
</style>
<script>{leaflet}</script>
</head>
<body>
<div id="title">{title}</div>
<div id="map"></div>
<script type="application/json" id="commute-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
