"""Each scenario verb's effect on a graph (not only its form): one test per change type.

A change type whose ``apply`` did nothing (or the wrong thing) fails its test here.
"""

from __future__ import annotations

import pytest

from commute.errors import Problems
from commute.model.changes import REGISTRY, VERBS, Change, Context
from commute.model.graph import build_graph, projects_open_by, station_node
from commute.model.ids import hop_key, junction_node
from commute.model.places import PlaceIndex
from commute.model.scenario import copy_graph

YEAR = 2026


@pytest.fixture(scope="module")
def base(net):
    return build_graph(net, YEAR)


def _apply(net, base, verb, args):
    """Apply one change to a copy of the base graph; return the graph and the problems."""
    G = copy_graph(base)
    ctx = Context(
        G,
        net,
        PlaceIndex(net),
        YEAR,
        known_projects=frozenset(net.tables["projects"]["project_id"]),
        already_open=projects_open_by(net, YEAR),
    )
    ch = Change(verb, args, "t.yaml", 1)
    probs = Problems("t")
    REGISTRY[verb].check_form(ch, probs)
    assert not probs.items, probs.items
    REGISTRY[verb].apply(ctx, ch, probs)
    return G, probs


def _a_service(base):
    return next(s for s, d in base.graph["services"].items() if d["mode"] == "rail" and len(d["stops"]) >= 3)


def _road_key(base):
    return next(k for _, _, k, d in base.edges(keys=True, data=True) if d.get("kind") == "road" and d["lanes"] == 4)


def test_every_verb_is_registered():
    assert set(VERBS) == set(REGISTRY) and len(VERBS) == 13


def test_open_project_switches_on_its_elements(net):
    ctx = Context(build_graph(net, 2021), net, PlaceIndex(net), 2021, frozenset(net.tables["projects"]["project_id"]))
    probs = Problems("t")
    ch = Change("open_project", "wuhan_yichang_hsr", "t.yaml", 1)
    assert REGISTRY["open_project"].projects(ch, ctx, probs) == ["wuhan_yichang_hsr"]
    assert "wuyi_hsr" not in ctx.G.graph["services"]
    assert "wuyi_hsr" in build_graph(net, 2021, projects=["wuhan_yichang_hsr"]).graph["services"]
    bad = Change("open_project", "no_such_project", "t.yaml", 3)
    assert REGISTRY["open_project"].projects(bad, ctx, probs) == [] and probs.items[0].line == 3


def test_add_road_adds_both_directions_at_table_speed(net, base):
    G, probs = _apply(net, base, "add_road", {"from": "江夏区", "to": "鄂州市", "lanes": 6, "length_km": 50})
    assert not probs.items
    new = [(u, v, d) for u, v, d in G.edges(data=True) if d.get("upgraded_by") == "scenario"]
    assert len(new) == 2 and {new[0][0], new[0][1]} == {new[1][1], new[1][0]}
    # 6-lane expressway: design 120 km/h x running factor 0.9 (commute.model.params)
    assert new[0][2]["speed_kmh"] == 108.0 and new[0][2]["minutes"] == pytest.approx(50 / 108.0 * 60)


def test_widen_road_retimes_the_link(net, base):
    k = _road_key(base)
    G, probs = _apply(net, base, "widen_road", {"link": k, "lanes": 8, "class": "expressway"})
    assert not probs.items
    (u, v), d = next(((u, v), d) for u, v, kk, d in G.edges(keys=True, data=True) if kk == k)
    assert d["lanes"] == 8 and d["speed_kmh"] == 110.4  # design 120 x 0.92
    assert d["minutes"] == pytest.approx(60.0 * d["length_km"] / 110.4)
    assert d["minutes"] < base.edges[u, v, k]["minutes"]


def test_close_link_removes_the_link(net, base):
    k = _road_key(base)
    G, _ = _apply(net, base, "close_link", {"link": k})
    assert any(kk == k for *_, kk in base.edges(keys=True)) and not any(kk == k for *_, kk in G.edges(keys=True))


def test_close_station_removes_it_and_keeps_services_running(net, base):
    sid = _a_service(base)
    mid = base.graph["services"][sid]["stops"][1]
    G, _ = _apply(net, base, "close_station", {"station": mid})
    assert station_node(mid) not in G and sid in G.graph["services"]
    assert mid not in G.graph["services"][sid]["stops"]


def test_close_place_cuts_its_roads_and_stations(net, base):
    G, _ = _apply(net, base, "close_place", {"place": "江夏区"})
    j = junction_node("jiangxia")
    assert any(d.get("kind") == "road" for *_, d in base.out_edges(j, data=True))
    assert not any(d.get("kind") == "road" for *_, d in G.out_edges(j, data=True))
    assert not any(d.get("kind") == "road" for *_, d in G.in_edges(j, data=True))
    place = base.nodes[j]["place"]
    stations = [n for n, d in base.nodes(data=True) if d.get("kind") == "station" and d.get("place") == place]
    assert stations and not any(n in G for n in stations)


def test_add_service_adds_hops_both_ways(net, base):
    sid = _a_service(base)
    a, b = base.graph["services"][sid]["stops"][:2]
    G, probs = _apply(net, base, "add_service", {"id": "t_new", "stations": [a, b], "run_min": [7], "headway_min": 20})
    assert not probs.items and {"t_new", "t_new/r"} <= set(G.graph["services"])
    assert G.graph["services"]["t_new"]["headway_min"] == 20.0
    assert G.edges[station_node(a), station_node(b), hop_key("t_new", 1)]["run_min"] == 7.0


def test_change_service_sets_headway_and_speed(net, base):
    sid = next(
        s
        for s, d in base.graph["services"].items()
        if d["mode"] == "rail"
        and base.edges[station_node(d["stops"][0]), station_node(d["stops"][1]), hop_key(s, 1)].get("length_km")
    )
    G, probs = _apply(net, base, "change_service", {"service": sid, "headway_min": 7, "speed_kmh": 120})
    assert not probs.items and G.graph["services"][sid]["headway_min"] == 7.0
    assert G.graph["services"][sid + "/r"]["headway_min"] == 7.0  # both directions
    x, y = G.graph["services"][sid]["stops"][:2]
    e = (station_node(x), station_node(y), hop_key(sid, 1))
    cls = base.graph["services"][sid]["train_class"]
    assert G.edges[e]["speed_kmh"] == 120.0
    assert G.edges[e]["minutes"] == pytest.approx(net.model.minutes(float(base.edges[e]["length_km"]), 120.0, cls))
    assert G.edges[e]["minutes"] != base.edges[e]["minutes"]


def test_remove_service_removes_every_direction(net, base):
    sid = _a_service(base)
    G, _ = _apply(net, base, "remove_service", {"service": sid})
    assert sid not in G.graph["services"] and sid + "/r" not in G.graph["services"]
    assert not any(str(k).startswith(sid + "#") for *_, k in G.edges(keys=True))


@pytest.mark.parametrize("verb", ["close_link", "widen_road", "change_service", "remove_service", "close_station"])
def test_unknown_references_are_problems_with_lines(net, base, verb):
    args = {
        "close_link": {"link": "nope:1"},
        "widen_road": {"link": "nope:1", "lanes": 6},
        "change_service": {"service": "nope", "headway_min": 9},
    }.get(verb, {"service": "nope"} if "service" in verb else {"station": "nope"})
    _, probs = _apply(net, base, verb, args)
    assert len(probs.items) == 1 and "nope" in probs.items[0].message
