from __future__ import annotations

import math

import pytest

from commute.cli import main
from commute.errors import InvalidOptionError
from commute.io.network import load_network
from commute.io.osm import CHINA_DEFAULT_SPEEDS, _speed, merge_road_layer, read_osm_roads
from commute.model.graph import build_graph
from commute.results.isochrones import IsochroneSettings, isochrones
from commute.results.travel import surface

from .conftest import ROOT, shared_file

TINY = ROOT / "tests" / "data" / "tiny_grid.osm"
STREET = IsochroneSettings(step_km=0.1, max_radius_km=0.3, min_hole_km2=0.05)


def test_tiny_fixture_layer():
    G, rep = read_osm_roads(TINY)
    assert rep.edges_drivable < rep.edges_read  # the footway is gone
    assert rep.nodes_dropped_not_strongly_connected >= 2  # the detached one-way road
    assert rep.edges_with_maxspeed >= 1
    for _, _, d in G.edges(data=True):
        assert d["minutes"] > 0 and d["speed_kph"] > 0
        if d.get("maxspeed") is None:
            hw = d["highway"] if isinstance(d["highway"], str) else d["highway"][0]
            assert d["speed_kph"] == CHINA_DEFAULT_SPEEDS[hw]
    assert any(d["speed_kph"] == 50 for _, _, d in G.edges(data=True))


def test_merge_and_street_isochrones(tmp_path):
    G, rep = read_osm_roads(TINY)
    out = tmp_path / "net"
    rep = merge_road_layer("wuhan_circle", G, out, report=rep)
    net = load_network(out)  # the merged folder is a valid network
    H = build_graph(net, 2026)
    assert any(n.startswith("road:osm") for n in H)
    iso = isochrones(H, "114.506,30.486", "2,4,6", settings=STREET)
    for small, big in zip(iso.geometry, iso.geometry[1:], strict=False):
        assert big.contains(small)
    assert 0 < iso["area_km2"].iloc[0] < iso["area_km2"].iloc[-1]
    # the layer is joined to the regional network: a regional place is reachable from the street
    s = surface(H, "114.506,30.486", modes="road")
    assert not math.isnan(s.loc[s["node"] == "place:hongshan", "minutes"].iloc[0])


def test_oneway_streets_are_one_way(tmp_path):
    G, _ = read_osm_roads(TINY, consolidate_m=0)
    one = [(u, v) for u, v, d in G.edges(data=True) if d.get("oneway") is True]
    assert one and all(not G.has_edge(v, u) or G[v][u][0].get("oneway") is not True for u, v in one)


def test_real_optics_valley_extract(tmp_path):
    path = shared_file("osm/wuhan_optics_valley.osm")
    G, rep = read_osm_roads(path)
    assert rep.nodes_read == 5591 or rep.nodes_read > 5000
    assert rep.edges_kept > 300 and rep.nodes_kept > 150
    assert rep.nodes_dropped_not_strongly_connected > 0
    out = tmp_path / "ov"
    merge_road_layer("wuhan_circle", G, out, report=rep)
    H = build_graph(load_network(out), 2026)
    iso = isochrones(H, "114.52,30.485", "5,10", settings=STREET)
    assert iso.is_valid.all() and iso.geometry.iloc[1].contains(iso.geometry.iloc[0])
    assert "kept the largest strongly connected component" in (out / "OSM_IMPORT.txt").read_text(encoding="utf-8")


def test_cli_osm_import(tmp_path, capsys):
    out = tmp_path / "grid"
    assert main(["osm", "import", str(TINY), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "largest strongly connected component" in text and "wrote network" in text
    assert (
        main(["matrix", "--network", str(out), "--origins", "洪山区", "--destinations", "江夏区", "--modes", "road"])
        == 0
    )
    capsys.readouterr()
    assert main(["osm", "import", str(TINY), "-o", str(out)]) == 2  # not empty any more
    assert "not an empty folder" in capsys.readouterr().err


def test_bad_osm_inputs(tmp_path):
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not xml", encoding="utf-8")
    with pytest.raises(InvalidOptionError, match="cannot read"):
        read_osm_roads(bad)
    with pytest.raises(InvalidOptionError, match="exactly one"):
        read_osm_roads()
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"\x00")
    with pytest.raises(InvalidOptionError, match="pbf"):
        read_osm_roads(pbf)


def test_maxspeed_parsing():
    assert _speed("60") == 60 and _speed(["50", "70"]) == 60 and _speed("none") is None
    assert _speed("30 mph") == pytest.approx(48.28, abs=0.01)


@pytest.mark.network
def test_online_place_download():  # off by default: needs the internet (pytest -m network)
    _G, rep = read_osm_roads(place="Hongshan District, Wuhan, China")
    assert rep.edges_kept > 1000
