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
    "egress_targets",
    "journey",
    "profile",
    "profile_many",
    "same_boardings",
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
        tt.kernel_args(), stops, ready, np.zeros(1), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.bool_), out,
        (big_r, big_a, *parents),
        _no_targets(tt), np.zeros(0), np.zeros(0),
    )  # fmt: skip
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
    state = (np.full((k + 1, n), np.inf), np.full((k + 1, n), np.inf), *parents)
    _core.kernels("run_range", deps.shape[0])["run_range"](
        tt.kernel_args(), stops, offsets, deps, order, same_boardings(tt, stops, offsets, deps, order), out, state,
        _no_targets(tt), np.zeros(0), np.zeros(0),
    )  # fmt: skip
    return out


def same_boardings(tt: Timetable, stops: Any, offsets: Any, deps: Any, order: Any) -> Any:
    """``same[row]``: departure ``row`` can board the same trips as the one before it in ``order``.

    A journey's departure time matters only through its first boarding: leaving at ``d``, a
    trip can be boarded at source ``stops[i]`` when it leaves at or after ``d + offsets[i]``.
    Later departures can board fewer trips, never others, so two departures whose numbers of
    boardable trips are equal board the same set and have the same earliest arrivals.

    Examples
    --------
    >>> from commute.search.raptor import TripSpec, build_timetable
    >>> tt = build_timetable([TripSpec([0, 1], [10.0, 20.0], [10.0, 20.0], [True, True], [True, True], 0)], 2)
    >>> same_boardings(tt, [0], [0.0], np.array([0.0, 5.0, 10.0, 11.0]), np.array([3, 2, 1, 0])).tolist()
    [True, True, False, False]
    """
    ptr, times = tt.boardings
    deps = np.asarray(deps, dtype=np.float64)
    count = np.zeros(deps.shape[0], dtype=np.int64)
    for s, off in zip(np.asarray(stops, dtype=np.int64), np.asarray(offsets, dtype=np.float64), strict=True):
        at = times[ptr[s] : ptr[s + 1]]
        count += at.shape[0] - np.searchsorted(at, deps + off, side="left")
    ranked = count[order]
    same = np.zeros(deps.shape[0], dtype=np.bool_)
    same[order[1:]] = ranked[1:] == ranked[:-1]
    return same


def _no_targets(tt: Timetable) -> tuple[Any, Any, Any]:
    return np.zeros(tt.n_stops + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)


def egress_targets(egress: Any, road: Any) -> tuple[tuple[Any, Any, Any], Any]:
    """The ``targets`` and ``road`` arguments of :func:`profile_many` for target pruning.

    ``egress[s, j]`` is the minutes from stop ``s`` to destination ``j`` (inf where it cannot
    end there), ``road[o, j]`` the minutes from origin ``o`` to ``j`` without transit (inf if
    none). Entries no shorter than every origin's road time are left out: a journey that
    ends with them never beats the road.
    """
    eg = np.asarray(egress, dtype=np.float64)
    rd = np.asarray(road, dtype=np.float64).reshape(-1, eg.shape[1])
    worst = rd.max(axis=0) if rd.shape[0] else np.full(eg.shape[1], np.inf)
    keep = np.isfinite(eg) & (eg < worst[None, :])
    ptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    rows, cols = np.nonzero(keep)
    return (ptr, cols.astype(np.int64), eg[rows, cols]), rd


def profile_many(
    tt: Timetable,
    origins: Sequence[tuple[Any, Any]],
    departures: Any,
    *,
    max_rounds: int = 8,
    targets: tuple[tuple[Any, Any, Any], Any] | None = None,
) -> Any:
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
    targets
        :func:`egress_targets` of the destinations, to prune by target: the arrivals are then
        exact only through those egress times (``min_s arrival[o, t, s] + egress[s, j]``,
        with the road), which is all a matrix needs and much less work for short trips.
        Without it, every stop's arrival is exact.
    """
    k = _rounds(max_rounds)
    deps, order = _order(departures)
    if targets is not None and targets[1].shape[0] != len(origins):
        raise InvalidOptionError("targets must come from egress_targets with one road row per origin.")
    ptr, all_s, all_o = [0], [], []
    for i, (stops, offsets) in enumerate(origins):
        s, o = _sources(tt, stops, offsets)
        if targets is not None and targets[1].shape[1]:
            # a source no nearer than the road to every destination is pruned at once
            near = o < targets[1][i].max()
            s, o = s[near], o[near]
        all_s.append(s)
        all_o.append(o)
        ptr.append(ptr[-1] + s.shape[0])
    o_stops = np.concatenate(all_s) if all_s else np.zeros(0, np.int64)
    o_offsets = np.concatenate(all_o) if all_o else np.zeros(0)
    out = np.empty((len(ptr) - 1, deps.shape[0], tt.n_stops))
    run_many = _core.kernels("run_many", (len(ptr) - 1) * deps.shape[0])["run_many"]
    if targets is None:
        eg, road = _no_targets(tt), np.zeros((len(ptr) - 1, 0))
    else:
        eg, road = targets
        if eg[0].shape[0] != tt.n_stops + 1:
            raise InvalidOptionError("targets must come from egress_targets with one road row per origin.")
        # one layout whatever the caller's (numba compiles again for a Fortran-ordered array)
        eg = (np.ascontiguousarray(eg[0]), np.ascontiguousarray(eg[1]), np.ascontiguousarray(eg[2]))
        road = np.ascontiguousarray(road, dtype=np.float64)
    same = np.zeros((len(ptr) - 1, deps.shape[0]), dtype=np.bool_)
    for o in range(len(ptr) - 1):
        same[o] = same_boardings(tt, o_stops[ptr[o] : ptr[o + 1]], o_offsets[ptr[o] : ptr[o + 1]], deps, order)
    run_many(tt.kernel_args(), np.array(ptr, dtype=np.int64), o_stops, o_offsets, deps, order, same, k, out, eg, road)
    return out
