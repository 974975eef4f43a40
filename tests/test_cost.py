"""Pricing journeys, generalized cost and the Pareto set: hand checks and properties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commute.io.fares import FareTable
from commute.model.cost import costs_of, generalized, journey_items, road_path
from commute.model.cost_rules import Cover, Discount, FareOverride, Pass
from commute.model.modes import Measure, Mode
from commute.results.cost_journeys import (
    Journey,
    best,
    candidates,
    cheapest_within,
    fastest_under,
    pareto,
    pareto_set,
    reprice,
)
from commute.results.travel import endpoints, make_query


@pytest.fixture(scope="module")
def pair(g2026):
    (o,) = endpoints(g2026, "黄石")
    (d,) = endpoints(g2026, "武汉")
    return o, d


@pytest.fixture(scope="module")
def rail(g2026, pair):
    return candidates(g2026, *pair, Mode.RAIL, Measure.DOOR_TO_DOOR, make_query(None))


def test_a_road_journey_costs_running_plus_tolls_of_its_links(g2026, pair):
    (road,) = candidates(g2026, *pair, Mode.ROAD, Measure.DOOR_TO_DOOR, None)
    leg = next(leg for leg in road.legs if leg.kind == "road")
    links = road_path(g2026, leg.from_node, leg.to_node)
    # the path priced is the path the engine drove: its minutes add up to the road leg's
    assert sum(d["minutes"] for d in links) == pytest.approx(leg.minutes)
    km = sum(d["length_km"] for d in links)
    exp_km = sum(d["length_km"] for d in links if d["road_class"] == "expressway")
    flats = sum(10 for d in links if d["name"].startswith(("黄鄂高速", "九江至黄梅")))
    assert exp_km > 50  # G50 between Huangshi and Wuhan
    assert road.fare == pytest.approx(0.6 * km + 0.45 * exp_km + flats)


def test_a_rail_ride_costs_its_class_rate_over_its_km(g2026, rail):
    from commute.model.cost import ride_km

    j = min(rail, key=lambda j: j.fare)
    (ride,) = [leg for leg in j.legs if leg.kind == "ride"]
    cls = g2026.graph["services"][ride.service]["train_class"]
    km = ride_km(g2026, ride.service, ride.from_node, ride.to_node)
    table = costs_of(g2026).fares[("rail", cls, "second")]
    assert 60 < km < 160
    assert j.fare == pytest.approx(table.price(km) + 2 + 2)  # + a bus fare at each end


points = st.lists(st.tuples(st.floats(0, 500), st.floats(0, 300)), min_size=1, max_size=30)


@given(points)
def test_a_pareto_set_holds_no_dominated_point_and_covers_the_rest(pts):
    keep = pareto(pts)
    assert keep
    for i in keep:
        assert not any(q[0] <= pts[i][0] and q[1] <= pts[i][1] and q != pts[i] for q in pts)
    for p in pts:
        assert any(pts[i][0] <= p[0] and pts[i][1] <= p[1] for i in keep)


journeys = st.lists(
    st.builds(Journey, st.floats(1, 600), st.floats(0, 500), st.just(math.nan), st.just("rail")),
    min_size=1,
    max_size=20,
)


@given(journeys)
def test_with_an_infinite_value_of_time_generalized_ranks_as_minutes(js):
    by_g = sorted(js, key=lambda j: (generalized(j.minutes, j.fare, math.inf), j.fare))
    by_m = sorted(js, key=lambda j: (j.minutes, j.fare))
    assert [j.minutes for j in by_g] == [j.minutes for j in by_m]
    assert best(js, "generalized", math.inf) == best(js, "minutes", 30.0)


@given(journeys, st.floats(0, 600), st.floats(0, 500))
def test_cheapest_within_and_fastest_under_are_on_the_pareto_set(js, limit, budget):
    front = pareto_set(js)
    for j in (cheapest_within(js, limit), fastest_under(js, budget)):
        if j is not None:
            assert any(f.minutes == j.minutes and f.fare == j.fare for f in front)


lowering = st.one_of(
    st.builds(lambda s: ("discount", s), st.floats(0, 1)),
    st.builds(lambda p: ("pass", p), st.floats(0, 2000)),
    st.builds(lambda f: ("fare", f), st.floats(0, 1)),
)


@settings(max_examples=40, deadline=None)
@given(lowering, st.sampled_from(["C", "D", "G", "K"]), st.floats(1, 200))
def test_lowering_a_fare_never_raises_a_pairs_generalized_cost(g2026, rail, change, cls, vot):
    base = costs_of(g2026)
    cover = Cover(classes=frozenset({cls}))
    kind, x = change
    if kind == "discount":
        low = replace(base, discounts=(Discount(cover, x),))
    elif kind == "pass":
        low = replace(base, passes=(Pass("p", x, 44.0, cover),))
    else:  # the class's own table scaled down by x
        t = base.fares[("rail", cls, "second")]
        scaled = FareTable(
            tuple(replace(b, base=b.base * x, per_km=b.per_km * x, minimum=b.minimum * x) for b in t.bands)
        )
        low = replace(base, overrides=(FareOverride(cover, scaled),))
    before = reprice(g2026, rail, base)
    after = reprice(g2026, rail, low)
    for a, b in zip(after, before, strict=True):
        assert generalized(a.minutes, a.fare, vot) <= generalized(b.minutes, b.fare, vot) + 1e-9
    assert (
        best(after, "generalized", vot).cost("generalized", vot)
        <= best(before, "generalized", vot).cost("generalized", vot) + 1e-9
    )


def test_a_pass_never_costs_more_than_the_fare_it_replaces(g2026, rail):
    c = costs_of(g2026)
    dear = replace(c, passes=(Pass("dear", 44 * 1000.0, 44.0, Cover(classes=frozenset({"K", "D", "G", "C"}))),))
    assert [j.fare for j in reprice(g2026, rail, dear)] == [j.fare for j in rail]
    items = journey_items(g2026, rail[0].legs, dear)
    assert sum(it.amount for it in items) == pytest.approx(rail[0].fare)
