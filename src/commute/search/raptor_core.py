"""The rounds of the RAPTOR search, numba-compiled or interpreted, used by :mod:`commute.search.raptor`.

numba is imported only when :func:`kernels` picks the compiled kernels (see its rule): a small
query runs the same code interpreted instead of paying the compile, or the loading of numba and
its cache.

One function, :func:`run_range`, answers one origin for a list of departure times processed
latest first (range RAPTOR, Delling, Pajor and Werneck 2012): the per-round labels of a later
departure are valid journeys for an earlier one (wait at the source), so they are kept and only
what the earlier departure improves is rescanned. With a single departure it is plain RAPTOR,
and the parent arrays it fills let :func:`commute.search.raptor.journey` rebuild the legs.

Labels, for round ``k`` (``k`` boardings at most):

- ``R[k, s]`` the earliest time a traveller is *ready* to board at stop ``s``;
- ``A[k, s]`` the earliest arrival *by vehicle* at ``s``.

Both are cumulative in ``k`` (``A[k] <= A[k-1]``): an improvement of round ``k-1`` is copied
into round ``k`` at its start. Round ``k`` boards only from ``R[k-1]``, so a journey found in
round ``k`` never has more than ``k`` rides.
"""

from __future__ import annotations

import os
import types
from typing import Any

import numpy as np

from commute.search import jit_cache

#: numba's ``prange`` once :func:`compiled` ran; interpreted, a plain ``range``.
prange = range

#: Until a process has run this many origin-departures (about 4 origins over the default 2-hour
#: window at 1-minute steps), a search whose kernels are not in numba's cache runs interpreted
#: (on lists, 2-4 ms an origin-departure on the default network, the farther destinations the
#: slower) rather than paying the compile (5-10 s).
INTERPRETED_WORK = 480

#: As :data:`INTERPRETED_WORK` when numba's cache has them: loading numba and the cached
#: kernels takes 0.6-0.9 s, about what 2 origins over the default window take interpreted.
CACHED_WORK = 242

#: Origin-departures this process has run interpreted (the rule of :func:`kernels` counts them).
_RUN_INTERPRETED = [0]


def _first_trip(tdep: Any, base: int, length: int, p: int, lo: int, hi: int, ready: float) -> int:
    """Return the first trip index in ``[lo, hi)`` (offsets from ``base``) leaving at or after ``ready``."""
    while lo < hi:
        mid = (lo + hi) // 2
        if tdep[base + mid * length + p] >= ready:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _carry(lab: Any, k: int, stops: Any, n: int, marked: Any, nxt: Any, m: int) -> int:
    """Copy round ``k - 1``'s labels of ``stops[:n]`` into round ``k`` where lower.

    Each stop copied is listed in ``nxt`` (from position ``m``) once, ``marked`` saying which
    are listed; returns the new length of ``nxt``.
    """
    for i in range(n):
        s = stops[i]
        if lab[k - 1][s] < lab[k][s]:
            lab[k][s] = lab[k - 1][s]
            if not marked[s]:
                marked[s] = True
                nxt[m] = s
                m += 1
    return m


def _improve(lab: Any, via: Any, k: int, s: int, t: float, q: int, cap: float, marked: Any, nxt: Any, m: int) -> int:
    """Set round ``k``'s label of stop ``s`` to ``t`` (reached from ``q``) if lower and under ``cap``.

    A stop improved is listed in ``nxt`` (from position ``m``) once, ``marked`` saying which are
    listed; returns the new length of ``nxt``.
    """
    if t < lab[k][s] and t < cap:
        lab[k][s] = t
        via[k][s] = q
        if not marked[s]:
            marked[s] = True
            nxt[m] = s
            m += 1
    return m


def _take(nxt: Any, m: int, marked: Any, cur: Any) -> int:
    """Move the ``m`` stops listed in ``nxt`` to ``cur`` (the next round's list), unmarking them; returns ``m``."""
    for i in range(m):
        s = nxt[i]
        marked[s] = False
        cur[i] = s
    return m


