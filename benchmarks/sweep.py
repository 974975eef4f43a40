"""Benchmark sweeps: 2^10 subsets of ten shipped projects on Dask against a loop of checks.

    python benchmarks/sweep.py              # the loop (sampled), then the sweep on 2 and on 1 workers
    python benchmarks/sweep.py --loop 100   # more scenarios in the loop

The sweep is scenarios/sweeps/plan_2035_projects.yaml (1,024 scenarios) run by
``commute.sweep.runner.run_sweep`` on a LocalCluster of N worker processes, timed from the call
(cluster start, validation and every worker's engine build included) to the last part written.
The loop is what a planner does one scenario at a time, in one process: build the scenario's
graph and check it against the same targets (``apply_scenario`` + ``check``, engines compiled
for each scenario); it runs a seeded sample of the sweep's scenarios after one warm-up (the
kernels' JIT is not counted) and its rate is scenarios per second. Every looped scenario's
metrics are compared with the sweep's rows for the same scenario hash.
Results go to benchmarks/results/sweep.json and sweep.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
OUT = ROOT / "benchmarks" / "results"
SWEEP = ROOT / "scenarios" / "sweeps" / "plan_2035_projects.yaml"


def loop(sweep, net, n: int, seed: int) -> tuple[float, dict[str, dict[tuple[str, str, str], float]]]:
    from commute.model.scenario import apply_scenario
    from commute.results.targets import check, load_targets, resolve_targets
    from commute.sweep.evaluate import metric_rows
    from commute.sweep.expand import point_hash, points, scenario_of

    pts = points(sweep)
    chosen = random.Random(seed).sample(pts, n + 1)
    G0 = apply_scenario(net, scenario_of(sweep, chosen[0]))
    sets = [load_targets(p, G=G0) for p in resolve_targets(",".join(sweep.targets))]
    check(G0, sets, legs=False)  # warm-up: JIT of the kernels
    got = {}
    t = time.perf_counter()
    for p in chosen[1:]:
        G = apply_scenario(net, scenario_of(sweep, p))
        detail = check(G, sets, legs=False)
        got[point_hash(sweep, p, net)] = {r[:3]: r[3] for r in metric_rows(detail, sweep.metrics)}
    return time.perf_counter() - t, got


def run(sweep, workers: int) -> tuple[float, object, str]:
    from commute.sweep.runner import run_sweep

    out = Path(tempfile.mkdtemp(prefix=f"sweep{workers}-")) / "results.parquet"
    t = time.perf_counter()
    st = run_sweep(sweep, out, workers=workers)
    return time.perf_counter() - t, st, str(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loop", type=int, default=40, help="scenarios in the one-process loop (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", default="2,1", help="worker counts to run the sweep with (default 2,1)")
    args = ap.parse_args()
    from commute.io.network import load_network
    from commute.sweep.spec import load_sweep
    from commute.sweep.store import read_results

    sweep = load_sweep(SWEEP)
    net = load_network(sweep.base.network)
    t_loop, got = loop(sweep, net, args.loop, args.seed)
    loop_rate = args.loop / t_loop
    print(f"loop: {args.loop} scenarios in {t_loop:.1f} s = {loop_rate:.2f}/s", flush=True)
    runs = []
    for w in [int(x) for x in args.workers.split(",")]:
        wall, st, out = run(sweep, w)
        rows = read_results(out)
        per = rows.groupby("scenario").size()
        ok = len(per) == st.total and per.nunique() == 1
        mism = 0
        for h, vals in got.items():
            sub = rows[rows["scenario"] == h]
            for r in sub.itertuples():
                if abs(vals[(r.targets, r.rule, r.metric)] - r.value) > 1e-6:
                    mism += 1
        rate = st.total / wall
        runs.append(
            {
                "workers": w,
                "scenarios": st.total,
                "wall_s": round(wall, 2),
                "scenarios_per_s": round(rate, 2),
                "x_loop": round(rate / loop_rate, 2),
                "each_once": bool(ok),
                "methods": sorted(set(rows["method"])),
                "mismatches_vs_loop": mism,
            }
        )
        print(
            f"sweep on {w} worker(s): {st.total} scenarios in {wall:.1f} s = {rate:.1f}/s "
            f"({rate / loop_rate:.1f}x the loop); each once: {ok}; mismatches vs loop: {mism}",
            flush=True,
        )
    by = {r["workers"]: r for r in runs}
    scaling = round(by[2]["scenarios_per_s"] / by[1]["scenarios_per_s"], 2) if 1 in by and 2 in by else None
    res = {
        "sweep": str(SWEEP.relative_to(ROOT)),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "loop": {"scenarios": args.loop, "seconds": round(t_loop, 2), "scenarios_per_s": round(loop_rate, 2)},
        "runs": runs,
        "scaling_1_to_2_workers": scaling,
        "goals": {"x_loop": 20, "seconds_for_1000": 60},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sweep.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# Sweep benchmark",
        "",
        f"`python benchmarks/sweep.py` on {res['date']} ({os.cpu_count()} CPUs, shared with other work). "
        f"Sweep: `{res['sweep']}` (2^10 = 1,024 scenarios, targets 123, huangshi_134, coverage).",
        "",
        f"Loop of one-scenario checks in one process: {args.loop} scenarios in {t_loop:.1f} s = "
        f"**{loop_rate:.2f} scenarios/s**.",
        "",
        "| workers | scenarios | wall s | scenarios/s | x loop | each once | method | mismatches vs loop |",
        "|---:|---:|---:|---:|---:|:---:|:---|---:|",
        *[
            f"| {r['workers']} | {r['scenarios']} | {r['wall_s']} | {r['scenarios_per_s']} | {r['x_loop']} | "
            f"{'yes' if r['each_once'] else 'NO'} | {', '.join(r['methods'])} | {r['mismatches_vs_loop']} |"
            for r in runs
        ],
        "",
        f"Scaling from 1 to 2 workers: {scaling}x. Goals: 20x the loop, 1,000 scenarios in under 60 s.",
        "",
    ]
    (OUT / "sweep.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
