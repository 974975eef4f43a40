"""The departure-time options of `commute matrix` and the `commute trip` itinerary."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from commute.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--depart", "09:00-07:00"], "ends before it starts"),
        (["--depart", "8am"], "is not HH:MM"),
        (["--statistic", "p200"], "unknown statistic"),
        (["--step", "0"], "step"),
        (["--transfer-penalty", "-3"], "--transfer-penalty -3 is out of range"),
    ],
)
def test_bad_departure_options_are_one_sentence(capsys, args, message):
    code, out, err = run(capsys, "matrix", "--origins", "武汉", "--destinations", "黄石", "--modes", "rail", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_matrix_window_statistics_are_ordered(capsys):
    base = ["matrix", "--origins", "武汉", "--destinations", "黄石,长沙,孝感", "--modes", "rail"]
    vals = {}
    for stat in ("fastest", "median", "p90"):
        code, out, _ = run(capsys, *base, "--depart", "07:00-09:00", "--statistic", stat)
        assert code == 0
        vals[stat] = pd.read_csv(io.StringIO(out))["minutes"].to_numpy()
    assert (vals["fastest"] <= vals["median"]).all() and (vals["median"] <= vals["p90"]).all()
    # station to station without a window: the fastest train of the day, no first wait
    code, out, _ = run(capsys, *base, "--measure", "station_to_station")
    s2s = pd.read_csv(io.StringIO(out))["minutes"].to_numpy()
    assert (s2s < vals["fastest"]).all()


def test_trip_prints_an_itinerary_with_clock_times(capsys):
    code, out, _ = run(capsys, "trip", "武汉", "黄石", "--modes", "rail", "--depart", "08:00", "--format", "csv")
    assert code == 0
    legs = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(legs.columns)[:6] == ["mode", "train", "from", "to", "depart", "arrive"]
    assert legs["depart"].iloc[0] == "08:00"
    assert "ride" in set(legs["kind"])
    to_min = [int(h) * 60 + int(m[:2]) for h, m in (x.split(":") for x in legs["arrive"])]
    assert to_min == sorted(to_min)  # clock times go forward
    assert legs["minutes"].sum() == pytest.approx(to_min[-1] - 480, abs=0.1 * len(legs))


def test_a_mode_the_network_lacks_is_an_error(capsys):
    code, out, err = run(capsys, "trip", "武汉", "黄石", "--modes", "bus", "--depart", "08:00")
    assert code == 2 and out == "" and "no bus services" in err


def test_a_gtfs_network_routes_between_stops_by_id(capsys, tmp_path):
    from .conftest import shared_file

    feed = shared_file("gtfs/caltrain_2017-07-24/stops.txt").parent
    net = tmp_path / "caltrain"
    assert main(["gtfs", "import", str(feed), "--date", "2017-07-24", "-o", str(net)]) == 0
    capsys.readouterr()
    args = ["--network", str(net), "--modes", "transit", "--format", "csv"]
    code, out, _ = run(capsys, "trip", "stop:70012", "stop:70262", "--depart", "07:30", *args)
    assert code == 0
    legs = pd.read_csv(io.StringIO(out), keep_default_na=False)
    ride = legs[legs["kind"] == "ride"].iloc[0]
    assert ride["from"] == "San Francisco Caltrain" and ride["to"] == "San Jose Diridon Caltrain"
    # the northbound platform at the terminus has no departure and the feed links no platforms
    code, out, _ = run(capsys, "matrix", "--origins", "stop:70011", "--destinations", "stop:70262", *args)
    assert code == 0 and pd.read_csv(io.StringIO(out))["minutes"].isna().all()
