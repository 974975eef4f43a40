"""Writing files safely: nothing half-written is ever left behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import InvalidOptionError


def check_writable(path: Path) -> None:
    """Raise a clear error if ``path`` cannot be written (missing folder, not writable)."""
    parent = path.resolve().parent
    if not parent.is_dir():
        raise InvalidOptionError(f"cannot write {path}: folder {parent} does not exist; create it first.")
    if not os.access(parent, os.W_OK):
        raise InvalidOptionError(f"cannot write {path}: folder {parent} is not writable; choose another path.")
    if path.is_dir():
        raise InvalidOptionError(f"cannot write {path}: it is a folder; give a file name.")


def write_atomic(path: Path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp)`` on a temporary file beside ``path`` and move it into place on success."""
    path = Path(path)
    check_writable(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.resolve().parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8) atomically."""

    def write(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    write_atomic(path, write)
