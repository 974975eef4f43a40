"""Departure-window transit search: the compiled RAPTOR kernel against a time-expanded Dijkstra.

    python benchmarks/transit_window.py                  # every workload
    python benchmarks/transit_window.py --only synthetic

The question (the one ``commute.search.transit`` answers for a window): for every departure
minute ``d`` and every origin (a set of stops with access minutes), the earliest arrival at
every destination (a set of stops with egress minutes) = min over its stops ``s`` of (earliest
vehicle arrival at ``s`` when ready at the origin's stops at ``d + access``) + egress.

- ``raptor``: :func:`commute.search.raptor.profile_many` (range RAPTOR, all origins in
  parallel), then the egress minimum.
- ``time_expanded``: :func:`time_expanded_baseline`, scipy's ``csgraph.dijkstra`` on a
  time-expanded graph (a node per trip arrival and departure event, a waiting chain of boarding
  times per stop, ride, stay-on, board, transfer and footpath arcs), one Dijkstra per origin
  and departure from a super source. It has no limit on boardings; the kernel is given enough
  rounds that the answers must be identical, and the script checks they are.

Workloads
  caltrain   the real Caltrain feed (../shared/data/gtfs) imported for Monday 2017-07-24 by
             ``commute gtfs import``'s reader: 92 trips; every stop with a departure is an
             origin, every stop a destination, 07:00-09:00 every minute, 2 min to change trains
  synthetic  a seeded timetable the size of the circle's: 150 stops, 3,000 trips on 40 lines
             (with expresses that overtake), 48 origins and 48 destinations with 3-4 access and
             egress stops each, 121 departure minutes (07:00-09:00), footpaths, transfer times

Each (workload, tool) runs in its own process; the time is the wall time of building the tool's
structures and answering, after one warm-up call that compiles (numba caches the kernels on
disk); the memory is the process's peak resident set (VmHWM). Results go to
``benchmarks/results/transit_window.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMMUTE_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "benchmarks" / "results"
TOOLS = ("raptor", "time_expanded")
WORKLOADS = ("caltrain", "synthetic", "circle")
Places = Sequence[tuple[Any, Any]]  # per origin/destination: (stops, minutes)


def egress_min(arrival: Any, egress: Places) -> Any:
    """``out[..., j] = min_s arrival[..., s] + egress minutes`` for each destination ``j``."""
    out = np.full((*arrival.shape[:-1], len(egress)), np.inf)
    for j, (stops, minutes) in enumerate(egress):
        s = np.asarray(stops, dtype=np.int64)
        if s.size:
            out[..., j] = (arrival[..., s] + np.asarray(minutes, float)).min(axis=-1)
    return out


def raptor_answer(trips, n_stops, transfers, min_transfer, access: Places, egress: Places, departures, rounds=16):
    """The kernel's answer ``[n_origins, n_departures, n_destinations]``."""
    from commute.search.raptor import build_timetable, profile_many

    tt = build_timetable(trips, n_stops, transfers=transfers, min_transfer=min_transfer)
    return egress_min(profile_many(tt, access, departures, max_rounds=rounds), egress)


