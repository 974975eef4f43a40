"""commute: transport accessibility analysis for planners.

Load a network, build its graph for a year or a scenario, compute travel times, and check
reach targets. The names below are imported when first used, so ``import commute`` (and the
command line's ``--help``) stays fast.

Examples
--------
>>> import commute
>>> G = commute.build_graph(commute.load_network(), 2021)
>>> df = commute.travel_times(G, "武汉", "黄石", modes="rail", measure="station_to_station")
>>> df[["origin", "destination"]].values.tolist()
[['武汉市', '黄石市']]
>>> bool(df["minutes"].iloc[0] < 60)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from commute.errors import CommuteError, ValidationError

__version__ = "0.1.0"

#: Public name -> the module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "load_network": "commute.io.network",
    "build_graph": "commute.model.graph",
    "graph_for": "commute.model.scenario",
    "Measure": "commute.model.modes",
    "Mode": "commute.model.modes",
    "compile_graph": "commute.search.engine",
    "surface": "commute.results.travel",
    "travel_times": "commute.results.travel",
    "trip": "commute.results.travel",
    "check": "commute.results.targets",
    "summarise": "commute.results.targets",
}

if TYPE_CHECKING:  # pragma: no cover
    from commute.io.network import load_network
    from commute.model.graph import build_graph
    from commute.model.modes import Measure, Mode
    from commute.model.scenario import graph_for
    from commute.results.targets import check, summarise
    from commute.results.travel import surface, travel_times, trip
    from commute.search.engine import compile_graph

__all__ = [
    "CommuteError",
    "Measure",
    "Mode",
    "ValidationError",
    "__version__",
    "build_graph",
    "check",
    "compile_graph",
    "graph_for",
    "load_network",
    "summarise",
    "surface",
    "travel_times",
    "trip",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'commute' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
