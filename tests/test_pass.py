"""The money verbs: a monthly pass on the Wuhan–Huangshi line, who gains, and bad input refused at once."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from commute.cli import main
from commute.errors import ValidationError
from commute.io.network import shipped_folder
from commute.model.scenario import graph_for
from commute.results.cost_journeys import best, candidates
from commute.results.travel import endpoints, make_query

PASS = shipped_folder("scenarios") / "pass_wuhan_huangshi.yaml"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def graphs():
    return graph_for(year=2026), graph_for(scenario=PASS)


def test_matrix_gives_a_fare_for_each_modes_best_journey(capsys):
    code, out, _ = run(capsys, "matrix", "--origins", "黄石", "--destinations", "武汉", "--modes", "road,rail",
                       "--cost", "fare")  # fmt: skip
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns[:5]) == ["origin", "destination", "minutes", "fare", "currency"]
    assert sorted(df["mode"]) == ["rail", "road"] and (df["fare"] > 0).all() and df["currency"].eq("CNY").all()
    # the cheapest is no dearer than the fastest journey of the same mode
    code, out, _ = run(capsys, "matrix", "--origins", "黄石", "--destinations", "武汉", "--modes", "road,rail",
                       "--cost", "minutes")  # fmt: skip
    fastest = pd.read_csv(io.StringIO(out)).set_index("mode")
    cheap = df.set_index("mode")
    assert (cheap["fare"] <= fastest["fare"]).all() and (cheap["minutes"] >= fastest["minutes"] - 1e-9).all()


def test_the_pass_prices_the_covered_ride_at_price_over_44(graphs):
    base, withpass = graphs
    (o,) = endpoints(base, "黄石")
    (d,) = endpoints(base, "武汉")
    from commute.model.cost import leg_fares
    from commute.model.modes import Measure, Mode

    q = make_query(None)
    before = best(candidates(base, o, d, Mode.RAIL, Measure.DOOR_TO_DOOR, q), "fare", 30.0)
    after = best(candidates(withpass, o, d, Mode.RAIL, Measure.DOOR_TO_DOOR, q), "fare", 30.0)
    assert after is not None and before is not None and after.fare < before.fare
    fares = leg_fares(withpass, after.legs)
    rides = [f for leg, f in zip(after.legs, fares, strict=True) if leg.kind == "ride"]
    assert rides == [pytest.approx(300 / 44)]
    # the same journey without the pass costs its full fare (the pass lowered it)
    assert leg_fares(base, after.legs)[[leg.kind for leg in after.legs].index("ride")] > 300 / 44


def test_compare_shows_who_gains(capsys):
    code, out, _ = run(capsys, "compare", shipped_folder("scenarios") / "today_2026.yaml", PASS, "--cost", "fare",
                       "--origins", "黄石", "--destinations", "武汉", "--format", "csv")  # fmt: skip
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("mode")
    assert df["gains"].all() and (df["fare_gain"] > 0).all()
    assert df.loc["rail", "fare_after"] == pytest.approx(300 / 44 + 2 + 2, abs=0.01)  # the ride + two bus fares
    assert df["origin_pop"].eq(2469079).all()  # Huangshi's 2020 census population


BAD = """\
name: bad money
year: 2026
changes:
  - monthly_pass: {price: -300, covers: {classes: [C]}}
  - monthly_pass: {price: 300, covers: {}}
  - discount: {share: 0.2, covers: {services: [no_such_line]}}
  - set_fare:
      covers: {classes: [C]}
      table: [{from_km: 0, to_km: 50, base_cny: 5}, {from_km: 60, per_km_cny: 0.3}]
  - set_toll: {roads: [G50 沪渝高速], per_km_cny: 0}
"""


def test_bad_money_changes_are_all_reported_with_file_and_line(capsys, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    code, out, err = run(capsys, "scenario", "validate", f)
    assert code == 2 and out == ""
    lines = [x for x in err.splitlines() if x.startswith(f"{f}:")]
    assert len(lines) == 4, err
    assert f"{f}:4: monthly_pass price -300 is negative" in err
    assert f"{f}:5: monthly_pass covers nothing" in err
    assert f"{f}:6: service 'no_such_line' is not running in this year" in err
    assert f"{f}:9: set_fare table has a gap at 50.0 km" in err
    with pytest.raises(ValidationError):  # nothing is applied: no graph comes back
        graph_for(scenario=f)


def test_set_toll_zero_makes_the_expressway_free_and_set_fare_reprices(graphs, tmp_path):
    base, _ = graphs
    f = tmp_path / "free.yaml"
    text = (
        "name: free\nyear: 2026\nchanges:\n"
        "  - set_toll: {places: [武汉, 黄石, 鄂州], per_km_cny: 0, flat_cny: 0}\n"
        "  - set_fare: {covers: {classes: [K]}, flat_cny: 1}\n"
    )
    f.write_text(text, encoding="utf-8")
    G = graph_for(scenario=f)
    (o,) = endpoints(base, "黄石")
    (d,) = endpoints(base, "武汉")
    from commute.model.cost import journey_items
    from commute.model.modes import Measure, Mode

    (road,) = candidates(G, o, d, Mode.ROAD, Measure.DOOR_TO_DOOR, None)
    assert not [it for it in journey_items(G, road.legs) if it.kind == "toll"]
    assert [it for it in journey_items(base, road.legs) if it.kind == "toll"]
    rail = candidates(G, o, d, Mode.RAIL, Measure.DOOR_TO_DOOR, make_query(None))
    k = [j for j in rail if any(getattr(leg, "train", "").startswith("K") for leg in j.legs)]
    assert k and all(math.isclose(j.fare, 1 + 2 + 2) for j in k)  # the K ride at 1 yuan plus two bus fares


def test_discount_takes_its_share_off_the_covered_ride_only(graphs, tmp_path):
    base, _ = graphs
    f = tmp_path / "quarter.yaml"
    f.write_text("name: quarter\nyear: 2026\nchanges:\n  - discount: {share: 0.25, covers: {classes: [D]}}\n")
    G = graph_for(scenario=f)
    (o,) = endpoints(base, "黄石")
    (d,) = endpoints(base, "武汉")
    from commute.model.cost import leg_fares
    from commute.model.modes import Measure, Mode

    rail = candidates(base, o, d, Mode.RAIL, Measure.DOOR_TO_DOOR, make_query(None))
    j = next(j for j in rail if any(getattr(leg, "train", "").startswith("D") for leg in j.legs))
    before, after = leg_fares(base, j.legs), leg_fares(G, j.legs)
    # the D ride 黄石北-武汉 costs 32.50 today (two 2-yuan bus fares at the ends): 25 % off the ride only
    assert before == [pytest.approx(x) for x in (2.0, 0.0, 32.5, 2.0)]
    assert after == [pytest.approx(x) for x in (2.0, 0.0, 32.5 * 0.75, 2.0)]
