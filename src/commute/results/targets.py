"""Reach targets as data: read rule files, check a graph against them, summarise.

A target file is YAML with a list of rules (see ``targets/README.md``)::

    name: "123"
    rules:
      - id: circle_1h
        name: 1 hour from Wuhan to every circle city
        kind: reach
        from: 武汉
        to: circle
        within_min: 60
        measure: station_to_station
        modes: [rail]

Kinds: ``reach`` (every pair within a limit), ``station_coverage`` (every city has a station
served by a service of a class), ``expressway_access`` (every place within N minutes of an
expressway), ``day_trip`` (a return trip with N hours at the destination fits in the day).
Checking gives one tidy row per rule and pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from commute.errors import DataNotFoundError, Problems
from commute.io.network import shipped_folder
from commute.io.yamlio import plain, read_yaml
from commute.model.modes import Measure, parse_measure, parse_modes
from commute.model.places import Endpoint
from commute.results.travel import endpoints, place_index
from commute.search import api
from commute.search import engine as E
from commute.search import transit as T
from commute.search.daytrip import day_trip

KINDS = ("reach", "station_coverage", "expressway_access", "day_trip")
RULE_KEYS = {
    "reach": {
        "id",
        "name",
        "kind",
        "from",
        "to",
        "within_min",
        "measure",
        "modes",
        "depart",
        "step",
        "statistic",
        "exclude_same_city",
        "note",
    },
    "station_coverage": {"id", "name", "kind", "cities", "classes", "min_speed_kmh", "note"},
    "expressway_access": {"id", "name", "kind", "places", "within_min", "note"},
    "day_trip": {
        "id",
        "name",
        "kind",
        "from",
        "to",
        "stay_hours",
        "day_start",
        "day_end",
        "measure",
        "modes",
        "exclude_same_city",
        "note",
    },
}
REQUIRED = {
    "reach": {"id", "from", "to", "within_min"},
    "station_coverage": {"id", "cities"},
    "expressway_access": {"id", "places"},
    "day_trip": {"id", "from", "to"},
}
DETAIL_COLUMNS = [
    "targets",
    "rule",
    "rule_name",
    "origin",
    "destination",
    "origin_id",
    "destination_id",
    "measure",
    "modes",
    "minutes",
    "limit_min",
    "passed",
    "short_by_min",
    "trip_modes",
    "legs",
    "pop",
]


@dataclass(frozen=True)
class Rule:
    """One target rule."""

    id: str
    name: str
    kind: str
    spec: dict[str, Any]
    file: str = ""
    line: int = 0

    @property
    def measure(self) -> Measure:
        """The rule's measure (door_to_door unless it says)."""
        return parse_measure(self.spec.get("measure", "door_to_door"))

    @property
    def modes(self) -> str:
        """The rule's modes as a comma-separated string (all modes unless it says)."""
        m = self.spec.get("modes", ["road", "rail", "air"])
        return ",".join(m) if isinstance(m, list) else str(m)

    @property
    def query(self) -> T.Query:
        """When the rule's journeys leave and how a window is summarised (defaults by measure)."""
        return T.Query(
            T.parse_depart(self.spec.get("depart")),
            float(self.spec.get("step", T.DEFAULT_STEP)),
            T.check_statistic(self.spec.get("statistic")),
        )


@dataclass(frozen=True)
class TargetSet:
    """A named list of rules from one file."""

    name: str
    path: Path
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    description: str = ""


def targets_root() -> Path:
    """The folder of shipped target files."""
    return shipped_folder("targets")


def shipped_targets() -> list[str]:
    """Names of the shipped target files."""
    return sorted(p.stem for p in targets_root().glob("*.yaml"))


def resolve_targets(spec: str | None) -> list[Path]:
    """Target files from ``"123,huangshi_134"``, a path, or None (every shipped file)."""
    if spec is None:
        return sorted(targets_root().glob("*.yaml"))
    out = []
    for item in [s.strip() for s in str(spec).split(",") if s.strip()]:
        p = Path(item)
        if p.is_file():
            out.append(p)
        elif (targets_root() / f"{item}.yaml").is_file():
            out.append(targets_root() / f"{item}.yaml")
        else:
            raise DataNotFoundError(
                f"targets {item!r} is neither a file nor a shipped target set; use a path or one of "
                f"{', '.join(shipped_targets())}."
            )
    return out


