"""Model parameters: one definition of every default.

:class:`Parameters` is the typed, frozen parameter set of a network, read once from the
``parameters:`` mapping of ``network.yaml`` (:meth:`Parameters.from_mapping`); every default
is written here and nowhere else. A graph carries it as ``G.graph["parameters"]``
(:func:`parameters_of`). Road speeds by class and lanes are a table of the model (the build
tool writes road links with them, scenarios add and widen roads with them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final

#: Start (06:00) and length (18 h) of the service day of headway services, in minutes.
SERVICE_START_MIN: Final = 360.0
SERVICE_DAY_MIN: Final = 1080.0
#: Road length over great-circle distance for links given without a length (and a fitted rail one's fallback).
#: The build tool fits the network's value on the official lengths of ../shared/data/roads/expressway_facts.csv
#: (``derived: road_circuity`` in network.yaml); this is the fallback: estimate, a common regional value.
ROAD_CIRCUITY: Final = 1.25
RAIL_CIRCUITY: Final = 1.2
ROAD_CLASSES: Final = ("expressway", "urban_expressway", "highway", "arterial")
#: Design speed (km/h) by road class and lanes. Sources: JTG B01-2014 公路工程技术标准 (expressway design
#: speeds 120/100/80 km/h; first-class highway 100/80/60; second-class 80/60/40; a first-class highway
#: has 4 or more lanes, a second-class one 2), CJJ 37-2012 城市道路工程设计规范 (urban expressway
#: 100/80/60; main arterial 60/50/40). The value taken for a class is an estimate: expressway 120 (the
#: national trunk lines of the plain; a road's own design speed from expressway_facts.csv wins), highway
#: 4 lanes 80 (first class, the middle value: towns on the road), 2 lanes 60 (second class), urban
#: expressway 80 and arterial 50 (the middle values).
ROAD_DESIGN_SPEED: Final[Mapping[str, float | Mapping[int, float]]] = MappingProxyType(
    {
        "expressway": 120.0,
        "urban_expressway": 80.0,
        "highway": MappingProxyType({2: 60.0, 4: 80.0}),
        "arterial": 50.0,
    }
)
#: Free-flow running speed over design speed, by class and lanes. estimate: cars run below the design
#: speed where lanes are shared with trucks (4-lane expressway 0.85, 6 lanes 0.9, 8 lanes 0.92, never
#: above the legal 120 km/h of 道路交通安全法实施条例 art. 78); highways lose time at towns and junctions
#: (0.8); urban roads at signals (urban expressway 0.85, arterial 0.7).
ROAD_RUNNING_FACTOR: Final[Mapping[str, float | Mapping[int, float]]] = MappingProxyType(
    {
        "expressway": MappingProxyType({4: 0.85, 6: 0.9, 8: 0.92}),
        "urban_expressway": 0.85,
        "highway": 0.8,
        "arterial": 0.7,
    }
)
#: Legal top speed on an expressway (道路交通安全法实施条例 art. 78).
EXPRESSWAY_LIMIT_KMH: Final = 120.0
#: Running speed inside Wuhan's central districts over the class's speed elsewhere (estimate: dense
#: signals, congestion of the day; the model has no time-of-day congestion).
WUHAN_CENTRAL_FACTOR: Final = 0.75


def _by_lanes(table: Mapping[str, float | Mapping[int, float]], road_class: str, lanes: int) -> float:
    s = table[road_class]
    if isinstance(s, Mapping):
        nearest = min(s, key=lambda k: (abs(k - lanes), k))
        return float(s.get(lanes, s[nearest]))
    return float(s)


def road_speed(road_class: str, lanes: int, design_kmh: float | None = None) -> float:
    """Free-flow speed (km/h) of a road class with ``lanes`` lanes: design speed x running factor.

    ``design_kmh`` overrides the class's design speed (a road's own, from its facts). The nearest
    tabulated lane count is used. Rounded to 0.1 km/h.

    Examples
    --------
    >>> road_speed("expressway", 4), road_speed("expressway", 6), road_speed("expressway", 8)
    (102.0, 108.0, 110.4)
    >>> road_speed("expressway", 6, design_kmh=100), road_speed("highway", 2), road_speed("arterial", 4)
    (90.0, 48.0, 35.0)
    """
    design = float(design_kmh) if design_kmh else _by_lanes(ROAD_DESIGN_SPEED, road_class, lanes)
    v = design * _by_lanes(ROAD_RUNNING_FACTOR, road_class, lanes)
    if road_class == "expressway":
        v = min(v, EXPRESSWAY_LIMIT_KMH)
    return round(v, 1)


#: Free-flow speed (km/h) by road class, and by lanes where the class depends on them (road_speed's table).
ROAD_SPEED: Final[Mapping[str, float | Mapping[int, float]]] = MappingProxyType(
    {
        "expressway": MappingProxyType({n: road_speed("expressway", n) for n in (4, 6, 8)}),
        "urban_expressway": road_speed("urban_expressway", 6),
        "highway": MappingProxyType({n: road_speed("highway", n) for n in (2, 4)}),
        "arterial": road_speed("arterial", 4),
    }
)


# ------------------------------------------------------------------------------------------------
# The parameter set of a network (``parameters:`` in network.yaml)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeAccess:
    """How stations of one mode are reached: fixed minutes in and out, and the reach of access links.

    A station links to every place of its own city within ``same_city_km`` and to any place within
    ``other_city_km``.
    """

    entry_min: float = 10.0
    exit_min: float = 5.0
    same_city_km: float = 60.0
    other_city_km: float = 25.0


@dataclass(frozen=True)
class Access:
    """Local travel between places, junctions and stations (straight-line km times ``circuity``)."""

    speed_kmh: float = 40.0
    circuity: float = 1.2
    #: A place's junction is ``max(min_junction_km, junction_km_factor * radius)`` away.
    junction_km_factor: float = 0.5
    min_junction_km: float = 2.0
    #: Stations of one city closer than this are linked as an interchange.
    interchange_km: float = 40.0
    #: A station links to the nearest road junction when it is within this distance.
    station_junction_km: float = 30.0
    modes: Mapping[str, ModeAccess] = field(default_factory=lambda: MappingProxyType({}))

    def mode(self, mode: str) -> ModeAccess:
        """The access rule of stations of ``mode`` (the defaults of :class:`ModeAccess` if unlisted)."""
        return self.modes.get(mode, ModeAccess())

    def minutes(self, km: float) -> float:
        """Minutes of local travel over a straight-line distance of ``km`` (circuity applied)."""
        return 60.0 * km * self.circuity / self.speed_kmh

    def junction_km(self, area_km2: float | None) -> float:
        """Distance from a place of ``area_km2`` to its road junction."""
        return max(self.min_junction_km, self.junction_km_factor * math.sqrt((area_km2 or 0.0) / math.pi))


@dataclass(frozen=True)
class Parameters:
    """Every modelling parameter of a network, typed and frozen; read once from ``network.yaml``.

    Examples
    --------
    >>> p = Parameters.from_mapping({"access": {"speed_kmh": 30, "rail": {"entry_min": 8}}})
    >>> p.access.speed_kmh, p.access.mode("rail").entry_min, p.access.mode("air").entry_min
    (30.0, 8.0, 10.0)
    >>> p.transfer_penalty("air"), p.service_start_min, Parameters().access.circuity
    (10.0, 360.0, 1.2)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(p)) == p
    True
    """

    access: Access = field(default_factory=Access)
    #: Minimum change time at a station by mode (``transfer_penalty("x")`` falls back to the default).
    transfer_penalty_min: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    default_transfer_penalty_min: float = 10.0
    #: The service day of headway services: start (06:00) and length (18 h) in minutes.
    service_start_min: float = SERVICE_START_MIN
    service_day_min: float = SERVICE_DAY_MIN
    max_wait_min: float | None = None
    #: The longest road leg between two stations in a door-to-door transit journey.
    transfer_by_road_max_min: float = 90.0
    #: Air alone (``--modes air``) connects no two places closer than this great-circle distance:
    #: the shortest flight of the shipped network is 599 km (武汉–杭州), and a shorter air-only
    #: "journey" can only fly away and back (武汉→深圳→鄂州 for 黄石, 88 km away). An estimate.
    air_only_min_km: float = 300.0
    road_speed: Mapping[str, float | Mapping[int, float]] = field(default_factory=lambda: ROAD_SPEED)
    #: Line length over great-circle distance, for roads and rail lines added without a length
    #: (``derived:`` in network.yaml: the build tool fits the rail one on the timetable).
    road_circuity: float = ROAD_CIRCUITY
    rail_circuity: float = RAIL_CIRCUITY

    def to_mapping(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ``parameters:`` and ``derived:`` mappings this set reads back from (plain data)."""
        acc: dict[str, Any] = {f.name: getattr(self.access, f.name) for f in fields(Access) if f.name != "modes"}
        acc.update({m: dict(vars(r)) for m, r in self.access.modes.items()})
        raw = {
            "access": acc,
            "transfer_penalty_min": dict(self.transfer_penalty_min),
            "service_start_min": self.service_start_min,
            "service_day_min": self.service_day_min,
            "max_wait_min": self.max_wait_min,
            "transfer_by_road_max_min": self.transfer_by_road_max_min,
            "air_only_min_km": self.air_only_min_km,
        }
        return raw, {"road_circuity": self.road_circuity, "rail_circuity": self.rail_circuity}

    # Frozen: copies are the object itself; pickles go through plain data (read-only mappings do not pickle).
    def __copy__(self) -> Parameters:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameters:
        return self

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Parameters.from_mapping, self.to_mapping())

    def transfer_penalty(self, mode: str) -> float:
        """Minimum change time (minutes) at a station of ``mode``."""
        return float(self.transfer_penalty_min.get(mode, self.default_transfer_penalty_min))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None, derived: Mapping[str, Any] | None = None) -> Parameters:
        """Parameters from the ``parameters:`` (and ``derived:``) mappings of network.yaml (absent keys: defaults)."""
        raw = dict(raw or {})
        der = dict(derived or {})
        acc = dict(raw.get("access") or {})
        scalar = {f.name for f in fields(Access)} - {"modes"}
        modes = {
            m: ModeAccess(**{k: float(v) for k, v in rule.items() if k in _MODE_KEYS and v is not None})
            for m, rule in acc.items()
            if isinstance(rule, Mapping)
        }
        access = Access(
            **{k: float(v) for k, v in acc.items() if k in scalar and v is not None},
            modes=MappingProxyType(modes),
        )
        pen = MappingProxyType({str(k): float(v) for k, v in (raw.get("transfer_penalty_min") or {}).items()})
        d = cls()

        def num(key: str, default: float) -> float:
            return default if raw.get(key) is None else float(raw[key])

        wait = raw.get("max_wait_min")
        return cls(
            access=access,
            transfer_penalty_min=pen,
            service_start_min=num("service_start_min", d.service_start_min),
            service_day_min=num("service_day_min", d.service_day_min),
            max_wait_min=None if wait is None else float(wait),
            transfer_by_road_max_min=num("transfer_by_road_max_min", d.transfer_by_road_max_min),
            air_only_min_km=num("air_only_min_km", d.air_only_min_km),
            road_circuity=float(der.get("road_circuity") or d.road_circuity),
            rail_circuity=float(der.get("rail_circuity") or d.rail_circuity),
        )


_MODE_KEYS = frozenset(f.name for f in fields(ModeAccess))


def parameters_of(G: Any) -> Parameters:
    """The parameters a graph was built with (``G.graph["parameters"]``; defaults if it has none).

    Graphs built by :func:`commute.model.graph.build_graph` carry a :class:`Parameters`; a graph
    built by hand may carry the raw mapping instead.
    """
    p = G.graph.get("parameters")
    return p if isinstance(p, Parameters) else Parameters.from_mapping(p)
