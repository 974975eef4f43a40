"""The RAPTOR kernel against an independent brute-force search, and hand-computed cases."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commute.errors import InvalidOptionError, ValidationError
from commute.search.raptor import (
    TripSpec,
    build_timetable,
    earliest_arrival,
    egress_targets,
    journey,
    profile,
    profile_many,
)
from tests.conftest import shared_file

INF = np.inf


def brute_force(trips, n_stops, sources, *, rounds, transfers=(), min_transfer=None):
    """Earliest vehicle arrival with at most ``rounds`` rides, by a fixpoint over every trip.

    No routes, no FIFO assumption, no pruning, no reuse: round ``k`` tries every trip from the
    ready times of round ``k - 1``, boarding at the first position where pickup is allowed and
    the trip has not left yet (later positions of the same trip arrive no earlier).
    """
    mt = np.zeros(n_stops) if min_transfer is None else np.asarray(min_transfer, float)
    ready = np.full(n_stops, INF)
    for s, t in sources:
        ready[s] = min(ready[s], t)
    arrival = np.full(n_stops, INF)
    for _ in range(rounds):
        new_a = arrival.copy()
        for t in trips:
            stops = np.asarray(t.stops)
            ok = np.asarray(t.pickup) & (np.asarray(t.dep) >= ready[stops])
            if not ok.any():
                continue
            p0 = int(np.argmax(ok))
            q = (np.arange(len(stops)) > p0) & np.asarray(t.dropoff)
            np.minimum.at(new_a, stops[q], np.asarray(t.arr)[q])
        new_r = np.minimum(ready, new_a + mt)
        for f, to, m in transfers:
            new_r[to] = min(new_r[to], new_a[f] + m)
        arrival, ready = new_a, new_r
    return arrival


def trip(key, stops, times, pickup=None, dropoff=None, dwell=0.0):
    """A trip with arrival = ``times`` and departure = ``times + dwell`` (first/last: no dwell)."""
    arr = np.asarray(times, float)
    dep = arr + dwell
    dep[-1] = arr[-1]
    n = len(stops)
    return TripSpec(
        list(stops), arr, dep, [True] * n if pickup is None else pickup, [True] * n if dropoff is None else dropoff, key
    )


def random_timetable(seed, n_stops=14, n_lines=6, n_trips=70):
    rng = np.random.default_rng(seed)
    lines = [rng.choice(n_stops, size=int(rng.integers(2, 7)), replace=False) for _ in range(n_lines)]
    trips = []
    for key in range(n_trips):
        stops = lines[int(rng.integers(n_lines))]
        n = len(stops)
        hops = rng.integers(2, 15, size=n - 1).astype(float)  # trip-specific: trips overtake
        dwell = rng.choice([0.0, 0.5, 1.0, 2.0], size=n)
        arr = np.empty(n)
        dep = np.empty(n)
        arr[0] = dep[0] = float(rng.integers(0, 200))
        for p in range(1, n):
            arr[p] = dep[p - 1] + hops[p - 1]
            dep[p] = arr[p] + (dwell[p] if p < n - 1 else 0.0)
        pick = rng.random(n) > 0.15
        drop = rng.random(n) > 0.15
        trips.append(TripSpec(stops, arr, dep, pick, drop, key))
    transfers = [
        (int(a), int(b), float(rng.integers(1, 8))) for a, b in rng.integers(0, n_stops, size=(12, 2)) if a != b
    ]
    mt = rng.choice([0.0, 0.0, 1.0, 3.0], size=n_stops)
    return trips, transfers, mt


@pytest.mark.parametrize("seed", range(6))
def test_profile_equals_brute_force_on_random_timetables(seed):
    trips, transfers, mt = random_timetable(seed)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    rng = np.random.default_rng(100 + seed)
    src = rng.choice(14, size=3, replace=False)
    off = np.array([0.0, float(rng.integers(0, 10)), INF])
    deps = np.arange(0.0, 151.0)
    for rounds in (1, 2, 8):
        prof = profile(tt, src, off, deps, max_rounds=rounds)
        for i, d in enumerate(deps):
            expect = brute_force(
                trips,
                14,
                [(s, d + o) for s, o in zip(src, off, strict=True)],
                rounds=rounds,
                transfers=transfers,
                min_transfer=mt,
            )
            np.testing.assert_array_equal(prof[i], expect, err_msg=f"seed {seed} rounds {rounds} departure {d}")
            if i % 25 == 0:
                np.testing.assert_array_equal(earliest_arrival(tt, src, d + off, max_rounds=rounds), expect)
    many = profile_many(tt, [(src, off), (src[:1], off[:1]), (src[1:], off[1:])], deps, max_rounds=8)
    np.testing.assert_array_equal(many[0], profile(tt, src, off, deps))
    np.testing.assert_array_equal(many[1], profile(tt, src[:1], off[:1], deps))
    np.testing.assert_array_equal(many[2], profile(tt, src[1:], off[1:], deps))


def check_journey(tt, trips, legs, src_ready, arrival, target, mt, transfers):
    """Recompute a journey's times from the trips it names and check it is feasible."""
    by_key = {t.key: t for t in trips}
    foot = {(f, t): m for f, t, m in transfers}
    assert legs[-1].to_stop == target and legs[-1].kind == "ride"
    assert legs[-1].arr == arrival
    ready_at = dict(src_ready)
    first = legs[0]
    assert first.kind == "ride" and first.dep >= ready_at[first.from_stop]
    prev = None
    for leg in legs:
        if leg.kind == "ride":
            t = by_key[leg.trip_key]
            stops = list(t.stops)
            p = stops.index(leg.from_stop)
            q = p + 1 + stops[p + 1 :].index(leg.to_stop)
            assert t.pickup[p] and t.dropoff[q]
            assert (leg.dep, leg.arr) == (t.dep[p], t.arr[q])
            if prev is not None and prev.kind == "ride":
                assert prev.to_stop == leg.from_stop and leg.dep >= prev.arr + mt[leg.from_stop]
            elif prev is not None:
                assert prev.to_stop == leg.from_stop and leg.dep >= prev.arr
        else:
            assert prev is not None and prev.kind == "ride" and prev.to_stop == leg.from_stop
            assert leg.dep == prev.arr and leg.arr == prev.arr + foot[(leg.from_stop, leg.to_stop)]
        prev = leg


