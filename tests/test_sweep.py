"""Sweep files, expansion, Shapley values, patched engines and the summary tables (no Dask here)."""

from __future__ import annotations

import itertools
import math
import random
import textwrap

import numpy as np
import pandas as pd
import pytest

from commute.cli import main
from commute.errors import ValidationError
from commute.sweep import analysis as A
from commute.sweep import shapley
from commute.sweep.evaluate import ALL, Evaluator, metric_rows
from commute.sweep.expand import Point, count, points, scenario_of, subsets
from commute.sweep.spec import load_sweep

from .conftest import SCENARIOS


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_sweep_file_reports_every_problem_with_its_line(tmp_path):
    p = write(
        tmp_path,
        "bad.yaml",
        f"""\
        name: bad
        base: {SCENARIOS / "horizon_2035.yaml"}
        colour: red
        subsets:
          projects: [wutian_expressway, wutian_expressway]
          sample: -1
        grid:
          - change_service: {{service: wuyi_hsr, headway_min: [10, ten]}}
          - close_link: {{link: [a, b]}}
        metrics: [pairs_passing, speed]
        costs:
          wutian_expressway: {{cny_bn: 3}}
        """,
    )
    with pytest.raises(ValidationError) as e:
        load_sweep(p)
    text = e.value.report()
    lines = {q.line for q in e.value.problems}
    for piece in (
        "unknown key 'colour'",
        "listed twice",
        "sample -1",
        "not all numbers",
        "cannot take a range",
        "unknown metric 'speed'",
        "must be {cny_bn, source}",
    ):
        assert piece in text, piece
    assert {3, 6, 8, 9, 10, 12} <= lines
    assert main(["sweep", "show", str(p)]) == 2


def test_unknown_project_is_reported_before_any_work(tmp_path, capsys):
    p = write(
        tmp_path,
        "s.yaml",
        f"""\
        name: typo
        base: {SCENARIOS / "horizon_2035.yaml"}
        subsets:
          projects: [wutian_expressway, no_such_project]
        """,
    )
    assert main(["sweep", "show", str(p)]) == 2
    err = capsys.readouterr().err
    assert "unknown project 'no_such_project'" in err and "s.yaml:4" in err


def test_show_counts_the_shipped_sweep(capsys):
    assert main(["sweep", "show", str(SCENARIOS / "sweeps" / "plan_2035_projects.yaml")]) == 0
    out = capsys.readouterr().out
    assert "scenarios: 1,024 (1,024 subsets x 1 grid points)" in out


def test_expansion_subsets_samples_and_grid(tmp_path):
    p = write(
        tmp_path,
        "s.yaml",
        f"""\
        name: grid
        base: {SCENARIOS / "horizon_2035.yaml"}
        subsets:
          projects: [wutian_expressway, fuyin_hsr_wuhan_huangshi, xiantao_jianli_rail]
        grid:
          - change_service: {{service: wuyi_hsr, headway_min: [15, 45]}}
        """,
    )
    sw = load_sweep(p)
    pts = points(sw)
    assert count(sw) == len(pts) == 8 * 2
    assert len(set(pts)) == len(pts)
    assert {pt.members for pt in pts} == {c for r in range(4) for c in itertools.combinations(range(3), r)}
    sc = scenario_of(sw, Point((0, 2), (1,)))
    tail = [c.to_json() for c in sc.changes[-3:]]
    assert tail == [
        {"change_service": {"service": "wuyi_hsr", "headway_min": 45.0}},
        {"open_project": "wutian_expressway"},
        {"open_project": "xiantao_jianli_rail"},
    ]
    # sampled: exactly the prefixes of the drawn orders, recomputed by hand
    q = write(
        tmp_path,
        "q.yaml",
        p.read_text().replace("xiantao_jianli_rail]", "xiantao_jianli_rail]\n  sample: 2\n  seed: 5"),
    )
    sq = load_sweep(q)
    rng = random.Random(5)
    orders = []
    for _ in range(2):
        o = [0, 1, 2]
        rng.shuffle(o)
        orders.append(o)
    expected = {tuple(sorted(o[:r])) for o in orders for r in range(4)}
    assert set(subsets(sq)) == expected


