from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from commute.errors import InvalidOptionError
from commute.results.travel import endpoints, surface, travel_times
from commute.search import engine as E

from .helpers import (
    access,
    add_place,
    add_station,
    empty_graph,
    ep,
    random_road_graph,
    road,
    service,
)


def _nx_simple(G, keep):
    """A DiGraph with the cheapest of parallel edges that pass `keep`."""
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes)
    for u, v, d in G.edges(data=True):
        if keep(u, v, d):
            w = float(d["minutes"])
            if not H.has_edge(u, v) or H[u][v]["weight"] > w:
                H.add_edge(u, v, weight=w)
    return H


@pytest.mark.parametrize("seed", range(8))
def test_engine_equals_networkx_on_random_graphs(seed):
    G = random_road_graph(seed)
    eng = E.compile_graph(G, "road")
    H = _nx_simple(G, lambda u, v, d: True)
    for src in ("road:0", "road:7"):
        dist, _ = E.search(eng, [eng.node_of[src]])
        ref = nx.single_source_dijkstra_path_length(H, src, weight="weight")
        for node, i in eng.node_of.items():
            if node in ref:
                assert dist[i] == pytest.approx(ref[node], abs=1e-9)
            else:
                assert math.isnan(dist[i])


def test_engine_equals_networkx_on_real_road_network(g2026):
    eng = E.compile_graph(g2026, "road")

    def keep(u, v, d):
        return d["kind"] == "road" or (
            d["kind"] == "access" and not u.startswith("station:") and not v.startswith("station:")
        )

    H = _nx_simple(g2026, keep)
    for src in ("place:jianghan", "place:yingshan", "place:furong"):
        ref = nx.single_source_dijkstra_path_length(H, src, weight="weight")
        dist, _ = E.search(eng, [eng.node_of[src]])
        places = [n for n in g2026 if n.startswith("place:")]
        for p in places:
            got = dist[eng.node_of[p]]
            if p in ref:
                assert got == pytest.approx(ref[p], abs=1e-9)
            else:
                assert math.isnan(got)


def test_engine_equals_networkx_on_compiled_multimodal_graph(g2026):
    """scipy's search over the compiled multimodal graph agrees with networkx over the same graph."""
    eng = E.compile_graph(g2026, "road,rail,air")
    H = nx.from_scipy_sparse_array(eng.matrix, create_using=nx.DiGraph)
    src = eng.node_of["place:huangshigang"]
    ref = nx.single_source_dijkstra_path_length(H, src)
    dist, _ = E.search(eng, [src])
    for i in range(eng.n):
        if i in ref:
            assert dist[i] == pytest.approx(ref[i], abs=1e-9)
        else:
            assert math.isnan(dist[i])


def _line():
    G = empty_graph(transfer_penalty=10)
    for p, lon in (("P1", 114.0), ("P2", 115.0), ("P3", 116.0)):
        add_place(G, p, lon)
    for s in ("S1", "S2", "S3"):
        add_station(G, s)
    access(G, "P1", "S1", 10, 4)
    access(G, "P2", "S2", 8, 5)
    access(G, "P3", "S3", 7, 5)
    return G


def test_door_to_door_counts_access_wait_ride_egress():
    G = _line()
    service(G, "L1", ["S1", "S2"], [30], headway=20)
    eng = E.compile_graph(G, "rail")
    m = E.matrix(eng, [ep("P1")], [ep("P2")])
    assert m[0, 0] == pytest.approx(10 + 20 / 2 + 30 + 5)


def test_transfer_costs_penalty_and_wait():
    G = _line()
    service(G, "L1", ["S1", "S2"], [30], headway=20)
    service(G, "L2", ["S2", "S3"], [20], headway=60)
    eng = E.compile_graph(G, "rail")
    t, legs = E.best_trip(eng, ep("P1"), ep("P3"))
    assert t == pytest.approx(10 + 10 + 30 + 10 + 30 + 20 + 5)
    assert [leg.kind for leg in legs] == ["access", "wait", "ride", "transfer", "wait", "ride", "access"]
    assert sum(leg.minutes for leg in legs) == pytest.approx(t)
    s2s = E.compile_graph(G, "rail", "station_to_station")
    m = E.matrix(s2s, [ep("P1", ["S1"])], [ep("P3", ["S3"])])
    assert m[0, 0] == pytest.approx(30 + 10 + 30 + 20)  # no first wait, no access


def test_through_service_counts_dwell_not_transfer():
    G = _line()
    service(G, "L", ["S1", "S2", "S3"], [30, 20], headway=20, dwells=[0, 2])
    eng = E.compile_graph(G, "rail", "station_to_station")
    assert E.matrix(eng, [ep("P1", ["S1"])], [ep("P3", ["S3"])])[0, 0] == pytest.approx(52)
    assert E.matrix(eng, [ep("P1", ["S1"])], [ep("P2", ["S2"])])[0, 0] == pytest.approx(30)


def test_one_train_a_day_is_worse_than_every_ten_minutes():
    G = _line()
    service(G, "slow_freq", ["S1", "S2"], [30], headway=1080)
    eng = E.compile_graph(G, "rail")
    rare = E.matrix(eng, [ep("P1")], [ep("P2")])[0, 0]
    service(G, "fast_freq", ["S1", "S2"], [35], headway=10)
    eng = E.compile_graph(G, "rail")
    frequent = E.matrix(eng, [ep("P1")], [ep("P2")])[0, 0]
    assert frequent < rare
    assert rare == pytest.approx(10 + 540 + 30 + 5)


