"""GTFS fares v1 (``fare_attributes.txt``, ``fare_rules.txt``, the stops' ``zone_id``).

A ride from stop A to stop B on route R costs the cheapest fare whose rules match: a rule
matches when each of its ``route_id``, ``origin_id`` (A's zone) and ``destination_id`` (B's
zone) is empty or equal (``contains_id`` rules are matched against the two end zones only, a
documented simplification). A fare without any rule applies to every ride. On import the
fares are written into the network folder as ``fares_gtfs.csv`` and ``fares_gtfs_zones.csv``,
which :mod:`commute.io.fares` reads back.

Example
-------
>>> f = GtfsFares("USD", {"s1": "1", "s2": "2"}, (("F1", 3.75, "", "1", "1", ""), ("F2", 5.75, "", "1", "2", "")))
>>> f.price("R", "s1", "s2")
5.75
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from commute.errors import Problems

if TYPE_CHECKING:
    from commute.io.gtfs import Feed

Rule = tuple[str, float, str, str, str, str]  # fare_id, price, route_id, origin, destination, contains


@dataclass(frozen=True)
class GtfsFares:
    """The fares of one feed: its currency, each stop's zone and the rules (one per fare_rules row)."""

    currency: str
    zones: dict[str, str]
    rules: tuple[Rule, ...]

    def price(self, route: str, a: str, b: str) -> float:
        """The cheapest fare of a ride on ``route`` from stop ``a`` to stop ``b`` (NaN if none matches)."""
        za, zb = self.zones.get(a, ""), self.zones.get(b, "")
        best = math.inf
        for _fid, price, r, o, d, c in self.rules:
            if (r in ("", route)) and (o in ("", za)) and (d in ("", zb)) and (c in ("", za, zb)):
                best = min(best, price)
        return best if math.isfinite(best) else math.nan


def read_feed_fares(feed: Feed, probs: Problems | None = None) -> GtfsFares | None:
    """The fares of a feed, or None if it has no ``fare_attributes.txt``.

    Raises
    ------
    ValidationError
        A negative or missing price, an unknown currency, a rule naming an unknown fare.
    """
    own = probs is None
    probs = probs or Problems(f"GTFS fares of {feed.path}")
    attrs = feed.table("fare_attributes")
    if attrs.empty:
        return None
    fname = feed.file("fare_attributes")
    price: dict[str, float] = {}
    currencies = set()
    for i, r in enumerate(attrs.to_dict("records")):
        try:
            p = float(r.get("price", ""))
        except ValueError:
            p = math.nan
        if not p >= 0:
            probs.add(fname, i + 2, f"fare {r.get('fare_id')!r} has price {r.get('price')!r}", "give zero or more")
            continue
        price[r["fare_id"]] = p
        currencies.add(r.get("currency_type", ""))
    if len(currencies) > 1:
        probs.add(fname, 0, f"fares use several currencies ({', '.join(sorted(currencies))})", "use one currency")
    rules: list[Rule] = []
    rtab = feed.table("fare_rules")
    ruled = set()
    for i, r in enumerate(rtab.to_dict("records")):
        fid = r.get("fare_id", "")
        if fid not in price:
            probs.add(feed.file("fare_rules"), i + 2, f"rule names unknown fare {fid!r}", "add it to fare_attributes")
            continue
        ruled.add(fid)
        rules.append((fid, price[fid], r.get("route_id", ""), r.get("origin_id", ""),
                      r.get("destination_id", ""), r.get("contains_id", "")))  # fmt: skip
    rules += [(fid, p, "", "", "", "") for fid, p in price.items() if fid not in ruled]
    stops = feed.table("stops")
    zones = dict(zip(stops["stop_id"], stops["zone_id"], strict=True)) if "zone_id" in stops else {}
    if own:
        probs.raise_if_any()
    return GtfsFares(next(iter(currencies), "") or "", {k: v for k, v in zones.items() if v}, tuple(rules))


def fare_tables(feed: Feed, stations: set[str]) -> dict[str, pd.DataFrame]:
    """The ``fares_gtfs`` and ``fares_gtfs_zones`` tables of a network imported from ``feed`` (none without fares)."""
    f = read_feed_fares(feed)
    if f is None:
        return {}
    src = f"GTFS {feed.path.name} fare_attributes.txt, fare_rules.txt"
    rules = pd.DataFrame(
        [(*r[:2], f.currency, *r[2:], src) for r in f.rules],
        columns=["fare_id", "price", "currency", "route_id", "origin_id", "destination_id", "contains_id", "source"],
    )
    zones = pd.DataFrame(sorted((s, z) for s, z in f.zones.items() if s in stations), columns=["station_id", "zone_id"])
    return {"fares_gtfs": rules, "fares_gtfs_zones": zones}


def read_network_fares(folder: Path, probs: Problems) -> GtfsFares:
    """Read the GTFS fare tables written into a network folder by :func:`fare_tables`."""
    path = folder / "fares_gtfs.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    rules: list[Rule] = []
    for i, r in enumerate(df.to_dict("records")):
        try:
            p = float(r["price"])
        except (KeyError, ValueError):
            p = math.nan
        if not p >= 0:
            probs.add(str(path), i + 2, f"GTFS fare {r.get('fare_id')!r} has price {r.get('price')!r}", "give >= 0")
            continue
        rules.append((r["fare_id"], p, r["route_id"], r["origin_id"], r["destination_id"], r["contains_id"]))
    zpath = folder / "fares_gtfs_zones.csv"
    zones = {}
    if zpath.exists():
        z = pd.read_csv(zpath, dtype=str, keep_default_na=False)
        zones = dict(zip(z["station_id"], z["zone_id"], strict=True))
    cur = sorted(set(df["currency"])) if "currency" in df else []
    return GtfsFares(cur[0] if cur else "", zones, tuple(rules))
