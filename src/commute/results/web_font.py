"""The Chinese font of a web map, cut down to the characters the page shows and embedded in it.

A browser without a Chinese font (a headless one, a fresh Linux desktop) draws 武汉市 as empty
boxes; a page that carries its own font shows the names everywhere, offline. The font is the one
the static maps use (Noto Sans CJK SC, from the ``mplfonts`` package, SIL Open Font License),
subset with fontTools (which matplotlib already needs) to the characters of ``text``: a few
kilobytes for a map's names instead of 16 MB.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

from commute.results.maps import cjk_font_path

#: The CSS family name of the embedded font (first in the page's font stack).
FAMILY = "commute-cjk"


def font_face(text: str) -> str:
    """A CSS ``@font-face`` rule with the font subset to ``text``'s characters ("" without the font).

    >>> rule = font_face("武汉市 60 min")
    >>> rule == "" or (rule.startswith("@font-face") and "base64," in rule)
    True
    """
    path = cjk_font_path()
    chars = "".join(sorted({c for c in text if ord(c) > 0x2E7F}))  # CJK and beyond; Latin comes from the system
    if path is None or not chars:
        return ""
    data = _subset(path, chars)
    return (
        f'@font-face {{ font-family: "{FAMILY}"; '
        f'src: url(data:font/otf;base64,{base64.b64encode(data).decode("ascii")}) format("opentype"); }}'
    )


@lru_cache(maxsize=8)
def _subset(path: str, chars: str) -> bytes:
    from fontTools import subset

    opts = subset.Options()
    opts.name_IDs = ["*"]  # keep the licence and names
    opts.notdef_outline = True
    font = subset.load_font(path, opts)
    font.recalcTimestamp = False  # the same page twice is the same bytes
    try:
        sub = subset.Subsetter(opts)
        sub.populate(text=chars)
        sub.subset(font)
        buf = io.BytesIO()
        font.save(buf)
    finally:
        font.close()
    return buf.getvalue()
