from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from commute.cli import main
from commute.errors import InvalidOptionError
from commute.model.scenario import graph_for
from commute.results.isochrones import gained, isochrones, parse_minutes, place_times
from commute.results.maps import cjk_font_path, plot_isochrones, write_isochrones

from .conftest import SCENARIOS
from .test_maps import check_gain_map

BANDS = "60,120,180"


@pytest.fixture(scope="module")
def g26():
    return graph_for(year=2026)


@pytest.fixture(scope="module")
def iso(g26):
    return isochrones(g26, "武汉", BANDS)


def test_bands_nest_and_are_valid(iso):
    assert list(iso["minutes"]) == [60, 120, 180]
    assert iso.crs.to_epsg() == 4326
    assert iso.is_valid.all()
    for small, big in zip(iso.geometry, iso.geometry[1:], strict=False):
        assert big.contains(small)
    assert (iso["area_km2"].diff().dropna() > 0).all()


@pytest.mark.parametrize("origin", ["黄石", "英山县", "114.40,30.50"])
def test_nesting_for_other_origins(g26, origin):
    out = isochrones(g26, origin, "30,60,90,120")
    for small, big in zip(out.geometry, out.geometry[1:], strict=False):
        assert big.contains(small)


def test_reached_place_centres_fall_inside_their_band(g26, iso):
    times = place_times(g26, "武汉")
    for band, geom in zip(iso["minutes"], iso.geometry, strict=True):
        inside = times[times["minutes"] <= band]
        assert len(inside) > 0
        for r in inside.itertuples():
            assert geom.covers(shapely.Point(r.lon, r.lat)), (band, r.name)


def test_difference_map_shows_gain(tmp_path):
    base = graph_for(scenario=SCENARIOS / "base_2021.yaml")
    scen = graph_for(scenario=SCENARIOS / "project_hsr_wuhan_yichang.yaml")
    b = isochrones(base, "武汉", BANDS)
    s = isochrones(scen, "武汉", BANDS)
    g = gained(b, s)
    assert g["gained_km2"].sum() > 1000  # 武宜 brings the land around 天门, 潜江, 荆州 and 宜昌 closer
    fig = plot_isochrones(s, scen, base=b)
    assert "gained" in fig.axes[0].get_title()
    check_gain_map(fig)  # strong colours, distinct base bands, small gains ringed (tests/test_maps.py)
    write_isochrones(s, scen, tmp_path / "diff.png", base=b)
    assert (tmp_path / "diff.png").stat().st_size > 10_000


def test_map_elements(g26, iso):
    fig = plot_isochrones(iso, g26)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["0–60 min", "60–120 min", "120–180 min"]
    assert "武汉市" in ax.get_title() and "2026" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert "N" in texts and any(t.endswith(" km") for t in texts)  # north arrow and scale bar
    assert any("OpenStreetMap" in t.get_text() for t in fig.texts)  # data credit
    assert cjk_font_path() is not None  # Chinese names render with a CJK font


@pytest.mark.parametrize("ext", [".png", ".svg", ".pdf", ".geojson", ".gpkg", ".html"])
def test_outputs_by_extension(tmp_path, g26, iso, ext):
    p = write_isochrones(iso, g26, tmp_path / f"w{ext}")
    assert p.stat().st_size > 1000
    if ext in (".geojson", ".gpkg"):
        back = gpd.read_file(p)
        assert list(back["minutes"]) == [60, 120, 180]
    assert [f.name for f in tmp_path.iterdir()] == [f"w{ext}"]  # no temporary file left


def test_cli_isochrones_geojson_nested(tmp_path, capsys):
    out = tmp_path / "wuhan.geojson"
    assert main(["isochrones", "--origin", "武汉", "--minutes", BANDS, "-o", str(out)]) == 0
    gj = json.loads(out.read_text(encoding="utf-8"))
    geoms = [shapely.geometry.shape(f["geometry"]) for f in gj["features"]]
    assert geoms[1].contains(geoms[0]) and geoms[2].contains(geoms[1])
    capsys.readouterr()


def test_cli_batch_with_progress(tmp_path, capsys):
    code = main(
        [
            "isochrones",
            "--origin",
            "武汉",
            "--origin",
            "黄石",
            "--minutes",
            "60",
            "--scenario",
            str(SCENARIOS / "today_2026.yaml"),
            "-o",
            str(tmp_path / "{origin}_{scenario}.geojson"),
        ]
    )
    _out, err = capsys.readouterr()
    assert code == 0
    assert sorted(f.name for f in tmp_path.iterdir()) == ["武汉_today_2026.geojson", "黄石_today_2026.geojson"]
    assert "2/2" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origin", "亚特兰蒂斯"], "unknown place"),
        (["--origin", "武汉", "--minutes", ""], "no minutes given"),
        (["--origin", "武汉", "--minutes", "-5"], "is not a positive number"),
        (["--origin", "武汉", "--minutes", "a,b"], "is not a number"),
        (["--origin", "200,95"], "outside WGS84"),
        (["--origin", "武汉", "--origin", "黄石"], "need 2 files"),
    ],
)
def test_cli_errors_leave_nothing_behind(tmp_path, capsys, args, message):
    out = tmp_path / "x.png"
    code = main(["isochrones", *args, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and message in err
    assert list(tmp_path.iterdir()) == []


def test_cli_unwritable_and_bad_extension(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["isochrones", "--origin", "武汉", "-o", str(tmp_path / "afile" / "x.png")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["isochrones", "--origin", "武汉", "-o", str(tmp_path / "x.docx")]) == 2
    assert "unknown extension" in capsys.readouterr().err
    assert [f.name for f in tmp_path.iterdir()] == ["afile"]


def test_cli_makes_missing_output_folders(tmp_path, capsys):
    out = tmp_path / "maps" / "{origin}_{scenario}.geojson"
    code = main(["isochrones", "--origin", "武汉", "--origin", "黄石", "--minutes", "60", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert sorted(f.name for f in (tmp_path / "maps").iterdir()) == [
        "武汉_wuhan_circle.geojson",
        "黄石_wuhan_circle.geojson",
    ]


def test_parse_minutes():
    assert parse_minutes("120, 60,60") == [60.0, 120.0]
    with pytest.raises(InvalidOptionError):
        parse_minutes([])
