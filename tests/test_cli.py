from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from commute.cli import main

from .conftest import SCENARIOS

ACCEPT = [
    "matrix",
    "--origins",
    "武汉",
    "--destinations",
    "黄石,长沙,北京",
    "--modes",
    "rail",
    "--measure",
    "station_to_station",
    "--format",
    "csv",
]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_matrix_acceptance_2021_and_2026(capsys):
    code, out21, err = run(capsys, *ACCEPT, "--year", "2021")
    assert code == 0 and err == ""
    df21 = pd.read_csv(io.StringIO(out21))
    assert list(df21.columns[:3]) == ["origin", "destination", "minutes"]
    assert list(df21["destination"]) == ["黄石市", "长沙市", "北京市"]
    assert df21["minutes"].notna().all()
    code, out26, _ = run(capsys, *ACCEPT, "--year", "2026")
    df26 = pd.read_csv(io.StringIO(out26))
    # the 2022 and 2024 speed-ups of the Beijing-Guangzhou line shorten Changsha and Beijing
    assert (df26["minutes"].iloc[1:] < df21["minutes"].iloc[1:]).all()


def test_matrix_formats_agree(capsys):
    _, csv_out, _ = run(capsys, *ACCEPT[:-1], "csv")
    _, json_out, _ = run(capsys, *ACCEPT[:-1], "json")
    _, table_out, _ = run(capsys, *ACCEPT[:-1], "table")
    a = pd.read_csv(io.StringIO(csv_out))
    b = pd.DataFrame(json.loads(json_out)["rows"])
    assert list(a["minutes"]) == list(b["minutes"])
    assert json.loads(json_out)["measure"] == "station_to_station"
    assert "北京市" in table_out


def test_matrix_with_scenario_and_output(tmp_path, capsys):
    out = tmp_path / "m.csv"
    code, stdout, _ = run(
        capsys,
        "matrix",
        "--origins",
        "洪山区",
        "--destinations",
        "鄂州",
        "--modes",
        "rail",
        "--scenario",
        str(SCENARIOS / "example_suburban_line.yaml"),
        "-o",
        str(out),
    )
    assert code == 0 and stdout == ""
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a byte-order mark for spreadsheets
    assert out.read_text(encoding="utf-8-sig").startswith("origin,destination,minutes")


def test_unreachable_is_empty_not_a_number(capsys):
    code, out, _ = run(
        capsys,
        "matrix",
        "--origins",
        "黄石",
        "--destinations",
        "北京",
        "--modes",
        "air",
        "--measure",
        "station_to_station",
    )
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert df["minutes"].isna().all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["matrix", "--origins", "亚特兰蒂斯"], "unknown place '亚特兰蒂斯'"),
        (["matrix", "--origins", "武汉", "--year", "1999"], "year 1999 is outside"),
        (["matrix", "--origins", "武汉", "--year", "soon"], "is not a whole number"),
        (["matrix", "--origins", "武汉", "--modes", "boat"], "unknown mode 'boat'"),
        (["matrix", "--origins", "武汉", "--measure", "as_the_crow_flies"], "unknown measure"),
        (["matrix", "--origins", "武汉", "--modes", "road", "--measure", "station_to_station"], "needs rail or air"),
        (["matrix", "--origins", "武汉", "--format", "xml"], "unknown --format"),
        (["matrix", "--origins", "武汉", "--scenario", "nope.yaml"], "does not exist"),
        (["matrix", "--origins", "武汉", "--network", "nowhere"], "neither a folder nor a shipped network"),
        (["matrix", "--origins", "武汉", "-o", "/etc/hostname/dir/x.csv"], "is a file"),
    ],
)
def test_bad_input_is_one_sentence_and_non_zero(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_info_counts(capsys):
    code, out, _ = run(capsys, "info", "--year", "2021")
    assert code == 0
    assert "places (county-level units of the circle): 48" in out
    assert "rail" in out and "road" in out and "air" in out
    code, out, _ = run(capsys, "info", "--places", "--format", "csv")
    assert "jiangxia" in out


def test_help_for_every_verb():
    for verb in (["matrix"], ["info"], ["scenario", "validate"], ["scenario", "show"]):
        r = subprocess.run([sys.executable, "-m", "commute.cli", *verb, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "usage" in r.stdout


def test_scenario_show(capsys):
    code, out, _ = run(capsys, "scenario", "show", str(SCENARIOS / "package_broken_roads.yaml"))
    assert code == 0
    assert "Add a road 云梦县 – 应城市" in out
    assert "Content hash" in out


def test_air_alone_between_nearby_places_is_an_error_that_says_so(capsys):
    for argv in (["matrix", "--origins", "武汉", "--destinations", "黄石"], ["trip", "武汉", "黄石"]):
        assert main([*argv, "--modes", "air"]) == 2
        err = capsys.readouterr().err.strip()
        assert "武汉市 and 黄石市 are 88 km apart" in err and "add road or rail to --modes" in err
        assert len(err.splitlines()) == 1


def test_a_pair_with_a_flight_still_gets_it_and_a_close_pair_beside_it_is_empty(capsys):
    assert main(["matrix", "--origins", "武汉", "--destinations", "北京,黄石", "--modes", "air"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    by = dict(zip(df["destination_id"], df["minutes"], strict=True))
    assert 120 < by["beijing"] < 480 and pd.isna(by["huangshi"])
    assert main(["matrix", "--origins", "武汉", "--destinations", "黄石", "--modes", "road,air"]) == 0
    assert pd.read_csv(io.StringIO(capsys.readouterr().out))["minutes"].notna().all()  # mixed modes: unaffected
