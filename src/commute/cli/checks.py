"""The command line's side of the input boundary: option values checked before a verb runs.

Every numeric option must be a finite number in its range, a year a whole number, a list of
minutes finite positive numbers and ``--format`` one a verb can write; a wrong value is one
sentence and exit 2 before anything is computed. A verb's own option joins by adding its
``dest`` to :data:`RANGES` (or :data:`MINUTE_LISTS`).
"""

from __future__ import annotations

import argparse
import math

from commute.errors import InvalidOptionError

#: ``dest -> (lowest, highest, lowest allowed?)``: the accepted range of a numeric option.
RANGES: dict[str, tuple[float, float, bool]] = {
    "cutoff": (0.0, 100_000.0, False),
    "half_life": (0.0, 100_000.0, False),
    "top": (0.0, 1e9, True),
    "step": (0.0, 1440.0, False),
    "step_km": (0.0, 1000.0, False),
    "max_radius_km": (0.0, 5000.0, False),
    "transfer_penalty": (0.0, 1440.0, True),
    "max_snap_km": (0.0, 1000.0, False),
    "consolidate_m": (0.0, 10_000.0, True),
    "workers": (1.0, 1024.0, True),
    "batch_size": (1.0, 1e9, True),
}
#: Options that hold comma-separated minutes.
MINUTE_LISTS = ("minutes", "thresholds")
#: Formats a table can be written in (``isochrones`` takes its format from the file name).
TABLE_FORMATS = ("table", "csv", "json")


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check_args(args: argparse.Namespace) -> None:
    """Raise :class:`InvalidOptionError` for the first option whose value is out of bounds."""
    v = vars(args)
    for dest, (lo, hi, closed) in RANGES.items():
        x = v.get(dest)
        if x is None or isinstance(x, bool) or not isinstance(x, int | float):
            continue
        if not math.isfinite(x):
            raise InvalidOptionError(f"{_flag(dest)} {x} is not a finite number; give a number such as {hi / 1e3:g}.")
        if x < lo or (x == lo and not closed) or x > hi:
            low = f"{lo:g} or more" if closed else f"more than {lo:g}"
            raise InvalidOptionError(f"{_flag(dest)} {x:g} is out of range; give {low} (at most {hi:g}).")
    year = v.get("year")
    if isinstance(year, str):
        try:
            int(year)
        except ValueError:
            raise InvalidOptionError(f"--year {year!r} is not a whole number; give a year such as 2026.") from None
    for dest in MINUTE_LISTS:
        text = v.get(dest)
        if isinstance(text, str):
            _minutes(dest, text)
    fmt = v.get("format")
    if isinstance(fmt, str) and fmt not in TABLE_FORMATS:
        raise InvalidOptionError(f"unknown --format {fmt!r}; use {', '.join(TABLE_FORMATS)}.")


def _minutes(dest: str, text: str) -> None:
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        try:
            x = float(part)
        except ValueError:
            raise InvalidOptionError(f"{_flag(dest)} {part!r} is not a number; give minutes such as 60,120.") from None
        if not math.isfinite(x) or x <= 0:
            raise InvalidOptionError(f"{_flag(dest)} {part} is not a positive number of minutes; give e.g. 60,120.")
