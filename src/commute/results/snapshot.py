"""Regression snapshots of reach metrics: golden files for accessibility.

``write_snapshots`` stores, for each scenario, small sorted CSV files (target pairs, rule
summaries, population within 60 minutes of each circle place) with a header naming the scenario,
its content hash and the network version. ``check_snapshots`` recomputes them and lists every
metric that moved beyond its tolerance, with the old and the new value. Two runs on the same
inputs write identical bytes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from commute import __version__
from commute.errors import DataNotFoundError, InvalidOptionError
from commute.model.scenario import graph_for
from commute.output import write_set_atomic
from commute.results.metrics import population_within
from commute.results.targets import check, summarise

#: Default tolerances: minutes and shares are compared within these; counts and pass/fail exactly.
DEFAULT_TOLERANCES: dict[str, float] = {"minutes": 0.05, "share": 0.0005, "pop": 0.0, "gravity": 0.5}
KINDS = ("targets", "summary", "reach")


@dataclass(frozen=True)
class Difference:
    """One metric that moved."""

    snapshot: str
    table: str
    key: str
    metric: str
    old: Any
    new: Any

    def __str__(self) -> str:
        if (
            isinstance(self.old, float)
            and isinstance(self.new, float)
            and not (np.isnan(self.old) or np.isnan(self.new))
        ):
            delta = f" ({self.new - self.old:+.2f})"
        else:
            delta = ""
        return f"{self.snapshot} {self.table} {self.key} {self.metric}: {_fmt(self.old)} -> {_fmt(self.new)}{delta}"


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "unreachable"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _tables(G: nx.MultiDiGraph, targets: str | None) -> dict[str, pd.DataFrame]:
    detail = check(G, targets, legs=False)
    t = detail[["targets", "rule", "origin_id", "destination_id", "minutes", "limit_min", "passed"]].copy()
    t["minutes"] = t["minutes"].round(1)
    t = t.sort_values(["targets", "rule", "origin_id", "destination_id"]).reset_index(drop=True)
    s = summarise(detail)[["targets", "rule", "pairs", "passing", "pop_share_passing"]].copy()
    s["pop_share_passing"] = s["pop_share_passing"].round(4)
    s = s.sort_values(["targets", "rule"]).reset_index(drop=True)
    r = population_within(G, "circle_places", thresholds=(30, 60, 120))
    r = r[["origin_id", "pop_within_30", "pop_within_60", "pop_within_120", "gravity"]].copy()
    r["gravity"] = r["gravity"].round(0)
    r = r.sort_values("origin_id").reset_index(drop=True)
    return {"targets": t, "summary": s, "reach": r}


def _header(G: nx.MultiDiGraph, label: str, scenario_file: str, targets: str | None) -> list[str]:
    sc = G.graph.get("scenario") or {}
    return [
        f"# commute snapshot: {label}",
        f"# scenario_file: {scenario_file}",
        f"# scenario: {sc.get('name', '')}",
        f"# scenario_hash: {sc.get('hash', '')}",
        f"# network: {G.graph['network']}",
        f"# network_version: {G.graph['network_version']}",
        f"# year: {G.graph['year']}",
        f"# targets: {targets or 'all shipped'}",
        f"# commute_version: {__version__}",
    ]


def _csv(header: list[str], df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%.4f")
    return "\n".join(header) + "\n" + buf.getvalue()


def write_snapshots(
    scenarios: Iterable[str | Path] | None,
    out_dir: str | Path,
    *,
    targets: str | None = None,
    network: str | None = None,
) -> list[Path]:
    """Write snapshot files for each scenario (or for the network's default year if none).

    Returns
    -------
    list of Path
        The files written: ``<label>.<targets|summary|reach>.csv`` for each scenario.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidOptionError(f"snapshot folder {out} is a file; give a folder.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    items = list(scenarios or [])
    runs: list[tuple[str, str, nx.MultiDiGraph]] = []
    for f in items:
        p = Path(f)
        runs.append((p.stem, _relpath(p, out), graph_for(network=network, scenario=p)))
    if not items:
        G = graph_for(network=network)
        runs.append((f"{G.graph['network']}_{G.graph['year']}", "", G))
    texts: dict[Path, str] = {}
    for label, rel, G in runs:
        header = _header(G, label, rel, targets)
        for kind, df in _tables(G, targets).items():
            texts[out / f"{label}.{kind}.csv"] = _csv(header, df)
    # everything computed before anything is written; the set is renamed into place as one
    written.extend(write_set_atomic({path: _writer(text) for path, text in texts.items()}))
    return written


def _writer(text: str) -> Callable[[Path], object]:
    data = text.encode("utf-8")
    return lambda p: p.write_bytes(data)


def _relpath(p: Path, base: Path) -> str:
    """The scenario's path relative to the snapshot folder (so a repository can move)."""
    return os.path.relpath(Path(p).resolve(), base.resolve()).replace(os.sep, "/")


def read_snapshot(path: str | Path) -> tuple[dict[str, str], pd.DataFrame]:
    """The header (as a dict) and the table of one snapshot file."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        raise InvalidOptionError(f"snapshot {path} is not UTF-8 text; write it again.") from None
    meta = {}
    body: list[str] = []
    for ln in lines:
        if ln.startswith("# ") and not body:
            k, _, v = ln[2:].rstrip("\n").partition(": ")
            meta[k] = v
        else:
            body.append(ln)
    keys = {"targets": str, "rule": str, "origin_id": str, "destination_id": str}
    try:
        df = pd.read_csv(io.StringIO("".join(body)), keep_default_na=True, dtype=keys)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InvalidOptionError(f"snapshot {path} is not a readable table ({why}); write it again.") from None
    return meta, df


def _compare_table(
    label: str, kind: str, old: pd.DataFrame, new: pd.DataFrame, tol: Mapping[str, float]
) -> list[Difference]:
    keys = {
        "targets": ["targets", "rule", "origin_id", "destination_id"],
        "summary": ["targets", "rule"],
        "reach": ["origin_id"],
    }[kind]
    diffs: list[Difference] = []
    o = old.set_index(keys)
    n = new.set_index(keys)
    for k in o.index.difference(n.index):
        diffs.append(Difference(label, kind, _key(k), "row", "present", "missing"))
    for k in n.index.difference(o.index):
        diffs.append(Difference(label, kind, _key(k), "row", "missing", "present"))
    common = o.index.intersection(n.index)
    for col in o.columns:
        if col not in n.columns:
            continue
        t = _tolerance(col, tol)
        for k in common:
            a, b = o.at[k, col], n.at[k, col]
            if _moved(a, b, t):
                diffs.append(Difference(label, kind, _key(k), col, _py(a), _py(b)))
    return diffs


def _tolerance(col: str, tol: Mapping[str, float]) -> float | None:
    if col in ("minutes", "limit_min"):
        return tol.get("minutes", DEFAULT_TOLERANCES["minutes"])
    if "share" in col:
        return tol.get("share", DEFAULT_TOLERANCES["share"])
    if col.startswith("pop"):
        return tol.get("pop", DEFAULT_TOLERANCES["pop"])
    if col == "gravity":
        return tol.get("gravity", DEFAULT_TOLERANCES["gravity"])
    return None  # exact


def _moved(a: Any, b: Any, t: float | None) -> bool:
    a_nan = a is None or (isinstance(a, float) and np.isnan(a))
    b_nan = b is None or (isinstance(b, float) and np.isnan(b))
    if a_nan or b_nan:
        return a_nan != b_nan
    if t is None:
        return str(a) != str(b)
    return abs(float(a) - float(b)) > t + 1e-9


def _py(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _key(k: Any) -> str:
    return "/".join(str(x) for x in k) if isinstance(k, tuple) else str(k)


def check_snapshots(
    snap_dir: str | Path,
    *,
    tolerances: Mapping[str, float] | None = None,
    network: str | None = None,
) -> tuple[list[Difference], list[str]]:
    """Recompute every snapshot in a folder and compare.

    Returns
    -------
    (differences, notes)
        Every metric that moved beyond its tolerance, and notes (e.g. a changed network
        version or scenario hash) that explain why.
    """
    d = Path(snap_dir)
    files = sorted(d.glob("*.targets.csv"))
    if not d.is_dir() or not files:
        raise DataNotFoundError(f"no snapshots in {d}; write them with `commute snapshot write -o {d}`.")
    tol = {**DEFAULT_TOLERANCES, **(tolerances or {})}
    diffs: list[Difference] = []
    notes: list[str] = []
    for f in files:
        label = f.name[: -len(".targets.csv")]
        meta, _ = read_snapshot(f)
        sf = meta.get("scenario_file", "")
        targets = None if meta.get("targets") in (None, "all shipped") else meta["targets"]
        if sf:
            G = graph_for(network=network, scenario=(d / sf))
        else:
            G = graph_for(network=network or meta.get("network"), year=meta.get("year"))
        new = _tables(G, targets)
        sc = G.graph.get("scenario") or {}
        if meta.get("network_version") != G.graph["network_version"]:
            notes.append(f"{label}: network version {meta.get('network_version')} -> {G.graph['network_version']}")
        if sf and meta.get("scenario_hash") != sc.get("hash"):
            notes.append(f"{label}: scenario hash {meta.get('scenario_hash')} -> {sc.get('hash')}")
        for kind in KINDS:
            p = d / f"{label}.{kind}.csv"
            if not p.exists():
                diffs.append(Difference(label, kind, "-", "file", "present", "missing"))
                continue
            _, old = read_snapshot(p)
            diffs.extend(_compare_table(label, kind, old, new[kind], tol))
    return diffs, notes


def report(diffs: list[Difference], notes: list[str]) -> str:
    """A readable report of what moved."""
    if not diffs:
        return "snapshots unchanged" + (" (" + "; ".join(notes) + ")" if notes else "") + "\n"
    lines = [f"{len(diffs)} metric(s) moved:"] + [f"  {x}" for x in diffs]
    if notes:
        lines += ["because:"] + [f"  {n}" for n in notes]
    return "\n".join(lines) + "\n"


def parse_tolerances(text: str | None) -> dict[str, float]:
    """``"minutes=0.5,share=0.01"`` -> dict; an error names the bad part.

    Examples
    --------
    >>> parse_tolerances("minutes=0.5,share=0.01")
    {'minutes': 0.5, 'share': 0.01}
    """
    out: dict[str, float] = {}
    for part in [p.strip() for p in (text or "").split(",") if p.strip()]:
        k, sep, v = part.partition("=")
        if not sep or k not in DEFAULT_TOLERANCES:
            raise InvalidOptionError(
                f"tolerance {part!r} is not NAME=VALUE with NAME one of {', '.join(DEFAULT_TOLERANCES)}."
            )
        try:
            out[k] = float(v)
        except ValueError:
            raise InvalidOptionError(f"tolerance {part!r} has a value that is not a number.") from None
        if out[k] < 0:
            raise InvalidOptionError(f"tolerance {part!r} is negative; give 0 or more.")
    return out
