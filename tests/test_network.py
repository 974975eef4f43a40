from __future__ import annotations

import pandas as pd
import pytest

from commute.errors import DataNotFoundError, ValidationError
from commute.io.network import load_network

from .conftest import shared_file

CIRCLE = ["武汉市", "黄石市", "鄂州市", "孝感市", "黄冈市", "咸宁市", "仙桃市", "潜江市", "天门市"]


def test_default_network_loads_and_validates(net):
    assert net.name == "wuhan_circle"
    assert net.base_year == 2021
    for name in ("places", "cities", "stations", "services", "service_stops", "road_links"):
        assert len(net.tables[name]) > 0


def test_every_row_has_a_source(net):
    for name in ("places", "cities", "stations", "services", "road_nodes", "road_links", "upgrades", "projects"):
        src = net.tables[name]["source"].astype(str).str.strip()
        assert (src != "").all(), name


def test_every_circle_unit_is_a_place_with_census_population(net):
    counties = pd.read_csv(shared_file("zones/counties_hubei_hunan_jiangxi_2020.csv"), dtype={"code": str})
    circle = counties[counties["prefecture"].isin(CIRCLE)]
    places = net.tables["places"].set_index("code")
    assert len(circle) == 48
    for r in circle.itertuples():
        assert r.code in places.index, r.name
        assert places.loc[r.code, "pop_2020"] == int(r.pop_2020)
        assert places.loc[r.code, "name_zh"] == r.name


def test_groups(net):
    groups = net.tables["cities"]["groups"].str.split(";").explode().value_counts()
    assert groups["circle"] == 9
    assert groups["cluster"] == 31
    assert groups["major"] == 36


def test_every_project_is_in_the_network_or_explained(net):
    shared = pd.read_csv(shared_file("projects/projects.csv"))
    ours = net.tables["projects"].set_index("project_id")
    for pid in shared["id"]:
        assert pid in ours.index
        row = ours.loc[pid]
        assert row["elements"] or row["note"].startswith("not modelled")


def test_stations_from_osm_match_shared_coordinates(net):
    osm = pd.read_csv(shared_file("rail/stations_osm_2025.csv"))
    st = net.tables["stations"]
    real = st[st["source"].str.startswith("rail/stations_osm")]
    assert len(real) > 50
    for r in real.itertuples():
        hits = osm[osm["name"] == r.name_zh]
        close = ((hits["lon"] - r.lon).abs() < 1e-6) & ((hits["lat"] - r.lat).abs() < 1e-6)
        assert close.any(), r.name_zh
    est = st[~st["source"].str.startswith("rail/stations_osm")]
    assert est["source"].str.startswith("estimate").all()


def _rewrite(folder, table, fn):
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, lineterminator="\n")


def test_validation_reports_every_problem_with_file_and_line(net_copy):
    def break_links(df):
        df.loc[0, "to_node"] = "atlantis"
        df.loc[1, "length_km"] = "-3"
        df.loc[2, "source"] = ""
        df.loc[3, "status"] = "rumoured"
        df.loc[4, "speed_kmh"] = "0"
        return df

    def dup_place(df):
        return pd.concat([df, df.iloc[[0]]], ignore_index=True)

    def break_stops(df):
        df.loc[0, "station_id"] = "rs_nowhere"
        return df

    _rewrite(net_copy, "road_links", break_links)
    _rewrite(net_copy, "places", dup_place)
    _rewrite(net_copy, "service_stops", break_stops)
    with pytest.raises(ValidationError) as ei:
        load_network(net_copy)
    text = ei.value.report()
    assert "road_links.csv:2: unknown to_node 'atlantis'" in text
    assert "road_links.csv:3: length_km is -3.0, not positive" in text
    assert "road_links.csv:4: row has no source" in text
    assert "road_links.csv:5: status 'rumoured'" in text
    assert "road_links.csv:6: speed_kmh is 0" in text and "not positive" in text
    assert "places.csv:" in text and "duplicate place_id" in text
    assert "service_stops.csv:2: unknown station_id 'rs_nowhere'" in text
    assert len(ei.value.problems) >= 7


def test_validation_finds_unconnected_place(net_copy):
    def isolate(df):
        return df[(df["from_node"] != "yingshan") & (df["to_node"] != "yingshan")]

    _rewrite(net_copy, "road_links", isolate)
    with pytest.raises(ValidationError, match="yingshan' is not connected to any mode"):
        load_network(net_copy)


def test_missing_table_and_unknown_network(tmp_path, net_copy):
    (net_copy / "stations.csv").unlink()
    with pytest.raises(DataNotFoundError, match="stations.csv is missing"):
        load_network(net_copy)
    with pytest.raises(DataNotFoundError, match="neither a folder nor a shipped network"):
        load_network("no_such_network")