def run_range(
    tt: Any,
    src_stops: Any,
    src_offsets: Any,
    deps: Any,
    order: Any,
    same: Any,
    out: Any,
    state: Any,
    targets: Any,
    road: Any,
    bound: Any,
) -> None:  # pragma: no cover - compiled
    """Fill ``out[order[i]] = A[K]`` for departures ``deps[order[i]]`` (``order`` latest first).

    ``tt`` is :meth:`commute.search.raptor_timetable.Timetable.kernel_args`. ``same[row]``
    says that departure ``row`` can board exactly the trips the departure before it in ``order``
    can (see :func:`commute.search.raptor.same_boardings`): its arrivals are that departure's,
    copied without a search (rRAPTOR's rule that only departures of trips need a run). ``state`` is
    ``(big_r, big_a, a_trip, a_bpos, a_apos, via)``: ``big_r``/``big_a`` are ``(K + 1,
    n_stops)`` arrays set to inf by the caller; ``a_trip``, ``a_bpos``, ``a_apos`` (trip,
    boarding and alighting positions) and ``via`` (the stop whose vehicle arrival made a stop
    ready; -1 for a source) are filled where labels improve.

    ``targets`` is ``(eg_ptr, eg_dest, eg_min)``, a CSR over stops of the minutes from a stop
    to each destination it can end a journey at; ``road[j]`` the minutes to destination ``j``
    without transit (inf if none) and ``bound`` a scratch array of one float per destination,
    set to inf by the caller. With destinations, the search prunes by target (Delling, Pajor
    and Werneck 2012, section 3.1): a label no earlier than the latest of the destinations'
    best arrivals so far cannot improve any of them, so it is not kept. ``out`` is then exact
    only where it matters, ``min_s out[., s] + eg[s, j]`` (with the road); elsewhere it is an
    arrival that some journey achieves, not always the earliest. Without destinations (an
    empty ``eg_dest``), every stop's earliest arrival is exact.
    """
    rs_ptr, rs_stop, rs_pick, rs_drop, rt_ptr, r_tbase, tarr, tdep = tt[:8]
    sr_ptr, sr_route, sr_pos, fp_ptr, fp_to, fp_min, mtr = tt[8:15]
    big_r, big_a, a_trip, a_bpos, a_apos, via = state
    eg_ptr, eg_dest, eg_min = targets
    n_dests = len(bound)
    n_stops = len(mtr)
    n_routes = len(rt_ptr) - 1
    rounds = len(big_r) - 1
    inf = np.inf
    first = np.full(n_routes, -1, dtype=np.int64)
    routes = np.empty(n_routes, dtype=np.int64)
    # per round: stops whose R improved genuinely (mark routes), R improved at all (copy), A improved
    rg = np.empty(n_stops, dtype=np.int64)
    ra = np.empty(n_stops, dtype=np.int64)
    aa = np.empty(n_stops, dtype=np.int64)
    ag = np.empty(n_stops, dtype=np.int64)
    nrg = np.empty(n_stops, dtype=np.int64)
    nra = np.empty(n_stops, dtype=np.int64)
    naa = np.empty(n_stops, dtype=np.int64)
    in_rg = np.zeros(n_stops, dtype=np.bool_)
    in_ra = np.zeros(n_stops, dtype=np.bool_)
    in_aa = np.zeros(n_stops, dtype=np.bool_)
    in_ag = np.zeros(n_stops, dtype=np.bool_)
    for oi in range(len(order)):
        row = order[oi]
        d = deps[row]
        # a journey of a later departure is one of this departure too (wait at the source)
        cap = inf if n_dests == 0 else -inf
        for j in range(n_dests):
            if d + road[j] < bound[j]:
                bound[j] = d + road[j]
            if bound[j] > cap:
                cap = bound[j]
        if oi > 0 and same[row]:
            out[row, :] = out[order[oi - 1], :]
            continue
        n_rg = 0
        n_ra = 0
        n_aa = 0
        for i in range(len(src_stops)):
            n_rg = _improve(big_r, via, 0, src_stops[i], d + src_offsets[i], -1, cap, in_rg, rg, n_rg)
        for i in range(n_rg):
            in_rg[rg[i]] = False
            ra[i] = rg[i]
        n_ra = n_rg
        for k in range(1, rounds + 1):
            if n_rg == 0 and n_ra == 0 and n_aa == 0:
                break
            m_rg = 0
            m_ra = 0
            m_aa = 0
            m_ag = 0
            # copy last round's improvements into this round (labels are cumulative in k)
            m_aa = _carry(big_a, k, aa, n_aa, in_aa, naa, m_aa)
            m_ra = _carry(big_r, k, ra, n_ra, in_ra, nra, m_ra)
            # routes through a stop that became ready earlier, from its first such position
            n_routes_marked = 0
            for i in range(n_rg):
                s = rg[i]
                for j in range(sr_ptr[s], sr_ptr[s + 1]):
                    r = sr_route[j]
                    p = sr_pos[j]
                    if first[r] < 0:
                        first[r] = p
                        routes[n_routes_marked] = r
                        n_routes_marked += 1
                    elif p < first[r]:
                        first[r] = p
            for i in range(n_routes_marked):
                r = routes[i]
                off = rs_ptr[r]
                length = rs_ptr[r + 1] - off
                t0 = rt_ptr[r]
                n_trips = rt_ptr[r + 1] - t0
                base = r_tbase[r]
                cur = -1
                bpos = -1
                for p in range(first[r], length):
                    s = rs_stop[off + p]
                    if cur >= 0 and rs_drop[off + p]:
                        a = tarr[base + cur * length + p]
                        if a < big_a[k][s] and a < cap:
                            big_a[k][s] = a
                            a_trip[k][s] = t0 + cur
                            a_bpos[k][s] = bpos
                            a_apos[k][s] = p
                            if not in_aa[s]:
                                in_aa[s] = True
                                naa[m_aa] = s
                                m_aa += 1
                            if not in_ag[s]:
                                in_ag[s] = True
                                ag[m_ag] = s
                                m_ag += 1
                            lowered = False
                            for j in range(eg_ptr[s], eg_ptr[s + 1]):
                                if a + eg_min[j] < bound[eg_dest[j]]:
                                    bound[eg_dest[j]] = a + eg_min[j]
                                    lowered = True
                            if lowered:
                                cap = -inf
                                for j in range(n_dests):
                                    if bound[j] > cap:
                                        cap = bound[j]
                    if rs_pick[off + p]:
                        ready = big_r[k - 1][s]
                        if ready < inf and (cur < 0 or ready <= tdep[base + cur * length + p]):
                            hi = n_trips if cur < 0 else cur + 1
                            t = _first_trip(tdep, base, length, p, 0, hi, ready)
                            if t < hi and (cur < 0 or t < cur):
                                cur = t
                                bpos = p
                first[r] = -1
            # from a vehicle arrival: ready at the stop after its transfer time, and along footpaths
            for i in range(m_ag):
                q = ag[i]
                a = big_a[k][q]
                in_ag[q] = False
                m_rg = _improve(big_r, via, k, q, a + mtr[q], q, cap, in_rg, nrg, m_rg)
                for j in range(fp_ptr[q], fp_ptr[q + 1]):
                    m_rg = _improve(big_r, via, k, fp_to[j], a + fp_min[j], q, cap, in_rg, nrg, m_rg)
            for i in range(m_rg):
                s = nrg[i]
                in_rg[s] = False
                rg[i] = s
                if not in_ra[s]:
                    in_ra[s] = True
                    nra[m_ra] = s
                    m_ra += 1
            n_rg = m_rg
            n_ra = _take(nra, m_ra, in_ra, ra)
            n_aa = _take(naa, m_aa, in_aa, aa)
        out[row, :] = big_a[rounds]


