"""Rendering results as text: csv, table or json, and writing it to a file or stdout.

Imported by the verbs when they run (it imports pandas), never at parse time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from commute.errors import InvalidOptionError
from commute.output import write_text_atomic


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


def render(df: pd.DataFrame, fmt: str, *, meta: dict[str, Any] | None = None) -> str:
    """A DataFrame as csv, table or json text (NaN: empty in csv, null in json, '-' in table).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows.
    fmt : {"csv", "table", "json"}
        The text format.
    meta : dict, optional
        With json, keys written beside ``rows`` (network, year, scenario...).

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
    origin minutes
         a    61.2
         b       -
    """
    check_format(fmt)
    if fmt == "csv":
        return df.to_csv(index=False, lineterminator="\n", float_format="%.1f")
    if fmt == "json":
        recs = json.loads(df.to_json(orient="records", force_ascii=False, double_precision=3))
        return json.dumps({**(meta or {}), "rows": recs}, ensure_ascii=False, indent=2) + "\n"
    if df.empty:
        return "(no rows)\n"
    shown = df.copy()
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
    return shown.to_string(index=False) + "\n"


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


def emit(text: str, output: str | None) -> None:
    """Write ``text`` atomically to ``output``, or to stdout when it is None."""
    if output:
        write_text_atomic(Path(output), text)
    else:
        sys.stdout.write(text)
