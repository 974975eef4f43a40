"""The national RailwayVIS timetable reader and the rule mapping its city stops to stations."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from commute.errors import ValidationError
from commute.io.railwayvis import RvStop, RvTrip, read_railwayvis, train_class

from .conftest import NETWORK, ROOT, shared_file

sys.path.insert(0, str(ROOT / "tools"))
import rail_trips

NATIONAL = "rail/timetable_china_2021-01_railwayvis.json"


@pytest.fixture(scope="module")
def national():
    return read_railwayvis(shared_file(NATIONAL))


def test_reader_on_the_real_file(national):
    assert len(national) == 6795
    g642 = next(t for t in national if t.train_no == "G642")
    assert g642.train_class == "G" and (g642.start, g642.end) == ("兰州西", "南昌西")
    wuhan, huangshi = g642.stops[g642.cities.index("武汉")], g642.stops[g642.cities.index("黄石")]
    assert huangshi.arrival_min - wuhan.departure_min == 31  # 16:34 -> 17:05
    assert (wuhan.arrival_min, wuhan.departure_min) == (16 * 60 + 23, 16 * 60 + 34)
    # every train: times monotone along the route, across midnight (hours >= 24 kept)
    for t in national:
        times = [x for s in t.stops for x in (s.arrival_min, s.departure_min)]
        assert times == sorted(times), t.train_no
    k1270 = next(t for t in national if t.train_no == "K1270")  # 万州 24:23, 福州 43:35
    assert k1270.stops[-1].arrival_min == 43 * 60 + 35 and k1270.stops[2].departure_min == 24 * 60 + 23
    assert sum(len(t.stops) for t in national) == 30991


def test_train_class_from_number_then_service():
    assert train_class("高速动车", "G1") == "G"
    assert train_class("城际动车", "C5521") == "C"
    assert train_class("普快", "4311") == "other"
    assert train_class("直达特快", "Z11") == "Z"


def _write(tmp_path, data):
    p = tmp_path / "tt.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def _train(route):
    return {"service": "高速动车", "start": "武汉", "end": "黄石北", "route": route}


@pytest.mark.parametrize(
    ("route", "needle"),
    [
        (
            [
                {"city": "武汉", "arrival": "-", "departure": "8:00"},
                {"city": "鄂州", "arrival": "7:50", "departure": "-"},
            ],
            "times go backwards at stop 2",
        ),
        (
            [
                {"city": "武汉", "arrival": "-", "departure": "8h00"},
                {"city": "鄂州", "arrival": "8:20", "departure": "-"},
            ],
            "time '8h00' is not",
        ),
        ([{"city": "武汉", "arrival": "-", "departure": "8:00"}], "fewer than two stops"),
        (
            [{"city": "武汉", "arrival": "-", "departure": "8:00"}, {"city": "鄂州", "arrival": "-", "departure": "-"}],
            "has no arrival",
        ),
    ],
)
def test_malformed_train_names_the_train_and_file(tmp_path, route, needle):
    p = _write(
        tmp_path,
        {
            "G9": _train(
                [{"city": "x", "arrival": "-", "departure": "1:00"}, {"city": "y", "arrival": "1:30", "departure": "-"}]
            ),
            "G7001": _train(route),
        },
    )
    with pytest.raises(ValidationError) as ei:
        read_railwayvis(p)
    assert len(ei.value.problems) == 1
    msg = str(ei.value.problems[0])
    assert "train G7001" in msg and str(p) in msg and needle in msg


def test_past_midnight_and_open_ends(tmp_path):
    p = _write(
        tmp_path,
        {
            "K1": {
                "service": "快速",
                "start": "a",
                "end": "b",
                "route": [
                    {"city": "甲", "arrival": "23:10", "departure": "23:40"},  # the route starts mid-run
                    {"city": "乙", "arrival": "25:05", "departure": "25:15"},
                    {"city": "丙", "arrival": "26:00", "departure": "26:30"},
                ],
            }
        },
    )
    (t,) = read_railwayvis(p)
    assert [(s.arrival_min, s.departure_min) for s in t.stops] == [(1390, 1420), (1505, 1515), (1560, 1590)]


# --- the mapping rule, on hand-made trains over the real network tables --------------------------
@pytest.fixture(scope="module")
def mapper(national):
    st = pd.read_csv(NETWORK / "stations.csv", dtype=str, keep_default_na=False)
    st["opened"] = st["opened"].astype(int)
    places = pd.read_csv(NETWORK / "places.csv", dtype=str, keep_default_na=False)
    cities = pd.read_csv(NETWORK / "cities.csv", dtype=str, keep_default_na=False)
    import yaml

    cfg = yaml.safe_load((NETWORK / "sources" / "services.yaml").read_text(encoding="utf-8"))
    svcs = [(s["class"], [str(x).partition("@")[0] for x in s["stops"]]) for s in cfg["services"] if "project" not in s]
    return rail_trips.StationMapper(st, places, cities, svcs, national)


def _rv(no, cls, start, end, cities):
    stops = tuple(RvStop(c, 600.0 + 60 * i, 602.0 + 60 * i) for i, c in enumerate(cities))
    return RvTrip(no, cls, "", start, end, stops)


def test_terminus_names_map_to_their_station(mapper):
    t = mapper.map_trip(_rv("K9", "K", "武昌", "广州", ["武汉", "长沙", "广州"]))
    assert (t.stops[0].station, t.stops[0].rule) == ("rs_wuchang", "terminus")
    # 长沙 for a conventional train is 长沙 (the bare-name station), not 长沙南
    assert t.stops[1].station == "rs_changsha"
    # 广州's only network station is 广州南, where no conventional train starts or ends: left out
    assert [s.city for s in t.stops] == ["武汉", "长沙"]


def test_through_train_uses_the_city_station_of_its_class(mapper):
    # a G train through 武汉 and 黄石 (no terminus there): 黄石北 is 黄石's only high-speed station
    t = mapper.map_trip(_rv("G9", "G", "兰州西", "南昌西", ["郑州", "武汉", "黄石", "南昌"]))
    got = {s.city: (s.station, s.rule) for s in t.stops}
    assert got["黄石"] == ("rs_huangshibei", "city")
    assert got["郑州"] == ("rs_zhengzhoudong", "city")
    assert got["南昌"] == ("rs_nanchangxi", "terminus")
    assert got["武汉"][0] == "rs_wuhan" and got["武汉"][1] == "line"  # G trains from 武汉 toward 黄石


def test_city_without_evidence_is_an_estimate(mapper):
    # 鄂州 has several stations; between two cities no named train links it to, the bare-name
    # station is taken and marked as an estimate
    t = mapper.map_trip(_rv("C9", "C", "某站", "另站", ["北京", "鄂州", "上海"]))
    (ez,) = [s for s in t.stops if s.city == "鄂州"]
    assert (ez.station, ez.rule) == ("rs_ezhou", "estimate")
    rt = rail_trips.RealTrip("C9", "C", t.stops, ["x"])
    assert rt.source().startswith("estimate:")


def test_a_city_the_network_lacks_is_left_out(mapper):
    t = mapper.map_trip(_rv("G8", "G", "信阳东", "武汉", ["信阳", "武汉"]))
    assert [s.city for s in t.stops] == ["武汉"]
