"""Where numba keeps compiled kernels, and healing a cache that a crash or a full disk corrupted.

:func:`configure` points numba's on-disk cache at a folder of the user's cache directory that
commute manages (``$XDG_CACHE_HOME/commute/numba-<numba version>``, or ``NUMBA_CACHE_DIR``
when the user set it), rather than ``__pycache__`` beside the package, which may be read-only
or shared by several installs. numba writes cache files through a temporary file and a rename,
so concurrent runs do not corrupt them; a file corrupted anyway (a crash mid-write on some
file systems, a disk that filled) makes numba raise on load. :func:`healing` wraps a compiled
function: on an error raised from numba's cache loading, it drops that function's cache
entries and compiles again, once, so no later run needs the cache deleted by hand.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def numba_version() -> str | None:
    """The installed numba's version, read without importing numba (None if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("numba")
    except PackageNotFoundError:
        return None


def cache_dir() -> Path:
    """The folder numba's cache goes to (created when first used)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "commute" / f"numba-{numba_version()}"


def is_cached(fn: Any) -> bool:
    """Whether numba's cache holds code compiled from the current source of plain function ``fn``.

    Read from numba's index file (``<module>.<name>-<first line>.pyXY.nbi`` in a folder named
    by the source folder's path) without importing numba: it must exist and be no older than
    the source file (numba writes it after compiling that source; an index of an earlier
    edition of the file, say before an upgrade, would only make numba compile again).
    """
    code = fn.__code__
    src = Path(code.co_filename).resolve()
    folder = cache_dir() / f"{src.parent.name}_{hashlib.sha1(str(src.parent).encode()).hexdigest()}"
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    index = folder / f"{src.stem}.{fn.__qualname__}-{code.co_firstlineno}.{tag}.nbi"
    try:
        return index.stat().st_mtime >= src.stat().st_mtime
    except OSError:
        return False


def configure() -> None:
    """Point numba's cache at :func:`cache_dir` (call before decorating with ``cache=True``)."""
    import numba

    if not os.environ.get("NUMBA_CACHE_DIR"):
        d = cache_dir()
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError:  # no writable home: numba falls back to its own locations
            return
        setattr(numba.config, "CACHE_DIR", str(d))  # noqa: B010 - numba.config has no stubs


def _from_cache(e: BaseException) -> bool:
    return any(Path(fr.filename).name == "caching.py" for fr in traceback.extract_tb(e.__traceback__))


def healing(fn: Any, *callees: Any) -> Callable[..., Any]:
    """``fn`` (a numba dispatcher) that rebuilds its cache entry (and its callees') when loading it fails."""

    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as e:
            if not _from_cache(e) or getattr(fn, "_cache", None) is None:
                raise
            log.warning("compiled-kernel cache of %s is corrupt (%s); rebuilding it", fn.__name__, e)
            for f in (fn, *callees):
                drop(f)
            return fn(*args)

    call.__name__ = getattr(fn, "__name__", "kernel")
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call


def drop(fn: Any) -> None:
    """Remove every cache file of one compiled function (its index and data files)."""
    folder = Path(fn._cache._cache_path)
    base = str(fn._cache._impl.filename_base)
    for p in [folder / f"{base}.nbi", *folder.glob(f"{base}.*.nbc")]:
        p.unlink(missing_ok=True)


def clear() -> int:
    """Remove every cache file in the folder commute manages; return how many."""
    d = cache_dir()
    n = 0
    for p in [*d.rglob("*.nbi"), *d.rglob("*.nbc")] if d.is_dir() else []:
        p.unlink(missing_ok=True)
        n += 1
    return n


def retry_if_corrupt(run: Callable[[], Any]) -> Any:
    """``run()``; if numba's cache loading fails, clear the managed cache and run once more."""
    try:
        return run()
    except Exception as e:
        if not _from_cache(e):
            raise
        log.warning("compiled-kernel cache is corrupt (%s); rebuilding it", e)
        clear()
        return run()
