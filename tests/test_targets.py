from __future__ import annotations

import io
import json
import textwrap

import pandas as pd
import pytest

from commute.cli import main
from commute.errors import ValidationError
from commute.model.scenario import apply_scenario, graph_for, load_scenario
from commute.results.attribution import attribute, critical_closures
from commute.results.metrics import population_within
from commute.results.targets import (
    check,
    compare,
    compare_summary,
    load_targets,
    resolve_targets,
    summarise,
)

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def g26():
    return graph_for(scenario=SCENARIOS / "today_2026.yaml")


@pytest.fixture(scope="module")
def g21():
    return graph_for(scenario=SCENARIOS / "base_2021.yaml")


def test_shipped_targets_cover_the_plans(g26):
    sets = [load_targets(p, G=g26) for p in resolve_targets(None)]
    names = {s.name for s in sets}
    assert {"123", "huangshi_134", "coverage", "one_day"} <= names
    rules = {(s.name, r.id) for s in sets for r in s.rules}
    for rid in ("circle_1h", "circle_places_1h", "cluster_2h", "major_3h"):
        assert ("123", rid) in rules
    for rid in ("circle_1h", "cluster_3h", "major_4h"):
        assert ("huangshi_134", rid) in rules


def test_check_rows_and_summary(g26):
    d = check(g26, "123,huangshi_134")
    assert set(d["rule"]) >= {"circle_1h", "cluster_2h", "major_3h", "cluster_3h", "major_4h"}
    circle = d[(d["targets"] == "123") & (d["rule"] == "circle_1h")]
    assert len(circle) == 8  # the other circle cities
    assert (circle["passed"] == (circle["minutes"] <= 60)).all()
    failing = d[~d["passed"].astype(bool) & d["minutes"].notna()]
    assert ((failing["minutes"] - failing["limit_min"]).round(6) == failing["short_by_min"].round(6)).all()
    assert d.loc[d["passed"].astype(bool), "legs"].str.len().gt(0).all()
    s = summarise(d)
    row = s[(s["targets"] == "123") & (s["rule"] == "circle_1h")].iloc[0]
    assert row["passing"] == int(circle["passed"].sum())
    expected_share = circle.loc[circle["passed"], "pop"].sum() / circle["pop"].sum()
    assert row["pop_share_passing"] == pytest.approx(expected_share)


def test_coverage_rules(g21, g26):
    a = check(g21, "coverage").set_index(["rule", "destination_id"])
    b = check(g26, "coverage").set_index(["rule", "destination_id"])
    assert not a.loc[("city_hsr", "jingmen"), "passed"]  # 荆门 got high-speed rail in 2024
    assert b.loc[("city_hsr", "jingmen"), "passed"]
    assert b.loc[("city_hsr", "wuhan"), "passed"]
    assert (b.xs("county_expressway_30")["minutes"] >= 0).all()


def test_compare_2021_today_shows_new_lines(g21, g26):
    cmp = compare(check(g21, "123", legs=False), check(g26, "123", legs=False), label="today")
    flips = cmp[(cmp["rule"] == "circle_1h") & (cmp["flip"] == "now passes")]
    assert "潜江市" in set(flips["destination"])  # 武宜高铁 (2025)
    summ = compare_summary(cmp)
    assert summ.loc[summ["rule"] == "circle_1h", "pop_newly_within"].iloc[0] > 0


def test_cli_check_formats_give_same_numbers(capsys):
    assert main(["check", "--targets", "123", "--format", "csv"]) == 0
    csv_df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert main(["check", "--targets", "123", "--format", "json"]) == 0
    js = json.loads(capsys.readouterr().out)
    json_df = pd.DataFrame(js["runs"][0]["rows"])
    assert list(csv_df["minutes"].fillna(-1)) == list(json_df["minutes"].fillna(-1))
    assert list(csv_df["passed"]) == list(json_df["passed"])
    assert main(["check", "--targets", "123"]) == 0
    table = capsys.readouterr().out
    assert "circle_1h" in table and ("PASS" in table or "FAIL" in table)


def test_cli_strict_exit_code(capsys):
    assert main(["check", "--targets", "123", "--strict"]) == 3
    capsys.readouterr()


def test_cli_compare(capsys):
    code = main(["compare", str(SCENARIOS / "base_2021.yaml"), str(SCENARIOS / "today_2026.yaml"), "--targets", "123"])
    out = capsys.readouterr().out
    assert code == 0
    assert "now passes" in out and "潜江市" in out


