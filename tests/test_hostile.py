"""Hostile input: every case exits 2 with one clear sentence, no traceback, and leaves inputs as they were.

Each case is a file (scenario, targets, network table, GTFS feed) or a command line, run
in-process through :func:`commute.cli.main`. The checks are the same for all of them (see
:func:`hostile`): exit code 2, stderr starting ``commute:`` without a traceback, the file and
line where the problem has one, and every input byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from commute.cli import main
from tests.conftest import ROOT, SCENARIOS

TARGETS = ROOT / "targets"


def _digest(paths: list[Path]) -> dict[Path, str]:
    out = {}
    for p in paths:
        files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else ([p] if p.exists() else [])
        for f in files:
            out[f] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def hostile(capsys, argv: list[str], inputs: list[Path] = (), *, where: str | None = None, says: str = "") -> str:
    """Run ``commute argv``; assert exit 2, one clear message, ``where`` (file:line) and untouched inputs."""
    before = _digest(list(inputs))
    rc = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("commute:"), err
    assert "Traceback" not in err and "Error:" not in err.split(":", 2)[-1][:0], err
    assert not re.search(r"^\s+File \"", err, re.M), err
    first = err.splitlines()[0]
    assert first.rstrip().endswith((".", ")", ":")), first  # a sentence, or a headline above the list
    if where:
        assert where in err, err
    if says:
        assert says in err, err
    assert _digest(list(inputs)) == before, "an input changed"
    return err


# ------------------------------------------------------------------------------------------------
# Scenario files that break at the YAML level (no network needed)
YAML_CASES = {
    "dup_changes": ("name: a\nyear: 2026\nchanges: []\nchanges: [x]\n", 4, "duplicate key 'changes'"),
    "dup_name": ("name: a\nname: b\nyear: 2026\n", 2, "duplicate key 'name'"),
    "dup_in_change": (
        "name: a\nyear: 2026\nchanges:\n  - close_link:\n      link: g4:1\n      link: g4:2\n",
        6,
        "duplicate key 'link'",
    ),
    "binary": ("name: !!binary aGVsbG8=\nyear: 2026\n", 1, "!!binary is not allowed"),
    "set": ("name: a\nyear: 2026\nchanges: !!set {a, b}\n", 3, "!!set is not allowed"),
    "python_object": ("name: !!python/object/apply:os.system [ls]\nyear: 2026\n", 1, "is not allowed"),
    "python_name": ("name: a\nyear: !!python/name:os.system\n", 2, "is not allowed"),
    "custom_tag": ("name: !include other.yaml\nyear: 2026\n", 1, "!include is not allowed"),
    "omap": ("name: a\nyear: 2026\nchanges: !!omap [a: 1]\n", 3, "!!omap is not allowed"),
    "unhashable_key": ("name: a\nyear: 2026\n? [a, b]\n: 1\n", 3, "a key must be a plain name"),
    "mapping_key": ("name: a\nyear: 2026\n? {a: 1}\n: 1\n", 3, "a key must be a plain name"),
    "syntax_indent": ("name: a\n year: 2026\n  changes: [\n", 0, "YAML syntax error"),
    "syntax_bracket": ("name: x\nyear: 2026\nchanges:\n  - open_project: [a\n", 0, "YAML syntax error"),
    "syntax_tab": ("name: a\n\tyear: 2026\n", 0, "YAML syntax error"),
    "unclosed_quote": ('name: "a\nyear: 2026\n', 0, "YAML syntax error"),
    "a_list": ("- just\n- a list\n", 1, "a scenario must be a mapping"),
    "a_number": ("42\n", 0, "a scenario must be a mapping"),
    "empty": ("", 0, "file is empty"),
    "only_comment": ("# nothing\n", 0, "file is empty"),
    "null_doc": ("~\n", 0, "file is empty"),
    "two_documents": ("name: a\n---\nname: b\n", 0, "YAML syntax error"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_scenario_yaml(capsys, tmp_path, case):
    text, line, says = YAML_CASES[case]
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    hostile(capsys, ["scenario", "validate", p], [p], where=f"{p}:{line}" if line else str(p), says=says)


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


BIG_CASES = {
    "alias_bomb": (_bomb(), "aliases expand to more than"),
    "deep_lists": ("name: " + "[" * 3000 + "]" * 3000 + "\n", "nests deeper than"),
    "deep_maps": ("name: a\nyear: 2026\nx: " + "{a: " * 60 + "1" + "}" * 60 + "\n", "nests deeper than"),
    "huge_file": ("name: a\nyear: 2026\ndescription: '" + "x" * 4_100_000 + "'\n", "MB limit"),
}


@pytest.mark.parametrize("case", sorted(BIG_CASES))
def test_scenario_resources(capsys, tmp_path, case):
    text, says = BIG_CASES[case]
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    hostile(capsys, ["scenario", "validate", p], [p], where=str(p), says=says)


def test_alias_bomb_is_refused_quickly_and_small(capsys, tmp_path):
    import time
    import tracemalloc

    p = tmp_path / "bomb.yaml"
    p.write_text(_bomb(10), encoding="utf-8")  # 9**10 values if expanded
    tracemalloc.start()
    t = time.perf_counter()
    hostile(capsys, ["scenario", "validate", p], [p], says="aliases")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.perf_counter() - t < 5 and peak < 200e6


ENCODING_CASES = {
    "utf16_bom_bad_year": ("name: a\nyear: twenty\n".encode("utf-16"), 2, "is not a year"),
    "utf8_bom_bad_year": (b"\xef\xbb\xbfname: a\nyear: twenty\n", 2, "is not a year"),
    "gbk_dup_key": ("name: 武汉\nname: 黄石\nyear: 2026\n".encode("gbk"), 2, "duplicate key"),
    "latin1_bad_key": ("name: Zürich\nyear: 2026\nnope: 1\n".encode("latin-1"), 3, "unknown key 'nope'"),
    "broken_utf16": (b"\xff\xfen\x00a\x00\x00\xd8", 0, "not valid utf-16"),
    # no byte-order mark: told by where the zero bytes fall (was "unacceptable character #x0000")
    "utf16le_no_bom_bad_year": ("name: 测试\nyear: twenty\n".encode("utf-16-le"), 2, "is not a year"),
    "utf16be_no_bom_bad_year": ("name: 测试\nyear: twenty\n".encode("utf-16-be"), 2, "is not a year"),
    "utf32le_no_bom_bad_year": ("name: Zürich\nyear: twenty\n".encode("utf-32-le"), 2, "is not a year"),
    "binary": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\x00\x00\x01", 0, "save it as UTF-8 text"),
}


def test_a_wrong_encoding_says_what_to_convert_to():
    from commute.errors import InvalidOptionError
    from commute.io.inputs import decode

    with pytest.raises(InvalidOptionError, match="give the file's encoding with --encoding or save it as UTF-8"):
        decode("name: 武汉\n".encode("gbk"), "s.yaml", "utf-8")
    with pytest.raises(InvalidOptionError, match="save it again as UTF-8"):
        decode(b"\xef\xbb\xbfname: \xff\n", "s.yaml")


@pytest.mark.parametrize("case", sorted(ENCODING_CASES))
def test_scenario_encodings(capsys, tmp_path, case):
    data, line, says = ENCODING_CASES[case]
    p = tmp_path / "s.yaml"
    p.write_bytes(data)
    hostile(capsys, ["scenario", "validate", p], [p], where=f"{p}:{line}" if line else str(p), says=says)


def test_extends_a_folder(capsys, tmp_path):
    (tmp_path / "dir").mkdir()
    p = tmp_path / "s.yaml"
    p.write_text("name: a\nextends: dir\n", encoding="utf-8")
    hostile(capsys, ["scenario", "validate", p], [p], says="is a folder")


def test_extends_cycle(capsys, tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("name: a\nextends: b.yaml\n", encoding="utf-8")
    b.write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    hostile(capsys, ["scenario", "validate", a], [a, b], says="makes a cycle")


# ------------------------------------------------------------------------------------------------
# Scenario files whose form or references are wrong (checked against the real network)
HEAD = "name: bad\nyear: 2026\nchanges:\n"
FORM_CASES = {
    "year_date": ("name: a\nyear: 2026-01-01\n", 2, "is not a year"),
    "year_text": ("name: a\nyear: soon\n", 2, "is not a year"),
    "year_out_of_range": ("name: a\nyear: 2300\n", 2, "use a year from"),
    "year_before": ("name: a\nyear: 1990\n", 2, "use a year from"),
    "year_bool": ("name: a\nyear: true\n", 2, "is not a year"),
    "unknown_network": ("name: a\nyear: 2026\nnetwork: atlantis\n", 3, "neither a folder"),
    "network_number": ("name: a\nyear: 2026\nnetwork: 5\n", 3, "`network` must be"),
    "unknown_top_key": ("name: a\nyear: 2026\nchange: []\n", 3, "unknown key 'change'"),
    "changes_not_list": ("name: a\nyear: 2026\nchanges: 5\n", 3, "must be a list"),
    "no_name": ("year: 2026\nchanges: []\n", 1, "missing or empty `name`"),
    "name_list": ("name: [a]\nyear: 2026\n", 1, "missing or empty `name`"),
    "no_changes_no_year": ("name: a\n", 1, "no changes, no year"),
    "unknown_verb": (HEAD + "  - build_bridge: {at: 武汉}\n", 4, "unknown change 'build_bridge'"),
    "two_verbs": (HEAD + "  - {close_link: {link: g4:1}, close_station: {station: 汉口}}\n", 4, "exactly one verb"),
    "change_is_text": (HEAD + "  - close everything\n", 4, "exactly one verb"),
    "args_not_mapping": (HEAD + "  - close_link: g4:1\n", 4, "needs a mapping"),
    "unknown_field": (HEAD + "  - close_link: {link: g4:1, when: now}\n", 4, "has no field 'when'"),
    "missing_field": (HEAD + "  - close_station: {}\n", 4, "lacks required field 'station'"),
    "close_link_empty_list": (HEAD + "  - close_link: {link: []}\n", 4, "link must be a link id"),
    "close_link_number_list": (HEAD + "  - close_link: {link: [1, 2]}\n", 4, "link must be a link id"),
    "close_link_unknown": (HEAD + "  - close_link: {link: nowhere:1}\n", 4, "is not in the network"),
    "close_station_list": (HEAD + "  - close_station: {station: [汉口]}\n", 4, "must be a name or id"),
    "close_station_unknown": (HEAD + "  - close_station: {station: 火星站}\n", 4, "is not in the network"),
    "close_place_unknown": (HEAD + "  - close_place: {place: 火星}\n", 4, "火星"),
    "widen_nothing": (HEAD + "  - widen_road: {link: g4:1}\n", 4, "changes nothing"),
    "widen_fewer_lanes": (HEAD + "  - widen_road: {link: g4:1, lanes: 2}\n", 4, "fewer than the road has"),
    "widen_lanes_text": (HEAD + "  - widen_road: {link: g4:1, lanes: many}\n", 4, "is not a number"),
    "widen_lanes_zero": (HEAD + "  - widen_road: {link: g4:1, lanes: 0}\n", 4, "is outside"),
    "widen_speed_nan": (HEAD + "  - widen_road: {link: g4:1, speed_kmh: .nan}\n", 4, "is not a number"),
    "widen_speed_inf": (HEAD + "  - widen_road: {link: g4:1, speed_kmh: .inf}\n", 4, "is not a number"),
    "widen_slower": (HEAD + "  - widen_road: {link: g4:1, speed_kmh: 30}\n", 4, "slower"),
    "widen_class_unknown": (HEAD + "  - widen_road: {link: g4:1, class: hyperloop}\n", 4, "road class"),
    "widen_class_number": (HEAD + "  - widen_road: {link: g4:1, class: 5}\n", 4, "road class"),
    "add_road_same_ends": (HEAD + "  - add_road: {from: 武汉, to: 武汉}\n", 4, "joins a junction to itself"),
    "add_road_unknown_end": (HEAD + "  - add_road: {from: 武汉, to: 火星}\n", 4, "火星"),
    "add_road_lon_east": (HEAD + "  - add_road: {from: 武汉, to: {id: j1, lon: east, lat: 30}}\n", 4, "lon 'east'"),
    "add_road_lat_out": (HEAD + "  - add_road: {from: 武汉, to: {id: j1, lon: 114, lat: 95}}\n", 4, "lat 95"),
    "add_road_lon_nan": (HEAD + "  - add_road: {from: 武汉, to: {id: j1, lon: .nan, lat: 30}}\n", 4, "lon nan"),
    "add_road_no_coords": (HEAD + "  - add_road: {from: 武汉, to: {id: j1}}\n", 4, "needs id, lon, lat"),
    "add_road_existing_id": (HEAD + "  - add_road: {from: 武汉, to: 黄石, id: 'g4:1'}\n", 4, "already exists"),
    "add_road_length_zero": (HEAD + "  - add_road: {from: 武汉, to: 黄石, length_km: 0}\n", 4, "is outside"),
    "add_road_end_list": (HEAD + "  - add_road: {from: [武汉], to: 黄石}\n", 4, "must be a place"),
    "add_road_class_bad": (HEAD + "  - add_road: {from: 武汉, to: 黄石, class: dirt}\n", 4, "road class"),
    "add_service_one_station": (
        HEAD + "  - add_service: {id: x, stations: [汉口], speed_kmh: 200, headway_min: 30}\n",
        4,
        "at least two stations",
    ),
    "add_service_station_twice": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 汉口], speed_kmh: 200, headway_min: 30}\n",
        4,
        "a station twice",
    ),
    "add_service_both_freqs": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], speed_kmh: 200, headway_min: 30, trains_per_day: 5}\n",
        4,
        "both headway_min and trains_per_day",
    ),
    "add_service_negative_dwell": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], speed_kmh: 200, headway_min: 30, dwell_min: -2}\n",
        4,
        "dwell_min -2 is outside",
    ),
    "add_service_runs_count": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], run_min: [5, 6], headway_min: 30}\n",
        4,
        "2 values for 1 hops",
    ),
    "add_service_runs_negative": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], run_min: [-5], headway_min: 30}\n",
        4,
        "positive numbers",
    ),
    "add_service_no_speed": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], headway_min: 30}\n",
        4,
        "needs speed_kmh or run_min",
    ),
    "add_service_unknown_station": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 火星站], speed_kmh: 200, headway_min: 30}\n",
        4,
        "火星站",
    ),
    "add_service_new_station_city_unknown": (
        HEAD + "  - add_service: {id: x, stations: [汉口, rs_new], speed_kmh: 200, headway_min: 30,\n"
        "      new_stations: {rs_new: {name: 新站, lon: 114.5, lat: 30.5, city: 亚特兰蒂斯}}}\n",
        5,
        "亚特兰蒂斯",
    ),
    "add_service_new_station_nan": (
        HEAD + "  - add_service: {id: x, stations: [汉口, rs_new], speed_kmh: 200, headway_min: 30,\n"
        "      new_stations: {rs_new: {name: 新站, lon: .nan, lat: 30.5}}}\n",
        5,
        "lon nan",
    ),
    "add_service_new_station_exists": (
        HEAD + "  - add_service: {id: x, stations: [汉口, rs_new], speed_kmh: 200, headway_min: 30,\n"
        "      new_stations: {rs_new: {name: 新站, lon: 114.5, lat: 30.5}, rs_new2: {name: b, lon: 1}}}\n",
        5,
        "needs name, lon, lat",
    ),
    "add_service_mode_bad": (
        HEAD + "  - add_service: {id: x, stations: [汉口, 武昌], speed_kmh: 200, headway_min: 30, mode: teleport}\n",
        4,
        "service mode",
    ),
    "change_service_nothing": (HEAD + "  - change_service: {service: x}\n", 4, "changes nothing"),
    "change_service_unknown": (HEAD + "  - change_service: {service: nope, headway_min: 5}\n", 4, "is not running"),
    "change_service_headway_zero": (
        HEAD + "  - change_service: {service: nope, headway_min: 0}\n",
        4,
        "headway_min 0 is outside",
    ),
    "remove_service_unknown": (HEAD + "  - remove_service: {service: nope}\n", 4, "nope"),
    "open_project_unknown": (HEAD + "  - open_project: not_a_project\n", 4, "not_a_project"),
}


@pytest.mark.parametrize("case", sorted(FORM_CASES))
def test_scenario_form(capsys, tmp_path, case):
    text, line, says = FORM_CASES[case]
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    hostile(capsys, ["scenario", "validate", p], [p], where=f"{p}:{line}", says=says)


def test_every_problem_of_every_file_is_reported(capsys, tmp_path):
    a, bad, c = tmp_path / "a.yaml", tmp_path / "bad.yaml", tmp_path / "c.yaml"
    a.write_text("name: a\nyear: 2026\n", encoding="utf-8")
    bad.write_text("name: b\nyear: 2300\nchanges:\n  - close_station: {station: 火星站}\n", encoding="utf-8")
    c.write_text("name: c\nyear: 2026\nchanges:\n  - close_link: {link: []}\n", encoding="utf-8")
    err = hostile(capsys, ["scenario", "validate", a, bad, c], [a, bad, c])
    assert f"{bad}:2" in err and f"{bad}:4" in err and f"{c}:4" in err  # the year hides nothing
    assert "2 of 3 scenario file(s) have 3 problem(s)" in err


def test_a_missing_file_does_not_stop_the_others(capsys, tmp_path):
    c = tmp_path / "c.yaml"
    c.write_text("name: c\nyear: 2026\nchanges: 5\n", encoding="utf-8")
    err = hostile(capsys, ["scenario", "validate", tmp_path / "missing.yaml", c], [c])
    assert "does not exist" in err and f"{c}:3" in err


def test_repeated_problems_are_capped(capsys, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + "".join(f"  - close_link: {{link: x{i}, bad{i}: 1}}\n" for i in range(3000)), encoding="utf-8")
    err = hostile(capsys, ["scenario", "validate", p], [p], says="more like this")
    assert len(err.splitlines()) < 60
    assert "3,000 problems" in err


# ------------------------------------------------------------------------------------------------
# Target files (checked with `commute check --targets`)
RULE = "name: t\nrules:\n  - id: r1\n    name: x\n    kind: reach\n"
TARGET_CASES = {
    "self": (RULE + "    from: 武汉\n    to: 武汉\n    within_min: 60\n", 7, "to itself"),
    "classes_number": (
        "name: t\nrules:\n  - id: c\n    name: x\n    kind: station_coverage\n    cities: cluster\n    classes: 5\n",
        7,
        "classes 5",
    ),
    "within_inf": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: .inf\n", 8, "within_min inf"),
    "within_nan": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: .nan\n", 8, "within_min nan"),
    "within_negative": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: -3\n", 8, "within_min -3"),
    "within_huge": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: 99999999\n", 8, "is over"),
    "within_text": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: an hour\n", 8, "not a positive number"),
    "day_backwards": (
        "name: t\nrules:\n  - id: d\n    name: x\n    kind: day_trip\n    from: circle_places\n    to: 武汉\n"
        "    stay_hours: 8\n    day_start: 22\n    day_end: 6\n",
        10,
        "is not after day_start",
    ),
    "stay_longer_than_day": (
        "name: t\nrules:\n  - id: d\n    name: x\n    kind: day_trip\n    from: circle_places\n    to: 武汉\n"
        "    stay_hours: 20\n    day_start: 6\n    day_end: 22\n",
        8,
        "longer than the day",
    ),
    "dup_key": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: 60\n    within_min: 90\n", 9, "duplicate key"),
    "unknown_place": (RULE + "    from: 火星\n    to: 黄石\n    within_min: 60\n", 6, "火星"),
    "unknown_kind": ("name: t\nrules:\n  - id: r\n    kind: teleport\n", 4, "unknown rule kind"),
    "unknown_field": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: 60\n    colour: red\n", 9, "no field"),
    "bad_measure": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: 60\n    measure: crow\n", 9, "crow"),
    "bad_modes": (RULE + "    from: 武汉\n    to: 黄石\n    within_min: 60\n    modes: [rocket]\n", 9, "rocket"),
    "no_rules": ("name: t\nrules: []\n", 2, "non-empty list"),
    "dup_rule_id": (
        RULE + "    from: 武汉\n    to: 黄石\n    within_min: 60\n  - id: r1\n    from: 武汉\n    to: 孝感\n"
        "    within_min: 60\n",
        9,
        "duplicate rule id",
    ),
    "a_list": ("- a\n", 1, "must be a mapping"),
    "binary": ("name: !!binary aGVsbG8=\nrules: []\n", 1, "!!binary"),
}


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_targets(capsys, tmp_path, case):
    text, line, says = TARGET_CASES[case]
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    hostile(capsys, ["check", "--targets", p], [p], where=f"{p}:{line}", says=says)


# ------------------------------------------------------------------------------------------------
# Command lines with values out of bounds (rejected before anything is computed)
CLI_CASES = {
    "reach_half_life_zero": (["reach", "--origins", "武汉", "--half-life", "0"], "--half-life 0"),
    "reach_half_life_nan": (["reach", "--origins", "武汉", "--half-life", "nan"], "--half-life nan"),
    "reach_thresholds_nan": (["reach", "--origins", "武汉", "--thresholds", "60,nan"], "--thresholds nan"),
    "reach_thresholds_negative": (["reach", "--origins", "武汉", "--thresholds", "-60"], "--thresholds -60"),
    "matrix_cutoff_negative": (["matrix", "--origins", "武汉", "--cutoff", "-5"], "--cutoff -5"),
    "matrix_cutoff_inf": (["matrix", "--origins", "武汉", "--cutoff", "inf"], "--cutoff inf"),
    "matrix_format": (["matrix", "--origins", "武汉", "--format", "xml"], "xml"),
    "matrix_modes": (["matrix", "--origins", "武汉", "--modes", "bogus"], "bogus"),
    "matrix_measure": (["matrix", "--origins", "武汉", "--measure", "bogus"], "bogus"),
    "matrix_step_zero": (["matrix", "--origins", "武汉", "--step", "0"], "--step 0"),
    "matrix_step_nan": (["matrix", "--origins", "武汉", "--step", "nan"], "--step nan"),
    "matrix_statistic": (["matrix", "--origins", "武汉", "--statistic", "p200"], "p200"),
    "matrix_transfer_negative": (["matrix", "--origins", "武汉", "--transfer-penalty", "-1"], "-1"),
    "matrix_year_text": (["matrix", "--origins", "武汉", "--year", "abc"], "'abc'"),
    "matrix_year_range": (["matrix", "--origins", "武汉", "--year", "1800"], "1800"),
    "matrix_unknown_place": (["matrix", "--origins", "火星"], "火星"),
    "matrix_empty_place": (["matrix", "--origins", ","], "place"),
    "matrix_network_missing": (["matrix", "--origins", "武汉", "--network", "/nonexistent"], "/nonexistent"),
    "matrix_scenario_missing": (["matrix", "--origins", "武汉", "--scenario", "/nonexistent.yaml"], "does not exist"),
    "info_format": (["info", "--format", "xml"], "xml"),
    "critical_top_negative": (["critical", "--top", "-3"], "--top -3"),
    "isochrones_group": (["isochrones", "--origin", "circle", "-o", "{tmp}/x.png"], "names 9 places"),
    "isochrones_step_nan": (["isochrones", "--origin", "武汉", "--step-km", "nan", "-o", "{tmp}/x.png"], "nan"),
    "isochrones_radius_zero": (
        ["isochrones", "--origin", "武汉", "--max-radius-km", "0", "-o", "{tmp}/x.png"],
        "--max-radius-km 0",
    ),
    "isochrones_minutes_nan": (["isochrones", "--origin", "武汉", "--minutes", "nan", "-o", "{tmp}/x.png"], "nan"),
    "isochrones_minutes_zero": (["isochrones", "--origin", "武汉", "--minutes", "0", "-o", "{tmp}/x.png"], "0"),
    "isochrones_minutes_text": (["isochrones", "--origin", "武汉", "--minutes", "an,hour", "-o", "{tmp}/x.png"], "an"),
    "isochrones_ext": (["isochrones", "--origin", "武汉", "--origin", "黄石", "--ext", "bmp", "-o", "{tmp}"], "bmp"),
    "isochrones_same_file_twice": (
        ["isochrones", "--origin", "武汉", "--origin", "黄石", "-o", "{tmp}/{scenario}.png"],
        "maps 1 and 2 would both be written to",
    ),
    "attribute_year_text": (["attribute", str(SCENARIOS / "package_broken_roads.yaml"), "--year", "abc"], "'abc'"),
    "snapshot_tolerance": (["snapshot", "check", "{tmp}", "--tolerance", "minutes=-1"], "negative"),
    "snapshot_tolerance_name": (["snapshot", "check", "{tmp}", "--tolerance", "hours=1"], "hours=1"),
    "snapshot_check_empty": (["snapshot", "check", "{tmp}"], "no snapshots"),
    "sweep_workers_zero": (["sweep", "run", "{tmp}/s.yaml", "--workers", "0", "-o", "{tmp}/r.parquet"], "--workers 0"),
    "gtfs_missing": (["gtfs", "import", "{tmp}/nofeed", "--date", "2026-01-01", "-o", "{tmp}/n"], "does not exist"),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_values(capsys, tmp_path, case):
    argv, says = CLI_CASES[case]
    hostile(capsys, [a.replace("{tmp}", str(tmp_path)) for a in argv], says=says)


# ------------------------------------------------------------------------------------------------
# Outputs never destroy inputs
def _scenario(tmp_path: Path) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text("name: s\nyear: 2026\n", encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "verb",
    [
        ["matrix", "--origins", "武汉", "--scenario", "{s}"],
        ["check", "{s}"],
        ["compare", "{s}", "{s}"],
    ],
    ids=lambda v: v[0],
)
def test_output_that_is_the_scenario_is_refused(capsys, tmp_path, verb):
    s = _scenario(tmp_path)
    argv = [a.replace("{s}", str(s)) for a in verb] + ["-o", str(s)]
    hostile(capsys, argv, [s], says="is an input of this command")


def test_output_that_is_the_target_file_is_refused(capsys, tmp_path):
    t = tmp_path / "t.yaml"
    shutil.copy(TARGETS / "123.yaml", t)
    hostile(capsys, ["check", "--targets", t, "-o", t], [t], says="is an input")


@pytest.mark.parametrize("name", ["places.csv", "network.yaml", "new.csv"])
def test_output_inside_the_network_folder_is_refused(capsys, name):
    from commute.io.network import resolve_network_path

    # the folder the default network is read from: the repository's, or the installed package's copy
    default = resolve_network_path(None)
    hostile(capsys, ["matrix", "--origins", "武汉", "-o", default / name], [default], says="that this command reads")


def test_output_inside_a_given_network_folder_is_refused(capsys, net_copy):
    hostile(
        capsys,
        ["matrix", "--origins", "武汉", "--network", net_copy, "-o", net_copy / "stations.csv"],
        [net_copy],
        says="that this command reads",
    )


def test_output_into_a_read_only_folder(capsys, tmp_path):
    import os

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        hostile(capsys, ["isochrones", "--origin", "武汉", "-o", ro / "x.png"], says="not writable")
    finally:
        ro.chmod(0o755)


# ------------------------------------------------------------------------------------------------
# Network tables, snapshots and feeds from the wild
def _edit_csv(path: Path, row: int, col: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    cells = lines[row].split(",")
    cells[head.index(col)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "row", "col", "value", "says"),
    [
        ("places.csv", 1, "lon", "east", "lon 'east' is not a number"),
        ("places.csv", 1, "lat", "nan", "lat 'nan' is not a number"),
        ("stations.csv", 1, "lon", "400", "lon 400 is out of range"),
        ("stations.csv", 2, "lat", "-91", "lat -91 is out of range"),
        ("road_nodes.csv", 3, "lon", "inf", "lon inf is not a number"),
        ("service_stops.csv", 1, "seq", "first", "seq 'first' is not a number"),
        ("service_stops.csv", 3, "dwell_min", "-2", "dwell_min -2 is out of range"),
        ("trip_stops.csv", 1, "seq", "1.5", "seq 1.5 is not a whole number"),
    ],
)
def test_broken_network_table(capsys, net_copy, table, row, col, value, says):
    _edit_csv(net_copy / table, row, col, value)
    err = hostile(capsys, ["info", "--network", net_copy], [net_copy], where=f"{net_copy / table}:{row + 1}", says=says)
    assert "has 1 problem:" in err, err  # the bad cell only, not problems that follow from it


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("name: [unclosed\n", 2, "YAML syntax error"),
        ("- a\n- b\n", 1, "network.yaml must be a mapping"),
        ("name: x\nname: y\n", 2, "duplicate key 'name'"),
        ("name: x\nbase_year: soon\n", 2, "base_year 'soon' is not a year"),
        ("name: x\nparameters: [1, 2]\n", 2, "parameters must be a mapping"),
        ("name: !!python/name:os.system\n", 1, "is not allowed"),
    ],
)
def test_broken_network_yaml(capsys, net_copy, text, line, says):
    (net_copy / "network.yaml").write_text(text, encoding="utf-8")
    hostile(capsys, ["info", "--network", net_copy], [net_copy], where=f"network.yaml:{line}", says=says)


def test_network_csv_with_a_shifted_row(capsys, net_copy):
    """A row with extra fields would become pandas' index and shift every column of the table."""
    p = net_copy / "stations.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hostile(
        capsys, ["info", "--network", net_copy], [net_copy], where=f"{p}:3", says="row has 12 fields, the header has 11"
    )


