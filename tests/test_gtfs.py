from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import pandas as pd
import pytest

from commute.cli import main
from commute.errors import DataNotFoundError, InvalidOptionError
from commute.io.gtfs import Feed, feed_to_tables, read_trips

from .conftest import ROOT

FEED = ROOT / "tests" / "data" / "gtfs_small"
MONDAY = dt.date(2026, 9, 28)


def test_services_match_the_feed():
    t = feed_to_tables(Feed(FEED), day=MONDAY, start_min=7 * 60, end_min=9 * 60)
    svc = t["services"].set_index("name_zh")
    assert svc.loc["S1", "mode"] == "rail" and svc.loc["7", "mode"] == "bus"
    assert svc.loc["S1", "headway_min"] == pytest.approx(120 / 8)  # 8 trains in the 2-hour window
    assert svc.loc["7", "headway_min"] == pytest.approx(120 / 6)
    stops = t["service_stops"]
    rail = stops[stops["service_id"] == svc.loc["S1"].name if False else stops["service_id"].str.contains("R1")]
    assert list(rail["station_id"]) == ["gtfs_A", "gtfs_B", "gtfs_C"]
    assert list(rail["run_min"].iloc[1:]) == [12.0, 9.0]
    assert rail["dwell_min"].iloc[1] == 1.0
    assert set(t["stations"]["name_zh"]) == {"甲站", "乙站", "丙站"}


def test_calendar_and_window():
    feed = Feed(FEED)
    assert feed.services_on(MONDAY) == {"WK"}
    assert feed.services_on(dt.date(2026, 10, 3)) == set()  # a Saturday
    assert feed.services_on(dt.date(2026, 10, 1)) == set()  # removed by calendar_dates
    assert len(read_trips(feed, day=MONDAY, start_min=7 * 60, end_min=7 * 60 + 30)) == 2 + 2
    with pytest.raises(InvalidOptionError, match="no trip"):
        feed_to_tables(feed, day=dt.date(2026, 10, 1))


def test_zip_feed_and_shared_aggregator(tmp_path):
    z = tmp_path / "feed.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in FEED.iterdir():
            f.write(p, p.name)
    a = feed_to_tables(Feed(z), day=MONDAY)
    b = feed_to_tables(Feed(FEED), day=MONDAY)
    assert a["services"]["headway_min"].tolist() == b["services"]["headway_min"].tolist()


def test_bad_feeds(tmp_path):
    with pytest.raises(DataNotFoundError):
        Feed(tmp_path / "nope")
    broken = tmp_path / "broken"
    shutil.copytree(FEED, broken)
    (broken / "stop_times.txt").unlink()
    with pytest.raises(InvalidOptionError, match="lacks stop_times.txt"):
        Feed(broken)


def test_cli_gtfs_import(tmp_path, capsys):
    out = tmp_path / "g"
    assert (
        main(
            ["gtfs", "import", str(FEED), "--date", "2026-09-28", "--start", "07:00", "--end", "09:00", "-o", str(out)]
        )
        == 0
    )
    assert "2 services" in capsys.readouterr().out
    assert pd.read_csv(out / "services.csv")["headway_min"].tolist() == [20.0, 15.0]
    assert main(["gtfs", "import", str(FEED), "--date", "28/09/2026", "-o", str(out)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["gtfs", "import", str(FEED), "--date", "2026-09-28", "--start", "9h", "-o", str(out)]) == 2
    capsys.readouterr()
