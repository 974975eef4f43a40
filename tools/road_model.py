"""The road model of the default network (used by tools/build_wuhan_circle.py).

Corridors (sources/roads.yaml) list the places an expressway or road passes, in order. From them:

1. **Lengths.** A span of a corridor with an official length (roads/expressway_facts.csv or
   projects/projects.csv) is scaled to it. The ratio official / great-circle over those spans gives the
   circuity for every other link (its median, ``derived: road_circuity``).
2. **Junctions.** A link between two places is split where its line crosses another county-level unit
   (at least ``min_crossing_km`` of it): an interchange there (the point of the line nearest the unit's
   centroid), joined to the unit's junction by a connector road (access from centroid to junction).
3. **Neighbours.** Every two units that share a boundary in the census polygons and are not yet joined
   by a link get a trunk road between their junctions (an arterial between two of Wuhan's central
   districts), except the pairs listed in ``no_road`` (with the reason).
4. **Speeds** by class and lanes from design standards (commute.model.params.road_speed), slower by
   ``WUHAN_CENTRAL_FACTOR`` on links inside Wuhan's central districts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from commute.model.geo import haversine_km
from commute.model.params import ROAD_CIRCUITY, WUHAN_CENTRAL_FACTOR, road_speed


def gc(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle km between two (lon, lat) points."""
    return float(haversine_km(a[0], a[1], b[0], b[1]))


def read_polygons(shared: Path) -> dict[str, object]:
    """Census code -> shapely polygon of every county-level unit."""
    from shapely.geometry import shape

    with (shared / "zones/counties_hubei_hunan_jiangxi.geojson").open(encoding="utf-8") as f:
        gj = json.load(f)
    return {str(ft["properties"]["code"]): shape(ft["geometry"]) for ft in gj["features"]}


def neighbour_pairs(polys: dict[str, object], code_to_place: dict[str, str], tol_deg: float, min_shared_deg: float):
    """Sorted place-id pairs whose polygons share a boundary (at least ``min_shared_deg`` of it)."""
    from shapely.strtree import STRtree

    codes = sorted(polys)
    geoms = [polys[c] for c in codes]
    tree = STRtree(geoms)
    pairs = set()
    for i, g in enumerate(geoms):
        for j in tree.query(g.buffer(tol_deg)):
            j = int(j)
            if j <= i:
                continue
            shared = g.boundary.buffer(tol_deg).intersection(geoms[j].boundary).length
            if shared >= min_shared_deg:
                a, b = sorted((code_to_place[codes[i]], code_to_place[codes[j]]))
                pairs.add((a, b))
    return sorted(pairs)


def fit_circuity(roads_cfg: dict, xy: dict, facts: pd.DataFrame, resolve) -> tuple[float, list[dict]]:
    """Median of official length / great-circle distance between the span's end places (open spans).

    ``gc_km`` of a span is the great-circle length along its places (the closed loop for a ring), the
    length its links are scaled from.
    """
    rows = []
    corridors = {c["id"]: c for c in roads_cfg["corridors"]}
    for f in roads_cfg["facts"]:
        seq = [resolve(n) for n in corridors[f["corridor"]]["nodes"]]
        i, j = seq.index(resolve(f["from"])), seq.index(resolve(f["to"]))
        span = seq[i : j + 1]
        if f.get("closed"):
            span = [*span, span[0]]
        gc_km = sum(gc(xy[a], xy[b]) for a, b in zip(span, span[1:], strict=False))
        hit = facts[facts["road"] == f["fact"]]
        if len(hit) != 1:
            raise SystemExit(f"expressway fact {f['fact']!r} not found once in roads/expressway_facts.csv")
        km = float(hit.iloc[0]["length_km"]) + float(f.get("add_km", 0))
        ends = gc(xy[span[0]], xy[span[-1]])
        ratio = km / ends if not f.get("closed") else float("nan")
        rows.append(
            {**f, "official_km": km, "gc_km": gc_km, "ends_km": ends, "ratio": ratio, "source": hit.iloc[0]["source"]}
        )
    ratios = [r["ratio"] for r in rows if not np.isnan(r["ratio"])]
    return max(1.0, float(np.median(ratios))), rows


