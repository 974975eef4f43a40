"""Graph node ids, service ids and ride-edge keys: the one place their text form is written.

Nodes of a graph are strings with a prefix for their kind: ``place:<place_id>``,
``road:<node_id>`` (a road junction) and ``station:<station_id>``. The reverse direction of a
service given as bidirectional is the service id with :data:`REVERSE_SUFFIX`; the ride edge of
hop ``i`` (1-based) of a service is keyed ``<service_id>#<i>``. The types are ``NewType`` s of
``str`` (free at run time, checked by mypy); build them with the constructors here and take
them apart with the parsers, never by slicing.

Examples
--------
>>> n = station_node("rs_wuhan")
>>> n, is_station(n), station_of(n)
('station:rs_wuhan', True, 'rs_wuhan')
>>> node_kind(place_node("jiangxia")), node_kind(junction_node("j1"))
('place', 'road')
>>> reverse_service("g1"), is_reverse(reverse_service("g1")), hop_key("g1", 2)
('g1/r', True, 'g1#2')
"""

from __future__ import annotations

from typing import Literal, NewType

#: A graph node id (``place:...``, ``road:...`` or ``station:...``).
NodeId = NewType("NodeId", str)
PlaceId = NewType("PlaceId", str)
JunctionId = NewType("JunctionId", str)
StationId = NewType("StationId", str)
ServiceId = NewType("ServiceId", str)
NodeKind = Literal["place", "road", "station"]

PLACE_PREFIX = "place:"
JUNCTION_PREFIX = "road:"
STATION_PREFIX = "station:"
_PREFIX: dict[str, NodeKind] = {PLACE_PREFIX: "place", JUNCTION_PREFIX: "road", STATION_PREFIX: "station"}
#: Suffix of the reverse direction of a bidirectional service.
REVERSE_SUFFIX = "/r"


def place_node(pid: str) -> NodeId:
    """Graph node id of a place."""
    return NodeId(PLACE_PREFIX + pid)


def junction_node(nid: str) -> NodeId:
    """Graph node id of a road junction."""
    return NodeId(JUNCTION_PREFIX + nid)


def station_node(sid: str) -> NodeId:
    """Graph node id of a station."""
    return NodeId(STATION_PREFIX + sid)


def node_kind(node: str) -> NodeKind | None:
    """``"place"``, ``"road"`` or ``"station"`` by the prefix of ``node`` (None for another id)."""
    for prefix, kind in _PREFIX.items():
        if node.startswith(prefix):
            return kind
    return None


def is_place(node: str) -> bool:
    """Whether ``node`` is a place node id."""
    return node.startswith(PLACE_PREFIX)


def is_station(node: str) -> bool:
    """Whether ``node`` is a station node id."""
    return node.startswith(STATION_PREFIX)


def _strip(node: str, prefix: str) -> str:
    if not node.startswith(prefix):
        raise ValueError(f"{node!r} is not a {_PREFIX[prefix]} node id ({prefix}...)")
    return node[len(prefix) :]


def place_of(node: str) -> PlaceId:
    """The place id of a place node (ValueError for another node)."""
    return PlaceId(_strip(node, PLACE_PREFIX))


def junction_of(node: str) -> JunctionId:
    """The junction id of a road node (ValueError for another node)."""
    return JunctionId(_strip(node, JUNCTION_PREFIX))


def station_of(node: str) -> StationId:
    """The station id of a station node (ValueError for another node)."""
    return StationId(_strip(node, STATION_PREFIX))


def reverse_service(sid: str) -> ServiceId:
    """The id of the reverse direction of service ``sid``."""
    return ServiceId(sid + REVERSE_SUFFIX)


def is_reverse(sid: str) -> bool:
    """Whether ``sid`` is the reverse direction of a bidirectional service."""
    return sid.endswith(REVERSE_SUFFIX)


def hop_key(sid: str, i: int) -> str:
    """Edge key of the ride edge of hop ``i`` (1-based) of service ``sid``."""
    return f"{sid}#{i}"
