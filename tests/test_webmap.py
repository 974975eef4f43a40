"""The HTML map works offline: rendered in headless Chromium with no network (Debian's package).

Chromium is not installed by the test suite or .ci/run: without it the rendering tests skip,
saying how to install it (``apt-get install -y chromium``, about a minute from Debian's
registry). The page's own checks (no external script, every part present) run regardless.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from commute.model.scenario import graph_for
from commute.results.isochrones import isochrones
from commute.results.maps import write_isochrones

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not found; install Debian's package: apt-get install -y chromium"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    G = graph_for(year=2026)
    path = tmp_path_factory.mktemp("web") / "wuhan.html"
    write_isochrones(isochrones(G, "武汉", "60,120"), G, path)
    return path


def _chromium(tmp_path, *args):
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def test_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=", html)
    assert "L.map(" in html and "Leaflet" in html  # the library is inlined
    assert "tile.openstreetmap.org" not in html.split("commute-data")[1]  # no tiles by default
    assert "武汉市" in html and "commute-legend" in html and "<title>武汉市: reach" in html


@needs_chromium
def test_renders_offline_with_legend_title_origin_and_labels(page, tmp_path):
    r = _chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = r.stdout
    assert 'data-rendered="yes"' in dom, r.stderr[-2000:]  # the script ran to the end
    assert 'id="commute-legend"' in dom and "60–120 min" in dom
    assert "commute-origin" in dom and "武汉市" in dom  # origin marker with its name
    assert dom.count("commute-label") >= 5  # city names
    assert dom.count("leaflet-interactive") > 10  # bands, lines, markers drawn as SVG


@needs_chromium
def test_screenshot_is_not_blank(page, tmp_path):
    import matplotlib.image as mpimg

    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=900,700", page.as_uri())
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[0] >= 600
    colours = np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colours) > 50  # bands, lines, labels: not a blank or one-colour page
    assert img.std() > 0.05


def test_page_carries_a_font_for_every_chinese_name_it_shows(page):
    """A browser without a Chinese font (headless Chromium here) must still draw 武汉市, not boxes."""
    import base64
    import io
    import json

    from fontTools.ttLib import TTFont

    from commute.results.maps import cjk_font_path

    if cjk_font_path() is None:
        pytest.skip("no Chinese font to embed (the mplfonts package is not installed)")
    html = page.read_text(encoding="utf-8")
    m = re.search(r'font-family: "commute-cjk"; src: url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)', html)
    assert m, "no embedded font"
    assert '.leaflet-container { font-family: "commute-cjk"' in html  # the labels use it, not Leaflet's Arial
    cmap = TTFont(io.BytesIO(base64.b64decode(m.group(1)))).getBestCmap()
    data = json.loads(html.split('id="commute-data">')[1].split("</script>")[0])
    shown = "".join(p["name"] for p in data["labels"]) + data["origin"]["name"]
    missing = {c for c in shown if ord(c) > 0x2E7F and ord(c) not in cmap}
    assert not missing and len(cmap) < 2000  # every name's characters, and a subset, not the whole font


def test_the_origins_city_is_named_once(page):
    """The origin's tag names 武汉市; a second 武汉 label would sit under it."""
    import json

    html = page.read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="commute-data">(.*?)</script>', html, re.S).group(1)
    )
    names = [p["name"] for p in data["labels"]]
    assert data["origin"]["name"] == "武汉市" and "武汉" not in names
    assert {"孝感", "黄石", "鄂州"} <= set(names)  # the other cities keep theirs
