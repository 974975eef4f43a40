from __future__ import annotations

import hashlib
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commute.cli import main
from commute.errors import ValidationError
from commute.model.graph import build_graph
from commute.model.scenario import apply_scenario, copy_graph, describe, graph_for, load_scenario, validate_file
from commute.results.travel import travel_times
from commute.search import engine as E

from .conftest import NETWORK, SCENARIOS
from .helpers import random_road_graph

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def _digest_folder(folder):
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_validates_and_is_described(net, path):
    sc = load_scenario(path)
    G = apply_scenario(net, sc)
    assert G.graph["scenario"]["hash"]
    text = describe(sc, net)
    assert text[0].startswith("Scenario ")
    assert len(text) >= 1 + len(sc.changes)


def test_applying_scenarios_changes_nothing_on_disk_or_in_memory(net):
    before_disk = _digest_folder(NETWORK)
    before_tables = {k: v.copy() for k, v in net.tables.items()}
    base = build_graph(net, 2026)
    base_fp = E.graph_fingerprint(base)
    for path in SHIPPED:
        apply_scenario(net, load_scenario(path))
    assert _digest_folder(NETWORK) == before_disk
    for k, v in net.tables.items():
        assert v.equals(before_tables[k]), k
    assert E.graph_fingerprint(build_graph(net, 2026)) == base_fp


