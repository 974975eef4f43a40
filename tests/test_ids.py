"""Node ids are built and parsed in commute.model.ids only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commute.model import ids

ROOT = Path(__file__).resolve().parents[1]
LITERAL = re.compile(r"""["'](place|road|station):|\[(5|8):\]|len\(["'](place|road|station):|["']/r["']""")


def test_constructors_and_parsers_round_trip():
    for make, parse, kind in (
        (ids.place_node, ids.place_of, "place"),
        (ids.junction_node, ids.junction_of, "road"),
        (ids.station_node, ids.station_of, "station"),
    ):
        node = make("x:1")
        assert parse(node) == "x:1" and ids.node_kind(node) == kind
    assert ids.node_kind("x") is None
    with pytest.raises(ValueError, match="not a station node id"):
        ids.station_of(ids.place_node("wuhan"))
    assert ids.is_reverse(ids.reverse_service("s")) and not ids.is_reverse("s")


def test_graph_nodes_parse(g2026):
    kinds = {ids.node_kind(n): d["kind"] for n, d in g2026.nodes(data=True)}
    assert kinds == {"place": "place", "road": "junction", "station": "station"}
    for sid, svc in g2026.graph["services"].items():
        for i, (x, y) in enumerate(zip(svc["stops"], svc["stops"][1:], strict=False)):
            assert g2026.has_edge(ids.station_node(x), ids.station_node(y), ids.hop_key(sid, i + 1))


def test_no_prefix_literal_outside_the_id_module():
    hits = [
        f"{p.relative_to(ROOT)}:{i}"
        for folder in ("src/commute", "tools")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name != "ids.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if LITERAL.search(line)
    ]
    assert not hits, hits
