"""Modes and measures, as Enums that accept plain strings."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from commute.errors import InvalidOptionError


class Mode(StrEnum):
    """A travel mode. ``access`` (local trips to stations and junctions) is always allowed."""

    ROAD = "road"
    RAIL = "rail"
    AIR = "air"
    BUS = "bus"
    METRO = "metro"
    FERRY = "ferry"


#: Every scheduled mode (what ``transit`` stands for in a list of modes).
SCHEDULED = frozenset({Mode.RAIL, Mode.AIR, Mode.BUS, Mode.METRO, Mode.FERRY})
_NAMES = "road, rail, air, bus, metro, ferry or transit (every scheduled mode)"


class Measure(StrEnum):
    """How a trip's time is counted.

    ``door_to_door``: centroid to centroid (access, wait, ride, transfers, egress).
    ``station_to_station``: first departure to last arrival, transfers included (what a
    timetable shows); needs rail or air.
    """

    DOOR_TO_DOOR = "door_to_door"
    STATION_TO_STATION = "station_to_station"


def parse_modes(value: str | Iterable[str | Mode] | None) -> frozenset[Mode]:
    """Modes from ``"road,rail"`` or an iterable; None means all modes.

    Examples
    --------
    >>> sorted(parse_modes("rail, road"))
    [<Mode.RAIL: 'rail'>, <Mode.ROAD: 'road'>]
    """
    if value is None:
        return frozenset(Mode)
    items = [s.strip() for s in value.split(",")] if isinstance(value, str) else [str(s) for s in value]
    items = [s for s in items if s]
    if not items:
        raise InvalidOptionError(f"no mode given; use one or more of {_NAMES}.")
    out: set[Mode] = set()
    for s in items:
        if s.lower() == "transit":
            out |= SCHEDULED
            continue
        try:
            out.add(Mode(s.lower()))
        except ValueError:
            raise InvalidOptionError(f"unknown mode {s!r}; use one or more of {_NAMES}.") from None
    return frozenset(out)


def parse_measure(value: str | Measure | None) -> Measure:
    """A measure from its name; None means door_to_door.

    Examples
    --------
    >>> parse_measure(None) is Measure.DOOR_TO_DOOR, parse_measure("station_to_station").value
    (True, 'station_to_station')
    """
    if value is None:
        return Measure.DOOR_TO_DOOR
    try:
        return Measure(str(value).lower())
    except ValueError:
        raise InvalidOptionError(f"unknown measure {value!r}; use door_to_door or station_to_station.") from None
