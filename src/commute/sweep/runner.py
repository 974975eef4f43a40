"""Run a sweep on ``dask.distributed``: a LocalCluster by default, or an existing scheduler.

Tasks are batches of points of one grid point; each worker process keeps its evaluator (the
network, the targets, the patched union engine) between batches. The client writes each
finished batch as a Parquet part as soon as it arrives, so an interrupted run keeps what it
finished, and a rerun evaluates only the scenarios whose hashes are missing. If a worker dies
mid-batch, the scheduler runs that batch again on another worker; the client receives each
batch's result once and writes it once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commute.errors import InvalidOptionError, Problems, ValidationError
from commute.io.network import Network, load_network
from commute.model.scenario import apply_scenario
from commute.sweep import store
from commute.sweep.evaluate import evaluate_batch
from commute.sweep.expand import Point, orders, point_hash, points, scenario_of
from commute.sweep.spec import Sweep

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunStats:
    """What a run did: scenarios in the sweep, already present, evaluated now, and seconds."""

    total: int
    skipped: int
    evaluated: int
    batches: int
    seconds: float
    workers: int

    @property
    def rate(self) -> float:
        """Scenarios evaluated per second of this run."""
        return self.evaluated / self.seconds if self.seconds > 0 else math.nan


def validate(sweep: Sweep, net: Network) -> None:
    """Apply every item and every grid value once, so reference mistakes show before any work.

    Raises
    ------
    ValidationError
        With every problem of the base, the items and the grid values together.
    """
    probs = Problems(f"sweep {sweep.path}")
    zero = tuple(0 for _ in sweep.grid)
    checks = [Point(tuple(range(len(sweep.items))), zero)]
    for d, g in enumerate(sweep.grid):
        for j in range(1, len(g.values)):
            checks.append(Point((), tuple(j if e == d else 0 for e in range(len(sweep.grid)))))
    seen: set[tuple[str, int, str]] = set()
    for p in checks:
        try:
            apply_scenario(net, scenario_of(sweep, p))
        except ValidationError as e:
            for q in e.problems:
                if (q.file, q.line, q.message) not in seen:
                    seen.add((q.file, q.line, q.message))
                    probs.add(q.file, q.line, q.message, q.hint)
    probs.raise_if_any()


def meta(sweep: Sweep, net: Network) -> dict[str, Any]:
    """The ``_sweep.json`` record of a sweep."""
    return {
        "name": sweep.name,
        "digest": sweep.digest(),
        "file": str(sweep.path),
        "network": net.name,
        "network_version": net.version,
        "items": [i.name for i in sweep.items],
        "grid": [{"label": g.label, "values": list(g.values)} for g in sweep.grid],
        "targets": list(sweep.targets),
        "metrics": list(sweep.metrics),
        "sample": sweep.sample,
        "seed": sweep.seed,
        "orders": [list(o) for o in orders(sweep)],
        "costs": {k: {"cny_bn": c.cny_bn, "source": c.source} for k, c in sweep.costs.items()},
        "scenarios": len(points(sweep)),
    }


def batches(todo: list[Point], size: int) -> list[list[Point]]:
    """Consecutive batches of at most ``size`` points, never mixing grid points."""
    out: list[list[Point]] = []
    for p in todo:
        if out and len(out[-1]) < size and out[-1][0].grid == p.grid:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    batch_size: int | None = None,
    processes: bool = True,
    fast: bool = True,
    progress: Progress | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> RunStats:
    """Evaluate every scenario of a sweep that ``out`` lacks, on Dask, writing parts as they finish.

    Parameters
    ----------
    sweep
        From :func:`commute.sweep.spec.load_sweep`.
    out
        The results folder (a Parquet dataset); created, or resumed if it holds this sweep.
    workers
        Worker processes of the LocalCluster (ignored with ``scheduler``).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``); its workers need commute
        installed. None starts a LocalCluster here and stops it at the end.
    batch_size
        Scenarios per task (default: about eight tasks per worker, at most 64 scenarios).
    processes
        LocalCluster workers as processes (True) or threads of this process.
    fast
        Patch one union engine per grid point (checked against built scenarios); False builds
        every scenario.
    progress
        Called with (scenarios done, total) after each batch.
    on_batch
        Called with the number of batches written so far (for tests that interrupt a run).

    Raises
    ------
    ValidationError
        If the sweep's base, items or grid values do not apply to the network.
    SweepMismatchError
        If ``out`` holds another sweep's results.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as e:  # pragma: no cover - declared dependency
        raise InvalidOptionError("commute sweep run needs dask[distributed]; pip install 'commute[sweep]'.") from e
    t0 = time.perf_counter()
    net = load_network(sweep.base.network)
    validate(sweep, net)
    root = store.open_store(out, meta(sweep, net))
    pts = points(sweep)
    have = store.done(root)
    hashes = {p: point_hash(sweep, p, net) for p in pts}
    todo = [p for p in pts if hashes[p] not in have]
    skipped = len(pts) - len(todo)
    if progress:
        progress(skipped, len(pts))
    if not todo:
        return RunStats(len(pts), skipped, 0, 0, time.perf_counter() - t0, 0)
    cluster = None
    if scheduler is None:
        if workers < 1:
            raise InvalidOptionError(f"--workers {workers} is not a positive number; give 1 or more.")
        extra = {"env": {"NUMBA_NUM_THREADS": "1"}} if processes else {}  # one core per worker, not per kernel
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            silence_logs=40,
            **extra,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except OSError as e:
            raise InvalidOptionError(
                f"no Dask scheduler answers at {scheduler}; start one (dask scheduler) or drop --scheduler."
            ) from e
    n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
    size = batch_size or max(1, min(64, math.ceil(len(todo) / (8 * n_workers))))
    todo_batches = batches(todo, size)
    written = 0
    done_n = skipped
    seen: set[str] = set()
    futures = []
    try:
        s_f, n_f = client.scatter([sweep, net], broadcast=True)
        futures = [
            client.submit(evaluate_batch, s_f, n_f, b, fast, key=f"sweep-{sweep.digest()}-{i}", retries=3)
            for i, b in enumerate(todo_batches)
        ]
        for fut in as_completed(futures):
            rows = fut.result()
            rows = rows[~rows["scenario"].isin(seen)]
            if len(rows):
                store.write_part(root, rows)
                new = set(rows["scenario"])
                seen |= new
                done_n += len(new)
            written += 1
            if progress:
                progress(done_n, len(pts))
            if on_batch:
                on_batch(written)
    finally:
        for fut in futures:
            if not fut.done():
                fut.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
    return RunStats(len(pts), skipped, len(seen), written, time.perf_counter() - t0, n_workers)
