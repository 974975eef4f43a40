"""Cost data of a network: fares, tolls, running costs and the value of time, read and validated.

A network folder may hold ``costs.yaml`` (currency, value of time, car running cost, access
fare, trips per month, monthly incomes), ``fares.csv`` (distance bands per mode, service class
and seat class), ``tolls.csv`` (per-km and flat tolls by road class and road name) and, for an
imported GTFS feed, ``fares_gtfs.csv`` and ``fares_gtfs_zones.csv`` (see
:mod:`commute.io.gtfs_fares`). Every file is optional; a network without them has no fares
(journeys cost NaN). Every problem of every file is reported at once, with file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from commute.errors import Problems
from commute.io.yamlio import LDict, read_yaml

FARE_COLUMNS = ("mode", "service_class", "seat_class", "from_km", "to_km", "base_cny", "per_km_cny", "min_cny")
TOLL_COLUMNS = ("road_class", "road_name", "vehicle_class", "per_km_cny", "flat_cny")
#: The seat class a journey is priced at unless said otherwise.
DEFAULT_SEAT = {"rail": "second", "air": "economy"}


@dataclass(frozen=True)
class FareBand:
    """``base + per_km * km`` (at least ``min_cny``) for ``from_km <= km < to_km``."""

    from_km: float
    to_km: float
    base: float
    per_km: float
    minimum: float = 0.0

    def price(self, km: float) -> float:
        """The fare for ``km`` in this band."""
        return max(self.base + self.per_km * km, self.minimum)


@dataclass(frozen=True)
class FareTable:
    """Bands covering ``[0, inf)`` without gap or overlap (checked when read)."""

    bands: tuple[FareBand, ...]

    def price(self, km: float) -> float:
        """The fare for ``km`` (the band it falls in), rounded to 0.5 as Chinese tickets are."""
        for b in self.bands:
            if b.from_km <= km < b.to_km:
                return round(b.price(km) * 2) / 2
        return math.nan

    @classmethod
    def flat(cls, cny: float) -> FareTable:
        """One price at every distance."""
        return cls((FareBand(0.0, math.inf, float(cny), 0.0),))

    @classmethod
    def per_km(cls, cny_per_km: float, base: float = 0.0) -> FareTable:
        """``base + cny_per_km * km`` at every distance."""
        return cls((FareBand(0.0, math.inf, float(base), float(cny_per_km)),))


@dataclass(frozen=True)
class Toll:
    """The toll of a road class, or of the roads whose name starts with ``road_name``."""

    road_class: str
    road_name: str
    per_km: float
    flat: float


@dataclass(frozen=True)
class Costs:
    """Everything a network says about money (read-only; scenario verbs return new copies)."""

    currency: str = "CNY"
    value_of_time: float = 30.0
    car_per_km: float = 0.0
    car_occupancy: float = 1.0
    access_fare: float = 0.0
    trips_per_month: float = 44.0
    fares: dict[tuple[str, str, str], FareTable] = field(default_factory=dict)
    tolls: tuple[Toll, ...] = ()
    income: dict[str, float] = field(default_factory=dict)
    gtfs: Any = None  # commute.io.gtfs_fares.GtfsFares or None
    sources: dict[str, str] = field(default_factory=dict)
    # set by scenario verbs (commute.model.cost_rules)
    overrides: tuple[Any, ...] = ()
    toll_overrides: tuple[Any, ...] = ()
    discounts: tuple[Any, ...] = ()
    passes: tuple[Any, ...] = ()

    def has_fares(self) -> bool:
        """Whether any fare or toll data is known."""
        return bool(self.fares or self.tolls or self.gtfs is not None or self.car_per_km)


def load_costs(folder: str | Path) -> Costs:
    """Read and validate the cost files of a network folder (cached by folder and file times).

    Raises
    ------
    ValidationError
        Every problem of every cost file, each with file and line.
    """
    f = Path(folder)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(f.glob("*")) if _is_cost_file(p.name))
    return _load(str(f.resolve()), stamp)


def _is_cost_file(name: str) -> bool:
    return name == "costs.yaml" or (name.startswith(("fares", "tolls")) and name.endswith(".csv"))


@lru_cache(maxsize=16)
def _load(folder: str, stamp: tuple[tuple[str, int], ...]) -> Costs:
    f = Path(folder)
    probs = Problems(f"cost data of {f.name}")
    scalars: dict[str, Any] = {}
    income: dict[str, float] = {}
    sources: dict[str, str] = {}
    if (f / "costs.yaml").exists():
        scalars, income, sources = _read_yaml(f / "costs.yaml", probs)
    fares = _read_fares(f / "fares.csv", probs) if (f / "fares.csv").exists() else {}
    tolls = _read_tolls(f / "tolls.csv", probs) if (f / "tolls.csv").exists() else ()
    gtfs = None
    if (f / "fares_gtfs.csv").exists():
        from commute.io.gtfs_fares import read_network_fares

        gtfs = read_network_fares(f, probs)
        scalars.setdefault("currency", gtfs.currency)
    probs.raise_if_any()
    return Costs(fares=fares, tolls=tolls, income=income, gtfs=gtfs, sources=sources, **scalars)


_SCALARS = {
    "value_of_time_cny_per_h": ("value_of_time", 0.01, math.inf),
    "car_running_cny_per_km": ("car_per_km", 0.0, 100.0),
    "car_occupancy": ("car_occupancy", 1.0, 9.0),
    "access_fare_cny": ("access_fare", 0.0, 1000.0),
    "trips_per_month": ("trips_per_month", 1.0, 200.0),
}


def _read_yaml(path: Path, probs: Problems) -> tuple[dict[str, Any], dict[str, float], dict[str, str]]:
    doc = read_yaml(path, probs, what="costs")
    out: dict[str, Any] = {}
    income: dict[str, float] = {}
    sources: dict[str, str] = {}
    if doc is None:
        return out, income, sources
    if not isinstance(doc, dict):
        probs.add(str(path), 1, "costs.yaml must be a mapping of named values", "see README 'Cost model'")
        return out, income, sources
    lines = doc.lines if isinstance(doc, LDict) else {}
    for key, val in doc.items():
        line = lines.get(str(key), 0)
        if key == "currency":
            out["currency"] = str(val)
        elif key == "income_cny_per_month":
            income = _read_income(path, val, line, probs)
            sources[key] = str(val.get("source", "")) if isinstance(val, dict) else ""
        elif key in _SCALARS:
            name, lo, hi = _SCALARS[key]
            if not isinstance(val, dict) or "value" not in val or not str(val.get("source", "")).strip():
                probs.add(str(path), line, f"{key} needs a value and a source", "write {value: N, source: '...'}")
                continue
            v = val["value"]
            if not isinstance(v, int | float) or isinstance(v, bool) or not lo <= v <= hi:
                probs.add(str(path), line, f"{key} {v!r} is outside {lo}-{hi}", "check the units")
                continue
            out[name] = float(v)
            sources[key] = str(val["source"])
        else:
            probs.add(str(path), line, f"costs.yaml has no field {key!r}", f"use currency, {', '.join(_SCALARS)}")
    return out, income, sources


def _read_income(path: Path, val: Any, line: int, probs: Problems) -> dict[str, float]:
    cities = val.get("cities") if isinstance(val, dict) else None
    if not isinstance(cities, dict) or not str(val.get("source", "")).strip():
        probs.add(str(path), line, "income_cny_per_month needs cities and a source", "write {source: ..., cities: {}}")
        return {}
    out = {}
    for city, v in cities.items():
        if not isinstance(v, int | float) or v <= 0:
            probs.add(str(path), line, f"income of {city} {v!r} is not a positive number", "give CNY per month")
        else:
            out[str(city)] = float(v)
    return out


def _number(path: Path, line: int, col: str, text: str, probs: Problems, *, blank: float | None = None) -> float:
    if text == "" and blank is not None:
        return blank
    try:
        v = float(text)
    except ValueError:
        probs.add(str(path), line, f"{col} {text!r} is not a number", f"give {col} as a number")
        return math.nan
    if not math.isfinite(v) or v < 0:
        probs.add(str(path), line, f"{col} {text} is negative or not finite", "give zero or a positive number")
        return math.nan
    return v


def _table(path: Path, cols: tuple[str, ...], probs: Problems) -> pd.DataFrame | None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in (*cols, "source") if c not in df.columns]
    if missing:
        probs.add(
            str(path), 1, f"{path.name} lacks column(s) {', '.join(missing)}", f"the header is {','.join(cols)},source"
        )
        return None
    return df


def _read_fares(path: Path, probs: Problems) -> dict[tuple[str, str, str], FareTable]:
    df = _table(path, FARE_COLUMNS, probs)
    if df is None:
        return {}
    groups: dict[tuple[str, str, str], list[tuple[int, FareBand]]] = {}
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        if not str(r["source"]).strip():
            probs.add(str(path), line, "fare row has no source", "name a source or write 'estimate: how'")
        nums = [
            _number(path, line, c, r[c], probs, blank=math.inf if c == "to_km" else (0.0 if c == "min_cny" else None))
            for c in ("from_km", "to_km", "base_cny", "per_km_cny", "min_cny")
        ]
        if any(math.isnan(x) for x in nums):
            continue
        band = FareBand(*nums)
        if band.to_km <= band.from_km:
            probs.add(str(path), line, f"fare band {band.from_km}-{band.to_km} km is empty", "make to_km > from_km")
            continue
        groups.setdefault((r["mode"], r["service_class"], r["seat_class"]), []).append((line, band))
    return {key: t for key, rows in groups.items() if (t := _check_bands(path, key, rows, probs)) is not None}


def _check_bands(
    path: Path, key: tuple[str, str, str], rows: list[tuple[int, FareBand]], probs: Problems
) -> FareTable | None:
    """Bands of one fare must start at 0 km, follow each other without gap or overlap, and end open."""
    rows = sorted(rows, key=lambda x: x[1].from_km)
    ok = True
    name = "/".join(key)
    if rows[0][1].from_km != 0:
        probs.add(str(path), rows[0][0], f"fare {name} starts at {rows[0][1].from_km} km, not 0", "add a band from 0")
        ok = False
    for (_, a), (line, b) in zip(rows, rows[1:], strict=False):
        if b.from_km != a.to_km:
            what = "a gap" if b.from_km > a.to_km else "an overlap"
            probs.add(
                str(path), line, f"fare {name} has {what} between {a.to_km} and {b.from_km} km",
                "make each band's from_km the previous band's to_km",
            )  # fmt: skip
            ok = False
    if math.isfinite(rows[-1][1].to_km):
        probs.add(
            str(path), rows[-1][0], f"fare {name} ends at {rows[-1][1].to_km} km", "leave the last band's to_km empty"
        )
        ok = False
    return FareTable(tuple(b for _, b in rows)) if ok else None


def _read_tolls(path: Path, probs: Problems) -> tuple[Toll, ...]:
    df = _table(path, TOLL_COLUMNS, probs)
    if df is None:
        return ()
    out = []
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2
        if not str(r["source"]).strip():
            probs.add(str(path), line, "toll row has no source", "name a source or write 'estimate: how'")
        if r["vehicle_class"] != "car":
            continue  # only passenger cars are routed
        per_km = _number(path, line, "per_km_cny", r["per_km_cny"], probs)
        flat = _number(path, line, "flat_cny", r["flat_cny"], probs, blank=0.0)
        if not (math.isnan(per_km) or math.isnan(flat)):
            out.append(Toll(r["road_class"], r["road_name"], per_km, flat))
    return tuple(out)