BAD_TARGETS = textwrap.dedent("""\
    name: bad
    colour: red
    rules:
      - id: a
        kind: reach
        from: 武汉
        to: 亚特兰蒂斯
        within_min: -5
      - id: a
        kind: teleport
      - id: c
        kind: reach
        from: 武汉
        measure: crow
        modes: [boat]
        within_min: 30
        shape: round
      - just a string
    """)


def test_bad_target_file_reports_every_problem(tmp_path, g26, capsys):
    p = tmp_path / "bad.yaml"
    p.write_text(BAD_TARGETS, encoding="utf-8")
    with pytest.raises(ValidationError) as ei:
        load_targets(p, G=g26)
    text = ei.value.report()
    for piece in (
        ":2: unknown key 'colour'",
        ":7: unknown place '亚特兰蒂斯'",
        ":8: within_min -5",
        ":10: unknown rule kind 'teleport'",
        ":11: rule lacks required field 'to'",
        ":14: unknown measure",
        ":15: unknown mode 'boat'",
        ":17: reach rule has no field 'shape'",
        ":18: each rule must be a mapping",
    ):
        assert piece in text, piece
    assert main(["check", "--targets", str(p)]) == 2
    assert "problems" in capsys.readouterr().err


def test_attribution_hand_computed(tmp_path, net):
    """Three changes: one brings 潜江 within 50 minutes, one 仙桃, one touches no target.

    By hand (2021, rail, station to station): 潜江 72 min and 仙桃 53 min both fail; 武宜 takes
    潜江 to 39 min and does not stop at 仙桃西; the hand-made train takes 仙桃 to 35 min; the
    G42 widening is a road. So each of the first two changes contributes 1 pair (leave-one-out
    and Shapley alike), the third 0, and the contributions sum to 2.
    """
    targets = tmp_path / "t.yaml"
    targets.write_text(
        textwrap.dedent("""\
        name: t
        rules:
          - id: west
            kind: reach
            from: 武汉
            to: [潜江, 仙桃]
            within_min: 50
            measure: station_to_station
            modes: [rail]
        """),
        encoding="utf-8",
    )
    sc = tmp_path / "three.yaml"
    sc.write_text(
        textwrap.dedent("""\
        name: three changes
        year: 2021
        changes:
          - open_project: wuhan_yichang_hsr
          - add_service: {id: fast_xiantao, stations: [汉口, 仙桃西], run_min: [35], headway_min: 30, class: C}
          - widen_road: {link: g42:1, lanes: 8}
        """),
        encoding="utf-8",
    )
    scenario = load_scenario(sc)
    sets = [load_targets(targets)]
    df = attribute(net, scenario, sets).set_index(["change", "score"])
    for ch, expected in ((1, 1.0), (2, 1.0), (3, 0.0)):
        assert df.loc[(ch, "pairs_passing"), "leave_one_out"] == pytest.approx(expected)
        assert df.loc[(ch, "pairs_passing"), "shapley"] == pytest.approx(expected)
    assert df.xs("pairs_passing", level="score")["shapley"].sum() == pytest.approx(2.0)
    for key in ("pop_passing", "minutes_short"):
        part = df.xs(key, level="score")
        assert part["shapley"].sum() == pytest.approx(part["total"].iloc[0])
    full = check(apply_scenario(net, scenario), sets, legs=False)
    assert full["passed"].all()


def test_critical_closures_name_the_targets_they_break(g26):
    sets = [load_targets(resolve_targets("123")[0], G=g26)]
    df = critical_closures(g26, sets, kinds=("rail",))
    assert len(df) > 0
    assert (df["pairs_broken"] > 0).all()
    assert df["rules_broken"].str.contains("123:").all()
    assert "wuhuang_intercity" in set(df["closure"]) or "wuyi_hsr" in set(df["closure"])


def test_population_within_is_monotone(g26):
    df = population_within(g26, "circle_places", thresholds=(30, 60, 120))
    assert (df["pop_within_30"] <= df["pop_within_60"]).all()
    assert (df["pop_within_60"] <= df["pop_within_120"]).all()
    assert (df["pop_within_30"] >= df["pop"]).all()  # the origin itself counts
    assert (df["gravity"] > 0).all()


def test_cli_reach_and_critical(capsys):
    assert main(["reach", "--origins", "武汉,黄石", "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(out["origin_id"]) == ["wuhan", "huangshi"]
    assert main(["critical", "--targets", "123", "--kinds", "rail", "--top", "3"]) == 0
    assert "critical closures" in capsys.readouterr().out
    assert main(["reach", "--thresholds", "x"]) == 2
    capsys.readouterr()
