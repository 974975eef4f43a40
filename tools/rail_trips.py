"""Real trips for the default network: national timetable + Beijing-Guangzhou stop times.

Used by tools/build_wuhan_circle.py. Every train of the national RailwayVIS timetable with at
least two stops mapped to the network's rail stations becomes a trip; its stops are mapped by
the rule below (networks/README.md, "Real trips"), and the Beijing-Guangzhou station-level
timetable replaces the city-level stops of the same train in the cities it covers.

Mapping rule for a stop in city C of train T (class group: high-speed G/D/C or conventional):

1. ``terminus``: the first (last) recorded stop maps to T's start (end) station when that name
   is a network station of C.
2. Candidates: the network's rail stations open before 2021 in C's urban districts (a station
   in a county or county-level city of C is recorded under that county, which the file lacks;
   a station bearing C's bare name is always one), or, for stations of no network city, whose
   name starts with C. Only those serving T's class group are kept: a start or end station
   of a national train of the group, a stop of a network service of the group, or, for
   conventional trains, the station bearing the city's bare name.
3. ``city``: one candidate.
4. ``line``: several candidates; the one most used next to the cities of T's neighbouring
   stops by the national trains of the group that start or end there (mapped by name), or,
   failing those, by the network's modelled services of the group (the line T runs on; where
   a line has several stations in C, the one next to the neighbouring city counts).
5. ``estimate``: failing both, the station bearing C's bare name (the city's own station),
   else the candidate where the most national trains of the group start or end (ties: station
   id). Estimates are marked ``estimate:`` in the trip and trip-stop rows.

A stop with no candidate is not a network stop (left out of the trip).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from commute.io import timetable as tt
from commute.io.railwayvis import HSR_CLASSES, RvTrip

NATIONAL = "rail/timetable_china_2021-01_railwayvis.json"
BG = "rail/timetable_beijing_guangzhou_hsr_2021-01-20.csv"
BG_LINE = "jingguang_hsr"


def group(train_class: str) -> str:
    """``hsr`` for G, D and C trains, ``conv`` for the others."""
    return "hsr" if train_class in HSR_CLASSES else "conv"


@dataclass
class MappedStop:
    station: str
    arr: float
    dep: float
    rule: str  # terminus, city, line, estimate, bg
    city: str = ""


@dataclass
class RealTrip:
    train_no: str
    train_class: str
    stops: list[MappedStop]
    sources: list[str] = field(default_factory=list)

    @property
    def pattern(self) -> tuple[str, ...]:
        return tuple(s.station for s in self.stops)

    def source(self) -> str:
        rules = Counter(s.rule for s in self.stops)
        text = "; ".join(self.sources) + " (stations: " + ", ".join(f"{n} by {r}" for r, n in sorted(rules.items()))
        text += ")"
        if rules.get("estimate"):
            return f"estimate: {rules['estimate']} station(s) of a several-station city by rule 5; " + text
        return text


class StationMapper:
    """Map the national file's city stops to network stations (the rule in the module docstring)."""

    def __init__(
        self,
        stations: pd.DataFrame,
        places: pd.DataFrame,
        cities: pd.DataFrame,
        services: list[tuple[str, list[str]]],
        national: list[RvTrip],
    ) -> None:
        rail = stations[(stations["mode"] == "rail") & (stations["project"] == "") & (stations["opened"] <= 2020)]
        city_name = {r.city_id: r.name_zh.removesuffix("市") for r in cities.itertuples()}
        kind = dict(zip(places["place_id"], places["kind"], strict=True))
        self.name_to_id = {r.name_zh: r.station_id for r in rail.itertuples()}
        self.city_of: dict[str, str] = {}
        self.candidates: dict[str, list[str]] = defaultdict(list)
        rv_cities = {s.city for t in national for s in t.stops}
        for r in rail.sort_values("station_id").itertuples():
            if r.city_id:
                c = city_name[r.city_id]
                if kind.get(r.place_id, "district") in ("county", "city") and r.name_zh != c:
                    continue  # recorded under its county or county-level city, which the file lacks
            else:
                hits = [c for c in rv_cities if r.name_zh.startswith(c)]
                if not hits:
                    continue
                c = max(hits, key=len)
            self.city_of[r.station_id] = c
            self.candidates[c].append(r.station_id)
        # which class groups a station serves, and how many trains start or end there
        self.serves: dict[str, set[str]] = defaultdict(set)
        self.termini: Counter[tuple[str, str]] = Counter()
        for t in national:
            for name in (t.start, t.end):
                if name in self.name_to_id:
                    self.serves[self.name_to_id[name]].add(group(t.train_class))
                    self.termini[(self.name_to_id[name], group(t.train_class))] += 1
        for cls, stops in services:
            for s in stops:
                self.serves[s].add(group(cls))
        # (city, neighbour city, group, station): from terminus-mapped national trains, then services
        self.evidence: Counter[tuple[str, str, str, str]] = Counter()
        self.svc_evidence: Counter[tuple[str, str, str, str]] = Counter()
        for cls, stops in services:
            self._add_evidence(group(cls), [(s, self.city_of.get(s, "")) for s in stops])
        for t in national:
            g = group(t.train_class)
            ends = [(0, t.start), (len(t.stops) - 1, t.end)]
            for i, name in ends:
                sid = self.name_to_id.get(name)
                if sid and self.city_of.get(sid) == t.stops[i].city:
                    j = 1 if i == 0 else i - 1
                    self.evidence[(t.stops[i].city, t.stops[j].city, g, sid)] += 1
        self.rule_counts: Counter[str] = Counter()

    def _add_evidence(self, g: str, seq: list[tuple[str, str]]) -> None:
        for i, (sid, c) in enumerate(seq):
            if not c:
                continue
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(seq) and seq[j][1] == c:
                    j += step
                if 0 <= j < len(seq) and seq[j][1]:
                    self.svc_evidence[(c, seq[j][1], g, sid)] += 1

    def map_stop(self, t: RvTrip, i: int) -> tuple[str, str] | None:
        """(station id, rule) of stop ``i`` of ``t``, or None if it is not a network stop."""
        c = t.stops[i].city
        g = group(t.train_class)
        for end_i, name in ((0, t.start), (len(t.stops) - 1, t.end)):
            sid = self.name_to_id.get(name)
            if i == end_i and sid and self.city_of.get(sid) == c:
                return sid, "terminus"
        cands = [
            s
            for s in self.candidates.get(c, [])
            if g in self.serves[s] or (g == "conv" and self.city_of.get(s) == c and self._bare(s, c))
        ]
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0], "city"
        neighbours = {t.stops[j].city for j in (i - 1, i + 1) if 0 <= j < len(t.stops)} - {c}
        for ev in (self.evidence, self.svc_evidence):
            score = {s: sum(ev[(c, n, g, s)] for n in neighbours) for s in cands}
            ranked = sorted(cands, key=lambda s: (-score[s], s))
            if score[ranked[0]] > score[ranked[1]]:
                return ranked[0], "line"
        if any(self._bare(s, c) for s in cands):
            return next(s for s in cands if self._bare(s, c)), "estimate"
        best = sorted(cands, key=lambda s: (-self.termini[(s, g)], s))[0]
        return best, "estimate"

    def _bare(self, sid: str, c: str) -> bool:
        names = {v: k for k, v in self.name_to_id.items()}
        return names[sid] == c

    def map_trip(self, t: RvTrip) -> RealTrip:
        stops = []
        for i, s in enumerate(t.stops):
            m = self.map_stop(t, i)
            if m is not None:
                stops.append(MappedStop(m[0], s.arrival_min, s.departure_min, m[1], s.city))
        return RealTrip(t.train_no, t.train_class, stops, [f"{NATIONAL} train {t.train_no}"])


