"""Door-to-door road times between city centres, before and after, as a table in networks/README.md.

Run from the project root:

    PYTHONPATH=src python tools/road_times.py --before-rev 2dbd129 --write

The pairs: every two of the circle's nine cities, and 武汉 to every cluster city outside the circle.
A time is `commute matrix --modes road` between two cities (door to door between their centre places:
access, road, egress) on the network's default year. "before" is the network at git revision
``--before-rev`` (extracted with `git archive`), "after" the network in the working tree. ``--write``
replaces the table between the markers in networks/README.md; without it the table is printed.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from commute.io.network import load_network  # noqa: E402
from commute.model.graph import build_graph  # noqa: E402
from commute.results.travel import travel_times  # noqa: E402

NET = ROOT / "networks" / "wuhan_circle"
README = ROOT / "networks" / "README.md"
START, END = "<!-- road-times:start -->", "<!-- road-times:end -->"
CIRCLE = ["wuhan", "huangshi", "ezhou", "xiaogan", "huanggang", "xianning", "xiantao", "qianjiang", "tianmen"]
CLUSTER_OUTSIDE = [
    "xiangyang", "yichang", "jingzhou", "jingmen", "changsha", "zhuzhou", "xiangtan", "yueyang", "yiyang",
    "changde", "hengyang", "loudi", "nanchang", "jiujiang", "jingdezhen", "yingtan", "xinyu", "yichun",
    "pingxiang", "shangrao", "fuzhou_jx", "jian",
]  # fmt: skip


def pairs() -> list[tuple[str, str]]:
    """Circle pairs, then 武汉 to the cluster cities outside the circle."""
    out = [(a, b) for i, a in enumerate(CIRCLE) for b in CIRCLE[i + 1 :]]
    return out + [("wuhan", c) for c in CLUSTER_OUTSIDE]


def times(folder: Path | str) -> dict[tuple[str, str], float]:
    """Road minutes of every pair of :func:`pairs` on the network in ``folder`` (its default year)."""
    net = load_network(folder)
    G = build_graph(net)
    ids = CIRCLE + CLUSTER_OUTSIDE
    df = travel_times(G, ids, ids, modes="road")
    got = {(r.origin_id, r.destination_id): float(r.minutes) for r in df.itertuples(index=False)}
    return {p: got[p] for p in pairs()}


def network_at(rev: str, into: Path) -> Path:
    """The default network's tables at a git revision, extracted into ``into``."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "networks/wuhan_circle"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into / "networks" / "wuhan_circle"


def table(before: dict, after: dict, rev: str) -> str:
    names = {c.city_id: c.name_zh.removesuffix("市") for c in load_network(NET).tables["cities"].itertuples()}
    lines = [
        f"| from | to | before ({rev}) min | after min | change |",
        "|---|---|---:|---:|---:|",
    ]
    for a, b in pairs():
        x, y = before[(a, b)], after[(a, b)]
        lines.append(f"| {names[a]} | {names[b]} | {x:.0f} | {y:.0f} | {y - x:+.0f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before-rev", required=True, help="git revision of the 'before' network")
    ap.add_argument("--write", action="store_true", help="replace the table in networks/README.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = times(network_at(args.before_rev, Path(tmp)))
    text = table(before, times(NET), args.before_rev)
    if not args.write:
        print(text)
        return
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"networks/README.md has no {START} ... {END} markers; add them where the table goes.")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
