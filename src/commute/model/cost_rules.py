"""What scenario verbs change about money: fare overrides, toll overrides, discounts, monthly passes.

Each is a small frozen record kept on the graph's :class:`~commute.io.fares.Costs` (in
``G.graph["costs"]``); :mod:`commute.model.cost` applies them when it prices a journey. A
journey's money is a list of :class:`Item` s (a ride's fare, a road link's toll, a car's
running cost, an access fare); a rule matches items by service, train class, road and city.

Example
-------
>>> it = Item(12.0, "fare", "rail", "wuhuang_intercity", "C", "", "", frozenset({"wuhan", "huangshi"}))
>>> p = Pass("p", 300.0, 44.0, Cover(services=frozenset({"wuhuang_intercity"})))
>>> round(apply_rules([it], (), (p,))[0].amount, 2)
6.82
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from commute.io.fares import FareTable


@dataclass(frozen=True)
class Item:
    """One priced piece of a journey (its leg index tells which leg it belongs to)."""

    amount: float
    kind: str  # fare, toll, running, access
    mode: str
    service: str = ""  # base service id of a ride
    train_class: str = ""
    road: str = ""  # road name of a toll
    road_class: str = ""
    cities: frozenset[str] = frozenset()
    leg: int = 0
    link: str = ""


@dataclass(frozen=True)
class Cover:
    """What a pass, discount or override applies to: services, train classes, roads, within cities.

    A road matches by name prefix, road class, link id or corridor id (the link id before ``:``).
    ``within`` (city ids) limits it to items whose ends all lie in those cities.
    """

    services: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    roads: frozenset[str] = frozenset()
    within: frozenset[str] = frozenset()

    def matches(self, it: Item) -> bool:
        """Whether the item is covered."""
        if self.within and not (it.cities and it.cities <= self.within):
            return False
        if it.kind == "fare":
            return it.service in self.services or it.train_class in self.classes
        if it.kind == "toll":
            return any(road_matches(r, it.road, it.road_class, it.link) for r in self.roads)
        return False

    def is_empty(self) -> bool:
        """Whether it covers nothing at all."""
        return not (self.services or self.classes or self.roads)


def road_matches(spec: str, name: str, road_class: str, link: str) -> bool:
    """A road reference against a link: name prefix, class, link id or corridor id."""
    return bool(spec) and (name.startswith(spec) or spec == road_class or spec == link or spec == link.split(":")[0])


@dataclass(frozen=True)
class FareOverride:
    """``set_fare``: another fare table for the rides it covers (the latest override wins)."""

    cover: Cover
    table: FareTable


@dataclass(frozen=True)
class TollOverride:
    """``set_toll``: another per-km and flat toll for the road links it covers (0 makes them free)."""

    cover: Cover
    per_km: float | None
    flat: float | None


@dataclass(frozen=True)
class Discount:
    """``discount``: a share off the fares and tolls it covers (同卡同折)."""

    cover: Cover
    share: float


@dataclass(frozen=True)
class Pass:
    """``monthly_pass``: what it covers costs ``price / trips`` per journey (if that is less)."""

    name: str
    price: float
    trips: float
    cover: Cover

    @property
    def per_trip(self) -> float:
        """The pass price spread over its trips."""
        return self.price / self.trips


def apply_rules(items: Sequence[Item], discounts: Sequence[Discount], passes: Sequence[Pass]) -> list[Item]:
    """Items after discounts (each a share off), then passes (the covered part at most ``price / trips``).

    A pass replaces the covered items' total by ``min(total, per_trip)``, scaled over those
    items; an item covered by one pass is not covered by another.
    """
    out = list(items)
    for d in discounts:
        out = [replace(it, amount=it.amount * (1 - d.share)) if d.cover.matches(it) else it for it in out]
    used: set[int] = set()
    for p in passes:
        idx = [i for i, it in enumerate(out) if i not in used and p.cover.matches(it)]
        total = sum(out[i].amount for i in idx)
        if total <= 0:
            continue
        scale = min(total, p.per_trip) / total
        for i in idx:
            out[i] = replace(out[i], amount=out[i].amount * scale)
        used.update(idx)
    return out