def run_many(
    tt: Any,
    o_ptr: Any,
    o_stops: Any,
    o_offsets: Any,
    deps: Any,
    order: Any,
    o_same: Any,
    rounds: int,
    out: Any,
    targets: Any,
    o_road: Any,
) -> None:  # pragma: no cover - compiled
    """Run :func:`run_range` for every origin ``o`` (sources ``o_ptr[o]:o_ptr[o+1]``) in parallel.

    ``targets`` as in :func:`run_range`, shared by the origins; ``o_same[o]`` and ``o_road[o]``
    are origin ``o``'s ``same`` and ``road``.
    """
    n_stops = len(tt[14])
    for o in prange(len(o_ptr) - 1):
        state = (
            np.full((rounds + 1, n_stops), np.inf),
            np.full((rounds + 1, n_stops), np.inf),
            np.empty((rounds + 1, n_stops), dtype=np.int64),
            np.empty((rounds + 1, n_stops), dtype=np.int64),
            np.empty((rounds + 1, n_stops), dtype=np.int64),
            np.empty((rounds + 1, n_stops), dtype=np.int64),
        )
        lo = o_ptr[o]
        hi = o_ptr[o + 1]
        bound = np.full(len(o_road[o]), np.inf)
        run_range(
            tt, o_stops[lo:hi], o_offsets[lo:hi], deps, order, o_same[o], out[o], state, targets, o_road[o], bound
        )


class _ListArrays:
    """The part of numpy the kernels call, making Python lists (the interpreted kernels' arrays).

    Interpreted, an element of a list is read about three times faster than one of a numpy
    array, so the kernels run on lists there: the same code, the same float64 values.
    """

    inf = np.inf
    int64 = np.int64
    bool_ = np.bool_

    @staticmethod
    def full(shape: Any, value: Any, dtype: Any = None) -> list[Any]:
        """A list (``shape`` an int) or a list of lists (a pair) filled with ``value``."""
        if isinstance(shape, tuple):
            return [[value] * shape[1] for _ in range(shape[0])]
        return [value] * shape

    @staticmethod
    def empty(shape: Any, dtype: Any = None) -> list[Any]:
        """As :meth:`full` with zeros (an empty numpy array's values are arbitrary)."""
        return _ListArrays.full(shape, False if dtype is np.bool_ else 0)

    zeros = empty


