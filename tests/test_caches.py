"""Caches are bounded and keyed by content; a network's tables are read-only."""

from __future__ import annotations

import pytest

from commute.errors import ValidationError
from commute.io import network as N
from commute.model.graph import build_graph
from commute.results.travel import place_index


def test_network_cache_is_keyed_by_content(net_copy):
    a = N.load_network(net_copy)
    assert N.load_network(net_copy) is a
    p = net_copy / "places.csv"
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same rows, other bytes
    b = N.load_network(net_copy)
    assert b is not a and b.version != a.version and b.version == N.content_version(net_copy)
    assert N._load_cached.cache_info().maxsize == N.NETWORK_CACHE_SIZE
    assert N._load_validated.cache_info().maxsize == N.NETWORK_CACHE_SIZE


def test_network_tables_are_kept_on_disk_by_content(net_copy, tmp_path, monkeypatch):
    """A second process reads the parsed tables from the object cache, not the CSV files."""
    import shutil

    import pandas as pd

    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "cache"))
    a = N.load_network(net_copy)
    assert len(list((tmp_path / "cache" / "objects").glob("network-*.pickle"))) == 1
    other = tmp_path / "elsewhere" / net_copy.name  # the same content in another folder of that name
    shutil.copytree(net_copy, other)
    N._load_cached.cache_clear()  # as a new process
    N._load_validated.cache_clear()

    def parse(folder):
        raise AssertionError(f"parsed {folder} again")

    monkeypatch.setattr(N, "_load", parse)
    b = N.load_network(other)
    assert b is not a and b.folder == other.resolve() and b.version == a.version and b.name == a.name
    assert sorted(b.tables) == sorted(a.tables)
    for k in a.tables:
        pd.testing.assert_frame_equal(b.tables[k], a.tables[k])
    p = other / "places.csv"  # other content: parsed, not read from the cache
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed"):
        N.load_network(other)


def test_a_network_that_fails_validation_fails_every_time(net_copy):
    p = net_copy / "stations.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join([lines[0], lines[1], lines[1], *lines[2:]]) + "\n", encoding="utf-8")  # a duplicate id
    for _ in range(2):
        with pytest.raises(ValidationError):
            N.load_network(net_copy)
    assert N.load_network(net_copy, validate=False).version == N.content_version(net_copy)


def test_tables_are_read_only(net):
    before = net.tables["places"]["pop_2020"].sum()
    t = net.tables["places"]
    t.loc[t.index[0], "pop_2020"] = -1
    t["pop_2020"] = 0
    q = net.places
    q.loc[q.index[0], "pop_2020"] = -5
    assert net.tables["places"]["pop_2020"].sum() == before
    with pytest.raises(TypeError):
        net.tables["places"] = t  # type: ignore[index]


def test_place_index_is_shared_by_content(net):
    g1, g2 = build_graph(net, 2021), build_graph(net, 2026)
    assert place_index(g1) is place_index(g2)


def test_built_graphs_and_engines_are_kept_on_disk_by_content(net_copy, tmp_path, monkeypatch):
    from commute.io import object_cache
    from commute.model.scenario import graph_for
    from commute.results.travel import travel_times
    from commute.search import api

    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "objects"
    first = graph_for(network=str(net_copy), year=2021)
    a = travel_times(first, "武汉", "黄石,长沙", modes="road,rail", depart="08:00")
    assert sorted(p.name.split("-")[0] for p in folder.iterdir()) == ["engine", "graph", "network"]
    api.clear_cache()
    again = graph_for(network=str(net_copy), year=2021)
    assert again is not first and again.graph["network_obj"] is first.graph["network_obj"]
    assert sorted(again.edges(keys=True)) == sorted(first.edges(keys=True))
    b = travel_times(again, "武汉", "黄石,长沙", modes="road,rail", depart="08:00")
    assert b.equals(a)
    for p in folder.iterdir():  # a corrupt file is dropped and the object rebuilt
        p.write_bytes(b"not a pickle")
    api.clear_cache()
    N._load_cached.cache_clear()  # the network's tables too, as a new process would
    N._load_validated.cache_clear()
    assert travel_times(graph_for(network=str(net_copy), year=2021), "武汉", "黄石,长沙",
                        modes="road,rail", depart="08:00").equals(a)  # fmt: skip
    assert all(p.read_bytes() != b"not a pickle" for p in folder.iterdir())
    p = net_copy / "places.csv"  # other content: another graph file
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    graph_for(network=str(net_copy), year=2021)
    assert len(list(folder.glob("graph-*.pickle"))) == 2
    assert object_cache.path("graph", "x") != object_cache.path("engine", "x")


def test_objects_the_wheel_prebuilt_are_read_under_the_same_key_only(net_copy, tmp_path, monkeypatch):
    """A wheel's ``_prebuilt`` objects stand in for an empty user cache; never deleted, never misread."""
    import shutil

    from commute.io import object_cache, validation_stamp
    from commute.model.scenario import graph_for

    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "build"))
    built = graph_for(network=str(net_copy), year=2021)  # as the wheel build does, into its own folder
    shipped = tmp_path / "wheel" / "_prebuilt"
    shutil.copytree(tmp_path / "build" / "objects", shipped / "objects")
    monkeypatch.setattr(validation_stamp, "prebuilt_dir", lambda: shipped)
    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "user"))  # a fresh installation's user
    (name,) = [p.name for p in (shipped / "objects").glob("graph-*.pickle")]
    key = f"{built.graph['network_version']}|2021"
    assert object_cache.path("graph", key).name == name
    G = object_cache.load("graph", key)
    assert G is not None and sorted(G.edges(keys=True)) == sorted(built.edges(keys=True))
    assert object_cache.load("graph", f"{built.graph['network_version']}|2026") is None  # another key
    (shipped / "objects" / name).write_bytes(b"not a pickle")
    assert object_cache.load("graph", key) is None and (shipped / "objects" / name).exists()  # only read


def test_a_prebuilt_validation_stamp_counts_only_for_its_content(tmp_path, monkeypatch):
    from commute.io import validation_stamp

    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "user"))
    monkeypatch.setattr(validation_stamp, "prebuilt_dir", lambda: tmp_path / "_prebuilt")
    assert not validation_stamp.is_stamped("abc")
    (tmp_path / "_prebuilt" / "validated").mkdir(parents=True)
    (tmp_path / "_prebuilt" / "validated" / validation_stamp.stamp_path("abc").name).touch()
    assert validation_stamp.is_stamped("abc") and not validation_stamp.is_stamped("abd")


def test_objects_built_inside_not_kept_are_read_but_not_written(tmp_path, monkeypatch):
    from commute.io import object_cache

    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path))
    with object_cache.not_kept():
        object_cache.save("engine", "sweep subset", {"a": 1})
    assert object_cache.load("engine", "sweep subset") is None
    object_cache.save("engine", "kept", {"a": 2})
    with object_cache.not_kept():
        assert object_cache.load("engine", "kept") == {"a": 2}
    object_cache.save("engine", "after", {"a": 3})  # the block ended: kept again
    assert object_cache.load("engine", "after") == {"a": 3}
