"""The ``affordable`` target rule: time and money bounds, fares in the check rows."""

from __future__ import annotations

import io

import pandas as pd

from commute.cli import main
from commute.io.network import shipped_folder

RULES = """\
name: commute_money
rules:
  - id: wuhan_affordable
    name: Huangshi to Wuhan within 90 min for at most 20 yuan
    kind: affordable
    from: 黄石
    to: 武汉
    within_min: 90
    max_fare_cny: {fare}
    modes: [road, rail]
"""


def _check(capsys, tmp_path, fare, *scenarios):
    f = tmp_path / "money.yaml"
    f.write_text(RULES.format(fare=fare), encoding="utf-8")
    code = main(["check", *map(str, scenarios), "--targets", str(f), "--format", "csv"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_pass_makes_the_commute_affordable_and_the_rows_carry_fares(capsys, tmp_path):
    sc = shipped_folder("scenarios")
    code, out, _ = _check(capsys, tmp_path, 20, sc / "today_2026.yaml", sc / "pass_wuhan_huangshi.yaml")
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("scenario")
    # today the 88-min D train costs 36.50 (over 20) and the 20-yuan K train takes 143 min: fail
    assert not df.loc["today_2026", "passed"] and df.loc["today_2026", "fare_cny"] > 20
    # with the pass the D train costs 300/44 + 4 = 10.82: pass, within both bounds
    row = df.loc["pass_wuhan_huangshi"]
    assert row["passed"] and row["minutes"] <= 90 and abs(row["fare_cny"] - (300 / 44 + 4)) < 0.06  # CSV keeps 0.1
    assert row["max_fare_cny"] == 20


def test_a_negative_fare_bound_is_refused(capsys, tmp_path):
    code, out, err = _check(capsys, tmp_path, -5)
    assert code == 2 and out == ""
    assert "money.yaml:9: max_fare_cny -5 is negative or not a number" in err


def test_the_check_table_shows_fares_where_a_rule_bounds_money(capsys, tmp_path):
    sc = shipped_folder("scenarios")
    f = tmp_path / "money.yaml"
    f.write_text(RULES.format(fare=20), encoding="utf-8")
    code = main(["check", str(sc / "pass_wuhan_huangshi.yaml"), "--targets", str(f), "--details", "--wide"])
    out, _ = capsys.readouterr()
    assert code == 0
    header = next(line for line in out.splitlines() if "destination" in line and "minutes" in line)
    assert "fare (CNY)" in header and "max fare (CNY)" in header
    row = next(line for line in out.splitlines() if "黄石" in line and "武汉" in line and "wuhan_affordable" in line)
    assert "10.8" in row  # 300/44 + two 2-yuan bus fares, as the CSV gives
    # a rule without money bounds keeps the time-only detail
    code = main(["check", "--targets", "123", "--details", "--wide"])
    out, _ = capsys.readouterr()
    assert "fare (CNY)" not in out
