"""Build the embedded default network `networks/wuhan_circle` from ../shared/data.

Run from the project root:  python tools/build_wuhan_circle.py [--shared ../shared/data]

Inputs: the curated facts in networks/wuhan_circle/sources/*.yaml (alignments, ids, estimates,
each with its source), the cost tables curated by hand in sources/costs/ (copied as they are)
and the real data in ../shared/data (census, OSM stations, the 2021
Beijing-Guangzhou timetable, the projects list). Output: the diff-friendly tables the package
loads, every row with a `source`. The build is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools"))

import rail_trips  # noqa: E402
import road_model  # noqa: E402

from commute.io import timetable as tt  # noqa: E402
from commute.io.railwayvis import read_railwayvis  # noqa: E402
from commute.model.geo import haversine_km  # noqa: E402
from commute.model.params import road_speed as _model_road_speed  # noqa: E402
from commute.model.runtime_model import calibrate  # noqa: E402

NET = ROOT / "networks" / "wuhan_circle"
SRC = NET / "sources"
TIMETABLE = "rail/timetable_beijing_guangzhou_hsr_2021-01-20.csv"
TIMETABLE_DAY = dt.date(2021, 1, 20)
SERVICE_DAY_MIN = tt.SERVICE_DAY_MIN
SERVICE_HOURS = (360.0, 1440.0)  # the service day: 06:00 + service_day_min (network.yaml)
# Operating top speeds of the Beijing-Guangzhou line on the timetable day (projects.csv notes:
# Beijing-Wuhan "was 310 km/h"; Wuhan-Guangzhou "was 300-310 km/h", midpoint taken).
BG_WUHAN_KM = 1229.0
BG_GUANGZHOU_KM = 2298.0
BG_SPEED_NORTH = 310.0
BG_SPEED_SOUTH = 305.0


def road_speed(cls: str, lanes: int, design_kmh: float | None = None) -> float:
    """Speed of a road class and lane count, from the model's one rule (commute.model.params)."""
    return _model_road_speed(cls, lanes, design_kmh)


