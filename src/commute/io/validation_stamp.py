"""A persistent "validated" stamp, so an unchanged network is not re-validated on every run.

The stamp is an empty file named by the network folder's content version
(:func:`commute.io.network.content_version`) and a hash of the validating code, in a user cache
folder: ``$COMMUTE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/commute``, else
``~/.cache/commute``; under it ``validated/``. Editing any table, ``network.yaml`` or the
validation code gives a new key, so the network is validated again. The stamp is only an
optimisation: an unwritable or unreadable cache folder means the network is simply validated.

An installed wheel may also carry stamps and objects built ahead of time for the default
network (``commute/_prebuilt/``, see ``hatch_build.py``): :func:`prebuilt_dir`. They are read
where the user's cache has nothing, under the same names (so the same keys), and never written
or deleted.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

#: The modules whose rules decide whether a network is valid (their source is part of the key).
_VALIDATOR_FILES = ("network_checks.py", "network_trips.py", "network_schema.py", "network_values.py")


def cache_dir() -> Path:
    """The user cache folder of commute (``$COMMUTE_CACHE_DIR`` overrides)."""
    override = os.environ.get("COMMUTE_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "commute"


@lru_cache(maxsize=1)
def _code_version() -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _VALIDATOR_FILES:
        p = here / name
        h.update(name.encode())
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()[:12]


def prebuilt_dir() -> Path | None:
    """The folder of what the wheel build made ahead of time (absent in a source checkout).

    None when ``COMMUTE_PREBUILT=off`` (the test suite sets it, so that every test builds).
    """
    if os.environ.get("COMMUTE_PREBUILT", "on").lower() in ("off", "0", "no"):
        return None
    return Path(__file__).resolve().parents[1] / "_prebuilt"


def stamp_path(version: str) -> Path:
    """Where the stamp of network content ``version`` lives."""
    return cache_dir() / "validated" / f"{version}-{_code_version()}"


def is_stamped(version: str) -> bool:
    """Whether a network with content ``version`` was validated before by this code."""
    try:
        p = stamp_path(version)
        shipped = prebuilt_dir()
        return p.is_file() or (shipped is not None and (shipped / "validated" / p.name).is_file())
    except OSError:
        return False


def stamp(version: str) -> None:
    """Record that content ``version`` validated; silently does nothing if the cache is unwritable."""
    try:
        p = stamp_path(version)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()
    except OSError:
        pass