def test_network_csv_with_an_unclosed_quote(capsys, net_copy):
    p = net_copy / "road_nodes.csv"
    p.write_text(p.read_text(encoding="utf-8") + '"unclosed,x\n', encoding="utf-8")
    hostile(capsys, ["info", "--network", net_copy], [net_copy], where=str(p), says="the header has")


def test_network_csv_empty(capsys, net_copy):
    (net_copy / "transfers.csv").write_text("", encoding="utf-8")
    hostile(capsys, ["info", "--network", net_copy], [net_copy], where=str(net_copy / "transfers.csv"), says="is empty")


def test_network_csv_with_a_byte_order_mark_loads(capsys, net_copy):
    p = net_copy / "stations.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert main(["info", "--network", str(net_copy)]) == 0, capsys.readouterr().err


def test_gtfs_import_over_a_folder_with_a_broken_network_yaml(capsys, tmp_path):
    out = tmp_path / "n"
    out.mkdir()
    (out / "network.yaml").write_text("kind: [gtfs\n", encoding="utf-8")
    argv = ["gtfs", "import", ROOT / "tests" / "data" / "gtfs_small", "--date", "2026-03-02", "-o", out]
    hostile(capsys, argv, [out], says="is not a GTFS network")


def test_gtfs_empty_table(capsys, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(ROOT / "tests" / "data" / "gtfs_small", feed)
    (feed / "stops.txt").write_bytes(b"")
    hostile(capsys, ["gtfs", "import", feed, "--date", "2026-03-02", "-o", tmp_path / "n"], [feed], says="is empty")


def test_latin1_gtfs_feed_imports_and_says_so(tmp_path, capsys):
    feed = tmp_path / "feed"
    shutil.copytree(ROOT / "tests" / "data" / "gtfs_small", feed)
    stops = feed / "stops.txt"
    text = stops.read_text(encoding="utf-8")
    text = "".join(c if ord(c) < 128 else "é" for c in text).replace("éé", "Genève")
    stops.write_bytes(text.encode("latin-1"))
    before = _digest([feed])
    with pytest.warns(UserWarning, match="not UTF-8"):
        rc = main(["gtfs", "import", str(feed), "--date", "2026-03-02", "-o", str(tmp_path / "n")])
    assert rc == 0, capsys.readouterr().err
    assert "Genève" in (tmp_path / "n" / "stations.csv").read_text(encoding="utf-8")
    assert _digest([feed]) == before


def test_corrupt_snapshot_csv(capsys, tmp_path):
    (tmp_path / "x.targets.csv").write_bytes(b'# scenario: x\n\x00\x01,\n"unclosed\n')
    hostile(capsys, ["snapshot", "check", tmp_path], [tmp_path], says="x.targets.csv")


@pytest.mark.parametrize(
    ("text", "says"), [("classes: [unclosed\n", "YAML syntax error"), ("classes: 5\n", "not a run-time calibration")]
)
def test_broken_calibration_yaml(capsys, net_copy, text, says):
    p = net_copy / "calibration.yaml"
    p.write_text(text, encoding="utf-8")
    hostile(capsys, ["info", "--network", net_copy], [net_copy], where=str(p), says=says)