def merge_bg(trip: RealTrip | None, bg: tt.Trip, name_to_id: dict[str, str], city_of_id: dict[str, str]) -> RealTrip:
    """The trip with the Beijing-Guangzhou timetable's stations and times for the cities it covers."""
    bg_stops = [
        MappedStop(name_to_id[s.station], s.arr, s.dep, "bg", city_of_id.get(name_to_id[s.station], ""))
        for s in bg.stops
        if s.station in name_to_id
    ]
    src = f"{BG} train {bg.trip_id} (run-day flag: runs on 2021-01-20)"
    if trip is None:
        return RealTrip(bg.trip_id, bg.train_class, bg_stops, [src])
    covered = {city_of_id.get(s.station, "") for s in bg_stops} - {""}
    common = {s.station: s.dep for s in trip.stops if s.station in {b.station for b in bg_stops}}
    offset = 0.0
    if common:
        diffs = [common[b.station] - b.dep for b in bg_stops if b.station in common]
        offset = 1440.0 * round(float(np.median(diffs)) / 1440.0)
    rest = [s for s in trip.stops if city_of_id.get(s.station, "") not in covered]
    moved = [MappedStop(b.station, b.arr + offset, b.dep + offset, "bg", b.city) for b in bg_stops]
    merged = sorted(rest + moved, key=lambda s: (s.arr, s.dep))
    return RealTrip(trip.train_no, trip.train_class, merged, [*trip.sources, src])