@pytest.mark.parametrize("seed", range(4))
def test_journeys_recompute_to_the_arrival_with_fewest_rides(seed):
    trips, transfers, mt = random_timetable(seed)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    src = [seed % 14, (seed + 5) % 14]
    for d in (0.0, 30.0, 61.5, 90.0):
        ready = [d, d + 4.0]
        arrival, state = earliest_arrival(tt, src, ready, return_state=True)
        for target in range(14):
            legs = journey(tt, state, target)
            if not np.isfinite(arrival[target]):
                assert legs == []
                continue
            check_journey(tt, trips, legs, zip(src, ready, strict=True), arrival[target], target, mt, transfers)
            rides = sum(leg.kind == "ride" for leg in legs)
            fewer = brute_force(
                trips, 14, zip(src, ready, strict=True), rounds=rides - 1, transfers=transfers, min_transfer=mt
            )
            assert fewer[target] > arrival[target]


def test_waiting_for_the_next_departure():
    trips = [trip(k, [0, 1], [t, t + 10]) for k, t in enumerate([10.0, 20.0, 30.0])]
    tt = build_timetable(trips, 2)
    assert profile(tt, [0], [0.0], [5.0, 10.0, 11.0, 20.0, 30.0, 31.0])[:, 1].tolist() == [20, 20, 30, 30, 40, INF]


def test_boarding_mid_line_pays_no_dwell():
    tt_trip = TripSpec([0, 1, 2], [0.0, 10.0, 30.0], [0.0, 12.0, 30.0], [True] * 3, [True] * 3, 5)
    tt = build_timetable([tt_trip], 3)
    a, st = earliest_arrival(tt, [1], [12.0], return_state=True)
    assert a.tolist() == [INF, INF, 30.0]
    assert journey(tt, st, 2) == [("ride", 5, 1, 2, 12.0, 30.0)]
    assert earliest_arrival(tt, [1], [12.5])[2] == INF


def test_overtaking_trips_are_split_into_fifo_routes():
    local = trip(1, [0, 1, 2], [0.0, 15.0, 30.0])
    express = trip(2, [0, 1, 2], [5.0, 12.0, 20.0])
    tt = build_timetable([local, express], 3)
    assert tt.n_routes == 2
    assert earliest_arrival(tt, [0], [0.0]).tolist() == [INF, 12.0, 20.0]