def test_hash_depends_on_changes_and_year(tmp_path, net):
    a = tmp_path / "a.yaml"
    a.write_text("name: a\nyear: 2026\nchanges:\n  - open_project: wutian_expressway\n", encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("name: b\nyear: 2026\nchanges:\n  - open_project: wutian_expressway\n", encoding="utf-8")
    c = tmp_path / "c.yaml"
    c.write_text("name: c\nyear: 2027\nchanges:\n  - open_project: wutian_expressway\n", encoding="utf-8")
    ha, hb, hc = (apply_scenario(net, load_scenario(p)).graph["scenario"]["hash"] for p in (a, b, c))
    assert ha == hb  # the name is not content
    assert ha != hc


BAD = textwrap.dedent("""\
    name: broken on purpose
    year: 2026
    colour: blue
    changes:
      - open_project: no_such_project
      - open_project: wuhan_yichang_hsr
      - add_road: {from: 梁子湖区, to: 亚特兰蒂斯, speed_kmh: 900}
      - widen_road: {link: g50_east:7}
      - close_link: {link: nowhere:1}
      - add_service: {id: x, stations: [汉口], headway_min: -5}
      - change_service: {service: not_a_service, headway_min: 10}
      - teleport: {from: 武汉, to: 北京}
      - close_station: {station: 月球站}
      - add_road: {from: 武汉, to: 黄石, lanes: 40}
      - remove_service: {}
      - just a string
    """)


def test_malformed_scenario_reports_every_mistake_with_lines(tmp_path, net, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ValidationError) as ei:
        validate_file(path)
    form = ei.value.report()
    expected_form = [
        ":3: unknown key 'colour'",
        ":7: speed_kmh 900 is outside",
        ":8: widen_road changes nothing",
        ":10: stations must list at least two stations",
        ":10: headway_min -5 is outside",
        ":12: unknown change 'teleport'",
        ":14: lanes 40 is outside",
        ":15: remove_service lacks required field 'service'",
        ":16: each change must be a mapping",
        ":5: unknown project 'no_such_project'",  # references too, in the same report
        ":6: project 'wuhan_yichang_hsr' is already open in 2026",
        ":9: road link 'nowhere:1' is not in the network",
        ":11: service 'not_a_service' is not running",
        ":13: station '月球站' is not in the network",
    ]
    for piece in expected_form:
        assert piece in form, piece
    assert len(ei.value.problems) >= 9
    # CLI: all of it at once, exit code 2, nothing on stdout
    code = main(["scenario", "validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    for piece in expected_form:
        assert piece in err


def test_reference_problems_are_reported_together(tmp_path, net):
    path = tmp_path / "refs.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: references
        year: 2026
        changes:
          - open_project: no_such_project
          - open_project: wuhan_yichang_hsr
          - add_road: {from: 梁子湖区, to: 亚特兰蒂斯}
          - close_link: {link: nowhere:1}
          - change_service: {service: not_a_service, headway_min: 10}
          - close_station: {station: 月球站}
          - change_service: {service: hanyi, headway_min: 36}
        """),
        encoding="utf-8",
    )
    sc = load_scenario(path)
    with pytest.raises(ValidationError) as ei:
        apply_scenario(net, sc)
    text = ei.value.report()
    for piece in (
        ":4: unknown project 'no_such_project'",
        ":5: project 'wuhan_yichang_hsr' is already open in 2026",
        ":6: unknown place '亚特兰蒂斯'",
        ":7: road link 'nowhere:1' is not in the network",
        ":8: service 'not_a_service' is not running",
        ":9: station '月球站' is not in the network",
        ":10: change_service leaves the service as it was",
    ):
        assert piece in text, piece


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nyear: 2026\nchanges:\n  - open_project: [a\n", "YAML syntax error"),
        ("- just\n- a list\n", "a scenario must be a mapping"),
        ("name: x\nyear: twenty\nchanges: []\n", "is not a year"),
        ("name: x\nchanges: 5\n", "`changes` must be a list"),
        ("", "file is empty"),
    ],
)
def test_form_errors(tmp_path, text, message):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        load_scenario(p)


def test_extends_cycle_and_missing_parent(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\nchanges: []\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\nchanges: []\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("name: c\nextends: nope.yaml\nyear: 2026\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="parent scenario 'nope.yaml' does not exist"):
        load_scenario(tmp_path / "c.yaml")


def test_extends_puts_parent_changes_first(net):
    sc = load_scenario(SCENARIOS / "plan_2035_full.yaml")
    assert sc.year == 2035
    assert sc.chain[-1].endswith("plan_2035_full.yaml")
    assert sc.changes[0].to_json() == {"open_project": "wuhan_ezhou_huangshi_suburban"}


def test_add_service_makes_times_no_worse_and_faster_where_it_is(net):
    base = graph_for(scenario=SCENARIOS / "today_2026.yaml")
    new = graph_for(scenario=SCENARIOS / "example_suburban_line.yaml")
    kw = {"modes": "rail", "measure": "door_to_door"}
    a = travel_times(base, "circle_places", "circle_places", **kw)
    b = travel_times(new, "circle_places", "circle_places", **kw)
    after, before = b["minutes"].fillna(np.inf), a["minutes"].fillna(np.inf)
    assert (after <= before + 1e-9).all()
    assert (after < before - 1).any()


def test_close_link_never_makes_times_better(net):
    base = graph_for(scenario=SCENARIOS / "today_2026.yaml")
    for f in ("disruption_yangtze_bridge.yaml", "disruption_junshan_bridge.yaml"):
        closed = graph_for(scenario=SCENARIOS / f)
        a = travel_times(base, "circle_places", "circle_places", modes="road")
        b = travel_times(closed, "circle_places", "circle_places", modes="road")
        assert (b["minutes"].fillna(np.inf) >= a["minutes"] - 1e-9).all()
        assert (b["minutes"] > a["minutes"] + 1e-9).any()


def test_close_station_merges_hops_and_opens_nothing(net):
    base = graph_for(year=2026)
    G = copy_graph(base)
    from commute.model.changes.refs import close_station as _close_station

    _close_station(G, "station:rs_xianningbei")
    assert "station:rs_xianningbei" not in G
    assert all("rs_xianningbei" not in s["stops"] for s in G.graph["services"].values())
    assert "station:rs_xianningbei" in base  # the base graph is untouched


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), extra=st.floats(0.5, 60.0), which=st.integers(0, 10_000))
def test_random_graph_properties(seed, extra, which):
    G = random_road_graph(seed, n=25, m=70)
    eng = E.compile_graph(G, "road")
    src = [eng.node_of["road:0"]]
    d0, _ = E.search(eng, src)
    assert np.nanmin(d0) >= 0 and d0[src[0]] == 0
    # adding a link never makes anything worse
    H = copy_graph(G)
    H.add_edge("road:0", f"road:{1 + which % 24}", key="new", kind="road", mode="road", minutes=extra, name="n")
    d1, _ = E.search(E.compile_graph(H, "road"), src)
    assert np.all(np.nan_to_num(d1, nan=np.inf) <= np.nan_to_num(d0, nan=np.inf) + 1e-9)
    # closing a link never makes anything better
    edges = list(G.edges(keys=True))
    if edges:
        K = copy_graph(G)
        K.remove_edge(*edges[which % len(edges)])
        d2, _ = E.search(E.compile_graph(K, "road"), src)
        assert np.all(np.nan_to_num(d2, nan=np.inf) >= np.nan_to_num(d0, nan=np.inf) - 1e-9)
    # monotone in the cutoff
    cut = float(np.nanmedian(d0)) if np.isfinite(np.nanmedian(d0)) else 10.0
    dc, _ = E.search(eng, src, cutoff=cut)
    reached = ~np.isnan(dc)
    assert np.allclose(dc[reached], d0[reached])
    assert np.all(np.isnan(dc[~reached]) | (d0[~reached] > cut))