def clean(trip: RealTrip) -> RealTrip | None:
    """Cut at a repeated station, keep monotone stops, set end times, shift the first departure into day 0."""
    stops: list[MappedStop] = []
    seen: set[str] = set()
    last = -np.inf
    for s in trip.stops:
        if s.station in seen:
            break  # a train reversing through a city: keep the first run
        if s.arr < last:
            continue
        seen.add(s.station)
        stops.append(MappedStop(s.station, s.arr, s.dep, s.rule, s.city))
        last = s.dep
    if len(stops) < 2:
        return None
    stops[0].arr = stops[0].dep
    stops[-1].dep = stops[-1].arr
    shift = 1440.0 * np.floor(stops[0].dep / 1440.0)
    for s in stops:
        s.arr -= shift
        s.dep -= shift
    return RealTrip(trip.train_no, trip.train_class, stops, trip.sources)


def build_real_trips(
    national: list[RvTrip],
    bg_day: list[tt.Trip],
    bg_all: list[tt.Trip],
    mapper: StationMapper,
    city_of_id: dict[str, str],
) -> tuple[list[RealTrip], dict[str, int]]:
    """All real trips of the network, sorted by train number, and counts for the README."""
    bg_by_no = {t.trip_id: t for t in bg_day}
    not_running = {t.trip_id for t in bg_all} - set(bg_by_no)
    out: list[RealTrip] = []
    counts: Counter[str] = Counter()
    counts["national_read"] = len(national)
    seen: set[str] = set()
    for t in national:
        if t.train_no in not_running:
            counts["national_not_running_bg"] += 1
            continue
        rt = mapper.map_trip(t)
        if t.train_no in bg_by_no:
            rt = merge_bg(rt, bg_by_no[t.train_no], mapper.name_to_id, city_of_id)
            seen.add(t.train_no)
        c = clean(rt)
        if c is not None:
            out.append(c)
            counts["national_kept"] += 1
    for no, b in sorted(bg_by_no.items()):
        if no not in seen:
            c = clean(merge_bg(None, b, mapper.name_to_id, city_of_id))
            if c is not None:
                out.append(c)
                counts["bg_only_kept"] += 1
    for t in out:
        for s in t.stops:
            counts[f"rule_{s.rule}"] += 1
    out.sort(key=lambda t: t.train_no)
    return out, dict(counts)


