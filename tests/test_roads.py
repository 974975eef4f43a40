"""The road model and the places of the default network (issue 18): checked against the census data."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml

from commute.model.ids import junction_node
from commute.model.places import PlaceIndex

from .conftest import NETWORK, ROOT, shared_file

PROVINCES = ("湖北省", "湖南省", "江西省")


def _km(lon1, lat1, lon2, lat2):
    """Great-circle km on a 6371 km sphere (written out here, not the package's function)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def counties():
    return pd.read_csv(shared_file("zones/counties_hubei_hunan_jiangxi_2020.csv"), dtype={"code": str})


def test_every_unit_of_the_three_provinces_is_one_place(net, counties):
    places = net.tables["places"]
    inside = places[places["code"].astype(str).isin(set(counties["code"]))]
    assert len(counties) == 325
    assert sorted(inside["code"].astype(str)) == sorted(counties["code"])
    cities = net.tables["cities"].set_index("city_id")
    outside = places[~places["code"].astype(str).isin(set(counties["code"]))]
    # outside the three provinces a city is one place, whose id is the city's
    assert (outside["kind"] == "prefecture").all()
    assert (outside["place_id"] == outside["city_id"]).all()
    assert not cities.loc[outside["city_id"], "province"].isin(PROVINCES).any()
    assert len(places) == 325 + len(outside) == 358
    by_code = places.set_index(places["code"].astype(str))
    for r in counties.itertuples():
        assert by_code.loc[r.code, "name_zh"] == r.name
        if not pd.isna(r.pop_2020):
            assert by_code.loc[r.code, "pop_2020"] == int(r.pop_2020), r.name


def test_population_totals_equal_the_census(net, counties):
    places = net.tables["places"]
    prefs = pd.read_csv(shared_file("zones/prefectures_2020.csv"), dtype={"code": str}).set_index("code")
    pref_of = places["code"].astype(str).str[:4] + "00"
    inside = places[places["code"].astype(str).isin(set(counties["code"]))]
    # sum over the census rows, by the prefecture code of the unit
    census = counties.dropna(subset=["pop_2020"]).groupby(counties["code"].str[:4])["pop_2020"].sum()
    counted = inside[~inside["source"].str.startswith("estimate:")]
    ours = counted.groupby(pref_of[counted.index].str[:4])["pop_2020"].sum()
    assert ours.astype(int).to_dict() == census.astype(int).to_dict()
    # the one unit without a census row (祁阳市) takes the prefecture's rest: 永州市's units add up to its total
    qiyang = inside[inside["code"].astype(str) == "431181"].iloc[0]
    assert qiyang["source"].startswith("estimate:")
    yongzhou = inside[inside["code"].astype(str).str[:4] == "4311"]["pop_2020"].sum()
    assert yongzhou == int(prefs.loc["431100", "pop_2020"])
    # a circle city's population is the sum of its places
    cities = net.tables["cities"]
    for c in cities[cities["groups"].str.contains("circle")].itertuples():
        assert c.pop_2020 == places.loc[places["city_id"] == c.city_id, "pop_2020"].sum(), c.city_id


def test_stations_in_the_three_provinces_belong_to_their_county(net):
    from shapely.geometry import Point, shape

    with shared_file("zones/counties_hubei_hunan_jiangxi.geojson").open(encoding="utf-8") as f:
        polys = [(str(ft["properties"]["code"]), shape(ft["geometry"])) for ft in json.load(f)["features"]]
    code_of = dict(zip(net.tables["places"]["place_id"], net.tables["places"]["code"].astype(str), strict=True))
    st = net.tables["stations"].set_index("station_id")
    for sid in ("rs_xiantaoxi", "rs_honghu", "rs_jianli"):  # the 仙桃–洪湖–监利 project's stations
        assert st.loc[sid, "place_id"], sid
    for s in st.itertuples():
        hit = [c for c, p in polys if p.contains(Point(s.lon, s.lat))]
        if hit:
            assert code_of[s.place_id] == hit[0], s.Index


def _neighbours(tol=0.003, min_km=2.0):
    """Pairs of census codes whose polygons overlap along >= min_km of boundary (buffered-area test)."""
    from shapely.geometry import shape
    from shapely.strtree import STRtree

    with shared_file("zones/counties_hubei_hunan_jiangxi.geojson").open(encoding="utf-8") as f:
        feats = json.load(f)["features"]
    codes = [str(ft["properties"]["code"]) for ft in feats]
    geoms = [shape(ft["geometry"]).buffer(tol) for ft in feats]
    tree = STRtree(geoms)
    out = set()
    for i, g in enumerate(geoms):
        for j in tree.query(g):
            if int(j) > i:
                strip = g.intersection(geoms[int(j)]).area  # ~ shared length x 2 tol (degrees)
                if strip / (2 * tol) * 100 >= min_km:  # 1 degree ~ 100 km here
                    out.add((codes[i], codes[int(j)]))
    return out


def test_every_neighbour_pair_is_linked(net):
    places = net.tables["places"]
    pid = dict(zip(places["code"].astype(str), places["place_id"], strict=True))
    links = net.tables["road_links"]
    direct = {frozenset((r.from_node, r.to_node)) for r in links.itertuples()}
    cfg = yaml.safe_load((NETWORK / "sources" / "roads.yaml").read_text(encoding="utf-8"))
    exempt = {frozenset(x["pair"]) for x in cfg["no_road"]}
    pairs = _neighbours()
    assert len(pairs) > 700  # 325 units in a plane: about 2.7 neighbours each
    missing = [(pid[a], pid[b]) for a, b in pairs if frozenset((pid[a], pid[b])) not in direct | exempt]
    assert not missing, missing[:10]


def test_every_road_link_is_at_least_the_great_circle(net):
    nodes = net.tables["road_nodes"].set_index("node_id")
    for r in net.tables["road_links"].itertuples():
        a, b = nodes.loc[r.from_node], nodes.loc[r.to_node]
        assert float(r.length_km) >= _km(a.lon, a.lat, b.lon, b.lat) - 1e-3, r.link_id


def test_link_times_by_hand(net, g2026):
    """A trunk road, an expressway link and a central-Wuhan link, computed from the tables by hand."""
    places = net.tables["places"].set_index("place_id")
    links = net.tables["road_links"].set_index("link_id")
    a, b = places.loc["yingcheng"], places.loc["yunmeng"]
    km = _km(a.lon, a.lat, b.lon, b.lat) * 1.25  # ROAD_CIRCUITY of trunk roads
    assert links.loc["nb:yingcheng:yunmeng", "length_km"] == pytest.approx(km, abs=1e-3)
    # first-class highway: JTG B01-2014 80 km/h x running 0.8 = 64 km/h
    e = g2026.get_edge_data(junction_node("yingcheng"), junction_node("yunmeng"))["nb:yingcheng:yunmeng"]
    assert e["minutes"] == pytest.approx(60 * km / 64.0, abs=0.01)
    # a 4-lane expressway of design speed 120: 102 km/h; G42 汉川–应城 has no widening
    row = links[(links["name_zh"] == "G42 沪蓉高速")].iloc[0]
    assert row["speed_kmh"] == 102.0
    # central Wuhan: a 6-lane arterial at 50 x 0.7 x 0.75 = 26.25 -> 26.2 km/h
    assert links.loc["nb:hanyang:hongshan", "speed_kmh"] == 26.2
    # an official length: the G50 武汉–宜昌 span adds up to the 271 km of expressway_facts.csv
    g50 = links[links.index.str.startswith("g50_west:")]
    assert g50["length_km"].sum() == pytest.approx(271.0, abs=0.01)


def test_targets_and_scenarios_still_name_known_places(net):
    idx = PlaceIndex(net)
    groups = idx.groups()
    assert len(groups["circle_places"]) == 48
    assert len(groups["cluster"]) == 31 and len(groups["major"]) == 36
    for f in sorted((ROOT / "targets").glob("*.yaml")):
        for rule in yaml.safe_load(f.read_text(encoding="utf-8"))["rules"]:
            for key in ("from", "to"):
                if key in rule:
                    assert idx.resolve_many([rule[key]]), (f.name, rule["id"])
    # the city endpoints keep their door-to-door centre (the densest district, as before)
    assert idx.resolve("长沙").place == "furong" and idx.resolve("武汉").place == "jianghan"


def test_readme_table_is_the_generated_one(net):
    import importlib.util

    spec = importlib.util.spec_from_file_location("road_times", ROOT / "tools" / "road_times.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (ROOT / "networks" / "README.md").read_text(encoding="utf-8")
    table = text.split(mod.START, 1)[1].split(mod.END, 1)[0]
    rows = [r.split("|")[1:-1] for r in table.strip().splitlines()[2:]]
    assert len(rows) == len(mod.pairs())
    after = mod.times(NETWORK)
    names = {c.city_id: c.name_zh.removesuffix("市") for c in net.tables["cities"].itertuples()}
    for (a, b), r in zip(mod.pairs(), rows, strict=True):
        assert [r[0].strip(), r[1].strip()] == [names[a], names[b]]
        assert int(r[3]) == round(after[(a, b)]), (a, b)