def brute_shapley(v, k):
    """By the definition over all k! orders."""
    out = np.zeros(k)
    perms = list(itertools.permutations(range(k)))
    for perm in perms:
        m = 0
        for i in perm:
            out[i] += v[m | 1 << i] - v[m]
            m |= 1 << i
    return out / len(perms)


def test_exact_shapley_by_hand_and_by_the_definition():
    # majority game of three: a subset wins with two members; each member is worth 1/3
    v = {m: np.array([float(bin(m).count("1") >= 2)]) for m in range(8)}
    assert shapley.exact(v, 3).ravel() == pytest.approx([1 / 3] * 3)
    # one item alone does everything: it gets all of it
    v = {m: np.array([5.0 if m & 2 else 0.0]) for m in range(8)}
    assert shapley.exact(v, 3).ravel() == pytest.approx([0, 5, 0])
    rng = np.random.default_rng(1)
    for k in (1, 3, 5):
        table = rng.normal(size=1 << k)
        got = shapley.exact({m: np.array([table[m]]) for m in range(1 << k)}, k).ravel()
        assert got == pytest.approx(brute_shapley(table, k))
        assert got.sum() == pytest.approx(table[-1] - table[0])


def test_sampled_shapley_telescopes_and_lands_within_its_error():
    rng = np.random.default_rng(2)
    k = 6
    table = {m: np.array([rng.normal() + 3 * bin(m).count("1"), float(m & 1)]) for m in range(1 << k)}
    exact = shapley.exact(table, k)
    orders = shapley.random_orders(k, 200, seed=3)
    mean, se = shapley.sampled(table, orders, k)
    assert mean.sum(axis=0) == pytest.approx(table[(1 << k) - 1] - table[0])
    assert (se[:, 0] > 0).all()
    assert (np.abs(mean[:, 0] - exact[:, 0]) <= 3 * se[:, 0]).all()
    assert np.mean(np.abs(mean[:, 0] - exact[:, 0]) <= se[:, 0]) >= 0.5
    # the second metric is item 0 alone: no spread, so exact with a zero error
    assert mean[:, 1] == pytest.approx(exact[:, 1]) and se[:, 1] == pytest.approx(0)


def test_patched_engines_equal_built_scenarios_on_every_subset(tmp_path, net):
    """A road project, a rail project and a closure (an item that removes links): all 8 subsets.

    Road rules and station coverage (transit rules use the departure-time engine, not patched).
    """
    sc = write(
        tmp_path,
        "plan.yaml",
        f"""\
        name: three changes
        extends: {SCENARIOS / "horizon_2035.yaml"}
        changes:
          - open_project: fuyin_hsr_wuhan_huangshi
          - open_project: wutian_expressway
          - close_link: {{link: g4_junshan_bridge}}
        """,
    )
    road = write(
        tmp_path,
        "road.yaml",
        """\
        name: road
        rules:
          - {id: circle_road, kind: reach, from: 武汉, to: circle_places, within_min: 90, modes: [road]}
        """,
    )
    p = write(
        tmp_path,
        "s.yaml",
        f"""\
        name: changes of a plan
        subsets:
          changes_of: {sc}
        targets: [{road}, coverage]
        """,
    )
    sw = load_sweep(p)
    ev = Evaluator(sw, net)
    model = ev.model(())
    assert model is not None, "these items act on separate edges"
    for pt in points(sw):
        a = metric_rows(ev.built(pt), sw.metrics)
        b = metric_rows(ev.patched(model, pt), sw.metrics)
        assert [x[:3] for x in a] == [y[:3] for y in b]
        assert [x[3] for x in a] == pytest.approx([y[3] for y in b], abs=1e-9)
    rows = ev.batch(points(sw))
    assert set(rows["method"]) == {"patched"}
    # the closure is an item that removes edges: the road engine with it has fewer road links
    road = next(me for (modes, _, _), me in model.engines.items() if modes == "road")
    assert (road.removed_by & np.uint64(4)).any()
    assert (road.needs & np.uint64(2)).any()  # and the expressway adds some
    n_road = [sum(lab.kind == "road" for lab in road.engine(m).labels) for m in (0, 4)]
    assert n_road[1] < n_road[0]


