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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from commute.errors import InvalidOptionError, Problems
from commute.search import raptor_core as _raptor_core

DAY_MIN = 1440.0
_core: Any = _raptor_core  # numba dispatchers: untyped for mypy


class TripSpec(NamedTuple):
    """One trip: its stops (indices), times (minutes) and where boarding/alighting is allowed."""

    stops: Any
    arr: Any
    dep: Any
    pickup: Any
    dropoff: Any
    key: int


class Leg(NamedTuple):
    """One leg of a journey: a ride on trip ``trip_key`` or a footpath (``trip_key`` -1)."""

    kind: str
    trip_key: int
    from_stop: int
    to_stop: int
    dep: float
    arr: float


@dataclass(frozen=True)
class Timetable:
    """Trips as flat arrays grouped into FIFO routes (built by :func:`build_timetable`).

    Route ``r`` visits ``route_stops[route_ptr[r]:route_ptr[r+1]]`` (with per-position
    ``route_pickup``/``route_dropoff``); its trips are ``route_trip_ptr[r]`` onwards, sorted by
    departure, and trip ``i`` (the ``i``-th of its route) at position ``p`` has times
    ``arr[route_time_base[r] + i * L + p]`` (``L`` the route length). ``trip_key`` and
    ``trip_day`` give, per trip, the caller's key and the ``repeat_days`` shift it was copied with.
    """

    n_stops: int
    route_ptr: Any
    route_stops: Any
    route_pickup: Any
    route_dropoff: Any
    route_trip_ptr: Any
    route_time_base: Any
    arr: Any
    dep: Any
    trip_key: Any
    trip_day: Any
    stop_route_ptr: Any
    stop_route: Any
    stop_pos: Any
    foot_ptr: Any
    foot_to: Any
    foot_min: Any
    min_transfer: Any

    @property
    def n_routes(self) -> int:
        """Number of FIFO routes."""
        return int(self.route_ptr.shape[0] - 1)

    @property
    def n_trips(self) -> int:
        """Number of trips (after ``repeat_days`` copies)."""
        return int(self.trip_key.shape[0])

    def kernel_args(self) -> tuple[Any, ...]:
        """Return the arrays in the order the compiled kernels take them."""
        return (
            self.route_ptr, self.route_stops, self.route_pickup, self.route_dropoff,
            self.route_trip_ptr, self.route_time_base, self.arr, self.dep,
            self.stop_route_ptr, self.stop_route, self.stop_pos,
            self.foot_ptr, self.foot_to, self.foot_min, self.min_transfer,
        )  # fmt: skip


@dataclass(frozen=True)
class SearchState:
    """Per-round labels and parents of one :func:`earliest_arrival` call, for :func:`journey`."""

    ready: Any
    arrival_by_round: Any
    trip: Any
    board_pos: Any
    alight_pos: Any
    via: Any