def time_expanded_baseline(
    trips, n_stops, transfers, min_transfer, access: Places, egress: Places, departures, *, chunk: int = 64
) -> Any:
    """Answer the same question by scipy Dijkstra on a time-expanded graph.

    Parameters
    ----------
    trips
        :class:`commute.search.raptor.TripSpec` list.
    n_stops, transfers, min_transfer
        As for :func:`commute.search.raptor.build_timetable` (``min_transfer`` an array).
    access, egress
        Per origin / destination: ``(stops, minutes)``.
    departures
        Departure minutes.
    chunk
        Sources per scipy call (memory: ``chunk x nodes`` floats).

    Returns
    -------
    numpy.ndarray
        ``arrival[n_origins, n_departures, n_destinations]`` (inf: unreachable).
    """
    mt = np.asarray(min_transfer, float)
    # event nodes: per trip position an arrival node and a departure node
    n_ev = sum(len(t.stops) for t in trips)
    a_node = np.arange(n_ev)
    d_node = n_ev + np.arange(n_ev)
    stop = np.concatenate([np.asarray(t.stops, np.int64) for t in trips])
    arr = np.concatenate([np.asarray(t.arr, float) for t in trips])
    dep = np.concatenate([np.asarray(t.dep, float) for t in trips])
    pick = np.concatenate([np.asarray(t.pickup, bool) for t in trips])
    drop = np.concatenate([np.asarray(t.dropoff, bool) for t in trips])
    last = np.concatenate([np.arange(len(t.stops)) == len(t.stops) - 1 for t in trips])
    first = np.concatenate([np.arange(len(t.stops)) == 0 for t in trips])
    alight = np.flatnonzero(drop & ~first)
    # waiting chain per stop: one node per distinct boarding time (pickup allowed, not last)
    boards = np.flatnonzero(pick & ~last)
    keys = np.unique(np.column_stack([stop[boards], dep[boards]]), axis=0)
    w_stop, w_time = keys[:, 0].astype(np.int64), keys[:, 1]
    w_node = 2 * n_ev + np.arange(len(keys))
    n_nodes = 2 * n_ev + len(keys)
    w_ptr = np.searchsorted(w_stop, np.arange(n_stops + 1))

    def first_wait(s: int, t: float) -> int:
        i = w_ptr[s] + np.searchsorted(w_time[w_ptr[s] : w_ptr[s + 1]], t)
        return int(i) if i < w_ptr[s + 1] else -1

    src, dst, w = [], [], []
    nxt = np.flatnonzero(~last)
    src += [d_node[nxt], a_node[nxt]]  # ride to the next position; stay on at a position
    dst += [a_node[nxt + 1], d_node[nxt]]
    w += [arr[nxt + 1] - dep[nxt], dep[nxt] - arr[nxt]]
    same = w_stop[1:] == w_stop[:-1]  # wait at a stop for the next boarding time
    src.append(w_node[:-1][same])
    dst.append(w_node[1:][same])
    w.append(np.diff(w_time)[same])
    wi = np.array([first_wait(stop[e], dep[e]) for e in boards], dtype=np.int64)  # board
    src.append(w_node[wi])
    dst.append(d_node[boards])
    w.append(np.zeros(len(boards)))
    foot: dict[int, list[tuple[int, float]]] = {}
    for f, t, m in transfers:
        foot.setdefault(int(f), []).append((int(t), float(m)))
    ts, td, tw = [], [], []
    for e in alight:  # alight, then change trains or walk
        for s2, m in [(int(stop[e]), float(mt[stop[e]])), *foot.get(int(stop[e]), [])]:
            i = first_wait(s2, arr[e] + m)
            if i >= 0:
                ts.append(a_node[e])
                td.append(w_node[i])
                tw.append(w_time[i] - arr[e])
    src.append(np.array(ts, np.int64))
    dst.append(np.array(td, np.int64))
    w.append(np.array(tw, float))
    # one super source per (origin, departure)
    deps = np.asarray(departures, float)
    n_src = len(access) * len(deps)
    ss, sd, sw = [], [], []
    for o, (stops, minutes) in enumerate(access):
        for k, d in enumerate(deps):
            for s, m in zip(stops, minutes, strict=True):
                i = first_wait(int(s), d + float(m))
                if i >= 0 and np.isfinite(m):
                    ss.append(n_nodes + o * len(deps) + k)
                    sd.append(w_node[i])
                    sw.append(w_time[i] - d)
    src.append(np.array(ss, np.int64))
    dst.append(np.array(sd, np.int64))
    w.append(np.array(sw, float))
    n_all = n_nodes + n_src
    u, v, c = np.concatenate(src), np.concatenate(dst), np.concatenate(w)
    order = np.lexsort((c, v, u))  # parallel arcs (two footpaths to one stop): keep the shortest,
    u, v, c = u[order], v[order], c[order]  # as scipy would add them up
    keep = np.r_[True, (u[1:] != u[:-1]) | (v[1:] != v[:-1])]
    g = sp.coo_array((c[keep], (u[keep], v[keep])), shape=(n_all, n_all)).tocsr()
    out = np.empty((len(access), len(deps), len(egress)))
    for lo in range(0, n_src, chunk):
        idx = np.arange(lo, min(lo + chunk, n_src))
        dist = dijkstra(g, indices=n_nodes + idx, min_only=False)
        arrival = np.full((len(idx), n_stops), np.inf)
        for r in range(len(idx)):
            np.minimum.at(arrival[r], stop[alight], dist[r, a_node[alight]])
        arrival += deps[idx % len(deps)][:, None]
        res = egress_min(arrival, egress)
        out.reshape(n_src, len(egress))[idx] = res
    return out


