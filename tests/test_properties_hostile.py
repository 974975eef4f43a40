"""The model's promises as properties: adding never worsens, closing never improves, new stations are used.

Random transit networks (hand-built with the test helpers) and the real network, for the
scenario verbs; with the ``close_station`` counterexample of issue 17 as a regression test.
Examples are few and small so the module stays fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commute.model.changes.refs import close_station
from commute.model.scenario import copy_graph, graph_for
from commute.results.travel import travel_times
from commute.search import api
from commute.search import transit as T

from .helpers import access, add_place, add_station, empty_graph, ep, service

INF = np.inf
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _random_transit(seed: int, n: int = 6):
    rng = np.random.default_rng(seed)
    G = empty_graph(transfer_penalty=5.0)
    for i in range(n):
        add_place(G, f"P{i}")
        add_station(G, f"S{i}")
        access(G, f"P{i}", f"S{i}", 3.0, 3.0)
    for k in range(3):
        stops = [f"S{i}" for i in rng.permutation(n)[: int(rng.integers(3, n + 1))]]
        runs = [float(x) for x in rng.uniform(5, 30, len(stops) - 1)]
        dwells = [0.0] + [float(x) for x in rng.uniform(0, 4, len(stops) - 2)]
        service(G, f"L{k}", stops, runs, float(rng.choice([20.0, 30.0, 60.0])), dwells=dwells, both=True)
    return G, [ep(f"P{i}", [f"S{i}"]) for i in range(n)]


def _matrix(G, eps, measure="door_to_door", depart=480.0):
    eng = api.compile_engine(G, "rail", measure, T.Query(depart=depart))
    return np.nan_to_num(np.asarray(api.matrix(eng, eps, eps), dtype=float), nan=INF)


@FEW
@given(seed=st.integers(0, 10_000), which=st.integers(0, 5), depart=st.sampled_from([420.0, 480.0, 600.0]))
def test_closing_a_station_never_makes_a_trip_faster_on_random_networks(seed, which, depart):
    G, eps = _random_transit(seed)
    before = _matrix(G, eps, depart=depart)
    H = copy_graph(G)
    close_station(H, f"station:S{which}")
    after = _matrix(H, eps, depart=depart)
    assert np.all(after >= before - 1e-9), np.argwhere(after < before - 1e-9)


@FEW
@given(seed=st.integers(0, 10_000), which=st.integers(0, 5))
def test_closing_a_station_keeps_the_times_at_the_other_stops(seed, which):
    G, eps = _random_transit(seed)
    before = _matrix(G, eps, measure="station_to_station")
    H = copy_graph(G)
    close_station(H, f"station:S{which}")
    after = _matrix(H, eps, measure="station_to_station")
    keep = [i for i in range(len(eps)) if i != which]
    b, a = before[np.ix_(keep, keep)], after[np.ix_(keep, keep)]
    # a pair still served directly keeps its time; one that needed the closed station gets slower
    assert np.all(a >= b - 1e-9)


@FEW
@given(seed=st.integers(0, 10_000), run=st.floats(1.0, 40.0))
def test_adding_a_service_never_makes_a_trip_slower_on_random_networks(seed, run):
    G, eps = _random_transit(seed)
    before = _matrix(G, eps)
    H = copy_graph(G)
    service(H, "NEW", ["S0", "S5"], [run], 15.0, both=True)
    after = _matrix(H, eps)
    assert np.all(after <= before + 1e-9)


# ------------------------------------------------------------------------------------------------
# The real network
def _scenario(tmp_path, changes: str, name: str = "s"):
    p = tmp_path / f"{name}.yaml"
    p.write_text(f"name: {name}\nyear: 2026\nchanges:\n{changes}", encoding="utf-8")
    return graph_for(scenario=p)


def _minutes(G, o, d, modes="road,rail", measure="door_to_door"):
    df = travel_times(G, o, d, modes=modes, measure=measure)
    return np.nan_to_num(df["minutes"].to_numpy(float), nan=INF)


@pytest.fixture(scope="module")
def base_2026(tmp_path_factory):
    p = tmp_path_factory.mktemp("base") / "b.yaml"
    p.write_text("name: base\nyear: 2026\n", encoding="utf-8")
    return graph_for(scenario=p)


def test_close_station_hankou_regression(tmp_path, base_2026):
    """Issue 17: closing 汉口 made 蔡甸→成都 faster (403.4 -> 401.4 min): the next stop's dwell was dropped."""
    before = _minutes(base_2026, "蔡甸", "成都")
    after = _minutes(_scenario(tmp_path, "  - close_station: {station: 汉口}\n"), "蔡甸", "成都")
    assert after[0] >= before[0] - 1e-9


