"""commute: transport accessibility analysis for planners.

Load a network, build its graph for a year or a scenario, compute travel times, and check
reach targets::

    import commute
    net = commute.load_network()
    G = commute.build_graph(net, 2021)
    commute.travel_times(G, "武汉", "黄石,长沙", modes="rail", measure="station_to_station")
"""

from __future__ import annotations

__version__ = "0.1.0"

from commute.io.network import load_network
from commute.model.graph import build_graph
from commute.model.modes import Measure, Mode
from commute.results.travel import surface, travel_times, trip
from commute.search.engine import compile_graph

from .errors import CommuteError, ValidationError

__all__ = [
    "CommuteError",
    "Measure",
    "Mode",
    "ValidationError",
    "__version__",
    "build_graph",
    "compile_graph",
    "load_network",
    "surface",
    "travel_times",
    "trip",
]
