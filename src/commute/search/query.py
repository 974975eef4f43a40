"""What a departure-time query asks: departure times or a window, a statistic, clock formats.

A :class:`Query` is a departure time or a window scanned every ``step`` minutes with a
statistic (``fastest``, ``median``, ``mean`` or ``pNN``) that summarises each pair's times over
the window; :func:`summarise_times` applies it. :func:`parse_depart`, :func:`parse_clock` and
:func:`check_statistic` turn user text into these values, with one clear error each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from commute.errors import InvalidOptionError
from commute.model.modes import Measure
from commute.search.defaults import DEFAULT_STEP, DEFAULT_WINDOW
from commute.search.legs import Leg


@dataclass(frozen=True)
class Query:
    """When a journey leaves and how the times of a window are summarised.

    ``depart`` is None (the default for the measure), a minute of the day, or a
    ``(start, end)`` window (inclusive) scanned every ``step`` minutes.
    """

    depart: float | tuple[float, float] | None = None
    step: float = DEFAULT_STEP
    statistic: str | None = None
    transfer_penalty: float | None = None

    def departures(self, measure: Measure) -> np.ndarray | None:
        """Departure minutes of the window (None: every train's departure, station to station)."""
        dep = self.depart
        if dep is None:
            if measure is Measure.STATION_TO_STATION:
                return None
            dep = DEFAULT_WINDOW
        if isinstance(dep, tuple):
            a, b = float(dep[0]), float(dep[1])
            n = math.floor((b - a) / self.step + 1e-9) + 1
            return a + self.step * np.arange(n, dtype=float)
        return np.array([float(dep)])

    def stat(self, measure: Measure) -> str:
        """The statistic, with the measure's default."""
        if self.statistic:
            return self.statistic
        if self.depart is None:
            return "fastest" if measure is Measure.STATION_TO_STATION else "median"
        return "median" if isinstance(self.depart, tuple) else "fastest"


def parse_clock(text: str) -> float:
    """Minutes after midnight from ``HH:MM`` (hours may exceed 23 for the next day)."""
    t = str(text).strip()
    try:
        h, m = t.split(":")
        hh, mm = int(h), int(m)
    except ValueError:
        raise InvalidOptionError(f"time {t!r} is not HH:MM; give a clock time such as 08:00.") from None
    if hh < 0 or not 0 <= mm < 60 or hh > 47:
        raise InvalidOptionError(f"time {t!r} is out of range; give HH:MM with hours 0-47 and minutes 0-59.")
    return float(60 * hh + mm)


def parse_depart(text: str | None) -> float | tuple[float, float] | None:
    """``HH:MM`` or ``HH:MM-HH:MM`` to minutes; a window that ends before it starts is an error."""
    if text is None or str(text).strip() == "":
        return None
    t = str(text).strip()
    if "-" in t:
        a, b = (parse_clock(x) for x in t.split("-", 1))
        if b < a:
            raise InvalidOptionError(f"window {t!r} ends before it starts; give START-END with END later.")
        return (a, b)
    return parse_clock(t)


def check_statistic(stat: str | None) -> str | None:
    """Validate a statistic name: fastest, median, mean or pNN (0 < NN <= 100)."""
    if stat is None:
        return None
    s = str(stat).strip().lower()
    if s in ("fastest", "median", "mean"):
        return s
    if s.startswith("p"):
        try:
            q = float(s[1:])
        except ValueError:
            q = -1.0
        if 0 <= q <= 100:
            return s
    raise InvalidOptionError(f"unknown statistic {stat!r}; use fastest, median, mean or pNN such as p85.")


def summarise_times(times: np.ndarray, stat: str, axis: int = 0) -> np.ndarray:
    """Reduce journey minutes over departures (``axis``) by a statistic; inf becomes NaN.

    Examples
    --------
    >>> summarise_times(np.array([10.0, 20.0, 30.0, np.inf]), "median").item()
    25.0
    >>> summarise_times(np.array([10.0, np.inf]), "p50").item()
    nan
    """
    x = np.where(np.isnan(times), np.inf, times)
    if stat == "fastest":
        out = np.min(x, axis=axis)
    elif stat == "mean":
        with np.errstate(invalid="ignore"):
            out = np.mean(x, axis=axis)
    elif stat == "median":
        out = _percentile(x, 50.0, axis)
    else:
        out = _percentile(x, float(stat[1:]), axis)
    return np.where(np.isfinite(out), out, np.nan)


def _percentile(x: np.ndarray, q: float, axis: int) -> np.ndarray:
    big = np.where(np.isinf(x), 1e12, x)
    out = np.percentile(big, q, axis=axis)
    return np.where(out >= 1e11, np.inf, out)


@dataclass(frozen=True)
class TimedLeg(Leg):
    """A leg with clock times (minutes after midnight) and, for a ride, the train number."""

    depart: float = float("nan")
    arrive: float = float("nan")
    train: str = ""

    def describe(self, G: nx.MultiDiGraph) -> str:
        """A short human-readable description with clock times."""
        text = super().describe(G)
        if self.kind == "ride" and self.train:
            text = text.replace(f"{self.mode} ", f"{self.mode} {self.train} ", 1)
        if not math.isnan(self.depart):
            text += f" {clock(self.depart)}–{clock(self.arrive)}"
        return text


def clock(minutes: float) -> str:
    """``HH:MM`` of minutes after midnight (``+1`` for the next day, ``-1`` for the day before).

    Examples
    --------
    >>> clock(1505.0), clock(-30.0)
    ('01:05+1', '23:30-1')
    """
    m = round(minutes)
    day, rest = divmod(m, 1440)
    s = f"{rest // 60:02d}:{rest % 60:02d}"
    return s if day == 0 else f"{s}{day:+d}"
