"""Model parameters: one definition of every default.

Road speeds by class and lanes are a table of the model (the build tool writes road links
with them, scenarios add and widen roads with them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

ROAD_CLASSES: Final = ("expressway", "urban_expressway", "highway", "arterial")
#: Free-flow speed (km/h) by road class, and by lanes where the class depends on them.
ROAD_SPEED: Final[Mapping[str, float | Mapping[int, float]]] = MappingProxyType(
    {
        "expressway": MappingProxyType({4: 90.0, 6: 100.0, 8: 110.0}),
        "urban_expressway": 70.0,
        "highway": 60.0,
        "arterial": 35.0,
    }
)


def road_speed(road_class: str, lanes: int) -> float:
    """Free-flow speed of a road class with ``lanes`` lanes (nearest tabulated lane count).

    Examples
    --------
    >>> road_speed("expressway", 6), road_speed("expressway", 5), road_speed("arterial", 2)
    (100.0, 90.0, 35.0)
    """
    s = ROAD_SPEED[road_class]
    if isinstance(s, Mapping):
        nearest = min(s, key=lambda k: abs(k - lanes))
        return float(s.get(lanes, s[nearest]))
    return float(s)