# ----------------------------------------------------------------------------------------------
# workloads
# ----------------------------------------------------------------------------------------------
def caltrain_problem():
    import datetime as dt

    from commute.io.gtfs import Feed, day_stop_times
    from commute.search.raptor import TripSpec

    st = day_stop_times(Feed(SHARED / "gtfs" / "caltrain_2017-07-24"), dt.date(2017, 7, 24))
    index = {s: i for i, s in enumerate(sorted(set(st["stop_id"])))}
    trips = [
        TripSpec([index[s] for s in g["stop_id"]], g["arr"].to_numpy(), g["dep"].to_numpy(),
                 g["pickup"].to_numpy(), g["dropoff"].to_numpy(), k)
        for k, (_, g) in enumerate(st.groupby("trip_id", sort=True))
    ]  # fmt: skip
    n = len(index)
    origins = sorted({int(s) for t in trips for s in t.stops[:-1]})
    access = [([s], [0.0]) for s in origins]
    egress = [([s], [0.0]) for s in range(n)]
    return trips, n, [], np.full(n, 2.0), access, egress, np.arange(420.0, 541.0)


def synthetic_problem(seed: int = 13):
    from commute.search.raptor import TripSpec

    rng = np.random.default_rng(seed)
    n, n_lines = 150, 40
    trips = []
    for _ in range(n_lines):
        stops = rng.choice(n, size=int(rng.integers(6, 18)), replace=False)
        hops = rng.integers(3, 14, size=len(stops) - 1).astype(float)
        for direction in (0, 1):
            s = stops if direction == 0 else stops[::-1]
            h = hops if direction == 0 else hops[::-1]
            for _ in range(3000 // (2 * n_lines)):
                express = rng.random() < 0.25  # faster: overtakes the stopping trains
                run = h * (0.7 if express else 1.0)
                dwell = 0.0 if express else 1.0
                t0 = float(rng.integers(300, 1380))
                arr = np.empty(len(s))
                dep = np.empty(len(s))
                arr[0] = dep[0] = t0
                for p in range(1, len(s)):
                    arr[p] = dep[p - 1] + np.round(run[p - 1])
                    dep[p] = arr[p] + (dwell if p < len(s) - 1 else 0.0)
                trips.append(TripSpec(s, arr, dep, np.ones(len(s), bool), np.ones(len(s), bool), len(trips)))
    pairs = rng.integers(0, n, size=(300, 2))
    transfers = [(int(a), int(b), float(rng.integers(2, 10))) for a, b in pairs if a != b]
    mt = rng.choice([0.0, 2.0, 5.0], size=n)

    def places(k):
        return [(rng.choice(n, size=int(rng.integers(3, 5)), replace=False), rng.integers(5, 45, 4)[:4].astype(float))
                for _ in range(k)]  # fmt: skip

    access = [(s, m[: len(s)]) for s, m in places(48)]
    egress = [(s, m[: len(s)]) for s, m in places(48)]
    return trips, n, transfers, mt, access, egress, np.arange(420.0, 541.0)


def circle_problem():
    """The default network today: its 48 circle places to every place, door to door, road and rail.

    The trips, footpaths, transfer times and access/egress minutes are those the departure-time
    engine compiles (``commute.search.transit``), the timetable copied on the day before and
    after as the engine does; both tools answer its transit part.
    """
    from commute.model.scenario import graph_for
    from commute.results.travel import endpoints
    from commute.search import api
    from commute.search import transit as T
    from commute.search.raptor import TripSpec

    G = graph_for(year=2026)
    eng = api.compile_engine(G, "road,rail", "door_to_door", T.Query())
    tt = eng.timetable
    trips = []
    for r in range(tt.n_routes):
        stops = tt.route_stops[tt.route_ptr[r] : tt.route_ptr[r + 1]]
        pick = tt.route_pickup[tt.route_ptr[r] : tt.route_ptr[r + 1]]
        drop = tt.route_dropoff[tt.route_ptr[r] : tt.route_ptr[r + 1]]
        L, base = len(stops), tt.route_time_base[r]
        for i in range(tt.route_trip_ptr[r + 1] - tt.route_trip_ptr[r]):
            sl = slice(base + i * L, base + (i + 1) * L)
            trips.append(TripSpec(stops, tt.arr[sl], tt.dep[sl], pick, drop, len(trips)))
    transfers = [
        (a, int(tt.foot_to[k]), float(tt.foot_min[k]))
        for a in range(tt.n_stops)
        for k in range(tt.foot_ptr[a], tt.foot_ptr[a + 1])
    ]
    origins = endpoints(G, "circle_places")
    dests = endpoints(G, "circle_places,cluster,major")
    acc = T._access_rows(eng, origins)[1]
    eg = T._egress_cols(eng, dests)[1]
    access = [(np.flatnonzero(np.isfinite(a)), a[np.isfinite(a)]) for a in acc]
    egress = [(np.flatnonzero(np.isfinite(c)), c[np.isfinite(c)]) for c in eg.T]
    return trips, tt.n_stops, transfers, tt.min_transfer, access, egress, np.arange(420.0, 541.0)


def circle_end_to_end() -> dict[str, Any]:
    """The whole door-to-door query through the public API, compile included (not compared)."""
    from commute.model.scenario import graph_for
    from commute.results.travel import endpoints
    from commute.search import api
    from commute.search import transit as T

    G = graph_for(year=2026)
    o, d = endpoints(G, "circle_places"), endpoints(G, "circle_places,cluster,major")
    q = T.Query(depart=(420.0, 540.0), step=1.0, statistic="median")
    api.matrix(api.compile_engine(G, "road,rail", "door_to_door", q), o[:1], d[:1])  # numba warm-up
    api.clear_cache()
    t = time.perf_counter()
    eng = api.compile_engine(G, "road,rail", "door_to_door", q)
    compiled = time.perf_counter() - t
    m = api.matrix(eng, o, d)
    total = time.perf_counter() - t
    return {"seconds": total, "compile_seconds": compiled, "pairs": int(m.size), "peak_mb": peak_mb()}


PROBLEMS = {"caltrain": caltrain_problem, "synthetic": synthetic_problem, "circle": circle_problem}


def peak_mb() -> float:
    """Peak resident set of this process, MB (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(workload: str, tool: str, out: str) -> None:
    """Child process: answer one workload with one tool; write the answer and the timings."""
    problem = PROBLEMS[workload]()
    fn = raptor_answer if tool == "raptor" else time_expanded_baseline
    if tool == "raptor":  # compile (or load the cache) outside the timing
        trips, n, tr, mt, acc, egr, deps = problem
        fn(trips, n, tr, mt, acc[:1], egr[:1], deps[:2])
    t = time.perf_counter()
    ans = fn(*problem)
    seconds = time.perf_counter() - t
    np.save(out + ".npy", ans)
    trips, n, _tr, _mt, acc, egr, deps = problem
    info = {"seconds": seconds, "peak_mb": peak_mb(), "trips": len(trips), "stops": n}
    info.update(origins=len(acc), destinations=len(egr), departures=len(deps))
    Path(out).write_text(json.dumps(info))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=WORKLOADS, action="append")
    ap.add_argument("--child", nargs=3, metavar=("WORKLOAD", "TOOL", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--end-to-end", metavar="OUT", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.end_to_end:
        Path(args.end_to_end).write_text(json.dumps(circle_end_to_end()))
        return 0
    if args.child:
        run_one(*args.child)
        return 0
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    if args.only and (OUT / "transit_window.json").exists():  # keep the workloads not rerun
        results = {**json.loads((OUT / "transit_window.json").read_text()), **results}
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory() as tmp:
        for wl in args.only or WORKLOADS:
            if wl == "caltrain" and not (SHARED / "gtfs" / "caltrain_2017-07-24").exists():
                results[wl] = {"skipped": "../shared/data/gtfs/caltrain_2017-07-24 is not available"}
                continue
            row: dict[str, Any] = {}
            for tool in TOOLS:
                out = str(Path(tmp) / f"{wl}_{tool}.json")
                subprocess.run([sys.executable, __file__, "--child", wl, tool, out], check=True, env=env)
                row[tool] = json.loads(Path(out).read_text())
            a, b = (np.load(str(Path(tmp) / f"{wl}_{t}.json") + ".npy") for t in TOOLS)
            same_inf = bool((np.isinf(a) == np.isinf(b)).all())
            fin = np.isfinite(a) & np.isfinite(b)
            row["identical"] = bool(same_inf and (a[fin] == b[fin]).all())
            row["max_abs_diff"] = float(np.abs(a[fin] - b[fin]).max()) if fin.any() else 0.0
            row["reachable_share"] = float(fin.mean())
            row["speedup"] = row["time_expanded"]["seconds"] / row["raptor"]["seconds"]
            results[wl] = row
            print(wl, json.dumps(row))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "transit_window.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Transit departure window: RAPTOR kernel vs time-expanded Dijkstra", "",
             "`python benchmarks/transit_window.py` on this machine "
             f"({results['machine']['cpus']} cores, shared). Times exclude numba compilation (cached).", "",
             "| workload | trips | stops | origins x departures x destinations | raptor s | raptor MB "
             "| time-expanded s | time-expanded MB | speed-up | identical |", "|" + "---|" * 10]  # fmt: skip
    for wl in WORKLOADS:
        r = results.get(wl)
        if not r or "skipped" in r:
            continue
        k, b = r["raptor"], r["time_expanded"]
        lines.append(f"| {wl} | {k['trips']} | {k['stops']} | {k['origins']} x {k['departures']} x "
                     f"{k['destinations']} | {k['seconds']:.3f} | {k['peak_mb']:.0f} | {b['seconds']:.2f} | "
                     f"{b['peak_mb']:.0f} | {r['speedup']:.0f}x | {r['identical']} |")  # fmt: skip
    if "circle" in (args.only or WORKLOADS):
        out = str(Path(tempfile.gettempdir()) / "circle_end_to_end.json")
        subprocess.run([sys.executable, __file__, "--end-to-end", out], check=True, env=env)
        e2e = json.loads(Path(out).read_text())
        results["circle_end_to_end"] = e2e
        (OUT / "transit_window.json").write_text(json.dumps(results, indent=2) + "\n")
        lines += ["", "Door to door through `commute.search.api` on the default network (2026), 48 circle places "
                  f"to {e2e['pairs'] // 48} places, road and rail, 07:00-09:00 every minute, median: "
                  f"**{e2e['seconds']:.2f} s** including {e2e['compile_seconds']:.2f} s to compile the engine "
                  f"(trips, access graph, footpaths), {e2e['peak_mb']:.0f} MB peak."]  # fmt: skip
    (OUT / "transit_window.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
