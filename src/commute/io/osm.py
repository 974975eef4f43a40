"""OpenStreetMap roads through osmnx, joined to a regional network.

``read_osm_roads`` builds a drivable street layer from an OSM XML file (offline), or, online,
from a place name or polygon; keeps drivable ways, simplifies, consolidates intersections,
keeps the largest strongly connected component (reporting what was dropped), and sets
speeds from ``maxspeed`` tags with Chinese defaults by highway class where tags are missing.

``merge_road_layer`` adds the layer to a network's tables: the streets become road nodes and
links; the layer is joined to the regional road network by a connector to the junction of the
place it lies in; places and stations inside the layer's area snap to it when within
``max_snap_km`` (farther ones are reported by name). The result is an ordinary network folder,
so travel times and isochrones work on it with the same functions.
"""

from __future__ import annotations

import logging
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import yaml

from commute.errors import DataNotFoundError, InvalidOptionError
from commute.model.geo import haversine_km

log = logging.getLogger(__name__)

#: Speeds (km/h) by OSM highway class where a way has no usable maxspeed tag. Estimates for
#: China from the design speeds of the Technical Standard of Highway Engineering (JTG B01) and
#: the Code for Design of Urban Road Engineering (CJJ 37): expressway 100, trunk (urban express
#: road) 80, primary (arterial) 60, secondary 50, tertiary (branch) 40, local streets 30, each
#: link road about two thirds of its road.
CHINA_DEFAULT_SPEEDS: dict[str, float] = {
    "motorway": 100,
    "motorway_link": 60,
    "trunk": 80,
    "trunk_link": 50,
    "primary": 60,
    "primary_link": 40,
    "secondary": 50,
    "secondary_link": 35,
    "tertiary": 40,
    "tertiary_link": 30,
    "unclassified": 30,
    "residential": 30,
    "living_street": 10,
    "service": 20,
    "road": 30,
}
DRIVABLE = frozenset(CHINA_DEFAULT_SPEEDS)
CLASS_OF = {"motorway": "expressway", "trunk": "urban_expressway"}