def test_overnight_trips_and_repeat_days():
    late = trip(1, [0, 1], [1430.0, 1480.0])  # 23:50 -> 00:40 the next day
    first = trip(2, [0, 1], [360.0, 400.0])  # 06:00 -> 06:40
    tt = build_timetable([late, first], 2)
    assert earliest_arrival(tt, [0], [1410.0])[1] == 1480.0
    assert earliest_arrival(tt, [0], [1435.0])[1] == INF  # no next day without repeat_days
    tt3 = build_timetable([late, first], 2, repeat_days=(-1, 0, 1))
    assert tt3.n_trips == 6
    a, st = earliest_arrival(tt3, [0], [1435.0], return_state=True)
    assert a[1] == 360.0 + 1440.0 + 40.0  # tomorrow's first train
    assert journey(tt3, st, 1)[0].trip_key == 2
    assert earliest_arrival(tt3, [0], [-15.0])[1] == 1480.0 - 1440.0  # yesterday's 23:50 train


def test_min_transfer_time_at_a_stop():
    trips = [trip(1, [0, 1], [0.0, 10.0]), trip(2, [1, 2], [12.0, 20.0]), trip(3, [1, 2], [20.0, 28.0])]
    for mt1, expect in ((2.0, 20.0), (3.0, 28.0), (10.0, 28.0), (10.5, INF)):
        tt = build_timetable(trips, 3, min_transfer=[0.0, mt1, 0.0])
        assert earliest_arrival(tt, [0], [0.0])[2] == expect, mt1
    # the source itself is ready at its own time, without a transfer time
    tt = build_timetable(trips, 3, min_transfer=[0.0, 5.0, 0.0])
    assert earliest_arrival(tt, [1], [12.0])[2] == 20.0


def test_a_footpath():
    trips = [trip(1, [0, 1], [0.0, 10.0]), trip(2, [2, 3], [15.0, 25.0]), trip(3, [2, 3], [14.0, 20.0])]
    tt = build_timetable(trips, 4, transfers=[(1, 2, 5.0)])
    a, st = earliest_arrival(tt, [0], [0.0], return_state=True)
    assert a.tolist() == [INF, 10.0, INF, 25.0]  # stop 2 is walked to, not arrived at by vehicle
    assert [leg.kind for leg in journey(tt, st, 3)] == ["ride", "transfer", "ride"]
    assert journey(tt, st, 3)[1] == ("transfer", -1, 1, 2, 10.0, 15.0)
    # footpaths are one-way
    assert earliest_arrival(build_timetable(trips, 4, transfers=[(2, 1, 5.0)]), [0], [0.0])[3] == INF


def test_pickup_and_dropoff_not_allowed():
    t = trip(1, [0, 1, 2], [0.0, 10.0, 20.0], pickup=[True, False, True], dropoff=[True, False, True])
    tt = build_timetable([t], 3)
    assert earliest_arrival(tt, [0], [0.0]).tolist() == [INF, INF, 20.0]
    assert earliest_arrival(tt, [1], [0.0]).tolist() == [INF, INF, INF]
    u = trip(2, [0, 1, 2], [30.0, 40.0, 50.0], pickup=[True, True, True], dropoff=[True, True, True])
    tt = build_timetable([t, u], 3)  # two patterns: two routes, each keeps its own restrictions
    assert tt.n_routes == 2
    assert earliest_arrival(tt, [1], [0.0]).tolist() == [INF, INF, 50.0]
    assert earliest_arrival(tt, [0], [0.0]).tolist() == [INF, 40.0, 20.0]


def test_unreachable_is_inf_and_empty_journey():
    tt = build_timetable([trip(1, [0, 1], [0.0, 10.0])], 3)
    a, st = earliest_arrival(tt, [0], [0.0], return_state=True)
    assert a[2] == INF and journey(tt, st, 2) == []
    assert np.isinf(profile(tt, [2], [0.0], [0.0, 1.0])).all()
    assert np.isinf(profile(tt, [0], [INF], [0.0])).all()  # an infinite offset is not a source


