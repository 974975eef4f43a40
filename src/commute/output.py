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
- A set of several files commits through a journal: once every file is written, a
  ``commit.json`` listing the renames is put in place (one atomic rename: the commit point),
  then the files are renamed. A process killed during the renames leaves the journal, and
  :func:`sweep_stale` finishes them, so after SIGKILL the set is old (killed before the commit
  point) or new (after it) once the folder is swept, never a mix.
- :func:`refuse_inputs` refuses an output path that is one of a command's inputs or lies
  inside a folder it reads (a network folder).

Writers receive a path; callers that hold bytes or text in another encoding use
:func:`write_bytes_atomic` or ``write_text_atomic(path, text, encoding="utf-8-sig")``.
"""

from __future__ import annotations

import contextlib
import json
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
#: In a set's temporary folder: the path of the set's journal (see :func:`write_set_atomic`).
_SET = ".commute-set"
_JOURNAL = "commit.json"


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
    """Clean up after a killed commute process in ``folder``; return the temporary folders removed.

    A temporary folder of a set that had reached its commit point has its set's renames
    finished first (the new set is complete); any other is removed (the old files stay).
    """
    gone = []
    with contextlib.suppress(OSError):
        for p in sorted(Path(folder).iterdir()):
            m = _TMP.match(p.name)
            if m and p.is_dir() and not _alive(int(m.group(1))):
                _finish_set(p)
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p)
    return gone


def _finish_set(tmp_dir: Path) -> None:
    """If ``tmp_dir`` belongs to a committed set (its journal exists), do the renames left."""
    with contextlib.suppress(OSError, ValueError, TypeError):
        journal = tmp_dir / _JOURNAL
        if not journal.exists():
            journal = Path((tmp_dir / _SET).read_text(encoding="utf-8"))
        renames = json.loads(journal.read_text(encoding="utf-8"))
        for tmp, final in renames:
            if Path(tmp).exists():
                os.replace(tmp, final)
        journal.unlink()


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
    and no temporary file is left; the renames run with SIGINT and SIGTERM held back, after a
    journal is committed that lets :func:`sweep_stale` finish them if the process is killed.
    """
    paths = [Path(p) for p in writers]
    for p in paths:
        check_writable(p)
    for folder in {p.resolve().parent for p in paths}:
        sweep_stale(folder)
    temps: dict[Path, Path] = {}
    journal = _journal_for(paths[0]) if len(paths) > 1 else None
    try:
        for p in paths:
            temps[p] = _temp_for(p)
            if journal is not None:
                (temps[p].parent / _SET).write_text(str(journal), encoding="utf-8")
            _fill(temps[p], writers[p], p)
            _publish(temps[p])
        with held_signals():
            if journal is not None:  # the commit point: from here on the new set is what a sweep completes
                part = journal.with_name(_JOURNAL + ".part")
                part.write_text(json.dumps([[str(t), str(p.resolve())] for p, t in temps.items()]), encoding="utf-8")
                os.replace(part, journal)
            for p in paths:
                tmp = temps.pop(p)
                os.replace(tmp, p)
                _drop_temp(tmp)
            if journal is not None:
                journal.unlink()
    finally:
        if journal is not None and journal.exists():  # a rename failed after the commit point: finish
            _finish_set(journal.parent)
        for tmp in temps.values():
            _drop_temp(tmp)
        if journal is not None:
            _drop_temp(journal)
    return paths


def _journal_for(path: Path) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f".commute-{os.getpid()}-", dir=path.resolve().parent))
    return d / _JOURNAL


def write_atomic(path: Path, writer: Callable[[Path], object]) -> None:
    """Call ``writer(tmp)`` on a temporary file beside ``path`` and move it into place on success."""
    write_set_atomic({Path(path): writer})


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes atomically."""
    write_atomic(path, lambda p: p.write_bytes(data))


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text atomically (UTF-8 unless told otherwise, e.g. ``utf-8-sig`` for Excel)."""
    write_bytes_atomic(path, text.encode(encoding))
