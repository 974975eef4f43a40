"""Rendering results as text: csv, table or json, and writing it to a file or stdout.

Tables are laid out by :mod:`commute.cli.textable` (East Asian widths, numbers for people,
100 columns unless ``--wide``). Files are written atomically; CSV files in ``utf-8-sig`` (a
byte-order mark, so that a spreadsheet on a Chinese Windows machine reads 武汉市 right) unless
``--encoding`` says otherwise; everything else in UTF-8. Imported by the verbs when they run
(it imports pandas), never at parse time.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from commute.cli.textable import DEFAULT_WIDTH, table
from commute.errors import InvalidOptionError
from commute.output import write_atomic

#: The encoding of CSV files written with ``-o`` (a byte-order mark for spreadsheets).
CSV_ENCODING = "utf-8-sig"


def check_format(fmt: str, allowed: tuple[str, ...] = ("csv", "table", "json")) -> None:
    """Raise :class:`~commute.errors.InvalidOptionError` unless ``fmt`` is one of ``allowed``.

    Examples
    --------
    >>> check_format("csv")
    >>> check_format("xml")
    Traceback (most recent call last):
    ...
    commute.errors.InvalidOptionError: unknown format 'xml'; use csv, table or json.
    """
    if fmt not in allowed:
        raise InvalidOptionError(f"unknown format {fmt!r}; use {', '.join(allowed[:-1])} or {allowed[-1]}.")


def render(df: pd.DataFrame, fmt: str, *, meta: dict[str, Any] | None = None, width: int | None = DEFAULT_WIDTH) -> str:
    """A DataFrame as csv, table or json text (NaN: empty in csv, null in json, '-' in table).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows.
    fmt : {"csv", "table", "json"}
        The text format.
    meta : dict, optional
        With json, keys written beside ``rows`` (network, year, scenario...).
    width : int or None
        With table, the widest line (default 100; None: one line per row, ``--wide``).

    Returns
    -------
    str
        The text, ending in a newline.

    Raises
    ------
    InvalidOptionError
        If ``fmt`` is not one of the three.

    Examples
    --------
    >>> df = pd.DataFrame({"origin": ["a", "b"], "minutes": [61.25, float("nan")]})
    >>> print(render(df, "csv"), end="")
    origin,minutes
    a,61.2
    b,
    >>> print(render(df, "table"), end="")
    origin  minutes
    ------  -------
    a          61.2
    b             -
    """
    check_format(fmt)
    if fmt == "csv":
        return df.to_csv(index=False, lineterminator="\n", float_format="%.1f")
    if fmt == "json":
        recs = json.loads(df.to_json(orient="records", force_ascii=False, double_precision=3))
        return json.dumps({**(meta or {}), "rows": recs}, ensure_ascii=False, indent=2) + "\n"
    return table(df, width=width) + "\n"


def table_width(args: argparse.Namespace) -> int | None:
    """The table width a verb's options ask for: None with ``--wide``, else 100."""
    return None if getattr(args, "wide", False) else DEFAULT_WIDTH


def records(df: pd.DataFrame) -> Any:
    """The rows of ``df`` as a list of dicts for json (rounded like :func:`rounded`)."""
    return json.loads(rounded(df).to_json(orient="records", force_ascii=False))


def dumps(payload: Any) -> str:
    """``payload`` as indented json text with the characters as they are, ending in a newline."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with float columns rounded: shares to 3 decimals, everything else to 1.

    Examples
    --------
    >>> rounded(pd.DataFrame({"minutes": [1.26], "pop_share": [0.12345]})).iloc[0].tolist()
    [1.3, 0.123]
    """
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(3 if "share" in c else 1)
    return out


def file_encoding(fmt: str | None, output: str | None, encoding: str | None = None) -> str:
    """The encoding of a file written with ``-o``.

    ``encoding`` if given (checked), else ``utf-8-sig`` for CSV (``--format csv`` or a ``.csv``
    file) and ``utf-8`` otherwise.

    Examples
    --------
    >>> file_encoding("csv", "out.csv"), file_encoding("json", "out.json"), file_encoding("csv", "x", "gbk")
    ('utf-8-sig', 'utf-8', 'gbk')
    >>> file_encoding("csv", "x", "klingon")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    commute.errors.InvalidOptionError: unknown --encoding 'klingon'; use a Python codec name such as ...
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidOptionError(
                f"unknown --encoding {encoding!r}; use a Python codec name such as utf-8-sig, utf-8 or gbk."
            ) from None
        return encoding
    is_csv = fmt == "csv" or (output is not None and Path(output).suffix.lower() == ".csv")
    return CSV_ENCODING if is_csv else "utf-8"


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``, or an error naming the first character it cannot hold."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as e:
        bad = e.object[e.start : e.end]
        raise InvalidOptionError(
            f"the output holds {bad!r}, which {encoding} cannot encode; use --encoding utf-8-sig (the default)."
        ) from None


def emit(text: str, output: str | None, *, fmt: str | None = None, encoding: str | None = None) -> None:
    """Write ``text`` atomically to ``output`` (see :func:`file_encoding`), or to stdout when it is None.

    Missing folders of ``output`` are created (after every check has passed).

    On stdout the text goes as the terminal takes it (no byte-order mark) unless ``encoding``
    is given, in which case its bytes are written as they are.
    """
    if output:
        from commute.results.maps import check_creatable, make_folder

        data = encode(text, file_encoding(fmt, output, encoding))
        check_creatable(Path(output))
        make_folder(Path(output))

        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

        write_atomic(Path(output), write)
    elif encoding:
        data = encode(text, file_encoding(fmt, output, encoding))
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(text)


def emit_for(args: argparse.Namespace, text: str) -> None:
    """:func:`emit` with a verb's ``-o``, ``--format`` and ``--encoding``."""
    emit(text, args.output, fmt=getattr(args, "format", None), encoding=getattr(args, "encoding", None))