def load_targets(path: str | Path, *, G: nx.MultiDiGraph | None = None) -> TargetSet:
    """Read and validate a target file; every problem is reported at once with its line.

    Parameters
    ----------
    path
        The YAML file.
    G
        If given, place and group names in the rules are checked against its network.

    Raises
    ------
    ValidationError
        Listing every problem, each with file, line and a hint.
    """
    path = Path(path)
    probs = Problems(f"targets {path}")
    doc = read_yaml(path, probs, what="targets")
    f = str(path)
    rules: list[Rule] = []
    if doc is None and not probs:
        probs.add(f, 0, "file is empty", "give a name and a list of rules")
    if doc is not None and not isinstance(doc, dict):
        probs.add(f, 1, "a target file must be a mapping (name:, rules:)", "start the file with `name: ...`")
        doc = None
    if isinstance(doc, dict):
        lines = getattr(doc, "lines", {})
        for k in doc:
            if k not in ("name", "description", "rules"):
                probs.add(f, lines.get(str(k), 0), f"unknown key {k!r}", "use name, description and rules")
        items = doc.get("rules")
        if not isinstance(items, list) or not items:
            probs.add(f, lines.get("rules", 1), "`rules` must be a non-empty list", "add at least one rule")
            items = []
        item_lines = getattr(items, "lines", [0] * len(items))
        seen: set[str] = set()
        idx = place_index(G) if G is not None else None
        for i, r in enumerate(items):
            ln = item_lines[i] if i < len(item_lines) else 0
            if not isinstance(r, dict):
                probs.add(f, ln, "each rule must be a mapping", "start it with `- id: ...`")
                continue
            rl = getattr(r, "lines", {})
            kind = r.get("kind", "reach")
            if kind not in KINDS:
                probs.add(f, rl.get("kind", ln), f"unknown rule kind {kind!r}", f"use one of {', '.join(KINDS)}")
                continue
            for k in r:
                if k not in RULE_KEYS[kind]:
                    probs.add(
                        f,
                        rl.get(str(k), ln),
                        f"{kind} rule has no field {k!r}",
                        f"use {', '.join(sorted(RULE_KEYS[kind]))}",
                    )
            for k in sorted(REQUIRED[kind] - set(r)):
                probs.add(f, ln, f"rule lacks required field {k!r}", f"add {k}: ...")
            rid = str(r.get("id", ""))
            if rid in seen:
                probs.add(f, rl.get("id", ln), f"duplicate rule id {rid!r}", "make rule ids unique")
            seen.add(rid)
            for k in ("within_min", "stay_hours", "min_speed_kmh"):
                if k in r and (not isinstance(r[k], int | float) or isinstance(r[k], bool) or not r[k] > 0):
                    probs.add(f, rl.get(k, ln), f"{k} {r[k]!r} is not a positive number", f"give {k} in its unit")
            for k in ("day_start", "day_end"):
                if k in r and (not isinstance(r[k], int | float) or not 0 <= r[k] <= 30):
                    probs.add(f, rl.get(k, ln), f"{k} {r[k]!r} is not an hour of the day", "give hours, e.g. 6 or 22.5")
            for k, check_value in (("depart", T.parse_depart), ("statistic", T.check_statistic)):
                if k in r:
                    try:
                        check_value(str(r[k]))
                    except Exception as e:
                        probs.add(f, rl.get(k, ln), str(e), "see targets/README.md for depart and statistic")
            if "step" in r and (
                not isinstance(r["step"], int | float) or isinstance(r["step"], bool) or not r["step"] > 0
            ):
                probs.add(f, rl.get("step", ln), f"step {r['step']!r} is not a positive number", "give minutes, e.g. 1")
            if "measure" in r:
                try:
                    parse_measure(r["measure"])
                except Exception as e:
                    probs.add(f, rl.get("measure", ln), str(e), "use door_to_door or station_to_station")
            if "modes" in r:
                try:
                    parse_modes(r["modes"] if isinstance(r["modes"], str) else [str(x) for x in r["modes"]])
                except Exception as e:
                    probs.add(f, rl.get("modes", ln), str(e), "use road, rail, air")
            if idx is not None:
                for k in ("from", "to", "cities", "places"):
                    if k in r:
                        try:
                            idx.resolve_many(_names(r[k]))
                        except Exception as e:
                            probs.add(f, rl.get(k, ln), str(e), "use place names, ids, codes or circle/cluster/major")
            rules.append(Rule(rid, str(r.get("name", rid)), kind, plain(r), f, ln))
    probs.raise_if_any()
    assert isinstance(doc, dict)
    return TargetSet(str(doc.get("name", path.stem)), path, tuple(rules), str(doc.get("description", "") or ""))


