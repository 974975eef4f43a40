"""GTFS feeds imported as trips: the real Caltrain feed and small hand-made feeds."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

from commute.cli import main
from commute.errors import DataNotFoundError, InvalidOptionError, ValidationError
from commute.io.gtfs import Feed, day_stop_times, route_mode
from commute.io.gtfs_network import DEFAULT_TRANSFER_MIN, feed_to_network, write_network
from commute.io.network import load_network

from .conftest import ROOT, shared_file

FEED = ROOT / "tests" / "data" / "gtfs_small"
MONDAY = dt.date(2026, 9, 28)
CALTRAIN = "gtfs/caltrain_2017-07-24"


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def independent_trip_count(folder, day):
    """Trips running on ``day``, counted with the csv module from the three calendar/trip files."""
    ymd = day.strftime("%Y%m%d")
    wd = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day.weekday()]
    on = {
        r["service_id"]
        for r in rows(folder / "calendar.txt")
        if r[wd] == "1" and r["start_date"] <= ymd <= r["end_date"]
    }
    for r in rows(folder / "calendar_dates.txt"):
        if r["date"] == ymd:
            (on.add if r["exception_type"] == "1" else on.discard)(r["service_id"])
    return sum(r["service_id"] in on for r in rows(folder / "trips.txt"))


def copy_feed(tmp_path, name="feed"):
    out = tmp_path / name
    shutil.copytree(FEED, out)
    return out


def write(path, text):
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("day", ["2017-07-24", "2017-07-29", "2017-07-30"])
def test_caltrain_trip_counts_match_an_independent_count(tmp_path, day):
    folder = shared_file(CALTRAIN)
    d = dt.date.fromisoformat(day)
    out = tmp_path / "caltrain"
    assert main(["gtfs", "import", str(folder), "--date", day, "-o", str(out)]) == 0
    trips = pd.read_csv(out / "trips.csv", dtype=str)
    expect = independent_trip_count(folder, d)
    assert len(trips) == expect and expect > 0
    assert trips["trip_id"].is_unique
    # the weekday removes the all-week Saturday service through calendar_dates
    if day == "2017-07-24":
        assert expect == 92 and trips["trip_id"].str.contains("Weekday").all()
    ts = pd.read_csv(out / "trip_stops.csv", dtype={"trip_id": str, "station_id": str})
    assert len(ts) == sum(r["trip_id"] in set(trips["trip_id"]) for r in rows(folder / "stop_times.txt"))


def test_caltrain_stop_times_of_train_371(tmp_path):
    folder = shared_file(CALTRAIN)
    tables, meta = feed_to_network(Feed(folder), dt.date(2017, 7, 24), name="caltrain")
    trips = tables["trips"].set_index("train_no")
    tid = trips.loc["371", "trip_id"]
    assert tid == "6512015-CT-17JUL-Combo-Weekday-01"
    ts = tables["trip_stops"][tables["trip_stops"]["trip_id"] == tid]
    # stop_times.txt lines 1218-1221: 16:45 San Jose Diridon, 16:57, 17:05, 17:11
    assert list(ts["station_id"].iloc[:4]) == ["70261", "70211", "70171", "70141"]
    assert list(ts["departure_min"].iloc[:4]) == [16 * 60 + 45, 16 * 60 + 57, 17 * 60 + 5, 17 * 60 + 11]
    assert list(ts["seq"]) == list(range(1, len(ts) + 1))
    svc = tables["service_stops"][tables["service_stops"]["service_id"] == trips.loc["371", "service_id"]]
    assert list(svc["station_id"]) == list(ts["station_id"])
    assert meta["kind"] == "gtfs" and meta["gtfs"]["currency"] == "USD" and meta["gtfs"]["agencies"] == ["Caltrain"]
    assert set(tables["trips"]["mode"]) == {"rail"}
    # every stop time of the feed allows boarding and alighting; the feed has no parent stations
    assert (tables["trip_stops"][["pickup", "dropoff"]] == 1).all().all()
    assert tables["transfers"].empty


def test_caltrain_network_loads_and_routes_like_the_raw_feed(tmp_path):
    """Trips read back from trip_stops.csv give the same earliest arrivals as the raw feed."""
    from commute.search.raptor import TripSpec, build_timetable, profile

    from .test_raptor import caltrain_weekday_trips

    raw, n, _ = caltrain_weekday_trips()
    out = tmp_path / "caltrain"
    tables, meta = feed_to_network(Feed(shared_file(CALTRAIN)), dt.date(2017, 7, 24), name="caltrain")
    write_network(tables, meta, out)
    net = load_network(out)  # validates
    assert net.tables["places"].empty and len(net.tables["stations"]) == 58
    stops = pd.read_csv(shared_file(CALTRAIN) / "stops.txt", dtype=str)
    index = {s: i for i, s in enumerate(stops["stop_id"])}
    ts = pd.read_csv(out / "trip_stops.csv", dtype={"trip_id": str, "station_id": str})
    mine = [
        TripSpec([index[s] for s in g["station_id"]], g["arrival_min"].to_numpy(), g["departure_min"].to_numpy(),
                 g["pickup"].to_numpy(bool), g["dropoff"].to_numpy(bool), k)
        for k, (_, g) in enumerate(ts.groupby("trip_id", sort=False))
    ]  # fmt: skip
    deps = np.arange(300.0, 1400.0, 7.0)
    for origin in (index["70261"], index["70012"]):
        a = profile(build_timetable(mine, n), [origin], [0.0], deps)
        b = profile(build_timetable(raw, n), [origin], [0.0], deps)
        np.testing.assert_array_equal(a, b)
        assert np.isfinite(a).any()


def test_small_feed_as_trips_and_zip(tmp_path):
    tables, meta = feed_to_network(Feed(FEED), MONDAY, name="small")
    assert len(tables["trips"]) == 14 and meta["gtfs"]["trips"] == 14
    svc = tables["services"].set_index("name_zh")
    assert svc.loc["S1", "mode"] == "rail" and svc.loc["7", "mode"] == "bus"
    assert svc.loc["S1", "trains_per_day"] == 8 and svc.loc["S1", "headway_min"] == 15.0
    assert svc.loc["S1", "first_dep_min"] == 420 and svc.loc["S1", "last_dep_min"] == 525
    ss = tables["service_stops"][tables["service_stops"]["service_id"] == svc.loc["S1", "service_id"]]
    assert list(ss["run_min"].iloc[1:]) == [12.0, 9.0] and ss["dwell_min"].iloc[1] == 1.0
    r1 = tables["trip_stops"][tables["trip_stops"]["trip_id"] == "R1_0"]
    assert r1[["arrival_min", "departure_min"]].to_numpy().tolist() == [[420, 420], [432, 433], [442, 442]]
    z = tmp_path / "feed.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in FEED.iterdir():
            f.write(p, f"inner/{p.name}")
    zt, _ = feed_to_network(Feed(z), MONDAY, name="small")
    pd.testing.assert_frame_equal(zt["trip_stops"], tables["trip_stops"])


def test_pickup_dropoff_frequencies_and_interpolation(tmp_path):
    feed = copy_feed(tmp_path)
    st = (FEED / "stop_times.txt").read_text(encoding="utf-8").splitlines()
    st[0] += ",pickup_type,drop_off_type"
    st = [st[0]] + [line + ",0,0" for line in st[1:]]
    st = [line.replace("R1_0,07:12:00,07:13:00,B,2,0,0", "R1_0,07:12:00,07:13:00,B,2,1,3") for line in st]
    st = [line.replace("R1_1,07:27:00,07:28:00,B,2,0,0", "R1_1,,,B,2,2,1") for line in st]
    st += ["F1,00:00:00,00:00:00,A,1,0,0", "F1,00:10:00,00:10:00,C,2,0,0"]
    write(feed / "stop_times.txt", "\n".join(st) + "\n")
    write(feed / "trips.txt", (FEED / "trips.txt").read_text(encoding="utf-8") + "B7,WK,F1\n")
    write(
        feed / "frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\nF1,23:30:00,24:30:00,1200,0\n"
    )
    t, _ = feed_to_network(Feed(feed), MONDAY, name="x")
    ts = t["trip_stops"].set_index(["trip_id", "seq"])
    assert tuple(ts.loc[("R1_0", 2), ["pickup", "dropoff"]]) == (0, 1)  # 1 = none; 3 = ask the driver: allowed
    assert tuple(ts.loc[("R1_1", 2), ["pickup", "dropoff"]]) == (1, 0)
    # blank times between 07:15 and 07:37: interpolated by stop count (no shape_dist_traveled)
    assert ts.loc[("R1_1", 2), "arrival_min"] == ts.loc[("R1_1", 2), "departure_min"] == 7 * 60 + 26
    expanded = sorted(i for i in t["trips"]["trip_id"] if i.startswith("F1"))
    assert expanded == ["F1@23:30:00", "F1@23:50:00", "F1@24:10:00"]  # end_time is exclusive
    assert ts.loc[("F1@24:10:00", 2), "arrival_min"] == 24 * 60 + 20
    assert "F1" not in set(t["trips"]["trip_id"])


def test_parent_station_transfers_and_transfers_txt(tmp_path):
    feed = copy_feed(tmp_path)
    write(feed / "stops.txt", "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
          "S,甲站,30.50,114.30,1,\nA,甲站 1,30.50,114.30,0,S\nA2,甲站 2,30.50,114.30,0,S\n"
          "B,乙站,30.52,114.40,0,\nC,丙站,30.55,114.48,0,\n")  # fmt: skip
    st = (FEED / "stop_times.txt").read_text(encoding="utf-8")
    write(feed / "stop_times.txt", st.replace("B7_0,07:00:00,07:00:00,A,1", "B7_0,07:00:00,07:00:00,A2,1"))
    write(feed / "transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
          "B,C,2,240\nC,B,3,\nA,A,2,120\nA2,A,1,\n")  # fmt: skip
    t, _ = feed_to_network(Feed(feed), MONDAY, name="x")
    tr = t["transfers"].set_index(["from_station", "to_station"])["min_transfer_min"].to_dict()
    assert tr == {("A", "A2"): DEFAULT_TRANSFER_MIN, ("A2", "A"): 0.0, ("B", "C"): 4.0, ("A", "A"): 2.0}
    src = t["transfers"].set_index(["from_station", "to_station"])["source"]
    assert "estimate" in src[("A", "A2")] and "transfers.txt line 2" in src[("B", "C")]
    assert "S" not in set(t["stations"]["station_id"])  # a parent station is not a stop


def test_bad_feeds_say_one_sentence_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "out"

    def fails(feed, date="2026-09-28", match=""):
        assert main(["gtfs", "import", str(feed), "--date", date, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert match in err, err
        assert not out.exists() and not list(tmp_path.glob(".out*"))

    fails(tmp_path / "nope", match="does not exist")
    fails(FEED, date="2030-01-07", match="runs from 2026-01-01 to 2026-12-31")
    fails(FEED, date="2026-10-01", match="no trip")  # removed by calendar_dates
    fails(FEED, date="28/09/2026", match="YYYY-MM-DD")
    broken = copy_feed(tmp_path, "broken")
    (broken / "stop_times.txt").unlink()
    fails(broken, match="lacks stop_times.txt")
    bad = copy_feed(tmp_path, "bad")
    st = (FEED / "stop_times.txt").read_text(encoding="utf-8")
    write(bad / "stop_times.txt", st.replace("R1_2,07:42:00,07:43:00,B,2", "R1_2,07:42:00,07:43:00,Q,2"))
    fails(bad, match="trip R1_2 stops at 'Q'")
    write(bad / "stop_times.txt", st.replace("R1_3,08:07:00,08:07:00,C,3", "R1_3,07:50:00,07:50:00,C,3"))
    fails(bad, match="trip R1_3 goes back in time at stop C")
    with pytest.raises(ValidationError, match="stop_times.txt:13"):
        day_stop_times(Feed(bad), MONDAY)
    with pytest.raises(DataNotFoundError):
        Feed(tmp_path / "missing")
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    assert main(["gtfs", "import", str(FEED), "--date", "2026-09-28", "-o", str(out)]) == 2
    assert "not a GTFS network" in capsys.readouterr().err and (out / "mine.txt").exists()


def test_reimport_replaces_a_gtfs_network(tmp_path, capsys):
    out = tmp_path / "g"
    assert main(["gtfs", "import", str(FEED), "--date", "2026-09-28", "-o", str(out)]) == 0
    assert "14 trips" in capsys.readouterr().out
    (out / "stale.csv").write_text("x\n")
    assert main(["gtfs", "import", str(FEED), "--date", "2026-09-29", "-o", str(out)]) == 0
    assert not (out / "stale.csv").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["g"]


def test_latin1_feed_is_read_with_a_warning(tmp_path):
    feed = copy_feed(tmp_path)
    (feed / "stops.txt").write_bytes(
        "stop_id,stop_name,stop_lat,stop_lon\nA,Gare Saint-Lazare é,30.50,114.30\nB,B,30.52,114.40\nC,C,30.55,114.48\n"
        .encode("latin-1")
    )  # fmt: skip
    (feed / "routes.txt").write_bytes(b"\xef\xbb\xbf" + (FEED / "routes.txt").read_bytes())  # a BOM
    with pytest.warns(UserWarning, match=r"stops.txt is not UTF-8"):
        f = Feed(feed)
    assert f.tables["stops"]["stop_name"].iloc[0] == "Gare Saint-Lazare é"
    assert f.tables["routes"].columns[0] == "route_id"


def test_route_modes():
    assert [route_mode(x)[0] for x in ("0", "1", "2", "3", "4", "5", "7", "11", "12")] == [
        "metro", "metro", "rail", "bus", "ferry", "metro", "metro", "bus", "metro"
    ]  # fmt: skip
    assert route_mode("101") == ("rail", "G") and route_mode("700")[0] == "bus" and route_mode("1200")[0] == "ferry"
    with pytest.raises(InvalidOptionError, match="route_type 99"):
        route_mode("99")
