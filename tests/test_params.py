"""The parameter set: read once from network.yaml, one default for each value."""

from __future__ import annotations

import copy
import pickle

import pytest

from commute.model.params import Parameters, parameters_of


def test_shipped_parameters_are_read_as_written(net):
    raw = net.meta["parameters"]
    p = net.params
    assert p is net.params  # read once
    assert p.access.speed_kmh == raw["access"]["speed_kmh"]
    assert p.access.circuity == raw["access"]["circuity"]
    assert p.access.mode("air").entry_min == raw["access"]["air"]["entry_min"]
    assert p.transfer_penalty("air") == raw["transfer_penalty_min"]["air"]
    assert p.service_day_min == raw["service_day_min"]
    assert p.rail_circuity == net.meta["derived"]["rail_circuity"]
    assert Parameters.from_mapping(*p.to_mapping()) == p
    assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p) is p


def test_graph_access_links_follow_the_parameters(g2026):
    p = parameters_of(g2026)
    assert p is g2026.graph["parameters"]
    for u, v, d in g2026.edges(data=True):
        if d["kind"] == "access" and u.startswith("place:") and v.startswith("station:"):
            rule = p.access.mode(g2026.nodes[v]["mode"])
            assert d["minutes"] == pytest.approx(60.0 * d["length_km"] / p.access.speed_kmh + rule.entry_min)


def test_hand_built_graphs_and_defaults():
    import networkx as nx

    G = nx.MultiDiGraph()
    assert parameters_of(G) == Parameters()
    G.graph["parameters"] = {"transfer_penalty_min": {"rail": 7}, "access": {"rail": {"exit_min": 3}}}
    p = parameters_of(G)
    assert p.transfer_penalty("rail") == 7 and p.transfer_penalty("bus") == p.default_transfer_penalty_min
    assert p.access.mode("rail").exit_min == 3
    assert p.access.mode("rail").entry_min == Parameters().access.mode("x").entry_min
    with pytest.raises(AttributeError):
        p.access.speed_kmh = 1  # type: ignore[misc]