@dataclass
class OsmReport:
    """Counts of an OSM import."""

    source: str
    nodes_read: int = 0
    edges_read: int = 0
    edges_drivable: int = 0
    nodes_kept: int = 0
    edges_kept: int = 0
    nodes_dropped_not_strongly_connected: int = 0
    edges_with_maxspeed: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines of text."""
        out = [
            f"OSM source: {self.source}",
            f"read {self.nodes_read} nodes and {self.edges_read} edges; {self.edges_drivable} edges are drivable",
            f"kept the largest strongly connected component: {self.nodes_kept} nodes, {self.edges_kept} edges "
            f"({self.nodes_dropped_not_strongly_connected} nodes dropped)",
            f"{self.edges_with_maxspeed} edges have a maxspeed tag; the rest use the Chinese defaults by class",
        ]
        return out + [f"warning: {w}" for w in self.warnings]


def _require_osmnx() -> Any:
    try:
        import osmnx as ox
    except ImportError:  # pragma: no cover - depends on the installation
        raise InvalidOptionError("OSM import needs osmnx; install it with: pip install 'commute[osm]'.") from None
    return ox


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else v


def _speed(tag: Any) -> float | None:
    """km/h from a maxspeed tag ('60', '60 mph', ['50', '60']), or None."""
    vals = tag if isinstance(tag, list) else [tag]
    out = []
    for v in vals:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        s = str(v).strip().lower()
        mph = "mph" in s
        num = "".join(c for c in s.split(";")[0] if c.isdigit() or c == ".")
        try:
            x = float(num)
        except ValueError:
            continue
        out.append(x * 1.609344 if mph else x)
    return float(np.mean(out)) if out else None


def read_osm_roads(
    source: str | Path | None = None,
    *,
    place: str | None = None,
    polygon: Any | None = None,
    consolidate_m: float = 15.0,
    speeds: dict[str, float] | None = None,
) -> tuple[nx.MultiDiGraph, OsmReport]:
    """A drivable street layer (WGS84, minutes on every edge) from OSM.

    Parameters
    ----------
    source
        An ``.osm`` XML file (read offline). Exactly one of ``source``, ``place``, ``polygon``.
    place, polygon
        Download from OpenStreetMap by place name or shapely polygon (needs the internet).
    consolidate_m
        Intersections closer than this (metres) become one node.
    speeds
        km/h by highway class where ``maxspeed`` is missing (default :data:`CHINA_DEFAULT_SPEEDS`).

    Returns
    -------
    (networkx.MultiDiGraph, OsmReport)
        An osmnx graph with ``speed_kph``, ``travel_time`` (s) and ``minutes`` on every edge.
    """
    ox = _require_osmnx()
    given = [x is not None for x in (source, place, polygon)]
    if sum(given) != 1:
        raise InvalidOptionError("give exactly one of an OSM file, --place or a polygon.")
    speeds = dict(speeds or CHINA_DEFAULT_SPEEDS)
    if source is not None:
        path = Path(source)
        if not path.exists():
            raise DataNotFoundError(f"OSM file {path} does not exist; check the path.")
        if path.suffix.lower() == ".pbf":
            raise InvalidOptionError(
                f"{path.name} is a .pbf file; osmnx reads OSM XML offline: convert it first "
                "(e.g. `osmium cat file.osm.pbf -o file.osm`)."
            )
        try:
            G = ox.graph.graph_from_xml(path, simplify=False, retain_all=True)
        except Exception as e:
            raise InvalidOptionError(f"cannot read {path} as OSM XML ({type(e).__name__}); check the file.") from None
        label = str(path)
    elif place is not None:  # pragma: no cover - online
        G = ox.graph.graph_from_place(place, network_type="drive", simplify=False, retain_all=True)
        label = f"place {place}"
    else:  # pragma: no cover - online
        G = ox.graph.graph_from_polygon(polygon, network_type="drive", simplify=False, retain_all=True)
        label = "polygon"
    rep = OsmReport(label, len(G), G.number_of_edges())
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if _first(d.get("highway")) not in DRIVABLE]
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    rep.edges_drivable = G.number_of_edges()
    if rep.edges_drivable == 0:
        raise InvalidOptionError(f"{label} has no drivable roads (highway={', '.join(sorted(DRIVABLE))}).")
    G = ox.simplification.simplify_graph(G)
    before = len(G)
    G = ox.truncate.largest_component(G, strongly=True)
    rep.nodes_dropped_not_strongly_connected = before - len(G)
    if consolidate_m > 0 and len(G) > 1:
        Gp = ox.projection.project_graph(G)
        Gp = ox.simplification.consolidate_intersections(
            Gp, tolerance=consolidate_m, rebuild_graph=True, dead_ends=True, reconnect_edges=True
        )
        G = ox.projection.project_graph(Gp, to_latlong=True)
        G = ox.truncate.largest_component(G, strongly=True)
    for _, _, d in G.edges(data=True):
        v = _speed(d.get("maxspeed"))
        if v is not None:
            rep.edges_with_maxspeed += 1
            d["speed_kph"] = v
        else:
            d["speed_kph"] = float(speeds.get(_first(d.get("highway")), speeds.get("road", 30.0)))
        d["travel_time"] = float(d["length"]) / (d["speed_kph"] / 3.6)
        d["minutes"] = d["travel_time"] / 60.0
    rep.nodes_kept, rep.edges_kept = len(G), G.number_of_edges()
    G.graph["crs"] = "EPSG:4326"
    return G, rep


def merge_road_layer(
    network: str | Path,
    layer: nx.MultiDiGraph,
    out_dir: str | Path,
    *,
    name: str | None = None,
    max_snap_km: float = 1.0,
    report: OsmReport | None = None,
) -> OsmReport:
    """Write a network folder: ``network``'s tables plus the street layer, joined.

    Street nodes become road nodes ``osm<id>``; each street edge a one-way road link (OSM
    edges are directed). A connector joins the layer to the regional junction of the nearest
    place. Places and stations inside the layer's area (its bounding box) farther than
    ``max_snap_km`` from every street node are reported by name.
    """
    from commute.io.network import load_network, resolve_network_path

    src = resolve_network_path(network)
    net = load_network(src)
    out = Path(out_dir)
    if out.resolve() == src.resolve():
        raise InvalidOptionError(f"output {out} is the base network folder; choose a new folder.")
    rep = report or OsmReport("layer")
    xs = np.array([d["x"] for _, d in layer.nodes(data=True)])
    ys = np.array([d["y"] for _, d in layer.nodes(data=True)])
    ids = [f"osm{n}" for n in layer.nodes]
    nodes = pd.DataFrame(
        {
            "node_id": ids,
            "name_zh": [f"OSM node {n}" for n in layer.nodes],
            "place_id": "",
            "lon": xs.round(7),
            "lat": ys.round(7),
            "source": "OpenStreetMap via osmnx (© OpenStreetMap contributors, ODbL)",
        }
    )
    rows = []
    for i, (u, v, _k, d) in enumerate(layer.edges(keys=True, data=True)):
        hw = _first(d.get("highway"))
        rows.append(
            {
                "link_id": f"osm:{i + 1}",
                "from_node": f"osm{u}",
                "to_node": f"osm{v}",
                "name_zh": str(_first(d.get("name")) or hw),
                "road_class": CLASS_OF.get(hw, "arterial"),
                "length_km": round(float(d["length"]) / 1000.0, 4),
                "lanes": _lanes(d.get("lanes")),
                "speed_kmh": round(float(d["speed_kph"]), 2),
                "status": "open",
                "opened": net.base_year - 1,
                "project": "",
                "oneway": True,
                "source": f"OpenStreetMap via osmnx; speed from maxspeed or the Chinese default for highway={hw}",
            }
        )
    links = pd.DataFrame(rows)
    links = links[links["length_km"] > 0]
    # connector to the regional road network, at the junction of the nearest place
    places = net.tables["places"]
    cx, cy = float(np.mean(xs)), float(np.mean(ys))
    dp = haversine_km(cx, cy, places["lon"].to_numpy(float), places["lat"].to_numpy(float))
    home = places.iloc[int(np.argmin(dp))]
    dn = haversine_km(home["lon"], home["lat"], xs, ys)
    j = int(np.argmin(dn))
    km = float(dn[j]) * net.params.access.circuity
    for a, b in ((home["place_id"], ids[j]), (ids[j], home["place_id"])):
        links.loc[len(links)] = {
            "link_id": f"osm:connector:{a}-{b}",
            "from_node": a,
            "to_node": b,
            "name_zh": f"connector {home['name_zh']}",
            "road_class": "arterial",
            "length_km": round(max(km, 0.1), 4),
            "lanes": 4,
            "speed_kmh": net.params.access.speed_kmh,
            "status": "open",
            "opened": net.base_year - 1,
            "project": "",
            "oneway": True,
            "source": "estimate: connector from the street layer to the place's junction, "
            "great-circle x access circuity at access speed",
        }
    rep.warnings += _snap_report(net, xs, ys, max_snap_km)
    # write the merged folder (copy, then replace the road tables)
    if out.exists():
        if any(out.iterdir()):
            raise InvalidOptionError(f"output folder {out} is not empty; choose a new folder.")
    shutil.copytree(src, out, ignore=shutil.ignore_patterns("sources"), dirs_exist_ok=True)
    base_links = net.tables["road_links"].copy()
    base_links["oneway"] = False
    all_links = pd.concat([base_links, links], ignore_index=True)
    all_nodes = pd.concat([net.tables["road_nodes"], nodes], ignore_index=True)
    all_nodes.to_csv(out / "road_nodes.csv", index=False, lineterminator="\n")
    all_links.to_csv(out / "road_links.csv", index=False, lineterminator="\n")
    meta = dict(net.meta)
    meta["name"] = name or out.name
    meta["derived"] = {**meta.get("derived", {}), "osm_layer": rep.source, "osm_max_snap_km": max_snap_km}
    (out / "network.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (out / "OSM_IMPORT.txt").write_text("\n".join(rep.lines()) + "\n", encoding="utf-8")
    return rep


def _lanes(v: Any) -> int:
    try:
        return max(1, int(float(str(_first(v)).split(";")[0])))
    except (TypeError, ValueError):
        return 2


def _snap_report(net: Any, xs: np.ndarray, ys: np.ndarray, max_km: float) -> list[str]:
    lon0, lon1, lat0, lat1 = xs.min(), xs.max(), ys.min(), ys.max()
    out = []
    for kind, df, idc in (
        ("place", net.tables["places"], "place_id"),
        ("station", net.tables["stations"], "station_id"),
    ):
        inside = df[(df["lon"] >= lon0) & (df["lon"] <= lon1) & (df["lat"] >= lat0) & (df["lat"] <= lat1)]
        for r in inside.itertuples(index=False):
            d = float(np.min(haversine_km(r.lon, r.lat, xs, ys)))
            if d > max_km:
                out.append(
                    f"{kind} {getattr(r, idc)} ({r.name_zh}) is {d:.2f} km from the street layer "
                    f"(more than {max_km} km); it is not snapped"
                )
    return out
