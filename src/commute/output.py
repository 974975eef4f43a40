"""Writing files safely: nothing half-written is ever left behind, and no input is overwritten.

- :func:`write_atomic` writes one file through a temporary file beside it and renames it into
  place; :func:`write_set_atomic` does the same for a set of files (a snapshot set, a batch of
  maps): every file is written first, then all are renamed with SIGINT and SIGTERM held back,
  so an interrupt leaves the old set or the new one, never a mix.
- A temporary file has the final file's name inside a hidden folder beside it,
  ``.commute-<pid>-<random>/<name>``, so writers that record the file name (GeoJSON's layer
  name) write the same bytes on every run; temporaries are removed on any error or interrupt,
  and one left by a killed process (SIGKILL, power loss) is removed by the next write to that
  folder (:func:`sweep_stale`).
- :func:`refuse_inputs` refuses an output path that is one of a command's inputs or lies
  inside a folder it reads (a network folder).

Writers receive a path; callers that hold bytes or text in another encoding use
:func:`write_bytes_atomic` or ``write_text_atomic(path, text, encoding="utf-8-sig")``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from .errors import InvalidOptionError

_TMP = re.compile(r"^\.commute-(\d+)-[A-Za-z0-9_]+$")
_HELD = (signal.SIGINT, signal.SIGTERM)


def check_writable(path: Path) -> None:
    """Raise a clear error if ``path`` cannot be written (missing folder, not writable)."""
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InvalidOptionError(f"cannot write {path}: folder {parent} does not exist; create it first.")
    if not os.access(parent, os.W_OK):
        raise InvalidOptionError(f"cannot write {path}: folder {parent} is not writable; choose another path.")
    if Path(path).is_dir():
        raise InvalidOptionError(f"cannot write {path}: it is a folder; give a file name.")
    if Path(path).exists() and not os.access(path, os.W_OK):
        raise InvalidOptionError(f"cannot write {path}: the file is read-only; choose another path.")


def refuse_inputs(output: str | Path, inputs: Iterable[str | Path] = (), folders: Iterable[str | Path] = ()) -> None:
    """Raise if ``output`` is one of ``inputs`` or inside one of ``folders`` (which are read).

    Examples
    --------
    >>> refuse_inputs("out.csv", ["scenario.yaml"])
    >>> refuse_inputs("s.yaml", ["s.yaml"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    commute.errors.InvalidOptionError: -o s.yaml is an input of this command; ...
    """
    out = Path(output).resolve()
    for p in inputs:
        q = Path(p).resolve()
        if out == q or (q.is_file() and out.exists() and os.path.samefile(out, q)):
            raise InvalidOptionError(
                f"-o {output} is an input of this command; writing it would destroy it, give another file name."
            )
    for d in folders:
        q = Path(d).resolve()
        if out == q or q in out.parents:
            raise InvalidOptionError(
                f"-o {output} is inside the folder {d} that this command reads; write somewhere else."
            )


def sweep_stale(folder: Path) -> list[Path]:
    """Remove temporary files that a killed commute process left in ``folder``; return them."""
    gone = []
    with contextlib.suppress(OSError):
        for p in Path(folder).iterdir():
            m = _TMP.match(p.name)
            if m and p.is_dir() and not _alive(int(m.group(1))):
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _temp_for(path: Path) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f".commute-{os.getpid()}-", dir=path.resolve().parent))
    tmp = d / path.name
    tmp.touch(mode=0o600)
    return tmp


def _drop_temp(tmp: Path) -> None:
    """Remove a temporary file and its hidden folder (never anything else)."""
    if _TMP.match(tmp.parent.name):
        shutil.rmtree(tmp.parent, ignore_errors=True)


def _publish(tmp: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (they are delivered after it)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _fill(tmp: Path, writer: Callable[[Path], object], path: Path) -> None:
    try:
        writer(tmp)
    except OSError as e:
        raise InvalidOptionError(
            f"cannot write {path}: {e.strerror or e}; free space or choose another path."
        ) from None


def write_set_atomic(writers: Mapping[Path, Callable[[Path], object]]) -> list[Path]:
    """Write several files as one: all are written to temporary files, then renamed together.

    If any writer fails or the process is interrupted before the renames, no file is changed
    and no temporary file is left; the renames run with SIGINT and SIGTERM held back.
    """
    paths = [Path(p) for p in writers]
    for p in paths:
        check_writable(p)
    for folder in {p.resolve().parent for p in paths}:
        sweep_stale(folder)
    temps: dict[Path, Path] = {}
    try:
        for p in paths:
            temps[p] = _temp_for(p)
            _fill(temps[p], writers[p], p)
            _publish(temps[p])
        with held_signals():
            for p in paths:
                tmp = temps.pop(p)
                os.replace(tmp, p)
                _drop_temp(tmp)
    finally:
        for tmp in temps.values():
            _drop_temp(tmp)
    return paths


def write_atomic(path: Path, writer: Callable[[Path], object]) -> None:
    """Call ``writer(tmp)`` on a temporary file beside ``path`` and move it into place on success."""
    write_set_atomic({Path(path): writer})


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes atomically."""
    write_atomic(path, lambda p: p.write_bytes(data))


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text atomically (UTF-8 unless told otherwise, e.g. ``utf-8-sig`` for Excel)."""
    write_bytes_atomic(path, text.encode(encoding))
