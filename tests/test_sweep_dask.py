"""Sweeps on dask.distributed: the CLI on a LocalCluster, a killed worker, and resuming."""

from __future__ import annotations

import os
import signal
import textwrap

import numpy as np
import pandas as pd
import pytest

from commute.cli import main
from commute.sweep import analysis as A
from commute.sweep import shapley
from commute.sweep.evaluate import ALL, Evaluator, metric_rows
from commute.sweep.expand import points
from commute.sweep.runner import run_sweep
from commute.sweep.spec import load_sweep
from commute.sweep.store import parts, read_meta, read_results

from .conftest import SCENARIOS

pytest.importorskip("dask.distributed")

PROJECTS = ["fuyin_hsr_wuhan_huangshi", "wutian_expressway", "wuhan_ezhou_huangshi_suburban"]


def sweep_file(tmp_path, projects=PROJECTS, extra=""):
    p = tmp_path / "sweep.yaml"
    p.write_text(
        textwrap.dedent(f"""\
        name: three projects
        base: {SCENARIOS / "horizon_2035.yaml"}
        subsets:
          projects: [{", ".join(projects)}]
        {extra}
        targets: [123, huangshi_134]
        """),
        encoding="utf-8",
    )
    return p


def check_once(out, sweep, net):
    """Every scenario of the sweep is in the results exactly once (one row per metric)."""
    from commute.sweep.expand import point_hash

    rows = read_results(out)
    want = {point_hash(sweep, p, net) for p in points(sweep)}
    per = rows.groupby("scenario").size()
    assert set(per.index) == want
    assert per.nunique() == 1, "every scenario has the same number of metric rows"
    assert not rows.duplicated(["scenario", "targets", "rule", "metric"]).any()
    return rows


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_cli_sweep_on_a_local_cluster_and_exact_shapley(tmp_path, net, capsys):
    p = sweep_file(tmp_path)
    out = tmp_path / "results.parquet"
    assert main(["sweep", "run", str(p), "-o", str(out), "--workers", "2", "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "8 scenarios evaluated on a LocalCluster of 2 workers" in said
    sweep = load_sweep(p)
    rows = check_once(out, sweep, net)
    assert rows["method"].nunique() == 1  # "built": the 123 rules use the departure-time engine
    meta = read_meta(out)
    c = A.contributions(rows, meta)
    assert set(c["method"]) == {"exact"}
    # exact Shapley values add up to the full plan's gain over the base, metric by metric
    for _, part in c.groupby(["targets", "rule", "metric"]):
        assert part["shapley"].sum() == pytest.approx(part["total"].iloc[0], abs=1e-6)
    # independently: values of built scenarios (no patching, no Dask) and the definition
    ev = Evaluator(sweep, net, fast=False)
    built = {sum(1 << i for i in pt.members): metric_rows(ev.built(pt), sweep.metrics) for pt in points(sweep)}
    want = {m: np.array([r[3] for r in v if r[0] == ALL]) for m, v in built.items()}
    names = [r[2] for r in built[0] if r[0] == ALL]
    phi = shapley.exact(want, 3)
    tot = c[c["rule"] == ALL].set_index(["metric", "item"])["shapley"]
    for j, metric in enumerate(names):
        for i, item in enumerate(PROJECTS):
            assert tot[(metric, item)] == pytest.approx(phi[i, j], abs=1e-6)
    assert abs(tot[("pairs_passing", "fuyin_hsr_wuhan_huangshi")]) > 0, "the 福银 line moves some pair"
    # sampled estimates (from the prefixes of random orders) agree within their standard error
    orders = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0)]  # no order starts with item 2: {2} is never run
    keep = {m for o in orders for m in shapley.prefix_masks(o)}
    s = A.contributions(rows[rows["mask"].isin(keep)], {**meta, "sample": 4, "orders": [list(o) for o in orders]})
    assert s["method"].str.startswith("sampled").all() and 4 not in keep
    m = s.merge(c, on=["grid", "targets", "rule", "metric", "item"], suffixes=("_s", "_e"))
    assert (np.abs(m["shapley_s"] - m["shapley_e"]) <= 2 * m["se_s"] + 1e-9).all()
    assert main(["sweep", "summary", str(out), "--format", "json"]) == 0
    assert '"shapley"' in capsys.readouterr().out


class Stop(Exception):
    pass


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_stopping_and_rerunning_finishes_only_what_is_missing(tmp_path, net):
    p = sweep_file(tmp_path)
    out = tmp_path / "r.parquet"
    sweep = load_sweep(p)

    def stop(n):
        if n == 3:
            raise Stop

    with pytest.raises(Stop):
        run_sweep(sweep, out, workers=1, processes=False, batch_size=1, on_batch=stop)
    assert len(parts(out)) == 3
    assert not list(out.glob(".*.tmp"))
    first = read_results(out)["scenario"].nunique()
    st = run_sweep(sweep, out, workers=1, processes=False, batch_size=1)
    assert (st.total, st.skipped, st.evaluated) == (8, first, 8 - first)
    check_once(out, sweep, net)
    st = run_sweep(sweep, out, workers=1, processes=False)
    assert st.evaluated == 0 and st.skipped == 8
    # another sweep into the same folder is refused
    other = load_sweep(sweep_file(tmp_path, PROJECTS[:2]))
    with pytest.raises(Exception, match="another sweep"):
        run_sweep(other, out, workers=1, processes=False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_killed_worker_loses_nothing_and_counts_nothing_twice(tmp_path, net):
    from dask.distributed import Client, LocalCluster

    p = sweep_file(tmp_path)
    sweep = load_sweep(p)
    out = tmp_path / "k.parquet"
    killed: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as client:  # closed before the sweep: one client per process at a time
            pids = list(client.run(os.getpid).values())

        def kill(n):
            # after the first batch, both workers hold batches (8 batches of one scenario on 2 workers)
            if not killed:
                killed.append(pids[0])
                os.kill(pids[0], signal.SIGKILL)

        st = run_sweep(sweep, out, scheduler=cluster.scheduler_address, batch_size=1, on_batch=kill)
    assert killed, "a worker was killed during the sweep"
    assert st.evaluated == 8 and st.total == 8
    rows = check_once(out, sweep, net)
    assert len(rows) == 8 * len(rows[rows["scenario"] == rows["scenario"].iloc[0]])
    assert pd.Series(killed).nunique() == 1
