"""A short API for Jupyter: load, check, compare and plot in a few readable lines.

import commute.notebook as cn

today = cn.load("scenarios/today_2026.yaml")
detail, summary = cn.check(today, "123,huangshi_134")
cn.styled(summary)                       # PASS/FAIL highlighted
cn.map(today, "武汉", "60,120,180")       # an isochrone map inline
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from commute.model.scenario import graph_for
from commute.results.targets import check as _check
from commute.results.targets import compare as _compare
from commute.results.targets import compare_summary, summarise

PASS_COLOUR = "#d9f0d3"
FAIL_COLOUR = "#fddbc7"


def load(scenario: str | Path | None = None, *, year: int | None = None, network: str | None = None) -> nx.MultiDiGraph:
    """The graph of a scenario file, or of the network in a year."""
    return graph_for(network=network, scenario=scenario, year=year)


def check(G: nx.MultiDiGraph, targets: str | None = None, *, legs: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(detail, summary) of the target checks on a graph."""
    detail = _check(G, targets, legs=legs)
    return detail, summarise(detail)


def styled(df: pd.DataFrame) -> Any:
    """A pandas Styler with passing rows green and failing rows red, minutes to one decimal."""
    col = "all_pass" if "all_pass" in df.columns else ("passed" if "passed" in df.columns else None)

    def colour(row: pd.Series) -> list[str]:
        if col is None:
            return [""] * len(row)
        c = PASS_COLOUR if bool(row[col]) else FAIL_COLOUR
        return [f"background-color: {c}"] * len(row)

    fmt = {c: "{:.1f}" for c in df.columns if pd.api.types.is_float_dtype(df[c]) and "share" not in c}
    fmt.update({c: "{:.0%}" for c in df.columns if "share" in c})
    return df.style.apply(colour, axis=1).format(fmt, na_rep="–").hide(axis="index")


def compare(base: nx.MultiDiGraph, others: dict[str, nx.MultiDiGraph], targets: str | None = None) -> pd.DataFrame:
    """Per scenario and rule: pairs flipping, mean gain and population newly within the limit."""
    b = _check(base, targets, legs=False)
    frames = [_compare(b, _check(G, targets, legs=False), label=name) for name, G in others.items()]
    return compare_summary(pd.concat(frames, ignore_index=True))


def map(
    G: nx.MultiDiGraph,
    origin: str,
    minutes: str | Sequence[float] = "60,120,180",
    *,
    base: nx.MultiDiGraph | None = None,
    modes: str = "road,rail",
) -> Any:
    """An isochrone map (or, with ``base``, the area gained over it) as a matplotlib figure."""
    from commute.results.isochrones import isochrones
    from commute.results.maps import plot_isochrones

    iso = isochrones(G, origin, minutes, modes=modes)
    b = isochrones(base, origin, minutes, modes=modes) if base is not None else None
    return plot_isochrones(iso, G, base=b)