def test_build_script_reproduces_the_committed_tables(tmp_path):
    """The default network is derived from ../shared/data by tools/build_wuhan_circle.py, byte for byte."""
    import subprocess
    import sys

    from .conftest import NETWORK, ROOT, SHARED

    shared_file("zones/counties_hubei_hunan_jiangxi.geojson")
    out = tmp_path / "built"
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_wuhan_circle.py"), "--shared", str(SHARED), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    for f in sorted(NETWORK.glob("*.*")):
        assert (out / f.name).read_bytes() == f.read_bytes(), f.name


# --- real trips (issue 13) ------------------------------------------------------------------------
def _first_trip(folder):
    ts = pd.read_csv(folder / "trip_stops.csv", dtype=str, keep_default_na=False)
    trips = pd.read_csv(folder / "trips.csv", dtype=str, keep_default_na=False)
    # a trip with three or more stops, so that one can be changed in the middle
    n = ts.groupby("trip_id").size()
    tid = sorted(n[n >= 3].index)[0]
    return tid, trips.loc[trips["trip_id"] == tid, "train_no"].iloc[0]


def _break_stop(tid, seq, col, value):
    def fn(df):
        df.loc[(df["trip_id"] == tid) & (df["seq"] == str(seq)), col] = value
        return df

    return fn


@pytest.mark.parametrize(
    ("mistake", "needle"),
    [
        ("backwards", "times go backwards"),
        ("unknown_station", "unknown station 'rs_atlantis'"),
        ("one_stop", "has one stop"),
        ("pattern", "do not match the stops of service"),
        ("negative_dwell", "negative dwell"),
    ],
)
def test_trip_table_mistakes_name_the_train_and_the_file(net_copy, mistake, needle):
    tid, train = _first_trip(net_copy)
    ts = pd.read_csv(net_copy / "trip_stops.csv", dtype=str, keep_default_na=False)
    mine = ts[ts["trip_id"] == tid]
    if mistake == "backwards":
        _rewrite(
            net_copy, "trip_stops", _break_stop(tid, 2, "arrival_min", str(float(mine.iloc[0]["departure_min"]) - 5))
        )
    elif mistake == "unknown_station":
        _rewrite(net_copy, "trip_stops", _break_stop(tid, 2, "station_id", "rs_atlantis"))
    elif mistake == "negative_dwell":
        arr = float(mine.iloc[1]["arrival_min"])
        _rewrite(net_copy, "trip_stops", _break_stop(tid, 2, "departure_min", str(arr - 1)))
    elif mistake == "one_stop":
        _rewrite(net_copy, "trip_stops", lambda df: df[(df["trip_id"] != tid) | (df["seq"] == "1")])
    elif mistake == "pattern":
        # swap the trip's 2nd stop for another known station: the trip no longer fits its service
        other = "rs_wuhan" if mine.iloc[1]["station_id"] != "rs_wuhan" else "rs_hankou"
        _rewrite(net_copy, "trip_stops", _break_stop(tid, 2, "station_id", other))
    with pytest.raises(ValidationError) as ei:
        load_network(net_copy)
    hits = [str(p) for p in ei.value.problems if needle in str(p)]
    assert len(hits) == 1, ei.value.report()
    assert f"train {train}" in hits[0] and "trip_stops.csv" in hits[0]
    assert len(ei.value.problems) == 1, ei.value.report()  # one clear error, not a cascade


def test_trip_of_unknown_service_and_every_problem_collected(net_copy):
    tid, train = _first_trip(net_copy)

    def fn(df):
        df.loc[df["trip_id"] == tid, "service_id"] = "tt:nowhere"
        return df

    _rewrite(net_copy, "trips", fn)
    _rewrite(
        net_copy, "road_links", lambda df: df.assign(source=["" if i == 0 else s for i, s in enumerate(df["source"])])
    )
    with pytest.raises(ValidationError) as ei:
        load_network(net_copy)
    text = ei.value.report()
    assert "trips.csv:" in text and f"train {train}: unknown service_id 'tt:nowhere'" in text
    assert "road_links.csv:2: row has no source" in text


def test_real_trips_are_in_the_graph(g2021, g2026, net):
    """Every real trip hangs on its service record, aligned with its stops."""
    n_trips = 0
    for rec in g2021.graph["services"].values():
        assert len(rec["base_run"]) == len(rec["stops"]) - 1
        if rec["trips"] is None:
            if rec["mode"] == "air":  # flights: estimated departure times, one a day: first = last
                assert rec["first_dep_min"] <= rec["last_dep_min"]
            continue
        assert rec["first_dep_min"] <= rec["last_dep_min"]
        for t in rec["trips"]:
            assert len(t["arr"]) == len(t["dep"]) == len(rec["stops"])
            assert t["dep"][0] == min(t["dep"]) and rec["first_dep_min"] <= t["dep"][0] <= rec["last_dep_min"]
            n_trips += 1
        # the recorded hop runs are the medians of the trips
        for k, base in enumerate(rec["base_run"]):
            runs = sorted(t["arr"][k + 1] - t["dep"][k] for t in rec["trips"])
            assert base == pytest.approx(float(pd.Series(runs).median()))
    assert n_trips == len(net.trips)
    # G642 leaves 武汉 at 16:34 and reaches 黄石北 at 17:05 (31 min)
    (rec,) = [
        r for r in g2021.graph["services"].values() if r["trips"] and any(t["train_no"] == "G642" for t in r["trips"])
    ]
    (t,) = [t for t in rec["trips"] if t["train_no"] == "G642"]
    i = rec["stops"].index("rs_wuhan")
    assert rec["stops"][i + 1] == "rs_huangshibei"
    assert (t["dep"][i], t["arr"][i + 1]) == (994.0, 1025.0)


