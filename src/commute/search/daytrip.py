"""The one-day circle (一日生活圈) on real timetables: there and back in a day with a stay."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from commute.model.places import Endpoint
from commute.search.transit import TransitEngine, journey_times


def day_trip(
    eng: TransitEngine,
    origins: Sequence[Endpoint],
    dests: Sequence[Endpoint],
    *,
    day_start: float,
    stay_min: float,
) -> np.ndarray:
    """Minutes travelled (out and back, waits included) on a day trip, NaN if there is none.

    Leave each origin at ``day_start`` and arrive at the destination as early as the
    timetable allows (at ``A``); stay ``stay_min``; leave at ``A + stay_min`` and arrive home
    as early as possible (at ``B``). The result is ``B - day_start - stay_min``: the trip fits a
    day ending at ``E`` exactly when it is at most ``E - day_start - stay_min``, so first and
    last trains decide it.
    """
    start = np.array([float(day_start)])
    out = np.full((len(origins), len(dests)), np.nan)
    there = np.vstack([m[0] for m in journey_times(eng, origins, dests, start)])  # [o, d]
    for j, d in enumerate(dests):
        arrive = float(day_start) + there[:, j]
        leave = arrive + float(stay_min)
        ok = np.isfinite(leave)
        if not ok.any():
            continue
        deps = np.unique(leave[ok])
        back = journey_times(eng, [d], origins, deps)[0]  # [departure, origin]
        k = np.searchsorted(deps, leave[ok])
        rows = np.flatnonzero(ok)
        home = leave[ok] + back[k, rows]
        out[rows, j] = np.where(np.isfinite(home), home - float(day_start) - float(stay_min), np.nan)
        for i, o in enumerate(origins):
            if o.key == d.key:
                out[i, j] = 0.0
    return out
