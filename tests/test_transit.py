"""The departure-time engine on hand-built graphs whose answers are computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commute.errors import InvalidOptionError
from commute.model.trips import departures, service_trips
from commute.search import api, itinerary
from commute.search import transit as T
from commute.search.daytrip import day_trip

from .helpers import access, add_place, add_station, empty_graph, ep, road, service


def line(G, sid, stops, runs, deps, dwells=None, mode="rail"):
    service(G, sid, stops, runs, headway=60.0, dwells=dwells, mode=mode)
    G.graph["services"][sid]["departures"] = list(deps)


def two_places(t_in=5.0, t_out=5.0):
    G = empty_graph(transfer_penalty=10.0)
    for p in ("A", "B", "C"):
        add_place(G, p)
    for s in ("S1", "S2", "S3"):
        add_station(G, s)
    access(G, "A", "S1", t_in, t_out)
    access(G, "B", "S2", t_in, t_out)
    access(G, "C", "S3", t_in, t_out)
    return G


def minutes(G, o, d, *, measure="door_to_door", modes="rail", **q):
    eng = api.compile_engine(G, modes, measure, T.Query(**q))
    return float(api.matrix(eng, [o], [d])[0, 0])


A, B, C = ep("A", ["S1"]), ep("B", ["S2"]), ep("C", ["S3"])


def test_waiting_for_the_next_departure_counts_door_to_door():
    G = two_places()
    line(G, "L", ["S1", "S2"], [20.0], [480.0, 510.0])
    # leave A at 08:00, at S1 08:05, the 08:00 train has gone: 08:30, arrive 08:50, at B 08:55
    assert minutes(G, A, B, depart=480.0) == pytest.approx(55.0)
    # leave at 08:25: at S1 08:30 just in time
    assert minutes(G, A, B, depart=505.0) == pytest.approx(25.0 + 5.0)


def test_station_to_station_has_no_first_wait():
    G = two_places()
    line(G, "L", ["S1", "S2"], [20.0], [480.0, 510.0, 700.0])
    assert minutes(G, A, B, measure="station_to_station") == pytest.approx(20.0)


def test_boarding_mid_line_pays_no_dwell():
    G = two_places()
    line(G, "L", ["S1", "S2", "S3"], [20.0, 20.0], [480.0], dwells=[0.0, 2.0])
    # the train leaves S2 at 08:22 and reaches S3 at 08:42: 20 minutes, not 22
    assert minutes(G, B, C, measure="station_to_station") == pytest.approx(20.0)
    assert minutes(G, A, C, measure="station_to_station") == pytest.approx(42.0)


def test_transfer_time_at_a_station():
    G = two_places()
    line(G, "L1", ["S1", "S2"], [20.0], [480.0])  # arrives S2 08:20
    line(G, "L2", ["S2", "S3"], [10.0], [505.0, 515.0])  # 08:25 is too soon with 10 min to change
    assert minutes(G, A, C, measure="station_to_station") == pytest.approx(35.0 + 10.0)
    # with no transfer time the 08:25 connection works
    assert minutes(G, A, C, measure="station_to_station", transfer_penalty=0.0) == pytest.approx(35.0)


def test_percentiles_over_a_window_by_hand():
    G = two_places(t_in=0.0, t_out=0.0)
    line(G, "L", ["S1", "S2"], [10.0], [482.0, 484.0])
    # departures 08:00..08:04: waits 2,1,0,1,0 then ride 10 -> 12, 11, 10, 11, 10 (08:04 boards at 08:04)
    times = np.array([12.0, 11.0, 10.0, 11.0, 10.0])
    kw = {"depart": (480.0, 484.0), "step": 1.0}
    assert minutes(G, A, B, statistic="median", **kw) == pytest.approx(np.median(times))
    assert minutes(G, A, B, statistic="mean", **kw) == pytest.approx(times.mean())
    assert minutes(G, A, B, statistic="fastest", **kw) == pytest.approx(10.0)
    assert minutes(G, A, B, statistic="p80", **kw) == pytest.approx(np.percentile(times, 80))
    eng = api.compile_engine(G, "rail", "door_to_door", T.Query(**kw))
    assert T.distinct_journeys(eng, [A], [B])[0, 0] == 2


def test_no_journey_is_nan_never_a_made_up_wait():
    G = two_places()
    line(G, "L", ["S1", "S2"], [20.0], [480.0])
    assert math.isnan(minutes(G, A, C))
    assert math.isnan(minutes(G, A, C, measure="station_to_station"))


def test_overnight_trip_and_the_next_days_first_train():
    G = two_places(t_in=0.0, t_out=0.0)
    line(G, "L", ["S1", "S2"], [40.0], [1430.0, 420.0])  # 23:50 -> 00:30 next day; 07:00
    assert minutes(G, A, B, depart=1420.0) == pytest.approx(50.0)
    # at 23:55 the last train has gone: the next one is 07:00 tomorrow
    assert minutes(G, A, B, depart=1435.0) == pytest.approx(1440.0 - 1435.0 + 420.0 + 40.0)
    # a trip running past midnight, boarded after midnight (yesterday's train)
    line(G, "N", ["S2", "S3"], [30.0], [1450.0])  # 00:10 next day
    assert minutes(G, B, C, depart=5.0) == pytest.approx(35.0)


def test_door_to_door_takes_the_road_when_it_is_faster():
    G = two_places()
    for p in ("A", "B"):
        G.add_node(f"road:{p}", kind="junction", id=p, name=p, lon=0.0, lat=0.0)
    G.add_edge("place:A", "road:A", key="access", kind="access", mode="access", minutes=1.0)
    G.add_edge("road:B", "place:B", key="access", kind="access", mode="access", minutes=1.0)
    road(G, "road:A", "road:B", 30.0)
    line(G, "L", ["S1", "S2"], [20.0], [480.0])
    assert minutes(G, A, B, modes="road,rail", depart=480.0) == pytest.approx(32.0)
    assert minutes(G, A, B, modes="rail", depart=475.0) == pytest.approx(30.0)
    _, legs = itinerary.best_trip(api.compile_engine(G, "road,rail", None, T.Query(depart=480.0)), A, B)
    assert [leg.kind for leg in legs] == ["access", "road", "access"]


def test_itinerary_has_clock_times_and_recomputes_to_the_total():
    G = two_places()
    line(G, "L1", ["S1", "S2"], [20.0], [480.0])
    line(G, "L2", ["S2", "S3"], [10.0], [515.0])
    G.graph["services"]["L1"]["trips"] = None
    eng = api.compile_engine(G, "rail", "door_to_door", T.Query(depart=470.0))
    total, legs = itinerary.best_trip(eng, A, C)
    assert total == pytest.approx(470.0 - 470.0 + (525.0 + 5.0 - 470.0))
    assert sum(leg.minutes for leg in legs) == pytest.approx(total)
    rides = [leg for leg in legs if leg.kind == "ride"]
    assert [(r.depart, r.arrive) for r in rides] == [(480.0, 500.0), (515.0, 525.0)]
    assert "08:00" in rides[0].describe(G)


def test_real_trips_are_retimed_by_a_changed_hop_and_keep_times_at_closed_stops():
    G = two_places()
    service(G, "R", ["S1", "S2", "S3"], [20.0, 20.0], headway=540.0, dwells=[0.0, 2.0])
    rec = G.graph["services"]["R"]
    rec["trips"] = [{"trip_id": "G1", "train_no": "G1", "arr": [480.0, 500.0, 522.0], "dep": [480.0, 502.0, 522.0]}]
    e = G["station:S2"]["station:S3"]["R#2"]
    e["base_run_min"], e["minutes"] = 20.0, 15.0  # an upgrade saves 5 minutes on the second hop
    (trip,) = service_trips(G, "R")
    assert trip.arr == (480.0, 500.0, 517.0) and trip.train_no == "G1"
    rec["trips"][0]["stations"] = ["S1", "S2", "S3"]
    rec["stops"] = ["S1", "S3"]  # S2 closed: the train keeps its own times at the others
    G.add_edge("station:S1", "station:S3", key="R#1", kind="ride", minutes=42.0, dwell_min=0.0)
    (trip,) = service_trips(G, "R")
    assert trip.stations == ("S1", "S3") and trip.arr[-1] == pytest.approx(522.0)


def test_headway_departures_are_spread_over_the_day():
    assert departures({"headway_min": 540.0}, {}) == [360.0 + 270.0, 360.0 + 810.0]
    with pytest.raises(InvalidOptionError):
        departures({"headway_min": 0.0, "name": "x"}, {})


def test_day_trip_uses_first_and_last_trains():
    G = two_places(t_in=0.0, t_out=0.0)
    line(G, "Out", ["S1", "S2"], [60.0], [420.0])  # 07:00 -> 08:00
    line(G, "Back", ["S2", "S1"], [60.0], [1020.0, 1230.0])  # 17:00 and 20:30 back
    eng = api.compile_engine(G, "rail", "door_to_door", T.Query())
    # leave 06:00, arrive 08:00, stay 8 h until 16:00, the 17:00 train, home 18:00: 12 h - 8 h = 4 h
    assert day_trip(eng, [A], [B], day_start=360.0, stay_min=480.0)[0, 0] == pytest.approx(240.0)
    # staying 10 h: leave at 18:00, the 20:30 train, home 21:30: 15.5 h - 10 h
    assert day_trip(eng, [A], [B], day_start=360.0, stay_min=600.0)[0, 0] == pytest.approx(330.0)


def test_bad_query_values_are_one_sentence():
    with pytest.raises(InvalidOptionError, match="ends before it starts"):
        T.parse_depart("09:00-07:00")
    with pytest.raises(InvalidOptionError, match="HH:MM"):
        T.parse_clock("8am")
    with pytest.raises(InvalidOptionError, match="statistic"):
        T.check_statistic("p200")
    assert T.parse_depart("07:00-09:00") == (420.0, 540.0)


def test_patched_engine_equals_a_rebuild_without_the_closed_parts():
    G = two_places(t_in=2.0, t_out=2.0)
    for p in ("A", "B", "C"):
        G.add_node(f"road:{p}", kind="junction", id=p, name=p, lon=0.0, lat=0.0)
        G.add_edge(f"place:{p}", f"road:{p}", key="access", kind="access", mode="access", minutes=1.0)
        G.add_edge(f"road:{p}", f"place:{p}", key="access", kind="access", mode="access", minutes=1.0)
    road(G, "road:A", "road:C", 70.0, key="ac")
    road(G, "road:B", "road:C", 30.0, key="bc")
    line(G, "L1", ["S1", "S2"], [20.0], [480.0, 540.0])
    line(G, "L2", ["S1", "S2"], [25.0], [500.0])
    line(G, "L3", ["S2", "S3"], [10.0], [520.0, 560.0])
    q = T.Query(depart=(470.0, 560.0), statistic="mean")
    ends = [A, B, C]
    eng = api.compile_engine(G, "road,rail", None, q)
    for drop_service, drop_link in (("L1", None), ("L3", None), (None, "bc"), ("L2", "ac")):
        H = G.copy()
        H.graph["services"] = {k: v for k, v in G.graph["services"].items() if k != drop_service}
        if drop_link:
            H.remove_edges_from([(a, b, k) for a, b, k in G.edges(keys=True) if k == drop_link])

        def drop(lab, s=drop_service, link=drop_link):
            return lab.service == s or (lab.kind == "road" and lab.key == link)

        patched = api.matrix(eng.without(drop), ends, ends)
        rebuilt = api.matrix(T.compile_transit(H, "road,rail", None, q), ends, ends)
        np.testing.assert_allclose(patched, rebuilt)
        assert not np.allclose(patched, api.matrix(eng, ends, ends), equal_nan=True)


def test_door_to_door_times_on_the_default_network_equal_an_unpruned_search():
    """The matrix prunes its transit search by target; an unpruned search gives the same times.

    Short trips (where pruning cuts most of the national network), long ones and a pair whose
    road is faster, from three origins at once.
    """
    import commute
    from commute.results.travel import endpoints

    G = commute.graph_for(year=2026)
    eng = api.compile_engine(G, None, "door_to_door", T.Query(depart=(420.0, 480.0), step=4.0))
    origins = endpoints(G, ["武汉", "黄石", "仙桃"])
    dests = endpoints(G, ["鄂州", "长沙", "北京", "咸宁"])
    got = T.journey_times(eng, origins, dests)
    deps = eng.query.departures(eng.measure)
    full, _ = T._access_rows(eng, origins)
    cols, eg = T._egress_cols(eng, dests)
    arr = T.arrivals(eng, origins, deps)  # no egress: every stop exact
    for i in range(len(origins)):
        road = np.where(cols >= 0, full[i, np.maximum(cols, 0)], np.inf)
        want = np.minimum(T._min_plus(arr[i], eg) - deps[:, None], road[None, :])
        np.testing.assert_array_equal(got[i], want)
        assert np.isfinite(want).all()
    # the transit search matters: some pair is faster than its road somewhere in the window
    roads = [np.where(cols >= 0, full[i, np.maximum(cols, 0)], np.inf) for i in range(len(origins))]
    assert any((g < r[None, :]).any() for g, r in zip(got, roads, strict=True))


def test_graphs_that_differ_in_roads_only_share_their_trips():
    """The trips are kept by schedule content: a road change reuses them, a ride time change does not."""
    from commute.model.scenario import copy_graph, graph_for
    from commute.results.travel import endpoints

    G = graph_for(year=2026)
    base = T.compile_transit(G, "road,rail")
    roads = copy_graph(G)
    u, v, k = next((u, v, k) for u, v, k, d in roads.edges(keys=True, data=True) if d.get("kind") == "road")
    roads.edges[u, v, k]["minutes"] *= 2
    shared = T.compile_transit(roads, "road,rail")
    assert shared.trips is base.trips
    rides = copy_graph(G)
    from commute.model.ids import hop_key, station_node

    sid, rec = next((s, r) for s, r in rides.graph["services"].items() if r["mode"] == "rail" and not r.get("trips"))
    rides.edges[station_node(rec["stops"][0]), station_node(rec["stops"][1]), hop_key(sid, 1)]["minutes"] += 30.0
    slower = T.compile_transit(rides, "road,rail")
    assert slower.trips is not base.trips and slower.trips != base.trips
    # the engine that reused the trips answers as one compiled from scratch
    from commute.search import transit_compile

    o, d = endpoints(roads, "武汉,孝感"), endpoints(roads, "黄石,长沙")
    reused = api.matrix(shared, o, d)
    transit_compile._TRIPS.clear()
    np.testing.assert_array_equal(api.matrix(T.compile_transit(roads, "road,rail"), o, d), reused)


@pytest.mark.parametrize("seed", range(3))
def test_egress_minimum_in_chunks_equals_the_dense_one(seed):
    """_min_plus works in blocks of departures over the stops some egress reaches: the dense product."""
    rng = np.random.default_rng(seed)
    for _ in range(50):
        t, s, d = rng.integers(1, 30, 3)
        a = np.where(rng.random((t, s)) < 0.3, np.inf, rng.random((t, s)) * 100)
        b = np.where(rng.random((s, d)) < 0.8, np.inf, rng.random((s, d)) * 50)
        np.testing.assert_array_equal(T._min_plus(a, b), (a[:, :, None] + b[None, :, :]).min(axis=1))
