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

from .engine import compile_graph
from .errors import CommuteError, ValidationError
from .graph import build_graph
from .modes import Measure, Mode
from .network import load_network
from .travel import surface, travel_times, trip

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
