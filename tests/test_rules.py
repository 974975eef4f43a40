"""Each target rule kind's effect, against a reference computed another way."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from commute.results.rules import KINDS, REGISTRY, Rule
from commute.results.targets import check_rule
from commute.results.travel import endpoints


def _road_graph(G: nx.MultiDiGraph) -> nx.DiGraph:
    """Road links and place-road access links as a simple weighted graph (the road mode by hand)."""
    H = nx.DiGraph()
    for u, v, d in G.edges(data=True):
        road = d["kind"] == "road" or (d["kind"] == "access" and (str(u) + str(v)).count("road:") == 1)
        if road and (not H.has_edge(u, v) or H[u][v]["minutes"] > d["minutes"]):
            H.add_edge(u, v, minutes=d["minutes"])
    return H


def _place(G: nx.MultiDiGraph, key: str) -> str:
    e = next(e for e in endpoints(G, "cluster,circle_places") if e.key == key)
    return f"place:{e.place}"


def _rule(kind: str, **spec) -> Rule:
    return Rule("r", "a rule", kind, {"id": "r", "kind": kind, **spec})


def test_every_kind_is_registered():
    assert set(KINDS) == set(REGISTRY) == {"reach", "station_coverage", "expressway_access", "day_trip", "affordable"}
    for k in KINDS:
        assert REGISTRY[k].required <= REGISTRY[k].all_keys


def test_reach_rows_are_road_shortest_paths(g2026):
    H = _road_graph(g2026)
    rule = _rule("reach", **{"from": "武汉", "to": "黄石,鄂州,孝感", "within_min": 75, "modes": ["road"]})
    d = check_rule(g2026, rule, legs=False)
    assert len(d) == 3
    for r in d.itertuples():
        ref = nx.dijkstra_path_length(H, _place(g2026, r.origin_id), _place(g2026, r.destination_id), weight="minutes")
        assert r.minutes == pytest.approx(ref)
        assert r.passed == (ref <= 75)
        assert r.short_by_min == pytest.approx(max(0.0, ref - 75))
    assert d["passed"].any() and not d["passed"].all()  # the limit splits these pairs


def test_day_trip_by_road_is_out_plus_back_against_the_day_left(g2026):
    H = _road_graph(g2026)
    spec = {"from": "黄石", "to": "武汉", "stay_hours": 10, "day_start": 7, "day_end": 20, "modes": ["road"]}
    d = check_rule(g2026, _rule("day_trip", **spec), legs=False)
    (r,) = d.itertuples()
    a, b = _place(g2026, "huangshi"), _place(g2026, "wuhan")
    out = nx.dijkstra_path_length(H, a, b, weight="minutes")
    back = nx.dijkstra_path_length(H, b, a, weight="minutes")
    assert r.limit_min == pytest.approx((20 - 7 - 10) * 60)
    assert r.minutes == pytest.approx(out + back)
    assert r.passed == (out + back <= 180)


def test_station_coverage_follows_the_services(g2021, g2026):
    rule = _rule("station_coverage", cities="荆门,武汉", classes=["G", "D", "C"], min_speed_kmh=200)
    a = check_rule(g2021, rule).set_index("destination_id")
    b = check_rule(g2026, rule).set_index("destination_id")
    assert not a.loc["jingmen", "passed"] and b.loc["jingmen", "passed"]
    # brute force: a station of 荆门 on a fast G/D/C hop in 2026, named in the row
    fast = set()
    for sid, svc in g2026.graph["services"].items():
        if svc["mode"] == "rail" and svc["train_class"] in "GDC":
            for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
                e = g2026.edges[f"station:{x}", f"station:{y}", f"{sid}#{i + 1}"]
                if e.get("speed_kmh") is None or e["speed_kmh"] >= 200:
                    fast |= {g2026.nodes[f"station:{x}"]["name"], g2026.nodes[f"station:{y}"]["name"]}
    assert set(b.loc["jingmen", "legs"].split(", ")) <= fast
    closed = frozenset(g2026.graph["services"])
    shut = check_rule(g2026, rule, closed_services=closed)
    assert not shut["passed"].any() and (shut["legs"] == "").all()


def test_expressway_access_is_the_nearest_expressway_node(g2026):
    H = _road_graph(g2026)
    ends = {u for u, v, d in g2026.edges(data=True) if d["kind"] == "road" and d.get("road_class") == "expressway"}
    rule = _rule("expressway_access", places="circle_places", within_min=30)
    d = check_rule(g2026, rule)
    assert len(d) > 20
    for r in d.itertuples():
        dist = nx.single_source_dijkstra_path_length(H, _place(g2026, r.origin_id), weight="minutes")
        ref = min((dist[n] for n in ends if n in dist and dist[n] <= 120), default=np.nan)
        if np.isnan(ref):
            assert np.isnan(r.minutes)
        else:
            assert r.minutes == pytest.approx(ref)
            assert r.passed == (ref <= 30)
