"""Find places and cities by Chinese name, ASCII id or administrative code.

An *endpoint* is what a trip starts or ends at: a county-level place, or a prefecture city
(which stands for its centre place for door-to-door trips and for all of its stations for
station-to-station trips). ``武汉``, ``武汉市``, ``wuhan`` and ``420100`` are the city;
``江夏区``, ``江夏`` and ``jiangxia`` are the district.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from commute.errors import UnknownPlaceError
from commute.io.network import Network

_SUFFIXES = ("市", "区", "县", "自治县", "林区")


@dataclass(frozen=True)
class Endpoint:
    """A resolved trip end.

    Attributes
    ----------
    key
        Stable ASCII id (the place or city id).
    name
        Chinese name for output.
    kind
        ``"city"``, ``"place"`` or ``"stop"`` (a station or GTFS stop, ``stop:ID``; door to door starts and ends at it).
    place
        The place id used for door-to-door trips (a city's centre).
    city
        The city id the endpoint belongs to.
    stations
        Station ids used for station-to-station trips.
    pop
        2020 census population of the endpoint (the whole city for a city).
    """

    key: str
    name: str
    kind: str
    place: str
    city: str
    stations: tuple[str, ...]
    pop: int


def _short(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


class PlaceIndex:
    """Look-up of endpoints in one network (build once, query many times)."""

    def __init__(self, net: Network) -> None:
        self.net = net
        places = net.tables["places"]
        cities = net.tables["cities"]
        stations = net.tables["stations"]
        self._by_token: dict[str, list[tuple[str, str]]] = {}
        self._groups: dict[str, list[str]] | None = None
        st_by_place: dict[str, list[str]] = {}
        st_by_city: dict[str, list[str]] = {}
        for r in stations.itertuples(index=False):
            if r.place_id:
                st_by_place.setdefault(r.place_id, []).append(r.station_id)
            if r.city_id:
                st_by_city.setdefault(r.city_id, []).append(r.station_id)
        self.endpoints: dict[tuple[str, str], Endpoint] = {}
        for c in cities.itertuples(index=False):
            ep = Endpoint(
                c.city_id,
                c.name_zh,
                "city",
                c.centre_place,
                c.city_id,
                tuple(sorted(st_by_city.get(c.city_id, []))),
                int(c.pop_2020),
            )
            self.endpoints[("city", c.city_id)] = ep
            for tok in {c.city_id, c.name_zh, _short(c.name_zh), str(c.code)}:
                self._add(tok, ("city", c.city_id))
        for p in places.itertuples(index=False):
            if ("city", p.place_id) in self.endpoints:
                continue  # a whole-city place: the city endpoint already stands for it
            own = st_by_place.get(p.place_id, [])
            ep = Endpoint(
                p.place_id,
                p.name_zh,
                "place",
                p.place_id,
                p.city_id,
                tuple(sorted(own or st_by_city.get(p.city_id, []))),
                int(p.pop_2020),
            )
            self.endpoints[("place", p.place_id)] = ep
            for tok in {p.place_id, p.name_zh, _short(p.name_zh), str(p.code)}:
                self._add(tok, ("place", p.place_id))

        # stops: `stop:ID` always, the stop's name where no place or other stop has it
        by_name: dict[str, list[str]] = {}
        for r in stations.itertuples(index=False):
            ep = Endpoint(f"stop:{r.station_id}", r.name_zh, "stop", "", r.city_id or "", (r.station_id,), 0)
            self.endpoints[("stop", r.station_id)] = ep
            self._add(f"stop:{r.station_id}", ("stop", r.station_id))
            by_name.setdefault(str(r.name_zh).strip().lower(), []).append(r.station_id)
        for name, ids in by_name.items():
            if name not in self._by_token:
                for sid in ids:
                    self._add(name, ("stop", sid))

    def _add(self, token: str, key: tuple[str, str]) -> None:
        lst = self._by_token.setdefault(token.strip().lower(), [])
        if key not in lst:
            lst.append(key)

    def resolve(self, text: str) -> Endpoint:
        """One endpoint for a name, id or code.

        Raises
        ------
        UnknownPlaceError
            If nothing matches (with close candidates) or several places match (listing them).

        Examples
        --------
        >>> from commute.io.network import load_network
        >>> idx = PlaceIndex(load_network())
        >>> idx.resolve("武汉").key, idx.resolve("江夏区").key, idx.resolve("420115").key
        ('wuhan', 'jiangxia', 'jiangxia')
        """
        tok = str(text).strip().lower()
        if not tok:
            raise UnknownPlaceError("an empty place name was given; name a place, city, id or code.")
        keys = self._by_token.get(tok, [])
        if len(keys) == 1:
            return self.endpoints[keys[0]]
        if len(keys) > 1:
            # a city and its same-named unit (e.g. 仙桃): prefer the city
            cities = [k for k in keys if k[0] == "city"]
            if len(cities) == 1:
                return self.endpoints[cities[0]]
            listed = ", ".join(f"{self.endpoints[k].name} ({self.endpoints[k].key})" for k in keys)
            raise UnknownPlaceError(f"place {text!r} is ambiguous: it matches {listed}; use one of those ids.")
        cands = sorted(
            {
                self.endpoints[k].name + f" ({self.endpoints[k].key})"
                for t, ks in self._by_token.items()
                if tok in t or (len(t) > 1 and t in tok)
                for k in ks
            }
        )[:6]
        hint = f"; did you mean {', '.join(cands)}?" if cands else "; run `commute info --places` to list places."
        raise UnknownPlaceError(f"unknown place {text!r}{hint}")

    def resolve_many(self, items: Iterable[str] | str) -> list[Endpoint]:
        """Resolve a list (or comma-separated string) of names; group names expand to their cities."""
        if isinstance(items, str):
            items = [s for s in items.replace("，", ",").split(",")]
        out: list[Endpoint] = []
        for s in items:
            s = s.strip()
            if s.lower() in self.groups():
                out.extend(self.group(s.lower()))
            else:
                out.append(self.resolve(s))
        return out

    def groups(self) -> dict[str, list[str]]:
        """Group name -> city ids (``circle``, ``cluster``, ``major``, and ``circle_places``)."""
        if self._groups is None:
            self._groups = self._make_groups()
        return self._groups

    def _make_groups(self) -> dict[str, list[str]]:
        g: dict[str, list[str]] = {}
        for c in self.net.tables["cities"].itertuples(index=False):
            for name in str(c.groups).split(";"):
                if name:
                    g.setdefault(name, []).append(c.city_id)
        circle = set(g.get("circle", []))
        # county-level units of the circle; a city that is a single unit (仙桃) stands for itself
        g["circle_places"] = [
            p.place_id for p in self.net.tables["places"].itertuples(index=False) if p.city_id in circle
        ]
        return g

    def group(self, name: str) -> list[Endpoint]:
        """Endpoints of a group, in table order."""
        groups = self.groups()
        if name not in groups:
            raise UnknownPlaceError(f"unknown group {name!r}; use one of {', '.join(sorted(groups))}.")
        if name == "circle_places":
            return [self.endpoints.get(("place", k)) or self.endpoints[("city", k)] for k in groups[name]]
        return [self.endpoints[("city", k)] for k in groups[name]]

    def all_places(self) -> list[Endpoint]:
        """Every row of places.csv once: circle units, and whole cities outside the circle."""
        return [
            self.endpoints.get(("place", p)) or self.endpoints[("city", p)]
            for p in self.net.tables["places"]["place_id"]
        ]

    def table(self) -> pd.DataFrame:
        """Every endpoint as a DataFrame (for listing)."""
        return pd.DataFrame([ep.__dict__ for ep in self.endpoints.values()])
