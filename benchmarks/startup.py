"""Start-up time of the command line, each run in a fresh process.

    python benchmarks/startup.py             # 7 runs each (median)
    python benchmarks/startup.py --runs 3
    python benchmarks/startup.py --runs 3 --only-matrix   # just the matrix commands
    python benchmarks/startup.py --installed /tmp/venv/bin/python --only-matrix
        # an installed wheel (with its prebuilt objects), not the worktree's source

The first ``commute matrix`` is timed twice: *fresh*, each run with an empty cache folder of its
own (``XDG_CACHE_HOME`` a new temporary folder, ``COMMUTE_CACHE_DIR`` and ``NUMBA_CACHE_DIR``
unset), as the first run after an installation; and *warm*, after one untimed run in a shared
cache folder (validation stamp, graph and engine objects, numba's cache where a kernel was
compiled), as every later run.

Times ``commute --help``, every verb's ``--help`` (actions of a group included) and a first
``commute matrix`` (loading the network, building and compiling the graph, one query), each in
its own ``python -m commute`` process with the worktree's ``src`` first on the path, beside
``python -c pass`` (the interpreter alone, which shows how loaded the machine is). Reports
the median, the minimum and the maximum wall time of ``--runs`` runs, and writes
benchmarks/results/startup.json and startup.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
MATRIX = [
    ["matrix", "--origins", "武汉", "--destinations", "黄石"],
    ["matrix", "--origins", "武汉", "--destinations", "黄石,长沙", "--modes", "rail", "--format", "csv"],
]


def _commands() -> list[list[str]]:
    sys.path.insert(0, str(ROOT / "src"))
    from commute.cli import build_parser

    def leaves(p: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return [prefix]
        found = [prefix]
        for name, q in subs[0].choices.items():
            found += leaves(q, [*prefix, name])
        return found

    return [[*c, "--help"] for c in leaves(build_parser(), [])]


#: The interpreter that runs ``commute``, and whether it reads the worktree's source (see --installed).
PYTHON = {"exe": sys.executable, "source": True}


def _time(
    argv: list[str], runs: int, *, prefix: tuple[str, ...] = ("-m", "commute"), cache: str | None = None
) -> dict[str, float]:
    """Wall times of ``runs`` fresh processes; ``cache``: "fresh" (a new cache folder each run) or a folder."""
    drop = ("COMMUTE_CACHE_DIR", "NUMBA_CACHE_DIR", "COMMUTE_PREBUILT", "PYTHONPATH")
    base = {k: v for k, v in os.environ.items() if k not in drop}
    env = {**base, "PYTHONPATH": str(ROOT / "src")} if PYTHON["source"] else base
    times = []
    for _ in range(runs):
        if cache is not None:
            env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="commute-bench-") if cache == "fresh" else cache
        t0 = time.perf_counter()
        subprocess.run([str(PYTHON["exe"]), *prefix, *argv], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    ap.add_argument("--only-matrix", action="store_true", help="time only the matrix commands")
    ap.add_argument("--installed", metavar="PYTHON", help="time the commute installed for this interpreter")
    a = ap.parse_args()
    if a.installed:
        PYTHON.update(exe=a.installed, source=False)
    python_s = _time(["-c", "pass"], a.runs, prefix=())  # the interpreter alone: how loaded the machine is
    print(f"{python_s['median_s']:7.3f} s  python -c pass", flush=True)
    rows = []
    for argv in [] if a.only_matrix else _commands():
        r = _time(argv, a.runs)
        rows.append({"command": "commute " + " ".join(argv), **r})
        print(f"{r['median_s']:7.3f} s  commute {' '.join(argv)}", flush=True)
    for argv in MATRIX:
        warm = tempfile.mkdtemp(prefix="commute-bench-warm-")
        _time(argv, 1, cache=warm)  # fills the shared cache folder
        for label, cache in (("fresh cache", "fresh"), ("warm cache", warm)):
            r = _time(argv, a.runs, cache=cache)
            rows.append({"command": f"commute {' '.join(argv)} ({label})", **r})
            print(f"{r['median_s']:7.3f} s  commute {' '.join(argv)} ({label})", flush=True)
    payload = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": a.runs,
        "installed": a.installed,
        "python_c_pass_s": python_s,
        "rows": rows,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "startup.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Start-up time of the command line",
        "",
        f"Python {payload['python']} on {payload['machine']} ({payload['cpus']} CPUs shared), "
        f"median of {a.runs} fresh processes, "
        f"{'the package installed for ' + a.installed if a.installed else 'the worktree source'}. "
        "Written by `python benchmarks/startup.py`. "
        f"The interpreter alone (`python -c pass`) took {python_s['median_s']:.3f} s in the same run.",
        "",
        "| command | median s | min s | max s |",
        "| --- | ---: | ---: | ---: |",
        *(f"| `{r['command']}` | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_s']:.3f} |" for r in rows),
        "",
    ]
    (OUT / "startup.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
