"""Tables and files a planner reads: widths, numbers, encodings (commute.cli.textable, render)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from commute.cli import main
from commute.cli.render import emit, render
from commute.cli.textable import display_width, number, table, wrap
from commute.errors import InvalidOptionError


def _cols(line: str, text: str) -> int:
    """Display column where ``text`` starts in ``line``."""
    return display_width(line[: line.index(text)])


def test_east_asian_columns_line_up():
    df = pd.DataFrame(
        {"origin": ["武汉市", "Ezhou", "乌鲁木齐市"], "minutes": [61.25, 7.0, 1234.5], "x": ["a", "b", "c"]}
    )
    lines = table(df).splitlines()
    # every row's last column starts at the same display column as its header
    starts = {_cols(line, s) for line, s in zip(lines[2:], ["a", "b", "c"], strict=True)}
    assert starts == {_cols(lines[0], "x")}
    # numbers are right-aligned: their last digit ends where the header ends
    ends = {_cols(line, v) + display_width(v) for line, v in zip(lines[2:], ["61.2", "7.0", "1,234.5"], strict=True)}
    assert ends == {_cols(lines[0], "minutes") + len("minutes")}


def test_wide_table_wraps_to_100_columns_and_keeps_every_word():
    worst = "; ".join(f"武汉市→乌鲁木齐市{i} {300 + i} min (+{120 + i})" for i in range(4))
    df = pd.DataFrame({"rule": ["major_3h", "cluster_2h"], "limit_min": [180.0, 120.0], "worst": [worst, "-"]})
    text = table(df)
    assert max(display_width(line) for line in text.splitlines()) <= 100
    assert len(text.splitlines()) > 4  # it wrapped
    assert " ".join(text.split()).count("min (+") == 4
    one_line = table(df, width=None)
    assert len(one_line.splitlines()) == 4 and display_width(one_line.splitlines()[2]) > 100


def test_numbers_for_people():
    assert number(3891360.4) == "3,891,360"
    assert number(1.2e7) == "12,000,000"
    assert number(float("nan")) == "-"
    text = table(pd.DataFrame({"gravity": [3.89136e06], "limit_min": [float("nan")], "passed": [False]}))
    assert "e+" not in text and "NaN" not in text and "nan" not in text
    assert "3,891,360" in text and "limit (min)" in text and "FAIL" in text


def test_wrap_keeps_long_words_within_width():
    lines = wrap("乌鲁木齐市乌鲁木齐市 x", 6)
    assert all(display_width(x) <= 6 for x in lines)
    assert "".join(lines).replace(" ", "") == "乌鲁木齐市乌鲁木齐市x"


def test_csv_file_has_a_byte_order_mark_and_reads_back(tmp_path):
    df = pd.DataFrame({"origin": ["武汉市"], "minutes": [61.25]})
    out = tmp_path / "m.csv"
    emit(render(df, "csv"), str(out), fmt="csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert back["origin"].tolist() == ["武汉市"] and list(back.columns) == ["origin", "minutes"]


def test_encoding_option_changes_the_bytes(tmp_path):
    df = pd.DataFrame({"origin": ["武汉市"], "minutes": [61.25]})
    out = tmp_path / "m.csv"
    emit(render(df, "csv"), str(out), fmt="csv", encoding="gbk")
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(out, encoding="gbk")["origin"].tolist() == ["武汉市"]
    json_out = tmp_path / "m.json"
    emit(render(df, "json"), str(json_out), fmt="json")
    assert not json_out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_encoding_writes_nothing(tmp_path):
    out = tmp_path / "m.csv"
    with pytest.raises(InvalidOptionError, match="unknown --encoding"):
        emit("a\n", str(out), fmt="csv", encoding="klingon")
    with pytest.raises(InvalidOptionError, match="ascii cannot encode"):
        emit("武汉\n", str(out), fmt="csv", encoding="ascii")
    assert list(tmp_path.iterdir()) == []


def test_check_fits_100_columns_and_shows_why_a_pair_fails(capsys):
    assert main(["check", "--targets", "123,coverage"]) == 0
    out = capsys.readouterr().out
    assert max(display_width(line) for line in out.splitlines()) <= 100
    assert "NaN" not in out and "limit" in out and "(min)" in out  # the unit in the (wrapped) header
    # a failing pair never shows a time at or under its limit
    import re

    for m in re.finditer(r"(\d+(?:\.\d+)?) min \(\+([\d.]+)\)", out):
        assert float(m.group(2)) > 0
    assert main(["check", "--targets", "123", "--wide"]) == 0
    wide = capsys.readouterr().out
    assert max(display_width(line) for line in wide.splitlines()) > 100


def test_cli_check_csv_with_bom(tmp_path, capsys):
    out = tmp_path / "check.csv"
    assert main(["check", "--targets", "coverage", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert "武汉市" in set(df["destination"])
    assert main(["check", "--targets", "coverage", "--format", "csv"]) == 0
    stdout = capsys.readouterr().out
    assert not stdout.startswith("\ufeff")  # no mark on a terminal
    assert pd.read_csv(io.StringIO(stdout)).shape == df.shape


def test_modes_the_network_lacks_are_an_error(capsys):
    assert main(["matrix", "--origins", "武汉", "--destinations", "黄石", "--modes", "bus"]) == 2
    err = capsys.readouterr().err
    assert "has no bus services" in err and "drop bus from --modes" in err
    assert main(["matrix", "--origins", "武汉", "--destinations", "黄石", "--modes", "road,bus"]) == 2
    capsys.readouterr()
    assert main(["matrix", "--origins", "武汉", "--destinations", "黄石", "--modes", "transit"]) == 0
    capsys.readouterr()


def test_shipped_scenarios_by_name_from_anywhere(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "today_2026", "--targets", "coverage"]) == 0
    assert "today_2026: year 2026" in capsys.readouterr().out
    assert main(["check", "no_such_scenario", "--targets", "coverage"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err


def test_close_station_suggests_the_name(tmp_path, capsys):
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: t\nnetwork: wuhan_circle\nyear: 2026\nchanges:\n  - close_station: {station: 武汉站}\n", "utf-8"
    )
    assert main(["scenario", "validate", str(p)]) == 2
    assert "did you mean 武汉" in capsys.readouterr().err
