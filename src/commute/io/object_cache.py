"""Built graphs and compiled engines kept on disk, keyed by content, so a repeated query skips them.

An object is a pickle under ``objects/`` in the user cache folder
(:func:`commute.io.validation_stamp.cache_dir`), named by a hash of its key (a network folder's
name and content version for its tables; the content version and year for a graph; the graph's
fingerprint, modes, measure, transfer time and parameters for an engine) and of
:func:`code_version` (every source file of commute and the versions of Python, numpy, scipy,
networkx and pandas). Changing a table, the code or a library gives a new name, so a stale
object is never read; the oldest files beyond :data:`MAX_FILES` per kind are removed. The cache
is only an optimisation: a file that cannot be read (or is corrupt) is deleted and the object
rebuilt, and an unwritable folder means objects are rebuilt every run.
``COMMUTE_OBJECT_CACHE=off`` turns it off. The files are pickles the user's own runs wrote:
they are read only from that user's cache folder, or from the installed package's
``_prebuilt/objects/`` (:func:`commute.io.validation_stamp.prebuilt_dir`: the default
network's tables, graph and engine, written by the wheel build under the same names), which is
only read, never cleaned.
"""

from __future__ import annotations

import contextvars
import gc
import hashlib
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from commute.io import validation_stamp
from commute.io.validation_stamp import cache_dir

#: Files kept per kind (network, graph, engine); the least recently written are removed beyond it.
MAX_FILES = 16


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of commute's source files and the versions of the libraries whose objects are pickled."""
    from importlib.metadata import version

    h = hashlib.sha256(sys.version.encode())
    for lib in ("numpy", "scipy", "networkx", "pandas"):
        h.update(f"{lib}={version(lib)}".encode())
    root = Path(__file__).resolve().parents[1]
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


#: False inside :func:`not_kept`.
_KEEPING: contextvars.ContextVar[bool] = contextvars.ContextVar("commute_object_cache_keeping", default=True)


@contextmanager
def not_kept() -> Iterator[None]:
    """Objects built inside are read from the cache as usual but not written to it.

    For the many one-off scenarios of a sweep or an attribution: saving each of their engines
    would take longer than it saves and push the user's own objects out of the cache.
    """
    token = _KEEPING.set(False)
    try:
        yield
    finally:
        _KEEPING.reset(token)


def _enabled() -> bool:
    return os.environ.get("COMMUTE_OBJECT_CACHE", "on").lower() not in ("off", "0", "no")


def path(kind: str, key: str) -> Path:
    """The file of object ``kind`` with ``key``."""
    digest = hashlib.sha256(f"{key}|{code_version()}".encode()).hexdigest()[:24]
    return cache_dir() / "objects" / f"{kind}-{digest}.pickle"


def load(kind: str, key: str) -> Any | None:
    """The cached object, or None (absent, disabled, unreadable or corrupt: then it is deleted)."""
    if not _enabled():
        return None
    p = path(kind, key)
    shipped = validation_stamp.prebuilt_dir()
    for f, own in ((p, True), *([(shipped / "objects" / p.name, False)] if shipped else [])):
        try:
            data = f.read_bytes()
        except OSError:
            continue
        gc.disable()  # unpickling many small objects: the collector would only slow it down
        try:
            return pickle.loads(data)
        except Exception:
            if own:
                f.unlink(missing_ok=True)
        finally:
            gc.enable()
    return None


def save(kind: str, key: str, obj: Any) -> None:
    """Write the object (atomically); silently nothing if the folder is unwritable or inside :func:`not_kept`."""
    if not _enabled() or not _KEEPING.get():
        return
    p = path(kind, key)
    tmp = p.with_name(f"{p.name}.{os.getpid()}.tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, p)
        old = sorted(p.parent.glob(f"{kind}-*.pickle"), key=lambda f: f.stat().st_mtime)
        for f in old[:-MAX_FILES]:
            f.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder cannot hold files at all (a file stands where it should be)
            pass
