"""One-to-all travel-time surfaces of the departure-time engine (for isochrones and reach)."""

from __future__ import annotations

import numpy as np

from commute.model.ids import place_node
from commute.model.modes import Measure
from commute.model.places import Endpoint
from commute.search import choose
from commute.search.transit import TransitEngine, _access_rows, _min_plus, arrivals, summarise_times


def node_times(eng: TransitEngine, origin: Endpoint) -> dict[str, float]:
    """The query's statistic of the minutes from ``origin`` to every graph node.

    Places and junctions: the best of the road (access graph) and of alighting at a station
    then continuing on the access graph; stations: their arrival by vehicle. Door to door
    only (a surface starts at a place). NaN where not reached.
    """
    if eng.measure is not Measure.DOOR_TO_DOOR:
        raise ValueError("node_times needs a door_to_door engine")
    deps = eng.query.departures(eng.measure)
    assert deps is not None
    full, _ = _access_rows(eng, [origin])
    outs = np.array([eng.out_of[s] for s in eng.stations], dtype=np.int64)
    nodes = np.array(sorted(eng.node_of.values()), dtype=np.int64)
    arr = arrivals(eng, [origin], deps)[0]  # [t, s]
    if len(outs):
        onward = choose.many_to_many(eng.access, outs, nodes)  # [s, node]
        via = _min_plus(arr, onward) - deps[:, None]
    else:
        via = np.full((len(deps), len(nodes)), np.inf)
    per_node = np.minimum(via, full[0, nodes][None, :])
    stat = eng.query.stat(eng.measure)
    node_stat = summarise_times(per_node, stat, axis=0)
    station_stat = summarise_times(arr - deps[:, None], stat, axis=0) if len(outs) else np.zeros(0)
    inv = {i: n for n, i in eng.node_of.items()}
    out = {inv[int(i)]: float(node_stat[k]) for k, i in enumerate(nodes)}
    out.update({s: float(station_stat[k]) for k, s in enumerate(eng.stations)})
    out[place_node(origin.place)] = 0.0
    return out
