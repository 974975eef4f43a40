"""Pairs of different places that share a station, where a station-to-station time is 0 by rule.

A place without a station of its own uses its city's stations, so two such places of one
city (麻城 and 罗田, both on 黄冈's stations) are 0 minutes apart station to station. That is
the measure's definition, not a journey; :func:`shared_pairs` finds those pairs so that the
command line (and a notebook) can say so instead of printing a silent 0.

Examples
--------
>>> from commute.model.places import Endpoint
>>> a = Endpoint("macheng", "麻城市", "place", "macheng", "huanggang", ("rs_hg",), 1)
>>> b = Endpoint("luotian", "罗田县", "place", "luotian", "huanggang", ("rs_hg",), 1)
>>> shared_pairs([a], [a, b])
[('麻城市', '罗田县', ('rs_hg',))]
>>> print(note([a], [b], zero={("macheng", "luotian")}))
note: 1 pair of different places share stations, so station_to_station is 0 min between them by
definition (e.g. 麻城市 and 罗田县 both use rs_hg); use door_to_door to compare them.
"""

from __future__ import annotations

from collections.abc import Sequence

from commute.model.places import Endpoint


def shared_pairs(
    origins: Sequence[Endpoint], destinations: Sequence[Endpoint], zero: set[tuple[str, str]] | None = None
) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(origin name, destination name, shared station ids)`` of different endpoints sharing stations.

    With ``zero`` (a set of ``(origin key, destination key)``), only those pairs.
    """
    out = []
    for o in origins:
        for d in destinations:
            if o.key == d.key or (zero is not None and (o.key, d.key) not in zero):
                continue
            common = tuple(sorted(set(o.stations) & set(d.stations)))
            if common:
                out.append((o.name, d.name, common))
    return out


def note(
    origins: Sequence[Endpoint], destinations: Sequence[Endpoint], zero: set[tuple[str, str]] | None = None
) -> str:
    """One sentence (wrapped) about the pairs of :func:`shared_pairs` ("" if there is none)."""
    pairs = shared_pairs(origins, destinations, zero)
    if not pairs:
        return ""
    o, d, st = pairs[0]
    n = len(pairs)
    return (
        f"note: {n:,} pair{'s' if n != 1 else ''} of different places share stations, so station_to_station is "
        f"0 min between them by\ndefinition (e.g. {o} and {d} both use {', '.join(st[:3])}); "
        "use door_to_door to compare them."
    )
