"""Read the national RailwayVIS timetable (``rail/timetable_china_2021-01_railwayvis.json``).

The file is a JSON object keyed by train number. Each train has ``service`` (高速动车, 动车组,
城际动车, 快速, 直达特快, 特快, 普快, 普客), ``start`` and ``end`` station names, and ``route``:
its stops in order, each ``{"city", "arrival", "departure"}`` with times ``H:MM`` or ``HH:MM``
(hours of 24 and more are the following days) and ``-`` where the train starts or ends. Stops
are recorded by city, and only in 187 cities, so a route can begin or end inside the train's
run (its first stop then has an arrival, its last a departure).

:func:`read_railwayvis` turns it into :class:`RvTrip` objects with times in minutes after
midnight of the day the train leaves its first recorded stop, monotone along the route.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from commute.errors import DataNotFoundError, ValidationError
from commute.errors import Problem as _Problem

#: ``service`` of the file -> train class letter.
SERVICE_CLASS = {
    "高速动车": "G",
    "动车组": "D",
    "城际动车": "C",
    "快速": "K",
    "直达特快": "Z",
    "特快": "T",
    "普快": "other",
    "普客": "other",
}
#: Classes of the letter a train number starts with.
LETTER_CLASS = {"G": "G", "D": "D", "C": "C", "K": "K", "Z": "Z", "T": "T"}
#: High-speed classes (multiple-unit trains on high-speed and intercity lines).
HSR_CLASSES = frozenset({"G", "D", "C"})

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)$")


@dataclass(frozen=True)
class RvStop:
    """One recorded stop: the city and minutes after midnight of the first stop's day."""

    city: str
    arrival_min: float
    departure_min: float


@dataclass(frozen=True)
class RvTrip:
    """One train of the national timetable."""

    train_no: str
    train_class: str
    service: str
    start: str
    end: str
    stops: tuple[RvStop, ...]

    @property
    def cities(self) -> tuple[str, ...]:
        """The recorded stop cities in order."""
        return tuple(s.city for s in self.stops)


def train_class(service: str, train_no: str) -> str:
    """The class of a train: the number's letter (G, D, C, K, Z, T), else from ``service``.

    Examples
    --------
    >>> train_class("高速动车", "G642"), train_class("普快", "4311"), train_class("快速", "K81")
    ('G', 'other', 'K')
    """
    letter = train_no[:1].upper()
    if letter in LETTER_CLASS:
        return LETTER_CLASS[letter]
    return SERVICE_CLASS.get(service, "other")


def _minutes(v: object) -> float | None:
    if v == "-":
        return None
    m = _TIME.match(str(v))
    if not m:
        raise ValueError(f"time {v!r} is not H:MM, HH:MM or '-'")
    return float(int(m.group(1)) * 60 + int(m.group(2)))


def _parse_train(train_no: str, rec: object) -> RvTrip:
    if not isinstance(rec, dict):
        raise ValueError("the entry is not an object with service, start, end and route")
    for key in ("service", "start", "end", "route"):
        if key not in rec:
            raise ValueError(f"the entry has no {key!r}")
    route = rec["route"]
    if not isinstance(route, list) or len(route) < 2:
        raise ValueError("its route has fewer than two stops")
    stops: list[RvStop] = []
    prev = -1.0
    for i, s in enumerate(route):
        if not isinstance(s, dict) or not {"city", "arrival", "departure"} <= set(s):
            raise ValueError(f"stop {i + 1} lacks city, arrival or departure")
        arr, dep = _minutes(s["arrival"]), _minutes(s["departure"])
        if arr is None and i > 0:
            raise ValueError(f"stop {i + 1} ({s['city']}) has no arrival ('-' only at the first stop)")
        if dep is None and i < len(route) - 1:
            raise ValueError(f"stop {i + 1} ({s['city']}) has no departure ('-' only at the last stop)")
        a = dep if arr is None else arr
        d = arr if dep is None else dep
        assert a is not None and d is not None
        if a < prev or d < a:
            raise ValueError(f"times go backwards at stop {i + 1} ({s['city']})")
        prev = d
        stops.append(RvStop(str(s["city"]), a, d))
    return RvTrip(
        train_no=train_no,
        train_class=train_class(str(rec["service"]), train_no),
        service=str(rec["service"]),
        start=str(rec["start"]),
        end=str(rec["end"]),
        stops=tuple(stops),
    )


def read_railwayvis(path: str | Path) -> list[RvTrip]:
    """Read the national timetable into trips, sorted by train number.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    list[RvTrip]
        Times in minutes after midnight of the first recorded stop's day, monotone along each
        route (hours of 24 and more are kept as the following days: 24:23 is 1463).

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    ValidationError
        Listing every malformed train (a bad time, times going backwards, a missing field),
        each naming the train and the file.
    """
    p = Path(path)
    if not p.exists():
        raise DataNotFoundError(f"timetable {p} does not exist; give the path of the RailwayVIS JSON file.")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValidationError([_Problem(str(p), e.lineno, f"not valid JSON: {e.msg}", "fix the file")], str(p)) from e
    if not isinstance(data, dict):
        raise ValidationError([_Problem(str(p), 0, "the file is not an object keyed by train number")], str(p))
    trips, problems = [], []
    for train_no in sorted(data):
        try:
            trips.append(_parse_train(str(train_no), data[train_no]))
        except ValueError as e:
            problems.append(_Problem(str(p), 0, f"train {train_no}: {e}", "fix or remove the train"))
    if problems:
        raise ValidationError(problems, f"timetable {p}")
    return trips
