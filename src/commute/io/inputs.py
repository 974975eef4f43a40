r"""The input boundary for text files: size limits and text encodings, detected or given.

Every text file commute reads (scenario, target and sweep YAML, network tables, timetables,
GTFS feeds) is read through :func:`read_text`, which

- refuses a file larger than a limit with one sentence (before reading it),
- honours a byte-order mark (UTF-8, UTF-16, UTF-32) and strips it,
- uses the encoding given (``--encoding``), or else UTF-8, or else detects one of the
  encodings real feeds come in (GB18030 for Chinese text, Windows-1252/Latin-1 for European
  GTFS feeds) and says so in :attr:`Text.note`, so the caller can report what it assumed.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "stops.txt"
>>> _ = p.write_bytes("stop_name\nZürich HB\n".encode("latin-1"))
>>> t = read_text(p)
>>> t.encoding, t.text.splitlines()[1], t.note
('cp1252', 'Zürich HB', 'read stops.txt as cp1252 (detected: not UTF-8); give --encoding to override')
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from commute.errors import DataNotFoundError, InvalidOptionError

#: Default size limit of a YAML file a planner writes (scenario, targets, sweep), bytes.
YAML_MAX_BYTES = 4_000_000
#: Default size limit of a table (network CSV, timetable, GTFS file), bytes.
TABLE_MAX_BYTES = 2_000_000_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Text:
    """A decoded file: its text, the encoding used and a note when it was not plain UTF-8."""

    text: str
    encoding: str
    note: str = ""


def check_encoding(name: str | None) -> str | None:
    """The codec name of ``--encoding`` (None stays None); an unknown one is a clear error."""
    if name is None or name == "":
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidOptionError(
            f"--encoding {name!r} is not a known text encoding; use e.g. utf-8, gb18030 or latin-1."
        ) from None


def check_size(path: Path, max_bytes: int, what: str = "file") -> int:
    """The size of ``path``; an error if it is missing, a folder, or over ``max_bytes``."""
    try:
        if path.is_dir():
            raise InvalidOptionError(f"{what} {path} is a folder, not a file; give a file.")
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataNotFoundError(f"{what} file {path} does not exist; check the path.") from None
    except OSError as e:
        raise InvalidOptionError(f"cannot read {what} {path}: {e.strerror}; check the path.") from None
    if size > max_bytes:
        raise InvalidOptionError(
            f"{what} {path} is {size / 1e6:,.1f} MB, over the {max_bytes / 1e6:,.1f} MB limit; "
            "split it into smaller files."
        )
    return size


def decode(data: bytes, name: str, encoding: str | None = None) -> Text:
    """Decode bytes as :func:`read_text` does (``name`` is used in the note and errors)."""
    enc = check_encoding(encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if enc is not None and codecs.lookup(codec).name != enc and not enc.startswith("utf"):
                raise InvalidOptionError(
                    f"{name} starts with a {codec} byte-order mark but --encoding is {encoding}; drop --encoding."
                )
            try:
                return Text(data[len(bom) :].decode(codec), codec, f"read {name} as {codec} (byte-order mark)")
            except UnicodeDecodeError as e:
                raise InvalidOptionError(
                    f"{name} is not valid {codec} at byte {e.start}; save it again as UTF-8."
                ) from None
    if enc is not None:
        try:
            return Text(data.decode(enc), enc, "" if enc == "utf-8" else f"read {name} as {enc} (given)")
        except UnicodeDecodeError as e:
            raise InvalidOptionError(
                f"{name} is not {enc} text (byte {e.start}); give the file's encoding with --encoding "
                "or save it as UTF-8."
            ) from None
    if b"\x00" in data:
        return _wide(data, name)
    try:
        return Text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    guess = _guess(data)
    return Text(data.decode(guess), guess, f"read {name} as {guess} (detected: not UTF-8); give --encoding to override")


def read_text(
    path: str | Path, *, encoding: str | None = None, max_bytes: int = TABLE_MAX_BYTES, what: str = "file"
) -> Text:
    """Read a text file within a size limit, in the encoding given or detected.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidOptionError
        If it is a folder, too large, or not in the encoding given.
    """
    p = Path(path)
    check_size(p, max_bytes, what)
    return decode(p.read_bytes(), p.name, encoding)


def _wide(data: bytes, name: str) -> Text:
    """UTF-16 or UTF-32 text without a byte-order mark (told by where its zero bytes fall), or an error."""
    head = data[:4096]
    n = len(head) - len(head) % 4
    zeros = {i for i in range(n) if head[i] == 0}
    candidates = []
    if n and all(head[i] == 0 for i in range(3, n, 4)):  # a code point's top byte is always zero
        candidates.append("utf-32-le")
    if n and all(head[i] == 0 for i in range(0, n, 4)):
        candidates.append("utf-32-be")
    if all(i % 2 == 1 for i in zeros):  # ASCII characters leave zeros on one side only
        candidates.append("utf-16-le")
    if all(i % 2 == 0 for i in zeros):
        candidates.append("utf-16-be")
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return Text(text, codec, f"read {name} as {codec} (detected: no byte-order mark)")
    raise InvalidOptionError(
        f"{name} contains zero bytes: it is not a text file, or in an encoding commute cannot detect; "
        "save it as UTF-8 text."
    )


def _guess(data: bytes) -> str:
    """GB18030 when every non-ASCII byte pairs as a GBK character; else Windows-1252 (or Latin-1)."""
    pairs = lone = i = 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            i += 1
        elif 0x81 <= b <= 0xFE and i + 1 < len(data) and 0xA1 <= data[i + 1] <= 0xFE:
            pairs += 1
            i += 2
        else:
            lone += 1
            i += 1
    if pairs and not lone:
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"
