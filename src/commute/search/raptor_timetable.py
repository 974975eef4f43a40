"""The timetable RAPTOR searches: trips grouped into FIFO routes and laid out as flat arrays.

:func:`build_timetable` checks a list of :class:`TripSpec` (every problem at once), groups the
trips into *routes* (same stops, same pickup/drop-off pattern, split wherever one trip overtakes
another so that every route is FIFO), repeats them on the days asked for and adds footpaths and
transfer times. :mod:`commute.search.raptor` searches the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from commute.errors import InvalidOptionError, Problems

DAY_MIN = 1440.0


class TripSpec(NamedTuple):
    """One trip: its stops (indices), times (minutes) and where boarding/alighting is allowed."""

    stops: Any
    arr: Any
    dep: Any
    pickup: Any
    dropoff: Any
    key: int


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

    @cached_property
    def boardings(self) -> tuple[Any, Any]:
        """Every time a trip can be boarded, by stop: ``(ptr, times)``, CSR, times sorted.

        Stop ``s`` has ``times[ptr[s]:ptr[s+1]]``: the departures of every trip at every
        position of ``s`` where pickup is allowed. Computed once per timetable (it is immutable).
        """
        lengths = np.diff(self.route_ptr)
        n_trips = np.diff(self.route_trip_ptr)
        sizes = lengths * n_trips
        route = np.repeat(np.arange(self.n_routes), sizes)
        local = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        at = self.route_ptr[route] + local % lengths[route]
        times = self.dep[self.route_time_base[route] + local]
        keep = self.route_pickup[at].astype(bool)
        stop, times = self.route_stops[at][keep], times[keep]
        order = np.lexsort((times, stop))
        ptr = np.concatenate([[0], np.cumsum(np.bincount(stop, minlength=self.n_stops))]).astype(np.int64)
        return ptr, times[order].astype(np.float64)

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


def _check_trips(trips: Sequence[TripSpec], n_stops: int) -> list[tuple[Any, ...]]:
    """The trips as arrays, checked: every trip at once, one by one only to name a problem."""
    cols = [
        (
            np.asarray(t.stops, dtype=np.int64),
            np.asarray(t.arr, dtype=np.float64),
            np.asarray(t.dep, dtype=np.float64),
            np.asarray(t.pickup, dtype=np.bool_),
            np.asarray(t.dropoff, dtype=np.bool_),
            int(t.key),
        )
        for t in trips
    ]
    if cols and _all_valid(cols, n_stops):
        return cols
    return _check_each(trips, n_stops)


def _all_valid(cols: list[tuple[Any, ...]], n_stops: int) -> bool:
    """Whether every trip passes :func:`_check_each` (False on any doubt: it then names the problem)."""
    n = np.array([c[0].shape[0] for c in cols])
    if n.min() < 2 or any(c[0].ndim != 1 or c[k].shape != c[0].shape for c in cols for k in (1, 2, 3, 4)):
        return False
    stops = np.concatenate([c[0] for c in cols])
    arr = np.concatenate([c[1] for c in cols])
    dep = np.concatenate([c[2] for c in cols])
    if stops.min() < 0 or stops.max() >= n_stops or not (np.isfinite(arr).all() and np.isfinite(dep).all()):
        return False
    inner = np.ones(arr.shape[0] - 1, dtype=bool)
    inner[np.cumsum(n)[:-1] - 1] = False  # from a trip's last stop to the next trip's first
    return bool((dep >= arr).all() and (arr[1:] >= dep[:-1])[inner].all())


def _check_each(trips: Sequence[TripSpec], n_stops: int) -> list[tuple[Any, ...]]:
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


def footpath_arrays(transfers: Iterable[tuple[int, int, float]], n_stops: int) -> tuple[Any, Any, Any]:
    """Footpaths as CSR arrays (pointer, target stop, minutes), keeping the shortest of duplicates."""
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
    >>> from commute.search.raptor import earliest_arrival
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
    fptr, fto, fmin = footpath_arrays(transfers, n_stops)
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
