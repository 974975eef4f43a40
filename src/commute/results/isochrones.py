"""Isochrone polygons from one travel-time surface, nested by construction.

Method (all geometry in the metric CRS EPSG:32650, returned in WGS84):

1. One door-to-door search from the origin gives the time ``t`` at every place, junction and
   station exit (a station is reached when one can leave it).
2. Points are sampled every ``step_km`` along every road link whose ends are reached, with the
   time of the earlier end plus the time along the link; the reached nodes are points too.
3. For a band of ``T`` minutes, every point with ``t <= T`` becomes a disk whose radius is the
   distance one can still cover locally, ``(T - t) * local_speed``, capped at ``max_radius_km``.
   Local speed is the network's access speed over its circuity (about 33 km/h straight-line).
4. The band's polygon is the union of its disks, joined with the smaller bands' polygons (so
   bands always nest), made valid, and with holes smaller than ``min_hole_km2`` filled.

Rail and air make islands on purpose: the area around a station reached by train is reachable,
the land between it and the origin may not be. Resolution: ``step_km`` (default 2 km) along
roads, and the county-level junctions of the regional network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from commute.errors import InvalidOptionError
from commute.model.geo import METRIC_CRS, STORAGE_CRS, haversine_km
from commute.model.params import parameters_of
from commute.results.travel import parse_origin, surface


def _require_geo() -> None:
    try:
        import geopandas  # noqa: F401
        import pyproj  # noqa: F401
        import shapely  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise InvalidOptionError(
            f"isochrones need the maps extra ({e.name} is missing); install it with: pip install 'commute[maps]'."
        ) from None


@dataclass(frozen=True)
class IsochroneSettings:
    """Resolution and local-travel parameters of the isochrone method."""

    step_km: float = 2.0
    max_radius_km: float = 15.0
    local_speed_kmh: float | None = None  # default: access speed / circuity of the network
    min_hole_km2: float = 25.0


def parse_minutes(text: str | Sequence[float]) -> list[float]:
    """Band limits from ``"60,120,180"``; an error names the problem.

    Examples
    --------
    >>> parse_minutes("60,120,180")
    [60.0, 120.0, 180.0]
    """
    items = [s.strip() for s in text.split(",")] if isinstance(text, str) else [str(x) for x in text]
    items = [s for s in items if s]
    if not items:
        raise InvalidOptionError("no minutes given; give bands such as --minutes 60,120,180.")
    try:
        vals = sorted({float(x) for x in items})
    except ValueError:
        raise InvalidOptionError(f"minutes {text!r} must be numbers separated by commas, e.g. 60,120,180.") from None
    if vals[0] <= 0:
        raise InvalidOptionError("minutes must be positive, e.g. 60,120,180.")
    return vals


def isochrones(
    G: nx.MultiDiGraph,
    origin: str,
    minutes: str | Sequence[float],
    *,
    modes: str = "road,rail",
    settings: IsochroneSettings | None = None,
):  # -> geopandas.GeoDataFrame
    """Nested isochrone polygons for an origin.

    Parameters
    ----------
    G
        The graph of a year or scenario.
    origin
        A place name, id or code, or ``"lon,lat"``.
    minutes
        Band limits, e.g. ``"60,120,180"``.
    modes
        Modes allowed (door to door).
    settings
        Resolution parameters.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band, ascending: ``minutes``, ``area_km2``, ``origin``, ``geometry``
        (WGS84), each polygon containing the smaller ones. Empty geometries where nothing is
        reached.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> iso = isochrones(graph_for(year=2026), "武汉", "60,120")
    >>> iso.geometry.iloc[1].contains(iso.geometry.iloc[0])
    True
    """
    _require_geo()
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    bands = parse_minutes(minutes)
    st = settings or IsochroneSettings()
    H, ep = parse_origin(G, origin)
    surf = surface(H, ep, modes=modes, cutoff=max(bands))
    acc = parameters_of(G).access
    v_local = st.local_speed_kmh or acc.speed_kmh / acc.circuity
    fwd = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)

    reached = surf.dropna(subset=["minutes"])
    pts_lon = list(reached["lon"])
    pts_lat = list(reached["lat"])
    pts_t = list(reached["minutes"])
    t_of = dict(zip(surf["node"], surf["minutes"], strict=True))
    seen = set()
    for u, v, d in H.edges(data=True):
        if d.get("kind") != "road" or (v, u, d.get("link_id")) in seen:
            continue
        seen.add((u, v, d.get("link_id")))
        tu, tv = t_of.get(u, np.nan), t_of.get(v, np.nan)
        if np.isnan(tu) and np.isnan(tv):
            continue
        a, b = H.nodes[u], H.nodes[v]
        km = float(d.get("length_km", haversine_km(a["lon"], a["lat"], b["lon"], b["lat"])))
        n = max(1, int(np.ceil(km / st.step_km)))
        f = np.linspace(0.0, 1.0, n + 1)[1:-1]
        if not len(f):
            continue
        lk = float(d["minutes"])
        t = np.fmin(np.where(np.isnan(tu), np.inf, tu + f * lk), np.where(np.isnan(tv), np.inf, tv + (1 - f) * lk))
        ok = np.isfinite(t)
        pts_lon += list((a["lon"] + f * (b["lon"] - a["lon"]))[ok])
        pts_lat += list((a["lat"] + f * (b["lat"] - a["lat"]))[ok])
        pts_t += list(t[ok])
    x, y = fwd.transform(np.asarray(pts_lon, dtype=float), np.asarray(pts_lat, dtype=float))
    x, y, tt = np.asarray(x), np.asarray(y), np.asarray(pts_t, dtype=float)
    polys = []
    prev = shapely.Polygon()
    for T in bands:
        m = tt <= T + 1e-9
        r = np.minimum((T - tt[m]) * v_local / 60.0, st.max_radius_km) * 1000.0
        r = np.maximum(r, 200.0)  # a reached point is at least a small area
        disks = shapely.buffer(shapely.points(x[m], y[m]), r, quad_segs=8)
        g = shapely.union_all(np.append(disks, prev)) if len(disks) else prev
        g = shapely.make_valid(g)
        g = _fill_holes(g, st.min_hole_km2 * 1e6)
        g = shapely.union(g, prev)
        polys.append(g)
        prev = g
    back = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
    wgs: list[Any] = []
    # Reprojection rounds vertices, which can put a shared boundary a hair outside the next band.
    # Each band is joined with the previous one in WGS84 and grown by 1e-6 degrees (~0.1 m) more than
    # it, so every band strictly contains the smaller ones.
    for i, p in enumerate(polys):
        g = shapely.transform(p, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
        if wgs:
            g = shapely.union(g, wgs[-1])
        wgs.append(shapely.make_valid(g.buffer(1e-6 * (i + 1), quad_segs=2)) if not g.is_empty else g)
    out = gpd.GeoDataFrame(
        {
            "minutes": bands,
            "area_km2": [p.area / 1e6 for p in polys],
            "origin": ep.name,
            "year": G.graph.get("year"),
            "scenario": (G.graph.get("scenario") or {}).get("name", ""),
            "modes": modes,
        },
        geometry=wgs,
        crs=STORAGE_CRS,
    )
    return out


def _fill_holes(g, min_area: float):  # shapely geometry in, out
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    def fix(p: Polygon) -> Polygon:
        keep = [r for r in p.interiors if Polygon(r).area >= min_area]
        return Polygon(p.exterior, keep)

    if isinstance(g, Polygon):
        return fix(g)
    if isinstance(g, MultiPolygon):
        return MultiPolygon([fix(p) for p in g.geoms])
    parts = [p for p in shapely.get_parts(g) if isinstance(p, Polygon | MultiPolygon)]
    return shapely.union_all([_fill_holes(p, min_area) for p in parts]) if parts else shapely.Polygon()


def bands_to_rings(iso):  # GeoDataFrame -> GeoDataFrame
    """The bands as rings (each band minus the next smaller), for drawing."""
    import geopandas as gpd

    geoms = list(iso.geometry)
    rings = [geoms[0]] + [geoms[i].difference(geoms[i - 1]) for i in range(1, len(geoms))]
    return gpd.GeoDataFrame(iso.drop(columns="geometry"), geometry=rings, crs=iso.crs)


def gained(base, other):  # GeoDataFrames -> GeoDataFrame
    """The area of each band reached in ``other`` but not in ``base``."""
    import geopandas as gpd

    rows = []
    for (_, a), (_, b) in zip(base.iterrows(), other.iterrows(), strict=True):
        g = b.geometry.difference(a.geometry)
        rows.append({"minutes": a["minutes"], "geometry": g})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=base.crs)
    out["gained_km2"] = out.to_crs(METRIC_CRS).area / 1e6
    return out


def place_times(G: nx.MultiDiGraph, origin: str, *, modes: str = "road,rail") -> pd.DataFrame:
    """Door-to-door minutes from an origin to every place centre (for checking isochrones)."""
    H, ep = parse_origin(G, origin)
    s = surface(H, ep, modes=modes)
    return s[s["kind"] == "place"].reset_index(drop=True)
