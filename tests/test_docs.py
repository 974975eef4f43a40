"""The documentation builds with warnings as errors (broken links, bad docstrings, missing pages)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ("mkdocs", "mkdocs_jupyter", "mkdocstrings_handlers.python", "material")


def _missing() -> list[str]:
    out = []
    for m in PLUGINS:
        try:
            found = importlib.util.find_spec(m) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            out.append(m)
    return out


@pytest.mark.skipif(bool(_missing()), reason=f"the docs extra is not installed: pip install '.[docs]' ({_missing()})")
def test_docs_build_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    site = tmp_path / "site"
    # the API pages hold the docstrings, the formats pages the included READMEs, the notebooks render
    assert "travel_times" in (site / "api" / "results" / "index.html").read_text(encoding="utf-8")
    assert "open_project" in (site / "formats" / "scenarios" / "index.html").read_text(encoding="utf-8")
    assert (site / "notebooks" / "01_targets_today" / "index.html").is_file()
