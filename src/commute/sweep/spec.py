"""Sweep files: parse and validate (every problem at once, with file and line).

A sweep file is YAML::

    name: Plan 2035 projects
    base: ../horizon_2035.yaml          # the scenario every point starts from
    subsets:
      projects: [wutian_expressway, fuyin_hsr_wuhan_huangshi]   # or changes_of: plan.yaml
      sample: 20                        # optional: 20 random orders instead of all subsets
      seed: 1
    grid:                               # optional: one change per entry, one field a list
      - change_service: {service: wuyi_hsr, headway_min: [20, 30, 60]}
    targets: [123, huangshi_134]
    metrics: [pairs_passing, pop_passing, minutes_short, all_pass]
    costs:                              # optional, per item: a number with a source
      wutian_expressway: {cny_bn: 10.5, source: "estimate: ..."}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commute.errors import Problems
from commute.io.yamlio import check_keys, plain, read_yaml
from commute.model.scenario import VERBS, Change, Scenario, load_scenario

TOP_KEYS = ("name", "description", "base", "subsets", "grid", "targets", "metrics", "costs")
SUBSET_KEYS = ("projects", "changes_of", "sample", "seed")
METRICS = ("pairs_passing", "pop_passing", "minutes_short", "all_pass")
GRID_VERBS = ("change_service", "widen_road")
#: Largest number of items for the full lattice of subsets (2**16 scenarios).
MAX_ALL_SUBSETS = 16


@dataclass(frozen=True)
class Item:
    """One thing a sweep switches on or off: a project or a change, as a scenario change."""

    name: str
    change: Change


@dataclass(frozen=True)
class GridDim:
    """One grid dimension: a change whose field ``field`` takes each of ``values``."""

    verb: str
    args: dict[str, Any]
    field: str
    values: tuple[float, ...]
    file: str
    line: int

    def change(self, value: float) -> Change:
        """The scenario change for one value of the dimension."""
        return Change(self.verb, {**self.args, self.field: value}, self.file, self.line)

    @property
    def label(self) -> str:
        """A short name, such as ``wuyi_hsr.headway_min``."""
        key = self.args.get("service") or self.args.get("link")
        return f"{key}.{self.field}"


@dataclass(frozen=True)
class Cost:
    """The cost of an item with where the figure comes from (a source or ``estimate: how``)."""

    cny_bn: float
    source: str


@dataclass(frozen=True)
class Sweep:
    """A parsed and validated sweep file."""

    name: str
    path: Path
    base: Scenario
    items: tuple[Item, ...]
    grid: tuple[GridDim, ...] = ()
    targets: tuple[str, ...] = ()
    metrics: tuple[str, ...] = METRICS
    sample: int | None = None
    seed: int = 0
    costs: dict[str, Cost] = field(default_factory=dict)
    description: str = ""

    def digest(self) -> str:
        """Content hash of everything that decides the sweep's scenarios and rows."""
        payload = {
            "base": self.base.resolved(),
            "year": self.base.year,
            "network": self.base.network,
            "items": [[i.name, i.change.to_json()] for i in self.items],
            "grid": [[g.verb, plain(g.args), g.field, list(g.values)] for g in self.grid],
            "targets": list(self.targets),
            "metrics": list(self.metrics),
            "sample": self.sample,
            "seed": self.seed,
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; every problem is reported at once with its line.

    Parameters
    ----------
    path
        The YAML file. ``base`` and ``changes_of`` are relative to it.

    Returns
    -------
    Sweep
        The sweep, with its base scenario and items parsed (references to projects, places and
        services are checked when the sweep is expanded against a network).

    Raises
    ------
    ValidationError
        Listing every problem, each with file, line and a hint.
    DataNotFoundError
        If the file does not exist.
    """
    path = Path(path).resolve()
    f = str(path)
    probs = Problems(f"sweep {path}")
    doc = read_yaml(path, probs, what="sweep")
    if doc is None and not probs:
        probs.add(f, 0, "file is empty", "give a name, a base scenario and subsets or a grid")
    if doc is not None and not isinstance(doc, dict):
        probs.add(f, 1, "a sweep file must be a mapping (name:, base:, subsets:)", "start the file with `name: ...`")
    if not isinstance(doc, dict):
        probs.raise_if_any()
        raise AssertionError("unreachable")
    lines: dict[str, int] = getattr(doc, "lines", {})
    name = check_keys(f, doc, TOP_KEYS, probs, name_of="sweep")
    sub = doc.get("subsets") or {}
    if "subsets" in doc and not isinstance(sub, dict):
        probs.add(f, lines.get("subsets", 0), "`subsets` must be a mapping", "give `projects: [...]` or `changes_of:`")
        sub = {}
    base, items = _base_and_items(path, doc, sub, lines, probs)
    grid = _grid(f, doc.get("grid"), lines.get("grid", 0), probs)
    if not items and not grid:
        probs.add(
            f, lines.get("subsets", 1), "the sweep varies nothing", "give subsets (projects or changes_of) or a grid"
        )
    sample, seed = _sample(f, sub, probs)
    if sample is None and len(items) > MAX_ALL_SUBSETS:
        probs.add(
            f,
            getattr(sub, "lines", {}).get("projects", lines.get("subsets", 0)),
            f"{len(items)} items make {2 ** len(items):,} subsets, more than a full sweep allows",
            f"give `sample: N` (random orders) or at most {MAX_ALL_SUBSETS} items",
        )
    targets = _str_list(f, doc.get("targets", ["123"]), lines.get("targets", 0), "targets", probs)
    metrics = _str_list(f, doc.get("metrics", list(METRICS)), lines.get("metrics", 0), "metrics", probs)
    for m in metrics:
        if m not in METRICS:
            probs.add(f, lines.get("metrics", 0), f"unknown metric {m!r}", f"use {', '.join(METRICS)}")
    costs = _costs(f, doc.get("costs"), lines.get("costs", 0), {i.name for i in items}, probs)
    probs.raise_if_any()
    assert base is not None
    return Sweep(
        name=str(name),
        path=path,
        base=base,
        items=tuple(items),
        grid=tuple(grid),
        targets=tuple(targets),
        metrics=tuple(metrics),
        sample=sample,
        seed=seed,
        costs=costs,
        description=str(doc.get("description", "") or ""),
    )


def _base_and_items(
    path: Path, doc: dict[str, Any], sub: dict[str, Any], lines: dict[str, int], probs: Problems
) -> tuple[Scenario | None, list[Item]]:
    f = str(path)
    sl: dict[str, int] = getattr(sub, "lines", {})
    for k in sub:
        if k not in SUBSET_KEYS:
            probs.add(f, sl.get(str(k), 0), f"subsets has no field {k!r}", f"use {', '.join(SUBSET_KEYS)}")
    base: Scenario | None = None
    items: list[Item] = []
    if "projects" in sub and "changes_of" in sub:
        probs.add(f, sl.get("changes_of", 0), "subsets gives both projects and changes_of", "keep one of them")
    if "changes_of" in sub:
        ref = sub["changes_of"]
        if not isinstance(ref, str):
            probs.add(f, sl.get("changes_of", 0), "`changes_of` must be a scenario file", "e.g. plan_2035_full.yaml")
        else:
            sc = load_scenario(path.parent / ref, problems=probs)
            if sc is not None:
                me = str(Path(sc.path).resolve())
                own = [c for c in sc.changes if str(Path(c.file).resolve()) == me]
                items = [Item(_change_name(c), c) for c in own]
                if "base" not in doc:
                    base = Scenario(
                        name=f"{sc.name} without its own changes",
                        path=sc.path,
                        network=sc.network,
                        year=sc.year,
                        changes=tuple(c for c in sc.changes if c not in own),
                        chain=sc.chain,
                    )
    if "projects" in sub:
        projects = sub["projects"]
        pl = getattr(projects, "lines", [])
        if not isinstance(projects, list) or not projects:
            probs.add(f, sl.get("projects", 0), "`projects` must be a non-empty list", "list projects.csv ids")
        else:
            for j, p in enumerate(projects):
                ln = pl[j] if j < len(pl) else sl.get("projects", 0)
                if not isinstance(p, str):
                    probs.add(f, ln, f"project {p!r} is not an id", "use an id from projects.csv")
                    continue
                items.append(Item(p, Change("open_project", p, f, ln)))
    names = [i.name for i in items]
    for n in sorted({n for n in names if names.count(n) > 1}):
        probs.add(f, sl.get("projects", sl.get("changes_of", 0)), f"item {n!r} is listed twice", "list it once")
    if "base" in doc:
        ref = doc["base"]
        if not isinstance(ref, str):
            probs.add(f, lines.get("base", 0), "`base` must be a scenario file", "e.g. base: ../horizon_2035.yaml")
        else:
            base = load_scenario(path.parent / ref, problems=probs)
    elif base is None:
        probs.add(f, 1, "missing `base`", "name the scenario file every point starts from, e.g. base: today_2026.yaml")
    return base, items


def _change_name(c: Change) -> str:
    if c.verb == "open_project":
        return str(c.args)
    a = c.args if isinstance(c.args, dict) else {}
    key = a.get("id") or a.get("link") or a.get("service") or a.get("station") or a.get("place") or c.line
    return f"{c.verb}:{key}"


def _grid(f: str, grid: Any, line: int, probs: Problems) -> list[GridDim]:
    if grid is None:
        return []
    if not isinstance(grid, list):
        probs.add(
            f, line, "`grid` must be a list of changes", "e.g. - change_service: {service: X, headway_min: [10, 20]}"
        )
        return []
    out: list[GridDim] = []
    gl = getattr(grid, "lines", [])
    for j, entry in enumerate(grid):
        ln = gl[j] if j < len(gl) else line
        if not isinstance(entry, dict) or len(entry) != 1:
            probs.add(f, ln, "each grid entry is one change", "e.g. - widen_road: {link: X, speed_kmh: [100, 120]}")
            continue
        verb, args = next(iter(entry.items()))
        if verb not in GRID_VERBS:
            hint = f"use {' or '.join(GRID_VERBS)}" + (" (other verbs go in a scenario)" if verb in VERBS else "")
            probs.add(f, ln, f"grid change {verb!r} cannot take a range of values", hint)
            continue
        if not isinstance(args, dict):
            probs.add(f, ln, f"{verb} needs a mapping of fields", "e.g. {service: X, headway_min: [10, 20]}")
            continue
        lists = [k for k, v in args.items() if isinstance(v, list)]
        if len(lists) != 1:
            probs.add(
                f, ln, f"{verb} in a grid needs exactly one field with a list of values", "e.g. headway_min: [10, 20]"
            )
            continue
        fld = lists[0]
        vals = args[fld]
        if not vals or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            probs.add(f, ln, f"{fld} values {plain(vals)!r} are not all numbers", "give numbers in the field's unit")
            continue
        if len(set(vals)) != len(vals):
            probs.add(f, ln, f"{fld} lists a value twice", "list each value once")
            continue
        rest = {str(k): plain(v) for k, v in args.items() if k != fld}
        out.append(GridDim(str(verb), rest, str(fld), tuple(float(v) for v in vals), f, ln))
    return out


def _sample(f: str, sub: dict[str, Any], probs: Problems) -> tuple[int | None, int]:
    sl: dict[str, int] = getattr(sub, "lines", {})
    sample = sub.get("sample")
    seed = sub.get("seed", 0)
    if sample is not None and (not isinstance(sample, int) or isinstance(sample, bool) or sample < 1):
        probs.add(f, sl.get("sample", 0), f"sample {sample!r} is not a positive whole number", "e.g. sample: 20")
        sample = None
    if not isinstance(seed, int) or isinstance(seed, bool):
        probs.add(f, sl.get("seed", 0), f"seed {seed!r} is not a whole number", "e.g. seed: 1")
        seed = 0
    return sample, int(seed)


def _str_list(f: str, v: Any, line: int, what: str, probs: Problems) -> list[str]:
    if isinstance(v, str | int) and not isinstance(v, bool):
        v = [s.strip() for s in str(v).split(",") if s.strip()]
    if isinstance(v, list):  # a target set named 123 reads as a number
        v = [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        probs.add(f, line, f"`{what}` must be a list of names", f"e.g. {what}: [123]")
        return []
    return [str(x) for x in v]


def _costs(f: str, costs: Any, line: int, names: set[str], probs: Problems) -> dict[str, Cost]:
    if costs is None:
        return {}
    if not isinstance(costs, dict):
        probs.add(
            f, line, "`costs` must map items to {cny_bn, source}", "e.g. wutian_expressway: {cny_bn: 10, source: ...}"
        )
        return {}
    out: dict[str, Cost] = {}
    cl: dict[str, int] = getattr(costs, "lines", {})
    for k, v in costs.items():
        ln = cl.get(str(k), line)
        if str(k) not in names:
            probs.add(f, ln, f"cost for {k!r}, which the sweep does not vary", "give costs only for items in subsets")
            continue
        if not isinstance(v, dict) or set(v) != {"cny_bn", "source"}:
            probs.add(f, ln, f"cost of {k!r} must be {{cny_bn, source}}", "give the figure and where it comes from")
            continue
        amount, src = v["cny_bn"], v["source"]
        if not isinstance(amount, int | float) or isinstance(amount, bool) or amount < 0:
            probs.add(f, ln, f"cost {amount!r} of {k!r} is not a non-negative number", "give billions of yuan")
            continue
        if not isinstance(src, str) or not src.strip():
            probs.add(f, ln, f"cost of {k!r} has no source", "name the document, or write `estimate: <how>`")
            continue
        out[str(k)] = Cost(float(amount), src.strip())
    return out
