from __future__ import annotations

import pandas as pd
import pytest

from commute.errors import DataNotFoundError, ValidationError
from commute.io.network import load_network

from .conftest import shared_file

CIRCLE = ["武汉市", "黄石市", "鄂州市", "孝感市", "黄冈市", "咸宁市", "仙桃市", "潜江市", "天门市"]


def test_default_network_loads_and_validates(net):
    assert net.name == "wuhan_circle"
    assert net.base_year == 2021
    for name in ("places", "cities", "stations", "services", "service_stops", "road_links"):
        assert len(net.tables[name]) > 0


def test_every_row_has_a_source(net):
    for name in ("places", "cities", "stations", "services", "road_nodes", "road_links", "upgrades", "projects"):
        src = net.tables[name]["source"].astype(str).str.strip()
        assert (src != "").all(), name


def test_every_circle_unit_is_a_place_with_census_population(net):
    counties = pd.read_csv(shared_file("zones/counties_hubei_hunan_jiangxi_2020.csv"), dtype={"code": str})
    circle = counties[counties["prefecture"].isin(CIRCLE)]
    places = net.tables["places"].set_index("code")
    assert len(circle) == 48
    for r in circle.itertuples():
        assert r.code in places.index, r.name
        assert places.loc[r.code, "pop_2020"] == int(r.pop_2020)
        assert places.loc[r.code, "name_zh"] == r.name


def test_groups(net):
    groups = net.tables["cities"]["groups"].str.split(";").explode().value_counts()
    assert groups["circle"] == 9
    assert groups["cluster"] == 31
    assert groups["major"] == 36


def test_every_project_is_in_the_network_or_explained(net):
    shared = pd.read_csv(shared_file("projects/projects.csv"))
    ours = net.tables["projects"].set_index("project_id")
    for pid in shared["id"]:
        assert pid in ours.index
        row = ours.loc[pid]
        assert row["elements"] or row["note"].startswith("not modelled")


def test_stations_from_osm_match_shared_coordinates(net):
    osm = pd.read_csv(shared_file("rail/stations_osm_2025.csv"))
    st = net.tables["stations"]
    real = st[st["source"].str.startswith("rail/stations_osm")]
    assert len(real) > 50
    for r in real.itertuples():
        hits = osm[osm["name"] == r.name_zh]
        close = ((hits["lon"] - r.lon).abs() < 1e-6) & ((hits["lat"] - r.lat).abs() < 1e-6)
        assert close.any(), r.name_zh
    est = st[~st["source"].str.startswith("rail/stations_osm")]
    assert est["source"].str.startswith("estimate").all()


def _rewrite(folder, table, fn):
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, lineterminator="\n")


def test_validation_reports_every_problem_with_file_and_line(net_copy):
    def break_links(df):
        df.loc[0, "to_node"] = "atlantis"
        df.loc[1, "length_km"] = "-3"
        df.loc[2, "source"] = ""
        df.loc[3, "status"] = "rumoured"
        df.loc[4, "speed_kmh"] = "0"
        return df

    def dup_place(df):
        return pd.concat([df, df.iloc[[0]]], ignore_index=True)

    def break_stops(df):
        df.loc[0, "station_id"] = "rs_nowhere"
        return df

    _rewrite(net_copy, "road_links", break_links)
    _rewrite(net_copy, "places", dup_place)
    _rewrite(net_copy, "service_stops", break_stops)
    with pytest.raises(ValidationError) as ei:
        load_network(net_copy)
    text = ei.value.report()
    assert "road_links.csv:2: unknown to_node 'atlantis'" in text
    assert "road_links.csv:3: length_km is -3.0, not positive" in text
    assert "road_links.csv:4: row has no source" in text
    assert "road_links.csv:5: status 'rumoured'" in text
    assert "road_links.csv:6: speed_kmh is 0, not positive" in text
    assert "places.csv:" in text and "duplicate place_id" in text
    assert "service_stops.csv:2: unknown station_id 'rs_nowhere'" in text
    assert len(ei.value.problems) >= 7


def test_validation_finds_unconnected_place(net_copy):
    def isolate(df):
        return df[(df["from_node"] != "yingshan") & (df["to_node"] != "yingshan")]

    _rewrite(net_copy, "road_links", isolate)
    with pytest.raises(ValidationError, match="yingshan' is not connected to any mode"):
        load_network(net_copy)


def test_missing_table_and_unknown_network(tmp_path, net_copy):
    (net_copy / "stations.csv").unlink()
    with pytest.raises(DataNotFoundError, match="stations.csv is missing"):
        load_network(net_copy)
    with pytest.raises(DataNotFoundError, match="neither a folder nor a shipped network"):
        load_network("no_such_network")


def test_build_script_reproduces_the_committed_tables(tmp_path):
    """The default network is derived from ../shared/data by tools/build_wuhan_circle.py, byte for byte."""
    import subprocess
    import sys

    from .conftest import NETWORK, ROOT, SHARED

    shared_file("zones/counties_hubei_hunan_jiangxi.geojson")
    out = tmp_path / "built"
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_wuhan_circle.py"), "--shared", str(SHARED), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    for f in sorted(NETWORK.glob("*.*")):
        assert (out / f.name).read_bytes() == f.read_bytes(), f.name
