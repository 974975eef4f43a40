"""Plain-text tables a planner reads in a terminal: East Asian widths, human numbers, 100 columns.

A cell's width is its display width (a Chinese character takes two columns,
``unicodedata.east_asian_width`` W or F; combining marks none), so columns of 武汉市 and
Wuhan line up. Numbers get thousands separators and never scientific notation; NaN is ``-``;
headers say their unit (``limit (min)``). A table wider than ``width`` wraps its widest text
columns (at spaces, ``;`` or anywhere in a long word) until it fits; ``width=None`` keeps
every cell on one line (``--wide``).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"origin": ["武汉市", "Ezhou"], "minutes": [61.25, 1234.5], "pop": [12_000_000, 5]})
>>> print(table(df))
origin  minutes  population
------  -------  ----------
武汉市     61.2  12,000,000
Ezhou   1,234.5           5
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: The default width of a table, in terminal columns.
DEFAULT_WIDTH = 100
#: A wrapped text column keeps at least this many columns.
MIN_WRAP = 14

#: Column names as a table header shows them (CSV and JSON keep the names).
HEADERS: dict[str, str] = {
    "limit_min": "limit (min)",
    "short_by_min": "short by (min)",
    "gain_min": "gain (min)",
    "minutes_before": "before (min)",
    "minutes_after": "after (min)",
    "mean_gain_min": "mean gain (min)",
    "pop_newly_within": "population newly within",
    "pop": "population",
    "pop_share": "population passing",
    "pop_share_passing": "population share passing",
    "trip_modes": "modes",
    "rule_name": "rule (in words)",
    "pop_affected": "population affected (2020)",
    "rules_broken": "rules broken",
    "pairs_broken": "pairs broken",
}


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters count two).

    Examples
    --------
    >>> display_width("武汉市"), display_width("Wuhan"), display_width("é")
    (6, 5, 1)
    """
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def header(name: str) -> str:
    """A column name as a header: known names from :data:`HEADERS`, else units spelled out.

    Examples
    --------
    >>> header("limit_min"), header("area_km2"), header("pop_within_60"), header("max_fare_cny")
    ('limit (min)', 'area (km²)', 'pop. within 60 min', 'max fare (CNY)')
    """
    if name in HEADERS:
        return HEADERS[name]
    m = re.fullmatch(r"pop_within_(\d+(?:\.\d+)?)", name)
    if m:
        return f"pop. within {m.group(1)} min"
    units = (("_min", "min"), ("_km2", "km²"), ("_km", "km"), ("_kmh", "km/h"), ("_s", "s"), ("_cny", "CNY"))
    for suffix, unit in units:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{name[: -len(suffix)].replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def number(v: Any, *, decimals: int = 1) -> str:
    """A number for people: thousands separators, fixed decimals, ``-`` for NaN, no exponent.

    Whole numbers (ints, or floats of 100,000 and more) get no decimals.

    Examples
    --------
    >>> number(3891360.4), number(61.25), number(float("nan")), number(12), number(0.1234, decimals=3)
    ('3,891,360', '61.2', '-', '12', '0.123')
    """
    if v is None or (isinstance(v, float | np.floating) and math.isnan(float(v))):
        return "-"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    f = float(v)
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    if abs(f) >= 100_000:
        return f"{f:,.0f}"
    return f"{f:,.{decimals}f}"


def _cell(v: Any, col: str) -> str:
    if isinstance(v, bool | np.bool_):
        if col.startswith("passed") or col == "all_pass":
            return "pass" if v else "FAIL"
        return "yes" if v else "no"
    if isinstance(v, int | float | np.integer | np.floating) or v is None:
        return number(v, decimals=3 if "share" in col else 1)
    if isinstance(v, float) or (not isinstance(v, str) and pd.isna(v)):
        return "-"
    return str(v)


def wrap(text: str, width: int) -> list[str]:
    """Lines of ``text`` at most ``width`` display columns, broken after spaces or ``;`` when possible.

    Examples
    --------
    >>> wrap("武汉市→英山县 186 min; 武汉市→黄梅县 168 min", 22)
    ['武汉市→英山县 186 min;', '武汉市→黄梅县 168 min']
    >>> wrap("Wuhan to Yingshan 186 min", 10)
    ['Wuhan to', 'Yingshan', '186 min']
    """
    if "; " in text and display_width(text) > width:
        segments = text.split("; ")
        if all(display_width(seg) + 1 <= width for seg in segments):  # whole items per line
            packed: list[str] = []
            for k, seg in enumerate(segments):
                seg += ";" if k < len(segments) - 1 else ""
                if packed and display_width(packed[-1] + " " + seg) <= width:
                    packed[-1] += " " + seg
                else:
                    packed.append(seg)
            return packed
    words = re.findall(r"\S+\s*", text) or [""]
    lines: list[str] = []
    cur = ""
    for word in words:
        if display_width((cur + word).rstrip()) <= width:
            cur += word
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur = ""
        while display_width(word.rstrip()) > width:  # a word longer than the column: cut it
            cut, used = "", 0
            for ch in word:
                cw = display_width(ch)
                if used + cw > width:
                    break
                cut, used = cut + ch, used + cw
            lines.append(cut)
            word = word[len(cut) :]
        cur = word
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def table(
    df: pd.DataFrame,
    *,
    width: int | None = DEFAULT_WIDTH,
    headers: Mapping[str, str] | None = None,
    sep: str = "  ",
) -> str:
    """``df`` as an aligned text table, wrapped to ``width`` columns (None: never wrap).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows; numeric columns are right-aligned, text left-aligned.
    width : int or None
        The widest line allowed (default 100). Text columns are wrapped, widest first, down to
        :data:`MIN_WRAP` columns; numbers are never cut, so a table of many numeric columns
        may stay wider.
    headers : mapping, optional
        Header text per column name (default: :func:`header`).
    sep : str
        Between columns.

    Returns
    -------
    str
        The table without a final newline.
    """
    if df.empty:
        return "(no rows)"
    cols = [str(c) for c in df.columns]
    heads = [(headers or {}).get(c) or header(c) for c in cols]
    cells = [[_cell(v, c) for v in df[c].tolist()] for c in cols]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    cellmax = [max((display_width(x) for x in col), default=0) for col in cells]
    natural = [max(display_width(h), c) for h, c in zip(heads, cellmax, strict=True)]
    widths = list(natural)
    if width is not None:
        # first wrap the headers at their spaces, then the widest text columns
        words = [max(display_width(w) for w in (h.split() or [""])) for h in heads]
        _shrink(widths, [max(c, w) for c, w in zip(cellmax, words, strict=True)], width, len(sep))
        floor = [w if numeric[i] else min(w, MIN_WRAP) for i, w in enumerate(widths)]
        _shrink(widths, floor, width, len(sep))
    head_lines = [wrap(h, w) for h, w in zip(heads, widths, strict=True)]
    out = _rows(head_lines, widths, numeric, sep)
    out += [sep.join("-" * w for w in widths)]
    for r in range(len(df)):
        out += _rows([wrap(col[r], w) for col, w in zip(cells, widths, strict=True)], widths, numeric, sep)
    return "\n".join(line.rstrip() for line in out)


def _shrink(widths: list[int], floor: list[int], width: int, gap: int) -> None:
    """Narrow columns towards ``floor`` until the table fits ``width``, widest column first."""
    while (total := sum(widths) + gap * (len(widths) - 1)) > width:
        free = [i for i, w in enumerate(widths) if w > floor[i]]
        if not free:
            return
        i = max(free, key=lambda j: widths[j])
        rest = [widths[j] for j in free if j != i]
        target = max(floor[i], widths[i] - (total - width), max(rest, default=0))
        widths[i] = min(target, widths[i] - 1)


def _rows(parts: list[list[str]], widths: list[int], numeric: list[bool], sep: str) -> list[str]:
    n = max(len(p) for p in parts)
    return [
        sep.join(_pad(p[k] if k < len(p) else "", w, right) for p, w, right in zip(parts, widths, numeric, strict=True))
        for k in range(n)
    ]
