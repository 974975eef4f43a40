"""Earliest arrival over trips: a compiled round-based public-transit search (RAPTOR).

The timetable is a list of :class:`TripSpec` (stop indices and clock minutes, which may run past
1440). :func:`build_timetable` groups them into *routes* (trips with the same stops and the same
pickup/drop-off pattern, split further wherever one trip overtakes another so that every route
is FIFO) and lays them out as flat arrays. Then:

- :func:`earliest_arrival` answers one departure (with the state :func:`journey` needs);
- :func:`profile` answers a list of departures from one origin by range RAPTOR (latest first,
  labels reused), identical to one :func:`earliest_arrival` per departure;
- :func:`profile_many` does that for many origins in parallel on every core.

Semantics (the tests pin each): a traveller *ready* at stop ``s`` at time ``t`` may board trip
``j`` at a position ``p`` at ``s`` where pickup is allowed and ``dep_j[p] >= t`` (no dwell is
charged at boarding: the times are the trip's own), and alight at a later position ``q`` where
drop-off is allowed, arriving at ``arr_j[q]``. Having arrived by vehicle at ``q`` at time ``a``
they are ready at ``q`` at ``a + min_transfer[q]`` and at ``q'`` at ``a + minutes`` of each
footpath ``q -> q'``. ``arrival[s]`` is the earliest arrival *by vehicle* at ``s`` (never the
source itself, never by footpath); ``inf`` where no journey of at most ``max_rounds`` rides
exists. Times are float64 minutes throughout, so results are exact for the feed's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from commute.errors import InvalidOptionError
from commute.search import raptor_core as _raptor_core
from commute.search.raptor_timetable import DAY_MIN, Timetable, TripSpec, build_timetable

__all__ = [
    "DAY_MIN",
    "Leg",
    "SearchState",
    "Timetable",
    "TripSpec",
    "build_timetable",
    "earliest_arrival",
    "journey",
    "profile",
    "profile_many",
]

_core: Any = _raptor_core  # numba dispatchers or plain functions: untyped for mypy


class Leg(NamedTuple):
    """One leg of a journey: a ride on trip ``trip_key`` or a footpath (``trip_key`` -1)."""

    kind: str
    trip_key: int
    from_stop: int
    to_stop: int
    dep: float
    arr: float


@dataclass(frozen=True)
class SearchState:
    """Per-round labels and parents of one :func:`earliest_arrival` call, for :func:`journey`."""

    ready: Any
    arrival_by_round: Any
    trip: Any
    board_pos: Any
    alight_pos: Any
    via: Any


def _sources(tt: Timetable, stops: Any, times: Any) -> tuple[Any, Any]:
    s = np.asarray(stops, dtype=np.int64).ravel()
    t = np.asarray(times, dtype=np.float64).ravel()
    if s.shape != t.shape:
        raise InvalidOptionError(f"{s.shape[0]} source stops but {t.shape[0]} source times; give one time per stop.")
    if ((s < 0) | (s >= tt.n_stops)).any():
        raise InvalidOptionError(f"a source stop index is not in 0..{tt.n_stops - 1}.")
    keep = np.isfinite(t)
    return s[keep], t[keep]


def _rounds(max_rounds: int) -> int:
    if int(max_rounds) < 1:
        raise InvalidOptionError(f"max_rounds must be at least 1 (one boarding), not {max_rounds}.")
    return int(max_rounds)


def earliest_arrival(
    tt: Timetable, source_stops: Any, source_ready: Any, *, max_rounds: int = 8, return_state: bool = False
) -> Any:
    """Return the earliest arrival by vehicle at every stop (``inf`` where unreachable).

    Parameters
    ----------
    tt
        The timetable.
    source_stops, source_ready
        The traveller is ready at ``source_stops[i]`` at ``source_ready[i]`` (minutes; an
        infinite time means the stop is not a source).
    max_rounds
        Most boardings in a journey.
    return_state
        Also return the :class:`SearchState` that :func:`journey` reads.

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, SearchState)
        ``arrival[n_stops]`` float64 minutes.
    """
    k = _rounds(max_rounds)
    stops, ready = _sources(tt, source_stops, source_ready)
    n = tt.n_stops
    big_r = np.full((k + 1, n), np.inf)
    big_a = np.full((k + 1, n), np.inf)
    parents = [np.full((k + 1, n), -1, dtype=np.int64) for _ in range(4)]
    out = np.empty((1, n))
    _core.kernels("run_range", 1)["run_range"](
        *tt.kernel_args(), stops, ready, np.zeros(1), np.zeros(1, dtype=np.int64), out, big_r, big_a, *parents
    )
    if return_state:
        return out[0], SearchState(big_r, big_a, *parents)
    return out[0]


def journey(tt: Timetable, state: SearchState, target_stop: int) -> list[Leg]:
    """Return the legs of the earliest arrival at ``target_stop``, with the fewest rides among equals.

    Parameters
    ----------
    tt
        The timetable searched.
    state
        From ``earliest_arrival(..., return_state=True)``.
    target_stop
        The stop arrived at by vehicle.

    Returns
    -------
    list of Leg
        Rides and footpaths in travel order; empty where the stop is unreachable.
    """
    big_a, big_r = state.arrival_by_round, state.ready
    k_max = big_a.shape[0] - 1
    s = int(target_stop)
    if not np.isfinite(big_a[k_max, s]):
        return []
    legs: list[Leg] = []
    k = int(np.flatnonzero(big_a[:, s] == big_a[k_max, s])[0])
    while True:
        trip = int(state.trip[k, s])
        r = int(np.searchsorted(tt.route_trip_ptr, trip, side="right") - 1)
        off = int(tt.route_ptr[r])
        length = int(tt.route_ptr[r + 1]) - off
        idx = int(tt.route_time_base[r]) + (trip - int(tt.route_trip_ptr[r])) * length
        bp, ap = int(state.board_pos[k, s]), int(state.alight_pos[k, s])
        board = int(tt.route_stops[off + bp])
        legs.append(Leg("ride", int(tt.trip_key[trip]), board, s, float(tt.dep[idx + bp]), float(tt.arr[idx + ap])))
        # how the traveller became ready at the boarding stop with at most k - 1 rides
        j = int(np.flatnonzero(big_r[:k, board] == big_r[k - 1, board])[0])
        q = int(state.via[j, board])
        if q < 0:
            break
        i = int(np.flatnonzero(big_a[: j + 1, q] == big_a[j, q])[0])
        if q != board:
            legs.append(Leg("transfer", -1, q, board, float(big_a[j, q]), float(big_r[j, board])))
        s, k = q, i
    legs.reverse()
    return legs


def _order(departures: Any) -> tuple[Any, Any]:
    deps = np.asarray(departures, dtype=np.float64).ravel()
    if not np.isfinite(deps).all():
        raise InvalidOptionError("departure times must be finite minutes.")
    return deps, np.argsort(-deps, kind="stable").astype(np.int64)


def profile(tt: Timetable, source_stops: Any, source_offsets: Any, departures: Any, *, max_rounds: int = 8) -> Any:
    """Return ``arrival[n_dep, n_stops]``: the earliest arrivals for each departure time.

    For departure ``d`` the traveller is ready at ``source_stops[i]`` at ``d +
    source_offsets[i]`` (an infinite offset: not a source). Identical to one
    :func:`earliest_arrival` per departure, computed by range RAPTOR (latest first, labels kept).
    """
    k = _rounds(max_rounds)
    stops, offsets = _sources(tt, source_stops, source_offsets)
    deps, order = _order(departures)
    n = tt.n_stops
    out = np.empty((deps.shape[0], n))
    parents = [np.empty((k + 1, n), dtype=np.int64) for _ in range(4)]
    _core.kernels("run_range", deps.shape[0])["run_range"](
        *tt.kernel_args(), stops, offsets, deps, order, out, np.full((k + 1, n), np.inf),
        np.full((k + 1, n), np.inf), *parents,
    )  # fmt: skip
    return out


def profile_many(tt: Timetable, origins: Sequence[tuple[Any, Any]], departures: Any, *, max_rounds: int = 8) -> Any:
    """Return ``arrival[n_origins, n_dep, n_stops]`` (float64) for many origins, in parallel.

    Parameters
    ----------
    tt
        The timetable.
    origins
        One ``(stops, offsets)`` pair per origin, as in :func:`profile`.
    departures
        Departure times (minutes), shared by all origins.
    max_rounds
        Most boardings in a journey.
    """
    k = _rounds(max_rounds)
    deps, order = _order(departures)
    ptr, all_s, all_o = [0], [], []
    for stops, offsets in origins:
        s, o = _sources(tt, stops, offsets)
        all_s.append(s)
        all_o.append(o)
        ptr.append(ptr[-1] + s.shape[0])
    o_stops = np.concatenate(all_s) if all_s else np.zeros(0, np.int64)
    o_offsets = np.concatenate(all_o) if all_o else np.zeros(0)
    out = np.empty((len(ptr) - 1, deps.shape[0], tt.n_stops))
    run_many = _core.kernels("run_many", (len(ptr) - 1) * deps.shape[0])["run_many"]
    run_many(*tt.kernel_args(), np.array(ptr, dtype=np.int64), o_stops, o_offsets, deps, order, k, out)
    return out
