"""Summaries of a network: counts and kilometres by mode and status."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pandas as pd

from commute.io.network import Network


def network_summary(net: Network, G: nx.MultiDiGraph) -> tuple[dict[str, Any], pd.DataFrame]:
    """Counts (for the graph's year) and a table of km by mode and status.

    Rail and air km count each station pair once (both directions and all services on it
    together); road km count each link once.
    """
    places = net.tables["places"]
    circle_cities = set(net.tables["cities"].query("groups.str.contains('circle')", engine="python")["city_id"])
    st = [d for _, d in G.nodes(data=True) if d.get("kind") == "station"]
    services = {d["base_id"] for d in G.graph["services"].values()}
    counts = {
        "places (county-level units of the circle)": int(places["city_id"].isin(circle_cities).sum()),
        "places (cities outside the circle)": int((~places["city_id"].isin(circle_cities)).sum()),
        "population 2020 (all places)": int(places["pop_2020"].sum()),
        "rail stations in use": sum(1 for d in st if d["mode"] == "rail"),
        "airports in use": sum(1 for d in st if d["mode"] == "air"),
        "rail services in use": len({s for s in services if G.graph["services"][s]["mode"] == "rail"}),
        "air routes in use": len({s for s in services if G.graph["services"][s]["mode"] == "air"}),
        "road links in use": len({d["link_id"] for _, _, d in G.edges(data=True) if d.get("kind") == "road"}),
        "projects switched on": len(G.graph["projects_on"]),
    }
    rows = []
    links = net.tables["road_links"]
    in_use_links = {d["link_id"] for _, _, d in G.edges(data=True) if d.get("kind") == "road"}
    for status, df in links.groupby("status"):
        rows.append(
            {
                "mode": "road",
                "status": status,
                "km_all_rows": df["length_km"].sum(),
                "km_in_use": df[df["link_id"].isin(in_use_links)]["length_km"].sum(),
            }
        )
    stops = net.tables["service_stops"].merge(net.tables["services"][["service_id", "mode", "status"]], on="service_id")
    stops = stops.sort_values(["service_id", "seq"])
    stops["prev"] = stops.groupby("service_id")["station_id"].shift()
    stops["prev_line_km"] = stops.groupby("service_id")["line_km"].shift()
    hops = stops.dropna(subset=["prev"])
    # stop-pair services of a timetabled line skip stations: count only hops between neighbours
    line_km = stops.dropna(subset=["line_km"]).groupby("line")["line_km"].apply(lambda s: sorted(set(s)))

    def adjacent(r: Any) -> bool:
        if pd.isna(r.line_km) or not r.line:
            return True
        lo, hi = sorted((float(r.prev_line_km), float(r.line_km)))
        return not any(lo < k < hi for k in line_km[r.line])

    hops = hops[[adjacent(r) for r in hops.itertuples(index=False)]]
    hops = hops.assign(pair=[tuple(sorted((a, b))) for a, b in zip(hops["prev"], hops["station_id"], strict=True)])
    active = {d["base_id"] for d in G.graph["services"].values()}
    for (mode, status), df in hops.groupby(["mode", "status"]):
        uniq = df.drop_duplicates("pair")
        used = df[df["service_id"].isin(active)].drop_duplicates("pair")
        rows.append(
            {
                "mode": mode,
                "status": status,
                "km_all_rows": uniq["km"].astype(float).sum(),
                "km_in_use": used["km"].astype(float).sum(),
            }
        )
    km = pd.DataFrame(rows).sort_values(["mode", "status"]).reset_index(drop=True)
    km["km_all_rows"] = km["km_all_rows"].round(0)
    km["km_in_use"] = km["km_in_use"].round(0)
    return counts, km