def _rows(values, items, metric="rules_met"):
    """Hand-made result rows: {mask: value} for the total metric."""
    return pd.DataFrame(
        [
            {
                "scenario": f"h{m}",
                "members": "",
                "n_members": bin(m).count("1"),
                "mask": m,
                "grid": "{}",
                "targets": ALL,
                "rule": ALL,
                "metric": metric,
                "value": float(v),
                "method": "built",
            }
            for m, v in values.items()
        ]
    )


def test_pareto_front_by_hand():
    items = ["a", "b", "c"]
    # rules met per subset; costs a=5, b=1, c=2
    met = {0: 0, 1: 2, 2: 1, 3: 2, 4: 0, 5: 3, 6: 1, 7: 3}
    meta = {
        "items": items,
        "costs": {
            "a": {"cny_bn": 5, "source": "test"},
            "b": {"cny_bn": 1, "source": "t"},
            "c": {"cny_bn": 2, "source": "t"},
        },
    }
    front, note = A.pareto(_rows(met, items), meta)
    # cost 0: none (0); 1: b (1); 2: c (0, dominated); 3: b+c (1, dominated); 5: a (2); 7: a+c (3)
    assert front["cost"].tolist() == [0, 1, 5, 7]
    assert front["rules_met"].tolist() == [0, 1, 2, 3]
    assert front["members"].tolist() == ["(none)", "b", "a", "a + c"]
    assert "billion yuan" in note
    front, note = A.pareto(_rows(met, items), {"items": items, "costs": {}})
    assert front["cost"].tolist() == [0, 1, 2] and "number of items" in note and "no cost" in note


def test_smallest_passing_by_hand():
    items = ["a", "b", "c"]
    rows = _rows({m: float(m in (3, 5, 7)) for m in range(8)}, items, metric="all_pass")
    rows["targets"], rows["rule"] = "t", "r"
    out = A.smallest_passing(rows, {"items": items})
    r = out[(out["rule"] == "r")].iloc[0]
    assert r["fewest_items"] == 2 and r["subsets"] == 2 and r["examples"] == "a + b; a + c"


def test_attribute_gives_sampled_shapley_values_for_eleven_changes(tmp_path, net):
    from commute.model.scenario import load_scenario
    from commute.results.attribution import attribute
    from commute.results.targets import load_targets, resolve_targets

    sc = load_scenario(SCENARIOS / "plan_2035_full.yaml")
    road = write(
        tmp_path,
        "road.yaml",
        """\
        name: road
        rules:
          - {id: circle_road, kind: reach, from: 武汉, to: circle_places, within_min: 60, modes: [road]}
        """,
    )
    sets = [load_targets(road), *(load_targets(p) for p in resolve_targets("coverage"))]  # road: patched
    df = attribute(net, sc, sets, samples=4, seed=1)
    assert df["change"].nunique() == 11
    assert set(df["method"]) == {"sampled"}
    assert df["shapley"].notna().all() and df["shapley_se"].notna().all()
    for key, part in df.groupby("score"):
        assert part["shapley"].sum() == pytest.approx(part["total"].iloc[0], abs=1e-6), key
    assert not math.isclose(df.loc[df["score"] == "minutes_short", "shapley"].abs().sum(), 0.0)
