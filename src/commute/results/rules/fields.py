"""Checks of rule field values by field name, shared by every rule kind that has the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commute.model.modes import parse_measure, parse_modes
from commute.model.places import PlaceIndex
from commute.results.rules.base import names
from commute.search import transit as T

#: ``report(key, message, hint)`` records a problem at the line of ``key``.
Report = Callable[[str, str, str], None]


def _positive(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v > 0


def check_values(r: dict[str, Any], report: Report, index: PlaceIndex | None = None) -> None:
    """Report every field of rule ``r`` whose value is wrong (names only if ``index`` is given)."""
    for k in ("within_min", "stay_hours", "min_speed_kmh"):
        if k in r and not _positive(r[k]):
            report(k, f"{k} {r[k]!r} is not a positive number", f"give {k} in its unit")
    for k in ("max_fare_cny", "max_generalized_min", "value_of_time"):
        if k in r and (not isinstance(r[k], int | float) or isinstance(r[k], bool) or r[k] < 0):
            report(k, f"{k} {r[k]!r} is negative or not a number", f"give {k} as zero or more")
    for k in ("day_start", "day_end"):
        if k in r and (not isinstance(r[k], int | float) or not 0 <= r[k] <= 30):
            report(k, f"{k} {r[k]!r} is not an hour of the day", "give hours, e.g. 6 or 22.5")
    for k, check_value in (("depart", T.parse_depart), ("statistic", T.check_statistic)):
        if k in r:
            try:
                check_value(str(r[k]))
            except Exception as e:
                report(k, str(e), "see targets/README.md for depart and statistic")
    if "step" in r and not _positive(r["step"]):
        report("step", f"step {r['step']!r} is not a positive number", "give minutes, e.g. 1")
    if "measure" in r:
        try:
            parse_measure(r["measure"])
        except Exception as e:
            report("measure", str(e), "use door_to_door or station_to_station")
    if "modes" in r:
        try:
            parse_modes(r["modes"] if isinstance(r["modes"], str) else [str(x) for x in r["modes"]])
        except Exception as e:
            report("modes", str(e), "use road, rail, air")
    if index is not None:
        for k in ("from", "to", "cities", "places"):
            if k in r:
                try:
                    index.resolve_many(names(r[k]))
                except Exception as e:
                    report(k, str(e), "use place names, ids, codes or circle/cluster/major")