def pattern_tables(
    trips: Iterable[RealTrip],
    stations: pd.DataFrame,
    bg_km: dict[str, float],
    circuity: float,
    service_day_min: float,
    haversine,
) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """services, service_stops, trips and trip_stops rows: one service per stopping pattern."""
    st = stations.set_index("station_id")
    by_pattern: dict[tuple[str, ...], list[RealTrip]] = defaultdict(list)
    for t in trips:
        by_pattern[t.pattern].append(t)
    numbering: Counter[tuple[str, str]] = Counter()
    svc, stops, trip_rows, trip_stop_rows = [], [], [], []
    order = ["G", "D", "C", "K", "Z", "T", "other"]
    for pat in sorted(by_pattern, key=lambda p: (p[0], p[-1], len(p), p)):
        ts = sorted(by_pattern[pat], key=lambda t: (t.stops[0].dep, t.train_no))
        numbering[(pat[0], pat[-1])] += 1
        sid = f"tt:{pat[0][3:]}:{pat[-1][3:]}:{numbering[(pat[0], pat[-1])]}"
        classes = Counter(t.train_class for t in ts)
        cls = sorted(classes, key=lambda c: (-classes[c], order.index(c)))[0]
        hsr_line = cls in ("G", "D")
        n = len(ts)
        svc.append(
            {
                "service_id": sid,
                "name_zh": f"{st.loc[pat[0], 'name_zh']}→{st.loc[pat[-1], 'name_zh']} ({len(pat)} 站, {n} 列)",
                "mode": "rail",
                "train_class": cls,
                "speed_kmh": "",
                "trains_per_day": n,
                "headway_min": round(service_day_min / n, 3),
                "bidirectional": False,
                "status": "open",
                "opened": 2020,
                "project": "",
                "first_dep_min": "",
                "last_dep_min": "",
                "timetable": True,
                "source": f"{NATIONAL} and {BG}: {n} real trip(s) (trips.csv); run and dwell = medians of the trips",
            }
        )
        for k, s in enumerate(pat):
            on_line = hsr_line and s in bg_km
            if k == 0:
                km: object = ""
            elif on_line and pat[k - 1] in bg_km:
                km = round(abs(bg_km[s] - bg_km[pat[k - 1]]), 3)
            else:
                a, b = st.loc[pat[k - 1]], st.loc[s]
                km = round(float(haversine(a["lon"], a["lat"], b["lon"], b["lat"])) * circuity, 3)
            run = "" if k == 0 else float(np.median([t.stops[k].arr - t.stops[k - 1].dep for t in ts]))
            dwell = 0.0 if k in (0, len(pat) - 1) else float(np.median([t.stops[k].dep - t.stops[k].arr for t in ts]))
            stops.append(
                {
                    "service_id": sid,
                    "seq": k + 1,
                    "station_id": s,
                    "km": km,
                    "speed_kmh": "",
                    "run_min": run,
                    "dwell_min": dwell,
                    "line": BG_LINE if on_line else "",
                    "line_km": bg_km[s] if on_line else "",
                }
            )
        for t in ts:
            tid = f"{t.train_no}"
            trip_rows.append(
                {
                    "trip_id": tid,
                    "service_id": sid,
                    "train_no": t.train_no,
                    "train_class": t.train_class,
                    "mode": "rail",
                    "source": t.source(),
                }
            )
            for k, s in enumerate(t.stops):
                trip_stop_rows.append(
                    {
                        "trip_id": tid,
                        "seq": k + 1,
                        "station_id": s.station,
                        "arrival_min": s.arr,
                        "departure_min": s.dep,
                        "pickup": 1,
                        "dropoff": 1,
                        "source": (
                            f"estimate: station of {s.city} (several stations; rule 5)"
                            if s.rule == "estimate"
                            else ("bg" if s.rule == "bg" else f"railwayvis: {s.rule}")
                        ),
                    }
                )
    return svc, stops, trip_rows, trip_stop_rows


def uncovered_stations(services: Iterable[tuple[str, list[str]]], trips: Iterable[RealTrip]) -> dict[str, list[str]]:
    """Per modelled service, its stations that no real trip stops at."""
    served = {s.station for t in trips for s in t.stops}
    return {sid: [s for s in stops if s not in served] for sid, stops in services}


def unseen_span(stops: list[str], unseen: set[str]) -> tuple[int, int]:
    """Indices of the stretch of a line from the stop before its first unseen station to the one after its last."""
    idx = [i for i, s in enumerate(stops) if s in unseen]
    return max(0, idx[0] - 1), min(len(stops) - 1, idx[-1] + 1)


