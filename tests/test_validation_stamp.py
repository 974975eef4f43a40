"""The persistent validation stamp: skips re-validation of unchanged content only, and is safe."""

from __future__ import annotations

import pytest

from commute.io import network as network_mod
from commute.io import validation_stamp
from commute.io.network import content_version


def test_cache_dir_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "c"))
    assert validation_stamp.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("COMMUTE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert validation_stamp.cache_dir() == tmp_path / "x" / "commute"


def test_stamp_skips_validation_of_unchanged_content_only(monkeypatch, tmp_path, net_copy):
    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    monkeypatch.setattr(network_mod, "validate_network", lambda n: calls.append(n.version))
    network_mod._load_validated.cache_clear()
    v = content_version(net_copy.resolve())
    assert not validation_stamp.is_stamped(v)
    network_mod.load_network(net_copy)
    assert calls == [v] and validation_stamp.is_stamped(v)
    network_mod._load_validated.cache_clear()
    network_mod.load_network(net_copy)  # a new process in effect: the stamp is found
    assert calls == [v]
    (net_copy / "network.yaml").write_text((net_copy / "network.yaml").read_text() + "\n# edited\n")
    network_mod.load_network(net_copy)  # new content: validated again
    assert len(calls) == 2 and calls[1] != v
    network_mod._load_validated.cache_clear()


def test_unwritable_cache_still_validates(monkeypatch, tmp_path, net_copy):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(blocker))  # mkdir under a file fails
    calls = []
    monkeypatch.setattr(network_mod, "validate_network", lambda n: calls.append(1))
    network_mod._load_validated.cache_clear()
    network_mod.load_network(net_copy)
    network_mod._load_validated.cache_clear()
    network_mod.load_network(net_copy)
    assert calls == [1, 1]
    network_mod._load_validated.cache_clear()


def test_invalid_network_is_never_stamped(monkeypatch, tmp_path, net_copy):
    monkeypatch.setenv("COMMUTE_CACHE_DIR", str(tmp_path / "cache"))

    def fail(n):
        raise ValueError("bad")

    monkeypatch.setattr(network_mod, "validate_network", fail)
    network_mod._load_validated.cache_clear()
    with pytest.raises(ValueError):
        network_mod.load_network(net_copy)
    assert not validation_stamp.is_stamped(content_version(net_copy.resolve()))


def test_every_module_the_validator_uses_is_part_of_the_key():
    """A rule added in a new module (network_values.py) must invalidate old stamps too."""
    import commute.io.network_checks as checks
    from commute.io.validation_stamp import _VALIDATOR_FILES

    used = {
        getattr(v, "__module__", "").rsplit(".", 1)[-1] + ".py"
        for v in vars(checks).values()
        if getattr(v, "__module__", "").startswith("commute.io.network")
    }
    assert used <= set(_VALIDATOR_FILES), used - set(_VALIDATOR_FILES)
