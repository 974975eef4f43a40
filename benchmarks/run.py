"""Benchmark commute against its peers on the same graphs, in one run.

    python benchmarks/run.py                 # every workload, every tool available
    python benchmarks/run.py --only sydney   # one workload
    python benchmarks/run.py --full          # no sampling for networkx (slow: minutes)

Workloads
  sydney, chicago   full zone-to-zone matrix on the TNTP networks (../shared/data/bench/tntp)
  isochrone         one-to-all with a 30-minute cutoff from 100 Sydney zones
  synthetic         a reproducible road-like grid with over 1,000,000 directed links: 1,000 x 1,000
  synthetic_again   a second 1,000 x 1,000 query set on the grid, on the structure the first one built
                    (commute's hierarchy, pandana's network); only the second set is timed
  customise         commute's hierarchy on the grid and on Sydney: a full build, then re-customising
                    after 10 links change their minutes (5 slower, 5 faster), checked against a fresh build
  wuhan             every shipped target on every shipped scenario; then one more scenario's check

Tools: commute (the engine's rule: a customisable contraction hierarchy for the matrices, a bounded
compiled Dijkstra for the isochrones), scipy (csgraph.dijkstra),
igraph (distances), pandana (contraction hierarchies), networkx (single_source_dijkstra). Each
(workload, tool) runs in its own process; the time is the wall time of building the tool's graph and
answering (not reading the file), the memory the process's peak resident set. Every answer is
compared with commute's: max |difference| on reachable pairs and whether the unreachable pairs are
the same. networkx is sampled (``--nx-sample`` origins, time extrapolated) unless ``--full``.
Results go to benchmarks/results/results.json and results.md (``--out NAME``: NAME.json, NAME.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMMUTE_SHARED_DATA", ROOT.parent / "shared" / "data"))
TNTP = SHARED / "bench" / "tntp"
OUT = ROOT / "benchmarks" / "results"
TOOLS = ("commute", "scipy", "igraph", "pandana", "networkx")
WORKLOADS = ("sydney", "chicago", "isochrone", "synthetic", "synthetic_again", "customise", "wuhan")
AGAIN_TOOLS = ("commute", "pandana")  # the tools that keep a structure between query sets


# ----------------------------------------------------------------------------------------------
# problems: (n, src, dst, w, origins, destinations, cutoff)
# ----------------------------------------------------------------------------------------------
def tntp_problem(name: str):
    from commute.io.tntp import read_tntp

    files = {
        "sydney": ("Sydney_Sydney_net.tntp", "Sydney_Sydney_node.tntp"),
        "chicago": ("chicago-regional_ChicagoRegional_net.tntp", "chicago-regional_ChicagoRegional_node.tntp"),
    }
    net, node = files[name]
    N = read_tntp(TNTP / net, TNTP / node)
    z = np.arange(1, N.zones + 1)
    return N.n, N.src, N.dst, N.minutes, N.origin_index(z), N.destination_index(z), None


def isochrone_problem():
    n, src, dst, w, o, _d, _ = tntp_problem("sydney")
    rng = np.random.default_rng(7)
    origins = np.sort(rng.choice(o, 100, replace=False))
    return n, src, dst, w, origins, None, 30.0


def synthetic_problem(side: int = 510, seed: int = 2026):
    """A grid road network: local streets at 30 km/h, every 8th row and column an arterial at 60,
    links 0.2-0.4 km long, 3 % of streets missing; both directions; over 1,000,000 links."""
    rng = np.random.default_rng(seed)
    idx = np.arange(side * side).reshape(side, side)
    pairs = [
        (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(np.arange(side), side - 1)),
        (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(np.arange(side), side - 1)),
    ]
    src, dst, w = [], [], []
    for a, b, line in pairs:
        length = rng.uniform(0.2, 0.4, len(a))
        speed = np.where(line % 8 == 0, 60.0, 30.0)
        keep = (rng.random(len(a)) > 0.03) | (line % 8 == 0)
        minutes = 60.0 * length / speed
        for s, t in ((a, b), (b, a)):
            src.append(s[keep])
            dst.append(t[keep])
            w.append(minutes[keep])
    src, dst, w = np.concatenate(src), np.concatenate(dst), np.concatenate(w)
    n = side * side
    o = np.sort(rng.choice(n, 1000, replace=False))
    d = np.sort(rng.choice(n, 1000, replace=False))
    return n, src, dst, w, o, d, None


def problem(name: str):
    if name in ("sydney", "chicago"):
        return tntp_problem(name)
    if name == "isochrone":
        return isochrone_problem()
    if name == "synthetic":
        return synthetic_problem()
    if name == "synthetic_again":
        n, src, dst, w, _o, _d, c = synthetic_problem()
        rng = np.random.default_rng(99)
        o2, d2 = (np.sort(rng.choice(n, 1000, replace=False)) for _ in range(2))
        return n, src, dst, w, o2, d2, c
    raise ValueError(name)


# ----------------------------------------------------------------------------------------------
# tools: return a (len(origins), len(destinations)) array, inf where unreachable
# ----------------------------------------------------------------------------------------------
def run_commute(n, src, dst, w, o, d, cutoff):
    import scipy.sparse as sp

    from commute.search import choose

    M = sp.csr_matrix((w, (src, dst)), shape=(n, n))
    limit = np.inf if cutoff is None else cutoff
    # the rule (commute.search.choose) picks a bounded Dijkstra for isochrones (a cutoff) and the
    # hierarchy for the zone matrices and the grid
    return choose.many_to_many(M, o, np.arange(n) if d is None else d, limit=limit)


def warm_up() -> None:
    """Load (or compile, the first time) every compiled kernel on a tiny graph, hierarchy included."""
    import scipy.sparse as sp

    from commute.search import ch, choose

    M = sp.csr_matrix((np.ones(49), (np.arange(49), np.arange(1, 50))), shape=(50, 50))
    for how in ("dijkstra", "hierarchy"):
        choose.many_to_many(M, np.array([0]), np.array([49]), method=how)
    h = ch.hierarchy_for(M)
    ch.one_to_all(h, [np.array([0])])
    M.data[:3] = 2.0
    ch.recustomise(h, M)
    ch.clear_cache()


def run_scipy(n, src, dst, w, o, d, cutoff):
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    M = sp.csr_matrix((w, (src, dst)), shape=(n, n))
    out = dijkstra(M, directed=True, indices=o, limit=np.inf if cutoff is None else cutoff)
    return out if d is None else out[:, d]


def run_igraph(n, src, dst, w, o, d, cutoff):
    import igraph as ig

    g = ig.Graph(n=n, edges=np.c_[src, dst].tolist(), directed=True)
    g.es["w"] = w.tolist()
    out = np.array(g.distances(source=o.tolist(), target=None if d is None else d.tolist(), weights="w", mode="out"))
    if cutoff is not None:
        out[out > cutoff] = np.inf
    return out


def run_pandana(n, src, dst, w, o, d, cutoff):
    import warnings

    import pandana
    import pandas as pd

    # pandana needs coordinates; they do not affect network distances
    x = pd.Series(np.arange(n, dtype=float))
    net = pandana.Network(x, x, pd.Series(src), pd.Series(dst), pd.DataFrame({"w": w}), twoway=False)
    if cutoff is not None:  # isochrones: nodes in range of each origin
        out = np.full((len(o), n), np.inf)
        rng = net.nodes_in_range(list(o), cutoff, imp_name="w")
        out[np.searchsorted(o, rng["source"].to_numpy()), rng["destination"].to_numpy()] = rng["w"].to_numpy()
        return out
    oo = np.repeat(o, len(d))
    dd = np.tile(d, len(o))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandana warns for every unreachable pair
        vals = np.asarray(net.shortest_path_lengths(oo, dd, imp_name="w"), dtype=float)
    vals[vals >= 4294967.0] = np.inf  # pandana's value for an unreachable pair
    return vals.reshape(len(o), len(d))


def run_networkx(n, src, dst, w, o, d, cutoff):
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist(), strict=True))
    cols = np.arange(n) if d is None else d
    out = np.full((len(o), len(cols)), np.inf)
    pos = {int(c): j for j, c in enumerate(cols)}
    for i, s in enumerate(o.tolist()):
        for node, t in nx.single_source_dijkstra_path_length(G, s, cutoff=cutoff, weight="weight").items():
            j = pos.get(node)
            if j is not None:
                out[i, j] = t
    return out


RUNNERS = {
    "commute": run_commute,
    "scipy": run_scipy,
    "igraph": run_igraph,
    "pandana": run_pandana,
    "networkx": run_networkx,
}


def again_commute(n, src, dst, w, o1, d1, o2, d2):
    run_commute(n, src, dst, w, o1, d1, None)  # builds and caches the hierarchy
    t = time.perf_counter()
    ans = run_commute(n, src, dst, w, o2, d2, None)  # found in the cache by the weights' hash
    return ans, time.perf_counter() - t


def again_pandana(n, src, dst, w, o1, d1, o2, d2):
    import warnings

    import pandana
    import pandas as pd

    x = pd.Series(np.arange(n, dtype=float))
    net = pandana.Network(x, x, pd.Series(src), pd.Series(dst), pd.DataFrame({"w": w}), twoway=False)
    out = []
    for o, d in ((o1, d1), (o2, d2)):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vals = np.asarray(net.shortest_path_lengths(np.repeat(o, len(d)), np.tile(d, len(o)), imp_name="w"))
        vals = vals.astype(float)
        vals[vals >= 4294967.0] = np.inf
        out.append((vals.reshape(len(o), len(d)), time.perf_counter() - t))
    return out[1]


AGAIN = {"commute": again_commute, "pandana": again_pandana}


def run_customise():
    """Full hierarchy build, then re-customisation after a 10-link change, on the grid and Sydney."""
    import scipy.sparse as sp

    from commute.search import ch

    res = {}
    for name in ("synthetic", "sydney"):
        n, src, dst, w, o, d, _ = problem(name)
        M = sp.csr_matrix((w, (src, dst)), shape=(n, n))
        t = time.perf_counter()
        st = ch.prepare(M)
        t_prep = time.perf_counter() - t
        h = ch.customise(st, M)
        t_build = time.perf_counter() - t
        rng = np.random.default_rng(5)
        M2 = M.copy()
        idx = rng.choice(M.nnz, 10, replace=False)
        M2.data[idx] *= np.r_[np.full(5, 3.0), np.full(5, 0.5)]  # 5 links slower (works), 5 faster
        t = time.perf_counter()
        h2 = ch.recustomise(h, M2)
        t_re = time.perf_counter() - t
        t = time.perf_counter()
        fresh = ch.customise(st, M2)
        t_cust = time.perf_counter() - t
        a, b = ch.many_to_many(h2, o[:200], d), ch.many_to_many(fresh, o[:200], d)
        same = all(np.array_equal(x, y) for x, y in zip(h2.state, fresh.state, strict=True))
        res[name] = {
            "nodes": n,
            "links": int(M.nnz),
            "arcs": st.arcs,
            "prepare_seconds": t_prep,
            "build_seconds": t_build,
            "customise_seconds": t_cust,
            "recustomise_seconds": t_re,
            "ratio": t_re / t_build,
            "same_weights_as_fresh_build": same,
            "max_abs_diff": float(np.max(np.abs(np.where(np.isfinite(b), a - b, 0.0)))),
        }
    return res


def run_wuhan():
    """Check every shipped target on every shipped scenario, then one more scenario."""
    from commute.model.scenario import graph_for
    from commute.results.targets import check

    scen = sorted((ROOT / "scenarios").glob("*.yaml"))
    extra = scen.pop(scen.index(ROOT / "scenarios" / "project_hsr_hefei_wuhan.yaml"))
    t0 = time.perf_counter()
    rows = 0
    for f in scen:
        rows += len(check(graph_for(scenario=f)))
    t_all = time.perf_counter() - t0
    t1 = time.perf_counter()
    rows += len(check(graph_for(scenario=extra)))
    t_one = time.perf_counter() - t1
    return {"scenarios": len(scen), "rows": rows, "all_seconds": t_all, "one_more_seconds": t_one}


def _mem_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, in MB. (ru_maxrss would carry the parent's
    high-water mark across exec on Linux; VmHWM belongs to this process image only.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------------------------
def worker(workload: str, tool: str, out: str, sample: int | None) -> None:
    if workload == "wuhan":
        # warm-up (imports, compiled kernels) is part of a planner's first run, not of "one more"
        res = run_wuhan()
        res["peak_rss_mb"] = _mem_mb("VmHWM")
        Path(out).write_text(json.dumps(res))
        return
    if workload == "customise":
        warm_up()
        res = run_customise()
        res["peak_rss_mb"] = _mem_mb("VmHWM")
        Path(out).write_text(json.dumps(res))
        return
    n, src, dst, w, o, d, cutoff = problem(workload)
    total_origins = len(o)
    if sample and sample < len(o):
        o = o[np.linspace(0, len(o) - 1, sample).astype(int)]
    if tool == "commute":  # load the compiled kernels before timing (cached on disk after the first run)
        warm_up()
    base_rss = _mem_mb("VmRSS")
    if workload == "synthetic_again":  # build on the first query set (untimed), time the second
        *_, o1, d1, _ = synthetic_problem()
        ans, secs = AGAIN[tool](n, src, dst, w, o1, d1, o, d)
    else:
        t = time.perf_counter()
        ans = RUNNERS[tool](n, src, dst, w, o, d, cutoff)
        secs = time.perf_counter() - t
    np.save(out + ".npy", np.asarray(ans, dtype=float))
    Path(out).write_text(
        json.dumps(
            {
                "seconds": secs,
                "origins": len(o),
                "total_origins": total_origins,
                "peak_rss_mb": _mem_mb("VmHWM"),
                "rss_before_mb": base_rss,
                "origin_index": o.tolist(),
            }
        )
    )


def available(tool: str) -> bool:
    mod = {"commute": "commute", "scipy": "scipy", "igraph": "igraph", "pandana": "pandana", "networkx": "networkx"}
    import importlib.util

    return importlib.util.find_spec(mod[tool]) is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(WORKLOADS), help="workloads, comma-separated")
    ap.add_argument("--tools", default=",".join(TOOLS), help="tools, comma-separated")
    ap.add_argument("--full", action="store_true", help="do not sample networkx")
    ap.add_argument(
        "--nx-sample", type=int, default=200, help="origins networkx runs, time extrapolated (50 on the synthetic grid)"
    )
    ap.add_argument("--out", default="results", help="name of the result files in benchmarks/results/")
    ap.add_argument("--worker", nargs=3, metavar=("WORKLOAD", "TOOL", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--sample", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, sample=args.sample or None)
        return
    if not TNTP.exists():
        sys.exit(f"benchmark data not found at {TNTP}; put ../shared/data beside the project.")
    OUT.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d"),
        "workloads": {},
    }
    tmp = Path(tempfile.mkdtemp(prefix="commute-bench-"))
    for wl in [x for x in args.only.split(",") if x]:
        tools = [t for t in args.tools.split(",") if t and available(t)]
        if wl in ("wuhan", "customise"):
            tools = ["commute"]
        if wl == "synthetic_again":
            tools = [t for t in tools if t in AGAIN_TOOLS]
        rows = {}
        for tool in tools:
            sample = 0 if (args.full or tool != "networkx") else (args.nx_sample if wl != "synthetic" else 50)
            out = str(tmp / f"{wl}_{tool}.json")
            print(f"[{wl}] {tool} ...", flush=True)
            r = subprocess.run(
                [sys.executable, __file__, "--worker", wl, tool, out, "--sample", str(sample)],
                capture_output=True,
                text=True,
            )
            if r.returncode != 0:
                rows[tool] = {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed"}
                print("   failed:", rows[tool]["error"])
                continue
            info = json.loads(Path(out).read_text())
            if wl not in ("wuhan", "customise"):
                frac = info["origins"] / info["total_origins"]
                info["seconds_full"] = info["seconds"] / frac
                info["extrapolated"] = frac < 1
            rows[tool] = info
            print(
                "   ", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in info.items() if k != "origin_index"}
            )
        if wl not in ("wuhan", "customise") and "commute" in rows and "error" not in rows["commute"]:
            ref = np.load(str(tmp / f"{wl}_commute.json") + ".npy")
            ref_o = rows["commute"]["origin_index"]
            for tool, info in rows.items():
                if "error" in info or tool == "commute":
                    continue
                ans = np.load(str(tmp / f"{wl}_{tool}.json") + ".npy")
                pick = [ref_o.index(x) for x in info["origin_index"]]
                a, b = ref[pick], ans
                same_unreach = bool(np.array_equal(np.isinf(a), np.isinf(b)))
                both = np.isfinite(a) & np.isfinite(b)
                info["max_abs_diff"] = float(np.max(np.abs(a[both] - b[both]))) if both.any() else 0.0
                info["same_unreachable"] = same_unreach
                info["agrees"] = same_unreach and info["max_abs_diff"] <= 1e-6
                info["commute_speedup"] = info["seconds_full"] / rows["commute"]["seconds_full"]
        for info in rows.values():
            info.pop("origin_index", None)
        results["workloads"][wl] = rows
    (OUT / f"{args.out}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (OUT / f"{args.out}.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


def rewrite_markdown() -> None:
    """Regenerate results.md from results.json (after a change to the table's layout)."""
    res = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
    (OUT / "results.md").write_text(markdown(res), encoding="utf-8")


def markdown(res: dict) -> str:
    lines = [
        f"# Benchmark results ({res['date']}, Python {res['machine']['python']}, {res['machine']['cpus']} CPUs)",
        "",
        "Seconds of wall time (networkx: extrapolated from a sample of origins where marked *); peak memory "
        "of the process (VmHWM: the interpreter, the imports, the graph and the answer); agreement with "
        "commute's answers (max |difference| in minutes on reachable pairs, "
        "and whether the unreachable pairs are the same); commute's speed-up over each tool. pandana stores "
        "link weights rounded to 0.001, so its sums differ by up to a few thousandths of a minute per link "
        "and cannot meet the 1e-6 tolerance.",
        "",
    ]
    for wl, rows in res["workloads"].items():
        lines.append(f"## {wl}")
        lines.append("")
        if wl == "customise":
            for name, r in rows.get("commute", {}).items():
                if not isinstance(r, dict):
                    continue
                lines.append(
                    f"- {name} ({r['nodes']:,} nodes, {r['links']:,} links, {r['arcs']:,} arcs): full build "
                    f"{r['build_seconds']:.2f} s (order and shortcuts {r['prepare_seconds']:.2f} s); re-customising "
                    f"after 10 links change: **{r['recustomise_seconds']:.3f} s = {r['ratio']:.3f} of the build** "
                    f"(a full customisation {r['customise_seconds']:.2f} s); same weights as a fresh build: "
                    f"{'yes' if r['same_weights_as_fresh_build'] else 'NO'}, max diff {r['max_abs_diff']:.1e}"
                )
            lines.append("")
            continue
        if wl == "wuhan":
            r = rows.get("commute", {})
            if "error" in r:
                lines.append(f"failed: {r['error']}")
            else:
                lines.append(
                    f"- every shipped target on {r['scenarios']} shipped scenarios: {r['all_seconds']:.2f} s "
                    f"({r['rows']} rows)"
                )
                lines.append(f"- one more scenario's full check after those: **{r['one_more_seconds']:.3f} s**")
                lines.append(f"- peak memory {r['peak_rss_mb']:.0f} MB")
            lines.append("")
            continue
        lines.append("| tool | seconds | peak MB | agrees | max diff | same unreachable | commute faster by |")
        lines.append("|---|---|---|---|---|---|---|")
        for tool, r in rows.items():
            if "error" in r:
                lines.append(f"| {tool} | failed: {r['error']} | | | | | |")
                continue
            star = "*" if r.get("extrapolated") else ""
            agrees = "reference" if tool == "commute" else ("yes" if r.get("agrees") else "NO")
            diff = "" if tool == "commute" else f"{r.get('max_abs_diff', 0):.1e}"
            speed = "" if tool == "commute" else f"{r.get('commute_speedup', float('nan')):.1f}×"
            unreach = "" if tool == "commute" else ("yes" if r.get("same_unreachable") else "NO")
            lines.append(
                f"| {tool} | {r['seconds_full']:.2f}{star} | {r['peak_rss_mb']:.0f} | {agrees} | {diff} | {unreach} "
                f"| {speed} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
