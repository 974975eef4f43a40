"""Static maps a report can use: labels that never collide, the origin named, legible layers."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex

from commute.model.scenario import graph_for
from commute.results.isochrones import isochrones
from commute.results.maps import GAIN_COLOURS, plot_isochrones
from commute.results.maps_labels import label_boxes_overlap


@pytest.fixture(scope="module")
def g26():
    return graph_for(year=2026)


def _labels(fig):
    return fig._commute_labels


@pytest.mark.parametrize(("origin", "bands"), [("武汉", "60,120,180"), ("云梦县", "30,60,90")])
def test_labels_never_collide_and_the_origin_is_named(g26, origin, bands):
    fig = plot_isochrones(isochrones(g26, origin, bands), g26)
    texts = _labels(fig)
    names = [t.get_text() for t in texts]
    assert label_boxes_overlap(texts) == []
    assert names[0] == ("武汉市" if origin == "武汉" else origin)  # the origin first, always drawn
    assert len(names) >= 5  # and the cities around it
    # no label sits on the origin's star
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    star = [
        c
        for c in ax.collections
        if hasattr(c, "get_sizes") and len(c.get_offsets()) == 1 and len(c.get_sizes()) and c.get_sizes()[0] == 150
    ]
    assert star
    sx, sy = ax.transData.transform(star[0].get_offsets()[0])
    for t in texts:
        box = t.get_window_extent(renderer)
        assert not (box.x0 < sx < box.x1 and box.y0 < sy < box.y1), t.get_text()


def test_labels_of_close_cities_are_both_kept_or_apart(g26):
    fig = plot_isochrones(isochrones(g26, "长沙", "60,120"), g26)
    texts = _labels(fig)
    assert label_boxes_overlap(texts) == []
    assert {"湘潭", "株洲"} & {t.get_text() for t in texts}


def test_tight_extent(g26):
    iso = isochrones(g26, "云梦县", "30,60")
    fig = plot_isochrones(iso, g26)
    ax = fig.axes[0]
    from pyproj import Transformer

    minx, miny, maxx, maxy = iso.to_crs(32650).geometry.iloc[-1].bounds
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # the bands fill the frame: at most 25 % margin in the wider direction
    assert max((maxx - minx) / (x1 - x0), (maxy - miny) / (y1 - y0)) > 0.75
    assert Transformer  # (projection used by the map)


def test_layers_have_distinct_styles(g26):
    fig = plot_isochrones(isochrones(g26, "武汉", "60"), g26)
    leg = {
        t.get_text(): h
        for t, h in zip(fig.axes[0].get_legend().get_texts(), fig.axes[0].get_legend().legend_handles, strict=True)
    }
    express, rail = leg["expressway (junction to junction)"], leg["high-speed / intercity rail"]
    assert to_hex(express.get_color()) != to_hex(rail.get_color())
    assert rail.get_linestyle() != "-"  # dashed railway style, not a plain line like the roads


def test_street_map_draws_streets_and_names_the_point(tmp_path):
    from commute.io.network import load_network
    from commute.io.osm import merge_road_layer, read_osm_roads
    from commute.model.graph import build_graph
    from commute.results.isochrones import IsochroneSettings

    from .test_osm import TINY

    G, rep = read_osm_roads(TINY)
    merge_road_layer("wuhan_circle", G, tmp_path / "net", report=rep)
    H = build_graph(load_network(tmp_path / "net"), 2026)
    iso = isochrones(
        H, "114.506,30.486", "2,4", settings=IsochroneSettings(step_km=0.1, max_radius_km=0.3, min_hole_km2=0.09)
    )
    fig = plot_isochrones(iso, H)
    ax = fig.axes[0]
    title = ax.get_title()
    assert "114.506,30.486" not in title and "°E" in title and "区" in title
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "streets (OpenStreetMap)" in labels
    assert len(ax.lines) > 20  # the street links are drawn
    # the legend names only what the frame shows: a conventional line crosses it, no
    # high-speed line and no expressway does (both listed before, at every scale)
    assert "conventional rail" in labels
    assert not {"high-speed / intercity rail", "expressway (junction to junction)"} & set(labels)


def test_the_legend_keeps_what_shows():
    from matplotlib import pyplot as plt

    from commute.results.maps_layers import crosses

    assert crosses([0, 10], [5, 5], (4, 0, 6, 10))  # passes through the view without a point in it
    assert not crosses([0, 3], [5, 5], (4, 0, 6, 10)) and not crosses([5, 5], [11, 20], (4, 0, 6, 10))
    assert crosses([100], [100], None)
    plt.close("all")


@pytest.mark.parametrize(
    ("dots", "bar_right", "arrow_low"),
    [
        ([], False, False),  # nothing to avoid: scale bar bottom left, north arrow top right
        ([(8e3, 3e3)] * 3, True, False),  # dots at the bottom left: the bar moves right
        ([(94e3, 90e3)] * 3, False, True),  # dots at the top right: the arrow moves to the bottom right
        ([(8e3, 3e3), (94e3, 90e3), (94e3, 90e3)], True, True),  # both: the arrow takes the bottom left
    ],
)
def test_scale_bar_and_north_arrow_go_where_they_cover_no_dot(dots, bar_right, arrow_low):
    from matplotlib import pyplot as plt
    from matplotlib.patches import FancyArrow, Rectangle

    from commute.results.maps import _furniture

    fig, ax = plt.subplots()
    ax.set_xlim(0, 100e3)  # a 100 km square, in metres
    ax.set_ylim(0, 100e3)
    arts = _furniture(ax, 0.0, 0.0, 100e3, 100e3, avoid=dots)
    bar = [a for a in arts if isinstance(a, Rectangle)]
    (arrow,) = [a for a in arts if isinstance(a, FancyArrow)]
    assert (min(r.get_x() for r in bar) > 50e3) == bar_right
    ay = arrow.get_path().vertices[:, 1].min()
    ax_ = arrow.get_path().vertices[:, 0].mean()
    assert (ay < 50e3) == arrow_low
    if bar_right and arrow_low:
        assert ax_ < 50e3  # not in the bar's corner
    plt.close(fig)


def check_gain_map(fig):
    """What a gain map must show; called by tests/test_isochrones.py on the 武宜 gain (built there once)."""
    ax = fig.axes[0]
    leg = dict(zip([t.get_text() for t in ax.get_legend().get_texts()], ax.get_legend().legend_handles, strict=True))
    edges = [h for k, h in leg.items() if k.startswith("base ") and k.endswith("edge")]
    assert len({str(h.get_linestyle()) for h in edges}) == 3  # each base band its own line
    gains = [h for k, h in leg.items() if k.startswith("gained")]
    assert [to_hex(h.get_facecolor()) for h in gains] == list(GAIN_COLOURS[:3])
    # the 60-minute gain is a few km²: ringed so that it can be seen
    rings = [
        c
        for c in ax.collections
        if hasattr(c, "get_sizes") and len(c.get_offsets()) == 1 and len(c.get_sizes()) and c.get_sizes()[0] == 90
    ]
    assert rings