def _rail_stations(G):
    return sorted(
        d["id"]
        for _, d in G.nodes(data=True)
        if d.get("kind") == "station"
        and d.get("mode") == "rail"
        and d.get("city") in ("wuhan", "xiaogan", "xianning", "huanggang", "ezhou", "huangshi")
    )


@REAL
@given(data=st.data())
def test_closing_a_real_station_never_improves(tmp_path_factory, base_2026, data):
    sid = data.draw(st.sampled_from(_rail_stations(base_2026)))
    G = _scenario(tmp_path_factory.mktemp("cs"), f"  - close_station: {{station: {sid}}}\n")
    o, d = "武汉,孝感,咸宁", "黄石,黄冈,鄂州"
    assert np.all(_minutes(G, o, d) >= _minutes(base_2026, o, d) - 1e-9)


@REAL
@given(data=st.data())
def test_closing_a_real_place_never_improves(tmp_path_factory, base_2026, data):
    place = data.draw(st.sampled_from(["鄂州", "咸宁", "孝感"]))
    G = _scenario(tmp_path_factory.mktemp("cp"), f"  - close_place: {{place: {place}}}\n")
    o, d = "武汉,黄石", "黄冈,天门"
    assert np.all(_minutes(G, o, d) >= _minutes(base_2026, o, d) - 1e-9)


def _expressway_links(G):
    return sorted({k for _, _, k, e in G.edges(keys=True, data=True) if e.get("road_class") == "expressway"})[:200]


@REAL
@given(data=st.data())
def test_closing_a_real_link_never_improves_and_widening_never_worsens(tmp_path_factory, base_2026, data):
    lid = data.draw(st.sampled_from(_expressway_links(base_2026)))
    o, d = "武汉,黄石", "孝感,咸宁,仙桃"
    base = _minutes(base_2026, o, d, modes="road")
    closed = _scenario(tmp_path_factory.mktemp("cl"), f"  - close_link: {{link: '{lid}'}}\n")
    assert np.all(_minutes(closed, o, d, modes="road") >= base - 1e-9)
    lanes = int(base_2026.edges[next((u, v, k) for u, v, k in base_2026.edges(keys=True) if k == lid)]["lanes"])
    if lanes < 12:
        wide = _scenario(tmp_path_factory.mktemp("w"), f"  - widen_road: {{link: '{lid}', lanes: {lanes + 2}}}\n")
        assert np.all(_minutes(wide, o, d, modes="road") <= base + 1e-9)


def test_change_service_faster_never_worsens_station_to_station(tmp_path, base_2026):
    svc = next(s for s, r in sorted(base_2026.graph["services"].items()) if r["mode"] == "rail" and not r.get("trips"))
    o = [base_2026.graph["services"][svc]["stops"][0]]
    G = _scenario(
        tmp_path, f"  - change_service: {{service: {base_2026.graph['services'][svc]['base_id']}, speed_kmh: 350}}\n"
    )
    a = _minutes(base_2026, "武汉", "circle", modes="rail", measure="station_to_station")
    b = _minutes(G, "武汉", "circle", modes="rail", measure="station_to_station")
    assert o and np.all(b <= a + 1e-9)


def test_a_new_station_joins_its_place_and_is_used(tmp_path, base_2026):
    G = _scenario(
        tmp_path,
        "  - add_service:\n      id: test_new\n      stations: [rs_luotian_new, 汉口]\n      speed_kmh: 250\n"
        "      headway_min: 30\n"
        "      new_stations: {rs_luotian_new: {name: 罗田新站, lon: 115.40, lat: 30.78, place: 罗田县}}\n",
    )
    assert G.nodes["station:rs_luotian_new"]["place"] == "luotian"
    assert G.nodes["station:rs_luotian_new"]["city"] == "huanggang"
    before = _minutes(base_2026, "罗田", "汉口", modes="rail", measure="station_to_station")
    after = _minutes(G, "罗田", "汉口", modes="rail", measure="station_to_station")
    assert after[0] <= before[0] and after[0] < INF


def test_station_to_station_between_different_places_is_never_0_unless_they_share_a_station(base_2026):
    from commute.results.shared_stations import shared_pairs
    from commute.results.travel import endpoints

    names = "麻城,罗田,浠水,英山,红安,团风,黄州,武穴"
    df = travel_times(base_2026, names, names, modes="rail", measure="station_to_station")
    eps = {e.key: e for e in endpoints(base_2026, names)}
    for r in df.itertuples():
        if r.origin_id != r.destination_id and r.minutes == 0:
            assert shared_pairs([eps[r.origin_id]], [eps[r.destination_id]]), (r.origin, r.destination)