def _check_trips(trips: Sequence[TripSpec], n_stops: int) -> list[tuple[Any, ...]]:
    problems = Problems("timetable")
    clean: list[tuple[Any, ...]] = []
    for t in trips:
        stops = np.asarray(t.stops, dtype=np.int64)
        arr = np.asarray(t.arr, dtype=np.float64)
        dep = np.asarray(t.dep, dtype=np.float64)
        pick = np.asarray(t.pickup, dtype=np.bool_)
        drop = np.asarray(t.dropoff, dtype=np.bool_)
        n = stops.shape[0]
        where = f"trip {t.key}"
        if n < 2:
            problems.add(where, 0, f"has {n} stop(s)", "a trip needs at least two stops")
            continue
        if any(x.shape != (n,) for x in (arr, dep, pick, drop)):
            problems.add(where, 0, "has stops, arr, dep, pickup and dropoff of different lengths")
            continue
        bad = (stops < 0) | (stops >= n_stops)
        if bad.any():
            problems.add(where, 0, f"names stop index {int(stops[bad][0])}, not in 0..{n_stops - 1}")
            continue
        times = np.empty(2 * n)
        times[0::2] = arr
        times[1::2] = dep
        if not np.isfinite(times).all():
            problems.add(where, 0, "has a missing or infinite time")
            continue
        back = np.flatnonzero(np.diff(times) < 0)
        if back.size:
            p = int(back[0] // 2)
            problems.add(where, 0, f"goes back in time at its stop {p + 1} (stop index {int(stops[p])})",
                         "times must not decrease along a trip")  # fmt: skip
            continue
        clean.append((stops, arr, dep, pick, drop, int(t.key)))
    problems.raise_if_any()
    return clean


def _fifo_routes(clean: list[tuple[Any, ...]]) -> list[list[int]]:
    """Group trips (indices into ``clean``) into FIFO routes of one stop and flag pattern."""
    patterns: dict[bytes, list[int]] = {}
    for i, (stops, _a, _d, pick, drop, _k) in enumerate(clean):
        key = stops.tobytes() + pick.tobytes() + drop.tobytes()
        patterns.setdefault(key, []).append(i)
    routes: list[list[int]] = []
    for members in patterns.values():
        members.sort(key=lambda i: (clean[i][2][0], clean[i][1][-1], clean[i][5]))
        groups: list[list[int]] = []
        for i in members:
            a, d = clean[i][1], clean[i][2]
            for g in groups:
                last = clean[g[-1]]
                if (a >= last[1]).all() and (d >= last[2]).all():
                    g.append(i)
                    break
            else:
                groups.append([i])
        routes.extend(groups)
    return routes


def _footpaths(transfers: Iterable[tuple[int, int, float]], n_stops: int) -> tuple[Any, Any, Any]:
    problems = Problems("transfers")
    best: dict[tuple[int, int], float] = {}
    for f, t, m in transfers:
        f, t, m = int(f), int(t), float(m)
        if not (0 <= f < n_stops and 0 <= t < n_stops):
            problems.add("transfers", 0, f"footpath {f} -> {t} names a stop index not in 0..{n_stops - 1}")
        elif not m >= 0 or not np.isfinite(m):
            problems.add("transfers", 0, f"footpath {f} -> {t} takes {m} minutes", "give minutes >= 0")
        elif f != t:
            best[(f, t)] = min(m, best.get((f, t), np.inf))
    problems.raise_if_any()
    pairs = sorted(best)
    frm = np.array([p[0] for p in pairs], dtype=np.int64)
    ptr = np.zeros(n_stops + 1, dtype=np.int64)
    np.add.at(ptr, frm + 1, 1)
    to = np.array([p[1] for p in pairs], dtype=np.int64)
    minutes = np.array([best[p] for p in pairs], dtype=np.float64)
    return np.cumsum(ptr), to, minutes


def build_timetable(
    trips: Sequence[TripSpec],
    n_stops: int,
    *,
    transfers: Iterable[tuple[int, int, float]] = (),
    min_transfer: Any = None,
    repeat_days: Sequence[int] = (0,),
) -> Timetable:
    """Build the flat FIFO-route timetable of ``trips``.

    Parameters
    ----------
    trips
        The trips; ``key`` is returned in journeys.
    n_stops
        Stops are ``0 .. n_stops - 1``.
    transfers
        Footpaths ``(from_stop, to_stop, minutes)``, minutes including everything (the
        shortest is kept where one is given twice). One direction each.
    min_transfer
        Minutes needed at each stop between arriving by one vehicle and boarding another
        (default 0 everywhere).
    repeat_days
        Copies of every trip shifted by ``1440 * d`` minutes; ``(-1, 0, 1)`` lets a journey
        use yesterday's train still running after midnight, or tomorrow's first train.

    Returns
    -------
    Timetable

    Raises
    ------
    commute.errors.ValidationError
        A trip with fewer than two stops, an unknown stop index or times going backwards
        (every such trip is named by its key); a footpath with a bad stop or negative minutes.
    commute.errors.InvalidOptionError
        ``min_transfer`` of the wrong length or negative.

    Examples
    --------
    >>> t = TripSpec([0, 1], [0.0, 10.0], [0.0, 10.0], [True, True], [True, True], key=7)
    >>> tt = build_timetable([t], 2)
    >>> earliest_arrival(tt, [0], [0.0]).tolist()
    [inf, 10.0]
    """
    clean = _check_trips(trips, n_stops)
    if min_transfer is None:
        mtr = np.zeros(n_stops)
    else:
        mtr = np.asarray(min_transfer, dtype=np.float64)
        if mtr.shape != (n_stops,) or not (mtr >= 0).all():
            raise InvalidOptionError(f"min_transfer must give {n_stops} minutes >= 0, one per stop.")
    days = sorted({int(d) for d in repeat_days})
    if days:
        shifted = [(s, a + DAY_MIN * d, p + DAY_MIN * d, pk, dr, k, d) for d in days for (s, a, p, pk, dr, k) in clean]
    else:
        shifted = []
    routes = _fifo_routes([x[:6] for x in shifted])
    rptr, rtptr, rbase = [0], [0], [0]
    rstops, rpick, rdrop, arr, dep, keys, tday = [], [], [], [], [], [], []
    for members in routes:
        stops, _a, _d, pick, drop, _k, _day = shifted[members[0]]
        rstops.append(stops)
        rpick.append(pick)
        rdrop.append(drop)
        rptr.append(rptr[-1] + stops.shape[0])
        rtptr.append(rtptr[-1] + len(members))
        rbase.append(rbase[-1] + stops.shape[0] * len(members))
        for i in members:
            arr.append(shifted[i][1])
            dep.append(shifted[i][2])
            keys.append(shifted[i][5])
            tday.append(shifted[i][6])
    cat_i = (lambda xs: np.concatenate(xs).astype(np.int64)) if routes else (lambda xs: np.zeros(0, np.int64))
    cat_f = (lambda xs: np.concatenate(xs).astype(np.float64)) if routes else (lambda xs: np.zeros(0))
    cat_b = (lambda xs: np.concatenate(xs).astype(np.bool_)) if routes else (lambda xs: np.zeros(0, np.bool_))
    route_stops = cat_i(rstops)
    route_ptr = np.array(rptr, dtype=np.int64)
    # stop -> (route, position)
    pos_route = np.repeat(np.arange(len(routes), dtype=np.int64), np.diff(route_ptr))
    pos_in = np.arange(route_stops.shape[0], dtype=np.int64) - route_ptr[pos_route]
    order = np.argsort(route_stops, kind="stable")
    sptr = np.zeros(n_stops + 1, dtype=np.int64)
    np.add.at(sptr, route_stops + 1, 1)
    fptr, fto, fmin = _footpaths(transfers, n_stops)
    return Timetable(
        n_stops=int(n_stops),
        route_ptr=route_ptr,
        route_stops=route_stops,
        route_pickup=cat_b(rpick),
        route_dropoff=cat_b(rdrop),
        route_trip_ptr=np.array(rtptr, dtype=np.int64),
        route_time_base=np.array(rbase[:-1], dtype=np.int64),
        arr=cat_f(arr),
        dep=cat_f(dep),
        trip_key=np.array(keys, dtype=np.int64),
        trip_day=np.array(tday, dtype=np.int64),
        stop_route_ptr=np.cumsum(sptr),
        stop_route=pos_route[order],
        stop_pos=pos_in[order],
        foot_ptr=fptr,
        foot_to=fto,
        foot_min=fmin,
        min_transfer=mtr,
    )


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
    _core.run_range(
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
    _core.run_range(
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
    _core.run_many(*tt.kernel_args(), np.array(ptr, dtype=np.int64), o_stops, o_offsets, deps, order, k, out)
    return out