def _as_lists(x: Any) -> Any:
    """Numpy arrays (also inside tuples) as (nested) lists of Python numbers; anything else as is."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, tuple):
        return tuple(_as_lists(v) for v in x)
    return x


def _interpreted() -> dict[str, Any]:
    """The kernels as plain Python, in a namespace of their own (so they never call compiled code).

    ``run_range`` and ``run_many`` take numpy arrays as the compiled ones do, run on lists
    (:class:`_ListArrays`) and write what they fill back into the caller's arrays: ``out``
    stays an array; the labels ``state`` and ``bound`` are copied back.
    """
    ns = dict(globals())
    ns["prange"] = range
    ns["np"] = _ListArrays
    for f in (_first_trip, _carry, _improve, _take, run_range, run_many):
        ns[f.__name__] = types.FunctionType(f.__code__, ns, f.__name__, f.__defaults__)
    range_py, many_py = ns["run_range"], ns["run_many"]

    def run_range_lists(tt: Any, src_stops: Any, src_offsets: Any, deps: Any, order: Any, same: Any,
                        out: Any, state: Any, targets: Any, road: Any, bound: Any) -> None:  # fmt: skip
        labels, lim = _as_lists(state), _as_lists(bound)
        args = _as_lists((tt, src_stops, src_offsets, deps, order, same))
        range_py(*args, out, labels, _as_lists(targets), _as_lists(road), lim)
        for arr, lst in zip(state, labels, strict=True):
            arr[...] = lst
        bound[...] = lim

    def run_many_lists(tt: Any, o_ptr: Any, o_stops: Any, o_offsets: Any, deps: Any, order: Any, o_same: Any,
                       rounds: int, out: Any, targets: Any, o_road: Any) -> None:  # fmt: skip
        args = _as_lists((tt, o_ptr, o_stops, o_offsets, deps, order, o_same))
        many_py(*args, rounds, out, _as_lists(targets), _as_lists(o_road))

    ns["run_range"] = run_range_lists
    ns["run_many"] = run_many_lists
    kernels = {k: ns[k] for k in ("_first_trip", "_carry", "_improve", "_take", "run_range", "run_many")}
    ns["run_range"] = range_py  # run_many, on lists already, calls the plain one
    return kernels


_INTERPRETED: dict[str, Any] = _interpreted()
_SOURCE: dict[str, Any] = {f.__name__: f for f in (_first_trip, _carry, _improve, _take, run_range, run_many)}
_COMPILED: dict[str, Any] = {}


def compiled() -> dict[str, Any]:
    """The numba-compiled kernels (loaded from numba's cache, or compiled and cached there)."""
    if not _COMPILED:
        import numba

        jit_cache.configure()
        g = globals()
        g["prange"] = numba.prange
        for name in ("_first_trip", "_carry", "_improve", "_take"):
            g[name] = numba.njit(cache=True, nogil=True)(_SOURCE[name])
        g["run_range"] = numba.njit(cache=True, nogil=True)(_SOURCE["run_range"])
        g["run_many"] = numba.njit(cache=True, parallel=True)(_SOURCE["run_many"])
        _COMPILED.update({k: g[k] for k in _INTERPRETED})
    return _COMPILED


def kernels(name: str, work: int) -> dict[str, Any]:
    """The kernels to run ``name`` (``run_range`` or ``run_many``) on ``work`` origin-departures.

    Compiled when numba is installed and already compiled in this process, or when the
    origin-departures run interpreted in this process, this call's included, would exceed what
    getting the compiled ones costs: :data:`CACHED_WORK` when numba's cache has them (loading),
    :data:`INTERPRETED_WORK` otherwise (compiling). Below that the same functions run
    interpreted (identical results: the same code on the same float64 values), so a single
    small query pays neither, and a session of many small ones soon switches.
    ``COMMUTE_JIT=always`` or ``never`` overrides.
    """
    choice = os.environ.get("COMMUTE_JIT", "auto")
    if choice == "never" or (choice != "always" and jit_cache.numba_version() is None):
        return _INTERPRETED
    if choice == "always" or _COMPILED:
        return compiled()
    done = _RUN_INTERPRETED[0] + work
    if done > (CACHED_WORK if jit_cache.is_cached(_SOURCE[name]) else INTERPRETED_WORK):
        return compiled()
    _RUN_INTERPRETED[0] = done
    return _INTERPRETED