def read_facts(path: Path) -> pd.DataFrame:
    """expressway_facts.csv; a row with unquoted commas in its last field (`source`) keeps them there."""
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, n = rows[0], len(rows[0])
    fixed = [[*r[: n - 1], ",".join(r[n - 1 :])] for r in rows[1:] if r]
    return pd.DataFrame(fixed, columns=head)


class RoadBuilder:
    """Collects road nodes and links; see the module docstring."""

    def __init__(self, roads_cfg: dict, places: pd.DataFrame, cities: pd.DataFrame, shared: Path) -> None:
        self.cfg = roads_cfg
        self.par = roads_cfg["parameters"]
        self.places = places.set_index("place_id")
        self.centre = dict(zip(cities["city_id"], cities["centre_place"], strict=True))
        self.central = set(roads_cfg["central_wuhan"])
        self.polys = read_polygons(shared)
        self.code_to_place = {str(c): p for p, c in zip(places["place_id"], places["code"], strict=True)}
        self.place_poly = {p: self.polys[c] for c, p in self.code_to_place.items() if c in self.polys}
        self.nodes: dict[str, dict] = {}
        for p in places.itertuples():
            self.nodes[p.place_id] = {
                "node_id": p.place_id,
                "name_zh": p.name_zh,
                "place_id": p.place_id,
                "lon": p.lon,
                "lat": p.lat,
                "source": "junction of the place, at its centroid or centre (places.csv)",
            }
        for nid, n in roads_cfg["extra_nodes"].items():
            self.nodes[nid] = {
                "node_id": nid,
                "name_zh": n["name"],
                "place_id": "",
                "lon": n["lon"],
                "lat": n["lat"],
                "source": n["source"],
            }
        self.links: list[dict] = []

    def resolve(self, name: str) -> str:
        """A corridor node: a place or extra node id, or a city id standing for its centre place."""
        if name in self.nodes:
            return name
        if name in self.centre:
            return self.centre[name]
        raise SystemExit(f"sources/roads.yaml: unknown node {name!r}")

    def xy(self, nid: str) -> tuple[float, float]:
        n = self.nodes[nid]
        return float(n["lon"]), float(n["lat"])

    def speed(self, cls: str, lanes: int, design: float | None, a: str, b: str) -> float:
        v = road_speed(cls, lanes, design)
        if a in self.central and b in self.central:
            v = round(v * WUHAN_CENTRAL_FACTOR, 1)
        return v

    def crossings(self, a: str, b: str) -> list[tuple[str, float, tuple[float, float]]]:
        """Units the line a-b crosses (besides a's and b's): (place, fraction along the line, interchange)."""
        from shapely.geometry import LineString, Point

        pa, pb = self.xy(a), self.xy(b)
        line = LineString([pa, pb])
        km_per_deg = gc(pa, pb) / max(line.length, 1e-12)
        out = []
        ends = {self.nodes[a]["place_id"], self.nodes[b]["place_id"]}
        for pid, poly in self.place_poly.items():
            if pid in ends or not poly.intersects(line):
                continue
            inside = poly.intersection(line)
            if inside.length * km_per_deg < float(self.par["min_crossing_km"]):
                continue
            c = self.places.loc[pid]
            t = line.project(Point(float(c["lon"]), float(c["lat"])))
            pt = inside.interpolate(inside.project(line.interpolate(t)))
            out.append((pid, line.project(pt) / line.length, (round(pt.x, 5), round(pt.y, 5))))
        return sorted(out, key=lambda x: x[1])

    def add(self, lid, a, b, name, cls, km, lanes, design, status, opened, project, source) -> None:
        self.links.append(
            {
                "link_id": lid,
                "from_node": a,
                "to_node": b,
                "name_zh": name,
                "road_class": cls,
                # never shorter than the great circle between the ends (rounded up to the metre)
                "length_km": math.ceil(max(km, gc(self.xy(a), self.xy(b))) * 1000 - 1e-6) / 1000,
                "lanes": lanes,
                "speed_kmh": self.speed(cls, lanes, design, a, b),
                "status": status,
                "opened": opened,
                "project": project,
                "source": source,
            }
        )

    def corridor(self, c: dict, kms: list[float], status, opened, src: str) -> None:
        seq = [self.resolve(n) for n in c["nodes"]]
        design = c.get("design_speed_kmh")
        k = 0
        for i, (a, b) in enumerate(zip(seq, seq[1:], strict=False)):
            cuts = self.crossings(a, b) if c["class"] == "expressway" and c.get("split", True) else []
            pts = [a]
            fr = [0.0]
            for pid, f, pt in cuts:
                if f - fr[-1] < 0.01 or f > 0.99:
                    continue  # at an end or at the previous interchange
                nid = f"{c['id']}@{pid}"
                if nid in self.nodes:
                    nid = f"{c['id']}@{pid}@{i + 1}"  # the corridor crosses the unit twice
                self.nodes[nid] = {
                    "node_id": nid,
                    "name_zh": f"{c['name']} {self.places.loc[pid, 'name_zh']}互通",
                    "place_id": "",
                    "lon": pt[0],
                    "lat": pt[1],
                    "source": f"estimate: interchange of {c['id']} in {pid}, the point of the line between "
                    f"{a} and {b} nearest the unit's centroid (the line crosses the unit)",
                }
                pts.append(nid)
                fr.append(f)
                conn = gc(pt, self.xy(pid)) * float(self.par["connector_circuity"])
                self.add(
                    f"{nid}:access",
                    pid,
                    nid,
                    f"{self.places.loc[pid, 'name_zh']}–{c['name']} 连接线",
                    "highway",
                    max(conn, 0.1),
                    4,
                    None,
                    status,
                    opened,
                    c.get("project", ""),
                    "estimate: connector from the unit's junction to the interchange (first-class highway); "
                    f"length = great-circle x {self.par['connector_circuity']}",
                )
            pts.append(b)
            fr.append(1.0)
            for (u, fu), (v, fv) in zip(zip(pts, fr, strict=True), list(zip(pts, fr, strict=True))[1:], strict=False):
                k += 1
                self.add(
                    f"{c['id']}:{k}",
                    u,
                    v,
                    c["name"],
                    c["class"],
                    kms[i] * (fv - fu),
                    c["lanes"],
                    design,
                    status,
                    opened,
                    c.get("project", ""),
                    src,
                )

    def neighbours(self, pairs: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]]]:
        linked = {tuple(sorted((r["from_node"], r["to_node"]))) for r in self.links}
        skip = {tuple(sorted(x["pair"])): x["why"] for x in self.cfg["no_road"]}
        n, skipped = 0, []
        for a, b in pairs:
            if (a, b) in skip:
                skipped.append((a, b))
                continue
            if (a, b) in linked:
                continue
            cen = a in self.central and b in self.central
            cls, lanes = ("arterial", 6) if cen else ("highway", 4)
            km = gc(self.xy(a), self.xy(b)) * ROAD_CIRCUITY
            na, nb = self.places.loc[a, "name_zh"], self.places.loc[b, "name_zh"]
            self.add(
                f"nb:{a}:{b}",
                a,
                b,
                f"{na}–{nb} {'城区道路' if cen else '干线公路'}",
                cls,
                km,
                lanes,
                None,
                "open",
                2020,
                "",
                "neighbours in zones/counties_hubei_hunan_jiangxi.geojson (shared boundary); estimate: a "
                + ("6-lane arterial" if cen else "4-lane first-class trunk road")
                + f" between the junctions, length = great-circle x {ROAD_CIRCUITY} (estimate: a trunk road "
                "winds more than an expressway; commute.model.params.ROAD_CIRCUITY)",
            )
            n += 1
        return n, skipped


