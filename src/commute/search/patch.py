"""Cheap patches of a compiled timetable: without some trips, with other footpaths.

A closure tested by :func:`commute.results.attribution.critical_closures` removes a service's
trips or a road link (which can change the footpaths between stations); rebuilding the
timetable for each would cost more than the search. Removing trips from a FIFO route keeps it
FIFO and sorted, so both patches are array operations on :class:`raptor.Timetable`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from commute.search import raptor, raptor_timetable


def without_trips(tt: raptor.Timetable, drop_keys: Iterable[int]) -> raptor.Timetable:
    """The timetable without the trips whose key is in ``drop_keys`` (every day's copy)."""
    drop = np.isin(tt.trip_key, np.fromiter(drop_keys, dtype=np.int64))
    if not drop.any():
        return tt
    keep_trip = ~drop
    lengths = np.diff(tt.route_ptr)
    counts = np.diff(tt.route_trip_ptr)
    arr, dep = [], []
    new_counts = np.zeros_like(counts)
    for r in range(tt.n_routes):
        lo, hi = tt.route_trip_ptr[r], tt.route_trip_ptr[r + 1]
        k = keep_trip[lo:hi]
        new_counts[r] = int(k.sum())
        base, n, L = tt.route_time_base[r], counts[r], lengths[r]
        arr.append(tt.arr[base : base + n * L].reshape(n, L)[k].ravel())
        dep.append(tt.dep[base : base + n * L].reshape(n, L)[k].ravel())
    trip_ptr = np.concatenate([[0], np.cumsum(new_counts)]).astype(np.int64)
    time_base = np.concatenate([[0], np.cumsum(new_counts * lengths)[:-1]]).astype(np.int64)
    return replace(
        tt,
        route_trip_ptr=trip_ptr,
        route_time_base=time_base,
        arr=np.concatenate(arr) if arr else tt.arr[:0],
        dep=np.concatenate(dep) if dep else tt.dep[:0],
        trip_key=tt.trip_key[keep_trip],
        trip_day=tt.trip_day[keep_trip],
    )


def with_footpaths(tt: raptor.Timetable, transfers: Iterable[tuple[int, int, float]]) -> raptor.Timetable:
    """The timetable with its footpaths replaced."""
    fptr, fto, fmin = raptor_timetable.footpath_arrays(transfers, tt.n_stops)
    return replace(tt, foot_ptr=fptr, foot_to=fto, foot_min=fmin)