def departures_by_station(trips: Iterable[RealTrip]) -> dict[tuple[str, str], list[float]]:
    """Departure minutes (within the day) of the real trips at each station, by class group."""
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for t in trips:
        for s in t.stops[:-1]:
            out[(s.station, group(t.train_class))].append(s.dep % 1440.0)
    return out


def comparable_hours(
    dep_at: dict[tuple[str, str], list[float]], station: str, train_class: str, default: tuple[float, float]
) -> tuple[float, float, str]:
    """First and last departure of a modelled service: those of the real 2021 trains of its group there."""
    deps = dep_at.get((station, group(train_class)), [])
    if len(deps) >= 2:
        return (
            min(deps),
            max(deps),
            f"estimate: the first and last of the {len(deps)} real 2021 {group(train_class)} departures at "
            f"{station} ({NATIONAL})",
        )
    return default[0], default[1], "estimate: the network's service hours (no real 2021 departures there)"


FLIGHT_RULE = (
    "route j of m from an airport (by destination id), flight k of n a day leaves at "
    "06:00 + 18 h x (k + (j + 0.5) / m) / n (one a day: first = last)"
)


def flight_hours(j: int, m: int, n: int, hours: tuple[float, float]) -> tuple[float, float]:
    """First and last departure of flight route ``j`` of ``m`` from an airport with ``n`` flights a day."""
    span = hours[1] - hours[0]
    first = hours[0] + span * ((j + 0.5) / m) / n
    last = hours[0] + span * ((n - 1) + (j + 0.5) / m) / n
    return round(first, 1), round(last, 1)


def fastest_real(trips: Iterable[RealTrip]) -> dict[tuple[str, str], tuple[float, str]]:
    """For every ordered station pair some real trip serves, the fastest trip's minutes and train."""
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for t in trips:
        for i, a in enumerate(t.stops):
            for b in t.stops[i + 1 :]:
                m = b.arr - a.dep
                k = (a.station, b.station)
                if k not in best or (m, t.train_no) < best[k]:
                    best[k] = (m, t.train_no)
    return best


def line_comparison(
    lines: list[tuple[str, str, list[str], list[float], float]],
    best: dict[tuple[str, str], tuple[float, str]],
) -> pd.DataFrame:
    """Model minus fastest real train, per line, over every station pair both serve (both directions).

    ``lines``: ``(line id, class, stations, modelled hop minutes, modelled dwell at a stop)``.
    """
    rows = []
    for lid, cls, stations, hops, dwell in lines:
        diffs, worst = [], ("", 0.0)
        for i in range(len(stations)):
            for j in range(i + 1, len(stations)):
                model = sum(hops[i:j]) + dwell * (j - i - 1)
                for a, b in ((stations[i], stations[j]), (stations[j], stations[i])):
                    if (a, b) in best:
                        d = model - best[(a, b)][0]
                        diffs.append((d, d / best[(a, b)][0]))
                        if abs(d) > abs(worst[1]):
                            worst = (f"{a[3:]}→{b[3:]} {model:.0f} vs {best[(a, b)][0]:.0f} ({best[(a, b)][1]})", d)
        if not diffs:
            continue
        d = np.array([x[0] for x in diffs])
        pct = np.array([x[1] for x in diffs]) * 100.0
        rows.append(
            {
                "line": lid,
                "class": cls,
                "pairs": len(diffs),
                "median_min": float(np.median(d)),
                "mae_min": float(np.mean(np.abs(d))),
                "median_pct": float(np.median(pct)),
                "worst": worst[0],
            }
        )
    return pd.DataFrame(rows)


def city_pair_trains(trips: Iterable[RealTrip], city_of: dict[str, str]) -> Counter[tuple[str, str, str]]:
    """Real trains a day from city A to city B (stopping at both, in order), by class group."""
    out: Counter[tuple[str, str, str]] = Counter()
    for t in trips:
        seen = set()
        cities = [city_of.get(s.station, "") for s in t.stops]
        for i, a in enumerate(cities):
            for b in cities[i + 1 :]:
                if a and b and a != b and (a, b) not in seen:
                    seen.add((a, b))
                    out[(a, b, group(t.train_class))] += 1
    return out
