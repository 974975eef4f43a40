"""Writing isochrone maps and polygons to files: one at a time or a batch as one atomic set.

Every format is written by a *writer*, a function of the temporary path (see
:mod:`commute.output`), so that a batch of maps (``commute isochrones`` with several
``--origin`` or ``--scenario``) is written with :func:`commute.output.write_set_atomic`: each
map is drawn and saved to a hidden temporary file, and only when all of them are written are
they renamed into place together. An error or an interrupt half-way leaves the old files.

The bytes do not depend on when or where a file was written (see the README, "Input and
output"): PDF and SVG carry no creation date, SVG ids use a fixed salt, GeoPackage
timestamps are fixed (``OGR_CURRENT_DATE``) and GeoJSON has no file name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from commute.output import write_set_atomic
from commute.results.maps import MAP_FORMATS, POLYGON_FORMATS, check_output, make_folder, plot_isochrones

#: Fixed GeoPackage timestamp (``gpkg_contents.last_change`` and metadata), for identical bytes.
GPKG_DATE = "2000-01-01T00:00:00Z"
#: Matplotlib metadata per format: no dates and a fixed creator, so two runs give the same bytes.
SAVE_METADATA: dict[str, dict[str, Any]] = {
    ".png": {"Software": "commute"},
    ".svg": {"Date": None, "Creator": "commute"},
    ".pdf": {"CreationDate": None, "ModDate": None, "Creator": "commute", "Producer": "commute"},
}


@dataclass(frozen=True)
class MapFile:
    """One file of a batch: isochrones, the graph they come from, the path and options."""

    iso: Any
    G: nx.MultiDiGraph
    path: Path
    base: Any | None = None
    title: str | None = None
    tiles: str | None = None


@contextlib.contextmanager
def _gdal_date() -> Iterator[None]:
    old = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = GPKG_DATE
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = old


def isochrone_writer(m: MapFile) -> Callable[[Path], None]:
    """A function writing ``m`` (format from ``m.path``'s extension) to a given path."""
    ext = m.path.suffix.lower()
    if ext in MAP_FORMATS:

        def save(tmp: Path) -> None:
            import matplotlib
            import matplotlib.pyplot as plt

            with matplotlib.rc_context({"svg.hashsalt": "commute"}):
                fig = plot_isochrones(m.iso, m.G, base=m.base, title=m.title)
                try:
                    fig.savefig(
                        tmp,
                        dpi=150,
                        format=ext[1:],
                        bbox_inches="tight",
                        pad_inches=0.08,
                        metadata=SAVE_METADATA[ext],
                    )
                finally:
                    plt.close(fig)

        return save
    if ext in POLYGON_FORMATS:
        from commute.results.isochrones import gained

        out = m.iso if m.base is None else gained(m.base, m.iso).assign(origin=m.iso["origin"].iloc[0])
        if ext == ".gpkg":

            def gpkg(tmp: Path) -> None:
                with _gdal_date():
                    out.to_file(tmp, driver="GPKG", layer="isochrones")

            return gpkg
        return lambda tmp: out.to_file(tmp, driver="GeoJSON")

    def html(tmp: Path) -> None:
        from commute.results.webmap import html_map

        tmp.write_text(html_map(m.iso, G=m.G, base=m.base, tiles=m.tiles), encoding="utf-8")

    return html


def write_isochrone_set(
    files: Sequence[MapFile], *, progress: Callable[[int, Path], object] | None = None
) -> list[Path]:
    """Write a batch of maps as one set: all of them, or (after an error or interrupt) none.

    ``progress(i, path)`` is called when the i-th file (from 1) has been drawn and saved to its
    temporary file; the files are renamed into place after the last one.

    Raises
    ------
    InvalidOptionError
        If a path has an unknown extension, cannot be written, or two maps share a path.
    """
    paths = [check_output(m.path) for m in files]
    seen: dict[Path, int] = {}
    for i, p in enumerate(paths):
        j = seen.setdefault(p.resolve(), i)
        if j != i:
            from commute.errors import InvalidOptionError

            raise InvalidOptionError(
                f"maps {j + 1} and {i + 1} would both be written to {p}; use {{origin}} and {{scenario}} in -o."
            )
    for p in paths:
        make_folder(p)

    def counted(i: int, p: Path, write: Callable[[Path], None]) -> Callable[[Path], None]:
        def w(tmp: Path) -> None:
            write(tmp)
            if progress is not None:
                progress(i, p)

        return w

    writers = {p: counted(i, p, isochrone_writer(m)) for i, (p, m) in enumerate(zip(paths, files, strict=True), 1)}
    return write_set_atomic(writers)


def write_isochrones(
    iso: Any,
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    base: Any | None = None,
    title: str | None = None,
    tiles: str | None = None,
) -> Path:
    """Write a map (PNG, SVG, PDF), polygons (GeoJSON, GeoPackage) or an HTML map, atomically.

    ``tiles`` (HTML only): None for an offline page, ``"osm"`` or an URL template for tiles.
    The folder of ``path`` is created if it is missing.
    """
    return write_isochrone_set([MapFile(iso, G, Path(path), base, title, tiles)])[0]
