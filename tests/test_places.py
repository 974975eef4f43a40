from __future__ import annotations

import pandas as pd
import pytest

from commute.errors import UnknownPlaceError
from commute.io.network import load_network
from commute.model.places import PlaceIndex


@pytest.fixture(scope="module")
def idx(net):
    return PlaceIndex(net)


@pytest.mark.parametrize("text", ["武汉", "武汉市", "wuhan", "420100", " 武汉 "])
def test_city_by_any_name(idx, text):
    ep = idx.resolve(text)
    assert ep.key == "wuhan" and ep.kind == "city" and ep.place == "jianghan"


@pytest.mark.parametrize("text", ["江夏区", "江夏", "jiangxia", "420115"])
def test_district_by_any_name(idx, text):
    assert idx.resolve(text).key == "jiangxia"


def test_city_preferred_over_same_named_unit(idx):
    assert idx.resolve("仙桃").kind == "city"


def test_unknown_lists_candidates(idx):
    with pytest.raises(UnknownPlaceError, match="unknown place '武昌区x'.*武昌区"):
        idx.resolve("武昌区x")
    with pytest.raises(UnknownPlaceError, match="empty place"):
        idx.resolve("")


def test_groups(idx):
    assert len(idx.group("circle")) == 9
    assert len(idx.group("cluster")) == 31
    assert len(idx.group("major")) == 36
    assert len(idx.group("circle_places")) == 48
    keys = [e.key for e in idx.resolve_many("黄石,circle")]
    assert keys[0] == "huangshi" and len(keys) == 10 and "wuhan" in keys


def test_ambiguous_name_lists_candidates(net_copy):
    path = net_copy / "places.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    extra = df[df["place_id"] == "jiangxia"].copy()
    extra["place_id"] = "jiangxia2"
    extra["code"] = "999999"
    pd.concat([df, extra]).to_csv(path, index=False, lineterminator="\n")
    idx = PlaceIndex(load_network(net_copy, validate=False))
    with pytest.raises(UnknownPlaceError, match="ambiguous.*jiangxia.*jiangxia2"):
        idx.resolve("江夏区")


def test_stations_of_endpoints(idx):
    assert "rs_hankou" in idx.resolve("武汉").stations
    assert idx.resolve("黄石").stations  # the city has stations
