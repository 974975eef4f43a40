from __future__ import annotations

import datetime as dt

import pytest

from commute.io import timetable as tt

from .conftest import shared_file

WED = dt.date(2021, 1, 20)


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("", True),
        (None, True),
        ("210120-27", True),
        ("210121-27", False),
        ("!210211-13", True),
        ("!210120", False),
        ("w5671", False),  # Wednesday is 3
        ("w234", True),
        ("w7126210123-0209|20", False),
        ("w12346210128-0210|15-20", False),
        ("210120-0203|05-06|09-16|18-20", True),
        ("210122|28-0220", False),
        ("210120|22|29-0220", True),
        ("双210122-24", False),
        ("b100210203-09", False),
    ],
)
def test_runs_on(flag, expected):
    assert tt.runs_on(flag, WED) is expected


def test_runs_on_cycle_and_even_days():
    assert tt.runs_on("b100210203-09", dt.date(2021, 2, 3))
    assert not tt.runs_on("b100210203-09", dt.date(2021, 2, 4))
    assert tt.runs_on("b100210203-09", dt.date(2021, 2, 6))
    assert tt.runs_on("双210122-24", dt.date(2021, 1, 22))
    assert not tt.runs_on("双210122-24", dt.date(2021, 1, 23))


def test_bad_flag_raises():
    with pytest.raises(ValueError, match="cannot read"):
        tt.runs_on("xyz", WED)


def _trip(tid, stops, cls="G"):
    return tt.Trip(tid, cls, tuple(tt.StopTime(s, km, a, d) for s, km, a, d in stops))


def test_stop_pair_services_hand_computed():
    trips = [
        _trip("T1", [("A", 0, 480, 480), ("B", 100, 510, 512), ("C", 250, 550, 550)]),
        _trip("T2", [("A", 0, 540, 540), ("C", 250, 600, 600)]),
    ]
    sp = tt.stop_pair_services(trips, service_day_min=1080).set_index(["from_station", "to_station"])
    assert sp.loc[("A", "C"), "trains_per_day"] == 2
    assert sp.loc[("A", "C"), "run_min"] == 65.0  # median of 70 and 60
    assert sp.loc[("A", "C"), "headway_min"] == 540.0
    assert sp.loc[("A", "B"), "trains_per_day"] == 1
    assert sp.loc[("A", "B"), "km"] == 100


def test_pattern_services_and_segments():
    trips = [
        _trip("T1", [("A", 0, 480, 480), ("B", 100, 510, 512), ("C", 250, 550, 550)]),
        _trip("T2", [("A", 0, 540, 540), ("B", 100, 572, 574), ("C", 250, 612, 612)]),
    ]
    ps = tt.pattern_services(trips, window_min=600)
    assert list(ps["trips"]) == [2]
    assert ps["headway_min"].iloc[0] == 300
    assert ps["run_min"].iloc[0] == "31;38"
    seg = tt.segments(trips)
    assert len(seg) == 4
    assert seg["dwell_min"].dropna().tolist() == [2.0, 2.0]


def test_reader_wraps_midnight(tmp_path):
    p = tmp_path / "tt.csv"
    p.write_text(
        "train,run_flag,class,seq,station,km,arr_min,dep_min,arr_hhmm,dep_hhmm\n"
        "Z1,,Z,1,A,0,1400,1400,23:20,23:20\n"
        "Z1,,Z,2,B,100,30,32,00:30,00:32\n",
        encoding="utf-8",
    )
    (trip,) = tt.read_stop_times_csv(p)
    assert trip.stops[1].arr == 1470
    assert tt.segments([trip])["run_min"].iloc[0] == 70


def test_reader_missing_column(tmp_path):
    p = tmp_path / "tt.csv"
    p.write_text("train,seq\nG1,1\n", encoding="utf-8")
    from commute.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="lacks column"):
        tt.read_stop_times_csv(p)


def test_real_timetable():
    path = shared_file("rail/timetable_beijing_guangzhou_hsr_2021-01-20.csv")
    all_trips = tt.read_stop_times_csv(path)
    day = tt.read_stop_times_csv(path, day=WED)
    assert len(all_trips) == 1065
    assert 600 < len(day) < len(all_trips)
    for t in day:  # times never go backwards
        times = [x for s in t.stops for x in (s.arr, s.dep)]
        assert times == sorted(times)
    sp = tt.stop_pair_services(day).set_index(["from_station", "to_station"])
    wc = sp.loc[("武汉", "长沙南")]
    assert wc["trains_per_day"] > 50
    assert 75 <= wc["run_min"] <= 100
    assert wc["km"] == 1591 - 1229
