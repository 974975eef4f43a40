"""Checks of rule field values by field name, shared by every rule kind that has the field."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from commute.model.modes import parse_measure, parse_modes
from commute.model.places import PlaceIndex
from commute.results.rules.base import names
from commute.search import transit as T

#: ``report(key, message, hint)`` records a problem at the line of ``key``.
Report = Callable[[str, str, str], None]


def _positive(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0


#: Upper bounds of numeric rule fields (a limit past them is a typo, not a target).
_MAX = {"within_min": 7 * 1440, "stay_hours": 24, "min_speed_kmh": 1000}


def check_values(r: dict[str, Any], report: Report, index: PlaceIndex | None = None) -> None:
    """Report every field of rule ``r`` whose value is wrong (names only if ``index`` is given)."""
    for k in ("within_min", "stay_hours", "min_speed_kmh"):
        if k in r and not _positive(r[k]):
            report(k, f"{k} {r[k]!r} is not a positive number", f"give {k} in its unit")
        elif k in r and r[k] > _MAX[k]:
            report(k, f"{k} {r[k]} is over {_MAX[k]}", f"give {k} in its unit")
    for k in ("max_fare_cny", "max_generalized_min", "value_of_time"):
        if k in r and (not isinstance(r[k], int | float) or isinstance(r[k], bool) or r[k] < 0):
            report(k, f"{k} {r[k]!r} is negative or not a number", f"give {k} as zero or more")
    hours_ok = True
    for k in ("day_start", "day_end"):
        if k in r and (isinstance(r[k], bool) or not isinstance(r[k], int | float) or not 0 <= r[k] <= 30):
            report(k, f"{k} {r[k]!r} is not an hour of the day", "give hours, e.g. 6 or 22.5")
            hours_ok = False
    if hours_ok and "day_start" in r and "day_end" in r and r["day_end"] <= r["day_start"]:
        report("day_end", f"day_end {r['day_end']} is not after day_start {r['day_start']}", "end the day later")
    elif hours_ok and "stay_hours" in r and _positive(r["stay_hours"]) and "day_start" in r and "day_end" in r:
        if r["stay_hours"] > r["day_end"] - r["day_start"]:
            report("stay_hours", f"stay_hours {r['stay_hours']} is longer than the day", "shorten the stay")
    if "classes" in r and not (
        isinstance(r["classes"], str)
        or (isinstance(r["classes"], list) and r["classes"] and all(isinstance(x, str) for x in r["classes"]))
    ):
        report("classes", f"classes {r['classes']!r} must be a list of train classes", "e.g. classes: [G, D]")
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
        if "from" in r and "to" in r:
            try:
                a = {e.key for e in index.resolve_many(names(r["from"]))}
                b = {e.key for e in index.resolve_many(names(r["to"]))}
            except Exception:
                a = b = set()
            if a and a == b and len(a) == 1:
                report("to", f"rule goes from {r['from']!r} to itself", "give a destination other than the origin")