def test_speed_upgrade_shortens_real_hops_by_the_class_fit(g2021, g2026, net):
    """2022: Beijing-Wuhan back to 350 km/h; a hop on it runs faster by a·60·km·(1/310 − 1/350), a of the class."""
    model = net.model
    seen = set()
    for sid, rec in g2026.graph["services"].items():
        if rec["trips"] is None or sid not in g2021.graph["services"]:
            continue
        rows = net.service_stops[net.service_stops["service_id"] == sid].sort_values("seq")
        for k in range(len(rows) - 1):
            a, b = rows.iloc[k], rows.iloc[k + 1]
            if a["line"] != "jingguang_hsr" or b["line"] != "jingguang_hsr":
                continue
            lo, hi = sorted((float(a["line_km"]), float(b["line_km"])))
            over = max(0.0, min(hi, 1229.0) - lo)
            if over <= 0 or hi > 1229.0:
                continue
            run26 = g2026.edges["station:" + a["station_id"], "station:" + b["station_id"], f"{sid}#{k + 1}"]["run_min"]
            base = rec["base_run"][k]
            coef = model.fit_for(rec["train_class"]).a
            assert base - run26 == pytest.approx(coef * 60 * over * (1 / 310 - 1 / 350))
            seen.add(sid)
    assert len(seen) > 20


def test_speed_upgrade_uses_the_class_fit_not_g(net_copy):
    """A D-class service on the upgraded stretch is retimed with the D coefficients (bug: G's for all)."""
    from commute.model.graph import build_graph

    stops = pd.read_csv(net_copy / "service_stops.csv", dtype=str, keep_default_na=False)
    stops["seq"] = stops["seq"].astype(int)
    nxt = stops.merge(stops.assign(seq=stops["seq"] - 1), on=["service_id", "seq"], suffixes=("", "_b"))
    north = nxt[
        (nxt["line"] == "jingguang_hsr") & (nxt["line_b"] == "jingguang_hsr") & nxt["service_id"].str.startswith("tt:")
    ]
    north = north[
        [float(x) < 1229 and float(y) < 1229 for x, y in zip(north["line_km"], north["line_km_b"], strict=True)]
    ]
    hop = north.sort_values(["service_id", "seq"]).iloc[0]
    sid = hop["service_id"]
    _rewrite(
        net_copy, "services", lambda df: df.assign(train_class=df["train_class"].where(df["service_id"] != sid, "D"))
    )
    net = load_network(net_copy)
    g21, g26 = build_graph(net, 2021), build_graph(net, 2026)
    over = abs(float(hop["line_km_b"]) - float(hop["line_km"]))
    key = (f"station:{hop['station_id']}", f"station:{hop['station_id_b']}", f"{sid}#{hop['seq']}")
    assert g21.has_edge(*key), (key, hop.to_dict())
    drop = g21.edges[key]["run_min"] - g26.edges[key]["run_min"]
    d, g = net.model.fit_for("D").a, net.model.fit_for("G").a
    assert d != pytest.approx(g)
    assert drop == pytest.approx(d * 60 * abs(over) * (1 / 310 - 1 / 350))


def test_timetable_service_may_have_a_zero_median_hop(net_copy):
    """A timetable service's run_min is information (its trips are checked); a modelled one must be > 0."""
    stops = pd.read_csv(net_copy / "service_stops.csv", dtype=str, keep_default_na=False)
    tt_row = stops.index[stops["service_id"].str.startswith("tt:") & (stops["seq"] == "2")][0]
    model_row = stops.index[(stops["service_id"] == "hanyi") & (stops["seq"] == "2")][0]

    def zero(rows):
        def fn(df):
            df.loc[rows, "run_min"] = "0"
            return df

        return fn

    _rewrite(net_copy, "service_stops", zero([tt_row]))
    load_network(net_copy)  # no problem
    _rewrite(net_copy, "service_stops", zero([model_row]))
    with pytest.raises(ValidationError, match=f"service_stops.csv:{model_row + 2}: run_min is 0"):
        load_network(net_copy)
