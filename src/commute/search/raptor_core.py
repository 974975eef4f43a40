"""The rounds of the RAPTOR search, numba-compiled or interpreted, used by :mod:`commute.search.raptor`.

numba is imported only when :func:`kernels` picks the compiled kernels (see its rule): a small
query on a fresh installation runs the same code interpreted instead of paying the compile.

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

#: Below this many origin-departures (about 4 origins over the default 2-hour window at
#: 1-minute steps) a search whose kernels are not in numba's cache yet runs interpreted
#: (about 6 ms an origin-departure on this network) rather than paying the compile (5-10 s).
INTERPRETED_WORK = 480


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
        if lab[k - 1, s] < lab[k, s]:
            lab[k, s] = lab[k - 1, s]
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
    if t < lab[k, s] and t < cap:
        lab[k, s] = t
        via[k, s] = q
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
    n_dests = bound.shape[0]
    n_stops = mtr.shape[0]
    n_routes = rt_ptr.shape[0] - 1
    rounds = big_r.shape[0] - 1
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
    for oi in range(order.shape[0]):
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
        for i in range(src_stops.shape[0]):
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
                        if a < big_a[k, s] and a < cap:
                            big_a[k, s] = a
                            a_trip[k, s] = t0 + cur
                            a_bpos[k, s] = bpos
                            a_apos[k, s] = p
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
                        ready = big_r[k - 1, s]
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
                a = big_a[k, q]
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
        out[row, :] = big_a[rounds, :]


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
    n_stops = tt[14].shape[0]
    for o in prange(o_ptr.shape[0] - 1):
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
        bound = np.full(o_road.shape[1], np.inf)
        run_range(
            tt, o_stops[lo:hi], o_offsets[lo:hi], deps, order, o_same[o], out[o], state, targets, o_road[o], bound
        )


def _interpreted() -> dict[str, Any]:
    """The kernels as plain Python, in a namespace of their own (so they never call compiled code)."""
    ns = dict(globals())
    ns["prange"] = range
    for f in (_first_trip, _carry, _improve, _take, run_range, run_many):
        ns[f.__name__] = types.FunctionType(f.__code__, ns, f.__name__, f.__defaults__)
    return {k: ns[k] for k in ("_first_trip", "_carry", "_improve", "_take", "run_range", "run_many")}


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

    Compiled when numba is installed and either already compiled in this process, in numba's
    cache, or the work is above :data:`INTERPRETED_WORK`; otherwise the same functions
    interpreted (identical results: the same code on the same float64 values), so a small query
    on a fresh installation pays no compile. ``COMMUTE_JIT=always`` or ``never`` overrides.
    """
    choice = os.environ.get("COMMUTE_JIT", "auto")
    if choice == "never" or (choice != "always" and jit_cache.numba_version() is None):
        return _INTERPRETED
    if choice == "always" or _COMPILED or work > INTERPRETED_WORK or jit_cache.is_cached(__file__, name):
        return compiled()
    return _INTERPRETED
