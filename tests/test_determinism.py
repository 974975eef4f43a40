"""Determinism: every output format, written twice, gives identical bytes.

The two runs are a second apart (dates in PDF, SVG and GeoPackage files have one-second
resolution) and in different processes with different hash seeds (set and dict order of
strings), each in its own folder with the same file names. Formats: CSV and JSON (``commute
matrix``; snapshot sets are compared in ``tests/test_snapshot.py``), PNG, SVG, PDF, GeoJSON,
GeoPackage and HTML (one batch of maps through
:func:`commute.results.map_files.write_isochrone_set`, the path ``commute isochrones`` takes)
and Parquet (a sweep results part).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from commute.cli import main
from tests.conftest import ROOT

MAP_EXTS = (".png", ".svg", ".pdf", ".geojson", ".gpkg", ".html")


def write_all(out: Path) -> list[Path]:
    """Write one file of every format into ``out``; return the paths (relative to ``out``)."""
    from commute.model.scenario import graph_for
    from commute.results.isochrones import isochrones
    from commute.results.map_files import MapFile, write_isochrone_set
    from commute.sweep.evaluate import ROW_COLUMNS
    from commute.sweep.store import write_part

    out.mkdir(parents=True, exist_ok=True)
    m = ["matrix", "--origins", "武汉,黄石", "--destinations", "鄂州,孝感"]
    assert main([*m, "-o", str(out / "matrix.csv")]) == 0
    assert main([*m, "--format", "json", "-o", str(out / "matrix.json")]) == 0
    G = graph_for()
    iso = isochrones(G, "鄂州", "60")
    write_isochrone_set([MapFile(iso, G, out / f"map{ext}", title="鄂州") for ext in MAP_EXTS])
    rows = pd.DataFrame([dict.fromkeys(ROW_COLUMNS, "x") | {"scenario": f"s{i}", "value": i / 3} for i in range(4)])
    (out / "sweep").mkdir(exist_ok=True)
    write_part(out / "sweep", rows)
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def test_every_output_format_twice_gives_identical_bytes(tmp_path):
    first = write_all(tmp_path / "a")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    code = "import sys, pathlib, tests.test_determinism as t; t.write_all(pathlib.Path(sys.argv[1]))"
    r = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "b")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    second = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert first == second
    exts = {p.suffix for p in first}
    assert exts >= {".csv", ".json", ".parquet", *MAP_EXTS}, exts  # every format was written
    differ = [str(p) for p in first if (tmp_path / "a" / p).read_bytes() != (tmp_path / "b" / p).read_bytes()]
    assert differ == [], f"these differ between two runs: {differ}"