def test_station_is_not_a_shortcut_between_access_links():
    G = _line()
    access(G, "P3", "S1", 1, 1)  # P3 also next to S1: P1 -> S1 -> P3 must not pass through the station
    service(G, "L1", ["S1", "S2"], [30], headway=20)
    eng = E.compile_graph(G, "rail")
    assert math.isnan(E.matrix(eng, [ep("P1")], [ep("P3")])[0, 0])


def test_modes_filter_and_unreachable_is_nan():
    G = _line()
    road(G, "place:P1", "place:P2", 45)
    service(G, "L1", ["S1", "S2"], [10], headway=10)
    assert E.matrix(E.compile_graph(G, "road"), [ep("P1")], [ep("P2")])[0, 0] == pytest.approx(45)
    assert E.matrix(E.compile_graph(G, "rail"), [ep("P1")], [ep("P2")])[0, 0] == pytest.approx(10 + 5 + 10 + 5)
    assert math.isnan(E.matrix(E.compile_graph(G, "road"), [ep("P1")], [ep("P3")])[0, 0])
    with pytest.raises(InvalidOptionError, match="needs rail or air"):
        E.compile_graph(G, "road", "station_to_station")


def test_cutoff_makes_far_pairs_nan():
    G = _line()
    road(G, "place:P1", "place:P2", 45)
    eng = E.compile_graph(G, "road")
    assert math.isnan(E.matrix(eng, [ep("P1")], [ep("P2")], cutoff=30)[0, 0])
    assert E.matrix(eng, [ep("P1")], [ep("P2")], cutoff=60)[0, 0] == 45


def test_cache_is_keyed_by_weights_not_topology():
    G = _line()
    road(G, "place:P1", "place:P2", 45)
    first = E.matrix(E.compile_graph(G, "road"), [ep("P1")], [ep("P2")])[0, 0]
    for _, _, d in G.edges(data=True):
        d["minutes"] = 15.0
    second = E.matrix(E.compile_graph(G, "road"), [ep("P1")], [ep("P2")])[0, 0]
    assert (first, second) == (45, 15)


def test_real_network_matrix_properties(g2026):
    circle = endpoints(g2026, "circle_places")
    eng = E.compile_graph(g2026)
    m = E.matrix(eng, circle, circle)
    assert np.all(np.diag(m) == 0)
    assert np.all(m[~np.isnan(m)] >= 0)
    assert not np.isnan(m).any()  # every circle place reaches every other


def test_legs_sum_to_total_on_real_network(g2026):
    eng = E.compile_graph(g2026)
    (o,) = endpoints(g2026, "黄石")
    (d,) = endpoints(g2026, "北京")
    t, legs = E.best_trip(eng, o, d)
    assert sum(leg.minutes for leg in legs) == pytest.approx(t)
    assert t == pytest.approx(E.matrix(eng, [o], [d])[0, 0])


def test_surface_reaches_places_and_stations(g2026):
    s = surface(g2026, "武汉", modes="road,rail", cutoff=120)
    assert s.loc[s["node"] == "place:jianghan", "minutes"].iloc[0] == 0
    assert (s["minutes"].dropna() <= 120).all()
    assert s["kind"].isin(["place", "junction", "station"]).all()


def test_year_changes_times(g2021, g2026):
    a = travel_times(g2021, "武汉", "长沙,北京,宜昌", modes="rail", measure="station_to_station")
    b = travel_times(g2026, "武汉", "长沙,北京,宜昌", modes="rail", measure="station_to_station")
    assert (b["minutes"].to_numpy() < a["minutes"].to_numpy()).all()


def test_patched_engine_falls_back_to_parallel_link():
    G = _line()
    road(G, "place:P1", "place:P2", 20, key="fast")
    road(G, "place:P1", "place:P2", 50, key="slow")
    eng = E.compile_graph(G, "road")
    assert E.matrix(eng, [ep("P1")], [ep("P2")])[0, 0] == 20
    closed = eng.without(lambda lab: lab.key == "fast")
    assert E.matrix(closed, [ep("P1")], [ep("P2")])[0, 0] == 50
    both = eng.without(lambda lab: lab.kind == "road")
    assert math.isnan(E.matrix(both, [ep("P1")], [ep("P2")])[0, 0])
    assert E.matrix(eng, [ep("P1")], [ep("P2")])[0, 0] == 20  # the original is untouched


def test_the_fingerprint_sees_every_input_and_no_insertion_order():
    """Each thing an engine reads changes the cache key; the order edges were added in does not."""

    def graph(order=1):
        G = empty_graph()
        for n in ("a", "b", "c"):
            add_station(G, n)
        for a, b, m in [("a", "b", 5.0), ("b", "c", 7.0)][::order]:
            road(G, a, b, m)
        service(G, "L1", ["station:a", "station:b", "station:c"], [10.0, 12.0], 30.0)
        return G

    base = E.graph_fingerprint(graph())
    assert E.graph_fingerprint(graph(-1)) == base
    changes = {
        "minutes": lambda G: G.edges["a", "b", "a-b"].update(minutes=5.5),
        "dwell": lambda G: G.edges["a", "b", "a-b"].update(dwell_min=1.0),
        "kind": lambda G: G.edges["a", "b", "a-b"].update(kind="ferry"),
        "an edge": lambda G: road(G, "a", "c", 20.0),
        "a node": lambda G: add_station(G, "d"),
        "headway": lambda G: G.graph["services"]["L1"].update(headway_min=20.0),
        "trips": lambda G: G.graph["services"]["L1"].update(trips=[{"trip_id": "t1", "arr": [1.0], "dep": [1.0]}]),
        "transfer penalty": lambda G: G.graph["parameters"]["transfer_penalty_min"].update(rail=5.0),
    }
    for what, change in changes.items():
        G = graph()
        change(G)
        assert E.graph_fingerprint(G) != base, what