def build_roads(
    roads_cfg: dict,
    places: pd.DataFrame,
    cities: pd.DataFrame,
    projects: pd.DataFrame,
    shared: Path,
    project_year,
    road_speed_fn=road_speed,
):
    """Road nodes, links, widenings and what was derived (circuity, fits, neighbour counts)."""
    expected = roads_cfg["expected_years"]
    facts = read_facts(shared / "roads/expressway_facts.csv")
    rb = RoadBuilder(roads_cfg, places, cities, shared)
    xy = {nid: rb.xy(nid) for nid in rb.nodes}
    circuity, fits = fit_circuity(roads_cfg, xy, facts, rb.resolve)
    fit_by = {}
    for f in fits:
        fit_by.setdefault(f["corridor"], []).append(f)
    for c in roads_cfg["corridors"]:
        seq = [rb.resolve(n) for n in c["nodes"]]
        kms = [gc(xy[a], xy[b]) * circuity for a, b in zip(seq, seq[1:], strict=False)]
        notes = [f"length = great-circle x {circuity:.3f} (road circuity fitted on roads/expressway_facts.csv)"]
        for f in fit_by.get(c["id"], []):
            i, j = seq.index(rb.resolve(f["from"])), seq.index(rb.resolve(f["to"]))
            scale = f["official_km"] / (f["gc_km"] * circuity)
            capped = False
            for m in range(i, j):
                kms[m] *= scale
                floor = gc(xy[seq[m]], xy[seq[m + 1]])
                if kms[m] < floor:
                    kms[m], capped = floor, True
            notes = [
                f"length: {f['from']}..{f['to']} scaled to the official {f['official_km']:g} km of {f['fact']} "
                f"(roads/expressway_facts.csv: {f['source']}; span ends estimate)"
                + ("" if (i, j) == (0, len(seq) - 1) else f"; elsewhere {notes[0]}")
                + (
                    "; a link shorter than great-circle after scaling is set to great-circle (the places' junctions "
                    "lie beyond the section's ends)"
                    if capped
                    else ""
                )
            ]
        if "length_km" in c:
            kms = [k * float(c["length_km"]) / sum(kms) for k in kms]
            notes = [f"length scaled to the official {c['length_km']} km (projects/projects.csv)"]
        if "project" in c:
            status, opened, how = project_year(projects, expected, c["project"])
            src = f"projects/projects.csv ({c['project']}); alignment estimate; year: {how}"
        else:
            status, opened = "open", 2020
            src = "estimate: alignment (the places passed) from general knowledge of the network; open before 2021"
        design = c.get("design_speed_kmh")
        src += (
            "; "
            + "; ".join(notes)
            + (
                f"; design speed {design} km/h ({c['design_source']})"
                if design
                else "; speed: class and lanes (params)"
            )
        )
        rb.corridor(c, kms, status, opened, src)
    pairs = neighbour_pairs(
        rb.polys,
        rb.code_to_place,
        float(roads_cfg["parameters"]["boundary_tol_deg"]),
        float(roads_cfg["parameters"]["min_shared_boundary_deg"]),
    )
    n_nb, skipped = rb.neighbours(pairs)
    nodes = pd.DataFrame(rb.nodes.values()).sort_values("node_id").reset_index(drop=True)
    links = pd.DataFrame(rb.links)
    upgrades = []
    for w in roads_cfg["widenings"]:
        wanted = {rb.resolve(n) for n in w["nodes"]}
        sel = links[links["link_id"].str.startswith(w["corridor"] + ":")]
        # a link of the corridor between two listed places, or between an interchange on such a stretch
        ids = [r.link_id for r in sel.itertuples() if _in_stretch(r.from_node, r.to_node, wanted, w["corridor"], links)]
        status, opened, how = project_year(projects, expected, w["project"])
        design = w.get("design_speed_kmh")
        upgrades.append(
            {
                "project": w["project"],
                "kind": "road_widen",
                "target": ";".join(ids),
                "lanes": w["lanes"],
                "speed_kmh": road_speed_fn("expressway", w["lanes"], design),
                "line": "",
                "from_km": "",
                "to_km": "",
                "old_speed_kmh": "",
                "status": status,
                "opened": opened,
                "source": f"projects/projects.csv ({w['project']}); links covered: estimate; year: {how}"
                + (f"; design speed {design} km/h (projects.csv)" if design else ""),
            }
        )
    derived = {
        "road_circuity": round(circuity, 4),
        "road_circuity_spans": len(fits),
        "road_neighbour_pairs": len(pairs),
        "road_neighbour_links": n_nb,
    }
    return nodes, links.reset_index(drop=True), pd.DataFrame(upgrades), derived, fits, pairs, skipped


def _in_stretch(u: str, v: str, wanted: set[str], corridor: str, links: pd.DataFrame) -> bool:
    """Whether a corridor link lies between two places of ``wanted`` (walking through interchanges)."""
    ends = {u, v}
    if ends <= wanted:
        return True
    # an interchange: find the places the chain of this corridor's links reaches on both sides
    chain = links[links["link_id"].str.startswith(corridor + ":")]
    nxt = dict(zip(chain["from_node"], chain["to_node"], strict=False))
    prv = dict(zip(chain["to_node"], chain["from_node"], strict=False))
    a = u
    while "@" in a and a in prv:
        a = prv[a]
    b = v
    while "@" in b and b in nxt:
        b = nxt[b]
    return {a, b} <= wanted