def load_yaml(name: str) -> dict:
    with (SRC / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def write_csv(df: pd.DataFrame, name: str) -> None:
    df.to_csv(NET / name, index=False, lineterminator="\n", float_format="%.10g")


def bg_line_speed(a: float, b: float) -> float:
    lo, hi = min(a, b), max(a, b)
    if hi <= BG_WUHAN_KM:
        return BG_SPEED_NORTH
    if lo >= BG_WUHAN_KM and hi <= BG_GUANGZHOU_KM:
        return BG_SPEED_SOUTH
    return float("nan")


# ---------------------------------------------------------------------------------------------
def read_counties(shared: Path) -> pd.DataFrame:
    """The census table of county-level units, each with its prefecture (祁阳市's by its code)."""
    counties = pd.read_csv(shared / "zones/counties_hubei_hunan_jiangxi_2020.csv", dtype={"code": str})
    prefs = pd.read_csv(shared / "zones/prefectures_2020.csv", dtype={"code": str})
    by_code = dict(zip(prefs["code"], prefs["name"], strict=True))
    miss = counties["prefecture"].isna()
    counties.loc[miss, "prefecture"] = counties.loc[miss, "code"].str[:4].add("00").map(by_code)
    return counties


def unit_population(units_df: pd.DataFrame, pref_pop: int) -> dict[str, tuple[int, str]]:
    """Census population of each unit by code; a unit without a census row gets the prefecture's rest."""
    out = {}
    known = units_df["pop_2020"].notna()
    rest = pref_pop - int(units_df.loc[known, "pop_2020"].sum())
    for u in units_df.itertuples(index=False):
        if pd.notna(u.pop_2020):
            out[u.code] = (int(u.pop_2020), f"zones/counties_hubei_hunan_jiangxi_2020.csv (code {u.code}; 2020 census)")
        else:
            if known.sum() != len(units_df) - 1:
                raise SystemExit(f"prefecture of {u.name} has more than one unit without a census row")
            out[u.code] = (
                rest,
                f"estimate: no census row for {u.name} ({u.code}, code changed after 2020); population = the "
                "prefecture's 2020 census total (zones/prefectures_2020.csv) minus its other units",
            )
    return out


def build_places(shared: Path, cities_cfg: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One place per county-level unit of Hubei, Hunan and Jiangxi, one per city elsewhere; the cities."""
    counties = read_counties(shared)
    prefs = pd.read_csv(shared / "zones/prefectures_2020.csv", dtype={"code": str})
    units = {str(k): v for k, v in cities_cfg["units"].items()}
    circle = set(cities_cfg["circle"])
    groups: dict[str, list[str]] = {}
    for g in ("circle", "cluster", "major"):
        for c in cities_cfg[g]:
            groups.setdefault(c, []).append(g)
    missing = sorted(set(counties["code"]) - set(units))
    if missing:
        raise SystemExit(f"units without an id in sources/cities.yaml: {missing}")

    place_rows, city_rows = [], []
    for city_id, city_name in cities_cfg["cities"].items():
        pref = prefs[prefs["name"] == city_name]
        if len(pref) != 1:
            raise SystemExit(f"prefecture {city_name} not found once in prefectures_2020.csv")
        pref = pref.iloc[0]
        units_df = counties[counties["prefecture"] == city_name].copy()
        centre_src = ""
        if len(units_df):
            pops = unit_population(units_df, int(pref["pop_2020"]))
            units_df["pop_2020"] = [pops[c][0] for c in units_df["code"]]
            districts = units_df[units_df["name"].str.endswith("区")]
            pool = districts if len(districts) else units_df
            dens = pool["pop_2020"] / pool["area_km2"]
            centre_unit = pool.loc[dens.idxmax()]
            centre_src = (
                f"centre: {centre_unit['name']} ({centre_unit['code']}), the city's densest "
                f"{'district' if len(districts) else 'unit'} (zones/counties_hubei_hunan_jiangxi_2020.csv)"
            )
            for u in units_df.itertuples(index=False):
                kind = (
                    "district"
                    if u.name.endswith("区") and not u.name.endswith("林区")
                    else ("city" if u.name.endswith("市") else "county")
                )
                place_rows.append(
                    {
                        "place_id": units[u.code],
                        "name_zh": u.name,
                        "kind": kind,
                        "code": u.code,
                        "city_id": city_id,
                        "pop_2020": int(u.pop_2020),
                        "lon": u.lon,
                        "lat": u.lat,
                        "area_km2": u.area_km2,
                        "source": pops[u.code][1],
                    }
                )
            centre = units[centre_unit["code"]]
        else:
            lon, lat = cities_cfg["centre_estimates"][city_id]
            centre_src = (
                "centre: estimate, historic city centre from general knowledge "
                "(no county data outside Hubei/Hunan/Jiangxi)"
            )
            place_rows.append(
                {
                    "place_id": city_id,
                    "name_zh": city_name,
                    "kind": "prefecture",
                    "code": pref["code"],
                    "city_id": city_id,
                    "pop_2020": int(pref["pop_2020"]),
                    "lon": lon,
                    "lat": lat,
                    "area_km2": np.nan,
                    "source": f"zones/prefectures_2020.csv (code {pref['code']}; 2020 census population); {centre_src}",
                }
            )
            centre = city_id
        city_rows.append(
            {
                "city_id": city_id,
                "name_zh": city_name,
                "code": pref["code"],
                "province": pref["province"],
                "pop_2020": int(units_df["pop_2020"].sum()) if city_id in circle else int(pref["pop_2020"]),
                "centre_place": centre,
                "groups": ";".join(groups.get(city_id, [])),
                "source": (
                    "zones/counties_hubei_hunan_jiangxi_2020.csv (sum of units)"
                    if city_id in circle
                    else "zones/prefectures_2020.csv"
                )
                + f"; {centre_src}"
                + "; groups: DESIGN.md",
            }
        )
    places = pd.DataFrame(place_rows).sort_values("place_id").reset_index(drop=True)
    cities = pd.DataFrame(city_rows).sort_values("city_id").reset_index(drop=True)
    if places["place_id"].duplicated().any():
        raise SystemExit(f"duplicate place ids: {sorted(places.loc[places['place_id'].duplicated(), 'place_id'])}")
    unplaced = sorted(set(counties["code"]) - set(places["code"].astype(str)))
    if unplaced:
        raise SystemExit(f"county units of no city in sources/cities.yaml: {unplaced}")
    return places, cities


def locate_in_counties(shared: Path, lon: float, lat: float) -> str | None:
    """Census code of the county polygon containing the point, or None."""
    from shapely.geometry import Point, shape

    if not hasattr(locate_in_counties, "_polys"):
        with (shared / "zones/counties_hubei_hunan_jiangxi.geojson").open(encoding="utf-8") as f:
            gj = json.load(f)
        locate_in_counties._polys = [  # type: ignore[attr-defined]
            (str(ft["properties"].get("code")), shape(ft["geometry"])) for ft in gj["features"]
        ]
    pt = Point(lon, lat)
    for code, poly in locate_in_counties._polys:  # type: ignore[attr-defined]
        if poly.contains(pt):
            return code
    return None


def build_stations(
    shared: Path, st_cfg: dict, places: pd.DataFrame, cities_cfg: dict, projects: pd.DataFrame
) -> pd.DataFrame:
    osm = pd.read_csv(shared / "rail/stations_osm_2025.csv")
    centre = places.set_index("place_id")
    code_to_place = dict(zip(places["code"].astype(str), places["place_id"], strict=True))
    rows = []
    for mode, items in (("rail", st_cfg["rail"]), ("air", st_cfg["air"])):
        for sid, s in items.items():
            city = s.get("city") or ""
            hits = osm[osm["name"] == s["name"]] if mode == "rail" else osm.iloc[0:0]
            if "est" in s:
                lon, lat = s["est"]
                src = (
                    "estimate: location from general knowledge (not in rail/stations_osm_2025.csv)"
                    if mode == "rail"
                    else "estimate: airport location from general knowledge"
                )
            elif len(hits):
                if len(hits) > 1 and city:
                    c = centre.loc[cities_cfg_centre(city, places)]
                    d = haversine_km(hits["lon"], hits["lat"], c["lon"], c["lat"])
                    hits = hits.iloc[[int(np.argmin(d))]]
                lon, lat = float(hits.iloc[0]["lon"]), float(hits.iloc[0]["lat"])
                src = "rail/stations_osm_2025.csv (© OpenStreetMap contributors, ODbL)"
            else:
                raise SystemExit(f"station {sid} {s['name']} is not in OSM and has no estimate")
            code = locate_in_counties(shared, lon, lat)
            place = ""
            if code and code in code_to_place:
                place = code_to_place[code]  # the county-level unit the station stands in
            if not place and city in centre.index:
                place = city  # a city outside Hubei, Hunan and Jiangxi is one place
            project = s.get("project", "")
            status, opened = "open", 2020
            if project:
                pr = projects.set_index("id").loc[project]
                status, opened = pr["status"], int(str(pr["opened"])[:4])
            rows.append(
                {
                    "station_id": sid,
                    "name_zh": s["name"],
                    "mode": mode,
                    "city_id": city,
                    "place_id": place,
                    "lon": round(lon, 6),
                    "lat": round(lat, 6),
                    "status": status,
                    "opened": opened,
                    "project": project,
                    "source": src,
                }
            )
    return pd.DataFrame(rows).sort_values("station_id").reset_index(drop=True)


def cities_cfg_centre(city: str, places: pd.DataFrame) -> str:
    p = places[places["city_id"] == city]
    return city if city in set(p["place_id"]) else p.iloc[0]["place_id"]


def rail_circuity(trips: list[tt.Trip], stations: pd.DataFrame) -> tuple[float, int]:
    """Median ratio of timetable line km to great-circle km between consecutive OSM-located stops."""
    real = stations[stations["source"].str.startswith("rail/stations_osm")]
    coords = {r.name_zh: (r.lon, r.lat) for r in real.itertuples()}
    seen, ratios = set(), []
    for t in trips:
        for a, b in zip(t.stops, t.stops[1:], strict=False):
            key = (a.station, b.station)
            if key in seen or a.station not in coords or b.station not in coords:
                continue
            seen.add(key)
            d = float(haversine_km(*coords[a.station], *coords[b.station]))
            if d > 20:
                ratios.append(abs(b.km - a.km) / d)
    return float(np.median(ratios)), len(ratios)


def project_year(projects: pd.DataFrame, expected: dict, pid: str) -> tuple[str, object, str]:
    """(status, opening year or '', how) of a project, or of several joined by ';'."""
    statuses, years, hows = [], [], []
    for p in pid.split(";"):
        r = projects.set_index("id").loc[p]
        statuses.append(r["status"])
        if isinstance(r["opened"], str) and r["opened"]:
            years.append(int(r["opened"][:4]))
            hows.append(f"{p} opened {r['opened']} (projects.csv)")
        elif p in expected:
            years.append(int(expected[p]["year"]))
            hows.append(f"{p}: {expected[p]['how']}")
        else:
            years.append(None)
            hows.append(f"{p}: no opening year (switch on with a scenario)")
    order = ["uncertain", "planned", "construction", "open"]
    status = min(statuses, key=order.index)
    year = "" if any(y is None for y in years) else max(years)  # type: ignore[type-var]
    return status, year, "; ".join(hows)


def build_services(
    shared: Path,
    svc_cfg: dict,
    stations: pd.DataFrame,
    projects: pd.DataFrame,
    expected: dict,
    trips: list[tt.Trip],
    circuity: float,
    real: list[rail_trips.RealTrip],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str], list]:
    st = stations.set_index("station_id")
    name_to_id = {r.name_zh: r.station_id for r in stations[stations["mode"] == "rail"].itertuples()}
    svc_rows, stop_rows = [], []

    # 1. Real trips (national timetable + Beijing-Guangzhou stop times): one service per pattern.
    km_of = {}
    for t in trips:
        for x in t.stops:
            if x.station in name_to_id:
                km_of[name_to_id[x.station]] = x.km
    rsvc, rstops, trip_rows, trip_stop_rows = rail_trips.pattern_tables(
        real, stations, km_of, circuity, SERVICE_DAY_MIN, haversine_km
    )
    svc_rows.extend(rsvc)
    stop_rows.extend(rstops)
    dep_at = rail_trips.departures_by_station(real)
    unseen = rail_trips.uncovered_stations(
        [(x["id"], [str(i).partition("@")[0] for i in x["stops"]]) for x in svc_cfg["services"]], real
    )
    dropped: list[str] = []
    modelled_lines: list[tuple[str, str, list[str], list[float], list[float]]] = []

    # 2. Modelled services.
    for s in svc_cfg["services"]:
        stops = []
        for item in s["stops"]:
            sid, _, v = str(item).partition("@")
            stops.append((sid, float(v) if v else float(s["speed"])))
        kms = [np.nan]
        for (a, _), (b, _) in zip(stops, stops[1:], strict=False):
            kms.append(
                float(haversine_km(st.loc[a, "lon"], st.loc[a, "lat"], st.loc[b, "lon"], st.loc[b, "lat"])) * circuity
            )
        seg = s.get("segment_km", {})
        for i, (sid, _) in enumerate(stops):
            if i and sid in seg:
                kms[i] = float(seg[sid])
        if "length_km" in s:
            start = [x for x, _ in stops].index(s["length_from"]) if "length_from" in s else 0
            part = np.nansum(kms[start + 1 :])
            for i in range(start + 1, len(kms)):
                kms[i] = kms[i] * float(s["length_km"]) / part
        km_note = f"; segment km = great-circle x {circuity:.3f} (rail circuity calibrated on {TIMETABLE})" + (
            f", scaled to {s['length_km']} km" if "length_km" in s else ""
        )
        if "project" in s:
            status, opened, how = project_year(projects, expected, s["project"])
        else:
            status, opened, how = "open", int(s["opened"]), ""
        headway = float(s["headway"]) if "headway" in s else SERVICE_DAY_MIN / float(s["tpd"])
        tpd = SERVICE_DAY_MIN / headway
        cut_note = ""
        if "project" not in s:
            modelled_lines.append((s["id"], s["class"], [x for x, _ in stops], kms[1:], [v for _, v in stops][1:]))
            if not unseen[s["id"]]:
                dropped.append(s["id"])  # every station has real 2021 trips: the timetable replaces it
            else:
                lo, hi = rail_trips.unseen_span([x for x, _ in stops], set(unseen[s["id"]]))
                if (lo, hi) != (0, len(stops) - 1):
                    cut_note = (
                        f"; cut to {stops[lo][0]}..{stops[hi][0]}, the stretch around its stations without real "
                        "trips (elsewhere the real trains run)"
                    )
                    stops, kms = stops[lo : hi + 1], [np.nan, *kms[lo + 1 : hi + 1]]
        first_st = stops[0][0]
        first, last, dep_how = rail_trips.comparable_hours(dep_at, first_st, s["class"], SERVICE_HOURS)
        svc_rows.append(
            {
                "service_id": s["id"],
                "name_zh": s["name"],
                "mode": "rail",
                "train_class": s["class"],
                "speed_kmh": s["speed"],
                "trains_per_day": round(tpd, 3),
                "headway_min": round(headway, 3),
                "bidirectional": True,
                "status": status,
                "opened": opened,
                "project": s.get("project", ""),
                "first_dep_min": first,
                "last_dep_min": last,
                "timetable": False,
                "source": s["source"]
                + km_note
                + ("; trains per day: estimate" if "tpd" in s else "")
                + (f"; year: {how}" if how else "")
                + ("; kept (no 2021 trips at " + ", ".join(unseen[s["id"]]) + ")" if unseen[s["id"]] else "")
                + cut_note
                + f"; first and last departure: {dep_how}",
            }
        )
        for i, (sid, v) in enumerate(stops):
            stop_rows.append(
                {
                    "service_id": s["id"],
                    "seq": i + 1,
                    "station_id": sid,
                    "km": "" if i == 0 else round(kms[i], 3),
                    "speed_kmh": "" if i == 0 else v,
                    "run_min": "",
                    "dwell_min": "",
                    "line": "",
                    "line_km": "",
                }
            )

    # 3. Flights.
    for origin, dests in svc_cfg["flights"].items():
        for j, (dest, per_day) in enumerate(sorted(dests.items())):
            first, last = rail_trips.flight_hours(j, len(dests), int(per_day), SERVICE_HOURS)
            a, b = st.loc[origin], st.loc[dest]
            km = float(haversine_km(a["lon"], a["lat"], b["lon"], b["lat"]))
            block = 30.0 + km / 780.0 * 60.0
            sid = f"air:{origin[3:]}:{dest[3:]}"
            project = a["project"] or b["project"]
            status, opened = ("open", 2020) if not project else project_year(projects, expected, project)[:2]
            svc_rows.append(
                {
                    "service_id": sid,
                    "name_zh": f"航班 {a['name_zh']}–{b['name_zh']}",
                    "mode": "air",
                    "train_class": "air",
                    "speed_kmh": "",
                    "trains_per_day": per_day,
                    "headway_min": round(SERVICE_DAY_MIN / per_day, 3),
                    "bidirectional": True,
                    "status": status,
                    "opened": opened,
                    "project": project,
                    "first_dep_min": first,
                    "last_dep_min": last,
                    "timetable": False,
                    "source": "estimate: flights per day from general knowledge; block = 30 + km/780 km/h; "
                    f"departures: estimate: {rail_trips.FLIGHT_RULE}",
                }
            )
            stop_rows.append(
                {
                    "service_id": sid,
                    "seq": 1,
                    "station_id": origin,
                    "km": "",
                    "speed_kmh": "",
                    "run_min": "",
                    "dwell_min": 0,
                    "line": "",
                    "line_km": "",
                }
            )
            stop_rows.append(
                {
                    "service_id": sid,
                    "seq": 2,
                    "station_id": dest,
                    "km": round(km, 3),
                    "speed_kmh": "",
                    "run_min": round(block, 3),
                    "dwell_min": 0,
                    "line": "",
                    "line_km": "",
                }
            )
    services = pd.DataFrame(svc_rows)
    services = services[~services["service_id"].isin(dropped)].sort_values("service_id").reset_index(drop=True)
    stops = pd.DataFrame(stop_rows)
    stops = stops[stops["service_id"].isin(set(services["service_id"]))]
    stops = stops.sort_values(["service_id", "seq"]).reset_index(drop=True)
    trips_df = pd.DataFrame(trip_rows).sort_values("trip_id").reset_index(drop=True)
    trip_stops = pd.DataFrame(trip_stop_rows).sort_values(["trip_id", "seq"]).reset_index(drop=True)
    return services, stops, trips_df, trip_stops, dropped, modelled_lines


def write_boundaries(shared: Path) -> int:
    """A simplified boundary layer for maps: counties of Hubei/Hunan/Jiangxi and prefectures around them."""
    import geopandas as gpd

    c = gpd.read_file(shared / "zones/counties_hubei_hunan_jiangxi.geojson").set_crs(4326, allow_override=True)
    c = c.assign(level="county", source="zones/counties_hubei_hunan_jiangxi.geojson (simplified 0.005 deg)")
    p = gpd.read_file(shared / "zones/prefectures_2020.geojson").to_crs(4326)
    around = p.cx[104.0:123.0, 21.5:36.5]
    around = around[~around["province"].isin(["湖北省", "湖南省", "江西省"])]
    around = around.assign(level="prefecture", source="zones/prefectures_2020.geojson (simplified 0.02 deg)")
    c["geometry"] = c.geometry.simplify(0.005, preserve_topology=True)
    around = around.assign(geometry=around.geometry.simplify(0.02, preserve_topology=True))
    cols = ["code", "name", "level", "province", "source", "geometry"]
    out = gpd.GeoDataFrame(pd.concat([c[cols], around[cols]], ignore_index=True), crs=4326)
    out["code"] = out["code"].astype(str)
    out = out.sort_values(["level", "code"]).reset_index(drop=True)
    out["geometry"] = out.geometry.set_precision(1e-5)
    path = NET / "boundaries.geojson"
    path.unlink(missing_ok=True)
    out.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=5)
    return len(out)


def write_calibration_report(
    report: pd.DataFrame,
    model,
    circuity: float,
    n_circ: int,
    n_trips: int,
    by_line: pd.DataFrame,
    dropped: list[str],
    tpd_rows: list[tuple],
) -> None:
    tpd_table = "\n".join(
        f"| {sid}{' (replaced)' if sid in dropped else ''} | {proj or '(2021)'} | {cls} | {a or '-'} → {b or '-'} | "
        f"{est:g} | {n_ab} | {n_ba} |"
        for sid, proj, cls, a, b, est, n_ab, n_ba in tpd_rows
    )
    line_rows = "\n".join(
        f"| {r.line}{' (replaced)' if r.line in dropped else ''} | {r._2} | {r.pairs} | {r.median_min:.1f} | "
        f"{r.mae_min:.1f} | {r.median_pct:.1f} | {r.worst} |"
        for r in by_line.itertuples()
    )
    all_pairs = int(by_line["pairs"].sum())
    rows = "\n".join(
        f"| {r.train_class} | {r.n} | {r.trips} | {r.a:.4f} | {r.b:.2f} | {r.mae_min:.2f} | {r.rmse_min:.2f} | "
        f"{r.mape_pct:.1f} | {r.cv_mae_min:.2f} |"
        for r in report.itertuples()
    )
    dwell = ", ".join(f"{k} {v.dwell_min:g} min" for k, v in sorted(model.classes.items()))
    text = f"""# Run-time calibration (generated by tools/build_wuhan_circle.py)

Fitted on every consecutive-stop segment of the real Beijing-Guangzhou high-speed timetable
(`../shared/data/{TIMETABLE}`), keeping the {n_trips} trains that ran on {TIMETABLE_DAY} by their
run-day flags. Model: `minutes = a * 60 * km / min(V, class cap) + b`, with V the line's top
operating speed on the day ({BG_SPEED_NORTH:g} km/h Beijing-Wuhan, {BG_SPEED_SOUTH:g} km/h Wuhan-Guangzhou,
from the notes in projects.csv; segments south of Guangzhou South are left out) and class caps
G 350, D 250 km/h. Errors are model minus timetable, in minutes; `cv` is 5-fold cross-validation
by train (a train is never in both the fitting and the testing part).

| class | segments | trains | a | b (min) | MAE | RMSE | MAPE % | cv MAE |
|---|---|---|---|---|---|---|---|---|
{rows}

Median dwell at intermediate stops: {dwell}.

Rail circuity (timetable line km / great-circle km between consecutive stations located in
OSM, over {n_circ} station pairs more than 20 km apart): **{circuity:.3f}**. It turns
great-circle distances into line km for every modelled (non-timetabled) service.

The D class has few segments on this line (D trains are rare on it), so its coefficients are
less certain, and its dwell is the median over all classes (a class with fewer than 30 observed
stops takes that median); C (intercity) and conventional services use the D coefficients with their own
speed caps (C 250, K 120 km/h).

## The model against the real 2021 trains, per line

For every line the model describes (`sources/services.yaml`, lines open before 2021, and the
Beijing-Guangzhou line at its 2021 speeds), every pair of its stations that a real 2021 trip of
`trips.csv` serves (both directions, {all_pairs} pairs): the modelled time (hop run times from
the model above plus the class's dwell at the stops between) minus the fastest real train
between the two stations. Real trips come from `../shared/data/rail/timetable_china_2021-01_railwayvis.json`
and the Beijing-Guangzhou timetable (stops mapped to stations as in networks/README.md).
A positive difference: the model is slower than the fastest train. A real through train may
skip the line's intermediate stops or take another line, so a large negative difference can
also mean the real train runs a shorter route; `worst` names the pair and the train.
`(replaced)`: the line's services were replaced by the real trips in the network.

| line | class | pairs | median (min) | MAE (min) | median % | worst pair: model vs real (train) |
|---|---|---|---|---|---|---|
{line_rows}

## Trains per day of the modelled services against the real 2021 trains

The modelled services' trains per day (each way) are estimates (`sources/services.yaml`).
For comparison: the real 2021 trains of the same class group (high-speed G/D/C or
conventional) that stop in both end cities, in each direction (`trips.csv`; 0 where a city
is not in the national timetable). For a line opened since 2021 the comparison is with the
2021 trains between its end cities by the lines of then.

| service | project | class | end cities | estimate | real A→B | real B→A |
|---|---|---|---|---|---|---|
{tpd_table}
"""
    (NET / "CALIBRATION.md").write_text(text, encoding="utf-8")


def main() -> None:
    global NET
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(NET), help="folder to write the tables to (default: the network)")
    args = ap.parse_args()
    NET = Path(args.out)
    NET.mkdir(parents=True, exist_ok=True)
    shared = Path(args.shared)
    cities_cfg, st_cfg = load_yaml("cities.yaml"), load_yaml("stations.yaml")
    svc_cfg, roads_cfg = load_yaml("services.yaml"), load_yaml("roads.yaml")
    projects_raw = pd.read_csv(shared / "projects/projects.csv", dtype=str).fillna("")

    places, cities = build_places(shared, cities_cfg)
    stations = build_stations(shared, st_cfg, places, cities_cfg, projects_raw)
    trips = tt.read_stop_times_csv(shared / TIMETABLE, day=TIMETABLE_DAY)
    circuity, n_circ = rail_circuity(trips, stations)
    national = read_railwayvis(shared / rail_trips.NATIONAL)
    modelled = [(x["class"], [str(i).partition("@")[0] for i in x["stops"]]) for x in svc_cfg["services"]]
    # The national file's county rule is read for the circle's units as before the cluster's units were
    # places (a station of another unit maps to its prefecture city), so the real trips do not change.
    circle_units = places[places["city_id"].isin(cities_cfg["circle"])]
    mapper = rail_trips.StationMapper(
        stations,
        circle_units,
        cities,
        [m for m, x in zip(modelled, svc_cfg["services"], strict=True) if "project" not in x],
        national,
    )
    city_of_id = dict(zip(stations["station_id"], stations["city_id"], strict=True))
    bg_all = tt.read_stop_times_csv(shared / TIMETABLE)
    real, trip_counts = rail_trips.build_real_trips(national, trips, bg_all, mapper, city_of_id)
    services, stops, trips_df, trip_stops, dropped, modelled_lines = build_services(
        shared, svc_cfg, stations, projects_raw, roads_cfg["expected_years"], trips, circuity, real
    )
    nodes, links, upgrades, road_derived, _road_fits, _, _ = road_model.build_roads(
        roads_cfg, places, cities, projects_raw, shared, project_year, road_speed_fn=road_speed
    )

    # Rail speed upgrades of the Beijing-Guangzhou line (projects.csv).
    rail_up = []
    for pid, lo, hi, old in (
        ("beijing_wuhan_350", 0.0, BG_WUHAN_KM, BG_SPEED_NORTH),
        ("wuhan_guangzhou_350", BG_WUHAN_KM, BG_GUANGZHOU_KM, BG_SPEED_SOUTH),
    ):
        status, opened, how = project_year(projects_raw, {}, pid)
        rail_up.append(
            {
                "project": pid,
                "kind": "rail_speed",
                "target": "",
                "lanes": "",
                "speed_kmh": 350,
                "line": "jingguang_hsr",
                "from_km": lo,
                "to_km": hi,
                "old_speed_kmh": old,
                "status": status,
                "opened": opened,
                "source": f"projects/projects.csv ({pid}); running time over the stretch scaled by the "
                f"calibrated model; year: {how}",
            }
        )
    upgrades = pd.concat([upgrades, pd.DataFrame(rail_up)], ignore_index=True)

    # Projects: which rows each one switches on.
    elements: dict[str, list[str]] = {}
    for df, kind, col in (
        (services, "service", "service_id"),
        (links, "road_link", "link_id"),
        (stations, "station", "station_id"),
        (upgrades, "upgrade", "project"),
    ):
        for r in df.itertuples(index=False):
            for p in str(r.project).split(";"):
                if p:
                    elements.setdefault(p, []).append(f"{kind}:{getattr(r, col)}")
    not_modelled = {
        "wuhan_tianhe_runway_3": "not modelled: a runway adds capacity, not speed, in a model without congestion",
    }
    proj_rows = []
    for r in projects_raw.itertuples(index=False):
        status, year, how = project_year(projects_raw, roads_cfg["expected_years"], r.id)
        proj_rows.append(
            {
                "project_id": r.id,
                "name_zh": r.name_zh,
                "mode": r.mode,
                "kind": r.kind,
                "status": status,
                "opened_date": r.opened,
                "year": year,
                "year_source": how,
                "elements": ";".join(sorted(set(elements.get(r.id, [])))),
                "note": not_modelled.get(r.id, ""),
                "source": f"projects/projects.csv ({r.source})",
            }
        )
    projects = pd.DataFrame(proj_rows)
    missing = [p for p in projects["project_id"] if not elements.get(p) and p not in not_modelled]
    if missing:
        raise SystemExit(f"projects without network rows: {missing}")

    # Calibration of the run-time model on the same timetable.
    segs = tt.segments(trips)
    model, report = calibrate(segs, bg_line_speed, fitted_on=f"{TIMETABLE} ({TIMETABLE_DAY}, {len(trips)} trains)")
    model.write(NET / "calibration.yaml", report)
    lines = [
        (lid, cls, sts, [model.minutes(k, v, cls) for k, v in zip(kms, vs, strict=True)], model.dwell(cls))
        for lid, cls, sts, kms, vs in modelled_lines
    ]
    name_to_id = {r.name_zh: r.station_id for r in stations[stations["mode"] == "rail"].itertuples()}
    bg_km = sorted({(x.km, name_to_id[x.station]) for t in trips for x in t.stops if x.station in name_to_id})
    bg_km = [(k, sid) for k, sid in bg_km if k <= BG_GUANGZHOU_KM]
    bg_hops = [
        model.minutes(b[0] - a[0], bg_line_speed(a[0], b[0]), "G") for a, b in zip(bg_km, bg_km[1:], strict=False)
    ]
    lines.insert(0, ("jingguang_hsr", "G", [sid for _, sid in bg_km], bg_hops, model.dwell("G")))
    by_line = rail_trips.line_comparison(lines, rail_trips.fastest_real(real))
    pair_trains = rail_trips.city_pair_trains(real, city_of_id)
    st_city = dict(zip(stations["station_id"], stations["city_id"], strict=True))
    tpd_rows = []
    for x in svc_cfg["services"]:
        a, b = (str(x["stops"][k]).partition("@")[0] for k in (0, -1))
        g = rail_trips.group(x["class"])
        n_ab = pair_trains[(st_city[a], st_city[b], g)] if st_city[a] and st_city[b] else 0
        n_ba = pair_trains[(st_city[b], st_city[a], g)] if st_city[a] and st_city[b] else 0
        est = float(x["tpd"]) if "tpd" in x else SERVICE_DAY_MIN / float(x["headway"])
        tpd_rows.append((x["id"], x.get("project", ""), x["class"], st_city[a], st_city[b], est, n_ab, n_ba))

    for df, name in (
        (places, "places.csv"),
        (cities, "cities.csv"),
        (stations, "stations.csv"),
        (services, "services.csv"),
        (stops, "service_stops.csv"),
        (nodes, "road_nodes.csv"),
        (links, "road_links.csv"),
        (upgrades, "upgrades.csv"),
        (projects, "projects.csv"),
        (trips_df, "trips.csv"),
        (trip_stops, "trip_stops.csv"),
    ):
        write_csv(df, name)
    meta = yaml.safe_load((SRC / "network_meta.yaml").read_text(encoding="utf-8"))
    meta["derived"] = {
        "rail_circuity": round(circuity, 4),
        "rail_circuity_pairs": n_circ,
        **road_derived,
        "timetable_trains": len(trips),
        "real_trips": {k: int(v) for k, v in sorted(trip_counts.items())},
        "real_trip_services": int(services["timetable"].astype(str).eq("True").sum()),
        "modelled_services_replaced": sorted(dropped),
    }
    (NET / "network.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_calibration_report(report, model, circuity, n_circ, len(trips), by_line, dropped, tpd_rows)
    # the cost tables are curated by hand (every row sourced or an estimate): copied as they are
    for f in sorted((SRC / "costs").glob("*.*")):
        (NET / f.name).write_bytes(f.read_bytes())
    n_bound = write_boundaries(shared)
    print(f"boundaries: {n_bound} polygons")
    print(
        f"places {len(places)}, cities {len(cities)}, stations {len(stations)}, services {len(services)}, "
        f"road links {len(links)}, rail circuity {circuity:.3f} from {n_circ} pairs"
    )
    print(report.to_string(index=False))


if __name__ == "__main__":
    main()
