"""Cost data: the shipped tables, their validation, and GTFS fares v1 on the real Caltrain feed."""

from __future__ import annotations

import io
import math
import shutil

import pandas as pd
import pytest

from commute.cli import main
from commute.errors import ValidationError
from commute.io.fares import FareTable, load_costs
from commute.io.network import shipped_folder

from .conftest import shared_file

CALTRAIN = "gtfs/caltrain_2017-07-24"


def _cost_folder(tmp_path):
    src = shipped_folder("networks") / "wuhan_circle"
    dst = tmp_path / "costs"
    dst.mkdir()
    for name in ("costs.yaml", "fares.csv", "tolls.csv"):
        shutil.copy(src / name, dst / name)
    return dst


def test_every_shipped_cost_row_has_a_source_and_estimates_say_how():
    folder = shipped_folder("networks") / "wuhan_circle"
    for name in ("fares.csv", "tolls.csv"):
        df = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        assert (df["source"].str.len() > 20).all(), name
        est = df["source"].str.startswith("estimate")
        assert df.loc[est, "source"].str.contains("estimate: ").all()
    c = load_costs(folder)
    assert c.currency == "CNY" and c.value_of_time == 30 and c.trips_per_month == 44
    assert all(src.startswith("estimate: ") for src in c.sources.values())
    assert set(c.income) == {"wuhan", "huangshi", "ezhou", "xiaogan", "huanggang", "xianning", "xiantao",
                             "qianjiang", "tianmen"}  # fmt: skip


def test_fare_tables_are_continuous_and_round_to_half_a_yuan():
    c = load_costs(shipped_folder("networks") / "wuhan_circle")
    k = c.fares[("rail", "K", "second")]
    # hand: 150 km = 1 + 0.14 * 150 = 22.0; 250 km = 5 + 0.12 * 250 = 35.0; 10 km = max(2.4, 5) = 5
    assert (k.price(150), k.price(250), k.price(10)) == (22.0, 35.0, 5.0)
    g = c.fares[("rail", "G", "second")]
    assert g.price(101) == 46.5  # 46.46 rounds to the nearest 0.5
    assert FareTable.flat(7).price(1e6) == 7 and math.isnan(FareTable(()).price(3))


def test_a_fare_table_with_gaps_and_bad_values_reports_every_problem(tmp_path):
    f = _cost_folder(tmp_path)
    lines = (f / "fares.csv").read_text(encoding="utf-8").splitlines()
    lines[8] = lines[8].replace("rail,K,second,200,", "rail,K,second,250,")  # a gap 200-250
    lines[3] = lines[3].replace(",0,0.31,8,", ",0,-0.31,8,")  # negative per km (D second)
    lines.append("rail,Z,first,10,,0,0.2,5,")  # no source, starts at 10 km
    (f / "fares.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_costs(f)
    text = e.value.report()
    assert len(e.value.problems) == 4, text
    assert "fares.csv:9: fare rail/K/second has a gap between 200.0 and 250.0 km" in text
    assert "fares.csv:4: per_km_cny -0.31 is negative" in text
    assert "fares.csv:17: fare row has no source" in text
    assert "fares.csv:17: fare rail/Z/first starts at 10.0 km, not 0" in text


def test_costs_yaml_without_a_source_is_refused(tmp_path):
    f = _cost_folder(tmp_path)
    text = (f / "costs.yaml").read_text(encoding="utf-8")
    (f / "costs.yaml").write_text(text.replace("value: 0.6\n  source:", "value: -1\n  src:"), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"costs.yaml:\d+: car_running_cny_per_km needs a value and a source"):
        load_costs(f)


def test_caltrain_zone_fares_match_the_feeds_rules():
    from commute.io.gtfs import Feed
    from commute.io.gtfs_fares import read_feed_fares

    f = read_feed_fares(Feed(shared_file(CALTRAIN)))
    assert f is not None and f.currency == "USD"
    # hand-checked in fare_rules.txt / fare_attributes.txt / stops.txt (zone_id):
    # San Francisco 70012 (zone 1) -> 22nd St 70022 (zone 1): OW_1 = 3.75 on every route
    assert f.price("Lo-129", "70012", "70022") == 3.75
    # San Francisco (1) -> San Jose Diridon 70262 (4), Baby Bullet: OW_4 = 9.75
    assert f.price("Bu-129", "70012", "70262") == 9.75
    # Palo Alto 70171 (3) -> Gilroy 70321 (6), local: rule "OW_4_20160228,Lo-129,3,6" = 9.75
    assert f.price("Lo-129", "70171", "70321") == 9.75
    # Millbrae 70061 (2) -> San Francisco 70011 (1): OW_2 = 5.75
    assert f.price("Li-129", "70061", "70011") == 5.75
    # Tamien's parent station has no zone: no rule matches
    assert math.isnan(f.price("Lo-129", "777403", "70011"))


def test_a_caltrain_import_carries_its_fares_into_trips_and_matrices(capsys, tmp_path):
    feed = shared_file(CALTRAIN)
    net = tmp_path / "caltrain"
    assert main(["gtfs", "import", str(feed), "--date", "2017-07-24", "-o", str(net)]) == 0
    assert (net / "fares_gtfs.csv").exists() and (net / "fares_gtfs_zones.csv").exists()
    capsys.readouterr()
    args = ["--network", str(net), "--modes", "transit", "--format", "csv"]
    assert main(["trip", "stop:70012", "stop:70262", "--depart", "07:30", *args]) == 0
    legs = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert legs.loc[legs["kind"] == "ride", "fare"].tolist() == [9.75]
    assert main(["matrix", "--origins", "stop:70012", "--destinations", "stop:70022,stop:70262",
                 "--cost", "fare", "--depart", "07:00-09:00", *args]) == 0  # fmt: skip
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert df["currency"].eq("USD").all() and df["fare"].tolist() == [3.75, 9.75]