def _names(v: Any) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, list) else str(v)


# ------------------------------------------------------------------------------------------------
# Checking
# ------------------------------------------------------------------------------------------------


def _pairs(G: nx.MultiDiGraph, rule: Rule) -> tuple[list[Endpoint], list[Endpoint]]:
    o = endpoints(G, _names(rule.spec["from"]))
    d = endpoints(G, _names(rule.spec["to"]))
    return o, d


def _skip(rule: Rule, a: Endpoint, b: Endpoint) -> bool:
    if a.key == b.key:
        return True
    return bool(rule.spec.get("exclude_same_city", True)) and a.city == b.city


EngineFor = Callable[[str, Measure, T.Query], api.AnyEngine]


def check_rule(
    G: nx.MultiDiGraph,
    rule: Rule,
    *,
    legs: bool = True,
    targets: str = "",
    engine_for: EngineFor | None = None,
    closed_services: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """One tidy row per pair of a rule (see :data:`DETAIL_COLUMNS`).

    ``engine_for(modes, measure, query)`` supplies compiled engines (default: compile ``G``);
    ``closed_services`` are service directions to treat as absent for station coverage.
    """
    if engine_for is None:
        fp = E.graph_fingerprint(G)

        def engine_for(modes: str, measure: Measure, query: T.Query) -> api.AnyEngine:
            return api.compile_engine(G, modes, measure, query, fingerprint=fp)

    rows: list[dict[str, Any]] = []
    if rule.kind in ("reach", "day_trip"):
        eng = engine_for(rule.modes, rule.measure, rule.query)
        origins, dests = _pairs(G, rule)
        back = None
        if rule.kind == "reach":
            limit = float(rule.spec["within_min"])
            out = api.matrix(eng, origins, dests)
        else:
            start, stay = float(rule.spec.get("day_start", 6)) * 60.0, float(rule.spec.get("stay_hours", 8)) * 60.0
            limit = float(rule.spec.get("day_end", 22)) * 60.0 - start - stay
            if isinstance(eng, T.TransitEngine):
                out = day_trip(eng, origins, dests, day_start=start, stay_min=stay)
            else:  # by road only the time does not depend on the hour
                back, out = E.matrix(eng, dests, origins), E.matrix(eng, origins, dests)
        for i, a in enumerate(origins):
            trips = api.best_trips(eng, a, dests) if legs and len(dests) > 1 else None
            for j, b in enumerate(dests):
                if _skip(rule, a, b):
                    continue
                t = float(out[i, j]) + (float(back[j, i]) if back is not None else 0.0)
                trip_modes, text = "", ""
                if legs and not np.isnan(t):
                    trip = trips[j] if trips is not None else api.best_trip(eng, a, b)
                    trip_modes, text = _describe(G, trip[1])
                rows.append(_row(targets, rule, a, b, t, limit, trip_modes, text, b.pop))
    elif rule.kind == "station_coverage":
        classes = set(rule.spec.get("classes", ["G", "D", "C"]))
        vmin = float(rule.spec.get("min_speed_kmh", 200))
        served = _hsr_stations(G, classes, vmin, closed_services)
        for c in endpoints(G, _names(rule.spec["cities"])):
            hits = [s for s in c.stations if s in served]
            ok = bool(hits)
            names = ", ".join(sorted(G.nodes[f"station:{s}"]["name"] for s in hits))
            rows.append(
                {
                    **_row(targets, rule, c, c, np.nan, np.nan, "rail" if ok else "", names, c.pop),
                    "passed": ok,
                    "short_by_min": np.nan,
                }
            )
    elif rule.kind == "expressway_access":
        limit = float(rule.spec.get("within_min", 30))
        eng = engine_for("road", Measure.DOOR_TO_DOOR, T.Query())
        assert isinstance(eng, E.Engine)
        ends = _expressway_nodes(G, eng)
        for p in endpoints(G, _names(rule.spec["places"])):
            dist, _ = E.search(eng, [eng.node_of[f"place:{p.place}"]], cutoff=limit * 4)
            ts = dist[ends] if len(ends) else np.array([np.nan])
            t = float(np.nanmin(ts)) if np.isfinite(ts).any() else np.nan
            rows.append(_row(targets, rule, p, p, t, limit, "road", "to the nearest expressway junction", p.pop))
    return pd.DataFrame(rows, columns=DETAIL_COLUMNS)


def _row(
    targets: str, rule: Rule, a: Endpoint, b: Endpoint, t: float, limit: float, trip_modes: str, legs: str, pop: int
) -> dict[str, Any]:
    reachable = not np.isnan(t)
    passed = bool(reachable and t <= limit + 1e-9)
    short = float(max(0.0, t - limit)) if reachable else np.nan
    return {
        "targets": targets,
        "rule": rule.id,
        "rule_name": rule.name,
        "origin": a.name,
        "destination": b.name,
        "origin_id": a.key,
        "destination_id": b.key,
        "measure": rule.spec.get("measure", "door_to_door") if rule.kind in ("reach", "day_trip") else rule.kind,
        "modes": rule.modes if rule.kind in ("reach", "day_trip") else "",
        "minutes": t,
        "limit_min": limit,
        "passed": passed,
        "short_by_min": short,
        "trip_modes": trip_modes,
        "legs": legs,
        "pop": int(pop),
    }


def _describe(G: nx.MultiDiGraph, legs: list[E.Leg]) -> tuple[str, str]:
    modes = sorted({leg.mode for leg in legs if leg.kind in ("ride", "road")})
    return "+".join(modes), "; ".join(leg.describe(G) for leg in legs)


def _hsr_stations(G: nx.MultiDiGraph, classes: set[str], vmin: float, closed: frozenset[str] = frozenset()) -> set[str]:
    """Stations served by a rail service of one of ``classes`` on a line of at least ``vmin`` km/h.

    A hop with no recorded line speed (run times given by hand) counts by its class alone.
    """
    out: set[str] = set()
    for sid, svc in G.graph["services"].items():
        if svc["mode"] != "rail" or svc["train_class"] not in classes or sid in closed:
            continue
        for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
            v = G.edges[f"station:{x}", f"station:{y}", f"{sid}#{i + 1}"].get("speed_kmh")
            if v is None or v >= vmin:
                out.update((x, y))
    return out


def _expressway_nodes(G: nx.MultiDiGraph, eng: E.Engine) -> np.ndarray:
    nodes = {u for u, v, d in G.edges(data=True) if d.get("kind") == "road" and d.get("road_class") == "expressway"}
    idx = sorted(eng.node_of[n] for n in nodes)
    # a junction whose expressway links are all closed in a patched engine is no longer one
    live = {int(u) for u, lab in zip(eng.edges_u, eng.labels, strict=True) if lab.kind == "road"}
    return np.array([i for i in idx if i in live or not len(eng.labels)], dtype=int)


def check(
    G: nx.MultiDiGraph,
    targets: str | list[TargetSet] | None = None,
    *,
    legs: bool = True,
    engine_for: EngineFor | None = None,
    closed_services: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Check a graph against target files: one tidy row per rule and pair.

    Parameters
    ----------
    G
        The graph of a year or scenario.
    targets
        Shipped names or paths (comma-separated), loaded target sets, or None for every shipped file.
    legs
        Describe the legs of the best trip of each pair (slower).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DETAIL_COLUMNS`; NaN minutes where unreachable (which fails).

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> detail = check(graph_for(year=2021), "123", legs=False)
    >>> row = detail.iloc[0]
    >>> row["rule"], bool(row["passed"]) == bool(row["minutes"] <= row["limit_min"])
    ('circle_1h', True)
    """
    sets = targets if isinstance(targets, list) else [load_targets(p, G=G) for p in resolve_targets(targets)]
    if engine_for is None:
        fp = E.graph_fingerprint(G)

        def engine_for(modes: str, measure: Measure, query: T.Query) -> api.AnyEngine:
            return api.compile_engine(G, modes, measure, query, fingerprint=fp)

    frames = [
        check_rule(G, r, legs=legs, targets=ts.name, engine_for=engine_for, closed_services=closed_services)
        for ts in sets
        for r in ts.rules
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DETAIL_COLUMNS)
    return df


def _short(v: float) -> str:
    return f"{v:.1f}" if v < 1 else f"{v:.0f}"


def summarise(detail: pd.DataFrame, *, worst: int = 3) -> pd.DataFrame:
    """Per rule: pairs, pairs passing, population share passing, and the worst pairs.

    Examples
    --------
    >>> from commute.model.scenario import graph_for
    >>> detail = check(graph_for(year=2021), "123", legs=False)
    >>> s = summarise(detail)
    >>> s["rule"].tolist()[:2]
    ['circle_1h', 'circle_places_1h']
    >>> bool((s["passing"] == detail.groupby("rule", sort=False)["passed"].sum().values).all())
    True
    """
    rows = []
    for (ts, rule), df in detail.groupby(["targets", "rule"], sort=False):
        pop = df["pop"].astype(float)
        passing = df["passed"].astype(bool)
        bad = df[~passing].sort_values("short_by_min", ascending=False, na_position="first").head(worst)
        worst_txt = "; ".join(
            f"{r.destination if r.origin == r.destination else r.origin + '→' + r.destination} "
            + (
                "unreachable"
                if pd.isna(r.minutes) and r.measure not in ("station_coverage",)
                else (f"{r.minutes:.0f} min (+{_short(r.short_by_min)})" if not pd.isna(r.minutes) else "no station")
            )
            for r in bad.itertuples()
        )
        rows.append(
            {
                "targets": ts,
                "rule": rule,
                "rule_name": df["rule_name"].iloc[0],
                "pairs": len(df),
                "passing": int(passing.sum()),
                "all_pass": bool(passing.all()),
                "pop_share_passing": float(pop[passing].sum() / pop.sum()) if pop.sum() else np.nan,
                "limit_min": df["limit_min"].iloc[0],
                "worst": worst_txt,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------
# Comparing and attributing
# ------------------------------------------------------------------------------------------------


def compare(base: pd.DataFrame, other: pd.DataFrame, *, label: str = "other") -> pd.DataFrame:
    """Pair by pair: minutes before and after, gain, and whether the pair flips."""
    keys = ["targets", "rule", "origin_id", "destination_id"]
    a = base[[*keys, "rule_name", "origin", "destination", "minutes", "passed", "limit_min", "pop"]]
    b = other[[*keys, "minutes", "passed"]].rename(columns={"minutes": "minutes_after", "passed": "passed_after"})
    m = a.rename(columns={"minutes": "minutes_before", "passed": "passed_before"}).merge(b, on=keys, how="outer")
    m["gain_min"] = m["minutes_before"] - m["minutes_after"]
    m["flip"] = np.select(
        [
            (~m["passed_before"].astype(bool)) & m["passed_after"].astype(bool),
            m["passed_before"].astype(bool) & (~m["passed_after"].astype(bool)),
        ],
        ["now passes", "now fails"],
        default="",
    )
    m.insert(0, "scenario", label)
    return m


def compare_summary(cmp: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and rule: pairs flipped each way, mean gain, population newly within the limit."""
    rows = []
    for (label, ts, rule), df in cmp.groupby(["scenario", "targets", "rule"], sort=False):
        newly = df[df["flip"] == "now passes"]
        lost = df[df["flip"] == "now fails"]
        rows.append(
            {
                "scenario": label,
                "targets": ts,
                "rule": rule,
                "rule_name": df["rule_name"].iloc[0],
                "now_pass": len(newly),
                "now_fail": len(lost),
                "mean_gain_min": float(df["gain_min"].mean()) if df["gain_min"].notna().any() else np.nan,
                "pop_newly_within": int(newly["pop"].sum()) - int(lost["pop"].sum()),
                "pairs_now_passing": ", ".join(f"{r.origin}→{r.destination}" for r in newly.itertuples()),
            }
        )
    return pd.DataFrame(rows)


def score(detail: pd.DataFrame) -> dict[str, float]:
    """Numbers to attribute: pairs passing, population passing and minutes short, in total."""
    return {
        "pairs_passing": float(detail["passed"].sum()),
        "pop_passing": float(detail.loc[detail["passed"].astype(bool), "pop"].sum()),
        "minutes_short": float(detail["short_by_min"].fillna(0).sum()),
    }