def test_bad_trips_are_named():
    good = trip(1, [0, 1], [0.0, 10.0])
    with pytest.raises(ValidationError, match="trip 7") as e:
        build_timetable([good, trip(7, [0, 1, 2], [0.0, 10.0, 5.0]), trip(8, [0], [0.0]), trip(9, [0, 5], [0, 1])], 3)
    text = str(e.value) + e.value.report()
    assert "trip 8" in text and "trip 9" in text and "back in time" in text
    with pytest.raises(ValidationError, match="back in time"):  # departure before arrival at a stop
        build_timetable([TripSpec([0, 1], [0.0, 5.0], [-1.0, 5.0], [True] * 2, [True] * 2, 3)], 2)
    with pytest.raises(InvalidOptionError):
        build_timetable([good], 2, min_transfer=[1.0])
    with pytest.raises(ValidationError, match="footpath"):
        build_timetable([good], 2, transfers=[(0, 4, 1.0)])
    with pytest.raises(InvalidOptionError):
        profile(build_timetable([good], 2), [0], [0.0], [0.0], max_rounds=0)


def gtfs_minutes(hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 60 + m + s / 60


def caltrain_weekday_trips():
    """Trips of Monday 2017-07-24 from the raw feed (read here, independently of io.gtfs)."""
    folder = shared_file("gtfs/caltrain_2017-07-24")
    cal = pd.read_csv(folder / "calendar.txt", dtype=str)
    dates = pd.read_csv(folder / "calendar_dates.txt", dtype=str)
    day = "20170724"
    on = set(cal[(cal.monday == "1") & (cal.start_date <= day) & (cal.end_date >= day)].service_id)
    ex = dates[dates.date == day]
    on |= set(ex[ex.exception_type == "1"].service_id)
    on -= set(ex[ex.exception_type == "2"].service_id)
    trips = pd.read_csv(folder / "trips.txt", dtype=str)
    trips = trips[trips.service_id.isin(on)]
    st = pd.read_csv(folder / "stop_times.txt", dtype=str)
    st = st[st.trip_id.isin(set(trips.trip_id))]
    stops = pd.read_csv(folder / "stops.txt", dtype=str)
    index = {sid: i for i, sid in enumerate(stops.stop_id)}
    out = []
    for key, (_tid, g) in enumerate(st.groupby("trip_id")):
        g = g.sort_values("stop_sequence", key=lambda c: c.astype(int))
        out.append(
            TripSpec(
                [index[s] for s in g.stop_id],
                np.array([gtfs_minutes(x) for x in g.arrival_time]),
                np.array([gtfs_minutes(x) for x in g.departure_time]),
                (g.pickup_type.fillna("0") != "1").to_numpy(),
                (g.drop_off_type.fillna("0") != "1").to_numpy(),
                key,
            )
        )
    # the feed has no transfers.txt and no parent stations; for the test, walk 3 min between
    # the two platforms (NB and SB) of one station name
    names = stops.stop_name
    transfers = [
        (index[a], index[b], 3.0)
        for a, na in zip(stops.stop_id, names, strict=True)
        for b, nb in zip(stops.stop_id, names, strict=True)
        if a != b and na == nb
    ]
    return out, len(stops), transfers


def test_profile_equals_brute_force_on_caltrain():
    trips, n, transfers = caltrain_weekday_trips()
    assert len(trips) > 50
    mt = np.full(n, 1.0)
    tt = build_timetable(trips, n, transfers=transfers, min_transfer=mt)
    assert len(transfers) > 40
    departing = np.bincount(np.concatenate([t.stops[:-1] for t in trips]), minlength=n)
    origins = [([int(s)], [0.0]) for s in np.argsort(-departing, kind="stable")[:3]]
    deps = np.arange(420.0, 481.0)  # 07:00-08:00, every minute
    many = profile_many(tt, origins, deps, max_rounds=4)
    for o, (src, off) in enumerate(origins):
        for i, d in enumerate(deps):
            expect = brute_force(trips, n, [(src[0], d + off[0])], rounds=4, transfers=transfers, min_transfer=mt)
            np.testing.assert_array_equal(many[o, i], expect, err_msg=f"origin {src} departure {d}")
        assert np.isfinite(many[o]).all(axis=0).sum() > n // 2  # most stops, every minute


@pytest.mark.parametrize("seed", range(3))
def test_interpreted_kernels_equal_the_compiled_ones(seed, monkeypatch):
    trips, transfers, mt = random_timetable(seed)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    src, off, deps = np.array([0, 5]), np.array([0.0, 3.0]), np.arange(0.0, 151.0)
    answers, legs = {}, {}
    for jit in ("never", "always"):
        monkeypatch.setenv("COMMUTE_JIT", jit)
        answers[jit] = (
            profile(tt, src, off, deps),
            profile_many(tt, [(src, off), (src[:1], off[:1])], deps),
            earliest_arrival(tt, src, 60.0 + off),
        )
        arrival, state = earliest_arrival(tt, src, 60.0 + off, return_state=True)
        legs[jit] = [journey(tt, state, s) for s in np.flatnonzero(np.isfinite(arrival))]
    for a, b in zip(answers["never"], answers["always"], strict=True):
        np.testing.assert_array_equal(a, b)
    # the interpreted kernels run on lists and copy the labels back: the legs read them
    assert legs["never"] == legs["always"]
    assert sum(len(j) for j in legs["never"]) > 0


def test_a_small_search_runs_interpreted_until_the_work_would_pay_for_numba(monkeypatch, tmp_path):
    from commute.search import raptor_core

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # nothing cached
    monkeypatch.delenv("COMMUTE_JIT", raising=False)
    monkeypatch.setattr(raptor_core, "_COMPILED", {})  # nothing compiled in this process
    monkeypatch.setattr(raptor_core, "_RUN_INTERPRETED", [0])
    monkeypatch.setattr(raptor_core, "compiled", lambda: {"compiled": True})
    fresh, cached = raptor_core.INTERPRETED_WORK, raptor_core.CACHED_WORK
    assert raptor_core.kernels("run_many", fresh) is raptor_core._INTERPRETED
    assert raptor_core.kernels("run_many", fresh + 1) is not raptor_core._INTERPRETED
    # the work run interpreted in this process counts: the next small query compiles
    assert raptor_core.kernels("run_many", 1) is not raptor_core._INTERPRETED
    # with numba's index of the current source in the cache, loading it pays sooner
    raptor_core._RUN_INTERPRETED[0] = 0
    fn = raptor_core._SOURCE["run_many"]
    src = Path(fn.__code__.co_filename).resolve()
    folder = tmp_path / f"{src.parent.name}_{hashlib.sha1(str(src.parent).encode()).hexdigest()}"
    folder.mkdir()
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    index = folder / f"raptor_core.run_many-{fn.__code__.co_firstlineno}.{tag}.nbi"
    index.write_bytes(b"")
    assert raptor_core.kernels("run_many", cached) is raptor_core._INTERPRETED
    assert raptor_core.kernels("run_many", 1) is not raptor_core._INTERPRETED
    # an index older than the source (an earlier edition of the file) is not a cache
    raptor_core._RUN_INTERPRETED[0] = 0
    os.utime(index, (src.stat().st_mtime - 60, src.stat().st_mtime - 60))
    assert raptor_core.kernels("run_many", cached + 1) is raptor_core._INTERPRETED


def test_one_compiled_signature_whatever_the_road_matrix_layout(monkeypatch):
    """A Fortran-ordered road matrix would make numba compile run_many a second time (15 s)."""
    monkeypatch.setenv("COMMUTE_JIT", "always")
    trips, transfers, mt = random_timetable(1)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    origins = [(np.array([0]), np.array([0.0])), (np.array([5]), np.array([2.0]))]
    eg = np.full((14, 2), np.inf)
    eg[[3, 9], [0, 1]] = 4.0
    from commute.search import raptor_core

    for road in (np.full((2, 2), 500.0), np.asfortranarray(np.full((2, 2), 500.0))):
        profile_many(tt, origins, np.arange(0.0, 30.0), targets=egress_targets(eg, road))
    sigs = raptor_core.compiled()["run_many"].signatures
    assert sigs and all(sig[-1].layout == "C" and sig[-2][1].layout == "C" for sig in sigs)


def _through_egress(arr, egress, road, deps):
    """``min(road, min_s arr[o, t, s] + egress[s, j] - t)``: what a matrix reads of the arrivals."""
    best = (arr[:, :, :, None] + egress[None, None, :, :]).min(axis=2) - deps[None, :, None]
    return np.minimum(best, road[:, None, :])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("jit", ["never", "always"])
def test_target_pruning_changes_no_answer_through_the_egress(seed, jit, monkeypatch):
    """Pruned by target, the arrivals give the same journey times as the full search.

    Random egress (some stops end nowhere, some destinations are near a stop), road times from
    none to short, one to three destinations: a pruning bound that is too tight (a label
    dropped that could still improve a destination) or reset wrongly between departures
    changes some time here.
    """
    monkeypatch.setenv("COMMUTE_JIT", jit)
    trips, transfers, mt = random_timetable(seed)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    rng = np.random.default_rng(500 + seed)
    n_d = int(rng.integers(1, 4))
    egress = np.where(rng.random((14, n_d)) < 0.3, rng.integers(0, 20, size=(14, n_d)).astype(float), INF)
    origins = [(rng.choice(14, size=2, replace=False), rng.integers(0, 6, size=2).astype(float)) for _ in range(3)]
    road = np.where(rng.random((3, n_d)) < 0.5, rng.integers(20, 200, size=(3, n_d)).astype(float), INF)
    deps = np.arange(0.0, 181.0, 3.0)
    full = profile_many(tt, origins, deps)
    pruned = profile_many(tt, origins, deps, targets=egress_targets(egress, road))
    want = _through_egress(full, egress, road, deps)
    np.testing.assert_array_equal(_through_egress(pruned, egress, road, deps), want)
    assert np.isfinite(want).any()
    # every label kept is a real journey: never earlier than the full search's
    assert (pruned >= full).all()


def test_target_pruning_does_less_work():
    """On a line of 40 stops, a destination at the second stop stops the search there."""
    trips = [trip(k, list(range(40)), 10.0 * k + np.arange(40.0) * 5.0) for k in range(10)]
    tt = build_timetable(trips, 40)
    egress = np.full((40, 1), INF)
    egress[1, 0] = 0.0
    deps = np.array([0.0])
    full = profile_many(tt, [([0], [0.0])], deps)
    pruned = profile_many(tt, [([0], [0.0])], deps, targets=egress_targets(egress, np.full((1, 1), INF)))
    assert pruned[0, 0, 1] == full[0, 0, 1] == 5.0
    assert np.isfinite(full[0, 0]).sum() == 39 and np.isfinite(pruned[0, 0]).sum() == 1


def test_targets_of_another_shape_are_refused():
    trips, transfers, mt = random_timetable(0)
    tt = build_timetable(trips, 14, transfers=transfers, min_transfer=mt)
    targets = egress_targets(np.zeros((14, 2)), np.zeros((2, 2)))
    with pytest.raises(InvalidOptionError, match="one road row per origin"):
        profile_many(tt, [([0], [0.0])], [0.0], targets=targets)


@pytest.mark.parametrize("seed", range(4))
def test_trips_checked_at_once_agree_with_the_one_by_one_check(seed):
    """The vectorised check lets through exactly what the per-trip one does; its messages are that one's."""
    from commute.search.raptor_timetable import _check_each, _check_trips

    rng = np.random.default_rng(seed)
    for _ in range(40):
        trips = []
        for key in range(int(rng.integers(1, 6))):
            n = int(rng.integers(1, 5))
            arr = np.cumsum(rng.random(n) * 10)
            dep = arr + rng.random(n) * 2
            stops = rng.integers(0, 8, n)
            flaw = rng.integers(0, 8)
            if flaw == 0:
                dep[-1] = arr[-1] - 1.0  # leaves before it arrives
            elif flaw == 1:
                arr[-1] = dep[0] - 1.0 if n > 1 else arr[-1]  # back in time
            elif flaw == 2:
                stops[0] = 9  # not a stop
            elif flaw == 3:
                arr[0] = np.nan
            trips.append(TripSpec(stops, arr, dep, [True] * n, [True] * n, key))
        try:
            expect = _check_each(trips, 9 if seed % 2 else 10)
        except ValidationError as e:
            with pytest.raises(ValidationError) as got:
                _check_trips(trips, 9 if seed % 2 else 10)
            assert str(got.value) == str(e)
            continue
        got = _check_trips(trips, 9 if seed % 2 else 10)
        assert len(got) == len(expect)
        for a, b in zip(got, expect, strict=True):
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y)
