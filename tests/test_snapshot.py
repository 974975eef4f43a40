from __future__ import annotations

import importlib.metadata
import shutil

import pandas as pd
import pytest

from commute.cli import main
from commute.errors import DataNotFoundError, InvalidOptionError
from commute.results.snapshot import check_snapshots, parse_tolerances, read_snapshot, report, write_snapshots
from commute.testing import ReachChanged, assert_reach_unchanged

from .conftest import NETWORK, ROOT, SCENARIOS

PINNED = ROOT / "tests" / "snapshots"


def test_shipped_scenarios_are_pinned(reach_snapshot):
    """The project's own regression test: every shipped scenario's reach metrics are pinned.

    After an intended change, rewrite them with `pytest --commute-update-snapshots` (or
    `commute snapshot write scenarios/*.yaml -o tests/snapshots`) and review the diff.
    """
    shipped = {p.stem for p in SCENARIOS.glob("*.yaml")}
    pinned = {p.name[: -len(".targets.csv")] for p in PINNED.glob("*.targets.csv")}
    assert shipped == pinned
    reach_snapshot(PINNED)


def test_write_then_check_and_determinism(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    scen = [SCENARIOS / "base_2021.yaml"]
    files = write_snapshots(scen, a, targets="123")
    write_snapshots(scen, b, targets="123")
    assert len(files) == 3
    for f in files:
        assert f.read_bytes() == (b / f.name).read_bytes()
    meta, df = read_snapshot(a / "base_2021.targets.csv")
    assert meta["scenario_hash"] and meta["network_version"] and meta["year"] == "2021"
    assert list(df.columns[:4]) == ["targets", "rule", "origin_id", "destination_id"]
    assert df.equals(df.sort_values(["targets", "rule", "origin_id", "destination_id"]).reset_index(drop=True))
    diffs, _ = check_snapshots(a)
    assert diffs == []
    assert_reach_unchanged(a)


def test_editing_one_network_row_is_caught(tmp_path):
    net = tmp_path / "net"
    shutil.copytree(NETWORK, net, ignore=shutil.ignore_patterns("sources"))
    sc = tmp_path / "s.yaml"
    sc.write_text(f"name: copy\nnetwork: {net}\nyear: 2026\nchanges: []\n", encoding="utf-8")
    snap = tmp_path / "snap"
    write_snapshots([sc], snap, targets="huangshi_134")
    links = pd.read_csv(net / "road_links.csv", dtype=str, keep_default_na=False)
    row = links["link_id"] == "g50_east:6"  # 下陆区–鄂城区 on the way from Huangshi to Wuhan
    links.loc[row, "speed_kmh"] = "30"
    links.to_csv(net / "road_links.csv", index=False, lineterminator="\n")
    diffs, notes = check_snapshots(snap)
    assert diffs
    text = report(diffs, notes)
    assert "minutes:" in text and "->" in text
    moved = [d for d in diffs if d.metric == "minutes" and d.key.startswith("huangshi_134/major_4h/huangshi/")]
    assert moved and all(d.new > d.old for d in moved)
    assert any("network version" in n for n in notes)
    with pytest.raises(ReachChanged, match="metric\\(s\\) moved"):
        assert_reach_unchanged(snap)
    assert main(["snapshot", "check", str(snap)]) == 1
    # a loose enough tolerance accepts the change
    diffs, _ = check_snapshots(snap, tolerances={"minutes": 1000, "share": 1, "gravity": 1e12, "pop": 1e12})
    assert all(d.metric == "passed" for d in diffs)


def test_tolerances_and_errors(tmp_path, capsys):
    assert parse_tolerances("minutes=0.5, share=0.01") == {"minutes": 0.5, "share": 0.01}
    for bad in ("minutes", "speed=3", "minutes=x", "minutes=-1"):
        with pytest.raises(InvalidOptionError):
            parse_tolerances(bad)
    with pytest.raises(DataNotFoundError, match="no snapshots"):
        check_snapshots(tmp_path)
    assert main(["snapshot", "check", str(tmp_path)]) == 2
    assert "no snapshots" in capsys.readouterr().err


def test_cli_write_and_check(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["snapshot", "write", str(SCENARIOS / "today_2026.yaml"), "--targets", "coverage", "-o", str(out)]) == 0
    assert main(["snapshot", "check", str(out)]) == 0
    assert "snapshots unchanged" in capsys.readouterr().out


def test_plugin_is_registered():
    eps = importlib.metadata.entry_points(group="pytest11")
    assert any(ep.value == "commute.pytest_plugin" for ep in eps)
