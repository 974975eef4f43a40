"""Labels of search-graph edges and the legs of a trip built from them."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

#: Edge kinds in the search graph.
KINDS = ("road", "access", "interchange", "board", "ride", "alight", "transfer")


@dataclass(frozen=True)
class Label:
    """What a search-graph edge stands for (to report the legs of a trip)."""

    kind: str
    mode: str
    service: str
    u: str  # graph node it leaves (station for board/ride/alight)
    v: str  # graph node it reaches
    key: str = ""  # the graph edge key (a road link id), where there is one


@dataclass(frozen=True)
class Leg:
    """One leg of a trip: access, road, wait, ride, transfer or egress."""

    kind: str
    mode: str
    from_node: str
    to_node: str
    minutes: float
    service: str = ""

    def describe(self, G: nx.MultiDiGraph) -> str:
        """A short human-readable description."""
        a = G.nodes[self.from_node].get("name", self.from_node) if self.from_node in G else self.from_node
        b = G.nodes[self.to_node].get("name", self.to_node) if self.to_node in G else self.to_node
        if self.kind == "ride":
            name = G.graph["services"].get(self.service, {}).get("name", self.service)
            return f"{self.mode} {a}→{b} ({name}) {self.minutes:.0f} min"
        if self.kind == "wait":
            return f"wait at {a} {self.minutes:.0f} min"
        if self.kind == "transfer":
            return f"transfer at {a} {self.minutes:.0f} min"
        if self.kind == "road":
            return f"road {a}→{b} via {self.service} {self.minutes:.0f} min"
        return f"{self.kind} {a}→{b} {self.minutes:.0f} min"


def merge_legs(raw: list[tuple[Label, float]]) -> list[Leg]:
    """Merge consecutive edge labels into legs (a ride on one service, a run of road links)."""
    legs: list[Leg] = []
    for lab, w in raw:
        if lab.kind == "alight":
            continue
        if lab.kind == "board":
            legs.append(Leg("wait", lab.mode, lab.u, lab.v, w, lab.service))
            continue
        if lab.kind == "transfer":
            legs.append(Leg("transfer", lab.mode, lab.u, lab.v, w, lab.service))
            continue
        if (
            legs
            and legs[-1].kind == lab.kind
            and ((lab.kind == "ride" and legs[-1].service == lab.service) or lab.kind == "road")
        ):
            last = legs[-1]
            service = last.service
            if lab.kind == "road" and lab.service and lab.service not in service.split(" / "):
                service = f"{service} / {lab.service}" if service else lab.service
            legs[-1] = Leg(last.kind, last.mode, last.from_node, lab.v, last.minutes + w, service)
            continue
        legs.append(Leg(lab.kind, lab.mode, lab.u, lab.v, w, lab.service))
    return legs


def legs_table(G: nx.MultiDiGraph, legs: list[Leg]) -> pd.DataFrame:
    """Legs as a DataFrame with readable names."""
    return pd.DataFrame(
        [
            {
                "kind": leg.kind,
                "mode": leg.mode,
                "from": G.nodes[leg.from_node].get("name", leg.from_node),
                "to": G.nodes[leg.to_node].get("name", leg.to_node),
                "minutes": round(leg.minutes, 1),
                "service": G.graph["services"].get(leg.service, {}).get("name", leg.service)
                if leg.kind != "road"
                else leg.service,
            }
            for leg in legs
        ]
    )
