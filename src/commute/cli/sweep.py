"""``commute sweep show|run|summary``: many scenarios from one sweep file, on Dask."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_PARTS = ("smallest", "pareto", "shapley")
SHIPPED = "scenarios/sweeps/plan_2035_projects.yaml"


def cmd_sweep_show(args: argparse.Namespace) -> int:
    """Describe a sweep file and say how many scenarios it makes."""
    from commute.cli.render import emit as _emit
    from commute.io.network import load_network
    from commute.sweep.expand import count, grid_points, subsets
    from commute.sweep.runner import validate
    from commute.sweep.spec import load_sweep

    sw = load_sweep(args.file)
    net = load_network(sw.base.network)
    validate(sw, net)
    n_sub, n_grid = len(subsets(sw)), len(grid_points(sw))
    how = f"{sw.sample} random orders of the items (every prefix)" if sw.sample else "every subset of the items"
    lines = [
        f"sweep: {sw.name}",
        f"base: {sw.base.name} ({sw.base.path}), year {sw.base.year}, network {net.name}",
        f"items ({len(sw.items)}): " + ", ".join(i.name for i in sw.items),
        f"subsets: {n_sub:,} ({how})",
        *[f"grid: {g.label} in {', '.join(f'{v:g}' for v in g.values)}" for g in sw.grid],
        f"targets: {', '.join(sw.targets)}; metrics: {', '.join(sw.metrics)}",
        f"costs: {len(sw.costs)} of {len(sw.items)} items" if sw.items else "costs: -",
        f"scenarios: {count(sw):,} ({n_sub:,} subsets x {n_grid:,} grid points)",
        f"digest: {sw.digest()}",
    ]
    _emit("\n".join(lines) + "\n", args.output)
    return 0


def _bar(stream: Any) -> Any:
    start = time.perf_counter()
    state: dict[str, int] = {}

    def progress(done: int, total: int) -> None:
        state.setdefault("first", done)
        width = 30
        full = int(width * done / total) if total else width
        dt = time.perf_counter() - start
        rate = (done - state["first"]) / dt if dt > 0 else 0.0
        stream.write(f"\r[{'#' * full}{'.' * (width - full)}] {done:,}/{total:,} scenarios, {rate:.1f}/s")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return progress


def cmd_sweep_run(args: argparse.Namespace) -> int:
    """Run a sweep on Dask (a LocalCluster, or an existing scheduler) and write its results."""
    from commute.errors import InvalidOptionError
    from commute.sweep.runner import run_sweep
    from commute.sweep.spec import load_sweep

    sw = load_sweep(args.file)
    if args.batch_size is not None and args.batch_size < 1:
        raise InvalidOptionError(f"--batch-size {args.batch_size} is not positive; give 1 or more.")
    st = run_sweep(
        sw,
        args.output,
        workers=args.workers,
        scheduler=args.scheduler,
        batch_size=args.batch_size,
        fast=not args.build_all,
        progress=None if args.quiet else _bar(sys.stderr),
    )
    where = args.scheduler or f"a LocalCluster of {args.workers} worker{'s' if args.workers != 1 else ''}"
    sys.stdout.write(
        f"{st.evaluated:,} scenarios evaluated on {where} in {st.seconds:.1f} s"
        + (f" ({st.rate:.1f}/s)" if st.evaluated else "")
        + f"; {st.skipped:,} were already in {args.output}; {st.total:,} in all.\n"
    )
    return 0


def cmd_sweep_summary(args: argparse.Namespace) -> int:
    """Smallest passing subsets, the cost Pareto front and Shapley values from a results folder."""
    from commute.cli.render import emit as _emit
    from commute.cli.render import render
    from commute.errors import InvalidOptionError
    from commute.sweep import analysis as A
    from commute.sweep.evaluate import ALL
    from commute.sweep.store import read_meta, read_results

    parts = [s.strip() for s in args.show.split(",") if s.strip()]
    bad = [s for s in parts if s not in SUMMARY_PARTS]
    if bad or not parts:
        raise InvalidOptionError(f"--show {args.show!r} is not a list of {', '.join(SUMMARY_PARTS)}; pick from those.")
    if args.format == "csv" and len(parts) != 1:
        raise InvalidOptionError("--format csv writes one table; give --show smallest, pareto or shapley.")
    meta = read_meta(args.results)
    rows = read_results(args.results)
    tables: dict[str, pd.DataFrame] = {}
    notes: dict[str, str] = {}
    if "smallest" in parts:
        tables["smallest"] = A.smallest_passing(rows, meta)
    if "pareto" in parts:
        tables["pareto"], notes["pareto"] = A.pareto(rows, meta)
    if "shapley" in parts:
        c = A.contributions(rows, meta)
        if not args.all_rules:
            c = c[c["rule"] == ALL]
        tables["shapley"] = c.reset_index(drop=True)
    done = rows["scenario"].nunique() if len(rows) else 0
    head = f"{meta['name']}: {done:,} of {meta['scenarios']:,} scenarios in {args.results}"
    if args.format == "json":
        out = {
            "sweep": meta["name"],
            "scenarios": done,
            "of": meta["scenarios"],
            "notes": notes,
            **{k: json.loads(render(v, "json"))["rows"] for k, v in tables.items()},
        }
        text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = render(tables[parts[0]], "csv")
    else:
        chunks = [head]
        for k, v in tables.items():
            chunks.append(f"\n== {k} ==" + (f"\n({notes[k]})" if k in notes else ""))
            chunks.append(render(v, "table").rstrip("\n"))
        text = "\n".join(chunks) + "\n"
    _emit(text, args.output)
    return 0


def register(sub: Any) -> None:
    """Add ``sweep show|run|summary`` to the command line's subparsers."""
    p = sub.add_parser(
        "sweep",
        help="many scenarios from one sweep file, on Dask (show, run, summary)",
        description="Sweeps: subsets of projects or changes, and grids of parameters, evaluated on "
        "dask.distributed and written to a Parquet dataset that a rerun resumes.",
    )
    ssub = p.add_subparsers(dest="sweep_command", metavar="SUBCOMMAND")
    raw = argparse.RawDescriptionHelpFormatter
    q = ssub.add_parser(
        "show",
        help="describe a sweep file and count its scenarios",
        epilog=f"example:\n  commute sweep show {SHIPPED}",
        formatter_class=raw,
    )
    q.add_argument("file", help="sweep YAML file")
    q.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    q.set_defaults(handler=cmd_sweep_show)
    q = ssub.add_parser(
        "run",
        help="evaluate a sweep on a LocalCluster or an existing Dask cluster",
        description="Evaluate every scenario of a sweep that the results folder lacks. Results go to a "
        "Parquet dataset (one row per scenario and metric, keyed by the scenario's content hash) as "
        "batches finish; rerun the same command to finish an interrupted sweep.",
        epilog=f"example:\n  commute sweep run {SHIPPED} -o results.parquet --workers 2",
        formatter_class=raw,
    )
    q.add_argument("file", help="sweep YAML file")
    q.add_argument("-o", "--output", required=True, help="results folder (a Parquet dataset), e.g. results.parquet")
    q.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster (default 2)")
    q.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler, e.g. tcp://host:8786")
    q.add_argument("--batch-size", type=int, default=None, help="scenarios per task (default: automatic)")
    q.add_argument("--build-all", action="store_true", help="build every scenario instead of patching one engine")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.set_defaults(handler=cmd_sweep_run)
    q = ssub.add_parser(
        "summary",
        help="smallest passing subsets, cost Pareto front and Shapley values",
        epilog="example:\n  commute sweep summary results.parquet --show shapley",
        formatter_class=raw,
    )
    q.add_argument("results", help="results folder written by sweep run")
    q.add_argument("--show", default=",".join(SUMMARY_PARTS), help="parts: smallest,pareto,shapley (default all)")
    q.add_argument("--all-rules", action="store_true", help="Shapley values per rule, not only for all rules")
    q.add_argument("--format", default="table", help="table, json, or csv (with one --show part)")
    q.add_argument("-o", "--output", default=None, help="write to this file instead of stdout")
    q.set_defaults(handler=cmd_sweep_summary)
    p.set_defaults(handler=lambda a, parser=p: (parser.print_help(), 0)[1])
