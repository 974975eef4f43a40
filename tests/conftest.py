from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COMMUTE_SHARED_DATA", ROOT.parent / "shared" / "data"))
NETWORK = ROOT / "networks" / "wuhan_circle"
SCENARIOS = ROOT / "scenarios"


def shared_file(rel: str) -> Path:
    """A file in ../shared/data, or skip the test with the reason."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"../shared/data/{rel} is not available (tests that read real shared data skip without it)")
    return p


@pytest.fixture(scope="session")
def net():
    from commute.io.network import load_network

    return load_network()


@pytest.fixture(scope="session")
def g2021(net):
    from commute.model.graph import build_graph

    return build_graph(net, 2021)


@pytest.fixture(scope="session")
def g2026(net):
    from commute.model.graph import build_graph

    return build_graph(net, 2026)


@pytest.fixture
def net_copy(tmp_path):
    """A writable copy of the default network folder."""
    dst = tmp_path / "net"
    shutil.copytree(NETWORK, dst, ignore=shutil.ignore_patterns("sources"))
    return dst


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Validation stamps (io/validation_stamp.py) go to a fresh folder, never the user's cache.

    Nor are a wheel's prebuilt stamps and objects read (``COMMUTE_PREBUILT=off``): every test
    validates and builds what it uses.
    """
    old = os.environ.get("COMMUTE_CACHE_DIR")
    os.environ["COMMUTE_CACHE_DIR"] = str(tmp_path_factory.mktemp("commute_cache"))
    os.environ["COMMUTE_PREBUILT"] = "off"
    yield
    if old is None:
        os.environ.pop("COMMUTE_CACHE_DIR", None)
    else:
        os.environ["COMMUTE_CACHE_DIR"] = old
